/*
 * cmd_compare.c - `rmsim compare`: replay traces on every policy beside
 * the Linux reference, across layouts, print a table per trace and
 * layout, log every run, and write the report when asked.
 */
#include "cli.h"

#include "rmsim/db.h"
#include "rmsim/policy.h"
#include "rmsim/replay.h"
#include "rmsim/report.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "matrix.h"
#include "runner.h"

static void compare_usage(FILE *f)
{
	fprintf(f,
		"usage: rmsim compare TRACE... [--policy P]... [--layout L]... "
		"[--genode V]\n"
		"                     [--db FILE | --no-db] [--report DIR] "
		"[--touch MODE]\n"
		"                     [--ram SIZE] [--caps N] [-j N] "
		"[--timeout S] [-q]\n\n"
		"Replay each TRACE on each policy beside the Linux reference, "
		"on each layout,\nand print per trace and layout: deviations "
		"by kind, peak RAM, caps, RM\nsessions, attachments, RPCs, "
		"faults, waste and speed; at the end the decision\nview: each "
		"policy's verdict per trace, the cheapest clean one "
		"marked.\n\n");
	cli_matrix_help(f);
	fprintf(f, "  -r, --report DIR  write report.md and report.html to DIR "
		   "at the end\n"
		   "Exit: 0 no deviation, 1 deviations (or a failed run), 64 "
		   "usage, 65 bad trace,\n66 no trace, 73/74 cannot write, "
		   "130/143 interrupted.\n");
}

static void mib(char *buf, size_t size, uint64_t bytes)
{
	snprintf(buf, size, "%.1f", (double)bytes / (1 << 20));
}

void cli_print_header(const char *trace, const char *layout, int width)
{
	(void)trace;
	(void)layout;
	printf("%-*s %6s %4s %4s %4s %5s %4s %4s %5s %4s %4s %5s %5s %8s "
	       "%6s %4s %6s %8s %6s %7s %9s %6s\n",
	       width, "policy", "result", "addr", "hint", "miss", "extra",
	       "cont", "res", "space", "div", "out", "cons", "ref", "RAM MiB",
	       "caps", "RM", "attach", "RPCs", "faults", "wasteMiB", "events/s",
	       "first");
}

void cli_print_row(const char *policy, int width, const struct rp_summary *s)
{
	char ram[32], waste[32];
	uint64_t rpcs = 0;
	unsigned k;

	for (k = 0; k < GN_NRPC; k++)
		rpcs += s->gn.rpc[k];
	mib(ram, sizeof(ram), s->gn.ram_peak);
	mib(waste, sizeof(waste),
	    s->gn.ram_peak > s->posix_writable_peak
		    ? s->gn.ram_peak - s->posix_writable_peak
		    : 0);
	printf("%-*s %6" PRIu64 " %4" PRIu64 " %4" PRIu64 " %4" PRIu64
	       " %5" PRIu64 " %4" PRIu64 " %4" PRIu64 " %5" PRIu64 " %4" PRIu64
	       " %4" PRIu64 " %5" PRIu64 " %5" PRIu64 " %8s %6" PRIu64
	       " %4" PRIu64 " %6" PRIu64 " %8" PRIu64 " %6" PRIu64
	       " %7s %9.0f %6" PRIu64 "\n",
	       width, policy, s->finding[CK_RESULT], s->finding[CK_ADDRESS],
	       s->finding[CK_HINT], s->finding[CK_ACCESS_MISSING],
	       s->finding[CK_ACCESS_EXTRA], s->finding[CK_CONTENT],
	       s->finding[CK_RESOURCE], s->finding[CK_ADDRESS_SPACE],
	       s->finding[CK_DIVERGENCE], s->finding[CK_OUTSIDE],
	       s->consequences, s->mismatches, ram, s->gn.caps_peak,
	       s->gn.rm_sessions_peak, s->gn.attachments_peak, rpcs,
	       s->gn.faults, waste,
	       s->wall_s > 0 ? (double)s->events / s->wall_s : 0,
	       s->first_finding_line);
}

int cli_name_width(char (*canon)[POL_SPEC_MAX], unsigned n)
{
	int w = 12;
	unsigned i;

	for (i = 0; i < n; i++)
		if ((int)strlen(canon[i]) > w)
			w = (int)strlen(canon[i]);
	return w;
}

int cli_matrix_check(const struct cli_matrix *m, const char *const *specs,
		     unsigned nspecs, char (*canon)[POL_SPEC_MAX])
{
	unsigned i, j;
	char msg[1024];

	for (i = 0; i < nspecs; i++)
		for (j = 0; j < m->nlayouts; j++) {
			struct rp_options o;
			struct pol_spec ps;

			memset(&o, 0, sizeof(o));
			if (cli_policy_setup(specs[i], &ps, m->layout[j],
					     m->genode, m->ram, m->caps, &o,
					     msg, sizeof(msg)))
				return cli_fail(EXIT_USAGE, m->cmd, "%s", msg);
			if (!o.pol)
				return cli_fail(EXIT_USAGE, m->cmd,
						"'%s' is not a Genode policy: "
						"%s judges policies against "
						"linux",
						specs[i], m->cmd);
			snprintf(canon[i], POL_SPEC_MAX, "%s", ps.canon);
		}
	return -1;
}

/* What compare prints as the runs come in, in order. */
struct table {
	const struct cli_matrix *m;
	const char *trace, *layout;
	int width;
	bool deviations;
	int status;
};

