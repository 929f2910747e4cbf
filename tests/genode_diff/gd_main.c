/*
 * gd_main.c - the driver of scripts/genode-diff: random region-map
 * workloads run through Genode's allocator and the model's side by side,
 * stopping at the first answer that differs.
 *
 * ALGORITHM
 *   A run is a series of allocators ("maps"), each over a random range
 *   (a small sub map, a large one, or a component's address space) with
 *   a random RAM and cap quota for its metadata.  Each map lives for a
 *   random number of operations, drawn as:
 *     attach anywhere   core's loop: alloc_aligned from log2(size) down
 *                       to a page, first success or metadata error wins;
 *     aligned alloc     one alloc_aligned at a random alignment;
 *     attach at         alloc_addr at a random page, near or far from
 *                       what is allocated (conflicts included);
 *     detach            free of an allocated block, by its start or by
 *                       an address inside it, or of free space;
 *     upgrade           the quota raised (or lowered below its use,
 *                       so metadata growth fails);
 *   with phases that grow the population (slab blocks are added) and
 *   shrink it (slab blocks are released).  After each operation the
 *   result, the address, the slab's block count and free entries and
 *   the quota used are compared; every 256 operations and at the end of
 *   each map the free bytes as well.
 *
 * Output: "identical over N operations" and exit 0, or the first
 * difference with the operation, the map and both answers and exit 1.
 */
#include "gd.h"

#include "test_rnd.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PAGE 4096ULL

struct map {
	struct gd_side *g, *m;
	uint64_t base, size;
	uint64_t ram_limit, caps_limit;
	uint64_t *live;		/* start addresses of allocated blocks */
	uint64_t *lsize;
	size_t n, cap;
	unsigned id;
};

static uint64_t rng;
static uint64_t ops_done;
static uint64_t results[4];	/* per enum gd_err, over every call */
static uint64_t peak_blocks;	/* slab blocks, most in one map */
static const char *op_name;
static char op_args[160];

static uint64_t rnd(uint64_t n)
{
	return n ? test_rnd(&rng) % n : 0;
}

static const char *err_name(enum gd_err e)
{
	static const char *const names[] = {"ok", "OUT_OF_RAM", "OUT_OF_CAPS",
					    "DENIED"};

	return names[e];
}

static void differ(const struct map *mp, const char *what,
		   const char *genode, const char *model)
{
	printf("difference at operation %" PRIu64 " (map %u [0x%" PRIx64
	       ", 0x%" PRIx64 "), %zu blocks allocated): %s %s\n"
	       "  %s: Genode %s, model %s\n",
	       ops_done, mp->id, mp->base, mp->base + mp->size, mp->n,
	       op_name, op_args, what, genode, model);
	exit(1);
}

static void compare_state(const struct map *mp, int with_avail)
{
	struct gd_state g, m;
	char a[64], b[64];

	gd_genode_state(mp->g, &g);
	gd_model_state(mp->m, &m);
	if (g.slab_blocks > peak_blocks)
		peak_blocks = g.slab_blocks;
#define CMP(field, label)                                                    \
	if (g.field != m.field) {                                            \
		snprintf(a, sizeof(a), "%" PRIu64, g.field);                 \
		snprintf(b, sizeof(b), "%" PRIu64, m.field);                 \
		differ(mp, label, a, b);                                     \
	}
	CMP(slab_blocks, "slab blocks")
	CMP(slab_free, "free slab entries")
	CMP(ram_used, "quota RAM used")
	CMP(caps_used, "quota caps used")
#undef CMP
	if (with_avail) {
		uint64_t ga = gd_genode_avail(mp->g);
		uint64_t ma = gd_model_avail(mp->m);

		if (ga != ma) {
			snprintf(a, sizeof(a), "%" PRIu64, ga);
			snprintf(b, sizeof(b), "%" PRIu64, ma);
			differ(mp, "free bytes", a, b);
		}
	}
}

static void compare_result(const struct map *mp, enum gd_err ge,
			   uint64_t ga, enum gd_err me, uint64_t ma)
{
	char a[64], b[64];

	results[ge]++;
	if (ge != me)
		differ(mp, "result", err_name(ge), err_name(me));
	if (ge == GD_OK && ga != ma) {
		snprintf(a, sizeof(a), "0x%" PRIx64, ga);
		snprintf(b, sizeof(b), "0x%" PRIx64, ma);
		differ(mp, "address", a, b);
	}
}

