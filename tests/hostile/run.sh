#!/bin/sh
# tests/hostile/run.sh — hostile inputs: broken Word templates, corrupt fonts, impossible layouts
# and sources whose tables would be enormous. Each case is a generator gen_<case> below: run in an
# empty directory, it writes its inputs there — copies of layouts/, fonts/roles.conf and
# tests/oom/small.txt, damaged — and prints budgetgen's arguments, one per line; what it does not
# copy is linked to the real one, so that budgetgen finds layouts/ and fonts/ there as in a
# checkout and names every file by its short relative path. budgetgen then
# runs in that directory under `timeout 60` and `ulimit -v` (4 GB of address space): bounded time
# and memory. Its stderr, a line "exit N" and the documents left under out/ must equal
# tests/hostile/<case>.expected: the message must name the file at fault, in Chinese, and a
# failed build must leave no file behind.
#
# What does not apply: the Word templates are a directory of XML files (layouts/docx), not a .docx,
# so there is no zip to unpack — no zip bomb, no entry name with ../ to escape by, no compression
# ratio to bound; a .docx (a zip) put in place of a part is simply "not XML" (template-zip), and
# part names are fixed in emit_docx.c, never taken from the template. Relationship targets in
# word/_rels are copied into the package, never opened. Mini-XML expands no DTD entities, so
# "billion laughs" is refused as malformed (template-entities). A symbolic link in the template
# directory is followed wherever it points (the directory is the installer's, like layouts/):
# what it points at is checked like any part (template-symlink-outside, template-fifo).
#
# usage: sh tests/hostile/run.sh [--update] BUDGETGEN
# Prints "FAIL case" with a diff for each difference, then "N passed, M failed". The comparison,
# --update and the counting are tests/golden.sh's, shared with tests/diag; an .expected file
# whose case is gone fails too.

LC_ALL=C.UTF-8
export LC_ALL
golden_usage="sh tests/hostile/run.sh"
. "$(dirname "$0")/../golden.sh"

# ---- helpers (run inside the case directory) -------------------------------------------------------

dept() { cp "$root/tests/oom/small.txt" dept.txt; }
layouts() { cp -R "$root/layouts" layouts; }
fonts() { mkdir -p fonts && cp "$root/fonts/roles.conf" fonts/; }
# N pseudo-random bytes from SEED, the same on every run
random_bytes() {
	awk -v n="$1" -v x="$2" 'BEGIN { for (i = 0; i < n; i++) { x = (x * 75 + 74) % 65537; printf "%c", x % 256 } }'
}
# the arguments of a build of dept.txt (budgetgen finds layouts/ and fonts/roles.conf in the
# case directory: the damaged copies, or links to the real ones)
build_args() {
	printf '%s\n' build -q -o out dept.txt
}
# replaces the 西文 role's font with FILE in fonts/roles.conf
latin_font() {
	sed -i "s|^font   = /usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf|font   = $1|" fonts/roles.conf
}

# ---- Word templates (layouts/docx) ------------------------------------------------------------------

