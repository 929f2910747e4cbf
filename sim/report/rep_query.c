/*
 * rep_query.c - reads what the report shows from the database into
 * struct rep_data, and owns its memory (one arena).
 *
 * Which runs are shown: of the replay and compare runs, the latest of
 * each trace, layout, policy and parameters (a run of command compare
 * groups with the others of its trace and layout); of the conformance
 * runs, the latest of each policy, parameters and layout.  Older runs of
 * the same key are counted, not shown.
 *
 * What is read per run is bounded, whatever the number of events: the
 * finding counts come from an aggregate, the listed findings are the
 * first REP_DEV_CAP of each kind joined with their events on (run_id,
 * seq), and the samples are reduced to REP_SAMPLE_BUCKETS buckets by SQL.
 */
#include "report/rep_internal.h"
#include "rmsim/policy.h"

#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

/* ---- the arena ---- */

struct rep_arena {
	struct rep_arena *next;
	size_t used, size;
	max_align_t data[];
};

#define ARENA_CHUNK (256 * 1024)

void *rep_alloc(struct rep_data *d, size_t size)
{
	struct rep_arena *a = d->arena;
	size_t align = sizeof(max_align_t), need;
	void *p;

	size = (size + align - 1) / align * align;
	if (!a || a->size - a->used < size) {
		need = size > ARENA_CHUNK / 4 ? size : ARENA_CHUNK;
		a = malloc(sizeof(*a) + need);
		if (!a)
			return NULL;
		a->used = 0;
		a->size = need;
		/* a big block goes behind the current chunk, so the chunk's
		 * free space stays in use */
		if (size > ARENA_CHUNK / 4 && d->arena) {
			a->next = d->arena->next;
			d->arena->next = a;
		} else {
			a->next = d->arena;
			d->arena = a;
		}
	}
	p = (char *)a->data + a->used;
	a->used += size;
	memset(p, 0, size);
	return p;
}

const char *rep_spec(struct rep_data *d, const char *policy,
		     const char *params)
{
	char buf[POL_SPEC_MAX * 2];

	pol_spec_format(buf, sizeof(buf), policy ? policy : "?", params);
	return rep_strdup(d, buf);
}

const char *rep_strdup(struct rep_data *d, const char *s)
{
	size_t n;
	char *p;

	if (!s)
		return NULL;
	n = strlen(s) + 1;
	p = rep_alloc(d, n);
	if (p)
		memcpy(p, s, n);
	return p;
}

void rep_data_free(struct rep_data *d)
{
	struct rep_arena *a = d->arena, *next;

	for (; a; a = next) {
		next = a->next;
		free(a);
	}
	memset(d, 0, sizeof(*d));
}

/* ---- reading ---- */

struct loader {
	sqlite3 *db;
	struct rep_data *d;
	char *err;
	size_t errsize;
	int status;
	int version;		/* of the schema: 1 has no settings, no
				 * causes, no consequences */
};

/* Record the first failure: an SQL error on a database that turns out
 * not to be one is bad input (65), anything else is ours (70). */
static int fail(struct loader *l, int rc, const char *what)
{
	int code = rc & 0xff;

	if (!l->status) {
		l->status = code == SQLITE_NOTADB || code == SQLITE_CORRUPT
				    ? 65
				    : 70;
		snprintf(l->err, l->errsize, "%s: %s: %s", l->d->db_path,
			 what, l->db ? sqlite3_errmsg(l->db) : "?");
	}
	return l->status;
}

static int oom(struct loader *l)
{
	if (!l->status) {
		l->status = 70;
		snprintf(l->err, l->errsize, "out of memory");
	}
	return l->status;
}

static sqlite3_stmt *prepare(struct loader *l, const char *sql)
{
	sqlite3_stmt *st = NULL;
	int rc = sqlite3_prepare_v2(l->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK) {
		fail(l, rc, "cannot read");
		return NULL;
	}
	return st;
}

static const char *col_text(struct loader *l, sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? rep_strdup(l->d, (const char *)s) : NULL;
}

