/*
 * gn_case_run.c - running a Genode statement of the case language (read
 * and checked by gn_case.c) against the bare model: its arguments are
 * evaluated against the run's bindings, the operation is called, and its
 * outcome (a value, an error name, a fault, SEGV) is compared with the
 * expected one.  The PDs and RM sessions a case opens are kept as tagged
 * handles in the run (gn_case_internal.h).
 */
#include "gn_case_internal.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct gn_case_run *gn_case_run_new(struct gn_ctx *c)
{
	struct gn_case_run *r = gn_xcalloc(1, sizeof(*r));

	r->ctx = c;
	r->pds[0] = gn_env_pd(c);
	r->npds = 1;
	return r;
}

void gn_case_run_free(struct gn_case_run *r)
{
	/* sessions and PDs go with the model */
	free(r);
}

/* The i-th positional argument, or NULL. */
static const struct arg *pos_arg(const struct gn_case_stmt *st, unsigned n)
{
	unsigned i, p = 0;

	for (i = 0; i < st->nargs; i++)
		if (st->args[i].key < 0 && p++ == n)
			return &st->args[i];
	return NULL;
}

static const struct arg *key_arg(const struct gn_case_stmt *st,
				 const char *key)
{
	unsigned i;

	for (i = 0; i < st->nargs; i++)
		if (st->args[i].key >= 0 &&
		    strcmp(st->spec->keys[st->args[i].key], key) == 0)
			return &st->args[i];
	return NULL;
}

/* What one statement did: an error name, a value, a fault, a crash. */
struct outcome {
	enum err err;
	bool has_value;
	uint64_t value;
	struct gn_fault fault;
	bool segv;
};

static enum err from_alloc(enum gn_alloc_error e)
{
	return e == GN_ALLOC_OUT_OF_RAM	   ? E_OUT_OF_RAM
	       : e == GN_ALLOC_OUT_OF_CAPS ? E_OUT_OF_CAPS
	       : e == GN_ALLOC_DENIED	   ? E_DENIED
					   : E_NONE;
}

static enum err from_session(enum gn_session_error e)
{
	return e == GN_SESSION_INSUFFICIENT_RAM	   ? E_INSUFFICIENT_RAM
	       : e == GN_SESSION_INSUFFICIENT_CAPS ? E_INSUFFICIENT_CAPS
	       : e == GN_SESSION_DENIED		   ? E_DENIED
						   : E_NONE;
}

static enum err from_attach(enum gn_attach_error e)
{
	switch (e) {
	case GN_ATTACH_OK:
		return E_NONE;
	case GN_ATTACH_OUT_OF_RAM:
		return E_OUT_OF_RAM;
	case GN_ATTACH_OUT_OF_CAPS:
		return E_OUT_OF_CAPS;
	case GN_ATTACH_REGION_CONFLICT:
		return E_REGION_CONFLICT;
	case GN_ATTACH_INVALID_DATASPACE:
		return E_INVALID_DATASPACE;
	}
	return E_DENIED;
}

#define ARG(kind, n, out)                                                  \
	(gn_case_eval_arg(r, (kind), pos_arg(st, (n)), env, (out), why))

/* Evaluate an optional argument; 0 when absent. */
static int opt_arg(struct gn_case_run *r, const struct gn_case_stmt *st,
		   const struct arg *a, enum kind k,
		   const struct tr_expr_env *env, void *out, const char **why)
{
	if (!a)
		return 0;
	return gn_case_eval_arg(r, k, a, env, out, why);
}

static struct gn_rm_connection *implicit_session(struct gn_case_run *r,
						 enum err *err)
{
	enum gn_session_error se;

	if (!r->implicit) {
		r->implicit = gn_rm_session_open(r->pds[0], &se);
		if (!r->implicit)
			*err = from_session(se);
	}
	return r->implicit;
}