static void on_done(void *arg, struct cli_run *r, const char *shard)
{
	struct table *t = arg;

	if (r->status && !r->failed && r->status != EXIT_SIGINT &&
	    r->status != EXIT_SIGTERM) {
		fprintf(stderr, "%s%s\n",
			r->status == EXIT_DATAERR ? "" : "rmsim compare: ",
			r->s.error);
		return;
	}
	if (t->trace != r->trace || t->layout != r->layout) {
		struct rp_options q;
		struct pol_spec ps;
		char msg[256];

		printf("\n%s on %s\n", r->trace, r->layout);
		memset(&q, 0, sizeof(q));
		if (!cli_policy_setup(r->spec, &ps, r->layout, t->m->genode,
				      t->m->ram, t->m->caps, &q, msg,
				      sizeof(msg))) {
			cli_derive_ram(&q, t->m->ram, r->need);
			cli_print_quota(stdout, &q);
		}
		cli_print_header(r->trace, r->layout, t->width);
		t->trace = r->trace;
		t->layout = r->layout;
	}
	if (r->failed) {
		printf("%-*s failed: %s\n", t->width, r->canon, r->why);
		t->deviations = true;
	} else {
		cli_print_row(r->canon, t->width, &r->s);
		if (r->s.findings || r->s.mismatches)
			t->deviations = true;
	}
	fflush(stdout);
}

int cmd_compare(int argc, char **argv)
{
	struct cli_matrix m = {.cmd = "compare"};
	const char *specs[CLI_MAX_POLICIES];
	char(*canon)[POL_SPEC_MAX] = NULL;
	struct cli_run *runs = NULL;
	uint64_t *need = NULL;
	struct table t = {0};
	struct cli_exec x;
	unsigned i, j, k, nspecs = 0;
	size_t n = 0;
	char msg[1024];
	int status;

	status = cli_matrix_parse(argc, argv, &m, compare_usage);
	if (status >= 0)
		return status;
	if (m.best)
		return cli_fail(EXIT_USAGE, "compare", "--best is sweep's");
	for (i = 0; i < m.npolicies; i++)
		specs[nspecs++] = m.policy[i];
	if (nspecs == 0) {
		const struct pol_policy *const *b;

		for (b = pol_builtin(); *b && nspecs < CLI_MAX_POLICIES; b++)
			specs[nspecs++] = (*b)->name;
	}
	canon = calloc(nspecs, sizeof(*canon));
	runs = calloc((size_t)m.ntraces * m.nlayouts * nspecs, sizeof(*runs));
	if (!canon || !runs) {
		status = cli_fail(EXIT_SOFTWARE, "compare", "out of memory");
		goto out;
	}
	/* check every spec before the first run */
	status = cli_matrix_check(&m, specs, nspecs, canon);
	if (status >= 0)
		goto out;
	t.width = cli_name_width(canon, nspecs);
	t.m = &m;
	need = calloc(m.ntraces, sizeof(*need));
	if (!need) {
		status = cli_fail(EXIT_SOFTWARE, "compare", "out of memory");
		goto out;
	}
	status = cli_matrix_needs(&m, need);
	if (status >= 0)
		goto out;
	for (k = 0; k < m.ntraces; k++)
		for (j = 0; j < m.nlayouts; j++)
			for (i = 0; i < nspecs; i++, n++) {
				runs[n].trace = m.traces[k];
				runs[n].layout = m.layout[j];
				runs[n].spec = specs[i];
				runs[n].canon = canon[i];
				runs[n].need = need[k];
			}
	cli_matrix_exec(&m, &x);
	x.done = on_done;
	x.arg = &t;
	status = cli_runs_exec(&x, runs, n);
	if (!status && !m.no_db && !m.quiet) {
		int64_t first = 0;

		/* the decision over this comparison's runs only */
		for (i = 0; i < n; i++)
			if (runs[i].s.run_id &&
			    (!first || runs[i].s.run_id < first))
				first = runs[i].s.run_id;
		if (first && rep_decision_print(m.dbpath, first, stdout, msg,
						sizeof(msg)))
			fprintf(stderr, "rmsim compare: %s\n", msg);
	}
	if (!status && m.report) {
		if (rep_write(m.dbpath, m.report, msg, sizeof(msg))) {
			status = cli_fail(EXIT_CANTCREAT, "compare", "%s", msg);
			goto out;
		}
		if (!m.quiet)
			printf("\nreport: %s/report.html, %s/report.md\n",
			       m.report, m.report);
	}
	if (!m.quiet && !status)
		printf("\ncolumns: findings by kind (result, address, hint, "
		       "access-missing,\naccess-extra, content, resource, "
		       "address-space, divergence, outside: on\nranges execve "
		       "made, not counted), consequences of an exhausted "
		       "quota,\nreference mismatches against the trace, "
		       "peak RAM and caps, RM sessions,\nattachments, RPCs, "
		       "faults, RAM held beyond the program's writable\n"
		       "memory, events per second, the trace line of the "
		       "first finding.\n");
	if (!status)
		status = t.deviations ? EXIT_DEVIATIONS : EXIT_OK;
	/* with --keep-going, a trace left out is still a failure */
	if (m.bad && (status == EXIT_OK || status == EXIT_DEVIATIONS))
		status = m.bad;
out:
	free(need);
	free(canon);
	free(runs);
	return status;
}
