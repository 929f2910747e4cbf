/*
 * nat_proto.h - what the parent (native.c) and the child (nat_child.c) of
 * the native backend share: the requests, the mailbox they travel through,
 * and the limits the child runs under.  Internal to sim/native/.
 *
 * The mailbox is one shared anonymous mapping made before fork(): a ring
 * of requests and their answers.  A request is written into its slot and
 * published by bumping a sequence number; the child answers in order and
 * bumps its own.  Whoever waits spins briefly on the number, then sleeps
 * on it with a futex (see nat_chan.c).  No descriptor is needed, so the child can close
 * every descriptor it inherited.
 */
#ifndef RMSIM_NAT_PROTO_H
#define RMSIM_NAT_PROTO_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

enum nat_op {
	NAT_CALL,	/* call, arg[6] -> rc, val */
	NAT_LOAD,	/* arg[0] -> val (the byte) */
	NAT_STORE,	/* arg[0], arg[1] (the byte) */
	NAT_PROT,	/* arg[0] -> val (LX_PROT_*), or -ENOMEM */
	NAT_TOUCH,	/* arg[0] addr, arg[1] len, arg[2] byte, arg[3] first
			 * only -> val: pages written */
	NAT_FD_OPEN,	/* arg[0] fd, arg[1] access mode */
	NAT_FD_CLOSE,	/* arg[0] fd */
	NAT_FD_DUP,	/* arg[0] old fd, arg[1] new fd */
	NAT_MEMLOCK,	/* arg[0] the trace's RLIMIT_MEMLOCK */
};

/* What the child answers for a call it will not make (never an errno). */
#define NAT_REFUSED (-10000)

struct nat_req {
	uint32_t op;
	uint32_t call;		/* enum tr_call, for NAT_CALL */
	uint64_t arg[6];
};

struct nat_resp {
	int64_t rc;
	uint64_t val;
};

/* The child's own memory as it was when it started (see NAT_OWN_MAX). */
struct nat_own {
	uint64_t start, end;
};

#define NAT_OWN_MAX 2000

/*
 * What the child is allowed: resident plus locked memory (bytes) and CPU
 * seconds.  Derived from the command's options (see nat_configure).
 */
struct nat_limits {
	uint64_t mem;
	uint64_t cpu_s;
};

/* Requests in flight at most: those whose answer nobody waits for (a
 * touch, a descriptor) go ahead of the next call that needs its answer. */
#define NAT_RING 64

struct nat_box {
	/* parent -> child: requests 1..req_seq were written */
	_Atomic uint32_t req_seq;
	_Atomic uint32_t child_sleeps;
	/* child -> parent: requests below resp_seq were answered */
	_Atomic uint32_t resp_seq;
	_Atomic uint32_t parent_sleeps;
	struct nat_req req[NAT_RING];	/* request n in req[n % NAT_RING] */
	struct nat_resp resp[NAT_RING];
	/* written once by the child before its first answer */
	uint64_t brk0;			/* its break at start */
	uint32_t nown;
	struct nat_own own[NAT_OWN_MAX];
};

/* Publish @seq in @word and wake the other side if it sleeps there. */
void nat_post(_Atomic uint32_t *word, _Atomic uint32_t *sleeps,
	      uint32_t seq);
/*
 * Wait until @word has reached @seq (modulo 2^32).  @alive (may be NULL)
 * is asked between sleeps: false stops the wait with -1.
 */
int nat_wait(_Atomic uint32_t *word, _Atomic uint32_t *sleeps, uint32_t seq,
	     bool (*alive)(void *arg), void *arg);

/* The child: serves requests until the parent is gone.  Never returns. */
void nat_child_main(struct nat_box *box, const struct nat_limits *lim)
	__attribute__((noreturn));

#endif
