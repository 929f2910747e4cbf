"""End-to-end tests of `rmsim conform`: the whole case suite passes on the
host kernel (which proves each case) and on the reference model (which
proves the model); malformed cases are refused with FILE:LINE messages;
results land in the database."""
import os
import re
import sqlite3
import tempfile
import unittest

from rmsim_driver import SOURCE, main, run

CASES = os.path.join(SOURCE, "tests", "cases")
POSIX_SECTIONS = [d for d in sorted(os.listdir(CASES))
                  if os.path.isdir(os.path.join(CASES, d)) and d != "genode"]


def case_dirs():
    return [os.path.join(CASES, d) for d in POSIX_SECTIONS]


def verdicts(out):
    """{case: [verdict per backend]} from the table."""
    table = {}
    for line in out.splitlines():
        m = re.match(r"^(\S+)\s+((?:pass|fail|unsupported|error)\b.*)$",
                     line)
        if m:
            table[m.group(1)] = m.group(2).split()
    return table


class Suite(unittest.TestCase):
    def test_every_case_passes_on_native_and_linux(self):
        tmp = tempfile.mkdtemp()
        db = os.path.join(tmp, "conform.db")
        p = run("conform", "--policy", "native", "--policy", "linux",
                "--db", db,
                *case_dirs())
        table = verdicts(p.stdout)
        self.assertGreaterEqual(len(table), 100, p.stdout[-2000:])
        bad = {k: v for k, v in table.items()
               if any(x in ("fail", "error") for x in v)}
        self.assertEqual(bad, {}, p.stdout[-4000:])
        self.assertEqual(p.returncode, 0, p.stdout[-2000:] + p.stderr)
        con = sqlite3.connect(db)
        runs = con.execute("SELECT id, policy, status FROM run ORDER BY id"
                           ).fetchall()
        self.assertEqual([r[1:] for r in runs],
                         [("native", "complete"), ("linux", "complete")])
        n = con.execute("SELECT count(*) FROM case_result WHERE run_id=?",
                        (runs[1][0],)).fetchone()[0]
        self.assertEqual(n, len(table))

    def test_every_case_names_its_item_and_sources(self):
        for d in case_dirs():
            for f in sorted(os.listdir(d)):
                if not f.endswith(".case"):
                    continue
                with open(os.path.join(d, f)) as fh:
                    text = fh.read()
                with self.subTest(case=f):
                    self.assertRegex(text, r"(?m)^# case: [A-K]\.\d+")
                    self.assertRegex(text, r"(?m)^# refs: \S")


class Malformed(unittest.TestCase):
    def write(self, text):
        fd, path = tempfile.mkstemp(suffix=".case")
        with os.fdopen(fd, "w") as f:
            f.write(text)
        self.addCleanup(os.unlink, path)
        return path

    HEAD = "# case: X.1 test\n# refs: none\n"
    BAD = [
        ("munmap($a, PG) = 0\n", 3, "unknown variable"),
        ("$a = mmap(NULL, PG, PROT_READ, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0)"
         "\nmunmap($a, PG) = -1 EBOGUS\n", 4, "unknown errno name"),
        ("frob(1, 2)\n", 3, "unknown call"),
        ("munmap(0x1000, PG\n", 3, "missing ')'"),
        ("munmap(0x1000, PG) 0\n", 3,
         "expected '=' and a result after the call"),
        ("munmap(0x1000, PROT_BOGUS) = 0\n", 3, "unknown constant"),
        ("prctl(PR_SET_MDEW, 1, 0, 0, 0) = 0\n", 3, "unknown constant"),
        ("load(0x1000)\n", 3, "load and prot need an expected result"),
        ("prot(0x1000) = rwq\n", 3,
         "expected rwx-style access or 'unmapped'"),
        ("store(0x1000) = SEGV\n", 3, "store takes an address and a value"),
        ("munmap(0x1000, 2*(PG) = 0\n", 3, "missing ')'"),
        ("munmap(0x1000, PG) = SEGV\n", 3,
         "SEGV is a result of load or store only"),
        ("$a = munmap(0x1000, PG) = 0\n", 3,
         "a binding takes no expected result"),
        ("# requires: linux>=six\nmunmap(0x1000, PG)\n", 3,
         "malformed kernel version"),
        ("# requires: moon\nmunmap(0x1000, PG)\n", 3,
         "unknown requirement (linux>=X.Y, root, nonroot, backend=NAME)"),
        ("munmap(0x1000, PG) = 0 0\n", 3,
         "unexpected text after the expected value"),
    ]

    def test_messages_and_exit_65(self):
        for body, line, msg in self.BAD:
            with self.subTest(body=body):
                path = self.write(self.HEAD + body)
                p = run("conform", "--no-db", path, check=65)
                self.assertEqual(p.stderr.strip(),
                                 "%s:%d: %s" % (path, line, msg))

    def test_missing_header(self):
        path = self.write("munmap(0x1000, PG)\n")
        p = run("conform", "--no-db", path, check=65)
        self.assertEqual(p.stderr.strip(),
                         "%s:1: missing '# case:' line" % path)

    def test_missing_case_66(self):
        p = run("conform", "--no-db", "/nonexistent.case", check=66)
        self.assertIn("/nonexistent.case", p.stderr)

    def test_failure_is_reported_with_line_and_exit_1(self):
        path = self.write(self.HEAD +
                          "$a = mmap(NULL, PG, PROT_READ, MAP_PRIVATE|"
                          "MAP_ANONYMOUS, -1, 0)\nload($a) = 7\n")
        p = run("conform", "--no-db", "--policy", "linux", "--policy",
                "native", path,
                check=1)
        self.assertIn("line 4: load($a) = 7: expected 0x7, got 0", p.stdout)

    def test_unsupported_is_not_pass(self):
        path = self.write("# case: X.2 future\n# requires: linux>=99.0\n"
                          "munmap(0x1000, PG)\n")
        p = run("conform", "--no-db", "--policy", "linux", "--policy",
                "native", path,
                check=0)
        self.assertRegex(p.stdout, r"\s+unsupported\s+unsupported\s*\n")
        self.assertIn("0 failed, 1 unsupported", p.stdout)

    def test_usage(self):
        run("conform", "--policy", "nosuch", check=64)
        self.assertIn("usage: rmsim conform",
                      run("conform", "--help", check=0).stdout)


if __name__ == "__main__":
    main()
