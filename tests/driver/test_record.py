"""End-to-end tests of `rmsim record`: a small C program and a Go program
are recorded under strace (and perf, where it can sample page faults),
replayed on the reference model with no mismatch, and their side files
are found and read.  Skips with a message where strace, a compiler, Go or
perf is missing."""
import json
import lzma
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
import unittest

from rmsim_driver import RMSIM, SOURCE, main, run

C_PROG = r"""
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	struct timespec t = {0, 300 * 1000 * 1000};
	size_t len = 8 << 20;
	char *p = mmap(NULL, len, PROT_READ | PROT_WRITE,
		       MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	int i;

	if (p == MAP_FAILED)
		return 2;
	memset(p, 1, len);		/* 2048 pages faulted */
	nanosleep(&t, NULL);		/* RssAnon is sampled meanwhile */
	munmap(p, len / 2);
	for (i = 0; i < 100; i++)
		free(malloc(256 << 10));
	if (fork() == 0)
		_exit(0);
	puts(argc > 1 ? argv[1] : "done");
	return 3;
}
"""


def have(tool):
    return shutil.which(tool) is not None


def strace_works():
    if not have("strace"):
        return False
    p = subprocess.run(["strace", "-f", "-o", "/dev/null", "true"],
                       capture_output=True)
    return p.returncode == 0


def read_side(path):
    with lzma.open(path, "rt") as f:
        return f.read().splitlines()


class SideFileInReplay(unittest.TestCase):
    """What the replay takes from a side file, on a trace written by hand
    (no strace needed)."""
    TRACE = ("100 1.000000 execve(\"./p\", [\"./p\"], 0x7ffc /* 1 var */)"
             " = 0\n"
             "100 1.000100 brk(NULL) = 0x555555560000\n"
             "100 1.000200 mprotect(0x555555556000, 4096, PROT_READ) = 0\n"
             "100 1.000300 exit_group(0) = ?\n")
    SIDE = ("rmsim-faults 1\n"
            "machine max_map_count 70000\n"
            "machine faults none\n"
            "exec 100 1.000050 exact /p\n"
            "map 100 555555554000-555555558000 r--p 00000000 /p\n"
            "map 100 7ffffffde000-7ffffffff000 rw-p 00000000 [stack]\n"
            "map 100 ffffffffff600000-ffffffffff601000 --xp 00000000 "
            "[vsyscall]\n")

    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.trace = os.path.join(self.tmp.name, "p.strace")
        with open(self.trace, "w") as f:
            f.write(self.TRACE)

    def tearDown(self):
        self.tmp.cleanup()

    def replay(self, *extra):
        return json.loads(run("replay", "--json", *extra, self.trace,
                              check=0).stdout)

    def test_without_side_file_the_range_is_adopted(self):
        s = self.replay()
        self.assertIsNone(s["side_file"])
        self.assertEqual(s["adopted"], 1)
        self.assertEqual(s["max_map_count"], 65530)

    def test_side_file_gives_maps_and_limit(self):
        with open(os.path.join(self.tmp.name, "p.faults"), "w") as f:
            f.write(self.SIDE)
        s = self.replay()
        self.assertTrue(s["side_file"].endswith("p.faults"))
        self.assertEqual(s["mismatches"], 0)
        self.assertEqual(s["adopted"], 0)
        self.assertEqual(s["side_images_used"], 1)
        self.assertEqual(s["side_ranges"], 2)   # not the vsyscall page
        self.assertEqual(s["max_map_count"], 70000)
        self.assertFalse(s["side_faults"])
        self.assertEqual(self.replay("--max-map-count", "100")
                         ["max_map_count"], 100)
        # the binary's range is execve's, not a policy's: a call on it is
        # "outside" as when the range is adopted without a side file
        p = run("replay", "--json", "--policy", "libc", self.trace)
        self.assertEqual(json.loads(p.stdout)["finding"]["outside"], 1)
        p = run("replay", self.trace, check=0)
        self.assertIn("side file", p.stdout)
        db = os.path.join(self.tmp.name, "r.db")
        run("replay", "-q", "--db", db, self.trace, check=0)
        con = sqlite3.connect(db)
        got = dict(con.execute("SELECT name, value FROM metric WHERE name "
                               "IN ('side_file', 'side_ranges', "
                               "'max_map_count')"))
        con.close()
        self.assertEqual(got, {"side_file": 1, "side_ranges": 2,
                               "max_map_count": 70000})


@unittest.skipUnless(strace_works(),
                     "strace is missing or cannot trace here "
                     "(scripts/deps --test installs it)")
