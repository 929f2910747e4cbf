/*
 * rep_md.c - report.md: the report's tables in Markdown, readable on its
 * own and on a forge (GitHub-flavoured tables).  Every text that comes
 * from the database goes through rep_md, so a path or a detail with a
 * pipe, a bracket or markup stays text.  The maps and charts are only in
 * report.html; here each map is summed up by kind.
 */
#include "report/rep_internal.h"

#include <math.h>
#include <string.h>

static void status_cell(FILE *f, const struct rep_run *r)
{
	fputc(' ', f);
	rep_md(f, r->status);
	if (r->detail && *r->detail) {
		fputs(" (", f);
		rep_md(f, r->detail);
		fputc(')', f);
	}
	fputs(" |", f);
}

static void summary(FILE *f, const struct rep_data *d)
{
	char cells[REP_SUMMARY_CELLS][64];
	bool differ = rep_settings_differ(d);
	size_t i, k;
	int c;

	if (!d->ngroups)
		return;
	fputs("## Summary\n\n"
	      "| trace | layout | policy | status | events | errors | "
	      "warnings | info | RAM peak | caps peak | RPCs |\n"
	      "|---|---|---|---|--:|--:|--:|--:|--:|--:|--:|\n",
	      f);
	for (i = 0; i < d->ngroups; i++) {
		const struct rep_group *g = &d->groups[i];

		for (k = 0; k < g->nrun; k++) {
			const struct rep_run *r = g->run[k];

			fputs("| ", f);
			rep_md(f, rep_basename(g->trace));
			fputs(" | ", f);
			rep_md(f, g->layout);
			if (differ) {
				/* rows alike but for their settings */
				fputs(" (", f);
				rep_md(f, g->settings ? g->settings : "?");
				fputc(')', f);
			}
			fputs(" | ", f);
			rep_md(f, r->display);
			fputs(" |", f);
			status_cell(f, r);
			rep_run_summary(r, cells);
			for (c = 0; c < REP_SUMMARY_CELLS; c++)
				fprintf(f, " %s |", cells[c]);
			fputc('\n', f);
		}
	}
	fputc('\n', f);
}

static void conform_header(FILE *f, const struct rep_data *d,
			   const char *first)
{
	size_t i;

	fprintf(f, "| %s |", first);
	for (i = 0; i < d->nconform; i++) {
		fputc(' ', f);
		rep_md(f, d->conform[i]->display);
		if (d->conform_layouts) {
			fputs(" on ", f);
			rep_md(f, d->conform[i]->layout);
		}
		fputs(" |", f);
	}
	fputs("\n|---|", f);
	for (i = 0; i < d->nconform; i++)
		fputs("---|", f);
	fputc('\n', f);
}

