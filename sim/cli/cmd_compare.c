/*
 * cmd_compare.c - `rmsim compare`: replay traces on every policy beside
 * the Linux reference, across layouts, print a table per trace and
 * layout, log every run, and write the report when asked.
 */
#include "cli.h"

#include "rmsim/db.h"
#include "rmsim/policy.h"
#include "rmsim/replay.h"
#include "rmsim/report.h"

#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define MAX_ITEMS 32

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

static void compare_usage(FILE *f)
{
	fprintf(f,
		"usage: rmsim compare TRACE... [--policy P]... [--layout L]... "
		"[--genode V]\n"
		"                     [--db FILE | --no-db] [--report DIR] "
		"[--touch MODE]\n"
		"                     [--ram SIZE] [--caps N] [-q]\n\n"
		"Replay each TRACE on each policy beside the Linux reference, "
		"on each layout,\nand print per trace and layout: deviations "
		"by kind, peak RAM, caps, RM\nsessions, attachments, RPCs, "
		"faults, waste and speed; at the end the decision\nview: each "
		"policy's verdict per trace, the cheapest clean one marked.\n\n"
		"  -p, --policy P    a policy, repeatable or a list (default: "
		"every built-in)\n"
		"  -l, --layout L    a layout, repeatable or a list (default "
		"nova-x86_64)\n"
		"  -g, --genode V    Genode version (default 26.02)\n"
		"  -d, --db FILE     log here (default rmsim.db)\n"
		"  -n, --no-db       do not log\n"
		"  -r, --report DIR  write report.md and report.html to DIR "
		"at the end\n"
		"  -t, --touch MODE  none, first (default) or all\n"
		"      --ram SIZE    each component's RAM quota (default: the "
		"reference's peak\n"
		"                    writable bytes + 50%% + 32 MiB, per trace)\n"
		"      --caps N      each component's cap quota (default "
		"20000)\n"
		"  -q, --quiet       only the tables\n"
		"Exit: 0 no deviation, 1 deviations, 64 usage, 65 bad trace, "
		"66 no trace,\n73/74 cannot write, 130/143 interrupted.\n");
}

/* Split a comma list into fixed slots of @buf; @v points at them.
 * Returns the new count.  Nothing to free on any exit path. */
static unsigned add_list(const char *arg, const char **v, char (*buf)[256],
			 unsigned n)
{
	char copy[1024], *tok, *save;

	snprintf(copy, sizeof(copy), "%s", arg);
	for (tok = strtok_r(copy, ",", &save); tok && n < MAX_ITEMS;
	     tok = strtok_r(NULL, ",", &save)) {
		snprintf(buf[n], sizeof(buf[n]), "%s", tok);
		v[n] = buf[n];
		n++;
	}
	return n;
}

static void mib(char *buf, size_t size, uint64_t bytes)
{
	snprintf(buf, size, "%.1f", (double)bytes / (1 << 20));
}

static void print_header(void)
{
	printf("%-12s %6s %4s %4s %4s %5s %4s %4s %5s %4s %4s %5s %5s %8s "
	       "%6s %4s %6s %8s %6s %7s %9s %6s\n",
	       "policy", "result", "addr", "hint", "miss", "extra", "cont",
	       "res", "space", "div", "out", "cons", "ref", "RAM MiB",
	       "caps", "RM", "attach", "RPCs", "faults", "wasteMiB",
	       "events/s", "first");
}

