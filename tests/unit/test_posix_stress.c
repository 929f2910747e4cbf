/*
 * test_posix_stress.c - randomized operations on the reference model,
 * checked two ways: px_check() after every single call, and a trivially
 * correct page-array model of a small window that must agree with it on
 * every result, every page's mapping and protection, and every byte.
 *
 * The page-array model knows nothing of VMAs, trees or merging: a page
 * is mapped or not, has a protection, and is either private (its own
 * bytes) or a page of a shared object.  It supports the calls whose
 * page-level effect is simple to state: MAP_FIXED mmap (private and
 * shared anonymous), munmap, mprotect (with Linux's stop-at-the-hole
 * partial effect), MADV_DONTNEED, same-size MREMAP_FIXED moves, loads and
 * stores.  A second phase runs every call, with wild arguments, over a
 * larger space and relies on px_check() alone.
 */
#include "px_test_util.h"
#include "test_rnd.h"

#include <stdlib.h>
#include <string.h>

#define NPG 96		    /* pages in the checked window */
#define WIN (LOW + 64 * PG) /* its start, away from anything else */
#define MAXOBJ 4096

struct rpage {
	bool mapped;
	int prot;
	int obj;       /* 0: private */
	uint64_t opg;  /* page inside obj */
	uint8_t *data; /* private bytes, NULL while all zero */
};

struct robj {
	uint64_t npages;
	uint8_t **pages;
};

struct ref {
	struct rpage pg[NPG];
	struct robj obj[MAXOBJ];
	int nobj;
};

static uint64_t rng_state;

static uint64_t rng(void)
{
	return test_rnd(&rng_state);
}

static uint64_t pick(uint64_t n)
{
	return n ? rng() % n : 0;
}

static void ref_unmap_page(struct rpage *p)
{
	free(p->data);
	memset(p, 0, sizeof(*p));
}

static int ref_new_obj(struct ref *r, uint64_t npages)
{
	struct robj *o;

	assert_true(r->nobj + 1 < MAXOBJ);
	o = &r->obj[++r->nobj];
	o->npages = npages;
	o->pages = calloc(npages, sizeof(*o->pages));
	assert_non_null(o->pages);
	return r->nobj;
}

static uint8_t *ref_bytes(struct ref *r, struct rpage *p, bool create)
{
	uint8_t **slot = p->obj ? &r->obj[p->obj].pages[p->opg] : &p->data;

	if (!*slot && create) {
		*slot = calloc(1, PG);
		assert_non_null(*slot);
	}
	return *slot;
}

static int eff(int prot)
{
	return prot ? prot | R : 0;
}

/* Compare the whole window of the model with the reference. */
static void compare(struct px_space *s, struct ref *r)
{
	for (int i = 0; i < NPG; i++) {
		struct rpage *p = &r->pg[i];
		uint64_t a = WIN + (uint64_t)i * PG;
		int prot = pt_prot(s, a);
		uint8_t *b;

		if (!p->mapped) {
			if (prot != -1)
				fail_msg("page %d mapped in the model only", i);
			continue;
		}
		if (prot != eff(p->prot))
			fail_msg("page %d prot %d, reference %d", i, prot,
				 eff(p->prot));
		if (!(p->prot & (R | W | X)))
			continue;
		b = ref_bytes(r, p, false);
		for (int k = 0; k < 4; k++) {
			unsigned off = (unsigned)pick(PG);
			int want = b ? b[off] : 0;
			uint8_t got;

			assert_int_equal(px_load(s, a + off, &got), 0);
			if (got != want)
				fail_msg("page %d byte %u: %d, reference %d", i,
					 off, got, want);
		}
	}
	pt_check(s);
}

static void op_mmap(struct px_space *s, struct ref *r, uint64_t lo, uint64_t n)
{
	int prot = (int)pick(8), shared = !pick(4), obj = 0;
	uint64_t a;

	assert_int_equal(px_mmap(s, WIN + lo * PG, n * PG, prot,
				 (shared ? SANON : ANON) | FIXED, -1, 0, NULL,
				 &a),
			 0);
	if (shared)
		obj = ref_new_obj(r, n);
	for (uint64_t i = 0; i < n; i++) {
		struct rpage *p = &r->pg[lo + i];

		ref_unmap_page(p);
		p->mapped = true;
		p->prot = prot;
		p->obj = obj;
		p->opg = i;
	}
}

