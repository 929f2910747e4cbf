/*
 * px_tree.c - the ordered set of VMAs of one address space: an AVL tree
 * augmented so that the kernel's free-range search runs in O(log n).
 *
 * ALGORITHM
 *
 * Each struct px_vma is a node of an AVL tree keyed by its start address
 * (the VMAs never overlap, so start orders them completely).  Nodes carry
 * a parent pointer, which gives in-order neighbours (pxt_next, pxt_prev)
 * without a stack and lets callers fix a node up after changing its range
 * in place.
 *
 * Every node also caches three facts about its subtree:
 *
 *     sub_lo   the lowest start in the subtree  (its leftmost VMA)
 *     sub_hi   the highest end in the subtree   (its rightmost VMA)
 *     sub_gap  the largest distance between two consecutive VMAs of the
 *              subtree, i.e. the largest hole strictly inside it
 *
 * All three are functions of the node and its two children only, so any
 * change is repaired by recomputing the nodes on the path to the root.
 * The kernel's old rb-tree kept "the gap before this VMA" instead, which
 * couples a node to its predecessor; subtree extents avoid that.
 *
 * A free-range search walks the tree carrying the end of the VMA before
 * the subtree (pe) and the start of the VMA after it (ns); the holes of
 * [pe, ns) are exactly [pe, sub_lo), the holes inside, and [sub_hi, ns).
 * A subtree whose largest such hole, clipped to the search window, is too
 * small is skipped.  pxt_gap_highest() tries right subtrees first and so
 * finds the highest hole of at least len bytes within [low, high), the
 * same answer as the maple tree's mas_empty_area_rev() that the kernel's
 * unmapped_area_topdown() uses; pxt_gap_lowest() mirrors it for the
 * bottom-up search.  Holes are clipped to the window before their size is
 * compared, as the maple tree does.
 *
 * INVARIANTS (checked by pxt_check)
 *
 *   1. In-order traversal yields VMAs with strictly increasing, page
 *      aligned, non-empty, non-overlapping ranges.
 *   2. For every node, |height(left) - height(right)| <= 1 and height is
 *      1 + the larger child height (0 for NULL).
 *   3. parent pointers match the child links; the root's is NULL.
 *   4. sub_lo, sub_hi and sub_gap equal the values recomputed from the
 *      children.
 *
 * COMPLEXITY
 *
 * Height is at most 1.44 log2(n + 2), so insert, erase, lookup and an
 * in-place update cost O(log n).  A gap search descends one path to the
 * answer plus at most the two paths along the window's edges, where a
 * clipped hole can look big enough and turn out not to be: O(log n).
 * pxt_next/pxt_prev are O(1) amortised over a walk and O(log n) worst
 * case.  The tree allocates nothing; nodes are the caller's VMAs.
 */
#include "px_internal.h"

#include <stdio.h>

static int height(const struct px_vma *v)
{
	return v ? v->height : 0;
}

/* Recompute a node's height and augmentation from its children. */
static void pull(struct px_vma *v)
{
	const struct px_vma *l = v->left, *r = v->right;
	uint64_t gap = 0;
	int hl = height(l), hr = height(r);

	v->height = 1 + (hl > hr ? hl : hr);
	v->sub_lo = l ? l->sub_lo : v->start;
	v->sub_hi = r ? r->sub_hi : v->end;
	if (l) {
		gap = l->sub_gap;
		if (v->start - l->sub_hi > gap)
			gap = v->start - l->sub_hi;
	}
	if (r) {
		if (r->sub_gap > gap)
			gap = r->sub_gap;
		if (r->sub_lo - v->end > gap)
			gap = r->sub_lo - v->end;
	}
	v->sub_gap = gap;
}

static void replace_child(struct px_tree *t, struct px_vma *parent,
			  struct px_vma *old, struct px_vma *new)
{
	if (!parent)
		t->root = new;
	else if (parent->left == old)
		parent->left = new;
	else
		parent->right = new;
	if (new)
		new->parent = parent;
}

static struct px_vma *rotate_left(struct px_tree *t, struct px_vma *x)
{
	struct px_vma *y = x->right;

	x->right = y->left;
	if (y->left)
		y->left->parent = x;
	replace_child(t, x->parent, x, y);
	y->left = x;
	x->parent = y;
	pull(x);
	pull(y);
	return y;
}

static struct px_vma *rotate_right(struct px_tree *t, struct px_vma *x)
{
	struct px_vma *y = x->left;

	x->left = y->right;
	if (y->right)
		y->right->parent = x;
	replace_child(t, x->parent, x, y);
	y->right = x;
	x->parent = y;
	pull(x);
	pull(y);
	return y;
}

/* Restore balance at v (children already valid); returns the subtree's
 * new root. */
static struct px_vma *rebalance(struct px_tree *t, struct px_vma *v)
{
	int bal = height(v->left) - height(v->right);

