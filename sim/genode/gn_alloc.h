/*
 * gn_alloc.h - Genode's base-library allocators as the model has them:
 * quota accounts, Slab entries, and Allocator_avl (blocks of free and
 * used ranges in core's AVL tree).  Core's region maps use them
 * (gn_rm.c), and so do the component-side allocators of the libc
 * policies (sim/policy/mem_alloc.c), whose Allocator_avl is the same
 * class with its metadata taken from its own memory.
 */
#ifndef RMSIM_GENODE_ALLOC_H
#define RMSIM_GENODE_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rmsim/genode.h"

/* ---- quota (Ram_quota_guard and Cap_quota_guard of one account) ---- */

struct gn_account {
	uint64_t ram_limit, ram_used;
	uint64_t caps_limit, caps_used;
	uint64_t ram_peak, caps_peak;
	/* where charges refused for want of RAM (tally[0]) or caps
	 * (tally[1]) are counted, or NULL: the replay's checks tell a
	 * quota that ran out from other failures by these */
	uint64_t *tally;
};

/* Reserve both or neither; GN_ALLOC_OK or the error. */
enum gn_alloc_error gn_acct_charge(struct gn_account *a, uint64_t ram,
				   uint64_t caps);
void gn_acct_refund(struct gn_account *a, uint64_t ram, uint64_t caps);

/* ---- Slab (base/slab.h), at the level of entry slots ---- */

struct gn_slab_blk;

struct gn_slot {
	struct gn_slab_blk *blk;
	unsigned idx;
};

/*
 * A backing store that is more than a flat charge of block_ram and a cap:
 * a PD's own maps take their metadata blocks from the PD session's sliced
 * heap, which charges the PD and then allocates a RAM dataspace from the
 * same PD (gn_pd.c).  alloc pays for @b or fails; free gives it back.
 */
struct gn_slab_store {
	enum gn_alloc_error (*alloc)(void *ctx, struct gn_slab_blk *b);
	void (*free)(void *ctx, struct gn_slab_blk *b);
};

struct gn_slab_blk {
	struct gn_slab_blk *next, *prev;	/* the ring */
	uint64_t used;		/* one bit per entry (at most 64 per block) */
	unsigned avail;
	bool initial;		/* the block inside the owning object */
	/* the model's index: labels grow along the ring (modulo 2^64),
	 * and the blocks with a free entry are in a treap by label, so
	 * that the next such block after the current one is found in
	 * O(log n) instead of by walking the ring */
	uint64_t label, prio;
	struct gn_slab_blk *nf_l, *nf_r;
	bool in_ring, in_nf;
	struct gn_slot store_slot;	/* the store's record of the block */
};

struct gn_slab {
	unsigned epb;		/* entries per block */
	uint64_t block_ram;	/* what a dynamic block costs its payer */
	struct gn_account *acct;	/* the payer (backing store) */
	const struct gn_slab_store *store;	/* instead of acct, if set */
	void *store_ctx;
	/* backing_store(0): Allocator_avl_tpl::add_range switches it off,
	 * so the slab neither grows nor releases a block meanwhile */
	bool no_backing;
	struct gn_slab_blk *curr;
	struct gn_slab_blk initial;
	bool has_curr;
	unsigned num_blocks;
	uint64_t total_avail;
	uint64_t charged;	/* dynamic blocks (block_ram and a cap each) */
	struct gn_slab_blk *nonfull;	/* treap of blocks with a free entry */
	uint64_t seed;			/* treap priorities */
};

void gn_slab_init(struct gn_slab *s, unsigned epb, uint64_t block_ram,
		  struct gn_account *acct);
enum gn_alloc_error gn_slab_alloc(struct gn_slab *s, struct gn_slot *out);
void gn_slab_free(struct gn_slab *s, struct gn_slot slot);
/* Release every dynamic block (the owner is destroyed). */
void gn_slab_destroy(struct gn_slab *s);
int gn_slab_check(const struct gn_slab *s, uint64_t entries, char *msg,
		  size_t size);

/* ---- Allocator_avl<Rm_region>: blocks in an AVL tree by address ---- */

struct gn_ds;
struct gn_rmap;

