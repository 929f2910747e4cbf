/*
 * lx_mremap.h - mremap(2) as mm/mremap.c (Linux 6.17/6.18) has it, for
 * every model of a Linux address space: the argument checks
 * (check_mremap_params(), check_prep_vma()) and the choice between the
 * shapes of the call.  The Linux reference model (sim/posix/px_mremap.c)
 * and the window policies (sim/policy/win_remap.c) both run mremap
 * through it and supply only what differs: what a VMA is, where a moved
 * one may go, and how a VMA grows in place or moves with its pages.
 *
 * ALGORITHM
 *
 * The lengths are rounded up to pages, then:
 *  - same size, no MREMAP_FIXED/DONTUNMAP: returns old_address untouched;
 *  - shrink in place: unmaps the tail, which may span several VMAs;
 *  - grow in place when the range ends its VMA and the pages above are
 *    free (the model's expandable);
 *  - otherwise, with MREMAP_MAYMOVE, a move (the model's move) to an
 *    address get_unmapped_area chooses, or to new_address with
 *    MREMAP_FIXED (which unmaps what was there first) or
 *    MREMAP_DONTUNMAP; a shrink that moves unmaps the tail first;
 *  - MREMAP_FIXED with equal sizes moves every VMA in the range, keeping
 *    the holes between them (6.17); the first must start at old_address.
 * Errors come in the kernel's order; a later failure leaves the earlier
 * effects (the destination already unmapped, earlier VMAs moved).  A VMA
 * that was locked and grew has its new part faulted in.
 *
 * INVARIANTS
 *
 *   Header-only and free of state: the caller's VMAs change only
 *   through its own callbacks, in the order Linux changes them.  Like
 *   lx_vm.h it depends on nothing but the Linux constants, so that
 *   Genode's libc builds the window policies with it unchanged.
 */
#ifndef RMSIM_ABI_LX_MREMAP_H
#define RMSIM_ABI_LX_MREMAP_H

#include <stdbool.h>
#include <stdint.h>

#include "abi/lx_vm.h"
#include "rmsim/abi.h"

/* mremap: what a resize is (remap_type()). */
enum lx_remap_type { LX_REMAP_NO_RESIZE, LX_REMAP_SHRINK, LX_REMAP_EXPAND };

static inline enum lx_remap_type lx_remap_type(uint64_t old_len,
					       uint64_t new_len)
{
	if (old_len == new_len)
		return LX_REMAP_NO_RESIZE;
	return old_len > new_len ? LX_REMAP_SHRINK : LX_REMAP_EXPAND;
}

/* vrm_implies_new_addr(): the result lands at new_addr. */
static inline bool lx_remap_implies_new_addr(int flags)
{
	return flags & (LX_MREMAP_FIXED | LX_MREMAP_DONTUNMAP);
}

/*
 * check_mremap_params(), lengths already page-aligned: 0 or -EINVAL.
 * @task is the task size.
 */
static inline int lx_mremap_check_params(uint64_t old_addr, uint64_t old_len,
					 uint64_t new_len, int flags,
					 uint64_t new_addr, uint64_t task)
{
	if (flags &
	    ~(LX_MREMAP_FIXED | LX_MREMAP_MAYMOVE | LX_MREMAP_DONTUNMAP))
		return -LX_EINVAL;
	if (old_addr & (LX_PAGE_SIZE - 1))
		return -LX_EINVAL;
	if (!new_len || new_len > task)
		return -LX_EINVAL;
	if (!lx_remap_implies_new_addr(flags))
		return 0;
	if (new_addr > task - new_len || (new_addr & (LX_PAGE_SIZE - 1)))
		return -LX_EINVAL;
	if (!(flags & LX_MREMAP_MAYMOVE))
		return -LX_EINVAL;
	if ((flags & LX_MREMAP_DONTUNMAP) && old_len != new_len)
		return -LX_EINVAL;
	/* the ranges may not overlap */
	if (old_addr + old_len > new_addr && new_addr + new_len > old_addr)
		return -LX_EINVAL;
	return 0;
}

/* An mremap request as the kernel's struct vma_remap_struct holds it. */
struct lx_vrm {
	uint64_t addr, old_len, new_len, new_addr, delta;
	int flags;
	bool populate_expand; /* a locked VMA grew: populate the rest */
	void *vma;	      /* the model's VMA containing addr */
};

