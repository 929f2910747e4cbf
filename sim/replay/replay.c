/*
 * replay.c - the replay loop: read an event, find its address space,
 * translate its addresses, run it on the target, compare, touch, log.
 *
 * For the `linux` policy the target is the reference model itself, and
 * the comparison is with the recorded result: this is how the model is
 * proven against the kernel that made the trace.  Three things the trace
 * cannot show are learnt from it instead of guessed:
 *  - the mmap base, from the first mmap placed top-down (no hint, not
 *    fixed): the model's base is set so that its placement lands there;
 *  - the initial break, from brk(NULL);
 *  - mappings execve made (binary, stack, vDSO): when a call that fails
 *    on unmapped memory succeeded in the trace over a range the trace
 *    never mapped or unmapped itself, the range is adopted as inherited.
 * Each adoption is counted in the summary; none can hide a mismatch in a
 * range the trace did map.
 */
#include "rmsim/replay.h"

#include "rmsim/abi.h"
#include "rmsim/db.h"

#include "native/native.h"
#include "procs.h"
#include "target.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static const char *const mismatch_names[RP_MM_KINDS] = {
	[RP_MM_ERRNO] = "errno",
	[RP_MM_RESULT] = "result",
	[RP_MM_VALUE] = "value",
	[RP_MM_ADDRESS] = "address",
};

const char *rp_mismatch_name(enum rp_mismatch k)
{
	return (unsigned)k < RP_MM_KINDS ? mismatch_names[k] : "?";
}

struct replay {
	const struct rp_options *opt;
	struct rp_summary *sum;
	struct rp_target t;
	struct rp_procs *procs;
	struct db *db;
	int64_t run_id;
};

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static uint64_t page_up(uint64_t len)
{
	return (len + LX_PAGE_SIZE - 1) & LX_PAGE_MASK;
}

/* Trace address -> target address through the relocation map. */
static uint64_t to_target(const struct rp_proc *p, uint64_t a)
{
	uint64_t s, e, delta, next;

	if (iv_lookup(p->reloc, a, &s, &e, &delta, &next))
		return a + delta;
	return a;
}

/* Calls whose range fails with ENOMEM where it is not mapped. */
static bool range_call_needs_mapping(enum tr_call c)
{
	switch (c) {
	case TR_MPROTECT:
	case TR_PKEY_MPROTECT:
	case TR_MADVISE:
	case TR_MSYNC:
	case TR_MLOCK:
	case TR_MLOCK2:
	case TR_MUNLOCK:
	case TR_MINCORE:
	case TR_MREMAP:
		return true;
	default:
		return false;
	}
}

/* Calls that take (addr, len) as their first two arguments. */
static bool is_range_call(enum tr_call c)
{
	return range_call_needs_mapping(c) || c == TR_MUNMAP;
}

/*
 * Adopt the holes of [addr, addr+len) (trace addresses) that the trace
 * never touched, as mappings execve made before it began.
 */
static void adopt_inherited(struct replay *r, struct rp_proc *p,
			    uint64_t addr, uint64_t len)
{
	uint64_t end, hs, he;
	int guard = 0;

	len = page_up(len);
	end = addr + len;
	if (len == 0 || end < addr || (addr & ~LX_PAGE_MASK))
		return;
	while (guard++ < 64 &&
	       r->t.hole(r->t.ctx, p->space, to_target(p, addr),
			 end - addr, &hs, &he)) {
		/* holes are found in target addresses; for inherited ranges
		 * the relocation is the identity */
		if (!iv_disjoint(p->known, hs, he))
			return;
		if (r->t.inherit(r->t.ctx, p->space, hs, he - hs))
			return;
		r->sum->adopted++;
	}
}

/* Learn the mmap base from the first top-down placement. */
static void learn_base(struct replay *r, struct rp_proc *p,
		       const struct tr_event *ev)
{
	if (p->base_known || ev->call != TR_MMAP ||
	    ev->result != TR_RET_VALUE || ev->arg[0] != 0 ||
	    (ev->arg[3] & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE)))
		return;
	r->t.set_mmap_base(r->t.ctx, p->space,
			   (uint64_t)ev->ret + page_up(ev->arg[1]));
	p->base_known = true;
}

