/*
 * test_posix_touch.c - the page contents as ranges: px_touch() against
 * px_store() page by page, fork's shared contents against flat shadows,
 * and ranges of tens of TiB that must cost no more than a page.
 *
 * The random tests build the same random history in several spaces (the
 * same seed), then act differently on each and compare every page: its
 * protection, residency (mincore) and first two bytes, and the counters.
 * px_check() runs after every step, so the sharing invariants of the
 * page maps (reference counts, byte totals) are checked throughout.
 */
#include "px_test_util.h"
#include "test_rnd.h"

#include <stdlib.h>
#include <string.h>

#define NPG 64
#define WIN (LOW + 512 * PG)
#define PX_PMD_TEST (2 * MIB)

static uint64_t rng_state;

static uint64_t pick(uint64_t n)
{
	return n ? test_rnd(&rng_state) % n : 0;
}

/* One random step of history over the window, identical in every space
 * given the same draws. */
static void history_step(struct px_space **sp, int n)
{
	uint64_t a = WIN + pick(NPG) * PG, len = (1 + pick(16)) * PG;
	static const int advice[] = {LX_MADV_DONTNEED, LX_MADV_FREE,
				     LX_MADV_GUARD_INSTALL};
	int what = (int)pick(6), prot = (int)pick(2) ? RW : R;
	int adv = advice[pick(3)];
	uint8_t val = (uint8_t)(1 + pick(255));
	uint64_t out, off = pick(PG);
	int flags = (pick(4) ? ANON : SANON) | FIXED;
	int i;

	if (a + len > WIN + NPG * PG)
		len = WIN + NPG * PG - a;
	for (i = 0; i < n; i++) {
		switch (what) {
		case 0:
			px_mmap(sp[i], a, len, prot, flags, -1, 0, NULL, &out);
			break;
		case 1:
			px_mprotect(sp[i], a, len, prot);
			break;
		case 2:
			px_madvise(sp[i], a, len, adv);
			break;
		default:
			px_store(sp[i], a + off, val);
			break;
		}
		pt_check(sp[i]);
	}
}

/* Every page of the window reads the same in both spaces. */
static void same_pages(struct px_space *x, struct px_space *y)
{
	struct px_stats sx, sy;
	uint64_t a;

	px_stats(x, &sx);
	px_stats(y, &sy);
	assert_int_equal(sx.stored, sy.stored);
	assert_int_equal(sx.vmas, sy.vmas);
	for (a = WIN; a < WIN + NPG * PG; a += PG) {
		assert_int_equal(pt_prot(x, a), pt_prot(y, a));
		assert_int_equal(pt_resident(x, a), pt_resident(y, a));
	}
	for (a = WIN; a < WIN + NPG * PG; a += PG) {
		assert_int_equal(pt_load(x, a), pt_load(y, a));
		assert_int_equal(pt_load(x, a + 1), pt_load(y, a + 1));
	}
}

/* px_touch() leaves what px_store() page by page leaves: up to max
 * pages (a random max when max_of is 0). */
static void touch_equals_stores(uint64_t max_of, uint64_t seed)
{
	for (int round = 0; round < 300; round++) {
		struct px_space *sp[2] = {pt_new(), pt_new()};
		uint64_t a, len, pages = 0, stores = 0, max, p;
		uint8_t val = (uint8_t)(round | 1);

		rng_state = seed + round;
		for (int k = 0; k < 40; k++)
			history_step(sp, 2);
		a = WIN + pick(NPG) * PG;
		len = (1 + pick(NPG)) * PG;
		max = pick(4) ? UINT64_MAX : 1 + pick(8);
		if (max_of)
			max = max_of;
		assert_int_equal(px_touch(sp[0], a, len, val, max, &pages), 0);
		pt_check(sp[0]);
		for (p = a; p < a + len && stores < max; p += PG) {
			int prot = pt_prot(sp[1], p);

			if (prot < 0 || !(prot & W))
				continue;
			if (px_store(sp[1], p, val) == 0)
				stores++;
			pt_check(sp[1]);
		}
		assert_int_equal(pages, stores);
		same_pages(sp[0], sp[1]);
		px_free(sp[0]);
		px_free(sp[1]);
	}
}

