/*
 * libc_fixture.h - a policy running in a fresh modelled component, for
 * the tests of the Genode-libc policies (libc, libc-20.05, go-world): the
 * same set-up sim/replay/target_genode.c makes, plus helpers that look
 * at the component's state, and gn_check after every operation.
 */
#ifndef RMSIM_TEST_LIBC_FIXTURE_H
#define RMSIM_TEST_LIBC_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdlib.h>
#include <string.h>

#include "rmsim/abi.h"
#include "rmsim/genode.h"
#include "rmsim/layout.h"
#include "rmsim/policy.h"
#include "policy/libc_core.h"
#include "test_rnd.h"

#define PG 4096ULL
#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define ANON (LX_MAP_PRIVATE | LX_MAP_ANONYMOUS)
#define FIXED (ANON | LX_MAP_FIXED)
#define RW (LX_PROT_READ | LX_PROT_WRITE)
#define RWX (RW | LX_PROT_EXEC)

struct fx {
	const struct pol_policy *pol;
	struct gn_ctx *gn;
	struct pol_env env;
	void *st;
	/* the component before the policy's init */
	uint64_t ram0, caps0, att0, sessions0, ds0, maps0;
};

static inline void fx_check(const struct fx *f)
{
	char msg[256];

	if (gn_check(f->gn, msg, sizeof(msg)))
		fail_msg("gn_check: %s", msg);
}

/* A component (26.02 or @v, nova-x86_64 or @layout) with @ram quota. */
static inline int fx_open_ex(struct fx *f, const struct pol_policy *pol,
			     const char *params, uint64_t ram,
			     enum gn_version v, const char *layout)
{
	struct gn_config cfg;
	const struct gn_metrics *m;
	int r;

	memset(f, 0, sizeof(*f));
	gn_default_config(&cfg);
	cfg.version = v;
	if (ram)
		cfg.ram_quota = ram;
	if (layout)
		cfg.layout = lay_find(layout);
	f->pol = pol;
	f->gn = gn_ctx_new(&cfg);
	f->env.gn = f->gn;
	f->env.layout = gn_ctx_layout(f->gn);
	f->env.version = gn_ctx_version(f->gn);
	lay_va_range(f->env.layout, gn_version_number(f->env.version),
		     &f->env.va_start, &f->env.va_end);
	m = gn_metrics(f->gn);
	f->ram0 = m->ram_used;
	f->caps0 = m->caps_used;
	f->att0 = m->attachments;
	f->sessions0 = m->rm_sessions;
	f->ds0 = m->dataspaces;
	f->maps0 = m->region_maps;
	r = pol->init(&f->env, params, &f->st);
	fx_check(f);
	return r;
}

static inline void fx_open(struct fx *f, const struct pol_policy *pol,
			   const char *params, uint64_t ram)
{
	assert_int_equal(fx_open_ex(f, pol, params, ram, GN_26_02, NULL), 0);
}

/*
 * fini gives everything back: every dataspace, attachment, map and
 * session.  The quota too, but for what core's own slabs keep of their
 * metadata blocks once they grew (two blocks' worth of free entries
 * stay, slab.cc, and none is released while a detach merges free
 * neighbours): a few pages and a cap each, two for a block of env's own
 * maps, which the PD session's sliced heap charges twice.
 */
static inline void fx_close(struct fx *f)
{
	const struct gn_metrics *m;
	uint64_t lost = 0, lost_ram = 0;
	unsigned p;

	/* 26.02's libc: a Dataspace record its mmap's bzero wiped ends
	 * ~Dataspace_pool's list; it and every older dataspace stay */
	if (f->pol == &pol_libc)
		for (p = 0; p < 2; p++) {
			const struct pol_ma_ds *d =
				((struct pol_lc *)f->st)->pool[p].ds;

			while (d && !d->rec_lost)
				d = d->next;
			for (; d; d = d->next) {
				lost++;
				lost_ram += d->size;
			}
		}
	f->pol->fini(f->st);
	fx_check(f);
	m = gn_metrics(f->gn);
	assert_int_equal(m->dataspaces, f->ds0 + lost);
	assert_int_equal(m->attachments, f->att0 + lost);
	assert_int_equal(m->region_maps, f->maps0);
	assert_int_equal(m->rm_sessions, f->sessions0);
	assert_in_range(m->ram_used, f->ram0 + lost_ram,
			f->ram0 + lost_ram + 128 * 1024);
	assert_in_range(m->caps_used, f->caps0 + lost,
			f->caps0 + lost + 16);
	gn_ctx_free(f->gn);
}

