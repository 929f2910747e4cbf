/*
 * region_map/region_map.h - the Region_map interface of Genode 24.08 on
 * (port layer, see base/stdint.h): attach with an Attr aggregate (no
 * defaults: `{ }` is the whole dataspace, anywhere, neither writeable
 * nor executable) returning Attach_result, detach, fault_handler,
 * fault, dataspace.
 */
#ifndef RMSIM_PORT_REGION_MAP_REGION_MAP_H
#define RMSIM_PORT_REGION_MAP_REGION_MAP_H

#include <base/signal.h>
#include <dataspace/capability.h>
#include <util/attempt.h>

namespace Genode {

	struct Region_map : Interface
	{
		struct Fault
		{
			enum class Type { NONE, READ, WRITE, EXEC };

			Type   type;
			addr_t addr;
		};

		struct Range { addr_t start; size_t num_bytes; };

		struct Attr
		{
			size_t size;
			addr_t offset;
			bool   use_at;
			addr_t at;
			bool   executable;
			bool   writeable;
		};

		enum class Attach_error { OUT_OF_RAM, OUT_OF_CAPS,
		                          REGION_CONFLICT, INVALID_DATASPACE };

		using Attach_result = Attempt<Range, Attach_error>;

		virtual Attach_result attach(Dataspace_capability ds,
		                             Attr const &attr) = 0;
		virtual void detach(addr_t at) = 0;
		virtual void fault_handler(Signal_context_capability) = 0;
		virtual Fault fault() = 0;
		virtual Dataspace_capability dataspace() = 0;
	};
}

#endif
