/*
 * gd_stub.cc - what Genode's allocator_avl.cc, avl_tree.cc and slab.cc
 * need from the rest of Genode's base library, written for
 * scripts/genode-diff: a log that counts messages instead of printing
 * them (the allocator logs misuse, such as freeing inside a block, which
 * the driver does on purpose) and the error raise, which must not
 * happen.  Genode's headers come from the checkout; nothing here is
 * Genode's code.
 */
#include <base/log.h>

#include <stdio.h>
#include <stdlib.h>

using namespace Genode;

unsigned long gd_genode_messages;

void Output::out_string(char const *, size_t) { }


/*
 * The log is never constructed (its mutex's lock is out of line in
 * Genode): Log::output only passes its output on to the print functions
 * below, which ignore it.
 */
Log &Log::log()
{
	alignas(Log) static unsigned char storage[sizeof(Log)];
	return *reinterpret_cast<Log *>(storage);
}

void Log::_acquire(Type) { gd_genode_messages++; }
void Log::_release() { }

void Genode::print(Output &, char const *) { }
void Genode::print(Output &, unsigned long) { }
void Genode::print(Output &, void const *) { }
void Hex::print(Output &) const { }

#ifdef GD_API_ALLOCATION
void Genode::print(Output &, Alloc_error) { }

void Genode::raise(Unexpected_error)
{
	fprintf(stderr, "genode-diff: Genode's code raised an unexpected "
	        "error\n");
	exit(70);
}
#endif
