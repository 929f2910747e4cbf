/* edgecases: drives every mm system call through its error paths and corner
 * cases, as an unprivileged process can: EINVAL (unaligned addresses, zero
 * lengths, bad flags/prot/advice), ENOMEM (huge and wrapping lengths, ranges
 * past the 47-bit user address space, holes), EEXIST (MAP_FIXED_NOREPLACE
 * overlaps), EBADF, EACCES, EFAULT, EAGAIN/EPERM (mlock limits set with
 * setrlimit), EOPNOTSUPP, EBUSY; partial mprotect/madvise over a hole; every
 * mremap mode; every madvise advice value (including MADV_GUARD_INSTALL and
 * MADV_GUARD_REMOVE on kernels that have them); msync flags; mlock2,
 * mlockall/munlockall; mincore; brk; pkey_mprotect; and finally a fork(),
 * a pthread (clone) and an execve of /bin/true.
 *
 * Every mm call goes straight to the kernel through syscall(), so glibc's
 * own argument checks (e.g. the mmap offset check) never hide a call.  The
 * sequence of calls is the same on every run; only addresses differ.  If
 * started as root the program first drops all capabilities, so that it sees
 * what a normal user sees (mmap_min_addr, RLIMIT_MEMLOCK, MADV_HWPOISON).
 * Each call and its result is printed on stdout with the errno expected on
 * Linux 6.x; a line starting with "MISMATCH" marks a surprise.
 *
 * Build: gcc -O1 -Wall -pthread -o edgecases edgecases.c
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/capability.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

/* Values newer than some libc headers. */
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif
#ifndef MADV_COLLAPSE
#define MADV_COLLAPSE 25
#endif
#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#ifndef MADV_GUARD_REMOVE
#define MADV_GUARD_REMOVE 103
#endif
#ifndef MADV_SOFT_OFFLINE
#define MADV_SOFT_OFFLINE 101
#endif
#ifndef MLOCK_ONFAULT
#define MLOCK_ONFAULT 1
#endif

#define PG 4096UL
#define P(n) ((size_t)(n) * PG)
#define ANON (MAP_PRIVATE | MAP_ANONYMOUS)
#define RW (PROT_READ | PROT_WRITE)
#define TASK_TOP (1UL << 47)	/* x86-64 4-level paging user limit */

/* Raw system calls: the kernel sees exactly these arguments. */
#define s_mmap(a, l, p, f, fd, o) syscall(SYS_mmap, a, l, p, f, fd, o)
#define s_munmap(a, l) syscall(SYS_munmap, a, l)
#define s_mprotect(a, l, p) syscall(SYS_mprotect, a, l, p)
#define s_pkey_mprotect(a, l, p, k) syscall(SYS_pkey_mprotect, a, l, p, k)
#define s_madvise(a, l, adv) syscall(SYS_madvise, a, l, adv)
#define s_mremap(o, ol, nl, f, n) syscall(SYS_mremap, o, ol, nl, f, n)
#define s_msync(a, l, f) syscall(SYS_msync, a, l, f)
#define s_mlock(a, l) syscall(SYS_mlock, a, l)
#define s_mlock2(a, l, f) syscall(SYS_mlock2, a, l, f)
#define s_munlock(a, l) syscall(SYS_munlock, a, l)
#define s_mlockall(f) syscall(SYS_mlockall, f)
#define s_munlockall() syscall(SYS_munlockall)
#define s_mincore(a, l, v) syscall(SYS_mincore, a, l, v)
#define s_brk(a) syscall(SYS_brk, a)

static int mismatches;

/* Report one call.  want is the expected errno (0 = success); alt is a
 * second acceptable errno where kernels differ (0 = none). */
static long check2(const char *what, long ret, int want, int alt)
{
	int err = ret == -1 ? errno : 0;
	int ok = err == want || (alt && err == alt);

	printf("%s%-64s = %-12s (want %s%s%s)\n", ok ? "" : "MISMATCH ", what,
	       err ? strerrorname_np(err) : "ok", want ? strerrorname_np(want) : "ok",
	       alt ? " or " : "", alt ? strerrorname_np(alt) : "");
	if (!ok)
		mismatches++;
	return ret;
}
#define check(what, ret, want) check2(what, ret, want, 0)

static void die(const char *what)
{
	perror(what);
	exit(2);
}

/* Each test works in its own 1 GiB slot of a fixed area at 16 TiB, far
 * below both the program's brk heap and the top-down mmap area, so
 * mappings the kernel places itself never land in it and every layout
 * (holes included) is the same on every run. */
#define AREA 0x100000000000UL

static char *area(void)
{
	static unsigned long next;

	return (char *)(AREA + (next++ << 30));
}

/* Map n pages at exactly addr (which must be free). */
static char *at(char *addr, size_t n, int prot, int flags)
{
	char *p = (char *)s_mmap(addr, P(n), prot, flags | MAP_FIXED_NOREPLACE,
				 -1, 0);

	if (p != addr)
		die("map_at");
	return p;
}

static void drop_capabilities(void)
{
	struct __user_cap_header_struct hdr = { _LINUX_CAPABILITY_VERSION_3, 0 };
	struct __user_cap_data_struct data[2];

	memset(data, 0, sizeof(data));
	if (syscall(SYS_capset, &hdr, data))
		die("capset");
	if (syscall(SYS_capget, &hdr, data))
		die("capget");
	if (data[0].effective || data[1].effective)
		die("capabilities still effective");
}

static void section(const char *name)
{
	printf("\n== %s\n", name);
}

