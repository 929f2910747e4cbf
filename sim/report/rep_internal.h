/*
 * rep_internal.h - what the parts of the report generator share: the
 * report's data as read from the database (rep_query.c fills it), the
 * formatting and escaping helpers (rep_fmt.c), and one writer per output
 * (rep_md.c, rep_html.c, rep_map.c, rep_chart.c).
 *
 * Everything read is allocated from one arena owned by struct rep_data
 * and freed at once by rep_data_free: the writers only read.
 */
#ifndef RMSIM_REP_INTERNAL_H
#define RMSIM_REP_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Deviations listed per kind and run; the rest are counted. */
#define REP_DEV_CAP 20
/* ... in report.md when the HTML has detail pages (REP_INLINE_RUNS) */
#define REP_DEV_CAP_SPLIT 3
/* Root causes listed per run, and the first events shown of each. */
#define REP_CAUSE_CAP 12
#define REP_CAUSE_EXAMPLES 3
/* Buckets the resource samples of one run are reduced to. */
#define REP_SAMPLE_BUCKETS 160
/* Replay runs up to which maps and finding lists are inline; above,
 * each trace and layout has a page of its own for them. */
#define REP_INLINE_RUNS 60
/* Regions listed in a map's table (all are drawn). */
#define REP_REGION_LIST_CAP 200

enum rep_sev { REP_SEV_ERROR, REP_SEV_WARNING, REP_SEV_INFO, REP_NSEV };

/* The series of the sample table, in the order of the charts. */
enum rep_series {
	REP_S_RAM,
	REP_S_CAPS,
	REP_S_MAPPINGS,
	REP_S_ATTACHMENTS,
	REP_NSERIES
};

struct rep_metric {
	const char *name;
	double value;
};

/* One listed deviation, with the event that caused it when logged. */
struct rep_finding {
	int64_t seq;
	const char *severity, *detail;
	bool has_event;
	int64_t line;
	const char *call, *verdict;
	unsigned nargs;
	uint64_t arg[6];
	bool traced_known, ref_known, model_known;
	int64_t traced_ret, ref_ret, model_ret;
	const char *traced_errno, *ref_errno, *model_errno;
};

/* Deviations of one kind in one run. */
struct rep_devkind {
	const char *kind;
	int64_t count[REP_NSEV];	/* by severity */
	int64_t other;			/* severities outside the three */
	int64_t total;
	struct rep_finding *list;	/* first REP_DEV_CAP by seq */
	size_t nlist;
};

/* Findings of one root cause in one run ("mprotect → ENOSYS"). */
struct rep_cause {
	const char *cause, *kind;
	enum rep_sev sev;		/* the gravest of them */
	int64_t count;
	struct rep_finding ex[REP_CAUSE_EXAMPLES];	/* the first */
	size_t nex;
};

/* One bucket of resource samples: the span of events it covers and the
 * least and greatest value of each series (NAN where none). */
struct rep_bucket {
	int64_t seq_lo, seq_hi;
	double lo[REP_NSERIES], hi[REP_NSERIES];
};

struct rep_region {
	const char *space, *kind, *label;
	uint64_t start, size;
};

/* One map snapshot: every region of every space, by space then start. */
struct rep_snapshot {
	const char *name;	/* "end" or "peak" */
	int64_t seq;
	struct rep_region *r;
	size_t n;
};

struct rep_case {
	const char *name, *verdict, *detail;
};

struct rep_run {
	int64_t id;
	const char *command, *trace, *policy, *params, *layout, *genode;
	const char *status, *detail, *started, *tool_version;
	const char *display;	/* policy, with ":params" when given */
	/* what besides trace, policy and layout decides its numbers
	 * (run.settings; NULL in a database from before schema 2) */
	const char *settings;
	double ram_quota;	/* bytes, NAN when not recorded */
	bool ram_derived;	/* from the trace, not given */
	const char *trace_sha256;
	int64_t events;
	bool has_wall;
	double wall_ms;
	int colour;		/* index of the policy, for every chart */
	int64_t earlier;	/* older runs of the same key not shown */

