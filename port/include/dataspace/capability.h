/*
 * dataspace/capability.h - Dataspace and Dataspace_capability (port
 * layer, see base/stdint.h).
 */
#ifndef RMSIM_PORT_DATASPACE_CAPABILITY_H
#define RMSIM_PORT_DATASPACE_CAPABILITY_H

#include <base/capability.h>
#include <util/interface.h>

namespace Genode {
	struct Dataspace : Interface { };
	using Dataspace_capability = Capability<Dataspace>;
}

#endif
