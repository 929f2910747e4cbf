/*
 * gd_genode.cc - Genode's side of scripts/genode-diff: Genode's own
 * Allocator_avl_tpl (allocator_avl.h, allocator_avl.cc, avl_tree.cc,
 * slab.cc, compiled from the checkout the script is given) over a
 * backing store that charges a quota account the way an RM session's
 * sliced heap does in core.
 *
 * Genode's allocator interface differs between releases:
 * GD_API_ALLOCATION (26.02: results are Allocation objects that free
 * themselves unless told not to, alignment is an Align struct) and
 * GD_API_ATTEMPT (24.08: Attempt<void *, Alloc_error>, alignment an
 * unsigned).  The script picks one from the checkout's base/allocator.h.
 * The exception-based interface of 20.05 is not supported.
 */
#include <base/allocator_avl.h>

#include "gd.h"

#include <stdlib.h>

using namespace Genode;

namespace {

#ifdef GD_API_ALLOCATION
using Error = Genode::Alloc_error;
#else
using Error = Genode::Allocator::Alloc_error;
#endif

/* Sliced_heap::Block: list element, dataspace capability, size */
enum { SLICED_HEAP_HEADER = 4 * sizeof(addr_t) };

struct Quota_alloc : Allocator
{
	::uint64_t ram_limit, caps_limit, ram_used = 0, caps_used = 0;
	::uint64_t block_ram;

	Quota_alloc(::uint64_t ram, ::uint64_t caps, ::uint64_t block)
	: ram_limit(ram), caps_limit(caps), block_ram(block) { }

	/* what one block costs: the model's figure, checked once against
	 * the sliced heap's page-rounded block with its header */
	::uint64_t cost(size_t size) const
	{
		::uint64_t pages = (size + SLICED_HEAP_HEADER + 4095)
		                   & ~4095ULL;
		return pages > block_ram ? pages : block_ram;
	}

	bool charge(size_t size, Error &e)
	{
		/* Quota_guard: RAM first, then caps, both or neither */
		if (ram_used + cost(size) > ram_limit) {
			e = Error::OUT_OF_RAM;
			return false;
		}
		if (caps_used + 1 > caps_limit) {
			e = Error::OUT_OF_CAPS;
			return false;
		}
		ram_used += cost(size);
		caps_used += 1;
		return true;
	}

	/* host memory for a block the account paid for, or NULL and @e */
	void *block(size_t size, Error &e)
	{
		if (!charge(size, e))
			return nullptr;
		void *p = calloc(1, size);
		if (!p)
			abort();
		return p;
	}

	Alloc_result try_alloc(size_t size) override
	{
		Error e = Error::DENIED;
		void *p = block(size, e);
		if (!p)
			return e;
#ifdef GD_API_ALLOCATION
		return { *this, { p, size } };
#else
		return p;
#endif
	}

#ifdef GD_API_ALLOCATION
	void _free(Allocation &a) override { free(a.ptr, a.num_bytes); }
#endif

	void free(void *p, size_t size) override
	{
		::free(p);
		ram_used -= cost(size);
		caps_used -= 1;
	}

	bool need_size_for_free() const override { return true; }
	size_t overhead(size_t) const override { return 0; }
};

/* sizeof(Allocator_avl_base::Block), which is protected */
struct Probe : Allocator_avl_base
{
	static constexpr size_t block_size() { return sizeof(Block); }
};

/*
 * The metadata of a core region: padding that makes the allocator's
 * block as big as the model assumes Allocator_avl_tpl<Rm_region>::Block
 * is.  The driver checks the sizes agree (gd_genode_new).
 */
template <unsigned N> struct Pad { char bytes[N]; };

enum { ENTRY = 128 };
using Md = Pad<ENTRY - Probe::block_size()>;

struct Avl : Allocator_avl_tpl<Md>
{
	Avl(Allocator *md) : Allocator_avl_tpl<Md>(md) { }

	::uint64_t slab_blocks() const
	{
		return _metadata.consumed() / slab_block_size();
	}

	::uint64_t slab_free() const { return _metadata.avail_entries(); }

	static constexpr size_t entry_size() { return sizeof(Block); }
};

static enum gd_err err_of(Error e)
{
	switch (e) {
	case Error::OUT_OF_RAM:  return GD_OUT_OF_RAM;
	case Error::OUT_OF_CAPS: return GD_OUT_OF_CAPS;
	default:                       return GD_DENIED;
	}
}

/* an allocation's address, kept allocated (25.05 on: not freed when the
 * result object goes) */
static addr_t take(void *p) { return (addr_t)p; }

template <typename A> static addr_t take(A &a)
{
	a.deallocate = false;
	return (addr_t)a.ptr;
}

} /* anonymous namespace */

struct gd_side
{
	Quota_alloc quota;
	Avl avl;

	gd_side(::uint64_t ram, ::uint64_t caps, ::uint64_t block)
	: quota(ram, caps, block), avl(&quota) { }
};

extern "C" {

struct gd_side *gd_genode_new(::uint64_t base, ::uint64_t size,
                              ::uint64_t ram_limit, ::uint64_t caps_limit,
                              const struct gd_costs *costs)
{
	static_assert(Avl::entry_size() == ENTRY, "entry padding");
	if (costs->entry_size != ENTRY)
		abort();
	gd_side *s = new gd_side(ram_limit, caps_limit, costs->block_ram);
	(void)s->avl.add_range(base, size);
	return s;
}

void gd_genode_delete(struct gd_side *s) { delete s; }

enum gd_err gd_genode_alloc_aligned(struct gd_side *s, ::uint64_t size,
                                    unsigned align_log2, ::uint64_t *addr)
{
	enum gd_err r = GD_OK;
	*addr = 0;
#ifdef GD_API_ALLOCATION
	auto res = s->avl.alloc_aligned(size,
	                                Align { .log2 = (uint8_t)align_log2 });
#else
	auto res = s->avl.alloc_aligned(size, align_log2);
#endif
	res.with_result([&] (auto &a) { *addr = take(a); },
	                [&] (Error e) { r = err_of(e); });
	return r;
}

enum gd_err gd_genode_alloc_addr(struct gd_side *s, ::uint64_t size,
                                 ::uint64_t addr)
{
	enum gd_err r = GD_OK;
	s->avl.alloc_addr(size, addr).with_result(
		[&] (auto &a) { (void)take(a); },
		[&] (Error e) { r = err_of(e); });
	return r;
}

void gd_genode_free(struct gd_side *s, ::uint64_t addr)
{
	s->avl.free((void *)addr);
}

void gd_genode_limits(struct gd_side *s, ::uint64_t ram_limit,
                      ::uint64_t caps_limit)
{
	s->quota.ram_limit = ram_limit;
	s->quota.caps_limit = caps_limit;
}

void gd_genode_state(struct gd_side *s, struct gd_state *out)
{
	out->slab_blocks = s->avl.slab_blocks();
	out->slab_free = s->avl.slab_free();
	out->ram_used = s->quota.ram_used;
	out->caps_used = s->quota.caps_used;
}

::uint64_t gd_genode_avail(struct gd_side *s) { return s->avl.avail(); }

} /* extern "C" */