static int run_op(struct gn_case_run *r, const struct gn_case_stmt *st,
		  const struct tr_expr_env *env, struct outcome *o,
		  const char **why)
{
	struct gn_ctx *c = r->ctx;
	struct gn_pd *pd = r->pds[0];
	struct gn_rm_connection *sess = NULL;
	struct gn_fault_handler h;
	struct gn_attr attr;
	struct gn_range range;
	gn_rm_cap map;
	gn_ds_cap ds;
	uint64_t n = 0, m = 0, flag;
	void *p = NULL;

	memset(o, 0, sizeof(*o));
	switch (st->spec->op) {
	case OP_RAM_ALLOC:
		if (ARG(K_NUM, 0, &n) ||
		    opt_arg(r, st, key_arg(st, "pd"), K_PD, env, &p, why))
			return -1;
		if (p)
			pd = p;
		o->err = from_alloc(gn_pd_alloc_ram(pd, n, &ds));
		o->has_value = !o->err;
		o->value = ds.id;
		return 0;
	case OP_RAM_FREE:
		if (ARG(K_DS, 0, &ds) ||
		    opt_arg(r, st, key_arg(st, "pd"), K_PD, env, &p, why))
			return -1;
		gn_pd_free_ram(p ? p : pd, ds);
		return 0;
	case OP_ROM:
		if (ARG(K_NUM, 0, &n) ||
		    opt_arg(r, st, key_arg(st, "fill"), K_NUM, env, &m, why))
			return -1;
		ds = gn_rom_dataspace(c, "case", n);
		if (!gn_ds_valid(ds)) {
			o->err = E_DENIED;
			return 0;
		}
		/* uniform contents are one fill byte, whatever the size */
		gn_bytes_fill(&gn_ds_get(ds)->bytes, (uint8_t)m);
		o->has_value = true;
		o->value = ds.id;
		return 0;
	case OP_RM_SESSION: {
		enum gn_session_error se;

		if (opt_arg(r, st, key_arg(st, "pd"), K_PD, env, &p, why))
			return -1;
		if (r->nsessions == MAX_HANDLES) {
			*why = "too many RM sessions in one case";
			return -1;
		}
		sess = gn_rm_session_open(p ? p : pd, &se);
		o->err = from_session(se);
		if (sess) {
			o->has_value = true;
			o->value = TAG_SESSION | r->nsessions;
			r->sessions[r->nsessions++] = sess;
		}
		return 0;
	}
	case OP_RM_CLOSE:
		if (ARG(K_SESSION, 0, &p))
			return -1;
		if (p) {
			unsigned i;

			for (i = 0; i < r->nsessions; i++)
				if (r->sessions[i] == p)
					r->sessions[i] = NULL;
			gn_rm_session_close(p);
		}
		return 0;
	case OP_RM_UPGRADE:
		if (ARG(K_SESSION, 0, &p) || ARG(K_NUM, 1, &n) ||
		    opt_arg(r, st, pos_arg(st, 2), K_NUM, env, &m, why))
			return -1;
		if (!p) {
			o->err = E_DENIED;
			return 0;
		}
		o->err = from_alloc(gn_rm_upgrade(p, n, m));
		return 0;
	case OP_RM_CREATE:
		flag = 1;
		if (ARG(K_NUM, 0, &n) ||
		    opt_arg(r, st, key_arg(st, "session"), K_SESSION, env, &p,
			    why) ||
		    opt_arg(r, st, key_arg(st, "retry"), K_NUM, env, &flag,
			    why))
			return -1;
		sess = key_arg(st, "session") ? p
					      : implicit_session(r, &o->err);
		if (!sess) {
			if (!o->err)
				o->err = E_DENIED;
			return 0;
		}
		o->err = from_alloc(flag ? gn_rm_create(sess, n, &map)
					 : gn_rm_create_once(sess, n, &map));
		o->has_value = !o->err;
		o->value = map.id;
		return 0;
	case OP_RM_DESTROY: {
		struct gn_rmap *rm;

		if (ARG(K_MAP, 0, &map))
			return -1;
		rm = gn_rmap_get(map);
		if (rm && rm->session)
			gn_rm_destroy(rm->session, map);
		return 0;
	}
	case OP_RM_AVAIL_RAM:
	case OP_RM_AVAIL_CAPS:
		if (ARG(K_SESSION, 0, &p))
			return -1;
		o->has_value = p != NULL;
		o->err = p ? E_NONE : E_DENIED;
		if (p)
			o->value = st->spec->op == OP_RM_AVAIL_RAM
					   ? gn_rm_avail_ram(p)
					   : gn_rm_avail_caps(p);
		return 0;
	case OP_ATTACH:
		memset(&attr, 0, sizeof(attr));
		if (ARG(K_MAP, 0, &map) || ARG(K_DS, 1, &ds))
			return -1;
		if (opt_arg(r, st, key_arg(st, "size"), K_NUM, env, &attr.size,
			    why) ||
		    opt_arg(r, st, key_arg(st, "offset"), K_NUM, env,
			    &attr.offset, why))
			return -1;
		if (key_arg(st, "at")) {
			attr.use_at = true;
			if (opt_arg(r, st, key_arg(st, "at"), K_NUM, env,
				    &attr.at, why))
				return -1;
		}
		n = m = 0;
		if (opt_arg(r, st, key_arg(st, "writeable"), K_NUM, env, &n,
			    why) ||
		    opt_arg(r, st, key_arg(st, "executable"), K_NUM, env, &m,
			    why))
			return -1;
		attr.writeable = n != 0;
		attr.executable = m != 0;
		o->err = from_attach(gn_region_map_attach(map, ds, &attr,
							  &range));
		o->has_value = !o->err;
		o->value = range.start;
		return 0;
	case OP_DETACH:
		if (ARG(K_MAP, 0, &map) || ARG(K_NUM, 1, &n))
			return -1;
		gn_region_map_detach(map, n);
		return 0;
	case OP_DATASPACE:
		if (ARG(K_MAP, 0, &map))
			return -1;
		ds = gn_region_map_dataspace(map);
		o->has_value = true;
		o->value = ds.id;
		return 0;
	case OP_FAULT_HANDLER:
		if (ARG(K_MAP, 0, &map) || ARG(K_HANDLER, 1, &h))
			return -1;
		gn_region_map_fault_handler(map, &h);
		return 0;
	case OP_FAULT:
		if (ARG(K_MAP, 0, &map))
			return -1;
		o->fault = gn_region_map_fault(map);
		return 0;
	case OP_AVAIL_RAM:
	case OP_AVAIL_CAPS:
		if (opt_arg(r, st, pos_arg(st, 0), K_PD, env, &p, why))
			return -1;
		if (pos_arg(st, 0) && !p) {
			o->err = E_DENIED;
			return 0;
		}
		if (p)
			pd = p;
		o->has_value = true;
		o->value = st->spec->op == OP_AVAIL_RAM ? gn_pd_avail_ram(pd)
							: gn_pd_avail_caps(pd);
		return 0;
	case OP_PD_OPEN: {
		enum gn_session_error se;

		if (r->npds == MAX_HANDLES) {
			*why = "too many PDs in one case";
			return -1;
		}
		pd = gn_pd_connection(c, &se);
		o->err = from_session(se);
		if (pd) {
			o->has_value = true;
			o->value = TAG_PD | r->npds;
			r->pds[r->npds++] = pd;
		}
		return 0;
	}
	case OP_PD_CLOSE:
		if (ARG(K_PD, 0, &p))
			return -1;
		if (p && p != r->pds[0]) {
			unsigned i;

			for (i = 0; i < r->npds; i++)
				if (r->pds[i] == p)
					r->pds[i] = NULL;
			gn_pd_close(p);
		}
		return 0;
	case OP_TRANSFER:
		if (ARG(K_PD, 0, &p) || ARG(K_NUM, 1, &n) ||
		    opt_arg(r, st, pos_arg(st, 2), K_NUM, env, &m, why))
			return -1;
		o->err = p ? from_alloc(gn_pd_transfer_quota(pd, p, n, m))
			   : E_DENIED;
		return 0;
	case OP_PD_UPGRADE:
		if (ARG(K_NUM, 0, &n) ||
		    opt_arg(r, st, pos_arg(st, 1), K_NUM, env, &m, why) ||
		    opt_arg(r, st, key_arg(st, "pd"), K_PD, env, &p, why))
			return -1;
		gn_pd_upgrade(p ? p : pd, n, m);
		return 0;
	case OP_EXEC:
		if (ARG(K_NUM, 0, &n))
			return -1;
		o->segv = gn_exec(c, n) != GN_ACCESS_OK;
		return 0;
	case OP_BLOCKED:
		o->has_value = true;
		o->value = gn_metrics(c)->blocked;
		return 0;
	case OP_ATTACHMENTS:
		if (ARG(K_MAP, 0, &map))
			return -1;
		o->has_value = true;
		o->value = gn_region_map_count(map);
		return 0;
	}
	*why = "unknown statement";
	return -1;
}

