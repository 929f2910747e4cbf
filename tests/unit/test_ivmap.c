/*
 * test_ivmap.c - the interval map behind relocation: assign, remove,
 * lookup and clone against a plain array of pages, with iv_check after
 * every operation.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "ranges/ivmap.h"

#define PAGES 512

/* value per page; 0 means unmapped (values are never 0 here) */
static uint64_t shadow[PAGES];

static void compare(const struct iv_map *m)
{
	uint64_t a, s, e, v, next;

	assert_int_equal(iv_check(m), 0);
	for (a = 0; a < PAGES; a++) {
		bool in = iv_lookup(m, a, &s, &e, &v, &next);

		assert_int_equal(in, shadow[a] != 0);
		if (in) {
			assert_true(s <= a && a < e);
			assert_int_equal(v, shadow[a]);
		} else {
			uint64_t b = a + 1;

			while (b < PAGES && !shadow[b])
				b++;
			if (b < PAGES)
				assert_int_equal(next, b);
		}
	}
}

static void test_basics(void **state)
{
	struct iv_map *m = iv_new();
	uint64_t s, e, v, next;

	assert_int_equal(iv_assign(m, 10, 20, 7), 0);
	assert_true(iv_lookup(m, 15, &s, &e, &v, &next));
	assert_int_equal(s, 10);
	assert_int_equal(e, 20);
	assert_int_equal(v, 7);
	/* overwrite the middle: three pieces */
	assert_int_equal(iv_assign(m, 12, 14, 9), 0);
	assert_int_equal(iv_count(m), 3);
	assert_true(iv_lookup(m, 14, &s, &e, &v, &next));
	assert_int_equal(s, 14);
	assert_int_equal(v, 7);
	assert_false(iv_lookup(m, 5, &s, &e, &v, &next));
	assert_int_equal(next, 10);
	assert_true(iv_disjoint(m, 0, 10));
	assert_false(iv_disjoint(m, 0, 11));
	assert_int_equal(iv_remove(m, 0, 100), 0);
	assert_int_equal(iv_count(m), 0);
	/* the top of the address space */
	assert_int_equal(iv_assign(m, UINT64_MAX - 10, UINT64_MAX, 1), 0);
	assert_true(iv_lookup(m, UINT64_MAX - 1, &s, &e, &v, &next));
	iv_free(m);
}

static void test_random_against_pages(void **state)
{
	struct iv_map *m = iv_new(), *c;
	unsigned seed = 12345, i;
	uint64_t a, b, x;

	memset(shadow, 0, sizeof(shadow));
	for (i = 0; i < 4000; i++) {
		seed = seed * 1103515245 + 12345;
		a = (seed >> 8) % PAGES;
		seed = seed * 1103515245 + 12345;
		b = a + 1 + (seed >> 8) % 40;
		if (b > PAGES)
			b = PAGES;
		if (i % 3 == 2) {
			assert_int_equal(iv_remove(m, a, b), 0);
			for (x = a; x < b; x++)
				shadow[x] = 0;
		} else {
			assert_int_equal(iv_assign(m, a, b, i + 1), 0);
			for (x = a; x < b; x++)
				shadow[x] = i + 1;
		}
		compare(m);
	}
	c = iv_clone(m);
	iv_free(m);
	compare(c);
	iv_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_basics),
		cmocka_unit_test(test_random_against_pages),
	};

	return cmocka_run_group_tests_name("ivmap", tests, NULL, NULL);
}
