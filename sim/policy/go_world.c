/*
 * go_world.c - the "go-world" policy: genode-world's mmap for gccgo's
 * runtime, the one earlier attempt at reservations on Genode.
 *
 * Models genodelabs/genode-world legacy/src/lib/libgo_support/:
 * anon_mmap.cc (Vm_region_map, Vm_area, Vm_area_registry: reserve,
 * commit, release, get_base_address; pd_reserve_memory,
 * pd_commit_memory, pd_unmap_memory), file_operations_anon.cc
 * (anon_mmap, anon_munmap, anon_init_file_operations), mmap_registry.h
 * (Libgo_support::Mmap_registry) and dummy.cc (mlock and friends).
 * libgo's sysMmap and munmap are bound to anon_mmap and anon_munmap
 * (legacy/src/lib/libgo/src.patch); everything else is the libc's,
 * modelled by libc_core.c as of 26.02.  The code was written against the
 * pre-24.08 API (attach_at, exceptions); the model maps it onto the
 * current one call for call, keeping the old defaults (attach_at is
 * writeable and not executable).
 *
 * The mechanism: a Vm_area is its own RM session with one region map,
 * attached into env, with an Allocator_avl over its addresses.  At start
 * a default area of local_area_default_size (15 MiB) is attached
 * anywhere, rwx.  anon_mmap:
 * - not anonymous: the libc's mmap;
 * - PROT_NONE or no address: reserve.  Without an address, a block of
 *   the default area (any failure is ENOMEM); with one, a new Vm_area of
 *   exactly the length attached at the address (a conflict is ENOMEM).
 *   MAP_FIXED with a reservation elsewhere is ENOMEM too.  PROT_NONE
 *   stops here;
 * - otherwise commit into the first area that contains the range: a new
 *   RAM dataspace of the length attached at its offset in the area's
 *   map (rwx for PROT_EXEC).  When the range is committed already the
 *   attach conflicts, the RAM is freed and the call returns NULL (0,
 *   not MAP_FAILED, errno untouched).  There is no overmapping.
 * anon_munmap releases an area only when given exactly its range: then
 * its attachments, RAM and RM session go.  Any other range only splits
 * the area's list of mapped ranges: nothing is detached, no RAM freed,
 * the memory stays accessible, and the default area's address space is
 * never given back to its allocator.
 *
 * Parameters: area (local_area_default_size, default 15M) and align_log2
 * (<mmap align_log2>, default 12; it reaches pd_reserve_memory as an
 * alignment in bytes, so its log2 is used, and the area allocator never
 * goes below 12: it has no effect short of 8192).
 */
#include "libc_core.h"
#include "mem_alloc.h"

#include "rmsim/abi.h"
#include "rmsim/policy.h"

#include <stdio.h>
#include <stdlib.h>

/* Vm_area::Vm_range, an entry of `mapped` */
struct gw_range {
	struct gw_range *next;
	uint64_t base, size;
};

/* Vm_area::Vm_area_ds, an entry of `_ds` */
struct gw_ds {
	struct gw_ds *next;
	uint64_t base, size;
	gn_ds_cap ds;
};

/* Vm_area with its Vm_region_map */
struct gw_area {
	struct gw_area *next;
	struct gn_rm_connection *conn;	/* _rm_connection */
	gn_rm_cap map;			/* _rm */
	uint64_t base, size;		/* _base, _size (as requested) */
	struct pol_avl range;		/* _range, in env's addresses */
	struct gw_range *mapped;	/* Registry: newest first */
	struct gw_ds *ds;
};

struct gw {
	struct gn_ctx *gn;
	struct pol_lc lc;	/* the libc underneath */
	/* Vm_area_registry, newest first, and its default area */
	struct gw_area *areas, *pvma;
	struct pol_addrset reg;	/* Libgo_support::Mmap_registry */
	unsigned align_log2;	/* _mmap_align_log2 */
	unsigned word;
};

/* commit's outcomes: the third stands for what the real code cannot
 * return from (a retry loop upgrading the wrong session, or an
 * exception nobody catches) */
enum { GW_OK, GW_NO, GW_STUCK };

static void *xcalloc(size_t n, size_t size)
{
	void *p = calloc(n, size);

	if (!p) {
		fputs("rmsim: out of memory in a policy\n", stderr);
		abort();
	}
	return p;
}

/* Genode::log2: floor */
static unsigned log2_floor(uint64_t v)
{
	return v ? 63 - (unsigned)__builtin_clzll(v) : 0;
}

/*
 * Vm_region_map's constructor: an Rm_connection, create(size), and the
 * map's dataspace attached into env at @base (attach_at: rw, not
 * executable) or, for the default area, anywhere and rwx.
 */