static double col_real(sqlite3_stmt *st, int i)
{
	return sqlite3_column_type(st, i) == SQLITE_NULL
		       ? NAN
		       : sqlite3_column_double(st, i);
}

/* Make room for element @n of array @v (room for *@cap); returns the
 * array, moved when it grew, or NULL when out of memory.  The old block
 * stays in the arena: amortised, that is one more copy. */
static void *grow(struct loader *l, void *v, size_t n, size_t *cap,
		  size_t elem)
{
	void *nv;
	size_t ncap;

	if (n < *cap)
		return v;
	ncap = *cap ? *cap * 2 : 8;
	nv = rep_alloc(l->d, ncap * elem);
	if (!nv)
		return NULL;
	if (n)
		memcpy(nv, v, n * elem);
	*cap = ncap;
	return nv;
}

static bool same(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return strcmp(a, b) == 0;
}

/* An rmsim database has meta.schema_version; anything else is refused. */
static int check_schema(struct loader *l)
{
	sqlite3_stmt *st = NULL;
	int rc, version = -1;

	rc = sqlite3_prepare_v2(l->db,
				"SELECT value FROM meta WHERE "
				"key='schema_version'",
				-1, &st, NULL);
	if (rc == SQLITE_OK && sqlite3_step(st) == SQLITE_ROW)
		version = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if ((rc & 0xff) == SQLITE_NOTADB || (rc & 0xff) == SQLITE_CORRUPT) {
		l->status = 65;
		snprintf(l->err, l->errsize, "%s: not a database (%s)",
			 l->d->db_path, sqlite3_errmsg(l->db));
		return 65;
	}
	if ((rc & 0xff) == SQLITE_IOERR || (rc & 0xff) == SQLITE_CANTOPEN) {
		/* WAL needs its -shm file beside the database, even to read */
		l->status = 66;
		snprintf(l->err, l->errsize, "%s: cannot read (%s)",
			 l->d->db_path, sqlite3_errmsg(l->db));
		return 66;
	}
	if (version < 0) {
		l->status = 65;
		snprintf(l->err, l->errsize, "%s: not an rmsim database",
			 l->d->db_path);
		return 65;
	}
	/* 3 and 4 added run columns the report does not read */
	if (version < 1 || version > 4) {
		l->status = 65;
		snprintf(l->err, l->errsize,
			 "%s: schema version %d, this rmsim reads 1 to 4",
			 l->d->db_path, version);
		return 65;
	}
	l->version = version;
	return 0;
}

static bool is_conform(const struct rep_run *r)
{
	return same(r->command, "conform");
}

static bool is_replay(const struct rep_run *r)
{
	return same(r->command, "replay") || same(r->command, "compare");
}

/* Runs of the same key: only the latest is shown. */
static bool same_key(const struct rep_run *a, const struct rep_run *b)
{
	if (is_conform(a) != is_conform(b))
		return false;
	if (!same(a->policy, b->policy) || !same(a->params, b->params) ||
	    !same(a->layout, b->layout) || !same(a->settings, b->settings))
		return false;
	return is_conform(a) || same(a->trace, b->trace);
}