static void test_touch_equals_stores(void **state)
{
	(void)state;
	touch_equals_stores(0, 0x5eed0000);
}

/* --touch first's one page, which px_touch() stores without its walk
 * when the page at the start takes the store: the same as the walk,
 * whether that page is read-only, unmapped or a guard page. */
static void test_touch_first_equals_store(void **state)
{
	(void)state;
	touch_equals_stores(1, 0xf1a50000);
}

/* Past a shared object's end (SIGBUS) the one-page touch stores
 * nothing, as the walk does; the last page before it takes the store. */
static void test_touch_first_past_end(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, WIN, 2 * PG, RW, SANON | FIXED), n = 9;

	(void)state;
	assert_int_equal(pt_remap(s, a, 2 * PG, 4 * PG, LX_MREMAP_MAYMOVE, 0),
			 a);
	assert_int_equal(px_touch(s, a + 2 * PG, 2 * PG, 5, 1, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(pt_load(s, a + 2 * PG), -LX_EIO);
	assert_int_equal(px_touch(s, a + PG, 3 * PG, 5, 1, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(pt_load(s, a + PG), 5);
	pt_check(s);
	px_free(s);
}

static void thp_always(struct px_config *c)
{
	c->thp = true;
	c->thp_enabled = PX_THP_ALWAYS;
}

/* A touch that starts and ends inside huge-page ranges maps them whole
 * where a store would: before its start and after its end too. */
static void test_touch_thp_edges(void **state)
{
	struct px_space *sp[2] = {pt_new_cfg(thp_always),
				  pt_new_cfg(thp_always)};
	uint64_t base = 0x40000000, a, n, i;

	(void)state;
	for (i = 0; i < 2; i++)
		pt_map(sp[i], base, 3 * PX_PMD_TEST, RW, ANON | FIXED);
	a = base + PX_PMD_TEST - 2 * PG;
	assert_int_equal(px_touch(sp[0], a, PX_PMD_TEST, 5, UINT64_MAX, &n),
			 0);
	for (i = 0; i < PX_PMD_TEST / PG; i++)
		pt_store(sp[1], a + i * PG, 5);
	for (i = 0; i < 3 * PX_PMD_TEST; i += PG)
		assert_int_equal(pt_resident(sp[0], base + i),
				 pt_resident(sp[1], base + i));
	assert_int_equal(pt_resident(sp[0], base), 1);
	assert_int_equal(pt_resident(sp[0], base + 3 * PX_PMD_TEST - PG), 0);
	same_pages(sp[0], sp[1]);
	px_free(sp[0]);
	px_free(sp[1]);
}

/*
 * fork shares contents: parent and children written at random after
 * the fork each read back exactly their own flat shadow.
 */
#define KIDS 6
static void test_fork_shared_contents(void **state)
{
	static uint8_t shadow[KIDS + 1][NPG];
	struct px_space *sp[KIDS + 1];
	uint64_t base;
	int i, k, p;

	(void)state;
	rng_state = 0xf04c;
	sp[0] = pt_new();
	base = pt_map(sp[0], WIN, NPG * PG, RW, ANON | FIXED);
	memset(shadow, 0, sizeof(shadow));
	for (p = 0; p < NPG; p += 2) {
		shadow[0][p] = (uint8_t)(p + 1);
		pt_store(sp[0], base + p * PG, shadow[0][p]);
	}
	for (k = 1; k <= KIDS; k++) {
		/* each child forks from a random earlier process */
		int from = (int)pick(k);

		sp[k] = px_fork(sp[from]);
		assert_non_null(sp[k]);
		pt_check(sp[k]);
		pt_check(sp[from]);
		memcpy(shadow[k], shadow[from], NPG);
		for (i = 0; i < 20; i++) {
			int who = (int)pick(k + 1);
			uint8_t v = (uint8_t)pick(256);

			p = (int)pick(NPG);
			if (pick(3)) {
				pt_store(sp[who], base + p * PG, v);
				shadow[who][p] = v;
			} else {
				uint64_t n;

				/* a range written with one byte */
				int e = (int)(p + pick(NPG - p)) + 1;

				assert_int_equal(px_touch(sp[who], base + p * PG,
							  (uint64_t)(e - p) * PG,
							  v, UINT64_MAX, &n),
						 0);
				assert_int_equal(n, e - p);
				memset(shadow[who] + p, v, e - p);
				pt_check(sp[who]);
			}
		}
		for (i = 0; i <= k; i++)
			for (p = 0; p < NPG; p++)
				assert_int_equal(pt_load(sp[i], base + p * PG),
						 shadow[i][p]);
	}
	for (k = KIDS; k >= 0; k--) {
		px_free(sp[k]);
		for (i = 0; i < k; i++)
			pt_check(sp[i]);
	}
}

/* A 64 TiB range written by one touch is one extent, not 2^34 pages. */
static void test_touch_64tib(void **state)
{
	struct px_space *s = pt_new(), *c;
	uint64_t size = 64ULL << 40, a, n;
	struct px_stats st;

	(void)state;
	a = pt_map(s, 0, size, RW, ANON | LX_MAP_NORESERVE);
	assert_int_equal(px_touch(s, a, size, 7, UINT64_MAX, &n), 0);
	assert_int_equal(n, size / PG);
	pt_check(s);
	px_stats(s, &st);
	assert_int_equal(st.stored, size / PG);
	assert_int_equal(pt_load(s, a + size - PG), 7);
	assert_int_equal(pt_load(s, a + size / 2 + 1), 0);
	/* a write in the middle of a child splits its copy, not the parent */
	c = px_fork(s);
	pt_store(c, a + size / 2, 9);
	assert_int_equal(pt_load(c, a + size / 2), 9);
	assert_int_equal(pt_load(s, a + size / 2), 7);
	assert_int_equal(pt_load(c, a + size / 2 + PG), 7);
	pt_check(c);
	pt_check(s);
	px_free(c);
	px_free(s);
}

/*
 * A page with many bytes written (more than a sparse page holds) reads
 * back every byte, stays consistent, and counts its bytes as stored;
 * clearing them again brings the count back to nothing.
 */
static void test_dense_page(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, 2 * PG, RW, ANON);
	uint8_t v;
	unsigned i;

	(void)state;
	for (i = 0; i < PG; i += 2) {
		OK(s, px_store(s, a + i, (uint8_t)(i * 7 + 1)));
		if (i % 512 == 0)
			pt_check(s);
	}
	pt_check(s);
	for (i = 0; i < PG; i++) {
		OK(s, px_load(s, a + i, &v));
		assert_int_equal(v, i % 2 ? 0 : (uint8_t)(i * 7 + 1));
	}
	OK(s, px_load(s, a + PG, &v));
	assert_int_equal(v, 0);
	for (i = 0; i < PG; i += 2)
		OK(s, px_store(s, a + i, 0));
	pt_check(s);
	for (i = 0; i < PG; i += 97) {
		OK(s, px_load(s, a + i, &v));
		assert_int_equal(v, 0);
	}
	px_free(s);
}

/*
 * A sparse page (fewer bytes than the dense form) keeps its bytes sorted
 * by offset: clearing one in the middle moves the later ones down, each
 * with its own value.
 */
static void test_sparse_page_clear(void **state)
{
	struct px_space *s = pt_new();
	uint64_t a = pt_map(s, 0, PG, RW, ANON);
	uint8_t v;
	unsigned i;

	(void)state;
	for (i = 0; i < 8; i++)
		OK(s, px_store(s, a + 100 * i, (uint8_t)(i + 1)));
	OK(s, px_store(s, a + 300, 0));
	OK(s, px_store(s, a + 0, 0));
	pt_check(s);
	for (i = 0; i < 8; i++) {
		OK(s, px_load(s, a + 100 * i, &v));
		assert_int_equal(v, i == 0 || i == 3 ? 0 : i + 1);
	}
	px_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_touch_equals_stores),
		cmocka_unit_test(test_touch_first_equals_store),
		cmocka_unit_test(test_touch_first_past_end),
		cmocka_unit_test(test_touch_thp_edges),
		cmocka_unit_test(test_fork_shared_contents),
		cmocka_unit_test(test_touch_64tib),
		cmocka_unit_test(test_dense_page),
		cmocka_unit_test(test_sparse_page_clear),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
