/*
 * test_posix_c.c - the reference model against checklist section C of
 * research/posix.md: placement, hints, MAP_FIXED, MAP_FIXED_NOREPLACE and
 * PROT_NONE reservations, plus the kernel's placement rules themselves
 * (top-down, stack guard gap, THP alignment, fallbacks).
 */
#include "px_test_util.h"
#include "posix/px_internal.h"

#include <string.h>

/* The default mmap_base of the model. */
#define BASE 0x7ffff7fff000ULL

/* C.28: without a hint the kernel picks a free, aligned, non-zero range:
 * the highest hole below mmap_base. */
static void test_C28_no_hint(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, RW, ANON);
	uint64_t b = pt_map(s, 0, 3 * PG, R, ANON);

	(void)state;
	assert_int_equal(a, BASE - PG);
	assert_int_equal(b, BASE - 4 * PG);
	/* A hole that fits is reused from the top. */
	OK(s, px_munmap(s, b + PG, PG));
	assert_int_equal(pt_map(s, 0, PG, RW | X, ANON), b + PG);
	px_free(s);
}

/* C.29: a free hint is taken; a taken one is not an error. */
static void test_C29_hint(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 4 * PG, RW, ANON);
	uint64_t b;

	(void)state;
	assert_int_equal(a, LOW);
	pt_store(s, a, 9);
	b = pt_map(s, LOW + PG, PG, RW, ANON);
	assert_int_equal(b, BASE - PG);
	assert_int_equal(pt_load(s, a), 9);
	/* A hint whose range would run into a stack guard gap is refused. */
	pt_map(s, LOW + 512 * PG, PG, RW, ANON | FIXED | LX_MAP_GROWSDOWN);
	assert_int_equal(pt_map(s, LOW + 300 * PG, PG, RW, ANON),
			 BASE - 2 * PG);
	px_free(s);
}

/* C.30: an unaligned hint is rounded down. */
static void test_C30_unaligned_hint(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	assert_int_equal(pt_map(s, LOW + 0x1234, PG, RW, ANON), LOW + PG);
	px_free(s);
}

/* C.31: without a hint the result is below 2^47; a hint at or above it
 * is ignored with 4-level paging; one below mmap_min_addr is raised. */
static void test_C31_address_space_top(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	assert_int_equal(pt_map(s, 1ULL << 48, PG, RW, ANON), BASE - PG);
	assert_int_equal(pt_map(s, LX_TASK_SIZE, PG, RW, ANON), BASE - 2 * PG);
	assert_int_equal(pt_map(s, 0x2000, PG, RW, ANON), 0x10000);
	px_free(s);
}

/* C.32: MAP_FIXED returns exactly addr. */
static void test_C32_fixed_exact(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	assert_int_equal(pt_map(s, LOW + 7 * PG, PG, RW, ANON | FIXED),
			 LOW + 7 * PG);
	assert_int_equal(pt_map(s, 0x7ffffffee000ULL, PG, RW, ANON | FIXED),
			 0x7ffffffee000ULL);
	px_free(s);
}

/* C.33: MAP_FIXED needs an aligned address. */
static void test_C33_fixed_unaligned(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	assert_int_equal(pt_map_err(s, LOW + 1, PG, RW, ANON | FIXED),
			 -LX_EINVAL);
	px_free(s);
}

/* C.34: MAP_FIXED replaces whole overlapped pages of several mappings;
 * the remnants keep contents and attributes. */
static void test_C34_fixed_replaces(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 4 * PG, RW, ANON | FIXED);
	uint64_t b = pt_map(s, LOW + 4 * PG, 4 * PG, R, SANON | FIXED);

	(void)state;
	pt_store(s, a, 1);
	pt_store(s, a + 3 * PG, 3);
	pt_map(s, a + 3 * PG, 2 * PG, RW | X, ANON | FIXED);
	assert_int_equal(pt_load(s, a), 1);
	assert_int_equal(pt_load(s, a + 3 * PG), 0);
	assert_int_equal(pt_prot(s, a + 4 * PG), RW | X);
	assert_int_equal(pt_prot(s, b + PG), R);
	assert_int_equal(pt_count(s, a, b + 4 * PG), 3);
	px_free(s);
}

