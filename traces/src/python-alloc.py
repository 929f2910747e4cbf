# python-alloc: exercises CPython's allocators: pymalloc arenas (256 KiB
# anonymous mmaps, munmapped when empty), glibc malloc for large lists and
# bytearrays (big blocks are mmap'd, resized with mremap, freed with
# munmap), and the mmap module (anonymous MAP_PRIVATE and MAP_SHARED
# maps, resize via mremap, madvise, close -> munmap, a refused 1 PiB map),
# then frees it all.
import gc
import mmap

# Deterministic pseudo-random sizes.
seed = 12345


def rand(n):
    global seed
    seed = (seed * 1103515245 + 12345) & 0x7FFFFFFF
    return seed % n


# Phase 1: many small objects -> pymalloc arenas.
small = [[i, str(i), (i, i)] for i in range(200000)]

# Phase 2: large lists and bytearrays -> malloc -> mmap; grow some of them
# (realloc -> mremap).
big = []
for i in range(40):
    b = bytearray(256 * 1024 + rand(2 * 1024 * 1024))
    b[0] = i
    big.append(b)
for b in big[:10]:
    b.extend(bytes(1024 * 1024))  # grow in place or move
lists = [list(range(100000 + rand(100000))) for _ in range(5)]

# Phase 3: the mmap module: anonymous private and shared maps.
maps = []
for i in range(8):
    m = mmap.mmap(-1, 64 * 1024 * (i + 1), flags=mmap.MAP_PRIVATE)
    m[0] = i
    maps.append(m)
shared = mmap.mmap(-1, 1 << 20, flags=mmap.MAP_SHARED)
shared[:5] = b"hello"
shared.resize(2 << 20)  # mremap of a shared anonymous mapping
if hasattr(shared, "madvise"):
    shared.madvise(mmap.MADV_DONTNEED)
priv = mmap.mmap(-1, 4 << 20, flags=mmap.MAP_PRIVATE, prot=mmap.PROT_READ | mmap.PROT_WRITE)
priv.madvise(mmap.MADV_WILLNEED)
priv.madvise(mmap.MADV_DONTNEED, 0, 1 << 20)

# A request the kernel must refuse (1 PiB, past the 47-bit address space):
# mmap fails with ENOMEM and Python raises OSError.
try:
    mmap.mmap(-1, 1 << 50, flags=mmap.MAP_PRIVATE)
except OSError as e:
    print("huge mmap refused:", e.strerror)

print("allocated:", len(small), len(big), len(lists), len(maps))

# Phase 4: free everything.
for m in maps:
    m.close()
shared.close()
priv.close()
del small, big, lists, maps
gc.collect()
print("freed")
