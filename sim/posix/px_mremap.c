/*
 * px_mremap - mremap(2), after mm/mremap.c of Linux 6.17/6.18.
 *
 * Shapes of the call, as the kernel sorts them:
 *  - same size, no MREMAP_FIXED/DONTUNMAP: returns old_address untouched;
 *  - shrink in place: unmaps the tail, which may span several VMAs;
 *  - grow in place when the range ends its VMA and the pages above are
 *    free; the grown VMA then merges with a compatible one above;
 *  - otherwise, with MREMAP_MAYMOVE, a move: a copy of the VMA is placed
 *    (and merged) at the new address, the pages go with it and the source
 *    is unmapped, or with MREMAP_DONTUNMAP stays mapped but empty (its
 *    mlock is cleared, and its anon_vma too when all of it moved);
 *  - MREMAP_FIXED with equal sizes moves every VMA in the range, keeping
 *    the holes between them (6.17); the first must start at old_address.
 * Errors come in the kernel's order; a later failure leaves the earlier
 * effects (the destination already unmapped, earlier VMAs moved).
 *
 * An old_len of 0 on a shared mapping creates a second mapping of the
 * same object (the DOS-emulator duplicate); without MREMAP_MAYMOVE that
 * is ENOMEM, as growing in place is impossible, and on a private mapping
 * EINVAL.
 */
#include "px_internal.h"

#include <stdlib.h>

struct vrm {
	struct lx_vrm a;	/* the request, as Linux sees it */
	struct px_vma *vma;
};

static enum lx_remap_type remap_type(const struct vrm *r)
{
	return lx_remap_type(r->a.old_len, r->a.new_len);
}

static bool implies_new_addr(const struct vrm *r)
{
	return lx_remap_implies_new_addr(r->a.flags);
}

/* do_vmi_munmap(), with its argument checks: a shrink by a huge old_len
 * fails here, as the kernel's does. */
static int do_munmap(struct px_space *s, uint64_t start, uint64_t len)
{
	uint64_t task = s->cfg.task_size;

	if ((start & (PX_PAGE - 1)) || start > task || len > task - start)
		return -LX_EINVAL;
	if (!PX_PAGE_ALIGN(len))
		return -LX_EINVAL;
	return px_unmap(s, start, start + PX_PAGE_ALIGN(len), true);
}

/* The VMA containing addr (vma_lookup), or NULL. */
static struct px_vma *lookup(struct px_space *s, uint64_t addr)
{
	struct px_vma *v = pxt_find(&s->tree, addr);

	return v && v->start <= addr ? v : NULL;
}

/* check_prep_vma() */
static bool mlock_ok(const void *ctx, bool locked, uint64_t bytes)
{
	return px_mlock_future_ok(ctx, locked, bytes);
}

static int check_prep(struct px_space *s, struct vrm *r)
{
	struct px_vma *v = r->vma;
	struct lx_vma_facts f;

	if (v)
		f = (struct lx_vma_facts){v->flags, v->end,
					  px_vma_pgoff_at(v, r->a.addr)};
	return lx_mremap_check_prep(&r->a, v ? &f : NULL, mlock_ok, s);
}

/* vrm_set_new_addr(): get_unmapped_area for the moved VMA. */
static int set_new_addr(struct px_space *s, struct vrm *r)
{
	struct px_vma *v = r->vma;
	int flags = 0;

	if (r->a.flags & LX_MREMAP_FIXED)
		flags |= LX_MAP_FIXED;
	if (v->flags & LX_VM_SHARED)
		flags |= LX_MAP_SHARED;
	return px_get_area(s, v->obj, v->obj != NULL,
			   implies_new_addr(r) ? r->a.new_addr : 0, r->a.new_len,
			   px_vma_pgoff_at(v, r->a.addr), flags, &r->a.new_addr);
}

/* copy_vma_and_data(): place a copy of the moved part at new_addr and
 * carry the pages of [addr, addr + old_len) over. */
