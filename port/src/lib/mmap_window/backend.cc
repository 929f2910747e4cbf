/*
 * backend.cc - the Genode side of the window policies in Genode C++:
 * the table of sim/policy/win_gn.h over Genode's API (26.02 generation).
 *
 * ALGORITHM
 *
 * Call for call what sim/policy/win_gn.c does on the model:
 *
 *   open       Rm_connection, Rm_connection::create per map (its own
 *              upgrade loop), Region_map::dataspace, fault_handler with
 *              a Signal_handler, Env::rm().attach of the window at its
 *              base, writeable and executable; the Attachment is kept
 *              until close
 *   ram_alloc  Env::ram().try_alloc: the Allocation is kept by
 *              capability and size (deallocate = false) and given back
 *              by Ram_allocator::free
 *   attach     Region_map::attach at a fixed place; on OUT_OF_RAM and
 *              OUT_OF_CAPS the RM session is upgraded (8 KiB, 2 caps)
 *              when the PD can pay, else the call fails with ENOMEM
 *              instead of blocking on a resource request
 *   slices_new Rm_connection::create of a map of n slices, each
 *              attached read-only as attach does; slices_free is
 *              Rm_connection::destroy
 *   zero       bzero through the window where the pages are mapped
 *              writeable, else through an Attachment anywhere in the
 *              component's space that detaches when it goes
 *   fault      Region_map::fault
 *
 * INVARIANTS
 *
 * The maps and the window's attachment exist exactly while the RM
 * session does; every wg_ds holds one allocation of Env::ram().
 */
#include <base/ram_allocator.h>
#include <util/string.h>

#include "backend.h"

using namespace Genode;

namespace {

	enum { UPGRADE_RAM = 8 * 1024, UPGRADE_CAPS = 2, MAX_TRIES = 16 };

	Region_map::Attr attr(uint64_t at, uint64_t size, uint64_t off,
	                      uint8_t rights)
	{
		return Region_map::Attr { .size       = (size_t)size,
		                          .offset     = (addr_t)off,
		                          .use_at     = true,
		                          .at         = (addr_t)at,
		                          .executable = (rights & WG_X) != 0,
		                          .writeable  = (rights & WG_W) != 0 };
	}

	int open(struct wg *g, const struct wg_setup *s)
	{
		g->base      = (addr_t)s->base;
		g->size      = (size_t)s->size;
		g->lazy_map  = s->lazy_map;
		g->fault_fn  = s->fault;
		g->fault_arg = s->arg;

		g->rm = new (g->alloc) Rm_connection(g->env);
		if (!g->rm->cap().valid())
			return -WG_ENOMEM;
		g->win = g->rm->create(g->size);
		if (!g->win.valid())
			return -WG_ENOMEM;
		if (s->lazy_map) {
			g->lmap = g->rm->create(g->size);
			if (!g->lmap.valid())
				return -WG_ENOMEM;
			g->lds = Region_map_client(g->lmap).dataspace();
		}
		if (s->handler)
			Region_map_client(s->lazy_map ? g->lmap : g->win)
				.fault_handler(g->fault_handler);
		g->wds = Region_map_client(g->win).dataspace();

		Region_map::Attr const at { .size = 0, .offset = 0,
		                            .use_at = true, .at = g->base,
		                            .executable = true,
		                            .writeable = true };
		g->window = new (g->alloc)
			wg::Local_rm::Result(g->env.rm().attach(g->wds, at));

		int err = 0;
		g->window->with_error([&] (Region_map::Attach_error e) {
			err = e == Region_map::Attach_error::REGION_CONFLICT
			    ? -WG_EINVAL : -WG_ENOMEM; });
		return err;
	}

	void close(struct wg *g)
	{
		Allocator &alloc = g->alloc;

		/* the window leaves env before the session goes */
		destroy(alloc, g->window);
		destroy(alloc, g->rm);
		destroy(alloc, g);
	}

	struct wg_ds *ram_alloc(struct wg *g, uint64_t size)
	{
		struct wg_ds *ds = nullptr;

		g->env.ram().try_alloc((size_t)size).with_result(
			[&] (Ram::Allocation &a) {
				a.deallocate = false;
				ds = new (g->alloc)
					wg_ds { a.cap, a.num_bytes }; },
			[&] (Ram::Error) { });
		return ds;
	}

	void ram_free(struct wg *g, struct wg_ds *ds)
	{
		g->env.ram().free(ds->cap, ds->num_bytes);
		destroy(g->alloc, ds);
	}

	/* Can the PD pay an upgrade?  Genode would block on a resource
	 * request; mmap fails with ENOMEM instead. */
	bool affordable(struct wg *g, size_t ram, size_t caps)
	{
		return g->env.pd().avail_ram().value  >= ram &&
		       g->env.pd().avail_caps().value >= caps;
	}

