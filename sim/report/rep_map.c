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
 */
#include "report/rep_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define MAP_W 880.0	  /* drawing width: 0.8 scale on a printed A4 page */
#define SEG_MIN_W 6.0	  /* an interval of one page */
#define GAP_MIN_W 16.0	  /* room for the break mark */
#define SEG_BUDGET 90	  /* intervals a strip shows one by one */
#define BAR_H 26.0
#define CAP_H 20.0	  /* the caption line above a strip */
#define NAME_ROWS 2
#define NAME_ROW_H 15.0
#define ADDR_ROWS 3
#define ADDR_ROW_H 15.0
#define NAME_PX 12.0
#define ADDR_PX 12.0
#define PAD 8.0		  /* between labels in a row */
#define MAX_DEPTH 3
#define LABEL_TRIES 80	  /* largest regions considered for a name */
#define MAX_SPACES 128	  /* strips in one map */

struct seg {
	uint64_t lo, hi;	/* hi == UINT64_MAX may stand for 2^64 */
	bool gap;		/* no region covers any of it */
	double x, w;
};

/* A placed label: its extent in a row. */
struct box {
	double x0, x1;
};

struct row {
	struct box *b;
	size_t n;
};

struct name {
	double x, tx;		/* leader, text centre */
	int row;		/* -1 inside the bar */
	size_t region;
	char text[64];
};

struct addr {
	double x, tx;		/* tick, text centre */
	int row;
	uint64_t v;
};

struct strip {
	const char *space;
	const struct rep_region *r;
	size_t n;
	uint64_t *end;		/* per region, saturated */
	int *depth;
	int max_depth;
	bool top;		/* some region reaches 2^64 */
	struct seg *seg;
	size_t nseg;
	struct name *names;
	size_t nnames;
	int name_rows;
	struct addr *addrs;
	size_t naddrs;
	int addr_rows;
	double width;		/* of the drawn strip */
};

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

