"""End-to-end tests of `rmsim cat` and the command line: every bundled
trace is read without error and its per-call counts agree with a count
made here, independently, with regular expressions over the text."""
import collections
import os
import re
import tempfile
import unittest

from rmsim_driver import RMSIM, SOURCE, main, open_text, run, trace_files

MEMORY_CALLS = ("mmap munmap mprotect pkey_mprotect madvise mremap msync brk "
                "mlock mlock2 munlock mlockall munlockall mincore clone "
                "clone3 fork vfork execve exit_group open openat close dup "
                "dup2 dup3 memfd_create prlimit64 setrlimit capset mseal "
                "prctl memfd_secret shmat shmdt remap_file_pages "
                "process_madvise process_mrelease userfaultfd "
                "io_uring_setup pkey_alloc pkey_free map_shadow_stack mbind "
                "set_mempolicy_home_node").split()

# Memory calls newer than strace 6.1, which prints them by number
# (arch/x86/entry/syscalls/syscall_64.tbl)
RAW_NAMES = {"syscall_0x1ce": "mseal", "syscall_0x1c5": "map_shadow_stack"}

# An optional pid prefix ("[pid  12] " or "12  ") and timestamp, then the
# call name and "(".  Resumed halves are counted, unfinished halves not.
PREFIX = r"^(?:\[pid\s+\d+\]\s+|\d+\s+)?(?:\s*[\d:.]+\s+)?"
CALL_RE = re.compile(PREFIX + r"([a-z_0-9]+)\((.*)$")
RESUMED_RE = re.compile(PREFIX + r"<\.\.\. ([a-z_0-9]+) resumed>(.*)$")
SPLICE_RE = re.compile(r"strace: Process \d+ (?:at|de)tached$")
FAILED_RE = re.compile(r"\)\s+= -1 (E[A-Z0-9_]+|\(errno \d+\))")


def count_independently(path):
    """Calls and failures per memory call, by regular expressions."""
    calls = collections.Counter()
    failed = collections.Counter()
    carry = ""
    with open_text(path) as f:
        for line in f:
            line = carry + line.rstrip("\n")
            carry = ""
            # strace on stderr cuts a line with its own note; the call
            # goes on in the next line
            m = SPLICE_RE.search(line)
            if m and m.start() > 0:
                carry = line[:m.start()]
                continue
            m = RESUMED_RE.match(line) or CALL_RE.match(line)
            if not m:
                continue
            name = RAW_NAMES.get(m.group(1), m.group(1))
            if name not in MEMORY_CALLS:
                continue
            if line.endswith("<unfinished ...>"):
                continue
            calls[name] += 1
            if FAILED_RE.search(m.group(2)):
                failed[name] += 1
    return calls, failed


def parse_stats(text):
    """`rmsim cat --stats` output into (calls, failed, fields)."""
    calls, failed, fields = {}, {}, {}
    for line in text.splitlines():
        parts = line.split("\t")
        if parts[0] == "call":
            calls[parts[1]] = int(parts[2])
            failed[parts[1]] = int(parts[4])
        elif len(parts) == 2:
            fields[parts[0]] = parts[1]
    return calls, failed, fields


class TraceCorpus(unittest.TestCase):
    def test_every_trace_reads_and_counts_agree(self):
        files = trace_files()
        self.assertGreaterEqual(len(files), 10)
        for path in files:
            with self.subTest(trace=os.path.basename(path)):
                p = run("cat", "--stats", path, check=0)
                calls, failed, fields = parse_stats(p.stdout)
                self.assertEqual(fields["skipped"], "0")
                want_calls, want_failed = count_independently(path)
                got = {k: v for k, v in calls.items() if k != "other"}
                self.assertEqual(got, dict(want_calls))
                got_failed = {k: v for k, v in failed.items()
                              if v and k != "other"}
                self.assertEqual(got_failed, dict(want_failed))

    def test_big_trace_has_500k_events(self):
        path = [f for f in trace_files() if "500k" in f][0]
        p = run("cat", "--stats", path, check=0)
        _, _, fields = parse_stats(p.stdout)
        self.assertGreaterEqual(int(fields["events"]), 500000)


