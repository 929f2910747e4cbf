/*
 * win_check.c - the invariant checker of the window policies, both
 * sides: Linux's view (the VMAs) and Genode's (extents, views, the
 * attachments the Genode side holds).
 *
 * ALGORITHM
 *
 * wc_check walks the VMAs, then wc_back_check the extents and the
 * views, each once, and asks the Genode side (the wg_ops table) whether
 * every attachment recorded is there as recorded and whether the maps
 * hold no others.  A range is checked extent by extent, never page by
 * page, so that a check does not cost a step per page of a mapping of
 * terabytes (except where views differ from what they should be, to
 * name the page).
 *
 * INVARIANTS
 *
 *   The six of win_core.c's file comment: this file is where they are
 *   written down as code.  The checker changes nothing.
 */
#include "win_core.h"

#include <stdio.h>
#include <stdlib.h>

/* ---- Linux's view ---- */

int wc_check(const void *st, char *why, size_t size)
{
	const struct wc *w = st;
	uint64_t n, mapped = 0, locked = 0;
	struct rg_node *p;

	if (wc_tree_check(&w->vmas, &n, why, size))
		return -1;
	if (n != w->map_count) {
		snprintf(why, size, "%llu VMAs, map_count %llu",
			 (unsigned long long)n,
			 (unsigned long long)w->map_count);
		return -1;
	}
	for (p = rg_first(&w->vmas); p; p = rg_next(p)) {
		const struct wc_vma *v = wc_vma_of(p);

		if (p->start < w->base || p->end > w->top) {
			snprintf(why, size, "VMA %#llx outside the window",
				 (unsigned long long)p->start);
			return -1;
		}
		if ((v->flags & LX_VM_SHARED) && !v->obj) {
			snprintf(why, size, "shared VMA %#llx without object",
				 (unsigned long long)p->start);
			return -1;
		}
		if (v->obj && !v->obj->refs) {
			snprintf(why, size, "VMA %#llx: dead object",
				 (unsigned long long)p->start);
			return -1;
		}
		mapped += p->end - p->start;
		if (v->flags & LX_VM_LOCKED)
			locked += p->end - p->start;
	}
	if (mapped != w->mapped || locked != w->locked) {
		snprintf(why, size, "counters: mapped %llu/%llu, locked "
			 "%llu/%llu", (unsigned long long)mapped,
			 (unsigned long long)w->mapped,
			 (unsigned long long)locked,
			 (unsigned long long)w->locked);
		return -1;
	}
	if (!w->ops->window_attached(w->g)) {
		snprintf(why, size, "the window is not attached at %#llx",
			 (unsigned long long)w->base);
		return -1;
	}
	return wc_back_check(w, why, size);
}

/* ---- Genode's ---- */

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
	struct wc_runs want = {0};
	struct rg_node *n;
	int rc = -1;

	if (wc_tree_check(&w->exts, &nx, why, size) ||
	    wc_tree_check(&w->viewt, &nv, why, size) ||
	    wc_pool_check(w, why, size) ||
	    wc_ext_records_check(w, why, size))
		return -1;
	for (n = rg_first(&w->exts); n; n = rg_next(n)) {
		struct wc_ext *x = wc_ext_of(n);
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
			pe = wc_min(v->n.end, n->end);
		}
		if (x->in_l) {
			if (x->rights != WC_ALL_RIGHTS) {
				snprintf(why, size, "lazy extent %#llx not "
					 "attached",
					 (unsigned long long)n->start);
				return -1;
			}
			if (wc_wants_ro(w, n->start, n->end)) {
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
		if (wc_is_zero(w, x->ds)) {
			uint64_t p2;

			for (p2 = n->start; p2 < n->end;) {
				r = wc_piece(w, p2, n->end, &p2);
				if (!r || (r & WR_W)) {
					snprintf(why, size, "zero pages at "
						 "%#llx under rights %u",
						 (unsigned long long)n->start,
						 r);
					return -1;
				}
			}
		}
		r = wc_ext_piece(w, x, n->start, n->end, &pe);
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
		pos = wc_max(pos, v->n.start);
		r = wc_piece(w, pos, v->n.end, &pe);
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
		wc_want_views(w, w->base, w->top, &want);
		if (!wc_views_equal(w, w->base, w->top, &want)) {
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
						    wc_view_of(m)->rights) {
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
				      n->start - w->base, wc_view_of(n)->rights,
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
