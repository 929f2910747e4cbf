/*
 * case.c - read a case file and check its form.
 *
 * Each line is a header comment (# case:, # refs:, # requires:), another
 * comment, or one statement.  Checking parses every statement once with
 * the variables bound so far standing for 0, so a typo, an unknown
 * variable or an unknown errno is reported as FILE:LINE before anything
 * runs; running re-parses with real values.
 */
#include "case_internal.h"

#include "genode/gn_case.h"
#include "rmsim/abi.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define CASE_MAX_BYTES (1 << 20)

const char *cf_name(const struct cf_case *c)
{
	return c->name;
}

const char *cf_title(const struct cf_case *c)
{
	return c->title ? c->title : "";
}

const char *cf_path(const struct cf_case *c)
{
	return c->path;
}

void cf_free(struct cf_case *c)
{
	unsigned i;

	if (!c)
		return;
	for (i = 0; i < c->nstmts; i++) {
		free(c->stmts[i].text);
		free(c->stmts[i].expect_text);
		gn_case_stmt_free(c->stmts[i].gn);
	}
	free(c->stmts);
	free(c->reqs);
	free(c->path);
	free(c->name);
	free(c->title);
	free(c->refs);
	free(c);
}

int cf_parse_prot(const char *s, size_t len)
{
	static const char letters[] = "rwx";
	int prot = 0, i;

	if (len != 3)
		return -1;
	for (i = 0; i < 3; i++) {
		if (s[i] == letters[i])
			prot |= 1 << i;
		else if (s[i] != '-')
			return -1;
	}
	return prot;
}

