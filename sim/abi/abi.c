/*
 * abi.c - names and values of the Linux x86-64 constants (see rmsim/abi.h).
 *
 * Two tables: errno names indexed by value, and one sorted table of every
 * symbolic constant strace prints in the arguments of the calls rmsim
 * reads.  The sorted table is found through a hash of (length, bytes),
 * built on first use, so a lookup never needs a terminated string: the
 * trace reader looks names up in place inside its line buffer.
 */
#include "rmsim/abi.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

static const char *const errno_names[LX_ERRNO_NAMED_MAX + 1] = {
	[1] = "EPERM",
	[2] = "ENOENT",
	[3] = "ESRCH",
	[4] = "EINTR",
	[5] = "EIO",
	[6] = "ENXIO",
	[7] = "E2BIG",
	[8] = "ENOEXEC",
	[9] = "EBADF",
	[10] = "ECHILD",
	[11] = "EAGAIN",
	[12] = "ENOMEM",
	[13] = "EACCES",
	[14] = "EFAULT",
	[15] = "ENOTBLK",
	[16] = "EBUSY",
	[17] = "EEXIST",
	[18] = "EXDEV",
	[19] = "ENODEV",
	[20] = "ENOTDIR",
	[21] = "EISDIR",
	[22] = "EINVAL",
	[23] = "ENFILE",
	[24] = "EMFILE",
	[25] = "ENOTTY",
	[26] = "ETXTBSY",
	[27] = "EFBIG",
	[28] = "ENOSPC",
	[29] = "ESPIPE",
	[30] = "EROFS",
	[31] = "EMLINK",
	[32] = "EPIPE",
	[33] = "EDOM",
	[34] = "ERANGE",
	[35] = "EDEADLK",
	[36] = "ENAMETOOLONG",
	[37] = "ENOLCK",
	[38] = "ENOSYS",
	[39] = "ENOTEMPTY",
	[40] = "ELOOP",
	[42] = "ENOMSG",
	[43] = "EIDRM",
	[44] = "ECHRNG",
	[45] = "EL2NSYNC",
	[46] = "EL3HLT",
	[47] = "EL3RST",
	[48] = "ELNRNG",
	[49] = "EUNATCH",
	[50] = "ENOCSI",
	[51] = "EL2HLT",
	[52] = "EBADE",
	[53] = "EBADR",
	[54] = "EXFULL",
	[55] = "ENOANO",
	[56] = "EBADRQC",
	[57] = "EBADSLT",
	[59] = "EBFONT",
	[60] = "ENOSTR",
	[61] = "ENODATA",
	[62] = "ETIME",
	[63] = "ENOSR",
	[64] = "ENONET",
	[65] = "ENOPKG",
	[66] = "EREMOTE",
	[67] = "ENOLINK",
	[68] = "EADV",
	[69] = "ESRMNT",
	[70] = "ECOMM",
	[71] = "EPROTO",
	[72] = "EMULTIHOP",
	[73] = "EDOTDOT",
	[74] = "EBADMSG",
	[75] = "EOVERFLOW",
	[76] = "ENOTUNIQ",
	[77] = "EBADFD",
	[78] = "EREMCHG",
	[79] = "ELIBACC",
	[80] = "ELIBBAD",
	[81] = "ELIBSCN",
	[82] = "ELIBMAX",
	[83] = "ELIBEXEC",
	[84] = "EILSEQ",
	[85] = "ERESTART",
	[86] = "ESTRPIPE",
	[87] = "EUSERS",
	[88] = "ENOTSOCK",
	[89] = "EDESTADDRREQ",
	[90] = "EMSGSIZE",
	[91] = "EPROTOTYPE",
	[92] = "ENOPROTOOPT",
	[93] = "EPROTONOSUPPORT",
	[94] = "ESOCKTNOSUPPORT",
	[95] = "EOPNOTSUPP",
	[96] = "EPFNOSUPPORT",
	[97] = "EAFNOSUPPORT",
	[98] = "EADDRINUSE",
	[99] = "EADDRNOTAVAIL",
	[100] = "ENETDOWN",
	[101] = "ENETUNREACH",
	[102] = "ENETRESET",
	[103] = "ECONNABORTED",
	[104] = "ECONNRESET",
	[105] = "ENOBUFS",
	[106] = "EISCONN",
	[107] = "ENOTCONN",
	[108] = "ESHUTDOWN",
	[109] = "ETOOMANYREFS",
	[110] = "ETIMEDOUT",
	[111] = "ECONNREFUSED",
	[112] = "EHOSTDOWN",
	[113] = "EHOSTUNREACH",
	[114] = "EALREADY",
	[115] = "EINPROGRESS",
	[116] = "ESTALE",
	[117] = "EUCLEAN",
	[118] = "ENOTNAM",
	[119] = "ENAVAIL",
	[120] = "EISNAM",
	[121] = "EREMOTEIO",
	[122] = "EDQUOT",
	[123] = "ENOMEDIUM",
	[124] = "EMEDIUMTYPE",
	[125] = "ECANCELED",
	[126] = "ENOKEY",
	[127] = "EKEYEXPIRED",
	[128] = "EKEYREVOKED",
	[129] = "EKEYREJECTED",
	[130] = "EOWNERDEAD",
	[131] = "ENOTRECOVERABLE",
	[132] = "ERFKILL",
	[133] = "EHWPOISON",
	[512] = "ERESTARTSYS",
	[513] = "ERESTARTNOINTR",
	[514] = "ERESTARTNOHAND",
	[515] = "ENOIOCTLCMD",
	[516] = "ERESTART_RESTARTBLOCK",
	[517] = "EPROBE_DEFER",
	[518] = "EOPENSTALE",
	[519] = "ENOPARAM",
	[521] = "EBADHANDLE",
	[522] = "ENOTSYNC",
	[523] = "EBADCOOKIE",
	[524] = "ENOTSUPP",
	[525] = "ETOOSMALL",
	[526] = "ESERVERFAULT",
	[527] = "EBADTYPE",
	[528] = "EJUKEBOX",
	[529] = "EIOCBQUEUED",
	[530] = "ERECALLCONFLICT",
};

