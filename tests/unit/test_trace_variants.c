/*
 * test_trace_variants.c - the strace output variants people record, each
 * with lines recorded for real (strace 6.1 on Linux 6.18; the programs
 * and commands are in tests/strace-variants/): -y and -yy notes, -k stack
 * frames, -i, -n and -Y prefixes, -z and -Z, --seccomp-bpf, strace's stderr
 * mixed with the program's, calls printed by number, a thread's execve,
 * -C's call summary table (and -c's, refused), -e inject='s results,
 * and the defects that must stay errors (a lost unfinished call).
 */
#include "trace_fixture.h"

#include "trace/input.h"
#include "trace/parse.h"

#include <sys/syscall.h>

/* -y: a memfd and an unlinked file, deleted since; strace 6 prints the
 * mark after the note, older strace inside it (the example) */
static void test_y_deleted(void **state)
{
	struct tr_event e;

	e = one("mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_SHARED, "
		"3</memfd:java_heap>(deleted), 0) = 0x7fc8ee71e000");
	assert_int_equal(e.arg[4], 3);
	assert_int_equal(e.arg[5], 0);
	assert_string_equal(e.fd_path, "/memfd:java_heap");
	e = one("mmap(NULL, 4096, PROT_READ, MAP_SHARED, "
		"4</tmp/tmp.Leg0Su2O8s/tmpfile>(deleted), 0) = 0x7fc8ee71d000");
	assert_string_equal(e.fd_path, "/tmp/tmp.Leg0Su2O8s/tmpfile");
	e = one("mmap(NULL, 2097152, PROT_READ|PROT_WRITE, MAP_SHARED, "
		"4</memfd:java_heap (deleted)>, 0) = 0x7f0000000000");
	assert_int_equal(e.arg[4], 4);
	assert_string_equal(e.fd_path, "/memfd:java_heap");
	/* the note on a result */
	e = one("memfd_create(\"java_heap\", 0)            = "
		"3</memfd:java_heap>(deleted)");
	assert_int_equal(e.call, TR_MEMFD_CREATE);
	assert_int_equal(e.ret, 3);
	assert_string_equal(e.fd_path, "java_heap");
}

/* -y on AT_FDCWD, and escaped angle brackets in a path */
static void test_y_at_fdcwd_and_escapes(void **state)
{
	struct tr_event e;

	e = one("openat(AT_FDCWD</tmp/tmp.Leg0Su2O8s>, \"/etc/ld.so.cache\", "
		"O_RDONLY|O_CLOEXEC) = 3</etc/ld.so.cache>");
	assert_int_equal(e.call, TR_OPENAT);
	assert_int_equal(e.arg[0], LX_O_RDONLY | 02000000); /* O_CLOEXEC */
	assert_int_equal(e.ret, 3);
	assert_string_equal(e.fd_path, "/etc/ld.so.cache");
	e = one("mmap(NULL, 4096, PROT_READ, MAP_SHARED, "
		"3</tmp/tmp.Leg0Su2O8s/we\\74ird\\76, name) (deleted)\\76>, 0) "
		"= 0x7fd19fbc3000");
	assert_int_equal(e.arg[4], 3);
	assert_int_equal(e.arg[5], 0);
	assert_string_equal(e.fd_path,
			    "/tmp/tmp.Leg0Su2O8s/we\\74ird\\76, name) "
			    "(deleted)\\76");
}

/* -yy: a device's numbers, sockets with their addresses */
static void test_yy(void **state)
{
	struct tr_event e;

	e = one("openat(AT_FDCWD</tmp/tmp.Leg0Su2O8s>, \"/dev/zero\", O_RDWR) "
		"= 5</dev/zero<char 1:5>>");
	assert_int_equal(e.ret, 5);
	e = one("mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, 5</dev/zero<char "
		"1:5>>, 0) = 0x7f5eb9288000");
	assert_int_equal(e.arg[4], 5);
	assert_string_equal(e.fd_path, "/dev/zero");
	e = one("mmap(NULL, 4096, PROT_READ, MAP_SHARED, "
		"5<TCP:[127.0.0.1:53660->127.0.0.1:33671]>, 0) = "
		"0x7fd19fbc1000");
	assert_int_equal(e.arg[5], 0);
	assert_string_equal(e.fd_path,
			    "TCP:[127.0.0.1:53660->127.0.0.1:33671]");
	e = one("mmap(NULL, 4096, PROT_READ, MAP_SHARED, "
		"6<UNIX-STREAM:[113815]>, 0) = -1 ENODEV (No such device)");
	assert_int_equal(e.err, LX_ENODEV);
	assert_string_equal(e.fd_path, "UNIX-STREAM:[113815]");
}

