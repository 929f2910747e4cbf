/*
 * win_gn.c - the Genode side of the window policies in C, over the
 * model's gn_ API: the table of win_gn.h for `window` and `lazy`.
 *
 * ALGORITHM
 *
 * Each operation is the gn_ calls a Genode libc makes for it, one gn_
 * call per Genode RPC: open is Rm_connection, Rm_connection::create (with
 * its upgrade loop) per map, Region_map::dataspace, fault_handler and an
 * attach into env; attach retries after Connection::upgrade_ram (8 KiB)
 * or upgrade_caps (2) as Genode's clients do, at most 16 times, and
 * fails with ENOMEM without asking when the PD cannot pay; slices_new
 * is Rm_connection::create of a map and an attach (as above) per slice,
 * slices_free Rm_connection::destroy; zero with
 * a dataspace that is not mapped writeable attaches it anywhere in env
 * for the moment; through a writeable mapping it is a store, no RPC.
 * port/src/lib/mmap_window/backend.cc is the same in Genode C++, call
 * for call (tests/driver/test_port.py compares them).
 *
 * INVARIANTS
 *
 *   The maps exist exactly while the session is open; the window is
 *   attached at its base exactly while `attached`.  The checker ops
 *   (attached, count, window_attached) read the model and are what
 *   wc_check compares the bookkeeping with.
 */
#include "win_setup.h"

#include <stdlib.h>

/* quota a session upgrade adds, as Genode's Rm_connection does */
#define UPGRADE_RAM (8 * 1024)
#define UPGRADE_CAPS 2
#define MAX_TRIES 16

struct wg_ds {
	gn_ds_cap cap;
	gn_rm_cap map;	/* slices_new: the region map behind cap */
};

struct wg {
	struct gn_ctx *gn;
	struct gn_pd *pd;
	struct gn_rm_connection *rm;
	gn_rm_cap win, lmap;
	gn_ds_cap wds, lds;
	uint64_t base, size;
	bool attached;
	void (*fault_fn)(void *arg, enum wg_map map);
	void *fault_arg;
};

struct wg *wc_gn_new(struct gn_ctx *gn)
{
	struct wg *g = wc_xcalloc(1, sizeof(*g));

	g->gn = gn;
	g->pd = gn_env_pd(gn);
	return g;
}

static gn_rm_cap map_cap(const struct wg *g, enum wg_map m)
{
	return m == WG_LAZY ? g->lmap : g->win;
}

/* The Signal_handler: which map faulted, to the bookkeeping. */
static void on_fault(void *arg, gn_rm_cap rm)
{
	struct wg *g = arg;

	g->fault_fn(g->fault_arg, rm.id == g->lmap.id && gn_rm_valid(g->lmap)
					  ? WG_LAZY
					  : WG_WINDOW);
}

static int gn_open(struct wg *g, const struct wg_setup *s)
{
	struct gn_attr at = {.use_at = true,
			     .at = s->base,
			     .writeable = true,
			     .executable = true};
	struct gn_fault_handler h = {
		.kind = GN_HANDLER_FN, .fn = on_fault, .arg = g};
	enum gn_session_error se;

	g->base = s->base;
	g->size = s->size;
	g->fault_fn = s->fault;
	g->fault_arg = s->arg;
	g->rm = gn_rm_session_open(g->pd, &se);
	if (!g->rm || gn_rm_create(g->rm, s->size, &g->win))
		return -WG_ENOMEM;
	if (s->lazy_map) {
		if (gn_rm_create(g->rm, s->size, &g->lmap))
			return -WG_ENOMEM;
		g->lds = gn_region_map_dataspace(g->lmap);
	}
	if (s->handler)
		gn_region_map_fault_handler(s->lazy_map ? g->lmap : g->win, &h);
	g->wds = gn_region_map_dataspace(g->win);
	switch (gn_region_map_attach(gn_env_rm(g->gn), g->wds, &at, NULL)) {
	case GN_ATTACH_OK:
		g->attached = true;
		return 0;
	case GN_ATTACH_REGION_CONFLICT:
		return -WG_EINVAL;
	default:
		return -WG_ENOMEM;
	}
}

static void gn_close(struct wg *g)
{
	if (g->attached)
		gn_region_map_detach(gn_env_rm(g->gn), g->base);
	if (g->rm)
		gn_rm_session_close(g->rm);
	free(g);
}

static struct wg_ds *gn_ram_alloc(struct wg *g, uint64_t size)
{
	struct wg_ds *ds = wc_xcalloc(1, sizeof(*ds));

	if (gn_pd_alloc_ram(g->pd, size, &ds->cap) != GN_ALLOC_OK ||
	    !gn_ds_valid(ds->cap)) {
		free(ds);
		return NULL;
	}
	return ds;
}

static void gn_ram_free(struct wg *g, struct wg_ds *ds)
{
	gn_pd_free_ram(g->pd, ds->cap);
	free(ds);
}

/* Can the PD pay an upgrade?  Genode would block on a resource request
 * where it cannot; mmap fails with ENOMEM instead, without asking. */
static bool affordable(const struct wg *g, uint64_t ram, uint64_t caps)
{
	return gn_pd_avail_ram(g->pd) >= ram && gn_pd_avail_caps(g->pd) >= caps;
}

/* Region_map::attach into @map, upgrading the session as Genode's
 * clients do. */
