/*
 * lines.c - split a byte stream (input.c) into lines.
 *
 * ALGORITHM: one buffer; a line is found with memchr in the unread part;
 * when none is complete the unread tail moves to the front and the buffer
 * is refilled, doubling only for a line longer than the buffer.
 * INVARIANTS: start <= end <= cap; buf[start, end) is read but not yet
 * returned; memory is the longest line seen (at most LINE_MAX_LEN), never
 * the file.
 */
#include "lines.h"

#include "input.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_INITIAL (256 * 1024)
#define LINE_MAX_LEN (64 * 1024 * 1024)

struct tr_lines {
	struct tr_input *in;
	char *file;
	char *buf;
	size_t cap, start, end;
	bool eof;
	bool cut;		/* the last line returned had no newline */
	uint64_t line;		/* lines returned */
	uint64_t bytes;
	char msg[4200];
};

static struct tr_lines *lines_open(const char *path, int fd, int *err)
{
	struct tr_lines *l = calloc(1, sizeof(*l));

	if (!l) {
		*err = -ENOMEM;
		return NULL;
	}
	l->in = fd >= 0 ? tr_input_fdopen(fd, err) : tr_input_open(path, err);
	l->file = strdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
	l->cap = BUF_INITIAL;
	l->buf = malloc(l->cap);
	if (!l->in || !l->file || !l->buf) {
		if (l->in)
			*err = -ENOMEM;
		tr_lines_close(l);
		return NULL;
	}
	return l;
}

struct tr_lines *tr_lines_open(const char *path, int *err)
{
	return lines_open(path, -1, err);
}

struct tr_lines *tr_lines_fdopen(int fd, const char *name, int *err)
{
	return lines_open(name, fd, err);
}

void tr_lines_close(struct tr_lines *l)
{
	if (!l)
		return;
	tr_input_close(l->in);
	free(l->buf);
	free(l->file);
	free(l);
}

const char *tr_lines_error(const struct tr_lines *l)
{
	return l->msg;
}

const char *tr_lines_file(const struct tr_lines *l)
{
	return l->file;
}

bool tr_lines_cut(const struct tr_lines *l)
{
	return l->cut;
}

uint64_t tr_lines_bytes(const struct tr_lines *l)
{
	return l->bytes;
}

/* Make room and read more: 1 read, 0 end of input, or -errno. */
static int fill(struct tr_lines *l)
{
	ssize_t n;

	if (l->start > 0) {
		memmove(l->buf, l->buf + l->start, l->end - l->start);
		l->end -= l->start;
		l->start = 0;
	}
	if (l->end == l->cap) {
		char *nb;

		if (l->cap >= LINE_MAX_LEN) {
			snprintf(l->msg, sizeof(l->msg),
				 "%s:%llu: line longer than %d MiB", l->file,
				 (unsigned long long)l->line + 1,
				 LINE_MAX_LEN >> 20);
			return -EINVAL;
		}
		nb = realloc(l->buf, l->cap * 2);
		if (!nb) {
			snprintf(l->msg, sizeof(l->msg), "%s: out of memory",
				 l->file);
			return -EIO;
		}
		l->buf = nb;
		l->cap *= 2;
	}
	n = tr_input_read(l->in, l->buf + l->end, l->cap - l->end);
	if (n < 0) {
		snprintf(l->msg, sizeof(l->msg), "%s: %s", l->file,
			 tr_input_error(l->in));
		/* corrupt compressed data is bad input, not a read error */
		return tr_input_corrupt(l->in) ? -EINVAL : -EIO;
	}
	l->end += (size_t)n;
	l->bytes += (uint64_t)n;
	return n > 0;
}

int tr_lines_next(struct tr_lines *l, const char **s, size_t *len)
{
	for (;;) {
		char *nl = memchr(l->buf + l->start, '\n', l->end - l->start);
		int rc;

		if (!nl) {
			if (!l->eof) {
				rc = fill(l);
				if (rc < 0)
					return rc;
				if (rc == 0)
					l->eof = true;
				continue;
			}
			if (l->start == l->end)
				return 0;
			nl = l->buf + l->end;	/* last line, no newline */
			l->cut = true;
		}
		*s = l->buf + l->start;
		*len = (size_t)(nl - *s);
		l->start += *len + (nl < l->buf + l->end);
		l->line++;
		return 1;
	}
}
