/*
 * builtin.c - the table of built-in policies, in the order `rmsim
 * policies` lists them.  One line per policy; the policy itself lives in
 * its own file in this folder; the ported ones in port/rmsim/.
 */
#include "rmsim/policy.h"

#include <stddef.h>

static const struct pol_policy *const builtin[] = {
	&pol_libc,
	&pol_libc_2005,
	&pol_go_world,
	&pol_window,
	&pol_lazy,
	NULL
};

static const struct pol_policy *const ported[] = {
	&pol_window_genode,
	&pol_lazy_genode,
	NULL
};

const struct pol_policy *const *pol_builtin(void)
{
	return builtin;
}

const struct pol_policy *const *pol_ported(void)
{
	return ported;
}
