"""End-to-end tests of `rmsim replay --policy linux` and its database.

The reference model must reproduce every recorded result of every bundled
trace: the test replays each one into a database and asserts, by SQL,
that no event is a mismatch.  It also interrupts replays (SIGINT,
SIGTERM, SIGKILL) and checks what the database says afterwards, and
points the database at places that cannot be written."""
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

from rmsim_driver import RMSIM, TRACES, main, run, trace_file, trace_files


def big_trace():
    return [f for f in trace_files() if "500k" in f][0]


class ReplayTraces(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.db = os.path.join(cls.tmp.name, "replay.db")
        cls.results = {}
        for path in trace_files():
            p = run("replay", "--json", "--db", cls.db, path)
            cls.results[path] = (p.returncode, p.stdout, p.stderr)

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_every_trace_replays_without_mismatch(self):
        con = sqlite3.connect(self.db)
        for path, (code, out, err) in self.results.items():
            with self.subTest(trace=os.path.basename(path)):
                self.assertEqual(code, 0, err + out)
                run_id = json.loads(out)["run_id"]
                status, events = con.execute(
                    "SELECT status, events FROM run WHERE id=?",
                    (run_id,)).fetchone()
                self.assertEqual(status, "complete")
                rows = con.execute(
                    "SELECT count(*) FROM event WHERE run_id=?",
                    (run_id,)).fetchone()[0]
                self.assertEqual(rows, events)
                bad = con.execute(
                    "SELECT line, call, traced_ret, traced_errno, "
                    "model_ret, model_errno FROM event WHERE run_id=? AND "
                    "verdict='mismatch' LIMIT 5", (run_id,)).fetchall()
                self.assertEqual(bad, [])
                findings = con.execute(
                    "SELECT count(*) FROM finding WHERE run_id=?",
                    (run_id,)).fetchone()[0]
                self.assertEqual(findings, 0)

    def test_exact_addresses(self):
        """Every trace: at least 99.9% of the non-fixed mmaps at the
        recorded address, once the ones concurrent with another thread's
        call, the ones the kernel randomises per call (MAP_32BIT) and the
        ones beside memory an incomplete trace never showed are counted
        apart.  A concurrent mmap is either where the kernel's order
        (found from the recorded results) puts it, or placed as recorded
        because no order explains it; counted either way.  Unseen
        placements only follow the warning that the trace is
        incomplete."""
        for path, (code, out, err) in self.results.items():
            s = json.loads(out)
            name = os.path.basename(path)
            alone = (s["mmaps_placed"] - s["concurrent"] - s["random"] -
                     s["unseen"])
            rate = s["mmaps_exact"] / alone if alone else 1.0
            print("  %-32s %6d/%-6d exact (%.2f%%), %d concurrent "
                  "(%d in the kernel's order, %d placed as recorded), "
                  "%d random, %d unseen"
                  % (name, s["mmaps_exact"], alone, 100 * rate,
                     s["concurrent"], s["concurrent_exact"],
                     s["concurrent_adopted"], s["random"], s["unseen"]))
            with self.subTest(trace=name):
                self.assertEqual(s["mismatches"], 0)
                self.assertGreaterEqual(rate, 0.999)
                self.assertEqual(s["concurrent_exact"] +
                                 s["concurrent_adopted"], s["concurrent"])
                # the recorded results give the kernel's order
                self.assertGreaterEqual(s["concurrent_exact"],
                                        0.999 * s["concurrent"])
                if s["unseen"]:
                    self.assertRegex(s["warning"] or "", "without -f")
                if "-threads" in name:
                    self.assertGreater(s["concurrent"], 0, path)

    def test_placement_counts_in_the_run_row(self):
        con = sqlite3.connect(self.db)
        for path, (code, out, err) in self.results.items():
            s = json.loads(out)
            with self.subTest(trace=os.path.basename(path)):
                row = con.execute(
                    "SELECT mmaps_placed, mmaps_exact, mmaps_concurrent, "
                    "mmaps_concurrent_exact, mmaps_random, mmaps_unseen "
                    "FROM run WHERE id=?", (s["run_id"],)).fetchone()
                self.assertEqual(row, (s["mmaps_placed"], s["mmaps_exact"],
                                       s["concurrent"],
                                       s["concurrent_exact"], s["random"],
                                       s["unseen"]))

    def test_traces_with_gaps(self):
        """Program images without an execve line are replayed afresh and
        noted; a trace without -f gets one warning about the threads."""
        con = sqlite3.connect(self.db)
        for path, (code, out, err) in self.results.items():
            s = json.loads(out)
            name = os.path.basename(path)
            notes = dict(con.execute(
                "SELECT kind, count(*) FROM note WHERE run_id=? "
                "GROUP BY kind", (s["run_id"],)).fetchall())
            with self.subTest(trace=name):
                if name.startswith("env-python-gaps"):
                    self.assertGreaterEqual(s["images"], 1)
                    self.assertEqual(notes.get("image"), s["images"])
                elif name.startswith("threads-without-f"):
                    self.assertRegex(s["warning"] or "", "without -f")
                    self.assertIn("rmsim replay: warning:", err)
                    self.assertEqual(notes.get("threads"), 1)
                else:
                    self.assertEqual(s["images"], 0)
                    self.assertIsNone(s["warning"])
                    self.assertEqual(notes, {})

    def test_metrics_logged(self):
        con = sqlite3.connect(self.db)
        names = {r[0] for r in con.execute("SELECT DISTINCT name FROM metric")}
        for n in ("events", "mismatches", "mmaps_placed", "mmaps_exact",
                  "mmaps_concurrent", "mmaps_concurrent_exact",
                  "unmodelled", "events_per_s"):
            self.assertIn(n, names)
        # the rate is the run's events over its wall time, however short
        # the run (most of these take well under a second)
        rows = con.execute(
            "SELECT r.id, r.events, r.wall_ms, m.value FROM run r JOIN "
            "metric m ON m.run_id = r.id AND m.name = 'events_per_s'"
        ).fetchall()
        con.close()
        self.assertEqual(len(rows), len(self.results))
        for run_id, events, wall_ms, rate in rows:
            with self.subTest(run=run_id):
                self.assertGreater(events, 0)
                self.assertGreater(wall_ms, 0)
                self.assertAlmostEqual(rate, events / (wall_ms / 1000),
                                       delta=1e-9 * rate)


class KernelOrder(unittest.TestCase):
    """Two threads' overlapping calls, logged in another order than the
    kernel served them: the replay finds the order from the recorded
    results (an mmap before the other thread's, a munmap before the mmap
    that got its range), and counts a call no order explains apart as
    placed as recorded."""
    HEAD = (
        '100 execve("./t", ["./t"], 0x7ffd741dd9d0 /* 1 var */) = 0\n'
        "100 brk(NULL) = 0x555555560000\n"
        "100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
        "MAP_ANONYMOUS, -1, 0) = 0x7ffff7ff0000\n"
        "100 clone3({flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|"
        "CLONE_THREAD|CLONE_SYSVSEM, child_tid=0x7f2956e80990, "
        "parent_tid=0x7f2956e80990, exit_signal=0, stack=0x7f2956c80000, "
        "stack_size=0x1fff00, tls=0x7f2956e806c0}, 88) = 101\n"
        "101 mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
        "MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
        "100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
        "MAP_ANONYMOUS, -1, 0 <unfinished ...>\n")
    TAIL = (
        "101 <... mmap resumed>) = 0x7ffff7fef000\n"
        "101 munmap(0x7ffff7fef000, 4096 <unfinished ...>\n"
        "100 mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
        "MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
        "100 <... mmap resumed>) = 0x7ffff7fef000\n"
        "101 <... munmap resumed>) = 0\n"
        "100 mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
        "MAP_ANONYMOUS, -1, 0) = 0x7ffff7fec000\n"
        "100 exit_group(0) = ?\n")

    def replay(self, middle):
        path = trace_file(self, self.HEAD + middle + self.TAIL)
        p = run("replay", "-q", "--json", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout)

    def test_the_recorded_results_give_the_order(self):
        s = self.replay("100 <... mmap resumed>) = 0x7ffff7fed000\n")
        self.assertEqual((s["concurrent"], s["concurrent_exact"],
                          s["concurrent_adopted"]), (3, 3, 0))
        self.assertEqual((s["mmaps_placed"], s["mmaps_exact"]), (5, 2))

    def test_a_result_no_order_gives_is_placed_as_recorded(self):
        s = self.replay("100 <... mmap resumed>) = 0x7ffff7f00000\n")
        self.assertEqual(s["concurrent"], 3)
        self.assertEqual(s["concurrent_adopted"], 1)
        self.assertEqual(s["mismatches"], 0)


    def test_a_brk_served_after_an_mmap(self):
        """brk takes part: the mmap (with its hint just above the break)
        was served first, so the brk that finished first in the trace
        failed."""
        path = trace_file(
            self, self.HEAD.split("101 mmap")[0] +
            "100 mmap(0x555555561000, 4096, PROT_READ|PROT_WRITE, "
            "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0 <unfinished ...>\n"
            "101 brk(0x555555562000 <unfinished ...>\n"
            "101 <... brk resumed>) = 0x555555560000\n"
            "100 <... mmap resumed>) = 0x555555561000\n"
            "100 exit_group(0) = ?\n")
        p = run("replay", "-q", "--json", path)
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        s = json.loads(p.stdout)
        self.assertEqual(s["mismatches"], 0)
        self.assertEqual((s["concurrent"], s["concurrent_exact"]), (1, 1))



class Processes(unittest.TestCase):
    """Address spaces made by fork and dropped at exit."""
    TRACE = (
        "100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
        "MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n"
        "100 clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|"
        "CLONE_CHILD_SETTID|SIGCHLD, child_tidptr=0x7f0000001a10) = 101\n"
        "101 mprotect(0x7f0000000000, 4096, PROT_READ) = 0\n"
        "101 exit_group(0) = ?\n"
        "101 +++ exited with 0 +++\n"
        "100 mprotect(0x7f0000000000, 4096, PROT_READ) = 0\n"
        "100 exit_group(0) = ?\n"
        "100 +++ exited with 0 +++\n")

    def test_child_inherits_on_the_reference(self):
        """A Genode component has no fork of its model: the child's
        policy side sits the process out, while the reference forks, so
        the child's calls on the memory it inherited still match."""
        path = trace_file(self, self.TRACE)
        # (libc's own mprotect of part of a mapping is a finding of its
        # own: window and lazy take it)
        for policy in ("window", "lazy"):
            with self.subTest(policy=policy):
                p = run("replay", "-q", "--json", "--policy", policy, path)
                self.assertEqual(p.returncode, 0, p.stderr)
                s = json.loads(p.stdout)
                self.assertEqual((s["processes"], s["orphans"],
                                  s["mismatches"], s["findings"]),
                                 (2, 0, 0, 0))
                # the child's mprotect is the reference's alone
                self.assertEqual((s["events"], s["compared"]), (6, 3))


    def test_pid_1_execs(self):
        """A program recorded as pid 1 (the first process of a container)
        is a process like any other: its execve starts a new address
        space for it."""
        trace = (
            "1 mmap(0x7f0000000000, 8192, PROT_READ|PROT_WRITE, "
            "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) = 0x7f0000000000\n"
            '1 execve("/bin/true", ["true"], 0x7ffd741dd9d0 /* 1 var */)'
            " = 0\n"
            "1 mmap(0x7f0000000000, 8192, PROT_READ|PROT_WRITE, "
            "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED_NOREPLACE, -1, 0) = "
            "0x7f0000000000\n"
            "1 exit_group(0) = ?\n"
            "1 +++ exited with 0 +++\n")
        path = trace_file(self, trace)
        p = run("replay", "-q", "--json", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        s = json.loads(p.stdout)
        self.assertEqual((s["mismatches"], s["findings"]), (0, 0))

    def test_many_processes_come_and_go(self):
        """Hundreds of children whose pids share their slot in the pid
        table (pids 4096 apart: one probe cluster), every other one
        exiting while the rest live on: each survivor's calls still find
        its own address space (no pid taken for one without a clone)."""
        n = 600
        lines = ["100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
                 "MAP_ANONYMOUS, -1, 0) = 0x7f0000000000"]
        kids = [1000 + 4096 * i for i in range(n)]
        for k in kids:
            lines.append("100 clone(child_stack=NULL, flags=SIGCHLD) = %d"
                         % k)
        for k in kids[::2]:
            lines += ["%d exit_group(0) = ?" % k,
                      "%d +++ exited with 0 +++" % k]
        for k in kids[1::2]:
            lines.append("%d mprotect(0x7f0000000000, 4096, PROT_READ) = 0"
                         % k)
        lines.append("100 exit_group(0) = ?")
        path = trace_file(self, "\n".join(lines) + "\n")
        p = run("replay", "-q", "--json", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        s = json.loads(p.stdout)
        self.assertEqual((s["processes"], s["orphans"], s["mismatches"]),
                         (n + 1, 0, 0))


class WithoutF(unittest.TestCase):
    """A trace without pids whose plain mmap the kernel put below where
    the model could (memory above it was taken by calls the trace does
    not hold): one warning, and a note, that it was recorded without -f;
    none when the same calls carry pids."""
    CALLS = ("mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
             "MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n",
             "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
             "MAP_ANONYMOUS, -1, 0) = 0x7efff0000000\n",
             "munmap(0x7efff0000000, 4096) = 0\n",
             "exit_group(0) = ?\n")

    def replay(self, prefix):
        path = trace_file(self, "".join(prefix + c for c in self.CALLS))
        p = run("replay", "-q", "--json", path)
        self.assertEqual(p.returncode, 0, p.stderr)
        return json.loads(p.stdout), p.stderr

    def test_relocated_without_pids(self):
        s, err = self.replay("")
        self.assertEqual((s["mismatches"], s["unseen"]), (0, 0))
        self.assertRegex(s["warning"] or "",
                         r"^line 2: mmap placed at 0x7efff0000000 .* "
                         r"free above it: .*without -f")
        self.assertIn("rmsim replay: warning: line 2", err)

    def test_no_warning_with_pids(self):
        s, err = self.replay("100 ")
        self.assertEqual(s["mismatches"], 0)
        self.assertIsNone(s["warning"])
        self.assertNotIn("warning", err)


class Mismatches(unittest.TestCase):
    """A trace whose recorded results the reference does not give (a
    munmap and an mprotect that succeed on Linux, recorded as failing):
    exit 1, the count in the summary, each event a mismatch and one
    "result" finding per mismatch that says what was recorded and what
    the model gave."""
    def test_each_mismatch_is_a_finding_that_says_what(self):
        trace = trace_file(
            self, "100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
            "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n"
            "100 munmap(0x7f0000000000, 4096) = -1 EINVAL "
            "(Invalid argument)\n"
            "100 mprotect(0x7f0000001000, 4096, PROT_READ) = "
            "-1 ENOMEM (Cannot allocate memory)\n")
        with tempfile.TemporaryDirectory() as d:
            db = os.path.join(d, "m.db")
            p = run("replay", "--db", db, trace)
            self.assertEqual(p.returncode, 1, p.stderr)
            self.assertRegex(p.stdout, r"results +3 compared, 2 mismatched "
                             r"\(result 2; first at line 2\)")
            con = sqlite3.connect(db)
            events = con.execute("SELECT line, verdict FROM event "
                                 "ORDER BY seq").fetchall()
            found = con.execute("SELECT e.line, f.kind, f.severity, "
                                "f.detail FROM finding f JOIN event e ON "
                                "e.run_id = f.run_id AND e.seq = f.seq "
                                "ORDER BY f.rowid").fetchall()
            con.close()
        self.assertEqual(events, [(1, "ok"), (2, "mismatch"),
                                  (3, "mismatch")])
        self.assertEqual(found, [
            (2, "result", "error",
             "result: line 2: munmap recorded -1 EINVAL, model 0"),
            (3, "result", "error",
             "result: line 3: mprotect recorded -1 ENOMEM, model 0")])


class DuplicatedDescriptors(unittest.TestCase):
    """A descriptor that dup, dup2 or dup3 made maps as the one it
    copies: opened read-only, a shared writable mapping through the copy
    is EACCES as on Linux, a read-only one succeeds.  A descriptor the
    trace never made is EBADF to the model: two mismatches."""
    def replay(self, dup_line, fd):
        path = trace_file(
            self, '100 openat(AT_FDCWD, "/etc/hostname", '
            'O_RDONLY|O_CLOEXEC) = 3\n' + dup_line +
            "100 mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_SHARED, "
            "%d, 0) = -1 EACCES (Permission denied)\n"
            "100 mmap(NULL, 4096, PROT_READ, MAP_SHARED, %d, 0) = "
            "0x7f0000000000\n" % (fd, fd))
        p = run("replay", "-q", "--json", path)
        return p.returncode, json.loads(p.stdout)

    def test_each_copy_keeps_the_mode(self):
        for line, fd in (("100 dup(3) = 4\n", 4),
                         ("100 dup2(3, 10) = 10\n", 10),
                         ("100 dup3(3, 11, O_CLOEXEC) = 11\n", 11)):
            with self.subTest(call=line.split("(")[0]):
                code, s = self.replay(line, fd)
                self.assertEqual((code, s["mismatches"]), (0, 0), s)

    def test_the_check_can_fail(self):
        # the same mappings through a descriptor nothing made
        code, s = self.replay("", 10)
        self.assertEqual((code, s["mismatches"]), (1, 2), s)


class Msync(unittest.TestCase):
    """msync's length reaches the model: over a range whose second page
    was unmapped it is ENOMEM, over the first page alone 0 (as the host
    kernel answers the same calls)."""
    def test_length_decides(self):
        trace = trace_file(
            self, "100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
            "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n"
            "100 munmap(0x7f0000001000, 4096) = 0\n"
            "100 msync(0x7f0000000000, 8192, MS_SYNC) = -1 "
            "ENOMEM (Cannot allocate memory)\n"
            "100 msync(0x7f0000000000, 4096, MS_SYNC) = 0\n"
            "100 msync(0x7f0000001000, 4096, MS_ASYNC) = -1 "
            "ENOMEM (Cannot allocate memory)\n")
        p = run("replay", "-q", "--json", trace)
        s = json.loads(p.stdout)
        self.assertEqual((p.returncode, s["mismatches"]), (0, 0), s)
        self.assertEqual(s["calls"].get("msync"), 3, s)


class TraceDigest(unittest.TestCase):
    """The run row's trace_sha256: the file's, made beside the replay;
    none for a trace read from a pipe, whose bytes are the replay's
    alone (hashing them took them from it, or hashed nothing)."""
    def test_file_and_pipe(self):
        import hashlib
        trace = os.path.join(TRACES, "go-hello.strace")
        with open(trace, "rb") as f:
            data = f.read()
        with tempfile.TemporaryDirectory() as d:
            db = os.path.join(d, "r.db")
            run("replay", "-q", "--db", db, trace, check=0)
            p = subprocess.run([RMSIM, "replay", "-q", "--json", "--db", db,
                                "/dev/stdin"], input=data,
                               capture_output=True)
            self.assertEqual(p.returncode, 0, p.stderr)
            con = sqlite3.connect(db)
            rows = con.execute("SELECT events, trace_sha256 FROM run "
                               "ORDER BY id").fetchall()
            con.close()
        self.assertEqual(rows[0][1], hashlib.sha256(data).hexdigest())
        self.assertEqual(rows[1][0], rows[0][0])
        self.assertIsNone(rows[1][1])


class NewCalls(unittest.TestCase):
    """mseal, memory-deny-write-execute, memfd_secret and the calls that
    are only counted, as a program on Linux 6.18 gave them: the
    reference reproduces every result, every policy runs them without
    crashing (Genode has none of them: deviations, not failures), and
    the unmodelled calls are named."""
    TRACE = (
        "100 brk(NULL) = 0x555555560000\n"
        "100 mmap(NULL, 16384, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
        "MAP_ANONYMOUS, -1, 0) = 0x7ffff7ff0000\n"
        "100 mseal(0x7ffff7ff1000, 4096, 0) = 0\n"
        "100 munmap(0x7ffff7ff1000, 4096) = -1 EPERM (Operation not "
        "permitted)\n"
        "100 mprotect(0x7ffff7ff0000, 8192, PROT_READ) = -1 EPERM "
        "(Operation not permitted)\n"
        "100 prctl(PR_SET_NAME, \"x\") = 0\n"
        "100 prctl(0x41 /* PR_??? */, 0x1, 0, 0, 0) = 0\n"
        "100 mmap(NULL, 4096, PROT_READ|PROT_WRITE|PROT_EXEC, "
        "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = -1 EACCES (Permission "
        "denied)\n"
        "100 memfd_secret(0) = 3\n"
        "100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_PRIVATE, 3, 0) "
        "= -1 EINVAL (Invalid argument)\n"
        "100 mmap(NULL, 8192, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0) = "
        "0x7ffff7fee000\n"
        "100 shmat(65538, NULL, 0) = 0x7ffff7f00000\n"
        "100 pkey_alloc(0, 0) = -1 EINVAL (Invalid argument)\n"
        "100 userfaultfd(O_CLOEXEC) = 4\n"
        "100 exit_group(0) = ?\n")

    def test_every_policy(self):
        path = trace_file(self, self.TRACE)
        for policy in ("linux", "libc", "libc-20.05", "go-world", "window",
                       "lazy"):
            with self.subTest(policy=policy):
                p = run("replay", "-q", "--json",
                        "--policy", policy, path)
                self.assertIn(p.returncode, (0, 1), p.stderr)
                s = json.loads(p.stdout)
                self.assertEqual(s["mismatches"], 0)
                self.assertEqual(s["unmodelled"], {"shmat": 1,
                                                   "userfaultfd": 1,
                                                   "pkey_alloc": 1})
                if policy == "linux":
                    self.assertEqual(p.returncode, 0)
        p = run("replay", path)
        self.assertRegex(p.stdout, r"(?m)^unmodelled +3 calls that change "
                         r"the address space were not run \(shmat 1, "
                         r"userfaultfd 1, pkey_alloc 1\)")


class Interrupt(unittest.TestCase):
    def replay_and_signal(self, sig, wait_rows=20000):
        tmp = tempfile.mkdtemp()
        db = os.path.join(tmp, "int.db")
        p = subprocess.Popen([RMSIM, "replay", "--db", db, "-q",
                              "--touch", "all", big_trace()],
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        # wait until a batch is committed, then signal
        deadline = time.time() + 60
        while time.time() < deadline:
            time.sleep(0.05)
            try:
                con = sqlite3.connect(db, timeout=1)
                n = con.execute("SELECT count(*) FROM event").fetchone()[0]
                con.close()
            except sqlite3.Error:
                n = 0
            if n >= wait_rows or p.poll() is not None:
                break
        if p.poll() is not None:
            self.skipTest("replay finished before it could be interrupted")
        p.send_signal(sig)
        out, err = p.communicate(timeout=60)
        return p.returncode, db

    def check_interrupted(self, db):
        con = sqlite3.connect(db)
        self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0],
                         "ok")
        status, events = con.execute(
            "SELECT status, events FROM run").fetchone()
        self.assertEqual(status, "interrupted")
        rows = con.execute("SELECT count(*) FROM event").fetchone()[0]
        self.assertGreater(rows, 0)
        self.assertEqual(rows, events)
        # the rows are the first ones, with no gap
        self.assertEqual(con.execute("SELECT max(seq) FROM event")
                         .fetchone()[0], rows)

    def test_sigint(self):
        code, db = self.replay_and_signal(signal.SIGINT)
        self.assertEqual(code, 130)
        self.check_interrupted(db)

    def test_sigterm(self):
        code, db = self.replay_and_signal(signal.SIGTERM)
        self.assertEqual(code, 143)
        self.check_interrupted(db)

    def test_sigkill_marked_on_next_open(self):
        code, db = self.replay_and_signal(signal.SIGKILL)
        self.assertEqual(code, -signal.SIGKILL)
        con = sqlite3.connect(db)
        self.assertEqual(con.execute("SELECT status FROM run").fetchone()[0],
                         "running")
        con.close()
        small = [f for f in trace_files() if "go-hello" in f][0]
        run("replay", "-q", "--db", db, small, check=0)
        con = sqlite3.connect(db)
        rows = con.execute("SELECT status, detail FROM run ORDER BY id") \
                  .fetchall()
        self.assertEqual(rows[0][0], "interrupted")
        self.assertIn("process ended", rows[0][1])
        self.assertEqual(rows[1][0], "complete")


class DatabaseErrors(unittest.TestCase):
    def small(self):
        return [f for f in trace_files() if "go-hello" in f][0]

    def test_cannot_create_73(self):
        p = run("replay", "--db", "/nonexistent/dir/x.db", self.small(),
                check=73)
        self.assertIn("/nonexistent/dir/x.db", p.stderr)

    def test_not_a_database_65(self):
        fd, path = tempfile.mkstemp(suffix=".db")
        os.write(fd, b"this is not a database" * 100)
        os.close(fd)
        self.addCleanup(os.unlink, path)
        p = run("replay", "--db", path, self.small(), check=65)
        self.assertIn(path, p.stderr)

    def test_disk_full_74(self):
        """A file size limit stands in for a full disk: writes fail."""
        tmp = tempfile.mkdtemp()
        db = os.path.join(tmp, "full.db")

        def limit():
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, 64 * 1024))

        p = subprocess.run([RMSIM, "replay", "-q", "--db", db, big_trace()],
                           capture_output=True, text=True, preexec_fn=limit)
        self.assertEqual(p.returncode, 74, p.stderr)
        self.assertIn("rmsim replay:", p.stderr)
        # what was committed is still readable
        con = sqlite3.connect(db)
        self.assertEqual(con.execute("PRAGMA integrity_check").fetchone()[0],
                         "ok")


