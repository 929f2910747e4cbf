/*
 * native.c - run calls on the host kernel, in a child process.
 *
 * Each address space is a child forked from rmsim that waits for requests
 * on a pipe: a call (made with syscall(2), so libc changes nothing), a
 * one-byte load or store (SIGSEGV and SIGBUS are caught and reported as
 * -EFAULT / -EIO), or the protection of a page as /proc/self/maps shows
 * it.  The child's own mappings (rmsim's code, heap, stack) must survive
 * whatever a trace or case asks for, so a MAP_FIXED into a range the
 * child never handed out is made MAP_FIXED_NOREPLACE first; where that
 * finds something in the way, the mapping is placed elsewhere and every
 * later address in the range is relocated by the parent.
 *
 * A child that dies is reported as -EPIPE, which callers treat as a
 * broken backend, never as the result of a call.
 */
#include "native.h"

#include "replay/ivmap.h"
#include "rmsim/abi.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

enum nat_op { NAT_CALL, NAT_LOAD, NAT_STORE, NAT_PROT, NAT_MAPPED, NAT_EXIT };

struct nat_req {
	uint32_t op;
	uint32_t call;
	uint64_t arg[6];
};

struct nat_resp {
	int64_t rc;
	uint64_t val;
};

struct nat_space {
	pid_t pid;
	int to_child, from_child;
	struct iv_map *owned;	/* ranges this space's calls returned */
	struct iv_map *reloc;	/* relocated absolute placements */
};

/* ---- the child ---- */

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_sig;

static void on_fault(int sig)
{
	fault_sig = sig;
	siglongjmp(fault_jmp, 1);
}

__attribute__((no_sanitize("address", "undefined"))) static int
child_access(uint64_t addr, int write, uint8_t *val)
{
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)addr;

	fault_sig = 0;
	if (sigsetjmp(fault_jmp, 1))
		return fault_sig == SIGBUS ? -EIO : -EFAULT;
	if (write)
		*p = *val;
	else
		*val = *p;
	return 0;
}

/* The protection of the page at @addr from /proc/self/maps. */
static int child_prot(uint64_t addr, uint64_t *prot)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");
	int rc = -ENOMEM;

	if (!f)
		return -EIO;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;
		char perms[8];

		if (sscanf(line, "%llx-%llx %7s", &s, &e, perms) != 3)
			continue;
		if (addr >= s && addr < e) {
			*prot = (perms[0] == 'r' ? LX_PROT_READ : 0) |
				(perms[1] == 'w' ? LX_PROT_WRITE : 0) |
				(perms[2] == 'x' ? LX_PROT_EXEC : 0);
			rc = 0;
			break;
		}
	}
	fclose(f);
	return rc;
}

/* Is any byte of [addr, end) mapped in this process? */
static int child_mapped(uint64_t addr, uint64_t end, uint64_t *mapped)
{
	char line[512];
	FILE *f = fopen("/proc/self/maps", "r");

	*mapped = 0;
	if (!f)
		return -EIO;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long s, e;

		if (sscanf(line, "%llx-%llx", &s, &e) == 2 && s < end &&
		    e > addr) {
			*mapped = 1;
			break;
		}
	}
	fclose(f);
	return 0;
}

static long sys(long nr, const uint64_t *a)
{
	long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);

	return r < 0 && r != -1 ? r : (r == -1 ? -errno : r);
}

static int64_t child_call(const struct nat_req *q, uint64_t *val)
{
	uint64_t a[6];
	long r;
	static uint8_t small_vec[4096];

	memcpy(a, q->arg, sizeof(a));
	switch (q->call) {
	case TR_MMAP:
		r = sys(SYS_mmap, a);
		break;
	case TR_MUNMAP:
		r = sys(SYS_munmap, a);
		break;
	case TR_MPROTECT:
		r = sys(SYS_mprotect, a);
		break;
	case TR_PKEY_MPROTECT:
		r = sys(SYS_pkey_mprotect, a);
		break;
	case TR_MADVISE:
		r = sys(SYS_madvise, a);
		break;
	case TR_MREMAP:
		r = sys(SYS_mremap, a);
		break;
	case TR_MSYNC:
		r = sys(SYS_msync, a);
		break;
	case TR_BRK:
		r = sys(SYS_brk, a);
		break;
	case TR_MLOCK:
		r = sys(SYS_mlock, a);
		break;
	case TR_MLOCK2:
		r = sys(SYS_mlock2, a);
		break;
	case TR_MUNLOCK:
		r = sys(SYS_munlock, a);
		break;
	case TR_MLOCKALL:
		r = sys(SYS_mlockall, a);
		break;
	case TR_MUNLOCKALL:
		r = sys(SYS_munlockall, a);
		break;
	case TR_MINCORE: {
		/* our own vector, as large as the range needs */
		uint64_t pages = (a[1] + LX_PAGE_SIZE - 1) >> LX_PAGE_SHIFT;
		void *vec = small_vec;

		if (pages > sizeof(small_vec) && pages < ((uint64_t)1 << 32)) {
			vec = mmap(NULL, pages, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				   -1, 0);
			if (vec == MAP_FAILED)
				vec = small_vec;
		}
		a[2] = (uint64_t)(uintptr_t)vec;
		r = sys(SYS_mincore, a);
		if (vec != small_vec)
			munmap(vec, pages);
		break;
	}
	default:
		r = -ENOSYS;
	}
	if (r < 0 && r >= -4095) {
		*val = 0;
		return r;
	}
	*val = (uint64_t)r;
	return 0;
}

