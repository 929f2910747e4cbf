/*
 * rep_decide.c - the decision view: what someone choosing a policy reads
 * first.  Per layout and settings, a matrix of traces by policies whose
 * cells are verdicts (clean, deviations by cause, quota exhausted) with
 * the costs that decide between clean policies (peak RAM, caps, RPCs,
 * faults); the cheapest clean policy of each trace marked; a line per
 * policy over all traces; and the findings of each policy grouped by
 * root cause with their first events.  One builder (rep_decide), three
 * writers: Markdown, HTML, the terminal at the end of `compare`.
 *
 * ALGORITHM: runs are taken from the report's groups (one trace, layout
 * and settings each); a matrix collects the groups of one layout and
 * one settings line, its columns the policies in colour order.  Runs of
 * the reference or the host kernel alone are no policy and are left out.
 * Cheapest: the lowest peak RAM among clean runs, then caps, then RPCs.
 * INVARIANTS: every run appears in at most one cell; cheapest[t] is -1
 * or the column of a clean run of trace t.
 */
#include "report/rep_internal.h"

#include <math.h>
#include <string.h>

#define CAUSES_PER_POLICY 16

static bool same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

static bool is_policy(const struct rep_run *r)
{
	return strcmp(r->policy, "linux") != 0 &&
	       strcmp(r->policy, "native") != 0;
}

static size_t find_matrix(const struct rep_decision *dec,
			  const struct rep_group *g)
{
	size_t i;

	for (i = 0; i < dec->n; i++)
		if (same(dec->m[i].layout, g->layout) &&
		    same(dec->m[i].settings, g->settings))
			break;
	return i;
}

static int column(const struct rep_matrix *m, const struct rep_run *r)
{
	size_t p;

	for (p = 0; p < m->npol; p++)
		if (same(m->pol[p]->display, r->display))
			return (int)p;
	return -1;
}

int rep_decide(struct rep_data *d, struct rep_decision *out)
{
	struct rep_decision dec = {0};
	size_t i, k, t;

	dec.m = rep_alloc(d, (d->ngroups + 1) * sizeof(*dec.m));
	if (!dec.m)
		return -1;
	/* the matrices, their traces and columns */
	for (i = 0; i < d->ngroups; i++) {
		const struct rep_group *g = &d->groups[i];
		struct rep_matrix *m;
		bool any = false;

		for (k = 0; k < g->nrun; k++)
			any |= is_policy(g->run[k]);
		if (!any)
			continue;
		m = &dec.m[find_matrix(&dec, g)];
		if (m == &dec.m[dec.n]) {
			memset(m, 0, sizeof(*m));
			m->layout = g->layout;
			m->settings = g->settings;
			m->traces = rep_alloc(d, d->ngroups * sizeof(*m->traces));
			m->pol = rep_alloc(d, d->nruns * sizeof(*m->pol));
			if (!m->traces || !m->pol)
				return -1;
			dec.n++;
		}
		m->traces[m->ntraces++] = g->trace;
		for (k = 0; k < g->nrun; k++)
			if (is_policy(g->run[k]) && column(m, g->run[k]) < 0)
				m->pol[m->npol++] = g->run[k];
	}
	for (i = 0; i < dec.n; i++) {
		struct rep_matrix *m = &dec.m[i];

		/* columns in colour order, as everywhere in the report */
		for (k = 1; k < m->npol; k++)
			for (t = k; t > 0 &&
				    m->pol[t - 1]->colour > m->pol[t]->colour;
			     t--) {
				const struct rep_run *x = m->pol[t];

				m->pol[t] = m->pol[t - 1];
				m->pol[t - 1] = x;
			}
		m->cell = rep_alloc(d, (m->ntraces * m->npol + 1) *
					       sizeof(*m->cell));
		m->cheapest = rep_alloc(d, (m->ntraces + 1) *
						   sizeof(*m->cheapest));
		if (!m->cell || !m->cheapest)
			return -1;
		memset(m->cell, 0, m->ntraces * m->npol * sizeof(*m->cell));
	}
	for (i = 0; i < d->ngroups; i++) {
		const struct rep_group *g = &d->groups[i];
		size_t mi = find_matrix(&dec, g);
		struct rep_matrix *m;

		if (mi == dec.n)
			continue;
		m = &dec.m[mi];
		for (t = 0; t < m->ntraces; t++)
			if (same(m->traces[t], g->trace))
				break;
		for (k = 0; k < g->nrun; k++) {
			int p = is_policy(g->run[k]) ? column(m, g->run[k])
						     : -1;

			if (p >= 0 && t < m->ntraces)
				m->cell[t * m->npol + (size_t)p] = g->run[k];
		}
	}
	for (i = 0; i < dec.n; i++) {
		struct rep_matrix *m = &dec.m[i];

		for (t = 0; t < m->ntraces; t++) {
			const struct rep_run *best = NULL;

			m->cheapest[t] = -1;
			for (k = 0; k < m->npol; k++) {
				const struct rep_run *r =
					m->cell[t * m->npol + k];

				if (!r || rep_run_verdict(r) != REP_V_CLEAN)
					continue;
				if (!best || rep_run_cheaper(r, best)) {
					best = r;
					m->cheapest[t] = (int)k;
				}
			}
		}
	}
	*out = dec;
	return 0;
}

