/*
 * db.c - the SQLite log: open, schema, runs, and batched inserts.
 *
 * One write transaction stays open while a run loads; it is committed
 * every DB_BATCH events and at the end, so the cost per row is a bind and
 * a step (about a microsecond) instead of a sync.  The two tables that
 * take a row per event or more (event, mapping) go further: their rows
 * are inserted in blocks by a writer thread (db_rows.c); a commit drains
 * it first.  Foreign keys are
 * declared but not enforced while loading: every run_id written is the
 * run's own, and the check would cost a lookup per row.  WAL with
 * synchronous=NORMAL keeps every committed batch across a crash of the
 * process; only power loss may cost the last batches, which is fine for
 * a log.  Errors are sorted into "cannot create" and "cannot write"
 * because the command reports them with different exit statuses.
 */
#include "db_internal.h"
#include "rmsim/abi.h"

#include "schema.sql.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#ifndef RMSIM_VERSION
#define RMSIM_VERSION "0"
#endif

static const char *const stmt_sql[ST_COUNT] = {
	[ST_EVENT] = "INSERT INTO event VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,"
		     "?,?,?,?)",
	[ST_FINDING] = "INSERT INTO finding VALUES(?,?,?,?,?,?,?)",
	[ST_METRIC] = "INSERT OR REPLACE INTO metric VALUES(?,?,?)",
	[ST_MAPPING] = "INSERT INTO mapping VALUES(?,?,?,?,?,?,?,?,?)",
	[ST_CASE] = "INSERT INTO case_result VALUES(?,?,?,?)",
	[ST_SAMPLE] = "INSERT INTO sample VALUES(?,?,?,?,?,?)",
	[ST_REGION] = "INSERT INTO region VALUES(?,?,?,?,?,?,?,?)",
	[ST_NOTE] = "INSERT INTO note VALUES(?,?,?,?)",
};

enum db_error db_classify(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_CANTOPEN:
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return DB_ECANTCREATE;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
		return DB_ECORRUPT;
	default:
		return DB_EIO;
	}
}

enum db_error db_fail(struct db *db, int rc, const char *what)
{
	snprintf(db->msg, sizeof(db->msg), "%s: %s", what,
		 sqlite3_errmsg(db->h));
	return db_classify(rc);
}

static enum db_error exec(struct db *db, const char *sql, const char *what)
{
	int rc = sqlite3_exec(db->h, sql, NULL, NULL, NULL);

	return rc == SQLITE_OK ? DB_OK : db_fail(db, rc, what);
}

const char *db_errmsg(const struct db *db)
{
	return db->msg;
}

/* ---- open, commit, close ---- */

/*
 * Is the file rmsim's to write?  An empty file, or one whose meta table
 * names a schema version this rmsim writes.  Tables of someone else's
 * (no meta table, or no version in it) and a newer version are refused:
 * adding rmsim's tables to them, or rows they may not mean, would change
 * a file rmsim does not understand.
 */
static enum db_error check_file(struct db *db)
{
	sqlite3_stmt *q;
	int rc, tables = 0, meta = 0;
	long version = -1;

	rc = sqlite3_prepare_v2(db->h,
				"SELECT count(*), sum(name='meta') FROM "
				"sqlite_schema WHERE type='table'",
				-1, &q, NULL);
	if (rc != SQLITE_OK)
		return db_fail(db, rc, "cannot read the file");
	rc = sqlite3_step(q);
	if (rc == SQLITE_ROW) {
		tables = sqlite3_column_int(q, 0);
		meta = sqlite3_column_int(q, 1);
	}
	sqlite3_finalize(q);
	if (rc != SQLITE_ROW)
		return db_fail(db, rc, "cannot read the file");
	if (tables == 0)
		return DB_OK;
	if (meta &&
	    sqlite3_prepare_v2(db->h,
			       "SELECT value FROM meta WHERE "
			       "key='schema_version'",
			       -1, &q, NULL) == SQLITE_OK) {
		if (sqlite3_step(q) == SQLITE_ROW &&
		    sqlite3_column_type(q, 0) == SQLITE_TEXT)
			version = strtol((const char *)sqlite3_column_text(q, 0),
					 NULL, 10);
		sqlite3_finalize(q);
	}
	if (version < 1) {
		snprintf(db->msg, sizeof(db->msg),
			 "not an rmsim database (it has %d tables of its own "
			 "and no rmsim schema version): left as it is",
			 tables);
		return DB_ECORRUPT;
	}
	if (version > DB_SCHEMA_VERSION) {
		snprintf(db->msg, sizeof(db->msg),
			 "written by a newer rmsim (schema version %ld; this "
			 "one writes %d): left as it is",
			 version, DB_SCHEMA_VERSION);
		return DB_ECORRUPT;
	}
	return DB_OK;
}

