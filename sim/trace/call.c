/*
 * call.c - the table of calls the trace reader recognises: names as
 * strace prints them and how many arguments each keeps in a tr_event.
 */
#include "rmsim/trace.h"

#include <string.h>

static const char *const call_names[TR_NCALLS] = {
	[TR_MMAP] = "mmap",
	[TR_MUNMAP] = "munmap",
	[TR_MPROTECT] = "mprotect",
	[TR_PKEY_MPROTECT] = "pkey_mprotect",
	[TR_MADVISE] = "madvise",
	[TR_MREMAP] = "mremap",
	[TR_MSYNC] = "msync",
	[TR_BRK] = "brk",
	[TR_MLOCK] = "mlock",
	[TR_MLOCK2] = "mlock2",
	[TR_MUNLOCK] = "munlock",
	[TR_MLOCKALL] = "mlockall",
	[TR_MUNLOCKALL] = "munlockall",
	[TR_MINCORE] = "mincore",
	[TR_MSEAL] = "mseal",
	[TR_PRCTL] = "prctl",
	[TR_CLONE] = "clone",
	[TR_CLONE3] = "clone3",
	[TR_FORK] = "fork",
	[TR_VFORK] = "vfork",
	[TR_EXECVE] = "execve",
	[TR_EXIT_GROUP] = "exit_group",
	[TR_OPEN] = "open",
	[TR_OPENAT] = "openat",
	[TR_CLOSE] = "close",
	[TR_DUP] = "dup",
	[TR_DUP2] = "dup2",
	[TR_DUP3] = "dup3",
	[TR_MEMFD_CREATE] = "memfd_create",
	[TR_MEMFD_SECRET] = "memfd_secret",
	[TR_PRLIMIT64] = "prlimit64",
	[TR_SETRLIMIT] = "setrlimit",
	[TR_CAPSET] = "capset",
	[TR_SHMAT] = "shmat",
	[TR_SHMDT] = "shmdt",
	[TR_REMAP_FILE_PAGES] = "remap_file_pages",
	[TR_PROCESS_MADVISE] = "process_madvise",
	[TR_PROCESS_MRELEASE] = "process_mrelease",
	[TR_USERFAULTFD] = "userfaultfd",
	[TR_IO_URING_SETUP] = "io_uring_setup",
	[TR_PKEY_ALLOC] = "pkey_alloc",
	[TR_PKEY_FREE] = "pkey_free",
	[TR_MAP_SHADOW_STACK] = "map_shadow_stack",
	[TR_MBIND] = "mbind",
	[TR_SET_MEMPOLICY_HOME_NODE] = "set_mempolicy_home_node",
	[TR_OTHER] = "other",
};

/*
 * Arguments kept per call.  mremap keeps five even when strace prints
 * four: the new address is then 0, as the kernel ignores it.
 */
const unsigned char tr_call_nargs[TR_NCALLS] = {
	[TR_MMAP] = 6,	   [TR_MUNMAP] = 2,	 [TR_MPROTECT] = 3,
	[TR_PKEY_MPROTECT] = 4, [TR_MADVISE] = 3, [TR_MREMAP] = 5,
	[TR_MSYNC] = 3,	   [TR_BRK] = 1,	 [TR_MLOCK] = 2,
	[TR_MLOCK2] = 3,   [TR_MUNLOCK] = 2,	 [TR_MLOCKALL] = 1,
	[TR_MUNLOCKALL] = 0, [TR_MINCORE] = 3,	 [TR_MSEAL] = 3,
	[TR_PRCTL] = 5,	   [TR_CLONE] = 1,
	[TR_CLONE3] = 1,   [TR_FORK] = 0,	 [TR_VFORK] = 0,
	[TR_EXECVE] = 0,   [TR_EXIT_GROUP] = 1,	 [TR_OPEN] = 1,
	[TR_OPENAT] = 1,   [TR_CLOSE] = 1,	 [TR_DUP] = 1,
	[TR_DUP2] = 2,	   [TR_DUP3] = 2,	 [TR_MEMFD_CREATE] = 1,
	[TR_MEMFD_SECRET] = 1, [TR_PRLIMIT64] = 4, [TR_SETRLIMIT] = 4,
	[TR_CAPSET] = 2,
	/* the unmodelled calls keep no arguments (0 by default) */
	[TR_OTHER] = 0,
};

const char *tr_call_name(enum tr_call c)
{
	if ((unsigned)c >= TR_NCALLS)
		return "?";
	return call_names[c];
}

enum tr_call tr_call_lookup(const char *name, size_t len)
{
	int c;

	/* Some fifty names: a first-letter filter keeps this cheap. */
	for (c = 0; c < TR_OTHER; c++) {
		const char *n = call_names[c];

		if (n[0] == name[0] && strlen(n) == len &&
		    memcmp(n, name, len) == 0)
			return (enum tr_call)c;
	}
	return TR_OTHER;
}
