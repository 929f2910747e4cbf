/*
 * replay.c - the replay loop: read an event, find its address space,
 * translate its addresses, run it on the reference (and, for a Genode
 * policy, on the policy in lockstep: lockstep.c), compare, touch, log.
 *
 * The reference is always compared with the recorded result: this is
 * how the model is proven against the kernel that made the trace, and
 * for `--policy linux` it is the whole job.  A policy is compared with
 * the reference, never with the trace, so a reference that could not
 * follow the trace shows as a mismatch, not as the policy's fault.
 * Three things the trace
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
#include "replay_internal.h"

#include "rmsim/abi.h"
#include "rmsim/policy.h"

#include "native/native.h"

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

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void count_mismatch(struct replay *r, const struct tr_event *ev,
			   enum rp_mismatch k)
{
	r->sum->mismatches++;
	r->sum->mismatch[k]++;
	if (!r->sum->first_mismatch_line)
		r->sum->first_mismatch_line = ev->line;
}

/* How a non-fixed mmap was placed, for the counts. */
struct placing {
	bool concurrent;	/* overlapped another thread's call */
	bool adopted;		/* ... no order explained it: hinted */
	enum rp_place kind;	/* random or unseen, accepted by the rule */
};

static void count_placed(struct replay *r, const struct tr_event *ev,
			 uint64_t val, const struct placing *pl)
{
	bool there = val == (uint64_t)ev->ret;

	r->sum->mmaps_placed++;
	if (pl->concurrent) {
		r->sum->mmaps_concurrent++;
		if (there && pl->adopted)
			r->sum->mmaps_concurrent_adopted++;
		else if (there)
			r->sum->mmaps_concurrent_exact++;
	} else if (pl->kind == RP_PLACE_RANDOM) {
		r->sum->mmaps_random++;
	} else if (pl->kind == RP_PLACE_UNSEEN) {
		r->sum->mmaps_unseen++;
	} else if (there) {
		r->sum->mmaps_exact++;
	}
}

/*
 * Compare the reference's answer with the recorded one, update the
 * reference's relocation and the known ranges, and return the verdict
 * word for the log.
 */
static const char *judge(struct replay *r, struct rp_proc *p,
			 const struct tr_event *ev, int rc, uint64_t val,
			 uint64_t traced_target, const struct placing *pl,
			 enum rp_mismatch *kind)
{
	bool fixed;

