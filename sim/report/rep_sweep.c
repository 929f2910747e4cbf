/*
 * rep_sweep.c - the report's sweep section: the settings `rmsim sweep`
 * ran, their costs summed over traces and layouts, the Pareto front as a
 * table (both outputs) and as an SVG scatter of peak RAM against RPCs
 * (HTML; every setting a point, the front filled and named, a setting
 * with findings a grey cross; hovering a point names it, no script).
 *
 * The latest run of each setting, trace, layout and Genode version
 * counts, as elsewhere in the report; the front is rep_pareto's, the
 * same function the terminal's front comes from.
 */
#include "report/rep_internal.h"
#include "rmsim/report.h"

#include <math.h>
#include <sqlite3.h>
#include <string.h>

#define SW_W 720.0
#define SW_H 380.0
#define SW_L 70.0
#define SW_R 20.0
#define SW_T 30.0
#define SW_B 42.0
#define SW_LABELS 12

int rep_sweep_load(sqlite3 *db, struct rep_data *d, char *err, size_t errsize)
{
	static const char sql[] =
		"WITH latest AS (SELECT max(id) AS id FROM run WHERE "
		"command='sweep' GROUP BY policy, params, trace, layout, "
		"genode_version),\n"
		"m AS (SELECT run_id, name, value FROM metric WHERE run_id IN "
		"(SELECT id FROM latest))\n"
		"SELECT r.policy, r.params, count(*),"
		" sum(r.status<>'complete'),"
		" sum(coalesce((SELECT value FROM m WHERE run_id=r.id AND "
		"name='findings'),0)),"
		" sum((SELECT value FROM m WHERE run_id=r.id AND name=?1)),"
		" sum((SELECT value FROM m WHERE run_id=r.id AND name=?2)),"
		" sum((SELECT value FROM m WHERE run_id=r.id AND name=?3)),"
		" sum((SELECT value FROM m WHERE run_id=r.id AND name=?4))\n"
		"FROM run r JOIN latest USING(id) GROUP BY r.policy, r.params"
		" ORDER BY min(r.id)";
	double(*cost)[REP_NCOSTS];
	sqlite3_stmt *st;
	size_t cap = 64, i;
	bool *clean, *front;
	int rc, k;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK) {
		snprintf(err, errsize, "cannot read the sweeps: %s",
			 sqlite3_errmsg(db));
		return 70;
	}
	for (k = 0; k < REP_NCOSTS; k++)
		sqlite3_bind_text(st, k + 1, rep_cost_metrics[k], -1,
				  SQLITE_STATIC);
	d->sweep = NULL;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct rep_setting *s;

		if (!d->sweep || d->nsweep == cap) {
			struct rep_setting *n;

			cap = d->sweep ? cap * 2 : cap;
			n = rep_alloc(d, cap * sizeof(*n));
			if (!n)
				break;
			if (d->sweep)
				memcpy(n, d->sweep, d->nsweep * sizeof(*n));
			d->sweep = n;
		}
		s = &d->sweep[d->nsweep++];
		memset(s, 0, sizeof(*s));
		s->display =
			rep_spec(d, (const char *)sqlite3_column_text(st, 0),
				 (const char *)sqlite3_column_text(st, 1));
		s->runs = sqlite3_column_int64(st, 2);
		s->unfinished = sqlite3_column_int64(st, 3);
		s->findings = sqlite3_column_int64(st, 4);
		for (k = 0; k < REP_NCOSTS; k++)
			s->cost[k] = sqlite3_column_double(st, 5 + k);
		s->clean = !s->unfinished && !s->findings;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		snprintf(err, errsize, "cannot read the sweeps: %s",
			 rc == SQLITE_ROW ? "out of memory"
					  : sqlite3_errmsg(db));
		return 70;
	}
	if (!d->nsweep)
		return 0;
	cost = rep_alloc(d, d->nsweep * sizeof(*cost));
	clean = rep_alloc(d, d->nsweep * sizeof(*clean));
	front = rep_alloc(d, d->nsweep * sizeof(*front));
	if (!cost || !clean || !front) {
		snprintf(err, errsize, "out of memory");
		return 70;
	}
	for (i = 0; i < d->nsweep; i++) {
		memcpy(cost[i], d->sweep[i].cost, sizeof(cost[i]));
		clean[i] = d->sweep[i].clean;
	}
	rep_pareto((const double(*)[REP_NCOSTS])cost, clean, d->nsweep, front);
	for (i = 0; i < d->nsweep; i++)
		d->sweep[i].front = front[i];
	return 0;
}

