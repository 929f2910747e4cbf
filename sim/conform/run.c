/*
 * run.c - run a checked case on one backend.
 *
 * A fresh address space per run; statements in order; the first one
 * whose outcome differs from the expected one fails the case, and the
 * detail names its line, text, what was expected and what happened.  A
 * backend that breaks (the native child crashed) is an error, never a
 * result.
 */
#include "case_internal.h"

#include "genode/gn_case.h"
#include "rmsim/abi.h"
#include "target/target.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

/* Errors that mean "the backend broke", not "the call failed". */
#define CF_EBROKEN TG_EBROKEN

struct run_env {
	const struct cf_case *c;
	uint64_t val[CF_MAX_VARS];
	bool set[CF_MAX_VARS];
};

static int lookup(void *ctx, const char *name, size_t len, uint64_t *val)
{
	struct run_env *e = ctx;
	unsigned i;

	for (i = 0; i < e->c->nvars; i++)
		if (e->set[i] && strlen(e->c->vars[i]) == len &&
		    memcmp(e->c->vars[i], name, len) == 0) {
			*val = e->val[i];
			return 0;
		}
	return -1;
}

const char *cf_verdict_name(enum cf_verdict v)
{
	static const char *const names[] = {"pass", "fail", "unsupported",
					    "error"};

	return (unsigned)v < 4 ? names[v] : "?";
}

static int cmp_version(const int a[3], const int b[3])
{
	int i;

	for (i = 0; i < 3; i++)
		if (a[i] != b[i])
			return a[i] < b[i] ? -1 : 1;
	return 0;
}

/* NULL when every requirement holds, else the first one not met. */
static const char *unmet(const struct cf_case *c, const struct cf_backend *b)
{
	unsigned i;

	for (i = 0; i < c->nreqs; i++) {
		const struct cf_req *r = &c->reqs[i];
		int k;
		bool ok = true;

		switch (r->kind) {
		case CF_REQ_ROOT:
			ok = b->root;
			break;
		case CF_REQ_NONROOT:
			ok = !b->root;
			break;
		case CF_REQ_BACKEND:
			ok = strcmp(r->backend, b->name) == 0;
			break;
		case CF_REQ_LAYOUT: {
			/* NAME, NAME* (prefix) or *NAME (suffix) */
			size_t n = strlen(r->backend), l;
			bool head = n && r->backend[n - 1] == '*';
			bool tail = n && r->backend[0] == '*';

			l = b->layout ? strlen(b->layout) : 0;
			ok = b->layout &&
			     (head ? strncmp(b->layout, r->backend, n - 1) == 0
			      : tail ? l >= n - 1 &&
					       strcmp(b->layout + l - (n - 1),
						      r->backend + 1) == 0
				     : strcmp(b->layout, r->backend) == 0);
			if (r->op == '!')
				ok = b->layout && !ok;
			break;
		}
		case CF_REQ_GENODE:
			k = r->version[0] * 100 + r->version[1];
			k = b->genode_version < k ? -1 : b->genode_version > k;
			ok = b->genode_version &&
			     ((r->op == 'g' && k >= 0) ||
			      (r->op == 'l' && k <= 0) ||
			      (r->op == '>' && k > 0) ||
			      (r->op == '<' && k < 0) || (r->op == '=' && !k));
			break;
		case CF_REQ_LINUX:
			k = cmp_version(b->kernel, r->version);
			ok = (r->op == 'g' && k >= 0) ||
			     (r->op == 'l' && k <= 0) ||
			     (r->op == '>' && k > 0) ||
			     (r->op == '<' && k < 0) || (r->op == '=' && !k);
			break;
		}
		if (!ok)
			return r->text;
	}
	return NULL;
}

static void describe(char *buf, size_t size, int rc, uint64_t val)
{
	if (rc == CF_EBROKEN)
		snprintf(buf, size, "backend failure");
	else if (rc < 0)
		snprintf(buf, size, "-1 %s",
			 abi_errno_name(-rc) ? abi_errno_name(-rc) : "E?");
	else
		snprintf(buf, size, "%#" PRIx64, val);
}

