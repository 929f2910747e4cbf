"""End-to-end tests of the verdicts: brk judged like any other call (a
refused growth is a finding, window:heap= follows the trace's heap), a
quota that runs out said once with what follows marked as consequences,
runs with different settings kept apart in the report, and the decision
view of the main job naming window or lazy as the cheapest clean policy
on the Go traces, from the database alone."""
import os
import re
import shlex
import sqlite3
import tempfile
import unittest

from rmsim_driver import SOURCE, TRACES, main, run

HEAP_TRACE = """\
1000  brk(NULL)                   = 0x555555559000
1000  brk(0x55555557a000)         = 0x55555557a000
1000  madvise(0x555555560000, 4096, MADV_DONTNEED) = 0
1000  brk(0x555555569000)         = 0x555555569000
1000  exit_group(0)               = ?
"""


def findings(db, run_id=None):
    con = sqlite3.connect(db)
    try:
        if run_id is None:
            run_id = con.execute("SELECT max(id) FROM run").fetchone()[0]
        return con.execute(
            "SELECT f.kind, f.severity, f.detail, f.consequence, e.line "
            "FROM finding f LEFT JOIN event e ON e.run_id=f.run_id AND "
            "e.seq=f.seq WHERE f.run_id=? ORDER BY f.seq, f.rowid",
            (run_id,)).fetchall()
    finally:
        con.close()


