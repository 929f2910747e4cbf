/*
 * test_policy_libc_2005.c - the "libc-20.05" policy: Genode's libc of the
 * 2020 thread.  Anonymous memory only without address and fd, no
 * zero-fill, file mappings copied; results and the component's state
 * after every call, gn_check throughout, fini leaving nothing.
 */
#include "libc_fixture.h"

#include "policy/libc_core.h"

static void test_init(void **state)
{
	struct fx f;

	fx_open(&f, &pol_libc_2005, "", 0);
	assert_int_equal(fx_ram(&f), f.ram0);
	fx_close(&f);
	/* 20.05 had no align_log2 */
	assert_int_equal(fx_open_ex(&f, &pol_libc_2005, "align_log2=21", 0,
				    GN_26_02, NULL),
			 -LX_EINVAL);
	gn_ctx_free(f.gn);
	assert_string_equal(pol_libc_2005.name, "libc-20.05");
}

/* The anonymous path: same pools and placement as 26.02. */
static void test_anon(void **state)
{
	struct gn_attachment att;
	struct fx f;
	uint64_t a, n, x;

	fx_open(&f, &pol_libc_2005, "", 0);
	a = fx_anon(&f, PG, RW);
	att = fx_env_att(&f, a);
	assert_int_equal(att.size, 32 * KiB);
	assert_int_equal(a, att.base + PG);
	n = fx_anon(&f, PG, LX_PROT_NONE);
	assert_string_equal(fx_prot(&f, n), "rw-");
	x = fx_anon(&f, PG, RWX);
	assert_string_equal(fx_prot(&f, x), "rwx");
	/* the flags are not looked at: no MAP_ANONYMOUS, still anonymous
	 * with fd -1 and no address; MAP_FIXED at NULL too */
	assert_int_equal(fx_mmap(&f, 0, PG, RW, LX_MAP_PRIVATE, -1, 0, &a), 0);
	assert_string_equal(fx_prot(&f, a), "rw-");
	assert_int_equal(fx_mmap(&f, 0, PG, RW, FIXED, -1, 0, &a), 0);
	assert_true(a != 0);
	fx_close(&f);
}

/* Any address goes the file way, where fd -1 is EBADF. */
static void test_hint_ebadf(void **state)
{
	struct fx f;
	uint64_t a = 1, ram;

	fx_open(&f, &pol_libc_2005, "", 0);
	ram = fx_ram(&f);
	assert_int_equal(fx_mmap(&f, 0x100000000ULL, PG, RW, ANON, -1, 0, &a),
			 -LX_EBADF);
	assert_int_equal(fx_mmap(&f, 0x100000000ULL, PG, RW, FIXED, -1, 0,
				 &a),
			 -LX_EBADF);
	assert_int_equal(fx_ram(&f), ram);
	/* anonymous with fd 0 (Linux ignores it): the file path, where
	 * the flags are not exactly MAP_PRIVATE */
	assert_int_equal(fx_mmap(&f, 0, PG, RW, ANON, 0, 0, &a), -LX_EACCES);
	fx_close(&f);
}

/*
 * No zero-fill: the block the pool hands out again still holds what was
 * written before; fresh chunks are zero because core clears RAM.
 */
static void test_stale(void **state)
{
	struct fx f;
	uint64_t a, b;

	fx_open(&f, &pol_libc_2005, "", 0);
	a = fx_anon(&f, 8 * KiB, RW);
	assert_int_equal(fx_load(&f, a), 0);
	fx_store(&f, a, 0x5a);
	fx_store(&f, a + PG + 1, 0xa5);
	assert_int_equal(fx_munmap(&f, a, 8 * KiB), 0);
	b = fx_anon(&f, 8 * KiB, RW);
	assert_int_equal(b, a);
	assert_int_equal(fx_load(&f, b), 0x5a);
	assert_int_equal(fx_load(&f, b + PG + 1), 0xa5);
	fx_close(&f);
}

/* 20.05's Vfs_plugin: always a private copy, stricter checks. */
static void test_files(void **state)
{
	struct gn_attachment att;
	struct fx f;
	uint64_t p, s, ram;

	fx_open(&f, &pol_libc_2005, "", 0);
	/* shared read-only: copied, not attached */
	assert_int_equal(fx_mmap(&f, 0, 8 * KiB, LX_PROT_READ, LX_MAP_SHARED,
				 4, 0, &s),
			 0);
	att = fx_env_att(&f, s);
	assert_int_equal(gn_ds_kind(att.ds), GN_DS_RAM);
	assert_string_equal(fx_prot(&f, s), "rw-");
	/* read-write only with flags exactly MAP_PRIVATE */
	assert_int_equal(fx_mmap(&f, 0, PG, RW, LX_MAP_PRIVATE, 3, 0, &p), 0);
	assert_int_equal(fx_mmap(&f, 0, PG, RW,
				 LX_MAP_PRIVATE | LX_MAP_DENYWRITE, 3, 0, &p),
			 -LX_EACCES);
	assert_int_equal(fx_mmap(&f, 0, PG, RW, LX_MAP_SHARED, 3, 0, &p),
			 -LX_EACCES);
	/* any address, even a hint */
	assert_int_equal(fx_mmap(&f, 0x20000000, PG, LX_PROT_READ,
				 LX_MAP_PRIVATE, 3, 0, &p),
			 -LX_EINVAL);
	/* the failures registered MAP_FAILED: munmap of it "works" */
	ram = fx_ram(&f);
	assert_int_equal(fx_munmap(&f, UINT64_MAX, PG), 0);
	assert_int_equal(fx_munmap(&f, UINT64_MAX, PG), -LX_EINVAL);
	/* munmap of a copy frees it into the pool */
	assert_int_equal(fx_munmap(&f, s, 8 * KiB), 0);
	assert_int_equal(fx_mmap(&f, 0, 8 * KiB, LX_PROT_READ, LX_MAP_PRIVATE,
				 3, 0, &p),
			 0);
	assert_int_equal(p, s);
	assert_int_equal(fx_ram(&f), ram);
	fx_close(&f);
}

