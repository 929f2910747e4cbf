/*
 * gn_avl.c - core's region allocator: Genode's AVL tree
 * (repos/base/src/lib/base/avl_tree.cc) and Allocator_avl
 * (allocator_avl.cc), transliterated so that the model places
 * attach-anywhere regions exactly where core does.
 *
 * Free and used ranges are both nodes ("blocks") of one AVL tree keyed by
 * address.  Each node keeps the largest free size below it (max_avail);
 * the best-fit search descends first into the child with the smaller
 * max_avail and prefers a fitting node over a larger result below it,
 * and the chosen block is cut at its lowest aligned address.  That
 * heuristic depends on the tree's exact shape, so the tree code is
 * core's, quirks included: after a removal core neither rebalances above
 * the replacement node nor refreshes max_avail where depths did not
 * change.  Stale values only ever overestimate, which costs searches
 * time but never changes their result.
 *
 * The model adds one augmentation, max_fit: the largest k for which a
 * free block below holds a 2^k-aligned 2^k-byte chunk.  A request of
 * size >= 2^a at alignment 2^a can only fit where such a chunk exists,
 * so subtrees without one are skipped; they would have returned nothing.
 * This keeps natural-alignment searches near O(log n) without moving any
 * address.
 *
 * Every node is one slab entry of metadata, allocated and freed in core's
 * order (two blocks up front per allocation, one more for the used
 * block, one per add_range), so metadata quota runs out exactly when it
 * does in core.
 */
#include "gn_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#define LEFT 0
#define RIGHT 1

static inline uint64_t avail(const struct gn_blk *b)
{
	return b->used ? 0 : b->size;
}

/*
 * k + 1 for the largest aligned 2^k chunk in a free block (0 for none),
 * and in *@room the bytes from the first 2^k-aligned address to the end.
 */
static uint8_t fit_of(const struct gn_blk *b, uint64_t *room)
{
	uint64_t a;
	int k;

	*room = 0;
	if (b->used || b->size == 0)
		return 0;
	for (k = 63 - __builtin_clzll(b->size); k >= 0; k--) {
		uint64_t mask = (1ULL << k) - 1;

		a = (b->addr + mask) & ~mask;
		if (a < b->addr)
			continue;
		/* [a, a + 2^k) inside [addr, end); end may be 2^64 (0) */
		if (a - b->addr <= b->size && b->size - (a - b->addr) >=
						      (1ULL << k)) {
			*room = b->size - (a - b->addr);
			return (uint8_t)(k + 1);
		}
	}
	return 0;
}

/* (fit, room) pairs compare by fit, then room */
static void fit_max(uint8_t *f, uint64_t *room, uint8_t f2, uint64_t room2)
{
	if (f2 > *f || (f2 == *f && room2 > *room)) {
		*f = f2;
		*room = room2;
	}
}

static inline uint64_t child_max_avail(const struct gn_blk *b, int side)
{
	return b->cmax[side];
}

/*
 * Copy child @i's summary into @p (zero for no child).  A copy that
 * changes marks @p dirty: recompute() skips a node whose inputs are as
 * they were at its last run, since it would store the same values.  That
 * saves most of the work on an insert's way back up without changing
 * a single stored value, stale ones included.
 */
static inline void mirror(struct gn_blk *p, int i)
{
	const struct gn_blk *c = p->child[i];
	uint64_t m = c ? c->max_avail : 0, room = c ? c->max_fit_room : 0;
	uint8_t d = c ? c->depth : 0, f = c ? c->max_fit : 0;

	p->cdepth[i] = d;
	/* the augmentation does not depend on depths */
	if (p->cmax[i] != m || p->cfit[i] != f || p->croom[i] != room) {
		p->cmax[i] = m;
		p->cfit[i] = f;
		p->croom[i] = room;
		p->dirty = true;
	}
}

/* After @n's own summary changed: refresh its parent's copy. */
static inline void publish(struct gn_blk *n)
{
	struct gn_blk *p = n->parent;

	if (p)
		mirror(p, p->child[RIGHT] == n);
}

/*
 * Can a free block below @c take @size at 2^@align, given size >= 2^align?
 * Not if none holds an aligned 2^align chunk; and if the largest aligned
 * chunk anywhere below is exactly 2^align, only a block with enough room
 * after its first aligned address can.
 */
