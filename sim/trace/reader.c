/*
 * reader.c - the streaming trace reader: lines in, events out.
 *
 * Memory is one line buffer (grown only for a line longer than it), the
 * unfinished calls pending per pid, and a set of the pids seen; nothing
 * grows with the length of the trace.  A call split by another thread's
 * output ("<unfinished ...>" ... "<... mmap resumed>") is kept as text
 * and parsed whole when it resumes, so split and unsplit calls go through
 * the same parser.
 *
 * ALGORITHM: each line is classified (line.c); a call is parsed at once
 * (args.c), an unfinished one waits in a table keyed by pid (open
 * addressing, constant time per line however many threads wait) for the
 * line that continues it: "<... NAME resumed>" with the same pid, a pid
 * strace did not print (see find_unprefixed), or a bare ")..." line.  A
 * call line that stops short waits the same way, since other output on
 * the same terminal can cut it.  "+++ exited +++" ends the pid's call;
 * "+++ superseded by execve in pid T +++" moves T's call to this pid.
 *
 * INVARIANTS: at most one call per pid waits (a second is an error: the
 * first one's result is lost); an event never carries a result strace did
 * not print in full (a last line without its newline is an error); every
 * waiting call is reported at the end, as unfinished or as the error it
 * would have been alone.
 */
#include "rmsim/trace.h"

#include "family.h"
#include "parse.h"
#include "pidset.h"
#include "summary.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define PATH_SIZE 4096

/*
 * An event is cleared by copying this one, not by memset: gcc turns a
 * memset of this size into "rep stos", whose start-up cost was 8% of
 * `cat --stats` on x86; a copy is a row of vector stores.
 */
static const struct tr_event no_event;

/* A call waiting for its "<... resumed>" line; a slot of the pid table. */
struct pending {
	bool used;
	int32_t pid;
	enum tr_call call;
	bool raw;		/* printed by number: "syscall_0x1ce(" */
	uint64_t line;
	uint64_t at;		/* lines read before it, all files */
	bool has_ts;
	int64_t ts_us;
	char *text;		/* arguments so far (memory calls only) */
	const char *open;	/* a line that stopped short, waiting for its
				 * continuation: why it cannot be read alone */
	size_t len, cap;
	char name[32];		/* for the mismatch message */
};

struct tr_reader {
	struct tr_family *src;	/* one file, or a strace -ff family */
	const char *file;	/* of the line at hand, for messages */
	int32_t file_pid;	/* -ff: the pid of that file, else 0 */
	bool pid_by_name;	/* the line at hand has no pid of its own */
	struct tr_options opt;
	uint64_t line;
	struct tr_stats st;
	struct pending *pend;	/* open addressing by pid, no tombstones */
	size_t npend, cappend;	/* cappend: 0 or a power of two */
	struct tr_pidset pids;
	char path[PATH_SIZE];
	char *joined;		/* pending text + resumed rest */
	size_t joined_cap;
	char msg[PATH_SIZE + 128];
	bool fatal;
	/* strace writing to stderr can cut a call in two with its own
	 * "strace: Process N attached" note; the first half waits here */
	char *carry;
	size_t carry_len, carry_cap;
	bool cut;		/* the line at hand is the last, without '\n' */
	int32_t last_pid;	/* pid of the latest unfinished call */
	/* strace -c/-C's call summary table (summary.c): where in it */
	enum { SUM_NONE, SUM_HEADING, SUM_HEADER, SUM_ROWS, SUM_TOTAL } sum;
	uint64_t sum_line;	/* the held heading or header line */
	const char *sum_why;	/* its error if no table follows */
	struct tr_summary table;
};

struct tr_reader *tr_open(const char *path, const struct tr_options *opt,
			  int *err)
{
	struct tr_reader *r = calloc(1, sizeof(*r));

	if (!r) {
		*err = -ENOMEM;
		return NULL;
	}
	r->src = tr_family_open(path, err);
	if (!r->src) {
		tr_close(r);
		return NULL;
	}
	r->file = tr_family_file(r->src);
	r->file_pid = tr_family_pid_of_name(r->src);
	r->st.files = 1;
	if (opt)
		r->opt = *opt;
	return r;
}