/*
 * Requests and answers are one SEQPACKET message each over a socket pair:
 * no partial reads, and MSG_NOSIGNAL instead of SIGPIPE when the other
 * side is gone.
 */
static int full_read(int fd, void *buf, size_t n)
{
	ssize_t r;

	do
		r = recv(fd, buf, n, 0);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)n ? 0 : -1;
}

static int full_write(int fd, const void *buf, size_t n)
{
	ssize_t r;

	do
		r = send(fd, buf, n, MSG_NOSIGNAL);
	while (r < 0 && errno == EINTR);
	return r == (ssize_t)n ? 0 : -1;
}

static void child_main(int in, int out)
{
	struct sigaction sa;
	struct nat_req q;
	struct nat_resp s;
	uint8_t b;

	prctl(PR_SET_PDEATHSIG, SIGKILL);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_fault;
	sa.sa_flags = SA_NODEFER;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	while (full_read(in, &q, sizeof(q)) == 0) {
		memset(&s, 0, sizeof(s));
		switch (q.op) {
		case NAT_CALL:
			s.rc = child_call(&q, &s.val);
			break;
		case NAT_LOAD:
			s.rc = child_access(q.arg[0], 0, &b);
			s.val = b;
			break;
		case NAT_STORE:
			b = (uint8_t)q.arg[1];
			s.rc = child_access(q.arg[0], 1, &b);
			break;
		case NAT_PROT:
			s.rc = child_prot(q.arg[0], &s.val);
			break;
		case NAT_MAPPED:
			s.rc = child_mapped(q.arg[0], q.arg[1], &s.val);
			break;
		default:
			_exit(0);
		}
		if (full_write(out, &s, sizeof(s)))
			break;
	}
	_exit(0);
}

/* ---- the parent ---- */

static void *nat_new(void *ctx)
{
	struct nat_space *n = calloc(1, sizeof(*n));
	int sv[2];

	if (!n)
		return NULL;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv)) {
		free(n);
		return NULL;
	}
	fflush(NULL);
	n->pid = fork();
	if (n->pid == 0) {
		close(sv[0]);
		child_main(sv[1], sv[1]);
	}
	close(sv[1]);
	n->to_child = sv[0];
	n->from_child = dup(sv[0]);
	n->owned = iv_new();
	n->reloc = iv_new();
	if (n->pid < 0 || !n->owned || !n->reloc) {
		close(n->to_child);
		close(n->from_child);
		iv_free(n->owned);
		iv_free(n->reloc);
		free(n);
		return NULL;
	}
	return n;
}

static void nat_free(void *ctx, void *space)
{
	struct nat_space *n = space;

	if (!n)
		return;
	close(n->to_child);
	close(n->from_child);
	kill(n->pid, SIGKILL);
	waitpid(n->pid, NULL, 0);
	iv_free(n->owned);
	iv_free(n->reloc);
	free(n);
}

/* One request and its answer; -EPIPE when the child is gone. */
static int64_t ask(struct nat_space *n, uint32_t op, uint32_t call,
		   const uint64_t *arg, uint64_t *val)
{
	struct nat_req q;
	struct nat_resp s;

	memset(&q, 0, sizeof(q));
	q.op = op;
	q.call = call;
	memcpy(q.arg, arg, sizeof(q.arg));
	if (full_write(n->to_child, &q, sizeof(q)) ||
	    full_read(n->from_child, &s, sizeof(s)))
		return -EPIPE;
	*val = s.val;
	return s.rc;
}

static uint64_t reloc(const struct nat_space *n, uint64_t a)
{
	uint64_t s, e, d, next;

	return iv_lookup(n->reloc, a, &s, &e, &d, &next) ? a + d : a;
}

static uint64_t page_up(uint64_t x)
{
	return (x + LX_PAGE_SIZE - 1) & LX_PAGE_MASK;
}

/* Did this space's own calls hand out all of [addr, addr+len)? */
static bool owned(const struct nat_space *n, uint64_t addr, uint64_t len)
{
	uint64_t s, e, v, next, at = addr;

	while (at < addr + len) {
		if (!iv_lookup(n->owned, at, &s, &e, &v, &next))
			return false;
		at = e;
	}
	return true;
}

/* Calls that change the mappings in their (addr, len) range. */
static bool changes_range(enum tr_call c)
{
	return c == TR_MUNMAP || c == TR_MPROTECT || c == TR_PKEY_MPROTECT ||
	       c == TR_MADVISE || c == TR_MREMAP || c == TR_MLOCK ||
	       c == TR_MLOCK2 || c == TR_MUNLOCK;
}

/*
 * Would [addr, addr+len) reach memory of the child's own (rmsim's code,
 * heap, stack)?  Only the parts this space did not hand out are asked
 * about; a hole there is fine (the kernel will say ENOMEM or ignore it).
 */
