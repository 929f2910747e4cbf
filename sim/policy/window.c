/*
 * window.c - the `window` policy: the Genode maintainers' proposal of
 * 2020 done properly.  One managed window reserved at start-up, every
 * mapping inside it, Linux's semantics emulated in full, RAM attached
 * eagerly when a range becomes accessible.  The work is in the win_*.c
 * files win_core.h lists; docs/policies.md says what each call costs and
 * where it deviates.
 */
#include "win_setup.h"

static int window_init(const struct pol_env *env, const char *params,
		       void **state)
{
	return wc_init(env, params, false, state);
}

const struct pol_policy pol_window = {
	.abi = POL_ABI,
	.name = "window",
	.summary = "one managed window reserved at start-up, POSIX "
		   "emulated inside it, RAM attached at commit",
	.params_help = "base=ADDR,size=SIZE,pool=SIZE,heap=SIZE,"
		       "memlock=SIZE",
	.init = window_init,
	WC_POLICY_CALLS,
	/* nothing to resolve: a fault in the window is a crash, and
	 * without a handler core stops the thread at once */
	.fault = NULL,
	.params = wc_params_window,
};
