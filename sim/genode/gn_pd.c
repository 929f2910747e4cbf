/*
 * gn_pd.c - the model's context, capabilities, PD sessions, RAM and ROM
 * dataspaces, metrics and the operation log.
 *
 * A PD is one quota account (Ram_quota_guard and Cap_quota_guard of
 * Pd_session_component): RAM dataspaces are charged to it (page-rounded
 * size and one cap each, with a slab block of dataspace metadata now and
 * then), and so is the metadata of its three region maps (address space,
 * stack area, linker area).  Sessions the component opens are paid out of
 * it too, as donations.  core's checks come first and in core's order:
 * the RAM, then headroom for a slab block, then the cap.
 */
#include "gn_internal.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

_Noreturn void gn_out_of_memory(void)
{
	fputs("rmsim: out of memory in the Genode model\n", stderr);
	abort();
}

void *gn_xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (!p)
		gn_out_of_memory();
	return p;
}

void *gn_xrealloc(void *p, size_t size)
{
	void *n = realloc(p, size ? size : 1);

	if (!n)
		gn_out_of_memory();
	return n;
}

void *gn_xaligned(size_t align, size_t size)
{
	void *p = aligned_alloc(align, size);

	if (!p)
		gn_out_of_memory();
	return p;
}

/* ---- capabilities ---- */

uint64_t gn_cap_new(struct gn_ctx *c, void *obj, enum gn_obj_kind kind)
{
	uint32_t idx = c->free_cap;

	if (idx) {
		c->free_cap = c->caps[idx].next_free;
	} else {
		if (c->ncaps == c->capcap) {
			c->capcap = c->capcap ? c->capcap * 2 : 64;
			c->caps = gn_xrealloc(c->caps,
					      c->capcap * sizeof(*c->caps));
		}
		if (c->ncaps == 0)
			c->ncaps = 1;	/* index 0 is the invalid cap */
		idx = c->ncaps++;
		c->caps[idx].gen = 0;
	}
	c->caps[idx].obj = obj;
	c->caps[idx].kind = (uint8_t)kind;
	c->caps[idx].gen++;
	c->caps[idx].next_free = 0;
	return (uint64_t)c->caps[idx].gen << 32 | idx;
}

void *gn_cap_get(const struct gn_ctx *c, uint64_t id, enum gn_obj_kind kind)
{
	uint32_t idx = (uint32_t)id, gen = (uint32_t)(id >> 32);

	if (!c || !idx || idx >= c->ncaps || c->caps[idx].gen != gen ||
	    c->caps[idx].kind != kind)
		return NULL;
	return c->caps[idx].obj;
}

void gn_cap_drop(struct gn_ctx *c, uint64_t id)
{
	uint32_t idx = (uint32_t)id;

	if (!gn_cap_get(c, id, GN_OBJ_DS) && !gn_cap_get(c, id, GN_OBJ_RM))
		return;
	c->caps[idx].obj = NULL;
	c->caps[idx].kind = GN_OBJ_FREE;
	c->caps[idx].next_free = c->free_cap;
	c->free_cap = idx;
}

struct gn_ds *gn_ds_get(gn_ds_cap cap)
{
	return gn_cap_get(cap.ctx, cap.id, GN_OBJ_DS);
}

struct gn_rmap *gn_rmap_get(gn_rm_cap cap)
{
	return gn_cap_get(cap.ctx, cap.id, GN_OBJ_RM);
}

bool gn_ds_valid(gn_ds_cap ds)
{
	return gn_ds_get(ds) != NULL;
}

bool gn_rm_valid(gn_rm_cap rm)
{
	return gn_rmap_get(rm) != NULL;
}

gn_ds_cap gn_ds_from_id(struct gn_ctx *c, uint64_t id)
{
	gn_ds_cap cap = {c, id};
	return cap;
}

gn_rm_cap gn_rm_from_id(struct gn_ctx *c, uint64_t id)
{
	gn_rm_cap cap = {c, id};
	return cap;
}

const char *gn_ds_name(gn_ds_cap cap)
{
	struct gn_ds *ds = gn_ds_get(cap);

	return ds ? ds->name : "invalid";
}

