/*
 * grid.h - a sweep's grid: one policy with a list of values per key,
 * NAME:KEY=V1,V2,KEY2=LO..HI*F,...  A point of the grid is one spec.
 */
#ifndef RMSIM_CLI_GRID_H
#define RMSIM_CLI_GRID_H

#include "rmsim/policy.h"

#include <stddef.h>

#define CLI_GRID_AXES 8
#define CLI_GRID_VALUES 64
#define CLI_GRID_POINTS 100000

struct cli_axis {
	char key[64];
	unsigned n;
	char val[CLI_GRID_VALUES][40];
};

struct cli_grid {
	char name[POL_SPEC_MAX];	/* as given */
	unsigned naxes;
	struct cli_axis axis[CLI_GRID_AXES];
};

/*
 * cli_grid_parse - read @s: NAME[:ITEM,...] where an ITEM with '=' starts
 * a key and one without adds a value to the key before it; a value is
 * V, LO..HI*F (LO, LO*F, ... up to HI, F >= 2) or LO..HI+S (LO, LO+S,
 * ... up to HI).  0, or -1 with a message in @err.  The values are not
 * judged here: each point is a spec pol_spec_parse judges.
 */
int cli_grid_parse(const char *s, struct cli_grid *g, char *err,
		   size_t errsize);
/* The number of points (the product of the axes' lengths). */
size_t cli_grid_size(const struct cli_grid *g);
/* The spec of the point with value index @idx[a] on each axis a. */
void cli_grid_spec(const struct cli_grid *g, const unsigned *idx, char *buf,
		   size_t size);
/* Point number @k (row-major, the last axis fastest) as indexes. */
void cli_grid_index(const struct cli_grid *g, size_t k, unsigned *idx);

struct cli_matrix;

/*
 * cli_grid_point - point @k of @g: its value indexes into @idx, its spec
 * into @spec, checked on every layout of @m (cli_matrix_check) with its
 * canonical spelling into @canon.  -1 when good, else the exit status
 * after the message.
 */
int cli_grid_point(const struct cli_matrix *m, const struct cli_grid *g,
		   size_t k, unsigned *idx, char *spec, char *canon);

#endif
