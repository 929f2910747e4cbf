/*
 * gn_rm.c - region maps (Region_map_component) and the RM service
 * (Rm_session_component with the client's Rm_connection).
 *
 * attach follows core's _attach check for check: offset alignment, the
 * dataspace, offset inside it, size rounded to pages, no window beyond
 * the dataspace, then the allocator (at a given address, or anywhere by
 * natural alignment down to a page, skipping alignments the backing
 * store lacks).  Metadata shortage surfaces as OUT_OF_RAM or OUT_OF_CAPS
 * charged to whoever owns the map: the RM session for maps it created,
 * the PD for its own three.  On base-linux the component's
 * Region_map_mmap decides instead, with its own rules (attach_linux).
 *
 * Detach removes the whole attachment containing the address.  Freeing a
 * dataspace or destroying a map detaches it implicitly from every map
 * that holds it: since 24.02 the range stays reserved until an explicit
 * detach, before that it was freed at once.
 */
#include "gn_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- region maps ---- */

struct gn_rmap *gn_rmap_new(struct gn_ctx *c, enum gn_rmap_kind kind,
			    uint64_t start, uint64_t size,
			    struct gn_account *payer, const char *name)
{
	struct gn_rmap *rm = gn_xcalloc(1, sizeof(*rm));

	rm->ctx = c;
	rm->kind = kind;
	snprintf(rm->name, sizeof(rm->name), "%s", name);
	rm->start = start;
	rm->size = gn_align_page(size);
	gn_avl_init(&rm->avl, c->costs.md_epb, c->costs.md_block_ram, payer,
		    &c->m.tree_steps);
	rm->id = gn_cap_new(c, rm, GN_OBJ_RM);
	/* the managed dataspace: size of the map, "physical" base 0, and
	 * not writeable itself (only what is attached inside counts) */
	rm->ds = gn_ds_new(c, GN_DS_MANAGED, rm->size, name);
	rm->ds->sub = rm;
	rm->ds->writeable = false;
	/* size 0: core only warns and leaves the map empty */
	gn_avl_add_range(&rm->avl, start, rm->size);
	return rm;
}

void gn_rmap_delete(struct gn_ctx *c, struct gn_rmap *rm)
{
	struct gn_blk *b;

	/* parents keep a reserved hole (24.02+) or lose the region */
	gn_ds_detach_from_rm_sessions(c, rm->ds);
	gn_faulter_orphan_all(c, rm);
	for (b = gn_avl_first(&rm->avl); b; b = gn_avl_next(b)) {
		if (!b->used)
			continue;
		if (b->ds)
			gn_ds_unlink_region(b->ds, b);
		c->m.attachments--;
	}
	gn_avl_destroy(&rm->avl);
	gn_ds_delete(c, rm->ds);
	gn_cap_drop(c, rm->id);
	free(rm);
}

void gn_ds_detach_from_rm_sessions(struct gn_ctx *c, struct gn_ds *ds)
{
	char rights[4];

	while (ds->regions) {
		struct gn_blk *b = ds->regions;
		struct gn_rmap *rm = b->rm;
		uint64_t base = b->addr, size = b->size;

		gn_rights_str(true, b->write, b->exec, rights);
		gn_ds_unlink_region(ds, b);
		if (c->bh->reserve_on_implicit_detach) {
			gn_log(c, "reserve", rm->name, base, size, ds->name,
			       b->off, rights);
			continue;
		}
		gn_avl_free_blk(&rm->avl, b);
		c->m.attachments--;
		gn_log(c, "detach", rm->name, base, size, ds->name, 0, NULL);
	}
}

