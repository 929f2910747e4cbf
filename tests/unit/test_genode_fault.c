/*
 * test_genode_fault.c - nesting, rights and faults in the Genode model:
 * managed dataspaces at offsets and in windows, rights along the path by
 * version, the five-map limit, faults queued FIFO at the innermost
 * responsible map in its coordinates, wake-ups by a covering attach on
 * that map only, blocked threads finishing their access later, the
 * built-in handlers and a C handler with its context.  gn_check runs
 * after every operation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <string.h>

#include "genode/gn_internal.h"

#define PG 4096ULL
#define KiB 1024ULL
#define MiB (1024ULL * 1024)

static void ck(struct gn_ctx *c)
{
	char msg[256];

	if (gn_check(c, msg, sizeof(msg)))
		fail_msg("gn_check: %s", msg);
}

static struct gn_ctx *mk(enum gn_version v)
{
	struct gn_config cfg;
	struct gn_ctx *c;

	gn_default_config(&cfg);
	cfg.version = v;
	c = gn_ctx_new(&cfg);
	ck(c);
	return c;
}

static struct gn_attr attr(bool use_at, uint64_t addr, bool w, bool x)
{
	struct gn_attr a = {0};

	a.use_at = use_at;
	a.at = addr;
	a.writeable = w;
	a.executable = x;
	return a;
}

static uint64_t att(gn_rm_cap rm, gn_ds_cap ds, struct gn_attr a)
{
	struct gn_range r;

	assert_int_equal(gn_region_map_attach(rm, ds, &a, &r), GN_ATTACH_OK);
	ck(rm.ctx);
	return r.start;
}

static gn_ds_cap ram(struct gn_ctx *c, uint64_t size)
{
	gn_ds_cap ds;

	assert_int_equal(gn_pd_alloc_ram(gn_env_pd(c), size, &ds), GN_ALLOC_OK);
	ck(c);
	return ds;
}

static struct gn_rm_connection *session(struct gn_ctx *c)
{
	enum gn_session_error e;
	struct gn_rm_connection *s = gn_rm_session_open(gn_env_pd(c), &e);

	assert_non_null(s);
	return s;
}

static gn_rm_cap sub(struct gn_rm_connection *s, uint64_t size)
{
	gn_rm_cap m;

	assert_int_equal(gn_rm_create(s, size, &m), GN_ALLOC_OK);
	ck(m.ctx);
	return m;
}

static void handler(gn_rm_cap m, enum gn_handler_kind k)
{
	struct gn_fault_handler h = {k, NULL, NULL};

	gn_region_map_fault_handler(m, &h);
	ck(m.ctx);
}

static enum gn_access_result load(struct gn_ctx *c, uint64_t a, uint8_t *v)
{
	enum gn_access_result r = gn_load(c, a, v);

	ck(c);
	return r;
}

static enum gn_access_result store(struct gn_ctx *c, uint64_t a, uint8_t v)
{
	enum gn_access_result r = gn_store(c, a, v);

	ck(c);
	return r;
}

static enum gn_access_result run_exec(struct gn_ctx *c, uint64_t a)
{
	enum gn_access_result r = gn_exec(c, a);

	ck(c);
	return r;
}

static void expect_fault(gn_rm_cap m, enum gn_fault_type t, uint64_t addr)
{
	struct gn_fault f = gn_region_map_fault(m);

	assert_int_equal(f.type, t);
	if (t != GN_FAULT_NONE)
		assert_int_equal(f.addr, addr);
}

/* ---- rights along the path ---- */

