/*
 * rep_html.c - report.html: one self-contained page.  The style sheet is
 * inline, the maps and charts are inline SVG (rep_map.c, rep_chart.c),
 * there is no script, and nothing refers to anything outside the file
 * (links are fragments within it), so the page looks the same offline,
 * attached to a mail or opened from a CI artefact.  Light colours;
 * policies keep one colour throughout.  All database text goes through
 * rep_html.
 */
#include "report/rep_internal.h"

#include <math.h>
#include <string.h>

static const char css[] =
	":root{color-scheme:light}\n"
	"body{font:14px/1.45 \"DejaVu Sans\",\"Segoe UI\",Helvetica,Arial,"
	"sans-serif;color:#1d2125;background:#fff;margin:0}\n"
	"main{max-width:1200px;margin:0 auto;padding:12px 20px 48px}\n"
	/* a run group's section is laid out and painted when it comes into
	 * view (or is printed), not when the page opens */
	"section.group{content-visibility:auto;"
	"contain-intrinsic-size:auto 1400px}\n"
	"h1{font-size:24px;margin:8px 0 4px}\n"
	"h2{font-size:20px;border-bottom:2px solid #d8dde3;"
	"padding-bottom:4px;margin:36px 0 8px}\n"
	"h3{font-size:16px;margin:26px 0 8px}\n"
	"h4{font-size:14px;margin:18px 0 6px}\n"
	"p{margin:6px 0}\n"
	".meta,.small{color:#555}.small{font-size:12px}\n"
	"nav ol{margin:6px 0;padding-left:22px}\n"
	"a{color:#0b5cad;text-decoration:none}\n"
	"table{border-collapse:collapse;margin:6px 0 12px;font-size:13px}\n"
	"th,td{border:1px solid #d8dde3;padding:3px 8px;text-align:left;"
	"vertical-align:top}\n"
	"th{background:#f1f4f7;font-weight:bold}\n"
	"td.n,th.n{text-align:right;font-variant-numeric:tabular-nums;"
	"white-space:nowrap}\n"
	"tr.sec td{background:#f7f9fb;font-weight:bold}\n"
	"td.sub{padding-left:24px}\n"
	".best{font-weight:bold;color:#1a6b34}\n"
	"code,.mono{font-family:\"DejaVu Sans Mono\",Menlo,Consolas,"
	"monospace;font-size:12px}\n"
	"td.detail{max-width:440px;overflow-wrap:anywhere}\n"
	"td.call{max-width:420px;overflow-wrap:anywhere}\n"
	"td.res{font-family:\"DejaVu Sans Mono\",Menlo,Consolas,monospace;"
	"font-size:12px;white-space:nowrap}\n"
	"td.differs{color:#b42318;font-weight:bold}\n"
	".chip{display:inline-block;width:10px;height:10px;"
	"border-radius:2px;margin-right:6px}\n"
	".v-pass{color:#1a6b34}.v-fail,.v-error{color:#b42318;"
	"font-weight:bold}.v-unsupported,.v-none{color:#6b7280}\n"
	".sev-error{color:#b42318}.sev-warning{color:#9a6700}"
	".sev-info{color:#4b5563}\n"
	".st-bad{color:#b42318;font-weight:bold}\n"
	".bar{display:inline-block;width:110px;height:9px;"
	"background:#eceff3;border-radius:4px;margin-right:8px}\n"
	".bar>span{display:block;height:9px;border-radius:4px;"
	"background:#2e8540}\n"
	".charts{display:flex;flex-wrap:wrap;gap:6px 24px}\n"
	".legend{margin:4px 0}.legend span{margin-right:18px;"
	"white-space:nowrap}\n"
	"details{margin:4px 0 10px}details>summary{cursor:pointer;"
	"color:#0b5cad}\n"
	"svg{display:block;max-width:100%;height:auto}\n"
	"svg.defs{position:absolute}\n"
	"svg text{font-family:\"DejaVu Sans\",Helvetica,Arial,sans-serif}\n"
	".m-cap,.m-legend{font-size:12.5px;fill:#333}"
	".m-space{font-weight:bold;fill:#1d2125}\n"
	".m-name{font-size:12px;fill:#1d2125}\n"
	".m-addr{font-family:\"DejaVu Sans Mono\",Menlo,Consolas,monospace;"
	"font-size:12px;fill:#333}\n"
	".m-tick,.m-lead{stroke:#8a939c;stroke-width:1}\n"
	".m-gap{stroke:#9aa3ad;stroke-dasharray:2 3}\n"
	".m-break{stroke:#6b7280;stroke-width:1.5;fill:none}\n"
	".c-title{font-size:13px;font-weight:bold;fill:#1d2125}\n"
	".c-label{font-size:11px;fill:#444}\n"
	".c-axis{stroke:#6b7280}.c-grid{stroke:#e3e7eb}\n"
	".c-line{fill:none;stroke-linejoin:round}\n"
	".c-quota{stroke:#b42318;stroke-width:1.5;stroke-dasharray:6 4}\n"
	"table.decision td{min-width:120px}\n"
	"td.cheapest{background:#e8f5ec}\n"
	"@media print{details{display:block}}\n";

