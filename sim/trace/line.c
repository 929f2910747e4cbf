/*
 * line.c - classify one line of strace output and peel its prefix.
 *
 * A line is  [PID] [TIMESTAMP] [SYSNO] [IP] BODY  where PID is
 * "[pid  1234] " (-f to a terminal or stderr) or "1234  " (-f -o FILE),
 * either with -Y's process name ("1234<java> "),
 * TIMESTAMP is one of "08:16:47" (-t), "08:16:47.154910" (-tt),
 * "1795681288.267756" (-ttt) or a right-aligned "     0.000123" (-r),
 * SYSNO is -n's "[  9] ", IP is -i's "[00007f5f40454ad7] " (or
 * "[????????????????] " where strace has none), and BODY is a call, the
 * start or the end of a split call, a signal, an exit, a -k stack frame
 * ("> /lib/libc.so.6(__mmap+0x26) [0x1019b3]") or a note from strace
 * itself.  Nothing here allocates or looks past the given length.
 */
#include "rmsim/trace.h"

#include <string.h>

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static bool is_ident(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       is_digit(c) || c == '_';
}

/* The first byte first: most lines are calls, which start with a
 * letter no literal here starts with, and are then let go without a
 * call to memcmp (the reader's hot path). */
static inline bool starts(const char *s, size_t len, const char *lit)
{
	size_t n = strlen(lit);

	return len >= n && s[0] == lit[0] && memcmp(s, lit, n) == 0;
}

/* Parse decimal digits at *@i; false when none or more than 18. */
static bool digits(const char *s, size_t len, size_t *i, int64_t *v,
		   int *ndig)
{
	int64_t x = 0;
	int n = 0;

	while (*i < len && is_digit(s[*i])) {
		if (n == 18)
			return false;
		x = x * 10 + (s[*i] - '0');
		(*i)++;
		n++;
	}
	*v = x;
	*ndig = n;
	return n > 0;
}

/* Fractional seconds ".154910" at *@i into microseconds (any precision). */
static int64_t fraction_us(const char *s, size_t len, size_t *i)
{
	int64_t us = 0;
	int n = 0;

	(*i)++;			/* the dot */
	while (*i < len && is_digit(s[*i])) {
		if (n < 6) {
			us = us * 10 + (s[*i] - '0');
			n++;
		}
		(*i)++;
	}
	while (n++ < 6)
		us *= 10;
	return us;
}

/*
 * Any byte below 0x20 other than a tab, or DEL?  strace escapes such
 * bytes, so one in a line means the file is not strace text.  Eight bytes
 * at a time: (x - 0x20..) & ~x & 0x80.. flags bytes below 0x20, and the
 * same test on x ^ 0x7f.. flags DEL; only a flagged word is looked at
 * byte by byte (tabs are legal).
 */
static bool has_control(const char *s, size_t len)
{
	const uint64_t ones = 0x0101010101010101ULL;
	const uint64_t high = 0x8080808080808080ULL;
	size_t i = 0, j;
	uint64_t x, y;

	for (; i + 8 <= len; i += 8) {
		memcpy(&x, s + i, 8);
		y = x ^ (0x7f * ones);
		if (!(((x - 0x20 * ones) & ~x & high) |
		      ((y - ones) & ~y & high)))
			continue;
		for (j = i; j < i + 8; j++) {
			unsigned char c = (unsigned char)s[j];

			if ((c < 0x20 && c != '\t') || c == 0x7f)
				return true;
		}
	}
	for (; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if ((c < 0x20 && c != '\t') || c == 0x7f)
			return true;
	}
	return false;
}

static void fail(struct tr_line *out, const char *why)
{
	out->kind = TR_LINE_ERROR;
	out->error = why;
}

/*
 * -Y (--decode-pids=comm) follows the pid with the process's name,
 * "1234<java>" (16 bytes at most, escaped by strace): skip it at *@i.
 * False when a '<' opens something else.
 */
static bool comm(const char *s, size_t len, size_t *i)
{
	size_t j;

	if (*i >= len || s[*i] != '<')
		return true;
	for (j = *i + 1; j < len && j - *i <= 72 && s[j] != '>'; j++)
		if (s[j] == '\\')
			j++;
	if (j >= len || s[j] != '>' || j - *i > 72)
		return false;
	*i = j + 1;
	return true;
}

/*
 * -n's "[ 257]" or -i's "[00007f37ac7ccb1d]" / "[????????????????]" at
 * @i: the index after the bracket, or 0 when it is neither.
 */