struct name_value {
	const char *name;
	uint64_t value;
};

/* Aliases strace or users may write; the canonical name wins on output. */
static const struct name_value errno_aliases[] = {
	{"EDEADLOCK", 35},
	{"ENOTSUP", 95},
	{"EWOULDBLOCK", 11},
};

/*
 * Every constant name rmsim accepts in a flags or enum argument, sorted
 * by strcmp so that abi_const_value can bisect.  Signal names appear
 * because strace prints the exit signal inside clone flags (SIGCHLD).
 */
static const struct name_value consts[] = {
	{"AT_FDCWD", (uint64_t)-100},
	{"CLONE_CHILD_CLEARTID", 0x00200000},
	{"CLONE_CHILD_SETTID", 0x01000000},
	{"CLONE_CLEAR_SIGHAND", 0x100000000ULL},
	{"CLONE_DETACHED", 0x00400000},
	{"CLONE_FILES", 0x00000400},
	{"CLONE_FS", 0x00000200},
	{"CLONE_INTO_CGROUP", 0x200000000ULL},
	{"CLONE_IO", 0x80000000},
	{"CLONE_NEWCGROUP", 0x02000000},
	{"CLONE_NEWIPC", 0x08000000},
	{"CLONE_NEWNET", 0x40000000},
	{"CLONE_NEWNS", 0x00020000},
	{"CLONE_NEWPID", 0x20000000},
	{"CLONE_NEWTIME", 0x00000080},
	{"CLONE_NEWUSER", 0x10000000},
	{"CLONE_NEWUTS", 0x04000000},
	{"CLONE_PARENT", 0x00008000},
	{"CLONE_PARENT_SETTID", 0x00100000},
	{"CLONE_PIDFD", 0x00001000},
	{"CLONE_PTRACE", 0x00002000},
	{"CLONE_SETTLS", 0x00080000},
	{"CLONE_SIGHAND", 0x00000800},
	{"CLONE_SYSVSEM", 0x00040000},
	{"CLONE_THREAD", LX_CLONE_THREAD},
	{"CLONE_UNTRACED", 0x00800000},
	{"CLONE_VFORK", LX_CLONE_VFORK},
	{"CLONE_VM", LX_CLONE_VM},
	{"MADV_COLD", LX_MADV_COLD},
	{"MADV_COLLAPSE", LX_MADV_COLLAPSE},
	{"MADV_DODUMP", LX_MADV_DODUMP},
	{"MADV_DOFORK", LX_MADV_DOFORK},
	{"MADV_DONTDUMP", LX_MADV_DONTDUMP},
	{"MADV_DONTFORK", LX_MADV_DONTFORK},
	{"MADV_DONTNEED", LX_MADV_DONTNEED},
	{"MADV_DONTNEED_LOCKED", LX_MADV_DONTNEED_LOCKED},
	{"MADV_FREE", LX_MADV_FREE},
	{"MADV_GUARD_INSTALL", LX_MADV_GUARD_INSTALL},
	{"MADV_GUARD_REMOVE", LX_MADV_GUARD_REMOVE},
	{"MADV_HUGEPAGE", LX_MADV_HUGEPAGE},
	{"MADV_HWPOISON", LX_MADV_HWPOISON},
	{"MADV_KEEPONFORK", LX_MADV_KEEPONFORK},
	{"MADV_MERGEABLE", LX_MADV_MERGEABLE},
	{"MADV_NOHUGEPAGE", LX_MADV_NOHUGEPAGE},
	{"MADV_NORMAL", LX_MADV_NORMAL},
	{"MADV_PAGEOUT", LX_MADV_PAGEOUT},
	{"MADV_POPULATE_READ", LX_MADV_POPULATE_READ},
	{"MADV_POPULATE_WRITE", LX_MADV_POPULATE_WRITE},
	{"MADV_RANDOM", LX_MADV_RANDOM},
	{"MADV_REMOVE", LX_MADV_REMOVE},
	{"MADV_SEQUENTIAL", LX_MADV_SEQUENTIAL},
	{"MADV_SOFT_OFFLINE", LX_MADV_SOFT_OFFLINE},
	{"MADV_UNMERGEABLE", LX_MADV_UNMERGEABLE},
	{"MADV_WILLNEED", LX_MADV_WILLNEED},
	{"MADV_WIPEONFORK", LX_MADV_WIPEONFORK},
	{"MAP_32BIT", LX_MAP_32BIT},
	{"MAP_ANON", LX_MAP_ANONYMOUS},
	{"MAP_ANONYMOUS", LX_MAP_ANONYMOUS},
	{"MAP_DENYWRITE", LX_MAP_DENYWRITE},
	{"MAP_DROPPABLE", LX_MAP_DROPPABLE},
	{"MAP_EXECUTABLE", LX_MAP_EXECUTABLE},
	{"MAP_FILE", LX_MAP_FILE},
	{"MAP_FIXED", LX_MAP_FIXED},
	{"MAP_FIXED_NOREPLACE", LX_MAP_FIXED_NOREPLACE},
	{"MAP_GROWSDOWN", LX_MAP_GROWSDOWN},
	{"MAP_HUGETLB", LX_MAP_HUGETLB},
	{"MAP_HUGE_SHIFT", LX_MAP_HUGE_SHIFT},
	{"MAP_LOCKED", LX_MAP_LOCKED},
	{"MAP_NONBLOCK", LX_MAP_NONBLOCK},
	{"MAP_NORESERVE", LX_MAP_NORESERVE},
	{"MAP_POPULATE", LX_MAP_POPULATE},
	{"MAP_PRIVATE", LX_MAP_PRIVATE},
	{"MAP_SHARED", LX_MAP_SHARED},
	{"MAP_SHARED_VALIDATE", LX_MAP_SHARED_VALIDATE},
	{"MAP_STACK", LX_MAP_STACK},
	{"MAP_SYNC", LX_MAP_SYNC},
	{"MAP_UNINITIALIZED", LX_MAP_UNINITIALIZED},
	{"MCL_CURRENT", LX_MCL_CURRENT},
	{"MCL_FUTURE", LX_MCL_FUTURE},
	{"MCL_ONFAULT", LX_MCL_ONFAULT},
	{"MFD_ALLOW_SEALING", 2},
	{"MFD_CLOEXEC", 1},
	{"MFD_EXEC", 0x10},
	{"MFD_HUGETLB", 4},
	{"MFD_NOEXEC_SEAL", 8},
	{"MLOCK_ONFAULT", LX_MLOCK_ONFAULT},
	{"MREMAP_DONTUNMAP", LX_MREMAP_DONTUNMAP},
	{"MREMAP_FIXED", LX_MREMAP_FIXED},
	{"MREMAP_MAYMOVE", LX_MREMAP_MAYMOVE},
	{"MS_ASYNC", LX_MS_ASYNC},
	{"MS_INVALIDATE", LX_MS_INVALIDATE},
	{"MS_SYNC", LX_MS_SYNC},
	{"O_APPEND", 02000},
	{"O_ASYNC", 020000},
	{"O_CLOEXEC", 02000000},
	{"O_CREAT", 0100},
	{"O_DIRECT", 040000},
	{"O_DIRECTORY", 0200000},
	{"O_DSYNC", 010000},
	{"O_EXCL", 0200},
	{"O_LARGEFILE", 0100000},
	{"O_NOATIME", 01000000},
	{"O_NOCTTY", 0400},
	{"O_NOFOLLOW", 0400000},
	{"O_NONBLOCK", 04000},
	{"O_PATH", 010000000},
	{"O_RDONLY", 0},
	{"O_RDWR", 02},
	{"O_SYNC", 04010000},
	{"O_TMPFILE", 020200000},
	{"O_TRUNC", 01000},
	{"O_WRONLY", 01},
	{"PROT_EXEC", LX_PROT_EXEC},
	{"PROT_GROWSDOWN", LX_PROT_GROWSDOWN},
	{"PROT_GROWSUP", LX_PROT_GROWSUP},
	{"PROT_NONE", LX_PROT_NONE},
	{"PROT_READ", LX_PROT_READ},
	{"PROT_SEM", LX_PROT_SEM},
	{"PROT_WRITE", LX_PROT_WRITE},
	{"PR_GET_MDWE", LX_PR_GET_MDWE},
	{"PR_MDWE_NO_INHERIT", LX_PR_MDWE_NO_INHERIT},
	{"PR_MDWE_REFUSE_EXEC_GAIN", LX_PR_MDWE_REFUSE_EXEC_GAIN},
	{"PR_SET_MDWE", LX_PR_SET_MDWE},
	{"RLIM64_INFINITY", UINT64_MAX},
	{"RLIMIT_AS", 9},
	{"RLIMIT_CORE", 4},
	{"RLIMIT_CPU", 0},
	{"RLIMIT_DATA", 2},
	{"RLIMIT_FSIZE", 1},
	{"RLIMIT_LOCKS", 10},
	{"RLIMIT_MEMLOCK", 8},
	{"RLIMIT_MSGQUEUE", 12},
	{"RLIMIT_NICE", 13},
	{"RLIMIT_NOFILE", 7},
	{"RLIMIT_NPROC", 6},
	{"RLIMIT_RSS", 5},
	{"RLIMIT_RTPRIO", 14},
	{"RLIMIT_RTTIME", 15},
	{"RLIMIT_SIGPENDING", 11},
	{"RLIMIT_STACK", 3},
	{"RLIM_INFINITY", UINT64_MAX},
	{"SIGABRT", 6},
	{"SIGALRM", 14},
	{"SIGBUS", 7},
	{"SIGCHLD", 17},
	{"SIGCONT", 18},
	{"SIGFPE", 8},
	{"SIGHUP", 1},
	{"SIGILL", 4},
	{"SIGINT", 2},
	{"SIGIO", 29},
	{"SIGKILL", 9},
	{"SIGPIPE", 13},
	{"SIGPROF", 27},
	{"SIGPWR", 30},
	{"SIGQUIT", 3},
	{"SIGSEGV", 11},
	{"SIGSTKFLT", 16},
	{"SIGSTOP", 19},
	{"SIGSYS", 31},
	{"SIGTERM", 15},
	{"SIGTRAP", 5},
	{"SIGTSTP", 20},
	{"SIGTTIN", 21},
	{"SIGTTOU", 22},
	{"SIGURG", 23},
	{"SIGUSR1", 10},
	{"SIGUSR2", 12},
	{"SIGVTALRM", 26},
	{"SIGWINCH", 28},
	{"SIGXCPU", 24},
	{"SIGXFSZ", 25},
};

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

