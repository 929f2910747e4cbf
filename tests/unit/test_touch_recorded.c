/*
 * test_touch_recorded.c - the touch model `recorded`
 * (sim/replay/touch_recorded.c) and the rules it rests on: the order in
 * which the side file's faults and RssAnon samples are merged with the
 * calls (a call's time is its return, -T or the <... resumed> line; a
 * fault at that very time comes after it; a clone's is its start), what
 * a fault outside every mapping counts as, the reference's RssAnon
 * (px_anon_resident), and the THP rule a first touch follows in each of
 * the recording machine's modes.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "rmsim/abi.h"
#include "rmsim/posix.h"
#include "rmsim/replay.h"

#include "replay/replay_internal.h"

#define MIB (1ULL << 20)
#define A "0x7f0000000000"

static const char machine[] = "rmsim-faults 1\n"
			      "machine kernel 6.18.0\n"
			      "machine page_size 4096\n"
			      "machine max_map_count 65530\n"
			      "machine overcommit_memory 0\n"
			      "machine fault_source tracepoints\n";

struct files {
	char dir[64];
	char trace[96];
	char side[96];
};

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fputs(text, f) >= 0, 1);
	assert_int_equal(fclose(f), 0);
}

/* A trace and, when @side is not NULL, its side file (machine facts with
 * THP mode @thp, then @side's records). */
static void make(struct files *fs, const char *trace, const char *thp,
		 const char *side)
{
	char text[4096];

	snprintf(fs->dir, sizeof(fs->dir), "/tmp/rmsim-touch-XXXXXX");
	assert_non_null(mkdtemp(fs->dir));
	snprintf(fs->trace, sizeof(fs->trace), "%s/t.strace", fs->dir);
	snprintf(fs->side, sizeof(fs->side), "%s/t.faults", fs->dir);
	put(fs->trace, trace);
	if (side) {
		snprintf(text, sizeof(text), "%smachine thp %s\n%s", machine,
			 thp, side);
		put(fs->side, text);
	}
}

static void clean(struct files *fs)
{
	unlink(fs->trace);
	unlink(fs->side);
	rmdir(fs->dir);
}

static int replay(const struct files *fs, enum rp_touch touch,
		  struct rp_summary *s)
{
	struct rp_options o;

	memset(&o, 0, sizeof(o));
	o.trace = fs->trace;
	o.policy = "linux";
	o.touch = touch;
	return rp_replay(&o, s);
}

/*
 * A fault before the mmap returned finds nothing; one stamped with the
 * instant it returned (start + -T) comes after it; one during the munmap
 * comes before it, one after finds nothing again.  Each sample sees
 * exactly the faults before it.
 */
static void test_merge_order_complete_lines(void **state)
{
	struct files fs;
	struct rp_summary s;

	(void)state;
	make(&fs,
	     "100 1699999999.000000 brk(NULL) = 0x555555560000 <0.000001>\n"
	     "100 1700000000.000000 mmap(NULL, 8388608, PROT_READ|PROT_WRITE,"
	     " MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = " A " <0.000010>\n"
	     "100 1700000000.000030 munmap(" A ", 8388608) = 0 <0.000005>\n",
	     "never",
	     "machine faults perf\n"
	     "rss 100 1700000000.000020 4\n"
	     "rss 100 1700000000.000034 8\n"
	     "fault 100 1700000000.000005 7f0000000000 w\n"
	     "fault 100 1700000000.000010 7f0000001000 w\n"
	     "fault 100 1700000000.000032 7f0000002000 w\n"
	     "fault 100 1700000000.000040 7f0000000000 w\n");
	assert_int_equal(replay(&fs, RP_TOUCH_AUTO, &s), 0);
	assert_int_equal(s.touch, RP_TOUCH_RECORDED);
	assert_int_equal(s.faults, 4);
	assert_int_equal(s.faults_touched, 2);
	assert_int_equal(s.faults_outside, 2);
	assert_int_equal(s.rss_samples, 2);
	assert_true(s.rss_worst_err == 0);
	clean(&fs);
}

