/*
 * input.h - byte sources for the trace reader: a plain file or stdin,
 * gzip, or xz, chosen by the magic bytes at the start of the stream.
 */
#ifndef RMSIM_TRACE_INPUT_H
#define RMSIM_TRACE_INPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

struct tr_input;

/*
 * Open @path ("-" for stdin).  NULL with *@err = -errno on failure
 * (-EISDIR for a directory).
 */
struct tr_input *tr_input_open(const char *path, int *err);
/*
 * The same on an open @fd (a pipe, say), which tr_input_close closes.
 * On failure @fd stays open.
 */
struct tr_input *tr_input_fdopen(int fd, int *err);
/*
 * Read up to @n decompressed bytes.  Returns the count, 0 at the end, or
 * -1 on a read or decompression error (message from tr_input_error).
 */
ssize_t tr_input_read(struct tr_input *in, char *buf, size_t n);
const char *tr_input_error(const struct tr_input *in);
/* Was the last error in the data (corrupt or truncated gzip or xz)? */
bool tr_input_corrupt(const struct tr_input *in);
void tr_input_close(struct tr_input *in);

#endif