static int area_new(struct gw *g, uint64_t base, uint64_t size,
		    struct gw_area **out)
{
	struct gn_attr attr = {0};
	enum gn_session_error serr;
	struct gw_area *a;
	struct gn_range r;

	a = xcalloc(1, sizeof(*a));
	a->conn = gn_rm_session_open(gn_env_pd(g->gn), &serr);
	if (!a->conn)
		goto fail;
	if (gn_rm_create(a->conn, size, &a->map) != GN_ALLOC_OK)
		goto fail_conn;
	attr.writeable = true;
	if (base) {
		attr.use_at = true;
		attr.at = base;
	} else {
		attr.executable = true;
	}
	if (gn_region_map_attach(gn_env_rm(g->gn),
				 gn_region_map_dataspace(a->map), &attr,
				 &r) != GN_ATTACH_OK)
		goto fail_conn;	/* the exception closes the session */
	a->base = base ? base : r.start;
	a->size = size;
	pol_avl_init(&a->range, false, g->word);
	a->next = g->areas;
	g->areas = a;
	*out = a;
	return 0;
fail_conn:
	gn_rm_session_close(a->conn);
fail:
	free(a);
	return -1;
}

/* ~Vm_area, ~Vm_region_map, ~Rm_connection */
static void area_destroy(struct gw *g, struct gw_area *a)
{
	struct gw_area **p;
	struct gw_range *vr, *nvr;
	struct gw_ds *d, *nd;

	for (p = &g->areas; *p; p = &(*p)->next)
		if (*p == a) {
			*p = a->next;
			break;
		}
	for (vr = a->mapped; vr; vr = nvr) {
		nvr = vr->next;
		gn_region_map_detach(a->map, vr->base - a->base);
		free(vr);
	}
	for (d = a->ds; d; d = nd) {
		nd = d->next;
		pol_avl_free(&a->range, d->base);
		gn_pd_free_ram(gn_env_pd(g->gn), d->ds);
		free(d);
	}
	gn_region_map_detach(gn_env_rm(g->gn), a->base);
	gn_rm_session_close(a->conn);
	pol_avl_destroy(&a->range);
	free(a);
}

/* Vm_area::inside */
static bool inside(const struct gw_area *a, uint64_t base, uint64_t size)
{
	return base >= a->base && base + size <= a->base + a->size;
}

/* Vm_area_registry::reserve: 0 with *@out, or -1 (any exception) */
static int reserve(struct gw *g, uint64_t size, uint64_t base, unsigned align,
		   uint64_t *out)
{
	struct gw_area *a;

	if (!base) {
		/* Vm_region_map::alloc: never below a page */
		if (!g->pvma || pol_avl_alloc_aligned(&g->pvma->range, size,
						      align > 12 ? align : 12,
						      out))
			return -1;
		return 0;
	}
	if (area_new(g, base, size, &a))
		return -1;
	/* a failure from here on throws with the area registered: it
	 * stays, as in the real code */
	if (pol_avl_add_range(&a->range, base, size))
		return -1;
	if (pol_avl_alloc_addr(&a->range, size, base))
		return -1;
	*out = base;
	return 0;
}

/* Vm_area::commit */
static int area_commit(struct gw *g, struct gw_area *a, uint64_t base,
		       uint64_t size, bool exec)
{
	struct gn_attr attr = {0};
	enum gn_attach_error e;
	struct gw_range *vr;
	struct gw_ds *d;
	gn_ds_cap ds;

	if (!inside(a, base, size))
		return GW_NO;
	/* env.ram().alloc throws on failure; commit does not catch it */
	if (gn_pd_alloc_ram(gn_env_pd(g->gn), size, &ds) != GN_ALLOC_OK ||
	    !gn_ds_valid(ds))
		return GW_STUCK;
	/* attach_rwx or attach_at, at the offset inside the area */
	attr.use_at = true;
	attr.at = base - a->base;
	attr.size = size;
	attr.writeable = true;
	attr.executable = exec;
	e = gn_region_map_attach(a->map, ds, &attr, NULL);
	if (e == GN_ATTACH_REGION_CONFLICT) {
		gn_pd_free_ram(gn_env_pd(g->gn), ds);
		return GW_NO;
	}
	if (e != GN_ATTACH_OK) {
		/*
		 * OUT_OF_RAM: retry<Out_of_ram> upgrades the PD session,
		 * not the area's RM session, and tries again without end;
		 * OUT_OF_CAPS escapes as an exception.  Neither returns.
		 */
		gn_pd_free_ram(gn_env_pd(g->gn), ds);
		return GW_STUCK;
	}
	d = xcalloc(1, sizeof(*d));
	d->base = base;
	d->size = size;
	d->ds = ds;
	d->next = a->ds;
	a->ds = d;
	vr = xcalloc(1, sizeof(*vr));
	vr->base = base;
	vr->size = size;
	vr->next = a->mapped;
	a->mapped = vr;
	return GW_OK;
}

