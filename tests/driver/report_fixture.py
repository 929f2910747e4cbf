"""Databases for the report's tests and benchmark, made the way the
comparison will make them.

The schema is the real one: `rmsim replay --db` creates the file and logs
a real run of the Go arena trace on `linux` per layout, and `rmsim
conform` a real conformance run on `linux` (not on the host kernel too:
that takes minutes under the sanitizers).  Then, per layout, runs of the Genode
policies are added as `compare` runs: the same events, with results,
findings, metrics, resource samples and address-space snapshots that
follow the trace's own mappings (a small interval model of mmap,
munmap and mprotect below) and each policy's idea of where they go:

  libc      every mapping a RAM dataspace attached in env, PROT_NONE too;
            MAP_FIXED refused, hints ignored
  go-world  like libc, but at the hinted address when it is in range
  window    one managed window reserved at start-up, mappings inside it,
            PROT_NONE reserved without RAM
  lazy      like window, RAM attached on first touch in 64 KiB chunks,
            MADV_DONTNEED leaves holes

The numbers are invented; their shapes are what a real run gives, which
is what the report has to draw.  Standard library only.

  report_fixture.py DB            writes the fixture database DB
"""
import os
import random
import sqlite3
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SOURCE = os.environ.get("RMSIM_SOURCE_DIR", os.path.join(HERE, "..", ".."))
GO_TRACE = os.path.join(SOURCE, "traces", "go-alloc.strace")

PAGE = 4096
TOP = 1 << 64
MAP_FIXED = 0x10
MADV_DONTNEED = 4
POLICIES = ("libc", "go-world", "window", "lazy")

# Per layout: the PD's range (research genode.md section 6, as
# sim/layout/layout.c has it for 26.02), whether the main UTCB has its own
# page, and where the window policy puts its window.
LAYOUTS = {
    "nova-x86_64": dict(vm=(0x1000, 0x7fffc0000000), utcb=False,
                        window=(0x1000000000, 512 << 30)),
    "hw-64": dict(vm=(0x2000, 1 << 38), utcb=True,
                  window=(0x1000000000, 128 << 30)),
    "sel4-64": dict(vm=(0x2000, 64 << 30), utcb=True,
                    window=(0x400000000, 32 << 30)),
}


def s64(v):
    """An unsigned 64-bit value as SQLite stores it."""
    v &= TOP - 1
    return v - TOP if v >= 1 << 63 else v


def u64(v):
    return v + TOP if v is not None and v < 0 else v


def fixed_areas(layout):
    """Genode's own areas of LAYOUT: (start, size, label)."""
    lo, hi = LAYOUTS[layout]["vm"]
    areas = [(0, lo, "page 0 and below the PD range")]
    if LAYOUTS[layout]["utcb"]:
        areas.append((0x1000, 0x1000, "main-thread UTCB"))
    areas += [
        (0x30000, 0xc0000, "ld.lib.so text"),
        (0xf0000, 0x40000, "ld.lib.so data"),
        (0x1000000, 320 << 20, "linker area"),
        (0x1000000, 0x10000, "program text"),
        (0x1010000, 0x4000, "program data"),
        (0x40000000, 0x10000000, "stack area"),
        (hi, TOP - hi, "kernel"),
    ]
    return areas


# ---- the trace's mappings ----

class Space:
    """The POSIX mappings of one process: sorted [start, end, prot]."""

    def __init__(self):
        self.v = []

    def unmap(self, start, end):
        out = []
        for a, b, p in self.v:
            if b <= start or a >= end:
                out.append([a, b, p])
                continue
            if a < start:
                out.append([a, start, p])
            if b > end:
                out.append([end, b, p])
        self.v = out

    def map(self, start, end, prot):
        self.unmap(start, end)
        self.v.append([start, end, prot])
        self.v.sort()

    def protect(self, start, end, prot):
        for m in [m for m in self.v if m[0] < end and m[1] > start]:
            a, b = max(m[0], start), min(m[1], end)
            self.map(a, b, prot)

    def mapped(self):
        return sum(b - a for a, b, _ in self.v)

    def writable(self):
        return sum(b - a for a, b, p in self.v if p & 2)


