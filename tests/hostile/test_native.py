"""Hostile input for the native backend: a trace must not reach rmsim's
own files, the child's own memory, or more of the host than its limits
allow; a child that dies anyway fails the run, never gives results.

Each test asserts the exit status, the message, what the database holds
afterwards, and time and memory under limits the test enforces."""
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import unittest

from limits import (Limits, check_limits, db_runs, finish_limited,
                    run_limited, start_limited)

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "driver"))
import rmsim_driver as d  # noqa: E402

MAP = "PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0"
# the native child is a process of its own: the limits bound rmsim, the
# CPU budget both (RLIMIT_CPU is inherited), and the peak RSS each
LIM = Limits(cpu=10, mem=256 << 20)


class R:
    """A finished run in the shape the older assertions read."""

    def __init__(self, r):
        self.r = r
        self.returncode = r.status
        self.stdout = r.stdout
        self.stderr = r.stderr


def run(args, lim=LIM, prefix=()):
    """Run rmsim under LIM; (run, wall seconds).  PREFIX: a command to
    run it under (setarch)."""
    if prefix:
        t0 = time.monotonic()
        p = subprocess.run([*prefix, d.RMSIM, *args], capture_output=True,
                           text=True, timeout=lim.wall)
        return p, time.monotonic() - t0
    r = run_limited(args, lim)
    return R(r), r.wall


def alive(p):
    """Is P still running?  Asked without reaping it (finish_limited
    does that, for its figures)."""
    return os.waitid(os.P_PID, p.pid,
                     os.WEXITED | os.WNOHANG | os.WNOWAIT) is None


def catches(pid, sig):
    """Has process PID a handler of its own for SIG?"""
    try:
        with open("/proc/%d/status" % pid) as f:
            for line in f:
                if line.startswith("SigCgt:"):
                    return bool(int(line.split()[1], 16) >> (sig - 1) & 1)
    except OSError:
        pass
    return False


def runs(db):
    rows = db_runs(db)
    return "ok", [(x["policy"], x["status"], x["events"], x["detail"])
                  for x in rows]