static void rights(enum gn_version v)
{
	struct gn_ctx *c = mk(v);
	struct gn_rm_connection *s = session(c);
	gn_rm_cap m = sub(s, 64 * KiB);
	gn_ds_cap d = ram(c, PG), rom = gn_rom_dataspace(c, "rom", PG);
	bool path = v >= GN_24_08;
	uint64_t ro, rx, rw, r2;
	struct gn_walk w;
	uint8_t b;

	att(m, d, attr(true, 0, true, true));
	ro = att(gn_env_rm(c), gn_region_map_dataspace(m),
		 attr(false, 0, false, false));
	rx = att(gn_env_rm(c), gn_region_map_dataspace(m),
		 attr(false, 0, false, true));
	rw = att(gn_env_rm(c), gn_region_map_dataspace(m),
		 attr(false, 0, true, false));
	gn_walk(gn_env_rm(c), ro, GN_READ, &w);
	assert_int_equal(w.result, GN_WALK_RESOLVED);
	assert_int_equal(w.writeable, !path);
	assert_int_equal(w.executable, !path);
	assert_int_equal(store(c, ro, 1),
			 path ? GN_ACCESS_STOPPED : GN_ACCESS_OK);
	assert_int_equal(run_exec(c, rx), GN_ACCESS_OK);
	assert_int_equal(run_exec(c, rw), path ? GN_ACCESS_STOPPED
					       : GN_ACCESS_OK);
	assert_int_equal(store(c, rw, 2), GN_ACCESS_OK);
	assert_int_equal(load(c, ro, &b), GN_ACCESS_OK);
	assert_int_equal(b, 2);
	/* a ROM attached writeable: accepted, and a write faults */
	r2 = att(gn_env_rm(c), rom, attr(false, 0, true, false));
	gn_walk(gn_env_rm(c), r2, GN_WRITE, &w);
	assert_int_equal(w.result, GN_WALK_WRITE_VIOLATION);
	assert_int_not_equal(store(c, r2, 1), GN_ACCESS_OK);
	gn_ctx_free(c);
}

static void test_rights_along_path(void **state)
{
	rights(GN_24_08);
	rights(GN_26_02);
}

static void test_rights_leaf_only_2005(void **state)
{
	rights(GN_20_05);
}

/* ---- the recursion limit ---- */

static void depth(enum gn_version v)
{
	struct gn_ctx *c = mk(v);
	struct gn_rm_connection *s = session(c);
	gn_rm_cap m[6];
	gn_ds_cap d = ram(c, PG);
	struct gn_walk w;
	uint64_t base;
	unsigned i;
	uint8_t b;

	for (i = 0; i < 6; i++)
		m[i] = sub(s, 64 * KiB);
	/* env > m0 > m1 > m2 > m3 holds RAM: five maps */
	att(m[3], d, attr(true, 0, true, false));
	for (i = 3; i > 0; i--)
		att(m[i - 1], gn_region_map_dataspace(m[i]),
		    attr(true, 0, true, false));
	base = att(gn_env_rm(c), gn_region_map_dataspace(m[0]),
		   attr(false, 0, true, false));
	assert_int_equal(store(c, base, 5), GN_ACCESS_OK);
	assert_int_equal(load(c, base, &b), GN_ACCESS_OK);
	assert_int_equal(b, 5);
	/* a sixth map at +PG in m3 */
	att(m[4], d, attr(true, 0, true, false));
	{
		struct gn_attr a = attr(true, PG, true, false);

		a.size = PG;
		att(m[3], gn_region_map_dataspace(m[4]), a);
	}
	for (i = 0; i < 6; i++)
		handler(m[i], GN_HANDLER_NONE);
	gn_walk(gn_env_rm(c), base + PG, GN_READ, &w);
	assert_int_equal(w.result, GN_WALK_RECURSION_LIMIT);
	assert_int_equal(load(c, base + PG, &b),
			 v >= GN_24_08 ? GN_ACCESS_STOPPED : GN_ACCESS_BLOCKED);
	/* 20.05: queued at the sixth map with the unchanged address */
	if (v < GN_24_08)
		expect_fault(m[4], GN_FAULT_READ, base + PG);
	for (i = 0; i < 6; i++)
		if (v >= GN_24_08 || i != 4)
			expect_fault(m[i], GN_FAULT_NONE, 0);
	/* a map attached into itself: the limit, no hang */
	att(m[5], gn_region_map_dataspace(m[5]), attr(true, 0, true, false));
	base = att(gn_env_rm(c), gn_region_map_dataspace(m[5]),
		   attr(false, 0, true, false));
	gn_walk(gn_env_rm(c), base, GN_READ, &w);
	assert_int_equal(w.result, GN_WALK_RECURSION_LIMIT);
	assert_int_not_equal(load(c, base, &b), GN_ACCESS_OK);
	gn_ctx_free(c);
}

