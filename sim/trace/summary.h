/*
 * summary.h - strace -c/-C's call summary table, told by its structure
 * (summary.c); the reader skips it and counts it.
 */
#ifndef RMSIM_TRACE_SUMMARY_H
#define RMSIM_TRACE_SUMMARY_H

#include <stdbool.h>
#include <stddef.h>

#define TR_SUMMARY_MAXCOL 16

struct tr_summary {
	char header[512]; /* the held header line */
	size_t header_len;
	size_t col_a[TR_SUMMARY_MAXCOL], col_b[TR_SUMMARY_MAXCOL];
	size_t ncol;	 /* 0: no table open */
	size_t name_col; /* the "syscall" column */
};

/* "System call usage summary for 32 bit mode:" (several personalities). */
bool tr_summary_heading(const char *s, size_t len);
/* Could this be a header (only column titles)?  Keeps a copy if so. */
bool tr_summary_hold(struct tr_summary *sm, const char *s, size_t len);
/* Is this the rule under the held header?  Sets the columns if so. */
bool tr_summary_rule(struct tr_summary *sm, const char *s, size_t len);
/* The same rule again (before the total row)? */
bool tr_summary_same_rule(const struct tr_summary *sm, const char *s,
			  size_t len);
/* A row that fits the columns: numbers or blanks, a name (or "total"). */
bool tr_summary_row(const struct tr_summary *sm, const char *s, size_t len,
		    bool total);

#endif
