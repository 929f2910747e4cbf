/*
 * test_genode_quota.c - what each step costs in the Genode model and what
 * happens when the quota runs out: RAM dataspaces (page, cap, metadata
 * headroom and slab blocks), RM sessions (donation, region maps, the
 * connection's upgrade-and-retry), attach metadata charged to the map's
 * owner (OUT_OF_RAM and OUT_OF_CAPS, then recovery by upgrade), implicit
 * detach by version, ownership, PD sessions, metrics and the operation
 * log.  gn_check runs after every operation; it verifies that every
 * account's use equals what it holds.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
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

/* A component without the layout's areas, with the given quota. */
static struct gn_ctx *mk(enum gn_version v, uint64_t ram, uint64_t caps)
{
	struct gn_config cfg;
	struct gn_ctx *c;

	gn_default_config(&cfg);
	cfg.version = v;
	cfg.ram_quota = ram;
	cfg.cap_quota = caps;
	cfg.bare = true;
	c = gn_ctx_new(&cfg);
	ck(c);
	return c;
}

static enum gn_alloc_error alloc(struct gn_pd *pd, uint64_t size,
				 gn_ds_cap *ds)
{
	enum gn_alloc_error e = gn_pd_alloc_ram(pd, size, ds);

	ck(pd->ctx);
	return e;
}

static enum gn_attach_error att(gn_rm_cap rm, gn_ds_cap ds, uint64_t at,
				bool use_at)
{
	struct gn_attr a = {0};
	enum gn_attach_error e;

	a.use_at = use_at;
	a.at = at;
	a.writeable = true;
	e = gn_region_map_attach(rm, ds, &a, NULL);
	ck(rm.ctx);
	return e;
}

static struct gn_rm_connection *session(struct gn_ctx *c)
{
	enum gn_session_error e;
	struct gn_rm_connection *s = gn_rm_session_open(gn_env_pd(c), &e);

	assert_non_null(s);
	ck(c);
	return s;
}

/* ---- RAM dataspaces ---- */

static void test_ram_alloc_costs(void **state)
{
	struct gn_ctx *c = mk(GN_26_02, 1 * MiB, 10);
	struct gn_pd *pd = gn_env_pd(c);
	gn_ds_cap ds, big;

	assert_int_equal(alloc(pd, 0, &ds), GN_ALLOC_DENIED);
	assert_false(gn_ds_valid(ds));
	assert_int_equal(alloc(pd, 1, &ds), GN_ALLOC_OK);
	assert_int_equal(gn_ds_size(ds), PG);
	assert_int_equal(gn_pd_ram_size(pd, ds), PG);
	assert_int_equal(gn_pd_avail_ram(pd), 1 * MiB - PG);
	assert_int_equal(gn_pd_avail_caps(pd), 9);
	/* zero-filled */
	{
		uint8_t b = 1;

		assert_int_equal(gn_ds_read(ds, PG - 1, &b, 1), 0);
		assert_int_equal(b, 0);
	}
	/* a slab block of headroom beyond the size, checked not charged */
	assert_int_equal(alloc(pd, gn_pd_avail_ram(pd), &big),
			 GN_ALLOC_OUT_OF_RAM);
	assert_int_equal(alloc(pd, gn_pd_avail_ram(pd) - 4095, &big),
			 GN_ALLOC_OUT_OF_RAM);
	assert_int_equal(alloc(pd, gn_pd_avail_ram(pd) - 4096, &big),
			 GN_ALLOC_OK);
	assert_int_equal(gn_pd_avail_ram(pd), 4096);
	/* recovery: the parent grants more */
	assert_int_equal(alloc(pd, PG, &ds), GN_ALLOC_OUT_OF_RAM);
	gn_pd_upgrade(pd, 64 * KiB, 0);
	ck(c);
	assert_int_equal(alloc(pd, PG, &ds), GN_ALLOC_OK);
	gn_pd_free_ram(pd, big);
	ck(c);
	/* out of caps */
	while (gn_pd_avail_caps(pd))
		assert_int_equal(alloc(pd, PG, &ds), GN_ALLOC_OK);
	assert_int_equal(alloc(pd, PG, &ds), GN_ALLOC_OUT_OF_CAPS);
	gn_pd_upgrade(pd, 0, 1);
	assert_int_equal(alloc(pd, PG, &ds), GN_ALLOC_OK);
	gn_ctx_free(c);
}