static void describe(const struct gn_case_stmt *st, const struct outcome *o,
		     char *buf, size_t size)
{
	if (st->spec->result == R_FAULT) {
		if (o->fault.type == GN_FAULT_NONE)
			snprintf(buf, size, "NONE");
		else
			snprintf(buf, size, "%s %#" PRIx64,
				 gn_fault_type_name(o->fault.type),
				 o->fault.addr);
	} else if (st->spec->result == R_ACCESS) {
		snprintf(buf, size, "%s", o->segv ? "SEGV" : "success");
	} else if (o->err) {
		snprintf(buf, size, "%s", gn_case_err_names[o->err]);
	} else if (o->has_value) {
		snprintf(buf, size, "%#" PRIx64, o->value);
	} else {
		snprintf(buf, size, "success");
	}
}

enum gn_case_verdict gn_case_step(struct gn_case_run *r,
				  const struct gn_case_stmt *st,
				  const struct tr_expr_env *env,
				  uint64_t *val, char *got, size_t gsize,
				  char *want, size_t wsize)
{
	struct outcome o;
	const char *why = NULL;
	uint64_t expected = 0;
	unsigned e;
	bool ok = false;

	*val = 0;
	if (run_op(r, st, env, &o, &why)) {
		snprintf(got, gsize, "cannot evaluate: %s",
			 why ? why : "bad argument");
		return GN_CASE_ERROR;
	}
	describe(st, &o, got, gsize);
	*val = o.value;
	switch (st->expect) {
	case X_SUCCESS:
		snprintf(want, wsize, "success");
		ok = !o.err && !o.segv;
		break;
	case X_VALUE:
		if (gn_case_eval_num(st->expect_text, st->expect_len, env, &expected,
			     &why)) {
			snprintf(got, gsize, "cannot evaluate: %s", why);
			return GN_CASE_ERROR;
		}
		snprintf(want, wsize, "%#" PRIx64, expected);
		ok = !o.err && o.has_value && o.value == expected;
		break;
	case X_ERRORS:
		want[0] = '\0';
		for (e = 1; e < E_NERR; e++)
			if (st->errors & ERR(e))
				snprintf(want + strlen(want),
					 wsize - strlen(want), "%s%s",
					 want[0] ? "|" : "", gn_case_err_names[e]);
		ok = o.err && (st->errors & ERR(o.err));
		break;
	case X_FAULT:
		if (st->fault_type == GN_FAULT_NONE) {
			snprintf(want, wsize, "NONE");
			ok = o.fault.type == GN_FAULT_NONE;
			break;
		}
		if (gn_case_eval_num(st->expect_text, st->expect_len, env, &expected,
			     &why)) {
			snprintf(got, gsize, "cannot evaluate: %s", why);
			return GN_CASE_ERROR;
		}
		snprintf(want, wsize, "%s %#" PRIx64,
			 gn_fault_type_name(st->fault_type), expected);
		ok = o.fault.type == st->fault_type &&
		     o.fault.addr == expected;
		break;
	case X_SEGV:
		snprintf(want, wsize, "SEGV");
		ok = o.segv;
		break;
	}
	return ok ? GN_CASE_PASS : GN_CASE_FAIL;
}