static void test_depth_limit(void **state)
{
	depth(GN_26_02);
	depth(GN_20_05);
}

/* ---- faults: where, in which coordinates, FIFO, wake-ups ---- */

static void test_fault_innermost_map(void **state)
{
	struct gn_ctx *c = mk(GN_26_02);
	struct gn_rm_connection *s = session(c);
	gn_rm_cap outer = sub(s, 1 * MiB), inner = sub(s, 64 * KiB);
	struct gn_attr a = attr(true, 0x10000, true, false);
	uint64_t base;
	uint8_t b;

	/* inner at an offset and as a 32K window, inside outer */
	a.offset = 16 * KiB;
	a.size = 32 * KiB;
	att(outer, gn_region_map_dataspace(inner), a);
	base = att(gn_env_rm(c), gn_region_map_dataspace(outer),
		   attr(false, 0, true, false));
	/* a handler on the outer map is not consulted for the inner one */
	handler(outer, GN_HANDLER_POPULATE);
	assert_int_equal(load(c, base + 0x10000 + PG, &b), GN_ACCESS_STOPPED);
	assert_int_equal(gn_region_map_count(outer), 1);
	/* with a handler on inner: queued there, in inner's coordinates */
	handler(inner, GN_HANDLER_NONE);
	assert_int_equal(load(c, base + 0x10000 + PG + 8, &b),
			 GN_ACCESS_BLOCKED);
	expect_fault(inner, GN_FAULT_READ, 16 * KiB + PG + 8);
	expect_fault(outer, GN_FAULT_NONE, 0);
	/* outside the window the outer map is responsible */
	assert_int_equal(load(c, base + 0x20000, &b), GN_ACCESS_OK);
	assert_int_equal(gn_region_map_count(outer), 2);
	assert_int_equal(gn_metrics(c)->blocked, 1);
	gn_ctx_free(c);
}

static void test_fault_coordinates_2005(void **state)
{
	struct gn_ctx *c = mk(GN_20_05);
	struct gn_rm_connection *s = session(c);
	gn_rm_cap inner = sub(s, 64 * KiB);
	struct gn_attr a = attr(false, 0, true, false);
	uint64_t base;
	uint8_t b;

	a.offset = 16 * KiB;
	a.size = 32 * KiB;
	base = att(gn_env_rm(c), gn_region_map_dataspace(inner), a);
	/* no handler: 20.05 queues anyway; the offset is not added */
	assert_int_equal(load(c, base + PG + 8, &b), GN_ACCESS_BLOCKED);
	expect_fault(inner, GN_FAULT_READ, PG + 8);
	gn_ctx_free(c);
}

