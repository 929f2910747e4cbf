/*
 * test_faults.c - the side-file reader: finding the file by the trace's
 * name, each record kind, the fault stream, and every malformed line
 * with its FILE:LINE message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "rmsim/abi.h"
#include "rmsim/trace.h"

static char dir[] = "/tmp/rmsim-faults-XXXXXX";

static void put(const char *name, const char *text)
{
	char path[256];
	FILE *fp;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs(text, fp);
	fclose(fp);
}

static void rm(const char *name)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	unlink(path);
}

static const char good[] =
	"rmsim-faults 1\n"
	"# comment\n"
	"machine kernel 6.18.0-1-amd64 #1 SMP\n"
	"machine page_size 4096\n"
	"machine thp madvise\n"
	"machine max_map_count 262144\n"
	"machine overcommit_memory 1\n"
	"machine zero_page no\n"
	"machine faults perf\n"
	"machine fault_source tracepoints\n"
	"machine cpu_model something later versions add\n"
	"exec 100 1700000000.000100 exact /usr/bin/my prog\n"
	"map 100 555555554000-555555556000 r-xp 00000000 /usr/bin/my prog\n"
	"map 100 7ffff7fc1000-7ffff7fc5000 r--p 00000000 [vvar]\n"
	"map 100 7ffffffde000-7ffffffff000 rw-p 00000000 [stack]\n"
	"resident 100 555555555000-555555556000\n"
	"resident 100 7fffffffd000-7ffffffff000\n"
	"exec 101 1700000000.5 late /bin/true\n"
	"map 101 400000-401000 rw-s 1000 \n"
	"rss 100 1700000000.100000 1234\n"
	"\n"
	"fault 100 1700000000.000200 555555554000 x\n"
	"fault 101 1700000000.000200 7ffffffdf000 w\n"
	"fault 100 1700000000.000300 7ffffffdf008 r\n"
	"fault 100 1700000000.000301 0 -\n";

static struct tr_faults *open_text(const char *text, int *err, char *msg)
{
	char path[256];

	put("t.faults", text);
	snprintf(path, sizeof(path), "%s/t.faults", dir);
	return tr_faults_open_file(path, err, msg, 512);
}

static void test_reads_every_record(void **state)
{
	const struct tr_machine *m;
	const struct tr_exec_maps *e;
	struct tr_faults *f;
	struct tr_fault ft;
	char msg[512];
	int err = 0;

	f = open_text(good, &err, msg);
	assert_non_null(f);
	m = tr_faults_machine(f);
	assert_string_equal(m->kernel, "6.18.0-1-amd64 #1 SMP");
	assert_int_equal(m->page_size, 4096);
	assert_string_equal(m->thp, "madvise");
	assert_int_equal(m->max_map_count, 262144);
	assert_int_equal(m->overcommit_memory, 1);
	assert_int_equal(m->zero_page, 0);
	assert_true(m->faults_recorded);
	assert_string_equal(m->fault_source, "tracepoints");

	assert_int_equal(tr_faults_nexecs(f), 2);
	e = tr_faults_exec(f, 0);
	assert_int_equal(e->pid, 100);
	assert_int_equal(e->ts_us, 1700000000000100LL);
	assert_true(e->exact);
	assert_string_equal(e->path, "/usr/bin/my prog");
	assert_int_equal(e->nmaps, 3);
	assert_int_equal(e->maps[0].start, 0x555555554000ULL);
	assert_int_equal(e->maps[0].prot, LX_PROT_READ | LX_PROT_EXEC);
	assert_false(e->maps[0].shared);
	assert_string_equal(e->maps[0].path, "/usr/bin/my prog");
	assert_string_equal(e->maps[2].path, "[stack]");
	assert_int_equal(e->maps[2].prot, LX_PROT_READ | LX_PROT_WRITE);
	assert_true(e->has_resident);
	assert_int_equal(e->nresident, 2);
	assert_int_equal(e->resident[0].start, 0x555555555000ULL);
	assert_int_equal(e->resident[0].end, 0x555555556000ULL);
	assert_int_equal(e->resident[1].start, 0x7fffffffd000ULL);
	assert_int_equal(e->resident[1].end, 0x7ffffffff000ULL);
	e = tr_faults_exec(f, 1);
	assert_false(e->has_resident);
	assert_int_equal(e->nresident, 0);
	assert_false(e->exact);
	assert_int_equal(e->ts_us, 1700000000500000LL);
	assert_true(e->maps[0].shared);
	assert_int_equal(e->maps[0].offset, 0x1000);
	assert_string_equal(e->maps[0].path, "");
	assert_null(tr_faults_exec(f, 2));

	assert_ptr_equal(tr_faults_exec_of(f, 100, 0), tr_faults_exec(f, 0));
	assert_ptr_equal(tr_faults_exec_of(f, 101, 1700000000000000LL),
			 tr_faults_exec(f, 1));
	assert_null(tr_faults_exec_of(f, 100, 1700000000000101LL));
	assert_null(tr_faults_exec_of(f, 7, 0));

	assert_int_equal(tr_faults_nrss(f), 1);
	assert_int_equal(tr_faults_rss(f, 0)->anon_bytes, 1234 * 1024);
	assert_int_equal(tr_faults_rss(f, 0)->ts_us, 1700000000100000LL);

	assert_int_equal(tr_faults_next(f, &ft), 1);
	assert_int_equal(ft.pid, 100);
	assert_int_equal(ft.addr, 0x555555554000ULL);
	assert_int_equal(ft.access, TR_ACCESS_EXEC);
	assert_int_equal(ft.line, 22);
	assert_int_equal(tr_faults_next(f, &ft), 1);
	assert_int_equal(ft.access, TR_ACCESS_WRITE);
	assert_int_equal(ft.pid, 101);
	assert_int_equal(tr_faults_next(f, &ft), 1);
	assert_int_equal(ft.access, TR_ACCESS_READ);
	assert_int_equal(ft.ts_us, 1700000000000300LL);
	assert_int_equal(tr_faults_next(f, &ft), 1);
	assert_int_equal(ft.access, TR_ACCESS_UNKNOWN);
	assert_int_equal(ft.addr, 0);
	assert_int_equal(tr_faults_next(f, &ft), 0);
	assert_int_equal(tr_faults_count(f), 4);
	tr_faults_close(f);
	(void)state;
}

static void test_no_faults_file(void **state)
{
	struct tr_faults *f;
	struct tr_fault ft;
	char msg[512];
	int err;

	f = open_text("rmsim-faults 1\nmachine faults none\n", &err, msg);
	assert_non_null(f);
	assert_false(tr_faults_machine(f)->faults_recorded);
	assert_int_equal(tr_faults_machine(f)->overcommit_memory, -1);
	assert_int_equal(tr_faults_machine(f)->zero_page, -1);
	assert_int_equal(tr_faults_next(f, &ft), 0);
	tr_faults_close(f);
	(void)state;
}

/* Side files are found from the trace's name, compressed or not. */
static void test_side_path(void **state)
{
	char path[256], buf[256], want[300];
	struct tr_faults *f;
	int err;

	put("a.strace.xz", "");
	snprintf(path, sizeof(path), "%s/a.strace.xz", dir);
	assert_int_equal(tr_side_path(path, buf, sizeof(buf)), -ENOENT);
	assert_null(tr_faults_open(path, &err, buf, sizeof(buf)));
	assert_int_equal(err, -ENOENT);
	put("a.faults", "rmsim-faults 1\n");
	assert_int_equal(tr_side_path(path, buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%s/a.faults", dir);
	assert_string_equal(buf, want);
	put("a.faults.gz", "");
	assert_int_equal(tr_side_path(path, buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%s/a.faults.gz", dir);
	assert_string_equal(buf, want);
	put("a.faults.xz", "");
	assert_int_equal(tr_side_path(path, buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%s/a.faults.xz", dir);
	assert_string_equal(buf, want);
	/* a trace name without .strace keeps its stem */
	put("b.log.faults", "rmsim-faults 1\n");
	snprintf(path, sizeof(path), "%s/b.log.gz", dir);
	assert_int_equal(tr_side_path(path, buf, sizeof(buf)), 0);
	snprintf(want, sizeof(want), "%s/b.log.faults", dir);
	assert_string_equal(buf, want);
	assert_int_equal(tr_side_path(path, buf, 8), -ENAMETOOLONG);
	f = tr_faults_open(path, &err, buf, sizeof(buf));
	assert_non_null(f);
	tr_faults_close(f);
	rm("a.faults");
	rm("a.faults.gz");
	rm("a.faults.xz");
	rm("b.log.faults");
	rm("a.strace.xz");
	(void)state;
}

/* xz through the trace reader's input: the recorder's default. */
static void test_compressed(void **state)
{
	char cmd[512], path[256], msg[512];
	struct tr_faults *f;
	struct tr_fault ft;
	int err, n = 0;

	put("c.faults", good);
	snprintf(cmd, sizeof(cmd), "xz -c %s/c.faults > %s/c.faults.xz", dir,
		 dir);
	if (system(cmd) != 0)
		skip();
	rm("c.faults");
	snprintf(path, sizeof(path), "%s/c.strace", dir);
	f = tr_faults_open(path, &err, msg, sizeof(msg));
	assert_non_null(f);
	assert_int_equal(tr_faults_nexecs(f), 2);
	while (tr_faults_next(f, &ft) > 0)
		n++;
	assert_int_equal(n, 4);
	tr_faults_close(f);
	rm("c.faults.xz");
	(void)state;
}

struct bad_case {
	const char *text;
	const char *msg;	/* after "DIR/t.faults:" */
	bool at_open;		/* fails in open, not in the stream */
};

static const struct bad_case bad_cases[] = {
	{"", "1: empty file", true},
	{"strace output\n", "1: not an rmsim fault file (first line is not "
			    "\"rmsim-faults 1\")", true},
	{"rmsim-faults 2\n", "1: not an rmsim fault file (first line is not "
			     "\"rmsim-faults 1\")", true},
	{"rmsim-faults 1\nmachine page_size 4000\n",
	 "2: machine page_size: not a power of two >= 4096", true},
	{"rmsim-faults 1\nmachine max_map_count lots\n",
	 "2: machine: value is not a number", true},
	{"rmsim-faults 1\nmachine overcommit_memory 3\n",
	 "2: machine overcommit_memory: not 0, 1 or 2", true},
	{"rmsim-faults 1\nmachine faults maybe\n",
	 "2: machine faults: not perf or none", true},
	{"rmsim-faults 1\nmachine\n", "2: machine: no key", true},
	{"rmsim-faults 1\nmap 5 1000-2000 r--p 0 x\n",
	 "2: map: no exec line of this pid before it", true},
	{"rmsim-faults 1\nexec 5 1.0 maybe /x\n", "2: exec: not exact or late",
	 true},
	{"rmsim-faults 1\nexec 0 1.0 exact /x\n", "2: exec: bad pid", true},
	{"rmsim-faults 1\nexec 5 1 exact /x\n", "2: exec: bad timestamp",
	 true},
	{"rmsim-faults 1\nexec 5 1.0 exact /x\nmap 5 2000-1000 r--p 0 x\n",
	 "3: map: bad range", true},
	{"rmsim-faults 1\nexec 5 1.0 exact /x\nmap 5 1000-2000 rwzp 0 x\n",
	 "3: map: bad permissions", true},
	{"rmsim-faults 1\nexec 5 1.0 exact /x\nmap 5 1000-2000 r--p zz x\n",
	 "3: map: bad offset", true},
	{"rmsim-faults 1\nexec 5 1.0 exact /x\nmap 5 3000-4000 r--p 0 x\n"
	 "map 5 1000-2000 r--p 0 x\n",
	 "4: map: ranges not ascending", true},
	{"rmsim-faults 1\nrss 5 1.0 -3\n", "2: rss: bad size in KiB", true},
	{"rmsim-faults 1\nrss 5 1.0 99999999999999999999\n",
	 "2: rss: bad size in KiB", true},
	{"rmsim-faults 1\nsomething 5\n",
	 "2: unknown record (not machine, exec, map, resident, rss or "
	 "fault)", true},
	{"rmsim-faults 1\nmachine zero_page maybe\n",
	 "2: machine zero_page: not yes or no", true},
	{"rmsim-faults 1\nresident 5 1000-2000\n",
	 "2: resident: no exec line of this pid before it", true},
	{"rmsim-faults 1\nexec 5 1.0 exact /x\nresident 5 1000-1800\n",
	 "3: resident: range not page-aligned", true},
	{"rmsim-faults 1\nexec 5 1.0 exact /x\nresident 5 2000-1000\n",
	 "3: resident: bad range", true},
	{"rmsim-faults 1\nexec 5 1.0 exact /x\nresident x 1000-2000\n",
	 "3: resident: bad pid", true},
	{"rmsim-faults 1\nexec 5 1.0 exact /x\nresident 5 1000-2000 x\n",
	 "3: resident: text after the range", true},
	{"rmsim-faults 1\nexec 5 1.0 exact /x\nresident 5 3000-4000\n"
	 "resident 5 1000-2000\n",
	 "4: resident: ranges not ascending", true},
	{"rmsim-faults 1\nfault 5 1.0 1000 q\n",
	 "2: fault: access is not r, w, x or -", true},
	{"rmsim-faults 1\nfault 1 1.000001 1000 r\nfault 5 1.0 1000 r\n",
	 "3: fault: earlier than the fault before it", false},
	{"rmsim-faults 1\nfault 5 1.0 1000 r\nfault 5 1.0 10g0 r\n",
	 "3: fault: bad address", false},
	{"rmsim-faults 1\nfault 5 1.0 1000 r\nfault 5 1.0 1000 r extra\n",
	 "3: fault: text after the access", false},
	{"rmsim-faults 1\nfault 5 1.0 1000 r\nrss 5 1.0 1\n",
	 "3: header line after the first fault", false},
	{"rmsim-faults 1\nfault 5 1.0 1000 r\nfault 5 1.0x 1000 r\n",
	 "3: fault: bad timestamp", false},
};

static void test_bad_lines(void **state)
{
	size_t i;

	for (i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct tr_faults *f;
		struct tr_fault ft;
		char msg[512], want[512];
		int err = 0, rc;

		snprintf(want, sizeof(want), "%s/t.faults:%s", dir, c->msg);
		f = open_text(c->text, &err, msg);
		if (c->at_open) {
			assert_null(f);
			assert_int_equal(err, -EINVAL);
			assert_string_equal(msg, want);
			continue;
		}
		assert_non_null(f);
		while ((rc = tr_faults_next(f, &ft)) > 0)
			;
		assert_int_equal(rc, -EINVAL);
		assert_string_equal(tr_faults_error(f), want);
		/* a stopped stream stays stopped */
		assert_int_equal(tr_faults_next(f, &ft), -EINVAL);
		tr_faults_close(f);
	}
	(void)state;
}

static void test_missing_file(void **state)
{
	char msg[128];
	int err;

	assert_null(tr_faults_open_file("/nonexistent/x.faults", &err, msg,
					sizeof(msg)));
	assert_int_equal(err, -ENOENT);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reads_every_record),
		cmocka_unit_test(test_no_faults_file),
		cmocka_unit_test(test_side_path),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_bad_lines),
		cmocka_unit_test(test_missing_file),
	};
	char cmd[128];
	int rc;

	if (!mkdtemp(dir))
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	if (system(cmd) != 0)
		return 1;
	return rc;
}
