/*
 * win_back.c - the Genode side of the window policies: RAM dataspaces,
 * the extents that back the window and their attachments, zeroing,
 * moving and guarding memory.
 *
 * ALGORITHM
 *
 * What backs the window is a tree of extents (win_core.h): page ranges
 * backed by a RAM dataspace from some offset on, or guard markers.  An
 * extent is attached where it lives:
 *
 *  - in the window map, with the rights of the VMAs over it (split where
 *    those differ), or not at all while they are PROT_NONE;
 *  - lazy only: in the lazy map, with all rights, at the same
 *    coordinates, shown in the window through views (win_view.c).
 *
 * Rights are checked at the leaf, so a write to a read-only page backed
 * in the lazy map would fault in the lazy map, whose handler cannot
 * resolve it and would keep the thread queued in front of every later
 * fault.  Hence the rule: an extent stays in the lazy map only while
 * every view over it is writable; otherwise it moves into the window
 * (wc_sync), where the violation stops the thread instead.  Read-only
 * pages that hold nothing yet show the zero pages (win_zero.c).
 *
 * wc_sync() is the one place that brings the attachments of a range in
 * line with the VMAs: the other functions change extents and let it
 * attach, split, move and re-view.
 *
 * INVARIANTS (2 to 6 of win_core.c, checked by wc_back_check in
 * win_check.c)
 *
 *   - Extents are disjoint, inside the window and inside VMAs, within
 *     their dataspace; an extent is attached exactly with the rights of
 *     the pages it covers, or with all rights in the lazy map.
 *   - A dataspace's references count the extents using it (+1 for an
 *     object, +1 for the zero pages); the last put frees the RAM.
 */
#include "win_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* what drop() removes */
enum { DROP_ALL, DROP_CONTENT, DROP_NOT_GUARDS };

void *wc_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		fputs("rmsim: out of memory in a window policy\n", stderr);
		abort();
	}
	return p;
}


/* ---- dataspaces ---- */

struct wc_ds *wc_ds_alloc(struct wc *w, uint64_t size)
{
	struct wg_ds *g = w->ops->ram_alloc(w->g, size);
	struct wc_ds *ds;

	if (!g)
		return NULL;
	ds = wc_xcalloc(1, sizeof(*ds));
	ds->gds = g;
	ds->size = WC_ALIGN(size);
	w->st.ds_allocs++;
	return ds;
}

void wc_ds_put(struct wc *w, struct wc_ds *ds)
{
	if (--ds->refs)
		return;
	w->ops->ram_free(w->g, ds->gds);
	w->st.ds_frees++;
	free(ds);
}

/* Attach @ds (NULL: the lazy map's dataspace) in @map at window address
 * @s: 0, -ENOMEM, or -EFAULT for a bookkeeping error the checker finds */
int wc_attach(struct wc *w, enum wg_map map, struct wc_ds *ds,
	      uint64_t s, uint64_t size, uint64_t off, uint8_t rights)
{
	return w->ops->attach(w->g, map, ds ? ds->gds : NULL, s - w->base,
			      size, off, rights, &w->st.upgrades);
}

/* ---- extent records ---- */

_Static_assert(sizeof(struct wc_ext) == 88, "an extent record is 88 bytes");

/* A block of extent records; blocks double from 16 records to 4096. */
struct wc_ext_block {
	struct wc_ext_block *next;
	struct wc_ext x[];
};

static struct wc_ext *ext_get(struct wc *w)
{
	struct wc_ext *x;

	if (!w->ext_free) {
		uint64_t n = w->ext_cap < 16 ? 16
			     : w->ext_cap < 4096 ? w->ext_cap : 4096, i;
		struct wc_ext_block *b =
			wc_xcalloc(1, sizeof(*b) + n * sizeof(b->x[0]));

		b->next = w->ext_blocks;
		w->ext_blocks = b;
		w->ext_cap += n;
		for (i = n; i-- > 0;) {
			b->x[i].next_free = w->ext_free;
			w->ext_free = &b->x[i];
		}
	}
	x = w->ext_free;
	w->ext_free = x->next_free;
	memset(x, 0, sizeof(*x));
	return x;
}

