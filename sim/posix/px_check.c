/*
 * px_check.c - the model's invariant checker.  Tests call px_check()
 * after every operation, so a bug shows at the call that made it rather
 * than as a wrong answer much later.
 *
 * Checked, in order: the VMA tree (order, alignment, no overlap, AVL
 * balance, parent links, gap augmentation; see sim/ranges/ranges.c); every VMA
 * inside user space; the statistics (VMA count, mapped, writable and
 * locked bytes) against a recount; no two neighbours that Linux would
 * have merged (except beside the source of an MREMAP_DONTUNMAP, which
 * the kernel leaves as it is); page maps holding only pages of their
 * VMA, private bytes only in private mappings, the stored-byte count;
 * anon_vma identities; the program break.  The walk is O(n + pages
 * kept).
 */
#include "px_internal.h"

#include <stdio.h>

static int check_vma(const struct px_space *s, const struct px_vma *v,
		     uint64_t *bytes, char *why, size_t size)
{
	uint64_t lo = v->pgoff,
		 hi = v->pgoff + ((v->end - v->start) >> PX_SHIFT);
	uint64_t obytes = 0;

	if (v->end > s->cfg.task_size) {
		snprintf(why, size, "vma %#llx ends above TASK_SIZE",
			 (unsigned long long)v->start);
		return -1;
	}
	if (hi < lo) {
		snprintf(why, size, "vma %#llx: page offset wraps",
			 (unsigned long long)v->start);
		return -1;
	}
	if (pxp_check(&v->pages, lo, hi, bytes, why, size))
		return -1;
	if ((v->flags & LX_VM_SHARED) &&
	    (!v->obj || pxp_any(&v->pages, lo, hi, PXP_ANON))) {
		snprintf(why, size,
			 "shared vma %#llx has private pages or "
			 "no object",
			 (unsigned long long)v->start);
		return -1;
	}
	if (v->obj && v->obj->kind != PX_OBJ_FILE &&
	    pxp_check(&v->obj->pages, 0, UINT64_MAX, &obytes, why, size))
		return -1;
	if (v->anon > s->next_anon || (v->forked && !v->anon)) {
		snprintf(why, size, "vma %#llx: bad anon_vma %llu",
			 (unsigned long long)v->start,
			 (unsigned long long)v->anon);
		return -1;
	}
	if ((v->flags & LX_VM_LOCKONFAULT) && !(v->flags & LX_VM_LOCKED)) {
		snprintf(why, size, "vma %#llx: LOCKONFAULT without LOCKED",
			 (unsigned long long)v->start);
		return -1;
	}
	return 0;
}

static int check_files(const struct px_objset *os, char *why, size_t size)
{
	for (size_t i = 0; i < os->nbuckets; i++) {
		const struct px_obj *o;

		for (o = os->tab[i]; o; o = o->hnext) {
			uint64_t b = 0;

			if (o->kind != PX_OBJ_FILE || !o->refs) {
				snprintf(why, size, "bad file object %s",
					 o->name);
				return -1;
			}
			if (pxp_check(&o->pages, 0, UINT64_MAX, &b, why, size))
				return -1;
		}
	}
	return 0;
}

/*
 * px_check - walk every invariant (see rmsim/posix.h).
 */
int px_check(const struct px_space *s, char *why, size_t size)
{
	const struct px_vma *v, *prev = NULL;
	uint64_t mapped = 0, writable = 0, locked = 0, bytes = 0;
	long n = rg_check(&s->tree, PX_PAGE, why, size);

	if (n < 0)
		return -1;
	if ((uint64_t)n != s->map_count) {
		snprintf(why, size, "map_count %llu, tree holds %ld",
			 (unsigned long long)s->map_count, n);
		return -1;
	}
	for (v = pxt_first(&s->tree); v; prev = v, v = pxt_next(v)) {
		uint64_t len = v->end - v->start;

		if (check_vma(s, v, &bytes, why, size))
			return -1;
		mapped += len;
		if (v->flags & LX_VM_WRITE)
			writable += len;
		if (v->flags & LX_VM_LOCKED)
			locked += len;
		if (prev && !prev->unmerged && !v->unmerged) {
			struct px_cand a, b;

			px_cand_of(&a, prev);
			px_cand_of(&b, v);
			if (px_can_merge(&a, &b)) {
				snprintf(why, size,
					 "vmas [%#llx,%#llx) and [%#llx,%#llx)"
					 " should have merged",
					 (unsigned long long)prev->start,
					 (unsigned long long)prev->end,
					 (unsigned long long)v->start,
					 (unsigned long long)v->end);
				return -1;
			}
		}
	}
	if (mapped != s->mapped || writable != s->writable ||
	    locked != s->locked) {
		snprintf(why, size,
			 "statistics drifted: mapped %#llx/%#llx "
			 "writable %#llx/%#llx locked %#llx/%#llx",
			 (unsigned long long)s->mapped,
			 (unsigned long long)mapped,
			 (unsigned long long)s->writable,
			 (unsigned long long)writable,
			 (unsigned long long)s->locked,
			 (unsigned long long)locked);
		return -1;
	}
	if (bytes != s->stored) {
		snprintf(why, size, "stored bytes %llu, found %llu",
			 (unsigned long long)s->stored,
			 (unsigned long long)bytes);
		return -1;
	}
	if (check_files(s->objs, why, size))
		return -1;
	if (s->brk < s->start_brk) {
		snprintf(why, size, "brk %#llx below start_brk %#llx",
			 (unsigned long long)s->brk,
			 (unsigned long long)s->start_brk);
		return -1;
	}
	if ((s->mmap_base & (PX_PAGE - 1)) || s->mmap_base > s->cfg.task_size) {
		snprintf(why, size, "mmap_base %#llx invalid",
			 (unsigned long long)s->mmap_base);
		return -1;
	}
	return 0;
}
