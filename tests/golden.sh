# tests/golden.sh — the golden-file runner shared by tests/diag/run.sh and tests/hostile/run.sh,
# sourced by them (with their arguments) once they have set $golden_usage. It
#   - reads "[--update] BUDGETGEN" from the arguments: $bin (made absolute) and $update;
#   - goes to the repository root ($root), makes the scratch directory $tmp (removed at exit) and
#     sets the counters;
#   - golden_check NAME ACTUAL EXPECTED compares a case's output with its checked-in .expected
#     file; with --update, an EXPECTED that differs (or is missing) is first rewritten from ACTUAL
#     ("updated FILE": review the change with git diff). A difference prints "FAIL NAME" and the
#     diff (or the output, when there is no EXPECTED yet);
#   - golden_pass and golden_fail WHY count the runner's other checks; golden_finish prints
#     "N passed, M failed" and exits 1 when anything failed.
# `make update-golden` runs both runners with --update.

update=0
if [ "${1:-}" = --update ]; then
	update=1
	shift
fi
if [ $# -ne 1 ]; then
	echo "usage: $golden_usage [--update] BUDGETGEN" >&2
	exit 2
fi
case $1 in
/*) bin=$1 ;;
*) bin=$(pwd)/$1 ;;
esac
if [ ! -x "$bin" ]; then
	echo "$golden_usage: $1: no such program" >&2
	exit 2
fi
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/budgetgen-golden.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

passed=0
failed=0

golden_pass() {
	passed=$((passed + 1))
}

golden_fail() {
	failed=$((failed + 1))
	echo "FAIL $1"
}

# golden_check NAME ACTUAL EXPECTED
golden_check() {
	if [ $update = 1 ] && ! cmp -s "$2" "$3"; then
		cp "$2" "$3"
		echo "updated $3"
	fi
	if [ -f "$3" ] && cmp -s "$2" "$3"; then
		golden_pass
		return 0
	fi
	golden_fail "$1"
	if [ -f "$3" ]; then
		diff -u "$3" "$2" | sed -n '3,80p'
	else
		head -c 2000 "$2"
		echo "  no $3 (run with --update to create it)"
	fi
	return 1
}

golden_finish() {
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	exit
}