void tr_close(struct tr_reader *r)
{
	size_t i;

	if (!r)
		return;
	tr_family_close(r->src);
	for (i = 0; i < r->cappend; i++)
		free(r->pend[i].text);
	free(r->pend);
	tr_pidset_free(&r->pids);
	free(r->joined);
	free(r->carry);
	free(r);
}

bool tr_missing_input(int err)
{
	return err == -ENOENT || err == -EACCES || err == -EISDIR ||
	       err == -ENOTDIR || err == -ENAMETOOLONG || err == -ELOOP;
}

const char *tr_error(const struct tr_reader *r)
{
	return r->msg;
}

const struct tr_stats *tr_reader_stats(const struct tr_reader *r)
{
	return &r->st;
}

static void note_pid(struct tr_reader *r, int32_t pid)
{
	/* on no memory only the count suffers; not worth failing */
	if (tr_pidset_add(&r->pids, pid) > 0)
		r->st.pids = r->pids.n;
}

static size_t pend_slot(int32_t pid, size_t cap)
{
	return (size_t)((uint32_t)pid * 2654435761u) & (cap - 1);
}

/* The unfinished call of @pid: a hash lookup, as threads can be many. */
static struct pending *find_pending(struct tr_reader *r, int32_t pid)
{
	size_t i;

	if (!r->npend)
		return NULL;
	for (i = pend_slot(pid, r->cappend); r->pend[i].used;
	     i = (i + 1) & (r->cappend - 1))
		if (r->pend[i].pid == pid)
			return &r->pend[i];
	return NULL;
}

/*
 * strace -f writing to a terminal or stderr prints "[pid N]" only while
 * more than one process is traced, so a call can start without the
 * prefix and resume with it (vfork's child attached in between), or the
 * other way round (the other processes exited, and so did their calls:
 * the survivor's is the only one open).  A pid of 0 is "not printed".
 */
static struct pending *find_unprefixed(struct tr_reader *r, int32_t pid,
				       const char *name, size_t len)
{
	struct pending *p = NULL;
	size_t i;

	if (pid) {
		p = find_pending(r, 0);
	} else if (r->npend == 1) {
		for (i = 0; !p; i++)
			if (r->pend[i].used)
				p = &r->pend[i];
	}
	if (p && strlen(p->name) == len && memcmp(p->name, name, len) == 0)
		return p;
	return NULL;
}

/* Take @p out of the table, keeping its text; the slot may be refilled. */
static struct pending take_pending(struct tr_reader *r, struct pending *p)
{
	size_t mask = r->cappend - 1, i = (size_t)(p - r->pend), j = i, k;
	struct pending out = *p;

	/* backward-shift deletion: entries after the hole that would not
	 * be found across it move into it */
	for (;;) {
		j = (j + 1) & mask;
		if (!r->pend[j].used)
			break;
		k = pend_slot(r->pend[j].pid, r->cappend);
		if ((j > i && (k <= i || k > j)) ||
		    (j < i && k <= i && k > j)) {
			r->pend[i] = r->pend[j];
			i = j;
		}
	}
	memset(&r->pend[i], 0, sizeof(r->pend[i]));
	r->npend--;
	return out;
}

static void drop_pending(struct tr_reader *r, struct pending *p)
{
	free(take_pending(r, p).text);
}

/* A free slot for @pid (no call of it is open), growing the table. */
static struct pending *new_pending(struct tr_reader *r, int32_t pid)
{
	size_t i;