gen_template_not_xml() { # word/styles.xml is 4 KB of random bytes
	dept; layouts
	random_bytes 4096 11 >layouts/docx/word/styles.xml
	build_args
}
gen_template_zip() { # word/document.xml is a zip (a .docx saved in its place)
	dept; layouts
	python3 -c '
import zipfile
with zipfile.ZipFile("layouts/docx/word/document.xml", "w") as z:
    z.writestr(zipfile.ZipInfo("word/document.xml", (1980, 1, 1, 0, 0, 0)), "<w:document/>")'
	build_args
}
gen_template_huge() { # word/document.xml of 17 MB (the limit is 16 MB)
	dept; layouts
	{ head -c 17000000 /dev/zero | tr '\0' ' '; cat "$root/layouts/docx/word/document.xml"; } >layouts/docx/word/document.xml.new
	mv layouts/docx/word/document.xml.new layouts/docx/word/document.xml
	build_args
}
gen_template_deep() { # 100,000 nested elements in the body of word/document.xml
	dept; layouts
	awk '{ print } /<w:body>/ { for (i = 0; i < 100000; i++) printf "<w:sdt>"; for (i = 0; i < 100000; i++) printf "</w:sdt>"; print "" }' \
		"$root/layouts/docx/word/document.xml" >layouts/docx/word/document.xml
	build_args
}
gen_template_deep_unclosed() { # 2,000,000 nested elements never closed
	dept; layouts
	awk '{ print } /<w:body>/ { for (i = 0; i < 2000000; i++) printf "<a>"; print "" }' \
		"$root/layouts/docx/word/document.xml" >layouts/docx/word/document.xml
	build_args
}
gen_template_wide() { # 1,000,000 empty paragraphs around the placeholder: accepted, bounded
	dept; layouts
	awk '{ print } /<w:body>/ { for (i = 0; i < 1000000; i++) printf "<w:p/>"; print "" }' \
		"$root/layouts/docx/word/document.xml" >layouts/docx/word/document.xml
	build_args
}
gen_template_entities() { # "billion laughs": entities defined in a DOCTYPE and used 10^9 times
	dept; layouts
	awk 'NR == 1 { print; print "<!DOCTYPE w:styles [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;\"><!ENTITY c \"&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;\"><!ENTITY d \"&c;&c;&c;&c;&c;&c;&c;&c;&c;&c;\"><!ENTITY e \"&d;&d;&d;&d;&d;&d;&d;&d;&d;&d;\"><!ENTITY f \"&e;&e;&e;&e;&e;&e;&e;&e;&e;&e;\"><!ENTITY g \"&f;&f;&f;&f;&f;&f;&f;&f;&f;&f;\"><!ENTITY h \"&g;&g;&g;&g;&g;&g;&g;&g;&g;&g;\"><!ENTITY i \"&h;&h;&h;&h;&h;&h;&h;&h;&h;&h;\">]>"; next }
		/<\/w:styles>/ { sub(/<\/w:styles>/, "<w:x>\\&i;</w:x></w:styles>") } { print }' \
		"$root/layouts/docx/word/styles.xml" >layouts/docx/word/styles.xml
	build_args
}
gen_template_missing_part() { # _rels/.rels is gone
	dept; layouts
	rm layouts/docx/_rels/.rels
	build_args
}
gen_template_empty_part() { # word/footer2.xml is empty
	dept; layouts
	: >layouts/docx/word/footer2.xml
	build_args
}
gen_template_dir_part() { # word/settings.xml is a directory
	dept; layouts
	rm layouts/docx/word/settings.xml
	mkdir layouts/docx/word/settings.xml
	build_args
}
gen_template_fifo() { # word/fontTable.xml is a named pipe: refused at once, not waited on
	dept; layouts
	rm layouts/docx/word/fontTable.xml
	mkfifo layouts/docx/word/fontTable.xml
	build_args
}
gen_template_symlink_outside() { # word/styles.xml is a link to a file outside the templates
	dept; layouts
	rm layouts/docx/word/styles.xml
	ln -s ../../../dept.txt layouts/docx/word/styles.xml
	build_args
}
gen_template_nul() { # a NUL byte inside word/document.xml
	dept; layouts
	{ head -c 200 "$root/layouts/docx/word/document.xml"; printf '\000'; tail -c +201 "$root/layouts/docx/word/document.xml"; } >layouts/docx/word/document.xml
	build_args
}
gen_template_cut_in_tag() { # docProps/app.xml cut inside the root element's start tag
	dept; layouts
	grep -b -o '<Properties' "$root/layouts/docx/docProps/app.xml" | head -n 1 | cut -d: -f1 >cut
	head -c $(($(cat cut) + 30)) "$root/layouts/docx/docProps/app.xml" >layouts/docx/docProps/app.xml
	rm cut
	build_args
}

# ---- fonts (fonts/roles.conf) -----------------------------------------------------------------------

