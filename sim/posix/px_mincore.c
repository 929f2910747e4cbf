/*
 * px_mincore.c - mincore(2), after mm/mincore.c.
 *
 * A page counts as resident when the program touched it (a load, a
 * store, a populate) and nothing dropped it since: the model has no
 * memory pressure and no swap.  For a mapping with an object the page
 * cache counts too, as the kernel looks it up when no PTE is present; the
 * model knows only the pages of the object its mappings touched, so a
 * file the system had cached anyway reads as not resident.
 *
 * The range must start page aligned (EINVAL) and end inside user space
 * (ENOMEM); the pages are then reported VMA by VMA up to the first hole,
 * which is ENOMEM with the vector filled up to it: Linux's rules, shared
 * with the window policies (abi/lx_madvise.h: lx_mincore).
 */
#include "px_internal.h"
#include "abi/lx_madvise.h"

/* Fill vec for [start, end) inside v. */
static void fill(const void *p, uint64_t start, uint64_t end, uint8_t *vec)
{
	const struct px_vma *v = p;

	for (uint64_t a = start; a < end; a += PX_PAGE, vec++) {
		uint64_t idx = px_vma_pgoff_at(v, a);
		const struct pxp_node *n = pxp_find(&v->pages, idx);
		const struct pxp_node *o;

		*vec = n && (n->flags & PXP_PRESENT);
		/* A guard marker is pte_none_mostly(): the page cache
		 * decides, as for an empty PTE. */
		if (*vec || !v->obj)
			continue;
		o = pxp_find(&v->obj->pages, idx);
		*vec = o && (o->flags & PXP_PRESENT);
	}
}

/*
 * px_mincore - mincore(2); vec may be NULL (only the result wanted).
 */
int px_mincore(struct px_space *s, uint64_t addr, uint64_t len, uint8_t *vec)
{
	return lx_mincore(&px_madv_ops, s, addr, len, s->cfg.task_size, fill,
			  vec);
}