	struct rep_metric *metric;	/* in the catalogue's order */
	size_t nmetric;

	/* replay and compare runs */
	struct rep_devkind *dev;	/* kinds in their stable order */
	size_t ndev;
	int64_t findings;	/* causes, every kind */
	int64_t consequences;	/* findings after a quota ran out */
	bool exhausted;		/* a quota ran out (a resource finding) */
	const char *exhausted_detail;
	struct rep_cause *causes;	/* most frequent first, outside last */
	size_t ncauses;
	int64_t more_causes;	/* causes beyond REP_CAUSE_CAP */
	bool events_joined;	/* the event index exists */
	struct rep_bucket *bucket;
	size_t nbucket;
	bool has_series[REP_NSERIES];
	struct rep_snapshot snap[2];	/* end, peak */
	size_t nsnap;

	/* conform runs: cases sorted by name */
	struct rep_case *cases;
	size_t ncases;
	int64_t verdicts[4];	/* pass, fail, unsupported, error */
};

/* Replay and compare runs of one trace on one layout: one per policy. */
struct rep_group {
	const char *trace, *layout, *settings;
	struct rep_run **run;	/* by policy colour */
	size_t nrun;
	int64_t max_seq;	/* the charts' x range */
};

/*
 * One matrix: the runs of one layout and one set of settings, a row
 * per trace and a column per policy.  cell[t * npol + p] is the run, or
 * NULL; cheapest[t] the column of the cheapest clean run or -1.
 */
struct rep_matrix {
	const char *layout, *settings;
	const char **traces;
	size_t ntraces;
	const struct rep_run **pol;	/* a run of each column's policy */
	size_t npol;
	const struct rep_run **cell;
	int *cheapest;
};
struct rep_decision {
	struct rep_matrix *m;
	size_t n;
};
/* One setting of the sweeps: its runs' costs summed (rep_sweep.c). */
struct rep_setting {
	const char *display;	/* the canonical spec */
	int64_t runs, unfinished, findings;
	double cost[4];		/* REP_NCOSTS: ram, caps, rpcs, faults */
	bool clean, front;
};

struct rep_arena;

struct rep_data {
	struct rep_arena *arena;
	const char *db_path;
	const char *tool_version;	/* of this report */
	size_t nruns_total;		/* rows of run */
	struct rep_run *runs;		/* the runs shown */
	size_t nruns;
	struct rep_group *groups;
	size_t ngroups;
	struct rep_run **conform;	/* by policy colour, then layout */
	size_t nconform;
	bool conform_layouts;		/* more than one layout among them */
	const char **case_names;	/* union over conform runs, sorted */
	size_t ncase_names;
	const char **policies;		/* colour order */
	size_t npolicies;
	int64_t min_run;		/* runs below this id are left out */
	bool split;			/* detail pages (REP_INLINE_RUNS) */
	struct rep_decision decision;
	struct rep_setting *sweep;	/* sweep settings, first run first */
	size_t nsweep;
};

/* ---- rep_query.c ---- */

/*
 * rep_data_load - read everything the report shows from the open
 * database.  Returns 0 or a sysexits status with a message in @err.
 */
struct sqlite3;
int rep_data_load(struct sqlite3 *db, struct rep_data *d, char *err,
		  size_t errsize);
void rep_data_free(struct rep_data *d);
/* A run's name, policy[:params], spelt by pol_spec_format; in the arena
 * (NULL: out of memory). */
const char *rep_spec(struct rep_data *d, const char *policy,
		     const char *params);
void *rep_alloc(struct rep_data *d, size_t size);
const char *rep_strdup(struct rep_data *d, const char *s);

/* ---- rep_write.c ---- */

/*
 * Open the database at @path to read, also in a directory rmsim may not
 * write (a cleanly closed WAL file is opened immutable).  An SQLite
 * result code; *@db to close in any case.
 */
struct sqlite3;
int rep_open_readonly(const char *path, struct sqlite3 **db);

/* ---- rep_sweep.c ---- */

/* Read the sweeps' settings (the latest run of each setting, trace and
 * layout) and mark their Pareto front.  0 or a sysexits status. */
