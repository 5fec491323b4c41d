#!/bin/sh
# tests/xlsx/validate.sh — the workbooks of `budgetgen build` against the ISO/IEC 29500 schemas, and
# their reproducibility:
#   - two builds of the same sources give byte-identical .xlsx files, and no temporary file is
#     left beside them;
#   - with SOURCE_DATE_EPOCH the workbook's creation date is that time, without it 2000-01-01;
#   - every xl/workbook.xml, xl/worksheets/sheet*.xml, xl/styles.xml and xl/sharedStrings.xml
#     validates with jing against ../shared/ooxml-schemas beside the repository, or
#     $OOXML_SCHEMAS (tests/common.sh) — the check Excel's strict reader makes. A plain clone has
#     no schemas: these checks, one per part, are skipped.
# Usage: validate.sh BUDGETGEN [SOURCE...]   (default input/*.txt)
# Prints one line per failure and ends with "N passed, M failed" (", K skipped" and a line
# "SKIP: …" without the schemas); exits 1 when anything failed.

root=$(cd "$(dirname "$0")/../.." && pwd)
. "$root/tests/common.sh"
schemas=$OOXML_SCHEMAS
bg=${1:?usage: validate.sh BUDGETGEN [SOURCE...]}
shift
[ $# -gt 0 ] || set -- "$root"/input/*.txt

passed=0
failed=0
skipped=0
ok() { passed=$((passed + 1)); }
fail() {
	failed=$((failed + 1))
	echo "FAIL: $*"
}
finish() {
	summary_line $passed $failed $skipped
	[ "$failed" -eq 0 ]
	exit
}

tmp=$(mktemp -d "${TMPDIR:-/tmp}/budgetgen-xlsx.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

# ---- reproducibility -------------------------------------------------------------------------------

for run in a b; do
	if ! env -u SOURCE_DATE_EPOCH "$bg" build -q "$@" -o "$tmp/$run" 2>"$tmp/err"; then
		fail "build $run: $(tail -n 3 "$tmp/err")"
		finish
	fi
done
ls "$tmp"/a/*/*.xlsx >"$tmp/list" 2>/dev/null
[ -s "$tmp/list" ] || { fail "no workbook built"; finish; }
while IFS= read -r a; do
	b=$tmp/b/${a#"$tmp"/a/}
	if cmp -s "$a" "$b"; then ok; else fail "two builds differ: ${a#"$tmp"/a/}"; fi
done <"$tmp/list"
leftover=$(find "$tmp/a" -name '*.budgetgen-tmp*' | head -n 3)
if [ -z "$leftover" ]; then ok; else fail "temporary files left: $leftover"; fi

first=$(head -n 1 "$tmp/list")
if unzip -p "$first" docProps/core.xml | grep -q '<dcterms:created xsi:type="dcterms:W3CDTF">2000-01-01T00:00:00Z<'; then
	ok
else
	fail "without SOURCE_DATE_EPOCH the creation date is not 2000-01-01"
fi
if SOURCE_DATE_EPOCH=1700000000 "$bg" build -q "$1" -o "$tmp/c" 2>/dev/null &&
	unzip -p "$(ls "$tmp"/c/*/*.xlsx | head -n 1)" docProps/core.xml |
	grep -q '<dcterms:created xsi:type="dcterms:W3CDTF">2023-11-14T22:13:20Z<'; then
	ok
else
	fail "SOURCE_DATE_EPOCH=1700000000 does not set the creation date"
fi

# ---- schemas ----------------------------------------------------------------------------------------

shared_data OOXML_SCHEMAS
case $? in
1)
	# one check per part validate() checks below
	while IFS= read -r a; do
		skipped=$((skipped + $(unzip -Z1 "$a" |
			grep -c -E '^xl/(workbook|styles|sharedStrings)\.xml$|^xl/worksheets/sheet[^/]*\.xml$')))
	done <"$tmp/list"
	echo "SKIP: jing on the parts of every .xlsx ($skipped checks): $shared_why"
	finish
	;;
2)
	fail "$shared_why"
	finish
	;;
esac
if ! command -v jing >/dev/null 2>&1; then
	fail "jing is not installed"
	finish
fi
if [ ! -f "$schemas/SpreadsheetML_Worksheet.rnc" ]; then
	fail "no schemas in $schemas"
	finish
fi
n=0
while IFS= read -r a; do
	n=$((n + 1))
	mkdir -p "$tmp/x/$n"
	if ! unzip -q "$a" -d "$tmp/x/$n"; then
		fail "unzip ${a#"$tmp"/a/}"
	fi
	echo "${a#"$tmp"/a/}" >"$tmp/x/$n/.name"
done <"$tmp/list"

# validate PART-GLOB SCHEMA: one jing run over that part of every workbook, one result per file
validate() {
	files=$(ls "$tmp"/x/*/$1 2>/dev/null)
	if [ -z "$files" ]; then
		fail "no $1 in any workbook"
		return
	fi
	# shellcheck disable=SC2086 — the paths are ours and contain no blanks
	jing -c "$schemas/$2" $files >"$tmp/jing.out" 2>&1
	status=$?
	bad=0
	for f in $files; do
		if grep -F "$f:" "$tmp/jing.out" | grep -q -E ': (error|fatal):'; then
			dir=${f#"$tmp"/x/}
			fail "$(cat "$tmp/x/${dir%%/*}/.name") ${f#"$tmp"/x/*/}: $(grep -F "$f:" "$tmp/jing.out" | head -n 3)"
			bad=1
		else
			ok
		fi
	done
	if [ "$status" -ne 0 ] && [ "$bad" -eq 0 ]; then # jing failed without naming a file
		fail "jing $2: exit status $status: $(grep -v '^\[warning\]' "$tmp/jing.out" | head -n 3)"
	fi
}
validate xl/workbook.xml SpreadsheetML_Workbook.rnc
validate 'xl/worksheets/sheet*.xml' SpreadsheetML_Worksheet.rnc
validate xl/styles.xml SpreadsheetML_Styles.rnc
validate xl/sharedStrings.xml SpreadsheetML_Shared_String_Table.rnc
finish