static int copy_vma(struct px_space *s, struct vrm *r, struct px_vma **out)
{
	struct px_vma *v = r->vma, *n = px_vma_alloc();
	uint64_t lo = px_vma_pgoff_at(v, r->a.addr);
	uint64_t hi = lo + (r->a.old_len >> PX_SHIFT), pgoff = lo;
	struct pxp_map mid, tail;
	int err;

	if (!n)
		return -LX_ENOMEM;
	pxp_init(&mid);
	pxp_init(&tail);
	err = pxp_split(&v->pages, lo, &mid);
	if (!err) {
		err = pxp_split(&mid, hi, &tail);
		pxp_join(&v->pages, &tail);
	}
	if (err) {
		pxp_join(&v->pages, &mid);
		free(n);
		return err;
	}
	/* An anonymous VMA that never faulted may take its new address as
	 * page offset, which lets it merge there. */
	if (px_vma_anonymous(v) && !v->anon)
		pgoff = r->a.new_addr >> PX_SHIFT;
	if (pgoff != lo)
		pxp_shift(&mid, pgoff > lo ? pgoff - lo : lo - pgoff,
			  pgoff > lo);
	n->start = r->a.new_addr;
	n->end = r->a.new_addr + r->a.new_len;
	n->pgoff = pgoff;
	n->flags = v->flags;
	n->obj = px_obj_get(v->obj);
	n->anon = v->anon;
	n->forked = v->forked;
	n->inherited = v->inherited;
	n->pages = mid;
	px_vma_link(s, n);
	*out = px_merge_new(s, n, false);
	return 0;
}

/* move_vma() */
static int move_vma(struct px_space *s, struct vrm *r)
{
	struct px_vma *v = r->vma, *n, *src;
	uint64_t charged;
	int err;

	/* prep_move_vma(): a copy plus a split of the source need room */
	if (s->map_count + 3 >= s->cfg.max_map_count)
		return -LX_ENOMEM;
	if (v->flags & LX_VM_ACCOUNT) {
		charged = (r->a.flags & LX_MREMAP_DONTUNMAP) ? r->a.new_len
							   : r->a.delta;
		if (!px_commit_ok(s, charged >> PX_SHIFT))
			return -LX_ENOMEM;
	}
	err = copy_vma(s, r, &n);
	if (err)
		return err;
	src = lookup(s, r->a.addr);
	if (r->a.flags & LX_MREMAP_DONTUNMAP) {
		/* dontunmap_complete() */
		if (src) {
			px_vma_set_flags(s, src, src->flags & ~LX_VM_LOCKED_MASK);
			if (src != n && src->start == r->a.addr &&
			    src->end == r->a.addr + r->a.old_len) {
				src->anon = 0;
				src->forked = false;
			}
			src->unmerged = true;
		}
	} else {
		/* A failure (a split, or old_len 0) leaves the source. */
		(void)do_munmap(s, r->a.addr, r->a.old_len);
	}
	return 0;
}

/* mremap_to(): MREMAP_FIXED and/or MREMAP_DONTUNMAP */
static int mremap_to(struct px_space *s, struct vrm *r)
{
	int err;

	if (r->a.flags & LX_MREMAP_FIXED) {
		err = do_munmap(s, r->a.new_addr, r->a.new_len);
		if (err)
			return err;
		r->vma = lookup(s, r->a.addr);
		if (!r->vma)
			return -LX_EFAULT;
	}
	if (remap_type(r) == LX_REMAP_SHRINK) {
		err = do_munmap(s, r->a.addr + r->a.new_len, r->a.delta);
		if (err)
			return err;
		r->vma = lookup(s, r->a.addr);
		if (!r->vma)
			return -LX_EFAULT;
		r->a.old_len = r->a.new_len;
	}
	err = set_new_addr(s, r);
	if (err)
		return err;
	return move_vma(s, r);
}

/* vma_expandable() */
static bool expandable(struct px_space *s, struct px_vma *v, uint64_t delta)
{
	uint64_t end = v->end + delta, a;
	struct px_vma *n;

	if (end < v->end)
		return false;
	n = pxt_find(&s->tree, v->end);
	if (n && n->start < end)
		return false;
	return !px_get_area(s, NULL, false, v->start, end - v->start, 0,
			    LX_MAP_FIXED, &a);
}