static void test_ram_alloc_zero_2005(void **state)
{
	struct gn_ctx *c = mk(GN_20_05, 1 * MiB, 10);
	gn_ds_cap ds;

	assert_int_equal(alloc(gn_env_pd(c), 0, &ds), GN_ALLOC_OK);
	assert_false(gn_ds_valid(ds));
	assert_int_equal(gn_pd_avail_ram(gn_env_pd(c)), 1 * MiB);
	gn_ctx_free(c);
}

/*
 * Dataspace metadata: a 4 KiB slab block and a cap every so often.  When
 * the block cannot be paid for, 24.08 and 26.02 keep the dataspace's
 * reserved page and cap (pd_session_component.cc alloc_ram); 20.05 rolls
 * them back.
 */
static void ram_metadata_slab(enum gn_version v)
{
	struct gn_ctx *c = mk(v, 1 * MiB, 17);
	struct gn_pd *pd = gn_env_pd(c);
	unsigned epb = c->costs.ds_epb, i;
	uint64_t lost = v == GN_20_05 ? 0 : 1;
	gn_ds_cap ds[32];

	/* the inline block serves until at most 3 entries are left */
	for (i = 0; i < epb - 3; i++)
		assert_int_equal(alloc(pd, PG, &ds[i]), GN_ALLOC_OK);
	assert_int_equal(pd->ds_slab.charged, 0);
	assert_int_equal(gn_pd_avail_caps(pd), 17 - (epb - 3));
	assert_int_equal(gn_pd_avail_caps(pd), 1);
	/* the next one needs a block: 4 KiB and a second cap */
	assert_int_equal(alloc(pd, PG, &ds[i]), GN_ALLOC_OUT_OF_CAPS);
	ck(c);
	assert_int_equal(gn_pd_used_ram(pd), (epb - 3 + lost) * PG);
	assert_int_equal(gn_pd_avail_caps(pd), 1 - lost);
	gn_pd_upgrade(pd, 0, 1 + lost);
	assert_int_equal(alloc(pd, PG, &ds[i++]), GN_ALLOC_OK);
	assert_int_equal(pd->ds_slab.charged, 1);
	assert_int_equal(gn_pd_used_ram(pd), (epb - 2 + lost) * PG + 4096);
	assert_int_equal(gn_pd_avail_caps(pd), 0);
	/* freeing everything keeps the block: core's slab releases a free
	 * block only beyond two blocks' worth of free entries */
	while (i)
		gn_pd_free_ram(pd, ds[--i]);
	ck(c);
	assert_int_equal(pd->ds_slab.charged, 1);
	assert_int_equal(gn_pd_used_ram(pd), 4096 + lost * PG);
	assert_int_equal(gn_pd_used_caps(pd), 1 + lost);
	gn_ctx_free(c);
}

static void test_ram_metadata_slab(void **state)
{
	ram_metadata_slab(GN_26_02);
	ram_metadata_slab(GN_24_08);
	ram_metadata_slab(GN_20_05);
}

/* ---- RM sessions ---- */