#define DB_STR2(x) #x
#define DB_STR(x) DB_STR2(x)

/* A file written by an older rmsim gains the newer columns. */
static enum db_error upgrade(struct db *db)
{
	enum db_error e = DB_OK;
	sqlite3_stmt *q;
	int rc, version = 0;

	rc = sqlite3_prepare_v2(db->h,
				"SELECT value FROM meta WHERE "
				"key='schema_version'",
				-1, &q, NULL);
	if (rc != SQLITE_OK)
		return db_fail(db, rc, "cannot read the schema version");
	if (sqlite3_step(q) == SQLITE_ROW && sqlite3_column_text(q, 0))
		version = atoi((const char *)sqlite3_column_text(q, 0));
	sqlite3_finalize(q);
	if (version == 1)
		e = exec(db, db_upgrade_1_sql, "cannot upgrade the schema");
	if (!e && version >= 1 && version <= 2)
		e = exec(db, db_upgrade_2_sql, "cannot upgrade the schema");
	if (!e && version >= 1 && version <= 3)
		e = exec(db, db_upgrade_3_sql, "cannot upgrade the schema");
	return e;
}

/* Runs marked running whose process is gone were cut off (a crash, a
 * kill -9): say so instead of leaving them running forever. */
static enum db_error mark_stale_runs(struct db *db)
{
	sqlite3_stmt *q, *u;
	char host[256] = "";
	int rc;

	gethostname(host, sizeof(host) - 1);
	rc = sqlite3_prepare_v2(db->h,
				"SELECT id, pid FROM run WHERE status='running'"
				" AND (host IS NULL OR host=?)",
				-1, &q, NULL);
	if (rc != SQLITE_OK)
		return db_fail(db, rc, "cannot read runs");
	rc = sqlite3_prepare_v2(db->h,
				"UPDATE run SET status='interrupted', detail="
				"'process ended without closing the run' "
				"WHERE id=?",
				-1, &u, NULL);
	if (rc != SQLITE_OK) {
		sqlite3_finalize(q);
		return db_fail(db, rc, "cannot update runs");
	}
	sqlite3_bind_text(q, 1, host, -1, SQLITE_TRANSIENT);
	while ((rc = sqlite3_step(q)) == SQLITE_ROW) {
		pid_t pid = (pid_t)sqlite3_column_int64(q, 1);

		if (kill(pid, 0) == 0 || errno == EPERM)
			continue;
		sqlite3_bind_int64(u, 1, sqlite3_column_int64(q, 0));
		sqlite3_step(u);
		sqlite3_reset(u);
	}
	sqlite3_finalize(q);
	sqlite3_finalize(u);
	return rc == SQLITE_DONE ? DB_OK : db_fail(db, rc, "cannot read runs");
}

/*
 * Once per process, before SQLite starts: no memory statistics.  With
 * them (the default) every allocation SQLite makes takes a global mutex.
 * Nothing here reads sqlite3_memory_used().  A process where SQLite
 * already started keeps its settings (sqlite3_config refuses, harmlessly).
 */
static void sqlite_setup(void)
{
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
}

