/*
 * main.cc - the Go runtime's arena start-up through libc's mmap, on a
 * window policy (<libc><mmap policy="window" .../>): reserve address
 * space PROT_NONE, commit part of it with MAP_FIXED, unmap a piece,
 * give a piece back with MADV_DONTNEED, commit the hole again.  Each
 * step checks what Linux guarantees (addresses, contents, zero-filled
 * fresh memory); the test ends with "--- test succeeded ---" and exit
 * value 0, or names the step that failed and exits 1.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

enum : size_t { MiB = 1024 * 1024, ARENA = 64 * MiB, COMMIT = 4 * MiB };

static int failed(char const *step)
{
	printf("Error: step '%s' failed\n", step);
	return 1;
}

static bool all(unsigned char const *p, size_t len, unsigned char v)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != v)
			return false;
	return true;
}

int main()
{
	printf("--- libc mmap window test started ---\n");

	/* 1. reserve the arena: address space, no memory */
	void *r = mmap(nullptr, ARENA, PROT_NONE, MAP_PRIVATE | MAP_ANON,
	               -1, 0);
	if (r == MAP_FAILED)
		return failed("reserve");
	unsigned char *arena = (unsigned char *)r;
	printf("reserved  [%p, %p)\n", arena, arena + ARENA);

	/* 2. commit its start, as the heap grows */
	if (mmap(arena, COMMIT, PROT_READ | PROT_WRITE,
	         MAP_FIXED | MAP_PRIVATE | MAP_ANON, -1, 0) != arena)
		return failed("commit");
	if (!all(arena, COMMIT, 0))
		return failed("fresh memory reads zero");
	memset(arena, 0xa5, COMMIT);
	printf("committed [%p, %p)\n", arena, arena + COMMIT);

	/* 3. unmap a piece in the middle: the rest stays */
	if (munmap(arena + MiB, MiB))
		return failed("partial munmap");
	if (!all(arena, MiB, 0xa5) || !all(arena + 2 * MiB, 2 * MiB, 0xa5))
		return failed("contents around the hole");

	/* 4. give a piece back: it reads zero afterwards */
	if (madvise(arena + 2 * MiB, MiB, MADV_DONTNEED))
		return failed("madvise DONTNEED");
	if (!all(arena + 2 * MiB, MiB, 0) || !all(arena + 3 * MiB, MiB, 0xa5))
		return failed("contents after DONTNEED");

	/* 5. commit the hole again: fresh, writeable */
	if (mmap(arena + MiB, MiB, PROT_READ | PROT_WRITE,
	         MAP_FIXED | MAP_PRIVATE | MAP_ANON, -1, 0) != arena + MiB)
		return failed("re-commit");
	if (!all(arena + MiB, MiB, 0))
		return failed("re-committed memory reads zero");
	memset(arena + MiB, 0x5a, MiB);

	/* 6. read-only, then gone */
	if (mprotect(arena, COMMIT, PROT_READ))
		return failed("mprotect");
	if (!all(arena + MiB, MiB, 0x5a))
		return failed("contents after mprotect");
	if (munmap(arena, ARENA))
		return failed("munmap");

	printf("--- test succeeded ---\n");
	return 0;
}
