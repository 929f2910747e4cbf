/*
 * cmd_sweep.c - `rmsim sweep`: replay traces on every point of a grid of
 * policy parameters, log every run, and print the Pareto front of the
 * clean settings over the costs; with --best COST, search the grid for
 * the setting of least COST instead of running all of it.
 *
 * ALGORITHM (--best): coordinate descent, per grid.  Start at the middle
 * value of every axis; for each axis in turn run the points that differ
 * from the current one on that axis only (the ones not run yet, all of
 * them in one batch on the workers), move to the cheapest clean one, and
 * repeat the passes until one moves nowhere or the run budget is spent.
 * A pass costs the sum of the axes' lengths where the grid costs their
 * product.  Chosen over successive halving because a policy's costs are
 * whole-trace quantities (a peak is often reached late, so a prefix of
 * a trace ranks settings wrongly), while its parameters act on the costs
 * mostly one at a time (chunk size against faults, pool size against
 * RAM), which is the case coordinate descent is exact for.  A setting
 * that has a finding on any trace or layout is not clean and never wins.
 */
#include "cli.h"
#include "grid.h"
#include "matrix.h"
#include "runner.h"

#include "rmsim/report.h"

#include <inttypes.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_TERMS 8

/* One point of a grid, with its costs summed over its runs. */
struct setting {
	char spec[POL_SPEC_MAX];
	char canon[POL_SPEC_MAX];
	unsigned grid;
	unsigned idx[CLI_GRID_AXES];
	bool run, clean;
	double cost[REP_NCOSTS];
	uint64_t findings, failed; /* over its runs */
};

/* COST: a weighted sum of the costs. */
struct objective {
	double w[REP_NCOSTS];
};

struct sweep {
	struct cli_matrix m;
	struct cli_grid *grid;
	unsigned ngrids;
	struct setting *set;
	size_t nset;
	size_t runs_done;
	int width;
	struct cli_exec x;
	/* the batch being run: which setting each run belongs to */
	size_t *owner;
	struct cli_run *batch;
	uint64_t *need; /* per trace: cli_matrix_needs */
};

static void sweep_usage(FILE *f)
{
	fprintf(f,
		"usage: rmsim sweep TRACE... --policy GRID... [--layout L]... "
		"[--best COST\n"
		"                   [--budget RUNS]] [compare's options]\n\n"
		"Replay each TRACE on every point of each GRID, on each "
		"layout; log every run\nand print the Pareto front of the "
		"clean settings (no finding on any run)\nover peak RAM, caps, "
		"RPCs and faults, each summed over the traces and\nlayouts.  "
		"A GRID is a policy spec whose values may be lists and "
		"ranges:\n  lazy:chunk=16K..1M*2,pool=0,1M,2M   "
		"window:size=1G..8G+1G\n\n");
	cli_matrix_help(f);
	fprintf(f,
		"      --best COST   search for the clean setting of least "
		"COST (coordinate\n"
		"                    descent): ram, caps, rpcs, faults or a "
		"weighted sum such\n"
		"                    as ram+4096*caps\n"
		"      --budget N    at most N runs for --best\n"
		"  -r, --report DIR  write report.md and report.html to DIR "
		"at the end\n"
		"Exit: 0 done, 1 no clean setting, 64 usage, 65 bad trace, 66 "
		"no trace,\n73/74 cannot write, 130/143 interrupted.\n");
}

static int parse_objective(const char *s, struct objective *o)
{
	char copy[256], *tok, *save;
	int k;

	memset(o, 0, sizeof(*o));
	if (strlen(s) >= sizeof(copy) || !*s)
		return -1;
	snprintf(copy, sizeof(copy), "%s", s);
	for (tok = strtok_r(copy, "+", &save); tok;
	     tok = strtok_r(NULL, "+", &save)) {
		char *star = strchr(tok, '*'), *name = tok, *end;
		double w = 1;

		if (star) {
			*star = '\0';
			w = strtod(tok, &end);
			if (end == tok || *end || !(w > 0) || !isfinite(w))
				return -1;
			name = star + 1;
		}
		for (k = 0; k < REP_NCOSTS; k++)
			if (strcmp(name, rep_cost_names[k]) == 0)
				break;
		if (k == REP_NCOSTS)
			return -1;
		o->w[k] += w;
	}
	return 0;
}

