/*
 * test_ranges.c - the range tree (sim/ranges/) against a brute-force
 * shadow: random inserts, erases and in-place resizes of page ranges,
 * rg_check after every operation, and every few steps lookups, in-order
 * walks and both hole searches compared with a linear scan of the shadow.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ranges/ranges.h"
#include "test_rnd.h"

#define PG 4096ULL
#define SLOTS 512		/* the address space: 512 pages */

static uint64_t seed = 0x9e3779b97f4a7c15ULL;

static uint64_t rnd(void)
{
	return test_rnd(&seed);
}

/* which node covers each page, or NULL; one page more than ranges may
 * use, never covered, stands for the hole that runs to 2^64 */
static struct rg_node *cover[SLOTS + 1];

static void checked(const struct rg_tree *t)
{
	char why[200];

	if (rg_check(t, PG, why, sizeof(why)) < 0)
		fail_msg("%s", why);
}

static void paint(struct rg_node *n, struct rg_node *with)
{
	uint64_t p;

	for (p = n->start / PG; p < n->end / PG; p++)
		cover[p] = with;
}

/* the shadow's answer to rg_find */
static struct rg_node *shadow_find(uint64_t addr)
{
	uint64_t p;

	for (p = addr / PG; p < SLOTS; p++)
		if (cover[p])
			return cover[p];
	return NULL;
}

/* the shadow's highest (or lowest) hole part in [low, high) of len */
static bool shadow_gap(uint64_t low, uint64_t high, uint64_t len,
		       bool top, uint64_t *at)
{
	uint64_t best = 0, a, b;
	bool found = false;
	uint64_t p = 0;

	while (p <= SLOTS) {
		uint64_t q;

		if (cover[p]) {
			p++;
			continue;
		}
		for (q = p; q <= SLOTS && !cover[q]; q++)
			;
		/* the hole [p, q) pages; the last one runs to 2^64 */
		a = p * PG;
		b = q > SLOTS ? UINT64_MAX : q * PG;
		a = a > low ? a : low;
		b = b < high ? b : high;
		if (b > a && b - a >= len) {
			if (!top) {
				*at = a;
				return true;
			}
			best = b;
			found = true;
		}
		p = q;
	}
	if (found)
		*at = best;
	return found;
}

static void random_ops(void **state)
{
	struct rg_tree t = {0};
	struct rg_node *nodes = calloc(SLOTS, sizeof(*nodes));
	int step;

	(void)state;
	memset(cover, 0, sizeof(cover));
	for (step = 0; step < 30000; step++) {
		uint64_t p = rnd() % SLOTS, len = 1 + rnd() % 8, i;
		struct rg_node *n = cover[p];

		if (!n && rnd() % 3) {
			/* insert [p, p + len) shortened to the free run */
			for (i = 0; i < len && p + i < SLOTS && !cover[p + i];
			     i++)
				;
			n = &nodes[p];
			n->start = p * PG;
			n->end = (p + i) * PG;
			rg_insert(&t, n);
			paint(n, n);
		} else if (n && rnd() % 2) {
			paint(n, NULL);
			rg_erase(&t, n);
		} else if (n) {
			/* shrink or grow at the end, in place */
			uint64_t e = n->end / PG;

			if (rnd() % 2 && e - n->start / PG > 1) {
				paint(n, NULL);
				n->end -= PG;
				paint(n, n);
				rg_update(n);
			} else if (e < SLOTS && !cover[e]) {
				n->end += PG;
				paint(n, n);
				rg_update(n);
			}
		}
		checked(&t);
		if (step % 100 == 0) {
			uint64_t a, low, high, want, got;
			struct rg_node *above, *w;
			uint64_t count = 0;
			bool ok;

			for (w = rg_first(&t); w; w = rg_next(w)) {
				if (rg_next(w) && rg_prev(rg_next(w)) != w)
					fail_msg("prev of next is not itself");
				count++;
			}
			assert_int_equal(count, t.count);
			a = (rnd() % (SLOTS + 4)) * PG + rnd() % PG;
			assert_ptr_equal(rg_find(&t, a), shadow_find(a));
			low = (rnd() % SLOTS) * PG;
			high = low + (1 + rnd() % SLOTS) * PG;
			len = (1 + rnd() % 6) * PG;
			ok = shadow_gap(low, high, len, true, &want);
			assert_int_equal(rg_gap_highest(&t, low, high, len, &got,
							&above), ok);
			if (ok) {
				assert_int_equal(got, want);
				assert_ptr_equal(above, shadow_find(got));
			}
			ok = shadow_gap(low, high, len, false, &want);
			assert_int_equal(rg_gap_lowest(&t, low, high, len, &got,
						       &above), ok);
			if (ok) {
				assert_int_equal(got, want);
				assert_ptr_equal(above, shadow_find(got));
			}
		}
	}
	free(nodes);
}

static void check_catches_stale(void **state)
{
	struct rg_tree t = {0};
	struct rg_node a = {.start = 0x1000, .end = 0x3000};
	struct rg_node b = {.start = 0x8000, .end = 0x9000};
	char why[200];

	(void)state;
	rg_insert(&t, &a);
	rg_insert(&t, &b);
	assert_int_equal(rg_check(&t, PG, why, sizeof(why)), 2);
	/* a resize the tree was not told of */
	b.end = 0xa000;
	assert_int_equal(rg_check(&t, PG, why, sizeof(why)), -1);
	assert_non_null(strstr(why, "stale augmentation"));
	rg_update(&b);
	assert_int_equal(rg_check(&t, PG, why, sizeof(why)), 2);
	b.start = 0x2000;	/* overlaps a */
	assert_int_equal(rg_check(&t, PG, why, sizeof(why)), -1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_ops),
		cmocka_unit_test(check_catches_stale),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
