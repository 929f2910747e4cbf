/*
 * util/string.h - bzero (port layer, see base/stdint.h).
 *
 * The addresses a policy stores to are the component's addresses in the
 * model, not the host's: bzero walks the component's address space
 * from the model of the call in progress (rmsim_port/model.h,
 * Rmsim::Scope) and clears the dataspace bytes behind each attachment,
 * one gn_ds_zero per attachment.  Storing where nothing writeable is
 * mapped is the fault it would be on Genode: the port aborts with the
 * address, a bug of the policy.
 */
#ifndef RMSIM_PORT_UTIL_STRING_H
#define RMSIM_PORT_UTIL_STRING_H

#include <base/stdint.h>

namespace Genode {
	void bzero(void *dst, size_t size);
}

#endif
