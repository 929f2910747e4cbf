/*
 * runner.c - a list of runs on worker processes, one database writer.
 *
 * ALGORITHM: up to `jobs` processes work at once, each on one core: the
 * workers, and the merging process while it has a run to merge.  A
 * worker does one run: fork, set
 * the policy up, replay (or, for conform, run the cases) into a shard
 * database of the worker's own (in a private folder beside the database,
 * or under TMPDIR without one), send the run's summary back over a pipe,
 * exit.  The parent polls the pipes, kills a worker that passes the
 * per-run timeout, reaps each worker and judges how it ended: a summary
 * and exit 0 is a result; a signal, a timeout or an exit without a
 * summary marks the run `failed` with that reason (merged with the rows
 * it committed).  Runs are delivered (reported, then merged) in the
 * list's order, a finished run waiting for those before it, so the
 * database and the tables do not depend on -j or on timing.
 *
 * The merging is a process of its own, forked before any worker: the
 * parent sends it each delivered run over a pipe, it merges the shard
 * into the database in that order and replies with the run's id.  So a
 * long merge (a shard of a million events takes seconds) never keeps the
 * parent from starting the next worker: with -j N the merge of one run
 * overlaps the replays of the next N - 1, and with -j 1 the runs and
 * their merges take turns on one core.  Both pipes are non-blocking on
 * the parent's side, so neither process can wait on the other in a
 * circle.
 *
 * Why processes: an out-of-tree policy that crashes or loops costs its
 * own run only, and each worker has its own address space and database
 * connection (SQLite is never used across fork: the parent holds no
 * connection while it forks).  Why shards rather than rows over a pipe:
 * the shard is the unit `rmsim plan` and `rmsim merge` already use
 * across machines, so one merge serves both.
 *
 * INVARIANTS: a run is delivered once, after every run before it, and
 * merged once, in delivery order (merged <= sent <= delivered <= next);
 * every worker and the merging process are reaped; every shard is
 * removed once merged.
 */
#include "runner.h"

#include "cli.h"

#include "rmsim/db.h"
#include "rmsim/policy.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define MAX_JOBS 256

struct result {
	int status;
	struct rp_summary s;
};

struct slot {
	pid_t pid;
	int fd;
	size_t idx;
	double t0;
	bool timed_out;
	size_t got;
	struct result res;
};

/* To the merging process: merge run @idx's shard, marked @status
 * ("" as it is, "failed", "interrupted") with @detail. */
struct merge_req {
	size_t idx;
	char status[16];
	char detail[512];
};

/* From it: run @idx merged as @run_id (0: none), or @err (a sysexits
 * status, then the run's merge failed and @msg says why).  The first
 * reply, idx SIZE_MAX, says whether the database opened. */
struct merge_rep {
	size_t idx;
	int err;
	int64_t run_id;
	char msg[1024];
};

struct state {
	const struct cli_exec *x;
	struct cli_run *runs;
	size_t n, next, delivered, finished;
	char dir[256];
	/* the merging process: requests to it, replies from it */
	pid_t merger;
	int mreq, mrep;
	size_t sent;		/* requests sent (delivered runs) */
	size_t merged;		/* replies read */
	size_t mgot;		/* bytes of the reply being read */
	bool mgone;		/* its pipes failed: it ended early */
	struct merge_rep rep;
	struct slot slot[MAX_JOBS];
	unsigned running;
	int fatal;
	uint64_t events;
	double t0, last_progress;
	bool progress_shown, forwarded;
};

unsigned cli_cores(void)
{
	long n = sysconf(_SC_NPROCESSORS_ONLN);

	return n > 0 ? (unsigned)n : 1;
}

int cli_parse_jobs(const char *s, unsigned *jobs)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno || end == s || *end || v == 0 || v > MAX_JOBS)
		return -1;
	*jobs = (unsigned)v;
	return 0;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void shard_path(const struct state *st, size_t idx, char *buf,
		       size_t size)
{
	snprintf(buf, size, "%s/run-%zu.db", st->dir, idx);
}

