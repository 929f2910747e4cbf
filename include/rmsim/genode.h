/*
 * rmsim/genode.h - a model of what Genode's core does for a component's
 * memory (prefix gn_): PD sessions with RAM and capability quota, RAM
 * dataspaces, RM sessions and their region maps, managed dataspaces
 * nested into each other, page faults and their handlers, and the
 * component's own address space (env).
 *
 * The API mirrors Genode's (the 24.08+ generation) call for call, so a
 * policy written against it ports mechanically (docs/porting.md has the
 * table).  Behaviour follows core's sources version by version
 * (docs/genode-model.md): checks and errors in core's order, placement of
 * attach-anywhere by core's own allocator algorithm (the same AVL tree,
 * so the same addresses), quota charged where core charges it.
 *
 * Objects are named by capabilities: small values holding the model and
 * an id.  A capability of an object that is gone is invalid, as in
 * Genode: attaching it gives INVALID_DATASPACE, calls on a destroyed
 * region map do nothing.  Everything hangs off one struct gn_ctx; there
 * is no global state, so models can run side by side.
 *
 * Accesses (gn_load, gn_store, gn_exec) are the component's threads
 * touching memory: they walk env and every nested map the way core's
 * pager does, take faults to the responsible map's handler, and block
 * until an attach on that map resolves them.
 */
#ifndef RMSIM_GENODE_H
#define RMSIM_GENODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rmsim/layout.h"

struct db;

/* ---- versions ---- */

/* The Genode releases the model knows; every behaviour that differs
 * between them is in struct gn_behaviour. */
enum gn_version { GN_20_05, GN_24_08, GN_26_02, GN_NVERSIONS };

#define GN_VERSION_DEFAULT GN_26_02

const char *gn_version_name(enum gn_version v);	/* "26.02" */
/* "20.05", "24.08", "26.02"; 0, or -1 for anything else. */
int gn_version_parse(const char *s, enum gn_version *out);
/* 2602 for 26.02: what layouts and case requirements compare. */
int gn_version_number(enum gn_version v);

/*
 * Every behaviour that changed between the supported releases, in one
 * place (gn_version.c fills one per release, with the commit that made
 * the change).
 */
struct gn_behaviour {
	enum gn_version version;
	/* Attr aggregate (24.08) vs. positional args with exceptions;
	 * the positional API defaulted to writeable = true */
	bool attr_api;
	bool api_default_writeable;
	/* rights ANDed along the nesting path (23.08), else leaf only */
	bool rights_along_path;
	/* freeing an attached dataspace or destroying an attached map
	 * leaves a reserved region until detach (24.02), else frees it */
	bool reserve_on_implicit_detach;
	/* a fault is queued only where a handler is registered (23.08);
	 * 20.05 queued it at the responsible map regardless */
	bool queue_needs_handler;
	/* fault address in the map's own coordinates, attach offsets
	 * included (23.08); 20.05 subtracted the region bases only */
	bool fault_addr_with_offsets;
	/* past the recursion limit the fault is dropped (23.08); 20.05
	 * registered it at the sixth map with the raw address */
	bool recursion_limit_drops;
	/* alloc_ram(0): DENIED (21.11), or an invalid capability */
	bool zero_alloc_denied;
	/* Rm_connection::create: retries without bound (24.08), or at
	 * most 16 upgrades per error kind */
	unsigned rm_create_attempts;	/* 0 = unbounded */
	/* Pd_session::LINKER_AREA_SIZE */
	uint64_t linker_area_size;
	/* attach_executable() maps r-x (23.08) or rwx */
	bool attach_executable_rx;
	/* a page fault through a managed dataspace attached with an offset
	 * is mapped (23.08, f47c64e246); 20.05 placed the destination
	 * without the offsets and mapped nothing where it missed */
	bool map_dst_with_offsets;
	/* alloc_ram keeps the RAM and cap it reserved when the dataspace
	 * factory then fails (24.08, 26.02); 20.05 rolled them back */
	bool alloc_ram_keeps_reservation;
};

const struct gn_behaviour *gn_behaviour(enum gn_version v);

/* ---- the model ---- */

struct gn_ctx;
struct gn_pd;
struct gn_rm_connection;

struct gn_config {
	enum gn_version version;
	const struct lay_layout *layout;	/* NULL: lay_default() */
	uint64_t ram_quota;	/* the component's PD, before start-up */
	uint64_t cap_quota;
	bool bare;		/* env without the layout's fixed areas */
};

/* 26.02, nova-x86_64, 10 MiB and 300 caps, fixed areas built. */
void gn_default_config(struct gn_config *cfg);

