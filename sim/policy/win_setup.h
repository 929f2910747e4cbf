/*
 * win_setup.h - the simulator's side of starting a window policy:
 * reading `--policy window:base=..,size=..` parameters and the layout
 * into a struct wc_conf, and starting `window` or `lazy` on the model.
 * A Genode component reads the same settings from its config instead
 * (port/src/lib/mmap_window/).
 */
#ifndef RMSIM_WIN_SETUP_H
#define RMSIM_WIN_SETUP_H

#include "rmsim/policy.h"
#include "win_core.h"

/* The parameters of window and of lazy (lazy adds chunk), as `rmsim
 * policies` lists them and the spec checker holds --policy to. */
extern const struct pol_param wc_params_window[], wc_params_lazy[];

/*
 * wc_setup - @params and the component's address space into @conf: the
 * window is `base`/`size`, or by default the largest free range of env
 * inside the layout's address range, 2 MiB aligned.  0 or -LX_EINVAL.
 */
int wc_setup(const struct pol_env *env, const char *params, bool lazy,
	     struct wc_conf *conf);

/* The calls of struct pol_policy, the same for `window` and `lazy`. */
#define WC_POLICY_CALLS                                                    \
	.fini = wc_fini, .mmap = wc_mmap, .munmap = wc_munmap,             \
	.mprotect = wc_mprotect, .madvise = wc_madvise,                    \
	.mremap = wc_mremap, .msync = wc_msync, .brk = wc_brk,             \
	.mlock = wc_mlock, .munlock = wc_munlock, .mlockall = wc_mlockall, \
	.munlockall = wc_munlockall, .mincore = wc_mincore

/* wc_setup, then wc_start with the C backend (win_gn.c). */
int wc_init(const struct pol_env *env, const char *params, bool lazy,
	    void **state);

/* The C backend over the model (win_gn.c). */
extern const struct wg_ops wc_gn_ops;
struct wg *wc_gn_new(struct gn_ctx *gn);
/* The checkers' questions, for both backends: does the attachment at
 * @at of @rm span @size of @ds (*@a: it); is it exactly this? */
bool wc_gn_holds(gn_rm_cap rm, uint64_t at, uint64_t size, gn_ds_cap ds,
		 struct gn_attachment *a);
bool wc_gn_is_attached(gn_rm_cap rm, uint64_t at, uint64_t size, gn_ds_cap ds,
		       uint64_t off, uint8_t rights);

/* The C bookkeeping of a `window-genode` or `lazy-genode` state, for
 * tests that run wc_check (port/rmsim/policies.cc). */
void *pol_genode_core(void *st);

#endif