static inline bool may_fit(const struct gn_blk *b, int side, uint64_t size,
			   unsigned align)
{
	if (b->cfit[side] < align + 1)
		return false;
	return b->cfit[side] > align + 1 || b->croom[side] >= size;
}

static inline int child_depth(const struct gn_blk *b, int side)
{
	return b->cdepth[side];
}

/* Block::recompute, plus max_fit */
static void recompute(struct gn_blk *b)
{
	uint64_t m = child_max_avail(b, LEFT), room = b->fit_room;
	uint8_t f = b->fit;
	int i;

	if (!b->dirty)
		return;
	b->dirty = false;
	if (child_max_avail(b, RIGHT) > m)
		m = child_max_avail(b, RIGHT);
	if (avail(b) > m)
		m = avail(b);
	b->max_avail = m;
	for (i = 0; i < 2; i++)
		fit_max(&f, &room, b->cfit[i], b->croom[i]);
	b->max_fit = f;
	b->max_fit_room = room;
	publish(b);
}

/* ---- Avl_node_base ---- */

static void recompute_depth(struct gn_blk *n)
{
	uint8_t old = n->depth;
	int l = child_depth(n, LEFT), r = child_depth(n, RIGHT);

	n->depth = (uint8_t)((l > r ? l : r) + 1);
	/* if our own value changes, update parent */
	if (n->depth != old && n->parent) {
		publish(n);
		recompute_depth(n->parent);
	}
	/* only valid tree nodes (not the head) carry the augmentation */
	if (n->parent)
		recompute(n);
}

static void adopt(struct gn_blk *n, struct gn_blk *node, int i)
{
	n->child[i] = node;
	if (node)
		node->parent = n;
	mirror(n, i);
	recompute_depth(n);
}

static inline int bias(const struct gn_blk *n)
{
	return child_depth(n, RIGHT) > child_depth(n, LEFT);
}

static void rotate_subtree(struct gn_blk *n, struct gn_blk *node, int side)
{
	int i = node == n->child[0] ? LEFT : RIGHT;
	struct gn_blk *node_r = node->child[!side], *node_r_l;

	if (!node_r)
		return;
	node_r_l = node_r->child[side];
	if (bias(node_r) == !side) {
		/* simple rotation */
		adopt(node, node_r_l, !side);
		adopt(node_r, node, side);
		adopt(n, node_r, i);
	} else if (node_r_l) {
		/* double rotation */
		struct gn_blk *node_r_l_l = node_r_l->child[side];
		struct gn_blk *node_r_l_r = node_r_l->child[!side];

		adopt(node, node_r_l_l, !side);
		adopt(node_r, node_r_l_r, side);
		adopt(node_r_l, node, side);
		adopt(node_r_l, node_r, !side);
		adopt(n, node_r_l, i);
	}
}

static void rebalance_subtree(struct gn_blk *n, struct gn_blk *node)
{
	int v = child_depth(node, RIGHT) - child_depth(node, LEFT);

	if (v > -2 && v < 2)
		return;
	rotate_subtree(n, node, v < 0);
}

/*
 * Avl_node_base::insert, which recurses: down to the free child slot,
 * then on the way back up each node on the path recomputes its depth
 * and rebalances below its parent.  The same steps in the same order,
 * with the path on a stack instead of in frames (an AVL tree of 2^64
 * nodes is less than 93 deep).
 */
static void avl_insert(struct gn_blk *n, struct gn_blk *node,
		       uint64_t *steps)
{
	struct gn_blk *path[128];
	int depth = 0, i;

	for (;;) {
		(*steps)++;
		if (node == n)
			break;
		path[depth++] = n;
		/* Block::higher: equal or higher addresses go right */
		i = n->parent ? node->addr >= n->addr : LEFT;
		if (!n->child[i]) {
			adopt(n, node, i);
			break;
		}
		n = n->child[i];
	}
	while (depth--) {
		n = path[depth];
		recompute_depth(n);
		if (n->parent)
			rebalance_subtree(n->parent, n);
	}
}