static void print_row(const char *policy, const struct rp_summary *s)
{
	char ram[32], waste[32];
	uint64_t rpcs = 0;
	unsigned k;

	for (k = 0; k < GN_NRPC; k++)
		rpcs += s->gn.rpc[k];
	mib(ram, sizeof(ram), s->gn.ram_peak);
	mib(waste, sizeof(waste),
	    s->gn.ram_peak > s->posix_writable_peak
		    ? s->gn.ram_peak - s->posix_writable_peak
		    : 0);
	printf("%-12s %6" PRIu64 " %4" PRIu64 " %4" PRIu64 " %4" PRIu64
	       " %5" PRIu64 " %4" PRIu64 " %4" PRIu64 " %5" PRIu64
	       " %4" PRIu64 " %4" PRIu64 " %5" PRIu64 " %5" PRIu64
	       " %8s %6" PRIu64 " %4" PRIu64 " %6" PRIu64 " %8" PRIu64
	       " %6" PRIu64 " %7s %9.0f %6" PRIu64 "\n",
	       policy, s->finding[CK_RESULT], s->finding[CK_ADDRESS],
	       s->finding[CK_HINT], s->finding[CK_ACCESS_MISSING],
	       s->finding[CK_ACCESS_EXTRA], s->finding[CK_CONTENT],
	       s->finding[CK_RESOURCE], s->finding[CK_ADDRESS_SPACE],
	       s->finding[CK_DIVERGENCE], s->finding[CK_OUTSIDE],
	       s->consequences, s->mismatches, ram, s->gn.caps_peak,
	       s->gn.rm_sessions_peak, s->gn.attachments_peak, rpcs,
	       s->gn.faults, waste,
	       s->wall_s > 0 ? (double)s->events / s->wall_s : 0,
	       s->first_finding_line);
}