static char *dup_range(const char *s, size_t n)
{
	char *d = malloc(n + 1);

	if (d) {
		memcpy(d, s, n);
		d[n] = '\0';
	}
	return d;
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

/* While checking, every bound variable stands for 0. */
static int dry_lookup(void *ctx, const char *name, size_t len, uint64_t *val)
{
	const struct cf_case *c = ctx;
	unsigned i;

	for (i = 0; i < c->nvars; i++)
		if (strlen(c->vars[i]) == len &&
		    memcmp(c->vars[i], name, len) == 0) {
			*val = 0;
			return 0;
		}
	return -1;
}

/* "linux>=6.13", "root", "nonroot", "backend=native" */
static const char *parse_requirement(struct cf_case *c, const char *s,
				     size_t len)
{
	struct cf_req r;
	size_t i = 0;
	int part = 0;

	memset(&r, 0, sizeof(r));
	snprintf(r.text, sizeof(r.text), "%.*s", (int)len, s);
	if (len == 4 && memcmp(s, "root", 4) == 0) {
		r.kind = CF_REQ_ROOT;
	} else if (len == 7 && memcmp(s, "nonroot", 7) == 0) {
		r.kind = CF_REQ_NONROOT;
	} else if (len > 8 && memcmp(s, "backend=", 8) == 0) {
		r.kind = CF_REQ_BACKEND;
		snprintf(r.backend, sizeof(r.backend), "%.*s", (int)len - 8,
			 s + 8);
	} else if (len > 7 && (memcmp(s, "layout=", 7) == 0 ||
			       memcmp(s, "layout!", 7) == 0)) {
		/* layout=NAME, layout!=NAME; NAME may start or end
		 * with '*' */
		r.kind = CF_REQ_LAYOUT;
		r.op = s[6];
		i = r.op == '=' ? 7 : 8;
		if (r.op == '!' && (len < 9 || s[7] != '='))
			return "expected layout=NAME or layout!=NAME";
		snprintf(r.backend, sizeof(r.backend), "%.*s", (int)(len - i),
			 s + i);
	} else if ((len > 5 && memcmp(s, "linux", 5) == 0) ||
		   (len > 6 && memcmp(s, "genode", 6) == 0)) {
		/* genode>=24.02: the Genode version a model behaves as */
		r.kind = s[0] == 'l' ? CF_REQ_LINUX : CF_REQ_GENODE;
		i = r.kind == CF_REQ_LINUX ? 5 : 6;
		if (i + 1 < len && s[i] == '>' && s[i + 1] == '=') {
			r.op = 'g';
			i += 2;
		} else if (i + 1 < len && s[i] == '<' && s[i + 1] == '=') {
			r.op = 'l';
			i += 2;
		} else if (s[i] == '>' || s[i] == '<' || s[i] == '=') {
			r.op = s[i++];
		} else {
			return r.kind == CF_REQ_LINUX
				       ? "expected >=, <=, >, < or = after "
					 "'linux'"
				       : "expected >=, <=, >, < or = after "
					 "'genode'";
		}
		while (i < len && part < 3) {
			if (!isdigit((unsigned char)s[i]))
				return "malformed kernel version";
			while (i < len && isdigit((unsigned char)s[i])) {
				/* no version part is near this; and the
				 * arithmetic must not overflow */
				if (r.version[part] > 99999)
					return "version number too large";
				r.version[part] = r.version[part] * 10 +
						  (s[i++] - '0');
			}
			part++;
			if (i < len && s[i] == '.')
				i++;
			else
				break;
		}
		if (i != len || part == 0)
			return "malformed kernel version";
	} else {
		return "unknown requirement (linux>=X.Y, root, nonroot, "
		       "backend=NAME)";
	}
	if (c->nreqs % 8 == 0) {
		struct cf_req *n = realloc(c->reqs,
					   (c->nreqs + 8) * sizeof(*n));

		if (!n)
			return "out of memory";
		c->reqs = n;
	}
	c->reqs[c->nreqs++] = r;
	return NULL;
}

static const char *parse_header(struct cf_case *c, const char *s, size_t len)
{
	const char *p;
	size_t n;

	if (len >= 6 && memcmp(s, "case:", 5) == 0) {
		n = len - 5;
		p = trim(s + 5, &n);
		free(c->title);
		c->title = dup_range(p, n);
	} else if (len >= 6 && memcmp(s, "refs:", 5) == 0) {
		n = len - 5;
		p = trim(s + 5, &n);
		free(c->refs);
		c->refs = dup_range(p, n);
	} else if (len >= 9 && memcmp(s, "requires:", 9) == 0) {
		size_t i = 9, start;
		const char *why;

		/* several requirements may share a line, comma or space */
		while (i < len) {
			while (i < len && (s[i] == ' ' || s[i] == ','))
				i++;
			start = i;
			while (i < len && s[i] != ' ' && s[i] != ',')
				i++;
			if (i > start) {
				why = parse_requirement(c, s + start,
							i - start);
				if (why)
					return why;
			}
		}
	}
	return NULL;
}

/* The expected result after "= ". */
static const char *parse_expect(struct cf_case *c, struct cf_stmt *st,
				const char *s, size_t len)
{
	struct tr_expr_env env = {dry_lookup, c};
	uint64_t v;
	size_t end;
	const char *why;

	s = trim(s, &len);
	if (len == 0)
		return "expected a result after '='";
	if (len == 4 && memcmp(s, "SEGV", 4) == 0) {
		if (st->kind != CF_LOAD && st->kind != CF_STORE)
			return "SEGV is a result of load or store only";
		st->expect = CF_EXP_SEGV;
		return NULL;
	}
	if (st->kind == CF_PROT) {
		st->expect = CF_EXP_PROT;
		if (len == 8 && memcmp(s, "unmapped", 8) == 0) {
			st->prot = -1;
			return NULL;
		}
		st->prot = cf_parse_prot(s, len);
		return st->prot < 0 ? "expected rwx-style access or 'unmapped'"
				    : NULL;
	}
	if (st->kind == CF_STORE)
		return "a store can only be expected to SEGV";
	if (len > 3 && memcmp(s, "-1 ", 3) == 0) {
		size_t i = 3, start;

		st->expect = CF_EXP_ERRNO;
		while (i < len) {
			int e;

			while (i < len && s[i] == ' ')
				i++;
			start = i;
			while (i < len && s[i] != '|' && s[i] != ' ')
				i++;
			e = abi_errno_value(s + start, i - start);
			if (e < 0)
				return "unknown errno name";
			if (st->nerrnos == CF_MAX_ERRNOS)
				return "too many alternative errnos";
			st->errnos[st->nerrnos++] = e;
			while (i < len && s[i] == ' ')
				i++;
			if (i < len && s[i] != '|')
				return "expected '|' between errnos";
			i++;
		}
		return st->nerrnos ? NULL : "expected an errno after -1";
	}
	if (tr_parse_expr(s, len, &env, &v, &end, &why))
		return why;
	if (end != len)
		return "unexpected text after the expected value";
	st->expect = CF_EXP_VALUE;
	st->expect_text = dup_range(s, len);
	return st->expect_text ? NULL : "out of memory";
}

/* Find the ')' closing the argument list that starts at s[0] == '('. */
static size_t close_paren(const char *s, size_t len)
{
	int depth = 0;
	size_t i;

	for (i = 0; i < len; i++) {
		if (s[i] == '(' || s[i] == '[' || s[i] == '{')
			depth++;
		else if ((s[i] == ')' || s[i] == ']' || s[i] == '}') &&
			 --depth == 0)
			return i;
	}
	return len;
}

static const char *parse_statement(struct cf_case *c, struct cf_stmt *st,
				   const char *s, size_t len)
{
	struct tr_expr_env env = {dry_lookup, c};
	struct tr_event ev;
	const char *why, *name;
	size_t i = 0, nlen, close, end;
	int bind = -1;
	bool new_var = false;
	uint64_t v;

	st->bind = -1;
	if (s[0] == '$') {
		size_t start = 1;

		i = 1;
		while (i < len && (isalnum((unsigned char)s[i]) || s[i] == '_'))
			i++;
		if (i == start)
			return "expected a variable name after '$'";
		if (i - start >= sizeof(c->vars[0]))
			return "variable name too long";
		name = s + start;
		nlen = i - start;
		while (i < len && s[i] == ' ')
			i++;
		if (i >= len || s[i] != '=')
			return "expected '=' after the variable";
		i++;
		while (i < len && s[i] == ' ')
			i++;
		for (bind = 0; bind < (int)c->nvars; bind++)
			if (strlen(c->vars[bind]) == nlen &&
			    memcmp(c->vars[bind], name, nlen) == 0)
				break;
		if (bind == (int)c->nvars) {
			if (c->nvars == CF_MAX_VARS)
				return "too many variables";
			/* named now, usable from the next statement on */
			snprintf(c->vars[bind], sizeof(c->vars[0]), "%.*s",
				 (int)nlen, name);
			new_var = true;
		}
	}
	s += i;
	len -= i;
	name = s;
	for (nlen = 0; nlen < len && (isalnum((unsigned char)s[nlen]) ||
				      s[nlen] == '_');
	     nlen++)
		;
	if (nlen == 0 || nlen >= len || s[nlen] != '(')
		return "expected 'call(' or 'load(', 'store(', 'prot('";
	close = nlen + close_paren(s + nlen, len - nlen);
	if (close >= len)
		return "missing ')'";
	st->text = dup_range(s, len);
	st->args = st->text + nlen + 1;
	if (!st->text)
		return "out of memory";
	if (gn_case_is_statement(name, nlen)) {
		/* Genode statements read their own arguments and results */
		st->kind = CF_GENODE;
		st->bind = bind;
		st->gn = gn_case_parse(name, nlen, s + nlen + 1,
				       close - nlen - 1, s + close + 1,
				       len - close - 1, bind >= 0, &env, &why);
		if (!st->gn)
			return why;
		if (new_var)
			c->nvars++;
		c->genode = true;
		return NULL;
	}
	if (nlen == 4 && memcmp(name, "load", 4) == 0) {
		st->kind = CF_LOAD;
	} else if (nlen == 5 && memcmp(name, "store", 5) == 0) {
		st->kind = CF_STORE;
	} else if (nlen == 4 && memcmp(name, "prot", 4) == 0) {
		st->kind = CF_PROT;
	} else {
		st->kind = CF_CALL;
		st->call = tr_call_lookup(name, nlen);
		/* the memory calls, prctl and memfd_secret (whose fd a
		 * file mapping can use) */
		if (st->call == TR_OTHER ||
		    (st->call >= TR_CLONE && st->call != TR_MEMFD_SECRET))
			return "unknown call";
	}
	if (bind >= 0 && st->kind != CF_CALL)
		return "only a call's result can be bound";
	st->bind = bind;
	/* the arguments, checked with every variable standing for 0 */
	if (st->kind == CF_CALL) {
		if (tr_parse_case_call(st->call, s + nlen + 1, len - nlen - 1,
				       &env, &ev, &end, &why))
			return why;
		end += nlen + 1;
		if (new_var)
			c->nvars++;
	} else {
		const char *a = s + nlen + 1;
		size_t alen = close - nlen - 1, e2;

		if (tr_parse_expr(a, alen, &env, &v, &end, &why))
			return why;
		if (st->kind == CF_STORE) {
			if (end >= alen || a[end] != ',')
				return "store takes an address and a value";
			end++;
			if (tr_parse_expr(a + end, alen - end, &env, &v, &e2,
					  &why))
				return why;
			end += e2;
		}
		while (end < alen && a[end] == ' ')
			end++;
		if (end != alen)
			return "unexpected text in the arguments";
		end = close + 1;
	}
	while (end < len && s[end] == ' ')
		end++;
	if (end == len) {
		if (st->kind == CF_LOAD || st->kind == CF_PROT)
			return "load and prot need an expected result";
		st->expect = CF_EXP_SUCCESS;
		return NULL;
	}
	if (s[end] != '=')
		return "expected '=' and a result after the call";
	if (bind >= 0)
		return "a binding takes no expected result";
	return parse_expect(c, st, s + end + 1, len - end - 1);
}

/* The file's text, or NULL with *@why (and *@missing for ENOENT). */
static char *read_file(const char *path, size_t *len, bool *missing,
		       const char **why)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	size_t n;

	*missing = false;
	if (!f) {
		*missing = errno == ENOENT;
		*why = strerror(errno);
		return NULL;
	}
	buf = malloc(CASE_MAX_BYTES + 1);
	if (!buf) {
		fclose(f);
		*why = "out of memory";
		return NULL;
	}
	n = fread(buf, 1, CASE_MAX_BYTES + 1, f);
	if (ferror(f)) {
		*why = strerror(errno);
		fclose(f);
		free(buf);
		return NULL;
	}
	fclose(f);
	if (n > CASE_MAX_BYTES) {
		free(buf);
		*why = "larger than 1 MiB: a case is a few lines";
		return NULL;
	}
	buf[n] = '\0';
	*len = n;
	return buf;
}

