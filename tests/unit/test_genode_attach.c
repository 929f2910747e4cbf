/*
 * test_genode_attach.c - Region_map::attach and detach of the Genode
 * model: every check and error in core's order, placement by natural
 * alignment with core's allocator, detach of whole attachments, the
 * base-linux rules, and the read-only views (lookup, iteration, walk).
 * gn_check runs after every operation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "genode/gn_internal.h"
#include "test_rnd.h"

#define PG 4096ULL
#define KiB 1024ULL
#define MiB (1024ULL * 1024)

static void ck(struct gn_ctx *c)
{
	char msg[256];

	if (gn_check(c, msg, sizeof(msg)))
		fail_msg("gn_check: %s", msg);
}

static struct gn_ctx *mk(enum gn_version v, const char *layout)
{
	struct gn_config cfg;
	struct gn_ctx *c;

	gn_default_config(&cfg);
	cfg.version = v;
	cfg.layout = layout ? lay_find(layout) : NULL;
	c = gn_ctx_new(&cfg);
	assert_non_null(c);
	ck(c);
	return c;
}

static struct gn_attr any(bool w)
{
	struct gn_attr a = {0};

	a.writeable = w;
	return a;
}

static struct gn_attr at(uint64_t addr, bool w)
{
	struct gn_attr a = {0};

	a.use_at = true;
	a.at = addr;
	a.writeable = w;
	return a;
}

static enum gn_attach_error att(gn_rm_cap rm, gn_ds_cap ds, struct gn_attr a,
				uint64_t *where)
{
	struct gn_range r;
	enum gn_attach_error e = gn_region_map_attach(rm, ds, &a, &r);

	ck(rm.ctx);
	if (where)
		*where = r.start;
	if (e == GN_ATTACH_OK)
		assert_int_not_equal(r.num_bytes, 0);
	return e;
}

static void det(gn_rm_cap rm, uint64_t addr)
{
	gn_region_map_detach(rm, addr);
	ck(rm.ctx);
}

static gn_ds_cap ram(struct gn_ctx *c, uint64_t size)
{
	gn_ds_cap ds;

	assert_int_equal(gn_pd_alloc_ram(gn_env_pd(c), size, &ds), GN_ALLOC_OK);
	ck(c);
	return ds;
}

static gn_rm_cap sub(struct gn_rm_connection *s, uint64_t size)
{
	gn_rm_cap m;

	assert_int_equal(gn_rm_create(s, size, &m), GN_ALLOC_OK);
	ck(m.ctx);
	return m;
}

static struct gn_rm_connection *session(struct gn_ctx *c)
{
	enum gn_session_error e;
	struct gn_rm_connection *s = gn_rm_session_open(gn_env_pd(c), &e);

	assert_non_null(s);
	ck(c);
	return s;
}

/* ---- every attach error, in core's order ---- */