static void learn_brk(struct replay *r, struct rp_proc *p,
		      const struct tr_event *ev)
{
	if (p->brk_known || ev->call != TR_BRK || ev->arg[0] != 0 ||
	    ev->result != TR_RET_VALUE)
		return;
	r->t.set_brk(r->t.ctx, p->space, (uint64_t)ev->ret);
	p->brk_known = true;
}

/*
 * Run a range call piece by piece where the relocation map gives the
 * pieces different offsets (a munmap over two mappings the target placed
 * apart); stop at the first error, as the kernel does.
 */
static int run_range(struct replay *r, struct rp_proc *p, struct rp_call *c,
		     uint64_t *out)
{
	uint64_t addr = c->arg[0], len = c->arg[1], end = addr + page_up(len);
	uint64_t s, e, delta, next, pend;
	int rc;

	if (len == 0 || end <= addr || c->call == TR_MREMAP) {
		c->arg[0] = to_target(p, addr);
		return r->t.call(r->t.ctx, p->space, c, out);
	}
	if (iv_lookup(p->reloc, addr, &s, &e, &delta, &next)) {
		pend = e;
	} else {
		delta = 0;
		pend = next;
	}
	if (pend >= end) {
		c->arg[0] = addr + delta;
		return r->t.call(r->t.ctx, p->space, c, out);
	}
	while (addr < end) {
		if (iv_lookup(p->reloc, addr, &s, &e, &delta, &next)) {
			pend = e;
		} else {
			delta = 0;
			pend = next;
		}
		if (pend > end)
			pend = end;
		c->arg[0] = addr + delta;
		c->arg[1] = pend - addr;
		rc = r->t.call(r->t.ctx, p->space, c, out);
		if (rc)
			return rc;
		addr = pend;
	}
	return 0;
}

/* Translate and run one memory call; *out gets the target's value. */
static int run_call(struct replay *r, struct rp_proc *p,
		    const struct tr_event *ev, uint64_t *out)
{
	struct rp_call c;

	memset(&c, 0, sizeof(c));
	c.call = ev->call;
	memcpy(c.arg, ev->arg, sizeof(c.arg));
	c.path = ev->fd_path;
	if (is_range_call(ev->call))
		return run_range(r, p, &c, out);
	if (ev->call == TR_MMAP && c.arg[0])
		c.arg[0] = to_target(p, c.arg[0]);
	if (ev->call == TR_MREMAP && (c.arg[3] & LX_MREMAP_FIXED))
		c.arg[4] = to_target(p, c.arg[4]);
	return r->t.call(r->t.ctx, p->space, &c, out);
}

/* After a successful placement: record where the trace range went. */
static void relocate(struct rp_proc *p, uint64_t traced, uint64_t placed,
		     uint64_t len)
{
	uint64_t end = traced + page_up(len);

	if (end <= traced)
		return;
	if (traced == placed)
		iv_remove(p->reloc, traced, end);
	else
		iv_assign(p->reloc, traced, end, placed - traced);
	iv_union(p->known, traced, end, 1);
}

/*
 * The pages a successful call made writable: write a token.  @prot is
 * the protection the call gave them, or -1 to ask the target per page.
 */
static void touch(struct replay *r, struct rp_proc *p, uint64_t addr,
		  uint64_t len, uint64_t seq, int prot)
{
	uint8_t token = (uint8_t)(seq * 131 + 1) | 1;
	uint64_t end = addr + page_up(len), a;
	int pp;

	if (r->opt->touch == RP_TOUCH_NONE || end <= addr ||
	    (prot >= 0 && !(prot & LX_PROT_WRITE)))
		return;
	for (a = addr; a < end; a += LX_PAGE_SIZE) {
		if (prot < 0 &&
		    (r->t.prot(r->t.ctx, p->space, a, &pp) ||
		     !(pp & LX_PROT_WRITE)))
			continue;
		if (r->t.store(r->t.ctx, p->space, a, token) == 0)
			r->sum->touches++;
		if (r->opt->touch == RP_TOUCH_FIRST)
			break;
	}
}

static void count_mismatch(struct replay *r, const struct tr_event *ev,
			   enum rp_mismatch k)
{
	r->sum->mismatches++;
	r->sum->mismatch[k]++;
	if (!r->sum->first_mismatch_line)
		r->sum->first_mismatch_line = ev->line;
}

