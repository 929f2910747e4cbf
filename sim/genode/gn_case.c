/*
 * gn_case.c - the Genode statements of the case language: a table of
 * operations with their argument kinds, a reader that checks a statement
 * once (every expression with variables standing for 0), and a runner
 * that evaluates the arguments against the run's bindings, calls the
 * model and compares the outcome with the expected one.
 *
 * Arguments are positional or key=value; a map is `env`, `stack_area`,
 * `linker_area` or an expression giving a capability id; a dataspace is
 * an expression or `dataspace(MAP)`; a fault handler is `populate`,
 * `none` or `invalid`.  Outcomes: a value (an expression after `=`), an
 * error name or several joined by `|`, `NONE` or `READ|WRITE|EXEC addr`
 * for fault(), SEGV for exec().
 */
#include "gn_case.h"

#include "gn_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_ARGS 8
#define MAX_ERRORS 4

/* Handles of PDs and RM sessions carry a tag, so that they never pass
 * for a capability id (whose top bits are a small generation). */
#define TAG_MASK 0xff00000000000000ULL
#define TAG_PD 0xfd00000000000000ULL
#define TAG_SESSION 0xf500000000000000ULL
#define MAX_HANDLES 64

enum op {
	OP_RAM_ALLOC, OP_RAM_FREE, OP_ROM, OP_RM_SESSION, OP_RM_CLOSE,
	OP_RM_UPGRADE, OP_RM_CREATE, OP_RM_DESTROY, OP_RM_AVAIL_RAM,
	OP_RM_AVAIL_CAPS, OP_ATTACH, OP_DETACH, OP_DATASPACE,
	OP_FAULT_HANDLER, OP_FAULT, OP_AVAIL_RAM, OP_AVAIL_CAPS, OP_PD_OPEN,
	OP_PD_CLOSE, OP_TRANSFER, OP_PD_UPGRADE, OP_EXEC, OP_BLOCKED,
	OP_ATTACHMENTS,
};

/* argument kinds */
enum kind { K_NUM, K_MAP, K_DS, K_PD, K_SESSION, K_HANDLER };

/* outcome names */
enum err {
	E_NONE, E_OUT_OF_RAM, E_OUT_OF_CAPS, E_REGION_CONFLICT,
	E_INVALID_DATASPACE, E_DENIED, E_INSUFFICIENT_RAM,
	E_INSUFFICIENT_CAPS, E_NERR
};

static const char *const err_names[E_NERR] = {
	"none", "OUT_OF_RAM", "OUT_OF_CAPS", "REGION_CONFLICT",
	"INVALID_DATASPACE", "DENIED", "INSUFFICIENT_RAM",
	"INSUFFICIENT_CAPS",
};

#define ERR(e) (1u << (e))
#define ALLOC_ERRS (ERR(E_OUT_OF_RAM) | ERR(E_OUT_OF_CAPS) | ERR(E_DENIED))
#define SESSION_ERRS (ERR(E_INSUFFICIENT_RAM) | ERR(E_INSUFFICIENT_CAPS))
#define ATTACH_ERRS                                                         \
	(ERR(E_OUT_OF_RAM) | ERR(E_OUT_OF_CAPS) | ERR(E_REGION_CONFLICT) | \
	 ERR(E_INVALID_DATASPACE))

enum result { R_NONE, R_VALUE, R_FAULT, R_ACCESS };

struct op_spec {
	const char *name;
	enum op op;
	unsigned min, max;		/* positional arguments */
	enum kind pos[3];
	const char *keys[6];		/* key=value arguments */
	enum kind key_kind[6];
	enum result result;
	unsigned errors;		/* which error names may be expected */
};

