/*
 * gn_check.c - the Genode model's invariants, checked from scratch: tests
 * run gn_check after every operation.
 *
 * Per region map: the allocator tree (order, parents, depths, sound
 * augmentation, one slab entry per block), every used block inside the
 * map and linked from its dataspace.  Per dataspace: its list of
 * attachments is exactly the used blocks that name it.  Per account:
 * what it has used equals the sum of what it holds (dataspaces, metadata
 * slab blocks, region maps, donations) and stays within its limit.  Per
 * fault queue: every thread in it says it is there.  And the metrics
 * agree with a recount.
 */
#include "gn_internal.h"

#include <stdarg.h>
#include <stdio.h>

struct ck {
	char *msg;
	size_t size;
	uint64_t attachments, linked, ds_regions;
	uint64_t queued, queued_running;
};

static int fail(struct ck *k, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct ck *k, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(k->msg, k->size, fmt, ap);
	va_end(ap);
	return -1;
}

static int check_map(const struct gn_ctx *c, const struct gn_rmap *rm,
		     struct ck *k)
{
	const struct gn_blk *b;
	const struct gn_faulter *f;
	char sub[200];
	uint64_t used = 0;

	if (gn_avl_check(&rm->avl, sub, sizeof(sub)))
		return fail(k, "%s: %s", rm->name, sub);
	for (b = gn_avl_first(&rm->avl); b; b = gn_avl_next(b)) {
		if (b->addr < rm->start ||
		    b->addr + b->size - 1 > rm->start + rm->size - 1)
			return fail(k, "%s: block [%#llx, +%#llx) outside the "
				    "map", rm->name,
				    (unsigned long long)b->addr,
				    (unsigned long long)b->size);
		if (!b->used)
			continue;
		used++;
		if (b->rm != rm)
			return fail(k, "%s: region %#llx names another map",
				    rm->name, (unsigned long long)b->addr);
		if (b->ds) {
			const struct gn_blk *r;

			k->linked++;
			for (r = b->ds->regions; r && r != b; r = r->ds_next)
				;
			if (!r)
				return fail(k, "%s: region %#llx missing from "
					    "%s's list", rm->name,
					    (unsigned long long)b->addr,
					    b->ds->name);
			if (!gn_cap_get(c, b->ds->id, GN_OBJ_DS))
				return fail(k, "%s: region %#llx holds a dead "
					    "dataspace", rm->name,
					    (unsigned long long)b->addr);
		}
	}
	if (used != rm->avl.used)
		return fail(k, "%s: %llu regions, %llu recorded", rm->name,
			    (unsigned long long)used,
			    (unsigned long long)rm->avl.used);
	k->attachments += used;
	if (rm->ds->sub != rm || rm->ds->kind != GN_DS_MANAGED ||
	    rm->ds->size != rm->size)
		return fail(k, "%s: managed dataspace does not match",
			    rm->name);
	for (f = rm->fq_head; f; f = f->q_next) {
		if (f->rm != rm)
			return fail(k, "%s: queued thread names another map",
				    rm->name);
		/* the thread making an access is queued while its
		 * handler runs, and is not in the blocked list */
		if (f->running)
			k->queued_running++;
		else
			k->queued++;
		if (!f->q_next && rm->fq_tail != f)
			return fail(k, "%s: fault queue tail wrong", rm->name);
	}
	if (!rm->fq_head && rm->fq_tail)
		return fail(k, "%s: empty fault queue with a tail", rm->name);
	return 0;
}

