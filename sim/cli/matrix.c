/*
 * matrix.c - the command line compare, sweep and plan share (matrix.h).
 * --policy takes one policy a time (repeat it for several): commas
 * inside it separate the policy's parameters, never policies.  --layout
 * takes a layout or a comma list.
 */
#include "matrix.h"

#include "cli.h"
#include "runner.h"
#include "rmsim/trace.h"

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static volatile sig_atomic_t stop_signal;

static void on_signal(int sig)
{
	stop_signal = sig;
}

void cli_matrix_exec(const struct cli_matrix *m, struct cli_exec *x)
{
	struct sigaction sa;

	memset(x, 0, sizeof(*x));
	x->command = m->cmd;
	x->genode = m->genode;
	x->ram = m->ram;
	x->caps = m->caps;
	x->touch = m->touch;
	x->jobs = m->jobs;
	x->timeout = m->timeout;
	x->dbpath = m->no_db ? NULL : m->dbpath;
	x->progress = !m->quiet && isatty(2);
	x->stop = &stop_signal;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
}

/* Can @trace be read to its end?  0, or the exit status with @msg. */
static int readable(const char *trace, char *msg, size_t size)
{
	struct tr_options topt = {0};
	struct tr_reader *r;
	struct tr_event ev;
	int err = 0, rc;

	r = tr_open(trace, &topt, &err);
	if (!r) {
		snprintf(msg, size, "%s: %s", trace, strerror(-err));
		return tr_missing_input(err) ? EXIT_NOINPUT : EXIT_IOERR;
	}
	while ((rc = tr_next(r, &ev)) > 0)
		;
	if (rc < 0)
		snprintf(msg, size, "%s", tr_error(r));
	tr_close(r);
	return rc < 0 ? (rc == -EIO ? EXIT_IOERR : EXIT_DATAERR) : 0;
}

int cli_matrix_needs(struct cli_matrix *m, uint64_t *need)
{
	char msg[1024];
	unsigned t, k;
	int status;

	for (t = 0; t < m->ntraces; t++)
		if (rp_touch_resolve(m->traces[t], m->touch, msg,
				     sizeof(msg)) < 0)
			return cli_fail(EXIT_USAGE, m->cmd, "%s", msg);
	for (t = 0; t < m->ntraces;) {
		need[t] = 0;
		/* every trace is read before the first run, so a bad one
		 * stops the command before it writes anything */
		status = m->ram ? readable(m->traces[t], msg, sizeof(msg))
				: rp_reference_need(m->traces[t], 0, &need[t],
						    msg, sizeof(msg));
		if (!status) {
			t++;
			continue;
		}
		if (status == EXIT_DATAERR)
			fprintf(stderr, "%s\n", msg); /* FILE:LINE: ... */
		else
			cli_fail(status, m->cmd, "%s", msg);
		if (!m->keep_going)
			return status;
		/* --keep-going: the others run; the exit status says */
		fprintf(stderr, "rmsim %s: %s left out (--keep-going)\n",
			m->cmd, m->traces[t]);
		if (!m->bad)
			m->bad = status;
		for (k = t; k + 1 < m->ntraces; k++)
			m->traces[k] = m->traces[k + 1];
		m->ntraces--;
	}
	return m->ntraces ? -1 : m->bad;
}

void cli_matrix_help(FILE *f)
{
	fprintf(f,
		"  -p, --policy P    one policy: NAME[:KEY=VALUE,...]; repeat "
		"for several\n"
		"                    (rmsim policies lists the keys; default: "
		"every built-in)\n"
		"  -l, --layout L    a layout, repeatable or a comma list "
		"(default nova-x86_64)\n"
		"  -g, --genode V    Genode version (default 26.02)\n"
		"  -d, --db FILE     log here (default rmsim.db)\n"
		"  -n, --no-db       do not log\n"
		"  -t, --touch MODE  recorded (the side file's page faults; "
		"the default for a\n"
		"                    trace that has them), none, first (the "
		"default for one\n"
		"                    that has not) or all\n"
		"      --ram SIZE    each component's RAM quota (default: the "
		"reference's peak\n"
		"                    writable bytes + 50%% + 32 MiB, per "
		"trace)\n"
		"      --caps N      each component's cap quota (default "
		"20000)\n"
		"  -j, --jobs N      worker processes (default: the number of "
		"cores)\n"
		"      --timeout S   fail a run that takes longer than S "
		"seconds\n"
		"  -k, --keep-going  leave out a trace that cannot be read, run "
		"the others,\n                    and exit with its status "
		"(65, 66) at the end\n"
		"  -q, --quiet       only the tables\n");
}

