/* fdnames.c - a file whose name holds <, >, ", " and "(deleted)", TCP
 * sockets, a pipe and a memfd: how -yy escapes and annotates them. */
#define _GNU_SOURCE
#include <sys/mman.h>
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>
#include <fcntl.h>
int main(void)
{
	int fd = open("we<ird>, name) (deleted)>", O_RDWR|O_CREAT|O_TRUNC, 0600);
	ftruncate(fd, 4096);
	mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(0x7f000001)};
	bind(l, (void*)&a, sizeof a); listen(l, 1);
	socklen_t al = sizeof a; getsockname(l, (void*)&a, &al);
	int c = socket(AF_INET, SOCK_STREAM, 0);
	connect(c, (void*)&a, sizeof a);
	mmap(NULL, 4096, PROT_READ, MAP_SHARED, c, 0);
	int p[2]; pipe(p);
	mmap(NULL, 4096, PROT_READ, MAP_SHARED, p[0], 0);
	int m = memfd_create("a b>c", 0);
	ftruncate(m, 4096);
	mmap(NULL, 4096, PROT_READ, MAP_SHARED, m, 0);
	return 0;
}