/* -k: stack frames after each call, split calls too */
static void test_k_stack_frames(void **state)
{
	static struct run r;

	read_str("12359 mmap(NULL, 8392704, PROT_NONE, MAP_PRIVATE|"
		 "MAP_ANONYMOUS|MAP_STACK, -1, 0) = 0x7ff7c0612000\n"
		 " > /usr/lib/x86_64-linux-gnu/libc.so.6(__mmap+0x13) "
		 "[0x1019b3]\n"
		 " > /usr/lib/x86_64-linux-gnu/libc.so.6(pthread_create+0x981) "
		 "[0x89d01]\n"
		 " > /tmp/tmp.Leg0Su2O8s/threads(main+0x2c) [0x122b]\n"
		 "12359 mmap(NULL, 8392704, PROT_NONE, MAP_PRIVATE|"
		 "MAP_ANONYMOUS|MAP_STACK, -1, 0 <unfinished ...>\n"
		 "12360 mmap(NULL, 12288, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
		 "MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
		 "12359 <... mmap resumed>)               = 0x7ff7bf610000\n"
		 " > /usr/lib/x86_64-linux-gnu/libc.so.6(__mmap+0x13) "
		 "[0x1019b3]\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[1].ret, 0x7ff7bf610000);
	assert_int_equal(r.st.notes, 4);
}

/* -i and -n, alone and with -f, -ttt, -T and -y */
static void test_i_and_n_prefixes(void **state)
{
	static struct run r;
	struct tr_event e;

	e = one("12123 [00007ff5643a9ca3] mmap(NULL, 8192, PROT_READ|"
		"PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = "
		"0x7ff56437f000");
	assert_int_equal(e.pid, 12123);
	assert_int_equal(e.ret, 0x7ff56437f000);
	e = one("12135 09:27:08.846863 [   9] mmap(NULL, 8192, PROT_READ|"
		"PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = "
		"0x7f5425846000");
	assert_int_equal(e.pid, 12135);
	assert_int_equal(e.ts_us, ((9 * 60 + 27) * 60 + 8) * 1000000LL +
					  846863);
	read_str("12146 1796635628.885956 [  10] [00007f37ac6b6a37] "
		 "mprotect(0x7f37aadb0000, 8388608, PROT_READ|PROT_WRITE "
		 "<unfinished ...>\n"
		 "12148 1796635628.885943 [ 273] [00007f37ac63dfa7] "
		 "set_robust_list(0x7f37abdb09a0, 24 <unfinished ...>\n"
		 "12148 1796635628.885965 [ 273] [00007f37ac63dfa7] <... "
		 "set_robust_list resumed>) = 0 <0.000015>\n"
		 "12146 1796635628.885984 [  10] [00007f37ac6b6a37] <... "
		 "mprotect resumed>) = 0 <0.000021>\n"
		 "12146 1796635628.884103 [ 257] [00007f37ac7ccb1d] "
		 "openat(AT_FDCWD</tmp/tmp.Leg0Su2O8s>, \"/etc/ld.so.cache\", "
		 "O_RDONLY|O_CLOEXEC) = 3</etc/ld.so.cache> <0.000011>\n"
		 "12149 1796635628.896950 [  60] [????????????????] +++ "
		 "exited with 0 +++\n"
		 "12146 1796635628.908062 [  61] [00007f37ac688c17] --- "
		 "SIGCHLD {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=12152,"
		 " si_uid=0, si_status=0, si_utime=0, si_stime=0} ---\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].call, TR_MPROTECT);
	assert_int_equal(r.ev[0].ts_us, 1796635628885956LL);
	assert_int_equal(r.ev[0].line, 1);
	assert_int_equal(r.ev[1].call, TR_OPENAT);
	assert_int_equal(r.ev[1].pid, 12146);
	assert_int_equal(r.st.exits, 1);
	assert_int_equal(r.st.signals, 1);
	/* a bracket that is neither stays an error */
	bad("[0x12] mmap(NULL, 1, 0, 0, -1, 0) = 0\n",
	    "1: not a strace line: expected 'name(' after the prefix");
}

/* -Y: the process name after the pid, both prefix forms */
static void test_Y_process_names(void **state)
{
	static struct run r;
	struct tr_event e;

	e = one("29147<threads> mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
		"MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7fda779ed000");
	assert_int_equal(e.pid, 29147);
	assert_int_equal(e.ret, 0x7fda779ed000);
	read_str("29151<threads> mmap(NULL, 4096, PROT_READ|PROT_WRITE, "
		 "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
		 "[pid 25654<p3>] munmap(0x7fa5d6d54000, 49152) = 0\n"
		 "29151<threads> <... mmap resumed>) = 0x7fda779ec000\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].pid, 25654);
	assert_int_equal(r.ev[1].pid, 29151);
	bad("29151<threads mmap(NULL, 1, 0, 0, -1, 0) = 0\n",
	    "1: malformed '<name>' after the pid");
}

/* -z prints the rest of an interrupted call as a bare ")" line; -Z and
 * --seccomp-bpf lines are ordinary */
static void test_z_Z_and_seccomp(void **state)
{
	static struct run r;
	struct tr_event e;

	read_str("20052 mmap(NULL, 204800, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
		 "MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
		 ")                                       = 0x7fd8b7892000\n"
		 "20052 munmap(0x7fd8b7892000, 204800)    = 0\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].call, TR_MMAP);
	assert_int_equal(r.ev[0].pid, 20052);
	assert_int_equal(r.ev[0].ret, 0x7fd8b7892000);
	assert_true(r.ev[0].flags & TR_FLAG_RESUMED);
	e = one("12822 mmap(0x1, 4096, PROT_READ, MAP_PRIVATE|MAP_FIXED|"
		"MAP_ANONYMOUS, -1, 0) = -1 EINVAL (Invalid argument)");
	assert_int_equal(e.err, LX_EINVAL);
	e = one("14633 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
		"MAP_ANONYMOUS, -1, 0) = 0x7efc07daa000");
	assert_int_equal(e.pid, 14633);
	/* a bare ")" with nothing open is an error */
	bad("munmap(0x1000, 4096) = 0\n)                   = 0\n",
	    "2: a line starting with ')' continues no call");
}

/* strace -f writing to the program's stderr: its note cuts vfork's line,
 * the start has no pid prefix, the resumption has one; the program's
 * output cuts a write in two */
static void test_stderr_mixed(void **state)
{
	static struct run r;

	read_str("wait4(-1, 0x7ffcb0a410fc, WNOHANG, NULL) = -1 ECHILD (No "
		 "child processes)\n"
		 "vfork(strace: Process 20082 attached\n"
		 " <unfinished ...>\n"
		 "[pid 20082] execve(\"/usr/bin/ls\", [\"ls\", "
		 "\"/nonexistent\"], "
		 "0x5591defa9ad8 /* 37 vars */ <unfinished ...>\n"
		 "[pid 20080] <... vfork resumed>)        = 20082\n"
		 "[pid 20080] wait4(-1,  <unfinished ...>\n"
		 "[pid 20082] <... execve resumed>)       = 0\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].call, TR_VFORK);
	assert_int_equal(r.ev[0].pid, 20080);
	assert_int_equal(r.ev[0].ret, 20082);
	assert_int_equal(r.ev[0].line, 3);	/* where the cut line ends */
	assert_int_equal(r.ev[1].call, TR_EXECVE);
	assert_int_equal(r.st.notes, 1);
	assert_int_equal(r.st.unfinished_at_end, 1);	/* the wait4 */
	/* "detached" cuts a line as "attached" does; a note that does not
	 * run to the end of the line is the program's text */
	read_str("vfork(strace: Process 20083 detached\n"
		 " <unfinished ...>\n"
		 "[pid 20080] <... vfork resumed>)        = 20083\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].ret, 20083);
	assert_int_equal(r.st.notes, 1);
	read_str("vfork(strace: Process 20083 detached now\n"
		 " <unfinished ...>\n",
		 &r);
	assert_int_not_equal(r.rc, 0);
	read_str("write(1, \"hi\\n\", 3hi\n"
		 ")                     = 3\n"
		 "brk(NULL) = 0x5591defa9000\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.st.calls[TR_OTHER], 1);
	/* cut by output and never continued: the error it always was */
	bad("write(1, \"hi\\n\", 3hi\nbrk(NULL) = 0x5591defa9000\n",
	    "1: truncated line: missing result");
	bad("brk(NULL) = 0x5591defa9000\nmunmap(0x1000, 4096\n",
	    "2: truncated line: missing ')'");
}

/* strace printing a call by number: mapped through the x86-64 table */
static void test_syscall_by_number(void **state)
{
	static struct run r;
	bool raw;

	assert_string_equal(tr_sysno_name(0x1ce), "mseal");
	assert_string_equal(tr_sysno_name(9), "mmap");
	assert_null(tr_sysno_name(0x1000));
	/* found by name, so whenever the call table knows mseal */
	assert_int_equal(tr_call_lookup_raw("syscall_0x1ce", 13, &raw),
			 tr_call_lookup("mseal", 5));
	assert_int_equal(tr_call_lookup_raw("syscall_0xa", 11, &raw),
			 TR_MPROTECT);
	assert_true(raw);
	assert_int_equal(tr_call_lookup_raw("syscall_0xfffffffff", 19, &raw),
			 TR_OTHER);
	assert_int_equal(tr_call_lookup_raw("syscall_0x1zz", 13, &raw),
			 TR_OTHER);
	read_str("syscall_0x1ce(0, 0, 0, 0xffffffff, 0, 0x7ffc5b220a28) = 0\n"
		 "syscall_0x1cc(0, 0, 0, 0, 0x7ffc5b220a28, 0x7ffc5b220a28) = "
		 "-1 EINVAL (Invalid argument)\n",
		 &r);
	assert_int_equal(r.rc, 0);
	/* mseal has three arguments: the other registers are no part of
	 * the call */
	assert_int_equal(r.ev[0].call, TR_MSEAL);
	assert_int_equal(r.ev[0].arg[3], 0);
	assert_int_equal(r.ev[0].arg[4], 0);
	assert_int_equal(r.ev[0].arg[5], 0);
	/* the real line's shape for a call the table knows: six registers,
	 * the call's own three first */
	read_str("syscall_0xa(0x7f0000000000, 0x1000, 0x1, 0xffffffff, 0, "
		 "0x7ffc5b220a28) = 0\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].call, TR_MPROTECT);
	assert_int_equal(r.ev[0].arg[0], 0x7f0000000000);
	assert_int_equal(r.ev[0].arg[2], 1);
	assert_int_equal(r.ev[0].arg[3], 0);
	bad("syscall_0xa(0x7f0000000000, 0x1000) = 0\n",
	    "1: wrong number of arguments for this call");
}

/*
 * The limits as trace.h documents them: prlimit64's pid, resource, soft
 * limit, and whether it was set (1) or only read (2); setrlimit's
 * resource and new soft limit.  Products and names are values, a
 * malformed limit is refused with its reason.
 */
static void test_rlimits(void **state)
{
	struct tr_event e;

	(void)state;
	e = one("prlimit64(0, RLIMIT_MEMLOCK, {rlim_cur=64*1024, "
		"rlim_max=64*1024}, NULL) = 0");
	assert_int_equal(e.call, TR_PRLIMIT64);
	assert_int_equal(e.arg[0], 0);
	assert_int_equal(e.arg[1], 8);
	assert_int_equal(e.arg[2], 65536);
	assert_int_equal(e.arg[3], 1);
	e = one("prlimit64(0, RLIMIT_STACK, NULL, {rlim_cur=8192*1024, "
		"rlim_max=RLIM64_INFINITY}) = 0");
	assert_int_equal(e.arg[1], 3);
	assert_int_equal(e.arg[2], 8388608);
	assert_int_equal(e.arg[3], 2);
	e = one("prlimit64(1234, RLIMIT_AS, {rlim_cur=RLIM64_INFINITY, "
		"rlim_max=RLIM64_INFINITY}, NULL) = 0");
	assert_int_equal(e.arg[0], 1234);
	assert_int_equal(e.arg[1], 9);
	assert_true(e.arg[2] == UINT64_MAX);
	e = one("setrlimit(RLIMIT_MEMLOCK, {rlim_cur=2*4096, "
		"rlim_max=2*4096}) = 0");
	assert_int_equal(e.call, TR_SETRLIMIT);
	assert_int_equal(e.arg[0], 8);
	assert_int_equal(e.arg[1], 8192);
	assert_int_equal(e.arg[3], 1);
	bad("setrlimit(RLIMIT_AS, {rlim_cur=lots, rlim_max=0}) = 0\n",
	    "1: malformed resource limit");
	bad("setrlimit(RLIMIT_AS, {rlim_max=0}) = 0\n",
	    "1: expected rlim_cur in the limit");
}

/* A file of @n lines "line K" in a fresh temporary path. */
static void lines_file(char *path, int n)
{
	FILE *f;
	int fd = mkstemp(path), i;

	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	for (i = 1; i <= n; i++)
		fprintf(f, "line %d\n", i);
	fclose(f);
}

/* The input gives a file's bytes in order, whatever size the reads. */
static void test_input_small_reads(void **state)
{
	char path[] = "/tmp/rmsim-input-XXXXXX", want[8192], got[8192];
	struct tr_input *in;
	size_t have = 0;
	ssize_t n;
	FILE *f;
	int err = 0;

	(void)state;
	lines_file(path, 500);
	f = fopen(path, "r");
	assert_non_null(f);
	assert_true(fread(want, 1, sizeof(want), f) > 4000);
	fclose(f);
	in = tr_input_open(path, &err);
	assert_non_null(in);
	while ((n = tr_input_read(in, got + have, 7)) > 0) {
		assert_true(n <= 7);
		have += (size_t)n;
		assert_true(have < sizeof(got));
	}
	assert_int_equal(n, 0);
	tr_input_close(in);
	assert_memory_equal(got, want, have);
	assert_int_equal(got[have - 1], '\n');
	unlink(path);
}

/* tr_line_text: one line as stored, 1-based, cut to the buffer */
static void test_line_text(void **state)
{
	char path[] = "/tmp/rmsim-lines-XXXXXX", buf[64];

	(void)state;
	lines_file(path, 5000);
	assert_int_equal(tr_line_text(path, 1, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "line 1");
	/* past the first read's block */
	assert_int_equal(tr_line_text(path, 4321, buf, sizeof(buf)), 0);
	assert_string_equal(buf, "line 4321");
	assert_int_equal(tr_line_text(path, 5000, buf, 5), 0);
	assert_string_equal(buf, "line");
	assert_int_equal(tr_line_text(path, 5001, buf, sizeof(buf)), -ENOENT);
	assert_int_equal(tr_line_text(path, 0, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(tr_line_text("-", 1, buf, sizeof(buf)), -ENOENT);
	unlink(path);
	assert_int_equal(tr_line_text(path, 1, buf, sizeof(buf)), -ENOENT);
}

/* A call printed raw keeps its six registers across <unfinished ...> */
static void test_raw_call_resumed(void **state)
{
	static struct run r;

	(void)state;
	read_str("100 syscall_0xa(0x7f0000000000, 0x1000, 0x1, 0xffffffff, "
		 "0, 0x7ffc5b220a28 <unfinished ...>\n"
		 "101 getpid()                = 101\n"
		 "100 <... syscall_0xa resumed>) = 0\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].call, TR_MPROTECT);
	assert_int_equal(r.ev[0].arg[1], 0x1000);
	assert_int_equal(r.ev[0].arg[3], 0);
}

/*
 * clone_starts: the unfinished start of an mmap is an event of its own,
 * flagged started, then the resumed call; a start that cannot be read
 * is no event (the resumed call is), nor is the start of another call.
 * all_calls: any other call is an event of TR_OTHER.
 */
static void test_started_and_other_calls(void **state)
{
	static const char text[] =
		"100 mmap(NULL, 8192, PROT_NONE, MAP_PRIVATE|MAP_ANONYMOUS, "
		"-1, 0 <unfinished ...>\n"
		"101 getpid()                = 101\n"
		"100 <... mmap resumed>)     = 0x7f0000000000\n"
		"100 mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, "
		"-1 <unfinished ...>\n"
		"100 <... mmap resumed>, 0)  = 0x7f0000010000\n"
		"102 mprotect(0x7f0000000000, 4096, PROT_READ "
		"<unfinished ...>\n"
		"102 <... mprotect resumed>) = 0\n";
	struct tr_options opt = {.clone_starts = true, .all_calls = true};
	struct tr_event ev[8];
	struct tr_reader *r;
	int fd, n = 0, rc;

	(void)state;
	r = open_text(text, sizeof(text) - 1, &opt, &fd);
	while ((rc = tr_next(r, &ev[n])) > 0)
		assert_true(++n < 8);
	assert_int_equal(rc, 0);
	tr_close(r);
	close(fd);
	assert_int_equal(n, 5);
	assert_int_equal(ev[0].call, TR_MMAP);
	assert_true(ev[0].flags & TR_FLAG_STARTED);
	assert_int_equal(ev[0].arg[1], 8192);
	assert_int_equal(ev[1].call, TR_OTHER);
	assert_int_equal(ev[1].pid, 101);
	assert_int_equal(ev[2].call, TR_MMAP);
	assert_false(ev[2].flags & TR_FLAG_STARTED);
	assert_int_equal(ev[2].ret, 0x7f0000000000);
	assert_int_equal(ev[3].call, TR_MMAP);
	assert_false(ev[3].flags & TR_FLAG_STARTED);
	assert_int_equal(ev[3].ret, 0x7f0000010000);
	/* no start for a call that is no mmap, mremap, munmap or clone */
	assert_int_equal(ev[4].call, TR_MPROTECT);
	assert_false(ev[4].flags & TR_FLAG_STARTED);
}

/* The table against the build host's own numbers */
static void test_sysno_table_matches_host(void **state)
{
#define X(n)                                                                   \
	do {                                                                   \
		if (tr_sysno_name(__NR_##n))                                  \
			assert_string_equal(tr_sysno_name(__NR_##n), #n);      \
		else                                                           \
			fail_msg("no name for %s", #n);                        \
	} while (0)
	X(read); X(mmap); X(mprotect); X(munmap); X(brk); X(mremap);
	X(msync); X(mincore); X(madvise); X(shmget); X(shmat); X(shmctl);
	X(clone); X(fork); X(vfork); X(execve); X(exit); X(shmdt);
	X(mlock); X(munlock); X(mlockall); X(munlockall); X(prctl);
	X(arch_prctl); X(remap_file_pages); X(exit_group); X(openat);
	X(mbind); X(set_mempolicy); X(migrate_pages); X(move_pages);
	X(userfaultfd); X(mlock2); X(pkey_mprotect); X(pkey_alloc);
	X(pkey_free); X(io_uring_setup); X(clone3); X(process_madvise);
	X(memfd_secret); X(memfd_create); X(prlimit64); X(capset);
	X(set_mempolicy_home_node);
#ifdef __NR_map_shadow_stack
	X(map_shadow_stack);
#endif
#ifdef __NR_mseal
	X(mseal);
#endif
#undef X
}

/*
 * Every entry of the table against the build host's kernel headers (the
 * compiler's own list of __NR_ macros): each number the host names has
 * that name in the table, and the table names no number the host leaves
 * empty below its highest.  Numbers above the host's are newer calls,
 * checked against Linux's own table.
 */
static void test_sysno_table_is_the_hosts(void **state)
{
	FILE *f = fopen(RMSIM_HOST_SYSNO, "r");
	static const char *const newer[] = {
		"cachestat",	     "fchmodat2",	 "map_shadow_stack",
		"futex_wake",	     "futex_wait",	 "futex_requeue",
		"statmount",	     "listmount",	 "lsm_get_self_attr",
		"lsm_set_self_attr", "lsm_list_modules", "mseal",
		"setxattrat",	     "getxattrat",	 "listxattrat",
		"removexattrat",     "open_tree_attr",	 "file_getattr",
		"file_setattr",	     "listns",
	};
	static bool host[4096];
	char line[256], name[128];
	unsigned long nr, top = 0, n = 0;

	(void)state;
	assert_non_null(f);
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "#define __NR_%127s %lu", name, &nr) != 2 ||
		    nr >= 4096)
			continue;
		if (!tr_sysno_name(nr))
			fail_msg("no name for %lu (%s)", nr, name);
		if (strcmp(tr_sysno_name(nr), name) != 0)
			fail_msg("%lu is %s, not %s", nr, name,
				 tr_sysno_name(nr));
		host[nr] = true;
		top = nr > top ? nr : top;
		n++;
	}
	fclose(f);
	assert_true(n > 300);
	for (nr = 0; nr <= top; nr++)
		if (!host[nr] && tr_sysno_name(nr))
			fail_msg("%lu is %s, a number the host leaves empty",
				 nr, tr_sysno_name(nr));
	/* the calls newer than the host's headers: Linux's
	 * arch/x86/entry/syscalls/syscall_64.tbl, 451 on */
	for (nr = top + 1; nr < 451; nr++)
		assert_null(tr_sysno_name(nr));
	for (nr = 451; nr <= 470; nr++)
		if (nr > top)
			assert_string_equal(tr_sysno_name(nr), newer[nr - 451]);
	assert_null(tr_sysno_name(471));
}

/* a thread's execve: the leader's pid takes over the unfinished call */
static void test_thread_execve(void **state)
{
	static struct run r;

	read_str("20075 pause( <unfinished ...>\n"
		 "20076 execve(\"/bin/true\", [\"true\"], 0x7ffe79897ea8 /* 37 "
		 "vars */ <unfinished ...>\n"
		 "20075 <... pause resumed>)              = ?\n"
		 "20075 +++ superseded by execve in pid 20076 +++\n"
		 "20075 <... execve resumed>)             = 0\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].call, TR_EXECVE);
	assert_int_equal(r.ev[0].pid, 20075);
	assert_int_equal(r.ev[0].line, 2);
	assert_int_equal(r.st.exits, 1);
}

/* A Go program's exit_group under load: a thread stopped at a call's
 * entry is killed before strace can read which call it was (recorded by
 * rmsim record of tests' Go program on a loaded machine) */
static void test_unnamed_call(void **state)
{
	static struct run r;

	read_str("21545 1796647728.757651 mmap(NULL, 262144, PROT_READ|"
		 "PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = "
		 "0x7f4e721af000 <0.000036>\n"
		 "21545 1796647728.758580 exit_group(0 <unfinished ...>\n"
		 "21547 1796647728.758647 ?\?\?( <unfinished ...>\n"
		 "21545 1796647728.758665 <... exit_group resumed>) = ?\n"
		 "21548 1796647728.758955 +++ exited with 0 +++\n"
		 "21547 1796647728.758973 +++ exited with 0 +++\n"
		 "21546 1796647728.758984 +++ exited with 0 +++\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].call, TR_MMAP);
	assert_int_equal(r.ev[1].call, TR_EXIT_GROUP);
	assert_int_equal(r.st.exits, 3);
	/* its end, where strace saw one */
	read_str("7 ?\?\?( <unfinished ...>\n7 <... ?\?\? resumed>) = ?\n", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 0);
}

/* A pid's second call before the first resumed: its result is lost */
static void test_lost_unfinished(void **state)
{
	static struct run r;
	static const char two[] =
		"[pid 7] mmap(NULL, 4096, PROT_READ, "
		"MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
		"[pid 7] munmap(0x1000, 4096 <unfinished ...>\n"
		"[pid 7] <... munmap resumed>) = 0\n";

	bad(two, "2: pid 7 starts a call while its mmap of line 1 is "
		 "unfinished: that call's result is lost");
	bad("[pid 7] mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, "
	    "-1, 0 <unfinished ...>\n"
	    "[pid 7] munmap(0x1000, 4096) = 0\n",
	    "2: pid 7 starts a call while its mmap of line 1 is "
	    "unfinished: that call's result is lost");
	/* --keep-going: counted, the later call read */
	read_text(two, sizeof(two) - 1, true, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].call, TR_MUNMAP);
	assert_int_equal(r.st.skipped, 1);
	/* after an exit the pid may start afresh (pid reuse) */
	read_str("[pid 7] mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|"
		 "MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
		 "[pid 7] +++ killed by SIGKILL +++\n"
		 "[pid 7] munmap(0x1000, 4096) = 0\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.st.unfinished_at_end, 1);
}

/* strace -C: the trace, then its call summary table (C.strace.xz) */
#define C_HEAD                                                                \
	"% time     seconds  usecs/call     calls    errors syscall\n"        \
	"------ ----------- ----------- --------- --------- ----------------\n"
#define C_ROWS                                                                \
	" 32.27    0.000081           0       220         1 mmap\n"           \
	"  0.00    0.000000           0         3           clone3\n"
#define C_END                                                                 \
	"------ ----------- ----------- --------- --------- ----------------\n" \
	"100.00    0.000251           0       445         1 total\n"
static const char c_table[] = C_HEAD C_ROWS C_END;

static void test_C_summary_skipped(void **state)
{
	static struct run r;
	static char text[2048];

	/* -C, default columns: the table counted and skipped */
	snprintf(text, sizeof(text), "%s%s",
		 "32515 exit_group(0)                     = ?\n"
		 "32515 +++ exited with 0 +++\n", c_table);
	read_str(text, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.st.summaries, 1);
	assert_int_equal(r.st.summary_lines, 6);
	assert_int_equal(r.st.exits, 1);
	/* -C -w -S calls -U name,calls,errors,max-time,time-percent
	 * (C-U.strace.xz): the name first, other titles, other widths */
	read_str("32563 munmap(0x7fbb0a569000, 118784) = 0\n"
		 "syscall              calls    errors  longest % time\n"
		 "---------------- --------- --------- -------- ------\n"
		 "mmap                   220         1 0.032209  85.05\n"
		 "munmap                 202           0.002164  14.71\n"
		 "---------------- --------- --------- -------- ------\n"
		 "total                  438         1 0.032209 100.00\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.st.summaries, 1);
	assert_int_equal(r.st.summary_lines, 6);
	/* several personalities: a heading and a blank line before each
	 * table (the form of strace's count.c), then -A's next run */
	snprintf(text, sizeof(text), "%s%s%s%s%s",
		 "32563 munmap(0x7fbb0a569000, 118784) = 0\n"
		 "System call usage summary for 64 bit mode:\n", c_table,
		 "System call usage summary for 32 bit mode:\n\n", c_table,
		 "32600 munmap(0x7fbb0a569000, 118784) = 0\n");
	read_str(text, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.st.summaries, 2);
	assert_int_equal(r.st.summary_lines, 15);
}

static void test_summary_structure_enforced(void **state)
{
	/* titles without their rule are no table */
	bad("% time     seconds  usecs/call     calls    errors syscall\n"
	    "1 munmap(0x1000, 4096) = 0\n",
	    "1: not a strace line: expected 'name(' after the prefix");
	/* a rule whose groups do not hold the titles */
	bad("% time     seconds  usecs/call     calls    errors syscall\n"
	    "--- ----------- ----------- --------- --------- ----------------\n",
	    "1: not a strace line: expected 'name(' after the prefix");
	/* one group over two titles */
	bad("    calls    errors syscall\n"
	    "------------------ ----------------\n",
	    "1: not a strace line: expected 'name(' after the prefix");
	/* the row after the second rule is the total, and only that one */
	bad(C_HEAD C_ROWS
	    "------ ----------- ----------- --------- --------- "
	    "----------------\n"
	    " 32.27    0.000081           0       220         1 mmap\n",
	    "6: line does not fit the columns of strace's call summary "
	    "table (-c/-C) above it");
	bad(C_HEAD " 32.27    0.000081           0       220         1 total\n"
	    C_END,
	    "3: line does not fit the columns of strace's call summary "
	    "table (-c/-C) above it");
	/* a row that does not fit the columns */
	bad(C_HEAD " 32.27    0.000081  mmap(NULL, 4096)\n" C_END,
	    "3: line does not fit the columns of strace's call summary "
	    "table (-c/-C) above it");
	/* a table cut before its total row */
	bad("1 munmap(0x1000, 4096) = 0\n" C_HEAD C_ROWS,
	    "5: the trace ends inside strace's call summary table "
	    "(-c/-C)");
	/* strace -c: the table alone is no trace (c.summary) */
	bad(c_table, " this is strace -c's call summary, not a trace: -c "
		     "counts calls and prints none of them; record with "
		     "strace -f -tt -o FILE PROGRAM (or strace -C for both), "
		     "or rmsim record");
}

/* -e inject= and -e fault=: the result the program saw, flagged */
static void test_injected_results(void **state)
{
	static struct run r;
	struct tr_event e;

	/* inject.strace.xz: an injected error, delayed, with -T */
	read_str("32563 munmap(0x7fbb0a569000, 118784 <unfinished ...>\n"
		 "32563 <... munmap resumed>)             = -1 EINVAL "
		 "(Invalid argument) (INJECTED) (DELAYED) <0.000033>\n"
		 "32565 madvise(0x7fbb0b5b5000, 8368128, MADV_DONTNEED) = -1 "
		 "ENOSYS (Function not implemented) (INJECTED) <0.000034>\n"
		 "32565 munmap(0x7fbb0a569000, 118784) = 0 <0.000012>\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.ev[0].result, TR_RET_ERROR);
	assert_int_equal(r.ev[0].err, LX_EINVAL);
	assert_int_equal(r.ev[0].flags & (TR_FLAG_INJECTED | TR_FLAG_DELAYED),
			 TR_FLAG_INJECTED | TR_FLAG_DELAYED);
	assert_int_equal(r.ev[1].err, LX_ENOSYS);
	assert_true(r.ev[1].flags & TR_FLAG_INJECTED);
	assert_false(r.ev[2].flags & TR_FLAG_INJECTED);
	assert_int_equal(r.st.injected, 2);
	/* -e inject=mmap:retval=42: the program got 0x2a, not a mapping */
	e = one("12122 mmap(0x7f326226e000, 339968, PROT_READ, MAP_PRIVATE|"
		"MAP_FIXED|MAP_DENYWRITE, 3, 0x17c000) = 0x2a (INJECTED)");
	assert_int_equal(e.result, TR_RET_VALUE);
	assert_int_equal(e.ret, 0x2a);
	assert_true(e.flags & TR_FLAG_INJECTED);
	/* strace 6.5's poke forms; other words stay errors */
	e = one("madvise(0x1000, 4096, MADV_DONTNEED) = 0 "
		"(INJECTED: args, retval)");
	assert_true(e.flags & TR_FLAG_INJECTED);
	bad("munmap(0x1000, 4096) = -1 EINVAL (Invalid argument) "
	    "(SOMETHING)\n",
	    "1: unexpected text after result");
	bad("munmap(0x1000, 4096) = 0 (INJECTED) junk\n",
	    "1: unexpected text after result");
}

/* Write @text to @dir/@name. */
static void put_file(const char *dir, const char *name, const char *text)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/* Read @dir/@name whole into @out (the reader's own message kept). */
static void read_path(const char *dir, const char *name, struct run *out)
{
	struct tr_options opt = {0};
	struct tr_reader *r;
	char path[256];
	int err;

	memset(out, 0, sizeof(*out));
	snprintf(path, sizeof(path), "%s/%s", dir, name);
	r = tr_open(path, &opt, &err);
	assert_non_null(r);
	while ((out->rc = tr_next(r, &out->ev[out->n])) > 0)
		assert_true(++out->n < MAXEV);
	snprintf(out->msg, sizeof(out->msg), "%s", tr_error(r));
	out->st = *tr_reader_stats(r);
	tr_close(r);
}

/*
 * strace -ff -tt -o t: one file per process (tests/strace-variants/ff/),
 * merged in timestamp order; a tie goes to the file that joined first
 * (the parent), lines of one file keep their order; a child file joins
 * when its parent's clone names it.
 */
static void test_ff_family(void **state)
{
	static struct run r;
	char dir[] = "/tmp/rmsim-ff-XXXXXX";
	static const char parent[] =
		"13:31:26.243209 mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
		"MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0301f3e000\n"
		"13:31:26.244901 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|"
		"CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|"
		"CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, "
		"child_tid=0x7f0301735990, parent_tid=0x7f0301735990, "
		"exit_signal=0, stack=0x7f0300f35000, stack_size=0x7fff80, "
		"tls=0x7f03017356c0} => {parent_tid=[11522]}, 88) = 11522\n"
		"13:31:26.245110 munmap(0x7f0301f3e000, 8192) = 0\n"
		"13:31:26.245300 munmap(0x7f0301f3e000, 4096) = 0\n";
	static const char child[] =
		"13:31:26.244901 mmap(NULL, 4096, PROT_READ|PROT_WRITE, "
		"MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0301f30000\n"
		"13:31:26.245110 munmap(0x7f0301f30000, 4096) = 0\n";

	(void)state;
	assert_non_null(mkdtemp(dir));
	put_file(dir, "t.11521", parent);
	put_file(dir, "t.11522", child);
	put_file(dir, "t.11599", child);	/* named by no clone */
	read_path(dir, "t.11521", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 6);
	assert_int_equal(r.st.files, 2);
	assert_int_equal(r.st.pids, 2);
	/* mmap, clone3 (parent), then the child's mmap at the same time */
	assert_int_equal(r.ev[0].pid, 11521);
	assert_int_equal(r.ev[1].call, TR_CLONE3);
	assert_int_equal(r.ev[2].pid, 11522);
	assert_int_equal(r.ev[2].call, TR_MMAP);
	/* a tie at .245110: the parent's munmap first */
	assert_int_equal(r.ev[3].pid, 11521);
	assert_int_equal(r.ev[3].arg[1], 8192);
	assert_int_equal(r.ev[4].pid, 11522);
	assert_int_equal(r.ev[5].pid, 11521);
	assert_int_equal(r.ev[5].arg[1], 4096);
	/* a leaf's file alone: its own pid, nothing else */
	read_path(dir, "t.11522", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.st.files, 1);
	assert_int_equal(r.ev[0].pid, 11522);
	/* without timestamps the order across files is unknown */
	put_file(dir, "n.11521",
		 "mmap(NULL, 8192, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, "
		 "-1, 0) = 0x7f0301f3e000\n"
		 "vfork() = 11522\n");
	put_file(dir, "n.11522", "munmap(0x7f0301f30000, 4096) = 0\n");
	read_path(dir, "n.11521", &r);
	assert_int_equal(r.rc, -EINVAL);
	assert_non_null(strstr(r.msg, "n.11521:2: a strace -ff family (one "
				      "file per process, "));
	assert_non_null(strstr(r.msg, "n.*) without timestamps: the order "
				      "of calls across its files is unknown; "
				      "record with -ff -tt (or -ttt, or "
				      "--timestamps)"));
	/* nor with -r's, which count from each file's previous line */
	put_file(dir, "r.11521", "     0.000000 vfork() = 11522\n");
	put_file(dir, "r.11522", "     0.000100 munmap(0x7f0301f30000, "
				 "4096) = 0\n");
	read_path(dir, "r.11521", &r);
	assert_int_equal(r.rc, -EINVAL);
	assert_non_null(strstr(r.msg, "with -r's relative timestamps"));
	/* a thread's execve (ff-exec/): "<pid changed to N ...>" in the
	 * thread's file, resumed in the leader's */
	put_file(dir, "e.20418",
		 "13:33:37.200499 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|"
		 "CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|"
		 "CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, "
		 "child_tid=0x7f9a42471990, parent_tid=0x7f9a42471990, "
		 "exit_signal=0, stack=0x7f9a41c71000, stack_size=0x7fff80, "
		 "tls=0x7f9a424716c0} => {parent_tid=[20419]}, 88) = 20419\n"
		 "13:33:37.200994 +++ superseded by execve in pid 20419 +++\n"
		 "13:33:37.201852 <... execve resumed>)   = 0\n");
	put_file(dir, "e.20419",
		 "13:33:37.200708 mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|"
		 "MAP_ANONYMOUS, -1, 0) = 0x7f9a42661000\n"
		 "13:33:37.200752 execve(\"/bin/true\", [\"true\"], "
		 "0x7ffd77b26118 /* 37 vars */ <pid changed to 20418 ...>\n");
	read_path(dir, "e.20418", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 3);
	assert_int_equal(r.ev[2].call, TR_EXECVE);
	assert_int_equal(r.ev[2].pid, 20418);
	assert_int_equal(r.ev[2].result, TR_RET_VALUE);
	assert_int_equal(r.st.unfinished_at_end, 0);
	/* a child's file that is not there: read on without it, counted
	 * (and warned about on stderr) */
	put_file(dir, "m.300",
		 "13:31:26.243209 clone(child_stack=NULL, flags=SIGCHLD) = "
		 "301\n"
		 "13:31:26.243300 vfork() = 302\n"
		 "13:31:26.243400 munmap(0x7f0301f30000, 4096) = 0\n");
	put_file(dir, "m.302", "13:31:26.243350 munmap(0x7f0301f40000, "
			       "4096) = 0\n");
	read_path(dir, "m.300", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 4);
	assert_int_equal(r.st.files, 2);
	assert_int_equal(r.st.missing_files, 1);
	assert_int_equal(r.ev[2].pid, 302);
	read_path(dir, "t.11521", &r);
	assert_int_equal(r.st.missing_files, 0);
	/* a name with a number that heads no family reads as before */
	put_file(dir, "x.7", "13:31:26.243209 munmap(0x7f0301f30000, 4096)"
			     " = 0\n");
	read_path(dir, "x.7", &r);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].pid, 7);
	{
		static const char *const names[] = {"t.11521", "t.11522",
						     "t.11599", "n.11521",
						     "n.11522", "r.11521",
						     "r.11522", "x.7",
						     "e.20418", "e.20419",
						     "m.300", "m.302"};
		char path[256];
		size_t i;

		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
			snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
			unlink(path);
		}
		rmdir(dir);
	}
}

/* -e read=3 (read.strace.xz): hex dumps after a read are notes */
static void test_io_dump(void **state)
{
	static struct run r;

	read_str("31579 read(3, \"\\177ELF\\2\\1\\1\\3\\0\\0\\0\\0\\0\\0\\0\\0\\3\\0>"
		 "\\0\\1\\0\\0\\0\\20t\\2\\0\\0\\0\\0\\0\"..., 832) = 832\n"
		 " | 00000  7f 45 4c 46 02 01 01 03  00 00 00 00 00 00 00 00  "
		 ".ELF............ |\n"
		 " | 00010  03 00 3e 00 01 00 00 00  10 74 02 00 00 00 00 00  "
		 "..>......t...... |\n"
		 "31579 munmap(0x7f15e10a3000, 4096) = 0\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.st.notes, 2);
	/* only that shape: a bar line with other text is still an error */
	bad(" | hello |\n", "1: not a strace line: expected 'name(' after "
			    "the prefix");
	/* each mark of the shape counts: the bar after the first space,
	 * the space after it, the offset's hex digits, the closing bar */
	bad(" x 00000  7f 45 4c 46  .ELF |\n", "1: not a strace line: "
		"expected 'name(' after the prefix");
	bad(" |x00000  7f 45 4c 46  .ELF |\n", "1: not a strace line: "
		"expected 'name(' after the prefix");
	bad(" | 0000g  7f 45 4c 46  .ELF |\n", "1: not a strace line: "
		"expected 'name(' after the prefix");
	bad(" | 00000  7f 45 4c 46  .ELF x\n", "1: not a strace line: "
		"expected 'name(' after the prefix");
}

/*
 * -e status= and -z (status-go.strace.xz, z.strace.xz): the rest of a
 * call printed "<unfinished ...>" comes on the very next line, without a
 * pid, with or without a ')' first
 */
static void test_status_bare_rest(void **state)
{
	static struct run r;

	read_str("32477 nanosleep({tv_sec=0, tv_nsec=20000},  <unfinished "
		 "...>\n"
		 "NULL)                                   = 0\n"
		 "32473 mmap(0xc002800000, 4194304, PROT_READ|PROT_WRITE, "
		 "MAP_PRIVATE|MAP_FIXED|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
		 ")                                       = 0xc002800000\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].pid, 32473);
	assert_int_equal(r.ev[0].ret, 0xc002800000);
	assert_int_equal(r.st.calls[TR_OTHER], 1);
	/* not after another line: that one's rest is lost, this is junk */
	bad("32477 nanosleep({tv_sec=0, tv_nsec=20000},  <unfinished ...>\n"
	    "32473 munmap(0x7f15e10a3000, 4096) = 0\n"
	    "NULL)                                   = 0\n",
	    "3: not a strace line: expected 'name(' after the prefix");
}

/*
 * Thousands of threads with a call open at once, resumed in a scrambled
 * order: the pid table (open addressing, entries shifted back on
 * removal) finds each one, with its own line.
 */
static void test_many_pending(void **state)
{
	enum { N = 3000 };
	static char text[N * 2 * 120];
	static int order[N];
	struct tr_options opt = {0};
	struct tr_reader *rd;
	struct tr_event ev;
	size_t len = 0;
	int i, j, t, fd, n = 0;

	for (i = 0; i < N; i++) {
		order[i] = i;
		/* pids three to a slot: 16384 apart, a multiple of the
		 * table size */
		len += (size_t)sprintf(text + len,
				       "[pid %d] munmap(0x%x000, 4096 "
				       "<unfinished ...>\n",
				       1 + (i % 3) * 16384 + i / 3, i + 1);
	}
	for (i = N - 1; i > 0; i--) {
		j = (int)(((unsigned)i * 2654435761u) % (unsigned)(i + 1));
		t = order[i];
		order[i] = order[j];
		order[j] = t;
	}
	for (i = 0; i < N; i++)
		len += (size_t)sprintf(text + len,
				       "[pid %d] <... munmap resumed>) = 0\n",
				       1 + (order[i] % 3) * 16384 +
					       order[i] / 3);
	rd = open_text(text, len, &opt, &fd);
	while (tr_next(rd, &ev) > 0) {
		i = order[n++];
		assert_int_equal(ev.pid, 1 + (i % 3) * 16384 + i / 3);
		assert_int_equal(ev.line, i + 1);
		assert_int_equal(ev.arg[0], ((uint64_t)i + 1) << 12);
	}
	assert_int_equal(n, N);
	assert_int_equal(tr_reader_stats(rd)->unfinished_at_end, 0);
	tr_close(rd);
	close(fd);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_y_deleted),
		cmocka_unit_test(test_y_at_fdcwd_and_escapes),
		cmocka_unit_test(test_yy),
		cmocka_unit_test(test_k_stack_frames),
		cmocka_unit_test(test_i_and_n_prefixes),
		cmocka_unit_test(test_Y_process_names),
		cmocka_unit_test(test_z_Z_and_seccomp),
		cmocka_unit_test(test_stderr_mixed),
		cmocka_unit_test(test_syscall_by_number),
		cmocka_unit_test(test_sysno_table_matches_host),
		cmocka_unit_test(test_sysno_table_is_the_hosts),
		cmocka_unit_test(test_rlimits),
		cmocka_unit_test(test_input_small_reads),
		cmocka_unit_test(test_line_text),
		cmocka_unit_test(test_raw_call_resumed),
		cmocka_unit_test(test_started_and_other_calls),
		cmocka_unit_test(test_thread_execve),
		cmocka_unit_test(test_unnamed_call),
		cmocka_unit_test(test_lost_unfinished),
		cmocka_unit_test(test_many_pending),
		cmocka_unit_test(test_C_summary_skipped),
		cmocka_unit_test(test_summary_structure_enforced),
		cmocka_unit_test(test_injected_results),
		cmocka_unit_test(test_ff_family),
		cmocka_unit_test(test_io_dump),
		cmocka_unit_test(test_status_bare_rest),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
