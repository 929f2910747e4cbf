/*
 * rep_explain.c - `rmsim explain DB RUN [LINE]`: one finding or event of
 * a run, in the terminal: the trace line as recorded, what the trace,
 * the Linux reference and the policy returned, the findings on it, the
 * Genode operations the policy made for it (the mapping table), and the
 * policy's address space around the address after the event.
 *
 * ALGORITHM: the event is the run's at LINE, or, without LINE, the one
 * of the run's first finding that counts (not a consequence, not
 * outside; else the first finding of all).  The address space at that
 * event is rebuilt from the mapping table: every attach and detach up to
 * the event, in the order they were logged, folded into a list per
 * region map; the map around the address is the attachments next to it,
 * in env and, where the address lies in a managed dataspace, inside it.
 * Memory grows with the attachments live at the event, not with bytes.
 * INVARIANTS: reads the database only (read-only), and the trace file
 * when it is still where the run found it.
 */
#include "rmsim/report.h"

#include "report/rep_internal.h"
#include "rmsim/trace.h"

#include <errno.h>
#include <inttypes.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#define NEAR 4		/* attachments shown on each side of the address */
#define DEPTH 3		/* managed dataspaces descended into */

struct att {
	char map[32], ds[32], rights[8];
	uint64_t at, size, off;
};

struct space {
	struct att *a;
	size_t n, cap;
};

static int fold(struct space *s, const char *op, const char *map,
		uint64_t at, uint64_t size, const char *ds, uint64_t off,
		const char *rights)
{
	size_t i;

	if (strcmp(op, "attach") == 0) {
		if (s->n == s->cap) {
			size_t cap = s->cap ? 2 * s->cap : 256;
			struct att *a = realloc(s->a, cap * sizeof(*a));

			if (!a)
				return -1;
			s->a = a;
			s->cap = cap;
		}
		memset(&s->a[s->n], 0, sizeof(s->a[s->n]));
		snprintf(s->a[s->n].map, sizeof(s->a[s->n].map), "%s", map);
		snprintf(s->a[s->n].ds, sizeof(s->a[s->n].ds), "%s",
			 ds ? ds : "");
		snprintf(s->a[s->n].rights, sizeof(s->a[s->n].rights), "%s",
			 rights ? rights : "");
		s->a[s->n].at = at;
		s->a[s->n].size = size;
		s->a[s->n].off = off;
		s->n++;
	} else if (strcmp(op, "detach") == 0) {
		/* the newest first: what is detached was mostly just made */
		for (i = s->n; i-- > 0;)
			if (strcmp(s->a[i].map, map) == 0 && s->a[i].at <= at &&
			    at - s->a[i].at < s->a[i].size) {
				s->a[i] = s->a[--s->n];
				break;
			}
	} else if (strcmp(op, "destroy") == 0) {
		for (i = s->n; i-- > 0;)
			if (strcmp(s->a[i].map, map) == 0)
				s->a[i] = s->a[--s->n];
	}
	return 0;
}

static int by_at(const void *x, const void *y)
{
	const struct att *a = *(const struct att *const *)x;
	const struct att *b = *(const struct att *const *)y;

	return a->at < b->at ? -1 : a->at > b->at;
}

static const char *text(sqlite3_stmt *st, int i)
{
	const unsigned char *s = sqlite3_column_text(st, i);

	return s ? (const char *)s : NULL;
}

