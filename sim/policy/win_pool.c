/*
 * win_pool.c - where the window policies get private RAM: pools of
 * pages carved out of a few large dataspaces instead of one dataspace
 * per mapping.
 *
 * Every RAM dataspace costs a capability, and components have a few
 * hundred.  A runtime that maps each thread stack on its own (gccgo) or a
 * lazy policy that attaches a 64 KiB chunk per first touch would need
 * thousands.  So requests smaller than the pool size (parameter `pool`,
 * 2 MiB by default) take a run of pages from a pool dataspace of that
 * size, first fit over the pools; larger ones get a dataspace of their
 * own.  A page given back is marked dirty; the first attach of the
 * extent it is handed out to clears it (a store through that mapping,
 * no RPC: wc_mem_clean), so fresh memory reads zero as Linux's does.
 * A pool whose pages are all free is returned to the PD, except one
 * kept as a spare so that a program mapping and unmapping small ranges
 * does not allocate and free a dataspace each time.
 *
 * INVARIANTS (wc_pool_check)
 *   1. A pool's busy bits are exactly the pages its extents use, and
 *      `used` counts them.
 *   2. At most one pool is entirely free.
 *   3. The open list holds exactly the pools with a free page, in the
 *      order of the pool list; pools_empty counts those with none in
 *      use.
 *
 * COMPLEXITY
 *   An allocation scans the open pools' bitmaps, first fit in the pool
 *   list's order as if it scanned them all (a full pool fits nothing):
 *   O(open pools * pool pages / 64) words.  A lazy policy's faults, one
 *   chunk after another, fill pool after pool: the full ones cost
 *   nothing.  A pool that regains a page re-enters the open list at its
 *   place, O(open pools).
 */
#include "win_core.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static bool bit(const uint64_t *m, uint64_t i)
{
	return (m[i / 64] >> (i % 64)) & 1;
}

static void set_bits(uint64_t *m, uint64_t i, uint64_t n, bool v)
{
	for (; n; i++, n--) {
		if (v)
			m[i / 64] |= 1ULL << (i % 64);
		else
			m[i / 64] &= ~(1ULL << (i % 64));
	}
}

static uint64_t pool_pages(const struct wc *w)
{
	return w->pool >> WC_SHIFT;
}

/*
 * The first run of n free pages in p, or UINT64_MAX.  Word by word, a
 * run of free or busy bits at a time (count trailing zeros), so a pool's
 * 512 pages cost a handful of steps, not 512.
 */
static uint64_t first_fit(const struct wc *w, const struct wc_ds *p,
			  uint64_t n)
{
	uint64_t pages = pool_pages(w), words = (pages + 63) / 64, run = 0;
	uint64_t wi;

	for (wi = 0; wi < words; wi++) {
		uint64_t busy = p->busy[wi];
		unsigned pos = 0, k;

		/* pages past the pool's end count as busy */
		if (wi == words - 1 && pages % 64)
			busy |= ~0ULL << (pages % 64);
		while (pos < 64) {
			uint64_t rest = busy >> pos;

			if (rest & 1) {
				/* a busy run: skip it */
				k = ~rest ? (unsigned)__builtin_ctzll(~rest)
					  : 64 - pos;
				run = 0;
			} else {
				k = rest ? (unsigned)__builtin_ctzll(rest)
					 : 64 - pos;
				if (run + k >= n)
					return wi * 64 + pos - run;
				run += k;
			}
			pos += k;
		}
	}
	return UINT64_MAX;
}

void wc_mem_clean(struct wc *w, struct wc_ds *p, uint64_t off, uint64_t len,
		  uint64_t at)
{
	uint64_t first = off >> WC_SHIFT, end = first + (len >> WC_SHIFT);
	uint64_t i = first, j;

	/* a run of dirty pages at a time: one store each */
	while (i < end) {
		if (!bit(p->dirty, i)) {
			i++;
			continue;
		}
		for (j = i + 1; j < end && bit(p->dirty, j); j++)
			;
		w->ops->zero(w->g, p->gds, i << WC_SHIFT, (j - i) << WC_SHIFT,
			     at == WG_NOWHERE ? at
					      : at + ((i - first) << WC_SHIFT));
		w->st.zeroed += (j - i) << WC_SHIFT;
		i = j;
	}
	set_bits(p->dirty, first, end - first, false);
}

/* @p has a free page again (or is new): into the open list, in order. */
static void open_add(struct wc *w, struct wc_ds *p)
{
	struct wc_ds *q = w->pools_open, *prev = NULL;

	while (q && q->pseq > p->pseq) {
		prev = q;
		q = q->onext;
	}
	p->oprev = prev;
	p->onext = q;
	if (q)
		q->oprev = p;
	if (prev)
		prev->onext = p;
	else
		w->pools_open = p;
}

static void open_remove(struct wc *w, struct wc_ds *p)
{
	if (p->oprev)
		p->oprev->onext = p->onext;
	else
		w->pools_open = p->onext;
	if (p->onext)
		p->onext->oprev = p->oprev;
	p->onext = p->oprev = NULL;
}

static struct wc_ds *pool_new(struct wc *w)
{
	struct wc_ds *p = wc_ds_alloc(w, w->pool);
	uint64_t words = (pool_pages(w) + 63) / 64;

