/*
 * cmd_conform.c - `rmsim conform`: run conformance cases on backends and
 * print a table of verdicts, with the first failing line of each failure.
 */
#include "cli.h"

#include "native/native.h"
#include "replay/target.h"
#include "replay/target_genode.h"
#include "rmsim/conform.h"
#include "rmsim/db.h"
#include "rmsim/genode.h"
#include "rmsim/policy.h"
#include "rmsim/layout.h"
#include "rmsim/posix.h"

#include <dirent.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#define MAX_BACKENDS 8

/* The Linux version the reference model implements. */
static const int model_kernel[3] = {6, 18, 0};

struct paths {
	char **v;
	size_t n, cap;
	/* files and folders met in the walk, by device and inode: each is
	 * visited once, whatever symbolic links lead to it again */
	struct seen {
		dev_t dev;
		ino_t ino;
	} *seen;
	size_t nseen, capseen;	/* capseen: 0 or a power of two */
};

static int add_path(struct paths *p, const char *s)
{
	if (p->n == p->cap) {
		size_t ncap = p->cap ? p->cap * 2 : 64;
		char **n = realloc(p->v, ncap * sizeof(*n));

		if (!n)
			return -1;
		p->v = n;
		p->cap = ncap;
	}
	p->v[p->n] = strdup(s);
	return p->v[p->n] ? (int)(p->n++ * 0) : -1;
}

static size_t seen_slot(const struct seen *v, size_t cap, dev_t dev, ino_t ino)
{
	size_t i = (size_t)(((uint64_t)ino * 0x9e3779b97f4a7c15ULL) ^
			    (uint64_t)dev) & (cap - 1);

	while ((v[i].dev || v[i].ino) && !(v[i].dev == dev && v[i].ino == ino))
		i = (i + 1) & (cap - 1);
	return i;
}

/*
 * First time the walk meets this file or folder?  Records it.  (dev 0,
 * inode 0 marks an empty slot; no file system hands that pair out.)
 */
static bool first_visit(struct paths *p, const struct stat *st)
{
	size_t i;

	if (2 * (p->nseen + 1) > p->capseen) {
		size_t ncap = p->capseen ? p->capseen * 2 : 64, j;
		struct seen *n = calloc(ncap, sizeof(*n));

		if (!n)
			return false;
		for (j = 0; j < p->capseen; j++)
			if (p->seen[j].dev || p->seen[j].ino)
				n[seen_slot(n, ncap, p->seen[j].dev,
					    p->seen[j].ino)] = p->seen[j];
		free(p->seen);
		p->seen = n;
		p->capseen = ncap;
	}
	i = seen_slot(p->seen, p->capseen, st->st_dev, st->st_ino);
	if (p->seen[i].dev == st->st_dev && p->seen[i].ino == st->st_ino &&
	    (st->st_dev || st->st_ino))
		return false;
	p->seen[i].dev = st->st_dev;
	p->seen[i].ino = st->st_ino;
	p->nseen++;
	return true;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * Every *.case below @dir, recursively, each folder and file once (a
 * symbolic link back up the tree is not followed twice).  The path lives
 * on the heap: a deep tree must not exhaust the stack.
 */
static int collect(struct paths *p, const char *dir)
{
	DIR *d;
	struct dirent *e;
	struct stat st;
	char *path;
	size_t n, dlen = strlen(dir);

	if (stat(dir, &st))
		return -1;
	if (!first_visit(p, &st))
		return 0;
	d = opendir(dir);
	if (!d)
		return -1;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		n = strlen(e->d_name);
		path = malloc(dlen + n + 2);
		if (!path)
			break;
		memcpy(path, dir, dlen);
		path[dlen] = '/';
		memcpy(path + dlen + 1, e->d_name, n + 1);
		if (stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode))
				collect(p, path);
			else if (n > 5 &&
				 strcmp(e->d_name + n - 5, ".case") == 0 &&
				 first_visit(p, &st))
				add_path(p, path);
		}
		free(path);
	}
	closedir(d);
	return 0;
}

