/*
 * cmd_plan.c - `rmsim plan`: the runs compare or sweep would make, as
 * one self-contained shell command each, for engines that already
 * schedule work across machines: GNU parallel (`rmsim plan ... |
 * parallel`, with --sshlogin across hosts) and Slurm (--sbatch FILE
 * writes a job-array script whose task N runs line N).  Each command
 * writes its own shard database; `rmsim merge` joins them afterwards.
 *
 * A command names the binary, every trace and the shard by absolute path
 * and quotes every argument for the shell, so it runs the same from any
 * directory of any machine that shares the paths.  A run with deviations
 * exits 1 from compare; the command turns that into success, so that
 * the engine counts only runs that could not run.
 */
#include "cli.h"
#include "grid.h"
#include "matrix.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void plan_usage(FILE *f)
{
	fprintf(f,
		"usage: rmsim plan TRACE... [--policy GRID]... [--layout L]... "
		"[--shards DIR]\n"
		"                  [--sbatch FILE] [--rmsim PATH] [compare's "
		"options]\n\n"
		"Print one command per run compare or sweep would make (a "
		"GRID as in sweep),\neach writing its own shard database "
		"DIR/run-N.db, for GNU parallel or a\nSlurm job array; then "
		"merge the shards with `rmsim merge DIR/*.db -o ALL.db`.\n\n"
		"  -p, --policy GRID one policy or grid; repeat for several "
		"(default: every\n"
		"                    built-in)\n"
		"  -l, --layout L    a layout, repeatable or a comma list\n"
		"  -g, --genode V, -t, --touch MODE, --ram SIZE, --caps N, "
		"--timeout S\n"
		"                    passed to every run\n"
		"      --shards DIR  where the shards go (default: shards)\n"
		"      --sbatch FILE also write a Slurm array script running "
		"line N as task N\n"
		"      --rmsim PATH  the rmsim the commands run (default: this "
		"one)\n"
		"Exit: 0, 64 usage, 66 no such trace, 73 cannot write.\n");
}

/* @s quoted for a POSIX shell. */
static void quote(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++)
		if (*s == '\'')
			fputs("'\\''", f);
		else
			fputc(*s, f);
	fputc('\'', f);
}

struct plan {
	struct cli_matrix m;
	char rmsim[PATH_MAX], shards[PATH_MAX];
	char **traces; /* absolute */
	size_t nruns;
};

/* One command: run @n of @spec on @trace and @layout. */
static void command(FILE *f, const struct plan *p, size_t n, const char *spec,
		    const char *trace, const char *layout)
{
	char shard[PATH_MAX + 32], num[64];

	snprintf(shard, sizeof(shard), "%s/run-%05zu.db", p->shards, n);
	quote(f, p->rmsim);
	fputs(" compare -q -j 1 --db ", f);
	quote(f, shard);
	fputs(" --genode ", f);
	quote(f, p->m.genode);
	/* the default picks recorded or first per trace, as here */
	if (p->m.touch != RP_TOUCH_AUTO)
		fprintf(f, " --touch %s", rp_touch_name(p->m.touch));
	if (p->m.ram) {
		snprintf(num, sizeof(num), "%llu",
			 (unsigned long long)p->m.ram);
		fprintf(f, " --ram %s", num);
	}
	if (p->m.caps)
		fprintf(f, " --caps %llu", (unsigned long long)p->m.caps);
	if (p->m.timeout > 0)
		fprintf(f, " --timeout %g", p->m.timeout);
	fputs(" --layout ", f);
	quote(f, layout);
	fputs(" --policy ", f);
	quote(f, spec);
	fputc(' ', f);
	quote(f, trace);
	fputs(" || [ $? -eq 1 ]", f);
}

/* Every run, in compare's order (trace, layout, then setting), to @f
 * (NULL: check them only), each line prefixed by "N) " and followed by
 * " ;;" for a case. */