static struct db *open_db(const char *path, bool scratch,
			  enum db_error *err, char *msg, size_t msg_size)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	struct db *db = calloc(1, sizeof(*db));
	int rc, i;

	pthread_once(&once, sqlite_setup);
	if (!db) {
		*err = DB_EIO;
		snprintf(msg, msg_size, "%s: out of memory", path);
		return NULL;
	}
	/* serialized: the writer thread inserts event and mapping rows
	 * while the replay may log a finding (db_rows.c); a scratch
	 * database has no writer thread, one thread uses it */
	rc = sqlite3_open_v2(path, &db->h,
			     SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
				     (scratch ? SQLITE_OPEN_NOMUTEX
					      : SQLITE_OPEN_FULLMUTEX),
			     NULL);
	if (rc != SQLITE_OK) {
		*err = db_fail(db, rc, "cannot open");
		goto error;
	}
	sqlite3_busy_timeout(db->h, 5000);
	sqlite3_extended_result_codes(db->h, 1);
	/* before anything is set: even journal_mode changes a file */
	*err = check_file(db);
	if (*err)
		goto error;
	*err = exec(db,
		    /* 16 KiB pages: a fifth less per appended row than 4 KiB
		     * (a new file only; WAL fixes the size) */
		    "PRAGMA page_size=16384;"
		    "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;"
		    "PRAGMA cache_size=-16384; PRAGMA wal_autocheckpoint=4096;"
		    "PRAGMA foreign_keys=OFF;",
		    "cannot set up");
	if (*err)
		goto error;
	if (scratch) {
		/* read once on this machine, then removed: a process that
		 * dies leaves the committed rows (WAL without fsync keeps
		 * them in the page cache), and nothing is copied from the
		 * WAL into the file, at checkpoints or at the close (the
		 * merge reads the WAL) */
		db->scratch = true;
		*err = exec(db,
			    "PRAGMA synchronous=OFF; "
			    "PRAGMA wal_autocheckpoint=0;",
			    "cannot set up");
		if (!*err &&
		    sqlite3_db_config(db->h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE,
				      1, (int *)NULL) != SQLITE_OK)
			*err = db_fail(db, sqlite3_errcode(db->h),
				       "cannot set up");
		if (*err)
			goto error;
	}
	*err = exec(db, "BEGIN IMMEDIATE", "cannot write");
	if (*err)
		goto error;
	*err = exec(db, db_schema_sql, "cannot create the schema");
	if (!*err)
		*err = exec(db,
			    "INSERT OR IGNORE INTO meta VALUES('schema_version',"
			    "'" DB_STR(DB_SCHEMA_VERSION) "')",
			    "cannot create the schema");
	if (!*err)
		*err = upgrade(db);
	if (!*err)
		*err = mark_stale_runs(db);
	if (!*err)
		*err = exec(db, "COMMIT", "cannot write");
	if (*err)
		goto error;
	for (i = 0; i < ST_COUNT; i++) {
		rc = sqlite3_prepare_v3(db->h, stmt_sql[i], -1,
					SQLITE_PREPARE_PERSISTENT, &db->st[i],
					NULL);
		if (rc != SQLITE_OK) {
			*err = db_fail(db, rc, "cannot prepare");
			goto error;
		}
	}
	rc = db_rows_init(db, &db->events, ST_EVENT, "event", EVENT_COLS,
			  false, "cannot log an event");
	if (rc == SQLITE_OK)
		rc = db_rows_init(db, &db->mappings, ST_MAPPING, "mapping",
				  MAPPING_COLS, false, "cannot log a mapping");
	if (rc == SQLITE_OK)
		rc = db_rows_init(db, &db->findings, ST_FINDING, "finding",
				  FINDING_COLS, true, "cannot log a finding");
	if (rc != SQLITE_OK) {
		*err = db_fail(db, rc, "cannot prepare");
		goto error;
	}
	if (!scratch && db_writer_start(db)) {
		*err = DB_EIO;
		snprintf(db->msg, sizeof(db->msg), "cannot start a thread");
		goto error;
	}
	return db;