static void prot_str(int prot, char *buf)
{
	if (prot < 0) {
		strcpy(buf, "unmapped");
		return;
	}
	buf[0] = prot & LX_PROT_READ ? 'r' : '-';
	buf[1] = prot & LX_PROT_WRITE ? 'w' : '-';
	buf[2] = prot & LX_PROT_EXEC ? 'x' : '-';
	buf[3] = '\0';
}

/* Run one statement; 0 when it went as expected, else fills @detail. */
static enum cf_verdict step(const struct cf_stmt *st,
			    const struct tg_target *t, void *space,
			    struct gn_case_run *gr, struct run_env *env,
			    char *got, size_t gsize, char *want, size_t wsize)
{
	struct tr_expr_env xe = {lookup, env};
	struct tr_event ev;
	struct tg_call call;
	const char *why;
	uint64_t addr = 0, v = 0, val = 0, expected = 0;
	size_t end, e2;
	uint8_t byte;
	int rc, prot, i;

	memset(&call, 0, sizeof(call));
	if (st->kind == CF_GENODE) {
		enum gn_case_verdict gv = gn_case_step(gr, st->gn, &xe, &val,
						       got, gsize, want,
						       wsize);

		if (gv == GN_CASE_PASS && st->bind >= 0) {
			env->val[st->bind] = val;
			env->set[st->bind] = true;
		}
		return gv == GN_CASE_PASS   ? CF_PASS
		       : gv == GN_CASE_FAIL ? CF_FAIL
					    : CF_ERROR;
	}
	if (st->kind == CF_CALL) {
		if (tr_parse_case_call(st->call, st->args, strlen(st->args),
				       &xe, &ev, &end, &why)) {
			snprintf(got, gsize, "cannot evaluate: %s", why);
			return CF_ERROR;
		}
		call.call = st->call;
		memcpy(call.arg, ev.arg, sizeof(call.arg));
		rc = t->call(t->ctx, space, &call, &val);
		/* calls that return a value: an address, an fd, the
		 * MDWE bits */
		if (st->call != TR_MMAP && st->call != TR_MREMAP &&
		    st->call != TR_BRK && st->call != TR_MEMFD_SECRET &&
		    st->call != TR_PRCTL && rc == 0)
			val = 0;
	} else {
		if (tr_parse_expr(st->args, strlen(st->args), &xe, &addr, &end,
				  &why)) {
			snprintf(got, gsize, "cannot evaluate: %s", why);
			return CF_ERROR;
		}
		if (st->kind == CF_STORE &&
		    tr_parse_expr(st->args + end + 1,
				  strlen(st->args + end + 1), &xe, &v, &e2,
				  &why)) {
			snprintf(got, gsize, "cannot evaluate: %s", why);
			return CF_ERROR;
		}
		if (st->kind == CF_LOAD) {
			rc = t->load(t->ctx, space, addr, &byte);
			val = byte;
		} else if (st->kind == CF_STORE) {
			rc = t->store(t->ctx, space, addr, (uint8_t)v);
		} else {
			rc = t->prot(t->ctx, space, addr & LX_PAGE_MASK,
				     &prot);
			if (rc == -ENOMEM) {
				prot = -1;
				rc = 0;
			}
		}
	}
	if (rc == CF_EBROKEN) {
		const char *dead = t->broken ? t->broken(t->ctx, space) : NULL;

		snprintf(got, gsize, "the backend failed: %s",
			 dead ? dead : "it stopped answering");
		return CF_ERROR;
	}
	if (rc == TG_EREFUSED) {
		/* the backend cannot run this here: not a result */
		snprintf(got, gsize, "a refusal: the backend cannot run this "
				     "call without breaking itself");
		return CF_UNSUPPORTED;
	}
	switch (st->expect) {
	case CF_EXP_SUCCESS:
		snprintf(want, wsize, "success");
		if (st->kind == CF_STORE && rc == -EFAULT)
			snprintf(got, gsize, "SEGV");
		else
			describe(got, gsize, rc, val);
		if (rc < 0)
			return CF_FAIL;
		if (st->bind >= 0) {
			env->val[st->bind] = val;
			env->set[st->bind] = true;
		}
		return CF_PASS;
	case CF_EXP_VALUE:
		if (tr_parse_expr(st->expect_text, strlen(st->expect_text),
				  &xe, &expected, &end, &why)) {
			snprintf(got, gsize, "cannot evaluate: %s", why);
			return CF_ERROR;
		}
		snprintf(want, wsize, "%#" PRIx64, expected);
		if (st->kind == CF_LOAD && rc == -EFAULT)
			snprintf(got, gsize, "SEGV");
		else
			describe(got, gsize, rc, val);
		return rc == 0 && val == expected ? CF_PASS : CF_FAIL;
	case CF_EXP_ERRNO:
		want[0] = '\0';
		for (i = 0; i < st->nerrnos; i++)
			snprintf(want + strlen(want), wsize - strlen(want),
				 "%s%s", i ? "|" : "-1 ",
				 abi_errno_name(st->errnos[i]));
		describe(got, gsize, rc, val);
		for (i = 0; i < st->nerrnos; i++)
			if (rc == -st->errnos[i])
				return CF_PASS;
		return CF_FAIL;
	case CF_EXP_SEGV:
		snprintf(want, wsize, "SEGV");
		if (rc == -EFAULT || rc == -EIO) {
			snprintf(got, gsize, "SEGV");
			return CF_PASS;
		}
		describe(got, gsize, rc, val);
		return CF_FAIL;
	case CF_EXP_PROT:
		prot_str(st->prot, want);
		prot_str(prot, got);
		return prot == st->prot ? CF_PASS : CF_FAIL;
	}
	return CF_ERROR;
}

