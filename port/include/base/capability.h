/*
 * base/capability.h - Capability<T>: a typed name of an object of core
 * (port layer, see base/stdint.h).
 *
 * Here a capability holds the model's name of the object (context and
 * id, as gn_ds_cap and gn_rm_cap do) or, for a signal context, the
 * dispatcher to call.  A capability converts to one of a base type
 * (Ram::Capability to Dataspace_capability), as in Genode.
 */
#ifndef RMSIM_PORT_BASE_CAPABILITY_H
#define RMSIM_PORT_BASE_CAPABILITY_H

#include <base/stdint.h>

struct gn_ctx;

namespace Genode {

	/* what a capability names in the model (port only) */
	struct Native_capability
	{
		struct gn_ctx *ctx = nullptr;
		uint64_t       id  = 0;
		void          *obj = nullptr;	/* signal contexts */

		bool valid() const { return ctx || obj; }
	};

	template <typename T>
	class Capability : public Native_capability
	{
		public:

			using Rpc_interface = T;

			Capability() { }

			explicit Capability(Native_capability const &n)
			: Native_capability(n) { }

			/* from a capability of a derived interface */
			template <typename S>
			Capability(Capability<S> const &o)
			: Native_capability(o) { }

			bool operator == (Capability const &o) const
			{
				return ctx == o.ctx && id == o.id &&
				       obj == o.obj;
			}
	};
}

#endif
