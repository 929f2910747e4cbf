/*
 * backend.h - the Genode side of the window policies in Genode C++: the
 * backend (struct wg of sim/policy/win_gn.h) over Genode's API.
 *
 * The same source is built in rmsim against the port layer
 * (port/include), where every Genode call is one call on the model, and
 * in Genode's libc against Genode's own headers.  It needs nothing but
 * Genode's base API and the compiler's <stdint.h>/<stdbool.h>.
 */
#ifndef MMAP_WINDOW_BACKEND_H
#define MMAP_WINDOW_BACKEND_H

#include <base/allocator.h>
#include <base/env.h>
#include <base/signal.h>
#include <region_map/client.h>
#include <rm_session/connection.h>

#include "win_gn.h"

namespace Mmap_window {
	/* the backend's table, for wc_start (sim/policy/win_core.h) */
	extern const struct wg_ops backend_ops;

	/* a backend for @env; objects of its own come from @alloc */
	struct wg *backend_new(Genode::Env &env, Genode::Allocator &alloc);
}

/* a RAM dataspace, as Env::ram() handed it out, or (slices_new, map
 * valid) a region map of slices and its dataspace */
struct wg_ds
{
	Genode::Ram::Capability cap;
	Genode::size_t          num_bytes;
	Genode::Capability<Genode::Region_map> map { };
	Genode::Dataspace_capability map_ds { };

	/* what attach attaches */
	Genode::Dataspace_capability ds() const
	{
		if (map.valid())
			return map_ds;
		return cap;
	}
};

struct wg : Genode::Noncopyable
{
	using Local_rm = Genode::Env::Local_rm;

	Genode::Env       &env;
	Genode::Allocator &alloc;

	Genode::addr_t base = 0;
	Genode::size_t size = 0;
	bool           lazy_map = false;

	Genode::Rm_connection       *rm = nullptr;
	Genode::Capability<Genode::Region_map> win { }, lmap { };
	Genode::Dataspace_capability wds { }, lds { };
	Local_rm::Result            *window = nullptr;	/* in env */

	void (*fault_fn)(void *, enum wg_map) = nullptr;
	void  *fault_arg = nullptr;

	void _handle_fault()
	{
		fault_fn(fault_arg, lazy_map ? WG_LAZY : WG_WINDOW);
	}

	Genode::Signal_handler<wg> fault_handler {
		env.ep(), *this, &wg::_handle_fault };

	wg(Genode::Env &e, Genode::Allocator &a) : env(e), alloc(a) { }

	/* noncopyable */
	wg(wg const &) = delete;
	wg &operator = (wg const &) = delete;

	Genode::Capability<Genode::Region_map> map(enum wg_map m) const
	{
		return m == WG_LAZY ? lmap : win;
	}
};

#endif
