/*
 * test_posix_a.c - the reference model against checklist section A of
 * research/posix.md: general address-space rules (whole pages, zero
 * fill, faults, fork, limits, merging, what a VMA reports).
 */
#include "px_test_util.h"

#include <stdlib.h>

/* A.1: a length inside a page covers the whole page, for every call. */
static void test_A01_whole_pages(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 1, RW, ANON);

	(void)state;
	assert_true(pt_mapped(s, a, a + PG));
	assert_int_equal(pt_load(s, a + PG - 1), 0);
	assert_int_equal(pt_load(s, a + PG), -LX_EFAULT);
	OK(s, px_mprotect(s, a, 1, R));
	assert_int_equal(pt_prot(s, a + PG - 1), R);
	OK(s, px_munmap(s, a, 1));
	assert_true(pt_unmapped(s, a, a + PG));
	px_free(s);
}

/* A.2: fresh anonymous memory reads zero, write-only mappings too. */
static void test_A02_zero_fill(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 4 * PG, RW, ANON);
	uint64_t w = pt_map(s, 0, 2 * PG, W, ANON);
	uint64_t n = pt_map(s, 0, 2 * PG, RW, ANON | LX_MAP_NORESERVE);

	(void)state;
	for (uint64_t i = 0; i < 4 * PG; i += 511)
		assert_int_equal(pt_load(s, a + i), 0);
	assert_int_equal(pt_load(s, w + 7), 0);
	assert_int_equal(pt_load(s, n + PG + 3), 0);
	px_free(s);
}

/* A.3: at most one mapping covers a page, whatever replaces what. */
static void test_A03_no_overlap(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 8 * PG, RW, ANON | FIXED);

	(void)state;
	pt_map(s, a + 2 * PG, 2 * PG, R, ANON | FIXED);
	pt_map(s, a + 3 * PG, 4 * PG, RW | X, SANON | FIXED);
	assert_int_equal(pt_count(s, a, a + 8 * PG), 4);
	assert_int_equal(pt_prot(s, a + 2 * PG), R);
	assert_int_equal(pt_prot(s, a + 3 * PG), RW | X);
	px_free(s);
}

/* A.4: an access to an unmapped page faults. */
static void test_A04_unmapped_faults(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON);

	(void)state;
	OK(s, px_munmap(s, a + PG, PG));
	assert_int_equal(pt_load(s, a + PG), -LX_EFAULT);
	assert_int_equal(pt_store_err(s, a + PG, 1), -LX_EFAULT);
	assert_int_equal(pt_load(s, a), 0);
	px_free(s);
}

/* A.5: PROT_NONE faults on every access. */
static void test_A05_prot_none_faults(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, NONE, ANON);

	(void)state;
	assert_int_equal(pt_load(s, a), -LX_EFAULT);
	assert_int_equal(pt_store_err(s, a, 1), -LX_EFAULT);
	assert_int_equal(pt_prot(s, a), 0);
	px_free(s);
}

/* A.6: a write without PROT_WRITE faults, the read works. */
static void test_A06_write_needs_prot_write(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, R, ANON);

	(void)state;
	assert_int_equal(pt_store_err(s, a, 1), -LX_EFAULT);
	assert_int_equal(pt_load(s, a), 0);
	px_free(s);
}

/* A.7: NONE, R, W and RW are all accepted; on x86 W and X imply R. */
static void test_A07_prot_combinations(void **state)
{
	struct px_space *s = pt_new();
	static const int prots[] = {NONE, R, W, RW, X, R | X, W | X, RW | X};

	(void)state;
	for (size_t i = 0; i < sizeof(prots) / sizeof(prots[0]); i++) {
		uint64_t a = pt_map(s, 0, PG, prots[i], ANON);
		uint64_t b = pt_map(s, 0, PG, prots[i], SANON);
		int eff = prots[i] ? prots[i] | R : 0;

		assert_int_equal(pt_prot(s, a), eff);
		assert_int_equal(pt_prot(s, b), eff);
		assert_int_equal(pt_load(s, a) == 0, eff != 0);
	}
	px_free(s);
}

