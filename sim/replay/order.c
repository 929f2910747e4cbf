/*
 * order.c - the order in which the kernel served racing threads' calls.
 *
 * strace prints a call still running when another thread's is reported
 * as "<unfinished ...>" and completes it later; the kernel served each
 * such call at some moment between its two lines, so calls whose lines
 * interleave (overlap.c) may have been served in any order.  Which one
 * shows in the results: the kernel served them in an order that gave
 * every call the address it recorded.  When a finished mmap, mremap or brk
 * that overlapped another thread's call does not get its recorded
 * result where the replay stands, two kinds of calls of other threads
 * of its address space may have been served on the other side of it:
 *  - calls still under way (mmap, mremap, munmap, brk), whose recorded
 *    results are read ahead (ahead.c): served before it, they run now
 *    ("early") and are judged when they finish in the trace;
 *  - munmaps and moving mremaps that finished while it was under way:
 *    served after it, the range they gave back is held while it runs.
 * The fewest such calls that give each of them and the call their
 * recorded results decide; none: the replay says so (replay.c).
 *
 * ALGORITHM: a top-down mmap is first run where it stands and undone
 * by a munmap when it misses (it replaces nothing).  Then an iterative
 * deepening search over sequences of the candidates (at most
 * RP_ORDER_CALLS, RP_ORDER_TRIES trials; held ranges first, in one
 * order): each trial runs the sequence and then the call on a shadow
 * of the reference (the same mappings without their pages: placement
 * needs no contents), and a sequence whose own calls differ from their
 * recordings is not extended.  Only calls that overlapped another
 * thread's are searched, so a trace without racing threads costs
 * nothing.
 *
 * INVARIANTS: the reference's real address space is changed only by
 * the sequence found, in its order, and by the call itself; a shadow
 * never outlives its trial; held ranges are given back after the call
 * ran (rp_order_done), at most RP_ORDER_HELD of them.
 */
#include "replay_internal.h"

#include "rmsim/abi.h"

#include <string.h>

#define RP_ORDER_CALLS 8
#define RP_ORDER_TRIES 256
#define RP_ORDER_HELD 8

/* A call that may have been served in another order than the replay's:
 * one under way, to run before the call at hand; or one finished while
 * the call at hand was under way that gave memory back, to undo for it
 * (its range held while the call runs). */
struct cand {
	bool undo;
	struct tr_event ev; /* under way: its finished event */
	struct rp_flight *flight;
	uint64_t addr, len; /* undone: the range it freed */
};

struct search {
	struct replay *r;
	struct rp_proc *p;
	const struct tr_event *ev;
	struct cand cand[RP_ORDER_CALLS];
	unsigned ncand;
	unsigned seq[RP_ORDER_CALLS];
	bool used[RP_ORDER_CALLS];
	unsigned tries;
	bool tried_alone; /* the call alone is known to differ */
};

bool rp_order_possible(const struct replay *r)
{
	return r->t[RP_REF].space_shadow != NULL;
}

/* Is (rc, val), the reference's answer to @ev, the recorded one? */
bool rp_result_matches(struct replay *r, struct rp_proc *p,
		       const struct tr_event *ev, int rc, uint64_t val)
{
	(void)r;
	if (ev->result == TR_RET_UNKNOWN)
		return rc != TG_EREFUSED;
	if (ev->result == TR_RET_ERROR)
		return rc == -ev->err;
	if (rc < 0)
		return false;
	switch (ev->call) {
	case TR_MMAP:
	case TR_MREMAP:
		return val == rp_to_side(p, RP_REF, (uint64_t)ev->ret);
	case TR_MUNMAP:
		return true;
	default:
		return val == (uint64_t)ev->ret;
	}
}

static bool runs_as_recorded(struct search *s, const struct tr_event *ev)
{
	uint64_t val = 0;
	int rc = rp_run_call(s->r, s->p, RP_REF, ev, &val);

	return rp_result_matches(s->r, s->p, ev, rc, val);
}