class Brk(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.trace = os.path.join(self.tmp.name, "heap.strace")
        with open(self.trace, "w") as f:
            f.write(HEAP_TRACE)
        self.db = os.path.join(self.tmp.name, "brk.db")

    def tearDown(self):
        self.tmp.cleanup()

    def test_refused_growth_is_a_finding(self):
        p = run("replay", self.trace, "--policy", "window", "--db",
                self.db, "-q")
        self.assertEqual(p.returncode, 1, p.stdout + p.stderr)
        rows = findings(self.db)
        brk = [r for r in rows if r[0] == "result"]
        self.assertTrue(brk, rows)
        self.assertEqual(brk[0][4], 2)          # the growth, line 2
        self.assertEqual(brk[0][1], "warning")
        self.assertIn("falls back to mmap", brk[0][2])
        self.assertIn("divergence", [r[0] for r in rows])

    def test_no_brk_at_all_is_a_finding(self):
        run("replay", self.trace, "--policy", "libc", "--db", self.db,
            "-q")
        rows = findings(self.db)
        self.assertTrue(any(r[0] == "result" and "no brk" in r[2]
                            for r in rows), rows)

    def test_heap_follows_the_trace(self):
        # the trace's break addresses are moved to the window's heap,
        # and so is the madvise inside the heap
        p = run("replay", self.trace, "--policy", "window:heap=1M",
                "--db", self.db, "-q")
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertEqual(findings(self.db), [])
        con = sqlite3.connect(self.db)
        rows = con.execute("SELECT call, ref_ret, model_ret, model_errno "
                           "FROM event ORDER BY seq").fetchall()
        con.close()
        self.assertEqual(rows[2][0], "madvise")
        self.assertIsNone(rows[2][3])
        # the model's break is its own, offset as the trace's grew
        self.assertEqual(rows[1][1] - rows[0][1], rows[1][2] - rows[0][2])


class Outside(unittest.TestCase):
    def kinds(self, trace, tmp):
        db = os.path.join(tmp, "o%d.db" % len(os.listdir(tmp)))
        run("replay", trace, "--policy", "window:heap=64M", "--db", db,
            "-q")
        return [(k, s, line) for k, s, _, _, line in findings(db)]

    def test_relro_mprotect_is_outside_and_not_counted(self):
        import lzma
        with tempfile.TemporaryDirectory() as tmp:
            trace = os.path.join(TRACES, "gccgo-alloc.strace.xz")
            rows = self.kinds(trace, tmp)
            outside = [r for r in rows if r[0] == "outside"]
            # ld.so's RELRO mprotect of the binary and of itself
            self.assertEqual(len(outside), 2, rows)
            self.assertTrue(all(s == "info" for _, s, _ in outside))
            self.assertEqual([r for r in rows if r[0] != "outside"], [])
            p = run("replay", trace, "--policy", "window:heap=64M", "-q")
            self.assertEqual(p.returncode, 0, p.stdout)
            # a trace that starts after the execve (strace -p) cannot say
            # who made a range: the same calls count
            cut = os.path.join(tmp, "cut.strace")
            with lzma.open(trace, "rt") as src, open(cut, "w") as dst:
                lines = src.readlines()
                self.assertIn("execve(", lines[0])
                dst.writelines(lines[1:])
            rows = self.kinds(cut, tmp)
            self.assertFalse([r for r in rows if r[0] == "outside"])
            self.assertTrue([r for r in rows if r[0] == "result"])


class Explain(unittest.TestCase):
    def test_a_finding_explained(self):
        with tempfile.TemporaryDirectory() as tmp:
            trace = os.path.join(tmp, "heap.strace")
            with open(trace, "w") as f:
                f.write(HEAP_TRACE)
            db = os.path.join(tmp, "e.db")
            run("replay", trace, "--policy", "lazy", "--db", db, "-q")
            # without LINE: the first finding that counts, the growth
            p = run("explain", db, "1", check=0)
            self.assertIn("line 2 (event 2", p.stdout)
            self.assertIn("trace:     1000  brk(0x55555557a000)", p.stdout)
            self.assertRegex(p.stdout, r"Linux: +0x55555557a000")
            self.assertIn("falls back to mmap", p.stdout)
            self.assertIn("cause: brk \u2192 refused", p.stdout)
            self.assertIn("Genode operations for it", p.stdout)
            self.assertIn("env around", p.stdout)
            # an event by its line; the window's map below env's
            p = run("explain", db, "1", "1", check=0)
            self.assertIn("line 1 (event 1", p.stdout)
            self.assertRegex(p.stdout, r"findings\n  none")
            # mistakes say so
            self.assertEqual(run("explain", db, "7").returncode, 66)
            self.assertEqual(run("explain", db, "1", "99").returncode, 66)
            self.assertEqual(run("explain", db).returncode, 64)
            self.assertEqual(run("explain", db, "x").returncode, 64)
            self.assertEqual(run("explain", os.path.join(tmp, "no.db"),
                                 "1").returncode, 66)
            with open(os.path.join(tmp, "junk.db"), "w") as f:
                f.write("not a database\n" * 100)
            self.assertEqual(run("explain", os.path.join(tmp, "junk.db"),
                                 "1").returncode, 65)

    def test_genode_operations_and_map(self):
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, "g.db")
            run("replay", os.path.join(TRACES, "go-hello.strace"),
                "--policy", "lazy", "--db", db, "-q")
            con = sqlite3.connect(db)
            line = con.execute("SELECT e.line FROM mapping m JOIN event e "
                               "ON e.run_id=m.run_id AND e.seq=m.seq WHERE "
                               "m.op='attach' ORDER BY m.rowid LIMIT 1"
                               ).fetchone()[0]
            con.close()
            p = run("explain", db, "1", str(line), check=0)
            self.assertRegex(p.stdout, r"\n  attach +\S+ +at 0x")
            self.assertRegex(p.stdout, r"\n +> +0x[0-9a-f]+-0x[0-9a-f]+ ")


