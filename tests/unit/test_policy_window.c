/*
 * test_policy_window.c - the `window` policy on the Genode model: Go's
 * arena start-up on three layouts, every way a committed range is cut
 * (MAP_FIXED over the middle, partial munmap, mprotect of part), contents
 * kept or zeroed as Linux keeps or zeroes them, mremap moving contents,
 * shared memory, guards, Linux's errors, quota exhaustion, the set-up
 * parameters, and a randomised comparison with the reference model.
 * Results and Genode state (rights through env, contents, RAM, caps,
 * attachments) are asserted; gn_check and the policy's own checker run
 * after every operation.
 */
#include "win_fixture.h"

/* Go's arena start-up: a 64 MiB PROT_NONE reservation at the hint, 4 MiB
 * commits inside with MAP_FIXED, the scavenger's MADV_DONTNEED, and the
 * trims Go does with munmap. */
static void go_arena(const char *layout, bool hint_fits)
{
	struct wfx f;
	uint64_t a, ram, caps, att;

	wfx_open(&f, &pol_window, layout);
	att = gn_region_map_count(gn_env_rm(f.gn));
	a = wmap(&f, GO_HINT, 64 * MiB, NONE, ANON);
	if (hint_fits) {
		assert_int_equal(a, GO_HINT);
	} else {
		/* the window ends below the hint: placed inside anyway */
		assert_true(a >= wfx_base(&f) && a + 64 * MiB <= wfx_top(&f));
	}
	/* a reservation costs nothing and nothing reaches it */
	assert_int_equal(wfx_ram(&f), 0);
	assert_int_equal(gn_region_map_count(gn_env_rm(f.gn)), att);
	assert_int_equal(wrights(&f, a), -1);
	assert_int_equal(wload_r(&f, a), GN_ACCESS_STOPPED);

	caps = gn_metrics(f.gn)->caps_used;
	assert_int_equal(wmap(&f, a, 4 * MiB, RW, FIXED), a);
	assert_int_equal(wmap(&f, a + 4 * MiB, 4 * MiB, RW, FIXED),
			 a + 4 * MiB);
	assert_int_equal(wfx_ram(&f), 8 * MiB);
	/* one dataspace, one cap, per commit */
	assert_int_equal(gn_metrics(f.gn)->caps_used - caps, 2);
	assert_int_equal(wrights(&f, a), RW);
	assert_int_equal(wrights(&f, a + 8 * MiB - PG), RW);
	assert_int_equal(wrights(&f, a + 8 * MiB), -1);
	assert_int_equal(wload(&f, a + 5 * MiB), 0);
	assert_int_equal(wstore(&f, a, 0x11), 0);
	assert_int_equal(wstore(&f, a + 64 * KiB, 0x22), 0);
	assert_int_equal(wstore(&f, a + 5 * MiB, 0x33), 0);

	/* the scavenger: DONTNEED zeroes exactly its pages, RAM stays */
	ram = wfx_ram(&f);
	assert_int_equal(wadv(&f, a + 64 * KiB, 64 * KiB, LX_MADV_DONTNEED),
			 0);
	assert_int_equal(wload(&f, a + 64 * KiB), 0);
	assert_int_equal(wload(&f, a), 0x11);
	assert_int_equal(wload(&f, a + 5 * MiB), 0x33);
	assert_int_equal(wfx_ram(&f), ram);
	assert_int_equal(wadv(&f, a, 4 * MiB, LX_MADV_NOHUGEPAGE), 0);
	assert_int_equal(wload(&f, a), 0x11);

	/* trimming the reservation's head and a committed tail */
	assert_int_equal(wunmap(&f, a + 7 * MiB, 57 * MiB), 0);
	assert_int_equal(wrights(&f, a + 7 * MiB), -1);
	assert_int_equal(wload(&f, a + 5 * MiB), 0x33);
	assert_int_equal(wunmap(&f, a, 4 * MiB), 0);
	assert_int_equal(wload_r(&f, a), GN_ACCESS_STOPPED);
	assert_int_equal(wfx_ram(&f), 4 * MiB);	/* the second commit */
	assert_int_equal(wunmap(&f, a, 64 * MiB), 0);
	assert_int_equal(wfx_ram(&f), 0);
	assert_int_equal(gn_metrics(f.gn)->caps_used, caps);
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

/* Hints beyond the window fold into it: Go's next arena follows its
 * last one, so fixed commits that span both translate. */
static void test_hints_beyond_window_stay_consecutive(void **state)
{
	struct wfx f;
	uint64_t a, b;

	wfx_open(&f, &pol_window, "hw-64");
	a = wmap(&f, GO_HINT, 64 * MiB, NONE, ANON);
	b = wmap(&f, GO_HINT + 64 * MiB, 64 * MiB, NONE, ANON);
	assert_int_equal(b, a + 64 * MiB);
	assert_int_equal(wmap(&f, a + 60 * MiB, 8 * MiB, RW, FIXED),
			 a + 60 * MiB);
	assert_int_equal(wstore(&f, b + MiB, 5), 0);
	/* a fixed range beyond the window cannot be mapped */
	assert_int_equal(wmmap(&f, GO_HINT, PG, RW, FIXED, NULL),
			 -LX_ENOMEM);
	wfx_close(&f);
}

static void test_fixed_over_middle(void **state)
{
	struct wfx f;
	uint64_t a, ram, ds1, off1, ds2, off2;

	wfx_open(&f, &pol_window, NULL);
	a = wmap(&f, 0, 4 * PG, RW, ANON);
	assert_int_equal(wstore(&f, a, 1), 0);
	assert_int_equal(wstore(&f, a + PG, 2), 0);
	assert_int_equal(wstore(&f, a + 3 * PG, 4), 0);
	ram = wfx_ram(&f);
	assert_int_equal(wmap(&f, a + PG, 2 * PG, R, FIXED), a + PG);
	/* head and tail keep their data in the same dataspace, at their
	 * offsets; the middle is fresh and read-only */
	assert_int_equal(wload(&f, a), 1);
	assert_int_equal(wload(&f, a + 3 * PG), 4);
	assert_int_equal(wload(&f, a + PG), 0);
	assert_int_equal(wrights(&f, a + PG), R);
	assert_int_equal(wrights(&f, a), RW);
	assert_int_equal(wstore_r(&f, a + PG, 9), GN_ACCESS_STOPPED);
	assert_true(wds(&f, a, &ds1, &off1));
	assert_true(wds(&f, a + 3 * PG, &ds2, &off2));
	assert_int_equal(ds1, ds2);
	assert_int_equal(off2 - off1, 3 * PG);
	/* the replaced pages' RAM stays until the dataspace is unused */
	assert_int_equal(wfx_ram(&f) - ram, 2 * MiB);	/* zero pages */
	assert_int_equal(wunmap(&f, a, 4 * PG), 0);
	assert_int_equal(wfx_ram(&f), 2 * MiB);
	wfx_close(&f);
}

/* Random calls on both sides compared after every one. */
static void test_differential(void **state)
{
	uint64_t seed, n = wfx_stress(40);

	for (seed = 1; seed <= n; seed++)
		wfx_differential(&pol_window, seed, 400, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_go_arena_nova),
		cmocka_unit_test(test_go_arena_hw64),
		cmocka_unit_test(test_go_arena_sel4),
		cmocka_unit_test(test_hints_beyond_window_stay_consecutive),
		cmocka_unit_test(test_fixed_over_middle),
		cmocka_unit_test(test_differential),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
