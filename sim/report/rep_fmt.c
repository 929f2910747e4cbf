/*
 * rep_fmt.c - how the report writes things: the catalogue of metrics
 * (label, unit, order), the stable order of finding kinds, numbers with
 * units, calls in strace's form, escaping for HTML and Markdown, and the
 * colours of policies and region kinds.  The writers share it so the
 * Markdown and the HTML say the same thing the same way.
 */
#include "report/rep_internal.h"

#include "rmsim/abi.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#define NELEM(a) (sizeof(a) / sizeof((a)[0]))

/* ---- metrics ---- */

/* name, label, unit, section, lower is better, part of the one above */
#define GEN "Genode resources"
static const struct rep_metric_info metrics[] = {
	{"events", "events replayed", REP_U_COUNT, "Replay", false, false},
	{"events_per_s", "replay speed", REP_U_RATE, "Replay", false, false},
	{"mismatches", "results that differ", REP_U_COUNT,
	 "Replay", true, false},
	{"mismatch_errno", "errno differs", REP_U_COUNT, "Replay", true, true},
	{"mismatch_result", "success/failure differs", REP_U_COUNT,
	 "Replay", true, true},
	{"mismatch_value", "value differs", REP_U_COUNT, "Replay", true, true},
	{"mismatch_address", "address differs", REP_U_COUNT,
	 "Replay", true, true},
	{"mmaps_placed", "non-fixed mmaps placed", REP_U_COUNT,
	 "Replay", false, false},
	{"mmaps_exact", "at the recorded address", REP_U_COUNT,
	 "Replay", false, true},
	{"mmaps_concurrent", "concurrent with another thread's",
	 REP_U_COUNT, "Replay", false, true},
	{"unmodelled", "address-space calls not modelled", REP_U_COUNT,
	 "Replay", false, false},
	{"adopted", "ranges adopted from execve", REP_U_COUNT,
	 "Replay", false, false},
	{"ram_peak", "RAM quota used, peak", REP_U_BYTES, GEN, true, false},
	{"ram_final", "RAM quota used, at the end", REP_U_BYTES,
	 GEN, true, false},
	{"waste_bytes", "RAM held but not mapped", REP_U_BYTES,
	 GEN, true, false},
	{"caps_peak", "caps used, peak", REP_U_COUNT, GEN, true, false},
	{"caps_final", "caps used, at the end", REP_U_COUNT, GEN, true, false},
	{"rm_sessions", "RM sessions", REP_U_COUNT, GEN, true, false},
	{"region_maps", "region maps", REP_U_COUNT, GEN, true, false},
	{"attachments_peak", "attachments, peak", REP_U_COUNT,
	 GEN, true, false},
	{"faults", "page faults", REP_U_COUNT, GEN, true, false},
	{"rpc_total", "RPCs to core", REP_U_COUNT, "RPCs", true, false},
	{"rpc_alloc_ram", "alloc RAM", REP_U_COUNT, "RPCs", true, true},
	{"rpc_free_ram", "free RAM", REP_U_COUNT, "RPCs", true, true},
	{"rpc_rm_create", "create region map", REP_U_COUNT, "RPCs", true, true},
	{"rpc_rm_destroy", "destroy region map", REP_U_COUNT,
	 "RPCs", true, true},
	{"rpc_attach", "attach", REP_U_COUNT, "RPCs", true, true},
	{"rpc_detach", "detach", REP_U_COUNT, "RPCs", true, true},
	{"rpc_upgrade", "session upgrade", REP_U_COUNT, "RPCs", true, true},
	{"rpc_fault", "fault handling", REP_U_COUNT, "RPCs", true, true},
	{"rpc_fault_handler", "register fault handler", REP_U_COUNT,
	 "RPCs", true, true},
	{"rpc_dataspace", "region map's dataspace", REP_U_COUNT,
	 "RPCs", true, true},
	{"rpc_session", "open session", REP_U_COUNT, "RPCs", true, true},
	{"rpc_close", "close session", REP_U_COUNT, "RPCs", true, true},
	{"rpc_transfer_quota", "transfer quota", REP_U_COUNT,
	 "RPCs", true, true},
	{"posix_mapped_peak", "mapped, peak", REP_U_BYTES,
	 "POSIX view", false, false},
	{"posix_writable_peak", "writable, peak", REP_U_BYTES,
	 "POSIX view", false, false},
	{"findings", "all findings", REP_U_COUNT, "Findings", true, false},
	{"findings_result", "result", REP_U_COUNT, "Findings", true, true},
	{"findings_address", "address", REP_U_COUNT, "Findings", true, true},
	{"findings_hint", "hint", REP_U_COUNT, "Findings", true, true},
	{"findings_access-missing", "access-missing", REP_U_COUNT,
	 "Findings", true, true},
	{"findings_access-extra", "access-extra", REP_U_COUNT,
	 "Findings", true, true},
	{"findings_content", "content", REP_U_COUNT, "Findings", true, true},
	{"findings_resource", "resource", REP_U_COUNT, "Findings", true, true},
	{"findings_address-space", "address-space", REP_U_COUNT,
	 "Findings", true, true},
	{"findings_divergence", "divergence", REP_U_COUNT,
	 "Findings", true, true},
	{"findings_outside", "outside (not counted)", REP_U_COUNT,
	 "Findings", false, true},
	{"findings_consequences", "consequences of a quota", REP_U_COUNT,
	 "Findings", false, true},
	{"cases_passed", "cases passed", REP_U_COUNT,
	 "Conformance", false, false},
	{"cases_failed", "cases failed", REP_U_COUNT,
	 "Conformance", true, false},
	{"cases_unsupported", "cases unsupported", REP_U_COUNT,
	 "Conformance", false, false},
};
#undef GEN

