/*
 * runner.h - running a list of replays (a compare matrix, a sweep's
 * grid) on worker processes, with the parent as the one database writer.
 */
#ifndef RMSIM_CLI_RUNNER_H
#define RMSIM_CLI_RUNNER_H

#include "rmsim/replay.h"

struct db;

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* One run: its settings, then what came of it. */
struct cli_run {
	const char *trace, *layout;
	const char *spec;	/* the policy spec as given */
	const char *canon;	/* its canonical spelling, for tables */
	uint64_t need;		/* the trace's writable peak, for the
				 * derived RAM quota (cli_derive_ram) */
	/* results, filled by cli_runs_exec */
	struct rp_summary s;
	int status;		/* rp_replay's, or EXIT_SOFTWARE */
	bool failed;		/* the worker failed: crash, timeout */
	char why[160];		/* ... how */
};

struct cli_exec {
	const char *command;	/* run.command: compare, sweep */
	const char *genode;
	uint64_t ram, caps;
	enum rp_touch touch;
	unsigned jobs;		/* worker processes at once */
	double timeout;		/* seconds per run, 0: none */
	const char *dbpath;	/* NULL: no database */
	bool progress;		/* a progress line on stderr */
	volatile sig_atomic_t *stop;
	/*
	 * What a worker does with run @r (NULL: replay it): log to @db, its
	 * shard (NULL without one), fill @s, return the run's status.
	 */
	int (*work)(const struct cli_exec *x, struct cli_run *r,
		    struct db *db, struct rp_summary *s);
	bool shard_always;	/* a shard even without dbpath, for done */
	/* called for each run, in the order of the list, before it goes to
	 * the database, with its shard (NULL when there is none) */
	void (*done)(void *arg, struct cli_run *r, const char *shard);
	void *arg;
};

/* The number of cores, the default of -j. */
unsigned cli_cores(void);
/* Parse -j's argument into @jobs; 0 or -1. */
int cli_parse_jobs(const char *s, unsigned *jobs);

/*
 * cli_runs_exec - run @runs[0..@n) on up to @x->jobs worker processes.
 * Each worker replays one run into a shard database of its own; the
 * parent merges the shards into @x->dbpath in the list's order, so the
 * database holds what one process would have written, whatever -j.
 * A worker that crashes or passes @x->timeout leaves its run `failed`
 * with the reason, and the others go on.  Returns 0, the status of the
 * first run that could not run at all (65 bad trace, 66, 73/74; the
 * runs not started yet are dropped), or 130/143 when stopped.
 */
int cli_runs_exec(const struct cli_exec *x, struct cli_run *runs, size_t n);

#endif
