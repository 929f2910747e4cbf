/*
 * nat_child.c - the native backend's child: a process forked from rmsim
 * that makes a trace's or a case's calls on the host kernel (see
 * native.c for the parent's side and nat_proto.h for the mailbox).
 *
 * The child must neither harm the host nor rmsim's own outputs, and must
 * survive what it is asked to do:
 * - It closes every descriptor it inherited (the database among them)
 *   and points 0, 1 and 2 at /dev/null.  The descriptors a trace opens
 *   are memfds, so a shared writable mapping of one writes memory the
 *   child owns and nothing on disk.
 * - Its resident and locked memory stay within the memory limit:
 *   RLIMIT_MEMLOCK is never above it, calls that lock or populate are
 *   refused when they would pass it (a privileged child locks regardless
 *   of RLIMIT_MEMLOCK), and touching stops there.  RLIMIT_CPU
 *   bounds its time.  The address space is not limited: reservations of
 *   terabytes (Go's arenas, ASan's shadow) cost nothing and are what
 *   traces do.
 * - Advice that acts on the host beyond the process (MADV_HWPOISON,
 *   MADV_SOFT_OFFLINE) is never passed on.
 * - It allocates nothing after start-up (no malloc, no stdio), so the
 *   break and the heap a trace moves are never its own; loads and stores
 *   catch SIGSEGV and SIGBUS.
 * It records its own memory, as /proc/self/maps shows it at start, in the
 * mailbox: the parent keeps every call away from it.
 */
#include "nat_proto.h"

#include "rmsim/abi.h"
#include "rmsim/trace.h"

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>

/* A file a trace's descriptor stands for: large enough for any offset a
 * trace maps at, and sparse. */
#define FD_FILE_SIZE ((uint64_t)1 << 40)
#define MADV_HWPOISON_ 100
#define MADV_SOFT_OFFLINE_ 101
#define MADV_POPULATE_READ_ 22
#define MADV_POPULATE_WRITE_ 23

static struct nat_box *box;
static const struct nat_limits *lim;
static bool mcl_future;		/* later mappings are locked, so populated */

/* ---- reading /proc without the heap ---- */

static char pbuf[1 << 16];

/*
 * Call @line for every line of /proc/self/@name (a line longer than the
 * buffer is cut); stop early when it returns true.  -errno or 0.
 */
static int proc_lines(const char *name, bool (*line)(const char *, void *),
		      void *arg)
{
	char path[64];
	size_t have = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/self/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	for (;;) {
		char *s = pbuf, *nl;

		n = read(fd, pbuf + have, sizeof(pbuf) - 1 - have);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		have += (size_t)n;
		pbuf[have] = 0;
		while ((nl = memchr(s, '\n', have - (size_t)(s - pbuf)))) {
			*nl = 0;
			if (line(s, arg)) {
				close(fd);
				return 0;
			}
			s = nl + 1;
		}
		have -= (size_t)(s - pbuf);
		memmove(pbuf, s, have);
		if (have == sizeof(pbuf) - 1)
			have = 0;	/* an absurd line: drop it */
	}
	close(fd);
	return 0;
}

struct prot_q {
	uint64_t addr;
	int64_t rc;
	uint64_t prot;
};

static bool prot_line(const char *l, void *arg)
{
	struct prot_q *q = arg;
	unsigned long long s, e;
	char perms[8];

	if (sscanf(l, "%llx-%llx %7s", &s, &e, perms) != 3 || q->addr < s ||
	    q->addr >= e)
		return false;
	q->prot = (perms[0] == 'r' ? LX_PROT_READ : 0) |
		  (perms[1] == 'w' ? LX_PROT_WRITE : 0) |
		  (perms[2] == 'x' ? LX_PROT_EXEC : 0);
	q->rc = 0;
	return true;
}

static bool own_line(const char *l, void *arg)
{
	unsigned long long s, e;

	(void)arg;
	if (sscanf(l, "%llx-%llx", &s, &e) != 2 || box->nown == NAT_OWN_MAX)
		return false;
	/* the stack may still grow into the gap the kernel keeps below it */
	if (strstr(l, "[stack]"))
		s = s > (16u << 20) ? s - (16u << 20) : 0;
	box->own[box->nown].start = s;
	box->own[box->nown].end = e;
	box->nown++;
	return false;
}

/* Resident bytes now, from statm (its second field, in pages). */
static bool statm_line(const char *l, void *arg)
{
	unsigned long long size, res;

	if (sscanf(l, "%llu %llu", &size, &res) == 2)
		*(uint64_t *)arg = res << LX_PAGE_SHIFT;
	return true;
}