	if (2 * (r->npend + 1) > r->cappend) {
		size_t ncap = r->cappend ? r->cappend * 2 : 16, j;
		struct pending *n = calloc(ncap, sizeof(*n));

		if (!n)
			return NULL;
		for (j = 0; j < r->cappend; j++) {
			if (!r->pend[j].used)
				continue;
			for (i = pend_slot(r->pend[j].pid, ncap); n[i].used;
			     i = (i + 1) & (ncap - 1))
				;
			n[i] = r->pend[j];
		}
		free(r->pend);
		r->pend = n;
		r->cappend = ncap;
	}
	for (i = pend_slot(pid, r->cappend); r->pend[i].used;
	     i = (i + 1) & (r->cappend - 1))
		;
	r->npend++;
	r->pend[i].used = true;
	r->pend[i].pid = pid;
	return &r->pend[i];
}

/* Record a line error; returns -EINVAL (or 0 to skip with keep_going). */
static int line_error(struct tr_reader *r, uint64_t line, const char *why)
{
	if (r->st.skipped == 0 || !r->opt.keep_going)
		snprintf(r->msg, sizeof(r->msg), "%s:%llu: %s", r->file,
			 (unsigned long long)line, why);
	if (r->opt.keep_going) {
		r->st.skipped++;
		return 0;
	}
	return -EINVAL;
}

/*
 * A pid starts a call while an earlier one of its own is unfinished.  A
 * thread makes one call at a time and strace prints the resumption (or
 * "+++ exited +++") before its next, so the earlier call's result is lost
 * (an edited or damaged trace).  An error: with --keep-going the
 * lost call is counted as a skipped line and the new one is read.
 */
static int lost_pending(struct tr_reader *r, struct pending *p)
{
	char why[160];
	int rc;

	if (p->open) {
		rc = line_error(r, p->line, p->open);
		drop_pending(r, p);
		return rc;
	}
	snprintf(why, sizeof(why),
		 "pid %d starts a call while its %s of line %llu is "
		 "unfinished: that call's result is lost",
		 (int)p->pid, p->name, (unsigned long long)p->line);
	rc = line_error(r, r->line, why);
	drop_pending(r, p);
	return rc;
}

static struct pending *store_pending(struct tr_reader *r,
				     const struct tr_line *l, enum tr_call call,
				     bool raw)
{
	struct pending *p = new_pending(r, l->pid);

	if (!p)
		return NULL;
	r->last_pid = l->pid;
	p->call = call;
	p->raw = raw;
	p->line = r->line;
	p->at = r->st.lines;
	p->has_ts = l->has_ts;
	p->ts_us = l->ts_us;
	snprintf(p->name, sizeof(p->name), "%.*s",
		 (int)(l->name_len < 31 ? l->name_len : 31), l->name);
	if (call != TR_OTHER || r->opt.all_calls) {
		p->text = malloc(l->body_len + 1);
		if (!p->text) {
			drop_pending(r, p);
			return NULL;
		}
		memcpy(p->text, l->body, l->body_len);
		p->len = l->body_len;
	}
	return p;
}

/*
 * A call of another kind is only counted, but it must still end in a
 * result: ")", padding spaces, "= ".  Strings inside may hold anything, so
 * this looks from the end.
 */
static bool other_complete(const char *body, size_t len)
{
	size_t i, j;

	for (i = len; i-- > 1;) {
		if (body[i] != '=' || body[i + 1 < len ? i + 1 : i] != ' ' ||
		    i + 1 >= len)
			continue;
		for (j = i; j > 0 && body[j - 1] == ' '; j--)
			;
		if (j < i && j > 0 && body[j - 1] == ')')
			return true;
	}
	return false;
}

/*
 * strace ends every line with a newline: a last line without one was cut,
 * maybe inside its result ("= 0x7f12" of "= 0x7f1234560000"), which no
 * syntax check can see.  Called once the call reads well otherwise, so a
 * visible defect is named first.
 */
static int cut_error(struct tr_reader *r, uint64_t line)
{
	return line_error(r, line, "truncated line: the trace ends inside "
				   "this call (no newline after it)");
}

/*
 * A call line that stops short.  When strace's output shares a terminal
 * with the program's, the program's text can cut a call in two (write(1,
 * "hi\n", 3hi, then ")  = 3" on the next line); strace -z prints the rest
 * of an interrupted call as a bare ")  = 0x7f..." line.  So the line waits
 * for a continuation like an unfinished call; it is an error (@why, at its
 * own line) if none comes before its pid's next call or the end.  A
 * continuation that stops short is an error at once.
 */
