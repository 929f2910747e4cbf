/*
 * mmap_window.cc - the `window` and `lazy` classes: decoded arguments
 * encoded for the C bookkeeping (Linux's values, sim/policy/win_core.c),
 * its 0/-errno turned into Attempt results, one mutex around each call.
 *
 * ALGORITHM
 *
 * A named flag is its Linux bit; `other` is or-ed in unchanged, so the
 * encoding inverts any decoding that puts the unnamed bits there (the
 * adapter's tests check the round trip).  Start-up is wc_start with the
 * Genode backend (backend.cc).
 *
 * INVARIANTS
 *
 * _core is the bookkeeping exactly when _start_error is 0.
 */
#include "mmap_window.h"

/* the C bookkeeping; in C++ its wc_stats() shadows struct wc_stats */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
extern "C" {
#include "win_core.h"
}
#pragma GCC diagnostic pop

using namespace Mmap_window;

int Mmap_window::linux_prot(Prot const &p)
{
	return (p.read ? LX_PROT_READ : 0) | (p.write ? LX_PROT_WRITE : 0) |
	       (p.exec ? LX_PROT_EXEC : 0) |
	       (p.grows_down ? LX_PROT_GROWSDOWN : 0) |
	       (p.grows_up ? LX_PROT_GROWSUP : 0) | (int)p.other;
}

int Mmap_window::linux_flags(Map_flags const &f)
{
	int type = (int)f.type_other;

	if (f.shared)
		type = f.validate ? LX_MAP_SHARED_VALIDATE : LX_MAP_SHARED;
	else if (f.priv)
		type = LX_MAP_PRIVATE;
	else if (f.droppable)
		type = LX_MAP_DROPPABLE;
	return type | (f.fixed ? LX_MAP_FIXED : 0) |
	       (f.noreplace ? LX_MAP_FIXED_NOREPLACE : 0) |
	       (f.anonymous ? LX_MAP_ANONYMOUS : 0) |
	       (f.populate ? LX_MAP_POPULATE : 0) |
	       (f.nonblock ? LX_MAP_NONBLOCK : 0) |
	       (f.locked ? LX_MAP_LOCKED : 0) |
	       (f.noreserve ? LX_MAP_NORESERVE : 0) |
	       (f.hugetlb ? LX_MAP_HUGETLB : 0) | (int)f.other;
}

int Mmap_window::linux_remap(Remap_flags const &f)
{
	return (f.maymove ? LX_MREMAP_MAYMOVE : 0) |
	       (f.fixed ? LX_MREMAP_FIXED : 0) |
	       (f.dontunmap ? LX_MREMAP_DONTUNMAP : 0) | (int)f.other;
}

int Policy::_start(Genode::Env &env, Genode::Allocator &alloc,
                   Config const &c, bool lazy, struct wg_ops const &ops)
{
	struct wc_conf conf = { };

	conf.base          = c.base;
	conf.size          = c.size;
	conf.lazy          = lazy;
	conf.views         = c.views;
	conf.chunk         = c.chunk;
	conf.pool          = c.pool;
	conf.heap          = c.heap;
	conf.memlock_limit = c.memlock;
	return wc_start(&conf, &ops, backend_new(env, alloc), &_core);
}

Policy::~Policy()
{
	if (_core)
		wc_fini(_core);
}

Result Policy::started() const
{
	if (_start_error)
		return Error { -_start_error };
	return Genode::Ok();
}

bool Policy::owns(addr_t addr, size_t len) const
{
	uint64_t base, top;

	if (!_core)
		return false;
	wc_window(_core, &base, &top);
	return addr >= base && addr < top && len <= top - addr;
}

Map_result Policy::mmap(Mmap_args const &a)
{
	Genode::Mutex::Guard guard(_mutex);
	uint64_t out = 0;
	int rc = wc_mmap(_core, a.addr, a.len, linux_prot(a.prot),
	                 linux_flags(a.flags), a.fd, a.offset, &out);
	return _result<addr_t>(rc, (addr_t)out);
}

Result Policy::munmap(addr_t addr, size_t len)
{
	Genode::Mutex::Guard guard(_mutex);
	return _result(wc_munmap(_core, addr, len), Genode::Ok());
}

Result Policy::mprotect(addr_t addr, size_t len, Prot prot)
{
	Genode::Mutex::Guard guard(_mutex);
	return _result(wc_mprotect(_core, addr, len, linux_prot(prot)),
	               Genode::Ok());
}

Result Policy::madvise(addr_t addr, size_t len, Advice advice)
{
	Genode::Mutex::Guard guard(_mutex);
	return _result(wc_madvise(_core, addr, len, (int)advice), Genode::Ok());
}

Map_result Policy::mremap(addr_t old_addr, size_t old_len, size_t new_len,
                          Remap_flags flags, addr_t new_addr)
{
	Genode::Mutex::Guard guard(_mutex);
	uint64_t out = 0;
	int rc = wc_mremap(_core, old_addr, old_len, new_len,
	                   linux_remap(flags), new_addr, &out);
	return _result<addr_t>(rc, (addr_t)out);
}

Result Policy::msync(addr_t addr, size_t len, int linux_flags)
{
	Genode::Mutex::Guard guard(_mutex);
	return _result(wc_msync(_core, addr, len, linux_flags), Genode::Ok());
}

Map_result Policy::brk(addr_t addr)
{
	Genode::Mutex::Guard guard(_mutex);
	uint64_t out = 0;
	int rc = wc_brk(_core, addr, &out);
	return _result<addr_t>(rc, (addr_t)out);
}

Result Policy::mlock(addr_t addr, size_t len, int linux_flags)
{
	Genode::Mutex::Guard guard(_mutex);
	return _result(wc_mlock(_core, addr, len, linux_flags), Genode::Ok());
}

Result Policy::munlock(addr_t addr, size_t len)
{
	Genode::Mutex::Guard guard(_mutex);
	return _result(wc_munlock(_core, addr, len), Genode::Ok());
}

Result Policy::mlockall(int linux_flags)
{
	Genode::Mutex::Guard guard(_mutex);
	return _result(wc_mlockall(_core, linux_flags), Genode::Ok());
}

Result Policy::munlockall()
{
	Genode::Mutex::Guard guard(_mutex);
	return _result(wc_munlockall(_core), Genode::Ok());
}

Result Policy::mincore(addr_t addr, size_t len)
{
	Genode::Mutex::Guard guard(_mutex);
	return _result(wc_mincore(_core, addr, len), Genode::Ok());
}