/*
 * gn_ctx_new - a fresh system: core, and one component whose PD has the
 * configured quota and whose address space (env) holds the layout's
 * fixed areas.  The model aborts on host memory exhaustion.
 */
struct gn_ctx *gn_ctx_new(const struct gn_config *cfg);
void gn_ctx_free(struct gn_ctx *c);
enum gn_version gn_ctx_version(const struct gn_ctx *c);
const struct lay_layout *gn_ctx_layout(const struct gn_ctx *c);

/* ---- capabilities ---- */

/* Dataspace_capability (RAM, ROM or managed) */
typedef struct {
	struct gn_ctx *ctx;
	uint64_t id;
} gn_ds_cap;

/* Capability<Region_map> */
typedef struct {
	struct gn_ctx *ctx;
	uint64_t id;
} gn_rm_cap;

/* Does the capability name a live object? */
bool gn_ds_valid(gn_ds_cap ds);
bool gn_rm_valid(gn_rm_cap rm);
/* Rebuild a capability from its id (the case language keeps ids). */
gn_ds_cap gn_ds_from_id(struct gn_ctx *c, uint64_t id);
gn_rm_cap gn_rm_from_id(struct gn_ctx *c, uint64_t id);
/* Names for logs: "ds3", "rom1", "env", "stack_area", "rm2". */
const char *gn_ds_name(gn_ds_cap ds);
const char *gn_rm_name(gn_rm_cap rm);

/* ---- PD sessions and RAM ---- */

enum gn_alloc_error {
	GN_ALLOC_OK,
	GN_ALLOC_OUT_OF_RAM,
	GN_ALLOC_OUT_OF_CAPS,
	GN_ALLOC_DENIED,
};
const char *gn_alloc_error_name(enum gn_alloc_error e);

/* env.pd(): the component's own PD. */
struct gn_pd *gn_env_pd(struct gn_ctx *c);
/* env.rm(): the PD's address space; and the PD's two other maps. */
gn_rm_cap gn_env_rm(struct gn_ctx *c);
gn_rm_cap gn_pd_address_space(struct gn_pd *pd);
gn_rm_cap gn_pd_stack_area(struct gn_pd *pd);
gn_rm_cap gn_pd_linker_area(struct gn_pd *pd);

/*
 * gn_pd_alloc_ram - Pd_session::alloc_ram: page-rounded, zero-filled,
 * one cap; needs SLAB headroom; DENIED for size 0 (20.05: an invalid
 * capability and GN_ALLOC_OK).
 */
enum gn_alloc_error gn_pd_alloc_ram(struct gn_pd *pd, uint64_t size,
				    gn_ds_cap *out);
/* Pd_session::free_ram: ignored unless @pd owns @ds. */
void gn_pd_free_ram(struct gn_pd *pd, gn_ds_cap ds);
/* Pd_session::ram_size: 0 unless @pd owns @ds. */
uint64_t gn_pd_ram_size(struct gn_pd *pd, gn_ds_cap ds);

uint64_t gn_pd_avail_ram(const struct gn_pd *pd);
uint64_t gn_pd_avail_caps(const struct gn_pd *pd);
uint64_t gn_pd_used_ram(const struct gn_pd *pd);
uint64_t gn_pd_used_caps(const struct gn_pd *pd);

enum gn_session_error {
	GN_SESSION_OK,
	GN_SESSION_INSUFFICIENT_RAM,
	GN_SESSION_INSUFFICIENT_CAPS,
	GN_SESSION_DENIED,
};
const char *gn_session_error_name(enum gn_session_error e);

/*
 * gn_pd_connection - Pd_connection(env): a further PD session, funded
 * with Pd_session::RAM_QUOTA and CAP_QUOTA from the component's PD.
 * NULL with *@err set when the component cannot pay.
 */
struct gn_pd *gn_pd_connection(struct gn_ctx *c, enum gn_session_error *err);
/* Close it: its dataspaces are freed, the rest returns to env's PD. */
void gn_pd_close(struct gn_pd *pd);
/* Pd_account::transfer_quota (RAM and caps in one call); 0 or the
 * error (OUT_OF_RAM, OUT_OF_CAPS, DENIED for an unrelated PD). */
enum gn_alloc_error gn_pd_transfer_quota(struct gn_pd *from, struct gn_pd *to,
					 uint64_t ram, uint64_t caps);
/* The parent grants the component more quota (a resource request). */
void gn_pd_upgrade(struct gn_pd *pd, uint64_t ram, uint64_t caps);

