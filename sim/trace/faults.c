/*
 * faults.c - the reader of a recording's side file (docs/recording.md):
 * machine facts, each image's maps after execve, RssAnon samples, and
 * the page faults as a stream.
 *
 * ALGORITHM: open reads every line up to the first fault into memory
 * (header, execs with their maps, RSS samples: these grow with processes
 * and sampling periods, not with faults), keeps that first fault line
 * decoded, and tr_faults_next hands out one fault per line after it.
 * INVARIANTS: execs[] and rss[] are in file order; every map and
 * resident range belongs to the last exec of its pid before it; faults come out in non-decreasing
 * time, or the reader stops with FILE:LINE.
 */
#include "rmsim/trace.h"

#include "lines.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAGIC "rmsim-faults 1"
#define PAGE_LOW 0xfffULL /* x86-64's 4 KiB pages, as the model's */

struct exec_rec {
	struct tr_exec_maps pub;
	struct tr_map *maps;
	size_t cap;
	struct tr_span *res;
	size_t capres;
};

struct tr_faults {
	struct tr_lines *src;
	char *path;
	struct tr_machine mach;
	struct exec_rec *execs;
	size_t nexecs, capexecs;
	struct tr_rss_sample *rss;
	size_t nrss, caprss;
	uint64_t line;
	uint64_t count;
	bool have_next;		/* the first fault, read by open */
	struct tr_fault next;
	int64_t last_ts;
	bool fatal;
	char msg[4300];
};

/* A cursor over the words of one line. */
struct words {
	const char *s, *end;
};

static bool word(struct words *w, const char **p, size_t *n)
{
	while (w->s < w->end && (*w->s == ' ' || *w->s == '\t'))
		w->s++;
	if (w->s == w->end)
		return false;
	*p = w->s;
	while (w->s < w->end && *w->s != ' ' && *w->s != '\t')
		w->s++;
	*n = (size_t)(w->s - *p);
	return true;
}

/* The rest of the line after one separator (a path may hold spaces). */
static void rest(struct words *w, const char **p, size_t *n)
{
	if (w->s < w->end && (*w->s == ' ' || *w->s == '\t'))
		w->s++;
	*p = w->s;
	*n = (size_t)(w->end - w->s);
}

static bool is(const char *p, size_t n, const char *lit)
{
	return n == strlen(lit) && memcmp(p, lit, n) == 0;
}

/* An unsigned number in @base filling exactly [p, p+n). */
static bool num(const char *p, size_t n, int base, uint64_t *v)
{
	uint64_t x = 0;
	size_t i;

	if (n == 0 || n > 20)
		return false;
	for (i = 0; i < n; i++) {
		unsigned d;
		char c = p[i];

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			return false;
		if (x > (UINT64_MAX - d) / (uint64_t)base)
			return false;
		x = x * (uint64_t)base + d;
	}
	*v = x;
	return true;
}

static bool next_num(struct words *w, int base, uint64_t *v)
{
	const char *p;
	size_t n;

	return word(w, &p, &n) && num(p, n, base, v);
}

static bool next_pid(struct words *w, int32_t *pid)
{
	uint64_t v;

	if (!next_num(w, 10, &v) || v == 0 || v > INT32_MAX)
		return false;
	*pid = (int32_t)v;
	return true;
}

/* "SEC.FRACTION" as strace -ttt prints it, to microseconds. */
static bool next_ts(struct words *w, int64_t *ts)
{
	const char *p, *dot;
	size_t n, fl, i;
	uint64_t sec, frac = 0;

	if (!word(w, &p, &n))
		return false;
	dot = memchr(p, '.', n);
	if (!dot || !num(p, (size_t)(dot - p), 10, &sec) ||
	    sec > INT64_MAX / 1000000 - 1)
		return false;
	fl = n - (size_t)(dot - p) - 1;
	if (fl == 0 || fl > 9)
		return false;
	for (i = 0; i < 6; i++) {
		char c = i < fl ? dot[1 + i] : '0';

		if (c < '0' || c > '9')
			return false;
		frac = frac * 10 + (uint64_t)(c - '0');
	}
	for (; i < fl; i++)
		if (dot[1 + i] < '0' || dot[1 + i] > '9')
			return false;
	*ts = (int64_t)(sec * 1000000 + frac);
	return true;
}

