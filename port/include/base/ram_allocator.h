/*
 * base/ram_allocator.h - Ram_allocator, what Env::ram() returns (port
 * layer, see base/stdint.h): try_alloc (Pd_session::alloc_ram, one
 * gn_pd_alloc_ram) and free (Pd_session::free_ram, one gn_pd_free_ram).
 * The exception-throwing alloc() of older code is left out: the policies
 * use try_alloc.
 */
#ifndef RMSIM_PORT_BASE_RAM_ALLOCATOR_H
#define RMSIM_PORT_BASE_RAM_ALLOCATOR_H

#include <base/ram.h>

namespace Genode {

	using Ram_dataspace            = Ram::Dataspace;
	using Ram_dataspace_capability = Ram::Capability;

	struct Ram_allocator : Ram::Constrained_allocator
	{
		using Alloc_result = Ram::Constrained_allocator::Result;
		using Alloc_error  = Ram::Error;

		/* give a dataspace back that is held by capability only */
		void free(Ram::Capability cap, size_t size)
		{
			Allocation { *this, { cap, size } };
		}
	};
}

#endif
