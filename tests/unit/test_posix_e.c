/*
 * test_posix_e.c - the reference model against checklist section E of
 * research/posix.md: mprotect and pkey_mprotect.
 */
#include "px_test_util.h"

/* E.57: the new protection covers every page touching the range. */
static void test_E57_whole_pages(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 3 * PG, RW, ANON);

	(void)state;
	OK(s, px_mprotect(s, a, PG + 1, R));
	assert_int_equal(pt_prot(s, a + PG), R);
	assert_int_equal(pt_prot(s, a + 2 * PG), RW);
	px_free(s);
}

/* E.58: an unaligned address is EINVAL. */
static void test_E58_unaligned(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON);

	(void)state;
	ERR(s, px_mprotect(s, a + 1, PG, R), LX_EINVAL);
	ERR(s, px_mprotect(s, a + 1, 0, R), LX_EINVAL);
	px_free(s);
}

/* E.59: unmapped pages anywhere in the range are ENOMEM; pages before
 * the hole are already changed (Linux's partial effect). */
static void test_E59_holes(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 4 * PG, RW, ANON | FIXED);

	(void)state;
	OK(s, px_munmap(s, a + 2 * PG, PG));
	/* hole at the start: nothing changes */
	ERR(s, px_mprotect(s, a - PG, 2 * PG, R), LX_ENOMEM);
	assert_int_equal(pt_prot(s, a), RW);
	/* hole in the middle: the part before it changes */
	ERR(s, px_mprotect(s, a, 4 * PG, R), LX_ENOMEM);
	assert_int_equal(pt_prot(s, a + PG), R);
	assert_int_equal(pt_prot(s, a + 3 * PG), RW);
	/* hole at the end */
	ERR(s, px_mprotect(s, a + 3 * PG, 2 * PG, NONE), LX_ENOMEM);
	assert_int_equal(pt_prot(s, a + 3 * PG), 0);
	ERR(s, px_mprotect(s, 0, PG + 1, R), LX_ENOMEM);
	px_free(s);
}

/* E.60: a zero length succeeds, even over nothing. */
static void test_E60_len_zero(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	OK(s, px_mprotect(s, LOW, 0, R));
	OK(s, px_mprotect(s, LOW, 0, 0x100));
	px_free(s);
}

/* E.61: a length that wraps is ENOMEM. */
static void test_E61_huge_len(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, RW, ANON);

	(void)state;
	ERR(s, px_mprotect(s, a, UINT64_MAX, R), LX_ENOMEM);
	ERR(s, px_mprotect(s, a, -PG, R), LX_ENOMEM);
	assert_int_equal(pt_prot(s, a), RW);
	px_free(s);
}

/* E.62: unknown bits, GROWSUP with GROWSDOWN, GROWSUP on x86, and
 * GROWSDOWN on a VMA that does not grow down are EINVAL; on a stack,
 * GROWSDOWN extends the range down to the VMA's start. */
static void test_E62_bad_prot(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON);
	uint64_t st =
		pt_map(s, LOW, 4 * PG, RW, ANON | FIXED | LX_MAP_GROWSDOWN);

	(void)state;
	ERR(s, px_mprotect(s, a, PG, 0x10), LX_EINVAL);
	ERR(s, px_mprotect(s, a, PG, R | LX_PROT_GROWSDOWN | LX_PROT_GROWSUP),
	    LX_EINVAL);
	ERR(s, px_mprotect(s, a, PG, R | LX_PROT_GROWSUP), LX_EINVAL);
	ERR(s, px_mprotect(s, a, PG, R | LX_PROT_GROWSDOWN), LX_EINVAL);
	OK(s, px_mprotect(s, a, PG, R | LX_PROT_SEM));
	OK(s, px_mprotect(s, st + 2 * PG, PG, R | LX_PROT_GROWSDOWN));
	assert_int_equal(pt_prot(s, st), R);
	assert_int_equal(pt_prot(s, st + 2 * PG), R);
	assert_int_equal(pt_prot(s, st + 3 * PG), RW);
	px_free(s);
}

/* E.63: one call changes all adjacent mappings in the range. */
static void test_E63_several(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	pt_map(s, LOW, PG, RW, ANON | FIXED);
	pt_map(s, LOW + PG, PG, R, SANON | FIXED);
	pt_map(s, LOW + 2 * PG, PG, RW | X, ANON | FIXED);
	OK(s, px_mprotect(s, LOW, 3 * PG, NONE));
	assert_true(pt_mapped(s, LOW, LOW + 3 * PG));
	for (int i = 0; i < 3; i++)
		assert_int_equal(pt_prot(s, LOW + i * PG), 0);
	px_free(s);
}

