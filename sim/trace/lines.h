/*
 * lines.h - lines out of a trace-like file (plain, gzip or xz): the one
 * line splitter the strace reader and the fault-file reader share.
 */
#ifndef RMSIM_TRACE_LINES_H
#define RMSIM_TRACE_LINES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tr_lines;

/* Open @path ("-" for stdin).  NULL with *@err = -errno on failure. */
struct tr_lines *tr_lines_open(const char *path, int *err);
/* The same on an open @fd named @name in messages; it closes @fd. */
struct tr_lines *tr_lines_fdopen(int fd, const char *name, int *err);

/*
 * The next line, without its newline (a last line without one counts).
 * Returns 1 with *@s and *@len set (valid until the next call), 0 at the
 * end, -EINVAL for a line longer than the limit or corrupt compressed
 * data, -EIO for a read error (message from tr_lines_error).
 */
int tr_lines_next(struct tr_lines *l, const char **s, size_t *len);

/* Whether the last line returned ended the input without a newline. */
bool tr_lines_cut(const struct tr_lines *l);
/* Decompressed bytes read so far. */
uint64_t tr_lines_bytes(const struct tr_lines *l);
/* "FILE:LINE: line longer than N MiB" or "FILE: read error text". */
const char *tr_lines_error(const struct tr_lines *l);
/* The name used in messages: the path, or "<stdin>". */
const char *tr_lines_file(const struct tr_lines *l);
void tr_lines_close(struct tr_lines *l);

#endif