static void test_attach_errors_in_order(void **state)
{
	struct gn_ctx *c = mk(GN_26_02, NULL), *other = mk(GN_26_02, NULL);
	struct gn_rm_connection *s = session(c);
	gn_rm_cap m = sub(s, 1 * MiB), dead;
	gn_ds_cap ds = ram(c, 2 * PG), freed = ram(c, PG), bad = {c, 0};
	gn_ds_cap foreign = ram(other, PG);
	struct gn_attr a;

	/* 1. an unaligned offset comes before the dataspace check */
	a = at(0, true);
	a.offset = 1;
	assert_int_equal(att(m, bad, a, NULL), GN_ATTACH_REGION_CONFLICT);
	/* 2. an invalid dataspace: null, freed, another model's */
	a.offset = 0;
	assert_int_equal(att(m, bad, a, NULL), GN_ATTACH_INVALID_DATASPACE);
	gn_pd_free_ram(gn_env_pd(c), freed);
	ck(c);
	assert_int_equal(att(m, freed, a, NULL), GN_ATTACH_INVALID_DATASPACE);
	assert_int_equal(att(m, foreign, a, NULL),
			 GN_ATTACH_INVALID_DATASPACE);
	/* a huge page-aligned offset passes step 1, fails at 2 (24.08+) */
	a.offset = ~0ULL & ~(PG - 1);
	assert_int_equal(att(m, bad, a, NULL), GN_ATTACH_INVALID_DATASPACE);
	/* 3. offset at or beyond the dataspace's end */
	assert_int_equal(att(m, ds, a, NULL), GN_ATTACH_REGION_CONFLICT);
	a.offset = 2 * PG;
	assert_int_equal(att(m, ds, a, NULL), GN_ATTACH_REGION_CONFLICT);
	/* 4./5. the window must fit the dataspace after page rounding */
	a.offset = PG;
	a.size = PG + 1;
	assert_int_equal(att(m, ds, a, NULL), GN_ATTACH_REGION_CONFLICT);
	a.offset = 0;
	a.size = 2 * PG + 1;
	assert_int_equal(att(m, ds, a, NULL), GN_ATTACH_REGION_CONFLICT);
	a.size = 2 * PG - 1;	/* rounds to 2 pages: fine */
	assert_int_equal(att(m, ds, a, NULL), GN_ATTACH_OK);
	/* 6. at: overlap, crossing the end, beyond the map, wrapping */
	a = at(PG, true);
	assert_int_equal(att(m, ds, a, NULL), GN_ATTACH_REGION_CONFLICT);
	a = at(1 * MiB - PG, true);
	assert_int_equal(att(m, ds, a, NULL), GN_ATTACH_REGION_CONFLICT);
	a = at(1 * MiB, true);
	assert_int_equal(att(m, ds, a, NULL), GN_ATTACH_REGION_CONFLICT);
	a = at(~0ULL & ~(PG - 1), true);
	assert_int_equal(att(m, ds, a, NULL), GN_ATTACH_REGION_CONFLICT);
	/* env: below the PD's range */
	a = at(0, true);
	assert_int_equal(att(gn_env_rm(c), ds, a, NULL),
			 GN_ATTACH_REGION_CONFLICT);
	/* 7. anywhere: nothing fits */
	a = any(true);
	{
		gn_rm_cap small = sub(s, 2 * PG);
		gn_ds_cap big = ram(c, 3 * PG);

		assert_int_equal(att(small, big, a, NULL),
				 GN_ATTACH_REGION_CONFLICT);
		assert_int_equal(att(small, ds, a, NULL), GN_ATTACH_OK);
		assert_int_equal(att(small, ds, a, NULL),
				 GN_ATTACH_REGION_CONFLICT);
	}
	/* a destroyed map's capability: nothing happens */
	dead = sub(s, 1 * MiB);
	gn_rm_destroy(s, dead);
	ck(c);
	assert_false(gn_rm_valid(dead));
	assert_int_equal(att(dead, ds, any(true), NULL),
			 GN_ATTACH_REGION_CONFLICT);
	det(dead, 0);
	gn_ctx_free(c);
	gn_ctx_free(other);
}

/* 20.05 refused a negative offset before looking at the dataspace. */
static void test_negative_offset_2005(void **state)
{
	struct gn_ctx *c = mk(GN_20_05, NULL);
	gn_ds_cap bad = {c, 0};
	struct gn_attr a = at(0x10000000, true);

	a.offset = ~0ULL & ~(PG - 1);
	assert_int_equal(att(gn_env_rm(c), bad, a, NULL),
			 GN_ATTACH_REGION_CONFLICT);
	gn_ctx_free(c);
}

/* ---- placement ---- */

static void test_placement_natural_alignment(void **state)
{
	struct gn_ctx *c = mk(GN_26_02, NULL);
	struct gn_rm_connection *s = session(c);
	gn_rm_cap top = sub(s, 40 * KiB), shim1 = sub(s, 24 * KiB);
	gn_rm_cap shim2 = sub(s, 16 * KiB), m = sub(s, 1 * MiB);
	gn_ds_cap d40 = ram(c, 40 * KiB), d16 = ram(c, 16 * KiB);
	gn_ds_cap d2m = ram(c, 2 * MiB);
	uint64_t where;
	struct gn_attr a;

	/* rm_nested: 24K aligns to 16K (at 0); 16K tries 16K alignment
	 * (0x8000 does not fit in 40K), then 8K: 0x6000 */
	assert_int_equal(att(top, gn_region_map_dataspace(shim1), any(true),
			     &where), GN_ATTACH_OK);
	assert_int_equal(where, 0);
	assert_int_equal(att(top, gn_region_map_dataspace(shim2), any(true),
			     &where), GN_ATTACH_OK);
	assert_int_equal(where, 0x6000);
	/* 40K aligns to 32K: 0, then 0x10000; 16K goes to the 24K hole */
	assert_int_equal(att(m, d40, any(true), &where), GN_ATTACH_OK);
	assert_int_equal(where, 0);
	assert_int_equal(att(m, d40, any(true), &where), GN_ATTACH_OK);
	assert_int_equal(where, 0x10000);
	assert_int_equal(att(m, d16, any(true), &where), GN_ATTACH_OK);
	assert_int_equal(where, 0xc000);
	/* the backing store limits the alignment: an offset of one page
	 * makes a 2 MiB dataspace page-aligned only */
	{
		gn_rm_cap g = sub(s, 16 * MiB);
		gn_ds_cap page = ram(c, PG);

		assert_int_equal(att(g, page, at(0, true), NULL), GN_ATTACH_OK);
		a = any(true);
		a.offset = PG;
		assert_int_equal(att(g, d2m, a, &where), GN_ATTACH_OK);
		assert_int_equal(where, PG);
		a.offset = 0;
		assert_int_equal(att(g, d2m, a, &where), GN_ATTACH_OK);
		assert_int_equal(where, 2 * MiB);
		/* a managed dataspace's "physical" base is 0: any
		 * alignment works */
		assert_int_equal(att(g, gn_region_map_dataspace(m), any(true),
				     &where), GN_ATTACH_OK);
		assert_int_equal(where, 4 * MiB);
	}
	gn_ctx_free(c);
}