/* ---- what the writers share ---- */

/* The costs of a cell: "6.33 MiB, 13 caps, 476 RPCs, 14 faults". */
static char *costs(const struct rep_run *r, char *buf, size_t size)
{
	char ram[32], caps[32], rpcs[32], faults[32];

	rep_fmt_metric("ram_peak", rep_run_metric(r, "ram_peak"), ram,
		       sizeof(ram));
	rep_fmt_metric("caps_peak", rep_run_metric(r, "caps_peak"), caps,
		       sizeof(caps));
	rep_fmt_metric("rpc_total", rep_run_metric(r, "rpc_total"), rpcs,
		       sizeof(rpcs));
	rep_fmt_metric("faults", rep_run_metric(r, "faults"), faults,
		       sizeof(faults));
	snprintf(buf, size, "%s, %s caps, %s RPCs, %s faults", ram, caps,
		 rpcs, faults);
	return buf;
}

/* The verdict of a cell in words: "clean", "quota exhausted (line 3)",
 * "2 causes: brk → refused 1, mmap → ENOMEM 4". */
static char *verdict(const struct rep_run *r, char *buf, size_t size)
{
	enum rep_verdict v = rep_run_verdict(r);
	size_t i, n = 0, pos;
	char cnt[32];

	if (v == REP_V_EXHAUSTED) {
		const char *at = r->exhausted_detail
					 ? strstr(r->exhausted_detail,
						  "exhausted at line ")
					 : NULL;
		long long line = 0;

		if (at)
			sscanf(at, "exhausted at line %lld", &line);
		if (line)
			snprintf(buf, size, "quota exhausted at line %lld",
				 line);
		else
			snprintf(buf, size, "quota exhausted");
		return buf;
	}
	if (v != REP_V_DEVIATIONS) {
		snprintf(buf, size, "%s", rep_verdict_name(v));
		return buf;
	}
	for (i = 0; i < r->ncauses; i++)
		if (strcmp(r->causes[i].kind, "outside") != 0 &&
		    r->causes[i].sev != REP_SEV_INFO)
			n++;
	pos = (size_t)snprintf(buf, size, "%zu cause%s:", n,
			       n == 1 ? "" : "s");
	for (i = 0, n = 0; i < r->ncauses && n < 2 && pos < size; i++) {
		const struct rep_cause *c = &r->causes[i];

		if (strcmp(c->kind, "outside") == 0 || c->sev == REP_SEV_INFO)
			continue;
		pos += (size_t)snprintf(buf + pos, size - pos, "%s %s %s",
					n ? "," : "", c->cause,
					rep_fmt_count((double)c->count, cnt,
						      sizeof(cnt)));
		n++;
	}
	return buf;
}

struct policy_line {
	size_t ran, clean, cheapest, exhausted, deviations;
	const char *dev_trace;	/* the first trace with deviations */
};

static void policy_line(const struct rep_matrix *m, size_t p,
			struct policy_line *pl)
{
	size_t t;

	memset(pl, 0, sizeof(*pl));
	for (t = 0; t < m->ntraces; t++) {
		const struct rep_run *r = m->cell[t * m->npol + p];

		if (!r)
			continue;
		pl->ran++;
		switch (rep_run_verdict(r)) {
		case REP_V_CLEAN:
			pl->clean++;
			pl->cheapest += m->cheapest[t] == (int)p;
			break;
		case REP_V_EXHAUSTED:
			pl->exhausted++;
			break;
		case REP_V_DEVIATIONS:
			if (!pl->deviations++)
				pl->dev_trace = m->traces[t];
			break;
		default:
			break;
		}
	}
}