def trace_events(con, run_id):
    return con.execute(
        "SELECT seq, line, call, a0, a1, a2, a3, traced_ret, traced_errno"
        " FROM event WHERE run_id=? ORDER BY seq", (run_id,)).fetchall()


def replay_spaces(events):
    """The mappings after each event: yields (event, Space)."""
    sp = Space()
    for ev in events:
        seq, line, call, a0, a1, a2, a3, ret, err = ev
        a0, ret = u64(a0), u64(ret)
        if err is None and ret is not None:
            if call == "mmap":
                length = (a1 + PAGE - 1) // PAGE * PAGE
                sp.map(ret, ret + length, a2)
            elif call == "munmap":
                sp.unmap(a0, a0 + a1)
            elif call == "mprotect":
                sp.protect(a0, a0 + a1, a2)
        yield ev, sp


class Lines:
    """The trace line of the latest mmap that covers an address."""

    def __init__(self, made):
        self.made = made

    def get(self, addr, default=0):
        for a, b, line in reversed(self.made):
            if a <= addr < b:
                return line
        return default


# ---- what each policy makes of them ----

def window_offsets(vmas):
    """Offsets in a window for the trace's ranges: order kept, gaps over
    64 MiB shortened to 64 MiB, so the window holds them all."""
    out, off, last = [], 0x10000, None
    for a, b, p in vmas:
        if last is not None:
            off += min(a - last, 64 << 20)
        out.append((off, b - a, p, a))
        off += b - a
        last = b
    return out


