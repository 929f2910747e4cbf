/*
 * test_posix_g.c - the reference model against checklist section G of
 * research/posix.md: mremap, every mode and failure.
 */
#include "px_test_util.h"

#define MAYMOVE LX_MREMAP_MAYMOVE
#define MFIXED LX_MREMAP_FIXED
#define DONTUNMAP LX_MREMAP_DONTUNMAP

/* G.86: an unaligned old address is EINVAL. */
static void test_G86_unaligned_old(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON);

	(void)state;
	assert_int_equal(pt_remap_err(s, a + 1, PG, 2 * PG, MAYMOVE, 0),
			 -LX_EINVAL);
	px_free(s);
}

/* G.87: a zero new size or unknown flags are EINVAL. */
static void test_G87_bad_size_flags(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON);

	(void)state;
	assert_int_equal(pt_remap_err(s, a, PG, 0, MAYMOVE, 0), -LX_EINVAL);
	assert_int_equal(pt_remap_err(s, a, PG, PG, 8, 0), -LX_EINVAL);
	assert_int_equal(pt_remap_err(s, a, PG, LX_TASK_SIZE + PG, MAYMOVE, 0),
			 -LX_EINVAL);
	assert_int_equal(pt_remap_err(s, a, PG, -PG + 1, MAYMOVE, 0),
			 -LX_EINVAL);
	px_free(s);
}

/* G.88: MREMAP_FIXED or DONTUNMAP need MAYMOVE. */
static void test_G88_fixed_needs_maymove(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, RW, ANON);

	(void)state;
	assert_int_equal(pt_remap_err(s, a, PG, PG, MFIXED, LOW), -LX_EINVAL);
	assert_int_equal(pt_remap_err(s, a, PG, PG, DONTUNMAP, LOW),
			 -LX_EINVAL);
	px_free(s);
}

/* G.89: MREMAP_FIXED with an unaligned or too high new address. */
static void test_G89_fixed_unaligned(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, RW, ANON);

	(void)state;
	assert_int_equal(pt_remap_err(s, a, PG, PG, MAYMOVE | MFIXED, LOW + 8),
			 -LX_EINVAL);
	assert_int_equal(pt_remap_err(s, a, PG, 2 * PG, MAYMOVE | MFIXED,
				      LX_TASK_SIZE - PG),
			 -LX_EINVAL);
	px_free(s);
}

/* G.90: overlapping source and destination; the source is untouched. */
static void test_G90_overlap(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 4 * PG, RW, ANON | FIXED);

	(void)state;
	pt_store(s, a, 1);
	assert_int_equal(pt_remap_err(s, a, 4 * PG, 4 * PG, MAYMOVE | MFIXED,
				      a + 2 * PG),
			 -LX_EINVAL);
	assert_int_equal(pt_remap_err(s, a + 2 * PG, 2 * PG, 4 * PG,
				      MAYMOVE | MFIXED, a),
			 -LX_EINVAL);
	assert_int_equal(pt_load(s, a), 1);
	assert_true(pt_mapped(s, a, a + 4 * PG));
	px_free(s);
}

/* G.91: the old range must be mapped, and lie in one VMA (EFAULT). */
static void test_G91_not_mapped(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 2 * PG, RW, ANON | FIXED);

	(void)state;
	pt_map(s, a + 2 * PG, 2 * PG, R, ANON | FIXED);
	assert_int_equal(pt_remap_err(s, LOW + 64 * PG, PG, 2 * PG, MAYMOVE, 0),
			 -LX_EFAULT);
	/* spans two VMAs: growing or moving it is EFAULT */
	assert_int_equal(pt_remap_err(s, a, 4 * PG, 8 * PG, MAYMOVE, 0),
			 -LX_EFAULT);
	/* the same size without a move is a no-op even so */
	assert_int_equal(pt_remap(s, a, 4 * PG, 4 * PG, 0, 0), a);
	px_free(s);
}

/* G.92: same size and no flags returns old_address unchanged. */
static void test_G92_noop(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON);

	(void)state;
	assert_int_equal(pt_remap(s, a, 2 * PG, 2 * PG, 0, 0), a);
	assert_int_equal(pt_remap(s, a, 2 * PG, 2 * PG, MAYMOVE, 0), a);
	px_free(s);
}

