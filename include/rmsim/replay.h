/*
 * rmsim/replay.h - the replay driver (prefix rp_).
 *
 * Replays a trace on a target (the Linux reference model for --policy
 * linux; policies on the Genode model and the host kernel later) and
 * compares each call's result with the one recorded.  The driver keeps
 * one address space per process (threads share it, fork copies it,
 * execve starts afresh), a relocation map per address space from trace
 * addresses to the target's (a target may place a mapping elsewhere; every
 * later address argument is translated through the map), and the touch
 * model that writes a token into pages a call made accessible.  Results
 * and verdicts go to the database when one is given.
 */
#ifndef RMSIM_REPLAY_H
#define RMSIM_REPLAY_H

#include <signal.h>
#include <stddef.h>
#include <stdbool.h>
#include <stdint.h>

#include "rmsim/check.h"
#include "rmsim/genode.h"
#include "rmsim/trace.h"

struct db;
struct pol_policy;

/*
 * The touch model: which pages the program is taken to have touched.
 * none, first and all write a token after each call that makes memory
 * writable (nothing, its first page, every page); recorded touches the
 * pages the recording's side file says the program faulted, when it
 * faulted them (docs/recording.md).  RP_TOUCH_AUTO, the commands'
 * default, is recorded for a trace whose side file has the faults and
 * first for any other.
 */
enum rp_touch {
	RP_TOUCH_NONE,
	RP_TOUCH_FIRST,
	RP_TOUCH_ALL,
	RP_TOUCH_RECORDED,
	RP_TOUCH_AUTO
};

/* Why a result differs from the recorded one. */
enum rp_mismatch {
	RP_MM_ERRNO,	/* both failed, with other errnos */
	RP_MM_RESULT,	/* one failed, the other succeeded */
	RP_MM_VALUE,	/* both succeeded with other values */
	RP_MM_ADDRESS,	/* a fixed placement landed elsewhere */
	RP_MM_KINDS
};

const char *rp_mismatch_name(enum rp_mismatch k);

struct rp_options {
	const char *trace;
	const char *policy;		/* the spec as given: "linux", "native",
					 * "window:size=1G", "./libx.so" */
	/* a policy on the Genode model (NULL for linux and native) */
	const struct pol_policy *pol;
	const char *params;		/* the policy's parameters */
	struct gn_config gn;		/* its component: version, layout,
					 * quota */
	enum rp_touch touch;
	/* gn.ram_quota was derived from the trace (rp_derive_ram), not
	 * given */
	bool ram_derived;
	uint64_t ram_need;		/* the reference's peak it came from */
	/* vm.max_map_count of the recording machine, for the reference
	 * model; 0: Linux's default, 65530 */
	uint64_t max_map_count;
	bool keep_going;
	struct db *db;			/* NULL: no log */
	const char *layout, *genode_version; /* recorded in the run row */
	const char *command;		/* run.command: replay (default),
					 * compare */
	volatile sig_atomic_t *stop;	/* set by a signal handler: stop */
	bool progress;			/* progress on stderr */
};