static void ext_put(struct wc *w, struct wc_ext *x)
{
	x->next_free = w->ext_free;
	w->ext_free = x;
}

/* Records in use (the extents) and free make up the blocks. */
int wc_ext_records_check(const struct wc *w, char *why, size_t size)
{
	const struct wc_ext *x;
	uint64_t nfree = 0;

	for (x = w->ext_free; x && nfree <= w->ext_cap; x = x->next_free)
		nfree++;
	if (nfree + w->exts.count != w->ext_cap) {
		snprintf(why, size, "%llu extent records free and %llu used "
			 "in blocks of %llu",
			 (unsigned long long)nfree,
			 (unsigned long long)w->exts.count,
			 (unsigned long long)w->ext_cap);
		return -1;
	}
	return 0;
}

/* ---- extents ---- */

struct wc_ext *wc_ext_new(struct wc *w, uint64_t s, uint64_t e,
			  struct wc_ds *ds, uint64_t off, bool in_l)
{
	struct wc_ext *x = ext_get(w);

	x->n.start = s;
	x->n.end = e;
	x->ds = ds;
	x->off = off;
	x->in_l = in_l && ds;
	if (ds)
		ds->refs++;
	rg_insert(&w->exts, &x->n);
	return x;
}

void wc_ext_detach(struct wc *w, struct wc_ext *x)
{
	if (!x->rights)
		return;
	w->ops->detach(w->g, x->in_l ? WG_LAZY : WG_WINDOW,
		       x->n.start - w->base);
	x->rights = 0;
}

/*
 * Pool pages handed out again read zero from their first mapping on: a
 * store through the window where the extent shows writeable (in the
 * window itself, or in the lazy map through a view), else through a
 * mapping of the moment.
 */
void wc_ext_clean(struct wc *w, struct wc_ext *x)
{
	uint8_t r = x->in_l ? wc_page_rights(w, x->n.start) : x->rights;

	if (x->ds->pooled)
		wc_mem_clean(w, x->ds, x->off, x->n.end - x->n.start,
			     (r & WR_W) ? x->n.start - w->base : WG_NOWHERE);
}

int wc_ext_attach(struct wc *w, struct wc_ext *x, uint8_t rights)
{
	int err;

	if (x->in_l)
		rights = WC_ALL_RIGHTS;
	err = wc_attach(w, x->in_l ? WG_LAZY : WG_WINDOW, x->ds, x->n.start,
			x->n.end - x->n.start, x->off, rights);
	if (err)
		return err;
	x->rights = rights;
	/* in the lazy map, once the views show it (wc_sync) */
	if (!x->in_l)
		wc_ext_clean(w, x);
	return 0;
}

void wc_ext_free(struct wc *w, struct wc_ext *x)
{
	wc_ext_detach(w, x);
	rg_erase(&w->exts, &x->n);
	if (x->ds && x->ds->pooled) {
		x->ds->refs--;
		wc_mem_release(w, x->ds, x->off, x->n.end - x->n.start);
	} else if (x->ds) {
		wc_ds_put(w, x->ds);
	}
	ext_put(w, x);
}

/* Cut a detached extent at @at; returns the upper piece. */
struct wc_ext *wc_ext_split(struct wc *w, struct wc_ext *x, uint64_t at)
{
	uint64_t end = x->n.end;
	uint64_t off = x->ds ? x->off + (at - x->n.start) : 0;

	x->n.end = at;
	rg_update(&x->n);
	return wc_ext_new(w, at, end, x->ds, off, x->in_l);
}

/* The extent containing addr, or NULL. */
struct wc_ext *wc_ext_at(const struct wc *w, uint64_t addr)
{
	struct rg_node *n = rg_find(&w->exts, addr);

