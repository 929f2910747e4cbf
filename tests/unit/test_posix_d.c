/*
 * test_posix_d.c - the reference model against checklist section D of
 * research/posix.md: munmap.
 */
#include "px_test_util.h"

/* D.46: munmap returns 0 and every page of the range faults. */
static void test_D46_unmap_faults(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 4 * PG, RW, ANON);

	(void)state;
	OK(s, px_munmap(s, a, 4 * PG));
	for (uint64_t i = 0; i < 4; i++)
		assert_int_equal(pt_load(s, a + i * PG), -LX_EFAULT);
	px_free(s);
}

/* D.47: a partial last page goes too. */
static void test_D47_partial_page(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 3 * PG, RW, ANON);

	(void)state;
	OK(s, px_munmap(s, a, PG + 1));
	assert_true(pt_unmapped(s, a, a + 2 * PG));
	assert_true(pt_mapped(s, a + 2 * PG, a + 3 * PG));
	px_free(s);
}

/* D.48: unmapping a head, tail or middle piece leaves the rest with its
 * contents, protection and flags. */
static void test_D48_split(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 8 * PG, R | X, ANON | LX_MAP_NORESERVE);
	struct px_vma_info vi;

	(void)state;
	OK(s, px_mprotect(s, a, 8 * PG, RW));
	for (uint64_t i = 0; i < 8; i++)
		pt_store(s, a + i * PG, (uint8_t)(i + 1));
	OK(s, px_munmap(s, a, PG));
	OK(s, px_munmap(s, a + 7 * PG, PG));
	OK(s, px_munmap(s, a + 3 * PG, 2 * PG));
	assert_int_equal(pt_count(s, a, a + 8 * PG), 2);
	for (uint64_t i = 1; i < 7; i++) {
		if (i == 3 || i == 4)
			continue;
		assert_int_equal(pt_load(s, a + i * PG), i + 1);
		assert_int_equal(pt_prot(s, a + i * PG), RW);
	}
	assert_true(pt_vma(s, a + 5 * PG, &vi));
	assert_true(vi.flags & LX_MAP_NORESERVE);
	px_free(s);
}

/* D.49: unmapping nothing succeeds, also twice. */
static void test_D49_nothing_mapped(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	OK(s, px_munmap(s, LOW, 16 * PG));
	OK(s, px_munmap(s, LOW, 16 * PG));
	px_free(s);
}

/* D.50: one munmap removes several mappings and the holes between. */
static void test_D50_several(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	pt_map(s, LOW, PG, RW, ANON | FIXED);
	pt_map(s, LOW + 2 * PG, PG, R, SANON | FIXED);
	pt_map(s, LOW + 5 * PG, 2 * PG, NONE, ANON | FIXED);
	OK(s, px_munmap(s, LOW, 6 * PG));
	assert_true(pt_unmapped(s, LOW, LOW + 6 * PG));
	assert_true(pt_mapped(s, LOW + 6 * PG, LOW + 7 * PG));
	px_free(s);
}

/* D.51: a zero length is EINVAL. */
static void test_D51_len_zero(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, RW, ANON);

	(void)state;
	ERR(s, px_munmap(s, a, 0), LX_EINVAL);
	assert_true(pt_mapped(s, a, a + PG));
	px_free(s);
}

/* D.52: an unaligned address is EINVAL. */
static void test_D52_unaligned(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON);

	(void)state;
	ERR(s, px_munmap(s, a + 1, PG), LX_EINVAL);
	assert_true(pt_mapped(s, a, a + 2 * PG));
	px_free(s);
}

/* D.53: ranges outside user space, or that wrap, are EINVAL. */
static void test_D53_outside(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	ERR(s, px_munmap(s, UINT64_MAX, 1), LX_EINVAL);
	ERR(s, px_munmap(s, LOW, -PG + 1), LX_EINVAL);
	ERR(s, px_munmap(s, LX_TASK_SIZE - PG, 2 * PG), LX_EINVAL);
	ERR(s, px_munmap(s, LX_TASK_SIZE + PG, PG), LX_EINVAL);
	OK(s, px_munmap(s, LX_TASK_SIZE - PG, PG));
	px_free(s);
}

/* D.54: private modifications are gone: a new mapping there reads 0. */
static void test_D54_contents_discarded(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, PG, RW, ANON | FIXED);

	(void)state;
	pt_store(s, a + 10, 0xab);
	OK(s, px_munmap(s, a, PG));
	pt_map(s, a, PG, RW, ANON | FIXED);
	assert_int_equal(pt_load(s, a + 10), 0);
	px_free(s);
}

/* D.55: memory locks and guard markers go with the mapping. */
static void test_D55_locks_and_guards(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 4 * PG, RW, ANON | FIXED);
	struct px_stats st;

	(void)state;
	OK(s, px_mlock(s, a, 4 * PG, 0));
	OK(s, px_munlock(s, a + 2 * PG, 2 * PG));
	OK(s, px_madvise(s, a + 3 * PG, PG, LX_MADV_GUARD_INSTALL));
	OK(s, px_munmap(s, a, 4 * PG));
	px_stats(s, &st);
	assert_int_equal(st.locked, 0);
	pt_map(s, a, 4 * PG, RW, ANON | FIXED);
	pt_store(s, a + 3 * PG, 1);
	px_free(s);
}

static void small_map_count(struct px_config *cfg)
{
	cfg->max_map_count = 4;
}

/* D.56: a middle split at the map count limit fails and changes
 * nothing; trimming an end or removing whole mappings works. */
static void test_D56_split_at_limit(void **state)
{
	struct px_space *s = pt_new_cfg(small_map_count);
	uint64_t a = LOW;

	(void)state;
	for (int i = 0; i < 4; i++)
		pt_map(s, a + i * 4 * PG, 3 * PG, RW, ANON | FIXED);
	ERR(s, px_munmap(s, a + PG, PG), LX_ENOMEM);
	assert_true(pt_mapped(s, a, a + 3 * PG));
	OK(s, px_munmap(s, a + 2 * PG, PG));
	OK(s, px_munmap(s, a + 4 * PG, PG));
	OK(s, px_munmap(s, a + 8 * PG, 3 * PG));
	OK(s, px_munmap(s, a + 13 * PG, PG));
	assert_int_equal(pt_count(s, a, a + 16 * PG), 4);
	px_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_D46_unmap_faults),
		cmocka_unit_test(test_D47_partial_page),
		cmocka_unit_test(test_D48_split),
		cmocka_unit_test(test_D49_nothing_mapped),
		cmocka_unit_test(test_D50_several),
		cmocka_unit_test(test_D51_len_zero),
		cmocka_unit_test(test_D52_unaligned),
		cmocka_unit_test(test_D53_outside),
		cmocka_unit_test(test_D54_contents_discarded),
		cmocka_unit_test(test_D55_locks_and_guards),
		cmocka_unit_test(test_D56_split_at_limit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
