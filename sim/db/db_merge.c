/*
 * db_merge.c - merging shard databases into one: what `rmsim merge` does
 * with shards written across machines, and what compare and sweep do
 * with the shard each worker process writes (the parent is the one
 * writer of the database the user named).
 *
 * ALGORITHM: the shard is attached to the target's connection and judged
 * first: quick_check passes (not for a runner's own shards:
 * db_merger_own_shards), it is an rmsim database of the target's
 * schema version, and no run in it is still running or was interrupted
 * (unless the caller says how that run ended: a worker that crashed or
 * timed out).  Then, in one transaction, each run of the shard is copied
 * unless the target already holds a run equal in every column but its id
 * (the same shard merged twice adds nothing; runs that differ in any
 * setting, or that ran at another time or in another process, stay
 * apart), and with it the rows of every table that has a run_id column,
 * in their order, under the run's new id.  Any error rolls the whole
 * shard back: a shard is merged whole or not at all.
 *
 * The columns are read from the schema (PRAGMA table_info), so a column
 * added to a table is merged without a change here.
 */
#include "db_internal.h"

#include "schema.sql.h"

#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SQL_MAX 4096
#define MAX_TABLES 32

struct db_merger {
	sqlite3 *h;
	char path[1024];
	bool own;		/* db_merger_own_shards */
};

static int fail(sqlite3 *h, int rc, char *msg, size_t size, const char *what)
{
	snprintf(msg, size, "%s: %s", what, sqlite3_errmsg(h));
	return db_classify(rc);
}

