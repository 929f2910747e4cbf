/*
 * sides.c - running one traced call on one side (the reference or the
 * policy under test): translating trace addresses through that side's
 * relocation map, splitting a range call where the map gives its pieces
 * different offsets, learning the initial state the trace reveals, and
 * the touch model.
 */
#include "replay_internal.h"

#include "rmsim/abi.h"

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

uint64_t rp_page_up(uint64_t len)
{
	return (len + LX_PAGE_SIZE - 1) & LX_PAGE_MASK;
}

uint64_t rp_to_side(const struct rp_proc *p, int side, uint64_t a)
{
	uint64_t s, e, delta, next;

	if (iv_lookup(p->side[side].reloc, a, &s, &e, &delta, &next))
		return a + delta;
	return a;
}

/* Calls whose range fails with ENOMEM where it is not mapped. */
static bool needs_mapping(enum tr_call c)
{
	switch (c) {
	case TR_MPROTECT:
	case TR_PKEY_MPROTECT:
	case TR_MADVISE:
	case TR_MSYNC:
	case TR_MLOCK:
	case TR_MLOCK2:
	case TR_MUNLOCK:
	case TR_MINCORE:
	case TR_MREMAP:
	case TR_MSEAL:
		return true;
	default:
		return false;
	}
}

/* Calls that take (addr, len) as their first two arguments. */
bool rp_range_call(enum tr_call c)
{
	return needs_mapping(c) || c == TR_MUNMAP;
}

/*
 * Adopt the holes of [addr, addr+len) (trace addresses) that the trace
 * never touched, as mappings execve made before it began.  Only the
 * reference adopts: a policy is judged on what it maps itself.
 */
void rp_adopt(struct replay *r, struct rp_proc *p, uint64_t addr,
	      uint64_t len)
{
	const struct tg_target *t = &r->t[RP_REF];
	void *space = p->side[RP_REF].space;
	uint64_t end, hs, he;
	int guard = 0;

	len = rp_page_up(len);
	end = addr + len;
	if (len == 0 || end < addr || (addr & ~LX_PAGE_MASK))
		return;
	while (guard++ < 64 &&
	       t->hole(t->ctx, space, rp_to_side(p, RP_REF, addr), end - addr,
		       &hs, &he)) {
		/* for inherited ranges the relocation is the identity */
		if (!iv_disjoint(p->known, hs, he))
			return;
		if (t->inherit(t->ctx, space, hs, he - hs, false))
			return;
		/* not the policy's to make: calls on it are "outside".  A
		 * trace that starts later (strace -p) shows no execve: what
		 * it adopts the program may have mapped itself */
		if (p->from_exec)
			iv_union(p->inherited, hs, he, 1);
		r->sum->adopted++;
	}
}

/*
 * The mmap base from the first top-down placement, the break from
 * brk(NULL), CAP_SYS_RAWIO from a fixed mapping below mmap_min_addr: set
 * on the reference before the call that reveals them.
 */
void rp_learn(struct replay *r, struct rp_proc *p, const struct tr_event *ev)
{
	const struct tg_target *t = &r->t[RP_REF];

	if (!p->base_known && ev->call == TR_MMAP &&
	    ev->result == TR_RET_VALUE && ev->arg[0] == 0 &&
	    !(ev->arg[3] & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE))) {
		t->set_mmap_base(t->ctx, p->side[RP_REF].space,
				 (uint64_t)ev->ret + rp_page_up(ev->arg[1]));
		p->base_known = true;
	}
	/* a fixed mapping below the least vm.mmap_min_addr Linux
	 * distributions set (65536) that the kernel made: the process was
	 * privileged (CAP_SYS_RAWIO), unless a capset says otherwise later */
	if (ev->call == TR_MMAP && ev->result == TR_RET_VALUE &&
	    (ev->arg[3] & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE)) &&
	    (uint64_t)ev->ret < 65536 && t->set_cap_sys_rawio)
		t->set_cap_sys_rawio(t->ctx, p->side[RP_REF].space, true);
	if (!p->brk_known && ev->call == TR_BRK && ev->arg[0] == 0 &&
	    ev->result == TR_RET_VALUE) {
		t->set_brk(t->ctx, p->side[RP_REF].space, (uint64_t)ev->ret);
		p->brk_known = true;
		p->brk_start = (uint64_t)ev->ret;
		p->brk = (uint64_t)ev->ret;
	}
}

