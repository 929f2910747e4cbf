/*
 * tg_genode.c - a policy running in a modelled Genode component, as a
 * target: calls go to the policy's ops, accesses go through env and every
 * nested region map the way a component's threads touch memory (faults
 * reach the handlers the policy registered).
 */
#include "tg_genode.h"

#include "rmsim/abi.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>

struct gspace {
	struct gn_ctx *gn;
	const struct pol_policy *pol;
	void *st;
	struct pol_env env;
};

struct gn_ctx *tg_genode_ctx(void *space)
{
	return ((struct gspace *)space)->gn;
}

void tg_genode_seq(void *space, uint64_t seq)
{
	gn_set_seq(((struct gspace *)space)->gn, seq);
}

static void *g_new(void *ctx)
{
	struct tg_genode_cfg *cfg = ctx;
	struct gspace *g = calloc(1, sizeof(*g));
	int rc;

	if (!g)
		return NULL;
	g->gn = gn_ctx_new(&cfg->gn);
	if (!g->gn) {
		snprintf(cfg->error, sizeof(cfg->error),
			 "cannot create the Genode component");
		free(g);
		return NULL;
	}
	if (cfg->db)
		gn_log_to_db(g->gn, cfg->db, cfg->run_id);
	g->pol = cfg->pol;
	g->env.gn = g->gn;
	g->env.layout = gn_ctx_layout(g->gn);
	g->env.version = gn_ctx_version(g->gn);
	lay_va_range(g->env.layout, gn_version_number(g->env.version),
		     &g->env.va_start, &g->env.va_end);
	if (g->pol) {
		rc = g->pol->init(&g->env, cfg->params ? cfg->params : "",
				  &g->st);
		if (rc) {
			snprintf(cfg->error, sizeof(cfg->error),
				 "policy %s: init failed: %s (parameters "
				 "'%s')",
				 g->pol->name,
				 rc == -EINVAL ? "invalid parameters"
					       : "the component cannot afford "
						 "its set-up",
				 cfg->params ? cfg->params : "");
			gn_ctx_free(g->gn);
			free(g);
			return NULL;
		}
	}
	return g;
}

static void g_free(void *ctx, void *space)
{
	struct gspace *g = space;

	if (!g)
		return;
	if (g->pol && g->pol->fini)
		g->pol->fini(g->st);
	gn_ctx_free(g->gn);
	free(g);
}

static void *g_fork(void *ctx, void *space)
{
	return NULL;	/* a Genode component does not fork its model */
}

static void g_ignore(void *ctx, void *space, uint64_t v)
{
}

static int g_inherit(void *ctx, void *space, uint64_t a, uint64_t l,
		     bool file)
{
	(void)file;
	return -ENOSYS;
}

static bool g_hole(void *ctx, void *space, uint64_t a, uint64_t l,
		   uint64_t *hs, uint64_t *he)
{
	return false;
}

#define CALL(op, ...) (p->op ? p->op(g->st, __VA_ARGS__) : -ENOSYS)

static int g_call(void *ctx, void *space, const struct tg_call *c,
		  uint64_t *out)
{
	struct gspace *g = space;
	const struct pol_policy *p = g->pol;
	const uint64_t *a = c->arg;

	*out = 0;
	if (!p)
		return -ENOSYS;
	switch (c->call) {
	case TR_MMAP:
		return CALL(mmap, a[0], a[1], (int)a[2], (int)a[3], (int)a[4],
			    a[5], out);
	case TR_MUNMAP:
		return CALL(munmap, a[0], a[1]);
	case TR_PKEY_MPROTECT:
		/* no protection keys on Genode: only "no key" (-1) works */
		if ((int)a[3] != -1)
			return -LX_EINVAL;
		return CALL(mprotect, a[0], a[1], (int)a[2]);
	case TR_MPROTECT:
		return CALL(mprotect, a[0], a[1], (int)a[2]);
	case TR_MADVISE:
		return CALL(madvise, a[0], a[1], (int)a[2]);
	case TR_MREMAP:
		return CALL(mremap, a[0], a[1], a[2], (int)a[3], a[4], out);
	case TR_MSYNC:
		return CALL(msync, a[0], a[1], (int)a[2]);
	case TR_BRK:
		return CALL(brk, a[0], out);
	case TR_MLOCK:
		return CALL(mlock, a[0], a[1], 0);
	case TR_MLOCK2:
		return CALL(mlock, a[0], a[1], (int)a[2]);
	case TR_MUNLOCK:
		return CALL(munlock, a[0], a[1]);
	case TR_MLOCKALL:
		return p->mlockall ? p->mlockall(g->st, (int)a[0]) : -ENOSYS;
	case TR_MUNLOCKALL:
		return p->munlockall ? p->munlockall(g->st) : -ENOSYS;
	case TR_MINCORE:
		return CALL(mincore, a[0], a[1]);
	case TR_MSEAL:
	case TR_PRCTL:
	case TR_MEMFD_SECRET:
		/* Genode's libc has none of them: the checks report the
		 * difference to the reference as a deviation */
		return -ENOSYS;
	default:
		return 0;
	}
}

