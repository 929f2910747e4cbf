"""End-to-end tests of `rmsim report`: the Markdown and the HTML written
from a database made like a comparison's (report_fixture.py), their
escaping, the exit codes, and the HTML rendered in headless Chromium to a
PNG that must not be blank, with nothing fetched from the network.  The
Chromium tests are skipped, saying so, where Chromium is not installed
(scripts/deps --browser installs it)."""
import html.parser
import json
import os
import re
import resource
import shutil
import signal
import socket
import sqlite3
import struct
import subprocess
import tempfile
import unittest
import zlib

import report_fixture
from rmsim_driver import RMSIM, main, run

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
VOID = {"meta", "br", "img", "input", "hr", "link", "col", "wbr"}


def report(db, out):
    return run("report", "--db", db, "-o", out)


def read(path):
    with open(path, encoding="utf-8") as f:
        return f.read()


class Structure(html.parser.HTMLParser):
    """Checks that every element is closed in order; collects the texts
    of the maps' labels with their positions."""

    def __init__(self):
        super().__init__()
        self.stack, self.errors, self.svgs = [], [], []
        self.text_attrs = None

    def handle_starttag(self, tag, attrs):
        if tag in VOID:
            return
        self.stack.append(tag)
        a = dict(attrs)
        if tag == "svg" and "map" in (a.get("class") or ""):
            self.svgs.append([])
        if tag == "text" and self.svgs and "svg" in self.stack[:-1] and \
                a.get("class") in ("m-addr", "m-name", "m-legend"):
            self.text_attrs = a
            self.text = ""

    def handle_startendtag(self, tag, attrs):
        pass

    def handle_data(self, data):
        if self.text_attrs is not None:
            self.text += data

    def handle_endtag(self, tag):
        if tag in VOID:
            return
        if not self.stack or self.stack[-1] != tag:
            self.errors.append("</%s> closes <%s>" % (
                tag, self.stack[-1] if self.stack else "nothing"))
            return
        self.stack.pop()
        if tag == "text" and self.text_attrs is not None:
            self.svgs[-1].append((self.text_attrs, self.text))
            self.text_attrs = None


# DejaVu Sans advances in thousandths of an em from the space to the
# tilde: the estimate the report places its labels by (rep_text_w)
ADVANCE = [
    318, 401, 460, 838, 636, 950, 780, 275, 390, 390, 500, 838, 318, 361,
    318, 337, 636, 636, 636, 636, 636, 636, 636, 636, 636, 636, 337, 337,
    838, 838, 838, 531, 1000, 684, 686, 698, 770, 632, 575, 775, 752, 295,
    295, 656, 557, 863, 748, 787, 603, 787, 695, 635, 611, 732, 684, 989,
    685, 611, 685, 390, 337, 390, 838, 500, 500, 613, 635, 550, 635, 615,
    352, 635, 634, 278, 278, 579, 278, 974, 634, 612, 635, 635, 411, 521,
    392, 634, 592, 818, 592, 592, 525, 636, 337, 636, 838]


def text_box(attrs, text):
    """The box a map label takes by the report's own estimate of the
    fonts (monospace 0.61 em; DejaVu Sans by the table, 5% more)."""
    px = 12.0
    if attrs["class"] == "m-addr":
        w = len(text) * px * 0.61
    else:
        w = sum(ADVANCE[ord(c) - 32] / 1000 if 32 <= ord(c) < 127 else 1.0
                for c in text) * px * 1.05
    x, y = float(attrs["x"]), float(attrs["y"])
    if attrs.get("text-anchor") == "middle":
        x -= w / 2
    return x, y - px, x + w, y + 2


def md_tables(text):
    """Tables of a Markdown file: lists of rows of cells (a pipe
    escaped with a backslash is text)."""
    tables, cur = [], []
    for line in text.splitlines():
        if line.startswith("|"):
            cells = re.split(r"(?<!\\)\|", line)[1:-1]
            cur.append(cells)
        elif cur:
            tables.append(cur)
            cur = []
    if cur:
        tables.append(cur)
    return tables


