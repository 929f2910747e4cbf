/*
 * lockstep.c - the policy under test beside the reference, event by
 * event: run the call on the model, compare its answer and the state of
 * the pages the event touched with the reference's, log findings; and
 * the resource samples and address-space snapshots the reports draw.
 *
 * Pages are compared at the first and the last page of every range an
 * event names (the new and the old range of an mremap): the edges are
 * where splitting, rounding and partial effects go wrong.  Comparing
 * reads no page of the model unless the touch model writes it anyway, so
 * checking never populates a lazy policy's memory by itself.
 */
#include "replay_internal.h"

#include "rmsim/abi.h"
#include "rmsim/posix.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int rp_finding(struct replay *r, const struct tr_event *ev, int kind,
	       int severity, const char *detail, const char *cause)
{
	struct db_finding f;
	char text[512];

	r->logged++;
	/* after a quota ran out, what fails follows from it: counted
	 * apart, so the tables count causes */
	if (r->exhausted) {
		r->sum->consequences++;
	} else {
		r->sum->finding[kind]++;
		if (ck_kind_counts(kind)) {
			r->sum->findings++;
			if (!r->sum->first_finding_line)
				r->sum->first_finding_line = ev->line;
		}
	}
	if (!r->db)
		return 0;
	snprintf(text, sizeof(text), "line %" PRIu64 ": %s: %s", ev->line,
		 tr_call_name(ev->call), detail);
	memset(&f, 0, sizeof(f));
	f.seq = ev->seq;
	f.kind = ck_kind_name(kind);
	f.severity = ck_severity_name(severity);
	f.detail = text;
	f.cause = cause;
	f.consequence = r->exhausted;
	if (db_finding_add(r->db, r->run_id, &f)) {
		snprintf(r->sum->error, sizeof(r->sum->error), "%s",
			 db_errmsg(r->db));
		r->status = 74;
		return -1;
	}
	return 0;
}

/* ---- quotas ---- */

static void refusals(struct replay *r, struct rp_proc *p,
		     struct gn_refusals *out)
{
	memset(out, 0, sizeof(*out));
	if (r->model_is_genode && p->side[RP_MODEL].space)
		gn_quota_refusals(tg_genode_ctx(p->side[RP_MODEL].space), out);
}

/* The quota that refused a charge between @a and @b, the PD's first. */
static enum ck_quota ran_out(const struct gn_refusals *a,
			     const struct gn_refusals *b)
{
	if (b->pd_ram > a->pd_ram)
		return CK_QUOTA_PD_RAM;
	if (b->pd_caps > a->pd_caps)
		return CK_QUOTA_PD_CAPS;
	if (b->rm_ram > a->rm_ram)
		return CK_QUOTA_RM_RAM;
	if (b->rm_caps > a->rm_caps)
		return CK_QUOTA_RM_CAPS;
	return CK_QUOTA_NONE;
}

static void quota_text(struct replay *r, enum ck_quota q, char *buf,
		       size_t size)
{
	char v[32];

	rp_fmt_size(r->opt->gn.ram_quota, v, sizeof(v));
	if (q == CK_QUOTA_PD_RAM)
		snprintf(buf, size, "RAM quota of %s", v);
	else if (q == CK_QUOTA_PD_CAPS)
		snprintf(buf, size, "cap quota of %" PRIu64,
			 r->opt->gn.cap_quota);
	else
		snprintf(buf, size, "%s", ck_quota_name(q));
}

/*
 * Say once that quota @q ran out at @ev: the finding that tells it (or
 * @detail of the call's own finding, extended), after which every
 * finding of the run is a consequence.
 */
static int exhausted(struct replay *r, const struct tr_event *ev,
		     enum ck_quota q, const char *detail, const char *cause)
{
	char what[64], text[400];
	int rc;

	quota_text(r, q, what, sizeof(what));
	snprintf(text, sizeof(text),
		 "%s%s%s exhausted at line %" PRIu64 "; later findings follow "
		 "from it",
		 detail ? detail : "", detail ? "; " : "", what, ev->line);
	rc = rp_finding(r, ev, CK_RESOURCE, CK_ERROR, text, cause);
	r->exhausted = true;
	return rc;
}

/* After the touches of an event: a quota a fault handler ran out of. */
void rp_quota_after(struct replay *r, struct rp_proc *p,
		    const struct tr_event *ev)
{
	struct gn_refusals now;
	struct ck_call c = {0};
	struct ck_result res = {0, 0};
	enum ck_quota q;
	char cause[40];

	if (!r->two || r->exhausted)
		return;
	refusals(r, p, &now);
	q = ran_out(&r->refused, &now);
	r->refused = now;
	/* a refusal the handler got over (a smaller chunk) is none */
	if (!r->touch_failed)
		return;
	r->touch_failed = false;
	if (q == CK_QUOTA_NONE)
		return;
	c.call = ev->call;
	c.quota = q;
	ck_cause(&c, CK_RESOURCE, &res, &res, cause, sizeof(cause));
	exhausted(r, ev, q, "a page the program wrote could not be backed",
		  cause);
}

