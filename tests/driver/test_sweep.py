"""End-to-end tests of `rmsim sweep`: grids of lists and ranges, every
run logged, the Pareto front of the clean settings in the terminal and
in the report (an SVG scatter), and --best's coordinate descent finding
the exhaustive grid's optimum with at most half its runs."""
import os
import re
import sqlite3
import tempfile
import unittest

from rmsim_driver import TRACES, main, run

GO = os.path.join(TRACES, "go-alloc.strace")
JVM = os.path.join(TRACES, "java-version-serial.strace")
# 9 chunk sizes x 9 pool sizes: 81 settings
GRID = "lazy:chunk=4K..1M*2,pool=0..4M+512K"
COSTS = {"ram": "ram_peak", "caps": "caps_peak", "rpcs": "rpc_total",
         "faults": "faults"}


def setting_costs(db):
    """{spec: {cost: sum}} of the clean settings of a sweep database."""
    con = sqlite3.connect(db)
    out, dirty = {}, set()
    for rid, pol, params in con.execute(
            "SELECT id, policy, params FROM run WHERE command='sweep'"):
        spec = pol + (":" + params if params else "")
        m = dict(con.execute("SELECT name, value FROM metric WHERE "
                             "run_id=?", (rid,)))
        if m.get("findings", 1):
            dirty.add(spec)
        c = out.setdefault(spec, dict.fromkeys(COSTS, 0))
        for k, name in COSTS.items():
            c[k] += m[name]
    con.close()
    return {s: c for s, c in out.items() if s not in dirty}


class Sweep(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.db = os.path.join(cls.tmp.name, "grid.db")
        cls.rep = os.path.join(cls.tmp.name, "rep")
        cls.proc = run("sweep", GO, "--policy", GRID, "--db", cls.db,
                       "--report", cls.rep, "-j", "2")

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_every_point_is_a_logged_run(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        con = sqlite3.connect(self.db)
        rows = con.execute("SELECT policy, params, status FROM run")\
            .fetchall()
        self.assertEqual(len(rows), 81)
        self.assertEqual({r[2] for r in rows}, {"complete"})
        # canonical specs: the default chunk and pool leave no trace
        params = {r[1] for r in rows}
        self.assertIn(None, params)
        self.assertIn("pool=0,chunk=4K", params)
        self.assertIn("pool=512K,chunk=1M", params)

    def test_the_front_is_the_pareto_front(self):
        costs = setting_costs(self.db)
        front = set()
        for s, c in costs.items():
            if not any(all(o[k] <= c[k] for k in COSTS) and
                       any(o[k] < c[k] for k in COSTS)
                       for t, o in costs.items() if t != s):
                front.add(s)
        out = self.proc.stdout.split("Pareto front:")[1].splitlines()[3:]
        shown = set()
        for line in out:
            if not line.strip():
                break
            shown.add(line.split()[0])
        self.assertEqual(shown, front)
        self.assertGreater(len(front), 1)
        with open(os.path.join(self.rep, "report.html")) as f:
            html = f.read()
        self.assertIn('id="sweeps"', html)
        self.assertIn("Peak RAM against RPCs", html)
        self.assertEqual(html.count("<circle"), len(costs))
        self.assertNotIn("<script", html)
        with open(os.path.join(self.rep, "report.md")) as f:
            md = f.read().split("## Sweeps")[1]
        for s in front:
            self.assertIn("`%s`" % s, md)

    def test_best_finds_the_optimum_with_half_the_runs(self):
        costs = setting_costs(self.db)
        for cost in ("ram", "rpcs", "caps", "ram+65536*caps"):
            with self.subTest(cost=cost):
                def value(c):
                    total = 0
                    for term in cost.split("+"):
                        w, _, name = term.rpartition("*")
                        total += float(w or 1) * c[name]
                    return total
                optimum = min(value(c) for c in costs.values())
                p = run("sweep", GO, "--policy", GRID, "--best", cost,
                        "--no-db", "-q", check=0)
                m = re.search(r"best by \S+: (\S+)\n  cost (\S+) .*\n"
                              r"  (\d+) runs of the grid's (\d+)",
                              p.stdout)
                self.assertTrue(m, p.stdout)
                self.assertEqual(float(m.group(2)), optimum)
                self.assertEqual(value(costs[m.group(1)]), optimum)
                self.assertEqual(int(m.group(4)), 81)
                self.assertLessEqual(int(m.group(3)), 81 // 2)

    def test_budget_bounds_the_runs(self):
        p = run("sweep", GO, "--policy", GRID, "--best", "ram",
                "--budget", "5", "--no-db", "-q", check=0)
        self.assertRegex(p.stdout, r"\n  [0-5] runs of the grid's 81")

    def test_go_and_jvm_lazy_chunks_and_window_sizes(self):
        p = run("sweep", GO, JVM, "--policy", "lazy:chunk=16K..256K*4",
                "--policy", "window:size=1G..16G*4", "--no-db")
        self.assertIn(p.returncode, (0, 1), p.stderr)
        self.assertIn("6 settings, each on 2 trace(s)", p.stdout)
        self.assertIn("Pareto front:", p.stdout)
        # the JVM start-up has findings on every setting: none is clean,
        # and the sweep says so rather than ranking them
        self.assertRegex(p.stdout, r"lazy:chunk=16K +not clean: \d+ "
                                   r"finding")
        p = run("sweep", GO, "--policy", "lazy:chunk=16K..256K*4",
                "--policy", "window:size=1G..16G*4", "--no-db", check=0)
        front = p.stdout.split("Pareto front:")[1]
        self.assertIn("lazy", front)

    def test_bad_grids_and_costs(self):
        for args, words in (
                (["--policy", "lazy:chunk=1M..16K*2"], "LO <= HI"),
                (["--policy", "lazy:chunk=16K..1M*1"], "factor"),
                (["--policy", "lazy:chunk=16K..1M"], "LO..HI*FACTOR"),
                (["--policy", "lazy:chunk=16K,chunk=32K"], "twice"),
                (["--policy", "lazy:16K"], "not KEY=VALUE"),
                (["--policy", "lazy:chunk=16K..1M*2", "--best", "speed"],
                 "--best takes"),
                (["--policy", "lazy", "--budget", "3"], "--budget goes"),
                ([], "name a grid")):
            with self.subTest(args=args):
                p = run("sweep", GO, "--no-db", *args)
                self.assertEqual(p.returncode, 64, p.stderr)
                self.assertIn(words, p.stderr)


if __name__ == "__main__":
    main()
