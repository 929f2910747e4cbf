/*
 * win_vma.c - Linux's VMA rules inside the window: split, merge, modify
 * a range, unmap a range, the anon_vma identity, objects, and where a new
 * mapping goes.
 *
 * The policies keep Linux's VMA list exactly because results depend on
 * it: mremap works inside one VMA only (EFAULT across a boundary),
 * vm.max_map_count limits splits, and whether two ranges are one VMA
 * depends on Linux's merge rules.  Two adjacent VMAs merge when their
 * flags are equal, their object and page offsets line up and their
 * anon_vmas are compatible (equal, or at most one has one).  An anon_vma
 * is just an identity: the window policy hands one out when it commits
 * a writable private range (the program writes there next, which is when
 * Linux would), the lazy one on a write fault, reusing a compatible
 * neighbour's as Linux does.
 *
 * Placement is Linux's top-down search with the window as the mmap area:
 * a free hint inside the window is taken, otherwise the highest hole
 * below the window's top; private anonymous lengths that are multiples
 * of 2 MiB are 2 MiB aligned as Linux's THP code does.
 */
#include "win_core.h"
#include "abi/lx_brk.h"

#include <stdlib.h>

#define STACK_GUARD_GAP (256 * WC_PAGE)

struct wc_vma *wc_vma_find(const struct wc *w, uint64_t addr)
{
	return wc_vma_of(rg_find(&w->vmas, addr));
}

struct wc_vma *wc_vma_at(const struct wc *w, uint64_t addr)
{
	struct wc_vma *v = wc_vma_find(w, addr);

	return v && v->n.start <= addr ? v : NULL;
}

struct wc_vma *wc_vma_next(const struct wc_vma *v)
{
	return wc_vma_of(rg_next(&v->n));
}

struct wc_vma *wc_vma_prev(const struct wc_vma *v)
{
	return wc_vma_of(rg_prev(&v->n));
}

uint64_t wc_vma_pgoff_at(const struct wc_vma *v, uint64_t addr)
{
	return v->pgoff + ((addr - v->n.start) >> WC_SHIFT);
}

uint8_t wc_rights(uint32_t flags)
{
	uint8_t r = 0;

	/* no right means no access; write-only becomes rw and exec-only
	 * r-x: every Genode attachment is readable */
	if (flags & LX_VM_ACCESS)
		r |= WR_R;
	if (flags & LX_VM_WRITE)
		r |= WR_W;
	if (flags & LX_VM_EXEC)
		r |= WR_X;
	return r;
}

/* Add (+1) or take away (-1) v's bytes from the counters. */
static void account(struct wc *w, const struct wc_vma *v, int sign)
{
	uint64_t len = v->n.end - v->n.start;

	if (sign > 0) {
		w->mapped += len;
		if (v->flags & LX_VM_LOCKED)
			w->locked += len;
	} else {
		w->mapped -= len;
		if (v->flags & LX_VM_LOCKED)
			w->locked -= len;
	}
}

struct wc_vma *wc_vma_new(struct wc *w, uint64_t start, uint64_t end,
			  uint32_t flags, uint64_t pgoff, struct wc_obj *obj)
{
	struct wc_vma *v = calloc(1, sizeof(*v));

	if (!v)
		return NULL;
	v->n.start = start;
	v->n.end = end;
	v->flags = flags;
	v->pgoff = pgoff;
	v->obj = wc_obj_get(obj);
	rg_insert(&w->vmas, &v->n);
	w->map_count++;
	account(w, v, 1);
	return v;
}

static void vma_free(struct wc *w, struct wc_vma *v)
{
	account(w, v, -1);
	rg_erase(&w->vmas, &v->n);
	w->map_count--;
	wc_obj_put(w, v->obj);
	free(v);
}

void wc_vma_set_flags(struct wc *w, struct wc_vma *v, uint32_t fl)
{
	account(w, v, -1);
	v->flags = fl;
	account(w, v, 1);
}

/* A VMA as a merge candidate (vma_merge_struct). */
struct cand {
	uint64_t start, end, pgoff, anon;
	uint32_t flags;
	struct wc_obj *obj;
};

static void cand_of(struct cand *c, const struct wc_vma *v)
{
	c->start = v->n.start;
	c->end = v->n.end;
	c->pgoff = v->pgoff;
	c->anon = v->anon;
	c->flags = v->flags;
	c->obj = v->obj;
}

/* May a (below) and b (directly above) be one VMA?  Without fork an
 * anon_vma is never shared with a child, so one side without one is
 * always compatible. */
