/*
 * test_posix_f.c - the reference model against checklist section F of
 * research/posix.md: madvise (posix_madvise is libc's wrapper of it).
 */
#include "px_test_util.h"

static const int harmless[] = {
	LX_MADV_NORMAL,	     LX_MADV_RANDOM,	    LX_MADV_SEQUENTIAL,
	LX_MADV_WILLNEED,    LX_MADV_COLD,	    LX_MADV_PAGEOUT,
	LX_MADV_HUGEPAGE,    LX_MADV_NOHUGEPAGE,    LX_MADV_MERGEABLE,
	LX_MADV_UNMERGEABLE, LX_MADV_DONTDUMP,	    LX_MADV_DODUMP,
	LX_MADV_DONTFORK,    LX_MADV_DOFORK,	    LX_MADV_KEEPONFORK,
	LX_MADV_WIPEONFORK,  LX_MADV_POPULATE_READ, LX_MADV_POPULATE_WRITE,
};

/* F.69: the POSIX advice values (NORMAL, RANDOM, SEQUENTIAL, WILLNEED)
 * never change what memory holds. */
static void test_F69_posix_advice(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 4 * PG, RW, ANON);

	(void)state;
	pt_store(s, a + PG, 9);
	for (int adv = 0; adv <= 3; adv++)
		OK(s, px_madvise(s, a, 4 * PG, adv));
	assert_int_equal(pt_load(s, a + PG), 9);
	px_free(s);
}

/* F.70: invalid advice is EINVAL; a range partly outside the mappings
 * is ENOMEM; a zero length is fine. */
static void test_F70_errors(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, RW, ANON);

	(void)state;
	ERR(s, px_madvise(s, a, PG, 77), LX_EINVAL);
	ERR(s, px_madvise(s, a, 2 * PG, LX_MADV_WILLNEED), LX_ENOMEM);
	ERR(s, px_madvise(s, LOW, PG, LX_MADV_NORMAL), LX_ENOMEM);
	OK(s, px_madvise(s, LOW, 0, LX_MADV_NORMAL));
	px_free(s);
}

/* F.71: an unaligned start is EINVAL. */
static void test_F71_unaligned(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON);

	(void)state;
	ERR(s, px_madvise(s, a + 1, PG, LX_MADV_DONTFORK), LX_EINVAL);
	ERR(s, px_madvise(s, a + 1, 0, LX_MADV_DONTFORK), LX_EINVAL);
	px_free(s);
}

/* F.72: an unknown advice value, checked first. */
static void test_F72_bad_advice(void **state)
{
	struct px_space *s = pt_new();

	(void)state;
	ERR(s, px_madvise(s, 1, 0, 1212), LX_EINVAL);
	ERR(s, px_madvise(s, LOW, PG, -1), LX_EINVAL);
	px_free(s);
}

/* F.73: len 0 succeeds, len 1 means a page, a wrapping len is EINVAL. */
static void test_F73_lengths(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, RW, ANON);

	(void)state;
	OK(s, px_madvise(s, a, 0, LX_MADV_DONTFORK));
	OK(s, px_madvise(s, a, 1, LX_MADV_DONTFORK));
	ERR(s, px_madvise(s, a, UINT64_MAX, LX_MADV_DONTFORK), LX_EINVAL);
	ERR(s, px_madvise(s, a, -PG, LX_MADV_DONTFORK), LX_EINVAL);
	px_free(s);
}

/* F.74: holes make the result ENOMEM, but the mapped parts get the
 * advice anyway. */
static void test_F74_holes_still_applied(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 4 * PG, RW, ANON | FIXED);

	(void)state;
	pt_store(s, a, 1);
	pt_store(s, a + 3 * PG, 3);
	OK(s, px_munmap(s, a + PG, 2 * PG));
	ERR(s, px_madvise(s, a, 4 * PG, LX_MADV_DONTNEED), LX_ENOMEM);
	assert_int_equal(pt_load(s, a), 0);
	assert_int_equal(pt_load(s, a + 3 * PG), 0);
	ERR(s, px_madvise(s, a - PG, 6 * PG, LX_MADV_GUARD_INSTALL), LX_ENOMEM);
	assert_int_equal(pt_load(s, a + 3 * PG), -LX_EFAULT);
	px_free(s);
}

/* F.75: non-destructive advice succeeds and keeps contents. */
static void test_F75_harmless(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 8 * PG, RW, ANON);

	(void)state;
	pt_store(s, a + 5 * PG, 0x5a);
	for (size_t i = 0; i < sizeof(harmless) / sizeof(harmless[0]); i++) {
		OK(s, px_madvise(s, a, 8 * PG, harmless[i]));
		assert_int_equal(pt_load(s, a + 5 * PG), 0x5a);
	}
	px_free(s);
}