static size_t bracket(const char *s, size_t len, size_t i)
{
	size_t j = i + 1, k;
	bool hex = true, qm = true;

	while (j < len && s[j] == ' ')
		j++;
	for (k = j; k < len && k - j <= 16 && s[k] != ']'; k++) {
		char c = s[k];

		if (!(is_digit(c) || (c >= 'a' && c <= 'f') ||
		      (c >= 'A' && c <= 'F')))
			hex = false;
		if (c != '?')
			qm = false;
	}
	if (k == j || k >= len || s[k] != ']' || k - j > 16)
		return 0;
	/* padding spaces only before a -n number */
	if (j > i + 1 && !(hex && k - j <= 4))
		return 0;
	if (!hex && !qm)
		return 0;
	return k + 1;
}

/*
 * Read the optional pid, timestamp, syscall number and instruction
 * pointer at the start of @s.  Returns the index of the body, or
 * (size_t)-1 after setting an error.
 */
static size_t prefix(const char *s, size_t len, struct tr_line *out)
{
	size_t i = 0;
	int64_t v;
	int nd;

	if (starts(s, len, "[pid ")) {
		i = 5;
		while (i < len && s[i] == ' ')
			i++;
		if (!digits(s, len, &i, &v, &nd) || !comm(s, len, &i) ||
		    i >= len || s[i] != ']') {
			fail(out, "malformed '[pid N]' prefix");
			return (size_t)-1;
		}
		out->pid = (int32_t)v;
		i++;
	}
	for (;;) {
		size_t start;

		while (i < len && s[i] == ' ')
			i++;
		if (i < len && s[i] == '[') {
			size_t e = bracket(s, len, i);

			/* anything else in brackets is for the body to judge
			 * ("[ Process PID=1 runs in 32 bit mode. ]") */
			if (!e || e >= len || s[e] != ' ')
				return i;
			i = e;
			continue;
		}
		if (i >= len || !is_digit(s[i]))
			return i;
		start = i;
		/* 12 digits hold any pid and any -ttt second count; more would
		 * overflow the microsecond timestamp */
		if (!digits(s, len, &i, &v, &nd) || nd > 12) {
			fail(out, "number too long in line prefix");
			return (size_t)-1;
		}
		if (i < len && s[i] == ':') {
			/* -t / -tt: HH:MM:SS[.frac], microseconds of day */
			int64_t mm, ss;

			if (i - start > 2) {
				fail(out, "malformed time of day");
				return (size_t)-1;
			}
			i++;
			if (!digits(s, len, &i, &mm, &nd) || nd != 2 ||
			    i >= len || s[i] != ':') {
				fail(out, "malformed time of day");
				return (size_t)-1;
			}
			i++;
			if (!digits(s, len, &i, &ss, &nd) || nd != 2) {
				fail(out, "malformed time of day");
				return (size_t)-1;
			}
			out->ts_us = ((v * 60 + mm) * 60 + ss) * 1000000;
			if (i < len && s[i] == '.')
				out->ts_us += fraction_us(s, len, &i);
			out->has_ts = true;
		} else if (i < len && s[i] == '.') {
			/* -ttt seconds since the epoch, or -r relative */
			out->ts_us = v * 1000000 + fraction_us(s, len, &i);
			out->has_ts = true;
		} else if (i < len && (s[i] == ' ' || s[i] == '<') &&
			   !out->has_ts && out->pid == 0 && start == 0) {
			/* -f -o FILE: "1234  ", with -Y "1234<name> " */
			if (!comm(s, len, &i)) {
				fail(out, "malformed '<name>' after the pid");
				return (size_t)-1;
			}
			out->pid = (int32_t)v;
		} else {
			/* Digits that begin the body: not a prefix. */
			return start;
		}
		if (i < len && s[i] != ' ') {
			fail(out, "malformed line prefix");
			return (size_t)-1;
		}
	}
}

/*
 * -e read=FD, -e write=FD: strace's hex dump of the data after a call,
 * " | 00000  7f 45 4c 46 ...  .ELF............ |": an offset of five hex
 * digits between " | " and the closing " |".
 */
static bool io_dump(const char *s, size_t len)
{
	size_t i;

	if (len < 12 || s[0] != ' ' || s[1] != '|' || s[2] != ' ' ||
	    s[len - 1] != '|' || s[len - 2] != ' ')
		return false;
	for (i = 3; i < 8; i++)
		if (!is_digit(s[i]) && !(s[i] >= 'a' && s[i] <= 'f'))
			return false;
	return s[8] == ' ';
}

