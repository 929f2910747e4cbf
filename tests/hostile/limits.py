"""The hostile-input suite's one way to run rmsim under limits.

Every hostile test runs the command through run_limited(): the child gets
hard limits set with setrlimit before it starts (CPU seconds, data segment
bytes, output file size, no core files), the parent kills it at a wall
clock deadline, and wait4() returns what it really used (CPU time, peak
resident set).  check_limits() then asserts the figures, so a test fails
both when the child is stopped by a limit and when it merely came close.

Sanitizer builds (RMSIM_SANITIZED=1, set by CMake) reserve terabytes of
shadow memory and run several times slower: there the data limit is not
set (it would refuse the shadow), the time budget is multiplied by
SANITIZER_FACTOR and the resident-set budget by 4, plus the 256 MiB that
AddressSanitizer's quarantine may hold; the measured figures are still
asserted.
"""
import os
import resource
import signal
import subprocess
import tempfile
import time

import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "driver"))
from rmsim_driver import RMSIM, SOURCE  # noqa: E402,F401

MiB = 1 << 20
SANITIZED = os.environ.get("RMSIM_SANITIZED", "0") not in ("", "0", "OFF")
SANITIZER_FACTOR = 8
ASAN_QUARANTINE = 256 * MiB     # its default quarantine_size_mb


class Limits:
    """What one run may use: cpu and wall in seconds, mem in bytes (peak
    resident set, also the hard data-segment limit), fsize in bytes."""

    def __init__(self, cpu=2.0, mem=128 * MiB, wall=None, fsize=1 << 30):
        f = SANITIZER_FACTOR if SANITIZED else 1
        self.cpu = cpu * f
        # sanitized: redzones and shadow, and AddressSanitizer's
        # quarantine, which holds up to 256 MiB of freed memory (a run
        # that frees much, like a touch over thousands of dataspaces,
        # keeps that much resident)
        self.mem = mem * 4 + ASAN_QUARANTINE if SANITIZED else mem
        # a loaded shared machine: the wall clock gets slack, the CPU
        # budget is the real bound
        self.wall = wall if wall is not None else max(30.0, 10 * self.cpu)
        self.fsize = fsize
        # the hard limits sit above the budgets, so a run that goes over
        # is reported with its figures rather than only killed
        self.hard_mem = None if SANITIZED else 2 * self.mem
        self.hard_cpu = int(self.cpu * 2) + 1


class Result:
    """A finished run: status (exit code, or -signal), stdout, stderr,
    cpu (user+system seconds), maxrss (bytes), wall (seconds), killed
    (the wall deadline hit)."""

    def __init__(self, args, status, out, err, cpu, maxrss, wall, killed):
        self.args = args
        self.status = status
        self.stdout = out
        self.stderr = err
        self.cpu = cpu
        self.maxrss = maxrss
        self.wall = wall
        self.killed = killed

    def __repr__(self):
        return ("rmsim %s: status %s, %.2f s CPU, %.1f MiB peak RSS, "
                "%.2f s wall%s\nstderr: %s" % (
                    " ".join(self.args), self.status, self.cpu,
                    self.maxrss / MiB, self.wall,
                    " (killed at the deadline)" if self.killed else "",
                    self.stderr[-1500:]))


def _child_limits(lim):
    def apply():
        resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
        resource.setrlimit(resource.RLIMIT_CPU, (lim.hard_cpu, lim.hard_cpu))
        resource.setrlimit(resource.RLIMIT_FSIZE, (lim.fsize, lim.fsize))
        if lim.hard_mem:
            resource.setrlimit(resource.RLIMIT_DATA,
                               (lim.hard_mem, lim.hard_mem))
    return apply


def start_limited(args, lim, cwd=None, env=None):
    """Start rmsim ARGS under LIM; returns (Popen, files) for
    finish_limited().  For tests that signal the child mid-run."""
    out = tempfile.TemporaryFile()
    err = tempfile.TemporaryFile()
    p = subprocess.Popen([RMSIM, *args], stdin=subprocess.DEVNULL,
                         stdout=out, stderr=err, cwd=cwd, env=env,
                         preexec_fn=_child_limits(lim))
    p.rmsim_start = time.monotonic()
    return p, (out, err)


def finish_limited(p, files, lim):
    """Wait for P (killing it at the wall deadline) and return a
    Result with what it used."""
    out, err = files
    deadline = p.rmsim_start + lim.wall
    killed = False
    while True:
        pid, status, ru = os.wait4(p.pid, os.WNOHANG)
        if pid:
            break
        if time.monotonic() > deadline:
            os.kill(p.pid, signal.SIGKILL)
            killed = True
            pid, status, ru = os.wait4(p.pid, 0)
            break
        time.sleep(0.01)
    wall = time.monotonic() - p.rmsim_start
    p.returncode = os.waitstatus_to_exitcode(status)
    texts = []
    for f in (out, err):
        f.seek(0)
        texts.append(f.read().decode("utf-8", "replace"))
        f.close()
    return Result(p.args[1:], p.returncode, texts[0], texts[1],
                  ru.ru_utime + ru.ru_stime, ru.ru_maxrss * 1024, wall,
                  killed)


def run_limited(args, lim=None, cwd=None, env=None):
    """Run rmsim ARGS under LIM (default Limits()) and return a Result."""
    lim = lim or Limits()
    p, files = start_limited(args, lim, cwd=cwd, env=env)
    return finish_limited(p, files, lim)


def check_limits(test, r, lim):
    """Assert that run R stayed inside LIM's CPU and memory budgets."""
    test.assertFalse(r.killed, r)
    test.assertLessEqual(r.cpu, lim.cpu, r)
    test.assertLessEqual(r.maxrss, lim.mem, r)


def db_runs(path):
    """Every run of the database at PATH as dicts (id, status, events,
    detail, policy), oldest first, after an integrity check."""
    import sqlite3
    con = sqlite3.connect(path)
    try:
        ok = con.execute("PRAGMA integrity_check").fetchone()[0]
        if ok != "ok":
            raise AssertionError("%s: integrity_check says %s" % (path, ok))
        con.row_factory = sqlite3.Row
        return [dict(r) for r in con.execute(
            "SELECT id, status, events, detail, policy FROM run "
            "ORDER BY id")]
    finally:
        con.close()


def db_count(path, table, run_id):
    """Rows of TABLE that belong to run RUN_ID."""
    import sqlite3
    con = sqlite3.connect(path)
    try:
        return con.execute("SELECT count(*) FROM %s WHERE run_id=?" % table,
                           (run_id,)).fetchone()[0]
    finally:
        con.close()