/*
 * One side's view of the page at @addr (that side's coordinates).  The
 * model's page is read when it is resident, or when the reference's holds
 * data (@ref_byte nonzero) that the model must still have: reading a
 * page that is not resident runs the policy's fault handler, which may
 * allocate, and a check must not change what the run costs.  A page
 * that is not resident and that reads zero in the reference is what a
 * handler gives on first touch, which the touch model exercises.
 */
static void view(struct replay *r, struct rp_proc *p, int side,
		 uint64_t addr, bool read_byte, uint8_t ref_byte,
		 struct ck_page *v)
{
	const struct tg_target *t = &r->t[side];
	void *space = p->side[side].space;
	uint8_t b;

	memset(v, 0, sizeof(*v));
	v->mapped = t->prot(t->ctx, space, addr, &v->prot) == 0;
	if (side == RP_REF) {
		/* the reference's loads have no side effect */
		v->readable = v->mapped && t->load(t->ctx, space, addr, &b) == 0;
		if (v->readable && read_byte) {
			v->byte = b;
			v->have_byte = true;
		}
	} else {
		v->readable = v->mapped;
		if (read_byte && v->mapped &&
		    (ref_byte || !t->peek
			     ? t->load(t->ctx, space, addr, &b)
			     : t->peek(t->ctx, space, addr, &b)) == 0) {
			v->byte = b;
			v->have_byte = true;
		}
	}
}

/* Compare the pages at both edges of [addr, addr+len) (trace coords). */
static void check_range(struct replay *r, struct rp_proc *p,
			const struct tr_event *ev, uint64_t addr, uint64_t len,
			bool content, bool outside)
{
	uint64_t pages[2], n = 0, i;
	struct ck_page ref, mod;
	char detail[256];
	int kind, sev;

	len = rp_page_up(len);
	if (len == 0 || addr + len <= addr || (addr & ~LX_PAGE_MASK))
		return;
	pages[n++] = addr;
	if (len > LX_PAGE_SIZE)
		pages[n++] = addr + len - LX_PAGE_SIZE;
	for (i = 0; i < n; i++) {
		bool bytes = content && i == 0;

		view(r, p, RP_REF, rp_to_side(p, RP_REF, pages[i]), bytes, 0,
		     &ref);
		view(r, p, RP_MODEL, rp_to_side(p, RP_MODEL, pages[i]),
		     bytes && ref.have_byte, ref.byte, &mod);
		kind = ck_compare_page(&ref, &mod, &sev, detail,
				       sizeof(detail));
		if (kind >= 0) {
			char where[320], cause[40];

			if (outside) {
				kind = CK_OUTSIDE;
				sev = CK_INFO;
			}
			snprintf(where, sizeof(where), "page %#" PRIx64 ": %s",
				 pages[i], detail);
			snprintf(cause, sizeof(cause), "%s \u2192 %s",
				 tr_call_name(ev->call), ck_kind_name(kind));
			rp_finding(r, ev, kind, sev, where, cause);
			return;	/* one finding per range is enough */
		}
	}
}

/* Does the event's range touch one that execve made? */
static bool outside(struct rp_proc *p, const struct tr_event *ev)
{
	uint64_t a = ev->arg[0], len = rp_page_up(ev->arg[1]);

	if (!rp_range_call(ev->call) &&
	    !(ev->call == TR_MMAP &&
	      (ev->arg[3] & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE))))
		return false;
	return len && a + len > a && !iv_disjoint(p->inherited, a, a + len);
}