	return n && n->start <= addr ? wc_ext_of(n) : NULL;
}

/* Make addr an extent boundary (detaching what straddles it). */
static void cut(struct wc *w, uint64_t addr)
{
	struct wc_ext *x = wc_ext_at(w, addr);

	if (!x || x->n.start == addr)
		return;
	wc_ext_detach(w, x);
	wc_ext_split(w, x, addr);
}

/* ---- what the VMAs want ---- */

/*
 * The rights of the page at a, and in *end (at most lim) where the run
 * of pages with the same rights from the same VMA ends.  Pages of a
 * shared object beyond what it holds have none (SIGBUS on Linux).
 */
uint8_t wc_piece(const struct wc *w, uint64_t a, uint64_t lim,
		 uint64_t *end)
{
	struct wc_vma *v = wc_vma_find(w, a);
	uint64_t e, pg, lo, hi;
	uint8_t r;

	if (!v || v->n.start > a) {
		*end = v && v->n.start < lim ? v->n.start : lim;
		return 0;
	}
	e = wc_min(v->n.end, lim);
	r = wc_rights(v->flags);
	if ((v->flags & LX_VM_SHARED) && v->obj) {
		pg = wc_vma_pgoff_at(v, a);
		lo = v->obj->pg0;
		hi = lo + v->obj->npages;
		if (!v->obj->ds || pg >= hi) {
			r = 0;
		} else if (pg < lo) {
			r = 0;
			e = wc_min(e, a + ((lo - pg) << WC_SHIFT));
		} else {
			e = wc_min(e, a + ((hi - pg) << WC_SHIFT));
		}
	}
	*end = e;
	return r;
}

uint8_t wc_page_rights(const struct wc *w, uint64_t addr)
{
	uint64_t end;

	if (wc_back_guarded(w, addr))
		return 0;
	return wc_piece(w, addr, addr + WC_PAGE, &end);
}

/* Does any page of [s, e) want rights without write? */
bool wc_wants_ro(const struct wc *w, uint64_t s, uint64_t e)
{
	uint64_t pe;
	uint8_t r;

	for (; s < e; s = pe) {
		r = wc_piece(w, s, e, &pe);
		if (r && !(r & WR_W))
			return true;
	}
	return false;
}

/* ---- runs of pages ---- */

void wc_runs_add(struct wc_runs *v, uint64_t s, uint64_t e, uint8_t r)
{
	if (s >= e)
		return;
	if (v->n && v->r[v->n - 1][1] == s && v->r[v->n - 1][2] == r) {
		v->r[v->n - 1][1] = e;
		return;
	}
	if (v->n == v->cap) {
		v->cap = v->cap ? v->cap * 2 : 16;
		v->r = realloc(v->r, v->cap * sizeof(*v->r));
		if (!v->r) {
			fputs("rmsim: out of memory in a window policy\n",
			      stderr);
			abort();
		}
	}
	v->r[v->n][0] = s;
	v->r[v->n][1] = e;
	v->r[v->n][2] = r;
	v->n++;
}

/* ---- bringing Genode in line ---- */

/* The rights an extent gives the pages of [a, lim) from a on, and where
 * that run ends: the zero pages are never writeable. */
uint8_t wc_ext_piece(const struct wc *w, const struct wc_ext *x,
		     uint64_t a, uint64_t lim, uint64_t *end)
{
	uint64_t pe, p2;
	uint8_t r = wc_piece(w, a, lim, &pe);

	/* runs of equal rights from different VMAs are one attachment */
	while (pe < lim) {
		if (wc_piece(w, pe, lim, &p2) != r)
			break;
		pe = p2;
	}
	*end = pe;
	return wc_is_zero(w, x->ds) ? r & ~WR_W : r;
}

/* Attach a window-resident extent by the rights its pages want, split
 * where those differ. */
