/*
 * gn_internal.h - the Genode model's data structures, shared by the files
 * of sim/genode/.  Each struct names the core class it stands for.
 *
 * Ownership: the context owns PDs, RM sessions, dataspaces and region
 * maps; a capability is an index into the context's table plus a
 * generation, so a capability of a destroyed object stays invalid even
 * when its slot is reused.
 */
#ifndef RMSIM_GENODE_INTERNAL_H
#define RMSIM_GENODE_INTERNAL_H

#include "rmsim/genode.h"

#define GN_PAGE 4096ULL
#define GN_PAGE_LOG2 12

static inline uint64_t gn_align_page(uint64_t v)
{
	return (v + GN_PAGE - 1) & ~(GN_PAGE - 1);
}

/* ---- quota (Ram_quota_guard and Cap_quota_guard of one account) ---- */

struct gn_account {
	uint64_t ram_limit, ram_used;
	uint64_t caps_limit, caps_used;
	uint64_t ram_peak, caps_peak;
};

/* Reserve both or neither; GN_ALLOC_OK or the error. */
enum gn_alloc_error gn_acct_charge(struct gn_account *a, uint64_t ram,
				   uint64_t caps);
void gn_acct_refund(struct gn_account *a, uint64_t ram, uint64_t caps);

/* ---- Slab (base/slab.h), at the level of entry slots ---- */

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
};

struct gn_slab {
	unsigned epb;		/* entries per block */
	uint64_t block_ram;	/* what a dynamic block costs its payer */
	struct gn_account *acct;	/* the payer (backing store) */
	struct gn_slab_blk *curr;
	struct gn_slab_blk initial;
	bool has_curr;
	unsigned num_blocks;
	uint64_t total_avail;
	uint64_t charged;	/* dynamic blocks (block_ram and a cap each) */
	struct gn_slab_blk *nonfull;	/* treap of blocks with a free entry */
	uint64_t seed;			/* treap priorities */
};

struct gn_slot {
	struct gn_slab_blk *blk;
	unsigned idx;
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
	struct gn_slot slot;
	/* Rm_region, for used blocks */
	struct gn_ds *ds;	/* NULL: reserved */
	bool write, exec;
	uint64_t off;
	struct gn_rmap *rm;
	struct gn_blk *ds_prev, *ds_next;	/* the dataspace's regions */
};

struct gn_avl {
	struct gn_blk head;	/* Avl_tree: the root is head.child[0] */
	struct gn_slab md;	/* Tslab with its initial block inline */
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
	uint64_t *steps;	/* nodes visited, counted here if set */
};

/* The first node, or NULL. */
static inline struct gn_blk *gn_avl_root(const struct gn_avl *t)
{
	return t->head.child[0];
}

void gn_avl_init(struct gn_avl *t, unsigned epb, uint64_t block_ram,
		 struct gn_account *acct, uint64_t *steps);
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

/* ---- sparse contents of a dataspace ---- */

#define GN_CHUNK 64

struct gn_bytes {
	uint64_t *keys;		/* chunk index + 1; 0 = empty */
	uint8_t (*data)[GN_CHUNK];
	size_t cap, n;
	/* which chunks of a 4 KiB page exist: page index + 1 -> a bit per
	 * chunk, so zeroing a range visits its pages, not its chunks */
	uint64_t *pkeys, *pbits;
	size_t pcap, pn;
};

void gn_bytes_free(struct gn_bytes *b);
/* Invariants: the page index names exactly the stored chunks, none of
 * which is all zero.  0 or -1 with @msg. */
int gn_bytes_check(const struct gn_bytes *b, char *msg, size_t size);
uint8_t gn_bytes_get(const struct gn_bytes *b, uint64_t off);
void gn_bytes_set(struct gn_bytes *b, uint64_t off, uint8_t v);
/* Zero [off, off+len): O(min(chunks stored, chunks in range)). */
void gn_bytes_zero(struct gn_bytes *b, uint64_t off, uint64_t len);
/* Copy @len bytes in; all-zero input takes gn_bytes_zero's path. */
void gn_bytes_write(struct gn_bytes *b, uint64_t off, const uint8_t *p,
		    uint64_t len);

/* ---- objects ---- */

enum gn_obj_kind { GN_OBJ_FREE, GN_OBJ_DS, GN_OBJ_RM };

