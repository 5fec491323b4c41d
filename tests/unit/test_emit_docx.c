/* test_emit_docx.c — the Word back end (emit_docx.h) on a hand-made document with what the
 * samples do not have: text needing XML escapes, blanks, tabs and line breaks; a form whose
 * repeated row sits below a header block (written as two tables), a table whose header is at
 * the top, a span across the repeat boundary (one table, nothing repeated), a hole in the grid,
 * hidden and visible headings with a table of contents and no page layout, a landscape numbered
 * section after an unnumbered one; then the package order and entry times, fixed dates,
 * reproducibility, and failures: a missing template directory, an unwritable path. The package
 * is read back with libzip and searched as text. Run from the repository root (fonts/roles.conf,
 * layouts/docx); prints "N passed, M failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "emit/docx.h"
#include "fixtures.h"
#include "unit.h"
#include "base/util.h"

static const doc_style wide_st = {.name = "宽边距", .role = FONT_ROLE_SONG, .size = 10500,
                                  .align = ALIGN_RIGHT, .valign = VALIGN_TOP,
                                  .line_height = 13650, .pad_x = 8000, .pad_y = 3402};
static const doc_style toc_st = {.name = "目录一级", .role = FONT_ROLE_HEI, .size = 16000,
                                 .line_height = 30000};
static const doc_style number_st = {.name = "页码", .role = FONT_ROLE_SONG, .size = 14000,
                                    .align = ALIGN_CENTER, .line_height = 18000};

/* The form: header block rows 0–1 (a label over both), the repeated row 2, then a label over
 * rows 3–5 and a row 6 with a hole at column 2. */
