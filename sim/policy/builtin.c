/*
 * builtin.c - the table of built-in policies, in the order `rmsim
 * policies` lists them.  One line per policy; the policy itself lives in
 * its own file in this folder.
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

const struct pol_policy *const *pol_builtin(void)
{
	return builtin;
}
