/*
 * test_genode_bytes.c - a dataspace's sparse contents (gn_bytes.c)
 * against a flat array: random stores, zeroed ranges large and small
 * (both of gn_bytes_zero's paths: page by page, and over the pages
 * stored), writes, stamped ranges (the first byte of each page, as a
 * thread touching a range leaves it) and a zeroed range that ends at
 * 2^64, over zero and over a ROM's fill byte.  gn_bytes_check runs after every operation; the
 * whole array is compared every few.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "genode/gn_internal.h"
#include "test_rnd.h"

#define SPAN (64 * 4096)	/* 64 pages */

static uint64_t seed = 0x243f6a8885a308d3ULL;

static uint64_t rnd(void)
{
	return test_rnd(&seed);
}

static void checked(const struct gn_bytes *b)
{
	char msg[200];

	if (gn_bytes_check(b, msg, sizeof(msg)))
		fail_msg("%s", msg);
}

static void compare(const struct gn_bytes *b, const uint8_t *flat)
{
	uint64_t i;

	for (i = 0; i < SPAN; i++)
		if (gn_bytes_get(b, i) != flat[i])
			fail_msg("byte %#llx: %u, want %u",
				 (unsigned long long)i, gn_bytes_get(b, i),
				 flat[i]);
}

/* What gn_bytes_stamp does, on the flat array. */
static void flat_stamp(uint8_t *flat, uint64_t off, uint64_t len, uint8_t v)
{
	uint64_t p;

	for (p = (off + 4095) & ~4095ULL; p < off + len && p < SPAN; p += 4096)
		flat[p] = v;
}

static void random_ops(void **state)
{
	static uint8_t flat[SPAN];
	struct gn_bytes b;
	uint64_t off, len, i;
	int step;

	(void)state;
	memset(&b, 0, sizeof(b));
	memset(flat, 0, sizeof(flat));
	for (step = 0; step < 20000; step++) {
		switch (rnd() % 10) {
		case 8: case 9:
			/* a stamp: any range, often the fill */
			off = rnd() % SPAN;
			len = rnd() % 3 ? rnd() % (20 * 4096) : SPAN;
			len = off + len > SPAN ? SPAN - off : len;
			i = rnd() % 4 ? 1 + rnd() % 255 : 0;
			flat_stamp(flat, off, len, (uint8_t)i);
			gn_bytes_stamp(&b, off, len, (uint8_t)i);
			break;
		case 0: case 1: case 2: case 3:
			/* a byte, often zero so chunks empty again */
			off = rnd() % SPAN;
			flat[off] = rnd() % 3 ? (uint8_t)(1 + rnd() % 255) : 0;
			gn_bytes_set(&b, off, flat[off]);
			break;
		case 4:
			/* a small range: partial chunks */
			off = rnd() % SPAN;
			len = 1 + rnd() % 300;
			len = off + len > SPAN ? SPAN - off : len;
			memset(flat + off, 0, len);
			gn_bytes_zero(&b, off, len);
			break;
		case 5:
			/* whole pages, as policies clean what they reuse */
			off = (rnd() % 64) * 4096;
			len = (1 + rnd() % 16) * 4096;
			len = off + len > SPAN ? SPAN - off : len;
			memset(flat + off, 0, len);
			gn_bytes_zero(&b, off, len);
			break;
		case 6: {
			uint8_t buf[200];

			off = rnd() % (SPAN - sizeof(buf));
			len = 1 + rnd() % sizeof(buf);
			for (i = 0; i < len; i++)
				buf[i] = rnd() % 2 ? (uint8_t)rnd() : 0;
			memcpy(flat + off, buf, len);
			gn_bytes_write(&b, off, buf, len);
			break;
		}
		default:
			if (rnd() % 50 == 0) {
				/* far more pages than are stored */
				off = rnd() % SPAN;
				memset(flat + off, 0, SPAN - off);
				gn_bytes_zero(&b, off, UINT64_MAX - off + 1);
			}
			break;
		}
		checked(&b);
		if (step % 1000 == 0)
			compare(&b, flat);
	}
	compare(&b, flat);
	gn_bytes_free(&b);
}

/*
 * A filled ROM's contents (rom(N, fill=V)): one byte for the whole
 * range, stores and small zeroed ranges over it, against a flat array.
 */