/* ---- dataspaces ---- */

enum gn_ds_kind { GN_DS_RAM, GN_DS_ROM, GN_DS_MANAGED };

/* A ROM module (read-only, owned by no PD), zero-filled. */
gn_ds_cap gn_rom_dataspace(struct gn_ctx *c, const char *name,
			   uint64_t size);
uint64_t gn_ds_size(gn_ds_cap ds);		/* Dataspace::size */
bool gn_ds_writeable(gn_ds_cap ds);		/* Dataspace::writeable */
enum gn_ds_kind gn_ds_kind(gn_ds_cap ds);
/* Contents as core sees them (tests fill ROMs, check RAM): 0 or -1. */
int gn_ds_read(gn_ds_cap ds, uint64_t off, void *buf, size_t len);
int gn_ds_write(gn_ds_cap ds, uint64_t off, const void *buf, size_t len);
/* memset(0) of [off, off+len) as the component would do through its
 * mapping (libc's bzero): costs the bytes stored there, not @len. */
int gn_ds_zero(gn_ds_cap ds, uint64_t off, uint64_t len);
/* @val into the first byte of every page that starts in [off, off+len),
 * as a thread touching each page would store it: costs the pages stored
 * there, not @len. */
int gn_ds_stamp(gn_ds_cap ds, uint64_t off, uint64_t len, uint8_t val);

/* ---- RM sessions ---- */

/*
 * gn_rm_session_open - Rm_connection(env): donates 64 KiB and
 * Rm_session::CAP_QUOTA (2) caps of @pd; core keeps the session object
 * (a page and a cap) out of it.  NULL with *@err set when @pd cannot pay.
 */
struct gn_rm_connection *gn_rm_session_open(struct gn_pd *pd,
					    enum gn_session_error *err);
/* Close: every map it created is destroyed, the quota returns. */
void gn_rm_session_close(struct gn_rm_connection *rm);
/*
 * gn_rm_create - Rm_connection::create(size): the create RPC, upgrading
 * the session by 8 KiB on OUT_OF_RAM and 2 caps on OUT_OF_CAPS and
 * retrying (20.05: at most 16 upgrades of each kind).  The upgrades come
 * out of the PD the session was opened from; when it cannot pay, the
 * error is returned (Genode would block on a resource request).
 */
enum gn_alloc_error gn_rm_create(struct gn_rm_connection *rm, uint64_t size,
				 gn_rm_cap *out);
/* The bare Rm_session::create RPC: no upgrade, no retry. */
enum gn_alloc_error gn_rm_create_once(struct gn_rm_connection *rm,
				      uint64_t size, gn_rm_cap *out);
/* Rm_session::destroy: ignored for a map of another session. */
void gn_rm_destroy(struct gn_rm_connection *rm, gn_rm_cap map);
/* Connection::upgrade_ram/upgrade_caps in one call, paid by the PD. */
enum gn_alloc_error gn_rm_upgrade(struct gn_rm_connection *rm, uint64_t ram,
				  uint64_t caps);
uint64_t gn_rm_avail_ram(const struct gn_rm_connection *rm);
uint64_t gn_rm_avail_caps(const struct gn_rm_connection *rm);

/* ---- region maps ---- */

/* Region_map::Attr; {0} is Genode's `{ }`: whole dataspace, anywhere,
 * neither writeable nor executable. */
struct gn_attr {
	uint64_t size;		/* 0: the dataspace from offset on */
	uint64_t offset;	/* page-aligned offset in the dataspace */
	bool use_at;
	uint64_t at;
	bool executable;
	bool writeable;
};

/* Region_map::Range */
struct gn_range {
	uint64_t start, num_bytes;
};

/* Region_map::Attach_error, with 0 for success. */
enum gn_attach_error {
	GN_ATTACH_OK,
	GN_ATTACH_OUT_OF_RAM,
	GN_ATTACH_OUT_OF_CAPS,
	GN_ATTACH_REGION_CONFLICT,
	GN_ATTACH_INVALID_DATASPACE,
};
const char *gn_attach_error_name(enum gn_attach_error e);

/*
 * gn_region_map_attach - Region_map::attach(ds, attr).  The range used
 * goes to *@range.  Wakes every thread blocked on a fault in this map
 * inside the new region.
 */
enum gn_attach_error gn_region_map_attach(gn_rm_cap rm, gn_ds_cap ds,
					  const struct gn_attr *attr,
					  struct gn_range *range);