int rep_sweep_load(struct sqlite3 *db, struct rep_data *d, char *err,
		   size_t errsize);
/* The sweep section: a table of the front, and (HTML) the scatter. */
void rep_sweep_md(FILE *f, const struct rep_data *d);
void rep_sweep_html(FILE *f, const struct rep_data *d);

/* ---- rep_data.c: what the writers ask of the data ---- */

/* Value of metric @name in @r, or NAN. */
double rep_run_metric(const struct rep_run *r, const char *name);
/* Passed over decided (pass, fail, error) cases, in percent, or NAN. */
double rep_run_pass_rate(const struct rep_run *r);
int64_t rep_run_sev_total(const struct rep_run *r, enum rep_sev s);
/* The result of case @name in @r, or NULL. */
const struct rep_case *rep_run_case(const struct rep_run *r,
				    const char *name);
/* The checklist sections of the case names, a run of names of one
 * section at a time: from *@k on, its name in @sec (REP_SECTION bytes),
 * *@k past it; false when no names are left. */
#define REP_SECTION 16
bool rep_next_section(const struct rep_data *d, size_t *k, char *sec);
/* Cases of section @sec that conformance run @r passed, and decided
 * (passed, failed or error: a case @r lacks is not decided). */
void rep_section_tally(const struct rep_data *d, const struct rep_run *r,
		       const char *sec, size_t *pass, size_t *decided);
/* Does case name @k pass on every conformance run? */
bool rep_case_passes_all(const struct rep_data *d, size_t k);
/* The summary table's numbers for @r: events, errors, warnings, info,
 * RAM peak, caps peak, RPCs. */
#define REP_SUMMARY_CELLS 7
void rep_run_summary(const struct rep_run *r,
		     char cells[REP_SUMMARY_CELLS][64]);
/* Do the groups of @d have more than one settings line between them? */
bool rep_settings_differ(const struct rep_data *d);
/* Every deviation kind any run of @g has, in the stable order. */
size_t rep_group_kinds(const struct rep_group *g, const char **out,
		       size_t max);
/* @r's findings of @kind, or NULL. */
const struct rep_devkind *rep_run_kind(const struct rep_run *r,
				       const char *kind);
/* The cell of @kind for @r in a findings-by-kind table, "errors /
 * warnings / info", in @buf; false (@buf untouched) when @r has none. */
bool rep_run_kind_cell(const struct rep_run *r, const char *kind, char *buf,
		       size_t size);
/* The value of metric @name to mark as the best in @g: the lowest, for a
 * cost where the runs differ; NAN (never equal to a value) otherwise. */
double rep_group_metric_best(const struct rep_group *g, const char *name);
/* Every metric any run of @g has, in the catalogue's order. */
size_t rep_group_metric_names(const struct rep_group *g, const char **out,
			      size_t max);

/* What a run comes to, for the decision view. */
enum rep_verdict {
	REP_V_CLEAN,		/* no error or warning that counts */
	REP_V_DEVIATIONS,	/* findings, by cause */
	REP_V_EXHAUSTED,	/* a quota ran out */
	REP_V_INCOMPLETE,	/* failed or interrupted: no verdict */
};
enum rep_verdict rep_run_verdict(const struct rep_run *r);
const char *rep_verdict_name(enum rep_verdict v);	/* "clean" */
/* Errors and warnings that count against the policy (not outside). */
int64_t rep_run_counted(const struct rep_run *r);
/* Is @a cheaper than @b: peak RAM, then caps, then RPCs? */
bool rep_run_cheaper(const struct rep_run *a, const struct rep_run *b);

/* ---- rep_decide.c: the decision view ---- */

/* Build from @d (allocated in its arena); 0 or -1 out of memory. */
int rep_decide(struct rep_data *d, struct rep_decision *out);
void rep_decision_md(FILE *f, const struct rep_decision *dec);
void rep_decision_html(FILE *f, const struct rep_decision *dec);
void rep_decision_text(FILE *f, const struct rep_decision *dec);

/* ---- rep_fmt.c ---- */

