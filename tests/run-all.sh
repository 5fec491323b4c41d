#!/bin/sh
# tests/run-all.sh — every test, as `make check` runs it:
#   1. unit tests, plain and under AddressSanitizer + UndefinedBehaviorSanitizer (build/unit/*,
#      build/asan/unit/*), each ending in "N passed, M failed";
#   2. the golden diagnostics (tests/diag/run.sh) with $BUDGETGEN, then again with $ASAN_BUDGETGEN
#      against the same .expected files, so any sanitizer report is a failure;
#   3. when tests/seedtools/roundtrip.py and input/*.txt exist: `budgetgen check input/` exits 0
#      (also under the sanitizers, with the same messages), and each sample's `dump --json`
#      matches its seed document (roundtrip.py SEED JSON; skipped without the seeds, see below).
#   Word back end: tests/docx/run.sh (the .docx booklets: tables read back with python-docx, TOC
#      page numbers, jing on every part, reproducible bytes, broken templates).
#   The language: tests/language/check.py (paragraphs in cells in all three formats, issue 14).
#   Import: tests/import/roundtrip.py (the samples' .docx and .xlsx imported back to their models).
#   Batch builds: tests/batch (incremental, parallel, interrupted builds, `budgetgen diff`).
#   Hardening: the fuzzers' regressions and a short fuzzing run (tests/fuzz), hostile inputs
#      (tests/hostile), allocation failure (tests/oom), valgrind on a build of input/
#      (tests/valgrind).
# Prints each section's results indented, then the checks skipped with their reasons, then one
# line "N passed, M failed" with the totals (", K skipped" added when checks were skipped); exits 1
# when anything failed. A test program reports skipped checks with a line "SKIP: …" and a summary
# "N passed, M failed, K skipped".
#
# Environment: BUDGETGEN (./budgetgen), ASAN_BUDGETGEN (build/asan/budgetgen), UNIT_TESTS
# ("test_decimal test_lex test_resolve"), SEEDS_DIR and OOXML_SCHEMAS (../shared/seeds and
# ../shared/ooxml-schemas beside the repository; without them the checks that read them are
# skipped, see tests/common.sh), PYTHON (python3), FUZZERS (the harnesses), FUZZ_CHECK_SECONDS (4),
# OOM_RUNS (300), NOHARU_BUDGETGEN (make HARU_FAST=0's build/noharu/budgetgen; without it
# tests/pdf/haru_fast.sh is skipped).

root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root" || exit 2

BUDGETGEN=${BUDGETGEN:-./budgetgen}
ASAN_BUDGETGEN=${ASAN_BUDGETGEN:-build/asan/budgetgen}
UNIT_TESTS=${UNIT_TESTS:-test_decimal test_lex test_resolve}
. tests/common.sh
# Debian's python3 (with python3-openpyxl and python3-docx), not another python3 earlier on PATH
if [ -z "${PYTHON:-}" ] && [ -x /usr/bin/python3 ]; then PYTHON=/usr/bin/python3; fi
PYTHON=${PYTHON:-python3}
SAN_ENV="ASAN_OPTIONS=detect_leaks=1:halt_on_error=1 UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1"

tmp=$(mktemp -d "${TMPDIR:-/tmp}/budgetgen-check.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM

passed=0
failed=0
skipped=0
: >"$tmp/skips"

section() {
	echo "== $1"
}

indent() {
	sed 's/^/  /' "$@"
}

pass() {
	passed=$((passed + 1))
	echo "  ok    $1"
}

fail() {
	failed=$((failed + 1))
	echo "  FAIL  $1"
}

# skip N WHAT WHY — N checks of WHAT not run, because WHY (listed again at the end)
skip() {
	skipped=$((skipped + $1))
	echo "  skip  $2 ($1 checks): $3"
	echo "$2 ($1 checks): $3" >>"$tmp/skips"
}

# summarized NAME OUTPUT STATUS — adds the "N passed, M failed[, K skipped]" line of a test
# program's OUTPUT to the totals, and its "SKIP: …" lines to the list of skips. A missing summary
# (a crash) or a non-zero STATUS with nothing failed (a sanitizer report at exit) counts as one
# more failure, and the output is shown.
summary_re='^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$'
summarized() {
	name=$1 output=$2 status=$3
	line=$(grep -E "$summary_re" "$output" | tail -n 1)
	if [ -z "$line" ]; then
		indent "$output" | tail -n 40
		fail "$name: no summary line (exit status $status)"
		return
	fi
	p=${line%% passed*}
	f=${line#*, }
	f=${f%% failed*}
	case $line in
	*skipped)
		s=${line##*, }
		s=${s%% skipped}
		;;
	*) s=0 ;;
	esac
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + s))
	sed -n "s|^SKIP: |$name: |p" "$output" >>"$tmp/skips"
	if [ "$f" -gt 0 ]; then
		grep -v -E "$summary_re" "$output" | indent
	fi
	if [ "$status" -ne 0 ] && [ "$f" -eq 0 ]; then
		indent "$output" | tail -n 40
		fail "$name: $line, but exit status $status"
		return
	fi
	echo "  $name: $line"
}

