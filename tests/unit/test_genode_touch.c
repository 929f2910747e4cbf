/*
 * test_genode_touch.c - the Genode target's range touch (--touch all
 * over a component) against the page-by-page stores it stands for: on
 * every built-in policy and every Genode version, the same mappings
 * (holes, read-only parts, a NORESERVE range, a RAM quota that runs out
 * part of the way) are touched once as a range and once a page at a
 * time.  Every page's first and second byte, the pages counted, whether
 * the thread stopped, and the component's faults, RPCs, attachments and
 * quota must agree.  A mapping of 64 TiB touched as a range costs its
 * attachments, not its pages.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "target/tg_genode.h"
#include "rmsim/abi.h"
#include "rmsim/layout.h"

#define PAGE LX_PAGE_SIZE
#define MiB (1ULL << 20)

struct side {
	struct tg_target t;
	struct tg_genode_cfg cfg;
	void *space;
};

static bool open_side(struct side *s, const struct pol_policy *pol,
		      enum gn_version v, uint64_t ram)
{
	memset(s, 0, sizeof(*s));
	gn_default_config(&s->cfg.gn);
	s->cfg.gn.version = v;
	s->cfg.gn.ram_quota = ram;
	s->cfg.gn.cap_quota = 2000;
	s->cfg.pol = pol;
	s->cfg.params = "";
	tg_genode(&s->t, &s->cfg);
	s->space = s->t.space_new(s->t.ctx);
	return s->space != NULL;
}

static int call(struct side *s, enum tr_call c, uint64_t a0, uint64_t a1,
		uint64_t a2, uint64_t a3, uint64_t *out)
{
	struct tg_call rc = {.call = c, .arg = {a0, a1, a2, a3, -1ULL, 0}};
	uint64_t dummy;

	return s->t.call(s->t.ctx, s->space, &rc, out ? out : &dummy);
}

/* What the driver did before targets had a range touch. */
static int64_t touch_pages(struct side *s, uint64_t addr, uint64_t len,
			   uint8_t val, bool first, bool writable,
			   bool *stopped)
{
	uint64_t a;
	int64_t n = 0;
	int prot;

	for (a = addr; a < addr + len && !(first && n); a += PAGE) {
		if (!writable && (s->t.prot(s->t.ctx, s->space, a, &prot) ||
				  !(prot & LX_PROT_WRITE)))
			continue;
		n++;
		if (s->t.store(s->t.ctx, s->space, a, val)) {
			*stopped = true;
			break;
		}
	}
	return n;
}

static void same_component(struct side *a, struct side *b, const char *what)
{
	const struct gn_metrics *x = gn_metrics(tg_genode_ctx(a->space));
	const struct gn_metrics *y = gn_metrics(tg_genode_ctx(b->space));
	unsigned i;

	for (i = 0; i < GN_NRPC; i++)
		if (x->rpc[i] != y->rpc[i])
			fail_msg("%s: %s RPCs %llu, page by page %llu", what,
				 gn_rpc_name((enum gn_rpc)i),
				 (unsigned long long)x->rpc[i],
				 (unsigned long long)y->rpc[i]);
	assert_int_equal(x->faults, y->faults);
	assert_int_equal(x->faults_reflected, y->faults_reflected);
	assert_int_equal(x->faults_stopped, y->faults_stopped);
	assert_int_equal(x->blocked, y->blocked);
	assert_int_equal(x->ram_used, y->ram_used);
	assert_int_equal(x->caps_used, y->caps_used);
	assert_int_equal(x->attachments, y->attachments);
}

static void same_bytes(struct side *a, struct side *b, uint64_t start,
		       uint64_t end, const char *what)
{
	uint64_t p;
	uint8_t x, y;
	int rx, ry, off;

	for (p = start; p < end; p += PAGE)
		for (off = 0; off < 2; off++) {
			rx = a->t.peek(a->t.ctx, a->space, p + off, &x);
			ry = b->t.peek(b->t.ctx, b->space, p + off, &y);
			if (rx != ry || (!rx && x != y))
				fail_msg("%s: byte %#llx: %d/%u, page by page "
					 "%d/%u", what,
					 (unsigned long long)(p + off), rx, x,
					 ry, y);
		}
}

/*
 * One set of mappings, placed by the policy: 1 MiB read-write; 5 MiB
 * read-write whose second and third MiB are made read-only and whose
 * fifth is unmapped again; 8 MiB NORESERVE.  Both sides map the same and
 * get the same addresses.  @r: the three ranges, empty where the policy
 * refused the mmap (a policy that refuses the mprotect or the munmap
 * keeps those pages as they were); how many were made.
 */