/*
 * Does the body end in " <unfinished ...>", or in strace -ff's " <pid
 * changed to N ...>" (a thread's execve, in the thread's own file: it
 * resumes in the leader's after "+++ superseded by execve")?  Returns
 * the cut length.
 */
static bool unfinished(const char *s, size_t len, size_t *cut)
{
	static const char tail[] = "<unfinished ...>";
	static const char pc[] = "<pid changed to ", pce[] = " ...>";
	size_t n = sizeof(tail) - 1, i;

	/* both forms end in "...>"; a finished call never does (-T's
	 * "<0.000012>" has no dots before its '>') */
	if (len < 5 || s[len - 1] != '>' || s[len - 2] != '.')
		return false;
	if (len > n + 4 &&
	    memcmp(s + len - n, tail, n) != 0) {
		/* the rare form, looked at only when the common one fails */
		i = len - (sizeof(pce) - 1);
		if (memcmp(s + i, pce, sizeof(pce) - 1) != 0)
			return false;
		while (i > 0 && is_digit(s[i - 1]))
			i--;
		if (i < sizeof(pc) - 1 || i == len - (sizeof(pce) - 1) ||
		    memcmp(s + i - (sizeof(pc) - 1), pc, sizeof(pc) - 1) != 0)
			return false;
		n = len - (i - (sizeof(pc) - 1));
	} else if (len < n || memcmp(s + len - n, tail, n) != 0) {
		return false;
	}
	*cut = len - n;
	while (*cut > 0 && s[*cut - 1] == ' ')
		(*cut)--;
	return true;
}

void tr_split_line(const char *s, size_t len, struct tr_line *out)
{
	size_t i, j, cut;

	memset(out, 0, sizeof(*out));
	while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == ' '))
		len--;
	if (has_control(s, len)) {
		fail(out, "binary data in line");
		return;
	}
	if (len == 0) {
		out->kind = TR_LINE_NOTE;
		return;
	}
	if (io_dump(s, len)) {
		out->kind = TR_LINE_NOTE;
		return;
	}
	i = prefix(s, len, out);
	if (i == (size_t)-1)
		return;
	s += i;
	len -= i;
	if (len == 0) {
		fail(out, "line has a prefix but no call");
		return;
	}
	if (starts(s, len, "--- ")) {
		out->kind = TR_LINE_SIGNAL;
		return;
	}
	if (starts(s, len, "+++ ")) {
		out->kind = TR_LINE_EXIT;
		out->body = s;
		out->body_len = len;
		return;
	}
	/* strace's notes, and -k's stack frames after each call */
	if (starts(s, len, "strace: ") || starts(s, len, "[ Process ") ||
	    starts(s, len, "> ")) {
		out->kind = TR_LINE_NOTE;
		return;
	}
	if (starts(s, len, "<... ")) {
		j = 5;
		if (starts(s + j, len - j, "?\?\?"))
			j += 3; /* a call strace could not name: below */
		while (j < len && is_ident(s[j]))
			j++;
		if (j == 5 || !starts(s + j, len - j, " resumed>")) {
			fail(out, "malformed '<... NAME resumed>'");
			return;
		}
		out->kind = TR_LINE_RESUMED;
		out->name = s + 5;
		out->name_len = j - 5;
		out->body = s + j + 9;
		out->body_len = len - j - 9;
		return;
	}
	if (s[0] == ')') {
		/* the rest of a call cut by other output, without strace's
		 * "<... NAME resumed>" (strace -z; program output on the same
		 * terminal): it continues the call its pid left open */
		out->kind = TR_LINE_RESUMED;
		out->body = s;
		out->body_len = len;
		return;
	}
	/*
	 * "???(": a thread stopped at a call's entry while its process
	 * ends (another thread's exit_group under load): strace can no
	 * longer read which call it was.  An unknown call, never a memory
	 * event.
	 */
	j = starts(s, len, "?\?\?(") ? 3 : 0;
	while (j < len && is_ident(s[j]))
		j++;
	if (j == 0 || j >= len || s[j] != '(') {
		fail(out, "not a strace line: expected 'name(' after the "
			  "prefix");
		return;
	}
	out->name = s;
	out->name_len = j;
	out->body = s + j + 1;
	out->body_len = len - j - 1;
	if (unfinished(out->body, out->body_len, &cut)) {
		out->kind = TR_LINE_UNFINISHED;
		out->body_len = cut;
	} else {
		out->kind = TR_LINE_CALL;
	}
}
