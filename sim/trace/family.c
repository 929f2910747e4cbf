/*
 * family.c - the lines of one trace file, or of a strace -ff family.
 *
 * strace -ff -o PREFIX (--output-separately) writes each process and
 * thread to PREFIX.PID, its lines without a pid.  Reading one of them
 * alone loses every other thread's calls.  So a trace whose name ends in
 * ".DIGITS" is read as the head of a family: its lines carry the pid of
 * its name, and when a clone, clone3, fork or vfork in it returns a pid
 * whose file PREFIX.PID exists beside it, that file joins the read, and
 * so on down the process tree.  The files' lines are merged in timestamp
 * order.  A file not so named is read alone, its lines untouched.  A
 * child's file that is not there is the caller's to report: the trace
 * then lacks that process's calls.
 *
 * ALGORITHM: a binary heap of the open files keyed by (timestamp of the
 * file's next line, order in which the file joined); the least is
 * returned; the file it came from moves on only at the next call, so the
 * line stays valid until then.  A child joins when its parent's clone is
 * read: every line merged so far is no later than that clone's entry
 * timestamp, and every line of the child is later, so joining late keeps
 * the order.  Ties: the file that joined first (the parent before the
 * child), then the order of lines within a file, which is never changed.
 * A line without a timestamp (a note) keeps its file's previous one.
 * Without timestamps (or with -r's, which count from each file's previous
 * line) the order across files is unknown: a family is refused then.
 *
 * INVARIANTS: heap[0..nheap) are the files with a line pending, a min
 * heap on (key, order); cur is the file of the line last returned, or
 * -1; a single file never goes through the heap.
 */
#include "family.h"

#include "lines.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct member {
	struct tr_lines *src;
	int32_t pid;
	size_t order;
	uint64_t line;
	const char *s;	/* the pending line */
	size_t len;
	int64_t key;   /* its timestamp (or the previous one) */
	bool has_ts;   /* a timestamp seen in this file */
	bool relative; /* -r's timestamps */
};

struct tr_family {
	struct member *m;
	size_t n, cap;
	size_t *heap, nheap;
	long cur;	  /* member of the line last returned */
	char *prefix;	  /* "PREFIX." of PREFIX.PID, or NULL */
	int64_t last_key; /* of the line last returned */
	char msg[4400];
};

/* The pid in a name ending in ".DIGITS" (1..2^31-1), or 0. */
static int32_t name_pid(const char *path, size_t *dot)
{
	size_t n = strlen(path), i = n;
	int64_t v = 0;

	while (i > 0 && path[i - 1] >= '0' && path[i - 1] <= '9')
		i--;
	if (i == n || n - i > 10 || i < 2 || path[i - 1] != '.' ||
	    path[i - 2] == '/')
		return 0;
	for (size_t j = i; j < n; j++)
		v = v * 10 + (path[j] - '0');
	if (v <= 0 || v > INT32_MAX)
		return 0;
	*dot = i;
	return (int32_t)v;
}

static bool before(const struct member *a, const struct member *b)
{
	return a->key < b->key || (a->key == b->key && a->order < b->order);
}

static void sift_down(struct tr_family *f, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, best = i, t;

		if (l < f->nheap &&
		    before(&f->m[f->heap[l]], &f->m[f->heap[best]]))
			best = l;
		if (l + 1 < f->nheap &&
		    before(&f->m[f->heap[l + 1]], &f->m[f->heap[best]]))
			best = l + 1;
		if (best == i)
			return;
		t = f->heap[i];
		f->heap[i] = f->heap[best];
		f->heap[best] = t;
		i = best;
	}
}

static void sift_up(struct tr_family *f, size_t i)
{
	while (i > 0) {
		size_t p = (i - 1) / 2, t;

		if (!before(&f->m[f->heap[i]], &f->m[f->heap[p]]))
			return;
		t = f->heap[i];
		f->heap[i] = f->heap[p];
		f->heap[p] = t;
		i = p;
	}
}

/* Read member @k's next line: 1 pending, 0 at its end, or -errno. */
static int advance(struct tr_family *f, size_t k)
{
	struct member *m = &f->m[k];
	struct tr_line l;
	int rc = tr_lines_next(m->src, &m->s, &m->len);
	if (rc <= 0) {
		if (rc < 0)
			snprintf(f->msg, sizeof(f->msg), "%s",
				 tr_lines_error(m->src));
		return rc;
	}
	m->line++;
	if (f->n == 1 && !f->prefix)
		return 1;
	tr_split_line(m->s, m->len, &l);
	if (l.has_ts) {
		m->key = l.ts_us;
		m->has_ts = true;
		/* -r: "     0.000123", right-aligned in its field */
		m->relative = m->len > 0 && m->s[0] == ' ';
	}
	/* never before a line already returned (a clock step, -t's
	 * midnight): the merge stays in order and the file at hand on top */
	if (m->key < f->last_key)
		m->key = f->last_key;
	return 1;
}

static int no_order(struct tr_family *f, const struct member *m)
{
	snprintf(f->msg, sizeof(f->msg),
		 "%s:%llu: a strace -ff family (one file per process, "
		 "%s*) %s: the order of calls across its files is unknown; "
		 "record with -ff -tt (or -ttt, or --timestamps)",
		 tr_lines_file(m->src), (unsigned long long)m->line, f->prefix,
		 m->relative ? "with -r's relative timestamps"
			     : "without timestamps");
	return -EINVAL;
}

