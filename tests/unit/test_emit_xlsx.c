/* test_emit_xlsx.c — the Excel back end (emit_xlsx.h) on a hand-made document with what the
 * samples do not have: SUM totals, a 12.5% percentage, duplicate and over-long sheet names
 * (also differing only in case), a landscape section, a merged label crossing a page break,
 * a paragraph taller than Excel's tallest row, running text besides 整体绩效目标; then reproducibility, the creation date and a
 * write failure. The workbook is read back with libzip and searched as text. Run from the
 * repository root (fonts/roles.conf); prints "N passed, M failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <zip.h>

#include "emit/xlsx.h"
#include "unit.h"
#include "base/util.h"

#define MM(x) MPT_FROM_MM(x)

static const doc_style cell_st = {.name = "文字", .role = FONT_ROLE_SONG, .size = 10500,
                                  .align = ALIGN_LEFT, .valign = VALIGN_MIDDLE,
                                  .line_height = 13650, .pad_x = 4252, .pad_y = 3402};
static const doc_style title_st = {.name = "表题", .role = FONT_ROLE_TITLE, .size = 16000,
                                   .align = ALIGN_CENTER, .line_height = 28000,
                                   .space_after = 6000};
static const doc_style caption_st = {.name = "表头说明", .role = FONT_ROLE_SONG, .size = 10500,
                                     .line_height = 18000};
static const doc_style heading_st = {.name = "部分标题", .role = FONT_ROLE_HEI, .size = 22000,
                                     .align = ALIGN_CENTER, .line_height = 40000};
static const doc_style body_st = {.name = "正文", .role = FONT_ROLE_FANGSONG, .size = 16000,
                                  .align = ALIGN_JUSTIFY, .first_indent = 32000,
                                  .line_height = 29000};

static const doc_page portrait = {ORIENT_PORTRAIT, MM(210), MM(297), MM(37), MM(26), MM(35), MM(28),
                                  MM(18)};
static const doc_page landscape = {ORIENT_LANDSCAPE, MM(297), MM(210), MM(28), MM(25), MM(25),
                                   MM(25), MM(18)};

static const mpt widths3[3] = {MM(52), MM(52), MM(52)};
static const int sum_parts[2] = {1, 2};

/* The main table: amounts and their SUM, percentages, an empty cell, a header row that repeats,
 * and the label 产出指标 over rows 4–7, which the heights below break between rows 5 and 6. */