static const struct op_spec specs[] = {
	{"ram_alloc", OP_RAM_ALLOC, 1, 1, {K_NUM}, {"pd"}, {K_PD}, R_VALUE,
	 ALLOC_ERRS},
	{"ram_free", OP_RAM_FREE, 1, 1, {K_DS}, {"pd"}, {K_PD}, R_NONE, 0},
	{"rom", OP_ROM, 1, 1, {K_NUM}, {"fill"}, {K_NUM}, R_VALUE, 0},
	{"rm_session", OP_RM_SESSION, 0, 0, {0}, {"pd"}, {K_PD}, R_VALUE,
	 SESSION_ERRS},
	{"rm_close", OP_RM_CLOSE, 1, 1, {K_SESSION}, {0}, {0}, R_NONE, 0},
	{"rm_upgrade", OP_RM_UPGRADE, 2, 3, {K_SESSION, K_NUM, K_NUM}, {0},
	 {0}, R_NONE, ERR(E_OUT_OF_RAM) | ERR(E_OUT_OF_CAPS)},
	{"rm_create", OP_RM_CREATE, 1, 1, {K_NUM}, {"session", "retry"},
	 {K_SESSION, K_NUM}, R_VALUE, ALLOC_ERRS},
	{"rm_destroy", OP_RM_DESTROY, 1, 1, {K_MAP}, {0}, {0}, R_NONE, 0},
	{"rm_avail_ram", OP_RM_AVAIL_RAM, 1, 1, {K_SESSION}, {0}, {0},
	 R_VALUE, 0},
	{"rm_avail_caps", OP_RM_AVAIL_CAPS, 1, 1, {K_SESSION}, {0}, {0},
	 R_VALUE, 0},
	{"attach", OP_ATTACH, 2, 2, {K_MAP, K_DS},
	 {"size", "offset", "at", "writeable", "executable"},
	 {K_NUM, K_NUM, K_NUM, K_NUM, K_NUM}, R_VALUE, ATTACH_ERRS},
	{"detach", OP_DETACH, 2, 2, {K_MAP, K_NUM}, {0}, {0}, R_NONE, 0},
	{"dataspace", OP_DATASPACE, 1, 1, {K_MAP}, {0}, {0}, R_VALUE, 0},
	{"fault_handler", OP_FAULT_HANDLER, 2, 2, {K_MAP, K_HANDLER}, {0},
	 {0}, R_NONE, 0},
	{"fault", OP_FAULT, 1, 1, {K_MAP}, {0}, {0}, R_FAULT, 0},
	{"avail_ram", OP_AVAIL_RAM, 0, 1, {K_PD}, {0}, {0}, R_VALUE, 0},
	{"avail_caps", OP_AVAIL_CAPS, 0, 1, {K_PD}, {0}, {0}, R_VALUE, 0},
	{"pd_open", OP_PD_OPEN, 0, 0, {0}, {0}, {0}, R_VALUE, SESSION_ERRS},
	{"pd_close", OP_PD_CLOSE, 1, 1, {K_PD}, {0}, {0}, R_NONE, 0},
	{"transfer_quota", OP_TRANSFER, 2, 3, {K_PD, K_NUM, K_NUM}, {0}, {0},
	 R_NONE, ALLOC_ERRS},
	{"pd_upgrade", OP_PD_UPGRADE, 1, 2, {K_NUM, K_NUM}, {"pd"}, {K_PD},
	 R_NONE, 0},
	{"exec", OP_EXEC, 1, 1, {K_NUM}, {0}, {0}, R_ACCESS, 0},
	{"blocked", OP_BLOCKED, 0, 0, {0}, {0}, {0}, R_VALUE, 0},
	{"attachments", OP_ATTACHMENTS, 1, 1, {K_MAP}, {0}, {0}, R_VALUE, 0},
};

#define NSPECS (sizeof(specs) / sizeof(specs[0]))

struct arg {
	int key;		/* index into spec keys, or -1 */
	char *text;
	size_t len;
};

enum expect { X_SUCCESS, X_VALUE, X_ERRORS, X_FAULT, X_SEGV };

struct gn_case_stmt {
	const struct op_spec *spec;
	char *buf;		/* our copy of the arguments and outcome */
	struct arg args[MAX_ARGS];
	unsigned nargs;
	enum expect expect;
	char *expect_text;	/* X_VALUE, X_FAULT: the expression */
	size_t expect_len;
	unsigned errors;	/* X_ERRORS: accepted names */
	enum gn_fault_type fault_type;
};

struct gn_case_run {
	struct gn_ctx *ctx;
	struct gn_pd *pds[MAX_HANDLES];		/* [0] is env */
	struct gn_rm_connection *sessions[MAX_HANDLES];
	unsigned npds, nsessions;
	struct gn_rm_connection *implicit;	/* for rm_create */
};

static const struct op_spec *find_spec(const char *name, size_t len)
{
	size_t i;

	for (i = 0; i < NSPECS; i++)
		if (strlen(specs[i].name) == len &&
		    memcmp(specs[i].name, name, len) == 0)
			return &specs[i];
	return NULL;
}

