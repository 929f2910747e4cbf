/*
 * win_setup.c - starting `window` and `lazy` in the simulator: their
 * parameters, where the window goes, which Genode features the model's
 * version offers, and the C backend (win_gn.c).
 *
 * ALGORITHM
 *
 * The window is `base` and `size` when given; without `size`, up to the
 * end of the free range of env containing `base`; without either, the
 * largest free range of env inside the layout's address range, 2 MiB
 * aligned when that leaves room.  `lazy` commits eagerly on base-linux,
 * which reflects no faults, and shows its second map through views only
 * where core reports faults with attach offsets, checks rights along the
 * path and queues no fault where no handler listens (23.08 on).
 *
 * INVARIANTS
 *
 * A conf that comes out is page aligned and inside [va_start, va_end),
 * its chunk a power of two of pages, its pool whole pages.
 */
#include "win_setup.h"

#include <stdlib.h>
#include <string.h>

static uint64_t max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* The largest free range of env inside [lo, hi). */
static void largest_free(gn_rm_cap env, uint64_t lo, uint64_t hi, uint64_t *fs,
			 uint64_t *fe)
{
	struct gn_attachment a;
	uint64_t pos = lo, bs = 0, be = 0;

	while (pos < hi) {
		uint64_t end = hi;

		if (gn_region_map_next(env, pos, &a) && a.base < hi)
			end = max64(a.base, pos);
		if (end - pos > be - bs) {
			bs = pos;
			be = end;
		}
		if (end >= hi)
			break;
		pos = max64(pos, a.base + a.size);
	}
	*fs = bs;
	*fe = be;
}

/* The free range of env containing addr, or an empty one. */
static void free_at(gn_rm_cap env, uint64_t lo, uint64_t hi, uint64_t addr,
		    uint64_t *fs, uint64_t *fe)
{
	struct gn_attachment a;
	uint64_t pos = lo;

	*fs = *fe = addr;
	while (pos < hi) {
		uint64_t end = hi;

		if (gn_region_map_next(env, pos, &a) && a.base < hi)
			end = max64(a.base, pos);
		if (addr >= pos && addr < end) {
			*fs = pos;
			*fe = end;
			return;
		}
		if (end >= hi)
			return;
		pos = max64(pos, a.base + a.size);
	}
}

/*
 * The parameters of window and of lazy (lazy adds chunk): what the spec
 * checker (spec.c) holds a --policy to and what wc_setup reads, the one
 * table for both.  The layout decides the rest (base in range).
 */
#define WC_CHUNK_DEFAULT (64 * 1024)
#define WC_PARAMS_COMMON                                                      \
	{"base", POL_PARAM_ADDR, POL_PARAM_AUTO, 0, WC_PAGE,                  \
	 UINT64_MAX - WC_PAGE + 1, WC_PAGE,                                   \
	 "the window's start (auto: the largest free range)"},                \
	{"size", POL_PARAM_SIZE, POL_PARAM_AUTO, 0, WC_PAGE, 1ULL << 56,      \
	 WC_PAGE, "the window's size (auto: to the end of that range)"},      \
	{"pool", POL_PARAM_SIZE, 0, 2ULL << 20, 0, 1ULL << 40, WC_PAGE,       \
	 "RAM dataspace size small mappings are cut from (0: none)"},        \
	{"heap", POL_PARAM_SIZE, 0, 0, 0, 1ULL << 40, 0,                      \
	 "how far brk may grow"},                                             \
	{"memlock", POL_PARAM_SIZE, 0, WC_MEMLOCK_UNLIMITED, 0,               \
	 WC_MEMLOCK_UNLIMITED, 0, "RLIMIT_MEMLOCK"}

const struct pol_param wc_params_window[] = {
	WC_PARAMS_COMMON,
	{NULL, 0, 0, 0, 0, 0, 0, NULL},
};

const struct pol_param wc_params_lazy[] = {
	WC_PARAMS_COMMON,
	{"chunk", POL_PARAM_SIZE, POL_PARAM_POW2, WC_CHUNK_DEFAULT, WC_PAGE,
	 1ULL << 30, WC_PAGE, "RAM attached per fault"},
	{NULL, 0, 0, 0, 0, 0, 0, NULL},
};