static const doc_cell main_cells[] = {
	{0, 0, 1, 1, "甲", &cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{0, 1, 1, 1, "10.50", &cell_st, NUM_AMOUNT, {10500000}, NULL, 0, false, NULL},
	{0, 2, 1, 1, "20.00", &cell_st, NUM_AMOUNT, {20000000}, NULL, 0, false, NULL},
	{1, 0, 1, 1, "合计", &cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{1, 1, 1, 2, "30.50", &cell_st, NUM_AMOUNT, {30500000}, sum_parts, 2, false, NULL},
	{2, 0, 1, 1, "", &cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{2, 1, 1, 1, "12.5%", &cell_st, NUM_PERCENT, {12500000}, NULL, 0, false, NULL},
	{2, 2, 1, 1, "25%", &cell_st, NUM_PERCENT, {25000000}, NULL, 0, false, NULL},
	{3, 0, 1, 1, "一级指标", &cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{3, 1, 1, 2, "三级指标", &cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{4, 0, 4, 1, "产出指标", &cell_st, NUM_NONE, {0}, NULL, 0, true, NULL},
	{4, 1, 1, 2, "行4", &cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{5, 1, 1, 2, "行5", &cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{6, 1, 1, 2, "行6", &cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{7, 1, 1, 2, "行7", &cell_st, NUM_NONE, {0}, NULL, 0, false, NULL},
};
static const mpt main_heights[8] = {20000, 20000, 20000, 20000, 200000, 200000, 200000, 20000};
/* where the layout engine breaks it: 52 pt of title block and rows 0–5 fill the 637.8 pt of the
 * portrait text area, row 6 starts the next page under the repeated row 3 */
static const int main_breaks[1] = {6};

static const doc_cell one_cell[] = {{0, 0, 1, 1, "一", &cell_st, NUM_NONE, {0}, NULL, 0, false, NULL}};
static const mpt one_height[1] = {20000};
static const mpt width1[1] = {MM(156)};

#define LONG_NAME "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一"

static doc_table make_table(const char *sheet, const doc_cell *cells, size_t n, int nrows, int ncols,
                            const mpt *widths)
{
	doc_table t = {.kind = "test", .title = "1.测试表", .sheet_name = sheet, .caption_left = "单位名称：测试",
	               .caption_right = "单位：万元", .note = "", .title_style = &title_st,
	               .caption_style = &caption_st, .note_style = &caption_st, .ncols = ncols,
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
	tables[0] = make_table("同名表", main_cells, sizeof main_cells / sizeof *main_cells, 8, 3, widths3);
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
	blocks_prose[0] = (doc_block){.kind = BLOCK_HEADING, .style = &heading_st,
	                              .text = "第一部分　2025年部门整体绩效目标", .level = 1};
	blocks_prose[1] = (doc_block){.kind = BLOCK_PARAGRAPH, .style = &body_st, .text = long_text};
	blocks_prose[2] = (doc_block){.kind = BLOCK_PARAGRAPH, .style = &body_st, .text = "短段落。"};
	/* other running text: its own sheet; a heading with no text under it is left out */
	blocks_prose[3] = (doc_block){.kind = BLOCK_HEADING, .style = &heading_st, .text = "情况说明",
	                              .level = 1};
	blocks_prose[4] = (doc_block){.kind = BLOCK_PARAGRAPH, .style = &body_st, .text = "说明文字。"};
	blocks_prose[5] = (doc_block){.kind = BLOCK_HEADING, .style = &heading_st, .text = "一、空标题",
	                              .level = 2};
	blocks_tables[0] = (doc_block){.kind = BLOCK_HEADING, .style = &heading_st, .text = "第二部分　表",
	                               .level = 1};
	for (int i = 0; i < NTABLES; i++)
		if (i != 1)
			blocks_tables[i + 1 - (i > 1)] = (doc_block){.kind = BLOCK_TABLE, .table = &tables[i]};
	blocks_land[0] = (doc_block){.kind = BLOCK_TABLE, .table = &tables[1]};
	sections[0] = (doc_section){portrait, true, blocks_prose, 6};
	sections[1] = (doc_section){portrait, true, blocks_tables, NTABLES};
	sections[2] = (doc_section){landscape, true, blocks_land, 1};
	document = (doc_document){.title = "测试部门2025年部门预算绩效目标", .author = "测试部门",
	                          .subject = "2025年部门预算绩效目标", .year = 2025,
	                          .sections = sections, .nsections = 3};
}

/* One part of the workbook as a string (heap), or NULL. */
static char *part(const char *xlsx, const char *name)
{
	int e;
	zip_t *z = zip_open(xlsx, ZIP_RDONLY, &e);
	if (!z)
		return NULL;
	zip_stat_t st;
	char *data = NULL;
	if (zip_stat(z, name, 0, &st) == 0) {
		zip_file_t *f = zip_fopen(z, name, 0);
		data = xcalloc(1, st.size + 1);
		if (!f || zip_fread(f, data, st.size) != (zip_int64_t)st.size) {
			free(data);
			data = NULL;
		}
		if (f)
			zip_fclose(f);
	}
	zip_close(z);
	return data;
}

static bool contains(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle);
}

static size_t count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; p && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

static bool same_file(const char *a, const char *b)
{
	char *da, *db;
	size_t la, lb;
	if (file_read(a, 1 << 24, &da, &la) || file_read(b, 1 << 24, &db, &lb))
		return false;
	bool same = la == lb && memcmp(da, db, la) == 0;
	free(da);
	free(db);
	return same;
}

int main(int argc, char **argv)
{
	const char *conf = argc > 1 ? argv[1] : "fonts/roles.conf";
	char err[512] = "";
	font_set *fonts;
	if (!CHECK(font_set_open(&fonts, conf, err, sizeof err) == FONT_OK)) {
		fprintf(stderr, "%s\n", err);
		return unit_report();
	}
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
	CHECK(same_file(a, b)); /* reproducible */

	char *wb = part(a, "xl/workbook.xml");
	CHECK(contains(wb, "<sheet name=\"整体绩效目标\" sheetId=\"1\""));
	CHECK(contains(wb, "<sheet name=\"情况说明\" sheetId=\"2\""));
	CHECK(contains(wb, "<sheet name=\"同名表\" sheetId=\"3\""));
	/* the same name again, 31 characters again, and a name equal but for case */
	CHECK(contains(wb, "<sheet name=\"" LONG_NAME "\""));
	CHECK(contains(wb, "<sheet name=\"一二三四五六七八九十一二三四五六七八九十一二三四五六七八(2)\""));
	CHECK(contains(wb, "<sheet name=\"abc\""));
	CHECK(contains(wb, "<sheet name=\"ABC(2)\""));
	CHECK(contains(wb, "<sheet name=\"同名表(2)\" sheetId=\"8\"")); /* the landscape section's */
	/* print titles: the header row (table row 3 below the title and caption rows), absolute */
	CHECK(contains(wb, "<definedName name=\"_xlnm.Print_Titles\" localSheetId=\"2\">'同名表'!$6:$6<"));
	free(wb);

	char *prose = part(a, "xl/worksheets/sheet1.xml");
	/* heading, the long paragraph in 3 rows (each ≤ 409.5 pt), the short one */
	CHECK_INT_EQ(count(prose, "<row "), 5);
	CHECK(contains(prose, "<mergeCell ref=\"A2:D2\"/>"));
	CHECK(!contains(prose, "ht=\"41")); /* no row above 409.5 pt */
	free(prose);
	char *strings = part(a, "xl/sharedStrings.xml");
	CHECK(contains(strings, "<t>　　预算绩效目标管理全面实施")); /* first-line indent */
	free(strings);

	char *rest = part(a, "xl/worksheets/sheet2.xml");
	CHECK_INT_EQ(count(rest, "<row "), 2); /* 情况说明 and its paragraph, not 一、空标题 */
	free(rest);
	char *s = part(a, "xl/worksheets/sheet3.xml");
	CHECK(contains(s, "<c r=\"B4\" s=\"")); /* table row 1 = sheet row 4 */
	CHECK(contains(s, "<f>SUM(B3,C3)</f><v>30.5</v>"));
	CHECK(contains(s, "<v>10.5</v>"));
	CHECK(contains(s, "<v>0.125</v>"));
	CHECK(contains(s, "<v>0.25</v>"));
	CHECK(contains(s, "<mergeCell ref=\"B4:C4\"/>"));
	/* 产出指标 over sheet rows 7–10, broken before row 9: two merges, the label in both */
	CHECK(contains(s, "<mergeCell ref=\"A7:A8\"/>"));
	CHECK(contains(s, "<mergeCell ref=\"A9:A10\"/>"));
	CHECK(contains(s, "<rowBreaks count=\"1\" manualBreakCount=\"1\"><brk id=\"8\""));
	CHECK(contains(s, "<c r=\"A5\" s=\"")); /* the empty cell keeps its borders */
	CHECK(contains(s, "<pageSetup paperSize=\"9\" fitToHeight=\"0\""));
	CHECK(contains(s, "<oddFooter>&amp;C第 &amp;P 页，共 &amp;N 页</oddFooter>"));
	CHECK(contains(s, "ht=\"34\"")); /* title: one line of 28 pt + 6 pt after */
	CHECK(contains(s, "ht=\"200\""));
	free(s);
	char *land = part(a, "xl/worksheets/sheet8.xml");
	CHECK(contains(land, "orientation=\"landscape\""));
	free(land);

	char *styles = part(a, "xl/styles.xml");
	CHECK(contains(styles, "formatCode=\"0.00\""));
	CHECK(contains(styles, "formatCode=\"0.0%\""));
	CHECK(contains(styles, "<name val=\"Times New Roman\"/>")); /* numbers in the 西文 face */
	CHECK(contains(styles, "<name val=\"宋体\"/>"));
	free(styles);

	char *core = part(a, "docProps/core.xml");
	CHECK(contains(core, "<dcterms:created xsi:type=\"dcterms:W3CDTF\">2024-01-01T00:00:00Z<"));
	CHECK(contains(core, "<dc:creator>测试部门</dc:creator>"));
	free(core);
	CHECK_INT_EQ(emit_xlsx(&document, &pages, fonts, -1, c, err, sizeof err), 0);
	core = part(c, "docProps/core.xml");
	CHECK(contains(core, "2000-01-01T00:00:00Z"));
	free(core);

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
