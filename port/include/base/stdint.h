/*
 * base/stdint.h - Genode's integer types, for the rmsim port layer.
 *
 * The port layer (port/include) declares Genode's API, as of Genode
 * 26.02, over rmsim's model of core (include/rmsim/genode.h): same
 * include paths, names and signatures, each Genode call one gn_ call.
 * It is written from the API's documented signatures; no Genode source
 * is copied (Genode is AGPLv3, rmsim MIT).  Only what the ported
 * policies and the tests use is here.
 */
#ifndef RMSIM_PORT_BASE_STDINT_H
#define RMSIM_PORT_BASE_STDINT_H

#include <stddef.h>
#include <stdint.h>

namespace Genode {
	using addr_t   = unsigned long;
	using size_t   = unsigned long;
	using off_t    = long;
	using uint8_t  = ::uint8_t;
	using uint16_t = ::uint16_t;
	using uint32_t = ::uint32_t;
	using uint64_t = ::uint64_t;
	using int64_t  = ::int64_t;
}

#endif