# ---- 0. structure ---------------------------------------------------------------------------------

# tests/structure/layers.sh: every include in gen/ is allowed by gen/README.md's table of stages.
section "structure (tests/structure)"
sh tests/structure/layers.sh >"$tmp/out" 2>&1
summarized "tests/structure/layers.sh" "$tmp/out" $?

# ---- 1. unit tests -----------------------------------------------------------------------------

section "unit tests"
for t in $UNIT_TESTS; do
	for prog in build/unit/$t build/asan/unit/$t; do
		if [ ! -x "$prog" ]; then
			fail "$prog: not built"
			continue
		fi
		env $SAN_ENV "$prog" >"$tmp/out" 2>&1
		summarized "$prog" "$tmp/out" $?
	done
done

# ---- 2. golden diagnostics -------------------------------------------------------------------------

section "golden diagnostics ($BUDGETGEN)"
sh tests/diag/run.sh "$BUDGETGEN" >"$tmp/out" 2>&1
summarized "tests/diag" "$tmp/out" $?

section "golden diagnostics under ASan+UBSan ($ASAN_BUDGETGEN)"
env $SAN_ENV sh tests/diag/run.sh "$ASAN_BUDGETGEN" >"$tmp/out" 2>&1
summarized "tests/diag" "$tmp/out" $?

# ---- 3. samples -----------------------------------------------------------------------------------