/*
 * Compare the target's answer with the recorded one, update relocation
 * and the known ranges, and return the verdict word for the log.
 */
static const char *judge(struct replay *r, struct rp_proc *p,
			 const struct tr_event *ev, int rc, uint64_t val,
			 uint64_t traced_target, enum rp_mismatch *kind)
{
	bool fixed;

	if (ev->result == TR_RET_UNKNOWN) {
		r->sum->unknown++;
		return "unknown";
	}
	if (rc == RP_EREFUSED) {
		r->sum->unknown++;
		return "refused";
	}
	r->sum->compared++;
	if (ev->result == TR_RET_ERROR || rc < 0) {
		if (ev->result == TR_RET_ERROR && rc < 0) {
			if (-rc == ev->err)
				return "ok";
			*kind = RP_MM_ERRNO;
		} else {
			*kind = RP_MM_RESULT;
		}
		return "mismatch";
	}
	switch (ev->call) {
	case TR_MMAP:
		fixed = ev->arg[3] & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE);
		if (fixed && val != traced_target) {
			*kind = RP_MM_ADDRESS;
			return "mismatch";
		}
		if (!fixed) {
			r->sum->mmaps_placed++;
			if (val == (uint64_t)ev->ret)
				r->sum->mmaps_exact++;
		}
		relocate(p, (uint64_t)ev->ret, val, ev->arg[1]);
		return val == (uint64_t)ev->ret ? "ok" : "relocated";
	case TR_MREMAP:
		if (val == traced_target) {
			relocate(p, (uint64_t)ev->ret, val, ev->arg[2]);
			return "ok";
		}
		if ((uint64_t)ev->ret != ev->arg[0] &&
		    val != to_target(p, ev->arg[0]) &&
		    !(ev->arg[3] & LX_MREMAP_FIXED)) {
			/* both moved, to different places */
			relocate(p, (uint64_t)ev->ret, val, ev->arg[2]);
			return "relocated";
		}
		*kind = RP_MM_VALUE;
		return "mismatch";
	default:
		if (val != traced_target) {
			*kind = RP_MM_VALUE;
			return "mismatch";
		}
		return "ok";
	}
}

/* Bookkeeping of ranges the trace unmapped or moved away. */
static void forget(struct rp_proc *p, const struct tr_event *ev)
{
	uint64_t a = ev->arg[0], end;

	if (ev->result != TR_RET_VALUE)
		return;
	if (ev->call == TR_MUNMAP) {
		end = a + page_up(ev->arg[1]);
		if (end > a) {
			iv_remove(p->reloc, a, end);
			iv_union(p->known, a, end, 1);
		}
	} else if (ev->call == TR_MREMAP && (uint64_t)ev->ret != a &&
		   !(ev->arg[3] & LX_MREMAP_DONTUNMAP)) {
		end = a + page_up(ev->arg[1]);
		if (end > a) {
			iv_remove(p->reloc, a, end);
			iv_union(p->known, a, end, 1);
		}
	} else if (ev->call == TR_BRK && ev->ret) {
		/* the heap is the trace's own */
		iv_union(p->known, (uint64_t)ev->ret & LX_PAGE_MASK,
			  page_up((uint64_t)ev->ret) + LX_PAGE_SIZE, 1);
	}
}

static bool clone_is_fork(const struct tr_event *ev)
{
	if (ev->call == TR_FORK)
		return true;
	if (ev->call == TR_VFORK)
		return false;
	/* raw clone3 hides its flags: glibc uses clone3 only for threads */
	if (ev->flags & TR_FLAG_CLONE_FLAGS_UNKNOWN)
		return ev->call == TR_CLONE;
	return !(ev->arg[0] & LX_CLONE_VM);
}

