/*
 * cli.h - what the subcommands of the `rmsim` command share: exit codes
 * (sysexits), the table of subcommands, and small output helpers.
 */
#ifndef RMSIM_CLI_H
#define RMSIM_CLI_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "rmsim/policy.h"

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
/* Print @s as a JSON string, quotes included (NULL prints ""). */
void cli_json_str(FILE *f, const char *s);
int cli_fail(int code, const char *cmd, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
/* Standard "--version" text. */
void cli_version(void);

struct rp_options;

/*
 * The quota a policy's component gets unless --ram/--caps say otherwise:
 * room for a program's working set (a Go or JVM start-up commits tens of
 * MiB; the malloc trace keeps thousands of mappings live).
 */
#define CLI_DEFAULT_RAM (2ULL << 30)
#define CLI_DEFAULT_CAPS 20000

struct pol_spec;

/*
 * cli_policy_setup - parse @spec into @ps (which @o then points into:
 * keep it) and fill @o for it on @layout and Genode version @genode,
 * with the component's quota (0: defaults).  A built-in policy is set up
 * once on a scratch component, so parameters its layout cannot take are
 * a usage error here rather than a failed run.  0, or -1 with a message
 * in @err.
 */
int cli_policy_setup(const char *spec, struct pol_spec *ps,
		     const char *layout, const char *genode, uint64_t ram,
		     uint64_t caps, struct rp_options *o, char *err,
		     size_t errsize);
/*
 * Without --ram (@ram_given 0), a Genode policy's RAM quota comes from
 * the trace (rp_derive_ram): @need is the reference's writable peak,
 * measured once per trace by the caller (rp_reference_need).
 */
void cli_derive_ram(struct rp_options *o, uint64_t ram_given,
		    uint64_t need);
/* The quota line of a summary: "RAM 512 MiB (derived ...), caps N". */
void cli_print_quota(FILE *f, const struct rp_options *o);
/* A size with K/M/G/T suffixes; 0 or -1. */
int cli_parse_size(const char *s, uint64_t *out);

struct rp_summary;
struct cli_matrix;

/* compare's table: a header per trace and layout, a row per run, the
 * policy column @width wide (cli_name_width: the longest spec). */
void cli_print_header(const char *trace, const char *layout, int width);
void cli_print_row(const char *policy, int width,
		   const struct rp_summary *s);
int cli_name_width(char (*canon)[POL_SPEC_MAX], unsigned n);
/*
 * cli_matrix_check - parse every spec of @specs on every layout of @m
 * (cli_policy_setup), refuse linux and native, and store each canonical
 * spelling in @canon.  -1 when all are good, else the exit status after
 * the message.
 */
int cli_matrix_check(const struct cli_matrix *m, const char *const *specs,
		     unsigned nspecs, char (*canon)[POL_SPEC_MAX]);

int cmd_cat(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_conform(int argc, char **argv);
int cmd_layouts(int argc, char **argv);
int cmd_policies(int argc, char **argv);
int cmd_compare(int argc, char **argv);
int cmd_report(int argc, char **argv);
int cmd_explain(int argc, char **argv);
int cmd_record(int argc, char **argv);
int cmd_sweep(int argc, char **argv);
int cmd_plan(int argc, char **argv);
int cmd_merge(int argc, char **argv);

#endif
