/*
 * gn_case.c - the Genode statements of the case language: a table of
 * operations with their argument kinds, the evaluation of an argument
 * (a number, a map, a dataspace, a handle, a fault handler), and a
 * reader that checks a statement once (every expression with variables
 * standing for 0).  gn_case_run.c runs a statement read here: it
 * evaluates the arguments against the run's bindings, calls the model
 * and compares the outcome with the expected one.
 *
 * Arguments are positional or key=value; a map is `env`, `stack_area`,
 * `linker_area` or an expression giving a capability id; a dataspace is
 * an expression or `dataspace(MAP)`; a fault handler is `populate`,
 * `none` or `invalid`.  Outcomes: a value (an expression after `=`), an
 * error name or several joined by `|`, `NONE` or `READ|WRITE|EXEC addr`
 * for fault(), SEGV for exec().
 */
#include "gn_case_internal.h"

#include <ctype.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

const char *const gn_case_err_names[E_NERR] = {
	"none", "OUT_OF_RAM", "OUT_OF_CAPS", "REGION_CONFLICT",
	"INVALID_DATASPACE", "DENIED", "INSUFFICIENT_RAM",
	"INSUFFICIENT_CAPS",
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

int gn_case_eval_num(const char *s, size_t len, const struct tr_expr_env *env,
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
	if (gn_case_eval_num(s, len, env, &id, why))
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
	if (gn_case_eval_num(s, len, env, &id, why))
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
	if (gn_case_eval_num(s, len, env, &v, why))
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
int gn_case_eval_arg(struct gn_case_run *r, enum kind k, const struct arg *a,
		    const struct tr_expr_env *env, void *out,
		    const char **why)
{
	uint64_t scratch;
	void *p;

	switch (k) {
	case K_NUM:
		return gn_case_eval_num(a->text, a->len, env,
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
		return gn_case_eval_num(st->expect_text, st->expect_len, env, &v, &why)
			       ? why
			       : NULL;
	}
	/* error names, alone or joined by '|' (else an expression) */
	while (i < len && s[i] != '|' && s[i] != ' ')
		i++;
	for (start = 1; start < E_NERR; start++)
		if (word_is(s, i, gn_case_err_names[start]))
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
				if (word_is(s + start, i - start, gn_case_err_names[e]))
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
	return gn_case_eval_num(s, len, env, &v, &why) ? why : NULL;
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
		if (gn_case_eval_arg(NULL, k, &st->args[i], env, NULL, why))
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