static void remove_shard(const char *path)
{
	char p[400];

	unlink(path);
	snprintf(p, sizeof(p), "%s-wal", path);
	unlink(p);
	snprintf(p, sizeof(p), "%s-shm", path);
	unlink(p);
}

/* The default work: replay run @r into @db, summary into @s. */
static int replay_run(const struct cli_exec *x, struct cli_run *r,
		      struct db *db, struct rp_summary *s)
{
	struct rp_options o;
	struct pol_spec ps;

	memset(&o, 0, sizeof(o));
	if (cli_policy_setup(r->spec, &ps, r->layout, x->genode, x->ram,
			     x->caps, &o, s->error, sizeof(s->error)))
		return EXIT_USAGE;
	cli_derive_ram(&o, x->ram, r->need);
	o.trace = r->trace;
	o.touch = x->touch;
	o.db = db;
	o.command = x->command;
	o.stop = x->stop;
	return rp_replay(&o, s);
}

/* The worker: one run into its shard, the summary to @fd.  Never
 * returns. */
static void worker(const struct state *st, size_t idx, int fd)
{
	const struct cli_exec *x = st->x;
	struct cli_run *r = &st->runs[idx];
	struct result res;
	struct db *db = NULL;
	enum db_error de;
	char shard[320];
	const char *p;
	size_t left;

	memset(&res, 0, sizeof(res));
	if (st->dir[0]) {
		shard_path(st, idx, shard, sizeof(shard));
		db = db_open_scratch(shard, &de, res.s.error,
				     sizeof(res.s.error));
		if (!db) {
			res.status = de == DB_ECANTCREATE ? EXIT_CANTCREAT
							  : EXIT_IOERR;
			goto send;
		}
	}
	res.status = (x->work ? x->work : replay_run)(x, r, db, &res.s);
	if (db && db_close(db) && !res.status) {
		res.status = EXIT_IOERR;
		snprintf(res.s.error, sizeof(res.s.error),
			 "cannot finish the run's shard database");
	}
send:
	for (p = (const char *)&res, left = sizeof(res); left;) {
		ssize_t w = write(fd, p, left);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			_exit(EXIT_IOERR);
		p += w;
		left -= (size_t)w;
	}
	_exit(0);
}

static int spawn(struct state *st)
{
	struct slot *sl;
	pid_t parent;
	int p[2];
	unsigned i;

	for (i = 0; st->slot[i].pid; i++)
		;
	sl = &st->slot[i];
	if (pipe(p))
		return -1;
	fflush(NULL);
	parent = getpid();
	sl->pid = fork();
	if (sl->pid < 0) {
		sl->pid = 0;
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (sl->pid == 0) {
		close(p[0]);
		/* a worker outlives no parent: killed, the command takes its
		 * workers with it (SIGTERM: each logs its run interrupted) */
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != parent)
			_exit(EXIT_SOFTWARE);
		if (st->merger) {
			close(st->mreq);
			close(st->mrep);
		}
		worker(st, st->next, p[1]);
	}
	close(p[1]);
	sl->fd = p[0];
	sl->idx = st->next++;
	sl->t0 = now_s();
	sl->timed_out = false;
	sl->got = 0;
	st->running++;
	return 0;
}

static const char *signame(int sig)
{
	const char *s = strsignal(sig);

	return s ? s : "?";
}

