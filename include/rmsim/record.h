/*
 * rmsim/record.h - recording a program (prefix rec_): strace with the
 * options and calls the replay needs, perf for the page faults, and the
 * side file (docs/recording.md) with what neither shows.
 *
 * The recorder runs existing tools and reads nothing back by a parser of
 * its own: strace's lines go through the trace reader's line splitter
 * (to find each execve as it completes) and, at the end, through the
 * trace reader (to count what was recorded).
 */
#ifndef RMSIM_RECORD_H
#define RMSIM_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum rec_faults {
	REC_FAULTS_AUTO,	/* record them where perf can */
	REC_FAULTS_ON,		/* record them or fail */
	REC_FAULTS_OFF
};

struct rec_options {
	const char *out;	/* trace file; .xz and .gz compress */
	enum rec_faults faults;
	unsigned rss_period_ms;	/* RssAnon sampling period; 0: 100 */
	unsigned exec_hold_ms;	/* how long each execve is held for its
				 * maps to be read; 0: 50 */
	char *const *argv;	/* the program and its arguments */
	bool quiet;		/* no summary */
};

/* What a recording produced, for the summary. */
struct rec_result {
	int status;		/* the program's wait status */
	char side_path[4096];
	uint64_t events;	/* memory events, as the reader counts them */
	uint64_t lines;
	uint64_t processes;	/* distinct pids in the trace */
	uint64_t trace_bytes;	/* written, compressed where asked */
	uint64_t trace_text_bytes;
	uint64_t side_bytes;
	uint64_t execs, execs_exact, maps;
	uint64_t rss_samples;
	uint64_t faults;	/* of the traced processes */
	bool faults_recorded;
	char faults_why[256];	/* why faults were not recorded */
};

/*
 * Exit codes of rec_run beyond the program's own status: the recorder's
 * failures, distinct from the program's.
 */
enum {
	REC_ERR_USAGE = -64,
	REC_ERR_TOOL = -69,	/* strace or perf missing or refusing */
	REC_ERR_INTERNAL = -70,
	REC_ERR_WRITE = -73,
};

/*
 * rec_run - record @o->argv.  Returns 0 with @res filled (the program
 * ran; its status is res->status), or a REC_ERR_* with a message in
 * @err.
 */
int rec_run(const struct rec_options *o, struct rec_result *res, char *err,
	    size_t errsize);

/*
 * rec_strace_argv - the strace command line rec_run uses for @o, up to
 * and including "--"; NULL-terminated, in @argv (at least 32 slots).
 * @fifo is where strace writes.  Returns the count.
 */
int rec_strace_argv(const struct rec_options *o, const char *fifo,
		    char *hold, size_t hold_size, const char **argv);

#endif
