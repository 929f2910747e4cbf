"""End-to-end tests of out-of-tree policies in worker processes: one that
crashes or loops costs its own run only (marked failed with the reason)
while the comparison goes on and writes its report; a policy named like
a built-in is refused; an object without a required field says which.
And the merging process: one that dies is reported once, exit 74."""
import os
import shutil
import sqlite3
import subprocess
import tempfile
import time
import unittest

from rmsim_driver import SOURCE, TRACES, main, run

HELLO = os.path.join(TRACES, "go-hello.strace")
# how a worker that segfaults ends: the signal, or (under AddressSanitizer,
# whose handler reports the fault and exits) an exit without a result
CRASHED = (r"worker (killed by signal 11|exited with status \d+ without a "
           r"result)")

TEMPLATE = r"""
#include <rmsim/policy.h>
#include <errno.h>
static int init(const struct pol_env *env, const char *params, void **st)
{
	*st = 0;
	return 0;
}
static int mm(void *st, uint64_t addr, uint64_t len, int prot, int flags,
	      int fd, uint64_t off, uint64_t *out)
{
	%(body)s
	return -ENOMEM;
}
const struct pol_policy rmsim_policy = {
	.abi = %(abi)s, .name = %(name)s, .summary = "test",
	.init = %(init)s, .mmap = mm,
};
"""