static void conformance(FILE *f, const struct rep_data *d)
{
	size_t i, k, shown = 0, everywhere = 0;
	char sec[REP_SECTION];

	if (!d->nconform)
		return;
	fputs("## Conformance\n\n"
	      "Pass rate: passed of the cases decided (passed, failed or "
	      "error); unsupported cases need something the run did not "
	      "have and do not count.\n\n"
	      "| policy | layout | cases | pass | fail | unsupported | error "
	      "| pass rate |\n|---|---|--:|--:|--:|--:|--:|--:|\n",
	      f);
	for (i = 0; i < d->nconform; i++) {
		const struct rep_run *r = d->conform[i];
		double rate = rep_run_pass_rate(r);

		fputs("| ", f);
		rep_md(f, r->display);
		fputs(" | ", f);
		rep_md(f, r->layout);
		fprintf(f, " | %zu | %lld | %lld | %lld | %lld | ", r->ncases,
			(long long)r->verdicts[0], (long long)r->verdicts[1],
			(long long)r->verdicts[2], (long long)r->verdicts[3]);
		if (isnan(rate))
			fputs("– |\n", f);
		else
			fprintf(f, "%.1f%% |\n", rate);
	}

	/* pass counts per checklist section */
	fputs("\n### By section\n\n", f);
	conform_header(f, d, "section");
	for (k = 0; rep_next_section(d, &k, sec);) {
		fputs("| ", f);
		rep_md(f, sec);
		fputs(" |", f);
		for (i = 0; i < d->nconform; i++) {
			size_t pass, decided;

			rep_section_tally(d, d->conform[i], sec, &pass,
					  &decided);
			fprintf(f, " %zu/%zu |", pass, decided);
		}
		fputc('\n', f);
	}

	/* the cases that do not pass somewhere, verdict by policy */
	for (k = 0; k < d->ncase_names; k++) {
		if (rep_case_passes_all(d, k)) {
			everywhere++;
			continue;
		}
		if (!shown++) {
			fputs("\n### Cases that do not pass on every "
			      "policy\n\n",
			      f);
			conform_header(f, d, "case");
		}
		fputs("| ", f);
		rep_md(f, d->case_names[k]);
		fputs(" |", f);
		for (i = 0; i < d->nconform; i++) {
			const struct rep_case *c =
				rep_run_case(d->conform[i], d->case_names[k]);

			fputc(' ', f);
			if (!c)
				fputs("–", f);
			else if (strcmp(c->verdict, "fail") != 0 &&
				 strcmp(c->verdict, "error") != 0)
				rep_md(f, c->verdict);
			else {
				fputs("**", f);
				rep_md(f, c->verdict);
				fputs("**", f);
			}
			fputs(" |", f);
		}
		fputc('\n', f);
	}
	fprintf(f, "\n%zu of %zu cases pass on every policy.\n", everywhere,
		d->ncase_names);
	if (!shown) {
		fputc('\n', f);
		return;
	}
	fputs("\n### Reasons\n\n| case | policy | verdict | reason |\n"
	      "|---|---|---|---|\n",
	      f);
	for (i = 0; i < d->nconform; i++) {
		const struct rep_run *r = d->conform[i];

		for (k = 0; k < r->ncases; k++) {
			const struct rep_case *c = &r->cases[k];

			if (strcmp(c->verdict, "pass") == 0)
				continue;
			fputs("| ", f);
			rep_md(f, c->name);
			fputs(" | ", f);
			rep_md(f, r->display);
			fputs(" | ", f);
			rep_md(f, c->verdict);
			fputs(" | ", f);
			rep_md(f, c->detail);
			fputs(" |\n", f);
		}
	}
	fputc('\n', f);
}

static void group_runs(FILE *f, const struct rep_group *g)
{
	size_t k;
	char b[64];

	fputs("| policy | run | command | status | events | wall time | "
	      "started |\n|---|--:|---|---|--:|--:|---|\n",
	      f);
	for (k = 0; k < g->nrun; k++) {
		const struct rep_run *r = g->run[k];

		fputs("| ", f);
		rep_md(f, r->display);
		fprintf(f, " | %lld | ", (long long)r->id);
		rep_md(f, r->command);
		fputs(" |", f);
		status_cell(f, r);
		fprintf(f, " %s |",
			rep_fmt_count((double)r->events, b, sizeof(b)));
		fprintf(f, " %s | ",
			rep_fmt_ms(r->has_wall ? r->wall_ms : NAN, b,
				   sizeof(b)));
		rep_md(f, r->started);
		fputs(" |\n", f);
	}
	fputc('\n', f);
}

/* A table's header: a first column, then one numeric column per run. */
static void run_columns(FILE *f, const struct rep_group *g, const char *first)
{
	size_t k;

	fprintf(f, "| %s |", first);
	for (k = 0; k < g->nrun; k++) {
		fputc(' ', f);
		rep_md(f, g->run[k]->display);
		fputs(" |", f);
	}
	fputs("\n|---|", f);
	for (k = 0; k < g->nrun; k++)
		fputs("--:|", f);
	fputc('\n', f);
}

static void group_metrics(FILE *f, const struct rep_group *g)
{
	const char *names[256];
	size_t n = rep_group_metric_names(g, names, 256), i, k;
	const char *section = NULL;
	char b[64];

	if (!n)
		return;
	fputs("### Metrics\n\n", f);
	run_columns(f, g, "metric");
	for (i = 0; i < n; i++) {
		struct rep_metric_info m = rep_metric_info(names[i]);
		double best = rep_group_metric_best(g, names[i]);
		const char *label = m.label;

		if (!section || strcmp(section, m.section) != 0) {
			section = m.section;
			fprintf(f, "| **%s** |", section);
			for (k = 0; k < g->nrun; k++)
				fputs(" |", f);
			fputc('\n', f);
		}
		fputs("| ", f);
		if (m.sub)
			fputs("↳ ", f);
		rep_md(f, label);
		fputs(" |", f);
		for (k = 0; k < g->nrun; k++) {
			double v = rep_run_metric(g->run[k], names[i]);

			rep_fmt_metric(names[i], v, b, sizeof(b));
			fprintf(f, v == best ? " **%s** |" : " %s |", b);
		}
		fputc('\n', f);
	}
	fputc('\n', f);
}

