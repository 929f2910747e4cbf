/*
 * test_record.c - the recorder's parts that run without strace: the
 * writer (plain, gzip and xz by the name, read back by the trace reader's
 * own input), the strace command line, and the /proc readers on this
 * process.
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

#include "rmsim/record.h"
#include "rmsim/trace.h"

#include "record/rec_internal.h"

static void roundtrip(const char *name)
{
	char dir[] = "/tmp/rmsim-rec-XXXXXX", path[128], cmd[160];
	struct tr_reader *rd;
	struct tr_event ev;
	struct rec_out *o;
	uint64_t bytes = 0;
	int err, n = 0, i;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	o = rec_out_open(path, &err);
	assert_non_null(o);
	/* more than the writer's buffer, in line-sized pieces */
	for (i = 0; i < 5000; i++) {
		assert_int_equal(rec_out_printf(o, "%d 1.%06d brk(NULL) = "
						   "0x%x000\n",
						7, i, 100 + i),
				 0);
	}
	assert_int_equal(rec_out_close(o, &bytes), 0);
	assert_true(bytes > 0);
	strcat(path, ".part");
	assert_int_not_equal(access(path, F_OK), 0);
	path[strlen(path) - 5] = '\0';
	rd = tr_open(path, NULL, &err);
	assert_non_null(rd);
	while (tr_next(rd, &ev) > 0) {
		assert_int_equal(ev.ret, (int64_t)(100 + n) << 12);
		n++;
	}
	assert_int_equal(n, 5000);
	tr_close(rd);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

static void test_writer_kinds(void **state)
{
	roundtrip("t.strace");
	roundtrip("t.strace.gz");
	roundtrip("t.strace.xz");
	(void)state;
}

static void test_writer_cannot_create(void **state)
{
	int err = 0;

	assert_null(rec_out_open("/nonexistent/dir/t.strace.xz", &err));
	assert_int_equal(err, -ENOENT);
	(void)state;
}

/* An aborted recording leaves an earlier file of the name as it was. */
static void test_writer_abort_keeps_old(void **state)
{
	char dir[] = "/tmp/rmsim-rec-XXXXXX", path[128], part[140];
	char buf[16] = {0}, cmd[160];
	struct rec_out *o;
	FILE *f;
	int err;

	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/t.strace", dir);
	snprintf(part, sizeof(part), "%s.part", path);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("old", f);
	fclose(f);
	o = rec_out_open(path, &err);
	assert_non_null(o);
	assert_int_equal(access(part, F_OK), 0);
	rec_out_printf(o, "new\n");
	rec_out_abort(o);
	assert_int_not_equal(access(part, F_OK), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_non_null(fgets(buf, sizeof(buf), f));
	fclose(f);
	assert_string_equal(buf, "old");
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	(void)state;
}

static bool has(const char **argv, const char *arg)
{
	for (; *argv; argv++)
		if (strcmp(*argv, arg) == 0)
			return true;
	return false;
}

/* The options the replay depends on. */
static void test_strace_argv(void **state)
{
	struct rec_options o = {.exec_hold_ms = 7};
	const char *argv[40], *set = NULL;
	char hold[64];
	int n, i;

	n = rec_strace_argv(&o, "/tmp/fifo", hold, sizeof(hold), argv);
	assert_null(argv[n]);
	assert_string_equal(argv[0], "strace");
	assert_string_equal(argv[n - 1], "--");
	assert_true(has(argv, "-f"));
	assert_true(has(argv, "-ttt"));
	assert_true(has(argv, "-T"));
	assert_true(has(argv, "/tmp/fifo"));
	assert_true(has(argv, "inject=execve,execveat:delay_exit=7000"));
	for (i = 0; i < n; i++)
		if (strncmp(argv[i], "trace=", 6) == 0)
			set = argv[i];
	assert_non_null(set);
	/* what the replay applies or names */
	assert_non_null(strstr(set, "%memory"));
	assert_non_null(strstr(set, ",clone,"));
	assert_non_null(strstr(set, ",execve,"));
	assert_non_null(strstr(set, ",openat,"));
	assert_non_null(strstr(set, ",prlimit64,"));
	assert_non_null(strstr(set, ",capset,"));
	assert_non_null(strstr(set, ",prctl,"));
	assert_non_null(strstr(set, ",shmat,"));
	assert_non_null(strstr(set, "?mseal"));
	assert_non_null(strstr(set, "?memfd_secret"));
	assert_non_null(strstr(set, "?io_uring_setup"));
	(void)state;
}

static void test_proc_readers(void **state)
{
	struct rec_buf b = {0};
	uint64_t kib = 0;
	int rc;

	rec_machine(&b);
	assert_non_null(b.s);
	assert_non_null(strstr(b.s, "machine kernel "));
	assert_non_null(strstr(b.s, "machine page_size 4096\n"));
	rec_buf_free(&b);
	/* this process is not in execve: a late capture, with its stack */
	rc = rec_capture_maps(getpid(), rec_now_us(), &b);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(b.s, " late "));
	assert_non_null(strstr(b.s, "[stack]\n"));
	rec_buf_free(&b);
	assert_int_equal(rec_rss_anon(getpid(), &kib), 1);
	assert_true(kib > 0);
	assert_true(rec_capture_maps(0x7ffffff0, 0, &b) < 0);
	rec_buf_free(&b);
	(void)state;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_writer_kinds),
		cmocka_unit_test(test_writer_cannot_create),
		cmocka_unit_test(test_writer_abort_keeps_old),
		cmocka_unit_test(test_strace_argv),
		cmocka_unit_test(test_proc_readers),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