static void chip(FILE *f, int colour)
{
	fprintf(f, "<span class=\"chip\" style=\"background:%s\"></span>",
		rep_policy_colour(colour));
}

static void policy(FILE *f, const struct rep_run *r)
{
	chip(f, r->colour);
	rep_html(f, r->display);
}

static void td_num(FILE *f, const char *s)
{
	fprintf(f, "<td class=\"n\">%s</td>", s);
}

static void status(FILE *f, const struct rep_run *r)
{
	bool ok = r->status && strcmp(r->status, "complete") == 0;

	fputs(ok ? "<td>" : "<td class=\"st-bad\">", f);
	rep_html(f, r->status);
	if (r->detail && *r->detail) {
		fputs("<br><span class=\"small\">", f);
		rep_html(f, r->detail);
		fputs("</span>", f);
	}
	fputs("</td>", f);
}

/* Anchor of group @i, stable across reports of the same database. */
static void group_id(FILE *f, size_t i)
{
	fprintf(f, "replay-%zu", i + 1);
}

/* A heading of group @i with an anchor of its own, e.g. replay-1-maps. */
static void h3(FILE *f, size_t i, const char *id, const char *title)
{
	fputs("<h3 id=\"", f);
	group_id(f, i);
	fprintf(f, "-%s\">%s</h3>\n", id, title);
}

static void nav(FILE *f, const struct rep_data *d)
{
	size_t i;

	fputs("<nav><ol>", f);
	if (d->decision.n)
		fputs("<li><a href=\"#decision\">Decision</a></li>", f);
	if (d->ngroups)
		fputs("<li><a href=\"#summary\">Summary</a></li>", f);
	if (d->nconform)
		fputs("<li><a href=\"#conformance\">Conformance</a></li>", f);
	if (d->nsweep)
		fputs("<li><a href=\"#sweeps\">Sweeps</a></li>", f);
	for (i = 0; i < d->ngroups; i++) {
		fputs("<li><a href=\"#", f);
		group_id(f, i);
		fputs("\">", f);
		rep_html(f, rep_basename(d->groups[i].trace));
		fputs(" on ", f);
		rep_html(f, d->groups[i].layout);
		if (d->groups[i].settings) {
			fputs(" (", f);
			rep_html(f, d->groups[i].settings);
			fputc(')', f);
		}
		fputs("</a></li>", f);
	}
	fputs("</ol></nav>\n", f);
}

static void summary(FILE *f, const struct rep_data *d)
{
	char cells[REP_SUMMARY_CELLS][64];
	bool differ = rep_settings_differ(d);
	size_t i, k;
	int c;

	if (!d->ngroups)
		return;
	fputs("<section id=\"summary\"><h2>Summary</h2>\n<table><tr>"
	      "<th>trace</th><th>layout</th><th>policy</th><th>status</th>"
	      "<th class=\"n\">events</th><th class=\"n\">errors</th>"
	      "<th class=\"n\">warnings</th><th class=\"n\">info</th>"
	      "<th class=\"n\">RAM peak</th><th class=\"n\">caps peak</th>"
	      "<th class=\"n\">RPCs</th></tr>\n",
	      f);
	for (i = 0; i < d->ngroups; i++) {
		const struct rep_group *g = &d->groups[i];

		for (k = 0; k < g->nrun; k++) {
			const struct rep_run *r = g->run[k];

			fputs("<tr>", f);
			if (k == 0) {
				fprintf(f, "<td rowspan=\"%zu\"><a href=\"#",
					g->nrun);
				group_id(f, i);
				fputs("\">", f);
				rep_html(f, rep_basename(g->trace));
				fprintf(f, "</a></td><td rowspan=\"%zu\">",
					g->nrun);
				rep_html(f, g->layout);
				if (differ) {
					/* rows alike but for their settings */
					fputs("<br><span class=\"small\">", f);
					rep_html(f, g->settings ? g->settings
								: "?");
					fputs("</span>", f);
				}
				fputs("</td>", f);
			}
			fputs("<td>", f);
			policy(f, r);
			fputs("</td>", f);
			status(f, r);
			rep_run_summary(r, cells);
			for (c = 0; c < REP_SUMMARY_CELLS; c++)
				td_num(f, cells[c]);
			fputs("</tr>\n", f);
		}
	}
	fputs("</table></section>\n", f);
}

