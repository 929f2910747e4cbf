/*
 * args_cur.h - the cursor over a call's argument text that args.c
 * (strace's arguments and results) and args_expr.c (the case language's
 * expressions) share, with the few readers each asks of the other.
 * Nothing outside these two files includes it.
 */
#ifndef RMSIM_TRACE_ARGS_CUR_H
#define RMSIM_TRACE_ARGS_CUR_H

#include "parse.h"

#include <string.h>

struct tr_cur {
	const char *s;
	size_t len;
	size_t i;
	const char *why;
	const struct tr_expr_env *env;	/* case language: expressions */
	unsigned depth;			/* expression nesting so far */
};

/*
 * Parentheses and unary minuses nest by recursion: a bound keeps the
 * stack small whatever the input (strace's own brackets are skipped
 * without recursion, under the same kind of bound).
 */
#define EXPR_DEPTH_MAX 64

static inline bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static inline bool is_ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static inline bool is_ident(char c)
{
	return is_ident_start(c) || is_digit(c);
}

static inline int peek(const struct tr_cur *c)
{
	return c->i < c->len ? (unsigned char)c->s[c->i] : -1;
}

static inline void ws(struct tr_cur *c)
{
	while (c->i < c->len && c->s[c->i] == ' ')
		c->i++;
}

static inline bool lit(struct tr_cur *c, const char *l)
{
	size_t n = strlen(l);

	if (c->len - c->i < n || memcmp(c->s + c->i, l, n) != 0)
		return false;
	c->i += n;
	return true;
}

static inline int err(struct tr_cur *c, const char *why)
{
	c->why = why;
	return -1;
}

/* One term: NULL, number[<path>], NAME, N<<NAME, or a group (args.c).
 * Sets *@numeric false for groups and strings. */
int tr_args_term(struct tr_cur *c, uint64_t *out, bool *numeric, char *path,
		 size_t path_size);
/* Skip a C comment after a value, if present (args.c). */
int tr_args_comment(struct tr_cur *c);
/* An expression of the case language (args_expr.c). */
int tr_args_expr(struct tr_cur *c, uint64_t *out);

#endif