bool gn_case_is_statement(const char *name, size_t len)
{
	return find_spec(name, len) != NULL;
}

static const char *trim(const char *s, size_t *len)
{
	while (*len && isspace((unsigned char)*s)) {
		s++;
		(*len)--;
	}
	while (*len && isspace((unsigned char)s[*len - 1]))
		(*len)--;
	return s;
}

static bool word_is(const char *s, size_t len, const char *w)
{
	return strlen(w) == len && memcmp(s, w, len) == 0;
}

/* ---- evaluation (shared by the check and the run) ---- */

static int eval_num(const char *s, size_t len, const struct tr_expr_env *env,
		    uint64_t *v, const char **why)
{
	size_t end;

	if (tr_parse_expr(s, len, env, v, &end, why))
		return -1;
	while (end < len && isspace((unsigned char)s[end]))
		end++;
	if (end != len) {
		*why = "unexpected text in an argument";
		return -1;
	}
	return 0;
}

/* A map: a keyword or an id; the model may be NULL (checking). */
static int eval_map(struct gn_case_run *r, const char *s, size_t len,
		    const struct tr_expr_env *env, gn_rm_cap *out,
		    const char **why)
{
	struct gn_ctx *c = r ? r->ctx : NULL;
	uint64_t id;

	out->ctx = c;
	out->id = 0;
	if (word_is(s, len, "env")) {
		if (c)
			*out = gn_env_rm(c);
		return 0;
	}
	if (word_is(s, len, "stack_area")) {
		if (c)
			*out = gn_pd_stack_area(gn_env_pd(c));
		return 0;
	}
	if (word_is(s, len, "linker_area")) {
		if (c)
			*out = gn_pd_linker_area(gn_env_pd(c));
		return 0;
	}
	if (eval_num(s, len, env, &id, why))
		return -1;
	out->id = id;
	return 0;
}

static int eval_ds(struct gn_case_run *r, const char *s, size_t len,
		   const struct tr_expr_env *env, gn_ds_cap *out,
		   const char **why)
{
	gn_rm_cap map;
	uint64_t id;

	out->ctx = r ? r->ctx : NULL;
	out->id = 0;
	if (len > 10 && memcmp(s, "dataspace(", 10) == 0 &&
	    s[len - 1] == ')') {
		size_t il = len - 11;
		const char *in = trim(s + 10, &il);

		if (eval_map(r, in, il, env, &map, why))
			return -1;
		if (r)
			*out = gn_region_map_dataspace(map);
		return 0;
	}
	if (eval_num(s, len, env, &id, why))
		return -1;
	out->id = id;
	return 0;
}

static int eval_handle(struct gn_case_run *r, const char *s, size_t len,
		       const struct tr_expr_env *env, uint64_t tag,
		       void **out, const char **why)
{
	uint64_t v;
	unsigned idx;

	*out = NULL;
	if (tag == TAG_PD && word_is(s, len, "env")) {
		if (r)
			*out = r->pds[0];
		return 0;
	}
	if (eval_num(s, len, env, &v, why))
		return -1;
	if (!r)
		return 0;
	idx = (unsigned)(v & ~TAG_MASK);
	if ((v & TAG_MASK) != tag)
		return 0;
	if (tag == TAG_PD && idx < r->npds)
		*out = r->pds[idx];
	if (tag == TAG_SESSION && idx < r->nsessions)
		*out = r->sessions[idx];
	return 0;
}

static int eval_handler(const char *s, size_t len,
			struct gn_fault_handler *h, const char **why)
{
	memset(h, 0, sizeof(*h));
	if (word_is(s, len, "populate"))
		h->kind = GN_HANDLER_POPULATE;
	else if (word_is(s, len, "none"))
		h->kind = GN_HANDLER_NONE;
	else if (word_is(s, len, "invalid"))
		h->kind = GN_HANDLER_INVALID;
	else {
		*why = "a fault handler is populate, none or invalid";
		return -1;
	}
	return 0;
}