/* G.93: shrinking in place unmaps the tail, also across VMAs, and keeps
 * what follows. */
static void test_G93_shrink(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 8 * PG, RW, ANON | FIXED);

	(void)state;
	pt_store(s, a, 1);
	pt_map(s, a + 8 * PG, PG, R, ANON | FIXED);
	OK(s, px_mprotect(s, a + 4 * PG, 2 * PG, R));
	assert_int_equal(pt_remap(s, a, 8 * PG, 2 * PG, 0, 0), a);
	assert_true(pt_unmapped(s, a + 2 * PG, a + 8 * PG));
	assert_true(pt_mapped(s, a + 8 * PG, a + 9 * PG));
	assert_int_equal(pt_load(s, a), 1);
	px_free(s);
}

/* G.94: growing into free pages stays in place, the new pages read 0,
 * and the VMA merges with a compatible one it now touches. */
static void test_G94_grow_in_place(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 3 * PG, RW, ANON | FIXED);

	(void)state;
	OK(s, px_munmap(s, a + PG, PG));
	assert_int_equal(pt_remap(s, a, PG, 2 * PG, 0, 0), a);
	assert_int_equal(pt_count(s, a, a + 3 * PG), 1);
	assert_int_equal(pt_load(s, a + PG), 0);
	px_free(s);
}

/* G.95: growth blocked and no MAYMOVE: ENOMEM, nothing changes. */
static void test_G95_grow_blocked(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 2 * PG, RW, ANON | FIXED);

	(void)state;
	pt_map(s, a + 2 * PG, PG, R, ANON | FIXED);
	assert_int_equal(pt_remap_err(s, a, 2 * PG, 4 * PG, 0, 0), -LX_ENOMEM);
	assert_int_equal(pt_count(s, a, a + 3 * PG), 2);
	/* growing from inside the VMA can never happen in place */
	assert_int_equal(pt_remap_err(s, LOW, PG, 3 * PG, 0, 0), -LX_ENOMEM);
	px_free(s);
}

/* G.96: with MAYMOVE a blocked growth moves; the old range is unmapped
 * and the contents keep their offsets. */
static void test_G96_maymove(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 2 * PG, RW, ANON | FIXED), b;

	(void)state;
	pt_map(s, a + 2 * PG, PG, R, ANON | FIXED);
	pt_store(s, a + PG + 7, 0x99);
	b = pt_remap(s, a, 2 * PG, 4 * PG, MAYMOVE, 0);
	assert_int_not_equal(b, a);
	assert_true(pt_unmapped(s, a, a + 2 * PG));
	assert_int_equal(pt_load(s, b + PG + 7), 0x99);
	assert_int_equal(pt_load(s, b + 3 * PG), 0);
	px_free(s);
}

/* G.97: MREMAP_FIXED moves to exactly new_address, replacing what was
 * there, unmapping the source, keeping min(old, new) of the data. */
static void test_G97_fixed_move(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 4 * PG, RW, ANON | FIXED);
	uint64_t d = pt_map(s, LOW + 32 * PG, 8 * PG, R, ANON | FIXED);

	(void)state;
	for (int i = 0; i < 4; i++)
		pt_store(s, a + i * PG, (uint8_t)(i + 1));
	assert_int_equal(
		pt_remap(s, a, 4 * PG, 2 * PG, MAYMOVE | MFIXED, d + 2 * PG),
		d + 2 * PG);
	assert_true(pt_unmapped(s, a, a + 4 * PG));
	assert_int_equal(pt_load(s, d + 2 * PG), 1);
	assert_int_equal(pt_load(s, d + 3 * PG), 2);
	assert_int_equal(pt_prot(s, d + 4 * PG), R);
	assert_int_equal(pt_prot(s, d + PG), R);
	/* and growing while moving */
	a = pt_remap(s, d + 2 * PG, 2 * PG, 6 * PG, MAYMOVE | MFIXED, LOW);
	assert_int_equal(a, LOW);
	assert_int_equal(pt_load(s, a + PG), 2);
	assert_int_equal(pt_load(s, a + 5 * PG), 0);
	px_free(s);
}