/* Vm_area_registry::commit: the first area that takes it */
static int commit(struct gw *g, uint64_t base, uint64_t size, bool exec)
{
	struct gw_area *a;
	int r;

	for (a = g->areas; a; a = a->next) {
		r = area_commit(g, a, base, size, exec);
		if (r != GW_NO)
			return r;
	}
	return GW_NO;
}

/* Vm_range::get_crossing_range */
static bool crossing(const struct gw_range *vr, uint64_t q_base,
		     uint64_t q_size, uint64_t *c_base, uint64_t *c_size)
{
	uint64_t end;

	/* known bug in the original: wrong for q_size == 0 */
	if (q_base + (q_size ? q_size : 1) > vr->base &&
	    vr->base + vr->size > q_base) {
		*c_base = q_base > vr->base ? q_base : vr->base;
		end = q_base + q_size < vr->base + vr->size ? q_base + q_size
							    : vr->base +
								      vr->size;
		*c_size = end - *c_base;
		return true;
	}
	return false;
}

/*
 * Vm_area_registry::release on a range that is not the whole area:
 * only `mapped` is cut.  Returns area_used.
 */
static bool split(struct gw_area *a, uint64_t base, uint64_t size)
{
	uint64_t newaddr = 0, newsize = 0, oldaddr = 0, oldsize = 0;
	bool used = false, need_new_chunk = false;
	struct gw_range **p = &a->mapped, *vr;

	while ((vr = *p)) {
		bool used_vr = false;

		if (!crossing(vr, base, size, &newaddr, &newsize)) {
			used = true;
			p = &vr->next;
			continue;
		}
		oldaddr = vr->base;
		oldsize = vr->size;
		/* keep the head */
		if (oldaddr != newaddr) {
			vr->size = newaddr - oldaddr;
			used_vr = true;
		}
		if (newaddr + newsize != oldaddr + oldsize) {
			if (used_vr) {
				/* a tail too: added after the loop; this
				 * range does not count as used */
				need_new_chunk = true;
				p = &vr->next;
				continue;
			}
			/* keep the tail in the same entry */
			vr->base = newaddr + newsize;
			vr->size = oldaddr + oldsize - newaddr - newsize;
			used_vr = true;
		}
		if (!used_vr) {
			*p = vr->next;
			free(vr);
			continue;
		}
		used = true;
		p = &vr->next;
	}
	if (need_new_chunk) {
		vr = xcalloc(1, sizeof(*vr));
		vr->base = newaddr + newsize;
		vr->size = oldaddr + oldsize - newaddr - newsize;
		vr->next = a->mapped;
		a->mapped = vr;
	}
	return used;
}

/* Vm_area_registry::release: false when no area holds the range */
static bool release(struct gw *g, uint64_t base, uint64_t size,
		    bool *area_used)
{
	struct gw_area *a;

	for (a = g->areas; a; a = a->next) {
		if (!inside(a, base, size))
			continue;
		if (base != a->base || size != a->size) {
			*area_used = split(a, base, size);
			return true;
		}
		/* the whole area */
		pol_avl_free(&a->range, a->base);
		if (a != g->pvma)
			area_destroy(g, a);
		*area_used = false;
		return true;
	}
	return false;
}

static int gw_init(const struct pol_env *env, const char *params,
		   void **state)
{
	static const char *const keys[] = {"area", "align_log2", NULL};
	struct gw_area *pvma;
	uint64_t area;
	unsigned align;
	struct gw *g;
	char bad[64];

	if (pol_param_check(params, keys, bad, sizeof(bad)) ||
	    pol_param_u64(params, "area", 15ULL << 20, &area) < 0 || !area ||
	    pol_lc_param_align(params, &align))
		return -LX_EINVAL;
	g = xcalloc(1, sizeof(*g));
	g->gn = env->gn;
	g->word = gn_ctx_layout(env->gn)->bits == 32 ? 4 : 8;
	g->align_log2 = align;
	/* anon_mmap_construct: the default area, anywhere, rwx */
	if (area_new(g, 0, area, &pvma)) {
		free(g);
		return -LX_ENOMEM;
	}
	/* the libc reads the same <mmap align_log2>; its allocators take
	 * nothing from the model before their first allocation */
	pol_lc_init(&g->lc, env->gn, POL_LC_26_02, align);
	/* Vm_area_registry ignores add_range's result, and so may we: the
	 * first range of a fresh allocator goes into the slab's initial
	 * block, and the area is neither empty nor overlapping */
	(void)pol_avl_add_range(&pvma->range, pvma->base, area);
	g->pvma = pvma;
	*state = g;
	return 0;
}

static void gw_fini(void *st)
{
	struct gw *g = st;

	while (g->areas)
		area_destroy(g, g->areas);
	pol_addrset_free(&g->reg);
	pol_lc_fini(&g->lc);
	free(g);
}