struct gn_capent {
	void *obj;
	uint32_t gen;
	uint8_t kind;
	uint32_t next_free;
};

/* Dataspace_component */
struct gn_ds {
	uint64_t id;
	char name[24];
	enum gn_ds_kind kind;
	uint64_t size;
	uint64_t phys;		/* map_src_addr(): 0 for managed */
	bool writeable;
	struct gn_pd *owner;	/* RAM: the PD that allocated it */
	struct gn_rmap *sub;	/* managed: the region map */
	struct gn_blk *regions;	/* attachments of this dataspace */
	uint64_t nregions;
	struct gn_slot md;	/* RAM: entry in the owner's dataspace slab */
	struct gn_ds *own_prev, *own_next;	/* the owner's dataspaces */
	struct gn_bytes bytes;
};

struct gn_faulter;

enum gn_rmap_kind { GN_RMAP_ADDRESS_SPACE, GN_RMAP_STACK_AREA,
		    GN_RMAP_LINKER_AREA, GN_RMAP_SUB };

/* Region_map_component */
struct gn_rmap {
	uint64_t id;
	char name[24];
	enum gn_rmap_kind kind;
	struct gn_ctx *ctx;
	struct gn_pd *pd;	/* PD maps: the PD they belong to */
	struct gn_rm_connection *session;	/* sub maps */
	uint64_t start, size;
	struct gn_avl avl;
	struct gn_ds *ds;	/* the managed dataspace (dataspace()) */
	struct gn_fault_handler handler;
	struct gn_faulter *fq_head, *fq_tail;	/* _faulters, FIFO */
	struct gn_rmap *s_prev, *s_next;	/* the session's maps */
};

/* A thread of the component that faulted: Rm_faulter. */
struct gn_faulter {
	enum gn_access access;
	uint64_t addr;		/* in env */
	uint8_t value;		/* store */
	struct gn_rmap *rm;	/* queued here, or NULL */
	struct gn_fault fault;
	struct gn_faulter *q_next;	/* in rm's queue */
	struct gn_faulter *r_next;	/* in the run queue */
	struct gn_faulter *a_prev, *a_next;	/* every blocked thread */
	bool running;		/* the access being made right now */
	bool woken;
	bool runnable;
	unsigned retries;
};

/* Pd_session_component */
struct gn_pd {
	struct gn_ctx *ctx;
	char name[24];
	bool env;
	struct gn_account acct;
	struct gn_slab ds_slab;		/* Ram_dataspace_factory::_ds_slab */
	struct gn_rmap *address_space, *stack_area, *linker_area;
	struct gn_ds *ds_list;		/* RAM dataspaces it owns */
	uint64_t ds_count, ds_bytes;
	uint64_t out_ram, out_caps;	/* donated to sessions, transferred */
	/* PD connections: what env donated, what core keeps for the
	 * session object, and what was transferred in */
	uint64_t don_ram, don_caps, obj_ram, obj_caps;
	struct gn_pd *p_prev, *p_next;
};

/* Rm_session_component and the client's Rm_connection */
struct gn_rm_connection {
	struct gn_ctx *ctx;
	char name[24];
	struct gn_pd *pd;	/* pays for the session and its upgrades */
	struct gn_account acct;
	uint64_t don_ram, don_caps;	/* donation, upgrades included */
	struct gn_rmap *maps;
	uint64_t nmaps;
	struct gn_rm_connection *c_prev, *c_next;
};

/* Sizes core's objects have; estimates where noted in gn_version.c. */
struct gn_costs {
	unsigned word;			/* bytes per word */
	uint64_t md_slab_block;		/* Allocator_avl SLAB_BLOCK_SIZE */
	unsigned md_epb;		/* Rm_region blocks per slab block */
	uint64_t md_block_ram;		/* a slab block from a sliced heap */
	uint64_t rmc_ram;		/* Region_map_component + header */
	uint64_t rm_session_ram;	/* the RM session object */
	uint64_t rm_session_quota;	/* Rm_connection's donation */
	uint64_t rm_session_caps;	/* Rm_session::CAP_QUOTA */
	uint64_t ds_slab_block;		/* Ram_dataspace_factory::SLAB_BLOCK */
	unsigned ds_epb;
	uint64_t pd_session_quota;	/* Pd_session::RAM_QUOTA */
	uint64_t pd_session_caps;	/* Pd_session::CAP_QUOTA */
	uint64_t pd_session_ram;	/* the PD session object */
};