/* Take [addr, addr+len) on the reference again if it is free (@take),
 * or give it back. */
static bool hold(struct replay *r, struct rp_proc *p, uint64_t addr,
		 uint64_t len, bool take)
{
	const struct tg_target *t = &r->t[RP_REF];
	struct tg_call c = {.call = take ? TR_MMAP : TR_MUNMAP};
	uint64_t out = 0;

	c.arg[0] = addr;
	c.arg[1] = len;
	c.arg[2] = LX_PROT_NONE;
	c.arg[3] = LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_FIXED_NOREPLACE;
	c.arg[4] = (uint64_t)-1;
	return t->call(t->ctx, p->side[RP_REF].space, &c, &out) == 0 &&
	       (!take || out == addr);
}

static bool apply(struct search *s, const struct cand *c)
{
	return c->undo ? hold(s->r, s->p, c->addr, c->len, true)
		       : runs_as_recorded(s, &c->ev);
}

/* 0: the sequence and then the call run as recorded; 1: the sequence
 * does, the call not; 2: the sequence does not. */
static int trial(struct search *s, unsigned len)
{
	const struct tg_target *t = &s->r->t[RP_REF];
	struct rp_side *side = &s->p->side[RP_REF];
	void *real = side->space, *shadow;
	int res = 0;
	unsigned i;

	s->tries++;
	shadow = t->space_shadow(t->ctx, real);
	if (!shadow)
		return 2;
	side->space = shadow;
	for (i = 0; i < len && !res; i++)
		if (!apply(s, &s->cand[s->seq[i]]))
			res = 2;
	if (!res && !runs_as_recorded(s, s->ev))
		res = 1;
	side->space = real;
	t->space_free(t->ctx, shadow);
	return res;
}

/*
 * Extend the sequence of @len in s->seq to @want calls and try it: 0
 * found, 1 not, 2 the budget ran out.
 */
static int search(struct search *s, unsigned len, unsigned want)
{
	unsigned i;
	int res;

	if (s->tries >= RP_ORDER_TRIES)
		return 2;
	if (len == want)
		return trial(s, len) == 0 ? 0 : 1;
	for (i = 0; i < s->ncand; i++) {
		if (s->used[i])
			continue;
		/* undone calls come first, in one order: they stand for
		 * the state before the call at hand */
		if (s->cand[i].undo && len &&
		    (!s->cand[s->seq[len - 1]].undo || s->seq[len - 1] > i))
			continue;
		/* a prefix whose own calls differ cannot be extended */
		s->seq[len] = i;
		if (len + 1 < want && trial(s, len + 1) == 2)
			continue;
		s->used[i] = true;
		res = search(s, len + 1, want);
		s->used[i] = false;
		if (res != 1)
			return res;
	}
	return 1;
}

/* The fewest calls served first that explain @ev (in s->seq), or -1. */
static int shortest(struct search *s)
{
	unsigned want;
	int res;

	for (want = s->tried_alone; want <= s->ncand; want++) {
		res = search(s, 0, want);
		if (res == 0)
			return (int)want;
		if (res == 2)
			break;
	}
	return -1;
}

/* Run in-flight call @i now, on the reference, as the kernel did; or
 * hold the range an undone call freed until the call at hand ran. */