/* Region_map::detach: the whole attachment containing @at, or nothing. */
void gn_region_map_detach(gn_rm_cap rm, uint64_t at);
/* Region_map::dataspace: the managed dataspace of this map. */
gn_ds_cap gn_region_map_dataspace(gn_rm_cap rm);

/* Region_map::Fault */
enum gn_fault_type { GN_FAULT_NONE, GN_FAULT_READ, GN_FAULT_WRITE,
		     GN_FAULT_EXEC };
struct gn_fault {
	enum gn_fault_type type;
	uint64_t addr;		/* in the map's coordinates */
};
const char *gn_fault_type_name(enum gn_fault_type t);	/* "READ" ... */

/* Region_map::fault: the oldest thread waiting on this map, or NONE. */
struct gn_fault gn_region_map_fault(gn_rm_cap rm);

/*
 * What Region_map::fault_handler(sigh) installs.  INVALID is the invalid
 * signal capability (no handler: faults are not reflected); NONE is a
 * handler that never resolves (faults queue up); POPULATE attaches a
 * fresh writeable 4 KiB RAM dataspace of the component's PD at each
 * queued fault's page, oldest first, until an attach fails; FN calls
 * @fn(@arg, map) when the signal arrives: it reads gn_region_map_fault
 * and resolves by attaching, as a Genode handler does.
 */
enum gn_handler_kind { GN_HANDLER_INVALID, GN_HANDLER_NONE,
		       GN_HANDLER_POPULATE, GN_HANDLER_FN };
typedef void (*gn_fault_fn)(void *arg, gn_rm_cap rm);
struct gn_fault_handler {
	enum gn_handler_kind kind;
	gn_fault_fn fn;
	void *arg;
};
void gn_region_map_fault_handler(gn_rm_cap rm,
				 const struct gn_fault_handler *h);

/* ---- looking at region maps (not RPCs: for checks and reports) ---- */

struct gn_attachment {
	uint64_t base, size;	/* in the map's coordinates */
	uint64_t offset;	/* in the dataspace */
	bool writeable, executable;
	bool reserved;		/* implicitly detached, still occupied */
	gn_ds_cap ds;		/* invalid when reserved */
};

/* The attachment containing @addr. */
bool gn_region_map_lookup(gn_rm_cap rm, uint64_t addr,
			  struct gn_attachment *out);
/* The region map behind a managed dataspace (invalid for others): the
 * inverse of Region_map::dataspace, for reports walking nested maps. */
gn_rm_cap gn_ds_region_map(gn_ds_cap ds);
/* The lowest attachment with base >= @addr: iterate with base + size. */
bool gn_region_map_next(gn_rm_cap rm, uint64_t addr,
			struct gn_attachment *out);
uint64_t gn_region_map_count(gn_rm_cap rm);
/* The range [start, end) the map manages. */
void gn_region_map_range(gn_rm_cap rm, uint64_t *start, uint64_t *end);

enum gn_access { GN_READ, GN_WRITE, GN_EXEC };

/* How core's pager ends a walk (With_mapping_result). */
enum gn_walk_result {
	GN_WALK_RESOLVED,
	GN_WALK_NO_REGION,
	GN_WALK_WRITE_VIOLATION,
	GN_WALK_EXEC_VIOLATION,
	GN_WALK_RECURSION_LIMIT,
	/* 20.05: core computed the mapping's destination without the
	 * attach offsets of the managed dataspaces on the path and found
	 * the page outside it ("invalid mapping"): nothing is mapped, the
	 * thread faults again and again, nobody is told */
	GN_WALK_INVALID_MAPPING,
};
const char *gn_walk_result_name(enum gn_walk_result r);

#define GN_RECURSION_LIMIT 5
#define GN_MAX_PATH (GN_RECURSION_LIMIT + 1)

struct gn_walk_step {
	gn_rm_cap map;
	uint64_t addr;		/* the address in this map's coordinates */
	bool found;		/* an attachment contains it */
	struct gn_attachment att;
};

struct gn_walk {
	enum gn_walk_result result;
	unsigned nsteps;
	struct gn_walk_step step[GN_MAX_PATH];
	/* effective rights of the mapping (readable whenever resolved) */
	bool readable, writeable, executable;
	/* the leaf: what backs the address */
	gn_ds_cap ds;
	uint64_t ds_offset;
	/* not resolved: the responsible map, the fault as it reports it,
	 * and whether core would queue the thread there */
	gn_rm_cap fault_map;
	struct gn_fault fault;
	bool queued;
};

/* Walk @addr of @root for @access as core's pager would; no side effect. */
void gn_walk(gn_rm_cap root, uint64_t addr, enum gn_access access,
	     struct gn_walk *w);