/* C.35: pages replaced by MAP_FIXED lose contents, locks and guards. */
static void test_C35_fixed_drops_state(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 4 * PG, RW, ANON | FIXED);
	struct px_stats st;

	(void)state;
	pt_store(s, a + PG, 5);
	OK(s, px_mlock(s, a, 2 * PG, 0));
	OK(s, px_madvise(s, a + 2 * PG, PG, LX_MADV_GUARD_INSTALL));
	assert_int_equal(pt_load(s, a + 2 * PG), -LX_EFAULT);
	pt_map(s, a, 4 * PG, RW, ANON | FIXED);
	assert_int_equal(pt_load(s, a + PG), 0);
	assert_int_equal(pt_load(s, a + 2 * PG), 0);
	px_stats(s, &st);
	assert_int_equal(st.locked, 0);
	px_free(s);
}

/* C.36: MAP_FIXED inside a PROT_NONE reservation splits it; the rest
 * still faults. */
static void test_C36_fixed_in_reservation(void **state)
{
	struct px_space *s = pt_new();
	uint64_t r = pt_map(s, 0, 64 * MIB, NONE, ANON | LX_MAP_NORESERVE);

	(void)state;
	pt_map(s, r + MIB, 2 * MIB, RW, ANON | FIXED);
	assert_int_equal(pt_count(s, r, r + 64 * MIB), 3);
	pt_store(s, r + MIB, 1);
	assert_int_equal(pt_load(s, r + 3 * MIB), -LX_EFAULT);
	assert_int_equal(pt_load(s, r + MIB - 1), -LX_EFAULT);
	px_free(s);
}

/* C.37: MAP_FIXED beyond the user address space is ENOMEM. */
static void test_C37_fixed_beyond_task_size(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	assert_int_equal(
		pt_map_err(s, LX_TASK_SIZE - PG, 2 * PG, RW, ANON | FIXED),
		-LX_ENOMEM);
	assert_int_equal(pt_map_err(s, 1ULL << 47, PG, RW, ANON | FIXED),
			 -LX_ENOMEM);
	assert_int_equal(
		pt_map_err(s, UINT64_MAX & LX_PAGE_MASK, PG, RW, ANON | FIXED),
		-LX_ENOMEM);
	px_free(s);
}

static void rawio(struct px_config *cfg)
{
	cfg->cap_sys_rawio = true;
}

/* C.38: MAP_FIXED below mmap_min_addr is EPERM without CAP_SYS_RAWIO. */
static void test_C38_below_min_addr(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	assert_int_equal(pt_map_err(s, 0, PG, RW, ANON | FIXED), -LX_EPERM);
	assert_int_equal(pt_map_err(s, 0x1000, PG, RW, ANON | NOREPLACE),
			 -LX_EPERM);
	px_free(s);
	s = pt_new_cfg(rawio);
	assert_int_equal(pt_map(s, 0, PG, RW, ANON | FIXED), 0);
	px_free(s);
}

/* C.39: NOREPLACE on a free range returns exactly addr. */
static void test_C39_noreplace_free(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	assert_int_equal(pt_map(s, LOW, 5 * PG, NONE, ANON | NOREPLACE), LOW);
	px_free(s);
}

/* C.40: NOREPLACE overlapping a mapping in any way is EEXIST
 * (map_fixed_noreplace 3-6). */
static void test_C40_noreplace_overlap(void **state)
{
	struct px_space *s = pt_new();
	uint64_t b = LOW;

	(void)state;
	pt_map(s, b + PG, 3 * PG, NONE, ANON | NOREPLACE);
	assert_int_equal(pt_map_err(s, b, 5 * PG, NONE, ANON | NOREPLACE),
			 -LX_EEXIST);
	assert_int_equal(pt_map_err(s, b + 2 * PG, PG, NONE, ANON | NOREPLACE),
			 -LX_EEXIST);
	assert_int_equal(
		pt_map_err(s, b + 3 * PG, 2 * PG, NONE, ANON | NOREPLACE),
		-LX_EEXIST);
	assert_int_equal(pt_map_err(s, b, 2 * PG, NONE, ANON | NOREPLACE),
			 -LX_EEXIST);
	px_free(s);
}