/* G.98: a same-size MREMAP_FIXED move takes every VMA of the range
 * along, keeping the holes (6.17); other shapes spanning VMAs are
 * EFAULT. */
static void test_G98_multi_vma(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = LOW, d = LOW + 64 * PG;

	(void)state;
	pt_map(s, a, 2 * PG, RW, ANON | FIXED);
	pt_map(s, a + 3 * PG, 2 * PG, R, ANON | FIXED);
	pt_store(s, a + PG, 5);
	assert_int_equal(pt_remap(s, a, 5 * PG, 5 * PG, MAYMOVE | MFIXED, d),
			 d);
	assert_true(pt_unmapped(s, a, a + 5 * PG));
	assert_int_equal(pt_load(s, d + PG), 5);
	assert_int_equal(pt_prot(s, d + 2 * PG), -1);
	assert_int_equal(pt_prot(s, d + 3 * PG), R);
	/* no VMA at the start: EFAULT */
	assert_int_equal(
		pt_remap_err(s, d - PG, 3 * PG, 3 * PG, MAYMOVE | MFIXED, a),
		-LX_EFAULT);
	/* shrinking across VMAs is EFAULT too */
	assert_int_equal(
		pt_remap_err(s, d, 5 * PG, 4 * PG, MAYMOVE | MFIXED, a),
		-LX_EFAULT);
	px_free(s);
}

/* G.99: old_size 0 duplicates a shared mapping with MAYMOVE; without it
 * that is ENOMEM, and private mappings are EINVAL. */
static void test_G99_duplicate(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 2 * PG, RW, SANON);
	uint64_t p = pt_map(s, 0, 2 * PG, RW, ANON), b;

	(void)state;
	pt_store(s, a + PG, 0x31);
	b = pt_remap(s, a, 0, 2 * PG, MAYMOVE, 0);
	assert_int_not_equal(b, a);
	assert_int_equal(pt_load(s, b + PG), 0x31);
	pt_store(s, b, 0x32);
	assert_int_equal(pt_load(s, a), 0x32);
	assert_true(pt_mapped(s, a, a + 2 * PG));
	assert_int_equal(pt_remap_err(s, a, 0, 2 * PG, 0, 0), -LX_ENOMEM);
	assert_int_equal(pt_remap_err(s, p, 0, 2 * PG, MAYMOVE, 0), -LX_EINVAL);
	px_free(s);
}

/* G.100: DONTUNMAP needs equal sizes; the data moves, a private source
 * stays mapped but empty, a shared one still shows the data. */
static void test_G100_dontunmap(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 4 * PG, RW, ANON | FIXED);
	uint64_t sh = pt_map(s, LOW + 32 * PG, PG, RW, SANON | FIXED);
	uint64_t d = pt_map(s, LOW + 64 * PG, 8 * PG, R, ANON | FIXED), b;

	(void)state;
	pt_store(s, a + 2 * PG, 0x21);
	pt_store(s, sh, 0x22);
	assert_int_equal(
		pt_remap_err(s, a, 4 * PG, 8 * PG, MAYMOVE | DONTUNMAP, 0),
		-LX_EINVAL);
	b = pt_remap(s, a, 4 * PG, 4 * PG, MAYMOVE | DONTUNMAP, 0);
	assert_int_equal(pt_load(s, b + 2 * PG), 0x21);
	assert_int_equal(pt_load(s, a + 2 * PG), 0);
	assert_true(pt_mapped(s, a, a + 4 * PG));
	b = pt_remap(s, sh, PG, PG, MAYMOVE | DONTUNMAP, 0);
	assert_int_equal(pt_load(s, sh), 0x22);
	assert_int_equal(pt_load(s, b), 0x22);
	/* FIXED: the destination is replaced only over new_len */
	pt_store(s, a + 3 * PG, 0x23);
	assert_int_equal(pt_remap(s, a + 3 * PG, PG, PG,
				  MAYMOVE | DONTUNMAP | MFIXED, d),
			 d);
	assert_int_equal(pt_load(s, d), 0x23);
	assert_int_equal(pt_prot(s, d + PG), R);
	px_free(s);
}