static int short_line(struct tr_reader *r, uint64_t line,
		      const struct tr_line *l, enum tr_call call, bool raw,
		      const char *why)
{
	struct pending *p;

	if (r->cut || l->kind != TR_LINE_CALL)
		return line_error(r, line, why);
	p = store_pending(r, l, call, raw);
	if (!p)
		return line_error(r, line, "out of memory");
	p->open = why;
	return 0;
}

/*
 * Turn a complete call (possibly joined from a pending part) into an
 * event.  Returns 1 for an event, 0 for a call that is counted and
 * skipped, or the line_error result.
 */
static int finish_call(struct tr_reader *r, enum tr_call call, bool raw,
		       const char *body, size_t len, uint64_t line,
		       const struct tr_line *l, struct tr_event *ev)
{
	const char *why;

	if (call == TR_OTHER) {
		if (!other_complete(body, len))
			return short_line(r, line, l, call, raw,
					  "truncated line: missing result");
		if (r->cut)
			return cut_error(r, line);
		r->st.calls[TR_OTHER]++;
		if (!r->opt.all_calls)
			return 0;
		*ev = no_event;
		ev->call = TR_OTHER;
		ev->result = TR_RET_UNKNOWN;
	} else {
		*ev = no_event;
		if (tr_parse_call_raw(call, body, len, raw, ev, r->path,
				      sizeof(r->path), &why))
			return strncmp(why, "truncated", 9) == 0
				       ? short_line(r, line, l, call, raw, why)
				       : line_error(r, line, why);
		if (r->cut)
			return cut_error(r, line);
		r->st.calls[call]++;
		if (ev->flags & TR_FLAG_INJECTED)
			r->st.injected++;
		if (ev->result == TR_RET_ERROR) {
			r->st.failed[call]++;
			if (ev->err > 0 && ev->err <= LX_ERRNO_NAMED_MAX)
				r->st.errnos[ev->err]++;
		}
	}
	ev->line = line;
	ev->pid = l->pid;
	ev->has_ts = l->has_ts;
	ev->ts_us = l->ts_us;
	ev->end_ts_us = l->ts_us;
	ev->seq = ++r->st.events;
	return 1;
}

/*
 * The event for an unfinished clone: its arguments as far as printed, an
 * unknown result.  The arguments are parsed from a copy closed with
 * ") = ?", so a start that cannot be read is simply not reported (the
 * resumed call will be, or will fail with a message).
 */
static int clone_start(struct tr_reader *r, const struct tr_line *l,
		       enum tr_call call, bool raw, struct tr_event *ev)
{
	static const char close[] = ") = ?";
	size_t need = l->body_len + sizeof(close);
	const char *why;

	if (need > r->joined_cap) {
		char *n = realloc(r->joined, need);

		if (!n)
			return 0;
		r->joined = n;
		r->joined_cap = need;
	}
	memcpy(r->joined, l->body, l->body_len);
	memcpy(r->joined + l->body_len, close, sizeof(close));
	*ev = no_event;
	if (tr_parse_call_raw(call, r->joined, need - 1, raw, ev, r->path,
			      sizeof(r->path), &why))
		return 0;
	ev->flags |= TR_FLAG_STARTED;
	ev->line = r->line;
	ev->pid = l->pid;
	ev->has_ts = l->has_ts;
	ev->ts_us = l->ts_us;
	ev->end_ts_us = l->ts_us;
	ev->seq = r->st.events;
	return 1;
}

/*
 * "+++ exited with 0 +++", "+++ killed by SIGKILL +++": the pid's call in
 * progress never resumes, and the pid may be reused.  "+++ superseded by
 * execve in pid T +++": a thread T other than the leader called execve;
 * the kernel gives T the leader's pid, so T's unfinished execve resumes
 * under the pid of this line.
 */
