/*
 * win_tree.c - an AVL tree of disjoint page ranges for the window
 * policies, augmented for hole searches.
 *
 * The same tree holds three kinds of range: VMAs, backing extents and
 * views (win_core.h); a node is the first member of each.  Every node
 * keeps, for its subtree, the lowest start (sub_lo), the highest end
 * (sub_hi) and the largest hole between two consecutive ranges
 * (sub_gap), recomputed from the children on every change on the path to
 * the root.  A hole search passes each subtree the ranges that bound it
 * from outside, so the holes at a subtree's edges are known too and no
 * node stores anything about its neighbours: a node can grow or shrink
 * in place (wt_update) without touching them.
 *
 * INVARIANTS (wt_check)
 *   1. In order, ranges are non-empty, page aligned and strictly
 *      increasing without overlap.
 *   2. Heights differ by at most one between siblings; parent links
 *      match child links.
 *   3. sub_lo, sub_hi and sub_gap equal what the children give.
 *
 * COMPLEXITY
 *   Insert, erase, update and find are O(log n).  A hole search visits
 *   the path to the answer and the two paths along the bounds of the
 *   search window, where a clipped hole may look big enough and not be:
 *   O(log n).  The tree allocates nothing.
 */
#include "win_core.h"

#include <stdio.h>

