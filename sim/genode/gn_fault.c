/*
 * gn_fault.c - the component's threads touching memory, and what core's
 * pager does about it (Rm_client::pager, with_mapping_for_fault).
 *
 * A walk starts in env and descends through managed dataspaces, at most
 * five region maps deep.  It ends at a RAM or ROM dataspace (resolved),
 * or at the map where the lookup fails (no region, or a reserved one) or
 * the rights do not allow the access: that map is responsible for the
 * fault.  Since 23.08 rights are ANDed along the path and the fault is
 * reported in the responsible map's coordinates; a thread is queued
 * there only if the map has a fault handler, otherwise core stops it.
 * 20.05 looked at the leaf region's rights only, reported the address
 * minus the region bases on the way, and queued the thread regardless.
 *
 * A queued thread blocks.  Its handler runs at once (the signal), and an
 * attach on that map that covers the fault address wakes the thread,
 * which retries its access.  Threads woken later, by an attach outside
 * the access, are run when the outermost model call returns, as a woken
 * thread would run once the handler's RPC is done.
 */
#include "gn_internal.h"

#include <stdlib.h>
#include <string.h>

/* How often one access may fault again after being woken. */
#define GN_MAX_RETRIES 64
/* How many woken threads one drain runs before giving up on livelock. */
#define GN_MAX_DRAIN 100000

const char *gn_walk_result_name(enum gn_walk_result r)
{
	static const char *const names[] = {"RESOLVED", "NO_REGION",
					    "WRITE_VIOLATION",
					    "EXEC_VIOLATION",
					    "RECURSION_LIMIT",
					    "INVALID_MAPPING"};

	return (unsigned)r < 6 ? names[r] : "?";
}

static enum gn_fault_type fault_type(enum gn_access a)
{
	return a == GN_WRITE ? GN_FAULT_WRITE
	       : a == GN_EXEC ? GN_FAULT_EXEC
			      : GN_FAULT_READ;
}

/* Would core queue a thread faulting at @rm? */
static bool reflected(const struct gn_ctx *c, const struct gn_rmap *rm)
{
	if (c->linux_kernel)
		return false;	/* the host raises SIGSEGV */
	if (!c->bh->queue_needs_handler)
		return true;
	return rm->handler.kind != GN_HANDLER_INVALID;
}

static void set_fault(struct gn_walk *w, const struct gn_ctx *c,
		      struct gn_rmap *rm, enum gn_walk_result r,
		      enum gn_access acc, uint64_t addr)
{
	w->result = r;
	w->fault_map = gn_rm_cap_of(rm);
	w->fault.type = fault_type(acc);
	w->fault.addr = addr;
	w->queued = reflected(c, rm);
}

/*
 * 20.05's create_map_item: the destination window is the leaf region at
 * the sum of the region bases along the path (region_offset + base, the
 * attach offsets of managed dataspaces left out), as long as the
 * smallest region on the path; the fault's page must lie inside it
 * (Fault_area::constrain) or nothing valid is mapped.  With every offset
 * 0 the window is the true one.
 */
static bool dst_in_window(uint64_t addr, uint64_t start, uint64_t size)
{
	uint64_t page = addr & ~(GN_PAGE - 1);

	return page >= start && page - start < size &&
	       size - (page - start) >= GN_PAGE;
}

void gn_walk(gn_rm_cap root, uint64_t addr, enum gn_access acc,
	     struct gn_walk *w)
{
	struct gn_rmap *rm = gn_rmap_get(root);
	const struct gn_ctx *c = root.ctx;
	const struct gn_behaviour *bh;
	uint64_t a = addr, bases = 0, rel, dst_size = UINT64_MAX;
	unsigned limit = GN_RECURSION_LIMIT;
	bool wr = true, x = true;
	struct gn_walk_step *s;
	struct gn_blk *b;
	struct gn_ds *ds;

