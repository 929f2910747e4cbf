/*
 * rmsim/db.h - the SQLite log (prefix db_).
 *
 * Every replay, comparison and conformance run appends to one database:
 * a run row, one event row per call replayed, the Genode operations
 * (mapping), the findings and the metrics.  Rows are written through
 * prepared statements in batched transactions (one COMMIT per DB_BATCH
 * events), in WAL mode, so a run that is interrupted keeps every committed
 * batch and a reader never sees half a batch.  Addresses are stored as
 * signed 64-bit integers (two's complement above 2^63); the views print
 * them in hex.  docs/database.md describes every table.
 */
#ifndef RMSIM_DB_H
#define RMSIM_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define DB_BATCH 16384

struct db;

/* What a failure was, so the command can pick its exit status. */
enum db_error {
	DB_OK = 0,
	DB_ECANTCREATE,		/* cannot open or create: exit 73 */
	DB_EIO,			/* read-only, full or I/O error: exit 74 */
	DB_ECORRUPT,		/* not an rmsim database: exit 65 */
};

/*
 * db_open - open or create the database at @path, set WAL, create the
 * schema.  Runs left "running" by a process that no longer exists are
 * marked "interrupted".  NULL on failure with *@err set and a message in
 * @msg.
 */
struct db *db_open(const char *path, enum db_error *err, char *msg,
		   size_t msg_size);
/*
 * db_open_scratch - db_open for a database that this machine reads once
 * and then removes (a worker's shard, merged by the runner): committed
 * rows survive the process (SQLite's WAL) but are never synced to disk
 * nor copied from the WAL into the file, and no indexes are built.  Such
 * a file is complete only together with its -wal and -shm files.  Rows
 * are inserted on the caller's thread (no writer thread): the runner
 * counts its worker as one core.  One thread only may use it.
 */
struct db *db_open_scratch(const char *path, enum db_error *err, char *msg,
			   size_t msg_size);
/* Commit what is pending, build the indexes (not on a scratch
 * database), close.  Returns DB_OK or an
 * error (message in db_errmsg before the close). */
enum db_error db_close(struct db *db);
const char *db_errmsg(const struct db *db);

struct db_run_info {
	const char *trace;	/* path as given, or a case directory */
	const char *trace_sha256; /* hex, or NULL */
	const char *policy;
	const char *params;
	const char *layout;
	const char *genode_version;
	const char *command;	/* replay, compare, conform */
	/* the settings (schema 2) */
	const char *policy_spec; /* the whole spec as given */
	const char *touch;	/* none, first, all */
	uint64_t ram_quota, caps_quota;	/* 0: none (linux, native) */
	bool ram_quota_derived;
	const char *settings;	/* rp_settings */
};

enum db_error db_run_begin(struct db *db, const struct db_run_info *info,
			   int64_t *run_id);
/* status: "complete", "interrupted" or "failed". */
/*
 * db_run_fail - after a write failed (the disk, a lock held too long):
 * drop what was not committed and mark the run failed with @detail and
 * the number of its events that were committed.  Best effort: it waits
 * for a lock as long as any write does.
 */
enum db_error db_run_fail(struct db *db, int64_t run_id, const char *detail);
enum db_error db_run_end(struct db *db, int64_t run_id, const char *status,
			 uint64_t events, double wall_ms, const char *detail);
/*
 * db_run_trace_sha256 - the run's trace checksum once the trace is read:
 * a strace -ff family is known only then (tr_sha256_read).
 */
enum db_error db_run_trace_sha256(struct db *db, int64_t run_id,
				  const char *hex);

/* A replay's non-fixed mmaps, as rp_summary counts them. */
struct db_addresses {
	uint64_t placed, exact, concurrent, concurrent_exact, random, unseen;
};

/* Write @a into the run row (before db_run_end). */
enum db_error db_run_addresses(struct db *db, int64_t run_id,
			       const struct db_addresses *a);

/* What --touch recorded gave a run (schema 4): the side file's page
 * faults, and its RssAnon samples against the reference. */
struct db_run_touch {
	uint64_t faults, faults_outside;
	uint64_t rss_samples;		/* 0: the errors are NULL */
	double rss_median_err, rss_worst_err;	/* relative, 0.018 = 1.8% */
};
enum db_error db_run_touch(struct db *db, int64_t run_id,
			   const struct db_run_touch *t);

/* One replayed call. */
struct db_event {
	uint64_t seq, line;
	int32_t pid;
	bool has_ts;
	int64_t ts_us;
	const char *call;
	unsigned nargs;
	uint64_t arg[6];
	bool traced_known;	/* false: the trace has "= ?" */
	int64_t traced_ret;
	int traced_errno;	/* 0 when the call succeeded */
	bool ref_known;
	int64_t ref_ret;
	int ref_errno;
	bool model_known;
	int64_t model_ret;
	int model_errno;
	const char *verdict;	/* "ok", "mismatch", "skipped", ... */
};

