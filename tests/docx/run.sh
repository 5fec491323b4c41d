#!/bin/sh
# tests/docx/run.sh — the Word back end's tests, on every sample department in input/:
#   1. build everything into a temporary directory; check.py reads every booklet back with
#      python-docx and compares each table cell (merged ones included) and the table of contents
#      with the model and the PDF booklet, and each form's column widths and text size with the
#      PDF's fitting (within the layout's 列宽范围 and 最小);
#   2. validate.sh: every part of every .docx validates against the ISO/IEC 29500 schemas (jing);
#   3. a second build gives byte-identical .docx files;
#   4. broken templates (styles.xml cut short, a mismatched tag, document.xml missing, the
#      {{正文}} placeholder gone) make the build fail with a message naming the template file
#      and the package part, and leave no .docx (nor temporary file) behind.
# usage: run.sh [BUDGETGEN]      prints "ok/FAIL" lines and ends with "N passed, M failed"
#                                (", 1 skipped" and a line "SKIP: …" without the schemas).
# Environment: PYTHON (a python3 that can import docx; /usr/bin/python3 is tried as well),
# OOXML_SCHEMAS (tests/common.sh).

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
. tests/common.sh
BUDGETGEN=${1:-./budgetgen}
case $BUDGETGEN in /*) ;; *) BUDGETGEN=$root/${BUDGETGEN#./} ;; esac

passed=0
failed=0
skipped=0
pass() { passed=$((passed + 1)); echo "ok    $1"; }
fail() { failed=$((failed + 1)); echo "FAIL  $1"; }
skip() { skipped=$((skipped + 1)); echo "SKIP: $1"; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/budgetgen-docx.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT

py=""
for p in ${PYTHON:-python3} /usr/bin/python3; do
	if "$p" -c 'import docx' 2>/dev/null; then py=$p; break; fi
done

sources=$(ls input/*.txt 2>/dev/null)
if [ -z "$sources" ]; then
	echo "0 passed, 0 failed"
	exit 0
fi

# ---- 1. read back with python-docx ---------------------------------------------------------------

# shellcheck disable=SC2086
"$BUDGETGEN" build -q -o "$tmp/a" $sources >/dev/null 2>"$tmp/build.err"
status=$?
ndocx=$(find "$tmp/a" -name '*.docx' | wc -l)
if [ $status -eq 0 ] && [ "$ndocx" -eq "$(echo "$sources" | wc -l)" ]; then
	pass "build: $ndocx booklets (.docx)"
else
	grep 'error' "$tmp/build.err" | head -n 20
	fail "build: exit status $status, $ndocx .docx files"
fi
if [ -z "$py" ]; then
	fail "python-docx (python3-docx) is not installed"
else
	# shellcheck disable=SC2086
	"$py" tests/docx/check.py "$BUDGETGEN" "$tmp/a" $sources >"$tmp/check.out" 2>&1
	status=$?
	line=$(tail -n 1 "$tmp/check.out")
	if [ $status -eq 0 ] && echo "$line" | grep -q ' 0 failed$'; then
		pass "check.py: every table cell and TOC entry as in the model and the PDF ($line)"
	else
		head -n 40 "$tmp/check.out"
		fail "check.py: $line"
	fi
fi

# ---- 2. schemas ---------------------------------------------------------------------------------------

shared_data OOXML_SCHEMAS
schemas=$?
if [ $schemas -eq 1 ]; then
	skip "jing on every part of every .docx (1 check): $shared_why"
elif [ $schemas -eq 2 ]; then
	fail "jing: $shared_why"
elif sh tests/docx/validate.sh "$tmp/a" >"$tmp/jing.out" 2>&1; then
	pass "jing: every part of every .docx is valid ISO/IEC 29500"
else
	head -n 20 "$tmp/jing.out"
	fail "jing: invalid parts (see above)"
fi

# ---- 3. reproducible -----------------------------------------------------------------------------------

# shellcheck disable=SC2086
TZ=Pacific/Auckland "$BUDGETGEN" build -q -o "$tmp/b" $sources >/dev/null 2>&1
same=0
differ=""
for f in $(cd "$tmp/a" && find . -name '*.docx'); do
	if cmp -s "$tmp/a/$f" "$tmp/b/$f"; then same=$((same + 1)); else differ="$differ $f"; fi
done
if [ -z "$differ" ] && [ "$same" -gt 0 ]; then
	pass "reproducible: $same .docx byte-identical across two builds"
else
	fail "reproducible: differ:$differ"
fi

# ---- 4. broken templates ----------------------------------------------------------------------------------

one=$(echo "$sources" | head -n 1)
broken() { # NAME PART COMMAND… — breaks a copy of layouts/ with COMMAND run in its docx/
	name=$1 part=$2
	shift 2
	rm -rf "$tmp/l" "$tmp/o"
	cp -R layouts "$tmp/l"
	(cd "$tmp/l/docx" && "$@")
	"$BUDGETGEN" build -q --layouts "$tmp/l" -o "$tmp/o" "$one" >/dev/null 2>"$tmp/err"
	status=$?
	left=$(find "$tmp/o" -type f 2>/dev/null | wc -l)
	if [ $status -ne 0 ] && grep -q "$tmp/l/docx/$part" "$tmp/err" && grep -q "部件 $part" "$tmp/err" &&
		[ "$left" -eq 0 ]; then
		pass "broken template ($name): exit $status, message names $part, nothing written"
	else
		grep error "$tmp/err" | head -n 5
		fail "broken template ($name): exit status $status, $left files written"
	fi
}
cut_short() { head -c 1500 "$1" >"$1.cut" && mv "$1.cut" "$1"; }
broken "styles.xml cut short" word/styles.xml cut_short word/styles.xml
broken "styles.xml mismatched tag" word/styles.xml sed -i 's|</w:docDefaults>|</w:docDefault>|' word/styles.xml
broken "document.xml missing" word/document.xml rm word/document.xml
broken "no {{正文}} placeholder" word/document.xml sed -i 's/{{正文}}/正文/' word/document.xml
broken "footer1.xml not a footer" word/footer1.xml sed -i 's/w:ftr/w:hdr/g' word/footer1.xml

summary_line $passed $failed $skipped
[ "$failed" -eq 0 ]