static void conform_usage(FILE *f)
{
	fprintf(f,
		"usage: rmsim conform [CASE|DIR]... [--policy P]... "
		"[--db FILE | --no-db] [-q]\n\n"
		"Run conformance cases (files or folders of *.case; default "
		"tests/cases) on\neach policy and print the verdicts.\n\n"
		"  -p, --policy P    linux (the reference model), native "
		"(the host kernel) or\n"
		"                    none (the bare Genode model, for Genode "
		"statements);\n"
		"                    repeat or give a list (default linux)\n"
		"  -l, --layout L    Genode layout (rmsim layouts; default "
		"nova-x86_64)\n"
		"  -g, --genode V    Genode version: 20.05, 24.08 or 26.02 "
		"(default)\n"
		"  -d, --db FILE     log case results to FILE (default "
		"rmsim.db)\n"
		"  -n, --no-db       do not log\n"
		"  -q, --quiet       print failures and the totals only\n"
		"Exit: 0 every case passed or is unsupported, 1 some failed, "
		"65 a malformed\ncase, 66 no such case, 73/74 cannot write the "
		"database.\n");
}

static void setup_backend(const char *name, struct pol_spec *ps,
			 struct cf_backend *b,
			 struct rp_target *t, struct px_config *cfg,
			 struct rp_genode_cfg *gcfg,
			 const struct lay_layout *layout,
			 enum gn_version version)
{
	struct utsname u;
	struct rlimit rl;