const char *abi_errno_name(int e)
{
	if (e <= 0 || e > LX_ERRNO_NAMED_MAX)
		return NULL;
	return errno_names[e];
}

/* Compare a counted name with a terminated table entry, strcmp order. */
static int name_cmp(const char *name, size_t len, const char *entry)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char a = (unsigned char)name[i];
		unsigned char b = (unsigned char)entry[i];

		if (b == '\0' || a != b)
			return b == '\0' ? 1 : (int)a - (int)b;
	}
	return entry[len] == '\0' ? 0 : -1;
}

int abi_errno_value(const char *name, size_t len)
{
	int e;
	size_t i;

	/* Names are short and start with E: a linear scan is plenty here,
	 * errors are rare in traces. */
	if (len < 2 || name[0] != 'E')
		return -1;
	for (e = 1; e <= LX_ERRNO_NAMED_MAX; e++)
		if (errno_names[e] && name_cmp(name, len, errno_names[e]) == 0)
			return e;
	for (i = 0; i < NELEM(errno_aliases); i++)
		if (name_cmp(name, len, errno_aliases[i].name) == 0)
			return (int)errno_aliases[i].value;
	return -1;
}

/*
 * The constants by a hash of their names, built once: the trace reader
 * asks for a constant in most arguments of every line, and a probe with
 * one comparison costs a fraction of a binary search's eight.  Open
 * addressing in a table at most a fifth full; a slot holds index + 1.
 */
