#!/bin/sh
# Record the strace output variants the reader's tests use (strace 6.1,
# Linux 6.18, x86-64).  Run from this folder; writes *.strace here.
set -eu
cc=${CC:-gcc}
b=$(mktemp -d)
trap 'rm -rf "$b"' EXIT
for p in fdnotes fdnames threads thread_exec; do
	$cc -O1 -pthread -o "$b/$p" src/$p.c
done
cd "$b"
s="strace -qq"
$s -o y.strace -y ./fdnotes >/dev/null
$s -o yy.strace -yy ./fdnotes >/dev/null
$s -o yy-names.strace -yy ./fdnames >/dev/null
$s -o k.strace -k -e trace=mmap,munmap,mprotect ./fdnotes >/dev/null
$s -o ni.strace -f -n -i -ttt -T -y ./threads >/dev/null
$s -o z.strace -f -z ./threads >/dev/null
$s -o Z.strace -f -Z ./threads >/dev/null
$s -o seccomp.strace -f --seccomp-bpf -e trace=%memory,%process ./threads >/dev/null
$s -o Y.strace -f -Y -e trace=%memory,%process ./threads >/dev/null
# -X verbose with -yy: a dirfd's number, its name in a comment, its path
(cd / && strace -f -tt -yy -X verbose -o "$b/X-verbose-yy.strace" ls / \
	>/dev/null 2>&1 </dev/null)
$s -o exec.strace -f -e trace=%memory,%process,pause ./thread_exec >/dev/null
# -C: the trace, then strace's call summary table; -U, -S and -w choose,
# order and time its columns; -c: the table alone (refused: not a
# trace; named .summary so that the variant test skips it)
$s -o C.strace -f -C -e trace=%memory,%process ./threads >/dev/null
$s -o C-U.strace -f -C -w -S calls -U name,calls,errors,max-time,time-percent \
	-e trace=%memory ./threads >/dev/null
$s -o c.summary -f -c ./threads >/dev/null
# -e inject= and -e fault=: "(INJECTED)", "(DELAYED)" after the result,
# before -T's duration
$s -o inject.strace -f -T -e trace=%memory \
	-e inject=munmap:error=EINVAL:delay_exit=100:when=30 \
	-e fault=madvise:when=1 ./threads >/dev/null
# -ff: one file per process and thread (ff/threads.PID), read as one
# trace from the first process's file; without timestamps: refused
mkdir ff ff-nots
$s -o ff/threads -ff -tt -e trace=%memory,%process ./threads >/dev/null
$s -o ff-nots/threads -ff -e trace=%memory,%process ./threads >/dev/null
# -ff and a thread's execve: "<pid changed to N ...>" in the thread's file
mkdir ff-exec
$s -o ff-exec/thread_exec -ff -tt -e trace=%memory,%process,pause \
	./thread_exec >/dev/null
# -e read=3: hex dumps of the data read, " | 00000  7f 45 ... |"
strace -f -e read=3 -o read.strace ./threads >/dev/null
# -e status= holds a call's text until its result: a Go thread's call
# printed "<unfinished ...>" meanwhile gets its rest on the next line,
# without pid or ')' first ("NULL)  = 0")
if command -v go >/dev/null; then
	(cd "$OLDPWD/../../traces/src" && go build -o "$b/goalloc" go-alloc.go)
	strace -f -e status=successful,unfinished -o status-go.strace \
		./goalloc >/dev/null
fi
# strace's own output mixed with the program's on one stream
strace -f -e trace=%memory,%process,write sh -c \
	'echo hi; /bin/true & wait; ls /nonexistent' >stderr.strace 2>&1 || true
cd - >/dev/null
cp "$b"/*.strace "$b"/c.summary .
rm -rf ff ff-nots ff-exec
cp -r "$b"/ff "$b"/ff-nots "$b"/ff-exec .
xz -9f ni.strace seccomp.strace z.strace Y.strace C.strace C-U.strace inject.strace read.strace \
	status-go.strace
