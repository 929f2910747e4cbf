"""Shared helpers for the end-to-end driver tests: where the rmsim binary
and the source tree are, running the command, and reading traces the way
a user's tools would (decompressing with the standard library)."""
import gzip
import lzma
import os
import subprocess
import sys
import unittest

RMSIM = os.environ.get("RMSIM", "rmsim")
SOURCE = os.environ.get("RMSIM_SOURCE_DIR",
                        os.path.join(os.path.dirname(__file__), "..", ".."))
TRACES = os.path.join(SOURCE, "traces")


def run(*args, stdin=None, check=None, timeout=600):
    """Run rmsim with ARGS; returns the CompletedProcess (text mode)."""
    p = subprocess.run([RMSIM, *args], input=stdin, capture_output=True,
                       text=True, timeout=timeout)
    if check is not None and p.returncode != check:
        raise AssertionError("rmsim %s exited %d, wanted %d\nstdout: %s\n"
                             "stderr: %s" % (" ".join(args), p.returncode,
                                             check, p.stdout[-2000:],
                                             p.stderr[-2000:]))
    return p


def trace_files():
    """Every trace in traces/, sorted."""
    return sorted(os.path.join(TRACES, f) for f in os.listdir(TRACES)
                  if ".strace" in f)


def open_text(path):
    """Open a trace, plain, .gz or .xz, as text."""
    if path.endswith(".xz"):
        return lzma.open(path, "rt", errors="replace")
    if path.endswith(".gz"):
        return gzip.open(path, "rt", errors="replace")
    return open(path, "rt", errors="replace")


def main():
    """unittest.main with a closing 'N passed, N failed' line for CI."""
    prog = unittest.main(exit=False, verbosity=2)
    r = prog.result
    failed = len(r.failures) + len(r.errors)
    skipped = len(r.skipped)
    print("%d passed, %d failed, %d skipped"
          % (r.testsRun - failed - skipped, failed, skipped))
    sys.exit(1 if failed else 0)
