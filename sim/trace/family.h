/*
 * family.h - the lines the reader reads: one file, or a strace -ff family
 * (PREFIX.PID files, one per process) merged in timestamp order
 * (family.c).
 */
#ifndef RMSIM_TRACE_FAMILY_H
#define RMSIM_TRACE_FAMILY_H

#include "rmsim/trace.h"

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tr_family;

/* Open @path ("-" is stdin).  NULL with *@err = -errno on failure. */
struct tr_family *tr_family_open(const char *path, int *err);
void tr_family_close(struct tr_family *f);

/* The next line in timestamp order: 1, 0 at the end, or -errno. */
int tr_family_next(struct tr_family *f, const char **s, size_t *len);

/*
 * A call of the file at hand returned @pid: when the head's name is
 * PREFIX.N and PREFIX.@pid exists, it joins.  1 joined, 0 not (not a
 * family name, already read), -ENOENT when PREFIX.@pid is not there (its
 * name in tr_family_error; the family stays readable), -EINVAL when the
 * files carry no usable timestamps, -EIO/-ENOMEM otherwise
 * (tr_family_error).
 */
int tr_family_add(struct tr_family *f, int32_t pid);

/* The pid of the file of the last line (its name's), 0 for no family. */
int32_t tr_family_pid(const struct tr_family *f);
/* The pid in the head file's name (PREFIX.PID), or 0. */
int32_t tr_family_pid_of_name(const struct tr_family *f);
/* The name and line number of the last line, for messages. */
const char *tr_family_file(const struct tr_family *f);
uint64_t tr_family_line(const struct tr_family *f);
/* Whether the last line ended its file without a newline. */
bool tr_family_cut(const struct tr_family *f);
/* Decompressed bytes read, all files. */
uint64_t tr_family_bytes(const struct tr_family *f);
/* The files read so far, in the order they joined. */
size_t tr_family_files(const struct tr_family *f);
const char *tr_family_path(const struct tr_family *f, size_t i);
const char *tr_family_error(const struct tr_family *f);

#endif
