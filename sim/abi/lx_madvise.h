/*
 * lx_madvise.h - madvise(2)'s frame as mm/madvise.c has it, for every
 * model of a Linux address space: the argument checks, the walk over
 * the VMAs of the range, the refusals per VMA, the advice that only
 * change flags (a failed split is EAGAIN), MADV_POPULATE_*'s faulting
 * loop and MADV_COLLAPSE's range; and msync(2) and mincore(2), which
 * walk a range's VMAs the same way and, in a model, change nothing.
 * The Linux reference model (sim/posix/px_madvise.c) and the window
 * policies (sim/policy/win_madv.c) both run madvise through it and
 * supply only what differs: what a VMA is, and what an advice does to
 * the pages of one.
 *
 * ALGORITHM
 *
 * do_madvise(): an unknown advice, an unaligned start or a length that
 * wraps is EINVAL, a zero length is 0, HWPOISON and SOFT_OFFLINE need
 * CAP_SYS_ADMIN.  MADV_POPULATE_* fault the range in order and stop at
 * the first hole (ENOMEM), unsuitable VMA (EINVAL) or fault that fails
 * (EFAULT).  Every other advice is applied VMA by VMA
 * (madvise_walk_vmas()): a hole does not stop the walk but makes the
 * result ENOMEM, an error from a VMA stops it at once, and the changes
 * made to the VMAs before it stay.
 *
 * INVARIANTS
 *
 *   Header-only and free of state: the caller's VMAs change only
 *   through its own callbacks, and only in the order Linux changes
 *   them.  Like lx_vm.h, it depends on nothing but the Linux constants,
 *   so that Genode's libc builds the window policies with it unchanged.
 */
#ifndef RMSIM_ABI_LX_MADVISE_H
#define RMSIM_ABI_LX_MADVISE_H

#include <stdbool.h>
#include <stdint.h>

#include "rmsim/abi.h"
#include "abi/lx_vm.h"

/* What madvise looks at in a VMA. */
struct lx_madv_vma {
	uint64_t start, end;
	uint32_t flags;		/* LX_VM_* */
	bool anonymous;		/* no file or shared object behind it */
	bool faulted;		/* it has an anon_vma (a write fault was) */
};

/* What the frame needs of a model's VMAs; @ctx is the model's. */
struct lx_madv_ops {
	/* The first VMA that ends above @addr, or NULL. */
	void *(*find)(void *ctx, uint64_t addr);
	void (*vma)(const void *vma, struct lx_madv_vma *out);
	/* Give [start, end) of *@vma the flags @fl (split, merge: *@vma
	 * may be replaced).  0 or -errno. */
	int (*modify)(void *ctx, void **vma, uint64_t start, uint64_t end,
		      uint32_t fl);
	/* What @adv does to the pages of [start, end) inside *@vma, once
	 * Linux's refusals let it (an advice that changes no flags; 0 for
	 * one the model takes no action on).  0 or -errno. */
	int (*apply)(void *ctx, void **vma, uint64_t start, uint64_t end,
		     int adv);
	/* Fault in [start, end) of @vma as get_user_pages does: 0, or
	 * -EFAULT where a page cannot be (a guard, past an object's end). */
	int (*fault)(void *ctx, void *vma, uint64_t start, uint64_t end,
		     bool write);
};

static inline uint64_t lx_madv_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

/* madvise_populate(): fault in [start, end) in order. */
static inline int lx_madv_populate(const struct lx_madv_ops *ops, void *ctx,
				   uint64_t start, uint64_t end, bool write)
{
	while (start < end) {
		void *v = ops->find(ctx, start);
		struct lx_madv_vma d;
		uint64_t e;
		int err;

		if (!v)
			return -LX_ENOMEM;
		ops->vma(v, &d);
		if (d.start > start)
			return -LX_ENOMEM;
		/* check_vma_flags() without FOLL_FORCE */
		if (d.flags & LX_VM_SPECIAL)
			return -LX_EINVAL;
		if (write ? !(d.flags & LX_VM_WRITE) : !(d.flags & LX_VM_READ))
			return -LX_EINVAL;
		e = lx_madv_min(d.end, end);
		err = ops->fault(ctx, v, start, e, write);
		if (err)
			return err;
		start = e;
	}
	return 0;
}

/*
 * madvise_vma_behavior()'s refusals, before an advice touches a VMA with
 * flags @fl: 0, or -errno.  @anonymous: no file or shared object behind
 * it; @faulted: it has an anon_vma (a write fault happened).  A sealed
 * VMA (mseal) refuses the discarding advice where it is private
 * anonymous memory the program cannot write (can_madvise_modify()).
 */
