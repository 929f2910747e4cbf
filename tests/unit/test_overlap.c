/*
 * test_overlap.c - which calls of a trace overlapped another thread's
 * (sim/replay/overlap.c): extents from unfinished starts and finished
 * lines, the munmaps a concurrent mmap must let go first, and the
 * tracker's invariant checker.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "replay/replay_internal.h"

static struct tr_event ev(int32_t pid, enum tr_call call, uint64_t line,
			  uint64_t a0, uint64_t a1)
{
	struct tr_event e;

	memset(&e, 0, sizeof(e));
	e.pid = pid;
	e.call = call;
	e.line = line;
	e.arg[0] = a0;
	e.arg[1] = a1;
	return e;
}

static void ok(const struct rp_overlap *o)
{
	char why[128];

	if (rp_overlap_check(o, why, sizeof(why)))
		fail_msg("%s", why);
}

/* A: mmap starts at 10; B: mmap printed whole at 11; A resumes at 12. */
static void test_interleaved_pair(void **state)
{
	static struct rp_overlap o;
	struct rp_flight early;
	struct tr_event a = ev(1, TR_MMAP, 10, 0, 4096);
	struct tr_event b = ev(2, TR_MMAP, 11, 0, 4096);

	memset(&o, 0, sizeof(o));
	rp_overlap_start(&o, &a);
	ok(&o);
	assert_true(rp_overlap_done(&o, &b, 11, &early));
	assert_false(early.early);
	assert_true(rp_overlap_done(&o, &a, 12, &early));
	ok(&o);
}

/* Calls one after the other, or of the same thread, never overlap. */
static void test_sequential_and_same_pid(void **state)
{
	static struct rp_overlap o;
	struct rp_flight early;
	struct tr_event a = ev(1, TR_MMAP, 10, 0, 4096);
	struct tr_event b = ev(2, TR_MUNMAP, 11, 0x1000, 4096);
	struct tr_event c = ev(1, TR_MMAP, 12, 0, 4096);

	memset(&o, 0, sizeof(o));
	assert_false(rp_overlap_done(&o, &a, 10, &early));
	assert_false(rp_overlap_done(&o, &b, 11, &early));
	rp_overlap_start(&o, &c);
	assert_false(rp_overlap_done(&o, &c, 13, &early));
	/* not a call that places or frees memory */
	c.call = TR_MPROTECT;
	rp_overlap_start(&o, &c);
	assert_false(rp_overlap_done(&o, &c, 14, &early));
	ok(&o);
}

/* An unfinished munmap of another thread over the range an mmap got is
 * its blocker, once; its early result comes back when it finishes. */
static void test_blocker(void **state)
{
	static struct rp_overlap o;
	struct rp_flight early, *f;
	struct tr_event u = ev(2, TR_MUNMAP, 20, 0x7f0000010000, 3 * 4096);

	memset(&o, 0, sizeof(o));
	rp_overlap_start(&o, &u);
	assert_null(rp_overlap_blocker(&o, 2, 0x7f0000010000, 4096));
	assert_null(rp_overlap_blocker(&o, 1, 0x7f0000013000, 4096));
	f = rp_overlap_blocker(&o, 1, 0x7f000000f000, 2 * 4096);
	assert_non_null(f);
	assert_int_equal(f->ev.arg[0], 0x7f0000010000);
	/* another process's munmap: passed over, run in its turn */
	f->passed = true;
	assert_null(rp_overlap_blocker(&o, 1, 0x7f000000f000, 2 * 4096));
	f->passed = false;
	f->early = true;
	f->rc = 0;
	assert_null(rp_overlap_blocker(&o, 1, 0x7f000000f000, 2 * 4096));
	assert_false(rp_overlap_done(&o, &u, 22, &early));
	assert_true(early.early);
	assert_int_equal(early.rc, 0);
	assert_null(rp_overlap_blocker(&o, 1, 0x7f0000010000, 4096));
	ok(&o);
}

/* The checker finds a broken state: two open calls of one thread. */
static void test_checker_finds_breakage(void **state)
{
	static struct rp_overlap o;
	char why[128];

	memset(&o, 0, sizeof(o));
	o.flight[0].used = o.flight[3].used = true;
	o.flight[0].ev.pid = o.flight[3].ev.pid = 7;
	o.nflight = 2;
	assert_int_equal(rp_overlap_check(&o, why, sizeof(why)), -1);
	o.flight[3].ev.pid = 8;
	assert_int_equal(rp_overlap_check(&o, why, sizeof(why)), 0);
	o.nflight = 1;
	assert_int_equal(rp_overlap_check(&o, why, sizeof(why)), -1);
	memset(&o, 0, sizeof(o));
	o.n = 1;
	o.ring[0].start = 5;
	o.ring[0].end = 4;
	o.last_end = 4;
	assert_int_equal(rp_overlap_check(&o, why, sizeof(why)), -1);
	o.ring[0].start = 3;
	assert_int_equal(rp_overlap_check(&o, why, sizeof(why)), 0);
	o.last_end = 3;
	assert_int_equal(rp_overlap_check(&o, why, sizeof(why)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interleaved_pair),
		cmocka_unit_test(test_sequential_and_same_pid),
		cmocka_unit_test(test_blocker),
		cmocka_unit_test(test_checker_finds_breakage),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
