/*
 * reader.c - the streaming trace reader: lines in, events out.
 *
 * Memory is one line buffer (grown only for a line longer than it), the
 * unfinished calls pending per pid, and a set of the pids seen; nothing
 * grows with the length of the trace.  A call split by another thread's
 * output ("<unfinished ...>" ... "<... mmap resumed>") is kept as text
 * and parsed whole when it resumes, so split and unsplit calls go through
 * the same parser.
 */
#include "rmsim/trace.h"

#include "input.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUF_INITIAL (256 * 1024)
#define LINE_MAX_LEN (64 * 1024 * 1024)
#define PATH_SIZE 4096

/* A call waiting for its "<... resumed>" line. */
struct pending {
	int32_t pid;
	enum tr_call call;
	uint64_t line;
	bool has_ts;
	int64_t ts_us;
	char *text;		/* arguments so far (memory calls only) */
	size_t len, cap;
	char name[32];		/* for the mismatch message */
};

struct tr_reader {
	struct tr_input *in;
	char *file;		/* for messages */
	struct tr_options opt;
	char *buf;
	size_t cap, start, end;
	bool eof;
	uint64_t line;
	struct tr_stats st;
	struct pending *pend;
	size_t npend, cappend;
	int32_t *pids;		/* open-addressing set, 0 is empty */
	size_t npids, cappids;
	char path[PATH_SIZE];
	char *joined;		/* pending text + resumed rest */
	size_t joined_cap;
	char msg[PATH_SIZE + 128];
	bool fatal;
	/* strace writing to stderr can cut a call in two with its own
	 * "strace: Process N attached" note; the first half waits here */
	char *carry;
	size_t carry_len, carry_cap;
};

struct tr_reader *tr_open(const char *path, const struct tr_options *opt,
			  int *err)
{
	struct tr_reader *r = calloc(1, sizeof(*r));

	if (!r) {
		*err = -ENOMEM;
		return NULL;
	}
	r->in = tr_input_open(path, err);
	r->file = strdup(strcmp(path, "-") == 0 ? "<stdin>" : path);
	r->cap = BUF_INITIAL;
	r->buf = malloc(r->cap);
	if (!r->in || !r->file || !r->buf) {
		if (r->in)
			*err = -ENOMEM;
		tr_close(r);
		return NULL;
	}
	if (opt)
		r->opt = *opt;
	return r;
}

void tr_close(struct tr_reader *r)
{
	size_t i;

	if (!r)
		return;
	tr_input_close(r->in);
	for (i = 0; i < r->npend; i++)
		free(r->pend[i].text);
	free(r->pend);
	free(r->pids);
	free(r->joined);
	free(r->carry);
	free(r->buf);
	free(r->file);
	free(r);
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
	size_t i, mask;

	if (pid <= 0)
		return;
	if (2 * (r->npids + 1) > r->cappids) {
		size_t ncap = r->cappids ? r->cappids * 2 : 64, j;
		int32_t *n = calloc(ncap, sizeof(*n));

		if (!n)
			return;	/* the count only; not worth failing */
		for (j = 0; j < r->cappids; j++) {
			int32_t p = r->pids[j];

			if (!p)
				continue;
			for (i = (uint32_t)p * 2654435761u & (ncap - 1); n[i];
			     i = (i + 1) & (ncap - 1))
				;
			n[i] = p;
		}
		free(r->pids);
		r->pids = n;
		r->cappids = ncap;
	}
	mask = r->cappids - 1;
	for (i = (uint32_t)pid * 2654435761u & mask; r->pids[i];
	     i = (i + 1) & mask)
		if (r->pids[i] == pid)
			return;
	r->pids[i] = pid;
	r->npids++;
	r->st.pids = r->npids;
}

static struct pending *find_pending(struct tr_reader *r, int32_t pid)
{
	size_t i;

	for (i = 0; i < r->npend; i++)
		if (r->pend[i].pid == pid)
			return &r->pend[i];
	return NULL;
}

