/*
 * recorded.c - what the recording's side file (docs/recording.md) gives
 * the replay: the recording machine's vm.max_map_count as the reference's
 * limit unless --max-map-count says otherwise, and each new image's
 * ranges (binary, ld.so, stack, vDSO, vvar) as /proc/PID/maps showed
 * them right after execve, so the reference starts each image with them
 * instead of adopting them one by one when the trace first uses them.
 *
 * Only the reference inherits them: a policy is judged on what it maps
 * itself, and calls on them are marked "outside" (not the policy's
 * business), as for ranges adopted from the calls that use them.  The
 * fault stream is left to the touch model (touch_recorded.c); the pages
 * execve itself made resident (its "resident" lines, or the stack's top
 * page where an older file has none) are touched here, on the reference,
 * as the image starts.
 */
#include "replay_internal.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

int rp_side_open(struct replay *r)
{
	const struct tr_machine *m;
	struct px_config def;
	char msg[512];
	int err = 0;

	px_default_config(&def);
	r->sum->max_map_count = r->opt->max_map_count ? r->opt->max_map_count
						      : def.max_map_count;
	r->side = tr_faults_open(r->opt->trace, &err, msg, sizeof(msg));
	if (!r->side) {
		if (err == -ENOENT)
			return 0;
		snprintf(r->sum->error, sizeof(r->sum->error), "%s", msg);
		return err == -EINVAL ? 65 : 74;
	}
	m = tr_faults_machine(r->side);
	snprintf(r->sum->side_path, sizeof(r->sum->side_path), "%s",
		 tr_faults_path(r->side));
	r->sum->side_faults = m->faults_recorded;
	r->sum->side_images = tr_faults_nexecs(r->side);
	if (!r->opt->max_map_count && m->max_map_count)
		r->sum->max_map_count = m->max_map_count;
	return 0;
}

/* A map line of an object, not anonymous memory: a file ("/usr/bin/x",
 * "/x (deleted)") or a special mapping ("[vdso]", "[vvar]"); the stack
 * and the heap are anonymous. */
static bool backed(const struct tr_map *m)
{
	return m->path[0] && strcmp(m->path, "[stack]") != 0 &&
	       strcmp(m->path, "[heap]") != 0;
}

void rp_side_exec(struct replay *r, const struct tr_event *ev)
{
	const struct tg_target *t = &r->t[RP_REF];
	const struct tr_exec_maps *e;
	struct rp_proc *p;
	size_t i;

	if (!r->side || ev->result != TR_RET_VALUE)
		return;
	e = tr_faults_exec_of(r->side, ev->pid, ev->has_ts ? ev->ts_us : 0);
	p = procs_get(r->procs, ev->pid);
	if (!e || !p || !p->side[RP_REF].space)
		return;
	if (e->nmaps)
		r->sum->side_images_used++;
	for (i = 0; i < e->nmaps; i++) {
		const struct tr_map *m = &e->maps[i];

		/* [vsyscall] lies above user space: no call can reach it */
		if (m->end > LX_TASK_SIZE)
			continue;
		if (t->inherit(t->ctx, p->side[RP_REF].space, m->start,
			       m->end - m->start, backed(m)) == 0) {
			iv_union(p->inherited, m->start, m->end, 1);
			r->sum->side_ranges++;
		}
		/* execve copies the program's path, arguments, environment
		 * and auxiliary vector to the top of the new stack itself
		 * (fs/exec.c: bprm->p starts just below the stack's end), so
		 * its top page is anonymous and resident without a fault the
		 * recording could see.  A side file with "resident" lines
		 * says which pages exactly (below); an older one does not,
		 * and the top page is the least there is. */
		if (r->rec && !e->has_resident &&
		    strcmp(m->path, "[stack]") == 0 &&
		    m->end - m->start >= LX_PAGE_SIZE)
			t->store(t->ctx, p->side[RP_REF].space,
				 m->end - LX_PAGE_SIZE, rp_token(ev->seq));
	}
	/* the anonymous pages resident when the maps were read, which
	 * execve wrote without a fault: stack, the zeroed tails of the data
	 * pages (a page outside the reference's ranges stays untouched).  A
	 * range at a time, never a page at a time: a side file's range may
	 * be as large as the address space */
	for (i = 0; r->rec && i < e->nresident; i++) {
		bool stopped = false;
		int64_t n = t->touch(t->ctx, p->side[RP_REF].space,
				     e->resident[i].start,
				     e->resident[i].end - e->resident[i].start,
				     rp_token(ev->seq), false, false, &stopped);

		if (n > 0)
			r->sum->side_resident_pages += (uint64_t)n;
	}
}

void rp_side_close(struct replay *r)
{
	tr_faults_close(r->side);
	r->side = NULL;
}