/* ------------------------------------------------------------------ mmap */
static void test_mmap(void)
{
	char *h, *p;

	section("mmap: arguments");
	check("mmap len 0", s_mmap(0, 0, RW, ANON, -1, 0), EINVAL);
	check("mmap neither MAP_SHARED nor MAP_PRIVATE",
	      s_mmap(0, PG, RW, MAP_ANONYMOUS, -1, 0), EINVAL);
	/* MAP_SHARED|MAP_PRIVATE has the value of MAP_SHARED_VALIDATE (3),
	 * which anonymous mappings do not accept. */
	check("mmap MAP_SHARED|MAP_PRIVATE|MAP_ANONYMOUS (both)",
	      s_mmap(0, PG, RW, MAP_SHARED | MAP_PRIVATE | MAP_ANONYMOUS, -1, 0), EINVAL);
	check("mmap map type 0xf (unknown)",
	      s_mmap(0, PG, RW, 0x0f | MAP_ANONYMOUS, -1, 0), EINVAL);
	p = (char *)check("mmap MAP_PRIVATE + unknown flag 0x200000 (ignored)",
			  s_mmap(0, PG, RW, ANON | 0x200000, -1, 0), 0);
	s_munmap(p, PG);
	p = (char *)check("mmap prot with unknown bit 0x10 (ignored by mmap)",
			  s_mmap(0, PG, RW | 0x10, ANON, -1, 0), 0);
	s_munmap(p, PG);
	p = (char *)check("mmap prot PROT_GROWSDOWN (ignored by mmap)",
			  s_mmap(0, PG, RW | PROT_GROWSDOWN, ANON, -1, 0), 0);
	s_munmap(p, PG);
	check("mmap anonymous with unaligned offset 1",
	      s_mmap(0, PG, RW, ANON, -1, 1), EINVAL);
	p = (char *)check("mmap anonymous with fd 12345 (fd ignored)",
			  s_mmap(0, PG, RW, ANON, 12345, 0), 0);
	s_munmap(p, PG);
	p = (char *)check("mmap len 1 (rounded up to a page)",
			  s_mmap(0, 1, RW, ANON, -1, 0), 0);
	s_munmap(p, 1);
	p = (char *)check("mmap unaligned hint 0x10000123 (rounded)",
			  s_mmap(0x10000123, PG, RW, ANON, -1, 0), 0);
	s_munmap(p, PG);

	section("mmap: huge lengths and the 47-bit limit");
	check("mmap len 2^64-1", s_mmap(0, ~0UL, RW, ANON, -1, 0), ENOMEM);
	check("mmap len 2^64-4096+1 (page round-up overflows)",
	      s_mmap(0, -PG + 1, RW, ANON, -1, 0), ENOMEM);
	check("mmap len 2^63", s_mmap(0, 1UL << 63, RW, ANON, -1, 0), ENOMEM);
	check("mmap len 2^47 (whole user address space)",
	      s_mmap(0, TASK_TOP, PROT_NONE, ANON | MAP_NORESERVE, -1, 0), ENOMEM);
	check("mmap MAP_FIXED at 2^47 (past task size)",
	      s_mmap(TASK_TOP, PG, RW, ANON | MAP_FIXED, -1, 0), ENOMEM);
	check("mmap MAP_FIXED [2^47-8192, 2^47) (straddles the top)",
	      s_mmap(TASK_TOP - P(2), P(2), RW, ANON | MAP_FIXED, -1, 0), ENOMEM);
	check("mmap MAP_FIXED at -8192 len 16384 (wraps)",
	      s_mmap(-P(2), P(4), RW, ANON | MAP_FIXED, -1, 0), ENOMEM);
	p = (char *)check("mmap hint above 2^47 (ignored, placed below)",
			  s_mmap(1UL << 50, PG, RW, ANON, -1, 0), 0);
	s_munmap(p, PG);
	check("mmap MAP_FIXED at 0 (below mmap_min_addr)",
	      s_mmap(0, PG, RW, ANON | MAP_FIXED, -1, 0), EPERM);
	check("mmap MAP_FIXED_NOREPLACE at 0 (below mmap_min_addr)",
	      s_mmap(0, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), EPERM);

	section("mmap: MAP_FIXED");
	h = area();
	check("mmap MAP_FIXED unaligned addr",
	      s_mmap(h + 1, PG, RW, ANON | MAP_FIXED, -1, 0), EINVAL);
	p = (char *)check("mmap PROT_NONE reservation 16 pages",
			  s_mmap(h, P(16), PROT_NONE, ANON | MAP_FIXED, -1, 0), 0);
	check("mmap MAP_FIXED rw into the middle of the reservation (splits it)",
	      s_mmap(h + P(4), P(4), RW, ANON | MAP_FIXED, -1, 0), 0);
	check("mmap MAP_FIXED over two regions at once (replaces both parts)",
	      s_mmap(h + P(6), P(4), PROT_READ, ANON | MAP_FIXED, -1, 0), 0);
	p = (char *)check("mmap hint at an occupied address (placed elsewhere)",
			  s_mmap(h + P(5), PG, RW, ANON, -1, 0), 0);
	s_munmap(p, PG);
	check("munmap the reservation", s_munmap(h, P(16)), 0);

	section("mmap: MAP_FIXED_NOREPLACE");
	h = area();
	at(h + P(10), 4, RW, ANON);	/* existing mapping: pages [10,14) */
	check("NOREPLACE same range [10,14)",
	      s_mmap(h + P(10), P(4), RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	check("NOREPLACE superset [8,16)",
	      s_mmap(h + P(8), P(8), RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	check("NOREPLACE contained [11,13)",
	      s_mmap(h + P(11), P(2), RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	check("NOREPLACE overlapping start [8,11)",
	      s_mmap(h + P(8), P(3), RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	check("NOREPLACE overlapping end [13,16)",
	      s_mmap(h + P(13), P(3), RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), EEXIST);
	check("MAP_FIXED|MAP_FIXED_NOREPLACE over it (acts as NOREPLACE)",
	      s_mmap(h + P(10), P(4), RW, ANON | MAP_FIXED | MAP_FIXED_NOREPLACE, -1, 0),
	      EEXIST);
	check("NOREPLACE unaligned addr",
	      s_mmap(h + P(20) + 8, PG, RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), EINVAL);
	check("NOREPLACE adjacent below [8,10)",
	      s_mmap(h + P(8), P(2), RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), 0);
	check("NOREPLACE adjacent above [14,16)",
	      s_mmap(h + P(14), P(2), RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), 0);
	check("NOREPLACE free range [20,22)",
	      s_mmap(h + P(20), P(2), RW, ANON | MAP_FIXED_NOREPLACE, -1, 0), 0);
	check("munmap [0,32) (regions and holes)", s_munmap(h, P(32)), 0);

	section("mmap: other flags");
	p = (char *)check("mmap MAP_POPULATE", s_mmap(0, P(4), RW, ANON | MAP_POPULATE, -1, 0), 0);
	s_munmap(p, P(4));
	p = (char *)check("mmap MAP_NORESERVE 1 GiB", s_mmap(0, 1UL << 30, RW, ANON | MAP_NORESERVE, -1, 0), 0);
	s_munmap(p, 1UL << 30);
	p = (char *)check("mmap MAP_STACK|MAP_GROWSDOWN",
			  s_mmap(0, P(4), RW, ANON | MAP_STACK | MAP_GROWSDOWN, -1, 0), 0);
	s_munmap(p, P(4));
	p = (char *)check("mmap MAP_32BIT", s_mmap(0, P(2), RW, ANON | MAP_32BIT, -1, 0), 0);
	s_munmap(p, P(2));
	p = (char *)check("mmap MAP_SHARED|MAP_ANONYMOUS", s_mmap(0, P(2), RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0), 0);
	s_munmap(p, P(2));
	check("mmap MAP_HUGETLB (no huge pages reserved)",
	      s_mmap(0, 2UL << 20, RW, ANON | MAP_HUGETLB, -1, 0), ENOMEM);
	p = (char *)check2("mmap MAP_DROPPABLE (6.11+; map type 0x8)",
			   s_mmap(0, P(2), RW, MAP_DROPPABLE | MAP_ANONYMOUS, -1, 0), 0, EINVAL);
	if (p != MAP_FAILED)
		s_munmap(p, P(2));
}

/* ------------------------------------------------------- file mappings */
static char tmpl[] = "/tmp/edgecases.XXXXXX";

static void test_file(void)
{
	static char page[P(4)];
	int rw, ro, wo;
	char *p, *q;

	section("mmap: file mappings (EBADF, EACCES)");
	rw = mkstemp(tmpl);
	if (rw < 0 || write(rw, page, sizeof(page)) != (ssize_t)sizeof(page))
		die("tmpfile");
	ro = open(tmpl, O_RDONLY);
	wo = open(tmpl, O_WRONLY);
	unlink(tmpl);
	if (ro < 0 || wo < 0)
		die("open");

	check("mmap file mapping with fd -1", s_mmap(0, PG, PROT_READ, MAP_PRIVATE, -1, 0), EBADF);
	check("mmap file mapping with fd 9999", s_mmap(0, PG, PROT_READ, MAP_SHARED, 9999, 0), EBADF);
	check("mmap PROT_WRITE MAP_SHARED of a read-only fd",
	      s_mmap(0, PG, RW, MAP_SHARED, ro, 0), EACCES);
	check("mmap PROT_READ of a write-only fd", s_mmap(0, PG, PROT_READ, MAP_SHARED, wo, 0), EACCES);
	check("mmap file with unaligned offset", s_mmap(0, PG, PROT_READ, MAP_SHARED, ro, 100), EINVAL);
	p = (char *)check("mmap file MAP_SHARED|MAP_PRIVATE (= MAP_SHARED_VALIDATE)",
			  s_mmap(0, PG, PROT_READ, MAP_SHARED | MAP_PRIVATE, ro, 0), 0);
	s_munmap(p, PG);
	check("mmap file MAP_SHARED_VALIDATE + unknown flag 0x200000",
	      s_mmap(0, PG, PROT_READ, MAP_SHARED_VALIDATE | 0x200000, ro, 0), EOPNOTSUPP);
	check("mmap file MAP_SHARED_VALIDATE|MAP_SYNC (not DAX)",
	      s_mmap(0, PG, PROT_READ, MAP_SHARED_VALIDATE | MAP_SYNC, ro, 0), EOPNOTSUPP);
	p = (char *)check("mmap PROT_WRITE MAP_PRIVATE of a read-only fd",
			  s_mmap(0, P(4), RW, MAP_PRIVATE, ro, 0), 0);
	s_munmap(p, P(4));
	p = (char *)check("mmap PROT_READ MAP_SHARED of a read-only fd",
			  s_mmap(0, P(4), PROT_READ, MAP_SHARED, ro, 0), 0);
	check("mprotect it PROT_WRITE (fd not writable)", s_mprotect(p, P(4), RW), EACCES);
	check("madvise MADV_FREE on a shared file mapping", s_madvise(p, P(4), MADV_FREE), EINVAL);
	check("madvise MADV_WIPEONFORK on a shared file mapping",
	      s_madvise(p, P(4), MADV_WIPEONFORK), EINVAL);
	s_munmap(p, P(4));

	p = (char *)check("mmap PROT_READ|PROT_WRITE MAP_SHARED of a rw fd, offset 4096",
			  s_mmap(0, P(3), RW, MAP_SHARED, rw, PG), 0);
	p[0] = 1;
	check("msync MS_SYNC", s_msync(p, P(3), MS_SYNC), 0);
	check("msync MS_ASYNC|MS_INVALIDATE", s_msync(p, P(3), MS_ASYNC | MS_INVALIDATE), 0);
	check("madvise MADV_REMOVE on a shared file mapping (tmpfs: ok)",
	      s_madvise(p, PG, MADV_REMOVE), 0);
	check("remap_file_pages (deprecated, emulated)",
	      syscall(SYS_remap_file_pages, p, PG, 0, 2, 0), 0);
	q = (char *)check("mmap beyond EOF (allowed; access would SIGBUS)",
			  s_mmap(0, P(8), PROT_READ, MAP_SHARED, rw, P(16)), 0);
	s_munmap(q, P(8));
	s_munmap(p, P(3));
	close(rw);
	close(ro);
	close(wo);
}

/* ---------------------------------------------------------------- munmap */
static void test_munmap(void)
{
	char *h = area();

	section("munmap");
	at(h, 8, RW, ANON);
	check("munmap len 0", s_munmap(h, 0), EINVAL);
	check("munmap unaligned addr", s_munmap(h + 1, PG), EINVAL);
	check("munmap middle page [3,4) (splits)", s_munmap(h + P(3), PG), 0);
	check("munmap unaligned len 1 at page 0 (rounded up)", s_munmap(h, 1), 0);
	check("munmap tail [7,8) with len 4097 (two pages: 7 and the hole 8)",
	      s_munmap(h + P(7), PG + 1), 0);
	check("munmap a range that is all hole [10,16)", s_munmap(h + P(10), P(6)), 0);
	check("munmap the same range again", s_munmap(h + P(10), P(6)), 0);
	check("munmap [0,16) covering regions and holes", s_munmap(h, P(16)), 0);
	check("munmap len 2^64-1", s_munmap(h, ~0UL), EINVAL);
	check("munmap addr -8192 len 16384 (wraps)", s_munmap(-P(2), P(4)), EINVAL);
	check("munmap addr (void*)-4096 len 4096 (past task size)", s_munmap(-PG, PG), EINVAL);
	check("munmap at 2^47 (past task size)", s_munmap(TASK_TOP, PG), EINVAL);
	check("munmap at 2^47-4096 (= TASK_SIZE)", s_munmap(TASK_TOP - PG, PG), EINVAL);
}

/* -------------------------------------------------------------- mprotect */
static void test_mprotect(void)
{
	char *h = area();

	section("mprotect");
	at(h, 4, RW, ANON);		/* [0,4) rw */
	at(h + P(4), 4, PROT_READ, ANON);	/* [4,8) r, adjacent */
	at(h + P(9), 3, RW, ANON);	/* hole at 8, [9,12) rw */
	check("mprotect unaligned addr", s_mprotect(h + 1, PG, PROT_READ), EINVAL);
	check("mprotect unknown prot bit 0x10", s_mprotect(h, PG, 0x10), EINVAL);
	check("mprotect PROT_GROWSDOWN|PROT_GROWSUP",
	      s_mprotect(h, PG, PROT_READ | PROT_GROWSDOWN | PROT_GROWSUP), EINVAL);
	check("mprotect len 0 (no-op)", s_mprotect(h, 0, PROT_NONE), 0);
	check("mprotect unaligned len 1 (one page)", s_mprotect(h, 1, PROT_READ), 0);
	check("mprotect sub-range [1,2) PROT_NONE (splits)", s_mprotect(h + P(1), PG, PROT_NONE), 0);
	check("mprotect [0,8) across two adjacent regions", s_mprotect(h, P(8), RW), 0);
	check("mprotect [2,12) stops at the hole at 8 (partial)",
	      s_mprotect(h + P(2), P(10), PROT_READ), ENOMEM);
	check("mprotect [8,10) starting in the hole", s_mprotect(h + P(8), P(2), PROT_READ), ENOMEM);
	check("mprotect [12,16) all hole", s_mprotect(h + P(12), P(4), PROT_READ), ENOMEM);
	check("mprotect len 2^64-4096 (huge)", s_mprotect(h, -PG, PROT_READ), ENOMEM);
	check("mprotect addr -8192 len 16384 (wraps)", s_mprotect(-P(2), P(4), PROT_READ), ENOMEM);
	check("mprotect at 2^47", s_mprotect(TASK_TOP, PG, PROT_READ), ENOMEM);
	check("mprotect PROT_EXEC", s_mprotect(h, PG, PROT_READ | PROT_EXEC), 0);
	check("pkey_mprotect pkey -1 (plain mprotect)", s_pkey_mprotect(h, P(2), RW, -1), 0);
	check("pkey_mprotect pkey 1 (not allocated)", s_pkey_mprotect(h, P(2), RW, 1), EINVAL);
	check("munmap [0,12)", s_munmap(h, P(12)), 0);
}

/* --------------------------------------------------------------- madvise */
static const struct {
	int advice;
	const char *name;
	int want, alt;
} advices[] = {
	{ MADV_NORMAL, "MADV_NORMAL", 0, 0 },
	{ MADV_RANDOM, "MADV_RANDOM", 0, 0 },
	{ MADV_SEQUENTIAL, "MADV_SEQUENTIAL", 0, 0 },
	{ MADV_WILLNEED, "MADV_WILLNEED", 0, 0 },
	{ MADV_DONTNEED, "MADV_DONTNEED", 0, 0 },
	{ 5, "advice 5 (unused)", EINVAL, 0 },
	{ MADV_FREE, "MADV_FREE", 0, 0 },
	{ MADV_REMOVE, "MADV_REMOVE (private anon)", EINVAL, 0 },
	{ MADV_DONTFORK, "MADV_DONTFORK", 0, 0 },
	{ MADV_DOFORK, "MADV_DOFORK", 0, 0 },
	{ MADV_MERGEABLE, "MADV_MERGEABLE", 0, EINVAL },	/* EINVAL without KSM */
	{ MADV_UNMERGEABLE, "MADV_UNMERGEABLE", 0, EINVAL },
	{ MADV_HUGEPAGE, "MADV_HUGEPAGE", 0, EINVAL },	/* EINVAL without THP */
	{ MADV_NOHUGEPAGE, "MADV_NOHUGEPAGE", 0, EINVAL },
	{ MADV_DONTDUMP, "MADV_DONTDUMP", 0, 0 },
	{ MADV_DODUMP, "MADV_DODUMP", 0, 0 },
	{ MADV_WIPEONFORK, "MADV_WIPEONFORK", 0, 0 },
	{ MADV_KEEPONFORK, "MADV_KEEPONFORK", 0, 0 },
	{ MADV_COLD, "MADV_COLD", 0, 0 },
	{ MADV_PAGEOUT, "MADV_PAGEOUT", 0, 0 },
	{ MADV_POPULATE_READ, "MADV_POPULATE_READ", 0, 0 },
	{ MADV_POPULATE_WRITE, "MADV_POPULATE_WRITE", 0, 0 },
	{ MADV_DONTNEED_LOCKED, "MADV_DONTNEED_LOCKED", 0, 0 },
	{ MADV_COLLAPSE, "MADV_COLLAPSE (too small for a huge page)", EINVAL, 0 },
	{ 26, "advice 26 (unused)", EINVAL, 0 },
	/* EPERM without CAP_SYS_ADMIN; EINVAL if CONFIG_MEMORY_FAILURE is off */
	{ MADV_HWPOISON, "MADV_HWPOISON (needs CAP_SYS_ADMIN)", EPERM, EINVAL },
	{ MADV_SOFT_OFFLINE, "MADV_SOFT_OFFLINE (needs CAP_SYS_ADMIN)", EPERM, EINVAL },
	{ MADV_GUARD_INSTALL, "MADV_GUARD_INSTALL (6.13+)", 0, EINVAL },
	{ MADV_GUARD_REMOVE, "MADV_GUARD_REMOVE (6.13+)", 0, EINVAL },
	{ 1212, "advice 1212 (invalid)", EINVAL, 0 },
};

static void test_madvise(void)
{
	char *h = area(), *s, buf[96];
	unsigned i;

	section("madvise: every advice on private anonymous rw memory");
	at(h, 8, RW, ANON);
	memset(h, 1, P(8));
	for (i = 0; i < sizeof(advices) / sizeof(advices[0]); i++) {
		snprintf(buf, sizeof(buf), "madvise %s", advices[i].name);
		check2(buf, s_madvise(h, P(4), advices[i].advice), advices[i].want,
		       advices[i].alt);
	}

	section("madvise: ranges and special cases");
	at(h + P(9), 2, RW, ANON);	/* hole at page 8 */
	check("madvise unaligned addr", s_madvise(h + 1, PG, MADV_DONTNEED), EINVAL);
	check("madvise len 0", s_madvise(h, 0, MADV_DONTNEED), 0);
	check("madvise len 1", s_madvise(h, 1, MADV_DONTNEED), 0);
	check("madvise len 2^64-1 (wraps when rounded)", s_madvise(h, ~0UL, MADV_NORMAL), EINVAL);
	check("madvise addr -8192 len 16384 (wraps)", s_madvise(-P(2), P(4), MADV_NORMAL), EINVAL);
	check("madvise [6,11) over the hole at 8 (applied, then ENOMEM)",
	      s_madvise(h + P(6), P(5), MADV_DONTNEED), ENOMEM);
	check("madvise [12,16) all hole", s_madvise(h + P(12), P(4), MADV_WILLNEED), ENOMEM);
	check("madvise at 2^47", s_madvise(TASK_TOP, PG, MADV_NORMAL), ENOMEM);
	check("mprotect [0,1) PROT_NONE", s_mprotect(h, PG, PROT_NONE), 0);
	check("madvise MADV_DONTNEED on PROT_NONE", s_madvise(h, PG, MADV_DONTNEED), 0);
	check("madvise MADV_POPULATE_READ on PROT_NONE", s_madvise(h, PG, MADV_POPULATE_READ), EINVAL);
	check("mprotect [1,2) PROT_READ", s_mprotect(h + PG, PG, PROT_READ), 0);
	check("madvise MADV_POPULATE_WRITE on PROT_READ",
	      s_madvise(h + PG, PG, MADV_POPULATE_WRITE), EINVAL);
	check("madvise MADV_POPULATE_WRITE [6,11) over the hole at 8",
	      s_madvise(h + P(6), P(5), MADV_POPULATE_WRITE), ENOMEM);
	if (check2("madvise MADV_GUARD_INSTALL [3,4)", s_madvise(h + P(3), PG, MADV_GUARD_INSTALL),
		   0, EINVAL) == 0) {
		check("madvise MADV_POPULATE_READ over a guard page",
		      s_madvise(h + P(2), P(2), MADV_POPULATE_READ), EFAULT);
		check("madvise MADV_DONTNEED over a guard page (guard kept)",
		      s_madvise(h + P(2), P(2), MADV_DONTNEED), 0);
		check("madvise MADV_GUARD_REMOVE [3,4)", s_madvise(h + P(3), PG, MADV_GUARD_REMOVE), 0);
	}
	check("munmap [0,16)", s_munmap(h, P(16)), 0);

	s = (char *)s_mmap(0, P(4), RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	check("madvise MADV_FREE on shared anon", s_madvise(s, P(4), MADV_FREE), EINVAL);
	check("madvise MADV_WIPEONFORK on shared anon", s_madvise(s, P(4), MADV_WIPEONFORK), EINVAL);
	check("madvise MADV_REMOVE on shared anon (shmem: ok)", s_madvise(s, P(4), MADV_REMOVE), 0);
	check("madvise MADV_DONTNEED on shared anon", s_madvise(s, P(4), MADV_DONTNEED), 0);
	s_munmap(s, P(4));
}

/* ---------------------------------------------------------------- mremap */
static void test_mremap(void)
{
	char *h = area(), *p, *s;

	section("mremap: errors");
	at(h, 4, RW, ANON);			/* A = [0,4) rw */
	at(h + P(4), 2, PROT_READ, ANON);	/* B = [4,6) r, a separate region */
	at(h + P(8), 2, RW, ANON);		/* C = [8,10) rw; hole at [6,8) */
	check("mremap unaligned old address", s_mremap(h + 1, PG, P(2), 0, 0), EINVAL);
	check("mremap new_size 0", s_mremap(h, P(4), 0, 0, 0), EINVAL);
	check("mremap unknown flag 0x10", s_mremap(h, P(4), P(4), MREMAP_MAYMOVE | 0x10, 0), EINVAL);
	check("mremap MREMAP_FIXED without MAYMOVE",
	      s_mremap(h, P(4), P(4), MREMAP_FIXED, h + P(20)), EINVAL);
	check("mremap MREMAP_DONTUNMAP without MAYMOVE",
	      s_mremap(h, P(4), P(4), MREMAP_DONTUNMAP, 0), EINVAL);
	check("mremap FIXED to an unaligned new address",
	      s_mremap(h, P(4), P(4), MREMAP_MAYMOVE | MREMAP_FIXED, h + P(20) + 1), EINVAL);
	check("mremap FIXED with new range overlapping the old",
	      s_mremap(h, P(4), P(4), MREMAP_MAYMOVE | MREMAP_FIXED, h + P(2)), EINVAL);
	check("mremap DONTUNMAP with old_size != new_size",
	      s_mremap(h, P(4), P(8), MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0), EINVAL);
	check("mremap old range in a hole [6,8)", s_mremap(h + P(6), P(2), P(4), MREMAP_MAYMOVE, 0),
	      EFAULT);
	check("mremap grow old range spanning A and B (two regions)",
	      s_mremap(h, P(6), P(12), MREMAP_MAYMOVE, 0), EFAULT);
	/* Same size without flags returns old_address before any check. */
	check("mremap same size over A, B and the hole [0,8), flags 0 (no check)",
	      s_mremap(h, P(8), P(8), 0, 0), 0);
	check("mremap grow A in place, blocked by B, no MAYMOVE",
	      s_mremap(h, P(4), P(8), 0, 0), ENOMEM);
	check2("mremap new_size 2^63", s_mremap(h, P(4), 1UL << 63, MREMAP_MAYMOVE, 0), EINVAL, ENOMEM);
	check("mremap old_size 0 on a private mapping",
	      s_mremap(h, 0, P(4), MREMAP_MAYMOVE, 0), EINVAL);
	check2("mremap addr -8192 old_size 16384 (wraps)",
	      s_mremap(-P(2), P(4), P(4), 0, 0), EFAULT, EINVAL);
	check2("mremap FIXED to 2^47 (past task size)",
	      s_mremap(h + P(8), P(2), P(2), MREMAP_MAYMOVE | MREMAP_FIXED, TASK_TOP), EINVAL, ENOMEM);

	section("mremap: every mode");
	check("mremap same size, flags 0 (no-op)", s_mremap(h, P(4), P(4), 0, 0), 0);
	check("mremap shrink C [8,10) to 1 page in place", s_mremap(h + P(8), P(2), PG, 0, 0), 0);
	check("mremap grow C in place to 4 pages [8,12)", s_mremap(h + P(8), PG, P(4), 0, 0), 0);
	check("mremap shrink across A and B [0,6) -> [0,1)", s_mremap(h, P(6), PG, 0, 0), 0);
	at(h + P(1), 1, PROT_READ, ANON);	/* block A's growth again */
	p = (char *)check("mremap grow A with MAYMOVE (moves)",
			  s_mremap(h, PG, P(4), MREMAP_MAYMOVE, 0), 0);
	check("mremap MAYMOVE|FIXED to [20,24) (free target)",
	      s_mremap(p, P(4), P(4), MREMAP_MAYMOVE | MREMAP_FIXED, h + P(20)), 0);
	at(h + P(30), 6, PROT_READ, ANON);
	check("mremap MAYMOVE|FIXED to [30,34) replacing a mapping, shrinking to 2 pages",
	      s_mremap(h + P(20), P(4), P(2), MREMAP_MAYMOVE | MREMAP_FIXED, h + P(30)), 0);
	p = (char *)check("mremap MAYMOVE|DONTUNMAP [8,12) (source stays mapped)",
			  s_mremap(h + P(8), P(4), P(4), MREMAP_MAYMOVE | MREMAP_DONTUNMAP, 0), 0);
	check("mremap MAYMOVE|DONTUNMAP|FIXED [8,12) -> [40,44)",
	      s_mremap(h + P(8), P(4), P(4), MREMAP_MAYMOVE | MREMAP_DONTUNMAP | MREMAP_FIXED,
		       h + P(40)), 0);
	s_munmap(p, P(4));

	s = (char *)s_mmap(0, P(4), RW, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	strcpy(s, "shared");
	p = (char *)check("mremap old_size 0 MAYMOVE on shared anon (duplicates it)",
			  s_mremap(s, 0, P(4), MREMAP_MAYMOVE, 0), 0);
	check2("mremap old_size 0 without MAYMOVE on shared anon",
	      s_mremap(s, 0, P(4), 0, 0), ENOMEM, EINVAL);
	check("mremap old_size 0 MAYMOVE|FIXED on shared anon to [50,54)",
	      s_mremap(s, 0, P(4), MREMAP_MAYMOVE | MREMAP_FIXED, h + P(50)), 0);
	s_munmap(p, P(4));
	s_munmap(s, P(4));
	check("munmap [0,64)", s_munmap(h, P(64)), 0);
}

/* ----------------------------------------------------------------- msync */
static void test_msync(void)
{
	char *h = area();

	section("msync");
	at(h, 4, RW, ANON);
	check("msync MS_ASYNC|MS_SYNC", s_msync(h, P(4), MS_ASYNC | MS_SYNC), EINVAL);
	check("msync unknown flag 0x8", s_msync(h, P(4), MS_SYNC | 0x8), EINVAL);
	check("msync unaligned addr", s_msync(h + 1, PG, MS_SYNC), EINVAL);
	check("msync unaligned len 1", s_msync(h, 1, MS_SYNC), 0);
	check("msync flags 0", s_msync(h, P(4), 0), 0);
	check("msync MS_ASYNC", s_msync(h, P(4), MS_ASYNC), 0);
	check("msync MS_INVALIDATE (unlocked)", s_msync(h, P(4), MS_INVALIDATE), 0);
	check("msync [2,6) over the hole at 4", s_msync(h + P(2), P(4), MS_SYNC), ENOMEM);
	check("msync len 0 at NULL", s_msync(0, 0, MS_SYNC), 0);
	check("msync len 2^64-4096", s_msync(h, -PG, MS_SYNC), ENOMEM);
	s_munmap(h, P(4));
}

/* -------------------------------------------------------------- mincore */
static void test_mincore(void)
{
	unsigned char vec[16];
	char *h = area();

	section("mincore");
	at(h, 4, RW, ANON);
	h[0] = 1;
	check("mincore 4 pages", s_mincore(h, P(4), vec), 0);
	check("mincore unaligned addr", s_mincore(h + 1, PG, vec), EINVAL);
	check("mincore unaligned len", s_mincore(h, PG + 1, vec), 0);
	check("mincore [2,6) over a hole", s_mincore(h + P(2), P(4), vec), ENOMEM);
	check("mincore bad vector pointer", s_mincore(h, P(4), (void *)8), EFAULT);
	check("mincore len 0", s_mincore(h, 0, vec), 0);
	check("mincore len 2^64-4096", s_mincore(h, -PG, vec), ENOMEM);
	s_munmap(h, P(4));
}

/* ----------------------------------------------------------- mlock family */
static void test_mlock(void)
{
	struct rlimit old, lim;
	char *h = area(), *p;

	section("mlock family with RLIMIT_MEMLOCK = 16 pages");
	getrlimit(RLIMIT_MEMLOCK, &old);
	lim = old;
	lim.rlim_cur = P(16);
	if (setrlimit(RLIMIT_MEMLOCK, &lim))
		die("setrlimit");
	at(h, 8, RW, ANON);
	at(h + P(9), 2, PROT_NONE, ANON);	/* hole at 8 */
	check("mlock [0,4)", s_mlock(h, P(4)), 0);
	check("mlock [0,4) again (locks do not stack)", s_mlock(h, P(4)), 0);
	check("munlock [4,8) never locked", s_munlock(h + P(4), P(4)), 0);
	check("mlock unaligned addr (rounded down)", s_mlock(h + P(4) + 1, 10), 0);
	check("mlock [6,10) over the hole at 8", s_mlock(h + P(6), P(4)), ENOMEM);
	check("mlock PROT_NONE [9,11)", s_mlock(h + P(9), P(2)), ENOMEM);
	check("munlock [6,10) over the hole", s_munlock(h + P(6), P(4)), ENOMEM);
	check2("mlock len 2^64-4096", s_mlock(h, -PG), ENOMEM, EINVAL);
	check2("mlock addr -8192 len 16384 (wraps)", s_mlock(-P(2), P(4)), ENOMEM, EINVAL);
	check("madvise MADV_DONTNEED on locked pages", s_madvise(h, P(2), MADV_DONTNEED), EINVAL);
	check("madvise MADV_GUARD_INSTALL on locked pages",
	      s_madvise(h, PG, MADV_GUARD_INSTALL), EINVAL);
	check("madvise MADV_DONTNEED_LOCKED on locked pages",
	      s_madvise(h, PG, MADV_DONTNEED_LOCKED), 0);
	check("msync MS_INVALIDATE on locked pages", s_msync(h, P(2), MS_INVALIDATE), EBUSY);
	check("mremap grow locked [0,4) past the limit (MAYMOVE)",
	      s_mremap(h, P(4), P(32), MREMAP_MAYMOVE, 0), EAGAIN);
	p = (char *)check("mmap MAP_LOCKED 2 pages (within the limit)",
			  s_mmap(0, P(2), RW, ANON | MAP_LOCKED, -1, 0), 0);
	s_munmap(p, P(2));
	check("mmap MAP_LOCKED 64 pages (over the limit)",
	      s_mmap(0, P(64), RW, ANON | MAP_LOCKED, -1, 0), EAGAIN);
	at(h + P(20), 32, RW, ANON);
	check("mlock [20,52) 32 pages (over the limit)", s_mlock(h + P(20), P(32)), ENOMEM);
	check("mlock2 [20,22) MLOCK_ONFAULT", s_mlock2(h + P(20), P(2), MLOCK_ONFAULT), 0);
	check("mlock2 unknown flag 2", s_mlock2(h + P(20), P(2), 2), EINVAL);
	check("munlock [20,52)", s_munlock(h + P(20), P(32)), 0);
	check("mlockall 0", s_mlockall(0), EINVAL);
	check("mlockall MCL_ONFAULT alone", s_mlockall(MCL_ONFAULT), EINVAL);
	check("mlockall unknown flag 0x10", s_mlockall(MCL_CURRENT | 0x10), EINVAL);
	check("mlockall MCL_CURRENT (address space > limit)", s_mlockall(MCL_CURRENT), ENOMEM);
	check("mlockall MCL_FUTURE", s_mlockall(MCL_FUTURE), 0);
	check("mmap 64 pages under MCL_FUTURE (over the limit)",
	      s_mmap(0, P(64), RW, ANON, -1, 0), EAGAIN);
	check("munlockall", s_munlockall(), 0);
	p = (char *)check("mmap 64 pages after munlockall", s_mmap(0, P(64), RW, ANON, -1, 0), 0);
	s_munmap(p, P(64));

	section("mlock family with RLIMIT_MEMLOCK = 0");
	lim.rlim_cur = 0;
	if (setrlimit(RLIMIT_MEMLOCK, &lim))
		die("setrlimit");
	check("mlock [20,21)", s_mlock(h + P(20), PG), EPERM);
	check("mlock2 [20,21) MLOCK_ONFAULT", s_mlock2(h + P(20), PG, MLOCK_ONFAULT), EPERM);
	check("mmap MAP_LOCKED", s_mmap(0, PG, RW, ANON | MAP_LOCKED, -1, 0), EPERM);
	check("mlockall MCL_CURRENT|MCL_FUTURE", s_mlockall(MCL_CURRENT | MCL_FUTURE), EPERM);
	check("munlock [0,4)", s_munlock(h, P(4)), 0);
	check("munlockall", s_munlockall(), 0);
	if (setrlimit(RLIMIT_MEMLOCK, &old))
		die("setrlimit");
	check("munmap [0,64)", s_munmap(h, P(64)), 0);
}

/* ------------------------------------------------------------------- brk */
static void test_brk(void)
{
	long cur, r;

	section("brk");
	cur = s_brk(0);
	printf("%-64s = %s\n", "brk(NULL) (query)", cur > 0 ? "ok" : "failed");
	r = s_brk(cur + P(8));
	printf("%-64s = %s\n", "brk grow by 8 pages", r == cur + (long)P(8) ? "ok" : "MISMATCH");
	r = s_brk(cur + P(2) + 100);
	printf("%-64s = %s\n", "brk shrink to +2 pages+100 (unaligned)",
	       r == cur + (long)P(2) + 100 ? "ok" : "MISMATCH");
	r = s_brk(TASK_TOP - P(16));
	printf("%-64s = %s\n", "brk to 2^47-64KiB (collides: returns the old break)",
	       r == cur + (long)P(2) + 100 ? "ok" : "MISMATCH");
	r = s_brk(PG);
	printf("%-64s = %s\n", "brk below the start (fails: returns the old break)",
	       r == cur + (long)P(2) + 100 ? "ok" : "MISMATCH");
	r = s_brk(cur);
	printf("%-64s = %s\n", "brk back to the start value", r == cur ? "ok" : "MISMATCH");
}

/* --------------------------------------------------- fork, thread, execve */
static void *thread_main(void *arg)
{
	char *p = (char *)s_mmap(0, P(16), RW, ANON, -1, 0);

	(void)arg;
	s_mprotect(p + P(15), PG, PROT_NONE);
	s_madvise(p, P(8), MADV_DONTNEED);
	s_munmap(p, P(16));
	return NULL;
}

static void test_processes(void)
{
	char *p = (char *)s_mmap(0, P(8), RW, ANON, -1, 0);
	pthread_t t;
	int status;
	pid_t pid;

	section("fork, thread");
	memset(p, 7, P(8));
	s_madvise(p, P(2), MADV_WIPEONFORK);
	s_madvise(p + P(2), P(2), MADV_DONTFORK);
	fflush(stdout);
	pid = fork();
	if (pid < 0)
		die("fork");
	if (pid == 0) {
		/* Child: pages [0,2) read as zero, [2,4) are absent. */
		s_munmap(p + P(4), P(2));
		s_mprotect(p, P(2), PROT_READ);
		_exit(p[0] == 0 && s_madvise(p + P(2), PG, MADV_NORMAL) == -1 ? 0 : 1);
	}
	if (waitpid(pid, &status, 0) != pid)
		die("waitpid");
	printf("%-64s = %s\n", "fork child saw WIPEONFORK zeros and DONTFORK hole",
	       WIFEXITED(status) && WEXITSTATUS(status) == 0 ? "ok" : "MISMATCH");
	if (pthread_create(&t, NULL, thread_main, NULL) || pthread_join(t, NULL))
		die("pthread");
	printf("%-64s = ok\n", "thread mmap/mprotect/madvise/munmap");
	s_munmap(p, P(8));
}

int main(void)
{
	setvbuf(stdout, NULL, _IOFBF, 1 << 16);
	if (geteuid() == 0)
		drop_capabilities();
	test_mmap();
	test_file();
	test_munmap();
	test_mprotect();
	test_madvise();
	test_mremap();
	test_msync();
	test_mincore();
	test_mlock();
	test_brk();
	test_processes();
	printf("\n%d mismatch(es)\n", mismatches);
	fflush(stdout);
	execl("/bin/true", "true", (char *)NULL);
	die("execl");
}
