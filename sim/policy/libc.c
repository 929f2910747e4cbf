/*
 * libc.c - the "libc" policy: Genode's libc as of 26.02, the baseline
 * every new policy is measured against.
 *
 * Models genodelabs/genode repos/libports/src/lib/libc/:
 * file_operations.cc (mmap, munmap, msync), internal/mmap_registry.h,
 * vfs_plugin.cc (Vfs_plugin::mmap, Vfs_plugin::munmap), dummies.cc
 * (madvise, mprotect) and libc_mem_alloc.cc (Libc::Mem_alloc_impl), as
 * they stand since 20.08 (#3854, #3855) and 20.11 (align_log2, #3907);
 * nothing in them changed up to 26.02.  The shared code is in
 * libc_core.c and mem_alloc.c.
 *
 * What the program sees, deviations included:
 * - anonymous mmap: MAP_FIXED fails with EINVAL, a hint is ignored, and
 *   so is prot except PROT_EXEC: PROT_NONE memory is committed rw (rwx
 *   with PROT_EXEC) from one of two pools, zero-filled, and registered
 *   by its start address;
 * - munmap: only a registered start, else EINVAL; the length is ignored
 *   and the whole allocation goes back into its pool, never to core;
 * - mprotect: ENOSYS; madvise: 0 for MADV_DONTNEED, else ENOSYS;
 *   msync: 0 on an anonymous start, EINVAL elsewhere;
 * - mremap, mincore, mlock*, brk: not in the libc's ABI (ENOSYS);
 * - file mappings: prot exactly PROT_READ or PROT_READ|PROT_WRITE,
 *   else EACCES; MAP_FIXED EINVAL; MAP_PRIVATE a copy in pool memory,
 *   MAP_SHARED the file's dataspace attached anywhere.
 *
 * Parameter: align_log2 (<libc><mmap align_log2=".."/>), default 12.
 */
#include "libc_core.h"

#include "rmsim/abi.h"
#include "rmsim/policy.h"

#include <stdlib.h>

static int libc_init(const struct pol_env *env, const char *params,
		     void **state)
{
	static const char *const keys[] = {"align_log2", NULL};
	struct pol_lc *lc;
	unsigned align;
	char bad[64];

	if (pol_param_check(params, keys, bad, sizeof(bad)) ||
	    pol_lc_param_align(params, &align))
		return -LX_EINVAL;
	lc = calloc(1, sizeof(*lc));
	if (!lc)
		return -LX_ENOMEM;
	/* the pools start empty: libc takes no RAM before the first mmap */
	pol_lc_init(lc, env->gn, POL_LC_26_02, align);
	*state = lc;
	return 0;
}

static void libc_fini(void *st)
{
	pol_lc_fini(st);
	free(st);
}

static int libc_mmap(void *st, uint64_t addr, uint64_t len, int prot,
		     int flags, int fd, uint64_t off, uint64_t *out)
{
	return pol_lc_mmap(st, addr, len, prot, flags, fd, off, out);
}

static int libc_munmap(void *st, uint64_t addr, uint64_t len)
{
	return pol_lc_munmap(st, addr, len);
}

static int libc_mprotect(void *st, uint64_t addr, uint64_t len, int prot)
{
	return pol_lc_mprotect(addr, len, prot);
}

static int libc_madvise(void *st, uint64_t addr, uint64_t len, int advice)
{
	return pol_lc_madvise(addr, len, advice);
}

static int libc_msync(void *st, uint64_t addr, uint64_t len, int flags)
{
	return pol_lc_msync(st, addr, len, flags);
}

/* mremap, mincore, mlock*, brk: NULL, which answers ENOSYS */
static const struct pol_param libc_params[] = {
	POL_LC_PARAM_ALIGN,
	{NULL, 0, 0, 0, 0, 0, 0, NULL},
};

const struct pol_policy pol_libc = {
	.abi = POL_ABI,
	.name = "libc",
	.summary = "Genode's libc as of 26.02: anonymous memory committed from "
		   "two pools, no MAP_FIXED, no PROT_NONE, no mprotect",
	.params_help = "align_log2=N",
	.init = libc_init,
	.fini = libc_fini,
	.mmap = libc_mmap,
	.munmap = libc_munmap,
	.mprotect = libc_mprotect,
	.madvise = libc_madvise,
	.msync = libc_msync,
	.params = libc_params,
};
