/* glibc-malloc: exercises glibc malloc's mmap path.  With
 * mallopt(M_MMAP_THRESHOLD, 4096), M_MMAP_MAX raised and M_TOP_PAD 0,
 * every block of 4 KiB or more gets its own anonymous mapping, so
 *   malloc  -> mmap(NULL, len, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS)
 *   free    -> munmap
 *   realloc -> mremap(old, old_len, new_len, MREMAP_MAYMOVE)
 *              (skipped by glibc when the page count does not change)
 * The program does OPS malloc/free/realloc operations (argv[1], default
 * 550000) on a table of SLOTS live blocks, chosen by a fixed-seed xorshift
 * generator, so the sequence of calls is the same on every run (only the
 * addresses differ).  Sizes span 4 KiB to 2 MiB, skewed towards small.
 */
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define SLOTS 512

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t next(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

/* [4 KiB, 2 MiB), roughly log-uniform, mostly not page-aligned. */
static size_t pick_size(void)
{
	unsigned shift = 12 + (unsigned)(next() % 9);	/* 2^12 .. 2^20 */
	size_t base = (size_t)1 << shift;
	return base + (size_t)(next() % base);
}

static void touch(unsigned char *p, size_t n)
{
	p[0] = 1;
	p[n - 1] = 2;
}

int main(int argc, char **argv)
{
	long ops = argc > 1 ? atol(argv[1]) : 550000;
	static unsigned char *slot[SLOTS];
	static size_t len[SLOTS];
	long n_malloc = 0, n_free = 0, n_realloc = 0;

	/* Everything >= 4 KiB is mmapped; no limit on the number of mmaps;
	 * no extra padding when the brk heap grows. */
	if (!mallopt(M_MMAP_THRESHOLD, 4096) || !mallopt(M_MMAP_MAX, 1 << 20) ||
	    !mallopt(M_TOP_PAD, 0)) {
		fprintf(stderr, "mallopt failed\n");
		return 1;
	}
	/* Allocate stdout's buffer now, before the traced loop. */
	setvbuf(stdout, NULL, _IOLBF, 0);

	for (long i = 0; i < ops; i++) {
		unsigned s = (unsigned)(next() % SLOTS);
		unsigned op = (unsigned)(next() % 8);

		if (!slot[s]) {			/* empty slot: malloc */
			len[s] = pick_size();
			slot[s] = malloc(len[s]);
			if (!slot[s])
				return perror("malloc"), 1;
			touch(slot[s], len[s]);
			n_malloc++;
		} else if (op < 3) {		/* 3/8: realloc to a new size */
			size_t nl = pick_size();
			unsigned char *p = realloc(slot[s], nl);
			if (!p)
				return perror("realloc"), 1;
			slot[s] = p;
			len[s] = nl;
			touch(p, nl);
			n_realloc++;
		} else {			/* 5/8: free */
			free(slot[s]);
			slot[s] = NULL;
			n_free++;
		}
	}
	for (unsigned s = 0; s < SLOTS; s++)
		if (slot[s]) {
			free(slot[s]);
			n_free++;
		}
	printf("ops %ld: malloc %ld, realloc %ld, free %ld\n", ops, n_malloc,
	       n_realloc, n_free);
	return 0;
}
