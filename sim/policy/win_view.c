/*
 * win_view.c - the lazy map of the `lazy` policy: its views in the
 * window and its fault handler.
 *
 * ALGORITHM
 *
 * `lazy` gives private memory its RAM on the first touch.  The window
 * shows a second region map, the lazy map, through views: the lazy
 * map's dataspace attached at the same offset it has, with the rights
 * of the VMAs, over every accessible page that is not backed in the
 * window itself.  A touch of an unbacked page under a view faults in the
 * lazy map, whose handler (wc_fault) attaches a chunk of fresh RAM there
 * around the page: aligned to the chunk size, inside the VMA, not over
 * pages already backed.  Faults anywhere else in the window (unmapped,
 * PROT_NONE, guards) find no handler and stop the thread: SIGSEGV, not
 * a hang.  wc_sync (win_back.c) asks for the views a range wants and
 * replaces them only where they differ.
 *
 * INVARIANTS (5 of win_core.c, checked by wc_back_check in win_check.c)
 *
 *   - The views cover exactly the accessible pages not backed in the
 *     window, with their rights; the window map holds them as recorded.
 *   - A fault is resolved only on an accessible page without backing;
 *     anything else leaves the thread stopped (counted as refused).
 */
#include "win_core.h"

#include <stdlib.h>

/*
 * The views [a, b) should have: accessible pages not backed in the
 * window itself (unbacked, or backed in the lazy map), by rights.
 */
void wc_want_views(const struct wc *w, uint64_t a, uint64_t b,
		   struct wc_runs *out)
{
	uint64_t pos, pe, q;
	struct rg_node *n;
	uint8_t r;

	for (pos = a; pos < b; pos = pe) {
		r = wc_piece(w, pos, b, &pe);
		if (!r)
			continue;
		q = pos;
		for (n = rg_find(&w->exts, pos); n && n->start < pe;
		     n = rg_next(n)) {
			struct wc_ext *x = wc_ext_of(n);

			if (x->ds && x->in_l)
				continue;
			if (n->start > q)
				wc_runs_add(out, q, n->start, r);
			q = wc_max(q, n->end);
		}
		if (q < pe)
			wc_runs_add(out, q, pe, r);
	}
}

/* Views overlapping [a, b) widen it to their whole extent. */
void wc_views_widen(const struct wc *w, uint64_t *a, uint64_t *b)
{
	struct rg_node *n = rg_find(&w->viewt, *a);

	if (n && n->start < *a)
		*a = n->start;
	n = rg_find(&w->viewt, *b - 1);
	if (n && n->start < *b && n->end > *b)
		*b = n->end;
}

bool wc_views_equal(const struct wc *w, uint64_t a, uint64_t b,
		    const struct wc_runs *want)
{
	struct rg_node *n = rg_find(&w->viewt, a);
	size_t i = 0;

	for (; n && n->start < b; n = rg_next(n), i++)
		if (i >= want->n || want->r[i][0] != n->start ||
		    want->r[i][1] != n->end ||
		    want->r[i][2] != wc_view_of(n)->rights)
			return false;
	return i == want->n;
}

void wc_views_drop(struct wc *w, uint64_t a, uint64_t b)
{
	struct rg_node *n = rg_find(&w->viewt, a), *next;

	for (; n && n->start < b; n = next) {
		next = rg_next(n);
		w->ops->detach(w->g, WG_WINDOW, n->start - w->base);
		rg_erase(&w->viewt, n);
		free(n);
	}
}

int wc_views_add(struct wc *w, const struct wc_runs *want)
{
	size_t i;
	int err = 0;

	for (i = 0; i < want->n; i++) {
		struct wc_view *v;
		uint64_t s = want->r[i][0], e = want->r[i][1];
		int e2 = wc_attach(w, WG_WINDOW, NULL, s, e - s, s - w->base,
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
/* ---- the fault handler ---- */

/* Resolve a fault at addr, or say it cannot be. */
static bool resolve(struct wc *w, uint64_t addr, enum wg_fault type)
{
	struct wc_vma *v = wc_vma_at(w, addr);
	struct rg_node *n;
	struct wc_ext *x;
	struct wc_ds *ds;
	uint64_t cs, ce, off, pe;
	uint8_t r;

	if (!v || !wc_page_rights(w, addr) || wc_ext_at(w, addr))
		return false;	/* SIGSEGV on Linux: the thread stays */
	if (v->flags & LX_VM_SHARED) {
		wc_back_objects(w, v->n.start, v->n.end);
		return wc_ext_at(w, addr) != NULL;
	}
	/* a chunk around the page: aligned, inside the VMA, not over
	 * pages already backed */
	cs = wc_max(addr & ~(w->chunk - 1), v->n.start);
	ce = wc_min((addr & ~(w->chunk - 1)) + w->chunk, v->n.end);
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
	x = wc_ext_new(w, cs, ce, ds, off, w->views);
	w->st.chunks++;
	/* Linux gives the VMA its anon_vma on the write fault, or on a
	 * read one that maps a huge page */
	if (type == WG_FAULT_WRITE || wc_thp_eligible(v, addr))
		wc_anon_prepare(w, v);
	/* attaching where the thread faulted wakes it; wc_sync then moves
	 * the chunk into the window if the page is read-only */
	r = wc_page_rights(w, addr);
	if (wc_ext_attach(w, x, r))
		return false;
	/* A chunk whose pages all want the rights it got, writable when in
	 * the lazy map, is what wc_sync would leave: the views do not
	 * depend on lazy-map chunks.  Skipping it keeps a fault O(log n)
	 * instead of a walk over every extent under the view.  Its pool
	 * pages are still cleared, as wc_sync's last step would: through
	 * the view that shows the chunk writeable. */
	if (wc_piece(w, cs, ce, &pe) != r || pe < ce ||
	    (x->in_l && !(r & WR_W)))
		wc_sync(w, cs, ce);
	else if (x->in_l)
		wc_ext_clean(w, x);
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
