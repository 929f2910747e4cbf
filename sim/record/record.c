/*
 * record.c - `rmsim record`: run a program under strace (inside perf when
 * page faults are recorded), tee strace's lines into the trace, and write
 * the side file (docs/recording.md).
 *
 * ALGORITHM: strace writes into a FIFO the recorder reads line by line
 * (strace flushes each line to it).  Each line goes to the trace file
 * unchanged; the trace reader's line splitter gives its pid (every pid
 * joins the set whose faults are kept, and the list of live processes
 * sampled for RssAnon) and its call: a successful execve triggers the
 * capture of /proc/PID/maps while strace holds the process at the end of
 * the call (its delay_exit injection).  A second thread samples RssAnon
 * every period and reaps the child; it closes the recorder's own write
 * end of the FIFO (held so that the read side cannot see an end before
 * strace has opened it) once the child has exited, which ends the read
 * loop.  Afterwards `perf script` turns perf's samples into fault lines
 * of the traced processes, and the trace reader counts what was recorded.
 * INVARIANTS: the trace holds exactly strace's bytes; the side file's
 * header lines all precede its faults; faults of processes strace did
 * not trace (strace itself, perf) are never written.
 */
#include "rmsim/record.h"

#include "rmsim/trace.h"

#include "rec_internal.h"
#include "trace/lines.h"
#include "trace/pidset.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/*
 * The calls the replay reads or applies, and those it counts as
 * changing the address space without modelling them.  A '?' lets an
 * older strace that does not know the name run on; it prints such a
 * call as syscall_0xNNN whatever the filter says.
 */
static const char trace_set[] =
	"trace=%memory,"
	"clone,clone3,fork,vfork,execve,execveat,exit_group,"
	"open,openat,?openat2,creat,close,?close_range,dup,dup2,dup3,"
	"memfd_create,?memfd_secret,"
	"prlimit64,setrlimit,capset,prctl,"
	"shmget,shmat,shmdt,shmctl,remap_file_pages,?process_madvise,"
	"?userfaultfd,?io_uring_setup,?mseal";

/*
 * perf's start and end cost more than most programs run: no build-ids
 * (-B, -N) and no BPF program events; `perf script` reads no kernel
 * symbols.  Addresses are all the side file needs.
 */
#define PERF_FAST "-B", "-N", "--no-bpf-event"

/*
 * Where the page faults come from, in the order tried.  The tracepoints
 * give the fault's error code, so whether it was a read, a write or an
 * instruction fetch, and they see faults the kernel takes on user memory
 * (a read() into a fresh buffer) apart; perf 6.1 refuses CLOCK_REALTIME
 * for them, so they run on CLOCK_MONOTONIC and are shifted by the offset
 * between the clocks.  The software event needs no tracefs but says
 * nothing of the access.  When perf refuses both (no permission, no
 * perf events in a container), the program runs without perf.
 */
enum fault_src { SRC_TRACEPOINTS, SRC_SOFTWARE, SRC_NONE };

static const char *const perf_tp[] = {
	"perf", "record", "-e", "exceptions:page_fault_user", "-e",
	"exceptions:page_fault_kernel", "-c", "1", "-k", "CLOCK_MONOTONIC",
	"-q", "-m", "1024", PERF_FAST, "-o", NULL};
static const char *const perf_sw[] = {
	"perf", "record", "-e", "page-faults", "-c", "1", "-d", "-k",
	"CLOCK_REALTIME", "-q", "-m", "1024", PERF_FAST, "-o", NULL};

static const char *const src_names[] = {
	[SRC_TRACEPOINTS] = "tracepoints", [SRC_SOFTWARE] = "software",
	[SRC_NONE] = "none"};

#define DEFAULT_RSS_MS 100
#define DEFAULT_HOLD_MS 50

static int fail(char *err, size_t size, int code, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int fail(char *err, size_t size, int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, size, fmt, ap);
	va_end(ap);
	return code;
}

