/*
 * args.c - decode the arguments and result of one memory call.
 *
 * Input is the text after "name(" of a complete call, e.g.
 *   NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0
 * An argument is  [key=] value [comment], a value one or more terms
 * joined by '|': NULL, a number (decimal, negative decimal or hex, with an
 * optional -y "<path>"), a constant name, "N<<NAME", or a bracketed
 * array, struct or string that is skipped (the flags inside clone3's
 * struct are read).  The result is  = VALUE [ERRNO (text)] [<duration>]
 * or  = ?.  -X verbose and unknown constants add a C comment after the
 * number ("0x66" then "MADV_???" in a comment): the number is taken, the
 * comment skipped.
 *
 * Every failure returns a static message naming what is wrong; nothing
 * here reads past the given length.  Where a case of the case language
 * writes a call, its arguments are expressions (args_expr.c).
 */
#include "args_cur.h"

/* An unsigned or negative decimal, or 0x hex, into two's complement. */
static int number(struct tr_cur *c, uint64_t *out)
{
	uint64_t v = 0;
	bool neg = false;
	size_t start;

	if (peek(c) == '-') {
		neg = true;
		c->i++;
	}
	start = c->i;
	if (c->len - c->i > 2 && c->s[c->i] == '0' &&
	    (c->s[c->i + 1] == 'x' || c->s[c->i + 1] == 'X')) {
		c->i += 2;
		start = c->i;
		for (; c->i < c->len; c->i++) {
			char ch = c->s[c->i];
			unsigned d;

			if (is_digit(ch))
				d = (unsigned)(ch - '0');
			else if (ch >= 'a' && ch <= 'f')
				d = (unsigned)(ch - 'a' + 10);
			else if (ch >= 'A' && ch <= 'F')
				d = (unsigned)(ch - 'A' + 10);
			else
				break;
			if (v >> 60)
				return err(c, "number overflows 64 bits");
			v = v << 4 | d;
		}
	} else {
		for (; c->i < c->len && is_digit(c->s[c->i]); c->i++) {
			unsigned d = (unsigned)(c->s[c->i] - '0');

			if (v > (UINT64_MAX - d) / 10)
				return err(c, "number overflows 64 bits");
			v = v * 10 + d;
		}
	}
	if (c->i == start)
		return err(c, "malformed number");
	if (c->i < c->len && is_ident(c->s[c->i]))
		return err(c, "malformed number");
	if (neg) {
		if (v > (uint64_t)1 << 63)
			return err(c, "number overflows 64 bits");
		v = (uint64_t)0 - v;
	}
	*out = v;
	return 0;
}

/* Skip a bracketed or quoted value starting at the opening character. */
static int skip_group(struct tr_cur *c)
{
	char stack[32];
	int depth = 0;

	for (; c->i < c->len; c->i++) {
		char ch = c->s[c->i];

		if (ch == '"') {
			for (c->i++; c->i < c->len && c->s[c->i] != '"'; c->i++)
				if (c->s[c->i] == '\\')
					c->i++;
			if (c->i >= c->len)
				return err(c, "truncated line: unterminated "
					      "string");
			if (depth == 0) {
				c->i++;
				return 0;
			}
			continue;
		}
		if (ch == '[' || ch == '{' || ch == '(') {
			if (depth == (int)sizeof(stack))
				return err(c, "brackets nested too deeply");
			stack[depth++] = ch == '[' ? ']' : ch == '{' ? '}' : ')';
		} else if (ch == ']' || ch == '}' || ch == ')') {
			if (depth == 0 || stack[depth - 1] != ch)
				return err(c, "unbalanced brackets");
			if (--depth == 0) {
				c->i++;
				return 0;
			}
		}
	}
	return err(c, "truncated line: unbalanced brackets");
}

/* Skip a C comment after a value, if present. */
int tr_args_comment(struct tr_cur *c)
{
	size_t save = c->i;

	ws(c);
	if (!lit(c, "/*")) {
		c->i = save;
		return 0;
	}
	for (; c->i + 1 < c->len; c->i++)
		if (c->s[c->i] == '*' && c->s[c->i + 1] == '/') {
			c->i += 2;
			return 0;
		}
	return err(c, "truncated line: unterminated comment");
}