static unsigned map_all(struct side *s, uint64_t r[3][2])
{
	const uint64_t rw = LX_PROT_READ | LX_PROT_WRITE;
	const uint64_t anon = LX_MAP_PRIVATE | LX_MAP_ANONYMOUS;
	static const uint64_t size[3] = {1 * MiB, 5 * MiB, 8 * MiB};
	unsigned i, n = 0;

	for (i = 0; i < 3; i++) {
		if (call(s, TR_MMAP, 0, size[i], rw,
			 anon | (i == 2 ? LX_MAP_NORESERVE : 0), &r[i][0])) {
			r[i][0] = r[i][1] = 0;
			continue;
		}
		r[i][1] = r[i][0] + size[i];
		n++;
	}
	if (r[1][1]) {
		call(s, TR_MPROTECT, r[1][0] + 1 * MiB, 2 * MiB, LX_PROT_READ,
		     0, NULL);
		call(s, TR_MUNMAP, r[1][0] + 4 * MiB, 1 * MiB, 0, 0, NULL);
	}
	return n;
}

/* Touch [lo, hi) both ways and compare everything. */
static void both(struct side *r, struct side *p, uint64_t lo, uint64_t hi,
		 uint8_t val, bool first, bool writable, const char *what)
{
	int64_t nr, np;
	bool sr = false, sp = false;

	nr = r->t.touch(r->t.ctx, r->space, lo, hi - lo, val, first,
			writable, &sr);
	np = touch_pages(p, lo, hi - lo, val, first, writable, &sp);
	if (nr != np || sr != sp)
		fail_msg("%s: %lld pages%s, page by page %lld%s", what,
			 (long long)nr, sr ? " (stopped)" : "", (long long)np,
			 sp ? " (stopped)" : "");
	same_component(r, p, what);
}

/* Compare both ways on one component; false if it made no mapping. */
static bool one(const struct pol_policy *pol, enum gn_version v,
		uint64_t ram, bool first)
{
	struct side r, p;
	uint64_t m[3][2], m2[3][2], lo = UINT64_MAX, hi = 0;
	unsigned i, n;
	char what[128];

	snprintf(what, sizeof(what), "%s %s RAM %llu MiB%s", pol->name,
		 gn_version_name(v), (unsigned long long)(ram / MiB),
		 first ? " first" : "");
	if (!open_side(&r, pol, v, ram) || !open_side(&p, pol, v, ram))
		fail_msg("%s: cannot start the component", what);
	n = map_all(&r, m);
	assert_int_equal(map_all(&p, m2), n);
	assert_memory_equal(m, m2, sizeof(m));
	for (i = 0; i < 3; i++) {
		if (!m[i][1])
			continue;
		lo = m[i][0] < lo ? m[i][0] : lo;
		hi = m[i][1] > hi ? m[i][1] : hi;
	}
	/* the whole span when it is small, asking page by page which
	 * pages take a write; else each mapping with the page before and
	 * after it */
	if (n && hi - lo <= 256 * MiB) {
		both(&r, &p, lo, hi, 0x55, first, false, what);
	} else {
		for (i = 0; i < 3; i++)
			if (m[i][1])
				both(&r, &p, m[i][0] - PAGE, m[i][1] + PAGE,
				     0x55, first, false, what);
	}
	for (i = 0; i < 3; i++)
		if (m[i][1])
			same_bytes(&r, &p, m[i][0] - PAGE, m[i][1] + PAGE,
				   what);
	/* parts known to take writes, as after a fresh mprotect */
	if (m[2][1])
		both(&r, &p, m[2][0] + 1 * MiB, m[2][1], 0x77, first, true,
		     what);
	if (m[1][1])
		both(&r, &p, m[1][0], m[1][0] + 1 * MiB, 0x79, first, true,
		     what);
	for (i = 0; i < 3; i++)
		if (m[i][1])
			same_bytes(&r, &p, m[i][0] - PAGE, m[i][1] + PAGE,
				   what);
	r.t.space_free(r.t.ctx, r.space);
	p.t.space_free(p.t.ctx, p.space);
	return n > 0;
}

static void test_range_equals_pages(void **state)
{
	const struct pol_policy *const *pol;
	int v, n = 0;

	(void)state;
	for (pol = pol_builtin(); *pol; pol++) {
		if (!strcmp((*pol)->name, "native"))
			continue;
		for (v = 0; v < GN_NVERSIONS; v++) {
			/* enough RAM, and a quota that ends part of the way */
			n += one(*pol, (enum gn_version)v, 64 * MiB, false);
			one(*pol, (enum gn_version)v, 64 * MiB, true);
			one(*pol, (enum gn_version)v, 6 * MiB, false);
		}
	}
	assert_true(n >= 12);
}

/* 64 TiB NORESERVE, touched whole, on a policy that backs it eagerly
 * and one that backs it chunk by chunk under a small quota. */
