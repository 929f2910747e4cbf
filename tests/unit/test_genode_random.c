/*
 * test_genode_random.c - random operations on the Genode model against a
 * plain shadow: two nested region maps of 256 pages, a dozen RAM
 * dataspaces with byte contents, attach at and anywhere, detach, free,
 * stores and loads through env.  The shadow knows page by page what each
 * map holds; after every operation gn_check runs and, every few steps,
 * every page of both maps is compared.  Run for 20.05 (implicit detach
 * frees) and 26.02 (it reserves).
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

#define PG 4096ULL
#define PAGES 256
#define NDS 12
#define MAXPG 8
#define BASE 0x50000000ULL	/* where m0 sits in env */
#define M1_AT 128		/* m1 sits in m0 at this page */
#define M1_PAGES 64		/* as a window of this many pages */

enum { FREE, RAM, RESERVED, MANAGED };

struct spage {
	int kind;
	int ds;			/* RAM */
	unsigned dpage;		/* page in the dataspace */
	unsigned id;		/* attachment identity */
};

struct shadow {
	struct spage m[2][PAGES];
	uint8_t bytes[NDS][MAXPG * PG];
	unsigned npages[NDS];
	bool live[NDS];
	gn_ds_cap cap[NDS];
	unsigned next_id;
};

static uint64_t rng = 0x2545f4914f6cdd1dULL;

static uint64_t rnd(uint64_t n)
{
	return test_rnd(&rng) % n;
}

static void ck(struct gn_ctx *c)
{
	char msg[256];

	if (gn_check(c, msg, sizeof(msg)))
		fail_msg("gn_check: %s", msg);
}

/* The shadow's walk: the byte at env address BASE + @off, or -1. */
static int shadow_load(struct shadow *s, uint64_t off)
{
	unsigned p = (unsigned)(off / PG), map = 0;
	const struct spage *sp = &s->m[0][p];

	if (sp->kind == MANAGED) {
		map = 1;
		p -= M1_AT;
		sp = &s->m[1][p];
	}
	(void)map;
	if (sp->kind != RAM)
		return -1;
	return s->bytes[sp->ds][sp->dpage * PG + off % PG];
}

static void compare(struct gn_ctx *c, struct shadow *s, gn_rm_cap m[2])
{
	struct gn_attachment a;
	unsigned map, p;

	for (map = 0; map < 2; map++)
		for (p = 0; p < PAGES; p++) {
			const struct spage *sp = &s->m[map][p];
			bool in = gn_region_map_lookup(m[map], p * PG, &a);

			assert_int_equal(in, sp->kind != FREE);
			if (!in)
				continue;
			assert_int_equal(a.reserved, sp->kind == RESERVED);
			if (sp->kind == RAM) {
				assert_int_equal(a.ds.id, s->cap[sp->ds].id);
				assert_int_equal(a.offset + p * PG - a.base,
						 sp->dpage * PG);
			}
		}
	for (p = 0; p < PAGES; p++) {
		uint64_t off = p * PG + rnd(PG);
		int want = shadow_load(s, off);
		uint8_t b;
		enum gn_access_result r = gn_load(c, BASE + off, &b);

		if (want < 0) {
			assert_int_not_equal(r, GN_ACCESS_OK);
		} else {
			assert_int_equal(r, GN_ACCESS_OK);
			assert_int_equal(b, want);
		}
	}
	ck(c);
}

/* Remove the attachment containing page @p of map @map. */
static void shadow_detach(struct shadow *s, int map, unsigned p)
{
	unsigned id = s->m[map][p].id, q;

	if (s->m[map][p].kind == FREE)
		return;
	for (q = 0; q < PAGES; q++)
		if (s->m[map][q].kind != FREE && s->m[map][q].id == id)
			memset(&s->m[map][q], 0, sizeof(s->m[map][q]));
}