	memset(w, 0, sizeof(*w));
	w->ds.ctx = w->fault_map.ctx = root.ctx;
	if (!rm) {
		w->result = GN_WALK_NO_REGION;
		return;
	}
	bh = c->bh;
	for (;;) {
		if (limit == 0) {
			w->result = GN_WALK_RECURSION_LIMIT;
			w->fault.type = fault_type(acc);
			if (bh->recursion_limit_drops || c->linux_kernel)
				return;
			/* 20.05 registered the fault at the sixth map,
			 * with the address unchanged */
			s = &w->step[w->nsteps++];
			s->map = gn_rm_cap_of(rm);
			s->addr = a;
			set_fault(w, c, rm, GN_WALK_RECURSION_LIMIT, acc, addr);
			w->queued = true;
			return;
		}
		s = &w->step[w->nsteps++];
		s->map = gn_rm_cap_of(rm);
		s->addr = a;
		b = gn_avl_find(&rm->avl, a);
		if (b && b->used) {
			s->found = true;
			s->att.base = b->addr;
			s->att.size = b->size;
			s->att.offset = b->off;
			s->att.writeable = b->write;
			s->att.executable = b->exec;
			s->att.reserved = !b->ds;
			s->att.ds = gn_ds_cap_of(b->ds, root.ctx);
		}
		if (!b || !b->used || !b->ds) {
			set_fault(w, c, rm, GN_WALK_NO_REGION, acc,
				  bh->fault_addr_with_offsets ? a
							      : addr - bases);
			return;
		}
		rel = a - b->addr;
		if (b->size < dst_size)
			dst_size = b->size;
		if (bh->rights_along_path) {
			wr = wr && b->write;
			x = x && b->exec;
		}
		ds = b->ds;
		if (ds->kind == GN_DS_MANAGED) {
			/* into the sub map, in its coordinates */
			a = rel + b->off;
			bases += b->addr;
			rm = ds->sub;
			limit--;
			continue;
		}
		if (!bh->rights_along_path) {
			wr = b->write;
			x = b->exec;
		}
		w->readable = true;
		w->writeable = wr && ds->writeable;
		w->executable = x;
		w->ds = gn_ds_cap_of(ds, root.ctx);
		w->ds_offset = rel + b->off;
		if (acc == GN_WRITE && !w->writeable) {
			set_fault(w, c, rm, GN_WALK_WRITE_VIOLATION, acc,
				  bh->fault_addr_with_offsets ? a
							      : addr - bases);
			return;
		}
		if (acc == GN_EXEC && !w->executable) {
			set_fault(w, c, rm, GN_WALK_EXEC_VIOLATION, acc,
				  bh->fault_addr_with_offsets ? a
							      : addr - bases);
			return;
		}
		if (!bh->map_dst_with_offsets &&
		    !dst_in_window(addr, bases + b->addr, dst_size)) {
			/* create_map_item: "invalid mapping", not reflected */
			w->result = GN_WALK_INVALID_MAPPING;
			w->fault_map = gn_rm_cap_of(rm);
			w->fault.type = fault_type(acc);
			w->fault.addr = a;
			return;
		}
		w->result = GN_WALK_RESOLVED;
		return;
	}
}

/* ---- threads ---- */

static void blocked_add(struct gn_ctx *c, struct gn_faulter *f)
{
	f->a_prev = NULL;
	f->a_next = c->blocked;
	if (c->blocked)
		c->blocked->a_prev = f;
	c->blocked = f;
	c->m.blocked++;
}

static void blocked_remove(struct gn_ctx *c, struct gn_faulter *f)
{
	if (f->a_prev)
		f->a_prev->a_next = f->a_next;
	else
		c->blocked = f->a_next;
	if (f->a_next)
		f->a_next->a_prev = f->a_prev;
	f->a_prev = f->a_next = NULL;
	c->m.blocked--;
}

/* Rm_faulter::fault + _faulters.enqueue */
static void enqueue(struct gn_ctx *c, struct gn_faulter *f,
		    struct gn_rmap *rm, struct gn_fault fault)
{
	char type[4];

	f->rm = rm;
	f->fault = fault;
	f->q_next = NULL;
	if (rm->fq_tail)
		rm->fq_tail->q_next = f;
	else
		rm->fq_head = f;
	rm->fq_tail = f;
	c->m.faults_reflected++;
	gn_rights_str(fault.type == GN_FAULT_READ,
		      fault.type == GN_FAULT_WRITE,
		      fault.type == GN_FAULT_EXEC, type);
	gn_log(c, "fault", rm->name, fault.addr, 0, NULL, 0, type);
}

void gn_faulter_orphan_all(struct gn_ctx *c, struct gn_rmap *rm)
{
	struct gn_faulter *f, *n;

	/* no wake-up for them in core: they stay blocked */
	for (f = rm->fq_head; f; f = n) {
		n = f->q_next;
		f->q_next = NULL;
		f->rm = NULL;
	}
	rm->fq_head = rm->fq_tail = NULL;
	(void)c;
}

