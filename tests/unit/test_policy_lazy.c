/*
 * test_policy_lazy.c - the `lazy` policy on the Genode model: RAM on the
 * first touch, a chunk at a time, through the lazy map's fault handler;
 * MADV_DONTNEED giving RAM back; faults where nothing is committed
 * stopping the thread instead of hanging it; read-only memory shown the
 * zero pages; mprotect moving chunks where a write must stop; mremap
 * taking the chunks along; Go's arena start-up on three layouts; the old
 * release's way; and a randomised comparison with the reference model.
 * gn_check and the policy's own checker run after every operation.
 */
#include "win_fixture.h"

/* test_policy_lazy_genode.c runs the same tests on the port */
#ifndef WIN_POLICY
#define WIN_POLICY pol_lazy
#endif

static void go_arena(const char *layout, bool hint_fits)
{
	struct wfx f;
	uint64_t a, b;

	wfx_open(&f, &WIN_POLICY, layout);
	a = wmap(&f, GO_HINT, 64 * MiB, NONE, ANON);
	if (hint_fits)
		assert_int_equal(a, GO_HINT);
	else
		assert_true(a >= wfx_base(&f) && a + 64 * MiB <= wfx_top(&f));
	b = wmap(&f, GO_HINT + 64 * MiB, 64 * MiB, NONE, ANON);
	assert_int_equal(b, a + 64 * MiB);
	/* commits cost no RAM until touched */
	assert_int_equal(wmap(&f, a, 4 * MiB, RW, FIXED), a);
	assert_int_equal(wmap(&f, a + 60 * MiB, 8 * MiB, RW, FIXED),
			 a + 60 * MiB);
	assert_int_equal(wfx_ram(&f), 0);
	assert_int_equal(wrights(&f, a), RW);
	assert_int_equal(wrights(&f, a + 4 * MiB), -1);
	/* first touches: one chunk each, from one pool */
	assert_int_equal(wstore(&f, a, 1), 0);
	assert_int_equal(wstore(&f, a + 64 * MiB, 2), 0);
	assert_int_equal(wload(&f, a + 3 * MiB), 0);
	assert_int_equal(wfx_ram(&f), 2 * MiB);
	assert_int_equal(wc_stats(wfx_core(&f))->faults, 3);
	assert_int_equal(wload(&f, a), 1);
	assert_int_equal(wload(&f, a + 64 * MiB), 2);
	/* the reservation around stops the thread: no hang */
	assert_int_equal(wload_r(&f, a + 4 * MiB), GN_ACCESS_STOPPED);
	assert_int_equal(gn_metrics(f.gn)->blocked, 0);
	/* the scavenger gives whole chunks back */
	assert_int_equal(wadv(&f, a, 4 * MiB, LX_MADV_DONTNEED), 0);
	assert_int_equal(wload(&f, a), 0);
	assert_int_equal(wunmap(&f, a, 128 * MiB), 0);
	assert_int_equal(wfx_ram(&f), 2 * MiB);	/* the spare pool */
	wfx_close(&f);
}

static void test_go_arena_nova(void **state)
{
	go_arena("nova-x86_64", true);
}

static void test_go_arena_hw64(void **state)
{
	go_arena("hw-64", false);
}

static void test_go_arena_sel4(void **state)
{
	go_arena("sel4-64", false);
}

