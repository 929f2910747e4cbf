/*
 * mem_alloc.c - Genode's component-side Allocator_avl and the libc's
 * Libc::Mem_alloc_impl, transliterated, for the policies that model
 * Genode's libc (libc, libc-20.05, go-world).
 *
 * Allocator_avl (genodelabs/genode repos/base/src/lib/base/
 * allocator_avl.cc, avl_tree.cc; include/base/allocator_avl.h) keeps
 * free and used ranges as nodes of one AVL tree by address.  Its
 * best-fit search descends first into the child with the smaller
 * max_avail and prefers a fitting node over a larger result below it;
 * the chosen block is cut at its lowest aligned address.  The result
 * depends on the tree's exact shape, so the tree code here is Genode's
 * step for step (insert with rebalancing, remove that rebalances only
 * above the replacement's old parent).
 *
 * Metadata: with Allocator_avl(0) every node is an entry of a Tslab
 * (slab.cc) whose first block (8128 bytes on 64-bit) is part of the
 * allocator object and whose further blocks are allocated from the
 * allocator itself, so they occupy the managed memory.  A new slab block
 * is taken when at most three entries are left, a completely free one is
 * returned once more than two blocks' worth of entries are free, and
 * add_range switches the backing store off while it runs.  Every one of
 * those rules changes where later blocks land, which is why they are
 * here.
 *
 * Mem_alloc_impl (repos/libports/src/lib/libc/libc_mem_alloc.cc) is a
 * pool of RAM dataspaces under such an allocator: on a miss it expands by
 * one dataspace of max(size + max(2^align, 1024) + slab block +
 * sizeof(Dataspace), chunk), page-rounded, where the chunk starts at 4K
 * words and doubles up to 1M words; the dataspace is attached anywhere
 * in env (writeable, executable for the rwx pool), its range added to
 * the allocator, and the pool's Dataspace record allocated from it
 * first.  Memory goes back to the allocator, never to core, until the
 * pool is destroyed.
 */
#include "mem_alloc.h"

#include "rmsim/abi.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define LEFT 0
#define RIGHT 1
#define PAGE 4096ULL

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		fputs("rmsim: out of memory in a policy\n", stderr);
		abort();
	}
	return p;
}

static uint64_t align_up(uint64_t v, unsigned log2)
{
	uint64_t pot = log2 >= 64 ? 0 : 1ULL << log2;

	return (v + pot - 1) & ~(pot - 1);
}

/* ---- Avl_node_base (avl_tree.cc) with Block's recompute hook ---- */

static inline uint64_t avail(const struct pol_avl_blk *b)
{
	return b->used ? 0 : b->size;
}

static inline uint64_t child_max_avail(const struct pol_avl_blk *b, int side)
{
	return b->child[side] ? b->child[side]->max_avail : 0;
}

static inline int child_depth(const struct pol_avl_blk *b, int side)
{
	return b->child[side] ? b->child[side]->depth : 0;
}

/* Block::recompute */
static void recompute(struct pol_avl_blk *b)
{
	uint64_t m = child_max_avail(b, LEFT);

	if (child_max_avail(b, RIGHT) > m)
		m = child_max_avail(b, RIGHT);
	if (avail(b) > m)
		m = avail(b);
	b->max_avail = m;
}

static void recompute_depth(struct pol_avl_blk *n)
{
	int old = n->depth, l = child_depth(n, LEFT), r = child_depth(n, RIGHT);

	n->depth = (l > r ? l : r) + 1;
	if (n->depth != old && n->parent)
		recompute_depth(n->parent);
	/* the head is no block: no hook for it */
	if (n->parent)
		recompute(n);
}

static void adopt(struct pol_avl_blk *n, struct pol_avl_blk *node, int i)
{
	n->child[i] = node;
	if (node)
		node->parent = n;
	recompute_depth(n);
}

static inline int bias(const struct pol_avl_blk *n)
{
	return child_depth(n, RIGHT) > child_depth(n, LEFT);
}

