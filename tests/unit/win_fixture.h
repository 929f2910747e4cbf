/*
 * win_fixture.h - the `window` and `lazy` policies in a fresh modelled
 * component, for their unit tests: the set-up sim/replay/target_genode.c
 * makes, call wrappers that run gn_check() and the policy's own checker
 * after every operation, and what a test asks of the component (the
 * rights a page has through env, loads and stores, quota used), plus a
 * randomised comparison with the Linux reference model.
 */
#ifndef RMSIM_TEST_WIN_FIXTURE_H
#define RMSIM_TEST_WIN_FIXTURE_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "policy/win_setup.h"
#include "posix/px_internal.h"
#include "rmsim/abi.h"
#include "rmsim/genode.h"
#include "rmsim/layout.h"
#include "rmsim/policy.h"
#include "rmsim/posix.h"

#define PG 4096ULL
#define KiB (1ULL << 10)
#define MiB (1ULL << 20)
#define GiB (1ULL << 30)
#define NONE LX_PROT_NONE
#define R LX_PROT_READ
#define W LX_PROT_WRITE
#define X LX_PROT_EXEC
#define RW (R | W)
#define RX (R | X)
#define RWX (R | W | X)
#define ANON (LX_MAP_PRIVATE | LX_MAP_ANONYMOUS)
#define SANON (LX_MAP_SHARED | LX_MAP_ANONYMOUS)
#define FIXED (ANON | LX_MAP_FIXED)
#define NOREPLACE (ANON | LX_MAP_FIXED_NOREPLACE)
#define GO_HINT 0xc000000000ULL

struct wfx {
	const struct pol_policy *pol;
	struct gn_ctx *gn;
	struct pol_env env;
	void *st;
	uint64_t ram0, caps0;	/* after init */
};

/* The C bookkeeping behind the policy's state: the state itself for
 * `window` and `lazy`, the instance's for their Genode C++ ports. */
static inline void *wfx_core(const struct wfx *f)
{
	if (f->pol == &pol_window_genode || f->pol == &pol_lazy_genode)
		return pol_genode_core(f->st);
	return f->st;
}

static inline void wfx_check(const struct wfx *f)
{
	char msg[256];

	if (gn_check(f->gn, msg, sizeof(msg)))
		fail_msg("gn_check: %s", msg);
	if (f->st && wc_check(wfx_core(f), msg, sizeof(msg)))
		fail_msg("wc_check: %s", msg);
}

/* A component (version v, layout, RAM and caps; 0 for the defaults)
 * with the policy initialised in it as the Genode target does. */
static inline int wfx_open_ex(struct wfx *f, const struct pol_policy *pol,
			      const char *params, enum gn_version v,
			      const char *layout, uint64_t ram, uint64_t caps)
{
	struct gn_config cfg;
	int r;

	memset(f, 0, sizeof(*f));
	gn_default_config(&cfg);
	cfg.version = v;
	cfg.ram_quota = ram ? ram : 2 * GiB;
	cfg.cap_quota = caps ? caps : 20000;
	if (layout)
		cfg.layout = lay_find(layout);
	f->pol = pol;
	f->gn = gn_ctx_new(&cfg);
	assert_non_null(f->gn);
	f->env.gn = f->gn;
	f->env.layout = gn_ctx_layout(f->gn);
	f->env.version = gn_ctx_version(f->gn);
	lay_va_range(f->env.layout, gn_version_number(f->env.version),
		     &f->env.va_start, &f->env.va_end);
	r = pol->init(&f->env, params, &f->st);
	if (r)
		f->st = NULL;
	wfx_check(f);
	f->ram0 = gn_metrics(f->gn)->ram_used;
	f->caps0 = gn_metrics(f->gn)->caps_used;
	return r;
}

static inline void wfx_open(struct wfx *f, const struct pol_policy *pol,
			    const char *layout)
{
	assert_int_equal(wfx_open_ex(f, pol, "", GN_VERSION_DEFAULT, layout,
				     0, 0),
			 0);
}

static inline void wfx_close(struct wfx *f)
{
	if (f->st)
		f->pol->fini(f->st);
	f->st = NULL;
	wfx_check(f);
	gn_ctx_free(f->gn);
}

static inline uint64_t wfx_base(const struct wfx *f)
{
	uint64_t b, t;

	wc_window(wfx_core(f), &b, &t);
	return b;
}

static inline uint64_t wfx_top(const struct wfx *f)
{
	uint64_t b, t;

	wc_window(wfx_core(f), &b, &t);
	return t;
}