/*
 * A call strace split: without -T its time is the resumed line's.  Another
 * thread's line in between does not end it.  A fault of a pid the trace never
 * showed is counted apart.
 */
static void test_merge_order_unfinished(void **state)
{
	struct files fs;
	struct rp_summary s;

	(void)state;
	make(&fs,
	     "100 1700000000.000000 clone(child_stack=0x7f00000f0000, "
	     "flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|"
	     "CLONE_SYSVSEM|CLONE_SETTLS, tls=0x7f00000f1000) = 101 "
	     "<0.000005>\n"
	     "100 1700000000.000050 mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
	     "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
	     "101 1700000000.000052 madvise(0x10000, 4096, MADV_NORMAL) = -1 "
	     "ENOMEM (Cannot allocate memory) <0.000001>\n"
	     "100 1700000000.000060 <... mmap resumed>) = " A "\n",
	     "never",
	     "machine faults perf\n"
	     "rss 100 1700000000.000080 4\n"
	     "fault 100 1700000000.000055 7f0000000000 w\n"
	     "fault 100 1700000000.000060 7f0000001000 w\n"
	     "fault 999 1700000000.000070 7f0000000000 w\n");
	assert_int_equal(replay(&fs, RP_TOUCH_RECORDED, &s), 0);
	assert_int_equal(s.faults_outside, 1);
	assert_int_equal(s.faults_touched, 1);
	assert_int_equal(s.faults_unknown_pid, 1);
	assert_int_equal(s.rss_samples, 1);
	assert_true(s.rss_worst_err == 0);
	clean(&fs);
}

/* The key itself: return time, resumed line, clone's start. */
static void test_event_key(void **state)
{
	struct tr_event e;

	(void)state;
	memset(&e, 0, sizeof(e));
	e.call = TR_MMAP;
	e.ts_us = 100;
	e.end_ts_us = 100;
	e.dur_us = 7;
	assert_int_equal(rp_rec_key(&e), 107);
	e.dur_us = -1;
	e.end_ts_us = 150;
	assert_int_equal(rp_rec_key(&e), 150);
	e.dur_us = 9;
	e.call = TR_CLONE;
	assert_int_equal(rp_rec_key(&e), 100);
	e.call = TR_EXECVE;
	assert_int_equal(rp_rec_key(&e), 100);
	e.call = TR_MUNMAP;
	e.flags = TR_FLAG_STARTED;
	assert_int_equal(rp_rec_key(&e), 100);
}

/*
 * A new image as the side file gives it: the anonymous pages execve left
 * resident ("resident" lines) count from its start, and so do the faults
 * the kernel took while building it (before the call returned); a sample
 * taken during the execve is skipped; a read of a file's range maps a
 * page-cache page (not RssAnon), a write copies it (RssAnon).
 */
static void test_exec_image(void **state)
{
	struct files fs;
	struct rp_summary s;

	(void)state;
	make(&fs,
	     "100 1700000000.000000 execve(\"/bin/x\", [\"x\"], 0x7ffd0 "
	     "/* 1 var */) = 0 <0.000100>\n"
	     "100 1700000000.000200 brk(NULL) = 0x555555560000 <0.000001>\n"
	     "100 1700000000.000400 brk(NULL) = 0x555555560000 <0.000001>\n",
	     "never",
	     "machine faults perf\n"
	     "exec 100 1700000000.000090 exact /bin/x\n"
	     "map 100 555555554000-555555556000 r--p 00000000 /bin/x\n"
	     "map 100 555555556000-555555558000 rw-p 00002000 /bin/x\n"
	     "map 100 7ffffffde000-7ffffffff000 rw-p 00000000 [stack]\n"
	     "resident 100 7fffffffd000-7ffffffff000\n"
	     "rss 100 1700000000.000050 4\n"
	     "rss 100 1700000000.000300 12\n"
	     "rss 100 1700000000.000500 16\n"
	     "fault 100 1700000000.000040 555555557010 w\n"
	     "fault 100 1700000000.000150 555555554000 r\n"
	     "fault 100 1700000000.000160 555555556000 r\n"
	     "fault 100 1700000000.000350 555555556008 w\n");
	assert_int_equal(replay(&fs, RP_TOUCH_RECORDED, &s), 0);
	assert_int_equal(s.side_resident_pages, 2);
	assert_int_equal(s.faults_touched, 4);
	assert_int_equal(s.faults_unknown_pid, 0);
	assert_int_equal(s.rss_skipped, 1);
	assert_int_equal(s.rss_samples, 2);
	assert_true(s.rss_worst_err == 0);
	assert_int_equal(s.rss_model_peak, 16384);
	clean(&fs);
}