/* ---- the scale ---- */

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static size_t find_bound(const uint64_t *b, size_t n, uint64_t v)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (b[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* log2 of an interval in pages, at least 0. */
static double pages_log(uint64_t lo, uint64_t hi)
{
	double v = (double)(hi - lo) / 4096.0;

	return v > 1 ? log2(v) : 0;
}

struct ival {
	int order;		/* floor(log2(size)) */
	uint64_t spread;	/* the index, bits reversed */
	size_t i;
};

/* Larger first; among intervals of one order of size, a van der Corput
 * sequence of their positions, so the kept ones spread over the space
 * instead of piling up at its start. */
static int cmp_ival(const void *a, const void *b)
{
	const struct ival *x = a, *y = b;

	if (x->order != y->order)
		return x->order > y->order ? -1 : 1;
	return x->spread < y->spread ? -1 : x->spread > y->spread;
}

static uint64_t bit_reverse(uint64_t v)
{
	uint64_t r = 0;
	int k;

	for (k = 0; k < 64; k++, v >>= 1)
		r = r << 1 | (v & 1);
	return r;
}

/* Boundaries, coverage and the kept segments with their widths. */
static int build_scale(struct strip *s)
{
	uint64_t *b = malloc(2 * s->n * sizeof(*b));
	int *cover = NULL;
	bool *keep = NULL;
	struct ival *iv = NULL;
	size_t nb = 0, i, j, k, ni;
	double base = 0, lg = 0, scale, total;
	int ret = -1;

	if (!b)
		return -1;
	for (i = 0; i < s->n; i++) {
		b[nb++] = s->r[i].start;
		b[nb++] = s->end[i];
	}
	qsort(b, nb, sizeof(*b), cmp_u64);
	for (i = j = 0; i < nb; i++)
		if (!j || b[j - 1] != b[i])
			b[j++] = b[i];
	nb = j;
	if (nb < 2)
		goto out;	/* nothing with an extent to draw */
	ni = nb - 1;
	cover = calloc(nb + 1, sizeof(*cover));
	keep = calloc(nb, sizeof(*keep));
	iv = malloc((ni + 1) * sizeof(*iv));
	s->seg = malloc((ni + 1) * sizeof(*s->seg));
	if (!cover || !keep || !iv || !s->seg)
		goto out;
	/* coverage of each interval by a sweep over region starts and ends */
	for (i = 0; i < s->n; i++) {
		cover[find_bound(b, nb, s->r[i].start)]++;
		cover[find_bound(b, nb, s->end[i])]--;
	}
	for (i = 1; i < nb; i++)
		cover[i] += cover[i - 1];
	/* keep the boundaries of the largest intervals */
	keep[0] = keep[nb - 1] = true;
	for (i = 0; i < ni; i++)
		iv[i] = (struct ival){63 - __builtin_clzll(b[i + 1] - b[i]),
				      bit_reverse(i), i};
	if (ni > SEG_BUDGET)
		qsort(iv, ni, sizeof(*iv), cmp_ival);
	for (i = 0; i < ni && i < SEG_BUDGET; i++)
		keep[iv[i].i] = keep[iv[i].i + 1] = true;
	s->nseg = 0;
	for (i = 0; i < ni;) {
		struct seg *g = &s->seg[s->nseg++];
		bool gap = true;

		for (j = i; j < ni; j++) {
			if (cover[j])
				gap = false;
			if (keep[j + 1])
				break;
		}
		g->lo = b[i];
		g->hi = b[j + 1];
		g->gap = gap;
		i = j + 1;
	}
	/* widths: a base per segment plus a share per doubling of size;
	 * gaps get a third of that share */
	for (k = 0; k < s->nseg; k++) {
		struct seg *g = &s->seg[k];

		base += g->gap ? GAP_MIN_W : SEG_MIN_W;
		lg += pages_log(g->lo, g->hi) / (g->gap ? 3.0 : 1.0);
	}
	scale = lg > 0 ? (MAP_W - base) / lg : 0;
	if (scale > 14)
		scale = 14;	/* a few regions need not fill the width */
	if (scale < 0)
		scale = 0;
	total = 0;
	for (k = 0; k < s->nseg; k++) {
		struct seg *g = &s->seg[k];

		g->w = (g->gap ? GAP_MIN_W : SEG_MIN_W) +
		       scale * pages_log(g->lo, g->hi) / (g->gap ? 3.0 : 1.0);
		g->x = total;
		total += g->w;
	}
	if (total > MAP_W || (total < MAP_W && scale >= 14)) {
		/* too many segments for their minimum, or few enough to
		 * stretch: fit the strip to the width */
		for (k = 0; k < s->nseg; k++) {
			s->seg[k].x *= MAP_W / total;
			s->seg[k].w *= MAP_W / total;
		}
		total = MAP_W;
	}
	s->width = total;
	ret = 0;
out:
	free(b);
	free(cover);
	free(keep);
	free(iv);
	return ret;
}

static double xpos(const struct strip *s, uint64_t v)
{
	size_t lo = 0, hi = s->nseg;
	const struct seg *g;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;

		if (s->seg[mid].hi <= v)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == s->nseg)
		return s->width;
	g = &s->seg[lo];
	if (v <= g->lo)
		return g->x;
	return g->x + g->w * (double)((long double)(v - g->lo) /
				      (long double)(g->hi - g->lo));
}

/* Nesting depth by a stack of open regions (sorted by start, then by
 * size, larger first, so a container comes before what it holds). */
static void nest(struct strip *s)
{
	size_t *stack = malloc((s->n + 1) * sizeof(*stack)), top = 0, i;

	s->max_depth = 0;
	for (i = 0; i < s->n; i++) {
		while (stack && top && s->end[stack[top - 1]] <= s->r[i].start)
			top--;
		s->depth[i] = top < MAX_DEPTH ? (int)top : MAX_DEPTH;
		if (s->depth[i] > s->max_depth)
			s->max_depth = s->depth[i];
		if (stack)
			stack[top++] = i;
	}
	free(stack);
}

/* ---- label placement ---- */

static bool row_free(const struct row *r, double x0, double x1, double pad)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (x0 < r->b[i].x1 + pad && x1 + pad > r->b[i].x0)
			return false;
	return true;
}

