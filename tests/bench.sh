#!/bin/sh
# `make bench`: timings on this machine (not part of `make check`). Uses hyperfine (median and
# spread over repeated runs) pinned to one core with taskset.
# Prints: the seed-001 sample department (booklet + 56 project PDFs), a one-project department
# (booklet + 1 project PDF), and the derived time per project PDF; then the time per workbook of
# the Excel back end alone (tests/unit/bench_emit_xlsx.c).
set -eu
bg=${1:-./budgetgen}
dept="input/2023-开发区组织人事局.txt"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
one_core="taskset -c 0"

# a department with one project: the header and the first 【项目】 of the 000 sample
awk '/^【项目】/{n++} n<2' "input/2025-汉沽管理区人力资源和社会保障局.txt" \
	| awk '/^【整体绩效目标】/{skip=1} /^【项目】/{skip=0} !skip' >"$tmp/one.txt"

hyperfine --style basic --warmup 2 --runs 10 --export-json "$tmp/h.json" \
	-n "seed-001 department: booklet + 56 project PDFs" \
	"$one_core $bg build -q $dept -o $tmp/o1" \
	-n "one-project department: booklet + 1 project PDF" \
	"$one_core $bg build -q $tmp/one.txt -o $tmp/o2" >/dev/null

python3 - "$tmp/h.json" "$tmp/o1" "$tmp/o2" <<'PY'
import json, os, statistics, sys
h = json.load(open(sys.argv[1]))["results"]
def size(d):
    return sum(os.path.getsize(os.path.join(r, f)) for r, _, fs in os.walk(d) for f in fs)
print(f"{'benchmark (one core)':52} {'median':>9} {'min':>9} {'max':>9} {'stddev':>9}")
for r in h:
    print(f"{r['command']:52} {r['median']*1000:8.1f}ms {r['min']*1000:8.1f}ms {r['max']*1000:8.1f}ms {r['stddev']*1000:8.1f}ms")
per = h[0]["median"] / 57
print(f"{'time per PDF in the seed-001 department (median/57)':52} {per*1000:8.1f}ms")
print(f"{'output bytes, seed-001 department':52} {size(sys.argv[2]):>9}")
one = [f for r, _, fs in os.walk(sys.argv[3]) for f in fs if r.endswith('项目')]
if one:
    p = [os.path.join(r, f) for r, _, fs in os.walk(sys.argv[3]) for f in fs if r.endswith('项目')][0]
    print(f"{'one-page project PDF bytes':52} {os.path.getsize(p):>9}")
PY

# ---- Excel back end: the workbook alone (emit_xlsx over the booklet laid out once) ----------------
make -s build/unit/bench_emit_xlsx
$one_core build/unit/bench_emit_xlsx "$dept" 20