/* What check_prep_vma() looks at of the VMA at addr. */
struct lx_vma_facts {
	uint32_t flags;
	uint64_t end;
	uint64_t pgoff_at_addr; /* page offset of addr in its object */
};

/*
 * check_prep_vma(): @v is the VMA containing r->addr, or NULL; @mlock_ok
 * answers mlock_future_ok(locked, bytes) for the caller's address space.
 * Sets r->delta, r->populate_expand and, unless a new address is implied,
 * r->new_addr.  0 or -errno.
 */
static inline int lx_mremap_check_prep(
	struct lx_vrm *r, const struct lx_vma_facts *v,
	bool (*mlock_ok)(const void *ctx, bool locked, uint64_t bytes),
	const void *ctx)
{
	uint64_t old_len = r->old_len, new_len = r->new_len;
	enum lx_remap_type type = lx_remap_type(old_len, new_len);
	bool new_addr = lx_remap_implies_new_addr(r->flags);

	if (!v)
		return -LX_EFAULT;
	/* a sealed VMA is neither moved nor resized */
	if (v->flags & LX_VM_SEALED)
		return -LX_EPERM;
	r->delta = old_len > new_len ? old_len - new_len : new_len - old_len;
	if (!new_addr)
		r->new_addr = r->addr;
	if (type != LX_REMAP_EXPAND && !new_addr)
		return 0;
	if (!old_len && !(v->flags & LX_VM_SHARED))
		return -LX_EINVAL;
	if ((r->flags & LX_MREMAP_DONTUNMAP) && (v->flags & LX_VM_SPECIAL))
		return -LX_EINVAL;
	if (type == LX_REMAP_SHRINK)
		old_len = new_len;
	if (old_len > v->end - r->addr)
		return -LX_EFAULT;
	if (new_len == old_len)
		return 0;
	if (v->flags & LX_VM_LOCKED)
		r->populate_expand = true;
	if (v->pgoff_at_addr + (new_len >> LX_PAGE_SHIFT) < v->pgoff_at_addr)
		return -LX_EINVAL;
	if (v->flags & LX_VM_SPECIAL)
		return -LX_EFAULT;
	if (!mlock_ok(ctx, v->flags & LX_VM_LOCKED, r->delta))
		return -LX_EAGAIN;
	return 0;
}

/* vrm_set_new_addr(): the get_unmapped_area() flags for the moved VMA,
 * whose flags are @vm_flags. */
static inline int lx_mremap_area_flags(int flags, uint32_t vm_flags)
{
	int f = 0;

	if (flags & LX_MREMAP_FIXED)
		f |= LX_MAP_FIXED;
	if (vm_flags & LX_VM_SHARED)
		f |= LX_MAP_SHARED;
	return f;
}

/* copy_vma(): the page offset of the copy at @new_addr of a VMA whose
 * moved part starts at @pgoff.  Anonymous memory that never faulted
 * (@unfaulted_anon) takes its new address, which lets it merge there. */
static inline uint64_t lx_mremap_copy_pgoff(uint64_t pgoff, bool unfaulted_anon,
					    uint64_t new_addr)
{
	return unfaulted_anon ? new_addr >> LX_PAGE_SHIFT : pgoff;
}

/* prep_move_vma(): the copy and a split of the source need room under
 * vm.max_map_count. */
static inline bool lx_mremap_move_room(uint64_t map_count,
				       uint64_t max_map_count)
{
	return map_count + 3 < max_map_count;
}

/* What mremap looks at in a VMA. */
struct lx_mremap_vma {
	uint64_t start, end;
	uint32_t flags;	   /* LX_VM_* */
	uint64_t pgoff_at; /* page offset of the address asked for */
};