/*
 * The -y/-yy note after a descriptor, at its '<':
 *   3</usr/lib/libc.so.6>              a path
 *   3</memfd:java_heap>(deleted)       deleted (strace 5.x and later)
 *   4</memfd:java_heap (deleted)>      deleted (older strace)
 *   5</dev/zero<char 1:5>>             -yy: a device and its numbers
 *   5<TCP:[127.0.0.1:59592->127.0.0.1:49801]>   -yy: a socket
 * strace escapes '<' and '>' in paths (\74, \76), so angle brackets nest;
 * a '>' inside [...] is a socket's arrow.  An older strace that did not
 * escape them ends the note at the first '>' that something legal
 * follows.  @path (when not NULL) receives the path without the device
 * note and the deletion mark: a file deleted after it was mapped is the
 * same file, and the replay keys files by path.
 */
static int fd_note(struct tr_cur *c, char *path, size_t path_size)
{
	static const char del[] = " (deleted)";
	size_t p = c->i + 1, e, dev = 0, m;
	int depth = 1, sq = 0;

	for (e = p; e < c->len; e++) {
		char ch = c->s[e];

		if (ch == '\\') {
			e++;
		} else if (ch == '[') {
			sq++;
		} else if (ch == ']') {
			sq -= sq > 0;
		} else if (ch == '<' && !sq) {
			if (depth++ == 1)
				dev = e;
		} else if (ch == '>' && !sq && --depth == 0) {
			char f = e + 1 < c->len ? c->s[e + 1] : ',';

			if (f == ',' || f == ')' || f == ' ' || f == '(' ||
			    f == ']' || f == '}' || f == '>')
				break;
			depth = 1;	/* unescaped '>' in an old path */
		}
	}
	if (e >= c->len)
		return err(c, "truncated line: unterminated fd path");
	c->i = e + 1;
	if (c->len - c->i >= 9 && memcmp(c->s + c->i, "(deleted)", 9) == 0)
		c->i += 9;
	if (!path || !path_size)
		return 0;
	/* a device note closes right before the path's own '>' */
	if (!(dev && c->s[e - 1] == '>'))
		dev = e;
	m = dev - p;
	if (m >= sizeof(del) - 1 &&
	    memcmp(c->s + dev - (sizeof(del) - 1), del, sizeof(del) - 1) == 0)
		m -= sizeof(del) - 1;
	if (m > path_size - 1)
		m = path_size - 1;
	memcpy(path, c->s + p, m);
	path[m] = '\0';
	return 0;
}

static int value(struct tr_cur *c, uint64_t *out, bool *numeric, char *path,
		 size_t path_size);

/*
 * Skip one argument, whatever it holds, up to the ',' or ')' that ends it
 * (left unread): for calls that are only counted, and for the prctl
 * arguments that are not numbers.
 */
static int skip_arg(struct tr_cur *c)
{
	while (c->i < c->len) {
		char ch = c->s[c->i];

		if (ch == ',' || ch == ')')
			return 0;
		if (ch == '/' && c->i + 1 < c->len && c->s[c->i + 1] == '*') {
			if (tr_args_comment(c))
				return -1;
		} else if (strchr("[{(\"", ch)) {
			if (skip_group(c))
				return -1;
		} else {
			c->i++;
		}
	}
	return err(c, "truncated line: missing ')'");
}

/* In a struct "{key=value, ...}" find and read key "flags". */
static int struct_flags(struct tr_cur *c, uint64_t *out, bool *found)
{
	size_t end, save = c->i;
	bool numeric;

	if (skip_group(c))
		return -1;
	end = c->i;
	c->i = save + 1;
	*found = false;
	while (c->i < end) {
		ws(c);
		if (lit(c, "flags=")) {
			struct tr_cur sub = *c;

			sub.len = end - 1;
			if (value(&sub, out, &numeric, NULL, 0)) {
				c->why = sub.why;
				return -1;
			}
			*found = numeric;
			break;
		}
		/* advance to the next top-level comma */
		while (c->i < end - 1 && c->s[c->i] != ',') {
			if (strchr("[{(\"", c->s[c->i])) {
				if (skip_group(c))
					return -1;
			} else {
				c->i++;
			}
		}
		c->i++;
	}
	c->i = end;
	return 0;
}

