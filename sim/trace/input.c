/*
 * input.c - plain, gzip and xz trace files behind one read function.
 *
 * The first block of the file is read before the format is chosen, so
 * detection works on pipes too; that block then feeds the decoder.  Both
 * decoders accept concatenated streams (what `cat a.gz b.gz` makes).
 */
#include "input.h"

#include "rmsim/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <lzma.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zlib.h>

enum fmt { FMT_PLAIN, FMT_GZIP, FMT_XZ };

#define RAW_SIZE (64 * 1024)

struct tr_input {
	int fd;
	enum fmt fmt;
	unsigned char raw[RAW_SIZE];
	size_t raw_pos, raw_len;	/* unconsumed compressed input */
	int eof;			/* the fd is exhausted */
	int done;			/* decoder finished all streams */
	int corrupt;			/* the error is in the data */
	z_stream z;
	lzma_stream x;
	const char *error;
};

static int refill(struct tr_input *in)
{
	ssize_t n;

	if (in->eof)
		return 0;
	do
		n = read(in->fd, in->raw, RAW_SIZE);
	while (n < 0 && errno == EINTR);
	if (n < 0) {
		in->error = "read error";
		return -1;
	}
	if (n == 0)
		in->eof = 1;
	in->raw_pos = 0;
	in->raw_len = (size_t)n;
	return (int)(n > 0);
}

struct tr_input *tr_input_open(const char *path, int *err)
{
	int fd = 0;
	struct tr_input *in;

	if (strcmp(path, "-") != 0) {
		struct stat st;

		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0) {
			*err = -errno;
			return NULL;
		}
		/* a directory opens, then fails every read */
		if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
			*err = -EISDIR;
			close(fd);
			return NULL;
		}
	}
	in = tr_input_fdopen(fd, err);
	if (!in && fd > 0)
		close(fd);
	return in;
}

struct tr_input *tr_input_fdopen(int fd, int *err)
{
	struct tr_input *in = calloc(1, sizeof(*in));

	if (!in) {
		*err = -ENOMEM;
		return NULL;
	}
	in->fd = fd;
	/* Read until we have enough bytes for the longest magic (6). */
	while (in->raw_len < 6 && !in->eof) {
		ssize_t n = read(in->fd, in->raw + in->raw_len,
				 RAW_SIZE - in->raw_len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			*err = -errno;
			goto fail;
		}
		if (n == 0)
			in->eof = 1;
		in->raw_len += (size_t)n;
	}
	if (in->raw_len >= 2 && in->raw[0] == 0x1f && in->raw[1] == 0x8b) {
		in->fmt = FMT_GZIP;
		/* 32 + 15: gzip header, maximum window */
		if (inflateInit2(&in->z, 32 + 15) != Z_OK) {
			*err = -ENOMEM;
			goto fail;
		}
	} else if (in->raw_len >= 6 &&
		   memcmp(in->raw, "\xfd" "7zXZ\0", 6) == 0) {
		lzma_stream init = LZMA_STREAM_INIT;

		in->fmt = FMT_XZ;
		in->x = init;
		if (lzma_stream_decoder(&in->x, UINT64_MAX,
					LZMA_CONCATENATED) != LZMA_OK) {
			*err = -ENOMEM;
			goto fail;
		}
	}
	return in;
fail:
	free(in);
	return NULL;
}

static ssize_t read_gzip(struct tr_input *in, char *buf, size_t n)
{
	in->z.next_out = (unsigned char *)buf;
	in->z.avail_out = (uInt)n;
	while (in->z.avail_out == n && !in->done) {
		int rc;

		if (in->raw_pos == in->raw_len) {
			int r = refill(in);

			if (r < 0)
				return -1;
			if (r == 0) {
				in->error = "truncated gzip data";
				in->corrupt = 1;
				return -1;
			}
		}
		in->z.next_in = in->raw + in->raw_pos;
		in->z.avail_in = (uInt)(in->raw_len - in->raw_pos);
		rc = inflate(&in->z, Z_NO_FLUSH);
		in->raw_pos = in->raw_len - in->z.avail_in;
		if (rc == Z_STREAM_END) {
			/* another member may follow */
			if (in->raw_pos == in->raw_len && refill(in) <= 0)
				in->done = 1;
			else if (inflateReset(&in->z) != Z_OK)
				return in->error = "corrupt gzip data", -1;
		} else if (rc != Z_OK && rc != Z_BUF_ERROR) {
			in->error = "corrupt gzip data";
			in->corrupt = 1;
			return -1;
		}
	}
	return (ssize_t)(n - in->z.avail_out);
}

