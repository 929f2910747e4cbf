/*
 * linux_decode.h - the trace's Linux arguments decoded into the structs
 * of port/src/lib/mmap_window/mmap_window.h: every named flag to its
 * field, every other bit to `other`, so that linux_prot(decode_prot(p))
 * == p for every p (and so on: tests/unit/test_port_api.cc).  The libc
 * glue does the same from FreeBSD's constants.
 */
#ifndef RMSIM_PORT_LINUX_DECODE_H
#define RMSIM_PORT_LINUX_DECODE_H

#include "mmap_window.h"

extern "C" {
#include "rmsim/abi.h"
}

namespace Mmap_window {

	inline Prot decode_prot(int p)
	{
		unsigned const named = LX_PROT_READ | LX_PROT_WRITE |
		                       LX_PROT_EXEC | LX_PROT_GROWSDOWN |
		                       LX_PROT_GROWSUP;
		return Prot { .read = (p & LX_PROT_READ) != 0,
		              .write = (p & LX_PROT_WRITE) != 0,
		              .exec = (p & LX_PROT_EXEC) != 0,
		              .grows_down = (p & LX_PROT_GROWSDOWN) != 0,
		              .grows_up = (p & LX_PROT_GROWSUP) != 0,
		              .other = (unsigned)p & ~named };
	}

	inline Map_flags decode_flags(int f)
	{
		unsigned const u = (unsigned)f, type = u & LX_MAP_TYPE;
		unsigned const named =
			LX_MAP_TYPE | LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE |
			LX_MAP_ANONYMOUS | LX_MAP_POPULATE | LX_MAP_NONBLOCK |
			LX_MAP_LOCKED | LX_MAP_NORESERVE | LX_MAP_HUGETLB;
		Map_flags m { };

		m.validate  = type == LX_MAP_SHARED_VALIDATE;
		m.shared    = type == LX_MAP_SHARED || m.validate;
		m.priv      = type == LX_MAP_PRIVATE;
		m.droppable = type == LX_MAP_DROPPABLE;
		if (!m.shared && !m.priv && !m.droppable)
			m.type_other = type;
		m.fixed     = u & LX_MAP_FIXED;
		m.noreplace = u & LX_MAP_FIXED_NOREPLACE;
		m.anonymous = u & LX_MAP_ANONYMOUS;
		m.populate  = u & LX_MAP_POPULATE;
		m.nonblock  = u & LX_MAP_NONBLOCK;
		m.locked    = u & LX_MAP_LOCKED;
		m.noreserve = u & LX_MAP_NORESERVE;
		m.hugetlb   = u & LX_MAP_HUGETLB;
		m.other     = u & ~named;
		return m;
	}

	inline Remap_flags decode_remap(int f)
	{
		unsigned const u = (unsigned)f;
		unsigned const named = LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED |
		                       LX_MREMAP_DONTUNMAP;
		Remap_flags r { };

		r.maymove   = (u & LX_MREMAP_MAYMOVE) != 0;
		r.fixed     = (u & LX_MREMAP_FIXED) != 0;
		r.dontunmap = (u & LX_MREMAP_DONTUNMAP) != 0;
		r.other     = u & ~named;
		return r;
	}
}

#endif