static int log_event(struct replay *r, const struct tr_event *ev, int rc,
		     uint64_t val, bool ran, const char *verdict)
{
	struct db_event row;
	enum db_error e;

	if (!r->db)
		return 0;
	memset(&row, 0, sizeof(row));
	row.seq = ev->seq;
	row.line = ev->line;
	row.pid = ev->pid;
	row.has_ts = ev->has_ts;
	row.ts_us = ev->ts_us;
	row.call = tr_call_name(ev->call);
	row.nargs = ev->nargs;
	memcpy(row.arg, ev->arg, sizeof(row.arg));
	row.traced_known = ev->result != TR_RET_UNKNOWN;
	row.traced_ret = ev->ret;
	row.traced_errno = ev->result == TR_RET_ERROR ? ev->err : 0;
	row.model_known = ran;
	row.model_ret = rc < 0 ? -1 : (int64_t)val;
	row.model_errno = rc < 0 ? -rc : 0;
	/* for the linux policy the reference is the model */
	row.ref_known = row.model_known;
	row.ref_ret = row.model_ret;
	row.ref_errno = row.model_errno;
	row.verdict = verdict;
	e = db_event_add(r->db, r->run_id, &row);
	if (e) {
		snprintf(r->sum->error, sizeof(r->sum->error), "%s",
			 db_errmsg(r->db));
		return e == DB_ECANTCREATE ? 73 : 74;
	}
	return 0;
}

static int log_finding(struct replay *r, const struct tr_event *ev,
		       enum rp_mismatch kind, int rc, uint64_t val)
{
	char detail[256], got[64], want[64];

	if (!r->db)
		return 0;
	if (ev->result == TR_RET_ERROR)
		snprintf(want, sizeof(want), "-1 %s",
			 abi_errno_name(ev->err) ? abi_errno_name(ev->err)
						 : "?");
	else
		snprintf(want, sizeof(want), "%#" PRIx64, (uint64_t)ev->ret);
	if (rc < 0)
		snprintf(got, sizeof(got), "-1 %s",
			 abi_errno_name(-rc) ? abi_errno_name(-rc) : "?");
	else
		snprintf(got, sizeof(got), "%#" PRIx64, val);
	snprintf(detail, sizeof(detail), "%s: line %" PRIu64 ": %s recorded %s,"
		 " model %s", rp_mismatch_name(kind), ev->line,
		 tr_call_name(ev->call), want, got);
	if (db_finding_add(r->db, r->run_id, ev->seq, "result", "error",
			   detail)) {
		snprintf(r->sum->error, sizeof(r->sum->error), "%s",
			 db_errmsg(r->db));
		return 74;
	}
	return 0;
}

/*
 * Calls that set what later memory calls may do: the fds file mappings
 * need and their access modes, RLIMIT_MEMLOCK, CAP_IPC_LOCK.  Only what
 * succeeded in the trace is applied.
 */
static void context(struct replay *r, struct rp_proc *p,
		    const struct tr_event *ev)
{
	const struct rp_target *t = &r->t;
	int fd = (int)ev->ret;
	/* O_ACCMODE; memfds are always read-write */
	int mode = ev->call == TR_MEMFD_CREATE ? 2 : (int)(ev->arg[0] & 3);

	if (ev->result != TR_RET_VALUE)
		return;
	switch (ev->call) {
	case TR_OPEN:
	case TR_OPENAT:
	case TR_MEMFD_CREATE:
		if (t->fd_set && !(ev->arg[0] & 010000000)) /* not O_PATH */
			t->fd_set(t->ctx, p->space, fd, mode);
		break;
	case TR_CLOSE:
		if (t->fd_set)
			t->fd_set(t->ctx, p->space, (int)ev->arg[0], -1);
		break;
	case TR_DUP:
		if (t->fd_dup)
			t->fd_dup(t->ctx, p->space, (int)ev->arg[0], fd);
		break;
	case TR_DUP2:
	case TR_DUP3:
		if (t->fd_dup)
			t->fd_dup(t->ctx, p->space, (int)ev->arg[0],
				  (int)ev->arg[1]);
		break;
	case TR_PRLIMIT64:
		/* pid 0 is the caller; RLIMIT_MEMLOCK is resource 8 */
		if (ev->arg[0] == 0 && ev->arg[1] == 8 && ev->arg[3] &&
		    t->set_memlock)
			t->set_memlock(t->ctx, p->space, ev->arg[2]);
		break;
	case TR_SETRLIMIT:
		if (ev->arg[0] == 8 && ev->arg[3] && t->set_memlock)
			t->set_memlock(t->ctx, p->space, ev->arg[1]);
		break;
	case TR_CAPSET:
		if (!(ev->flags & TR_FLAG_CLONE_FLAGS_UNKNOWN) &&
		    t->set_cap_ipc_lock)
			t->set_cap_ipc_lock(t->ctx, p->space, ev->arg[0] != 0);
		break;
	default:
		break;
	}
}

