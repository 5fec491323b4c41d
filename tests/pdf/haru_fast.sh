#!/bin/sh
# tests/pdf/haru_fast.sh — the faster libharu and zlib functions (gen/emit/libharu/haru_fast.c,
# flate.c) change no PDF but for its compressed bytes: a build of input/ with BUDGETGEN and one with
# NOHARU (make HARU_FAST=0: libharu's own helpers and zlib) give the same .docx and .xlsx files
# byte for byte, and PDFs that are identical once qpdf has uncompressed every stream
# (qpdf --static-id --stream-data=uncompress). The compressed PDFs must differ somewhere: else
# the two programs are one and the comparison proves nothing.
# Usage: sh tests/pdf/haru_fast.sh BUDGETGEN NOHARU_BUDGETGEN. Prints "N passed, M failed".
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
fast=${1:-./budgetgen}
slow=${2:-build/noharu/budgetgen}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/budgetgen-harufast.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() { failed=$((failed + 1)); echo "FAIL $1"; }

for prog in "$fast" "$slow"; do
	[ -x "$prog" ] || { echo "FAIL $prog: not built"; echo "0 passed, 1 failed"; exit 1; }
done
"$fast" build -q input/ -o "$tmp/fast" >"$tmp/fast.log" 2>&1 || bad "$fast build input/: exit status $?"
"$slow" build -q input/ -o "$tmp/slow" >"$tmp/slow.log" 2>&1 || bad "$slow build input/: exit status $?"

pdfs=0
raw_differ=0
(cd "$tmp/fast" && find . -type f ! -path '*/.budgetgen/*' | LC_ALL=C sort) >"$tmp/list"
(cd "$tmp/slow" && find . -type f ! -path '*/.budgetgen/*' | LC_ALL=C sort) >"$tmp/list.slow"
if cmp -s "$tmp/list" "$tmp/list.slow"; then ok; else bad "the two builds wrote different files"; fi
while IFS= read -r f; do
	a="$tmp/fast/$f" b="$tmp/slow/$f"
	case $f in
	*.pdf)
		pdfs=$((pdfs + 1))
		cmp -s "$a" "$b" || raw_differ=$((raw_differ + 1))
		if qpdf --static-id --stream-data=uncompress "$a" "$tmp/a.u.pdf" &&
			qpdf --static-id --stream-data=uncompress "$b" "$tmp/b.u.pdf" &&
			cmp -s "$tmp/a.u.pdf" "$tmp/b.u.pdf"; then
			ok
		else
			bad "$f: differs once uncompressed"
		fi ;;
	*)
		if cmp -s "$a" "$b"; then ok; else bad "$f: differs"; fi ;;
	esac
done <"$tmp/list"
if [ "$pdfs" -gt 0 ] && [ "$raw_differ" -gt 0 ]; then
	ok
else
	bad "$pdfs PDFs, $raw_differ of them with other compressed bytes: is $slow built without haru_fast.c and flate.c?"
fi
echo "  $pdfs PDFs the same once uncompressed ($raw_differ with other compressed bytes)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
