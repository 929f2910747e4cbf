"""Hostile input for the trace reader and the case language (issue 16,
items 7, 9, 14 and the cut last line of 16): each test asserts the exit
status, the message, and the CPU time and peak memory of the run under
the suite's limits (limits.py: hard limits set in the child, a wall
clock deadline)."""
import gzip
import lzma
import os
import sys
import tempfile
import unittest

from limits import Limits, check_limits, run_limited

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                "..", "driver"))
from rmsim_driver import main  # noqa: E402

MiB = 1 << 20


MMAP = ("mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, "
        "-1, 0")


def remove_deep(top):
    """Remove TOP/d/d/.../d (a file or two in each) one level at a time,
    renaming the next level up: no path longer than the kernel takes, no
    recursion deeper than Python's."""
    here, spare = os.path.join(top, "d"), os.path.join(top, "x")
    while os.path.isdir(here):
        os.rename(here, spare)
        if os.path.isdir(os.path.join(spare, "d")):
            os.rename(os.path.join(spare, "d"), here)
        for name in os.listdir(spare):
            os.unlink(os.path.join(spare, name))
        os.rmdir(spare)


class Base(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.addCleanup(self.tmp.cleanup)

    def write(self, name, data):
        path = os.path.join(self.tmp.name, name)
        with open(path, "wb") as f:
            f.write(data.encode() if isinstance(data, str) else data)
        return path

    def expect(self, args, status, message, cpu=2.0, mem=128 * MiB):
        lim = Limits(cpu=cpu, mem=mem)
        r = run_limited(args, lim)
        check_limits(self, r, lim)
        self.assertEqual(r.status, status, r)
        self.assertIn(message, r.stderr, r)
        return r


class CompressedAndMissing(Base):
    """Issue 16 item 9: corrupt or truncated .gz/.xz is bad data (65),
    a directory is missing input (66), for cat and replay alike."""

    TEXT = "brk(NULL) = 0x1000\n" + "munmap(0x1000, 4096) = 0\n" * 5000

    def test_truncated_and_corrupt(self):
        xz = lzma.compress(self.TEXT.encode())
        gz = gzip.compress(self.TEXT.encode())
        cases = {
            "cut.xz": (xz[:len(xz) // 2], "truncated xz data"),
            "cut.gz": (gz[:len(gz) // 2], "truncated gzip data"),
            "bad.xz": (xz[:40] + b"\x55" * 200 + xz[240:],
                       "corrupt xz data"),
            "bad.gz": (gz[:20] + b"\xff" * 64 + gz[84:],
                       "corrupt gzip data"),
        }
        for name, (data, msg) in cases.items():
            path = self.write(name, data)
            for cmd in (["cat"], ["cat", "--stats"],
                        ["replay", "-q"]):
                with self.subTest(file=name, cmd=cmd[0]):
                    self.expect(cmd + [path], 65, path + ": " + msg)

    def test_directory_is_missing_input(self):
        for cmd in (["cat"], ["replay"]):
            with self.subTest(cmd=cmd[0]):
                self.expect(cmd + [self.tmp.name], 66, "Is a directory")

    def test_a_trace_without_calls_has_no_verdict(self):
        """An empty file, or one with only strace's own lines, is no
        trace: a replay would report 100% on nothing."""
        cases = {"empty.strace": "",
                 "exits.strace": "100 +++ exited with 0 +++\n",
                 "empty.xz": lzma.compress(b"")}
        for name, data in cases.items():
            path = self.write(name, data)
            for cmd in (["replay", "-q"], ["compare", "-q"]):
                with self.subTest(file=name, cmd=cmd[0]):
                    self.expect(cmd + [path], 65,
                                path + ": no system calls in it")


class ReaderDefects(Base):
    """Issue 16 item 14 and the cut last line of item 16."""

    def test_second_unfinished_of_a_pid(self):
        path = self.write("two.strace",
                          "[pid 7] %s <unfinished ...>\n" % MMAP +
                          "[pid 8] munmap(0x5000, 4096) = 0\n"
                          "[pid 7] munmap(0x1000, 4096 <unfinished ...>\n"
                          "[pid 7] <... munmap resumed>) = 0\n")
        self.expect(["cat", path], 65,
                    path + ":3: pid 7 starts a call while its mmap of "
                    "line 1 is unfinished: that call's result is lost")
        self.expect(["replay", path], 65, path + ":3: pid 7")
        # --keep-going: counted and reported, the rest read
        r = self.expect(["cat", "--stats", "--keep-going", path], 0,
                        "1 unreadable line(s) skipped; first: " + path +
                        ":3: pid 7 starts a call")
        self.assertIn("skipped\t1\n", r.stdout)
        self.assertIn("call\tmunmap\t2\t", r.stdout)

    def test_a_complete_call_while_one_is_unfinished(self):
        path = self.write("lost.strace",
                          "[pid 7] %s <unfinished ...>\n" % MMAP +
                          "[pid 7] munmap(0x1000, 4096) = 0\n")
        self.expect(["cat", path], 65, path + ":2: pid 7 starts a call")

    def test_many_pids_with_calls_open(self):
        # 100,000 pids with a call open at once, then each resumed or each
        # lost: memory for the open calls, time linear (a pid table, not a
        # list searched per line)
        opened = "".join("[pid %d] %s <unfinished ...>\n" % (pid, MMAP)
                         for pid in range(1, 100001))
        resumed = "".join("[pid %d] <... mmap resumed>) = 0x1000\n" % pid
                          for pid in range(100000, 0, -1))
        lost = "".join("[pid %d] munmap(0x1000, 4096) = 0\n" % pid
                       for pid in range(1, 100001))
        path = self.write("resumed.strace", opened + resumed)
        r = self.expect(["cat", "--stats", path], 0, "", cpu=2)
        self.assertIn("call\tmmap\t100000\t", r.stdout)
        path = self.write("lost.strace", opened + lost)
        r = self.expect(["cat", "--stats", "--keep-going", path], 0,
                        "100000 unreadable line(s) skipped", cpu=2)
        self.assertIn("skipped\t100000\n", r.stdout)

    def test_last_line_cut_inside_its_result(self):
        full = "brk(NULL) = 0x1000\n%s) = 0x7f1234560000\n" % MMAP
        for cut in (len(full) - 9, len(full) - 1):
            path = self.write("cut.strace", full[:cut])
            with self.subTest(ends=full[cut - 12:cut]):
                self.expect(["cat", path], 65,
                            path + ":2: truncated line: the trace ends "
                            "inside this call (no newline after it)")
        path = self.write("cut.strace", full)
        self.expect(["cat", path], 0, "")

    def test_unknown_and_huge_syscall_numbers(self):
        # 0x1c3 is cachestat, a call rmsim does not read; 0x1ce, mseal,
        # is read as one (all six registers, as strace prints them)
        text = "".join("syscall_0x%x(0x1, 0x2) = -1 ENOSYS (Function not "
                       "implemented)\n" % n
                       for n in (0x1c3, 0x1ff, 0x3fffffff, 0xffffffff,
                                 0xffffffffffffffff))
        text += "syscall_0x%s(0) = 0\n" % ("f" * 100)
        text += "syscall_0x1ce(0x7f0000000000, 0x1000, 0, 0, 0, 0) = 0\n"
        path = self.write("nr.strace", text)
        r = self.expect(["cat", "--stats", path], 0, "")
        self.assertIn("call\tother\t6\t", r.stdout)
        self.assertIn("call\tmseal\t1\t", r.stdout)

    def test_fd_notes_that_never_close(self):
        path = self.write("fd.strace",
                          "mmap(NULL, 4096, PROT_READ, MAP_SHARED, "
                          "3</a<b<c<d" + "<" * 100000 + ", 0) = 0x1000\n")
        self.expect(["cat", path], 65,
                    path + ":1: truncated line: unterminated fd path")


class CaseLanguage(Base):
    """Issue 16 item 7."""

    def case(self, name, body):
        return self.write(name + ".case",
                          "# case: X.1 hostile\n" + body + "\n")

    def test_nesting_is_bounded(self):
        for name, expr in (("parens", "(" * 60000 + "PG" + ")" * 60000),
                           ("minus", "-" * 200000 + "PG"),
                           ("mixed", "(-" * 30000 + "PG" + ")" * 30000)):
            with self.subTest(case=name):
                path = self.case(name, "munmap(0x10000, %s) = 0" % expr)
                self.expect(["conform", "--no-db", "--policy", "linux",
                             path], 65,
                            path + ":2: expression nested too deeply")
        path = self.case("gn", "$m = rm_create(%s)" %
                         ("(" * 60000 + "PG" + ")" * 60000))
        self.expect(["conform", "--no-db", "--policy", "none", path], 65,
                    path + ":2: expression nested too deeply")

    def test_rom_fill_is_a_range(self):
        for size in ("1*GiB", "1024*1024*GiB", "0xfffffffffffff000"):
            with self.subTest(size=size):
                path = self.case("rom", "\n".join((
                    "$rom = rom(%s, fill=0x7f)" % size,
                    "$m = rm_create(64*MiB)",
                    "attach($m, $rom, size=PG, at=0x1000) = 0x1000",
                    "$b = attach(env, dataspace($m), at=0x70000000)",
                    "load($b+0x1000) = 0x7f",
                    "load($b+0x1fff) = 0x7f")))
                r = self.expect(["conform", "--no-db", "--policy", "none",
                                 path], 0, "", cpu=2, mem=128 * MiB)
                self.assertIn("1 passed", r.stdout, r)
        # a size that rounds up past 2^64 names no dataspace
        path = self.case("rom", "$r = rom(0xfffffffffffff001, fill=1)")
        r = self.expect(["conform", "--no-db", "--policy", "none", path], 1,
                        "")
        self.assertIn("expected success, got DENIED", r.stdout, r)

    def test_symlink_loops_visit_each_folder_once(self):
        root = os.path.join(self.tmp.name, "cases")
        a = os.path.join(root, "a")
        b = os.path.join(root, "b")
        os.makedirs(a)
        os.makedirs(b)
        with open(os.path.join(a, "one.case"), "w") as f:
            f.write("# case: X.1 one\nmunmap(0x10000, PG) = 0\n")
        with open(os.path.join(b, "two.case"), "w") as f:
            f.write("# case: X.2 two\nmunmap(0x20000, PG) = 0\n")
        os.symlink("..", os.path.join(a, "up"))      # a loop
        os.symlink("../b", os.path.join(a, "b"))     # a second way to b
        os.symlink("../a", os.path.join(b, "a"))     # and a second loop
        os.symlink(".", os.path.join(b, "self"))     # a third
        os.symlink("one.case", os.path.join(a, "again.case"))
        r = self.expect(["conform", "--no-db", "--policy", "linux", root,
                         a], 0, "")
        self.assertIn("2 passed, 0 failed", r.stdout, r)
        # one.case and the link to it are one case
        self.assertEqual(r.stdout.count("one ") + r.stdout.count("again "),
                         1, r.stdout)

    def test_deep_folders(self):
        # deeper than a 4 KiB path: the walk skips what it cannot name,
        # and its stack does not grow with the depth
        d = os.path.join(self.tmp.name, "deep")
        os.makedirs(d)
        self.addCleanup(remove_deep, d)
        fd = os.open(d, os.O_RDONLY)
        try:
            for _ in range(2500):
                os.mkdir("d", dir_fd=fd)
                nfd = os.open("d", os.O_RDONLY, dir_fd=fd)
                os.close(fd)
                fd = nfd
            with open(os.open("x.case", os.O_WRONLY | os.O_CREAT, 0o644,
                              dir_fd=fd), "w") as f:
                f.write("# case: X.1 deep\nmunmap(0x10000, PG) = 0\n")
        finally:
            os.close(fd)
        with open(os.path.join(d, "top.case"), "w") as f:
            f.write("# case: X.2 top\nmunmap(0x10000, PG) = 0\n")
        r = self.expect(["conform", "--no-db", "--policy", "linux", d], 0,
                        "", cpu=5)
        self.assertIn("1 passed", r.stdout, r)


if __name__ == "__main__":
    main()
