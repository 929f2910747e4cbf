"""The Genode C++ policies equal their C originals: on every trace in
traces/ and every conformance case, on nova-x86_64, hw-64 and sel4-64,
window-genode and lazy-genode give the same results, findings, metrics
(RAM, caps, RPCs, faults, attachments), samples, address-space maps and
Genode operations as window and lazy, judged from the database rows."""
import os
import sqlite3
import tempfile
import unittest

from rmsim_driver import SOURCE, main, run, trace_files

# RMSIM_PORT_LAYOUTS narrows them (the sanitizer build: one layout)
LAYOUTS = os.environ.get("RMSIM_PORT_LAYOUTS",
                         "nova-x86_64,hw-64,sel4-64").split(",")
PAIRS = [("window", "window-genode"), ("lazy", "lazy-genode")]
CASES = os.path.join(SOURCE, "tests", "cases")

# Every table a run writes, with the columns that must agree (all but
# the run's id) and the order rows are compared in: the order of the
# table's index on the run, insertion order within.  Timing is left
# out: wall_ms in run, events_per_s among the metrics.
TABLES = [
    ("event", "seq, line, pid, ts_us, call, a0, a1, a2, a3, a4, a5, "
     "traced_ret, traced_errno, ref_ret, ref_errno, model_ret, "
     "model_errno, verdict", "seq"),
    ("finding", "seq, kind, severity, detail", "seq, rowid"),
    ("metric", "name, value", "name"),
    ("mapping", "seq, op, region_map, at, size, ds, ds_offset, rights",
     "seq, rowid"),
    ("sample", "seq, ram_used, caps_used, mappings, attachments",
     "seq, rowid"),
    ("region", "snapshot, seq, space, start, size, kind, label",
     "snapshot, rowid"),
    ("case_result", "name, verdict, detail", "rowid"),
]


def rows(con, table, cols, order, run_id):
    where = "run_id=?"
    if table == "metric":
        where += " AND name != 'events_per_s'"
    return con.cursor().execute("SELECT %s FROM %s WHERE %s ORDER BY %s"
                                % (cols, table, where, order), (run_id,))


class Equal(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.db = os.path.join(cls.tmp.name, "port.db")
        pols = [p for pair in PAIRS for p in pair]
        args = []
        for p in pols:
            args += ["--policy", p]
        cls.compare = run("compare", "-q", "--layout", ",".join(LAYOUTS),
                          "--db", cls.db, *args, *trace_files(),
                          timeout=1100)
        cls.conform = [run("conform", "-q", "--layout", lay, "--db",
                           cls.db, *args, CASES) for lay in LAYOUTS]
        cls.con = sqlite3.connect(cls.db)

    @classmethod
    def tearDownClass(cls):
        cls.con.close()
        cls.tmp.cleanup()

    def runs(self, policy):
        """{(command kind, trace, layout): run row} of POLICY."""
        out = {}
        for rid, cmd, trace, layout, status, events in self.con.execute(
                "SELECT id, command, trace, layout, status, events FROM "
                "run WHERE policy=?", (policy,)):
            kind = cmd.split()[0] if cmd else ""
            key = (kind, trace, layout)
            self.assertNotIn(key, out)
            out[key] = (rid, status, events)
        return out

    def same_rows(self, table, cols, order, ra, rb, what):
        """Rows of TABLE of runs RA and RB equal, in order, in blocks
        (compared as lists, so the work is the database's and C's)."""
        a = rows(self.con, table, cols, order, ra)
        b = rows(self.con, table, cols, order, rb)
        n = 0
        while True:
            x, y = a.fetchmany(20000), b.fetchmany(20000)
            if x != y:
                for i, (p, q) in enumerate(zip(x, y)):
                    if p != q:
                        self.fail("%s, %s row %d:\n%r\n%r"
                                  % (what, table, n + i, p, q))
                self.fail("%s, %s: %d rows against %d"
                          % (what, table, n + len(x), n + len(y)))
            if not x:
                return
            n += len(x)

    def test_every_run_was_made(self):
        self.assertIn(self.compare.returncode, (0, 1),
                      self.compare.stderr[-2000:])
        for p in self.conform:
            self.assertIn(p.returncode, (0, 1), p.stderr[-2000:])
        ntraces = len(trace_files())
        for pair in PAIRS:
            for policy in pair:
                runs = self.runs(policy)
                self.assertEqual(
                    len(runs), ntraces * len(LAYOUTS) + len(LAYOUTS),
                    (policy, sorted(runs)))
                for key, (_, status, _) in runs.items():
                    self.assertEqual(status, "complete", (policy, key))

    def test_rows_are_equal(self):
        for orig, port in PAIRS:
            a, b = self.runs(orig), self.runs(port)
            self.assertEqual(sorted(a), sorted(b))
            for key in sorted(a):
                ra, rb = a[key][0], b[key][0]
                self.assertEqual(a[key][1:], b[key][1:], (orig, key))
                for table, cols, order in TABLES:
                    self.same_rows(table, cols, order, ra, rb,
                                   "%s vs %s, %s" % (orig, port, key))

    def test_the_comparison_sees_a_difference(self):
        # the test can fail: window and lazy themselves differ
        a, b = self.runs("window"), self.runs("lazy")
        key = sorted(k for k in a if k[0] == "compare")[0]
        metric = "SELECT value FROM metric WHERE run_id=? AND name=?"
        self.assertNotEqual(
            self.con.execute(metric, (a[key][0], "rpc_total")).fetchone(),
            self.con.execute(metric, (b[key][0], "rpc_total")).fetchone())


if __name__ == "__main__":
    main()
