/*
 * win_back.c - the Genode side of the window policies: RAM dataspaces,
 * their attachments in the window, the lazy map and its views, the
 * fault handler, zeroing and moving memory.
 *
 * What backs the window is a tree of extents (win_core.h): page ranges
 * backed by a RAM dataspace from some offset on, or guard markers.  An
 * extent is attached where it lives:
 *
 *  - in the window map, with the rights of the VMAs over it (split where
 *    those differ), or not at all while they are PROT_NONE;
 *  - lazy only: in the lazy map, with all rights, at the same
 *    coordinates.  The window shows the lazy map through views: the lazy
 *    map's dataspace attached at the same offset it has, with the rights
 *    of the VMAs, over every accessible page that is not backed in the
 *    window itself.  A touch of an unbacked page under a view faults in
 *    the lazy map, whose handler attaches a chunk of fresh RAM there.
 *    Faults anywhere else in the window (unmapped, PROT_NONE, guards)
 *    find no handler and stop the thread: SIGSEGV, not a hang.
 *
 * Rights are checked at the leaf, so a write to a read-only page backed
 * in the lazy map would fault in the lazy map, whose handler cannot
 * resolve it and would keep the thread queued in front of every later
 * fault.  Hence the rule: an extent stays in the lazy map only while
 * every view over it is writable; otherwise it moves into the window
 * (wc_sync), where the violation stops the thread instead.
 *
 * Accessible pages that cannot be written and hold nothing yet (a fresh
 * PROT_READ mapping, a library's text as far as contents go) show one
 * shared dataspace of zeroes, read-only, as Linux shows its zero page:
 * they cost no RAM and, in `lazy`, no view.  The dataspace is one huge
 * page, attached in slices; a run longer than WC_ZERO_FAN slices uses a
 * region map holding that many slices (1 GiB), and one longer than that
 * many of those a map of maps (512 GiB), so a run of any length costs at
 * most about WC_ZERO_FAN attachments plus one per 512 GiB, and the path
 * of a fault stays within core's nesting limit (env, window, two zero
 * maps).  When such a page becomes
 * writable or inaccessible, the zero page is taken away and it gets
 * RAM (`window`) or a view (`lazy`) like any other.
 *
 * wc_sync() is the one place that brings the attachments of a range in
 * line with the VMAs: the other functions change extents and let it
 * attach, split, move and re-view.
 */
#include "win_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define ALL_RIGHTS (WR_R | WR_W | WR_X)
/* the zero pages: one huge page's worth, attached in slices; each level
 * above is a region map of WC_ZERO_FAN slices of the one below */
#define ZERO_SIZE WC_PMD
#define WC_ZERO_FAN 512ULL
#define ZERO_LEVELS 3

/* what drop() removes */
enum { DROP_ALL, DROP_CONTENT, DROP_NOT_GUARDS };

static struct wc_ext *ext_of(struct rg_node *n)
{
	return (struct wc_ext *)n;
}

static struct wc_view *view_of(struct rg_node *n)
{
	return (struct wc_view *)n;
}

void *wc_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		fputs("rmsim: out of memory in a window policy\n", stderr);
		abort();
	}
	return p;
}

