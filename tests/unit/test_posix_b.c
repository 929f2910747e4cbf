/*
 * test_posix_b.c - the reference model against checklist section B of
 * research/posix.md: mmap's arguments, their checks in the kernel's
 * order, and the basic result.
 */
#include "px_test_util.h"

static int map_full(struct px_space *s, uint64_t addr, uint64_t len, int prot,
		    int flags, int fd, uint64_t off, const char *path)
{
	uint64_t a;
	int e = px_mmap(s, addr, len, prot, flags, fd, off, path, &a);

	pt_check(s);
	return e;
}

/* B.14: a zero length fails and maps nothing. */
static void test_B14_len_zero(void **state)
{
	struct px_space *s = pt_new();
	struct px_stats st;

	(void)state;
	assert_int_equal(pt_map_err(s, 0, 0, RW, ANON), -LX_EINVAL);
	assert_int_equal(pt_map_err(s, LOW, 0, RW, ANON | FIXED), -LX_EINVAL);
	px_stats(s, &st);
	assert_int_equal(st.vmas, 0);
	px_free(s);
}

/* B.15: a length below a page maps the whole page. */
static void test_B15_small_len(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 128, RW, ANON);
	struct px_vma_info vi;

	(void)state;
	assert_true(pt_vma(s, a, &vi));
	assert_int_equal(vi.end - vi.start, PG);
	px_free(s);
}

/* B.16: a length whose page round-up overflows is ENOMEM. */
static void test_B16_len_overflow(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	assert_int_equal(pt_map_err(s, 0, -PG + 1, RW, ANON), -LX_ENOMEM);
	assert_int_equal(pt_map_err(s, 0, UINT64_MAX, RW, ANON), -LX_ENOMEM);
	assert_int_equal(pt_map_err(s, 0, LX_TASK_SIZE + PG, RW, ANON),
			 -LX_ENOMEM);
	px_free(s);
}

/* B.17: neither MAP_PRIVATE nor MAP_SHARED. */
static void test_B17_no_type(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	assert_int_equal(pt_map_err(s, 0, PG, RW, LX_MAP_ANONYMOUS),
			 -LX_EINVAL);
	assert_int_equal(map_full(s, 0, PG, R, 0, 3, 0, "/f"), -LX_EINVAL);
	px_free(s);
}

/* B.18: MAP_PRIVATE|MAP_SHARED on anonymous memory (which is also
 * MAP_SHARED_VALIDATE, meaningless without a file). */
static void test_B18_private_and_shared(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	assert_int_equal(pt_map_err(s, 0, PG, RW, ANON | LX_MAP_SHARED),
			 -LX_EINVAL);
	px_free(s);
}

/* B.19: unknown flags are ignored, except that MAP_SHARED_VALIDATE on a
 * file rejects them (EOPNOTSUPP), MAP_FIXED_NOREPLACE included. */
static void test_B19_unknown_flags(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a;

	(void)state;
	a = pt_map(s, 0, PG, RW, ANON | 0x200);
	assert_true(a);
	assert_int_equal(
		map_full(s, 0, PG, R, LX_MAP_SHARED | LX_MAP_SYNC, 3, 0, "/f"),
		0);
	assert_int_equal(map_full(s, 0, PG, R,
				  LX_MAP_SHARED_VALIDATE | LX_MAP_SYNC, 3, 0,
				  "/f"),
			 -LX_EOPNOTSUPP);
	assert_int_equal(
		map_full(s, 0, PG, R, LX_MAP_SHARED_VALIDATE, 3, 0, "/f"), 0);
	assert_int_equal(map_full(s, LOW, PG, R,
				  LX_MAP_SHARED_VALIDATE | NOREPLACE, 3, 0,
				  "/f"),
			 -LX_EOPNOTSUPP);
	assert_int_equal(pt_map_err(s, 0, PG, RW,
				    LX_MAP_SHARED_VALIDATE | LX_MAP_ANONYMOUS),
			 -LX_EINVAL);
	px_free(s);
}

/* B.20: anonymous mappings ignore fd; a file mapping needs a valid one,
 * which is checked before the length. */