/* One event of the trace. */
static int step(struct replay *r, const struct tr_event *ev)
{
	struct rp_proc *p;
	enum rp_mismatch kind = RP_MM_VALUE;
	const char *verdict = "ok";
	uint64_t val = 0, traced_target = 0;
	int rc = 0, st;
	bool ran = false;

	if (ev->flags & TR_FLAG_STARTED) {
		procs_clone_start(r->procs, ev->pid, clone_is_fork(ev));
		return 0;
	}
	r->sum->events++;
	r->sum->calls[ev->call]++;
	p = procs_get(r->procs, ev->pid);
	if (!p) {
		snprintf(r->sum->error, sizeof(r->sum->error),
			 "out of memory at line %" PRIu64, ev->line);
		return 70;
	}
	switch (ev->call) {
	case TR_CLONE:
	case TR_CLONE3:
	case TR_FORK:
	case TR_VFORK:
		if (ev->result == TR_RET_VALUE)
			procs_clone_done(r->procs, ev->pid, (int32_t)ev->ret,
					 clone_is_fork(ev));
		verdict = "process";
		break;
	case TR_EXECVE:
		if (ev->result == TR_RET_VALUE)
			procs_exec(r->procs, ev->pid);
		verdict = "process";
		break;
	case TR_EXIT_GROUP:
	case TR_OTHER:
		verdict = "process";
		break;
	case TR_OPEN:
	case TR_OPENAT:
	case TR_CLOSE:
	case TR_DUP:
	case TR_DUP2:
	case TR_DUP3:
	case TR_MEMFD_CREATE:
	case TR_PRLIMIT64:
	case TR_SETRLIMIT:
	case TR_CAPSET:
		context(r, p, ev);
		verdict = "context";
		break;
	default:
		learn_base(r, p, ev);
		learn_brk(r, p, ev);
		if (ev->result == TR_RET_VALUE &&
		    range_call_needs_mapping(ev->call))
			adopt_inherited(r, p, ev->arg[0], ev->arg[1]);
		/* the recorded value in target coordinates, for comparing */
		if (ev->result == TR_RET_VALUE)
			traced_target = ev->call == TR_MMAP ||
						ev->call == TR_MREMAP
					? to_target(p, (uint64_t)ev->ret)
					: (uint64_t)ev->ret;
		rc = run_call(r, p, ev, &val);
		ran = true;
		verdict = judge(r, p, ev, rc, val, traced_target, &kind);
		if (strcmp(verdict, "mismatch") == 0) {
			count_mismatch(r, ev, kind);
			st = log_finding(r, ev, kind, rc, val);
			if (st)
				return st;
		}
		forget(p, ev);
		if (rc == 0 && ev->result == TR_RET_VALUE) {
			if (ev->call == TR_MMAP)
				touch(r, p, val, ev->arg[1], ev->seq,
				      (int)ev->arg[2]);
			else if (ev->call == TR_MREMAP)
				touch(r, p, val, ev->arg[2], ev->seq, -1);
			else if (ev->call == TR_MPROTECT)
				touch(r, p, to_target(p, ev->arg[0]),
				      ev->arg[1], ev->seq, (int)ev->arg[2]);
		}
		break;
	}
	return log_event(r, ev, rc, val, ran, verdict);
}

static int start_run(struct replay *r)
{
	struct db_run_info info = {
		.trace = r->opt->trace,
		.policy = r->opt->policy ? r->opt->policy : "linux",
		.layout = r->opt->layout,
		.genode_version = r->opt->genode_version,
		.command = "replay",
	};
	enum db_error e;

	if (!r->db)
		return 0;
	e = db_run_begin(r->db, &info, &r->run_id);
	if (e) {
		snprintf(r->sum->error, sizeof(r->sum->error), "%s",
			 db_errmsg(r->db));
		return e == DB_ECANTCREATE ? 73 : 74;
	}
	r->sum->run_id = r->run_id;
	return 0;
}

