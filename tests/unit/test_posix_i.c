/*
 * test_posix_i.c - the reference model against checklist section I of
 * research/posix.md: mlock, mlock2, munlock, mlockall, munlockall, plus
 * mincore and brk, which the checklist touches only in passing.
 */
#include "px_test_util.h"

static bool locked(const struct px_space *s, uint64_t addr)
{
	struct px_vma_info vi;

	return pt_vma(s, addr, &vi) && (vi.flags & LX_MAP_LOCKED);
}

/* I.110: unmapped pages are ENOMEM: at the start nothing changes, after
 * a hole the part before it is locked. */
static void test_I110_holes(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 4 * PG, RW, ANON | FIXED);

	(void)state;
	OK(s, px_munmap(s, a + 2 * PG, PG));
	ERR(s, px_mlock(s, a - PG, 2 * PG, 0), LX_ENOMEM);
	assert_false(locked(s, a));
	ERR(s, px_mlock(s, a, 4 * PG, 0), LX_ENOMEM);
	assert_true(locked(s, a + PG));
	assert_false(locked(s, a + 3 * PG));
	ERR(s, px_munlock(s, a, 4 * PG), LX_ENOMEM);
	assert_false(locked(s, a));
	ERR(s, px_mlock(s, LOW + 64 * PG, INT64_MAX, 0), LX_ENOMEM);
	px_free(s);
}

/* I.111: Linux rounds an unaligned start down. */
static void test_I111_unaligned(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 3 * PG, RW, ANON);

	(void)state;
	OK(s, px_mlock(s, a + PG + 100, 10, 0));
	assert_false(locked(s, a));
	assert_true(locked(s, a + PG));
	assert_false(locked(s, a + 2 * PG));
	OK(s, px_munlock(s, a + PG + 5, 1));
	assert_int_equal(pt_count(s, a, a + 3 * PG), 1);
	px_free(s);
}

static void memlock_zero(struct px_config *cfg)
{
	cfg->memlock_limit = 0;
}

static void memlock_small(struct px_config *cfg)
{
	cfg->memlock_limit = 3 * PG;
}

static void memlock_cap(struct px_config *cfg)
{
	cfg->memlock_limit = 0;
	cfg->cap_ipc_lock = true;
}

/* I.112: RLIMIT_MEMLOCK 0 is EPERM without CAP_IPC_LOCK; beyond the
 * limit is ENOMEM, where already locked pages do not count twice. */
static void test_I112_limits(void **state)
{
	struct px_space *s = pt_new_cfg(memlock_zero);
	uint64_t a = pt_map(s, 0, 8 * PG, RW, ANON);

	(void)state;
	ERR(s, px_mlock(s, a, PG, 0), LX_EPERM);
	ERR(s, px_mlockall(s, LX_MCL_CURRENT), LX_EPERM);
	px_free(s);

	s = pt_new_cfg(memlock_small);
	a = pt_map(s, 0, 8 * PG, RW, ANON);
	OK(s, px_mlock(s, a, 2 * PG, 0));
	ERR(s, px_mlock(s, a + 2 * PG, 2 * PG, 0), LX_ENOMEM);
	OK(s, px_mlock(s, a, 3 * PG, 0));
	ERR(s, px_mlockall(s, LX_MCL_CURRENT), LX_ENOMEM);
	OK(s, px_mlockall(s, LX_MCL_FUTURE));
	px_free(s);

	s = pt_new_cfg(memlock_cap);
	a = pt_map(s, 0, 64 * PG, RW, ANON);
	OK(s, px_mlock(s, a, 64 * PG, 0));
	px_free(s);
}

/* I.113: munlock of an unlocked range works, locks do not stack, and a
 * fork child has none. */
static void test_I113_no_stacking(void **state)
{
	struct px_space *s = pt_new(), *c;
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON);
	struct px_stats st;

	(void)state;
	OK(s, px_munlock(s, a, 2 * PG));
	OK(s, px_mlock(s, a, 2 * PG, 0));
	OK(s, px_mlock(s, a, 2 * PG, 0));
	px_stats(s, &st);
	assert_int_equal(st.locked, 2 * PG);
	c = px_fork(s);
	assert_false(locked(c, a));
	px_stats(c, &st);
	assert_int_equal(st.locked, 0);
	px_free(c);
	OK(s, px_munlock(s, a, 2 * PG));
	assert_false(locked(s, a));
	px_free(s);
}

/* I.114: mlock of PROT_NONE is ENOMEM (the fault-in fails) yet the
 * range is locked. */
static void test_I114_prot_none(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 2 * PG, NONE, ANON);

	(void)state;
	ERR(s, px_mlock(s, a, 2 * PG, 0), LX_ENOMEM);
	assert_true(locked(s, a));
	OK(s, px_munlock(s, a, 2 * PG));
	/* MLOCK_ONFAULT does not fault in, so it succeeds */
	OK(s, px_mlock(s, a, 2 * PG, LX_MLOCK_ONFAULT));
	px_free(s);
}

/* I.115: mlockall's flags; MCL_FUTURE locks later mappings (and heap);
 * munlockall clears all; mlock2's unknown flags; MLOCK_ONFAULT does not
 * populate. */
