/*
 * win_remap.c - mremap inside the window.
 *
 * ALGORITHM
 *
 * Linux's mm/mremap.c, with its checks shared with the reference model
 * (abi/lx_vm.h: lx_mremap_check_params, lx_mremap_check_prep): shrink
 * in place, grow in place where the pages after the VMA are free and in
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


/* ---- mremap ---- */

struct vrm {
	struct lx_vrm a;	/* the request, as Linux sees it */
	struct wc_vma *vma;
};

static enum lx_remap_type remap_type(const struct vrm *r)
{
	return lx_remap_type(r->a.old_len, r->a.new_len);
}

static bool implies_new_addr(const struct vrm *r)
{
	return lx_remap_implies_new_addr(r->a.flags);
}

/* check_prep_vma() */
static bool mlock_ok(const void *ctx, bool locked, uint64_t bytes)
{
	return wc_mlock_future_ok(ctx, locked, bytes);
}

static int check_prep(struct wc *w, struct vrm *r)
{
	struct wc_vma *v = r->vma;
	struct lx_vma_facts f;

	if (v)
		f = (struct lx_vma_facts){v->flags, v->n.end,
					  wc_vma_pgoff_at(v, r->a.addr)};
	return lx_mremap_check_prep(&r->a, v ? &f : NULL, mlock_ok, w);
}

/* vrm_set_new_addr(): where the moved VMA goes */
static int set_new_addr(struct wc *w, struct vrm *r)
{
	struct wc_vma *v = r->vma;
	int flags = 0;

	if (r->a.flags & LX_MREMAP_FIXED)
		flags |= LX_MAP_FIXED;
	if (v->flags & LX_VM_SHARED)
		flags |= LX_MAP_SHARED;
	if (wc_get_area(w, implies_new_addr(r) ? r->a.new_addr : 0,
			r->a.new_len, !v->obj && !(v->flags & LX_VM_SHARED),
			flags, &r->a.new_addr))
		return -LX_ENOMEM;
	return wc_in_window(w, r->a.new_addr, r->a.new_addr + r->a.new_len)
		       ? 0
		       : -LX_ENOMEM;
}

/* copy_vma_and_data(): a copy of the moved part at new_addr, its
 * backing moved along */
static struct wc_vma *copy_vma(struct wc *w, struct vrm *r)
{
	struct wc_vma *v = r->vma, *n;
	uint64_t pgoff = wc_vma_pgoff_at(v, r->a.addr);

	/* an anonymous VMA that never faulted takes its new address as
	 * page offset, which lets it merge there */
	if (!v->obj && !v->anon)
		pgoff = r->a.new_addr >> WC_SHIFT;
	n = wc_vma_new(w, r->a.new_addr, r->a.new_addr + r->a.new_len, v->flags,
		       pgoff, v->obj);
	if (!n)
		return NULL;
	n->anon = v->anon;
	if (r->a.old_len)
		wc_back_move(w, r->a.addr, r->a.old_len, r->a.new_addr);
	return wc_merge_new(w, n, false);
}

/* move_vma() */
static int move_vma(struct wc *w, struct vrm *r)
{
	struct wc_vma *v = r->vma, *n, *src;
	uint64_t src_start = r->a.addr, src_end = r->a.addr + r->a.old_len;

	if (w->map_count + 3 >= w->max_map_count)
		return -LX_ENOMEM;
	n = copy_vma(w, r);
	if (!n)
		return -LX_ENOMEM;
	(void)v;
	src = wc_vma_at(w, r->a.addr);
	if (r->a.flags & LX_MREMAP_DONTUNMAP) {
		if (src) {
			wc_vma_set_flags(w, src,
					 src->flags & ~LX_VM_LOCKED_MASK);
			if (src != n && src->n.start == r->a.addr &&
			    src->n.end == r->a.addr + r->a.old_len)
				src->anon = 0;
		}
		/* the source stays mapped, empty (private) or showing its
		 * object again (shared) */
		wc_follow(w, src_start, src_end);
	} else if (r->a.old_len) {
		wc_unmap(w, src_start, src_end, true);
	}
	/* the grown part: objects (or nothing past them), fresh RAM */
	return wc_follow(w, r->a.new_addr, r->a.new_addr + r->a.new_len);
}

/* mremap_to(): MREMAP_FIXED and/or MREMAP_DONTUNMAP */
static int mremap_to(struct wc *w, struct vrm *r)
{
	int err;

	if (r->a.flags & LX_MREMAP_FIXED) {
		err = wc_unmap(w, r->a.new_addr, r->a.new_addr + r->a.new_len,
			       true);
		if (err)
			return err;
		r->vma = wc_vma_at(w, r->a.addr);
		if (!r->vma)
			return -LX_EFAULT;
	}
	if (remap_type(r) == LX_REMAP_SHRINK) {
		err = wc_unmap(w, r->a.addr + r->a.new_len,
			       r->a.addr + r->a.old_len, true);
		if (err)
			return err;
		r->vma = wc_vma_at(w, r->a.addr);
		if (!r->vma)
			return -LX_EFAULT;
		r->a.old_len = r->a.new_len;
	}
	err = set_new_addr(w, r);
	if (err)
		return err;
	return move_vma(w, r);
}