static void row_add(struct row *r, double x0, double x1)
{
	r->b[r->n++] = (struct box){x0, x1};
}

/*
 * Put a label of width @w into the nearest row where it fits, its leader
 * at one of the @nx positions @xs (the first preferred) and the text
 * centred over the leader or hanging to one side of it; the leader
 * blocks the rows it crosses.  Returns the row (text centre in *@tx,
 * leader in *@lx) or -1.
 */
static int place(struct row *rows, int nrows, const double *xs, int nx,
		 double w, double lo, double hi, double *tx, double *lx)
{
	int k, j, i, a;

	for (k = 0; k < nrows; k++)
		for (i = 0; i < nx; i++)
			for (a = 0; a < 3; a++) {
				double x = xs[i];
				double x0 = a == 0   ? x - w / 2
					    : a == 1 ? x - 6
						     : x - w + 6;

				if (x0 < lo)
					x0 = lo;
				if (x0 + w > hi)
					x0 = hi - w;
				if (x0 < lo || x < x0 || x > x0 + w)
					continue;
				if (!row_free(&rows[k], x0, x0 + w, PAD))
					continue;
				for (j = 0; j < k; j++)
					if (!row_free(&rows[j], x - 0.5,
						      x + 0.5, 2))
						break;
				if (j < k)
					continue;
				row_add(&rows[k], x0, x0 + w);
				for (j = 0; j < k; j++)
					row_add(&rows[j], x - 0.5, x + 0.5);
				*tx = x0 + w / 2;
				*lx = x;
				return k;
			}
	return -1;
}

struct order {
	uint64_t size;
	size_t i;
};

static int cmp_order(const void *a, const void *b)
{
	const struct order *x = a, *y = b;

	if (x->size != y->size)
		return x->size > y->size ? -1 : 1;
	return x->i < y->i ? -1 : x->i > y->i;
}

/* Short form of a label for the map (the table has it whole). */
static void short_label(const char *s, char *out, size_t size)
{
	size_t n = strlen(s), max = 26;

	if (n <= max) {
		snprintf(out, size, "%s", s);
		return;
	}
	/* cut at a character boundary, then an ellipsis */
	while (max && ((unsigned char)s[max] & 0xc0) == 0x80)
		max--;
	snprintf(out, size, "%.*s…", (int)max, s);
}

static size_t utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Is [x0, x1] clear of regions deeper than region @i? */
static bool clear_inside(const struct strip *s, size_t i, double x0,
			 double x1)
{
	size_t j;

	for (j = i + 1; j < s->n && s->r[j].start < s->end[i]; j++) {
		double a = xpos(s, s->r[j].start), b = xpos(s, s->end[j]);

		if (s->depth[j] > s->depth[i] && a < x1 && b > x0)
			return false;
	}
	return true;
}

static int place_names(struct strip *s)
{
	struct order *o = malloc((s->n + 1) * sizeof(*o));
	struct row rows[NAME_ROWS];
	size_t i, k, tries;
	int ret = -1;

	s->names = calloc(LABEL_TRIES, sizeof(*s->names));
	for (k = 0; k < NAME_ROWS; k++)
		rows[k] = (struct row){calloc(3 * LABEL_TRIES,
					      sizeof(struct box)),
				       0};
	if (!o || !s->names || !rows[0].b || !rows[1].b)
		goto out;
	for (i = 0; i < s->n; i++)
		o[i] = (struct order){s->r[i].size, i};
	qsort(o, s->n, sizeof(*o), cmp_order);
	s->name_rows = 0;
	for (k = tries = 0; k < s->n && tries < LABEL_TRIES; k++) {
		const struct rep_region *r = &s->r[o[k].i];
		struct name *nm = &s->names[s->nnames];
		double x0, x1, w, tx, lx, xs[3];
		int row;

		if (!r->label || !*r->label || strcmp(r->kind, "free") == 0)
			continue;
		tries++;
		short_label(r->label, nm->text, sizeof(nm->text));
		w = rep_text_w(nm->text, NAME_PX, false);
		x0 = xpos(s, r->start);
		x1 = xpos(s, s->end[o[k].i]);
		nm->x = (x0 + x1) / 2;
		nm->region = o[k].i;
		if (x1 - x0 >= w + 10 && s->depth[o[k].i] < 2 &&
		    clear_inside(s, o[k].i, nm->x - w / 2 - 3,
				 nm->x + w / 2 + 3)) {
			nm->row = -1;
			nm->tx = nm->x;
			s->nnames++;
			continue;
		}
		/* the leader at the centre, else near an end of the region */
		xs[0] = nm->x;
		xs[1] = x0 + 2.5;
		xs[2] = x1 - 2.5;
		row = place(rows, NAME_ROWS, xs, x1 - x0 > 8 ? 3 : 1, w, 0,
			    s->width, &tx, &lx);
		if (row < 0)
			continue;
		nm->row = row;
		nm->tx = tx;
		nm->x = lx;
		if (row + 1 > s->name_rows)
			s->name_rows = row + 1;
		s->nnames++;
	}
	ret = 0;
out:
	free(o);
	for (k = 0; k < NAME_ROWS; k++)
		free(rows[k].b);
	return ret;
}

