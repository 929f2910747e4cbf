/*
 * gd_model.c - the model's side of scripts/genode-diff: rmsim's
 * Allocator_avl (sim/genode/gn_avl.c) with its metadata slab
 * (gn_slab.c) charging a quota account, exactly as a sub region map of
 * the Genode model uses them (gn_rmap_new).
 */
#include "genode/gn_internal.h"
#include "gd.h"

#include <stdlib.h>

struct gd_side {
	struct gn_avl t;
	struct gn_account acct;
};

void gd_model_costs(struct gd_costs *out)
{
	struct gn_costs c;

	gn_costs_for(64, &c);
	out->block_ram = c.md_block_ram;
	/* invert slab.cc's entries-per-block formula for the entry size the
	 * model assumes: the largest entry giving md_epb entries */
	out->entry_size = (c.md_slab_block - 4 * c.word - c.word) / c.md_epb -
			  c.word - 1;
}

static enum gd_err err_of(enum gn_alloc_error e)
{
	switch (e) {
	case GN_ALLOC_OK:
		return GD_OK;
	case GN_ALLOC_OUT_OF_RAM:
		return GD_OUT_OF_RAM;
	case GN_ALLOC_OUT_OF_CAPS:
		return GD_OUT_OF_CAPS;
	default:
		return GD_DENIED;
	}
}

struct gd_side *gd_model_new(uint64_t base, uint64_t size, uint64_t ram_limit,
			     uint64_t caps_limit, const struct gd_costs *costs)
{
	struct gd_side *s = calloc(1, sizeof(*s));
	struct gn_costs c;

	if (!s)
		abort();
	gn_costs_for(64, &c);
	s->acct.ram_limit = ram_limit;
	s->acct.caps_limit = caps_limit;
	gn_avl_init(&s->t, c.md_epb, costs->block_ram, &s->acct, NULL);
	(void)gn_avl_add_range(&s->t, base, size);
	return s;
}

void gd_model_delete(struct gd_side *s)
{
	gn_avl_destroy(&s->t);
	free(s);
}

enum gd_err gd_model_alloc_aligned(struct gd_side *s, uint64_t size,
				   unsigned align_log2, uint64_t *addr)
{
	struct gn_blk *b = NULL;
	enum gn_alloc_error e = gn_avl_alloc_aligned(&s->t, size, align_log2,
						     &b);

	*addr = e == GN_ALLOC_OK ? b->addr : 0;
	return err_of(e);
}

enum gd_err gd_model_alloc_addr(struct gd_side *s, uint64_t size,
				uint64_t addr)
{
	struct gn_blk *b = NULL;

	return err_of(gn_avl_alloc_addr(&s->t, size, addr, &b));
}

void gd_model_free(struct gd_side *s, uint64_t addr)
{
	gn_avl_free(&s->t, addr);
}

void gd_model_limits(struct gd_side *s, uint64_t ram_limit,
		     uint64_t caps_limit)
{
	s->acct.ram_limit = ram_limit;
	s->acct.caps_limit = caps_limit;
}

void gd_model_state(struct gd_side *s, struct gd_state *out)
{
	out->slab_blocks = s->t.md.has_curr ? s->t.md.num_blocks : 0;
	out->slab_free = s->t.md.has_curr ? s->t.md.total_avail : 0;
	out->ram_used = s->acct.ram_used;
	out->caps_used = s->acct.caps_used;
}

uint64_t gd_model_avail(struct gd_side *s)
{
	struct gn_blk *b;
	uint64_t n = 0;

	for (b = gn_avl_first(&s->t); b; b = gn_avl_next(b))
		if (!b->used)
			n += b->size;
	return n;
}