static void avl_remove(struct gn_blk *n)
{
	struct gn_blk *lp = NULL, *l = n->child[0], *lpp;
	int i;

	if (l) {
		/* the right-most node of the left subtree replaces n */
		while (l && l->child[1])
			l = l->child[1];
		if (l == n->child[0])
			adopt(n, l->child[0], LEFT);
		else
			adopt(l->parent, l->child[0], RIGHT);
		if (l->parent != n)
			lp = l->parent;
		for (i = 0; i < 2; i++)
			if (n->parent->child[i] == n)
				adopt(n->parent, l, i);
		adopt(l, n->child[0], LEFT);
		adopt(l, n->child[1], RIGHT);
	} else {
		for (i = 0; i < 2; i++)
			if (n->parent->child[i] == n)
				adopt(n->parent, n->child[1], i);
	}
	/* core rebalances from the replacement's old parent upwards only */
	while (lp && lp->parent) {
		lpp = lp->parent;
		rebalance_subtree(lpp, lp);
		lp = lpp;
	}
	n->child[LEFT] = n->child[RIGHT] = NULL;
	mirror(n, LEFT);
	mirror(n, RIGHT);
	n->parent = NULL;
}

/* ---- Allocator_avl_base ---- */

void gn_avl_init(struct gn_avl *t, unsigned epb, uint64_t block_ram,
		 struct gn_account *acct, uint64_t *steps)
{
	memset(t, 0, sizeof(*t));
	t->head.depth = 1;
	t->steps = steps ? steps : &t->own_steps;
	gn_slab_init(&t->md, epb, block_ram, acct);
}

void gn_avl_init_md(struct gn_avl *t, const struct gn_avl_md *ops,
		    void *ctx)
{
	memset(t, 0, sizeof(*t));
	t->head.depth = 1;
	t->steps = &t->own_steps;
	t->mdops = ops;
	t->mdctx = ctx;
}

/*
 * Host memory for nodes comes in chunks that double from 256 nodes up to
 * 2 MiB, so a small map costs little and a big one's nodes sit in few
 * huge pages: a search at 100,000 attachments would otherwise miss the
 * TLB at every level as well as the cache.
 */
#define FIRST_CHUNK_NODES 256
#define HUGE_CHUNK (2u << 20)

static struct gn_blk *node_get(struct gn_avl *t)
{
	struct gn_blk *b;
	size_t i, n, bytes;

	if (!t->spare) {
		n = FIRST_CHUNK_NODES << (t->nchunks < 13 ? t->nchunks : 13);
		bytes = n * sizeof(*b);
		if (bytes >= HUGE_CHUNK) {
			bytes = HUGE_CHUNK;
			n = bytes / sizeof(*b);
			b = gn_xaligned(HUGE_CHUNK, bytes);
			/* a hint; where the host has no THP nothing changes */
			(void)madvise(b, bytes, MADV_HUGEPAGE);
		} else {
			/* cache-line aligned: a search step is one line */
			b = gn_xaligned(64, bytes);
		}
		t->chunks = gn_xrealloc(t->chunks,
					(t->nchunks + 1) * sizeof(*t->chunks));
		t->chunks[t->nchunks++] = b;
		for (i = 0; i < n; i++) {
			b[i].parent = t->spare;
			t->spare = &b[i];
		}
	}
	b = t->spare;
	t->spare = b->parent;
	memset(b, 0, sizeof(*b));
	return b;
}

static void node_put(struct gn_avl *t, struct gn_blk *b)
{
	b->parent = t->spare;
	t->spare = b;
}

/* _alloc_block_metadata */
static enum gn_alloc_error md_alloc(struct gn_avl *t, struct gn_blk **out)
{
	struct gn_slot slot;
	enum gn_alloc_error e;

	if (t->mdops) {
		/* the owner's allocator may come back into this tree */
		*out = node_get(t);
		e = t->mdops->alloc(t->mdctx, *out);
		if (e) {
			node_put(t, *out);
			return e;
		}
	} else {
		e = gn_slab_alloc(&t->md, &slot);
		if (e)
			return e;
		*out = node_get(t);
		(*out)->slot = slot;
	}
	(*out)->depth = 1;
	return GN_ALLOC_OK;
}

static void md_free(struct gn_avl *t, struct gn_blk *b)
{
	if (t->mdops)
		t->mdops->free(t->mdctx, b);
	else
		gn_slab_free(&t->md, b->slot);
	node_put(t, b);
}