static char *policy_text(const struct policy_line *pl, char *buf,
			 size_t size)
{
	size_t pos;

	pos = (size_t)snprintf(buf, size, "clean on %zu of %zu trace%s",
			       pl->clean, pl->ran, pl->ran == 1 ? "" : "s");
	if (pl->cheapest && pos < size)
		pos += (size_t)snprintf(buf + pos, size - pos,
					", the cheapest clean one on %zu",
					pl->cheapest);
	if (pl->exhausted && pos < size)
		pos += (size_t)snprintf(buf + pos, size - pos,
					"; quota exhausted on %zu",
					pl->exhausted);
	if (pl->deviations && pos < size)
		snprintf(buf + pos, size - pos,
			 "; deviations on %zu (first: %s)", pl->deviations,
			 rep_basename(pl->dev_trace));
	return buf;
}

/* The causes of one policy over the matrix's traces, merged. */
struct merged {
	const char *cause, *kind;
	enum rep_sev sev;
	int64_t count;
	size_t traces;
	const char *first_trace;
	const struct rep_cause *first;	/* with the examples */
};

static size_t merge_causes(const struct rep_matrix *m, size_t p,
			   struct merged *out, size_t max)
{
	size_t n = 0, t, i, j;

	for (t = 0; t < m->ntraces; t++) {
		const struct rep_run *r = m->cell[t * m->npol + p];

		for (i = 0; r && i < r->ncauses; i++) {
			const struct rep_cause *c = &r->causes[i];

			for (j = 0; j < n; j++)
				if (strcmp(out[j].cause, c->cause) == 0)
					break;
			if (j == n) {
				if (n == max)
					continue;
				memset(&out[n], 0, sizeof(out[n]));
				out[n].cause = c->cause;
				out[n].kind = c->kind;
				out[n].sev = c->sev;
				out[n].first_trace = m->traces[t];
				out[n].first = c;
				n++;
			}
			out[j].count += c->count;
			out[j].traces++;
			if (c->sev < out[j].sev)
				out[j].sev = c->sev;
		}
	}
	/* the most frequent first, what does not count last */
	for (i = 1; i < n; i++)
		for (j = i; j > 0; j--) {
			struct merged x = out[j];
			bool xo = strcmp(x.kind, "outside") == 0;
			bool yo = strcmp(out[j - 1].kind, "outside") == 0;

			if (xo > yo || (xo == yo && x.count <= out[j - 1].count))
				break;
			out[j] = out[j - 1];
			out[j - 1] = x;
		}
	return n;
}

static const char *sev_name(enum rep_sev s)
{
	return s == REP_SEV_ERROR ? "error" : s == REP_SEV_WARNING ? "warning"
								 : "info";
}

static char *cause_text(const struct merged *c, char *buf, size_t size)
{
	char cnt[32];
	const struct rep_finding *x = c->first->nex ? &c->first->ex[0] : NULL;

	if (x && x->has_event)
		snprintf(buf, size, "%s event%s in %zu trace%s, first at "
			 "line %lld of %s",
			 rep_fmt_count((double)c->count, cnt, sizeof(cnt)),
			 c->count == 1 ? "" : "s", c->traces,
			 c->traces == 1 ? "" : "s", (long long)x->line,
			 rep_basename(c->first_trace));
	else
		snprintf(buf, size, "%s event%s in %zu trace%s, first in %s",
			 rep_fmt_count((double)c->count, cnt, sizeof(cnt)),
			 c->count == 1 ? "" : "s", c->traces,
			 c->traces == 1 ? "" : "s",
			 rep_basename(c->first_trace));
	return buf;
}

static const char *intro =
	"Each cell: the verdict of the policy on the trace (clean: no "
	"error or warning that counts against the policy; deviations by "
	"root cause; quota exhausted: a Genode quota ran out and what "
	"followed are its consequences) and its costs (peak RAM, peak "
	"caps, RPCs, faults).  \u2605 marks the cheapest clean policy of "
	"the trace (peak RAM, then caps, then RPCs).  Calls on ranges "
	"execve made (outside) and hints not taken (info) do not count.";