/* What the frame needs of a model; @ctx is the model's. */
struct lx_mremap_ops {
	/* The first VMA that ends above @addr, or NULL. */
	void *(*find)(void *ctx, uint64_t addr);
	/* @vma as mremap sees it, pgoff_at for @addr inside it. */
	void (*vma)(const void *vma, uint64_t addr, struct lx_mremap_vma *out);
	/* mlock_future_ok() */
	bool (*mlock_ok)(const void *ctx, bool locked, uint64_t bytes);
	/* May a VMA be placed at [addr, addr + len) at all (MREMAP_FIXED)?
	 * NULL: anywhere in user space. */
	bool (*target_ok)(const void *ctx, uint64_t addr, uint64_t len);
	/* do_vmi_munmap() of [start, start + len): 0 or -errno. */
	int (*unmap)(void *ctx, uint64_t start, uint64_t len);
	/* get_unmapped_area() for @len bytes of @vma from its page @pgoff,
	 * at or near @addr (MAP_FIXED, MAP_SHARED in @flags): 0 with the
	 * address in *@out, or -errno. */
	int (*get_area)(void *ctx, const void *vma, uint64_t addr, uint64_t len,
			uint64_t pgoff, int flags, uint64_t *out);
	/* vma_expandable(): may @vma grow by @delta in place? */
	bool (*expandable)(void *ctx, void *vma, uint64_t delta);
	/* expand_vma_in_place(): r->vma grows by r->delta.  0 or -errno. */
	int (*expand)(void *ctx, struct lx_vrm *r);
	/* move_vma(): [addr, addr + old_len) of r->vma to r->new_addr,
	 * new_len long, then the source unmapped (or, MREMAP_DONTUNMAP,
	 * left mapped and empty).  0 or -errno. */
	int (*move)(void *ctx, struct lx_vrm *r);
	/* __mm_populate() of [start, end), errors ignored. */
	void (*populate)(void *ctx, uint64_t start, uint64_t end);
};

/* vma_lookup(): the VMA containing @addr, or NULL. */
static inline void *lx_mremap_lookup(const struct lx_mremap_ops *ops, void *ctx,
				     uint64_t addr)
{
	void *v = ops->find(ctx, addr);
	struct lx_mremap_vma d;

	if (!v)
		return NULL;
	ops->vma(v, addr, &d);
	return d.start <= addr ? v : NULL;
}

/* check_prep_vma() on r->vma */
static inline int lx_mremap_prep(const struct lx_mremap_ops *ops, void *ctx,
				 struct lx_vrm *r)
{
	struct lx_mremap_vma d;
	struct lx_vma_facts f;

	if (!r->vma)
		return lx_mremap_check_prep(r, NULL, ops->mlock_ok, ctx);
	ops->vma(r->vma, r->addr, &d);
	f = (struct lx_vma_facts){d.flags, d.end, d.pgoff_at};
	return lx_mremap_check_prep(r, &f, ops->mlock_ok, ctx);
}

/* vrm_set_new_addr() */
static inline int lx_mremap_set_new_addr(const struct lx_mremap_ops *ops,
					 void *ctx, struct lx_vrm *r)
{
	struct lx_mremap_vma d;

	ops->vma(r->vma, r->addr, &d);
	return ops->get_area(
		ctx, r->vma,
		lx_remap_implies_new_addr(r->flags) ? r->new_addr : 0,
		r->new_len, d.pgoff_at, lx_mremap_area_flags(r->flags, d.flags),
		&r->new_addr);
}

/* mremap_to(): MREMAP_FIXED and/or MREMAP_DONTUNMAP */
static inline int lx_mremap_to(const struct lx_mremap_ops *ops, void *ctx,
			       struct lx_vrm *r)
{
	int err;

	if (r->flags & LX_MREMAP_FIXED) {
		err = ops->unmap(ctx, r->new_addr, r->new_len);
		if (err)
			return err;
		r->vma = lx_mremap_lookup(ops, ctx, r->addr);
		if (!r->vma)
			return -LX_EFAULT;
	}
	if (lx_remap_type(r->old_len, r->new_len) == LX_REMAP_SHRINK) {
		err = ops->unmap(ctx, r->addr + r->new_len, r->delta);
		if (err)
			return err;
		r->vma = lx_mremap_lookup(ops, ctx, r->addr);
		if (!r->vma)
			return -LX_EFAULT;
		r->old_len = r->new_len;
	}
	err = lx_mremap_set_new_addr(ops, ctx, r);
	if (err)
		return err;
	return ops->move(ctx, r);
}