/* _add_block */
static void add_block(struct gn_avl *t, struct gn_blk *b, uint64_t addr,
		      uint64_t size, bool used)
{
	struct gn_slot slot = b->slot;
	void *entry = b->md_entry;

	memset(b, 0, sizeof(*b));
	b->slot = slot;
	b->md_entry = entry;
	b->depth = 1;
	b->addr = addr;
	b->size = size;
	b->used = used;
	b->max_avail = avail(b);
	b->fit = fit_of(b, &b->fit_room);
	b->max_fit = b->fit;
	b->max_fit_room = b->fit_room;
	avl_insert(&t->head, b, t->steps);
	t->blocks++;
	t->used += used;
}

/* _destroy_block */
static void destroy_block(struct gn_avl *t, struct gn_blk *b)
{
	if (t->finger == b)
		t->finger = NULL;
	avl_remove(b);
	t->blocks--;
	t->used -= b->used;
	md_free(t, b);
}

/* Block::find_by_address */
static struct gn_blk *find_by_address(const struct gn_avl *t,
				      uint64_t find_addr, uint64_t find_size,
				      bool check_overlap)
{
	struct gn_blk *b = gn_avl_root(t);

	find_size = find_size ? find_size : 1;
	while (b) {
		(*t->steps)++;
		if (check_overlap && find_addr + find_size - 1 >= b->addr &&
		    b->addr + b->size - 1 >= find_addr)
			return b;
		if (find_addr >= b->addr &&
		    find_addr + find_size - 1 <= b->addr + b->size - 1)
			return b;
		b = b->child[find_addr >= b->addr];
	}
	return NULL;
}

struct gn_blk *gn_avl_find(const struct gn_avl *t, uint64_t addr)
{
	struct gn_blk *b = t->finger;

	/* blocks do not overlap: one holding addr is the answer, whatever
	 * path a descent would take */
	if (b && addr >= b->addr && addr - b->addr < b->size)
		return b;
	b = find_by_address(t, addr, 1, false);
	((struct gn_avl *)t)->finger = b;
	return b;
}

static inline bool sum_in_range(uint64_t addr, uint64_t offset)
{
	return addr + offset - 1 >= addr;
}

/* Block::_fits with the unconstrained range */
static bool fits(const struct gn_blk *b, uint64_t n, unsigned align)
{
	uint64_t mask = align >= 64 ? ~0ULL : (1ULL << align) - 1;
	uint64_t a = (b->addr + mask) & ~mask;

	return a >= b->addr && sum_in_range(a, n) &&
	       a - b->addr + n <= avail(b);
}

/* Block::find_best_fit, with the max_fit pruning described above */
static struct gn_blk *find_best_fit(struct gn_blk *b, uint64_t size,
				    unsigned align, bool prune,
				    uint64_t *steps)
{
	int side = child_max_avail(b, RIGHT) < child_max_avail(b, LEFT);
	struct gn_blk *res;
	int i;

	(*steps)++;
	for (i = 0; i < 2; i++, side = !side) {
		if (child_max_avail(b, side) < size)
			continue;
		if (prune && b->child[side] && !may_fit(b, side, size, align))
			continue;
		res = b->child[side]
			      ? find_best_fit(b->child[side], size, align,
					      prune, steps)
			      : NULL;
		if (res)
			return fits(b, size, align) && size < res->size ? b
									 : res;
	}
	return fits(b, size, align) ? b : NULL;
}

/* _alloc_two_blocks_metadata */
static enum gn_alloc_error md_alloc_two(struct gn_avl *t, struct gn_blk **b1,
					struct gn_blk **b2)
{
	enum gn_alloc_error e = md_alloc(t, b1);

	if (e)
		return e;
	e = md_alloc(t, b2);
	if (e) {
		md_free(t, *b1);
		return e;
	}
	return GN_ALLOC_OK;
}

/* _cut_from_block */
static void cut_from_block(struct gn_avl *t, struct gn_blk *b, uint64_t addr,
			   uint64_t size, struct gn_blk *b1,
			   struct gn_blk *b2)
{
	uint64_t padding = addr > b->addr ? addr - b->addr : 0;
	uint64_t b_size = b->size > padding ? b->size - padding : 0;
	uint64_t remaining = b_size > size ? b_size - size : 0;
	uint64_t orig = b->addr;

	/* a block that holds the whole addressable range */
	if (!b->addr && !b->size)
		remaining = b->size - size - padding;
	destroy_block(t, b);
	if (padding > 0)
		add_block(t, b1, orig, padding, false);
	else
		md_free(t, b1);
	if (remaining > 0)
		add_block(t, b2, addr + size, remaining, false);
	else
		md_free(t, b2);
}

