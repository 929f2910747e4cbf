/*
 * base/local.h - Local::Constrained_region_map, what Env::rm() is from
 * Genode 25.05 on (port layer, see base/stdint.h): attach returns an
 * Attachment (pointer and size) that detaches when it is destroyed
 * unless `deallocate` is false; detach(addr) remains for code that
 * keeps plain addresses.
 */
#ifndef RMSIM_PORT_BASE_LOCAL_H
#define RMSIM_PORT_BASE_LOCAL_H

#include <region_map/region_map.h>
#include <util/allocation.h>

namespace Genode::Local {

	struct Constrained_region_map : Interface, Noncopyable
	{
		struct Attr { void *ptr; size_t num_bytes; };

		using Error       = Region_map::Attach_error;
		using Attachment  = Allocation<Constrained_region_map>;
		using Result      = Attachment::Attempt;
		using Attach_attr = Region_map::Attr;

		virtual Result attach(Capability<Dataspace> ds,
		                      Attach_attr const &attr) = 0;

		virtual void _free(Attachment &) = 0;

		void detach(addr_t addr)
		{
			Attachment { *this, { (void *)addr, 0 } };
		}
	};
}

#endif
