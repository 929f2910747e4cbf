/*
 * rmsim_exec.c - rmsim-exec PATH ARGV0 ARGS...: execve(PATH, [ARGV0,
 * ARGS...]) and nothing else.
 *
 * Why: strace does not inject into the first execve of the process it
 * starts, so `rmsim record` could not hold the program at the end of
 * its execve to read its maps.  strace starts this instead; the
 * program's execve is then an ordinary traced one.  No C library: its
 * own image makes no system call besides the execve, so the trace shows
 * one more execve line and no other call.  x86-64 Linux only, like the
 * model.
 */

__attribute__((noreturn, used)) void rmsim_exec_main(long *sp);

__asm__(".text\n"
	".global _start\n"
	"_start:\n"
	"\txor %rbp, %rbp\n"
	"\tmov %rsp, %rdi\n"
	"\tand $-16, %rsp\n"
	"\tcall rmsim_exec_main\n"
	"\thlt\n");

static long sys3(long nr, long a, long b, long c)
{
	long r;

	__asm__ volatile("syscall"
			 : "=a"(r)
			 : "a"(nr), "D"(a), "S"(b), "d"(c)
			 : "rcx", "r11", "memory");
	return r;
}

void rmsim_exec_main(long *sp)
{
	static const char msg[] = "rmsim-exec: cannot execute the program\n";
	long argc = sp[0];
	char **argv = (char **)(sp + 1);
	char **envp = argv + argc + 1;
	long r = -2;

	if (argc >= 3)
		r = sys3(59 /* execve */, (long)argv[1], (long)(argv + 2),
			 (long)envp);
	sys3(1 /* write */, 2, (long)msg, sizeof(msg) - 1);
	/* 127 not found, 126 found but not executable, as a shell says */
	sys3(231 /* exit_group */, r == -2 ? 127 : 126, 0, 0);
	for (;;)
		;
}
