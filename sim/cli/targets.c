/*
 * targets.c - what --policy, --layout, --genode, --ram and --caps mean,
 * shared by replay and compare: a spec names the reference (linux), the
 * host kernel (native), a built-in policy with parameters
 * (window:size=1G) or a shared object (./libx.so:params).
 */
#include "cli.h"
#include "native/native.h"

#include <inttypes.h>

#include "rmsim/policy.h"
#include "rmsim/replay.h"

#include <string.h>

int cli_policy_setup(const char *spec, const char *layout, const char *genode,
		     uint64_t ram, uint64_t caps, struct rp_options *o,
		     char *err, size_t errsize)
{
	const struct lay_layout *lay;
	enum gn_version v;

	o->policy = spec;
	o->pol = NULL;
	o->params = "";
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
	if (strcmp(spec, "native") == 0)
		nat_configure(o->gn.ram_quota, 0);	/* the child's memory */
	if (strcmp(spec, "linux") == 0 || strcmp(spec, "native") == 0)
		return 0;
	o->pol = pol_load(spec, &o->params, err, errsize);
	return o->pol ? 0 : -1;
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
