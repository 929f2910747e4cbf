/*
 * rmsim/trace.h - the streaming strace reader (prefix tr_).
 *
 * Reads strace text as people record it (every variant of DESIGN §3.2:
 * -f prefixes both ways, -t/-tt/-ttt/-r timestamps, -T, -n, -i, -Y, -y and
 * -yy notes, -k stack frames, -z/-Z, -X raw, abbrev and verbose, -e raw=,
 * calls printed by number, unfinished/resumed pairs, signal and exit
 * lines, strace's output mixed with the program's), plain, gzip or xz,
 * and turns each memory-management call into one normalised struct
 * tr_event.  Other calls are counted and skipped.
 *
 * The reader streams: it holds one buffer and the unfinished calls of the
 * pids that have one pending, never the trace.  The line parser is exposed
 * separately (tr_parse_line) so the case language and the fuzzer use the
 * very same code.
 */
#ifndef RMSIM_TRACE_H
#define RMSIM_TRACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rmsim/abi.h"

/* The calls rmsim understands; TR_OTHER stands for any other syscall. */
enum tr_call {
	TR_MMAP,
	TR_MUNMAP,
	TR_MPROTECT,
	TR_PKEY_MPROTECT,
	TR_MADVISE,
	TR_MREMAP,
	TR_MSYNC,
	TR_BRK,
	TR_MLOCK,
	TR_MLOCK2,
	TR_MUNLOCK,
	TR_MLOCKALL,
	TR_MUNLOCKALL,
	TR_MINCORE,
	TR_MSEAL,
	/*
	 * prctl: PR_SET_MDWE and PR_GET_MDWE are run and judged; any other
	 * option is context the replay counts and ignores.
	 */
	TR_PRCTL,
	TR_CLONE,
	TR_CLONE3,
	TR_FORK,
	TR_VFORK,
	TR_EXECVE,
	TR_EXIT_GROUP,
	/*
	 * Context: calls that change what later memory calls may do (the
	 * fds a file mapping needs, RLIMIT_MEMLOCK, CAP_IPC_LOCK).  A trace
	 * recorded with them lets the reference model answer EBADF, EACCES,
	 * EPERM and EAGAIN as the kernel did.
	 */
	TR_OPEN,
	TR_OPENAT,
	TR_CLOSE,
	TR_DUP,
	TR_DUP2,
	TR_DUP3,
	TR_MEMFD_CREATE,
	TR_MEMFD_SECRET,
	TR_PRLIMIT64,
	TR_SETRLIMIT,
	TR_CAPSET,
	/*
	 * Calls that can change the address space but are not modelled:
	 * read by name only (their arguments are skipped, whatever they
	 * hold), counted and named by the replay, never run.
	 */
	TR_SHMAT,
	TR_SHMDT,
	TR_REMAP_FILE_PAGES,
	TR_PROCESS_MADVISE,
	TR_PROCESS_MRELEASE,
	TR_USERFAULTFD,
	TR_IO_URING_SETUP,
	TR_PKEY_ALLOC,
	TR_PKEY_FREE,
	TR_MAP_SHADOW_STACK,
	TR_MBIND,
	TR_SET_MEMPOLICY_HOME_NODE,
	TR_OTHER,
	TR_NCALLS
};

/* Number of arguments each call carries in struct tr_event. */
extern const unsigned char tr_call_nargs[TR_NCALLS];

/* Is @c one of the address-space calls that are counted, not modelled? */
static inline bool tr_call_unmodelled(enum tr_call c)
{
	return c >= TR_SHMAT && c < TR_OTHER;
}

/* "mmap", "munmap", ...; "other" for TR_OTHER. */
const char *tr_call_name(enum tr_call c);
/* The call named @name (@len bytes), or TR_OTHER. */
enum tr_call tr_call_lookup(const char *name, size_t len);

/* Result states: strace prints "= ?" when a call never returned. */
enum tr_result {
	TR_RET_VALUE,		/* ret holds the value, err is 0 */
	TR_RET_ERROR,		/* ret is -1, err holds the errno */
	TR_RET_UNKNOWN		/* "= ?" or the call never resumed */
};