static double objective(const struct objective *o, const struct setting *s)
{
	double v = 0;
	int k;

	if (!s->clean)
		return INFINITY;
	for (k = 0; k < REP_NCOSTS; k++)
		v += o->w[k] * s->cost[k];
	return v;
}

static void on_done(void *arg, struct cli_run *r, const char *shard)
{
	struct sweep *w = arg;
	struct setting *s = &w->set[w->owner[r - w->batch]];
	uint64_t rpcs = 0;
	unsigned k;

	if (r->status && !r->failed && r->status != EXIT_SIGINT &&
	    r->status != EXIT_SIGTERM) {
		fprintf(stderr, "%s%s\n",
			r->status == EXIT_DATAERR ? "" : "rmsim sweep: ",
			r->s.error);
		s->clean = false;
		return;
	}
	w->runs_done++;
	if (r->failed || r->status || r->s.findings)
		s->clean = false;
	s->findings += r->s.findings;
	s->failed += r->failed || r->status;
	if (r->failed && !w->m.quiet)
		printf("%s on %s, %s: failed: %s\n", r->canon, r->layout,
		       r->trace, r->why);
	for (k = 0; k < GN_NRPC; k++)
		rpcs += r->s.gn.rpc[k];
	s->cost[0] += (double)r->s.gn.ram_peak;
	s->cost[1] += (double)r->s.gn.caps_peak;
	s->cost[2] += (double)rpcs;
	s->cost[3] += (double)r->s.gn.faults;
}

/* Run the settings @which[0..@n) on every trace and layout. */
static int run_settings(struct sweep *w, const size_t *which, size_t n)
{
	size_t per = (size_t)w->m.ntraces * w->m.nlayouts, i, k = 0;
	unsigned t, l;
	int status;

	w->batch = calloc(n * per, sizeof(*w->batch));
	w->owner = calloc(n * per, sizeof(*w->owner));
	if (!w->batch || !w->owner) {
		free(w->batch);
		free(w->owner);
		return cli_fail(EXIT_SOFTWARE, "sweep", "out of memory");
	}
	for (i = 0; i < n; i++) {
		struct setting *s = &w->set[which[i]];

		s->run = true;
		s->clean = true;
		s->findings = s->failed = 0;
		memset(s->cost, 0, sizeof(s->cost));
		for (t = 0; t < w->m.ntraces; t++)
			for (l = 0; l < w->m.nlayouts; l++, k++) {
				w->batch[k].trace = w->m.traces[t];
				w->batch[k].layout = w->m.layout[l];
				w->batch[k].spec = s->spec;
				w->batch[k].canon = s->canon;
				w->batch[k].need = w->need[t];
				w->owner[k] = which[i];
			}
	}
	status = cli_runs_exec(&w->x, w->batch, k);
	free(w->batch);
	free(w->owner);
	w->batch = NULL;
	w->owner = NULL;
	return status;
}

static void print_costs(const struct sweep *w, const struct setting *s)
{
	printf("%-*s %10.1f %6.0f %8.0f %8.0f\n", w->width, s->canon,
	       s->cost[0] / (1 << 20), s->cost[1], s->cost[2], s->cost[3]);
}

static void print_cost_header(const struct sweep *w)
{
	printf("%-*s %10s %6s %8s %8s\n", w->width, "setting", "RAM MiB",
	       "caps", "RPCs", "faults");
}

/* Print the Pareto front of the settings run; returns how many. */
static size_t print_front(const struct sweep *w)
{
	double(*cost)[REP_NCOSTS] = calloc(w->nset + 1, sizeof(*cost));
	bool *clean = calloc(w->nset + 1, sizeof(*clean));
	bool *front = calloc(w->nset + 1, sizeof(*front));
	size_t i, nfront = 0, nrun = 0, nclean = 0;

	if (!cost || !clean || !front)
		goto out;
	for (i = 0; i < w->nset; i++) {
		memcpy(cost[i], w->set[i].cost, sizeof(cost[i]));
		clean[i] = w->set[i].run && w->set[i].clean;
		nrun += w->set[i].run;
		nclean += clean[i];
	}
	rep_pareto((const double(*)[REP_NCOSTS])cost, clean, w->nset, front);
	for (i = 0; i < w->nset; i++)
		nfront += front[i];
	printf("\nPareto front: %zu of %zu clean settings (%zu run) over "
	       "peak RAM, caps, RPCs\nand faults, each summed over %u "
	       "trace(s) and %u layout(s):\n",
	       nfront, nclean, nrun, w->m.ntraces, w->m.nlayouts);
	print_cost_header(w);
	/* by RAM, the first cost */
	while (nfront) {
		size_t best = w->nset;

		for (i = 0; i < w->nset; i++)
			if (front[i] &&
			    (best == w->nset || cost[i][0] < cost[best][0]))
				best = i;
		if (best == w->nset)
			break;
		print_costs(w, &w->set[best]);
		front[best] = false;
	}
out:
	free(cost);
	free(clean);
	free(front);
	return nclean;
}

