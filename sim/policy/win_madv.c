/*
 * win_madv.c - madvise, msync and mincore inside the window: the calls
 * that leave the mappings where they are and act on or ask about their
 * pages.
 *
 * ALGORITHM
 *
 * Linux's mm/madvise.c order: the advice and the range are checked
 * first, then the advice is applied VMA by VMA; a hole does not stop the
 * walk but makes the result ENOMEM, an error from a VMA stops it at once.
 * Advice that only changes flags modifies the VMAs (split and merge,
 * ENOMEM from a split reported as EAGAIN); the rest acts on the Genode
 * side: DONTNEED zeroes private pages (win_back.c: in place for
 * `window`, RAM given back for `lazy`), REMOVE zeroes object pages, the
 * guard advice places or lifts guard markers, POPULATE faults the range
 * in as get_user_pages would.  msync only checks (the window has no
 * files to write back); mincore reports every mapped page resident.
 *
 * INVARIANTS
 *
 *   Those of win_core.c hold after every call; a failed call leaves the
 *   changes Linux leaves (the VMAs before the failing one advised).
 */
#include "win_core.h"

/* ---- madvise ---- */

/* madvise_update_vma(): ENOMEM from a split is reported as EAGAIN. */
static int update(struct wc *w, struct wc_vma **v, uint64_t start,
		  uint64_t end, uint32_t fl)
{
	int err;

	if (fl == (*v)->flags)
		return 0;
	err = wc_vma_modify(w, *v, start, end, fl, v);
	return err == -LX_ENOMEM ? -LX_EAGAIN : err;
}

/* MADV_COLLAPSE: every whole 2 MiB block of the range must hold a page. */
static int collapse(struct wc *w, struct wc_vma *v, uint64_t start,
		    uint64_t end)
{
	uint64_t h = (start + WC_PMD - 1) & ~(WC_PMD - 1);
	uint64_t hend = end & ~(WC_PMD - 1);
	uint64_t last = (v->n.end - WC_PMD) & ~(WC_PMD - 1);

	if (v->obj || (v->flags & LX_VM_NOHUGEPAGE))
		return -LX_EINVAL;
	if (v->n.end - v->n.start < WC_PMD || last < v->n.start)
		return -LX_EINVAL;
	if (h > hend)
		return -LX_EINVAL;
	return h == hend || wc_back_present(w, h, hend) ? 0 : -LX_EINVAL;
}

/* madvise_vma_behavior(): apply adv to [start, end) inside *vp. */
static int apply(struct wc *w, struct wc_vma **vp, uint64_t start,
		 uint64_t end, int adv)
{
	struct wc_vma *v = *vp;
	uint32_t fl = v->flags;
	int err;

	switch (adv) {
	case LX_MADV_REMOVE:
		if (v->flags & LX_VM_LOCKED)
			return -LX_EINVAL;
		if (!v->obj)
			return -LX_EINVAL;
		if (!(v->flags & LX_VM_SHARED))
			return -LX_EACCES;
		wc_back_zero_object(w, v, start, end);
		return 0;
	case LX_MADV_WILLNEED:
		return 0;
	case LX_MADV_COLD:
	case LX_MADV_PAGEOUT:
		return (v->flags & LX_VM_LOCKED) ? -LX_EINVAL : 0;
	case LX_MADV_FREE:
		if (v->obj)
			return -LX_EINVAL;
		/* fall through */
	case LX_MADV_DONTNEED:
		if (v->flags & LX_VM_LOCKED)
			return -LX_EINVAL;
		/* fall through */
	case LX_MADV_DONTNEED_LOCKED:
		/* private pages read zero; shared objects keep theirs */
		if (!(v->flags & LX_VM_SHARED))
			wc_back_zero(w, start, end);
		return 0;
	case LX_MADV_COLLAPSE:
		return collapse(w, v, start, end);
	case LX_MADV_GUARD_INSTALL:
		if (v->flags & LX_VM_LOCKED)
			return -LX_EINVAL;
		if (!v->obj)
			wc_anon_prepare(w, v);
		return wc_back_guard(w, start, end) ? -LX_ENOMEM : 0;
	case LX_MADV_GUARD_REMOVE:
		wc_back_unguard(w, start, end);
		wc_pend(w, start, end);
		return 0;
	default:
		/* the advice that only change flags */
		err = lx_madv_flags(adv, fl, v->obj != NULL, &fl);
		if (err < 0)
			return err;
		break;
	}
	return update(w, vp, start, end, fl);
}