static void drop_pending(struct tr_reader *r, struct pending *p)
{
	free(p->text);
	*p = r->pend[--r->npend];
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

static int store_pending(struct tr_reader *r, const struct tr_line *l,
			 enum tr_call call)
{
	struct pending *p = find_pending(r, l->pid);

	if (p) {
		/* strace never leaves two calls of one pid open; the old one
		 * was cut off (the tracee was killed or detached) */
		r->st.unfinished_at_end++;
		drop_pending(r, p);
	}
	if (r->npend == r->cappend) {
		size_t ncap = r->cappend ? r->cappend * 2 : 16;
		struct pending *n = realloc(r->pend, ncap * sizeof(*n));

		if (!n)
			return -ENOMEM;
		r->pend = n;
		r->cappend = ncap;
	}
	p = &r->pend[r->npend++];
	memset(p, 0, sizeof(*p));
	p->pid = l->pid;
	p->call = call;
	p->line = r->line;
	p->has_ts = l->has_ts;
	p->ts_us = l->ts_us;
	snprintf(p->name, sizeof(p->name), "%.*s",
		 (int)(l->name_len < 31 ? l->name_len : 31), l->name);
	if (call != TR_OTHER || r->opt.all_calls) {
		p->text = malloc(l->body_len + 1);
		if (!p->text)
			return -ENOMEM;
		memcpy(p->text, l->body, l->body_len);
		p->len = l->body_len;
	}
	return 0;
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
 * Turn a complete call (possibly joined from a pending part) into an
 * event.  Returns 1 for an event, 0 for a call that is counted and
 * skipped, or the line_error result.
 */
static int finish_call(struct tr_reader *r, enum tr_call call,
		       const char *body, size_t len, uint64_t line,
		       const struct tr_line *l, struct tr_event *ev)
{
	const char *why;

	if (call == TR_OTHER) {
		if (!other_complete(body, len))
			return line_error(r, line,
					  "truncated line: missing result");
		r->st.calls[TR_OTHER]++;
		if (!r->opt.all_calls)
			return 0;
		memset(ev, 0, sizeof(*ev));
		ev->call = TR_OTHER;
		ev->result = TR_RET_UNKNOWN;
	} else {
		memset(ev, 0, sizeof(*ev));
		if (tr_parse_call(call, body, len, ev, r->path, sizeof(r->path),
				  &why))
			return line_error(r, line, why);
		r->st.calls[call]++;
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
		       enum tr_call call, struct tr_event *ev)
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
	memset(ev, 0, sizeof(*ev));
	if (tr_parse_call(call, r->joined, need - 1, ev, r->path,
			  sizeof(r->path), &why))
		return 0;
	ev->flags |= TR_FLAG_STARTED;
	ev->line = r->line;
	ev->pid = l->pid;
	ev->has_ts = l->has_ts;
	ev->ts_us = l->ts_us;
	ev->seq = r->st.events;
	return 1;
}

static int handle_line(struct tr_reader *r, const char *s, size_t len,
		       struct tr_event *ev)
{
	struct tr_line l;
	struct pending *p;
	enum tr_call call;
	size_t need;
	int rc;

	tr_split_line(s, len, &l);
	note_pid(r, l.pid);
	switch (l.kind) {
	case TR_LINE_ERROR:
		return line_error(r, r->line, l.error);
	case TR_LINE_NOTE:
		r->st.notes++;
		return 0;
	case TR_LINE_SIGNAL:
		r->st.signals++;
		return 0;
	case TR_LINE_EXIT:
		r->st.exits++;
		return 0;
	case TR_LINE_CALL:
		call = tr_call_lookup(l.name, l.name_len);
		return finish_call(r, call, l.body, l.body_len, r->line, &l,
				   ev);
	case TR_LINE_UNFINISHED:
		call = tr_call_lookup(l.name, l.name_len);
		rc = store_pending(r, &l, call);
		if (rc == -ENOMEM)
			return line_error(r, r->line, "out of memory");
		if (r->opt.clone_starts &&
		    (call == TR_CLONE || call == TR_CLONE3 || call == TR_FORK ||
		     call == TR_VFORK))
			return clone_start(r, &l, call, ev);
		return 0;
	case TR_LINE_RESUMED:
		break;
	}
	p = find_pending(r, l.pid);
	if (!p)
		return line_error(r, r->line,
				  "resumed call with no unfinished partner");
	if (strlen(p->name) != l.name_len ||
	    memcmp(p->name, l.name, l.name_len) != 0) {
		drop_pending(r, p);
		return line_error(r, r->line,
				  "resumed call does not match the "
				  "unfinished call of this pid");
	}
	call = p->call;
	if (call == TR_OTHER && !r->opt.all_calls) {
		drop_pending(r, p);
		return finish_call(r, call, l.body, l.body_len, r->line, &l,
				   ev);
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
	l.has_ts = p->has_ts;
	l.ts_us = p->ts_us;
	{
		uint64_t line = p->line;

		drop_pending(r, p);
		rc = finish_call(r, call, r->joined, need - 1, line, &l, ev);
	}
	if (rc == 1)
		ev->flags |= TR_FLAG_RESUMED;
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

/* Make room and read more input; returns bytes read, 0 at end, -1. */
static int fill(struct tr_reader *r)
{
	ssize_t n;

	if (r->start > 0) {
		memmove(r->buf, r->buf + r->start, r->end - r->start);
		r->end -= r->start;
		r->start = 0;
	}
	if (r->end == r->cap) {
		char *nb;

		if (r->cap >= LINE_MAX_LEN) {
			snprintf(r->msg, sizeof(r->msg),
				 "%s:%llu: line longer than %d MiB", r->file,
				 (unsigned long long)r->line + 1,
				 LINE_MAX_LEN >> 20);
			return -2;
		}
		nb = realloc(r->buf, r->cap * 2);
		if (!nb)
			return -1;
		r->buf = nb;
		r->cap *= 2;
	}
	n = tr_input_read(r->in, r->buf + r->end, r->cap - r->end);
	if (n < 0) {
		snprintf(r->msg, sizeof(r->msg), "%s: %s", r->file,
			 tr_input_error(r->in));
		return -1;
	}
	r->end += (size_t)n;
	r->st.bytes += (uint64_t)n;
	return (int)(n > 0);
}

int tr_next(struct tr_reader *r, struct tr_event *ev)
{
	for (;;) {
		char *nl;
		size_t len;
		int rc;

		if (r->fatal)
			return -EINVAL;
		nl = memchr(r->buf + r->start, '\n', r->end - r->start);
		if (!nl) {
			if (!r->eof) {
				rc = fill(r);
				if (rc < 0) {
					r->fatal = true;
					return rc == -2 ? -EINVAL : -EIO;
				}
				if (rc == 0)
					r->eof = true;
				continue;
			}
			if (r->start == r->end) {
				r->st.unfinished_at_end += r->npend;
				while (r->npend)
					drop_pending(r, &r->pend[0]);
				return 0;
			}
			nl = r->buf + r->end;	/* last line, no newline */
		}
		len = (size_t)(nl - (r->buf + r->start));
		r->line++;
		r->st.lines++;
		rc = splice_or_handle(r, r->buf + r->start, len, ev);
		r->start += len + (nl < r->buf + r->end);
		if (rc != 0) {
			if (rc < 0)
				r->fatal = !r->opt.keep_going;
			return rc;
		}
	}
}
