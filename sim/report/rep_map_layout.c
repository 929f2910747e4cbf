/*
 * rep_map_layout.c - the layout of one strip of the address-space map
 * (rep_map.c draws it): the compressing scale and the places of the
 * names and addresses.
 *
 * Every distinct region boundary cuts the strip into intervals; an
 * interval's width grows with the logarithm of its size, so a 4 KiB
 * region next to a 512 GiB window is a few pixels wide, not nothing.
 * Address space no region covers is a gap with a break mark at a
 * smaller, also logarithmic, width.  When a space has more intervals
 * than the strip has room for, only the boundaries of the largest
 * intervals are kept (among intervals of about one size, spread over
 * the space); between two kept boundaries the scale is linear.
 *
 * Text never overlaps: names and addresses are placed greedily, largest
 * region first, into a few rows, and a label that fits in no row is left
 * out.  Leader lines count as obstacles in the rows they cross.
 */
#include "report/rep_map_internal.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

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
static int build_scale(struct rep_strip *s)
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
		struct rep_seg *g = &s->seg[s->nseg++];
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
		struct rep_seg *g = &s->seg[k];

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
		struct rep_seg *g = &s->seg[k];

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

double rep_strip_x(const struct rep_strip *s, uint64_t v)
{
	size_t lo = 0, hi = s->nseg;
	const struct rep_seg *g;

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
static void nest(struct rep_strip *s)
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

static bool row_free(const struct rep_row *r, double x0, double x1, double pad)
{
	size_t i;

	for (i = 0; i < r->n; i++)
		if (x0 < r->b[i].x1 + pad && x1 + pad > r->b[i].x0)
			return false;
	return true;
}

static void row_add(struct rep_row *r, double x0, double x1)
{
	r->b[r->n++] = (struct rep_box){x0, x1};
}

/*
 * Put a label of width @w into the nearest row where it fits, its leader
 * at one of the @nx positions @xs (the first preferred) and the text
 * centred over the leader or hanging to one side of it; the leader
 * blocks the rows it crosses.  Returns the row (text centre in *@tx,
 * leader in *@lx) or -1.
 */
static int place(struct rep_row *rows, int nrows, const double *xs, int nx,
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

size_t rep_utf8_len(const char *s)
{
	size_t n = 0;

	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Is [x0, x1] clear of regions deeper than region @i? */
static bool clear_inside(const struct rep_strip *s, size_t i, double x0,
			 double x1)
{
	size_t j;

	for (j = i + 1; j < s->n && s->r[j].start < s->end[i]; j++) {
		double a = rep_strip_x(s, s->r[j].start);
		double b = rep_strip_x(s, s->end[j]);

		if (s->depth[j] > s->depth[i] && a < x1 && b > x0)
			return false;
	}
	return true;
}

static int place_names(struct rep_strip *s)
{
	struct order *o = malloc((s->n + 1) * sizeof(*o));
	struct rep_row rows[NAME_ROWS];
	size_t i, k, tries;
	int ret = -1;

	s->names = calloc(LABEL_TRIES, sizeof(*s->names));
	for (k = 0; k < NAME_ROWS; k++)
		rows[k] = (struct rep_row){calloc(3 * LABEL_TRIES,
					      sizeof(struct rep_box)),
				       0};
	if (!o || !s->names || !rows[0].b || !rows[1].b)
		goto out;
	for (i = 0; i < s->n; i++)
		o[i] = (struct order){s->r[i].size, i};
	qsort(o, s->n, sizeof(*o), cmp_order);
	s->name_rows = 0;
	for (k = tries = 0; k < s->n && tries < LABEL_TRIES; k++) {
		const struct rep_region *r = &s->r[o[k].i];
		struct rep_name *nm = &s->names[s->nnames];
		double x0, x1, w, tx, lx, xs[3];
		int row;

		if (!r->label || !*r->label || strcmp(r->kind, "free") == 0)
			continue;
		tries++;
		short_label(r->label, nm->text, sizeof(nm->text));
		w = rep_text_w(nm->text, NAME_PX, false);
		x0 = rep_strip_x(s, r->start);
		x1 = rep_strip_x(s, s->end[o[k].i]);
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

void rep_strip_addr_text(const struct rep_strip *s, uint64_t v,
			 char *buf, size_t size)
{
	if (v == UINT64_MAX && s->top)
		snprintf(buf, size, "2^64");
	else
		rep_fmt_hex(v, buf, size);
}

static int place_addrs(struct rep_strip *s)
{
	size_t nb = s->nseg + 1, i;
	struct order *o = malloc(nb * sizeof(*o));
	struct rep_row rows[ADDR_ROWS];
	int k, ret = -1;

	s->addrs = calloc(nb, sizeof(*s->addrs));
	for (k = 0; k < ADDR_ROWS; k++)
		rows[k] = (struct rep_row){
			calloc(3 * nb, sizeof(struct rep_box)), 0};
	if (!o || !s->addrs || !rows[0].b || !rows[1].b || !rows[2].b)
		goto out;
	/* a boundary matters as much as the larger segment beside it, a
	 * gap's much less; the two ends of the strip most of all */
	for (i = 0; i < nb; i++) {
		uint64_t p = 0, q = 0;

		if (i > 0) {
			const struct rep_seg *g = &s->seg[i - 1];

			p = g->gap ? (g->hi - g->lo) >> 20 : g->hi - g->lo;
		}
		if (i < s->nseg) {
			const struct rep_seg *g = &s->seg[i];

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
		struct rep_addr *a = &s->addrs[s->naddrs];
		char t[24];
		double w, tx, lx;
		int row;

		a->v = b < s->nseg ? s->seg[b].lo : s->seg[b - 1].hi;
		a->x = b < s->nseg ? s->seg[b].x : s->width;
		rep_strip_addr_text(s, a->v, t, sizeof(t));
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

void rep_strip_free(struct rep_strip *s)
{
	free(s->end);
	free(s->depth);
	free(s->seg);
	free(s->names);
	free(s->addrs);
}

int rep_strip_build(struct rep_strip *s)
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

double rep_strip_height(const struct rep_strip *s)
{
	return CAP_H + s->name_rows * NAME_ROW_H + BAR_H + 4 +
	       (s->addr_rows ? s->addr_rows : 1) * ADDR_ROW_H + 12;
}