/* A.8: after fork, private anonymous memory is copy-on-write. */
static void test_A08_fork_private_cow(void **state)
{
	struct px_space *s = pt_new(), *c;
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON);

	(void)state;
	pt_store(s, a, 0x11);
	c = px_fork(s);
	assert_non_null(c);
	pt_check(c);
	assert_int_equal(pt_load(c, a), 0x11);
	pt_store(c, a, 0x22);
	pt_store(s, a + PG, 0x33);
	assert_int_equal(pt_load(s, a), 0x11);
	assert_int_equal(pt_load(c, a), 0x22);
	assert_int_equal(pt_load(c, a + PG), 0);
	px_free(c);
	pt_check(s);
	px_free(s);
}

/*
 * A forked VMA's anon_vma is not reused by a neighbour (reusable_anon_vma
 * wants an anon_vma_chain of one, and fork links the child's VMA to the
 * parent's anon_vma as well): a page mapped beside it in the child gets
 * an anon_vma of its own when written, so the two never merge.
 */
static void test_A08_forked_anon_vma_not_reused(void **state)
{
	struct px_space *s = pt_new(), *c;
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON);

	(void)state;
	OK(s, px_munmap(s, a, PG));
	pt_store(s, a + PG, 0x11);
	c = px_fork(s);
	assert_non_null(c);
	assert_int_equal(pt_map(c, a, PG, RW, ANON | FIXED), a);
	assert_int_equal(pt_count(c, a, a + 2 * PG), 2);
	pt_store(c, a, 0x22);
	OK(c, px_mprotect(c, a, PG, LX_PROT_READ));
	OK(c, px_mprotect(c, a, PG, RW));
	assert_int_equal(pt_count(c, a, a + 2 * PG), 2);
	/* the parent's own VMA is not forked: there the two merge */
	assert_int_equal(pt_map(s, a, PG, RW, ANON | FIXED), a);
	pt_store(s, a, 0x33);
	OK(s, px_mprotect(s, a, PG, LX_PROT_READ));
	OK(s, px_mprotect(s, a, PG, RW));
	assert_int_equal(pt_count(s, a, a + 2 * PG), 1);
	px_free(c);
	px_free(s);
}

/* A.9: after fork, shared anonymous memory stays shared. */
static void test_A09_fork_shared(void **state)
{
	struct px_space *s = pt_new(), *c;
	uint64_t a = pt_map(s, 0, PG, RW, SANON);

	(void)state;
	c = px_fork(s);
	assert_non_null(c);
	pt_store(c, a + 5, 0x44);
	assert_int_equal(pt_load(s, a + 5), 0x44);
	pt_store(s, a + 6, 0x55);
	assert_int_equal(pt_load(c, a + 6), 0x55);
	px_free(s);
	assert_int_equal(pt_load(c, a + 5), 0x44);
	px_free(c);
}

static void small_map_count(struct px_config *cfg)
{
	cfg->max_map_count = 8;
}

/* A.10: a call that needs more VMAs than vm.max_map_count allows fails
 * with ENOMEM; removing whole VMAs or trimming an end never does. */
static void test_A10_region_count_limit(void **state)
{
	struct px_space *s = pt_new_cfg(small_map_count);
	uint64_t a = LOW;
	struct px_stats st;
	int i;

	(void)state;
	/* Alternating protections keep the pages apart. */
	for (i = 0; i < 8; i++)
		pt_map(s, a + i * PG, PG, i & 1 ? R : RW, ANON | FIXED);
	px_stats(s, &st);
	assert_int_equal(st.vmas, 8);
	pt_map(s, a + 8 * PG, 3 * PG, RW, ANON | FIXED); /* 9 > limit */
	assert_int_equal(pt_map_err(s, a + 12 * PG, PG, RW, ANON | FIXED),
			 -LX_ENOMEM);
	/* Splitting the last VMA in the middle needs one more. */
	ERR(s, px_munmap(s, a + 9 * PG, PG), LX_ENOMEM);
	ERR(s, px_mprotect(s, a + 9 * PG, PG, R), LX_ENOMEM);
	/* Trimming an end and removing whole VMAs work. */
	OK(s, px_munmap(s, a + 10 * PG, PG));
	OK(s, px_munmap(s, a, 2 * PG));
	px_stats(s, &st);
	assert_int_equal(st.vmas, 7);
	px_free(s);
}