static void pid_ends(struct tr_reader *r, const struct tr_line *l)
{
	static const char sup[] = "+++ superseded by execve in pid ";
	struct pending *p = find_pending(r, l->pid);
	size_t n = sizeof(sup) - 1, i;
	int64_t t = 0;

	if (p) {
		r->st.unfinished_at_end++;
		drop_pending(r, p);
	}
	if (l->body_len <= n || memcmp(l->body, sup, n) != 0)
		return;
	for (i = n; i < l->body_len && i < n + 10 && l->body[i] >= '0' &&
		    l->body[i] <= '9'; i++)
		t = t * 10 + (l->body[i] - '0');
	if (t > 0 && t <= INT32_MAX && (p = find_pending(r, (int32_t)t))) {
		struct pending moved = take_pending(r, p);

		p = new_pending(r, l->pid);
		if (!p) {
			free(moved.text);
			return;
		}
		moved.pid = l->pid;
		*p = moved;
	}
}

/*
 * A line that is no strace line may open strace -c/-C's summary table:
 * its heading or its header is held (the rule after it decides).
 */
static bool summary_start(struct tr_reader *r, const char *s, size_t len,
			  const char *why)
{
	while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == ' '))
		len--;
	if (tr_summary_heading(s, len))
		r->sum = SUM_HEADING;
	else if (tr_summary_hold(&r->table, s, len))
		r->sum = SUM_HEADER;
	else
		return false;
	r->sum_line = r->line;
	r->sum_why = why;
	return true;
}

/* The held line was no table after all: the error it was alone. */
static int summary_unheld(struct tr_reader *r)
{
	r->sum = SUM_NONE;
	return line_error(r, r->sum_line, r->sum_why);
}

/*
 * A line while the summary table is open: 0 when it belongs to it,
 * 1 when it is for the caller to read, or the line_error result.
 */
static int summary_line(struct tr_reader *r, const char *s, size_t len)
{
	int rc;

	while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == ' '))
		len--;
	switch (r->sum) {
	case SUM_NONE:
		return 1;
	case SUM_HEADING:
		if (len == 0) {
			r->st.summary_lines++;
			return 0;
		}
		if (tr_summary_hold(&r->table, s, len)) {
			r->st.summary_lines++;
			r->sum = SUM_HEADER;
			r->sum_line = r->line;
			return 0;
		}
		break;
	case SUM_HEADER:
		if (tr_summary_rule(&r->table, s, len)) {
			r->st.summary_lines += 2;
			r->sum = SUM_ROWS;
			return 0;
		}
		break;
	case SUM_ROWS:
		r->st.summary_lines++;
		if (tr_summary_same_rule(&r->table, s, len))
			r->sum = SUM_TOTAL;
		else if (!tr_summary_row(&r->table, s, len, false))
			break;
		return 0;
	case SUM_TOTAL:
		r->st.summary_lines++;
		if (!tr_summary_row(&r->table, s, len, true))
			break;
		r->st.summaries++;
		r->sum = SUM_NONE;
		return 0;
	}
	if (r->sum >= SUM_ROWS) {
		r->sum = SUM_NONE;
		return line_error(r, r->line,
				  "line does not fit the columns of strace's "
				  "call summary table (-c/-C) above it");
	}
	rc = summary_unheld(r);
	return rc ? rc : 1;
}

/*
 * With -z, -Z or -e status=, strace holds a call's text until it knows
 * the result; a call it had to print as "<unfinished ...>" meanwhile gets
 * its rest on the next line with no pid and no "<... resumed>", and not
 * always with a ')' first: "NULL)   = 0" after "nanosleep({...},
 * <unfinished ...>".  Only the line right after the unfinished call, with
 * no pid of its own, is taken so; @l becomes that continuation.
 */
static bool bare_rest(struct tr_reader *r, const char *s, size_t len,
		      struct tr_line *l)
{
	struct pending *p;

