/*
 * cmd_conform.c - `rmsim conform`: run conformance cases on backends and
 * print a table of verdicts, with the first failing line of each failure.
 */
#include "cli.h"
#include "runner.h"

#include "native/native.h"
#include "target/target.h"
#include "target/tg_genode.h"
#include "rmsim/conform.h"
#include "rmsim/db.h"
#include "rmsim/genode.h"
#include "rmsim/layout.h"
#include "rmsim/policy.h"
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
		"[--db FILE | --no-db] [-j N] [-q]\n\n"
		"Run conformance cases (files or folders of *.case; default "
		"tests/cases) on\neach policy and print the verdicts.\n\n"
		"  -p, --policy P    linux (the reference model), native "
		"(the host kernel),\n"
		"                    none (the bare Genode model, for Genode "
		"statements) or a\n"
		"                    policy spec; repeat for several (default "
		"linux)\n"
		"  -l, --layout L    Genode layout (rmsim layouts; default "
		"nova-x86_64)\n"
		"  -g, --genode V    Genode version: 20.05, 24.08 or 26.02 "
		"(default)\n"
		"  -d, --db FILE     log case results to FILE (default "
		"rmsim.db)\n"
		"  -n, --no-db       do not log\n"
		"  -j, --jobs N      backends run at once, each in a worker "
		"process (default:\n"
		"                    the number of cores)\n"
		"      --timeout S   fail a backend's run that takes longer "
		"than S seconds\n"
		"  -q, --quiet       print failures and the totals only\n"
		"Exit: 0 every case passed or is unsupported, 1 some failed, "
		"65 a malformed\ncase, 66 no such case, 73/74 cannot write the "
		"database.\n");
}

static void setup_backend(const char *name, struct pol_spec *ps,
			  struct cf_backend *b, struct tg_target *t,
			  struct px_config *cfg, struct tg_genode_cfg *gcfg,
			  const struct lay_layout *layout,
			  enum gn_version version)
{
	struct utsname u;
	struct rlimit rl;