static inline int lx_madv_vma_check(int adv, uint32_t fl, bool anonymous,
				    bool faulted)
{
	if (lx_madv_seal_denies(fl, anonymous, adv))
		return -LX_EPERM;
	switch (adv) {
	case LX_MADV_REMOVE:
		if (fl & LX_VM_LOCKED)
			return -LX_EINVAL;
		if (anonymous)
			return -LX_EINVAL;
		return (fl & LX_VM_SHARED) ? 0 : -LX_EACCES;
	case LX_MADV_COLD:
	case LX_MADV_PAGEOUT:
		return (fl & LX_VM_LOCKED) ? -LX_EINVAL : 0;
	case LX_MADV_FREE:
		return !anonymous || (fl & (LX_VM_LOCKED | LX_VM_SPECIAL))
			       ? -LX_EINVAL
			       : 0;
	case LX_MADV_DONTNEED:
		if (fl & LX_VM_LOCKED)
			return -LX_EINVAL;
		/* fall through */
	case LX_MADV_DONTNEED_LOCKED:
	case LX_MADV_GUARD_REMOVE:
		return (fl & LX_VM_SPECIAL) ? -LX_EINVAL : 0;
	case LX_MADV_GUARD_INSTALL:
		return (fl & (LX_VM_SPECIAL | LX_VM_LOCKED)) ? -LX_EINVAL : 0;
	case LX_MADV_COLLAPSE:
		/* thp_vma_allowable_order(): anonymous memory that has
		 * faulted (an anon_vma) */
		return !anonymous || !faulted ||
			       (fl & (LX_VM_NOHUGEPAGE | LX_VM_SPECIAL))
			       ? -LX_EINVAL
			       : 0;
	default:
		return 0;
	}
}

/*
 * madvise_vma_behavior(): @adv on [start, end) inside *@v, after the
 * refusals; the advice that only change flags change them here (a split
 * that fails, ENOMEM, is EAGAIN: madvise_update_vma()), the others go
 * to the model.
 */
static inline int lx_madv_behavior(const struct lx_madv_ops *ops, void *ctx,
				   void **v, uint64_t start, uint64_t end,
				   int adv)
{
	struct lx_madv_vma d;
	uint32_t fl;
	int err;

	ops->vma(*v, &d);
	err = lx_madv_vma_check(adv, d.flags, d.anonymous, d.faulted);
	if (err)
		return err;
	err = lx_madv_flags(adv, d.flags, !d.anonymous, &fl);
	if (err < 0)
		return err;
	if (err > 0)
		return ops->apply(ctx, v, start, end, adv);
	if (fl == d.flags)
		return 0;
	err = ops->modify(ctx, v, start, end, fl);
	return err == -LX_ENOMEM ? -LX_EAGAIN : err;
}

/* madvise_walk_vmas(): a hole does not stop the walk, an error does. */
static inline int lx_madv_walk(const struct lx_madv_ops *ops, void *ctx,
			       uint64_t start, uint64_t end, int adv)
{
	void *v = ops->find(ctx, start);
	int unmapped = 0, err;

	for (;;) {
		struct lx_madv_vma d;
		uint64_t e;

		if (!v)
			return -LX_ENOMEM;
		ops->vma(v, &d);
		if (start < d.start) {
			unmapped = -LX_ENOMEM;
			start = d.start;
			if (start >= end)
				break;
		}
		e = lx_madv_min(d.end, end);
		err = lx_madv_behavior(ops, ctx, &v, start, e, adv);
		if (err)
			return err;
		ops->vma(v, &d);
		if (e < d.end)
			e = d.end;
		if (e >= end)
			break;
		start = e;
		v = ops->find(ctx, d.end);
	}
	return unmapped;
}

/*
 * do_madvise() for a model: @known says whether the kernel knows @adv
 * (and is built with what it needs), @cap_sys_admin whether HWPOISON
 * and SOFT_OFFLINE are allowed (they then do nothing here).
 */
static inline int lx_madvise(const struct lx_madv_ops *ops, void *ctx,
			     uint64_t addr, uint64_t len, int adv, bool known,
			     bool cap_sys_admin)
{
	uint64_t plen;

	if (!known)
		return -LX_EINVAL;
	if (addr & (LX_PAGE_SIZE - 1))
		return -LX_EINVAL;
	plen = (len + LX_PAGE_SIZE - 1) & LX_PAGE_MASK;
	if (len && !plen)
		return -LX_EINVAL;
	if (addr + plen < addr)
		return -LX_EINVAL;
	if (!len)
		return 0;
	if (adv == LX_MADV_HWPOISON || adv == LX_MADV_SOFT_OFFLINE)
		return cap_sys_admin ? 0 : -LX_EPERM;
	if (adv == LX_MADV_POPULATE_READ || adv == LX_MADV_POPULATE_WRITE)
		return lx_madv_populate(ops, ctx, addr, addr + plen,
					adv == LX_MADV_POPULATE_WRITE);
	return lx_madv_walk(ops, ctx, addr, addr + plen, adv);
}

