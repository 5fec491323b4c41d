#!/bin/sh
# tests/oom/run.sh — the allocation-failure test: `budgetgen build` of tests/oom/small.txt (one
# department, one project: booklet PDF, .xlsx, .docx, project sheet) is run once to count the
# allocations made after main() starts (by budgetgen and every library), then once for every N
# from 1 to that count with the Nth allocation failing (build/oom/failmalloc.so, preloaded; see
# tests/oom/failmalloc.c). Each run must end in one of two ways:
#   clean failure  exit status 3, a message saying 内存不足 (out of memory), nothing else on
#                  stderr (no sanitizer report, no crash), and in the output directory either
#                  no file at all (no *.budgetgen-tmp* left behind either) or, when memory ran out after
#                  the department was written, exactly the reference build's files — never a
#                  part of them;
#   absorbed       the failed allocation was optional (a library retried or did without it):
#                  exit status 0 and every output file byte-identical to the reference build.
# Anything else fails: a signal, another exit status, a leak or sanitizer report, a message that
# does not say 内存不足, a file left behind, or output that differs from the reference.
#
# usage: sh tests/oom/run.sh [--stride K | --runs R] [--jobs J] [--keep DIR] BUDGETGEN
#   --stride K   only every Kth N (1, 1+K, 1+2K … and the last); default 1, every N
#   --runs R     about R runs: the stride that gives them (make check)
#   --keep DIR   keep the result of every run in DIR/results
#   --jobs J     runs in parallel (default 2)
# BUDGETGEN may be the plain build or the ASan+UBSan one (build/asan/budgetgen: then leaks and
# memory errors on the paths that return are caught too). Prints ok/FAIL lines and
# "N passed, M failed"; the failing N are listed with their reason, and each can be rerun by
# hand: FAILMALLOC_N=N LD_PRELOAD=build/oom/failmalloc.so BUDGETGEN build -o DIR tests/oom/small.txt
# (FAILMALLOC_WHERE=FILE adds the failing call's stack to FILE). OOM_ARGS: more options for every
# build (default "-j 1" when budgetgen has -j: a worker process would fail its own Nth allocation
# and hide the driver's; the shim fails the Nth allocation of every process).

root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root" || exit 2

# ---- one run (called back through xargs) -------------------------------------------------------