static void test_rm_session_costs(void **state)
{
	struct gn_ctx *c = mk(GN_26_02, 1 * MiB, 20);
	struct gn_pd *pd = gn_env_pd(c);
	struct gn_rm_connection *s;
	enum gn_session_error se;
	gn_rm_cap m[8];
	uint64_t sc = c->costs.session_costs;
	unsigned i;

	/* the parent (init) keeps its session costs of the donation, core
	 * a page for the session object */
	s = session(c);
	assert_int_equal(gn_pd_avail_ram(pd), 1 * MiB - 64 * KiB);
	assert_int_equal(gn_pd_avail_caps(pd), 18);
	assert_int_equal(gn_rm_avail_ram(s), 60 * KiB - sc);
	assert_int_equal(gn_rm_avail_caps(s), 1);
	assert_int_equal(gn_rm_create_once(s, 1 * MiB, &m[0]), GN_ALLOC_OK);
	ck(c);
	assert_int_equal(gn_rm_avail_ram(s), 48 * KiB - sc);
	assert_int_equal(gn_rm_create_once(s, 1 * MiB, &m[1]),
			 GN_ALLOC_OUT_OF_CAPS);
	assert_false(gn_rm_valid(m[1]));
	/* the connection upgrades: 2 caps */
	assert_int_equal(gn_rm_create(s, 1 * MiB, &m[1]), GN_ALLOC_OK);
	ck(c);
	assert_int_equal(gn_pd_avail_caps(pd), 16);
	/* the third of these needs an 8 KiB upgrade: the parent's share
	 * is missing */
	for (i = 2; i < 5; i++)
		assert_int_equal(gn_rm_create(s, 64 * KiB, &m[i]), GN_ALLOC_OK);
	assert_int_equal(gn_rm_avail_ram(s), 8 * KiB - sc);
	assert_int_equal(gn_rm_create_once(s, 1 * MiB, &m[5]),
			 GN_ALLOC_OUT_OF_RAM);
	/* 8 KiB upgrades until it fits: one */
	assert_int_equal(gn_rm_create(s, 1 * MiB, &m[5]), GN_ALLOC_OK);
	ck(c);
	assert_int_equal(gn_rm_avail_ram(s), 4 * KiB - sc);
	/* destroy returns the map's quota to the session */
	gn_rm_destroy(s, m[5]);
	ck(c);
	assert_int_equal(gn_rm_avail_ram(s), 16 * KiB - sc);
	/* a map of another session is left alone */
	{
		struct gn_rm_connection *s2 = session(c);

		gn_rm_destroy(s2, m[0]);
		ck(c);
		assert_true(gn_rm_valid(m[0]));
		gn_rm_session_close(s2);
		ck(c);
	}
	/* closing returns everything */
	gn_rm_session_close(s);
	ck(c);
	assert_int_equal(gn_pd_used_ram(pd), 0);
	assert_int_equal(gn_pd_used_caps(pd), 0);
	assert_false(gn_rm_valid(m[0]));
	/* a PD that cannot pay the session */
	gn_pd_upgrade(pd, 0, 0);
	{
		struct gn_ctx *poor = mk(GN_26_02, 32 * KiB, 20);

		assert_null(gn_rm_session_open(gn_env_pd(poor), &se));
		assert_int_equal(se, GN_SESSION_INSUFFICIENT_RAM);
		gn_ctx_free(poor);
		poor = mk(GN_26_02, 1 * MiB, 1);
		assert_null(gn_rm_session_open(gn_env_pd(poor), &se));
		assert_int_equal(se, GN_SESSION_INSUFFICIENT_CAPS);
		gn_ctx_free(poor);
	}
	gn_ctx_free(c);
}

/* The connection's upgrades come from the PD; when it cannot pay, the
 * create fails with the PD's error (both API generations). */
static void test_rm_create_pd_exhausted(void **state)
{
	enum gn_version v;

	for (v = 0; v < GN_NVERSIONS; v++) {
		struct gn_ctx *c = mk(v, 64 * KiB + 4 * KiB, 3);
		struct gn_rm_connection *s = session(c);
		gn_rm_cap m;

		assert_int_equal(gn_rm_create(s, PG, &m), GN_ALLOC_OK);
		assert_int_equal(gn_rm_create(s, PG, &m), GN_ALLOC_OUT_OF_CAPS);
		ck(c);
		gn_pd_upgrade(gn_env_pd(c), 0, 2);
		assert_int_equal(gn_rm_create(s, PG, &m), GN_ALLOC_OK);
		ck(c);
		gn_ctx_free(c);
	}
}

/* ---- attach metadata ---- */