/* F.76: DONTNEED on private anonymous memory zeroes exactly the range. */
static void test_F76_dontneed_private(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 3 * PG, RW, ANON);

	(void)state;
	for (int i = 0; i < 3; i++)
		pt_store(s, a + i * PG + 1, 0x10 + i);
	OK(s, px_madvise(s, a + PG, PG, LX_MADV_DONTNEED));
	assert_int_equal(pt_load(s, a + 1), 0x10);
	assert_int_equal(pt_load(s, a + PG + 1), 0);
	assert_int_equal(pt_load(s, a + 2 * PG + 1), 0x12);
	assert_int_equal(pt_resident(s, a + PG), 1); /* the load above */
	OK(s, px_madvise(s, a + PG, PG, LX_MADV_DONTNEED));
	assert_int_equal(pt_resident(s, a + PG), 0);
	px_free(s);
}

/* F.77: DONTNEED on shared memory keeps the contents. */
static void test_F77_dontneed_shared(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, RW, SANON);

	(void)state;
	pt_store(s, a, 7);
	OK(s, px_madvise(s, a, PG, LX_MADV_DONTNEED));
	assert_int_equal(pt_load(s, a), 7);
	px_free(s);
}

/* F.78: DONTNEED works on PROT_NONE, and in a fork child it zeroes only
 * the child's view. */
static void test_F78_dontneed_none_and_fork(void **state)
{
	struct px_space *s = pt_new(), *c;
	uint64_t a = pt_map(s, 0, PG, RW, ANON);

	(void)state;
	pt_store(s, a, 4);
	c = px_fork(s);
	OK(c, px_madvise(c, a, PG, LX_MADV_DONTNEED));
	assert_int_equal(pt_load(c, a), 0);
	assert_int_equal(pt_load(s, a), 4);
	OK(s, px_mprotect(s, a, PG, NONE));
	OK(s, px_madvise(s, a, PG, LX_MADV_DONTNEED));
	OK(s, px_mprotect(s, a, PG, R));
	assert_int_equal(pt_load(s, a), 0);
	px_free(c);
	px_free(s);
}

/* F.79: DONTNEED and REMOVE refuse locked memory; DONTNEED_LOCKED
 * does not. */
static void test_F79_locked(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, RW, ANON | LX_MAP_LOCKED);
	uint64_t b = pt_map(s, 0, PG, RW, SANON | LX_MAP_LOCKED);

	(void)state;
	pt_store(s, a, 1);
	ERR(s, px_madvise(s, a, PG, LX_MADV_DONTNEED), LX_EINVAL);
	ERR(s, px_madvise(s, b, PG, LX_MADV_REMOVE), LX_EINVAL);
	ERR(s, px_madvise(s, a, PG, LX_MADV_FREE), LX_EINVAL);
	assert_int_equal(pt_load(s, a), 1);
	OK(s, px_madvise(s, a, PG, LX_MADV_DONTNEED_LOCKED));
	assert_int_equal(pt_load(s, a), 0);
	px_free(s);
}

/* F.80: FREE and WIPEONFORK need private anonymous memory. */
static void test_F80_private_anon_only(void **state)
{
	struct px_space *s = pt_new();
	uint64_t sh = pt_map(s, 0, PG, RW, SANON);
	uint64_t f = pt_map_file(s, 0, PG, RW, LX_MAP_PRIVATE, "/f", 0);
	uint64_t g = pt_map_file(s, 0, PG, RW, LX_MAP_SHARED, "/f", 0);

	(void)state;
	ERR(s, px_madvise(s, sh, PG, LX_MADV_FREE), LX_EINVAL);
	ERR(s, px_madvise(s, f, PG, LX_MADV_FREE), LX_EINVAL);
	ERR(s, px_madvise(s, sh, PG, LX_MADV_WIPEONFORK), LX_EINVAL);
	ERR(s, px_madvise(s, f, PG, LX_MADV_WIPEONFORK), LX_EINVAL);
	ERR(s, px_madvise(s, g, PG, LX_MADV_WIPEONFORK), LX_EINVAL);
	px_free(s);
}

/* F.81: FREE'd pages read 0 (the model's choice: keeping them is
 * equally allowed); a page written afterwards keeps the new data. */
