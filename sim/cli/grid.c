/*
 * grid.c - parsing and walking a sweep's grid (grid.h).
 *
 * ALGORITHM: the text after NAME: is split on commas; an item KEY=VALUE
 * opens an axis, an item without '=' is one more value of the open axis
 * (so `chunk=16K,64K,1M` is three values, `chunk=16K,pool=0` two axes).
 * A range is expanded at once into its values, spelt by the policy's
 * parameter table when the key is in it (so points print like the specs
 * users write), else in decimal.  Points are numbered row-major.
 *
 * INVARIANTS: every axis has 1..CLI_GRID_VALUES values; the grid has at
 * most CLI_GRID_POINTS points.
 */
#include "grid.h"

#include "cli.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The parameter @key of the policy named @name, or NULL. */
static const struct pol_param *param_of(const char *name, const char *key)
{
	const struct pol_policy *pol;
	const struct pol_param *p;
	const char *params;
	char err[256];

	pol = pol_load(name, &params, err, sizeof(err));
	if (!pol || pol->abi < 2)
		return NULL;
	for (p = pol->params; p && p->key; p++)
		if (strcmp(p->key, key) == 0)
			return p;
	return NULL;
}

static int add_value(struct cli_grid *g, struct cli_axis *a,
		     const struct pol_param *p, const char *text, uint64_t v,
		     char *err, size_t errsize)
{
	static const struct pol_param plain = {.kind = POL_PARAM_COUNT};

	if (a->n == CLI_GRID_VALUES) {
		snprintf(err, errsize, "%s: %s has more than %d values",
			 g->name, a->key, CLI_GRID_VALUES);
		return -1;
	}
	if (text)
		snprintf(a->val[a->n++], sizeof(a->val[0]), "%s", text);
	else
		pol_param_print(p ? p : &plain, v, a->val[a->n++],
				sizeof(a->val[0]));
	return 0;
}

/* Expand @v (a value or a range) onto axis @a. */
static int add_values(struct cli_grid *g, struct cli_axis *a, const char *v,
		      char *err, size_t errsize)
{
	const struct pol_param *p = param_of(g->name, a->key);
	const char *dots = strstr(v, ".."), *op;
	uint64_t lo, hi, step, x;
	bool mul;

	if (!*v) {
		snprintf(err, errsize, "%s: %s=: not a value (an empty one)",
			 g->name, a->key);
		return -1;
	}
	if (!dots)
		return add_value(g, a, p, v, 0, err, errsize);
	op = strpbrk(dots + 2, "*+");
	if (!op || pol_param_value(p, v, (size_t)(dots - v), &lo) ||
	    pol_param_value(p, dots + 2, (size_t)(op - dots - 2), &hi) ||
	    pol_param_value(p, op + 1, strlen(op + 1), &step)) {
		snprintf(err, errsize,
			 "%s: %s=%s: a range is LO..HI*FACTOR or LO..HI+STEP",
			 g->name, a->key, v);
		return -1;
	}
	mul = *op == '*';
	if (lo > hi || (mul && (step < 2 || lo == 0)) || (!mul && step == 0)) {
		snprintf(err, errsize,
			 "%s: %s=%s: the range needs LO <= HI and a factor "
			 ">= 2 from LO > 0, or a step > 0",
			 g->name, a->key, v);
		return -1;
	}
	for (x = lo; x <= hi;) {
		if (add_value(g, a, p, NULL, x, err, errsize))
			return -1;
		if (mul ? x > hi / step : x > hi - step)
			break;
		x = mul ? x * step : x + step;
	}
	return 0;
}

int cli_grid_parse(const char *s, struct cli_grid *g, char *err, size_t errsize)
{
	const char *colon = strchr(s, ':');
	char items[2048], *tok, *save;
	struct cli_axis *a = NULL;
	size_t len = colon ? (size_t)(colon - s) : strlen(s);

	memset(g, 0, sizeof(*g));
	if (len == 0 || len >= sizeof(g->name)) {
		snprintf(err, errsize, "'%s': no policy name", s);
		return -1;
	}
	memcpy(g->name, s, len);
	if (!colon)
		return 0;
	if (strlen(colon + 1) >= sizeof(items)) {
		snprintf(err, errsize, "%s: grid too long", g->name);
		return -1;
	}
	snprintf(items, sizeof(items), "%s", colon + 1);
	if (!items[0]) {
		snprintf(err, errsize, "%s: nothing after ':'", g->name);
		return -1;
	}
	if (items[strlen(items) - 1] == ',' || strstr(items, ",,")) {
		snprintf(err, errsize, "%s: an empty item in '%s'", g->name,
			 colon + 1);
		return -1;
	}
	for (tok = strtok_r(items, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(tok, '=');
		unsigned i;

		if (eq == tok) {
			snprintf(err, errsize, "%s: '%s' is not KEY=VALUE",
				 g->name, tok);
			return -1;
		}
		if (eq) {
			*eq = '\0';
			for (i = 0; i < g->naxes; i++)
				if (strcmp(g->axis[i].key, tok) == 0) {
					snprintf(err, errsize,
						 "%s: key '%s' given twice",
						 g->name, tok);
					return -1;
				}
			if (g->naxes == CLI_GRID_AXES ||
			    strlen(tok) >= sizeof(a->key)) {
				snprintf(err, errsize,
					 "%s: '%s': at most %d keys of up to "
					 "63 characters",
					 g->name, tok, CLI_GRID_AXES);
				return -1;
			}
			a = &g->axis[g->naxes++];
			snprintf(a->key, sizeof(a->key), "%s", tok);
			tok = eq + 1;
		} else if (!a) {
			snprintf(err, errsize, "%s: '%s' is not KEY=VALUE",
				 g->name, tok);
			return -1;
		}
		if (add_values(g, a, tok, err, errsize))
			return -1;
	}
	if (cli_grid_size(g) > CLI_GRID_POINTS) {
		snprintf(err, errsize, "%s: more than %d points", g->name,
			 CLI_GRID_POINTS);
		return -1;
	}
	return 0;
}

size_t cli_grid_size(const struct cli_grid *g)
{
	size_t n = 1;
	unsigned i;

	for (i = 0; i < g->naxes; i++) {
		n *= g->axis[i].n;
		if (n > CLI_GRID_POINTS)
			return CLI_GRID_POINTS + 1;
	}
	return n;
}

void cli_grid_index(const struct cli_grid *g, size_t k, unsigned *idx)
{
	unsigned i;

	for (i = g->naxes; i-- > 0;) {
		idx[i] = (unsigned)(k % g->axis[i].n);
		k /= g->axis[i].n;
	}
}

void cli_grid_spec(const struct cli_grid *g, const unsigned *idx, char *buf,
		   size_t size)
{
	size_t used;
	unsigned i;

	used = (size_t)snprintf(buf, size, "%s", g->name);
	for (i = 0; i < g->naxes && used < size; i++)
		used += (size_t)snprintf(buf + used, size - used, "%c%s=%s",
					 i ? ',' : ':', g->axis[i].key,
					 g->axis[i].val[idx[i]]);
}

int cli_grid_point(const struct cli_matrix *m, const struct cli_grid *g,
		   size_t k, unsigned *idx, char *spec, char *canon)
{
	const char *sp = spec;

	cli_grid_index(g, k, idx);
	cli_grid_spec(g, idx, spec, POL_SPEC_MAX);
	return cli_matrix_check(m, &sp, 1, (char(*)[POL_SPEC_MAX])canon);
}