const char *gn_rm_name(gn_rm_cap cap)
{
	struct gn_rmap *rm = gn_rmap_get(cap);

	return rm ? rm->name : "invalid";
}

/* ---- logging and metrics ---- */

void gn_set_log(struct gn_ctx *c, gn_log_fn fn, void *arg)
{
	c->log = fn;
	c->log_arg = arg;
}

void gn_set_seq(struct gn_ctx *c, uint64_t seq)
{
	c->seq = seq;
}

void gn_log(struct gn_ctx *c, const char *op, const char *map, uint64_t at,
	    uint64_t size, const char *ds, uint64_t off, const char *rights)
{
	struct gn_log_rec r = {op, map, at, size, ds, off, rights};

	if (c->log)
		c->log(c->log_arg, c->seq, &r);
}

void gn_rights_str(bool r, bool w, bool x, char out[4])
{
	out[0] = r ? 'r' : '-';
	out[1] = w ? 'w' : '-';
	out[2] = x ? 'x' : '-';
	out[3] = '\0';
}

void gn_metrics_update(struct gn_ctx *c)
{
	struct gn_metrics *m = &c->m;

	if (!c->env)
		return;
	m->ram_used = c->env->acct.ram_used;
	m->caps_used = c->env->acct.caps_used;
	if (m->ram_used > m->ram_peak)
		m->ram_peak = m->ram_used;
	if (m->caps_used > m->caps_peak)
		m->caps_peak = m->caps_used;
	if (m->attachments > m->attachments_peak)
		m->attachments_peak = m->attachments;
	if (m->region_maps > m->region_maps_peak)
		m->region_maps_peak = m->region_maps;
	if (m->rm_sessions > m->rm_sessions_peak)
		m->rm_sessions_peak = m->rm_sessions;
	if (m->dataspaces > m->dataspaces_peak)
		m->dataspaces_peak = m->dataspaces;
}

const struct gn_metrics *gn_metrics(const struct gn_ctx *c)
{
	return &c->m;
}

const char *gn_rpc_name(enum gn_rpc r)
{
	static const char *const names[GN_NRPC] = {
		"alloc_ram", "free_ram", "transfer_quota", "session",
		"close", "upgrade", "rm_create", "rm_destroy", "attach",
		"detach", "dataspace", "fault_handler", "fault",
	};

	return (unsigned)r < GN_NRPC ? names[r] : "?";
}

const char *gn_alloc_error_name(enum gn_alloc_error e)
{
	static const char *const names[] = {"OK", "OUT_OF_RAM", "OUT_OF_CAPS",
					    "DENIED"};

	return (unsigned)e < 4 ? names[e] : "?";
}

const char *gn_session_error_name(enum gn_session_error e)
{
	static const char *const names[] = {"OK", "INSUFFICIENT_RAM",
					    "INSUFFICIENT_CAPS", "DENIED"};

	return (unsigned)e < 4 ? names[e] : "?";
}

/* ---- dataspaces ---- */

/*
 * Core places RAM naturally aligned where it can, and attach-anywhere
 * never uses an alignment the backing store lacks; a bump allocator with
 * natural alignment above 4 GiB gives dataspaces the alignment core's
 * physical allocator usually manages.
 */
static uint64_t phys_alloc(struct gn_ctx *c, uint64_t size)
{
	unsigned k = 63 - (unsigned)__builtin_clzll(size | GN_PAGE);
	uint64_t mask = (1ULL << k) - 1, p;

	p = (c->phys_next + mask) & ~mask;
	c->phys_next = p + size;
	return p;
}

struct gn_ds *gn_ds_new(struct gn_ctx *c, enum gn_ds_kind kind,
			uint64_t size, const char *name)
{
	struct gn_ds *ds = gn_xcalloc(1, sizeof(*ds));

	ds->kind = kind;
	ds->size = size;
	ds->writeable = kind == GN_DS_RAM;
	ds->phys = kind == GN_DS_MANAGED ? 0 : phys_alloc(c, size);
	snprintf(ds->name, sizeof(ds->name), "%s", name);
	ds->id = gn_cap_new(c, ds, GN_OBJ_DS);
	return ds;
}

void gn_ds_delete(struct gn_ctx *c, struct gn_ds *ds)
{
	gn_cap_drop(c, ds->id);
	gn_bytes_free(&ds->bytes);
	free(ds);
}