int rec_strace_argv(const struct rec_options *o, const char *fifo,
		    char *hold, size_t hold_size, const char **argv)
{
	int n = 0;

	snprintf(hold, hold_size, "inject=execve,execveat:delay_exit=%u",
		 (o->exec_hold_ms ? o->exec_hold_ms : DEFAULT_HOLD_MS) * 1000);
	argv[n++] = "strace";
	argv[n++] = "-f";		/* every process and thread */
	argv[n++] = "-ttt";		/* CLOCK_REALTIME, microseconds */
	argv[n++] = "-T";		/* durations: overlapping calls */
	argv[n++] = "-q";		/* no attach notes */
	argv[n++] = "-s";
	argv[n++] = "256";
	/* only the traced calls stop the program */
	argv[n++] = "--seccomp-bpf";
	argv[n++] = "-o";
	argv[n++] = fifo;
	argv[n++] = "-e";
	argv[n++] = trace_set;
	argv[n++] = "-e";
	argv[n++] = hold;
	argv[n++] = "--";
	argv[n] = NULL;
	return n;
}

/* Where execvp would find @prog: into @buf, true when found. */
static bool find_prog(const char *prog, char *buf, size_t size)
{
	const char *path = getenv("PATH");

	if (strchr(prog, '/')) {
		snprintf(buf, size, "%s", prog);
		return access(buf, X_OK) == 0;
	}
	if (!path)
		path = "/usr/bin:/bin";
	while (*path) {
		size_t n = strcspn(path, ":");

		snprintf(buf, size, "%.*s/%s", n ? (int)n : 1,
			 n ? path : ".", prog);
		if (access(buf, X_OK) == 0)
			return true;
		path += n + (path[n] == ':');
	}
	return false;
}

static bool in_path(const char *tool)
{
	char buf[4096];

	return find_prog(tool, buf, sizeof(buf));
}

/* rmsim-exec beside the running rmsim, or false. */
static bool find_helper(char *buf, size_t size)
{
	char self[4000], *slash;
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0)
		return false;
	self[n] = '\0';
	slash = strrchr(self, '/');
	if (!slash)
		return false;
	*slash = '\0';
	snprintf(buf, size, "%s/rmsim-exec", self);
	return access(buf, X_OK) == 0;
}

/* The recording in progress, shared by the reading and sampling threads. */
struct rec {
	const struct rec_options *o;
	pthread_mutex_t lock;
	struct tr_pidset seen;	/* every pid strace printed */
	int32_t *live;		/* processes to sample */
	size_t nlive, caplive;
	struct rec_buf execs;	/* exec and map lines (reading thread) */
	struct rec_buf rss;	/* rss lines (sampling thread) */
	uint64_t nexecs, nexact, nrss;
	pid_t child;
	int status;
	int32_t root;		/* the first pid strace printed */
	unsigned root_execs;	/* its successful execves so far */
	bool helper;		/* its first execve is rmsim-exec's */
	const char *helper_path;
	int64_t start_us;	/* the program's execve: faults of the root
				 * before it are strace's and rmsim-exec's */
	enum fault_src src;
	int64_t mono_off_us;	/* CLOCK_REALTIME - CLOCK_MONOTONIC */
	int wfd;		/* our write end of the FIFO */
};

static void add_pid(struct rec *r, int32_t pid)
{
	pthread_mutex_lock(&r->lock);
	if (tr_pidset_add(&r->seen, pid) > 0) {
		if (r->nlive == r->caplive) {
			size_t ncap = r->caplive ? r->caplive * 2 : 64;
			int32_t *nl = realloc(r->live, ncap * sizeof(*nl));

			if (nl) {
				r->live = nl;
				r->caplive = ncap;
			}
		}
		if (r->nlive < r->caplive)
			r->live[r->nlive++] = pid;
	}
	pthread_mutex_unlock(&r->lock);
}

static void drop_live(struct rec *r, int32_t pid)
{
	size_t i;

	pthread_mutex_lock(&r->lock);
	for (i = 0; i < r->nlive; i++)
		if (r->live[i] == pid) {
			r->live[i] = r->live[--r->nlive];
			break;
		}
	pthread_mutex_unlock(&r->lock);
}