int cmd_compare(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"policy", required_argument, NULL, 'p'},
		{"layout", required_argument, NULL, 'l'},
		{"genode", required_argument, NULL, 'g'},
		{"db", required_argument, NULL, 'd'},
		{"no-db", no_argument, NULL, 'n'},
		{"report", required_argument, NULL, 'r'},
		{"touch", required_argument, NULL, 't'},
		{"ram", required_argument, NULL, 'R'},
		{"caps", required_argument, NULL, 'C'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *pols[MAX_ITEMS], *lays[MAX_ITEMS];
	char pol_buf[MAX_ITEMS][256], lay_buf[MAX_ITEMS][256];
	const char *genode = "26.02", *dbpath = "rmsim.db", *report = NULL;
	unsigned npol = 0, nlay = 0, i, j, k;
	uint64_t ram = 0, caps = 0;
	int64_t first_run = 0;
	enum rp_touch touch = RP_TOUCH_FIRST;
	bool no_db = false, quiet = false, deviations = false;
	struct db *db = NULL;
	struct sigaction sa;
	enum db_error de;
	char msg[1024];
	int c, status = EXIT_OK;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:l:g:d:nr:t:qh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'p':
			npol = add_list(optarg, pols, pol_buf, npol);
			break;
		case 'l':
			nlay = add_list(optarg, lays, lay_buf, nlay);
			break;
		case 'g':
			genode = optarg;
			break;
		case 'd':
			dbpath = optarg;
			break;
		case 'n':
			no_db = true;
			break;
		case 'r':
			report = optarg;
			break;
		case 't':
			if (strcmp(optarg, "none") == 0)
				touch = RP_TOUCH_NONE;
			else if (strcmp(optarg, "first") == 0)
				touch = RP_TOUCH_FIRST;
			else if (strcmp(optarg, "all") == 0)
				touch = RP_TOUCH_ALL;
			else
				return cli_fail(EXIT_USAGE, "compare",
						"--touch takes none, first or "
						"all");
			break;
		case 'R':
			if (cli_parse_size(optarg, &ram))
				return cli_fail(EXIT_USAGE, "compare",
						"--ram takes a size");
			break;
		case 'C':
			if (cli_parse_size(optarg, &caps))
				return cli_fail(EXIT_USAGE, "compare",
						"--caps takes a number");
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			compare_usage(stdout);
			return EXIT_OK;
		case 'V':
			cli_version();
			return EXIT_OK;
		default:
			compare_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind == argc) {
		compare_usage(stderr);
		return EXIT_USAGE;
	}
	if (report && no_db)
		return cli_fail(EXIT_USAGE, "compare",
				"--report reads the database: drop --no-db");
	if (npol == 0) {
		const struct pol_policy *const *b;

		for (b = pol_builtin(); *b && npol < MAX_ITEMS; b++)
			pols[npol++] = (*b)->name;
	}
	if (nlay == 0)
		lays[nlay++] = "nova-x86_64";
	/* check every spec before the first run */
	for (i = 0; i < npol; i++)
		for (j = 0; j < nlay; j++) {
			struct rp_options o;

			memset(&o, 0, sizeof(o));
			if (cli_policy_setup(pols[i], lays[j], genode, ram, caps,
					     &o, msg, sizeof(msg)))
				return cli_fail(EXIT_USAGE, "compare", "%s",
						msg);
			if (!o.pol)
				return cli_fail(EXIT_USAGE, "compare",
						"'%s' is not a Genode policy: "
						"compare judges policies "
						"against linux",
						pols[i]);
		}
	if (!no_db) {
		db = db_open(dbpath, &de, msg, sizeof(msg));
		if (!db)
			return cli_fail(de == DB_ECANTCREATE ? EXIT_CANTCREAT
				       : de == DB_ECORRUPT	? EXIT_DATAERR
							: EXIT_IOERR,
					"compare", "%s", msg);
	}
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	for (k = optind; k < (unsigned)argc && !status; k++) {
		uint64_t need = 0;

		if (!ram) {
			status = rp_reference_need(argv[k], 0, &need, msg,
						   sizeof(msg));
			if (status) {
				fprintf(stderr, "%s%s\n",
					status == EXIT_DATAERR
						? ""
						: "rmsim compare: ",
					msg);
				break;
			}
		}
		for (j = 0; j < nlay && !status; j++) {
			struct rp_options q;

			printf("\n%s on %s\n", argv[k], lays[j]);
			memset(&q, 0, sizeof(q));
			cli_policy_setup(pols[0], lays[j], genode, ram, caps,
					 &q, msg, sizeof(msg));
			cli_derive_ram(&q, ram, need);
			cli_print_quota(stdout, &q);
			print_header();
			for (i = 0; i < npol && !status; i++) {
				struct rp_options o;
				struct rp_summary s;

				memset(&o, 0, sizeof(o));
				cli_policy_setup(pols[i], lays[j], genode, ram,
						 caps, &o, msg, sizeof(msg));
				cli_derive_ram(&o, ram, need);
				o.trace = argv[k];
				o.touch = touch;
				o.db = db;
				o.command = "compare";
				o.stop = &stop_signal;
				o.progress = !quiet && isatty(2);
				status = rp_replay(&o, &s);
				if (status && status != EXIT_SIGINT &&
				    status != EXIT_SIGTERM) {
					fprintf(stderr, "%s%s\n",
						status == EXIT_DATAERR
							? ""
							: "rmsim compare: ",
						s.error);
					break;
				}
				if (!first_run)
					first_run = s.run_id;
				print_row(o.pol->name, &s);
				fflush(stdout);
				if (s.findings || s.mismatches)
					deviations = true;
			}
		}
	}
	if (db) {
		enum db_error e = db_close(db);

		if (e && !status)
			status = cli_fail(EXIT_IOERR, "compare",
					  "%s: cannot finish the database",
					  dbpath);
	}
	if (!status && db && !quiet) {
		/* the decision over this comparison's runs only */
		if (rep_decision_print(dbpath, first_run, stdout, msg,
				       sizeof(msg)))
			fprintf(stderr, "rmsim compare: %s\n", msg);
	}
	if (!status && report) {
		if (rep_write(dbpath, report, msg, sizeof(msg)))
			return cli_fail(EXIT_CANTCREAT, "compare", "%s", msg);
		if (!quiet)
			printf("\nreport: %s/report.html, %s/report.md\n",
			       report, report);
	}
	if (!quiet && !status)
		printf("\ncolumns: findings by kind (result, address, hint, "
		       "access-missing,\naccess-extra, content, resource, "
		       "address-space, divergence, outside: on\nranges execve "
		       "made, not counted), consequences of an exhausted "
		       "quota,\nreference mismatches against the trace, "
		       "peak RAM and caps, RM sessions,\nattachments, RPCs, "
		       "faults, RAM held beyond the program's writable\n"
		       "memory, events per second, the trace line of the "
		       "first finding.\n");
	if (status)
		return status;
	return deviations ? EXIT_DEVIATIONS : EXIT_OK;
}