gen_font_truncated() { # the 西文 font cut to 100 KB (inside its glyf table)
	dept; fonts
	head -c 100000 /usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf >fonts/cut.ttf
	latin_font cut.ttf
	build_args
}
gen_font_random() { # 50 KB of random bytes named .ttf
	dept; fonts
	random_bytes 50000 7 >fonts/random.ttf
	latin_font random.ttf
	build_args
}
gen_font_empty() {
	dept; fonts
	: >fonts/empty.ttf
	latin_font empty.ttf
	build_args
}
gen_font_ttc_index() { # a collection with no face 99
	dept; fonts
	latin_font '/usr/share/fonts/truetype/arphic/uming.ttc#99'
	build_args
}
gen_font_fifo() { # the font is a named pipe: refused at once, not waited on
	dept; fonts
	mkfifo fonts/pipe.ttf.conf-only
	latin_font pipe.ttf.conf-only
	build_args
}
gen_font_dropin_fifo() { # a named pipe called *.ttf dropped into the fonts directory
	dept; fonts
	mkfifo fonts/dropped.ttf
	build_args
}
gen_font_dropin_garbage() { # random bytes called simsun.ttf dropped into the fonts directory
	dept; fonts
	random_bytes 30000 5 >fonts/simsun.ttf
	build_args
}

# ---- catalogues (layouts/catalog) ----------------------------------------------------------------------

gen_catalog_binary() { # 功能分类.txt is random bytes; the source has budget data, so it is read
	dept; layouts
	random_bytes 3000 13 >layouts/catalog/功能分类.txt
	printf '\n【机构设置】\n测试局本级｜行政｜副处（县）级｜财政拨款\n' >>dept.txt
	printf '%s\n' check dept.txt
}

# ---- layouts (layouts/*.layout) ----------------------------------------------------------------------

# sets KEY's value in layout FILE (the first line starting with KEY)
set_layout() {
	awk -v k="$2" -v v="$3" 'index($0, k) == 1 && !done { print k v; done = 1; next } { print }' "layouts/$1" >"layouts/$1.new"
	mv "layouts/$1.new" "layouts/$1"
}
gen_layout_widths_sum() { # column widths that do not add up to the text width
	dept; layouts
	set_layout project-full.layout '列宽 = ' '18 20 24 29 16 20 40'
	build_args
}
gen_layout_width_zero() {
	dept; layouts
	set_layout project-full.layout '列宽 = ' '18 20 24 29 0 36 29'
	build_args
}
gen_layout_width_negative() {
	dept; layouts
	set_layout project-full.layout '列宽 = ' '18 20 24 29 -16 52 29'
	build_args
}
gen_layout_1000_columns() {
	dept; layouts
	set_layout project-full.layout '列宽 = ' "$(awk 'BEGIN { for (i = 0; i < 1000; i++) printf "3 " }')"
	build_args
}
gen_layout_span_too_big() { # 跨列 9999
	dept; layouts
	set_layout project-full.layout '用途     = ' '文字 "{资金用途}" 跨列 9999'
	build_args
}
gen_layout_row_too_wide() { # a row whose cells span 8 of the 7 columns
	dept; layouts
	set_layout project-full.layout '用途     = ' '文字 "{资金用途}" 跨列 7'
	build_args
}
gen_layout_rowspan_beyond() { # a cell spanning 64 rows, past the end of the table
	dept; layouts
	set_layout project-full.layout '指标     = ' '居中文字 "{一级指标}" 跨行 64 合并 | 居中文字 "{二级指标}" 合并 | 文字 "{三级指标}" | 文字 "{绩效指标描述}" 跨列 2 | 居中文字 "{指标值}" | 文字 "{指标值确定依据}"'
	build_args
}
gen_layout_size_zero() { # a style of size 0
	dept; layouts
	set_layout project-full.layout '文字 = ' '宋体 0pt 左 居中 内边距 1.2mm 1.2mm'
	build_args
}
gen_layout_huge_number() {
	dept; layouts
	set_layout project-full.layout '文字 = ' '宋体 五号 左 居中 行距 1e300mm 内边距 1.2mm 1.2mm'
	build_args
}
gen_layout_padding_huge() { # 内边距 wider than any column
	dept; layouts
	set_layout project-full.layout '文字 = ' '宋体 五号 左 居中 内边距 50mm 1.2mm'
	build_args
}
gen_layout_margins() { # margins that leave 10 mm of page
	dept; layouts
	set_layout document.layout '纵向 = ' 'A4 纵向 37 100 35 100'
	build_args
}
gen_layout_binary() { # a table layout of random bytes
	dept; layouts
	random_bytes 2000 3 >layouts/project-full.layout
	build_args
}
gen_layout_huge_file() { # a table layout of 2 MB (the limit is 1 MB)
	dept; layouts
	{ cat "$root/layouts/project-full.layout"; head -c 2000000 /dev/zero | tr '\0' '#'; } >layouts/project-full.layout
	build_args
}