static uint64_t resident(void)
{
	uint64_t r = 0;

	proc_lines("statm", statm_line, &r);
	return r;
}

/*
 * Would @more bytes made resident stay within the memory limit?  Reading
 * statm costs a few microseconds, so between readings the resident size
 * is an upper estimate (what was read, plus every page written since);
 * it is read afresh every few thousand pages, and before anything is
 * refused.
 */
static bool fits(uint64_t more)
{
	static uint64_t est, since;

	if (since > (4096u << LX_PAGE_SHIFT) || est == 0 ||
	    est + more > lim->mem) {
		est = resident();
		since = 0;
	}
	if (more > lim->mem || est + more > lim->mem)
		return false;
	est += more;
	since += more;
	return true;
}

/* ---- loads and stores that may fault ---- */

static sigjmp_buf fault_jmp;
static volatile sig_atomic_t fault_sig, in_access;

/*
 * A fault of a requested access is its answer; any other is fatal, and
 * so is the signal sent by someone (si_code <= 0: kill(), not a fault).
 */
static void on_fault(int sig, siginfo_t *info, void *uc)
{
	(void)uc;
	if (!in_access || info->si_code <= 0) {
		signal(sig, SIG_DFL);
		kill(getpid(), sig);
		return;
	}
	fault_sig = sig;
	siglongjmp(fault_jmp, 1);
}

__attribute__((no_sanitize("address", "undefined"))) static int
child_access(uint64_t addr, int write, uint8_t *val)
{
	volatile uint8_t *p = (volatile uint8_t *)(uintptr_t)addr;

	fault_sig = 0;
	if (sigsetjmp(fault_jmp, 0)) {	/* SA_NODEFER: no mask to restore */
		in_access = 0;
		return fault_sig == SIGBUS ? -EIO : -EFAULT;
	}
	in_access = 1;
	if (write)
		*p = *val;
	else
		*val = *p;
	in_access = 0;
	return 0;
}

/*
 * Write @b to the first byte of every page of [addr, addr+len) that takes
 * a write (or the first such page only), within the memory limit.
 */
static int64_t child_touch(uint64_t addr, uint64_t len, uint8_t b,
			   bool first, uint64_t *written)
{
	uint64_t end = addr + ((len + LX_PAGE_SIZE - 1) & LX_PAGE_MASK), a;

	*written = 0;
	if (end <= addr)
		return 0;
	for (a = addr; a < end; a += LX_PAGE_SIZE) {
		if (!fits(LX_PAGE_SIZE))
			return NAT_REFUSED;
		if (child_access(a, 1, &b) == 0) {
			(*written)++;
			if (first)
				break;
		}
	}
	return 0;
}

/* ---- descriptors ---- */

/* FD_FILE_SIZE, or less where RLIMIT_FSIZE says so. */
static uint64_t fd_file_size(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_FSIZE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY &&
	    rl.rlim_cur < FD_FILE_SIZE)
		return rl.rlim_cur & LX_PAGE_MASK;
	return FD_FILE_SIZE;
}

/* Let the trace's descriptor @fd stand for a fresh file it may map. */
static int child_fd_open(int fd, int mode)
{
	char path[64];
	int m, f;

	if (fd < 0)
		return -EBADF;
	m = (int)syscall(SYS_memfd_create, "rmsim-native-file", 0);
	if (m < 0)
		return -errno;
	if (ftruncate(m, (off_t)fd_file_size())) {
		close(m);
		return -EIO;
	}
	f = m;
	if (mode != O_RDWR) {
		/* the access mode decides what a shared mapping may do */
		snprintf(path, sizeof(path), "/proc/self/fd/%d", m);
		f = open(path, mode & O_ACCMODE);
		if (f < 0)
			f = m;
	}
	if (f != fd && dup2(f, fd) < 0) {
		int e = errno;

		close(m);
		if (f != m)
			close(f);
		return -e;
	}
	if (m != fd)
		close(m);
	if (f != fd && f != m)
		close(f);
	return 0;
}

/* ---- limits ---- */

/*
 * RLIMIT_MEMLOCK as the trace sets it, never above the memory limit.  A
 * privileged child (CAP_IPC_LOCK) locks regardless of the limit, and may
 * not be able to raise it (no CAP_SYS_RESOURCE): there the calls that
 * lock are checked against the memory limit before they run.
 */