#define CONST_SLOTS 1024

static uint16_t const_slot[CONST_SLOTS];
static uint8_t const_len[NELEM(consts)];
static pthread_once_t const_once = PTHREAD_ONCE_INIT;
/* set once the index is built: later lookups skip pthread_once */
static atomic_bool const_ready;

static uint32_t name_hash(const char *name, size_t len)
{
	uint32_t h = 2166136261u; /* FNV-1a */
	size_t i;

	for (i = 0; i < len; i++)
		h = (h ^ (unsigned char)name[i]) * 16777619u;
	return h;
}

static void const_index(void)
{
	size_t i, h;

	for (i = 0; i < NELEM(consts); i++) {
		const_len[i] = (uint8_t)strlen(consts[i].name);
		h = name_hash(consts[i].name, const_len[i]) & (CONST_SLOTS - 1);
		while (const_slot[h])
			h = (h + 1) & (CONST_SLOTS - 1);
		const_slot[h] = (uint16_t)(i + 1);
	}
	atomic_store_explicit(&const_ready, true, memory_order_release);
}

/* Names are short: a loop the compiler inlines beats a call. */
static bool same_name(const char *a, const char *b, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++)
		if (a[i] != b[i])
			return false;
	return true;
}

int abi_const_value(const char *name, size_t len, uint64_t *val)
{
	size_t h, k;

	if (!atomic_load_explicit(&const_ready, memory_order_acquire))
		pthread_once(&const_once, const_index);
	h = name_hash(name, len) & (CONST_SLOTS - 1);
	for (; (k = const_slot[h]) != 0; h = (h + 1) & (CONST_SLOTS - 1)) {
		if (const_len[k - 1] == len &&
		    same_name(consts[k - 1].name, name, len)) {
			*val = consts[k - 1].value;
			return 0;
		}
	}
	return -1;
}