/*
 * One term: NULL, number[<path>], NAME, N<<NAME, or a group.  Sets
 * *@numeric false for groups and strings.
 */
int tr_args_term(struct tr_cur *c, uint64_t *out, bool *numeric, char *path,
		 size_t path_size)
{
	int ch = peek(c);
	size_t start;

	*numeric = true;
	if (ch == '-' || is_digit((char)ch)) {
		if (number(c, out))
			return -1;
		if (lit(c, "<<")) {
			uint64_t shifted;

			start = c->i;
			while (c->i < c->len && is_ident(c->s[c->i]))
				c->i++;
			if (abi_const_value(c->s + start, c->i - start,
					    &shifted))
				return err(c, "unknown constant in shift");
			*out = shifted < 64 ? *out << shifted : 0;
		} else if (peek(c) == '<') {
			if (fd_note(c, path, path_size))
				return -1;
		}
		return 0;
	}
	if (is_ident_start((char)ch)) {
		start = c->i;
		while (c->i < c->len && is_ident(c->s[c->i]))
			c->i++;
		if (c->i - start == 4 && memcmp(c->s + start, "NULL", 4) == 0) {
			*out = 0;
			return 0;
		}
		if (abi_const_value(c->s + start, c->i - start, out))
			return err(c, "unknown constant");
		/* -y on AT_FDCWD: the working directory, not a file */
		if (peek(c) == '<' &&
		    !(c->i + 1 < c->len && c->s[c->i + 1] == '<'))
			return fd_note(c, NULL, 0);
		return 0;
	}
	if (ch == '{') {
		bool found;

		if (struct_flags(c, out, &found))
			return -1;
		*numeric = found;
		return 0;
	}
	if (ch == '[' || ch == '"' || ch == '(') {
		*numeric = false;
		*out = 0;
		if (skip_group(c))
			return -1;
		if (ch == '"' && lit(c, "..."))
			return 0;	/* string cut short by -s */
		return 0;
	}
	if (lit(c, "...")) {
		*numeric = false;
		*out = 0;
		return 0;
	}
	if (ch == -1)
		return err(c, "truncated line: missing argument");
	return err(c, "unexpected character in argument");
}

/* A value: terms joined by '|', then an optional comment. */
static int value(struct tr_cur *c, uint64_t *out, bool *numeric, char *path,
		 size_t path_size)
{
	uint64_t v = 0, t;
	bool num;

	*numeric = true;
	if (c->env) {
		int ch = peek(c);

		/* arrays and strings are skipped as in strace text */
		if (ch == '[' || ch == '"' || ch == '{')
			return tr_args_term(c, out, numeric, path, path_size);
		return tr_args_expr(c, out);
	}
	for (;;) {
		if (tr_args_term(c, &t, &num, path, path_size))
			return -1;
		if (!num)
			*numeric = false;
		v |= t;
		/* -X abbrev puts a comment after an unknown bit: 0xf, then
		 * MAP_??? in a comment, then |MAP_ANONYMOUS */
		if (tr_args_comment(c))
			return -1;
		/* -X verbose with -y: a dirfd, its comment, then <cwd> */
		if (peek(c) == '<' && fd_note(c, NULL, 0))
			return -1;
		if (peek(c) != '|')
			break;
		c->i++;
	}
	*out = v;
	return 0;
}

/*
 * -e inject= and -e fault= (strace's print_injected_note): after the
 * result, " (INJECTED)", " (INJECTED: args)" or " (INJECTED: args,
 * retval)", then " (DELAYED)" for a delay.  The printed result is the one
 * the program saw, so it stands; the event is flagged.  Only these words:
 * any other text after a result is still an error.
 */
static const char *const tamper_note[] = {
	"(INJECTED)", "(INJECTED: args)", "(INJECTED: args, retval)",
	"(DELAYED)"};

#define NTAMPER (sizeof(tamper_note) / sizeof(tamper_note[0]))