static int load_runs(struct loader *l)
{
	struct rep_data *d = l->d;
	sqlite3_stmt *st;
	struct rep_run *all = NULL, *r;
	size_t nall = 0, cap = 0, i, j;
	int rc;

	st = prepare(l, l->version >= 2
			? "SELECT id, started_utc, tool_version, command, trace,"
			  " policy, params, layout, genode_version, status,"
			  " events, wall_ms, detail, settings, ram_quota,"
			  " ram_quota_derived, trace_sha256 FROM run ORDER BY id"
			: "SELECT id, started_utc, tool_version, command, trace,"
			  " policy, params, layout, genode_version, status,"
			  " events, wall_ms, detail, NULL, NULL, NULL, NULL"
			  " FROM run ORDER BY id");
	if (!st)
		return l->status;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		r = grow(l, all, nall, &cap, sizeof(*r));
		if (!r) {
			sqlite3_finalize(st);
			return oom(l);
		}
		all = r;
		r = &all[nall++];
		memset(r, 0, sizeof(*r));
		r->id = sqlite3_column_int64(st, 0);
		r->started = col_text(l, st, 1);
		r->tool_version = col_text(l, st, 2);
		r->command = col_text(l, st, 3);
		r->trace = col_text(l, st, 4);
		r->policy = col_text(l, st, 5);
		r->params = col_text(l, st, 6);
		r->layout = col_text(l, st, 7);
		r->genode = col_text(l, st, 8);
		r->status = col_text(l, st, 9);
		r->events = sqlite3_column_int64(st, 10);
		r->has_wall = sqlite3_column_type(st, 11) != SQLITE_NULL;
		r->wall_ms = sqlite3_column_double(st, 11);
		r->detail = col_text(l, st, 12);
		r->settings = col_text(l, st, 13);
		r->ram_quota = col_real(st, 14);
		r->ram_derived = sqlite3_column_int(st, 15) != 0;
		r->trace_sha256 = col_text(l, st, 16);
		if (!r->policy)
			r->policy = "?";
		r->display = rep_spec(d, r->policy, r->params);
		if (!r->display) {
			sqlite3_finalize(st);
			return oom(l);
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return fail(l, rc, "cannot read runs");
	d->nruns_total = nall;

	/* keep the latest of each key, counting the ones it hides */
	d->runs = rep_alloc(d, (nall ? nall : 1) * sizeof(*d->runs));
	if (!d->runs)
		return oom(l);
	for (i = 0; i < nall; i++) {
		if ((!is_conform(&all[i]) && !is_replay(&all[i])) ||
		    all[i].id < d->min_run)
			continue;
		for (j = 0; j < d->nruns; j++)
			if (same_key(&d->runs[j], &all[i]))
				break;
		if (j < d->nruns) {
			int64_t earlier = d->runs[j].earlier + 1;

			d->runs[j] = all[i];
			d->runs[j].earlier = earlier;
		} else {
			d->runs[d->nruns++] = all[i];
		}
	}
	/* colours by first appearance of the policy; its parameters may
	 * differ by layout, the colour does not */
	d->policies = rep_alloc(d, (d->nruns + 1) * sizeof(*d->policies));
	if (!d->policies)
		return oom(l);
	for (i = 0; i < d->nruns; i++) {
		for (j = 0; j < d->npolicies; j++)
			if (strcmp(d->policies[j], d->runs[i].policy) == 0)
				break;
		if (j == d->npolicies)
			d->policies[d->npolicies++] = d->runs[i].policy;
		d->runs[i].colour = (int)j;
	}
	if (nall)
		d->tool_version = all[nall - 1].tool_version;
	return 0;
}

static int cmp_metric(const void *a, const void *b)
{
	const struct rep_metric *x = a, *y = b;

	return rep_metric_cmp(x->name, y->name);
}

static int load_metrics(struct loader *l, sqlite3_stmt *st, struct rep_run *r)
{
	size_t cap = 0;
	struct rep_metric *m;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		m = grow(l, r->metric, r->nmetric, &cap, sizeof(*m));
		if (!m)
			return oom(l);
		r->metric = m;
		m = &r->metric[r->nmetric++];
		m->name = col_text(l, st, 0);
		m->value = col_real(st, 1);
		if (!m->name)
			r->nmetric--;
	}
	if (rc != SQLITE_DONE)
		return fail(l, rc, "cannot read metrics");
	if (r->nmetric)
		qsort(r->metric, r->nmetric, sizeof(*r->metric), cmp_metric);
	return 0;
}

static int cmp_case(const void *a, const void *b)
{
	const struct rep_case *x = a, *y = b;

	return strverscmp(x->name, y->name);
}