/* Names the catalogue lacks but whose family it knows are listed after
 * the family's last known member: a new RPC with the RPCs. */
static const struct {
	const char *prefix, *last, *section;
} families[] = {
	{"rpc_", "rpc_transfer_quota", "RPCs"},
	{"findings_", "findings_consequences", "Findings"},
};

static int metric_index(const char *name)
{
	size_t i, j;

	for (i = 0; i < NELEM(metrics); i++)
		if (strcmp(metrics[i].name, name) == 0)
			return (int)i;
	for (j = 0; j < NELEM(families); j++)
		if (strncmp(name, families[j].prefix,
			    strlen(families[j].prefix)) == 0)
			for (i = 0; i < NELEM(metrics); i++)
				if (strcmp(metrics[i].name, families[j].last) ==
				    0)
					return (int)i;
	return -1;
}

struct rep_metric_info rep_metric_info(const char *name)
{
	int i = metric_index(name);
	struct rep_metric_info m = {name, name, REP_U_COUNT, "Other", false,
				    false};
	size_t j;

	if (i >= 0 && strcmp(metrics[i].name, name) == 0)
		return metrics[i];
	for (j = 0; j < NELEM(families); j++)
		if (strncmp(name, families[j].prefix,
			    strlen(families[j].prefix)) == 0) {
			/* indented under the family, like its members */
			m.label = name;
			m.section = families[j].section;
			m.lower_better = true;
			m.sub = true;
			return m;
		}
	if (strstr(name, "bytes") || strstr(name, "ram"))
		m.unit = REP_U_BYTES;
	return m;
}

int rep_metric_cmp(const char *a, const char *b)
{
	int ia = metric_index(a), ib = metric_index(b);

	if (ia < 0)
		ia = (int)NELEM(metrics);
	if (ib < 0)
		ib = (int)NELEM(metrics);
	if (ia != ib)
		return ia < ib ? -1 : 1;
	return strcmp(a, b);
}

/* ---- findings and verdicts ---- */

static const struct {
	const char *kind, *desc;
} kinds[] = {
	{"result", "the value or errno differs from the recorded one"},
	{"address", "placed at another address than Linux would"},
	{"hint", "an address hint Linux would honour was not"},
	{"access-missing", "an access Linux allows faults"},
	{"access-extra", "an access Linux refuses succeeds"},
	{"content", "memory holds other bytes than on Linux"},
	{"resource", "a Genode quota (RAM or caps, of the PD or an RM "
		     "session) ran out where Linux succeeded"},
	{"address-space", "no room left in the policy's address space "
			  "(layout, window) where Linux found some"},
	{"divergence", "the program would take another path from here"},
	{"outside", "on a range execve made (binary, ld.so, stack): "
		    "Genode's dynamic linker loads those, not the libc "
		    "policy; not counted against the policy"},
};