static void fill_background(void **state)
{
	static uint8_t flat[SPAN];
	struct gn_bytes b;
	uint64_t off, len;
	int step;

	(void)state;
	memset(&b, 0, sizeof(b));
	gn_bytes_set(&b, 5, 9);
	gn_bytes_fill(&b, 0x7f);
	assert_int_equal(b.n, 0);
	memset(flat, 0x7f, sizeof(flat));
	compare(&b, flat);
	assert_int_equal(gn_bytes_get(&b, UINT64_MAX), 0x7f);
	for (step = 0; step < 5000; step++) {
		off = rnd() % SPAN;
		if (rnd() % 8 == 0) {
			uint8_t v = rnd() % 2 ? 0x7f : (uint8_t)rnd();

			len = rnd() % (20 * 4096);
			len = off + len > SPAN ? SPAN - off : len;
			flat_stamp(flat, off, len, v);
			gn_bytes_stamp(&b, off, len, v);
		} else if (rnd() % 4) {
			flat[off] = rnd() % 2 ? 0x7f : (uint8_t)rnd();
			gn_bytes_set(&b, off, flat[off]);
		} else {
			len = 1 + rnd() % 300;
			len = off + len > SPAN ? SPAN - off : len;
			memset(flat + off, 0, len);
			gn_bytes_zero(&b, off, len);
		}
		checked(&b);
	}
	compare(&b, flat);
	/* back to the fill everywhere: nothing stored, nothing stamped */
	for (off = 0; off < SPAN; off++)
		gn_bytes_set(&b, off, 0x7f);
	assert_int_equal(b.n, 0);
	assert_int_equal(b.pn, 0);
	assert_true(!b.stamps || iv_count(b.stamps) == 0);
	gn_bytes_free(&b);
}

static void zero_drops_chunks(void **state)
{
	struct gn_bytes b;
	uint64_t i;

	(void)state;
	memset(&b, 0, sizeof(b));
	for (i = 0; i < 100; i++)
		gn_bytes_set(&b, i * 4096 + 7, 1);
	assert_int_equal(b.n, 100);
	assert_int_equal(b.pn, 100);
	gn_bytes_zero(&b, 0, 50 * 4096);
	assert_int_equal(b.n, 50);
	assert_int_equal(b.pn, 50);
	gn_bytes_set(&b, 60 * 4096 + 7, 0);
	assert_int_equal(b.n, 49);
	checked(&b);
	gn_bytes_free(&b);
}

/*
 * A page whose only stored byte is its first, the stamp's byte (a fault's
 * store before the touch stamps on), joins the stamp: its chunk goes and
 * the stretch is one range.  A page that holds more stays stored.
 */
static void stamp_takes_in_first_byte_pages(void **state)
{
	struct gn_bytes b;
	int i;

	(void)state;
	memset(&b, 0, sizeof(b));
	for (i = 0; i < 8; i++) {
		gn_bytes_set(&b, (uint64_t)i * 16 * 4096, 0x35);
		gn_bytes_stamp(&b, (uint64_t)i * 16 * 4096, 16 * 4096, 0x35);
		checked(&b);
	}
	assert_int_equal(b.n, 0);
	assert_int_equal(iv_count(b.stamps), 1);
	assert_int_equal(gn_bytes_get(&b, 7 * 16 * 4096), 0x35);
	assert_int_equal(gn_bytes_get(&b, 7 * 16 * 4096 + 1), 0);
	/* another byte in the first chunk, a byte in another chunk: each
	 * page keeps its store; a first byte other than the stamp's is
	 * overwritten by it, and that page joins */
	gn_bytes_set(&b, 200 * 4096, 0x35);
	gn_bytes_set(&b, 200 * 4096 + 5, 1);
	gn_bytes_set(&b, 201 * 4096, 0x35);
	gn_bytes_set(&b, 201 * 4096 + 64, 1);
	gn_bytes_set(&b, 202 * 4096, 0x44);
	gn_bytes_stamp(&b, 200 * 4096, 3 * 4096, 0x35);
	checked(&b);
	assert_int_equal(b.n, 3);
	assert_int_equal(gn_bytes_get(&b, 200 * 4096 + 5), 1);
	assert_int_equal(gn_bytes_get(&b, 201 * 4096 + 64), 1);
	assert_int_equal(gn_bytes_get(&b, 202 * 4096), 0x35);
	/* a stamp of the fill takes nothing in */
	gn_bytes_set(&b, 300 * 4096, 0x35);
	gn_bytes_stamp(&b, 300 * 4096, 4096, 0);
	checked(&b);
	assert_int_equal(gn_bytes_get(&b, 300 * 4096), 0);
	gn_bytes_free(&b);
}

/*
 * A range of terabytes stamped (--touch all over a huge dataspace) is one
 * interval, whatever its size; stores, zeroing and stamps over parts of
 * it split it exactly, up to a range that ends at 2^64.
 */