# The seed file a sample was transcribed from: seedlib's table when the tools provide one, else the
# "seeds/NNN_….txt" named in the sample's opening comment.
seed_of() {
	sample=$(basename "$1")
	seed=$(cd tests/seedtools && "$PYTHON" -c '
import sys
import seedlib
for v in seedlib.SEEDS.values():
    if v.get("out") == sys.argv[1]:
        print(v["file"])
' "$sample" 2>/dev/null)
	if [ -z "$seed" ]; then
		seed=$(sed -n '1,10p' "$1" | grep -o 'seeds/[0-9][0-9][0-9]_[0-9a-f]*\.txt' | head -n 1)
		seed=${seed#seeds/}
	fi
	echo "$seed"
}

section "samples (input/)"
samples=$(ls input/*.txt 2>/dev/null)
if [ ! -f tests/seedtools/roundtrip.py ]; then
	echo "  skipped: no tests/seedtools/roundtrip.py yet"
elif [ -z "$samples" ]; then
	echo "  skipped: no samples in input/ yet"
else
	"$BUDGETGEN" check input/ >"$tmp/check.out" 2>"$tmp/check.err"
	status=$?
	if [ $status -eq 0 ]; then
		pass "check input/: $(tail -n 1 "$tmp/check.err")"
	else
		grep -E ': error: ' "$tmp/check.err" | indent | head -n 40
		fail "check input/: exit status $status, $(tail -n 1 "$tmp/check.err")"
	fi
	if [ -x "$ASAN_BUDGETGEN" ]; then
		env $SAN_ENV "$ASAN_BUDGETGEN" check input/ >/dev/null 2>"$tmp/asan.err"
		asan_status=$?
		if [ $asan_status -eq $status ] && cmp -s "$tmp/check.err" "$tmp/asan.err"; then
			pass "check input/ under ASan+UBSan: same messages, same exit status"
		else
			diff "$tmp/check.err" "$tmp/asan.err" | indent | head -n 40
			fail "check input/ under ASan+UBSan: exit status $asan_status, messages differ"
		fi
	else
		fail "$ASAN_BUDGETGEN: not built"
	fi
	shared_data SEEDS_DIR
	seeds=$?
	if ! command -v "$PYTHON" >/dev/null 2>&1; then
		fail "round trips: no $PYTHON"
	elif [ $seeds -eq 1 ]; then
		skip "$(echo "$samples" | wc -l)" "round trips of input/ against their seeds" "$shared_why"
	elif [ $seeds -eq 2 ]; then
		fail "round trips: $shared_why"
	else
		for sample in $samples; do
			seed=$(seed_of "$sample")
			if [ -z "$seed" ] || [ ! -f "$SEEDS_DIR/$seed" ]; then
				fail "$sample: no seed document found${seed:+ ($SEEDS_DIR/$seed)}"
				continue
			fi
			if ! "$BUDGETGEN" dump --json "$sample" >"$tmp/sample.json" 2>"$tmp/dump.err"; then
				indent "$tmp/dump.err" | head -n 20
				fail "$sample: dump --json failed"
				continue
			fi
			if "$PYTHON" tests/seedtools/roundtrip.py "$SEEDS_DIR/$seed" "$tmp/sample.json" \
				>"$tmp/rt.out" 2>&1; then
				pass "$sample ↔ $seed: $(tail -n 1 "$tmp/rt.out")"
			else
				indent "$tmp/rt.out" | head -n 40
				fail "$sample ↔ $seed: round trip differs"
			fi
		done
	fi
fi

# ---- layout and PDF back end -------------------------------------------------------------------------

# tests/layout/run.sh: the layout engine as data (line breaking in cells, a table across pages with
# its header row repeated and merged labels shown again). tests/pdf/check.py: every PDF of a build
# of input/ read back with qpdf, pdffonts and pdftotext and compared with the model.
section "layout (tests/layout)"
sh tests/layout/run.sh "$BUDGETGEN" >"$tmp/out" 2>&1
summarized "tests/layout" "$tmp/out" $?

section "PDF back end (tests/pdf)"
"$BUDGETGEN" build -q input/ -o "$tmp/pdf" >"$tmp/build.out" 2>&1
st=$?
if [ $st -eq 0 ]; then
	pass "build input/ -o: exit 0"
else
	indent "$tmp/build.out" | tail -n 20
	fail "build input/: exit status $st"
fi
"$PYTHON" tests/pdf/check.py "$BUDGETGEN" "$tmp/pdf" input/*.txt >"$tmp/out" 2>&1
summarized "tests/pdf/check.py" "$tmp/out" $?
# tests/pdf/astral.py: an Extension B character (above U+FFFF) in a project name is drawn and
# extracted in the PDFs and kept in the .docx and .xlsx; one no font has is a warning at its line and column.
"$PYTHON" tests/pdf/astral.py "$BUDGETGEN" >"$tmp/out" 2>&1
summarized "tests/pdf/astral.py" "$tmp/out" $?
# tests/pdf/haru_fast.sh: the build without haru_fast.c and flate.c (make HARU_FAST=0) writes the
# same files, the PDFs the same once their streams are uncompressed.
if [ -n "${NOHARU_BUDGETGEN:-}" ]; then
	sh tests/pdf/haru_fast.sh "$BUDGETGEN" "$NOHARU_BUDGETGEN" >"$tmp/out" 2>&1
	summarized "tests/pdf/haru_fast.sh" "$tmp/out" $?
fi

section "PDF, Word and Excel back ends under ASan+UBSan ($ASAN_BUDGETGEN)"
env $SAN_ENV "$ASAN_BUDGETGEN" build -q input/ -o "$tmp/asan" >"$tmp/build.out" 2>&1
st=$?
if [ $st -eq 0 ] && ! grep -q "Sanitizer\|runtime error" "$tmp/build.out"; then
	pass "build input/ under the sanitizers: exit 0, no report"
else
	indent "$tmp/build.out" | grep -v "warning\|^  *\^" | tail -n 30
	fail "build input/ under the sanitizers: exit status $st"
fi

# ---- budget tables -------------------------------------------------------------------------------------

# tests/budget/seed001.py: the nine tables rebuilt from seed 001's sample reproduce every figure of
# the published seed, cell by cell; tests/budget/revision.py: a revision of one 项 moves every
# figure that depends on it, in all three formats.
section "budget tables (tests/budget)"
"$PYTHON" tests/budget/seed001.py "$BUDGETGEN" >"$tmp/out" 2>&1
summarized "tests/budget/seed001.py" "$tmp/out" $?
if [ -f tests/budget/revision.py ]; then
	"$PYTHON" tests/budget/revision.py "$BUDGETGEN" >"$tmp/out" 2>&1
	summarized "tests/budget/revision.py" "$tmp/out" $?
fi

# ---- Word back end ---------------------------------------------------------------------------------

# tests/docx/run.sh: python-docx reads every booklet's tables back against the model, the TOC against
# the PDF, jing validates every part, two builds are byte-identical, broken templates fail cleanly.
section "Word back end (tests/docx)"
sh tests/docx/run.sh "$BUDGETGEN" >"$tmp/out" 2>&1
summarized "tests/docx" "$tmp/out" $?

# ---- Excel back end --------------------------------------------------------------------------------

# tests/xlsx/check.py: openpyxl reads every workbook back, cell by cell, against the model and the
# layouts; tests/xlsx/validate.sh: jing validates every part, two builds are byte-identical.
section "Excel back end (tests/xlsx)"
"$PYTHON" tests/xlsx/check.py "$BUDGETGEN" >"$tmp/out" 2>&1
summarized "tests/xlsx/check.py" "$tmp/out" $?
sh tests/xlsx/validate.sh "$BUDGETGEN" >"$tmp/out" 2>&1
summarized "tests/xlsx/validate.sh" "$tmp/out" $?

# ---- hardening -------------------------------------------------------------------------------------

# tests/fuzz/run.sh check: each libFuzzer harness (build/fuzz/fuzz_*) replays its regression inputs,
# then fuzzes from its seeds for FUZZ_CHECK_SECONDS (4) seconds; tests/hostile/run.sh: broken
# templates, corrupt fonts, impossible layouts and enormous sources each fail with their expected
# message, in bounded time and memory; tests/oom/run.sh: OOM_RUNS (300) builds of a small source,
# each with one allocation failing, end cleanly (every N: make check-oom); tests/valgrind/run.sh:
# memcheck on a build of input/, no error and no leak; tests/readers/check.py: every file of a
# build of input/ is read by an independent reader — the tables of the .xlsx and .docx cell by
# cell, every package part parsed and, where a schema exists, validated.
section "hardening (tests/fuzz, tests/hostile, tests/oom, tests/valgrind, tests/readers)"
sh tests/fuzz/run.sh check "${FUZZ_CHECK_SECONDS:-4}" >"$tmp/out" 2>&1
summarized "tests/fuzz" "$tmp/out" $?
sh tests/hostile/run.sh "$BUDGETGEN" >"$tmp/out" 2>&1
summarized "tests/hostile" "$tmp/out" $?
sh tests/oom/run.sh --runs "${OOM_RUNS:-300}" "$BUDGETGEN" >"$tmp/out" 2>&1
summarized "tests/oom" "$tmp/out" $?
sh tests/valgrind/run.sh "$BUDGETGEN" >"$tmp/out" 2>&1
summarized "tests/valgrind" "$tmp/out" $?
"$PYTHON" tests/readers/check.py "$BUDGETGEN" >"$tmp/out" 2>&1
summarized "tests/readers/check.py" "$tmp/out" $?

# ---- the language ------------------------------------------------------------------------------------

# tests/language/check.py: a department written from docs/language.md with cells of several
# paragraphs, one-cell numbered goals, an intro and 一、 numbering under 分项绩效目标 and an
# acknowledged non-standard 项目编码 checks clean, round-trips through fmt, and its PDF, .docx and
# .xlsx show every paragraph as written.
section "language (tests/language)"
"$PYTHON" tests/language/check.py "$BUDGETGEN" >"$tmp/out" 2>&1
summarized "tests/language/check.py" "$tmp/out" $?

# ---- import ----------------------------------------------------------------------------------------

# tests/import/roundtrip.py: `budgetgen import` of the .docx and the .xlsx that build writes for each
# sample gives back its model (dump --json) and, with budget data, its budget tables (dump --tables).
section "import (tests/import)"
"$PYTHON" tests/import/roundtrip.py "$BUDGETGEN" >"$tmp/out" 2>&1
summarized "tests/import/roundtrip.py" "$tmp/out" $?

# ---- batch builds ------------------------------------------------------------------------------------

# tests/batch/run.py: on a 3 × 4 synthetic county, a no-op build writes nothing, a one-project change
# rewrites exactly its files, -j does not change a byte, builds killed at random leave no partial
# file and the next build completes them; tests/batch/revdiff.py: `budgetgen diff` on a revision;
# tests/batch/anywhere.sh: run from another directory, ./budgetgen finds its data beside itself;
# tests/batch/safety.py: what a build may touch and that it never hangs (foreign temporaries,
# journals and manifests that would reach outside OUT, FIFO includes, descriptor and file-size
# limits, symlinked directories, SOURCE_DATE_EPOCH in all three formats).
section "batch builds (tests/batch)"
"$PYTHON" tests/batch/run.py "$BUDGETGEN" >"$tmp/out" 2>&1
summarized "tests/batch/run.py" "$tmp/out" $?
"$PYTHON" tests/batch/revdiff.py "$BUDGETGEN" >"$tmp/out" 2>&1
summarized "tests/batch/revdiff.py" "$tmp/out" $?
"$PYTHON" tests/batch/safety.py "$BUDGETGEN" >"$tmp/out" 2>&1
summarized "tests/batch/safety.py" "$tmp/out" $?
sh tests/batch/anywhere.sh "$BUDGETGEN" >"$tmp/out" 2>&1
summarized "tests/batch/anywhere.sh" "$tmp/out" $?

if [ -s "$tmp/skips" ]; then
	echo "== skipped"
	indent "$tmp/skips"
fi
echo "== total"
summary_line $passed $failed $skipped
[ "$failed" -eq 0 ]