static int sync_window_ext(struct wc *w, struct wc_ext *x)
{
	uint64_t pe;
	uint8_t r = wc_ext_piece(w, x, x->n.start, x->n.end, &pe);
	int err = 0, e2;

	if (pe >= x->n.end && r == x->rights)
		return 0;	/* one run, attached as it wants */
	wc_ext_detach(w, x);
	while (x) {
		struct wc_ext *next = NULL;

		r = wc_ext_piece(w, x, x->n.start, x->n.end, &pe);
		if (pe < x->n.end)
			next = wc_ext_split(w, x, pe);
		if (r) {
			e2 = wc_ext_attach(w, x, r);
			err = err ? err : e2;
		}
		x = next;
	}
	return err;
}

int wc_sync(struct wc *w, uint64_t s, uint64_t e)
{
	struct wc_runs want = {0};
	uint64_t a, b, va, vb, cont;
	struct rg_node *n;
	bool redo = false;
	int err = 0, e2;

	s = wc_max(s, w->base);
	e = wc_min(e, w->top);
	if (s >= e)
		return 0;
	a = s;
	b = e;
	n = rg_find(&w->exts, s);
	if (n && n->start < a)
		a = n->start;
	n = rg_find(&w->exts, e - 1);
	if (n && n->start < e && n->end > b)
		b = n->end;

	if (w->views) {
		/* lazy-map extents under a view without write move into
		 * the window first: the views depend on it */
		for (n = rg_find(&w->exts, a); n && n->start < b;
		     n = rg_next(n)) {
			struct wc_ext *x = wc_ext_of(n);

			if (x->in_l && wc_wants_ro(w, n->start, n->end)) {
				wc_ext_detach(w, x);
				x->in_l = false;
				w->st.migrations++;
			}
		}
		va = a;
		vb = b;
		wc_views_widen(w, &va, &vb);
		wc_want_views(w, va, vb, &want);
		redo = !wc_views_equal(w, va, vb, &want);
		if (redo)
			wc_views_drop(w, va, vb);
	}

	for (n = rg_find(&w->exts, a); n && n->start < b;) {
		struct wc_ext *x = wc_ext_of(n);

		cont = n->end;
		if (!x->ds) {
			/* guard markers are never attached */
		} else if (x->in_l) {
			if (!x->rights) {
				e2 = wc_ext_attach(w, x, WC_ALL_RIGHTS);
				err = err ? err : e2;
			}
		} else {
			e2 = sync_window_ext(w, x);
			err = err ? err : e2;
		}
		n = rg_find(&w->exts, cont);
	}

	if (redo) {
		e2 = wc_views_add(w, &want);
		err = err ? err : e2;
	}
	for (n = w->views ? rg_find(&w->exts, a) : NULL; n && n->start < b;
	     n = rg_next(n))
		if (wc_ext_of(n)->in_l && wc_ext_of(n)->rights)
			wc_ext_clean(w, wc_ext_of(n));
	free(want.r);
	return err;
}

/* ---- changing what backs the window ---- */

/* Does the VMA over [s, ...) hold private memory the policy backs? */
static bool private_piece(const struct wc *w, uint64_t a)
{
	struct wc_vma *v = wc_vma_at(w, a);

	return v && !(v->flags & LX_VM_SHARED);
}

/*
 * The runs of accessible private pages in [s, e) without any backing
 * that can be written (writable) or cannot, contiguous across VMAs.
 */
void wc_unbacked(const struct wc *w, uint64_t s, uint64_t e,
		 bool writable, struct wc_runs *out)
{
	uint64_t pos, pe, q;
	struct rg_node *n;
	uint8_t r;

	for (pos = s; pos < e; pos = pe) {
		r = wc_piece(w, pos, e, &pe);
		if (!r || !private_piece(w, pos) || !(r & WR_W) != !writable)
			continue;
		q = pos;
		for (n = rg_find(&w->exts, pos); n && n->start < pe;
		     n = rg_next(n)) {
			if (n->start > q)
				wc_runs_add(out, q, n->start, 1);
			q = wc_max(q, n->end);
		}
		if (q < pe)
			wc_runs_add(out, q, pe, 1);
	}
}