static void attach_metadata(enum gn_version v)
{
	struct gn_ctx *c = mk(v, 4 * MiB, 20);
	struct gn_rm_connection *s = session(c);
	gn_rm_cap m;
	gn_ds_cap ds;
	enum gn_attach_error e;
	unsigned n = 0, epb = c->costs.md_epb;

	assert_int_equal(gn_rm_create_once(s, 64 * MiB, &m), GN_ALLOC_OK);
	assert_int_equal(alloc(gn_env_pd(c), PG, &ds), GN_ALLOC_OK);
	/* the inline slab block: the map's range holds one entry, each
	 * attachment one more; a new block is needed with three left */
	while (att(m, ds, n * PG, true) == GN_ATTACH_OK)
		n++;
	/* the second of the two blocks an allocation takes up front
	 * finds three entries left */
	assert_int_equal(n, epb - 5);
	assert_int_equal(att(m, ds, n * PG, true), GN_ATTACH_OUT_OF_CAPS);
	/* metadata comes before the conflict check */
	assert_int_equal(att(m, ds, 0, true), GN_ATTACH_OUT_OF_CAPS);
	assert_int_equal(att(m, ds, 0, false), GN_ATTACH_OUT_OF_CAPS);
	/* recovery: upgrade the session, the block costs 8 KiB and a cap */
	assert_int_equal(gn_rm_upgrade(s, 0, 1), GN_ALLOC_OK);
	ck(c);
	assert_int_equal(att(m, ds, 0, true), GN_ATTACH_REGION_CONFLICT);
	assert_int_equal(gn_rm_avail_ram(s), 60 * KiB - 12 * KiB -
						     c->costs.session_costs -
						     c->costs.md_block_ram);
	assert_int_equal(gn_rm_avail_caps(s), 0);
	assert_int_equal(att(m, ds, n * PG, true), GN_ATTACH_OK);
	/* now RAM: spend the session's RAM on maps */
	assert_int_equal(gn_rm_upgrade(s, 0, 10), GN_ALLOC_OK);
	while (gn_rm_avail_ram(s) >= c->costs.rmc_ram) {
		gn_rm_cap x;

		assert_int_equal(gn_rm_create_once(s, PG, &x), GN_ALLOC_OK);
	}
	ck(c);
	assert_true(gn_rm_avail_ram(s) < c->costs.md_block_ram);
	/* attach until the next metadata block is due */
	n++;
	while ((e = att(m, ds, n * PG, true)) == GN_ATTACH_OK)
		n++;
	assert_int_equal(e, GN_ATTACH_OUT_OF_RAM);
	assert_int_equal(gn_rm_upgrade(s, c->costs.md_block_ram, 0),
			 GN_ALLOC_OK);
	assert_int_equal(att(m, ds, n * PG, true), GN_ATTACH_OK);
	/* detaching everything gives the blocks back */
	{
		uint64_t i;

		for (i = 0; i <= n; i++)
			gn_region_map_detach(m, i * PG);
		ck(c);
	}
	gn_ctx_free(c);
}

static void test_attach_metadata_quota(void **state)
{
	enum gn_version v;

	for (v = 0; v < GN_NVERSIONS; v++)
		attach_metadata(v);
}

/* env's metadata is the PD's; the component's parent upgrades it. */
static void test_env_metadata_quota(void **state)
{
	struct gn_ctx *c = mk(GN_26_02, 1 * MiB, 2);
	struct gn_pd *pd = gn_env_pd(c);
	gn_ds_cap ds;
	unsigned n = 0;

	assert_int_equal(alloc(pd, PG, &ds), GN_ALLOC_OK);
	while (att(gn_env_rm(c), ds, 0x10000000 + n * PG, true) ==
	       GN_ATTACH_OK)
		n++;
	assert_int_equal(att(gn_env_rm(c), ds, 0x10000000 + n * PG, true),
			 GN_ATTACH_OUT_OF_CAPS);
	gn_pd_upgrade(pd, 0, 1);
	assert_int_equal(att(gn_env_rm(c), ds, 0x10000000 + n * PG, true),
			 GN_ATTACH_OK);
	/* two caps: one for the dataspace, one for the first metadata
	 * block; the second block needed the upgrade */
	assert_int_equal(gn_pd_used_ram(pd), PG + 2 * c->costs.md_block_ram);
	gn_ctx_free(c);
}

/* ---- implicit detach ---- */

