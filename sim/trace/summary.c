/*
 * summary.c - recognise the call summary strace -c and -C print.
 *
 * strace -c prints only a table; -C prints it after the trace (both to
 * the -o file).  The table is, per personality:
 *
 *   [System call usage summary for 32 bit mode:]
 *   % time     seconds  usecs/call     calls    errors syscall
 *   ------ ----------- ----------- --------- --------- ----------------
 *    38.46    0.000050           2        20           mmap
 *   ------ ----------- ----------- --------- --------- ----------------
 *   100.00    0.000130           1       100         6 total
 *
 * -U picks and orders the columns, -S the row order, -w the time kind;
 * so no header string is fixed.  What is fixed is the structure (strace's
 * count.c): a header of column titles, a rule whose dash groups are the
 * columns (each title inside its group), rows whose cells are numbers or
 * blank and whose name cell is a call name, a second rule, a "total" row.
 *
 * ALGORITHM: a header line cannot be told from junk alone, so the reader
 * holds it (tr_summary_hold) and this file judges it with the rule that
 * follows (tr_summary_rule): the rule's groups must cover every title
 * and nothing else.  The groups are then the column spans every row must
 * fit (tr_summary_row).  Nothing here allocates.
 *
 * INVARIANTS: ncol is 0 (no table open) or the rule's group count, at
 * most TR_SUMMARY_MAXCOL; name_col < ncol; groups are ascending and
 * disjoint.
 */
#include "summary.h"

#include <string.h>

/* Column titles as strace's count.c prints them (-U picks among them). */
static const char *const titles[] = {"% time",	 "seconds",  "usecs/call",
				     "calls",	 "errors",   "syscall",
				     "shortest", "longest",  "wall-total",
				     "wall-min", "wall-max", "wall-avg"};

static bool is_title(const char *s, size_t n)
{
	size_t k;

	for (k = 0; k < sizeof(titles) / sizeof(titles[0]); k++)
		if (strlen(titles[k]) == n && memcmp(s, titles[k], n) == 0)
			return true;
	return false;
}

static bool is_name_char(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	       (c >= '0' && c <= '9') || c == '_';
}

/* The cell [a, b) of @s (clipped to @len) without its padding. */
static void cell(const char *s, size_t len, size_t a, size_t b, const char **c,
		 size_t *n)
{
	if (a > len)
		a = len;
	if (b > len)
		b = len;
	while (a < b && s[a] == ' ')
		a++;
	while (b > a && s[b - 1] == ' ')
		b--;
	*c = s + a;
	*n = b - a;
}

static bool only_spaces(const char *s, size_t len, size_t a, size_t b)
{
	for (; a < b && a < len; a++)
		if (s[a] != ' ')
			return false;
	return true;
}

bool tr_summary_heading(const char *s, size_t len)
{
	static const char head[] = "System call usage summary for ";
	size_t n = sizeof(head) - 1;

	return len > n + 6 && memcmp(s, head, n) == 0 &&
	       memcmp(s + len - 6, " mode:", 6) == 0;
}

bool tr_summary_hold(struct tr_summary *sm, const char *s, size_t len)
{
	size_t i = 0, k, n;
	bool any = false;

	if (len >= sizeof(sm->header))
		return false;
	/* every word a column title: a cheap first look, the rule decides */
	while (i < len) {
		if (s[i] == ' ') {
			i++;
			continue;
		}
		for (k = 0; k < sizeof(titles) / sizeof(titles[0]); k++) {
			n = strlen(titles[k]);
			if (len - i >= n && memcmp(s + i, titles[k], n) == 0 &&
			    (i + n == len || s[i + n] == ' '))
				break;
		}
		if (k == sizeof(titles) / sizeof(titles[0]))
			return false;
		i += n;
		any = true;
	}
	if (!any)
		return false;
	memcpy(sm->header, s, len);
	sm->header_len = len;
	return true;
}

bool tr_summary_rule(struct tr_summary *sm, const char *s, size_t len)
{
	size_t i = 0, ncol = 0, k;
	const char *c;
	size_t n;
	int name_col = -1;

	while (i < len) {
		size_t a = i;

		if (s[i] != '-' || ncol == TR_SUMMARY_MAXCOL)
			return false;
		while (i < len && s[i] == '-')
			i++;
		sm->col_a[ncol] = a;
		sm->col_b[ncol] = i;
		ncol++;
		if (i < len && (s[i] != ' ' || i + 1 == len))
			return false;
		if (i < len)
			i++;
	}
	if (!ncol)
		return false;
	/* the held header's titles, one per group, nothing between */
	for (k = 0; k < ncol; k++) {
		size_t b = k + 1 == ncol ? sm->header_len : sm->col_b[k];

		if (!only_spaces(sm->header, sm->header_len,
				 k ? sm->col_b[k - 1] : 0, sm->col_a[k]))
			return false;
		cell(sm->header, sm->header_len, sm->col_a[k], b, &c, &n);
		if (!is_title(c, n))
			return false;
		if (n == 7 && memcmp(c, "syscall", 7) == 0)
			name_col = (int)k;
	}
	if (name_col < 0)
		return false;
	sm->ncol = ncol;
	sm->name_col = (size_t)name_col;
	return true;
}

bool tr_summary_same_rule(const struct tr_summary *sm, const char *s,
			  size_t len)
{
	size_t k;

	if (len != sm->col_b[sm->ncol - 1])
		return false;
	for (k = 0; k < sm->ncol; k++) {
		size_t i;

		for (i = sm->col_a[k]; i < sm->col_b[k]; i++)
			if (s[i] != '-')
				return false;
		if (!only_spaces(s, len, sm->col_b[k],
				 k + 1 < sm->ncol ? sm->col_a[k + 1] : len))
			return false;
	}
	return true;
}

bool tr_summary_row(const struct tr_summary *sm, const char *s, size_t len,
		    bool total)
{
	size_t k, j;
	const char *c;
	size_t n;

	for (k = 0; k < sm->ncol; k++) {
		size_t b = k + 1 == sm->ncol ? len : sm->col_b[k];

		if (!only_spaces(s, len, k ? sm->col_b[k - 1] : 0,
				 sm->col_a[k]))
			return false;
		cell(s, len, sm->col_a[k], b, &c, &n);
		if (k == sm->name_col) {
			if (!n)
				return false;
			for (j = 0; j < n; j++)
				if (!is_name_char(c[j]))
					return false;
			if (total != (n == 5 && memcmp(c, "total", 5) == 0))
				return false;
			continue;
		}
		for (j = 0; j < n; j++)
			if (!((c[j] >= '0' && c[j] <= '9') || c[j] == '.'))
				return false;
	}
	return true;
}