static void sample(struct rec *r)
{
	int64_t ts = rec_now_us();
	int32_t *pids;
	size_t n, i;

	pthread_mutex_lock(&r->lock);
	n = r->nlive;
	pids = malloc((n ? n : 1) * sizeof(*pids));
	if (pids && n)
		memcpy(pids, r->live, n * sizeof(*pids));
	pthread_mutex_unlock(&r->lock);
	if (!pids)
		return;
	for (i = 0; i < n; i++) {
		uint64_t kib;
		int rc = rec_rss_anon(pids[i], &kib);

		if (rc == 1) {
			rec_buf_printf(&r->rss,
				       "rss %d %" PRId64 ".%06" PRId64
				       " %" PRIu64 "\n",
				       (int)pids[i], ts / 1000000,
				       ts % 1000000, kib);
			r->nrss++;
		} else {
			/* a thread (its leader is sampled) or gone */
			drop_live(r, pids[i]);
		}
	}
	free(pids);
}

/* Sample RssAnon each period; reap the child; then end the read loop. */
static void *sampler(void *arg)
{
	struct rec *r = arg;
	int64_t period = (r->o->rss_period_ms ? r->o->rss_period_ms
					      : DEFAULT_RSS_MS) * 1000;
	struct timespec tick = {0, 5 * 1000 * 1000};
	int64_t next = rec_now_us() + period;

	for (;;) {
		pid_t w = waitpid(r->child, &r->status, WNOHANG);

		if (w == r->child || (w < 0 && errno != EINTR))
			break;
		nanosleep(&tick, NULL);
		/* by the clock: a loaded machine stretches the ticks */
		if (rec_now_us() >= next) {
			next = rec_now_us() + period;
			sample(r);
		}
	}
	close(r->wfd);
	return NULL;
}

static bool is_name(const struct tr_line *l, const char *name)
{
	return l->name_len == strlen(name) &&
	       memcmp(l->name, name, l->name_len) == 0;
}

/* "= 0" of a complete or resumed execve: the new image exists now. */
static bool execve_done(const struct tr_line *l)
{
	const char *body = l->body, *p;
	size_t len = l->body_len;
	struct tr_event ev;
	const char *why;
	char path[16];

	if (!(is_name(l, "execve") || is_name(l, "execveat")))
		return false;
	if (l->kind == TR_LINE_RESUMED) {
		/* only the result matters: parse from its parenthesis */
		for (p = body + len; p > body; p--)
			if (p[-1] == ')' && (size_t)(body + len - p) >= 3 &&
			    memcmp(p, " = ", 3) == 0)
				break;
		if (p == body)
			return false;
		len -= (size_t)(p - 1 - body);
		body = p - 1;
	}
	memset(&ev, 0, sizeof(ev));
	return tr_parse_call(TR_EXECVE, body, len, &ev, path, sizeof(path),
			     &why) == 0 &&
	       ev.result == TR_RET_VALUE && ev.ret == 0;
}

/* One line of strace's output, written to the trace already. */
static void look_at(struct rec *r, const char *s, size_t len)
{
	struct tr_line l;

	tr_split_line(s, len, &l);
	if (l.pid <= 0)
		return;
	if (!r->root)
		r->root = l.pid;
	add_pid(r, l.pid);
	if (l.kind == TR_LINE_EXIT) {
		drop_live(r, l.pid);
	} else if ((l.kind == TR_LINE_CALL || l.kind == TR_LINE_RESUMED) &&
		   execve_done(&l)) {
		int rc;

		if (l.pid == r->root && r->root_execs++ == 0 && r->helper) {
			/*
			 * rmsim-exec's own image: an exec record without maps
			 * at its execve's time, so that a reader looking for
			 * the maps of this execve finds none rather than the
			 * program's
			 */
			rec_buf_printf(&r->execs,
				       "exec %d %" PRId64 ".%06" PRId64
				       " late %s\n",
				       (int)l.pid, l.ts_us / 1000000,
				       l.ts_us % 1000000, r->helper_path);
			return;
		}
		if (l.pid == r->root && !r->start_us)
			r->start_us = l.ts_us ? l.ts_us : 1;
		rc = rec_capture_maps(l.pid, rec_now_us(), &r->execs);

		if (rc >= 0) {
			r->nexecs++;
			r->nexact += (uint64_t)rc;
		}
	}
}

static void exec_child(const char **argv)
{
	struct sigaction sa;
	int sig;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = SIG_DFL;
	for (sig = 1; sig < NSIG; sig++)
		sigaction(sig, &sa, NULL);
	/* should the recorder die, perf or strace ends too rather than
	 * wait for a reader of the FIFO forever */
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	execvp(argv[0], (char *const *)argv);
	fprintf(stderr, "rmsim record: cannot run %s: %s\n", argv[0],
		strerror(errno));
	_exit(127);
}

