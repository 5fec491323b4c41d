/* test_paginate.c — the layout engine (paginate.h) on hand-made tables whose geometry is worked
 * out by hand: column edges, line breaks in cells, row heights (spans included), a table broken
 * across pages with its header row repeated and merged labels restated, rows never split, and a
 * row taller than a page. Measurement is deterministic without a hook: every CJK ideograph used
 * here advances exactly 1 em in the 宋体 faces (checked first), so a cell of inner width W holds
 * W / size characters a line. Run from the repository root (fonts/roles.conf). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "emit/paginate.h"
#include "fixtures.h"
#include "unit.h"
#include "base/util.h"

/* A 200 × 200 pt page with 10 pt margins: text area x 10000–190000, y 10000–190000. */
static const doc_page page = {ORIENT_PORTRAIT, 200000, 200000, 10000, 10000, 10000, 10000, 5000};
enum { TOP = 10000, BOTTOM = 190000, LEFT = 10000 };

/* 10 pt text on 12 pt lines, 2 pt padding left/right, 1 pt top/bottom: a one-line row is 14 pt
 * high, and a line's baseline is its top + 6000 (half the line) + 3800 (0.38 em). */
static const doc_style top_st = {.name = "上", .role = FONT_ROLE_SONG, .size = 10000,
                                 .align = ALIGN_LEFT, .valign = VALIGN_TOP, .line_height = 12000,
                                 .pad_x = 2000, .pad_y = 1000};
static const doc_style center_st = {.name = "中", .role = FONT_ROLE_SONG, .size = 10000,
                                    .align = ALIGN_CENTER, .valign = VALIGN_TOP,
                                    .line_height = 12000, .pad_x = 2000, .pad_y = 1000};
static const doc_style label_st = {.name = "标签", .role = FONT_ROLE_SONG, .size = 10000,
                                   .align = ALIGN_LEFT, .valign = VALIGN_MIDDLE,
                                   .line_height = 12000, .pad_x = 2000, .pad_y = 1000};
enum { BASE = 6000 + 3800 }; /* baseline below a line's top */

/* Columns 44, 64 and 72 pt (inner 40, 60, 68 pt: 4, 6 and 6 characters a line); left edges at
 * x = 10000, 54000, 118000, right edge 190000. */
static const mpt widths_a[3] = {44000, 64000, 72000};

#define NINETEEN "一二三四五六七八九十一二三四五六七八九"

/* Rows 0 (title row) and 1 (header, repeated); 产出指标 over rows 2–5 with a hole at row 5;
 * 效益指标 over rows 6–8 (restated on the next page) and 共用 over rows 6–7 (not restated). */