/* Which note starts at the cursor: its index, or NTAMPER for none. */
static size_t tamper_at(const struct tr_cur *c)
{
	size_t k, n;

	for (k = 0; k < NTAMPER; k++) {
		n = strlen(tamper_note[k]);
		if (c->len - c->i >= n &&
		    memcmp(c->s + c->i, tamper_note[k], n) == 0)
			break;
	}
	return k;
}

static int tamper_notes(struct tr_cur *c, struct tr_event *ev)
{
	size_t k;

	while (peek(c) == '(') {
		k = tamper_at(c);
		if (k == NTAMPER)
			return err(c, "unexpected text after result");
		ev->flags |= k + 1 < NTAMPER ? TR_FLAG_INJECTED
					     : TR_FLAG_DELAYED;
		c->i += strlen(tamper_note[k]);
		ws(c);
	}
	return 0;
}

/* The result after the closing parenthesis. */
/*
 * The -T duration at c->i ("<0.000123>") in microseconds, or -1 when it
 * is not a number strace prints; the cursor is left where it was.
 */
static int64_t duration_us(const struct tr_cur *c)
{
	size_t i = c->i + 1;
	int64_t us = 0;
	int n = 0, frac = -1;

	for (; i < c->len && c->s[i] != '>'; i++) {
		if (c->s[i] == '.' && frac < 0) {
			frac = 0;
		} else if (is_digit(c->s[i]) && n < 12) {
			if (frac >= 6)
				continue;	/* below a microsecond */
			us = us * 10 + (c->s[i] - '0');
			n++;
			if (frac >= 0)
				frac++;
		} else {
			return -1;
		}
	}
	if (n == 0 || i >= c->len)
		return -1;
	while (frac < 6) {
		us *= 10;
		frac = frac < 0 ? 1 : frac + 1;
	}
	return us;
}

static int result(struct tr_cur *c, struct tr_event *ev)
{
	uint64_t v;
	size_t start;

	ws(c);
	if (!lit(c, "="))
		return err(c, peek(c) == -1 ? "truncated line: missing result"
					    : "expected '=' after ')'");
	ws(c);
	ev->err = 0;
	ev->dur_us = -1;
	if (peek(c) == -1)
		return err(c, "truncated line: missing result");
	if (lit(c, "?")) {
		ev->result = TR_RET_UNKNOWN;
		ev->ret = 0;
	} else {
		if (number(c, &v))
			return -1;
		ev->ret = (int64_t)v;
		ev->result = TR_RET_VALUE;
		if (peek(c) == '<' && fd_note(c, NULL, 0))	/* -y */
			return -1;
		if (tr_args_comment(c))
			return -1;
	}
	ws(c);
	start = c->i;
	while (c->i < c->len && (is_ident(c->s[c->i]) || c->s[c->i] == '?'))
		c->i++;
	if (c->i > start) {
		int e = abi_errno_value(c->s + start, c->i - start);

		if (e < 0 && !(c->i - start >= 2 && c->s[start] == 'E'))
			return err(c, "unexpected text after result");
		if (ev->result == TR_RET_VALUE) {
			if (ev->ret != -1)
				return err(c, "errno after a result other "
					      "than -1");
			ev->result = TR_RET_ERROR;
			ev->err = e > 0 ? e : 0;
		}
		ws(c);
	}
	if (peek(c) == '(' && tamper_at(c) == NTAMPER) {
		/* "(Cannot allocate memory)" or "(errno 12)" */
		size_t open = c->i;

		while (c->i < c->len && c->s[c->i] != ')')
			c->i++;
		if (c->i >= c->len)
			return err(c, "truncated line: unterminated errno text");
		if (c->i - open > 7 && memcmp(c->s + open, "(errno ", 7) == 0) {
			struct tr_cur n = {c->s, c->i, open + 7, NULL, NULL, 0};

			if (number(&n, &v) || v == 0 || v > LX_ERRNO_MAX)
				return err(c, "malformed '(errno N)'");
			if (ev->result == TR_RET_VALUE) {
				if (ev->ret != -1)
					return err(c, "errno after a result "
						      "other than -1");
				ev->result = TR_RET_ERROR;
			}
			if (ev->result == TR_RET_ERROR)
				ev->err = (int)v;
		}
		c->i++;
		ws(c);
	}
	if (ev->result == TR_RET_ERROR && ev->err == 0)
		return err(c, "unknown errno name");
	if (tamper_notes(c, ev))
		return -1;
	if (peek(c) == '<') {	/* -T duration */
		ev->dur_us = duration_us(c);
		while (c->i < c->len && c->s[c->i] != '>')
			c->i++;
		if (c->i >= c->len)
			return err(c, "truncated line: unterminated duration");
		c->i++;
		ws(c);
	}
	if (c->i != c->len)
		return err(c, "unexpected text after result");
	return 0;
}

