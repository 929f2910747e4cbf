/*
 * native.c - run calls on the host kernel, in a child process: the
 * parent's side (the child is nat_child.c, the mailbox nat_proto.h).
 *
 * Each address space is a child forked from rmsim that serves requests:
 * a call (made with syscall(2), so libc changes nothing), a one-byte load
 * or store, a touch of a range, the protection of a page, or a change of
 * the descriptors and limits the trace sets.
 *
 * The child's own memory (rmsim's code, data, heap and stack, as its
 * /proc/self/maps showed at start) must survive whatever a trace or case
 * asks for.  ALGORITHM: every call that places or removes memory is
 * checked against that snapshot first.  A MAP_FIXED or
 * MAP_FIXED_NOREPLACE mapping that would reach it is placed elsewhere and
 * every later address in its range relocated (the caller sees its own
 * address); munmap, mprotect, madvise, mremap (its source and, with
 * MREMAP_FIXED, its destination), the mlock family, and a brk below the
 * child's own break are refused (TG_EREFUSED: not a result).  A child
 * that dies anyway makes every later request answer TG_EBROKEN, with the
 * reason (the signal or exit status) from nat_broken().
 *
 * INVARIANTS: relocated ranges never overlap the snapshot; requests and
 * answers alternate strictly (one sequence number each way).
 */
#include "native.h"
#include "nat_proto.h"

#include "ranges/ivmap.h"
#include "rmsim/abi.h"

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

struct nat_space {
	pid_t pid;
	struct nat_box *box;
	uint32_t seq;		/* requests made */
	bool dead;
	char why[96];		/* how the child died */
	uint64_t brk0;		/* the child's own break */
	struct iv_map *own;	/* the child's own memory */
	struct iv_map *made;	/* what the trace's calls mapped there */
	struct iv_map *reloc;	/* relocated absolute placements */
};

static struct nat_limits limits = {
	.mem = NAT_DEFAULT_MEM,
	.cpu_s = NAT_DEFAULT_CPU_S,
};

void nat_configure(uint64_t mem, uint64_t cpu_s)
{
	limits.mem = mem ? mem : NAT_DEFAULT_MEM;
	limits.cpu_s = cpu_s ? cpu_s : NAT_DEFAULT_CPU_S;
}

/* ---- the child's life ---- */