	if ((l->pid && !r->pid_by_name) || !r->npend ||
	    !(p = find_pending(r, r->last_pid)) || p->open ||
	    p->at + 1 != r->st.lines)
		return false;
	while (len > 0 && (s[len - 1] == '\r' || s[len - 1] == ' '))
		len--;
	memset(l, 0, sizeof(*l));
	l->kind = TR_LINE_RESUMED;
	l->body = s;
	l->body_len = len;
	return true;
}

static int handle_line(struct tr_reader *r, const char *s, size_t len,
		       struct tr_event *ev)
{
	struct tr_line l;
	struct pending *p;
	enum tr_call call;
	bool raw;
	size_t need;
	int64_t end_ts;
	int rc;

	if (r->sum != SUM_NONE && (rc = summary_line(r, s, len)) <= 0)
		return rc;
	tr_split_line(s, len, &l);
	r->pid_by_name = !l.pid && r->file_pid;
	if (r->pid_by_name)
		l.pid = r->file_pid;
	note_pid(r, l.pid);
	switch (l.kind) {
	case TR_LINE_ERROR:
		if (summary_start(r, s, len, l.error))
			return 0;
		if (!bare_rest(r, s, len, &l))
			return line_error(r, r->line, l.error);
		break;
	case TR_LINE_NOTE:
		r->st.notes++;
		return 0;
	case TR_LINE_SIGNAL:
		r->st.signals++;
		return 0;
	case TR_LINE_EXIT:
		r->st.exits++;
		pid_ends(r, &l);
		return 0;
	case TR_LINE_CALL:
	case TR_LINE_UNFINISHED:
		p = r->npend ? find_pending(r, l.pid) : NULL;
		if (p && (rc = lost_pending(r, p)) != 0)
			return rc;
		call = tr_call_lookup_raw(l.name, l.name_len, &raw);
		if (l.kind == TR_LINE_CALL)
			return finish_call(r, call, raw, l.body, l.body_len,
					   r->line, &l, ev);
		if (!store_pending(r, &l, call, raw))
			return line_error(r, r->line, "out of memory");
		if (r->opt.clone_starts &&
		    (call == TR_CLONE || call == TR_CLONE3 || call == TR_FORK ||
		     call == TR_VFORK || call == TR_MMAP || call == TR_MREMAP ||
		     call == TR_MUNMAP || call == TR_BRK))
			return clone_start(r, &l, call, raw, ev);
		return 0;
	case TR_LINE_RESUMED:
		break;
	}
	/* a bare continuation without a pid belongs to the latest call
	 * left open: strace printed nothing in between */
	p = find_pending(r, l.name_len || l.pid ? l.pid : r->last_pid);
	if (!p && l.name_len)
		p = find_unprefixed(r, l.pid, l.name, l.name_len);
	if (p && !l.pid)
		l.pid = p->pid;
	if (!p)
		return line_error(r, r->line,
				  l.name_len ? "resumed call with no "
					       "unfinished partner"
					     : "a line starting with ')' "
					       "continues no call");
	if (l.name_len && (strlen(p->name) != l.name_len ||
			   memcmp(p->name, l.name, l.name_len) != 0)) {
		drop_pending(r, p);
		return line_error(r, r->line,
				  "resumed call does not match the "
				  "unfinished call of this pid");
	}
	call = p->call;
	raw = p->raw;
	if (call == TR_OTHER && !r->opt.all_calls) {
		drop_pending(r, p);
		return finish_call(r, call, raw, l.body, l.body_len, r->line,
				   &l, ev);
	}
	need = p->len + l.body_len + 1;
	if (need > r->joined_cap) {
		char *n = realloc(r->joined, need);

		if (!n) {
			drop_pending(r, p);
			return line_error(r, r->line, "out of memory");
		}
		r->joined = n;
		r->joined_cap = need;
	}
	memcpy(r->joined, p->text, p->len);
	memcpy(r->joined + p->len, l.body, l.body_len);
	end_ts = l.has_ts ? l.ts_us : p->ts_us;
	l.has_ts = p->has_ts;
	l.ts_us = p->ts_us;
	{
		uint64_t line = p->line;

		drop_pending(r, p);
		rc = finish_call(r, call, raw, r->joined, need - 1, line, &l,
				 ev);
	}
	if (rc == 1) {
		ev->flags |= TR_FLAG_RESUMED;
		ev->end_ts_us = end_ts;
	}
	return rc;
}