/* Map @map around @addr: NEAR attachments each side, gaps as free. */
static void around(FILE *f, struct space *s, const char *map, uint64_t addr,
		   int depth)
{
	const struct att **v = malloc((s->n + 1) * sizeof(*v));
	size_t n = 0, i, lo, hi, hit = (size_t)-1;
	char z[32];

	if (!v)
		return;
	for (i = 0; i < s->n; i++)
		if (strcmp(s->a[i].map, map) == 0)
			v[n++] = &s->a[i];
	qsort(v, n, sizeof(*v), by_at);
	for (i = 0; i < n && v[i]->at <= addr; i++)
		;
	/* i: the first beginning above the address */
	if (i && addr - v[i - 1]->at < v[i - 1]->size)
		hit = i - 1;
	lo = i > NEAR ? i - NEAR : 0;
	hi = i + NEAR < n ? i + NEAR : n;
	fprintf(f, "  %*s%s around %#" PRIx64 " (%zu attachment%s):\n",
		2 * depth, "", map, addr, n, n == 1 ? "" : "s");
	if (lo)
		fprintf(f, "  %*s  ... %zu before\n", 2 * depth, "", lo);
	for (i = lo; i < hi; i++) {
		const struct att *a = v[i];

		if (i == lo || v[i - 1]->at + v[i - 1]->size < a->at) {
			uint64_t from = i == lo ? a->at : v[i - 1]->at +
								v[i - 1]->size;

			if (i > lo && hit == (size_t)-1 && addr >= from &&
			    addr < a->at)
				fprintf(f, "  %*s> %#18" PRIx64 "-%#" PRIx64
					" free (the address is here)\n",
					2 * depth, "", from, a->at);
			else if (i > lo)
				fprintf(f, "  %*s  %#18" PRIx64 "-%#" PRIx64
					" free\n",
					2 * depth, "", from, a->at);
		}
		rep_fmt_bytes((double)a->size, z, sizeof(z));
		fprintf(f, "  %*s%c %#18" PRIx64 "-%#" PRIx64 " %-9s %s %s",
			2 * depth, "", i == hit ? '>' : ' ', a->at,
			a->at + a->size, z, a->rights, a->ds);
		if (a->off)
			fprintf(f, " +%#" PRIx64, a->off);
		fputc('\n', f);
	}
	if (hi < n)
		fprintf(f, "  %*s  ... %zu after\n", 2 * depth, "", n - hi);
	if (hit == (size_t)-1 && (!n || addr >= v[n - 1]->at + v[n - 1]->size ||
				  addr < v[0]->at))
		fprintf(f, "  %*s  (nothing attached at the address)\n",
			2 * depth, "");
	/* inside a managed dataspace: its own map, in its coordinates */
	if (hit != (size_t)-1 && depth < DEPTH) {
		const struct att *a = v[hit];
		char inner[32];

		snprintf(inner, sizeof(inner), "%s", a->ds);
		for (i = 0; i < s->n; i++)
			if (strcmp(s->a[i].map, inner) == 0)
				break;
		if (i < s->n) {
			uint64_t at = addr - a->at + a->off;

			free(v);
			around(f, s, inner, at, depth + 1);
			return;
		}
	}
	free(v);
}

static int fail(sqlite3 *db, char *err, size_t errsize, const char *what)
{
	snprintf(err, errsize, "%s: %s", what, sqlite3_errmsg(db));
	return 70;
}

