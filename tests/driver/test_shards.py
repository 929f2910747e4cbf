"""End-to-end tests of `rmsim plan` and `rmsim merge`: a plan run by GNU
parallel and merged holds what one compare writes; the Slurm array
script, run task by task with SLURM_ARRAY_TASK_ID set by hand, too;
merging is whole shards only (corrupt, interrupted or foreign-schema
shards are reported and left out), idempotent, and the report reads the
merged database."""
import os
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from rmsim_driver import TRACES, db_content, main, run

TRACES_USED = [os.path.join(TRACES, t) for t in
               ("go-hello.strace", "go-alloc.strace")]
ARGS = ["--policy", "libc", "--policy", "lazy:chunk=16K,64K",
        "--policy", "window:pool=0", "--layout", "nova-x86_64,sel4-64"]
SPECS = ["--policy", "libc", "--policy", "lazy:chunk=16K", "--policy",
         "lazy", "--policy", "window:pool=0", "--layout",
         "nova-x86_64,sel4-64"]
NRUNS = 2 * 2 * 4


class Shards(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.single = os.path.join(cls.tmp.name, "single.db")
        run("compare", *TRACES_USED, *SPECS, "--db", cls.single, "-q",
            check=1)
        cls.content = db_content(cls.single)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def setUp(self):
        self.dir = tempfile.mkdtemp(dir=self.tmp.name)

    def path(self, *p):
        return os.path.join(self.dir, *p)

    def plan(self, *extra):
        p = run("plan", *TRACES_USED, *ARGS, "--shards", self.path("sh"),
                *extra, check=0)
        lines = p.stdout.splitlines()
        self.assertEqual(len(lines), NRUNS)
        return p.stdout

    def shards(self):
        return sorted(os.path.join(self.path("sh"), f)
                      for f in os.listdir(self.path("sh"))
                      if f.endswith(".db"))

    @unittest.skipUnless(shutil.which("parallel"), "GNU parallel missing")
    def test_parallel_plan_merged_equals_one_compare(self):
        plan = self.plan()
        subprocess.run(["parallel", "--will-cite", "-j", "2"], input=plan,
                       text=True, check=True, capture_output=True,
                       cwd="/")
        self.assertEqual(len(self.shards()), NRUNS)
        out = self.path("all.db")
        p = run("merge", *self.shards(), "-o", out, check=0)
        self.assertIn("%d run(s) added" % NRUNS, p.stdout)
        self.assertEqual(db_content(out), self.content)
        # the same shards again add nothing
        p = run("merge", *self.shards(), "-o", out, check=0)
        self.assertIn("0 run(s) added, %d already present" % NRUNS,
                      p.stdout)
        self.assertEqual(db_content(out), self.content)
        # the report reads the merged database like any other
        run("report", "--db", out, "-o", self.path("rep"), check=0)
        with open(self.path("rep", "report.md")) as f:
            md = f.read()
        self.assertIn("lazy:chunk=16K", md)
        self.assertIn("window:pool=0", md)

    def test_slurm_array_script_task_by_task(self):
        # no Slurm cluster in CI: the generated array script is run with
        # the task id set by hand, as each array task would run it
        self.plan("--sbatch", self.path("runs.sbatch"))
        with open(self.path("runs.sbatch")) as f:
            script = f.read()
        self.assertIn("#SBATCH --array=1-%d" % NRUNS, script)
        for i in range(1, NRUNS + 1):
            subprocess.run(["sh", self.path("runs.sbatch")], check=True,
                           capture_output=True, cwd="/",
                           env=dict(os.environ,
                                    SLURM_ARRAY_TASK_ID=str(i)))
        p = subprocess.run(["sh", self.path("runs.sbatch")],
                           capture_output=True, text=True)
        self.assertNotEqual(p.returncode, 0)
        self.assertIn("SLURM_ARRAY_TASK_ID", p.stderr)
        out = self.path("all.db")
        run("merge", *self.shards(), "-o", out, "-q", check=0)
        self.assertEqual(db_content(out), self.content)

    def test_bad_shards_are_left_out_whole(self):
        self.plan()
        plan = self.plan()
        for line in plan.splitlines()[:4]:
            subprocess.run(["sh", "-c", line], check=True,
                           capture_output=True)
        good = self.shards()
        self.assertEqual(len(good), 4)
        # interrupted: a run still running
        shutil.copy(good[0], self.path("interrupted.db"))
        con = sqlite3.connect(self.path("interrupted.db"))
        con.execute("UPDATE run SET status='running'")
        con.commit()
        con.close()
        # another schema version
        shutil.copy(good[1], self.path("future.db"))
        con = sqlite3.connect(self.path("future.db"))
        con.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
        con.commit()
        con.close()
        # corrupt: cut in half, and not a database at all
        with open(good[2], "rb") as f:
            data = f.read()
        with open(self.path("cut.db"), "wb") as f:
            f.write(data[:len(data) // 2])
        with open(self.path("text.db"), "w") as f:
            f.write("not a database\n" * 100)
        out = self.path("all.db")
        p = run("merge", good[0], self.path("interrupted.db"),
                self.path("future.db"), self.path("cut.db"),
                self.path("text.db"), good[3], "-o", out)
        self.assertEqual(p.returncode, 65, p.stderr)
        self.assertIn("interrupted.db: interrupted (run 1 is running)",
                      p.stderr)
        self.assertRegex(p.stderr, r"future.db: schema version 99, the "
                                   r"target has \d+")
        self.assertIn("cut.db: corrupt", p.stderr)
        self.assertIn("text.db: corrupt", p.stderr)
        self.assertIn("2 run(s) added, 0 already present, 4 shard(s) left "
                      "out", p.stdout)
        con = sqlite3.connect(out)
        self.assertEqual(con.execute("SELECT count(*) FROM run")
                         .fetchone()[0], 2)
        # nothing of a left-out shard: every row belongs to a merged run
        for table in ("event", "metric", "finding", "mapping", "sample",
                      "region"):
            self.assertEqual(con.execute(
                "SELECT count(*) FROM %s WHERE run_id NOT IN "
                "(SELECT id FROM run)" % table).fetchone()[0], 0)
        con.close()
        p = run("merge", self.path("nosuch.db"), "-o", out)
        self.assertEqual(p.returncode, 66)
        p = run("merge", out, "-o", out)
        self.assertEqual(p.returncode, 64)
        p = run("merge", good[0])
        self.assertEqual(p.returncode, 64)

    def test_plan_takes_grids_and_checks_first(self):
        p = run("plan", TRACES_USED[0], "--policy", "lazy:chunk=16K..64K*2",
                "--shards", self.path("g"), check=0)
        self.assertEqual(len(p.stdout.splitlines()), 3)
        self.assertIn("--policy 'lazy:chunk=16K'", p.stdout)
        p = run("plan", TRACES_USED[0], "--policy", "lazy:chunk=3K",
                "--shards", self.path("bad"))
        self.assertEqual(p.returncode, 64)
        self.assertFalse(os.path.exists(self.path("bad")))
        for opt in (["--db", "x.db"], ["--no-db"], ["-j", "2"],
                    ["--report", "r"]):
            self.assertEqual(run("plan", TRACES_USED[0], *opt).returncode,
                             64)
        p = run("plan", self.path("nosuch.strace"))
        self.assertEqual(p.returncode, 66)


if __name__ == "__main__":
    main()