/* A worker's pipe closed: reap it and judge its run. */
static void reap(struct state *st, struct slot *sl)
{
	struct cli_run *r = &st->runs[sl->idx];
	int ws = 0;

	close(sl->fd);
	while (waitpid(sl->pid, &ws, 0) < 0 && errno == EINTR)
		;
	if (sl->got == sizeof(sl->res) && WIFEXITED(ws) &&
	    WEXITSTATUS(ws) == 0) {
		r->s = sl->res.s;
		r->status = sl->res.status;
	} else {
		memset(&r->s, 0, sizeof(r->s));
		r->failed = true;
		r->status = EXIT_SOFTWARE;
		if (sl->timed_out)
			snprintf(r->why, sizeof(r->why), "timed out after %g s",
				 st->x->timeout);
		else if (WIFSIGNALED(ws))
			snprintf(r->why, sizeof(r->why),
				 "worker killed by signal %d (%s)",
				 WTERMSIG(ws), signame(WTERMSIG(ws)));
		else
			snprintf(r->why, sizeof(r->why),
				 "worker exited with status %d without a "
				 "result",
				 WIFEXITED(ws) ? WEXITSTATUS(ws) : -1);
		snprintf(r->s.error, sizeof(r->s.error), "%s", r->why);
	}
	st->events += r->s.events;
	st->finished++;
	sl->pid = 0;
	st->running--;
}

/* In the merging process: merge run @q->idx's shard into @m, as it is or
 * marked as its worker ended; the run's id into @id.  0 or -1 with the
 * reason in @msg. */
static int merge_one(struct state *st, struct db_merger *m,
		     const struct merge_req *q, int64_t *id, char *msg,
		     size_t size)
{
	const struct cli_run *r = &st->runs[q->idx];
	const char *status = q->status[0] ? q->status : NULL;
	const char *detail = status ? q->detail : NULL;
	struct db_merge_stats ms;
	char shard[320];
	enum db_error e;

	*id = 0;
	shard_path(st, q->idx, shard, sizeof(shard));
	if (access(shard, F_OK) == 0) {
		e = db_merger_add(m, shard, status, detail, &ms, msg, size);
		/* its id in the database, for the decision view */
		*id = e == DB_OK ? ms.first : 0;
		remove_shard(shard);
		if (e == DB_OK && ms.added + ms.present > 0)
			return 0;
	}
	if (!status)
		return 0; /* a run that never started: nothing to log */
	/* the worker died before its run row: write one saying so */
	{
		struct db_run_info info = {
			.trace = r->trace,
			.policy = r->canon,
			.layout = r->layout,
			.genode_version = st->x->genode,
			.command = st->x->command,
		};
		struct db *db = db_open(shard, &e, msg, size);
		int64_t rid;

		if (!db)
			return -1;
		if (db_run_begin(db, &info, &rid) ||
		    db_run_end(db, rid, status, 0, 0, detail)) {
			snprintf(msg, size, "%s", db_errmsg(db));
			db_close(db);
			return -1;
		}
		if (db_close(db)) {
			snprintf(msg, size, "%s: cannot write", shard);
			return -1;
		}
		e = db_merger_add(m, shard, NULL, NULL, &ms, msg, size);
		remove_shard(shard);
		return e ? -1 : 0;
	}
}

static int write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* 1 with @buf filled, 0 at the end of the stream, -1 on error. */
static int read_all(int fd, void *buf, size_t len)
{
	char *p = buf;
	size_t got = 0;

	while (got < len) {
		ssize_t r = read(fd, p + got, len - got);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return r == 0 && got == 0 ? 0 : -1;
		got += (size_t)r;
	}
	return 1;
}

/* The merging process: open the database, then merge each shard the
 * parent names, in the order named, until the parent closes the pipe.
 * Never returns. */