/* Fresh RAM for the writable unbacked pages of [s, e), a run at a time,
 * in the lazy map (in_l) or the window; wc_sync() attaches it. */
static int fill(struct wc *w, uint64_t s, uint64_t e, bool in_l)
{
	struct wc_runs want = {0};
	size_t i;
	int err = 0;

	wc_unbacked(w, s, e, true, &want);
	for (i = 0; i < want.n && !err; i++) {
		struct wc_ds *ds;
		uint64_t off;

		err = wc_mem_alloc(w, want.r[i][1] - want.r[i][0], &ds, &off);
		if (!err)
			wc_ext_new(w, want.r[i][0], want.r[i][1], ds, off,
				   in_l);
	}
	free(want.r);
	return err;
}

static void objects(struct wc *w, uint64_t s, uint64_t e);


int wc_back_commit(struct wc *w, uint64_t s, uint64_t e)
{
	uint64_t lo, hi;
	int err, e2;

	s = wc_max(s, w->base);
	e = wc_min(e, w->top);
	if (s >= e)
		return 0;
	lo = s;
	hi = e;
	objects(w, s, e);
	wc_zero_trim(w, s, e, &lo, &hi);
	err = wc_zero_fill(w, s, e);
	if (!err && !w->lazy)
		err = fill(w, s, e, false);
	e2 = wc_sync(w, lo, hi);
	return err ? err : e2;
}

int wc_back_populate(struct wc *w, uint64_t s, uint64_t e)
{
	int err, e2;

	s = wc_max(s, w->base);
	e = wc_min(e, w->top);
	if (!w->lazy || s >= e)
		return 0;
	err = fill(w, s, e, w->views);
	e2 = wc_sync(w, s, e);
	return err ? err : e2;
}

/* Extents for the object pages behind the shared VMAs over [s, e). */
static void objects(struct wc *w, uint64_t s, uint64_t e)
{
	struct wc_vma *v;
	uint64_t a, b, q, pe;
	struct rg_node *n;

	s = wc_max(s, w->base);
	e = wc_min(e, w->top);
	for (v = wc_vma_find(w, s); v && v->n.start < e; v = wc_vma_next(v)) {
		struct wc_obj *o = v->obj;

		if (!(v->flags & LX_VM_SHARED) || !o || !o->ds)
			continue;
		a = wc_max(v->n.start, s);
		b = wc_min(v->n.end, e);
		/* clip to the pages the object holds */
		if (wc_vma_pgoff_at(v, a) < o->pg0)
			a = wc_min(b, a + ((o->pg0 - wc_vma_pgoff_at(v, a))
					   << WC_SHIFT));
		if (wc_vma_pgoff_at(v, a) >= o->pg0 + o->npages)
			continue;
		pe = a + ((o->pg0 + o->npages - wc_vma_pgoff_at(v, a))
			  << WC_SHIFT);
		b = wc_min(b, pe);
		q = a;
		for (n = rg_find(&w->exts, a);; n = rg_next(n)) {
			uint64_t hs = n ? wc_min(wc_max(n->start, q), b) : b;

			if (hs > q)
				wc_ext_new(w, q, hs, o->ds,
					   (wc_vma_pgoff_at(v, q) - o->pg0)
					   << WC_SHIFT,
					   false);
			if (!n || n->start >= b)
				break;
			q = wc_max(q, n->end);
		}
	}
}

int wc_back_objects(struct wc *w, uint64_t s, uint64_t e)
{
	objects(w, wc_max(s, w->base), wc_min(e, w->top));
	return wc_sync(w, s, e);
}

/* Remove the backing of [s, e) (what @mode says); widen *lo, *hi to
 * what must be synced. */
