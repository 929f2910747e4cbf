/*
 * api.cc - the bodies of the port layer (port/include): each Genode call
 * is one gn_ call on the model (include/rmsim/genode.h), so that quota,
 * RPC counts, faults and the mapping log come out exactly as for a C
 * policy making the same gn_ calls.
 *
 * ALGORITHM
 *
 * Capabilities carry the model's names (context and id).  Attach_error
 * and Alloc_error map one to one onto gn_attach_error and
 * gn_alloc_error.  A fault handler is the model's GN_HANDLER_FN whose
 * argument is the Signal_dispatcher_base behind the capability; the
 * delivery enters an Rmsim::Scope for the model it comes from.
 * bzero resolves component addresses by gn_walk of env and clears one
 * attachment's bytes per gn_ds_zero, so its cost grows with the
 * attachments it crosses, not with the bytes.
 *
 * INVARIANTS
 *
 * No call here keeps state of its own but the scope's model pointer,
 * which is per thread and restored when a scope ends.
 */
#include <base/heap.h>
#include <base/log.h>
#include <rm_session/connection.h>
#include <rmsim_port/model.h>
#include <util/string.h>

#include <cstdio>
#include <cstdlib>

using namespace Genode;

namespace {

	thread_local struct gn_ctx *scope_ctx = nullptr;

	[[noreturn]] void die(char const *what, unsigned long long addr)
	{
		std::fprintf(stderr, "rmsim: port layer: %s %#llx\n", what,
		             addr);
		std::abort();
	}

	Region_map::Attach_error attach_error(enum gn_attach_error e)
	{
		using E = Region_map::Attach_error;

		switch (e) {
		case GN_ATTACH_OUT_OF_RAM:      return E::OUT_OF_RAM;
		case GN_ATTACH_OUT_OF_CAPS:     return E::OUT_OF_CAPS;
		case GN_ATTACH_REGION_CONFLICT: return E::REGION_CONFLICT;
		default:                        return E::INVALID_DATASPACE;
		}
	}

	struct gn_attr gn_attr_of(Region_map::Attr const &a)
	{
		struct gn_attr g = { };
		g.size       = a.size;
		g.offset     = a.offset;
		g.use_at     = a.use_at;
		g.at         = a.at;
		g.executable = a.executable;
		g.writeable  = a.writeable;
		return g;
	}

	/* the Signal_handler behind a capability, called by the model */
	void deliver(void *arg, gn_rm_cap rm)
	{
		Rmsim::Scope scope(rm.ctx);
		static_cast<Signal_dispatcher_base *>(arg)->dispatch(1);
	}
}


/* ---- scope ---- */

Rmsim::Scope::Scope(struct gn_ctx *ctx) : _prev(scope_ctx)
{
	scope_ctx = ctx;
}

Rmsim::Scope::~Scope()
{
	scope_ctx = _prev;
}

struct gn_ctx *Rmsim::Scope::current()
{
	return scope_ctx;
}


/* ---- Region_map_client ---- */

Region_map::Attach_result
Region_map_client::attach(Dataspace_capability ds, Attr const &attr)
{
	struct gn_attr a = gn_attr_of(attr);
	struct gn_range r = { 0, 0 };
	enum gn_attach_error e =
		gn_region_map_attach(Rmsim::rm_cap(_cap), Rmsim::ds_cap(ds),
		                     &a, &r);
	if (e != GN_ATTACH_OK)
		return attach_error(e);
	return Range { r.start, r.num_bytes };
}

void Region_map_client::detach(addr_t at)
{
	gn_region_map_detach(Rmsim::rm_cap(_cap), at);
}

void Region_map_client::fault_handler(Signal_context_capability h)
{
	struct gn_fault_handler g = { };

	g.kind = h.obj ? GN_HANDLER_FN : GN_HANDLER_INVALID;
	g.fn   = deliver;
	g.arg  = h.obj;
	gn_region_map_fault_handler(Rmsim::rm_cap(_cap), &g);
}

Region_map::Fault Region_map_client::fault()
{
	struct gn_fault f = gn_region_map_fault(Rmsim::rm_cap(_cap));
	Fault::Type t = Fault::Type::NONE;

	switch (f.type) {
	case GN_FAULT_READ:  t = Fault::Type::READ;  break;
	case GN_FAULT_WRITE: t = Fault::Type::WRITE; break;
	case GN_FAULT_EXEC:  t = Fault::Type::EXEC;  break;
	default: break;
	}
	return Fault { t, (addr_t)f.addr };
}

Dataspace_capability Region_map_client::dataspace()
{
	gn_ds_cap ds = gn_region_map_dataspace(Rmsim::rm_cap(_cap));

	if (!gn_ds_valid(ds))
		return Dataspace_capability();
	return Rmsim::cap<Dataspace>(ds.ctx, ds.id);
}


/* ---- Rm_connection ---- */

Rm_connection::Rm_connection(Env &env)
{
	enum gn_session_error e;

	_rm = gn_rm_session_open(gn_env_pd(env.rmsim_model()), &e);
}

Rm_connection::~Rm_connection()
{
	if (_rm)
		gn_rm_session_close(_rm);
}