/* The setting of grid @g at @idx. */
static size_t setting_at(const struct sweep *w, unsigned g, const unsigned *idx)
{
	size_t i;

	for (i = 0; i < w->nset; i++)
		if (w->set[i].grid == g &&
		    memcmp(w->set[i].idx, idx,
			   sizeof(unsigned) * w->grid[g].naxes) == 0)
			return i;
	return w->nset;
}

/* Coordinate descent on grid @g; the best setting into *@best. */
static int descend(struct sweep *w, unsigned g, const struct objective *o,
		   size_t *best)
{
	const struct cli_grid *gr = &w->grid[g];
	size_t per = (size_t)w->m.ntraces * w->m.nlayouts;
	unsigned cur[CLI_GRID_AXES], a, v;
	size_t want[CLI_GRID_VALUES], nwant, i;
	bool moved = true;
	int status;

	for (a = 0; a < gr->naxes; a++)
		cur[a] = gr->axis[a].n / 2;
	*best = setting_at(w, g, cur);
	if (!w->set[*best].run) {
		if (w->m.budget && w->runs_done + per > w->m.budget)
			return 0;
		status = run_settings(w, best, 1);
		if (status)
			return status;
	}
	while (moved) {
		moved = false;
		for (a = 0; a < gr->naxes; a++) {
			unsigned idx[CLI_GRID_AXES];

			memcpy(idx, cur, sizeof(idx));
			nwant = 0;
			for (v = 0; v < gr->axis[a].n; v++) {
				idx[a] = v;
				i = setting_at(w, g, idx);
				if (!w->set[i].run &&
				    (!w->m.budget ||
				     w->runs_done + (nwant + 1) * per <=
					     w->m.budget))
					want[nwant++] = i;
			}
			if (nwant) {
				status = run_settings(w, want, nwant);
				if (status)
					return status;
			}
			/* move to the cheapest point seen on this line */
			for (v = 0; v < gr->axis[a].n; v++) {
				idx[a] = v;
				i = setting_at(w, g, idx);
				if (w->set[i].run &&
				    objective(o, &w->set[i]) <
					    objective(o, &w->set[*best]))
					*best = i;
			}
			if (memcmp(w->set[*best].idx, cur,
				   sizeof(unsigned) * gr->naxes) != 0) {
				memcpy(cur, w->set[*best].idx,
				       sizeof(unsigned) * gr->naxes);
				moved = true;
			}
		}
	}
	return 0;
}

/* Expand the grids into settings; -1 to go on, else the exit status. */
static int expand(struct sweep *w)
{
	size_t total = 0, i, k;
	unsigned g;
	int status;

	for (g = 0; g < w->ngrids; g++)
		total += cli_grid_size(&w->grid[g]);
	if (total > CLI_GRID_POINTS)
		return cli_fail(EXIT_USAGE, "sweep", "more than %d settings",
				CLI_GRID_POINTS);
	w->set = calloc(total, sizeof(*w->set));
	if (!w->set)
		return cli_fail(EXIT_SOFTWARE, "sweep", "out of memory");
	for (g = 0; g < w->ngrids; g++)
		for (k = 0; k < cli_grid_size(&w->grid[g]); k++) {
			struct setting *s = &w->set[w->nset++];

			s->grid = g;
			status = cli_grid_point(&w->m, &w->grid[g], k, s->idx,
						s->spec, s->canon);
			if (status >= 0)
				return status;
		}
	w->width = 12;
	for (i = 0; i < w->nset; i++)
		if ((int)strlen(w->set[i].canon) > w->width)
			w->width = (int)strlen(w->set[i].canon);
	return -1;
}