static void drop(struct wc *w, uint64_t s, uint64_t e, int mode,
		 uint64_t *lo, uint64_t *hi)
{
	struct rg_node *n = rg_find(&w->exts, s);

	*lo = s;
	*hi = e;
	while (n && n->start < e) {
		struct wc_ext *x = wc_ext_of(n);
		uint64_t cont;

		if ((!x->ds && mode != DROP_ALL) ||
		    (wc_is_zero(w, x->ds) && mode == DROP_CONTENT)) {
			n = rg_next(n);
			continue;
		}
		if (x->n.start < s || x->n.end > e) {
			wc_ext_detach(w, x);
			*lo = wc_min(*lo, x->n.start);
			*hi = wc_max(*hi, x->n.end);
			if (x->n.start < s)
				x = wc_ext_split(w, x, s);
			if (x->n.end > e)
				wc_ext_split(w, x, e);
		}
		cont = x->n.end;
		wc_ext_free(w, x);
		n = rg_find(&w->exts, cont);
	}
}

void wc_back_drop(struct wc *w, uint64_t s, uint64_t e)
{
	uint64_t lo, hi;

	s = wc_max(s, w->base);
	e = wc_min(e, w->top);
	if (s >= e)
		return;
	drop(w, s, e, DROP_ALL, &lo, &hi);
	wc_sync(w, lo, hi);
}

/*
 * memset(0) through the component's own view of the memory.  Where the
 * pages are not mapped writeable (read-only, PROT_NONE), a port maps
 * them for the moment: an attach anywhere in env and a detach, counted
 * here as they would be.
 */
static void zero_ds(struct wc *w, struct wc_ds *ds, uint64_t off,
		    uint64_t len, uint64_t at, bool mapped_rw)
{
	w->st.zeroed += len;
	w->ops->zero(w->g, ds->gds, off, len,
		     mapped_rw ? at - w->base : WG_NOWHERE);
}

void wc_back_zero(struct wc *w, uint64_t s, uint64_t e)
{
	struct rg_node *n;

	s = wc_max(s, w->base);
	e = wc_min(e, w->top);
	if (s >= e)
		return;
	if (w->lazy) {
		uint64_t lo, hi;

		/* the RAM goes back; the next touch brings a fresh chunk,
		 * read-only pages show the zero pages again */
		drop(w, s, e, DROP_CONTENT, &lo, &hi);
		wc_back_commit(w, lo, hi);
		return;
	}
	for (n = rg_find(&w->exts, s); n && n->start < e; n = rg_next(n)) {
		struct wc_ext *x = wc_ext_of(n);
		uint64_t a = wc_max(s, n->start), b = wc_min(e, n->end);

		if (x->ds && !wc_is_zero(w, x->ds))
			zero_ds(w, x->ds, x->off + (a - n->start), b - a, a,
				(x->rights & WR_W) != 0);
	}
}

void wc_back_zero_object(struct wc *w, struct wc_vma *v, uint64_t s,
			 uint64_t e)
{
	struct wc_obj *o = v->obj;
	uint64_t pg, lo, hi;

	if (!o || !o->ds)
		return;
	/* the object pages the range shows, through this mapping when it
	 * is writeable */
	pg = wc_vma_pgoff_at(v, s);
	lo = wc_max(pg, o->pg0);
	hi = wc_min(pg + ((e - s) >> WC_SHIFT), o->pg0 + o->npages);
	if (lo < hi)
		zero_ds(w, o->ds, (lo - o->pg0) << WC_SHIFT,
			(hi - lo) << WC_SHIFT, s + ((lo - pg) << WC_SHIFT),
			(v->flags & LX_VM_WRITE) != 0);
}

