/*
 * cmd_policies.c - `rmsim policies`: what --policy accepts, one a line.
 */
#include "cli.h"

#include "rmsim/policy.h"

#include <string.h>

int cmd_policies(int argc, char **argv)
{
	const struct pol_policy *const *lists[] = {pol_builtin(), pol_ported()};
	const struct pol_policy *const *p;
	size_t l;

	if (argc > 1 && (strcmp(argv[1], "--help") == 0 ||
			 strcmp(argv[1], "-h") == 0)) {
		printf("usage: rmsim policies\n\nList the policies --policy "
		       "accepts: name, summary, and each parameter\nwith what "
		       "it takes and its default.  The Genode C++ ports\n"
		       "(*-genode) run only when named.\n");
		return EXIT_OK;
	}
	if (argc > 1) {
		fprintf(stderr, "usage: rmsim policies\n");
		return EXIT_USAGE;
	}
	printf("%-12s %s\n", "linux", "the Linux reference model "
				      "(the judge; replayed alone)");
	printf("%-12s %s\n", "native", "the host kernel, in a child "
				       "process (the speed anchor)");
	for (l = 0; l < 2; l++)
		for (p = lists[l]; *p; p++) {
			const struct pol_param *k;

			printf("%-12s %s\n", (*p)->name, (*p)->summary);
			for (k = (*p)->params; k && k->key; k++) {
				char what[160];

				pol_param_describe(k, what, sizeof(what));
				printf("%-14s %s=%s\n%-16s%s\n", "", k->key,
				       what, "", k->help);
			}
		}
	printf("%-12s %s\n", "./lib.so", "an out-of-tree policy exporting "
					 "rmsim_policy (policy.h)");
	printf("\nA spec is NAME[:KEY=VALUE,...], one policy per --policy; "
	       "sizes take\nK/M/G/T (binary), addresses 0x hex.  sweep "
	       "takes lists (KEY=A,B,C) and\nranges (KEY=LO..HI*F or "
	       "LO..HI+STEP) for values.\n");
	return EXIT_OK;
}
