/*
 * base/ram.h - RAM allocation as of Genode 25.05 on (port layer, see
 * base/stdint.h): Ram::Constrained_allocator::try_alloc returns an
 * Allocation (capability and size) that frees the dataspace when it is
 * destroyed unless `deallocate` is false, or a Ram::Error.
 */
#ifndef RMSIM_PORT_BASE_RAM_H
#define RMSIM_PORT_BASE_RAM_H

#include <dataspace/capability.h>
#include <util/allocation.h>

namespace Genode {

	enum class Alloc_error { OUT_OF_RAM, OUT_OF_CAPS, DENIED };

	enum Cache { CACHED, WRITE_COMBINED, UNCACHED };

	namespace Ram {

		struct Dataspace : Genode::Dataspace { };

		using Capability = Genode::Capability<Dataspace>;
		using Error      = Alloc_error;

		struct Constrained_allocator : Interface, Noncopyable
		{
			struct Attr
			{
				Capability cap;
				size_t     num_bytes;
			};

			using Error      = Ram::Error;
			using Allocation =
				Genode::Allocation<Constrained_allocator>;
			using Result     = Allocation::Attempt;

			virtual Result try_alloc(size_t size,
			                         Cache cache = CACHED) = 0;

			virtual void _free(Allocation &) = 0;
		};

		using Allocator  = Constrained_allocator;
		using Allocation = Allocator::Allocation;
	}
}

#endif