	if (!p)
		return NULL;
	p->pooled = true;
	p->busy = calloc(words, sizeof(uint64_t));
	p->dirty = calloc(words, sizeof(uint64_t));
	if (!p->busy || !p->dirty) {
		fputs("rmsim: out of memory in a window policy\n", stderr);
		abort();
	}
	p->pnext = w->pools;
	w->pools = p;
	p->pseq = ++w->pools_made;
	open_add(w, p);
	w->pools_empty++;
	w->st.pools++;
	return p;
}

int wc_mem_alloc(struct wc *w, uint64_t size, struct wc_ds **ds,
		 uint64_t *off)
{
	uint64_t n = size >> WC_SHIFT, i;
	struct wc_ds *p;

	if (!w->pool || size >= w->pool) {
		*ds = wc_ds_alloc(w, size);
		*off = 0;
		return *ds ? 0 : -LX_ENOMEM;
	}
	for (p = w->pools_open; p; p = p->onext) {
		if (pool_pages(w) - p->used < n)
			continue;
		i = first_fit(w, p, n);
		if (i != UINT64_MAX)
			break;
	}
	if (!p) {
		p = pool_new(w);
		if (!p)
			return -LX_ENOMEM;
		i = 0;
	}
	set_bits(p->busy, i, n, true);
	w->pools_empty -= !p->used;
	p->used += n;
	if (p->used == pool_pages(w))
		open_remove(w, p);
	*ds = p;
	*off = i << WC_SHIFT;
	return 0;
}

static void pool_free(struct wc *w, struct wc_ds *p)
{
	struct wc_ds **pp;

	for (pp = &w->pools; *pp != p; pp = &(*pp)->pnext)
		;
	*pp = p->pnext;
	if (p->used < pool_pages(w))
		open_remove(w, p);
	w->pools_empty -= !p->used;
	free(p->busy);
	free(p->dirty);
	p->busy = p->dirty = NULL;
	p->refs = 1;
	wc_ds_put(w, p);
}

void wc_mem_release(struct wc *w, struct wc_ds *p, uint64_t off,
		    uint64_t len)
{
	uint64_t i = off >> WC_SHIFT, n = len >> WC_SHIFT;

	set_bits(p->busy, i, n, false);
	set_bits(p->dirty, i, n, true);
	if (p->used == pool_pages(w) && n)
		open_add(w, p);
	p->used -= n;
	if (p->used)
		return;
	/* one empty pool stays as a spare */
	if (++w->pools_empty > 1)
		pool_free(w, p);
}

void wc_pool_fini(struct wc *w)
{
	while (w->pools)
		pool_free(w, w->pools);
}

int wc_pool_check(const struct wc *w, char *why, size_t size)
{
	const struct wc_ds *p;
	uint64_t words = (pool_pages(w) + 63) / 64, empty = 0, i;
	const struct wc_ds *o = w->pools_open;
	uint64_t *shadow = calloc(words ? words : 1, sizeof(uint64_t));
	struct rg_node *n;
	int rc = 0;

	if (!shadow)
		return 0;
	for (p = w->pools; p && !rc; p = p->pnext) {
		uint64_t used = 0;

		memset(shadow, 0, words * sizeof(uint64_t));
		for (n = rg_first(&w->exts); n; n = rg_next(n)) {
			const struct wc_ext *x = (const struct wc_ext *)n;

			if (x->ds != p)
				continue;
			for (i = x->off >> WC_SHIFT;
			     i < (x->off + n->end - n->start) >> WC_SHIFT;
			     i++) {
				if (bit(shadow, i)) {
					snprintf(why, size, "pool page %llu "
						 "used twice",
						 (unsigned long long)i);
					rc = -1;
				}
				set_bits(shadow, i, 1, true);
				used++;
			}
		}
		if (!rc && (memcmp(shadow, p->busy,
				   words * sizeof(uint64_t)) ||
			    used != p->used)) {
			snprintf(why, size, "pool of %llu pages with %llu "
				 "busy: busy pages differ from the extents",
				 (unsigned long long)pool_pages(w),
				 (unsigned long long)p->used);
			rc = -1;
		}
		empty += !p->used;
		/* the open list walks along: the next open pool is this one
		 * exactly when this one has a free page */
		if (!rc && (o == p) != (p->used < pool_pages(w))) {
			snprintf(why, size, "pool %llu %s the open list",
				 (unsigned long long)p->pseq,
				 o == p ? "full but on" : "open but not on");
			rc = -1;
		}
		if (o == p) {
			if (o->onext && o->onext->oprev != o) {
				snprintf(why, size, "open list broken at "
					 "pool %llu",
					 (unsigned long long)p->pseq);
				rc = -1;
			}
			o = o->onext;
		}
	}
	if (!rc && o) {
		snprintf(why, size, "open list names a pool not in the list");
		rc = -1;
	}
	if (!rc && empty != w->pools_empty) {
		snprintf(why, size, "%llu empty pools, counted %llu",
			 (unsigned long long)empty,
			 (unsigned long long)w->pools_empty);
		rc = -1;
	}
	if (!rc && empty > 1) {
		snprintf(why, size, "%llu empty pools",
			 (unsigned long long)empty);
		rc = -1;
	}
	free(shadow);
	return rc;
}
