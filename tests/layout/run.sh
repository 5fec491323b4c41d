#!/bin/sh
# Layout tests as data: each tests/layout/<case>.txt is built with `budgetgen dump --pages`
# (the table pieces per page and every text line with its baseline) and compared with
# <case>.expected. The cases cover Chinese line breaking in cells, a table that breaks across
# pages (header row repeated, merged 一级/二级 labels shown again), and the booklet's TOC.
# Usage: run.sh [--update] BUDGETGEN
set -u
update=0
[ "${1:-}" = "--update" ] && { update=1; shift; }
bg=${1:?usage: run.sh [--update] BUDGETGEN}
dir=$(dirname "$0")
pass=0 fail=0
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for src in "$dir"/*.txt; do
	case=$(basename "$src" .txt)
	# a case may say which document to lay out: "# 版面：项目 N" or "# 版面：整本"
	what=$(sed -n 's/^# 版面：//p' "$src" | head -n 1)
	case "$what" in
	整本) args="" ;;
	项目*) args="--project ${what#项目 }" ;;
	*) args="--project 1" ;;
	esac
	# shellcheck disable=SC2086
	"$bg" dump --pages $args "$src" >"$tmp/$case.out" 2>"$tmp/$case.err"
	echo "exit $?" >>"$tmp/$case.out"
	if [ $update = 1 ]; then
		cp "$tmp/$case.out" "$dir/$case.expected"
		pass=$((pass + 1))
	elif diff -u "$dir/$case.expected" "$tmp/$case.out" >"$tmp/$case.diff" 2>&1; then
		pass=$((pass + 1))
	else
		fail=$((fail + 1))
		echo "FAIL: layout/$case"
		head -n 40 "$tmp/$case.diff"
		cat "$tmp/$case.err"
	fi
done
# structural facts, independent of exact positions: a form that fits on one page at 小五 is one
# page; one that cannot keeps three indicator rows or more on either page
if [ "$(grep -c '^page' "$dir/fit-smaller.expected")" = 1 ]; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL: layout/fit-smaller is not set on one page"
fi
if awk '/^  table .* rows [0-9]+-[0-9]+ after repeated header/ {
		split($0, a, " rows "); split(a[2], r, /[- ]/); if (r[2] - r[1] + 1 < 3) bad = 1; n++ }
	END { exit !(n >= 1 && !bad) }' "$dir/break-three.expected"; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL: layout/break-three leaves fewer than three rows on its second page"
fi
# the samples: no character alone on a last line, no code, amount or document number broken, and
# every project sheet on one page or broken with three rows or more on each side
if python3 "$dir/count.py" --check --max-widows 0 "$bg" "$dir"/../../input/*.txt >"$tmp/count.out"; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL: layout/count.py on the samples"
	cat "$tmp/count.out"
fi
# structural facts the long table must show, independent of exact positions
if grep -q "after repeated header, 2 merged label(s) shown again" "$dir/long-table.expected"; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL: layout/long-table does not repeat its header and merged labels"
fi
# a layout may print the 指标值 in the three columns of newer forms (指标性质 | 指标值 | 度量单位):
# the project layout with its indicator rows rewritten so, run from a directory holding it
mkdir -p "$tmp/three" && cp -R "$dir/../../layouts" "$tmp/three/layouts"
sed -i -e 's/标签 "绩效指标描述" 跨列 2 | 标签 "指标值" |/标签 "指标性质" | 标签 "指标值" | 标签 "度量单位" |/' \
	-e 's/文字 "{绩效指标描述}" 跨列 2 | 居中文字 "{指标值}" |/居中文字 "{指标性质}" | 居中文字 "{指标数值}" | 居中文字 "{度量单位}" |/' \
	"$tmp/three/layouts/project-full.layout"
src=$(cd "$dir/../.." && pwd)/input/2025-汉沽管理区人力资源和社会保障局.txt
case $bg in /*) abs=$bg ;; *) abs=$(pwd)/$bg ;; esac
(cd "$tmp/three" && "$abs" dump --tables --project 1 "$src" 2>/dev/null) >"$tmp/three.json"
if grep -qF '["一级指标", "二级指标", "三级指标", "指标性质", "指标值", "度量单位", "指标值确定依据"]' "$tmp/three.json" &&
	grep -qF '["产出指标", "数量指标", "举办活动场次", "＝", "4", "次", "年初计划"]' "$tmp/three.json" &&
	grep -qF '["", "质量指标", "项目完成率", "≥", "4", "次", "年初计划"]' "$tmp/three.json"; then
	pass=$((pass + 1))
else
	fail=$((fail + 1))
	echo "FAIL: layout/three columns: 指标性质 | 指标值 | 度量单位 not filled from the 指标值"
	head -n 20 "$tmp/three.json"
fi
echo "$pass passed, $fail failed"
[ $fail = 0 ]