enum cf_verdict cf_run(const struct cf_case *c, const struct cf_backend *b,
		       char *detail, size_t size)
{
	const struct tg_target *t = b->target;
	struct run_env env;
	char got[256], want[128];
	const char *req = unmet(c, b);
	enum cf_verdict v = CF_PASS;
	struct gn_case_run *gr = NULL;
	struct gn_ctx *gn = NULL;
	void *space;
	unsigned i;

	detail[0] = '\0';
	if (req) {
		snprintf(detail, size, "requires %s", req);
		return CF_UNSUPPORTED;
	}
	if (c->genode && !b->genode) {
		snprintf(detail, size, "requires a Genode backend (Genode "
			 "statements)");
		return CF_UNSUPPORTED;
	}
	/* the bare Genode model has no mmap: a policy provides it */
	for (i = 0; b->genode && strcmp(b->name, "none") == 0 &&
		    i < c->nstmts;
	     i++)
		if (c->stmts[i].kind == CF_CALL) {
			snprintf(detail, size, "requires a policy (the bare "
				 "Genode model has no %s)",
				 tr_call_name(c->stmts[i].call));
			return CF_UNSUPPORTED;
		}
	space = t->space_new(t->ctx);
	if (!space) {
		snprintf(detail, size, "cannot create an address space");
		return CF_ERROR;
	}
	if (b->genode) {
		gn = b->genode(space);
		gr = gn_case_run_new(gn);
	}
	memset(&env, 0, sizeof(env));
	env.c = c;
	for (i = 0; i < c->nstmts && v == CF_PASS; i++) {
		got[0] = want[0] = '\0';
		/* Genode operations are logged with the case line */
		if (gn)
			gn_set_seq(gn, c->stmts[i].line);
		v = step(&c->stmts[i], t, space, gr, &env, got, sizeof(got),
			 want, sizeof(want));
		if (v != CF_PASS)
			snprintf(detail, size, "line %u: %s: expected %s, got %s",
				 c->stmts[i].line, c->stmts[i].text, want,
				 got);
	}
	gn_case_run_free(gr);
	t->space_free(t->ctx, space);
	return v;
}