static bool can_merge(const struct cand *a, const struct cand *b)
{
	if (a->end != b->start || a->flags != b->flags || a->obj != b->obj)
		return false;
	if (a->pgoff + ((a->end - a->start) >> WC_SHIFT) != b->pgoff)
		return false;
	return !a->anon || !b->anon || a->anon == b->anon;
}

int wc_vma_split(struct wc *w, struct wc_vma *v, uint64_t addr,
		 struct wc_vma **hi)
{
	struct wc_vma *n = calloc(1, sizeof(*n));

	if (!n)
		return -LX_ENOMEM;
	n->n.start = addr;
	n->n.end = v->n.end;
	n->flags = v->flags;
	n->pgoff = wc_vma_pgoff_at(v, addr);
	n->anon = v->anon;
	n->obj = wc_obj_get(v->obj);
	v->n.end = addr;
	rg_update(&v->n);
	rg_insert(&w->vmas, &n->n);
	w->map_count++;
	*hi = n;
	return 0;
}

/* Join b into a, its compatible neighbour below. */
static struct wc_vma *merge(struct wc *w, struct wc_vma *a, struct wc_vma *b)
{
	uint64_t end = b->n.end;

	if (!a->anon)
		a->anon = b->anon;
	rg_erase(&w->vmas, &b->n);
	w->map_count--;
	wc_obj_put(w, b->obj);
	free(b);
	a->n.end = end;
	rg_update(&a->n);
	return a;
}

int wc_vma_modify(struct wc *w, struct wc_vma *v, uint64_t start,
		  uint64_t end, uint32_t fl, struct wc_vma **out)
{
	struct wc_vma *prev = wc_vma_prev(v), *next = wc_vma_next(v);
	struct wc_vma *piece = v;
	bool left = start == v->n.start, right = end == v->n.end;
	bool ml = false, mr = false;
	struct cand c, pc, nc;
	int err;

	c.start = start;
	c.end = end;
	c.pgoff = wc_vma_pgoff_at(v, start);
	c.flags = fl;
	c.obj = v->obj;
	c.anon = v->anon;
	if (left && prev) {
		cand_of(&pc, prev);
		ml = can_merge(&pc, &c);
	}
	if (right && next) {
		cand_of(&nc, next);
		mr = can_merge(&c, &nc) &&
		     (!ml || !prev->anon || !next->anon ||
		      prev->anon == next->anon);
	}
	/* each split needs room for one more VMA; a merge needs none */
	if (!ml && !mr && !left && w->map_count >= w->max_map_count)
		return -LX_ENOMEM;
	if (!left) {
		err = wc_vma_split(w, v, start, &piece);
		if (err)
			return err;
	}
	if (!ml && !mr && !right && w->map_count >= w->max_map_count)
		return -LX_ENOMEM;
	if (!right) {
		struct wc_vma *hi;

		err = wc_vma_split(w, piece, end, &hi);
		if (err)
			return err;
	}
	wc_vma_set_flags(w, piece, fl);
	if (ml)
		piece = merge(w, prev, piece);
	if (mr)
		piece = merge(w, piece, next);
	*out = piece;
	return 0;
}

struct wc_vma *wc_merge_new(struct wc *w, struct wc_vma *v, bool expand)
{
	struct wc_vma *prev = wc_vma_prev(v), *next = wc_vma_next(v);
	bool ml = false, mr = false;
	struct cand c, pc, nc;

	cand_of(&c, v);
	if (prev) {
		cand_of(&pc, prev);
		ml = can_merge(&pc, &c);
	}
	if (next && !expand) {
		cand_of(&nc, next);
		mr = can_merge(&c, &nc) &&
		     (!ml || !prev->anon || !next->anon ||
		      prev->anon == next->anon);
	}
	/* equal flags: the counters do not change */
	if (ml)
		v = merge(w, prev, v);
	if (mr)
		v = merge(w, v, next);
	return v;
}

void wc_vma_try_merge_next(struct wc *w, struct wc_vma *v)
{
	struct wc_vma *n = wc_vma_next(v);
	struct cand a, b;

	if (!n)
		return;
	cand_of(&a, v);
	cand_of(&b, n);
	if (can_merge(&a, &b))
		merge(w, v, n);
}

