/*
 * rep_chart.c - one resource over the event sequence as an inline SVG
 * line chart: one line per policy in its colour, axes with round ticks,
 * byte values in binary units.
 *
 * The data are the buckets rep_query.c made (least and greatest value
 * per span of events).  A bucket whose least and greatest differ is drawn
 * as a vertical stroke between them, entered from the side nearer the
 * line so far, so peaks survive the downsampling.  A missing value
 * breaks the line rather than drawing it at zero.
 */
#include "report/rep_internal.h"

#include <math.h>
#include <string.h>

#define CH_W 560.0
#define CH_H 240.0
#define CH_L 72.0	/* room for the value labels */
#define CH_R 16.0
#define CH_T 30.0	/* the title */
#define CH_B 40.0	/* the event labels and the axis name */

static const char *const titles[REP_NSERIES] = {
	"RAM quota used", "Capabilities used", "Live POSIX mappings",
	"Genode attachments"};

const char *rep_series_title(enum rep_series s)
{
	return (unsigned)s < REP_NSERIES ? titles[s] : "?";
}

/* A round step near @range / @n: 1, 2, 2.5 or 5 times a power of ten. */
static double nice_step(double range, int n)
{
	double raw = range / n, p = pow(10, floor(log10(raw))), m = raw / p;

	if (m <= 1)
		return p;
	if (m <= 2)
		return 2 * p;
	if (m <= 2.5)
		return 2.5 * p;
	if (m <= 5)
		return 5 * p;
	return 10 * p;
}

