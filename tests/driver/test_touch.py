"""End-to-end tests of `--touch recorded` (docs/recording.md): on every
trace in traces/ that has a side file with page faults, the reference
model's anonymous resident bytes follow the recording's RssAnon samples
(median relative error at most 5%), the default touch model is
`recorded` there and `first` elsewhere, and the peak RAM of an eager and
a lazy policy follows from what the program touched."""
import glob
import json
import lzma
import os
import sqlite3
import tempfile
import unittest

from rmsim_driver import TRACES, main, run

# The criterion: median over a trace's samples.
MEDIAN_MAX = 0.05
PAGE = 4096


def fault_traces():
    """Every trace with a side file whose fault stream was recorded."""
    out = []
    for side in sorted(glob.glob(os.path.join(TRACES, "*.faults*"))):
        with open(side, "rb") as f:
            head = f.read(6)
        text = (lzma.open(side, "rt") if head.startswith(b"\xfd7zXZ")
                else open(side, "rt"))
        with text:
            faults = any(line.strip() == "machine faults perf"
                         for line, _ in zip(text, range(40)))
        if not faults:
            continue
        stem = os.path.basename(side).split(".faults")[0]
        trace = [t for t in glob.glob(os.path.join(TRACES, stem + ".*"))
                 if ".strace" in t]
        if trace:
            out.append(trace[0])
    return out


def replay(trace, *args):
    p = run("replay", "--json", "-q", trace, *args)
    if p.returncode not in (0, 1):
        raise AssertionError("%s: exit %d: %s" % (trace, p.returncode,
                                                  p.stderr))
    return json.loads(p.stdout)


class RssAnon(unittest.TestCase):
    def test_corpus_has_fault_files(self):
        self.assertGreaterEqual(len(fault_traces()), 5)

    def test_reference_follows_rssanon(self):
        for trace in fault_traces():
            with self.subTest(trace=os.path.basename(trace)):
                d = replay(trace)
                self.assertEqual(d["touch"], "recorded")
                self.assertEqual(d["faults"],
                                 d["faults_touched"] + d["faults_outside"]
                                 + d["faults_denied"]
                                 + d["faults_unknown_pid"])
                # every fault of the program lands in its address space
                self.assertLess(d["faults_outside"] + d["faults_denied"],
                                d["faults"] / 100 + 64)
                if d["rss_samples"] == 0:
                    continue    # a program too short to be sampled
                self.assertLessEqual(d["rss_median_err"], MEDIAN_MAX,
                                     "worst: pid %d, recorded %d, model %d"
                                     % (d["rss_worst_pid"],
                                        d["rss_worst_recorded"],
                                        d["rss_worst_model"]))

    def test_summary_line(self):
        trace = fault_traces()[0]
        p = run("replay", trace, check=0)
        self.assertRegex(p.stdout, r"\nRssAnon    \d+ samples, median "
                                   r"error \d+\.\d%, worst \d+\.\d%")
        self.assertIn("\ntouch      recorded: ", p.stdout)


class Default(unittest.TestCase):
    def test_recorded_where_faults_first_elsewhere(self):
        heap = os.path.join(TRACES, "go-heap.strace.xz")
        hello = os.path.join(TRACES, "go-hello.strace")
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, "t.db")
            p = run("compare", heap, hello, "--policy", "lazy",
                    "--db", db, "-q")
            self.assertIn(p.returncode, (0, 1), p.stderr)
            con = sqlite3.connect(db)
            rows = dict((os.path.basename(t), (touch, settings, faults,
                                               samples, median))
                        for t, touch, settings, faults, samples, median
                        in con.execute(
                            "SELECT trace, touch, settings, faults, "
                            "rss_samples, rss_median_err FROM run"))
            con.close()
        touch, settings, faults, samples, median = rows["go-heap.strace.xz"]
        self.assertEqual(touch, "recorded")
        self.assertIn("touch recorded", settings)
        self.assertGreater(faults, 100000)
        self.assertGreater(samples, 0)
        self.assertLessEqual(median, MEDIAN_MAX)
        touch, settings, faults, samples, median = rows["go-hello.strace"]
        self.assertEqual(touch, "first")
        self.assertIn("touch first", settings)
        self.assertIsNone(faults)
        self.assertIsNone(median)

    def test_recorded_without_faults_is_a_usage_error(self):
        hello = os.path.join(TRACES, "go-hello.strace")
        p = run("replay", hello, "--touch", "recorded", check=64)
        self.assertIn("has none", p.stderr)
        p = run("compare", hello, "--no-db", "--policy", "lazy",
                "--touch", "recorded", check=64)
        self.assertIn("--touch recorded needs the page faults", p.stderr)
        # the explicit models still run on a trace with faults
        heap = os.path.join(TRACES, "go-heap.strace.xz")
        self.assertEqual(replay(heap, "--touch", "first")["touch"], "first")


class EagerAndLazy(unittest.TestCase):
    """What is true by construction: an eager policy commits RAM when a
    call makes memory writable, so its peak does not depend on what the
    program touched; a lazy one backs memory only when it is touched, so
    it holds at least the anonymous memory the reference has resident at
    any sample (less the pages on ranges execve made, which are not the
    policy's, and those the policy failed to back), and next to nothing
    when nothing is touched."""

    TRACES = ("go-heap.strace.xz", "go-heap-madvdontneed.strace.xz",
              "java-zgc.strace.xz")

    def test_peaks(self):
        for name in self.TRACES:
            trace = os.path.join(TRACES, name)
            with self.subTest(trace=name):
                eager = replay(trace, "--policy", "window")
                eager_none = replay(trace, "--policy", "window", "--touch",
                                    "none")
                lazy = replay(trace, "--policy", "lazy")
                lazy_none = replay(trace, "--policy", "lazy", "--touch",
                                   "none")
                self.assertEqual(lazy["touch"], "recorded")
                self.assertEqual(eager["ram_peak"], eager_none["ram_peak"])
                slack = (lazy["faults_inherited"]
                         + lazy["faults_model_failed"]) * PAGE
                self.assertGreaterEqual(lazy["ram_peak"],
                                        lazy["rss_model_peak"] - slack)
                self.assertGreater(lazy["ram_peak"],
                                   lazy_none["ram_peak"])


if __name__ == "__main__":
    main()
