"""Shared helpers for the end-to-end driver tests: where the rmsim binary
and the source tree are, running the command, and reading traces the way
a user's tools would (decompressing with the standard library)."""
import gzip
import lzma
import os
import subprocess
import sys
import tempfile
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


def trace_file(test, text, suffix=".strace"):
    """TEXT (str or bytes) in a temporary file, removed when TEST ends;
    returns its path."""
    fd, path = tempfile.mkstemp(suffix=suffix)
    with os.fdopen(fd, "wb" if isinstance(text, bytes) else "w") as f:
        f.write(text)
    test.addCleanup(os.unlink, path)
    return path


def main():
    """unittest.main with a closing 'N passed, N failed' line for CI."""
    prog = unittest.main(exit=False, verbosity=2)
    r = prog.result
    failed = len(r.failures) + len(r.errors)
    skipped = len(r.skipped)
    print("%d passed, %d failed, %d skipped"
          % (r.testsRun - failed - skipped, failed, skipped))
    sys.exit(1 if failed else 0)


# Columns that say when, where and how fast a run ran, not what it found;
# and its id, which depends on the order runs reached the database.
VOLATILE_RUN = {"id", "started_utc", "wall_ms", "pid", "host"}
VOLATILE_METRIC = {"events_per_s"}


def db_content(path, digest=False):
    """A database's content as a sorted list, one entry per run: the run's
    columns but the volatile ones, then every row of every table with a
    run_id (in insertion order, run_id left out; metrics but the timed
    ones).  Two databases with equal content hold the same runs with the
    same results, whatever their ids, order and timing.  With DIGEST,
    each run's rows are hashed as they are read instead of kept (for
    databases of gigabytes)."""
    import hashlib
    import sqlite3
    con = sqlite3.connect(path)
    try:
        cols = [r[1] for r in con.execute("PRAGMA table_info(run)")]
        keep = [c for c in cols if c not in VOLATILE_RUN]
        tables = []
        for (name,) in con.execute("SELECT name FROM sqlite_master WHERE "
                                   "type='table' AND name<>'run' "
                                   "ORDER BY name"):
            tcols = [r[1] for r in con.execute(
                "PRAGMA table_info(\"%s\")" % name)]
            if "run_id" in tcols:
                tables.append((name, [c for c in tcols if c != "run_id"]))
        out = []
        for row in con.execute("SELECT id, %s FROM run ORDER BY id" %
                               ",".join('"%s"' % c for c in keep)):
            entry = [tuple(row[1:])]
            h = hashlib.sha256()
            for name, tcols in tables:
                cur = con.execute(
                    "SELECT %s FROM \"%s\" WHERE run_id=? ORDER BY rowid"
                    % (",".join('"%s"' % c for c in tcols), name),
                    (row[0],))
                rows = (r for r in cur if name != "metric" or
                        r[0] not in VOLATILE_METRIC)
                if digest:
                    h.update(name.encode())
                    for r in rows:
                        h.update(repr(r).encode())
                else:
                    entry.append((name, list(rows)))
            if digest:
                entry.append(h.hexdigest())
            out.append(entry)
        return sorted(out, key=repr)
    finally:
        con.close()
