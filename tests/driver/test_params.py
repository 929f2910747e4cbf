"""End-to-end tests of policy specs: one grammar in replay, compare,
conform and sweep (NAME[:KEY=VALUE,...], one policy per --policy), every
bad spec a usage error (64) naming the key, the value and what the
policy takes, `rmsim policies` listing each key, and every table and
database row naming a run by its canonical spec."""
import os
import sqlite3
import tempfile
import unittest

from rmsim_driver import TRACES, main, run

HELLO = os.path.join(TRACES, "go-hello.strace")


class Params(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.db = os.path.join(self.tmp.name, "p.db")

    def tearDown(self):
        self.tmp.cleanup()

    def test_readme_example_runs_as_written(self):
        p = run("compare", HELLO, "--policy",
                "window:base=0x1000000000,size=512G", "--db", self.db,
                "-q")
        self.assertIn(p.returncode, (0, 1), p.stderr)
        self.assertIn("window:base=0x1000000000,size=512G", p.stdout)
        con = sqlite3.connect(self.db)
        self.assertEqual(con.execute("SELECT policy, params FROM run")
                         .fetchall(),
                         [("window", "base=0x1000000000,size=512G")])

    def test_two_policies_several_parameters(self):
        p = run("compare", HELLO, "--policy", "window:size=64G,pool=0",
                "--policy", "lazy:chunk=16K,pool=1M,heap=1M", "--no-db",
                "-q")
        self.assertIn(p.returncode, (0, 1), p.stderr)
        self.assertIn("window:size=64G,pool=0 ", p.stdout)
        # canonical: the table's key order, whatever the order given
        self.assertIn("lazy:pool=1M,heap=1M,chunk=16K ", p.stdout)

    def test_bad_specs_are_usage_errors_that_say_why(self):
        cases = [
            ("window:pool=3K", ["pool=3K", "multiple of 4K", "default 2M"]),
            ("window:bogus=1", ["unknown key 'bogus'",
                                "base, size, pool, heap, memlock"]),
            ("window:base=zzz", ["base=zzz", "not a value", "address"]),
            ("window:size=1G,size=2G", ["'size' given twice"]),
            ("lazy:chunk=48K", ["chunk=48K", "power of two"]),
            ("window:size=1G,2G", ["'2G' is not KEY=VALUE",
                                   "one --policy per policy"]),
            ("window:=1G", ["'=1G' is not KEY=VALUE"]),
            ("libc,window", ["one policy per --policy"]),
            ("libc-20.05:x=1", ["unknown key 'x'", "no parameters"]),
            ("native:x=1", ["takes no parameters"]),
            ("window:", ["nothing after ':'"]),
            ("window:size=", ["size=", "not a value"]),
            ("", ["takes a policy"]),
            ("nosuch", ["unknown policy 'nosuch'"]),
        ]
        for cmd in ("compare", "sweep", "replay", "plan"):
            for spec, words in cases:
                if cmd == "replay" and spec == "":
                    continue
                if cmd in ("sweep", "plan") and spec == "window:size=1G,2G":
                    continue        # a list of values there
                with self.subTest(cmd=cmd, spec=spec):
                    p = run(cmd, HELLO, "--policy", spec, "--no-db"
                            if cmd in ("compare", "sweep") else "-q")
                    self.assertEqual(p.returncode, 64, p.stderr)
                    for w in words:
                        self.assertIn(w, p.stderr)
        p = run("conform", "--no-db", "--policy", "window:pool=3K")
        self.assertEqual(p.returncode, 64)
        self.assertIn("pool=3K", p.stderr)

    def test_a_base_outside_the_layout_is_a_usage_error(self):
        p = run("replay", HELLO, "--policy", "window:base=0xfff0000000000000")
        self.assertEqual(p.returncode, 64, p.stderr)
        self.assertIn("refuses these parameters on layout nova-x86_64",
                      p.stderr)

    def test_policies_lists_every_key(self):
        out = run("policies", check=0).stdout
        for line in ("chunk=a size 4K..1G, a power of two, a multiple of "
                     "4K, default 64K",
                     "pool=a size 0..1T, a multiple of 4K, default 2M",
                     "base=an address", "default auto",
                     "align_log2=a number 0..30, default 12",
                     "area=a size 1..1T, default 15M"):
            self.assertIn(line, out)

    def test_runs_are_kept_apart_and_equal_settings_unified(self):
        p = run("compare", HELLO, "--policy", "window", "--policy",
                "window:pool=0", "--policy", "window:pool=2048K",
                "--db", self.db, "-q")
        self.assertIn(p.returncode, (0, 1), p.stderr)
        names = [l.split()[0] for l in p.stdout.splitlines()
                 if l.startswith("window")]
        # pool=2048K is the default: the same run as plain window
        self.assertEqual(names, ["window", "window:pool=0", "window"])
        con = sqlite3.connect(self.db)
        self.assertEqual(con.execute("SELECT policy, params FROM run "
                                     "ORDER BY id").fetchall(),
                         [("window", None), ("window", "pool=0"),
                          ("window", None)])
        out = os.path.join(self.tmp.name, "r")
        run("report", "--db", self.db, "-o", out, check=0)
        with open(os.path.join(out, "report.md")) as f:
            self.assertIn("window:pool=0", f.read())

    def test_replay_and_conform_take_the_same_grammar(self):
        p = run("replay", HELLO, "--policy", "lazy:chunk=16K,pool=0")
        self.assertIn(p.returncode, (0, 1), p.stderr)
        self.assertIn("policy     lazy:pool=0,chunk=16K", p.stdout)
        case = os.path.join(TRACES, "..", "tests", "cases")
        p = run("conform", "--no-db", "-q", "--policy", "linux",
                "--policy", "lazy:chunk=16K,pool=0", case)
        self.assertIn(p.returncode, (0, 1), p.stderr)
        self.assertIn("lazy:pool=0,chunk=16K", p.stdout)


if __name__ == "__main__":
    main()
