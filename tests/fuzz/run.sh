#!/bin/sh
# tests/fuzz/run.sh — runs the libFuzzer harnesses of tests/fuzz (built by make as
# build/fuzz/fuzz_<harness>) from the repository root.
#
#   sh tests/fuzz/run.sh check SECONDS   (make check) for each harness: replays every file of
#        tests/fuzz/regressions/<harness>/ (each must run clean), then fuzzes for SECONDS from the
#        seed corpus in a temporary directory; prints "ok/FAIL" lines and "N passed, M failed".
#   sh tests/fuzz/run.sh fuzz SECONDS    (make fuzz) fuzzes each harness for SECONDS with its
#        corpus kept in build/fuzz/corpus/<harness>/ (seeds added each time); crashes are written to
#        build/fuzz/crashes/<harness>/, logs to build/fuzz/logs/ (one line per run appended to
#        build/fuzz/logs/history); prints executions, corpus size and crashes per harness. Turn each crash into tests/fuzz/regressions/<harness>/<name>
#        once it is fixed.
#   sh tests/fuzz/run.sh seeds HARNESS DIR   writes HARNESS's seed corpus into DIR.
#
# Seeds: source — input/**/*.txt, tests/**/*.txt (sources, fragments, diagnostics cases);
# layout — layouts/*.layout; template — each part of layouts/docx prefixed by its part's byte
# (fuzz_template.c); catalog — layouts/catalog's three lists joined by 0x1E (fuzz_catalog.c).
# Every run is bounded: -max_total_time, -timeout (a single input), -rss_limit_mb, and `timeout`
# around the whole. Environment: FUZZERS (the harnesses, default all four).

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2
FUZZERS=${FUZZERS:-source layout template catalog}
mode=${1:-}
seconds=${2:-}

# seeds HARNESS DIR
seeds() {
	mkdir -p "$2"
	case $1 in
	source)
		find input tests -name '*.txt' -type f | while IFS= read -r f; do
			cp "$f" "$2/$(echo "$f" | tr '/' '_')"
		done
		;;
	layout)
		cp layouts/*.layout "$2/"
		;;
	template)
		i=0
		for part in '[Content_Types].xml' _rels/.rels docProps/core.xml docProps/app.xml \
			word/document.xml word/_rels/document.xml.rels word/styles.xml word/settings.xml \
			word/fontTable.xml word/footer1.xml word/footer2.xml; do
			{ printf "\\$(printf '%03o' $i)"; cat "layouts/docx/$part"; } >"$2/part$i"
			i=$((i + 1))
		done
		;;
	catalog)
		{
			cat layouts/catalog/功能分类.txt
			printf '\036'
			cat layouts/catalog/经济分类.txt
			printf '\036'
			cat layouts/catalog/收支总表.txt
		} >"$2/catalog"
		;;
	esac
}

# Options of every run: one input may take 20 s (a leak check or a big layout under ASan), 2.5 GB
# at most; inputs up to 16 KB (32 KB for the catalogues; longer seeds are cut when loaded — small
# inputs are where a lexer's bugs are, and they run faster); the harness's dictionary.
options="-timeout=20 -rss_limit_mb=2560 -malloc_limit_mb=2560 -print_final_stats=1"
options_of() {
	case $1 in
	catalog) echo "-max_len=32768" ;;
	layout) echo "-max_len=8192" ;;
	*) echo "-max_len=16384" ;;
	esac
	[ -f "tests/fuzz/$1.dict" ] && echo "-dict=tests/fuzz/$1.dict"
}

case $mode in
seeds)
	seeds "$2" "$3"
	;;
check)
	passed=0
	failed=0
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/budgetgen-fuzz.XXXXXX") || exit 2
	trap 'rm -rf "$tmp"' EXIT
	trap 'exit 130' INT TERM
	for h in $FUZZERS; do
		bin=build/fuzz/fuzz_$h
		if [ ! -x "$bin" ]; then
			failed=$((failed + 1))
			echo "FAIL  $bin: not built"
			continue
		fi
		set -- tests/fuzz/regressions/$h/*
		if [ -f "$1" ]; then
			timeout 300 "$bin" -timeout=20 -rss_limit_mb=2560 "$@" >"$tmp/replay.log" 2>&1
			st=$?
			if [ $st -eq 0 ]; then
				passed=$((passed + 1))
				echo "ok    $h: $# regression inputs replayed clean"
			else
				failed=$((failed + 1))
				grep -E 'ERROR|SUMMARY|runtime error|Running:' "$tmp/replay.log" | tail -n 20
				echo "FAIL  $h: a regression input fails again (exit $st)"
			fi
		fi
		rm -rf "$tmp/corpus" "$tmp/seeds" "$tmp/crash"
		mkdir -p "$tmp/corpus" "$tmp/crash"
		seeds "$h" "$tmp/seeds"
		# shellcheck disable=SC2046
		timeout $((seconds + 120)) "$bin" $options $(options_of "$h") -max_total_time="$seconds" \
			-artifact_prefix="$tmp/crash/" "$tmp/corpus" "$tmp/seeds" >"$tmp/fuzz.log" 2>&1
		st=$?
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$tmp/fuzz.log" | tail -n 1)
		if [ $st -eq 0 ]; then
			passed=$((passed + 1))
			echo "ok    $h: fuzzed ${seconds}s, ${runs:-?} inputs, no crash"
		else
			failed=$((failed + 1))
			grep -E 'ERROR|SUMMARY|runtime error|Test unit written' "$tmp/fuzz.log" | tail -n 20
			mkdir -p build/fuzz/crashes/$h
			cp "$tmp"/crash/* build/fuzz/crashes/$h/ 2>/dev/null
			echo "FAIL  $h: the fuzzer found a crash (exit $st; inputs in build/fuzz/crashes/$h/)"
		fi
	done
	echo "$passed passed, $failed failed"
	[ "$failed" -eq 0 ]
	;;
fuzz)
	mkdir -p build/fuzz/logs
	for h in $FUZZERS; do
		bin=build/fuzz/fuzz_$h
		corpus=build/fuzz/corpus/$h
		mkdir -p "$corpus" "build/fuzz/crashes/$h"
		rm -rf "build/fuzz/seeds/$h"
		seeds "$h" "build/fuzz/seeds/$h"
		log=build/fuzz/logs/$h.log
		# shellcheck disable=SC2046
		timeout $((seconds + 300)) "$bin" $options $(options_of "$h") -max_total_time="$seconds" \
			-artifact_prefix="build/fuzz/crashes/$h/" "$corpus" "build/fuzz/seeds/$h" >"$log" 2>&1
		st=$?
		runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
		line="$h: exit $st, ${seconds}s, ${runs:-?} executions, corpus $(ls "$corpus" | wc -l) files,"
		line="$line crashes $(ls "build/fuzz/crashes/$h" | wc -l) (log $log)"
		echo "$line"
		echo "$(date -u +%Y-%m-%dT%H:%M:%SZ) $line" >>build/fuzz/logs/history
	done
	;;
*)
	echo "usage: sh tests/fuzz/run.sh check|fuzz SECONDS | seeds HARNESS DIR" >&2
	exit 2
	;;
esac