/* C.41: a failed NOREPLACE changes nothing and does not relocate. */
static void test_C41_noreplace_untouched(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 2 * PG, RW, ANON | FIXED);
	struct px_stats before, after;

	(void)state;
	pt_store(s, a, 0x77);
	px_stats(s, &before);
	assert_int_equal(pt_map_err(s, a, PG, R, ANON | NOREPLACE), -LX_EEXIST);
	px_stats(s, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	assert_int_equal(pt_load(s, a), 0x77);
	assert_int_equal(pt_prot(s, a), RW);
	px_free(s);
}

/* C.42: NOREPLACE directly below or above a mapping works (7, 8), and
 * one munmap removes several mappings (9). */
static void test_C42_noreplace_adjacent(void **state)
{
	struct px_space *s = pt_new();
	uint64_t b = LOW;

	(void)state;
	pt_map(s, b + PG, 3 * PG, NONE, ANON | NOREPLACE);
	assert_int_equal(pt_map(s, b, PG, NONE, ANON | NOREPLACE), b);
	assert_int_equal(pt_map(s, b + 4 * PG, PG, NONE, ANON | NOREPLACE),
			 b + 4 * PG);
	OK(s, px_munmap(s, b, 5 * PG));
	assert_true(pt_unmapped(s, b, b + 5 * PG));
	px_free(s);
}

/* C.43: MAP_FIXED | MAP_FIXED_NOREPLACE behaves as NOREPLACE. */
static void test_C43_fixed_and_noreplace(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	pt_map(s, LOW, PG, RW, ANON | FIXED);
	assert_int_equal(pt_map_err(s, LOW, PG, RW, ANON | FIXED | NOREPLACE),
			 -LX_EEXIST);
	px_free(s);
}

/* C.44: NOREPLACE with an unaligned address. */
static void test_C44_noreplace_unaligned(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	assert_int_equal(pt_map_err(s, LOW + 8, PG, RW, ANON | NOREPLACE),
			 -LX_EINVAL);
	px_free(s);
}

/* C.45: a failed mmap leaves no new mapping behind, and a failing
 * MAP_FIXED (bad type, found late) keeps the old one. */
static void test_C45_failure_maps_nothing(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, PG, RW, ANON | FIXED);

	(void)state;
	pt_store(s, a, 3);
	assert_int_equal(pt_map_err(s, a, PG, R, LX_MAP_ANONYMOUS | FIXED),
			 -LX_EINVAL);
	assert_int_equal(pt_load(s, a), 3);
	assert_int_equal(pt_map_err(s, LOW + PG, 0, R, ANON | FIXED),
			 -LX_EINVAL);
	assert_true(pt_unmapped(s, LOW + PG, LOW + 2 * PG));
	px_free(s);
}

/* THP alignment (6.18 __get_unmapped_area): anonymous private mappings
 * whose length is a multiple of 2 MiB and that have no hint are placed at
 * the highest 2 MiB-aligned address; nothing else is. */
static void test_C_thp_alignment(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a, b, c, d, e, f;

	(void)state;
	a = pt_map(s, 0, PG, RW, ANON);
	assert_int_equal(a, BASE - PG);
	b = pt_map(s, 0, 2 * MIB, RW, ANON);
	assert_int_equal(b, (a - 2 * MIB) & ~(2 * MIB - 1));
	c = pt_map(s, 0, 2 * MIB + PG, RW, ANON);
	assert_int_equal(c, b - 2 * MIB - PG);
	d = pt_map(s, 0, 4 * MIB, RW, ANON | LX_MAP_STACK);
	assert_int_equal(d, (c - 4 * MIB) & ~(2 * MIB - 1));
	/* A hint, even a refused one, turns the alignment off. */
	e = pt_map(s, a, 2 * MIB, RW, ANON);
	assert_int_equal(e, d - 2 * MIB);
	/* Shared anonymous memory is not aligned. */
	f = pt_map(s, 0, 2 * MIB, RW, SANON);
	assert_int_equal(f, e - 2 * MIB);
	px_free(s);
}

