/*
 * schema.sql.h - the rmsim database schema, as one SQL string.  Kept apart
 * from db.c so docs/database.md and the code can be compared line by line.
 * Version 3.  STRICT tables catch a value of the wrong type at once.
 * Columns added after version 1 come last in their table (positional
 * inserts work on a file upgraded by db_schema_upgrade as on a new one).
 */
#ifndef RMSIM_DB_SCHEMA_H
#define RMSIM_DB_SCHEMA_H

#define DB_SCHEMA_VERSION 4

static const char db_schema_sql[] =
	"CREATE TABLE IF NOT EXISTS meta(\n"
	"  key TEXT PRIMARY KEY, value TEXT NOT NULL) STRICT;\n"
	"CREATE TABLE IF NOT EXISTS run(\n"
	"  id INTEGER PRIMARY KEY,\n"
	"  started_utc TEXT NOT NULL,\n"
	"  tool_version TEXT NOT NULL,\n"
	"  command TEXT NOT NULL,\n"
	"  trace TEXT,\n"
	"  trace_sha256 TEXT,\n"
	"  policy TEXT NOT NULL,\n"
	"  params TEXT,\n"
	"  layout TEXT,\n"
	"  genode_version TEXT,\n"
	"  status TEXT NOT NULL CHECK(status IN ('running','complete',"
	"'interrupted','failed')),\n"
	"  events INTEGER NOT NULL DEFAULT 0,\n"
	"  wall_ms REAL,\n"
	"  pid INTEGER NOT NULL,\n"
	"  host TEXT,\n"
	"  detail TEXT,\n"
	"  policy_spec TEXT,\n"
	"  touch TEXT,\n"
	"  ram_quota INTEGER,\n"
	"  ram_quota_derived INTEGER,\n"
	"  caps_quota INTEGER,\n"
	"  settings TEXT,\n"
	"  mmaps_placed INTEGER,\n"
	"  mmaps_exact INTEGER,\n"
	"  mmaps_concurrent INTEGER,\n"
	"  mmaps_concurrent_exact INTEGER,\n"
	"  mmaps_random INTEGER,\n"
	"  mmaps_unseen INTEGER,\n"
	"  faults INTEGER,\n"
	"  faults_outside INTEGER,\n"
	"  rss_samples INTEGER,\n"
	"  rss_median_err REAL,\n"
	"  rss_worst_err REAL) STRICT;\n"
	"CREATE TABLE IF NOT EXISTS event(\n"
	"  run_id INTEGER NOT NULL REFERENCES run(id),\n"
	"  seq INTEGER NOT NULL,\n"
	"  line INTEGER NOT NULL,\n"
	"  pid INTEGER NOT NULL,\n"
	"  ts_us INTEGER,\n"
	"  call TEXT NOT NULL,\n"
	"  a0 INTEGER, a1 INTEGER, a2 INTEGER, a3 INTEGER, a4 INTEGER,"
	" a5 INTEGER,\n"
	"  traced_ret INTEGER, traced_errno TEXT,\n"
	"  ref_ret INTEGER, ref_errno TEXT,\n"
	"  model_ret INTEGER, model_errno TEXT,\n"
	"  verdict TEXT NOT NULL) STRICT;\n"
	"CREATE TABLE IF NOT EXISTS mapping(\n"
	"  run_id INTEGER NOT NULL REFERENCES run(id),\n"
	"  seq INTEGER NOT NULL,\n"
	"  op TEXT NOT NULL,\n"
	"  region_map TEXT,\n"
	"  at INTEGER, size INTEGER,\n"
	"  ds TEXT, ds_offset INTEGER,\n"
	"  rights TEXT) STRICT;\n"
	"CREATE TABLE IF NOT EXISTS finding(\n"
	"  run_id INTEGER NOT NULL REFERENCES run(id),\n"
	"  seq INTEGER,\n"
	"  kind TEXT NOT NULL,\n"
	"  severity TEXT NOT NULL,\n"
	"  detail TEXT,\n"
	"  cause TEXT,\n"
	"  consequence INTEGER NOT NULL DEFAULT 0) STRICT;\n"
	"CREATE TABLE IF NOT EXISTS note(\n"
	"  run_id INTEGER NOT NULL REFERENCES run(id),\n"
	"  seq INTEGER,\n"
	"  kind TEXT NOT NULL,\n"
	"  detail TEXT NOT NULL) STRICT;\n"
	"CREATE TABLE IF NOT EXISTS metric(\n"
	"  run_id INTEGER NOT NULL REFERENCES run(id),\n"
	"  name TEXT NOT NULL,\n"
	"  value REAL,\n"
	"  PRIMARY KEY(run_id, name)) STRICT;\n"
	"CREATE TABLE IF NOT EXISTS case_result(\n"
	"  run_id INTEGER NOT NULL REFERENCES run(id),\n"
	"  name TEXT NOT NULL,\n"
	"  verdict TEXT NOT NULL CHECK(verdict IN ('pass','fail',"
	"'unsupported','error')),\n"
	"  detail TEXT) STRICT;\n"
	"CREATE TABLE IF NOT EXISTS sample(\n"
	"  run_id INTEGER NOT NULL REFERENCES run(id),\n"
	"  seq INTEGER NOT NULL,\n"
	"  ram_used INTEGER, caps_used INTEGER,\n"
	"  mappings INTEGER, attachments INTEGER) STRICT;\n"
	"CREATE TABLE IF NOT EXISTS region(\n"
	"  run_id INTEGER NOT NULL REFERENCES run(id),\n"
	"  snapshot TEXT NOT NULL CHECK(snapshot IN ('end','peak')),\n"
	"  seq INTEGER,\n"
	"  space TEXT NOT NULL,\n"
	"  start INTEGER NOT NULL, size INTEGER NOT NULL,\n"
	"  kind TEXT NOT NULL,\n"
	"  label TEXT) STRICT;\n"
	"CREATE VIEW IF NOT EXISTS event_hex AS\n"
	"  SELECT run_id, seq, line, pid, ts_us, call,\n"
	"    printf('%#x', a0) AS a0, printf('%#x', a1) AS a1,\n"
	"    printf('%#x', a2) AS a2, printf('%#x', a3) AS a3,\n"
	"    printf('%#x', a4) AS a4, printf('%#x', a5) AS a5,\n"
	"    printf('%#x', traced_ret) AS traced_ret, traced_errno,\n"
	"    printf('%#x', ref_ret) AS ref_ret, ref_errno,\n"
	"    printf('%#x', model_ret) AS model_ret, model_errno, verdict\n"
	"  FROM event;\n"
	"CREATE VIEW IF NOT EXISTS mapping_hex AS\n"
	"  SELECT run_id, seq, op, region_map, printf('%#x', at) AS at,\n"
	"    printf('%#x', size) AS size, ds, printf('%#x', ds_offset)"
	" AS ds_offset, rights\n"
	"  FROM mapping;\n";

