/*
 * util/interface.h - the common base of abstract interfaces: a virtual
 * destructor (port layer, see base/stdint.h).
 */
#ifndef RMSIM_PORT_UTIL_INTERFACE_H
#define RMSIM_PORT_UTIL_INTERFACE_H

namespace Genode {
	struct Interface
	{
		virtual ~Interface() { }
	};
}

#endif
