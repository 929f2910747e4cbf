/*
 * mseal: seals mappings with mseal(2) (Linux 6.10+, system call 462 on
 * x86-64, called by number: glibc 2.36 has no wrapper) and then tries
 * every call a seal refuses: munmap, mprotect, mremap (move and shrink),
 * MAP_FIXED over it, and a destructive madvise on a read-only private
 * anonymous mapping.  Each must fail with EPERM on a kernel with mseal;
 * a kernel without it fails the seal with ENOSYS and the calls succeed.
 * A writable sealed mapping still accepts MADV_DONTNEED.  Then an
 * unsealed neighbour is unmapped normally.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#define NR_MSEAL 462

static long seal(void *p, size_t len)
{
	return syscall(NR_MSEAL, p, len, 0UL);
}

static void report(const char *what, long rc)
{
	printf("%-28s %s\n", what, rc == -1 ? strerror(errno) : "ok");
}

int main(void)
{
	size_t pg = 4096, len = 4 * pg;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *ro = mmap(NULL, 2 * pg, PROT_READ,
			MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char *free_one = mmap(NULL, pg, PROT_READ | PROT_WRITE,
			      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	void *r;

	if (p == MAP_FAILED || ro == MAP_FAILED || free_one == MAP_FAILED)
		return 2;
	memset(p, 1, len);
	report("mseal rw", seal(p, len));
	report("mseal ro", seal(ro, 2 * pg));
	report("mseal unaligned", seal(p + 1, pg));
	report("munmap sealed", munmap(p, pg));
	report("mprotect sealed", mprotect(p, pg, PROT_READ));
	r = mremap(p, len, 8 * pg, MREMAP_MAYMOVE);
	report("mremap grow sealed", r == MAP_FAILED ? -1 : 0);
	r = mremap(p, len, pg, 0);
	report("mremap shrink sealed", r == MAP_FAILED ? -1 : 0);
	r = mmap(p, pg, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED,
		 -1, 0);
	report("mmap fixed over sealed", r == MAP_FAILED ? -1 : 0);
	report("madvise dontneed ro", madvise(ro, pg, MADV_DONTNEED));
	report("madvise dontneed rw", madvise(p, pg, MADV_DONTNEED));
	report("madvise willneed ro", madvise(ro, pg, MADV_WILLNEED));
	report("munmap unsealed", munmap(free_one, pg));
	return 0;
}
