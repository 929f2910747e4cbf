/*
 * replay_internal.h - the state of one replay, shared by the loop
 * (replay.c), the per-side work (sides.c) and the lockstep checks
 * (lockstep.c).
 */
#ifndef RMSIM_REPLAY_INTERNAL_H
#define RMSIM_REPLAY_INTERNAL_H

#include "rmsim/check.h"
#include "rmsim/db.h"
#include "rmsim/posix.h"
#include "rmsim/replay.h"

#include "procs.h"
#include "target/target.h"
#include "target/tg_genode.h"

#include <pthread.h>

#define RP_SAMPLE_EVERY 256
#define RP_MAX_SNAPSHOT 4096

/* overlap.c: placing calls that ran at once with another thread's */
#define RP_OVERLAP_FLIGHT 64
#define RP_OVERLAP_RING 64

struct rp_extent {
	int32_t pid;
	uint64_t start, end;	/* first and last trace line */
	/* what the call gave back on the reference (a munmap, a moving
	 * mremap's old range), in its coordinates; free_len 0: nothing */
	uint64_t free_addr, free_len;
};

/* An unfinished call, and what it gave when it was run early. */
struct rp_flight {
	bool used;
	struct tr_event ev;	/* its start: arguments, pid, line */
	bool early;		/* run before it finished in the trace */
	bool passed;		/* looked at as a blocker: another
				 * process's, not in the way */
	bool mran;		/* ... on the model side too */
	int rc, mrc;
	uint64_t val, mval;
};

struct rp_overlap {
	struct rp_flight flight[RP_OVERLAP_FLIGHT];	/* one per pid */
	struct rp_extent ring[RP_OVERLAP_RING];	/* the last finished */
	unsigned next, n;
	unsigned nflight;	/* flight entries used */
	uint64_t last_end;	/* end of the newest ring entry: the
				 * latest, as calls finish in line order */
};

void rp_overlap_start(struct rp_overlap *o, const struct tr_event *ev);
/*
 * Did another pid's mmap, mremap, munmap or brk run within [ev->line,
 * @end_line]?  Also
 * forgets @ev's own start; when that start was run early, *@early gets
 * a copy of it (early set), else early is false.
 */
bool rp_overlap_done(struct rp_overlap *o, const struct tr_event *ev,
		     uint64_t end_line, struct rp_flight *early);
/* An unfinished munmap of a pid other than @pid over [addr, addr+len)
 * (trace addresses) not yet run early, or NULL. */
struct rp_flight *rp_overlap_blocker(struct rp_overlap *o, int32_t pid,
				     uint64_t addr, uint64_t len);
/* The call rp_overlap_done() saw last gave back [addr, addr+len) on
 * the reference. */
void rp_overlap_freed(struct rp_overlap *o, uint64_t addr, uint64_t len);
int rp_overlap_check(const struct rp_overlap *o, char *why, size_t size);

/* ahead.c: the events still to replay, read ahead on demand */
#define RP_AHEAD_MAX 65536

struct rp_ahead_ev {
	struct tr_event ev;
	uint64_t end_line;	/* the reader's line count after it */
	char *path;		/* ev.fd_path's copy */
};

struct rp_ahead {
	struct tr_reader *rd;
	struct rp_ahead_ev *q;
	size_t head, n, cap;
	int rc;			/* the reader's last answer */
	struct tr_event cur;	/* the event handed out last */
	bool borrowed;		/* cur's path is the reader's */
	char *given;		/* cur's path when it is a copy */
};

void rp_ahead_init(struct rp_ahead *a, struct tr_reader *rd);
void rp_ahead_free(struct rp_ahead *a);
/* The next event, *ev valid (its path too) until the next call: 1, 0
 * at the end, or the reader's error. */
int rp_ahead_next(struct rp_ahead *a, const struct tr_event **ev,
		  uint64_t *end_line);