static void test_B20_fd(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	assert_int_equal(map_full(s, 0, PG, RW, ANON, 7, 0, NULL), 0);
	assert_int_equal(map_full(s, 0, PG, R, LX_MAP_PRIVATE, -1, 0, "/f"),
			 -LX_EBADF);
	assert_int_equal(map_full(s, 0, 0, R, LX_MAP_PRIVATE, -1, 0, "/f"),
			 -LX_EBADF);
	px_free(s);
}

/* B.21: the offset must be page aligned, for anonymous memory too, and
 * that is checked first; a file offset range that wraps is EOVERFLOW. */
static void test_B21_offset(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	assert_int_equal(map_full(s, 0, PG, RW, ANON, -1, 1, NULL), -LX_EINVAL);
	assert_int_equal(map_full(s, 0, PG, R, LX_MAP_PRIVATE, -1, 100, "/f"),
			 -LX_EINVAL);
	assert_int_equal(map_full(s, 0, 2 * PG, R, LX_MAP_PRIVATE, 3,
				  (UINT64_MAX >> 12) << 12, "/f"),
			 -LX_EOVERFLOW);
	assert_int_equal(map_full(s, 0, PG, RW, ANON, -1, 5 * PG, NULL), 0);
	px_free(s);
}

/* B.22: a result is page aligned, never 0 without MAP_FIXED. */
static void test_B22_result_aligned(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	for (int i = 1; i < 40; i++) {
		uint64_t a = pt_map(s, 0, (uint64_t)i * 1000, RW, ANON);

		assert_true(a);
		assert_int_equal(a & (PG - 1), 0);
	}
	px_free(s);
}

/* B.23: every protection with private and shared mappings works. */
static void test_B23_prot_combinations(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	for (int p = 0; p < 8; p++) {
		assert_int_equal(pt_map_err(s, 0, PG, p, ANON), 0);
		assert_int_equal(pt_map_err(s, 0, PG, p, SANON), 0);
		assert_int_equal(
			map_full(s, 0, PG, p, LX_MAP_SHARED, 3, 0, "/f"), 0);
	}
	assert_int_equal(pt_map_err(s, 0, PG, 0x40, ANON), 0);
	px_free(s);
}

/* B.24: the new mapping has exactly the asked protection. */
static void test_B24_prot_exact(void **state)
{
	struct px_space *s = pt_new();
	struct px_vma_info vi;

	(void)state;
	for (int p = 0; p < 8; p++) {
		uint64_t a = pt_map(s, 0, PG, p, ANON);

		assert_true(pt_vma(s, a, &vi));
		assert_int_equal(vi.prot, p);
	}
	px_free(s);
}

static void memlock_zero(struct px_config *cfg)
{
	cfg->memlock_limit = 0;
}

static void memlock_small(struct px_config *cfg)
{
	cfg->memlock_limit = 4 * PG;
}

/* B.25: MAP_LOCKED locks; limit 0 is EPERM, beyond the limit EAGAIN. */
static void test_B25_map_locked(void **state)
{
	struct px_space *s = pt_new_cfg(memlock_small);
	struct px_vma_info vi;
	struct px_stats st;
	uint64_t a;

	(void)state;
	a = pt_map(s, 0, 2 * PG, RW, ANON | LX_MAP_LOCKED);
	assert_true(pt_vma(s, a, &vi));
	assert_true(vi.flags & LX_MAP_LOCKED);
	px_stats(s, &st);
	assert_int_equal(st.locked, 2 * PG);
	assert_int_equal(pt_resident(s, a + PG), 1);
	assert_int_equal(pt_map_err(s, 0, 3 * PG, RW, ANON | LX_MAP_LOCKED),
			 -LX_EAGAIN);
	px_free(s);

	s = pt_new_cfg(memlock_zero);
	assert_int_equal(pt_map_err(s, 0, PG, RW, ANON | LX_MAP_LOCKED),
			 -LX_EPERM);
	px_free(s);
}

/* B.26: MAP_POPULATE, MAP_NORESERVE and MAP_STACK change no contents;
 * MAP_POPULATE makes the pages resident. */