/*
 * The value of @key (a row of @tab) in @params: its default when absent
 * (*@given false), else parsed and held to the row as the spec checker
 * holds it.  0, or -LX_EINVAL.
 */
static int param(const struct pol_param *tab, const char *params,
		 const char *key, uint64_t *out, bool *given)
{
	const struct pol_param *p;
	char err[160];
	int r;

	for (p = tab; p->key && strcmp(p->key, key) != 0; p++)
		;
	if (!p->key)
		return -LX_EINVAL;
	r = pol_param_u64(params, key, p->dflt, out);
	if (r < 0 || (r && pol_param_accepts(p, *out, err, sizeof(err))))
		return -LX_EINVAL;
	if (given)
		*given = r > 0;
	return 0;
}

int wc_setup(const struct pol_env *env, const char *params, bool lazy,
	     struct wc_conf *conf)
{
	const struct pol_param *tab = lazy ? wc_params_lazy : wc_params_window;
	const char *keys[8];
	const struct gn_behaviour *bh = gn_behaviour(env->version);
	gn_rm_cap envrm = gn_env_rm(env->gn);
	uint64_t base, size, fs, fe, lo = env->va_start, hi = env->va_end;
	char bad[64];
	bool hb, hs;
	size_t i;

	for (i = 0; tab[i].key && i + 1 < sizeof(keys) / sizeof(keys[0]); i++)
		keys[i] = tab[i].key;
	keys[i] = NULL;
	if (pol_param_check(params, keys, bad, sizeof(bad)))
		return -LX_EINVAL;
	conf->lazy = lazy && env->layout && env->layout->kernel != LAY_LINUX;
	conf->views = conf->lazy && bh->fault_addr_with_offsets &&
		      bh->rights_along_path && bh->queue_needs_handler;
	/* Genode pins nothing and has no RLIMIT_MEMLOCK: unlimited, as for
	 * a process with CAP_IPC_LOCK, unless `memlock` sets a limit; the
	 * table holds pool to whole pages and chunk to a power of two of
	 * them; window takes no chunk and keeps lazy's default */
	conf->chunk = WC_CHUNK_DEFAULT;
	if (param(tab, params, "base", &base, &hb) ||
	    param(tab, params, "size", &size, &hs) ||
	    param(tab, params, "memlock", &conf->memlock_limit, NULL) ||
	    (lazy && param(tab, params, "chunk", &conf->chunk, NULL)) ||
	    param(tab, params, "pool", &conf->pool, NULL) ||
	    param(tab, params, "heap", &conf->heap, NULL))
		return -LX_EINVAL;
	if (hb) {
		if ((base & (WC_PAGE - 1)) || base < lo || base >= hi)
			return -LX_EINVAL;
		free_at(envrm, lo, hi, base, &fs, &fe);
		if (!hs)
			size = (fe - base) & LX_PAGE_MASK;
	} else {
		largest_free(envrm, lo, hi, &fs, &fe);
		/* 2 MiB aligned when that leaves room, else pages */
		base = (fs + WC_PMD - 1) & ~(WC_PMD - 1);
		if (base >= fe || fe - base < WC_PMD)
			base = WC_ALIGN(fs);
		if (!hs) {
			size = fe > base ? fe - base : 0;
			size &= size >= WC_PMD ? ~(WC_PMD - 1) : LX_PAGE_MASK;
		}
	}
	if (!size || (size & (WC_PAGE - 1)) || size > hi - base)
		return -LX_EINVAL;
	conf->base = base;
	conf->size = size;
	return 0;
}

int wc_init(const struct pol_env *env, const char *params, bool lazy,
	    void **state)
{
	struct wc_conf conf;
	int err = wc_setup(env, params, lazy, &conf);

	if (err)
		return err;
	return wc_start(&conf, &wc_gn_ops, wc_gn_new(env->gn), state);
}
