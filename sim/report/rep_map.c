/*
 * rep_map.c - the address-space map of one snapshot as inline SVG: one
 * horizontal strip per space (env, then the map of each managed
 * dataspace), regions coloured by kind, names on or above them, hex
 * addresses below.
 *
 * The scale compresses.  Every distinct region boundary cuts the strip
 * into intervals; an interval's width grows with the logarithm of its
 * size, so a 4 KiB region next to a 512 GiB window is a few pixels wide,
 * not nothing.  Address space no region covers is drawn as a gap with a
 * break mark at a smaller, also logarithmic, width.  When a space has
 * more intervals than the strip has room for, only the boundaries of the
 * largest intervals are kept (among intervals of about one size, spread
 * over the space); between two kept boundaries the scale is linear, each
 * region is drawn at least 1.5 px wide, and neighbours that fall into
 * the same pixels are drawn as one mark.
 *
 * Text never overlaps: names and addresses are placed greedily, largest
 * region first, into a few rows, and a label that fits in no row is left
 * out (every region is in the title of its mark and in the table beside
 * the map).  Leader lines count as obstacles in the rows they cross.
 * The scale and the places of the labels are rep_map_layout.c's; this
 * file draws them, and sums a snapshot's regions up for the tables.
 */
#include "report/rep_map_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* ---- spaces and totals (also for the tables) ---- */

static bool is_space(const struct rep_region *r, const char *space)
{
	return strcmp(r->space, space) == 0;
}

size_t rep_map_spaces(const struct rep_snapshot *s, const char **out,
		      size_t max)
{
	size_t n = 0, i, j;
	bool have_env = false;

	for (i = 0; i < s->n; i++)
		if (is_space(&s->r[i], "env"))
			have_env = true;
	if (have_env && n < max)
		out[n++] = "env";
	/* windows in env's order first, so the strips follow the address */
	for (i = 0; i < s->n; i++) {
		const struct rep_region *r = &s->r[i];

		if (!is_space(r, "env") || !r->label ||
		    strcmp(r->kind, "window") != 0)
			continue;
		for (j = 0; j < s->n; j++)
			if (is_space(&s->r[j], r->label))
				break;
		if (j == s->n)
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(out[j], r->label) == 0)
				break;
		if (j == n && n < max)
			out[n++] = r->label;
	}
	/* the rest by name (the regions come sorted by space) */
	for (i = 0; i < s->n; i++) {
		for (j = 0; j < n; j++)
			if (strcmp(out[j], s->r[i].space) == 0)
				break;
		if (j == n && n < max)
			out[n++] = s->r[i].space;
	}
	/* how many there are, drawn or not */
	for (i = 0, j = 0; i < s->n; i++)
		j += !i || strcmp(s->r[i].space, s->r[i - 1].space) != 0;
	return j > n ? j : n;
}

size_t rep_map_totals(const struct rep_snapshot *s, const char *space,
		      struct rep_kind_total *out, size_t max)
{
	size_t n = 0, i, j, nstyles;
	const struct rep_kind_style *st = rep_kind_styles(&nstyles);

	/* the legend's order, then kinds it does not know */
	for (j = 0; j < nstyles && n < max; j++)
		out[n++] = (struct rep_kind_total){st[j].kind, 0, 0};
	for (i = 0; i < s->n; i++) {
		const struct rep_region *r = &s->r[i];

		if (space && !is_space(r, space))
			continue;
		for (j = 0; j < n; j++)
			if (strcmp(out[j].kind, r->kind) == 0)
				break;
		if (j == n) {
			if (n == max)
				continue;
			out[n++] = (struct rep_kind_total){r->kind, 0, 0};
		}
		out[j].regions++;
		out[j].bytes += (double)r->size;
	}
	for (i = j = 0; i < n; i++)
		if (out[i].regions)
			out[j++] = out[i];
	return j;
}

/* ---- drawing ---- */

static void region_title(FILE *f, const struct rep_strip *s, size_t i,
			 size_t count, uint64_t lo, uint64_t hi, double bytes)
{
	const struct rep_region *r = &s->r[i];
	char a[24], b[24], z[32];

	fputs("<title>", f);
	if (count > 1)
		fprintf(f, "%zu %s regions", count, r->kind);
	else {
		rep_html(f, r->label && *r->label ? r->label : r->kind);
		fputs(" (", f);
		rep_html(f, r->kind);
		fputs(")", f);
	}
	rep_strip_addr_text(s, lo, a, sizeof(a));
	rep_strip_addr_text(s, hi, b, sizeof(b));
	fprintf(f, ": %s–%s, %s</title>", a, b,
		rep_fmt_bytes(bytes, z, sizeof(z)));
}