/* The finished event of the call @pid started at @line, read ahead; its
 * path is valid until the event is handed out.  False when the trace
 * does not finish it within RP_AHEAD_MAX events. */
bool rp_ahead_find(struct rp_ahead *a, int32_t pid, uint64_t line,
		   struct tr_event *out);
int rp_ahead_check(const struct rp_ahead *a, char *why, size_t size);

/* The trace file's SHA-256, made on a thread of its own (digest.c). */
struct rp_digest {
	pthread_t tid;
	bool running;		/* started, not yet joined */
	int rc;			/* tr_sha256_file's */
	char hex[65];
	const char *path;
};

struct replay {
	const struct rp_options *opt;
	struct rp_summary *sum;
	struct tg_target t[RP_SIDES];
	bool two;			/* a model side beside the reference */
	bool model_is_genode;
	bool ref_is_model;		/* the reference is rmsim's Linux model */
	struct tg_genode_cfg gcfg;
	struct px_config pxcfg;		/* the reference's, if not default */
	struct rp_procs *procs;
	struct db *db;
	int64_t run_id;
	int status;			/* a failure to report (sysexits) */
	uint64_t line;			/* the trace line being replayed */
	/* the last map snapshot at a RAM peak, written at the end */
	struct db_region *peak;
	size_t npeak;
	uint64_t peak_ram;
	uint64_t sampled_peak;		/* highest RAM use sampled so far */
	bool diverged;			/* a divergence was reported */
	uint64_t logged;		/* findings of every kind */
	bool exhausted;			/* a quota ran out: later findings
					 * are its consequences */
	struct gn_refusals refused;	/* quota refusals seen so far */
	bool touch_failed;		/* a model page the touch model
					 * wrote could not be backed */
	char (*peak_labels)[48];
	struct rp_overlap overlap;
	struct rp_ahead ahead;
	struct rp_digest digest;
	/* ranges other threads freed after the kernel served the call at
	 * hand, held on the reference while it runs (order.c) */
	uint64_t held_addr[8], held_len[8];	/* RP_ORDER_HELD */
	unsigned nheld;
	uint64_t end_line;		/* last line of the current event */
	bool pids_seen;			/* the trace has -f pids */
	bool threads_unfollowed;	/* no pids, but a thread was made */
	struct tr_faults *side;		/* the recording's side file */
	uint64_t seq;			/* the last event's, for tokens */
	/* --touch recorded (touch_recorded.c) */
	bool rec;
	struct tr_fault fault;		/* the next fault, read ahead */
	bool fault_ready, faults_end;
	const struct tr_rss_sample **rss;	/* the samples, by time */
	size_t nrss, rss_next;
	double *rss_err;		/* relative error of each compared */
	struct tr_event last_ev;	/* for a finding between events */
	bool has_last_ev;
	bool clock_checked;
};

/* order.c: the kernel's order of racing threads' calls */
enum rp_order {
	RP_ORDER_NONE,		/* no order gives @ev its recorded result */
	RP_ORDER_FIRST,		/* the calls served before it ran: run it */
	RP_ORDER_RAN,		/* it ran where it stands, as recorded */
};

/* Find and run the calls the kernel served before @ev (a finished mmap
 * or mremap that overlapped others); with RP_ORDER_RAN, *@rc and *@val
 * are @ev's own answer on the reference. */
enum rp_order rp_order_first(struct replay *r, struct rp_proc *p,
			     const struct tr_event *ev, int *rc,
			     uint64_t *val);
/* After the call rp_order_first() placed: give back what it held. */
void rp_order_done(struct replay *r, struct rp_proc *p);
bool rp_order_possible(const struct replay *r);
bool rp_result_matches(struct replay *r, struct rp_proc *p,
		       const struct tr_event *ev, int rc, uint64_t val);
/* Run @ev, a non-fixed mmap, on the reference; undone (false) unless it
 * got its recorded result. */
bool rp_try_in_place(struct replay *r, struct rp_proc *p,
		     const struct tr_event *ev, int *rc, uint64_t *val);