enum db_error db_event_add(struct db *db, int64_t run_id,
			   const struct db_event *ev);

/* One deviation. */
struct db_finding {
	uint64_t seq;		/* the event, 0 for none */
	const char *kind, *severity, *detail;
	/* the root cause the report groups by ("mprotect -> ENOSYS"), or
	 * NULL */
	const char *cause;
	/* follows from a quota exhausted earlier in the run */
	bool consequence;
};
enum db_error db_finding_add(struct db *db, int64_t run_id,
			     const struct db_finding *f);
enum db_error db_metric_add(struct db *db, int64_t run_id, const char *name,
			    double value);
/* What the replay noticed about the trace itself, not a deviation:
 * @kind "image" (a new program image without an execve line),
 * "threads" (calls of threads the trace did not follow). */
enum db_error db_note_add(struct db *db, int64_t run_id, uint64_t seq,
			  const char *kind, const char *detail);

/* One Genode operation (DESIGN §3.7 mapping). */
struct db_mapping {
	uint64_t seq;
	const char *op;		/* alloc, free, create, destroy, attach,
				 * detach, fault */
	const char *region_map;	/* "env", "rm1", ... */
	uint64_t at, size;
	const char *ds;		/* "ds3", "rm1", or NULL */
	uint64_t ds_offset;
	const char *rights;	/* "rw-", "r-x", ... */
};
enum db_error db_mapping_add(struct db *db, int64_t run_id,
			     const struct db_mapping *m);

enum db_error db_case_result_add(struct db *db, int64_t run_id,
				 const char *name, const char *verdict,
				 const char *detail);

/* Resource use at one point of a run (for the charts over events). */
struct db_sample {
	uint64_t seq;
	uint64_t ram_used, caps_used;	/* PD quota in use */
	uint64_t mappings;		/* POSIX mappings (reference VMAs) */
	uint64_t attachments;		/* Genode attachments, all maps */
};
enum db_error db_sample_add(struct db *db, int64_t run_id,
			    const struct db_sample *s);

/*
 * One region of an address-space map (snapshot "end" or "peak"): @space
 * is "env" or a region map's name, @kind one of fixed (Genode's own
 * areas: ld.lib.so, linker area, stack area, UTCBs, kernel-reserved),
 * window (a managed dataspace reserved by a policy), reserved (address
 * space held without RAM), committed (RAM attached), hole (a reserved
 * hole left by an implicit detach), free; @label names it.
 */
struct db_region {
	const char *snapshot;
	uint64_t seq;
	const char *space;
	uint64_t start, size;
	const char *kind;
	const char *label;
};
enum db_error db_region_add(struct db *db, int64_t run_id,
			    const struct db_region *r);

/* ---- merging shards (db_merge.c) ---- */

struct db_merger;

struct db_merge_stats {
	unsigned added;		/* runs copied */
	unsigned present;	/* runs the target held already */
	int64_t first;		/* the id of the first run copied, or 0 */
};

/*
 * db_merger_open - open (or create, with the schema) the database at
 * @path to merge shards into.  It holds no thread: a caller may fork
 * between merges.  NULL on failure with *@err and a message in @msg.
 */
struct db_merger *db_merger_open(const char *path, enum db_error *err,
				 char *msg, size_t size);
/*
 * db_merger_add - merge every run of the database @shard, whole or not
 * at all: refused (DB_ECORRUPT, message in @msg) when the shard is
 * corrupt, of another schema version, or holds a run still running or
 * interrupted.  With @status (a worker that crashed or timed out), such
 * runs are merged and marked @status with @detail instead.  A run equal
 * to one already present in every column but its id is not copied
 * again.
 */
enum db_error db_merger_add(struct db_merger *m, const char *shard,
			    const char *status, const char *detail,
			    struct db_merge_stats *st, char *msg, size_t size);
/*
 * db_merger_own_shards - the shards merged next are the caller's, written
 * on this machine a moment ago by its own worker processes (a runner):
 * they are not read page by page by quick_check first.  Every other
 * check stays.
 */
void db_merger_own_shards(struct db_merger *m);
enum db_error db_merger_close(struct db_merger *m);
/* Call @fn for each case_result row of the database @path, in order
 * (conform reads its workers' verdicts back from their shards). */
enum db_error db_read_cases(const char *path,
			    void (*fn)(void *arg, const char *name,
				       const char *verdict, const char *detail),
			    void *arg, char *msg, size_t size);

/* Commit the open batch now (before a risky step, or on a signal). */
enum db_error db_flush(struct db *db);

#endif
