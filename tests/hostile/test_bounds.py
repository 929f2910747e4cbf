"""Memory and time bounded by events and ranges, never by mapped bytes
(issue 16, item 6): mappings of tens of TiB replay in under 2 s of CPU
and 128 MiB on every policy they fit, and their runs land in the
database complete."""
import os
import tempfile
import unittest

import gen
from limits import Limits, check_limits, db_count, db_runs, run_limited

import sys
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "driver"))
from rmsim_driver import main  # noqa: E402


class HugeMappings(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.dir = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def replay(self, trace, policy, *extra, status=0):
        """Replay TRACE on POLICY into a fresh database under the
        standard limits; assert status, budget and the database."""
        db = os.path.join(self.dir, "%s.db" % policy)
        lim = Limits(cpu=2, mem=128 << 20)
        r = run_limited(["replay", "-q", "--policy", policy, "--db", db,
                         *extra, trace], lim)
        if status is not None:
            self.assertEqual(r.status, status, r)
        check_limits(self, r, lim)
        runs = db_runs(db)
        self.assertEqual(len(runs), 1)
        self.assertEqual(runs[0]["status"], "complete", runs)
        with open(trace) as f:
            lines = sum(1 for line in f if "+++" not in line)
        self.assertEqual(runs[0]["events"], lines)
        self.assertEqual(db_count(db, "event", runs[0]["id"]), lines)
        return r

    def test_touch_all_64tib_noreserve(self):
        """--touch all writes every page of a 64 TiB mapping: on the
        reference one range; on lazy, chunks until the RAM quota ends
        (the thread is stopped there), never a step per page."""
        trace = gen.huge_noreserve(self.dir)
        self.replay(trace, "linux", "--touch", "all")
        # the thread stops where the quota ends: a resource finding
        self.replay(trace, "lazy", "--touch", "all", "--ram", "256M",
                    status=1)

    def test_touch_all_64tib_noreserve_lazy_default_quota(self):
        """lazy under the default quota (96 TiB): the 20,000 caps end
        the touch after about 400,000 chunk attachments, each costing
        core's region-map block (192 bytes) and lazy's extent record (88
        bytes, from blocks): 1.28 GB and 5.8 s at first, then 228 MB,
        152 MB.  Without --db, whose mapping rows (1.6 million here,
        a row per attachment and map) take time of their own."""
        trace = gen.huge_noreserve(self.dir)
        lim = Limits(cpu=2, mem=128 << 20)
        r = run_limited(["replay", "--policy", "lazy", "--touch", "all",
                         trace], lim)
        self.assertEqual(r.status, 1, r)
        check_limits(self, r, lim)
        self.assertRegex(r.stdout, r"attachments peak [1-9][0-9]{5}\b")
        self.assertRegex(r.stdout, r"caps peak 20000\b")

    def test_touch_all_64tib_noreserve_eager(self):
        """Policies that back the mapping with one dataspace, under the
        default quota (the reference's peak, 64 TiB): a store per page
        took 3.8 GB in 20 s; the touch is a stamp over the dataspace."""
        trace = gen.huge_noreserve(self.dir)
        for policy in ("window", "libc", "libc-20.05"):
            with self.subTest(policy=policy):
                self.replay(trace, policy, "--touch", "all")

    def test_touch_all_64tib_reserve_made_writable(self):
        trace = gen.huge_reserve_mprotect(self.dir)
        self.replay(trace, "linux", "--touch", "all")

    def test_file_16tib_read_only_window_lazy(self):
        """A 16 TiB read-only file mapping showed the zero pages in
        2 MiB slices: 8 s and 1.1 GB on window and lazy."""
        trace = gen.huge_file_ro(self.dir)
        for policy in ("window", "lazy"):
            with self.subTest(policy=policy):
                self.replay(trace, policy, "--touch", "all")

    def test_reserve_64tib_made_read_only_lazy(self):
        """mprotect(PROT_READ) of a 64 TiB lazy reservation made 1.18 M
        attachments in 33 s."""
        trace = gen.huge_reserve_mprotect(self.dir, prot="PROT_READ")
        for policy in ("window", "lazy"):
            with self.subTest(policy=policy):
                self.replay(trace, policy, "--touch", "all")

    def test_side_file_resident_range_of_the_whole_space(self):
        """A side file's resident line may name any range: one of the
        whole user address space starts the image in one step, not one
        store per page (2^35 of them)."""
        trace = os.path.join(self.dir, "r.strace")
        with open(trace, "w") as f:
            f.write('100 1700000000.000000 execve("/bin/x", ["x"], '
                    '0x7ffd0 /* 1 var */) = 0 <0.000100>\n'
                    '100 1700000000.000200 brk(NULL) = 0x555555560000 '
                    '<0.000001>\n')
        with open(os.path.join(self.dir, "r.faults"), "w") as f:
            f.write("rmsim-faults 1\nmachine faults perf\n"
                    "exec 100 1700000000.000090 exact /bin/x\n"
                    "map 100 10000-7ffffffff000 rw-p 00000000 [stack]\n"
                    "resident 100 10000-7ffffffff000\n"
                    "fault 100 1700000000.000150 7fffffffe000 w\n")
        self.replay(trace, "linux")

    def test_file_16tib_read_only_linux(self):
        self.replay(gen.huge_file_ro(self.dir), "linux")

    def test_reserve_64tib_mprotect_linux(self):
        self.replay(gen.huge_reserve_mprotect(self.dir), "linux")


if __name__ == "__main__":
    main()