static void finding_row(FILE *f, const struct rep_finding *x)
{
	char b[512];

	fprintf(f, "| %lld | ", (long long)x->seq);
	if (x->has_event) {
		fprintf(f, "%lld | ", (long long)x->line);
		rep_md_code(f, rep_fmt_call(x, b, sizeof(b)));
		fputs(" | ", f);
		rep_md(f, rep_fmt_result(x->traced_known, x->traced_ret,
					 x->traced_errno, b, sizeof(b)));
		fputs(" | ", f);
		rep_md(f, rep_fmt_result(x->ref_known, x->ref_ret,
					 x->ref_errno, b, sizeof(b)));
		fputs(" | ", f);
		rep_md(f, rep_fmt_result(x->model_known, x->model_ret,
					 x->model_errno, b, sizeof(b)));
	} else {
		fputs("– | – | – | – | –", f);
	}
	fputs(" | ", f);
	rep_md(f, x->severity);
	fputs(" | ", f);
	rep_md(f, x->detail);
	fputs(" |\n", f);
}

/* @cap: findings listed per kind and run (fewer in a report of many
 * runs, whose HTML pages list them all up to REP_DEV_CAP) */
static void group_deviations(FILE *f, const struct rep_group *g, size_t cap)
{
	const char *kinds[64];
	size_t nk = 0, i, j, k;
	char b[64];

	nk = rep_group_kinds(g, kinds, 64);
	fputs("### Deviations\n\n", f);
	if (!nk) {
		fputs("No findings: every result as recorded.\n\n", f);
		return;
	}
	fputs("Findings by kind (errors / warnings / info):\n\n", f);
	run_columns(f, g, "kind");
	for (j = 0; j < nk; j++) {
		fputs("| ", f);
		rep_md(f, kinds[j]);
		fputs(" |", f);
		for (k = 0; k < g->nrun; k++)
			fprintf(f, " %s |",
				rep_run_kind_cell(g->run[k], kinds[j], b,
						  sizeof(b))
					? b
					: "–");
		fputc('\n', f);
	}
	fputc('\n', f);
	for (k = 0; k < g->nrun; k++) {
		const struct rep_run *r = g->run[k];

		for (i = 0; i < r->ndev; i++) {
			const struct rep_devkind *dk = &r->dev[i];
			double rest;
			const char *desc = rep_kind_desc(dk->kind);

			fputs("#### ", f);
			rep_md(f, r->display);
			fputs(": ", f);
			rep_md(f, dk->kind);
			fprintf(f, " (%s)\n\n",
				rep_fmt_count((double)dk->total, b,
					      sizeof(b)));
			if (desc)
				fprintf(f, "%c%s.\n\n", desc[0] - 'a' + 'A',
					desc + 1);
			fputs("| seq | line | call | recorded | Linux model | "
			      "policy | severity | detail |\n"
			      "|--:|--:|---|---|---|---|---|---|\n",
			      f);
			for (j = 0; j < dk->nlist && j < cap; j++)
				finding_row(f, &dk->list[j]);
			rest = (double)(dk->total -
					(int64_t)(dk->nlist < cap ? dk->nlist
								  : cap));
			if (rest > 0)
				fprintf(f, "\n…and %s more.\n",
					rep_fmt_count(rest, b, sizeof(b)));
			fputc('\n', f);
		}
	}
}

static void group_maps(FILE *f, const struct rep_group *g)
{
	size_t k, i, j, n;
	const char *spaces[128];
	struct rep_kind_total t[16];
	char b[64];
	bool any = false;

	for (k = 0; k < g->nrun; k++)
		any |= g->run[k]->nsnap > 0;
	if (!any)
		return;
	fputs("### Address space\n\nBytes and regions by kind in each "
	      "space (the maps are in report.html).\n\n"
	      "| policy | snapshot | event | space | regions | by kind |\n"
	      "|---|---|--:|---|--:|---|\n",
	      f);
	for (k = 0; k < g->nrun; k++) {
		const struct rep_run *r = g->run[k];

		for (i = 0; i < r->nsnap; i++) {
			const struct rep_snapshot *s = &r->snap[i];

			n = rep_map_spaces(s, spaces, 128);
			n = n < 128 ? n : 128;
			for (j = 0; j < n; j++) {
				size_t nt = rep_map_totals(s, spaces[j], t, 16);
				size_t m, regions = 0;
				const char *sep = "";

				for (m = 0; m < nt; m++)
					regions += t[m].regions;
				fputs("| ", f);
				rep_md(f, r->display);
				fputs(" | ", f);
				rep_md(f, s->name);
				fprintf(f, " | %lld | ", (long long)s->seq);
				rep_md(f, spaces[j]);
				fprintf(f, " | %zu | ", regions);
				for (m = 0; m < nt; m++) {
					fputs(sep, f);
					rep_md(f, t[m].kind);
					fprintf(f, " %s",
						rep_fmt_bytes(t[m].bytes, b,
							      sizeof(b)));
					sep = ", ";
				}
				fputs(" |\n", f);
			}
		}
	}
	fputc('\n', f);
}

