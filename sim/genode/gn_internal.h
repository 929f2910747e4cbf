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
#include "gn_alloc.h"
#include "ranges/ivmap.h"

#define GN_PAGE 4096ULL
#define GN_PAGE_LOG2 12

static inline uint64_t gn_align_page(uint64_t v)
{
	return (v + GN_PAGE - 1) & ~(GN_PAGE - 1);
}


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
	uint8_t fill;		/* what a byte not stored reads as */
	/* stamped pages (NULL until the first): page-aligned ranges of
	 * offsets, each with a byte that the first byte of each of its
	 * pages holds (a thread touching a range page by page); every other
	 * byte of such a page reads as the fill.  Never a page with chunks */
	struct iv_map *stamps;
};

void gn_bytes_free(struct gn_bytes *b);
/* Invariants: the page index names exactly the stored chunks, none of
 * which is all the fill byte; stamped ranges are page-aligned, hold a
 * byte other than the fill and no page with chunks.  0 or -1 with @msg. */
int gn_bytes_check(const struct gn_bytes *b, char *msg, size_t size);
uint8_t gn_bytes_get(const struct gn_bytes *b, uint64_t off);
void gn_bytes_set(struct gn_bytes *b, uint64_t off, uint8_t v);
/* Every byte reads @v (a ROM's uniform contents): O(chunks stored). */
void gn_bytes_fill(struct gn_bytes *b, uint8_t v);
/* Zero [off, off+len): O(min(chunks stored, chunks in range)), or
 * O(chunks in range) over a fill other than zero. */
void gn_bytes_zero(struct gn_bytes *b, uint64_t off, uint64_t len);
/* Write @v to the first byte of every page that starts in
 * [off, off+len): O(log ranges + chunks stored in the range), not @len. */
void gn_bytes_stamp(struct gn_bytes *b, uint64_t off, uint64_t len,
		    uint8_t v);
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
	/* alloc_ram's reservations kept after a failure (24.08+) */
	uint64_t lost_ram, lost_caps;
	uint64_t md_ds;	/* RAM dataspaces holding its maps' metadata */
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
	/* what the parent (init) keeps of every session donation for its
	 * Session_state: Session_state::Factory::session_costs() */
	uint64_t session_costs;
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
	/* charges refused: of PD sessions (RAM, caps), of RM sessions */
	uint64_t pd_refused[2], rm_refused[2];
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
_Noreturn void gn_out_of_memory(void);
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