/* Core's _faulters.for_each after an attach: wake those inside. */
void gn_rmap_wake(struct gn_ctx *c, struct gn_rmap *rm, uint64_t at,
		  uint64_t size)
{
	struct gn_faulter *f = rm->fq_head, *prev = NULL, *next;
	char type[4] = "---";

	for (; f; f = next) {
		next = f->q_next;
		if (f->fault.addr < at || f->fault.addr > at + size - 1) {
			prev = f;
			continue;
		}
		if (prev)
			prev->q_next = next;
		else
			rm->fq_head = next;
		if (rm->fq_tail == f)
			rm->fq_tail = prev;
		f->q_next = NULL;
		f->rm = NULL;
		f->woken = true;
		c->m.faults_resolved++;
		type[0] = f->fault.type == GN_FAULT_READ ? 'r' : '-';
		type[1] = f->fault.type == GN_FAULT_WRITE ? 'w' : '-';
		type[2] = f->fault.type == GN_FAULT_EXEC ? 'x' : '-';
		gn_log(c, "resolve", rm->name, f->fault.addr, 0, NULL, 0, type);
		if (!f->running && !f->runnable && !c->dying) {
			f->runnable = true;
			f->r_next = NULL;
			if (c->run_tail)
				c->run_tail->r_next = f;
			else
				c->run_head = f;
			c->run_tail = f;
		}
	}
}

const char *gn_attach_error_name(enum gn_attach_error e)
{
	static const char *const names[] = {"OK", "OUT_OF_RAM", "OUT_OF_CAPS",
					    "REGION_CONFLICT",
					    "INVALID_DATASPACE"};

	return (unsigned)e < 5 ? names[e] : "?";
}

static enum gn_attach_error from_alloc(enum gn_alloc_error e)
{
	return e == GN_ALLOC_OUT_OF_RAM	   ? GN_ATTACH_OUT_OF_RAM
	       : e == GN_ALLOC_OUT_OF_CAPS ? GN_ATTACH_OUT_OF_CAPS
					   : GN_ATTACH_REGION_CONFLICT;
}

/* Region_map_component::_attach, checks in core's order. */
static enum gn_attach_error attach_core(struct gn_ctx *c, struct gn_rmap *rm,
					struct gn_ds *ds,
					const struct gn_attr *attr,
					struct gn_blk **out)
{
	uint64_t size, offset = attr->offset;
	enum gn_alloc_error e = GN_ALLOC_DENIED;
	struct gn_blk *b = NULL;
	unsigned align;

	/* offset must be page-aligned (20.05: and not negative) */
	if (offset & (GN_PAGE - 1))
		return GN_ATTACH_REGION_CONFLICT;
	if (!c->bh->attr_api && (int64_t)offset < 0)
		return GN_ATTACH_REGION_CONFLICT;
	if (!ds)
		return GN_ATTACH_INVALID_DATASPACE;
	if (offset >= ds->size)
		return GN_ATTACH_REGION_CONFLICT;
	size = attr->size ? attr->size : ds->size - offset;
	size = gn_align_page(size);
	/* core would go on with a zero-sized region when the rounding
	 * wraps; the model refuses (docs/genode-model.md) */
	if (!size)
		return GN_ATTACH_REGION_CONFLICT;
	/* no window larger than the dataspace */
	if (ds->size < size + offset)
		return GN_ATTACH_REGION_CONFLICT;
	if (attr->use_at) {
		e = gn_avl_alloc_addr(&rm->avl, size, attr->at, &b);
		if (e)
			return from_alloc(e);
	} else {
		/* natural alignment first, then less, down to a page */
		align = 63 - (unsigned)__builtin_clzll(size);
		if (align >= c->costs.word * 8)
			align = GN_PAGE_LOG2;
		for (; align >= GN_PAGE_LOG2; align--) {
			if ((ds->phys + offset) & ((1ULL << align) - 1))
				continue;
			e = gn_avl_alloc_aligned(&rm->avl, size, align, &b);
			if (e == GN_ALLOC_OK)
				break;
			if (e != GN_ALLOC_DENIED)
				return from_alloc(e);
		}
		if (e)
			return GN_ATTACH_REGION_CONFLICT;
	}
	/* 20.05 recorded the dataspace's writability in the region */
	b->write = c->bh->attr_api ? attr->writeable
				   : ds->writeable && attr->writeable;
	b->exec = attr->executable;
	b->off = offset;
	*out = b;
	return GN_ATTACH_OK;
}