static void merger(struct state *st, int req, int rep)
{
	struct merge_req q;
	struct merge_rep a;
	struct db_merger *m;
	enum db_error de;
	int r;

	/* a signal stops the workers; their runs still have to be logged,
	 * and a merge is one transaction: this process ends when the
	 * parent closes the pipe, also when the parent is killed */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	memset(&a, 0, sizeof(a));
	a.idx = SIZE_MAX;
	m = db_merger_open(st->x->dbpath, &de, a.msg, sizeof(a.msg));
	if (m)
		db_merger_own_shards(m);
	if (!m)
		a.err = de == DB_ECANTCREATE ? EXIT_CANTCREAT
			: de == DB_ECORRUPT  ? EXIT_DATAERR
					     : EXIT_IOERR;
	if (write_all(rep, &a, sizeof(a)) || !m)
		_exit(EXIT_IOERR);
	while ((r = read_all(req, &q, sizeof(q))) == 1) {
		memset(&a, 0, sizeof(a));
		a.idx = q.idx;
		if (q.idx >= st->n)
			_exit(EXIT_SOFTWARE);
		q.status[sizeof(q.status) - 1] = '\0';
		q.detail[sizeof(q.detail) - 1] = '\0';
		if (merge_one(st, m, &q, &a.run_id, a.msg, sizeof(a.msg)))
			a.err = EXIT_IOERR;
		if (write_all(rep, &a, sizeof(a)))
			_exit(EXIT_IOERR);
	}
	_exit(db_merger_close(m) || r ? EXIT_IOERR : 0);
}

/* Start the merging process; 0 or the status of a database that cannot
 * be opened (its message printed). */
static int merger_start(struct state *st)
{
	int q[2], p[2];
	pid_t parent = getpid();

	if (pipe(q))
		return -1;
	if (pipe(p)) {
		close(q[0]);
		close(q[1]);
		return -1;
	}
	fflush(NULL);
	st->merger = fork();
	if (st->merger < 0) {
		st->merger = 0;
		close(q[0]);
		close(q[1]);
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (st->merger == 0) {
		close(q[1]);
		close(p[0]);
		if (getppid() != parent)
			_exit(EXIT_SOFTWARE);
		merger(st, q[0], p[1]);
	}
	close(q[0]);
	close(p[1]);
	st->mreq = q[1];
	st->mrep = p[0];
	if (read_all(st->mrep, &st->rep, sizeof(st->rep)) != 1)
		return cli_fail(EXIT_IOERR, st->x->command,
				"%s: the merging process ended", st->x->dbpath);
	if (st->rep.err)
		return cli_fail(st->rep.err, st->x->command, "%s",
				st->rep.msg);
	return 0;
}

/* A reply from the merging process, whole in st->rep: take it. */
static int merger_reply(struct state *st)
{
	const struct merge_rep *a = &st->rep;

	st->mgot = 0;
	if (a->idx != st->merged)
		return cli_fail(EXIT_SOFTWARE, st->x->command,
				"the merging process replied out of turn");
	st->runs[a->idx].s.run_id = a->run_id;
	st->merged++;
	if (a->err) {
		fprintf(stderr, "rmsim %s: %s: cannot merge run %zu: %s\n",
			st->x->command, st->x->dbpath, a->idx, a->msg);
		return a->err;
	}
	return 0;
}

/* The request for run @idx: how its worker ended. */
static void merge_request(const struct state *st, size_t idx,
			  struct merge_req *q)
{
	const struct cli_run *r = &st->runs[idx];

	memset(q, 0, sizeof(*q));
	q->idx = idx;
	if (r->failed) {
		snprintf(q->status, sizeof(q->status), "failed");
		snprintf(q->detail, sizeof(q->detail), "%s", r->why);
	} else if (r->status == EXIT_SIGINT || r->status == EXIT_SIGTERM) {
		snprintf(q->status, sizeof(q->status), "interrupted");
		snprintf(q->detail, sizeof(q->detail),
			 "interrupted by a signal");
	} else if (r->status) {
		snprintf(q->status, sizeof(q->status), "failed");
		snprintf(q->detail, sizeof(q->detail), "%s", r->s.error);
	}
}

/*
 * Move the merging along without waiting: send the delivered runs'
 * requests while the pipe takes them, read the replies there are.  Both
 * pipes are non-blocking (a request and a reply are each written whole,
 * being shorter than PIPE_BUF), so neither process can wait for the other
 * while the other waits for it.  Without a database the delivered runs'
 * shards are removed.  0 or a status.
 */
static int pump(struct state *st)
{
	struct merge_req q;
	char shard[320];

	if (st->mgone)
		return EXIT_IOERR;	/* said once, when it was found */
	if (!st->merger) {
		for (; st->sent < st->delivered; st->sent++)
			if (st->dir[0]) {
				shard_path(st, st->sent, shard, sizeof(shard));
				remove_shard(shard);
			}
		st->merged = st->sent;
		return 0;
	}
	while (st->sent < st->delivered) {
		ssize_t w;

		merge_request(st, st->sent, &q);
		w = write(st->mreq, &q, sizeof(q));
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EAGAIN)
			break;
		if (w != (ssize_t)sizeof(q)) {
			st->mgone = true;
			return cli_fail(EXIT_IOERR, st->x->command,
					"%s: the merging process ended early",
					st->x->dbpath);
		}
		st->sent++;
	}
	while (st->merged < st->sent) {
		ssize_t r = read(st->mrep, (char *)&st->rep + st->mgot,
				 sizeof(st->rep) - st->mgot);

		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 && errno == EAGAIN)
			break;
		if (r <= 0) {
			st->mgone = true;
			return cli_fail(EXIT_IOERR, st->x->command,
					"%s: the merging process ended early",
					st->x->dbpath);
		}
		st->mgot += (size_t)r;
		if (st->mgot == sizeof(st->rep)) {
			int e = merger_reply(st);

			if (e)
				return e;
		}
	}
	return 0;
}