error:
	snprintf(msg, msg_size, "%s: %s", path, db->msg);
	db_rows_fini(&db->events);
	db_rows_fini(&db->mappings);
	db_rows_fini(&db->findings);
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(db->st[i]);
	sqlite3_close(db->h);
	free(db);
	return NULL;
}

struct db *db_open(const char *path, enum db_error *err, char *msg,
		   size_t msg_size)
{
	return open_db(path, false, err, msg, msg_size);
}

struct db *db_open_scratch(const char *path, enum db_error *err, char *msg,
			   size_t msg_size)
{
	return open_db(path, true, err, msg, msg_size);
}

enum db_error db_flush(struct db *db)
{
	enum db_error e;

	if (!db->in_tx)
		return DB_OK;
	e = db_rows_flush(db);
	if (e) {
		db->in_tx = false;
		db->pending = 0;
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		return e;
	}
	db->in_tx = false;
	db->pending = 0;
	e = exec(db, "COMMIT", "cannot commit");
	if (e)
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
	return e;
}

/* Open the batch transaction if needed; commit when it is full. */
static enum db_error batch(struct db *db)
{
	enum db_error e;

	if (db->in_tx && db->pending >= DB_BATCH) {
		/* the writer commits in its turn, after the rows before */
		e = db_writer_commit(db);
		if (e)
			return e;
		db->pending = 0;
	}
	if (!db->in_tx) {
		e = exec(db, "BEGIN", "cannot write");
		if (e)
			return e;
		db->in_tx = true;
	}
	db->pending++;
	return DB_OK;
}

/* Step a bound insert and reset it. */
static enum db_error step(struct db *db, enum stmt s, const char *what)
{
	int rc = sqlite3_step(db->st[s]);

	sqlite3_reset(db->st[s]);
	return rc == SQLITE_DONE ? DB_OK : db_fail(db, rc, what);
}

enum db_error db_close(struct db *db)
{
	enum db_error e;
	int i;

	if (!db)
		return DB_OK;
	e = db_flush(db);
	/* a scratch database is read once, whole: indexes would only cost */
	if (!e && !db->scratch)
		e = exec(db, db_index_sql, "cannot build indexes");
	if (!e && !db->scratch)
		e = exec(db, "PRAGMA optimize", "cannot optimize");
	db_writer_stop(db);
	db_rows_fini(&db->events);
	db_rows_fini(&db->mappings);
	db_rows_fini(&db->findings);
	for (i = 0; i < ST_COUNT; i++)
		sqlite3_finalize(db->st[i]);
	if (sqlite3_close(db->h) != SQLITE_OK && !e)
		e = DB_EIO;
	free(db);
	return e;
}

