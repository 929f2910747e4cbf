/*
 * base/quota_guard.h - the quota value types (port layer, see
 * base/stdint.h).
 */
#ifndef RMSIM_PORT_BASE_QUOTA_GUARD_H
#define RMSIM_PORT_BASE_QUOTA_GUARD_H

#include <base/stdint.h>

namespace Genode {
	struct Ram_quota { size_t value; };
	struct Cap_quota { size_t value; };
}

#endif