/* Core's allocator returns the lowest aligned address of the block it
 * picks; the pruning the model adds must not change which block. */
static void test_placement_same_without_pruning(void **state)
{
	struct gn_ctx *c1 = mk(GN_26_02, NULL), *c2 = mk(GN_26_02, NULL);
	struct gn_rm_connection *s1 = session(c1), *s2 = session(c2);
	gn_rm_cap m1 = sub(s1, 256 * MiB), m2 = sub(s2, 256 * MiB);
	gn_ds_cap d1[4], d2[4];
	uint64_t addr1[300], addr2[300], x = 88172645463325252ULL;
	unsigned i, k;

	gn_rmap_get(m2)->avl.no_prune = true;
	for (k = 0; k < 4; k++) {
		d1[k] = ram(c1, (k + 1) * 3 * PG);
		d2[k] = ram(c2, (k + 1) * 3 * PG);
	}
	for (i = 0; i < 300; i++)
		addr1[i] = addr2[i] = ~0ULL;
	for (i = 0; i < 3000; i++) {
		unsigned j;
		struct gn_attr a = any(true);
		enum gn_attach_error e1, e2;

		j = (unsigned)(test_rnd(&x) % 300);
		if (addr1[j] != ~0ULL) {
			gn_region_map_detach(m1, addr1[j]);
			gn_region_map_detach(m2, addr2[j]);
			addr1[j] = addr2[j] = ~0ULL;
			continue;
		}
		k = (unsigned)((x >> 20) % 4);
		a.size = ((x >> 24) % 3 + 1) * PG;
		if (a.size > (k + 1) * 3 * PG)
			a.size = (k + 1) * 3 * PG;
		e1 = att(m1, d1[k], a, &addr1[j]);
		e2 = att(m2, d2[k], a, &addr2[j]);
		assert_int_equal(e1, e2);
		assert_int_equal(addr1[j], addr2[j]);
		if (e1)
			addr1[j] = addr2[j] = ~0ULL;
	}
	gn_ctx_free(c1);
	gn_ctx_free(c2);
}

/* ---- detach ---- */

static void test_detach_whole_attachment(void **state)
{
	struct gn_ctx *c = mk(GN_26_02, NULL);
	struct gn_rm_connection *s = session(c);
	gn_rm_cap m = sub(s, 1 * MiB);
	gn_ds_cap ds = ram(c, 3 * PG);
	struct gn_attachment att_info;
	uint64_t n;

	assert_int_equal(att(m, ds, at(0x10000, true), NULL), GN_ATTACH_OK);
	n = gn_region_map_count(m);
	/* free space: a no-op */
	det(m, 0x20000);
	assert_int_equal(gn_region_map_count(m), n);
	/* any address inside removes the whole attachment */
	det(m, 0x10000 + PG + 5);
	assert_int_equal(gn_region_map_count(m), n - 1);
	assert_false(gn_region_map_lookup(m, 0x10000, &att_info));
	det(m, 0x10000);
	/* the range is free again, also for a larger attachment */
	assert_int_equal(att(m, ds, at(0x10000, true), NULL), GN_ATTACH_OK);
	gn_ctx_free(c);
}