static int join(struct tr_family *f, const char *path, int32_t pid, int *err)
{
	struct member *m;

	if (f->n == f->cap) {
		size_t nc = f->cap ? f->cap * 2 : 4;
		struct member *nm = realloc(f->m, nc * sizeof(*nm));
		size_t *nh = nm ? realloc(f->heap, nc * sizeof(*nh)) : NULL;

		if (nm)
			f->m = nm;
		if (!nh) {
			*err = -ENOMEM;
			return -1;
		}
		f->heap = nh;
		f->cap = nc;
	}
	m = &f->m[f->n];
	memset(m, 0, sizeof(*m));
	m->src = tr_lines_open(path, err);
	if (!m->src)
		return -1;
	m->pid = pid;
	m->order = f->n++;
	return 0;
}

struct tr_family *tr_family_open(const char *path, int *err)
{
	struct tr_family *f = calloc(1, sizeof(*f));
	size_t dot = 0;
	int32_t pid = strcmp(path, "-") ? name_pid(path, &dot) : 0;

	if (!f) {
		*err = -ENOMEM;
		return NULL;
	}
	f->cur = -1;
	if (pid) {
		f->prefix = strndup(path, dot);
		if (!f->prefix) {
			*err = -ENOMEM;
			free(f);
			return NULL;
		}
	}
	if (join(f, path, pid, err)) {
		tr_family_close(f);
		return NULL;
	}
	return f;
}

void tr_family_close(struct tr_family *f)
{
	size_t i;

	if (!f)
		return;
	for (i = 0; i < f->n; i++)
		tr_lines_close(f->m[i].src);
	free(f->m);
	free(f->heap);
	free(f->prefix);
	free(f);
}

int tr_family_add(struct tr_family *f, int32_t pid)
{
	char path[4200];
	struct member *m;
	size_t i;
	int err = 0, rc;

	if (!f->prefix || pid <= 0)
		return 0;
	for (i = 0; i < f->n; i++)
		if (f->m[i].pid == pid)
			return 0;
	snprintf(path, sizeof(path), "%s%d", f->prefix, (int)pid);
	if (join(f, path, pid, &err)) {
		if (err == -ENOENT) {
			/* the family lacks this child: the caller decides */
			snprintf(f->msg, sizeof(f->msg), "%s", path);
			return -ENOENT;
		}
		snprintf(f->msg, sizeof(f->msg), "%s: %s", path,
			 strerror(-err));
		return err == -ENOMEM ? -ENOMEM : -EIO;
	}
	/* the family is real: the file at hand must give the order */
	if (f->cur >= 0 && (!f->m[f->cur].has_ts || f->m[f->cur].relative))
		return no_order(f, &f->m[f->cur]);
	if (!f->nheap && f->cur >= 0) {
		/* the first child: the head file, its line returned, goes
		 * on top of the heap to move on at the next call */
		f->heap[f->nheap++] = (size_t)f->cur;
		f->last_key = f->m[f->cur].key;
	}
	m = &f->m[f->n - 1];
	m->key = f->cur >= 0 ? f->m[f->cur].key : 0;
	rc = advance(f, f->n - 1);
	if (rc < 0)
		return rc;
	if (rc > 0) {
		if (!m->has_ts || m->relative)
			return no_order(f, m);
		f->heap[f->nheap++] = f->n - 1;
		sift_up(f, f->nheap - 1);
	}
	return 1;
}

int tr_family_next(struct tr_family *f, const char **s, size_t *len)
{
	struct member *m;
	int rc;

	if (f->n == 1) {
		/* one file: straight through, no heap */
		f->cur = 0;
		rc = advance(f, 0);
		*s = f->m[0].s;
		*len = f->m[0].len;
		return rc;
	}
	if (f->cur >= 0 && f->nheap && f->heap[0] == (size_t)f->cur) {
		rc = advance(f, (size_t)f->cur);
		if (rc < 0)
			return rc;
		if (rc == 0)
			f->heap[0] = f->heap[--f->nheap];
		if (f->nheap)
			sift_down(f, 0);
	}
	if (!f->nheap)
		return 0;
	f->cur = (long)f->heap[0];
	m = &f->m[f->cur];
	f->last_key = m->key;
	*s = m->s;
	*len = m->len;
	return 1;
}

int32_t tr_family_pid(const struct tr_family *f)
{
	return f->prefix && f->cur >= 0 ? f->m[f->cur].pid : 0;
}

int32_t tr_family_pid_of_name(const struct tr_family *f)
{
	return f->prefix ? f->m[0].pid : 0;
}

const char *tr_family_file(const struct tr_family *f)
{
	return tr_lines_file(f->m[f->cur >= 0 ? f->cur : 0].src);
}

uint64_t tr_family_line(const struct tr_family *f)
{
	return f->m[f->cur >= 0 ? f->cur : 0].line;
}

bool tr_family_cut(const struct tr_family *f)
{
	return f->cur >= 0 && tr_lines_cut(f->m[f->cur].src);
}

uint64_t tr_family_bytes(const struct tr_family *f)
{
	uint64_t b = 0;
	size_t i;

	for (i = 0; i < f->n; i++)
		b += tr_lines_bytes(f->m[i].src);
	return b;
}

size_t tr_family_files(const struct tr_family *f)
{
	return f->n;
}

const char *tr_family_path(const struct tr_family *f, size_t i)
{
	return i < f->n ? tr_lines_file(f->m[i].src) : NULL;
}

const char *tr_family_error(const struct tr_family *f)
{
	return f->msg;
}
