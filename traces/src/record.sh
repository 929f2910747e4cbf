#!/bin/bash
# record.sh: rebuild the trace programs and re-record every trace in traces/.
#
# Run from the repository root:
#     bash traces/src/record.sh            # everything
#     bash traces/src/record.sh go-hello   # only the named traces
#
# Needs: strace, gcc, go (gc toolchain), gccgo, java, node, python3, xz;
# for the traces recorded with `rmsim record`: a built rmsim (build/rmsim
# and build/rmsim-exec, or RMSIM=path/to/rmsim), perf, javac, rustc, perl,
# sqlite3, libjemalloc2 and libgoogle-perftools4 (scripts/deps --record).
# Programs are built and run in a temporary directory (mktemp under /tmp),
# so no build products are left in the repository and the recorded
# execve() lines show only ./name, never a checkout path.  A trace larger
# than 100 KB is stored as NAME.strace.xz (xz -6: its 8 MiB dictionary is what the reader needs in memory to decompress) instead of NAME.strace.
# Addresses, pids and timestamps differ on every run; the sequence of calls
# is stable for the C programs and close to stable for the others.
set -euo pipefail

[ -f traces/src/record.sh ] || { echo "run from the repository root" >&2; exit 1; }
TR=$(pwd)/traces
SRC=$TR/src
B=$(mktemp -d /tmp/rmsim-traces.XXXXXX)
trap 'rm -rf "$B"' EXIT

PY=/usr/bin/python3
[ -x "$PY" ] || PY=$(command -v python3)