static int load_cases(struct loader *l, sqlite3_stmt *st, struct rep_run *r)
{
	size_t cap = 0;
	struct rep_case *c;
	int rc, v;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		c = grow(l, r->cases, r->ncases, &cap, sizeof(*c));
		if (!c)
			return oom(l);
		r->cases = c;
		c = &r->cases[r->ncases++];
		c->name = col_text(l, st, 0);
		c->verdict = col_text(l, st, 1);
		c->detail = col_text(l, st, 2);
		if (!c->name || !c->verdict) {
			r->ncases--;
			continue;
		}
		v = rep_verdict_index(c->verdict);
		if (v >= 0)
			r->verdicts[v]++;
	}
	if (rc != SQLITE_DONE)
		return fail(l, rc, "cannot read case results");
	if (r->ncases)
		qsort(r->cases, r->ncases, sizeof(*r->cases), cmp_case);
	return 0;
}

static int cmp_devkind(const void *a, const void *b)
{
	const struct rep_devkind *x = a, *y = b;
	int rx = rep_kind_rank(x->kind), ry = rep_kind_rank(y->kind);

	if (rx != ry)
		return rx < ry ? -1 : 1;
	return strcmp(x->kind, y->kind);
}

/* The statements used for every replay run, prepared once. */
struct replay_stmts {
	sqlite3_stmt *counts, *list, *list_nojoin, *sample_span, *samples;
	sqlite3_stmt *regions, *consequences, *exhausted, *causes, *examples;
};

static void read_finding(struct loader *l, sqlite3_stmt *st, bool joined,
			 struct rep_finding *f)
{
	int i;

	f->seq = sqlite3_column_int64(st, 0);
	f->severity = col_text(l, st, 1);
	f->detail = col_text(l, st, 2);
	if (!joined || sqlite3_column_type(st, 3) == SQLITE_NULL)
		return;
	f->has_event = true;
	f->line = sqlite3_column_int64(st, 3);
	f->call = col_text(l, st, 4);
	for (i = 0; i < 6; i++) {
		if (sqlite3_column_type(st, 5 + i) == SQLITE_NULL)
			break;
		f->arg[i] = (uint64_t)sqlite3_column_int64(st, 5 + i);
	}
	f->nargs = (unsigned)i;
	f->traced_known = sqlite3_column_type(st, 11) != SQLITE_NULL;
	f->traced_ret = sqlite3_column_int64(st, 11);
	f->traced_errno = col_text(l, st, 12);
	f->ref_known = sqlite3_column_type(st, 13) != SQLITE_NULL;
	f->ref_ret = sqlite3_column_int64(st, 13);
	f->ref_errno = col_text(l, st, 14);
	f->model_known = sqlite3_column_type(st, 15) != SQLITE_NULL;
	f->model_ret = sqlite3_column_int64(st, 15);
	f->model_errno = col_text(l, st, 16);
	f->verdict = col_text(l, st, 17);
	/* an errno implies the call failed even where ret is not stored */
	f->traced_known |= f->traced_errno != NULL;
	f->ref_known |= f->ref_errno != NULL;
	f->model_known |= f->model_errno != NULL;
}

static int load_findings(struct loader *l, struct replay_stmts *q,
			 struct rep_run *r)
{
	size_t cap = 0, i;
	struct rep_devkind *k;
	sqlite3_stmt *st;
	int rc, sev;

	st = q->counts;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(st, 0);
		const char *sv = (const char *)sqlite3_column_text(st, 1);
		int64_t n = sqlite3_column_int64(st, 2);

		if (!kind)
			kind = "?";
		if (!r->ndev || strcmp(r->dev[r->ndev - 1].kind, kind) != 0) {
			k = grow(l, r->dev, r->ndev, &cap, sizeof(*k));
			if (!k)
				return oom(l);
			r->dev = k;
			k = &r->dev[r->ndev++];
			memset(k, 0, sizeof(*k));
			k->kind = rep_strdup(l->d, kind);
			if (!k->kind)
				return oom(l);
		}
		k = &r->dev[r->ndev - 1];
		sev = !sv			    ? -1
		      : strcmp(sv, "error") == 0   ? REP_SEV_ERROR
		      : strcmp(sv, "warning") == 0 ? REP_SEV_WARNING
		      : strcmp(sv, "info") == 0	   ? REP_SEV_INFO
						   : -1;
		if (sev >= 0)
			k->count[sev] += n;
		else
			k->other += n;
		k->total += n;
		r->findings += n;
	}
	if (rc != SQLITE_DONE)
		return fail(l, rc, "cannot read findings");
	if (r->ndev)
		qsort(r->dev, r->ndev, sizeof(*r->dev), cmp_devkind);

	st = r->events_joined ? q->list : q->list_nojoin;
	for (i = 0; i < r->ndev; i++) {
		k = &r->dev[i];
		k->list = rep_alloc(l->d, REP_DEV_CAP * sizeof(*k->list));
		if (!k->list)
			return oom(l);
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, r->id);
		sqlite3_bind_text(st, 2, k->kind, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, REP_DEV_CAP);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
		       k->nlist < REP_DEV_CAP)
			read_finding(l, st, r->events_joined,
				     &k->list[k->nlist++]);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			return fail(l, rc, "cannot read findings");
	}
	return 0;
}

