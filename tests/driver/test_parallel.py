"""End-to-end tests of -j: compare and sweep on worker processes write
the same database content as one worker (ids and timing aside), print
the same tables, and show a progress line on a terminal only."""
import os
import pty
import signal
import sqlite3
import subprocess
import tempfile
import time
import unittest

from rmsim_driver import RMSIM, TRACES, db_content, main, run

TRACES_USED = [os.path.join(TRACES, t) for t in
               ("go-hello.strace", "go-alloc.strace",
                "glibc-malloc-small.strace.xz")]
LAYOUTS = "nova-x86_64,hw-64"


def table(stdout):
    """The tables without the speed column (and "first", after it)."""
    return [l.split()[:-2] for l in stdout.splitlines()]


class Parallel(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()

    def tearDown(self):
        self.tmp.cleanup()

    def db(self, name):
        return os.path.join(self.tmp.name, name)

    def test_compare_content_does_not_depend_on_j(self):
        procs = {}
        for j in ("1", "2", "3"):
            procs[j] = run("compare", *TRACES_USED, "--layout", LAYOUTS,
                           "-j", j, "--db", self.db("c%s.db" % j), "-q")
            self.assertEqual(procs[j].returncode, 1, procs[j].stderr)
        one = db_content(self.db("c1.db"))
        self.assertEqual(len(one), 3 * 2 * 5)
        self.assertGreater(sum(len(t[1]) for r in one for t in r[1:]
                               if t[0] == "event"), 10000)
        for j in ("2", "3"):
            self.assertEqual(db_content(self.db("c%s.db" % j)), one)
            self.assertEqual(table(procs[j].stdout), table(procs["1"].stdout))

    def test_workers_write_what_a_direct_replay_writes(self):
        # replay logs in its own process, without workers or shards: the
        # merged rows of compare must be the same rows
        for t in TRACES_USED[:2]:
            for pol in ("lazy:chunk=16K", "libc"):
                run("replay", t, "--policy", pol, "--layout", "hw-64",
                    "--db", self.db("r.db"), "-q", check=None)
        run("compare", *TRACES_USED[:2], "--policy", "lazy:chunk=16K",
            "--policy", "libc", "--layout", "hw-64", "-j", "2", "--db",
            self.db("w.db"), "-q", check=1)
        con = sqlite3.connect(self.db("r.db"))
        con.execute("UPDATE run SET command='compare'")
        con.commit()
        con.close()
        self.assertEqual(db_content(self.db("r.db")),
                         db_content(self.db("w.db")))

    def test_sweep_content_does_not_depend_on_j(self):
        for j in ("1", "2"):
            run("sweep", TRACES_USED[1], "--policy",
                "lazy:chunk=16K..256K*2,pool=0,1M", "--db",
                self.db("s%s.db" % j), "-j", j, "-q", check=0)
        self.assertEqual(db_content(self.db("s1.db")),
                         db_content(self.db("s2.db")))

    def test_conform_content_does_not_depend_on_j(self):
        cases = os.path.join(TRACES, "..", "tests", "cases")
        out = {}
        for j in ("1", "3"):
            p = run("conform", cases, "--policy", "linux", "--policy",
                    "libc", "--policy", "lazy:chunk=16K", "--policy",
                    "none", "-j", j, "--db", self.db("f%s.db" % j), "-q")
            self.assertEqual(p.returncode, 1, p.stderr)
            # the totals' line ends with the time taken
            out[j] = [l for l in p.stdout.splitlines() if "cases (" not in l]
        self.assertEqual(out["1"], out["3"])
        one = db_content(self.db("f1.db"))
        self.assertEqual(len(one), 4)
        self.assertEqual(db_content(self.db("f3.db")), one)

    def test_appending_keeps_what_was_there(self):
        run("compare", TRACES_USED[0], "--policy", "libc", "--db",
            self.db("a.db"), "-q", check=1)
        run("compare", TRACES_USED[0], "--policy", "lazy", "--db",
            self.db("a.db"), "-q", "-j", "2", check=0)
        self.assertEqual(len(db_content(self.db("a.db"))), 2)

    def test_progress_on_a_terminal_only(self):
        args = [RMSIM, "compare", *TRACES_USED[:2], "--policy", "lazy",
                "--policy", "window", "--no-db", "-j", "2"]
        p = subprocess.run(args, capture_output=True, text=True)
        self.assertEqual(p.stderr, "")
        master, slave = pty.openpty()
        p = subprocess.run(args, stdout=subprocess.PIPE, stderr=slave,
                           text=True)
        os.close(slave)
        err = b""
        while True:
            try:
                chunk = os.read(master, 65536)
            except OSError:
                break
            if not chunk:
                break
            err += chunk
        os.close(master)
        self.assertIn(b"runs", err)
        self.assertIn(b"events/s", err)
        self.assertIn(b"left", err)

    def test_sigterm_stops_the_workers_and_keeps_their_rows(self):
        big = os.path.join(TRACES, "glibc-malloc-500k.strace.xz")
        p = subprocess.Popen([RMSIM, "compare", big, "--policy", "lazy",
                              "--policy", "window", "--policy", "libc",
                              "-j", "2", "--db", self.db("t.db"), "-q"],
                             stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL)
        con = None
        for _ in range(300):
            time.sleep(0.1)
            if os.path.exists(self.db("t.db")):
                break
        time.sleep(2)
        p.send_signal(signal.SIGTERM)
        self.assertEqual(p.wait(timeout=60), 143)
        con = sqlite3.connect(self.db("t.db"))
        rows = con.execute("SELECT status, events, (SELECT count(*) FROM "
                           "event WHERE run_id=run.id) FROM run").fetchall()
        con.close()
        self.assertTrue(rows)
        for status, events, logged in rows:
            self.assertIn(status, ("interrupted", "complete"))
            self.assertEqual(events, logged)
        # the third run never started: no row for it
        self.assertLessEqual(len(rows), 2)

    def test_bad_j(self):
        for j in ("0", "x", "-1", "100000"):
            p = run("compare", TRACES_USED[0], "-j", j, "--no-db")
            self.assertEqual(p.returncode, 64)
            self.assertIn("-j takes", p.stderr)


if __name__ == "__main__":
    main()