/*
 * One line of `perf script` -> a fault line, if it is a fault of a traced
 * process on user memory.  Tracepoints: "PID SEC.USEC: exceptions:
 * page_fault_user: address=0x.. ip=0x.. error_code=0x..", on
 * CLOCK_MONOTONIC; software event: "PID SEC.USEC: ADDR IP".
 */
static bool fault_of(const struct rec *r, const char *line, int *pid,
		     int64_t *ts, unsigned long long *addr, char *acc)
{
	unsigned long long sec, usec, ip, code;
	const char *a, *c;

	if (sscanf(line, "%d %llu.%llu:", pid, &sec, &usec) != 3 ||
	    !tr_pidset_has(&r->seen, *pid))
		return false;
	*ts = (int64_t)(sec * 1000000 + usec);
	if (r->src == SRC_TRACEPOINTS) {
		a = strstr(line, "address=");
		c = strstr(line, "error_code=");
		if (!a || !c || sscanf(a, "address=%llx", addr) != 1 ||
		    sscanf(c, "error_code=%llx", &code) != 1)
			return false;
		*ts += r->mono_off_us;
		/* x86 page-fault error code: bit 1 write, bit 4 fetch */
		*acc = code & 0x10 ? 'x' : code & 0x2 ? 'w' : 'r';
	} else {
		if (sscanf(line, "%*d %*u.%*u: %llx %llx", addr, &ip) != 2)
			return false;
		/* an instruction fetch faults at the instruction itself */
		*acc = *addr == ip ? 'x' : '-';
	}
	/* the kernel's own faults on kernel memory */
	if (*addr >= 0x800000000000ULL)
		return false;
	/* strace's and rmsim-exec's start-up in the first process */
	return !(*pid == r->root && *ts < r->start_us);
}

static int write_faults(struct rec *r, const char *dir, struct rec_out *side,
			uint64_t *nfaults)
{
	char cmd[4200], *line = NULL;
	size_t cap = 0;
	int64_t last = 0;
	uint64_t late = 0;
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "perf script -i '%s/perf.data' -F pid,time,%s "
		 "--kallsyms=/dev/null 2>/dev/null",
		 dir, r->src == SRC_TRACEPOINTS ? "event,trace" : "addr,ip");
	p = popen(cmd, "r");
	if (!p)
		return -errno;
	while (getline(&line, &cap, p) > 0) {
		unsigned long long addr;
		int64_t ts;
		int pid;
		char acc;

		if (!fault_of(r, line, &pid, &ts, &addr, &acc))
			continue;
		/* perf sorts by time; should a sample still come late, it
		 * keeps the time before it, as the side file's order needs */
		if (ts < last) {
			ts = last;
			late++;
		}
		last = ts;
		rec_out_printf(side, "fault %d %" PRId64 ".%06" PRId64
				     " %llx %c\n",
			       pid, ts / 1000000, ts % 1000000, addr, acc);
		(*nfaults)++;
	}
	free(line);
	if (late)
		fprintf(stderr, "rmsim record: %" PRIu64 " page faults came "
				"out of time order from perf; they keep the "
				"time of the fault before them\n", late);
	return pclose(p) == 0 ? 0 : -EIO;
}

/* Count what the trace holds, through the trace reader. */
static void count_trace(const char *path, struct rec_result *res)
{
	struct tr_options opt = {.keep_going = true};
	const struct tr_stats *st;
	struct tr_reader *rd;
	struct tr_event ev;
	int err;

	rd = tr_open(path, &opt, &err);
	if (!rd)
		return;
	while (tr_next(rd, &ev) != 0)
		;
	st = tr_reader_stats(rd);
	res->events = st->events;
	res->lines = st->lines;
	res->processes = st->pids;
	res->trace_text_bytes = st->bytes;
	if (st->skipped)
		fprintf(stderr,
			"rmsim record: warning: the reader cannot read %" PRIu64
			" line(s) of %s (rmsim cat %s says which)\n",
			st->skipped, path, path);
	tr_close(rd);
}

