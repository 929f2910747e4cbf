/*
 * cli.h - what the subcommands of the `rmsim` command share: exit codes
 * (sysexits), the table of subcommands, and small output helpers.
 */
#ifndef RMSIM_CLI_H
#define RMSIM_CLI_H

#include <stdbool.h>
#include <stdio.h>

/* Exit status: 0 conformant, 1 deviations, sysexits for our failures. */
enum {
	EXIT_OK = 0,
	EXIT_DEVIATIONS = 1,
	EXIT_USAGE = 64,
	EXIT_DATAERR = 65,
	EXIT_NOINPUT = 66,
	EXIT_SOFTWARE = 70,
	EXIT_CANTCREAT = 73,
	EXIT_IOERR = 74,
	EXIT_SIGINT = 130,
	EXIT_SIGTERM = 143,
};

struct cli_command {
	const char *name;
	const char *summary;
	int (*run)(int argc, char **argv);
};

/* Print "rmsim NAME: " + message to stderr, return @code. */
int cli_fail(int code, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Standard "--version" text. */
void cli_version(void);

int cmd_cat(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_conform(int argc, char **argv);

#endif