static void test_I115_mlockall(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON), b, brk;

	(void)state;
	ERR(s, px_mlockall(s, 0), LX_EINVAL);
	ERR(s, px_mlockall(s, 8), LX_EINVAL);
	ERR(s, px_mlockall(s, LX_MCL_ONFAULT), LX_EINVAL);
	ERR(s, px_mlock(s, a, PG, 2), LX_EINVAL);
	OK(s, px_mlockall(s, LX_MCL_CURRENT));
	assert_true(locked(s, a));
	assert_int_equal(pt_resident(s, a + PG), 1);
	b = pt_map(s, 0, PG, RW, ANON);
	assert_false(locked(s, b));
	OK(s, px_mlockall(s, LX_MCL_FUTURE));
	assert_true(locked(s, a));
	b = pt_map(s, 0, PG, RW, ANON);
	assert_true(locked(s, b));
	assert_int_equal(pt_resident(s, b), 1);
	px_set_brk(s, LOW);
	OK(s, px_brk(s, LOW + 2 * PG, &brk));
	assert_int_equal(brk, LOW + 2 * PG);
	assert_true(locked(s, LOW));
	OK(s, px_munlockall(s));
	assert_false(locked(s, a));
	assert_false(locked(s, b));
	b = pt_map(s, 0, PG, RW, ANON);
	assert_false(locked(s, b));
	OK(s, px_mlockall(s, LX_MCL_FUTURE | LX_MCL_ONFAULT));
	b = pt_map(s, 0, PG, RW, ANON);
	assert_true(locked(s, b));
	assert_int_equal(pt_resident(s, b), 0);
	OK(s, px_munlockall(s));
	OK(s, px_mlock(s, a, PG, LX_MLOCK_ONFAULT));
	OK(s, px_madvise(s, a, PG, LX_MADV_DONTNEED_LOCKED));
	OK(s, px_mlock(s, a, PG, LX_MLOCK_ONFAULT));
	assert_int_equal(pt_resident(s, a), 0);
	px_free(s);
}

/* munlock of the middle splits; unlocking all merges back. */
static void test_I_vma_management(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 3 * PG, RW, ANON);

	(void)state;
	OK(s, px_mlock(s, a, 3 * PG, 0));
	OK(s, px_munlock(s, a + PG, PG));
	assert_int_equal(pt_count(s, a, a + 3 * PG), 3);
	OK(s, px_munlock(s, a, 3 * PG));
	assert_int_equal(pt_count(s, a, a + 3 * PG), 1);
	px_free(s);
}

/* mincore: EINVAL unaligned, ENOMEM outside user space or at a hole,
 * len rounded up, len 0 fine; resident means touched. */
static void test_I_mincore(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 4 * PG, RW, ANON | FIXED);
	uint8_t vec[4];

	(void)state;
	ERR(s, px_mincore(s, a + 1, PG, vec), LX_EINVAL);
	ERR(s, px_mincore(s, a, UINT64_MAX, vec), LX_ENOMEM);
	ERR(s, px_mincore(s, LX_TASK_SIZE - PG, 2 * PG, NULL), LX_ENOMEM);
	OK(s, px_mincore(s, a, 0, NULL));
	pt_store(s, a + PG, 1);
	(void)pt_load(s, a + 3 * PG);
	OK(s, px_mincore(s, a, 3 * PG + 1, vec));
	assert_int_equal(vec[0], 0);
	assert_int_equal(vec[1], 1);
	assert_int_equal(vec[2], 0);
	assert_int_equal(vec[3], 1);
	ERR(s, px_mincore(s, a, 5 * PG, vec), LX_ENOMEM);
	ERR(s, px_mincore(s, 0, PG, NULL), LX_ENOMEM);
	px_free(s);
}

/* brk: below start_brk or into the next mapping (with a page to spare)
 * returns the old break; shrinking unmaps; brk(0) reports it. */
static void test_I_brk(void **state)
{
	struct px_space *s = pt_new();
	uint64_t start = LOW, b;

	(void)state;
	px_set_brk(s, start);
	OK(s, px_brk(s, 0, &b));
	assert_int_equal(b, start);
	OK(s, px_brk(s, start + 3 * PG + 5, &b));
	assert_int_equal(b, start + 3 * PG + 5);
	pt_store(s, start + 3 * PG + 4, 9);
	assert_int_equal(pt_load(s, start + 3 * PG + 4), 9);
	OK(s, px_brk(s, start - PG, &b));
	assert_int_equal(b, start + 3 * PG + 5);
	pt_map(s, start + 8 * PG, PG, R, ANON | FIXED);
	OK(s, px_brk(s, start + 7 * PG + 1, &b));
	assert_int_equal(b, start + 3 * PG + 5);
	OK(s, px_brk(s, start + 7 * PG, &b));
	assert_int_equal(b, start + 7 * PG);
	assert_int_equal(pt_count(s, start, start + 7 * PG), 1);
	OK(s, px_brk(s, start + PG, &b));
	assert_int_equal(b, start + PG);
	assert_true(pt_unmapped(s, start + PG, start + 7 * PG));
	OK(s, px_brk(s, start + 2 * PG, &b));
	assert_int_equal(pt_load(s, start + PG + 100), 0);
	px_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_I110_holes),
		cmocka_unit_test(test_I111_unaligned),
		cmocka_unit_test(test_I112_limits),
		cmocka_unit_test(test_I113_no_stacking),
		cmocka_unit_test(test_I114_prot_none),
		cmocka_unit_test(test_I115_mlockall),
		cmocka_unit_test(test_I_vma_management),
		cmocka_unit_test(test_I_mincore),
		cmocka_unit_test(test_I_brk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