/* Files on a THP-aligning file system (ext4, xfs) are aligned so that
 * address and file offset agree modulo 2 MiB. */
static void test_C_thp_file(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, RW, ANON);
	uint64_t b = pt_map_file(s, 0, 8 * MIB, R, LX_MAP_PRIVATE, "/big", 0);
	uint64_t c = pt_map_file(s, 0, 5 * MIB, R, LX_MAP_PRIVATE, "/big", PG);
	uint64_t d =
		pt_map_file(s, 0, 2 * MIB + PG, R, LX_MAP_PRIVATE, "/big", PG);

	(void)state;
	assert_int_equal(b, (a - 8 * MIB) & ~(2 * MIB - 1));
	assert_int_equal((c - PG) & (2 * MIB - 1), 0);
	/* Less than one aligned 2 MiB of file: no alignment. */
	assert_int_equal(d, c - 2 * MIB - PG);
	px_free(s);
}

/* The stack guard gap: nothing is placed within 1 MiB below a
 * MAP_GROWSDOWN VMA. */
static void test_C_stack_guard_gap(void **state)
{
	struct px_space *s = pt_new();
	uint64_t st = pt_map(s, 0, 16 * PG, RW, ANON | LX_MAP_GROWSDOWN);
	uint64_t a = pt_map(s, 0, PG, RW, ANON);

	(void)state;
	assert_int_equal(st, BASE - 16 * PG);
	assert_int_equal(a, st - MIB - PG);
	px_free(s);
}

/* MAP_32BIT searches bottom-up inside [1 GiB, 2 GiB). */
static void test_C_map_32bit(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	assert_int_equal(pt_map(s, 0, PG, RW, ANON | LX_MAP_32BIT), 0x40000000);
	assert_int_equal(pt_map(s, 0, PG, RW, ANON | LX_MAP_32BIT), 0x40001000);
	px_free(s);
}

/* A randomised MAP_32BIT search starts where it is told, for one call
 * at a time; first fit from a later start never lands lower. */
static void test_C_map_32bit_begin(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	pt_map(s, 0x40300000, 4 * PG, RW, ANON | LX_MAP_FIXED);
	px_set_map32_begin(s, 0x40300000);
	assert_int_equal(pt_map(s, 0, PG, RW, ANON | LX_MAP_32BIT),
			 0x40304000);
	px_set_map32_begin(s, 0x40123456);
	assert_int_equal(pt_map(s, 0, PG, RW, ANON | LX_MAP_32BIT),
			 0x40123000);
	px_set_map32_begin(s, 0);
	assert_int_equal(pt_map(s, 0, PG, RW, ANON | LX_MAP_32BIT), 0x40000000);
	px_free(s);
}

/* A shadow has the same mappings, places the same way, and changes
 * nothing of the space it was taken from. */
static void test_C_shadow(void **state)
{
	struct px_space *s = pt_new(), *c;
	uint64_t a = pt_map(s, 0, 4 * PG, RW, ANON), b;
	char why[128];
	uint8_t v;

	(void)state;
	assert_int_equal(px_store(s, a, 7), 0);
	assert_int_equal(px_mlock(s, a, PG, 0), 0);
	c = px_shadow(s);
	assert_non_null(c);
	assert_int_equal(px_check(c, why, sizeof(why)), 0);
	b = pt_map(c, 0, PG, RW, ANON);
	assert_int_equal(b, pt_map(s, 0, PG, RW, ANON));
	assert_int_equal(px_munmap(c, a, 4 * PG), 0);
	assert_int_equal(px_load(s, a, &v), 0);
	assert_int_equal(v, 7);
	px_free(c);
	assert_int_equal(px_check(s, why, sizeof(why)), 0);
	px_free(s);
}

/* When the top-down search finds nothing, the bottom-up one above the
 * legacy base takes over. */
static void test_C_bottomup_fallback(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	px_set_mmap_base(s, 0x11000);
	assert_int_equal(px_mmap_base(s), 0x11000);
	assert_int_equal(pt_map(s, 0, PG, RW, ANON), 0x10000);
	assert_int_equal(pt_map(s, 0, 2 * PG, RW, ANON), 0x2aaaaaaab000ULL);
	px_free(s);
}