/* expand_vma_in_place(): grow v by delta and merge it with the VMA above
 * if that one now touches it and is compatible (vma_merge_extend). */
static int expand_in_place(struct px_space *s, struct vrm *r)
{
	struct px_vma *v = r->vma, *n;
	struct px_cand a, b;

	if ((v->flags & LX_VM_ACCOUNT) && !px_commit_ok(s, r->a.delta >> PX_SHIFT))
		return -LX_ENOMEM;
	px_vma_unlink(s, v);
	v->end += r->a.delta;
	px_vma_link(s, v);
	n = pxt_next(v);
	if (n) {
		px_cand_of(&a, v);
		px_cand_of(&b, n);
		if (px_can_merge(&a, &b))
			px_vma_merge(s, v, n);
	}
	return 0;
}

/* mremap_at(): no new address was asked for. */
static int mremap_at(struct px_space *s, struct vrm *r)
{
	int err;

	switch (remap_type(r)) {
	case LX_REMAP_NO_RESIZE:
		return 0;
	case LX_REMAP_SHRINK:
		return do_munmap(s, r->a.addr + r->a.new_len, r->a.delta);
	default:
		break;
	}
	if (r->vma->end - r->a.addr == r->a.old_len &&
	    expandable(s, r->vma, r->a.delta))
		return expand_in_place(s, r);
	if (!(r->a.flags & LX_MREMAP_MAYMOVE))
		return -LX_ENOMEM;
	err = set_new_addr(s, r);
	if (err)
		return err;
	return move_vma(s, r);
}

/* remap_move(): MREMAP_FIXED with equal sizes, VMA by VMA. */
static int remap_move(struct px_space *s, struct vrm *r, uint64_t *res)
{
	uint64_t start = r->a.addr, end = r->a.addr + r->a.old_len;
	uint64_t target = r->a.new_addr, last_end = 0;
	struct px_vma *v = pxt_find(&s->tree, start);
	bool seen = false;
	int err;

	*res = 0;
	while (v && v->start < end) {
		uint64_t a = v->start > start ? v->start : start;
		uint64_t b = v->end < end ? v->end : end;
		uint64_t offset = seen ? v->start - last_end : 0;
		struct vrm sub = {.a = {.addr = a,
					 .old_len = b - a,
					 .new_len = b - a,
					 .flags = r->a.flags},
				  .vma = v};

		if (!seen && start < v->start)
			return -LX_EFAULT;
		last_end = v->end;
		sub.a.new_addr = target + offset;
		err = check_prep(s, &sub);
		if (!err)
			err = mremap_to(s, &sub);
		if (err)
			return err;
		if (!seen)
			*res = sub.a.new_addr;
		seen = true;
		target = sub.a.new_addr + sub.a.new_len;
		v = pxt_find(&s->tree, last_end);
	}
	return seen ? 0 : -LX_EFAULT;
}

/*
 * px_mremap - mremap(2).  *out receives the (possibly new) address.
 */
int px_mremap(struct px_space *s, uint64_t old_addr, uint64_t old_len,
	      uint64_t new_len, int flags, uint64_t new_addr, uint64_t *out)
{
	struct vrm r = {.a = {.addr = old_addr,
			.old_len = PX_PAGE_ALIGN(old_len),
			.new_len = PX_PAGE_ALIGN(new_len),
			.flags = flags,
			.new_addr = new_addr}};
	uint64_t task = s->cfg.task_size;
	int err;

	err = lx_mremap_check_params(old_addr, r.a.old_len, r.a.new_len, flags,
				     new_addr, task);
	if (err)
		return err;

	if ((flags & LX_MREMAP_FIXED) && r.a.old_len == r.a.new_len) {
		err = remap_move(s, &r, out);
		return err;
	}
	r.vma = lookup(s, old_addr);
	err = check_prep(s, &r);
	if (!err)
		err = implies_new_addr(&r) ? mremap_to(s, &r)
					   : mremap_at(s, &r);
	if (err)
		return err;
	if (r.a.populate_expand)
		px_populate(s, r.a.new_addr + r.a.old_len,
			    r.a.new_addr + r.a.old_len + r.a.delta, true);
	*out = r.a.new_addr;
	return 0;
}