static void implicit(enum gn_version v)
{
	struct gn_ctx *c = mk(v, 4 * MiB, 100);
	struct gn_rm_connection *s = session(c);
	bool reserve = v >= GN_24_08;
	struct gn_attachment a;
	gn_rm_cap outer, inner;
	gn_ds_cap ds, other;
	uint8_t b;

	assert_int_equal(gn_rm_create(s, 2 * MiB, &outer), GN_ALLOC_OK);
	assert_int_equal(gn_rm_create(s, 64 * KiB, &inner), GN_ALLOC_OK);
	assert_int_equal(alloc(gn_env_pd(c), 2 * PG, &ds), GN_ALLOC_OK);
	assert_int_equal(alloc(gn_env_pd(c), PG, &other), GN_ALLOC_OK);
	/* the dataspace in two maps */
	assert_int_equal(att(outer, ds, 0x1000, true), GN_ATTACH_OK);
	assert_int_equal(att(inner, ds, 0x2000, true), GN_ATTACH_OK);
	assert_int_equal(att(outer, gn_region_map_dataspace(inner), 0x100000,
			     true), GN_ATTACH_OK);
	assert_int_equal(att(gn_env_rm(c), gn_region_map_dataspace(outer),
			     0x60000000, true), GN_ATTACH_OK);
	gn_pd_free_ram(gn_env_pd(c), ds);
	ck(c);
	assert_int_equal(gn_region_map_lookup(outer, 0x1000, &a), reserve);
	assert_int_equal(gn_region_map_lookup(inner, 0x3000, &a), reserve);
	if (reserve)
		assert_true(a.reserved);
	assert_int_equal(att(outer, other, 0x1000, true),
			 reserve ? GN_ATTACH_REGION_CONFLICT : GN_ATTACH_OK);
	assert_int_not_equal(gn_load(c, 0x60000000 + 0x100000 + 0x2000, &b),
			     GN_ACCESS_OK);
	ck(c);
	/* the explicit detach frees the hole */
	gn_region_map_detach(inner, 0x3000);
	ck(c);
	assert_false(gn_region_map_lookup(inner, 0x3000, &a));
	/* destroying inner leaves a hole in outer; outer's own regions
	 * and env's attachment of outer are untouched */
	gn_rm_destroy(s, inner);
	ck(c);
	assert_int_equal(gn_region_map_lookup(outer, 0x100000, &a), reserve);
	assert_int_equal(att(outer, other, 0x100000, true),
			 reserve ? GN_ATTACH_REGION_CONFLICT : GN_ATTACH_OK);
	gn_region_map_detach(outer, 0x100000);
	ck(c);
	assert_true(gn_region_map_lookup(gn_env_rm(c), 0x60000000, &a));
	gn_ctx_free(c);
}

static void test_implicit_detach_by_version(void **state)
{
	enum gn_version v;

	for (v = 0; v < GN_NVERSIONS; v++)
		implicit(v);
}

/* ---- PD sessions and ownership ---- */

static void test_ownership_and_pd_sessions(void **state)
{
	struct gn_ctx *c = mk(GN_26_02, 4 * MiB, 100);
	struct gn_pd *env = gn_env_pd(c), *pd1, *pd2;
	enum gn_session_error se;
	uint64_t env_ram = gn_pd_avail_ram(env), q;
	gn_ds_cap ds;

	pd1 = gn_pd_connection(c, &se);
	ck(c);
	pd2 = gn_pd_connection(c, &se);
	ck(c);
	assert_non_null(pd1);
	assert_int_equal(gn_pd_avail_ram(env),
			 env_ram - 2 * c->costs.pd_session_quota);
	assert_int_equal(gn_pd_transfer_quota(env, pd1, 8 * KiB, 0),
			 GN_ALLOC_OK);
	ck(c);
	assert_int_equal(gn_pd_transfer_quota(pd1, pd2, 4 * KiB, 0),
			 GN_ALLOC_DENIED);
	assert_int_equal(alloc(pd1, 4, &ds), GN_ALLOC_OK);
	q = gn_pd_avail_ram(pd1);
	gn_pd_free_ram(pd2, ds);
	gn_pd_free_ram(env, ds);
	ck(c);
	assert_true(gn_ds_valid(ds));
	assert_int_equal(gn_pd_ram_size(pd2, ds), 0);
	assert_int_equal(att(gn_env_rm(c), ds, 0, false), GN_ATTACH_OK);
	gn_pd_free_ram(pd1, ds);
	ck(c);
	assert_int_equal(gn_pd_avail_ram(pd1), q + PG);
	/* closing returns the donation to env */
	gn_pd_close(pd1);
	ck(c);
	gn_pd_close(pd2);
	ck(c);
	assert_int_equal(gn_pd_avail_ram(env), env_ram);
	gn_ctx_free(c);
}

/* ---- metrics and the log ---- */

struct logbuf {
	char text[4096];
	unsigned n;
};

