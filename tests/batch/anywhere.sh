#!/bin/sh
# tests/batch/anywhere.sh — an uninstalled budgetgen finds its data from any working directory.
# Run from a scratch directory outside the checkout, `build`, `check` and `diff` find layouts/,
# fonts/roles.conf and layouts/catalog beside the executable (sources_data_path in
# gen/front/load.c), and the documents are byte-identical to those of a build run from the
# checkout. A copy of the program with no data beside it looks in its installed data directory
# (PREFIX/share/budgetgen) and, that not being installed, fails naming it (when it is installed
# that check is skipped).
# usage: sh tests/batch/anywhere.sh BUDGETGEN   prints "FAIL …" lines, then "N passed, M failed".

root=$(cd "$(dirname "$0")/../.." && pwd)
bg=${1:?usage: anywhere.sh BUDGETGEN}
case $bg in /*) ;; *) bg=$(pwd)/$bg ;; esac
. "$root/tests/common.sh"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/budgetgen-anywhere.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
mkdir "$tmp/elsewhere" "$tmp/lone"

passed=0
failed=0
skipped=0
ok() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}

src=$root/input/2023-开发区组织人事局.txt # budget data: needs the catalogue too

# the reference: a build run from the checkout
if (cd "$root" && "$bg" build -q "$src" -o "$tmp/a") 2>"$tmp/err"; then ok; else fail "build from the checkout: $(tail -n 3 "$tmp/err")"; fi

# the same build run from elsewhere
if (cd "$tmp/elsewhere" && "$bg" build -q "$src" -o "$tmp/b") 2>"$tmp/err"; then
	ok
else
	fail "build from $tmp/elsewhere: $(tail -n 3 "$tmp/err")"
fi
n=$(cd "$tmp/a" && find . -path ./.budgetgen -prune -o -type f -print | wc -l)
differ=$(diff -r -q "$tmp/a" "$tmp/b" 2>&1 | grep -v '\.budgetgen')
if [ "$n" -gt 3 ] && [ -z "$differ" ]; then ok; else fail "builds from the checkout and from elsewhere differ ($n files): $differ"; fi

if (cd "$tmp/elsewhere" && "$bg" check "$root/input/") >/dev/null 2>"$tmp/err"; then
	ok
else
	fail "check input/ from elsewhere: $(tail -n 3 "$tmp/err")"
fi
if (cd / && "$bg" diff "$src" "$src") >/dev/null 2>"$tmp/err"; then ok; else fail "diff from /: $(tail -n 3 "$tmp/err")"; fi

# a copy with nothing beside it: the installed data directory, named when it is missing
cp "$bg" "$tmp/lone/budgetgen"
(cd "$tmp/elsewhere" && "$tmp/lone/budgetgen" build -q "$src" -o "$tmp/c") 2>"$tmp/err"
status=$?
if [ $status -eq 0 ]; then
	skipped=$((skipped + 1))
	echo "SKIP: a copy of budgetgen without data fails naming PREFIX/share/budgetgen (1 check): it is installed"
elif [ $status -eq 3 ] && grep -q '/share/budgetgen/layouts/' "$tmp/err" && ! grep -q "$root" "$tmp/err"; then
	ok
else
	fail "a copy without data: exit status $status: $(tail -n 3 "$tmp/err")"
fi

summary_line $passed $failed $skipped
[ "$failed" -eq 0 ]