static const doc_cell cells_a[] = {
	{0, 0, 1, 3, "预算表", &center_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{1, 0, 1, 1, "一级", &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{1, 1, 1, 1, "二级指标", &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{1, 2, 1, 1, "指标值", &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{2, 0, 4, 1, "产出指标", &label_st, NUM_NONE, {0}, NULL, 0, true, NULL},
	{2, 1, 1, 1, "数量指标数量指标数量", &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{2, 2, 1, 1, "一二三", &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{3, 1, 1, 1, "质量", &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{3, 2, 1, 1, NINETEEN, &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{4, 1, 1, 1, "", &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{4, 2, 1, 1, "甲", &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{6, 0, 3, 1, "效益指标", &label_st, NUM_NONE, {0}, NULL, 0, true, NULL},
	{6, 1, 1, 1, "社会效益社会效益", &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{6, 2, 2, 1, "共用", &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{7, 1, 1, 1, "经济效益经济效益", &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{8, 1, 1, 1, "生态效益生态环境", &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{8, 2, 1, 1, "乙", &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
};

/* A label of 20 characters (5 lines of 4: 62 pt) over three one-line rows (42 pt): the missing
 * 20 pt is shared out evenly, the remainder going to the later rows; then a forced line break. */
static const mpt widths_b[2] = {44000, 136000};
static const doc_cell cells_b[] = {
	{0, 0, 3, 1, "一二三四五六七八九十一二三四五六七八九十", &top_st, NUM_NONE, {0}, NULL, 0, false,
	 NULL},
	{0, 1, 1, 1, "甲", &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{1, 1, 1, 1, "乙", &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{2, 1, 1, 1, "丙", &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	{3, 0, 1, 2, "上行\n下行", &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
};

/* Many rows of 1–4 lines under a repeated header: breaks checked against a first fit. */
enum { NROWS_C = 41 };
static const mpt widths_c[1] = {44000};
static doc_cell cells_c[NROWS_C];
static char texts_c[NROWS_C][64];

static int lines_c(int r) /* lines of row r ≥ 1 */
{
	return (r * 7) % 4 + 1;
}

static doc_table make_table(const mpt *widths, int ncols, const doc_cell *cells, size_t ncells,
                            int nrows, int repeat_first, int repeat_count)
{
	return (doc_table){.kind = "test", .title = "", .sheet_name = "t", .caption_left = "",
	                   .caption_right = "", .note = "", .ncols = ncols, .col_widths = widths,
	                   .nrows = nrows, .cells = cells, .ncells = ncells,
	                   .repeat_first = repeat_first, .repeat_count = repeat_count,
	                   .border = 500};
}

static doc_document one_table_doc(doc_section *sec, doc_block *blk, const doc_table *t)
{
	*blk = (doc_block){.kind = BLOCK_TABLE, .table = t};
	*sec = (doc_section){.page = page, .numbered = false, .blocks = blk, .nblocks = 1};
	return (doc_document){.title = "测试", .author = "", .subject = "", .year = 2025,
	                      .sections = sec, .nsections = 1};
}

/* The run on pg whose text is exactly `text`, and how many there are. */
static const pg_run *find_run(const pg_page *pg, const char *text, int *count)
{
	const pg_run *found = NULL;
	*count = 0;
	for (size_t i = 0; i < pg->nruns; i++) {
		const pg_run *r = &pg->runs[i];
		if (r->face && r->len == strlen(text) && memcmp(r->text, text, r->len) == 0) {
			found = found ? found : r;
			++*count;
		}
	}
	return found;
}

/* One line of text drawn once on pg, starting at x on baseline y. */
static void check_line(const pg_page *pg, const char *text, mpt x, mpt y)
{
	int n;
	const pg_run *r = find_run(pg, text, &n);
	unit_context = text;
	if (CHECK_INT_EQ(n, 1)) {
		CHECK_INT_EQ(r->x, x);
		CHECK_INT_EQ(r->y, y);
		CHECK_INT_EQ(r->size, 10000);
	}
	unit_context = NULL;
}

static bool has_rule(const pg_page *pg, mpt x1, mpt y1, mpt x2, mpt y2)
{
	for (size_t i = 0; i < pg->nrules; i++) {
		const pg_rule *r = &pg->rules[i];
		if (r->x1 == x1 && r->y1 == y1 && r->x2 == x2 && r->y2 == y2)
			return true;
	}
	return false;
}

/* The distinct x of vertical rules (horizontal: y) on pg, ascending, into out[]; their count. */
static size_t rule_positions(const pg_page *pg, bool horizontal, mpt *out, size_t cap)
{
	size_t n = 0;
	for (size_t i = 0; i < pg->nrules; i++) {
		const pg_rule *r = &pg->rules[i];
		if ((r->y1 == r->y2) != horizontal)
			continue;
		mpt at = horizontal ? r->y1 : r->x1;
		size_t k = 0;
		while (k < n && out[k] < at)
			k++;
		if (k < n && out[k] == at)
			continue;
		if (n == cap)
			return n + 1;
		memmove(out + k + 1, out + k, (n - k) * sizeof *out);
		out[k] = at;
		n++;
	}
	return n;
}

static void check_positions(const pg_page *pg, bool horizontal, const mpt *want, size_t nwant)
{
	mpt got[32];
	size_t n = rule_positions(pg, horizontal, got, 32);
	if (!CHECK_INT_EQ(n, nwant))
		return;
	for (size_t i = 0; i < n; i++)
		CHECK_INT_EQ(got[i], want[i]);
}

/* Precondition of every number below: each ideograph used advances exactly one em. */
static void test_measure(font_set *fonts)
{
	const char *s = "预算表一级二级指标值产出数量三质甲效益社会共用经济生态环境乙四五六七八九十丙上下行";
	for (size_t i = 0; s[i];) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, strlen(s + i), &cp);
		if (!CHECK(k > 0))
			return;
		CHECK_INT_EQ(pg_advance(fonts, &top_st, cp), 10000);
		i += k;
	}
}

static void test_break_across_pages(font_set *fonts)
{
	arena *a = arena_new();
	doc_table t = make_table(widths_a, 3, cells_a, sizeof cells_a / sizeof *cells_a, 9, 1, 1);
	doc_section sec;
	doc_block blk;
	doc_document doc = one_table_doc(&sec, &blk, &t);
	const pg_result *r = paginate(a, fonts, &doc);
	CHECK(r->overflow == NULL);
	CHECK_INT_EQ(r->nmissing, 0);

	/* row heights: lines × 12 pt + 2 pt; row 5 has no cell of its own: 12 pt */
	const mpt want_h[9] = {14000, 14000, 26000, 50000, 14000, 12000, 26000, 26000, 26000};
	const mpt *h = pg_row_heights(r, &t);
	if (CHECK(h != NULL))
		for (int i = 0; i < 9; i++)
			CHECK_INT_EQ(h[i], want_h[i]);

	/* rows 0–6 end at 166000; row 7 would end at 192000 > 190000: it starts page 2 under the
	 * repeated row 1, and 效益指标 (repeat_label) is restated there, 共用 is not */
	if (!CHECK_INT_EQ(r->npages, 2) || !CHECK_INT_EQ(r->npieces, 2))
		goto out;
	const pg_table_piece *p0 = &r->pieces[0], *p1 = &r->pieces[1];
	CHECK(p0->table == &t && p1->table == &t);
	CHECK_INT_EQ(p0->page, 0);
	CHECK_INT_EQ(p0->first_row, 0);
	CHECK_INT_EQ(p0->last_row, 7);
	CHECK(!p0->repeated_header);
	CHECK_INT_EQ(p0->relabelled, 0);
	CHECK_INT_EQ(p1->page, 1);
	CHECK_INT_EQ(p1->first_row, 7);
	CHECK_INT_EQ(p1->last_row, 9);
	CHECK(p1->repeated_header);
	CHECK_INT_EQ(p1->relabelled, 1);

	/* page 1: row tops 10000 24000 38000 64000 114000 128000 140000, bottom 166000 */
	const pg_page *pg = &r->pages[0];
	CHECK_INT_EQ(pg->number, 0); /* unnumbered section */
	check_line(pg, "预算表", LEFT + 2000 + (176000 - 30000) / 2, TOP + 1000 + BASE); /* centred */
	check_line(pg, "一级", 12000, 24000 + 1000 + BASE);
	check_line(pg, "二级指标", 56000, 24000 + 1000 + BASE);
	check_line(pg, "指标值", 120000, 24000 + 1000 + BASE);
	/* 10 characters in 6-character lines */
	check_line(pg, "数量指标数量", 56000, 38000 + 1000 + BASE);
	check_line(pg, "指标数量", 56000, 38000 + 1000 + 12000 + BASE);
	/* 19 characters: 6 + 6 + 5 + 2, not 6 + 6 + 6 + 1 (no character alone on the last line) */
	check_line(pg, "一二三四五六", 120000, 64000 + 1000 + BASE);
	check_line(pg, "七八九十一二", 120000, 64000 + 1000 + 12000 + BASE);
	check_line(pg, "三四五六七", 120000, 64000 + 1000 + 24000 + BASE);
	check_line(pg, "八九", 120000, 64000 + 1000 + 36000 + BASE);
	check_line(pg, "甲", 120000, 114000 + 1000 + BASE);
	/* 产出指标 centred vertically in rows 2–5 (38000–140000): inner 100000, text 12000 */
	check_line(pg, "产出指标", 12000, 39000 + (100000 - 12000) / 2 + BASE);
	/* 效益指标: the part of rows 6–8 on this page, 140000–166000 */
	check_line(pg, "效益指标", 12000, 141000 + (24000 - 12000) / 2 + BASE);
	check_line(pg, "共用", 120000, 140000 + 1000 + BASE);
	check_line(pg, "社会效益社会", 56000, 140000 + 1000 + BASE);
	check_line(pg, "效益", 56000, 140000 + 1000 + 12000 + BASE);
	/* column edges, and row edges merged into full-length segments */
	const mpt xs[] = {10000, 54000, 118000, 190000};
	const mpt ys1[] = {10000, 24000, 38000, 64000, 114000, 128000, 140000, 166000};
	check_positions(pg, false, xs, 4);
	check_positions(pg, true, ys1, 8);
	CHECK(has_rule(pg, 10000, 10000, 10000, 166000));
	CHECK(has_rule(pg, 54000, 24000, 54000, 166000));   /* under the title row only */
	CHECK(has_rule(pg, 118000, 24000, 118000, 128000)); /* broken by the hole in row 5 */
	CHECK(has_rule(pg, 118000, 140000, 118000, 166000));
	CHECK(has_rule(pg, 54000, 64000, 190000, 64000));   /* not across the merged label */
	CHECK(has_rule(pg, 54000, 128000, 190000, 128000));
	CHECK(has_rule(pg, 10000, 166000, 190000, 166000));
	for (size_t i = 0; i < pg->nrules; i++)
		CHECK(pg->rules[i].y2 <= BOTTOM);

	/* page 2: the repeated row 1 at the top, then rows 7 (24000) and 8 (50000), bottom 76000 */
	pg = &r->pages[1];
	check_line(pg, "一级", 12000, TOP + 1000 + BASE);
	check_line(pg, "二级指标", 56000, TOP + 1000 + BASE);
	check_line(pg, "指标值", 120000, TOP + 1000 + BASE);
	check_line(pg, "效益指标", 12000, 25000 + (50000 - 12000) / 2 + BASE);
	check_line(pg, "经济效益经济", 56000, 24000 + 1000 + BASE);
	check_line(pg, "效益", 56000, 24000 + 1000 + 12000 + BASE);
	check_line(pg, "生态效益生态", 56000, 50000 + 1000 + BASE);
	check_line(pg, "环境", 56000, 50000 + 1000 + 12000 + BASE);
	check_line(pg, "乙", 120000, 50000 + 1000 + BASE);
	int n;
	CHECK(find_run(pg, "共用", &n) == NULL);
	CHECK(find_run(pg, "预算表", &n) == NULL); /* row 0 is not a repeat row */
	const mpt ys2[] = {10000, 24000, 50000, 76000};
	check_positions(pg, false, xs, 4);
	check_positions(pg, true, ys2, 4);
	CHECK(has_rule(pg, 118000, 10000, 118000, 76000)); /* 共用's frame is still drawn */
out:
	arena_free(a);
}

static void test_span_heights(font_set *fonts)
{
	arena *a = arena_new();
	doc_table t = make_table(widths_b, 2, cells_b, sizeof cells_b / sizeof *cells_b, 4, 0, 0);
	doc_section sec;
	doc_block blk;
	doc_document doc = one_table_doc(&sec, &blk, &t);
	const pg_result *r = paginate(a, fonts, &doc);
	const mpt *h = pg_row_heights(r, &t);
	if (CHECK(h != NULL)) {
		/* 62000 needed, 3 × 14000 there: 20000 more as 6666, 6667, 6667 */
		CHECK_INT_EQ(h[0], 20666);
		CHECK_INT_EQ(h[1], 20667);
		CHECK_INT_EQ(h[2], 20667);
		CHECK_INT_EQ(h[3], 26000); /* '\n' forces a second line */
	}
	if (CHECK_INT_EQ(r->npages, 1)) {
		const pg_page *pg = &r->pages[0];
		check_line(pg, "一二三四", 12000, TOP + 1000 + BASE);
		check_line(pg, "九十一二", 12000, TOP + 1000 + 24000 + BASE);
		check_line(pg, "上行", 12000, TOP + 62000 + 1000 + BASE);
		check_line(pg, "下行", 12000, TOP + 62000 + 1000 + 12000 + BASE);
		check_line(pg, "乙", 56000, TOP + 20666 + 1000 + BASE);
	}
	CHECK(pg_row_heights(r, &(doc_table){0}) == NULL);
	arena_free(a);
}

/* A long table: the pieces cover every row once, in order, one per page, each as many rows as
 * fit under the repeated header (first fit), so no row is ever split. */
static void test_first_fit(font_set *fonts)
{
	static const char chars[] = "一二三四五六七八九十甲乙丙丁";
	mpt want_h[NROWS_C];
	cells_c[0] = (doc_cell){0, 0, 1, 1, "表头", &top_st, NUM_NONE, {0}, NULL, 0, false, NULL};
	want_h[0] = 14000;
	for (int r = 1; r < NROWS_C; r++) {
		int nchars = 4 * (lines_c(r) - 1) + 1 + r % 4; /* fills lines_c(r) lines of 4 */
		if (nchars > 4 * lines_c(r))
			nchars = 4 * lines_c(r);
		texts_c[r][0] = '\0';
		for (int k = 0; k < nchars; k++)
			strncat(texts_c[r], chars + 3 * ((r + k) % 14), 3);
		cells_c[r] = (doc_cell){r, 0, 1, 1, texts_c[r], &top_st, NUM_NONE, {0}, NULL, 0, false,
		                        NULL};
		want_h[r] = lines_c(r) * 12000 + 2000;
	}
	arena *a = arena_new();
	doc_table t = make_table(widths_c, 1, cells_c, NROWS_C, NROWS_C, 0, 1);
	doc_section sec;
	doc_block blk;
	doc_document doc = one_table_doc(&sec, &blk, &t);
	const pg_result *r = paginate(a, fonts, &doc);
	const mpt *h = pg_row_heights(r, &t);
	if (!CHECK(h != NULL))
		goto out;
	for (int i = 0; i < NROWS_C; i++)
		CHECK_INT_EQ(h[i], want_h[i]);

	/* the expected breaks, by the same first fit on the hand-computed heights */
	int want_first[NROWS_C], npieces = 0;
	mpt y = TOP + want_h[0];
	want_first[npieces++] = 0;
	for (int i = 1; i < NROWS_C; i++) {
		if (y + want_h[i] > BOTTOM) {
			want_first[npieces++] = i;
			y = TOP + want_h[0];
		}
		y += want_h[i];
	}
	CHECK(npieces >= 4);
	if (!CHECK_INT_EQ(r->npieces, npieces) || !CHECK_INT_EQ(r->npages, npieces))
		goto out;
	for (int k = 0; k < npieces; k++) {
		const pg_table_piece *pc = &r->pieces[k];
		int last = k + 1 < npieces ? want_first[k + 1] : NROWS_C;
		CHECK_INT_EQ(pc->page, k);
		CHECK_INT_EQ(pc->first_row, want_first[k]);
		CHECK_INT_EQ(pc->last_row, last);
		CHECK(pc->repeated_header == (k > 0));
		/* the header on every page; every row's text within the text area */
		int n;
		const pg_run *hd = find_run(&r->pages[k], "表头", &n);
		CHECK(hd && n == 1 && hd->y == TOP + 1000 + BASE);
		for (size_t i = 0; i < r->pages[k].nruns; i++)
			CHECK(r->pages[k].runs[i].y > TOP && r->pages[k].runs[i].y < BOTTOM);
		for (size_t i = 0; i < r->pages[k].nrules; i++)
			CHECK(r->pages[k].rules[i].y2 <= BOTTOM && r->pages[k].rules[i].y1 >= TOP);
	}
out:
	arena_free(a);
}

/* A row taller than the text area is laid out anyway (rows never split) and named. */
static void test_overflow(font_set *fonts)
{
	static char text[3 * 80 + 1];
	for (int i = 0; i < 80; i++)
		memcpy(text + 3 * i, "一", 3);
	/* 80 characters in lines of 4: 20 lines, 242 pt > 180 pt */
	const doc_cell cells[] = {
		{0, 0, 1, 1, "头", &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
		{1, 0, 1, 1, text, &top_st, NUM_NONE, {0}, NULL, 0, false, NULL},
	};
	arena *a = arena_new();
	doc_table t = make_table(widths_c, 1, cells, 2, 2, 0, 1);
	t.title = "9.超高表";
	doc_section sec;
	doc_block blk;
	doc_document doc = one_table_doc(&sec, &blk, &t);
	const pg_result *r = paginate(a, fonts, &doc);
	const mpt *h = pg_row_heights(r, &t);
	CHECK(h && h[1] == 242000);
	if (CHECK(r->overflow != NULL)) {
		CHECK(strstr(r->overflow, "9.超高表") != NULL);
		CHECK(strstr(r->overflow, "第 2 行") != NULL);
	}
	arena_free(a);
}

int main(void)
{
	font_set *fonts = fx_fonts(NULL);
	if (!CHECK(fonts != NULL))
		return unit_report();
	test_measure(fonts);
	test_break_across_pages(fonts);
	test_span_heights(fonts);
	test_first_fit(fonts);
	test_overflow(fonts);
	font_set_free(fonts);
	return unit_report();
}
