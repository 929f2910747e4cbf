/*
 * db_rows.c - event, mapping and finding rows, the tables with a row per
 * event or more (a policy can deviate at every event), inserted off the
 * replay's thread.
 *
 * Rows are filled into blocks of DB_MULTI; a full block goes to a writer
 * thread, which inserts it with one multi-row INSERT (a third less per
 * row than one statement per row) while the replay goes on, so on two
 * cores the log costs the replay little.  Each table has DB_BLOCKS
 * blocks: when all are in flight the replay waits for one to come back.
 * The connection is opened serialized, so the replay's own rare inserts
 * (findings, metrics, samples) may run while the writer works; a commit
 * first drains the writer (db_rows_drain), so a committed batch holds
 * every row up to its event and BEGIN/COMMIT never race an insert.  The
 * writer's first failure is kept and returned by the next hand-off or
 * drain, which the replay reports as it would its own.
 *
 * A scratch database (a runner's shard) has no writer thread: its worker
 * is one of the -j processes the runner keeps busy, one core each, so a
 * full block is inserted on the replay's own thread and a commit is made
 * at once.
 */
#include "db_internal.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

static void bind_val(sqlite3_stmt *s, int i, const struct dbval *v)
{
	if (v->type == SQLITE_INTEGER)
		sqlite3_bind_int64(s, i, v->i);
	else if (v->type == SQLITE_TEXT)
		sqlite3_bind_text(s, i, v->s, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(s, i);
}

/*
 * Insert @n rows of @v: one statement for a full block, else row by row.
 * The connection's own mutex is held for the whole block: each bind takes
 * it too, and taking a recursive mutex its thread holds is a count, not
 * an atomic operation (binds were a tenth of `replay --db`'s CPU time).
 * A scratch connection has no mutex (NULL: enter and leave do nothing).
 */
static int insert_rows(struct db *db, struct rowbuf *b,
		       const struct dbval *v, unsigned n)
{
	sqlite3_mutex *mu = sqlite3_db_mutex(db->h);
	int c, rc = SQLITE_DONE;
	sqlite3_stmt *s;
	unsigned r;

	sqlite3_mutex_enter(mu);
	if (n == DB_MULTI) {
		for (c = 0; c < (int)n * b->ncols; c++)
			bind_val(b->many, c + 1, &v[c]);
		rc = sqlite3_step(b->many);
		sqlite3_reset(b->many);
		sqlite3_mutex_leave(mu);
		return rc;
	}
	s = db->st[b->one];
	for (r = 0; r < n && rc == SQLITE_DONE; r++) {
		for (c = 0; c < b->ncols; c++)
			bind_val(s, c + 1, &v[r * b->ncols + c]);
		rc = sqlite3_step(s);
		sqlite3_reset(s);
	}
	sqlite3_mutex_leave(mu);
	return rc;
}

static void *writer_main(void *arg)
{
	struct db *db = arg;
	struct job j;
	bool dead;
	int rc;

	pthread_mutex_lock(&db->mu);
	for (;;) {
		while (!db->qlen && !db->stop) {
			db->sleeping = true;
			pthread_cond_wait(&db->work, &db->mu);
			db->sleeping = false;
		}
		if (!db->qlen)
			break;
		j = db->queue[db->qhead];
		db->qhead = (db->qhead + 1) % DB_QUEUE;
		db->qlen--;
		db->busy = true;
		dead = db->async_rc != 0;
		pthread_mutex_unlock(&db->mu);
		/* after a failure the rest is dropped: the run is over */
		if (dead)
			rc = SQLITE_DONE;
		else if (j.b)
			rc = insert_rows(db, j.b, j.v, DB_MULTI);
		else
			rc = sqlite3_exec(db->h, "COMMIT; BEGIN", NULL, NULL,
					  NULL) == SQLITE_OK
				     ? SQLITE_DONE
				     : sqlite3_extended_errcode(db->h);
		pthread_mutex_lock(&db->mu);
		if (rc != SQLITE_DONE && !db->async_rc) {
			db->async_rc = rc;
			snprintf(db->async_msg, sizeof(db->async_msg), "%s: %s",
				 j.b ? j.b->what : "cannot commit",
				 sqlite3_errmsg(db->h));
		}
		if (j.b)
			j.b->spare[j.b->nspare++] = j.v;
		db->busy = false;
		if (db->waiters)
			pthread_cond_broadcast(&db->idle);
	}
	pthread_mutex_unlock(&db->mu);
	return NULL;
}

int db_writer_start(struct db *db)
{
	sigset_t all, old;
	int rc;

	if (pthread_mutex_init(&db->mu, NULL))
		return -1;
	pthread_cond_init(&db->work, NULL);
	pthread_cond_init(&db->idle, NULL);
	/* signals (SIGINT, SIGTERM) are the replay thread's to take */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = pthread_create(&db->writer, NULL, writer_main, db);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (rc) {
		pthread_cond_destroy(&db->work);
		pthread_cond_destroy(&db->idle);
		pthread_mutex_destroy(&db->mu);
		return -1;
	}
	db->writer_on = true;
	return 0;
}

void db_writer_stop(struct db *db)
{
	if (!db->writer_on)
		return;
	pthread_mutex_lock(&db->mu);
	db->stop = true;
	pthread_cond_signal(&db->work);
	pthread_mutex_unlock(&db->mu);
	pthread_join(db->writer, NULL);
	pthread_cond_destroy(&db->work);
	pthread_cond_destroy(&db->idle);
	pthread_mutex_destroy(&db->mu);
	db->writer_on = false;
}

/* The writer's failure as ours (db->mu held). */
static enum db_error async_error(struct db *db)
{
	snprintf(db->msg, sizeof(db->msg), "%s", db->async_msg);
	return db_classify(db->async_rc);
}

/*
 * Queue @j (db->mu held, room made by the caller).  A sleeping writer is
 * woken once a few blocks wait, not for each: a wake-up is two context
 * switches, and the writer takes everything queued when it runs.
 */
static void enqueue(struct db *db, struct job j, bool now)
{
	db->queue[(db->qhead + db->qlen) % DB_QUEUE] = j;
	db->qlen++;
	if (db->sleeping && (now || db->qlen >= DB_WAKE))
		pthread_cond_signal(&db->work);
}

/* Wait on idle (db->mu held), the writer awake to make progress. */
static void wait_idle(struct db *db)
{
	if (db->sleeping && db->qlen)
		pthread_cond_signal(&db->work);
	db->waiters++;
	pthread_cond_wait(&db->idle, &db->mu);
	db->waiters--;
}

enum db_error db_row_done(struct db *db, struct rowbuf *b)
{
	enum db_error e = DB_OK;

	if (++b->n < DB_MULTI)
		return DB_OK;
	if (!db->writer_on) {
		int rc = insert_rows(db, b, b->v, DB_MULTI);

		b->n = 0;
		b->text_used = 0;
		return rc == SQLITE_DONE ? DB_OK : db_fail(db, rc, b->what);
	}
	pthread_mutex_lock(&db->mu);
	while ((!b->nspare || db->qlen == DB_QUEUE) && !db->async_rc)
		wait_idle(db);
	if (db->async_rc) {
		e = async_error(db);
	} else {
		enqueue(db, (struct job){b, b->v}, false);
		b->v = b->spare[--b->nspare];
	}
	b->n = 0;
	b->text_used = 0;
	pthread_mutex_unlock(&db->mu);
	return e;
}

enum db_error db_writer_commit(struct db *db)
{
	enum db_error e = DB_OK;

	if (!db->writer_on)
		return sqlite3_exec(db->h, "COMMIT; BEGIN", NULL, NULL,
				    NULL) == SQLITE_OK
			       ? DB_OK
			       : db_fail(db, sqlite3_extended_errcode(db->h),
					 "cannot commit");
	pthread_mutex_lock(&db->mu);
	while (db->qlen == DB_QUEUE && !db->async_rc)
		wait_idle(db);
	if (db->async_rc)
		e = async_error(db);
	else
		enqueue(db, (struct job){NULL, NULL}, false);
	pthread_mutex_unlock(&db->mu);
	return e;
}

enum db_error db_rows_drain(struct db *db)
{
	enum db_error e = DB_OK;

	if (!db->writer_on)
		return DB_OK;
	pthread_mutex_lock(&db->mu);
	while (db->qlen || db->busy)
		wait_idle(db);
	if (db->async_rc)
		e = async_error(db);
	pthread_mutex_unlock(&db->mu);
	return e;
}

enum db_error db_rows_flush(struct db *db)
{
	struct rowbuf *bufs[3] = {&db->events, &db->mappings, &db->findings};
	enum db_error e = db_rows_drain(db);
	int i, rc;

	for (i = 0; i < 3 && !e; i++) {
		rc = insert_rows(db, bufs[i], bufs[i]->v, bufs[i]->n);
		bufs[i]->n = 0;
		bufs[i]->text_used = 0;
		if (rc != SQLITE_DONE)
			e = db_fail(db, rc, bufs[i]->what);
	}
	return e;
}

/* Prepare the multi-row insert of @b: "INSERT INTO t VALUES(?,..),..". */
void v_text(struct rowbuf *b, struct dbval *v, const char *t)
{
	char *arena = (char *)(b->v + DB_MULTI * b->ncols);
	size_t n;

	if (!t || !b->long_text) {
		v_copy(v, t);
		return;
	}
	/* each row has DB_TEXT bytes: the block cannot run out */
	n = strnlen(t, DB_TEXT - 1);
	memcpy(arena + b->text_used, t, n);
	arena[b->text_used + n] = 0;
	v->type = SQLITE_TEXT;
	v->s = arena + b->text_used;
	b->text_used += n + 1;
}

int db_rows_init(struct db *db, struct rowbuf *b, enum stmt one,
		 const char *table, int ncols, bool long_text,
		 const char *what)
{
	size_t len = 64 + (size_t)DB_MULTI * (size_t)(2 * ncols + 3);
	char *sql = malloc(len), *p;
	unsigned r;
	int c, rc;

	b->one = one;
	b->ncols = ncols;
	b->what = what;
	b->long_text = long_text;
	for (r = 0; r < DB_BLOCKS; r++) {
		struct dbval *v = calloc(1, (size_t)DB_MULTI * (size_t)ncols *
						    sizeof(*v) +
						    (long_text ? DB_MULTI *
								 DB_TEXT
							       : 0));

		if (!v)
			break;
		if (!b->v)
			b->v = v;
		else
			b->spare[b->nspare++] = v;
	}
	if (!sql || r < DB_BLOCKS) {
		free(sql);
		return SQLITE_NOMEM;
	}
	p = sql + sprintf(sql, "INSERT INTO %s VALUES", table);
	for (r = 0; r < DB_MULTI; r++) {
		*p++ = r ? ',' : ' ';
		*p++ = '(';
		for (c = 0; c < ncols; c++) {
			*p++ = c ? ',' : '?';
			if (c)
				*p++ = '?';
		}
		*p++ = ')';
	}
	*p = 0;
	rc = sqlite3_prepare_v3(db->h, sql, -1, SQLITE_PREPARE_PERSISTENT,
				&b->many, NULL);
	free(sql);
	return rc;
}

void db_rows_fini(struct rowbuf *b)
{
	unsigned i;

	sqlite3_finalize(b->many);
	free(b->v);
	for (i = 0; i < b->nspare; i++)
		free(b->spare[i]);
	b->many = NULL;
	b->v = NULL;
	b->nspare = 0;
}
