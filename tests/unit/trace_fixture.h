/*
 * trace_fixture.h - what the reader's unit tests share: read a text
 * through the whole reader (a memfd, tr_open, tr_next) and keep the
 * events, the message and the counters.
 */
#ifndef RMSIM_TEST_TRACE_FIXTURE_H
#define RMSIM_TEST_TRACE_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "rmsim/abi.h"
#include "rmsim/trace.h"

#define MAXEV 16

struct run {
	int rc;			/* last tr_next result */
	int n;
	struct tr_event ev[MAXEV];
	char path[MAXEV][128];
	char msg[512];
	struct tr_stats st;
};

/* A reader over @text (in a memfd, *@fd: close it after tr_close). */
static inline struct tr_reader *open_text(const char *text, size_t len,
					  const struct tr_options *opt, int *fd)
{
	struct tr_reader *r;
	char path[64];
	int err;

	*fd = memfd_create("t", 0);
	assert_true(*fd >= 0);
	assert_int_equal(write(*fd, text, len), (ssize_t)len);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", *fd);
	r = tr_open(path, opt, &err);
	assert_non_null(r);
	return r;
}

/* Write @text to a memfd and read every event from it. */
static inline void read_text(const char *text, size_t len, bool keep_going,
			     struct run *out)
{
	struct tr_options opt = {.keep_going = keep_going};
	struct tr_reader *r;
	int fd;

	memset(out, 0, sizeof(*out));
	r = open_text(text, len, &opt, &fd);
	while ((out->rc = tr_next(r, &out->ev[out->n])) > 0) {
		if (out->ev[out->n].fd_path)
			snprintf(out->path[out->n], 128, "%s",
				 out->ev[out->n].fd_path);
		assert_true(++out->n < MAXEV);
	}
	/* messages carry the file name; keep only "LINE: what" */
	snprintf(out->msg, sizeof(out->msg), "%s",
		 strchr(tr_error(r), ':') ? strchr(tr_error(r), ':') + 1 : "");
	out->st = *tr_reader_stats(r);
	tr_close(r);
	close(fd);
}

static inline void read_str(const char *text, struct run *out)
{
	read_text(text, strlen(text), false, out);
}

/*
 * One line that must give exactly one event (its fd_path a copy that
 * lasts until the next call).  strace ends every line with a newline (a
 * last line without one was cut), so one is added if missing.
 */
static inline struct tr_event one(const char *line)
{
	static struct run r;
	static char buf[4096];

	snprintf(buf, sizeof(buf), "%s%s", line,
		 line[0] && line[strlen(line) - 1] == '\n' ? "" : "\n");
	read_str(buf, &r);
	if (r.rc != 0)
		fail_msg("%s -> %s", line, r.msg);
	assert_int_equal(r.n, 1);
	/* the reader's path lives until its next event: keep the copy */
	if (r.ev[0].fd_path)
		r.ev[0].fd_path = r.path[0];
	return r.ev[0];
}

/* Malformed input: exact messages, exit through tr_next's -EINVAL. */
static inline void bad(const char *text, const char *msg)
{
	static struct run r;

	read_str(text, &r);
	if (r.rc != -EINVAL)
		fail_msg("accepted: %s", text);
	assert_string_equal(r.msg, msg);
}

#endif