class Case(unittest.TestCase):
    """assertIn and assertRegex on a whole page would print the page."""

    def contains(self, text, part):
        self.assertTrue(part in text, "%r is not in the output" % part)

    def lacks(self, text, part):
        self.assertFalse(part in text, "%r is in the output" % part)

    def matches(self, text, pattern):
        self.assertTrue(re.search(pattern, text),
                        "no match for %r in the output" % pattern)


SHARED = {}


def shared_report():
    """The fixture of every layout and its report, made once for the
    tests that read it (the conformance runs in it take a while under
    the sanitizers)."""
    if not SHARED:
        tmp = tempfile.TemporaryDirectory()
        db = os.path.join(tmp.name, "fixture.db")
        report_fixture.make(db, layouts=tuple(report_fixture.LAYOUTS))
        out = os.path.join(tmp.name, "out")
        SHARED.update(tmp=tmp, db=db, out=out, proc=report(db, out))
    return SHARED


def tearDownModule():
    if SHARED:
        SHARED["tmp"].cleanup()


class Report(Case):
    @classmethod
    def setUpClass(cls):
        f = shared_report()
        cls.tmp, cls.db, cls.out, cls.proc = (f["tmp"], f["db"], f["out"],
                                              f["proc"])
        cls.md = read(os.path.join(cls.out, "report.md"))
        cls.html = read(os.path.join(cls.out, "report.html"))

    def test_writes_both_files_quietly(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.assertEqual(self.proc.stdout + self.proc.stderr, "")
        self.assertEqual(sorted(os.listdir(self.out)),
                         ["report.html", "report.md"])

    def test_markdown_has_every_section(self):
        md = self.md
        for heading in ("# rmsim report", "## Summary", "## Conformance",
                        "### By section", "### Reasons",
                        "## go-alloc.strace on nova-x86\\_64",
                        "## go-alloc.strace on hw-64",
                        "## go-alloc.strace on sel4-64", "### Metrics",
                        "### Resource use", "### Address space",
                        "### Deviations"):
            self.contains("\n" + md, "\n" + heading)
        for policy in ("linux", "libc", "go-world", "window", "lazy"):
            self.contains(md, "| " + policy)
        # a deviation with its trace line, call, recorded and actual result
        self.matches(md, r"\| 12 \| 12 \| `mmap\(0xc000000000, 4194304,"
                         r" PROT_READ\\\|PROT_WRITE, MAP_PRIVATE\\\|"
                         r"MAP_FIXED\\\|MAP_ANONYMOUS, -1, 0\)` \| "
                         r"0xc000000000 \| 0xc000000000 \| -1 EINVAL \|")
        # metrics side by side with units, in the catalogue's order
        self.matches(md, r"\| RAM quota used, peak \| – \| [\d.]+ MiB \|")
        self.assertLess(md.index("events replayed"),
                        md.index("RAM quota used, peak"))
        self.assertLess(md.index("RAM quota used, peak"),
                        md.index("RPCs to core"))
        # conformance pass rates
        self.matches(md, r"\| libc \| nova-x86\\_64 \| \d+ \| \d+ \| "
                         r"\d+ \| \d+ \| \d+ \| \d+\.\d% \|")

    def test_long_lists_are_capped_with_a_count(self):
        # libc has 350 content findings on each layout; 20 are listed
        self.contains(self.md, "…and 330 more.")
        self.contains(self.html, "…and 330 more (the database has them all)")

    def test_markdown_tables_are_rectangular(self):
        for table in md_tables(self.md):
            widths = {len(row) for row in table}
            self.assertEqual(len(widths), 1, table[:3])

    def test_html_is_one_file_with_nothing_from_outside(self):
        h = self.html
        for bad in ("<script", "http:", "https:", "<link", "@import",
                    "<img", "<iframe", "<object", "src=", "//fonts"):
            self.lacks(h.lower(), bad)
        for m in re.finditer(r"url\(([^)]*)\)", h):
            self.assertTrue(m.group(1).startswith("#"), m.group(0))
        for m in re.finditer(r"href=\"([^\"]*)\"", h):
            self.assertTrue(m.group(1).startswith("#"), m.group(0))

    def test_html_elements_nest(self):
        p = Structure()
        p.feed(self.html)
        p.close()
        self.assertEqual(p.errors, [])
        self.assertEqual(p.stack, [])
        # every policy and layout has its map: 4 Genode policies x 3
        # layouts, at the end (the peak when it differs)
        self.assertGreaterEqual(len(p.svgs), 12)

    def test_map_labels_do_not_overlap(self):
        p = Structure()
        p.feed(self.html)
        for texts in p.svgs:
            boxes = [text_box(a, t) for a, t in texts]
            for i, a in enumerate(boxes):
                for b in boxes[i + 1:]:
                    overlap = (a[0] < b[2] and b[0] < a[2] and
                               a[1] < b[3] and b[1] < a[3])
                    self.assertFalse(overlap, (a, b))
                self.assertGreaterEqual(a[0], -4)
                self.assertLessEqual(a[2], 888 + 4)

    def test_maps_show_the_kinds_and_hex_addresses(self):
        h = self.html
        for kind in ("Genode&#39;s fixed areas", "managed dataspace",
                     "reserved, no RAM", "committed RAM",
                     "hole left by an implicit detach", "free"):
            self.assertTrue(kind in h, kind)
        self.contains(h, ">0x7fffc0000000</text>")     # nova's PD end
        self.contains(h, ">0x1000000000</text>")       # sel4-64's end
        self.contains(h, ">2^64</text>")
        self.contains(h, "window at 0x400000000 in env")

    def test_charts_have_axes_and_a_line_per_policy(self):
        h = self.html
        for title in ("RAM quota used", "Capabilities used",
                      "Live POSIX mappings", "Genode attachments"):
            self.contains(h, '<text class="c-title" x="72" y="18">%s</text>'
                          % title)
        self.contains(h, ">event</text>")
        charts = re.findall(r'<svg class="chart".*?</svg>', h, re.S)
        self.assertEqual(len(charts), 12)
        # RAM: the four Genode policies; mappings: linux too
        self.assertEqual(charts[0].count("<polyline"), 4)
        self.assertEqual(charts[2].count("<polyline"), 5)

    def test_reads_only_the_database(self):
        con = sqlite3.connect(self.db)
        before = con.execute("SELECT count(*) FROM run").fetchone()
        con.close()
        out = os.path.join(self.tmp.name, "again")
        self.assertEqual(report(self.db, out).returncode, 0)
        con = sqlite3.connect(self.db)
        self.assertEqual(con.execute("SELECT count(*) FROM run").fetchone(),
                         before)
        con.close()
        # the same database gives the same report
        self.assertEqual(read(os.path.join(out, "report.md")), self.md)


class Escaping(Case):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        db = os.path.join(cls.tmp.name, "hostile.db")
        report_fixture.make_hostile(db)
        out = os.path.join(cls.tmp.name, "out")
        cls.proc = report(db, out)
        cls.md = read(os.path.join(out, "report.md"))
        cls.html = read(os.path.join(out, "report.html"))

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_html_shows_markup_as_text(self):
        self.assertEqual(self.proc.returncode, 0, self.proc.stderr)
        self.lacks(self.html, "<script")
        self.contains(self.html, "&lt;script&gt;alert(1)&lt;/script&gt;")
        p = Structure()
        p.feed(self.html)
        self.assertEqual(p.errors, [])

    def test_markdown_keeps_tables_and_shows_no_markup(self):
        self.lacks(self.md, "<script")
        self.contains(self.md, "&lt;script&gt;")
        self.contains(self.md, r"\*x\*")
        self.contains(self.md, r"\[z\](\#a)")
        for table in md_tables(self.md):
            self.assertEqual(len({len(row) for row in table}), 1,
                             table[:3])
        # a line break in a detail does not end the row
        self.lacks(self.md, "\nsecond line")


class ExitCodes(Case):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory()
        self.d = self.tmp.name

    def tearDown(self):
        self.tmp.cleanup()

    def small_db(self):
        db = os.path.join(self.d, "small.db")
        report_fixture.replay(db, "nova-x86_64")
        return db

    def test_help_and_usage(self):
        p = run("report", "--help")
        self.assertEqual(p.returncode, 0)
        self.assertIn("usage: rmsim report --db FILE [-o DIR]", p.stdout)
        self.assertEqual(run("report").returncode, 64)
        self.assertEqual(run("report", "--db").returncode, 64)
        self.assertEqual(run("report", "--db", "x", "extra").returncode, 64)
        self.assertIn("report", run("--help").stdout)

    def test_missing_database(self):
        p = run("report", "--db", os.path.join(self.d, "none.db"), "-o",
                self.d)
        self.assertEqual(p.returncode, 66)
        self.assertIn("none.db", p.stderr)
        self.assertFalse(os.path.exists(os.path.join(self.d, "none.db")))

    def test_not_a_database(self):
        junk = os.path.join(self.d, "junk.db")
        with open(junk, "wb") as f:
            f.write(b"this is not SQLite\n" * 100)
        p = run("report", "--db", junk, "-o", self.d)
        self.assertEqual(p.returncode, 65, p.stderr)
        other = os.path.join(self.d, "other.db")
        con = sqlite3.connect(other)
        con.execute("CREATE TABLE t(x)")
        con.close()
        p = run("report", "--db", other, "-o", self.d)
        self.assertEqual(p.returncode, 65, p.stderr)
        self.assertIn("not an rmsim database", p.stderr)

    def test_cannot_create_the_directory(self):
        db = self.small_db()
        blocker = os.path.join(self.d, "file")
        open(blocker, "w").close()
        p = run("report", "--db", db, "-o", os.path.join(blocker, "sub"))
        self.assertEqual(p.returncode, 73, p.stderr)

    def test_cannot_write(self):
        db = os.path.join(self.d, "one.db")
        report_fixture.make(db, policies=("libc",), conform=False)
        out = os.path.join(self.d, "out")

        def small_files():
            # room for SQLite's 32 KiB -shm file, not for the page
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (40000, 40000))
        p = subprocess.run([RMSIM, "report", "--db", db, "-o", out],
                           capture_output=True, text=True,
                           preexec_fn=small_files)
        self.assertEqual(p.returncode, 74, p.stderr)
        # nothing half-written is left where the report goes
        self.assertEqual([f for f in os.listdir(out) if "report" in f
                          and not f.endswith(".md")], [])

    def test_database_without_runs(self):
        db = self.small_db()
        con = sqlite3.connect(db)
        with con:
            for t in ("event", "finding", "metric", "sample", "region",
                      "case_result", "mapping", "run"):
                con.execute("DELETE FROM " + t)
        con.close()
        out = os.path.join(self.d, "empty")
        p = run("report", "--db", db, "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        self.contains(read(os.path.join(out, "report.md")),
                      "no replay, comparison or conformance run")

    def test_run_cut_off_before_its_indexes(self):
        db = os.path.join(self.d, "cut.db")
        report_fixture.make(db, policies=("libc",), conform=False)
        con = sqlite3.connect(db)
        with con:
            con.execute("DROP INDEX event_run_seq")
            con.execute("UPDATE run SET status='interrupted', detail="
                        "'process ended without closing the run'")
        con.close()
        out = os.path.join(self.d, "cut")
        p = run("report", "--db", db, "-o", out)
        self.assertEqual(p.returncode, 0, p.stderr)
        h = read(os.path.join(out, "report.html"))
        self.contains(h, "The event index is missing")
        self.contains(h, "process ended without closing the run")


