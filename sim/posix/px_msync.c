/*
 * px_msync.c - msync(2), after mm/msync.c.
 *
 * msync changes nothing the model can see (private data is never
 * written anywhere, shared data already is), so the call is all argument
 * checks: bad flags, an unaligned start and MS_SYNC|MS_ASYNC are EINVAL;
 * a hole makes the result ENOMEM, but only after the rest of the range
 * was looked at, where MS_INVALIDATE on a locked VMA is EBUSY.  With
 * plain MS_ASYNC the walk stops at the first hole.
 */
#include "px_internal.h"

/*
 * px_msync - msync(2).
 */
int px_msync(struct px_space *s, uint64_t addr, uint64_t len, int flags)
{
	uint64_t start = addr, end;
	struct px_vma *v;
	int unmapped = 0;

	if (flags & ~(LX_MS_ASYNC | LX_MS_INVALIDATE | LX_MS_SYNC))
		return -LX_EINVAL;
	if (start & (PX_PAGE - 1))
		return -LX_EINVAL;
	if ((flags & LX_MS_ASYNC) && (flags & LX_MS_SYNC))
		return -LX_EINVAL;
	len = (len + PX_PAGE - 1) & LX_PAGE_MASK;
	end = start + len;
	if (end < start)
		return -LX_ENOMEM;
	if (end == start)
		return 0;
	v = pxt_find(&s->tree, start);
	for (;;) {
		if (!v)
			return -LX_ENOMEM;
		if (start < v->start) {
			if (flags == LX_MS_ASYNC)
				return -LX_ENOMEM;
			start = v->start;
			if (start >= end)
				return -LX_ENOMEM;
			unmapped = -LX_ENOMEM;
		}
		if ((flags & LX_MS_INVALIDATE) && (v->flags & LX_VM_LOCKED))
			return -LX_EBUSY;
		start = v->end;
		if (start >= end)
			return unmapped;
		v = pxt_find(&s->tree, v->end);
	}
}
