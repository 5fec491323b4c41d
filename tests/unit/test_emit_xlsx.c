/* test_emit_xlsx.c — the Excel back end (emit_xlsx.h) on a hand-made document with what the
 * samples do not have: SUM totals, a 12.5% percentage, duplicate and over-long sheet names
 * (also differing only in case), a landscape section, a merged label crossing a page break,
 * a paragraph taller than Excel's tallest row, running text besides 整体绩效目标, a part's
 * heading above its first table, a table paginate fitted (a narrower column, 小五); then
 * reproducibility, the creation date and a write failure. The workbook is read back with
 * libzip and searched as text. Run from the repository root (fonts/roles.conf); prints
 * "N passed, M failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "emit/xlsx.h"
#include "fixtures.h"
#include "unit.h"
#include "base/util.h"

static const int sum_parts[2] = {1, 2};

/* The main table: amounts and their SUM, percentages, an empty cell, a header row that repeats,
 * and the label 产出指标 over rows 4–7, which the heights below break between rows 5 and 6. */
static const doc_cell main_cells[] = {
	{0, 0, 1, 1, "甲", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{0, 1, 1, 1, "10.50", &fx_cell_st, NUM_AMOUNT, {10500000}, NULL, 0, false, NULL},
	{0, 2, 1, 1, "20.00", &fx_cell_st, NUM_AMOUNT, {20000000}, NULL, 0, false, NULL},
	{1, 0, 1, 1, "合计", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{1, 1, 1, 2, "30.50", &fx_cell_st, NUM_AMOUNT, {30500000}, sum_parts, 2, false, NULL},
	{2, 0, 1, 1, "", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{2, 1, 1, 1, "12.5%", &fx_cell_st, NUM_PERCENT, {12500000}, NULL, 0, false, NULL},
	{2, 2, 1, 1, "25%", &fx_cell_st, NUM_PERCENT, {25000000}, NULL, 0, false, NULL},
	{3, 0, 1, 1, "一级指标", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{3, 1, 1, 2, "三级指标", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{4, 0, 4, 1, "产出指标", &fx_cell_st, NUM_NONE, {0}, NULL, 0, true, NULL},
	{4, 1, 1, 2, "行4", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{5, 1, 1, 2, "行5", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{6, 1, 1, 2, "行6", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{7, 1, 1, 2, "行7", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
};
static const mpt main_heights[8] = {20000, 20000, 20000, 20000, 200000, 200000, 200000, 20000};
/* where the layout engine breaks it: 52 pt of title block and rows 0–5 fill the 637.8 pt of the
 * portrait text area, row 6 starts the next page under the repeated row 3 */
static const int main_breaks[1] = {6};

static const doc_cell one_cell[] = {{0, 0, 1, 1, "一", &fx_cell_st, NUM_NONE, {0}, NULL, 0, false, NULL}};
static const mpt one_height[1] = {20000};
static const mpt width1[1] = {MM(156)};

#define LONG_NAME "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一"

static doc_table make_table(const char *sheet, const doc_cell *cells, size_t n, int nrows, int ncols,
                            const mpt *widths)
{
	doc_table t = {.kind = "test", .title = "1.测试表", .sheet_name = sheet, .caption_left = "单位名称：测试",
	               .caption_right = "单位：万元", .note = "", .title_style = &fx_title_st,
	               .caption_style = &fx_caption_st, .note_style = &fx_caption_st, .ncols = ncols,
	               .col_widths = widths, .nrows = nrows, .cells = cells, .ncells = n,
	               .border = 500};
	return t;
}

enum { NTABLES = 6 };
static doc_table tables[NTABLES];
static doc_block blocks_prose[6], blocks_tables[NTABLES + 1], blocks_land[1];
static doc_section sections[3];
static doc_document document;
static pg_table_rows rows[NTABLES];
static pg_result pages;
static char long_text[4000];

static void make_document(void)
{
	tables[0] = make_table("同名表", main_cells, sizeof main_cells / sizeof *main_cells, 8, 3, fx_widths3);
	tables[0].repeat_first = 3;
	tables[0].repeat_count = 1;
	tables[1] = make_table("同名表", one_cell, 1, 1, 1, width1);
	tables[2] = make_table(LONG_NAME, one_cell, 1, 1, 1, width1);
	tables[3] = make_table(LONG_NAME, one_cell, 1, 1, 1, width1);
	tables[4] = make_table("abc", one_cell, 1, 1, 1, width1);
	tables[5] = make_table("ABC", one_cell, 1, 1, 1, width1);
	for (int i = 0; i < NTABLES; i++) {
		rows[i].table = &tables[i];
		rows[i].heights = i == 0 ? main_heights : one_height;
		rows[i].title_h = 28000 + 6000; /* one line of title_st and its space after */
		rows[i].caption_h = 18000;
		rows[i].breaks = i == 0 ? main_breaks : NULL;
		rows[i].nbreaks = i == 0 ? 1 : 0;
	}
	pages.tables = rows;
	pages.ntables = NTABLES;

	/* ~1,000 characters: about 37 lines of 29 pt, more than one row of at most 409 pt */
	long_text[0] = '\0';
	for (int i = 0; i < 50; i++)
		strcat(long_text, "预算绩效目标管理全面实施，资金使用效益提高。");
	blocks_prose[0] = (doc_block){.kind = BLOCK_HEADING, .style = &fx_heading_st,
	                              .text = "第一部分　2025年部门整体绩效目标", .level = 1};
	blocks_prose[1] = (doc_block){.kind = BLOCK_PARAGRAPH, .style = &fx_body_st, .text = long_text};
	blocks_prose[2] = (doc_block){.kind = BLOCK_PARAGRAPH, .style = &fx_body_st, .text = "短段落。"};
	/* other running text: its own sheet; a heading with no text under it is left out */
	blocks_prose[3] = (doc_block){.kind = BLOCK_HEADING, .style = &fx_heading_st, .text = "情况说明",
	                              .level = 1};
	blocks_prose[4] = (doc_block){.kind = BLOCK_PARAGRAPH, .style = &fx_body_st, .text = "说明文字。"};
	blocks_prose[5] = (doc_block){.kind = BLOCK_HEADING, .style = &fx_heading_st, .text = "一、空标题",
	                              .level = 2};
	blocks_tables[0] = (doc_block){.kind = BLOCK_HEADING, .style = &fx_heading_st, .text = "第二部分　表",
	                               .level = 1};
	for (int i = 0; i < NTABLES; i++)
		if (i != 1)
			blocks_tables[i + 1 - (i > 1)] = (doc_block){.kind = BLOCK_TABLE, .table = &tables[i]};
	blocks_land[0] = (doc_block){.kind = BLOCK_TABLE, .table = &tables[1]};
	sections[0] = (doc_section){fx_portrait, true, blocks_prose, 6};
	sections[1] = (doc_section){fx_portrait, true, blocks_tables, NTABLES};
	sections[2] = (doc_section){fx_landscape, true, blocks_land, 1};
	document = (doc_document){.title = "测试部门2025年部门预算绩效目标", .author = "测试部门",
	                          .subject = "2025年部门预算绩效目标", .year = 2025,
	                          .sections = sections, .nsections = 3};
}

int main(int argc, char **argv)
{
	const char *conf = argc > 1 ? argv[1] : "fonts/roles.conf";
	char err[512] = "";
	font_set *fonts = fx_fonts(conf);
	if (!CHECK(fonts != NULL))
		return unit_report();
	make_document();
	char dir[] = "/tmp/test_emit_xlsx.XXXXXX";
	if (!CHECK(mkdtemp(dir))) {
		font_set_free(fonts);
		return unit_report();
	}
	char a[128], b[128], c[128];
	snprintf(a, sizeof a, "%s/a.xlsx", dir);
	snprintf(b, sizeof b, "%s/b.xlsx", dir);
	snprintf(c, sizeof c, "%s/c.xlsx", dir);

	CHECK_INT_EQ(emit_xlsx(&document, &pages, fonts, 1704067200, a, err, sizeof err), 0);
	CHECK_INT_EQ(emit_xlsx(&document, &pages, fonts, 1704067200, b, err, sizeof err), 0);
	CHECK(fx_same_file(a, b)); /* reproducible */

	char *wb = fx_zip_part(a, "xl/workbook.xml");
	CHECK(fx_contains(wb, "<sheet name=\"整体绩效目标\" sheetId=\"1\""));
	CHECK(fx_contains(wb, "<sheet name=\"情况说明\" sheetId=\"2\""));
	CHECK(fx_contains(wb, "<sheet name=\"同名表\" sheetId=\"3\""));
	/* the same name again, 31 characters again, and a name equal but for case */
	CHECK(fx_contains(wb, "<sheet name=\"" LONG_NAME "\""));
	CHECK(fx_contains(wb, "<sheet name=\"一二三四五六七八九十一二三四五六七八九十一二三四五六七八(2)\""));
	CHECK(fx_contains(wb, "<sheet name=\"abc\""));
	CHECK(fx_contains(wb, "<sheet name=\"ABC(2)\""));
	CHECK(fx_contains(wb, "<sheet name=\"同名表(2)\" sheetId=\"8\"")); /* the landscape section's */
	/* print titles: the header row (table row 3 below the part heading, title and caption rows),
	 * absolute */
	CHECK(fx_contains(wb, "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"2\">'同名表'!$7:$7<"));
	free(wb);

	char *prose = fx_zip_part(a, "xl/worksheets/sheet1.xml");
	/* heading, the long paragraph whole in one cell merged over 2 rows (each ≤ 409.5 pt), the
	 * short one */
	CHECK_INT_EQ(fx_count(prose, "<row "), 4);
	CHECK(fx_contains(prose, "<mergeCell ref=\"A2:D3\"/>"));
	CHECK(fx_contains(prose, "<mergeCell ref=\"A4:D4\"/>"));
	CHECK(!fx_contains(prose, "ht=\"41")); /* no row above 409.5 pt */
	free(prose);
	char *strings = fx_zip_part(a, "xl/sharedStrings.xml");
	CHECK(fx_contains(strings, "<t>　　预算绩效目标管理全面实施")); /* first-line indent */
	free(strings);

	char *rest = fx_zip_part(a, "xl/worksheets/sheet2.xml");
	CHECK_INT_EQ(fx_count(rest, "<row "), 2); /* 情况说明 and its paragraph, not 一、空标题 */
	free(rest);
	char *s = fx_zip_part(a, "xl/worksheets/sheet3.xml");
	/* the part's heading (第二部分　表) above the first table of the part, then title and caption */
	CHECK(fx_contains(s, "<c r=\"A1\" s=\""));
	char *names = fx_zip_part(a, "xl/sharedStrings.xml");
	CHECK(fx_contains(names, "<t>第二部分　表</t>"));
	free(names);
	CHECK(fx_contains(s, "<c r=\"B5\" s=\"")); /* table row 1 = sheet row 5 */
	CHECK(fx_contains(s, "<f>SUM(B4,C4)</f><v>30.5</v>"));
	CHECK(fx_contains(s, "<v>10.5</v>"));
	CHECK(fx_contains(s, "<v>0.125</v>"));
	CHECK(fx_contains(s, "<v>0.25</v>"));
	CHECK(fx_contains(s, "<mergeCell ref=\"B5:C5\"/>"));
	/* 产出指标 over sheet rows 8–11, broken before row 10: two merges, the label in both */
	CHECK(fx_contains(s, "<mergeCell ref=\"A8:A9\"/>"));
	CHECK(fx_contains(s, "<mergeCell ref=\"A10:A11\"/>"));
	CHECK(fx_contains(s, "<rowBreaks count=\"1\" manualBreakCount=\"1\"><brk id=\"9\""));
	CHECK(fx_contains(s, "<c r=\"A6\" s=\"")); /* the empty cell keeps its borders */
	CHECK(fx_contains(s, "<pageSetup paperSize=\"9\" fitToHeight=\"0\""));
	CHECK(fx_contains(s, "<oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter>"));
	CHECK(fx_contains(s, "ht=\"34\"")); /* title: one line of 28 pt + 6 pt after */
	CHECK(fx_contains(s, "ht=\"200\""));
	free(s);
	char *land = fx_zip_part(a, "xl/worksheets/sheet8.xml");
	CHECK(fx_contains(land, "orientation=\"landscape\""));
	free(land);

	char *styles = fx_zip_part(a, "xl/styles.xml");
	CHECK(fx_contains(styles, "formatCode=\"0.00\""));
	CHECK(fx_contains(styles, "formatCode=\"0.0%\""));
	CHECK(fx_contains(styles, "<name val=\"Times New Roman\"/>")); /* numbers in the 西文 face */
	CHECK(fx_contains(styles, "<name val=\"宋体\"/>"));
	free(styles);

	char *core = fx_zip_part(a, "docProps/core.xml");
	CHECK(fx_contains(core, "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2024-01-01T00:00:00Z<"));
	CHECK(fx_contains(core, "<dc:creator>测试部门</dc:creator>"));
	free(core);
	CHECK_INT_EQ(emit_xlsx(&document, &pages, fonts, -1, c, err, sizeof err), 0);
	core = fx_zip_part(c, "docProps/core.xml");
	CHECK(fx_contains(core, "2000-01-01T00:00:00Z"));
	free(core);

	/* a fitted table (paginate.h: pg_table_rows.set): the sheet has the columns and the cell
	 * size of the table as set, not of the document's table (sheet abc; ABC keeps 156 mm) */
	static doc_style small_st;
	small_st = fx_cell_st;
	small_st.size = 9000;
	static const mpt fitted_width[1] = {MM(100)};
	static doc_cell fitted_cell[1];
	fitted_cell[0] = one_cell[0];
	fitted_cell[0].style = &small_st;
	doc_table fitted = tables[4];
	fitted.col_widths = fitted_width;
	fitted.cells = fitted_cell;
	rows[4].set = &fitted;
	CHECK_INT_EQ(emit_xlsx(&document, &pages, fonts, -1, c, err, sizeof err), 0);
	rows[4].set = NULL;
	s = fx_zip_part(c, "xl/worksheets/sheet6.xml");
	CHECK(fx_contains(s, "<col min=\"1\" max=\"1\" width=\"53.85546875\"")); /* 377 px: 100 mm */
	free(s);
	s = fx_zip_part(c, "xl/worksheets/sheet7.xml");
	CHECK(fx_contains(s, "<col min=\"1\" max=\"1\" width=\"84.140625\"")); /* 589 px: 156 mm */
	free(s);
	styles = fx_zip_part(c, "xl/styles.xml");
	CHECK(fx_contains(styles, "<sz val=\"9\"/>")); /* 小五 */
	CHECK(fx_contains(styles, "<sz val=\"10.5\"/>")); /* 五号: the other tables */
	free(styles);

	/* a table the layout engine never saw, and a path that cannot be written */
	pages.ntables = 0;
	err[0] = '\0';
	CHECK_INT_EQ(emit_xlsx(&document, &pages, fonts, -1, c, err, sizeof err), -1);
	CHECK(strstr(err, "没有排版结果") != NULL);
	pages.ntables = NTABLES;
	err[0] = '\0';
	char bad[160];
	snprintf(bad, sizeof bad, "%s/missing/x.xlsx", dir);
	CHECK_INT_EQ(emit_xlsx(&document, &pages, fonts, -1, bad, err, sizeof err), -1);
	CHECK(strstr(err, "Excel") != NULL);

	unlink(a);
	unlink(b);
	unlink(c);
	rmdir(dir);
	font_set_free(fonts);
	return unit_report();
}
