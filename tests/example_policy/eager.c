/*
 * eager.c - an out-of-tree policy, built against the installed headers
 * only, to show (and test) what writing one takes.
 *
 * It is the simplest honest policy: every anonymous mapping gets fresh
 * zeroed RAM attached anywhere in the component's address space, with
 * the rights it asked for (PROT_NONE mappings get RAM too: there is no
 * reservation).  munmap of a whole mapping detaches and frees it; every
 * other call is not supported.  Build:
 *   cc $(pkg-config --cflags rmsim) -shared -fPIC -o libeager.so eager.c
 * Run:
 *   rmsim replay TRACE --policy ./libeager.so
 */
#include <rmsim/abi.h>
#include <rmsim/policy.h>

#include <errno.h>
#include <stdlib.h>

#define MAX 4096

struct eager {
	const struct pol_env *env;
	struct {
		uint64_t at, len;
		gn_ds_cap ds;
	} map[MAX];
	unsigned n;
};

static int eager_init(const struct pol_env *env, const char *params,
		      void **state)
{
	struct eager *e = calloc(1, sizeof(*e));

	if (!e)
		return -ENOMEM;
	e->env = env;
	*state = e;
	return 0;
}

static void eager_fini(void *st)
{
	struct eager *e = st;
	unsigned i;

	for (i = 0; i < e->n; i++) {
		gn_region_map_detach(gn_env_rm(e->env->gn), e->map[i].at);
		gn_pd_free_ram(gn_env_pd(e->env->gn), e->map[i].ds);
	}
	free(e);
}

static int eager_mmap(void *st, uint64_t addr, uint64_t len, int prot,
		      int flags, int fd, uint64_t off, uint64_t *out)
{
	struct eager *e = st;
	struct gn_attr attr = {0};
	struct gn_range range;
	gn_ds_cap ds;

	if (!(flags & LX_MAP_ANONYMOUS) || (flags & LX_MAP_FIXED))
		return -EINVAL;
	if (len == 0 || e->n == MAX)
		return len ? -ENOMEM : -EINVAL;
	if (gn_pd_alloc_ram(gn_env_pd(e->env->gn), len, &ds) != GN_ALLOC_OK)
		return -ENOMEM;
	attr.writeable = (prot & LX_PROT_WRITE) != 0;
	attr.executable = (prot & LX_PROT_EXEC) != 0;
	if (gn_region_map_attach(gn_env_rm(e->env->gn), ds, &attr, &range) !=
	    GN_ATTACH_OK) {
		gn_pd_free_ram(gn_env_pd(e->env->gn), ds);
		return -ENOMEM;
	}
	e->map[e->n].at = range.start;
	e->map[e->n].len = range.num_bytes;
	e->map[e->n].ds = ds;
	e->n++;
	*out = range.start;
	return 0;
}

static int eager_munmap(void *st, uint64_t addr, uint64_t len)
{
	struct eager *e = st;
	unsigned i;

	for (i = 0; i < e->n; i++)
		if (e->map[i].at == addr) {
			gn_region_map_detach(gn_env_rm(e->env->gn), addr);
			gn_pd_free_ram(gn_env_pd(e->env->gn), e->map[i].ds);
			e->map[i] = e->map[--e->n];
			return 0;
		}
	return -EINVAL;
}

const struct pol_policy rmsim_policy = {
	.abi = POL_ABI,
	.name = "eager",
	.summary = "out-of-tree example: fresh RAM per mapping, anywhere",
	.init = eager_init,
	.fini = eager_fini,
	.mmap = eager_mmap,
	.munmap = eager_munmap,
};