static int end_run(struct replay *r, const char *status, const char *detail)
{
	struct rp_summary *s = r->sum;
	enum db_error e = DB_OK;
	unsigned k;
	char name[64];

	if (!r->db)
		return 0;
	e = db_metric_add(r->db, r->run_id, "events", (double)s->events);
	if (!e)
		e = db_metric_add(r->db, r->run_id, "mismatches",
				  (double)s->mismatches);
	for (k = 0; k < RP_MM_KINDS && !e; k++) {
		snprintf(name, sizeof(name), "mismatch_%s",
			 rp_mismatch_name(k));
		e = db_metric_add(r->db, r->run_id, name,
				  (double)s->mismatch[k]);
	}
	if (!e)
		e = db_metric_add(r->db, r->run_id, "mmaps_placed",
				  (double)s->mmaps_placed);
	if (!e)
		e = db_metric_add(r->db, r->run_id, "mmaps_exact",
				  (double)s->mmaps_exact);
	if (!e)
		e = db_metric_add(r->db, r->run_id, "adopted",
				  (double)s->adopted);
	if (!e)
		e = db_metric_add(r->db, r->run_id, "events_per_s",
				  s->wall_s > 0 ? (double)s->events / s->wall_s
						: 0);
	if (!e)
		e = db_run_end(r->db, r->run_id, status, s->events,
			       s->wall_s * 1000, detail);
	if (e) {
		snprintf(s->error, sizeof(s->error), "%s", db_errmsg(r->db));
		return e == DB_ECANTCREATE ? 73 : 74;
	}
	return 0;
}

int rp_replay(const struct rp_options *opt, struct rp_summary *sum)
{
	struct tr_options topt = {.keep_going = opt->keep_going,
				  .clone_starts = true};
	struct replay r = {.opt = opt, .sum = sum, .db = opt->db};
	struct tr_reader *rd;
	struct tr_event ev;
	double t0 = now_s(), last = t0;
	int rc, err = 0, status = 0;
	const char *run_status = "complete";

	memset(sum, 0, sizeof(*sum));
	if (opt->policy && strcmp(opt->policy, "native") == 0)
		nat_target(&r.t);
	else
		rp_target_linux(&r.t);
	rd = tr_open(opt->trace, &topt, &err);
	if (!rd) {
		snprintf(sum->error, sizeof(sum->error), "%s: %s", opt->trace,
			 strerror(-err));
		return sum->status = (err == -ENOENT || err == -EACCES) ? 66
									  : 74;
	}
	r.procs = procs_new(&r.t);
	if (!r.procs) {
		tr_close(rd);
		snprintf(sum->error, sizeof(sum->error), "out of memory");
		return sum->status = 70;
	}
	status = start_run(&r);
	while (!status && (rc = tr_next(rd, &ev)) > 0) {
		status = step(&r, &ev);
		if (opt->stop && *opt->stop) {
			sum->interrupted = true;
			break;
		}
		if (opt->progress && (sum->events & 0xffff) == 0 &&
		    now_s() - last > 0.5) {
			last = now_s();
			fprintf(stderr, "\r%s: %" PRIu64 " events", opt->trace,
				sum->events);
		}
	}
	if (opt->progress)
		fprintf(stderr, "\r\033[K");
	sum->wall_s = now_s() - t0;
	sum->processes = procs_created(r.procs);
	sum->orphans = procs_orphans(r.procs);
	sum->skipped_lines = tr_reader_stats(rd)->skipped;
	if (!status && !sum->interrupted && rc < 0) {
		snprintf(sum->error, sizeof(sum->error), "%s", tr_error(rd));
		status = rc == -EIO ? 74 : 65;
	}
	if (sum->interrupted) {
		run_status = "interrupted";
		status = *opt->stop == SIGTERM ? 143 : 130;
	} else if (status) {
		run_status = "failed";
	}
	if (r.db && (status == 0 || status == 65 || status == 130 ||
		     status == 143 || status == 70)) {
		int e = end_run(&r, run_status, status ? sum->error : NULL);

		if (e && !status)
			status = e;
	}
	procs_free(r.procs);
	tr_close(rd);
	return sum->status = status;
}