/*
 * The recording machine's zero page: where a read of private anonymous
 * memory maps it (upstream), the read is not RssAnon; where the kernel
 * allocates a page instead (machine zero_page no), it is.  A read of a
 * private file mapping is a page-cache page on both.
 */
static uint64_t rss_after_read(const char *zero_page)
{
	struct files fs;
	struct rp_summary s;
	char side[512];

	snprintf(side, sizeof(side),
		 "machine faults perf\n"
		 "%s%s%s"
		 "rss 100 1700000000.000040 0\n"
		 "fault 100 1700000000.000030 7f0000001000 r\n"
		 "fault 100 1700000000.000031 7f0000002000 r\n",
		 zero_page ? "machine zero_page " : "",
		 zero_page ? zero_page : "", zero_page ? "\n" : "");
	make(&fs,
	     "100 1700000000.000000 mmap(NULL, 65536, PROT_READ|PROT_WRITE,"
	     " MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = " A " <0.000010>\n",
	     "never", side);
	/* the replay starts the summary afresh, whatever it held */
	memset(&s, 0xa5, sizeof(s));
	assert_int_equal(replay(&fs, RP_TOUCH_RECORDED, &s), 0);
	assert_int_equal(s.faults_touched, 2);
	assert_int_equal(s.faults_outside, 0);
	clean(&fs);
	return s.rss_model_peak;
}

static void test_zero_page(void **state)
{
	struct px_config cfg;
	struct px_space *sp;
	uint64_t a;
	uint8_t v;

	(void)state;
	assert_int_equal(rss_after_read(NULL), 0);
	assert_int_equal(rss_after_read("yes"), 0);
	assert_int_equal(rss_after_read("no"), 8192);

	px_default_config(&cfg);
	assert_false(cfg.read_allocates);
	cfg.read_allocates = true;
	sp = px_new(&cfg);
	assert_int_equal(px_mmap(sp, 0x40000000, 8192,
				 LX_PROT_READ | LX_PROT_WRITE,
				 LX_MAP_PRIVATE | LX_MAP_ANONYMOUS |
					 LX_MAP_FIXED,
				 -1, 0, NULL, &a),
			 0);
	assert_int_equal(px_load(sp, 0x40000000, &v), 0);
	assert_int_equal(v, 0);
	assert_int_equal(px_anon_resident(sp), 4096);
	/* an object's pages stay the object's on a read */
	assert_int_equal(px_inherit(sp, 0x50000000, 8192,
				    LX_PROT_READ | LX_PROT_WRITE,
				    LX_MAP_PRIVATE),
			 0);
	assert_int_equal(px_load(sp, 0x50000000, &v), 0);
	assert_int_equal(px_anon_resident(sp), 4096);
	assert_int_equal(px_store(sp, 0x50001000, 1), 0);
	assert_int_equal(px_anon_resident(sp), 8192);
	px_free(sp);
}

/* An access of unknown kind is a write; a read maps the zero page, not
 * anonymous memory; a write after it is.  An unknown access where the
 * page takes no write is a read, not a refused write. */