/*
 * One call, normalised.  Arguments are the raw 64-bit register values in
 * the order of the syscall (mmap: addr, len, prot, flags, fd, off), with
 * negative decimals stored as two's complement.  For clone and clone3,
 * arg[0] is the flags (TR_FLAG_CLONE_FLAGS_UNKNOWN when strace printed
 * only a pointer); execve and exit_group keep their first argument only
 * where it is a number.
 */
/*
 * Arguments of the context calls, normalised:
 *   open, openat, memfd_create: arg[0] = flags (O_*, MFD_*); fd_path = path
 *   memfd_secret: arg[0] = flags
 *   close, dup: arg[0] = fd;  dup2, dup3: arg[0] = old fd, arg[1] = new fd
 *   prlimit64: arg[0] = pid, arg[1] = resource, arg[2] = soft limit,
 *     arg[3] = 1 when it is a new limit set, 2 when it is the old one
 *     the call only read, 0 when neither is known
 *   setrlimit: arg[0] = resource, arg[1] = new soft limit, arg[3] = 1
 *   capset: arg[0] = 1 when CAP_IPC_LOCK stays effective, 0 when not,
 *     arg[1] the same for CAP_SYS_RAWIO; TR_FLAG_CLONE_FLAGS_UNKNOWN when
 *     strace printed only a pointer
 * mseal keeps (addr, len, flags) also when strace printed it raw with six
 * arguments.  prctl keeps its five arguments; an option or argument that
 * is not a number strace could print (a name rmsim does not know, a
 * string) sets TR_FLAG_ARGS_UNKNOWN and reads as 0.
 * Limits use UINT64_MAX for RLIM64_INFINITY.
 */
struct tr_event {
	uint64_t seq;		/* 1-based count of memory events */
	uint64_t line;		/* source line of the call (of its start) */
	int32_t pid;		/* -f pid, or 0 when the trace has none */
	bool has_ts;
	int64_t ts_us;		/* timestamp in microseconds, as printed */
	/* -T: the time spent in the call in microseconds, -1 when the line
	 * has none */
	int64_t dur_us;
	/* the timestamp of the line that ended the call: the <... resumed>
	 * line's for a call strace split, else ts_us */
	int64_t end_ts_us;
	enum tr_call call;
	unsigned char nargs;
	uint64_t arg[6];
	enum tr_result result;
	int64_t ret;
	int err;		/* errno when result == TR_RET_ERROR */
	unsigned flags;		/* TR_FLAG_* */
	const char *fd_path;	/* -y path of the fd argument, or NULL;
				 * valid until the next tr_next */
};

#define TR_FLAG_CLONE_FLAGS_UNKNOWN 0x1
#define TR_FLAG_RESUMED 0x2	/* assembled from an unfinished pair */
#define TR_FLAG_STARTED 0x4	/* the start of a clone-family call, an
				 * mmap, mremap, munmap or brk that is still
				 * unfinished (clone_starts) */
#define TR_FLAG_ARGS_UNKNOWN 0x8 /* prctl: an argument was not a number */
#define TR_FLAG_INJECTED 0x10	/* strace -e inject=/fault= set the result
				 * (or the arguments) the program saw */
#define TR_FLAG_DELAYED 0x20	/* strace -e inject=...:delay_* */

/* Counters the reader keeps; `rmsim cat --stats` prints them. */
struct tr_stats {
	uint64_t lines;
	uint64_t bytes;			/* read so far (every 4096 lines) */
	uint64_t events;		/* memory events returned */
	uint64_t calls[TR_NCALLS];	/* events per call, TR_OTHER too */
	uint64_t failed[TR_NCALLS];	/* of those, failed ones */
	uint64_t errnos[LX_ERRNO_NAMED_MAX + 1]; /* failures by errno */
	uint64_t signals;		/* --- SIG... --- lines */
	uint64_t exits;			/* +++ exited/killed +++ lines */
	uint64_t notes;			/* strace: ... and blank lines */
	uint64_t unfinished_at_end;	/* calls that never resumed */
	uint64_t skipped;		/* bad lines skipped (--keep-going) */
	uint64_t pids;			/* distinct pids seen */
	uint64_t summaries;		/* strace -C call summary tables */
	uint64_t summary_lines;		/* their lines, skipped */
	uint64_t injected;		/* results set by -e inject=/fault= */
	uint64_t files;			/* files read (> 1: a -ff family) */
	uint64_t missing_files;		/* -ff: children whose file a clone,
					 * fork or vfork named but is not
					 * there: their calls are missing */
};

