/*
 * place.c - placements the trace alone cannot predict, and how they are
 * judged instead of guessed.
 *
 *  - Randomised per call: Linux starts a MAP_32BIT search at
 *    0x40000000 plus a random page offset below 32 MiB, drawn anew for
 *    every call when the process is randomised (find_start_end() in
 *    arch/x86/kernel/sys_x86_64.c, randomize_page()).  The recorded
 *    address is one of many the kernel could have chosen: it is accepted
 *    when some page-aligned begin in that window gives it by the
 *    bottom-up first fit, and counted apart as "random" (the model
 *    checked it, it could not predict it).  First fit from a later begin
 *    never lands lower, so the one begin to try is the recorded address
 *    itself, or the window's last page when the address lies above it.
 *    An address the unrandomised begin gives is exact.
 *  - Beside memory the trace never showed: a trace without pids whose
 *    program made a thread lacks that thread's calls (strace without
 *    -f).  A top-down mmap the model places elsewhere after that point is
 *    counted apart as "unseen", and takes the recorded address when it is
 *    free in the model, so the calls after it are judged where the
 *    program had its memory.  A complete trace never gets here.
 *
 * ALGORITHM: run the call with the deterministic rule, undone when it
 * misses (rp_try_in_place); then run it with the begin or the hint that
 * the rule allows.
 *
 * INVARIANTS: the MAP_32BIT begin is reset after every call.
 */
#include "replay_internal.h"

#include "rmsim/abi.h"

#include <string.h>

enum rp_place rp_place_kind(const struct replay *r, const struct tr_event *ev)
{
	uint64_t fl = ev->arg[3];

	if (ev->call != TR_MMAP || ev->result != TR_RET_VALUE ||
	    (fl & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE)))
		return RP_PLACE_PLAIN;
	if (fl & LX_MAP_32BIT)
		return r->t[RP_REF].set_map32_begin ? RP_PLACE_RANDOM
						    : RP_PLACE_PLAIN;
	if (!r->pids_seen && r->threads_unfollowed)
		return RP_PLACE_UNSEEN;
	return RP_PLACE_PLAIN;
}

int rp_place(struct replay *r, struct rp_proc *p, const struct tr_event *ev,
	     enum rp_place *kind, uint64_t *val)
{
	const struct tg_target *t = &r->t[RP_REF];
	void *space = p->side[RP_REF].space;
	uint64_t want = rp_to_side(p, RP_REF, (uint64_t)ev->ret), begin;
	struct tr_event hinted;
	int rc;

	if (*kind == RP_PLACE_PLAIN)
		return rp_run_call(r, p, RP_REF, ev, val);
	if (rp_try_in_place(r, p, ev, &rc, val)) {
		*kind = RP_PLACE_PLAIN; /* the deterministic rule gives it */
		return rc;
	}
	if (*kind == RP_PLACE_UNSEEN) {
		hinted = *ev;
		hinted.arg[0] = want;
		rc = rp_run_call(r, p, RP_REF, &hinted, val);
		if (rc || *val != want)
			*kind = RP_PLACE_PLAIN; /* not free: a miss */
		return rc;
	}
	begin = want;
	if (begin >= LX_MAP32_BEGIN + LX_MAP32_RANDOM)
		begin = LX_MAP32_BEGIN + LX_MAP32_RANDOM - LX_PAGE_SIZE;
	if (begin < LX_MAP32_BEGIN)
		begin = 0; /* below every begin: the rule refuses it */
	t->set_map32_begin(t->ctx, space, begin);
	rc = rp_run_call(r, p, RP_REF, ev, val);
	t->set_map32_begin(t->ctx, space, 0);
	if (rc || *val != want)
		*kind = RP_PLACE_PLAIN; /* no begin gives it: a miss */
	return rc;
}