static void op_munmap(struct px_space *s, struct ref *r, uint64_t lo,
		      uint64_t n)
{
	assert_int_equal(px_munmap(s, WIN + lo * PG, n * PG), 0);
	for (uint64_t i = 0; i < n; i++)
		ref_unmap_page(&r->pg[lo + i]);
}

static void op_mprotect(struct px_space *s, struct ref *r, uint64_t lo,
			uint64_t n)
{
	int prot = (int)pick(8), want = 0;
	uint64_t i;

	if (!r->pg[lo].mapped) {
		want = -LX_ENOMEM;
	} else {
		for (i = 0; i < n && r->pg[lo + i].mapped; i++)
			r->pg[lo + i].prot = prot;
		if (i < n)
			want = -LX_ENOMEM;
	}
	assert_int_equal(px_mprotect(s, WIN + lo * PG, n * PG, prot), want);
}

static void op_dontneed(struct px_space *s, struct ref *r, uint64_t lo,
			uint64_t n)
{
	int want = 0;

	for (uint64_t i = 0; i < n; i++) {
		struct rpage *p = &r->pg[lo + i];

		if (!p->mapped) {
			want = -LX_ENOMEM;
			continue;
		}
		if (!p->obj) {
			free(p->data);
			p->data = NULL;
		}
	}
	/* a range running past the last mapping ends the walk at once */
	assert_int_equal(px_madvise(s, WIN + lo * PG, n * PG, LX_MADV_DONTNEED),
			 want);
}

static void op_move(struct px_space *s, struct ref *r, uint64_t lo, uint64_t n)
{
	uint64_t to = pick(NPG - n + 1), a;
	struct rpage tmp[NPG];
	int e;

	e = px_mremap(s, WIN + lo * PG, n * PG, n * PG,
		      LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED, WIN + to * PG, &a);
	if (to < lo + n && lo < to + n) {
		assert_int_equal(e, -LX_EINVAL);
		return;
	}
	if (!r->pg[lo].mapped) {
		assert_int_equal(e, -LX_EFAULT);
		return;
	}
	assert_int_equal(e, 0);
	assert_int_equal(a, WIN + to * PG);
	/* every mapped page moves by the same distance; holes stay holes
	 * and leave the destination alone */
	for (uint64_t i = 0; i < n; i++) {
		tmp[i] = r->pg[lo + i];
		memset(&r->pg[lo + i], 0, sizeof(struct rpage));
	}
	for (uint64_t i = 0; i < n; i++) {
		if (!tmp[i].mapped)
			continue;
		ref_unmap_page(&r->pg[to + i]);
		r->pg[to + i] = tmp[i];
	}
}

static void op_access(struct px_space *s, struct ref *r, uint64_t lo)
{
	struct rpage *p = &r->pg[lo];
	uint64_t a = WIN + lo * PG + pick(PG);
	uint8_t v = (uint8_t)pick(256), got;
	int e;

	if (pick(2)) {
		e = px_store(s, a, v);
		if (!p->mapped || !(p->prot & W)) {
			assert_int_equal(e, -LX_EFAULT);
			return;
		}
		assert_int_equal(e, 0);
		ref_bytes(r, p, true)[a & (PG - 1)] = v;
	} else {
		e = px_load(s, a, &got);
		if (!p->mapped || !(p->prot & (R | W | X))) {
			assert_int_equal(e, -LX_EFAULT);
			return;
		}
		assert_int_equal(e, 0);
		assert_int_equal(got,
				 ref_bytes(r, p, false)
					 ? ref_bytes(r, p, false)[a & (PG - 1)]
					 : 0);
	}
}

static void ref_free(struct ref *r)
{
	for (int i = 0; i < NPG; i++)
		free(r->pg[i].data);
	for (int i = 1; i <= r->nobj; i++) {
		for (uint64_t k = 0; k < r->obj[i].npages; k++)
			free(r->obj[i].pages[k]);
		free(r->obj[i].pages);
	}
	free(r);
}