if [ "${1:-}" = --one ]; then
	n=$2 bin=$3 tmp=$4
	d=$tmp/run/$n
	mkdir -p "$d"
	# the shim goes into budgetgen only (env, run by timeout), not into timeout itself
	# shellcheck disable=SC2086 — OOM_ARGS is a list of options
	timeout 120 env FAILMALLOC_N="$n" FAILMALLOC_WHERE="$d/where" LD_PRELOAD="$OOM_PRELOAD" \
		"$bin" build -q $OOM_ARGS -o "$d/out" tests/oom/small.txt >"$d/stdout" 2>"$d/stderr"
	st=$?
	# the library (or budgetgen) that made the failing allocation: the first frame outside the
	# shim and glibc (strdup, fopen … allocate for their caller)
	where=$(tr ' ' '\n' <"$d/where" 2>/dev/null | grep -v -e failmalloc -e '/libc\.so' -e '^$' | head -n 1)
	where=$(basename "${where%%+*}" 2>/dev/null)
	# the documents (out/.budgetgen/ is the build's bookkeeping), and any temporary file at all
	files=$(cd "$d" && find out -path out/.budgetgen -prune -o -type f -print 2>/dev/null | sort)
	temps=$(cd "$d" && find out -name '*.budgetgen-tmp*' 2>/dev/null | head -n 3)
	reason=""
	if [ -n "$temps" ]; then
		reason="temporary files left: $(echo "$temps" | tr '\n' ' ')"
	elif [ $st -eq 3 ]; then
		if ! grep -q '内存不足' "$d/stderr"; then
			reason="exit 3 without 内存不足: $(head -c 300 "$d/stderr" | tr '\n' ' ')"
		elif grep -v -q -E '(内存不足|^$)' "$d/stderr"; then
			reason="more than the message on stderr: $(grep -v '内存不足' "$d/stderr" | head -c 300 | tr '\n' ' ')"
		elif [ -n "$files" ] && [ "$files" != "$(cat "$tmp/ref.files")" ]; then
			reason="files left behind: $(echo "$files" | tr '\n' ' ')"
		elif [ -n "$files" ]; then # the department was complete before memory ran out
			for f in $files; do
				if ! cmp -s "$d/$f" "$tmp/ref/$f"; then
					reason="exit 3, $f differs from the reference build"
					break
				fi
			done
		fi
		class=failed
	elif [ $st -eq 0 ]; then
		class=absorbed
		if [ -s "$d/stderr" ]; then
			reason="exit 0 with messages: $(head -c 300 "$d/stderr" | tr '\n' ' ')"
		elif [ "$files" != "$(cat "$tmp/ref.files")" ]; then
			reason="exit 0 but other files: $(echo "$files" | tr '\n' ' ')"
		else
			for f in $files; do
				if ! cmp -s "$d/$f" "$tmp/ref/$f"; then
					reason="exit 0 but $f differs from the reference build"
					break
				fi
			done
		fi
	elif [ $st -gt 128 ] && [ $st -ne 124 ]; then
		reason="killed by signal $((st - 128)) (files left: $(echo "$files" | wc -w))"
	elif [ $st -eq 124 ]; then
		reason="timed out"
	else
		reason="exit status $st: $(grep -m 3 -E 'ERROR|SUMMARY|runtime error|error' "$d/stderr" | head -c 300 | tr '\n' ' ')"
	fi
	if [ -n "$reason" ]; then
		echo "$n FAIL [${where:-?}] $reason" >"$tmp/results/$n"
	else
		echo "$n $class [${where:-?}]" >"$tmp/results/$n"
		rm -rf "$d"
	fi
	exit 0
fi

# ---- the sweep --------------------------------------------------------------------------------------

stride=1
jobs=2
while [ $# -gt 1 ]; do
	case $1 in
	--stride) stride=$2; shift 2 ;;
	--runs) runs_wanted=$2; shift 2 ;;
	--keep) keep=$2; shift 2 ;;
	--jobs) jobs=$2; shift 2 ;;
	*) break ;;
	esac