static void live_add(struct map *mp, uint64_t addr, uint64_t size)
{
	if (mp->n == mp->cap) {
		mp->cap = mp->cap ? 2 * mp->cap : 256;
		mp->live = realloc(mp->live, mp->cap * sizeof(*mp->live));
		mp->lsize = realloc(mp->lsize, mp->cap * sizeof(*mp->lsize));
		if (!mp->live || !mp->lsize)
			abort();
	}
	mp->live[mp->n] = addr;
	mp->lsize[mp->n++] = size;
}

/* Drop the live block containing @addr, if any (a free took it). */
static void live_drop(struct map *mp, uint64_t addr)
{
	size_t i;

	for (i = 0; i < mp->n; i++)
		if (addr >= mp->live[i] && addr - mp->live[i] < mp->lsize[i]) {
			mp->live[i] = mp->live[--mp->n];
			mp->lsize[i] = mp->lsize[mp->n];
			return;
		}
}

/* A region size: mostly a few pages, sometimes large. */
static uint64_t rnd_size(const struct map *mp)
{
	uint64_t s;

	switch (rnd(8)) {
	case 0:
		s = (1 + rnd(1024)) * PAGE;
		break;
	case 1:
		s = PAGE << rnd(20);
		break;
	default:
		s = (1 + rnd(8)) * PAGE;
	}
	return s > mp->size ? mp->size : s;
}

static unsigned log2_floor(uint64_t v)
{
	return 63 - (unsigned)__builtin_clzll(v);
}

static void op_attach_anywhere(struct map *mp)
{
	uint64_t size = rnd_size(mp), ga = 0, ma = 0;
	enum gd_err ge = GD_DENIED, me = GD_DENIED;
	unsigned al;

	op_name = "attach-anywhere";
	snprintf(op_args, sizeof(op_args), "size 0x%" PRIx64, size);
	/* Region_map_component::attach: from the size's alignment down */
	for (al = log2_floor(size); al >= 12; al--) {
		ge = gd_genode_alloc_aligned(mp->g, size, al, &ga);
		me = gd_model_alloc_aligned(mp->m, size, al, &ma);
		compare_result(mp, ge, ga, me, ma);
		if (ge != GD_DENIED)
			break;
	}
	if (ge == GD_OK)
		live_add(mp, ga, size);
}

static void op_alloc_aligned(struct map *mp)
{
	uint64_t size = rnd_size(mp), ga = 0, ma = 0;
	unsigned al = 12 + (unsigned)rnd(log2_floor(size) - 12 + 3);
	enum gd_err ge, me;

	op_name = "alloc_aligned";
	snprintf(op_args, sizeof(op_args), "size 0x%" PRIx64 " align 2^%u",
		 size, al);
	ge = gd_genode_alloc_aligned(mp->g, size, al, &ga);
	me = gd_model_alloc_aligned(mp->m, size, al, &ma);
	compare_result(mp, ge, ga, me, ma);
	if (ge == GD_OK)
		live_add(mp, ga, size);
}

static void op_alloc_addr(struct map *mp)
{
	uint64_t size = rnd_size(mp), at;
	enum gd_err ge, me;

	if (mp->n && rnd(2)) {
		/* near something allocated: conflicts and tight fits */
		size_t i = (size_t)rnd(mp->n);

		at = mp->live[i] + mp->lsize[i] + (rnd(5) - 2) * PAGE;
	} else {
		at = mp->base + rnd(mp->size / PAGE) * PAGE;
	}
	op_name = "alloc_addr";
	snprintf(op_args, sizeof(op_args), "size 0x%" PRIx64 " at 0x%" PRIx64,
		 size, at);
	ge = gd_genode_alloc_addr(mp->g, size, at);
	me = gd_model_alloc_addr(mp->m, size, at);
	compare_result(mp, ge, at, me, at);
	if (ge == GD_OK)
		live_add(mp, at, size);
}

static void op_free(struct map *mp)
{
	uint64_t at;

	if (mp->n && rnd(16)) {
		size_t i = (size_t)rnd(mp->n);

		/* by its start, or (core's detach) anywhere inside */
		at = mp->live[i] + (rnd(4) ? 0 : rnd(mp->lsize[i]));
	} else {
		at = mp->base + rnd(mp->size);
	}
	op_name = "free";
	snprintf(op_args, sizeof(op_args), "at 0x%" PRIx64, at);
	gd_genode_free(mp->g, at);
	gd_model_free(mp->m, at);
	live_drop(mp, at);
}