static void run(enum gn_version v)
{
	struct gn_config cfg;
	struct gn_ctx *c;
	struct gn_rm_connection *s;
	enum gn_session_error se;
	static struct shadow sh;
	gn_rm_cap m[2];
	struct gn_attr a;
	struct gn_range r;
	unsigned step, i;
	bool reserve = v >= GN_24_08;

	memset(&sh, 0, sizeof(sh));
	gn_default_config(&cfg);
	cfg.version = v;
	cfg.ram_quota = 64ULL << 20;
	cfg.cap_quota = 10000;
	c = gn_ctx_new(&cfg);
	s = gn_rm_session_open(gn_env_pd(c), &se);
	gn_rm_upgrade(s, 1 << 20, 1000);
	for (i = 0; i < 2; i++)
		assert_int_equal(gn_rm_create(s, PAGES * PG, &m[i]),
				 GN_ALLOC_OK);
	memset(&a, 0, sizeof(a));
	a.use_at = true;
	a.at = BASE;
	a.writeable = true;
	assert_int_equal(gn_region_map_attach(gn_env_rm(c),
					      gn_region_map_dataspace(m[0]),
					      &a, NULL), GN_ATTACH_OK);
	a.at = M1_AT * PG;
	a.size = M1_PAGES * PG;
	assert_int_equal(gn_region_map_attach(m[0],
					      gn_region_map_dataspace(m[1]),
					      &a, NULL), GN_ATTACH_OK);
	for (i = 0; i < M1_PAGES; i++) {
		sh.m[0][M1_AT + i].kind = MANAGED;
		sh.m[0][M1_AT + i].id = ~0u;
	}
	ck(c);
	for (step = 0; step < 4000; step++) {
		unsigned op = (unsigned)rnd(100), d = (unsigned)rnd(NDS);
		int map = (int)rnd(2);
		unsigned p = (unsigned)rnd(map ? M1_PAGES : PAGES);

		if (op < 10) {
			/* (re)allocate a dataspace */
			if (sh.live[d]) {
				gn_pd_free_ram(gn_env_pd(c), sh.cap[d]);
				goto freed;
			}
			sh.npages[d] = 1 + (unsigned)rnd(MAXPG);
			assert_int_equal(gn_pd_alloc_ram(gn_env_pd(c),
							 sh.npages[d] * PG,
							 &sh.cap[d]),
					 GN_ALLOC_OK);
			sh.live[d] = true;
			memset(sh.bytes[d], 0, sizeof(sh.bytes[d]));
		} else if (op < 18) {
			if (!sh.live[d])
				continue;
			gn_pd_free_ram(gn_env_pd(c), sh.cap[d]);
freed:
			sh.live[d] = false;
			for (map = 0; map < 2; map++)
				for (i = 0; i < PAGES; i++) {
					struct spage *sp = &sh.m[map][i];

					if (sp->kind != RAM || sp->ds != (int)d)
						continue;
					if (reserve)
						sp->kind = RESERVED;
					else
						memset(sp, 0, sizeof(*sp));
				}
		} else if (op < 55) {
			/* attach, at a page or anywhere, maybe a window */
			uint64_t off, size;
			unsigned q, n;
			bool use_at = rnd(2), conflict = false;
			enum gn_attach_error e;

			if (!sh.live[d])
				continue;
			off = rnd(sh.npages[d]);
			size = rnd(2) ? 0 : 1 + rnd(sh.npages[d] - off);
			n = (unsigned)(size ? size : sh.npages[d] - off);
			memset(&a, 0, sizeof(a));
			a.offset = off * PG;
			a.size = size * PG;
			a.writeable = true;
			a.use_at = use_at;
			a.at = p * PG;
			e = gn_region_map_attach(m[map], sh.cap[d], &a, &r);
			ck(c);
			if (use_at) {
				if (p + n > PAGES)
					conflict = true;
				for (q = p; q < p + n && q < PAGES; q++)
					if (sh.m[map][q].kind != FREE)
						conflict = true;
				assert_int_equal(e, conflict
						? GN_ATTACH_REGION_CONFLICT
						: GN_ATTACH_OK);
			}
			if (e != GN_ATTACH_OK) {
				assert_int_equal(e, GN_ATTACH_REGION_CONFLICT);
				continue;
			}
			assert_int_equal(r.num_bytes, n * PG);
			p = (unsigned)(r.start / PG);
			sh.next_id++;
			for (q = 0; q < n; q++) {
				struct spage *sp = &sh.m[map][p + q];

				assert_int_equal(sp->kind, FREE);
				sp->kind = RAM;
				sp->ds = (int)d;
				sp->dpage = (unsigned)off + q;
				sp->id = sh.next_id;
			}
		} else if (op < 75) {
			if (sh.m[map][p].kind == MANAGED)
				continue;
			gn_region_map_detach(m[map], p * PG + rnd(PG));
			shadow_detach(&sh, map, p);
		} else {
			/* a store through env */
			uint64_t o = rnd(PAGES * PG);
			uint8_t b = (uint8_t)rnd(256);
			const struct spage *sp = &sh.m[0][o / PG];
			enum gn_access_result ar;

			if (sp->kind == MANAGED)
				sp = &sh.m[1][o / PG - M1_AT];
			/* 20.05 queues a faulting store without a handler;
			 * a later attach would let it land */
			if (sp->kind != RAM && !reserve)
				continue;
			ar = gn_store(c, BASE + o, b);
			if (sp->kind == RAM) {
				assert_int_equal(ar, GN_ACCESS_OK);
				sh.bytes[sp->ds][sp->dpage * PG + o % PG] = b;
			} else {
				assert_int_not_equal(ar, GN_ACCESS_OK);
			}
		}
		ck(c);
		if (step % 50 == 0)
			compare(c, &sh, m);
	}
	compare(c, &sh, m);
	gn_ctx_free(c);
}