static void draw_mark(FILE *f, const struct rep_strip *s, size_t first,
		      size_t count, uint64_t lo, uint64_t hi, double bytes,
		      double x0, double x1, double y)
{
	const struct rep_region *r = &s->r[first];
	const struct rep_kind_style *st = rep_kind_style(r->kind);
	int d = s->depth[first];
	double inset = 4.0 * d, w = x1 - x0;

	if (w < 1.5) {
		x0 -= (1.5 - w) / 2;
		w = 1.5;
	}
	/* a mark too thin for a border is filled with the border colour,
	 * so it stays visible on the light fills */
	if (w < 4)
		fprintf(f,
			"<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" "
			"height=\"%.1f\" fill=\"%s\">",
			x0, y + inset, w, BAR_H - 2 * inset, st->stroke);
	else
		fprintf(f,
			"<rect x=\"%.2f\" y=\"%.1f\" width=\"%.2f\" "
			"height=\"%.1f\" fill=\"%s\" stroke=\"%s\"%s>",
			x0 + 0.5, y + inset + 0.5, w - 1, BAR_H - 2 * inset - 1,
			st->fill, st->stroke,
			strcmp(r->kind, "free") == 0
				? " stroke-dasharray=\"3 2\""
				: "");
	region_title(f, s, first, count, lo, hi, bytes);
	fputs("</rect>\n", f);
}

/* Regions by depth, outer first; neighbours of one kind that meet in
 * the same pixels become one mark. */
static void draw_regions(FILE *f, const struct rep_strip *s, double y)
{
	int d;
	size_t i;

	for (d = 0; d <= s->max_depth; d++) {
		size_t first = 0, count = 0;
		double x0 = 0, x1 = 0, bytes = 0;
		uint64_t lo = 0, hi = 0;

		for (i = 0; i <= s->n; i++) {
			double a = 0, b = 0;

			if (i < s->n) {
				if (s->depth[i] != d)
					continue;
				a = rep_strip_x(s, s->r[i].start);
				b = rep_strip_x(s, s->end[i]);
				if (count && a <= x1 + 0.75 &&
				    (b - a < 3 || x1 - x0 < 3) &&
				    strcmp(s->r[i].kind, s->r[first].kind) ==
					    0) {
					x1 = b > x1 ? b : x1;
					hi = s->end[i] > hi ? s->end[i] : hi;
					bytes += (double)s->r[i].size;
					count++;
					continue;
				}
			}
			if (count)
				draw_mark(f, s, first, count, lo, hi, bytes, x0,
					  x1, y);
			if (i == s->n)
				break;
			first = i;
			count = 1;
			x0 = a;
			x1 = b;
			lo = s->r[i].start;
			hi = s->end[i];
			bytes = (double)s->r[i].size;
		}
	}
}

static void draw_gaps(FILE *f, const struct rep_strip *s, double y)
{
	size_t k;
	double m = y + BAR_H / 2;

	for (k = 0; k < s->nseg; k++) {
		const struct rep_seg *g = &s->seg[k];
		double c = g->x + g->w / 2;

		if (!g->gap)
			continue;
		fprintf(f,
			"<line class=\"m-gap\" x1=\"%.2f\" y1=\"%.1f\" "
			"x2=\"%.2f\" y2=\"%.1f\"/>",
			g->x + 1, m, g->x + g->w - 1, m);
		if (g->w >= 10)
			fprintf(f,
				"<path class=\"m-break\" d=\"M%.1f %.1fl4 "
				"-10M%.1f %.1fl4 -10\"/>",
				c - 4, m + 5, c, m + 5);
		fputc('\n', f);
	}
}