/* RAM quota the policy uses beyond its set-up. */
static inline uint64_t wfx_ram(const struct wfx *f)
{
	return gn_metrics(f->gn)->ram_used - f->ram0;
}

static inline uint64_t wfx_rpc(const struct wfx *f, enum gn_rpc r)
{
	return gn_metrics(f->gn)->rpc[r];
}

/* ---- calls: the result, checks after each ---- */

static inline int wmmap(struct wfx *f, uint64_t addr, uint64_t len, int prot,
			int flags, uint64_t *out)
{
	uint64_t dummy;
	int r = f->pol->mmap(f->st, addr, len, prot, flags, -1, 0,
			     out ? out : &dummy);

	wfx_check(f);
	return r;
}

/* mmap that must succeed; returns the address */
static inline uint64_t wmap(struct wfx *f, uint64_t addr, uint64_t len,
			    int prot, int flags)
{
	uint64_t a = 0;

	assert_int_equal(wmmap(f, addr, len, prot, flags, &a), 0);
	return a;
}

static inline int wunmap(struct wfx *f, uint64_t addr, uint64_t len)
{
	int r = f->pol->munmap(f->st, addr, len);

	wfx_check(f);
	return r;
}

static inline int wprot(struct wfx *f, uint64_t addr, uint64_t len, int prot)
{
	int r = f->pol->mprotect(f->st, addr, len, prot);

	wfx_check(f);
	return r;
}

static inline int wadv(struct wfx *f, uint64_t addr, uint64_t len, int adv)
{
	int r = f->pol->madvise(f->st, addr, len, adv);

	wfx_check(f);
	return r;
}

static inline int wremap(struct wfx *f, uint64_t addr, uint64_t olen,
			 uint64_t nlen, int flags, uint64_t naddr,
			 uint64_t *out)
{
	uint64_t dummy;
	int r = f->pol->mremap(f->st, addr, olen, nlen, flags, naddr,
			       out ? out : &dummy);

	wfx_check(f);
	return r;
}

/* ---- the component's view ---- */

/*
 * The access a page grants through env as PROT_* bits: what resolves,
 * or for a page a fault handler will populate (lazy), the rights along
 * the path to it; -1 when any access stops the thread.
 */
static inline int wrights(const struct wfx *f, uint64_t addr)
{
	struct gn_walk w;
	bool wr = true, x = true;
	unsigned i;

	gn_walk(gn_env_rm(f->gn), addr, GN_READ, &w);
	if (w.result == GN_WALK_RESOLVED)
		return R | (w.writeable ? W : 0) | (w.executable ? X : 0);
	if (w.result != GN_WALK_NO_REGION || !w.queued)
		return -1;
	for (i = 0; i < w.nsteps; i++)
		if (w.step[i].found) {
			wr = wr && w.step[i].att.writeable;
			x = x && w.step[i].att.executable;
		}
	return R | (wr ? W : 0) | (x ? X : 0);
}

/* Is the page backed by RAM right now (no fault needed)? */
static inline bool wbacked(const struct wfx *f, uint64_t addr)
{
	struct gn_walk w;

	gn_walk(gn_env_rm(f->gn), addr, GN_READ, &w);
	return w.result == GN_WALK_RESOLVED;
}

/* What backs a page: its dataspace's id and the offset in it (0 and
 * false when nothing resolves it). */
static inline bool wds(const struct wfx *f, uint64_t addr, uint64_t *id,
		       uint64_t *off)
{
	struct gn_walk w;

	gn_walk(gn_env_rm(f->gn), addr, GN_READ, &w);
	*id = w.result == GN_WALK_RESOLVED ? w.ds.id : 0;
	*off = w.result == GN_WALK_RESOLVED ? w.ds_offset : 0;
	return w.result == GN_WALK_RESOLVED;
}

/* A load: the byte, or -1 when the thread blocks or is stopped. */
static inline int wload(const struct wfx *f, uint64_t addr)
{
	uint8_t v = 0;
	enum gn_access_result r = gn_load(f->gn, addr, &v);

	wfx_check(f);
	return r == GN_ACCESS_OK ? v : -1;
}

static inline enum gn_access_result wload_r(const struct wfx *f,
					    uint64_t addr)
{
	uint8_t v;
	enum gn_access_result r = gn_load(f->gn, addr, &v);

	wfx_check(f);
	return r;
}

static inline int wstore(const struct wfx *f, uint64_t addr, uint8_t v)
{
	enum gn_access_result r = gn_store(f->gn, addr, v);

	wfx_check(f);
	return r == GN_ACCESS_OK ? 0 : -1;
}

static inline enum gn_access_result wstore_r(const struct wfx *f,
					     uint64_t addr, uint8_t v)
{
	enum gn_access_result r = gn_store(f->gn, addr, v);

	wfx_check(f);
	return r;
}