/* Where strace's own note starts inside a line, or NULL. */
static const char *embedded_note(const char *s, size_t len)
{
	static const char note[] = "strace: Process ";
	const char *p = s + 1;

	while (len > 1 && (p = memchr(p, 's', len - (size_t)(p - s))) &&
	       (size_t)(p - s) + sizeof(note) - 1 <= len) {
		if (memcmp(p, note, sizeof(note) - 1) == 0) {
			/* only "strace: Process N attached|detached" running
			 * to the end of the line, never text in a string */
			const char *q = p + sizeof(note) - 1, *end = s + len;

			while (q < end && *q >= '0' && *q <= '9')
				q++;
			if ((end - q == 9 && memcmp(q, " attached", 9) == 0) ||
			    (end - q == 9 && memcmp(q, " detached", 9) == 0))
				return p;
		}
		p++;
	}
	return NULL;
}

/*
 * Join a line cut by an embedded "strace: Process N attached" with the
 * line that continues it, then hand the whole to handle_line.
 */
static int splice_or_handle(struct tr_reader *r, const char *s, size_t len,
			    struct tr_event *ev)
{
	const char *note = len > 16 ? embedded_note(s, len) : NULL;
	size_t keep = note ? (size_t)(note - s) : 0, need;
	int rc;

	if (!note && !r->carry_len)
		return handle_line(r, s, len, ev);
	need = r->carry_len + (note ? keep : len);
	if (need > r->carry_cap) {
		char *n = realloc(r->carry, need + 1);

		if (!n)
			return line_error(r, r->line, "out of memory");
		r->carry = n;
		r->carry_cap = need;
	}
	memcpy(r->carry + r->carry_len, s, note ? keep : len);
	r->carry_len = need;
	if (note) {
		r->st.notes++;
		return 0;
	}
	r->carry_len = 0;
	/* the call is reported at the line where it ends */
	rc = handle_line(r, r->carry, need, ev);
	return rc;
}

/*
 * Calls still unfinished at the end are counted (the tracee was killed or
 * strace detached); a line that stopped short and was never continued is
 * the error it would have been alone.
 */
static int end_of_trace(struct tr_reader *r)
{
	int rc = 0;
	uint64_t calls = 0;
	size_t c;

	if (r->sum == SUM_HEADING || r->sum == SUM_HEADER)
		rc = summary_unheld(r);
	else if (r->sum != SUM_NONE)
		rc = line_error(r, r->line, "the trace ends inside strace's "
					    "call summary table (-c/-C)");
	r->sum = SUM_NONE;
	if (rc) {
		r->fatal = true;
		return rc;
	}
	for (c = 0; c < TR_NCALLS; c++)
		calls += r->st.calls[c];
	if (r->st.summaries && !calls && !r->npend) {
		/* not even --keep-going makes a trace of it */
		snprintf(r->msg, sizeof(r->msg),
			 "%s: this is strace -c's call summary, not a trace: "
			 "-c counts calls and prints none of them; record "
			 "with strace -f -tt -o FILE PROGRAM (or strace -C "
			 "for both), or rmsim record", r->file);
		r->fatal = true;
		return -EINVAL;
	}

	struct pending *first = NULL;
	size_t i;

	/* the earliest line that stopped short is the one named */
	for (i = 0; i < r->cappend; i++)
		if (r->pend[i].used && r->pend[i].open &&
		    (!first || r->pend[i].line < first->line))
			first = &r->pend[i];
	if (first)
		rc = line_error(r, first->line, first->open);
	for (i = 0; i < r->cappend; i++) {
		struct pending *p = &r->pend[i];

		if (!p->used)
			continue;
		if (p->open && p != first && r->opt.keep_going)
			r->st.skipped++;
		else if (!p->open)
			r->st.unfinished_at_end++;
		free(p->text);
		memset(p, 0, sizeof(*p));
	}
	r->npend = 0;
	if (rc)
		r->fatal = true;
	return rc;
}