static uint64_t min64(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Is ds one of the levels of zero pages? */
static bool is_zero(const struct wc *w, const struct wc_ds *ds)
{
	return ds && (ds == w->zero || ds == w->zero_up[0] ||
		      ds == w->zero_up[1]);
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
static int attach(struct wc *w, enum wg_map map, struct wc_ds *ds,
		  uint64_t s, uint64_t size, uint64_t off, uint8_t rights)
{
	return w->ops->attach(w->g, map, ds ? ds->gds : NULL, s - w->base,
			      size, off, rights, &w->st.upgrades);
}

/* ---- extents ---- */

static struct wc_ext *ext_new(struct wc *w, uint64_t s, uint64_t e,
			      struct wc_ds *ds, uint64_t off, bool in_l)
{
	struct wc_ext *x = wc_xcalloc(1, sizeof(*x));

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

static void ext_detach(struct wc *w, struct wc_ext *x)
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
static void clean_ext(struct wc *w, struct wc_ext *x)
{
	uint8_t r = x->in_l ? wc_page_rights(w, x->n.start) : x->rights;

	if (x->ds->pooled)
		wc_mem_clean(w, x->ds, x->off, x->n.end - x->n.start,
			     (r & WR_W) ? x->n.start - w->base : WG_NOWHERE);
}

static int ext_attach(struct wc *w, struct wc_ext *x, uint8_t rights)
{
	int err;

	if (x->in_l)
		rights = ALL_RIGHTS;
	err = attach(w, x->in_l ? WG_LAZY : WG_WINDOW, x->ds, x->n.start,
		     x->n.end - x->n.start, x->off, rights);
	if (err)
		return err;
	x->rights = rights;
	/* in the lazy map, once the views show it (wc_sync) */
	if (!x->in_l)
		clean_ext(w, x);
	return 0;
}

static void ext_free(struct wc *w, struct wc_ext *x)
{
	ext_detach(w, x);
	rg_erase(&w->exts, &x->n);
	if (x->ds && x->ds->pooled) {
		x->ds->refs--;
		wc_mem_release(w, x->ds, x->off, x->n.end - x->n.start);
	} else if (x->ds) {
		wc_ds_put(w, x->ds);
	}
	free(x);
}

/* Cut a detached extent at @at; returns the upper piece. */
static struct wc_ext *ext_split(struct wc *w, struct wc_ext *x, uint64_t at)
{
	uint64_t end = x->n.end;
	uint64_t off = x->ds ? x->off + (at - x->n.start) : 0;

	x->n.end = at;
	rg_update(&x->n);
	return ext_new(w, at, end, x->ds, off, x->in_l);
}

/* The extent containing addr, or NULL. */
static struct wc_ext *ext_at(const struct wc *w, uint64_t addr)
{
	struct rg_node *n = rg_find(&w->exts, addr);

	return n && n->start <= addr ? ext_of(n) : NULL;
}

/* Make addr an extent boundary (detaching what straddles it). */
static void cut(struct wc *w, uint64_t addr)
{
	struct wc_ext *x = ext_at(w, addr);

	if (!x || x->n.start == addr)
		return;
	ext_detach(w, x);
	ext_split(w, x, addr);
}

/* ---- what the VMAs want ---- */

/*
 * The rights of the page at a, and in *end (at most lim) where the run
 * of pages with the same rights from the same VMA ends.  Pages of a
 * shared object beyond what it holds have none (SIGBUS on Linux).
 */
static uint8_t piece(const struct wc *w, uint64_t a, uint64_t lim,
		     uint64_t *end)
{
	struct wc_vma *v = wc_vma_find(w, a);
	uint64_t e, pg, lo, hi;
	uint8_t r;

	if (!v || v->n.start > a) {
		*end = v && v->n.start < lim ? v->n.start : lim;
		return 0;
	}
	e = min64(v->n.end, lim);
	r = wc_rights(v->flags);
	if ((v->flags & LX_VM_SHARED) && v->obj) {
		pg = wc_vma_pgoff_at(v, a);
		lo = v->obj->pg0;
		hi = lo + v->obj->npages;
		if (!v->obj->ds || pg >= hi) {
			r = 0;
		} else if (pg < lo) {
			r = 0;
			e = min64(e, a + ((lo - pg) << WC_SHIFT));
		} else {
			e = min64(e, a + ((hi - pg) << WC_SHIFT));
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
	return piece(w, addr, addr + WC_PAGE, &end);
}

/* Does any page of [s, e) want rights without write? */
static bool wants_ro(const struct wc *w, uint64_t s, uint64_t e)
{
	uint64_t pe;
	uint8_t r;

	for (; s < e; s = pe) {
		r = piece(w, s, e, &pe);
		if (r && !(r & WR_W))
			return true;
	}
	return false;
}

/* ---- views ---- */

struct runs {
	uint64_t (*r)[3];	/* start, end, rights */
	size_t n, cap;
};

static void runs_add(struct runs *v, uint64_t s, uint64_t e, uint8_t r)
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

/*
 * The views [a, b) should have: accessible pages not backed in the
 * window itself (unbacked, or backed in the lazy map), by rights.
 */
static void want_views(const struct wc *w, uint64_t a, uint64_t b,
		       struct runs *out)
{
	uint64_t pos, pe, q;
	struct rg_node *n;
	uint8_t r;

	for (pos = a; pos < b; pos = pe) {
		r = piece(w, pos, b, &pe);
		if (!r)
			continue;
		q = pos;
		for (n = rg_find(&w->exts, pos); n && n->start < pe;
		     n = rg_next(n)) {
			struct wc_ext *x = ext_of(n);

			if (x->ds && x->in_l)
				continue;
			if (n->start > q)
				runs_add(out, q, n->start, r);
			q = max64(q, n->end);
		}
		if (q < pe)
			runs_add(out, q, pe, r);
	}
}

/* Views overlapping [a, b) widen it to their whole extent. */
static void views_widen(const struct wc *w, uint64_t *a, uint64_t *b)
{
	struct rg_node *n = rg_find(&w->viewt, *a);

	if (n && n->start < *a)
		*a = n->start;
	n = rg_find(&w->viewt, *b - 1);
	if (n && n->start < *b && n->end > *b)
		*b = n->end;
}

static bool views_equal(const struct wc *w, uint64_t a, uint64_t b,
			const struct runs *want)
{
	struct rg_node *n = rg_find(&w->viewt, a);
	size_t i = 0;

	for (; n && n->start < b; n = rg_next(n), i++)
		if (i >= want->n || want->r[i][0] != n->start ||
		    want->r[i][1] != n->end ||
		    want->r[i][2] != view_of(n)->rights)
			return false;
	return i == want->n;
}

static void views_drop(struct wc *w, uint64_t a, uint64_t b)
{
	struct rg_node *n = rg_find(&w->viewt, a), *next;

	for (; n && n->start < b; n = next) {
		next = rg_next(n);
		w->ops->detach(w->g, WG_WINDOW, n->start - w->base);
		rg_erase(&w->viewt, n);
		free(n);
	}
}

static int views_add(struct wc *w, const struct runs *want)
{
	size_t i;
	int err = 0;

	for (i = 0; i < want->n; i++) {
		struct wc_view *v;
		uint64_t s = want->r[i][0], e = want->r[i][1];
		int e2 = attach(w, WG_WINDOW, NULL, s, e - s, s - w->base,
				(uint8_t)want->r[i][2]);

		if (e2) {
			err = err ? err : e2;
			continue;
		}
		v = wc_xcalloc(1, sizeof(*v));
		v->n.start = s;
		v->n.end = e;
		v->rights = (uint8_t)want->r[i][2];
		rg_insert(&w->viewt, &v->n);
	}
	return err;
}

/* ---- bringing Genode in line ---- */

/* The rights an extent gives the pages of [a, lim) from a on, and where
 * that run ends: the zero pages are never writeable. */
static uint8_t ext_piece(const struct wc *w, const struct wc_ext *x,
			 uint64_t a, uint64_t lim, uint64_t *end)
{
	uint64_t pe, p2;
	uint8_t r = piece(w, a, lim, &pe);

	/* runs of equal rights from different VMAs are one attachment */
	while (pe < lim) {
		if (piece(w, pe, lim, &p2) != r)
			break;
		pe = p2;
	}
	*end = pe;
	return is_zero(w, x->ds) ? r & ~WR_W : r;
}

/* Attach a window-resident extent by the rights its pages want, split
 * where those differ. */
static int sync_window_ext(struct wc *w, struct wc_ext *x)
{
	uint64_t pe;
	uint8_t r = ext_piece(w, x, x->n.start, x->n.end, &pe);
	int err = 0, e2;

	if (pe >= x->n.end && r == x->rights)
		return 0;	/* one run, attached as it wants */
	ext_detach(w, x);
	while (x) {
		struct wc_ext *next = NULL;

		r = ext_piece(w, x, x->n.start, x->n.end, &pe);
		if (pe < x->n.end)
			next = ext_split(w, x, pe);
		if (r) {
			e2 = ext_attach(w, x, r);
			err = err ? err : e2;
		}
		x = next;
	}
	return err;
}

int wc_sync(struct wc *w, uint64_t s, uint64_t e)
{
	struct runs want = {0};
	uint64_t a, b, va, vb, cont;
	struct rg_node *n;
	bool redo = false;
	int err = 0, e2;

	s = max64(s, w->base);
	e = min64(e, w->top);
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
			struct wc_ext *x = ext_of(n);

			if (x->in_l && wants_ro(w, n->start, n->end)) {
				ext_detach(w, x);
				x->in_l = false;
				w->st.migrations++;
			}
		}
		va = a;
		vb = b;
		views_widen(w, &va, &vb);
		want_views(w, va, vb, &want);
		redo = !views_equal(w, va, vb, &want);
		if (redo)
			views_drop(w, va, vb);
	}

	for (n = rg_find(&w->exts, a); n && n->start < b;) {
		struct wc_ext *x = ext_of(n);

		cont = n->end;
		if (!x->ds) {
			/* guard markers are never attached */
		} else if (x->in_l) {
			if (!x->rights) {
				e2 = ext_attach(w, x, ALL_RIGHTS);
				err = err ? err : e2;
			}
		} else {
			e2 = sync_window_ext(w, x);
			err = err ? err : e2;
		}
		n = rg_find(&w->exts, cont);
	}

	if (redo) {
		e2 = views_add(w, &want);
		err = err ? err : e2;
	}
	for (n = w->views ? rg_find(&w->exts, a) : NULL; n && n->start < b;
	     n = rg_next(n))
		if (ext_of(n)->in_l && ext_of(n)->rights)
			clean_ext(w, ext_of(n));
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
static void unbacked(const struct wc *w, uint64_t s, uint64_t e,
		     bool writable, struct runs *out)
{
	uint64_t pos, pe, q;
	struct rg_node *n;
	uint8_t r;

	for (pos = s; pos < e; pos = pe) {
		r = piece(w, pos, e, &pe);
		if (!r || !private_piece(w, pos) || !(r & WR_W) != !writable)
			continue;
		q = pos;
		for (n = rg_find(&w->exts, pos); n && n->start < pe;
		     n = rg_next(n)) {
			if (n->start > q)
				runs_add(out, q, n->start, 1);
			q = max64(q, n->end);
		}
		if (q < pe)
			runs_add(out, q, pe, 1);
	}
}

/* Fresh RAM for the writable unbacked pages of [s, e), a run at a time,
 * in the lazy map (in_l) or the window; wc_sync() attaches it. */
static int fill(struct wc *w, uint64_t s, uint64_t e, bool in_l)
{
	struct runs want = {0};
	size_t i;
	int err = 0;

	unbacked(w, s, e, true, &want);
	for (i = 0; i < want.n && !err; i++) {
		struct wc_ds *ds;
		uint64_t off;

		err = wc_mem_alloc(w, want.r[i][1] - want.r[i][0], &ds, &off);
		if (!err)
			ext_new(w, want.r[i][0], want.r[i][1], ds, off, in_l);
	}
	free(want.r);
	return err;
}

static void objects(struct wc *w, uint64_t s, uint64_t e);

/* The size of the zero pages of level k. */
static uint64_t zero_size(int k)
{
	uint64_t sz = ZERO_SIZE;

	while (k-- > 0)
		sz *= WC_ZERO_FAN;
	return sz;
}

/* The zero pages of level k, built on first use (NULL when the PD
 * cannot pay). */
static struct wc_ds *zero_level(struct wc *w, int k)
{
	struct wc_ds *below, *ds;
	struct wg_ds *g;

	if (k == 0) {
		if (!w->zero) {
			w->zero = wc_ds_alloc(w, ZERO_SIZE);
			if (w->zero)
				w->zero->refs = 1;	/* the policy's own */
		}
		return w->zero;
	}
	if (w->zero_up[k - 1])
		return w->zero_up[k - 1];
	below = zero_level(w, k - 1);
	if (!below)
		return NULL;
	g = w->ops->slices_new(w->g, below->gds, zero_size(k - 1), WC_ZERO_FAN,
			       &w->st.upgrades);
	if (!g)
		return NULL;
	ds = wc_xcalloc(1, sizeof(*ds));
	ds->gds = g;
	ds->size = zero_size(k);
	ds->refs = 1;	/* the policy's own */
	w->zero_up[k - 1] = ds;
	return ds;
}

/* The zero pages for the read-only unbacked pages of [s, e): slices of
 * the smallest level that needs at most WC_ZERO_FAN of them. */
static int zero_fill(struct wc *w, uint64_t s, uint64_t e)
{
	struct runs want = {0};
	uint64_t a, b;
	struct wc_ds *z;
	size_t i;
	int k;

	unbacked(w, s, e, false, &want);
	for (i = 0; i < want.n; i++) {
		for (a = want.r[i][0]; a < want.r[i][1]; a = b) {
			for (k = 0; k < ZERO_LEVELS - 1 &&
				    want.r[i][1] - a >
					    WC_ZERO_FAN * zero_size(k);
			     k++)
				;
			z = zero_level(w, k);
			if (!z) {
				free(want.r);
				return -LX_ENOMEM;
			}
			b = min64(want.r[i][1], a + zero_size(k));
			ext_new(w, a, b, z, 0, false);
			w->st.zero_extents++;
		}
	}
	free(want.r);
	return 0;
}

/* Zero pages under pages that now want write or no access go: the
 * shared zeroes must never be written, and a write needs RAM.  *lo and
 * *hi widen to the pieces left over, which must be attached again. */
static void zero_trim(struct wc *w, uint64_t s, uint64_t e, uint64_t *lo,
		      uint64_t *hi)
{
	struct rg_node *n;
	uint64_t pe, cont;

	if (!w->zero)
		return;	/* every level stands on the first */
	for (n = rg_find(&w->exts, s); n && n->start < e;) {
		struct wc_ext *x = ext_of(n);
		bool keep = true;
		uint8_t r;

		cont = n->end;
		if (is_zero(w, x->ds)) {
			for (pe = n->start; pe < n->end && keep;) {
				r = piece(w, pe, n->end, &pe);
				keep = r && !(r & WR_W);
			}
		}
		if (!keep) {
			ext_detach(w, x);
			*lo = min64(*lo, n->start);
			*hi = max64(*hi, n->end);
			while (x) {
				struct wc_ext *next = NULL;

				r = piece(w, x->n.start, x->n.end, &pe);
				if (pe < x->n.end)
					next = ext_split(w, x, pe);
				if (!r || (r & WR_W))
					ext_free(w, x);
				x = next;
			}
		}
		n = rg_find(&w->exts, cont);
	}
}

int wc_back_commit(struct wc *w, uint64_t s, uint64_t e)
{
	uint64_t lo, hi;
	int err, e2;

	s = max64(s, w->base);
	e = min64(e, w->top);
	if (s >= e)
		return 0;
	lo = s;
	hi = e;
	objects(w, s, e);
	zero_trim(w, s, e, &lo, &hi);
	err = zero_fill(w, s, e);
	if (!err && !w->lazy)
		err = fill(w, s, e, false);
	e2 = wc_sync(w, lo, hi);
	return err ? err : e2;
}

int wc_back_populate(struct wc *w, uint64_t s, uint64_t e)
{
	int err, e2;

	s = max64(s, w->base);
	e = min64(e, w->top);
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

	s = max64(s, w->base);
	e = min64(e, w->top);
	for (v = wc_vma_find(w, s); v && v->n.start < e; v = wc_vma_next(v)) {
		struct wc_obj *o = v->obj;

		if (!(v->flags & LX_VM_SHARED) || !o || !o->ds)
			continue;
		a = max64(v->n.start, s);
		b = min64(v->n.end, e);
		/* clip to the pages the object holds */
		if (wc_vma_pgoff_at(v, a) < o->pg0)
			a = min64(b, a + ((o->pg0 - wc_vma_pgoff_at(v, a))
					  << WC_SHIFT));
		if (wc_vma_pgoff_at(v, a) >= o->pg0 + o->npages)
			continue;
		pe = a + ((o->pg0 + o->npages - wc_vma_pgoff_at(v, a))
			  << WC_SHIFT);
		b = min64(b, pe);
		q = a;
		for (n = rg_find(&w->exts, a);; n = rg_next(n)) {
			uint64_t hs = n ? min64(max64(n->start, q), b) : b;

			if (hs > q)
				ext_new(w, q, hs, o->ds,
					(wc_vma_pgoff_at(v, q) - o->pg0)
						<< WC_SHIFT,
					false);
			if (!n || n->start >= b)
				break;
			q = max64(q, n->end);
		}
	}
}

int wc_back_objects(struct wc *w, uint64_t s, uint64_t e)
{
	objects(w, max64(s, w->base), min64(e, w->top));
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
		struct wc_ext *x = ext_of(n);
		uint64_t cont;

		if ((!x->ds && mode != DROP_ALL) ||
		    (is_zero(w, x->ds) && mode == DROP_CONTENT)) {
			n = rg_next(n);
			continue;
		}
		if (x->n.start < s || x->n.end > e) {
			ext_detach(w, x);
			*lo = min64(*lo, x->n.start);
			*hi = max64(*hi, x->n.end);
			if (x->n.start < s)
				x = ext_split(w, x, s);
			if (x->n.end > e)
				ext_split(w, x, e);
		}
		cont = x->n.end;
		ext_free(w, x);
		n = rg_find(&w->exts, cont);
	}
}

void wc_back_drop(struct wc *w, uint64_t s, uint64_t e)
{
	uint64_t lo, hi;

	s = max64(s, w->base);
	e = min64(e, w->top);
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

	s = max64(s, w->base);
	e = min64(e, w->top);
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
		struct wc_ext *x = ext_of(n);
		uint64_t a = max64(s, n->start), b = min64(e, n->end);

		if (x->ds && !is_zero(w, x->ds))
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
	lo = max64(pg, o->pg0);
	hi = min64(pg + ((e - s) >> WC_SHIFT), o->pg0 + o->npages);
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
		moved[k++] = ext_of(n);
	}
	for (i = 0; i < k; i++) {
		ext_detach(w, moved[i]);
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
		uint64_t hs = n ? min64(max64(n->start, q), e) : e;

		if (hs > q)
			ext_new(w, q, hs, NULL, 0, false);
		if (!n || n->start >= e)
			break;
		q = max64(q, n->end);
	}
	return wc_sync(w, lo, hi);
}

void wc_back_unguard(struct wc *w, uint64_t s, uint64_t e)
{
	struct rg_node *n = rg_find(&w->exts, s);

	while (n && n->start < e) {
		struct wc_ext *x = ext_of(n);
		uint64_t cont;

		if (x->ds) {
			n = rg_next(n);
			continue;
		}
		if (x->n.start < s)
			x = ext_split(w, x, s);
		if (x->n.end > e)
			ext_split(w, x, e);
		cont = x->n.end;
		ext_free(w, x);
		n = rg_find(&w->exts, cont);
	}
	/* the pages are zero-fill again, or show their object */
	wc_back_commit(w, s, e);
}

bool wc_back_guarded(const struct wc *w, uint64_t addr)
{
	struct wc_ext *x = ext_at(w, addr);

	return x && !x->ds;
}

uint64_t wc_back_first_guard(const struct wc *w, uint64_t s, uint64_t e)
{
	struct rg_node *n;

	for (n = rg_find(&w->exts, s); n && n->start < e; n = rg_next(n))
		if (!ext_of(n)->ds)
			return max64(n->start, s);
	return e;
}

bool wc_back_present(const struct wc *w, uint64_t s, uint64_t e)
{
	uint64_t h;

	for (h = s; h < e; h += WC_PMD) {
		struct rg_node *n = rg_find(&w->exts, h);
		bool any = false;

		for (; n && n->start < h + WC_PMD; n = rg_next(n))
			if (ext_of(n)->ds) {
				any = true;
				break;
			}
		if (!any)
			return false;
	}
	return true;
}

/* ---- faults ---- */

/* Resolve a fault at addr, or say it cannot be. */
static bool resolve(struct wc *w, uint64_t addr, enum wg_fault type)
{
	struct wc_vma *v = wc_vma_at(w, addr);
	struct rg_node *n;
	struct wc_ext *x;
	struct wc_ds *ds;
	uint64_t cs, ce, off, pe;
	uint8_t r;

	if (!v || !wc_page_rights(w, addr) || ext_at(w, addr))
		return false;	/* SIGSEGV on Linux: the thread stays */
	if (v->flags & LX_VM_SHARED) {
		wc_back_objects(w, v->n.start, v->n.end);
		return ext_at(w, addr) != NULL;
	}
	/* a chunk around the page: aligned, inside the VMA, not over
	 * pages already backed */
	cs = max64(addr & ~(w->chunk - 1), v->n.start);
	ce = min64((addr & ~(w->chunk - 1)) + w->chunk, v->n.end);
	n = rg_find(&w->exts, addr);
	if (n && n->start < ce)
		ce = n->start;
	/* the last extent below addr */
	if (n) {
		n = rg_prev(n);
	} else {
		for (n = w->exts.root; n && n->c[1]; n = n->c[1])
			;
	}
	if (n && n->end > cs)
		cs = n->end;
	if (wc_mem_alloc(w, ce - cs, &ds, &off))
		return false;	/* out of quota: Linux would OOM-kill */
	x = ext_new(w, cs, ce, ds, off, w->views);
	w->st.chunks++;
	/* Linux gives the VMA its anon_vma on the write fault, or on a
	 * read one that maps a huge page */
	if (type == WG_FAULT_WRITE || wc_thp_eligible(v, addr))
		wc_anon_prepare(w, v);
	/* attaching where the thread faulted wakes it; wc_sync then moves
	 * the chunk into the window if the page is read-only */
	r = wc_page_rights(w, addr);
	if (ext_attach(w, x, r))
		return false;
	/* A chunk whose pages all want the rights it got, writable when in
	 * the lazy map, is what wc_sync would leave: the views do not
	 * depend on lazy-map chunks.  Skipping it keeps a fault O(log n)
	 * instead of a walk over every extent under the view.  Its pool
	 * pages are still cleared, as wc_sync's last step would: through
	 * the view that shows the chunk writeable. */
	if (piece(w, cs, ce, &pe) != r || pe < ce || (x->in_l && !(r & WR_W)))
		wc_sync(w, cs, ce);
	else if (x->in_l)
		clean_ext(w, x);
	return true;
}

void wc_fault(void *st, enum wg_map map)
{
	struct wc *w = st;
	unsigned i;

	for (i = 0; i < 64; i++) {
		uint64_t addr;
		enum wg_fault f = w->ops->fault(w->g, map, &addr);

		if (f == WG_FAULT_NONE)
			return;
		w->st.faults++;
		if (!resolve(w, w->base + (addr & LX_PAGE_MASK), f)) {
			w->st.faults_refused++;
			return;
		}
	}
}

/* ---- teardown and checks ---- */

void wc_back_fini(struct wc *w)
{
	struct rg_node *n;
	int k;

	while ((n = w->viewt.root)) {
		rg_erase(&w->viewt, n);
		free(n);
	}
	while ((n = w->exts.root)) {
		struct wc_ext *x = ext_of(n);

		rg_erase(&w->exts, n);
		if (x->ds && !x->ds->pooled)
			wc_ds_put(w, x->ds);
		free(x);
	}
	wc_pool_fini(w);
	/* the maps of zero pages first: they hold slices of the RAM */
	for (k = 1; k >= 0; k--) {
		if (!w->zero_up[k])
			continue;
		w->ops->slices_free(w->g, w->zero_up[k]->gds);
		free(w->zero_up[k]);
		w->zero_up[k] = NULL;
	}
	if (w->zero)
		wc_ds_put(w, w->zero);
	w->zero = NULL;
}

/* Is the attachment at s of map what we think it is? */
static int check_att(const struct wc *w, enum wg_map map, uint64_t s,
		     uint64_t e, const struct wc_ds *ds, uint64_t off,
		     uint8_t rights, const char *what, char *why, size_t size)
{
	if (!w->ops->attached(w->g, map, s - w->base, e - s,
			      ds ? ds->gds : NULL, off, rights)) {
		snprintf(why, size, "%s [%#llx, %#llx) not attached as "
			 "recorded", what, (unsigned long long)s,
			 (unsigned long long)e);
		return -1;
	}
	return 0;
}

int wc_back_check(const struct wc *w, char *why, size_t size)
{
	uint64_t nx, nv, natt_w = 0, natt_l = 0, pos, pe;
	struct runs want = {0};
	struct rg_node *n;
	int rc = -1;

	if (wc_tree_check(&w->exts, &nx, why, size) ||
	    wc_tree_check(&w->viewt, &nv, why, size) ||
	    wc_pool_check(w, why, size))
		return -1;
	for (n = rg_first(&w->exts); n; n = rg_next(n)) {
		struct wc_ext *x = ext_of(n);
		uint8_t r;

		if (n->start < w->base || n->end > w->top) {
			snprintf(why, size, "extent %#llx outside the window",
				 (unsigned long long)n->start);
			return -1;
		}
		if (!x->ds) {
			if (x->rights || x->in_l) {
				snprintf(why, size, "guard %#llx attached",
					 (unsigned long long)n->start);
				return -1;
			}
			continue;
		}
		if (x->off + (n->end - n->start) > x->ds->size ||
		    !x->ds->refs) {
			snprintf(why, size, "extent %#llx beyond its "
				 "dataspace", (unsigned long long)n->start);
			return -1;
		}
		/* every page of it inside a VMA */
		for (pos = n->start; pos < n->end; pos = pe) {
			struct wc_vma *v = wc_vma_at(w, pos);

			if (!v) {
				snprintf(why, size, "extent %#llx: page %#llx "
					 "outside every VMA",
					 (unsigned long long)n->start,
					 (unsigned long long)pos);
				return -1;
			}
			pe = min64(v->n.end, n->end);
		}
		if (x->in_l) {
			if (x->rights != ALL_RIGHTS) {
				snprintf(why, size, "lazy extent %#llx not "
					 "attached",
					 (unsigned long long)n->start);
				return -1;
			}
			if (wants_ro(w, n->start, n->end)) {
				snprintf(why, size, "lazy extent %#llx under "
					 "a read-only view",
					 (unsigned long long)n->start);
				return -1;
			}
			if (check_att(w, WG_LAZY, n->start, n->end, x->ds,
				      x->off, x->rights, "lazy extent", why,
				      size))
				return -1;
			natt_l++;
			continue;
		}
		if (is_zero(w, x->ds)) {
			uint64_t p2;

			for (p2 = n->start; p2 < n->end;) {
				r = piece(w, p2, n->end, &p2);
				if (!r || (r & WR_W)) {
					snprintf(why, size, "zero pages at "
						 "%#llx under rights %u",
						 (unsigned long long)n->start,
						 r);
					return -1;
				}
			}
		}
		r = ext_piece(w, x, n->start, n->end, &pe);
		if (pe != n->end) {
			snprintf(why, size, "extent %#llx spans different "
				 "rights", (unsigned long long)n->start);
			return -1;
		}
		if (r != x->rights) {
			snprintf(why, size, "extent %#llx attached with "
				 "rights %u, wants %u",
				 (unsigned long long)n->start, x->rights, r);
			return -1;
		}
		if (r) {
			if (check_att(w, WG_WINDOW, n->start, n->end, x->ds,
				      x->off, r, "extent", why, size))
				return -1;
			natt_w++;
		}
	}
	/* every accessible private page is backed, except writable ones
	 * of lazy policies (they wait for their first touch) */
	for (pos = w->base; pos < w->top; pos = pe) {
		struct wc_vma *v = wc_vma_find(w, pos);
		uint64_t q;
		uint8_t r;

		if (!v)
			break;
		pos = max64(pos, v->n.start);
		r = piece(w, pos, v->n.end, &pe);
		if (!r || (v->flags & LX_VM_SHARED) || (w->lazy && (r & WR_W)))
			continue;
		/* extent by extent: the check must not cost a step per
		 * page of a mapping of terabytes */
		for (q = pos; q < pe;) {
			struct rg_node *x = rg_find(&w->exts, q);

			if (!x || x->start > q) {
				snprintf(why, size, "accessible page %#llx "
					 "without backing",
					 (unsigned long long)q);
				return -1;
			}
			q = x->end;
		}
	}
	if (w->views) {
		want_views(w, w->base, w->top, &want);
		if (!views_equal(w, w->base, w->top, &want)) {
			/* equal as sets of pages is enough: compare them */
			struct rg_node *m = rg_first(&w->viewt);
			size_t i = 0;
			uint64_t p;

			for (; m; m = rg_next(m))
				for (p = m->start; p < m->end; p += WC_PAGE) {
					while (i < want.n &&
					       want.r[i][1] <= p)
						i++;
					if (i >= want.n ||
					    want.r[i][0] > p ||
					    want.r[i][2] !=
						    view_of(m)->rights) {
						snprintf(why, size, "view page "
							 "%#llx not wanted",
							 (unsigned long long)p);
						goto out;
					}
				}
			for (i = 0; i < want.n; i++)
				for (p = want.r[i][0]; p < want.r[i][1];
				     p += WC_PAGE) {
					struct rg_node *vn =
						rg_find(&w->viewt, p);

					if (!vn || vn->start > p) {
						snprintf(why, size, "page "
							 "%#llx wants a view",
							 (unsigned long long)p);
						goto out;
					}
				}
		}
		for (n = rg_first(&w->viewt); n; n = rg_next(n))
			if (check_att(w, WG_WINDOW, n->start, n->end, NULL,
				      n->start - w->base, view_of(n)->rights,
				      "view", why, size))
				goto out;
		if (w->ops->count(w->g, WG_LAZY) != natt_l) {
			snprintf(why, size, "lazy map holds %llu "
				 "attachments, %llu recorded",
				 (unsigned long long)w->ops->count(w->g,
								   WG_LAZY),
				 (unsigned long long)natt_l);
			goto out;
		}
	}
	if (w->ops->count(w->g, WG_WINDOW) != natt_w + nv) {
		snprintf(why, size, "window holds %llu attachments, %llu "
			 "recorded",
			 (unsigned long long)w->ops->count(w->g, WG_WINDOW),
			 (unsigned long long)(natt_w + nv));
		goto out;
	}
	rc = 0;
out:
	free(want.r);
	return rc;
}