static int height(const struct wt_node *n)
{
	return n ? n->h : 0;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Recompute n's height and augmentation from its children. */
static void pull(struct wt_node *n)
{
	const struct wt_node *l = n->l, *r = n->r;
	uint64_t gap = 0;

	n->h = 1 + (height(l) > height(r) ? height(l) : height(r));
	n->sub_lo = l ? l->sub_lo : n->start;
	n->sub_hi = r ? r->sub_hi : n->end;
	if (l)
		gap = max64(l->sub_gap, n->start - l->sub_hi);
	if (r)
		gap = max64(gap, max64(r->sub_gap, r->sub_lo - n->end));
	n->sub_gap = gap;
}

static void set_child(struct wt_tree *t, struct wt_node *parent,
		      struct wt_node *old, struct wt_node *n)
{
	if (!parent)
		t->root = n;
	else if (parent->l == old)
		parent->l = n;
	else
		parent->r = n;
	if (n)
		n->p = parent;
}

static struct wt_node *rotate_left(struct wt_tree *t, struct wt_node *n)
{
	struct wt_node *r = n->r;

	set_child(t, n->p, n, r);
	n->r = r->l;
	if (r->l)
		r->l->p = n;
	r->l = n;
	n->p = r;
	pull(n);
	pull(r);
	return r;
}

static struct wt_node *rotate_right(struct wt_tree *t, struct wt_node *n)
{
	struct wt_node *l = n->l;

	set_child(t, n->p, n, l);
	n->l = l->r;
	if (l->r)
		l->r->p = n;
	l->r = n;
	n->p = l;
	pull(n);
	pull(l);
	return l;
}

/* Restore balance and augmentation from n up to the root. */
static void fix_up(struct wt_tree *t, struct wt_node *n)
{
	while (n) {
		int b;

		pull(n);
		b = height(n->l) - height(n->r);
		if (b > 1) {
			if (height(n->l->l) < height(n->l->r))
				rotate_left(t, n->l);
			n = rotate_right(t, n);
		} else if (b < -1) {
			if (height(n->r->r) < height(n->r->l))
				rotate_right(t, n->r);
			n = rotate_left(t, n);
		}
		n = n->p;
	}
}

void wt_insert(struct wt_tree *t, struct wt_node *n)
{
	struct wt_node *p = NULL, **link = &t->root;

	while (*link) {
		p = *link;
		link = n->start < p->start ? &p->l : &p->r;
	}
	n->l = n->r = NULL;
	n->p = p;
	*link = n;
	t->count++;
	fix_up(t, n);
}

void wt_erase(struct wt_tree *t, struct wt_node *n)
{
	struct wt_node *from;

	if (n->l && n->r) {
		/* the successor, which has no left child, takes n's place */
		struct wt_node *s = n->r;

		while (s->l)
			s = s->l;
		if (s->p == n) {
			from = s;
		} else {
			from = s->p;
			from->l = s->r;
			if (s->r)
				s->r->p = from;
			s->r = n->r;
			s->r->p = s;
		}
		set_child(t, n->p, n, s);
		s->l = n->l;
		s->l->p = s;
		s->h = n->h;
		fix_up(t, from);
	} else {
		struct wt_node *c = n->l ? n->l : n->r;

		from = n->p;
		set_child(t, from, n, c);
		fix_up(t, from);
	}
	n->l = n->r = n->p = NULL;
	t->count--;
	if (t->finger == n)
		t->finger = NULL;
}

void wt_update(struct wt_node *n)
{
	/* the shape does not change: heights stay, sums go up */
	for (; n; n = n->p)
		pull(n);
}

struct wt_node *wt_find(const struct wt_tree *t, uint64_t addr)
{
	struct wt_node *n = t->finger, *best = NULL;

	/* a node holding addr is the answer: ranges are disjoint */
	if (n && addr >= n->start && addr < n->end)
		return n;
	for (n = t->root; n;) {
		if (addr < n->end) {
			best = n;
			if (addr >= n->start)
				break;
			n = n->l;
		} else {
			n = n->r;
		}
	}
	/* the finger is a cache, not part of the tree's state */
	((struct wt_tree *)t)->finger = best;
	return best;
}

struct wt_node *wt_first(const struct wt_tree *t)
{
	struct wt_node *n = t->root;

	while (n && n->l)
		n = n->l;
	return n;
}

struct wt_node *wt_next(const struct wt_node *n)
{
	const struct wt_node *p;

	if (n->r) {
		n = n->r;
		while (n->l)
			n = n->l;
		return (struct wt_node *)n;
	}
	for (p = n->p; p && p->r == n; n = p, p = p->p)
		;
	return (struct wt_node *)p;
}

struct wt_node *wt_prev(const struct wt_node *n)
{
	const struct wt_node *p;

	if (n->l) {
		n = n->l;
		while (n->r)
			n = n->r;
		return (struct wt_node *)n;
	}
	for (p = n->p; p && p->l == n; n = p, p = p->p)
		;
	return (struct wt_node *)p;
}

struct gap_query {
	uint64_t low, high, len;
	uint64_t at;
	struct wt_node *above;
};

/* Does the hole [lo, hi) hold len bytes inside the query's window? */
static bool fits(const struct gap_query *q, uint64_t lo, uint64_t hi,
		 uint64_t *clo, uint64_t *chi)
{
	if (lo < q->low)
		lo = q->low;
	if (hi > q->high)
		hi = q->high;
	if (hi <= lo || hi - lo < q->len)
		return false;
	*clo = lo;
	*chi = hi;
	return true;
}

/* Could the subtree n, bounded by lo below and hi above, hold a fit? */
static bool may_fit(const struct gap_query *q, const struct wt_node *n,
		    uint64_t lo, uint64_t hi)
{
	uint64_t a, b;

	if (hi <= q->low || lo >= q->high)
		return false;
	if (!n)
		return fits(q, lo, hi, &a, &b);
	if (n->sub_gap >= q->len)
		return true;
	return fits(q, lo, n->sub_lo, &a, &b) ||
	       fits(q, n->sub_hi, hi, &a, &b);
}

static bool highest(const struct wt_node *n, uint64_t lo, uint64_t hi,
		    struct wt_node *above, struct gap_query *q)
{
	uint64_t a, b;

	if (!may_fit(q, n, lo, hi))
		return false;
	if (!n) {
		fits(q, lo, hi, &a, &b);
		q->at = b;
		q->above = above;
		return true;
	}
	if (highest(n->r, n->end, hi, above, q))
		return true;
	return highest(n->l, lo, n->start, (struct wt_node *)n, q);
}

static bool lowest(const struct wt_node *n, uint64_t lo, uint64_t hi,
		   struct wt_node *above, struct gap_query *q)
{
	uint64_t a, b;

	if (!may_fit(q, n, lo, hi))
		return false;
	if (!n) {
		fits(q, lo, hi, &a, &b);
		q->at = a;
		q->above = above;
		return true;
	}
	if (lowest(n->l, lo, n->start, (struct wt_node *)n, q))
		return true;
	return lowest(n->r, n->end, hi, above, q);
}

bool wt_gap_highest(const struct wt_tree *t, uint64_t low, uint64_t high,
		    uint64_t len, uint64_t *at, struct wt_node **above)
{
	struct gap_query q = {.low = low, .high = high, .len = len};

	if (!len || !highest(t->root, 0, UINT64_MAX, NULL, &q))
		return false;
	*at = q.at;
	*above = q.above;
	return true;
}

bool wt_gap_lowest(const struct wt_tree *t, uint64_t low, uint64_t high,
		   uint64_t len, uint64_t *at, struct wt_node **above)
{
	struct gap_query q = {.low = low, .high = high, .len = len};

	if (!len || !lowest(t->root, 0, UINT64_MAX, NULL, &q))
		return false;
	*at = q.at;
	*above = q.above;
	return true;
}

static long check(const struct wt_node *n, const struct wt_node *parent,
		  uint64_t *prev_end, char *why, size_t size)
{
	struct wt_node copy;
	long nl, nr;

	if (!n)
		return 0;
	if (n->p != parent) {
		snprintf(why, size, "node %#llx: bad parent link",
			 (unsigned long long)n->start);
		return -1;
	}
	nl = check(n->l, n, prev_end, why, size);
	if (nl < 0)
		return -1;
	if (n->start >= n->end || ((n->start | n->end) & (WC_PAGE - 1))) {
		snprintf(why, size, "node [%#llx, %#llx): empty or unaligned",
			 (unsigned long long)n->start,
			 (unsigned long long)n->end);
		return -1;
	}
	if (n->start < *prev_end) {
		snprintf(why, size, "node %#llx overlaps the one before",
			 (unsigned long long)n->start);
		return -1;
	}
	*prev_end = n->end;
	nr = check(n->r, n, prev_end, why, size);
	if (nr < 0)
		return -1;
	copy = *n;
	pull(&copy);
	if (copy.h != n->h || copy.sub_lo != n->sub_lo ||
	    copy.sub_hi != n->sub_hi || copy.sub_gap != n->sub_gap) {
		snprintf(why, size, "node %#llx: stale augmentation",
			 (unsigned long long)n->start);
		return -1;
	}
	if (height(n->l) - height(n->r) > 1 ||
	    height(n->r) - height(n->l) > 1) {
		snprintf(why, size, "node %#llx: unbalanced",
			 (unsigned long long)n->start);
		return -1;
	}
	return nl + nr + 1;
}

int wt_check(const struct wt_tree *t, uint64_t *n, char *why, size_t size)
{
	uint64_t prev = 0;
	long c = check(t->root, NULL, &prev, why, size);

	if (c < 0)
		return -1;
	if ((uint64_t)c != t->count) {
		snprintf(why, size, "tree holds %ld nodes, counts %llu", c,
			 (unsigned long long)t->count);
		return -1;
	}
	if (n)
		*n = (uint64_t)c;
	return 0;
}