struct cf_case *cf_load(const char *path, char *msg, size_t size,
			bool *missing)
{
	struct cf_case *c = calloc(1, sizeof(*c));
	const char *base, *why = NULL, *line;
	char *text;
	size_t len, pos = 0, n, cap = 0;
	unsigned lineno = 0;

	text = read_file(path, &len, missing, &why);
	if (!c || !text) {
		snprintf(msg, size, "%s: cannot read: %s", path,
			 text ? "out of memory" : why);
		free(text);
		free(c);
		return NULL;
	}
	c->path = strdup(path);
	base = strrchr(path, '/');
	base = base ? base + 1 : path;
	n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".case") == 0)
		n -= 5;
	c->name = dup_range(base, n);
	while (pos < len && !why) {
		const char *nl = memchr(text + pos, '\n', len - pos);
		size_t ll = nl ? (size_t)(nl - (text + pos)) : len - pos;

		lineno++;
		line = trim(text + pos, &ll);
		pos += (nl ? (size_t)(nl - (text + pos)) + 1 : len - pos);
		if (ll == 0)
			continue;
		if (memchr(line, '\0', ll)) {
			why = "binary data in line";
			break;
		}
		if (line[0] == '#') {
			size_t hl = ll - 1;
			const char *h = trim(line + 1, &hl);

			why = parse_header(c, h, hl);
			continue;
		}
		if (c->nstmts == cap) {
			struct cf_stmt *ns;

			cap = cap ? cap * 2 : 16;
			ns = realloc(c->stmts, cap * sizeof(*ns));
			if (!ns) {
				why = "out of memory";
				break;
			}
			c->stmts = ns;
		}
		memset(&c->stmts[c->nstmts], 0, sizeof(c->stmts[0]));
		c->stmts[c->nstmts].line = lineno;
		why = parse_statement(c, &c->stmts[c->nstmts], line, ll);
		c->nstmts++;
	}
	free(text);
	if (!why && !c->title) {
		why = "missing '# case:' line";
		lineno = 1;
	}
	if (!why && c->nstmts == 0)
		why = "no statements";
	if (why) {
		if (c->title || c->nstmts || lineno)
			snprintf(msg, size, "%s:%u: %s", path,
				 lineno ? lineno : 1, why);
		cf_free(c);
		return NULL;
	}
	return c;
}
