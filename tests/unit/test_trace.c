/*
 * test_trace.c - the strace reader: every prefix and timestamp variant,
 * each call's argument decoding, split calls, compressed input, and each
 * kind of malformed input with its exact message.
 */

#include "trace_fixture.h"
#include "trace/sha256.h"

static void test_mmap_symbolic(void **state)
{
	struct tr_event e = one("mmap(NULL, 67108864, PROT_NONE, "
				"MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE, -1, "
				"0) = 0x7f8d44e00000\n");

	assert_int_equal(e.call, TR_MMAP);
	assert_int_equal(e.nargs, 6);
	assert_int_equal(e.arg[0], 0);
	assert_int_equal(e.arg[1], 67108864);
	assert_int_equal(e.arg[2], LX_PROT_NONE);
	assert_int_equal(e.arg[3],
			 LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_NORESERVE);
	assert_int_equal((int)e.arg[4], -1);
	assert_int_equal(e.result, TR_RET_VALUE);
	assert_int_equal(e.ret, 0x7f8d44e00000);
	assert_int_equal(e.line, 1);
	assert_int_equal(e.pid, 0);
	assert_false(e.has_ts);
	assert_null(e.fd_path);
}

static void test_mmap_error_and_noreplace(void **state)
{
	struct tr_event e = one(
		"mmap(0x7f8d44e00000, 1048576, PROT_READ, MAP_PRIVATE|"
		"MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0) = -1 EEXIST (File "
		"exists)");

	assert_int_equal(e.arg[3], LX_MAP_PRIVATE | LX_MAP_ANONYMOUS |
					   LX_MAP_FIXED_NOREPLACE);
	assert_int_equal(e.result, TR_RET_ERROR);
	assert_int_equal(e.ret, -1);
	assert_int_equal(e.err, LX_EEXIST);
}

static void test_mmap_raw_and_verbose(void **state)
{
	struct tr_event e;

	/* -X raw */
	e = one("mmap(NULL, 1974096, 0x1, 0x802, 3, 0) = 0x7f0\n");
	assert_int_equal(e.arg[2], 1);
	assert_int_equal(e.arg[3], 0x802);
	assert_int_equal(e.arg[4], 3);
	/* -e raw=mmap, with its error form */
	e = one("mmap(0, 0x2000, 0x3, 0x22, 0xffffffff, 0) = -1 (errno 12)\n");
	assert_int_equal(e.arg[1], 0x2000);
	assert_int_equal((int32_t)e.arg[4], -1);
	assert_int_equal(e.result, TR_RET_ERROR);
	assert_int_equal(e.err, LX_ENOMEM);
	/* -X verbose */
	e = one("mmap(NULL, 8192, 0x3 /* PROT_READ|PROT_WRITE */, 0x22 /* "
		"MAP_PRIVATE|MAP_ANONYMOUS */, -1, 0) = 0x7f0\n");
	assert_int_equal(e.arg[2], 3);
	assert_int_equal(e.arg[3], 0x22);
	/* hugetlb size encoded as a shift */
	e = one("mmap(NULL, 2097152, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
		"MAP_ANONYMOUS|MAP_HUGETLB|21<<MAP_HUGE_SHIFT, -1, 0) = "
		"0x7f0\n");
	assert_int_equal(e.arg[3], 0x22 | 0x40000 | (21ULL << 26));
}