struct tr_options {
	bool keep_going;	/* skip unreadable lines, count them */
	bool all_calls;		/* also return TR_OTHER events */
	/*
	 * Also return the unfinished start of clone, clone3, fork and vfork
	 * as an event flagged TR_FLAG_STARTED (result unknown, not counted,
	 * seq of the previous event).  A child's first calls can come before
	 * its parent's clone resumes; the replay needs to know a clone is
	 * under way to give the child the right address space.  The
	 * unfinished starts of mmap, mremap, munmap and brk are returned the
	 * same way: they tell which calls of other threads overlapped.
	 */
	bool clone_starts;
};

struct tr_reader;

/*
 * tr_open - open @path ("-" is stdin); gzip and xz are recognised by
 * their magic bytes, whatever the name.  Returns NULL with *@err set to
 * -errno when the file cannot be opened (-EISDIR for a directory).
 * A name ending in ".PID" may head a strace -ff family: its lines carry
 * that pid, and each PREFIX.CHILD file a clone, fork or vfork in it names
 * is read with it, merged in timestamp order (sim/trace/family.c).
 */
struct tr_reader *tr_open(const char *path, const struct tr_options *opt,
			  int *err);

/*
 * tr_missing_input - does a tr_open error mean the input is not there
 * (no such file, no permission, a directory: exit status 66) rather than
 * that reading it failed?
 */
bool tr_missing_input(int err);

/*
 * tr_next - the next event.  Returns 1 with *@ev filled, 0 at the end, or
 * a negative value on error: -EINVAL for bad data, a line that cannot be
 * read ("FILE:LINE: what is wrong" from tr_error) or corrupt or truncated
 * gzip or xz ("FILE: corrupt xz data"), -EIO for a read error.
 */
int tr_next(struct tr_reader *r, struct tr_event *ev);

/* The last error message, "FILE:LINE: what is wrong". */
const char *tr_error(const struct tr_reader *r);
const struct tr_stats *tr_reader_stats(const struct tr_reader *r);
/*
 * The files read so far: the trace, then (strace -ff -o PREFIX) each
 * PREFIX.PID that a clone, fork or vfork of the family named, in that
 * order.  Valid until tr_close.
 */
size_t tr_reader_files(const struct tr_reader *r);
const char *tr_reader_path(const struct tr_reader *r, size_t i);
void tr_close(struct tr_reader *r);

/* ---- the line parser, shared with the case language and the fuzzer ---- */

/* What one line of strace output is. */
enum tr_line_kind {
	TR_LINE_CALL,		/* a complete call */
	TR_LINE_UNFINISHED,	/* "name(args <unfinished ...>" */
	TR_LINE_RESUMED,	/* "<... name resumed>rest", or ")rest" with
				 * no name (name_len 0): a bare continuation */
	TR_LINE_SIGNAL,		/* "--- SIGxxx {...} ---" */
	TR_LINE_EXIT,		/* "+++ exited with N +++" (body: all) */
	TR_LINE_NOTE,		/* blank, or "strace: Process N attached" */
	TR_LINE_ERROR		/* cannot be read */
};

/* The parts of one line, pointing into the caller's buffer. */
struct tr_line {
	enum tr_line_kind kind;
	int32_t pid;
	bool has_ts;
	int64_t ts_us;
	const char *name;	/* call name */
	size_t name_len;
	const char *body;	/* text after "name(" or after "resumed>" */
	size_t body_len;
	const char *error;	/* static message for TR_LINE_ERROR */
};

/*
 * tr_split_line - classify one line (without its newline) and find its
 * prefix (pid, timestamp) and call name.  Never reads past @len.
 */