/* Warnings about missing family files, each with its clone; then one
 * that says more are missing (cat --stats counts them all). */
#define MISSING_WARNINGS 10

/*
 * A -ff family without the file of the child @ev names: the replay goes
 * on without that process's calls, so the user is told which file and
 * which line named it.
 */
static void missing_child(struct tr_reader *r, const struct tr_event *ev)
{
	r->st.missing_files++;
	if (r->st.missing_files <= MISSING_WARNINGS)
		fprintf(stderr,
			"rmsim: warning: %s:%llu: %s names process %lld, "
			"whose file %s is missing: the trace lacks its calls "
			"(strace -ff writes one file per process; keep them "
			"all beside each other)\n",
			r->file, (unsigned long long)ev->line,
			tr_call_name(ev->call), (long long)ev->ret,
			tr_family_error(r->src));
	else if (r->st.missing_files == MISSING_WARNINGS + 1)
		fprintf(stderr,
			"rmsim: warning: %s: more files of its strace -ff "
			"family are missing (rmsim cat --stats counts "
			"them)\n",
			r->file);
}

/*
 * strace -ff: a process's clone, fork or vfork names its child, whose
 * lines are in a file of their own beside this one (family.c).  Returns
 * 1 (the event stands) or an error.
 */
static int follow_child(struct tr_reader *r, const struct tr_event *ev)
{
	int rc;

	if ((ev->call != TR_CLONE && ev->call != TR_CLONE3 &&
	     ev->call != TR_FORK && ev->call != TR_VFORK) ||
	    ev->result != TR_RET_VALUE || ev->ret <= 0 ||
	    ev->ret > INT32_MAX || (ev->flags & TR_FLAG_STARTED))
		return 1;
	rc = tr_family_add(r->src, (int32_t)ev->ret);
	if (rc == -ENOENT) {
		missing_child(r, ev);
		return 1;
	}
	if (rc >= 0) {
		if (rc > 0)
			r->st.files = tr_family_files(r->src);
		return 1;
	}
	snprintf(r->msg, sizeof(r->msg), "%s", tr_family_error(r->src));
	r->fatal = true;
	return -EINVAL;
}

size_t tr_reader_files(const struct tr_reader *r)
{
	return tr_family_files(r->src);
}

const char *tr_reader_path(const struct tr_reader *r, size_t i)
{
	return tr_family_path(r->src, i);
}

int tr_next(struct tr_reader *r, struct tr_event *ev)
{
	for (;;) {
		const char *s;
		size_t len;
		int rc;

		if (r->fatal)
			return -EINVAL;
		rc = tr_family_next(r->src, &s, &len);
		/* a sum over the files: not every line */
		if (rc <= 0 || (r->st.lines & 4095) == 0)
			r->st.bytes = tr_family_bytes(r->src);
		if (rc < 0) {
			snprintf(r->msg, sizeof(r->msg), "%s",
				 tr_family_error(r->src));
			r->fatal = true;
			return rc;
		}
		if (rc == 0)
			return end_of_trace(r);
		r->cut = tr_family_cut(r->src);
		if (r->st.files > 1) {
			/* a -ff family: the line's file, pid and number */
			r->file = tr_family_file(r->src);
			r->file_pid = tr_family_pid(r->src);
			r->line = tr_family_line(r->src);
		} else {
			r->line++;
		}
		r->st.lines++;
		rc = splice_or_handle(r, s, len, ev);
		/* only -ff lines (no pid of their own) name a child file */
		if (rc == 1 && r->pid_by_name &&
		    (rc = follow_child(r, ev)) < 0)
			return rc;
		if (rc != 0) {
			if (rc < 0)
				r->fatal = !r->opt.keep_going;
			return rc;
		}
	}
}
