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

int wc_setup(const struct pol_env *env, const char *params, bool lazy,
	     struct wc_conf *conf)
{
	static const char *const keys_w[] = {"base", "size", "memlock",
					     "pool", "heap", NULL};
	static const char *const keys_l[] = {"base", "size",  "memlock", "pool",
					     "heap", "chunk", NULL};
	const struct gn_behaviour *bh = gn_behaviour(env->version);
	gn_rm_cap envrm = gn_env_rm(env->gn);
	uint64_t base, size, fs, fe, lo = env->va_start, hi = env->va_end;
	char bad[64];
	int hb, hs;

	if (pol_param_check(params, lazy ? keys_l : keys_w, bad, sizeof(bad)))
		return -LX_EINVAL;
	conf->lazy = lazy && env->layout && env->layout->kernel != LAY_LINUX;
	conf->views = conf->lazy && bh->fault_addr_with_offsets &&
		      bh->rights_along_path && bh->queue_needs_handler;
	hb = pol_param_u64(params, "base", 0, &base);
	hs = pol_param_u64(params, "size", 0, &size);
	/* Genode pins nothing and has no RLIMIT_MEMLOCK: unlimited, as for
	 * a process with CAP_IPC_LOCK, unless `memlock` sets a limit */
	if (hb < 0 || hs < 0 ||
	    pol_param_u64(params, "memlock", WC_MEMLOCK_UNLIMITED,
			  &conf->memlock_limit) < 0 ||
	    pol_param_u64(params, "chunk", 64 * 1024, &conf->chunk) < 0 ||
	    pol_param_u64(params, "pool", 2ULL << 20, &conf->pool) < 0 ||
	    pol_param_u64(params, "heap", 0, &conf->heap) < 0)
		return -LX_EINVAL;
	if (conf->pool & (WC_PAGE - 1))
		return -LX_EINVAL;
	/* a chunk is a power of two of whole pages */
	if (conf->chunk < WC_PAGE || (conf->chunk & (conf->chunk - 1)))
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