int cmd_sweep(int argc, char **argv)
{
	struct sweep *w = calloc(1, sizeof(*w));
	struct objective obj;
	size_t i, best = 0, *all = NULL;
	unsigned g;
	char msg[1024];
	int status;

	if (!w)
		return cli_fail(EXIT_SOFTWARE, "sweep", "out of memory");
	w->m.cmd = "sweep";
	status = cli_matrix_parse(argc, argv, &w->m, sweep_usage);
	if (status >= 0)
		goto out;
	status = EXIT_USAGE;
	if (w->m.npolicies == 0) {
		cli_fail(EXIT_USAGE, "sweep",
			 "name a grid with --policy (lazy:chunk=16K..1M*2)");
		goto out;
	}
	if (w->m.best && parse_objective(w->m.best, &obj)) {
		cli_fail(EXIT_USAGE, "sweep",
			 "--best takes ram, caps, rpcs, faults or a weighted "
			 "sum of them (ram+4096*caps)");
		goto out;
	}
	w->grid = calloc(w->m.npolicies, sizeof(*w->grid));
	if (!w->grid)
		goto out;
	for (g = 0; g < w->m.npolicies; g++, w->ngrids++)
		if (cli_grid_parse(w->m.policy[g], &w->grid[g], msg,
				   sizeof(msg))) {
			cli_fail(EXIT_USAGE, "sweep", "%s", msg);
			goto out;
		}
	status = expand(w);
	if (status >= 0)
		goto out;
	w->need = calloc(w->m.ntraces, sizeof(*w->need));
	if (!w->need) {
		status = cli_fail(EXIT_SOFTWARE, "sweep", "out of memory");
		goto out;
	}
	status = cli_matrix_needs(&w->m, w->need);
	if (status >= 0)
		goto out;
	cli_matrix_exec(&w->m, &w->x);
	w->x.done = on_done;
	w->x.arg = w;
	if (w->m.best) {
		bool have = false;

		for (g = 0; g < w->ngrids; g++) {
			size_t b;

			status = descend(w, g, &obj, &b);
			if (status)
				goto out;
			if (w->set[b].run &&
			    (!have || objective(&obj, &w->set[b]) <
					      objective(&obj, &w->set[best]))) {
				best = b;
				have = true;
			}
		}
	} else {
		all = calloc(w->nset, sizeof(*all));
		if (!all) {
			status = EXIT_SOFTWARE;
			goto out;
		}
		for (i = 0; i < w->nset; i++)
			all[i] = i;
		status = run_settings(w, all, w->nset);
		if (status)
			goto out;
		if (!w->m.quiet) {
			printf("%zu settings, each on %u trace(s) and %u "
			       "layout(s):\n",
			       w->nset, w->m.ntraces, w->m.nlayouts);
			print_cost_header(w);
			for (i = 0; i < w->nset; i++)
				if (w->set[i].clean)
					print_costs(w, &w->set[i]);
				else
					printf("%-*s not clean: %" PRIu64
					       " finding(s), %" PRIu64
					       " failed run(s)\n",
					       w->width, w->set[i].canon,
					       w->set[i].findings,
					       w->set[i].failed);
		}
	}
	status = print_front(w) ? EXIT_OK : EXIT_DEVIATIONS;
	if (w->m.best) {
		if (!isfinite(objective(&obj, &w->set[best]))) {
			printf("\nbest: no clean setting found (%zu runs)\n",
			       w->runs_done);
			status = EXIT_DEVIATIONS;
		} else {
			printf("\nbest by %s: %s\n  cost %.17g (RAM %.1f MiB, "
			       "caps %.0f, RPCs %.0f, faults %.0f)\n  %zu runs "
			       "of the grid's %zu (coordinate descent)\n",
			       w->m.best, w->set[best].canon,
			       objective(&obj, &w->set[best]),
			       w->set[best].cost[0] / (1 << 20),
			       w->set[best].cost[1], w->set[best].cost[2],
			       w->set[best].cost[3], w->runs_done,
			       w->nset * w->m.ntraces * w->m.nlayouts);
		}
	}
	if (!status && w->m.report) {
		if (rep_write(w->m.dbpath, w->m.report, msg, sizeof(msg))) {
			status = cli_fail(EXIT_CANTCREAT, "sweep", "%s", msg);
			goto out;
		}
		if (!w->m.quiet)
			printf("\nreport: %s/report.html, %s/report.md\n",
			       w->m.report, w->m.report);
	}
	/* with --keep-going, a trace left out is still a failure */
	if (w->m.bad && (status == EXIT_OK || status == EXIT_DEVIATIONS))
		status = w->m.bad;
out:
	free(all);
	if (w) {
		free(w->set);
		free(w->grid);
		free(w->need);
	}
	free(w);
	return status;
}