static const doc_cell form_cells[] = {
	{0, 0, 2, 1, "预算规模", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{0, 1, 1, 2, "A&B <甲>", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{1, 1, 1, 1, "  前后空格  ", &wide_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{1, 2, 1, 1, "第一行\n第二行\t制表", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{2, 0, 1, 1, "一级指标", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{2, 1, 1, 2, "三级指标", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{3, 0, 3, 1, "产出指标", &fx_cell_st, NUM_NONE, {0}, NULL, 0, true, NULL},
	{3, 1, 1, 2, "行3", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{4, 1, 1, 2, "行4", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{5, 1, 1, 2, "行5", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{6, 0, 1, 2, "缺一格", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
};

/* Header at the top: row 0 repeats. */
static const doc_cell top_cells[] = {
	{0, 0, 1, 1, "序号", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{0, 1, 1, 2, "项目", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{1, 0, 1, 3, "10.00", &fx_cell_st, NUM_AMOUNT, {10000000}, NULL, 0, false, NULL},
};

/* A label spanning rows 0–1 while row 1 should repeat: Word cannot, so nothing is marked. */
static const doc_cell cross_cells[] = {
	{0, 0, 2, 1, "跨界", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{0, 1, 1, 2, "甲", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{1, 1, 1, 2, "乙", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{2, 0, 1, 3, "丙", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
};

static doc_table make_table(const char *title, const doc_cell *cells, size_t n, int nrows,
                            int first, int count)
{
	return (doc_table){.kind = "test", .title = title, .sheet_name = title,
	                   .caption_left = "单位名称：测试", .caption_right = "单位：万元",
	                   .note = "注：测试。", .title_style = &fx_title_st,
	                   .caption_style = &fx_caption_st, .note_style = &fx_body_st, .ncols = 3,
	                   .col_widths = fx_widths3, .nrows = nrows, .cells = cells, .ncells = n,
	                   .repeat_first = first, .repeat_count = count, .border = 500};
}

static doc_table form, top, cross;
static doc_block cover_blocks[4], body_blocks[8];
static doc_section sections[2];
static doc_document doc;

static void make_document(void)
{
	form = make_table("1.表单", form_cells, sizeof form_cells / sizeof *form_cells, 7, 2, 1);
	top = make_table("2.表头在上", top_cells, 3, 2, 0, 1);
	cross = make_table("", cross_cells, 4, 3, 1, 1);
	cover_blocks[0] = (doc_block){.kind = BLOCK_SPACE, .space = MM(60)};
	cover_blocks[1] = (doc_block){.kind = BLOCK_PARAGRAPH, .style = &fx_body_st, .text = "封面"};
	cover_blocks[2] = (doc_block){.kind = BLOCK_TOC, .toc_levels = 3};
	cover_blocks[3] = (doc_block){.kind = BLOCK_PAGE_BREAK};
	body_blocks[0] = (doc_block){.kind = BLOCK_HEADING, .style = &fx_heading_st, .text = "第一部分",
	                             .level = 1, .in_toc = true, .anchor = 0, .keep_with_next = true};
	body_blocks[1] = (doc_block){.kind = BLOCK_PARAGRAPH, .style = &fx_body_st,
	                             .text = "正文 & “引号” <尖括号>"};
	body_blocks[2] = (doc_block){.kind = BLOCK_HEADING, .style = &fx_title_st, .text = "1.表单",
	                             .level = 3, .in_toc = true, .hidden = true, .anchor = 1};
	body_blocks[3] = (doc_block){.kind = BLOCK_TABLE, .table = &form};
	body_blocks[4] = (doc_block){.kind = BLOCK_PAGE_BREAK};
	body_blocks[5] = (doc_block){.kind = BLOCK_TABLE, .table = &top};
	body_blocks[6] = (doc_block){.kind = BLOCK_HEADING, .style = &fx_title_st, .text = "无题表",
	                             .level = 3, .in_toc = true, .hidden = true, .anchor = 2};
	body_blocks[7] = (doc_block){.kind = BLOCK_TABLE, .table = &cross};
	sections[0] = (doc_section){.page = fx_portrait, .numbered = false, .blocks = cover_blocks,
	                            .nblocks = 4};
	sections[1] = (doc_section){.page = fx_landscape, .numbered = true, .blocks = body_blocks,
	                            .nblocks = 8};
	doc = (doc_document){.title = "测试文档", .author = "测试部门", .subject = "2025年测试",
	                     .year = 2025, .page_number_format = "— {页} —",
	                     .page_number_style = &number_st, .toc_title_style = &fx_heading_st,
	                     .toc_styles = {&toc_st, &toc_st, &toc_st}, .sections = sections,
	                     .nsections = 2};
}

/* The body of document.xml is written as text ("<w:br/>"), the template's parts as Mini-XML saves
 * them ("<w:br />"): the checks below use the second spelling for both. Frees s. */
static char *empty_elements_spaced(char *s)
{
	if (!s)
		return NULL;
	size_t n = strlen(s), k = 0;
	char *out = malloc(2 * n + 1);
	for (size_t i = 0; i < n; i++) {
		if (s[i] == '/' && s[i + 1] == '>' && i > 0 && s[i - 1] != ' ')
			out[k++] = ' ';
		out[k++] = s[i];
	}
	out[k] = '\0';
	free(s);
	return out;
}

int main(void)
{
	char err[1024];
	font_set *fonts = fx_fonts(NULL);
	if (!CHECK(fonts != NULL))
		return unit_report();
	make_document();
	char dir[] = "/tmp/test_emit_docx.XXXXXX";
	if (!CHECK(mkdtemp(dir) != NULL))
		return unit_report();
	char a[128], b[128], c[128];
	snprintf(a, sizeof a, "%s/a.docx", dir);
	snprintf(b, sizeof b, "%s/b.docx", dir);
	snprintf(c, sizeof c, "%s/c.docx", dir);

	CHECK_INT_EQ(emit_docx(&doc, NULL, fonts, 1700000000, "layouts/docx", a, err, sizeof err), 0);
	CHECK_INT_EQ(emit_docx(&doc, NULL, fonts, 1700000000, "layouts/docx", b, err, sizeof err), 0);
	CHECK(fx_same_file(a, b));

	/* the package: content types first, every entry dated 1980-01-01 00:00 */
	int e = 0;
	zip_t *z = zip_open(a, ZIP_RDONLY, &e);
	if (CHECK(z != NULL)) {
		CHECK_STR_EQ(zip_get_name(z, 0, 0), "[Content_Types].xml");
		zip_int64_t n = zip_get_num_entries(z, 0);
		CHECK(n >= 10);
		for (zip_int64_t i = 0; i < n; i++) {
			zip_stat_t st;
			if (zip_stat_index(z, (zip_uint64_t)i, 0, &st) == 0)
				CHECK(st.mtime == 315532800 || st.mtime < 315619200); /* 1980-01-01, any TZ */
		}
		zip_close(z);
	}

	char *d = empty_elements_spaced(fx_zip_part(a, "word/document.xml"));
	if (CHECK(d != NULL)) {
		/* escapes, blanks, line breaks and tabs */
		CHECK(strstr(d, "A&amp;B &lt;甲&gt;") != NULL);
		CHECK(strstr(d, "正文 &amp; “引号” &lt;尖括号&gt;") != NULL);
		CHECK(strstr(d, "<w:t xml:space=\"preserve\">  前后空格  </w:t>") != NULL);
		/* a cell of two paragraphs ('\n' in the IR): one w:p each, in the same w:tc */
		const char *p1 = strstr(d, "<w:t>第一行</w:t></w:r></w:p><w:p>");
		const char *p2 = p1 ? strstr(p1, "<w:r><w:t>第二行</w:t><w:tab /><w:t>制表</w:t></w:r></w:p>") : NULL;
		const char *tc_end = p1 ? strstr(p1, "</w:tc>") : NULL;
		CHECK(p1 && p2 && tc_end && p2 < tc_end);
		/* the form as two tables joined by a hidden paragraph, then two single tables */
		CHECK_INT_EQ(fx_count(d, "<w:tbl>"), 4);
		CHECK_INT_EQ(fx_count(d, "<w:vanish />"), 1);
		CHECK_INT_EQ(fx_count(d, "<w:tblHeader />"), 2); /* form row 2 and the top table's row 0 */
		const char *second = strstr(d, "<w:vanish />");
		const char *tbl2 = second ? strstr(second, "<w:tbl>") : NULL;
		const char *hdr = tbl2 ? strstr(tbl2, "<w:tblHeader />") : NULL;
		const char *row2 = tbl2 ? strstr(tbl2, "</w:tr>") : NULL;
		CHECK(hdr && row2 && hdr < row2); /* the repeated row leads the second table */
		CHECK(tbl2 && strstr(tbl2, "一级指标") < strstr(tbl2, "产出指标"));
		/* merges: 预算规模, 产出指标 and 跨界 restart; 1 + 2 + 1 continuations */
		CHECK_INT_EQ(fx_count(d, "<w:vMerge w:val=\"restart\" />"), 3);
		CHECK_INT_EQ(fx_count(d, "<w:vMerge />"), 4);
		CHECK(fx_count(d, "<w:gridSpan w:val=\"2\" />") >= 6);
		CHECK(fx_count(d, "<w:gridSpan w:val=\"3\" />") >= 2);
		CHECK(strstr(d, "<w:tblLayout w:type=\"fixed\" />") != NULL);
		CHECK_INT_EQ(fx_count(d, "<w:cantSplit />"), 7 + 2 + 3);
		CHECK_INT_EQ(fx_count(d, "<w:gridCol w:w=\"2948\" />"), 3 * 4); /* 52 mm */
		CHECK(strstr(d, "<w:vAlign w:val=\"top\" />") != NULL);
		CHECK(strstr(d, "<w:tcMar><w:top w:w=\"68\" w:type=\"dxa\" /><w:left w:w=\"160\"") != NULL);
		/* the table of contents: links to bookmarks; no layout, so no page numbers */
		CHECK_INT_EQ(fx_count(d, "<w:hyperlink w:anchor=\"_Toc_bg"), 3);
		CHECK_INT_EQ(fx_count(d, "<w:bookmarkStart w:id="), 3);
		CHECK(strstr(d, "w:name=\"_Toc_bg1\" /><w:r><w:t>1.表单</w:t>") != NULL);
		CHECK(strstr(d, "w:leader=\"middleDot\"") != NULL);
		/* sections: the cover without page numbers, then landscape numbered from 1 */
		CHECK_INT_EQ(fx_count(d, "<w:sectPr>"), 2);
		CHECK_INT_EQ(fx_count(d, "w:orient=\"landscape\""), 1);
		CHECK_INT_EQ(fx_count(d, "<w:pgNumType w:start=\"1\" />"), 1);
		CHECK(strstr(d, "<w:pgSz w:w=\"16838\" w:h=\"11906\" w:orient=\"landscape\" />") != NULL);
		CHECK(strstr(d, "<w:pageBreakBefore />") != NULL);
		CHECK(strstr(d, "{{正文}}") == NULL);
		const char *last = strstr(d, "</w:body>");
		const char *sect = last ? last - strlen("</w:sectPr>") : NULL;
		CHECK(sect && strncmp(sect, "</w:sectPr>", strlen("</w:sectPr>")) == 0);
	}
	free(d);

	char *s = fx_zip_part(a, "word/styles.xml");
	if (CHECK(s != NULL)) {
		CHECK(strstr(s, "w:eastAsia=\"宋体\"") != NULL);
		CHECK(strstr(s, "w:ascii=\"Times New Roman\"") != NULL);
		CHECK(strstr(s, "<w:sz w:val=\"21\" />") != NULL);  /* 五号 */
		CHECK(strstr(s, "<w:sz w:val=\"32\" />") != NULL);  /* 三号 */
		CHECK(strstr(s, "w:line=\"580\" w:lineRule=\"exact\"") != NULL);
		CHECK(strstr(s, "w:firstLine=\"640\"") != NULL);
		CHECK(strstr(s, "<w:basedOn w:val=\"Heading1\" />") != NULL);
		CHECK(strstr(s, "<w:basedOn w:val=\"Heading3\" />") != NULL); /* 表题: hidden heading */
		CHECK(strstr(s, "<w:name w:val=\"表格文字\" />") != NULL);
		CHECK_INT_EQ(fx_count(s, "<w:name w:val=\"正文\" />"), 0); /* it is Word's default style */
	}
	free(s);
	char *f = fx_zip_part(a, "word/footer1.xml");
	CHECK(f && strstr(f, "<w:t xml:space=\"preserve\">— </w:t></w:r>"
	                     "<w:fldSimple w:instr=\" PAGE \">"));
	free(f);
	char *core = fx_zip_part(a, "docProps/core.xml");
	CHECK(core && strstr(core, ">2023-11-14T22:13:20Z</dcterms:created>"));
	CHECK(core && strstr(core, "<dc:title>测试文档</dc:title>"));
	free(core);
	CHECK_INT_EQ(emit_docx(&doc, NULL, fonts, -1, "layouts/docx", c, err, sizeof err), 0);
	core = fx_zip_part(c, "docProps/core.xml");
	CHECK(core && strstr(core, ">2000-01-01T00:00:00Z</dcterms:modified>"));
	free(core);

	/* a fitted form (paginate.h: pg_table_rows.set): Word has the columns and the cell size of
	 * the table as set, not of the document's table; copies of a style at its own size share
	 * its Word style */
	static doc_style small_st, same_st;
	small_st = fx_cell_st;
	small_st.size = 9000;
	small_st.line_height = 11700;
	same_st = fx_cell_st;
	static const mpt fitted_widths[3] = {MM(40), MM(60), MM(56)};
	static doc_cell fitted_cells[sizeof form_cells / sizeof *form_cells];
	for (size_t i = 0; i < sizeof form_cells / sizeof *form_cells; i++) {
		fitted_cells[i] = form_cells[i];
		fitted_cells[i].style = i == 0 ? &same_st : &small_st;
	}
	doc_table fitted = form;
	fitted.col_widths = fitted_widths;
	fitted.cells = fitted_cells;
	static const mpt form_heights[7] = {MM(8), MM(8), MM(8), MM(8), MM(8), MM(8), MM(8)};
	pg_table_rows fitted_rows = {.table = &form, .set = &fitted, .heights = form_heights};
	pg_result fitted_pages = {.tables = &fitted_rows, .ntables = 1, .tables_cap = 1};
	CHECK_INT_EQ(emit_docx(&doc, &fitted_pages, fonts, -1, "layouts/docx", c, err, sizeof err), 0);
	d = empty_elements_spaced(fx_zip_part(c, "word/document.xml"));
	if (CHECK(d != NULL)) {
		/* the form's two w:tbl at 40/60/56 mm, the other two tables at the layout's 52 mm */
		CHECK_INT_EQ(fx_count(d, "<w:gridCol w:w=\"2268\" />"), 2);
		CHECK_INT_EQ(fx_count(d, "<w:gridCol w:w=\"3401\" />"), 2); /* edges rounded */
		CHECK_INT_EQ(fx_count(d, "<w:gridCol w:w=\"3175\" />"), 2);
		CHECK_INT_EQ(fx_count(d, "<w:gridCol w:w=\"2948\" />"), 3 * 2);
		CHECK(strstr(d, "<w:tcW w:w=\"5669\" w:type=\"dxa\" />") != NULL); /* 40 + 60 mm */
		CHECK_INT_EQ(fx_count(d, "<w:trHeight w:val=\"454\" w:hRule=\"atLeast\" />"), 7);
	}
	free(d);
	s = fx_zip_part(c, "word/styles.xml");
	if (CHECK(s != NULL)) {
		CHECK(strstr(s, "<w:sz w:val=\"18\" />") != NULL); /* 小五 */
		CHECK(strstr(s, "w:line=\"234\" w:lineRule=\"exact\"") != NULL);
		CHECK_INT_EQ(fx_count(s, "<w:name w:val=\"表格文字"), 2); /* 五号 and 小五, not one per copy */
	}
	free(s);

	/* failures leave nothing behind */
	unlink(c);
	CHECK_INT_EQ(emit_docx(&doc, NULL, fonts, -1, "no/such/dir", c, err, sizeof err), -1);
	CHECK(strstr(err, "no/such/dir/[Content_Types].xml") && strstr(err, "部件"));
	CHECK(access(c, F_OK) != 0);
	char bad[160];
	snprintf(bad, sizeof bad, "%s/missing/x.docx", dir);
	CHECK_INT_EQ(emit_docx(&doc, NULL, fonts, -1, "layouts/docx", bad, err, sizeof err), -1);
	CHECK(strstr(err, bad) != NULL);

	unlink(a);
	unlink(b);
	rmdir(dir);
	font_set_free(fonts);
	return unit_report();
}