static int emit(struct plan *p, FILE *f, bool cases)
{
	struct cli_grid *g = calloc(1, sizeof(*g));
	const char *specs[CLI_MAX_POLICIES];
	unsigned nspecs = 0, i, t, l;
	char msg[1024], spec[POL_SPEC_MAX], canon[POL_SPEC_MAX];
	unsigned idx[CLI_GRID_AXES];
	size_t k;
	int status = -1;

	if (!g)
		return cli_fail(EXIT_SOFTWARE, "plan", "out of memory");
	for (i = 0; i < p->m.npolicies; i++)
		specs[nspecs++] = p->m.policy[i];
	if (nspecs == 0) {
		const struct pol_policy *const *b;

		for (b = pol_builtin(); *b && nspecs < CLI_MAX_POLICIES; b++)
			specs[nspecs++] = (*b)->name;
	}
	p->nruns = 0;
	for (t = 0; t < p->m.ntraces; t++)
		for (l = 0; l < p->m.nlayouts; l++)
			for (i = 0; i < nspecs; i++) {
				if (cli_grid_parse(specs[i], g, msg,
						   sizeof(msg))) {
					status = cli_fail(EXIT_USAGE, "plan",
							  "%s", msg);
					goto out;
				}
				for (k = 0; k < cli_grid_size(g); k++) {
					status = cli_grid_point(
						&p->m, g, k, idx, spec, canon);
					if (status >= 0)
						goto out;
					p->nruns++;
					if (!f)
						continue; /* checking */
					if (cases)
						fprintf(f, "%zu) ", p->nruns);
					command(f, p, p->nruns, canon,
						p->traces[t], p->m.layout[l]);
					fputs(cases ? " ;;\n" : "\n", f);
				}
			}
out:
	free(g);
	return status;
}

static int write_sbatch(struct plan *p)
{
	FILE *f = fopen(p->m.sbatch, "w");
	int status;

	if (!f)
		return cli_fail(EXIT_CANTCREAT, "plan", "%s: %s", p->m.sbatch,
				strerror(errno));
	fprintf(f,
		"#!/bin/sh\n"
		"#SBATCH --job-name=rmsim\n"
		"#SBATCH --array=1-%zu\n"
		"#SBATCH --ntasks=1\n"
		"#SBATCH --cpus-per-task=1\n"
		"# Written by rmsim plan: array task N runs run N and writes "
		"its shard;\n# afterwards: rmsim merge ",
		p->nruns);
	quote(f, p->shards);
	fprintf(f, "/run-*.db -o ALL.db\n"
		   "set -u\n"
		   "case \"${SLURM_ARRAY_TASK_ID:?submit with sbatch, or set "
		   "SLURM_ARRAY_TASK_ID}\" in\n");
	status = emit(p, f, true);
	fprintf(f, "*) echo \"no run $SLURM_ARRAY_TASK_ID\" >&2; exit 64 ;;\n"
		   "esac\n");
	if (fclose(f) && status < 0)
		return cli_fail(EXIT_IOERR, "plan", "%s: cannot write",
				p->m.sbatch);
	chmod(p->m.sbatch, 0755);
	return status;
}

int cmd_plan(int argc, char **argv)
{
	struct plan *p = calloc(1, sizeof(*p));
	const char *dir;
	unsigned t;
	int status;

	if (!p)
		return cli_fail(EXIT_SOFTWARE, "plan", "out of memory");
	p->m.cmd = "plan";
	status = cli_matrix_parse(argc, argv, &p->m, plan_usage);
	if (status >= 0)
		goto out;
	status = EXIT_USAGE;
	if (p->m.no_db || p->m.db_given || p->m.report || p->m.jobs) {
		cli_fail(EXIT_USAGE, "plan",
			 "each run writes its own shard (--shards): no --db, "
			 "--no-db, --report or -j");
		goto out;
	}
	dir = p->m.shards ? p->m.shards : "shards";
	if (p->m.rmsim) {
		if (!realpath(p->m.rmsim, p->rmsim))
			snprintf(p->rmsim, sizeof(p->rmsim), "%s", p->m.rmsim);
	} else if (!realpath("/proc/self/exe", p->rmsim)) {
		snprintf(p->rmsim, sizeof(p->rmsim), "rmsim");
	}
	p->traces = calloc(p->m.ntraces, sizeof(*p->traces));
	if (!p->traces) {
		status = cli_fail(EXIT_SOFTWARE, "plan", "out of memory");
		goto out;
	}
	for (t = 0; t < p->m.ntraces; t++) {
		p->traces[t] = realpath(p->m.traces[t], NULL);
		if (!p->traces[t]) {
			status = cli_fail(EXIT_NOINPUT, "plan", "%s: %s",
					  p->m.traces[t], strerror(errno));
			goto out;
		}
	}
	/* every spec checked before anything is created */
	status = emit(p, NULL, false);
	if (status >= 0)
		goto out;
	if ((mkdir(dir, 0777) && errno != EEXIST) ||
	    !realpath(dir, p->shards)) {
		status = cli_fail(EXIT_CANTCREAT, "plan", "%s: %s", dir,
				  strerror(errno));
		goto out;
	}
	status = emit(p, stdout, false);
	if (status < 0 && p->m.sbatch)
		status = write_sbatch(p);
	if (status < 0)
		status = fflush(stdout) ? EXIT_IOERR : EXIT_OK;
out:
	if (p->traces)
		for (t = 0; t < p->m.ntraces; t++)
			free(p->traces[t]);
	free(p->traces);
	free(p);
	return status;
}