/*
 * Run a range call piece by piece where the relocation map gives the
 * pieces different offsets (a munmap over two mappings the target placed
 * apart); stop at the first error, as the kernel does.
 */
static int run_range(struct replay *r, struct rp_proc *p, int side,
		     struct tg_call *c, uint64_t *out)
{
	const struct tg_target *t = &r->t[side];
	void *space = p->side[side].space;
	struct iv_map *reloc = p->side[side].reloc;
	uint64_t addr = c->arg[0], len = c->arg[1];
	uint64_t end = addr + rp_page_up(len);
	uint64_t s, e, delta, next, pend;
	int rc;

	if (len == 0 || end <= addr || c->call == TR_MREMAP ||
	    iv_count(reloc) == 0) {
		c->arg[0] = rp_to_side(p, side, addr);
		return t->call(t->ctx, space, c, out);
	}
	while (addr < end) {
		if (iv_lookup(reloc, addr, &s, &e, &delta, &next)) {
			pend = e;
		} else {
			delta = 0;
			pend = next;
		}
		if (pend >= end && addr == c->arg[0]) {
			c->arg[0] = addr + delta;	/* one piece: as given */
			return t->call(t->ctx, space, c, out);
		}
		if (pend > end)
			pend = end;
		c->arg[0] = addr + delta;
		c->arg[1] = pend - addr;
		rc = t->call(t->ctx, space, c, out);
		if (rc)
			return rc;
		addr = pend;
	}
	return 0;
}

/*
 * A side's backend stopped answering (the native child died): the run
 * ends as a failure of the backend (exit 70), never as results.
 */
void rp_backend_failed(struct replay *r, struct rp_proc *p, int side)
{
	const struct tg_target *t = &r->t[side];
	const char *why = t->broken ? t->broken(t->ctx, p->side[side].space)
				    : NULL;

	if (r->status)
		return;
	snprintf(r->sum->error, sizeof(r->sum->error),
		 "line %" PRIu64 ": the %s backend failed: %s", r->line,
		 t->name, why ? why : "it stopped answering");
	r->status = 70;
}

int rp_run_call(struct replay *r, struct rp_proc *p, int side,
		const struct tr_event *ev, uint64_t *out)
{
	struct tg_call c;

	memset(&c, 0, sizeof(c));
	c.call = ev->call;
	memcpy(c.arg, ev->arg, sizeof(c.arg));
	c.path = ev->fd_path;
	if (rp_range_call(ev->call)) {
		if (ev->call == TR_MREMAP && (c.arg[3] & LX_MREMAP_FIXED))
			c.arg[4] = rp_to_side(p, side, c.arg[4]);
		return run_range(r, p, side, &c, out);
	}
	if (ev->call == TR_MMAP && c.arg[0])
		c.arg[0] = rp_to_side(p, side, c.arg[0]);
	if (ev->call == TR_BRK)
		c.arg[0] = rp_brk_to_side(p, side, c.arg[0]);
	return r->t[side].call(r->t[side].ctx, p->side[side].space, &c, out);
}

uint64_t rp_brk_to_side(const struct rp_proc *p, int side, uint64_t a)
{
	return a && p->side[side].brk_delta_known ? a + p->side[side].brk_delta
						  : a;
}

