/*
 * rep_pareto.c - the Pareto front of a sweep's settings over its costs:
 * shared by `rmsim sweep` (the terminal) and the report (the chart), so
 * that both name the same settings.
 */
#include "rmsim/report.h"

const char *const rep_cost_names[REP_NCOSTS] = {"ram", "caps", "rpcs",
						"faults"};
const char *const rep_cost_metrics[REP_NCOSTS] = {"ram_peak", "caps_peak",
						  "rpc_total", "faults"};

/* Does @a beat @b: nowhere worse, somewhere better? */
static bool dominates(const double *a, const double *b)
{
	bool better = false;
	int k;

	for (k = 0; k < REP_NCOSTS; k++) {
		if (a[k] > b[k])
			return false;
		if (a[k] < b[k])
			better = true;
	}
	return better;
}

void rep_pareto(const double (*cost)[REP_NCOSTS], const bool *clean, size_t n,
		bool *front)
{
	size_t i, j;

	for (i = 0; i < n; i++) {
		front[i] = clean[i];
		for (j = 0; j < n && front[i]; j++)
			if (j != i && clean[j] && dominates(cost[j], cost[i]))
				front[i] = false;
	}
}