int rep_kind_rank(const char *kind)
{
	size_t i;

	for (i = 0; i < NELEM(kinds); i++)
		if (strcmp(kinds[i].kind, kind) == 0)
			return (int)i;
	return (int)NELEM(kinds);
}

const char *rep_kind_desc(const char *kind)
{
	int i = rep_kind_rank(kind);

	return i < (int)NELEM(kinds) ? kinds[i].desc : NULL;
}

int rep_verdict_index(const char *v)
{
	static const char *const names[] = {"pass", "fail", "unsupported",
					    "error"};
	int i;

	for (i = 0; i < 4; i++)
		if (strcmp(v, names[i]) == 0)
			return i;
	return -1;
}

/* ---- numbers ---- */

char *rep_fmt_bytes(double v, char *buf, size_t size)
{
	static const char *const units[] = {"B",   "KiB", "MiB", "GiB",
					    "TiB", "PiB", "EiB"};
	double a = fabs(v);
	int u = 0;

	if (isnan(v)) {
		snprintf(buf, size, "–");
		return buf;
	}
	while (a >= 1024 && u < 6) {
		a /= 1024;
		u++;
	}
	if (u == 0 || a == floor(a))
		snprintf(buf, size, "%s%.0f %s", v < 0 ? "-" : "", a, units[u]);
	else
		snprintf(buf, size, "%s%.*f %s", v < 0 ? "-" : "",
			 a < 10 ? 2 : a < 100 ? 1 : 0, a, units[u]);
	return buf;
}

/* Thousands separated by a thin space: readable, and not a decimal
 * comma in any language. */
char *rep_fmt_count(double v, char *buf, size_t size)
{
	char digits[48];
	size_t n, i, o = 0;
	const char *p = digits;

	if (isnan(v)) {
		snprintf(buf, size, "–");
		return buf;
	}
	if (v != floor(v) || fabs(v) >= 1e18) {
		snprintf(buf, size, "%.*f", fabs(v) < 10 ? 2 : 1, v);
		return buf;
	}
	snprintf(digits, sizeof(digits), "%.0f", v);
	if (*p == '-' && o + 1 < size)
		buf[o++] = *p++;
	n = strlen(p);
	for (i = 0; i < n && o + 4 < size; i++) {
		if (i && (n - i) % 3 == 0) {
			/* U+2009 THIN SPACE */
			buf[o++] = (char)0xe2;
			buf[o++] = (char)0x80;
			buf[o++] = (char)0x89;
		}
		if (o + 1 < size)
			buf[o++] = p[i];
	}
	buf[o < size ? o : size - 1] = '\0';
	return buf;
}

char *rep_fmt_hex(uint64_t v, char *buf, size_t size)
{
	snprintf(buf, size, "%#" PRIx64, v);
	return buf;
}

char *rep_fmt_ms(double ms, char *buf, size_t size)
{
	if (isnan(ms))
		snprintf(buf, size, "–");
	else if (ms < 1000)
		snprintf(buf, size, "%.1f ms", ms);
	else
		snprintf(buf, size, "%.2f s", ms / 1000);
	return buf;
}

char *rep_fmt_metric(const char *name, double v, char *buf, size_t size)
{
	struct rep_metric_info m = rep_metric_info(name);
	char n[64];

	switch (m.unit) {
	case REP_U_BYTES:
		return rep_fmt_bytes(v, buf, size);
	case REP_U_RATE:
		if (isnan(v))
			return rep_fmt_count(v, buf, size);
		snprintf(buf, size, "%s /s", rep_fmt_count(round(v), n,
							   sizeof(n)));
		return buf;
	case REP_U_MS:
		return rep_fmt_ms(v, buf, size);
	case REP_U_COUNT:
		break;
	}
	return rep_fmt_count(v, buf, size);
}

