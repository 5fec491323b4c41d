#!/bin/sh
# `make bench`: timings on this machine (not part of `make check`), with hyperfine (median and
# spread over repeated runs). Prints one table:
#   - the seed-001 sample department, every format (booklet PDF, .docx, .xlsx and its 56 project
#     PDFs), on one core (taskset -c 0, -j 1), every output rendered (-B);
#   - a one-project department likewise, and the derived time per project PDF;
#   - a synthetic county of COUNTY_DEPTS × COUNTY_PROJECTS (100 × 50; tests/bench/county.py) built
#     from nothing on all cores (-j = the CPUs this process may use);
#   - the same county rebuilt with nothing changed (no-op), and after one project's amounts changed
#     (one-project revision: that project's PDF and its department's three booklet files);
#   - the instructions of the seed-001 build (callgrind): the measure that does not vary with the
#     machine's load, and the rate this run achieved with it;
#   - peak memory (largest resident set of any budgetgen process, GNU time) and output bytes;
# then the time per workbook of the Excel back end alone (tests/unit/bench_emit_xlsx.c), and
# `budgetgen import` of the seed-001 .docx and .xlsx on one core (target < 0.2 s each).
# Environment: COUNTY_DEPTS, COUNTY_PROJECTS, COUNTY_RUNS (3), RUNS (10).
set -eu
dept="input/2023-开发区组织人事局.txt"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/budgetgen-bench.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# a copy of the program: a rebuild of ./budgetgen during the benchmark would change its key
cp "${1:-./budgetgen}" "$tmp/budgetgen"
bg=$tmp/budgetgen
one_core="taskset -c 0"
depts=${COUNTY_DEPTS:-100}
projects=${COUNTY_PROJECTS:-50}
runs=${RUNS:-10}
county_runs=${COUNTY_RUNS:-3}
py=python3
[ -x /usr/bin/python3 ] && py=/usr/bin/python3
cpus=$($py -c 'import os; print(len(os.sched_getaffinity(0)))')

# a department with one project: the header and the first 【项目】 of the 000 sample
awk '/^【项目】/{n++} n<2' "input/2025-汉沽管理区人力资源和社会保障局.txt" \
	| awk '/^【整体绩效目标】/{skip=1} /^【项目】/{skip=0} !skip' >"$tmp/one.txt"

# the county
$py tests/bench/county.py "$tmp/county" --departments "$depts" --projects "$projects"
# a first build of the county (not timed): a department that fails to build would be retried by
# every later build and spoil the no-op and revision timings, so it leaves the county (and is named)
echo "building the county once (not timed) …" >&2
if ! /usr/bin/time -f %M -o "$tmp/mem2" $bg build -q "$tmp/county" -o "$tmp/oc" >/dev/null 2>"$tmp/prep.err"; then
	for src in "$tmp/county"/*.txt; do
		name=$(sed -n 's/^部门：//p' "$src" | head -n 1)
		if grep -q "/2025-$name/" "$tmp/prep.err"; then
			echo "excluded from the county (it fails to build): $(basename "$src"): $(grep -m 1 "/2025-$name/" "$tmp/prep.err")" >&2
			rm "$src"
		fi
	done
fi
rm -rf "$tmp/oc"
depts=$(ls "$tmp/county"/*.txt | wc -l)

# a script that changes one project of one department (alternately +1 and back)
victim=$(ls "$tmp/county"/*.txt | sed -n '2p')
cp "$victim" "$tmp/victim.a"
$py - "$victim" "$tmp/victim.b" <<'PY'
import re, sys
from decimal import Decimal
s = open(sys.argv[1], encoding="utf-8").read()
at = s.index("【项目】", s.index("【项目】") + 1)  # the second project
m = re.search(r"预算数：([0-9.]+)\n财政资金：([0-9.]+)", s[at:])
t, f = Decimal(m.group(1)) + 1, Decimal(m.group(2)) + 1
open(sys.argv[2], "w", encoding="utf-8").write(s[:at + m.start()] + f"预算数：{t}\n财政资金：{f}" + s[at + m.end():])
PY
cat >"$tmp/flip.sh" <<EOF
if cmp -s "$victim" "$tmp/victim.a"; then cp "$tmp/victim.b" "$victim"; else cp "$tmp/victim.a" "$victim"; fi
EOF


echo "running the benchmarks (the county build takes a minute or more per run) …" >&2
hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$tmp/h1.json" \
	-n "seed-001 department, all formats (1 core)" \
	"$one_core $bg build -q -B -j 1 $dept -o $tmp/o1" \
	-n "one-project department, all formats (1 core)" \
	"$one_core $bg build -q -B -j 1 $tmp/one.txt -o $tmp/o2" >/dev/null
hyperfine --style basic --runs "$county_runs" --export-json "$tmp/h2.json" \
	--prepare "rm -rf $tmp/oc" \
	-n "county ${depts}×${projects}, from nothing (-j $cpus)" \
	"$bg build -q $tmp/county -o $tmp/oc" >/dev/null
$bg build -q "$tmp/county" -o "$tmp/oc" >/dev/null 2>&1 || true
hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$tmp/h3.json" \
	-n "county: no-op rebuild" \
	"$bg build -q $tmp/county -o $tmp/oc" >/dev/null
hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$tmp/h4.json" \
	--prepare "sh $tmp/flip.sh" \
	-n "county: one-project revision (4 files)" \
	"$bg build -q $tmp/county -o $tmp/oc" >/dev/null

# instructions: the machine's speed varies (a shared VM: up to 2× within an hour), the count of
# instructions does not — callgrind over the same build, when valgrind is installed
if command -v valgrind >/dev/null 2>&1; then
	valgrind --tool=callgrind --callgrind-out-file="$tmp/cg.out" $bg build -q -B -j 1 $dept -o "$tmp/o1" \
		>/dev/null 2>&1 || true
	callgrind_annotate "$tmp/cg.out" 2>/dev/null | sed -n 's/^ *\([0-9,]*\) .*PROGRAM TOTALS.*/\1/p' | tr -d , \
		>"$tmp/instr"
