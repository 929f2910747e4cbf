/*
 * test_genode_layout.c - the address-space layouts and what the Genode
 * model builds from them into env at start: the PD's range per kernel
 * and version, ld.lib.so, the linker area (by version) with the program
 * inside, the stack area, and their rights along the path.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "genode/gn_internal.h"

#define MiB (1024ULL * 1024)
#define GiB (1024ULL * MiB)

static void ck(struct gn_ctx *c)
{
	char msg[256];

	if (gn_check(c, msg, sizeof(msg)))
		fail_msg("gn_check: %s", msg);
}

static void test_layout_table(void **state)
{
	uint64_t s, e;

	assert_int_equal(lay_count(), 8);
	assert_string_equal(lay_default()->name, "nova-x86_64");
	assert_null(lay_find("nova"));
	assert_null(lay_at(8));
	assert_true(lay_va_range(lay_find("nova-x86_64"), 2602, &s, &e));
	assert_int_equal(s, 0x1000);
	assert_int_equal(e, 0x7fffc0000000ULL);
	lay_va_range(lay_find("hw-64"), 2602, &s, &e);
	assert_int_equal(s, 0x2000);
	assert_int_equal(e, 256 * GiB);
	lay_va_range(lay_find("hw-32"), 2602, &s, &e);
	assert_int_equal(e, 0x80000000ULL);
	lay_va_range(lay_find("sel4-64"), 2408, &s, &e);
	assert_int_equal(e, 8 * GiB);
	lay_va_range(lay_find("sel4-64"), 2602, &s, &e);
	assert_int_equal(e, 64 * GiB);
	lay_va_range(lay_find("okl4-x86_32"), 2005, &s, &e);
	assert_int_equal(e, 0xc0000000ULL);
	assert_false(lay_va_range(lay_find("linux-x86_64"), 2602, &s, &e));
	assert_int_equal(lay_linker_area_size(2005), 160 * MiB);
	assert_int_equal(lay_linker_area_size(2408), 256 * MiB);
	assert_int_equal(lay_linker_area_size(2602), 320 * MiB);
	assert_string_equal(lay_kernel_name(LAY_SEL4), "sel4");
}

/* Every layout and version builds a consistent env. */
static void test_env_built(void **state)
{
	enum gn_version v;
	size_t i;

	for (v = 0; v < GN_NVERSIONS; v++)
		for (i = 0; i < lay_count(); i++) {
			const struct lay_layout *l = lay_at(i);
			struct gn_config cfg;
			struct gn_ctx *c;
			struct gn_attachment a;
			uint64_t s, e, rs, re;
			gn_rm_cap la;
			bool in;

			gn_default_config(&cfg);
			cfg.version = v;
			cfg.layout = l;
			c = gn_ctx_new(&cfg);
			ck(c);
			assert_ptr_equal(gn_ctx_layout(c), l);
			assert_int_equal(gn_ctx_version(c), v);
			lay_va_range(l, gn_version_number(v), &s, &e);
			gn_region_map_range(gn_env_rm(c), &rs, &re);
			assert_int_equal(rs, s);
			assert_int_equal(re, e);
			/* the linker area: managed, rwx, by version */
			assert_true(gn_region_map_lookup(gn_env_rm(c),
							 LAY_PROGRAM_ADDR, &a));
			assert_int_equal(a.base, LAY_PROGRAM_ADDR);
			assert_int_equal(a.size,
					 gn_behaviour(v)->linker_area_size);
			/* 20.05 recorded the managed dataspace's own
			 * writability (none) in the region */
			assert_int_equal(a.writeable, v >= GN_24_08 ||
						      l->kernel == LAY_LINUX);
			assert_true(a.executable);
			la = gn_pd_linker_area(gn_env_pd(c));
			assert_int_equal(a.ds.id,
					 gn_region_map_dataspace(la).id);
			/* the stack area: rw, not executable */
			assert_true(gn_region_map_lookup(gn_env_rm(c),
							 LAY_STACK_AREA_ADDR,
							 &a));
			assert_int_equal(a.size, LAY_STACK_AREA_SIZE);
			assert_int_equal(a.writeable, v >= GN_24_08 ||
						      l->kernel == LAY_LINUX);
			assert_false(a.executable);
			/* ld.lib.so at its link address, except on Linux */
			in = gn_region_map_lookup(gn_env_rm(c),
						  LAY_LDSO_ADDR, &a);
			assert_int_equal(in, l->kernel != LAY_LINUX);
			gn_ctx_free(c);
		}
}