static void test_first_touch_population(void **state)
{
	struct wfx f;
	uint64_t a, faults, attach;

	/* no pools: every chunk its own dataspace, to count them */
	assert_int_equal(wfx_open_ex(&f, &WIN_POLICY, "pool=0",
				     GN_VERSION_DEFAULT, NULL, 0, 0),
			 0);
	a = wmap(&f, 0, MiB, RW, ANON);
	assert_int_equal(wfx_ram(&f), 0);
	assert_false(wbacked(&f, a));
	attach = wfx_rpc(&f, GN_RPC_ATTACH);
	assert_int_equal(wstore(&f, a + 5 * PG, 7), 0);
	/* one fault: a 64 KiB chunk around the page, one attach */
	assert_int_equal(wc_stats(wfx_core(&f))->faults, 1);
	assert_int_equal(wfx_ram(&f), 64 * KiB);
	assert_int_equal(wfx_rpc(&f, GN_RPC_ATTACH) - attach, 1);
	assert_true(wbacked(&f, a));
	assert_true(wbacked(&f, a + 15 * PG));
	assert_false(wbacked(&f, a + 16 * PG));
	faults = wc_stats(wfx_core(&f))->faults;
	assert_int_equal(wload(&f, a + 15 * PG), 0);
	assert_int_equal(wc_stats(wfx_core(&f))->faults, faults);
	assert_int_equal(wload(&f, a + 16 * PG), 0);
	assert_int_equal(wc_stats(wfx_core(&f))->faults, faults + 1);
	assert_int_equal(wfx_ram(&f), 128 * KiB);
	/* a chunk stops at the mapping's end and at backed pages */
	assert_int_equal(wunmap(&f, a + 40 * PG, 4 * PG), 0);
	assert_int_equal(wstore(&f, a + 38 * PG, 1), 0);
	assert_int_equal(wfx_ram(&f), 128 * KiB + 8 * PG);
	/* MAP_POPULATE and MADV_POPULATE_WRITE attach now */
	assert_int_equal(wmap(&f, a + 40 * PG, 4 * PG, RW,
			      FIXED | LX_MAP_POPULATE),
			 a + 40 * PG);
	assert_true(wbacked(&f, a + 43 * PG));
	assert_int_equal(wadv(&f, a + 64 * PG, 2 * PG,
			      LX_MADV_POPULATE_WRITE),
			 0);
	assert_true(wbacked(&f, a + 65 * PG));
	wfx_close(&f);
}

static void test_dontneed_returns_ram(void **state)
{
	struct wfx f;
	uint64_t a, frees;

	assert_int_equal(wfx_open_ex(&f, &WIN_POLICY, "pool=0",
				     GN_VERSION_DEFAULT, NULL, 0, 0),
			 0);
	a = wmap(&f, 0, 4 * 64 * KiB, RW, ANON);
	assert_int_equal(wstore(&f, a, 1), 0);
	assert_int_equal(wstore(&f, a + 64 * KiB, 2), 0);
	assert_int_equal(wstore(&f, a + 128 * KiB, 3), 0);
	assert_int_equal(wfx_ram(&f), 192 * KiB);
	frees = wc_stats(wfx_core(&f))->ds_frees;
	/* a whole chunk: its RAM goes back at once */
	assert_int_equal(wadv(&f, a + 64 * KiB, 64 * KiB, LX_MADV_DONTNEED),
			 0);
	assert_int_equal(wfx_ram(&f), 128 * KiB);
	assert_int_equal(wc_stats(wfx_core(&f))->ds_frees, frees + 1);
	assert_false(wbacked(&f, a + 64 * KiB));
	assert_int_equal(wload(&f, a + 64 * KiB), 0);
	/* parts of a chunk: the pages go, the RAM when the last part does
	 * (Go's scavenger releases 64 KiB at 8 KiB offsets) */
	assert_int_equal(wadv(&f, a + 8 * KiB, 56 * KiB, LX_MADV_DONTNEED),
			 0);
	assert_int_equal(wload(&f, a), 1);
	assert_false(wbacked(&f, a + 8 * KiB));
	assert_int_equal(wfx_ram(&f), 192 * KiB);	/* + the load's */
	assert_int_equal(wadv(&f, a + 128 * KiB, 64 * KiB,
			      LX_MADV_DONTNEED),
			 0);
	assert_int_equal(wadv(&f, a, 8 * KiB, LX_MADV_DONTNEED), 0);
	assert_int_equal(wfx_ram(&f), 64 * KiB);	/* the load's chunk */
	assert_int_equal(wload(&f, a), 0);
	/* MADV_FREE is the same here */
	assert_int_equal(wstore(&f, a + 128 * KiB, 4), 0);
	assert_int_equal(wadv(&f, a + 128 * KiB, 64 * KiB, LX_MADV_FREE), 0);
	assert_int_equal(wload(&f, a + 128 * KiB), 0);
	wfx_close(&f);
}

