/*
 * win_core.h - what the `window` and `lazy` policies share: one managed
 * window reserved at start-up with Linux's mmap family emulated inside
 * it.  win_core.c carries the design notes (algorithm, invariants,
 * costs); this header is the internal interface between its files:
 *
 *   (sim/ranges/ the augmented AVL tree of page ranges that VMAs,
 *                backing extents and window views all sit in, shared with
 *                the Linux reference model)
 *   win_vma.c    Linux's VMA rules: split, merge, modify, unmap, the
 *                anon_vma identity that decides merging, placement
 *   win_back.c   the Genode side's bookkeeping: RAM dataspaces, the
 *                extents that back the window and their attachments,
 *                zeroing, moves, guards
 *   win_view.c   the lazy map: its views in the window, its faults
 *   win_zero.c   the shared zero pages for read-only memory
 *   win_pool.c   pools of pages carved out of large dataspaces
 *   win_core.c   start, mmap, munmap, mprotect, brk, and what every
 *                call ends with
 *   win_madv.c   madvise, msync, mincore
 *   win_remap.c  mremap
 *   win_lock.c   mlock, munlock, mlockall, munlockall
 *   win_check.c  the invariant checker of both sides
 *
 * Everything the policies do to Genode goes through the table of
 * win_gn.h (struct wg_ops): win_gn.c over the model, the port's
 * backend.cc over Genode's API.  This header and the four files include
 * nothing of the simulator but the Linux constants and rules
 * (rmsim/abi.h, the headers of abi/) and the range tree, so that
 * Genode's libc can build them unchanged; win_setup.h is the
 * simulator's side (parameters, placement).
 */
#ifndef RMSIM_WIN_CORE_H
#define RMSIM_WIN_CORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rmsim/abi.h"
#include "ranges/ranges.h"
#include "abi/lx_vm.h"
#include "win_gn.h"

#define WC_PAGE LX_PAGE_SIZE
#define WC_SHIFT LX_PAGE_SHIFT
#define WC_PMD LX_PMD_SIZE
#define WC_ALIGN(x) (((x) + WC_PAGE - 1) & LX_PAGE_MASK)

static inline uint64_t wc_min(uint64_t a, uint64_t b)
{
	return a < b ? a : b;
}