/*
 * msync(2) (mm/msync.c) over a model's VMAs (@ops's find and vma only):
 * msync changes nothing a model can see (private data is never written
 * anywhere, shared data already is), so it is all checks.  Bad flags, an
 * unaligned start and MS_SYNC|MS_ASYNC are EINVAL; a hole makes the
 * result ENOMEM, but only after the rest of the range was looked at,
 * where MS_INVALIDATE on a locked VMA is EBUSY.  With plain MS_ASYNC the
 * walk stops at the first hole.
 */
static inline int lx_msync(const struct lx_madv_ops *ops, void *ctx,
			   uint64_t addr, uint64_t len, int flags)
{
	uint64_t start = addr, end;
	struct lx_madv_vma d;
	int unmapped = 0;
	void *v;

	if (flags & ~(LX_MS_ASYNC | LX_MS_INVALIDATE | LX_MS_SYNC))
		return -LX_EINVAL;
	if (start & (LX_PAGE_SIZE - 1))
		return -LX_EINVAL;
	if ((flags & LX_MS_ASYNC) && (flags & LX_MS_SYNC))
		return -LX_EINVAL;
	len = (len + LX_PAGE_SIZE - 1) & LX_PAGE_MASK;
	end = start + len;
	if (end < start)
		return -LX_ENOMEM;
	if (end == start)
		return 0;
	v = ops->find(ctx, start);
	for (;;) {
		if (!v)
			return -LX_ENOMEM;
		ops->vma(v, &d);
		if (start < d.start) {
			if (flags == LX_MS_ASYNC)
				return -LX_ENOMEM;
			start = d.start;
			if (start >= end)
				return -LX_ENOMEM;
			unmapped = -LX_ENOMEM;
		}
		if ((flags & LX_MS_INVALIDATE) && (d.flags & LX_VM_LOCKED))
			return -LX_EBUSY;
		start = d.end;
		if (start >= end)
			return unmapped;
		v = ops->find(ctx, d.end);
	}
}

/*
 * mincore(2) (mm/mincore.c) over a model's VMAs (@ops's find and vma
 * only): the range must start page aligned (EINVAL) and end at or below
 * @task_size (access_ok(), ENOMEM); the pages are then reported VMA by
 * VMA, through @fill when there is one, up to the first hole, which is
 * ENOMEM with the vector filled up to it.
 */
static inline int lx_mincore(const struct lx_madv_ops *ops, void *ctx,
			     uint64_t addr, uint64_t len, uint64_t task_size,
			     void (*fill)(const void *vma, uint64_t start,
					  uint64_t end, uint8_t *vec),
			     uint8_t *vec)
{
	uint64_t npages, end;

	if (addr & (LX_PAGE_SIZE - 1))
		return -LX_EINVAL;
	if (addr + len < addr || addr + len > task_size)
		return -LX_ENOMEM;
	npages = (len >> LX_PAGE_SHIFT) + ((len & (LX_PAGE_SIZE - 1)) != 0);
	end = addr + (npages << LX_PAGE_SHIFT);
	while (addr < end) {
		void *v = ops->find(ctx, addr);
		struct lx_madv_vma d;
		uint64_t e;

		if (!v)
			return -LX_ENOMEM;
		ops->vma(v, &d);
		if (d.start > addr)
			return -LX_ENOMEM;
		e = lx_madv_min(d.end, end);
		if (fill && vec) {
			fill(v, addr, e, vec);
			vec += (e - addr) >> LX_PAGE_SHIFT;
		}
		addr = e;
	}
	return 0;
}

/*
 * MADV_COLLAPSE's range inside a VMA [vstart, vend): 0 with the whole
 * 2 MiB blocks of [start, end) in [*h, *hend), each of which must hold
 * a present page, or -EINVAL when the VMA cannot hold an aligned block.
 * Linux 6.18 counts (hend - hstart) blocks unsigned: a range inside one
 * block makes that huge, so it cannot all be collapsed (EINVAL too).
 */
static inline int lx_madv_collapse_range(uint64_t vstart, uint64_t vend,
					 uint64_t start, uint64_t end,
					 uint64_t *h, uint64_t *hend)
{
	uint64_t last = (vend - LX_PMD_SIZE) & ~(LX_PMD_SIZE - 1);

	*h = (start + LX_PMD_SIZE - 1) & ~(LX_PMD_SIZE - 1);
	*hend = end & ~(LX_PMD_SIZE - 1);
	if (vend - vstart < LX_PMD_SIZE || last < vstart)
		return -LX_EINVAL;
	return *h > *hend ? -LX_EINVAL : 0;
}

#endif
