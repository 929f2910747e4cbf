/*
 * px_mlock.c - mlock(2), mlock2(2), munlock(2), mlockall(2) and
 * munlockall(2) for the reference model: Linux's rules (mm/mlock.c) are
 * abi/lx_mlock.h's, shared with the window policies; this file only
 * shows them the model's VMAs.
 *
 * Linux rounds the start down instead of rejecting it.  A range that
 * does not start in a VMA changes nothing (ENOMEM); a hole further on
 * stops the walk with the VMAs before it already (un)locked (ENOMEM).
 * After locking, the range is faulted in, and a fault that cannot be
 * served (PROT_NONE, a guard page) turns into ENOMEM although the VMAs
 * stay locked.  RLIMIT_MEMLOCK: zero without CAP_IPC_LOCK is EPERM, a
 * request beyond it ENOMEM (mmap with MAP_LOCKED says EAGAIN instead).
 */
#include "abi/lx_mlock.h"
#include "px_internal.h"

static void *find(void *ctx, uint64_t addr)
{
	return pxt_find(&((struct px_space *)ctx)->tree, addr);
}

static void *next(void *ctx, void *v)
{
	(void)ctx;
	return pxt_next(v);
}

static void vma(const void *p, struct lx_mlock_vma *out)
{
	const struct px_vma *v = p;

	*out = (struct lx_mlock_vma){.start = v->start,
				     .end = v->end,
				     .flags = v->flags,
				     .secret = v->obj && v->obj->secret};
}

static int modify(void *ctx, void **v, uint64_t start, uint64_t end,
		  uint32_t fl)
{
	struct px_vma *out = *v;
	int err = px_vma_modify(ctx, *v, start, end, fl, &out);

	*v = out;
	return err;
}

static void mm(const void *ctx, struct lx_mlock_mm *out)
{
	const struct px_space *s = ctx;

	*out = (struct lx_mlock_mm){.locked = s->locked,
				    .mapped = s->mapped,
				    .limit = s->cfg.memlock_limit,
				    .unlimited = s->cfg.cap_ipc_lock,
				    .lo = 0,
				    .hi = s->cfg.task_size};
}

static uint32_t *def_flags(void *ctx)
{
	return &((struct px_space *)ctx)->def_flags;
}

static int populate(void *ctx, uint64_t start, uint64_t end, bool ignore_errors)
{
	return px_populate(ctx, start, end, ignore_errors);
}

static const struct lx_mlock_ops ops = {.find = find,
					.next = next,
					.vma = vma,
					.modify = modify,
					.mm = mm,
					.def_flags = def_flags,
					.populate = populate};

/*
 * px_mlock - mlock(2) (flags 0) and mlock2(2) (MLOCK_ONFAULT).
 */
int px_mlock(struct px_space *s, uint64_t addr, uint64_t len, int flags)
{
	return lx_mlock(&ops, s, addr, len, flags);
}

/*
 * px_munlock - munlock(2).
 */
int px_munlock(struct px_space *s, uint64_t addr, uint64_t len)
{
	return lx_munlock(&ops, s, addr, len);
}

/*
 * px_mlockall - mlockall(2).
 */
int px_mlockall(struct px_space *s, int flags)
{
	return lx_mlockall(&ops, s, flags);
}

/*
 * px_munlockall - munlockall(2).
 */
int px_munlockall(struct px_space *s)
{
	return lx_munlockall(&ops, s);
}