/* The merging process's pipes that wait for this one, into @pfd. */
static unsigned merger_poll(const struct state *st, struct pollfd *pfd)
{
	unsigned n = 0;

	if (!st->merger)
		return 0;
	if (st->sent < st->delivered) {
		pfd[n].fd = st->mreq;
		pfd[n++].events = POLLOUT;
	}
	if (st->merged < st->sent) {
		pfd[n].fd = st->mrep;
		pfd[n++].events = POLLIN;
	}
	return n;
}

/* Let every delivered run be merged (@drain), then close the requests
 * and wait for the merging process to finish the database. */
static int merger_finish(struct state *st, bool drain)
{
	int status = 0, ws = 0;

	if (!st->merger)
		return drain ? pump(st) : 0;
	while (drain && !status && st->merged < st->delivered) {
		struct pollfd pfd[2];
		unsigned n = merger_poll(st, pfd);

		if (n && poll(pfd, n, -1) < 0 && errno != EINTR)
			break;
		status = pump(st);
	}
	close(st->mreq);
	close(st->mrep);
	while (waitpid(st->merger, &ws, 0) < 0 && errno == EINTR)
		;
	st->merger = 0;
	if (!status && !(WIFEXITED(ws) && WEXITSTATUS(ws) == 0))
		status = cli_fail(EXIT_IOERR, st->x->command,
				  "%s: cannot finish the database",
				  st->x->dbpath);
	return status;
}

/* Whether the merging process has work: it counts as one of the -j
 * processes while it has, so -j N keeps N cores busy and no more.  After
 * a fatal error (the merging process may be gone) the command waits for
 * its workers only; merger_finish() settles the rest. */
static unsigned merging(const struct state *st)
{
	return st->merger && !st->fatal && st->merged < st->delivered ? 1
								      : 0;
}

static void fmt_time(char *buf, size_t size, double s)
{
	unsigned long t = (unsigned long)(s + 0.5);

	if (t >= 3600)
		snprintf(buf, size, "%lu:%02lu:%02lu", t / 3600, t / 60 % 60,
			 t % 60);
	else
		snprintf(buf, size, "%lu:%02lu", t / 60, t % 60);
}