Capability<Rm_session> Rm_connection::cap() const
{
	Native_capability n;

	/* a session is named by its connection object here */
	n.obj = _rm;
	return Capability<Rm_session>(n);
}

Capability<Region_map> Rm_connection::create(size_t size)
{
	gn_rm_cap map;

	if (!_rm || gn_rm_create(_rm, size, &map) != GN_ALLOC_OK)
		return Capability<Region_map>();
	return Rmsim::cap<Region_map>(map.ctx, map.id);
}

void Rm_connection::destroy(Capability<Region_map> cap)
{
	if (_rm)
		gn_rm_destroy(_rm, Rmsim::rm_cap(cap));
}

void Rm_connection::upgrade_ram(size_t bytes)
{
	if (_rm)
		(void)gn_rm_upgrade(_rm, bytes, 0);
}

void Rm_connection::upgrade_caps(size_t caps)
{
	if (_rm)
		(void)gn_rm_upgrade(_rm, 0, caps);
}


/* ---- Env over the model ---- */

Env::Local_rm::Result
Rmsim::Env::Local_rm_model::attach(Capability<Dataspace> ds,
                                   Attach_attr const &attr)
{
	struct gn_attr a = gn_attr_of(attr);
	struct gn_range r = { 0, 0 };
	enum gn_attach_error e =
		gn_region_map_attach(gn_env_rm(ctx), Rmsim::ds_cap(ds), &a,
		                     &r);
	if (e != GN_ATTACH_OK)
		return attach_error(e);
	return Result(*this, Attr { (void *)r.start, r.num_bytes });
}

void Rmsim::Env::Local_rm_model::_free(Attachment &a)
{
	gn_region_map_detach(gn_env_rm(ctx), (uint64_t)a.ptr);
}

Ram_allocator::Result
Rmsim::Env::Ram_model::try_alloc(size_t size, Cache)
{
	gn_ds_cap ds;

	switch (gn_pd_alloc_ram(gn_env_pd(ctx), size, &ds)) {
	case GN_ALLOC_OK:
		break;
	case GN_ALLOC_OUT_OF_RAM:  return Ram::Error::OUT_OF_RAM;
	case GN_ALLOC_OUT_OF_CAPS: return Ram::Error::OUT_OF_CAPS;
	default:                   return Ram::Error::DENIED;
	}
	/* 20.05 answered size 0 with an invalid capability */
	if (!gn_ds_valid(ds))
		return Ram::Error::DENIED;
	return Result(*this, Attr { Rmsim::cap<Ram::Dataspace>(ds.ctx, ds.id),
	                            (size_t)gn_ds_size(ds) });
}

void Rmsim::Env::Ram_model::_free(Allocation &a)
{
	gn_pd_free_ram(gn_env_pd(ctx), Rmsim::ds_cap(a.cap));
}

Ram_quota Rmsim::Env::Pd_model::avail_ram() const
{
	return Ram_quota { (size_t)gn_pd_avail_ram(gn_env_pd(ctx)) };
}

Cap_quota Rmsim::Env::Pd_model::avail_caps() const
{
	return Cap_quota { (size_t)gn_pd_avail_caps(gn_env_pd(ctx)) };
}


/* ---- bzero through the component's address space ---- */

void Genode::bzero(void *dst, size_t size)
{
	struct gn_ctx *ctx = scope_ctx;
	uint64_t a = (uint64_t)dst, end = a + size;

	if (!ctx)
		die("bzero outside a call into a policy at", a);
	while (a < end) {
		struct gn_walk w;
		uint64_t n;

		gn_walk(gn_env_rm(ctx), a, GN_WRITE, &w);
		if (w.result != GN_WALK_RESOLVED)
			die("store where nothing writeable is mapped:", a);
		/* to the first end of an attachment on the path, or of
		 * the range */
		n = end - a;
		for (unsigned i = 0; i < w.nsteps; i++) {
			struct gn_walk_step const &s = w.step[i];
			uint64_t left = s.att.size - (s.addr - s.att.base);

			if (s.found && left < n)
				n = left;
		}
		gn_ds_zero(w.ds, w.ds_offset, n);
		a += n;
	}
}


/* ---- heap, log ---- */

void *Heap::_alloc(size_t size)
{
	void *p = std::malloc(size ? size : 1);

	if (!p)
		die("host memory exhausted allocating", size);
	return p;
}

void Heap::free(void *addr, size_t)
{
	std::free(addr);
}

void *operator new(Genode::size_t size, Genode::Allocator &alloc)
{
	return alloc.alloc(size);
}

void operator delete(void *ptr, Genode::Allocator &alloc)
{
	alloc.free(ptr, 0);
}

void Genode::Log::begin(char const *prefix)
{
	std::fputs(prefix, stderr);
}

void Genode::Log::put(char const *s)
{
	std::fputs(s ? s : "(null)", stderr);
}

void Genode::Log::put(long long v)
{
	std::fprintf(stderr, "%lld", v);
}

void Genode::Log::put(unsigned long long v)
{
	std::fprintf(stderr, "%llu", v);
}

void Genode::Log::put(Hex h)
{
	std::fprintf(stderr, "%#llx", h.value);
}

void Genode::Log::end()
{
	std::fputc('\n', stderr);
}