static void side_name(const char *trace, char *buf, size_t size)
{
	size_t n = strlen(trace);
	const char *comp = "";

	if (n > 3 && strcmp(trace + n - 3, ".xz") == 0) {
		comp = ".xz";
		n -= 3;
	} else if (n > 3 && strcmp(trace + n - 3, ".gz") == 0) {
		comp = ".gz";
		n -= 3;
	}
	if (n > 7 && memcmp(trace + n - 7, ".strace", 7) == 0)
		n -= 7;
	/* a plain trace still gets a compressed side file: faults are many */
	snprintf(buf, size, "%.*s.faults%s", (int)n, trace,
		 comp[0] ? comp : ".xz");
}

/*
 * Run @argv once, teeing strace's lines into @trace.  0 with the child's
 * status in r->status and *@nlines, or a REC_ERR_*.
 */
static int run_once(struct rec *r, const char *fifo, const char **argv,
		    struct rec_out *trace, uint64_t *nlines, char *err,
		    size_t errsize)
{
	struct sigaction ign, old_int, old_term, old_quit;
	struct tr_lines *lines = NULL;
	int rfd, e = 0, rc = 0;
	const char *s;
	size_t len;
	pthread_t th;

	/*
	 * Open both ends ourselves: neither open blocks, and the read side
	 * sees no end before strace has opened the FIFO (our write end
	 * stays open until the child has exited).
	 */
	rfd = open(fifo, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	r->wfd = rfd < 0 ? -1 : open(fifo, O_WRONLY | O_CLOEXEC);
	if (r->wfd < 0 || fcntl(rfd, F_SETFL, 0) < 0) {
		rc = fail(err, errsize, REC_ERR_INTERNAL, "%s: %s", fifo,
			  strerror(errno));
		if (rfd >= 0)
			close(rfd);
		if (r->wfd >= 0)
			close(r->wfd);
		return rc;
	}
	/* ^C reaches the program (and strace and perf, which pass it on);
	 * the recorder stays to write what was recorded */
	memset(&ign, 0, sizeof(ign));
	ign.sa_handler = SIG_IGN;
	sigaction(SIGINT, &ign, &old_int);
	sigaction(SIGTERM, &ign, &old_term);
	sigaction(SIGQUIT, &ign, &old_quit);
	r->child = fork();
	if (r->child == 0)
		exec_child(argv);
	if (r->child < 0 || pthread_create(&th, NULL, sampler, r) != 0) {
		rc = fail(err, errsize, REC_ERR_INTERNAL, "cannot start: %s",
			  strerror(errno));
		if (r->child > 0) {
			kill(r->child, SIGKILL);
			waitpid(r->child, NULL, 0);
		}
		close(r->wfd);
		close(rfd);
		goto restore;
	}
	lines = tr_lines_fdopen(rfd, fifo, &e);
	if (!lines)
		close(rfd);	/* the child's write blocks no more */
	while (lines && (e = tr_lines_next(lines, &s, &len)) > 0) {
		if (rec_out_write(trace, s, len) == 0)
			rec_out_write(trace, "\n", 1);
		look_at(r, s, len);
		(*nlines)++;
	}
	pthread_join(th, NULL);	/* it closed r->wfd */
	if (!lines)
		rc = fail(err, errsize, REC_ERR_INTERNAL, "%s: %s", fifo,
			  strerror(-e));
	else if (e < 0)
		rc = fail(err, errsize, REC_ERR_INTERNAL, "%s",
			  tr_lines_error(lines));
	tr_lines_close(lines);
restore:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	sigaction(SIGQUIT, &old_quit, NULL);
	return rc;
}

/* The side file: header, maps and samples, then the faults. */
static int write_side(struct rec *r, const char *dir, struct rec_result *res,
		      char *err, size_t errsize)
{
	struct rec_buf mach = {0};
	struct rec_out *side;
	int e;

	side = rec_out_open(res->side_path, &e);
	if (!side)
		return fail(err, errsize, REC_ERR_WRITE, "%s: %s",
			    res->side_path, strerror(-e));
	rec_out_printf(side, "rmsim-faults 1\n");
	rec_machine(&mach);
	if (mach.len)
		rec_out_write(side, mach.s, mach.len);
	rec_buf_free(&mach);
	rec_out_printf(side, "machine faults %s\n",
		       r->src != SRC_NONE ? "perf" : "none");
	if (r->src != SRC_NONE)
		rec_out_printf(side, "machine fault_source %s\n",
			       src_names[r->src]);
	if (r->execs.len)
		rec_out_write(side, r->execs.s, r->execs.len);
	if (r->rss.len)
		rec_out_write(side, r->rss.s, r->rss.len);
	if (r->src != SRC_NONE && write_faults(r, dir, side, &res->faults) < 0)
		/* what perf script gave is kept: the trace is complete */
		fprintf(stderr, "rmsim record: warning: perf script failed; "
				"the side file has the faults it gave\n");
	if (r->execs.failed || r->rss.failed)
		fprintf(stderr, "rmsim record: warning: out of memory, the "
				"side file lacks maps or RSS samples\n");
	e = rec_out_close(side, &res->side_bytes);
	if (e)
		return fail(err, errsize, REC_ERR_WRITE, "%s: %s",
			    res->side_path, strerror(-e));
	return 0;
}

/*
 * Whether this kernel may have the page-fault tracepoints perf can use:
 * their files are there, or no tracefs is mounted to tell (perf mounts
 * it itself at /sys/kernel/tracing when it may; where it may not, perf
 * refuses before the program starts and the software event is tried).
 */
static bool have_tracepoints(void)
{
	static const char *const dirs[] = {"/sys/kernel/tracing",
					   "/sys/kernel/debug/tracing"};
	char path[128];
	unsigned i;

	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path),
			 "%s/events/exceptions/page_fault_user", dirs[i]);
		if (access(path, F_OK) == 0)
			return true;
	}
	for (i = 0; i < sizeof(dirs) / sizeof(dirs[0]); i++) {
		snprintf(path, sizeof(path), "%s/events", dirs[i]);
		if (access(path, F_OK) == 0)
			return false; /* mounted, without the tracepoints */
	}
	return true;
}

