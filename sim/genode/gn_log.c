/*
 * gn_log.c - the Genode model's operations as rows of the mapping table
 * (DESIGN §3.7): alloc, free, create, destroy, attach, detach, reserve
 * (an implicit detach that leaves a hole), fault (a thread queued at a
 * map; rights hold the access) and resolve (an attach woke it).
 */
#include "gn_internal.h"

#include "rmsim/db.h"

static void to_db(void *arg, uint64_t seq, const struct gn_log_rec *r)
{
	struct gn_ctx *c = arg;
	struct db_mapping m = {
		.seq = seq,
		.op = r->op,
		.region_map = r->region_map,
		.at = r->at,
		.size = r->size,
		.ds = r->ds,
		.ds_offset = r->ds_offset,
		.rights = r->rights,
	};

	/* a write error surfaces at the run's end, from db_close */
	db_mapping_add(c->db, c->run_id, &m);
}

void gn_log_to_db(struct gn_ctx *c, struct db *db, int64_t run_id)
{
	c->db = db;
	c->run_id = run_id;
	gn_set_log(c, db ? to_db : NULL, db ? c : NULL);
}
