/*
 * touch_recorded.c - the touch model `recorded`: the pages the program
 * faulted while it was recorded are touched when it faulted them, on the
 * reference and on the policy under test, and the reference's anonymous
 * resident bytes are compared with the recording's RssAnon samples.
 *
 * ALGORITHM.  The side file's faults (in time order, streamed: never all
 * in memory) and its RssAnon samples (held with the header) are merged
 * with the trace's events by time, both on strace's clock.  An event's
 * time is when the call returned, so that what it made exists for the
 * faults after it: the -T duration added to its start, else the time of
 * the line that ended it (the <... resumed> line of a call strace split),
 * else its start.  A clone-family call is an exception: the child can
 * run, and fault, before the parent's call returns, so its time is its
 * start; so is execve, whose new image the kernel faults in (the tail of
 * each data page, the auxiliary vector) before the call returns, and a
 * sample taken while a process is in execve is skipped (the image is in
 * the making).  Before each event every fault and sample earlier than
 * that time is applied; at equal times the event comes first, then
 * faults, then samples (a fault stamped with the instant a call returned
 * is the program's access after it).  What is left after the last event is
 * applied at the end.
 *
 * A fault of pid P (its thread group) touches P's address space: the
 * address goes through the side's relocation map like any address
 * argument; a write (or an access perf could not name, where the page
 * takes a write) is a one-byte store of the token the touch model
 * writes, a read or an instruction fetch (or an unnamed access where
 * the page takes no write) a one-byte load, each faulting the page in as the model's kernel
 * would (transparent huge pages as the recording machine had them, by
 * its `thp` line: rp_side_machine).  A fault the reference refuses is
 * counted, outside every mapping or denied by the mapping's protection,
 * and never reaches the policy; a fault of a pid the trace has not shown
 * is counted too.
 *
 * INVARIANTS: faults are applied in the side file's order, each once;
 * faults_touched + faults_outside + faults_denied + faults_unknown_pid
 * == faults; faults on ranges execve made (p->inherited) touch the
 * reference only; every sample is compared or skipped once.
 */
#include "replay_internal.h"

#include "rmsim/abi.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* A trace whose first timestamp is this far from the side file's is on
 * another clock (-t, -tt or -r instead of -ttt). */
#define CLOCK_SLACK_US (24LL * 3600 * 1000000)

int64_t rp_rec_key(const struct tr_event *ev)
{
	if (ev->flags & TR_FLAG_STARTED)
		return ev->ts_us;
	switch (ev->call) {
	case TR_CLONE:
	case TR_CLONE3:
	case TR_FORK:
	case TR_VFORK:
	/* execve builds the new image before it returns, and the kernel
	 * takes faults on it while it does: the ELF loader zeroes the part
	 * of the last data page beyond the file (the binary's and ld.so's),
	 * create_elf_tables writes the auxiliary vector below the
	 * arguments.  Those faults are the new image's. */
	case TR_EXECVE:
		return ev->ts_us;
	default:
		break;
	}
	return ev->dur_us >= 0 ? ev->ts_us + ev->dur_us : ev->end_ts_us;
}

int rp_touch_parse(const char *name)
{
	static const char *const names[] = {"none", "first", "all", "recorded"};
	unsigned i;

	for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (strcmp(name, names[i]) == 0)
			return (int)i;
	return -1;
}

/* Why @side (NULL: none found) cannot give recorded touches, or NULL. */
static const char *no_faults(const char *trace, struct tr_faults *side,
			     char *why, size_t size)
{
	if (side && tr_faults_machine(side)->faults_recorded)
		return NULL;
	if (side)
		snprintf(why, size,
			 "%s: --touch recorded needs the page faults, and its "
			 "side file %s was recorded without them "
			 "(machine faults none)",
			 trace, tr_faults_path(side));
	else
		snprintf(why, size,
			 "%s: --touch recorded needs the page faults of a "
			 "side file (NAME.faults.xz, written by rmsim record "
			 "beside the trace), and this trace has none",
			 trace);
	return why;
}