static char *dup_n(const char *p, size_t n)
{
	char *s = malloc(n + 1);

	if (s) {
		memcpy(s, p, n);
		s[n] = '\0';
	}
	return s;
}

static int bad(struct tr_faults *f, const char *why)
{
	snprintf(f->msg, sizeof(f->msg), "%s:%" PRIu64 ": %s", f->path,
		 f->line, why);
	f->fatal = true;
	return -EINVAL;
}

static void copy_field(char *dst, size_t size, const char *p, size_t n)
{
	if (n >= size)
		n = size - 1;
	memcpy(dst, p, n);
	dst[n] = '\0';
}

static int machine_line(struct tr_faults *f, struct words *w)
{
	struct tr_machine *m = &f->mach;
	const char *k, *v;
	size_t kn, vn;
	uint64_t x;

	if (!word(w, &k, &kn))
		return bad(f, "machine: no key");
	rest(w, &v, &vn);
	if (is(k, kn, "kernel")) {
		copy_field(m->kernel, sizeof(m->kernel), v, vn);
	} else if (is(k, kn, "thp")) {
		copy_field(m->thp, sizeof(m->thp), v, vn);
	} else if (is(k, kn, "zero_page")) {
		if (!is(v, vn, "yes") && !is(v, vn, "no"))
			return bad(f, "machine zero_page: not yes or no");
		m->zero_page = is(v, vn, "yes");
	} else if (is(k, kn, "fault_source")) {
		copy_field(m->fault_source, sizeof(m->fault_source), v, vn);
	} else if (is(k, kn, "faults")) {
		if (!is(v, vn, "perf") && !is(v, vn, "none"))
			return bad(f, "machine faults: not perf or none");
		m->faults_recorded = is(v, vn, "perf");
	} else if (is(k, kn, "page_size") || is(k, kn, "max_map_count") ||
		   is(k, kn, "overcommit_memory")) {
		if (!num(v, vn, 10, &x))
			return bad(f, "machine: value is not a number");
		if (is(k, kn, "page_size")) {
			if (x < 4096 || (x & (x - 1)))
				return bad(f, "machine page_size: not a "
					      "power of two >= 4096");
			m->page_size = x;
		} else if (is(k, kn, "max_map_count")) {
			m->max_map_count = x;
		} else {
			if (x > 2)
				return bad(f, "machine overcommit_memory: "
					      "not 0, 1 or 2");
			m->overcommit_memory = (int)x;
		}
	}
	/* other keys: facts a later version records, ignored */
	return 0;
}

static void *grow(void *arr, size_t *cap, size_t n, size_t elem)
{
	size_t ncap;
	void *na;

	if (n < *cap)
		return arr;
	ncap = *cap ? *cap * 2 : 8;
	na = realloc(arr, ncap * elem);
	if (na)
		*cap = ncap;
	return na;
}

static int exec_line(struct tr_faults *f, struct words *w)
{
	struct exec_rec *e;
	const char *p;
	size_t n;
	void *na;

	na = grow(f->execs, &f->capexecs, f->nexecs, sizeof(*f->execs));
	if (!na)
		return -ENOMEM;
	f->execs = na;
	e = &f->execs[f->nexecs];
	memset(e, 0, sizeof(*e));
	if (!next_pid(w, &e->pub.pid))
		return bad(f, "exec: bad pid");
	if (!next_ts(w, &e->pub.ts_us))
		return bad(f, "exec: bad timestamp");
	if (!word(w, &p, &n) || !(is(p, n, "exact") || is(p, n, "late")))
		return bad(f, "exec: not exact or late");
	e->pub.exact = is(p, n, "exact");
	rest(w, &p, &n);
	e->pub.path = dup_n(p, n);
	if (!e->pub.path)
		return -ENOMEM;
	f->nexecs++;
	return 0;
}

static struct exec_rec *last_exec(struct tr_faults *f, int32_t pid)
{
	size_t i;