static void test_F81_free(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON);

	(void)state;
	pt_store(s, a, 1);
	pt_store(s, a + PG, 2);
	OK(s, px_madvise(s, a, 2 * PG, LX_MADV_FREE));
	pt_store(s, a + PG + 1, 3);
	assert_int_equal(pt_load(s, a), 0);
	assert_int_equal(pt_load(s, a + PG + 1), 3);
	/* reclaim drops what was freed and not written again */
	OK(s, px_madvise(s, a, 2 * PG, LX_MADV_PAGEOUT));
	assert_int_equal(pt_resident(s, a), 0);
	assert_int_equal(pt_resident(s, a + PG), 1);
	px_free(s);
}

/* F.82: WIPEONFORK gives the child zeros, the parent keeps its data,
 * KEEPONFORK undoes it. */
static void test_F82_wipeonfork(void **state)
{
	struct px_space *s = pt_new(), *c, *g;
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON);

	(void)state;
	pt_store(s, a, 5);
	pt_store(s, a + PG, 6);
	OK(s, px_madvise(s, a, PG, LX_MADV_WIPEONFORK));
	c = px_fork(s);
	pt_check(c);
	assert_int_equal(pt_load(c, a), 0);
	assert_int_equal(pt_load(c, a + PG), 6);
	assert_int_equal(pt_load(s, a), 5);
	pt_store(c, a, 8);
	g = px_fork(c);
	assert_int_equal(pt_load(g, a), 0);
	px_free(g);
	px_free(c);
	OK(s, px_madvise(s, a, PG, LX_MADV_KEEPONFORK));
	c = px_fork(s);
	assert_int_equal(pt_load(c, a), 5);
	px_free(c);
	px_free(s);
}

/* F.83: DONTFORK leaves the range out of the child; DOFORK undoes it. */
static void test_F83_dontfork(void **state)
{
	struct px_space *s = pt_new(), *c;
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON);

	(void)state;
	OK(s, px_madvise(s, a, PG, LX_MADV_DONTFORK));
	c = px_fork(s);
	assert_int_equal(pt_prot(c, a), -1);
	assert_int_equal(pt_prot(c, a + PG), RW);
	px_free(c);
	OK(s, px_madvise(s, a, PG, LX_MADV_DOFORK));
	assert_int_equal(pt_count(s, a, a + 2 * PG), 1);
	c = px_fork(s);
	assert_int_equal(pt_prot(c, a), RW);
	px_free(c);
	px_free(s);
}

/* F.84: guard regions. */
static void test_F84_guards(void **state)
{
	struct px_space *s = pt_new(), *c;
	uint64_t a = pt_map(s, LOW, 4 * PG, RW, ANON | FIXED);
	uint64_t b;

	(void)state;
	pt_store(s, a + PG, 1);
	OK(s, px_madvise(s, a + PG, PG, LX_MADV_GUARD_INSTALL));
	assert_int_equal(pt_load(s, a + PG), -LX_EFAULT);
	assert_int_equal(pt_store_err(s, a + PG, 1), -LX_EFAULT);
	assert_int_equal(pt_prot(s, a + PG), 0);
	assert_int_equal(pt_load(s, a), 0);
	/* survives mprotect, DONTNEED and FREE */
	OK(s, px_mprotect(s, a, 4 * PG, R));
	OK(s, px_mprotect(s, a, 4 * PG, RW));
	OK(s, px_madvise(s, a, 4 * PG, LX_MADV_DONTNEED));
	OK(s, px_madvise(s, a, 4 * PG, LX_MADV_FREE));
	assert_int_equal(pt_load(s, a + PG), -LX_EFAULT);
	/* inherited by fork, but not with WIPEONFORK */
	c = px_fork(s);
	assert_int_equal(pt_load(c, a + PG), -LX_EFAULT);
	OK(c, px_madvise(c, a + PG, PG, LX_MADV_GUARD_REMOVE));
	assert_int_equal(pt_load(c, a + PG), 0);
	assert_int_equal(pt_load(s, a + PG), -LX_EFAULT);
	px_free(c);
	/* moves with mremap */
	b = pt_remap(s, a, 4 * PG, 4 * PG, LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED,
		     LOW + 64 * PG);
	assert_int_equal(pt_load(s, b + PG), -LX_EFAULT);
	/* removal makes the page zero-fill; munmap drops guards */
	OK(s, px_madvise(s, b + PG, PG, LX_MADV_GUARD_REMOVE));
	assert_int_equal(pt_load(s, b + PG), 0);
	OK(s, px_madvise(s, b + 2 * PG, PG, LX_MADV_GUARD_INSTALL));
	OK(s, px_munmap(s, b, 4 * PG));
	pt_map(s, b, 4 * PG, RW, ANON | FIXED);
	assert_int_equal(pt_load(s, b + 2 * PG), 0);
	/* locked: install is EINVAL, remove is allowed */
	OK(s, px_madvise(s, b, PG, LX_MADV_GUARD_INSTALL));
	OK(s, px_mlock(s, b + PG, 3 * PG, 0));
	ERR(s, px_madvise(s, b + PG, PG, LX_MADV_GUARD_INSTALL), LX_EINVAL);
	ERR(s, px_mlock(s, b, PG, 0), LX_ENOMEM);
	OK(s, px_madvise(s, b, PG, LX_MADV_GUARD_REMOVE));
	px_free(s);
}

