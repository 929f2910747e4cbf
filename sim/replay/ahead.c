/*
 * ahead.c - the trace's events as the replay takes them, with a look
 * ahead: the recorded result of a call that is still unfinished where
 * the replay stands.
 *
 * When threads' calls overlap, the kernel may have served a call that
 * strace finishes later before one it finishes first; whether it did
 * shows only in the later call's result.  The order search (order.c)
 * asks for that result here, before the replay reaches the line that
 * carries it.
 *
 * ALGORITHM: events read ahead wait in a queue, each with its last line
 * and a copy of its fd path (the reader keeps the path only until its
 * next event).  rp_ahead_next() hands out the head, moved into cur; with
 * the queue empty (always, in a trace without racing threads) it reads
 * the next event straight into cur, its path still the reader's, and
 * copies nothing.  rp_ahead_find() scans the queue for the finished
 * event of a start (same pid, same first line), reading on until it is
 * found, the trace ends, or RP_AHEAD_MAX events wait; before its first
 * read it gives cur's path a copy of its own, since the reader is about
 * to reuse its buffer.  A reader error met while looking ahead is handed
 * out after the events before it.
 *
 * INVARIANTS: head <= n <= cap; the queue holds events in the reader's
 * order, all after cur; at most RP_AHEAD_MAX + 1 of them; cur's path is
 * the reader's (borrowed) or given, never freed while handed out.
 */
#include "replay_internal.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void rp_ahead_init(struct rp_ahead *a, struct tr_reader *rd)
{
	memset(a, 0, sizeof(*a));
	a->rd = rd;
	a->rc = 1;
}

void rp_ahead_free(struct rp_ahead *a)
{
	size_t i;

	for (i = a->head; i < a->n; i++)
		free(a->q[i].path);
	free(a->q);
	free(a->given);
	memset(a, 0, sizeof(*a));
}

/* Read one event into the queue: 1, 0 at the end, < 0 on error. */
static int fill(struct rp_ahead *a)
{
	struct rp_ahead_ev *e;

	if (a->rc <= 0)
		return a->rc;
	if (a->borrowed) {
		/* the reader is about to reuse the path cur points at */
		a->borrowed = false;
		if (!(a->given = strdup(a->cur.fd_path)))
			return a->rc = -ENOMEM;
		a->cur.fd_path = a->given;
	}
	if (a->head && a->head == a->n) {
		a->head = a->n = 0;
	} else if (a->head && a->n == a->cap && a->head >= a->cap / 2) {
		memmove(a->q, a->q + a->head, (a->n - a->head) * sizeof(*a->q));
		a->n -= a->head;
		a->head = 0;
	}
	if (a->n == a->cap) {
		size_t cap = a->cap ? a->cap * 2 : 64;
		void *q = realloc(a->q, cap * sizeof(*a->q));

		if (!q)
			return a->rc = -ENOMEM;
		a->q = q;
		a->cap = cap;
	}
	e = &a->q[a->n];
	a->rc = tr_next(a->rd, &e->ev);
	if (a->rc <= 0)
		return a->rc;
	e->end_line = tr_reader_stats(a->rd)->lines;
	e->path = NULL;
	if (e->ev.fd_path && !(e->path = strdup(e->ev.fd_path)))
		return a->rc = -ENOMEM;
	e->ev.fd_path = e->path;
	a->n++;
	return 1;
}

int rp_ahead_next(struct rp_ahead *a, const struct tr_event **ev,
		  uint64_t *end_line)
{
	free(a->given);
	a->given = NULL;
	a->borrowed = false;
	*ev = &a->cur;
	if (a->head == a->n) {
		/* nothing read ahead: straight from the reader */
		if (a->rc <= 0)
			return a->rc;
		a->rc = tr_next(a->rd, &a->cur);
		if (a->rc <= 0)
			return a->rc;
		*end_line = tr_reader_stats(a->rd)->lines;
		a->borrowed = a->cur.fd_path != NULL;
		return 1;
	}
	a->cur = a->q[a->head].ev;
	*end_line = a->q[a->head].end_line;
	/* the path lives until the next call, as the reader's does */
	a->given = a->q[a->head].path;
	a->head++;
	return 1;
}

bool rp_ahead_find(struct rp_ahead *a, int32_t pid, uint64_t line,
		   struct tr_event *out)
{
	size_t i = a->head;

	for (;;) {
		for (; i < a->n; i++) {
			const struct tr_event *e = &a->q[i].ev;

			if (e->pid == pid && e->line == line &&
			    !(e->flags & TR_FLAG_STARTED)) {
				*out = *e;
				return true;
			}
		}
		if (a->n - a->head > RP_AHEAD_MAX)
			return false;
		/* fill() may move the queue: go on from the same place */
		i -= a->head;
		if (fill(a) <= 0)
			return false;
		i += a->head;
	}
}

int rp_ahead_check(const struct rp_ahead *a, char *why, size_t size)
{
	size_t i;

	if (a->head > a->n || a->n > a->cap) {
		snprintf(why, size, "queue head %zu, length %zu, room %zu",
			 a->head, a->n, a->cap);
		return -1;
	}
	if (a->borrowed && (a->given || !a->cur.fd_path)) {
		snprintf(why, size, "a borrowed path that is not the reader's");
		return -1;
	}
	if (a->given && a->cur.fd_path != a->given) {
		snprintf(why, size, "a path copy the event does not use");
		return -1;
	}
	for (i = a->head; i + 1 < a->n; i++)
		if (a->q[i].end_line > a->q[i + 1].end_line) {
			snprintf(why, size, "queued events out of line order");
			return -1;
		}
	return 0;
}