static int attach_in(struct wg *g, gn_rm_cap map, gn_ds_cap cap, uint64_t at,
		     uint64_t size, uint64_t off, uint8_t rights,
		     uint64_t *upgrades)
{
	struct gn_attr a = {
		.size = size,
		.offset = off,
		.use_at = true,
		.at = at,
		.writeable = (rights & WG_W) != 0,
		.executable = (rights & WG_X) != 0,
	};
	enum gn_alloc_error u;
	unsigned tries;

	for (tries = 0; tries < MAX_TRIES; tries++) {
		switch (gn_region_map_attach(map, cap, &a, NULL)) {
		case GN_ATTACH_OK:
			return 0;
		case GN_ATTACH_OUT_OF_RAM:
			u = affordable(g, UPGRADE_RAM, 0)
				    ? gn_rm_upgrade(g->rm, UPGRADE_RAM, 0)
				    : GN_ALLOC_OUT_OF_RAM;
			break;
		case GN_ATTACH_OUT_OF_CAPS:
			u = affordable(g, 0, UPGRADE_CAPS)
				    ? gn_rm_upgrade(g->rm, 0, UPGRADE_CAPS)
				    : GN_ALLOC_OUT_OF_CAPS;
			break;
		default:
			return -WG_EFAULT;
		}
		if (u)
			return -WG_ENOMEM;
		(*upgrades)++;
	}
	return -WG_ENOMEM;
}

static int gn_attach(struct wg *g, enum wg_map m, struct wg_ds *ds, uint64_t at,
		     uint64_t size, uint64_t off, uint8_t rights,
		     uint64_t *upgrades)
{
	return attach_in(g, map_cap(g, m), ds ? ds->cap : g->lds, at, size, off,
			 rights, upgrades);
}

static struct wg_ds *gn_slices_new(struct wg *g, struct wg_ds *below,
				   uint64_t slice, uint64_t n,
				   uint64_t *upgrades)
{
	struct wg_ds *ds;
	gn_rm_cap map;
	uint64_t i;

	if (gn_rm_create(g->rm, slice * n, &map) != GN_ALLOC_OK)
		return NULL;
	for (i = 0; i < n; i++)
		if (attach_in(g, map, below->cap, i * slice, slice, 0, WG_R,
			      upgrades)) {
			gn_rm_destroy(g->rm, map);
			return NULL;
		}
	ds = wc_xcalloc(1, sizeof(*ds));
	ds->map = map;
	ds->cap = gn_region_map_dataspace(map);
	return ds;
}

static void gn_slices_free(struct wg *g, struct wg_ds *ds)
{
	gn_rm_destroy(g->rm, ds->map);
	free(ds);
}

static void gn_detach(struct wg *g, enum wg_map m, uint64_t at)
{
	gn_region_map_detach(map_cap(g, m), at);
}

static void gn_zero(struct wg *g, struct wg_ds *ds, uint64_t off, uint64_t len,
		    uint64_t at)
{
	bool mapped_rw = at != WG_NOWHERE;
	struct gn_attr a = {.size = len, .offset = off, .writeable = true};
	gn_rm_cap env = gn_env_rm(g->gn);
	struct gn_range r = {0, 0};
	bool tmp = !mapped_rw &&
		   gn_region_map_attach(env, ds->cap, &a, &r) == GN_ATTACH_OK;

	gn_ds_zero(ds->cap, off, len);
	if (tmp)
		gn_region_map_detach(env, r.start);
}

static enum wg_fault gn_fault(struct wg *g, enum wg_map m, uint64_t *addr)
{
	struct gn_fault f = gn_region_map_fault(map_cap(g, m));

	*addr = f.addr;
	switch (f.type) {
	case GN_FAULT_READ:
		return WG_FAULT_READ;
	case GN_FAULT_WRITE:
		return WG_FAULT_WRITE;
	case GN_FAULT_EXEC:
		return WG_FAULT_EXEC;
	default:
		return WG_FAULT_NONE;
	}
}

bool wc_gn_holds(gn_rm_cap rm, uint64_t at, uint64_t size, gn_ds_cap ds,
		 struct gn_attachment *a)
{
	return gn_region_map_lookup(rm, at, a) && a->base == at &&
	       a->size == size && a->ds.id == ds.id;
}

bool wc_gn_is_attached(gn_rm_cap rm, uint64_t at, uint64_t size, gn_ds_cap ds,
		       uint64_t off, uint8_t rights)
{
	struct gn_attachment a;

	return wc_gn_holds(rm, at, size, ds, &a) && !a.reserved &&
	       a.offset == off && a.writeable == ((rights & WG_W) != 0) &&
	       a.executable == ((rights & WG_X) != 0);
}

static bool gn_attached(const struct wg *g, enum wg_map m, uint64_t at,
			uint64_t size, const struct wg_ds *ds, uint64_t off,
			uint8_t rights)
{
	return wc_gn_is_attached(map_cap(g, m), at, size, ds ? ds->cap : g->lds,
				 off, rights);
}

static uint64_t gn_count(const struct wg *g, enum wg_map m)
{
	return gn_region_map_count(map_cap(g, m));
}

static bool gn_window_attached(const struct wg *g)
{
	struct gn_attachment a;

	return wc_gn_holds(gn_env_rm(g->gn), g->base, g->size, g->wds, &a);
}

const struct wg_ops wc_gn_ops = {
	.open = gn_open,
	.close = gn_close,
	.ram_alloc = gn_ram_alloc,
	.ram_free = gn_ram_free,
	.attach = gn_attach,
	.detach = gn_detach,
	.slices_new = gn_slices_new,
	.slices_free = gn_slices_free,
	.zero = gn_zero,
	.fault = gn_fault,
	.attached = gn_attached,
	.count = gn_count,
	.window_attached = gn_window_attached,
};
