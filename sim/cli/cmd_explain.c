/*
 * cmd_explain.c - `rmsim explain DB RUN [LINE]`: one event of a run in
 * the terminal, from the database (rep_explain does the work).
 */
#include "cli.h"

#include "rmsim/report.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

static void explain_usage(FILE *f)
{
	fprintf(f,
		"usage: rmsim explain DB RUN [LINE]\n\n"
		"Explain one event of run RUN in the database DB: the trace "
		"line, what the\ntrace, the Linux reference and the policy "
		"returned, the findings on it, the\nGenode operations the "
		"policy made for it, and its address space around\nthe "
		"address after the event.  Without LINE, the event of the "
		"run's first\nfinding that counts against the policy.\n\n"
		"Exit: 0 shown, 64 usage, 65 not an rmsim database, 66 no "
		"database, run,\nevent or finding.\n");
}

/* A positive decimal number, all of @s. */
static int number(const char *s, uint64_t *out)
{
	char *end;

	if (!*s || *s == '-')
		return -1;
	errno = 0;
	*out = strtoull(s, &end, 10);
	return *end || errno || !*out ? -1 : 0;
}

int cmd_explain(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	uint64_t run = 0, line = 0;
	char err[1024];
	int c, status;
	FILE *probe;

	optind = 1;
	while ((c = getopt_long(argc, argv, "h", longopts, NULL)) != -1) {
		switch (c) {
		case 'h':
			explain_usage(stdout);
			return EXIT_OK;
		case 'V':
			cli_version();
			return EXIT_OK;
		default:
			explain_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (argc - optind < 2 || argc - optind > 3 ||
	    number(argv[optind + 1], &run) ||
	    (argc - optind == 3 && number(argv[optind + 2], &line))) {
		explain_usage(stderr);
		return EXIT_USAGE;
	}
	/* SQLite would create an empty database for a missing file */
	probe = fopen(argv[optind], "rb");
	if (!probe)
		return cli_fail(EXIT_NOINPUT, "explain", "%s: %s", argv[optind],
				strerror(errno));
	fclose(probe);
	status = rep_explain(argv[optind], (int64_t)run, line, stdout, err,
			     sizeof(err));
	if (status)
		return cli_fail(status, "explain", "%s", err);
	return EXIT_OK;
}
