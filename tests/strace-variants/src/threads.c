/* threads.c - four threads mapping and unmapping at once, then vfork and
 * execve: unfinished and resumed calls under -f. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <unistd.h>
#include <pthread.h>
#include <sys/wait.h>
static void *th(void *a) { for (int i = 0; i < 50; i++) { void *p = mmap(NULL, 4096*(i+1), PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0); munmap(p, 4096*(i+1)); } return a; }
int main(void)
{
	pthread_t t[3];
	for (int i = 0; i < 3; i++) pthread_create(&t[i], NULL, th, NULL);
	th(NULL);
	for (int i = 0; i < 3; i++) pthread_join(t[i], NULL);
	mmap((void*)1, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0);
	pid_t c = vfork();
	if (c == 0) { execl("/bin/true", "true", (char*)0); _exit(1); }
	waitpid(c, NULL, 0);
	return 0;
}