/* _allocate: the chosen block @b (from the search) or a conflict */
static enum gn_alloc_error allocate(struct gn_avl *t, uint64_t size,
				    unsigned align, uint64_t range_start,
				    bool by_address, struct gn_blk **out)
{
	struct gn_blk *b1, *b2, *b, *nb;
	enum gn_alloc_error e = md_alloc_two(t, &b1, &b2);
	uint64_t mask = align >= 64 ? ~0ULL : (1ULL << align) - 1, new_addr;

	if (e)
		return e;
	if (by_address)
		b = find_by_address(t, range_start, size, false);
	else
		b = gn_avl_root(t)
			    ? find_best_fit(gn_avl_root(t), size, align,
					    !t->no_prune && align < 64 &&
						    size >= (1ULL << align),
					    t->steps)
			    : NULL;
	if (!b || b->used) {
		md_free(t, b1);
		md_free(t, b2);
		return GN_ALLOC_DENIED;
	}
	new_addr = b->addr > range_start ? b->addr : range_start;
	new_addr = (new_addr + mask) & ~mask;
	cut_from_block(t, b, new_addr, size, b1, b2);
	/* a metadata shortage here loses the range, as in core */
	e = md_alloc(t, &nb);
	if (e)
		return e;
	add_block(t, nb, new_addr, size, true);
	*out = nb;
	return GN_ALLOC_OK;
}

enum gn_alloc_error gn_avl_alloc_aligned(struct gn_avl *t, uint64_t size,
					 unsigned align_log2,
					 struct gn_blk **out)
{
	return allocate(t, size, align_log2, 0, false, out);
}

enum gn_alloc_error gn_avl_alloc_addr(struct gn_avl *t, uint64_t size,
				      uint64_t addr, struct gn_blk **out)
{
	if (!sum_in_range(addr, size))
		return GN_ALLOC_DENIED;
	return allocate(t, size, 0, addr, true, out);
}

/*
 * One descent along @addr's search path answers add_range's three
 * lookups: whether [addr, addr+size) overlaps a block (the block
 * containing addr or the next one above it lies on the path), the block
 * containing addr - 1 and the one containing addr + size.  Core does
 * three descents; lookups do not change the tree, so the result is the
 * same.
 */
static bool neighbours(const struct gn_avl *t, uint64_t addr, uint64_t size,
		       struct gn_blk **pred, struct gn_blk **succ)
{
	struct gn_blk *b = gn_avl_root(t), *below = NULL, *above = NULL;
	uint64_t last = addr + size - 1;

	while (b) {
		uint64_t end = b->addr + b->size - 1;

		(*t->steps)++;
		if (last >= b->addr && end >= addr)
			return true;
		if (addr >= b->addr) {
			below = b;
			b = b->child[RIGHT];
		} else {
			above = b;
			b = b->child[LEFT];
		}
	}
	*pred = addr != 0 && below && below->addr + below->size == addr
			? below
			: NULL;
	*succ = above && above->addr == addr + size ? above : NULL;
	if (addr + size == 0)
		/* the range ends at 2^64: core's lookup wraps to 0 */
		*succ = find_by_address(t, 0, 1, false);
	return false;
}

static enum gn_alloc_error add_range(struct gn_avl *t, uint64_t addr,
				    uint64_t size)
{
	struct gn_blk *nb, *pred = NULL, *succ = NULL;
	enum gn_alloc_error e;

	if (!size)
		return GN_ALLOC_DENIED;
	if (neighbours(t, addr, size, &pred, &succ))
		return GN_ALLOC_DENIED;
	e = md_alloc(t, &nb);
	if (e)
		return e;
	/* merge with predecessor */
	if (pred && !pred->used) {
		size += pred->size;
		addr = pred->addr;
		destroy_block(t, pred);
	}
	/* merge with successor */
	if (succ && !succ->used && succ != pred) {
		size += succ->size;
		destroy_block(t, succ);
	}
	add_block(t, nb, addr, size, false);
	return GN_ALLOC_OK;
}