int rp_touch_resolve(const char *trace, enum rp_touch t, char *why, size_t size)
{
	struct tr_faults *side;
	char msg[512];
	int err = 0;
	bool faults;

	if (t != RP_TOUCH_AUTO && t != RP_TOUCH_RECORDED)
		return (int)t;
	side = tr_faults_open(trace, &err, msg, sizeof(msg));
	faults = !no_faults(trace, side, why, size);
	tr_faults_close(side);
	if (faults)
		return RP_TOUCH_RECORDED;
	if (t == RP_TOUCH_RECORDED) {
		if (!side && err != -ENOENT)
			snprintf(why, size, "%s", msg);
		return -1;
	}
	return RP_TOUCH_FIRST;
}

/* The machine facts of the side file that the reference model takes. */
void rp_side_machine(const struct replay *r, struct px_config *cfg)
{
	const char *thp;

	if (!r->side)
		return;
	cfg->read_allocates = tr_faults_machine(r->side)->zero_page == 0;
	thp = tr_faults_machine(r->side)->thp;
	if (strcmp(thp, "always") == 0)
		cfg->thp_enabled = PX_THP_ALWAYS;
	else if (strcmp(thp, "madvise") == 0)
		cfg->thp_enabled = PX_THP_MADVISE;
	else if (strcmp(thp, "never") == 0)
		cfg->thp_enabled = PX_THP_NEVER;
}

static int by_time(const void *a, const void *b)
{
	const struct tr_rss_sample *x = *(const struct tr_rss_sample *const *)a;
	const struct tr_rss_sample *y = *(const struct tr_rss_sample *const *)b;

	if (x->ts_us != y->ts_us)
		return x->ts_us < y->ts_us ? -1 : 1;
	return x < y ? -1 : x > y;
}

int rp_rec_open(struct replay *r, enum rp_touch asked, enum rp_touch *used)
{
	char why[512];
	size_t i, n;

	*used = asked;
	if (asked != RP_TOUCH_AUTO && asked != RP_TOUCH_RECORDED)
		return 0;
	if (no_faults(r->opt->trace, r->side, why, sizeof(why))) {
		if (asked == RP_TOUCH_AUTO) {
			*used = RP_TOUCH_FIRST;
			return 0;
		}
		snprintf(r->sum->error, sizeof(r->sum->error), "%s", why);
		return 64;
	}
	*used = RP_TOUCH_RECORDED;
	r->rec = true;
	n = tr_faults_nrss(r->side);
	if (n) {
		r->rss = calloc(n, sizeof(*r->rss));
		r->rss_err = calloc(n, sizeof(*r->rss_err));
		if (!r->rss || !r->rss_err) {
			snprintf(r->sum->error, sizeof(r->sum->error),
				 "out of memory");
			return 70;
		}
		for (i = 0; i < n; i++)
			r->rss[i] = tr_faults_rss(r->side, i);
		qsort(r->rss, n, sizeof(*r->rss), by_time);
		r->nrss = n;
	}
	return 0;
}

/* The next fault into r->fault: 1, 0 at the end, or a status. */
static int peek_fault(struct replay *r)
{
	int rc;

	if (r->fault_ready)
		return 1;
	if (r->faults_end)
		return 0;
	rc = tr_faults_next(r->side, &r->fault);
	if (rc > 0) {
		r->fault_ready = true;
		r->sum->faults++;
		return 1;
	}
	r->faults_end = true;
	if (rc == 0)
		return 0;
	snprintf(r->sum->error, sizeof(r->sum->error), "%s",
		 tr_faults_error(r->side));
	return rc == -EIO ? 74 : 65;
}

/* The access on one side: 0, or the target's error (a backend that
 * broke ends the run: r->status). */