/* From version 1 to 2: the run's settings, the findings' cause. */
static const char db_upgrade_1_sql[] =
	"ALTER TABLE run ADD COLUMN policy_spec TEXT;\n"
	"ALTER TABLE run ADD COLUMN touch TEXT;\n"
	"ALTER TABLE run ADD COLUMN ram_quota INTEGER;\n"
	"ALTER TABLE run ADD COLUMN ram_quota_derived INTEGER;\n"
	"ALTER TABLE run ADD COLUMN caps_quota INTEGER;\n"
	"ALTER TABLE run ADD COLUMN settings TEXT;\n"
	"ALTER TABLE finding ADD COLUMN cause TEXT;\n"
	"ALTER TABLE finding ADD COLUMN consequence INTEGER NOT NULL "
	"DEFAULT 0;\n"
	"UPDATE meta SET value='2' WHERE key='schema_version';\n";

/* Version 2 to 3: the run's placement counts (replay, compare). */
static const char db_upgrade_2_sql[] =
	"ALTER TABLE run ADD COLUMN mmaps_placed INTEGER;\n"
	"ALTER TABLE run ADD COLUMN mmaps_exact INTEGER;\n"
	"ALTER TABLE run ADD COLUMN mmaps_concurrent INTEGER;\n"
	"ALTER TABLE run ADD COLUMN mmaps_concurrent_exact INTEGER;\n"
	"ALTER TABLE run ADD COLUMN mmaps_random INTEGER;\n"
	"ALTER TABLE run ADD COLUMN mmaps_unseen INTEGER;\n"
	"UPDATE meta SET value='3' WHERE key='schema_version';\n";

/* Version 3 to 4: the recorded page faults and the RssAnon check. */
static const char db_upgrade_3_sql[] =
	"ALTER TABLE run ADD COLUMN faults INTEGER;\n"
	"ALTER TABLE run ADD COLUMN faults_outside INTEGER;\n"
	"ALTER TABLE run ADD COLUMN rss_samples INTEGER;\n"
	"ALTER TABLE run ADD COLUMN rss_median_err REAL;\n"
	"ALTER TABLE run ADD COLUMN rss_worst_err REAL;\n"
	"UPDATE meta SET value='4' WHERE key='schema_version';\n";

/*
 * Secondary indexes, built after a run's bulk load: event rows are
 * appended in rowid order, so during the load no key is compared.
 */
static const char db_index_sql[] =
	"CREATE UNIQUE INDEX IF NOT EXISTS event_run_seq ON event(run_id, seq);\n"
	"CREATE INDEX IF NOT EXISTS finding_run ON finding(run_id, seq);\n"
	"CREATE INDEX IF NOT EXISTS note_run ON note(run_id, seq);\n"
	"CREATE INDEX IF NOT EXISTS mapping_run ON mapping(run_id, seq);\n"
	"CREATE INDEX IF NOT EXISTS event_verdict ON event(run_id, verdict);\n"
	"CREATE INDEX IF NOT EXISTS case_result_run ON case_result(run_id);\n"
	"CREATE INDEX IF NOT EXISTS sample_run ON sample(run_id, seq);\n"
	"CREATE INDEX IF NOT EXISTS region_run ON region(run_id, snapshot);\n";

#endif
