/*
 * lx_mlock.h - mlock(2), mlock2(2), munlock(2), mlockall(2) and
 * munlockall(2) as mm/mlock.c (Linux 6.18) has them, for every model of
 * a Linux address space, and the RLIMIT_MEMLOCK checks other calls make
 * (mlock_future_ok(): mmap with MAP_LOCKED, brk, mremap under
 * mlockall(MCL_FUTURE)).  The Linux reference model
 * (sim/posix/px_mlock.c) and the window policies (sim/policy/win_lock.c)
 * both run the mlock family through it and supply only what differs:
 * what a VMA is, how its flags change, how a range is faulted in.
 *
 * ALGORITHM
 *
 * mlock rounds the start down to a page and the length up instead of
 * rejecting them.  can_do_mlock(): a zero RLIMIT_MEMLOCK without
 * CAP_IPC_LOCK is EPERM.  A request over the limit is ENOMEM, but only
 * after the bytes of the range that are locked already are taken off
 * again (count_mm_mlocked_page_nr()).  apply_vma_lock_flags(): a range
 * that does not start in a VMA changes nothing (ENOMEM); the VMAs are
 * changed one by one (split and merged by the caller's modify), and a
 * hole further on stops the walk with the VMAs before it already
 * changed (ENOMEM).  Special, droppable and secret memory is never
 * changed (vma_supports_mlock(); secret memory is locked from its mmap
 * on).  The range is then faulted in, and a fault that fails turns
 * into ENOMEM (EFAULT) or EAGAIN (ENOMEM) although the VMAs stay
 * locked (__mlock_posix_error_return()).  mlockall: MCL_FUTURE sets
 * the lock bits later mappings start with (mm->def_flags),
 * MCL_CURRENT changes every VMA, ignoring errors, and faults all in.
 *
 * INVARIANTS
 *
 *   Header-only and free of state: the caller's VMAs change only
 *   through its own callbacks, in the order Linux changes them.  Like
 *   lx_vm.h it depends on nothing but the Linux constants, so that
 *   Genode's libc builds the window policies with it unchanged.
 */
#ifndef RMSIM_ABI_LX_MLOCK_H
#define RMSIM_ABI_LX_MLOCK_H

#include <stdbool.h>
#include <stdint.h>

#include "abi/lx_vm.h"
#include "rmsim/abi.h"

/* What mlock looks at in a VMA. */
struct lx_mlock_vma {
	uint64_t start, end;
	uint32_t flags; /* LX_VM_* */
	bool secret;	/* memfd_secret memory: locked for good */
};

/* What mlock looks at in an address space. */
struct lx_mlock_mm {
	uint64_t locked; /* bytes in VM_LOCKED VMAs (locked_vm) */
	uint64_t mapped; /* bytes mapped (total_vm) */
	uint64_t limit;	 /* RLIMIT_MEMLOCK, bytes */
	bool unlimited;	 /* CAP_IPC_LOCK: the limit does not apply */
	uint64_t lo, hi; /* the addresses mlockall(MCL_CURRENT)
			  * faults in: all of user space */
};

/* What the mlock family needs of a model; @ctx is the model's. */
struct lx_mlock_ops {
	/* The first VMA that ends above @addr, or NULL. */
	void *(*find)(void *ctx, uint64_t addr);
	/* The VMA after @vma, or NULL. */
	void *(*next)(void *ctx, void *vma);
	void (*vma)(const void *vma, struct lx_mlock_vma *out);
	/* Give [start, end) of *@vma the flags @fl (split, merge: *@vma
	 * may be replaced by the VMA that holds [start, end) after).  0 or
	 * -errno. */
	int (*modify)(void *ctx, void **vma, uint64_t start, uint64_t end,
		      uint32_t fl);
	void (*mm)(const void *ctx, struct lx_mlock_mm *out);
	/* mm->def_flags, which MCL_FUTURE changes. */
	uint32_t *(*def_flags)(void *ctx);
	/* __mm_populate(): fault in the VMAs over [start, end).  0 or
	 * -errno (the first failure, unless @ignore_errors). */
	int (*populate)(void *ctx, uint64_t start, uint64_t end,
			bool ignore_errors);
};

/* can_do_mlock(): may this address space lock anything at all? */
static inline bool lx_can_do_mlock(uint64_t limit, bool unlimited)
{
	return limit || unlimited;
}

/*
 * mlock_future_ok(): may @bytes more be locked, @locked bytes being so
 * already?  Only a VMA with VM_LOCKED (@will_lock) asks.
 */