static void test_fifo_and_wakeups(void **state)
{
	struct gn_ctx *c = mk(GN_26_02);
	struct gn_rm_connection *s = session(c);
	gn_rm_cap m = sub(s, 64 * KiB), other = sub(s, 64 * KiB);
	gn_ds_cap d = ram(c, PG), d2 = ram(c, PG);
	uint64_t base;
	uint8_t b;

	base = att(gn_env_rm(c), gn_region_map_dataspace(m),
		   attr(false, 0, true, false));
	handler(m, GN_HANDLER_NONE);
	assert_int_equal(store(c, base + 0x3000, 0x33), GN_ACCESS_BLOCKED);
	assert_int_equal(load(c, base + 0x5000, &b), GN_ACCESS_BLOCKED);
	assert_int_equal(store(c, base + 0x5010, 0x55), GN_ACCESS_BLOCKED);
	/* FIFO: the oldest first */
	expect_fault(m, GN_FAULT_WRITE, 0x3000);
	assert_int_equal(gn_metrics(c)->blocked, 3);
	/* an attach elsewhere, or on another map, wakes nobody */
	att(m, d, attr(true, 0x8000, true, false));
	att(other, d, attr(true, 0x5000, true, false));
	assert_int_equal(gn_metrics(c)->blocked, 3);
	/* an attach covering the later ones wakes those only; their
	 * accesses complete (the store lands) */
	att(m, d2, attr(true, 0x5000, true, false));
	assert_int_equal(gn_metrics(c)->blocked, 1);
	expect_fault(m, GN_FAULT_WRITE, 0x3000);
	assert_int_equal(load(c, base + 0x5010, &b), GN_ACCESS_OK);
	assert_int_equal(b, 0x55);
	/* detach never wakes */
	gn_region_map_detach(m, 0x5000);
	ck(c);
	assert_int_equal(gn_metrics(c)->blocked, 1);
	/* the first one: resolved by an attach covering 0x3000 */
	att(m, d2, attr(true, 0x3000, true, false));
	assert_int_equal(gn_metrics(c)->blocked, 0);
	expect_fault(m, GN_FAULT_NONE, 0);
	assert_int_equal(load(c, base + 0x3000, &b), GN_ACCESS_OK);
	assert_int_equal(b, 0x33);
	assert_int_equal(gn_metrics(c)->faults_resolved, 3);
	gn_ctx_free(c);
}

/* Woken by an attach that does not give the rights: faults again. */
static void test_refault_after_wake(void **state)
{
	struct gn_ctx *c = mk(GN_26_02);
	gn_ds_cap d = ram(c, PG);
	uint64_t a = 0x18000000;

	handler(gn_env_rm(c), GN_HANDLER_NONE);
	assert_int_equal(store(c, a, 9), GN_ACCESS_BLOCKED);
	expect_fault(gn_env_rm(c), GN_FAULT_WRITE, a);
	att(gn_env_rm(c), d, attr(true, a, false, false));
	expect_fault(gn_env_rm(c), GN_FAULT_WRITE, a);
	assert_int_equal(gn_metrics(c)->blocked, 1);
	gn_region_map_detach(gn_env_rm(c), a);
	att(gn_env_rm(c), d, attr(true, a, true, false));
	assert_int_equal(gn_metrics(c)->blocked, 0);
	{
		uint8_t b;

		assert_int_equal(gn_ds_read(d, 0, &b, 1), 0);
		assert_int_equal(b, 9);
	}
	gn_ctx_free(c);
}

static void test_no_handler_by_version(void **state)
{
	enum gn_version v;

	for (v = 0; v < GN_NVERSIONS; v++) {
		struct gn_ctx *c = mk(v);
		uint8_t b;

		/* unregistered, then registered and unregistered again */
		assert_int_equal(load(c, 0x18000000, &b),
				 v >= GN_24_08 ? GN_ACCESS_STOPPED
					       : GN_ACCESS_BLOCKED);
		handler(gn_env_rm(c), GN_HANDLER_NONE);
		handler(gn_env_rm(c), GN_HANDLER_INVALID);
		assert_int_equal(load(c, 0x18001000, &b),
				 v >= GN_24_08 ? GN_ACCESS_STOPPED
					       : GN_ACCESS_BLOCKED);
		assert_int_equal(gn_metrics(c)->blocked, v >= GN_24_08 ? 0 : 2);
		assert_int_equal(gn_metrics(c)->faults_stopped,
				 v >= GN_24_08 ? 2 : 0);
		gn_ctx_free(c);
	}
}

static void test_populate(void **state)
{
	struct gn_ctx *c = mk(GN_26_02);
	struct gn_rm_connection *s = session(c);
	gn_rm_cap m = sub(s, 64 * KiB);
	uint64_t base, ram0 = gn_pd_used_ram(gn_env_pd(c));
	uint8_t b;
	unsigned i;

	base = att(gn_env_rm(c), gn_region_map_dataspace(m),
		   attr(false, 0, true, false));
	handler(m, GN_HANDLER_POPULATE);
	for (i = 0; i < 16; i++)
		assert_int_equal(store(c, base + i * PG + 7, (uint8_t)i),
				 GN_ACCESS_OK);
	assert_int_equal(gn_region_map_count(m), 16);
	/* sixteen pages, and a block of dataspace metadata on the way */
	assert_int_equal(gn_env_pd(c)->ds_slab.charged, 1);
	assert_int_equal(gn_pd_used_ram(gn_env_pd(c)), ram0 + 17 * PG);
	for (i = 0; i < 16; i++) {
		assert_int_equal(load(c, base + i * PG + 7, &b), GN_ACCESS_OK);
		assert_int_equal(b, i);
	}
	/* full: beyond the map, the env is responsible */
	assert_int_equal(load(c, base + 16 * PG, &b), GN_ACCESS_STOPPED);
	assert_int_equal(gn_metrics(c)->faults_resolved, 16);
	gn_ctx_free(c);
}