int wc_unmap(struct wc *w, uint64_t start, uint64_t end, bool check)
{
	struct wc_vma *v = wc_vma_find(w, start), *next;
	int err;

	if (v && v->n.start < end) {
		if (start > v->n.start) {
			if (check && end < v->n.end &&
			    w->map_count >= w->max_map_count)
				return -LX_ENOMEM;
			err = wc_vma_split(w, v, start, &v);
			if (err)
				return err;
		}
		while (v && v->n.start < end) {
			if (v->n.end > end) {
				struct wc_vma *hi;

				err = wc_vma_split(w, v, end, &hi);
				if (err)
					return err;
			}
			next = wc_vma_next(v);
			vma_free(w, v);
			v = next;
		}
	}
	wc_back_drop(w, start, end);
	return 0;
}

/* Could b take a's anon_vma, or a b's (anon_vma_compatible)? */
static bool anon_compatible(const struct wc_vma *a, const struct wc_vma *b)
{
	return a->n.end == b->n.start && a->obj == b->obj &&
	       !((a->flags ^ b->flags) & ~LX_VM_ACCESS) &&
	       b->pgoff == a->pgoff + ((a->n.end - a->n.start) >> WC_SHIFT);
}

void wc_anon_prepare(struct wc *w, struct wc_vma *v)
{
	struct wc_vma *n;

	if (v->anon || (v->flags & LX_VM_SHARED))
		return;
	n = wc_vma_next(v);
	if (n && n->anon && anon_compatible(v, n)) {
		v->anon = n->anon;
		return;
	}
	n = wc_vma_prev(v);
	if (n && n->anon && anon_compatible(n, v)) {
		v->anon = n->anon;
		return;
	}
	v->anon = ++w->next_anon;
}

bool wc_thp_eligible(const struct wc_vma *v, uint64_t addr)
{
	uint64_t h = addr & ~(WC_PMD - 1);

	/* THP "madvise" mode, as the reference assumes */
	if (v->obj || !(v->flags & LX_VM_HUGEPAGE) ||
	    (v->flags & LX_VM_NOHUGEPAGE))
		return false;
	return h >= v->n.start && h + WC_PMD <= v->n.end;
}

uint64_t wc_start_gap(const struct wc_vma *v)
{
	return lx_vm_start_gap(v->n.start, v->flags, STACK_GUARD_GAP);
}

/* ---- objects ---- */

struct wc_obj *wc_obj_new(struct wc *w, bool file, int fd, uint64_t pg0,
			  uint64_t npages)
{
	struct wc_obj *o = calloc(1, sizeof(*o));

	if (!o)
		return NULL;
	o->refs = 1;
	o->file = file;
	o->fd = fd;
	o->pg0 = pg0;
	o->npages = npages;
	(void)w;
	return o;
}

struct wc_obj *wc_obj_get(struct wc_obj *o)
{
	if (o)
		o->refs++;
	return o;
}

void wc_obj_put(struct wc *w, struct wc_obj *o)
{
	if (!o || --o->refs)
		return;
	if (o->ds)
		wc_ds_put(w, o->ds);
	free(o);
}

/* The registry entry for fd, or NULL. */
static struct wc_obj **file_slot(struct wc *w, int fd)
{
	struct wc_obj **p;

	for (p = &w->files; *p; p = &(*p)->next)
		if ((*p)->fd == fd)
			return p;
	return NULL;
}

struct wc_obj *wc_file(struct wc *w, int fd)
{
	struct wc_obj **p = file_slot(w, fd), *o;

	if (p)
		return *p;
	o = wc_obj_new(w, true, fd, 0, 0);
	if (!o)
		return NULL;
	o->next = w->files;
	w->files = o;
	return o;
}

int wc_file_shared(struct wc *w, int fd, uint64_t pg, uint64_t n,
		   struct wc_obj **out)
{
	struct wc_obj **p = file_slot(w, fd), *o;

	if (p && (*p)->ds && pg >= (*p)->pg0 &&
	    pg + n <= (*p)->pg0 + (*p)->npages) {
		*out = *p;
		return 0;
	}
	if (!p || (*p)->ds) {
		/* a range the file's dataspace does not hold: a new object
		 * takes the registry slot (what the old one holds stays
		 * with its mappings; docs/policies.md) */
		o = wc_obj_new(w, true, fd, 0, 0);
		if (!o)
			return -LX_ENOMEM;
		if (p) {
			o->next = (*p)->next;
			(*p)->next = NULL;
			wc_obj_put(w, *p);
			*p = o;
		} else {
			o->next = w->files;
			w->files = o;
		}
	} else {
		o = *p;
	}
	o->ds = wc_ds_alloc(w, n << WC_SHIFT);
	if (!o->ds)
		return -LX_ENOMEM;
	o->ds->refs = 1;
	o->pg0 = pg;
	o->npages = n;
	*out = o;
	return 0;
}

