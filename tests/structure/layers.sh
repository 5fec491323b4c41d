#!/bin/sh
# tests/structure/layers.sh — every #include "stage/file.h" in gen/ is allowed by the table of
# gen/README.md (folder | what it owns | may include), so no include runs upward; every stage
# folder and every file in it is covered by a row. Prints "N passed, M failed".
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root/gen" || exit 2
passed=0
failed=0
# "folder<TAB>allowed folders" from the table's rows
rules=$(sed -n 's/^| `\([^`]*\)` |.*| \([a-z/ ]*\) |$/\1\t\2/p' README.md)
if [ -z "$rules" ]; then
	echo "FAIL gen/README.md: no folder table"
	echo "0 passed, 1 failed"
	exit 1
fi
for f in $(find . -name '*.[ch]' | sed 's|^\./||' | sort); do
	dir=$(dirname "$f")
	dir=${dir%/}
	[ "$dir" = "." ] && dir=.
	key=$dir
	[ "$key" != "." ] && key="$key/"
	allowed=$(printf '%s\n' "$rules" | awk -F '\t' -v k="$key" '$1 == k { print $2 }')
	if [ -z "$allowed" ]; then
		echo "FAIL $f: its folder $key has no row in gen/README.md"
		failed=$((failed + 1))
		continue
	fi
	bad=
	for inc in $(sed -n 's/^#include "\([^"]*\)".*/\1/p' "$f"); do
		case $inc in
		*/*) ;;
		*) # a header beside the file (e.g. "dump.h" in gen/)
			[ -f "$(dirname "$f")/$inc" ] && continue
			bad="$bad $inc"; continue ;;
		esac
		stage=${inc%/*}
		ok=
		for a in $allowed; do
			[ "$stage" = "$a" ] && ok=1
		done
		[ -f "$inc" ] || ok=
		[ -n "$ok" ] || bad="$bad $inc"
	done
	if [ -n "$bad" ]; then
		echo "FAIL gen/$f includes$bad (its folder may include: $allowed)"
		failed=$((failed + 1))
	else
		passed=$((passed + 1))
	fi
done
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