/* base-linux: Region_map_mmap has its own rules */
static void test_linux_rules(void **state)
{
	struct gn_ctx *c = mk(GN_26_02, "linux-x86_64");
	struct gn_rm_connection *s = session(c);
	gn_rm_cap m = sub(s, 1 * MiB), inner = sub(s, 64 * KiB);
	gn_ds_cap ds = ram(c, 2 * PG);
	struct gn_attachment x;
	struct gn_attr a;
	uint64_t where;

	assert_int_equal(att(m, ds, any(true), NULL),
			 GN_ATTACH_REGION_CONFLICT);
	assert_int_equal(att(m, gn_region_map_dataspace(inner), at(0, true),
			     NULL), GN_ATTACH_INVALID_DATASPACE);
	/* a window beyond the dataspace is clamped, not refused */
	a = at(0x10000, true);
	a.size = 16 * PG;
	assert_int_equal(att(m, ds, a, NULL), GN_ATTACH_OK);
	assert_true(gn_region_map_lookup(m, 0x10000 + PG, &x));
	assert_int_equal(x.size, 2 * PG);
	/* the end of a sub map is checked against the region's size */
	assert_int_equal(att(m, ds, at(1 * MiB - PG, true), NULL),
			 GN_ATTACH_REGION_CONFLICT);
	/* a sub map is attached to env once */
	assert_int_equal(att(gn_env_rm(c), gn_region_map_dataspace(m),
			     any(true), &where), GN_ATTACH_OK);
	assert_int_equal(att(gn_env_rm(c), gn_region_map_dataspace(m),
			     any(true), NULL), GN_ATTACH_REGION_CONFLICT);
	/* detach wants the exact start */
	det(m, 0x10000 + PG);
	assert_int_equal(gn_region_map_count(m), 1);
	det(m, 0x10000);
	assert_int_equal(gn_region_map_count(m), 0);
	gn_ctx_free(c);
}

/* ---- looking at maps ---- */

static void test_lookup_iterate_walk(void **state)
{
	struct gn_ctx *c = mk(GN_26_02, NULL);
	struct gn_rm_connection *s = session(c);
	gn_rm_cap m = sub(s, 1 * MiB);
	gn_ds_cap ds = ram(c, 4 * PG);
	struct gn_attachment x;
	struct gn_attr a;
	struct gn_walk w;
	uint64_t base, next, n = 0, start, end;

	a = at(0x20000, true);
	a.offset = PG;
	a.size = 2 * PG;
	assert_int_equal(att(m, ds, a, NULL), GN_ATTACH_OK);
	assert_int_equal(att(m, ds, at(0x8000, false), NULL), GN_ATTACH_OK);
	assert_true(gn_region_map_lookup(m, 0x21fff, &x));
	assert_int_equal(x.base, 0x20000);
	assert_int_equal(x.size, 2 * PG);
	assert_int_equal(x.offset, PG);
	assert_true(x.writeable);
	assert_false(x.reserved);
	assert_int_equal(x.ds.id, ds.id);
	for (next = 0; gn_region_map_next(m, next, &x); next = x.base + x.size)
		n++;
	assert_int_equal(n, 2);
	assert_int_equal(gn_region_map_count(m), 2);
	gn_region_map_range(m, &start, &end);
	assert_int_equal(start, 0);
	assert_int_equal(end, 1 * MiB);
	/* a walk through env into the map and down to the dataspace */
	assert_int_equal(att(gn_env_rm(c), gn_region_map_dataspace(m),
			     any(true), &base), GN_ATTACH_OK);
	gn_walk(gn_env_rm(c), base + 0x20010, GN_WRITE, &w);
	assert_int_equal(w.result, GN_WALK_RESOLVED);
	assert_int_equal(w.nsteps, 2);
	assert_int_equal(w.step[1].map.id, m.id);
	assert_int_equal(w.step[1].addr, 0x20010);
	assert_int_equal(w.ds.id, ds.id);
	assert_int_equal(w.ds_offset, PG + 0x10);
	assert_true(w.readable && w.writeable && !w.executable);
	gn_walk(gn_env_rm(c), base + 0x8000, GN_WRITE, &w);
	assert_int_equal(w.result, GN_WALK_WRITE_VIOLATION);
	assert_int_equal(w.fault_map.id, m.id);
	assert_int_equal(w.fault.type, GN_FAULT_WRITE);
	assert_int_equal(w.fault.addr, 0x8000);
	assert_false(w.queued);	/* no handler */
	gn_walk(gn_env_rm(c), base + 0x30000, GN_READ, &w);
	assert_int_equal(w.result, GN_WALK_NO_REGION);
	assert_int_equal(w.fault.addr, 0x30000);
	gn_ctx_free(c);
}

