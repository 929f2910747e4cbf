/*
 * parse.h - what the reader's files share and do not publish: calls
 * strace printed by number ("syscall_0x1ce(...)") and their arguments.
 */
#ifndef RMSIM_TRACE_PARSE_H
#define RMSIM_TRACE_PARSE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rmsim/trace.h"

/* The name of x86-64 system call @nr, or NULL when it has none. */
const char *tr_sysno_name(uint64_t nr);

/*
 * tr_call_lookup_raw - tr_call_lookup that also reads strace's name for
 * a call it could not name, "syscall_0x1ce", through the number table.
 * *@raw is set when it did: strace then prints all six registers as
 * numbers, of which the call's own arguments are the first.
 */
enum tr_call tr_call_lookup_raw(const char *name, size_t len, bool *raw);

/* tr_parse_call; @raw: the call was printed by number (extra arguments). */
int tr_parse_call_raw(enum tr_call call, const char *body, size_t len, bool raw,
		      struct tr_event *ev, char *path_buf, size_t path_size,
		      const char **why);

#endif
