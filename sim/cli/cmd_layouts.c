/*
 * cmd_layouts.c - `rmsim layouts`: the address-space layouts the Genode
 * model knows, one line each, and with --areas their fixed areas (what
 * the model builds into env at start).
 */
#include "cli.h"

#include "rmsim/genode.h"
#include "rmsim/layout.h"

#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>

static void layouts_usage(FILE *f)
{
	fprintf(f,
		"usage: rmsim layouts [--genode V] [--areas]\n\n"
		"List the Genode address-space layouts: name, kernel, word "
		"size and the range\ncore manages for a component.\n\n"
		"  -g, --genode V    the ranges and areas of Genode V (20.05, "
		"24.08, 26.02;\n"
		"                    default 26.02)\n"
		"  -a, --areas       also list each layout's fixed areas\n");
}

int cmd_layouts(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"genode", required_argument, NULL, 'g'},
		{"areas", no_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	enum gn_version v = GN_VERSION_DEFAULT;
	bool areas = false;
	struct lay_area a[LAY_MAX_AREAS];
	size_t i, j, n;
	int c;

	optind = 1;
	while ((c = getopt_long(argc, argv, "g:ah", longopts, NULL)) != -1) {
		switch (c) {
		case 'g':
			if (gn_version_parse(optarg, &v))
				return cli_fail(EXIT_USAGE, "layouts",
						"unknown Genode version '%s' "
						"(20.05, 24.08, 26.02)",
						optarg);
			break;
		case 'a':
			areas = true;
			break;
		case 'h':
			layouts_usage(stdout);
			return EXIT_OK;
		case 'V':
			cli_version();
			return EXIT_OK;
		default:
			layouts_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		layouts_usage(stderr);
		return EXIT_USAGE;
	}
	for (i = 0; i < lay_count(); i++) {
		const struct lay_layout *l = lay_at(i);
		uint64_t start, end;
		bool sure = lay_va_range(l, gn_version_number(v), &start, &end);

		printf("%-13s %-6s %2u-bit  [%#" PRIx64 ", %#" PRIx64
		       ")%s  %s%s\n",
		       l->name, lay_kernel_name(l->kernel), l->bits, start, end,
		       sure ? "" : "?", l->summary,
		       l == lay_default() ? " (default)" : "");
		if (!areas)
			continue;
		n = lay_areas(l, gn_version_number(v), a, LAY_MAX_AREAS);
		for (j = 0; j < n && j < LAY_MAX_AREAS; j++)
			printf("    %#14" PRIx64 " %#12" PRIx64
			       "  %s  %-30s%s\n",
			       a[j].start, a[j].size, a[j].rights, a[j].name,
			       a[j].verified ? "" : "  (size unverified)");
	}
	return EXIT_OK;
}