# ---- rendering ----

def png_pixels(path):
    """Width, height and rows of RGB(A) bytes of a PNG (8-bit truecolour,
    as Chromium writes them)."""
    with open(path, "rb") as f:
        data = f.read()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + n]
        pos += 12 + n
        if kind == b"IHDR":
            w, h, depth, colour, _, _, interlace = struct.unpack(
                ">IIBBBBB", body)
            assert depth == 8 and colour in (2, 6) and not interlace
        elif kind == b"IDAT":
            idat += body
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = w * bpp
    rows, prev = [], bytearray(stride)
    for y in range(h):
        ft = raw[y * (stride + 1)]
        line = bytearray(raw[y * (stride + 1) + 1:(y + 1) * (stride + 1)])
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b = prev[x]
            c = prev[x - bpp] if x >= bpp else 0
            if ft == 1:
                line[x] = (line[x] + a) & 255
            elif ft == 2:
                line[x] = (line[x] + b) & 255
            elif ft == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif ft == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc
                                      else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return w, h, bpp, rows


def page_fetches(netlog):
    """URLs a page asked for, from Chromium's net log: requests made for
    the file:// page, not the browser's own background requests."""
    with open(netlog) as f:
        log = json.load(f)
    types = {v: k for k, v in log["constants"]["logEventTypes"].items()}
    urls = []
    for e in log["events"]:
        p = e.get("params") or {}
        if types.get(e["type"]) != "URL_REQUEST_START_JOB" or "url" not in p:
            continue
        if p.get("initiator") != "not an origin" or \
                "file://" in p.get("site_for_cookies", "") or \
                "file://" in p.get("network_isolation_key", ""):
            urls.append(p["url"])
    return urls


