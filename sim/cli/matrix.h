/*
 * matrix.h - the arguments compare, sweep and plan share: traces,
 * policies (specs or grids), layouts, the component's settings, the
 * database, workers; parsed by one function so that the three commands
 * take the same command line.
 */
#ifndef RMSIM_CLI_MATRIX_H
#define RMSIM_CLI_MATRIX_H

#include "rmsim/policy.h"
#include "rmsim/replay.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#define CLI_MAX_POLICIES 32
#define CLI_MAX_LAYOUTS 16

struct cli_matrix {
	const char *cmd;		/* compare, sweep, plan */
	char **traces;			/* into argv */
	unsigned ntraces;
	const char *policy[CLI_MAX_POLICIES];	/* as given */
	unsigned npolicies;
	char layout[CLI_MAX_LAYOUTS][64];
	unsigned nlayouts;
	const char *genode, *dbpath, *report;
	bool no_db, db_given, quiet;
	bool keep_going;		/* skip a trace that cannot be read */
	int bad;			/* its exit status (65, 66), or 0 */
	uint64_t ram, caps;
	enum rp_touch touch;
	unsigned jobs;			/* 0: the number of cores */
	double timeout;			/* per run, 0: none */
	/* sweep */
	const char *best;		/* --best COST */
	unsigned budget;		/* --budget N, 0: none */
	/* plan */
	const char *shards, *sbatch, *rmsim;
};

/* Option letters of the shared options beyond these: B best, b budget,
 * S shards, s sbatch, X rmsim (taken only by the commands they fit). */

/*
 * cli_matrix_parse - parse @argc/@argv for command @m->cmd into @m.
 * Returns -1 to go on, or the exit status to return now (after --help,
 * --version or a usage error, with the message printed).
 */
int cli_matrix_parse(int argc, char **argv, struct cli_matrix *m,
		     void (*usage)(FILE *));
struct cli_exec;

/*
 * cli_matrix_exec - set @x up to run @m's runs as @m->cmd: its settings,
 * workers, database and progress, and SIGINT/SIGTERM handlers that stop
 * the runs (x->stop).  The caller sets done and arg.
 */
void cli_matrix_exec(const struct cli_matrix *m, struct cli_exec *x);
/*
 * cli_matrix_needs - read every trace before the first run; without
 * --ram, each trace's writable peak on the reference into @need[t] (the
 * derived RAM quota's base: cli_derive_ram), one reference replay per
 * trace.  A trace that cannot be read stops the command, or with
 * --keep-going is left out of @m (its status kept in m->bad).  -1 to go
 * on, else the exit status after the message.
 */
int cli_matrix_needs(struct cli_matrix *m, uint64_t *need);
/* The options common to compare, sweep and plan, for their --help. */
void cli_matrix_help(FILE *f);

#endif
