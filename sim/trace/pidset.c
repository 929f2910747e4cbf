/*
 * pidset.c - a set of pids by open addressing with linear probing.
 *
 * ALGORITHM: Fibonacci hashing of the pid into a power-of-two table kept
 * at most half full, so a probe ends at an empty slot; the table doubles
 * and rehashes when it would pass half.
 * INVARIANTS: n counts the non-zero slots; 2n < cap or cap == 0.
 */
#include "pidset.h"

#include <stdlib.h>

static size_t home(int32_t pid, size_t cap)
{
	return ((uint32_t)pid * 2654435761u) & (cap - 1);
}

int tr_pidset_add(struct tr_pidset *s, int32_t pid)
{
	size_t i;

	if (pid <= 0)
		return 0;
	if (2 * (s->n + 1) > s->cap) {
		size_t ncap = s->cap ? s->cap * 2 : 64, j;
		int32_t *n = calloc(ncap, sizeof(*n));

		if (!n)
			return -1;
		for (j = 0; j < s->cap; j++) {
			int32_t p = s->slot[j];

			if (!p)
				continue;
			for (i = home(p, ncap); n[i]; i = (i + 1) & (ncap - 1))
				;
			n[i] = p;
		}
		free(s->slot);
		s->slot = n;
		s->cap = ncap;
	}
	for (i = home(pid, s->cap); s->slot[i]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == pid)
			return 0;
	s->slot[i] = pid;
	s->n++;
	return 1;
}

bool tr_pidset_has(const struct tr_pidset *s, int32_t pid)
{
	size_t i;

	if (pid <= 0 || !s->cap)
		return false;
	for (i = home(pid, s->cap); s->slot[i]; i = (i + 1) & (s->cap - 1))
		if (s->slot[i] == pid)
			return true;
	return false;
}

void tr_pidset_free(struct tr_pidset *s)
{
	free(s->slot);
	s->slot = NULL;
	s->n = s->cap = 0;
}