static void rotate_subtree(struct pol_avl_blk *n, struct pol_avl_blk *node,
			   int side)
{
	int i = node == n->child[0] ? LEFT : RIGHT;
	struct pol_avl_blk *node_r = node->child[!side], *node_r_l;

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
		struct pol_avl_blk *node_r_l_l = node_r_l->child[side];
		struct pol_avl_blk *node_r_l_r = node_r_l->child[!side];

		adopt(node, node_r_l_l, !side);
		adopt(node_r, node_r_l_r, side);
		adopt(node_r_l, node, side);
		adopt(node_r_l, node_r, !side);
		adopt(n, node_r_l, i);
	}
}

static void rebalance_subtree(struct pol_avl_blk *n, struct pol_avl_blk *node)
{
	int v = child_depth(node, RIGHT) - child_depth(node, LEFT);

	if (v > -2 && v < 2)
		return;
	rotate_subtree(n, node, v < 0);
}

static void avl_insert(struct pol_avl_blk *n, struct pol_avl_blk *node)
{
	int i = LEFT;

	if (node == n)
		return;
	/* Block::higher: equal or higher addresses go right */
	if (n->parent)
		i = node->addr >= n->addr;
	if (n->child[i])
		avl_insert(n->child[i], node);
	else
		adopt(n, node, i);
	recompute_depth(n);
	if (n->parent)
		rebalance_subtree(n->parent, n);
}

static void avl_remove(struct pol_avl_blk *n)
{
	struct pol_avl_blk *lp = NULL, *l = n->child[0], *lpp;
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
	/* Genode rebalances from the replacement's old parent upwards only */
	while (lp && lp->parent) {
		lpp = lp->parent;
		rebalance_subtree(lpp, lp);
		lp = lpp;
	}
	n->child[LEFT] = n->child[RIGHT] = NULL;
	n->parent = NULL;
}

static inline struct pol_avl_blk *root(const struct pol_avl *t)
{
	return t->head.child[0];
}

/* ---- Block searches ---- */

static inline bool sum_in_range(uint64_t addr, uint64_t offset)
{
	return addr + offset - 1 >= addr;
}

/* Block::_fits, with Range {start, end} */
static bool fits(const struct pol_avl_blk *b, uint64_t n, unsigned align,
		 uint64_t start, uint64_t end)
{
	uint64_t a = align_up(b->addr > start ? b->addr : start, align);

	return a >= b->addr && sum_in_range(a, n) &&
	       a - b->addr + n <= avail(b) && a + n - 1 <= end;
}

/* Block::find_best_fit */
static struct pol_avl_blk *find_best_fit(struct pol_avl_blk *b, uint64_t size,
					 unsigned align, uint64_t start,
					 uint64_t end)
{
	/* the child with the lower max_avail first */
	int side = child_max_avail(b, 1) < child_max_avail(b, 0);
	int i;

	for (i = 0; i < 2; i++, side = !side) {
		struct pol_avl_blk *res;

		if (child_max_avail(b, side) < size)
			continue;
		res = b->child[side] ? find_best_fit(b->child[side], size,
						     align, start, end)
				     : NULL;
		if (res)
			return fits(b, size, align, start, end) &&
					       size < res->size
				       ? b
				       : res;
	}
	return fits(b, size, align, start, end) ? b : NULL;
}

/* Block::find_by_address */
static struct pol_avl_blk *find_by_address(struct pol_avl_blk *b,
					   uint64_t addr, uint64_t size,
					   bool check_overlap)
{
	size = size ? size : 1;
	while (b) {
		if (check_overlap && addr + size - 1 >= b->addr &&
		    b->addr + b->size - 1 >= addr)
			return b;
		if (addr >= b->addr &&
		    addr + size - 1 <= b->addr + b->size - 1)
			return b;
		b = b->child[addr >= b->addr];
	}
	return NULL;
}

static struct pol_avl_blk *find(const struct pol_avl *t, uint64_t addr,
				uint64_t size, bool check_overlap)
{
	return find_by_address(root(t), addr, size, check_overlap);
}