/* ---- Markdown ---- */

void rep_decision_md(FILE *f, const struct rep_decision *dec)
{
	char b[512], c[160];
	struct merged mc[CAUSES_PER_POLICY];
	size_t i, t, p, n, j, e;

	if (!dec->n)
		return;
	fprintf(f, "## Decision\n\n%s\n\n", intro);
	for (i = 0; i < dec->n; i++) {
		const struct rep_matrix *m = &dec->m[i];

		fputs("### ", f);
		rep_md(f, m->layout ? m->layout : "?");
		fputs(": ", f);
		rep_md(f, m->settings ? m->settings : "settings not recorded");
		fputs("\n\n| trace |", f);
		for (p = 0; p < m->npol; p++) {
			fputc(' ', f);
			rep_md(f, m->pol[p]->display);
			fputs(" |", f);
		}
		fputs("\n|---|", f);
		for (p = 0; p < m->npol; p++)
			fputs("---|", f);
		fputc('\n', f);
		for (t = 0; t < m->ntraces; t++) {
			fputs("| ", f);
			rep_md(f, rep_basename(m->traces[t]));
			fputs(" |", f);
			for (p = 0; p < m->npol; p++) {
				const struct rep_run *r =
					m->cell[t * m->npol + p];

				if (!r) {
					fputs(" – |", f);
					continue;
				}
				fputs(m->cheapest[t] == (int)p ? " \u2605 **"
							       : " **", f);
				rep_md(f, verdict(r, b, sizeof(b)));
				fputs("**; ", f);
				rep_md(f, costs(r, c, sizeof(c)));
				fputs(" |", f);
			}
			fputc('\n', f);
		}
		fputc('\n', f);
		for (p = 0; p < m->npol; p++) {
			struct policy_line pl;

			policy_line(m, p, &pl);
			fputs("- **", f);
			rep_md(f, m->pol[p]->display);
			fputs("**: ", f);
			rep_md(f, policy_text(&pl, b, sizeof(b)));
			fputs(".\n", f);
		}
		fputs("\nFindings by root cause, with the first events:\n\n",
		      f);
		for (p = 0; p < m->npol; p++) {
			n = merge_causes(m, p, mc, CAUSES_PER_POLICY);
			if (!n)
				continue;
			fputs("- **", f);
			rep_md(f, m->pol[p]->display);
			fputs("**\n", f);
			for (j = 0; j < n; j++) {
				fputs("  - **", f);
				rep_md(f, mc[j].cause);
				fputs("**", f);
				fprintf(f, " (%s%s): ", sev_name(mc[j].sev),
					strcmp(mc[j].kind, "outside") == 0
						? ", not counted"
						: "");
				rep_md(f, cause_text(&mc[j], b, sizeof(b)));
				fputc('\n', f);
				for (e = 0; e < mc[j].first->nex; e++) {
					const struct rep_finding *x =
						&mc[j].first->ex[e];

					fputs("    - ", f);
					rep_md(f, x->detail);
					fputc('\n', f);
				}
			}
		}
		fputc('\n', f);
	}
}

/* ---- HTML ---- */

