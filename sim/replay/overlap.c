/*
 * overlap.c - which calls of a trace that place or free memory (mmap,
 * mremap, munmap, brk) ran concurrently with another thread's.
 *
 * strace serialises what threads do at once: a call still running when
 * another thread's call is reported is printed as "<unfinished ...>" and
 * completed later by "<... resumed>".  The kernel may have served two
 * such mmaps in the other order than the lines show, so their addresses
 * swap.  A placing call's extent in the trace is [first line, last line]
 * (one line when printed whole); two calls of different pids overlapped
 * when their extents intersect.  The calls still unfinished are known
 * from their starts (the reader's clone_starts option reports the
 * unfinished start of mmap, mremap, munmap and brk too), the finished ones
 * from a ring of the last RP_OVERLAP_RING, which is far more than
 * threads ever run at once.
 *
 * The kernel's order shows in the results: an mmap that got memory an
 * unfinished munmap of another thread was giving back was served after
 * that munmap, though strace printed it first.  The replay runs such a
 * munmap early (rp_overlap_blocker finds it) and judges it when it
 * finishes in the trace.
 *
 * ALGORITHM: rp_overlap_start() notes an unfinished start.
 * rp_overlap_done(), called for every finished call, forgets the
 * thread's start (a thread runs one call at a time; a start whose end
 * the trace lost goes too), handing back what an early run gave, and
 * answers for an mmap, mremap or munmap whether another pid's was in
 * flight within its extent (unfinished now, or finished with an
 * intersecting extent); then it rings the call's extent.
 *
 * INVARIANTS: at most one unfinished call per pid (a thread runs one
 * system call at a time), nflight of them; ring entries have start <=
 * end <= last_end.
 */
#include "replay_internal.h"

#include <stdio.h>
#include <string.h>

static bool tracked(enum tr_call c)
{
	return c == TR_MMAP || c == TR_MREMAP || c == TR_MUNMAP || c == TR_BRK;
}

void rp_overlap_start(struct rp_overlap *o, const struct tr_event *ev)
{
	unsigned i, free_slot = RP_OVERLAP_FLIGHT;

	if (!tracked(ev->call))
		return;
	for (i = 0; i < RP_OVERLAP_FLIGHT; i++) {
		if (o->flight[i].used && o->flight[i].ev.pid == ev->pid) {
			free_slot = i; /* a stale start of this pid */
			break;
		}
		if (!o->flight[i].used && free_slot == RP_OVERLAP_FLIGHT)
			free_slot = i;
	}
	if (free_slot == RP_OVERLAP_FLIGHT)
		return; /* more threads at once than tracked */
	if (!o->flight[free_slot].used)
		o->nflight++;
	memset(&o->flight[free_slot], 0, sizeof(o->flight[free_slot]));
	o->flight[free_slot].used = true;
	o->flight[free_slot].ev = *ev;
	/* the reader keeps the path only until its next event */
	o->flight[free_slot].ev.fd_path = NULL;
}

bool rp_overlap_done(struct rp_overlap *o, const struct tr_event *ev,
		     uint64_t end_line, struct rp_flight *early)
{
	struct rp_extent *x;
	bool overlapped = false;
	unsigned i;

	early->early = false;
	for (i = 0; o->nflight && i < RP_OVERLAP_FLIGHT; i++) {
		struct rp_flight *f = &o->flight[i];

		if (!f->used)
			continue;
		if (f->ev.pid == ev->pid) {
			/* this call's own start; or, when the thread is at
			 * another call, one whose end the trace lost (a
			 * thread killed in it): over either way */
			if (f->early && f->ev.call == ev->call &&
			    f->ev.line == ev->line)
				*early = *f;
			f->used = false;
			o->nflight--;
		} else if (f->ev.line <= end_line) {
			overlapped = true;
		}
	}
	if (!tracked(ev->call))
		return false;
	/* a call printed on one line after every finished one ended cannot
	 * meet them: the common case costs no scan */
	for (i = 0; o->last_end >= ev->line && i < o->n; i++) {
		x = &o->ring[i];
		if (x->pid != ev->pid && x->start <= end_line &&
		    ev->line <= x->end)
			overlapped = true;
	}
	x = &o->ring[o->next];
	x->pid = ev->pid;
	x->start = ev->line;
	x->end = end_line;
	x->free_addr = x->free_len = 0;
	o->last_end = end_line;
	o->next = (o->next + 1) % RP_OVERLAP_RING;
	if (o->n < RP_OVERLAP_RING)
		o->n++;
	return overlapped;
}

void rp_overlap_freed(struct rp_overlap *o, uint64_t addr, uint64_t len)
{
	struct rp_extent *x;

	if (!o->n)
		return;
	x = &o->ring[(o->next + RP_OVERLAP_RING - 1) % RP_OVERLAP_RING];
	x->free_addr = addr;
	x->free_len = len;
}

struct rp_flight *rp_overlap_blocker(struct rp_overlap *o, int32_t pid,
				     uint64_t addr, uint64_t len)
{
	uint64_t end = addr + ((len + 4095) & ~(uint64_t)4095);
	unsigned i;

	for (i = 0; i < RP_OVERLAP_FLIGHT; i++) {
		struct rp_flight *f = &o->flight[i];
		uint64_t a, e;

		if (!f->used || f->early || f->passed || f->ev.pid == pid ||
		    f->ev.call != TR_MUNMAP)
			continue;
		a = f->ev.arg[0];
		e = a + ((f->ev.arg[1] + 4095) & ~(uint64_t)4095);
		if (a < end && addr < e)
			return f;
	}
	return NULL;
}

int rp_overlap_check(const struct rp_overlap *o, char *why, size_t size)
{
	unsigned i, j, used = 0;

	for (i = 0; i < RP_OVERLAP_FLIGHT; i++)
		used += o->flight[i].used;
	if (used != o->nflight) {
		snprintf(why, size, "%u unfinished calls counted, %u held",
			 o->nflight, used);
		return -1;
	}
	for (i = 0; i < o->n && i < RP_OVERLAP_RING; i++)
		if (o->ring[i].end > o->last_end) {
			snprintf(why, size, "extent %u ends after the newest",
				 i);
			return -1;
		}
	for (i = 0; i < RP_OVERLAP_FLIGHT; i++)
		for (j = i + 1; j < RP_OVERLAP_FLIGHT; j++)
			if (o->flight[i].used && o->flight[j].used &&
			    o->flight[i].ev.pid == o->flight[j].ev.pid) {
				snprintf(why, size,
					 "pid %d has two unfinished"
					 " calls",
					 o->flight[i].ev.pid);
				return -1;
			}
	for (i = 0; i < o->n && i < RP_OVERLAP_RING; i++)
		if (o->ring[i].start > o->ring[i].end) {
			snprintf(why, size, "extent %u ends before it starts",
				 i);
			return -1;
		}
	return 0;
}