static size_t count(const struct rep_data *d, bool front)
{
	size_t i, n = 0;

	for (i = 0; i < d->nsweep; i++)
		n += front ? d->sweep[i].front : d->sweep[i].clean;
	return n;
}

/* The cells of a setting's row: RAM, caps, RPCs, faults. */
static void cells(const struct rep_setting *s, char c[REP_NCOSTS][64])
{
	rep_fmt_bytes(s->cost[0], c[0], sizeof(c[0]));
	rep_fmt_count(s->cost[1], c[1], sizeof(c[1]));
	rep_fmt_count(s->cost[2], c[2], sizeof(c[2]));
	rep_fmt_count(s->cost[3], c[3], sizeof(c[3]));
}

static const char intro[] =
	" settings swept; a setting's costs are summed over its traces "
	"and layouts, and it is clean when none of its runs has a finding. "
	"The Pareto front: the clean settings no other clean setting beats "
	"on peak RAM, caps, RPCs and faults at once.";

void rep_sweep_md(FILE *f, const struct rep_data *d)
{
	char c[REP_NCOSTS][64];
	size_t i;

	if (!d->nsweep)
		return;
	fprintf(f, "## Sweeps\n\n%zu%s %zu clean, %zu on the front.\n\n",
		d->nsweep, intro, count(d, false), count(d, true));
	fputs("| setting | peak RAM | caps | RPCs | faults |\n"
	      "|---|---:|---:|---:|---:|\n",
	      f);
	for (i = 0; i < d->nsweep; i++) {
		if (!d->sweep[i].front)
			continue;
		cells(&d->sweep[i], c);
		fputs("| ", f);
		rep_md_code(f, d->sweep[i].display);
		fprintf(f, " | %s | %s | %s | %s |\n", c[0], c[1], c[2], c[3]);
	}
	fputs("\n", f);
}

/* A scale from 0 to a little above @max. */
static double top(double max)
{
	return max > 0 ? max * 1.08 : 1;
}