	memset(b, 0, sizeof(*b));
	b->root = geteuid() == 0;
	if (strcmp(name, "linux") == 0) {
		tg_linux(t);
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
		tg_genode(t, gcfg);
		b->genode_version = gn_version_number(version);
		b->genode = tg_genode_ctx;
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
		tg_genode(t, gcfg);
		b->genode_version = gn_version_number(version);
		b->genode = tg_genode_ctx;
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

/* What the workers and the table share: one run per backend. */
struct conform {
	unsigned nb;
	const char *names[MAX_BACKENDS];
	struct pol_spec spec[MAX_BACKENDS];
	struct cf_backend be[MAX_BACKENDS];
	struct tg_target tg[MAX_BACKENDS];
	struct px_config cfg[MAX_BACKENDS];
	struct tg_genode_cfg gcfg[MAX_BACKENDS];
	struct cli_run runs[MAX_BACKENDS];
	const char *label, *layout;
	enum gn_version gver;
	struct cf_case **cases;
	size_t ncases;
	/* the verdicts, read back from each worker's shard */
	enum cf_verdict *v[MAX_BACKENDS];
	char (*detail[MAX_BACKENDS])[512];
	size_t got[MAX_BACKENDS];
	unsigned pass[MAX_BACKENDS], fail[MAX_BACKENDS], unsup[MAX_BACKENDS];
	int status;
};

/* The worker: every case on backend @r, into @db (its shard). */
static int conform_work(const struct cli_exec *x, struct cli_run *r,
			struct db *db, struct rp_summary *s)
{
	struct conform *cf = x->arg;
	unsigned k = (unsigned)(r - cf->runs), pass = 0, fail = 0, unsup = 0;
	struct db_run_info info = {
		.trace = cf->label,
		.policy = cf->spec[k].pol ? cf->spec[k].pol->name
					  : cf->spec[k].canon,
		.params = cf->spec[k].params[0] ? cf->spec[k].params : NULL,
		.layout = cf->layout,
		.genode_version =
			cf->be[k].genode ? gn_version_name(cf->gver) : NULL,
		.command = "conform",
	};
	char detail[512], m[64];
	int64_t run_id;
	double t0;
	size_t i;
	int e = 0;

	if (db_run_begin(db, &info, &run_id))
		goto dberr;
	if (cf->be[k].genode) {
		/* Genode operations become mapping rows */
		cf->gcfg[k].db = db;
		cf->gcfg[k].run_id = run_id;
	}
	for (i = 0; i < cf->ncases; i++) {
		enum cf_verdict v;

		t0 = now_s();
		v = cf_run(cf->cases[i], &cf->be[k], detail, sizeof(detail));
		s->wall_s += now_s() - t0;
		if (v == CF_PASS)
			pass++;
		else if (v == CF_UNSUPPORTED)
			unsup++;
		else
			fail++;
		if (db_case_result_add(db, run_id, cf_name(cf->cases[i]),
				       cf_verdict_name(v),
				       detail[0] ? detail : NULL))
			goto dberr;
	}
	s->events = cf->ncases;
	e |= db_metric_add(db, run_id, "cases_passed", pass);
	e |= db_metric_add(db, run_id, "cases_failed", fail);
	e |= db_metric_add(db, run_id, "cases_unsupported", unsup);
	snprintf(m, sizeof(m), "%u of %zu failed", fail, cf->ncases);
	if (e || db_run_end(db, run_id, "complete", cf->ncases,
			    s->wall_s * 1000, fail ? m : NULL))
		goto dberr;
	return 0;
dberr:
	snprintf(s->error, sizeof(s->error), "%s", db_errmsg(db));
	return EXIT_IOERR;
}

/* The backend whose verdicts are being read. */
struct cf_slot {
	struct conform *cf;
	unsigned k;
};

static void on_case(void *arg, const char *name, const char *verdict,
		    const char *detail)
{
	struct cf_slot *sl = arg;
	struct conform *cf = sl->cf;
	unsigned k = sl->k;
	size_t i = cf->got[k];
	int v;

	if (i == cf->ncases)
		return;
	for (v = CF_PASS; v <= CF_ERROR; v++)
		if (strcmp(verdict, cf_verdict_name(v)) == 0)
			break;
	cf->v[k][i] = v <= CF_ERROR ? (enum cf_verdict)v : CF_ERROR;
	snprintf(cf->detail[k][i], sizeof(cf->detail[k][i]), "%s",
		 detail ? detail : "");
	cf->got[k]++;
	(void)name;
}

/* A backend's run is over: read its verdicts from its shard. */
static void on_backend(void *arg, struct cli_run *r, const char *shard)
{
	struct conform *cf = arg;
	struct cf_slot sl = {cf, (unsigned)(r - cf->runs)};
	char msg[512];
	size_t i;

	if (r->status && !r->failed) {
		fprintf(stderr, "rmsim conform: %s: %s\n", r->canon,
			r->s.error);
		if (!cf->status)
			cf->status = r->status;
	}
	if (shard)
		db_read_cases(shard, on_case, &sl, msg, sizeof(msg));
	/* cases a crashed or stopped worker did not reach */
	for (i = cf->got[sl.k]; i < cf->ncases; i++) {
		cf->v[sl.k][i] = CF_ERROR;
		snprintf(cf->detail[sl.k][i], sizeof(cf->detail[sl.k][i]), "%s",
			 r->failed ? r->why : "not run");
	}
	for (i = 0; i < cf->ncases; i++)
		if (cf->v[sl.k][i] == CF_PASS)
			cf->pass[sl.k]++;
		else if (cf->v[sl.k][i] == CF_UNSUPPORTED)
			cf->unsup[sl.k]++;
		else
			cf->fail[sl.k]++;
}

int cmd_conform(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"policy", required_argument, NULL, 'p'},
		{"layout", required_argument, NULL, 'l'},
		{"genode", required_argument, NULL, 'g'},
		{"db", required_argument, NULL, 'd'},
		{"no-db", no_argument, NULL, 'n'},
		{"jobs", required_argument, NULL, 'j'},
		{"timeout", required_argument, NULL, 'T'},
		{"quiet", no_argument, NULL, 'q'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct conform *cf = calloc(1, sizeof(*cf));
	const char *dbpath = "rmsim.db";
	const struct lay_layout *lay;
	unsigned i, k, jobs = 0;
	struct paths files = {0};
	struct cli_exec x;
	bool no_db = false, db_given = false, quiet = false, bad = false;
	double timeout = 0;
	char msg[4096], *end;
	int c, status = EXIT_OK;
	struct stat st;

	if (!cf)
		return cli_fail(EXIT_SOFTWARE, "conform", "out of memory");
	cf->layout = "nova-x86_64";
	cf->gver = GN_VERSION_DEFAULT;
	optind = 1;
	while ((c = getopt_long(argc, argv, "p:l:g:d:nj:qh", longopts, NULL)) !=
	       -1) {
		switch (c) {
		case 'p':
			/* one policy a time: commas are its parameters' */
			if (cf->nb == MAX_BACKENDS) {
				status = cli_fail(EXIT_USAGE, "conform",
						  "too many policies");
				goto out;
			}
			cf->names[cf->nb++] = optarg;
			break;
		case 'l':
			cf->layout = optarg;
			break;
		case 'g':
			if (gn_version_parse(optarg, &cf->gver)) {
				status = cli_fail(EXIT_USAGE, "conform",
						  "unknown Genode version '%s' "
						  "(20.05, 24.08, 26.02)",
						  optarg);
				goto out;
			}
			break;
		case 'd':
			if (!*optarg || no_db) {
				status = cli_fail(EXIT_USAGE, "conform", "%s",
						  no_db ? "--db and --no-db "
							  "together"
							: "--db takes a file "
							  "name");
				goto out;
			}
			dbpath = optarg;
			db_given = true;
			break;
		case 'n':
			if (db_given) {
				status = cli_fail(EXIT_USAGE, "conform",
						  "--db and --no-db together");
				goto out;
			}
			no_db = true;
			break;
		case 'j':
			if (cli_parse_jobs(optarg, &jobs)) {
				status = cli_fail(EXIT_USAGE, "conform",
						  "-j takes a number of "
						  "workers, 1 to 256");
				goto out;
			}
			break;
		case 'T':
			timeout = strtod(optarg, &end);
			if (end == optarg || *end || !(timeout > 0)) {
				status = cli_fail(EXIT_USAGE, "conform",
						  "--timeout takes seconds");
				goto out;
			}
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			conform_usage(stdout);
			goto out;
		case 'V':
			cli_version();
			goto out;
		default:
			conform_usage(stderr);
			status = EXIT_USAGE;
			goto out;
		}
	}
	if (cf->nb == 0)
		cf->names[cf->nb++] = "linux";
	lay = lay_find(cf->layout);
	if (!lay) {
		status = cli_fail(EXIT_USAGE, "conform",
				  "unknown layout '%s' (rmsim layouts lists "
				  "them)",
				  cf->layout);
		goto out;
	}
	for (i = 0; i < cf->nb; i++) {
		if (pol_spec_parse(cf->names[i], &cf->spec[i], msg,
				   sizeof(msg))) {
			status = cli_fail(EXIT_USAGE, "conform", "%s", msg);
			goto out;
		}
		setup_backend(cf->names[i], &cf->spec[i], &cf->be[i],
			      &cf->tg[i], &cf->cfg[i], &cf->gcfg[i], lay,
			      cf->gver);
		cf->names[i] = cf->spec[i].canon;
	}
	cf->label = optind < argc ? argv[optind] : "tests/cases";
	if (optind == argc) {
		if (collect(&files, "tests/cases")) {
			status = cli_fail(EXIT_NOINPUT, "conform",
					  "tests/cases: no such folder (name "
					  "the cases to run)");
			goto out;
		}
	}
	for (; optind < argc; optind++) {
		if (stat(argv[optind], &st)) {
			status = cli_fail(EXIT_NOINPUT, "conform",
					  "%s: no such case or folder",
					  argv[optind]);
			goto out;
		}
		if (S_ISDIR(st.st_mode))
			collect(&files, argv[optind]);
		else
			add_path(&files, argv[optind]);
	}
	if (files.n == 0) {
		status = cli_fail(EXIT_NOINPUT, "conform", "no cases found");
		goto out;
	}
	qsort(files.v, files.n, sizeof(files.v[0]), cmp_str);
	cf->cases = calloc(files.n, sizeof(*cf->cases));
	if (!cf->cases) {
		status = cli_fail(EXIT_SOFTWARE, "conform", "out of memory");
		goto out;
	}
	for (i = 0; i < files.n; i++) {
		bool missing;

		cf->cases[i] = cf_load(files.v[i], msg, sizeof(msg), &missing);
		if (!cf->cases[i]) {
			fprintf(stderr, "%s\n", msg);
			bad = true;
			if (missing)
				status = EXIT_NOINPUT;
		}
	}
	cf->ncases = files.n;
	if (bad) {
		status = status ? status : EXIT_DATAERR;
		goto out;
	}
	for (k = 0; k < cf->nb; k++) {
		cf->v[k] = calloc(cf->ncases, sizeof(*cf->v[k]));
		cf->detail[k] = calloc(cf->ncases, sizeof(*cf->detail[k]));
		if (!cf->v[k] || !cf->detail[k]) {
			status = cli_fail(EXIT_SOFTWARE, "conform",
					  "out of memory");
			goto out;
		}
		cf->runs[k].trace = cf->label;
		cf->runs[k].layout = cf->layout;
		cf->runs[k].spec = cf->names[k];
		cf->runs[k].canon = cf->names[k];
	}
	/* one worker per backend: its verdicts come back in its shard */
	memset(&x, 0, sizeof(x));
	x.command = "conform";
	x.jobs = jobs;
	x.timeout = timeout;
	x.dbpath = no_db ? NULL : dbpath;
	x.work = conform_work;
	x.shard_always = true;
	x.done = on_backend;
	x.arg = cf;
	status = cli_runs_exec(&x, cf->runs, cf->nb);
	if (status)
		goto out;
	if (!quiet) {
		printf("%-44s", "case");
		for (k = 0; k < cf->nb; k++)
			printf(" %-12s", cf->names[k]);
		printf("\n");
	}
	for (i = 0; i < cf->ncases; i++) {
		bool any_fail = false;

		for (k = 0; k < cf->nb; k++)
			if (cf->v[k][i] == CF_FAIL || cf->v[k][i] == CF_ERROR)
				any_fail = true;
		if (!quiet || any_fail) {
			printf("%-44s", cf_name(cf->cases[i]));
			for (k = 0; k < cf->nb; k++)
				printf(" %-12s", cf_verdict_name(cf->v[k][i]));
			printf("\n");
		}
		for (k = 0; k < cf->nb; k++)
			if (cf->v[k][i] == CF_FAIL || cf->v[k][i] == CF_ERROR)
				printf("    %s: %s\n", cf->names[k],
				       cf->detail[k][i]);
	}
	printf("\n");
	for (k = 0; k < cf->nb; k++) {
		printf("%-8s %u passed, %u failed, %u unsupported of %zu cases "
		       "(%.3f s)\n",
		       cf->names[k], cf->pass[k], cf->fail[k], cf->unsup[k],
		       cf->ncases, cf->runs[k].s.wall_s);
		if (cf->fail[k])
			status = EXIT_DEVIATIONS;
	}
	if (cf->status)
		status = cf->status;
out:
	for (i = 0; i < files.n; i++) {
		if (cf->cases)
			cf_free(cf->cases[i]);
		free(files.v[i]);
	}
	for (k = 0; k < MAX_BACKENDS; k++) {
		free(cf->v[k]);
		free(cf->detail[k]);
	}
	free(cf->cases);
	free(files.v);
	free(files.seen);
	free(cf);
	return status;
}