void tr_split_line(const char *s, size_t len, struct tr_line *out);

/*
 * tr_parse_call - decode the body of a complete call (arguments, then
 * ") = result [errno (text)] [<duration>]") into @ev.  @call says which
 * call it is.  Returns 0, or -1 with *@why set to a static message.
 * @path_buf receives the -y path of the fd argument (NUL-terminated,
 * truncated to @path_size).
 */
int tr_parse_call(enum tr_call call, const char *body, size_t len,
		  struct tr_event *ev, char *path_buf, size_t path_size,
		  const char **why);

/* ---- the case language's additions (expressions, no result) ---- */

/* Resolves $name for expressions; returns 0, or -1 when unbound. */
struct tr_expr_env {
	int (*lookup)(void *ctx, const char *name, size_t len, uint64_t *val);
	void *ctx;
};

/*
 * tr_parse_expr - an expression: numbers, constants, NULL, $name, PG,
 * KiB, MiB, GiB, + - * |, parentheses.  Stores the value and the index
 * after it.  0, or -1 with *@why set.
 */
int tr_parse_expr(const char *s, size_t len, const struct tr_expr_env *env,
		  uint64_t *val, size_t *end, const char **why);

/*
 * tr_parse_case_call - like tr_parse_call with expressions allowed in the
 * arguments, stopping after the closing parenthesis (*@end): the case
 * language reads what follows itself.
 */
int tr_parse_case_call(enum tr_call call, const char *body, size_t len,
		       const struct tr_expr_env *env, struct tr_event *ev,
		       size_t *end, const char **why);

/*
 * tr_line_text - line @line (1-based) of the trace at @path as stored
 * (plain, .gz or .xz), without its newline, cut to @size - 1 bytes.  0,
 * -ENOENT when the file is shorter, or -errno.
 */
int tr_line_text(const char *path, uint64_t line, char *buf, size_t size);

/* ---- the checksum of a trace file (sha256.c) ---- */

struct tr_sha256 {
	uint32_t h[8];
	uint64_t len;
	unsigned char buf[64];
	size_t n;
};
void tr_sha256_init(struct tr_sha256 *s);
void tr_sha256_add(struct tr_sha256 *s, const void *data, size_t len);
/* The digest as 64 lowercase hex digits and a NUL. */
void tr_sha256_end(struct tr_sha256 *s, char hex[65]);
void tr_sha256(const void *data, size_t len, char hex[65]);
/* The SHA-256 of the file's bytes as stored: 0 or -errno. */
int tr_sha256_file(const char *path, char hex[65]);
/*
 * The SHA-256 of every file @r read (a strace -ff family: all its files,
 * in the order they joined, as one byte stream); for one file the same as
 * tr_sha256_file.  0 or -errno.
 */
int tr_sha256_read(const struct tr_reader *r, char hex[65]);

/* ---- the recording's side file (docs/recording.md) ---- */

/*
 * `rmsim record` writes NAME.faults.xz beside NAME.strace.xz: what strace
 * cannot show.  The facts of the recording machine, each new image's
 * address space right after execve, periodic RssAnon samples, and every
 * page fault on strace's clock.  The header parts are read at open (they
 * grow with processes and samples, never with faults); the faults stream.
 */

/* The recording machine; 0 or "" where the file did not say. */
struct tr_machine {
	char kernel[128];	/* uname release */
	uint64_t page_size;
	char thp[16];		/* transparent_hugepage/enabled: always,
				 * madvise or never */
	uint64_t max_map_count;	/* vm.max_map_count */
	int overcommit_memory;	/* vm.overcommit_memory, -1 unknown */
	int zero_page;		/* 1: a read fault on private anonymous
				 * memory maps the shared zero page (upstream
				 * x86); 0: it allocates a page, as where
				 * mm_forbids_zeropage(); -1 unknown */
	bool faults_recorded;	/* false: the file has no fault stream
				 * (--no-faults, or perf was unavailable) */
	char fault_source[16];	/* "tracepoints": each fault's access is
				 * known; "software": only fetches are */
};