static void group_samples(FILE *f, const struct rep_group *g)
{
	size_t k, i;
	int s;
	char b[64];
	bool any = false;

	for (k = 0; k < g->nrun; k++)
		for (s = 0; s < REP_NSERIES; s++)
			any |= g->run[k]->has_series[s];
	if (!any)
		return;
	fputs("### Resource use\n\nHighest value sampled over the events "
	      "(the charts are in report.html).\n\n| policy |",
	      f);
	for (s = 0; s < REP_NSERIES; s++)
		fprintf(f, " %s |", rep_series_title((enum rep_series)s));
	fputs("\n|---|", f);
	for (s = 0; s < REP_NSERIES; s++)
		fputs("--:|", f);
	fputc('\n', f);
	for (k = 0; k < g->nrun; k++) {
		const struct rep_run *r = g->run[k];

		fputs("| ", f);
		rep_md(f, r->display);
		fputs(" |", f);
		for (s = 0; s < REP_NSERIES; s++) {
			double hi = NAN;

			for (i = 0; i < r->nbucket; i++)
				if (!isnan(r->bucket[i].hi[s]) &&
				    (isnan(hi) || r->bucket[i].hi[s] > hi))
					hi = r->bucket[i].hi[s];
			if (s == REP_S_RAM)
				rep_fmt_bytes(hi, b, sizeof(b));
			else
				rep_fmt_count(hi, b, sizeof(b));
			fprintf(f, " %s |", b);
		}
		fputc('\n', f);
	}
	fputc('\n', f);
}

void rep_md_write(FILE *f, const struct rep_data *d)
{
	size_t i, hidden = d->nruns_total - d->nruns;
	char b[64];

	fputs("# rmsim report\n\n", f);
	fputs("From the database ", f);
	rep_md_code(f, rep_basename(d->db_path));
	fprintf(f, ", %zu run%s", d->nruns_total,
		d->nruns_total == 1 ? "" : "s");
	if (hidden)
		fprintf(f, " (the latest of each policy, trace and layout "
			   "are shown, %zu older ones not)",
			hidden);
	fputs(", rmsim ", f);
	rep_md(f, d->tool_version ? d->tool_version : "?");
	fputs(".  report.html beside this file has the same tables with "
	      "address-space maps and resource charts.\n\n",
	      f);
	if (!d->nruns && !d->nsweep)
		fputs("The database holds no replay, comparison or "
		      "conformance run yet.\n\n",
		      f);
	rep_decision_md(f, &d->decision);
	summary(f, d);
	conformance(f, d);
	rep_sweep_md(f, d);
	for (i = 0; i < d->ngroups; i++) {
		const struct rep_group *g = &d->groups[i];
		const struct rep_run *r0 = g->run[0];

		fputs("## ", f);
		rep_md(f, rep_basename(g->trace));
		fputs(" on ", f);
		rep_md(f, g->layout ? g->layout : "?");
		if (g->settings) {
			/* runs with other settings are another section */
			fputs(" (", f);
			rep_md(f, g->settings);
			fputc(')', f);
		}
		fputs("\n\nTrace ", f);
		rep_md(f, g->trace);
		if (r0->trace_sha256) {
			fputs(" (SHA-256 ", f);
			rep_md_code(f, r0->trace_sha256);
			fputc(')', f);
		}
		if (r0->genode && !g->settings) {
			fputs(", Genode ", f);
			rep_md(f, r0->genode);
		}
		if (!isnan(r0->ram_quota)) {
			fputs(", RAM quota ", f);
			rep_md(f, rep_fmt_bytes(r0->ram_quota, b, sizeof(b)));
		}
		fprintf(f, ", %s events, %zu polic%s.\n\n",
			rep_fmt_count((double)g->max_seq, b, sizeof(b)),
			g->nrun, g->nrun == 1 ? "y" : "ies");
		group_runs(f, g);
		group_metrics(f, g);
		group_samples(f, g);
		group_maps(f, g);
		group_deviations(f, g, d->split ? REP_DEV_CAP_SPLIT
						: REP_DEV_CAP);
	}
}
