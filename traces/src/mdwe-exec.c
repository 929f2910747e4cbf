/*
 * mdwe-exec.c - memory-deny-write-execute across execve: the program
 * sets PR_SET_MDWE (with PR_MDWE_NO_INHERIT when given an argument),
 * execs itself, and the new image tries a writable and executable
 * mapping, which Linux refuses (EACCES) unless NO_INHERIT dropped the
 * setting at the exec.
 */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <unistd.h>

#define PR_SET_MDWE_ 65		/* Linux 6.3; not in older headers */

int main(int argc, char **argv)
{
	if (argc > 1 && strcmp(argv[1], "child") == 0) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
			       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

		printf("wx mmap %s\n", p == MAP_FAILED ? "refused" : "made");
		return 0;
	}
	/* PR_MDWE_REFUSE_EXEC_GAIN, | PR_MDWE_NO_INHERIT with an argument */
	if (prctl(PR_SET_MDWE_, argc > 1 ? 3 : 1, 0, 0, 0))
		perror("prctl");
	execl("/proc/self/exe", argv[0], "child", (char *)NULL);
	return 1;
}