/* One text value of a one-row query, or "" when there is none. */
static int query_text(sqlite3 *h, const char *sql, char *out, size_t size)
{
	sqlite3_stmt *s;
	int rc = sqlite3_prepare_v2(h, sql, -1, &s, NULL);

	out[0] = '\0';
	if (rc != SQLITE_OK)
		return rc;
	rc = sqlite3_step(s);
	if (rc == SQLITE_ROW) {
		const unsigned char *t = sqlite3_column_text(s, 0);

		snprintf(out, size, "%s", t ? (const char *)t : "");
		rc = SQLITE_OK;
	} else if (rc == SQLITE_DONE) {
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	return rc;
}

struct db_merger *db_merger_open(const char *path, enum db_error *err,
				 char *msg, size_t size)
{
	struct db_merger *m;
	struct db *db;

	/* db_open creates the schema (and closes its writer thread again:
	 * callers fork workers between merges) */
	db = db_open(path, err, msg, size);
	if (!db)
		return NULL;
	*err = db_close(db);
	if (*err) {
		snprintf(msg, size, "%s: cannot finish the database", path);
		return NULL;
	}
	m = calloc(1, sizeof(*m));
	if (!m) {
		*err = DB_EIO;
		snprintf(msg, size, "out of memory");
		return NULL;
	}
	snprintf(m->path, sizeof(m->path), "%s", path);
	if (sqlite3_open_v2(path, &m->h, SQLITE_OPEN_READWRITE, NULL) !=
	    SQLITE_OK) {
		*err = DB_ECANTCREATE;
		snprintf(msg, size, "%s: %s", path, sqlite3_errmsg(m->h));
		sqlite3_close(m->h);
		free(m);
		return NULL;
	}
	sqlite3_busy_timeout(m->h, 5000);
	sqlite3_extended_result_codes(m->h, 1);
	/* a shard is merged in one transaction: a cache that holds the
	 * pages it changes keeps them from spilling into the WAL twice, and
	 * checkpoints as far apart as db_open's */
	sqlite3_exec(m->h,
		     "PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=OFF;"
		     "PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=4096",
		     NULL, NULL, NULL);
	return m;
}

void db_merger_own_shards(struct db_merger *m)
{
	m->own = true;
}

enum db_error db_merger_close(struct db_merger *m)
{
	int rc;

	if (!m)
		return DB_OK;
	rc = sqlite3_exec(m->h, "PRAGMA optimize", NULL, NULL, NULL);
	if (sqlite3_close(m->h) != SQLITE_OK)
		rc = SQLITE_ERROR;
	free(m);
	return rc == SQLITE_OK ? DB_OK : DB_EIO;
}

/* The columns of @db.@table but @skip, comma-separated, into @out;
 * whether it has a column @want.  -1 on error. */
static int columns(sqlite3 *h, const char *db, const char *table,
		   const char *skip, const char *want, char *out, size_t size,
		   bool *has)
{
	char sql[256];
	sqlite3_stmt *s;
	size_t used = 0;
	int rc;

	snprintf(sql, sizeof(sql), "PRAGMA %s.table_info(\"%s\")", db, table);
	if (sqlite3_prepare_v2(h, sql, -1, &s, NULL) != SQLITE_OK)
		return -1;
	out[0] = '\0';
	*has = false;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(s, 1);

		if (want && strcmp(c, want) == 0)
			*has = true;
		if (skip && strcmp(c, skip) == 0)
			continue;
		used += (size_t)snprintf(out + used,
					 used < size ? size - used : 0,
					 "%s\"%s\"", used ? "," : "", c);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE && used < size ? 0 : -1;
}

/* Is the shard whole, of our schema, and finished?  0, or the error. */
static enum db_error judge(struct db_merger *m, const char *shard,
			   bool allow_unfinished, char *msg, size_t size)
{
	char v[64], mine[64], sql[256];
	int rc;

	/* a shard written here a moment ago by the caller's own worker is
	 * not read page by page first: the check costs about a sixth of
	 * the merge, and what it guards against (a file damaged on its way from
	 * another machine) cannot happen to it */
	rc = m->own ? SQLITE_OK
		    : query_text(m->h, "PRAGMA s.quick_check", v, sizeof(v));
	if (rc != SQLITE_OK || (!m->own && strcmp(v, "ok") != 0)) {
		snprintf(msg, size, "%s: corrupt (%s)", shard,
			 rc != SQLITE_OK ? sqlite3_errmsg(m->h) : v);
		return DB_ECORRUPT;
	}
	rc = query_text(m->h,
			"SELECT value FROM s.meta WHERE key='schema_version'",
			v, sizeof(v));
	if (rc != SQLITE_OK || !v[0]) {
		snprintf(msg, size, "%s: not an rmsim database", shard);
		return DB_ECORRUPT;
	}
	query_text(m->h,
		   "SELECT value FROM main.meta WHERE key='schema_version'",
		   mine, sizeof(mine));
	if (strcmp(v, mine) != 0) {
		snprintf(msg, size,
			 "%s: schema version %s, the target has %s: merge "
			 "with the rmsim that wrote it",
			 shard, v, mine);
		return DB_ECORRUPT;
	}
	if (allow_unfinished)
		return DB_OK;
	snprintf(sql, sizeof(sql),
		 "SELECT id || ' is ' || status FROM s.run WHERE status IN "
		 "('running','interrupted') ORDER BY id LIMIT 1");
	rc = query_text(m->h, sql, v, sizeof(v));
	if (rc != SQLITE_OK || v[0]) {
		snprintf(msg, size, "%s: interrupted (run %s): left out", shard,
			 rc != SQLITE_OK ? "?" : v);
		return DB_ECORRUPT;
	}
	return DB_OK;
}

/* The tables with a run_id column, into @t. */
static int run_tables(sqlite3 *h, char (*t)[64], unsigned *n)
{
	sqlite3_stmt *s;
	int rc;

	*n = 0;
	rc = sqlite3_prepare_v2(h,
				"SELECT name FROM s.sqlite_master WHERE "
				"type='table' AND name<>'run' AND name IN "
				"(SELECT name FROM main.sqlite_master WHERE "
				"type='table') ORDER BY name",
				-1, &s, NULL);
	if (rc != SQLITE_OK)
		return rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW && *n < MAX_TABLES) {
		char cols[SQL_MAX];
		bool has;
		const char *name = (const char *)sqlite3_column_text(s, 0);

		if (columns(h, "s", name, NULL, "run_id", cols, sizeof(cols),
			    &has) == 0 &&
		    has)
			snprintf(t[(*n)++], 64, "%s", name);
	}
	sqlite3_finalize(s);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? SQLITE_OK : rc;
}

