/*
 * libc_2005.c - the "libc-20.05" policy: Genode's libc as it was in the
 * 2020 mailing-list thread on Go (release 20.05), before #3854 and
 * #3855 changed it in 20.08.
 *
 * Models genodelabs/genode at tag 20.05, repos/libports/src/lib/libc/:
 * file_operations.cc (mmap, munmap, msync), internal/mmap_registry.h,
 * vfs_plugin.cc (Vfs_plugin::mmap, Vfs_plugin::munmap), dummies.cc and
 * libc_mem_alloc.cc.  The code shared with the 26.02 libc is in
 * libc_core.c and mem_alloc.c; what differs:
 * - the anonymous path is taken only for addr == NULL and fd == -1,
 *   whatever the flags; anything else goes the file way, so a hint or
 *   MAP_FIXED with fd -1 fails with EBADF;
 * - no zero-fill: a block the pool hands out again still holds what the
 *   program wrote into it before (the checks report it as content);
 * - no align_log2: always page alignment, no parameters;
 * - file mappings are always private copies: prot must be PROT_READ, or
 *   PROT_READ|PROT_WRITE with flags exactly MAP_PRIVATE (EACCES), and
 *   any address is EINVAL; munmap of a file mapping frees the copy;
 * - a failed file mmap still registers MAP_FAILED as a start address.
 * Everything else (two pools, PROT_NONE committed, munmap of registered
 * starts only, the dummies) is as in libc.c.
 */
#include "libc_core.h"

#include "rmsim/abi.h"
#include "rmsim/policy.h"

#include <stdlib.h>

static int libc2005_init(const struct pol_env *env, const char *params,
			 void **state)
{
	static const char *const keys[] = {NULL};
	struct pol_lc *lc;
	char bad[64];

	/* 20.05 had no <mmap align_log2>: nothing to configure */
	if (pol_param_check(params, keys, bad, sizeof(bad)))
		return -LX_EINVAL;
	lc = calloc(1, sizeof(*lc));
	if (!lc)
		return -LX_ENOMEM;
	pol_lc_init(lc, env->gn, POL_LC_20_05, 12);
	*state = lc;
	return 0;
}

static void libc2005_fini(void *st)
{
	pol_lc_fini(st);
	free(st);
}

static int libc2005_mmap(void *st, uint64_t addr, uint64_t len, int prot,
			 int flags, int fd, uint64_t off, uint64_t *out)
{
	return pol_lc_mmap(st, addr, len, prot, flags, fd, off, out);
}

static int libc2005_munmap(void *st, uint64_t addr, uint64_t len)
{
	return pol_lc_munmap(st, addr, len);
}

static int libc2005_mprotect(void *st, uint64_t addr, uint64_t len, int prot)
{
	return pol_lc_mprotect(addr, len, prot);
}

static int libc2005_madvise(void *st, uint64_t addr, uint64_t len,
			    int advice)
{
	return pol_lc_madvise(addr, len, advice);
}

static int libc2005_msync(void *st, uint64_t addr, uint64_t len, int flags)
{
	return pol_lc_msync(st, addr, len, flags);
}

/* mremap, mincore, mlock*, brk: NULL, which answers ENOSYS */
const struct pol_policy pol_libc_2005 = {
	.abi = POL_ABI,
	.name = "libc-20.05",
	.summary = "Genode's libc as of 20.05: anonymous only without address "
		   "and fd, no zero-fill, file mappings copied",
	.params_help = NULL,
	.init = libc2005_init,
	.fini = libc2005_fini,
	.mmap = libc2005_mmap,
	.munmap = libc2005_munmap,
	.mprotect = libc2005_mprotect,
	.madvise = libc2005_madvise,
	.msync = libc2005_msync,
	/* no parameters: an empty table, so that any key is refused */
	.params = (const struct pol_param[]){{NULL, 0, 0, 0, 0, 0, 0, NULL}},
};