enum gn_alloc_error gn_avl_add_range(struct gn_avl *t, uint64_t addr,
				     uint64_t size)
{
	enum gn_alloc_error e;

	/* Allocator_avl_tpl: the metadata's backing store is off meanwhile
	 * (allocator_avl.h), so the slab neither grows nor releases blocks
	 * while neighbours merge */
	if (!t->mdops) {
		t->md.no_backing = true;
		e = add_range(t, addr, size);
		t->md.no_backing = false;
		return e;
	}
	if (!t->mdops->add_range)
		return add_range(t, addr, size);
	t->mdops->add_range(t->mdctx, true);
	e = add_range(t, addr, size);
	t->mdops->add_range(t->mdctx, false);
	return e;
}

void gn_avl_free_blk(struct gn_avl *t, struct gn_blk *b)
{
	uint64_t a = b->addr, s = b->size;

	destroy_block(t, b);
	/* core only logs when the range cannot be released */
	gn_avl_add_range(t, a, s);
}

void gn_avl_free(struct gn_avl *t, uint64_t addr)
{
	struct gn_blk *b = gn_avl_find(t, addr);

	if (b && b->used)
		gn_avl_free_blk(t, b);
}

struct gn_blk *gn_avl_first(const struct gn_avl *t)
{
	struct gn_blk *b = gn_avl_root(t);

	while (b && b->child[LEFT])
		b = b->child[LEFT];
	return b;
}

struct gn_blk *gn_avl_next(const struct gn_blk *b)
{
	const struct gn_blk *p;

	if (b->child[RIGHT]) {
		b = b->child[RIGHT];
		while (b->child[LEFT])
			b = b->child[LEFT];
		return (struct gn_blk *)b;
	}
	/* up until we come from a left child; the head has no parent */
	p = b->parent;
	while (p && p->parent && b == p->child[RIGHT]) {
		b = p;
		p = p->parent;
	}
	return p && p->parent ? (struct gn_blk *)p : NULL;
}

struct gn_blk *gn_avl_ceil(const struct gn_avl *t, uint64_t a)
{
	struct gn_blk *b = gn_avl_root(t), *best = NULL;

	while (b) {
		if (b->addr >= a) {
			best = b;
			b = b->child[LEFT];
		} else {
			b = b->child[RIGHT];
		}
	}
	return best;
}

void gn_avl_destroy(struct gn_avl *t)
{
	size_t i;

	/* every node lives in a chunk; the slab goes as a whole */
	for (i = 0; i < t->nchunks; i++)
		free(t->chunks[i]);
	free(t->chunks);
	t->chunks = NULL;
	t->nchunks = 0;
	t->spare = NULL;
	t->finger = NULL;
	t->head.child[LEFT] = t->head.child[RIGHT] = NULL;
	mirror(&t->head, LEFT);
	mirror(&t->head, RIGHT);
	t->blocks = t->used = 0;
	if (!t->mdops)
		gn_slab_destroy(&t->md);
}

/* ---- invariants ---- */

/* Does @p's copy of child @i's summary equal the child's own? */
static bool mirrored(const struct gn_blk *p, int i)
{
	const struct gn_blk *c = p->child[i];

	if (!c)
		return !p->cmax[i] && !p->cdepth[i] && !p->cfit[i] &&
		       !p->croom[i];
	return p->cmax[i] == c->max_avail && p->cdepth[i] == c->depth &&
	       p->cfit[i] == c->max_fit && p->croom[i] == c->max_fit_room;
}

/* A clean node holds what recompute() would store for its inputs. */
static bool clean_ok(const struct gn_blk *b)
{
	uint64_t m = avail(b), room = b->fit_room;
	uint8_t f = b->fit;
	int i;

	for (i = 0; i < 2; i++) {
		if (b->cmax[i] > m)
			m = b->cmax[i];
		fit_max(&f, &room, b->cfit[i], b->croom[i]);
	}
	return b->max_avail == m && b->max_fit == f && b->max_fit_room == room;
}

struct avl_check {
	char *msg;
	size_t size;
	uint64_t nodes, used, last_end;
	bool have_last, last_free;
	int err;
};