/*
 * Region_map_mmap::attach of base-linux: a sub map is local and only
 * takes plain dataspaces at fixed offsets; a sub map can be attached
 * once, and windows are clamped to the dataspace instead of refused.
 */
static enum gn_attach_error attach_linux(struct gn_ctx *c, struct gn_rmap *rm,
					 struct gn_ds *ds,
					 const struct gn_attr *attr,
					 struct gn_blk **out)
{
	bool sub = rm->kind == GN_RMAP_SUB;
	uint64_t remaining, size;
	enum gn_alloc_error e = GN_ALLOC_DENIED;
	struct gn_blk *b = NULL;
	unsigned align;

	if (sub && !attr->use_at)
		return GN_ATTACH_REGION_CONFLICT;
	if (!ds)
		return GN_ATTACH_INVALID_DATASPACE;
	remaining = ds->size > attr->offset ? ds->size - attr->offset : 0;
	size = attr->size && attr->size < remaining ? attr->size : remaining;
	if (size == 0)
		return GN_ATTACH_REGION_CONFLICT;
	/* host mmap refuses an unaligned offset */
	if (attr->offset & (GN_PAGE - 1))
		return GN_ATTACH_REGION_CONFLICT;
	size = gn_align_page(size);
	if (sub) {
		if (ds->kind == GN_DS_MANAGED)
			return GN_ATTACH_INVALID_DATASPACE;
		if (size + attr->at > rm->size)
			return GN_ATTACH_REGION_CONFLICT;
	} else if (ds->kind == GN_DS_MANAGED && ds->nregions) {
		return GN_ATTACH_REGION_CONFLICT;
	}
	if (attr->use_at) {
		e = gn_avl_alloc_addr(&rm->avl, size, attr->at, &b);
	} else {
		/* the host picks the address; core's policy stands in */
		align = 63 - (unsigned)__builtin_clzll(size);
		for (; align >= GN_PAGE_LOG2; align--) {
			e = gn_avl_alloc_aligned(&rm->avl, size, align, &b);
			if (e != GN_ALLOC_DENIED)
				break;
		}
	}
	if (e)
		return from_alloc(e);
	b->write = attr->writeable;
	b->exec = attr->executable;
	b->off = attr->offset;
	*out = b;
	return GN_ATTACH_OK;
}

enum gn_attach_error gn_region_map_attach(gn_rm_cap rmc, gn_ds_cap dsc,
					  const struct gn_attr *attr,
					  struct gn_range *range)
{
	struct gn_rmap *rm = gn_rmap_get(rmc);
	struct gn_ctx *c = rmc.ctx;
	struct gn_ds *ds;
	struct gn_blk *b = NULL;
	enum gn_attach_error e;
	struct gn_attr none = {0};
	char rights[4];

	if (range)
		range->start = range->num_bytes = 0;
	if (!rm)
		return GN_ATTACH_REGION_CONFLICT;
	if (!attr)
		attr = &none;
	gn_enter(c);
	c->m.rpc[GN_RPC_ATTACH]++;
	ds = dsc.ctx == c ? gn_ds_get(dsc) : NULL;
	e = c->linux_kernel ? attach_linux(c, rm, ds, attr, &b)
			    : attach_core(c, rm, ds, attr, &b);
	if (e == GN_ATTACH_OK) {
		b->rm = rm;
		gn_ds_link_region(ds, b);
		c->m.attachments++;
		gn_metrics_update(c);
		gn_rights_str(true, b->write, b->exec, rights);
		gn_log(c, "attach", rm->name, b->addr, b->size, ds->name,
		       b->off, rights);
		if (range) {
			range->start = b->addr;
			range->num_bytes = b->size;
		}
		gn_rmap_wake(c, rm, b->addr, b->size);
	}
	gn_leave(c);
	return e;
}

