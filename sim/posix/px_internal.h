/*
 * px_internal.h - the Linux reference model's private types and the
 * functions its files share.  Nothing outside sim/posix/ includes this.
 *
 * The model mirrors the kernel's objects: a VMA (struct px_vma) per
 * mapping in an augmented AVL tree (px_tree.c), page-level state kept
 * sparsely in page maps (px_pages.c), and backing objects for shared
 * memory and files (px_obj.c).  Each system call lives in its own file
 * and is built from the VMA primitives in px_vma.c the way the kernel
 * builds its calls from mm/vma.c.
 *
 * What the model approximates, and why (each file says more):
 *  - No descriptor table: a file mapping with fd >= 0 is of an open,
 *    readable and writable regular file of unknown (unbounded) size whose
 *    contents read 0 until a mapping writes them; so no EACCES, no
 *    SIGBUS past EOF, no noexec mounts.  Shared anonymous memory does keep
 *    its size, and touching past it is SIGBUS.
 *  - An anon_vma is an identity; fork marks the child's copies as not
 *    singular.  Reuse of an anon_vma across fork generations is not
 *    modelled.
 *  - Residency (mincore) is "touched and not dropped since": no memory
 *    pressure, swap, readahead or fault-around; MADV_PAGEOUT drops only
 *    what needs no writeback or swap.  MADV_FREE'd contents read 0.
 *  - Not modelled: RLIMIT_AS and RLIMIT_DATA, OVERCOMMIT_NEVER, hugetlb
 *    (MAP_HUGETLB is ENOMEM: no huge pages reserved), allocated protection
 *    keys and PKU's execute-only key, KSM's process-wide mode,
 *    userfaultfd, khugepaged, and the VM_MAYBE_GUARD hint (sticky
 *    and ignored for merging, so it never changes the layout).
 */
#ifndef PX_INTERNAL_H
#define PX_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rmsim/abi.h"
#include "rmsim/posix.h"
#include "abi/lx_vm.h"
#include "ranges/ranges.h"

#define PX_PAGE LX_PAGE_SIZE
#define PX_SHIFT LX_PAGE_SHIFT
#define PX_PMD LX_PMD_SIZE
#define PX_PAGE_ALIGN(x) (((x) + PX_PAGE - 1) & LX_PAGE_MASK)


/* VMA flags: LX_VM_* (abi/lx_vm.h) */

/* ---- page maps (px_pages.c) ------------------------------------------ */

/* Page state bits of one extent. */
enum {
	PXP_PRESENT = 1u << 0,	/* a PTE / page-cache page exists */
	PXP_GUARD = 1u << 1,	/* MADV_GUARD_INSTALL marker */
	PXP_ANON = 1u << 2,	/* a private (copied-on-write) page */
	PXP_LAZYFREE = 1u << 3, /* MADV_FREE'd, not written since */
	PXP_DIRTY = 1u << 4,	/* an object page that was written */
};

/* The bytes stored into a page, and into every page of the extents that
 * hold it: sparse pairs, or dense when full.  Immutable while shared. */
struct pxp_data {
	uint32_t refs; /* extents holding it, in any map */
	uint32_t n;    /* non-zero bytes held */
	uint32_t cap;  /* sparse capacity; 0 once dense */
	uint16_t *off; /* sparse: sorted offsets */
	uint8_t *val;  /* sparse: values; dense: PX_PAGE bytes */
};

/* One extent [lo, hi) of page indices with identical state. */
struct pxp_node {
	struct pxp_node *l, *r;
	uint64_t lo, hi;
	uint64_t prio;
	uint32_t flags;
	struct pxp_data *data; /* the contents of each page, or NULL */
};

/* A tree shared by maps (fork): immutable until unshared. */
struct pxp_share {
	unsigned refs;
	uint64_t bytes; /* the bytes its extents hold */
};

/* A treap of disjoint extents ordered by lo. */
struct pxp_map {
	struct pxp_node *root;
	struct pxp_share *share; /* NULL: the tree is this map's own */
};

void pxp_init(struct pxp_map *m);
void pxp_free(struct pxp_map *m, uint64_t *stored);
struct pxp_node *pxp_find(const struct pxp_map *m, uint64_t idx);
struct pxp_node *pxp_next(const struct pxp_map *m, uint64_t idx);
int pxp_split(struct pxp_map *m, uint64_t key, struct pxp_map *right);
void pxp_join(struct pxp_map *m, struct pxp_map *right);
void pxp_shift(struct pxp_map *m, uint64_t delta, bool up);
int pxp_copy(const struct pxp_map *m, struct pxp_map *out, uint64_t *stored);
int pxp_update(struct pxp_map *m, uint64_t lo, uint64_t hi, uint32_t set,
	       uint32_t clear, bool drop_data, uint64_t *stored);
int pxp_update_if(struct pxp_map *m, uint64_t lo, uint64_t hi, uint32_t need,
		  uint32_t skip, uint32_t set, uint32_t clear, bool drop_data,
		  uint64_t *stored);
