/*
 * registry.c - finding policies by name, loading out-of-tree ones, and
 * reading their parameters.
 *
 * A spec is NAME[:PARAMS] or PATH[:PARAMS]; anything with a '/' or
 * ending in ".so" is a shared object, opened with dlopen and asked for
 * its `rmsim_policy` symbol.  Parameters are "key=value" pairs separated
 * by commas; sizes take K/M/G/T suffixes (binary), addresses 0x hex.
 */
#include "rmsim/policy.h"

#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

static bool is_object(const char *name, size_t len)
{
	return memchr(name, '/', len) ||
	       (len > 3 && memcmp(name + len - 3, ".so", 3) == 0);
}

const struct pol_policy *pol_load(const char *spec, const char **params,
				  char *err, size_t errsize)
{
	const struct pol_policy *const *lists[] = {pol_builtin(), pol_ported()};
	const struct pol_policy *const *b;
	const struct pol_policy *p;
	size_t l;
	const char *colon = strchr(spec, ':'), *missing;
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	char path[4096];
	void *h;

	*params = colon ? colon + 1 : "";
	if (!is_object(spec, len)) {
		for (l = 0; l < 2; l++)
			for (b = lists[l]; *b; b++)
				if (strlen((*b)->name) == len &&
				    memcmp((*b)->name, spec, len) == 0)
					return *b;
		snprintf(err, errsize,
			 "unknown policy '%.*s' (rmsim policies lists them)",
			 (int)len, spec);
		return NULL;
	}
	if (len >= sizeof(path)) {
		snprintf(err, errsize, "policy path too long");
		return NULL;
	}
	memcpy(path, spec, len);
	path[len] = '\0';
	h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		snprintf(err, errsize, "cannot load policy %s: %s", path,
			 dlerror());
		return NULL;
	}
	p = dlsym(h, "rmsim_policy");
	if (!p) {
		snprintf(err, errsize, "%s exports no rmsim_policy", path);
		dlclose(h);
		return NULL;
	}
	if (p->abi < 1 || p->abi > POL_ABI) {
		snprintf(err, errsize,
			 "%s: policy ABI %u, this rmsim takes 1 to %u", path,
			 p->abi, POL_ABI);
		dlclose(h);
		return NULL;
	}
	/* the fields a run cannot do without, by name */
	/* every other op may be NULL: the call answers -ENOSYS */
	missing = !p->name || !p->name[0] ? "name" : !p->init ? "init" : NULL;
	if (missing) {
		snprintf(err, errsize,
			 "%s: rmsim_policy has no %s (policy.h lists the "
			 "fields)",
			 path, missing);
		dlclose(h);
		return NULL;
	}
	/* two runs are never both called libc */
	for (l = 0; l < 2; l++)
		for (b = lists[l]; *b; b++)
			if (strcmp((*b)->name, p->name) == 0 ||
			    strcmp(p->name, "linux") == 0 ||
			    strcmp(p->name, "native") == 0 ||
			    strcmp(p->name, "none") == 0) {
				snprintf(err, errsize,
					 "%s: its policy is called '%s', the "
					 "name of a built-in policy: rename it",
					 path, p->name);
				dlclose(h);
				return NULL;
			}
	return p;
}

/* Find "key=" at the start of an item of @params; the value's extent. */
static bool find(const char *params, const char *key, const char **val,
		 size_t *vlen)
{
	size_t klen = strlen(key);
	const char *p = params;

	while (p && *p) {
		const char *end = strchr(p, ',');
		size_t n = end ? (size_t)(end - p) : strlen(p);

		if (n > klen && memcmp(p, key, klen) == 0 && p[klen] == '=') {
			*val = p + klen + 1;
			*vlen = n - klen - 1;
			return true;
		}
		p = end ? end + 1 : NULL;
	}
	return false;
}

int pol_param_value(const struct pol_param *p, const char *v, size_t n,
		    uint64_t *out)
{
	size_t i = 0;
	uint64_t x = 0, mul = 1;
	int base = 10;

	(void)p; /* one syntax for every kind: sizes, addresses, counts */
	if (n > 2 && v[0] == '0' && (v[1] == 'x' || v[1] == 'X')) {
		base = 16;
		i = 2;
	}
	if (i == n)
		return -EINVAL;
	for (; i < n; i++) {
		char c = v[i];
		unsigned d;

		if (c >= '0' && c <= '9')
			d = (unsigned)(c - '0');
		else if (base == 16 && c >= 'a' && c <= 'f')
			d = (unsigned)(c - 'a' + 10);
		else if (base == 16 && c >= 'A' && c <= 'F')
			d = (unsigned)(c - 'A' + 10);
		else
			break;
		if (x > (UINT64_MAX - d) / (unsigned)base)
			return -EINVAL;
		x = x * (unsigned)base + d;
	}
	if (i == 0 || (base == 16 && i == 2))
		return -EINVAL;
	if (i < n) {
		const char *s = v + i;
		size_t r = n - i;

		if (s[0] == 'K' || s[0] == 'k')
			mul = (uint64_t)1 << 10;
		else if (s[0] == 'M')
			mul = (uint64_t)1 << 20;
		else if (s[0] == 'G')
			mul = (uint64_t)1 << 30;
		else if (s[0] == 'T')
			mul = (uint64_t)1 << 40;
		else
			return -EINVAL;
		if (!(r == 1 || (r == 3 && s[1] == 'i' && s[2] == 'B')))
			return -EINVAL;
		if (x > UINT64_MAX / mul)
			return -EINVAL;
		x *= mul;
	}
	*out = x;
	return 0;
}

int pol_param_u64(const char *params, const char *key, uint64_t dflt,
		  uint64_t *out)
{
	const char *v;
	size_t n;

	*out = dflt;
	if (!params || !find(params, key, &v, &n))
		return 0;
	return pol_param_value(NULL, v, n, out) ? -EINVAL : 1;
}

int pol_param_check(const char *params, const char *const *keys, char *bad,
		    size_t size)
{
	const char *p = params;

	while (p && *p) {
		const char *end = strchr(p, ','), *eq;
		size_t n = end ? (size_t)(end - p) : strlen(p);
		const char *const *k;
		bool ok = false;

		eq = memchr(p, '=', n);
		for (k = keys; *k && eq; k++)
			if (strlen(*k) == (size_t)(eq - p) &&
			    memcmp(*k, p, (size_t)(eq - p)) == 0)
				ok = true;
		if (!ok) {
			snprintf(bad, size, "%.*s", (int)n, p);
			return -EINVAL;
		}
		p = end ? end + 1 : NULL;
	}
	return 0;
}

/*
 * The Signal_handler a policy registers: the fault op itself, with the
 * policy's state as its argument (the op has gn_fault_fn's shape).
 */
void pol_fault_handler(const struct pol_policy *pol, void *st, gn_rm_cap map)
{
	struct gn_fault_handler h = {
		.kind = pol->fault ? GN_HANDLER_FN : GN_HANDLER_NONE,
		.fn = pol->fault,
		.arg = st,
	};

	gn_region_map_fault_handler(map, &h);
}
