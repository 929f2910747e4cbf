/*
 * win_zero.c - the zero pages of the window policies: what read-only
 * memory that holds nothing yet shows, as Linux shows its zero page.
 *
 * Accessible pages that cannot be written and hold nothing yet (a fresh
 * PROT_READ mapping, a library's text as far as contents go) show one
 * shared dataspace of zeroes, read-only: they cost no RAM and, in
 * `lazy`, no view.  When such a page becomes writable or inaccessible,
 * the zero pages are taken away and it gets RAM (`window`) or a view
 * (`lazy`) like any other (win_back.c).
 *
 * ALGORITHM
 *
 * The dataspace is one huge page, attached in slices.  A run longer
 * than WC_ZERO_FAN slices uses a region map holding that many slices
 * (1 GiB), and one longer than that many of those a map of maps
 * (512 GiB): the levels are built on first use and kept until the
 * policy ends.  A run of any length so costs at most about WC_ZERO_FAN
 * attachments plus one per 512 GiB, and the path of a fault stays
 * within core's nesting limit (env, window, two zero maps).
 *
 * INVARIANTS (checked by wc_back_check, win_check.c)
 *
 *   - Zero pages back only accessible pages without write, and are never
 *     attached writeable (invariant 3 of win_core.c).
 *   - Every level above the first is made of slices of the level below,
 *     so the first exists whenever any does; each level is the policy's
 *     own (one reference) until wc_zero_fini.
 */
#include "win_core.h"

#include <stdlib.h>

/* the zero pages: one huge page's worth, attached in slices; each level
 * above is a region map of WC_ZERO_FAN slices of the one below */
#define ZERO_SIZE WC_PMD
#define ZERO_LEVELS 3

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
int wc_zero_fill(struct wc *w, uint64_t s, uint64_t e)
{
	struct wc_runs want = {0};
	uint64_t a, b;
	struct wc_ds *z;
	size_t i;
	int k;

	wc_unbacked(w, s, e, false, &want);
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
			b = wc_min(want.r[i][1], a + zero_size(k));
			wc_ext_new(w, a, b, z, 0, false);
			w->st.zero_extents++;
		}
	}
	free(want.r);
	return 0;
}

/* Zero pages under pages that now want write or no access go: the
 * shared zeroes must never be written, and a write needs RAM.  *lo and
 * *hi widen to the pieces left over, which must be attached again. */
void wc_zero_trim(struct wc *w, uint64_t s, uint64_t e, uint64_t *lo,
		  uint64_t *hi)
{
	struct rg_node *n;
	uint64_t pe, cont;

	if (!w->zero)
		return;	/* every level stands on the first */
	for (n = rg_find(&w->exts, s); n && n->start < e;) {
		struct wc_ext *x = wc_ext_of(n);
		bool keep = true;
		uint8_t r;

		cont = n->end;
		if (wc_is_zero(w, x->ds)) {
			for (pe = n->start; pe < n->end && keep;) {
				r = wc_piece(w, pe, n->end, &pe);
				keep = r && !(r & WR_W);
			}
		}
		if (!keep) {
			wc_ext_detach(w, x);
			*lo = wc_min(*lo, n->start);
			*hi = wc_max(*hi, n->end);
			while (x) {
				struct wc_ext *next = NULL;

				r = wc_piece(w, x->n.start, x->n.end, &pe);
				if (pe < x->n.end)
					next = wc_ext_split(w, x, pe);
				if (!r || (r & WR_W))
					wc_ext_free(w, x);
				x = next;
			}
		}
		n = rg_find(&w->exts, cont);
	}
}


void wc_zero_fini(struct wc *w)
{
	int k;

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