/* mremap_at(): no new address was asked for. */
static inline int lx_mremap_at(const struct lx_mremap_ops *ops, void *ctx,
			       struct lx_vrm *r)
{
	struct lx_mremap_vma d;
	int err;

	switch (lx_remap_type(r->old_len, r->new_len)) {
	case LX_REMAP_NO_RESIZE:
		return 0;
	case LX_REMAP_SHRINK:
		return ops->unmap(ctx, r->addr + r->new_len, r->delta);
	default:
		break;
	}
	ops->vma(r->vma, r->addr, &d);
	if (d.end - r->addr == r->old_len &&
	    ops->expandable(ctx, r->vma, r->delta))
		return ops->expand(ctx, r);
	if (!(r->flags & LX_MREMAP_MAYMOVE))
		return -LX_ENOMEM;
	err = lx_mremap_set_new_addr(ops, ctx, r);
	if (err)
		return err;
	return ops->move(ctx, r);
}

/* remap_move(): MREMAP_FIXED with equal sizes, VMA by VMA.  *@res is
 * where the first one went. */
static inline int lx_mremap_move_each(const struct lx_mremap_ops *ops,
				      void *ctx, const struct lx_vrm *r,
				      uint64_t *res)
{
	uint64_t start = r->addr, end = r->addr + r->old_len;
	uint64_t target = r->new_addr, last_end = 0;
	void *v = ops->find(ctx, start);
	bool seen = false;
	int err;

	*res = 0;
	while (v) {
		struct lx_mremap_vma d;
		uint64_t a, b, offset;
		struct lx_vrm sub;

		ops->vma(v, start, &d);
		if (d.start >= end)
			break;
		a = d.start > start ? d.start : start;
		b = d.end < end ? d.end : end;
		offset = seen ? d.start - last_end : 0;
		sub = (struct lx_vrm){.addr = a,
				      .old_len = b - a,
				      .new_len = b - a,
				      .flags = r->flags,
				      .vma = v};
		if (!seen && start < d.start)
			return -LX_EFAULT;
		last_end = d.end;
		sub.new_addr = target + offset;
		err = lx_mremap_prep(ops, ctx, &sub);
		if (!err)
			err = lx_mremap_to(ops, ctx, &sub);
		if (err)
			return err;
		if (!seen)
			*res = sub.new_addr;
		seen = true;
		target = sub.new_addr + sub.new_len;
		v = ops->find(ctx, last_end);
	}
	return seen ? 0 : -LX_EFAULT;
}

/*
 * mremap(2) on a model whose user space ends at @task: 0 with the
 * (possibly new) address in *@out, or -errno.
 */
static inline int lx_mremap(const struct lx_mremap_ops *ops, void *ctx,
			    uint64_t old_addr, uint64_t old_len,
			    uint64_t new_len, int flags, uint64_t new_addr,
			    uint64_t task, uint64_t *out)
{
	struct lx_vrm r = {
		.addr = old_addr,
		.old_len = (old_len + LX_PAGE_SIZE - 1) & LX_PAGE_MASK,
		.new_len = (new_len + LX_PAGE_SIZE - 1) & LX_PAGE_MASK,
		.flags = flags,
		.new_addr = new_addr};
	int err;

	err = lx_mremap_check_params(old_addr, r.old_len, r.new_len, flags,
				     new_addr, task);
	if (err)
		return err;
	if ((flags & LX_MREMAP_FIXED) && ops->target_ok &&
	    !ops->target_ok(ctx, new_addr, r.new_len))
		return -LX_ENOMEM;
	if ((flags & LX_MREMAP_FIXED) && r.old_len == r.new_len)
		return lx_mremap_move_each(ops, ctx, &r, out);
	r.vma = lx_mremap_lookup(ops, ctx, old_addr);
	err = lx_mremap_prep(ops, ctx, &r);
	if (!err)
		err = lx_remap_implies_new_addr(flags)
			      ? lx_mremap_to(ops, ctx, &r)
			      : lx_mremap_at(ops, ctx, &r);
	if (err)
		return err;
	if (r.populate_expand)
		ops->populate(ctx, r.new_addr + r.old_len,
			      r.new_addr + r.old_len + r.delta);
	*out = r.new_addr;
	return 0;
}

#endif