static void scatter(FILE *f, const struct rep_data *d)
{
	double xmax = 0, ymax = 0, x0 = SW_L, x1 = SW_W - SW_R, y0 = SW_T,
	       y1 = SW_H - SW_B;
	size_t i, labels = 0;
	double placed[SW_LABELS][2];
	char c[REP_NCOSTS][64], t[64];
	int k;

	for (i = 0; i < d->nsweep; i++) {
		xmax = fmax(xmax, d->sweep[i].cost[0]);
		ymax = fmax(ymax, d->sweep[i].cost[2]);
	}
	xmax = top(xmax);
	ymax = top(ymax);
	fprintf(f,
		"<svg class=\"chart\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n<title>Settings: "
		"peak RAM against RPCs, the Pareto front filled</title>\n",
		SW_W, SW_H, SW_W, SW_H);
	fprintf(f,
		"<text class=\"c-title\" x=\"%.0f\" y=\"18\">Peak RAM against "
		"RPCs (filled: the Pareto front; grey: not clean)</text>\n",
		SW_L);
	for (k = 0; k <= 4; k++) {
		double gx = x0 + (x1 - x0) * k / 4, gy = y1 - (y1 - y0) * k / 4;

		fprintf(f,
			"<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" "
			"x2=\"%.1f\" "
			"y2=\"%.1f\"/><line class=\"%s\" x1=\"%.1f\" "
			"y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>\n",
			k ? "c-grid" : "c-axis", x0, gy, x1, gy,
			k ? "c-grid" : "c-axis", gx, y0, gx, y1);
		rep_fmt_bytes(xmax * k / 4, t, sizeof(t));
		fprintf(f,
			"<text class=\"c-label\" x=\"%.1f\" y=\"%.1f\" "
			"text-anchor=\"%s\">%s</text>",
			gx, y1 + 16, k == 4 ? "end" : "middle", t);
		rep_fmt_count(round(ymax * k / 4), t, sizeof(t));
		fprintf(f,
			"<text class=\"c-label\" x=\"%.1f\" y=\"%.1f\" "
			"text-anchor=\"end\">%s</text>\n",
			x0 - 6, gy + 4, t);
	}
	fprintf(f,
		"<text class=\"c-label\" x=\"%.1f\" y=\"%.1f\" "
		"text-anchor=\"middle\">peak RAM</text>"
		"<text class=\"c-label\" x=\"14\" y=\"%.1f\" "
		"transform=\"rotate(-90 14 %.1f)\" "
		"text-anchor=\"middle\">RPCs</text>\n",
		(x0 + x1) / 2, SW_H - 6, (y0 + y1) / 2, (y0 + y1) / 2);
	for (i = 0; i < d->nsweep; i++) {
		const struct rep_setting *s = &d->sweep[i];
		double px = x0 + (x1 - x0) * s->cost[0] / xmax,
		       py = y1 - (y1 - y0) * s->cost[2] / ymax;

		cells(s, c);
		if (!s->clean)
			fprintf(f,
				"<path d=\"M%.1f %.1fl6 6m0 -6l-6 6\" "
				"stroke=\"#999\" stroke-width=\"1.5\">",
				px - 3, py - 3);
		else
			fprintf(f,
				"<circle cx=\"%.1f\" cy=\"%.1f\" r=\"%s\" "
				"fill=\"%s\" stroke=\"%s\" "
				"stroke-width=\"1.5\">",
				px, py, s->front ? "5" : "4",
				s->front ? rep_policy_colour(0) : "none",
				rep_policy_colour(0));
		fputs("<title>", f);
		rep_html(f, s->display);
		fprintf(f, ": RAM %s, caps %s, RPCs %s, faults %s%s</title>",
			c[0], c[1], c[2], c[3], s->clean ? "" : " (not clean)");
		fputs(s->clean ? "</circle>\n" : "</path>\n", f);
		if (s->front && labels < SW_LABELS) {
			double lx = px + (px > x1 - 200 ? -8 : 8), ly = py - 6;
			size_t j;

			/* below the labels it would cover (equal costs) */
			for (j = 0; j < labels; j++)
				if (fabs(placed[j][0] - lx) < 160 &&
				    fabs(placed[j][1] - ly) < 12) {
					ly = placed[j][1] + 13;
					j = (size_t)-1;
				}
			placed[labels][0] = lx;
			placed[labels++][1] = ly;
			fprintf(f,
				"<text class=\"c-label\" x=\"%.1f\" y=\"%.1f\" "
				"text-anchor=\"%s\">",
				lx, ly, px > x1 - 200 ? "end" : "start");
			rep_html(f, s->display);
			fputs("</text>\n", f);
		}
	}
	fputs("</svg>\n", f);
}

void rep_sweep_html(FILE *f, const struct rep_data *d)
{
	char c[REP_NCOSTS][64];
	size_t i;

	if (!d->nsweep)
		return;
	fprintf(f, "<section id=\"sweeps\"><h2>Sweeps</h2>\n<p>%zu", d->nsweep);
	rep_html(f, intro);
	fprintf(f, " %zu clean, %zu on the front.</p>\n", count(d, false),
		count(d, true));
	scatter(f, d);
	fputs("<table><tr><th>setting</th><th>peak RAM</th><th>caps</th>"
	      "<th>RPCs</th><th>faults</th></tr>\n",
	      f);
	for (i = 0; i < d->nsweep; i++) {
		if (!d->sweep[i].front)
			continue;
		cells(&d->sweep[i], c);
		fputs("<tr><td><code>", f);
		rep_html(f, d->sweep[i].display);
		fprintf(f,
			"</code></td><td class=\"n\">%s</td><td "
			"class=\"n\">%s</td><td class=\"n\">%s</td><td "
			"class=\"n\">%s</td></tr>\n",
			c[0], c[1], c[2], c[3]);
	}
	fputs("</table></section>\n", f);
}