struct gn_blk {
	/* what a search or a rebalancing step reads comes first: one cache
	 * line per node.  c*[i] are copies of child i's depth and
	 * augmentation, always equal to the child's own fields, so that
	 * recomputing a node and choosing a side never load the other
	 * child: at 100,000 nodes those loads are cache misses. */
	_Alignas(64) struct gn_blk *child[2];	/* Avl_node_base */
	uint64_t addr, size;			/* Allocator_avl_base::Block */
	struct gn_blk *parent;
	uint64_t cmax[2];	/* children's max_avail */
	uint8_t cdepth[2];	/* children's depth */
	uint8_t cfit[2];	/* children's max_fit */
	bool used;
	uint8_t depth;
	bool dirty;		/* inputs of the augmentation changed */
	uint64_t croom[2];	/* children's max_fit_room */
	uint64_t max_avail;
	/* the model's own augmentation: the largest k + 1 such that a
	 * free block below holds a 2^k-aligned chunk of 2^k bytes, and
	 * among the blocks with that k, the most room from the first
	 * 2^k-aligned address on; it only prunes searches that cannot
	 * succeed, so placement is core's */
	uint64_t max_fit_room;
	uint8_t max_fit;
	uint8_t fit;		/* this block's own k + 1 */
	uint64_t fit_room;
	struct gn_slot slot;	/* core's metadata entry */
	void *md_entry;		/* or the owner's (struct gn_avl_md) */
	/* Rm_region, for used blocks */
	struct gn_ds *ds;	/* NULL: reserved */
	bool write, exec;
	uint64_t off;
	struct gn_rmap *rm;
	struct gn_blk *ds_prev, *ds_next;	/* the dataspace's regions */
};

struct gn_avl;

/*
 * Where an allocator's block metadata comes from when it is not core's
 * quota-charged slab: Genode's Allocator_avl takes a metadata allocator,
 * and a component's Allocator_avl(0) takes its entries from a slab that
 * lives in the managed memory itself (sim/policy/mem_alloc.c).  alloc
 * accounts one entry for @b (b->md_entry is the owner's) or fails with
 * GN_ALLOC_DENIED; it may allocate from the same tree.  add_range, if set,
 * is told when Allocator_avl_tpl::add_range starts (true) and ends.
 */
struct gn_avl_md {
	enum gn_alloc_error (*alloc)(void *ctx, struct gn_blk *b);
	void (*free)(void *ctx, struct gn_blk *b);
	void (*add_range)(void *ctx, bool start);
};

struct gn_avl {
	struct gn_blk head;	/* Avl_tree: the root is head.child[0] */
	struct gn_slab md;	/* Tslab with its initial block inline */
	const struct gn_avl_md *mdops;	/* instead of md, if set */
	void *mdctx;
	uint64_t blocks;	/* nodes in the tree */
	uint64_t used;		/* used (region) nodes */
	/* host memory for nodes: recycled, allocated in chunks, so that a
	 * big map's nodes sit close together */
	struct gn_blk *spare;
	void **chunks;
	size_t nchunks;
	bool no_prune;		/* tests: search without max_fit */
	/* the block gn_avl_find returned last (a cache; NULL when it left
	 * the tree): faults and detaches look the same block up in turn */
	struct gn_blk *finger;
	uint64_t *steps;	/* nodes visited */
	uint64_t own_steps;	/* where steps point unless told */
};

/* The first node, or NULL. */
static inline struct gn_blk *gn_avl_root(const struct gn_avl *t)
{
	return t->head.child[0];
}

void gn_avl_init(struct gn_avl *t, unsigned epb, uint64_t block_ram,
		 struct gn_account *acct, uint64_t *steps);
/* An allocator whose metadata comes from @ops (see struct gn_avl_md). */
void gn_avl_init_md(struct gn_avl *t, const struct gn_avl_md *ops,
		    void *ctx);
/* Allocator_avl::add_range; GN_ALLOC_OK, or the error (DENIED on
 * conflict, OUT_OF_RAM/CAPS for metadata). */
enum gn_alloc_error gn_avl_add_range(struct gn_avl *t, uint64_t addr,
				     uint64_t size);
/* alloc_addr: a used block at exactly [addr, addr+size). */
enum gn_alloc_error gn_avl_alloc_addr(struct gn_avl *t, uint64_t size,
				      uint64_t addr, struct gn_blk **out);
/* alloc_aligned with the unconstrained range. */
enum gn_alloc_error gn_avl_alloc_aligned(struct gn_avl *t, uint64_t size,
					 unsigned align_log2,
					 struct gn_blk **out);
/* free(addr): back to free space, merged with free neighbours. */
void gn_avl_free(struct gn_avl *t, uint64_t addr);
/* The same for a used block already looked up. */
void gn_avl_free_blk(struct gn_avl *t, struct gn_blk *b);
/* _find_by_address(addr): the block containing addr, or NULL. */
struct gn_blk *gn_avl_find(const struct gn_avl *t, uint64_t addr);
/* The lowest block with addr >= a, or NULL. */
struct gn_blk *gn_avl_ceil(const struct gn_avl *t, uint64_t a);
/* In-order successor. */
struct gn_blk *gn_avl_next(const struct gn_blk *b);
struct gn_blk *gn_avl_first(const struct gn_avl *t);
/* Free every node and every dynamic metadata block. */
void gn_avl_destroy(struct gn_avl *t);
int gn_avl_check(const struct gn_avl *t, char *msg, size_t size);

#endif
