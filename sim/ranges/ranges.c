/*
 * ranges.c - an AVL tree of disjoint ranges, augmented so that the free
 * range searches of mmap run in O(log n).
 *
 * ALGORITHM
 *
 * Nodes are keyed by start (ranges never overlap, so start orders them
 * completely) and carry a parent pointer, which gives in-order
 * neighbours without a stack and lets callers fix a node up after
 * changing its range in place.  Every node also caches three facts about
 * its subtree:
 *
 *     sub_lo   the lowest start in the subtree  (its leftmost range)
 *     sub_hi   the highest end in the subtree   (its rightmost range)
 *     sub_gap  the largest distance between two consecutive ranges of the
 *              subtree, i.e. the largest hole strictly inside it
 *
 * All three are functions of the node and its two children only, so any
 * change is repaired by recomputing the nodes on the path to the root.
 * The kernel's old rb-tree kept "the gap before this VMA" instead, which
 * couples a node to its predecessor; subtree extents avoid that, so a
 * range can grow or shrink in place (rg_update) without touching its
 * neighbours.
 *
 * A hole search walks the tree carrying the end of the range before the
 * subtree (lo) and the start of the range after it (hi); the holes of
 * [lo, hi) are exactly [lo, sub_lo), the holes inside, and [sub_hi, hi).
 * A subtree none of whose holes can hold the request inside the search
 * window is skipped.  rg_gap_highest() tries right subtrees first and so
 * finds the highest hole of at least len bytes within [low, high), the
 * same answer as the maple tree's mas_empty_area_rev() that the kernel's
 * unmapped_area_topdown() uses; rg_gap_lowest() mirrors it for the
 * bottom-up search.  Holes are clipped to the window before their size is
 * compared, as the maple tree does.
 *
 * INVARIANTS (rg_check)
 *
 *   1. In-order traversal yields non-empty, aligned, strictly increasing,
 *      non-overlapping ranges, as many as count says.
 *   2. For every node, |height(left) - height(right)| <= 1 and height is
 *      1 + the larger child height (0 for NULL).
 *   3. parent pointers match the child links; the root's is NULL.
 *   4. sub_lo, sub_hi and sub_gap equal the values recomputed from the
 *      children.
 *
 * COMPLEXITY
 *
 * Height is at most 1.44 log2(n + 2), so insert, erase, lookup and an
 * in-place update cost O(log n).  A hole search descends one path to the
 * answer plus at most the two paths along the window's edges, where a
 * clipped hole can look big enough and turn out not to be: O(log n).
 * rg_next/rg_prev are O(1) amortised over a walk and O(log n) worst case.
 */
#include "ranges.h"

#include <stdio.h>

#define LEFT 0
#define RIGHT 1

static int height(const struct rg_node *n)
{
	return n ? n->h : 0;
}

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Recompute a node's height and augmentation from its children. */
static void pull(struct rg_node *n)
{
	const struct rg_node *l = n->c[LEFT], *r = n->c[RIGHT];
	uint64_t gap = 0;
	int hl = height(l), hr = height(r);

	n->h = 1 + (hl > hr ? hl : hr);
	n->sub_lo = l ? l->sub_lo : n->start;
	n->sub_hi = r ? r->sub_hi : n->end;
	if (l)
		gap = max64(l->sub_gap, n->start - l->sub_hi);
	if (r)
		gap = max64(gap, max64(r->sub_gap, r->sub_lo - n->end));
	n->sub_gap = gap;
}

static void replace_child(struct rg_tree *t, struct rg_node *parent,
			  struct rg_node *old, struct rg_node *n)
{
	if (!parent)
		t->root = n;
	else if (parent->c[LEFT] == old)
		parent->c[LEFT] = n;
	else
		parent->c[RIGHT] = n;
	if (n)
		n->p = parent;
}

/* Rotate x down to side d (LEFT: its right child rises). */
static struct rg_node *rotate(struct rg_tree *t, struct rg_node *x, int d)
{
	struct rg_node *y = x->c[!d];

	x->c[!d] = y->c[d];
	if (y->c[d])
		y->c[d]->p = x;
	replace_child(t, x->p, x, y);
	y->c[d] = x;
	x->p = y;
	pull(x);
	pull(y);
	return y;
}

/* Restore balance at n (children already valid); returns the subtree's
 * new root. */
static struct rg_node *rebalance(struct rg_tree *t, struct rg_node *n)
{
	int bal = height(n->c[LEFT]) - height(n->c[RIGHT]), d;

	if (bal > -2 && bal < 2) {
		pull(n);
		return n;
	}
	/* the heavy side d; a child leaning the other way turns first */
	d = bal > 1 ? LEFT : RIGHT;
	if (height(n->c[d]->c[d]) < height(n->c[d]->c[!d]))
		rotate(t, n->c[d], d);
	return rotate(t, n, !d);
}

