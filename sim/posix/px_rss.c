/*
 * px_rss.c - what /proc/PID/status would say of the model's process:
 * RssAnon, the bytes of private anonymous pages mapped.
 *
 * ALGORITHM.  Linux counts a page in MM_ANONPAGES when it maps an
 * anonymous folio (mm_counter(): folio_test_anon and not swap-backed
 * shmem), so RssAnon is the private pages a write fault or a populate
 * made (PXP_ANON in the model), copies of private file pages included,
 * and not the zero page a read fault maps, not shmem (MAP_SHARED
 * anonymous memory is MM_SHMEMPAGES) and not page-cache pages (MM_FILEPAGES).
 * A PMD-sized THP counts its 512 pages.  Pages a fork shares
 * copy-on-write count in both processes, as they are mapped in both.
 * The walk visits every VMA and each one's page extents once.
 *
 * INVARIANTS: the result is a multiple of the page size and at most the
 * bytes mapped privately.
 */
#include "px_internal.h"

uint64_t px_anon_resident(const struct px_space *s)
{
	const struct px_vma *v;
	const struct pxp_node *n;
	uint64_t pages = 0;

	for (v = pxt_first(&s->tree); v; v = pxt_next(v)) {
		uint64_t lo = v->pgoff;
		uint64_t hi = lo + ((v->end - v->start) >> PX_SHIFT);

		if (v->flags & LX_VM_SHARED)
			continue;
		for (n = pxp_next(&v->pages, lo); n && n->lo < hi;
		     n = pxp_next(&v->pages, n->hi))
			if (n->flags & PXP_ANON)
				pages += (n->hi < hi ? n->hi : hi) -
					 (n->lo > lo ? n->lo : lo);
	}
	return pages << PX_SHIFT;
}