static bool touches_own_memory(struct nat_space *n, uint64_t addr,
			       uint64_t len)
{
	uint64_t end = addr + ((len + LX_PAGE_SIZE - 1) & LX_PAGE_MASK);
	uint64_t at = addr, s, e, v, next, q[6] = {0}, mapped;

	/* an empty, unaligned or wrapping range is refused by the kernel
	 * before it changes anything */
	if (len == 0 || (addr & ~LX_PAGE_MASK) || end <= addr)
		return false;
	if (end > LX_TASK_SIZE)
		end = LX_TASK_SIZE;
	while (at < end) {
		if (iv_lookup(n->owned, at, &s, &e, &v, &next)) {
			at = e;
			continue;
		}
		q[0] = at;
		q[1] = next < end ? next : end;
		if (ask(n, NAT_MAPPED, 0, q, &mapped) || mapped)
			return true;
		at = q[1];
	}
	return false;
}

static int nat_call(void *ctx, void *space, const struct rp_call *c,
		    uint64_t *out)
{
	struct nat_space *n = space;
	uint64_t a[6], len, want;
	int64_t rc;
	bool guarded = false;

	memcpy(a, c->arg, sizeof(a));
	a[0] = reloc(n, a[0]);
	if (c->call == TR_MREMAP && (a[3] & LX_MREMAP_FIXED))
		a[4] = reloc(n, a[4]);
	if (c->call == TR_MMAP && (a[3] & LX_MAP_FIXED) &&
	    !(a[3] & LX_MAP_FIXED_NOREPLACE)) {
		len = page_up(a[1]);
		/* never overmap what this space did not map itself */
		if (len && a[0] + len > a[0] && !owned(n, a[0], len)) {
			a[3] = (a[3] & ~(uint64_t)LX_MAP_FIXED) |
			       LX_MAP_FIXED_NOREPLACE;
			guarded = true;
		}
	}
	if (changes_range(c->call) && touches_own_memory(n, a[0], a[1]))
		return RP_EREFUSED;	/* would break the backend itself */
#ifdef __SANITIZE_ADDRESS__
	/* locking all current memory would lock AddressSanitizer's
	 * terabytes of shadow too: the child cannot survive it */
	if (c->call == TR_MLOCKALL && (a[0] & LX_MCL_CURRENT))
		return RP_EREFUSED;
#endif
	rc = ask(n, NAT_CALL, c->call, a, out);
	if (guarded && rc == -EEXIST) {
		/* something of ours is there: place it anywhere instead */
		want = a[0];
		a[0] = 0;
		a[3] &= ~(uint64_t)LX_MAP_FIXED_NOREPLACE;
		rc = ask(n, NAT_CALL, c->call, a, out);
		if (rc == 0) {
			iv_assign(n->reloc, want, want + page_up(a[1]),
				  *out - want);
			*out = want;	/* the caller sees its own address */
		}
	}
	if (rc == 0 && (c->call == TR_MMAP || c->call == TR_MREMAP)) {
		uint64_t l = page_up(c->call == TR_MMAP ? c->arg[1]
							: c->arg[2]);
		uint64_t at = reloc(n, *out);

		if (at + l > at)
			iv_assign(n->owned, at, at + l, 1);
	}
	return (int)rc;
}

static int nat_load(void *ctx, void *space, uint64_t addr, uint8_t *val)
{
	uint64_t a[6] = {reloc(space, addr)}, v = 0;
	int64_t rc = ask(space, NAT_LOAD, 0, a, &v);

	*val = (uint8_t)v;
	return (int)rc;
}

static int nat_store(void *ctx, void *space, uint64_t addr, uint8_t val)
{
	uint64_t a[6] = {reloc(space, addr), val}, v;

	return (int)ask(space, NAT_STORE, 0, a, &v);
}

static int nat_prot(void *ctx, void *space, uint64_t addr, int *prot)
{
	uint64_t a[6] = {reloc(space, addr)}, v = 0;
	int64_t rc = ask(space, NAT_PROT, 0, a, &v);

	*prot = (int)v;
	return (int)rc;
}

static void *nat_fork(void *ctx, void *space)
{
	return NULL;	/* a child of the child: not needed yet */
}

static void nat_ignore(void *ctx, void *space, uint64_t v)
{
}

static int nat_inherit(void *ctx, void *space, uint64_t a, uint64_t l)
{
	return -ENOSYS;
}

static bool nat_hole(void *ctx, void *space, uint64_t a, uint64_t l,
		     uint64_t *hs, uint64_t *he)
{
	return false;
}

void nat_target(struct rp_target *t)
{
	static const struct rp_target native = {
		.name = "native",
		.space_new = nat_new,
		.space_fork = nat_fork,
		.space_free = nat_free,
		.set_mmap_base = nat_ignore,
		.set_brk = nat_ignore,
		.inherit = nat_inherit,
		.hole = nat_hole,
		.call = nat_call,
		.load = nat_load,
		.store = nat_store,
		.prot = nat_prot,
	};

	*t = native;
}
