"""Processes cost what they hold, not their history (issue 16, item 5):
exit_group frees a process's model, and fork shares page contents
copy-on-write.  Each trace runs under 2 s of CPU and 128 MiB; the run
lands in the database complete, with every event."""
import os
import tempfile
import unittest

import gen
from limits import Limits, check_limits, db_count, db_runs, run_limited

import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "driver"))
from rmsim_driver import main  # noqa: E402


class Processes(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def replay(self, trace, *extra):
        db = os.path.join(self.dir, "fork.db")
        lim = Limits(cpu=2, mem=128 << 20)
        r = run_limited(["replay", "-q", "--touch", "all", "--db", db,
                         *extra, trace], lim)
        self.assertEqual(r.status, 0, r)
        self.assertEqual(r.stderr, "", r)
        check_limits(self, r, lim)
        runs = db_runs(db)
        self.assertEqual([x["status"] for x in runs], ["complete"])
        with open(trace) as f:
            events = sum(1 for line in f if "+++" not in line)
        self.assertEqual(runs[0]["events"], events)
        self.assertEqual(db_count(db, "event", runs[0]["id"]), events)
        self.assertEqual(db_count(db, "finding", runs[0]["id"]), 0)
        return r

    def test_fan_2000_children_alive(self):
        """2,000 children of a parent with 5,000 distinct pages, all
        alive at the end (took 2.2 GB)."""
        self.replay(gen.fork_fan(self.dir, 2000, 5000))

    def test_fan_2000_children_exit(self):
        self.replay(gen.fork_fan(self.dir, 2000, 5000, exit_children=True))

    def test_chain_20000_deep(self):
        """Each process forks the next, writes a page of its own and
        exits (10,000 deep took 14 GB; 20,000 was killed)."""
        self.replay(gen.fork_chain(self.dir, 20000, 325))

    def test_fan_on_a_policy(self):
        """A Genode policy runs the parent; the children run on the
        reference alone, and the same bounds hold."""
        self.replay(gen.fork_fan(self.dir, 2000, 5000), "--policy", "lazy")


if __name__ == "__main__":
    main()