/* ---- Slab (slab.cc), backed by the allocator itself ---- */

static int alloc_aligned(struct pol_avl *t, uint64_t size, unsigned align,
			 uint64_t start, uint64_t end, uint64_t *out);
static void avl_free(struct pol_avl *t, uint64_t addr);

static void insert_sb(struct pol_avl *t, struct pol_avl_sb *sb)
{
	sb->prev = t->curr;
	sb->next = t->curr->next;
	t->curr->next->prev = sb;
	t->curr->next = sb;
	t->total_avail += t->epb;
	t->num_blocks++;
}

/* Slab::try_alloc: the slab block the new entry lives in, or NULL */
static struct pol_avl_sb *slab_alloc(struct pol_avl *t)
{
	struct pol_avl_sb *orig;

	/* a new block while three entries are left, so that the nested
	 * allocation of the block itself cannot run dry (_expand) */
	if (t->total_avail <= 3 && !t->bs_off && !t->nested) {
		struct pol_avl_sb *sb;
		uint64_t addr;
		int r;

		t->nested = true;
		/* Allocator_avl_base::try_alloc: word-aligned */
		r = alloc_aligned(t, t->sb_size, t->word == 8 ? 3 : 2, 0,
				  UINT64_MAX, &addr);
		t->nested = false;
		if (r)
			return NULL;
		sb = xcalloc(1, sizeof(*sb));
		sb->avail = t->epb;
		sb->addr = addr;
		insert_sb(t, sb);
	}
	/* skip completely occupied slab blocks, detect cycles */
	orig = t->curr;
	for (; t->curr->avail == 0; t->curr = t->curr->next)
		if (t->curr->next == orig)
			break;
	if (t->curr->avail == 0)
		return NULL;
	t->curr->avail--;
	t->total_avail--;
	return t->curr;
}

/* Slab::_release_backing_store */
static void release_sb(struct pol_avl *t, struct pol_avl_sb *sb)
{
	uint64_t addr = sb->addr;
	bool give_back = !t->bs_off && !sb->initial;

	t->total_avail -= sb->avail;
	t->num_blocks--;
	if (sb->initial)
		return;
	free(sb);
	if (give_back)
		avl_free(t, addr);
}

/* Slab::_free_curr_sb */
static void free_curr_sb(struct pol_avl *t)
{
	struct pol_avl_sb *sb = t->curr;

	t->curr = t->curr->next;
	if (t->num_blocks <= 1)
		return;
	sb->prev->next = sb->next;
	sb->next->prev = sb->prev;
	release_sb(t, sb);
}

/* Slab::_free */
static void slab_free(struct pol_avl *t, struct pol_avl_sb *sb)
{
	sb->avail++;
	t->total_avail++;
	/* keep at most two blocks' worth of free entries around */
	t->curr = sb;
	while (t->total_avail > 2ULL * t->epb && t->num_blocks > 1 &&
	       t->curr->avail == t->epb && !t->bs_off)
		free_curr_sb(t);
}

/* ---- Allocator_avl_base ---- */

/* _alloc_block_metadata */
static struct pol_avl_blk *md_alloc(struct pol_avl *t)
{
	struct pol_avl_sb *sb = NULL;
	struct pol_avl_blk *b;

	if (t->self_md) {
		sb = slab_alloc(t);
		if (!sb)
			return NULL;
	}
	b = xcalloc(1, sizeof(*b));
	b->sb = sb;
	b->depth = 1;
	return b;
}

static void md_free(struct pol_avl *t, struct pol_avl_blk *b)
{
	struct pol_avl_sb *sb = b->sb;

	free(b);
	if (sb)
		slab_free(t, sb);
}

/* _alloc_two_blocks_metadata: both or neither */
static int md_alloc_two(struct pol_avl *t, struct pol_avl_blk **b1,
			struct pol_avl_blk **b2)
{
	*b1 = md_alloc(t);
	if (!*b1)
		return -1;
	*b2 = md_alloc(t);
	if (!*b2) {
		md_free(t, *b1);
		*b1 = NULL;
		return -1;
	}
	return 0;
}