static void set_memlock(uint64_t want)
{
	struct rlimit rl;

	if (want > lim->mem)
		want = lim->mem;
	if (getrlimit(RLIMIT_MEMLOCK, &rl))
		return;
	if (want > rl.rlim_max) {
		rl.rlim_max = want;	/* raising needs CAP_SYS_RESOURCE */
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_MEMLOCK, &rl) == 0)
			return;
		getrlimit(RLIMIT_MEMLOCK, &rl);
		want = rl.rlim_max;
	}
	rl.rlim_cur = want;
	setrlimit(RLIMIT_MEMLOCK, &rl);
}

static void limits(void)
{
	struct rlimit rl;

	getrlimit(RLIMIT_MEMLOCK, &rl);
	if (rl.rlim_cur > lim->mem) {
		rl.rlim_cur = lim->mem;
		setrlimit(RLIMIT_MEMLOCK, &rl);
	}
	rl.rlim_cur = lim->cpu_s;
	rl.rlim_max = lim->cpu_s + 5;
	setrlimit(RLIMIT_CPU, &rl);
	/* no core files of a child that dies */
	rl.rlim_cur = rl.rlim_max = 0;
	setrlimit(RLIMIT_CORE, &rl);
}

struct sum_q {
	const char *key;	/* a status field, or NULL: accessible maps */
	uint64_t bytes;
};

static bool sum_line(const char *l, void *arg)
{
	struct sum_q *q = arg;
	unsigned long long s, e, kb;
	char perms[8];

	if (q->key) {
		size_t n = strlen(q->key);

		if (strncmp(l, q->key, n) || sscanf(l + n, "%llu", &kb) != 1)
			return false;
		q->bytes = kb << 10;
		return true;
	}
	if (sscanf(l, "%llx-%llx %7s", &s, &e, perms) == 3 &&
	    (perms[0] == 'r' || perms[1] == 'w' || perms[2] == 'x'))
		q->bytes += e - s;
	return false;
}

/* Memory locked now; what mlockall(MCL_CURRENT) would lock. */
static uint64_t locked(void)
{
	struct sum_q q = {"VmLck:", 0};

	proc_lines("status", sum_line, &q);
	return q.bytes;
}

static uint64_t lockable(void)
{
	struct sum_q q = {NULL, 0};

	proc_lines("maps", sum_line, &q);
	return q.bytes;
}

/* ---- calls ---- */

static long sys(long nr, const uint64_t *a)
{
	long r = syscall(nr, a[0], a[1], a[2], a[3], a[4], a[5]);

	return r == -1 ? -errno : r;
}

/* Would @len more bytes made resident pass the memory limit? */
static bool too_big(uint64_t len)
{
	return !fits(len);
}

static int64_t child_call(const struct nat_req *q, uint64_t *val)
{
	static uint8_t small_vec[4096];
	uint64_t a[6];
	long r;

	memcpy(a, q->arg, sizeof(a));
	switch (q->call) {
	case TR_MMAP:
		if (((a[3] & (LX_MAP_POPULATE | LX_MAP_LOCKED)) || mcl_future) &&
		    too_big(a[1]))
			return NAT_REFUSED;
		r = sys(SYS_mmap, a);
		break;
	case TR_MUNMAP:
		r = sys(SYS_munmap, a);
		break;
	case TR_MPROTECT:
		r = sys(SYS_mprotect, a);
		break;
	case TR_PKEY_MPROTECT:
		r = sys(SYS_pkey_mprotect, a);
		break;
	case TR_MADVISE:
		if (a[2] == MADV_HWPOISON_ || a[2] == MADV_SOFT_OFFLINE_)
			return NAT_REFUSED;	/* acts on the host's pages */
		if ((a[2] == MADV_POPULATE_READ_ ||
		     a[2] == MADV_POPULATE_WRITE_) &&
		    too_big(a[1]))
			return NAT_REFUSED;
		r = sys(SYS_madvise, a);
		break;
	case TR_MREMAP:
		if (mcl_future && a[2] > a[1] && too_big(a[2] - a[1]))
			return NAT_REFUSED;
		r = sys(SYS_mremap, a);
		break;
	case TR_MSYNC:
		r = sys(SYS_msync, a);
		break;
	case TR_BRK:
		r = sys(SYS_brk, a);
		break;
	case TR_MLOCK:
	case TR_MLOCK2:
		if (a[1] > lim->mem || locked() + a[1] > lim->mem)
			return NAT_REFUSED;
		r = sys(q->call == TR_MLOCK ? SYS_mlock : SYS_mlock2, a);
		break;
	case TR_MUNLOCK:
		r = sys(SYS_munlock, a);
		break;
	case TR_MLOCKALL:
		if ((a[0] & LX_MCL_CURRENT) && !(a[0] & LX_MCL_ONFAULT) &&
		    lockable() > lim->mem)
			return NAT_REFUSED;
		r = sys(SYS_mlockall, a);
		if (r == 0 && (a[0] & LX_MCL_FUTURE))
			mcl_future = true;
		break;
	case TR_MUNLOCKALL:
		r = sys(SYS_munlockall, a);
		if (r == 0)
			mcl_future = false;
		break;
	case TR_MINCORE: {
		/* our own vector, as large as the range needs */
		uint64_t pages = (a[1] + LX_PAGE_SIZE - 1) >> LX_PAGE_SHIFT;
		void *vec = small_vec;

		if (pages > sizeof(small_vec) && pages < ((uint64_t)1 << 32)) {
			vec = mmap(NULL, pages, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
				   -1, 0);
			if (vec == MAP_FAILED)
				vec = small_vec;
		}
		a[2] = (uint64_t)(uintptr_t)vec;
		r = sys(SYS_mincore, a);
		if (vec != small_vec)
			munmap(vec, pages);
		break;
	}
	case TR_MSEAL:
		r = sys(462, a);	/* __NR_mseal, newer than the headers */
		break;
	case TR_PRCTL:
		r = sys(SYS_prctl, a);
		break;
	case TR_MEMFD_SECRET:
		r = sys(447, a);	/* __NR_memfd_secret */
		break;
	default:
		r = -ENOSYS;
	}
	if (r < 0 && r >= -4095) {
		*val = 0;
		return r;
	}
	*val = (uint64_t)r;
	return 0;
}