/* Evaluate (or, with @r NULL, check) one argument of @k. */
static int eval_arg(struct gn_case_run *r, enum kind k, const struct arg *a,
		    const struct tr_expr_env *env, void *out,
		    const char **why)
{
	uint64_t scratch;
	void *p;

	switch (k) {
	case K_NUM:
		return eval_num(a->text, a->len, env,
				out ? out : &scratch, why);
	case K_MAP: {
		gn_rm_cap m;

		if (eval_map(r, a->text, a->len, env, &m, why))
			return -1;
		if (out)
			*(gn_rm_cap *)out = m;
		return 0;
	}
	case K_DS: {
		gn_ds_cap d;

		if (eval_ds(r, a->text, a->len, env, &d, why))
			return -1;
		if (out)
			*(gn_ds_cap *)out = d;
		return 0;
	}
	case K_PD:
	case K_SESSION:
		if (eval_handle(r, a->text, a->len, env,
				k == K_PD ? TAG_PD : TAG_SESSION, &p, why))
			return -1;
		if (out)
			*(void **)out = p;
		return 0;
	case K_HANDLER: {
		struct gn_fault_handler h;

		if (eval_handler(a->text, a->len, &h, why))
			return -1;
		if (out)
			*(struct gn_fault_handler *)out = h;
		return 0;
	}
	}
	return -1;
}

/* ---- reading ---- */

void gn_case_stmt_free(struct gn_case_stmt *st)
{
	if (!st)
		return;
	free(st->buf);
	free(st);
}

/* Split the argument text at top-level commas. */
static const char *split_args(struct gn_case_stmt *st, char *s, size_t len)
{
	size_t i = 0, start = 0;
	int depth = 0;

	while (i <= len) {
		if (i == len || (s[i] == ',' && depth == 0)) {
			size_t al = i - start, kl;
			const char *a = trim(s + start, &al);
			struct arg *arg;

			if (al == 0) {
				if (i == len && st->nargs == 0)
					return NULL;	/* no arguments */
				return "empty argument";
			}
			if (st->nargs == MAX_ARGS)
				return "too many arguments";
			arg = &st->args[st->nargs++];
			arg->key = -1;
			arg->text = (char *)a;
			arg->len = al;
			/* key=value: an identifier before a lone '=' */
			for (kl = 0; kl < al; kl++)
				if (!isalnum((unsigned char)a[kl]) &&
				    a[kl] != '_')
					break;
			if (kl > 0 && kl < al && a[kl] == '=' &&
			    (kl + 1 >= al || a[kl + 1] != '=')) {
				unsigned k;
				size_t vl = al - kl - 1;
				const char *v = trim(a + kl + 1, &vl);

				for (k = 0; k < 6 && st->spec->keys[k]; k++)
					if (word_is(a, kl, st->spec->keys[k]))
						break;
				if (k == 6 || !st->spec->keys[k])
					return "unknown key for this statement";
				if (vl == 0)
					return "expected a value after '='";
				arg->key = (int)k;
				arg->text = (char *)v;
				arg->len = vl;
			}
			start = i + 1;
		} else if (s[i] == '(') {
			depth++;
		} else if (s[i] == ')') {
			depth--;
		}
		i++;
	}
	return NULL;
}

static const char *parse_expect(struct gn_case_stmt *st, char *s, size_t len,
				const struct tr_expr_env *env)
{
	const struct op_spec *sp = st->spec;
	uint64_t v;
	size_t i = 0, start;
	const char *why;

	s = (char *)trim(s, &len);
	if (len == 0)
		return "expected a result after '='";
	if (sp->result == R_ACCESS) {
		if (!word_is(s, len, "SEGV"))
			return "exec() can only be expected to SEGV";
		st->expect = X_SEGV;
		return NULL;
	}
	if (sp->result == R_FAULT) {
		static const char *const types[] = {"NONE", "READ", "WRITE",
						    "EXEC"};
		unsigned t;

		for (t = 0; t < 4; t++) {
			size_t tl = strlen(types[t]);

			if (len >= tl && memcmp(s, types[t], tl) == 0 &&
			    (len == tl || s[tl] == ' '))
				break;
		}
		if (t == 4)
			return "expected NONE, or READ, WRITE or EXEC and "
			       "an address";
		st->expect = X_FAULT;
		st->fault_type = (enum gn_fault_type)t;
		if (t == 0) {
			if (len != 4)
				return "NONE takes no address";
			return NULL;
		}
		st->expect_text = s + strlen(types[t]);
		st->expect_len = len - strlen(types[t]);
		st->expect_text = (char *)trim(st->expect_text,
					       &st->expect_len);
		if (!st->expect_len)
			return "expected the fault address";
		return eval_num(st->expect_text, st->expect_len, env, &v, &why)
			       ? why
			       : NULL;
	}
	/* error names, alone or joined by '|' (else an expression) */
	while (i < len && s[i] != '|' && s[i] != ' ')
		i++;
	for (start = 1; start < E_NERR; start++)
		if (word_is(s, i, err_names[start]))
			break;
	i = 0;
	if (start < E_NERR) {
		st->expect = X_ERRORS;
		while (i < len) {
			unsigned e;

			start = i;
			while (i < len && s[i] != '|' && s[i] != ' ')
				i++;
			for (e = 1; e < E_NERR; e++)
				if (word_is(s + start, i - start, err_names[e]))
					break;
			if (e == E_NERR)
				return "unknown result name";
			if (!(sp->errors & ERR(e)))
				return "this statement cannot fail that way";
			st->errors |= ERR(e);
			while (i < len && (s[i] == ' ' || s[i] == '|'))
				i++;
		}
		return NULL;
	}
	if (sp->result != R_VALUE)
		return "this statement has no value to expect";
	st->expect = X_VALUE;
	st->expect_text = s;
	st->expect_len = len;
	return eval_num(s, len, env, &v, &why) ? why : NULL;
}