static void test_other_calls(void **state)
{
	struct fx f;
	uint64_t a;

	fx_open(&f, &pol_libc_2005, "", 0);
	a = fx_anon(&f, PG, RW);
	assert_int_equal(pol_libc_2005.mprotect(f.st, a, PG, LX_PROT_NONE),
			 -LX_ENOSYS);
	assert_int_equal(pol_libc_2005.madvise(f.st, a, PG, LX_MADV_DONTNEED),
			 0);
	assert_int_equal(pol_libc_2005.madvise(f.st, a, PG, 14), -LX_ENOSYS);
	assert_int_equal(pol_libc_2005.msync(f.st, a, PG, 4), 0);
	assert_int_equal(fx_munmap(&f, a + 1, PG), -LX_EINVAL);
	assert_null(pol_libc_2005.mremap);
	assert_null(pol_libc_2005.brk);
	assert_null(pol_libc_2005.mincore);
	fx_close(&f);
}

/*
 * Go's arena start-up: the PROT_NONE reservation at the hint fails with
 * EBADF (the hint sends it down the file path), and so does every
 * MAP_FIXED commit; without a hint the reservation is committed.
 */
static void test_go_arena(void **state)
{
	struct fx f;
	uint64_t r = 0, c = 0;

	fx_open(&f, &pol_libc_2005, "", 256 * MiB);
	assert_int_equal(fx_mmap(&f, 0xc000000000ULL, 64 * MiB, LX_PROT_NONE,
				 ANON, -1, 0, &r),
			 -LX_EBADF);
	assert_int_equal(fx_ram(&f), f.ram0);
	assert_int_equal(fx_mmap(&f, 0, 64 * MiB, LX_PROT_NONE, ANON, -1, 0,
				 &r),
			 0);
	assert_true(fx_ram(&f) >= f.ram0 + 64 * MiB);
	assert_string_equal(fx_prot(&f, r), "rw-");
	assert_int_equal(fx_mmap(&f, r, 4 * MiB, RW, FIXED, -1, 0, &c),
			 -LX_EBADF);
	fx_close(&f);
}

/* The churn of the 26.02 test, without zero-fill: stale bytes show. */
static void test_reuse_pattern(void **state)
{
	struct fx f;
	uint64_t a[8], b;
	int i;

	fx_open(&f, &pol_libc_2005, "", 0);
	for (i = 0; i < 8; i++) {
		a[i] = fx_anon(&f, 2 * PG, RW);
		fx_store(&f, a[i], (uint8_t)(i + 1));
	}
	for (i = 0; i < 8; i += 2)
		assert_int_equal(fx_munmap(&f, a[i], 2 * PG), 0);
	/* the freed blocks come back, each with its old first byte */
	for (i = 0; i < 4; i++) {
		int j;
		bool found = false;

		b = fx_anon(&f, 2 * PG, RW);
		for (j = 0; j < 8; j += 2)
			if (a[j] == b) {
				assert_int_equal(fx_load(&f, b), j + 1);
				found = true;
			}
		assert_true(found);
	}
	fx_close(&f);
}

/* Random calls on every generation of the model: sound, and clean. */
static void test_random(void **state)
{
	static const enum gn_version v[] = {GN_20_05, GN_24_08, GN_26_02};
	struct fx f;
	int i;

	for (i = 0; i < 3; i++) {
		assert_int_equal(fx_open_ex(&f, &pol_libc_2005, "", 256 * MiB,
					    v[i], i == 1 ? "hw-64" : NULL),
				 0);
		fx_random(&f, 0x1234567ULL + (uint64_t)i, 3000);
		fx_close(&f);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_init),
		cmocka_unit_test(test_anon),
		cmocka_unit_test(test_hint_ebadf),
		cmocka_unit_test(test_stale),
		cmocka_unit_test(test_files),
		cmocka_unit_test(test_other_calls),
		cmocka_unit_test(test_go_arena),
		cmocka_unit_test(test_reuse_pattern),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