void rp_lockstep(struct replay *r, struct rp_proc *p,
		 const struct tr_event *ev, int ref_rc, uint64_t ref_val,
		 int *model_rc, uint64_t *model_val, const char **verdict)
{
	struct ck_call c;
	struct ck_result ref = {ref_rc, ref_val}, mod;
	struct gn_refusals before, after;
	char detail[256], cause[40];
	uint64_t logged = r->logged;
	int kind, sev;
	bool diverged, content = r->opt->touch != RP_TOUCH_NONE;

	if (r->model_is_genode)
		tg_genode_seq(p->side[RP_MODEL].space, ev->seq);
	memset(&c, 0, sizeof(c));
	c.call = ev->call;
	if (ev->call == TR_MMAP) {
		c.fixed = ev->arg[3] & (LX_MAP_FIXED | LX_MAP_FIXED_NOREPLACE);
		c.hinted = !c.fixed && ev->arg[0];
		c.want_model = rp_to_side(p, RP_MODEL, ev->arg[0]);
		c.hint_model = c.want_model;
		/* the reference's hint, in its own coordinates */
		if (c.hinted)
			c.hinted = ref_val == rp_to_side(p, RP_REF, ev->arg[0]);
	} else if (ev->call == TR_MREMAP) {
		c.fixed = ev->arg[3] & LX_MREMAP_FIXED;
		c.want_model = rp_to_side(p, RP_MODEL, ev->arg[4]);
	} else if (ev->call == TR_BRK) {
		c.brk_asked = rp_brk_to_side(p, RP_MODEL, ev->arg[0]);
	}
	c.outside = outside(p, ev);
	refusals(r, p, &before);
	*model_rc = rp_run_call(r, p, RP_MODEL, ev, model_val);
	refusals(r, p, &after);
	r->refused = after;
	mod.rc = *model_rc;
	mod.val = *model_val;
	if (mod.rc == TG_EREFUSED) {
		*verdict = "refused";
		return;
	}
	c.quota = ran_out(&before, &after);
	if (ev->call == TR_BRK) {
		/* the model's first answer places its heap */
		if (ref_rc == 0 && mod.rc == 0)
			rp_brk_follow(p, RP_MODEL, ev, ref_val, mod.val);
		c.want_model = rp_brk_to_side(p, RP_MODEL, ref_val);
	}
	kind = ck_compare_result(&c, &ref, &mod, &sev, &diverged, detail,
				 sizeof(detail));
	if (kind >= 0) {
		ck_cause(&c, kind, &ref, &mod, cause, sizeof(cause));
		/* a PD's quota is not given back by retrying: the first
		 * call it fails is where the run's trouble starts */
		if (kind == CK_RESOURCE && !r->exhausted) {
			if (exhausted(r, ev, c.quota, detail, cause))
				return;
		} else if (rp_finding(r, ev, kind, sev, detail, cause)) {
			return;
		}
	}
	/* the first point where the program's path would change; later
	 * results that differ are findings of their own */
	if (diverged && !r->diverged) {
		r->diverged = true;
		snprintf(cause, sizeof(cause), "%s \u2192 divergence",
			 tr_call_name(ev->call));
		if (rp_finding(r, ev, CK_DIVERGENCE, CK_WARNING,
			       "the program would take another path from "
			       "here", cause))
			return;
	}
	/* where the model put it: later addresses follow */
	if (ref_rc == 0 && mod.rc == 0 && ev->result == TR_RET_VALUE) {
		if (ev->call == TR_MMAP)
			rp_relocate(p, RP_MODEL, (uint64_t)ev->ret, mod.val,
				    ev->arg[1]);
		else if (ev->call == TR_MREMAP)
			rp_relocate(p, RP_MODEL, (uint64_t)ev->ret, mod.val,
				    ev->arg[2]);
	}
	if (ref_rc == 0 && mod.rc == 0 && ev->result == TR_RET_VALUE) {
		switch (ev->call) {
		case TR_MMAP:
			check_range(r, p, ev, (uint64_t)ev->ret, ev->arg[1],
				    content, c.outside);
			break;
		case TR_MREMAP:
			check_range(r, p, ev, (uint64_t)ev->ret, ev->arg[2],
				    content, c.outside);
			break;
		case TR_MUNMAP:
		case TR_MPROTECT:
		case TR_PKEY_MPROTECT:
		case TR_MADVISE:
			check_range(r, p, ev, ev->arg[0], ev->arg[1], content,
				    c.outside);
			break;
		default:
			break;
		}
	}
	if (r->logged != logged)
		*verdict = "deviation";
}

/* ---- samples and snapshots ---- */

static void ref_stats(struct replay *r, struct px_stats *st)
{
	struct rp_proc *root = procs_root(r->procs);

	memset(st, 0, sizeof(*st));
	if (root && r->ref_is_model)
		px_stats(root->side[RP_REF].space, st);
}

/*
 * List what one map holds into @out; managed dataspaces are descended
 * into (their maps become spaces of their own, named by the window's
 * label, addresses in the window's own coordinates).
 */