static void draw_names(FILE *f, const struct rep_strip *s, double y_rows,
		       double y_bar)
{
	size_t i;

	for (i = 0; i < s->nnames; i++) {
		const struct rep_name *nm = &s->names[i];

		if (nm->row < 0) {
			fprintf(f,
				"<text class=\"m-name\" x=\"%.1f\" y=\"%.1f\" "
				"text-anchor=\"middle\">",
				nm->tx, y_bar + BAR_H / 2 + 4);
		} else {
			double base = y_rows +
				      (s->name_rows - 1 - nm->row) *
					      NAME_ROW_H +
				      NAME_ROW_H - 3;

			fprintf(f,
				"<line class=\"m-lead\" x1=\"%.1f\" "
				"y1=\"%.1f\" x2=\"%.1f\" y2=\"%.1f\"/>",
				nm->x, base + 3, nm->x, y_bar);
			fprintf(f,
				"<text class=\"m-name\" x=\"%.1f\" y=\"%.1f\" "
				"text-anchor=\"middle\">",
				nm->tx, base);
		}
		rep_html(f, nm->text);
		fputs("</text>\n", f);
	}
}

static void draw_addrs(FILE *f, const struct rep_strip *s, double y)
{
	size_t i;
	char t[24];

	for (i = 0; i < s->naddrs; i++) {
		const struct rep_addr *a = &s->addrs[i];
		double base = y + 4 + a->row * ADDR_ROW_H + ADDR_ROW_H - 3;
		double w;
		double x0;

		rep_strip_addr_text(s, a->v, t, sizeof(t));
		w = rep_text_w(t, ADDR_PX, true);
		x0 = a->tx - w / 2;
		fprintf(f,
			"<line class=\"m-tick\" x1=\"%.1f\" y1=\"%.1f\" "
			"x2=\"%.1f\" y2=\"%.1f\"/>",
			a->x, y, a->x, base - ADDR_PX + 2);
		fprintf(f,
			"<text class=\"m-addr\" x=\"%.1f\" y=\"%.1f\">%s"
			"</text>\n",
			x0, base, t);
	}
}

/* The caption: the space, where it sits, and what it holds by kind. */
static void draw_caption(FILE *f, const struct rep_snapshot *snap,
			 const struct rep_strip *s, double y)
{
	struct rep_kind_total t[16];
	size_t n = rep_map_totals(snap, s->space, t, 16), i, len;
	char a[24], z[32];

	fprintf(f, "<text class=\"m-cap\" x=\"0\" y=\"%.1f\">", y + 13);
	fputs("<tspan class=\"m-space\">", f);
	rep_html(f, s->space);
	fputs("</tspan>", f);
	len = rep_utf8_len(s->space);
	for (i = 0; i < snap->n; i++) {
		const struct rep_region *w = &snap->r[i];

		if (strcmp(s->space, "env") != 0 && is_space(w, "env") &&
		    w->label && strcmp(w->label, s->space) == 0) {
			fprintf(f, " · window at %s in env",
				rep_fmt_hex(w->start, a, sizeof(a)));
			len += 18 + strlen(a);
			break;
		}
	}
	fprintf(f, " · %zu region%s", s->n, s->n == 1 ? "" : "s");
	for (i = 0; i < n && len < 150; i++) {
		if (strcmp(t[i].kind, "free") == 0)
			continue;
		fputs(" · ", f);
		rep_html(f, t[i].kind);
		fprintf(f, " %s", rep_fmt_bytes(t[i].bytes, z, sizeof(z)));
		len += strlen(t[i].kind) + strlen(z) + 4;
	}
	fputs("</text>\n", f);
}

/* The legend: the kinds this snapshot has, wrapped to the width.  With
 * @f NULL it only measures; returns the height it takes. */
static double draw_legend(FILE *f, const struct rep_snapshot *snap, double y,
			  bool gaps)
{
	struct rep_kind_total t[16];
	size_t n = rep_map_totals(snap, NULL, t, 16), i;
	double x = 0, y0 = y;

	for (i = 0; i <= n; i++) {
		const struct rep_kind_style *st = NULL;
		const char *text;
		double w;

		if (i == n && !gaps)
			break;
		if (i < n) {
			st = rep_kind_style(t[i].kind);
			text = strcmp(st->kind, "other") == 0 ? t[i].kind
							      : st->desc;
		} else {
			text = "unused, not to scale";
		}
		w = 19 + rep_text_w(text, NAME_PX, false);
		if (x > 0 && x + w > MAP_W) {
			x = 0;
			y += 18;
		}
		if (f && st)
			fprintf(f,
				"<rect x=\"%.1f\" y=\"%.1f\" width=\"14\" "
				"height=\"11\" fill=\"%s\" stroke=\"%s\"/>",
				x + 0.5, y + 0.5, st->fill, st->stroke);
		else if (f)
			fprintf(f,
				"<line class=\"m-gap\" x1=\"%.1f\" y1=\"%.1f\" "
				"x2=\"%.1f\" y2=\"%.1f\"/><path "
				"class=\"m-break\" d=\"M%.1f %.1fl4 -10\"/>",
				x, y + 6, x + 14, y + 6, x + 5, y + 11);
		if (f) {
			fprintf(f,
				"<text class=\"m-legend\" x=\"%.1f\" "
				"y=\"%.1f\">",
				x + 19, y + 10);
			rep_html(f, text);
			fputs("</text>\n", f);
		}
		x += w + 18;
	}
	return y - y0 + 20;
}