class Record(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.dir = cls.tmp.name

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def path(self, name):
        return os.path.join(self.dir, name)

    def record(self, out, *prog, status=0, extra=()):
        p = subprocess.run([RMSIM, "record", "-o", out, *extra, "--",
                            *prog], capture_output=True, text=True,
                           cwd=self.dir, timeout=600)
        self.assertEqual(p.returncode, status,
                         "record exited %d\n%s" % (p.returncode, p.stderr))
        return p

    def replay_clean(self, trace):
        p = run("replay", "--json", trace)
        if p.returncode != 0:
            # show the recorded lines around the one the reader refused
            m = re.search(r":(\d+): ", p.stderr)
            with open(trace, errors="replace") as f:
                lines = f.read().split("\n")
            at = int(m.group(1)) if m else 1
            self.fail("replay exited %d: %s\nrecorded lines %d-%d:\n%s"
                      % (p.returncode, p.stderr, max(1, at - 3), at + 1,
                         "\n".join(lines[max(0, at - 4):at + 1])))
        s = json.loads(p.stdout)
        self.assertEqual(s["mismatches"], 0, p.stdout)
        self.assertTrue(s["side_file"], "the side file was not found")
        self.assertGreaterEqual(s["side_images_used"], 1, p.stdout)
        self.assertGreater(s["side_ranges"], 0, p.stdout)
        return s

    def check_side(self, side, want_rss):
        lines = read_side(side)
        self.assertEqual(lines[0], "rmsim-faults 1")
        kinds = [l.split()[0] for l in lines[1:] if l]
        self.assertIn("machine", kinds)
        facts = {l.split()[1]: l.split(None, 2)[2] for l in lines
                 if l.startswith("machine ")}
        for k in ("kernel", "page_size", "max_map_count",
                  "overcommit_memory", "faults", "zero_page"):
            self.assertIn(k, facts)
        self.assertIn(facts["zero_page"], ("yes", "no"))
        execs = [l for l in lines if l.startswith("exec ")]
        self.assertTrue(any(" exact " in l for l in execs), execs)
        # execve's own pages: at least the stack's top, where it wrote
        # the arguments and the environment
        self.assertIn("resident", kinds)
        self.assertTrue(any(l.startswith("map ") and "[stack]" in l
                            for l in lines))
        if want_rss:
            self.assertTrue("rss" in kinds, "no rss line in %s" % side)
        # every header record precedes the first fault
        if "fault" in kinds:
            first = kinds.index("fault")
            self.assertEqual(set(kinds[first:]), {"fault"})
        return facts, kinds

    def test_c_program(self):
        if not have("cc"):
            self.skipTest("no C compiler")
        src = self.path("prog.c")
        with open(src, "w") as f:
            f.write(C_PROG)
        subprocess.run(["cc", "-O2", "-o", self.path("prog"), src],
                       check=True)
        # a long hold: the capture must be exact even on a loaded machine
        p = self.record("c.strace.xz", "./prog", "hello", status=3,
                        extra=("--rss-period", "20", "--exec-hold", "1000"))
        self.assertIn("hello", p.stdout)
        self.assertRegex(p.stderr, r"c\.strace\.xz: \d+ events in \d+ "
                                   r"lines, 2 processes")
        side = self.path("c.faults.xz")
        self.assertTrue(os.path.exists(side))
        facts, kinds = self.check_side(side, want_rss=True)
        s = self.replay_clean(self.path("c.strace.xz"))
        self.assertGreater(s["calls"]["mmap"], 0)
        if facts["faults"] != "perf":
            self.skipTest("perf cannot sample page faults here; the "
                          "fault stream was not checked")
        # the 8 MiB memset faults most of its 2048 pages (THP may fold
        # them into fewer faults where it is always on)
        faults = [l.split() for l in read_side(side)
                  if l.startswith("fault ")]
        self.assertGreater(len(faults), 4)
        self.assertTrue({f[4] for f in faults} <= set("rwx-"))
        if facts.get("fault_source") == "tracepoints":
            # the memset writes: most faults are writes
            writes = sum(1 for f in faults if f[4] == "w")
            self.assertGreater(writes, len(faults) // 2)

    def test_go_program(self):
        if not have("go"):
            self.skipTest("no Go toolchain (scripts/deps --test "
                          "installs golang-go)")
        env = dict(os.environ, GOCACHE=self.path("gocache"),
                   GOPATH=self.path("gopath"), GO111MODULE="off",
                   GOFLAGS="-trimpath")
        subprocess.run(["go", "build", "-o", self.path("go-hello"),
                        os.path.join(SOURCE, "traces", "src",
                                     "go-hello.go")],
                       check=True, env=env, cwd=self.dir)
        self.record("go.strace", "./go-hello",
                    extra=("--exec-hold", "1000"))
        # a plain trace gets an xz side file all the same
        self.assertTrue(os.path.exists(self.path("go.faults.xz")))
        self.check_side(self.path("go.faults.xz"), want_rss=False)
        s = self.replay_clean(self.path("go.strace"))
        self.assertGreaterEqual(s["calls"]["clone"], 1)

    def test_no_faults_and_exit_by_signal(self):
        p = self.record("sig.strace.xz", "sh", "-c", "kill -TERM $$",
                        status=128 + 15, extra=("--no-faults",))
        self.assertIn("no page faults (--no-faults)", p.stderr)
        lines = read_side(self.path("sig.faults.xz"))
        self.assertIn("machine faults none", lines)
        self.assertFalse(any(l.startswith("fault ") for l in lines))

    def test_usage(self):
        self.assertEqual(run("record").returncode, 64)
        p = run("record", "--", "/nonexistent/program")
        self.assertEqual(p.returncode, 64)
        self.assertIn("/nonexistent/program: no such program", p.stderr)
        p = run("record", "-o", "/nonexistent/dir/x.strace", "--", "true")
        self.assertEqual(p.returncode, 73)
        self.assertEqual(run("record", "--exec-hold", "0", "--",
                             "true").returncode, 64)
        self.assertEqual(run("record", "--help").returncode, 0)
        # as many arguments as the program takes
        args = [str(i) for i in range(300)]
        p = self.record("many.strace", "echo", *args,
                        extra=("--no-faults", "-q"))
        self.assertEqual(p.stdout.split(), args)

    def test_bad_side_file_stops_replay(self):
        trace = self.path("bad.strace")
        with open(trace, "w") as f:
            f.write("1 1.000000 brk(NULL) = 0x1000\n")
        with open(self.path("bad.faults"), "w") as f:
            f.write("rmsim-faults 1\nmachine page_size 4000\n")
        p = run("replay", trace)
        self.assertEqual(p.returncode, 65)
        self.assertIn("bad.faults:2: machine page_size", p.stderr)


if __name__ == "__main__":
    main()