/* A policy's handler: a function and its context. */
struct policy_ctx {
	gn_ds_cap ds;
	unsigned calls;
	bool destroy;
	struct gn_rm_connection *s;
};

static void on_fault(void *arg, gn_rm_cap m)
{
	struct policy_ctx *p = arg;
	struct gn_fault f = gn_region_map_fault(m);
	struct gn_attr a = attr(true, f.addr & ~(PG - 1), true, false);

	p->calls++;
	if (p->destroy) {
		gn_rm_destroy(p->s, m);
		return;
	}
	a.size = PG;
	a.offset = (f.addr / PG % 2) * PG;
	gn_region_map_attach(m, p->ds, &a, NULL);
}

static void test_callback_handler(void **state)
{
	struct gn_ctx *c = mk(GN_26_02);
	struct gn_rm_connection *s = session(c);
	gn_rm_cap m = sub(s, 64 * KiB);
	struct policy_ctx p = {ram(c, 2 * PG), 0, false, s};
	struct gn_fault_handler h = {GN_HANDLER_FN, on_fault, &p};
	uint64_t base;
	uint8_t b;

	base = att(gn_env_rm(c), gn_region_map_dataspace(m),
		   attr(false, 0, true, false));
	gn_region_map_fault_handler(m, &h);
	assert_int_equal(store(c, base + 3 * PG, 0x42), GN_ACCESS_OK);
	assert_int_equal(p.calls, 1);
	/* page 3 maps the dataspace's second page, so does page 1 */
	assert_int_equal(load(c, base + PG, &b), GN_ACCESS_OK);
	assert_int_equal(b, 0x42);
	assert_int_equal(p.calls, 2);
	/* a handler that destroys its map: the thread stays blocked */
	p.destroy = true;
	assert_int_equal(load(c, base + 5 * PG, &b), GN_ACCESS_BLOCKED);
	assert_false(gn_rm_valid(m));
	assert_int_equal(gn_metrics(c)->blocked, 1);
	/* the hole in env is reserved (24.02+) */
	assert_int_equal(load(c, base, &b), GN_ACCESS_STOPPED);
	gn_ctx_free(c);
}

/* base-linux: the host delivers SIGSEGV, no handler sees a fault */
static void test_linux_no_reflection(void **state)
{
	struct gn_config cfg;
	struct gn_ctx *c;
	uint8_t b;

	gn_default_config(&cfg);
	cfg.layout = lay_find("linux-x86_64");
	c = gn_ctx_new(&cfg);
	handler(gn_env_rm(c), GN_HANDLER_POPULATE);
	assert_int_equal(load(c, 0x60000000, &b), GN_ACCESS_STOPPED);
	assert_int_equal(gn_metrics(c)->faults_reflected, 0);
	gn_ctx_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rights_along_path),
		cmocka_unit_test(test_rights_leaf_only_2005),
		cmocka_unit_test(test_depth_limit),
		cmocka_unit_test(test_fault_innermost_map),
		cmocka_unit_test(test_fault_coordinates_2005),
		cmocka_unit_test(test_fifo_and_wakeups),
		cmocka_unit_test(test_refault_after_wake),
		cmocka_unit_test(test_no_handler_by_version),
		cmocka_unit_test(test_populate),
		cmocka_unit_test(test_callback_handler),
		cmocka_unit_test(test_linux_no_reflection),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