	for (i = f->nexecs; i-- > 0;)
		if (f->execs[i].pub.pid == pid)
			return &f->execs[i];
	return NULL;
}

/*
 * "PID START-END" of a map or resident line: the exec record of PID it
 * belongs to and the range (hex, non-empty), or NULL with the message
 * (@what names the record).
 */
static struct exec_rec *pid_range(struct tr_faults *f, struct words *w,
				  const char *what, uint64_t *start,
				  uint64_t *end)
{
	struct exec_rec *e;
	const char *p, *dash;
	char msg[64];
	size_t n;
	int32_t pid;

	if (!next_pid(w, &pid)) {
		snprintf(msg, sizeof(msg), "%s: bad pid", what);
		bad(f, msg);
		return NULL;
	}
	e = last_exec(f, pid);
	if (!e) {
		snprintf(msg, sizeof(msg),
			 "%s: no exec line of this pid before it", what);
		bad(f, msg);
		return NULL;
	}
	if (!word(w, &p, &n) || !(dash = memchr(p, '-', n)) ||
	    !num(p, (size_t)(dash - p), 16, start) ||
	    !num(dash + 1, n - (size_t)(dash - p) - 1, 16, end) ||
	    *end <= *start) {
		snprintf(msg, sizeof(msg), "%s: bad range", what);
		bad(f, msg);
		return NULL;
	}
	return e;
}

/* "PID START-END PERMS OFFSET PATH", PERMS as in /proc/PID/maps. */
static int map_line(struct tr_faults *f, struct words *w)
{
	struct exec_rec *e;
	struct tr_map m = {0};
	const char *p;
	size_t n;
	void *na;

	e = pid_range(f, w, "map", &m.start, &m.end);
	if (!e)
		return -EINVAL;
	if (e->pub.nmaps && m.start < e->maps[e->pub.nmaps - 1].end)
		return bad(f, "map: ranges not ascending");
	if (!word(w, &p, &n) || n != 4 || (p[0] != 'r' && p[0] != '-') ||
	    (p[1] != 'w' && p[1] != '-') || (p[2] != 'x' && p[2] != '-') ||
	    (p[3] != 'p' && p[3] != 's'))
		return bad(f, "map: bad permissions");
	m.prot = (p[0] == 'r' ? LX_PROT_READ : 0) |
		 (p[1] == 'w' ? LX_PROT_WRITE : 0) |
		 (p[2] == 'x' ? LX_PROT_EXEC : 0);
	m.shared = p[3] == 's';
	if (!next_num(w, 16, &m.offset))
		return bad(f, "map: bad offset");
	rest(w, &p, &n);
	m.path = dup_n(p, n);
	na = grow(e->maps, &e->cap, e->pub.nmaps, sizeof(*e->maps));
	if (!m.path || !na) {
		free((char *)m.path);
		if (na)
			e->maps = na;
		return -ENOMEM;
	}
	e->maps = na;
	e->maps[e->pub.nmaps++] = m;
	e->pub.maps = e->maps;
	return 0;
}

/* "resident PID START-END": anonymous pages resident after execve. */
static int resident_line(struct tr_faults *f, struct words *w)
{
	struct exec_rec *e;
	struct tr_span r;
	const char *p;
	size_t n;
	void *na;

	e = pid_range(f, w, "resident", &r.start, &r.end);
	if (!e)
		return -EINVAL;
	if ((r.start | r.end) & PAGE_LOW)
		return bad(f, "resident: range not page-aligned");
	if (word(w, &p, &n))
		return bad(f, "resident: text after the range");
	if (e->pub.nresident &&
	    r.start < e->res[e->pub.nresident - 1].end)
		return bad(f, "resident: ranges not ascending");
	na = grow(e->res, &e->capres, e->pub.nresident, sizeof(*e->res));
	if (!na)
		return -ENOMEM;
	e->res = na;
	e->res[e->pub.nresident++] = r;
	e->pub.resident = e->res;
	e->pub.has_resident = true;
	return 0;
}

