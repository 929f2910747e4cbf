/*
 * mem_alloc.h - the component-side allocators the Genode libc policies
 * are built from (prefix pol_avl_ and pol_ma_): Genode's Allocator_avl
 * with its slab of block metadata (repos/base/src/lib/base/
 * allocator_avl.cc, slab.cc, avl_tree.cc), and Libc::Mem_alloc_impl, the
 * pool of RAM dataspaces behind libc's anonymous mmap (repos/libports/
 * src/lib/libc/libc_mem_alloc.cc, internal/mem_alloc.h).
 *
 * These are library code that runs inside the component, not core: they
 * place blocks in memory the component already owns, and only the pool's
 * expansion talks to core (through rmsim/genode.h).  Allocator_avl's
 * tree is the model's one (genode/gn_alloc.h), the class core's region
 * maps use too; what is here is what a component adds: its metadata slab
 * and the pool, so the policies' placement and reuse follow Genode's own
 * algorithms, quirks included.
 */
#ifndef RMSIM_POLICY_MEM_ALLOC_H
#define RMSIM_POLICY_MEM_ALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rmsim/genode.h"
#include "genode/gn_alloc.h"

/* ---- Allocator_avl ---- */

struct pol_avl_sb {
	struct pol_avl_sb *next, *prev;	/* the ring */
	unsigned avail;
	uint64_t addr;		/* in the allocator's own memory */
	bool initial;		/* the block inside the allocator object */
};

/*
 * Allocator_avl_tpl<Empty>.  With @self_md (Allocator_avl(0), what
 * Libc::Mem_alloc_impl uses) the block metadata comes from a Tslab whose
 * first block is inside the object and whose further blocks are
 * allocated from the managed range itself: they take room there, exactly
 * as in Genode.  Otherwise the metadata comes from a heap the model does
 * not account (go-world's Vm_region_map uses the libc heap).
 */
struct pol_avl {
	struct gn_avl tree;		/* Allocator_avl_base: the model's */
	bool self_md;
	unsigned word;			/* sizeof(addr_t) */
	/* Tslab<Block, (1024 - 8) * sizeof(addr_t)> */
	unsigned epb;
	uint64_t sb_size;
	struct pol_avl_sb initial;
	struct pol_avl_sb *curr;
	unsigned num_blocks;
	uint64_t total_avail;
	bool nested;		/* Slab::_nested */
	unsigned bs_off;	/* backing store off (in add_range), nested */
};

enum pol_avl_size_at {
	POL_AVL_SIZE_OK,
	POL_AVL_UNKNOWN_ADDR,
	POL_AVL_MISMATCHING_ADDR,
};

/* @word: 4 or 8, the component's sizeof(addr_t). */
void pol_avl_init(struct pol_avl *t, bool self_md, unsigned word);
/* ~Allocator_avl: every node and slab block goes (host memory only). */
void pol_avl_destroy(struct pol_avl *t);
/* add_range: 0, or -1 (empty, overlapping, no metadata). */
int pol_avl_add_range(struct pol_avl *t, uint64_t base, uint64_t size);
/* alloc_aligned(size, {align}, full range): 0 with *@out, or -1. */
int pol_avl_alloc_aligned(struct pol_avl *t, uint64_t size, unsigned align,
			  uint64_t *out);
/* alloc_addr(size, addr): 0, or -1. */
int pol_avl_alloc_addr(struct pol_avl *t, uint64_t size, uint64_t addr);
/* free(addr): the used block containing @addr, merged back. */
void pol_avl_free(struct pol_avl *t, uint64_t addr);
/* size_at(addr) */
enum pol_avl_size_at pol_avl_size_at(const struct pol_avl *t, uint64_t addr,
				     uint64_t *size);
/* The block containing @addr (used or free): false when none. */
bool pol_avl_lookup(const struct pol_avl *t, uint64_t addr, uint64_t *base,
		    uint64_t *size, bool *used);
/* Tree order, parent links, depths, max_avail, slab counts, and each
 * grown slab block a block of the allocator itself: 0 or -1. */
int pol_avl_check(const struct pol_avl *t, char *msg, size_t size);

/* ---- Libc::Mem_alloc_impl ---- */

/* Dataspace_pool::Dataspace, plus what the model needs to know */
struct pol_ma_ds {
	struct pol_ma_ds *next;
	gn_ds_cap ds;
	uint64_t base, size;	/* where it is attached in env */
	bool fresh;		/* attached during the current alloc */
	uint64_t rec;		/* where its Dataspace record is */
	bool has_rec;		/* the record could be allocated */
	bool rec_lost;		/* overwritten (pol_ma_clobber) */
};

struct pol_ma {
	struct gn_ctx *gn;
	bool executable;
	unsigned word;
	uint64_t ds_struct;	/* sizeof(Dataspace) */
	struct pol_avl alloc;	/* Allocator_avl _alloc(0) */
	uint64_t chunk;		/* _chunk_size, in words */
	struct pol_ma_ds *ds;	/* every dataspace of the pool */
	uint64_t ram;		/* bytes of RAM the pool holds */
	unsigned nds;
	/* the pool's own metadata overwritten through pol_ma_clobber:
	 * bytes of records and slab blocks, and records lost */
	uint64_t md_clobbered;
	unsigned records_lost;
};

/*
 * pol_ma_init - an empty pool of @gn's component (nothing is allocated
 * until the first alloc).  @y2020: the 20.05 Dataspace record (three
 * words instead of four).
 */
void pol_ma_init(struct pol_ma *m, struct gn_ctx *gn, bool executable,
		 bool y2020);
/* ~Dataspace_pool: detach and free every dataspace. */
void pol_ma_fini(struct pol_ma *m);
/* Mem_alloc_impl::alloc(size, align): 0 with *@out, or -ENOMEM. */
int pol_ma_alloc(struct pol_ma *m, uint64_t size, unsigned align_log2,
		 uint64_t *out);
/* Mem_alloc_impl::free(addr) */
void pol_ma_free(struct pol_ma *m, uint64_t addr);
/* Mem_alloc_impl::size_at(addr) */
enum pol_avl_size_at pol_ma_size_at(const struct pol_ma *m, uint64_t addr,
				    uint64_t *size);
/* Is @addr inside one of the pool's dataspaces? */
bool pol_ma_owns(const struct pol_ma *m, uint64_t addr);
/*
 * pol_ma_zero - what bzero(addr, len) does to the pool's memory right
 * after pol_ma_alloc: zeros written into the dataspaces behind the
 * range.  Dataspaces that alloc itself just took from core are skipped:
 * core zero-filled them and nothing ran since.
 */
void pol_ma_zero(struct pol_ma *m, uint64_t addr, uint64_t len);
/*
 * pol_ma_clobber - the program's (or libc's) write over [addr, addr+len)
 * of pool memory that is not the block it was allocated: the pool's own
 * metadata there is overwritten.  A Dataspace record is lost: its list
 * link and capability are gone, so ~Dataspace_pool stops at it, and it
 * and every older dataspace stay allocated and attached (pol_ma_fini).
 * A dynamic slab block holds Allocator_avl's nodes: its bytes are
 * counted (Genode's allocator is corrupt from here on; the model goes
 * on as if it were not).  Returns the bytes of metadata overwritten.
 */
uint64_t pol_ma_clobber(struct pol_ma *m, uint64_t addr, uint64_t len);

#endif