/* A resource limit as strace prints it: 8192*1024, RLIM64_INFINITY, 0. */
static int rlimit_value(struct tr_cur *c, uint64_t *out)
{
	uint64_t v, f;
	bool numeric;

	if (tr_args_term(c, &v, &numeric, NULL, 0) || !numeric)
		return err(c, "malformed resource limit");
	while (peek(c) == '*') {
		c->i++;
		if (tr_args_term(c, &f, &numeric, NULL, 0) || !numeric)
			return err(c, "malformed resource limit");
		v *= f;
	}
	*out = v;
	return 0;
}

/* In the struct at c->i, the value of field @key ("rlim_cur="). */
static int struct_field(struct tr_cur *c, const char *key, size_t end,
			size_t *at)
{
	size_t n = strlen(key), i;

	for (i = c->i; i + n <= end; i++)
		if (memcmp(c->s + i, key, n) == 0) {
			*at = i + n;
			return 0;
		}
	return -1;
}

static bool is_context_call(enum tr_call call)
{
	return call >= TR_OPEN && call <= TR_CAPSET;
}

/*
 * One argument of a context call, stored where struct tr_event says.
 * Strings are paths; structs carry a limit or the capability sets.
 */
static int context_arg(struct tr_cur *c, enum tr_call call, unsigned n,
		       struct tr_event *ev, char *path, size_t path_size)
{
	size_t start = c->i, end, at;
	uint64_t v;
	bool numeric;
	int ch = peek(c);

	if (ch == '"') {
		if (skip_group(c))
			return -1;
		(void)lit(c, "...");	/* a path cut short by -s */
		end = c->i;
		if (path && path_size && ((call == TR_OPEN && n == 0) ||
					  (call == TR_OPENAT && n == 1) ||
					  (call == TR_MEMFD_CREATE && n == 0))) {
			size_t m = end - start;

			/* without the quotes (and a cut-off "..." tail) */
			while (m > 1 && c->s[start + m - 1] != '"')
				m--;
			m = m >= 2 ? m - 2 : 0;
			if (m > path_size - 1)
				m = path_size - 1;
			memcpy(path, c->s + start + 1, m);
			path[m] = '\0';
		}
		return tr_args_comment(c);
	}
	if (ch == '{') {
		struct tr_cur sub;

		if (skip_group(c))
			return -1;
		end = c->i;
		c->i = start;
		if (call == TR_PRLIMIT64 && n == 3 && ev->arg[3] == 0) {
			/* only read: the old limit tells the initial state */
			if (struct_field(c, "rlim_cur=", end, &at))
				return err(c, "expected rlim_cur in the limit");
			sub = *c;
			sub.i = at;
			sub.len = end;
			if (rlimit_value(&sub, &v)) {
				c->why = sub.why;
				return -1;
			}
			ev->arg[2] = v;
			ev->arg[3] = 2;
		} else if ((call == TR_PRLIMIT64 && n == 2) ||
			   (call == TR_SETRLIMIT && n == 1)) {
			if (struct_field(c, "rlim_cur=", end, &at))
				return err(c, "expected rlim_cur in the limit");
			sub = *c;
			sub.i = at;
			sub.len = end;
			if (rlimit_value(&sub, &v)) {
				c->why = sub.why;
				return -1;
			}
			ev->arg[call == TR_PRLIMIT64 ? 2 : 1] = v;
			ev->arg[3] = 1;
		} else if (call == TR_CAPSET && n == 1) {
			size_t e;

			if (struct_field(c, "effective=", end, &at))
				return err(c, "expected effective= in capset");
			for (e = at; e < end && c->s[e] != ',' && c->s[e] != '}';
			     e++)
				;
			ev->arg[0] = 0;
			ev->arg[1] = 0;
			for (; at + 12 <= e; at++) {
				if (memcmp(c->s + at, "CAP_IPC_LOCK", 12) == 0)
					ev->arg[0] = 1;
				if (at + 13 <= e &&
				    memcmp(c->s + at, "CAP_SYS_RAWIO", 13) == 0)
					ev->arg[1] = 1;
			}
		}
		c->i = end;
		return tr_args_comment(c);
	}
	if (value(c, &v, &numeric, NULL, 0))
		return -1;
	if (call == TR_CAPSET && n == 1)
		ev->flags |= TR_FLAG_CLONE_FLAGS_UNKNOWN;
	switch (call) {
	case TR_OPEN:
		if (n == 1)
			ev->arg[0] = v;
		break;
	case TR_OPENAT:
		if (n == 2)
			ev->arg[0] = v;
		break;
	case TR_MEMFD_CREATE:
		if (n == 1)
			ev->arg[0] = v;
		break;
	case TR_MEMFD_SECRET:
		if (n == 0)
			ev->arg[0] = v;
		break;
	case TR_CLOSE:
	case TR_DUP:
	case TR_DUP2:
	case TR_DUP3:
		if (n < 2)
			ev->arg[n] = v;
		break;
	case TR_PRLIMIT64:
		if (n < 2)
			ev->arg[n] = v;
		break;
	case TR_SETRLIMIT:
		if (n == 0)
			ev->arg[0] = v;
		break;
	default:
		break;
	}
	return 0;
}