static void serve(const struct nat_req *q, struct nat_resp *s)
{
	struct prot_q pq;
	uint8_t b;

	memset(s, 0, sizeof(*s));
	switch (q->op) {
	case NAT_CALL:
		s->rc = child_call(q, &s->val);
		break;
	case NAT_LOAD:
		s->rc = child_access(q->arg[0], 0, &b);
		s->val = b;
		break;
	case NAT_STORE:
		b = (uint8_t)q->arg[1];
		s->rc = fits(LX_PAGE_SIZE) ? child_access(q->arg[0], 1, &b)
					   : NAT_REFUSED;
		break;
	case NAT_PROT:
		pq.addr = q->arg[0];
		pq.rc = -ENOMEM;
		pq.prot = 0;
		if (proc_lines("maps", prot_line, &pq))
			pq.rc = -EIO;
		s->rc = pq.rc;
		s->val = pq.prot;
		break;
	case NAT_TOUCH:
		s->rc = child_touch(q->arg[0], q->arg[1], (uint8_t)q->arg[2],
				    q->arg[3] != 0, &s->val);
		break;
	case NAT_FD_OPEN:
		s->rc = child_fd_open((int)q->arg[0], (int)q->arg[1]);
		break;
	case NAT_FD_CLOSE:
		s->rc = close((int)q->arg[0]) ? -errno : 0;
		break;
	case NAT_FD_DUP:
		s->rc = dup2((int)q->arg[0], (int)q->arg[1]) < 0 ? -errno : 0;
		break;
	case NAT_MEMLOCK:
		set_memlock(q->arg[0]);
		break;
	default:
		s->rc = -ENOSYS;
	}
}

static bool parent_alive(void *arg)
{
	return getppid() == *(pid_t *)arg;
}

void nat_child_main(struct nat_box *b, const struct nat_limits *l)
{
	struct sigaction sa;
	pid_t parent = getppid();
	uint32_t seq = 0;
	int null;

	box = b;
	lim = l;
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	/* nothing of the parent's stays reachable: not its database, not
	 * its output */
	null = open("/dev/null", O_RDWR);
	if (null >= 0) {
		dup2(null, 0);
		dup2(null, 1);
		dup2(null, 2);
	}
	if (syscall(SYS_close_range, 3, ~0u, 0)) {
		int fd, max = (int)sysconf(_SC_OPEN_MAX);

		for (fd = 3; fd < max && fd < (1 << 20); fd++)
			close(fd);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_sigaction = on_fault;
	sa.sa_flags = SA_NODEFER | SA_SIGINFO;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	limits();
	box->brk0 = (uint64_t)syscall(SYS_brk, 0);
	box->nown = 0;
	proc_lines("maps", own_line, NULL);
	/* answer 1 says the child is ready; request n is answered by
	 * making resp_seq n + 1 */
	nat_post(&box->resp_seq, &box->parent_sleeps, ++seq);
	for (;;) {
		if (nat_wait(&box->req_seq, &box->child_sleeps, seq,
			     parent_alive, &parent))
			_exit(0);
		serve(&box->req[seq % NAT_RING], &box->resp[seq % NAT_RING]);
		nat_post(&box->resp_seq, &box->parent_sleeps, ++seq);
	}
}