class StraceVariants(unittest.TestCase):
    """The recordings in tests/strace-variants/ (-y, -yy, -k, -i, -n, -z,
    -Z, --seccomp-bpf, -X verbose with -yy, a thread's execve, strace mixed with the program's
    output, -C, -e inject=) read whole, with nothing skipped."""

    def test_every_variant_reads(self):
        folder = os.path.join(SOURCE, "tests", "strace-variants")
        names = sorted(f for f in os.listdir(folder) if ".strace" in f)
        self.assertGreaterEqual(len(names), 10)
        for name in names:
            with self.subTest(trace=name):
                p = run("cat", "--stats", os.path.join(folder, name),
                        check=0)
                calls, _, fields = parse_stats(p.stdout)
                self.assertEqual(fields["skipped"], "0")
                self.assertGreater(int(fields["events"]), 0)
                self.assertGreater(calls.get("mmap", 0), 0)
                self.assertEqual(p.stderr, "")


    def test_summary_tables(self):
        """-C's table is counted and skipped; -c's alone is refused."""
        folder = os.path.join(SOURCE, "tests", "strace-variants")
        for name in ("C.strace.xz", "C-U.strace.xz"):
            with self.subTest(trace=name):
                p = run("cat", "--stats", os.path.join(folder, name))
                _, _, fields = parse_stats(p.stdout)
                self.assertEqual(fields["summaries"], "1")
                self.assertGreater(int(fields["summary_lines"]), 5)
        p = run("cat", os.path.join(folder, "c.summary"), check=65)
        self.assertEqual(p.returncode, 65)
        self.assertIn("this is strace -c's call summary, not a trace",
                      p.stderr)

    def test_injected(self):
        folder = os.path.join(SOURCE, "tests", "strace-variants")
        p = run("cat", "--stats", os.path.join(folder, "inject.strace.xz"))
        _, failed, fields = parse_stats(p.stdout)
        self.assertGreater(int(fields["injected"]), 0)
        self.assertGreater(failed.get("munmap", 0), 0)


    def test_ff_family(self):
        """-ff: the first process's file reads the whole family."""
        folder = os.path.join(SOURCE, "tests", "strace-variants")
        files = sorted(os.listdir(os.path.join(folder, "ff")))
        head = None
        for f in files:
            with open_text(os.path.join(folder, "ff", f)) as t:
                if 'execve("./threads"' in t.readline():
                    head = f
        p = run("cat", "--stats", os.path.join(folder, "ff", head))
        calls, _, fields = parse_stats(p.stdout)
        self.assertEqual(int(fields["files"]), len(files))
        self.assertEqual(int(fields["pids"]), len(files))
        want = 0
        for f in files:
            with open_text(os.path.join(folder, "ff", f)) as t:
                want += sum(1 for line in t if " mmap(" in line)
        self.assertEqual(calls["mmap"], want)
        p = run("replay", "-q", os.path.join(folder, "ff", head))
        self.assertEqual(p.stderr, "")
        # in timestamp order
        stamps = [int(line.split("\t")[3]) for line in
                  run("cat", os.path.join(folder, "ff", head))
                  .stdout.splitlines()]
        self.assertEqual(stamps, sorted(stamps))
        # a thread's execve: "<pid changed to N ...>", then resumed
        head = sorted(os.listdir(os.path.join(folder, "ff-exec")))[0]
        p = run("cat", "--stats", os.path.join(folder, "ff-exec", head))
        calls, _, fields = parse_stats(p.stdout)
        self.assertEqual(fields["files"], "2")
        self.assertEqual(fields["unfinished_at_end"], "0")
        self.assertEqual(calls["execve"], 2)
        nots = sorted(os.listdir(os.path.join(folder, "ff-nots")))[0]
        p = run("cat", os.path.join(folder, "ff-nots", nots), check=65)
        self.assertIn("without timestamps", p.stderr)

    def test_ff_missing_child(self):
        """-ff: a child's file a clone names but that is not there is
        warned about, with the clone's file and line, and counted."""
        folder = os.path.join(SOURCE, "tests", "strace-variants", "ff")
        files = sorted(os.listdir(folder))
        head = None
        for f in files:
            with open_text(os.path.join(folder, f)) as t:
                if 'execve("./threads"' in t.readline():
                    head = f
        with tempfile.TemporaryDirectory() as tmp:
            # the family without one of the children
            gone = [f for f in files if f != head][0]
            for f in files:
                if f != gone:
                    with open(os.path.join(folder, f), "rb") as src, \
                         open(os.path.join(tmp, f), "wb") as dst:
                        dst.write(src.read())
            clone_line = None
            for f in files:
                with open_text(os.path.join(folder, f)) as t:
                    for n, line in enumerate(t, 1):
                        if re.search(r"(clone3?|v?fork)\(.*= %s$"
                                     % gone.rsplit(".", 1)[1],
                                     line.rstrip("\n")):
                            clone_line = (f, n)
            self.assertIsNotNone(clone_line)
            path = os.path.join(tmp, head)
            p = run("cat", "--stats", path)
            _, _, fields = parse_stats(p.stdout)
            self.assertEqual(fields["missing_files"], "1")
            self.assertEqual(int(fields["files"]), len(files) - 1)
            self.assertIn("%s:%d: " % (os.path.join(tmp, clone_line[0]),
                                       clone_line[1]), p.stderr)
            self.assertIn("whose file %s is missing"
                          % os.path.join(tmp, gone), p.stderr)
            self.assertEqual(p.stderr.count("warning"), 1)
            p = run("replay", "-q", "--json", path, check=None)
            self.assertIn('"missing_files": 1,', p.stdout)
            self.assertIn("whose file %s is missing"
                          % os.path.join(tmp, gone), p.stderr)
            # the whole family: no warning, nothing missing
            p = run("cat", "--stats", os.path.join(folder, head))
            _, _, fields = parse_stats(p.stdout)
            self.assertEqual(fields["missing_files"], "0")
            self.assertEqual(p.stderr, "")


