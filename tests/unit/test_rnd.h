/*
 * test_rnd.h - the randomized tests' generator: xorshift64, seeded by
 * each test, so every run draws the same sequence and a failure repeats.
 */
#ifndef RMSIM_TEST_RND_H
#define RMSIM_TEST_RND_H

#include <stdint.h>

static inline uint64_t test_rnd(uint64_t *state)
{
	*state ^= *state << 13;
	*state ^= *state >> 7;
	*state ^= *state << 17;
	return *state;
}

#endif