static void progress(struct state *st, bool final)
{
	double t = now_s(), el = t - st->t0, left;
	char tl[32];

	if (!st->x->progress || (!final && t - st->last_progress < 0.5))
		return;
	st->last_progress = t;
	if (final) {
		if (st->progress_shown)
			fprintf(stderr, "\r\033[K");
		return;
	}
	left = st->finished ? el / (double)st->finished *
				      (double)(st->n - st->finished)
			    : 0;
	fmt_time(tl, sizeof(tl), left);
	fprintf(stderr,
		"\r\033[K%zu/%zu runs, %u running, %.0f events/s, %s left",
		st->finished, st->n, st->running,
		el > 0 ? (double)st->events / el : 0.0,
		st->finished ? tl : "?");
	st->progress_shown = true;
}

/* Deliver the finished runs at the head of the list, in order. */
static int deliver(struct state *st)
{
	while (st->delivered < st->next) {
		struct cli_run *r = &st->runs[st->delivered];
		unsigned i;
		bool busy = false;

		for (i = 0; i < MAX_JOBS; i++)
			if (st->slot[i].pid && st->slot[i].idx == st->delivered)
				busy = true;
		if (busy)
			break;
		progress(st, true);
		if (st->x->done) {
			char shard[320];

			shard_path(st, st->delivered, shard, sizeof(shard));
			st->x->done(st->x->arg, r,
				    st->dir[0] && access(shard, F_OK) == 0
					    ? shard
					    : NULL);
		}
		st->delivered++;
	}
	return pump(st);
}

static void check_timeouts(struct state *st)
{
	double t = now_s();
	unsigned i;

	if (st->x->timeout <= 0)
		return;
	for (i = 0; i < MAX_JOBS; i++) {
		struct slot *sl = &st->slot[i];

		if (sl->pid && !sl->timed_out && t - sl->t0 > st->x->timeout) {
			kill(sl->pid, SIGKILL);
			sl->timed_out = true;
		}
	}
}