/* ---- conformance ---- */

static void conform_heads(FILE *f, const struct rep_data *d,
			  const char *first)
{
	size_t i;

	fprintf(f, "<tr><th>%s</th>", first);
	for (i = 0; i < d->nconform; i++) {
		fputs("<th>", f);
		policy(f, d->conform[i]);
		if (d->conform_layouts) {
			fputs("<br><span class=\"small\">", f);
			rep_html(f, d->conform[i]->layout);
			fputs("</span>", f);
		}
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
}

static void verdict(FILE *f, const struct rep_case *c, bool reason)
{
	if (!c) {
		fputs("<td class=\"v-none\">–</td>", f);
		return;
	}
	fprintf(f, "<td><span class=\"v-%s\">",
		rep_verdict_index(c->verdict) >= 0 ? c->verdict : "none");
	rep_html(f, c->verdict);
	fputs("</span>", f);
	if (reason && c->detail && *c->detail &&
	    strcmp(c->verdict, "pass") != 0) {
		fputs("<br><span class=\"small\">", f);
		rep_html(f, c->detail);
		fputs("</span>", f);
	}
	fputs("</td>", f);
}

static void conformance(FILE *f, const struct rep_data *d)
{
	size_t i, k, nfail = 0;
	char sec[REP_SECTION];

	if (!d->nconform)
		return;
	fputs("<section id=\"conformance\"><h2>Conformance</h2>\n"
	      "<p class=\"meta\">The pass rate counts the cases decided "
	      "(passed, failed or error); an unsupported case needs "
	      "something the run did not have.</p>\n<table><tr>"
	      "<th>policy</th><th>layout</th><th class=\"n\">cases</th>"
	      "<th class=\"n\">pass</th><th class=\"n\">fail</th>"
	      "<th class=\"n\">unsupported</th><th class=\"n\">error</th>"
	      "<th>pass rate</th></tr>\n",
	      f);
	for (i = 0; i < d->nconform; i++) {
		const struct rep_run *r = d->conform[i];
		double rate = rep_run_pass_rate(r);

		fputs("<tr><td>", f);
		policy(f, r);
		fputs("</td><td>", f);
		rep_html(f, r->layout);
		fprintf(f,
			"</td><td class=\"n\">%zu</td><td class=\"n\">%lld"
			"</td><td class=\"n\">%lld</td><td class=\"n\">%lld"
			"</td><td class=\"n\">%lld</td>",
			r->ncases, (long long)r->verdicts[0],
			(long long)r->verdicts[1], (long long)r->verdicts[2],
			(long long)r->verdicts[3]);
		if (!isnan(rate))
			fprintf(f,
				"<td><span class=\"bar\"><span style=\""
				"width:%.1f%%\"></span></span>%.1f%%</td>",
				rate, rate);
		else
			fputs("<td>–</td>", f);
		fputs("</tr>\n", f);
	}
	fputs("</table>\n<h3>By section of the checklist</h3>\n"
	      "<p class=\"meta\">Cases passed of those decided.</p>\n<table>",
	      f);
	conform_heads(f, d, "section");
	for (k = 0; rep_next_section(d, &k, sec);) {
		fputs("<tr><td>", f);
		rep_html(f, sec);
		fputs("</td>", f);
		for (i = 0; i < d->nconform; i++) {
			size_t pass, decided;

			rep_section_tally(d, d->conform[i], sec, &pass,
					  &decided);
			fprintf(f, "<td class=\"n %s\">%zu/%zu</td>",
				pass < decided ? "v-fail" : "v-pass", pass,
				decided);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);

	for (k = 0; k < d->ncase_names; k++) {
		if (rep_case_passes_all(d, k))
			continue;
		if (!nfail++) {
			fputs("<h3>Cases that do not pass on every "
			      "policy</h3>\n<table>",
			      f);
			conform_heads(f, d, "case");
		}
		fputs("<tr><td class=\"mono\">", f);
		rep_html(f, d->case_names[k]);
		fputs("</td>", f);
		for (i = 0; i < d->nconform; i++)
			verdict(f, rep_run_case(d->conform[i], d->case_names[k]),
				true);
		fputs("</tr>\n", f);
	}
	if (nfail)
		fputs("</table>\n", f);
	fprintf(f,
		"<p>%zu of %zu cases pass on every policy.</p>\n"
		"<details><summary>All %zu cases</summary><table>",
		d->ncase_names - nfail, d->ncase_names, d->ncase_names);
	conform_heads(f, d, "case");
	for (k = 0; k < d->ncase_names; k++) {
		fputs("<tr><td class=\"mono\">", f);
		rep_html(f, d->case_names[k]);
		fputs("</td>", f);
		for (i = 0; i < d->nconform; i++)
			verdict(f, rep_run_case(d->conform[i], d->case_names[k]),
				true);
		fputs("</tr>\n", f);
	}
	fputs("</table></details></section>\n", f);
}

/* ---- one replay group ---- */

static void runs(FILE *f, const struct rep_group *g)
{
	size_t k;
	char b[64];

	fputs("<table><tr><th>policy</th><th class=\"n\">run</th>"
	      "<th>command</th><th>status</th><th class=\"n\">events</th>"
	      "<th class=\"n\">wall time</th><th>started (UTC)</th></tr>\n",
	      f);
	for (k = 0; k < g->nrun; k++) {
		const struct rep_run *r = g->run[k];

		fputs("<tr><td>", f);
		policy(f, r);
		if (r->earlier)
			fprintf(f,
				" <span class=\"small\">(%lld earlier run%s "
				"not shown)</span>",
				(long long)r->earlier,
				r->earlier == 1 ? "" : "s");
		fprintf(f, "</td><td class=\"n\">%lld</td><td>",
			(long long)r->id);
		rep_html(f, r->command);
		fputs("</td>", f);
		status(f, r);
		td_num(f, rep_fmt_count((double)r->events, b, sizeof(b)));
		td_num(f, rep_fmt_ms(r->has_wall ? r->wall_ms : NAN, b,
				     sizeof(b)));
		fputs("<td>", f);
		rep_html(f, r->started);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
}

/* The metrics a main page of many runs keeps (the rest: detail pages). */
static bool key_metric(const char *name)
{
	static const char *const keys[] = {
		"events", "ram_peak", "waste_bytes", "caps_peak",
		"rm_sessions", "attachments_peak", "faults", "rpc_total",
		"findings", "findings_consequences", "posix_writable_peak",
	};
	size_t i;

	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++)
		if (strcmp(name, keys[i]) == 0)
			return true;
	return false;
}

static void metrics(FILE *f, const struct rep_group *g, size_t idx,
		    bool key_only)
{
	const char *names[256];
	size_t n = rep_group_metric_names(g, names, 256), i, k, j;
	const char *section = NULL;
	char b[64];

	for (i = j = 0; key_only && i < n; i++)
		if (key_metric(names[i]))
			names[j++] = names[i];
	if (key_only)
		n = j;
	if (!n)
		return;
	h3(f, idx, "metrics", "Metrics");
	fputs("<p class=\"meta\">Side by side; in green "
	      "the lowest cost where the policies differ.</p>\n"
	      "<table><tr><th>metric</th>",
	      f);
	for (k = 0; k < g->nrun; k++) {
		fputs("<th class=\"n\">", f);
		policy(f, g->run[k]);
		fputs("</th>", f);
	}
	fputs("</tr>\n", f);
	for (i = 0; i < n; i++) {
		struct rep_metric_info m = rep_metric_info(names[i]);
		double best = rep_group_metric_best(g, names[i]);
		const char *label = m.label;
		bool sub = m.sub;

		if (!section || strcmp(section, m.section) != 0) {
			section = m.section;
			fprintf(f, "<tr class=\"sec\"><td colspan=\"%zu\">",
				g->nrun + 1);
			rep_html(f, section);
			fputs("</td></tr>\n", f);
		}
		fprintf(f, "<tr><td%s title=\"", sub ? " class=\"sub\"" : "");
		rep_html(f, names[i]);
		fputs("\">", f);
		rep_html(f, label);
		fputs("</td>", f);
		for (k = 0; k < g->nrun; k++) {
			double v = rep_run_metric(g->run[k], names[i]);

			rep_fmt_metric(names[i], v, b, sizeof(b));
			fprintf(f, "<td class=\"n%s\">%s</td>",
				v == best ? " best" : "", b);
		}
		fputs("</tr>\n", f);
	}
	fputs("</table>\n", f);
}

static void legend(FILE *f, const struct rep_group *g)
{
	size_t k;

	fputs("<p class=\"legend\">", f);
	for (k = 0; k < g->nrun; k++) {
		fputs("<span>", f);
		policy(f, g->run[k]);
		fputs("</span>", f);
	}
	fputs("</p>\n", f);
}

static void charts(FILE *f, const struct rep_group *g, size_t idx,
		   bool ram_only)
{
	bool any[REP_NSERIES] = {false}, some = false;
	size_t k;
	int s;

	for (k = 0; k < g->nrun; k++)
		for (s = 0; s < REP_NSERIES; s++) {
			any[s] |= g->run[k]->has_series[s];
			some |= g->run[k]->has_series[s];
		}
	if (!some)
		return;
	h3(f, idx, "charts", "Resource use over the events");
	legend(f, g);
	fputs("<div class=\"charts\">\n", f);
	for (s = 0; s < (ram_only ? 1 : REP_NSERIES); s++)
		if (any[s])
			rep_chart_svg(f, g, (enum rep_series)s);
	fputs("</div>\n", f);
}

static void region_table(FILE *f, const struct rep_snapshot *s)
{
	size_t i;
	char a[24], b[24], z[32];

	fprintf(f,
		"<details><summary>Regions (%zu)</summary><table><tr>"
		"<th>space</th><th>start</th><th>end</th>"
		"<th class=\"n\">size</th><th>kind</th><th>label</th></tr>\n",
		s->n);
	for (i = 0; i < s->n && i < REP_REGION_LIST_CAP; i++) {
		const struct rep_region *r = &s->r[i];
		uint64_t end = r->start + r->size;

		fputs("<tr><td>", f);
		rep_html(f, r->space);
		fprintf(f, "</td><td class=\"mono\">%s</td>",
			rep_fmt_hex(r->start, a, sizeof(a)));
		if (end < r->start || end == 0)
			fputs("<td class=\"mono\">2^64</td>", f);
		else
			fprintf(f, "<td class=\"mono\">%s</td>",
				rep_fmt_hex(end, b, sizeof(b)));
		td_num(f, rep_fmt_bytes((double)r->size, z, sizeof(z)));
		fputs("<td>", f);
		rep_html(f, r->kind);
		fputs("</td><td>", f);
		rep_html(f, r->label);
		fputs("</td></tr>\n", f);
	}
	fputs("</table>", f);
	if (s->n > REP_REGION_LIST_CAP)
		fprintf(f, "<p class=\"small\">…and %zu more.</p>",
			s->n - REP_REGION_LIST_CAP);
	fputs("</details>\n", f);
}

/* Do two snapshots hold the same regions? */
static bool same_map(const struct rep_snapshot *a,
		     const struct rep_snapshot *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (a->r[i].start != b->r[i].start ||
		    a->r[i].size != b->r[i].size ||
		    strcmp(a->r[i].kind, b->r[i].kind) != 0 ||
		    strcmp(a->r[i].space, b->r[i].space) != 0)
			return false;
	return true;
}

static void maps(FILE *f, const struct rep_group *g, size_t idx)
{
	size_t k, i;
	bool any = false;

	for (k = 0; k < g->nrun; k++)
		any |= g->run[k]->nsnap > 0;
	if (!any)
		return;
	h3(f, idx, "maps", "Address space");
	fputs("<p class=\"meta\">One strip per "
	      "space: env (the component's address space) and the region "
	      "map of each managed dataspace.  Widths grow with the logarithm "
	      "of the size, so small regions stay visible; addresses below "
	      "each strip are exact.  Hover a region for its range.</p>\n",
	      f);
	for (k = 0; k < g->nrun; k++) {
		const struct rep_run *r = g->run[k];

		for (i = 0; i < r->nsnap; i++) {
			const struct rep_snapshot *s = &r->snap[i];
			bool end = strcmp(s->name, "end") == 0;

			const struct rep_snapshot *o = &r->snap[i ? 0 : 1];
			bool twin = r->nsnap == 2 && same_map(s, o);

			/* a peak that looks like the end is said, not drawn */
			if (!end && twin)
				continue;
			fputs("<h4>", f);
			policy(f, r);
			if (end)
				fprintf(f, ": at the end (event %lld)",
					(long long)s->seq);
			else if (strcmp(s->name, "peak") == 0)
				fprintf(f, ": at the peak of RAM use (event "
					   "%lld)",
					(long long)s->seq);
			else {
				fputs(": ", f);
				rep_html(f, s->name);
			}
			if (end && twin)
				fprintf(f,
					"<span class=\"small\">, the same map "
					"as at the peak of RAM use (event "
					"%lld)</span>",
					(long long)o->seq);
			fputs("</h4>\n", f);
			rep_map_svg(f, r, s);
			region_table(f, s);
		}
	}
}

static void finding_row(FILE *f, const struct rep_finding *x)
{
	char b[512], rec[64], ref[64], pol[64];

	fprintf(f, "<tr><td class=\"n\">%lld</td>", (long long)x->seq);
	if (x->has_event) {
		fprintf(f, "<td class=\"n\">%lld</td><td class=\"mono call\">",
			(long long)x->line);
		rep_html(f, rep_fmt_call(x, b, sizeof(b)));
		rep_fmt_result(x->traced_known, x->traced_ret, x->traced_errno,
			       rec, sizeof(rec));
		rep_fmt_result(x->ref_known, x->ref_ret, x->ref_errno, ref,
			       sizeof(ref));
		rep_fmt_result(x->model_known, x->model_ret, x->model_errno,
			       pol, sizeof(pol));
		/* a result other than the recorded one is what to look at */
		fputs("</td><td class=\"res\">", f);
		rep_html(f, rec);
		fprintf(f, "</td><td class=\"res%s\">",
			strcmp(ref, rec) ? " differs" : "");
		rep_html(f, ref);
		fprintf(f, "</td><td class=\"res%s\">",
			strcmp(pol, rec) ? " differs" : "");
		rep_html(f, pol);
		fputs("</td>", f);
	} else {
		fputs("<td colspan=\"5\" class=\"small\">event not in the "
		      "database</td>",
		      f);
	}
	fputs("<td class=\"sev-", f);
	rep_html(f, x->severity);
	fputs("\">", f);
	rep_html(f, x->severity);
	fputs("</td><td class=\"detail\">", f);
	rep_html(f, x->detail);
	fputs("</td></tr>\n", f);
}

/* Per run, its findings by root cause: how many, the first line. */
static void causes(FILE *f, const struct rep_group *g)
{
	static const char *const sev[] = {"error", "warning", "info"};
	size_t k, i;
	char b[64];

	fputs("<p class=\"meta\">By root cause (what follows from an "
	      "exhausted quota is not counted here):</p>\n"
	      "<table><tr><th>policy</th><th>root cause</th><th>kind</th>"
	      "<th>severity</th><th class=\"n\">events</th>"
	      "<th class=\"n\">first line</th></tr>\n",
	      f);
	for (k = 0; k < g->nrun; k++) {
		const struct rep_run *r = g->run[k];

		for (i = 0; i < r->ncauses; i++) {
			const struct rep_cause *c = &r->causes[i];

			fputs("<tr><td>", f);
			policy(f, r);
			fputs("</td><td><code>", f);
			rep_html(f, c->cause);
			fputs("</code></td><td>", f);
			rep_html(f, c->kind);
			fprintf(f, "</td><td class=\"sev-%s\">%s</td>",
				sev[c->sev <= REP_SEV_INFO ? c->sev : 2],
				sev[c->sev <= REP_SEV_INFO ? c->sev : 2]);
			td_num(f, rep_fmt_count((double)c->count, b,
						sizeof(b)));
			if (c->nex && c->ex[0].has_event)
				fprintf(f, "<td class=\"n\">%lld</td>",
					(long long)c->ex[0].line);
			else
				fputs("<td class=\"n v-none\">–</td>", f);
			fputs("</tr>\n", f);
		}
		if (r->consequences) {
			fputs("<tr><td>", f);
			policy(f, r);
			fprintf(f, "</td><td colspan=\"5\" class=\"small\">"
				   "and %s findings that follow from the "
				   "exhausted quota</td></tr>\n",
				rep_fmt_count((double)r->consequences, b,
					      sizeof(b)));
		}
	}
	fputs("</table>\n", f);
}

/* The findings of @g by kind and by root cause, counted. */
static void deviations(FILE *f, const struct rep_group *g, size_t idx)
{
	const char *kinds[64];
	size_t nk = 0, j, k;
	char b[64];

	nk = rep_group_kinds(g, kinds, 64);
	h3(f, idx, "deviations", "Deviations");
	if (!nk) {
		fputs("<p>No findings: every result as recorded.</p>\n", f);
		return;
	}
	fputs("<p class=\"meta\">Findings by kind: errors / warnings / "
	      "info.</p>\n<table><tr><th>kind</th>",
	      f);
	for (k = 0; k < g->nrun; k++) {
		fputs("<th class=\"n\">", f);
		policy(f, g->run[k]);
		fputs("</th>", f);
	}
	fputs("<th>meaning</th></tr>\n", f);
	for (j = 0; j < nk; j++) {
		fputs("<tr><td>", f);
		rep_html(f, kinds[j]);
		fputs("</td>", f);
		for (k = 0; k < g->nrun; k++)
			if (rep_run_kind_cell(g->run[k], kinds[j], b, sizeof(b)))
				td_num(f, b);
			else
				fputs("<td class=\"n v-none\">–</td>", f);
		fputs("<td class=\"small\">", f);
		rep_html(f, rep_kind_desc(kinds[j]));
		fputs("</td></tr>\n", f);
	}
	fputs("</table>\n", f);
	causes(f, g);
}

/* The first findings of each kind, with their events. */
static void finding_lists(FILE *f, const struct rep_group *g)
{
	size_t i, j, k;
	char b[64];

	for (k = 0; k < g->nrun && !g->run[k]->ndev; k++)
		;
	if (k == g->nrun)
		return;
	fputs("<p class=\"meta\">The events behind them, the first "
	      "of each kind by event number:</p>\n",
	      f);
	for (k = 0; k < g->nrun; k++) {
		const struct rep_run *r = g->run[k];
		const char *sep = "";

		if (!r->ndev)
			continue;
		fputs("<details><summary>", f);
		policy(f, r);
		fputs(": ", f);
		for (i = 0; i < r->ndev; i++) {
			fputs(sep, f);
			rep_html(f, r->dev[i].kind);
			fprintf(f, " %s", rep_fmt_count((double)r->dev[i].total,
							b, sizeof(b)));
			sep = " · ";
		}
		fputs("</summary>\n", f);
		for (i = 0; i < r->ndev; i++) {
			const struct rep_devkind *dk = &r->dev[i];
			double rest;

			fputs("<h4>", f);
			policy(f, r);
			fputs(": ", f);
			rep_html(f, dk->kind);
			fprintf(f, " (%s)</h4>\n",
				rep_fmt_count((double)dk->total, b, sizeof(b)));
			if (!r->events_joined)
				fputs("<p class=\"small\">The event index is "
				      "missing (the run was cut off before "
				      "its close): details only.</p>\n",
				      f);
			fputs("<table><tr><th class=\"n\">seq</th>"
			      "<th class=\"n\">line</th><th>call</th>"
			      "<th>recorded</th><th>Linux model</th>"
			      "<th>policy</th><th>severity</th>"
			      "<th>detail</th></tr>\n",
			      f);
			for (j = 0; j < dk->nlist; j++)
				finding_row(f, &dk->list[j]);
			fputs("</table>\n", f);
			rest = (double)(dk->total - (int64_t)dk->nlist);
			if (rest > 0)
				fprintf(f,
					"<p class=\"small\">…and %s more "
					"(the database has them all).</p>\n",
					rep_fmt_count(rest, b, sizeof(b)));
		}
		fputs("</details>\n", f);
	}
}

/* The heading of group @idx and the line under it. */
static void group_head(FILE *f, const struct rep_group *g)
{
	const struct rep_run *r0 = g->run[0];
	char b[64];

	fputs("<h2>", f);
	rep_html(f, rep_basename(g->trace));
	fputs(" on ", f);
	rep_html(f, g->layout ? g->layout : "?");
	if (g->settings) {
		/* runs with other settings are another section */
		fputs(" <span class=\"small\">(", f);
		rep_html(f, g->settings);
		fputs(")</span>", f);
	}
	fputs("</h2>\n<p class=\"meta\">Trace <code>", f);
	rep_html(f, g->trace);
	fputs("</code>", f);
	if (r0->trace_sha256) {
		fputs(" · SHA-256 <code>", f);
		rep_html(f, r0->trace_sha256);
		fputs("</code>", f);
	}
	if (r0->genode && !g->settings) {
		fputs(" · Genode ", f);
		rep_html(f, r0->genode);
	}
	if (!isnan(r0->ram_quota)) {
		fputs(" · RAM quota ", f);
		rep_html(f, rep_fmt_bytes(r0->ram_quota, b, sizeof(b)));
	}
	fprintf(f, " · %s events · %zu polic%s</p>\n",
		rep_fmt_count((double)g->max_seq, b, sizeof(b)), g->nrun,
		g->nrun == 1 ? "y" : "ies");
}

/*
 * Group @idx.  In a report of many runs (@d->split) its maps and the
 * events behind its findings are a page of their own, linked from here,
 * so the main page stays small enough to open and print.
 */
static void group(FILE *f, const struct rep_data *d, size_t idx)
{
	const struct rep_group *g = &d->groups[idx];

	fputs("<section class=\"group\" id=\"", f);
	group_id(f, idx);
	fputs("\">", f);
	group_head(f, g);
	runs(f, g);
	metrics(f, g, idx, d->split);
	charts(f, g, idx, d->split);
	if (d->split)
		fprintf(f, "<p><a href=\"report-%zu.html\">Every metric and "
			   "chart, the address-space maps and the events "
			   "behind each finding</a> (a page of its own).</p>\n",
			idx + 1);
	else
		maps(f, g, idx);
	deviations(f, g, idx);
	if (!d->split)
		finding_lists(f, g);
	fputs("</section>\n", f);
}

static void page_head(FILE *f, const char *title)
{
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head>"
	      "<meta charset=\"utf-8\">"
	      "<meta name=\"viewport\" content=\"width=device-width\">"
	      "<title>",
	      f);
	rep_html(f, title);
	fputs("</title>\n<style>\n", f);
	fputs(css, f);
	fputs("</style></head><body>\n", f);
	rep_map_defs(f);
}

void rep_html_detail(FILE *f, const struct rep_data *d, size_t idx)
{
	const struct rep_group *g = &d->groups[idx];

	page_head(f, "rmsim report: maps and findings");
	fputs("<main><p><a href=\"report.html#", f);
	group_id(f, idx);
	fputs("\">Back to the report</a></p>\n", f);
	group_head(f, g);
	metrics(f, g, idx, false);
	charts(f, g, idx, false);
	maps(f, g, idx);
	finding_lists(f, g);
	fputs("</main></body></html>\n", f);
}

void rep_html_write(FILE *f, const struct rep_data *d)
{
	size_t i, hidden = d->nruns_total - d->nruns;

	page_head(f, "rmsim report");
	fputs("<main><header><h1>rmsim report</h1><p class=\"meta\">"
	      "From the database <code>",
	      f);
	rep_html(f, rep_basename(d->db_path));
	fprintf(f, "</code>: %zu run%s", d->nruns_total,
		d->nruns_total == 1 ? "" : "s");
	if (hidden)
		fprintf(f, ", of which the latest of each policy, trace and "
			   "layout are shown (%zu not)",
			hidden);
	fputs(" · rmsim ", f);
	rep_html(f, d->tool_version ? d->tool_version : "?");
	fputs("</p></header>\n", f);
	if (!d->nruns && !d->nsweep)
		fputs("<p>The database holds no replay, comparison or "
		      "conformance run yet.</p>\n",
		      f);
	nav(f, d);
	rep_decision_html(f, &d->decision);
	summary(f, d);
	conformance(f, d);
	rep_sweep_html(f, d);
	for (i = 0; i < d->ngroups; i++)
		group(f, d, i);
	fputs("</main></body></html>\n", f);
}
