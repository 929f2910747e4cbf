/*
 * px_mlock.c - mlock(2), mlock2(2), munlock(2), mlockall(2) and
 * munlockall(2), after mm/mlock.c.
 *
 * Linux rounds the start down instead of rejecting it.  A range that
 * does not start in a VMA changes nothing (ENOMEM); a hole further on
 * stops the walk with the VMAs before it already (un)locked (ENOMEM).
 * After locking, the range is faulted in, and a fault that cannot be
 * served (PROT_NONE, a guard page) turns into ENOMEM although the VMAs
 * stay locked.  RLIMIT_MEMLOCK: zero without CAP_IPC_LOCK is EPERM, a
 * request beyond it ENOMEM (mmap with MAP_LOCKED says EAGAIN instead).
 */
#include "px_internal.h"

/* mlock_fixup() */
static int fixup(struct px_space *s, struct px_vma *v, uint64_t start,
		 uint64_t end, uint32_t newflags, struct px_vma **out)
{
	*out = v;
	/* vma_supports_mlock(): special and droppable memory never lock,
	 * and secret memory, locked from its mmap on, never unlocks */
	if (newflags == v->flags ||
	    (v->flags & (LX_VM_SPECIAL | LX_VM_DROPPABLE)) ||
	    (v->obj && v->obj->secret))
		return 0;
	return px_vma_modify(s, v, start, end, newflags, out);
}

/* apply_vma_lock_flags() */
static int apply(struct px_space *s, uint64_t start, uint64_t len,
		 uint32_t flags)
{
	uint64_t end = start + len, nstart = start, tmp;
	struct px_vma *v;

	if (end < start)
		return -LX_EINVAL;
	if (end == start)
		return 0;
	v = pxt_find(&s->tree, start);
	if (!v || v->start > start)
		return -LX_ENOMEM;
	tmp = v->start;
	while (v && v->start < end) {
		struct px_vma *out;
		uint32_t newflags = (v->flags & ~LX_VM_LOCKED_MASK) | flags;
		int err;

		if (v->start != tmp)
			return -LX_ENOMEM;
		tmp = v->end < end ? v->end : end;
		err = fixup(s, v, nstart, tmp, newflags, &out);
		if (err)
			return err;
		tmp = out->end;
		nstart = tmp;
		v = pxt_next(out);
	}
	return tmp < end ? -LX_ENOMEM : 0;
}

/* Bytes of [start, start + len) already locked (count_mm_mlocked_page_nr):
 * they do not count against the limit again. */
static uint64_t locked_in(struct px_space *s, uint64_t start, uint64_t len)
{
	uint64_t end = start + len, n = 0;
	struct px_vma *v = pxt_find(&s->tree, start);

	if (end < start)
		end = UINT64_MAX;
	for (; v && v->start < end; v = pxt_next(v)) {
		uint64_t a = v->start > start ? v->start : start;
		uint64_t b = v->end < end ? v->end : end;

		if (v->flags & LX_VM_LOCKED)
			n += b - a;
	}
	return n;
}

static int do_mlock(struct px_space *s, uint64_t start, uint64_t len,
		    uint32_t flags)
{
	uint64_t locked, limit;
	int err;

	if (!px_can_do_mlock(s))
		return -LX_EPERM;
	len = PX_PAGE_ALIGN(len + (start & (PX_PAGE - 1)));
	start &= LX_PAGE_MASK;
	limit = s->cfg.memlock_limit >> PX_SHIFT;
	locked = (len >> PX_SHIFT) + (s->locked >> PX_SHIFT);
	if (locked > limit && !s->cfg.cap_ipc_lock)
		locked -= locked_in(s, start, len) >> PX_SHIFT;
	if (locked > limit && !s->cfg.cap_ipc_lock)
		return -LX_ENOMEM;
	err = apply(s, start, len, flags);
	if (err)
		return err;
	err = px_populate(s, start, start + len, false);
	/* __mlock_posix_error_return() */
	if (err == -LX_EFAULT)
		return -LX_ENOMEM;
	if (err == -LX_ENOMEM)
		return -LX_EAGAIN;
	return err;
}

/*
 * px_mlock - mlock(2) (flags 0) and mlock2(2) (MLOCK_ONFAULT).
 */
int px_mlock(struct px_space *s, uint64_t addr, uint64_t len, int flags)
{
	uint32_t fl = LX_VM_LOCKED;

	if (flags & ~LX_MLOCK_ONFAULT)
		return -LX_EINVAL;
	if (flags & LX_MLOCK_ONFAULT)
		fl |= LX_VM_LOCKONFAULT;
	return do_mlock(s, addr, len, fl);
}

/*
 * px_munlock - munlock(2).
 */
int px_munlock(struct px_space *s, uint64_t addr, uint64_t len)
{
	len = PX_PAGE_ALIGN(len + (addr & (PX_PAGE - 1)));
	addr &= LX_PAGE_MASK;
	return apply(s, addr, len, 0);
}

/* apply_mlockall_flags(): every VMA, errors ignored. */
static void lock_all(struct px_space *s, uint32_t add)
{
	struct px_vma *v = pxt_first(&s->tree), *out;

	while (v) {
		uint32_t newflags = (v->flags & ~LX_VM_LOCKED_MASK) | add;

		if (fixup(s, v, v->start, v->end, newflags, &out))
			out = v;
		v = pxt_next(out);
	}
}

/*
 * px_mlockall - mlockall(2).
 */
int px_mlockall(struct px_space *s, int flags)
{
	uint32_t add = 0;

	if (!flags ||
	    (flags & ~(LX_MCL_CURRENT | LX_MCL_FUTURE | LX_MCL_ONFAULT)) ||
	    flags == LX_MCL_ONFAULT)
		return -LX_EINVAL;
	if (!px_can_do_mlock(s))
		return -LX_EPERM;
	if ((flags & LX_MCL_CURRENT) && !s->cfg.cap_ipc_lock &&
	    (s->mapped >> PX_SHIFT) > (s->cfg.memlock_limit >> PX_SHIFT))
		return -LX_ENOMEM;
	s->def_flags &= ~LX_VM_LOCKED_MASK;
	if (flags & LX_MCL_FUTURE) {
		s->def_flags |= LX_VM_LOCKED;
		if (flags & LX_MCL_ONFAULT)
			s->def_flags |= LX_VM_LOCKONFAULT;
	}
	if (flags & LX_MCL_CURRENT) {
		add = LX_VM_LOCKED;
		if (flags & LX_MCL_ONFAULT)
			add |= LX_VM_LOCKONFAULT;
		lock_all(s, add);
		px_populate(s, 0, s->cfg.task_size, true);
	}
	return 0;
}

/*
 * px_munlockall - munlockall(2).
 */
int px_munlockall(struct px_space *s)
{
	s->def_flags &= ~LX_VM_LOCKED_MASK;
	lock_all(s, 0);
	return 0;
}
