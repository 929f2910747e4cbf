/*
 * ivmap.h - an ordered map of disjoint address intervals to a 64-bit value,
 * used by the replay driver and the native backend for the relocation map (trace address ->
 * model address, value = delta) and for the set of ranges a trace has
 * ever mapped (value unused).
 */
#ifndef RMSIM_RANGES_IVMAP_H
#define RMSIM_RANGES_IVMAP_H

#include <stdbool.h>
#include <stdint.h>

struct iv_map;

struct iv_map *iv_new(void);
struct iv_map *iv_clone(const struct iv_map *m);
void iv_free(struct iv_map *m);

/* Map [start, end) to @value, replacing whatever overlapped it. */
int iv_assign(struct iv_map *m, uint64_t start, uint64_t end, uint64_t value);
/*
 * Add [start, end) to a set where every interval has @value, merging it
 * with the intervals it touches or overlaps: the set stays as small as
 * the union allows.  Cheap when the range is already covered.
 */
int iv_union(struct iv_map *m, uint64_t start, uint64_t end, uint64_t value);
/* Remove [start, end), splitting intervals that straddle its edges. */
int iv_remove(struct iv_map *m, uint64_t start, uint64_t end);

/*
 * The interval containing @addr: true with its bounds and value; false
 * with *@next the start of the next interval above @addr (UINT64_MAX if
 * none), so callers can walk a range piece by piece.
 */
bool iv_lookup(const struct iv_map *m, uint64_t addr, uint64_t *start,
	       uint64_t *end, uint64_t *value, uint64_t *next);

/* Is [start, end) wholly outside every interval? */
bool iv_disjoint(const struct iv_map *m, uint64_t start, uint64_t end);

uint64_t iv_count(const struct iv_map *m);
/* Invariants: ordered, disjoint, non-empty, heap order.  0 or -1. */
int iv_check(const struct iv_map *m);

#endif