static void bind_text(sqlite3_stmt *s, int i, const char *t)
{
	if (t)
		sqlite3_bind_text(s, i, t, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

enum db_error db_run_begin(struct db *db, const struct db_run_info *info,
			   int64_t *run_id)
{
	sqlite3_stmt *s;
	char now[32], host[256] = "";
	time_t t = time(NULL);
	struct tm tm;
	enum db_error e;
	int rc;

	e = db_flush(db);
	if (e)
		return e;
	gmtime_r(&t, &tm);
	strftime(now, sizeof(now), "%Y-%m-%dT%H:%M:%SZ", &tm);
	gethostname(host, sizeof(host) - 1);
	rc = sqlite3_prepare_v2(
		db->h,
		"INSERT INTO run(started_utc, tool_version, command, trace,"
		" trace_sha256, policy, params, layout, genode_version,"
		" status, pid, host, policy_spec, touch, ram_quota,"
		" ram_quota_derived, caps_quota, settings)"
		" VALUES(?,?,?,?,?,?,?,?,?,'running',?,?,?,?,?,?,?,?)",
		-1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_fail(db, rc, "cannot start the run");
	bind_text(s, 1, now);
	bind_text(s, 2, RMSIM_VERSION);
	bind_text(s, 3, info->command ? info->command : "replay");
	bind_text(s, 4, info->trace);
	bind_text(s, 5, info->trace_sha256);
	bind_text(s, 6, info->policy);
	bind_text(s, 7, info->params);
	bind_text(s, 8, info->layout);
	bind_text(s, 9, info->genode_version);
	sqlite3_bind_int64(s, 10, getpid());
	bind_text(s, 11, host);
	bind_text(s, 12, info->policy_spec);
	bind_text(s, 13, info->touch);
	if (info->ram_quota) {
		sqlite3_bind_int64(s, 14, (sqlite3_int64)info->ram_quota);
		sqlite3_bind_int64(s, 15, info->ram_quota_derived);
	}
	if (info->caps_quota)
		sqlite3_bind_int64(s, 16, (sqlite3_int64)info->caps_quota);
	bind_text(s, 17, info->settings);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return db_fail(db, rc, "cannot start the run");
	*run_id = sqlite3_last_insert_rowid(db->h);
	return DB_OK;
}

enum db_error db_run_end(struct db *db, int64_t run_id, const char *status,
			 uint64_t events, double wall_ms, const char *detail)
{
	sqlite3_stmt *s;
	enum db_error e;
	int rc;

	/* the rows first: a run that says complete has all its rows */
	e = db_flush(db);
	if (e)
		return e;
	rc = sqlite3_prepare_v2(db->h,
				"UPDATE run SET status=?, events=?, wall_ms=?,"
				" detail=? WHERE id=?",
				-1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_fail(db, rc, "cannot end the run");
	bind_text(s, 1, status);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)events);
	sqlite3_bind_double(s, 3, wall_ms);
	bind_text(s, 4, detail);
	sqlite3_bind_int64(s, 5, run_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? DB_OK : db_fail(db, rc, "cannot end the run");
}

/* A value for set_run: an integer, a real, a text, or NULL. */
struct run_val {
	enum { RV_INT, RV_REAL, RV_TEXT, RV_NULL } type;
	int64_t i;
	double d;
	const char *t;
};

/* UPDATE run SET @set WHERE id=@run_id, @set's n placeholders bound to
 * @v in order; @what names the change in an error. */
static enum db_error set_run(struct db *db, int64_t run_id, const char *set,
			     const struct run_val *v, int n, const char *what)
{
	char sql[256];
	sqlite3_stmt *s;
	int rc, k;

	snprintf(sql, sizeof(sql), "UPDATE run SET %s WHERE id=?", set);
	rc = sqlite3_prepare_v2(db->h, sql, -1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_fail(db, rc, what);
	for (k = 0; k < n; k++)
		switch (v[k].type) {
		case RV_INT:
			sqlite3_bind_int64(s, k + 1, v[k].i);
			break;
		case RV_REAL:
			sqlite3_bind_double(s, k + 1, v[k].d);
			break;
		case RV_TEXT:
			bind_text(s, k + 1, v[k].t);
			break;
		case RV_NULL:
			break;
		}
	sqlite3_bind_int64(s, n + 1, run_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? DB_OK : db_fail(db, rc, what);
}

enum db_error db_run_addresses(struct db *db, int64_t run_id,
			       const struct db_addresses *a)
{
	const struct run_val v[] = {
		{RV_INT, (int64_t)a->placed, 0, NULL},
		{RV_INT, (int64_t)a->exact, 0, NULL},
		{RV_INT, (int64_t)a->concurrent, 0, NULL},
		{RV_INT, (int64_t)a->concurrent_exact, 0, NULL},
		{RV_INT, (int64_t)a->random, 0, NULL},
		{RV_INT, (int64_t)a->unseen, 0, NULL},
	};

	return set_run(db, run_id,
		       "mmaps_placed=?, mmaps_exact=?, mmaps_concurrent=?,"
		       " mmaps_concurrent_exact=?, mmaps_random=?,"
		       " mmaps_unseen=?",
		       v, 6, "cannot end the run");
}

enum db_error db_run_touch(struct db *db, int64_t run_id,
			   const struct db_run_touch *t)
{
	/* no sample compared: no error figures (NULL) */
	int err = t->rss_samples ? RV_REAL : RV_NULL;
	const struct run_val v[] = {
		{RV_INT, (int64_t)t->faults, 0, NULL},
		{RV_INT, (int64_t)t->faults_outside, 0, NULL},
		{RV_INT, (int64_t)t->rss_samples, 0, NULL},
		{err, 0, t->rss_median_err, NULL},
		{err, 0, t->rss_worst_err, NULL},
	};

	return set_run(db, run_id,
		       "faults=?, faults_outside=?, rss_samples=?,"
		       " rss_median_err=?, rss_worst_err=?",
		       v, 5, "cannot end the run");
}

enum db_error db_run_trace_sha256(struct db *db, int64_t run_id,
				  const char *hex)
{
	const struct run_val v[] = {{RV_TEXT, 0, 0, hex}};

	return set_run(db, run_id, "trace_sha256=?", v, 1,
		       "cannot set the trace checksum");
}

enum db_error db_run_fail(struct db *db, int64_t run_id, const char *detail)
{
	struct rowbuf *bufs[3] = {&db->events, &db->mappings, &db->findings};
	sqlite3_stmt *s;
	int rc, i;

	/* what was not committed is lost with the error: the run keeps
	 * what was, and says why it ends */
	db_rows_drain(db);
	for (i = 0; i < 3; i++) {
		bufs[i]->n = 0;
		bufs[i]->text_used = 0;
	}
	if (db->in_tx) {
		sqlite3_exec(db->h, "ROLLBACK", NULL, NULL, NULL);
		db->in_tx = false;
		db->pending = 0;
	}
	rc = sqlite3_prepare_v2(db->h,
				"UPDATE run SET status='failed', detail=?1,"
				" events=(SELECT count(*) FROM event WHERE"
				" run_id=?2) WHERE id=?2",
				-1, &s, NULL);
	if (rc != SQLITE_OK)
		return db_fail(db, rc, "cannot mark the run failed");
	bind_text(s, 1, detail);
	sqlite3_bind_int64(s, 2, run_id);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	return rc == SQLITE_DONE ? DB_OK
				 : db_fail(db, rc, "cannot mark the run failed");
}

static void v_errno(struct dbval *v, bool known, int e)
{
	const char *n = known && e ? abi_errno_name(e) : NULL;

	if (!known || e == 0)
		v->type = SQLITE_NULL;
	else if (n)
		v_static(v, n);
	else
		v_int(v, e);
}

enum db_error db_event_add(struct db *db, int64_t run_id,
			   const struct db_event *ev)
{
	enum db_error e = batch(db);
	struct dbval *v = db_row_next(&db->events);
	unsigned i;

	if (e)
		return e;
	v_int(&v[0], run_id);
	v_int(&v[1], (int64_t)ev->seq);
	v_int(&v[2], (int64_t)ev->line);
	v_int(&v[3], ev->pid);
	v_opt_int(&v[4], ev->has_ts, ev->ts_us);
	v_copy(&v[5], ev->call);
	for (i = 0; i < 6; i++)
		v_opt_int(&v[6 + i], i < ev->nargs, (int64_t)ev->arg[i]);
	v_opt_int(&v[12], ev->traced_known, ev->traced_ret);
	v_errno(&v[13], ev->traced_known, ev->traced_errno);
	v_opt_int(&v[14], ev->ref_known, ev->ref_ret);
	v_errno(&v[15], ev->ref_known, ev->ref_errno);
	v_opt_int(&v[16], ev->model_known, ev->model_ret);
	v_errno(&v[17], ev->model_known, ev->model_errno);
	v_copy(&v[18], ev->verdict);
	return db_row_done(db, &db->events);
}

enum db_error db_finding_add(struct db *db, int64_t run_id,
			     const struct db_finding *f)
{
	enum db_error e = batch(db);
	struct dbval *v = db_row_next(&db->findings);

	if (e)
		return e;
	v_int(&v[0], run_id);
	v_opt_int(&v[1], f->seq != 0, (int64_t)f->seq);
	v_copy(&v[2], f->kind);
	v_copy(&v[3], f->severity);
	v_text(&db->findings, &v[4], f->detail);
	v_copy(&v[5], f->cause);
	v_int(&v[6], f->consequence);
	return db_row_done(db, &db->findings);
}

enum db_error db_metric_add(struct db *db, int64_t run_id, const char *name,
			    double value)
{
	sqlite3_stmt *s = db->st[ST_METRIC];
	enum db_error e = batch(db);

	if (e)
		return e;
	sqlite3_bind_int64(s, 1, run_id);
	bind_text(s, 2, name);
	sqlite3_bind_double(s, 3, value);
	return step(db, ST_METRIC, "cannot log a metric");
}

enum db_error db_note_add(struct db *db, int64_t run_id, uint64_t seq,
			  const char *kind, const char *detail)
{
	sqlite3_stmt *s = db->st[ST_NOTE];
	enum db_error e = batch(db);

	if (e)
		return e;
	sqlite3_bind_int64(s, 1, run_id);
	if (seq)
		sqlite3_bind_int64(s, 2, (int64_t)seq);
	else
		sqlite3_bind_null(s, 2);
	bind_text(s, 3, kind);
	bind_text(s, 4, detail);
	return step(db, ST_NOTE, "cannot log a note");
}

enum db_error db_mapping_add(struct db *db, int64_t run_id,
			     const struct db_mapping *m)
{
	enum db_error e = batch(db);
	struct dbval *v = db_row_next(&db->mappings);

	if (e)
		return e;
	v_int(&v[0], run_id);
	v_int(&v[1], (int64_t)m->seq);
	v_copy(&v[2], m->op);
	v_copy(&v[3], m->region_map);
	v_int(&v[4], (int64_t)m->at);
	v_int(&v[5], (int64_t)m->size);
	v_copy(&v[6], m->ds);
	v_int(&v[7], (int64_t)m->ds_offset);
	v_copy(&v[8], m->rights);
	return db_row_done(db, &db->mappings);
}

enum db_error db_case_result_add(struct db *db, int64_t run_id,
				 const char *name, const char *verdict,
				 const char *detail)
{
	sqlite3_stmt *s = db->st[ST_CASE];
	enum db_error e = batch(db);

	if (e)
		return e;
	sqlite3_bind_int64(s, 1, run_id);
	bind_text(s, 2, name);
	bind_text(s, 3, verdict);
	bind_text(s, 4, detail);
	return step(db, ST_CASE, "cannot log a case result");
}

enum db_error db_sample_add(struct db *db, int64_t run_id,
			    const struct db_sample *x)
{
	sqlite3_stmt *s = db->st[ST_SAMPLE];
	enum db_error e = batch(db);

	if (e)
		return e;
	sqlite3_bind_int64(s, 1, run_id);
	sqlite3_bind_int64(s, 2, (sqlite3_int64)x->seq);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)x->ram_used);
	sqlite3_bind_int64(s, 4, (sqlite3_int64)x->caps_used);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)x->mappings);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)x->attachments);
	return step(db, ST_SAMPLE, "cannot log a sample");
}

enum db_error db_region_add(struct db *db, int64_t run_id,
			    const struct db_region *r)
{
	sqlite3_stmt *s = db->st[ST_REGION];
	enum db_error e = batch(db);

	if (e)
		return e;
	sqlite3_bind_int64(s, 1, run_id);
	bind_text(s, 2, r->snapshot);
	sqlite3_bind_int64(s, 3, (sqlite3_int64)r->seq);
	bind_text(s, 4, r->space);
	sqlite3_bind_int64(s, 5, (sqlite3_int64)r->start);
	sqlite3_bind_int64(s, 6, (sqlite3_int64)r->size);
	bind_text(s, 7, r->kind);
	bind_text(s, 8, r->label);
	return step(db, ST_REGION, "cannot log a region");
}
