/*
 * px_madvise.c - madvise(2), after mm/madvise.c.
 *
 * The advice is checked, the range validated, then applied VMA by VMA;
 * a hole does not stop the walk but makes the result ENOMEM, while an
 * error from a VMA stops it at once.  MADV_POPULATE_* instead fault the
 * range in order and stop at the first hole (ENOMEM), unsuitable VMA
 * (EINVAL) or guard page (EFAULT).  That frame and the refusals per VMA
 * are Linux's rules, shared with the window policies
 * (abi/lx_madvise.h); this file says what each advice does to the
 * model's pages.
 *
 * Contents: DONTNEED, DONTNEED_LOCKED and GUARD_INSTALL drop the private
 * pages of the range (anonymous memory then reads 0, a private file
 * mapping its file again); shared objects keep theirs.  FREE may keep or
 * drop each page, which a trace cannot tell apart, so the model drops
 * their contents; without memory pressure they stay resident, as in
 * the kernel.  REMOVE punches the hole into the object.  Guard markers survive
 * everything but GUARD_REMOVE and unmapping.
 *
 * Approximations: COLD and WILLNEED change no state (WILLNEED marks a
 * file's pages resident), PAGEOUT reclaims only lazily freed anonymous
 * pages and clean object pages (the rest would need a swap device or
 * writeback).  COLLAPSE succeeds on a THP-capable anonymous
 * VMA when every whole 2 MiB block of the range has a present page and
 * fails with EINVAL otherwise, which is what an unpopulated PMD gives.
 * HWPOISON and SOFT_OFFLINE with CAP_SYS_ADMIN return 0 without poisoning.
 *
 * Sealed VMAs (mseal) refuse the discarding advice with EPERM where they
 * are private anonymous memory the program cannot write.
 */
#include "px_internal.h"
#include "abi/lx_madvise.h"

/* Known to the kernel, and built into the recording one. */
static bool advice_valid(const struct px_space *s, int adv)
{
	if (!lx_madv_known(adv))
		return false;
	switch (lx_madv_needs(adv)) {
	case LX_NEED_KSM:
		return s->cfg.ksm;
	case LX_NEED_THP:
		return s->cfg.thp;
	case LX_NEED_MF:
		return s->cfg.memory_failure;
	default:
		return true;
	}
}

/* MADV_COLLAPSE in an eligible VMA, approximated (see the file
 * comment). */
static int collapse(struct px_vma *v, uint64_t start, uint64_t end)
{
	uint64_t h, hend;

	if (lx_madv_collapse_range(v->start, v->end, start, end, &h, &hend))
		return -LX_EINVAL;
	for (; h < hend; h += PX_PMD) {
		uint64_t lo = px_vma_pgoff_at(v, h);

		if (!pxp_any(&v->pages, lo, lo + (PX_PMD >> PX_SHIFT),
			     PXP_PRESENT))
			return -LX_EINVAL;
	}
	return 0;
}

/* MADV_REMOVE: punch a hole into the file behind a shared mapping. */
static int remove_range(struct px_space *s, struct px_vma *v, uint64_t start,
			uint64_t end)
{
	uint64_t lo = px_vma_pgoff_at(v, start), hi = px_vma_pgoff_at(v, end);
	int err;

	px_zap(s, v, start, end);
	err = pxp_update(&v->obj->pages, lo, hi, 0,
			 PXP_PRESENT | PXP_ANON | PXP_DIRTY, true,
			 &v->obj->set->stored);
	return err;
}

/* MADV_PAGEOUT: reclaim what needs neither swap nor writeback, i.e.
 * droppable memory, lazily freed anonymous pages and clean object pages,
 * and unmap the
 * PTEs of object pages (the page cache then decides residency). */