static int check_ds(const struct gn_ds *ds, struct ck *k)
{
	const struct gn_blk *b;
	uint64_t n = 0;

	for (b = ds->regions; b; b = b->ds_next) {
		if (b->ds != ds || !b->used)
			return fail(k, "%s: list holds a foreign region",
				    ds->name);
		if (b->ds_next && b->ds_next->ds_prev != b)
			return fail(k, "%s: region list broken", ds->name);
		if (b->off + b->size > ds->size || b->off + b->size < b->off)
			return fail(k, "%s: region %#llx beyond the dataspace",
				    ds->name, (unsigned long long)b->addr);
		n++;
	}
	if (n != ds->nregions)
		return fail(k, "%s: %llu regions, %llu recorded", ds->name,
			    (unsigned long long)n,
			    (unsigned long long)ds->nregions);
	k->ds_regions += n;
	if (ds->kind == GN_DS_RAM && !ds->owner)
		return fail(k, "%s: RAM without owner", ds->name);
	if (ds->size == 0 || ds->size % GN_PAGE)
		return fail(k, "%s: size %#llx not in pages", ds->name,
			    (unsigned long long)ds->size);
	return 0;
}

static int check_acct(const char *name, const struct gn_account *a,
		      uint64_t ram, uint64_t caps, struct ck *k)
{
	if (a->ram_used != ram || a->caps_used != caps)
		return fail(k, "%s: uses %llu bytes and %llu caps, holds %llu "
			    "and %llu", name,
			    (unsigned long long)a->ram_used,
			    (unsigned long long)a->caps_used,
			    (unsigned long long)ram, (unsigned long long)caps);
	if (a->ram_used > a->ram_limit || a->caps_used > a->caps_limit)
		return fail(k, "%s: over its limit", name);
	return 0;
}

static int check_pd(const struct gn_ctx *c, const struct gn_pd *pd,
		    struct ck *k)
{
	const struct gn_costs *o = &c->costs;
	const struct gn_rmap *maps[3] = {pd->address_space, pd->stack_area,
					 pd->linker_area};
	const struct gn_ds *ds;
	uint64_t n = 0, bytes = 0, ram, caps, md = 0;
	char sub[200];
	unsigned i;

	for (ds = pd->ds_list; ds; ds = ds->own_next) {
		if (ds->owner != pd || ds->kind != GN_DS_RAM)
			return fail(k, "%s: owns %s wrongly", pd->name,
				    ds->name);
		if (gn_bytes_check(&ds->bytes, sub, sizeof(sub)))
			return fail(k, "%s contents: %s", ds->name, sub);
		n++;
		bytes += ds->size;
	}
	if (n != pd->ds_count || bytes != pd->ds_bytes)
		return fail(k, "%s: %llu dataspaces of %llu bytes, recorded "
			    "%llu of %llu", pd->name, (unsigned long long)n,
			    (unsigned long long)bytes,
			    (unsigned long long)pd->ds_count,
			    (unsigned long long)pd->ds_bytes);
	ram = bytes + pd->ds_slab.charged * o->ds_slab_block + pd->out_ram +
	      pd->lost_ram;
	caps = n + pd->ds_slab.charged + pd->out_caps + pd->lost_caps;
	/* a metadata block of the PD's own maps: charged by the sliced
	 * heap's accounting and again as a RAM dataspace of the PD */
	for (i = 0; i < 3; i++) {
		if (maps[i]->pd != pd || maps[i]->kind == GN_RMAP_SUB)
			return fail(k, "%s: map %s misowned", pd->name,
				    maps[i]->name);
		md += maps[i]->avl.md.charged;
	}
	if (md != pd->md_ds)
		return fail(k, "%s: %llu metadata dataspaces, recorded %llu",
			    pd->name, (unsigned long long)md,
			    (unsigned long long)pd->md_ds);
	if (gn_slab_check(&pd->ds_slab, n + md, sub, sizeof(sub)))
		return fail(k, "%s dataspace slab: %s", pd->name, sub);
	ram += 2 * md * o->md_block_ram;
	caps += 2 * md;
	return check_acct(pd->name, &pd->acct, ram, caps, k);
}