def render(page, png, height, tmp):
    """PAGE in headless Chromium to PNG; returns the URLs the page
    fetched.  Every request goes to a proxy port that refuses, so nothing
    leaves the machine even if one is made."""
    blocker = socket.socket()
    blocker.bind(("127.0.0.1", 0))      # bound, never listening: refused
    port = blocker.getsockname()[1]
    profile = tempfile.mkdtemp(dir=tmp)
    netlog = os.path.join(tmp, "net-%s.json" % os.path.basename(png))
    try:
        p = subprocess.run(
            [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu",
             "--no-first-run", "--disable-background-networking",
             "--disable-component-update", "--disable-sync",
             "--user-data-dir=" + profile, "--hide-scrollbars",
             "--window-size=1280,%d" % height,
             "--proxy-server=http://127.0.0.1:%d" % port,
             "--proxy-bypass-list=<-loopback>",
             "--log-net-log=" + netlog, "--screenshot=" + png,
             "file://" + os.path.abspath(page)],
            capture_output=True, timeout=300, cwd=tmp)
    finally:
        blocker.close()
    if p.returncode != 0 or not os.path.exists(png):
        raise AssertionError("chromium exited %d: %s"
                             % (p.returncode, p.stderr[-2000:]))
    return page_fetches(netlog)


