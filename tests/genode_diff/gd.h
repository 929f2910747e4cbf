/*
 * gd.h - the two sides of scripts/genode-diff: Genode's own allocator
 * (allocator_avl.cc, avl_tree.cc and slab.cc compiled from a checkout,
 * gd_genode.cc) and the model's (gn_avl and gn_slab from rmsim_core,
 * gd_model.c), behind one C interface so that one driver (gd_main.c)
 * runs the same operations through both and compares every answer.
 *
 * A side is one region map's allocator: an Allocator_avl over
 * [base, base+size) whose metadata slab takes its blocks from a backing
 * store that charges a quota account, as an RM session's sliced heap
 * does in core: a page-rounded block with the heap's header and one
 * capability per slab block, OUT_OF_RAM or OUT_OF_CAPS when the account
 * cannot pay.
 */
#ifndef RMSIM_GD_H
#define RMSIM_GD_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Results, the same on both sides (Genode's Alloc_error plus OK). */
enum gd_err { GD_OK, GD_OUT_OF_RAM, GD_OUT_OF_CAPS, GD_DENIED };

/* What is compared after every operation besides the result. */
struct gd_state {
	uint64_t slab_blocks;	/* metadata slab blocks, the inline one too */
	uint64_t slab_free;	/* free entries in them (Slab::avail_entries) */
	uint64_t ram_used, caps_used;	/* the account */
};

/* The cost of one slab block (core: Sliced_heap over accounted RAM). */
struct gd_costs {
	uint64_t entry_size;	/* sizeof(Allocator_avl_tpl<Rm_region>::Block) */
	uint64_t block_ram;	/* charged per slab block */
};

/* The model's sizes: the Genode side builds its entries to match. */
void gd_model_costs(struct gd_costs *out);

struct gd_side;

/* Both sides implement each function, prefixed gd_genode_ and gd_model_ */
#define GD_SIDE_API(p)                                                       \
	struct gd_side *p##new(uint64_t base, uint64_t size,                 \
			       uint64_t ram_limit, uint64_t caps_limit,      \
			       const struct gd_costs *costs);                \
	void p##delete(struct gd_side *s);                                   \
	enum gd_err p##alloc_aligned(struct gd_side *s, uint64_t size,       \
				     unsigned align_log2, uint64_t *addr);   \
	enum gd_err p##alloc_addr(struct gd_side *s, uint64_t size,          \
				  uint64_t addr);                            \
	void p##free(struct gd_side *s, uint64_t addr);                      \
	void p##limits(struct gd_side *s, uint64_t ram_limit,                \
		       uint64_t caps_limit);                                 \
	void p##state(struct gd_side *s, struct gd_state *out);              \
	/* free bytes (Allocator_avl::avail): a walk over every block */     \
	uint64_t p##avail(struct gd_side *s);

GD_SIDE_API(gd_genode_)
GD_SIDE_API(gd_model_)

#ifdef __cplusplus
}
#endif

#endif