/* The root causes of @r's findings, each with its first events; whether
 * a quota ran out, and how many findings followed from it. */
static int load_causes(struct loader *l, struct replay_stmts *q,
		       struct rep_run *r)
{
	sqlite3_stmt *st = q->consequences;
	struct rep_cause *c;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->id);
	if (sqlite3_step(st) == SQLITE_ROW)
		r->consequences = sqlite3_column_int64(st, 0);
	st = q->exhausted;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->id);
	if (sqlite3_step(st) == SQLITE_ROW) {
		r->exhausted = true;
		r->exhausted_detail = col_text(l, st, 0);
	}
	r->causes = rep_alloc(l->d, REP_CAUSE_CAP * sizeof(*r->causes));
	if (!r->causes)
		return oom(l);
	st = q->causes;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (r->ncauses == REP_CAUSE_CAP) {
			r->more_causes++;
			continue;
		}
		c = &r->causes[r->ncauses++];
		memset(c, 0, sizeof(*c));
		c->cause = col_text(l, st, 0);
		c->kind = col_text(l, st, 1);
		c->sev = (enum rep_sev)sqlite3_column_int(st, 2);
		c->count = sqlite3_column_int64(st, 3);
		if (!c->cause || !c->kind)
			r->ncauses--;
	}
	if (rc != SQLITE_DONE)
		return fail(l, rc, "cannot read findings");
	for (size_t i = 0; i < r->ncauses && r->events_joined; i++) {
		c = &r->causes[i];
		st = q->examples;
		sqlite3_reset(st);
		sqlite3_bind_int64(st, 1, r->id);
		sqlite3_bind_text(st, 2, c->cause, -1, SQLITE_STATIC);
		sqlite3_bind_int(st, 3, REP_CAUSE_EXAMPLES);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW &&
		       c->nex < REP_CAUSE_EXAMPLES)
			read_finding(l, st, true, &c->ex[c->nex++]);
		if (rc != SQLITE_DONE && rc != SQLITE_ROW)
			return fail(l, rc, "cannot read findings");
	}
	return l->status;
}

static int load_samples(struct loader *l, struct replay_stmts *q,
			struct rep_run *r)
{
	sqlite3_stmt *st = q->sample_span;
	int64_t nrows, last, width;
	size_t cap = 0;
	struct rep_bucket *b;
	int rc, s;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->id);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW)
		return fail(l, rc, "cannot read samples");
	nrows = sqlite3_column_int64(st, 0);
	last = sqlite3_column_int64(st, 1);
	if (nrows == 0)
		return 0;
	width = last / REP_SAMPLE_BUCKETS + 1;
	st = q->samples;
	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->id);
	sqlite3_bind_int64(st, 2, width);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		b = grow(l, r->bucket, r->nbucket, &cap, sizeof(*b));
		if (!b)
			return oom(l);
		r->bucket = b;
		b = &r->bucket[r->nbucket++];
		b->seq_lo = sqlite3_column_int64(st, 1);
		b->seq_hi = sqlite3_column_int64(st, 2);
		for (s = 0; s < REP_NSERIES; s++) {
			b->lo[s] = col_real(st, 3 + 2 * s);
			b->hi[s] = col_real(st, 4 + 2 * s);
			if (!isnan(b->hi[s]))
				r->has_series[s] = true;
		}
	}
	if (rc != SQLITE_DONE)
		return fail(l, rc, "cannot read samples");
	return 0;
}

