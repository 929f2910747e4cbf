"""Exit statuses and database states that tell the truth (issue 16, items
10 to 13): output that cannot be written, file-size limits, foreign and
newer databases, a database in a read-only directory, a run stopped by a
write error, and --json for any file name."""
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import unittest

from limits import Limits, check_limits, db_count, db_runs, run_limited

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "driver"))
from rmsim_driver import RMSIM, TRACES, main  # noqa: E402

HELLO = os.path.join(TRACES, "go-hello.strace")
BIG = os.path.join(TRACES, "glibc-malloc-500k.strace.xz")
LIM = Limits(cpu=10, mem=256 << 20)


class Io(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def test_output_to_a_full_device_is_an_error(self):
        for args in (["cat", HELLO], ["cat", "--stats", HELLO],
                     ["replay", HELLO], ["replay", "--json", HELLO]):
            with open("/dev/full", "w") as full:
                p = subprocess.run([RMSIM, *args], stdout=full,
                                   stderr=subprocess.PIPE, text=True,
                                   timeout=60)
            self.assertEqual(p.returncode, 74, (args, p.stderr))
            self.assertIn("cannot write the output", p.stderr)

    def test_file_size_limit_fails_cleanly(self):
        db = self.path("c.db")
        r = run_limited(["compare", "-q", "--db", db, HELLO], LIM)
        self.assertIn(r.status, (0, 1), r)
        out = self.path("report")
        lim = Limits(cpu=10, mem=256 << 20, fsize=64 << 10)
        r = run_limited(["report", "--db", db, "-o", out], lim)
        self.assertEqual(r.status, 74, r)
        self.assertIn("File too large", r.stderr)
        left = os.listdir(out) if os.path.isdir(out) else []
        self.assertFalse([f for f in left if ".tmp" in f], left)
        r = run_limited(["compare", "-q", "--db", self.path("d.db"),
                         "--report", self.path("r2"), HELLO], lim)
        self.assertEqual(r.status, 74, r)
        left = os.listdir(self.path("r2")) if os.path.isdir(
            self.path("r2")) else []
        self.assertFalse([f for f in left if ".tmp" in f], left)

    def test_a_foreign_sqlite_file_is_left_alone(self):
        db = self.path("photos.db")
        con = sqlite3.connect(db)
        con.execute("create table photos(x)")
        con.execute("insert into photos values(1)")
        con.commit()
        con.close()
        with open(db, "rb") as f:
            before = f.read()
        for args in (["replay", "-q", "--db", db, HELLO],
                     ["compare", "-q", "--db", db, HELLO],
                     ["report", "--db", db, "-o", self.path("o")]):
            r = run_limited(args, LIM)
            self.assertEqual(r.status, 65, r)
            self.assertIn("not an rmsim database", r.stderr)
        with open(db, "rb") as f:
            self.assertEqual(f.read(), before)
        self.assertFalse(os.path.exists(db + "-wal"))

    def replayed_then(self, name, sql):
        """A database NAME holding one replay of HELLO, then changed by
        SQL; its path."""
        db = self.path(name)
        r = run_limited(["replay", "-q", "--db", db, HELLO], LIM)
        self.assertEqual(r.status, 0, r)
        con = sqlite3.connect(db)
        con.execute(sql)
        con.commit()
        con.close()
        return db

    def test_a_newer_schema_is_left_alone(self):
        db = self.replayed_then("new.db", "update meta set value='999' "
                                "where key='schema_version'")
        r = run_limited(["replay", "-q", "--db", db, HELLO], LIM)
        self.assertEqual(r.status, 65, r)
        self.assertIn("newer rmsim", r.stderr)
        self.assertEqual(len(db_runs(db)), 1)

    def test_report_from_a_read_only_directory(self):
        if os.geteuid() != 0 or not shutil.which("setpriv"):
            self.skipTest("needs root to become another user")
        src = self.path("ro")
        os.mkdir(src)
        db = os.path.join(src, "c.db")
        r = run_limited(["compare", "-q", "--db", db, HELLO], LIM)
        self.assertIn(r.status, (0, 1), r)
        out = self.path("out")
        os.mkdir(out)
        os.chmod(out, 0o777)
        os.chmod(db, 0o444)
        os.chmod(src, 0o555)
        os.chmod(self.dir, 0o755)
        p = subprocess.run(["setpriv", "--reuid=nobody", "--regid=nogroup",
                            "--clear-groups", RMSIM, "report", "--db", db,
                            "-o", out], capture_output=True, text=True,
                           timeout=120)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.assertTrue(os.path.exists(os.path.join(out, "report.html")))
        self.assertEqual(sorted(os.listdir(src)), ["c.db"])

    def test_a_run_stopped_by_an_error_is_marked_failed(self):
        # a compressed trace cut short: the run stops at the first bad
        # block, marked failed with the reason and the events it logged
        cut = self.path("cut.strace.xz")
        with open(BIG, "rb") as f:
            data = f.read()
        with open(cut, "wb") as f:
            f.write(data[:len(data) * 6 // 10])
        db = self.path("cut.db")
        r = run_limited(["replay", "--db", db, cut], LIM)
        self.assertIn(r.status, (65, 74), r)
        runs = db_runs(db)
        self.assertEqual(len(runs), 1)
        self.assertEqual(runs[0]["status"], "failed", runs)
        self.assertTrue(runs[0]["detail"], runs)
        con = sqlite3.connect(db)
        n = con.execute("select count(*) from event").fetchone()[0]
        con.close()
        self.assertGreater(n, 0)
        self.assertEqual(runs[0]["events"], n)

    def test_a_run_the_database_will_not_end(self):
        """The last write of a run (its status) fails: a trigger in the
        database refuses it.  The replay says so and exits 74; the run
        keeps the events it logged, and no later write claims it
        ended."""
        db = self.replayed_then(
            "trigger.db",
            "CREATE TRIGGER no_end BEFORE UPDATE OF status ON run "
            "WHEN NEW.status != 'running' BEGIN "
            "SELECT RAISE(ABORT, 'this run may not end'); END")
        r = run_limited(["replay", "-q", "--db", db, HELLO], LIM)
        self.assertEqual(r.status, 74, r)
        self.assertIn("this run may not end", r.stderr)
        runs = db_runs(db)
        self.assertEqual(len(runs), 2)
        self.assertNotEqual(runs[1]["status"], "complete", runs)
        self.assertEqual(db_count(db, "event", runs[1]["id"]),
                         db_count(db, "event", runs[0]["id"]))

    def test_compare_with_an_unreadable_trace(self):
        bad = self.path("bad.strace")
        with open(bad, "w") as f:
            f.write("mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS,"
                    " -1, 0) = 0x7f0000000000\nnot a call at all\n")
        db = self.path("kg.db")
        # without --keep-going: stopped before anything is written
        r = run_limited(["compare", "-q", "--policy", "window", "--db", db,
                         bad, HELLO], LIM)
        self.assertEqual(r.status, 65, r)
        self.assertIn("bad.strace:2:", r.stderr)
        self.assertFalse(os.path.exists(db))
        # with it: the others run, the bad one is named, the status says
        for extra in ([], ["--ram", "1G"]):
            if os.path.exists(db):
                os.unlink(db)
            r = run_limited(["compare", "-q", "--keep-going", "--policy",
                             "window", "--db", db, *extra, bad,
                             self.path("missing.strace"), HELLO], LIM)
            self.assertEqual(r.status, 65, r)
            self.assertIn("bad.strace left out", r.stderr)
            self.assertIn("missing.strace left out", r.stderr)
            runs = db_runs(db)
            self.assertEqual([x["status"] for x in runs], ["complete"])

    def test_small_usage_errors(self):
        case = os.path.join(self.dir, "ok.case")
        with open(case, "w") as f:
            f.write("# case: X.1 fine\nmunmap(0, 4096) = 0\n")
        for args, text in (
                (["replay", "--ram", "0", HELLO], "--ram"),
                (["replay", "--caps", "0", HELLO], "--caps"),
                (["compare", "--ram", "0", "--no-db", HELLO], "--ram"),
                (["replay", "--db", "", HELLO], "--db"),
                (["compare", "--db", "", HELLO], "--db"),
                (["replay", "--policy", "", HELLO], "policy"),
                (["compare", "--policy", "", "--no-db", HELLO], "--policy"),
                (["compare", "--no-db", "--db", "x.db", HELLO], "--no-db"),
                (["conform", "--no-db", "--db", "x.db", case], "--no-db"),
                (["conform", "--db", "x.db", "--no-db", case], "--no-db")):
            r = run_limited(args, LIM, cwd=self.dir)
            self.assertEqual(r.status, 64, r)
            self.assertIn(text, r.stderr)
            self.assertFalse(os.path.exists(self.path("x.db")))

    def test_case_files_that_cannot_be_cases(self):
        over = self.path("over.case")
        with open(over, "w") as f:
            f.write("# case: X.1 t\n# requires: linux>=99999999999999999999"
                    "99.1\nmunmap(0, 4096) = 0\n")
        r = run_limited(["conform", "--no-db", over], LIM)
        self.assertEqual(r.status, 65, r)
        self.assertIn("over.case:2: version number too large", r.stderr)
        big = self.path("big.case")
        with open(big, "w") as f:
            f.write("# case: X.2 big\n# " + "x" * (2 << 20) + "\n")
        r = run_limited(["conform", "--no-db", big], LIM)
        self.assertEqual(r.status, 65, r)
        self.assertIn("larger than 1 MiB", r.stderr)

    def test_json_for_any_file_name(self):
        name = 'a"b\\c\td\x01e\xe9.strace'
        t = self.path(name)
        with open(t, "w") as f:
            f.write("mmap(NULL, 4096, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS,"
                    " -1, 0) = 0x7f0000000000\n")
        r = run_limited(["replay", "--json", t], LIM)
        self.assertEqual(r.status, 0, r)
        s = json.loads(r.stdout)
        self.assertTrue(s["trace"].endswith('a"b\\c\td\x01e\xe9.strace'),
                        s["trace"])
        # a name that is not UTF-8 still gives valid JSON
        bad = os.path.join(os.fsencode(self.dir), b"x\xff\xfe.strace")
        shutil.copy(t, bad)
        r = run_limited(["replay", "--json", os.fsdecode(bad)], LIM)
        self.assertEqual(r.status, 0, r)
        json.loads(r.stdout)
        check_limits(self, r, LIM)


if __name__ == "__main__":
    main()