static void logger(void *arg, uint64_t seq, const struct gn_log_rec *r)
{
	struct logbuf *l = arg;
	size_t len = strlen(l->text);

	snprintf(l->text + len, sizeof(l->text) - len,
		 "%llu %s %s %#llx %#llx %s %s\n",
		 (unsigned long long)seq, r->op,
		 r->region_map ? r->region_map : "-",
		 (unsigned long long)r->at, (unsigned long long)r->size,
		 r->ds ? r->ds : "-", r->rights ? r->rights : "-");
	l->n++;
}

static void test_metrics_and_log(void **state)
{
	struct gn_ctx *c = mk(GN_26_02, 4 * MiB, 100);
	const struct gn_metrics *mt = gn_metrics(c);
	struct gn_rm_connection *s = session(c);
	struct logbuf lb;
	struct gn_fault_handler h = {GN_HANDLER_NONE, NULL, NULL};
	gn_rm_cap m;
	gn_ds_cap ds;
	uint8_t b;

	memset(&lb, 0, sizeof(lb));
	gn_set_log(c, logger, &lb);
	gn_set_seq(c, 7);
	assert_int_equal(gn_rm_create(s, 64 * KiB, &m), GN_ALLOC_OK);
	assert_int_equal(alloc(gn_env_pd(c), PG, &ds), GN_ALLOC_OK);
	gn_set_seq(c, 8);
	assert_int_equal(att(gn_env_rm(c), gn_region_map_dataspace(m),
			     0x60000000, true), GN_ATTACH_OK);
	gn_region_map_fault_handler(m, &h);
	assert_int_equal(gn_load(c, 0x60001000, &b), GN_ACCESS_BLOCKED);
	assert_int_equal(att(m, ds, 0x1000, true), GN_ATTACH_OK);
	gn_region_map_detach(m, 0x1000);
	gn_pd_free_ram(gn_env_pd(c), ds);
	gn_rm_destroy(s, m);
	ck(c);
	assert_string_equal(lb.text,
			    "7 create rm1 0 0x10000 rm1 -\n"
			    "7 alloc - 0 0x1000 ds1 rw-\n"
			    "8 attach env 0x60000000 0x10000 rm1 rw-\n"
			    "8 fault rm1 0x1000 0 - r--\n"
			    "8 attach rm1 0x1000 0x1000 ds1 rw-\n"
			    "8 resolve rm1 0x1000 0 - r--\n"
			    "8 detach rm1 0x1000 0x1000 ds1 -\n"
			    "8 free - 0 0x1000 ds1 -\n"
			    "8 reserve env 0x60000000 0x10000 rm1 rw-\n"
			    "8 destroy rm1 0 0 - -\n");
	assert_int_equal(mt->rpc[GN_RPC_ATTACH], 2);
	assert_int_equal(mt->rpc[GN_RPC_DETACH], 1);
	assert_int_equal(mt->rpc[GN_RPC_ALLOC_RAM], 1);
	assert_int_equal(mt->rpc[GN_RPC_RM_CREATE], 1);
	assert_int_equal(mt->rpc[GN_RPC_SESSION], 1);
	assert_int_equal(mt->faults, 1);
	assert_int_equal(mt->faults_reflected, 1);
	assert_int_equal(mt->faults_resolved, 1);
	assert_int_equal(mt->blocked, 0);
	assert_int_equal(mt->rm_sessions, 1);
	assert_int_equal(mt->region_maps, 0);
	assert_int_equal(mt->region_maps_peak, 1);
	assert_int_equal(mt->attachments, 1);	/* the reserved hole */
	assert_int_equal(mt->attachments_peak, 2);
	assert_int_equal(mt->dataspaces_peak, 1);
	assert_int_equal(mt->ram_used, 64 * KiB);
	assert_int_equal(mt->ram_peak, 64 * KiB + PG);
	assert_int_equal(mt->caps_peak, 3);
	assert_string_equal(gn_rpc_name(GN_RPC_ATTACH), "attach");
	gn_ctx_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ram_alloc_costs),
		cmocka_unit_test(test_ram_alloc_zero_2005),
		cmocka_unit_test(test_ram_metadata_slab),
		cmocka_unit_test(test_rm_session_costs),
		cmocka_unit_test(test_rm_create_pd_exhausted),
		cmocka_unit_test(test_attach_metadata_quota),
		cmocka_unit_test(test_env_metadata_quota),
		cmocka_unit_test(test_implicit_detach_by_version),
		cmocka_unit_test(test_ownership_and_pd_sessions),
		cmocka_unit_test(test_metrics_and_log),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