/* __thp_get_unmapped_area() asks for the length plus 2 MiB; when no gap
 * that large is left it gives up (returns 0) and the plain search runs:
 * a 4 MiB mapping still fits a gap of exactly 4 MiB. */
static void test_C_thp_padding_does_not_fit(void **state)
{
	struct px_space *s = pt_new();
	uint64_t legacy = 0x2aaaaaaab000ULL;

	(void)state;
	/* nothing free bottom-up, 4 MiB free top-down */
	assert_int_equal(pt_map(s, legacy, LX_TASK_SIZE - legacy, 0,
				ANON | FIXED | LX_MAP_NORESERVE),
			 legacy);
	px_set_mmap_base(s, 0x10000 + 4 * MIB);
	assert_int_equal(pt_map(s, 0, 4 * MIB, RW, ANON), 0x10000);
	assert_int_equal(pt_map_err(s, 0, PG, RW, ANON), -LX_ENOMEM);
	px_free(s);
}

/* px_new() with a configuration that leaves the address-space limits
 * at zero takes Linux's defaults for them, as with no configuration. */
static void test_C_zero_config_limits(void **state)
{
	struct px_config cfg;
	struct px_space *s;

	(void)state;
	memset(&cfg, 0, sizeof(cfg));
	s = px_new(&cfg);
	assert_non_null(s);
	assert_int_equal(pt_map(s, LX_TASK_SIZE - PG, PG, RW, ANON | FIXED),
			 LX_TASK_SIZE - PG);
	assert_int_equal(pt_map_err(s, LX_TASK_SIZE, PG, RW, ANON | FIXED),
			 -LX_ENOMEM);
	px_free(s);
}

/*
 * px_check finds two neighbours that should have merged (the state a
 * VMA split leaves until the merge after it), returns -1 as documented
 * and says what is broken; merged again, the space checks clean.
 */
static void test_C_check_finds_broken_state(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON);
	struct px_vma *v, *hi;
	char why[256];

	(void)state;
	assert_int_equal(px_check(s, why, sizeof(why)), 0);
	v = pxt_find(&s->tree, a);
	assert_non_null(v);
	assert_int_equal(px_vma_split(s, v, a + PG, &hi), 0);
	why[0] = '\0';
	assert_int_equal(px_check(s, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "should have merged"));
	assert_non_null(px_vma_merge(s, v, hi));
	assert_int_equal(px_check(s, why, sizeof(why)), 0);
	px_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_C28_no_hint),
		cmocka_unit_test(test_C29_hint),
		cmocka_unit_test(test_C30_unaligned_hint),
		cmocka_unit_test(test_C31_address_space_top),
		cmocka_unit_test(test_C32_fixed_exact),
		cmocka_unit_test(test_C33_fixed_unaligned),
		cmocka_unit_test(test_C34_fixed_replaces),
		cmocka_unit_test(test_C35_fixed_drops_state),
		cmocka_unit_test(test_C36_fixed_in_reservation),
		cmocka_unit_test(test_C37_fixed_beyond_task_size),
		cmocka_unit_test(test_C38_below_min_addr),
		cmocka_unit_test(test_C39_noreplace_free),
		cmocka_unit_test(test_C40_noreplace_overlap),
		cmocka_unit_test(test_C41_noreplace_untouched),
		cmocka_unit_test(test_C42_noreplace_adjacent),
		cmocka_unit_test(test_C43_fixed_and_noreplace),
		cmocka_unit_test(test_C44_noreplace_unaligned),
		cmocka_unit_test(test_C45_failure_maps_nothing),
		cmocka_unit_test(test_C_thp_alignment),
		cmocka_unit_test(test_C_thp_file),
		cmocka_unit_test(test_C_stack_guard_gap),
		cmocka_unit_test(test_C_map_32bit),
		cmocka_unit_test(test_C_map_32bit_begin),
		cmocka_unit_test(test_C_shadow),
		cmocka_unit_test(test_C_bottomup_fallback),
		cmocka_unit_test(test_C_thp_padding_does_not_fit),
		cmocka_unit_test(test_C_zero_config_limits),
		cmocka_unit_test(test_C_check_finds_broken_state),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