static void op_limits(struct map *mp, const struct gd_costs *c)
{
	struct gd_state g;

	gd_genode_state(mp->g, &g);
	/* sometimes just enough for what is held, so the next slab block
	 * fails; otherwise room for a few more blocks, limited by RAM or
	 * by caps */
	mp->ram_limit = g.ram_used + rnd(6) * c->block_ram + rnd(c->block_ram);
	mp->caps_limit = g.caps_used + rnd(6);
	op_name = "upgrade";
	snprintf(op_args, sizeof(op_args), "ram 0x%" PRIx64 " caps %" PRIu64,
		 mp->ram_limit, mp->caps_limit);
	gd_genode_limits(mp->g, mp->ram_limit, mp->caps_limit);
	gd_model_limits(mp->m, mp->ram_limit, mp->caps_limit);
}

static void map_open(struct map *mp, unsigned id, const struct gd_costs *c)
{
	static const uint64_t sizes[] = {64ULL << 20, 1ULL << 30, 64ULL << 30,
					 0x7fffc0000000ULL - 0x1000};

	memset(mp, 0, sizeof(*mp));
	mp->id = id;
	mp->size = sizes[rnd(4)];
	mp->base = mp->size == sizes[3] ? 0x1000 : 0;
	mp->ram_limit = rnd(4) ? UINT64_MAX / 2 : rnd(64) * c->block_ram;
	mp->caps_limit = rnd(4) ? UINT64_MAX / 2 : rnd(64);
	op_name = "open";
	snprintf(op_args, sizeof(op_args), "[0x%" PRIx64 ", 0x%" PRIx64 ")",
		 mp->base, mp->base + mp->size);
	mp->g = gd_genode_new(mp->base, mp->size, mp->ram_limit,
			      mp->caps_limit, c);
	mp->m = gd_model_new(mp->base, mp->size, mp->ram_limit, mp->caps_limit,
			     c);
	compare_state(mp, 1);
}

static void map_close(struct map *mp)
{
	compare_state(mp, 1);
	/* Genode's ~Allocator_avl_tpl retries remove_range for as long as
	 * metadata allocation fails, forever when the quota is exhausted
	 * (_revert_unused_ranges counts the failed attempt as progress):
	 * destroy with quota to spare */
	gd_genode_limits(mp->g, UINT64_MAX / 2, UINT64_MAX / 2);
	gd_genode_delete(mp->g);
	gd_model_delete(mp->m);
	free(mp->live);
	free(mp->lsize);
}

static int usage(void)
{
	fprintf(stderr, "usage: genode-diff-driver [--ops N] [--seed S]\n");
	return 64;
}

int main(int argc, char **argv)
{
	uint64_t ops = 300000, seed = 1, left, epb = 0;
	struct gd_costs c;
	unsigned id = 0;
	int i;

	for (i = 1; i < argc; i++) {
		char *end;

		if (i + 1 >= argc)
			return usage();
		if (strcmp(argv[i], "--ops") == 0)
			ops = strtoull(argv[++i], &end, 0);
		else if (strcmp(argv[i], "--seed") == 0)
			seed = strtoull(argv[++i], &end, 0);
		else
			return usage();
		if (*end)
			return usage();
	}
	rng = seed * 0x9e3779b97f4a7c15ULL + 1;
	gd_model_costs(&c);
	while (ops_done < ops) {
		struct map mp;
		uint64_t life = 1 + rnd(40000), grow = 1 + rnd(3000), k;

		map_open(&mp, id++, &c);
		if (!epb) {
			/* add_range took one entry of the first block */
			struct gd_state st;

			gd_genode_state(mp.g, &st);
			epb = st.slab_free + 1;
		}
		for (k = 0; k < life && ops_done < ops; k++, ops_done++) {
			/* phases of growth and shrinkage */
			int growing = (k / grow) % 2 == 0;
			uint64_t r = rnd(100);

			if (r < 1)
				op_limits(&mp, &c);
			else if (r < (growing ? 40u : 15u))
				op_attach_anywhere(&mp);
			else if (r < (growing ? 60u : 25u))
				op_alloc_aligned(&mp);
			else if (r < (growing ? 75u : 35u))
				op_alloc_addr(&mp);
			else
				op_free(&mp);
			compare_state(&mp, k % 256 == 0);
		}
		map_close(&mp);
	}
	left = ops_done;
	printf("identical over %" PRIu64 " operations (%u maps, seed %" PRIu64
	       ", %" PRIu64 " metadata entries per slab block, up to %" PRIu64
	       " blocks; allocations: %" PRIu64 " ok, %" PRIu64 " DENIED, %"
	       PRIu64 " OUT_OF_RAM, %" PRIu64 " OUT_OF_CAPS)\n",
	       left, id, seed, epb, peak_blocks, results[GD_OK],
	       results[GD_DENIED], results[GD_OUT_OF_RAM],
	       results[GD_OUT_OF_CAPS]);
	return 0;
}