@unittest.skipUnless(CHROMIUM, "chromium is not installed "
                     "(scripts/deps --browser installs it)")
class Rendering(Case):
    @classmethod
    def setUpClass(cls):
        cls.tmp = tempfile.TemporaryDirectory()
        cls.out = shared_report()["out"]

    @classmethod
    def tearDownClass(cls):
        cls.tmp.cleanup()

    def test_the_net_log_sees_a_page_that_fetches(self):
        # the check below would pass on a broken net log; prove it works
        page = os.path.join(self.tmp.name, "fetches.html")
        with open(page, "w") as f:
            f.write('<p>x</p><img src="http://example.invalid/x.png">')
        fetched = render(page, os.path.join(self.tmp.name, "f.png"), 300,
                         self.tmp.name)
        self.assertIn("http://example.invalid/x.png", fetched)

    def test_report_renders_and_fetches_nothing(self):
        png = os.path.join(self.tmp.name, "report.png")
        fetched = render(os.path.join(self.out, "report.html"), png, 2400,
                         self.tmp.name)
        self.assertEqual(fetched, [])
        w, h, bpp, rows = png_pixels(png)
        self.assertEqual((w, h), (1280, 2400))
        # not blank: many rows carry drawing, in many colours
        inked = [r for r in rows if r.count(b"\xff") < len(r) - 64]
        self.assertGreater(len(inked), h // 4)
        colours = set()
        for r in rows[::7]:
            for x in range(0, len(r), bpp * 5):
                colours.add(r[x:x + 3])
        self.assertGreater(len(colours), 20)


if __name__ == "__main__":
    main()
