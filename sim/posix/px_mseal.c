/*
 * px_mseal.c - mseal(2), after mm/mseal.c (Linux 6.10 on).
 *
 * ALGORITHM: the arguments are checked (lx_mseal_check), the range must
 * be mapped without a hole (ENOMEM, nothing sealed), then every VMA of
 * it gets VM_SEALED, split at the range's ends and merged with sealed
 * twins as any flag change is (vma_modify_flags()).  Sealing a sealed
 * VMA again is a no-op, and so is an empty range.
 *
 * What a seal refuses lives with each call: px_unmap (munmap, MAP_FIXED
 * over it, brk shrinking, mremap's unmapping) and mprotect fail with
 * EPERM, lx_mremap_check_prep refuses to move or resize a sealed VMA,
 * and lx_madv_seal_denies the discarding advice on read-only private
 * anonymous memory.  A seal is never lifted: fork copies it with the
 * VMA, only execve drops it (a fresh address space).
 *
 * INVARIANTS: VM_SEALED is only ever set, never cleared, on a VMA.
 */
#include "px_internal.h"

int px_mseal(struct px_space *s, uint64_t addr, uint64_t len, uint64_t flags)
{
	uint64_t end, at = addr;
	struct px_vma *v;
	int err = lx_mseal_check(addr, len, flags, &end);

	if (err)
		return err;
	if (end == addr)
		return 0;
	/* range_contains_unmapped() */
	for (v = pxt_find(&s->tree, addr); v && v->start < end;
	     v = pxt_next(v)) {
		if (v->start > at)
			return -LX_ENOMEM;
		at = v->end;
	}
	if (at < end)
		return -LX_ENOMEM;
	/* mseal_apply() */
	for (at = addr; at < end;) {
		struct px_vma *out;
		uint64_t e;

		v = pxt_find(&s->tree, at);
		e = v->end < end ? v->end : end;
		if (!(v->flags & LX_VM_SEALED)) {
			err = px_vma_modify(s, v, at, e,
					    v->flags | LX_VM_SEALED, &out);
			if (err)
				return err;
		}
		at = e;
	}
	return 0;
}