fi

# peak memory: GNU time's maximum resident set size covers the waited-for workers too
/usr/bin/time -f %M -o "$tmp/mem1" $one_core $bg build -q -B -j 1 $dept -o "$tmp/o1" >/dev/null 2>&1

$py - "$tmp" "$depts" "$projects" <<'PY'
import json, os, sys
tmp, depts, projects = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
rows = []
for name in ("h1.json", "h2.json", "h3.json", "h4.json"):
    rows += json.load(open(os.path.join(tmp, name)))["results"]

def size(d):
    return sum(os.path.getsize(os.path.join(r, f)) for r, dirs, fs in os.walk(d)
               for f in fs if ".budgetgen" not in r)

def files(d):
    return sum(len(fs) for r, dirs, fs in os.walk(d) if ".budgetgen" not in r)

targets = {0: 0.5, 2: 60.0, 3: 0.2, 4: 0.5}
print(f"{'benchmark':52} {'median':>9} {'min':>9} {'max':>9} {'stddev':>9} {'target':>8}")
for i, r in enumerate(rows):
    t = targets.get(i)
    mark = "" if t is None else (f"<{t:g}s " + ("ok" if r["median"] < t else "MISSED"))
    print(f"{r['command']:52} {r['median']:8.3f}s {r['min']:8.3f}s {r['max']:8.3f}s {r['stddev']:8.3f}s  {mark}")
per = (rows[0]["median"] - rows[1]["median"]) / 55
instr = open(os.path.join(tmp, "instr")).read().strip() if os.path.exists(os.path.join(tmp, "instr")) else ""
if instr:
    g = int(instr) / 1e9
    print(f"{'instructions, seed-001 department (callgrind)':52} {g:7.2f}G   "
          f"(this run: {g / rows[0]['median']:.1f} G/s on one core)")
print(f"{'time per project PDF (seed-001 − one-project) / 55':52} {per * 1000:7.1f}ms")
for label, f in (("peak memory, seed-001 department (1 core)", "mem1"), ("peak memory, county build", "mem2")):
    kb = int(open(os.path.join(tmp, f)).read().split()[-1])
    print(f"{label:52} {kb / 1024:7.1f}MB  {'<64MB ' + ('ok' if kb < 64 * 1024 else 'MISSED'):>14}")
print(f"{'output, seed-001 department':52} {size(os.path.join(tmp, 'o1')) / 1e6:7.2f}MB  ({files(os.path.join(tmp, 'o1'))} files)")
print(f"{f'output, county {depts}×{projects}':52} {size(os.path.join(tmp, 'oc')) / 1e6:7.1f}MB  ({files(os.path.join(tmp, 'oc'))} files)")
PY

# ---- Excel back end: the workbook alone (emit_xlsx over the booklet laid out once) ----------------
make -s build/unit/bench_emit_xlsx
$one_core build/unit/bench_emit_xlsx "$dept" 20

# ---- budgetgen import: the seed-001 department's .docx and .xlsx back into a source (one core) -----
$bg build -q -j 1 $dept -o "$tmp/oi" >/dev/null 2>&1
docx=$(find "$tmp/oi" -name '*.docx' | head -n 1)
xlsx=$(find "$tmp/oi" -name '*.xlsx' | head -n 1)
hyperfine -N -w 2 -r "$runs" --export-json "$tmp/hi.json" \
	-n "import seed-001 .docx (1 core)" "$one_core $bg import -o $tmp/i1.txt $docx" \
	-n "import seed-001 .xlsx (1 core)" "$one_core $bg import -o $tmp/i2.txt $xlsx" >/dev/null 2>&1
$py - "$tmp/hi.json" <<'PY'
import json, sys
for r in json.load(open(sys.argv[1]))["results"]:
    mark = "<0.2s " + ("ok" if r["median"] < 0.2 else "MISSED")
    print(f"{r['command']:52} {r['median']:8.3f}s {r['min']:8.3f}s {r['max']:8.3f}s {r['stddev']:8.3f}s  {mark}")
PY