/* A.11: with no room left, mmap fails and changes nothing. */
static void test_A11_no_room(void **state)
{
	struct px_space *s = pt_new();
	struct px_stats before, after;

	(void)state;
	pt_map(s, 0, 4 * PG, RW, ANON);
	px_stats(s, &before);
	assert_int_equal(pt_map_err(s, 0, LX_TASK_SIZE - PG, RW, ANON),
			 -LX_ENOMEM);
	assert_int_equal(pt_map_err(s, 0, LX_TASK_SIZE + PG, RW, ANON),
			 -LX_ENOMEM);
	px_stats(s, &after);
	assert_memory_equal(&before, &after, sizeof(before));
	px_free(s);
}

/* A.12: adjacent compatible VMAs coalesce, splits re-merge, and two
 * separately faulted anonymous VMAs (different anon_vmas) never do. */
static void test_A12_merging(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = LOW;

	(void)state;
	pt_map(s, a, 2 * PG, RW, ANON | FIXED);
	pt_map(s, a + 2 * PG, 2 * PG, RW, ANON | FIXED);
	assert_int_equal(pt_count(s, a, a + 4 * PG), 1);
	OK(s, px_mprotect(s, a + PG, PG, R));
	assert_int_equal(pt_count(s, a, a + 4 * PG), 3);
	OK(s, px_mprotect(s, a + PG, PG, RW));
	assert_int_equal(pt_count(s, a, a + 4 * PG), 1);

	/* A and C written separately, then B fills the hole: A+B merge,
	 * C keeps its own anon_vma. */
	a = LOW + 64 * PG;
	pt_map(s, a, PG, RW, ANON | FIXED);
	pt_store(s, a, 1);
	pt_map(s, a + 2 * PG, PG, RW, ANON | FIXED);
	pt_store(s, a + 2 * PG, 1);
	pt_map(s, a + PG, PG, RW, ANON | FIXED);
	assert_int_equal(pt_count(s, a, a + 3 * PG), 2);
	px_free(s);
}

/* A.12: a VMA written after its neighbour reuses the neighbour's
 * anon_vma (find_mergeable_anon_vma), so it merges later. */
static void test_A12_anon_vma_reuse(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = LOW;

	(void)state;
	pt_map(s, a, PG, RW, ANON | FIXED);
	pt_store(s, a, 1);
	pt_map(s, a + PG, PG, RW | X, ANON | FIXED);
	pt_store(s, a + PG, 2);
	OK(s, px_mprotect(s, a + PG, PG, RW));
	assert_int_equal(pt_count(s, a, a + 2 * PG), 1);
	assert_int_equal(pt_load(s, a + PG), 2);
	px_free(s);
}

/* A.12: a faulted piece made writable keeps VM_ACCOUNT when turned back,
 * so it stays apart; an unfaulted one re-merges. */
static void test_A12_account_keeps_split(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 5 * PG, NONE, ANON | FIXED);

	(void)state;
	OK(s, px_mprotect(s, a + PG, PG, RW));
	pt_store(s, a + PG, 1);
	OK(s, px_mprotect(s, a + PG, PG, NONE));
	assert_int_equal(pt_count(s, a, a + 5 * PG), 3);
	OK(s, px_mprotect(s, a + 3 * PG, PG, RW));
	OK(s, px_mprotect(s, a + 3 * PG, PG, NONE));
	assert_int_equal(pt_count(s, a, a + 5 * PG), 3);
	px_free(s);
}