/* Append @s to @buf at *@pos, with a '|' separator when not first. */
static void append(char *buf, size_t size, size_t *pos, const char *s)
{
	int n;

	if (*pos >= size)
		return;
	n = snprintf(buf + *pos, size - *pos, "%s%s", *pos ? "|" : "", s);
	if (n > 0)
		*pos += (size_t)n;
}

char *abi_flags_str(const char *prefix, uint64_t v, char *buf, size_t size)
{
	size_t pos = 0, plen = strlen(prefix), i;
	unsigned bit;
	uint64_t left = v;
	char hex[24];
	int is_map = strcmp(prefix, "MAP_") == 0;

	if (size == 0)
		return buf;
	buf[0] = '\0';
	if (is_map) {
		/* The mapping type is a 4-bit field, not a set of bits. */
		static const char *const types[] = {
			[1] = "MAP_SHARED", [2] = "MAP_PRIVATE",
			[3] = "MAP_SHARED_VALIDATE", [8] = "MAP_DROPPABLE"};
		uint64_t t = v & LX_MAP_TYPE;

		if (t < NELEM(types) && types[t]) {
			append(buf, size, &pos, types[t]);
			left &= ~(uint64_t)LX_MAP_TYPE;
		}
	}
	/* bit by bit from the lowest, which is strace's order */
	for (bit = 0; bit < 64 && left; bit++) {
		uint64_t b = (uint64_t)1 << bit;

		if (!(left & b))
			continue;
		for (i = 0; i < NELEM(consts); i++) {
			if (consts[i].value != b ||
			    strncmp(consts[i].name, prefix, plen) != 0)
				continue;
			if (is_map && ((b & LX_MAP_TYPE) ||
				       strcmp(consts[i].name, "MAP_ANON") == 0 ||
				       strcmp(consts[i].name, "MAP_HUGE_SHIFT") == 0))
				continue;
			append(buf, size, &pos, consts[i].name);
			left &= ~b;
			break;
		}
	}
	if (left || pos == 0) {
		snprintf(hex, sizeof(hex), "%#llx", (unsigned long long)left);
		if (left == 0 && v == 0) {
			/* PROT_NONE and friends: print the zero name if any. */
			for (i = 0; i < NELEM(consts); i++)
				if (strncmp(consts[i].name, prefix, plen) == 0 &&
				    consts[i].value == 0 &&
				    strcmp(consts[i].name, "MAP_FILE") != 0) {
					append(buf, size, &pos, consts[i].name);
					return buf;
				}
			snprintf(hex, sizeof(hex), "0");
		}
		append(buf, size, &pos, hex);
	}
	return buf;
}