done
if [ $# -ne 1 ]; then
	echo "usage: sh tests/oom/run.sh [--stride K | --runs R] [--jobs J] BUDGETGEN" >&2
	exit 2
fi
case $1 in /*) bin=$1 ;; *) bin=$root/$1 ;; esac
shim=$root/build/oom/failmalloc.so
if [ ! -x "$bin" ] || [ ! -f "$shim" ]; then
	echo "FAIL  allocation failure: $bin or $shim not built"
	echo "0 passed, 1 failed"
	exit 1
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/budgetgen-oom.XXXXXX") || exit 2
trap 'rm -rf "$tmp"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$tmp/results"

# The shim goes first, so that its malloc is the one every library calls; under ASan it then
# forwards to ASan's allocator (hence verify_asan_link_order=0). exitcode: a report is not 3.
OOM_PRELOAD=$shim
ASAN_OPTIONS=verify_asan_link_order=0:detect_leaks=1:exitcode=86:allocator_may_return_null=1
UBSAN_OPTIONS=halt_on_error=1:print_stacktrace=1:exitcode=87
LC_ALL=C.UTF-8
# One process (-j 1, when the build has workers): a forked worker would fail its own Nth
# allocation first and hide the driver's later ones (the commit of the department's files).
if [ -z "${OOM_ARGS+set}" ]; then
	OOM_ARGS=
	"$bin" --help 2>/dev/null | grep -q -- '-j N' && OOM_ARGS="-j 1"
fi
export OOM_PRELOAD ASAN_OPTIONS UBSAN_OPTIONS LC_ALL OOM_ARGS

passed=0
failed=0

# the reference build, counting
# shellcheck disable=SC2086
FAILMALLOC_COUNT=$tmp/count LD_PRELOAD=$shim "$bin" build -q $OOM_ARGS -o "$tmp/ref" \
	tests/oom/small.txt >"$tmp/ref.out" 2>&1
st=$?
total=$(sort -n "$tmp/count" 2>/dev/null | tail -n 1)
(cd "$tmp/ref" && find . -path ./.budgetgen -prune -o -type f -print | sed 's|^\./|out/|' | sort) \
	>"$tmp/ref.files"
mv "$tmp/ref" "$tmp/ref.tmp" && mkdir "$tmp/ref" && mv "$tmp/ref.tmp" "$tmp/ref/out"
nfiles=$(wc -l <"$tmp/ref.files")
if [ $st -ne 0 ] || [ -z "$total" ] || [ "$nfiles" -lt 4 ]; then
	cat "$tmp/ref.out" | head -n 20
	echo "FAIL  reference build: exit $st, ${total:-no} allocations counted, $nfiles files"
	echo "0 passed, 1 failed"
	exit 1
fi
passed=$((passed + 1))
echo "ok    reference build: $nfiles files, $total allocations after main()"

if [ -n "${runs_wanted:-}" ] && [ "$runs_wanted" -gt 0 ]; then
	stride=$(((total + runs_wanted - 1) / runs_wanted))
	[ "$stride" -lt 1 ] && stride=1
fi
start=$(date +%s)
{
	seq 1 "$stride" "$total"
	[ $(((total - 1) % stride)) -ne 0 ] && echo "$total"
} | xargs -P "$jobs" -I{} sh "$0" --one {} "$bin" "$tmp"
secs=$(($(date +%s) - start))
runs=$(ls "$tmp/results" | wc -l)
clean=$(cat "$tmp/results"/* | grep -c '^[0-9]* failed ')
absorbed=$(cat "$tmp/results"/* | grep -c '^[0-9]* absorbed ')
bad=$(cat "$tmp/results"/* | grep -c '^[0-9]* FAIL ')
what="every N"
[ "$stride" -gt 1 ] && what="every N in steps of $stride"
if [ -n "${keep:-}" ]; then
	mkdir -p "$keep" && cat "$tmp/results"/* | sort -n >"$keep/results"
fi
if [ "$bad" -eq 0 ] && [ "$runs" -gt 0 ]; then
	passed=$((passed + 1))
	echo "ok    allocation failure, $what of 1…$total ($runs runs, ${secs}s): $clean end with 内存不足, exit 3, nothing left; $absorbed absorbed with identical output"
else
	failed=$((failed + 1))
	cat "$tmp/results"/* | grep ' FAIL ' | sort -n | head -n 40 | sed 's/^/      N=/'
	# by kind of failure and by the library that made the failing allocation
	echo "      failures by kind and allocating module (count, first N):"
	cat "$tmp/results"/* | grep ' FAIL ' | sort -n |
		sed -E 's/^([0-9]+) FAIL \[([^]]*)\] (exit 0 but).*/\1 \2 exit 0, output differs/;
		        s/^([0-9]+) FAIL \[([^]]*)\] (killed by signal [0-9]+).*/\1 \2 \3/;
		        s/^([0-9]+) FAIL \[([^]]*)\] (exit 3 without 内存不足).*/\1 \2 \3/;
		        s/^([0-9]+) FAIL \[([^]]*)\] (files left behind).*/\1 \2 \3/;
		        s/^([0-9]+) FAIL \[([^]]*)\] (exit status [0-9]+).*/\1 \2 \3/' |
		awk '{ n = $1; $1 = ""; k = substr($0, 2); if (!(k in c)) { first[k] = n; order[++m] = k } c[k]++ }
		     END { for (i = 1; i <= m; i++) printf "        %6d  %s (N=%s)\n", c[order[i]], order[i], first[order[i]] }'
	echo "FAIL  allocation failure, $what of 1…$total ($runs runs, ${secs}s): $bad fail ($clean clean, $absorbed absorbed)"
fi
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
