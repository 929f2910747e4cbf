/*
 * rec_out.c - write a recording plain, gzip or xz, chosen by the file's
 * name, so `-o go.strace.xz` gives what the reader's magic test expects.
 *
 * xz uses preset 1: strace can print tens of MB/s and a slower encoder
 * would throttle it (and so the program) through the pipe; the files are
 * a fifth larger than with preset 6, and `xz -6` can recompress.  Input
 * is gathered in a buffer first: strace's lines are short, and one
 * encoder call (or write) per line costs more than the encoding.
 *
 * The file is written as NAME.part and renamed to NAME when it is
 * complete, so a recording that fails never replaces an earlier file of
 * that name with a broken one.
 */
#include "rec_internal.h"

#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

enum kind { PLAIN, GZ, XZ };

#define OUT_SIZE (64 * 1024)

struct rec_out {
	int fd;
	char *path, *part;
	enum kind kind;
	int err;
	uint64_t bytes;
	size_t held;		/* bytes waiting in in[] */
	lzma_stream x;
	z_stream z;
	unsigned char buf[OUT_SIZE];
	unsigned char in[OUT_SIZE];
};

static bool ends_with(const char *s, const char *suf)
{
	size_t n = strlen(s), m = strlen(suf);

	return n >= m && strcmp(s + n - m, suf) == 0;
}

static int put(struct rec_out *o, const void *p, size_t n)
{
	const char *c = p;

	while (n > 0) {
		ssize_t w = write(o->fd, c, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -errno;
		c += w;
		n -= (size_t)w;
		o->bytes += (uint64_t)w;
	}
	return 0;
}

struct rec_out *rec_out_open(const char *path, int *err)
{
	struct rec_out *o = calloc(1, sizeof(*o));
	lzma_stream init = LZMA_STREAM_INIT;

	if (!o) {
		*err = -ENOMEM;
		return NULL;
	}
	o->kind = ends_with(path, ".xz") ? XZ : ends_with(path, ".gz") ? GZ
								     : PLAIN;
	o->x = init;
	if (o->kind == XZ &&
	    lzma_easy_encoder(&o->x, 1, LZMA_CHECK_CRC64) != LZMA_OK) {
		free(o);
		*err = -ENOMEM;
		return NULL;
	}
	/* 16 + 15: a gzip wrapper, the largest window */
	if (o->kind == GZ && deflateInit2(&o->z, 6, Z_DEFLATED, 16 + 15, 8,
					  Z_DEFAULT_STRATEGY) != Z_OK) {
		free(o);
		*err = -ENOMEM;
		return NULL;
	}
	o->path = strdup(path);
	o->part = malloc(strlen(path) + 6);
	if (o->part)
		strcat(strcpy(o->part, path), ".part");
	o->fd = o->path && o->part ? open(o->part, O_WRONLY | O_CREAT |
						   O_TRUNC | O_CLOEXEC, 0666)
				   : -1;
	if (o->fd < 0) {
		*err = o->path && o->part ? -errno : -ENOMEM;
		free(o->path);
		free(o->part);
		if (o->kind == XZ)
			lzma_end(&o->x);
		if (o->kind == GZ)
			deflateEnd(&o->z);
		free(o);
		return NULL;
	}
	return o;
}

/* Run the encoder over @p (NULL at the end) and write what it gives. */
static int encode(struct rec_out *o, const void *p, size_t n, bool finish)
{
	int e;

	if (o->kind == XZ) {
		lzma_ret r;

		o->x.next_in = p;
		o->x.avail_in = n;
		do {
			o->x.next_out = o->buf;
			o->x.avail_out = OUT_SIZE;
			r = lzma_code(&o->x, finish ? LZMA_FINISH : LZMA_RUN);
			if (r != LZMA_OK && r != LZMA_STREAM_END)
				return -EIO;
			e = put(o, o->buf, OUT_SIZE - o->x.avail_out);
			if (e)
				return e;
		} while (o->x.avail_in > 0 ||
			 (finish && r != LZMA_STREAM_END));
		return 0;
	}
	{
		int r;

		o->z.next_in = (unsigned char *)(uintptr_t)p;
		o->z.avail_in = (uInt)n;
		do {
			o->z.next_out = o->buf;
			o->z.avail_out = OUT_SIZE;
			r = deflate(&o->z, finish ? Z_FINISH : Z_NO_FLUSH);
			if (r == Z_STREAM_ERROR)
				return -EIO;
			e = put(o, o->buf, OUT_SIZE - o->z.avail_out);
			if (e)
				return e;
		} while (o->z.avail_in > 0 || (finish && r != Z_STREAM_END));
		return 0;
	}
}

/* Pass on what in[] holds (and @p, @n beside it). */
static int flush(struct rec_out *o, const void *p, size_t n)
{
	int e = 0;

	if (o->held)
		e = o->kind == PLAIN ? put(o, o->in, o->held)
				     : encode(o, o->in, o->held, false);
	o->held = 0;
	if (!e && n)
		e = o->kind == PLAIN ? put(o, p, n) : encode(o, p, n, false);
	return e;
}

int rec_out_write(struct rec_out *o, const void *buf, size_t len)
{
	if (o->err)
		return o->err;
	if (o->held + len <= OUT_SIZE) {
		memcpy(o->in + o->held, buf, len);
		o->held += len;
		return 0;
	}
	o->err = flush(o, buf, len);
	return o->err;
}

int rec_out_printf(struct rec_out *o, const char *fmt, ...)
{
	char line[8192];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0)
		return -EINVAL;
	return rec_out_write(o, line, (size_t)n < sizeof(line)
					      ? (size_t)n
					      : sizeof(line) - 1);
}

int rec_out_close(struct rec_out *o, uint64_t *bytes)
{
	int rc;

	if (!o)
		return 0;
	if (!o->err)
		o->err = flush(o, NULL, 0);
	if (!o->err && o->kind != PLAIN)
		o->err = encode(o, NULL, 0, true);
	if (o->kind == XZ)
		lzma_end(&o->x);
	if (o->kind == GZ)
		deflateEnd(&o->z);
	rc = o->err;
	if (close(o->fd) < 0 && !rc)
		rc = -errno;
	if (!rc && rename(o->part, o->path) < 0)
		rc = -errno;
	if (rc)
		unlink(o->part);
	if (bytes)
		*bytes = o->bytes;
	free(o->path);
	free(o->part);
	free(o);
	return rc;
}

void rec_out_abort(struct rec_out *o)
{
	if (!o)
		return;
	if (o->kind == XZ)
		lzma_end(&o->x);
	if (o->kind == GZ)
		deflateEnd(&o->z);
	close(o->fd);
	unlink(o->part);
	free(o->path);
	free(o->part);
	free(o);
}

void rec_buf_printf(struct rec_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (b->failed)
		return;
	for (;;) {
		size_t room = b->cap - b->len;

		va_start(ap, fmt);
		n = vsnprintf(b->s ? b->s + b->len : NULL, room, fmt, ap);
		va_end(ap);
		if (n < 0) {
			b->failed = true;
			return;
		}
		if ((size_t)n < room) {
			b->len += (size_t)n;
			return;
		}
		{
			size_t ncap = (b->cap ? b->cap * 2 : 4096) + (size_t)n;
			char *ns = realloc(b->s, ncap);

			if (!ns) {
				b->failed = true;
				return;
			}
			b->s = ns;
			b->cap = ncap;
		}
	}
}

void rec_buf_free(struct rec_buf *b)
{
	free(b->s);
	b->s = NULL;
	b->len = b->cap = 0;
}
