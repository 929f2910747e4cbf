/*
 * px_touch.c - the touch model over a whole range at once: what
 * px_store() of one byte at the start of every page would leave, without
 * a step per page.
 *
 * ALGORITHM.  For each writable VMA over the range, clipped to its
 * object's end (stores beyond it are SIGBUS), take the runs of pages
 * between guard markers (stores there are SIGSEGV).  Fault each run in
 * for write as the stores would: the first page of the run and the first
 * in its last PMD fault alone first, so that a transparent huge page
 * that a store there would map (reaching outside the run) is mapped the
 * same way; every PMD wholly inside the run ends up fully present either
 * way.  A write cancels MADV_FREE.  Then one pxp_fill() gives every page
 * of the run the byte, which keeps a run of equal contents one extent.
 *
 * A touch of one page (--touch first) whose first page takes the store
 * goes straight to it: one VMA lookup, one page lookup.
 *
 * INVARIANTS: the result equals px_store() page by page (the unit tests
 * compare the two on random spaces); the cost is O((VMAs + extents) log n)
 * whatever the range's size.
 */
#include "px_internal.h"

/* The address of page offset pg of v. */
static uint64_t addr_of(const struct px_vma *v, uint64_t pg)
{
	return v->start + ((pg - v->pgoff) << PX_SHIFT);
}

/* Touch pages [lo, hi) of v (offsets, no guard among them). */
static int touch_run(struct px_space *s, struct px_vma *v, uint64_t lo,
		     uint64_t hi, uint8_t val)
{
	uint64_t first = addr_of(v, lo), end = addr_of(v, hi);
	uint64_t tail = (end - PX_PAGE) & ~(PX_PMD - 1);
	int err;

	/* one page (the common case, and all of --touch first): a store,
	 * into the VMA already found */
	if (hi == lo + 1)
		return px_store_in(s, v, first, val);
	if (tail < first)
		tail = first;
	err = px_fault(s, v, first, true);
	if (!err && tail != first)
		err = px_fault(s, v, tail, true);
	if (!err)
		err = px_fault_range(s, v, first, end, true);
	if (err)
		return err;
	if (v->flags & LX_VM_SHARED)
		return pxp_fill(&v->obj->pages, lo, hi, 0, val,
				&s->objs->stored);
	if (pxp_any(&v->pages, lo, hi, PXP_LAZYFREE))
		err = pxp_update(&v->pages, lo, hi, 0, PXP_LAZYFREE, false,
				 &s->stored);
	if (!err)
		err = pxp_fill(&v->pages, lo, hi, 0, val, &s->stored);
	return err;
}

int px_touch(struct px_space *s, uint64_t addr, uint64_t len, uint8_t val,
	     uint64_t max, uint64_t *pages)
{
	uint64_t end = addr + len < addr ? UINT64_MAX & LX_PAGE_MASK
					 : addr + len;
	struct px_vma *v;
	int err;

	*pages = 0;
	addr &= LX_PAGE_MASK;
	if (max == 1 && end - addr >= PX_PAGE) {
		/* --touch first: the page at addr when it takes the store
		 * (what the walk below finds first), without the walk */
		const struct pxp_node *n;

		v = pxt_find(&s->tree, addr);
		if (v && v->start <= addr && (v->flags & LX_VM_WRITE) &&
		    !px_beyond_eof(v, addr) &&
		    (!(n = pxp_find(&v->pages, px_vma_pgoff_at(v, addr))) ||
		     !(n->flags & PXP_GUARD))) {
			err = px_store_in(s, v, addr, val);
			if (!err)
				*pages = 1;
			return err;
		}
	}
	for (v = pxt_find(&s->tree, addr); v && v->start < end && *pages < max;
	     v = pxt_next(v)) {
		uint64_t a = v->start > addr ? v->start : addr;
		uint64_t b = v->end < end ? v->end : end;
		uint64_t lo = px_vma_pgoff_at(v, a), q, g;
		uint64_t hi = lo + ((b - a) >> PX_SHIFT);

		if (!(v->flags & LX_VM_WRITE))
			continue;
		if (v->obj && hi > v->obj->size)
			hi = v->obj->size > lo ? v->obj->size : lo;
		for (q = lo; q < hi && *pages < max;) {
			g = px_vma_first_guard(v, q, hi);
			if (g - q > max - *pages)
				g = q + (max - *pages);
			if (g > q) {
				err = touch_run(s, v, q, g, val);
				if (err)
					return err;
				*pages += g - q;
			}
			if (g >= hi || *pages >= max)
				break;
			/* past the whole guard extent at once */
			q = pxp_find(&v->pages, g)->hi;
		}
	}
	return 0;
}