static void run_early(struct search *s, unsigned i)
{
	struct replay *r = s->r;
	struct rp_flight *f = s->cand[i].flight;
	struct tr_event m = s->cand[i].ev;

	if (s->cand[i].undo) {
		if (r->nheld < RP_ORDER_HELD &&
		    hold(r, s->p, s->cand[i].addr, s->cand[i].len, true)) {
			r->held_addr[r->nheld] = s->cand[i].addr;
			r->held_len[r->nheld++] = s->cand[i].len;
		}
		return;
	}

	f->early = true;
	f->rc = rp_run_call(r, s->p, RP_REF, &m, &f->val);
	f->mran = false;
	/* a policy beside the reference answers munmaps at once, as
	 * everything else when the call finishes (lockstep) */
	if (m.call == TR_MUNMAP && r->two && s->p->side[RP_MODEL].space) {
		f->mrc = rp_run_call(r, s->p, RP_MODEL, &m, &f->mval);
		f->mran = true;
	}
	rp_forget(s->p, &m);
	if (m.call == TR_MMAP && f->rc == 0)
		rp_relocate(s->p, RP_REF, (uint64_t)m.ret, f->val, m.arg[1]);
	if (m.call == TR_MREMAP && f->rc == 0)
		rp_relocate(s->p, RP_REF, (uint64_t)m.ret, f->val, m.arg[2]);
}

void rp_order_done(struct replay *r, struct rp_proc *p)
{
	while (r->nheld) {
		r->nheld--;
		hold(r, p, r->held_addr[r->nheld], r->held_len[r->nheld],
		     false);
	}
}

/*
 * A non-fixed mmap replaces nothing, so a munmap of what it got undoes
 * it: it is tried where it stands on the reference itself, which is
 * cheaper than a shadow, and kept when it got its recorded result.
 */
bool rp_try_in_place(struct replay *r, struct rp_proc *p,
		     const struct tr_event *ev, int *rc, uint64_t *val)
{
	*rc = rp_run_call(r, p, RP_REF, ev, val);
	if (rp_result_matches(r, p, ev, *rc, *val))
		return true;
	if (*rc == 0)
		hold(r, p, *val, rp_page_up(ev->arg[1]), false);
	return false;
}

enum rp_order rp_order_first(struct replay *r, struct rp_proc *p,
			     const struct tr_event *ev, int *rc, uint64_t *val)
{
	struct search s;
	unsigned i;
	int len;

	if (!rp_order_possible(r) || ev->result == TR_RET_UNKNOWN)
		return RP_ORDER_NONE;
	memset(&s, 0, sizeof(s));
	if (ev->call == TR_MMAP &&
	    !(ev->arg[3] & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE))) {
		/* most calls that overlapped others got their address in
		 * the trace's order: the search starts with one call moved */
		if (rp_try_in_place(r, p, ev, rc, val))
			return RP_ORDER_RAN;
		s.tried_alone = true;
	}
	s.r = r;
	s.p = p;
	s.ev = ev;
	for (i = 0; i < RP_OVERLAP_FLIGHT && s.ncand < RP_ORDER_CALLS; i++) {
		struct rp_flight *f = &r->overlap.flight[i];
		struct cand *c = &s.cand[s.ncand];

		if (!f->used || f->early || f->ev.pid == ev->pid ||
		    procs_get(r->procs, f->ev.pid) != p)
			continue;
		if (!rp_ahead_find(&r->ahead, f->ev.pid, f->ev.line, &c->ev) ||
		    c->ev.call != f->ev.call)
			continue;
		c->flight = f;
		s.ncand++;
	}
	/* what other threads gave back while this call was under way: the
	 * kernel may have served it before they did */
	for (i = 0; i < r->overlap.n && s.ncand < RP_ORDER_CALLS; i++) {
		const struct rp_extent *x = &r->overlap.ring[i];
		struct cand *c = &s.cand[s.ncand];

		if (!x->free_len || x->pid == ev->pid || x->end < ev->line ||
		    procs_get(r->procs, x->pid) != p)
			continue;
		c->undo = true;
		c->addr = x->free_addr;
		c->len = x->free_len;
		s.ncand++;
	}
	len = shortest(&s);
	if (len < 0)
		return RP_ORDER_NONE;
	for (i = 0; i < (unsigned)len; i++)
		run_early(&s, s.seq[i]);
	return RP_ORDER_FIRST;
}