def regions(policy, layout, vmas, lines, holes):
    """Regions (space, start, size, kind, label) of POLICY's snapshot."""
    lo, hi = LAYOUTS[layout]["vm"]
    env = [(s, z, "fixed", l) for s, z, l in fixed_areas(layout)]
    inner = []
    if policy in ("libc", "go-world"):
        at = 0x50000000
        for a, b, p in vmas:
            size = b - a
            if policy == "go-world" and lo <= a and b <= hi and a >= at:
                place = a
            else:
                place, at = at, at + size
            kind = "committed" if policy == "libc" or p else "reserved"
            env.append((place, size, kind, "ds@line %d" % lines.get(a, 0)))
    else:
        base, size = LAYOUTS[layout]["window"]
        env.append((base, size, "window", "rm1"))
        for off, length, p, a in window_offsets(vmas):
            label = "line %d" % lines.get(a, 0)
            if not p:
                inner.append((off, length, "reserved", label))
            elif policy == "window":
                inner.append((off, length, "committed", label))
            else:
                # lazy: the touched front in 64 KiB chunks, the rest
                # reserved until a fault
                touched = min(length, max(PAGE, length // 4) // 0x10000
                              * 0x10000 or PAGE)
                inner.append((off, touched, "committed", label))
                if length > touched:
                    inner.append((off + touched, length - touched,
                                  "reserved", label))
        for a, length in holes:
            for off, ln, p, orig in window_offsets(vmas):
                if orig <= a < orig + ln:
                    inner.append((off + a - orig, length, "hole",
                                  "after detach"))
                    break
    # the rest of the PD's range is free
    used = sorted((s, s + z) for s, z, k, _ in env
                  if k != "fixed" or s >= lo)
    at = lo
    for s, e in used:
        if s > at and at < hi:
            env.append((at, min(s, hi) - at, "free", None))
        at = max(at, e)
    out = [("env",) + r for r in env]
    out += [("rm1",) + r for r in inner if r[1] > 0]
    # the fixed areas nest as in the layout, and a hole is drawn over
    # the range it cut
    return out


def ram_of(policy, vmas):
    if policy in ("libc",):
        return sum(b - a for a, b, p in vmas)
    if policy == "go-world":
        return sum(b - a for a, b, p in vmas if p)
    if policy == "window":
        return sum(b - a for a, b, p in vmas if p)
    return sum(min(b - a, max(PAGE, (b - a) // 4)) for a, b, p in vmas if p)


def attachments_of(policy, vmas):
    if policy in ("libc", "go-world"):
        return len(vmas)
    if policy == "window":
        return 1 + sum(1 for _, _, p in vmas if p)
    return 1 + sum(max(1, (b - a) // 4 // 0x10000) for a, b, p in vmas if p)


# ---- findings ----

FINDING_SQL = ("INSERT INTO finding(run_id, seq, kind, severity, detail)"
               " VALUES(?,?,?,?,?)")

def findings_for(policy, layout, ev):
    """(kind, severity, detail, model_ret, model_errno) for one event of
    POLICY, or None."""
    seq, line, call, a0, a1, a2, a3, ret, err = ev
    a0, ret = u64(a0), u64(ret)
    lo, hi = LAYOUTS[layout]["vm"]
    if call == "mmap" and err is None:
        fixed = a3 & MAP_FIXED
        if policy == "libc" and fixed:
            return ("result", "error",
                    "line %d: mmap MAP_FIXED recorded %#x, model -1 EINVAL"
                    % (line, ret), -1, "EINVAL")
        if policy == "libc" and a0:
            return ("hint", "warning",
                    "line %d: hint %#x ignored, placed at %#x"
                    % (line, a0, 0x50000000 + seq * 0x10000), None, None)
        if policy == "go-world" and a0 and not lo <= a0 < hi:
            return ("result", "error",
                    "line %d: hint %#x is outside the PD range "
                    "(ends at %#x): model -1 ENOMEM" % (line, a0, hi),
                    -1, "ENOMEM")
        if policy in ("libc", "go-world") and a2 == 0 and a1 >= 1 << 20:
            return ("resource", "warning",
                    "line %d: PROT_NONE reservation of %d MiB committed "
                    "as RAM" % (line, a1 >> 20), None, None)
        if policy == "window" and not a0 and seq % 3 == 0:
            return ("address", "info",
                    "line %d: placed at window offset %#x, Linux at %#x"
                    % (line, seq * 0x10000, ret), None, None)
    if call == "madvise" and a2 == MADV_DONTNEED:
        if policy in ("libc", "go-world"):
            return ("content", "info",
                    "line %d: MADV_DONTNEED kept the contents of %d KiB"
                    % (line, a1 >> 10), None, None)
        if policy == "lazy" and seq % 7 == 0:
            return ("access-missing", "warning",
                    "line %d: range detached, the next touch faults "
                    "(%d KiB)" % (line, a1 >> 10), None, None)
    return None


# ---- building the database ----

def rmsim_cmd():
    return os.environ.get("RMSIM", "rmsim")


def replay(db, layout, trace=GO_TRACE, policy="linux"):
    """rmsim replay from the source tree, so the run names the trace by
    its path in the repository, as the bundled reports do."""
    trace = os.path.abspath(trace)
    rel = os.path.relpath(trace, SOURCE)
    subprocess.run([rmsim_cmd(), "replay", "-q", "--db",
                    os.path.abspath(db), "--layout", layout, "--policy",
                    policy, trace if rel.startswith("..") else rel],
                   check=False, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL, cwd=SOURCE)


def new_run(con, like, policy, params=None, command="compare"):
    """A run row copied from run LIKE, for POLICY."""
    cur = con.execute(
        "INSERT INTO run(started_utc, tool_version, command, trace,"
        " trace_sha256, policy, params, layout, genode_version, status,"
        " events, wall_ms, pid, host, settings)"
        " SELECT started_utc, tool_version, ?, trace, trace_sha256, ?, ?,"
        " layout, coalesce(genode_version, '26.02'), 'complete', events,"
        " wall_ms * 3, pid, host, settings FROM run WHERE id=?",
        (command, policy, params, like))
    return cur.lastrowid


def copy_events(con, src, dst):
    con.execute(
        "INSERT INTO event SELECT ?, seq, line, pid, ts_us, call, a0, a1,"
        " a2, a3, a4, a5, traced_ret, traced_errno, ref_ret, ref_errno,"
        " model_ret, model_errno, verdict FROM event WHERE run_id=?",
        (dst, src))


def add_policy_run(con, linux_run, layout, policy, events):
    """One compare run of POLICY with everything the report reads."""
    rid = new_run(con, linux_run, policy,
                  "base=%#x,size=%dG" % (LAYOUTS[layout]["window"][0],
                                         LAYOUTS[layout]["window"][1]
                                         >> 30)
                  if policy == "window" else None)
    copy_events(con, linux_run, rid)
    counts, mismatches = {}, 0
    holes, made = [], []
    lines = Lines(made)
    samples, ram_peak, peak_seq, peak_vmas = [], -1, 0, []
    rpc = dict(alloc_ram=0, free_ram=0, rm_create=0, rm_destroy=0,
               attach=0, detach=0, upgrade=0, fault=0)
    posix_peak = writable_peak = 0
    vmas = []
    for ev, sp in replay_spaces(events):
        seq, line, call = ev[0], ev[1], ev[2]
        if call == "mmap" and ev[8] is None:
            made.append((u64(ev[7]), u64(ev[7]) + ev[4], line))
            rpc["alloc_ram"] += 1
            rpc["attach"] += 1
        if call == "madvise" and ev[5] == MADV_DONTNEED and \
                policy == "lazy" and seq % 11 == 0:
            holes.append((u64(ev[3]), min(ev[4], 0x10000)))
            rpc["detach"] += 1
        f = findings_for(policy, layout, ev)
        if f:
            kind, sev, detail, mret, merr = f
            con.execute(FINDING_SQL,
                        (rid, seq, kind, sev, detail))
            counts[kind] = counts.get(kind, 0) + 1
            if kind == "result":
                mismatches += 1
                con.execute("UPDATE event SET model_ret=?, model_errno=?,"
                            " verdict='mismatch' WHERE run_id=? AND seq=?",
                            (mret, merr, rid, seq))
        vmas = [tuple(v) for v in sp.v]
        ram = ram_of(policy, vmas)
        att = attachments_of(policy, vmas)
        caps = 40 + (att if policy in ("libc", "go-world") else 3 + att // 8)
        posix_peak = max(posix_peak, sp.mapped())
        writable_peak = max(writable_peak, sp.writable())
        samples.append((rid, seq, ram, caps, len(vmas), att))
        if ram > ram_peak:
            ram_peak, peak_seq, peak_vmas = ram, seq, list(vmas)
    con.executemany("INSERT INTO sample VALUES(?,?,?,?,?,?)", samples)
    last = samples[-1]
    for snap, seq, vm in (("end", events[-1][0], vmas),
                          ("peak", peak_seq, peak_vmas)):
        con.executemany(
            "INSERT INTO region VALUES(?,?,?,?,?,?,?,?)",
            [(rid, snap, seq, sp_, s64(s), s64(z), k, l)
             for sp_, s, z, k, l in regions(policy, layout, vm, lines,
                                            holes if snap == "end"
                                            else [])])
    rpc["rm_create"] = 0 if policy in ("libc", "go-world") else 1
    rpc["upgrade"] = rpc["attach"] // 40
    rpc["fault"] = rpc["attach"] * 3 if policy == "lazy" else 0
    metrics = dict(
        events=len(events), events_per_s=180000.0 + 20000 * len(policy),
        mismatches=mismatches, ram_peak=ram_peak, ram_final=last[2],
        caps_peak=max(s[3] for s in samples), caps_final=last[3],
        rm_sessions=rpc["rm_create"], region_maps=rpc["rm_create"] + 3,
        attachments_peak=max(s[5] for s in samples), faults=rpc["fault"],
        rpc_total=sum(rpc.values()),
        waste_bytes=ram_peak - writable_peak if ram_peak > writable_peak
        else 0,
        posix_mapped_peak=posix_peak, posix_writable_peak=writable_peak,
        mmaps_placed=33, mmaps_exact=33 - counts.get("address", 0),
        adopted=0)
    metrics.update(("rpc_" + k, v) for k, v in rpc.items())
    metrics.update(("findings_" + k, v) for k, v in counts.items())
    con.executemany("INSERT INTO metric VALUES(?,?,?)",
                    [(rid, k, float(v)) for k, v in metrics.items()])
    return rid


def add_linux_samples(con, run_id, events):
    """The reference model has mappings but no Genode resources."""
    con.executemany(
        "INSERT INTO sample VALUES(?,?,NULL,NULL,?,NULL)",
        [(run_id, ev[0], len(sp.v)) for ev, sp in replay_spaces(events)])


def add_conform_policy(con, linux_conform, policy, fail_sections):
    """A conformance run of POLICY: linux's verdicts, with the cases of
    FAIL_SECTIONS (letters) failing as Genode's libc would."""
    rid = new_run(con, linux_conform, policy, command="conform")
    rows = con.execute("SELECT name, verdict, detail FROM case_result"
                       " WHERE run_id=?", (linux_conform,)).fetchall()
    out = []
    for i, (name, verdict, detail) in enumerate(rows):
        if name[0] in fail_sections and verdict == "pass" and i % 3:
            verdict = "fail"
            detail = ("line %d: mmap(...) = -1 EINVAL: expected 0x%x000,"
                      " got -1 EINVAL" % (5 + i % 9, 0x10 + i))
        elif name[0] in "gG" and verdict == "fail":
            verdict, detail = "pass", None
        out.append((rid, name, verdict, detail))
    con.executemany("INSERT INTO case_result VALUES(?,?,?,?)", out)
    passed = sum(1 for r in out if r[2] == "pass")
    failed = sum(1 for r in out if r[2] == "fail")
    con.executemany("INSERT INTO metric VALUES(?,?,?)",
                    [(rid, "cases_passed", float(passed)),
                     (rid, "cases_failed", float(failed)),
                     (rid, "cases_unsupported",
                      float(len(out) - passed - failed))])
    con.execute("UPDATE run SET detail=? WHERE id=?",
                ("%d of %d failed" % (failed, len(out)) if failed
                 else None, rid))


def make(db, layouts=("nova-x86_64",), policies=POLICIES, conform=True):
    """Write the fixture database DB (which must not exist yet)."""
    for layout in layouts:
        replay(db, layout)
    if conform:
        subprocess.run([rmsim_cmd(), "conform", "-q", "--db",
                        os.path.abspath(db), "tests/cases", "--policy",
                        "linux"], check=False, cwd=SOURCE,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    con = sqlite3.connect(db)
    with con:
        for layout in layouts:
            (linux_run,) = con.execute(
                "SELECT max(id) FROM run WHERE command='replay' AND"
                " layout=?", (layout,)).fetchone()
            events = trace_events(con, linux_run)
            add_linux_samples(con, linux_run, events)
            for policy in policies:
                add_policy_run(con, linux_run, layout, policy, events)
        if conform:
            (lc,) = con.execute("SELECT min(id) FROM run WHERE"
                                " command='conform' AND policy='linux'"
                                ).fetchone()
            add_conform_policy(con, lc, "libc", "bceg")
            add_conform_policy(con, lc, "window", "f")
    con.close()
    return db


HOSTILE = "<script>alert(1)</script> | *x* _y_ [z](#a) `q` & \\"


def make_hostile(db):
    """A database whose texts are markup: a trace path, a policy, case
    names and details that would break HTML or a Markdown table."""
    replay(db, "nova-x86_64")
    con = sqlite3.connect(db)
    with con:
        (rid,) = con.execute("SELECT max(id) FROM run").fetchone()
        con.execute("UPDATE run SET trace=?, detail=? WHERE id=?",
                    ("/tmp/" + HOSTILE + ".strace", HOSTILE, rid))
        bad = new_run(con, rid, "evil" + HOSTILE, HOSTILE)
        copy_events(con, rid, bad)
        con.execute(FINDING_SQL,
                    (bad, 2, "result", "error", HOSTILE + "\nsecond line"))
        con.execute(FINDING_SQL,
                    (bad, 3, HOSTILE, "warning", HOSTILE))
        con.execute("INSERT INTO metric VALUES(?,?,?)",
                    (bad, HOSTILE, 1.0))
        con.execute("INSERT INTO region VALUES(?,?,?,?,?,?,?,?)",
                    (bad, "end", 5, HOSTILE, 0x10000, 0x1000, HOSTILE,
                     HOSTILE))
        con.execute("INSERT INTO region VALUES(?,?,?,?,?,?,?,?)",
                    (bad, "end", 5, "env", 0x1000, 1 << 40, "window",
                     HOSTILE))
        conf = new_run(con, rid, HOSTILE, command="conform")
        con.execute("INSERT INTO case_result VALUES(?,?,?,?)",
                    (conf, "a1-" + HOSTILE, "fail", HOSTILE))
    con.close()
    return db


# ---- the benchmark's database ----

def make_bench(db, trace, names=("linux", "libc", "go-world", "window",
                                 "lazy"), seed=1):
    """Five runs of TRACE, replayed on linux and relabelled to NAMES,
    with findings, samples and regions in the numbers a comparison of a
    big trace gives: a few thousand findings per run, a sample every 50
    events, a few thousand regions per snapshot."""
    for _ in names:
        replay(db, "nova-x86_64", trace)
    rnd = random.Random(seed)
    con = sqlite3.connect(db)
    kinds = ("result", "address", "hint", "access-missing", "content",
             "resource")
    with con:
        ids = [r[0] for r in con.execute("SELECT id FROM run ORDER BY id")]
        for rid, name in zip(ids, names):
            con.execute("UPDATE run SET policy=?, command='compare'"
                        " WHERE id=?", (name, rid))
            (n,) = con.execute("SELECT events FROM run WHERE id=?",
                               (rid,)).fetchone()
            if name != "linux":
                seqs = sorted(rnd.sample(range(1, n + 1), 4000))
                con.executemany(
                    FINDING_SQL,
                    [(rid, s, rnd.choice(kinds),
                      rnd.choice(("error", "warning", "info")),
                      "event %d: synthetic finding" % s) for s in seqs])
            ram = caps = maps = 0
            rows = []
            for s in range(1, n + 1, 50):
                ram = max(0, ram + rnd.randrange(-3, 5) * PAGE * 16)
                caps = max(40, caps + rnd.randrange(-2, 3))
                maps = max(0, maps + rnd.randrange(-3, 4))
                rows.append((rid, s, ram, caps, maps, maps + 3))
            con.executemany("INSERT INTO sample VALUES(?,?,?,?,?,?)", rows)
            for snap in ("end", "peak"):
                regs = [(rid, snap, n, "env", s, z, "fixed", l)
                        for s, z, l in fixed_areas("nova-x86_64")]
                regs.append((rid, snap, n, "env", 0x1000000000, 512 << 30,
                             "window", "rm1"))
                at = 0x10000
                for i in range(3000):
                    size = PAGE * rnd.choice((1, 1, 4, 16, 256, 4096))
                    kind = rnd.choice(("committed", "reserved",
                                       "committed", "hole"))
                    regs.append((rid, snap, n, "rm1", at, size, kind,
                                 "r%d" % i))
                    at += size + PAGE * rnd.choice((0, 0, 1, 64))
                con.executemany(
                    "INSERT INTO region VALUES(?,?,?,?,?,?,?,?)",
                    [(r[0], r[1], r[2], r[3], s64(r[4]), s64(r[5]), r[6],
                      r[7]) for r in regs])
    con.close()
    return db


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: report_fixture.py DB")
    if os.path.exists(sys.argv[1]):
        sys.exit("report_fixture.py: %s exists" % sys.argv[1])
    make(sys.argv[1], layouts=tuple(LAYOUTS))