# ---- sources: enormous tables (limits in docs/language.md §7), devices, directory loops -------------

gen_million_rows() { # a project with 1,000,000 indicator rows (10 MB)
	sed -n '1,/^绩效指标：/p' "$root/tests/oom/small.txt" >dept.txt
	echo '产出指标|数量指标|a|b|1|c' >>dept.txt
	awk 'BEGIN { for (i = 1; i < 1000000; i++) print "||a|b|1|c" }' >>dept.txt
	printf '%s\n' check dept.txt
}
gen_rows_per_department() { # 101 projects of 200 rows: 20,200 rows
	sed -n '1,/^【项目】/p' "$root/tests/oom/small.txt" | sed '$d' >dept.txt
	awk 'BEGIN { for (p = 1; p <= 101; p++) {
		printf "【项目】\n项目名称：项目%d\n预算数：1\n财政资金：1\n资金支出计划：25%%，50%%，75%%，100%%\n绩效目标：目标%d\n绩效指标：\n", p, p
		print "产出指标|数量指标|a|b|1次|c"; for (i = 1; i < 198; i++) print "||a|b|1次|c"
		print "效益指标|社会效益指标|a|b|1次|c"; print "满意度指标|服务对象满意度指标|a|b|1次|c" } }' >>dept.txt
	printf '%s\n' check dept.txt
}
gen_too_many_projects() { # 1,001 projects
	sed -n '1,/^【项目】/p' "$root/tests/oom/small.txt" | sed '$d' >dept.txt
	awk 'BEGIN { for (p = 1; p <= 1001; p++) {
		printf "【项目】\n项目名称：项目%d\n预算数：1\n财政资金：1\n资金支出计划：25%%，50%%，75%%，100%%\n绩效目标：目标%d\n绩效指标：\n", p, p
		print "产出指标|数量指标|a|b|1次|c"; print "效益指标|社会效益指标|a|b|1次|c"; print "满意度指标|服务对象满意度指标|a|b|1次|c" } }' >>dept.txt
	printf '%s\n' check dept.txt
}
gen_too_many_goals() { # 51 绩效目标 in one project
	awk '/^绩效目标：/ { for (i = 1; i <= 51; i++) printf "绩效目标：目标%d\n", i; next } { print }' \
		"$root/tests/oom/small.txt" >dept.txt
	printf '%s\n' check dept.txt
}
gen_too_many_orgs() { # 【机构设置】 of 6,000 units: a 6,000-row table
	dept
	{ echo; echo '【机构设置】'; awk 'BEGIN { for (i = 1; i <= 6000; i++) printf "单位%d｜行政｜副处（县）级｜财政拨款\n", i }'; } >>dept.txt
	printf '%s\n' check dept.txt
}
gen_cell_taller_than_page() { # 资金用途 of 4,800 characters: one table row taller than a page
	awk '/^资金用途：/ { printf "资金用途："; for (i = 0; i < 800; i++) printf "组织招聘活动"; print ""; next } { print }' \
		"$root/tests/oom/small.txt" >dept.txt
	build_args
}
gen_long_prose() { # 总体绩效目标 of 20 paragraphs of 19,000 characters: many pages, handled
	awk '{ print } /^总体绩效目标：/ { for (l = 0; l < 20; l++) { for (i = 0; i < 1900; i++) printf "人才工作专项资金"; print "" } }' \
		"$root/tests/oom/small.txt" | sed '/^做好人才工作。$/d' >dept.txt
	build_args
}

