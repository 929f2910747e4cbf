/*
 * px_msync.c - msync(2), after mm/msync.c.
 *
 * msync changes nothing the model can see (private data is never
 * written anywhere, shared data already is), so the call is all argument
 * checks and the walk over the range's VMAs: Linux's rules, shared with
 * the window policies (abi/lx_madvise.h: lx_msync), over the model's
 * VMAs as madvise sees them (px_madv_ops, px_madvise.c).
 */
#include "px_internal.h"
#include "abi/lx_madvise.h"

/*
 * px_msync - msync(2).
 */
int px_msync(struct px_space *s, uint64_t addr, uint64_t len, int flags)
{
	return lx_msync(&px_madv_ops, s, addr, len, flags);
}