void gn_ds_link_region(struct gn_ds *ds, struct gn_blk *b)
{
	b->ds = ds;
	b->ds_prev = NULL;
	b->ds_next = ds->regions;
	if (ds->regions)
		ds->regions->ds_prev = b;
	ds->regions = b;
	ds->nregions++;
}

void gn_ds_unlink_region(struct gn_ds *ds, struct gn_blk *b)
{
	if (b->ds_prev)
		b->ds_prev->ds_next = b->ds_next;
	else
		ds->regions = b->ds_next;
	if (b->ds_next)
		b->ds_next->ds_prev = b->ds_prev;
	b->ds_prev = b->ds_next = NULL;
	b->ds = NULL;
	ds->nregions--;
}

gn_ds_cap gn_rom_dataspace(struct gn_ctx *c, const char *name, uint64_t size)
{
	char n[24];
	struct gn_ds *ds;

	if (!size || !gn_align_page(size))	/* rounds past 2^64 */
		return gn_ds_cap_of(NULL, c);
	snprintf(n, sizeof(n), "rom%llu:%s",
		 (unsigned long long)++c->next_rom, name ? name : "");
	ds = gn_ds_new(c, GN_DS_ROM, gn_align_page(size), n);
	ds->own_next = c->roms;
	if (c->roms)
		c->roms->own_prev = ds;
	c->roms = ds;
	return gn_ds_cap_of(ds, c);
}

uint64_t gn_ds_size(gn_ds_cap cap)
{
	struct gn_ds *ds = gn_ds_get(cap);

	return ds ? ds->size : 0;
}

bool gn_ds_writeable(gn_ds_cap cap)
{
	struct gn_ds *ds = gn_ds_get(cap);

	return ds && ds->writeable;
}

enum gn_ds_kind gn_ds_kind(gn_ds_cap cap)
{
	struct gn_ds *ds = gn_ds_get(cap);

	return ds ? ds->kind : GN_DS_RAM;
}

int gn_ds_read(gn_ds_cap cap, uint64_t off, void *buf, size_t len)
{
	struct gn_ds *ds = gn_ds_get(cap);
	uint8_t *p = buf;
	size_t i;

	if (!ds || ds->kind == GN_DS_MANAGED || off > ds->size ||
	    len > ds->size - off)
		return -1;
	for (i = 0; i < len; i++)
		p[i] = gn_bytes_get(&ds->bytes, off + i);
	return 0;
}

int gn_ds_write(gn_ds_cap cap, uint64_t off, const void *buf, size_t len)
{
	struct gn_ds *ds = gn_ds_get(cap);
	const uint8_t *p = buf;
	size_t i;

	if (!ds || ds->kind == GN_DS_MANAGED || off > ds->size ||
	    len > ds->size - off)
		return -1;
	(void)i;
	gn_bytes_write(&ds->bytes, off, p, len);
	return 0;
}

int gn_ds_zero(gn_ds_cap cap, uint64_t off, uint64_t len)
{
	struct gn_ds *ds = gn_ds_get(cap);

	if (!ds || ds->kind == GN_DS_MANAGED || off > ds->size ||
	    len > ds->size - off)
		return -1;
	gn_bytes_zero(&ds->bytes, off, len);
	return 0;
}

int gn_ds_stamp(gn_ds_cap cap, uint64_t off, uint64_t len, uint8_t val)
{
	struct gn_ds *ds = gn_ds_get(cap);

	if (!ds || ds->kind == GN_DS_MANAGED || off > ds->size ||
	    len > ds->size - off)
		return -1;
	gn_bytes_stamp(&ds->bytes, off, len, val);
	return 0;
}

/* ---- PD sessions ---- */

/*
 * Pd_session_component::alloc_ram's quota steps for @size (page-rounded,
 * not 0): the dataspace's RAM, then headroom for a dataspace-slab block
 * (checked, not charged), then its capability, then the dataspace's
 * metadata entry.  When that entry cannot be paid for, 24.08 and 26.02
 * keep the RAM and cap reserved (lost until the PD closes); 20.05 rolls
 * them back.
 */