static size_t list_map(gn_rm_cap map, const char *space, const char *which,
		       uint64_t seq, struct db_region *out,
		       char (*labels)[48], size_t n, size_t max, int depth)
{
	struct gn_attachment a;
	uint64_t at, start, end;

	gn_region_map_range(map, &start, &end);
	at = start;
	while (n < max && gn_region_map_next(map, at, &a)) {
		const char *kind;
		bool managed = !a.reserved &&
			       gn_ds_kind(a.ds) == GN_DS_MANAGED;

		if (a.reserved)
			kind = "hole";
		else if (managed)
			kind = "window";
		else if (gn_ds_kind(a.ds) == GN_DS_ROM)
			kind = "fixed";
		else
			kind = "committed";
		snprintf(labels[n], sizeof(labels[n]), "%s",
			 a.reserved ? "reserved" : gn_ds_name(a.ds));
		out[n].snapshot = which;
		out[n].seq = seq;
		out[n].space = space;
		out[n].start = a.base;
		out[n].size = a.size;
		out[n].kind = kind;
		out[n].label = labels[n];
		n++;
		if (managed && depth < GN_RECURSION_LIMIT)
			n = list_map(gn_ds_region_map(a.ds), labels[n - 1],
				     which, seq, out, labels, n, max,
				     depth + 1);
		if (a.base + a.size <= at)
			break;
		at = a.base + a.size;
	}
	return n;
}

/* Walk env and every window, for the address-space maps. */
static size_t take_snapshot(struct replay *r, const char *which,
			    uint64_t seq, struct db_region *out,
			    char (*labels)[48], size_t max)
{
	struct rp_proc *root = procs_root(r->procs);
	struct gn_ctx *gn;

	if (!root || !r->model_is_genode)
		return 0;
	gn = tg_genode_ctx(root->side[RP_MODEL].space);
	return list_map(gn_env_rm(gn), "env", which, seq, out, labels, 0,
			max, 0);
}

void rp_ref_peaks(struct replay *r, struct px_stats *st)
{
	ref_stats(r, st);
	if (st->mapped > r->sum->posix_mapped_peak)
		r->sum->posix_mapped_peak = st->mapped;
	if (st->writable > r->sum->posix_writable_peak)
		r->sum->posix_writable_peak = st->writable;
}

void rp_sample(struct replay *r, uint64_t seq, bool force)
{
	struct rp_proc *root = procs_root(r->procs);
	const struct gn_metrics *m = NULL;
	struct px_stats st;
	struct db_sample s;

	rp_ref_peaks(r, &st);
	if (r->model_is_genode && root)
		m = gn_metrics(tg_genode_ctx(root->side[RP_MODEL].space));
	/* a new RAM peak (by a quarter): remember the map as it is now */
	if (m && m->ram_used > r->peak_ram + r->peak_ram / 4 &&
	    m->ram_used > (1 << 20)) {
		if (!r->peak) {
			r->peak = calloc(RP_MAX_SNAPSHOT, sizeof(*r->peak));
			r->peak_labels = calloc(RP_MAX_SNAPSHOT,
						sizeof(*r->peak_labels));
		}
		if (r->peak && r->peak_labels) {
			r->npeak = take_snapshot(r, "peak", seq, r->peak,
						 r->peak_labels,
						 RP_MAX_SNAPSHOT);
			r->peak_ram = m->ram_used;
		}
	}
	/* every so many events, the first, and each new RAM peak (so the
	 * charts keep the peaks whatever the sampling interval) */
	if (!r->db || (!force && seq % RP_SAMPLE_EVERY && seq != 1 &&
		       !(m && m->ram_used > r->sampled_peak)))
		return;
	if (m && m->ram_used > r->sampled_peak)
		r->sampled_peak = m->ram_used;
	memset(&s, 0, sizeof(s));
	s.seq = seq;
	s.mappings = st.vmas;
	if (m) {
		s.ram_used = m->ram_used;
		s.caps_used = m->caps_used;
		s.attachments = m->attachments;
	}
	if (db_sample_add(r->db, r->run_id, &s)) {
		snprintf(r->sum->error, sizeof(r->sum->error), "%s",
			 db_errmsg(r->db));
		r->status = 74;
	}
}

void rp_snapshot_end(struct replay *r, uint64_t seq)
{
	struct db_region *end = calloc(RP_MAX_SNAPSHOT, sizeof(*end));
	char (*labels)[48] = calloc(RP_MAX_SNAPSHOT, sizeof(*labels));
	size_t n = 0, i;

	if (end && labels)
		n = take_snapshot(r, "end", seq, end, labels,
				  RP_MAX_SNAPSHOT);
	for (i = 0; r->db && i < n && !r->status; i++)
		if (db_region_add(r->db, r->run_id, &end[i]))
			r->status = 74;
	for (i = 0; r->db && i < r->npeak && !r->status; i++)
		if (db_region_add(r->db, r->run_id, &r->peak[i]))
			r->status = 74;
	free(end);
	free(labels);
	free(r->peak);
	free(r->peak_labels);
	r->peak = NULL;
	r->peak_labels = NULL;
}