/*
 * A side's first answer to brk(NULL) places its heap: from then on the
 * trace's break addresses, and the heap's pages, are moved by the same
 * offset, the way a relocated mmap's are.  @traced is the break the
 * reference (the trace's coordinates) has after the call, @placed the
 * side's.
 */
void rp_brk_follow(struct rp_proc *p, int side, const struct tr_event *ev,
		   uint64_t traced, uint64_t placed)
{
	struct rp_side *s = &p->side[side];
	uint64_t start = p->brk_start & LX_PAGE_MASK;

	if (!s->brk_delta_known && ev->arg[0] == 0 && p->brk_known) {
		s->brk_delta = placed - traced;
		s->brk_delta_known = true;
	}
	/* a heap that did not follow the trace's is not relocated */
	if (!s->brk_delta_known || !s->brk_delta ||
	    placed != traced + s->brk_delta)
		return;
	if (rp_page_up(traced) > start)
		iv_assign(s->reloc, start, rp_page_up(traced), s->brk_delta);
}

void rp_relocate(struct rp_proc *p, int side, uint64_t traced,
		 uint64_t placed, uint64_t len)
{
	uint64_t end = traced + rp_page_up(len);

	if (end <= traced)
		return;
	if (traced == placed)
		iv_remove(p->side[side].reloc, traced, end);
	else
		iv_assign(p->side[side].reloc, traced, end, placed - traced);
	/* no note in p->known: while mapped, the reference shows the range
	 * as its own; rp_forget records it once the trace unmaps it */
}

/* Ranges the trace unmapped or moved away: no relocation left there. */
void rp_forget(struct rp_proc *p, const struct tr_event *ev)
{
	uint64_t a = ev->arg[0], end = a + rp_page_up(ev->arg[1]);
	int side;

	if (ev->result != TR_RET_VALUE)
		return;
	if ((ev->call == TR_MUNMAP ||
	     (ev->call == TR_MREMAP && (uint64_t)ev->ret != a &&
	      !(ev->arg[3] & LX_MREMAP_DONTUNMAP))) &&
	    end > a) {
		for (side = 0; side < RP_SIDES; side++)
			if (p->side[side].reloc)
				iv_remove(p->side[side].reloc, a, end);
		iv_union(p->known, a, end, 1);
	} else if (ev->call == TR_BRK && ev->ret) {
		/* the heap is the trace's own */
		iv_union(p->known, (uint64_t)ev->ret & LX_PAGE_MASK,
			 rp_page_up((uint64_t)ev->ret) + LX_PAGE_SIZE, 1);
	}
}

uint8_t rp_token(uint64_t seq)
{
	return (uint8_t)(seq * 131 + 1) | 1;
}

/*
 * The pages a successful call made writable: write a token.  @prot is
 * the protection the call gave them, or -1 to ask the target per page.
 * The target touches the range in one step, until a store stops the
 * thread (the program cannot go on touching) or a signal asks the run to
 * stop.
 */
void rp_touch(struct replay *r, struct rp_proc *p, int side, uint64_t addr,
	      uint64_t len, uint64_t seq, int prot)
{
	const struct tg_target *t = &r->t[side];
	uint64_t end = addr + rp_page_up(len);
	bool stopped = false;
	int64_t done;

	/* recorded: the side file's faults touch (touch_recorded.c) */
	if (r->opt->touch == RP_TOUCH_NONE ||
	    r->opt->touch == RP_TOUCH_RECORDED || end <= addr ||
	    (prot >= 0 && !(prot & LX_PROT_WRITE)))
		return;
	done = t->touch(t->ctx, p->side[side].space, addr, end - addr,
			rp_token(seq), r->opt->touch == RP_TOUCH_FIRST,
			prot >= 0, &stopped);
	if (done == TG_EBROKEN)
		rp_backend_failed(r, p, side);
	else if (done > 0 && side == RP_REF)
		r->sum->touches += (uint64_t)done;
	if (stopped && side == RP_MODEL)
		r->touch_failed = true;
}