static int access_page(struct replay *r, struct rp_proc *p, int side,
		       uint64_t addr, bool write)
{
	const struct tg_target *t = &r->t[side];
	void *space = p->side[side].space;
	uint8_t val;
	int rc;

	addr = rp_to_side(p, side, addr) & LX_PAGE_MASK;
	rc = write ? t->store(t->ctx, space, addr, rp_token(r->seq))
		   : t->load(t->ctx, space, addr, &val);
	if (rc == TG_EBROKEN)
		rp_backend_failed(r, p, side);
	return rc;
}

static void apply_fault(struct replay *r, const struct tr_fault *f)
{
	struct rp_proc *p = procs_find(r->procs, r->pids_seen ? f->pid : 0);
	bool write =
		f->access == TR_ACCESS_WRITE || f->access == TR_ACCESS_UNKNOWN;
	int rc, prot;

	if (!p || !p->side[RP_REF].space) {
		r->sum->faults_unknown_pid++;
		return;
	}
	rc = access_page(r, p, RP_REF, f->addr, write);
	/* an access perf could not name, where the page takes no write:
	 * a read or a fetch it was, as the program ran on */
	if (rc && rc != TG_EBROKEN && f->access == TR_ACCESS_UNKNOWN) {
		write = false;
		rc = access_page(r, p, RP_REF, f->addr, false);
	}
	if (rc == TG_EBROKEN)
		return;
	if (rc) {
		const struct tg_target *t = &r->t[RP_REF];

		if (t->prot(t->ctx, p->side[RP_REF].space,
			    rp_to_side(p, RP_REF, f->addr) & LX_PAGE_MASK,
			    &prot) == -ENOMEM)
			r->sum->faults_outside++;
		else
			r->sum->faults_denied++;
		return;
	}
	r->sum->faults_touched++;
	r->sum->touches++;
	if (!r->two || !p->side[RP_MODEL].space)
		return;
	/* the binary, ld.so, the stack: loaded by Genode's dynamic linker
	 * and core, not mapped by the policy (calls on them are "outside") */
	if (!iv_disjoint(p->inherited, f->addr & LX_PAGE_MASK,
			 (f->addr & LX_PAGE_MASK) + LX_PAGE_SIZE)) {
		r->sum->faults_inherited++;
		return;
	}
	rc = access_page(r, p, RP_MODEL, f->addr, write);
	if (rc && rc != TG_EBROKEN) {
		r->sum->faults_model_failed++;
		r->touch_failed = true;
		/* the finding names the last event before the fault */
		if (r->has_last_ev)
			rp_quota_after(r, p, &r->last_ev);
	}
}

static void compare_sample(struct replay *r, const struct tr_rss_sample *s)
{
	const struct tg_target *t = &r->t[RP_REF];
	struct rp_proc *p = procs_find(r->procs, r->pids_seen ? s->pid : 0);
	uint64_t model, floor = LX_PAGE_SIZE;
	double err;

	/* during execve the kernel builds the image the model has whole
	 * from the call's start: a sample then shows neither */
	if (!p || !p->side[RP_REF].space || !t->anon_resident ||
	    s->ts_us < p->exec_end_us) {
		r->sum->rss_skipped++;
		return;
	}
	model = t->anon_resident(t->ctx, p->side[RP_REF].space);
	err = (double)(model > s->anon_bytes ? model - s->anon_bytes
					     : s->anon_bytes - model) /
	      (double)(s->anon_bytes > floor ? s->anon_bytes : floor);
	r->rss_err[r->sum->rss_samples++] = err;
	if (model > r->sum->rss_model_peak)
		r->sum->rss_model_peak = model;
	if (s->anon_bytes > r->sum->rss_recorded_peak)
		r->sum->rss_recorded_peak = s->anon_bytes;
	if (r->sum->rss_samples == 1 || err > r->sum->rss_worst_err) {
		r->sum->rss_worst_err = err;
		r->sum->rss_worst_pid = s->pid;
		r->sum->rss_worst_ts_us = s->ts_us;
		r->sum->rss_worst_recorded = s->anon_bytes;
		r->sum->rss_worst_model = model;
	}
}