class CatOutput(unittest.TestCase):
    def write(self, text, suffix=".strace"):
        fd, path = tempfile.mkstemp(suffix=suffix)
        with os.fdopen(fd, "w") as f:
            f.write(text)
        self.addCleanup(os.unlink, path)
        return path

    def test_event_line_format(self):
        path = self.write(
            "[pid 7] 1.5 mmap(NULL, 8192, PROT_READ|PROT_WRITE, "
            "MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = 0x7f0000000000\n"
            "[pid 7] munmap(0x7f0000000000, 8192) = -1 EINVAL (Invalid "
            "argument)\n")
        p = run("cat", path, check=0)
        lines = p.stdout.splitlines()
        self.assertEqual(lines[0].split("\t"),
                         ["1", "1", "7", "1500000", "mmap", "0", "0x2000",
                          "0x3", "0x22", "0xffffffffffffffff", "0",
                          "0x7f0000000000", "-", "-"])
        self.assertEqual(lines[1].split("\t")[4:],
                         ["munmap", "0x7f0000000000", "0x2000", "-", "-",
                          "-", "-", "-1", "EINVAL", "-"])

    def test_stdin(self):
        p = run("cat", "-", stdin="brk(NULL) = 0x1000\n", check=0)
        self.assertIn("\tbrk\t0\t", p.stdout)

    def test_malformed_exit_65_with_file_line(self):
        path = self.write("munmap(0x1000, 4096) = 0\nmunmap(0x1000, 4096\n")
        p = run("cat", path, check=65)
        self.assertEqual(p.stderr.strip(),
                         "%s:2: truncated line: missing ')'" % path)

    def test_keep_going_skips_and_counts(self):
        path = self.write("garbage\nmunmap(0x1000, 4096) = 0\n"
                          "munmap(0x1, 0x1ffffffffffffffff) = 0\n")
        p = run("cat", "--keep-going", "--stats", path, check=0)
        _, _, fields = parse_stats(p.stdout)
        self.assertEqual(fields["skipped"], "2")
        self.assertEqual(fields["events"], "1")
        self.assertIn("2 unreadable line(s) skipped; first: %s:1: not a "
                      "strace line" % path, p.stderr)

    def test_binary_garbage(self):
        fd, path = tempfile.mkstemp()
        os.write(fd, bytes(range(256)) * 4)
        os.close(fd)
        self.addCleanup(os.unlink, path)
        p = run("cat", path, check=65)
        self.assertRegex(p.stderr, re.escape(path) + r":1: binary data")

    def test_corrupt_xz_is_bad_data(self):
        fd, path = tempfile.mkstemp(suffix=".xz")
        os.write(fd, b"\xfd7zXZ\x00" + b"\x00" * 64)
        os.close(fd)
        self.addCleanup(os.unlink, path)
        p = run("cat", path, check=65)
        self.assertIn("xz data", p.stderr)

    def test_missing_input_66(self):
        p = run("cat", "/nonexistent.strace", check=66)
        self.assertIn("No such file", p.stderr)


class CommandLine(unittest.TestCase):
    def test_help_and_version(self):
        p = run("--help", check=0)
        self.assertIn("usage: rmsim COMMAND", p.stdout)
        p = run("--version", check=0)
        self.assertRegex(p.stdout, r"^rmsim \d+\.\d+\.\d+")
        p = run("cat", "--help", check=0)
        self.assertIn("usage: rmsim cat", p.stdout)

    def test_usage_errors_64(self):
        run(check=64)
        run("frobnicate", check=64)
        run("cat", check=64)
        run("cat", "--bogus", "x", check=64)


if __name__ == "__main__":
    main()