class Quota(unittest.TestCase):
    def test_exhaustion_said_once_with_consequences(self):
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, "q.db")
            p = run("replay", os.path.join(TRACES, "go-hello.strace"),
                    "--policy", "libc", "--ram", "64M", "--db", db, "-q")
            self.assertEqual(p.returncode, 1, p.stderr)
            rows = findings(db)
            causes = [r for r in rows if "exhausted at line" in r[2]]
            self.assertEqual(len(causes), 1, rows)
            kind, sev, detail, consequence, line = causes[0]
            self.assertEqual((kind, sev, consequence), ("resource",
                                                         "error", 0))
            self.assertIn("RAM quota of 64 MiB exhausted at line %d"
                          % line, detail)
            self.assertIn("later findings follow from it", detail)
            after = rows[rows.index(causes[0]) + 1:]
            self.assertTrue(after)
            self.assertTrue(all(r[3] == 1 for r in after), after)
            # the quota is said once: later resource findings are its
            # consequences too
            self.assertEqual(sum(r[0] == "resource" and not r[3]
                                 for r in rows), 1)
            con = sqlite3.connect(db)
            m = dict(con.execute("SELECT name, value FROM metric WHERE "
                                 "run_id=(SELECT max(id) FROM run)"))
            con.close()
            self.assertEqual(m["findings_consequences"], len(after))
            self.assertEqual(m["findings_resource"], 1)

    def test_enough_quota_no_resource(self):
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, "q.db")
            run("replay", os.path.join(TRACES, "go-hello.strace"),
                "--policy", "libc", "--ram", "4G", "--db", db, "-q")
            self.assertFalse([r for r in findings(db)
                              if r[0] == "resource" or r[3]])


class SchemaUpgrade(unittest.TestCase):
    def test_a_version_1_file_gains_the_columns(self):
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, "old.db")
            trace = os.path.join(TRACES, "go-hello.strace")
            run("replay", trace, "--policy", "lazy", "--db", db, "-q")
            con = sqlite3.connect(db)
            for table, col in (("run", "settings"), ("run", "caps_quota"),
                               ("run", "ram_quota_derived"),
                               ("run", "ram_quota"), ("run", "touch"),
                               ("run", "policy_spec"),
                               ("run", "mmaps_placed"),
                               ("run", "mmaps_exact"),
                               ("run", "mmaps_concurrent"),
                               ("run", "mmaps_concurrent_exact"),
                               ("run", "mmaps_random"),
                               ("run", "mmaps_unseen"),
                               ("finding", "consequence"),
                               ("finding", "cause"), ("run", "faults"),
                               ("run", "faults_outside"),
                               ("run", "rss_samples"),
                               ("run", "rss_median_err"),
                               ("run", "rss_worst_err")):
                con.execute("ALTER TABLE %s DROP COLUMN %s" % (table, col))
            con.execute("UPDATE meta SET value='1' WHERE "
                        "key='schema_version'")
            con.commit()
            con.close()
            # read as it is
            out = os.path.join(tmp, "rep")
            run("report", "--db", db, "-o", out, check=0)
            run("explain", db, "1", "1", check=0)
            # written to: upgraded
            run("replay", trace, "--policy", "lazy", "--db", db, "-q")
            con = sqlite3.connect(db)
            version = con.execute("SELECT value FROM meta WHERE "
                                  "key='schema_version'").fetchone()[0]
            rows = con.execute("SELECT id, settings FROM run ORDER BY id"
                               ).fetchall()
            con.execute("SELECT faults, rss_samples, rss_median_err FROM run")
            con.close()
            self.assertEqual(version, "4")
            self.assertIsNone(rows[0][1])
            self.assertIn("touch first", rows[1][1])
            run("report", "--db", db, "-o", out, check=0)