static int load_regions(struct loader *l, struct replay_stmts *q,
			struct rep_run *r)
{
	sqlite3_stmt *st = q->regions;
	struct rep_snapshot *s = NULL;
	size_t cap = 0;
	struct rep_region *g;
	int rc;

	sqlite3_reset(st);
	sqlite3_bind_int64(st, 1, r->id);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 0);

		if (!name)
			continue;
		if (!s || strcmp(s->name, name) != 0) {
			if (r->nsnap == 2)
				break;
			s = &r->snap[r->nsnap++];
			s->name = rep_strdup(l->d, name);
			if (!s->name)
				return oom(l);
			cap = 0;
		}
		g = grow(l, s->r, s->n, &cap, sizeof(*g));
		if (!g)
			return oom(l);
		s->r = g;
		g = &s->r[s->n++];
		if (sqlite3_column_int64(st, 1) > s->seq)
			s->seq = sqlite3_column_int64(st, 1);
		g->space = col_text(l, st, 2);
		g->start = (uint64_t)sqlite3_column_int64(st, 3);
		g->size = (uint64_t)sqlite3_column_int64(st, 4);
		g->kind = col_text(l, st, 5);
		g->label = col_text(l, st, 6);
		if (!g->space)
			g->space = "env";
		if (!g->kind)
			g->kind = "?";
		if (g->size == 0)
			s->n--;
	}
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return fail(l, rc, "cannot read regions");
	return 0;
}

