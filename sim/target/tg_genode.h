/*
 * tg_genode.h - a reservation policy on the Genode model as a replay
 * and conformance target: every address space is one Genode component
 * (struct gn_ctx) with the policy initialised in it.
 */
#ifndef RMSIM_TARGET_TG_GENODE_H
#define RMSIM_TARGET_TG_GENODE_H

#include <signal.h>

#include "rmsim/genode.h"
#include "rmsim/policy.h"
#include "target.h"

struct db;

struct tg_genode_cfg {
	const struct pol_policy *pol;	/* NULL: the bare model (none) */
	const char *params;
	struct gn_config gn;
	struct db *db;			/* log Genode operations here */
	int64_t run_id;
	char error[256];		/* why the last space_new failed */
	volatile sig_atomic_t *stop;	/* set by a signal: stop a long touch */
};

/* @cfg must outlive the target. */
void tg_genode(struct tg_target *t, struct tg_genode_cfg *cfg);

/* The component of a space made by this target (for checks, metrics). */
struct gn_ctx *tg_genode_ctx(void *space);
/* Tell the model which event the next Genode operations belong to. */
void tg_genode_seq(void *space, uint64_t seq);

#endif