static void addr_text(const struct strip *s, uint64_t v, char *buf,
		      size_t size)
{
	if (v == UINT64_MAX && s->top)
		snprintf(buf, size, "2^64");
	else
		rep_fmt_hex(v, buf, size);
}

static int place_addrs(struct strip *s)
{
	size_t nb = s->nseg + 1, i;
	struct order *o = malloc(nb * sizeof(*o));
	struct row rows[ADDR_ROWS];
	int k, ret = -1;

	s->addrs = calloc(nb, sizeof(*s->addrs));
	for (k = 0; k < ADDR_ROWS; k++)
		rows[k] = (struct row){calloc(3 * nb, sizeof(struct box)), 0};
	if (!o || !s->addrs || !rows[0].b || !rows[1].b || !rows[2].b)
		goto out;
	/* a boundary matters as much as the larger segment beside it, a
	 * gap's much less; the two ends of the strip most of all */
	for (i = 0; i < nb; i++) {
		uint64_t p = 0, q = 0;

		if (i > 0) {
			const struct seg *g = &s->seg[i - 1];

			p = g->gap ? (g->hi - g->lo) >> 20 : g->hi - g->lo;
		}
		if (i < s->nseg) {
			const struct seg *g = &s->seg[i];

			q = g->gap ? (g->hi - g->lo) >> 20 : g->hi - g->lo;
		}
		o[i] = (struct order){i == 0 || i == nb - 1 ? UINT64_MAX
				      : p > q	       ? p
						       : q,
				      i};
	}
	qsort(o, nb, sizeof(*o), cmp_order);
	s->addr_rows = 0;
	for (i = 0; i < nb; i++) {
		size_t b = o[i].i;
		struct addr *a = &s->addrs[s->naddrs];
		char t[24];
		double w, tx, lx;
		int row;

		a->v = b < s->nseg ? s->seg[b].lo : s->seg[b - 1].hi;
		a->x = b < s->nseg ? s->seg[b].x : s->width;
		addr_text(s, a->v, t, sizeof(t));
		w = rep_text_w(t, ADDR_PX, true);
		row = place(rows, ADDR_ROWS, &a->x, 1, w, -2, MAP_W + 2, &tx,
			    &lx);
		if (row < 0)
			continue;
		a->row = row;
		a->tx = tx;
		if (row + 1 > s->addr_rows)
			s->addr_rows = row + 1;
		s->naddrs++;
	}
	ret = 0;
out:
	free(o);
	for (k = 0; k < ADDR_ROWS; k++)
		free(rows[k].b);
	return ret;
}

static void strip_free(struct strip *s)
{
	free(s->end);
	free(s->depth);
	free(s->seg);
	free(s->names);
	free(s->addrs);
}

