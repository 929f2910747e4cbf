/*
 * args_expr.c - the case language's expressions (tests/cases/README.md),
 * read with the cursor args.c reads strace's arguments with: where a case
 * writes a call, each argument is an expression over what strace prints.
 *
 * C's precedence: '|' below '+' and '-', below '*', below unary '-'.
 * Primary values are what strace prints (numbers, constant names, NULL)
 * plus $variables, PG and the KiB/MiB/GiB multipliers.  Arithmetic wraps
 * modulo 2^64, as address arithmetic does.  Parentheses and unary
 * minuses nest by recursion, at most EXPR_DEPTH_MAX deep.
 */
#include "args_cur.h"

static int expr_unary(struct tr_cur *c, uint64_t *out)
{
	static const struct {
		const char *name;
		uint64_t value;
	} units[] = {
		{"PG", LX_PAGE_SIZE},
		{"KiB", (uint64_t)1 << 10},
		{"MiB", (uint64_t)1 << 20},
		{"GiB", (uint64_t)1 << 30},
	};
	bool numeric;
	size_t start, n, k;
	int ch;

	ws(c);
	ch = peek(c);
	if ((ch == '-' || ch == '(') && c->depth >= EXPR_DEPTH_MAX)
		return err(c, "expression nested too deeply");
	if (ch == '-') {
		c->i++;
		c->depth++;
		if (expr_unary(c, out))
			return -1;
		c->depth--;
		*out = (uint64_t)0 - *out;
		return 0;
	}
	if (ch == '(') {
		c->i++;
		c->depth++;
		if (tr_args_expr(c, out))
			return -1;
		c->depth--;
		ws(c);
		if (peek(c) != ')')
			return err(c, "expected ')' in expression");
		c->i++;
		return 0;
	}
	if (ch == '$') {
		start = ++c->i;
		while (c->i < c->len && is_ident(c->s[c->i]))
			c->i++;
		if (c->i == start)
			return err(c, "expected a variable name after '$'");
		if (c->env->lookup(c->env->ctx, c->s + start, c->i - start,
				   out))
			return err(c, "unknown variable");
		return 0;
	}
	if (is_ident_start((char)ch)) {
		start = c->i;
		while (c->i < c->len && is_ident(c->s[c->i]))
			c->i++;
		n = c->i - start;
		for (k = 0; k < sizeof(units) / sizeof(units[0]); k++)
			if (strlen(units[k].name) == n &&
			    memcmp(c->s + start, units[k].name, n) == 0) {
				*out = units[k].value;
				return 0;
			}
		c->i = start;
	}
	if (tr_args_term(c, out, &numeric, NULL, 0))
		return -1;
	if (!numeric)
		return err(c, "expected a number");
	return 0;
}

static int expr_mul(struct tr_cur *c, uint64_t *out)
{
	uint64_t r;

	if (expr_unary(c, out))
		return -1;
	for (;;) {
		ws(c);
		if (peek(c) != '*')
			return 0;
		c->i++;
		if (expr_unary(c, &r))
			return -1;
		*out *= r;
	}
}

static int expr_add(struct tr_cur *c, uint64_t *out)
{
	uint64_t r;
	int op;

	if (expr_mul(c, out))
		return -1;
	for (;;) {
		ws(c);
		op = peek(c);
		if (op != '+' && op != '-')
			return 0;
		c->i++;
		if (expr_mul(c, &r))
			return -1;
		*out = op == '+' ? *out + r : *out - r;
	}
}

int tr_args_expr(struct tr_cur *c, uint64_t *out)
{
	uint64_t r;

	if (expr_add(c, out))
		return -1;
	for (;;) {
		if (tr_args_comment(c))
			return -1;
		ws(c);
		if (peek(c) != '|')
			return 0;
		c->i++;
		if (expr_add(c, &r))
			return -1;
		*out |= r;
	}
}

int tr_parse_expr(const char *s, size_t len, const struct tr_expr_env *env,
		  uint64_t *val, size_t *end, const char **why)
{
	struct tr_cur c = {s, len, 0, NULL, env, 0};

	if (tr_args_expr(&c, val)) {
		*why = c.why;
		return -1;
	}
	*end = c.i;
	return 0;
}