static int rss_line(struct tr_faults *f, struct words *w)
{
	struct tr_rss_sample s;
	uint64_t kb;
	void *na;

	if (!next_pid(w, &s.pid))
		return bad(f, "rss: bad pid");
	if (!next_ts(w, &s.ts_us))
		return bad(f, "rss: bad timestamp");
	if (!next_num(w, 10, &kb) || kb > UINT64_MAX / 1024)
		return bad(f, "rss: bad size in KiB");
	s.anon_bytes = kb * 1024;
	na = grow(f->rss, &f->caprss, f->nrss, sizeof(*f->rss));
	if (!na)
		return -ENOMEM;
	f->rss = na;
	f->rss[f->nrss++] = s;
	return 0;
}

/* "PID TS ADDR ACCESS", ACCESS one of r w x -. */
static int fault_line(struct tr_faults *f, struct words *w,
		      struct tr_fault *out)
{
	const char *p;
	size_t n;

	out->line = f->line;
	if (!next_pid(w, &out->pid))
		return bad(f, "fault: bad pid");
	if (!next_ts(w, &out->ts_us))
		return bad(f, "fault: bad timestamp");
	if (!next_num(w, 16, &out->addr))
		return bad(f, "fault: bad address");
	if (!word(w, &p, &n) || n != 1)
		return bad(f, "fault: access is not r, w, x or -");
	switch (p[0]) {
	case 'r':
		out->access = TR_ACCESS_READ;
		break;
	case 'w':
		out->access = TR_ACCESS_WRITE;
		break;
	case 'x':
		out->access = TR_ACCESS_EXEC;
		break;
	case '-':
		out->access = TR_ACCESS_UNKNOWN;
		break;
	default:
		return bad(f, "fault: access is not r, w, x or -");
	}
	if (word(w, &p, &n))
		return bad(f, "fault: text after the access");
	if (out->ts_us < f->last_ts)
		return bad(f, "fault: earlier than the fault before it");
	f->last_ts = out->ts_us;
	return 0;
}

/*
 * One line: 1 a fault (in *@out), 0 anything else, 2 at the end, or
 * -errno.
 */
static int read_line(struct tr_faults *f, struct tr_fault *out,
		     bool header_done)
{
	struct words w;
	const char *s, *k;
	size_t len, kn;
	int rc;

	rc = tr_lines_next(f->src, &s, &len);
	if (rc < 0) {
		snprintf(f->msg, sizeof(f->msg), "%s", tr_lines_error(f->src));
		f->fatal = true;
		return rc;
	}
	if (rc == 0)
		return 2;
	f->line++;
	if (f->line == 1)
		return is(s, len, MAGIC) ? 0 : bad(f, "not an rmsim fault "
						      "file (first line is "
						      "not \"" MAGIC "\")");
	w.s = s;
	w.end = s + len;
	if (!word(&w, &k, &kn) || k[0] == '#')
		return 0;
	if (is(k, kn, "fault")) {
		rc = fault_line(f, &w, out);
		return rc < 0 ? rc : 1;
	}
	if (header_done)
		return bad(f, "header line after the first fault");
	if (is(k, kn, "machine"))
		return machine_line(f, &w);
	if (is(k, kn, "exec"))
		return exec_line(f, &w);
	if (is(k, kn, "map"))
		return map_line(f, &w);
	if (is(k, kn, "rss"))
		return rss_line(f, &w);
	if (is(k, kn, "resident"))
		return resident_line(f, &w);
	return bad(f, "unknown record (not machine, exec, map, resident, "
		      "rss or fault)");
}

struct tr_faults *tr_faults_open_file(const char *path, int *err, char *msg,
				      size_t msg_size)
{
	struct tr_faults *f = calloc(1, sizeof(*f));
	int rc = 0;

	if (msg_size)
		msg[0] = '\0';
	if (!f) {
		*err = -ENOMEM;
		return NULL;
	}
	f->mach.overcommit_memory = -1;
	f->mach.zero_page = -1;
	f->path = strdup(path);
	f->src = tr_lines_open(path, err);
	if (!f->path || !f->src) {
		if (f->src)
			*err = -ENOMEM;
		tr_faults_close(f);
		return NULL;
	}
	while ((rc = read_line(f, &f->next, false)) == 0)
		;
	if (rc == 2 && f->line == 0) {
		f->line = 1;
		rc = bad(f, "empty file");
	}
	if (rc < 0) {
		*err = rc;
		if (msg_size)
			snprintf(msg, msg_size, "%s",
				 f->msg[0] ? f->msg : strerror(-rc));
		tr_faults_close(f);
		return NULL;
	}
	f->have_next = rc == 1;
	f->fatal = false;
	return f;
}