static void fmt_events(double v, char *buf, size_t size)
{
	if (v >= 1e6)
		snprintf(buf, size, "%gM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, size, "%gK", v / 1e3);
	else
		snprintf(buf, size, "%g", v);
}

/* Labels of the value axis: bytes in the largest binary unit the
 * maximum reaches, counts as they are. */
static void fmt_value(double v, bool bytes, double unit, const char *uname,
		      char *buf, size_t size)
{
	if (bytes)
		snprintf(buf, size, "%g %s", v / unit, uname);
	else if (v >= 1e6)
		snprintf(buf, size, "%gM", v / 1e6);
	else if (v >= 1e4)
		snprintf(buf, size, "%gK", v / 1e3);
	else
		snprintf(buf, size, "%g", v);
}

struct frame {
	double x0, x1, y0, y1;	/* plot area */
	double xmax, ymax;
};

static double fx(const struct frame *c, double v)
{
	return c->x0 + (c->x1 - c->x0) * v / c->xmax;
}

static double fy(const struct frame *c, double v)
{
	return c->y1 - (c->y1 - c->y0) * v / c->ymax;
}

static void draw_line(FILE *f, const struct frame *c, const struct rep_run *r,
		      enum rep_series s, double width)
{
	size_t i;
	bool open = false;
	double last = NAN;

	for (i = 0; i < r->nbucket; i++) {
		const struct rep_bucket *b = &r->bucket[i];
		double lo = b->lo[s], hi = b->hi[s];
		double x = fx(c, ((double)b->seq_lo + (double)b->seq_hi) / 2);

		if (isnan(hi)) {
			if (open)
				fputs("\"/>\n", f);
			open = false;
			continue;
		}
		if (isnan(lo))
			lo = hi;
		if (!open) {
			fprintf(f,
				"<polyline class=\"c-line\" stroke=\"%s\" "
				"stroke-width=\"%.1f\" points=\"",
				rep_policy_colour(r->colour), width);
			open = true;
		}
		if (lo == hi) {
			fprintf(f, "%.1f,%.1f ", x, fy(c, hi));
		} else if (!isnan(last) && fabs(last - hi) < fabs(last - lo)) {
			fprintf(f, "%.1f,%.1f %.1f,%.1f ", x, fy(c, hi), x,
				fy(c, lo));
			hi = lo;
		} else {
			fprintf(f, "%.1f,%.1f %.1f,%.1f ", x, fy(c, lo), x,
				fy(c, hi));
		}
		last = hi;
	}
	if (open)
		fputs("\"/>\n", f);
}

void rep_chart_svg(FILE *f, const struct rep_group *g, enum rep_series s)
{
	static const char *const units[] = {"B", "KiB", "MiB", "GiB", "TiB"};
	struct frame c = {CH_L, CH_W - CH_R, CH_T, CH_H - CH_B, 1, 1};
	bool bytes = s == REP_S_RAM;
	double ymax = 0, ystep, step, v, unit = 1, quota = NAN;
	const char *uname = units[0];
	size_t i, j;
	char t[32];
	int u, k;

	for (i = 0; i < g->nrun; i++)
		for (j = 0; j < g->run[i]->nbucket; j++)
			if (g->run[i]->bucket[j].hi[s] > ymax)
				ymax = g->run[i]->bucket[j].hi[s];
	if (ymax <= 0)
		ymax = 1;
	/* the RAM quota: drawn when it is within reach of the curves,
	 * named above the frame otherwise */
	for (i = 0; s == REP_S_RAM && i < g->nrun && isnan(quota); i++)
		quota = g->run[i]->ram_quota;
	if (!isnan(quota) && quota > 0 && quota <= 4 * ymax && quota > ymax)
		ymax = quota;
	if (bytes)
		for (u = 1; u < 5 && ymax >= pow(1024, u); u++) {
			unit = pow(1024, u);
			uname = units[u];
		}
	ystep = nice_step(ymax / unit, 5) * unit;
	if (!bytes && ystep < 1)
		ystep = 1;
	c.ymax = ceil(ymax / ystep) * ystep;
	step = nice_step((double)(g->max_seq > 0 ? g->max_seq : 1), 6);
	c.xmax = g->max_seq > 0 ? (double)g->max_seq : 1;

	fprintf(f,
		"<svg class=\"chart\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"0 0 %.0f %.0f\" role=\"img\">\n<title>",
		CH_W, CH_H, CH_W, CH_H);
	rep_html(f, titles[s]);
	fputs(" over the events, one line per policy</title>\n", f);
	fprintf(f, "<text class=\"c-title\" x=\"%.0f\" y=\"18\">", CH_L);
	rep_html(f, titles[s]);
	fputs("</text>\n", f);

	/* value axis: grid lines and labels */
	for (k = 0; k * ystep <= c.ymax * 1.0001; k++) {
		v = k * ystep;
		fprintf(f,
			"<line class=\"%s\" x1=\"%.1f\" y1=\"%.1f\" "
			"x2=\"%.1f\" y2=\"%.1f\"/>",
			k == 0 ? "c-axis" : "c-grid", c.x0, fy(&c, v), c.x1,
			fy(&c, v));
		fmt_value(v, bytes, unit, uname, t, sizeof(t));
		fprintf(f,
			"<text class=\"c-label\" x=\"%.1f\" y=\"%.1f\" "
			"text-anchor=\"end\">%s</text>\n",
			c.x0 - 6, fy(&c, v) + 4, t);
	}
	/* event axis */
	fprintf(f,
		"<line class=\"c-axis\" x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\" "
		"y2=\"%.1f\"/>\n",
		c.x0, c.y0, c.x0, c.y1);
	for (k = 0; k * step <= c.xmax * 1.0001; k++) {
		double x = fx(&c, k * step);

		fmt_events(k * step, t, sizeof(t));
		fprintf(f,
			"<line class=\"c-axis\" x1=\"%.1f\" y1=\"%.1f\" "
			"x2=\"%.1f\" y2=\"%.1f\"/><text class=\"c-label\" "
			"x=\"%.1f\" y=\"%.1f\" text-anchor=\"%s\">%s</text>\n",
			x, c.y1, x, c.y1 + 4, x, c.y1 + 16,
			/* the last label would stick out of the frame */
			x > c.x1 - 20 ? "end" : "middle", t);
	}
	fprintf(f,
		"<text class=\"c-label\" x=\"%.1f\" y=\"%.1f\" "
		"text-anchor=\"middle\">event</text>\n",
		(c.x0 + c.x1) / 2, CH_H - 6);
	if (!isnan(quota) && quota > 0) {
		rep_fmt_bytes(quota, t, sizeof(t));
		if (quota <= c.ymax)
			fprintf(f,
				"<line class=\"c-quota\" x1=\"%.1f\" "
				"y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>"
				"<text class=\"c-label\" x=\"%.1f\" "
				"y=\"%.1f\" text-anchor=\"end\">quota %s"
				"</text>\n",
				c.x0, fy(&c, quota), c.x1, fy(&c, quota),
				c.x1, fy(&c, quota) - 4, t);
		else
			fprintf(f,
				"<text class=\"c-label\" x=\"%.1f\" "
				"y=\"18\" text-anchor=\"end\">quota %s, "
				"above the chart</text>\n",
				c.x1, t);
	}
	/* the first line widest, each later one narrower on top of it:
	 * where policies agree, every colour still shows */
	for (i = j = 0; i < g->nrun; i++)
		j += g->run[i]->has_series[s];
	for (i = 0, k = 0; i < g->nrun; i++)
		if (g->run[i]->has_series[s]) {
			draw_line(f, &c, g->run[i], s,
				  j > 1 ? 4.2 - 2.6 * k / (double)(j - 1)
					: 1.8);
			k++;
		}
	fputs("</svg>\n", f);
}
