/*
 * rep_map_internal.h - what the two halves of the address-space map
 * share: rep_map_layout.c lays a space's strip out (the compressing
 * scale, where names and addresses go), rep_map.c draws it as SVG.
 * Nothing else includes it.
 */
#ifndef RMSIM_REPORT_MAP_INTERNAL_H
#define RMSIM_REPORT_MAP_INTERNAL_H

#include "report/rep_internal.h"

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

struct rep_seg {
	uint64_t lo, hi;	/* hi == UINT64_MAX may stand for 2^64 */
	bool gap;		/* no region covers any of it */
	double x, w;
};

/* A placed label: its extent in a row. */
struct rep_box {
	double x0, x1;
};

struct rep_row {
	struct rep_box *b;
	size_t n;
};

struct rep_name {
	double x, tx;		/* leader, text centre */
	int row;		/* -1 inside the bar */
	size_t region;
	char text[64];
};

struct rep_addr {
	double x, tx;		/* tick, text centre */
	int row;
	uint64_t v;
};

struct rep_strip {
	const char *space;
	const struct rep_region *r;
	size_t n;
	uint64_t *end;		/* per region, saturated */
	int *depth;
	int max_depth;
	bool top;		/* some region reaches 2^64 */
	struct rep_seg *seg;
	size_t nseg;
	struct rep_name *names;
	size_t nnames;
	int name_rows;
	struct rep_addr *addrs;
	size_t naddrs;
	int addr_rows;
	double width;		/* of the drawn strip */
};

/* Lay out @s, whose space, regions and count are set: 0, or -1 when out
 * of memory. */
int rep_strip_build(struct rep_strip *s);
void rep_strip_free(struct rep_strip *s);
/* The height the strip takes, caption and label rows included. */
double rep_strip_height(const struct rep_strip *s);
/* The x of address @v on the strip's scale. */
double rep_strip_x(const struct rep_strip *s, uint64_t v);
/* Address @v as the strip shows it. */
void rep_strip_addr_text(const struct rep_strip *s, uint64_t v,
			 char *buf, size_t size);
/* Characters (not bytes) of the UTF-8 string @s. */
size_t rep_utf8_len(const char *s);

#endif
