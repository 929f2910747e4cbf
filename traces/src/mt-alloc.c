/*
 * mt-alloc.c - threads that allocate at once, for traces whose mmaps
 * overlap in time: each thread mixes malloc/free of small and large
 * blocks (large ones go to mmap/munmap in glibc and in jemalloc's
 * extents) with direct anonymous mmap, mprotect and munmap.
 *
 * Usage: mt-alloc THREADS ROUNDS.  Deterministic per thread (xorshift
 * seeded by the thread's index); the interleaving is the scheduler's.
 */
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define SLOTS 32

static int rounds;

static uint64_t next(uint64_t *s)
{
	*s ^= *s << 13;
	*s ^= *s >> 7;
	*s ^= *s << 17;
	return *s;
}

static void *worker(void *arg)
{
	uint64_t seed = 0x9e3779b97f4a7c15ULL * ((uintptr_t)arg + 1);
	void *blk[SLOTS] = {0};
	void *map[SLOTS] = {0};
	size_t maplen[SLOTS] = {0};
	int i;

	for (i = 0; i < rounds; i++) {
		unsigned k = (unsigned)(next(&seed) % SLOTS);
		uint64_t r = next(&seed);

		if (r % 4 == 0) {
			/* a direct mapping */
			if (map[k]) {
				munmap(map[k], maplen[k]);
				map[k] = NULL;
			} else {
				maplen[k] = (1 + r / 4 % 64) * 4096;
				map[k] = mmap(NULL, maplen[k],
					      PROT_READ | PROT_WRITE,
					      MAP_PRIVATE | MAP_ANONYMOUS, -1,
					      0);
				if (map[k] == MAP_FAILED) {
					map[k] = NULL;
					continue;
				}
				memset(map[k], 1, 4096);
				if (maplen[k] > 8192)
					mprotect(map[k], 4096, PROT_READ);
			}
		} else {
			/* 1 in 8 large: above glibc's mmap threshold */
			size_t n = r % 8 == 1 ? 128 * 1024 + r / 8 % (1 << 20)
					      : 64 + r / 8 % 4096;

			free(blk[k]);
			blk[k] = malloc(n);
			if (blk[k])
				memset(blk[k], 2, 64);
		}
	}
	for (i = 0; i < SLOTS; i++) {
		free(blk[i]);
		if (map[i])
			munmap(map[i], maplen[i]);
	}
	return NULL;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4, i;
	pthread_t t[64];

	rounds = argc > 2 ? atoi(argv[2]) : 1000;
	if (n < 1 || n > 64 || rounds < 1) {
		fprintf(stderr, "usage: mt-alloc THREADS(1-64) ROUNDS\n");
		return 64;
	}
	for (i = 0; i < n; i++)
		pthread_create(&t[i], NULL, worker, (void *)(uintptr_t)i);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	return 0;
}