void gn_region_map_detach(gn_rm_cap rmc, uint64_t at)
{
	struct gn_rmap *rm = gn_rmap_get(rmc);
	struct gn_ctx *c = rmc.ctx;
	struct gn_blk *b;
	uint64_t base, size;
	const char *dsname = NULL;
	char name[24];

	if (!rm)
		return;
	gn_enter(c);
	c->m.rpc[GN_RPC_DETACH]++;
	b = gn_avl_find(&rm->avl, at);
	/* free space: a silent no-op; base-linux wants the exact start */
	if (b && b->used && (!c->linux_kernel || b->addr == at)) {
		base = b->addr;
		size = b->size;
		if (b->ds) {
			_Static_assert(sizeof(name) == sizeof(b->ds->name),
				       "a dataspace name fits");
			/* the dataspace may go with its last region */
			memcpy(name, b->ds->name, sizeof(name));
			dsname = name;
			gn_ds_unlink_region(b->ds, b);
		}
		gn_avl_free_blk(&rm->avl, b);
		c->m.attachments--;
		gn_metrics_update(c);
		gn_log(c, "detach", rm->name, base, size, dsname, 0, NULL);
	}
	gn_leave(c);
}

gn_ds_cap gn_region_map_dataspace(gn_rm_cap rmc)
{
	struct gn_rmap *rm = gn_rmap_get(rmc);

	if (!rm)
		return gn_ds_cap_of(NULL, rmc.ctx);
	rmc.ctx->m.rpc[GN_RPC_DATASPACE]++;
	return gn_ds_cap_of(rm->ds, rmc.ctx);
}

struct gn_fault gn_region_map_fault(gn_rm_cap rmc)
{
	struct gn_rmap *rm = gn_rmap_get(rmc);
	struct gn_fault f = {GN_FAULT_NONE, 0};

	if (!rm)
		return f;
	rmc.ctx->m.rpc[GN_RPC_FAULT]++;
	return rm->fq_head ? rm->fq_head->fault : f;
}

void gn_region_map_fault_handler(gn_rm_cap rmc,
				 const struct gn_fault_handler *h)
{
	struct gn_rmap *rm = gn_rmap_get(rmc);
	struct gn_fault_handler invalid = {GN_HANDLER_INVALID, NULL, NULL};

	if (!rm)
		return;
	rmc.ctx->m.rpc[GN_RPC_FAULT_HANDLER]++;
	rm->handler = h ? *h : invalid;
	if (rm->handler.kind == GN_HANDLER_FN && !rm->handler.fn)
		rm->handler.kind = GN_HANDLER_NONE;
}

const char *gn_fault_type_name(enum gn_fault_type t)
{
	static const char *const names[] = {"NONE", "READ", "WRITE", "EXEC"};

	return (unsigned)t < 4 ? names[t] : "?";
}

/* ---- looking at maps ---- */

static void fill(struct gn_ctx *c, const struct gn_blk *b,
		 struct gn_attachment *out)
{
	out->base = b->addr;
	out->size = b->size;
	out->offset = b->off;
	out->writeable = b->write;
	out->executable = b->exec;
	out->reserved = !b->ds;
	out->ds = gn_ds_cap_of(b->ds, c);
}

bool gn_region_map_lookup(gn_rm_cap rmc, uint64_t addr,
			  struct gn_attachment *out)
{
	struct gn_rmap *rm = gn_rmap_get(rmc);
	struct gn_blk *b = rm ? gn_avl_find(&rm->avl, addr) : NULL;

	if (!b || !b->used)
		return false;
	fill(rmc.ctx, b, out);
	return true;
}

bool gn_region_map_next(gn_rm_cap rmc, uint64_t addr,
			struct gn_attachment *out)
{
	struct gn_rmap *rm = gn_rmap_get(rmc);
	struct gn_blk *b = rm ? gn_avl_ceil(&rm->avl, addr) : NULL;

	while (b && !b->used)
		b = gn_avl_next(b);
	if (!b)
		return false;
	fill(rmc.ctx, b, out);
	return true;
}

uint64_t gn_region_map_count(gn_rm_cap rmc)
{
	struct gn_rmap *rm = gn_rmap_get(rmc);

	return rm ? rm->avl.used : 0;
}

