/*
 * px_mremap - mremap(2), after mm/mremap.c of Linux 6.17/6.18, for the
 * reference model.  The checks and the choice between the shapes of the
 * call are abi/lx_mremap.h's, shared with the window policies; this file
 * shows it the model's VMAs and moves and grows them with their pages.
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
#include "abi/lx_mremap.h"

#include <stdlib.h>

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

/* copy_vma_and_data(): place a copy of the moved part at new_addr and
 * carry the pages of [addr, addr + old_len) over. */
static int copy_vma(struct px_space *s, struct lx_vrm *r, struct px_vma **out)
{
	struct px_vma *v = r->vma, *n = px_vma_alloc();
	uint64_t lo = px_vma_pgoff_at(v, r->addr);
	uint64_t hi = lo + (r->old_len >> PX_SHIFT), pgoff;
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
	pgoff = lx_mremap_copy_pgoff(lo, px_vma_anonymous(v) && !v->anon,
				     r->new_addr);
	if (pgoff != lo)
		pxp_shift(&mid, pgoff > lo ? pgoff - lo : lo - pgoff,
			  pgoff > lo);
	n->start = r->new_addr;
	n->end = r->new_addr + r->new_len;
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
static int move_vma(void *ctx, struct lx_vrm *r)
{
	struct px_space *s = ctx;
	struct px_vma *v = r->vma, *n, *src;
	uint64_t charged;
	int err;

	if (!lx_mremap_move_room(s->map_count, s->cfg.max_map_count))
		return -LX_ENOMEM;
	if (v->flags & LX_VM_ACCOUNT) {
		charged = (r->flags & LX_MREMAP_DONTUNMAP) ? r->new_len
							   : r->delta;
		if (!px_commit_ok(s, charged >> PX_SHIFT))
			return -LX_ENOMEM;
	}
	err = copy_vma(s, r, &n);
	if (err)
		return err;
	src = lookup(s, r->addr);
	if (r->flags & LX_MREMAP_DONTUNMAP) {
		/* dontunmap_complete() */
		if (src) {
			px_vma_set_flags(s, src, src->flags & ~LX_VM_LOCKED_MASK);
			if (src != n && src->start == r->addr &&
			    src->end == r->addr + r->old_len) {
				src->anon = 0;
				src->forked = false;
			}
			src->unmerged = true;
		}
	} else {
		/* A failure (a split, or old_len 0) leaves the source. */
		(void)do_munmap(s, r->addr, r->old_len);
	}
	return 0;
}

/* vma_expandable() */
static bool expandable(void *ctx, void *vma, uint64_t delta)
{
	struct px_space *s = ctx;
	struct px_vma *v = vma;
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
static int expand_in_place(void *ctx, struct lx_vrm *r)
{
	struct px_space *s = ctx;
	struct px_vma *v = r->vma, *n;
	struct px_cand a, b;

	if ((v->flags & LX_VM_ACCOUNT) && !px_commit_ok(s, r->delta >> PX_SHIFT))
		return -LX_ENOMEM;
	px_vma_unlink(s, v);
	v->end += r->delta;
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

static void *find(void *ctx, uint64_t addr)
{
	return pxt_find(&((struct px_space *)ctx)->tree, addr);
}

static void vma(const void *p, uint64_t addr, struct lx_mremap_vma *out)
{
	const struct px_vma *v = p;

	*out = (struct lx_mremap_vma){.start = v->start,
				      .end = v->end,
				      .flags = v->flags,
				      .pgoff_at = px_vma_pgoff_at(v, addr)};
}

static bool mlock_ok(const void *ctx, bool locked, uint64_t bytes)
{
	return px_mlock_future_ok(ctx, locked, bytes);
}

static int unmap(void *ctx, uint64_t start, uint64_t len)
{
	return do_munmap(ctx, start, len);
}

/* vrm_set_new_addr(): get_unmapped_area for the moved VMA */
static int get_area(void *ctx, const void *vma, uint64_t addr, uint64_t len,
		    uint64_t pgoff, int flags, uint64_t *out)
{
	const struct px_vma *v = vma;

	return px_get_area(ctx, v->obj, v->obj != NULL, addr, len, pgoff,
			   flags, out);
}

static void populate(void *ctx, uint64_t start, uint64_t end)
{
	px_populate(ctx, start, end, true);
}

static const struct lx_mremap_ops ops = {
	.find = find, .vma = vma, .mlock_ok = mlock_ok, .unmap = unmap,
	.get_area = get_area, .expandable = expandable,
	.expand = expand_in_place, .move = move_vma, .populate = populate};

/*
 * px_mremap - mremap(2).  *out receives the (possibly new) address.
 */
int px_mremap(struct px_space *s, uint64_t old_addr, uint64_t old_len,
	      uint64_t new_len, int flags, uint64_t new_addr, uint64_t *out)
{
	return lx_mremap(&ops, s, old_addr, old_len, new_len, flags, new_addr,
			 s->cfg.task_size, out);
}