static void died(struct nat_space *n, int status)
{
	n->dead = true;
	if (WIFSIGNALED(status))
		snprintf(n->why, sizeof(n->why),
			 "the host child was killed by signal %d (%s)",
			 WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		snprintf(n->why, sizeof(n->why),
			 "the host child exited with status %d",
			 WEXITSTATUS(status));
}

static bool child_alive(void *arg)
{
	struct nat_space *n = arg;
	int status;

	if (n->dead)
		return false;
	if (waitpid(n->pid, &status, WNOHANG) == n->pid) {
		died(n, status);
		return false;
	}
	return true;
}

static void *nat_new(void *ctx)
{
	struct nat_space *n = calloc(1, sizeof(*n));
	uint32_t i;

	(void)ctx;
	if (!n)
		return NULL;
	n->box = mmap(NULL, sizeof(*n->box), PROT_READ | PROT_WRITE,
		      MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	n->own = iv_new();
	n->made = iv_new();
	n->reloc = iv_new();
	if (n->box == MAP_FAILED || !n->own || !n->made || !n->reloc)
		goto error;
	fflush(NULL);
	n->pid = fork();
	if (n->pid == 0)
		nat_child_main(n->box, &limits);
	if (n->pid < 0)
		goto error;
	/* the child's first answer: it is ready, its memory recorded */
	if (nat_wait(&n->box->resp_seq, &n->box->parent_sleeps, 1,
		     child_alive, n))
		goto error;
	n->brk0 = n->box->brk0;
	for (i = 0; i < n->box->nown && i < NAT_OWN_MAX; i++)
		if (iv_union(n->own, n->box->own[i].start,
			     n->box->own[i].end, 1))
			goto error;
	return n;
error:
	if (n->pid > 0) {
		kill(n->pid, SIGKILL);
		waitpid(n->pid, NULL, 0);
	}
	if (n->box != MAP_FAILED && n->box)
		munmap(n->box, sizeof(*n->box));
	iv_free(n->own);
	iv_free(n->made);
	iv_free(n->reloc);
	free(n);
	return NULL;
}

static void nat_free(void *ctx, void *space)
{
	struct nat_space *n = space;

	(void)ctx;
	if (!n)
		return;
	if (!n->dead) {
		kill(n->pid, SIGKILL);
		waitpid(n->pid, NULL, 0);
	}
	munmap(n->box, sizeof(*n->box));
	iv_free(n->own);
	iv_free(n->made);
	iv_free(n->reloc);
	free(n);
}

/*
 * Send one request; with @val, wait for its answer (and so for every
 * request before it), else go on at once.  TG_EBROKEN when the child is
 * gone.
 */
static int64_t send(struct nat_space *n, uint32_t op, uint32_t call,
		    const uint64_t *arg, uint64_t *val)
{
	struct nat_box *b = n->box;
	uint32_t seq = n->seq + 1, slot = seq % NAT_RING;

	if (n->dead)
		return TG_EBROKEN;
	/* the slot is free once its last request was answered */
	if (nat_wait(&b->resp_seq, &b->parent_sleeps, seq - NAT_RING + 1,
		     child_alive, n))
		return TG_EBROKEN;
	b->req[slot].op = op;
	b->req[slot].call = call;
	memcpy(b->req[slot].arg, arg, sizeof(b->req[slot].arg));
	n->seq = seq;
	nat_post(&b->req_seq, &b->child_sleeps, seq);
	if (!val)
		return 0;
	if (nat_wait(&b->resp_seq, &b->parent_sleeps, seq + 1, child_alive,
		     n))
		return TG_EBROKEN;
	*val = b->resp[slot].val;
	return b->resp[slot].rc == NAT_REFUSED ? TG_EREFUSED
						: b->resp[slot].rc;
}

/* One request and its answer. */
static int64_t ask(struct nat_space *n, uint32_t op, uint32_t call,
		   const uint64_t *arg, uint64_t *val)
{
	return send(n, op, call, arg, val);
}

const char *nat_broken(void *space)
{
	struct nat_space *n = space;

	return n && n->dead ? n->why : NULL;
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

/* Would [addr, addr+len) (pages) reach the child's own memory? */
static bool reaches_own(const struct nat_space *n, uint64_t addr,
			uint64_t len)
{
	uint64_t end = page_up(addr + len);

	/* an empty or wrapping range is refused by the kernel before it
	 * changes anything */
	if (len == 0 || end <= addr)
		return false;
	return !iv_disjoint(n->own, addr & LX_PAGE_MASK, end);
}

/*
 * Keep the ranges the trace's calls mapped (in the child's addresses) up
 * to date after call @c answered @rc, @val; returns @rc.
 */
static int made(struct nat_space *n, const struct tg_call *c, int64_t rc,
		uint64_t val)
{
	uint64_t a = reloc(n, c->arg[0]);

	if (rc != 0)
		return (int)rc;
	if (c->call == TR_MMAP && val + page_up(c->arg[1]) > val)
		iv_union(n->made, val, val + page_up(c->arg[1]), 1);
	else if (c->call == TR_MREMAP && val + page_up(c->arg[2]) > val)
		iv_union(n->made, val, val + page_up(c->arg[2]), 1);
	else if (c->call == TR_MUNMAP && a + page_up(c->arg[1]) > a)
		iv_remove(n->made, a, a + page_up(c->arg[1]));
	return (int)rc;
}

/* Calls that change the mappings in their (addr, len) range. */
static bool changes_range(enum tr_call c)
{
	return c == TR_MUNMAP || c == TR_MPROTECT || c == TR_PKEY_MPROTECT ||
	       c == TR_MADVISE || c == TR_MREMAP || c == TR_MLOCK ||
	       c == TR_MLOCK2 || c == TR_MUNLOCK || c == TR_MSYNC ||
	       c == TR_MSEAL;
}

/* Would the call, as given, reach the child's own memory? */
static bool harms_child(const struct nat_space *n, enum tr_call call,
			const uint64_t *a)
{
	/* the kernel refuses an unaligned address before it changes
	 * anything (mlock rounds it down, but locking harms nothing) */
	if (changes_range(call) && !(a[0] & ~LX_PAGE_MASK) &&
	    reaches_own(n, a[0], a[1]))
		return true;
	if (call == TR_MREMAP && (a[3] & LX_MREMAP_FIXED) &&
	    reaches_own(n, a[4], a[2]))
		return true;
	/* of prctl only what governs memory calls: the rest could change
	 * the child itself (its name, its death signal, its privileges) */
	if (call == TR_PRCTL && a[0] != LX_PR_SET_MDWE &&
	    a[0] != LX_PR_GET_MDWE)
		return true;
	/* shrinking the break below the child's own would take its heap */
	return call == TR_BRK && a[0] && a[0] < n->brk0;
}

static int nat_call(void *ctx, void *space, const struct tg_call *c,
		    uint64_t *out)
{
	struct nat_space *n = space;
	uint64_t a[6], want;
	int64_t rc;

	(void)ctx;
	memcpy(a, c->arg, sizeof(a));
	a[0] = reloc(n, a[0]);
	if (c->call == TR_MREMAP && (a[3] & LX_MREMAP_FIXED))
		a[4] = reloc(n, a[4]);
	if (c->call == TR_MMAP &&
	    (a[3] & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE)) &&
	    !(a[0] & ~LX_PAGE_MASK) && reaches_own(n, a[0], a[1])) {
		if (!(a[3] & LX_MAP_FIXED)) {
			/* MAP_FIXED_NOREPLACE replaces nothing: let the
			 * kernel say whether something is in the way, and
			 * whether that is the trace's own mapping */
			rc = ask(n, NAT_CALL, c->call, a, out);
			if (rc != -EEXIST ||
			    !iv_disjoint(n->made, a[0], page_up(a[0] + a[1])))
				return made(n, c, rc, *out);
		}
		/* the traced program had this range to itself: place it
		 * anywhere, and let later addresses follow */
		want = a[0];
		a[0] = 0;
		a[3] &= ~(uint64_t)(LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE);
		rc = ask(n, NAT_CALL, c->call, a, out);
		made(n, c, rc, *out);
		if (rc == 0) {
			iv_assign(n->reloc, want, want + page_up(a[1]),
				  *out - want);
			*out = want;
		}
		return (int)rc;
	}
	if (harms_child(n, c->call, a))
		return TG_EREFUSED;	/* would break the backend itself */
#ifdef __SANITIZE_ADDRESS__
	/* locking all current memory would lock AddressSanitizer's
	 * terabytes of shadow too: the child cannot survive it */
	if (c->call == TR_MLOCKALL && (a[0] & LX_MCL_CURRENT))
		return TG_EREFUSED;
#endif
	rc = ask(n, NAT_CALL, c->call, a, out);
	return made(n, c, rc, *out);
}

static int nat_load(void *ctx, void *space, uint64_t addr, uint8_t *val)
{
	uint64_t a[6] = {reloc(space, addr)}, v = 0;
	int64_t rc = ask(space, NAT_LOAD, 0, a, &v);

	(void)ctx;
	*val = (uint8_t)v;
	return (int)rc;
}

static int nat_store(void *ctx, void *space, uint64_t addr, uint8_t val)
{
	uint64_t a[6] = {reloc(space, addr), val}, v;

	(void)ctx;
	if (reaches_own(space, a[0], 1))
		return TG_EREFUSED;
	return (int)ask(space, NAT_STORE, 0, a, &v);
}

static int nat_prot(void *ctx, void *space, uint64_t addr, int *prot)
{
	uint64_t a[6] = {reloc(space, addr)}, v = 0;
	int64_t rc = ask(space, NAT_PROT, 0, a, &v);

	(void)ctx;
	*prot = (int)v;
	return (int)rc;
}

/*
 * Write @val to every page of the range that takes a write, in one
 * request per piece of the relocation map.  Where the range is known to
 * be writable, nobody waits for the answers: the number of pages is known
 * (the memory limit aside).  The number written, or TG_EBROKEN /
 * TG_EREFUSED (the memory limit reached).
 */
static int64_t nat_touch(void *ctx, void *space, uint64_t addr, uint64_t len,
			 uint8_t val, bool first, bool writable, bool *stopped)
{
	struct nat_space *n = space;
	uint64_t end = addr + page_up(len), at = addr, s, e, d, next, pend;
	uint64_t a[6], done = 0, w;
	int64_t rc;

	(void)ctx;
	(void)stopped;	/* the host kernel kills, it does not stop */
	while (at < end) {
		if (iv_lookup(n->reloc, at, &s, &e, &d, &next)) {
			pend = e;
		} else {
			d = 0;
			pend = next;
		}
		if (pend > end)
			pend = end;
		a[0] = at + d;
		a[1] = pend - at;
		a[2] = val;
		a[3] = first;
		if (reaches_own(n, a[0], a[1]))
			return TG_EREFUSED;
		if (writable) {
			rc = send(n, NAT_TOUCH, 0, a, NULL);
			w = first ? 1 : a[1] >> LX_PAGE_SHIFT;
		} else {
			rc = send(n, NAT_TOUCH, 0, a, &w);
		}
		if (rc < 0)
			return rc;
		done += w;
		if (first && w)
			break;
		at = pend;
	}
	return (int64_t)done;
}

static void nat_fd_set(void *ctx, void *space, int fd, int mode)
{
	uint64_t a[6] = {(uint64_t)fd, (uint64_t)mode};

	(void)ctx;
	send(space, mode < 0 ? NAT_FD_CLOSE : NAT_FD_OPEN, 0, a, NULL);
}

static void nat_fd_dup(void *ctx, void *space, int oldfd, int newfd)
{
	uint64_t a[6] = {(uint64_t)oldfd, (uint64_t)newfd};

	(void)ctx;
	send(space, NAT_FD_DUP, 0, a, NULL);
}

static void nat_set_memlock(void *ctx, void *space, uint64_t limit)
{
	uint64_t a[6] = {limit};

	(void)ctx;
	send(space, NAT_MEMLOCK, 0, a, NULL);
}

static void *nat_fork(void *ctx, void *space)
{
	(void)ctx;
	(void)space;
	return NULL;	/* a child of the child: not needed yet */
}

static void nat_ignore(void *ctx, void *space, uint64_t v)
{
	(void)ctx;
	(void)space;
	(void)v;
}

static int nat_inherit(void *ctx, void *space, uint64_t a, uint64_t l,
		       bool file)
{
	(void)file;
	(void)ctx;
	(void)space;
	(void)a;
	(void)l;
	return -ENOSYS;
}

static bool nat_hole(void *ctx, void *space, uint64_t a, uint64_t l,
		     uint64_t *hs, uint64_t *he)
{
	(void)ctx;
	(void)space;
	(void)a;
	(void)l;
	(void)hs;
	(void)he;
	return false;
}

static const char *nat_why(void *ctx, void *space)
{
	(void)ctx;
	return nat_broken(space);
}

void nat_target(struct tg_target *t)
{
	static const struct tg_target native = {
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
		.touch = nat_touch,
		.fd_set = nat_fd_set,
		.fd_dup = nat_fd_dup,
		.set_memlock = nat_set_memlock,
		.broken = nat_why,
	};

	*t = native;
}