static inline bool lx_mlock_future_ok(bool will_lock, bool unlimited,
				      uint64_t locked, uint64_t limit,
				      uint64_t bytes)
{
	uint64_t want;

	if (!will_lock || unlimited)
		return true;
	want = (bytes >> LX_PAGE_SHIFT) + (locked >> LX_PAGE_SHIFT);
	return want >= (bytes >> LX_PAGE_SHIFT) &&
	       want <= (limit >> LX_PAGE_SHIFT);
}

/* mlock2()'s flags as the lock bits of a VMA: 0, or -EINVAL. */
static inline int lx_mlock2_flags(int flags, uint32_t *lock)
{
	if (flags & ~LX_MLOCK_ONFAULT)
		return -LX_EINVAL;
	*lock = LX_VM_LOCKED;
	if (flags & LX_MLOCK_ONFAULT)
		*lock |= LX_VM_LOCKONFAULT;
	return 0;
}

/*
 * mlockall()'s flags: 0 with the lock bits later mappings take in
 * *@future and those every VMA takes now in *@current (0 without
 * MCL_CURRENT), or -EINVAL.
 */
static inline int lx_mlockall_flags(int flags, uint32_t *future,
				    uint32_t *current)
{
	uint32_t onfault = (flags & LX_MCL_ONFAULT) ? LX_VM_LOCKONFAULT : 0;

	if (!flags ||
	    (flags & ~(LX_MCL_CURRENT | LX_MCL_FUTURE | LX_MCL_ONFAULT)) ||
	    flags == LX_MCL_ONFAULT)
		return -LX_EINVAL;
	*future = (flags & LX_MCL_FUTURE) ? LX_VM_LOCKED | onfault : 0;
	*current = (flags & LX_MCL_CURRENT) ? LX_VM_LOCKED | onfault : 0;
	return 0;
}

/* The page-aligned range mlock and munlock act on: the start rounded
 * down, the length grown to cover the same bytes. */
static inline void lx_mlock_range(uint64_t *start, uint64_t *len)
{
	*len = (*len + (*start & (LX_PAGE_SIZE - 1)) + LX_PAGE_SIZE - 1) &
	       LX_PAGE_MASK;
	*start &= LX_PAGE_MASK;
}

/* __mlock_posix_error_return(): a failed fault as mlock reports it. */
static inline int lx_mlock_posix_error(int err)
{
	if (err == -LX_EFAULT)
		return -LX_ENOMEM;
	if (err == -LX_ENOMEM)
		return -LX_EAGAIN;
	return err;
}

/* vma_supports_mlock(): special and droppable memory never lock, and
 * secret memory, locked from its mmap on, never unlocks. */
static inline bool lx_vma_supports_mlock(const struct lx_mlock_vma *d)
{
	return !(d->flags & (LX_VM_SPECIAL | LX_VM_DROPPABLE)) && !d->secret;
}

/* mlock_fixup(): [start, end) of *@v takes the lock bits @lock. */
static inline int lx_mlock_fixup(const struct lx_mlock_ops *ops, void *ctx,
				 void **v, uint64_t start, uint64_t end,
				 uint32_t lock)
{
	struct lx_mlock_vma d;
	uint32_t fl;

	ops->vma(*v, &d);
	fl = (d.flags & ~LX_VM_LOCKED_MASK) | lock;
	if (fl == d.flags || !lx_vma_supports_mlock(&d))
		return 0;
	return ops->modify(ctx, v, start, end, fl);
}

/* apply_vma_lock_flags(): the VMAs of [start, start + len) take the
 * lock bits @lock. */
static inline int lx_mlock_apply(const struct lx_mlock_ops *ops, void *ctx,
				 uint64_t start, uint64_t len, uint32_t lock)
{
	uint64_t end = start + len, nstart = start, tmp;
	struct lx_mlock_vma d;
	void *v;

	if (end < start)
		return -LX_EINVAL;
	if (end == start)
		return 0;
	v = ops->find(ctx, start);
	if (!v)
		return -LX_ENOMEM;
	ops->vma(v, &d);
	if (d.start > start)
		return -LX_ENOMEM;
	tmp = d.start;
	while (v && d.start < end) {
		int err;

		if (d.start != tmp)
			return -LX_ENOMEM;
		tmp = d.end < end ? d.end : end;
		err = lx_mlock_fixup(ops, ctx, &v, nstart, tmp, lock);
		if (err)
			return err;
		ops->vma(v, &d);
		tmp = d.end;
		nstart = tmp;
		v = ops->next(ctx, v);
		if (v)
			ops->vma(v, &d);
	}
	return tmp < end ? -LX_ENOMEM : 0;
}