int rep_explain(const char *db_path, int64_t run_id, uint64_t line, FILE *f,
		char *err, size_t errsize)
{
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	struct rep_finding ev;
	struct space sp = {0};
	char b[1024], trace[4096] = "", res[64];
	int64_t seq = 0;
	uint64_t addr = 0;
	bool addr_known = false, v2;
	int rc, status = 0, i;

	if (rep_open_readonly(db_path, &db) != SQLITE_OK) {
		snprintf(err, errsize, "%s: cannot open: %s", db_path,
			 db ? sqlite3_errmsg(db) : "?");
		sqlite3_close(db);
		return 66;
	}
	sqlite3_busy_timeout(db, 5000);
	v2 = sqlite3_prepare_v2(db, "SELECT settings FROM run LIMIT 0", -1,
				&st, NULL) == SQLITE_OK;
	sqlite3_finalize(st);
	rc = sqlite3_prepare_v2(
		db, v2 ? "SELECT trace, policy, params, layout, policy_spec,"
			 " settings, command FROM run WHERE id=?"
		       : "SELECT trace, policy, params, layout, NULL, NULL,"
			 " command FROM run WHERE id=?",
		-1, &st, NULL);
	if (rc != SQLITE_OK) {
		status = (rc & 0xff) == SQLITE_NOTADB ? 65 : 70;
		snprintf(err, errsize, "%s: not an rmsim database (%s)",
			 db_path, sqlite3_errmsg(db));
		goto out;
	}
	sqlite3_bind_int64(st, 1, run_id);
	if (sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errsize, "%s: no run %" PRId64, db_path, run_id);
		status = 66;
		goto out;
	}
	snprintf(trace, sizeof(trace), "%s", text(st, 0) ? text(st, 0) : "");
	fprintf(f, "run %" PRId64 ": %s on %s, layout %s\n", run_id,
		text(st, 4) ? text(st, 4) : text(st, 1), trace,
		text(st, 3) ? text(st, 3) : "?");
	if (text(st, 5))
		fprintf(f, "settings: %s\n", text(st, 5));
	sqlite3_finalize(st);
	st = NULL;

	/* the event: at LINE, or that of the first finding that counts */
	if (line) {
		rc = sqlite3_prepare_v2(db, "SELECT seq FROM event WHERE"
					" run_id=? AND line=? ORDER BY seq"
					" LIMIT 1", -1, &st, NULL);
		if (rc != SQLITE_OK) {
			status = fail(db, err, errsize, "cannot read events");
			goto out;
		}
		sqlite3_bind_int64(st, 1, run_id);
		sqlite3_bind_int64(st, 2, (sqlite3_int64)line);
	} else {
		rc = sqlite3_prepare_v2(
			db, v2 ? "SELECT seq FROM finding WHERE run_id=? AND"
				 " seq IS NOT NULL ORDER BY consequence,"
				 " kind='outside', seq LIMIT 1"
			       : "SELECT seq FROM finding WHERE run_id=? AND"
				 " seq IS NOT NULL ORDER BY seq LIMIT 1",
			-1, &st, NULL);
		if (rc != SQLITE_OK) {
			status = fail(db, err, errsize, "cannot read findings");
			goto out;
		}
		sqlite3_bind_int64(st, 1, run_id);
	}
	if (sqlite3_step(st) != SQLITE_ROW) {
		if (line)
			snprintf(err, errsize, "run %" PRId64 " has no event at"
				 " line %" PRIu64, run_id, line);
		else
			snprintf(err, errsize, "run %" PRId64 " has no "
				 "finding: give a LINE", run_id);
		status = 66;
		goto out;
	}
	seq = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	rc = sqlite3_prepare_v2(
		db, "SELECT line, call, a0, a1, a2, a3, a4, a5, traced_ret,"
		    " traced_errno, ref_ret, ref_errno, model_ret, model_errno,"
		    " verdict, pid FROM event WHERE run_id=? AND seq=?",
		-1, &st, NULL);
	if (rc != SQLITE_OK) {
		status = fail(db, err, errsize, "cannot read events");
		goto out;
	}
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, seq);
	if (sqlite3_step(st) != SQLITE_ROW) {
		snprintf(err, errsize, "run %" PRId64 ": event %" PRId64
			 " is not in the database", run_id, seq);
		status = 66;
		goto out;
	}
	memset(&ev, 0, sizeof(ev));
	ev.seq = seq;
	ev.line = sqlite3_column_int64(st, 0);
	ev.call = text(st, 1);
	for (i = 0; i < 6 && sqlite3_column_type(st, 2 + i) != SQLITE_NULL;
	     i++)
		ev.arg[i] = (uint64_t)sqlite3_column_int64(st, 2 + i);
	ev.nargs = (unsigned)i;
	ev.has_event = true;
	fprintf(f, "\nline %lld (event %lld, pid %lld)\n", (long long)ev.line,
		(long long)seq, (long long)sqlite3_column_int64(st, 15));
	if (tr_line_text(trace, (uint64_t)ev.line, b, sizeof(b)) == 0)
		fprintf(f, "  trace:     %s\n", b);
	else
		fprintf(f, "  trace:     (%s is not readable here)\n", trace);
	fprintf(f, "  call:      %s\n", rep_fmt_call(&ev, b, sizeof(b)));
	for (i = 0; i < 3; i++) {
		static const char *const who[] = {"recorded:", "Linux:",
						  "policy:"};
		int c = 8 + 2 * i;
		bool known = sqlite3_column_type(st, c) != SQLITE_NULL ||
			     text(st, c + 1);

		rep_fmt_result(known, sqlite3_column_int64(st, c),
			       text(st, c + 1), res, sizeof(res));
		fprintf(f, "  %-10s %s\n", who[i], res);
	}
	fprintf(f, "  verdict:   %s\n", text(st, 14) ? text(st, 14) : "?");
	/* the policy's address: what mmap and mremap returned, its break */
	if (ev.call &&
	    (!strcmp(ev.call, "mmap") || !strcmp(ev.call, "mremap") ||
	     !strcmp(ev.call, "brk")) &&
	    sqlite3_column_type(st, 12) != SQLITE_NULL &&
	    sqlite3_column_int64(st, 12) != -1) {
		addr = (uint64_t)sqlite3_column_int64(st, 12);
		addr_known = true;
	}
	if (!addr_known && ev.nargs) {
		addr = ev.arg[0];
	}
	sqlite3_finalize(st);

	rc = sqlite3_prepare_v2(
		db, v2 ? "SELECT kind, severity, detail, cause, consequence"
			 " FROM finding WHERE run_id=? AND seq=? ORDER BY rowid"
		       : "SELECT kind, severity, detail, NULL, 0 FROM finding"
			 " WHERE run_id=? AND seq=? ORDER BY rowid",
		-1, &st, NULL);
	if (rc != SQLITE_OK) {
		status = fail(db, err, errsize, "cannot read findings");
		goto out;
	}
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, seq);
	fputs("\nfindings\n", f);
	for (i = 0; sqlite3_step(st) == SQLITE_ROW; i++)
		fprintf(f, "  %s %s%s: %s%s%s\n", text(st, 0), text(st, 1),
			sqlite3_column_int(st, 4) ? " (a consequence)" : "",
			text(st, 2) ? text(st, 2) : "",
			text(st, 3) ? "\n    cause: " : "",
			text(st, 3) ? text(st, 3) : "");
	if (!i)
		fputs("  none\n", f);
	sqlite3_finalize(st);

	/* the Genode operations: this event's listed, all up to it folded */
	rc = sqlite3_prepare_v2(db, "SELECT seq, op, region_map, at, size, ds,"
				" ds_offset, rights FROM mapping WHERE"
				" run_id=? AND seq<=? ORDER BY rowid",
				-1, &st, NULL);
	if (rc != SQLITE_OK) {
		status = fail(db, err, errsize, "cannot read the mapping table");
		goto out;
	}
	sqlite3_bind_int64(st, 1, run_id);
	sqlite3_bind_int64(st, 2, seq);
	fputs("\nGenode operations for it\n", f);
	for (i = 0; (rc = sqlite3_step(st)) == SQLITE_ROW;) {
		const char *op = text(st, 1), *map = text(st, 2);
		uint64_t at = (uint64_t)sqlite3_column_int64(st, 3);
		uint64_t size = (uint64_t)sqlite3_column_int64(st, 4);

		if (!op)
			continue;
		if (fold(&sp, op, map ? map : "", at, size, text(st, 5),
			 (uint64_t)sqlite3_column_int64(st, 6), text(st, 7))) {
			snprintf(err, errsize, "out of memory");
			status = 70;
			goto out;
		}
		if (sqlite3_column_int64(st, 0) != seq)
			continue;
		if (!i++ && !addr_known && map && !strcmp(map, "env") &&
		    (!strcmp(op, "attach") || !strcmp(op, "detach"))) {
			addr = at;
			addr_known = true;
		}
		fprintf(f, "  %-8s %-12s at %#" PRIx64 " size %#" PRIx64,
			op, map ? map : "", at, size);
		if (text(st, 5) && *text(st, 5))
			fprintf(f, " ds %s +%#" PRIx64, text(st, 5),
				(uint64_t)sqlite3_column_int64(st, 6));
		if (text(st, 7) && *text(st, 7))
			fprintf(f, " %s", text(st, 7));
		fputc('\n', f);
	}
	if (!i)
		fputs("  none\n", f);
	if (rc != SQLITE_DONE) {
		status = fail(db, err, errsize, "cannot read the mapping table");
		goto out;
	}
	fprintf(f, "\naddress space after the event%s\n",
		addr_known ? "" : " (at the trace's address: the policy's "
				  "may differ)");
	around(f, &sp, "env", addr, 0);
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
	free(sp.a);
	return status;
}