void rep_map_defs(FILE *f)
{
	/* referenced by every map: hatching says "address space without
	 * RAM", the way reservations are usually drawn */
	fputs("<svg class=\"defs\" width=\"0\" height=\"0\" "
	      "aria-hidden=\"true\"><defs>\n"
	      "<pattern id=\"rep-hatch-reserved\" width=\"6\" height=\"6\" "
	      "patternUnits=\"userSpaceOnUse\" "
	      "patternTransform=\"rotate(45)\">"
	      "<rect width=\"6\" height=\"6\" fill=\"#fdf0e0\"/>"
	      "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#e0a060\" "
	      "stroke-width=\"2\"/></pattern>\n"
	      "<pattern id=\"rep-hatch-hole\" width=\"6\" height=\"6\" "
	      "patternUnits=\"userSpaceOnUse\" "
	      "patternTransform=\"rotate(-45)\">"
	      "<rect width=\"6\" height=\"6\" fill=\"#fbe4e3\"/>"
	      "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#d9534f\" "
	      "stroke-width=\"2\"/></pattern>\n"
	      "</defs></svg>\n",
	      f);
}

void rep_map_svg(FILE *f, const struct rep_run *run,
		 const struct rep_snapshot *snap)
{
	const char *spaces[MAX_SPACES];
	size_t all = rep_map_spaces(snap, spaces, MAX_SPACES), i, k;
	size_t nspaces = all < MAX_SPACES ? all : MAX_SPACES;
	struct rep_strip *st = calloc(nspaces + 1, sizeof(*st));
	double h, y;
	bool gaps = false;

	if (!st) {
		fputs("<p>(out of memory drawing this map)</p>\n", f);
		return;
	}
	h = 0;
	for (k = 0; k < nspaces; k++) {
		struct rep_strip *s = &st[k];

		s->space = spaces[k];
		for (i = 0; i < snap->n && !is_space(&snap->r[i], s->space);
		     i++)
			;
		s->r = &snap->r[i];
		while (i + s->n < snap->n && is_space(&s->r[s->n], s->space))
			s->n++;
		if (rep_strip_build(s)) {
			s->n = 0;
			continue;
		}
		for (i = 0; i < s->nseg; i++)
			gaps |= s->seg[i].gap;
		h += rep_strip_height(s);
	}
	y = draw_legend(NULL, snap, 4, gaps) + 6;
	h += y;
	fprintf(f,
		"<svg class=\"map\" width=\"%.0f\" height=\"%.0f\" "
		"viewBox=\"-4 0 %.0f %.0f\" role=\"img\">\n",
		MAP_W + 8, h, MAP_W + 8, h);
	fputs("<title>", f);
	rep_html(f, run->display);
	fprintf(f, ": address space, %s</title>\n", snap->name);
	draw_legend(f, snap, 4, gaps);
	for (k = 0; k < nspaces; k++) {
		struct rep_strip *s = &st[k];
		double bar;

		if (!s->n)
			continue;
		draw_caption(f, snap, s, y);
		bar = y + CAP_H + s->name_rows * NAME_ROW_H;
		draw_regions(f, s, bar);
		draw_gaps(f, s, bar);
		draw_names(f, s, y + CAP_H, bar);
		draw_addrs(f, s, bar + BAR_H);
		y += rep_strip_height(s);
	}
	fputs("</svg>\n", f);
	if (all > nspaces)
		fprintf(f, "<p class=\"small\">%zu more spaces not drawn."
			   "</p>\n",
			all - nspaces);
	for (k = 0; k < nspaces; k++)
		rep_strip_free(&st[k]);
	free(st);
}