int tr_side_path(const char *trace_path, char *buf, size_t size)
{
	static const char *const comp[] = {".xz", ".gz", ""};
	size_t n = strlen(trace_path), i;

	for (i = 0; i < 2; i++) {
		size_t cl = strlen(comp[i]);

		if (n > cl && strcmp(trace_path + n - cl, comp[i]) == 0) {
			n -= cl;
			break;
		}
	}
	if (n > 7 && memcmp(trace_path + n - 7, ".strace", 7) == 0)
		n -= 7;
	for (i = 0; i < 3; i++) {
		int w = snprintf(buf, size, "%.*s.faults%s", (int)n,
				 trace_path, comp[i]);

		if (w < 0 || (size_t)w >= size)
			return -ENAMETOOLONG;
		if (access(buf, F_OK) == 0)
			return 0;
	}
	return -ENOENT;
}

struct tr_faults *tr_faults_open(const char *trace_path, int *err,
				 char *msg, size_t msg_size)
{
	char path[4096];
	int rc = tr_side_path(trace_path, path, sizeof(path));

	if (rc < 0) {
		*err = rc;
		if (msg_size)
			snprintf(msg, msg_size, "%s: no side file",
				 trace_path);
		return NULL;
	}
	return tr_faults_open_file(path, err, msg, msg_size);
}

int tr_faults_next(struct tr_faults *f, struct tr_fault *out)
{
	int rc;

	if (f->fatal)
		return -EINVAL;
	if (f->have_next) {
		*out = f->next;
		f->have_next = false;
		f->count++;
		return 1;
	}
	while ((rc = read_line(f, out, true)) == 0)
		;
	if (rc == 2)
		return 0;
	if (rc == 1)
		f->count++;
	return rc;
}

const char *tr_faults_path(const struct tr_faults *f)
{
	return f->path;
}

const struct tr_machine *tr_faults_machine(const struct tr_faults *f)
{
	return &f->mach;
}

size_t tr_faults_nexecs(const struct tr_faults *f)
{
	return f->nexecs;
}

const struct tr_exec_maps *tr_faults_exec(const struct tr_faults *f,
					  size_t i)
{
	return i < f->nexecs ? &f->execs[i].pub : NULL;
}

const struct tr_exec_maps *tr_faults_exec_of(const struct tr_faults *f,
					     int32_t pid, int64_t ts_us)
{
	size_t i;

	/* captures are in time order, each a hold after its execve */
	for (i = 0; i < f->nexecs; i++) {
		const struct tr_exec_maps *e = &f->execs[i].pub;

		if (e->pid == pid && e->ts_us >= ts_us)
			return e;
	}
	return NULL;
}

size_t tr_faults_nrss(const struct tr_faults *f)
{
	return f->nrss;
}

const struct tr_rss_sample *tr_faults_rss(const struct tr_faults *f,
					  size_t i)
{
	return i < f->nrss ? &f->rss[i] : NULL;
}

const char *tr_faults_error(const struct tr_faults *f)
{
	return f->msg;
}

uint64_t tr_faults_count(const struct tr_faults *f)
{
	return f->count;
}

void tr_faults_close(struct tr_faults *f)
{
	size_t i, j;

	if (!f)
		return;
	for (i = 0; i < f->nexecs; i++) {
		for (j = 0; j < f->execs[i].pub.nmaps; j++)
			free((char *)f->execs[i].maps[j].path);
		free(f->execs[i].maps);
		free(f->execs[i].res);
		free((char *)f->execs[i].pub.path);
	}
	free(f->execs);
	free(f->rss);
	tr_lines_close(f->src);
	free(f->path);
	free(f);
}