/* F.84: WIPEONFORK children get no guards. */
static void test_F84_guards_wipeonfork(void **state)
{
	struct px_space *s = pt_new(), *c;
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON);

	(void)state;
	OK(s, px_madvise(s, a, PG, LX_MADV_GUARD_INSTALL));
	OK(s, px_madvise(s, a, 2 * PG, LX_MADV_WIPEONFORK));
	c = px_fork(s);
	assert_int_equal(pt_load(c, a), 0);
	px_free(c);
	px_free(s);
}

/* F.85: POPULATE_READ needs PROT_READ and POPULATE_WRITE PROT_WRITE
 * (EINVAL); holes give ENOMEM and guard pages EFAULT, after populating
 * the part before them. */
static void test_F85_populate(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, LOW, 4 * PG, R, ANON | FIXED);
	uint64_t w = pt_map(s, LOW + 8 * PG, PG, W, ANON | FIXED);
	uint64_t g = pt_map(s, LOW + 16 * PG, 4 * PG, RW, ANON | FIXED);

	(void)state;
	ERR(s, px_madvise(s, a, PG, LX_MADV_POPULATE_WRITE), LX_EINVAL);
	ERR(s, px_madvise(s, w, PG, LX_MADV_POPULATE_READ), LX_EINVAL);
	OK(s, px_madvise(s, w, PG, LX_MADV_POPULATE_WRITE));
	ERR(s, px_madvise(s, a, 8 * PG, LX_MADV_POPULATE_READ), LX_ENOMEM);
	assert_int_equal(pt_resident(s, a + 3 * PG), 1);
	ERR(s, px_madvise(s, a - PG, 2 * PG, LX_MADV_POPULATE_READ), LX_ENOMEM);
	OK(s, px_madvise(s, g + 2 * PG, PG, LX_MADV_GUARD_INSTALL));
	ERR(s, px_madvise(s, g, 4 * PG, LX_MADV_POPULATE_WRITE), LX_EFAULT);
	assert_int_equal(pt_resident(s, g + PG), 1);
	assert_int_equal(pt_resident(s, g + 3 * PG), 0);
	px_free(s);
}

static void no_memory_failure(struct px_config *cfg)
{
	cfg->memory_failure = false;
	cfg->ksm = false;
}

static void sys_admin(struct px_config *cfg)
{
	cfg->cap_sys_admin = true;
	cfg->memory_failure = true;
}

/* the default follows the recording kernel, which lacks it */
static void memory_failure(struct px_config *cfg)
{
	cfg->memory_failure = true;
}

/* HWPOISON and SOFT_OFFLINE need CAP_SYS_ADMIN, and exist only with
 * CONFIG_MEMORY_FAILURE; KSM advice only with CONFIG_KSM. */
static void test_F_capabilities_and_config(void **state)
{
	struct px_space *s = pt_new_cfg(memory_failure);
	uint64_t a = pt_map(s, 0, PG, RW, ANON);

	(void)state;
	ERR(s, px_madvise(s, a, PG, LX_MADV_HWPOISON), LX_EPERM);
	ERR(s, px_madvise(s, a, PG, LX_MADV_SOFT_OFFLINE), LX_EPERM);
	OK(s, px_madvise(s, a, 0, LX_MADV_HWPOISON));
	px_free(s);
	s = pt_new_cfg(no_memory_failure);
	a = pt_map(s, 0, PG, RW, ANON);
	ERR(s, px_madvise(s, a, PG, LX_MADV_HWPOISON), LX_EINVAL);
	ERR(s, px_madvise(s, a, PG, LX_MADV_MERGEABLE), LX_EINVAL);
	px_free(s);
	s = pt_new_cfg(sys_admin);
	a = pt_map(s, 0, PG, RW, ANON);
	OK(s, px_madvise(s, a, PG, LX_MADV_HWPOISON));
	px_free(s);
}

