/*
 * cmd_cat.c - `rmsim cat`: print a trace as the reader understands it, one
 * normalised event per line, or with --stats the counts of what it holds.
 * It is how a user checks that rmsim reads their recording as they mean it.
 */
#include "cli.h"

#include "rmsim/abi.h"
#include "rmsim/trace.h"

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <string.h>

static void cat_usage(FILE *f)
{
	fprintf(f,
		"usage: rmsim cat [--stats] [--keep-going] [--all] TRACE...\n\n"
		"Print the memory events of each TRACE (strace text, plain, "
		".gz or .xz; - is\nstdin), one a line, tab-separated:\n"
		"  seq line pid ts_us call arg0..arg5 result errno path\n"
		"Arguments and results in hex; '-' where a field is empty.\n\n"
		"  -s, --stats       print counts per call and errno instead\n"
		"  -k, --keep-going  skip unreadable lines, count them\n"
		"  -a, --all         also print calls of other kinds\n"
		"  -h, --help        this text\n");
}

static void print_event(const struct tr_event *ev)
{
	unsigned i;

	printf("%" PRIu64 "\t%" PRIu64 "\t%" PRId32 "\t", ev->seq, ev->line,
	       ev->pid);
	if (ev->has_ts)
		printf("%" PRId64, ev->ts_us);
	else
		putchar('-');
	printf("\t%s", tr_call_name(ev->call));
	for (i = 0; i < 6; i++) {
		if (i < ev->nargs)
			printf("\t%#" PRIx64, ev->arg[i]);
		else
			fputs("\t-", stdout);
	}
	switch (ev->result) {
	case TR_RET_VALUE:
		printf("\t%#" PRIx64 "\t-", (uint64_t)ev->ret);
		break;
	case TR_RET_ERROR: {
		const char *n = abi_errno_name(ev->err);

		if (n)
			printf("\t-1\t%s", n);
		else
			printf("\t-1\terrno%d", ev->err);
		break;
	}
	case TR_RET_UNKNOWN:
		fputs("\t?\t-", stdout);
		break;
	}
	printf("\t%s\n", ev->fd_path ? ev->fd_path : "-");
}

static void print_stats(const char *path, const struct tr_stats *st)
{
	int c, e;

	printf("trace\t%s\n", path);
	printf("lines\t%" PRIu64 "\n", st->lines);
	printf("bytes\t%" PRIu64 "\n", st->bytes);
	printf("events\t%" PRIu64 "\n", st->events);
	for (c = 0; c < TR_NCALLS; c++)
		if (st->calls[c])
			printf("call\t%s\t%" PRIu64 "\tfailed\t%" PRIu64 "\n",
			       tr_call_name((enum tr_call)c), st->calls[c],
			       st->failed[c]);
	for (e = 1; e <= LX_ERRNO_NAMED_MAX; e++)
		if (st->errnos[e])
			printf("errno\t%s\t%" PRIu64 "\n",
			       abi_errno_name(e) ? abi_errno_name(e) : "?",
			       st->errnos[e]);
	printf("pids\t%" PRIu64 "\n", st->pids);
	printf("signals\t%" PRIu64 "\n", st->signals);
	printf("exits\t%" PRIu64 "\n", st->exits);
	printf("notes\t%" PRIu64 "\n", st->notes);
	printf("unfinished_at_end\t%" PRIu64 "\n", st->unfinished_at_end);
	printf("skipped\t%" PRIu64 "\n", st->skipped);
	printf("summaries\t%" PRIu64 "\n", st->summaries);
	printf("summary_lines\t%" PRIu64 "\n", st->summary_lines);
	printf("injected\t%" PRIu64 "\n", st->injected);
	printf("files\t%" PRIu64 "\n", st->files);
	printf("missing_files\t%" PRIu64 "\n", st->missing_files);
}

static int cat_one(const char *path, const struct tr_options *opt,
		   bool stats)
{
	struct tr_reader *r;
	struct tr_event ev;
	int err = 0, rc;

	r = tr_open(path, opt, &err);
	if (!r)
		return cli_fail(tr_missing_input(err) ? EXIT_NOINPUT
						      : EXIT_IOERR,
				"cat", "%s: %s", path, strerror(-err));
	while ((rc = tr_next(r, &ev)) > 0)
		if (!stats)
			print_event(&ev);
	if (rc < 0) {
		fprintf(stderr, "%s\n", tr_error(r));
		tr_close(r);
		return rc == -EIO ? EXIT_IOERR : EXIT_DATAERR;
	}
	if (stats)
		print_stats(path, tr_reader_stats(r));
	if (tr_reader_stats(r)->skipped)
		fprintf(stderr, "%s: %" PRIu64 " unreadable line(s) skipped; "
				"first: %s\n",
			path, tr_reader_stats(r)->skipped, tr_error(r));
	tr_close(r);
	return EXIT_OK;
}

int cmd_cat(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"stats", no_argument, NULL, 's'},
		{"keep-going", no_argument, NULL, 'k'},
		{"all", no_argument, NULL, 'a'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct tr_options opt = {0};
	bool stats = false;
	int c, i, rc = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "skah", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			stats = true;
			break;
		case 'k':
			opt.keep_going = true;
			break;
		case 'a':
			opt.all_calls = true;
			break;
		case 'h':
			cat_usage(stdout);
			return EXIT_OK;
		case 'V':
			cli_version();
			return EXIT_OK;
		default:
			cat_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		cat_usage(stderr);
		return EXIT_USAGE;
	}
	for (i = optind; i < argc && rc == EXIT_OK; i++)
		rc = cat_one(argv[i], &opt, stats);
	return rc;
}