/* count_mm_mlocked_page_nr(): bytes of [start, start + len) locked
 * already, which do not count against the limit again. */
static inline uint64_t lx_mlock_locked_in(const struct lx_mlock_ops *ops,
					  void *ctx, uint64_t start,
					  uint64_t len)
{
	uint64_t end = start + len, n = 0;
	void *v;

	if (end < start)
		end = UINT64_MAX;
	for (v = ops->find(ctx, start); v; v = ops->next(ctx, v)) {
		struct lx_mlock_vma d;

		ops->vma(v, &d);
		if (d.start >= end)
			break;
		if (d.flags & LX_VM_LOCKED)
			n += (d.end < end ? d.end : end) -
			     (d.start > start ? d.start : start);
	}
	return n;
}

/* do_mlock(): lock the VMAs of the range, then fault it in. */
static inline int lx_do_mlock(const struct lx_mlock_ops *ops, void *ctx,
			      uint64_t start, uint64_t len, uint32_t lock)
{
	struct lx_mlock_mm m;
	uint64_t locked, limit;
	int err;

	ops->mm(ctx, &m);
	if (!lx_can_do_mlock(m.limit, m.unlimited))
		return -LX_EPERM;
	lx_mlock_range(&start, &len);
	limit = m.limit >> LX_PAGE_SHIFT;
	locked = (len >> LX_PAGE_SHIFT) + (m.locked >> LX_PAGE_SHIFT);
	if (locked > limit && !m.unlimited)
		locked -= lx_mlock_locked_in(ops, ctx, start, len) >>
			  LX_PAGE_SHIFT;
	if (locked > limit && !m.unlimited)
		return -LX_ENOMEM;
	err = lx_mlock_apply(ops, ctx, start, len, lock);
	if (err)
		return err;
	return lx_mlock_posix_error(
		ops->populate(ctx, start, start + len, false));
}

/* mlock(2) (flags 0) and mlock2(2). */
static inline int lx_mlock(const struct lx_mlock_ops *ops, void *ctx,
			   uint64_t start, uint64_t len, int flags)
{
	uint32_t lock;
	int err = lx_mlock2_flags(flags, &lock);

	return err ? err : lx_do_mlock(ops, ctx, start, len, lock);
}

/* munlock(2) */
static inline int lx_munlock(const struct lx_mlock_ops *ops, void *ctx,
			     uint64_t start, uint64_t len)
{
	lx_mlock_range(&start, &len);
	return lx_mlock_apply(ops, ctx, start, len, 0);
}

/* apply_mlockall_flags(): every VMA takes @lock, errors ignored. */
static inline void lx_mlock_all(const struct lx_mlock_ops *ops, void *ctx,
				uint32_t lock)
{
	void *v = ops->find(ctx, 0);

	while (v) {
		struct lx_mlock_vma d;
		void *o = v;

		ops->vma(v, &d);
		if (lx_mlock_fixup(ops, ctx, &o, d.start, d.end, lock))
			o = v;
		v = ops->next(ctx, o);
	}
}

/* mlockall(2) */
static inline int lx_mlockall(const struct lx_mlock_ops *ops, void *ctx,
			      int flags)
{
	uint32_t future, current, *def;
	struct lx_mlock_mm m;
	int err = lx_mlockall_flags(flags, &future, &current);

	if (err)
		return err;
	ops->mm(ctx, &m);
	if (!lx_can_do_mlock(m.limit, m.unlimited))
		return -LX_EPERM;
	if (current && !m.unlimited &&
	    (m.mapped >> LX_PAGE_SHIFT) > (m.limit >> LX_PAGE_SHIFT))
		return -LX_ENOMEM;
	def = ops->def_flags(ctx);
	*def = (*def & ~LX_VM_LOCKED_MASK) | future;
	if (current) {
		lx_mlock_all(ops, ctx, current);
		ops->populate(ctx, m.lo, m.hi, true);
	}
	return 0;
}

/* munlockall(2) */
static inline int lx_munlockall(const struct lx_mlock_ops *ops, void *ctx)
{
	uint32_t *def = ops->def_flags(ctx);

	*def &= ~LX_VM_LOCKED_MASK;
	lx_mlock_all(ops, ctx, 0);
	return 0;
}

#endif