/* How a metric is shown. */
enum rep_unit { REP_U_COUNT, REP_U_BYTES, REP_U_RATE, REP_U_MS };

struct rep_metric_info {
	const char *name, *label;
	enum rep_unit unit;
	const char *section;	/* heading it is listed under */
	bool lower_better;	/* the best of a row is marked */
	bool sub;		/* a part of the metric above it */
};

/* The catalogue entry of @name (a generic one for unknown names). */
struct rep_metric_info rep_metric_info(const char *name);
/* Order of @name in the catalogue; unknown names after all, by name. */
int rep_metric_cmp(const char *a, const char *b);
/* Rank of a finding kind in the stable order; unknown kinds last. */
int rep_kind_rank(const char *kind);
/* A line saying what a finding kind means, or NULL. */
const char *rep_kind_desc(const char *kind);
/* Position of a verdict in pass, fail, unsupported, error; else -1. */
int rep_verdict_index(const char *v);

char *rep_fmt_bytes(double v, char *buf, size_t size);
char *rep_fmt_count(double v, char *buf, size_t size);
char *rep_fmt_hex(uint64_t v, char *buf, size_t size);
char *rep_fmt_metric(const char *name, double v, char *buf, size_t size);
char *rep_fmt_ms(double ms, char *buf, size_t size);
/* The call in strace's form: mmap(NULL, 4096, PROT_READ, ...). */
char *rep_fmt_call(const struct rep_finding *f, char *buf, size_t size);
/* "0x7f..." or "-1 ENOMEM" or "?". */
char *rep_fmt_result(bool known, int64_t ret, const char *err, char *buf,
		     size_t size);
/* The file name part of a path. */
const char *rep_basename(const char *path);
/* Section of a conformance case: its name up to the first digit, in
 * capitals ("G" for g93-...). */
void rep_case_section(const char *name, char *buf, size_t size);

/* Write @s escaped for HTML text and attribute values (NULL: nothing). */
void rep_html(FILE *f, const char *s);
/* Write @s escaped for a Markdown table cell: no line breaks, no pipes,
 * no HTML, no emphasis. */
void rep_md(FILE *f, const char *s);
/* Write @s inside a Markdown code span (@s holds no backtick). */
void rep_md_code(FILE *f, const char *s);

/* Colours of policies (charts, legends) and of region kinds (maps). */
const char *rep_policy_colour(int i);
struct rep_kind_style {
	const char *kind, *fill, *stroke, *desc;
};
/* Style of region kind @kind (a generic one for unknown kinds). */
const struct rep_kind_style *rep_kind_style(const char *kind);
/* The kinds in legend order; *n gets the count. */
const struct rep_kind_style *rep_kind_styles(size_t *n);

/* Estimated width in px of @s set in the report's fonts. */
double rep_text_w(const char *s, double font_px, bool mono);

/* ---- the writers ---- */

void rep_md_write(FILE *f, const struct rep_data *d);
void rep_html_write(FILE *f, const struct rep_data *d);
/* report-<idx+1>.html: the maps and finding lists of group @idx. */
void rep_html_detail(FILE *f, const struct rep_data *d, size_t idx);
/* The SVG defs (hatch patterns) the maps refer to, once per page. */
void rep_map_defs(FILE *f);
/* One map: every space of snapshot @s of run @r, as inline SVG. */
void rep_map_svg(FILE *f, const struct rep_run *r,
		 const struct rep_snapshot *s);
/* Per kind, the regions and bytes of space @space in @s (for tables). */
struct rep_kind_total {
	const char *kind;
	size_t regions;
	double bytes;
};
size_t rep_map_totals(const struct rep_snapshot *s, const char *space,
		      struct rep_kind_total *out, size_t max);
/* Spaces of @s in drawing order (env first), at most @max into @out;
 * returns how many there are. */
size_t rep_map_spaces(const struct rep_snapshot *s, const char **out,
		      size_t max);
/* One chart of series @series over the events, one line per run. */
void rep_chart_svg(FILE *f, const struct rep_group *g,
		   enum rep_series series);
const char *rep_series_title(enum rep_series s);

#endif