void wc_back_move(struct wc *w, uint64_t s, uint64_t len, uint64_t d)
{
	struct wc_ext **moved = NULL;
	size_t k = 0, cap = 0, i;
	struct rg_node *n;
	uint64_t e = s + len;

	cut(w, s);
	cut(w, e);
	for (n = rg_find(&w->exts, s); n && n->start < e; n = rg_next(n)) {
		if (k == cap) {
			cap = cap ? cap * 2 : 16;
			moved = realloc(moved, cap * sizeof(*moved));
			if (!moved) {
				fputs("rmsim: out of memory in a window "
				      "policy\n",
				      stderr);
				abort();
			}
		}
		moved[k++] = wc_ext_of(n);
	}
	for (i = 0; i < k; i++) {
		wc_ext_detach(w, moved[i]);
		rg_erase(&w->exts, &moved[i]->n);
	}
	for (i = 0; i < k; i++) {
		moved[i]->n.start = moved[i]->n.start - s + d;
		moved[i]->n.end = moved[i]->n.end - s + d;
		rg_insert(&w->exts, &moved[i]->n);
	}
	free(moved);
	/* the pieces cut off either side attach again; the source itself
	 * is the caller's (unmapped, or mapped again empty) */
	wc_sync(w, s - WC_PAGE, s);
	wc_sync(w, e, e + WC_PAGE);
	wc_sync(w, d, d + len);
}

int wc_back_guard(struct wc *w, uint64_t s, uint64_t e)
{
	uint64_t lo, hi, q = s;
	struct rg_node *n;

	drop(w, s, e, DROP_NOT_GUARDS, &lo, &hi);
	for (n = rg_find(&w->exts, s);; n = rg_next(n)) {
		uint64_t hs = n ? wc_min(wc_max(n->start, q), e) : e;

		if (hs > q)
			wc_ext_new(w, q, hs, NULL, 0, false);
		if (!n || n->start >= e)
			break;
		q = wc_max(q, n->end);
	}
	return wc_sync(w, lo, hi);
}

void wc_back_unguard(struct wc *w, uint64_t s, uint64_t e)
{
	struct rg_node *n = rg_find(&w->exts, s);

	while (n && n->start < e) {
		struct wc_ext *x = wc_ext_of(n);
		uint64_t cont;

		if (x->ds) {
			n = rg_next(n);
			continue;
		}
		if (x->n.start < s)
			x = wc_ext_split(w, x, s);
		if (x->n.end > e)
			wc_ext_split(w, x, e);
		cont = x->n.end;
		wc_ext_free(w, x);
		n = rg_find(&w->exts, cont);
	}
	/* the pages are zero-fill again, or show their object */
	wc_back_commit(w, s, e);
}

bool wc_back_guarded(const struct wc *w, uint64_t addr)
{
	struct wc_ext *x = wc_ext_at(w, addr);

	return x && !x->ds;
}

uint64_t wc_back_first_guard(const struct wc *w, uint64_t s, uint64_t e)
{
	struct rg_node *n;

	for (n = rg_find(&w->exts, s); n && n->start < e; n = rg_next(n))
		if (!wc_ext_of(n)->ds)
			return wc_max(n->start, s);
	return e;
}

bool wc_back_present(const struct wc *w, uint64_t s, uint64_t e)
{
	uint64_t h;

	for (h = s; h < e; h += WC_PMD) {
		struct rg_node *n = rg_find(&w->exts, h);
		bool any = false;

		for (; n && n->start < h + WC_PMD; n = rg_next(n))
			if (wc_ext_of(n)->ds) {
				any = true;
				break;
			}
		if (!any)
			return false;
	}
	return true;
}

/* ---- teardown ---- */

void wc_back_fini(struct wc *w)
{
	struct rg_node *n;

	while ((n = w->viewt.root)) {
		rg_erase(&w->viewt, n);
		free(n);
	}
	while ((n = w->exts.root)) {
		struct wc_ext *x = wc_ext_of(n);

		rg_erase(&w->exts, n);
		if (x->ds && !x->ds->pooled)
			wc_ds_put(w, x->ds);
	}
	while (w->ext_blocks) {
		struct wc_ext_block *b = w->ext_blocks;

		w->ext_blocks = b->next;
		free(b);
	}
	w->ext_free = NULL;
	w->ext_cap = 0;
	wc_pool_fini(w);
	wc_zero_fini(w);
}