/* Faults where nothing is committed are SIGSEGV, never a hang; read-only
 * memory costs nothing and refuses writes at once. */
static void test_faults_outside_commits(void **state)
{
	struct wfx f;
	uint64_t r, a, ram;

	wfx_open(&f, &WIN_POLICY, NULL);
	r = wmap(&f, 0, 8 * PG, NONE, ANON);
	assert_int_equal(wload_r(&f, r), GN_ACCESS_STOPPED);
	assert_int_equal(wstore_r(&f, r + PG, 1), GN_ACCESS_STOPPED);
	assert_int_equal(wunmap(&f, r + 4 * PG, 4 * PG), 0);
	assert_int_equal(wload_r(&f, r + 5 * PG), GN_ACCESS_STOPPED);
	assert_int_equal(gn_metrics(f.gn)->blocked, 0);
	assert_int_equal(wc_stats(wfx_core(&f))->faults, 0);
	/* read-only: the zero pages, no fault, no RAM but theirs */
	ram = wfx_ram(&f);
	a = wmap(&f, 0, 16 * PG, R, ANON);
	assert_int_equal(wrights(&f, a), R);
	assert_true(wbacked(&f, a));
	assert_int_equal(wload(&f, a + 9 * PG), 0);
	assert_int_equal(wstore_r(&f, a, 1), GN_ACCESS_STOPPED);
	assert_int_equal(wfx_ram(&f) - ram, 2 * MiB);
	assert_int_equal(wc_stats(wfx_core(&f))->faults, 0);
	/* made writable: the zero pages go, the first touch brings RAM */
	assert_int_equal(wprot(&f, a, 16 * PG, RW), 0);
	assert_false(wbacked(&f, a));
	assert_int_equal(wstore(&f, a, 5), 0);
	assert_int_equal(wload(&f, a), 5);
	assert_int_equal(gn_metrics(f.gn)->blocked, 0);
	wfx_close(&f);
}

/* A chunk whose pages become read-only moves into the window, so that a
 * write stops the thread there instead of queueing it at the handler. */
static void test_mprotect_migrates(void **state)
{
	struct wfx f;
	uint64_t a, refused;

	wfx_open(&f, &WIN_POLICY, NULL);
	a = wmap(&f, 0, 4 * PG, RW, ANON);
	assert_int_equal(wstore(&f, a + PG, 9), 0);
	assert_int_equal(wprot(&f, a, 4 * PG, R), 0);
	assert_int_equal(wc_stats(wfx_core(&f))->migrations, 1);
	assert_int_equal(wload(&f, a + PG), 9);
	refused = wc_stats(wfx_core(&f))->faults_refused;
	assert_int_equal(wstore_r(&f, a + PG, 1), GN_ACCESS_STOPPED);
	assert_int_equal(wc_stats(wfx_core(&f))->faults_refused, refused);
	assert_int_equal(gn_metrics(f.gn)->blocked, 0);
	/* PROT_NONE keeps the contents; back to rw shows them */
	assert_int_equal(wprot(&f, a, 4 * PG, NONE), 0);
	assert_int_equal(wload_r(&f, a + PG), GN_ACCESS_STOPPED);
	assert_int_equal(wprot(&f, a, 4 * PG, RW), 0);
	assert_int_equal(wload(&f, a + PG), 9);
	assert_int_equal(wstore(&f, a + PG, 10), 0);
	/* an untouched page made read-only shows the zero pages: a write
	 * stops at once; nothing hangs */
	a = wmap(&f, 0, 4 * PG, RW, ANON);
	assert_int_equal(wprot(&f, a + 2 * PG, PG, RX), 0);
	assert_int_equal(wrights(&f, a + 2 * PG), RX);
	assert_int_equal(wstore_r(&f, a + 2 * PG, 1), GN_ACCESS_STOPPED);
	assert_int_equal(wstore(&f, a + 3 * PG, 1), 0);
	assert_int_equal(gn_metrics(f.gn)->blocked, 0);
	wfx_close(&f);
}

