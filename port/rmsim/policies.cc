/*
 * policies.cc - `window-genode` and `lazy-genode`: the Genode C++
 * policies (port/src/lib/mmap_window) registered in rmsim.
 *
 * ALGORITHM
 *
 * init reads the parameters and places the window exactly as `window`
 * and `lazy` do (wc_setup, sim/policy/win_setup.c), builds an
 * Rmsim::Env over the component's model and a Heap, and constructs
 * Mmap_window::Window or ::Lazy with the Genode backend plus the
 * checker's look at the model.  Each call decodes the trace's Linux
 * arguments into the classes' structs (linux_decode.h), enters the
 * model's Rmsim::Scope, calls, and turns the Attempt into 0/-errno.
 *
 * INVARIANTS
 *
 * An instance's policy lives exactly as long as the instance; its
 * backend's checker ops read only the model.
 */
#include <base/heap.h>
#include <rmsim_port/model.h>

#include "linux_decode.h"
#include "mmap_window.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
extern "C" {
#include "win_setup.h"
}
#pragma GCC diagnostic pop

using namespace Mmap_window;

namespace {

	/* the checker's questions, answered from the model */
	bool attached(const struct wg *g, enum wg_map m, uint64_t at,
	              uint64_t size, const struct wg_ds *ds, uint64_t off,
	              uint8_t rights)
	{
		Genode::Dataspace_capability cap = g->lds;

		if (ds)
			cap = ds->ds();
		return wc_gn_is_attached(Rmsim::rm_cap(g->map(m)), at, size,
		                         Rmsim::ds_cap(cap), off, rights);
	}

	uint64_t count(const struct wg *g, enum wg_map m)
	{
		return gn_region_map_count(Rmsim::rm_cap(g->map(m)));
	}

	bool window_attached(const struct wg *g)
	{
		struct gn_attachment a;

		return wc_gn_holds(gn_env_rm(g->env.rmsim_model()), g->base,
		                   g->size, Rmsim::ds_cap(g->wds), &a);
	}

	struct wg_ops checked_ops()
	{
		struct wg_ops o = backend_ops;

		o.attached        = attached;
		o.count           = count;
		o.window_attached = window_attached;
		return o;
	}

	struct wg_ops const ops = checked_ops();

	struct Instance
	{
		struct gn_ctx *gn;
		Rmsim::Env     env;
		Genode::Heap   heap { env.ram(), env.rm() };
		Policy        *policy = nullptr;

		Instance(struct gn_ctx *g) : gn(g), env(g) { }

		~Instance()
		{
			Rmsim::Scope scope(gn);
			if (policy)
				Genode::destroy(heap, policy);
		}
	};

	Instance &inst(void *st) { return *static_cast<Instance *>(st); }

	int init(const struct pol_env *penv, const char *params, bool lazy,
	         void **state)
	{
		struct wc_conf conf;
		int err = wc_setup(penv, params, lazy, &conf);

		if (err)
			return err;

		Config const c { .base    = conf.base,
		                 .size    = conf.size,
		                 .chunk   = conf.chunk,
		                 .pool    = conf.pool,
		                 .heap    = conf.heap,
		                 .memlock = conf.memlock_limit,
		                 .views   = conf.views };
		Instance *i = new Instance(penv->gn);
		Rmsim::Scope scope(penv->gn);

		/* base-linux reflects no faults: lazy commits eagerly there */
		Genode::Heap &heap = i->heap;

		if (conf.lazy)
			i->policy = new (heap) Lazy(i->env, heap, c, ops);
		else
			i->policy = new (heap) Window(i->env, heap, c, ops);
		err = 0;
		i->policy->started().with_error([&] (Error e) {
			err = -e.linux_errno; });
		if (err) {
			delete i;
			return err;
		}
		*state = i;
		return 0;
	}

	int window_init(const struct pol_env *env, const char *params,
	                void **state)
	{
		return init(env, params, false, state);
	}

	int lazy_init(const struct pol_env *env, const char *params,
	              void **state)
	{
		return init(env, params, true, state);
	}

	void fini(void *st)
	{
		delete &inst(st);
	}

	/* 0 or -errno, the address (if any) to *out */
	int rc(Result const &r)
	{
		int e = 0;
		r.with_error([&] (Error err) { e = -err.linux_errno; });
		return e;
	}

	int rc(Map_result const &r, uint64_t *out)
	{
		int e = 0;
		r.with_result([&] (addr_t a) { *out = a; },
		              [&] (Error err) { e = -err.linux_errno; });
		return e;
	}

	int op_mmap(void *st, uint64_t addr, uint64_t len, int prot, int flags,
	            int fd, uint64_t off, uint64_t *out)
	{
		Rmsim::Scope scope(inst(st).gn);
		Mmap_args a { .addr = (addr_t)addr, .len = (size_t)len,
		              .prot = decode_prot(prot),
		              .flags = decode_flags(flags), .fd = fd,
		              .offset = off };
		return rc(inst(st).policy->mmap(a), out);
	}

