/*
 * cmd_merge.c - `rmsim merge SHARD.db... -o ALL.db`: join shard
 * databases (from `rmsim plan` runs on other machines) into one, whole
 * shards only (db_merge.c says how and what is refused).
 */
#include "cli.h"

#include "rmsim/db.h"

#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static void merge_usage(FILE *f)
{
	fprintf(f,
		"usage: rmsim merge SHARD.db... -o ALL.db [-q]\n\n"
		"Merge the runs of each shard database into ALL.db (created "
		"when missing).\nA shard is merged whole or not at all: one "
		"that is corrupt, of another\nschema version, or holds a run "
		"still running or interrupted is reported\nand left out.  A "
		"run already in ALL.db (equal in every column but its id)\nis "
		"not added again.\n\n"
		"  -o, --output FILE the merged database\n"
		"  -q, --quiet       only errors\n"
		"Exit: 0 every shard merged, 64 usage, 65 a shard left out, "
		"66 no such shard,\n73/74 cannot write ALL.db.\n");
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int cmd_merge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"output", required_argument, NULL, 'o'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *out = NULL;
	struct db_merger *m;
	struct db_merge_stats st;
	enum db_error e;
	bool quiet = false;
	unsigned added = 0, present = 0, left = 0;
	char msg[1024];
	int c, i, status = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			out = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			merge_usage(stdout);
			return EXIT_OK;
		case 'V':
			cli_version();
			return EXIT_OK;
		default:
			merge_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (!out || !*out || optind == argc) {
		merge_usage(stderr);
		return EXIT_USAGE;
	}
	for (i = optind; i < argc; i++)
		if (same_file(argv[i], out))
			return cli_fail(EXIT_USAGE, "merge",
					"%s is the output: a database is not "
					"merged into itself",
					argv[i]);
	m = db_merger_open(out, &e, msg, sizeof(msg));
	if (!m)
		return cli_fail(e == DB_ECANTCREATE ? EXIT_CANTCREAT
				: e == DB_ECORRUPT  ? EXIT_DATAERR
						    : EXIT_IOERR,
				"merge", "%s", msg);
	for (i = optind; i < argc; i++) {
		if (access(argv[i], F_OK)) {
			cli_fail(EXIT_NOINPUT, "merge", "%s: no such shard",
				 argv[i]);
			if (!status || status == EXIT_DATAERR)
				status = EXIT_NOINPUT;
			left++;
			continue;
		}
		e = db_merger_add(m, argv[i], NULL, NULL, &st, msg,
				  sizeof(msg));
		if (e == DB_ECORRUPT) {
			cli_fail(EXIT_DATAERR, "merge", "%s", msg);
			if (!status)
				status = EXIT_DATAERR;
			left++;
			continue;
		}
		if (e) {
			cli_fail(EXIT_IOERR, "merge", "%s", msg);
			status = EXIT_IOERR;
			break;
		}
		added += st.added;
		present += st.present;
		if (!quiet)
			printf("%s: %u run(s) merged, %u already present\n",
			       argv[i], st.added, st.present);
	}
	if (db_merger_close(m) && status != EXIT_IOERR)
		status =
			cli_fail(EXIT_IOERR, "merge", "%s: cannot finish", out);
	if (!quiet)
		printf("%s: %u run(s) added, %u already present, %u shard(s) "
		       "left out\n",
		       out, added, present, left);
	return status;
}
