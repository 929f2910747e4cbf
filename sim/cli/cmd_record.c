/*
 * cmd_record.c - `rmsim record`: record a program's trace and side file
 * (docs/recording.md) and say what was recorded.  The program's exit
 * status is passed on, so a recording can stand in for the program in a
 * script; the recorder's own failures use 64, 69, 70 and 73.
 */
#include "cli.h"

#include "rmsim/record.h"

#include <getopt.h>
#include <inttypes.h>
#include <libgen.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

static void record_usage(FILE *f)
{
	fprintf(f,
		"usage: rmsim record [-o FILE] [--faults|--no-faults] "
		"[OPTIONS] -- PROGRAM [ARGS...]\n\n"
		"Run PROGRAM under strace with the calls and options the "
		"replay needs, and\nwrite the trace to FILE (default "
		"PROGRAM.strace.xz; .xz and .gz compress).\nBeside it, "
		"NAME.faults.xz holds the machine's facts, each new image's "
		"maps\nafter execve, RssAnon samples and, with --faults, "
		"every page fault\n(docs/recording.md).  Needs strace; "
		"perf for the faults (scripts/deps --record).\n\n"
		"  -o, --output FILE    the trace file\n"
		"      --faults         record page faults, fail if perf "
		"cannot\n"
		"      --no-faults      do not (default: record them where "
		"perf can)\n"
		"      --rss-period MS  RssAnon sampling period (100)\n"
		"      --exec-hold MS   how long strace holds each execve "
		"for its maps (50)\n"
		"  -q, --quiet          no summary\n"
		"  -h, --help           this text\n\n"
		"Exit status: the program's (128+N when killed by signal "
		"N); 64 usage,\n69 strace or perf missing or refused, 70 "
		"internal error, 73 cannot write.\n");
}

static void human(uint64_t b, char *buf, size_t size)
{
	if (b >= (10ULL << 20))
		snprintf(buf, size, "%.1f MiB", (double)b / (1 << 20));
	else if (b >= (10ULL << 10))
		snprintf(buf, size, "%.1f KiB", (double)b / (1 << 10));
	else
		snprintf(buf, size, "%" PRIu64 " B", b);
}

static void summary(const char *out, const struct rec_result *r)
{
	char a[32], b[32], c[32];

	human(r->trace_bytes, a, sizeof(a));
	human(r->trace_text_bytes, b, sizeof(b));
	human(r->side_bytes, c, sizeof(c));
	fprintf(stderr,
		"rmsim record: %s: %" PRIu64 " events in %" PRIu64
		" lines, %" PRIu64 " processes and threads, %s (%s of "
		"text)\n",
		out, r->events, r->lines, r->processes, a, b);
	fprintf(stderr,
		"rmsim record: %s: %" PRIu64 " images (%" PRIu64
		" maps exact), %" PRIu64 " RSS samples, ",
		r->side_path, r->execs, r->execs_exact, r->rss_samples);
	if (r->faults_recorded)
		fprintf(stderr, "%" PRIu64 " page faults, %s\n", r->faults, c);
	else
		fprintf(stderr, "no page faults (%s), %s\n", r->faults_why, c);
}

/* PROGRAM.strace.xz in the current directory. */
static void default_out(const char *prog, char *buf, size_t size)
{
	char tmp[4096];

	snprintf(tmp, sizeof(tmp), "%s", prog);
	snprintf(buf, size, "%s.strace.xz", basename(tmp));
}

int cmd_record(int argc, char **argv)
{
	static const struct option opts[] = {
		{"output", required_argument, NULL, 'o'},
		{"faults", no_argument, NULL, 'F'},
		{"no-faults", no_argument, NULL, 'N'},
		{"rss-period", required_argument, NULL, 'R'},
		{"exec-hold", required_argument, NULL, 'H'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct rec_options o = {.faults = REC_FAULTS_AUTO};
	struct rec_result res;
	char out[4096], err[512];
	int c, rc;
	long v;
	char *end;

	out[0] = '\0';
	optind = 1;
	/* '+': options end at the program's name */
	while ((c = getopt_long(argc, argv, "+o:qh", opts, NULL)) != -1) {
		switch (c) {
		case 'o':
			snprintf(out, sizeof(out), "%s", optarg);
			break;
		case 'F':
			o.faults = REC_FAULTS_ON;
			break;
		case 'N':
			o.faults = REC_FAULTS_OFF;
			break;
		case 'R':
		case 'H':
			v = strtol(optarg, &end, 10);
			if (*end || v < 1 || v > 60000)
				return cli_fail(EXIT_USAGE, "record",
						"%s: not a time in ms "
						"(1..60000)",
						optarg);
			if (c == 'R')
				o.rss_period_ms = (unsigned)v;
			else
				o.exec_hold_ms = (unsigned)v;
			break;
		case 'q':
			o.quiet = true;
			break;
		case 'h':
			record_usage(stdout);
			return EXIT_OK;
		case 'V':
			cli_version();
			return EXIT_OK;
		default:
			record_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		record_usage(stderr);
		return EXIT_USAGE;
	}
	o.argv = argv + optind;
	if (!out[0])
		default_out(argv[optind], out, sizeof(out));
	o.out = out;
	rc = rec_run(&o, &res, err, sizeof(err));
	if (rc < 0)
		return cli_fail(-rc, "record", "%s", err);
	if (!o.quiet)
		summary(out, &res);
	if (WIFEXITED(res.status))
		return WEXITSTATUS(res.status);
	if (WIFSIGNALED(res.status))
		return 128 + WTERMSIG(res.status);
	return EXIT_SOFTWARE;
}
