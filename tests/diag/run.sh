#!/bin/sh
# tests/diag/run.sh — golden diagnostic tests. Each case is a command whose stderr (then
# "--- stdout" and its stdout when there is any) and a last line "exit N" must equal a checked-in
# .expected file:
#   tests/diag/<case>.txt            `budgetgen check tests/diag/<case>.txt`, run from the repo root
#   tests/diag/cli/<case>.args       budgetgen with these arguments (one per line), from the root
#   tests/diag/cli/<case>.env        (optional) NAME=value words set in the environment of that case
#   tests/diag/generated/<case>.*    inputs written by this script into a temporary directory
#                                    (bytes we do not commit: invalid UTF-8, NUL, 1 MB lines, …)
# Files under tests/diag/include/ are fragments for 包含：, not cases. Finally every message of the
# table in gen/base/diag.c must appear in some .expected file under tests/ (other areas' golden files
# count too), or the run fails.
#
# usage: sh tests/diag/run.sh [--update] BUDGETGEN
#   --update   rewrite the .expected files from the current output (review them with git diff)
# Prints a FAIL block with a diff per failing case, then "N passed, M failed"; exits 1 on failure.
# The comparison, --update and the counting are tests/golden.sh's, shared with tests/hostile.

LC_ALL=C
export LC_ALL

golden_usage="sh tests/diag/run.sh"
. "$(dirname "$0")/../golden.sh"
case_env=

# run_case NAME EXPECTED DIR ARG… — runs budgetgen with ARG… in DIR and compares with EXPECTED.
run_case() {
	name=$1 expected=$2 dir=$3
	shift 3
	(cd "$dir" && env $case_env "$bin" "$@" >"$tmp/stdout" 2>"$tmp/stderr"; echo "exit $?" >"$tmp/status")
	{
		cat "$tmp/stderr"
		if [ -s "$tmp/stdout" ]; then
			echo "--- stdout"
			cat "$tmp/stdout"
		fi
		cat "$tmp/status"
	} >"$tmp/actual"
	golden_check "$name" "$tmp/actual" "$expected"
}

# ---- checked-in sources --------------------------------------------------------------------------