void rep_decision_html(FILE *f, const struct rep_decision *dec)
{
	static const char *const cls[] = {"v-pass", "v-fail", "v-fail",
					  "v-none"};
	char b[512], c[160];
	struct merged mc[CAUSES_PER_POLICY];
	size_t i, t, p, n, j, e;

	if (!dec->n)
		return;
	fputs("<section id=\"decision\"><h2>Decision</h2>\n<p class=\"meta\">",
	      f);
	rep_html(f, intro);
	fputs("</p>\n", f);
	for (i = 0; i < dec->n; i++) {
		const struct rep_matrix *m = &dec->m[i];

		fputs("<h3>", f);
		rep_html(f, m->layout ? m->layout : "?");
		fputs(": ", f);
		rep_html(f, m->settings ? m->settings
					: "settings not recorded");
		fputs("</h3>\n<table class=\"decision\"><tr><th>trace</th>", f);
		for (p = 0; p < m->npol; p++) {
			fputs("<th>", f);
			rep_html(f, m->pol[p]->display);
			fputs("</th>", f);
		}
		fputs("</tr>\n", f);
		for (t = 0; t < m->ntraces; t++) {
			fputs("<tr><td>", f);
			rep_html(f, rep_basename(m->traces[t]));
			fputs("</td>", f);
			for (p = 0; p < m->npol; p++) {
				const struct rep_run *r =
					m->cell[t * m->npol + p];

				if (!r) {
					fputs("<td class=\"v-none\">–</td>", f);
					continue;
				}
				fprintf(f, "<td%s><span class=\"%s\">%s",
					m->cheapest[t] == (int)p
						? " class=\"cheapest\""
						: "",
					cls[rep_run_verdict(r)],
					m->cheapest[t] == (int)p ? "\u2605 "
								 : "");
				rep_html(f, verdict(r, b, sizeof(b)));
				fputs("</span><br><span class=\"small\">", f);
				rep_html(f, costs(r, c, sizeof(c)));
				fputs("</span></td>", f);
			}
			fputs("</tr>\n", f);
		}
		fputs("</table>\n<ul>", f);
		for (p = 0; p < m->npol; p++) {
			struct policy_line pl;

			policy_line(m, p, &pl);
			fputs("<li><b>", f);
			rep_html(f, m->pol[p]->display);
			fputs("</b>: ", f);
			rep_html(f, policy_text(&pl, b, sizeof(b)));
			fputs("</li>", f);
		}
		fputs("</ul>\n", f);
		for (p = 0; p < m->npol; p++) {
			n = merge_causes(m, p, mc, CAUSES_PER_POLICY);
			if (!n)
				continue;
			/* open: a printed page shows the causes */
			fputs("<details open><summary>", f);
			rep_html(f, m->pol[p]->display);
			fprintf(f, ": findings by root cause (%zu)</summary>"
				   "<ul>",
				n);
			for (j = 0; j < n; j++) {
				fputs("<li><code>", f);
				rep_html(f, mc[j].cause);
				fprintf(f, "</code> <span class=\"sev-%s\">%s"
					   "</span>%s: ",
					sev_name(mc[j].sev), sev_name(mc[j].sev),
					strcmp(mc[j].kind, "outside") == 0
						? ", not counted"
						: "");
				rep_html(f, cause_text(&mc[j], b, sizeof(b)));
				if (mc[j].first->nex)
					fputs("<ul class=\"small\">", f);
				for (e = 0; e < mc[j].first->nex; e++) {
					fputs("<li>", f);
					rep_html(f, mc[j].first->ex[e].detail);
					fputs("</li>", f);
				}
				if (mc[j].first->nex)
					fputs("</ul>", f);
				fputs("</li>", f);
			}
			fputs("</ul></details>\n", f);
		}
	}
	fputs("</section>\n", f);
}

/* ---- the terminal ---- */

void rep_decision_text(FILE *f, const struct rep_decision *dec)
{
	char b[512], c[160];
	struct merged mc[CAUSES_PER_POLICY];
	size_t i, t, p, n, j;

	for (i = 0; i < dec->n; i++) {
		const struct rep_matrix *m = &dec->m[i];

		fprintf(f, "\ndecision on %s (%s)\n",
			m->layout ? m->layout : "?",
			m->settings ? m->settings : "settings not recorded");
		for (t = 0; t < m->ntraces; t++) {
			fprintf(f, "  %s\n", rep_basename(m->traces[t]));
			for (p = 0; p < m->npol; p++) {
				const struct rep_run *r =
					m->cell[t * m->npol + p];

				if (!r)
					continue;
				fprintf(f, "    %s %-18s %s; %s\n",
					m->cheapest[t] == (int)p ? "*" : " ",
					m->pol[p]->display,
					verdict(r, b, sizeof(b)),
					costs(r, c, sizeof(c)));
			}
		}
		for (p = 0; p < m->npol; p++) {
			struct policy_line pl;

			policy_line(m, p, &pl);
			fprintf(f, "  %-20s %s\n", m->pol[p]->display,
				policy_text(&pl, b, sizeof(b)));
			n = merge_causes(m, p, mc, CAUSES_PER_POLICY);
			for (j = 0; j < n && j < 5; j++)
				fprintf(f, "      %s: %s\n", mc[j].cause,
					cause_text(&mc[j], b, sizeof(b)));
		}
	}
	if (dec->n)
		fputs("\n* the cheapest clean policy of the trace (peak RAM, "
		      "then caps, then RPCs)\n",
		      f);
}