static enum gn_alloc_error ram_reserve(struct gn_pd *pd, uint64_t size,
				       struct gn_slot *slot)
{
	struct gn_ctx *c = pd->ctx;
	enum gn_alloc_error e = gn_acct_charge(&pd->acct, size, 0);

	if (e)
		return e;
	if (gn_pd_avail_ram(pd) < c->costs.ds_slab_block) {
		gn_acct_refund(&pd->acct, size, 0);
		return GN_ALLOC_OUT_OF_RAM;
	}
	e = gn_acct_charge(&pd->acct, 0, 1);
	if (e) {
		gn_acct_refund(&pd->acct, size, 0);
		return e;
	}
	e = gn_slab_alloc(&pd->ds_slab, slot);
	if (e) {
		if (c->bh->alloc_ram_keeps_reservation) {
			pd->lost_ram += size;
			pd->lost_caps++;
		} else {
			gn_acct_refund(&pd->acct, size, 1);
		}
	}
	return e;
}

/* What ram_reserve took, back (Pd_session_component::free_ram). */
static void ram_release(struct gn_pd *pd, uint64_t size, struct gn_slot slot)
{
	gn_acct_refund(&pd->acct, size, 1);
	gn_slab_free(&pd->ds_slab, slot);
}

/*
 * The backing store of a PD's own maps' metadata: the PD session's
 * sliced heap sits on an accounted allocator that charges the PD (the
 * page-rounded block and a cap) and then calls the PD's own alloc_ram,
 * which charges it again with all of alloc_ram's steps
 * (pd_session_component.h: _accounted_md_ram_alloc over _pd_ram; 20.05
 * and 24.08: _constrained_md_ram_alloc over *this).
 */
static enum gn_alloc_error md_store_alloc(void *ctx, struct gn_slab_blk *b)
{
	struct gn_pd *pd = ctx;
	uint64_t size = pd->ctx->costs.md_block_ram;
	enum gn_alloc_error e = gn_acct_charge(&pd->acct, size, 1);

	if (e)
		return e;
	e = ram_reserve(pd, size, &b->store_slot);
	if (e) {
		gn_acct_refund(&pd->acct, size, 1);
		return e;
	}
	pd->md_ds++;
	return GN_ALLOC_OK;
}

static void md_store_free(void *ctx, struct gn_slab_blk *b)
{
	struct gn_pd *pd = ctx;
	uint64_t size = pd->ctx->costs.md_block_ram;

	ram_release(pd, size, b->store_slot);
	gn_acct_refund(&pd->acct, size, 1);
	pd->md_ds--;
}

static const struct gn_slab_store md_store = {md_store_alloc, md_store_free};

struct gn_pd *gn_pd_new(struct gn_ctx *c, const char *name,
			uint64_t ram_limit, uint64_t caps_limit, bool env)
{
	const struct gn_costs *k = &c->costs;
	struct gn_pd *pd = gn_xcalloc(1, sizeof(*pd));
	uint64_t start = 0, end = 0;
	char n[32];

	pd->ctx = c;
	pd->env = env;
	snprintf(pd->name, sizeof(pd->name), "%s", name);
	pd->acct.ram_limit = ram_limit;
	pd->acct.caps_limit = caps_limit;
	pd->acct.tally = c->pd_refused;
	gn_slab_init(&pd->ds_slab, k->ds_epb, k->ds_slab_block, &pd->acct);
	lay_va_range(c->layout, gn_version_number(c->cfg.version), &start,
		     &end);
	snprintf(n, sizeof(n), "%s", env ? "env" : name);
	pd->address_space = gn_rmap_new(c, GN_RMAP_ADDRESS_SPACE, start,
					 end - start, &pd->acct, n);
	snprintf(n, sizeof(n), "%s%s", env ? "" : name,
		 env ? "stack_area" : ".stack_area");
	pd->stack_area = gn_rmap_new(c, GN_RMAP_STACK_AREA, 0,
				     LAY_STACK_AREA_SIZE, &pd->acct, n);
	snprintf(n, sizeof(n), "%s%s", env ? "" : name,
		 env ? "linker_area" : ".linker_area");
	pd->linker_area = gn_rmap_new(c, GN_RMAP_LINKER_AREA, 0,
				      c->bh->linker_area_size, &pd->acct, n);
	pd->address_space->pd = pd->stack_area->pd = pd->linker_area->pd = pd;
	pd->address_space->avl.md.store = pd->stack_area->avl.md.store =
		pd->linker_area->avl.md.store = &md_store;
	pd->address_space->avl.md.store_ctx = pd->stack_area->avl.md.store_ctx =
		pd->linker_area->avl.md.store_ctx = pd;
	pd->p_next = c->pds;
	if (c->pds)
		c->pds->p_prev = pd;
	c->pds = pd;
	return pd;
}

