/*
 * rawio.c - CAP_SYS_RAWIO and mmap_min_addr: run as root, the program
 * maps a page at address 0 (below vm.mmap_min_addr, allowed with
 * CAP_SYS_RAWIO), unmaps it, drops every capability with capset, and
 * tries again: EPERM.
 */
#include <linux/capability.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

static void try(const char *when)
{
	void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, -1, 0);

	printf("%s: MAP_FIXED at 0 %s\n", when,
	       p == MAP_FAILED ? "refused" : "made");
	if (p != MAP_FAILED)
		munmap(p, 4096);
}

int main(void)
{
	struct __user_cap_header_struct h = {_LINUX_CAPABILITY_VERSION_3, 0};
	struct __user_cap_data_struct d[2];

	try("privileged");
	memset(d, 0, sizeof(d));
	if (syscall(SYS_capset, &h, d))
		perror("capset");
	try("without capabilities");
	return 0;
}
