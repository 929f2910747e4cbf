/*
 * mseal-calls.c - mseal (Linux 6.10 on) and every call a seal refuses:
 * munmap, mprotect across a sealed VMA (the VMAs before it change),
 * MAP_FIXED over it, mremap of it and onto it, the discarding madvise
 * on read-only private memory (and the advice it still allows), mlock;
 * then mseal's own errors (flags, unaligned, wrapping, unmapped) and
 * sealing twice.  Calls go through syscall(2): glibc 2.36 has no
 * mseal wrapper.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NR_MSEAL 462
#define PG 4096L

static long seal(void *a, long len, long flags)
{
	return syscall(NR_MSEAL, a, len, flags);
}

int main(void)
{
	char *a = mmap(NULL, 8 * PG, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *b;

	if (a == MAP_FAILED)
		return 1;
	seal(a + 2 * PG, PG, 0);
	mprotect(a, 4 * PG, PROT_READ);		/* EPERM, a..a+2 changed */
	munmap(a, 4 * PG);			/* EPERM */
	mprotect(a + 2 * PG, PG, PROT_READ | PROT_WRITE);
	mprotect(a + 2 * PG, PG, PROT_READ);
	mlock(a + 2 * PG, PG);
	munlock(a + 2 * PG, PG);
	madvise(a + 2 * PG, PG, MADV_NORMAL);
	madvise(a + 2 * PG, PG, MADV_DONTNEED);	/* writable: allowed */
	madvise(a + 2 * PG, PG, MADV_WILLNEED);
	mmap(a + 2 * PG, PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
	     -1, 0);
	mmap(a + PG, 2 * PG, PROT_READ,
	     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);
	mremap(a + 2 * PG, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, a + 6 * PG);
	mremap(a + 5 * PG, PG, PG, MREMAP_MAYMOVE | MREMAP_FIXED, a + 2 * PG);
	mremap(a + 2 * PG, PG, PG, 0);
	mremap(a + 3 * PG, PG, 2 * PG, 0);

	b = mmap(NULL, 4 * PG, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (b == MAP_FAILED)
		return 1;
	seal(b + PG, PG, 0);
	madvise(b, 4 * PG, MADV_DONTFORK);	/* EPERM at b+PG */
	madvise(b + PG, PG, MADV_DONTNEED);
	madvise(b + PG, PG, MADV_FREE);
	madvise(b + PG, PG, 102);		/* MADV_GUARD_INSTALL */
	madvise(b + PG, PG, MADV_WIPEONFORK);
	madvise(b + PG, PG, 24);		/* MADV_DONTNEED_LOCKED */
	madvise(b + PG, PG, MADV_REMOVE);
	madvise(b + PG, PG, MADV_COLD);
	madvise(b + PG, PG, MADV_PAGEOUT);
	madvise(b + PG, PG, MADV_DOFORK);
	seal(b + 1, PG, 0);			/* EINVAL */
	seal(b, PG, 1);				/* EINVAL */
	seal(b, 0, 0);
	seal(b, -1L, 0);			/* EINVAL */
	seal(b, -2 * PG, 0);			/* EINVAL */
	seal(b + 3 * PG, 2 * PG, 0);		/* into the mapping above b */
	seal((void *)0x1000, PG, 0);		/* ENOMEM */
	seal((void *)0x1000, 0, 0);
	seal(b, PG, 0);
	seal(b, PG, 0);				/* twice */
	seal(b, 2 * PG, 0);
	seal((void *)-PG, PG, 0);		/* EINVAL: wraps */
	seal((void *)(1UL << 47), PG, 0);	/* ENOMEM */
	printf("done\n");
	return 0;
}