bool pxp_any(const struct pxp_map *m, uint64_t lo, uint64_t hi, uint32_t flags);
int pxp_set_byte(struct pxp_map *m, uint64_t idx, unsigned off, uint8_t val,
		 uint64_t *stored);
uint8_t pxp_get_byte(const struct pxp_map *m, uint64_t idx, unsigned off);
int pxp_fill(struct pxp_map *m, uint64_t lo, uint64_t hi, unsigned off,
	     uint8_t val, uint64_t *stored);
int pxp_copy_data(struct pxp_map *dst, const struct pxp_map *src, uint64_t lo,
		  uint64_t hi, uint32_t skip, uint64_t *stored);
bool pxp_empty(const struct pxp_map *m);
int pxp_check(const struct pxp_map *m, uint64_t lo, uint64_t hi,
	      uint64_t *bytes, char *why, size_t size);

/* ---- backing objects (px_obj.c) -------------------------------------- */

enum px_obj_kind {
	PX_OBJ_FILE,	/* a file, keyed by path or "fd:N" */
	PX_OBJ_SHMEM,	/* shared anonymous memory */
	PX_OBJ_INHERIT, /* an object behind a px_inherit() mapping */
};

struct px_obj {
	enum px_obj_kind kind;
	unsigned refs;	      /* VMAs pointing here (+1 in the registry) */
	char *name;	      /* FILE only */
	struct px_obj *hnext; /* FILE only: registry chain */
	struct px_objset *set;
	uint64_t size;	      /* pages; accesses beyond are SIGBUS */
	bool secret;	      /* FILE: memfd_secret memory (stays locked) */
	struct pxp_map pages; /* page cache by file page index */
};

/* The objects of one process tree: files outlive mappings, so forks
 * share one registry. */
struct px_objset {
	unsigned refs;
	size_t nbuckets, count;
	struct px_obj **tab;
	uint64_t stored; /* bytes stored in every object */
};

struct px_objset *px_objset_new(void);
void px_objset_put(struct px_objset *os);
struct px_obj *px_obj_file(struct px_objset *os, const char *path, int fd);
struct px_obj *px_obj_new(struct px_objset *os, enum px_obj_kind kind,
			  uint64_t size);
struct px_obj *px_obj_get(struct px_obj *o);
void px_obj_put(struct px_obj *o);

/* ---- VMAs and their tree (sim/ranges/) ---------------------------------- */

struct px_vma {
	/* the tree's node; start and end are also named directly (a union
	 * member's common initial sequence): [start, end), page aligned */
	union {
		struct rg_node node;
		struct {
			uint64_t start, end;
		};
	};

	uint64_t pgoff;	      /* page index of start in its object */
	uint32_t flags;	      /* LX_VM_* */
	bool forked;	      /* anon_vma chain not singular (fork child) */
	bool unmerged;	      /* may sit by a twin Linux left unmerged */
	bool inherited;	      /* made by px_inherit */
	uint64_t anon;	      /* anon_vma identity; 0 when none */
	struct px_obj *obj;   /* NULL for private anonymous memory */
	struct pxp_map pages; /* private pages: anon/COW data, PTEs */
};

_Static_assert(offsetof(struct px_vma, node) == 0 &&
		       offsetof(struct px_vma, start) ==
			       offsetof(struct rg_node, start) &&
		       offsetof(struct px_vma, end) ==
			       offsetof(struct rg_node, end),
	       "a VMA is its tree node");

/* The VMA whose node @n is (NULL for NULL). */
static inline struct px_vma *px_vma_of(const struct rg_node *n)
{
	return (struct px_vma *)n;
}

static inline void pxt_insert(struct rg_tree *t, struct px_vma *v)
{
	rg_insert(t, &v->node);
}

static inline void pxt_erase(struct rg_tree *t, struct px_vma *v)
{
	rg_erase(t, &v->node);
}

/* v's start or end changed without passing a neighbour */
static inline void pxt_update(struct px_vma *v)
{
	rg_update(&v->node);
}

/* the first VMA whose end lies above addr (the kernel's find_vma) */
static inline struct px_vma *pxt_find(const struct rg_tree *t, uint64_t addr)
{
	return px_vma_of(rg_find(t, addr));
}

static inline struct px_vma *pxt_first(const struct rg_tree *t)
{
	return px_vma_of(rg_first(t));
}

static inline struct px_vma *pxt_next(const struct px_vma *v)
{
	return px_vma_of(rg_next(&v->node));
}

static inline struct px_vma *pxt_prev(const struct px_vma *v)
{
	return px_vma_of(rg_prev(&v->node));
}

/* the highest (lowest) hole whose part in [low, high) holds len bytes:
 * the end (start) of that part in *at, the VMA above in *next */
