/*
 * base/heap.h - Heap, an Allocator for a component's own objects (port
 * layer, see base/stdint.h).
 *
 * Genode's Heap takes RAM dataspaces from the component's PD and
 * attaches them; this one takes the host's memory and charges the model
 * nothing, exactly like the C policies' own bookkeeping (malloc), so
 * that a policy's metrics are the same whichever language calls Genode.
 * What a real heap costs a component is outside both.
 */
#ifndef RMSIM_PORT_BASE_HEAP_H
#define RMSIM_PORT_BASE_HEAP_H

#include <base/allocator.h>
#include <base/env.h>

namespace Genode {

	class Heap : public Allocator, Noncopyable
	{
		public:

			Heap(Ram_allocator &, Env::Local_rm &) { }

			void *_alloc(size_t size) override;
			void free(void *addr, size_t size) override;
	};
}

#endif