/* CLOCK_REALTIME - CLOCK_MONOTONIC, from the closest pair of readings. */
static int64_t mono_offset_us(void)
{
	int64_t best = 0, span = INT64_MAX;
	int i;

	for (i = 0; i < 5; i++) {
		struct timespec a, m, b;
		int64_t am, bm, mm;

		clock_gettime(CLOCK_MONOTONIC, &a);
		clock_gettime(CLOCK_REALTIME, &m);
		clock_gettime(CLOCK_MONOTONIC, &b);
		am = (int64_t)a.tv_sec * 1000000000 + a.tv_nsec;
		bm = (int64_t)b.tv_sec * 1000000000 + b.tv_nsec;
		mm = (int64_t)m.tv_sec * 1000000000 + m.tv_nsec;
		if (bm - am < span) {
			span = bm - am;
			best = (mm - (am + (bm - am) / 2)) / 1000;
		}
	}
	return best;
}

int rec_run(const struct rec_options *o, struct rec_result *res, char *err,
	    size_t errsize)
{
	/* the longest perf prefix, strace, rmsim-exec, the program */
	const char **argv = NULL, **tail = NULL;
	size_t nargs;
	char dir[] = "/tmp/rmsim-record-XXXXXX", fifo[64], perfdata[64];
	char hold[64], cmd[128], prog[4096], helper[4096];
	struct rec r = {.o = o, .lock = PTHREAD_MUTEX_INITIALIZER};
	struct rec_out *trace = NULL;
	uint64_t nlines = 0;
	int n = 0, i, rc = 0, e;
	enum fault_src src = SRC_NONE;

	memset(res, 0, sizeof(*res));
	if (!o->argv || !o->argv[0])
		return fail(err, errsize, REC_ERR_USAGE, "no program given");
	if (!in_path("strace"))
		return fail(err, errsize, REC_ERR_TOOL,
			    "strace not found (scripts/deps --record "
			    "installs it)");
	if (!find_prog(o->argv[0], prog, sizeof(prog)))
		return fail(err, errsize, REC_ERR_USAGE,
			    "%s: no such program", o->argv[0]);
	snprintf(res->faults_why, sizeof(res->faults_why), "--no-faults");
	if (o->faults != REC_FAULTS_OFF) {
		src = have_tracepoints() ? SRC_TRACEPOINTS : SRC_SOFTWARE;
		if (!in_path("perf")) {
			snprintf(res->faults_why, sizeof(res->faults_why),
				 "perf not found; scripts/deps --record "
				 "installs linux-perf");
			if (o->faults == REC_FAULTS_ON)
				return fail(err, errsize, REC_ERR_TOOL,
					    "--faults: %s", res->faults_why);
			src = SRC_NONE;
		}
	}
	for (nargs = 0; o->argv[nargs]; nargs++)
		;
	tail = calloc(32 + 2 + nargs + 1, sizeof(*tail));
	argv = calloc(24 + 32 + 2 + nargs + 1, sizeof(*argv));
	if (!tail || !argv || !mkdtemp(dir)) {
		free(tail);
		free(argv);
		return fail(err, errsize, REC_ERR_INTERNAL, "%s",
			    strerror(errno ? errno : ENOMEM));
	}
	snprintf(fifo, sizeof(fifo), "%s/strace", dir);
	snprintf(perfdata, sizeof(perfdata), "%s/perf.data", dir);
	if (mkfifo(fifo, 0600) < 0) {
		rc = fail(err, errsize, REC_ERR_INTERNAL, "mkfifo: %s",
			  strerror(errno));
		goto out;
	}
	/* strace, then rmsim-exec, then the program */
	n = rec_strace_argv(o, fifo, hold, sizeof(hold), tail);
	r.helper = find_helper(helper, sizeof(helper));
	r.helper_path = helper;
	if (r.helper) {
		tail[n++] = helper;
		tail[n++] = prog;
	}
	for (i = 0; o->argv[i]; i++)
		tail[n++] = o->argv[i];
	tail[n] = NULL;

	trace = rec_out_open(o->out, &e);
	if (!trace) {
		rc = fail(err, errsize, REC_ERR_WRITE, "%s: %s", o->out,
			  strerror(-e));
		goto out;
	}
	side_name(o->out, res->side_path, sizeof(res->side_path));
	for (;;) {
		const char *const *pre = src == SRC_TRACEPOINTS ? perf_tp
					 : src == SRC_SOFTWARE	? perf_sw
								: NULL;

		n = 0;
		for (i = 0; pre && pre[i]; i++)
			argv[n++] = pre[i];
		if (pre) {
			argv[n++] = perfdata;
			argv[n++] = "--";
		}
		for (i = 0; tail[i]; i++)
			argv[n++] = tail[i];
		argv[n] = NULL;
		r.src = src;
		r.mono_off_us = mono_offset_us();
		rc = run_once(&r, fifo, argv, trace, &nlines, err, errsize);
		if (rc || nlines || src == SRC_NONE)
			break;
		/* perf refused before strace started: the program never
		 * ran, so it runs once more with the next source */
		src++;
		snprintf(res->faults_why, sizeof(res->faults_why),
			 "perf cannot sample page faults here "
			 "(kernel.perf_event_paranoid?)");
		if (src == SRC_NONE && o->faults == REC_FAULTS_ON) {
			rc = fail(err, errsize, REC_ERR_TOOL, "--faults: %s",
				  res->faults_why);
			goto out;
		}
		if (src == SRC_NONE)
			fprintf(stderr, "rmsim record: %s; recording "
					"without\n",
				res->faults_why);
	}
	if (!rc && !nlines)
		rc = fail(err, errsize, REC_ERR_TOOL,
			  "strace recorded nothing (exit status %d)",
			  WIFEXITED(r.status) ? WEXITSTATUS(r.status) : -1);
	res->status = r.status;
	res->faults_recorded = src != SRC_NONE;
	e = rec_out_close(trace, &res->trace_bytes);
	trace = NULL;
	if (e && !rc)
		rc = fail(err, errsize, REC_ERR_WRITE, "%s: %s", o->out,
			  strerror(-e));
	if (!rc)
		rc = write_side(&r, dir, res, err, errsize);
	res->execs = r.nexecs;
	res->execs_exact = r.nexact;
	res->rss_samples = r.nrss;
	if (!rc)
		count_trace(o->out, res);
out:
	rec_out_abort(trace);
	rec_buf_free(&r.execs);
	rec_buf_free(&r.rss);
	tr_pidset_free(&r.seen);
	free(r.live);
	free(tail);
	free(argv);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	if (system(cmd) != 0)
		fprintf(stderr, "rmsim record: cannot remove %s\n", dir);
	return rc;
}
