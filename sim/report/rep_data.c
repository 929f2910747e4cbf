/*
 * rep_data.c - what both report writers ask of the loaded data (rep_md.c
 * and rep_html.c render the same tables; the numbers come from here, so
 * the two can never disagree).
 */
#include "rep_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

double rep_run_metric(const struct rep_run *r, const char *name)
{
	size_t i;

	for (i = 0; i < r->nmetric; i++)
		if (strcmp(r->metric[i].name, name) == 0)
			return r->metric[i].value;
	return NAN;
}

double rep_run_pass_rate(const struct rep_run *r)
{
	/* pass, fail and error decide; unsupported cases do not count */
	int64_t decided = r->verdicts[0] + r->verdicts[1] + r->verdicts[3];

	return decided ? 100.0 * (double)r->verdicts[0] / (double)decided
		       : NAN;
}

bool rep_next_section(const struct rep_data *d, size_t *k, char *sec)
{
	char b[REP_SECTION];

	if (*k >= d->ncase_names)
		return false;
	rep_case_section(d->case_names[*k], sec, REP_SECTION);
	for (++*k; *k < d->ncase_names; ++*k) {
		rep_case_section(d->case_names[*k], b, sizeof(b));
		if (strcmp(b, sec) != 0)
			break;
	}
	return true;
}

void rep_section_tally(const struct rep_data *d, const struct rep_run *r,
		       const char *sec, size_t *pass, size_t *decided)
{
	char b[REP_SECTION];
	size_t j;

	*pass = *decided = 0;
	for (j = 0; j < d->ncase_names; j++) {
		const struct rep_case *c;
		int v;

		rep_case_section(d->case_names[j], b, sizeof(b));
		if (strcmp(b, sec) != 0)
			continue;
		c = rep_run_case(r, d->case_names[j]);
		/* a case the run lacks counts as unsupported */
		v = c ? rep_verdict_index(c->verdict) : 2;
		*pass += v == 0;
		*decided += v != 2;
	}
}

bool rep_case_passes_all(const struct rep_data *d, size_t k)
{
	size_t i;

	for (i = 0; i < d->nconform; i++) {
		const struct rep_case *c =
			rep_run_case(d->conform[i], d->case_names[k]);

		if (!c || strcmp(c->verdict, "pass") != 0)
			return false;
	}
	return true;
}

int64_t rep_run_sev_total(const struct rep_run *r, enum rep_sev s)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; i < r->ndev; i++)
		n += r->dev[i].count[s];
	return n;
}

const struct rep_case *rep_run_case(const struct rep_run *r,
				    const char *name)
{
	size_t lo = 0, hi = r->ncases;

	/* cases are sorted by strverscmp, as rep_data_load leaves them */
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = strverscmp(r->cases[mid].name, name);

		if (c == 0)
			return &r->cases[mid];
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return NULL;
}