/* Wait for pipe data or EOF; read it; reap the workers that ended. */
static void wait_some(struct state *st)
{
	struct pollfd pfd[MAX_JOBS + 2];
	unsigned map[MAX_JOBS], np = 0, i;

	for (i = 0; i < MAX_JOBS; i++)
		if (st->slot[i].pid) {
			pfd[np].fd = st->slot[i].fd;
			pfd[np].events = POLLIN;
			map[np++] = i;
		}
	/* the merging process's pipes wake this one too (pump reads them) */
	if (poll(pfd, np + merger_poll(st, pfd + np), 250) <= 0)
		return;
	for (i = 0; i < np; i++) {
		struct slot *sl = &st->slot[map[i]];
		ssize_t got;

		if (!(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
			continue;
		if (sl->got < sizeof(sl->res)) {
			got = read(sl->fd, (char *)&sl->res + sl->got,
				   sizeof(sl->res) - sl->got);
			if (got > 0) {
				sl->got += (size_t)got;
				continue;
			}
			if (got < 0 && errno == EINTR)
				continue;
		} else {
			char c;

			got = read(sl->fd, &c, 1);
			if (got > 0 || (got < 0 && errno == EINTR))
				continue;
		}
		reap(st, sl);
	}
}

int cli_runs_exec(const struct cli_exec *x, struct cli_run *runs, size_t n)
{
	struct state *st = calloc(1, sizeof(*st));
	unsigned jobs = x->jobs ? x->jobs : cli_cores();
	void (*old_pipe)(int);
	int status = 0;
	size_t i;

	if (!st)
		return cli_fail(EXIT_SOFTWARE, x->command, "out of memory");
	/* a merging process that dies is an error to report (EPIPE), not
	 * a signal that kills this one and leaves the shards behind */
	old_pipe = signal(SIGPIPE, SIG_IGN);
	if (jobs > MAX_JOBS)
		jobs = MAX_JOBS;
	st->x = x;
	st->runs = runs;
	st->n = n;
	st->t0 = now_s();
	if (x->dbpath || x->shard_always) {
		const char *tmp = getenv("TMPDIR"), *slash;

		/* beside the database: the same file system, the space the
		 * user chose for it (a tmpfs /tmp would hold shards in RAM) */
		slash = x->dbpath ? strrchr(x->dbpath, '/') : NULL;
		if (x->dbpath && !slash)
			snprintf(st->dir, sizeof(st->dir),
				 ".rmsim-shards-XXXXXX");
		else if (x->dbpath)
			snprintf(st->dir, sizeof(st->dir),
				 "%.*s/.rmsim-shards-XXXXXX",
				 (int)(slash - x->dbpath), x->dbpath);
		else
			snprintf(st->dir, sizeof(st->dir),
				 "%s/rmsim-shards-XXXXXX",
				 tmp && *tmp ? tmp : "/tmp");
		if (!mkdtemp(st->dir)) {
			status = cli_fail(EXIT_CANTCREAT, x->command,
					  "%s: cannot create a folder for the "
					  "shards: %s",
					  st->dir, strerror(errno));
			goto out;
		}
	}
	for (i = 0; i < n; i++) {
		runs[i].status = 0;
		runs[i].failed = false;
		runs[i].why[0] = '\0';
	}
	if (x->dbpath) {
		status = merger_start(st);
		if (status < 0)
			status = cli_fail(EXIT_SOFTWARE, x->command,
					  "cannot start the merging process: %s",
					  strerror(errno));
		if (status)
			goto out;
		if (fcntl(st->mreq, F_SETFL, O_NONBLOCK) ||
		    fcntl(st->mrep, F_SETFL, O_NONBLOCK)) {
			status = cli_fail(EXIT_SOFTWARE, x->command,
					  "cannot set up the merging: %s",
					  strerror(errno));
			goto out;
		}
	}
	while (st->next < n || st->running || merging(st)) {
		while (st->running + merging(st) < jobs && st->next < n &&
		       !st->fatal && !(x->stop && *x->stop))
			if (spawn(st)) {
				st->fatal = cli_fail(EXIT_SOFTWARE, x->command,
						     "cannot start a worker: "
						     "%s",
						     strerror(errno));
				break;
			}
		if (!st->running && !merging(st))
			break;
		wait_some(st);
		check_timeouts(st);
		if (x->stop && *x->stop && !st->forwarded) {
			/* a signal to this process only (kill PID): the
			 * workers stop too, each logging its run
			 * interrupted */
			for (i = 0; i < MAX_JOBS; i++)
				if (st->slot[i].pid)
					kill(st->slot[i].pid, *x->stop);
			st->forwarded = true;
		}
		for (i = st->delivered; i < st->next; i++) {
			const struct cli_run *r = &runs[i];
			unsigned k;
			bool busy = false;

			for (k = 0; k < MAX_JOBS; k++)
				if (st->slot[k].pid && st->slot[k].idx == i)
					busy = true;
			/* a run that could not run at all stops the list */
			if (!busy && !r->failed && r->status &&
			    r->status != EXIT_SIGINT &&
			    r->status != EXIT_SIGTERM && !st->fatal)
				st->fatal = r->status;
		}
		status = deliver(st);
		if (status)
			st->fatal = status;
		progress(st, false);
	}
	progress(st, true);
	if (!status)
		status = st->fatal;
	if (!status && x->stop && *x->stop)
		status = *x->stop == SIGTERM ? EXIT_SIGTERM : EXIT_SIGINT;
out:
	{
		int e = merger_finish(st, true);

		if (e && !status)
			status = e;
	}
	if (st->dir[0]) {
		char shard[320];

		/* whatever a failed merge left behind */
		for (i = 0; i < n; i++) {
			shard_path(st, i, shard, sizeof(shard));
			remove_shard(shard);
		}
		rmdir(st->dir);
	}
	free(st);
	signal(SIGPIPE, old_pipe);
	return status;
}
