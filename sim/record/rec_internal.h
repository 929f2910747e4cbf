/*
 * rec_internal.h - the recorder's parts: a compressing writer, what it
 * reads from /proc and /sys, and a growable text buffer.
 */
#ifndef RMSIM_REC_INTERNAL_H
#define RMSIM_REC_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* ---- rec_out.c: a file written plain, gzip or xz by its name ---- */

struct rec_out;

/*
 * Create @path (.xz: xz, .gz: gzip, else plain), written as @path.part
 * until it is closed.  NULL with *@err = -errno.
 */
struct rec_out *rec_out_open(const char *path, int *err);
/* 0, or -errno (the first error sticks). */
int rec_out_write(struct rec_out *o, const void *buf, size_t len);
int rec_out_printf(struct rec_out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Finish, close and rename to @path; 0 or -errno (then nothing is left).
 * *@bytes: the file's size. */
int rec_out_close(struct rec_out *o, uint64_t *bytes);
/* Close and remove what was written. */
void rec_out_abort(struct rec_out *o);

/* ---- a text buffer ---- */

struct rec_buf {
	char *s;
	size_t len, cap;
	bool failed;		/* out of memory once: the rest is lost */
};

void rec_buf_printf(struct rec_buf *b, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
void rec_buf_free(struct rec_buf *b);

/* ---- rec_proc.c: facts from /proc and /sys ---- */

/* The side file's "machine" lines (all but "faults"). */
void rec_machine(struct rec_buf *b);

/*
 * rec_capture_maps - "exec" and "map" lines for @pid, read now.  Exact
 * when the process was in execve (@nr, x86-64: 59 or execveat 322)
 * both before and after the maps were read.  Returns 1 exact, 0 late,
 * -errno when the process is gone.
 */
int rec_capture_maps(int32_t pid, int64_t ts_us, struct rec_buf *b);

/*
 * rec_rss_anon - RssAnon of process @pid in KiB.  1 with *@kib, 0 when
 * @pid is a thread (not its group's leader) or has no memory (a zombie),
 * -errno when gone.
 */
int rec_rss_anon(int32_t pid, uint64_t *kib);

/* CLOCK_REALTIME in microseconds: strace's -ttt clock. */
int64_t rec_now_us(void);

#endif