static bool has_index(struct loader *l, const char *name)
{
	sqlite3_stmt *st = prepare(l, "SELECT 1 FROM sqlite_master WHERE "
				      "type='index' AND name=?");
	bool found;

	if (!st)
		return false;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

static int load_details(struct loader *l)
{
	struct rep_data *d = l->d;
	struct replay_stmts q = {0};
	sqlite3_stmt *metrics, *cases;
	bool joined = has_index(l, "event_run_seq");
	size_t i;
	int status = 0;

	metrics = prepare(l, "SELECT name, value FROM metric WHERE run_id=?");
	cases = prepare(l, "SELECT name, verdict, detail FROM case_result "
			   "WHERE run_id=?");
	/* causes only: what follows from an exhausted quota is counted
	 * apart */
	q.counts = prepare(l, l->version >= 2
				 ? "SELECT kind, severity, count(*) FROM "
				   "finding WHERE run_id=? AND consequence=0 "
				   "GROUP BY kind, severity"
				 : "SELECT kind, severity, count(*) FROM "
				   "finding WHERE run_id=? GROUP BY kind, "
				   "severity");
	q.consequences = prepare(l, l->version >= 2
				       ? "SELECT count(*) FROM finding WHERE "
					 "run_id=? AND consequence=1"
				       : "SELECT 0 WHERE ?1 IS NOT NULL");
	q.exhausted = prepare(l, "SELECT detail FROM finding WHERE run_id=?"
				 " AND kind='resource' ORDER BY seq LIMIT 1");
	/* root causes: v1 files have none, their kind stands in; a
	 * divergence marks where another finding changed the program's
	 * path, it is no cause of its own */
	q.causes = prepare(
		l, l->version >= 2
			   ? "SELECT coalesce(cause, kind), min(kind),"
			     " min(CASE severity WHEN 'error' THEN 0 WHEN"
			     " 'warning' THEN 1 ELSE 2 END), count(*)"
			     " FROM finding WHERE run_id=? AND consequence=0"
			     " AND kind!='divergence'"
			     " GROUP BY 1 ORDER BY min(kind)='outside',"
			     " count(*) DESC, min(seq)"
			   : "SELECT kind, kind,"
			     " min(CASE severity WHEN 'error' THEN 0 WHEN"
			     " 'warning' THEN 1 ELSE 2 END), count(*)"
			     " FROM finding WHERE run_id=?"
			     " AND kind!='divergence' GROUP BY 1"
			     " ORDER BY kind='outside', count(*) DESC,"
			     " min(seq)");
	q.examples = prepare(
		l, l->version >= 2
			   ? "SELECT f.seq, f.severity, f.detail, e.line, e.call,"
			     " e.a0, e.a1, e.a2, e.a3, e.a4, e.a5,"
			     " e.traced_ret, e.traced_errno, e.ref_ret,"
			     " e.ref_errno, e.model_ret, e.model_errno,"
			     " e.verdict FROM finding f LEFT JOIN event e"
			     " ON e.run_id=f.run_id AND e.seq=f.seq"
			     " WHERE f.run_id=?1 AND coalesce(f.cause, f.kind)=?2"
			     " AND f.consequence=0 ORDER BY f.seq LIMIT ?3"
			   : "SELECT f.seq, f.severity, f.detail, e.line, e.call,"
			     " e.a0, e.a1, e.a2, e.a3, e.a4, e.a5,"
			     " e.traced_ret, e.traced_errno, e.ref_ret,"
			     " e.ref_errno, e.model_ret, e.model_errno,"
			     " e.verdict FROM finding f LEFT JOIN event e"
			     " ON e.run_id=f.run_id AND e.seq=f.seq"
			     " WHERE f.run_id=?1 AND f.kind=?2"
			     " ORDER BY f.seq LIMIT ?3");
	/* the first findings of a kind, with their events when the
	 * (run_id, seq) index exists: a run cut off before its close has
	 * none, and a join without it would scan the whole table */
	q.list = prepare(
		l, "SELECT f.seq, f.severity, f.detail, e.line, e.call,"
		   " e.a0, e.a1, e.a2, e.a3, e.a4, e.a5,"
		   " e.traced_ret, e.traced_errno, e.ref_ret, e.ref_errno,"
		   " e.model_ret, e.model_errno, e.verdict"
		   " FROM finding f LEFT JOIN event e"
		   " ON e.run_id=f.run_id AND e.seq=f.seq"
		   " WHERE f.run_id=?1 AND f.kind=?2 ORDER BY f.seq LIMIT ?3");
	q.list_nojoin = prepare(l, "SELECT seq, severity, detail FROM finding"
				   " WHERE run_id=?1 AND kind=?2"
				   " ORDER BY seq LIMIT ?3");
	q.sample_span = prepare(l, "SELECT count(*), coalesce(max(seq), 0)"
				   " FROM sample WHERE run_id=?");
	/* least and greatest per bucket keep peaks and dips visible */
	q.samples = prepare(
		l, "SELECT seq/?2 AS b, min(seq), max(seq),"
		   " min(ram_used), max(ram_used), min(caps_used),"
		   " max(caps_used), min(mappings), max(mappings),"
		   " min(attachments), max(attachments)"
		   " FROM sample WHERE run_id=?1 GROUP BY b ORDER BY b");
	q.regions = prepare(l, "SELECT snapshot, seq, space, start, size, kind,"
			       " label FROM region WHERE run_id=?"
			       " ORDER BY snapshot, space, start, size DESC");
	if (l->status)
		goto out;
	for (i = 0; i < d->nruns && !status; i++) {
		struct rep_run *r = &d->runs[i];

		status = load_metrics(l, metrics, r);
		if (status)
			break;
		if (is_conform(r)) {
			status = load_cases(l, cases, r);
			continue;
		}
		r->events_joined = joined;
		status = load_findings(l, &q, r);
		if (!status)
			status = load_causes(l, &q, r);
		if (!status)
			status = load_samples(l, &q, r);
		if (!status)
			status = load_regions(l, &q, r);
	}
out:
	sqlite3_finalize(metrics);
	sqlite3_finalize(cases);
	sqlite3_finalize(q.counts);
	sqlite3_finalize(q.list);
	sqlite3_finalize(q.list_nojoin);
	sqlite3_finalize(q.sample_span);
	sqlite3_finalize(q.samples);
	sqlite3_finalize(q.regions);
	sqlite3_finalize(q.consequences);
	sqlite3_finalize(q.exhausted);
	sqlite3_finalize(q.causes);
	sqlite3_finalize(q.examples);
	return l->status;
}

static int cmp_run_colour(const void *a, const void *b)
{
	const struct rep_run *x = *(struct rep_run *const *)a;
	const struct rep_run *y = *(struct rep_run *const *)b;
	int c;

	if (x->colour != y->colour)
		return x->colour < y->colour ? -1 : 1;
	c = strcmp(x->layout ? x->layout : "", y->layout ? y->layout : "");
	if (c)
		return c;
	return x->id < y->id ? -1 : x->id > y->id;
}

static int cmp_name(const void *a, const void *b)
{
	return strverscmp(*(const char *const *)a, *(const char *const *)b);
}

/* Replay runs into groups of one trace and layout, in order of first
 * appearance; conformance runs into one list; the union of case names. */
static int arrange(struct loader *l)
{
	struct rep_data *d = l->d;
	size_t i, j, k, n;

	d->groups = rep_alloc(d, (d->nruns + 1) * sizeof(*d->groups));
	d->conform = rep_alloc(d, (d->nruns + 1) * sizeof(*d->conform));
	if (!d->groups || !d->conform)
		return oom(l);
	for (i = 0; i < d->nruns; i++) {
		struct rep_run *r = &d->runs[i];
		struct rep_group *g;

		if (is_conform(r)) {
			d->conform[d->nconform++] = r;
			if (!same(r->layout, d->conform[0]->layout))
				d->conform_layouts = true;
			continue;
		}
		for (j = 0; j < d->ngroups; j++)
			if (same(d->groups[j].trace, r->trace) &&
			    same(d->groups[j].layout, r->layout) &&
			    same(d->groups[j].settings, r->settings))
				break;
		g = &d->groups[j];
		if (j == d->ngroups) {
			d->ngroups++;
			g->trace = r->trace;
			g->layout = r->layout;
			g->settings = r->settings;
			g->run = rep_alloc(d, d->nruns * sizeof(*g->run));
			if (!g->run)
				return oom(l);
		}
		g->run[g->nrun++] = r;
		if (r->events > g->max_seq)
			g->max_seq = r->events;
		if (r->nbucket && r->bucket[r->nbucket - 1].seq_hi > g->max_seq)
			g->max_seq = r->bucket[r->nbucket - 1].seq_hi;
	}
	for (j = 0; j < d->ngroups; j++)
		qsort(d->groups[j].run, d->groups[j].nrun,
		      sizeof(*d->groups[j].run), cmp_run_colour);
	if (d->nconform)
		qsort(d->conform, d->nconform, sizeof(*d->conform),
		      cmp_run_colour);

	for (i = n = 0; i < d->nconform; i++)
		n += d->conform[i]->ncases;
	d->case_names = rep_alloc(d, (n + 1) * sizeof(*d->case_names));
	if (!d->case_names)
		return oom(l);
	for (i = 0; i < d->nconform; i++)
		for (k = 0; k < d->conform[i]->ncases; k++)
			d->case_names[d->ncase_names++] =
				d->conform[i]->cases[k].name;
	if (d->ncase_names)
		qsort(d->case_names, d->ncase_names, sizeof(*d->case_names),
		      cmp_name);
	for (i = j = 0; i < d->ncase_names; i++)
		if (!j || strcmp(d->case_names[j - 1], d->case_names[i]) != 0)
			d->case_names[j++] = d->case_names[i];
	d->ncase_names = j;
	return 0;
}

int rep_data_load(sqlite3 *db, struct rep_data *d, char *err, size_t errsize)
{
	struct loader l = {db, d, err, errsize, 0, 0};
	size_t n_replay;

	if (check_schema(&l) || load_runs(&l) || load_details(&l) ||
	    arrange(&l))
		return l.status;
	if (rep_decide(d, &d->decision))
		return oom(&l);
	for (size_t i = n_replay = 0; i < d->ngroups; i++)
		n_replay += d->groups[i].nrun;
	d->split = n_replay > REP_INLINE_RUNS;
	return rep_sweep_load(db, d, err, errsize);
}