static void stamp_is_a_range(void **state)
{
	const uint64_t T = 1ULL << 40;
	struct gn_bytes b;

	(void)state;
	memset(&b, 0, sizeof(b));
	gn_bytes_stamp(&b, 0, 64 * T, 0x35);
	checked(&b);
	assert_int_equal(b.n, 0);
	assert_int_equal(iv_count(b.stamps), 1);
	assert_int_equal(gn_bytes_get(&b, 0), 0x35);
	assert_int_equal(gn_bytes_get(&b, 64 * T - 4096), 0x35);
	assert_int_equal(gn_bytes_get(&b, 64 * T - 4095), 0);
	assert_int_equal(gn_bytes_get(&b, 64 * T), 0);
	assert_int_equal(gn_bytes_get(&b, 7 * T + 1), 0);
	/* a store in a stamped page: the page leaves the range and keeps
	 * its stamp as a stored byte */
	gn_bytes_set(&b, 5 * T + 100, 9);
	checked(&b);
	assert_int_equal(iv_count(b.stamps), 2);
	assert_int_equal(gn_bytes_get(&b, 5 * T), 0x35);
	assert_int_equal(gn_bytes_get(&b, 5 * T + 100), 9);
	assert_int_equal(gn_bytes_get(&b, 5 * T + 4096), 0x35);
	/* a store of the stamp itself changes nothing */
	gn_bytes_set(&b, 9 * T, 0x35);
	assert_int_equal(iv_count(b.stamps), 2);
	/* zeroing drops the stamps of the pages that start in it */
	gn_bytes_zero(&b, 2 * T + 1, T);
	checked(&b);
	assert_int_equal(gn_bytes_get(&b, 2 * T), 0x35);
	assert_int_equal(gn_bytes_get(&b, 2 * T + 4096), 0);
	assert_int_equal(gn_bytes_get(&b, 3 * T), 0);
	assert_int_equal(gn_bytes_get(&b, 3 * T + 4096), 0x35);
	/* a new stamp over stored pages stores into them */
	gn_bytes_stamp(&b, 5 * T - 4096, 3 * 4096, 0x11);
	checked(&b);
	assert_int_equal(gn_bytes_get(&b, 5 * T), 0x11);
	assert_int_equal(gn_bytes_get(&b, 5 * T + 100), 9);
	assert_int_equal(gn_bytes_get(&b, 5 * T + 4096), 0x11);
	assert_int_equal(gn_bytes_get(&b, 5 * T + 8192), 0x35);
	/* a stamp of the fill clears, a stamp to the top of 2^64 holds */
	gn_bytes_stamp(&b, 0, 64 * T, 0);
	checked(&b);
	assert_int_equal(gn_bytes_get(&b, 5 * T), 0);
	assert_int_equal(gn_bytes_get(&b, 5 * T + 100), 9);
	assert_int_equal(b.n, 1);
	gn_bytes_stamp(&b, UINT64_MAX - 3 * 4096 + 1, 3 * 4096, 0x22);
	checked(&b);
	assert_int_equal(gn_bytes_get(&b, UINT64_MAX - 4095), 0x22);
	assert_int_equal(gn_bytes_get(&b, UINT64_MAX - 3 * 4096 + 1), 0x22);
	gn_bytes_zero(&b, UINT64_MAX - 8191, 8192);
	checked(&b);
	assert_int_equal(gn_bytes_get(&b, UINT64_MAX - 4095), 0);
	assert_int_equal(gn_bytes_get(&b, UINT64_MAX - 8191), 0);
	assert_int_equal(gn_bytes_get(&b, UINT64_MAX - 3 * 4096 + 1), 0x22);
	gn_bytes_free(&b);
}

/* The top page: a range that starts in it, on its first byte or past
 * it, names that page or none (no wrap to offset 0). */
static void stamp_at_the_top(void **state)
{
	const uint64_t top = UINT64_MAX - 4095;	/* the last page */
	struct gn_bytes b;

	(void)state;
	memset(&b, 0, sizeof(b));
	gn_bytes_stamp(&b, top, 4096, 0x33);
	checked(&b);
	assert_int_equal(gn_bytes_get(&b, top), 0x33);
	/* past the top page's first byte: no page starts there */
	gn_bytes_stamp(&b, top + 1, 4095, 0x44);
	checked(&b);
	assert_int_equal(gn_bytes_get(&b, top), 0x33);
	assert_int_equal(gn_bytes_get(&b, 0), 0);
	gn_bytes_zero(&b, top + 1, 4095);
	assert_int_equal(gn_bytes_get(&b, top), 0x33);
	gn_bytes_stamp(&b, 0, 8192, 0x55);
	gn_bytes_zero(&b, top + 1, 4095);
	assert_int_equal(gn_bytes_get(&b, 0), 0x55);
	assert_int_equal(gn_bytes_get(&b, 4096), 0x55);
	gn_bytes_zero(&b, top, 4096);
	checked(&b);
	assert_int_equal(gn_bytes_get(&b, top), 0);
	assert_int_equal(gn_bytes_get(&b, 0), 0x55);
	gn_bytes_free(&b);
}

/* The checker finds a page both stamped and stored, the page itself and
 * not its neighbour. */
static void check_finds_stamp_over_stored(void **state)
{
	struct gn_bytes b;
	char msg[200];

	(void)state;
	memset(&b, 0, sizeof(b));
	gn_bytes_set(&b, 5 * 4096 + 9, 1);
	gn_bytes_stamp(&b, 7 * 4096, 4096, 2);
	checked(&b);
	/* corrupt it: a stamp over the stored page 5 alone */
	assert_int_equal(iv_union(b.stamps, 5 * 4096, 6 * 4096, 2), 0);
	assert_int_not_equal(gn_bytes_check(&b, msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "page 5 both stamped and stored"));
	gn_bytes_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(random_ops),
		cmocka_unit_test(zero_drops_chunks),
		cmocka_unit_test(fill_background),
		cmocka_unit_test(stamp_is_a_range),
		cmocka_unit_test(stamp_takes_in_first_byte_pages),
		cmocka_unit_test(stamp_at_the_top),
		cmocka_unit_test(check_finds_stamp_over_stored),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