static void test_mremap_takes_chunks(void **state)
{
	struct wfx f;
	uint64_t r, b, faults;

	wfx_open(&f, &WIN_POLICY, NULL);
	r = wmap(&f, 0, 16 * PG, NONE, ANON);
	assert_int_equal(wmap(&f, r, 4 * PG, RW, FIXED), r);
	assert_int_equal(wstore(&f, r, 1), 0);
	assert_int_equal(wstore(&f, r + 3 * PG, 4), 0);
	faults = wc_stats(wfx_core(&f))->faults;
	assert_int_equal(wremap(&f, r, 4 * PG, 8 * PG, LX_MREMAP_MAYMOVE, 0,
				&b),
			 0);
	assert_int_not_equal(b, r);
	assert_int_equal(wload(&f, b), 1);
	assert_int_equal(wload(&f, b + 3 * PG), 4);
	assert_int_equal(wc_stats(wfx_core(&f))->faults, faults);
	/* the grown part is committed, not yet backed */
	assert_false(wbacked(&f, b + 5 * PG));
	assert_int_equal(wrights(&f, b + 5 * PG), RW);
	assert_int_equal(wload(&f, b + 5 * PG), 0);
	assert_int_equal(wload_r(&f, r), GN_ACCESS_STOPPED);
	assert_int_equal(wremap(&f, b, 8 * PG, 8 * PG,
				LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED, r + 8 * PG,
				&b),
			 0);
	assert_int_equal(wload(&f, r + 11 * PG), 4);
	wfx_close(&f);
}

/* Chunk sizes, and the old release: its faults carry no attach offsets,
 * so the handler sits on the window itself. */
static void test_chunks_and_20_05(void **state)
{
	struct wfx f;
	uint64_t a;

	assert_int_equal(wfx_open_ex(&f, &WIN_POLICY, "chunk=16K,pool=0",
				     GN_VERSION_DEFAULT, NULL, 0, 0),
			 0);
	a = wmap(&f, 0, MiB, RW, ANON);
	assert_int_equal(wstore(&f, a + 17 * KiB, 1), 0);
	assert_int_equal(wfx_ram(&f), 16 * KiB);
	wfx_close(&f);
	assert_int_equal(wfx_open_ex(&f, &WIN_POLICY, "chunk=12K",
				     GN_VERSION_DEFAULT, NULL, 0, 0),
			 -LX_EINVAL);
	wfx_close(&f);

	assert_int_equal(wfx_open_ex(&f, &WIN_POLICY, "", GN_20_05, NULL, 0, 0),
			 0);
	assert_int_equal(gn_metrics(f.gn)->region_maps, 1);
	a = wmap(&f, 0, MiB, RW, ANON);
	assert_int_equal(wstore(&f, a + 100 * KiB, 3), 0);
	assert_int_equal(wload(&f, a + 100 * KiB), 3);
	assert_int_equal(wc_stats(wfx_core(&f))->faults, 1);
	wfx_close(&f);
}

static void test_differential(void **state)
{
	uint64_t seed, n = wfx_stress(40);

	for (seed = 1; seed <= n; seed++)
		wfx_differential(&WIN_POLICY, seed, 400, "");
	for (seed = 1; seed <= n / 4; seed++)
		wfx_differential(&WIN_POLICY, seed, 400, "chunk=8K,pool=0");
	for (seed = 1; seed <= n / 4; seed++)
		wfx_differential(&WIN_POLICY, seed, 400, "chunk=1M,pool=64K");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_arena_nova),
		cmocka_unit_test(test_go_arena_hw64),
		cmocka_unit_test(test_go_arena_sel4),
		cmocka_unit_test(test_first_touch_population),
		cmocka_unit_test(test_dontneed_returns_ram),
		cmocka_unit_test(test_faults_outside_commits),
		cmocka_unit_test(test_mprotect_migrates),
		cmocka_unit_test(test_mremap_takes_chunks),
		cmocka_unit_test(test_chunks_and_20_05),
		cmocka_unit_test(test_differential),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