static ssize_t read_xz(struct tr_input *in, char *buf, size_t n)
{
	in->x.next_out = (uint8_t *)buf;
	in->x.avail_out = n;
	while (in->x.avail_out == n && !in->done) {
		lzma_action action = LZMA_RUN;
		lzma_ret rc;

		if (in->raw_pos == in->raw_len) {
			if (refill(in) < 0)
				return -1;
			if (in->eof)
				action = LZMA_FINISH;
		}
		in->x.next_in = in->raw + in->raw_pos;
		in->x.avail_in = in->raw_len - in->raw_pos;
		rc = lzma_code(&in->x, action);
		in->raw_pos = in->raw_len - in->x.avail_in;
		if (rc == LZMA_STREAM_END) {
			in->done = 1;
		} else if (rc != LZMA_OK) {
			in->error = rc == LZMA_BUF_ERROR ? "truncated xz data"
				    : rc == LZMA_MEM_ERROR ? "out of memory"
							   : "corrupt xz data";
			in->corrupt = rc != LZMA_MEM_ERROR;
			return -1;
		}
	}
	return (ssize_t)(n - in->x.avail_out);
}

ssize_t tr_input_read(struct tr_input *in, char *buf, size_t n)
{
	size_t have;

	switch (in->fmt) {
	case FMT_GZIP:
		return read_gzip(in, buf, n);
	case FMT_XZ:
		return read_xz(in, buf, n);
	case FMT_PLAIN:
		break;
	}
	if (in->raw_pos == in->raw_len) {
		ssize_t r;

		if (in->eof)
			return 0;
		/* Large reads go straight to the caller's buffer. */
		do
			r = read(in->fd, buf, n);
		while (r < 0 && errno == EINTR);
		if (r < 0)
			in->error = "read error";
		if (r == 0)
			in->eof = 1;
		return r;
	}
	have = in->raw_len - in->raw_pos;
	if (have > n)
		have = n;
	memcpy(buf, in->raw + in->raw_pos, have);
	in->raw_pos += have;
	return (ssize_t)have;
}

bool tr_input_corrupt(const struct tr_input *in)
{
	return in->corrupt != 0;
}

const char *tr_input_error(const struct tr_input *in)
{
	return in->error ? in->error : "read error";
}

void tr_input_close(struct tr_input *in)
{
	if (!in)
		return;
	if (in->fmt == FMT_GZIP)
		inflateEnd(&in->z);
	else if (in->fmt == FMT_XZ)
		lzma_end(&in->x);
	if (in->fd > 0)
		close(in->fd);
	free(in);
}

int tr_line_text(const char *path, uint64_t line, char *buf, size_t size)
{
	char block[1 << 14];
	struct tr_input *in;
	uint64_t at = 1;
	size_t used = 0;
	ssize_t n, i;
	int err = 0;

	if (!size || !line)
		return -EINVAL;
	buf[0] = '\0';
	if (strcmp(path, "-") == 0)
		return -ENOENT;	/* stdin was read once, by the run */
	in = tr_input_open(path, &err);
	if (!in)
		return err ? err : -EIO;
	while (at <= line && (n = tr_input_read(in, block, sizeof(block))) > 0)
		for (i = 0; i < n && at <= line; i++) {
			if (block[i] == '\n') {
				at++;
				continue;
			}
			if (at == line && used + 1 < size)
				buf[used++] = block[i];
		}
	buf[used] = '\0';
	tr_input_close(in);
	return at > line ? 0 : -ENOENT;
}