/* Flag-changing advice splits and merges like mprotect; a split beyond
 * vm.max_map_count is EAGAIN here. */
static void test_F_flags_split_merge(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 4 * PG, RW, ANON);

	(void)state;
	OK(s, px_madvise(s, a + PG, PG, LX_MADV_HUGEPAGE));
	assert_int_equal(pt_count(s, a, a + 4 * PG), 3);
	OK(s, px_madvise(s, a + PG, PG, LX_MADV_NOHUGEPAGE));
	assert_int_equal(pt_count(s, a, a + 4 * PG), 3);
	OK(s, px_madvise(s, a, 4 * PG, LX_MADV_NOHUGEPAGE));
	assert_int_equal(pt_count(s, a, a + 4 * PG), 1);
	OK(s, px_madvise(s, a + 2 * PG, PG, LX_MADV_SEQUENTIAL));
	OK(s, px_madvise(s, a + 2 * PG, PG, LX_MADV_NORMAL));
	assert_int_equal(pt_count(s, a, a + 4 * PG), 1);
	px_free(s);
}

static void tiny_map_count(struct px_config *cfg)
{
	cfg->max_map_count = 1;
}

static void test_F_split_eagain(void **state)
{
	struct px_space *s = pt_new_cfg(tiny_map_count);
	uint64_t a = pt_map(s, 0, 4 * PG, RW, ANON);

	(void)state;
	ERR(s, px_madvise(s, a + PG, PG, LX_MADV_DONTDUMP), LX_EAGAIN);
	px_free(s);
}

/* REMOVE punches a hole into shared memory; private mappings are
 * EACCES, anonymous ones EINVAL. */
static void test_F_remove(void **state)
{
	struct px_space *s = pt_new(), *c;
	uint64_t a = pt_map(s, 0, 2 * PG, RW, SANON);
	uint64_t p = pt_map(s, 0, PG, RW, ANON);
	uint64_t f = pt_map_file(s, 0, PG, RW, LX_MAP_PRIVATE, "/f", 0);

	(void)state;
	pt_store(s, a, 1);
	pt_store(s, a + PG, 2);
	c = px_fork(s);
	OK(s, px_madvise(s, a, PG, LX_MADV_REMOVE));
	assert_int_equal(pt_load(s, a), 0);
	assert_int_equal(pt_load(c, a), 0);
	assert_int_equal(pt_load(c, a + PG), 2);
	ERR(s, px_madvise(s, p, PG, LX_MADV_REMOVE), LX_EINVAL);
	ERR(s, px_madvise(s, f, PG, LX_MADV_REMOVE), LX_EACCES);
	px_free(c);
	px_free(s);
}

/* COLLAPSE needs faulted, THP-capable anonymous memory covering whole
 * 2 MiB blocks. */
static void test_F_collapse(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 4 * MIB, RW, ANON);

	(void)state;
	ERR(s, px_madvise(s, a, 4 * MIB, LX_MADV_COLLAPSE), LX_EINVAL);
	pt_store(s, a, 1);
	pt_store(s, a + 2 * MIB, 1);
	OK(s, px_madvise(s, a, 4 * MIB, LX_MADV_COLLAPSE));
	ERR(s, px_madvise(s, a + PG, PG, LX_MADV_COLLAPSE), LX_EINVAL);
	assert_int_equal(pt_load(s, a), 1);
	px_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_F69_posix_advice),
		cmocka_unit_test(test_F70_errors),
		cmocka_unit_test(test_F71_unaligned),
		cmocka_unit_test(test_F72_bad_advice),
		cmocka_unit_test(test_F73_lengths),
		cmocka_unit_test(test_F74_holes_still_applied),
		cmocka_unit_test(test_F75_harmless),
		cmocka_unit_test(test_F76_dontneed_private),
		cmocka_unit_test(test_F77_dontneed_shared),
		cmocka_unit_test(test_F78_dontneed_none_and_fork),
		cmocka_unit_test(test_F79_locked),
		cmocka_unit_test(test_F80_private_anon_only),
		cmocka_unit_test(test_F81_free),
		cmocka_unit_test(test_F82_wipeonfork),
		cmocka_unit_test(test_F83_dontfork),
		cmocka_unit_test(test_F84_guards),
		cmocka_unit_test(test_F84_guards_wipeonfork),
		cmocka_unit_test(test_F85_populate),
		cmocka_unit_test(test_F_capabilities_and_config),
		cmocka_unit_test(test_F_flags_split_merge),
		cmocka_unit_test(test_F_split_eagain),
		cmocka_unit_test(test_F_remove),
		cmocka_unit_test(test_F_collapse),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