static int add_layouts(struct cli_matrix *m, const char *arg)
{
	char copy[1024], *tok, *save;

	snprintf(copy, sizeof(copy), "%s", arg);
	for (tok = strtok_r(copy, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (m->nlayouts == CLI_MAX_LAYOUTS)
			return -1;
		snprintf(m->layout[m->nlayouts++], sizeof(m->layout[0]), "%s",
			 tok);
	}
	return 0;
}

int cli_matrix_parse(int argc, char **argv, struct cli_matrix *m,
		     void (*usage)(FILE *))
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
		{"jobs", required_argument, NULL, 'j'},
		{"timeout", required_argument, NULL, 'T'},
		{"best", required_argument, NULL, 'B'},
		{"budget", required_argument, NULL, 'b'},
		{"shards", required_argument, NULL, 'S'},
		{"sbatch", required_argument, NULL, 's'},
		{"rmsim", required_argument, NULL, 'X'},
		{"quiet", no_argument, NULL, 'q'},
		{"keep-going", no_argument, NULL, 'k'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *cmd = m->cmd;
	bool sweep = strcmp(cmd, "sweep") == 0, plan = strcmp(cmd, "plan") == 0;
	char *end;
	int c;

	m->genode = "26.02";
	m->dbpath = "rmsim.db";
	m->touch = RP_TOUCH_AUTO;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:l:g:d:nr:t:j:qkh", longopts,
				NULL)) != -1) {
		switch (c) {
		case 'p':
			if (!*optarg)
				return cli_fail(EXIT_USAGE, cmd,
						"--policy takes a policy");
			if (m->npolicies == CLI_MAX_POLICIES)
				return cli_fail(EXIT_USAGE, cmd,
						"more than %d policies",
						CLI_MAX_POLICIES);
			m->policy[m->npolicies++] = optarg;
			break;
		case 'l':
			if (add_layouts(m, optarg))
				return cli_fail(EXIT_USAGE, cmd,
						"more than %d layouts",
						CLI_MAX_LAYOUTS);
			break;
		case 'g':
			m->genode = optarg;
			break;
		case 'd':
			if (!*optarg)
				return cli_fail(EXIT_USAGE, cmd,
						"--db takes a file name");
			m->dbpath = optarg;
			m->db_given = true;
			break;
		case 'n':
			m->no_db = true;
			break;
		case 'r':
			m->report = optarg;
			break;
		case 't':
			if (rp_touch_parse(optarg) < 0)
				return cli_fail(EXIT_USAGE, cmd,
						"--touch takes recorded, none, "
						"first or all");
			m->touch = (enum rp_touch)rp_touch_parse(optarg);
			break;
		case 'R':
			if (cli_parse_size(optarg, &m->ram) || !m->ram)
				return cli_fail(
					EXIT_USAGE, cmd,
					"--ram takes a size (4G, 512M)");
			break;
		case 'C':
			if (cli_parse_size(optarg, &m->caps) || !m->caps)
				return cli_fail(EXIT_USAGE, cmd,
						"--caps takes a positive "
						"number");
			break;
		case 'j':
			if (cli_parse_jobs(optarg, &m->jobs))
				return cli_fail(EXIT_USAGE, cmd,
						"-j takes a number of workers, "
						"1 to 256");
			break;
		case 'T':
			m->timeout = strtod(optarg, &end);
			if (end == optarg || *end || !(m->timeout > 0))
				return cli_fail(EXIT_USAGE, cmd,
						"--timeout takes seconds");
			break;
		case 'B':
			if (!sweep)
				return cli_fail(EXIT_USAGE, cmd,
						"--best is sweep's");
			m->best = optarg;
			break;
		case 'b': {
			unsigned long v;

			v = strtoul(optarg, &end, 10);
			if (!sweep || end == optarg || *end || v == 0 ||
			    v > 1000000)
				return cli_fail(EXIT_USAGE, cmd,
						"--budget takes a number of "
						"runs (sweep --best)");
			m->budget = (unsigned)v;
			break;
		}
		case 'S':
		case 's':
		case 'X':
			if (!plan)
				return cli_fail(
					EXIT_USAGE, cmd,
					"--shards, --sbatch and --rmsim "
					"are plan's");
			if (c == 'S')
				m->shards = optarg;
			else if (c == 's')
				m->sbatch = optarg;
			else
				m->rmsim = optarg;
			break;
		case 'q':
			m->quiet = true;
			break;
		case 'k':
			m->keep_going = true;
			break;
		case 'h':
			usage(stdout);
			return EXIT_OK;
		case 'V':
			cli_version();
			return EXIT_OK;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (optind == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	m->traces = argv + optind;
	m->ntraces = (unsigned)(argc - optind);
	if (m->no_db && m->db_given)
		return cli_fail(EXIT_USAGE, cmd, "--db and --no-db together");
	if (m->report && m->no_db)
		return cli_fail(EXIT_USAGE, cmd,
				"--report reads the database: drop --no-db");
	if (m->budget && !m->best)
		return cli_fail(EXIT_USAGE, cmd, "--budget goes with --best");
	if (m->nlayouts == 0)
		snprintf(m->layout[m->nlayouts++], sizeof(m->layout[0]),
			 "nova-x86_64");
	return -1;
}