	if (bal > 1) {
		if (height(v->left->left) < height(v->left->right))
			rotate_left(t, v->left);
		return rotate_right(t, v);
	}
	if (bal < -1) {
		if (height(v->right->right) < height(v->right->left))
			rotate_right(t, v->right);
		return rotate_left(t, v);
	}
	pull(v);
	return v;
}

/* Repair heights, balance and augmentation from v up to the root.  The
 * walk stops at the first node that neither rotated nor changed, as
 * nothing above it can change then. */
static void fixup(struct px_tree *t, struct px_vma *v)
{
	while (v) {
		int h = v->height;
		uint64_t lo = v->sub_lo, hi = v->sub_hi, gap = v->sub_gap;
		struct px_vma *top = rebalance(t, v);

		if (top == v && v->height == h && v->sub_lo == lo &&
		    v->sub_hi == hi && v->sub_gap == gap)
			return;
		v = top->parent;
	}
}

/*
 * pxt_insert - add v, whose range overlaps no VMA in t.
 */
void pxt_insert(struct px_tree *t, struct px_vma *v)
{
	struct px_vma *p = NULL, **link = &t->root;

	while (*link) {
		p = *link;
		link = v->start < p->start ? &p->left : &p->right;
	}
	v->left = v->right = NULL;
	v->parent = p;
	v->height = 1;
	*link = v;
	pull(v);
	fixup(t, p);
}

/*
 * pxt_erase - remove v from t.  A node with two children is replaced by
 * its successor, moved bodily: VMAs are referenced from elsewhere, so the
 * payloads must stay where they are.
 */
void pxt_erase(struct px_tree *t, struct px_vma *v)
{
	struct px_vma *fix;

	if (v->left && v->right) {
		struct px_vma *s = v->right;

		while (s->left)
			s = s->left;
		if (s == v->right) {
			fix = s;
		} else {
			fix = s->parent;
			fix->left = s->right;
			if (s->right)
				s->right->parent = fix;
			s->right = v->right;
			s->right->parent = s;
		}
		s->left = v->left;
		s->left->parent = s;
		s->height = v->height;
		replace_child(t, v->parent, v, s);
	} else {
		fix = v->parent;
		replace_child(t, v->parent, v, v->left ? v->left : v->right);
	}
	v->left = v->right = v->parent = NULL;
	fixup(t, fix);
}

/*
 * pxt_update - recompute the augmentation after v's start or end changed
 * without moving past a neighbour.
 */
void pxt_update(struct px_vma *v)
{
	for (; v; v = v->parent) {
		uint64_t lo = v->sub_lo, hi = v->sub_hi, gap = v->sub_gap;

		pull(v);
		if (v->sub_lo == lo && v->sub_hi == hi && v->sub_gap == gap)
			return;
	}
}

/*
 * pxt_find - the first VMA whose end lies above addr (the kernel's
 * find_vma), or NULL.
 */
struct px_vma *pxt_find(const struct px_tree *t, uint64_t addr)
{
	struct px_vma *v = t->root, *best = NULL;

	while (v) {
		/* Both children are fetched while this node is compared:
		 * on a large tree the descent is a chain of cache misses. */
		__builtin_prefetch(v->left);
		__builtin_prefetch(v->right);
		if (v->end > addr) {
			best = v;
			if (v->start <= addr)
				break;
			v = v->left;
		} else {
			v = v->right;
		}
	}
	return best;
}

/*
 * pxt_first - the lowest VMA, or NULL for an empty tree.
 */
struct px_vma *pxt_first(const struct px_tree *t)
{
	struct px_vma *v = t->root;

	while (v && v->left)
		v = v->left;
	return v;
}

/*
 * pxt_next - the VMA after v in address order, or NULL.
 */
struct px_vma *pxt_next(const struct px_vma *v)
{
	if (v->right) {
		v = v->right;
		while (v->left)
			v = v->left;
		return (struct px_vma *)v;
	}
	while (v->parent && v->parent->right == v)
		v = v->parent;
	return v->parent;
}

/*
 * pxt_prev - the VMA before v in address order, or NULL.
 */
struct px_vma *pxt_prev(const struct px_vma *v)
{
	if (v->left) {
		v = v->left;
		while (v->right)
			v = v->right;
		return (struct px_vma *)v;
	}
	while (v->parent && v->parent->left == v)
		v = v->parent;
	return v->parent;
}

struct gap_query {
	uint64_t low, high, len;
	uint64_t at;	     /* result: clipped hole end or start */
	struct px_vma *next; /* result: the VMA after the hole */
};

/* Can the clipped part of [pe, ns) hold q->len bytes? */
static bool window_fits(const struct gap_query *q, uint64_t pe, uint64_t ns,
			uint64_t *a, uint64_t *b)
{
	*a = pe > q->low ? pe : q->low;
	*b = ns < q->high ? ns : q->high;
	return *b > *a && *b - *a >= q->len;
}