static inline uint64_t wc_max(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* ---- the tree: sim/ranges/ (VMAs, extents and views are rg_nodes) ---- */

/* rg_check at page granularity: 0 with the ranges counted in *n, or -1 */
static inline int wc_tree_check(const struct rg_tree *t, uint64_t *n,
				char *why, size_t size)
{
	long c = rg_check(t, WC_PAGE, why, size);

	if (c < 0)
		return -1;
	*n = (uint64_t)c;
	return 0;
}


/* ---- POSIX state ---------------------------------------------------- */

/* VMA flags: LX_VM_* (abi/lx_vm.h), the set the reference model keeps */

/* Genode rights of an attachment (read is implied by any) */
enum { WR_R = WG_R, WR_W = WG_W, WR_X = WG_X };
#define WC_ALL_RIGHTS (WR_R | WR_W | WR_X)

struct wc_ds;

/*
 * The object behind a shared mapping (shared anonymous memory, a file
 * mapped MAP_SHARED) or named by a private file mapping (merging and
 * MADV_FREE look at it).  Shared objects own one RAM dataspace holding
 * pages [pg0, pg0 + npages); every mapping of the object attaches it.
 */
struct wc_obj {
	unsigned refs;		/* VMAs, +1 while in the file registry */
	bool file;
	int fd;			/* file: the descriptor it was mapped by */
	uint64_t pg0, npages;	/* pages the dataspace holds */
	struct wc_ds *ds;	/* NULL until something maps it shared */
	struct wc_obj *next;	/* file registry */
};

struct wc_vma {
	struct rg_node n;
	uint32_t flags;		/* LX_VM_* */
	uint64_t pgoff;		/* page index of start in its object */
	uint64_t anon;		/* anon_vma identity, 0 for none */
	struct wc_obj *obj;	/* NULL: private anonymous memory */
};

/* ---- Genode state --------------------------------------------------- */

/* One RAM dataspace the policy allocated. */
struct wc_ds {
	struct wg_ds *gds;	/* the backend's */
	uint64_t size;
	uint64_t refs;		/* extents using it, +1 for an object */
	/* a pool (win_pool.c): pages handed out, and which need clearing */
	bool pooled;
	uint64_t used;		/* pages */
	uint64_t *busy, *dirty;
	struct wc_ds *pnext;
	/* the pools with a free page, in the order of pnext (newest
	 * first: pseq, the creation number, decreasing) */
	struct wc_ds *onext, *oprev;
	uint64_t pseq;
};

/*
 * A backing extent: pages [start, end) of the window backed by ds from
 * off on, or a guard marker (ds == NULL, never attached).  Attached in
 * the window map with `rights`, or in the lazy map (in_l) with all
 * rights, or not at all (rights 0: the pages are PROT_NONE).
 */
struct wc_ext_block;

struct wc_ext {
	union {
		struct rg_node n;
		struct wc_ext *next_free;	/* on the free list */
	};
	struct wc_ds *ds;
	/* one word: a record is 88 bytes, not 96 (a lazy touch makes
	 * hundreds of thousands); an offset into a dataspace is below the
	 * largest address space, 2^56 */
	uint64_t off : 56;
	uint64_t rights : 7;	/* as attached; 0: detached */
	uint64_t in_l : 1;
};

/* A view: the lazy map attached into the window over [start, end). */
struct wc_view {
	struct rg_node n;
	uint8_t rights;
};

/* Counters the tests and the documentation look at. */
struct wc_stats {
	uint64_t ds_allocs, ds_frees;
	uint64_t faults, faults_refused, chunks;
	uint64_t migrations;	/* lazy-map extents moved into the window */
	uint64_t zeroed;	/* bytes cleared in place */
	uint64_t zero_extents;	/* read-only ranges shown the zero pages */
	uint64_t upgrades;	/* RM session quota upgrades */
	uint64_t pools;		/* pool dataspaces made */
};

/* How a window starts: what the simulator's parameters (win_setup.c)
 * or a Genode component's config decide. */
struct wc_conf {
	uint64_t base, size;	/* the window, page aligned */
	bool lazy;		/* RAM on first fault (else at commit) */
	bool views;		/* lazy: faults through a second map (the
				 * kernel reports faults with attach offsets
				 * and checks rights along the path) */
	uint64_t chunk;		/* lazy fault granularity, a power of two */
	uint64_t pool;		/* pool dataspace size, 0: none */
	uint64_t heap;		/* how far the break may grow */
	uint64_t memlock_limit;	/* UINT64_MAX: unlimited */
};

#define WC_MEMLOCK_UNLIMITED UINT64_MAX
/* how many slices of the level below a level of zero pages holds */
#define WC_ZERO_FAN 512ULL

struct wc {
	/* set-up */
	const struct wg_ops *ops;	/* the Genode side */
	struct wg *g;
	bool lazy;		/* RAM on first fault (else at commit) */
	bool views;		/* lazy: faults through a second map */
	uint64_t chunk;		/* lazy fault granularity */
	uint64_t pool;		/* pool dataspace size, 0: none */
	struct wc_ds *pools;
	/* the first pool with a free page (the open list: allocations
	 * visit only those), how many pools have no page in use (an
	 * emptied pool costs no scan), and the next pool's number */
	struct wc_ds *pools_open;
	uint64_t pools_empty, pools_made;
	uint64_t base, top;	/* the window [base, top) in env */

	/* Linux's view */
	struct rg_tree vmas;
	uint64_t map_count;
	uint64_t mapped, locked;	/* bytes */
	uint64_t next_anon;
	uint32_t def_flags;	/* MCL_FUTURE */
	uint64_t memlock_limit;
	uint64_t max_map_count;
	uint64_t mmap_min_addr;
	uint64_t start_brk, brk;
	uint64_t heap;		/* how far the break may grow */
	struct wc_obj *files;

	/* Genode's */
	struct rg_tree exts;
	/* extent records come from blocks of them (win_back.c): a lazy
	 * touch makes one per chunk, hundreds of thousands, and a record
	 * of its own would cost the allocator's header on each */
	struct wc_ext_block *ext_blocks;
	struct wc_ext *ext_free;
	uint64_t ext_cap;	/* records in the blocks, used or free */
	struct rg_tree viewt;
	struct wc_ds *zero;	/* read-only zero pages, shared */
	/* larger zero pages, built when a run needs them: region maps of
	 * WC_ZERO_FAN slices of the level below (win_zero.c) */
	struct wc_ds *zero_up[2];
	struct wc_stats st;
	/* what this call made accessible: ranges, then their hull */
	uint64_t pend[4][2];
	unsigned npend;
};

/* ---- VMA primitives (win_vma.c) ------------------------------------- */

static inline struct wc_vma *wc_vma_of(struct rg_node *n)
{
	return (struct wc_vma *)n;
}

struct wc_vma *wc_vma_find(const struct wc *w, uint64_t addr);
struct wc_vma *wc_vma_at(const struct wc *w, uint64_t addr);
struct wc_vma *wc_vma_next(const struct wc_vma *v);
struct wc_vma *wc_vma_prev(const struct wc_vma *v);
uint64_t wc_vma_pgoff_at(const struct wc_vma *v, uint64_t addr);
struct wc_vma *wc_vma_new(struct wc *w, uint64_t start, uint64_t end,
			  uint32_t flags, uint64_t pgoff,
			  struct wc_obj *obj);
void wc_vma_set_flags(struct wc *w, struct wc_vma *v, uint32_t fl);
int wc_vma_split(struct wc *w, struct wc_vma *v, uint64_t addr,
		 struct wc_vma **hi);
int wc_vma_modify(struct wc *w, struct wc_vma *v, uint64_t start,
		  uint64_t end, uint32_t fl, struct wc_vma **out);
struct wc_vma *wc_merge_new(struct wc *w, struct wc_vma *v, bool expand);
void wc_vma_try_merge_next(struct wc *w, struct wc_vma *v);
int wc_unmap(struct wc *w, uint64_t start, uint64_t end, bool check);
void wc_anon_prepare(struct wc *w, struct wc_vma *v);
uint64_t wc_start_gap(const struct wc_vma *v);
/* Would a fault at addr in v map a huge page (and so prepare an
 * anon_vma even for a read)? */
bool wc_thp_eligible(const struct wc_vma *v, uint64_t addr);
uint8_t wc_rights(uint32_t flags);

/* objects */
struct wc_obj *wc_obj_new(struct wc *w, bool file, int fd, uint64_t pg0,
			  uint64_t npages);
struct wc_obj *wc_obj_get(struct wc_obj *o);
void wc_obj_put(struct wc *w, struct wc_obj *o);
/* The registry's object for a private mapping of fd. */
struct wc_obj *wc_file(struct wc *w, int fd);
/* The object a shared mapping of fd pages [pg, pg + n) attaches. */
int wc_file_shared(struct wc *w, int fd, uint64_t pg, uint64_t n,
		   struct wc_obj **out);

/* placement */
int wc_get_area(struct wc *w, uint64_t addr, uint64_t len, bool thp,
		int flags, uint64_t *out);

/* ---- what every call shares (win_core.c) ---------------------------- */

/* RLIMIT_MEMLOCK allows locking at all / anything. */
bool wc_can_mlock(const struct wc *w);
bool wc_memlock_unlimited(const struct wc *w);
/* mlock_future_ok(): may @bytes more be locked (when @locked)? */
bool wc_mlock_future_ok(const struct wc *w, bool locked, uint64_t bytes);
/* Does [s, e) lie inside the window? */
bool wc_in_window(const struct wc *w, uint64_t s, uint64_t e);
/* Remember [s, e) as made accessible for wc_finish(). */
void wc_pend(struct wc *w, uint64_t s, uint64_t e);
/* Genode follows the VMAs over [s, e) (wc_back_commit), remembered for
 * wc_finish(). */
int wc_follow(struct wc *w, uint64_t s, uint64_t e);
/* The end of every call: the anon_vmas the program's next writes would
 * give what the call made accessible (`window`); returns @rc. */
int wc_finish(struct wc *w, int rc);
/* get_user_pages over [start, end) of v: -LX_EFAULT at a guard page or
 * past a shared object's end, after faulting in the pages before it. */
int wc_fault_range(struct wc *w, struct wc_vma *v, uint64_t start,
		   uint64_t end, bool write);
/* __mm_populate() over [start, end). */
int wc_populate(struct wc *w, uint64_t start, uint64_t end,
		bool ignore_errors);

/* ---- backing (win_back.c) --------------------------------------------- */

static inline struct wc_ext *wc_ext_of(struct rg_node *n)
{
	return (struct wc_ext *)n;
}

static inline struct wc_view *wc_view_of(struct rg_node *n)
{
	return (struct wc_view *)n;
}

/* Runs of pages [r[i][0], r[i][1]) with a value r[i][2] (rights). */
struct wc_runs {
	uint64_t (*r)[3];	/* start, end, rights */
	size_t n, cap;
};

/* Append a run, joined to the last one when they touch and agree. */
void wc_runs_add(struct wc_runs *v, uint64_t s, uint64_t e, uint8_t r);

/* calloc, or abort with a message: the policies' host memory */
void *wc_xcalloc(size_t n, size_t size);

/* Is ds one of the levels of zero pages? */
static inline bool wc_is_zero(const struct wc *w, const struct wc_ds *ds)
{
	return ds && (ds == w->zero || ds == w->zero_up[0] ||
		      ds == w->zero_up[1]);
}

/* A fresh zero-filled RAM dataspace (NULL when the PD cannot pay). */
struct wc_ds *wc_ds_alloc(struct wc *w, uint64_t size);
/* Drop a reference; the last one frees the RAM. */
void wc_ds_put(struct wc *w, struct wc_ds *ds);
/* Attach @ds (NULL: the lazy map's dataspace) in @map at window address
 * @s: 0, -ENOMEM, or -EFAULT for a bookkeeping error the checker finds */
int wc_attach(struct wc *w, enum wg_map map, struct wc_ds *ds, uint64_t s,
	      uint64_t size, uint64_t off, uint8_t rights);

/* extents */
struct wc_ext *wc_ext_new(struct wc *w, uint64_t s, uint64_t e,
			  struct wc_ds *ds, uint64_t off, bool in_l);
void wc_ext_detach(struct wc *w, struct wc_ext *x);
/* Clear the dirty pool pages x uses, through the window where it shows
 * writeable. */
void wc_ext_clean(struct wc *w, struct wc_ext *x);
int wc_ext_attach(struct wc *w, struct wc_ext *x, uint8_t rights);
void wc_ext_free(struct wc *w, struct wc_ext *x);
int wc_ext_records_check(const struct wc *w, char *why, size_t size);
/* Split x at @at (detached): the upper part. */
struct wc_ext *wc_ext_split(struct wc *w, struct wc_ext *x, uint64_t at);
struct wc_ext *wc_ext_at(const struct wc *w, uint64_t addr);

/* The rights of the page at a, and in *end (at most lim) where the run
 * of pages with the same rights from the same VMA ends. */
uint8_t wc_piece(const struct wc *w, uint64_t a, uint64_t lim,
		 uint64_t *end);
/* The same for the pages extent x backs: the zero pages never write. */
uint8_t wc_ext_piece(const struct wc *w, const struct wc_ext *x, uint64_t a,
		     uint64_t lim, uint64_t *end);
/* Does any page of [s, e) want rights without write? */
bool wc_wants_ro(const struct wc *w, uint64_t s, uint64_t e);
/* The runs of accessible private pages in [s, e) without backing, that
 * can be written (writable) or cannot. */
void wc_unbacked(const struct wc *w, uint64_t s, uint64_t e, bool writable,
		 struct wc_runs *out);

/* ---- the lazy map's views (win_view.c) -------------------------------- */

/* The views [a, b) should have. */
void wc_want_views(const struct wc *w, uint64_t a, uint64_t b,
		   struct wc_runs *out);
/* Views overlapping [a, b) widen it to their whole extent. */
void wc_views_widen(const struct wc *w, uint64_t *a, uint64_t *b);
bool wc_views_equal(const struct wc *w, uint64_t a, uint64_t b,
		    const struct wc_runs *want);
void wc_views_drop(struct wc *w, uint64_t a, uint64_t b);
int wc_views_add(struct wc *w, const struct wc_runs *want);

/* ---- the zero pages (win_zero.c) -------------------------------------- */

/* The zero pages for the read-only unbacked pages of [s, e). */
int wc_zero_fill(struct wc *w, uint64_t s, uint64_t e);
/* Zero pages under pages of [s, e) that now want write or no access
 * go; *lo and *hi widen to what must be attached again. */
void wc_zero_trim(struct wc *w, uint64_t s, uint64_t e, uint64_t *lo,
		  uint64_t *hi);
void wc_zero_fini(struct wc *w);

/* ---- private RAM (win_pool.c) ----------------------------------------- */

/* Fresh private memory: pages of a pool, or a dataspace of its own. */
int wc_mem_alloc(struct wc *w, uint64_t size, struct wc_ds **ds,
		 uint64_t *off);
/* Clear the dirty pages of [off, off + len) of pool p, shown writeable
 * at window offset @at now (WG_NOWHERE: nowhere). */
void wc_mem_clean(struct wc *w, struct wc_ds *p, uint64_t off, uint64_t len,
		  uint64_t at);
/* An extent of a pool gave its pages back. */
void wc_mem_release(struct wc *w, struct wc_ds *p, uint64_t off,
		    uint64_t len);
void wc_pool_fini(struct wc *w);
int wc_pool_check(const struct wc *w, char *why, size_t size);

/* The rights page addr should have, from its VMA (0: none). */
uint8_t wc_page_rights(const struct wc *w, uint64_t addr);
/* Backing for everything [s, e) now wants: object pages, the zero pages
 * for read-only memory, RAM (eager) for the rest; then wc_sync(). */
int wc_back_commit(struct wc *w, uint64_t s, uint64_t e);
/* Lazy population of [s, e) (MAP_POPULATE, mlock, MADV_POPULATE). */
int wc_back_populate(struct wc *w, uint64_t s, uint64_t e);
/* Object pages behind the shared VMAs over [s, e). */
int wc_back_objects(struct wc *w, uint64_t s, uint64_t e);
/* Drop all backing of [s, e), guard markers included (munmap). */
void wc_back_drop(struct wc *w, uint64_t s, uint64_t e);
/* Private pages of [s, e) read zero afterwards. */
void wc_back_zero(struct wc *w, uint64_t s, uint64_t e);
/* Zero the object pages [s, e) of a shared VMA shows (MADV_REMOVE). */
void wc_back_zero_object(struct wc *w, struct wc_vma *v, uint64_t s,
			 uint64_t e);
/* Move the backing of [s, s + len) to [d, d + len). */
void wc_back_move(struct wc *w, uint64_t s, uint64_t len, uint64_t d);
/* Guard markers over [s, e) (existing backing dropped). */
int wc_back_guard(struct wc *w, uint64_t s, uint64_t e);
void wc_back_unguard(struct wc *w, uint64_t s, uint64_t e);
bool wc_back_guarded(const struct wc *w, uint64_t addr);
/* The first guard page in [s, e), or e. */
uint64_t wc_back_first_guard(const struct wc *w, uint64_t s, uint64_t e);
/* Is every 2 MiB block of [s, e) partly backed? (MADV_COLLAPSE) */
bool wc_back_present(const struct wc *w, uint64_t s, uint64_t e);
/* Bring Genode's attachments of [s, e) in line with the VMAs. */
int wc_sync(struct wc *w, uint64_t s, uint64_t e);
/* The fault signal of @map: read and resolve its faults (win_view.c). */
void wc_fault(void *st, enum wg_map map);
void wc_back_fini(struct wc *w);
/* Invariants 2 to 6 (win_check.c). */
int wc_back_check(const struct wc *w, char *why, size_t size);

/* ---- the policies (win_core.c and the call files) ------------------- */

/*
 * wc_start - a window as @conf says, its Genode side @ops/@g (owned from
 * now on: wc_fini closes it).  0 with *@state set, -LX_EINVAL when the
 * range is taken, -LX_ENOMEM when the component cannot afford it.
 */
int wc_start(const struct wc_conf *conf, const struct wg_ops *ops,
	     struct wg *g, void **state);
void wc_fini(void *st);
int wc_mmap(void *st, uint64_t addr, uint64_t len, int prot, int flags,
	    int fd, uint64_t off, uint64_t *out);
int wc_munmap(void *st, uint64_t addr, uint64_t len);
int wc_mprotect(void *st, uint64_t addr, uint64_t len, int prot);
int wc_madvise(void *st, uint64_t addr, uint64_t len, int advice);
int wc_mremap(void *st, uint64_t old_addr, uint64_t old_len,
	      uint64_t new_len, int flags, uint64_t new_addr, uint64_t *out);
int wc_msync(void *st, uint64_t addr, uint64_t len, int flags);
int wc_brk(void *st, uint64_t addr, uint64_t *out);
int wc_mlock(void *st, uint64_t addr, uint64_t len, int flags);
int wc_munlock(void *st, uint64_t addr, uint64_t len);
int wc_mlockall(void *st, int flags);
int wc_munlockall(void *st);
int wc_mincore(void *st, uint64_t addr, uint64_t len);

/*
 * wc_check - every invariant of the policy's bookkeeping and its match
 * with the Genode model (see win_core.c; win_check.c).  0, or -1 with a
 * message.
 */
int wc_check(const void *st, char *why, size_t size);
/* Counters for tests and documentation. */
const struct wc_stats *wc_stats(const void *st);
/* The window [*base, *top). */
void wc_window(const void *st, uint64_t *base, uint64_t *top);

#endif
