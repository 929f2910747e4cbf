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
# strace's own output mixed with the program's on one stream
strace -f -e trace=%memory,%process,write sh -c \
	'echo hi; /bin/true & wait; ls /nonexistent' >stderr.strace 2>&1 || true
cd - >/dev/null
cp "$b"/*.strace .
xz -9f ni.strace seccomp.strace z.strace Y.strace
