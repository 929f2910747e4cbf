/*
 * db_internal.h - what the files of sim/db/ share: the connection with
 * its statements and row buffers (db.c), and the buffered rows with the
 * writer thread that inserts them (db_rows.c).
 */
#ifndef RMSIM_DB_INTERNAL_H
#define RMSIM_DB_INTERNAL_H

#include "rmsim/db.h"

#include <pthread.h>
#include <sqlite3.h>
#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#define DB_MULTI 32	/* rows per multi-row insert */
#define DB_BLOCKS 16	/* blocks of DB_MULTI rows per table, in flight or
			 * being filled */
#define DB_WAKE 4	/* queued blocks that wake a sleeping writer */
#define EVENT_COLS 19
#define MAPPING_COLS 9
#define FINDING_COLS 7
#define DB_TEXT 512	/* the longest text a buffered row holds */

enum stmt {
	ST_EVENT,
	ST_FINDING,
	ST_METRIC,
	ST_MAPPING,
	ST_CASE,
	ST_SAMPLE,
	ST_REGION,
	ST_NOTE,
	ST_COUNT
};

/* A column value of a buffered row; short texts are copied in. */
struct dbval {
	int type;		/* SQLITE_NULL, SQLITE_INTEGER, SQLITE_TEXT */
	int64_t i;
	const char *s;		/* a static string, or txt */
	char txt[40];	/* names, and a finding's cause */
};

/* Rows of one table waiting for a multi-row insert. */
struct rowbuf {
	enum stmt one;		/* the single-row insert */
	sqlite3_stmt *many;	/* DB_MULTI rows at once (the writer's) */
	int ncols;
	unsigned n;		/* rows in the block being filled */
	struct dbval *v;	/* that block: DB_MULTI * ncols values, then
				 * DB_MULTI * DB_TEXT bytes for long texts
				 * (if long_text) */
	bool long_text;
	size_t text_used;	/* of the block's text bytes */
	struct dbval *spare[DB_BLOCKS];	/* blocks free to fill */
	unsigned nspare;	/* under db->mu */
	const char *what;	/* for errors */
};

/* A full block handed to the writer, or (b NULL) a commit of the batch
 * transaction and the start of the next. */
struct job {
	struct rowbuf *b;
	struct dbval *v;
};

#define DB_QUEUE (2 * DB_BLOCKS + 4)

struct db {
	sqlite3 *h;
	sqlite3_stmt *st[ST_COUNT];
	struct rowbuf events, mappings, findings;
	bool in_tx;
	bool scratch;		/* db_open_scratch */
	unsigned pending;	/* rows since the last commit */
	char msg[512];
	/* the writer thread: full blocks go to it, FIFO */
	pthread_t writer;
	bool writer_on;
	pthread_mutex_t mu;
	pthread_cond_t work;	/* a job or stop, for the writer */
	pthread_cond_t idle;	/* a block back or the queue empty */
	struct job queue[DB_QUEUE];
	unsigned qhead, qlen;
	bool busy, stop;	/* the writer is inserting; is to end */
	bool sleeping;		/* the writer waits for work */
	unsigned waiters;	/* replay-side waits on idle */
	int async_rc;		/* the writer's first failure (sticky) */
	char async_msg[512];
};

enum db_error db_classify(int rc);
/* Record @what with SQLite's message in db->msg; the error class. */
enum db_error db_fail(struct db *db, int rc, const char *what);

/* db_rows.c */
int db_rows_init(struct db *db, struct rowbuf *b, enum stmt one,
		 const char *table, int ncols, bool long_text,
		 const char *what);
void db_rows_fini(struct rowbuf *b);
int db_writer_start(struct db *db);
void db_writer_stop(struct db *db);
/* Wait until the writer has inserted every block handed to it; its
 * failure, if any, becomes ours. */
enum db_error db_rows_drain(struct db *db);
/* Have the writer commit the batch transaction and open the next, after
 * the rows handed to it so far. */
enum db_error db_writer_commit(struct db *db);
/* Drain, then insert the rows of the blocks being filled. */
enum db_error db_rows_flush(struct db *db);
/* The values of the next row of @b, to be filled in. */
static inline struct dbval *db_row_next(struct rowbuf *b)
{
	return &b->v[b->n * b->ncols];
}
/* The row just filled in is complete; a full block goes to the writer. */
enum db_error db_row_done(struct db *db, struct rowbuf *b);

static inline void v_int(struct dbval *v, int64_t i)
{
	v->type = SQLITE_INTEGER;
	v->i = i;
}

static inline void v_opt_int(struct dbval *v, bool known, int64_t i)
{
	v->type = known ? SQLITE_INTEGER : SQLITE_NULL;
	v->i = i;
}

/* A string that lives as long as the program (names from tables). */
static inline void v_static(struct dbval *v, const char *t)
{
	v->type = t ? SQLITE_TEXT : SQLITE_NULL;
	v->s = t;
}

/* A string that may not outlive the call, up to DB_TEXT - 1 bytes
 * (longer ones are cut), copied into @b's block. */
void v_text(struct rowbuf *b, struct dbval *v, const char *t);

/* A string that may not outlive the call: copied (names are short). */
static inline void v_copy(struct dbval *v, const char *t)
{
	size_t n;

	if (!t) {
		v->type = SQLITE_NULL;
		return;
	}
	n = strnlen(t, sizeof(v->txt) - 1);
	memcpy(v->txt, t, n);
	v->txt[n] = 0;
	v->type = SQLITE_TEXT;
	v->s = v->txt;
}

#endif