/* ---- placement ---- */

static int topdown(struct wc *w, uint64_t low, uint64_t high, uint64_t len,
		   uint64_t *out)
{
	struct rg_node *above;
	uint64_t end;

	for (;;) {
		if (high <= low || high - low < len ||
		    !rg_gap_highest(&w->vmas, low, high, len, &end, &above))
			return -LX_ENOMEM;
		/* a stack's guard gap reaches into the hole: look below */
		if (above && wc_start_gap(wc_vma_of(above)) < end) {
			high = wc_start_gap(wc_vma_of(above));
			continue;
		}
		*out = end - len;
		return 0;
	}
}

static int bottomup(struct wc *w, uint64_t low, uint64_t high, uint64_t len,
		    uint64_t *out)
{
	struct rg_node *above;
	uint64_t at;

	for (;;) {
		if (high <= low || high - low < len ||
		    !rg_gap_lowest(&w->vmas, low, high, len, &at, &above))
			return -LX_ENOMEM;
		if (above && wc_start_gap(wc_vma_of(above)) < at + len) {
			low = above->end;
			continue;
		}
		*out = at;
		return 0;
	}
}

/* Is [addr, addr + len) inside the window, free, and clear of a guard
 * gap above? */
static bool hint_free(struct wc *w, uint64_t addr, uint64_t len)
{
	struct wc_vma *v;

	if (addr < w->base || addr > w->top || len > w->top - addr)
		return false;
	v = wc_vma_find(w, addr);
	return !v || addr + len <= wc_start_gap(v);
}

static int area(struct wc *w, uint64_t addr, uint64_t len, int flags,
		uint64_t *out)
{
	uint64_t low = w->base, high = w->top;

	if (flags & LX_MAP_FIXED) {
		*out = addr;
		return 0;
	}
	if (flags & LX_MAP_32BIT) {
		/* bottom-up in [1 GiB, 2 GiB), where the window reaches */
		if (low < 0x40000000)
			low = 0x40000000;
		if (high > 0x80000000)
			high = 0x80000000;
		if (addr && hint_free(w, WC_ALIGN(addr), len) &&
		    WC_ALIGN(addr) >= low && WC_ALIGN(addr) + len <= high) {
			*out = WC_ALIGN(addr);
			return 0;
		}
		return bottomup(w, low, high, len, out);
	}
	if (addr) {
		addr &= LX_PAGE_MASK;
		if (LX_TASK_SIZE - len >= addr && hint_free(w, addr, len)) {
			*out = addr;
			return 0;
		}
		/* a hint beyond the window is folded into it, modulo its
		 * size: consecutive hints (Go's arena hints, each the end of
		 * the last arena) then give consecutive ranges here too */
		if (addr >= w->top && len <= w->top - w->base) {
			uint64_t f = w->base + (addr - w->base) %
						       (w->top - w->base);

			if (hint_free(w, f, len)) {
				*out = f;
				return 0;
			}
		}
	}
	return topdown(w, low, high, len, out);
}

int wc_get_area(struct wc *w, uint64_t addr, uint64_t len, bool thp,
		int flags, uint64_t *out)
{
	uint64_t a = 0, ret;
	int err = -LX_ENOMEM;

	if (len > LX_TASK_SIZE)
		return -LX_ENOMEM;
	if (thp && !(flags & (LX_MAP_FIXED | LX_MAP_32BIT)) && !addr &&
	    len && !(len & (WC_PMD - 1)) && len + WC_PMD > len) {
		/* __thp_get_unmapped_area(): search padded, take the upper
		 * 2 MiB boundary inside (top-down) */
		if (!area(w, 0, len + WC_PMD, flags, &ret)) {
			uint64_t sub = (0 - ret) & (WC_PMD - 1);

			a = sub ? ret + sub : ret + WC_PMD;
			err = 0;
		}
	}
	if (err)
		err = area(w, addr, len, flags, &a);
	if (err)
		return err;
	if (a > LX_TASK_SIZE - len)
		return -LX_ENOMEM;
	if (a & (WC_PAGE - 1))
		return -LX_EINVAL;
	if (a < w->mmap_min_addr)
		return -LX_EPERM;
	*out = a;
	return 0;
}
