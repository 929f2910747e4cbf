/*
 * base/signal.h - signal contexts and handlers (port layer, see
 * base/stdint.h).
 *
 * Signal_handler<T> calls a member function of T when its signal
 * arrives; its capability is what Region_map::fault_handler takes.  In
 * the model a signal is delivered at once, while the faulting thread
 * waits (include/rmsim/genode.h, GN_HANDLER_FN).
 */
#ifndef RMSIM_PORT_BASE_SIGNAL_H
#define RMSIM_PORT_BASE_SIGNAL_H

#include <base/capability.h>
#include <util/interface.h>
#include <util/noncopyable.h>

namespace Genode {

	class Entrypoint;

	struct Signal_context : Interface { };
	using Signal_context_capability = Capability<Signal_context>;

	struct Signal_dispatcher_base : Signal_context
	{
		virtual void dispatch(unsigned num) = 0;
	};

	template <typename T, typename EP = Entrypoint>
	class Signal_handler : public Signal_dispatcher_base, Noncopyable
	{
		private:

			T    &_obj;
			void (T::*_member)();

		public:

			Signal_handler(EP &, T &obj, void (T::*member)())
			: _obj(obj), _member(member) { }

			void dispatch(unsigned) override { (_obj.*_member)(); }

			Signal_context_capability cap()
			{
				Native_capability n;
				Signal_dispatcher_base *d = this;

				n.obj = d;
				return Signal_context_capability(n);
			}

			operator Signal_context_capability() { return cap(); }
	};
}

#endif
