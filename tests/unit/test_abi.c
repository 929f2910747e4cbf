/*
 * test_abi.c - the model's own Linux constants against the host's headers,
 * and the name tables that the reader and the reports use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <linux/mman.h>
#include <sched.h>
#include <string.h>
#include <sys/mman.h>

#include "rmsim/abi.h"

#define SAME(lx, host) assert_int_equal((long long)(lx), (long long)(host))

static void test_prot_and_map(void **state)
{
	SAME(LX_PROT_NONE, PROT_NONE);
	SAME(LX_PROT_READ, PROT_READ);
	SAME(LX_PROT_WRITE, PROT_WRITE);
	SAME(LX_PROT_EXEC, PROT_EXEC);
	SAME(LX_PROT_GROWSDOWN, PROT_GROWSDOWN);
	SAME(LX_PROT_GROWSUP, PROT_GROWSUP);
	SAME(LX_MAP_SHARED, MAP_SHARED);
	SAME(LX_MAP_PRIVATE, MAP_PRIVATE);
	SAME(LX_MAP_SHARED_VALIDATE, MAP_SHARED_VALIDATE);
	SAME(LX_MAP_FIXED, MAP_FIXED);
	SAME(LX_MAP_ANONYMOUS, MAP_ANONYMOUS);
	SAME(LX_MAP_32BIT, MAP_32BIT);
	SAME(LX_MAP_GROWSDOWN, MAP_GROWSDOWN);
	SAME(LX_MAP_DENYWRITE, MAP_DENYWRITE);
	SAME(LX_MAP_EXECUTABLE, MAP_EXECUTABLE);
	SAME(LX_MAP_LOCKED, MAP_LOCKED);
	SAME(LX_MAP_NORESERVE, MAP_NORESERVE);
	SAME(LX_MAP_POPULATE, MAP_POPULATE);
	SAME(LX_MAP_NONBLOCK, MAP_NONBLOCK);
	SAME(LX_MAP_STACK, MAP_STACK);
	SAME(LX_MAP_HUGETLB, MAP_HUGETLB);
	SAME(LX_MAP_SYNC, MAP_SYNC);
	SAME(LX_MAP_FIXED_NOREPLACE, MAP_FIXED_NOREPLACE);
	SAME(LX_MAP_HUGE_SHIFT, MAP_HUGE_SHIFT);
	SAME(LX_MAP_UNINITIALIZED, 0x4000000);
}

static void test_madv_mremap_msync_mlock(void **state)
{
	SAME(LX_MADV_NORMAL, MADV_NORMAL);
	SAME(LX_MADV_RANDOM, MADV_RANDOM);
	SAME(LX_MADV_SEQUENTIAL, MADV_SEQUENTIAL);
	SAME(LX_MADV_WILLNEED, MADV_WILLNEED);
	SAME(LX_MADV_DONTNEED, MADV_DONTNEED);
	SAME(LX_MADV_FREE, MADV_FREE);
	SAME(LX_MADV_REMOVE, MADV_REMOVE);
	SAME(LX_MADV_DONTFORK, MADV_DONTFORK);
	SAME(LX_MADV_DOFORK, MADV_DOFORK);
	SAME(LX_MADV_MERGEABLE, MADV_MERGEABLE);
	SAME(LX_MADV_UNMERGEABLE, MADV_UNMERGEABLE);
	SAME(LX_MADV_HUGEPAGE, MADV_HUGEPAGE);
	SAME(LX_MADV_NOHUGEPAGE, MADV_NOHUGEPAGE);
	SAME(LX_MADV_DONTDUMP, MADV_DONTDUMP);
	SAME(LX_MADV_DODUMP, MADV_DODUMP);
	SAME(LX_MADV_WIPEONFORK, MADV_WIPEONFORK);
	SAME(LX_MADV_KEEPONFORK, MADV_KEEPONFORK);
	SAME(LX_MADV_COLD, MADV_COLD);
	SAME(LX_MADV_PAGEOUT, MADV_PAGEOUT);
	SAME(LX_MADV_HWPOISON, MADV_HWPOISON);
#ifdef MADV_POPULATE_READ
	SAME(LX_MADV_POPULATE_READ, MADV_POPULATE_READ);
	SAME(LX_MADV_POPULATE_WRITE, MADV_POPULATE_WRITE);
#endif
	SAME(LX_MREMAP_MAYMOVE, MREMAP_MAYMOVE);
	SAME(LX_MREMAP_FIXED, MREMAP_FIXED);
#ifdef MREMAP_DONTUNMAP
	SAME(LX_MREMAP_DONTUNMAP, MREMAP_DONTUNMAP);
#endif
	SAME(LX_MS_ASYNC, MS_ASYNC);
	SAME(LX_MS_INVALIDATE, MS_INVALIDATE);
	SAME(LX_MS_SYNC, MS_SYNC);
	SAME(LX_MLOCK_ONFAULT, MLOCK_ONFAULT);
	SAME(LX_MCL_CURRENT, MCL_CURRENT);
	SAME(LX_MCL_FUTURE, MCL_FUTURE);
	SAME(LX_MCL_ONFAULT, MCL_ONFAULT);
	SAME(LX_CLONE_VM, CLONE_VM);
	SAME(LX_CLONE_VFORK, CLONE_VFORK);
	SAME(LX_CLONE_THREAD, CLONE_THREAD);
}

static void test_errno_values_and_names(void **state)
{
	int e;

	SAME(LX_EPERM, EPERM);
	SAME(LX_ENOMEM, ENOMEM);
	SAME(LX_EINVAL, EINVAL);
	SAME(LX_EEXIST, EEXIST);
	SAME(LX_EFAULT, EFAULT);
	SAME(LX_EAGAIN, EAGAIN);
	SAME(LX_EBADF, EBADF);
	SAME(LX_EACCES, EACCES);
	SAME(LX_EBUSY, EBUSY);
	SAME(LX_ENODEV, ENODEV);
	SAME(LX_ENOSYS, ENOSYS);
	SAME(LX_EOPNOTSUPP, EOPNOTSUPP);
	SAME(LX_EOVERFLOW, EOVERFLOW);
	SAME(LX_EHWPOISON, EHWPOISON);
	/* every named value round-trips through its name */
	for (e = 1; e <= LX_ERRNO_NAMED_MAX; e++) {
		const char *n = abi_errno_name(e);

		if (n)
			assert_int_equal(abi_errno_value(n, strlen(n)), e);
	}
	assert_string_equal(abi_errno_name(ENOMEM), "ENOMEM");
	assert_string_equal(abi_errno_name(512), "ERESTARTSYS");
	assert_int_equal(abi_errno_value("EWOULDBLOCK", 11), EAGAIN);
	assert_int_equal(abi_errno_value("EBOGUS", 6), -1);
	assert_null(abi_errno_name(0));
	assert_null(abi_errno_name(4096));
}

