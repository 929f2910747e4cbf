/*
 * pidset.h - a set of pids (open addressing, 0 is the empty slot): the
 * reader's count of distinct pids and the recorder's filter of the
 * faults that belong to the traced processes.
 */
#ifndef RMSIM_TRACE_PIDSET_H
#define RMSIM_TRACE_PIDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct tr_pidset {
	int32_t *slot;
	size_t n, cap;		/* cap is 0 or a power of two > 2n */
};

/* Add @pid (> 0): 1 when new, 0 when present or not a pid, -1 no memory. */
int tr_pidset_add(struct tr_pidset *s, int32_t pid);
bool tr_pidset_has(const struct tr_pidset *s, int32_t pid);
void tr_pidset_free(struct tr_pidset *s);

#endif
