/*
 * pd_session/pd_session.h - what the policies ask of their PD session
 * (port layer, see base/stdint.h): the quota still available.  RAM is
 * allocated through Env::ram() (base/ram_allocator.h).
 */
#ifndef RMSIM_PORT_PD_SESSION_PD_SESSION_H
#define RMSIM_PORT_PD_SESSION_PD_SESSION_H

#include <base/quota_guard.h>
#include <util/interface.h>

namespace Genode {
	struct Pd_session : Interface
	{
		virtual Ram_quota avail_ram() const = 0;
		virtual Cap_quota avail_caps() const = 0;
	};
}

#endif