static int strip_build(struct strip *s)
{
	size_t i;

	s->end = malloc((s->n + 1) * sizeof(*s->end));
	s->depth = calloc(s->n + 1, sizeof(*s->depth));
	if (!s->end || !s->depth)
		return -1;
	for (i = 0; i < s->n; i++) {
		uint64_t e = s->r[i].start + s->r[i].size;

		if (e < s->r[i].start || e == 0) {
			e = UINT64_MAX;	/* reaches 2^64 */
			s->top = true;
		}
		s->end[i] = e;
	}
	nest(s);
	if (build_scale(s) || place_names(s) || place_addrs(s))
		return -1;
	return 0;
}

static double strip_height(const struct strip *s)
{
	return CAP_H + s->name_rows * NAME_ROW_H + BAR_H + 4 +
	       (s->addr_rows ? s->addr_rows : 1) * ADDR_ROW_H + 12;
}

/* ---- drawing ---- */

static void region_title(FILE *f, const struct strip *s, size_t i,
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
	addr_text(s, lo, a, sizeof(a));
	addr_text(s, hi, b, sizeof(b));
	fprintf(f, ": %s–%s, %s</title>", a, b,
		rep_fmt_bytes(bytes, z, sizeof(z)));
}

static void draw_mark(FILE *f, const struct strip *s, size_t first,
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
static void draw_regions(FILE *f, const struct strip *s, double y)
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
				a = xpos(s, s->r[i].start);
				b = xpos(s, s->end[i]);
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

static void draw_gaps(FILE *f, const struct strip *s, double y)
{
	size_t k;
	double m = y + BAR_H / 2;

	for (k = 0; k < s->nseg; k++) {
		const struct seg *g = &s->seg[k];
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

static void draw_names(FILE *f, const struct strip *s, double y_rows,
		       double y_bar)
{
	size_t i;

	for (i = 0; i < s->nnames; i++) {
		const struct name *nm = &s->names[i];

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

static void draw_addrs(FILE *f, const struct strip *s, double y)
{
	size_t i;
	char t[24];

	for (i = 0; i < s->naddrs; i++) {
		const struct addr *a = &s->addrs[i];
		double base = y + 4 + a->row * ADDR_ROW_H + ADDR_ROW_H - 3;
		double w;
		double x0;

		addr_text(s, a->v, t, sizeof(t));
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
			 const struct strip *s, double y)
{
	struct rep_kind_total t[16];
	size_t n = rep_map_totals(snap, s->space, t, 16), i, len;
	char a[24], z[32];

	fprintf(f, "<text class=\"m-cap\" x=\"0\" y=\"%.1f\">", y + 13);
	fputs("<tspan class=\"m-space\">", f);
	rep_html(f, s->space);
	fputs("</tspan>", f);
	len = utf8_len(s->space);
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
	struct strip *st = calloc(nspaces + 1, sizeof(*st));
	double h, y;
	bool gaps = false;

	if (!st) {
		fputs("<p>(out of memory drawing this map)</p>\n", f);
		return;
	}
	h = 0;
	for (k = 0; k < nspaces; k++) {
		struct strip *s = &st[k];

		s->space = spaces[k];
		for (i = 0; i < snap->n && !is_space(&snap->r[i], s->space);
		     i++)
			;
		s->r = &snap->r[i];
		while (i + s->n < snap->n && is_space(&s->r[s->n], s->space))
			s->n++;
		if (strip_build(s)) {
			s->n = 0;
			continue;
		}
		for (i = 0; i < s->nseg; i++)
			gaps |= s->seg[i].gap;
		h += strip_height(s);
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
		struct strip *s = &st[k];
		double bar;

		if (!s->n)
			continue;
		draw_caption(f, snap, s, y);
		bar = y + CAP_H + s->name_rows * NAME_ROW_H;
		draw_regions(f, s, bar);
		draw_gaps(f, s, bar);
		draw_names(f, s, y + CAP_H, bar);
		draw_addrs(f, s, bar + BAR_H);
		y += strip_height(s);
	}
	fputs("</svg>\n", f);
	if (all > nspaces)
		fprintf(f, "<p class=\"small\">%zu more spaces not drawn."
			   "</p>\n",
			all - nspaces);
	for (k = 0; k < nspaces; k++)
		strip_free(&st[k]);
	free(st);
}