static int pageout(struct px_space *s, struct px_vma *v, uint64_t start,
		   uint64_t end)
{
	uint64_t lo = px_vma_pgoff_at(v, start), hi = px_vma_pgoff_at(v, end);
	const struct pxp_node *n;
	int err;

	if (v->flags & LX_VM_DROPPABLE) {
		px_zap(s, v, start, end);
		return 0;
	}
	if (!v->obj)
		return pxp_update_if(&v->pages, lo, hi, PXP_LAZYFREE, 0, 0,
				     PXP_PRESENT | PXP_ANON | PXP_LAZYFREE,
				     true, &s->stored);
	/* Only pages this VMA maps are looked at; clean ones go. */
	for (n = pxp_next(&v->pages, lo); n && n->lo < hi;
	     n = pxp_next(&v->pages, n->hi)) {
		uint64_t a = n->lo > lo ? n->lo : lo;
		uint64_t b = n->hi < hi ? n->hi : hi;

		if (!(n->flags & PXP_PRESENT) || (n->flags & PXP_ANON))
			continue;
		err = pxp_update_if(&v->obj->pages, a, b, PXP_PRESENT,
				    PXP_DIRTY, 0, PXP_PRESENT, false,
				    &v->obj->set->stored);
		if (err)
			return err;
	}
	return pxp_update_if(&v->pages, lo, hi, PXP_PRESENT, PXP_ANON, 0,
			     PXP_PRESENT, false, &s->stored);
}

/* What adv does to [start, end) inside *vp, once Linux's refusals
 * (checked per VMA: the ones before have changed already) let it. */
static int apply(void *ctx, void **vp, uint64_t start, uint64_t end, int adv)
{
	struct px_space *s = ctx;
	struct px_vma *v = *vp;

	switch (adv) {
	case LX_MADV_REMOVE:
		return remove_range(s, v, start, end);
	case LX_MADV_WILLNEED:
		if (v->obj && !(v->flags & LX_VM_SHARED) &&
		    v->obj->kind == PX_OBJ_FILE)
			return pxp_update(&v->obj->pages,
					  px_vma_pgoff_at(v, start),
					  px_vma_pgoff_at(v, end), PXP_PRESENT,
					  0, false, &v->obj->set->stored);
		return 0;
	case LX_MADV_COLD:
		return 0;
	case LX_MADV_PAGEOUT:
		return pageout(s, v, start, end);
	case LX_MADV_FREE:
		/* Lazily freed pages stay mapped until reclaim; their
		 * contents are taken as gone (see above). */
		return pxp_update_if(&v->pages, px_vma_pgoff_at(v, start),
				     px_vma_pgoff_at(v, end), PXP_ANON, 0,
				     PXP_LAZYFREE, 0, true, &s->stored);
	case LX_MADV_DONTNEED:
	case LX_MADV_DONTNEED_LOCKED:
		px_zap(s, v, start, end);
		return 0;
	case LX_MADV_COLLAPSE:
		return collapse(v, start, end);
	case LX_MADV_GUARD_INSTALL:
		if (px_vma_anonymous(v))
			px_anon_prepare(s, v);
		px_zap(s, v, start, end);
		return pxp_update(&v->pages, px_vma_pgoff_at(v, start),
				  px_vma_pgoff_at(v, end), PXP_GUARD, 0, false,
				  &s->stored);
	case LX_MADV_GUARD_REMOVE:
		return pxp_update(&v->pages, px_vma_pgoff_at(v, start),
				  px_vma_pgoff_at(v, end), 0, PXP_GUARD, false,
				  &s->stored);
	default:
		return 0;
	}
}

static int modify(void *ctx, void **vp, uint64_t start, uint64_t end,
		  uint32_t fl)
{
	struct px_vma *v = *vp;
	int err = px_vma_modify(ctx, v, start, end, fl, &v);

	*vp = v;
	return err;
}

static void *find(void *ctx, uint64_t addr)
{
	return pxt_find(&((struct px_space *)ctx)->tree, addr);
}

static void vma(const void *p, struct lx_madv_vma *out)
{
	const struct px_vma *v = p;

	*out = (struct lx_madv_vma){.start = v->start,
				    .end = v->end,
				    .flags = v->flags,
				    .anonymous = px_vma_anonymous(v),
				    .faulted = v->anon != 0};
}

static int fault(void *ctx, void *v, uint64_t start, uint64_t end,
		 bool write)
{
	return px_fault_range(ctx, v, start, end, write);
}

const struct lx_madv_ops px_madv_ops = {
	.find = find, .vma = vma, .modify = modify, .apply = apply,
	.fault = fault};

/*
 * px_madvise - madvise(2).
 */
int px_madvise(struct px_space *s, uint64_t addr, uint64_t len, int advice)
{
	return lx_madvise(&px_madv_ops, s, addr, len, advice,
			  advice_valid(s, advice), s->cfg.cap_sys_admin);
}