/* One line of /proc/PID/maps. */
struct tr_map {
	uint64_t start, end;
	unsigned prot;		/* LX_PROT_READ | _WRITE | _EXEC */
	bool shared;		/* 's' rather than 'p' */
	uint64_t offset;
	const char *path;	/* "" for anonymous, "[stack]", "[vdso]" ... */
};

/* A range of addresses [start, end). */
struct tr_span {
	uint64_t start, end;
};

/* An image's address space as /proc/PID/maps showed it after execve. */
struct tr_exec_maps {
	int32_t pid;
	int64_t ts_us;		/* when it was read, strace's clock */
	bool exact;		/* read while the process was still held at
				 * the end of execve; false: read late, the
				 * program may have mapped more already */
	const char *path;	/* the executable, as /proc/PID/exe said */
	size_t nmaps;
	const struct tr_map *maps;	/* ascending */
	/*
	 * The anonymous pages resident when the maps were read (its
	 * "resident" lines, /proc/PID/pagemap): what execve itself wrote
	 * without a fault the recording could see (the arguments and
	 * environment at the stack's top, the zeroed tail of each data
	 * page).  Ascending, disjoint, page-aligned; none in files written
	 * before these lines existed (has_resident false).
	 */
	bool has_resident;
	size_t nresident;
	const struct tr_span *resident;
};

struct tr_rss_sample {
	int32_t pid;
	int64_t ts_us;
	uint64_t anon_bytes;	/* RssAnon */
};

enum tr_access {
	TR_ACCESS_UNKNOWN,
	TR_ACCESS_READ,
	TR_ACCESS_WRITE,
	TR_ACCESS_EXEC
};

struct tr_fault {
	uint64_t line;		/* in the side file */
	int32_t pid;		/* the thread's process (tgid) */
	int64_t ts_us;		/* strace's clock (CLOCK_REALTIME) */
	uint64_t addr;
	enum tr_access access;
};

struct tr_faults;

/*
 * tr_side_path - the side file of @trace_path that exists: strip .xz or
 * .gz, then .strace, append .faults and try .xz, .gz and nothing, in that
 * order.  Returns 0 with the name in @buf, -ENOENT when there is none,
 * -ENAMETOOLONG when @size is too small.
 */
int tr_side_path(const char *trace_path, char *buf, size_t size);

/*
 * tr_faults_open - find and open the side file of @trace_path and read
 * its header, maps and RSS samples.  NULL with *@err = -ENOENT when the
 * trace has no side file, -EINVAL for a bad file (message in @msg,
 * "FILE:LINE: what is wrong"), or another -errno.
 */
struct tr_faults *tr_faults_open(const char *trace_path, int *err,
				 char *msg, size_t msg_size);
/* The same for a side file named directly. */
struct tr_faults *tr_faults_open_file(const char *path, int *err, char *msg,
				      size_t msg_size);

const char *tr_faults_path(const struct tr_faults *f);
const struct tr_machine *tr_faults_machine(const struct tr_faults *f);
size_t tr_faults_nexecs(const struct tr_faults *f);
const struct tr_exec_maps *tr_faults_exec(const struct tr_faults *f,
					  size_t i);
/*
 * The first capture of @pid's maps taken at or after @ts_us (the
 * timestamp of its execve line; 0 for the first), or NULL.
 */
const struct tr_exec_maps *tr_faults_exec_of(const struct tr_faults *f,
					     int32_t pid, int64_t ts_us);
size_t tr_faults_nrss(const struct tr_faults *f);
const struct tr_rss_sample *tr_faults_rss(const struct tr_faults *f,
					  size_t i);

/*
 * tr_faults_next - the next fault, in time order.  1 with *@out filled, 0
 * at the end, -EINVAL for a bad line or -EIO (message: tr_faults_error).
 */
int tr_faults_next(struct tr_faults *f, struct tr_fault *out);
const char *tr_faults_error(const struct tr_faults *f);
/* Faults returned so far. */
uint64_t tr_faults_count(const struct tr_faults *f);
void tr_faults_close(struct tr_faults *f);

#endif