struct gn_pd *gn_env_pd(struct gn_ctx *c)
{
	return c->env;
}

gn_rm_cap gn_env_rm(struct gn_ctx *c)
{
	return gn_rm_cap_of(c->env->address_space);
}

gn_rm_cap gn_pd_address_space(struct gn_pd *pd)
{
	return gn_rm_cap_of(pd->address_space);
}

gn_rm_cap gn_pd_stack_area(struct gn_pd *pd)
{
	return gn_rm_cap_of(pd->stack_area);
}

gn_rm_cap gn_pd_linker_area(struct gn_pd *pd)
{
	return gn_rm_cap_of(pd->linker_area);
}

uint64_t gn_pd_avail_ram(const struct gn_pd *pd)
{
	return pd->acct.ram_limit - pd->acct.ram_used;
}

uint64_t gn_pd_avail_caps(const struct gn_pd *pd)
{
	return pd->acct.caps_limit - pd->acct.caps_used;
}

uint64_t gn_pd_used_ram(const struct gn_pd *pd)
{
	return pd->acct.ram_used;
}

uint64_t gn_pd_used_caps(const struct gn_pd *pd)
{
	return pd->acct.caps_used;
}

enum gn_alloc_error gn_pd_alloc_ram(struct gn_pd *pd, uint64_t size,
				    gn_ds_cap *out)
{
	struct gn_ctx *c = pd->ctx;
	enum gn_alloc_error e;
	struct gn_slot slot;
	struct gn_ds *ds;
	char name[24];

	c->m.rpc[GN_RPC_ALLOC_RAM]++;
	*out = gn_ds_cap_of(NULL, c);
	if (!size)
		/* 20.05 answered with an invalid capability */
		return c->bh->zero_alloc_denied ? GN_ALLOC_DENIED
						: GN_ALLOC_OK;
	size = gn_align_page(size);
	if (!size)
		return GN_ALLOC_DENIED;	/* rounded past 2^64 */
	e = ram_reserve(pd, size, &slot);
	if (e)
		return e;
	snprintf(name, sizeof(name), "ds%llu",
		 (unsigned long long)++c->next_ds);
	ds = gn_ds_new(c, GN_DS_RAM, size, name);
	ds->owner = pd;
	ds->md = slot;
	ds->own_next = pd->ds_list;
	if (pd->ds_list)
		pd->ds_list->own_prev = ds;
	pd->ds_list = ds;
	pd->ds_count++;
	pd->ds_bytes += size;
	c->m.dataspaces++;
	gn_metrics_update(c);
	gn_log(c, "alloc", NULL, 0, size, ds->name, 0, "rw-");
	*out = gn_ds_cap_of(ds, c);
	return GN_ALLOC_OK;
}

/* Free a RAM dataspace of @pd: every attachment first (reserved or
 * detached by version), then memory, quota and metadata. */
static void free_ds(struct gn_pd *pd, struct gn_ds *ds)
{
	struct gn_ctx *c = pd->ctx;

	gn_ds_detach_from_rm_sessions(c, ds);
	if (ds->own_prev)
		ds->own_prev->own_next = ds->own_next;
	else
		pd->ds_list = ds->own_next;
	if (ds->own_next)
		ds->own_next->own_prev = ds->own_prev;
	pd->ds_count--;
	pd->ds_bytes -= ds->size;
	c->m.dataspaces--;
	ram_release(pd, ds->size, ds->md);
	gn_log(c, "free", NULL, 0, ds->size, ds->name, 0, NULL);
	gn_ds_delete(c, ds);
	gn_metrics_update(c);
}

