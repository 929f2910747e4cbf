/*
 * spec.c - a policy spec, NAME[:KEY=VALUE[,KEY=VALUE]...], checked
 * against the policy's parameter table and spelt one canonical way.
 *
 * ALGORITHM: split off NAME at the first ':', load the policy
 * (registry.c), then read the comma-separated items in order.  Each item
 * must be KEY=VALUE with a key of the table, given once, whose value
 * parses (one number syntax: decimal, 0x hex, K/M/G/T binary suffixes)
 * and is accepted (range, alignment, power of two).  The canonical
 * parameters list the keys the spec gave, in the table's order, with
 * their values spelt by pol_param_print, leaving out a key whose value is
 * its fixed default: `window`, `window:pool=2M` and `window:pool=2048K`
 * are one run, `window:pool=0` another.  A policy without a table (an
 * ABI 1 object) gets its items checked for shape and duplicates only and
 * kept in the order given.
 *
 * One spec is one policy: a comma never starts another policy (repeat
 * --policy for that), so `window:base=0x1000000000,size=512G` is one
 * window with two parameters.
 *
 * INVARIANTS: out->canon is the policy's name when out->params is "",
 * else name ':' params; for a built-in, parsing out->canon again yields
 * the same canon.
 */
#include "rmsim/policy.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#define MAX_ITEMS 32

static const struct pol_param *table(const struct pol_policy *pol)
{
	/* an ABI 1 object's struct ends before the table */
	return pol && pol->abi >= 2 ? pol->params : NULL;
}

void pol_spec_format(char *buf, size_t size, const char *name,
		     const char *params)
{
	snprintf(buf, size, "%s%s%s", name, params && *params ? ":" : "",
		 params && *params ? params : "");
}

void pol_param_print(const struct pol_param *p, uint64_t v, char *buf,
		     size_t size)
{
	static const char suffix[] = "KMGT";
	int i;

	if (p->kind == POL_PARAM_ADDR) {
		snprintf(buf, size, "%#" PRIx64, v);
		return;
	}
	if (p->kind == POL_PARAM_SIZE && v == UINT64_MAX) {
		snprintf(buf, size, "0x%" PRIx64, v);
		return;
	}
	if (p->kind == POL_PARAM_SIZE)
		for (i = 3; i >= 0; i--) {
			unsigned shift = 10 * (unsigned)(i + 1);

			if (v && (v & ((1ULL << shift) - 1)) == 0) {
				snprintf(buf, size, "%" PRIu64 "%c", v >> shift,
					 suffix[i]);
				return;
			}
		}
	snprintf(buf, size, "%" PRIu64, v);
}

void pol_param_describe(const struct pol_param *p, char *buf, size_t size)
{
	char lo[32], hi[32], al[32], df[32];

	pol_param_print(p, p->min, lo, sizeof(lo));
	pol_param_print(p, p->max, hi, sizeof(hi));
	pol_param_print(p, p->align, al, sizeof(al));
	if (p->flags & POL_PARAM_AUTO)
		snprintf(df, sizeof(df), "auto");
	else
		pol_param_print(p, p->dflt, df, sizeof(df));
	snprintf(buf, size, "%s %s..%s%s%s%s, default %s",
		 p->kind == POL_PARAM_ADDR   ? "an address"
		 : p->kind == POL_PARAM_SIZE ? "a size"
					     : "a number",
		 lo, hi, p->flags & POL_PARAM_POW2 ? ", a power of two" : "",
		 p->align > 1 ? ", a multiple of " : "", p->align > 1 ? al : "",
		 df);
}

int pol_param_accepts(const struct pol_param *p, uint64_t v, char *err,
		      size_t errsize)
{
	char what[160];

	if (v >= p->min && v <= p->max &&
	    (p->align <= 1 || v % p->align == 0) &&
	    (!(p->flags & POL_PARAM_POW2) || (v && !(v & (v - 1)))))
		return 0;
	pol_param_describe(p, what, sizeof(what));
	snprintf(err, errsize, "%s takes %s", p->key, what);
	return -EINVAL;
}

/* The keys of @t, for a message: "base, size, pool". */
static void key_list(const struct pol_param *t, char *buf, size_t size)
{
	size_t used = 0;

	buf[0] = '\0';
	for (; t && t->key && used < size; t++)
		used += (size_t)snprintf(buf + used, size - used, "%s%s",
					 used ? ", " : "", t->key);
	if (!buf[0])
		snprintf(buf, size, "no parameters");
}

struct item {
	const char *key, *val;
	size_t klen, vlen;
};

/* Split @s into KEY=VALUE items; -1 with a message on a bad item. */
static int split(const char *name, const char *s, struct item *it, unsigned *n,
		 char *err, size_t errsize)
{
	const char *p = s;

	*n = 0;
	while (*p) {
		const char *end = strchr(p, ','), *eq;
		size_t len = end ? (size_t)(end - p) : strlen(p);

		eq = memchr(p, '=', len);
		if (!eq || eq == p) {
			snprintf(err, errsize,
				 "%s: '%.*s' is not KEY=VALUE (one --policy "
				 "per policy; commas separate parameters)",
				 name, (int)len, p);
			return -1;
		}
		if (*n == MAX_ITEMS) {
			snprintf(err, errsize, "%s: more than %d parameters",
				 name, MAX_ITEMS);
			return -1;
		}
		it[*n].key = p;
		it[*n].klen = (size_t)(eq - p);
		it[*n].val = eq + 1;
		it[*n].vlen = len - it[*n].klen - 1;
		(*n)++;
		if (!end)
			break;
		p = end + 1;
		if (!*p) {
			snprintf(err, errsize, "%s: a trailing comma", name);
			return -1;
		}
	}
	return 0;
}