/* vma_expandable() */
static bool expandable(struct wc *w, struct wc_vma *v, uint64_t delta)
{
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
static int expand_in_place(struct wc *w, struct vrm *r)
{
	struct wc_vma *v = r->vma;
	uint64_t old_end = v->n.end;

	/* grown by delta; the counters follow */
	w->mapped += r->a.delta;
	if (v->flags & LX_VM_LOCKED)
		w->locked += r->a.delta;
	v->n.end += r->a.delta;
	rg_update(&v->n);
	wc_vma_try_merge_next(w, v);
	return wc_follow(w, old_end, old_end + r->a.delta);
}

/* mremap_at(): no new address asked for */
static int mremap_at(struct wc *w, struct vrm *r)
{
	int err;

	switch (remap_type(r)) {
	case LX_REMAP_NO_RESIZE:
		return 0;
	case LX_REMAP_SHRINK:
		return wc_unmap(w, r->a.addr + r->a.new_len,
				r->a.addr + r->a.old_len, true);
	default:
		break;
	}
	if (r->vma->n.end - r->a.addr == r->a.old_len &&
	    expandable(w, r->vma, r->a.delta))
		return expand_in_place(w, r);
	if (!(r->a.flags & LX_MREMAP_MAYMOVE))
		return -LX_ENOMEM;
	err = set_new_addr(w, r);
	if (err)
		return err;
	return move_vma(w, r);
}

/* remap_move(): MREMAP_FIXED with equal sizes, VMA by VMA (6.17) */
static int remap_move(struct wc *w, struct vrm *r, uint64_t *res)
{
	uint64_t start = r->a.addr, end = r->a.addr + r->a.old_len;
	uint64_t target = r->a.new_addr, last_end = 0;
	struct wc_vma *v = wc_vma_find(w, start);
	bool seen = false;
	int err;

	*res = 0;
	while (v && v->n.start < end) {
		uint64_t a = wc_max(v->n.start, start);
		uint64_t b = wc_min(v->n.end, end);
		uint64_t offset = seen ? v->n.start - last_end : 0;
		struct vrm sub = {.a = {.addr = a, .old_len = b - a,
					 .new_len = b - a,
					 .flags = r->a.flags},
				  .vma = v};

		if (!seen && start < v->n.start)
			return -LX_EFAULT;
		last_end = v->n.end;
		sub.a.new_addr = target + offset;
		err = check_prep(w, &sub);
		if (!err)
			err = mremap_to(w, &sub);
		if (err)
			return err;
		if (!seen)
			*res = sub.a.new_addr;
		seen = true;
		target = sub.a.new_addr + sub.a.new_len;
		v = wc_vma_find(w, last_end);
	}
	return seen ? 0 : -LX_EFAULT;
}

static int do_mremap(void *st, uint64_t old_addr, uint64_t old_len,
		     uint64_t new_len, int flags, uint64_t new_addr,
		     uint64_t *out)
{
	struct wc *w = st;
	struct vrm r = {.a = {.addr = old_addr, .old_len = WC_ALIGN(old_len),
			.new_len = WC_ALIGN(new_len), .flags = flags,
			.new_addr = new_addr}};
	uint64_t task = LX_TASK_SIZE;
	int err;

	err = lx_mremap_check_params(old_addr, r.a.old_len, r.a.new_len, flags,
				     new_addr, task);
	if (err)
		return err;
	/* the window holds every mapping */
	if ((flags & LX_MREMAP_FIXED) &&
	    !wc_in_window(w, new_addr, new_addr + r.a.new_len))
		return -LX_ENOMEM;
	if ((flags & LX_MREMAP_FIXED) && r.a.old_len == r.a.new_len)
		return remap_move(w, &r, out);
	r.vma = wc_vma_at(w, old_addr);
	err = check_prep(w, &r);
	if (!err)
		err = implies_new_addr(&r) ? mremap_to(w, &r)
					   : mremap_at(w, &r);
	if (err)
		return err;
	if (r.a.populate_expand)
		wc_populate(w, r.a.new_addr + r.a.old_len,
			    r.a.new_addr + r.a.old_len + r.a.delta, true);
	*out = r.a.new_addr;
	return 0;
}

int wc_mremap(void *st, uint64_t old_addr, uint64_t old_len,
	      uint64_t new_len, int flags, uint64_t new_addr, uint64_t *out)
{
	return wc_finish(st, do_mremap(st, old_addr, old_len, new_len, flags,
				       new_addr, out));
}