void gn_pd_free_ram(struct gn_pd *pd, gn_ds_cap cap)
{
	struct gn_ds *ds = gn_ds_get(cap);

	pd->ctx->m.rpc[GN_RPC_FREE_RAM]++;
	/* Ram_dataspace_factory::free_ram: only the owner may free */
	if (!ds || ds->kind != GN_DS_RAM || ds->owner != pd)
		return;
	free_ds(pd, ds);
}

uint64_t gn_pd_ram_size(struct gn_pd *pd, gn_ds_cap cap)
{
	struct gn_ds *ds = gn_ds_get(cap);

	return ds && ds->kind == GN_DS_RAM && ds->owner == pd ? ds->size : 0;
}

struct gn_pd *gn_pd_connection(struct gn_ctx *c, enum gn_session_error *err)
{
	const struct gn_costs *k = &c->costs;
	struct gn_pd *env = c->env, *pd;
	enum gn_alloc_error e;
	char name[24];

	c->m.rpc[GN_RPC_SESSION]++;
	e = gn_acct_charge(&env->acct, k->pd_session_quota, k->pd_session_caps);
	if (e) {
		*err = e == GN_ALLOC_OUT_OF_CAPS ? GN_SESSION_INSUFFICIENT_CAPS
						 : GN_SESSION_INSUFFICIENT_RAM;
		return NULL;
	}
	env->out_ram += k->pd_session_quota;
	env->out_caps += k->pd_session_caps;
	snprintf(name, sizeof(name), "pd%llu",
		 (unsigned long long)++c->next_pd);
	/* the parent keeps its session costs, core the session object */
	pd = gn_pd_new(c, name,
		       k->pd_session_quota - k->session_costs -
			       k->pd_session_ram,
		       k->pd_session_caps - 1, false);
	pd->don_ram = k->pd_session_quota;
	pd->don_caps = k->pd_session_caps;
	pd->obj_ram = k->pd_session_ram;
	pd->obj_caps = 1;
	*err = GN_SESSION_OK;
	gn_metrics_update(c);
	return pd;
}

enum gn_alloc_error gn_pd_transfer_quota(struct gn_pd *from, struct gn_pd *to,
					 uint64_t ram, uint64_t caps)
{
	struct gn_ctx *c = from->ctx;
	enum gn_alloc_error e;

	c->m.rpc[GN_RPC_TRANSFER_QUOTA]++;
	/* the model knows one reference account: env funds PD sessions */
	if (!from->env || to->env || to->ctx != c)
		return GN_ALLOC_DENIED;
	e = gn_acct_charge(&from->acct, ram, caps);
	if (e)
		return e;
	from->out_ram += ram;
	from->out_caps += caps;
	to->don_ram += ram;
	to->don_caps += caps;
	to->acct.ram_limit += ram;
	to->acct.caps_limit += caps;
	gn_metrics_update(c);
	return GN_ALLOC_OK;
}

void gn_pd_upgrade(struct gn_pd *pd, uint64_t ram, uint64_t caps)
{
	pd->acct.ram_limit += ram;
	pd->acct.caps_limit += caps;
	gn_metrics_update(pd->ctx);
}

static void pd_delete(struct gn_ctx *c, struct gn_pd *pd)
{
	while (pd->ds_list)
		free_ds(pd, pd->ds_list);
	gn_rmap_delete(c, pd->address_space);
	gn_rmap_delete(c, pd->stack_area);
	gn_rmap_delete(c, pd->linker_area);
	gn_slab_destroy(&pd->ds_slab);
	if (pd->p_prev)
		pd->p_prev->p_next = pd->p_next;
	else
		c->pds = pd->p_next;
	if (pd->p_next)
		pd->p_next->p_prev = pd->p_prev;
	free(pd);
}

void gn_pd_close(struct gn_pd *pd)
{
	struct gn_ctx *c = pd->ctx;
	struct gn_pd *env = c->env;

	if (pd->env)
		return;
	gn_enter(c);
	c->m.rpc[GN_RPC_CLOSE]++;
	gn_acct_refund(&env->acct, pd->don_ram, pd->don_caps);
	env->out_ram -= pd->don_ram;
	env->out_caps -= pd->don_caps;
	pd_delete(c, pd);
	gn_metrics_update(c);
	gn_leave(c);
}

/* ---- the context ---- */