	int op_munmap(void *st, uint64_t addr, uint64_t len)
	{
		Rmsim::Scope scope(inst(st).gn);
		return rc(inst(st).policy->munmap((addr_t)addr, (size_t)len));
	}

	int op_mprotect(void *st, uint64_t addr, uint64_t len, int prot)
	{
		Rmsim::Scope scope(inst(st).gn);
		return rc(inst(st).policy->mprotect((addr_t)addr, (size_t)len,
		                                    decode_prot(prot)));
	}

	int op_madvise(void *st, uint64_t addr, uint64_t len, int advice)
	{
		Rmsim::Scope scope(inst(st).gn);
		return rc(inst(st).policy->madvise((addr_t)addr, (size_t)len,
		                                   (Advice)advice));
	}

	int op_mremap(void *st, uint64_t old_addr, uint64_t old_len,
	              uint64_t new_len, int flags, uint64_t new_addr,
	              uint64_t *out)
	{
		Rmsim::Scope scope(inst(st).gn);
		return rc(inst(st).policy->mremap((addr_t)old_addr,
		                                  (size_t)old_len,
		                                  (size_t)new_len,
		                                  decode_remap(flags),
		                                  (addr_t)new_addr), out);
	}

	int op_msync(void *st, uint64_t addr, uint64_t len, int flags)
	{
		Rmsim::Scope scope(inst(st).gn);
		return rc(inst(st).policy->msync((addr_t)addr, (size_t)len,
		                                 flags));
	}

	int op_brk(void *st, uint64_t addr, uint64_t *out)
	{
		Rmsim::Scope scope(inst(st).gn);
		return rc(inst(st).policy->brk((addr_t)addr), out);
	}

	int op_mlock(void *st, uint64_t addr, uint64_t len, int flags)
	{
		Rmsim::Scope scope(inst(st).gn);
		return rc(inst(st).policy->mlock((addr_t)addr, (size_t)len,
		                                 flags));
	}

	int op_munlock(void *st, uint64_t addr, uint64_t len)
	{
		Rmsim::Scope scope(inst(st).gn);
		return rc(inst(st).policy->munlock((addr_t)addr, (size_t)len));
	}

	int op_mlockall(void *st, int flags)
	{
		Rmsim::Scope scope(inst(st).gn);
		return rc(inst(st).policy->mlockall(flags));
	}

	int op_munlockall(void *st)
	{
		Rmsim::Scope scope(inst(st).gn);
		return rc(inst(st).policy->munlockall());
	}

	int op_mincore(void *st, uint64_t addr, uint64_t len)
	{
		Rmsim::Scope scope(inst(st).gn);
		return rc(inst(st).policy->mincore((addr_t)addr, (size_t)len));
	}

	struct pol_policy make(char const *name, char const *summary,
	                       char const *params,
	                       const struct pol_param *table,
	                       int (*init_fn)(const struct pol_env *,
	                                      const char *, void **))
	{
		struct pol_policy p = { };

		p.abi         = POL_ABI;
		p.name        = name;
		p.summary     = summary;
		p.params_help = params;
		/* the originals' parameters: wc_setup reads them alike */
		p.params      = table;
		p.init        = init_fn;
		p.fini        = fini;
		p.mmap        = op_mmap;
		p.munmap      = op_munmap;
		p.mprotect    = op_mprotect;
		p.madvise     = op_madvise;
		p.mremap      = op_mremap;
		p.msync       = op_msync;
		p.brk         = op_brk;
		p.mlock       = op_mlock;
		p.munlock     = op_munlock;
		p.mlockall    = op_mlockall;
		p.munlockall  = op_munlockall;
		p.mincore     = op_mincore;
		/* the backend registers its own Signal_handler */
		p.fault       = nullptr;
		return p;
	}
}

extern "C" {

const struct pol_policy pol_window_genode =
	make("window-genode", "window as Genode C++ over the port layer "
	     "(port/): the source Genode's libc builds",
	     "base=ADDR,size=SIZE,pool=SIZE,heap=SIZE,memlock=SIZE",
	     wc_params_window, window_init);

const struct pol_policy pol_lazy_genode =
	make("lazy-genode", "lazy as Genode C++ over the port layer "
	     "(port/): the source Genode's libc builds",
	     "base=ADDR,size=SIZE,chunk=SIZE,pool=SIZE,heap=SIZE,"
	     "memlock=SIZE",
	     wc_params_lazy, lazy_init);

/* the instance's C bookkeeping, for tests that run wc_check */
void *pol_genode_core(void *st)
{
	return inst(st).policy->core();
}

}
