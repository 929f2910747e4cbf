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
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

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

/* What a finished munmap gave back stays with its extent, for the order
 * search of the calls it overlapped; a later call's extent starts empty. */
static void test_freed_range(void **state)
{
	static struct rp_overlap o;
	struct rp_flight early;
	struct tr_event a = ev(1, TR_MUNMAP, 10, 0x7000, 8192);
	struct tr_event b = ev(2, TR_MMAP, 11, 0, 4096);

	memset(&o, 0, sizeof(o));
	rp_overlap_freed(&o, 0x1000, 4096);	/* nothing rung yet */
	assert_false(rp_overlap_done(&o, &a, 10, &early));
	rp_overlap_freed(&o, 0x7000, 8192);
	assert_int_equal(o.ring[0].free_addr, 0x7000);
	assert_int_equal(o.ring[0].free_len, 8192);
	assert_false(rp_overlap_done(&o, &b, 11, &early));
	assert_int_equal(o.ring[1].free_len, 0);
	ok(&o);
}

static void ahead_ok(const struct rp_ahead *a)
{
	char why[128];

	if (rp_ahead_check(a, why, sizeof(why)))
		fail_msg("%s", why);
}

/* The look ahead finds an unfinished call's result before the replay
 * reaches it, hands every event out once in the trace's order with its
 * fd path, and keeps the path of one it found ahead. */
static void test_ahead(void **state)
{
	static const char text[] =
		"7 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, "
		"0 <unfinished ...>\n"
		"8 openat(AT_FDCWD, \"/x\", O_RDONLY) = 3</x>\n"
		"8 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3</x>, 0) = "
		"0x7f0000001000\n"
		"7 <... mmap resumed>) = 0x7f0000000000\n";
	struct tr_options opt = {.clone_starts = true};
	struct rp_ahead a;
	struct tr_reader *rd;
	const struct tr_event *e;
	struct tr_event found;
	uint64_t end;
	char path[64];
	int fd, err, n = 0;

	(void)state;
	fd = memfd_create("t", 0);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1),
			 (ssize_t)sizeof(text) - 1);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rd = tr_open(path, &opt, &err);
	assert_non_null(rd);
	rp_ahead_init(&a, rd);
	assert_int_equal(rp_ahead_next(&a, &e, &end), 1);
	assert_true(e->flags & TR_FLAG_STARTED);
	assert_true(rp_ahead_find(&a, 7, e->line, &found));
	assert_int_equal(found.ret, 0x7f0000000000);
	assert_int_equal(found.line, 1);
	assert_false(rp_ahead_find(&a, 9, 1, &found));
	ahead_ok(&a);
	while (rp_ahead_next(&a, &e, &end) > 0) {
		n++;
		if (e->call == TR_MMAP && e->pid == 8)
			assert_string_equal(e->fd_path, "/x");
		ahead_ok(&a);
	}
	assert_int_equal(n, 3);
	assert_int_equal(end, 4);
	rp_ahead_free(&a);
	tr_close(rd);
	close(fd);
}

/* An event read straight from the reader keeps its fd path when a look
 * ahead makes the reader read on (and reuse its buffer) while the event
 * is still being replayed. */
static void test_ahead_keeps_path(void **state)
{
	static const char text[] =
		"8 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 3</lib/a.so>, 0) = "
		"0x7f0000001000\n"
		"8 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 4</usr/lib/bb.so>, "
		"0) = 0x7f0000002000\n"
		"8 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 5</ccc>, 0) = "
		"0x7f0000003000\n";
	struct tr_options opt = {.clone_starts = true};
	struct rp_ahead a;
	struct tr_reader *rd;
	const struct tr_event *e;
	struct tr_event found;
	uint64_t end;
	char path[64];
	int fd, err;

	(void)state;
	fd = memfd_create("t", 0);
	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, sizeof(text) - 1),
			 (ssize_t)sizeof(text) - 1);
	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	rd = tr_open(path, &opt, &err);
	assert_non_null(rd);
	rp_ahead_init(&a, rd);
	assert_int_equal(rp_ahead_next(&a, &e, &end), 1);
	assert_string_equal(e->fd_path, "/lib/a.so");
	ahead_ok(&a);
	/* nothing to find: reads the rest of the trace ahead */
	assert_false(rp_ahead_find(&a, 9, 1, &found));
	assert_string_equal(e->fd_path, "/lib/a.so");
	assert_int_equal(e->line, 1);
	ahead_ok(&a);
	assert_int_equal(rp_ahead_next(&a, &e, &end), 1);
	assert_string_equal(e->fd_path, "/usr/lib/bb.so");
	assert_int_equal(end, 2);
	assert_int_equal(rp_ahead_next(&a, &e, &end), 1);
	assert_string_equal(e->fd_path, "/ccc");
	ahead_ok(&a);
	assert_int_equal(rp_ahead_next(&a, &e, &end), 0);
	rp_ahead_free(&a);
	tr_close(rd);
	close(fd);
}

/* The read-ahead's checker finds each invariant broken, and says which. */
static void test_ahead_check_finds_each(void **state)
{
	struct rp_ahead a;
	struct rp_ahead_ev q[2];
	char why[128], path[] = "/x", other[] = "/y";

	(void)state;
	memset(&a, 0, sizeof(a));
	memset(q, 0, sizeof(q));
	a.q = q;
	a.cap = 2;
	assert_int_equal(rp_ahead_check(&a, why, sizeof(why)), 0);
	a.head = 1;
	assert_int_equal(rp_ahead_check(&a, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "queue head 1, length 0"));
	a.head = 0;
	a.borrowed = true;
	assert_int_equal(rp_ahead_check(&a, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "a borrowed path"));
	a.borrowed = false;
	a.given = path;
	a.cur.fd_path = other;
	assert_int_equal(rp_ahead_check(&a, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "a path copy the event does not use"));
	a.cur.fd_path = path;
	assert_int_equal(rp_ahead_check(&a, why, sizeof(why)), 0);
	a.n = 2;
	q[0].end_line = 5;
	q[1].end_line = 4;
	assert_int_equal(rp_ahead_check(&a, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "out of line order"));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_interleaved_pair),
		cmocka_unit_test(test_sequential_and_same_pid),
		cmocka_unit_test(test_blocker),
		cmocka_unit_test(test_checker_finds_breakage),
		cmocka_unit_test(test_freed_range),
		cmocka_unit_test(test_ahead),
		cmocka_unit_test(test_ahead_keeps_path),
		cmocka_unit_test(test_ahead_check_finds_each),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
