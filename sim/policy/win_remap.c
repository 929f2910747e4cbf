/*
 * win_remap.c - mremap inside the window.
 *
 * ALGORITHM
 *
 * Linux's mm/mremap.c, as abi/lx_mremap.h has it for the reference
 * model too (its checks and the choice between the shapes of the call;
 * this file shows it the window's VMAs and moves them): shrink in place, grow in place where the pages after the VMA are free and in
 * the window, else move (MREMAP_MAYMOVE, MREMAP_FIXED, MREMAP_DONTUNMAP).
 * A move copies the VMA to its new place and moves the backing along
 * (wc_back_move: attachments, contents and all), then unmaps the source
 * or leaves it mapped and empty (DONTUNMAP).  MREMAP_FIXED with equal
 * sizes moves VMA by VMA (6.17).  Every new address must lie inside the
 * window.
 *
 * INVARIANTS
 *
 *   Those of win_core.c hold after every call; a move never leaves the
 *   backing of the old range behind.
 */
#include "win_core.h"
#include "abi/lx_mremap.h"

/* copy_vma_and_data(): a copy of the moved part at new_addr, its
 * backing moved along */
static struct wc_vma *copy_vma(struct wc *w, struct lx_vrm *r)
{
	struct wc_vma *v = r->vma, *n;
	uint64_t pgoff = wc_vma_pgoff_at(v, r->addr);

	pgoff = lx_mremap_copy_pgoff(pgoff, !v->obj && !v->anon, r->new_addr);
	n = wc_vma_new(w, r->new_addr, r->new_addr + r->new_len, v->flags,
		       pgoff, v->obj);
	if (!n)
		return NULL;
	n->anon = v->anon;
	if (r->old_len)
		wc_back_move(w, r->addr, r->old_len, r->new_addr);
	return wc_merge_new(w, n, false);
}

/* move_vma() */
static int move_vma(void *ctx, struct lx_vrm *r)
{
	struct wc *w = ctx;
	struct wc_vma *n, *src;
	uint64_t src_start = r->addr, src_end = r->addr + r->old_len;

	if (!lx_mremap_move_room(w->map_count, w->max_map_count))
		return -LX_ENOMEM;
	n = copy_vma(w, r);
	if (!n)
		return -LX_ENOMEM;
	src = wc_vma_at(w, r->addr);
	if (r->flags & LX_MREMAP_DONTUNMAP) {
		if (src) {
			wc_vma_set_flags(w, src,
					 src->flags & ~LX_VM_LOCKED_MASK);
			if (src != n && src->n.start == r->addr &&
			    src->n.end == r->addr + r->old_len)
				src->anon = 0;
		}
		/* the source stays mapped, empty (private) or showing its
		 * object again (shared) */
		wc_follow(w, src_start, src_end);
	} else if (r->old_len) {
		wc_unmap(w, src_start, src_end, true);
	}
	/* the grown part: objects (or nothing past them), fresh RAM */
	return wc_follow(w, r->new_addr, r->new_addr + r->new_len);
}

/* vma_expandable() */
static bool expandable(void *ctx, void *vma, uint64_t delta)
{
	struct wc *w = ctx;
	struct wc_vma *v = vma;
	uint64_t end = v->n.end + delta, a;
	struct wc_vma *n;

	if (end < v->n.end)
		return false;
	n = wc_vma_find(w, v->n.end);
	if (n && n->n.start < end)
		return false;
	if (wc_get_area(w, v->n.start, end - v->n.start, false, LX_MAP_FIXED,
			&a))
		return false;
	return wc_in_window(w, v->n.start, end);
}

/* expand_vma_in_place() */
static int expand_in_place(void *ctx, struct lx_vrm *r)
{
	struct wc *w = ctx;
	struct wc_vma *v = r->vma;
	uint64_t old_end = v->n.end;

	/* grown by delta; the counters follow */
	w->mapped += r->delta;
	if (v->flags & LX_VM_LOCKED)
		w->locked += r->delta;
	v->n.end += r->delta;
	rg_update(&v->n);
	wc_vma_try_merge_next(w, v);
	return wc_follow(w, old_end, old_end + r->delta);
}

static void *find(void *ctx, uint64_t addr)
{
	return wc_vma_find(ctx, addr);
}

static void vma(const void *p, uint64_t addr, struct lx_mremap_vma *out)
{
	const struct wc_vma *v = p;

	*out = (struct lx_mremap_vma){.start = v->n.start,
				      .end = v->n.end,
				      .flags = v->flags,
				      .pgoff_at = wc_vma_pgoff_at(v, addr)};
}

static bool mlock_ok(const void *ctx, bool locked, uint64_t bytes)
{
	return wc_mlock_future_ok(ctx, locked, bytes);
}

/* the window holds every mapping */
static bool target_ok(const void *ctx, uint64_t addr, uint64_t len)
{
	return wc_in_window(ctx, addr, addr + len);
}

static int unmap(void *ctx, uint64_t start, uint64_t len)
{
	return wc_unmap(ctx, start, start + len, true);
}

/* vrm_set_new_addr(): where the moved VMA goes, inside the window */
static int get_area(void *ctx, const void *vma, uint64_t addr, uint64_t len,
		    uint64_t pgoff, int flags, uint64_t *out)
{
	const struct wc_vma *v = vma;

	(void)pgoff;
	if (wc_get_area(ctx, addr, len, !v->obj && !(v->flags & LX_VM_SHARED),
			flags, out))
		return -LX_ENOMEM;
	return wc_in_window(ctx, *out, *out + len) ? 0 : -LX_ENOMEM;
}

static void populate(void *ctx, uint64_t start, uint64_t end)
{
	wc_populate(ctx, start, end, true);
}

static const struct lx_mremap_ops ops = {
	.find = find, .vma = vma, .mlock_ok = mlock_ok,
	.target_ok = target_ok, .unmap = unmap, .get_area = get_area,
	.expandable = expandable, .expand = expand_in_place, .move = move_vma,
	.populate = populate};

int wc_mremap(void *st, uint64_t old_addr, uint64_t old_len,
	      uint64_t new_len, int flags, uint64_t new_addr, uint64_t *out)
{
	return wc_finish(st, lx_mremap(&ops, st, old_addr, old_len, new_len,
				       flags, new_addr, LX_TASK_SIZE, out));
}