/* Largest hole in [pe, ns) around subtree x, before clipping. */
static uint64_t largest_hole(const struct px_vma *x, uint64_t pe, uint64_t ns)
{
	uint64_t m = x->sub_gap;

	if (x->sub_lo - pe > m)
		m = x->sub_lo - pe;
	if (ns - x->sub_hi > m)
		m = ns - x->sub_hi;
	return m;
}

static bool highest(const struct px_vma *x, uint64_t pe, uint64_t ns,
		    struct px_vma *succ, struct gap_query *q)
{
	uint64_t a, b;

	if (!window_fits(q, pe, ns, &a, &b))
		return false;
	if (!x) {
		q->at = b;
		q->next = succ;
		return true;
	}
	if (largest_hole(x, pe, ns) < q->len)
		return false;
	if (highest(x->right, x->end, ns, succ, q))
		return true;
	return highest(x->left, pe, x->start, (struct px_vma *)x, q);
}

static bool lowest(const struct px_vma *x, uint64_t pe, uint64_t ns,
		   struct px_vma *succ, struct gap_query *q)
{
	uint64_t a, b;

	if (!window_fits(q, pe, ns, &a, &b))
		return false;
	if (!x) {
		q->at = a;
		q->next = succ;
		return true;
	}
	if (largest_hole(x, pe, ns) < q->len)
		return false;
	if (lowest(x->left, pe, x->start, (struct px_vma *)x, q))
		return true;
	return lowest(x->right, x->end, ns, succ, q);
}

/*
 * pxt_gap_highest - find the highest hole whose part inside [low, high)
 * is at least len bytes.  Stores the end of that part in *gap_end and the
 * VMA above the hole (or NULL) in *next.  Returns false when none fits.
 */
bool pxt_gap_highest(const struct px_tree *t, uint64_t low, uint64_t high,
		     uint64_t len, uint64_t *gap_end, struct px_vma **next)
{
	struct gap_query q = {.low = low, .high = high, .len = len};

	if (!len || !highest(t->root, 0, UINT64_MAX, NULL, &q))
		return false;
	*gap_end = q.at;
	*next = q.next;
	return true;
}

/*
 * pxt_gap_lowest - the bottom-up twin of pxt_gap_highest(): stores the
 * start of the lowest fitting part in *gap_start.
 */
bool pxt_gap_lowest(const struct px_tree *t, uint64_t low, uint64_t high,
		    uint64_t len, uint64_t *gap_start, struct px_vma **next)
{
	struct gap_query q = {.low = low, .high = high, .len = len};

	if (!len || !lowest(t->root, 0, UINT64_MAX, NULL, &q))
		return false;
	*gap_start = q.at;
	*next = q.next;
	return true;
}

/* Check the subtree at v; returns its node count or -1 with *why set.
 * *prev_end carries the end of the last VMA visited in order. */
static long check_node(const struct px_vma *v, const struct px_vma *parent,
		       uint64_t *prev_end, bool *first, char *why, size_t size)
{
	long nl, nr;
	struct px_vma copy;

	if (!v)
		return 0;
	if (v->parent != parent) {
		snprintf(why, size, "vma %#llx: bad parent link",
			 (unsigned long long)v->start);
		return -1;
	}
	nl = check_node(v->left, v, prev_end, first, why, size);
	if (nl < 0)
		return -1;
	if (v->start >= v->end || (v->start | v->end) & (PX_PAGE - 1)) {
		snprintf(why, size, "vma [%#llx,%#llx): empty or unaligned",
			 (unsigned long long)v->start,
			 (unsigned long long)v->end);
		return -1;
	}
	if (!*first && v->start < *prev_end) {
		snprintf(why, size, "vma %#llx overlaps or precedes %#llx",
			 (unsigned long long)v->start,
			 (unsigned long long)*prev_end);
		return -1;
	}
	*first = false;
	*prev_end = v->end;
	nr = check_node(v->right, v, prev_end, first, why, size);
	if (nr < 0)
		return -1;
	if (height(v->left) - height(v->right) > 1 ||
	    height(v->right) - height(v->left) > 1) {
		snprintf(why, size, "vma %#llx: AVL balance broken",
			 (unsigned long long)v->start);
		return -1;
	}
	copy = *v;
	pull(&copy);
	if (copy.height != v->height || copy.sub_lo != v->sub_lo ||
	    copy.sub_hi != v->sub_hi || copy.sub_gap != v->sub_gap) {
		snprintf(why, size,
			 "vma %#llx: stale augmentation (gap %#llx, want "
			 "%#llx)",
			 (unsigned long long)v->start,
			 (unsigned long long)v->sub_gap,
			 (unsigned long long)copy.sub_gap);
		return -1;
	}
	return nl + nr + 1;
}

/*
 * pxt_check - verify invariants 1-4 of the file header.  Returns the
 * number of VMAs, or -1 after describing the first violation in why.
 */
int pxt_check(const struct px_tree *t, char *why, size_t size)
{
	uint64_t prev_end = 0;
	bool first = true;
	long n = check_node(t->root, NULL, &prev_end, &first, why, size);

	return n < 0 ? -1 : (int)n;
}