/* madvise_walk_vmas(): a hole does not stop the walk, an error does. */
static int walk(struct wc *w, uint64_t start, uint64_t end, int adv)
{
	struct wc_vma *v = wc_vma_find(w, start);
	int unmapped = 0, err;

	for (;;) {
		uint64_t e;

		if (!v)
			return -LX_ENOMEM;
		if (start < v->n.start) {
			unmapped = -LX_ENOMEM;
			start = v->n.start;
			if (start >= end)
				break;
		}
		e = wc_min(v->n.end, end);
		err = apply(w, &v, start, e, adv);
		if (err)
			return err;
		if (e < v->n.end)
			e = v->n.end;
		if (e >= end)
			break;
		start = e;
		v = wc_vma_find(w, v->n.end);
	}
	return unmapped;
}

/* madvise_populate(): fault in [start, end) in order. */
static int madv_populate(struct wc *w, uint64_t start, uint64_t end,
			 bool write)
{
	while (start < end) {
		struct wc_vma *v = wc_vma_find(w, start);
		uint64_t e;
		int err;

		if (!v || v->n.start > start)
			return -LX_ENOMEM;
		if (write ? !(v->flags & LX_VM_WRITE)
			  : !(v->flags & LX_VM_READ))
			return -LX_EINVAL;
		e = wc_min(v->n.end, end);
		err = wc_fault_range(w, v, start, e, write);
		if (err)
			return err;
		start = e;
	}
	return 0;
}

static int do_madvise(void *st, uint64_t addr, uint64_t len, int advice)
{
	struct wc *w = st;
	uint64_t plen;

	if (!lx_madv_known(advice))
		return -LX_EINVAL;
	if (addr & (WC_PAGE - 1))
		return -LX_EINVAL;
	plen = WC_ALIGN(len);
	if (len && !plen)
		return -LX_EINVAL;
	if (addr + plen < addr)
		return -LX_EINVAL;
	if (!len)
		return 0;
	if (advice == LX_MADV_HWPOISON || advice == LX_MADV_SOFT_OFFLINE)
		return -LX_EPERM;
	if (advice == LX_MADV_POPULATE_READ ||
	    advice == LX_MADV_POPULATE_WRITE)
		return madv_populate(w, addr, addr + plen,
				     advice == LX_MADV_POPULATE_WRITE);
	return walk(w, addr, addr + plen, advice);
}

int wc_madvise(void *st, uint64_t addr, uint64_t len, int advice)
{
	return wc_finish(st, do_madvise(st, addr, len, advice));
}

/* ---- msync, mincore ---- */

int wc_msync(void *st, uint64_t addr, uint64_t len, int flags)
{
	struct wc *w = st;
	uint64_t start = addr, end;
	struct wc_vma *v;
	int unmapped = 0;

	if (flags & ~(LX_MS_ASYNC | LX_MS_INVALIDATE | LX_MS_SYNC))
		return -LX_EINVAL;
	if (start & (WC_PAGE - 1))
		return -LX_EINVAL;
	if ((flags & LX_MS_ASYNC) && (flags & LX_MS_SYNC))
		return -LX_EINVAL;
	len = (len + WC_PAGE - 1) & LX_PAGE_MASK;
	end = start + len;
	if (end < start)
		return -LX_ENOMEM;
	if (end == start)
		return 0;
	v = wc_vma_find(w, start);
	for (;;) {
		if (!v)
			return -LX_ENOMEM;
		if (start < v->n.start) {
			if (flags == LX_MS_ASYNC)
				return -LX_ENOMEM;
			start = v->n.start;
			if (start >= end)
				return -LX_ENOMEM;
			unmapped = -LX_ENOMEM;
		}
		if ((flags & LX_MS_INVALIDATE) && (v->flags & LX_VM_LOCKED))
			return -LX_EBUSY;
		start = v->n.end;
		if (start >= end)
			return unmapped;
		v = wc_vma_find(w, v->n.end);
	}
}

int wc_mincore(void *st, uint64_t addr, uint64_t len)
{
	struct wc *w = st;
	uint64_t end;

	if (addr & (WC_PAGE - 1))
		return -LX_EINVAL;
	if (addr + len < addr || addr + len > LX_TASK_SIZE)
		return -LX_ENOMEM;
	end = addr + (len >> WC_SHIFT << WC_SHIFT) +
	      ((len & (WC_PAGE - 1)) ? WC_PAGE : 0);
	while (addr < end) {
		struct wc_vma *v = wc_vma_find(w, addr);

		if (!v || v->n.start > addr)
			return -LX_ENOMEM;
		addr = wc_min(v->n.end, end);
	}
	return 0;
}