class Settings(unittest.TestCase):
    def test_runs_with_other_ram_are_kept_apart(self):
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, "s.db")
            out = os.path.join(tmp, "rep")
            trace = os.path.join(TRACES, "go-hello.strace")
            for ram in ("64M", "256M"):
                p = run("compare", trace, "--policy", "libc", "--policy",
                        "lazy",
                        "--ram", ram, "--db", db, "-q")
                self.assertIn(p.returncode, (0, 1), p.stderr)
            con = sqlite3.connect(db)
            rows = con.execute("SELECT ram_quota, ram_quota_derived, "
                               "settings, policy_spec, touch, "
                               "trace_sha256 FROM run").fetchall()
            con.close()
            self.assertEqual(sorted({r[0] for r in rows}),
                             [64 << 20, 256 << 20])
            self.assertTrue(all(r[1] == 0 and r[4] == "first" and
                                re.fullmatch("[0-9a-f]{64}", r[5])
                                for r in rows), rows)
            run("report", "--db", db, "-o", out, check=0)
            with open(os.path.join(out, "report.md")) as f:
                md = f.read()
            heads = re.findall(r"^## go-hello\.strace on nova-x86\\_64 "
                               r"\((.*)\)$", md, re.M)
            self.assertEqual(len(heads), 2, heads)
            self.assertTrue(any("RAM 64 MiB" in h for h in heads))
            self.assertTrue(any("RAM 256 MiB" in h for h in heads))
            # summary rows alike but for their settings say which
            self.assertRegex(md, r"\| go-hello\.strace \| nova-x86\\_64 "
                                 r"\(Genode 26\.02, RAM 64 MiB, caps")
            # two decision matrices, each naming its settings
            self.assertEqual(len(re.findall(r"^### nova-x86\\_64: .*RAM "
                                            r"(64|256) MiB", md, re.M)),
                             2)
            # a section's tables hold the runs of its settings only:
            # one column per policy
            for sec in md.split("\n## ")[1:]:
                if not sec.startswith("go-hello"):
                    continue
                head = re.search(r"^\| metric \|(.*)\|$", sec, re.M)
                self.assertEqual(head.group(1).count("|"), 1, head.group(0))

    def test_derived_quota_is_printed_and_stored(self):
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, "d.db")
            p = run("replay", os.path.join(TRACES, "go-hello.strace"),
                    "--policy", "lazy", "--db", db)
            self.assertIn("from the trace: the reference's writable peak",
                          p.stdout)
            con = sqlite3.connect(db)
            q, derived = con.execute("SELECT ram_quota, ram_quota_derived "
                                     "FROM run").fetchone()
            peak = con.execute("SELECT value FROM metric WHERE "
                               "name='posix_writable_peak'").fetchone()[0]
            con.close()
            self.assertEqual(derived, 1)
            want = peak + peak // 100 * 50 + (32 << 20)
            self.assertEqual(q, (int(want) + (1 << 20) - 1) & ~((1 << 20) - 1))


def copy_runs(db, times):
    """Copy every run of DB, with its rows, under TIMES new trace names."""
    con = sqlite3.connect(db)
    cols = {t: [r[1] for r in con.execute("PRAGMA table_info(%s)" % t)]
            for t in ("run", "event", "finding", "metric", "sample",
                      "region", "mapping")}
    run_cols = [c for c in cols["run"] if c != "id"]
    sel = ",".join("?" if c == "trace" else c for c in run_cols)
    for k in range(times):
        for rid, trace in con.execute("SELECT id, trace FROM run WHERE "
                                      "trace NOT LIKE 'copy%'").fetchall():
            new = con.execute("INSERT INTO run(%s) SELECT %s FROM run WHERE"
                              " id=?" % (",".join(run_cols), sel),
                              ("copy%d-%s" % (k, trace), rid)).lastrowid
            for t in cols:
                if t == "run":
                    continue
                c = ",".join(x for x in cols[t] if x != "run_id")
                con.execute("INSERT INTO %s(run_id,%s) SELECT ?,%s FROM %s"
                            " WHERE run_id=?" % (t, c, c, t), (new, rid))
    con.commit()
    con.close()


