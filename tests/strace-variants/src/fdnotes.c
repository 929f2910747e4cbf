/* fdnotes.c - maps a memfd, an unlinked file, /dev/zero and a socket, calls
 * mseal, memfd_secret and others by number, and vforks: -y and -yy notes. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/socket.h>
#include <unistd.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
int main(void)
{
	int fd = memfd_create("java_heap", 0);
	ftruncate(fd, 8192);
	void *p = mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_SHARED, fd, 0);
	int tf = open("tmpfile", O_RDWR|O_CREAT|O_TRUNC, 0600);
	ftruncate(tf, 4096);
	unlink("tmpfile");
	void *q = mmap(NULL, 4096, PROT_READ, MAP_SHARED, tf, 0);
	int dn = open("/dev/zero", O_RDWR);
	void *z = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, dn, 0);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	mmap(NULL, 4096, PROT_READ, MAP_SHARED, s, 0);
	int d = openat(AT_FDCWD, "x.nonexist", O_RDONLY);
	munmap(p, 8192); munmap(q, 4096); munmap(z, 4096);
	mmap((void*)1, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0);
	long r = syscall(462, 0, 0, 0); /* mseal */
	r = syscall(447, 0);  /* memfd_secret */
	r = syscall(216, 0, 0, 0, 0, 0);
	r = syscall(460, 0, 0, 0, 0);
	pid_t c = vfork();
	if (c == 0) _exit(0);
	waitpid(c, NULL, 0);
	(void)r; (void)d;
	return 0;
}
