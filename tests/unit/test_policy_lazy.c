/*
 * test_policy_lazy.c - the `lazy` policy on the Genode model.
 */
#include "win_fixture.h"

static void test_differential(void **state)
{
	uint64_t seed, n = wfx_stress(40);

	for (seed = 1; seed <= n; seed++)
		wfx_differential(&pol_lazy, seed, 400, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_differential),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