/* ---- calls ---- */

static void put(char *buf, size_t size, size_t *pos, const char *s)
{
	size_t n = strlen(s);

	if (*pos >= size)
		return;
	if (n >= size - *pos)
		n = size - *pos - 1;
	memcpy(buf + *pos, s, n);
	*pos += n;
	buf[*pos] = '\0';
}

static void put_addr(char *buf, size_t size, size_t *pos, uint64_t v)
{
	char t[24];

	put(buf, size, pos, v ? rep_fmt_hex(v, t, sizeof(t)) : "NULL");
}

static void put_dec(char *buf, size_t size, size_t *pos, uint64_t v)
{
	char t[24];

	snprintf(t, sizeof(t), "%" PRIu64, v);
	put(buf, size, pos, t);
}

static void put_flags(char *buf, size_t size, size_t *pos,
		      const char *prefix, uint64_t v)
{
	char t[256];

	if (v == 0) {
		/* the zero-valued name, as strace prints it */
		put(buf, size, pos,
		    strcmp(prefix, "PROT_") == 0 ? "PROT_NONE" : "0");
		return;
	}
	put(buf, size, pos, abi_flags_str(prefix, v, t, sizeof(t)));
}

/* madvise's advice is a value, not a set of bits: look its name up. */
static void put_advice(char *buf, size_t size, size_t *pos, uint64_t v)
{
	static const char *const names[] = {
		"MADV_NORMAL",	    "MADV_RANDOM",	 "MADV_SEQUENTIAL",
		"MADV_WILLNEED",    "MADV_DONTNEED",	 "MADV_FREE",
		"MADV_REMOVE",	    "MADV_DONTFORK",	 "MADV_DOFORK",
		"MADV_MERGEABLE",   "MADV_UNMERGEABLE",	 "MADV_HUGEPAGE",
		"MADV_NOHUGEPAGE",  "MADV_DONTDUMP",	 "MADV_DODUMP",
		"MADV_WIPEONFORK",  "MADV_KEEPONFORK",	 "MADV_COLD",
		"MADV_PAGEOUT",	    "MADV_POPULATE_READ",
		"MADV_POPULATE_WRITE", "MADV_COLLAPSE",	 "MADV_HWPOISON",
		"MADV_SOFT_OFFLINE",
	};
	uint64_t val;
	size_t i;

	for (i = 0; i < NELEM(names); i++)
		if (abi_const_value(names[i], strlen(names[i]), &val) == 0 &&
		    val == v) {
			put(buf, size, pos, names[i]);
			return;
		}
	put_dec(buf, size, pos, v);
}

