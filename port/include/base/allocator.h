/*
 * base/allocator.h - the Allocator interface, as far as the policies
 * use it: objects are made with `new (alloc) T(...)` and given back with
 * `destroy(alloc, obj)` (port layer, see base/stdint.h).
 */
#ifndef RMSIM_PORT_BASE_ALLOCATOR_H
#define RMSIM_PORT_BASE_ALLOCATOR_H

#include <new>

#include <base/stdint.h>
#include <util/interface.h>

namespace Genode {

	struct Deallocator : Interface
	{
		virtual void free(void *addr, size_t size) = 0;
	};

	struct Allocator : Deallocator
	{
		/* memory of @size bytes; aborts when exhausted (Genode
		 * raises Out_of_ram) */
		void *alloc(size_t size) { return _alloc(size); }

		/* port only: what alloc does */
		virtual void *_alloc(size_t size) = 0;
	};

	template <typename T>
	void destroy(auto &&dealloc, T *obj)
	{
		if (!obj)
			return;
		obj->~T();
		dealloc.free(obj, sizeof(T));
	}
}

void *operator new(Genode::size_t size, Genode::Allocator &alloc);
void operator delete(void *ptr, Genode::Allocator &alloc);

#endif
