/*
 * win_lock.c - mlock, munlock, mlockall and munlockall inside the
 * window.
 *
 * ALGORITHM
 *
 * Linux's mm/mlock.c, as abi/lx_mlock.h has it for the reference model
 * too; this file only shows it the window's VMAs.  The lock flags of
 * every VMA in the range are changed (split and merge as Linux does; a
 * hole is ENOMEM), under RLIMIT_MEMLOCK (the policy's `memlock`), then
 * the range is populated: `lazy` attaches the RAM now, `window` has it
 * already.  MCL_FUTURE sets the flags later mappings and the heap start
 * with.  Droppable memory is never locked.
 *
 * INVARIANTS
 *
 *   Those of win_core.c; the locked-bytes counter is the sum of the
 *   locked VMAs (invariant 1).
 */
#include "abi/lx_mlock.h"
#include "win_core.h"

static void *find(void *ctx, uint64_t addr)
{
	return wc_vma_find(ctx, addr);
}

static void *next(void *ctx, void *v)
{
	(void)ctx;
	return wc_vma_next(v);
}

static void vma(const void *p, struct lx_mlock_vma *out)
{
	const struct wc_vma *v = p;

	*out = (struct lx_mlock_vma){
		.start = v->n.start, .end = v->n.end, .flags = v->flags};
}

static int modify(void *ctx, void **v, uint64_t start, uint64_t end,
		  uint32_t fl)
{
	struct wc_vma *out = *v;
	int err = wc_vma_modify(ctx, *v, start, end, fl, &out);

	*v = out;
	return err;
}

static void mm(const void *ctx, struct lx_mlock_mm *out)
{
	const struct wc *w = ctx;

	*out = (struct lx_mlock_mm){.locked = w->locked,
				    .mapped = w->mapped,
				    .limit = w->memlock_limit,
				    .unlimited = wc_memlock_unlimited(w),
				    .lo = w->base,
				    .hi = w->top};
}

static uint32_t *def_flags(void *ctx)
{
	return &((struct wc *)ctx)->def_flags;
}

static int populate(void *ctx, uint64_t start, uint64_t end, bool ignore_errors)
{
	return wc_populate(ctx, start, end, ignore_errors);
}

static const struct lx_mlock_ops ops = {.find = find,
					.next = next,
					.vma = vma,
					.modify = modify,
					.mm = mm,
					.def_flags = def_flags,
					.populate = populate};

int wc_mlock(void *st, uint64_t start, uint64_t len, int flags)
{
	return lx_mlock(&ops, st, start, len, flags);
}

int wc_munlock(void *st, uint64_t addr, uint64_t len)
{
	return lx_munlock(&ops, st, addr, len);
}

int wc_mlockall(void *st, int flags)
{
	return lx_mlockall(&ops, st, flags);
}

int wc_munlockall(void *st)
{
	return lx_munlockall(&ops, st);
}