/* A.13: what a VMA reports matches how it was made. */
static void test_A13_vma_info(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, RW, ANON);
	uint64_t b = pt_map(s, 0, PG, R | X, SANON);
	uint64_t c = pt_map_file(s, 0, 2 * PG, R, LX_MAP_PRIVATE,
				 "/lib/libc.so", PG);
	struct px_vma_info vi;

	(void)state;
	assert_true(pt_vma(s, a, &vi));
	assert_int_equal(vi.prot, RW);
	assert_int_equal(vi.flags & (LX_MAP_TYPE | LX_MAP_ANONYMOUS), ANON);
	assert_null(vi.path);
	assert_true(pt_vma(s, b, &vi));
	assert_int_equal(vi.prot, R | X);
	assert_int_equal(vi.flags & (LX_MAP_TYPE | LX_MAP_ANONYMOUS), SANON);
	assert_true(pt_vma(s, c, &vi));
	assert_string_equal(vi.path, "/lib/libc.so");
	assert_int_equal(vi.off, PG);
	assert_int_equal(vi.flags & LX_MAP_TYPE, LX_MAP_PRIVATE);
	assert_false(vi.flags & LX_MAP_ANONYMOUS);
	px_free(s);
}

/* px_inherit declares execve's mappings; they take part like others. */
static void test_A_inherit(void **state)
{
	struct px_space *s = pt_new();
	struct px_vma_info vi;

	(void)state;
	OK(s, px_inherit(s, 0x555555554000ULL, 4 * PG, R | X, LX_MAP_PRIVATE));
	OK(s, px_inherit(s, 0x7ffffffde000ULL, 33 * PG, RW,
			 ANON | LX_MAP_GROWSDOWN));
	assert_true(pt_vma(s, 0x555555554000ULL, &vi));
	assert_true(vi.inherited);
	assert_int_equal(vi.prot, R | X);
	assert_true(pt_vma(s, 0x7ffffffde000ULL, &vi));
	assert_true(vi.flags & LX_MAP_GROWSDOWN);
	/* A store just below the stack grows it. */
	pt_store(s, 0x7ffffffde000ULL - 10, 7);
	assert_true(pt_vma(s, 0x7ffffffde000ULL - PG, &vi));
	assert_int_equal(vi.start, 0x7ffffffde000ULL - PG);
	assert_int_equal(pt_load(s, 0x7ffffffde000ULL - 10), 7);
	ERR(s, px_inherit(s, 0x1001, PG, R, ANON), LX_EINVAL);
	px_free(s);
}

/* Stored bytes are kept sparsely and counted. */
static void test_A_stored_bytes(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 1 << 30, RW, ANON | LX_MAP_NORESERVE);
	struct px_stats st;

	(void)state;
	for (int i = 0; i < 100; i++) {
		uint64_t off = ((uint64_t)i * 7919 * PG) % (1 << 30);

		pt_store(s, a + off + i, 0x5a);
	}
	px_stats(s, &st);
	assert_int_equal(st.stored, 100);
	assert_int_equal(st.mapped, 1 << 30);
	pt_store(s, a, 0);
	px_stats(s, &st);
	assert_int_equal(st.stored, 99);
	OK(s, px_munmap(s, a, 1 << 30));
	px_stats(s, &st);
	assert_int_equal(st.stored, 0);
	px_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_A01_whole_pages),
		cmocka_unit_test(test_A02_zero_fill),
		cmocka_unit_test(test_A03_no_overlap),
		cmocka_unit_test(test_A04_unmapped_faults),
		cmocka_unit_test(test_A05_prot_none_faults),
		cmocka_unit_test(test_A06_write_needs_prot_write),
		cmocka_unit_test(test_A07_prot_combinations),
		cmocka_unit_test(test_A08_fork_private_cow),
		cmocka_unit_test(test_A08_forked_anon_vma_not_reused),
		cmocka_unit_test(test_A09_fork_shared),
		cmocka_unit_test(test_A10_region_count_limit),
		cmocka_unit_test(test_A11_no_room),
		cmocka_unit_test(test_A12_merging),
		cmocka_unit_test(test_A12_anon_vma_reuse),
		cmocka_unit_test(test_A12_account_keeps_split),
		cmocka_unit_test(test_A13_vma_info),
		cmocka_unit_test(test_A_inherit),
		cmocka_unit_test(test_A_stored_bytes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