static int parse_call(struct tr_cur *c, enum tr_call call, struct tr_event *ev,
		      char *path_buf, size_t path_size, bool want_result,
		      bool raw);

int tr_parse_case_call(enum tr_call call, const char *body, size_t len,
		       const struct tr_expr_env *env, struct tr_event *ev,
		       size_t *end, const char **why)
{
	struct tr_cur c = {body, len, 0, NULL, env, 0};

	if (parse_call(&c, call, ev, NULL, 0, false, false)) {
		*why = c.why ? c.why : "cannot read this call";
		return -1;
	}
	*end = c.i;
	return 0;
}

int tr_parse_call_raw(enum tr_call call, const char *body, size_t len,
		      bool raw, struct tr_event *ev, char *path_buf,
		      size_t path_size, const char **why)
{
	struct tr_cur c = {body, len, 0, NULL, NULL, 0};

	if (parse_call(&c, call, ev, path_buf, path_size, true, raw)) {
		*why = c.why ? c.why : "cannot read this call";
		return -1;
	}
	return 0;
}

int tr_parse_call(enum tr_call call, const char *body, size_t len,
		  struct tr_event *ev, char *path_buf, size_t path_size,
		  const char **why)
{
	return tr_parse_call_raw(call, body, len, false, ev, path_buf,
				 path_size, why);
}

/*
 * Arguments up to the closing parenthesis, then (in strace text) the
 * result.  A call printed by number (@raw) shows all six registers: the
 * call's own arguments come first, the rest are ignored.  Errors leave
 * the message in c->why.
 */