gen_source_fifo() { # the source named on the command line is a named pipe
	mkfifo dept.txt
	printf '%s\n' check dept.txt
}
gen_include_device() { # 包含： a pipe and /dev/zero: each refused at once (so is a terminal)
	dept
	mkfifo pipe.txt
	printf '包含：pipe.txt\n包含：/dev/zero\n' >>dept.txt
	printf '%s\n' check --include-dir /dev dept.txt
}
gen_include_fanout() { # 6 files of 2 KB, each including the next 20 times: 3.2 million inclusions
	sed -n '4,9p' "$root/tests/oom/small.txt" >dept.txt
	echo '包含：f1.txt' >>dept.txt
	sed -n '10,21p' "$root/tests/oom/small.txt" >>dept.txt
	for i in 1 2 3 4 5; do
		{
			awk 'BEGIN { for (i = 0; i < 60; i++) printf "做好人才工作。"; print "" }'
			awk -v n=$((i + 1)) 'BEGIN { for (k = 0; k < 20; k++) printf "包含：f%d.txt\n", n }'
		} >f$i.txt
	done
	awk 'BEGIN { for (i = 0; i < 100; i++) printf "做好人才工作。"; print "" }' >f6.txt
	printf '%s\n' check dept.txt
}
gen_blank_lines() { # 16 MB of empty lines: 16 million records before the line limit
	cp "$root/tests/oom/small.txt" dept.txt
	head -c 16000000 /dev/zero | tr '\0' '\n' >>dept.txt
	printf '%s\n' check dept.txt
}
gen_include_lines() { # 700,000 empty lines included twice: over the department's line limit
	sed -n '4,9p' "$root/tests/oom/small.txt" >dept.txt
	printf '包含：blank.txt\n包含：blank.txt\n包含：blank.txt\n' >>dept.txt
	sed -n '10,21p' "$root/tests/oom/small.txt" >>dept.txt
	head -c 700000 /dev/zero | tr '\0' '\n' >blank.txt
	printf '%s\n' check dept.txt
}
gen_directory_loop() { # a directory with a symbolic link back to itself: each source found once
	mkdir -p srcs/sub
	cp "$root/tests/oom/small.txt" srcs/sub/dept.txt
	ln -s .. srcs/sub/up
	printf '%s\n' check srcs
}

# ---- budgetgen import: Word and Excel documents from elsewhere ---------------------------------------