static inline bool pxt_gap(const struct rg_tree *t, bool top, uint64_t low,
			   uint64_t high, uint64_t len, uint64_t *at,
			   struct px_vma **next)
{
	struct rg_node *n;
	bool ok = top ? rg_gap_highest(t, low, high, len, at, &n)
		      : rg_gap_lowest(t, low, high, len, at, &n);

	*next = ok ? px_vma_of(n) : NULL;
	return ok;
}

/* ---- the address space ----------------------------------------------- */

#define PX_MAX_FD 1024

struct px_space {
	struct px_config cfg;
	struct rg_tree tree;
	uint64_t map_count; /* number of VMAs */
	uint64_t mapped;    /* bytes mapped */
	uint64_t writable;  /* bytes mapped with PROT_WRITE */
	uint64_t locked;    /* bytes with VM_LOCKED (mm->locked_vm) */
	uint64_t stored;    /* bytes held in private page maps */
	uint64_t mmap_base;
	uint64_t legacy_base;
	uint64_t start_brk, brk;
	uint32_t def_flags; /* mm->def_flags: MCL_FUTURE locking */
	uint64_t next_anon; /* next anon_vma identity */
	struct px_objset *objs;
	/*
	 * The descriptor table, as far as the trace shows it (open, close,
	 * dup): the access mode of each fd below PX_MAX_FD, or -1.  Until
	 * the first px_fd_set the table is unknown and every fd >= 0 is an
	 * open read-write file.
	 */
	bool fd_known;
	int8_t fd_mode[PX_MAX_FD];	/* LX_O_* | PX_FD_SECRET, or -1 */
	unsigned mdwe;	/* PR_MDWE_* bits (mm->flags MMF_HAS_MDWE*) */
	uint64_t map32_begin; /* MAP_32BIT's search start, 0: 0x40000000 */
};

bool px_fd_secret(const struct px_space *s, int fd);

/* ---- VMA primitives (px_vma.c) --------------------------------------- */

/* A VMA as a merge candidate: what vma_merge_struct describes. */
struct px_cand {
	uint64_t start, end, pgoff;
	uint32_t flags;
	struct px_obj *obj;
	uint64_t anon;
	bool forked;
};

bool px_vma_anonymous(const struct px_vma *v);
struct px_vma *px_vma_alloc(void);
void px_vma_free(struct px_space *s, struct px_vma *v);
void px_vma_link(struct px_space *s, struct px_vma *v);
void px_vma_unlink(struct px_space *s, struct px_vma *v);
void px_vma_set_flags(struct px_space *s, struct px_vma *v, uint32_t fl);
uint64_t px_vma_pgoff_at(const struct px_vma *v, uint64_t addr);
bool px_can_merge(const struct px_cand *a, const struct px_cand *b);
void px_cand_of(struct px_cand *c, const struct px_vma *v);
int px_vma_split(struct px_space *s, struct px_vma *v, uint64_t addr,
		 struct px_vma **hi);
struct px_vma *px_vma_merge(struct px_space *s, struct px_vma *a,
			    struct px_vma *b);
int px_vma_modify(struct px_space *s, struct px_vma *v, uint64_t start,
		  uint64_t end, uint32_t flags, struct px_vma **out);
int px_unmap(struct px_space *s, uint64_t start, uint64_t end,
	     bool check_count);
struct px_vma *px_merge_new(struct px_space *s, struct px_vma *v,
			    bool just_expand);
void px_anon_prepare(struct px_space *s, struct px_vma *v);
void px_zap(struct px_space *s, struct px_vma *v, uint64_t start, uint64_t end);
int px_fault_range(struct px_space *s, struct px_vma *v, uint64_t start,
		   uint64_t end, bool write);
int px_populate(struct px_space *s, uint64_t start, uint64_t end,
		bool ignore_errors);
/* The model's VMAs as abi/lx_madvise.h walks them (madvise, msync;
 * px_madvise.c). */
struct lx_madv_ops;
extern const struct lx_madv_ops px_madv_ops;
int px_fault(struct px_space *s, struct px_vma *v, uint64_t addr, bool write);
bool px_thp_eligible(const struct px_space *s, const struct px_vma *v,
		     uint64_t addr);
bool px_beyond_eof(const struct px_vma *v, uint64_t addr);
/* px_store() where the caller found v and checked it (px_space.c). */
int px_store_in(struct px_space *s, struct px_vma *v, uint64_t addr,
		uint8_t val);
uint64_t px_vma_first_guard(const struct px_vma *v, uint64_t lo, uint64_t hi);
bool px_commit_ok(const struct px_space *s, uint64_t pages);
bool px_mlock_future_ok(const struct px_space *s, bool locked, uint64_t bytes);
bool px_can_do_mlock(const struct px_space *s);
uint64_t px_start_gap(const struct px_space *s, const struct px_vma *v);

/* ---- placement (px_place.c) ------------------------------------------ */

int px_get_area(struct px_space *s, const struct px_obj *obj, bool file,
		uint64_t addr, uint64_t len, uint64_t pgoff, int flags,
		uint64_t *out);

#endif