/* Rights of the fixed areas along the path. */
static void test_fixed_area_rights(void **state)
{
	struct gn_config cfg;
	struct gn_ctx *c;
	struct gn_walk w;
	uint8_t b;

	gn_default_config(&cfg);
	c = gn_ctx_new(&cfg);
	/* program text: r-x in an rwx area */
	gn_walk(gn_env_rm(c), LAY_PROGRAM_ADDR, GN_EXEC, &w);
	assert_int_equal(w.result, GN_WALK_RESOLVED);
	assert_int_equal(w.nsteps, 2);
	assert_false(w.writeable);
	assert_int_equal(gn_exec(c, LAY_PROGRAM_ADDR), GN_ACCESS_OK);
	assert_int_not_equal(gn_store(c, LAY_PROGRAM_ADDR, 1), GN_ACCESS_OK);
	/* program data: rw- */
	assert_int_equal(gn_store(c, LAY_PROGRAM_ADDR + 0x10000, 1),
			 GN_ACCESS_OK);
	assert_int_not_equal(gn_exec(c, LAY_PROGRAM_ADDR + 0x10000),
			     GN_ACCESS_OK);
	/* ld.lib.so text */
	assert_int_equal(gn_load(c, LAY_LDSO_ADDR, &b), GN_ACCESS_OK);
	assert_int_equal(gn_exec(c, LAY_LDSO_ADDR), GN_ACCESS_OK);
	/* the empty rest of the linker and stack areas fault there */
	gn_walk(gn_env_rm(c), LAY_PROGRAM_ADDR + 64 * MiB, GN_READ, &w);
	assert_int_equal(w.result, GN_WALK_NO_REGION);
	assert_int_equal(w.fault_map.id, gn_pd_linker_area(gn_env_pd(c)).id);
	assert_int_equal(w.fault.addr, 64 * MiB);
	gn_walk(gn_env_rm(c), LAY_STACK_AREA_ADDR + 0x1234, GN_READ, &w);
	assert_int_equal(w.fault_map.id, gn_pd_stack_area(gn_env_pd(c)).id);
	assert_int_equal(w.fault.addr, 0x1234);
	/* attach anywhere avoids every fixed area */
	{
		gn_ds_cap ds;
		struct gn_attr a = {0};
		struct gn_range r;
		unsigned i;

		assert_int_equal(gn_pd_alloc_ram(gn_env_pd(c), 1 * MiB, &ds),
				 GN_ALLOC_OK);
		for (i = 0; i < 32; i++) {
			assert_int_equal(gn_region_map_attach(gn_env_rm(c), ds,
							      &a, &r),
					 GN_ATTACH_OK);
			assert_true(r.start + r.num_bytes <= LAY_LDSO_ADDR ||
				    r.start >= LAY_LDSO_ADDR + 0x100000);
			assert_true(r.start + r.num_bytes <= LAY_PROGRAM_ADDR ||
				    r.start >= LAY_PROGRAM_ADDR + 320 * MiB);
			assert_true(r.start + r.num_bytes <=
					    LAY_STACK_AREA_ADDR ||
				    r.start >= LAY_STACK_AREA_ADDR +
						       LAY_STACK_AREA_SIZE);
		}
	}
	ck(c);
	gn_ctx_free(c);
}

/* The version table answers for every release, with names. */
static void test_versions(void **state)
{
	enum gn_version v;

	assert_int_equal(gn_version_parse("24.08", &v), 0);
	assert_int_equal(v, GN_24_08);
	assert_int_equal(gn_version_parse("24.05", &v), -1);
	assert_string_equal(gn_version_name(GN_20_05), "20.05");
	assert_int_equal(gn_version_number(GN_26_02), 2602);
	assert_true(gn_behaviour(GN_26_02)->reserve_on_implicit_detach);
	assert_false(gn_behaviour(GN_20_05)->reserve_on_implicit_detach);
	assert_true(gn_behaviour(GN_20_05)->api_default_writeable);
	assert_false(gn_behaviour(GN_24_08)->api_default_writeable);
	assert_int_equal(gn_behaviour(GN_20_05)->rm_create_attempts, 16);
	for (v = 0; v < GN_NVERSIONS; v++)
		assert_int_equal(gn_behaviour(v)->linker_area_size,
				 lay_linker_area_size(gn_version_number(v)));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_layout_table),
		cmocka_unit_test(test_env_built),
		cmocka_unit_test(test_fixed_area_rights),
		cmocka_unit_test(test_versions),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