static bool key_is(const struct item *it, const char *key)
{
	return strlen(key) == it->klen && memcmp(it->key, key, it->klen) == 0;
}

/* Canonical parameters of @pol from @it into @out. */
static int canonical(const struct pol_policy *pol, const char *name,
		     const struct item *it, unsigned n, char *out, size_t size,
		     char *err, size_t errsize)
{
	const struct pol_param *t = table(pol), *p;
	char keys[256], why[256], val[64];
	size_t used = 0;
	unsigned i, j;

	out[0] = '\0';
	for (i = 0; i < n; i++)
		for (j = 0; j < i; j++)
			if (it[j].klen == it[i].klen &&
			    memcmp(it[j].key, it[i].key, it[i].klen) == 0) {
				snprintf(err, errsize,
					 "%s: key '%.*s' given twice", name,
					 (int)it[i].klen, it[i].key);
				return -1;
			}
	if (!t && pol && pol->abi < 2) {
		/* an ABI 1 object: its own init judges the values */
		for (i = 0; i < n && used < size; i++)
			used += (size_t)snprintf(
				out + used, size - used, "%s%.*s", i ? "," : "",
				(int)(it[i].klen + 1 + it[i].vlen), it[i].key);
		return 0;
	}
	key_list(t, keys, sizeof(keys));
	for (i = 0; i < n; i++) {
		for (p = t; p && p->key && !key_is(&it[i], p->key); p++)
			;
		if (!p || !p->key) {
			snprintf(err, errsize,
				 "%s: unknown key '%.*s' (%s takes %s)", name,
				 (int)it[i].klen, it[i].key, name, keys);
			return -1;
		}
	}
	for (p = t; p && p->key; p++) {
		uint64_t v;

		for (i = 0; i < n && !key_is(&it[i], p->key); i++)
			;
		if (i == n)
			continue;
		if (pol_param_value(p, it[i].val, it[i].vlen, &v)) {
			pol_param_describe(p, why, sizeof(why));
			snprintf(err, errsize,
				 "%s: %s=%.*s: not a value (%s takes %s)", name,
				 p->key, (int)it[i].vlen, it[i].val, p->key,
				 why);
			return -1;
		}
		if (pol_param_accepts(p, v, why, sizeof(why))) {
			snprintf(err, errsize, "%s: %s=%.*s: %s", name, p->key,
				 (int)it[i].vlen, it[i].val, why);
			return -1;
		}
		if (!(p->flags & POL_PARAM_AUTO) && v == p->dflt)
			continue;
		pol_param_print(p, v, val, sizeof(val));
		used += (size_t)snprintf(
			out + used, used < size ? size - used : 0, "%s%s=%s",
			used ? "," : "", p->key, val);
	}
	if (used >= size) {
		snprintf(err, errsize, "%s: parameters too long", name);
		return -1;
	}
	return 0;
}

int pol_spec_parse(const char *spec, struct pol_spec *out, char *err,
		   size_t errsize)
{
	const char *colon = strchr(spec, ':'), *params;
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	struct item it[MAX_ITEMS];
	unsigned n;

	memset(out, 0, sizeof(*out));
	if (len == 0) {
		snprintf(err, errsize, "an empty policy name");
		return -EINVAL;
	}
	if (len >= sizeof(out->name) || strlen(spec) >= sizeof(out->canon)) {
		snprintf(err, errsize, "policy spec too long");
		return -EINVAL;
	}
	memcpy(out->name, spec, len);
	params = colon ? colon + 1 : "";
	if (strchr(out->name, ',')) {
		snprintf(err, errsize,
			 "'%s': one policy per --policy (repeat --policy for "
			 "several)",
			 out->name);
		return -EINVAL;
	}
	if (strcmp(out->name, "linux") == 0 ||
	    strcmp(out->name, "native") == 0 ||
	    strcmp(out->name, "none") == 0) {
		if (colon) {
			snprintf(err, errsize, "%s takes no parameters",
				 out->name);
			return -EINVAL;
		}
		snprintf(out->canon, sizeof(out->canon), "%s", out->name);
		return 0;
	}
	out->pol = pol_load(spec, &params, err, errsize);
	if (!out->pol)
		return -EINVAL;
	if (colon && !*params) {
		snprintf(err, errsize, "%s: nothing after ':'", out->name);
		return -EINVAL;
	}
	if (split(out->name, params, it, &n, err, errsize) ||
	    canonical(out->pol, out->name, it, n, out->params,
		      sizeof(out->params), err, errsize))
		return -EINVAL;
	/* a loaded policy's own name: it cannot be a built-in's */
	pol_spec_format(out->canon, sizeof(out->canon), out->pol->name,
			out->params);
	return 0;
}