# a .docx or .xlsx from python: ENTRY=TEXT pairs on stdin are not needed, the script is given inline
zip_of() { # zip_of FILE PYTHON-STATEMENTS (z is the open ZipFile)
	python3 -c "
import zipfile
with zipfile.ZipFile('$1', 'w', zipfile.ZIP_DEFLATED) as z:
$2"
}
gen_import_not_zip() { # a .docx of random bytes
	random_bytes 4096 7 >x.docx
	printf '%s\n' import x.docx
}
gen_import_zip_bomb() { # word/document.xml of 300 MB of blanks (300 KB compressed)
	zip_of bomb.docx "
    z.writestr('[Content_Types].xml', '<Types/>')
    with z.open('word/document.xml', 'w', force_zip64=True) as f:
        for i in range(300):
            f.write(b' ' * (1 << 20))"
	printf '%s\n' import bomb.docx
}
gen_import_traversal() { # an entry named ../../evil.txt beside a valid document
	zip_of trav.docx "
    z.writestr('word/document.xml', '<w:document xmlns:w=\"w\"><w:body/></w:document>')
    z.writestr('../../evil.txt', 'x')"
	printf '%s\n' import trav.docx
}
gen_import_deep_xml() { # 100,000 nested elements in word/document.xml
	zip_of deep.docx "
    z.writestr('word/document.xml', '<w:document xmlns:w=\"w\"><w:body>' + '<w:sdt>' * 100000 + '</w:sdt>' * 100000 + '</w:body></w:document>')"
	printf '%s\n' import deep.docx
}
gen_import_huge_sheet() { # a worksheet of 100 MB (one row, the same cell repeated)
	zip_of huge.xlsx "
    z.writestr('xl/workbook.xml', '<workbook><sheets><sheet name=\"a\" r:id=\"rId1\" xmlns:r=\"r\"/></sheets></workbook>')
    with z.open('xl/worksheets/sheet1.xml', 'w', force_zip64=True) as f:
        f.write(b'<worksheet><sheetData><row r=\"1\">')
        cell = b'<c t=\"inlineStr\"><is><t>x</t></is></c>'
        for i in range(100):
            f.write(cell * ((1 << 20) // len(cell)))
        f.write(b'</row></sheetData></worksheet>')"
	printf '%s\n' import huge.xlsx
}
gen_import_no_department() { # a valid .docx with text but no department and year
	zip_of none.docx "
    z.writestr('word/document.xml', '<w:document xmlns:w=\"w\"><w:body><w:p><w:r><w:t>会议纪要</w:t></w:r></w:p></w:body></w:document>')"
	printf '%s\n' import none.docx
}

cases="template_not_xml template_zip template_huge template_deep template_deep_unclosed template_wide
	template_entities template_missing_part template_empty_part template_dir_part template_fifo
	template_symlink_outside template_nul template_cut_in_tag
	font_truncated font_random font_empty font_ttc_index font_fifo font_dropin_fifo font_dropin_garbage
	catalog_binary
	layout_widths_sum layout_width_zero layout_width_negative layout_1000_columns layout_span_too_big
	layout_row_too_wide layout_rowspan_beyond layout_size_zero layout_huge_number layout_padding_huge
	layout_margins layout_binary layout_huge_file
	million_rows rows_per_department too_many_projects too_many_goals too_many_orgs
	cell_taller_than_page long_prose source_fifo include_device include_fanout blank_lines include_lines
	directory_loop
	import_not_zip import_zip_bomb import_traversal import_deep_xml import_huge_sheet import_no_department"

for c in $cases; do
	name=$(echo "$c" | tr _ -)
	dir=$tmp/$name
	mkdir -p "$dir"
	(cd "$dir" && "gen_$c" >"$tmp/args")
	[ -e "$dir/layouts" ] || ln -s "$root/layouts" "$dir/layouts"
	[ -e "$dir/fonts" ] || ln -s "$root/fonts" "$dir/fonts"
	set --
	while IFS= read -r arg; do
		set -- "$@" "$arg"
	done <"$tmp/args"
	(
		cd "$dir" || exit 2
		ulimit -v 4194304
		timeout 60 "$bin" "$@" >"$tmp/stdout" 2>"$tmp/stderr"
		echo "exit $?" >"$tmp/status"
	)
	{
		cat "$tmp/stderr"
		cat "$tmp/status"
		# the documents left (out/.budgetgen/ is the build's bookkeeping, not a document)
		files=$(cd "$dir" && find out -path out/.budgetgen -prune -o -type f -print 2>/dev/null | sort)
		if [ -n "$files" ]; then
			echo "--- files"
			echo "$files"
		fi
	} >"$tmp/actual"
	golden_check "$name" "$tmp/actual" "tests/hostile/$name.expected"
	rm -rf "$dir"
done

# no .expected without its case
for expected in tests/hostile/*.expected; do
	name=${expected#tests/hostile/}
	name=$(echo "${name%.expected}" | tr - _)
	case " $(echo $cases) " in
	*" $name "*) ;;
	*) golden_fail "$expected: its case is gone (no gen_$name in run.sh)" ;;
	esac
done

golden_finish
