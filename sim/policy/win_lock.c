/*
 * win_lock.c - mlock, munlock, mlockall and munlockall inside the
 * window.
 *
 * ALGORITHM
 *
 * Linux's mm/mlock.c: the lock flags of every VMA in the range are
 * changed (split and merge as Linux does; a hole is ENOMEM), under
 * RLIMIT_MEMLOCK (the policy's `memlock`), then the range is populated:
 * `lazy` attaches the RAM now, `window` has it already.  MCL_FUTURE
 * sets the flags later mappings and the heap start with.  Droppable
 * memory is never locked.
 *
 * INVARIANTS
 *
 *   Those of win_core.c; the locked-bytes counter is the sum of the
 *   locked VMAs (invariant 1).
 */
#include "win_core.h"


/* ---- mlock family ---- */

/* mlock_fixup() */
static int mlock_fixup(struct wc *w, struct wc_vma *v, uint64_t start,
		       uint64_t end, uint32_t newflags, struct wc_vma **out)
{
	*out = v;
	if (newflags == v->flags || (v->flags & LX_VM_DROPPABLE))
		return 0;
	return wc_vma_modify(w, v, start, end, newflags, out);
}

/* apply_vma_lock_flags() */
static int lock_range(struct wc *w, uint64_t start, uint64_t len,
		      uint32_t flags)
{
	uint64_t end = start + len, nstart = start, tmp;
	struct wc_vma *v;

	if (end < start)
		return -LX_EINVAL;
	if (end == start)
		return 0;
	v = wc_vma_find(w, start);
	if (!v || v->n.start > start)
		return -LX_ENOMEM;
	tmp = v->n.start;
	while (v && v->n.start < end) {
		struct wc_vma *o;
		uint32_t newflags = (v->flags & ~LX_VM_LOCKED_MASK) | flags;
		int err;

		if (v->n.start != tmp)
			return -LX_ENOMEM;
		tmp = wc_min(v->n.end, end);
		err = mlock_fixup(w, v, nstart, tmp, newflags, &o);
		if (err)
			return err;
		tmp = o->n.end;
		nstart = tmp;
		v = wc_vma_next(o);
	}
	return tmp < end ? -LX_ENOMEM : 0;
}

/* Bytes of [start, start + len) already locked. */
static uint64_t locked_in(struct wc *w, uint64_t start, uint64_t len)
{
	uint64_t end = start + len, n = 0;
	struct wc_vma *v = wc_vma_find(w, start);

	if (end < start)
		end = UINT64_MAX;
	for (; v && v->n.start < end; v = wc_vma_next(v))
		if (v->flags & LX_VM_LOCKED)
			n += wc_min(v->n.end, end) - wc_max(v->n.start, start);
	return n;
}

int wc_mlock(void *st, uint64_t start, uint64_t len, int flags)
{
	struct wc *w = st;
	uint32_t fl = LX_VM_LOCKED;
	uint64_t locked, limit;
	int err;

	if (flags & ~LX_MLOCK_ONFAULT)
		return -LX_EINVAL;
	if (flags & LX_MLOCK_ONFAULT)
		fl |= LX_VM_LOCKONFAULT;
	if (!wc_can_mlock(w))
		return -LX_EPERM;
	len = WC_ALIGN(len + (start & (WC_PAGE - 1)));
	start &= LX_PAGE_MASK;
	limit = w->memlock_limit >> WC_SHIFT;
	locked = (len >> WC_SHIFT) + (w->locked >> WC_SHIFT);
	if (locked > limit && !wc_memlock_unlimited(w))
		locked -= locked_in(w, start, len) >> WC_SHIFT;
	if (locked > limit && !wc_memlock_unlimited(w))
		return -LX_ENOMEM;
	err = lock_range(w, start, len, fl);
	if (err)
		return err;
	err = wc_populate(w, start, start + len, false);
	if (err == -LX_EFAULT)
		return -LX_ENOMEM;
	if (err == -LX_ENOMEM)
		return -LX_EAGAIN;
	return err;
}

int wc_munlock(void *st, uint64_t addr, uint64_t len)
{
	struct wc *w = st;

	len = WC_ALIGN(len + (addr & (WC_PAGE - 1)));
	addr &= LX_PAGE_MASK;
	return lock_range(w, addr, len, 0);
}

/* apply_mlockall_flags(): every VMA, errors ignored. */
static void lock_all(struct wc *w, uint32_t add)
{
	struct rg_node *n = rg_first(&w->vmas);

	while (n) {
		struct wc_vma *v = wc_vma_of(n), *o;
		uint32_t newflags = (v->flags & ~LX_VM_LOCKED_MASK) | add;

		if (mlock_fixup(w, v, v->n.start, v->n.end, newflags, &o))
			o = v;
		n = rg_next(&o->n);
	}
}

int wc_mlockall(void *st, int flags)
{
	struct wc *w = st;
	uint32_t add = 0;

	if (!flags ||
	    (flags & ~(LX_MCL_CURRENT | LX_MCL_FUTURE | LX_MCL_ONFAULT)) ||
	    flags == LX_MCL_ONFAULT)
		return -LX_EINVAL;
	if (!wc_can_mlock(w))
		return -LX_EPERM;
	if ((flags & LX_MCL_CURRENT) && !wc_memlock_unlimited(w) &&
	    (w->mapped >> WC_SHIFT) > (w->memlock_limit >> WC_SHIFT))
		return -LX_ENOMEM;
	w->def_flags &= ~LX_VM_LOCKED_MASK;
	if (flags & LX_MCL_FUTURE) {
		w->def_flags |= LX_VM_LOCKED;
		if (flags & LX_MCL_ONFAULT)
			w->def_flags |= LX_VM_LOCKONFAULT;
	}
	if (flags & LX_MCL_CURRENT) {
		add = LX_VM_LOCKED;
		if (flags & LX_MCL_ONFAULT)
			add |= LX_VM_LOCKONFAULT;
		lock_all(w, add);
		wc_populate(w, w->base, w->top, true);
	}
	return 0;
}

int wc_munlockall(void *st)
{
	struct wc *w = st;

	w->def_flags &= ~LX_VM_LOCKED_MASK;
	lock_all(w, 0);
	return 0;
}