static void test_B26_populate_noreserve_stack(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 4 * PG, RW, ANON | LX_MAP_POPULATE);
	uint64_t b = pt_map(s, 0, 4 * PG, RW, ANON | LX_MAP_NORESERVE);
	uint64_t c = pt_map(s, 0, 4 * PG, RW, ANON | LX_MAP_STACK);
	struct px_vma_info vi;

	(void)state;
	assert_int_equal(pt_resident(s, a + 3 * PG), 1);
	assert_int_equal(pt_resident(s, b), 0);
	assert_int_equal(pt_load(s, a + 3 * PG), 0);
	assert_int_equal(pt_load(s, b + 3 * PG), 0);
	assert_int_equal(pt_load(s, c + 3 * PG), 0);
	assert_true(pt_vma(s, b, &vi));
	assert_true(vi.flags & LX_MAP_NORESERVE);
	px_free(s);
}

static void overcommit(struct px_config *cfg)
{
	cfg->commit_limit = 1ULL << 30;
}

/* B.27: RLIMIT_DATA is not modelled; the heuristic overcommit check
 * (one accounted request beyond RAM + swap) is, when configured. */
static void test_B27_commit_limit(void **state)
{
	struct px_space *s = pt_new_cfg(overcommit);

	(void)state;
	assert_int_equal(pt_map_err(s, 0, 2ULL << 30, RW, ANON), -LX_ENOMEM);
	assert_int_equal(pt_map_err(s, 0, 2ULL << 30, NONE, ANON), 0);
	assert_int_equal(
		pt_map_err(s, 0, 2ULL << 30, RW, ANON | LX_MAP_NORESERVE), 0);
	assert_int_equal(pt_map_err(s, 0, 2ULL << 30, RW, SANON), -LX_ENOMEM);
	assert_int_equal(pt_map_err(s, 0, 512 * MIB, RW, ANON), 0);
	px_free(s);
}

/* Other type and flag rules of do_mmap(). */
static void test_B_type_rules(void **state)
{
	struct px_space *s = pt_new();
	struct px_vma_info vi;
	uint64_t a;

	(void)state;
	assert_int_equal(pt_map_err(s, 0, PG, RW, SANON | LX_MAP_GROWSDOWN),
			 -LX_EINVAL);
	assert_int_equal(map_full(s, 0, PG, R,
				  LX_MAP_PRIVATE | LX_MAP_GROWSDOWN, 3, 0,
				  "/f"),
			 -LX_EINVAL);
	assert_int_equal(
		pt_map_err(s, 0, PG, RW,
			   LX_MAP_DROPPABLE | LX_MAP_ANONYMOUS | LX_MAP_LOCKED),
		-LX_EINVAL);
	a = pt_map(s, 0, PG, RW, LX_MAP_DROPPABLE | LX_MAP_ANONYMOUS);
	assert_true(pt_vma(s, a, &vi));
	/* MAP_HUGETLB: no huge pages are reserved; a bad size is EINVAL. */
	assert_int_equal(pt_map_err(s, 0, 2 * MIB, RW, ANON | LX_MAP_HUGETLB),
			 -LX_ENOMEM);
	assert_int_equal(
		pt_map_err(s, 0, 2 * MIB, RW,
			   ANON | LX_MAP_HUGETLB | (5 << LX_MAP_HUGE_SHIFT)),
		-LX_EINVAL);
	/* A bad type is found only after the address: EEXIST wins. */
	a = pt_map(s, LOW, PG, RW, ANON | FIXED);
	assert_int_equal(pt_map_err(s, a, PG, RW, LX_MAP_ANONYMOUS | NOREPLACE),
			 -LX_EEXIST);
	px_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_B14_len_zero),
		cmocka_unit_test(test_B15_small_len),
		cmocka_unit_test(test_B16_len_overflow),
		cmocka_unit_test(test_B17_no_type),
		cmocka_unit_test(test_B18_private_and_shared),
		cmocka_unit_test(test_B19_unknown_flags),
		cmocka_unit_test(test_B20_fd),
		cmocka_unit_test(test_B21_offset),
		cmocka_unit_test(test_B22_result_aligned),
		cmocka_unit_test(test_B23_prot_combinations),
		cmocka_unit_test(test_B24_prot_exact),
		cmocka_unit_test(test_B25_map_locked),
		cmocka_unit_test(test_B26_populate_noreserve_stack),
		cmocka_unit_test(test_B27_commit_limit),
		cmocka_unit_test(test_B_type_rules),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