/* anon_mmap */
static int gw_mmap(void *st, uint64_t addr, uint64_t len, int prot, int flags,
		   int fd, uint64_t off, uint64_t *out)
{
	struct gw *g = st;
	uint64_t start = addr;
	unsigned align;
	int r;

	*out = 0;
	if (!(flags & LX_MAP_ANONYMOUS))
		return pol_lc_mmap(&g->lc, addr, len, prot, flags, fd, off,
				   out);
	if (prot == LX_PROT_NONE || !addr) {
		/* _mmap_align_log2 goes in as alignment_hint, in bytes */
		align = g->align_log2 ? log2_floor(g->align_log2) : 12;
		if (reserve(g, len, addr, align, &start))
			return -LX_ENOMEM;
		/* with MAP_FIXED and no address the block just reserved
		 * stays reserved */
		if ((flags & LX_MAP_FIXED) && start != addr)
			return -LX_ENOMEM;
		pol_addrset_insert(&g->reg, start, 0);
		if (prot == LX_PROT_NONE) {
			*out = start;
			return 0;
		}
	}
	r = commit(g, start, len, prot & LX_PROT_EXEC);
	if (r == GW_STUCK)
		return -LX_ENOMEM;
	if (r == GW_NO)
		return 0;	/* NULL, as the code returns it */
	/* the memset over the committed range finds fresh RAM: zero */
	*out = start;
	return 0;
}

/* anon_munmap */
static int gw_munmap(void *st, uint64_t base, uint64_t len)
{
	struct gw *g = st;
	struct gw_area *a;
	uint64_t start = base;
	bool nanon = true, area_used = false;

	/* Vm_area_registry::get_base_address */
	for (a = g->areas; a; a = a->next)
		if (inside(a, base, 1)) {
			start = a->base;
			nanon = a != g->pvma;
			break;
		}
	/*
	 * Outside every area `nanon` is read uninitialised; the model
	 * takes what the code means: the libc's munmap.
	 */
	if (nanon && pol_addrset_get(&g->reg, start) < 0)
		return pol_lc_munmap(&g->lc, base, len);
	pol_addrset_remove(&g->reg, start);
	/* pd_unmap_memory's answer is ignored: 0 either way */
	release(g, base, len, &area_used);
	/* re-registered (the registry keeps no length) unless an area of
	 * its own is left without a mapped range, or is gone */
	if (!(nanon && !area_used))
		pol_addrset_insert(&g->reg, start, 0);
	return 0;
}

static int gw_msync(void *st, uint64_t addr, uint64_t len, int flags)
{
	struct gw *g = st;

	/* libgo calls the libc's msync: areas are not in its registry */
	return pol_lc_msync(&g->lc, addr, len, flags);
}

static int gw_mprotect(void *st, uint64_t addr, uint64_t len, int prot)
{
	return pol_lc_mprotect(addr, len, prot);
}

static int gw_madvise(void *st, uint64_t addr, uint64_t len, int advice)
{
	return pol_lc_madvise(addr, len, advice);
}

/* dummy.cc: mlock, munlock, mlockall, munlockall answer EOPNOTSUPP */
static int gw_mlock(void *st, uint64_t addr, uint64_t len, int flags)
{
	return -LX_EOPNOTSUPP;
}

static int gw_munlock(void *st, uint64_t addr, uint64_t len)
{
	return -LX_EOPNOTSUPP;
}

static int gw_mlockall(void *st, int flags)
{
	return -LX_EOPNOTSUPP;
}

static int gw_munlockall(void *st)
{
	return -LX_EOPNOTSUPP;
}

/* mremap, mincore, brk: NULL, which answers ENOSYS */
static const struct pol_param gw_params[] = {
	{"area", POL_PARAM_SIZE, 0, 15ULL << 20, 1, 1ULL << 40, 0,
	 "the anon_mmap area reserved at start-up"},
	POL_LC_PARAM_ALIGN,
	{NULL, 0, 0, 0, 0, 0, 0, NULL},
};

const struct pol_policy pol_go_world = {
	.abi = POL_ABI,
	.name = "go-world",
	.summary = "genode-world's libgo_support anon_mmap: RM-session areas, "
		   "commit by attach, no overmapping, partial munmap ignored",
	.params_help = "area=SIZE,align_log2=N",
	.init = gw_init,
	.fini = gw_fini,
	.mmap = gw_mmap,
	.munmap = gw_munmap,
	.mprotect = gw_mprotect,
	.madvise = gw_madvise,
	.msync = gw_msync,
	.mlock = gw_mlock,
	.munlock = gw_munlock,
	.mlockall = gw_mlockall,
	.munlockall = gw_munlockall,
	.params = gw_params,
};