static int check_node(const struct gn_blk *b, const struct gn_blk *parent,
		      struct avl_check *k, uint64_t *true_max,
		      uint8_t *true_fit, uint64_t *true_room)
{
	uint64_t lm = 0, rm = 0, lr = 0, rr = 0, own_room;
	uint8_t lf = 0, rf = 0, own;
	int ld, rd;

	if (!b) {
		*true_max = 0;
		*true_fit = 0;
		*true_room = 0;
		return 0;
	}
	if (b->parent != parent) {
		snprintf(k->msg, k->size, "block %#llx: wrong parent",
			 (unsigned long long)b->addr);
		return -1;
	}
	if (!mirrored(parent, parent->child[RIGHT] == b)) {
		snprintf(k->msg, k->size, "block %#llx: parent's copy of its "
			 "summary differs", (unsigned long long)b->addr);
		return -1;
	}
	ld = check_node(b->child[LEFT], b, k, &lm, &lf, &lr);
	if (ld < 0)
		return -1;
	/* in order: no overlap with the previous block */
	if (k->have_last && b->addr < k->last_end) {
		snprintf(k->msg, k->size, "block %#llx overlaps or is out of "
			 "order", (unsigned long long)b->addr);
		return -1;
	}
	if (b->size == 0) {
		snprintf(k->msg, k->size, "empty block at %#llx",
			 (unsigned long long)b->addr);
		return -1;
	}
	/* add_range merges free neighbours: two never touch */
	if (k->have_last && k->last_free && !b->used &&
	    b->addr == k->last_end) {
		snprintf(k->msg, k->size, "free blocks at %#llx not merged",
			 (unsigned long long)b->addr);
		return -1;
	}
	k->last_free = !b->used;
	k->last_end = b->addr + b->size;
	k->have_last = k->last_end != 0;
	if (!k->have_last) {
		/* a block ending at 2^64: nothing may follow */
		k->have_last = true;
		k->last_end = UINT64_MAX;
	}
	k->nodes++;
	k->used += b->used;
	rd = check_node(b->child[RIGHT], b, k, &rm, &rf, &rr);
	if (rd < 0)
		return -1;
	if (b->depth != (ld > rd ? ld : rd) + 1) {
		snprintf(k->msg, k->size, "block %#llx: depth %u, subtrees "
			 "%d and %d", (unsigned long long)b->addr, b->depth,
			 ld, rd);
		return -1;
	}
	if (!b->dirty && !clean_ok(b)) {
		snprintf(k->msg, k->size, "block %#llx: marked clean, but its "
			 "summary is not that of its inputs",
			 (unsigned long long)b->addr);
		return -1;
	}
	*true_max = avail(b);
	if (lm > *true_max)
		*true_max = lm;
	if (rm > *true_max)
		*true_max = rm;
	own = fit_of(b, &own_room);
	if (b->fit != own || b->fit_room != own_room) {
		snprintf(k->msg, k->size, "block %#llx: fit stale",
			 (unsigned long long)b->addr);
		return -1;
	}
	*true_fit = own;
	*true_room = own_room;
	fit_max(true_fit, true_room, lf, lr);
	fit_max(true_fit, true_room, rf, rr);
	/* core leaves stale values after removals, never low ones */
	if (b->max_avail < *true_max || b->max_fit < *true_fit ||
	    (b->max_fit == *true_fit && b->max_fit_room < *true_room)) {
		snprintf(k->msg, k->size, "block %#llx: max_avail %#llx below "
			 "the true %#llx", (unsigned long long)b->addr,
			 (unsigned long long)b->max_avail,
			 (unsigned long long)*true_max);
		return -1;
	}
	if (!b->used && (b->ds || b->ds_prev || b->ds_next)) {
		snprintf(k->msg, k->size, "free block %#llx has a region",
			 (unsigned long long)b->addr);
		return -1;
	}
	return b->depth;
}

int gn_avl_check(const struct gn_avl *t, char *msg, size_t size)
{
	struct avl_check k = {msg, size, 0, 0, 0, false, false, 0};
	uint64_t m, r;
	uint8_t f;
	int h;

	if (t->head.child[RIGHT] || (gn_avl_root(t) &&
				     gn_avl_root(t)->parent != &t->head)) {
		snprintf(msg, size, "tree head malformed");
		return -1;
	}
	h = check_node(gn_avl_root(t), &t->head, &k, &m, &f, &r);
	if (h < 0)
		return -1;
	if (k.nodes != t->blocks || k.used != t->used) {
		snprintf(msg, size, "tree holds %llu blocks (%llu used), "
			 "recorded %llu (%llu)", (unsigned long long)k.nodes,
			 (unsigned long long)k.used,
			 (unsigned long long)t->blocks,
			 (unsigned long long)t->used);
		return -1;
	}
	/* an owner's metadata is the owner's to check */
	return t->mdops ? 0 : gn_slab_check(&t->md, t->blocks, msg, size);
}