/* A thread that blocks or is stopped is a crash for the program. */
static int g_load(void *ctx, void *space, uint64_t addr, uint8_t *val)
{
	struct gspace *g = space;

	return gn_load(g->gn, addr, val) == GN_ACCESS_OK ? 0 : -EFAULT;
}

static int g_store(void *ctx, void *space, uint64_t addr, uint8_t val)
{
	struct gspace *g = space;

	return gn_store(g->gn, addr, val) == GN_ACCESS_OK ? 0 : -EFAULT;
}

/* The rights a READ walk @w says its page has (g_prot), or -ENOMEM. */
static int walk_prot(const struct gn_walk *w, int *prot)
{
	unsigned i;

	if (w->result == GN_WALK_RESOLVED) {
		*prot = LX_PROT_READ | (w->writeable ? LX_PROT_WRITE : 0) |
			(w->executable ? LX_PROT_EXEC : 0);
		return 0;
	}
	if (w->result == GN_WALK_NO_REGION && w->queued && w->nsteps > 1) {
		/* what the handler can give: the rights of the path down to
		 * the map that will resolve the fault */
		*prot = LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC;
		for (i = 0; i < w->nsteps; i++) {
			if (!w->step[i].found)
				continue;
			if (!w->step[i].att.writeable)
				*prot &= ~LX_PROT_WRITE;
			if (!w->step[i].att.executable)
				*prot &= ~LX_PROT_EXEC;
		}
		return 0;
	}
	return -ENOMEM;
}

/*
 * The rights a page has through env.  A page nobody attached yet but
 * whose fault a handler will see (a lazily committed window) counts as
 * mapped rw: the handler decides at the first touch, which the touch
 * model then exercises for real.
 */
static int g_prot(void *ctx, void *space, uint64_t addr, int *prot)
{
	struct gspace *g = space;
	struct gn_walk w;

	gn_walk(gn_env_rm(g->gn), addr, GN_READ, &w);
	return walk_prot(&w, prot);
}

static int g_peek(void *ctx, void *space, uint64_t addr, uint8_t *val)
{
	struct gspace *g = space;
	struct gn_walk w;

	gn_walk(gn_env_rm(g->gn), addr, GN_READ, &w);
	if (w.result != GN_WALK_RESOLVED)
		return -EAGAIN;
	return gn_ds_read(w.ds, w.ds_offset, val, 1) ? -EFAULT : 0;
}

/* ---- touching a range ---- */

/*
 * How far from @a, up to @end, every page lies in the same attachment at
 * each of the first @nsteps steps of @w's path: the extent over which the path, its rights and
 * the leaf's offsets (growing with the address) stay what they are at @a.
 * For a walk that ended at a hole, the hole reaches to the next
 * attachment of the map it ended in.
 */
static uint64_t path_extent(const struct gn_walk *w, unsigned nsteps,
			    uint64_t a, uint64_t end)
{
	struct gn_attachment next;
	uint64_t ext = end - a, rem;
	unsigned i;

	for (i = 0; i < nsteps; i++) {
		const struct gn_walk_step *s = &w->step[i];

		if (s->found)
			rem = s->att.base + s->att.size - s->addr;
		else if (gn_region_map_next(s->map, s->addr, &next))
			rem = next.base - s->addr;
		else
			continue;	/* a hole to the map's end */
		if (rem < ext)
			ext = rem;
	}
	return ext & ~(LX_PAGE_SIZE - 1) ? ext & ~(LX_PAGE_SIZE - 1)
					  : LX_PAGE_SIZE;
}

/* Does the page at @a resolve for a write to @ds at @off? */
static bool writes_to(struct gspace *g, uint64_t a, gn_ds_cap ds,
		      uint64_t off)
{
	struct gn_walk w;

	gn_walk(gn_env_rm(g->gn), a, GN_WRITE, &w);
	return w.result == GN_WALK_RESOLVED && w.ds.id == ds.id &&
	       w.ds_offset == off;
}

/*
 * The pages from @a (resolved for a write by @w) that a write reaches in
 * the same dataspace, in order.  The path holds over path_extent; 20.05
 * also wants the page inside a destination window that may end sooner,
 * and a window is an interval: so the pages that resolve are a prefix,
 * found by bisection on its last page.
 */