/* E.64: a sub-range splits the mapping; the rest keeps its protection. */
static void test_E64_split(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 5 * PG, RW, ANON);

	(void)state;
	OK(s, px_mprotect(s, a + PG, 3 * PG, R));
	OK(s, px_mprotect(s, a + 2 * PG, PG, NONE));
	assert_int_equal(pt_count(s, a, a + 5 * PG), 5);
	assert_int_equal(pt_prot(s, a), RW);
	assert_int_equal(pt_prot(s, a + 3 * PG), R);
	assert_int_equal(pt_prot(s, a + 4 * PG), RW);
	/* bug 217061's sequence ends merged again */
	OK(s, px_mprotect(s, a + PG, 3 * PG, RW));
	assert_int_equal(pt_count(s, a, a + 5 * PG), 1);
	px_free(s);
}

/* E.65: contents survive any protection round trip. */
static void test_E65_contents_survive(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON);

	(void)state;
	pt_store(s, a + 100, 0x42);
	OK(s, px_mprotect(s, a, 2 * PG, NONE));
	OK(s, px_mprotect(s, a, 2 * PG, R));
	assert_int_equal(pt_load(s, a + 100), 0x42);
	px_free(s);
}

/* E.66: NONE to RW makes writes work, RW to R makes them fault, RW to
 * NONE makes every access fault. */
static void test_E66_transitions(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, NONE, ANON);

	(void)state;
	OK(s, px_mprotect(s, a, PG, RW));
	pt_store(s, a, 1);
	OK(s, px_mprotect(s, a, PG, R));
	assert_int_equal(pt_store_err(s, a, 2), -LX_EFAULT);
	assert_int_equal(pt_load(s, a), 1);
	OK(s, px_mprotect(s, a, PG, NONE));
	assert_int_equal(pt_load(s, a), -LX_EFAULT);
	px_free(s);
}

/* E.67: EACCES needs the descriptor's mode, which the model does not
 * have: a shared file mapping may always become writable. */
static void test_E67_no_eacces(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map_file(s, 0, PG, R, LX_MAP_SHARED, "/etc/f", 0);

	(void)state;
	OK(s, px_mprotect(s, a, PG, RW));
	px_free(s);
}

static void overcommit(struct px_config *cfg)
{
	cfg->commit_limit = 16 * PG;
}

/* E.68: the partial effect is Linux's (see E.59); making a private
 * mapping writable charges it, and a failed charge is ENOMEM with the
 * earlier VMAs already changed. */
static void test_E68_partial_and_commit(void **state)
{
	struct px_space *s = pt_new_cfg(overcommit);

	(void)state;
	pt_map(s, LOW, 4 * PG, NONE, ANON | FIXED);
	pt_map(s, LOW + 4 * PG, 32 * PG, NONE, ANON | FIXED | LX_MAP_STACK);
	ERR(s, px_mprotect(s, LOW, 36 * PG, RW), LX_ENOMEM);
	assert_int_equal(pt_prot(s, LOW), RW);
	assert_int_equal(pt_prot(s, LOW + 4 * PG), 0);
	px_free(s);
}

static void with_pku(struct px_config *cfg)
{
	cfg->pku = true;
}

/* pkey_mprotect: pkey -1 is mprotect; no key is allocated but pkey 0
 * on a CPU with protection keys. */
static void test_E_pkey_mprotect(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, RW, ANON);

	(void)state;
	OK(s, px_pkey_mprotect(s, a, PG, R, -1));
	assert_int_equal(pt_prot(s, a), R);
	ERR(s, px_pkey_mprotect(s, a, PG, RW, 0), LX_EINVAL);
	ERR(s, px_pkey_mprotect(s, a, PG, RW, 1), LX_EINVAL);
	ERR(s, px_pkey_mprotect(s, a + 1, PG, RW, 1), LX_EINVAL);
	px_free(s);
	s = pt_new_cfg(with_pku);
	a = pt_map(s, 0, PG, RW, ANON);
	OK(s, px_pkey_mprotect(s, a, PG, R, 0));
	ERR(s, px_pkey_mprotect(s, a, PG, R, 2), LX_EINVAL);
	px_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_E57_whole_pages),
		cmocka_unit_test(test_E58_unaligned),
		cmocka_unit_test(test_E59_holes),
		cmocka_unit_test(test_E60_len_zero),
		cmocka_unit_test(test_E61_huge_len),
		cmocka_unit_test(test_E62_bad_prot),
		cmocka_unit_test(test_E63_several),
		cmocka_unit_test(test_E64_split),
		cmocka_unit_test(test_E65_contents_survive),
		cmocka_unit_test(test_E66_transitions),
		cmocka_unit_test(test_E67_no_eacces),
		cmocka_unit_test(test_E68_partial_and_commit),
		cmocka_unit_test(test_E_pkey_mprotect),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
