/*
 * main.c - the `rmsim` command: dispatch to a subcommand, and the global
 * --help and --version.
 */
#include "cli.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

static const struct cli_command commands[] = {
	{"replay", "replay a trace on a policy and compare every result",
	 cmd_replay},
	{"conform", "run conformance cases on policies and backends",
	 cmd_conform},
	{"report", "write report.md and report.html from a database",
	 cmd_report},
	{"record", "run a program under strace and perf: trace and side "
		   "file", cmd_record},
	{"cat", "print a trace's normalised events, or --stats", cmd_cat},
	{"layouts", "list the Genode address-space layouts", cmd_layouts},
	{"policies", "list the policies", cmd_policies},
	{"compare", "replay traces on every policy and layout, table and "
		    "report", cmd_compare},
	{"explain", "one event of a run: results, findings, Genode "
		    "operations, map", cmd_explain},
	{"sweep", "replay traces over a grid of policy parameters, Pareto "
		  "front, --best", cmd_sweep},
	{"plan", "print one command per run, for GNU parallel or Slurm",
	 cmd_plan},
	{"merge", "merge shard databases into one", cmd_merge},
};

#define NCOMMANDS (sizeof(commands) / sizeof(commands[0]))

int cli_fail(int code, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "rmsim %s: ", cmd);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	return code;
}

void cli_version(void)
{
	printf("rmsim %s\n", RMSIM_VERSION);
}

/*
 * With RMSIM_PEAK_RSS set, print this process's peak resident set at exit.
 * A benchmark cannot take it from the parent's rusage: a forked child
 * inherits the parent's high-water mark until exec records it.
 */
static void print_peak_rss(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return;
	while (fgets(line, sizeof(line), f))
		if (strncmp(line, "VmHWM:", 6) == 0)
			fprintf(stderr, "rmsim: peak RSS %ld KiB\n",
				strtol(line + 6, NULL, 10));
	fclose(f);
}

/*
 * Whatever a command printed must have reached its destination: a full
 * disk or /dev/full is an error (74), never a cut output and exit 0.
 */
static int output_written(const char *cmd, int rc)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	fprintf(stderr, "rmsim %s: cannot write the output: %s\n", cmd,
		strerror(errno ? errno : EIO));
	return rc == EXIT_OK || rc == EXIT_DEVIATIONS ? EXIT_IOERR : rc;
}

static void usage(FILE *f)
{
	size_t i;

	fprintf(f, "usage: rmsim COMMAND [OPTIONS] [ARGS]\n\n"
		   "A simulator and conformance suite for mmap on Genode's "
		   "region maps.\n\ncommands:\n");
	for (i = 0; i < NCOMMANDS; i++)
		fprintf(f, "  %-10s %s\n", commands[i].name,
			commands[i].summary);
	fprintf(f, "\n'rmsim COMMAND --help' describes one command.\n"
		   "Exit status: 0 conformant, 1 deviations found, 64 usage, "
		   "65 bad input data,\n66 missing input, 70 internal error, "
		   "73/74 cannot write.\n");
}

int main(int argc, char **argv)
{
	size_t i;

	if (getenv("RMSIM_PEAK_RSS"))
		atexit(print_peak_rss);
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(argv[1], "--version") == 0) {
		cli_version();
		return EXIT_OK;
	}
	/* past a file-size limit a write fails with EFBIG, which every
	 * writer reports (exit 74, temporary files removed), instead of the
	 * signal killing rmsim halfway */
	signal(SIGXFSZ, SIG_IGN);
	for (i = 0; i < NCOMMANDS; i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return output_written(commands[i].name,
					      commands[i].run(argc - 1,
							      argv + 1));
	fprintf(stderr, "rmsim: unknown command '%s'\n", argv[1]);
	usage(stderr);
	return EXIT_USAGE;
}
