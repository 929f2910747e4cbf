/*
 * win_madv.c - madvise, msync and mincore inside the window: the calls
 * that leave the mappings where they are and act on or ask about their
 * pages.
 *
 * ALGORITHM
 *
 * Linux's mm/madvise.c order, from abi/lx_madvise.h (shared with the
 * reference model): the advice and the range are checked first, then
 * the advice is applied VMA by VMA after Linux's refusals for that VMA;
 * a hole does not stop the walk but makes the result ENOMEM, an error
 * from a VMA stops it at once.  Advice that only changes flags modifies
 * the VMAs (split and merge, ENOMEM from a split reported as EAGAIN);
 * the rest acts on the Genode side: DONTNEED zeroes private pages
 * (win_back.c: in place for `window`, RAM given back for `lazy`),
 * REMOVE zeroes object pages, the guard advice places or lifts guard
 * markers, POPULATE faults the range in as get_user_pages would.  msync
 * only checks (the window has no files to write back); mincore reports
 * every mapped page resident.
 *
 * INVARIANTS
 *
 *   Those of win_core.c hold after every call; a failed call leaves the
 *   changes Linux leaves (the VMAs before the failing one advised).
 */
#include "win_core.h"
#include "abi/lx_madvise.h"

/* ---- madvise ---- */

/* MADV_COLLAPSE in an eligible VMA: every whole 2 MiB block of the
 * range must hold a page. */
static int collapse(struct wc *w, struct wc_vma *v, uint64_t start,
		    uint64_t end)
{
	uint64_t h, hend;

	if (lx_madv_collapse_range(v->n.start, v->n.end, start, end, &h,
				   &hend))
		return -LX_EINVAL;
	return h == hend || wc_back_present(w, h, hend) ? 0 : -LX_EINVAL;
}

/* What adv does to [start, end) inside *vp, once Linux's refusals let
 * it (lx_madv_behavior). */
static int apply(void *st, void **vp, uint64_t start, uint64_t end, int adv)
{
	struct wc *w = st;
	struct wc_vma *v = *vp;

	switch (adv) {
	case LX_MADV_REMOVE:
		wc_back_zero_object(w, v, start, end);
		return 0;
	case LX_MADV_WILLNEED:
	case LX_MADV_COLD:
	case LX_MADV_PAGEOUT:
		return 0;
	case LX_MADV_FREE:
	case LX_MADV_DONTNEED:
	case LX_MADV_DONTNEED_LOCKED:
		/* private pages read zero; shared objects keep theirs */
		if (!(v->flags & LX_VM_SHARED))
			wc_back_zero(w, start, end);
		return 0;
	case LX_MADV_COLLAPSE:
		return collapse(w, v, start, end);
	case LX_MADV_GUARD_INSTALL:
		if (!v->obj)
			wc_anon_prepare(w, v);
		return wc_back_guard(w, start, end) ? -LX_ENOMEM : 0;
	case LX_MADV_GUARD_REMOVE:
		wc_back_unguard(w, start, end);
		wc_pend(w, start, end);
		return 0;
	default:
		return 0;
	}
}

static int modify(void *st, void **vp, uint64_t start, uint64_t end,
		  uint32_t fl)
{
	struct wc_vma *v = *vp;
	int err = wc_vma_modify(st, v, start, end, fl, &v);

	*vp = v;
	return err;
}

static void *find(void *st, uint64_t addr)
{
	return wc_vma_find(st, addr);
}

static void vma(const void *p, struct lx_madv_vma *out)
{
	const struct wc_vma *v = p;

	*out = (struct lx_madv_vma){.start = v->n.start,
				    .end = v->n.end,
				    .flags = v->flags,
				    .anonymous = !v->obj,
				    .faulted = v->anon != 0};
}

static int fault(void *st, void *v, uint64_t start, uint64_t end, bool write)
{
	return wc_fault_range(st, v, start, end, write);
}

static const struct lx_madv_ops madv_ops = {
	.find = find, .vma = vma, .modify = modify, .apply = apply,
	.fault = fault};

/* Genode has no poisoned pages: HWPOISON and SOFT_OFFLINE are EPERM. */
static int do_madvise(void *st, uint64_t addr, uint64_t len, int advice)
{
	return lx_madvise(&madv_ops, st, addr, len, advice,
			  lx_madv_known(advice), false);
}

int wc_madvise(void *st, uint64_t addr, uint64_t len, int advice)
{
	return wc_finish(st, do_madvise(st, addr, len, advice));
}

/* ---- msync, mincore ---- */

int wc_msync(void *st, uint64_t addr, uint64_t len, int flags)
{
	return lx_msync(&madv_ops, st, addr, len, flags);
}

/* Every mapped page counts as resident: only the result is wanted. */
int wc_mincore(void *st, uint64_t addr, uint64_t len)
{
	return lx_mincore(&madv_ops, st, addr, len, LX_TASK_SIZE, NULL, NULL);
}
