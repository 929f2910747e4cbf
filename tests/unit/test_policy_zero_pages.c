/*
 * test_policy_zero_pages.c - read-only zero pages of any size in the
 * `window` and `lazy` policies: a 16 TiB read-only mapping costs a few
 * hundred attachments (slices of zero maps), not one per huge page;
 * it reads zero everywhere; making part of it writable, writing there,
 * and making it read-only again keep gn_check and the policy's checker
 * happy and the rest reading zero.
 */
#include "win_fixture.h"

#define TiB (1ULL << 40)

static void zero_pages(const struct pol_policy *pol)
{
	struct wfx f;
	uint64_t a, att, mid, size = 16 * TiB;

	wfx_open(&f, pol, NULL);
	att = wfx_rpc(&f, GN_RPC_ATTACH);
	a = wmap(&f, 0, size, R, ANON);
	/* 32 slices of 512 GiB, the maps below built once (512 + 512),
	 * each attach maybe tried again after a quota upgrade; a slice per
	 * huge page would be 8 M */
	assert_true(wfx_rpc(&f, GN_RPC_ATTACH) - att < 2200);
	assert_int_equal(wload(&f, a), 0);
	assert_int_equal(wload(&f, a + size / 2 + 12345), 0);
	assert_int_equal(wload(&f, a + size - 1), 0);
	/* the huge page of zeroes and the metadata of the attachments */
	assert_true(wfx_ram(&f) < 4 * MiB);
	mid = a + size / 2 + GiB + 3 * PG;
	assert_int_equal(wprot(&f, mid, 5 * PG, RW), 0);
	assert_int_equal(wstore(&f, mid + PG, 9), 0);
	assert_int_equal(wload(&f, mid + PG), 9);
	assert_int_equal(wload(&f, mid - 1), 0);
	assert_int_equal(wload(&f, mid + 5 * PG), 0);
	assert_int_equal(wprot(&f, mid, 5 * PG, R), 0);
	assert_int_equal(wload(&f, mid + PG), 9);
	assert_true(wfx_rpc(&f, GN_RPC_ATTACH) - att < 4000);
	assert_int_equal(wunmap(&f, a, size), 0);
	wfx_close(&f);
}

static void test_window(void **state)
{
	(void)state;
	zero_pages(&pol_window);
}

static void test_lazy(void **state)
{
	(void)state;
	zero_pages(&pol_lazy);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_window),
		cmocka_unit_test(test_lazy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
