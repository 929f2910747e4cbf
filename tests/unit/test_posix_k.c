/*
 * test_posix_k.c - the reference model's process-wide rules and seals
 * where the conformance cases cannot reach (no fork in the case
 * language): memory-deny-write-execute and seals across fork, secret
 * descriptors across fork, and the invariants after sealing.
 */
#include "px_test_util.h"

#include <stdlib.h>

static uint64_t mdwe(struct px_space *s)
{
	uint64_t a[4] = {0}, v = 99;

	assert_int_equal(px_prctl(s, LX_PR_GET_MDWE, a, &v), 0);
	return v;
}

static int set_mdwe(struct px_space *s, uint64_t bits)
{
	uint64_t a[4] = {bits}, v;

	return px_prctl(s, LX_PR_SET_MDWE, a, &v);
}

/* K.118: MDWE passes to a forked child, unless set with NO_INHERIT. */
static void test_K118_mdwe_fork(void **state)
{
	struct px_space *s = pt_new(), *c, *g;

	(void)state;
	assert_int_equal(set_mdwe(s, LX_PR_MDWE_REFUSE_EXEC_GAIN), 0);
	c = px_fork(s);
	assert_int_equal(mdwe(c), LX_PR_MDWE_REFUSE_EXEC_GAIN);
	assert_int_equal(pt_map_err(c, 0, PG, RW | X, ANON), -LX_EACCES);
	px_free(c);
	px_free(s);

	s = pt_new();
	assert_int_equal(set_mdwe(s, LX_PR_MDWE_REFUSE_EXEC_GAIN |
					     LX_PR_MDWE_NO_INHERIT),
			 0);
	assert_int_equal(pt_map_err(s, 0, PG, RW | X, ANON), -LX_EACCES);
	c = px_fork(s);
	assert_int_equal(mdwe(c), 0);
	pt_map(c, 0, PG, RW | X, ANON);
	/* the child may set it anew, and its children keep that */
	assert_int_equal(set_mdwe(c, LX_PR_MDWE_REFUSE_EXEC_GAIN), 0);
	g = px_fork(c);
	assert_int_equal(mdwe(g), LX_PR_MDWE_REFUSE_EXEC_GAIN);
	px_free(g);
	px_free(c);
	px_free(s);
}

/* J.116: a forked child's copy of a sealed VMA is sealed too. */
static void test_J116_seal_fork(void **state)
{
	struct px_space *s = pt_new(), *c;
	uint64_t a = pt_map(s, 0, 3 * PG, RW, ANON);

	(void)state;
	OK(s, px_mseal(s, a + PG, PG, 0));
	c = px_fork(s);
	pt_check(c);
	ERR(c, px_munmap(c, a, 3 * PG), LX_EPERM);
	ERR(c, px_mprotect(c, a + PG, PG, R), LX_EPERM);
	OK(c, px_munmap(c, a, PG));
	px_free(c);
	px_free(s);
}

/* Sealing splits and merges like any flag change: the invariants hold
 * (sealed twins merge, unsealed neighbours stay apart). */
static void test_J116_seal_merges(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 4 * PG, RW, ANON);
	struct px_stats st;

	(void)state;
	OK(s, px_mseal(s, a + PG, PG, 0));
	px_stats(s, &st);
	assert_int_equal(st.vmas, 3);
	OK(s, px_mseal(s, a + 2 * PG, PG, 0));
	px_stats(s, &st);
	assert_int_equal(st.vmas, 3); /* [a] [a+1, a+3) sealed [a+3] */
	OK(s, px_mseal(s, a, 4 * PG, 0));
	px_stats(s, &st);
	assert_int_equal(st.vmas, 1);
	ERR(s, px_munmap(s, a + 3 * PG, PG), LX_EPERM);
	px_free(s);
}

/* K.119: a secret descriptor stays secret in a forked child and through
 * dup; a closed one is EBADF. */
static void test_K119_secret_fd(void **state)
{
	struct px_space *s = pt_new(), *c;
	uint64_t fd = 0, a;

	(void)state;
	OK(s, px_memfd_secret(s, 0, &fd));
	assert_true(fd >= 3);
	c = px_fork(s);
	assert_int_equal(
		px_mmap(c, 0, PG, RW, LX_MAP_PRIVATE, (int)fd, 0, NULL, &a),
		-LX_EINVAL);
	px_fd_dup(c, (int)fd, 9);
	assert_int_equal(px_mmap(c, 0, PG, RW, LX_MAP_SHARED, 9, 0, NULL, &a),
			 0);
	pt_check(c);
	px_fd_set(c, (int)fd, -1);
	assert_int_equal(
		px_mmap(c, 0, PG, RW, LX_MAP_SHARED, (int)fd, 0, NULL, &a),
		-LX_EBADF);
	px_free(c);
	px_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_K118_mdwe_fork),
		cmocka_unit_test(test_J116_seal_fork),
		cmocka_unit_test(test_J116_seal_merges),
		cmocka_unit_test(test_K119_secret_fd),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
