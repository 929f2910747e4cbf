-- sqlite-mmap: SQLite reading its database through mmap
-- (PRAGMA mmap_size), for recording with the sqlite3 shell.  It fills a
-- table of 200,000 rows (about 20 MiB), then scans and looks up through
-- the memory-mapped file.
PRAGMA mmap_size = 268435456;
PRAGMA journal_mode = WAL;
CREATE TABLE t(id INTEGER PRIMARY KEY, k INTEGER, v TEXT);
WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 200000)
INSERT INTO t SELECT i, (i * 7919) % 100003, printf('%.80c', 'v') FROM n;
CREATE INDEX tk ON t(k);
SELECT count(*), sum(length(v)) FROM t;
SELECT sum(id) FROM t WHERE k BETWEEN 1000 AND 60000;
PRAGMA wal_checkpoint(TRUNCATE);
SELECT count(*) FROM t WHERE v LIKE '%z%';