static void test_fd_path(void **state)
{
	static struct run r;

	read_str("mmap(NULL, 4096, PROT_READ, MAP_SHARED, 3</tmp/a b>c, d>, "
		 "4096) = 0x7f0\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.ev[0].arg[4], 3);
	assert_int_equal(r.ev[0].arg[5], 4096);
	assert_string_equal(r.path[0], "/tmp/a b>c, d");
}

static void test_prefixes_and_timestamps(void **state)
{
	struct tr_event e;

	e = one("[pid  4579] 08:16:47.154910 munmap(0x1000, 4096) = 0\n");
	assert_int_equal(e.pid, 4579);
	assert_true(e.has_ts);
	assert_int_equal(e.ts_us, ((8 * 60 + 16) * 60 + 47) * 1000000LL +
					  154910);
	e = one("4277  1795681288.267756 munmap(0x1000, 4096) = 0\n");
	assert_int_equal(e.pid, 4277);
	assert_int_equal(e.ts_us, 1795681288267756LL);
	e = one("     0.000123 munmap(0x1000, 4096) = 0 <0.000012>\n");
	assert_int_equal(e.pid, 0);
	assert_int_equal(e.ts_us, 123);
	e = one("08:16:47 munmap(0x1000, 4096) = 0\n");
	assert_int_equal(e.ts_us, ((8 * 60 + 16) * 60 + 47) * 1000000LL);
	e = one("1234  08:16:47.1 munmap(0x1000, 4096) = 0\r\n");
	assert_int_equal(e.pid, 1234);
	assert_int_equal(e.ts_us % 1000000, 100000);
	/* nanosecond precision is cut to microseconds */
	e = one("[pid 7] 1.123456789 munmap(0x1000, 4096) = 0\n");
	assert_int_equal(e.ts_us, 1123456);
}

static void test_each_call(void **state)
{
	struct tr_event e;

	e = one("munmap(0x7f0000000000, 8192) = 0");
	assert_int_equal(e.call, TR_MUNMAP);
	assert_int_equal(e.arg[1], 8192);
	e = one("mprotect(0x7f0000000000, 4096, PROT_READ|PROT_EXEC) = 0");
	assert_int_equal(e.call, TR_MPROTECT);
	assert_int_equal(e.arg[2], 5);
	e = one("pkey_mprotect(0x1000, 4096, PROT_READ, -1) = 0");
	assert_int_equal(e.call, TR_PKEY_MPROTECT);
	assert_int_equal((int)e.arg[3], -1);
	e = one("madvise(0x1000, 4096, MADV_DONTNEED) = 0");
	assert_int_equal(e.call, TR_MADVISE);
	assert_int_equal(e.arg[2], LX_MADV_DONTNEED);
	e = one("madvise(0x1000, 4096, 0x66 /* MADV_??? */) = -1 EINVAL "
		"(Invalid argument)");
	assert_int_equal(e.arg[2], 0x66);
	assert_int_equal(e.err, LX_EINVAL);
	e = one("mremap(0x1000, 4096, 8192, MREMAP_MAYMOVE) = 0x2000");
	assert_int_equal(e.call, TR_MREMAP);
	assert_int_equal(e.nargs, 5);
	assert_int_equal(e.arg[3], LX_MREMAP_MAYMOVE);
	assert_int_equal(e.arg[4], 0);
	e = one("mremap(0x1000, 4096, 8192, MREMAP_MAYMOVE|MREMAP_FIXED, "
		"0x9000) = 0x9000");
	assert_int_equal(e.arg[3], 3);
	assert_int_equal(e.arg[4], 0x9000);
	e = one("msync(0x1000, 4096, MS_ASYNC|MS_SYNC) = -1 EINVAL (Invalid "
		"argument)");
	assert_int_equal(e.call, TR_MSYNC);
	assert_int_equal(e.arg[2], 5);
	e = one("brk(NULL) = 0x556b87027000");
	assert_int_equal(e.call, TR_BRK);
	assert_int_equal(e.arg[0], 0);
	assert_int_equal(e.ret, 0x556b87027000);
	e = one("mlock(0x1000, 4096) = -1 EAGAIN (Resource temporarily "
		"unavailable)");
	assert_int_equal(e.call, TR_MLOCK);
	assert_int_equal(e.err, LX_EAGAIN);
	e = one("mlock2(0x1000, 4096, MLOCK_ONFAULT) = 0");
	assert_int_equal(e.call, TR_MLOCK2);
	assert_int_equal(e.arg[2], 1);
	e = one("munlock(0x1000, 4096) = 0");
	assert_int_equal(e.call, TR_MUNLOCK);
	e = one("mlockall(MCL_CURRENT|MCL_FUTURE) = 0");
	assert_int_equal(e.call, TR_MLOCKALL);
	assert_int_equal(e.arg[0], 3);
	e = one("munlockall() = 0");
	assert_int_equal(e.call, TR_MUNLOCKALL);
	assert_int_equal(e.nargs, 0);
	e = one("mincore(0x1000, 12288, [1, 0, 1]) = 0");
	assert_int_equal(e.call, TR_MINCORE);
	assert_int_equal(e.arg[1], 12288);
	e = one("mincore(0x1000, 4096, 0x7ffd0000) = -1 ENOMEM (Cannot "
		"allocate memory)");
	assert_int_equal(e.arg[2], 0x7ffd0000);
	e = one("fork() = 1234");
	assert_int_equal(e.call, TR_FORK);
	assert_int_equal(e.ret, 1234);
	e = one("vfork() = 1235");
	assert_int_equal(e.call, TR_VFORK);
	e = one("execve(\"/bin/true\", [\"true\"], 0x7ffd /* 20 vars */) = 0");
	assert_int_equal(e.call, TR_EXECVE);
	e = one("exit_group(3) = ?");
	assert_int_equal(e.call, TR_EXIT_GROUP);
	assert_int_equal(e.arg[0], 3);
	assert_int_equal(e.result, TR_RET_UNKNOWN);
}

static void test_clone_variants(void **state)
{
	struct tr_event e;

	e = one("clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|"
		"CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f1) = 1234");
	assert_int_equal(e.call, TR_CLONE);
	assert_int_equal(e.arg[0], 0x1200011);
	assert_false(e.flags & TR_FLAG_CLONE_FLAGS_UNKNOWN);
	e = one("clone(child_stack=0x7f00, flags=CLONE_VM|CLONE_FS|"
		"CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|"
		"CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, "
		"parent_tid=[1240], tls=0x7f, child_tidptr=0x7f) = 1240");
	assert_true(e.arg[0] & LX_CLONE_VM);
	e = one("clone(0x1200011, 0, 0, 0x7f1, 0) = 1234");
	assert_int_equal(e.arg[0], 0x1200011);
	e = one("clone3({flags=CLONE_VM|CLONE_THREAD, child_tid=0x7f8, "
		"exit_signal=0, stack=0x7f, stack_size=0x7fff00, tls=0x7f} => "
		"{parent_tid=[1235]}, 88) = 1235");
	assert_int_equal(e.call, TR_CLONE3);
	assert_int_equal(e.arg[0], LX_CLONE_VM | LX_CLONE_THREAD);
	assert_false(e.flags & TR_FLAG_CLONE_FLAGS_UNKNOWN);
	e = one("clone3(0x7ffc12345678, 88) = 1236");
	assert_true(e.flags & TR_FLAG_CLONE_FLAGS_UNKNOWN);
}

static void test_unfinished_resumed(void **state)
{
	static struct run r;

	read_str("[pid 12] mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
		 "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
		 "[pid 13] munmap(0x5000, 4096 <unfinished ...>\n"
		 "[pid 14] --- SIGURG {si_signo=SIGURG} ---\n"
		 "[pid 13] <... munmap resumed>) = 0\n"
		 "[pid 12] <... mmap resumed>) = 0x7f0000001000\n"
		 "[pid 13] +++ exited with 0 +++\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].call, TR_MUNMAP);
	assert_int_equal(r.ev[0].line, 2);
	assert_int_equal(r.ev[0].pid, 13);
	assert_true(r.ev[0].flags & TR_FLAG_RESUMED);
	assert_int_equal(r.ev[1].call, TR_MMAP);
	assert_int_equal(r.ev[1].line, 1);
	assert_int_equal(r.ev[1].arg[1], 8192);
	assert_int_equal(r.ev[1].ret, 0x7f0000001000);
	assert_int_equal(r.st.signals, 1);
	assert_int_equal(r.st.exits, 1);
	assert_int_equal(r.st.pids, 3);
	/* strace's note cutting a line when it writes to stderr */
	read_str("[pid 5] clone3({flags=CLONE_VM, stack_size=0x1}strace: "
		 "Process 6781 attached\n"
		 " => {parent_tid=[6781]}, 88) = 6781 <0.000058>\n"
		 "[pid 6781] munmap(0x1000, 4096) = 0\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.ev[0].call, TR_CLONE3);
	assert_int_equal(r.ev[0].pid, 5);
	assert_int_equal(r.ev[0].arg[0], LX_CLONE_VM);
	assert_int_equal(r.ev[0].ret, 6781);
	assert_int_equal(r.st.notes, 1);
	/* split in the middle of the argument list */
	read_str("[pid 1] mremap(0x1000, 4096 <unfinished ...>\n"
		 "[pid 1] <... mremap resumed>, 8192, MREMAP_MAYMOVE) = "
		 "0x9000\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.ev[0].arg[2], 8192);
	/* never resumed: counted, not an event */
	read_str("[pid 1] mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|"
		 "MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
		 "[pid 1] +++ killed by SIGKILL +++\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.st.unfinished_at_end, 1);
}

static void test_other_calls_and_notes(void **state)
{
	static struct run r;

	read_str("write(1, \"hello) = 5\\n\", 11) = 11\n"
		 "futex(0x1, FUTEX_WAIT, 0, NULL <unfinished ...>\n"
		 "<... futex resumed>) = -1 EAGAIN (Resource temporarily "
		 "unavailable)\n"
		 "strace: Process 99 attached\n"
		 "\n"
		 "restart_syscall(<... resuming interrupted read ...>) = 0\n"
		 "syscall_0x1c3(0x1, 0x2) = -1 ENOSYS (Function not "
		 "implemented)\n"
		 "rt_sigreturn({mask=[]}) = 0\n"
		 "read(3, ..., 4096) = ? ERESTARTSYS (To be restarted if "
		 "SA_RESTART is set)\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 0);
	assert_int_equal(r.st.calls[TR_OTHER], 6);
	assert_int_equal(r.st.notes, 2);
}

/* The calls added for sealing, MDWE, secret memory and the address-space
 * calls that are only counted: lines as strace 6.1 printed them. */
static void test_new_calls(void **state)
{
	static struct run r;
	struct tr_event e;

	e = one("mseal(0x7f5e084f9000, 4096, 0) = 0\n");
	assert_int_equal(e.call, TR_MSEAL);
	assert_int_equal(e.arg[0], 0x7f5e084f9000ULL);
	assert_int_equal(e.arg[1], 4096);
	/* raw, as strace before 6.10 prints it */
	e = one("syscall_0x1ce(0x7f5e084f9000, 0x1000, 0, 0xffffffff, 0, 0) = "
		"0\n");
	assert_int_equal(e.call, TR_MSEAL);
	assert_int_equal(e.arg[1], 0x1000);
	assert_int_equal(e.arg[3], 0);
	e = one("prctl(0x41 /* PR_??? */, 0x1, 0, 0, 0)  = 0\n");
	assert_int_equal(e.call, TR_PRCTL);
	assert_int_equal(e.arg[0], 65);
	assert_int_equal(e.arg[1], 1);
	assert_false(e.flags & TR_FLAG_ARGS_UNKNOWN);
	e = one("prctl(0x42 /* PR_??? */, 0, 0, 0, 0)    = 1\n");
	assert_int_equal(e.ret, 1);
	e = one("prctl(PR_SET_MDWE, PR_MDWE_REFUSE_EXEC_GAIN, 0, 0, 0) = 0\n");
	assert_int_equal(e.arg[0], 65);
	e = one("prctl(PR_SET_NAME, \"xx\")                = 0\n");
	assert_true(e.flags & TR_FLAG_ARGS_UNKNOWN);
	e = one("prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME, 0x7f3c5a200000, "
		"2097152, \"heap\") = 0\n");
	assert_true(e.flags & TR_FLAG_ARGS_UNKNOWN);
	e = one("memfd_secret(0)                         = 3\n");
	assert_int_equal(e.call, TR_MEMFD_SECRET);
	assert_int_equal(e.ret, 3);
	e = one("capset({version=_LINUX_CAPABILITY_VERSION_3, pid=0}, "
		"{effective=1<<CAP_SYS_RAWIO, permitted=1<<CAP_SYS_RAWIO, "
		"inheritable=0}) = 0\n");
	assert_int_equal(e.arg[0], 0);
	assert_int_equal(e.arg[1], 1);
	read_str("pkey_alloc(0, 0)                        = -1 EINVAL "
		 "(Invalid argument)\n"
		 "shmat(65538, NULL, SHM_RDONLY) = 0x7f0c1a2b3000\n"
		 "shmdt(0x7f0c1a2b3000) = 0\n"
		 "userfaultfd(O_CLOEXEC|UFFD_USER_MODE_ONLY) = 3\n"
		 "io_uring_setup(8, {flags=0, sq_thread_cpu=0, "
		 "sq_thread_idle=0, sq_entries=8, cq_entries=16, "
		 "features=IORING_FEAT_SINGLE_MMAP}) = 4\n"
		 "process_madvise(5, [{iov_base=0x7f0000000000, "
		 "iov_len=4096}], 1, MADV_COLD, 0) = 4096\n",
		 &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 6);
	assert_int_equal(r.ev[0].call, TR_PKEY_ALLOC);
	assert_int_equal(r.ev[1].call, TR_SHMAT);
	assert_true(tr_call_unmodelled(r.ev[5].call));
	assert_int_equal(r.st.calls[TR_OTHER], 0);
}

static void test_malformed(void **state)
{
	bad("mmap(NULL, 4096, PROT_READ", "1: truncated line: missing ')'");
	bad("mmap(NULL, 4096, PROT_READ, 0xf /* MAP_??? */|PROT_BAD, -1, 0) = "
	    "0",
	    "1: unknown constant");
	bad("munmap(0x1000, 4096)", "1: truncated line: missing result");
	bad("munmap(0x1000, 4096) =", "1: truncated line: missing result");
	bad("munmap(0x1000, ", "1: truncated line: missing argument");
	bad("munmap(0x10000000000000000, 4096) = 0",
	    "1: number overflows 64 bits");
	bad("munmap(18446744073709551616, 4096) = 0",
	    "1: number overflows 64 bits");
	bad("munmap(0x1000, 4096) = 0x1ffffffffffffffff",
	    "1: number overflows 64 bits");
	bad("munmap(0x1000, 12z) = 0", "1: malformed number");
	bad("mprotect(0x1000, 4096, PROT_BOGUS) = 0", "1: unknown constant");
	bad("munmap(0x1000) = 0", "1: wrong number of arguments for this call");
	bad("munmap(0x1000, 4096, 1) = 0",
	    "1: wrong number of arguments for this call");
	bad("munmap(0x1000, 4096) = 0 garbage",
	    "1: unexpected text after result");
	bad("munmap(0x1000, 4096) = 5 ENOMEM (x)",
	    "1: errno after a result other than -1");
	bad("munmap(0x1000, 4096) = -1 (errno 0)", "1: malformed '(errno N)'");
	bad("munmap(0x1000, 4096) 0", "1: expected '=' after ')'");
	bad("munmap(0x1000; 4096) = 0",
	    "1: expected ',' or ')' after argument");
	bad("munmap(\"x\", 4096) = 0", "1: argument is not a number");
	bad("mmap(NULL, 4096, PROT_READ, MAP_SHARED, 3</tmp/x, 0) = 0",
	    "1: truncated line: unterminated fd path");
	bad("munmap(0x1000, 4096) = 0\n<... mmap resumed>) = 0\n",
	    "2: resumed call with no unfinished partner");
	bad("[pid 1] munmap(0x1000, 4096 <unfinished ...>\n"
	    "[pid 1] <... mmap resumed>) = 0\n",
	    "2: resumed call does not match the unfinished call of this pid");
	bad("hello world\n",
	    "1: not a strace line: expected 'name(' after the prefix");
	bad("[pid x] munmap(0x1000, 4096) = 0",
	    "1: malformed '[pid N]' prefix");
	bad("12:3x munmap(0x1000, 4096) = 0", "1: malformed time of day");
	bad("1234567890123456.5 munmap(0x1000, 4096) = 0",
	    "1: number too long in line prefix");
	bad("<... mmap resumed) = 0", "1: malformed '<... NAME resumed>'");
	bad("[pid 12] \n", "1: line has a prefix but no call");
	bad("write(1, \"abc\", 3\n", "1: truncated line: missing result");
	bad("mincore(0x1000, 4096, [1, 0) = 0",
	    "1: unbalanced brackets");
	bad("mincore(0x1000, 4096, [1, 0", "1: truncated line: unbalanced brackets");
}

static void test_binary_garbage(void **state)
{
	static struct run r;
	static const char text[] = "munmap(0x1000, 4096) = 0\n\x01\x02\xff\x00"
				   "zz\n";

	read_text(text, sizeof(text) - 1, false, &r);
	assert_int_equal(r.rc, -EINVAL);
	assert_int_equal(r.n, 1);
	assert_string_equal(r.msg, "2: binary data in line");
}

static void test_keep_going_counts(void **state)
{
	static struct run r;
	static const char text[] = "munmap(0x1000, 4096) = 0\n"
				   "garbage\n"
				   "munmap(0x1000, 4096 = 0\n"
				   "munmap(0x2000, 4096) = 0\n";

	read_text(text, sizeof(text) - 1, true, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 2);
	assert_int_equal(r.st.skipped, 2);
	assert_int_equal(r.ev[1].seq, 2);
	assert_int_equal(r.ev[1].line, 4);
	/* the first skipped line is the one reported */
	assert_string_equal(r.msg,
			    "2: not a strace line: expected 'name(' after the "
			    "prefix");
}

static void test_long_line_and_last_line(void **state)
{
	static struct run r;
	size_t n = 600 * 1024, i;
	char *text = malloc(n + 64);
	const char *cut;

	/* a 600 KiB argument forces the line buffer to grow */
	strcpy(text, "write(1, \"");
	for (i = strlen(text); i < n; i++)
		text[i] = 'a';
	strcpy(text + n, "\", 3) = 3\nmunmap(0x1000, 4096) = 0\n");
	read_text(text, strlen(text), false, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.ev[0].line, 2);
	/* a last line without its newline was cut, maybe inside its result
	 * ("= 0x7f12" of "= 0x7f1234560000"): an error, after what came
	 * before */
	text[strlen(text) - 1] = '\0';
	read_text(text, strlen(text), false, &r);
	free(text);
	assert_int_equal(r.rc, -EINVAL);
	assert_int_equal(r.n, 0);
	assert_string_equal(r.msg, "2: truncated line: the trace ends "
				   "inside this call (no newline after it)");
	cut = "brk(NULL) = 0x1000\nmmap(NULL, 4096, PROT_READ, "
	      "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f12";
	read_text(cut, strlen(cut), true, &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 1);
	assert_int_equal(r.st.skipped, 1);
	/* other lines may end the file without one */
	read_str("munmap(0x1000, 4096) = 0\n+++ exited with 0 +++", &r);
	assert_int_equal(r.rc, 0);
	assert_int_equal(r.n, 1);
}

static int no_vars(void *ctx, const char *name, size_t len, uint64_t *val)
{
	(void)ctx;
	(void)name;
	(void)len;
	(void)val;
	return -1;
}

/* The case language's expressions nest by recursion, under a bound */
static void test_expr_nesting(void **state)
{
	static char s[300000];
	const struct tr_expr_env env = {no_vars, NULL};
	const char *why = NULL;
	uint64_t v;
	size_t end, i, n;

	for (n = 64; n <= 65; n++) {
		for (i = 0; i < n; i++)
			s[i] = '(';
		s[n] = '7';
		for (i = 0; i < n; i++)
			s[n + 1 + i] = ')';
		s[2 * n + 1] = '\0';
		if (n == 64) {
			assert_int_equal(tr_parse_expr(s, strlen(s), &env, &v,
						       &end, &why), 0);
			assert_int_equal(v, 7);
		} else {
			assert_int_equal(tr_parse_expr(s, strlen(s), &env, &v,
						       &end, &why), -1);
			assert_string_equal(why,
					    "expression nested too deeply");
		}
	}
	/* 60,000 parentheses, 200,000 minuses: a message, not a crash */
	memset(s, '(', 60000);
	strcpy(s + 60000, "1");
	assert_int_equal(tr_parse_expr(s, strlen(s), &env, &v, &end, &why),
			 -1);
	memset(s, '-', 200000);
	strcpy(s + 200000, "1");
	assert_int_equal(tr_parse_expr(s, strlen(s), &env, &v, &end, &why),
			 -1);
	assert_string_equal(why, "expression nested too deeply");
	/* depth is nesting, not length: a long flat sum is fine */
	for (i = 0; i < 20000; i++)
		memcpy(s + 4 * i, "(1)+", 4);
	strcpy(s + 80000, "-(-1)");
	assert_int_equal(tr_parse_expr(s, strlen(s), &env, &v, &end, &why),
			 0);
	assert_int_equal(v, 20001);
}

/* Compressed input is recognised by its magic, whatever the name. */
static void test_compressed(void **state)
{
	const char *src = getenv("RMSIM_SOURCE_DIR");
	char cmd[1024], dir[] = "/tmp/rmsim-tr-XXXXXX";
	static struct run r;
	struct tr_reader *rd;
	struct tr_event ev;
	int err, n, fmt;
	static const char *const tools[] = {"gzip -c", "xz -c"};

	(void)src;
	assert_non_null(mkdtemp(dir));
	for (fmt = 0; fmt < 2; fmt++) {
		snprintf(cmd, sizeof(cmd),
			 "printf 'brk(NULL) = 0x1000\\nmunmap(0x1000, 4096) = "
			 "0\\n' | %s > %s/t.strace",
			 tools[fmt], dir);
		if (system(cmd) != 0)
			skip();
		snprintf(cmd, sizeof(cmd), "%s/t.strace", dir);
		rd = tr_open(cmd, NULL, &err);
		assert_non_null(rd);
		n = 0;
		while (tr_next(rd, &ev) > 0)
			n++;
		assert_int_equal(n, 2);
		tr_close(rd);
		/* a corrupt or cut stream is bad data, not a crash and not
		 * a read error */
		snprintf(cmd, sizeof(cmd),
			 "head -c 30 %s/t.strace > %s/c.strace", dir, dir);
		assert_int_equal(system(cmd), 0);
		snprintf(cmd, sizeof(cmd), "%s/c.strace", dir);
		rd = tr_open(cmd, NULL, &err);
		assert_non_null(rd);
		while ((n = tr_next(rd, &ev)) > 0)
			;
		assert_int_equal(n, -EINVAL);
		assert_non_null(strstr(tr_error(rd), fmt ? "xz data"
							 : "gzip data"));
		tr_close(rd);
	}
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
	(void)r;
}

static void test_missing_file(void **state)
{
	int err = 0;

	assert_null(tr_open("/nonexistent/trace", NULL, &err));
	assert_int_equal(err, -ENOENT);
	assert_true(tr_missing_input(err));
	/* a directory opens, but is no trace */
	assert_null(tr_open("/", NULL, &err));
	assert_int_equal(err, -EISDIR);
	assert_true(tr_missing_input(err));
	assert_false(tr_missing_input(-EIO));
}

/*
 * The trace checksum is SHA-256 (FIPS 180-4's test vectors, one and two
 * blocks and the padding's edge at 55/56/64 bytes), the same fed at
 * once or in pieces of any size, and the same for a file's bytes.
 */
static void sha256_vectors(void)
{
	static const char two[] =
		"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";
	static char big[1000000];
	char hex[65], once[65], path[] = "/tmp/rmsim-sha-XXXXXX";
	struct tr_sha256 s;
	size_t len, cut, step;
	FILE *f;
	int fd;

	tr_sha256("", 0, hex);
	assert_string_equal(hex, "e3b0c44298fc1c149afbf4c8996fb924"
				 "27ae41e4649b934ca495991b7852b855");
	tr_sha256("abc", 3, hex);
	assert_string_equal(hex, "ba7816bf8f01cfea414140de5dae2223"
				 "b00361a396177a9cb410ff61f20015ad");
	tr_sha256(two, strlen(two), hex);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039"
				 "a33ce45964ff2167f6ecedd419db06c1");
	memset(big, 'a', sizeof(big));
	tr_sha256_init(&s);
	for (cut = 0; cut < sizeof(big); cut += 1000)
		tr_sha256_add(&s, big + cut, 1000);
	tr_sha256_end(&s, hex);
	assert_string_equal(hex, "cdc76e5c9914fb9281a1c7e284d73e67"
				 "f1809a48a497200e046d39ccc7112cd0");
	/* any split of any length near a block's end: the same digest */
	for (len = 50; len <= 130; len++) {
		tr_sha256(big, len, once);
		for (step = 1; step <= 65; step += 16) {
			tr_sha256_init(&s);
			for (cut = 0; cut < len; cut += step)
				tr_sha256_add(&s, big + cut,
					      len - cut < step ? len - cut
							       : step);
			tr_sha256_end(&s, hex);
			assert_string_equal(hex, once);
		}
	}
	fd = mkstemp(path);
	assert_true(fd >= 0);
	f = fdopen(fd, "w");
	assert_non_null(f);
	assert_int_equal(fwrite(two, 1, strlen(two), f), strlen(two));
	fclose(f);
	assert_int_equal(tr_sha256_file(path, hex), 0);
	assert_string_equal(hex, "248d6a61d20638b8e5c026930c3e6039"
				 "a33ce45964ff2167f6ecedd419db06c1");
	unlink(path);
	assert_int_equal(tr_sha256_file(path, hex), -ENOENT);
}

/* Both block functions: the CPU's SHA instructions where it has them,
 * and the portable code. */
static void test_sha256(void **state)
{
	(void)state;
	sha256_vectors();
	tr_sha256_portable(true);
	sha256_vectors();
	tr_sha256_portable(false);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mmap_symbolic),
		cmocka_unit_test(test_mmap_error_and_noreplace),
		cmocka_unit_test(test_mmap_raw_and_verbose),
		cmocka_unit_test(test_fd_path),
		cmocka_unit_test(test_prefixes_and_timestamps),
		cmocka_unit_test(test_each_call),
		cmocka_unit_test(test_clone_variants),
		cmocka_unit_test(test_unfinished_resumed),
		cmocka_unit_test(test_other_calls_and_notes),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_new_calls),
		cmocka_unit_test(test_binary_garbage),
		cmocka_unit_test(test_keep_going_counts),
		cmocka_unit_test(test_long_line_and_last_line),
		cmocka_unit_test(test_expr_nesting),
		cmocka_unit_test(test_compressed),
		cmocka_unit_test(test_missing_file),
		cmocka_unit_test(test_sha256),
	};

	return cmocka_run_group_tests_name("trace", tests, NULL, NULL);
}