/* The built-in handler: a fresh page for each queued fault, oldest first. */
static void populate(struct gn_ctx *c, struct gn_rmap *rm)
{
	gn_rm_cap cap = gn_rm_cap_of(rm);
	struct gn_attr a = {0};
	struct gn_fault f;
	gn_ds_cap ds;
	unsigned n;

	for (n = 0; n < 4096 && gn_rm_valid(cap); n++) {
		f = gn_region_map_fault(cap);
		if (f.type == GN_FAULT_NONE)
			return;
		if (gn_pd_alloc_ram(c->env, GN_PAGE, &ds))
			return;
		a.use_at = true;
		a.at = f.addr & ~(GN_PAGE - 1);
		a.writeable = true;
		if (gn_region_map_attach(cap, ds, &a, NULL)) {
			gn_pd_free_ram(c->env, ds);
			return;
		}
	}
}

/* Submit the fault signal: the handler runs now. */
static void signal(struct gn_ctx *c, struct gn_rmap *rm)
{
	switch (rm->handler.kind) {
	case GN_HANDLER_INVALID:
	case GN_HANDLER_NONE:
		return;
	case GN_HANDLER_POPULATE:
		populate(c, rm);
		return;
	case GN_HANDLER_FN:
		rm->handler.fn(rm->handler.arg, gn_rm_cap_of(rm));
		return;
	}
}

/*
 * Run @f's access until it completes, blocks or is stopped.  @f is not
 * in the blocked list while it runs.
 */
static enum gn_access_result run(struct gn_ctx *c, struct gn_faulter *f,
				 uint8_t *val)
{
	struct gn_walk w;
	struct gn_ds *ds;
	struct gn_rmap *rm;

	f->running = true;
	for (;;) {
		gn_walk(gn_rm_cap_of(c->env->address_space), f->addr,
			f->access, &w);
		if (w.result == GN_WALK_RESOLVED) {
			ds = gn_ds_get(w.ds);
			if (f->access == GN_READ)
				*val = gn_bytes_get(&ds->bytes, w.ds_offset);
			else if (f->access == GN_WRITE)
				gn_bytes_set(&ds->bytes, w.ds_offset,
					     f->value);
			f->running = false;
			return GN_ACCESS_OK;
		}
		c->m.faults++;
		if (!w.queued) {
			c->m.faults_stopped++;
			f->running = false;
			return GN_ACCESS_STOPPED;
		}
		rm = gn_rmap_get(w.fault_map);
		f->woken = false;
		enqueue(c, f, rm, w.fault);
		if (f->retries++ >= GN_MAX_RETRIES || c->dying)
			break;	/* livelock: it stays queued */
		/* 20.05 queued without a handler, and signalled nobody */
		signal(c, rm);
		if (!f->woken)
			break;
	}
	f->running = false;
	return GN_ACCESS_BLOCKED;
}

static enum gn_access_result access(struct gn_ctx *c, enum gn_access acc,
				    uint64_t addr, uint8_t *val)
{
	struct gn_faulter *f = gn_xcalloc(1, sizeof(*f));
	enum gn_access_result r;
	uint8_t dummy = 0;

	gn_enter(c);
	f->access = acc;
	f->addr = addr;
	f->value = val ? *val : 0;
	r = run(c, f, val ? val : &dummy);
	if (r == GN_ACCESS_BLOCKED)
		blocked_add(c, f);
	else
		free(f);
	gn_metrics_update(c);
	gn_leave(c);
	return r;
}

enum gn_access_result gn_load(struct gn_ctx *c, uint64_t addr, uint8_t *val)
{
	*val = 0;
	return access(c, GN_READ, addr, val);
}

enum gn_access_result gn_store(struct gn_ctx *c, uint64_t addr, uint8_t val)
{
	return access(c, GN_WRITE, addr, &val);
}

enum gn_access_result gn_exec(struct gn_ctx *c, uint64_t addr)
{
	return access(c, GN_EXEC, addr, NULL);
}

void gn_enter(struct gn_ctx *c)
{
	c->depth++;
}

/*
 * Leaving the outermost call: threads woken meanwhile run their access
 * again, in the order they were woken.
 */
void gn_leave(struct gn_ctx *c)
{
	struct gn_faulter *f;
	unsigned budget = GN_MAX_DRAIN;
	uint8_t dummy;

	if (c->depth > 1 || c->dying) {
		c->depth--;
		return;
	}
	while ((f = c->run_head) && budget--) {
		c->run_head = f->r_next;
		if (!c->run_head)
			c->run_tail = NULL;
		f->r_next = NULL;
		f->runnable = false;
		blocked_remove(c, f);
		f->retries = 0;
		if (run(c, f, &dummy) == GN_ACCESS_BLOCKED)
			blocked_add(c, f);
		else
			free(f);
	}
	gn_metrics_update(c);
	c->depth = 0;
}