void gn_region_map_range(gn_rm_cap rmc, uint64_t *start, uint64_t *end)
{
	struct gn_rmap *rm = gn_rmap_get(rmc);

	*start = rm ? rm->start : 0;
	*end = rm ? rm->start + rm->size : 0;
}

/* ---- RM sessions ---- */

struct gn_rm_connection *gn_rm_session_open(struct gn_pd *pd,
					    enum gn_session_error *err)
{
	struct gn_ctx *c = pd->ctx;
	const struct gn_costs *k = &c->costs;
	struct gn_rm_connection *rm;
	enum gn_alloc_error e;

	c->m.rpc[GN_RPC_SESSION]++;
	e = gn_acct_charge(&pd->acct, k->rm_session_quota, k->rm_session_caps);
	if (e) {
		*err = e == GN_ALLOC_OUT_OF_CAPS ? GN_SESSION_INSUFFICIENT_CAPS
						 : GN_SESSION_INSUFFICIENT_RAM;
		return NULL;
	}
	pd->out_ram += k->rm_session_quota;
	pd->out_caps += k->rm_session_caps;
	rm = gn_xcalloc(1, sizeof(*rm));
	rm->ctx = c;
	rm->pd = pd;
	snprintf(rm->name, sizeof(rm->name), "rm_session%llu",
		 (unsigned long long)++c->next_conn);
	/* the parent keeps its session costs; of what it forwards, the
	 * session object and one cap stay in core (budget_adjusted_args);
	 * the rest is the session's quota */
	rm->don_ram = k->rm_session_quota;
	rm->don_caps = k->rm_session_caps;
	rm->acct.ram_limit =
		k->rm_session_quota - k->session_costs - k->rm_session_ram;
	rm->acct.caps_limit = k->rm_session_caps - 1;
	rm->acct.tally = c->rm_refused;
	rm->c_next = c->conns;
	if (c->conns)
		c->conns->c_prev = rm;
	c->conns = rm;
	c->m.rm_sessions++;
	gn_metrics_update(c);
	*err = GN_SESSION_OK;
	return rm;
}

static void destroy_map(struct gn_rm_connection *rm, struct gn_rmap *map)
{
	struct gn_ctx *c = rm->ctx;
	char name[24];

	snprintf(name, sizeof(name), "%s", map->name);
	if (map->s_prev)
		map->s_prev->s_next = map->s_next;
	else
		rm->maps = map->s_next;
	if (map->s_next)
		map->s_next->s_prev = map->s_prev;
	rm->nmaps--;
	c->m.region_maps--;
	gn_rmap_delete(c, map);
	gn_acct_refund(&rm->acct, c->costs.rmc_ram, 1);
	gn_log(c, "destroy", name, 0, 0, NULL, 0, NULL);
	gn_metrics_update(c);
}

void gn_rm_session_close(struct gn_rm_connection *rm)
{
	struct gn_ctx *c = rm->ctx;

	gn_enter(c);
	c->m.rpc[GN_RPC_CLOSE]++;
	while (rm->maps)
		destroy_map(rm, rm->maps);
	gn_acct_refund(&rm->pd->acct, rm->don_ram, rm->don_caps);
	rm->pd->out_ram -= rm->don_ram;
	rm->pd->out_caps -= rm->don_caps;
	if (rm->c_prev)
		rm->c_prev->c_next = rm->c_next;
	else
		c->conns = rm->c_next;
	if (rm->c_next)
		rm->c_next->c_prev = rm->c_prev;
	c->m.rm_sessions--;
	free(rm);
	gn_metrics_update(c);
	gn_leave(c);
}