/* ---- the randomised comparison with the reference model ---- */

static inline uint64_t wrand(uint64_t *s)
{
	/* xorshift64*: the same sequence everywhere */
	*s ^= *s >> 12;
	*s ^= *s << 25;
	*s ^= *s >> 27;
	return *s * 0x2545f4914f6cdd1dULL;
}

/* The access Linux grants a page, the way Genode can express it:
 * write implies read, exec implies read; -1 for none. */
static inline int px_rights(struct px_space *s, uint64_t addr)
{
	int p;

	if (px_prot(s, addr, &p) || !p)
		return -1;
	if (px_load(s, addr, &(uint8_t){0}))
		return -1;	/* a guard page, or past a shared object */
	return R | (p & W) | (p & X);
}

#define DIFF_PAGES 48
/* calls reach up to 8 pages past the last start */
#define DIFF_SPAN (DIFF_PAGES + 16)

/* Do both sides split [P, +DIFF_SPAN pages) into the same VMAs, with
 * anon_vma identities shared the same way? */
static inline bool wfx_same_vmas(struct px_space *px, uint64_t P,
				 const struct wfx *f, uint64_t B)
{
	const struct wc *w = wfx_core(f);
	struct px_vma_info vi;
	struct wc_vma *v = wc_vma_find(w, B);
	uint64_t a = P, pa[DIFF_SPAN], wa[DIFF_SPAN];
	size_t n = 0, i, j;

	while (px_find(px, a, &vi) && vi.start < P + DIFF_SPAN * PG) {
		if (!v || v->n.start - B != vi.start - P ||
		    v->n.end - B != vi.end - P || n == DIFF_SPAN)
			return false;
		pa[n] = pxt_find(&px->tree, vi.start)->anon;
		wa[n++] = v->anon;
		a = vi.end;
		v = wc_vma_next(v);
	}
	if (v && v->n.start < B + DIFF_SPAN * PG)
		return false;
	for (i = 0; i < n; i++) {
		if (!pa[i] != !wa[i])
			return false;
		for (j = 0; j < i; j++)
			if ((pa[i] && pa[i] == pa[j]) !=
			    (wa[i] && wa[i] == wa[j]))
				return false;
	}
	return true;
}

/* Both sides' VMAs over the compared range, for a failure's message. */
static inline void wfx_dump(struct px_space *px, uint64_t P,
			    const struct wfx *f, uint64_t B)
{
	const struct wc *w = wfx_core(f);
	struct px_vma_info vi;
	struct wc_vma *v;
	uint64_t a = P;

	while (px_find(px, a, &vi) && vi.start < P + DIFF_SPAN * PG) {
		struct px_vma *pv = pxt_find(&px->tree, vi.start);

		fprintf(stderr, "  ref [+%#llx, +%#llx) flags %#x anon %llu\n",
			(unsigned long long)(vi.start - P),
			(unsigned long long)(vi.end - P), pv->flags,
			(unsigned long long)pv->anon);
		a = vi.end;
	}
	for (v = wc_vma_find(w, B); v && v->n.start < B + DIFF_SPAN * PG;
	     v = wc_vma_next(v))
		fprintf(stderr, "  pol [+%#llx, +%#llx) flags %#x anon %llu\n",
			(unsigned long long)(v->n.start - B),
			(unsigned long long)(v->n.end - B), v->flags,
			(unsigned long long)v->anon);
}

/* How many random sequences: @n, or RMSIM_STRESS for a longer soak. */
static inline uint64_t wfx_stress(uint64_t n)
{
	const char *e = getenv("RMSIM_STRESS");

	return e && atoi(e) > 0 ? (uint64_t)atoi(e) : n;
}

/*
 * Run @steps random calls on [P, P + DIFF_PAGES pages) of the reference
 * and the same offsets of the policy's window, and compare results, the
 * rights of every page and a byte of every readable page after each.
 * Linux hands out anon_vma identities on write faults, so every page a
 * call makes writable is written at once on both sides (what the replay's
 * touch model does too).
 */