struct gn_case_stmt *gn_case_parse(const char *name, size_t nlen,
				   const char *args, size_t alen,
				   const char *rest, size_t rlen, bool bound,
				   const struct tr_expr_env *env,
				   const char **why)
{
	struct gn_case_stmt *st = calloc(1, sizeof(*st));
	unsigned npos = 0, i;
	size_t rl = rlen;
	const char *r;

	if (!st) {
		*why = "out of memory";
		return NULL;
	}
	st->spec = find_spec(name, nlen);
	st->buf = malloc(alen + rlen + 2);
	if (!st->spec || !st->buf) {
		*why = st->spec ? "out of memory" : "unknown statement";
		goto error;
	}
	memcpy(st->buf, args, alen);
	st->buf[alen] = '\0';
	memcpy(st->buf + alen + 1, rest, rlen);
	st->buf[alen + 1 + rlen] = '\0';
	*why = split_args(st, st->buf, alen);
	if (*why)
		goto error;
	for (i = 0; i < st->nargs; i++) {
		enum kind k;

		if (st->args[i].key >= 0) {
			k = st->spec->key_kind[st->args[i].key];
		} else {
			if (npos == st->spec->max ||
			    (i > 0 && st->args[i - 1].key >= 0)) {
				*why = npos == st->spec->max
					       ? "too many arguments"
					       : "positional argument after "
						 "a key=value one";
				goto error;
			}
			k = st->spec->pos[npos++];
		}
		if (eval_arg(NULL, k, &st->args[i], env, NULL, why))
			goto error;
	}
	if (npos < st->spec->min) {
		*why = "too few arguments";
		goto error;
	}
	r = trim(st->buf + alen + 1, &rl);
	if (rl == 0) {
		st->expect = X_SUCCESS;
	} else if (r[0] != '=') {
		*why = "expected '=' and a result after the statement";
		goto error;
	} else if (bound) {
		*why = "a binding takes no expected result";
		goto error;
	} else {
		*why = parse_expect(st, (char *)r + 1, rl - 1, env);
		if (*why)
			goto error;
	}
	if (bound && st->spec->result != R_VALUE) {
		*why = "this statement has no value to bind";
		goto error;
	}
	return st;
error:
	gn_case_stmt_free(st);
	return NULL;
}

/* ---- running ---- */

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
	(eval_arg(r, (kind), pos_arg(st, (n)), env, (out), why))

/* Evaluate an optional argument; 0 when absent. */
static int opt_arg(struct gn_case_run *r, const struct gn_case_stmt *st,
		   const struct arg *a, enum kind k,
		   const struct tr_expr_env *env, void *out, const char **why)
{
	if (!a)
		return 0;
	return eval_arg(r, k, a, env, out, why);
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
		snprintf(buf, size, "%s", err_names[o->err]);
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
		if (eval_num(st->expect_text, st->expect_len, env, &expected,
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
					 want[0] ? "|" : "", err_names[e]);
		ok = o.err && (st->errors & ERR(o.err));
		break;
	case X_FAULT:
		if (st->fault_type == GN_FAULT_NONE) {
			snprintf(want, wsize, "NONE");
			ok = o.fault.type == GN_FAULT_NONE;
			break;
		}
		if (eval_num(st->expect_text, st->expect_len, env, &expected,
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