void gn_costs_for(unsigned bits, struct gn_costs *out);

struct gn_ctx {
	struct gn_config cfg;
	const struct gn_behaviour *bh;
	const struct lay_layout *layout;
	bool linux_kernel;		/* base-linux rules */
	struct gn_costs costs;
	struct gn_capent *caps;
	uint32_t ncaps, capcap, free_cap;
	struct gn_pd *env;
	struct gn_pd *pds;
	struct gn_ds *roms;		/* ROM modules, owned by no PD */
	struct gn_rm_connection *conns;
	struct gn_faulter *blocked;	/* every blocked thread */
	struct gn_faulter *run_head, *run_tail;
	unsigned depth;			/* nesting of API calls */
	bool dying;			/* gn_ctx_free: no more threads run */
	uint64_t phys_next;		/* fake physical allocator */
	uint64_t next_ds, next_rom, next_rm, next_pd, next_conn;
	struct gn_metrics m;
	gn_log_fn log;
	void *log_arg;
	uint64_t seq;
	struct db *db;			/* gn_log_to_db */
	int64_t run_id;
};

/* capability table */
uint64_t gn_cap_new(struct gn_ctx *c, void *obj, enum gn_obj_kind kind);
void *gn_cap_get(const struct gn_ctx *c, uint64_t id, enum gn_obj_kind kind);
void gn_cap_drop(struct gn_ctx *c, uint64_t id);

static inline gn_ds_cap gn_ds_cap_of(struct gn_ds *ds, struct gn_ctx *c)
{
	gn_ds_cap cap = {c, ds ? ds->id : 0};
	return cap;
}

static inline gn_rm_cap gn_rm_cap_of(struct gn_rmap *rm)
{
	gn_rm_cap cap = {rm ? rm->ctx : NULL, rm ? rm->id : 0};
	return cap;
}

struct gn_ds *gn_ds_get(gn_ds_cap cap);
struct gn_rmap *gn_rmap_get(gn_rm_cap cap);

/* host memory: the model aborts when the host has none */
void *gn_xcalloc(size_t n, size_t size);
void *gn_xrealloc(void *p, size_t size);
/* @size a multiple of @align */
void *gn_xaligned(size_t align, size_t size);

/* dataspaces */
struct gn_ds *gn_ds_new(struct gn_ctx *c, enum gn_ds_kind kind,
			uint64_t size, const char *name);
void gn_ds_delete(struct gn_ctx *c, struct gn_ds *ds);
/* detach_from_rm_sessions: reserve (24.02+) or detach every region. */
void gn_ds_detach_from_rm_sessions(struct gn_ctx *c, struct gn_ds *ds);
void gn_ds_link_region(struct gn_ds *ds, struct gn_blk *b);
void gn_ds_unlink_region(struct gn_ds *ds, struct gn_blk *b);

/* region maps */
struct gn_rmap *gn_rmap_new(struct gn_ctx *c, enum gn_rmap_kind kind,
			    uint64_t start, uint64_t size,
			    struct gn_account *payer, const char *name);
/* ~Region_map_component */
void gn_rmap_delete(struct gn_ctx *c, struct gn_rmap *rm);
/* free the regions of a map being torn down without metadata costs */
void gn_rmap_wake(struct gn_ctx *c, struct gn_rmap *rm, uint64_t at,
		  uint64_t size);

/* threads and faults */
void gn_enter(struct gn_ctx *c);
void gn_leave(struct gn_ctx *c);
void gn_faulter_orphan_all(struct gn_ctx *c, struct gn_rmap *rm);

/* logging and metrics */
void gn_log(struct gn_ctx *c, const char *op, const char *map, uint64_t at,
	    uint64_t size, const char *ds, uint64_t off, const char *rights);
void gn_rights_str(bool r, bool w, bool x, char out[4]);
void gn_metrics_update(struct gn_ctx *c);

/* PD internals */
struct gn_pd *gn_pd_new(struct gn_ctx *c, const char *name,
			uint64_t ram_limit, uint64_t caps_limit, bool env);

#endif