static void test_huge_range(void **state)
{
	static const char *const names[] = {"window", "libc", "lazy"};
	const uint64_t size = 64ULL << 40;
	unsigned i;

	(void)state;
	for (i = 0; i < 3; i++) {
		const struct pol_policy *const *pol;
		struct side s;
		uint64_t a;
		int64_t n;
		bool stopped = false;
		uint8_t val;

		for (pol = pol_builtin(); strcmp((*pol)->name, names[i]);
		     pol++)
			;
		assert_true(open_side(&s, *pol, GN_26_02,
				      i < 2 ? size + 64 * MiB : 64 * MiB));
		if (call(&s, TR_MMAP, 0, size, LX_PROT_READ | LX_PROT_WRITE,
			 LX_MAP_PRIVATE | LX_MAP_ANONYMOUS | LX_MAP_NORESERVE,
			 &a)) {
			s.t.space_free(s.t.ctx, s.space);
			continue;
		}
		n = s.t.touch(s.t.ctx, s.space, a, size, 0x42, false, true,
			      &stopped);
		if (i < 2) {
			assert_false(stopped);
			assert_int_equal(n, (int64_t)(size / PAGE));
			assert_int_equal(s.t.peek(s.t.ctx, s.space,
						  a + size - PAGE, &val), 0);
			assert_int_equal(val, 0x42);
		} else {
			/* the quota ends the touch: about 64 MiB of pages */
			assert_true(stopped);
			assert_true(n > 0 && (uint64_t)n < 64 * MiB / PAGE);
		}
		s.t.space_free(s.t.ctx, s.space);
	}
}

/*
 * A hole in env takes no write, on every release: 20.05 queues a fault
 * at env whether or not a handler is there, but nothing would answer
 * it.  Asked page by page, a touch over the hole writes nothing and the
 * thread goes on.
 */
static void test_env_hole(void **state)
{
	const struct pol_policy *const *pol;
	int v;

	(void)state;
	for (pol = pol_builtin(); strcmp((*pol)->name, "window"); pol++)
		;
	for (v = 0; v < GN_NVERSIONS; v++) {
		struct side s;
		uint64_t a = 0x10000;	/* below every area of every layout */
		int prot = 0;
		bool stopped = false;

		assert_true(open_side(&s, *pol, (enum gn_version)v, 64 * MiB));
		assert_int_equal(s.t.prot(s.t.ctx, s.space, a, &prot),
				 -ENOMEM);
		assert_int_equal(s.t.touch(s.t.ctx, s.space, a, 16 * PAGE,
					   0x11, false, false, &stopped), 0);
		assert_false(stopped);
		s.t.space_free(s.t.ctx, s.space);
	}
}

/*
 * The target hands munlock its range: under an 8 MiB RLIMIT_MEMLOCK,
 * 6 MiB locked and unlocked, then 6 MiB elsewhere locked, fits only if
 * the unlock reached the policy whole.
 */
static void test_munlock_through_target(void **state)
{
	const struct pol_policy *const *pol;
	struct side s;
	uint64_t a, b;

	(void)state;
	for (pol = pol_builtin(); strcmp((*pol)->name, "window"); pol++)
		;
	assert_true(open_side(&s, *pol, GN_26_02, 64 * MiB));
	s.t.space_free(s.t.ctx, s.space);
	s.cfg.params = "memlock=8M";
	s.space = s.t.space_new(s.t.ctx);
	assert_non_null(s.space);
	assert_int_equal(call(&s, TR_MMAP, 0, 6 * MiB,
			      LX_PROT_READ | LX_PROT_WRITE,
			      LX_MAP_PRIVATE | LX_MAP_ANONYMOUS, &a), 0);
	assert_int_equal(call(&s, TR_MMAP, 0, 6 * MiB,
			      LX_PROT_READ | LX_PROT_WRITE,
			      LX_MAP_PRIVATE | LX_MAP_ANONYMOUS, &b), 0);
	assert_int_equal(call(&s, TR_MLOCK, a, 6 * MiB, 0, 0, NULL), 0);
	assert_int_equal(call(&s, TR_MUNLOCK, a, 6 * MiB, 0, 0, NULL), 0);
	assert_int_equal(call(&s, TR_MLOCK, b, 6 * MiB, 0, 0, NULL), 0);
	/* and the limit holds: both do not fit */
	assert_int_not_equal(call(&s, TR_MLOCK, a, 6 * MiB, 0, 0, NULL), 0);
	s.t.space_free(s.t.ctx, s.space);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_range_equals_pages),
		cmocka_unit_test(test_huge_range),
		cmocka_unit_test(test_env_hole),
		cmocka_unit_test(test_munlock_through_target),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