char *rep_fmt_call(const struct rep_finding *f, char *buf, size_t size)
{
	const char *c = f->call ? f->call : "?";
	const uint64_t *a = f->arg;
	size_t pos = 0;
	unsigned i;
	char t[24];

	buf[0] = '\0';
	put(buf, size, &pos, c);
	put(buf, size, &pos, "(");
	if (strcmp(c, "mmap") == 0 && f->nargs == 6) {
		put_addr(buf, size, &pos, a[0]);
		put(buf, size, &pos, ", ");
		put_dec(buf, size, &pos, a[1]);
		put(buf, size, &pos, ", ");
		put_flags(buf, size, &pos, "PROT_", a[2]);
		put(buf, size, &pos, ", ");
		put_flags(buf, size, &pos, "MAP_", a[3]);
		snprintf(t, sizeof(t), ", %d, ", (int)(int32_t)a[4]);
		put(buf, size, &pos, t);
		put(buf, size, &pos, rep_fmt_hex(a[5], t, sizeof(t)));
	} else if ((strcmp(c, "mprotect") == 0 ||
		    strcmp(c, "pkey_mprotect") == 0 ||
		    strcmp(c, "madvise") == 0) &&
		   f->nargs >= 3) {
		put_addr(buf, size, &pos, a[0]);
		put(buf, size, &pos, ", ");
		put_dec(buf, size, &pos, a[1]);
		put(buf, size, &pos, ", ");
		if (strcmp(c, "madvise") == 0)
			put_advice(buf, size, &pos, a[2]);
		else
			put_flags(buf, size, &pos, "PROT_", a[2]);
		for (i = 3; i < f->nargs; i++) {
			put(buf, size, &pos, ", ");
			put_dec(buf, size, &pos, a[i]);
		}
	} else if (strcmp(c, "mremap") == 0 && f->nargs >= 4) {
		put_addr(buf, size, &pos, a[0]);
		put(buf, size, &pos, ", ");
		put_dec(buf, size, &pos, a[1]);
		put(buf, size, &pos, ", ");
		put_dec(buf, size, &pos, a[2]);
		put(buf, size, &pos, ", ");
		put_flags(buf, size, &pos, "MREMAP_", a[3]);
		if (f->nargs > 4) {
			put(buf, size, &pos, ", ");
			put_addr(buf, size, &pos, a[4]);
		}
	} else if ((strcmp(c, "munmap") == 0 || strcmp(c, "mlock") == 0 ||
		    strcmp(c, "munlock") == 0 || strcmp(c, "msync") == 0 ||
		    strcmp(c, "mlock2") == 0 || strcmp(c, "mincore") == 0) &&
		   f->nargs >= 2) {
		put_addr(buf, size, &pos, a[0]);
		put(buf, size, &pos, ", ");
		put_dec(buf, size, &pos, a[1]);
		if (f->nargs > 2) {
			put(buf, size, &pos, ", ");
			if (strcmp(c, "msync") == 0)
				put_flags(buf, size, &pos, "MS_", a[2]);
			else if (strcmp(c, "mlock2") == 0)
				put_flags(buf, size, &pos, "MLOCK_", a[2]);
			else
				put_addr(buf, size, &pos, a[2]);
		}
	} else if (strcmp(c, "mlockall") == 0 && f->nargs >= 1) {
		put_flags(buf, size, &pos, "MCL_", a[0]);
	} else {
		for (i = 0; i < f->nargs; i++) {
			if (i)
				put(buf, size, &pos, ", ");
			put(buf, size, &pos, rep_fmt_hex(a[i], t, sizeof(t)));
		}
	}
	put(buf, size, &pos, ")");
	return buf;
}

char *rep_fmt_result(bool known, int64_t ret, const char *err, char *buf,
		     size_t size)
{
	if (!known)
		snprintf(buf, size, "?");
	else if (err)
		snprintf(buf, size, "-1 %s", err);
	else if (ret >= -4096 && ret < 65536)
		snprintf(buf, size, "%" PRId64, ret);
	else
		rep_fmt_hex((uint64_t)ret, buf, size);
	return buf;
}

const char *rep_basename(const char *path)
{
	const char *s;

	if (!path)
		return "";
	s = strrchr(path, '/');
	return s && s[1] ? s + 1 : path;
}

void rep_case_section(const char *name, char *buf, size_t size)
{
	size_t i;

	for (i = 0; name[i] && (name[i] < '0' || name[i] > '9') &&
		    name[i] != '-' && i + 1 < size;
	     i++)
		buf[i] = (char)(name[i] >= 'a' && name[i] <= 'z'
					? name[i] - 'a' + 'A'
					: name[i]);
	buf[i] = '\0';
	if (!i)
		snprintf(buf, size, "?");
}

/* ---- escaping ---- */

void rep_html(FILE *f, const char *s)
{
	if (!s)
		return;
	for (; *s; s++) {
		switch (*s) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			/* control characters would make the page invalid */
			if ((unsigned char)*s < 0x20 && *s != '\n' &&
			    *s != '\t')
				fputc(' ', f);
			else
				fputc(*s, f);
		}
	}
}

void rep_md(FILE *f, const char *s)
{
	if (!s)
		return;
	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c < 0x20) {
			fputc(' ', f);	/* a line break ends the table row */
		} else if (c == '&') {
			fputs("&amp;", f);
		} else if (c == '<') {
			fputs("&lt;", f);
		} else if (c == '>') {
			fputs("&gt;", f);
		} else if (strchr("\\`*_[]|~#!", c)) {
			fputc('\\', f);
			fputc(c, f);
		} else {
			fputc(c, f);
		}
	}
}