/* the calls, each followed by the model's invariant check */
static inline int fx_mmap(struct fx *f, uint64_t addr, uint64_t len, int prot,
			  int flags, int fd, uint64_t off, uint64_t *out)
{
	uint64_t dummy;
	int r = f->pol->mmap(f->st, addr, len, prot, flags, fd, off,
			     out ? out : &dummy);

	fx_check(f);
	return r;
}

static inline uint64_t fx_anon(struct fx *f, uint64_t len, int prot)
{
	uint64_t a = 0;

	assert_int_equal(fx_mmap(f, 0, len, prot, ANON, -1, 0, &a), 0);
	assert_true(a != 0);
	return a;
}

static inline int fx_munmap(struct fx *f, uint64_t addr, uint64_t len)
{
	int r = f->pol->munmap(f->st, addr, len);

	fx_check(f);
	return r;
}

static inline uint64_t fx_ram(const struct fx *f)
{
	return gn_metrics(f->gn)->ram_used;
}

/* What the component sees at @addr: "---" (fault), "rw-", "rwx", ... */
static inline const char *fx_prot(struct fx *f, uint64_t addr)
{
	static const char *const names[] = {"r--", "rw-", "r-x", "rwx"};
	struct gn_walk w;

	gn_walk(gn_env_rm(f->gn), addr, GN_READ, &w);
	if (w.result != GN_WALK_RESOLVED)
		return "---";
	return names[(w.writeable ? 1 : 0) + (w.executable ? 2 : 0)];
}

/* The attachment of env containing @addr (fails the test if none). */
static inline struct gn_attachment fx_env_att(struct fx *f, uint64_t addr)
{
	struct gn_attachment a;

	assert_true(gn_region_map_lookup(gn_env_rm(f->gn), addr, &a));
	return a;
}

static inline void fx_store(struct fx *f, uint64_t addr, uint8_t v)
{
	assert_int_equal(gn_store(f->gn, addr, v), GN_ACCESS_OK);
	fx_check(f);
}

static inline uint8_t fx_load(struct fx *f, uint64_t addr)
{
	uint8_t v = 0xee;

	assert_int_equal(gn_load(f->gn, addr, &v), GN_ACCESS_OK);
	fx_check(f);
	return v;
}

/*
 * Random calls with odd lengths, hints, flags and fds, addresses taken
 * from earlier results (and off them), and stores into what came back:
 * whatever the policy answers, the model must stay sound.
 */
static inline void fx_random(struct fx *f, uint64_t seed, int steps)
{
	enum { KEEP = 64 };
	static const int prots[] = {0, 1, 3, 5, 7};
	static const int flags[] = {ANON, FIXED,
				    LX_MAP_SHARED | LX_MAP_ANONYMOUS,
				    LX_MAP_PRIVATE, LX_MAP_SHARED,
				    ANON | LX_MAP_FIXED_NOREPLACE};
	uint64_t kept[KEEP] = {0}, a, len, out;
	int i, k;

	for (i = 0; i < steps; i++) {
		uint64_t r = test_rnd(&seed);

		k = (int)(r % KEEP);
		a = kept[(r >> 8) % KEEP];
		if ((r >> 16) % 4 == 0)
			a += ((r >> 20) % 16) * PG;
		len = (r >> 24) % 3 == 0 ? ((r >> 28) % 64 + 1) * PG
					 : (r >> 28) % (256 * KiB);
		switch ((r >> 40) % 8) {
		case 0:
		case 1:
		case 2:
			if (!fx_mmap(f, (r >> 43) % 3 ? 0 : a, len,
				     prots[(r >> 45) % 5],
				     flags[(r >> 48) % 6],
				     (r >> 51) % 4 ? -1 : 3, 0, &out) &&
			    out)
				kept[k] = out;
			break;
		case 3:
		case 4:
			fx_munmap(f, a, len);
			break;
		case 5:
			if (f->pol->madvise)
				f->pol->madvise(f->st, a, len,
						(r >> 43) % 2 ? 4 : 14);
			if (f->pol->mprotect)
				f->pol->mprotect(f->st, a, len, 1);
			if (f->pol->msync)
				f->pol->msync(f->st, a, len, 4);
			fx_check(f);
			break;
		default:
			if (a && !strcmp(fx_prot(f, a), "rw-"))
				fx_store(f, a, (uint8_t)r);
			break;
		}
	}
}

#endif