	/* after a failed attach: 1 to retry (the session was upgraded), or
	 * the error */
	int upgrade(struct wg *g, Region_map::Attach_error e)
	{
		using E = Region_map::Attach_error;

		if (e == E::OUT_OF_RAM && affordable(g, UPGRADE_RAM, 0)) {
			g->rm->upgrade_ram(UPGRADE_RAM);
			return 1;
		}
		if (e == E::OUT_OF_CAPS && affordable(g, 0, UPGRADE_CAPS)) {
			g->rm->upgrade_caps(UPGRADE_CAPS);
			return 1;
		}
		if (e == E::OUT_OF_RAM || e == E::OUT_OF_CAPS)
			return -WG_ENOMEM;
		return -WG_EFAULT;
	}

	/* Region_map::attach into @map_cap, upgrading the session as
	 * Genode's clients do */
	int attach_in(struct wg *g, Capability<Region_map> map_cap,
	              Dataspace_capability cap, uint64_t at, uint64_t size,
	              uint64_t off, uint8_t rights, uint64_t *upgrades)
	{
		Region_map_client map(map_cap);
		Region_map::Attr const a = attr(at, size, off, rights);

		for (unsigned tries = 0; tries < MAX_TRIES; tries++) {
			int result = 0;

			map.attach(cap, a).with_error(
				[&] (Region_map::Attach_error e) {
					result = upgrade(g, e); });
			if (result <= 0)
				return result;
			(*upgrades)++;
		}
		return -WG_ENOMEM;
	}

	int attach(struct wg *g, enum wg_map m, struct wg_ds *ds, uint64_t at,
	           uint64_t size, uint64_t off, uint8_t rights,
	           uint64_t *upgrades)
	{
		Dataspace_capability cap = g->lds;
		if (ds)
			cap = ds->ds();
		return attach_in(g, g->map(m), cap, at, size, off, rights,
		                 upgrades);
	}

	struct wg_ds *slices_new(struct wg *g, struct wg_ds *below,
	                         uint64_t slice, uint64_t n,
	                         uint64_t *upgrades)
	{
		Capability<Region_map> map = g->rm->create((size_t)(slice * n));

		if (!map.valid())
			return nullptr;
		for (uint64_t i = 0; i < n; i++)
			if (attach_in(g, map, below->ds(), i * slice, slice, 0,
			              WG_R, upgrades)) {
				g->rm->destroy(map);
				return nullptr;
			}
		return new (g->alloc)
			wg_ds { Ram::Capability(), (size_t)(slice * n), map,
			        Region_map_client(map).dataspace() };
	}

	void slices_free(struct wg *g, struct wg_ds *ds)
	{
		g->rm->destroy(ds->map);
		destroy(g->alloc, ds);
	}

	void detach(struct wg *g, enum wg_map m, uint64_t at)
	{
		Region_map_client(g->map(m)).detach((addr_t)at);
	}

	void zero(struct wg *g, struct wg_ds *ds, uint64_t off, uint64_t len,
	          uint64_t at)
	{
		if (at != WG_NOWHERE) {
			Genode::bzero((void *)(g->base + (addr_t)at),
			              (size_t)len);
			return;
		}
		Region_map::Attr const a { .size = (size_t)len,
		                           .offset = (addr_t)off,
		                           .use_at = false, .at = 0,
		                           .executable = false,
		                           .writeable = true };

		/* no room to map it: the pages stay as they are */
		g->env.rm().attach(ds->cap, a).with_result(
			[&] (wg::Local_rm::Attachment &m) {
				Genode::bzero(m.ptr, (size_t)len); },
			[&] (Region_map::Attach_error) { });
	}

	enum wg_fault fault(struct wg *g, enum wg_map m, uint64_t *addr)
	{
		Region_map::Fault f = Region_map_client(g->map(m)).fault();

		*addr = f.addr;
		switch (f.type) {
		case Region_map::Fault::Type::READ:  return WG_FAULT_READ;
		case Region_map::Fault::Type::WRITE: return WG_FAULT_WRITE;
		case Region_map::Fault::Type::EXEC:  return WG_FAULT_EXEC;
		default:                             return WG_FAULT_NONE;
		}
	}
}


struct wg *Mmap_window::backend_new(Env &env, Allocator &alloc)
{
	return new (alloc) wg(env, alloc);
}


const struct wg_ops Mmap_window::backend_ops = {
	.open            = open,
	.close           = close,
	.ram_alloc       = ram_alloc,
	.ram_free        = ram_free,
	.attach          = attach,
	.detach          = detach,
	.slices_new      = slices_new,
	.slices_free     = slices_free,
	.zero            = zero,
	.fault           = fault,
	.attached        = nullptr,
	.count           = nullptr,
	.window_attached = nullptr,
};
