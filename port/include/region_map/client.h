/*
 * region_map/client.h - Region_map_client: the Region_map RPCs on a
 * capability (port layer, see base/stdint.h).  Each call is one gn_
 * call on the model (port/src/port.cc).
 */
#ifndef RMSIM_PORT_REGION_MAP_CLIENT_H
#define RMSIM_PORT_REGION_MAP_CLIENT_H

#include <region_map/region_map.h>

namespace Genode {

	class Region_map_client : public Region_map
	{
		private:

			Capability<Region_map> _cap;

		public:

			explicit Region_map_client(Capability<Region_map> cap)
			: _cap(cap) { }

			Capability<Region_map> rpc_cap() const { return _cap; }

			Attach_result attach(Dataspace_capability ds,
			                     Attr const &attr) override;
			void detach(addr_t at) override;
			void fault_handler(Signal_context_capability)
				override;
			Fault fault() override;
			Dataspace_capability dataspace() override;
	};
}

#endif
