/*
 * base/entrypoint.h - Entrypoint, the thread that dispatches RPCs and
 * signals (port layer, see base/stdint.h).  The model delivers signals
 * synchronously, so an entrypoint is only a name here.
 */
#ifndef RMSIM_PORT_BASE_ENTRYPOINT_H
#define RMSIM_PORT_BASE_ENTRYPOINT_H

#include <util/noncopyable.h>

namespace Genode {
	class Entrypoint : Noncopyable
	{
		public:

			Entrypoint() { }
	};
}

#endif
