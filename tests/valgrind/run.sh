#!/bin/sh
# tests/valgrind/run.sh — valgrind (memcheck) on a full build of the samples in input/: every
# document of every department, with no memory error and no definitely or indirectly lost block
# (still-reachable blocks, the libraries' caches at exit, are allowed). `make check-valgrind`,
# and part of `make check` (about a minute on 2 cores).
#
# usage: sh tests/valgrind/run.sh BUDGETGEN [SOURCES…]   (default: input/)
# Worker processes a build forks are followed too: one log per process, all must be clean.
# Prints ok/FAIL lines and "N passed, M failed"; on failure the first valgrind reports.

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
if [ $# -lt 1 ]; then
	echo "usage: sh tests/valgrind/run.sh BUDGETGEN [SOURCES…]" >&2
	exit 2
fi
bin=$1
shift
[ $# -eq 0 ] && set -- input/
passed=0
failed=0
if ! command -v valgrind >/dev/null 2>&1; then
	echo "FAIL  valgrind is not installed (Debian package valgrind)"
	echo "0 passed, 1 failed"
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/budgetgen-valgrind.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

# 99: a valgrind finding, whatever budgetgen's own status would have been
start=$(date +%s)
valgrind --leak-check=full --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	--num-callers=30 --log-file="$tmp/vg.%p" \
	"$bin" build -q -o "$tmp/out" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
st=$?
secs=$(($(date +%s) - start))
# the documents (out/.budgetgen/ is the build's bookkeeping)
files=$(find "$tmp/out" -path "$tmp/out/.budgetgen" -prune -o -type f -print | wc -l)
depts=$(find "$tmp/out" -mindepth 1 -maxdepth 1 -type d ! -name .budgetgen | wc -l)
errors=$(cat "$tmp"/vg.* | sed -n 's/.*ERROR SUMMARY: \([0-9]*\) errors.*/\1/p' | awk '{ s += $1 } END { print s + 0 }')
lost=$(cat "$tmp"/vg.* | grep -E '(definitely|indirectly) lost: [1-9]' | head -n 2)
if [ $st -eq 0 ] && [ "$errors" -eq 0 ] && [ -z "$lost" ] && [ "$files" -gt 0 ]; then
	passed=$((passed + 1))
	echo "ok    valgrind: build of $* ($depts departments, $files files, ${secs}s): no error, no leak"
else
	failed=$((failed + 1))
	grep -E -v '^==[0-9]+== *$' "$tmp"/vg.* | grep -E -A 25 'Invalid|uninitialised|definitely lost in|indirectly lost in|Mismatched|overlap' | head -n 80
	echo "$lost"
	head -n 10 "$tmp/stderr"
	echo "FAIL  valgrind: build of $*: exit $st, $errors errors, $files files"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