/* place.c: placements judged by the rule instead of predicted */
enum rp_place {
	RP_PLACE_PLAIN,		/* predicted: exact or a miss */
	RP_PLACE_RANDOM,	/* randomised per call (MAP_32BIT) */
	RP_PLACE_UNSEEN,	/* beside memory the trace never showed */
};

enum rp_place rp_place_kind(const struct replay *r, const struct tr_event *ev);
/* Run @ev (a non-fixed mmap) on the reference; *@kind stays RANDOM or
 * UNSEEN only when the rule accepted the recorded address. */
int rp_place(struct replay *r, struct rp_proc *p, const struct tr_event *ev,
	     enum rp_place *kind, uint64_t *val);

/* replay.c: a quota in words, "2 GiB", "64 MiB", "1.5 MiB" */
void rp_fmt_size(uint64_t v, char *buf, size_t size);

/* recorded.c */
int rp_side_open(struct replay *r);
void rp_side_exec(struct replay *r, const struct tr_event *ev);
void rp_side_close(struct replay *r);

/* touch_recorded.c */
/* The time that orders @ev among the side file's faults and samples. */
int64_t rp_rec_key(const struct tr_event *ev);
void rp_side_machine(const struct replay *r, struct px_config *cfg);
/* Resolve @asked (AUTO, RECORDED or another) into *@used and set the
 * merge up: 0 or a status (64: recorded asked, no faults). */
int rp_rec_open(struct replay *r, enum rp_touch asked, enum rp_touch *used);
int rp_rec_before(struct replay *r, const struct tr_event *ev);
void rp_rec_after(struct replay *r, const struct tr_event *ev);
int rp_rec_finish(struct replay *r);
void rp_rec_close(struct replay *r);

/* sides.c */
uint64_t rp_to_side(const struct rp_proc *p, int side, uint64_t a);
uint64_t rp_page_up(uint64_t len);
uint64_t rp_brk_to_side(const struct rp_proc *p, int side, uint64_t a);
void rp_brk_follow(struct rp_proc *p, int side, const struct tr_event *ev,
		   uint64_t traced, uint64_t placed);
void rp_learn(struct replay *r, struct rp_proc *p, const struct tr_event *ev);
void rp_adopt(struct replay *r, struct rp_proc *p, uint64_t addr,
	      uint64_t len);
int rp_run_call(struct replay *r, struct rp_proc *p, int side,
		const struct tr_event *ev, uint64_t *out);
void rp_relocate(struct rp_proc *p, int side, uint64_t traced,
		 uint64_t placed, uint64_t len);
void rp_forget(struct rp_proc *p, const struct tr_event *ev);
void rp_touch(struct replay *r, struct rp_proc *p, int side, uint64_t addr,
	      uint64_t len, uint64_t seq, int prot);
/* The byte the touch model writes after event @seq. */
uint8_t rp_token(uint64_t seq);
bool rp_range_call(enum tr_call c);
void rp_backend_failed(struct replay *r, struct rp_proc *p, int side);

/* lockstep.c */
void rp_lockstep(struct replay *r, struct rp_proc *p,
		 const struct tr_event *ev, int ref_rc, uint64_t ref_val,
		 int *model_rc, uint64_t *model_val, const char **verdict);
/* digest.c: hash @path beside the replay; the hex digest, or NULL */
void rp_digest_start(struct replay *r, const char *path);
const char *rp_digest_finish(struct replay *r);

void rp_sample(struct replay *r, uint64_t seq, bool force);
/* The reference's mapped and writable peaks, after each event. */
void rp_ref_peaks(struct replay *r, struct px_stats *st);
void rp_snapshot_end(struct replay *r, uint64_t seq);
int rp_finding(struct replay *r, const struct tr_event *ev, int kind,
	       int severity, const char *detail, const char *cause);
void rp_quota_after(struct replay *r, struct rp_proc *p,
		    const struct tr_event *ev);

#endif