static void test_access_kinds(void **state)
{
	struct files fs;
	struct rp_summary s;

	(void)state;
	make(&fs,
	     "100 1700000000.000000 mmap(NULL, 65536, PROT_READ|PROT_WRITE,"
	     " MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = " A " <0.000010>\n"
	     "100 1700000000.000001 mmap(NULL, 8192, PROT_READ,"
	     " MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000100000 "
	     "<0.000010>\n",
	     "never",
	     "machine faults perf\n"
	     "rss 100 1700000000.000020 0\n"
	     "rss 100 1700000000.000040 8\n"
	     "fault 100 1700000000.000011 7f0000000000 r\n"
	     "fault 100 1700000000.000012 7f0000001000 x\n"
	     "fault 100 1700000000.000030 7f0000000000 w\n"
	     "fault 100 1700000000.000031 7f0000002000 -\n"
	     "fault 100 1700000000.000032 7f0000100000 -\n");
	assert_int_equal(replay(&fs, RP_TOUCH_AUTO, &s), 0);
	assert_int_equal(s.faults_touched, 5);
	assert_int_equal(s.faults_denied, 0);
	assert_int_equal(s.rss_samples, 2);
	assert_true(s.rss_worst_err == 0);
	clean(&fs);
}

/* recorded without faults is refused; the default falls back to first;
 * a trace on another clock, or without timestamps, cannot be merged. */
static void test_without_faults_or_clock(void **state)
{
	static const char mm[] = "mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
				 "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = " A "\n";
	struct files fs;
	struct rp_summary s;
	char text[512];
	char why[512];

	(void)state;
	snprintf(text, sizeof(text), "100 1700000000.000000 %s", mm);
	make(&fs, text, "never", "machine faults none\n");
	assert_int_equal(replay(&fs, RP_TOUCH_RECORDED, &s), 64);
	assert_non_null(strstr(s.error, "recorded without them"));
	assert_int_equal(
		rp_touch_resolve(fs.trace, RP_TOUCH_RECORDED, why, sizeof(why)),
		-1);
	assert_int_equal(replay(&fs, RP_TOUCH_AUTO, &s), 0);
	assert_int_equal(s.touch, RP_TOUCH_FIRST);
	clean(&fs);

	make(&fs, text, "never", NULL);
	assert_int_equal(replay(&fs, RP_TOUCH_RECORDED, &s), 64);
	assert_non_null(strstr(s.error, "has none"));
	assert_int_equal(
		rp_touch_resolve(fs.trace, RP_TOUCH_AUTO, why, sizeof(why)),
		RP_TOUCH_FIRST);
	clean(&fs);

	/* -tt: the time of day */
	snprintf(text, sizeof(text), "100 10:00:00.000000 %s", mm);
	make(&fs, text, "never",
	     "machine faults perf\n"
	     "fault 100 1700000000.000011 7f0000000000 w\n");
	assert_int_equal(
		rp_touch_resolve(fs.trace, RP_TOUCH_AUTO, why, sizeof(why)),
		RP_TOUCH_RECORDED);
	assert_int_equal(replay(&fs, RP_TOUCH_AUTO, &s), 65);
	assert_non_null(strstr(s.error, "t.strace:1: the timestamps"));
	clean(&fs);

	snprintf(text, sizeof(text), "100 %s", mm);
	make(&fs, text, "never",
	     "machine faults perf\n"
	     "fault 100 1700000000.000011 7f0000000000 w\n");
	assert_int_equal(replay(&fs, RP_TOUCH_AUTO, &s), 65);
	assert_non_null(strstr(s.error, "t.strace:1: no timestamp"));
	clean(&fs);
}

/*
 * THP as the side file says: with always, a write fault in a VMA that
 * holds an aligned 2 MiB makes the whole 2 MiB anonymous and resident;
 * with madvise only after MADV_HUGEPAGE; with never, 4 KiB.
 */
static uint64_t rss_after_fault(const char *thp, bool advise, char access)
{
	struct files fs;
	struct rp_summary s;
	char trace[1024], side[512];

	snprintf(trace, sizeof(trace),
		 "100 1700000000.000000 mmap(NULL, 8388608, "
		 "PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = " A
		 " <0.000010>\n%s",
		 advise ? "100 1700000000.000020 madvise(" A ", 8388608, "
			  "MADV_HUGEPAGE) = 0 <0.000002>\n"
			: "");
	snprintf(side, sizeof(side),
		 "machine faults perf\n"
		 "rss 100 1700000000.000040 2048\n"
		 "fault 100 1700000000.000030 7f0000201000 %c\n",
		 access);
	make(&fs, trace, thp, side);
	assert_int_equal(replay(&fs, RP_TOUCH_AUTO, &s), 0);
	assert_int_equal(s.faults_touched, 1);
	assert_int_equal(s.rss_samples, 1);
	clean(&fs);
	return s.rss_model_peak;
}