size_t rep_group_metric_names(const struct rep_group *g, const char **out,
			      size_t max)
{
	size_t n = 0, i, j, k;

	for (k = 0; k < g->nrun; k++)
		for (i = 0; i < g->run[k]->nmetric; i++) {
			const char *m = g->run[k]->metric[i].name;

			for (j = 0; j < n; j++)
				if (strcmp(out[j], m) == 0)
					break;
			if (j == n && n < max)
				out[n++] = m;
		}
	/* insertion sort: a few dozen names */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && rep_metric_cmp(out[j - 1], out[j]) > 0;
		     j--) {
			const char *t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

size_t rep_group_kinds(const struct rep_group *g, const char **out,
		       size_t max)
{
	size_t n = 0, i, j, k;

	for (k = 0; k < g->nrun; k++)
		for (i = 0; i < g->run[k]->ndev; i++) {
			for (j = 0; j < n; j++)
				if (strcmp(out[j], g->run[k]->dev[i].kind) ==
				    0)
					break;
			if (j == n && n < max)
				out[n++] = g->run[k]->dev[i].kind;
		}
	/* the stable order: by rank, then by name */
	for (i = 1; i < n; i++)
		for (j = i; j > 0 && (rep_kind_rank(out[j - 1]) >
					      rep_kind_rank(out[j]) ||
				      (rep_kind_rank(out[j - 1]) ==
					       rep_kind_rank(out[j]) &&
				       strcmp(out[j - 1], out[j]) > 0));
		     j--) {
			const char *t = out[j];

			out[j] = out[j - 1];
			out[j - 1] = t;
		}
	return n;
}

const struct rep_devkind *rep_run_kind(const struct rep_run *r,
				       const char *kind)
{
	size_t i;

	for (i = 0; i < r->ndev; i++)
		if (strcmp(r->dev[i].kind, kind) == 0)
			return &r->dev[i];
	return NULL;
}

void rep_run_summary(const struct rep_run *r,
		     char cells[REP_SUMMARY_CELLS][64])
{
	static const char *const metrics[] = {"ram_peak", "caps_peak",
					      "rpc_total"};
	int i;

	rep_fmt_count((double)r->events, cells[0], 64);
	for (i = 0; i < 3; i++)
		rep_fmt_count((double)rep_run_sev_total(r, (enum rep_sev)i),
			      cells[1 + i], 64);
	for (i = 0; i < 3; i++)
		rep_fmt_metric(metrics[i], rep_run_metric(r, metrics[i]),
			       cells[4 + i], 64);
}

int64_t rep_run_counted(const struct rep_run *r)
{
	int64_t n = 0;
	size_t i;

	for (i = 0; i < r->ndev; i++)
		if (strcmp(r->dev[i].kind, "outside") != 0)
			n += r->dev[i].count[REP_SEV_ERROR] +
			     r->dev[i].count[REP_SEV_WARNING] +
			     r->dev[i].other;
	return n;
}

enum rep_verdict rep_run_verdict(const struct rep_run *r)
{
	if (!r->status || strcmp(r->status, "complete") != 0)
		return REP_V_INCOMPLETE;
	if (r->exhausted)
		return REP_V_EXHAUSTED;
	return rep_run_counted(r) ? REP_V_DEVIATIONS : REP_V_CLEAN;
}

const char *rep_verdict_name(enum rep_verdict v)
{
	static const char *const names[] = {"clean", "deviations",
					    "quota exhausted", "incomplete"};

	return (unsigned)v <= REP_V_INCOMPLETE ? names[v] : "?";
}

/* NAN sorts last: a run without the metric is never the cheapest. */
static int cmp_cost(double a, double b)
{
	if (isnan(a) || isnan(b))
		return isnan(a) - isnan(b);
	return a < b ? -1 : a > b;
}

bool rep_run_cheaper(const struct rep_run *a, const struct rep_run *b)
{
	static const char *const order[] = {"ram_peak", "caps_peak",
					    "rpc_total"};
	size_t i;
	int c;

	for (i = 0; i < 3; i++) {
		c = cmp_cost(rep_run_metric(a, order[i]),
			     rep_run_metric(b, order[i]));
		if (c)
			return c < 0;
	}
	return false;
}

bool rep_settings_differ(const struct rep_data *d)
{
	size_t i;

	for (i = 1; i < d->ngroups; i++) {
		const char *a = d->groups[0].settings, *b = d->groups[i].settings;

		if (!a != !b || (a && strcmp(a, b) != 0))
			return true;
	}
	return false;
}

bool rep_run_kind_cell(const struct rep_run *r, const char *kind, char *buf,
		       size_t size)
{
	const struct rep_devkind *dk = rep_run_kind(r, kind);

	if (!dk)
		return false;
	snprintf(buf, size, "%lld / %lld / %lld",
		 (long long)dk->count[REP_SEV_ERROR],
		 (long long)dk->count[REP_SEV_WARNING],
		 (long long)dk->count[REP_SEV_INFO]);
	return true;
}

double rep_group_metric_best(const struct rep_group *g, const char *name)
{
	double lo = INFINITY, hi = -INFINITY;
	size_t k;

	for (k = 0; k < g->nrun; k++) {
		double v = rep_run_metric(g->run[k], name);

		if (isnan(v))
			continue;
		lo = v < lo ? v : lo;
		hi = v > hi ? v : hi;
	}
	return rep_metric_info(name).lower_better && g->nrun > 1 && lo < hi
		       ? lo
		       : NAN;
}