want() { # want NAME: true if NAME was asked for (or nothing was)
	[ ${#NAMES[@]} -eq 0 ] && return 0
	local n
	for n in "${NAMES[@]}"; do [ "$n" = "$1" ] && return 0; done
	return 1
}
NAMES=("$@")
# Calls besides %memory that decide what memory calls may do.
CONTEXT=open,openat,close,dup,dup2,dup3,memfd_create,prlimit64,setrlimit,capset

# finish NAME: compress if over 100 KB, report size and line count.
finish() {
	local f=$TR/$1.strace
	if [ -f "$f" ] && [ "$(stat -c %s "$f")" -gt 102400 ]; then
		xz -6 -f "$f"
	fi
	[ -f "$f" ] || f=$f.xz
	printf '%-28s %9s bytes %8s lines\n' "$(basename "$f")" "$(stat -c %s "$f")" \
		"$(xzcat -f "$f" | wc -l)"
}
# fresh NAME: remove earlier versions of a trace.
fresh() { rm -f "$TR/$1.strace" "$TR/$1.strace.xz"; }

cd "$B"
export GOCACHE=$B/gocache GOPATH=$B/gopath GOFLAGS=-trimpath GO111MODULE=off
cp "$SRC/node-alloc.js" "$SRC/python-alloc.py" .

echo "== versions"
# a tool that is missing matters only to the traces that need it
v() { "$@" 2>&1 | sed -n 1p || true; }
uname -r
v strace -V
v go version
v gccgo --version
java -version 2>&1 | sed -n 2p || true
echo "node $(node --version 2>/dev/null || true)"
v "$PY" --version
v ldd --version
v perf version
v rustc --version
v perl -e 'print "perl $^V\n"'
v sqlite3 --version

echo "== building"
# each program only when a trace that runs it was asked for
want go-hello && go build -o go-hello "$SRC/go-hello.go"
{ want go-alloc || want go-alloc-symbolic; } &&
	go build -o go-alloc "$SRC/go-alloc.go"
want gccgo-alloc && gccgo -O2 -o gccgo-alloc "$SRC/go-alloc.go"
{ want glibc-malloc-500k || want glibc-malloc-small || want jemalloc-malloc ||
	want tcmalloc-malloc; } && gcc -O2 -Wall -o glibc-malloc "$SRC/glibc-malloc.c"
{ want edgecases || want edgecases-raw; } &&
	gcc -O1 -Wall -pthread -o edgecases "$SRC/edgecases.c"
{ want go-heap || want go-heap-madvdontneed || want go-heap-harddecommit; } &&
	go build -o go-heap "$SRC/go-heap.go"
want java-zgc && javac -d . "$SRC/ZgcAlloc.java"
want rust-alloc && rustc -O -o rust-alloc "$SRC/rust-alloc.rs"
want mseal && gcc -O2 -Wall -o mseal "$SRC/mseal.c"
{ want glibc-threads || want jemalloc-threads || want threads-without-f; } &&
	gcc -O2 -Wall -pthread -o mt-alloc "$SRC/mt-alloc.c"
want asan-threads &&
	gcc -O1 -Wall -pthread -fsanitize=address -o mt-alloc-asan "$SRC/mt-alloc.c"
{ want mdwe-exec || want mdwe-exec-noinherit; } &&
	gcc -O1 -Wall -o mdwe-exec "$SRC/mdwe-exec.c"
want rawio && gcc -O1 -Wall -o rawio "$SRC/rawio.c"
want mseal-calls && gcc -O1 -Wall -o mseal-calls "$SRC/mseal-calls.c"

echo "== recording"
if want go-hello; then
	fresh go-hello
	strace -f -tt -e trace=%memory,%process -o "$TR/go-hello.strace" ./go-hello >/dev/null
	finish go-hello
fi
if want go-alloc; then
	fresh go-alloc
	strace -f -ttt -T -y -X raw -qq -e trace=%memory,%process -e signal=none \
		-o "$TR/go-alloc.strace" ./go-alloc >/dev/null
	finish go-alloc
fi
if want go-alloc-symbolic; then
	# GODEBUG=madvdontneed=0 makes the scavenger use MADV_FREE instead of
	# MADV_DONTNEED, so the two go-alloc traces show both.
	fresh go-alloc-symbolic
	GODEBUG=madvdontneed=0 strace -f -tt -T -o "$TR/go-alloc-symbolic.strace" \
		./go-alloc >/dev/null
	finish go-alloc-symbolic
fi
if want gccgo-alloc; then
	fresh gccgo-alloc
	strace -f -r -y -e trace=%memory,%process -o "$TR/gccgo-alloc.strace" \
		./gccgo-alloc >/dev/null
	finish gccgo-alloc
fi
if want java-version-serial; then
	# strace writes to stderr here (no -o), which gives the "[pid N] "
	# prefixes and strace's own notes spliced into lines.  `java -version`
	# writes to stderr too, so a shell sends the JVM's stderr elsewhere
	# first: the file then holds strace's output only.
	fresh java-version-serial
	strace -f -tt -T -e trace=%memory,%process \
		sh -c 'exec java -XX:+UseSerialGC -version 2>/dev/null' \
		2>"$TR/java-version-serial.strace"
	finish java-version-serial
fi
if want java-version-g1; then
	fresh java-version-g1
	strace -f -ttt -X verbose -e trace=%memory,%process -o "$TR/java-version-g1.strace" \
		java -XX:+UseG1GC -version 2>/dev/null
	finish java-version-g1
fi
if want node-alloc; then
	fresh node-alloc
	strace -f -tt -y -e trace=%memory,%process -o "$TR/node-alloc.strace" \
		node --expose-gc node-alloc.js >/dev/null
	finish node-alloc
fi
if want python-alloc; then
	fresh python-alloc
	strace -f -e raw=mmap,munmap -e trace=%memory,%process -o "$TR/python-alloc.strace" \
		"$PY" python-alloc.py >/dev/null
	finish python-alloc
fi
if want glibc-malloc-500k; then
	fresh glibc-malloc-500k
	strace -ttt -e trace=%memory -o "$TR/glibc-malloc-500k.strace" ./glibc-malloc 550000 >/dev/null
	xz -6 -f "$TR/glibc-malloc-500k.strace"
	finish glibc-malloc-500k
fi
if want glibc-malloc-small; then
	fresh glibc-malloc-small
	strace -f -t -T -X abbrev -e trace=%memory -o "$TR/glibc-malloc-small.strace" \
		./glibc-malloc 1700 >/dev/null
	finish glibc-malloc-small
fi
if want edgecases; then
	fresh edgecases
	# the context calls (fds, RLIMIT_MEMLOCK, capabilities) let the
	# reference model answer EBADF, EACCES, EPERM and EAGAIN as the kernel
	strace -f -tt -e trace=%memory,%process,$CONTEXT -o "$TR/edgecases.strace" ./edgecases >edgecases.out
	finish edgecases
	grep -h '^MISMATCH\|mismatch(es)' edgecases.out
fi
if want edgecases-raw; then
	fresh edgecases-raw
	strace -X raw -e trace=%memory,%process,$CONTEXT -o "$TR/edgecases-raw.strace" ./edgecases >/dev/null
	finish edgecases-raw
fi
# Threads that allocate at once (8 threads, 600 rounds each): their mmaps
# and munmaps overlap in time, and strace prints some in another order
# than the kernel served them.  -ttt -T give each call its extent.
JEMALLOC=/usr/lib/x86_64-linux-gnu/libjemalloc.so.2	# Debian libjemalloc2
if want glibc-threads; then
	fresh glibc-threads
	strace -f -ttt -T -e trace=%memory,%process -o "$TR/glibc-threads.strace" \
		./mt-alloc 8 600
	xz -6 -f "$TR/glibc-threads.strace"
	finish glibc-threads
fi
if want jemalloc-threads; then
	fresh jemalloc-threads
	strace -f -ttt -T -E LD_PRELOAD=$JEMALLOC -e trace=%memory,%process \
		-o "$TR/jemalloc-threads.strace" ./mt-alloc 8 600
	xz -6 -f "$TR/jemalloc-threads.strace"
	finish jemalloc-threads
fi
if want asan-threads; then
	# LeakSanitizer cannot run under ptrace: it is turned off
	fresh asan-threads
	ASAN_OPTIONS=detect_leaks=0 strace -f -ttt -T -e trace=%memory,%process \
		-o "$TR/asan-threads.strace" ./mt-alloc-asan 8 600
	xz -6 -f "$TR/asan-threads.strace"
	finish asan-threads
fi
# Traces with gaps.  %memory alone shows no execve: /usr/bin/env (and, on
# a machine with pyenv, its shim scripts) exec the interpreter unseen.
if want env-python-gaps; then
	fresh env-python-gaps
	strace -e trace=%memory -o "$TR/env-python-gaps.strace" /usr/bin/env python3 \
		-c 'import json; x=[bytearray(200000) for i in range(20)]; print(len(x))' \
		>/dev/null
	finish env-python-gaps
fi
# Without -f the threads' own calls are missing.
if want threads-without-f; then
	fresh threads-without-f
	strace -ttt -e trace=%memory,%process -o "$TR/threads-without-f.strace" \
		./mt-alloc 4 200
	finish threads-without-f
fi
# Memory-deny-write-execute across execve, kept and dropped.
if want mdwe-exec; then
	fresh mdwe-exec
	strace -f -e trace=%memory,%process,prctl -o "$TR/mdwe-exec.strace" \
		./mdwe-exec >/dev/null
	finish mdwe-exec
fi
if want mdwe-exec-noinherit; then
	fresh mdwe-exec-noinherit
	strace -f -e trace=%memory,%process,prctl \
		-o "$TR/mdwe-exec-noinherit.strace" ./mdwe-exec noinherit >/dev/null
	finish mdwe-exec-noinherit
fi
# CAP_SYS_RAWIO: needs root (MAP_FIXED at 0, then capset drops it).
if want rawio && [ "$(id -u)" = 0 ]; then
	fresh rawio
	strace -e trace=%memory,capset -o "$TR/rawio.strace" ./rawio >/dev/null
	finish rawio
fi
# mseal and the calls a seal refuses (Linux 6.10 on; strace before 6.10
# prints mseal as syscall_0x1ce).
if want mseal-calls; then
	fresh mseal-calls
	strace -f -e trace=%memory,%process -o "$TR/mseal-calls.strace" \
		./mseal-calls >/dev/null
	finish mseal-calls
fi

# ---- traces recorded with `rmsim record`: each NAME.strace.xz with its
# side file NAME.faults.xz (docs/recording.md)
# rmsim and rmsim-exec run from the temporary directory, so the trace's
# first execve line (of rmsim-exec) shows no checkout path either.
RMSIM_BIN=${RMSIM:-$TR/../build/rmsim}
mkdir -p "$B/bin"
cp "$RMSIM_BIN" "$(dirname "$RMSIM_BIN")/rmsim-exec" "$B/bin/"
LIBDIR=/usr/lib/x86_64-linux-gnu

# rec NAME PROGRAM ARGS...: record, then recompress both files with xz -6
# (rmsim record writes xz -1, fast enough not to slow the program).
rec() {
	local name=$1 f
	shift
	rm -f "$TR/$name.strace.xz" "$TR/$name.faults.xz"
	"$B/bin/rmsim" record -o "$TR/$name.strace.xz" -- "$@" >/dev/null
	for f in "$TR/$name.strace.xz" "$TR/$name.faults.xz"; do
		xz -dc "$f" | xz -6 >"$f.new" && mv "$f.new" "$f"
	done
	finish "$name"
	printf '%-28s %9s bytes\n' "$name.faults.xz" "$(stat -c %s "$TR/$name.faults.xz")"
}
want go-heap && rec go-heap ./go-heap
want go-heap-madvdontneed && GODEBUG=madvdontneed=1 rec go-heap-madvdontneed ./go-heap
want go-heap-harddecommit && GODEBUG=harddecommit=1 rec go-heap-harddecommit ./go-heap
want java-zgc && rec java-zgc java -XX:+UseZGC -Xmx256m -Xss512k ZgcAlloc
want rust-alloc && rec rust-alloc ./rust-alloc
if want perl-alloc; then
	cp "$SRC/perl-alloc.pl" .
	rec perl-alloc perl perl-alloc.pl
fi
if want sqlite-mmap; then
	rm -f sqlite-mmap.db sqlite-mmap.db-wal sqlite-mmap.db-shm
	cp "$SRC/sqlite-mmap.sql" .
	rec sqlite-mmap sqlite3 -bail sqlite-mmap.db ".read sqlite-mmap.sql"
fi
want jemalloc-malloc && LD_PRELOAD=$LIBDIR/libjemalloc.so.2 rec jemalloc-malloc ./glibc-malloc 20000
want tcmalloc-malloc && LD_PRELOAD=$LIBDIR/libtcmalloc.so.4 rec tcmalloc-malloc ./glibc-malloc 20000
want mseal && rec mseal ./mseal
want node-buffers && rec node-buffers node -e \
	'let a=[];for(let i=0;i<200;i++)a.push(Buffer.alloc(1<<20,1));'
want shell-pipeline && rec shell-pipeline sh -c 'seq 1 2000000 | sort -R >/dev/null'
exit 0