static void test_thp_modes(void **state)
{
	(void)state;
	assert_int_equal(rss_after_fault("always", false, 'w'), 2 * MIB);
	assert_int_equal(rss_after_fault("always", false, 'r'), 0);
	assert_int_equal(rss_after_fault("madvise", false, 'w'), 4096);
	assert_int_equal(rss_after_fault("madvise", true, 'w'), 2 * MIB);
	assert_int_equal(rss_after_fault("never", true, 'w'), 4096);
}

/* The reference model's rule under the replay: a VMA that cannot hold
 * the aligned 2 MiB, MAP_STACK (VM_NOHUGEPAGE), a PMD with a page in it
 * already, and shared anonymous memory (shmem, not RssAnon). */
static struct px_space *space(int thp)
{
	struct px_config cfg;

	px_default_config(&cfg);
	cfg.thp_enabled = thp;
	return px_new(&cfg);
}

static void test_thp_rule(void **state)
{
	struct px_space *s = space(PX_THP_ALWAYS);
	uint64_t a;

	(void)state;
	/* 3 MiB at a 2 MiB boundary: the first PMD is huge, the rest not */
	assert_int_equal(
		px_mmap(s, 0x40000000, 3 * MIB, LX_PROT_READ | LX_PROT_WRITE,
			LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_FIXED, -1, 0,
			NULL, &a),
		0);
	assert_int_equal(px_store(s, 0x40200000 + 8192, 1), 0);
	assert_int_equal(px_anon_resident(s), 4096);
	assert_int_equal(px_store(s, 0x40000000 + 4096, 1), 0);
	assert_int_equal(px_anon_resident(s), 2 * MIB + 4096);
	/* a PMD with a page already takes 4 KiB faults */
	assert_int_equal(px_munmap(s, 0x40000000, 3 * MIB), 0);
	assert_int_equal(px_anon_resident(s), 0);
	assert_int_equal(px_mmap(s, 0x40000000, 2 * MIB,
				 LX_PROT_READ | LX_PROT_WRITE,
				 LX_MAP_PRIVATE | LX_MAP_ANONYMOUS |
					 LX_MAP_FIXED | LX_MAP_STACK,
				 -1, 0, NULL, &a),
			 0);
	assert_int_equal(px_store(s, 0x40000000, 1), 0);
	assert_int_equal(px_anon_resident(s), 4096);
	assert_int_equal(
		px_mmap(s, 0x80000000, 2 * MIB, LX_PROT_READ | LX_PROT_WRITE,
			LX_MAP_SHARED | LX_MAP_ANONYMOUS | LX_MAP_FIXED, -1, 0,
			NULL, &a),
		0);
	assert_int_equal(px_store(s, 0x80000000, 1), 0);
	assert_int_equal(px_anon_resident(s), 4096);
	px_free(s);

	s = space(PX_THP_ALWAYS);
	assert_int_equal(
		px_mmap(s, 0x40000000, 2 * MIB, LX_PROT_READ | LX_PROT_WRITE,
			LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_FIXED, -1, 0,
			NULL, &a),
		0);
	assert_int_equal(px_store(s, 0x40000000 + 4096, 1), 0);
	assert_int_equal(px_store(s, 0x40000000 + 8192, 1), 0);
	assert_int_equal(px_anon_resident(s), 2 * MIB);
	px_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_merge_order_complete_lines),
		cmocka_unit_test(test_merge_order_unfinished),
		cmocka_unit_test(test_event_key),
		cmocka_unit_test(test_exec_image),
		cmocka_unit_test(test_zero_page),
		cmocka_unit_test(test_access_kinds),
		cmocka_unit_test(test_without_faults_or_clock),
		cmocka_unit_test(test_thp_modes),
		cmocka_unit_test(test_thp_rule),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