for src in tests/diag/*.txt tests/diag/seeds/*.txt; do
	[ -f "$src" ] || continue
	name=${src#tests/diag/}
	name=${name%.txt}
	run_case "$name" "tests/diag/$name.expected" "$root" check "$src"
done

# ---- command lines -------------------------------------------------------------------------------

for args in tests/diag/cli/*.args; do
	[ -f "$args" ] || continue
	name=${args#tests/diag/cli/}
	name=${name%.args}
	set --
	while IFS= read -r arg || [ -n "$arg" ]; do
		set -- "$@" "$arg"
	done <"$args"
	case_env=
	[ -f "tests/diag/cli/$name.env" ] && case_env=$(cat "tests/diag/cli/$name.env")
	run_case "cli/$name" "tests/diag/cli/$name.expected" "$root" "$@"
	case_env=
done

# ---- generated inputs ----------------------------------------------------------------------------

# A correct department of 12 lines; the generators below damage copies of it.
base_department() {
	cat <<'EOF'
部门：测试局
年度：2025
【项目】
项目名称：人才工作专项资金
预算数：90
财政资金：90
资金支出计划：25%，50%，75%，100%
绩效目标：组织开展大型联合人才招聘活动4次以上
绩效指标：
产出指标｜数量指标｜举办活动场次｜举办各类引才交流活动场次｜4次｜年初计划
效益指标｜社会效益指标｜宣传活动影响力｜宣传活动影响力｜100%影响｜年初计划
满意度指标｜服务对象满意度指标｜企业满意度｜对服务企业的满意度评价｜98%满意｜年初计划
EOF
}

# Byte count of a file or of standard input, without the padding some wc print.
bytes() {
	wc -c "$@" | awk '{ print $1 }'
}

# Writes the first N bytes of file IN to OUT (a file cut short, as by a failed copy).
cut_bytes() {
	dd if="$1" of="$3" bs=1 count="$2" 2>/dev/null
}

gen_invalid_utf8() { # lone 0xFF, an overlong '/', a surrogate, a stray continuation byte
	{
		base_department | sed -n '1,3p'
		printf '项目名称：人才\377工作专项资金\n'
		printf '资金用途：过长编码\300\257与代理项\355\240\200\n'
		base_department | sed -n '5,9p'
		printf '产出指标｜数量指标｜举办活动场次｜\200举办场次｜4次｜年初计划\n'
		base_department | sed -n '11,12p'
	} >invalid-utf8.txt
	echo invalid-utf8.txt
}

gen_nul_bytes() { # a NUL inside a value and a line that is a single NUL
	{
		base_department | sed -n '1,4p'
		printf '资金用途：用于\000招聘\n\000\n'
		base_department | sed -n '5,12p'
	} >nul-bytes.txt
	echo nul-bytes.txt
}

gen_long_line() { # a 1 MB single line (资金用途 of 349,530 characters)
	{
		base_department | sed -n '1,4p'
		awk 'BEGIN { printf "资金用途："; for (i = 0; i < 174765; i++) printf "测试"; printf "\n" }'
		base_department | sed -n '5,12p'
	} >long-line.txt
	echo long-line.txt
}

gen_truncated_char() { # cut after two of the three bytes of 满 in the last row
	base_department >full
	n=$(($(sed -n '1,11p' full | bytes) + $(printf '%s' '满意度指标｜服务对象满意度指标｜企业' | bytes) + 2))
	cut_bytes full "$n" truncated-char.txt
	rm full
	echo truncated-char.txt
}

gen_truncated_row() { # cut in the middle of the last row, at a character boundary
	base_department >full
	n=$(($(sed -n '1,11p' full | bytes) + $(printf '%s' '满意度指标｜服务对象满意度指标｜企业满意度' | bytes)))
	cut_bytes full "$n" truncated-row.txt
	rm full
	echo truncated-row.txt
}

gen_random_bytes() { # 2 KB from a fixed pseudo-random sequence (the same bytes on every run)
	printf "$(awk 'BEGIN { x = 2025; for (i = 0; i < 2048; i++) { x = (x * 75 + 74) % 65537; printf "\\%03o", x % 256 } }')" >random-bytes.txt
	echo random-bytes.txt
}

gen_empty_file() {
	: >empty-file.txt
	echo empty-file.txt
}

gen_bom_crlf() { # a byte order mark and CRLF line ends; errors on line 1 and further down
	{
		printf '\357\273\277'
		{
			echo '年度：20２5年'
			base_department | sed -n '1p;3,4p'
			echo '预算数：9O'
			base_department | sed -n '6,12p'
		} | awk '{ printf "%s\r\n", $0 }'
	} >bom-crlf.txt
	echo bom-crlf.txt
}

gen_control_chars() { # escape sequences and other control characters must not reach the terminal
	{
		base_department | sed -n '1,2p'
		printf '【收\007入\033[2J】\n'
		base_department | sed -n '3,4p'
		printf '预算数：9\033[31m0\n'
		base_department | sed -n '6,12p'
		printf '备注\033]0;title\007：x\177y\302\233z\n'
	} >control-chars.txt
	echo control-chars.txt
}

gen_forbidden_chars() { # U+FFFE, U+FFFF and C0 controls that XML (Word, Excel) cannot hold
	{
		base_department | sed -n '1,3p'
		printf '项目名称：人才工作\357\277\276专项资金\n'
		printf '资金用途：用于招聘\357\277\277活动\001和\037宣传\t（制表符可以）\r\n'
		base_department | sed -n '5,12p'
	} >forbidden-chars.txt
	echo forbidden-chars.txt
}

gen_include_missing() {
	{
		base_department | sed -n '1,2p'
		echo '包含：shared/名词解释.txt'
		base_department | sed -n '3,12p'
	} >include-missing.txt
	echo include-missing.txt
}

gen_include_cycle() { # main → a → b → a
	{
		base_department
		echo '包含：parts/a.txt'
	} >include-cycle.txt
	mkdir parts
	printf '# a\n包含：b.txt\n' >parts/a.txt
	printf '# b\n\n包含：a.txt\n' >parts/b.txt
	echo include-cycle.txt
}

gen_include_self() {
	{
		base_department
		echo '包含：include-self.txt'
	} >include-self.txt
	echo include-self.txt
}

gen_include_depth() { # a chain of 20 includes; the 16th nesting level is refused
	{
		base_department
		echo '包含：d1.txt'
	} >include-depth.txt
	i=1
	while [ $i -lt 20 ]; do
		printf '# 第 %d 层\n包含：d%d.txt\n' $i $((i + 1)) >d$i.txt
		i=$((i + 1))
	done
	echo '# 最后一层' >d20.txt
	echo include-depth.txt
}

gen_include_dir() { # 包含： names a directory
	mkdir shared
	{
		base_department
		echo '包含：shared'
	} >include-dir.txt
	echo include-dir.txt
}

gen_symlink_loop() { # a source and an include that are symbolic links to each other: no English
	ln -s loop-b.txt loop-a.txt
	ln -s loop-a.txt loop-b.txt
	{
		base_department
		echo '包含：loop-a.txt'
	} >symlink-loop.txt
	printf '%s\n' loop-a.txt symlink-loop.txt
}

gen_include_outside() { # 包含： a file above the source's directory, an absolute path, a link out
	mkdir dept
	echo '# 不该进入文档的文件' >secret.txt
	ln -s ../secret.txt dept/link.txt
	{
		base_department
		echo '包含：../secret.txt'
		echo '包含：/etc/passwd'
		echo '包含：link.txt'
	} >dept/include-outside.txt
	echo dept/include-outside.txt
}

gen_include_dir_option() { # --include-dir allows another directory (and a directory argument's tree)
	mkdir -p shared depts/sub
	printf '【整体绩效目标】\n总体绩效目标：\n做好人才工作。\n' >shared/overall.txt
	echo '# 目录参数之内的上一级也可以' >depts/common.txt
	{
		base_department | sed -n '1,2p'
		echo '包含：../../shared/overall.txt'
		echo '包含：../common.txt'
		base_department | sed -n '3,12p'
	} >depts/sub/include-dir-option.txt
	printf '%s\n' --include-dir shared depts
}

gen_file_too_big() { # 17 MB: refused before it is read into memory as text
	dd if=/dev/zero of=file-too-big.txt bs=1048576 count=17 2>/dev/null
	echo file-too-big.txt
}

gen_include_too_big() {
	dd if=/dev/zero of=big.txt bs=1048576 count=17 2>/dev/null
	{
		base_department
		echo '包含：big.txt'
	} >include-too-big.txt
	echo include-too-big.txt
}

gen_directory() { # `check DIR`: sources found recursively and in order; fragments, other files skipped
	mkdir -p dir/sub dir/.hidden
	base_department >dir/b.txt
	base_department | sed 's/^预算数：90$/预算数：92/' >dir/a.txt
	printf '# 片段：没有“部门：”，供包含用\n名词解释\n' >dir/fragment.txt
	base_department >dir/notes.md
	base_department >dir/.hidden/x.txt
	{
		printf '\357\273\277'
		base_department | sed 's/^部门：/　部门 ：/; s/^资金支出计划：.*$/资金支出计划：25%，50%，75%/'
	} >dir/sub/bom.txt
	base_department | sed 's/^部门：/部门名称：/; s/^预算数：90$/预算数：9x/' >dir/sub/alias.txt
	echo dir
}

generators="invalid_utf8 nul_bytes long_line truncated_char truncated_row random_bytes empty_file
	bom_crlf control_chars forbidden_chars include_missing include_cycle include_self include_depth include_dir
	file_too_big include_too_big directory symlink_loop include_outside include_dir_option"
for gen in $generators; do
	name=$(echo "$gen" | tr _ -)
	dir=$tmp/gen/$name
	mkdir -p "$dir"
	# a generator prints the paths to check, one per line
	set --
	while IFS= read -r target; do
		set -- "$@" "$target"
	done <<EOF
$(cd "$dir" && "gen_$gen")
EOF
	run_case "generated/$name" "tests/diag/generated/$name.expected" "$dir" check "$@"
	rm -rf "$dir"
done

# ---- damaged state files ------------------------------------------------------------------------

# A build into an OUT whose .budgetgen holds a journal deleting a file outside OUT and a manifest
# naming one: both are reported (tests/diag/state/damaged.expected) and never acted on.
dir=$tmp/state
mkdir -p "$dir/out/.budgetgen"
cp tests/diag/ok-example.txt "$dir/局.txt"
echo precious >"$dir/victim.txt"
key=0000000000000000000000000000000000000000000000000000000000000000
printf 'budgetgen journal 2\ndelete 9 0 ../victim.txt\ncommit\n' >"$dir/out/.budgetgen/x.journal"
printf 'budgetgen manifest 1\nsource %s\ngiven 局.txt\nname 局\ndir 局\nkey %s\noutput %s -1 0 ../victim.txt\nmessages 0\n' \
	"$dir/gone.txt" $key $key >"$dir/out/.budgetgen/y.manifest"
run_case state/damaged tests/diag/state/damaged.expected "$dir" build -q --layouts "$root/layouts" \
	--fonts "$root/fonts/roles.conf" --catalog "$root/layouts/catalog" 局.txt -o out
if [ ! -f "$dir/victim.txt" ]; then
	failed=$((failed + 1))
	echo "FAIL state/damaged: a damaged state file deleted a file outside OUT"
fi

# ---- no .expected without its case ----------------------------------------------------------------

for expected in tests/diag/*.expected tests/diag/cli/*.expected tests/diag/generated/*.expected; do
	[ -f "$expected" ] || continue
	case $expected in
	tests/diag/cli/*) input=${expected%.expected}.args ;;
	tests/diag/generated/*)
		name=${expected#tests/diag/generated/}
		name=$(echo "${name%.expected}" | tr - _)
		case " $(echo $generators) " in
		*" $name "*) continue ;;
		esac
		input="gen_$name in run.sh"
		;;
	*) input=${expected%.expected}.txt ;;
	esac
	if [ ! -f "$input" ]; then
		golden_fail "$expected: its case is gone (no $input)"
	fi
done

# ---- every message of the table is exercised ----------------------------------------------------

# Turns each entry of diag_messages[] into "CODE<tab>level<tab>ERE" (the format with its
# conversions as .*) and looks for a message line that matches it.
tab=$(printf '\t')
missing=
sed -n 's/^[[:space:]]*\[\(D_[A-Z0-9_]*\)\] = {DIAG_\([A-Z]*\), "[^"]*", "[^"]*", "\(.*\)"},$/\1'"$tab"'\2'"$tab"'\3/p' \
	gen/base/diag.c >"$tmp/table"
find tests -name '*.expected' -exec cat {} + >"$tmp/all-expected"
ncodes=$(grep -c '^D_' "$tmp/table")
if [ "$ncodes" -lt 1 ]; then
	missing=" (no message table found in gen/base/diag.c)"
fi
while IFS="$tab" read -r code level format; do
	level=$(echo "$level" | tr 'A-Z' 'a-z')
	re=$(printf '%s\n' "$format" | sed -e 's#[][\\.*^$+?(){}|]#\\&#g' -e 's#%%#@PCT@#g' \
		-e 's#%[-0-9.]*[lz]*[cdsuxX]#.*#g' -e 's#@PCT@#%#g')
	if ! grep -E -q "^.*: $level: $re\$" "$tmp/all-expected"; then
		missing="$missing $code"
	fi
done <"$tmp/table"
if [ -z "$missing" ]; then
	golden_pass
else
	golden_fail "coverage: no case shows$missing"
fi

golden_finish