/* The same dataspace and map attached several times, at offsets. */
static void test_several_attachments(void **state)
{
	struct gn_ctx *c = mk(GN_26_02, NULL);
	struct gn_rm_connection *s = session(c);
	gn_rm_cap m = sub(s, 64 * KiB);
	gn_ds_cap ds = ram(c, 4 * PG);
	struct gn_attr a;
	uint64_t b1, b2, b3;
	uint8_t v;

	assert_int_equal(att(m, ds, at(0, true), NULL), GN_ATTACH_OK);
	assert_int_equal(att(gn_env_rm(c), gn_region_map_dataspace(m),
			     any(true), &b1), GN_ATTACH_OK);
	assert_int_equal(att(gn_env_rm(c), gn_region_map_dataspace(m),
			     any(true), &b2), GN_ATTACH_OK);
	a = any(true);
	a.offset = 2 * PG;
	a.size = 2 * PG;
	assert_int_equal(att(gn_env_rm(c), gn_region_map_dataspace(m), a, &b3),
			 GN_ATTACH_OK);
	assert_int_equal(gn_store(c, b1 + 2 * PG + 3, 0x77), GN_ACCESS_OK);
	assert_int_equal(gn_load(c, b2 + 2 * PG + 3, &v), GN_ACCESS_OK);
	assert_int_equal(v, 0x77);
	assert_int_equal(gn_load(c, b3 + 3, &v), GN_ACCESS_OK);
	assert_int_equal(v, 0x77);
	ck(c);
	gn_ctx_free(c);
}

/*
 * The allocator's checker can fail: every summary a node keeps of a
 * child (its max_avail, depth, max_fit and room), a node's own
 * max_avail and the tree's block count, each changed by one, is found.
 */
static void test_avl_check_finds_each_summary(void **state)
{
	struct gn_account acct = {UINT64_MAX, 0, UINT64_MAX, 0, 0, 0, NULL};
	static const uint64_t at[] = {0x110000, 0x150000, 0x180000, 0x1a0000,
				      0x1c0000};
	struct gn_avl t;
	struct gn_blk *b, *out;
	char msg[256];
	unsigned i, found = 0;
	int c;

	(void)state;
	gn_avl_init(&t, 32, 4096, &acct, NULL);
	assert_int_equal(gn_avl_add_range(&t, 0x100000, 0x100000), GN_ALLOC_OK);
	for (i = 0; i < sizeof(at) / sizeof(at[0]); i++)
		assert_int_equal(
			gn_avl_alloc_addr(&t, 0x1000 << i, at[i], &out),
			GN_ALLOC_OK);
	assert_int_equal(gn_avl_check(&t, msg, sizeof(msg)), 0);
	for (b = gn_avl_first(&t); b; b = gn_avl_next(b))
		for (c = 0; c < 2; c++) {
			if (!b->child[c])
				continue;
			found++;
			b->cmax[c]++;
			assert_int_equal(gn_avl_check(&t, msg, sizeof(msg)),
					 -1);
			b->cmax[c]--;
			b->cdepth[c]++;
			assert_int_equal(gn_avl_check(&t, msg, sizeof(msg)),
					 -1);
			b->cdepth[c]--;
			b->cfit[c]++;
			assert_int_equal(gn_avl_check(&t, msg, sizeof(msg)),
					 -1);
			b->cfit[c]--;
			b->croom[c]++;
			assert_int_equal(gn_avl_check(&t, msg, sizeof(msg)),
					 -1);
			b->croom[c]--;
			assert_int_equal(gn_avl_check(&t, msg, sizeof(msg)), 0);
		}
	assert_true(found >= 4);
	b = gn_avl_first(&t);
	b->max_avail++;
	assert_int_equal(gn_avl_check(&t, msg, sizeof(msg)), -1);
	b->max_avail--;
	t.blocks++;
	assert_int_equal(gn_avl_check(&t, msg, sizeof(msg)), -1);
	assert_non_null(strstr(msg, "tree holds"));
	t.blocks--;
	assert_int_equal(gn_avl_check(&t, msg, sizeof(msg)), 0);
	gn_avl_destroy(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_attach_errors_in_order),
		cmocka_unit_test(test_negative_offset_2005),
		cmocka_unit_test(test_placement_natural_alignment),
		cmocka_unit_test(test_placement_same_without_pruning),
		cmocka_unit_test(test_detach_whole_attachment),
		cmocka_unit_test(test_linux_rules),
		cmocka_unit_test(test_lookup_iterate_walk),
		cmocka_unit_test(test_several_attachments),
		cmocka_unit_test(test_avl_check_finds_each_summary),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