void gn_default_config(struct gn_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->version = GN_VERSION_DEFAULT;
	cfg->layout = NULL;
	cfg->ram_quota = 10ULL << 20;
	cfg->cap_quota = 300;
}

/* Attach @ds into @rm at @at with @rights for the start-up layout. */
static void build_attach(struct gn_ctx *c, struct gn_rmap *rm,
			 struct gn_ds *ds, uint64_t at, const char *rights)
{
	struct gn_attr a = {0};
	struct gn_range r;

	a.use_at = true;
	a.at = at;
	a.writeable = rights[1] == 'w';
	a.executable = rights[2] == 'x';
	gn_region_map_attach(gn_rm_cap_of(rm), gn_ds_cap_of(ds, c), &a, &r);
}

/* What ld.lib.so and ldso set up before main: the fixed areas. */
static void build_layout(struct gn_ctx *c)
{
	struct lay_area areas[LAY_MAX_AREAS];
	size_t n = lay_areas(c->layout, gn_version_number(c->cfg.version),
			     areas, LAY_MAX_AREAS), i;
	struct gn_pd *env = c->env;
	struct gn_rmap *target;
	gn_ds_cap ds;
	uint64_t at;

	for (i = 0; i < n && i < LAY_MAX_AREAS; i++) {
		const struct lay_area *a = &areas[i];

		target = env->address_space;
		at = a->start;
		switch (a->kind) {
		case LAY_AREA_RESERVED:
			continue;
		case LAY_AREA_LINKER:
			build_attach(c, target, env->linker_area->ds, at,
				     a->rights);
			continue;
		case LAY_AREA_STACK:
			build_attach(c, target, env->stack_area->ds, at,
				     a->rights);
			continue;
		case LAY_AREA_PROGRAM:
			target = env->linker_area;
			at -= LAY_PROGRAM_ADDR;
			break;
		case LAY_AREA_MAIN_STACK:
			target = env->stack_area;
			at -= LAY_STACK_AREA_ADDR;
			break;
		case LAY_AREA_LDSO:
			break;
		}
		if (a->rights[1] == 'w') {
			if (gn_pd_alloc_ram(env, a->size, &ds))
				continue;
		} else {
			ds = gn_rom_dataspace(c, a->name, a->size);
		}
		build_attach(c, target, gn_ds_get(ds), at, a->rights);
	}
}

struct gn_ctx *gn_ctx_new(const struct gn_config *cfg)
{
	struct gn_ctx *c = gn_xcalloc(1, sizeof(*c));

	c->cfg = *cfg;
	if ((unsigned)c->cfg.version >= GN_NVERSIONS)
		c->cfg.version = GN_VERSION_DEFAULT;
	c->bh = gn_behaviour(c->cfg.version);
	c->layout = cfg->layout ? cfg->layout : lay_default();
	c->cfg.layout = c->layout;
	c->linux_kernel = c->layout->kernel == LAY_LINUX;
	gn_costs_for(c->layout->bits, &c->costs);
	c->phys_next = 4ULL << 30;
	c->env = gn_pd_new(c, "env", cfg->ram_quota, cfg->cap_quota, true);
	gn_enter(c);
	if (!cfg->bare)
		build_layout(c);
	gn_leave(c);
	gn_metrics_update(c);
	return c;
}

void gn_ctx_free(struct gn_ctx *c)
{
	struct gn_faulter *f, *n;

	if (!c)
		return;
	c->log = NULL;
	c->dying = true;
	while (c->conns)
		gn_rm_session_close(c->conns);
	/* other PDs first: env funds them */
	while (c->pds && (c->pds != c->env || c->pds->p_next)) {
		struct gn_pd *pd = c->pds == c->env ? c->pds->p_next : c->pds;

		gn_pd_close(pd);
	}
	pd_delete(c, c->env);
	while (c->roms) {
		struct gn_ds *ds = c->roms;

		c->roms = ds->own_next;
		gn_ds_delete(c, ds);
	}
	for (f = c->blocked; f; f = n) {
		n = f->a_next;
		free(f);
	}
	free(c->caps);
	free(c);
}

enum gn_version gn_ctx_version(const struct gn_ctx *c)
{
	return c->cfg.version;
}

const struct lay_layout *gn_ctx_layout(const struct gn_ctx *c)
{
	return c->layout;
}
