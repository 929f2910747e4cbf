/* thread_exec.c - a thread other than the leader calls execve. */
#include <pthread.h>
#include <unistd.h>
#include <sys/mman.h>
static void *th(void *a) { mmap(0, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0); execl("/bin/true", "true", (char*)0); return a; }
int main(void) { pthread_t t; pthread_create(&t, 0, th, 0); for (;;) pause(); }