static void add_block(struct pol_avl *t, struct pol_avl_blk *b, uint64_t addr,
		      uint64_t size, bool used)
{
	b->child[0] = b->child[1] = b->parent = NULL;
	b->depth = 1;
	b->addr = addr;
	b->size = size;
	b->used = used;
	b->max_avail = avail(b);
	avl_insert(&t->head, b);
	t->nodes++;
}

static void destroy_block(struct pol_avl *t, struct pol_avl_blk *b)
{
	avl_remove(b);
	t->nodes--;
	md_free(t, b);
}

/* _cut_from_block */
static void cut_from_block(struct pol_avl *t, struct pol_avl_blk *b,
			   uint64_t addr, uint64_t size,
			   struct pol_avl_blk *b1, struct pol_avl_blk *b2)
{
	uint64_t padding = addr > b->addr ? addr - b->addr : 0;
	uint64_t b_size = b->size > padding ? b->size - padding : 0;
	uint64_t remaining = b_size > size ? b_size - size : 0;
	uint64_t orig = b->addr;

	/* a block that covers the whole address space */
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

/*
 * _allocate: metadata first, then the search (which may see a tree the
 * metadata allocation changed), then the cut and the used block.
 * @at_addr: alloc_addr's search by address instead of best fit.
 */
static int allocate(struct pol_avl *t, uint64_t size, unsigned align,
		    uint64_t start, uint64_t end, bool at_addr, uint64_t *out)
{
	struct pol_avl_blk *b1, *b2, *b, *nb;
	uint64_t new_addr;

	if (md_alloc_two(t, &b1, &b2))
		return -1;
	b = root(t);
	if (b)
		b = at_addr ? find_by_address(b, start, size, false)
			    : find_best_fit(b, size, align, start, end);
	if (!b || b->used) {
		md_free(t, b1);
		md_free(t, b2);
		return -1;
	}
	new_addr = align_up(b->addr > start ? b->addr : start, align);
	cut_from_block(t, b, new_addr, size, b1, b2);
	nb = md_alloc(t);
	if (!nb)
		return -1;	/* Genode loses the cut range here too */
	add_block(t, nb, new_addr, size, true);
	*out = new_addr;
	return 0;
}

static int alloc_aligned(struct pol_avl *t, uint64_t size, unsigned align,
			 uint64_t start, uint64_t end, uint64_t *out)
{
	return allocate(t, size, align, start, end, false, out);
}

/*
 * add_range, as Allocator_avl_tpl overrides it: the slab may not grow
 * while the range is being added.
 */
static int add_range(struct pol_avl *t, uint64_t base, uint64_t size)
{
	struct pol_avl_blk *nb, *b;
	bool saved = t->bs_off;
	int r = -1;

	t->bs_off = true;
	if (!size || find(t, base, size, true))
		goto out;
	nb = md_alloc(t);
	if (!nb)
		goto out;
	/* merge with the predecessor and the successor */
	if (base != 0 && (b = find(t, base - 1, 0, false)) && !b->used) {
		size += b->size;
		base = b->addr;
		destroy_block(t, b);
	}
	if ((b = find(t, base + size, 0, false)) && !b->used) {
		size += b->size;
		destroy_block(t, b);
	}
	add_block(t, nb, base, size, false);
	r = 0;
out:
	t->bs_off = saved;
	return r;
}

static void avl_free(struct pol_avl *t, uint64_t addr)
{
	struct pol_avl_blk *b = find(t, addr, 0, false);
	uint64_t base, size;

	if (!b || !b->used)
		return;
	/* Genode logs an error when addr is not the block start, and
	 * frees the whole block anyway */
	base = b->addr;
	size = b->size;
	destroy_block(t, b);
	add_range(t, base, size);
}

void pol_avl_init(struct pol_avl *t, bool self_md, unsigned word)
{
	memset(t, 0, sizeof(*t));
	t->head.depth = 1;
	t->self_md = self_md;
	t->word = word == 4 ? 4 : 8;
	/* SLAB_BLOCK_SIZE = (1024 - 8) * sizeof(addr_t); entries per block
	 * (block - sizeof(Slab::Block) - word) / (entry + sizeof(Entry) + 1)
	 * with Slab::Block of four words and Block of eight */
	t->sb_size = (1024 - 8) * (uint64_t)t->word;
	t->epb = (unsigned)((t->sb_size - 4 * t->word - t->word) /
			    (8 * t->word + t->word + 1));
	t->initial.initial = true;
	t->initial.avail = t->epb;
	t->initial.next = t->initial.prev = &t->initial;
	t->curr = &t->initial;
	t->num_blocks = 1;
	t->total_avail = t->epb;
}

static void free_nodes(struct pol_avl_blk *b)
{
	if (!b)
		return;
	free_nodes(b->child[0]);
	free_nodes(b->child[1]);
	free(b);
}

void pol_avl_destroy(struct pol_avl *t)
{
	struct pol_avl_sb *sb, *n;

	free_nodes(root(t));
	t->head.child[0] = NULL;
	/* the ring, without the inline block (which may have left it) */
	sb = t->curr;
	if (sb) {
		do {
			n = sb->next;
			if (!sb->initial)
				free(sb);
			sb = n;
		} while (sb != t->curr);
	}
	t->curr = NULL;
	t->nodes = 0;
}

int pol_avl_add_range(struct pol_avl *t, uint64_t base, uint64_t size)
{
	return add_range(t, base, size);
}

int pol_avl_alloc_aligned(struct pol_avl *t, uint64_t size, unsigned align,
			  uint64_t *out)
{
	return alloc_aligned(t, size, align, 0, UINT64_MAX, out);
}

int pol_avl_alloc_addr(struct pol_avl *t, uint64_t size, uint64_t addr)
{
	uint64_t out;

	if (!sum_in_range(addr, size))
		return -1;
	return allocate(t, size, 0, addr, addr + size - 1, true, &out);
}

void pol_avl_free(struct pol_avl *t, uint64_t addr)
{
	avl_free(t, addr);
}

enum pol_avl_size_at pol_avl_size_at(const struct pol_avl *t, uint64_t addr,
				     uint64_t *size)
{
	struct pol_avl_blk *b = find(t, addr, 0, false);

	*size = 0;
	if (b && b->addr != addr)
		return POL_AVL_MISMATCHING_ADDR;
	if (b && b->used) {
		*size = b->size;
		return POL_AVL_SIZE_OK;
	}
	return POL_AVL_UNKNOWN_ADDR;
}

bool pol_avl_lookup(const struct pol_avl *t, uint64_t addr, uint64_t *base,
		    uint64_t *size, bool *used)
{
	struct pol_avl_blk *b = find(t, addr, 0, false);

	if (!b)
		return false;
	*base = b->addr;
	*size = b->size;
	*used = b->used;
	return true;
}

struct walk {
	uint64_t nodes, entries, prev_end;
	bool have_prev, prev_free;
	char *msg;
	size_t size;
};

static int check_node(const struct pol_avl_blk *b, struct walk *w)
{
	uint64_t real;

	if (!b)
		return 0;
	if ((b->child[0] && b->child[0]->parent != b) ||
	    (b->child[1] && b->child[1]->parent != b)) {
		snprintf(w->msg, w->size, "block %#llx: broken parent link",
			 (unsigned long long)b->addr);
		return -1;
	}
	if (check_node(b->child[0], w))
		return -1;
	if (b->depth != (child_depth(b, LEFT) > child_depth(b, RIGHT)
				 ? child_depth(b, LEFT)
				 : child_depth(b, RIGHT)) +
				1) {
		snprintf(w->msg, w->size, "block %#llx: wrong depth",
			 (unsigned long long)b->addr);
		return -1;
	}
	/* Genode leaves stale maxima above a removal: only too high */
	real = avail(b);
	if (b->child[0] && b->child[0]->max_avail > real)
		real = b->child[0]->max_avail;
	if (b->child[1] && b->child[1]->max_avail > real)
		real = b->child[1]->max_avail;
	if (b->max_avail < real) {
		snprintf(w->msg, w->size, "block %#llx: max_avail too low",
			 (unsigned long long)b->addr);
		return -1;
	}
	if (w->have_prev && b->addr < w->prev_end) {
		snprintf(w->msg, w->size, "block %#llx overlaps its "
			 "predecessor", (unsigned long long)b->addr);
		return -1;
	}
	if (w->have_prev && b->addr == w->prev_end && w->prev_free &&
	    !b->used) {
		snprintf(w->msg, w->size, "free blocks at %#llx not merged",
			 (unsigned long long)b->addr);
		return -1;
	}
	if (!b->size) {
		snprintf(w->msg, w->size, "empty block at %#llx",
			 (unsigned long long)b->addr);
		return -1;
	}
	w->have_prev = true;
	w->prev_end = b->addr + b->size;
	w->prev_free = !b->used;
	w->nodes++;
	w->entries += b->sb != NULL;
	return check_node(b->child[1], w);
}

int pol_avl_check(const struct pol_avl *t, char *msg, size_t size)
{
	struct walk w = {0};
	const struct pol_avl_sb *sb;
	uint64_t free_entries = 0, in_use;
	unsigned n = 0;

	w.msg = msg;
	w.size = size;
	if (root(t) && root(t)->parent != &t->head) {
		snprintf(msg, size, "root not linked to the head");
		return -1;
	}
	if (check_node(root(t), &w))
		return -1;
	if (w.nodes != t->nodes) {
		snprintf(msg, size, "%llu blocks in the tree, %llu counted",
			 (unsigned long long)w.nodes,
			 (unsigned long long)t->nodes);
		return -1;
	}
	if (!t->self_md)
		return 0;
	sb = t->curr;
	do {
		if (sb->next->prev != sb || sb->avail > t->epb) {
			snprintf(msg, size, "slab ring broken");
			return -1;
		}
		free_entries += sb->avail;
		n++;
		sb = sb->next;
	} while (sb != t->curr && n <= t->num_blocks);
	if (n != t->num_blocks || free_entries != t->total_avail) {
		snprintf(msg, size, "slab: %u blocks (%u recorded), %llu free "
			 "(%llu recorded)", n, t->num_blocks,
			 (unsigned long long)free_entries,
			 (unsigned long long)t->total_avail);
		return -1;
	}
	in_use = (uint64_t)n * t->epb - free_entries;
	if (in_use != w.entries) {
		snprintf(msg, size, "slab holds %llu entries, the tree %llu",
			 (unsigned long long)in_use,
			 (unsigned long long)w.entries);
		return -1;
	}
	return 0;
}

/* ---- Libc::Mem_alloc_impl ---- */

enum {
	MIN_CHUNK_WORDS = 4 * 1024,
	MAX_CHUNK_WORDS = 1024 * 1024,
};

void pol_ma_init(struct pol_ma *m, struct gn_ctx *gn, bool executable,
		 bool y2020)
{
	const struct lay_layout *l = gn_ctx_layout(gn);

	memset(m, 0, sizeof(*m));
	m->gn = gn;
	m->executable = executable;
	m->word = l && l->bits == 32 ? 4 : 8;
	/* List element, capability, and the Range (HEAD) or the local
	 * address (20.05) */
	m->ds_struct = (y2020 ? 3 : 4) * (uint64_t)m->word;
	m->chunk = MIN_CHUNK_WORDS;
	pol_avl_init(&m->alloc, true, m->word);
}

void pol_ma_fini(struct pol_ma *m)
{
	struct pol_ma_ds *d, *n;

	/* ~Dataspace_pool: detach, then free */
	for (d = m->ds; d; d = n) {
		n = d->next;
		gn_region_map_detach(gn_env_rm(m->gn), d->base);
		gn_pd_free_ram(gn_env_pd(m->gn), d->ds);
		free(d);
	}
	m->ds = NULL;
	m->ram = 0;
	m->nds = 0;
	pol_avl_destroy(&m->alloc);
}

/* Dataspace_pool::expand */
static int expand(struct pol_ma *m, uint64_t size)
{
	struct gn_attr attr = {0};
	struct gn_range range;
	struct pol_ma_ds *d;
	gn_ds_cap ds;
	uint64_t rec;

	if (gn_pd_alloc_ram(gn_env_pd(m->gn), size, &ds) != GN_ALLOC_OK ||
	    !gn_ds_valid(ds))
		return -1;
	attr.executable = m->executable;
	attr.writeable = true;
	if (gn_region_map_attach(gn_env_rm(m->gn), ds, &attr, &range) !=
	    GN_ATTACH_OK) {
		gn_pd_free_ram(gn_env_pd(m->gn), ds);
		return -1;
	}
	/* the model keeps every dataspace, also one whose record cannot
	 * be allocated below (Genode then loses track of it) */
	d = xcalloc(1, sizeof(*d));
	d->ds = ds;
	d->base = range.start;
	d->size = range.num_bytes;
	d->fresh = true;
	d->next = m->ds;
	m->ds = d;
	m->ram += range.num_bytes;
	m->nds++;
	/* Genode only warns when the range cannot be added */
	add_range(&m->alloc, range.start, range.num_bytes);
	/* the pool's Dataspace record lives in the new memory */
	return alloc_aligned(&m->alloc, m->ds_struct, 2, 0, UINT64_MAX, &rec);
}

int pol_ma_alloc(struct pol_ma *m, uint64_t size, unsigned align_log2,
		 uint64_t *out)
{
	uint64_t request, ab = 1ULL << align_log2;
	struct pol_ma_ds *d;

	for (d = m->ds; d; d = d->next)
		d->fresh = false;
	if (!alloc_aligned(&m->alloc, size, align_log2, 0, UINT64_MAX, out))
		return 0;
	/* room for the request at its alignment, a Dataspace record and a
	 * slab block for the nodes, with the same wrap as size_t */
	request = size + (ab > 1024 ? ab : 1024) + m->alloc.sb_size +
		  m->ds_struct;
	if (request < m->chunk * m->word) {
		request = m->chunk * m->word;
		m->chunk = 2 * m->chunk < MAX_CHUNK_WORDS ? 2 * m->chunk
							  : MAX_CHUNK_WORDS;
	}
	if (expand(m, align_up(request, 12)) < 0)
		return -LX_ENOMEM;
	if (alloc_aligned(&m->alloc, size, align_log2, 0, UINT64_MAX, out))
		return -LX_ENOMEM;
	return 0;
}

void pol_ma_free(struct pol_ma *m, uint64_t addr)
{
	avl_free(&m->alloc, addr);
}

enum pol_avl_size_at pol_ma_size_at(const struct pol_ma *m, uint64_t addr,
				    uint64_t *size)
{
	return pol_avl_size_at(&m->alloc, addr, size);
}

bool pol_ma_owns(const struct pol_ma *m, uint64_t addr)
{
	const struct pol_ma_ds *d;

	for (d = m->ds; d; d = d->next)
		if (addr >= d->base && addr - d->base < d->size)
			return true;
	return false;
}

void pol_ma_zero(struct pol_ma *m, uint64_t addr, uint64_t len)
{
	struct pol_ma_ds *d;

	for (d = m->ds; d; d = d->next) {
		uint64_t s, e, off;

		if (d->fresh)
			continue;
		s = addr > d->base ? addr : d->base;
		e = addr + len < d->base + d->size ? addr + len
						   : d->base + d->size;
		if (addr + len < addr)	/* wrapped: up to the end */
			e = d->base + d->size;
		off = s;
		gn_ds_zero(d->ds, off - d->base, e - s);
	}
}