/* Repair heights, balance and augmentation from n up to the root.  The
 * walk stops at the first node that neither rotated nor changed, as
 * nothing above it can change then. */
static void fixup(struct rg_tree *t, struct rg_node *n)
{
	while (n) {
		int h = n->h;
		uint64_t lo = n->sub_lo, hi = n->sub_hi, gap = n->sub_gap;
		struct rg_node *top = rebalance(t, n);

		if (top == n && n->h == h && n->sub_lo == lo &&
		    n->sub_hi == hi && n->sub_gap == gap)
			return;
		n = top->p;
	}
}

void rg_insert(struct rg_tree *t, struct rg_node *n)
{
	struct rg_node *p = NULL, **link = &t->root;

	while (*link) {
		p = *link;
		link = &p->c[n->start >= p->start];
	}
	n->c[LEFT] = n->c[RIGHT] = NULL;
	n->p = p;
	*link = n;
	pull(n);
	t->count++;
	fixup(t, p);
}

/*
 * A node with two children is replaced by its successor, moved bodily:
 * the records are referenced from elsewhere, so payloads stay put.
 */
void rg_erase(struct rg_tree *t, struct rg_node *n)
{
	struct rg_node *fix;

	if (n->c[LEFT] && n->c[RIGHT]) {
		struct rg_node *s = n->c[RIGHT];

		while (s->c[LEFT])
			s = s->c[LEFT];
		if (s == n->c[RIGHT]) {
			fix = s;
		} else {
			fix = s->p;
			fix->c[LEFT] = s->c[RIGHT];
			if (s->c[RIGHT])
				s->c[RIGHT]->p = fix;
			s->c[RIGHT] = n->c[RIGHT];
			s->c[RIGHT]->p = s;
		}
		s->c[LEFT] = n->c[LEFT];
		s->c[LEFT]->p = s;
		s->h = n->h;
		replace_child(t, n->p, n, s);
	} else {
		fix = n->p;
		replace_child(t, n->p, n, n->c[LEFT] ? n->c[LEFT] : n->c[RIGHT]);
	}
	n->c[LEFT] = n->c[RIGHT] = n->p = NULL;
	t->count--;
	if (t->finger[0] == n)
		t->finger[0] = NULL;
	if (t->finger[1] == n)
		t->finger[1] = NULL;
	fixup(t, fix);
}

void rg_update(struct rg_node *n)
{
	/* the shape does not change: heights stay, sums go up */
	for (; n; n = n->p) {
		uint64_t lo = n->sub_lo, hi = n->sub_hi, gap = n->sub_gap;

		pull(n);
		if (n->sub_lo == lo && n->sub_hi == hi && n->sub_gap == gap)
			return;
	}
}

struct rg_node *rg_find(const struct rg_tree *t, uint64_t addr)
{
	struct rg_tree *mt = (struct rg_tree *)t;
	struct rg_node *n, *best = NULL;
	int i;

	/* a range holding addr is the answer: ranges are disjoint */
	for (i = 0; i < 2; i++) {
		n = t->finger[i];
		if (n && addr >= n->start && addr < n->end) {
			mt->finger[i] = mt->finger[0];
			mt->finger[0] = n;
			return n;
		}
	}
	for (n = t->root; n;) {
		/* both children are fetched while this node is compared: on
		 * a large tree the descent is a chain of cache misses */
		__builtin_prefetch(n->c[LEFT]);
		__builtin_prefetch(n->c[RIGHT]);
		if (addr < n->end) {
			best = n;
			if (addr >= n->start)
				break;
			n = n->c[LEFT];
		} else {
			n = n->c[RIGHT];
		}
	}
	if (best) {
		mt->finger[1] = mt->finger[0];
		mt->finger[0] = best;
	}
	return best;
}

struct rg_node *rg_first(const struct rg_tree *t)
{
	struct rg_node *n = t->root;

	while (n && n->c[LEFT])
		n = n->c[LEFT];
	return n;
}

/* The in-order neighbour on side d (RIGHT: the next range). */
static struct rg_node *neighbour(const struct rg_node *n, int d)
{
	if (n->c[d]) {
		n = n->c[d];
		while (n->c[!d])
			n = n->c[!d];
		return (struct rg_node *)n;
	}
	while (n->p && n->p->c[d] == n)
		n = n->p;
	return n->p;
}

struct rg_node *rg_next(const struct rg_node *n)
{
	return neighbour(n, RIGHT);
}

struct rg_node *rg_prev(const struct rg_node *n)
{
	return neighbour(n, LEFT);
}

struct gap_query {
	uint64_t low, high, len;
	bool top;		/* the highest fit, else the lowest */
	uint64_t at;		/* result: clipped hole end or start */
	struct rg_node *above;	/* result: the range after the hole */
};