/* Phase one: the page-array model agrees with px after every step. */
static void test_stress_against_page_array(void **state)
{
	for (uint64_t seed = 1; seed <= 12; seed++) {
		struct px_space *s = pt_new();
		struct ref *r = calloc(1, sizeof(*r));

		(void)state;
		assert_non_null(r);
		rng_state = 0x9e3779b97f4a7c15ULL * seed;
		for (int step = 0; step < 600; step++) {
			uint64_t n = 1 + pick(pick(4) ? 6 : 24);
			uint64_t lo = pick(NPG - n + 1);

			switch (pick(10)) {
			case 0:
			case 1:
				op_mmap(s, r, lo, n);
				break;
			case 2:
				op_munmap(s, r, lo, n);
				break;
			case 3:
				op_mprotect(s, r, lo, n);
				break;
			case 4:
				op_dontneed(s, r, lo, n);
				break;
			case 5:
				op_move(s, r, lo, n);
				break;
			default:
				op_access(s, r, lo);
				break;
			}
			pt_check(s);
			if (step % 8 == 0)
				compare(s, r);
		}
		compare(s, r);
		ref_free(r);
		px_free(s);
	}
}

/* Phase two: everything, with odd arguments, over a larger area; the
 * model must stay consistent whatever the calls return. */
static void test_stress_invariants(void **state)
{
	static const uint64_t lens[] = {
		0,	 1,	     PG, 3 * PG, 17 * PG, 2 * MIB, 2 * MIB + PG,
		4 * MIB, UINT64_MAX, -PG};
	static const int advs[] = {0,  1,  2,  3,   4,	 8,   9,   10, 11, 12,
				   13, 14, 15, 16,  17,	 18,  19,  20, 21, 22,
				   23, 24, 25, 100, 101, 102, 103, 77};

	(void)state;
	for (uint64_t seed = 1; seed <= 6; seed++) {
		struct px_space *s = pt_new(), *c = NULL;

		rng_state = 0x2545f4914f6cdd1dULL * seed;
		for (int step = 0; step < 1500; step++) {
			uint64_t a = LOW + pick(4096) * PG, l, out, v8;
			int prot = (int)pick(8), fl;
			uint8_t v;

			if (!pick(20))
				a += pick(PG);
			l = lens[pick(sizeof(lens) / sizeof(lens[0]))];
			if (pick(3))
				l = pick(64) * PG + pick(2);
			switch (pick(14)) {
			case 0:
			case 1:
				fl = (pick(4) ? ANON : SANON) |
				     (int)(pick(2) ? FIXED : 0) |
				     (int)(pick(8) ? 0 : LX_MAP_LOCKED) |
				     (int)(pick(8) ? 0 : LX_MAP_GROWSDOWN) |
				     (int)(pick(8) ? 0 : LX_MAP_POPULATE);
				(void)px_mmap(s, pick(3) ? a : 0, l, prot, fl,
					      -1, 0, NULL, &out);
				break;
			case 2:
				(void)px_munmap(s, a, l);
				break;
			case 3:
				(void)px_mprotect(s, a, l, prot);
				break;
			case 4:
			case 5:
				(void)px_madvise(s, a, l,
						 advs[pick(sizeof(advs) /
							   sizeof(advs[0]))]);
				break;
			case 6:
				(void)px_mremap(s, a, l, pick(64) * PG,
						(int)pick(8),
						LOW + pick(4096) * PG, &out);
				break;
			case 7:
				(void)px_mlock(s, a, l, (int)pick(2));
				break;
			case 8:
				(void)px_munlock(s, a, l);
				break;
			case 9:
				(void)px_msync(s, a, l, (int)pick(8));
				break;
			case 10:
				(void)px_store(s, a + pick(64 * PG),
					       (uint8_t)pick(256));
				break;
			case 11:
				(void)px_load(s, a + pick(64 * PG), &v);
				(void)px_mincore(s, a, l & 0xfffff, NULL);
				break;
			case 12:
				if (!pick(50)) {
					(void)px_mlockall(s, (int)pick(8));
					(void)px_munlockall(s);
				}
				(void)px_brk(s, pick(2) ? 0 : a, &v8);
				break;
			default:
				if (!c && !pick(20)) {
					c = px_fork(s);
					assert_non_null(c);
					pt_check(c);
				}
				break;
			}
			pt_check(s);
		}
		if (c) {
			pt_check(c);
			px_free(c);
		}
		px_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_stress_against_page_array),
		cmocka_unit_test(test_stress_invariants),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
