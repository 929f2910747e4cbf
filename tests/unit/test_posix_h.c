/*
 * test_posix_h.c - the reference model against checklist section H of
 * research/posix.md: msync.
 */
#include "px_test_util.h"

/* H.102: MS_SYNC|MS_ASYNC together is EINVAL. */
static void test_H102_sync_and_async(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, RW, ANON);

	(void)state;
	ERR(s, px_msync(s, a, PG, LX_MS_SYNC | LX_MS_ASYNC), LX_EINVAL);
	px_free(s);
}

/* H.103: unknown flag bits are EINVAL, before anything else. */
static void test_H103_unknown_flags(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, RW, ANON);

	(void)state;
	ERR(s, px_msync(s, a, PG, 8), LX_EINVAL);
	ERR(s, px_msync(s, a + 1, PG, 0x100), LX_EINVAL);
	px_free(s);
}

/* H.104: neither SYNC nor ASYNC is accepted. */
static void test_H104_no_flags(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, RW, ANON);

	(void)state;
	OK(s, px_msync(s, a, PG, 0));
	OK(s, px_msync(s, a, PG, LX_MS_INVALIDATE));
	px_free(s);
}

/* H.105: an unaligned address is EINVAL, an unaligned length fine. */
static void test_H105_alignment(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON);

	(void)state;
	ERR(s, px_msync(s, a + 1, PG, LX_MS_SYNC), LX_EINVAL);
	OK(s, px_msync(s, a, PG + 3, LX_MS_SYNC));
	px_free(s);
}

/* H.106: unmapped pages in the range are ENOMEM; with plain MS_ASYNC
 * the walk stops at the hole, otherwise it goes on. */
static void test_H106_holes(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 3 * PG, RW, ANON | FIXED);

	(void)state;
	OK(s, px_munmap(s, a + PG, PG));
	OK(s, px_mlock(s, a + 2 * PG, PG, 0));
	ERR(s, px_msync(s, a, 3 * PG, LX_MS_ASYNC), LX_ENOMEM);
	ERR(s, px_msync(s, a, 3 * PG, LX_MS_SYNC), LX_ENOMEM);
	/* the locked VMA after the hole is still seen */
	ERR(s, px_msync(s, a, 3 * PG, LX_MS_INVALIDATE), LX_EBUSY);
	ERR(s, px_msync(s, a, 3 * PG, LX_MS_ASYNC | LX_MS_INVALIDATE),
	    LX_EBUSY);
	ERR(s, px_msync(s, a + 3 * PG, PG, LX_MS_SYNC), LX_ENOMEM);
	ERR(s, px_msync(s, 0, PG, LX_MS_ASYNC), LX_ENOMEM);
	px_free(s);
}

/* H.107: a zero length succeeds even at an unmapped address; a length
 * that wraps when rounded is ENOMEM or, rounded to 0, success. */
static void test_H107_len_zero(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	OK(s, px_msync(s, 0, 0, LX_MS_ASYNC));
	OK(s, px_msync(s, LOW, UINT64_MAX, LX_MS_SYNC));
	ERR(s, px_msync(s, LOW, -2 * PG, LX_MS_SYNC), LX_ENOMEM);
	px_free(s);
}

/* H.108: msync changes nothing in anonymous memory, read-only or not,
 * and never pushes private data anywhere. */
static void test_H108_no_effect(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, RW, ANON);
	uint64_t b = pt_map(s, 0, PG, R, SANON);
	uint64_t f = pt_map_file(s, 0, PG, RW, LX_MAP_PRIVATE, "/data", 0);
	uint64_t g = pt_map_file(s, 0, PG, R, LX_MAP_SHARED, "/data", 0);

	(void)state;
	pt_store(s, a, 1);
	pt_store(s, f, 2);
	OK(s, px_msync(s, a, PG, LX_MS_SYNC));
	OK(s, px_msync(s, b, PG, LX_MS_ASYNC));
	OK(s, px_msync(s, f, PG, LX_MS_SYNC | LX_MS_INVALIDATE));
	assert_int_equal(pt_load(s, a), 1);
	assert_int_equal(pt_load(s, f), 2);
	assert_int_equal(pt_load(s, g), 0);
	px_free(s);
}

/* H.109: MS_INVALIDATE on locked memory is EBUSY; unlocked is fine. */
static void test_H109_invalidate_locked(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, RW, ANON | LX_MAP_LOCKED);
	uint64_t b = pt_map(s, 0, PG, RW, ANON);

	(void)state;
	ERR(s, px_msync(s, a, PG, LX_MS_INVALIDATE), LX_EBUSY);
	ERR(s, px_msync(s, a, PG, LX_MS_SYNC | LX_MS_INVALIDATE), LX_EBUSY);
	OK(s, px_msync(s, a, PG, LX_MS_SYNC));
	OK(s, px_msync(s, b, PG, LX_MS_INVALIDATE));
	px_free(s);
}

/* Shared file mappings share the file's pages; private ones read them
 * until they write their own copy. */
static void test_H_file_sharing(void **state)
{
	struct px_space *s = pt_new();
	uint64_t w = pt_map_file(s, 0, 2 * PG, RW, LX_MAP_SHARED, "/db", 0);
	uint64_t r = pt_map_file(s, 0, PG, R, LX_MAP_SHARED, "/db", PG);
	uint64_t p = pt_map_file(s, 0, 2 * PG, RW, LX_MAP_PRIVATE, "/db", 0);

	(void)state;
	pt_store(s, w + PG + 1, 0x61);
	OK(s, px_msync(s, w, 2 * PG, LX_MS_SYNC));
	assert_int_equal(pt_load(s, r + 1), 0x61);
	assert_int_equal(pt_load(s, p + PG + 1), 0x61);
	pt_store(s, p + PG + 2, 0x62);
	pt_store(s, w + PG + 1, 0x63);
	assert_int_equal(pt_load(s, p + PG + 1), 0x61);
	assert_int_equal(pt_load(s, r + 2), 0);
	OK(s, px_munmap(s, w, 2 * PG));
	w = pt_map_file(s, 0, 2 * PG, R, LX_MAP_SHARED, "/db", 0);
	assert_int_equal(pt_load(s, w + PG + 1), 0x63);
	px_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_H102_sync_and_async),
		cmocka_unit_test(test_H103_unknown_flags),
		cmocka_unit_test(test_H104_no_flags),
		cmocka_unit_test(test_H105_alignment),
		cmocka_unit_test(test_H106_holes),
		cmocka_unit_test(test_H107_len_zero),
		cmocka_unit_test(test_H108_no_effect),
		cmocka_unit_test(test_H109_invalidate_locked),
		cmocka_unit_test(test_H_file_sharing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