/* Does the hole [lo, hi), clipped to the window, hold len bytes? */
static bool fits(const struct gap_query *q, uint64_t lo, uint64_t hi,
		 uint64_t *clo, uint64_t *chi)
{
	*clo = lo > q->low ? lo : q->low;
	*chi = hi < q->high ? hi : q->high;
	return *chi > *clo && *chi - *clo >= q->len;
}

/* Could subtree n, bounded by lo below and hi above, hold a fit? */
static bool may_fit(const struct gap_query *q, const struct rg_node *n,
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

/*
 * The first hole that fits, walking the subtree at n (bounded by lo and
 * hi) from the top (q->top: right subtrees first, the clipped hole's end
 * in q->at) or from the bottom (left first, its start).
 */
static bool search(const struct rg_node *n, uint64_t lo, uint64_t hi,
		   struct rg_node *above, struct gap_query *q)
{
	uint64_t a, b;

	if (!may_fit(q, n, lo, hi))
		return false;
	if (!n) {
		fits(q, lo, hi, &a, &b);
		q->at = q->top ? b : a;
		q->above = above;
		return true;
	}
	if (q->top)
		return search(n->c[RIGHT], n->end, hi, above, q) ||
		       search(n->c[LEFT], lo, n->start, (struct rg_node *)n, q);
	return search(n->c[LEFT], lo, n->start, (struct rg_node *)n, q) ||
	       search(n->c[RIGHT], n->end, hi, above, q);
}

static bool gap(const struct rg_tree *t, uint64_t low, uint64_t high,
		uint64_t len, bool top, uint64_t *at, struct rg_node **above)
{
	struct gap_query q = {.low = low, .high = high, .len = len,
			      .top = top};

	if (!len || !search(t->root, 0, UINT64_MAX, NULL, &q))
		return false;
	*at = q.at;
	*above = q.above;
	return true;
}

bool rg_gap_highest(const struct rg_tree *t, uint64_t low, uint64_t high,
		    uint64_t len, uint64_t *at, struct rg_node **above)
{
	return gap(t, low, high, len, true, at, above);
}

bool rg_gap_lowest(const struct rg_tree *t, uint64_t low, uint64_t high,
		   uint64_t len, uint64_t *at, struct rg_node **above)
{
	return gap(t, low, high, len, false, at, above);
}

struct walk {
	uint64_t align, prev_end;
	bool first;
	char *why;
	size_t size;
};

/* Check the subtree at n; its node count, or -1 with why set. */
static long check(const struct rg_node *n, const struct rg_node *parent,
		  struct walk *w)
{
	struct rg_node copy;
	long nl, nr;

	if (!n)
		return 0;
	if (n->p != parent) {
		snprintf(w->why, w->size, "range %#llx: bad parent link",
			 (unsigned long long)n->start);
		return -1;
	}
	nl = check(n->c[LEFT], n, w);
	if (nl < 0)
		return -1;
	if (n->start >= n->end || ((n->start | n->end) & (w->align - 1))) {
		snprintf(w->why, w->size, "range [%#llx, %#llx): empty or "
			 "unaligned", (unsigned long long)n->start,
			 (unsigned long long)n->end);
		return -1;
	}
	if (!w->first && n->start < w->prev_end) {
		snprintf(w->why, w->size, "range %#llx overlaps or precedes "
			 "%#llx", (unsigned long long)n->start,
			 (unsigned long long)w->prev_end);
		return -1;
	}
	w->first = false;
	w->prev_end = n->end;
	nr = check(n->c[RIGHT], n, w);
	if (nr < 0)
		return -1;
	if (height(n->c[LEFT]) - height(n->c[RIGHT]) > 1 ||
	    height(n->c[RIGHT]) - height(n->c[LEFT]) > 1) {
		snprintf(w->why, w->size, "range %#llx: AVL balance broken",
			 (unsigned long long)n->start);
		return -1;
	}
	copy = *n;
	pull(&copy);
	if (copy.h != n->h || copy.sub_lo != n->sub_lo ||
	    copy.sub_hi != n->sub_hi || copy.sub_gap != n->sub_gap) {
		snprintf(w->why, w->size, "range %#llx: stale augmentation "
			 "(gap %#llx, want %#llx)",
			 (unsigned long long)n->start,
			 (unsigned long long)n->sub_gap,
			 (unsigned long long)copy.sub_gap);
		return -1;
	}
	return nl + nr + 1;
}

long rg_check(const struct rg_tree *t, uint64_t align, char *why,
	      size_t size)
{
	struct walk w = {align ? align : 1, 0, true, why, size};
	long n;

	if (t->root && t->root->p) {
		snprintf(why, size, "root has a parent");
		return -1;
	}
	n = check(t->root, NULL, &w);
	if (n >= 0 && (uint64_t)n != t->count) {
		snprintf(why, size, "tree holds %ld ranges, counts %llu", n,
			 (unsigned long long)t->count);
		return -1;
	}
	return n;
}