static int check_conn(const struct gn_ctx *c,
		      const struct gn_rm_connection *rm, struct ck *k)
{
	const struct gn_costs *o = &c->costs;
	const struct gn_rmap *m;
	uint64_t ram = 0, caps = 0, n = 0;

	for (m = rm->maps; m; m = m->s_next) {
		if (m->session != rm || m->kind != GN_RMAP_SUB)
			return fail(k, "%s: map %s misowned", rm->name,
				    m->name);
		if (m->s_next && m->s_next->s_prev != m)
			return fail(k, "%s: map list broken", rm->name);
		n++;
		ram += o->rmc_ram + m->avl.md.charged * o->md_block_ram;
		caps += 1 + m->avl.md.charged;
	}
	if (n != rm->nmaps)
		return fail(k, "%s: %llu maps, %llu recorded", rm->name,
			    (unsigned long long)n,
			    (unsigned long long)rm->nmaps);
	if (rm->acct.ram_limit + o->rm_session_ram + o->session_costs !=
		    rm->don_ram ||
	    rm->acct.caps_limit + 1 != rm->don_caps)
		return fail(k, "%s: limit does not match the donation",
			    rm->name);
	return check_acct(rm->name, &rm->acct, ram, caps, k);
}

int gn_check(const struct gn_ctx *c, char *msg, size_t size)
{
	struct ck k = {msg, size, 0, 0, 0, 0, 0};
	const struct gn_pd *pd;
	const struct gn_rm_connection *rm;
	const struct gn_faulter *f;
	uint64_t pds = 0, conns = 0, maps = 0, dss = 0, blocked = 0;
	uint64_t queued = 0;
	uint32_t i;

	msg[0] = '\0';
	for (i = 1; i < c->ncaps; i++) {
		const struct gn_capent *e = &c->caps[i];

		if (e->kind == GN_OBJ_RM) {
			const struct gn_rmap *m = e->obj;

			if (m->id != ((uint64_t)e->gen << 32 | i))
				return fail(&k, "%s: capability mismatch",
					    m->name);
			if (check_map(c, m, &k))
				return -1;
		} else if (e->kind == GN_OBJ_DS) {
			const struct gn_ds *ds = e->obj;

			if (ds->id != ((uint64_t)e->gen << 32 | i))
				return fail(&k, "%s: capability mismatch",
					    ds->name);
			if (check_ds(ds, &k))
				return -1;
		}
	}
	if (k.linked != k.ds_regions)
		return fail(&k, "%llu regions name a dataspace, %llu are "
			    "linked from dataspaces",
			    (unsigned long long)k.linked,
			    (unsigned long long)k.ds_regions);
	for (pd = c->pds; pd; pd = pd->p_next) {
		if (check_pd(c, pd, &k))
			return -1;
		pds++;
		dss += pd->ds_count;
	}
	for (rm = c->conns; rm; rm = rm->c_next) {
		if (check_conn(c, rm, &k))
			return -1;
		conns++;
		maps += rm->nmaps;
	}
	for (f = c->blocked; f; f = f->a_next) {
		blocked++;
		if (f->running)
			return fail(&k, "a blocked thread is running");
		if (f->rm)
			queued++;
	}
	/* every queue entry names its map (above), so equal counts mean
	 * every queued blocked thread is in its map's queue */
	if (queued != k.queued)
		return fail(&k, "%llu blocked threads say they are queued, "
			    "%llu are in queues",
			    (unsigned long long)queued,
			    (unsigned long long)k.queued);
	if (c->m.attachments != k.attachments)
		return fail(&k, "metrics: %llu attachments, counted %llu",
			    (unsigned long long)c->m.attachments,
			    (unsigned long long)k.attachments);
	if (c->m.rm_sessions != conns || c->m.region_maps != maps ||
	    c->m.dataspaces != dss || c->m.blocked != blocked)
		return fail(&k, "metrics disagree with a recount");
	if (!c->env || !pds)
		return fail(&k, "no env PD");
	msg[0] = '\0';
	return 0;
}