class Isolation(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cc = shutil.which("cc") or shutil.which("gcc")
        if not cc:
            raise unittest.SkipTest("no C compiler")
        cls.lib = {}
        for name, body, pname, init, abi in (
                ("crash", "*(volatile int *)0 = 1;", '"crash"', "init",
                 "POL_ABI"),
                ("loop", "for (;;) { __asm__ volatile(\"\"); }", '"loop"',
                 "init", "POL_ABI"),
                ("ok", "", '"fine"', "init", "POL_ABI"),
                ("old", "", '"old"', "init", "1"),
                ("libc", "", '"libc"', "init", "POL_ABI"),
                ("linux", "", '"linux"', "init", "POL_ABI"),
                ("noname", "", "0", "init", "POL_ABI"),
                ("noinit", "", '"noinit"', "0", "POL_ABI")):
            src = os.path.join(cls.tmp.name, name + ".c")
            with open(src, "w") as f:
                f.write(TEMPLATE % {"body": body, "name": pname,
                                    "init": init, "abi": abi})
            lib = os.path.join(cls.tmp.name, "lib%s.so" % name)
            subprocess.run([cc, "-shared", "-fPIC", "-I",
                            os.path.join(SOURCE, "include"), "-o", lib,
                            src], check=True)
            cls.lib[name] = lib

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_a_crash_and_a_hang_cost_their_own_runs(self):
        db = os.path.join(self.tmp.name, "iso.db")
        rep = os.path.join(self.tmp.name, "rep")
        t0 = time.monotonic()
        p = run("compare", HELLO, "--policy", self.lib["crash"],
                "--policy", "libc", "--policy", self.lib["loop"],
                "--policy", self.lib["ok"], "--policy", "lazy",
                "--timeout", "3", "-j", "2", "--db", db, "--report", rep,
                timeout=120)
        self.assertLess(time.monotonic() - t0, 60)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertRegex(p.stdout, r"crash +failed: " + CRASHED)
        self.assertRegex(p.stdout, r"loop +failed: timed out after 3 s")
        self.assertRegex(p.stdout, r"\nlazy +\d")
        self.assertRegex(p.stdout, r"\nfine +\d")
        con = sqlite3.connect(db)
        rows = dict(con.execute("SELECT policy, status || ': ' || "
                                "coalesce(detail, '') FROM run"))
        self.assertEqual(len(rows), 5)
        self.assertRegex(rows["crash"], r"^failed: " + CRASHED)
        self.assertEqual(rows["loop"], "failed: timed out after 3 s")
        self.assertTrue(rows["libc"].startswith("complete"), rows)
        self.assertTrue(rows["lazy"].startswith("complete"), rows)
        self.assertTrue(os.path.exists(os.path.join(rep, "report.html")))
        # the events the crashed worker committed are kept and counted
        n, ev = con.execute("SELECT (SELECT count(*) FROM event WHERE "
                            "run_id=run.id), events FROM run WHERE "
                            "policy='crash'").fetchone()
        self.assertEqual(n, ev)

    def test_conform_survives_a_crashing_policy(self):
        db = os.path.join(self.tmp.name, "cf.db")
        case = os.path.join(SOURCE, "tests", "cases")
        p = run("conform", case, "--policy", "linux", "--policy",
                self.lib["crash"], "--policy", "lazy", "-q", "--db", db)
        self.assertEqual(p.returncode, 1, p.stderr)
        self.assertRegex(p.stdout, r"crash +\d+ passed, \d+ failed")
        self.assertRegex(p.stdout, r"crash: " + CRASHED)
        self.assertRegex(p.stdout, r"lazy +\d+ passed")
        con = sqlite3.connect(db)
        rows = dict(con.execute("SELECT policy, status FROM run"))
        self.assertEqual(rows, {"linux": "complete", "crash": "failed",
                                "lazy": "complete"})

    def test_names_of_built_ins_are_refused(self):
        for name in ("libc", "linux"):
            p = run("compare", HELLO, "--policy", self.lib[name],
                    "--no-db")
            self.assertEqual(p.returncode, 64)
            self.assertIn("its policy is called '%s', the name of a "
                          "built-in policy" % name, p.stderr)

    def test_a_missing_field_is_named(self):
        for name, field in (("noname", "name"), ("noinit", "init")):
            p = run("replay", HELLO, "--policy", self.lib[name])
            self.assertEqual(p.returncode, 64)
            self.assertIn("rmsim_policy has no %s" % field, p.stderr)

    def test_loaded_parameters(self):
        # ABI 2 without a parameter table: no parameters
        p = run("replay", HELLO, "--policy", self.lib["ok"] + ":x=1")
        self.assertEqual(p.returncode, 64)
        self.assertIn("unknown key 'x'", p.stderr)
        self.assertIn("takes no parameters", p.stderr)
        # an ABI 1 object has no table: its items are checked for shape
        # and duplicates only, and passed to its init as given
        p = run("replay", HELLO, "--policy", self.lib["old"] + ":x=1,y=2")
        self.assertIn(p.returncode, (0, 1), p.stderr)
        self.assertIn("policy     old:x=1,y=2", p.stdout)
        p = run("replay", HELLO, "--policy", self.lib["old"] + ":x=1,x=2")
        self.assertEqual(p.returncode, 64)
        self.assertIn("'x' given twice", p.stderr)


class MergingProcess(unittest.TestCase):
    def test_a_merging_process_that_dies_is_an_error_said_once(self):
        """The merging process killed while runs are under way: the
        command reports it once, exits 74 (not killed by SIGPIPE), leaves
        no shard folder, and the database keeps what was merged."""
        from rmsim_driver import RMSIM
        big = [os.path.join(TRACES, f) for f in sorted(os.listdir(TRACES))
               if "500k" in f][0]
        with tempfile.TemporaryDirectory() as d:
            db = os.path.join(d, "m.db")
            p = subprocess.Popen([RMSIM, "compare", "-q", "-j", "2", "--db",
                                  db, HELLO, big, HELLO],
                                 stdout=subprocess.DEVNULL,
                                 stderr=subprocess.PIPE, text=True)
            # the merging process is the command's first child
            merger = None
            for _ in range(400):
                kids = subprocess.run(["pgrep", "-o", "-P", str(p.pid)],
                                      capture_output=True, text=True)
                if kids.stdout.strip():
                    merger = int(kids.stdout.split()[0])
                    break
                time.sleep(0.01)
            self.assertIsNotNone(merger)
            time.sleep(0.5)
            os.kill(merger, 9)
            _, err = p.communicate(timeout=120)
            self.assertEqual(p.returncode, 74, err)
            self.assertEqual(err.count("the merging process ended early"),
                             1, err)
            self.assertEqual([f for f in os.listdir(d)
                              if f.startswith(".rmsim-shards")], [])
            with sqlite3.connect(db) as c:
                self.assertEqual(c.execute("PRAGMA quick_check").fetchone(),
                                 ("ok",))


if __name__ == "__main__":
    main()