enum gn_alloc_error gn_rm_create_once(struct gn_rm_connection *rm,
				      uint64_t size, gn_rm_cap *out)
{
	struct gn_ctx *c = rm->ctx;
	struct gn_rmap *map;
	enum gn_alloc_error e;
	char name[24];

	c->m.rpc[GN_RPC_RM_CREATE]++;
	*out = gn_rm_cap_of(NULL);
	out->ctx = c;
	/* the Region_map_component from the session's sliced heap */
	e = gn_acct_charge(&rm->acct, c->costs.rmc_ram, 1);
	if (e)
		return e;
	snprintf(name, sizeof(name), "rm%llu",
		 (unsigned long long)++c->next_rm);
	map = gn_rmap_new(c, GN_RMAP_SUB, 0, size, &rm->acct, name);
	map->session = rm;
	map->s_next = rm->maps;
	if (rm->maps)
		rm->maps->s_prev = map;
	rm->maps = map;
	rm->nmaps++;
	c->m.region_maps++;
	gn_metrics_update(c);
	gn_log(c, "create", name, 0, map->size, map->ds->name, 0, NULL);
	*out = gn_rm_cap_of(map);
	return GN_ALLOC_OK;
}

enum gn_alloc_error gn_rm_upgrade(struct gn_rm_connection *rm, uint64_t ram,
				  uint64_t caps)
{
	struct gn_ctx *c = rm->ctx;
	enum gn_alloc_error e;

	c->m.rpc[GN_RPC_UPGRADE]++;
	e = gn_acct_charge(&rm->pd->acct, ram, caps);
	if (e)
		return e;
	rm->pd->out_ram += ram;
	rm->pd->out_caps += caps;
	rm->don_ram += ram;
	rm->don_caps += caps;
	rm->acct.ram_limit += ram;
	rm->acct.caps_limit += caps;
	gn_metrics_update(c);
	return GN_ALLOC_OK;
}

enum gn_alloc_error gn_rm_create(struct gn_rm_connection *rm, uint64_t size,
				 gn_rm_cap *out)
{
	unsigned limit = rm->ctx->bh->rm_create_attempts, ram_up = 0,
		 caps_up = 0;
	enum gn_alloc_error e, u;

	/* 20.05: retry<Out_of_ram>(retry<Out_of_caps>(create), 16), 16 */
	for (;;) {
		e = gn_rm_create_once(rm, size, out);
		if (e == GN_ALLOC_OK || e == GN_ALLOC_DENIED)
			return e;
		/* Genode::retry upgrades after every failure, the last
		 * one included, then gives up */
		if (e == GN_ALLOC_OUT_OF_RAM) {
			u = gn_rm_upgrade(rm, 8 * 1024, 0);
			if (u)
				return u;
			if (limit && ++ram_up >= limit)
				return e;
			caps_up = 0;
		} else {
			u = gn_rm_upgrade(rm, 0, 2);
			if (u)
				return u;
			if (limit && ++caps_up >= limit)
				return e;
		}
	}
}

void gn_rm_destroy(struct gn_rm_connection *rm, gn_rm_cap cap)
{
	struct gn_rmap *map = gn_rmap_get(cap);
	struct gn_ctx *c = rm->ctx;

	c->m.rpc[GN_RPC_RM_DESTROY]++;
	if (!map || map->session != rm)
		return;
	gn_enter(c);
	destroy_map(rm, map);
	gn_leave(c);
}

uint64_t gn_rm_avail_ram(const struct gn_rm_connection *rm)
{
	return rm->acct.ram_limit - rm->acct.ram_used;
}

uint64_t gn_rm_avail_caps(const struct gn_rm_connection *rm)
{
	return rm->acct.caps_limit - rm->acct.caps_used;
}

gn_rm_cap gn_ds_region_map(gn_ds_cap dsc)
{
	struct gn_ds *ds = gn_ds_get(dsc);

	if (!ds || ds->kind != GN_DS_MANAGED)
		return gn_rm_cap_of(NULL);
	return gn_rm_cap_of(ds->sub);
}

void gn_quota_refusals(const struct gn_ctx *c, struct gn_refusals *out)
{
	out->pd_ram = c->pd_refused[0];
	out->pd_caps = c->pd_refused[1];
	out->rm_ram = c->rm_refused[0];
	out->rm_caps = c->rm_refused[1];
}