class Scale(unittest.TestCase):
    def test_many_runs_get_detail_pages(self):
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, "many.db")
            out = os.path.join(tmp, "rep")
            p = run("compare", os.path.join(TRACES, "go-hello.strace"),
                    "--layout", "nova-x86_64,hw-64,sel4-64", "--db", db,
                    "-q")
            self.assertIn(p.returncode, (0, 1), p.stderr)
            # a small report: maps inline, no pages
            run("report", "--db", db, "-o", out, check=0)
            self.assertEqual(sorted(os.listdir(out)),
                             ["report.html", "report.md"])
            with open(os.path.join(out, "report.html")) as f:
                small = f.read()
            self.assertIn('<svg class="map"', small)
            copy_runs(db, 4)                    # 75 runs
            run("report", "--db", db, "-o", out, check=0)
            pages = sorted(f for f in os.listdir(out)
                           if re.fullmatch(r"report-\d+\.html", f))
            self.assertEqual(len(pages), 15)    # 5 traces x 3 layouts
            with open(os.path.join(out, "report.html")) as f:
                main_page = f.read()
            self.assertNotIn('<svg class="map"', main_page)
            links = set(re.findall(r'href="(report-\d+\.html)"', main_page))
            self.assertEqual(links, set(pages))
            with open(os.path.join(out, pages[0])) as f:
                detail = f.read()
            self.assertIn('<svg class="map"', detail)
            self.assertIn('href="report.html#replay-1"', detail)
            for bad in ("<script", "http:", "https:", "src="):
                self.assertNotIn(bad, main_page + detail)
            # a smaller report in the same place takes its pages away
            con = sqlite3.connect(db)
            for t in ("event", "finding", "metric", "sample", "region",
                      "mapping"):
                con.execute("DELETE FROM %s WHERE run_id IN (SELECT id "
                            "FROM run WHERE trace LIKE 'copy%%')" % t)
            con.execute("DELETE FROM run WHERE trace LIKE 'copy%'")
            con.commit()
            con.close()
            run("report", "--db", db, "-o", out, check=0)
            self.assertEqual(sorted(os.listdir(out)),
                             ["report.html", "report.md"])


def main_job_args():
    """The policy options and traces scripts/run-main compares."""
    with open(os.path.join(SOURCE, "scripts", "run-main")) as f:
        text = f.read()
    quoted = re.search(r"^policies=(.*)$", text, re.M).group(1)
    policies = " ".join(shlex.split(quoted)).split()
    quoted = re.search(r"^traces=(.*)$", text, re.M).group(1)
    traces = " ".join(shlex.split(quoted)).split()
    return policies, [os.path.join(SOURCE, t) for t in traces]


class MainJobDecision(unittest.TestCase):
    def test_window_or_lazy_is_the_cheapest_clean_on_go(self):
        policies, traces = main_job_args()
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, "main.db")
            p = run("compare", *traces, *policies, "--layout",
                    "nova-x86_64,hw-64,sel4-64", "--db", db, "-q")
            self.assertIn(p.returncode, (0, 1), p.stderr)
            # from the database alone
            out = os.path.join(tmp, "rep")
            run("report", "--db", db, "-o", out, check=0)
            with open(os.path.join(out, "report.md")) as f:
                md = f.read()
        decision = md.split("\n## Decision\n", 1)[1].split("\n## ", 1)[0]
        tables = re.findall(r"^\| trace \|(.*)\|\n\|[-|]+\|\n((?:\|.*\|\n)+)",
                            decision, re.M)
        # one group of settings per touch model: recorded where the
        # trace has a side file with its page faults, first elsewhere
        touch = {os.path.exists(t.split(".strace")[0] + ".faults.xz")
                 for t in traces}
        self.assertEqual(len(tables), 3 * len(touch))
        for head, body in tables:
            cols = [c.strip() for c in head.split("|")]
            for row in body.splitlines():
                cells = [c.strip() for c in row.strip("|").split("|")]
                trace, cells = cells[0], cells[1:]
                marked = [cols[i] for i, c in enumerate(cells)
                          if c.startswith("\u2605")]
                with self.subTest(trace=trace):
                    self.assertEqual(len(marked), 1, row)
                    self.assertRegex(marked[0], r"^(window|lazy)\b")


if __name__ == "__main__":
    main()