class MaxMapCount(unittest.TestCase):
    """A trace from a machine with vm.max_map_count raised: the model
    refuses the 65,532nd mapping as Linux does by default, and replays it
    exactly when told the recording machine's limit."""

    def test_limit(self):
        root = os.path.dirname(os.path.dirname(os.path.dirname(
            os.path.abspath(__file__))))
        with tempfile.TemporaryDirectory() as tmp:
            path = os.path.join(tmp, "many.strace")
            subprocess.run([sys.executable,
                            os.path.join(root, "scripts", "gen-churn"),
                            "66000", "50", "-o", path], check=True)
            p = run("replay", "--json", path, check=1)
            s = json.loads(p.stdout)
            # do_mmap refuses once map_count > max_map_count: the
            # 65,532nd mmap and every later one get ENOMEM
            self.assertEqual(s["first_mismatch_line"], 65532)
            self.assertEqual(s["mismatch"]["result"], s["mismatches"])
            p = run("replay", "--json", "--max-map-count", "70000", path,
                    check=0)
            self.assertEqual(json.loads(p.stdout)["mismatches"], 0)
            run("replay", "--max-map-count", "0", path, check=64)
            run("replay", "--max-map-count", "many", path, check=64)


class Usage(unittest.TestCase):
    def test_help_and_errors(self):
        self.assertIn("usage: rmsim replay", run("replay", "--help",
                                                 check=0).stdout)
        run("replay", check=64)
        run("replay", "--policy", "nosuch", "x", check=64)
        run("replay", "--touch", "some", "x", check=64)
        run("replay", "/nonexistent.strace", check=66)

    def test_bad_line_65(self):
        path = trace_file(self, b"munmap(0x1000, 4096) = 0\nmunmap(0x1000\n")
        p = run("replay", path, check=65)
        self.assertEqual(p.stderr.strip(),
                         "%s:2: truncated line: missing ')'" % path)
        p = run("replay", "--keep-going", path, check=0)
        self.assertIn("skipped    1 unreadable lines", p.stdout)


if __name__ == "__main__":
    main()