static void memlock_small(struct px_config *cfg)
{
	cfg->memlock_limit = 4 * PG;
}

/* G.101: the lock moves with the range; growing a locked range past
 * RLIMIT_MEMLOCK is EAGAIN. */
static void test_G101_locked(void **state)
{
	struct px_space *s = pt_new_cfg(memlock_small);
	uint64_t a = pt_map(s, LOW, 2 * PG, RW, ANON | FIXED | LX_MAP_LOCKED);
	struct px_vma_info vi;
	struct px_stats st;
	uint64_t b;

	(void)state;
	b = pt_remap(s, a, 2 * PG, 3 * PG, MAYMOVE | MFIXED, LOW + 32 * PG);
	assert_true(pt_vma(s, b, &vi));
	assert_true(vi.flags & LX_MAP_LOCKED);
	assert_int_equal(pt_resident(s, b + 2 * PG), 1);
	px_stats(s, &st);
	assert_int_equal(st.locked, 3 * PG);
	assert_int_equal(pt_remap_err(s, b, 3 * PG, 5 * PG, MAYMOVE, 0),
			 -LX_EAGAIN);
	px_free(s);
}

/* Moving anonymous memory that never faulted lets it merge at the new
 * place (its page offset follows it); faulted memory keeps its offset
 * and stays apart. */
static void test_G_pgoff_after_move(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, PG, RW, ANON | FIXED);
	uint64_t b = pt_map(s, LOW + 16 * PG, PG, RW, ANON | FIXED);
	uint64_t t = pt_map(s, LOW + 32 * PG, PG, RW, ANON | FIXED);

	(void)state;
	pt_remap(s, a, PG, PG, MAYMOVE | MFIXED, t + PG);
	assert_int_equal(pt_count(s, t, t + 2 * PG), 1);
	pt_store(s, b, 1);
	pt_remap(s, b, PG, PG, MAYMOVE | MFIXED, t + 2 * PG);
	assert_int_equal(pt_count(s, t, t + 3 * PG), 2);
	assert_int_equal(pt_load(s, t + 2 * PG), 1);
	px_free(s);
}

/* A moved anonymous mapping of a 2 MiB multiple is THP-aligned like a
 * fresh one. */
static void test_G_move_thp_aligned(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 2 * MIB, RW, ANON | FIXED);
	uint64_t b;

	(void)state;
	pt_map(s, LOW + 2 * MIB, PG, R, ANON | FIXED);
	b = pt_remap(s, a, 2 * MIB, 4 * MIB, MAYMOVE, 0);
	assert_int_equal(b & (2 * MIB - 1), 0);
	px_free(s);
}

/* Growing a shared anonymous mapping past its object makes the new
 * pages SIGBUS. */
static void test_G_shared_past_end(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 2 * PG, RW, SANON | FIXED);

	(void)state;
	pt_store(s, a, 1);
	assert_int_equal(pt_remap(s, a, 2 * PG, 4 * PG, MAYMOVE, 0), a);
	assert_int_equal(pt_load(s, a), 1);
	assert_int_equal(pt_load(s, a + 3 * PG), -LX_EIO);
	px_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_G86_unaligned_old),
		cmocka_unit_test(test_G87_bad_size_flags),
		cmocka_unit_test(test_G88_fixed_needs_maymove),
		cmocka_unit_test(test_G89_fixed_unaligned),
		cmocka_unit_test(test_G90_overlap),
		cmocka_unit_test(test_G91_not_mapped),
		cmocka_unit_test(test_G92_noop),
		cmocka_unit_test(test_G93_shrink),
		cmocka_unit_test(test_G94_grow_in_place),
		cmocka_unit_test(test_G95_grow_blocked),
		cmocka_unit_test(test_G96_maymove),
		cmocka_unit_test(test_G97_fixed_move),
		cmocka_unit_test(test_G98_multi_vma),
		cmocka_unit_test(test_G99_duplicate),
		cmocka_unit_test(test_G100_dontunmap),
		cmocka_unit_test(test_G101_locked),
		cmocka_unit_test(test_G_pgoff_after_move),
		cmocka_unit_test(test_G_move_thp_aligned),
		cmocka_unit_test(test_G_shared_past_end),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