	memset(b, 0, sizeof(*b));
	b->root = geteuid() == 0;
	if (strcmp(name, "linux") == 0) {
		rp_target_linux(t);
		/* the model gets the host's privileges and lock limit, so
		 * that cases mean the same on both */
		px_default_config(cfg);
		cfg->cap_ipc_lock = b->root;
		cfg->cap_sys_rawio = b->root;
		if (getrlimit(RLIMIT_MEMLOCK, &rl) == 0)
			cfg->memlock_limit = rl.rlim_cur == RLIM_INFINITY
						     ? UINT64_MAX
						     : rl.rlim_cur;
		t->ctx = cfg;
		memcpy(b->kernel, model_kernel, sizeof(b->kernel));
	} else if (strcmp(name, "none") == 0) {
		/* the bare Genode model: Genode statements, load, store */
		memset(gcfg, 0, sizeof(*gcfg));
		gn_default_config(&gcfg->gn);
		gcfg->gn.version = version;
		gcfg->gn.layout = layout;
		rp_target_genode(t, gcfg);
		b->genode_version = gn_version_number(version);
		b->genode = rp_genode_ctx;
		b->layout = layout->name;
	} else if (strcmp(name, "native") == 0) {
		nat_target(t);
		if (uname(&u) == 0)
			sscanf(u.release, "%d.%d.%d", &b->kernel[0],
			       &b->kernel[1], &b->kernel[2]);
	} else {
		/* a policy on the Genode model, judged by Linux's rules */
		const struct pol_policy *pol = ps->pol;

		memset(gcfg, 0, sizeof(*gcfg));
		gn_default_config(&gcfg->gn);
		gcfg->gn.version = version;
		gcfg->gn.layout = layout;
		gcfg->gn.ram_quota = CLI_DEFAULT_RAM;
		gcfg->gn.cap_quota = CLI_DEFAULT_CAPS;
		gcfg->pol = pol;
		gcfg->params = ps->params;
		rp_target_genode(t, gcfg);
		b->genode_version = gn_version_number(version);
		b->genode = rp_genode_ctx;
		b->layout = layout->name;
		memcpy(b->kernel, model_kernel, sizeof(b->kernel));
	}
	b->name = ps->canon;
	b->target = t;
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int cmd_conform(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"policy", required_argument, NULL, 'p'},
		{"layout", required_argument, NULL, 'l'},
		{"genode", required_argument, NULL, 'g'},
		{"db", required_argument, NULL, 'd'},
		{"no-db", no_argument, NULL, 'n'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	const char *names[MAX_BACKENDS], *dbpath = "rmsim.db";
	const char *layout = "nova-x86_64";
	struct cf_backend be[MAX_BACKENDS];
	struct rp_target tg[MAX_BACKENDS];
	struct px_config cfg[MAX_BACKENDS];
	struct rp_genode_cfg gcfg[MAX_BACKENDS];
	const struct lay_layout *lay;
	enum gn_version gver = GN_VERSION_DEFAULT;
	unsigned nb = 0, i, k, pass[MAX_BACKENDS] = {0},
		 fail[MAX_BACKENDS] = {0}, unsup[MAX_BACKENDS] = {0};
	int64_t run_id[MAX_BACKENDS] = {0};
	struct paths files = {0};
	struct cf_case **cases = NULL;
	struct db *db = NULL;
	bool no_db = false, quiet = false, bad = false;
	char msg[4096];
	struct pol_spec spec[MAX_BACKENDS];
	double t0[MAX_BACKENDS] = {0}, spent[MAX_BACKENDS] = {0};
	int c, status = EXIT_OK;
	struct stat st;
	enum db_error de;

	optind = 1;
	while ((c = getopt_long(argc, argv, "p:l:g:d:nqh", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'p':
			/* one policy a time: commas are its parameters' */
			if (nb == MAX_BACKENDS)
				return cli_fail(EXIT_USAGE, "conform",
						"too many policies");
			names[nb++] = optarg;
			break;
		case 'l':
			layout = optarg;
			break;
		case 'g':
			if (gn_version_parse(optarg, &gver))
				return cli_fail(EXIT_USAGE, "conform",
						"unknown Genode version '%s' "
						"(20.05, 24.08, 26.02)",
						optarg);
			break;
		case 'd':
			dbpath = optarg;
			break;
		case 'n':
			no_db = true;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			conform_usage(stdout);
			return EXIT_OK;
		case 'V':
			cli_version();
			return EXIT_OK;
		default:
			conform_usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (nb == 0)
		names[nb++] = "linux";
	lay = lay_find(layout);
	if (!lay)
		return cli_fail(EXIT_USAGE, "conform",
				"unknown layout '%s' (rmsim layouts lists "
				"them)",
				layout);
	for (i = 0; i < nb; i++) {
		if (pol_spec_parse(names[i], &spec[i], msg, sizeof(msg)))
			return cli_fail(EXIT_USAGE, "conform", "%s", msg);
		setup_backend(names[i], &spec[i], &be[i], &tg[i], &cfg[i],
			      &gcfg[i], lay, gver);
		names[i] = spec[i].canon;
	}
	if (optind == argc) {
		if (collect(&files, "tests/cases"))
			return cli_fail(EXIT_NOINPUT, "conform",
					"tests/cases: no such folder (name "
					"the cases to run)");
	}
	for (; optind < argc; optind++) {
		if (stat(argv[optind], &st))
			return cli_fail(EXIT_NOINPUT, "conform",
					"%s: no such case or folder",
					argv[optind]);
		if (S_ISDIR(st.st_mode))
			collect(&files, argv[optind]);
		else
			add_path(&files, argv[optind]);
	}
	if (files.n == 0)
		return cli_fail(EXIT_NOINPUT, "conform", "no cases found");
	qsort(files.v, files.n, sizeof(files.v[0]), cmp_str);
	cases = calloc(files.n, sizeof(*cases));
	for (i = 0; i < files.n; i++) {
		bool missing;

		cases[i] = cf_load(files.v[i], msg, sizeof(msg), &missing);
		if (!cases[i]) {
			fprintf(stderr, "%s\n", msg);
			bad = true;
			if (missing)
				status = EXIT_NOINPUT;
		}
	}
	if (bad) {
		status = status ? status : EXIT_DATAERR;
		goto out;
	}
	if (!no_db) {
		db = db_open(dbpath, &de, msg, sizeof(msg));
		if (!db) {
			status = cli_fail(de == DB_ECANTCREATE ? EXIT_CANTCREAT
					  : de == DB_ECORRUPT  ? EXIT_DATAERR
							       : EXIT_IOERR,
					  "conform", "%s", msg);
			goto out;
		}
		for (k = 0; k < nb; k++) {
			struct db_run_info info = {
				.trace = optind < argc ? argv[optind]
						       : "tests/cases",
				.policy = spec[k].pol ? spec[k].pol->name
						      : spec[k].canon,
				.params = spec[k].params[0] ? spec[k].params
							    : NULL,
				.layout = layout,
				.genode_version =
					be[k].genode ? gn_version_name(gver)
						     : NULL,
				.command = "conform",
			};

			if (db_run_begin(db, &info, &run_id[k])) {
				status = cli_fail(EXIT_IOERR, "conform", "%s",
						  db_errmsg(db));
				goto out;
			}
			if (be[k].genode) {
				/* Genode operations become mapping rows */
				gcfg[k].db = db;
				gcfg[k].run_id = run_id[k];
			}
		}
	}
	if (!quiet) {
		printf("%-44s", "case");
		for (k = 0; k < nb; k++)
			printf(" %-12s", names[k]);
		printf("\n");
	}
	for (i = 0; i < files.n; i++) {
		char details[MAX_BACKENDS][512];
		enum cf_verdict v[MAX_BACKENDS];
		bool any_fail = false;

		for (k = 0; k < nb; k++) {
			t0[k] = now_s();
			v[k] = cf_run(cases[i], &be[k], details[k],
				      sizeof(details[k]));
			spent[k] += now_s() - t0[k];
			if (v[k] == CF_PASS)
				pass[k]++;
			else if (v[k] == CF_UNSUPPORTED)
				unsup[k]++;
			else
				fail[k]++, any_fail = true;
			if (db && db_case_result_add(db, run_id[k],
						     cf_name(cases[i]),
						     cf_verdict_name(v[k]),
						     details[k][0] ? details[k]
								   : NULL)) {
				status = cli_fail(EXIT_IOERR, "conform", "%s",
						  db_errmsg(db));
				goto out;
			}
		}
		if (!quiet || any_fail) {
			printf("%-44s", cf_name(cases[i]));
			for (k = 0; k < nb; k++)
				printf(" %-12s", cf_verdict_name(v[k]));
			printf("\n");
		}
		for (k = 0; k < nb; k++)
			if (v[k] == CF_FAIL || v[k] == CF_ERROR)
				printf("    %s: %s\n", names[k], details[k]);
	}
	printf("\n");
	for (k = 0; k < nb; k++) {
		printf("%-8s %u passed, %u failed, %u unsupported of %zu cases "
		       "(%.3f s)\n",
		       names[k], pass[k], fail[k], unsup[k], files.n, spent[k]);
		if (fail[k])
			status = EXIT_DEVIATIONS;
		if (db) {
			char m[64];

			db_metric_add(db, run_id[k], "cases_passed", pass[k]);
			db_metric_add(db, run_id[k], "cases_failed", fail[k]);
			db_metric_add(db, run_id[k], "cases_unsupported",
				      unsup[k]);
			snprintf(m, sizeof(m), "%u of %zu failed", fail[k],
				 files.n);
			db_run_end(db, run_id[k], "complete", files.n,
				   spent[k] * 1000, fail[k] ? m : NULL);
		}
	}
out:
	if (db && db_close(db) && !status)
		status = EXIT_IOERR;
	for (i = 0; i < files.n; i++) {
		if (cases)
			cf_free(cases[i]);
		free(files.v[i]);
	}
	free(cases);
	free(files.v);
	free(files.seen);
	return status;
}
