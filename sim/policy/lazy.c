/*
 * lazy.c - the `lazy` policy: like `window`, but committed ranges get
 * their RAM on the first touch, a chunk at a time (parameter `chunk`,
 * 64 KiB by default), from the fault handler of the map the window shows
 * them through; MADV_DONTNEED gives whole chunks' RAM back.  The work is
 * in the win_*.c files (win_core.h lists them; win_view.c has the fault
 * handler); docs/policies.md has the costs and the deviations.
 */
#include "win_setup.h"

static int lazy_init(const struct pol_env *env, const char *params,
		     void **state)
{
	return wc_init(env, params, true, state);
}

const struct pol_policy pol_lazy = {
	.abi = POL_ABI,
	.name = "lazy",
	.summary = "like window, but RAM attached on first touch in chunks "
		   "by a fault handler",
	.params_help = "base=ADDR,size=SIZE,chunk=SIZE,pool=SIZE,heap=SIZE,"
		       "memlock=SIZE",
	.init = lazy_init,
	WC_POLICY_CALLS,
	/* the backend registers its own handler (win_gn.c) */
	.fault = NULL,
	.params = wc_params_lazy,
};
