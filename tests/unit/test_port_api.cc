/*
 * test_port_api.cc - the port layer (port/include) against the model:
 * every Genode call costs quota and RPCs exactly as the gn_ call it
 * stands for (the same call made on a twin model must leave the same
 * metrics); Region_map::Attr's `{ }` means whole dataspace, anywhere,
 * neither writeable nor executable; Attempt and Unique_attempt answer
 * their accessors as documented; a Local_rm Attachment detaches when it
 * goes unless `deallocate` is false, and moves with its Attempt; the
 * Linux decoding of the policies' arguments is lossless.
 *
 * A C++ test executable: it prints each failed check with its line and
 * exits 1 when any failed.
 */
#include <base/heap.h>
#include <base/log.h>
#include <rm_session/connection.h>
#include <rmsim_port/model.h>
#include <util/string.h>

#include "linux_decode.h"

#include <cstdio>
#include <cstring>

using namespace Genode;

static int failures;

#define CHECK(cond) \
	do { \
		if (!(cond)) { \
			std::fprintf(stderr, "%s:%d: check failed: %s\n", \
			             __FILE__, __LINE__, #cond); \
			failures++; \
		} \
	} while (0)

static struct gn_ctx *model()
{
	struct gn_config cfg;

	gn_default_config(&cfg);
	cfg.bare = true;
	cfg.ram_quota = 64ull << 20;
	cfg.cap_quota = 1000;
	return gn_ctx_new(&cfg);
}

/* Do two models agree on every RPC count and the PD's quota? */
static bool same(struct gn_ctx *a, struct gn_ctx *b)
{
	struct gn_metrics const *x = gn_metrics(a), *y = gn_metrics(b);
	char msg[256];

	if (gn_check(a, msg, sizeof(msg)) || gn_check(b, msg, sizeof(msg))) {
		std::fprintf(stderr, "gn_check: %s\n", msg);
		return false;
	}
	return std::memcmp(x->rpc, y->rpc, sizeof(x->rpc)) == 0 &&
	       x->ram_used == y->ram_used && x->caps_used == y->caps_used &&
	       x->attachments == y->attachments &&
	       x->region_maps == y->region_maps &&
	       x->rm_sessions == y->rm_sessions &&
	       x->dataspaces == y->dataspaces;
}

static uint64_t rpc(struct gn_ctx *c, enum gn_rpc r)
{
	return gn_metrics(c)->rpc[r];
}

/* ---- each call = its gn_ call ---- */

static void test_calls_cost_what_gn_calls_cost()
{
	struct gn_ctx *a = model(), *b = model();
	Rmsim::Env env(a);
	struct gn_pd *pd = gn_env_pd(b);

	/* Ram_allocator::try_alloc = gn_pd_alloc_ram */
	gn_ds_cap ds_b;
	CHECK(gn_pd_alloc_ram(pd, 3 * 4096 + 1, &ds_b) == GN_ALLOC_OK);
	Ram::Capability ram_cap { };
	size_t ram_size = 0;
	env.ram().try_alloc(3 * 4096 + 1).with_result(
		[&] (Ram::Allocation &al) {
			al.deallocate = false;
			ram_cap = al.cap;
			ram_size = al.num_bytes; },
		[&] (Ram::Error) { });
	CHECK(ram_cap.valid());
	CHECK(ram_size == 4 * 4096);
	CHECK(same(a, b));

	/* Rm_connection = gn_rm_session_open; create = gn_rm_create */
	enum gn_session_error se;
	struct gn_rm_connection *rm_b = gn_rm_session_open(pd, &se);
	gn_rm_cap map_b;
	CHECK(gn_rm_create(rm_b, 1 << 20, &map_b) == GN_ALLOC_OK);
	Rm_connection *rm = new Rm_connection(env);
	Capability<Region_map> map = rm->create(1 << 20);
	CHECK(map.valid());
	CHECK(same(a, b));

	/* Region_map::dataspace = gn_region_map_dataspace */
	gn_ds_cap mds_b = gn_region_map_dataspace(map_b);
	Dataspace_capability mds = Region_map_client(map).dataspace();
	CHECK(mds.valid() && mds_b.id == Rmsim::ds_cap(mds).id);
	CHECK(same(a, b));

	/* Region_map::attach = gn_region_map_attach */
	struct gn_attr at_b = { };
	at_b.use_at = true;
	at_b.at = 0x10000;
	at_b.writeable = true;
	CHECK(gn_region_map_attach(map_b, ds_b, &at_b, NULL) == GN_ATTACH_OK);
	Region_map::Attach_result r = Region_map_client(map).attach(ram_cap, {
		.size = 0, .offset = 0, .use_at = true, .at = 0x10000,
		.executable = false, .writeable = true });
	CHECK(r.ok());
	r.with_result([&] (Region_map::Range range) {
		CHECK(range.start == 0x10000 && range.num_bytes == 4 * 4096); },
		[&] (Region_map::Attach_error) { });
	CHECK(same(a, b));

	/* a conflict: the same error, the same cost */
	CHECK(gn_region_map_attach(map_b, ds_b, &at_b, NULL) ==
	      GN_ATTACH_REGION_CONFLICT);
	CHECK(Region_map_client(map).attach(ram_cap, {
		.size = 0, .offset = 0, .use_at = true, .at = 0x10000,
		.executable = false, .writeable = true })
	      == Region_map::Attach_error::REGION_CONFLICT);
	CHECK(same(a, b));

	/* fault_handler, fault = their gn_ calls */
	struct gn_fault_handler h = { };
	h.kind = GN_HANDLER_INVALID;
	gn_region_map_fault_handler(map_b, &h);
	Region_map_client(map).fault_handler(Signal_context_capability());
	CHECK(gn_region_map_fault(map_b).type == GN_FAULT_NONE);
	CHECK(Region_map_client(map).fault().type ==
	      Region_map::Fault::Type::NONE);
	CHECK(same(a, b));

	/* detach = gn_region_map_detach */
	gn_region_map_detach(map_b, 0x10000);
	Region_map_client(map).detach(0x10000);
	CHECK(same(a, b));

	/* upgrade_ram/upgrade_caps = gn_rm_upgrade */
	CHECK(gn_rm_upgrade(rm_b, 8192, 0) == GN_ALLOC_OK);
	CHECK(gn_rm_upgrade(rm_b, 0, 2) == GN_ALLOC_OK);
	rm->upgrade_ram(8192);
	rm->upgrade_caps(2);
	CHECK(same(a, b));
	CHECK(env.pd().avail_ram().value == gn_pd_avail_ram(pd));
	CHECK(env.pd().avail_caps().value == gn_pd_avail_caps(pd));

	/* destroy = gn_rm_destroy; ~Rm_connection = gn_rm_session_close */
	gn_rm_destroy(rm_b, map_b);
	rm->destroy(map);
	CHECK(same(a, b));
	gn_rm_session_close(rm_b);
	delete rm;
	CHECK(same(a, b));

	/* Ram_allocator::free = gn_pd_free_ram */
	gn_pd_free_ram(pd, ds_b);
	env.ram().free(ram_cap, ram_size);
	CHECK(same(a, b));
	CHECK(rpc(a, GN_RPC_FREE_RAM) == 1 && rpc(a, GN_RPC_ALLOC_RAM) == 1);

	/* quota exhausted: the same error from both */
	gn_ds_cap big_b;
	CHECK(gn_pd_alloc_ram(pd, 1ull << 40, &big_b) == GN_ALLOC_OUT_OF_RAM);
	CHECK(env.ram().try_alloc(1ull << 40) == Ram::Error::OUT_OF_RAM);
	CHECK(same(a, b));

	gn_ctx_free(a);
	gn_ctx_free(b);
}

/* ---- Attr defaults ---- */

static void test_attr_defaults()
{
	struct gn_ctx *c = model();
	Rmsim::Env env(c);
	Ram::Capability cap { };

	env.ram().try_alloc(2 * 4096).with_result(
		[&] (Ram::Allocation &a) { a.deallocate = false; cap = a.cap; },
		[&] (Ram::Error) { });

	/* `{ }`: the whole dataspace, anywhere, read-only, not executable */
	Region_map::Attr const none { };
	CHECK(none.size == 0 && none.offset == 0 && !none.use_at &&
	      none.at == 0 && !none.executable && !none.writeable);
	env.rm().attach(cap, { }).with_result(
		[&] (Env::Local_rm::Attachment &a) {
			struct gn_attachment g;
			CHECK(a.num_bytes == 2 * 4096);
			CHECK(gn_region_map_lookup(gn_env_rm(c),
			                           (uint64_t)a.ptr, &g));
			CHECK(g.size == 2 * 4096 && !g.writeable &&
			      !g.executable);
			/* a store there is the fault it would be */
		},
		[&] (Region_map::Attach_error) { CHECK(false); });
	gn_ctx_free(c);
}

/* ---- Attempt accessors ---- */

static void test_attempt()
{
	enum class E { A, B };
	using At = Attempt<int, E>;

	At ok(7), bad(E::B);
	CHECK(ok.ok() && !ok.failed());
	CHECK(bad.failed() && !bad.ok());
	CHECK(ok == 7 && !(ok == 8) && !(ok == E::A));
	CHECK(bad == E::B && !(bad == E::A) && !(bad == 7));
	int seen = 0;
	ok.with_result([&] (int v) { seen = v; }, [&] (E) { seen = -1; });
	CHECK(seen == 7);
	bad.with_result([&] (int) { seen = 1; }, [&] (E e) {
		seen = e == E::B ? -2 : -3; });
	CHECK(seen == -2);
	seen = 0;
	ok.with_error([&] (E) { seen = 1; });
	CHECK(seen == 0);
	bad.with_error([&] (E) { seen = 1; });
	CHECK(seen == 1);
	CHECK(ok.convert<long>([] (int v) { return v * 2L; },
	                       [] (E) { return -1L; }) == 14);
	CHECK(bad.convert<long>([] (int v) { return v * 2L; },
	                        [] (E) { return -1L; }) == -1);
	At copy = ok;
	CHECK(copy == 7);
}

/* ---- Local_rm attachment lifetimes ---- */

static void test_attachment_lifetimes()
{
	struct gn_ctx *c = model();
	Rmsim::Env env(c);
	Ram::Capability cap { };
	gn_rm_cap envrm = gn_env_rm(c);
	uint64_t n0 = gn_region_map_count(envrm);

	env.ram().try_alloc(4096).with_result(
		[&] (Ram::Allocation &a) { a.deallocate = false; cap = a.cap; },
		[&] (Ram::Error) { });

	/* detached when the Attempt holding it goes */
	{
		Env::Local_rm::Result r = env.rm().attach(cap, {
			.size = 0, .offset = 0, .use_at = false, .at = 0,
			.executable = false, .writeable = true });
		CHECK(r.ok());
		CHECK(gn_region_map_count(envrm) == n0 + 1);
	}
	CHECK(gn_region_map_count(envrm) == n0);
	CHECK(rpc(c, GN_RPC_DETACH) == 1);

	/* kept with deallocate = false, then detach(addr) */
	void *ptr = nullptr;
	env.rm().attach(cap, { }).with_result(
		[&] (Env::Local_rm::Attachment &a) {
			a.deallocate = false;
			ptr = a.ptr; },
		[&] (Region_map::Attach_error) { });
	CHECK(ptr && gn_region_map_count(envrm) == n0 + 1);
	env.rm().detach((addr_t)ptr);
	CHECK(gn_region_map_count(envrm) == n0);

	/* moved: the attachment changes hands, detached once */
	{
		Env::Local_rm::Result keep { };
		CHECK(keep.failed());
		{
			Env::Local_rm::Result r = env.rm().attach(cap, { });
			keep = static_cast<Env::Local_rm::Result &&>(r);
			CHECK(r.failed());
		}
		CHECK(keep.ok() && gn_region_map_count(envrm) == n0 + 1);
	}
	CHECK(gn_region_map_count(envrm) == n0);
	CHECK(rpc(c, GN_RPC_DETACH) == 3);

	/* a Ram::Allocation frees its dataspace when it goes */
	uint64_t frees = rpc(c, GN_RPC_FREE_RAM);
	{
		Ram_allocator::Result r = env.ram().try_alloc(4096);
		CHECK(r.ok());
	}
	CHECK(rpc(c, GN_RPC_FREE_RAM) == frees + 1);
	gn_ctx_free(c);
}

/* ---- bzero through the component's space ---- */

static void test_bzero()
{
	struct gn_ctx *c = model();
	Rmsim::Env env(c);
	Ram::Capability cap { };
	uint8_t one = 1, got = 9;

	env.ram().try_alloc(2 * 4096).with_result(
		[&] (Ram::Allocation &a) { a.deallocate = false; cap = a.cap; },
		[&] (Ram::Error) { });
	CHECK(gn_ds_write(Rmsim::ds_cap(cap), 4096 + 5, &one, 1) == 0);
	env.rm().attach(cap, { .size = 0, .offset = 0, .use_at = false,
	                       .at = 0, .executable = false,
	                       .writeable = true }).with_result(
		[&] (Env::Local_rm::Attachment &a) {
			Rmsim::Scope scope(c);
			Genode::bzero((char *)a.ptr + 4096, 4096); },
		[&] (Region_map::Attach_error) { CHECK(false); });
	CHECK(gn_ds_read(Rmsim::ds_cap(cap), 4096 + 5, &got, 1) == 0);
	CHECK(got == 0);
	gn_ctx_free(c);
}

/* ---- the Linux decoding round trip ---- */

static void test_decoding_is_lossless()
{
	using namespace Mmap_window;
	uint64_t x = 88172645463325252ull;

	for (int bit = -1; bit < 32; bit++) {
		int v = bit < 0 ? 0 : (int)(1u << bit);

		CHECK(linux_prot(decode_prot(v)) == v);
		CHECK(linux_flags(decode_flags(v)) == v);
		CHECK(linux_remap(decode_remap(v)) == v);
	}
	for (int type = 0; type < 16; type++)
		CHECK(linux_flags(decode_flags(type | 0x20)) == (type | 0x20));
	for (int i = 0; i < 100000; i++) {
		x ^= x << 13; x ^= x >> 7; x ^= x << 17;
		int v = (int)(uint32_t)x;

		CHECK(linux_prot(decode_prot(v)) == v);
		CHECK(linux_flags(decode_flags(v)) == v);
		CHECK(linux_remap(decode_remap(v)) == v);
	}
	/* the named fields are the flags' meaning */
	Map_flags f = decode_flags(LX_MAP_PRIVATE | LX_MAP_ANONYMOUS |
	                           LX_MAP_FIXED_NOREPLACE);
	CHECK(f.priv && f.anonymous && f.noreplace && !f.fixed && !f.shared);
	f = decode_flags(LX_MAP_SHARED_VALIDATE);
	CHECK(f.shared && f.validate && !f.priv);
	Prot p = decode_prot(LX_PROT_READ | LX_PROT_EXEC);
	CHECK(p.read && p.exec && !p.write && p.other == 0);
}

int main()
{
	test_calls_cost_what_gn_calls_cost();
	test_attr_defaults();
	test_attempt();
	test_attachment_lifetimes();
	test_bzero();
	test_decoding_is_lossless();
	std::printf("%s: %d failed checks\n", failures ? "FAIL" : "PASS",
	            failures);
	return failures ? 1 : 0;
}