/* Apply the faults and samples earlier than @key (INT64_MAX: all). */
static int drain(struct replay *r, int64_t key)
{
	int rc;

	for (;;) {
		const struct tr_rss_sample *s =
			r->rss_next < r->nrss ? r->rss[r->rss_next] : NULL;

		rc = peek_fault(r);
		if (rc > 1)
			return rc;
		if (rc == 1 && r->fault.ts_us < key &&
		    (!s || r->fault.ts_us <= s->ts_us)) {
			r->fault_ready = false;
			apply_fault(r, &r->fault);
		} else if (s && s->ts_us < key) {
			r->rss_next++;
			compare_sample(r, s);
		} else {
			return r->status;
		}
		if (r->status || (r->opt->stop && *r->opt->stop))
			return r->status;
	}
}

/* The trace cannot be merged with the faults: 65 with the message. */
static int unmergeable(struct replay *r, const struct tr_event *ev,
		       const char *why)
{
	snprintf(r->sum->error, sizeof(r->sum->error),
		 "%s:%" PRIu64 ": %s: --touch recorded merges the side file's "
		 "page faults with the calls by time, on its clock (seconds "
		 "since the epoch: strace -ttt); use --touch first",
		 r->opt->trace, ev->line, why);
	return 65;
}

/* Is the trace on the side file's clock?  0, or 65 with the message. */
static int check_clock(struct replay *r, const struct tr_event *ev)
{
	int64_t side_ts = 0;
	int rc;

	if (!ev->has_ts)
		return unmergeable(r, ev, "no timestamp");
	if (r->clock_checked)
		return 0;
	r->clock_checked = true;
	if (tr_faults_nexecs(r->side))
		side_ts = tr_faults_exec(r->side, 0)->ts_us;
	else if (r->nrss)
		side_ts = r->rss[0]->ts_us;
	else if ((rc = peek_fault(r)) == 1)
		side_ts = r->fault.ts_us;
	else if (rc > 1)
		return rc;
	if (side_ts && (ev->ts_us > side_ts + CLOCK_SLACK_US ||
			ev->ts_us < side_ts - CLOCK_SLACK_US))
		return unmergeable(r, ev,
				   "the timestamps are not on the side "
				   "file's clock");
	return 0;
}

int rp_rec_before(struct replay *r, const struct tr_event *ev)
{
	int st;

	if (!r->rec)
		return 0;
	if (ev->pid)
		r->pids_seen = true;
	st = check_clock(r, ev);
	return st ? st : drain(r, rp_rec_key(ev));
}

void rp_rec_after(struct replay *r, const struct tr_event *ev)
{
	if (!r->rec || (ev->flags & TR_FLAG_STARTED))
		return;
	if (ev->call == TR_EXECVE && ev->result == TR_RET_VALUE) {
		struct rp_proc *p = procs_find(r->procs, ev->pid);
		int64_t end = ev->dur_us >= 0 ? ev->ts_us + ev->dur_us
					      : ev->end_ts_us;

		if (p && end > p->exec_end_us)
			p->exec_end_us = end;
	}
	r->last_ev = *ev;
	r->last_ev.fd_path = NULL; /* valid until the next event only */
	r->has_last_ev = true;
	r->seq = ev->seq;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int rp_rec_finish(struct replay *r)
{
	struct rp_summary *s = r->sum;
	int st = 0;

	if (!r->rec)
		return 0;
	if (!r->status)
		st = drain(r, INT64_MAX);
	if (s->rss_samples) {
		size_t n = s->rss_samples;

		qsort(r->rss_err, n, sizeof(*r->rss_err), by_value);
		s->rss_median_err =
			n % 2 ? r->rss_err[n / 2]
			      : (r->rss_err[n / 2 - 1] + r->rss_err[n / 2]) / 2;
	}
	return st;
}

void rp_rec_close(struct replay *r)
{
	free(r->rss);
	free(r->rss_err);
	r->rss = NULL;
	r->rss_err = NULL;
}