static int parse_call(struct tr_cur *cp, enum tr_call call, struct tr_event *ev,
		      char *path_buf, size_t path_size, bool want_result,
		      bool raw)
{
	struct tr_cur c = *cp;
	unsigned want = tr_call_nargs[call], n = 0;
	bool keyed_flags = false;

	if (path_buf && path_size)
		path_buf[0] = '\0';
	ev->call = call;
	ev->nargs = (unsigned char)want;
	ev->flags &= TR_FLAG_RESUMED;
	ev->fd_path = NULL;
	memset(ev->arg, 0, sizeof(ev->arg));
	ws(&c);
	if (peek(&c) == ')') {
		c.i++;
	} else {
		for (;;) {
			uint64_t v;
			bool numeric;
			size_t key = c.i, klen;

			ws(&c);
			key = c.i;
			if (raw && n >= want) {
				/* a register the call does not use */
				if (value(&c, &v, &numeric, NULL, 0))
					goto fail;
				goto next;
			}
			while (c.i < c.len && is_ident(c.s[c.i]))
				c.i++;
			klen = c.i - key;
			if (peek(&c) != '=' || klen == 0) {
				c.i = key;
				klen = 0;
			} else {
				c.i++;
			}
			if (is_context_call(call)) {
				if (context_arg(&c, call, n, ev, path_buf,
						path_size))
					goto fail;
				goto next;
			}
			if (tr_call_unmodelled(call)) {
				if (skip_arg(&c))
					goto fail;
				goto next;
			}
			if (call == TR_PRCTL) {
				size_t at = c.i;

				/* options rmsim has no name for, strings;
				 * a case must say what it means */
				if (value(&c, &v, &numeric, NULL, 0) ||
				    !numeric) {
					if (c.env)
						goto fail;
					c.i = at;
					c.why = NULL;
					if (skip_arg(&c))
						goto fail;
					ev->flags |= TR_FLAG_ARGS_UNKNOWN;
					v = 0;
				}
				if (n < 5)
					ev->arg[n] = v;
				goto next;
			}
			if (value(&c, &v, &numeric,
				  call == TR_MMAP && n == 4 ? path_buf : NULL,
				  path_size))
				goto fail;
			if (lit(&c, " => ")) {	/* clone3's out-struct */
				uint64_t ignore;
				bool num2;

				if (value(&c, &ignore, &num2, NULL, 0))
					goto fail;
			}
			if (call == TR_CLONE || call == TR_CLONE3) {
				/* only the flags matter for identity */
				if (klen == 5 && memcmp(c.s + key, "flags", 5) == 0) {
					ev->arg[0] = v;
					keyed_flags = true;
				} else if (n == 0 && klen == 0 && !keyed_flags) {
					/* raw clone: flags come first; raw
					 * clone3: only a struct pointer */
					ev->arg[0] = v;
					if (!numeric || (call == TR_CLONE3 &&
							 c.s[key] != '{'))
						ev->flags |=
						    TR_FLAG_CLONE_FLAGS_UNKNOWN;
				}
			} else if (call == TR_EXECVE) {
				if (n == 0 && !numeric && path_buf && path_size &&
				    c.s[key] == '"') {
					size_t p = key + 1, e = c.i - 1, m;

					if (e > p && e <= c.len) {
						m = e - p < path_size - 1 ? e - p : path_size - 1;
						memcpy(path_buf, c.s + p, m);
						path_buf[m] = '\0';
					}
				}
			} else if (n < 6) {
				if (!numeric && call != TR_MINCORE) {
					c.why = "argument is not a number";
					goto fail;
				}
				ev->arg[n] = numeric ? v : 0;
			}
next:
			n++;
			ws(&c);
			/* a thread killed inside the call: strace closes it
			 * with "<... NAME resumed> <unfinished ...>) = ?" */
			if (peek(&c) == '<' && lit(&c, "<unfinished ...>"))
				ws(&c);
			if (peek(&c) == ',') {
				c.i++;
				continue;
			}
			if (peek(&c) == ')') {
				c.i++;
				break;
			}
			c.why = peek(&c) == -1 ? "truncated line: missing ')'"
					      : "expected ',' or ')' after "
						"argument";
			goto fail;
		}
	}
	if (call != TR_CLONE && call != TR_CLONE3 && call != TR_EXECVE &&
	    call != TR_PRCTL && !is_context_call(call) &&
	    !tr_call_unmodelled(call)) {
		/* mremap may omit new_address; a call printed raw
		 * (syscall_0xNNN) shows all six registers */
		if (n > 6 || (n != want && !(call == TR_MREMAP && n == 4) &&
			      !(raw && n > want))) {
			c.why = "wrong number of arguments for this call";
			goto fail;
		}
	}
	if (call == TR_MSEAL)
		ev->arg[3] = ev->arg[4] = ev->arg[5] = 0;
	if ((call == TR_CLONE || call == TR_CLONE3) && !keyed_flags && n == 0)
		ev->flags |= TR_FLAG_CLONE_FLAGS_UNKNOWN;
	if (want_result && result(&c, ev))
		goto fail;
	if (path_buf && path_buf[0] &&
	    (call == TR_MMAP || is_context_call(call)))
		ev->fd_path = path_buf;
	*cp = c;
	return 0;
fail:
	cp->why = c.why;
	return -1;
}