class Native(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def trace(self, name, lines):
        path = os.path.join(self.dir, name)
        with open(path, "w") as f:
            f.write("\n".join(lines) + "\n")
        return path

    def seeded_db(self):
        """A database holding one complete run before the hostile one."""
        db = os.path.join(self.dir, "keep.db")
        hello = os.path.join(d.TRACES, "go-hello.strace")
        p, _ = run(["replay", "-q", "--db", db, hello])
        self.assertEqual(p.returncode, 0, p.stderr)
        return db

    def test_shared_mapping_of_inherited_fds_cannot_write_the_database(self):
        # fds 3..9 are what rmsim itself has open (the database, its
        # journal); the trace never opened them
        db = self.seeded_db()
        lines = ["mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_SHARED, %d, "
                 "0) = 0x7f12345%d0000" % (fd, fd) for fd in range(3, 10)]
        t = self.trace("fds.strace", lines)
        p, secs = run(["replay", "--policy", "native", "--touch", "all",
                       "--db", db, t])
        # the child has no such descriptors: EBADF, not the recorded
        # success
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertIn("7 mismatched", p.stdout)
        ok, rows = runs(db)
        self.assertEqual(ok, "ok")
        self.assertEqual(rows[0][:3], ("linux", "complete", 27))
        self.assertEqual(rows[1][:3], ("native", "complete", 7))
        self.assertLess(secs, 30)

    def test_conform_case_mapping_fd_3_cannot_write_the_database(self):
        db = os.path.join(self.dir, "conform.db")
        case = os.path.join(self.dir, "fd3.case")
        with open(case, "w") as f:
            f.write("# case: X.1 a descriptor the case never opened\n"
                    "mmap(NULL, PG, PROT_READ|PROT_WRITE, MAP_SHARED, 3, 0)"
                    " = -1 EBADF\n")
        p, _ = run(["conform", "--policy", "native", "--db", db, case])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        self.assertIn("1 passed", p.stdout)
        con = sqlite3.connect(db)
        self.assertEqual(con.execute("pragma integrity_check").fetchone()[0],
                         "ok")
        con.close()

    def test_descriptors_the_trace_opens_are_files_of_the_child(self):
        t = self.trace("open.strace", [
            'openat(AT_FDCWD, "/data/x", O_RDWR) = 7',
            "mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_SHARED, 7, 0) = "
            "0x7f1234560000",
            'openat(AT_FDCWD, "/data/y", O_RDONLY) = 8',
            "mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_SHARED, 8, 0) = "
            "-1 EACCES (Permission denied)",
            "mmap(NULL, 65536, PROT_READ|PROT_WRITE, MAP_PRIVATE, 8, 4096) "
            "= 0x7f1234570000",
            "dup2(8, 9) = 9",
            "mmap(NULL, 4096, PROT_READ, MAP_SHARED, 9, 0) = 0x7f1234580000",
            "close(7) = 0",
            "mmap(NULL, 65536, PROT_READ, MAP_SHARED, 7, 0) = "
            "-1 EBADF (Bad file descriptor)",
        ])
        p, _ = run(["replay", "--policy", "native", "--touch", "all",
                    "--json", t])
        self.assertEqual(p.returncode, 0, p.stdout + p.stderr)
        s = json.loads(p.stdout)
        self.assertEqual(s["mismatches"], 0)
        self.assertEqual(s["compared"], 5)

    def test_mremap_onto_the_childs_stack_and_code_is_refused(self):
        # without address randomisation the child's stack and code are
        # where the kernel puts every program's
        if subprocess.run(["setarch", "-R", "true"]).returncode != 0:
            self.skipTest("setarch -R is not available")
        lines = []
        for i, dst in enumerate((0x7ffffffde000, 0x7fffffffe000 - 0x40000,
                                 0x555555554000, 0x555555556000)):
            src = 0x7f0000000000 + i * 0x100000
            lines.append("mmap(NULL, 8192, %s) = %#x" % (MAP, src))
            lines.append("mremap(%#x, 8192, 8192, MREMAP_MAYMOVE|"
                         "MREMAP_FIXED, %#x) = %#x" % (src, dst, dst))
            lines.append("munmap(%#x, 8192) = 0" % dst)
        t = self.trace("mremap.strace", lines)
        db = os.path.join(self.dir, "m.db")
        p, _ = run(["replay", "--policy", "native", "--json", "--db", db, t],
                   prefix=("setarch", "-R"))
        self.assertIn(p.returncode, (0, 1), p.stdout + p.stderr)
        s = json.loads(p.stdout)
        # the ones onto the child's memory are not run, so not results;
        # the child survives to run the rest
        self.assertGreaterEqual(s["unknown"], 1)
        self.assertEqual(s["mismatches"], 0, p.stdout)
        ok, rows = runs(db)
        self.assertEqual(rows[0][1], "complete")

    def test_a_child_that_dies_fails_the_run(self):
        t = os.path.join(self.dir, "churn.strace")
        subprocess.run([sys.executable,
                        os.path.join(d.SOURCE, "scripts", "gen-churn"),
                        "1000", "400000", "--pattern", "local", "-o", t],
                       check=True)
        db = self.seeded_db()
        proc, files = start_limited(["replay", "--policy", "native",
                                     "--db", db, t], LIM)
        killed = False
        deadline = time.monotonic() + 60
        while not killed and time.monotonic() < deadline:
            time.sleep(0.2)
            for task in os.listdir("/proc/%d/task" % proc.pid):
                try:
                    with open("/proc/%d/task/%s/children"
                              % (proc.pid, task)) as f:
                        kids = f.read().split()
                except OSError:
                    kids = []
                for k in kids:
                    # once it serves requests: its own SIGSEGV handler
                    # is in place (a child still in fork() is no test)
                    if not catches(int(k), signal.SIGSEGV):
                        continue
                    os.kill(int(k), signal.SIGSEGV)
                    killed = True
            if not alive(proc):
                break
        r = finish_limited(proc, files, LIM)
        out, err = r.stdout, r.stderr
        self.assertTrue(killed, "the replay ended before its child was seen")
        self.assertEqual(r.status, 70, r)
        self.assertIn("backend failed", err)
        self.assertIn("signal 11", err)
        ok, rows = runs(db)
        self.assertEqual(ok, "ok")
        self.assertEqual(rows[-1][0], "native")
        self.assertEqual(rows[-1][1], "failed")
        self.assertIn("signal 11", rows[-1][3])
        self.assertGreater(rows[-1][2], 0)  # the events it got through

    def test_memory_the_child_may_populate_and_lock_is_bounded(self):
        base = 0x7f0000000000
        t = self.trace("lock.strace", [
            "mmap(NULL, 4294967296, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
            "MAP_ANONYMOUS|MAP_POPULATE, -1, 0) = %#x" % base,
            "mlockall(MCL_CURRENT|MCL_FUTURE) = 0",
            "mmap(NULL, 1073741824, PROT_READ|PROT_WRITE, MAP_PRIVATE|"
            "MAP_ANONYMOUS, -1, 0) = %#x" % (base - (1 << 30)),
            "mlock(%#x, 4294967296) = 0" % base,
            "madvise(%#x, 4096, MADV_HWPOISON) = 0" % base,
            "madvise(%#x, 4096, MADV_SOFT_OFFLINE) = 0" % base,
        ])
        p, secs = run(["replay", "--policy", "native", "--ram", "64M",
                       "--touch", "all", "--json", t])
        self.assertIn(p.returncode, (0, 1), p.stdout + p.stderr)
        s = json.loads(p.stdout)
        # the populating, locking and host-wide calls are not run
        self.assertGreaterEqual(s["unknown"], 5, p.stdout)
        # rmsim and its child stayed far below the 4 GiB asked for (the
        # peak is the larger of the two)
        check_limits(self, p.r, LIM)

    def test_exited_processes_are_reaped(self):
        lines = []
        pid = 100
        for i in range(200):
            child = 1000 + i
            lines.append("%d  clone(child_stack=NULL, flags=SIGCHLD) = %d"
                         % (pid, child))
            lines.append('%d  execve("/bin/true", ["true"], 0x7ffd0 /* 1 var'
                         's */) = 0' % child)
            lines.append("%d  mmap(NULL, 8192, %s) = 0x7f0000%03x000"
                         % (child, MAP, i))
            lines.append("%d  exit_group(0) = ?" % child)
            lines.append("%d  +++ exited with 0 +++" % child)
        # a tail in the parent, while which the children are counted: long
        # enough for several samples, short enough for a host kernel whose
        # MAP_FIXED replacement costs tens of microseconds (a flush of the
        # TLB by hypercall in a virtual machine)
        for i in range(30000):
            a = 0x7f1000000000 + (i % 64) * 0x10000
            lines.append("%d  mmap(%#x, 8192, PROT_READ|PROT_WRITE, "
                         "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED, -1, 0) = %#x"
                         % (pid, a, a))
        t = self.trace("forks.strace", lines)
        proc, files = start_limited(["replay", "-q", "--policy", "native",
                                     t], LIM)
        most = 0
        while alive(proc):
            n = 0
            try:
                for task in os.listdir("/proc/%d/task" % proc.pid):
                    with open("/proc/%d/task/%s/children"
                              % (proc.pid, task)) as f:
                        n += len(f.read().split())
            except OSError:
                pass
            most = max(most, n)
            time.sleep(0.05)
        r = finish_limited(proc, files, LIM)
        self.assertIn(r.status, (0, 1), r)
        check_limits(self, r, LIM)
        # 200 execs: the parent's process, the run's root (the first
        # program exec'd, kept for the final figures) and the one child
        # alive at a time; never one per exec
        self.assertLessEqual(most, 3)


if __name__ == "__main__":
    d.main()
