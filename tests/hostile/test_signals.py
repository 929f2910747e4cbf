"""SIGINT and SIGTERM stop a run within a second even while one long
event runs (issue 16, item 6: a 64 TiB --touch all replay ignored
SIGTERM for 12 minutes), and the run is marked interrupted with every
event committed before it."""
import os
import signal
import tempfile
import time
import unittest

import gen
from limits import (SANITIZED, Limits, db_runs, finish_limited,
                    start_limited)

import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "driver"))
from rmsim_driver import main  # noqa: E402


def long_event_trace(directory, events=2000):
    """Many small events (so the database holds some), then one long
    one: mremap moving 32 TiB of read-only memory, which lazy shows
    through zero pages in 2 MiB slices.  On 20.05, where only the leaf's
    rights count, the touch model must walk to every slice to learn that
    none takes a write (on later releases the read-only attachment above
    them answers for all: 0.02 s).  If that event ever becomes short,
    replace it by whatever is the longest single event then."""
    t = gen.Trace()
    base = 0x100000000
    size = 32 * gen.TiB
    for i in range(events):
        t.mmap(100, base + i * gen.PAGE, gen.PAGE, "PROT_READ|PROT_WRITE",
               "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED")
    t.mmap(100, None, size, "PROT_READ",
           "MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE", result=0x5fff00000000)
    t.call(100, "mremap(%#x, %d, %d, MREMAP_MAYMOVE|MREMAP_FIXED, %#x)"
           % (0x5fff00000000, size, size, 0x3fff00000000), "0x3fff00000000")
    t.exit_group(100)
    return t.write(directory, "long-event.strace")


class LongEvent(unittest.TestCase):
    def signal_during_long_event(self, sig, status):
        with tempfile.TemporaryDirectory() as d:
            trace = long_event_trace(d)
            db = os.path.join(d, "sig.db")
            lim = Limits(cpu=30, mem=512 << 20, wall=60)
            p, files = start_limited(
                ["replay", "-q", "--touch", "all", "--policy", "lazy",
                 "--genode", "20.05", "--db", db, trace], lim)
            # the small events take a fraction of a second; the
            # database commits them in batches, so they show only at
            # the end: give the long event time to be under way
            time.sleep(1.0 * (3 if SANITIZED else 1))
            self.assertIsNone(p.poll(), "the long event ended by itself")
            t0 = time.monotonic()
            p.send_signal(sig)
            r = finish_limited(p, files, lim)
            took = time.monotonic() - t0
            self.assertEqual(r.status, status, r)
            self.assertLess(took, 3.0 if SANITIZED else 1.0, r)
            runs = db_runs(db)
            self.assertEqual(runs[0]["status"], "interrupted", runs)
            self.assertGreaterEqual(runs[0]["events"], 2000)

    def test_sigterm(self):
        self.signal_during_long_event(signal.SIGTERM, 143)

    def test_sigint(self):
        self.signal_during_long_event(signal.SIGINT, 130)


if __name__ == "__main__":
    main()