static uint64_t write_extent(struct gspace *g, const struct gn_walk *w,
			     uint64_t a, uint64_t end)
{
	uint64_t good = LX_PAGE_SIZE, bad, mid;

	bad = path_extent(w, w->nsteps, a, end);
	/* with the offsets in the destination (23.08), the path is all */
	if (gn_behaviour(gn_ctx_version(g->gn))->map_dst_with_offsets ||
	    writes_to(g, a + bad - LX_PAGE_SIZE, w->ds,
		      w->ds_offset + bad - LX_PAGE_SIZE))
		return bad;
	while (bad - good > LX_PAGE_SIZE) {
		mid = good + ((bad - good) / 2 & ~(LX_PAGE_SIZE - 1));
		if (writes_to(g, a + mid - LX_PAGE_SIZE, w->ds,
			      w->ds_offset + mid - LX_PAGE_SIZE))
			good = mid;
		else
			bad = mid;
	}
	return good;
}

/*
 * How many bytes from @a take no write, as g_prot says it (0: the page
 * at @a does take one, or may through a fault handler).
 */
static uint64_t unwritable_extent(struct gspace *g, uint64_t a, uint64_t end)
{
	struct gn_walk w;
	unsigned i;
	int prot;

	gn_walk(gn_env_rm(g->gn), a, GN_READ, &w);
	if (!walk_prot(&w, &prot) && (prot & LX_PROT_WRITE))
		return 0;
	/* a resolved path, or a hole, is the same over its extent; any
	 * other answer may change from page to page */
	if (w.result != GN_WALK_RESOLVED && w.result != GN_WALK_NO_REGION)
		return LX_PAGE_SIZE;
	/* where rights are ANDed along the path (23.08), nothing under an
	 * attachment without write takes one: its whole rest is skipped,
	 * whatever lies beneath (a read-only view of terabytes of zero
	 * pages, say) */
	if (gn_behaviour(gn_ctx_version(g->gn))->rights_along_path)
		for (i = 0; i < w.nsteps; i++)
			if (w.step[i].found && !w.step[i].att.writeable)
				return path_extent(&w, i + 1, a, end);
	return path_extent(&w, w.nsteps, a, end);
}

/*
 * --touch all through the component: one walk per stretch of pages that
 * a write reaches in one dataspace (a stamp over its pages, as the
 * thread's stores would leave them), and a real store, with its fault
 * and the handler's answer, where a page is not resolved yet.  Work
 * follows the attachments and faults, never the size of the range.
 */
static int64_t g_touch(void *ctx, void *space, uint64_t addr, uint64_t len,
		       uint8_t val, bool first, bool writable, bool *stopped)
{
	struct tg_genode_cfg *cfg = ctx;
	struct gspace *g = space;
	uint64_t a = addr, end, ext, again = UINT64_MAX;
	int64_t n = 0;
	struct gn_walk w;

	end = addr + len < addr ? UINT64_MAX & ~(LX_PAGE_SIZE - 1)
				: addr + len;
	while (a < end && !(first && n)) {
		if (cfg->stop && *cfg->stop)
			break;
		gn_walk(gn_env_rm(g->gn), a, GN_WRITE, &w);
		if (w.result == GN_WALK_RESOLVED &&
		    !(w.ds_offset & (LX_PAGE_SIZE - 1))) {
			ext = first ? LX_PAGE_SIZE : write_extent(g, &w, a, end);
			gn_ds_stamp(w.ds, w.ds_offset, ext, val);
			n += (int64_t)(ext / LX_PAGE_SIZE);
			a += ext;
			continue;
		}
		if (!writable && (ext = unwritable_extent(g, a, end))) {
			a += ext;
			continue;
		}
		n++;
		if (gn_store(g->gn, a, val) != GN_ACCESS_OK) {
			*stopped = true;
			break;
		}
		if (!first && a != again) {
			/* the fault resolved the page: walk it once more, so
			 * its stretch is stamped from here, this page with it
			 * (one range per dataspace, not a stored page per
			 * fault) */
			again = a;
			n--;
			continue;
		}
		a += LX_PAGE_SIZE;
	}
	return n;
}

void tg_genode(struct tg_target *t, struct tg_genode_cfg *cfg)
{
	static const struct tg_target genode = {
		.name = "genode",
		.space_new = g_new,
		.space_fork = g_fork,
		.space_free = g_free,
		.set_mmap_base = g_ignore,
		.set_brk = g_ignore,
		.inherit = g_inherit,
		.hole = g_hole,
		.call = g_call,
		.load = g_load,
		.store = g_store,
		.prot = g_prot,
		.peek = g_peek,
		.touch = g_touch,
	};

	*t = genode;
	t->ctx = cfg;
	t->name = cfg->pol ? cfg->pol->name : "none";
}