/*
 * The slab as slab.cc has it, walking the ring for a block with a free
 * entry: the model answers the walk from an index and must pick the
 * same entries, so that blocks empty (and their quota returns) exactly
 * when core's do.
 */
struct rblk {
	struct rblk *next, *prev;
	uint64_t used;
	unsigned avail;
	bool initial;
};

struct rslab {
	struct rblk initial, *curr;
	unsigned epb, num;
	uint64_t total;
	bool started;
};

static struct rblk *ref_alloc(struct rslab *s, unsigned *idx)
{
	struct rblk *orig, *b;

	if (!s->started) {
		s->curr = &s->initial;
		s->curr->next = s->curr->prev = s->curr;
		s->curr->avail = s->epb;
		s->curr->initial = true;
		s->total = s->epb;
		s->num = 1;
		s->started = true;
	}
	if (s->total <= 3) {
		b = calloc(1, sizeof(*b));
		b->avail = s->epb;
		b->prev = s->curr;
		b->next = s->curr->next;
		s->curr->next->prev = b;
		s->curr->next = b;
		s->total += s->epb;
		s->num++;
	}
	orig = s->curr;
	for (; s->curr->avail == 0; s->curr = s->curr->next)
		if (s->curr->next == orig)
			break;
	*idx = (unsigned)__builtin_ctzll(~s->curr->used);
	s->curr->used |= 1ULL << *idx;
	s->curr->avail--;
	s->total--;
	return s->curr;
}

static void ref_free(struct rslab *s, struct rblk *b, unsigned idx)
{
	b->used &= ~(1ULL << idx);
	b->avail++;
	s->total++;
	s->curr = b;
	while (s->total > 2ULL * s->epb && s->num > 1 &&
	       s->curr->avail == s->epb) {
		struct rblk *x = s->curr;

		s->curr = s->curr->next;
		x->prev->next = x->next;
		x->next->prev = x->prev;
		s->total -= x->avail;
		s->num--;
		if (!x->initial)
			free(x);
	}
}

static void test_slab_same_as_ring_walk(void **state)
{
	enum { N = 3000 };
	struct gn_account acct = {.ram_limit = UINT64_MAX,
				  .caps_limit = UINT64_MAX};
	static struct gn_slot slots[N];
	static struct rblk *rb[N];
	static unsigned ri[N];
	static bool live[N];
	static struct gn_slab s;
	static struct rslab r;
	char msg[256];
	unsigned i, step, n = 0;
	struct rblk *b, *nb;

	gn_slab_init(&s, 59, 8192, &acct);
	memset(&r, 0, sizeof(r));
	r.epb = 59;
	for (step = 0; step < 200000; step++) {
		/* grow to N, shrink, grow again: blocks come and go */
		unsigned phase = (step / 20000) % 2;

		i = (unsigned)rnd(N);
		if (live[i] && (phase || rnd(3) == 0)) {
			gn_slab_free(&s, slots[i]);
			ref_free(&r, rb[i], ri[i]);
			live[i] = false;
			n--;
		} else if (!live[i] && (!phase || rnd(3) == 0)) {
			assert_int_equal(gn_slab_alloc(&s, &slots[i]),
					 GN_ALLOC_OK);
			rb[i] = ref_alloc(&r, &ri[i]);
			live[i] = true;
			n++;
			assert_int_equal(slots[i].idx, ri[i]);
		}
		assert_int_equal(s.num_blocks, r.num);
		assert_int_equal(s.total_avail, r.total);
		assert_int_equal(s.curr->avail, r.curr->avail);
		assert_int_equal(s.curr->used, r.curr->used);
		if (step % 1000 == 0 && gn_slab_check(&s, n, msg, sizeof(msg)))
			fail_msg("%s", msg);
	}
	assert_int_equal(acct.caps_used, s.charged);
	gn_slab_destroy(&s);
	assert_int_equal(acct.caps_used, 0);
	b = r.curr;
	do {
		nb = b->next;
		if (!b->initial)
			free(b);
		b = nb;
	} while (b != r.curr);
}

static void test_random_2602(void **state)
{
	run(GN_26_02);
}

static void test_random_2005(void **state)
{
	run(GN_20_05);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_2602),
		cmocka_unit_test(test_random_2005),
		cmocka_unit_test(test_slab_same_as_ring_walk),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