void rep_md_code(FILE *f, const char *s)
{
	fputc('`', f);
	for (; s && *s; s++) {
		if (*s == '|')
			fputs("\\|", f);	/* a table cell ends at a pipe,
						 * even in a code span */
		else if (*s == '`' || (unsigned char)*s < 0x20)
			fputc(' ', f);
		else
			fputc(*s, f);
	}
	fputc('`', f);
}

/* ---- colours ---- */

/* Okabe and Ito's palette, told apart with most colour vision, then
 * darker tones for more policies. */
const char *rep_policy_colour(int i)
{
	static const char *const c[] = {"#0072b2", "#d55e00", "#009e73",
					"#cc79a7", "#e69f00", "#56b4e9",
					"#555555", "#8c564b", "#7a5195",
					"#2f4b7c"};

	return c[(unsigned)i % NELEM(c)];
}

static const struct rep_kind_style styles[] = {
	{"fixed", "#c8ccd2", "#6f7680", "Genode's fixed areas"},
	{"window", "#d6e6f7", "#3f7fc0", "managed dataspace (a region map "
					 "of its own)"},
	{"reserved", "url(#rep-hatch-reserved)", "#c77a1e",
	 "reserved, no RAM"},
	{"committed", "#8fd19e", "#2e8540", "committed RAM"},
	{"hole", "url(#rep-hatch-hole)", "#c9302c",
	 "hole left by an implicit detach"},
	{"free", "#fbfbfb", "#b8b8b8", "free"},
};

static const struct rep_kind_style other_style = {
	"other", "#e3d4f5", "#7d5ba6", "other"};

const struct rep_kind_style *rep_kind_style(const char *kind)
{
	size_t i;

	for (i = 0; i < NELEM(styles); i++)
		if (strcmp(styles[i].kind, kind) == 0)
			return &styles[i];
	return &other_style;
}

const struct rep_kind_style *rep_kind_styles(size_t *n)
{
	*n = NELEM(styles);
	return styles;
}

/*
 * Advances of DejaVu Sans, the page's first font, in thousandths of an
 * em, for printable ASCII from the space on; the fallbacks are narrower.
 * Anything else (the ellipsis, other scripts) counts as a full em.
 * Monospace is 0.602 em in DejaVu Sans Mono and close to it elsewhere.
 */
static const unsigned short advance[95] = {
	318, 401, 460, 838, 636, 950, 780, 275, 390, 390,	/*  !"#$%&'() */
	500, 838, 318, 361, 318, 337, 636, 636, 636, 636,	/* *+,-./0123 */
	636, 636, 636, 636, 636, 636, 337, 337, 838, 838,	/* 456789:;<= */
	838, 531, 1000, 684, 686, 698, 770, 632, 575, 775,	/* >?@ABCDEFG */
	752, 295, 295, 656, 557, 863, 748, 787, 603, 787,	/* HIJKLMNOPQ */
	695, 635, 611, 732, 684, 989, 685, 611, 685, 390,	/* RSTUVWXYZ[ */
	337, 390, 838, 500, 500, 613, 635, 550, 635, 615,	/* \]^_`abcde */
	352, 635, 634, 278, 278, 579, 278, 974, 634, 612,	/* fghijklmno */
	635, 635, 411, 521, 392, 634, 592, 818, 592, 592,	/* pqrstuvwxy */
	525, 636, 337, 636, 838,				/* z{|}~ */
};

double rep_text_w(const char *s, double font_px, bool mono)
{
	double em = 0;

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;

		if ((c & 0xc0) == 0x80)
			continue;	/* inside a UTF-8 sequence */
		if (mono)
			em += 0.61;
		else if (c >= 0x20 && c < 0x7f)
			em += advance[c - 0x20] / 1000.0;
		else
			em += 1.0;
	}
	/* a little more: rounding, hinting, a bolder fallback */
	return em * font_px * (mono ? 1.0 : 1.05);
}