static void test_const_lookup(void **state)
{
	uint64_t v;

	assert_int_equal(abi_const_value("MAP_ANONYMOUS", 13, &v), 0);
	assert_int_equal(v, MAP_ANONYMOUS);
	assert_int_equal(abi_const_value("MAP_ANONYMOUSX", 13, &v), 0);
	assert_int_equal(abi_const_value("MADV_GUARD_INSTALL", 18, &v), 0);
	assert_int_equal(v, 102);
	assert_int_equal(abi_const_value("SIGCHLD", 7, &v), 0);
	assert_int_equal(v, 17);
	assert_int_equal(abi_const_value("PROT_REA", 8, &v), -1);
	assert_int_equal(abi_const_value("PROT_READX", 10, &v), -1);
	assert_int_equal(abi_const_value("", 0, &v), -1);
}

static void test_flags_str(void **state)
{
	char b[128];

	assert_string_equal(abi_flags_str("PROT_", 3, b, sizeof(b)),
			    "PROT_READ|PROT_WRITE");
	assert_string_equal(abi_flags_str("PROT_", 0, b, sizeof(b)),
			    "PROT_NONE");
	assert_string_equal(abi_flags_str("MAP_", 0x22, b, sizeof(b)),
			    "MAP_PRIVATE|MAP_ANONYMOUS");
	assert_string_equal(abi_flags_str("MAP_", 0x100032, b, sizeof(b)),
			    "MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS|"
			    "MAP_FIXED_NOREPLACE");
	assert_string_equal(abi_flags_str("PROT_", 0x81, b, sizeof(b)),
			    "PROT_READ|0x80");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_prot_and_map),
		cmocka_unit_test(test_madv_mremap_msync_mlock),
		cmocka_unit_test(test_errno_values_and_names),
		cmocka_unit_test(test_const_lookup),
		cmocka_unit_test(test_flags_str),
	};

	return cmocka_run_group_tests_name("abi", tests, NULL, NULL);
}
