"""Generators of synthetic strace text for the hostile-input suite.

Each function writes a trace in the `strace -f` format the reader takes
(pid prefix, no timestamps) and returns its path.  They build the inputs
that are too large to bundle: deep fork chains, wide fork fans, mappings
of tens of TiB.  Addresses are chosen by the generator and consistent
with Linux's top-down placement only where a test depends on it.
"""
import os

PAGE = 4096
TiB = 1 << 40


class Trace:
    """Accumulates lines; write() puts them into DIR/NAME."""

    def __init__(self):
        self.lines = []

    def call(self, pid, text, result):
        self.lines.append("%d  %s = %s\n" % (pid, text, result))

    def mmap(self, pid, addr, length, prot, flags, fd=-1, off=0,
             result=None):
        a = "NULL" if addr is None else "%#x" % addr
        self.call(pid, "mmap(%s, %d, %s, %s, %d, %#x)" % (
            a, length, prot, flags, fd, off),
            "%#x" % (result if result is not None else addr))

    def mprotect(self, pid, addr, length, prot, result="0"):
        self.call(pid, "mprotect(%#x, %d, %s)" % (addr, length, prot),
                  result)

    def munmap(self, pid, addr, length):
        self.call(pid, "munmap(%#x, %d)" % (addr, length), "0")

    def fork(self, pid, child):
        self.call(pid, "fork()", str(child))

    def clone_thread(self, pid, child):
        self.call(pid, "clone(child_stack=0x7f0000000000, flags=CLONE_VM|"
                  "CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|"
                  "CLONE_SYSVSEM)", str(child))

    def exit_group(self, pid, code=0):
        self.lines.append("%d  exit_group(%d) = ?\n" % (pid, code))
        self.lines.append("%d  +++ exited with %d +++\n" % (pid, code))

    def openat(self, pid, path, fd, flags="O_RDONLY|O_CLOEXEC"):
        self.call(pid, 'openat(AT_FDCWD, "%s", %s)' % (path, flags),
                  str(fd))

    def write(self, directory, name):
        path = os.path.join(directory, name)
        with open(path, "w") as f:
            f.writelines(self.lines)
        return path


def distinct_pages(t, pid, base, pages):
    """Map PAGES pages read-only at BASE, then make each writable on its
    own: the touch model writes a different token into every page, so the
    contents are per page (and the VMAs merge back into one)."""
    t.mmap(pid, base, pages * PAGE, "PROT_READ",
           "MAP_PRIVATE|MAP_ANONYMOUS|MAP_FIXED")
    for i in range(pages):
        t.mprotect(pid, base + i * PAGE, PAGE, "PROT_READ|PROT_WRITE")


def fork_fan(directory, children=2000, pages=5000, exit_children=False):
    """A parent with PAGES distinct pages forks CHILDREN children, which
    stay alive (or exit at once with EXIT_CHILDREN)."""
    t = Trace()
    distinct_pages(t, 100, 0x7f0000000000, pages)
    for c in range(children):
        child = 1000 + c
        t.fork(100, child)
        if exit_children:
            t.exit_group(child)
    t.exit_group(100)
    return t.write(directory, "fork-fan.strace")


def fork_chain(directory, depth=10000, pages=325, exit_parents=True):
    """A chain: each process forks the next, which writes one page of
    its own, and (with EXIT_PARENTS) the parent then exits."""
    t = Trace()
    base = 0x7f0000000000
    distinct_pages(t, 100, base, pages)
    pid = 100
    for d in range(depth):
        child = 1000 + d
        t.fork(pid, child)
        if exit_parents:
            t.exit_group(pid)
        # the child writes one page of its own
        i = d % pages
        t.mprotect(child, base + i * PAGE, PAGE, "PROT_READ")
        t.mprotect(child, base + i * PAGE, PAGE, "PROT_READ|PROT_WRITE")
        pid = child
    t.exit_group(pid)
    return t.write(directory, "fork-chain.strace")


def huge_noreserve(directory, size=64 * TiB):
    """One MAP_NORESERVE read-write anonymous mapping of SIZE bytes."""
    t = Trace()
    t.mmap(100, None, size, "PROT_READ|PROT_WRITE",
           "MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE",
           result=0x7fff00000000 - size)
    t.exit_group(100)
    return t.write(directory, "huge-noreserve.strace")


def huge_file_ro(directory, size=16 * TiB):
    """A read-only private mapping of SIZE bytes of a file."""
    t = Trace()
    t.openat(100, "/data/huge.img", 3)
    t.mmap(100, None, size, "PROT_READ", "MAP_PRIVATE", fd=3,
           result=0x7fff00000000 - size)
    t.exit_group(100)
    return t.write(directory, "huge-file-ro.strace")


def huge_reserve_mprotect(directory, size=64 * TiB,
                          prot="PROT_READ|PROT_WRITE"):
    """A PROT_NONE reservation of SIZE bytes given PROT whole."""
    t = Trace()
    base = 0x7fff00000000 - size
    t.mmap(100, None, size, "PROT_NONE",
           "MAP_PRIVATE|MAP_ANONYMOUS|MAP_NORESERVE", result=base)
    t.mprotect(100, base, size, prot)
    t.exit_group(100)
    return t.write(directory, "huge-reserve-mprotect.strace")