static inline void wfx_differential(const struct pol_policy *pol,
				    uint64_t seed, unsigned steps,
				    const char *params)
{
	struct px_config cfg;
	struct px_space *px;
	struct wfx f;
	uint64_t P = 0x100000000ULL, B, rnd = seed | 1;
	unsigned i, step;

	px_default_config(&cfg);
	cfg.cap_ipc_lock = true;	/* Genode has no RLIMIT_MEMLOCK */
	px = px_new(&cfg);
	assert_int_equal(wfx_open_ex(&f, pol, params, GN_VERSION_DEFAULT,
				     NULL, 0, 0),
			 0);
	B = wfx_base(&f) + 64 * MiB;
	for (step = 0; step < steps; step++) {
		uint64_t r = wrand(&rnd);
		uint64_t off = (r % DIFF_PAGES) * PG;
		uint64_t len = (1 + (r >> 8) % 8) * PG;
		uint64_t off2 = ((r >> 16) % DIFF_PAGES) * PG;
		uint64_t pv = 0, wv = 0;
		int prots[] = {NONE, R, RW, RX, RWX, W};
		int prot = prots[(r >> 24) % 6];
		int op = (int)((r >> 32) % 14), pr = 0, wr = 0;
		int advs[] = {LX_MADV_DONTNEED, LX_MADV_FREE,
			      LX_MADV_NORMAL, LX_MADV_HUGEPAGE,
			      LX_MADV_GUARD_INSTALL, LX_MADV_GUARD_REMOVE,
			      LX_MADV_REMOVE, LX_MADV_POPULATE_WRITE,
			      LX_MADV_WIPEONFORK, LX_MADV_POPULATE_READ};
		int adv = advs[(r >> 40) % 10];
		char what[128];

		switch (op) {
		case 0:
		case 1:
		case 2: {
			int fl = ((r >> 44) & 3) == 0 ? SANON : ANON;

			fl |= ((r >> 46) & 1) ? LX_MAP_FIXED
					       : LX_MAP_FIXED_NOREPLACE;
			pr = px_mmap(px, P + off, len, prot, fl, -1, 0, NULL,
				     &pv);
			wr = pol->mmap(f.st, B + off, len, prot, fl, -1, 0,
				       &wv);
			snprintf(what, sizeof(what), "mmap +%#llx %#llx %d %#x",
				 (unsigned long long)off,
				 (unsigned long long)len, prot, fl);
			if (!pr && !wr && pv - P != wv - B)
				fail_msg("seed %llu step %u: %s: at +%#llx, "
					 "reference +%#llx",
					 (unsigned long long)seed, step, what,
					 (unsigned long long)(wv - B),
					 (unsigned long long)(pv - P));
			break;
		}
		case 3:
			pr = px_munmap(px, P + off, len);
			wr = pol->munmap(f.st, B + off, len);
			snprintf(what, sizeof(what), "munmap +%#llx %#llx",
				 (unsigned long long)off,
				 (unsigned long long)len);
			break;
		case 4:
		case 5:
			pr = px_mprotect(px, P + off, len, prot);
			wr = pol->mprotect(f.st, B + off, len, prot);
			snprintf(what, sizeof(what), "mprotect +%#llx %#llx %d",
				 (unsigned long long)off,
				 (unsigned long long)len, prot);
			break;
		case 6:
		case 7:
			pr = px_madvise(px, P + off, len, adv);
			wr = pol->madvise(f.st, B + off, len, adv);
			snprintf(what, sizeof(what), "madvise +%#llx %#llx %d",
				 (unsigned long long)off,
				 (unsigned long long)len, adv);
			break;
		case 8: {
			/* in place: grow or shrink */
			uint64_t nlen = (1 + (r >> 48) % 8) * PG;

			pr = px_mremap(px, P + off, len, nlen, 0, 0, &pv);
			wr = pol->mremap(f.st, B + off, len, nlen, 0, 0, &wv);
			snprintf(what, sizeof(what),
				 "mremap +%#llx %#llx %#llx",
				 (unsigned long long)off,
				 (unsigned long long)len,
				 (unsigned long long)nlen);
			if (!pr && !wr && pv - P != wv - B)
				fail_msg("seed %llu step %u: %s: at +%#llx, "
					 "reference +%#llx",
					 (unsigned long long)seed, step, what,
					 (unsigned long long)(wv - B),
					 (unsigned long long)(pv - P));
			break;
		}
		case 9: {
			/* a move to a fixed place, possibly resized */
			uint64_t nlen = ((r >> 48) & 1)
						? len
						: (1 + (r >> 49) % 8) * PG;
			int fl = LX_MREMAP_MAYMOVE | LX_MREMAP_FIXED;

			if ((r >> 52) % 4 == 0 && nlen == len)
				fl |= LX_MREMAP_DONTUNMAP;
			if (off2 + nlen > DIFF_PAGES * PG)
				off2 = DIFF_PAGES * PG - nlen;
			pr = px_mremap(px, P + off, len, nlen, fl, P + off2,
				       &pv);
			wr = pol->mremap(f.st, B + off, len, nlen, fl, B + off2,
					 &wv);
			snprintf(what, sizeof(what),
				 "mremap +%#llx %#llx -> +%#llx %#llx %#x",
				 (unsigned long long)off,
				 (unsigned long long)len,
				 (unsigned long long)off2,
				 (unsigned long long)nlen, fl);
			if (!pr && !wr && pv - P != wv - B)
				fail_msg("seed %llu step %u: %s: at +%#llx, "
					 "reference +%#llx",
					 (unsigned long long)seed, step, what,
					 (unsigned long long)(wv - B),
					 (unsigned long long)(pv - P));
			break;
		}
		case 10:
			pr = px_mlock(px, P + off, len, 0);
			wr = pol->mlock(f.st, B + off, len, 0);
			snprintf(what, sizeof(what), "mlock +%#llx %#llx",
				 (unsigned long long)off,
				 (unsigned long long)len);
			break;
		case 11:
			pr = px_munlock(px, P + off, len);
			wr = pol->munlock(f.st, B + off, len);
			snprintf(what, sizeof(what), "munlock +%#llx %#llx",
				 (unsigned long long)off,
				 (unsigned long long)len);
			break;
		case 12:
			pr = px_msync(px, P + off, len, LX_MS_INVALIDATE);
			wr = pol->msync(f.st, B + off, len, LX_MS_INVALIDATE);
			snprintf(what, sizeof(what), "msync +%#llx %#llx",
				 (unsigned long long)off,
				 (unsigned long long)len);
			break;
		default: {
			/* a store where both allow one */
			uint8_t v = (uint8_t)(r >> 40) | 1;

			pr = px_store(px, P + off, v);
			if (pr == -LX_EIO)
				pr = -LX_EFAULT; /* SIGBUS: a fault too */
			wr = gn_store(f.gn, B + off, v) == GN_ACCESS_OK
				     ? 0
				     : -LX_EFAULT;
			snprintf(what, sizeof(what), "store +%#llx",
				 (unsigned long long)off);
			break;
		}
		}
		if (getenv("RMSIM_TRACE") &&
		    (uint64_t)atoll(getenv("RMSIM_TRACE")) == seed)
			fprintf(stderr, "%u: %s = %d\n", step, what, pr);
		if (pr != wr)
			wfx_dump(px, P, &f, B);
		if (pr != wr)
			fail_msg("seed %llu step %u: %s: reference %d, "
				 "policy %d",
				 (unsigned long long)seed, step, what, pr, wr);
		{
			char msg[256];

			if (wc_check(wfx_core(&f), msg, sizeof(msg)) ||
			    gn_check(f.gn, msg, sizeof(msg)))
				fail_msg("seed %llu step %u: %s: %s",
					 (unsigned long long)seed, step, what,
					 msg);
		}
		/* write what became writable, as the program would */
		if (op <= 5 || op == 8 || op == 9)
			for (i = 0; i < DIFF_SPAN; i++) {
				int pp;

				if (px_prot(px, P + i * PG, &pp) ||
				    !(pp & W) || px_rights(px, P + i * PG) < 0)
					continue;
				if (px_store(px, P + i * PG + 7, (uint8_t)step))
					continue;
				if (gn_store(f.gn, B + i * PG + 7,
					     (uint8_t)step) != GN_ACCESS_OK)
					fail_msg("seed %llu step %u: %s: page "
						 "+%#x not writable",
						 (unsigned long long)seed, step,
						 what, (unsigned)(i * PG));
			}
		if (!wfx_same_vmas(px, P, &f, B)) {
			wfx_dump(px, P, &f, B);
			fail_msg("seed %llu step %u: %s: VMAs differ",
				 (unsigned long long)seed, step, what);
		}
		for (i = 0; i < DIFF_SPAN; i++) {
			int a = px_rights(px, P + i * PG);
			int b = wrights(&f, B + i * PG);
			uint8_t va = 0, vb = 0;

			if (a != b)
				fail_msg("seed %llu step %u: %s: page +%#x: "
					 "reference %d, policy %d",
					 (unsigned long long)seed, step, what,
					 (unsigned)(i * PG), a, b);
			if (a < 0)
				continue;
			px_load(px, P + i * PG + 7, &va);
			if (gn_load(f.gn, B + i * PG + 7, &vb) !=
				    GN_ACCESS_OK ||
			    va != vb)
				fail_msg("seed %llu step %u: %s: page +%#x "
					 "reads %u, reference %u",
					 (unsigned long long)seed, step, what,
					 (unsigned)(i * PG), vb, va);
		}
		wfx_check(&f);
	}
	px_free(px);
	wfx_close(&f);
}

#endif
