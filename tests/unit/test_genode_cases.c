/*
 * test_genode_cases.c - Genode's own tests, transcribed into
 * tests/cases/genode/, run on the bare model (the `none` backend of
 * `rmsim conform`) for every supported version and layout: no case may
 * fail, each of sub_rm, rm_nested, rm_fault, rm_stress and ds_ownership
 * must pass on every version, and the Genode statements of the case
 * language reject malformed input with a message.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "target/tg_genode.h"
#include "rmsim/conform.h"

#define MAX_CASES 128

static const char *const transcribed[] = {"g01-sub_rm", "g02-rm_nested",
					  "g03-rm_fault", "g04-rm_stress",
					  "g05-ds_ownership"};

struct cases {
	struct cf_case *c[MAX_CASES];
	unsigned n;
};

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void load_all(struct cases *cs)
{
	const char *src = getenv("RMSIM_SOURCE_DIR");
	char dir[2048], path[4096], msg[512], *names[MAX_CASES];
	unsigned n = 0, i;
	struct dirent *e;
	DIR *d;

	snprintf(dir, sizeof(dir), "%s/tests/cases/genode", src ? src : ".");
	d = opendir(dir);
	assert_non_null(d);
	while ((e = readdir(d)) && n < MAX_CASES) {
		size_t l = strlen(e->d_name);

		if (l > 5 && strcmp(e->d_name + l - 5, ".case") == 0)
			names[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(names, n, sizeof(names[0]), cmp);
	cs->n = 0;
	for (i = 0; i < n; i++) {
		bool missing;

		snprintf(path, sizeof(path), "%s/%s", dir, names[i]);
		cs->c[cs->n] = cf_load(path, msg, sizeof(msg), &missing);
		if (!cs->c[cs->n])
			fail_msg("%s", msg);
		cs->n++;
		free(names[i]);
	}
	assert_true(cs->n >= 5);
}

static void backend(struct cf_backend *b, struct tg_target *t,
		    struct tg_genode_cfg *g, enum gn_version v,
		    const struct lay_layout *l)
{
	memset(b, 0, sizeof(*b));
	memset(g, 0, sizeof(*g));
	gn_default_config(&g->gn);
	g->gn.version = v;
	g->gn.layout = l;
	tg_genode(t, g);
	b->name = "none";
	b->target = t;
	b->genode_version = gn_version_number(v);
	b->genode = tg_genode_ctx;
	b->layout = l->name;
}

static void test_every_version_and_layout(void **state)
{
	struct cases cs;
	unsigned passes[MAX_CASES] = {0}, i, k;
	enum gn_version v;
	size_t li;

	load_all(&cs);
	for (v = 0; v < GN_NVERSIONS; v++) {
		for (li = 0; li < lay_count(); li++) {
			const struct lay_layout *l = lay_at(li);
			bool linux = l->kernel == LAY_LINUX;
			unsigned tests[5] = {0};
			struct cf_backend b;
			struct tg_target t;
			struct tg_genode_cfg g;

			backend(&b, &t, &g, v, l);
			for (i = 0; i < cs.n; i++) {
				char detail[512];
				enum cf_verdict r = cf_run(cs.c[i], &b, detail,
							   sizeof(detail));

				if (r != CF_PASS && r != CF_UNSUPPORTED)
					fail_msg("%s on %s, Genode %s: %s: %s",
						 cf_name(cs.c[i]), l->name,
						 gn_version_name(v),
						 cf_verdict_name(r), detail);
				if (r != CF_PASS)
					continue;
				passes[i]++;
				for (k = 0; k < 5; k++) {
					size_t tl = strlen(transcribed[k]);

					if (strncmp(cf_name(cs.c[i]),
						    transcribed[k], tl) == 0)
						tests[k]++;
				}
			}
			/* every transcribed test on every version; on
			 * base-linux only sub_rm and ds_ownership apply */
			for (k = 0; k < 5; k++)
				if (!linux || k == 0 || k == 4)
					if (!tests[k])
						fail_msg("%s does not pass on "
							 "%s, Genode %s",
							 transcribed[k],
							 l->name,
							 gn_version_name(v));
		}
	}
	for (i = 0; i < cs.n; i++) {
		if (!passes[i])
			fail_msg("%s never runs", cf_name(cs.c[i]));
		cf_free(cs.c[i]);
	}
}

/* Genode statements are read like every statement: FILE:LINE: why. */
static void test_malformed_statements(void **state)
{
	static const struct {
		const char *body, *msg;
	} bad[] = {
		{"attach(env)\n", "too few arguments"},
		{"attach(env, 1, bogus=1)\n", "unknown key for this statement"},
		{"attach(env, 1, at=)\n", "expected a value after '='"},
		{"fault(env) = READ\n", "expected the fault address"},
		{"fault(env) = SOON 0\n",
		 "expected NONE, or READ, WRITE or EXEC and an address"},
		{"ram_alloc(PG) = REGION_CONFLICT\n",
		 "this statement cannot fail that way"},
		{"ram_alloc(PG) = NO_SUCH_THING|DENIED\n", "unknown constant"},
		{"exec(0) = 5\n", "exec() can only be expected to SEGV"},
		{"$x = detach(env, 0)\n",
		 "this statement has no value to bind"},
		{"fault_handler(env, eager)\n",
		 "a fault handler is populate, none or invalid"},
		{"detach(env, 0) = 0\n",
		 "this statement has no value to expect"},
		{"$x = ram_alloc(PG) = DENIED\n",
		 "a binding takes no expected result"},
		{"# requires: genode>=twenty\nram_alloc(PG)\n",
		 "malformed kernel version"},
		{"# requires: genode~24\nram_alloc(PG)\n",
		 "expected >=, <=, >, < or = after 'genode'"},
		{"# requires: layout!linux\nram_alloc(PG)\n",
		 "expected layout=NAME or layout!=NAME"},
	};
	char path[] = "/tmp/rmsim-gn-case-XXXXXX", msg[512], want[512];
	unsigned i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int fd = mkstemp(path);
		FILE *f = fdopen(fd, "w");
		bool missing;
		struct cf_case *c;
		unsigned line = 2;

		assert_non_null(f);
		fprintf(f, "# case: X.1 malformed\n%s", bad[i].body);
		fclose(f);
		c = cf_load(path, msg, sizeof(msg), &missing);
		unlink(path);
		if (c)
			fail_msg("accepted: %s", bad[i].body);
		snprintf(want, sizeof(want), "%s:%u: %s", path, line,
			 bad[i].msg);
		assert_string_equal(msg, want);
		memcpy(path + strlen(path) - 6, "XXXXXX", 6);
	}
}

/* A Genode case on a POSIX backend is unsupported, never a pass. */
static void test_genode_case_needs_genode_backend(void **state)
{
	char path[] = "/tmp/rmsim-gn-case-XXXXXX", msg[512], detail[256];
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");
	struct cf_backend b;
	struct tg_target t;
	struct cf_case *c;
	bool missing;

	fprintf(f, "# case: X.2 genode only\n$d = ram_alloc(PG)\n");
	fclose(f);
	c = cf_load(path, msg, sizeof(msg), &missing);
	unlink(path);
	assert_non_null(c);
	memset(&b, 0, sizeof(b));
	tg_linux(&t);
	b.name = "linux";
	b.target = &t;
	assert_int_equal(cf_run(c, &b, detail, sizeof(detail)),
			 CF_UNSUPPORTED);
	cf_free(c);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_every_version_and_layout),
		cmocka_unit_test(test_malformed_statements),
		cmocka_unit_test(test_genode_case_needs_genode_backend),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