/* Copy run @old of the shard (and its rows) unless the target has it. */
static int copy_run(struct db_merger *m, sqlite3_int64 old, const char *status,
		    const char *detail, char (*t)[64], unsigned nt, bool *added,
		    sqlite3_int64 *newid)
{
	char cols[SQL_MAX], match[SQL_MAX * 2], sql[SQL_MAX * 3];
	char tcols[SQL_MAX], sel[SQL_MAX + 64];
	sqlite3_stmt *s;
	sqlite3_int64 id;
	size_t used = 0;
	const char *c, *e;
	unsigned i;
	bool has;
	int rc;

	if (columns(m->h, "s", "run", "id", NULL, cols, sizeof(cols), &has))
		return SQLITE_ERROR;
	/* equal in every column but id: already merged */
	for (c = cols; *c; c = *e ? e + 1 : e) {
		e = strchr(c, ',');
		if (!e)
			e = c + strlen(c);
		used += (size_t)snprintf(
			match + used,
			used < sizeof(match) ? sizeof(match) - used : 0,
			"%sr.%.*s IS x.%.*s", used ? " AND " : "", (int)(e - c),
			c, (int)(e - c), c);
	}
	if (used >= sizeof(match))
		return SQLITE_ERROR;
	snprintf(sql, sizeof(sql),
		 "SELECT 1 FROM main.run r, s.run x WHERE x.id=?1 AND %s",
		 match);
	if ((rc = sqlite3_prepare_v2(m->h, sql, -1, &s, NULL)) != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(s, 1, old);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	*added = rc == SQLITE_DONE;
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return rc;
	if (!*added)
		return SQLITE_OK;
	snprintf(sql, sizeof(sql),
		 "INSERT INTO main.run(%s) SELECT %s FROM s.run WHERE id=?1",
		 cols, cols);
	if ((rc = sqlite3_prepare_v2(m->h, sql, -1, &s, NULL)) != SQLITE_OK)
		return rc;
	sqlite3_bind_int64(s, 1, old);
	rc = sqlite3_step(s);
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return rc;
	id = sqlite3_last_insert_rowid(m->h);
	*newid = id;
	for (i = 0; i < nt; i++) {
		char *p;

		if (columns(m->h, "s", t[i], NULL, NULL, tcols, sizeof(tcols),
			    &has))
			return SQLITE_ERROR;
		/* the same columns, run_id replaced by the new id */
		snprintf(sel, sizeof(sel), "%s", tcols);
		p = strstr(sel, "\"run_id\"");
		if (!p)
			continue;
		memcpy(p, "?1      ", 8);
		snprintf(sql, sizeof(sql),
			 "INSERT INTO main.\"%s\"(%s) SELECT %s FROM s.\"%s\" "
			 "WHERE run_id=?2 ORDER BY rowid",
			 t[i], tcols, sel, t[i]);
		if ((rc = sqlite3_prepare_v2(m->h, sql, -1, &s, NULL)) !=
		    SQLITE_OK)
			return rc;
		sqlite3_bind_int64(s, 1, id);
		sqlite3_bind_int64(s, 2, old);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return rc;
	}
	/* a run its worker never ended: how it ended, with the events it
	 * committed */
	if (status) {
		rc = sqlite3_prepare_v2(m->h,
					"UPDATE main.run SET status=?1, "
					"detail=?2, events=(SELECT count(*) "
					"FROM main.event WHERE run_id=?3) "
					"WHERE id=?3 AND status IN "
					"('running','interrupted')",
					-1, &s, NULL);
		if (rc != SQLITE_OK)
			return rc;
		sqlite3_bind_text(s, 1, status, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, detail, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 3, id);
		rc = sqlite3_step(s);
		sqlite3_finalize(s);
		if (rc != SQLITE_DONE)
			return rc;
	}
	return SQLITE_OK;
}

enum db_error db_merger_add(struct db_merger *m, const char *shard,
			    const char *status, const char *detail,
			    struct db_merge_stats *st, char *msg, size_t size)
{
	char(*t)[64] = NULL;
	sqlite3_stmt *s = NULL;
	sqlite3_int64 *ids = NULL;
	size_t nids = 0, cap = 0, i;
	unsigned nt;
	enum db_error e = DB_OK;
	int rc;

	memset(st, 0, sizeof(*st));
	rc = sqlite3_exec(m->h, "BEGIN IMMEDIATE", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return fail(m->h, rc, msg, size, m->path);
	{
		sqlite3_stmt *a;

		rc = sqlite3_prepare_v2(m->h, "ATTACH ?1 AS s", -1, &a, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_text(a, 1, shard, -1, SQLITE_STATIC);
			rc = sqlite3_step(a);
			sqlite3_finalize(a);
		}
		if (rc != SQLITE_DONE) {
			snprintf(msg, size,
				 "%s: corrupt or not a database "
				 "(%s)",
				 shard, sqlite3_errmsg(m->h));
			sqlite3_exec(m->h, "ROLLBACK", NULL, NULL, NULL);
			return DB_ECORRUPT;
		}
	}
	e = judge(m, shard, status != NULL, msg, size);
	if (e)
		goto out;
	t = calloc(MAX_TABLES, sizeof(*t));
	if (!t || run_tables(m->h, t, &nt) != SQLITE_OK) {
		e = fail(m->h, SQLITE_ERROR, msg, size, shard);
		goto out;
	}
	rc = sqlite3_prepare_v2(m->h, "SELECT id FROM s.run ORDER BY id", -1,
				&s, NULL);
	while (rc == SQLITE_OK && (rc = sqlite3_step(s)) == SQLITE_ROW) {
		if (nids == cap) {
			size_t nc = cap ? cap * 2 : 16;
			sqlite3_int64 *n = realloc(ids, nc * sizeof(*n));

			if (!n) {
				rc = SQLITE_NOMEM;
				break;
			}
			ids = n;
			cap = nc;
		}
		ids[nids++] = sqlite3_column_int64(s, 0);
		rc = SQLITE_OK;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE && rc != SQLITE_OK) {
		e = fail(m->h, rc, msg, size, shard);
		goto out;
	}
	for (i = 0; i < nids; i++) {
		sqlite3_int64 id = 0;
		bool added;

		rc = copy_run(m, ids[i], status, detail, t, nt, &added, &id);
		if (rc != SQLITE_OK) {
			e = fail(m->h, rc, msg, size, shard);
			goto out;
		}
		if (added && !st->first)
			st->first = id;
		if (added)
			st->added++;
		else
			st->present++;
	}
out:
	if (e)
		sqlite3_exec(m->h, "ROLLBACK", NULL, NULL, NULL);
	else if ((rc = sqlite3_exec(m->h, "COMMIT", NULL, NULL, NULL)) !=
		 SQLITE_OK) {
		e = fail(m->h, rc, msg, size, m->path);
		sqlite3_exec(m->h, "ROLLBACK", NULL, NULL, NULL);
	}
	/* leave the shard as it was: no checkpoint of its WAL into it when
	 * this connection, its last, lets it go (a scratch shard is removed
	 * next; another is not this command's to rewrite) */
	sqlite3_db_config(m->h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1,
			  (int *)NULL);
	sqlite3_exec(m->h, "DETACH s", NULL, NULL, NULL);
	sqlite3_db_config(m->h, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 0,
			  (int *)NULL);
	free(ids);
	free(t);
	if (e)
		memset(st, 0, sizeof(*st));
	return e;
}

enum db_error db_read_cases(const char *path,
			    void (*fn)(void *arg, const char *name,
				       const char *verdict, const char *detail),
			    void *arg, char *msg, size_t size)
{
	sqlite3 *h = NULL;
	sqlite3_stmt *s;
	int rc;

	rc = sqlite3_open_v2(path, &h, SQLITE_OPEN_READONLY, NULL);
	if (rc == SQLITE_OK)
		rc = sqlite3_prepare_v2(h,
					"SELECT name, verdict, detail FROM "
					"case_result ORDER BY rowid",
					-1, &s, NULL);
	if (rc != SQLITE_OK) {
		snprintf(msg, size, "%s: %s", path,
			 h ? sqlite3_errmsg(h) : "cannot open");
		sqlite3_close(h);
		return db_classify(rc);
	}
	while ((rc = sqlite3_step(s)) == SQLITE_ROW)
		fn(arg, (const char *)sqlite3_column_text(s, 0),
		   (const char *)sqlite3_column_text(s, 1),
		   (const char *)sqlite3_column_text(s, 2));
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		snprintf(msg, size, "%s: %s", path, sqlite3_errmsg(h));
	sqlite3_close(h);
	return rc == SQLITE_DONE ? DB_OK : db_classify(rc);
}
