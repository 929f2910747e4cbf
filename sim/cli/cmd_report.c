/*
 * cmd_report.c - `rmsim report`: write report.md and report.html from a
 * database, reading nothing else (rep_write does the work).
 */
#include "cli.h"

#include "rmsim/report.h"

#include <getopt.h>
#include <string.h>

static void report_usage(FILE *f)
{
	fprintf(f,
		"usage: rmsim report --db FILE [-o DIR]\n\n"
		"Write DIR/report.md (summary tables) and DIR/report.html (one "
		"self-contained\npage with address-space maps and resource "
		"charts) from the database FILE.\n\n"
		"  -d, --db FILE     the database written by replay, compare "
		"or conform\n"
		"  -o, --output DIR  where to write (default: the current "
		"directory; created\n"
		"                    when missing)\n"
		"Exit: 0 written, 64 usage, 65 not an rmsim database, 66 no "
		"database,\n73/74 cannot write the report.\n");
}

int cmd_report(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"db", required_argument, NULL, 'd'},
		{"output", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *db = NULL, *dir = ".";
	char err[1024];
	int c, status;

	optind = 1;
	while ((c = getopt_long(argc, argv, "d:o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'd':
			db = optarg;
			break;
		case 'o':
			dir = optarg;
			break;
		case 'h':
			report_usage(stdout);
			return EXIT_OK;
		case 'V':
			cli_version();
			return EXIT_OK;
		default:
			report_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!db || optind != argc) {
		report_usage(stderr);
		return EXIT_USAGE;
	}
	status = rep_write(db, dir, err, sizeof(err));
	if (status)
		return cli_fail(status, "report", "%s", err);
	return EXIT_OK;
}