/* ---- the component's threads ---- */

enum gn_access_result {
	GN_ACCESS_OK,
	GN_ACCESS_BLOCKED,	/* queued at a map, nobody resolved it */
	GN_ACCESS_STOPPED,	/* not reflected: core stopped the thread */
};

/*
 * gn_load, gn_store, gn_exec - one byte through env.  A fault goes to the
 * responsible map; its handler runs at once (the signal); when an attach
 * there wakes the thread it retries.  BLOCKED and STOPPED are what a
 * program sees as a hang or a crash; a blocked thread stays queued and
 * completes its access when a later attach covers it.
 */
enum gn_access_result gn_load(struct gn_ctx *c, uint64_t addr, uint8_t *val);
enum gn_access_result gn_store(struct gn_ctx *c, uint64_t addr, uint8_t val);
enum gn_access_result gn_exec(struct gn_ctx *c, uint64_t addr);

/* ---- metrics ---- */

enum gn_rpc {
	GN_RPC_ALLOC_RAM,
	GN_RPC_FREE_RAM,
	GN_RPC_TRANSFER_QUOTA,
	GN_RPC_SESSION,		/* session requests (open) */
	GN_RPC_CLOSE,
	GN_RPC_UPGRADE,
	GN_RPC_RM_CREATE,
	GN_RPC_RM_DESTROY,
	GN_RPC_ATTACH,
	GN_RPC_DETACH,
	GN_RPC_DATASPACE,
	GN_RPC_FAULT_HANDLER,
	GN_RPC_FAULT,
	GN_NRPC
};
const char *gn_rpc_name(enum gn_rpc r);	/* "attach", ... */

struct gn_metrics {
	uint64_t rpc[GN_NRPC];
	uint64_t faults;		/* faults taken by accesses */
	uint64_t faults_reflected;	/* queued at a map */
	uint64_t faults_resolved;	/* woken by an attach */
	uint64_t faults_stopped;	/* not reflected */
	uint64_t blocked;		/* threads waiting now */
	/* the component's PD (env), now and at its peak */
	uint64_t ram_used, ram_peak, caps_used, caps_peak;
	uint64_t attachments, attachments_peak;	/* in every map */
	uint64_t region_maps, region_maps_peak;	/* from RM sessions */
	uint64_t rm_sessions, rm_sessions_peak;
	uint64_t dataspaces, dataspaces_peak;	/* RAM */
	/* allocator-tree nodes visited by lookups, searches, inserts:
	 * the work behind attach and detach, which grows as log n */
	uint64_t tree_steps;
};
const struct gn_metrics *gn_metrics(const struct gn_ctx *c);

/*
 * Charges refused since the system started because a quota ran out: of
 * the PD sessions (the component's own and any it opened) and of the RM
 * sessions, closed ones included, RAM and caps apart; counted where the
 * charge fails, so reading them costs nothing per session.  A refusal that
 * a retry made good (Rm_connection's upgrade) is counted too: the
 * caller compares counts around one operation that failed.
 */
struct gn_refusals {
	uint64_t pd_ram, pd_caps, rm_ram, rm_caps;
};
void gn_quota_refusals(const struct gn_ctx *c, struct gn_refusals *out);

/* ---- checking and logging ---- */

/*
 * gn_check - every invariant: attachments disjoint and inside their map,
 * the allocator tree ordered, balanced and its augmentation sound, every
 * quota account's use equal to the sum of what it holds and within its
 * limit, every dataspace's list of attachments matching the maps,
 * faulters queued where they say.  0, or -1 with the first violation in
 * @msg.
 */
int gn_check(const struct gn_ctx *c, char *msg, size_t size);

/* One Genode operation, for the mapping table (DESIGN §3.7). */
struct gn_log_rec {
	const char *op;		/* alloc, free, create, destroy, attach,
				 * detach, reserve, fault, resolve */
	const char *region_map;
	uint64_t at, size;
	const char *ds;
	uint64_t ds_offset;
	const char *rights;
};
typedef void (*gn_log_fn)(void *arg, uint64_t seq,
			  const struct gn_log_rec *r);
void gn_set_log(struct gn_ctx *c, gn_log_fn fn, void *arg);
/* The event (or case line) that the next operations belong to. */
void gn_set_seq(struct gn_ctx *c, uint64_t seq);
/* Log every operation as a mapping row of @run_id. */
void gn_log_to_db(struct gn_ctx *c, struct db *db, int64_t run_id);

#endif