	if (ev->result == TR_RET_UNKNOWN) {
		r->sum->unknown++;
		return "unknown";
	}
	if (rc == TG_EREFUSED) {
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
		if (!fixed)
			count_placed(r, ev, val, pl);
		rp_relocate(p, RP_REF, (uint64_t)ev->ret, val, ev->arg[1]);
		return val == (uint64_t)ev->ret ? "ok" : "relocated";
	case TR_MREMAP:
		if (val == traced_target) {
			rp_relocate(p, RP_REF, (uint64_t)ev->ret, val,
				    ev->arg[2]);
			return "ok";
		}
		if ((uint64_t)ev->ret != ev->arg[0] &&
		    val != rp_to_side(p, RP_REF, ev->arg[0]) &&
		    !(ev->arg[3] & LX_MREMAP_FIXED)) {
			/* both moved, to different places */
			rp_relocate(p, RP_REF, (uint64_t)ev->ret, val,
				    ev->arg[2]);
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

static enum rp_clone clone_kind(const struct tr_event *ev)
{
	if (ev->call == TR_FORK)
		return RP_CLONE_FORK;
	if (ev->call == TR_VFORK)
		return RP_CLONE_VM;
	/* raw clone3 hides its flags: glibc uses clone3 only for threads */
	if (ev->flags & TR_FLAG_CLONE_FLAGS_UNKNOWN)
		return ev->call == TR_CLONE ? RP_CLONE_FORK : RP_CLONE_THREAD;
	if (!(ev->arg[0] & LX_CLONE_VM))
		return RP_CLONE_FORK;
	return ev->arg[0] & LX_CLONE_THREAD ? RP_CLONE_THREAD : RP_CLONE_VM;
}

static int log_event(struct replay *r, const struct tr_event *ev, int rc,
		     uint64_t val, bool ran, int mrc, uint64_t mval,
		     bool mran, const char *verdict)
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
	row.ref_known = ran && rc != TG_EREFUSED;
	row.ref_ret = rc < 0 ? -1 : (int64_t)val;
	row.ref_errno = rc < 0 ? -rc : 0;
	if (r->two) {
		row.model_known = mran && mrc != TG_EREFUSED;
		row.model_ret = mrc < 0 ? -1 : (int64_t)mval;
		row.model_errno = mrc < 0 ? -mrc : 0;
	} else {
		/* the policy is the reference itself */
		row.model_known = row.ref_known;
		row.model_ret = row.ref_ret;
		row.model_errno = row.ref_errno;
	}
	row.verdict = verdict;
	e = db_event_add(r->db, r->run_id, &row);
	if (e) {
		snprintf(r->sum->error, sizeof(r->sum->error), "%s",
			 db_errmsg(r->db));
		return e == DB_ECANTCREATE ? 73 : 74;
	}
	return 0;
}

/* The reference against the trace: one "result" finding per mismatch
 * when the reference itself is the policy under test. */
static int log_mismatch(struct replay *r, const struct tr_event *ev,
			enum rp_mismatch kind, int rc, uint64_t val)
{
	char detail[256], got[64], want[64];
	struct db_finding f = {0};

	if (!r->db || r->two)
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
	f.seq = ev->seq;
	f.kind = "result";
	f.severity = "error";
	f.detail = detail;
	if (db_finding_add(r->db, r->run_id, &f)) {
		snprintf(r->sum->error, sizeof(r->sum->error), "%s",
			 db_errmsg(r->db));
		return 74;
	}
	return 0;
}

/*
 * Calls that set what later memory calls may do: the fds file mappings
 * need and their access modes, RLIMIT_MEMLOCK, CAP_IPC_LOCK.  Only what
 * succeeded in the trace is applied, on every side that can take it.
 */
static void context(struct replay *r, struct rp_proc *p,
		    const struct tr_event *ev)
{
	int fd = (int)ev->ret, side;
	/* O_ACCMODE; memfds are always read-write */
	int mode = ev->call == TR_MEMFD_CREATE ? 2 : (int)(ev->arg[0] & 3);

	if (ev->result != TR_RET_VALUE)
		return;
	for (side = 0; side < RP_SIDES; side++) {
		const struct tg_target *t = &r->t[side];
		void *space = p->side[side].space;

		if (!space)
			continue;
		switch (ev->call) {
		case TR_OPEN:
		case TR_OPENAT:
		case TR_MEMFD_CREATE:
			/* O_PATH descriptors cannot be mapped */
			if (t->fd_set && !(ev->arg[0] & 010000000))
				t->fd_set(t->ctx, space, fd, mode);
			break;
		case TR_CLOSE:
			if (t->fd_set)
				t->fd_set(t->ctx, space, (int)ev->arg[0], -1);
			break;
		case TR_DUP:
			if (t->fd_dup)
				t->fd_dup(t->ctx, space, (int)ev->arg[0], fd);
			break;
		case TR_DUP2:
		case TR_DUP3:
			if (t->fd_dup)
				t->fd_dup(t->ctx, space, (int)ev->arg[0],
					  (int)ev->arg[1]);
			break;
		case TR_PRLIMIT64:
			/* pid 0 is the caller; RLIMIT_MEMLOCK is 8 */
			if (ev->arg[0] == 0 && ev->arg[1] == 8 &&
			    ev->arg[3] && t->set_memlock)
				t->set_memlock(t->ctx, space, ev->arg[2]);
			break;
		case TR_SETRLIMIT:
			if (ev->arg[0] == 8 && ev->arg[3] && t->set_memlock)
				t->set_memlock(t->ctx, space, ev->arg[1]);
			break;
		case TR_CAPSET:
			if (ev->flags & TR_FLAG_CLONE_FLAGS_UNKNOWN)
				break;
			if (t->set_cap_ipc_lock)
				t->set_cap_ipc_lock(t->ctx, space,
						    ev->arg[0] != 0);
			if (t->set_cap_sys_rawio)
				t->set_cap_sys_rawio(t->ctx, space,
						     ev->arg[1] != 0);
			break;
		case TR_MEMFD_SECRET:
			if (t->fd_set)
				t->fd_set(t->ctx, space, fd,
					  LX_O_RDWR | PX_FD_SECRET);
			break;
		default:
			break;
		}
	}
}

/* Touch what the call made writable, on every side. */
static void touch_after(struct replay *r, struct rp_proc *p,
			const struct tr_event *ev, uint64_t ref_val,
			uint64_t model_val, bool model_ok)
{
	int side;

	for (side = 0; side < RP_SIDES; side++) {
		uint64_t v = side == RP_REF ? ref_val : model_val;

		if (!p->side[side].space || (side == RP_MODEL && !model_ok))
			continue;
		if (ev->call == TR_MMAP)
			rp_touch(r, p, side, v, ev->arg[1], ev->seq,
				 (int)ev->arg[2]);
		else if (ev->call == TR_MREMAP)
			rp_touch(r, p, side, v, ev->arg[2], ev->seq, -1);
		else if (ev->call == TR_MPROTECT)
			rp_touch(r, p, side, rp_to_side(p, side, ev->arg[0]),
				 ev->arg[1], ev->seq, (int)ev->arg[2]);
	}
}

/*
 * Before a concurrent mmap runs: the munmaps other threads of its
 * address space had under way over the range it got were served first
 * (the memory was free for it), so they run now, on every side, taken to
 * succeed; each is judged when it finishes in the trace.
 */
static void run_blockers(struct replay *r, struct rp_proc *p,
			 const struct tr_event *ev)
{
	struct rp_flight *f;

	while ((f = rp_overlap_blocker(&r->overlap, ev->pid,
				       (uint64_t)ev->ret, ev->arg[1]))) {
		struct tr_event m = f->ev;

		if (procs_get(r->procs, m.pid) != p) {
			f->passed = true;	/* another process's memory */
			continue;
		}
		f->early = true;
		m.flags &= ~(unsigned)TR_FLAG_STARTED;
		m.result = TR_RET_VALUE;
		m.ret = 0;
		f->rc = rp_run_call(r, p, RP_REF, &m, &f->val);
		if (r->two && p->side[RP_MODEL].space) {
			f->mrc = rp_run_call(r, p, RP_MODEL, &m, &f->mval);
			f->mran = true;
		}
		rp_forget(p, &m);
	}
}

/* What a munmap or a moving mremap gave back on the reference, for the
 * order search of calls it overlapped. */
static void note_freed(struct replay *r, struct rp_proc *p,
		       const struct tr_event *ev, int rc, uint64_t val)
{
	uint64_t old;

	if (rc != 0 || ev->result != TR_RET_VALUE)
		return;
	old = rp_to_side(p, RP_REF, ev->arg[0]);
	if (ev->call == TR_MUNMAP ||
	    (ev->call == TR_MREMAP && val != old &&
	     !(ev->arg[3] & LX_MREMAP_DONTUNMAP)))
		rp_overlap_freed(&r->overlap, old, rp_page_up(ev->arg[1]));
}

static int note(struct replay *r, const struct tr_event *ev,
		const char *kind, const char *detail)
{
	if (!r->db || !db_note_add(r->db, r->run_id, ev->seq, kind, detail))
		return 0;
	snprintf(r->sum->error, sizeof(r->sum->error), "%s", db_errmsg(r->db));
	return 74;
}

/*
 * A program image the trace shows no execve for: a trace recorded with
 * -e trace=%memory through a wrapper that execs the real program
 * (/usr/bin/env, pyenv's shims) goes on in a new image without a line
 * saying so.  Its brk(NULL) gives it away, returning a break the old
 * image never had (the break is the last brk's result, always).  The
 * replay then starts a fresh address space, as an execve would.
 */
static int image_change(struct replay *r, struct rp_proc **pp,
			const struct tr_event *ev)
{
	struct rp_proc *p = *pp;
	char detail[256];

	if (ev->call != TR_BRK || ev->result != TR_RET_VALUE)
		return 0;
	if (ev->arg[0] != 0 || !p->brk_known || p->brk == (uint64_t)ev->ret) {
		if (p->brk_known)
			p->brk = (uint64_t)ev->ret;
		return 0;
	}
	snprintf(detail, sizeof(detail),
		 "line %" PRIu64 ": brk(NULL) returned %#" PRIx64 ", but the "
		 "break was %#" PRIx64 ": a new program image without an "
		 "execve line; replayed in a fresh address space",
		 ev->line, (uint64_t)ev->ret, p->brk);
	procs_exec(r->procs, ev->pid);
	*pp = procs_get(r->procs, ev->pid);
	if (!*pp)
		return 70;
	if (!r->sum->images++)
		r->sum->first_image_line = ev->line;
	return note(r, ev, "image", detail);
}

/*
 * A trace without -f misses the calls of the program's other threads:
 * their mappings take memory no traced call mapped, so a plain top-down
 * mmap (no hint, no MAP_32BIT) lands where the model cannot put it.  In
 * a trace without pids that is a sign: the kernel placing it below
 * where the model could (the memory above was taken), or, once the
 * trace showed a thread being made, anywhere else.  Said once.
 */
static int threads_warning(struct replay *r, const struct tr_event *ev,
			   const char *verdict, uint64_t val,
			   uint64_t traced_target, bool unseen)
{
	bool plain = ev->call == TR_MMAP && ev->arg[0] == 0 &&
		     !(ev->arg[3] & (LX_MAP_32BIT | LX_MAP_FIXED |
				     LX_MAP_FIXED_NOREPLACE));

	/* an unseen placement took the recorded address: it is the sign */
	if (r->pids_seen || r->sum->warning[0] || !plain ||
	    !(val > traced_target || r->threads_unfollowed) ||
	    (strcmp(verdict, "relocated") != 0 && !unseen))
		return 0;
	snprintf(r->sum->warning, sizeof(r->sum->warning),
		 "line %" PRIu64 ": mmap placed at %#" PRIx64 " by the kernel, "
		 "memory the traced calls left %s: the trace was recorded "
		 "without -f, so other threads' calls are missing; record "
		 "with strace -f",
		 ev->line, (uint64_t)ev->ret,
		 val > traced_target ? "free above it" : "otherwise");
	r->sum->warning_line = ev->line;
	return note(r, ev, "threads", r->sum->warning);
}

/* One event of the trace. */
static int step(struct replay *r, const struct tr_event *ev)
{
	struct rp_proc *p;
	enum rp_mismatch kind = RP_MM_VALUE;
	const char *verdict = "ok", *mverdict = NULL;
	uint64_t val = 0, mval = 0, traced_target = 0;
	int rc = 0, mrc = 0, st;
	bool ran = false, mran = false, overlapped;
	struct placing pl = {0};
	struct rp_flight early;
	enum rp_order order;

	if (ev->flags & TR_FLAG_STARTED) {
		if (ev->call == TR_MMAP || ev->call == TR_MREMAP ||
		    ev->call == TR_MUNMAP || ev->call == TR_BRK)
			rp_overlap_start(&r->overlap, ev);
		else
			procs_clone_start(r->procs, ev->pid, clone_kind(ev));
		return 0;
	}
	r->sum->events++;
	r->sum->calls[ev->call]++;
	overlapped = rp_overlap_done(&r->overlap, ev, r->end_line, &early);
	r->line = ev->line;
	p = procs_get(r->procs, ev->pid);
	if (p && (st = image_change(r, &p, ev)) != 0 && st != 70)
		return st;
	if (!p) {
		snprintf(r->sum->error, sizeof(r->sum->error),
			 "line %" PRIu64 ": cannot create an address space%s%s",
			 ev->line, r->gcfg.error[0] ? ": " : "",
			 r->gcfg.error);
		return 70;
	}
	if (ev->pid)
		r->pids_seen = true;
	switch (ev->call) {
	case TR_CLONE:
	case TR_CLONE3:
	case TR_FORK:
	case TR_VFORK:
		if (ev->result == TR_RET_VALUE)
			procs_clone_done(r->procs, ev->pid, (int32_t)ev->ret,
					 clone_kind(ev));
		if (ev->result == TR_RET_VALUE && !r->pids_seen &&
		    clone_kind(ev) != RP_CLONE_FORK && ev->call != TR_VFORK)
			r->threads_unfollowed = true;
		verdict = "process";
		break;
	case TR_EXECVE:
		if (ev->result == TR_RET_VALUE) {
			procs_exec(r->procs, ev->pid);
			rp_side_exec(r, ev);
		}
		verdict = "process";
		break;
	case TR_EXIT_GROUP:
		procs_exit(r->procs, ev->pid);
		verdict = "process";
		break;
	case TR_OTHER:
		verdict = "process";
		break;
	case TR_SHMAT:
	case TR_SHMDT:
	case TR_REMAP_FILE_PAGES:
	case TR_PROCESS_MADVISE:
	case TR_PROCESS_MRELEASE:
	case TR_USERFAULTFD:
	case TR_IO_URING_SETUP:
	case TR_PKEY_ALLOC:
	case TR_PKEY_FREE:
	case TR_MAP_SHADOW_STACK:
	case TR_MBIND:
	case TR_SET_MEMPOLICY_HOME_NODE:
		/* not modelled: counted and named in the summary, so a
		 * mismatch after one has its likely cause in plain sight */
		r->sum->unmodelled++;
		verdict = "unmodelled";
		break;
	case TR_OPEN:
	case TR_OPENAT:
	case TR_CLOSE:
	case TR_DUP:
	case TR_DUP2:
	case TR_DUP3:
	case TR_MEMFD_CREATE:
	case TR_MEMFD_SECRET:
	case TR_PRLIMIT64:
	case TR_SETRLIMIT:
	case TR_CAPSET:
		context(r, p, ev);
		verdict = "context";
		break;
	case TR_PRCTL:
		/* only memory-deny-write-execute is run and judged */
		if ((ev->flags & TR_FLAG_ARGS_UNKNOWN) ||
		    (ev->arg[0] != LX_PR_SET_MDWE &&
		     ev->arg[0] != LX_PR_GET_MDWE)) {
			verdict = "context";
			break;
		}
		/* fall through */
	default:
		rp_learn(r, p, ev);
		if (ev->result == TR_RET_VALUE && rp_range_call(ev->call) &&
		    ev->call != TR_MUNMAP)
			rp_adopt(r, p, ev->arg[0], ev->arg[1]);
		/* the recorded value in reference coordinates */
		if (ev->result == TR_RET_VALUE)
			traced_target = ev->call == TR_MMAP ||
						ev->call == TR_MREMAP
					? rp_to_side(p, RP_REF,
						     (uint64_t)ev->ret)
					: (uint64_t)ev->ret;
		pl.concurrent = overlapped && ev->call == TR_MMAP &&
				ev->result == TR_RET_VALUE &&
				!(ev->arg[3] &
				  (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE));
		if (early.early) {
			/* run when the order search put it first */
			rc = early.rc;
			val = early.val;
			mrc = early.mrc;
			mval = early.mval;
			mran = early.mran;
		} else if (overlapped &&
			   (ev->call == TR_MMAP || ev->call == TR_MREMAP ||
			    ev->call == TR_BRK) &&
			   (order = rp_order_first(r, p, ev, &rc, &val)) !=
				   RP_ORDER_NONE) {
			/* the calls the kernel served first ran: now it */
			if (order == RP_ORDER_FIRST)
				rc = rp_run_call(r, p, RP_REF, ev, &val);
			rp_order_done(r, p);
		} else if (pl.concurrent) {
			/* no order of the calls it overlapped gives its
			 * address: take it (a miss), what other threads
			 * were unmapping there gone first, so that the
			 * calls after it are judged where the program had
			 * its memory */
			struct tr_event hinted = *ev;

			run_blockers(r, p, ev);
			hinted.arg[0] = (uint64_t)ev->ret;
			rc = rp_run_call(r, p, RP_REF, &hinted, &val);
			pl.adopted = true;
		} else if ((pl.kind = rp_place_kind(r, ev)) != RP_PLACE_PLAIN) {
			rc = rp_place(r, p, ev, &pl.kind, &val);
		} else {
			rc = rp_run_call(r, p, RP_REF, ev, &val);
		}
		if (rc == TG_EBROKEN) {
			rp_backend_failed(r, p, RP_REF);
			return r->status;
		}
		ran = true;
		if (!early.early)
			note_freed(r, p, ev, rc, val);
		verdict = judge(r, p, ev, rc, val, traced_target, &pl, &kind);
		if (strcmp(verdict, "mismatch") == 0) {
			count_mismatch(r, ev, kind);
			st = log_mismatch(r, ev, kind, rc, val);
			if (st)
				return st;
		}
		if (early.early && (early.mran || !r->two)) {
			/* run already, on every side */
		} else if (r->two && p->side[RP_MODEL].space) {
			rp_lockstep(r, p, ev, rc, val, &mrc, &mval, &mverdict);
			mran = true;
			if (r->status)
				return r->status;
			if (mverdict && strcmp(verdict, "mismatch") != 0)
				verdict = mverdict;
		}
		st = threads_warning(r, ev, verdict, val, traced_target,
				     pl.kind == RP_PLACE_UNSEEN);
		if (st)
			return st;
		if (!early.early)
			rp_forget(p, ev);
		if (rc == 0 && ev->result == TR_RET_VALUE)
			touch_after(r, p, ev, val, mval, mran && mrc == 0);
		if (mran)
			rp_quota_after(r, p, ev);
		break;
	}
	st = log_event(r, ev, rc, val, ran, mrc, mval, mran, verdict);
	if (!st && r->two) {
		rp_sample(r, ev->seq, false);
	} else if (!st) {
		struct px_stats ps;

		rp_ref_peaks(r, &ps);
	}
	return st ? st : r->status;
}

const char *rp_touch_name(enum rp_touch t)
{
	switch (t) {
	case RP_TOUCH_NONE:
		return "none";
	case RP_TOUCH_ALL:
		return "all";
	case RP_TOUCH_RECORDED:
		return "recorded";
	case RP_TOUCH_AUTO:
		return "auto";
	default:
		return "first";
	}
}

void rp_fmt_size(uint64_t v, char *buf, size_t size)
{
	if (v && v % (1ULL << 30) == 0)
		snprintf(buf, size, "%" PRIu64 " GiB", v >> 30);
	else if (v && v % (1ULL << 20) == 0)
		snprintf(buf, size, "%" PRIu64 " MiB", v >> 20);
	else if (v >= (1ULL << 20))
		snprintf(buf, size, "%.1f MiB", (double)v / (1 << 20));
	else
		snprintf(buf, size, "%" PRIu64 " bytes", v);
}

void rp_settings(const struct rp_options *opt, char *buf, size_t size)
{
	char ram[48];

	if (!opt->pol) {
		/* the reference or the host kernel: no component */
		snprintf(buf, size, "touch %s", rp_touch_name(opt->touch));
		return;
	}
	if (opt->ram_derived)
		snprintf(ram, sizeof(ram), "RAM from the trace (+%d%%, +%llu "
			 "MiB)", RP_RAM_MARGIN_PCT,
			 (unsigned long long)(RP_RAM_MARGIN_FIXED >> 20));
	else
		rp_fmt_size(opt->gn.ram_quota, ram, sizeof(ram));
	snprintf(buf, size, "Genode %s, %s%s, caps %" PRIu64 ", touch %s",
		 opt->genode_version ? opt->genode_version : "?",
		 opt->ram_derived ? "" : "RAM ", ram, opt->gn.cap_quota,
		 rp_touch_name(opt->touch));
}

uint64_t rp_derive_ram(uint64_t writable_peak)
{
	uint64_t q = writable_peak + writable_peak / 100 * RP_RAM_MARGIN_PCT +
		     RP_RAM_MARGIN_FIXED;

	return (q + (1ULL << 20) - 1) & ~((1ULL << 20) - 1);
}

int rp_reference_need(const char *trace, uint64_t max_map_count,
		      uint64_t *writable_peak, char *err, size_t errsize)
{
	struct rp_options o;
	struct rp_summary s;
	int status;

	memset(&o, 0, sizeof(o));
	o.trace = trace;
	o.policy = "linux";
	o.touch = RP_TOUCH_NONE;
	o.max_map_count = max_map_count;
	status = rp_replay(&o, &s);
	*writable_peak = s.posix_writable_peak;
	if (status)
		snprintf(err, errsize, "%s", s.error);
	return status;
}

static int start_run(struct replay *r)
{
	char settings[160];
	struct db_run_info info = {
		.trace = r->opt->trace,
		.policy = r->opt->pol ? r->opt->pol->name
				      : r->opt->policy ? r->opt->policy
						       : "linux",
		.params = r->opt->params && r->opt->params[0] ? r->opt->params
							      : NULL,
		.layout = r->opt->layout,
		.genode_version = r->opt->genode_version,
		.command = r->opt->command ? r->opt->command : "replay",
		.policy_spec = r->opt->policy ? r->opt->policy : "linux",
		.touch = rp_touch_name(r->opt->touch),
		.ram_quota = r->opt->pol ? r->opt->gn.ram_quota : 0,
		.ram_quota_derived = r->opt->ram_derived,
		.caps_quota = r->opt->pol ? r->opt->gn.cap_quota : 0,
		.settings = settings,
	};
	enum db_error e;

	if (!r->db)
		return 0;
	rp_settings(r->opt, settings, sizeof(settings));
	e = db_run_begin(r->db, &info, &r->run_id);
	if (e) {
		snprintf(r->sum->error, sizeof(r->sum->error), "%s",
			 db_errmsg(r->db));
		return e == DB_ECANTCREATE ? 73 : 74;
	}
	r->sum->run_id = r->run_id;
	r->gcfg.run_id = r->run_id;
	/* the run's end writes it */
	rp_digest_start(r, r->opt->trace);
	return 0;
}

static int metric(struct replay *r, const char *name, double v)
{
	return db_metric_add(r->db, r->run_id, name, v) ? -1 : 0;
}

static int end_run(struct replay *r, const char *status, const char *detail)
{
	struct rp_summary *s = r->sum;
	const struct gn_metrics *m = &s->gn;
	uint64_t rpc_total = 0;
	unsigned k;
	char name[64];
	int e = 0;

	if (!r->db)
		return 0;
	e |= metric(r, "events", (double)s->events);
	e |= metric(r, "mismatches", (double)s->mismatches);
	for (k = 0; k < RP_MM_KINDS; k++) {
		snprintf(name, sizeof(name), "mismatch_%s",
			 rp_mismatch_name(k));
		e |= metric(r, name, (double)s->mismatch[k]);
	}
	e |= metric(r, "mmaps_placed", (double)s->mmaps_placed);
	e |= metric(r, "mmaps_exact", (double)s->mmaps_exact);
	e |= metric(r, "mmaps_concurrent", (double)s->mmaps_concurrent);
	e |= metric(r, "mmaps_concurrent_adopted",
		    (double)s->mmaps_concurrent_adopted);
	e |= metric(r, "mmaps_random", (double)s->mmaps_random);
	e |= metric(r, "mmaps_unseen", (double)s->mmaps_unseen);
	e |= metric(r, "mmaps_concurrent_exact",
		    (double)s->mmaps_concurrent_exact);
	e |= metric(r, "adopted", (double)s->adopted);
	e |= metric(r, "unmodelled", (double)s->unmodelled);
	for (k = 0; k < TR_NCALLS; k++)
		if (tr_call_unmodelled((enum tr_call)k) && s->calls[k]) {
			snprintf(name, sizeof(name), "unmodelled_%s",
				 tr_call_name((enum tr_call)k));
			e |= metric(r, name, (double)s->calls[k]);
		}
	/* what the recording's side file gave (docs/recording.md) */
	e |= metric(r, "side_file", s->side_path[0] ? 1 : 0);
	e |= metric(r, "side_ranges", (double)s->side_ranges);
	e |= metric(r, "max_map_count", (double)s->max_map_count);
	e |= metric(r, "events_per_s",
		    s->wall_s > 0 ? (double)s->events / s->wall_s : 0);
	if (r->two) {
		e |= metric(r, "findings", (double)s->findings);
		for (k = 0; k < CK_NKINDS; k++) {
			snprintf(name, sizeof(name), "findings_%s",
				 ck_kind_name(k));
			e |= metric(r, name, (double)s->finding[k]);
		}
		e |= metric(r, "findings_consequences",
			    (double)s->consequences);
		e |= metric(r, "posix_mapped_peak",
			    (double)s->posix_mapped_peak);
		e |= metric(r, "posix_writable_peak",
			    (double)s->posix_writable_peak);
	}
	if (r->model_is_genode) {
		e |= metric(r, "ram_peak", (double)m->ram_peak);
		e |= metric(r, "ram_final", (double)m->ram_used);
		e |= metric(r, "caps_peak", (double)m->caps_peak);
		e |= metric(r, "caps_final", (double)m->caps_used);
		e |= metric(r, "rm_sessions", (double)m->rm_sessions_peak);
		e |= metric(r, "region_maps", (double)m->region_maps_peak);
		e |= metric(r, "attachments_peak",
			    (double)m->attachments_peak);
		e |= metric(r, "faults", (double)m->faults);
		for (k = 0; k < GN_NRPC; k++) {
			snprintf(name, sizeof(name), "rpc_%s",
				 gn_rpc_name(k));
			e |= metric(r, name, (double)m->rpc[k]);
			rpc_total += m->rpc[k];
		}
		e |= metric(r, "rpc_total", (double)rpc_total);
		/* RAM held beyond what the program has mapped writable or
		 * readable: the price of the policy's granularity */
		e |= metric(r, "waste_bytes",
			    m->ram_peak > s->posix_writable_peak
				    ? (double)(m->ram_peak -
					       s->posix_writable_peak)
				    : 0);
	}
	if (!e) {
		struct db_addresses a = {
			.placed = s->mmaps_placed,
			.exact = s->mmaps_exact,
			.concurrent = s->mmaps_concurrent,
			.concurrent_exact = s->mmaps_concurrent_exact,
			.random = s->mmaps_random,
			.unseen = s->mmaps_unseen,
		};

		e = db_run_addresses(r->db, r->run_id, &a) != DB_OK;
	}
	if (!e && s->touch == RP_TOUCH_RECORDED) {
		struct db_run_touch t = {
			.faults = s->faults,
			.faults_outside = s->faults_outside,
			.rss_samples = s->rss_samples,
			.rss_median_err = s->rss_median_err,
			.rss_worst_err = s->rss_worst_err,
		};

		e |= metric(r, "faults_recorded", (double)s->faults);
		e |= metric(r, "faults_touched", (double)s->faults_touched);
		e |= metric(r, "faults_outside", (double)s->faults_outside);
		e |= metric(r, "faults_denied", (double)s->faults_denied);
		e |= metric(r, "faults_unknown_pid",
			    (double)s->faults_unknown_pid);
		e |= metric(r, "faults_model_failed",
			    (double)s->faults_model_failed);
		if (!e && db_run_touch(r->db, r->run_id, &t))
			e = 1;
	}
	if (!e && db_run_end(r->db, r->run_id, status, s->events,
			     s->wall_s * 1000, detail))
		e = 1;
	if (e) {
		snprintf(s->error, sizeof(s->error), "%s", db_errmsg(r->db));
		return 74;
	}
	return 0;
}

/* Set up the sides: the reference, and the policy under test. */
static int setup_targets(struct replay *r)
{
	const struct rp_options *opt = r->opt;

	tg_linux(&r->t[RP_REF]);
	/* --max-map-count, else the recording machine's (side file),
	 * else Linux's default: rp_side_open chose */
	if (r->sum->max_map_count || r->side) {
		px_default_config(&r->pxcfg);
		r->pxcfg.max_map_count = r->sum->max_map_count;
		/* THP as the recording machine had it */
		rp_side_machine(r, &r->pxcfg);
		r->t[RP_REF].ctx = &r->pxcfg;
	}
	if (opt->pol) {
		r->two = true;
		r->model_is_genode = true;
		r->gcfg.pol = opt->pol;
		r->gcfg.params = opt->params;
		r->gcfg.gn = opt->gn;
		r->gcfg.db = r->db;
		r->gcfg.stop = opt->stop;
		tg_genode(&r->t[RP_MODEL], &r->gcfg);
	} else if (opt->policy && strcmp(opt->policy, "native") == 0) {
		/* the host kernel alone, judged against the trace */
		nat_target(&r->t[RP_REF]);
	}
	/* asked after every event (the peaks): the name once */
	r->ref_is_model = strcmp(r->t[RP_REF].name, "linux") == 0;
	r->procs = procs_new(&r->t[RP_REF], r->two ? &r->t[RP_MODEL] : NULL);
	return r->procs ? 0 : -1;
}

int rp_replay(const struct rp_options *opt, struct rp_summary *sum)
{
	struct tr_options topt = {.keep_going = opt->keep_going,
				  .clone_starts = true};
	struct rp_options used = *opt;	/* with the touch model resolved */
	struct replay r;
	struct tr_reader *rd;
	const struct tr_event *ev;
	double t0 = now_s(), last = t0;
	int rc = 0, err = 0, status = 0;
	const char *run_status = "complete";
	struct rp_proc *root;

	memset(sum, 0, sizeof(*sum));
	memset(&r, 0, sizeof(r));
	r.opt = opt;
	r.sum = sum;
	r.db = opt->db;
	rd = tr_open(opt->trace, &topt, &err);
	if (!rd) {
		snprintf(sum->error, sizeof(sum->error), "%s: %s", opt->trace,
			 strerror(-err));
		return sum->status = tr_missing_input(err) ? 66 : 74;
	}
	status = rp_side_open(&r);
	if (!status)
		status = rp_rec_open(&r, opt->touch, &used.touch);
	r.opt = &used;
	sum->touch = used.touch;
	if (!status)
		status = start_run(&r);
	if (!status && setup_targets(&r)) {
		snprintf(sum->error, sizeof(sum->error), "out of memory");
		status = 70;
	}
	sum->two_sided = r.two;
	rp_ahead_init(&r.ahead, rd);
	while (!status && (rc = rp_ahead_next(&r.ahead, &ev, &r.end_line)) > 0) {
		status = rp_rec_before(&r, ev);
		if (!status)
			status = step(&r, ev);
		rp_rec_after(&r, ev);
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
	if (!status && rc == 0 && !sum->interrupted)
		status = rp_rec_finish(&r);
	if (opt->progress)
		fprintf(stderr, "\r\033[K");
	sum->wall_s = now_s() - t0;
	if (r.procs) {
		sum->processes = procs_created(r.procs);
		sum->orphans = procs_orphans(r.procs);
		sum->fork_shared = procs_fork_shared(r.procs);
		root = procs_root(r.procs);
		if (r.two) {
			rp_sample(&r, sum->events, true);
			if (r.db && !r.status)
				rp_snapshot_end(&r, sum->events);
		}
		if (root && r.model_is_genode)
			sum->gn = *gn_metrics(
				tg_genode_ctx(root->side[RP_MODEL].space));
	}
	sum->skipped_lines = tr_reader_stats(rd)->skipped;
	sum->missing_files = tr_reader_stats(rd)->missing_files;
	if (!status && r.status)
		status = r.status;
	if (!status && !sum->interrupted && rc < 0) {
		snprintf(sum->error, sizeof(sum->error), "%s", tr_error(rd));
		status = rc == -EIO ? 74 : 65;
	}
	/* a verdict on nothing would read as a clean one */
	if (!status && !sum->interrupted && sum->events == 0) {
		snprintf(sum->error, sizeof(sum->error),
			 "%s: no system calls in it (an empty file, or not "
			 "strace's output)",
			 opt->trace);
		status = 65;
	}
	if (sum->interrupted) {
		run_status = "interrupted";
		status = *opt->stop == SIGTERM ? 143 : 130;
	} else if (status) {
		run_status = "failed";
	}
	if (r.db && (status == 73 || status == 74) && r.run_id)
		db_run_fail(r.db, r.run_id, sum->error);
	else if (r.db && r.run_id) {
		const char *digest = rp_digest_finish(&r);
		char sha[65];
		int e;

		/* a -ff family: the checksum covers every file read */
		if (tr_reader_files(rd) > 1)
			digest = tr_sha256_read(rd, sha) == 0 ? sha : NULL;
		if (digest)
			db_run_trace_sha256(r.db, r.run_id, digest);
		e = end_run(&r, run_status,
				sum->interrupted ? "interrupted by a signal"
				: status	 ? sum->error
						 : NULL);

		if (e && !status)
			status = e;
	}
	rp_digest_finish(&r);
	rp_ahead_free(&r.ahead);
	procs_free(r.procs);
	free(r.peak);
	free(r.peak_labels);
	tr_close(rd);
	rp_rec_close(&r);
	rp_side_close(&r);
	return sum->status = status;
}