struct rp_summary {
	uint64_t events;
	uint64_t calls[TR_NCALLS];
	uint64_t compared;		/* results compared */
	uint64_t unknown;		/* recorded "= ?": not compared */
	uint64_t mismatches;
	uint64_t mismatch[RP_MM_KINDS];
	uint64_t first_mismatch_line;
	uint64_t mmaps_placed;		/* non-fixed mmaps that succeeded */
	uint64_t mmaps_exact;		/* ... at the recorded address, of
					 * those neither concurrent, random
					 * nor unseen */
	uint64_t mmaps_concurrent;	/* ... that overlapped another
					 * thread's mmap or mremap in the
					 * trace: placed in the kernel's
					 * order, counted apart */
	uint64_t mmaps_concurrent_exact; /* ... of those, at the recorded
					  * address in the order the search
					  * found */
	uint64_t mmaps_concurrent_adopted; /* ... of those, no order
					    * explained: placed at the
					    * recorded address, a miss */
	uint64_t mmaps_random;		/* not concurrent, placed by a rule
					 * the kernel randomises per call
					 * (MAP_32BIT), and consistent with
					 * it: counted apart */
	uint64_t mmaps_unseen;		/* not concurrent, after the trace
					 * showed a thread it did not follow:
					 * placed beside memory it never
					 * showed, at the recorded address */
	uint64_t adopted;		/* ranges made before the trace */
	uint64_t unmodelled;		/* calls that can change the address
					 * space but are not modelled
					 * (tr_call_unmodelled; by call in
					 * calls[]) */
	uint64_t processes;		/* address spaces created */
	uint64_t orphans;		/* pids seen before any clone */
	uint64_t images;		/* program images the trace shows no
					 * execve for (brk(NULL) revealed
					 * them): replayed afresh */
	uint64_t first_image_line;
	/* one warning about the trace itself (threads it did not follow),
	 * with the line that showed it; empty when none */
	char warning[256];
	uint64_t warning_line;
	uint64_t skipped_lines;
	uint64_t missing_files;		/* -ff: processes whose file is not
					 * there (the trace lacks their calls) */
	uint64_t touches;
	enum rp_touch touch;		/* the touch model used (never AUTO) */
	/* --touch recorded: the side file's page faults, merged with the
	 * events by time (docs/recording.md) */
	uint64_t faults;		/* read from the side file */
	uint64_t faults_touched;	/* touched a page of the reference */
	uint64_t faults_outside;	/* outside every mapping of the
					 * reference: counted, not an error */
	uint64_t faults_denied;		/* in a mapping whose protection
					 * refused the access (a guard page
					 * the program catches SIGSEGV on) */
	uint64_t faults_unknown_pid;	/* of a process the trace did not
					 * show (or that had exited) */
	uint64_t faults_inherited;	/* ... of those touched, on ranges
					 * execve made: not the policy's */
	uint64_t faults_model_failed;	/* the policy could not back a page
					 * the reference touched */
	/* the side file's RssAnon samples against the reference's anonymous
	 * resident bytes of that process at that time */
	uint64_t rss_samples;		/* compared */
	uint64_t rss_skipped;		/* of a process the replay did not
					 * have at that time */
	double rss_median_err;		/* relative: |model - recorded| /
					 * recorded (a page at least) */
	double rss_worst_err;
	int32_t rss_worst_pid;
	int64_t rss_worst_ts_us;
	uint64_t rss_worst_recorded, rss_worst_model;
	/* the highest sample, and the reference's highest at a sample */
	uint64_t rss_recorded_peak, rss_model_peak;
	uint64_t fork_shared;		/* forks a side could not copy */
	/* the recording's side file (docs/recording.md), if found */
	char side_path[512];		/* "" when the trace has none */
	bool side_faults;		/* it holds the page faults */
	uint64_t side_images;		/* images whose maps it holds */
	uint64_t side_images_used;	/* execves that started with them */
	uint64_t side_ranges;		/* ranges they gave the reference */
	uint64_t side_resident_pages;	/* pages execve made resident
					 * there, by its "resident" lines */
	uint64_t max_map_count;		/* the reference's limit: from
					 * --max-map-count, the side file or
					 * Linux's default */
	/* the policy against the reference (two-sided runs) */
	bool two_sided;
	uint64_t findings;		/* causes that count against the
					 * policy (not outside) */
	uint64_t finding[CK_NKINDS];	/* causes by kind */
	uint64_t consequences;		/* findings after a quota ran out */
	uint64_t first_finding_line;
	struct gn_metrics gn;		/* the first process's component */
	uint64_t posix_mapped_peak, posix_writable_peak;
	double wall_s;
	int64_t run_id;			/* 0 without a database */
	bool interrupted;
	char error[512];		/* reader or database error */
	int status;			/* 0, or the exit status to use */
};

/*
 * rp_replay - replay @opt->trace.  Returns 0 when it ran to the end (the
 * summary says whether results differed), or the sysexits status of a
 * failure (65 bad line, 66/74 input, 73/74 database) with a message in
 * @sum->error, or 130/143 when @opt->stop was set by SIGINT/SIGTERM.
 */
int rp_replay(const struct rp_options *opt, struct rp_summary *sum);

const char *rp_touch_name(enum rp_touch t);	/* "first" */
/* The touch mode of that name ("none", "first", "all", "recorded"), or
 * -1. */
int rp_touch_parse(const char *name);
/*
 * rp_touch_resolve - the touch model a replay of @trace runs with when
 * asked for @t: AUTO becomes recorded where the side file has the page
 * faults, else first; recorded on a trace without them is -1 with the
 * reason in @why.  A side file that cannot be read resolves AUTO to first
 * (the replay then says what is wrong with it).
 */
int rp_touch_resolve(const char *trace, enum rp_touch t, char *why,
		     size_t size);

/*
 * rp_settings - what besides trace, policy and layout decides a run's
 * numbers, as one line ("Genode 26.02, RAM from the trace, caps 20000,
 * touch first"): runs with other settings are never compared in one
 * column.  A derived RAM quota is named by its rule, not its value, so
 * the traces of one comparison share their settings.
 */
void rp_settings(const struct rp_options *opt, char *buf, size_t size);

/*
 * The default RAM quota of a component replaying @trace: the Linux
 * reference's peak of writable mapped bytes (what an eager policy
 * commits) plus RP_RAM_MARGIN_PCT percent plus RP_RAM_MARGIN_FIXED for
 * the component's own metadata, in whole MiB.  rp_reference_need replays
 * the trace on the reference alone (no database) for that peak: 0 or a
 * status as rp_replay's with the message in @err.
 */
#define RP_RAM_MARGIN_PCT 50
#define RP_RAM_MARGIN_FIXED (32ULL << 20)
uint64_t rp_derive_ram(uint64_t writable_peak);
int rp_reference_need(const char *trace, uint64_t max_map_count,
		      uint64_t *writable_peak, char *err, size_t errsize);

#endif
