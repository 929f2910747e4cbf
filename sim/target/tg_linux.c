/*
 * tg_linux.c - the Linux reference model (px_) as a replay target:
 * the `linux` policy.  A thin dispatch from struct tg_call to the px_
 * calls; nothing here decides semantics.
 */
#include "target.h"

#include "rmsim/abi.h"
#include "rmsim/posix.h"

#include <errno.h>
#include <stddef.h>

/* @ctx, when set, is the struct px_config to start from. */
static void *lx_new(void *ctx)
{
	struct px_config cfg;

	if (ctx)
		return px_new(ctx);
	px_default_config(&cfg);
	return px_new(&cfg);
}

static void *lx_fork(void *ctx, void *space)
{
	return px_fork(space);
}

static void lx_free(void *ctx, void *space)
{
	px_free(space);
}

static void lx_set_mmap_base(void *ctx, void *space, uint64_t base)
{
	px_set_mmap_base(space, base);
}

static void lx_set_brk(void *ctx, void *space, uint64_t brk)
{
	px_set_brk(space, brk);
}

static void *lx_shadow(void *ctx, void *space)
{
	return px_shadow(space);
}

static void lx_set_map32_begin(void *ctx, void *space, uint64_t begin)
{
	px_set_map32_begin(space, begin);
}

static int lx_inherit(void *ctx, void *space, uint64_t addr, uint64_t len,
		      bool file)
{
	return px_inherit(space, addr, len, LX_PROT_READ | LX_PROT_WRITE,
			  LX_MAP_PRIVATE | (file ? 0 : LX_MAP_ANONYMOUS));
}

static bool lx_hole(void *ctx, void *space, uint64_t addr, uint64_t len,
		    uint64_t *hs, uint64_t *he)
{
	uint64_t end = addr + len, at = addr;
	struct px_vma_info v;

	while (at < end) {
		if (!px_find(space, at, &v) || v.start >= end) {
			*hs = at;
			*he = end;
			return true;
		}
		if (v.start > at) {
			*hs = at;
			*he = v.start;
			return true;
		}
		at = v.end;
	}
	return false;
}

static int lx_call(void *ctx, void *space, const struct tg_call *c,
		   uint64_t *out)
{
	struct px_space *s = space;
	const uint64_t *a = c->arg;

	*out = 0;
	switch (c->call) {
	case TR_MMAP:
		return px_mmap(s, a[0], a[1], (int)a[2], (int)a[3], (int)a[4],
			       a[5], c->path, out);
	case TR_MUNMAP:
		return px_munmap(s, a[0], a[1]);
	case TR_MPROTECT:
		return px_mprotect(s, a[0], a[1], (int)a[2]);
	case TR_PKEY_MPROTECT:
		return px_pkey_mprotect(s, a[0], a[1], (int)a[2], (int)a[3]);
	case TR_MADVISE:
		return px_madvise(s, a[0], a[1], (int)a[2]);
	case TR_MREMAP:
		return px_mremap(s, a[0], a[1], a[2], (int)a[3], a[4], out);
	case TR_MSYNC:
		return px_msync(s, a[0], a[1], (int)a[2]);
	case TR_BRK:
		return px_brk(s, a[0], out);
	case TR_MLOCK:
		return px_mlock(s, a[0], a[1], 0);
	case TR_MLOCK2:
		return px_mlock(s, a[0], a[1], (int)a[2]);
	case TR_MUNLOCK:
		return px_munlock(s, a[0], a[1]);
	case TR_MLOCKALL:
		return px_mlockall(s, (int)a[0]);
	case TR_MUNLOCKALL:
		return px_munlockall(s);
	case TR_MINCORE: {
		/* the vector must be writable user memory: the model cannot
		 * see the stack, so only addresses below mmap_min_addr,
		 * where nothing is ever mapped, are known to be bad */
		int rc = px_mincore(s, a[0], a[1], NULL);

		if (rc == 0 && a[2] && a[2] < 65536)
			return -LX_EFAULT;
		return rc;
	}
	case TR_MSEAL:
		return px_mseal(s, a[0], a[1], a[2]);
	case TR_PRCTL:
		return px_prctl(s, a[0], a + 1, out);
	case TR_MEMFD_SECRET:
		return px_memfd_secret(s, a[0], out);
	default:
		return 0;
	}
}

static int lx_load(void *ctx, void *space, uint64_t addr, uint8_t *val)
{
	return px_load(space, addr, val);
}

static int lx_store(void *ctx, void *space, uint64_t addr, uint8_t val)
{
	return px_store(space, addr, val);
}

/* The model checks every page's rights itself: @writable is not needed. */
static int64_t lx_touch(void *ctx, void *space, uint64_t addr, uint64_t len,
			uint8_t val, bool first, bool writable, bool *stopped)
{
	uint64_t pages;
	int err = px_touch(space, addr, len, val, first ? 1 : UINT64_MAX,
			   &pages);

	return err ? err : (int64_t)pages;
}

/*
 * The VMA's protection, as /proc/self/maps shows it (PROT_WRITE alone
 * stays "-w-" although the hardware lets such pages be read): this is
 * what the case language's prot() compares with the host kernel.
 */
static int lx_prot(void *ctx, void *space, uint64_t addr, int *prot)
{
	struct px_vma_info v;

	if (!px_find(space, addr, &v) || v.start > addr)
		return -ENOMEM;
	*prot = v.prot & (LX_PROT_READ | LX_PROT_WRITE | LX_PROT_EXEC);
	return 0;
}

static uint64_t lx_anon_resident(void *ctx, void *space)
{
	return px_anon_resident(space);
}

static void lx_fd_set(void *ctx, void *space, int fd, int mode)
{
	px_fd_set(space, fd, mode);
}

static void lx_fd_dup(void *ctx, void *space, int oldfd, int newfd)
{
	px_fd_dup(space, oldfd, newfd);
}

static void lx_set_memlock(void *ctx, void *space, uint64_t limit)
{
	px_set_memlock_limit(space, limit);
}

static void lx_set_cap(void *ctx, void *space, bool cap)
{
	px_set_cap_ipc_lock(space, cap);
}

static void lx_set_rawio(void *ctx, void *space, bool cap)
{
	px_set_cap_sys_rawio(space, cap);
}

void tg_linux(struct tg_target *t)
{
	static const struct tg_target linux_target = {
		.name = "linux",
		.space_new = lx_new,
		.space_fork = lx_fork,
		.space_free = lx_free,
		.set_mmap_base = lx_set_mmap_base,
		.set_brk = lx_set_brk,
		.space_shadow = lx_shadow,
		.set_map32_begin = lx_set_map32_begin,
		.inherit = lx_inherit,
		.hole = lx_hole,
		.call = lx_call,
		.load = lx_load,
		.store = lx_store,
		.touch = lx_touch,
		.prot = lx_prot,
		.anon_resident = lx_anon_resident,
		.fd_set = lx_fd_set,
		.fd_dup = lx_fd_dup,
		.set_memlock = lx_set_memlock,
		.set_cap_ipc_lock = lx_set_cap,
		.set_cap_sys_rawio = lx_set_rawio,
	};

	*t = linux_target;
}
