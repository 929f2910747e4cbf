/*
 * targets.c - what --policy, --layout, --genode, --ram and --caps mean,
 * shared by replay, compare and sweep: a spec names the reference
 * (linux), the host kernel (native), a built-in policy with parameters
 * (window:size=1G) or a shared object (./libx.so:params); the grammar
 * is pol_spec_parse's.
 */
#include "cli.h"
#include "native/native.h"

#include <inttypes.h>

#include "rmsim/layout.h"
#include "rmsim/policy.h"
#include "rmsim/replay.h"

#include <errno.h>
#include <string.h>

/* Does @pol take @params on @o's component?  Built-ins only: a loaded
 * policy runs in a worker process, never in this one. */
static int trial_init(const struct pol_policy *pol, const char *canon,
		      const char *params, const struct rp_options *o,
		      char *err, size_t errsize)
{
	const struct pol_policy *const *b;
	struct pol_env env;
	void *st = NULL;
	int rc;

	for (b = pol_builtin(); *b && *b != pol; b++)
		;
	if (!*b)
		return 0;
	env.gn = gn_ctx_new(&o->gn);
	if (!env.gn)
		return 0;	/* the run will say so */
	env.layout = gn_ctx_layout(env.gn);
	env.version = gn_ctx_version(env.gn);
	lay_va_range(env.layout, gn_version_number(env.version),
		     &env.va_start, &env.va_end);
	rc = pol->init(&env, params, &st);
	if (rc == 0 && pol->fini)
		pol->fini(st);
	gn_ctx_free(env.gn);
	if (rc)
		snprintf(err, errsize,
			 "%s: %s on layout %s with Genode %s (rmsim policies "
			 "lists what each key takes)",
			 canon,
			 rc == -EINVAL ? "the policy refuses these parameters"
				       : "the component cannot afford the "
					 "set-up",
			 o->layout, o->genode_version);
	return rc ? -1 : 0;
}

int cli_policy_setup(const char *spec, struct pol_spec *ps,
		     const char *layout, const char *genode, uint64_t ram,
		     uint64_t caps, struct rp_options *o, char *err,
		     size_t errsize)
{
	const struct lay_layout *lay;
	enum gn_version v;

	if (pol_spec_parse(spec, ps, err, errsize))
		return -1;
	o->policy = ps->canon;
	o->pol = ps->pol;
	o->params = ps->params;
	lay = lay_find(layout);
	if (!lay) {
		snprintf(err, errsize,
			 "unknown layout '%s' (rmsim layouts lists them)",
			 layout);
		return -1;
	}
	if (gn_version_parse(genode, &v)) {
		snprintf(err, errsize,
			 "unknown Genode version '%s' (20.05, 24.08, 26.02)",
			 genode);
		return -1;
	}
	o->layout = lay->name;
	o->genode_version = gn_version_name(v);
	gn_default_config(&o->gn);
	o->gn.version = v;
	o->gn.layout = lay;
	o->gn.ram_quota = ram ? ram : CLI_DEFAULT_RAM;
	o->gn.cap_quota = caps ? caps : CLI_DEFAULT_CAPS;
	if (strcmp(ps->name, "native") == 0)
		nat_configure(o->gn.ram_quota, 0);	/* the child's memory */
	if (!o->pol) {
		if (strcmp(ps->name, "none") == 0) {
			snprintf(err, errsize,
				 "'none' runs Genode cases only (conform)");
			return -1;
		}
		return 0;
	}
	return trial_init(o->pol, ps->canon, o->params, o, err, errsize);
}

void cli_derive_ram(struct rp_options *o, uint64_t ram_given,
		    uint64_t need)
{
	if (!o->pol || ram_given)
		return;
	o->gn.ram_quota = rp_derive_ram(need);
	o->ram_derived = true;
	o->ram_need = need;
}

void cli_print_quota(FILE *f, const struct rp_options *o)
{
	if (!o->pol)
		return;
	fprintf(f, "quota      RAM %.1f MiB", (double)o->gn.ram_quota / (1 << 20));
	if (o->ram_derived)
		fprintf(f, " (from the trace: the reference's writable peak "
			"%.1f MiB + %d%% + %llu MiB)",
			(double)o->ram_need / (1 << 20), RP_RAM_MARGIN_PCT,
			(unsigned long long)(RP_RAM_MARGIN_FIXED >> 20));
	fprintf(f, ", caps %" PRIu64 "\n", o->gn.cap_quota);
}

int cli_parse_size(const char *s, uint64_t *out)
{
	char buf[96];

	/* one parser for sizes: the policy parameters' */
	snprintf(buf, sizeof(buf), "v=%s", s);
	return pol_param_u64(buf, "v", 0, out) == 1 ? 0 : -1;
}
