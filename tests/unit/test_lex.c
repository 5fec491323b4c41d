/* test_lex.c — the lexer (lex.h): how each line is classified (a table of cases), columns counted in characters,
 * indicator rows split into cells, and what happens to bytes that are not UTF-8 text; and how
 * diag_flush() quotes those lines with a caret under the column. */
#include <stdlib.h>

#include "front/lex.h"
#include "unit.h"

/* One lexed text with everything it needs; freed by lexed_free(). */
typedef struct lexed {
	arena *a;
	diag_ctx *d;
	lex_result r;
} lexed;

static lexed lex_bytes(const char *text, size_t len)
{
	lexed x = {arena_new(), diag_new(), {0}};
	x.r = lex_file(x.a, x.d, diag_add_file(x.d, "t.txt", text, len));
	return x;
}

static lexed lex_text(const char *text)
{
	return lex_bytes(text, strlen(text));
}

static void lexed_free(lexed *x)
{
	arena_free(x->a);
	diag_free(x->d);
}

/* Lexes a one-line text and returns a copy of its line (strings stay valid until free). */
static lex_line lex_one(lexed *x, const char *text)
{
	*x = lex_text(text);
	lex_line none = {0};
	if (!CHECK(x->r.n == 1))
		return none;
	return x->r.lines[0];
}

/* ---- classification: one table of lines and what the lexer must make of them ---------------- */

/* One case: a one-line input and its expected classification. Fields that do not apply to the
 * kind are ignored; value/rest/text NULL and col/vcol 0 mean "not checked"; word and bar are
 * always checked for LINE_TEXT (word NULL: no word). */
typedef struct lex_case {
	const char *line;
	line_kind kind;
	int code;          /* LINE_FIELD: the kw; LINE_SECTION: the section_kind */
	const char *value; /* LINE_FIELD / LINE_SECTION */
	const char *rest;  /* LINE_SECTION */
	const char *word;  /* LINE_TEXT */
	bool bar;          /* LINE_TEXT: has_bar */
	int col, vcol;     /* columns (characters) of loc and vloc */
	const char *text;  /* the trimmed line */
} lex_case;

#define BLANK(s) {.line = s, .kind = LINE_BLANK, .text = ""}
#define COMMENT(s) {.line = s, .kind = LINE_COMMENT}

static const lex_case line_cases[] = {
	/* blanks: ASCII, tab, U+3000, CR */
	BLANK(""), BLANK("   "), BLANK("\t"), BLANK("\u3000\u3000"), BLANK(" \u3000\t"), BLANK("\r"),
	/* comments: # or ＃ first, after any blanks */
	COMMENT("# 注释"), COMMENT("#"), COMMENT("＃ 全角井号"), COMMENT("   # 前有空格"),
	COMMENT("\u3000＃前有全角空格"), COMMENT("#部门：不是字段"),
	{.line = "第1# 项", .kind = LINE_TEXT}, /* a # later in the line is text */
	/* sections */
	{.line = "【项目】", .kind = LINE_SECTION, .code = SEC_PROJECT, .value = "项目", .rest = ""},
	{.line = "【整体绩效目标】", .kind = LINE_SECTION, .code = SEC_OVERALL, .value = "整体绩效目标"},
	{.line = "【收入】", .kind = LINE_SECTION, .code = SEC_INCOME, .value = "收入"},
	{.line = "【情况说明】", .kind = LINE_SECTION, .code = SEC_NOTES, .value = "情况说明"},
	{.line = "【 项目\u3000】", .kind = LINE_SECTION, .code = SEC_PROJECT, .value = "项目"},
	{.line = "【附表】", .kind = LINE_SECTION, .code = SEC_UNKNOWN, .value = "附表"},
	{.line = "【】", .kind = LINE_SECTION, .code = SEC_UNKNOWN, .value = ""},
	{.line = "【项目】人才工作专项资金", .kind = LINE_SECTION, .code = SEC_PROJECT,
	 .rest = "人才工作专项资金", .col = 1, .vcol = 5},
	{.line = "  【项目】\u3000 甲 ", .kind = LINE_SECTION, .code = SEC_PROJECT, .rest = "甲", .col = 3,
	 .vcol = 9},
	{.line = "【项目", .kind = LINE_TEXT}, /* no closing bracket */
	/* fields: either colon, blanks trimmed, columns in characters, first colon only */
	{.line = "部门：汉沽管理区人力资源和社会保障局", .kind = LINE_FIELD, .code = KW_DEPT,
	 .value = "汉沽管理区人力资源和社会保障局", .col = 1, .vcol = 4},
	{.line = "年度:2025", .kind = LINE_FIELD, .code = KW_YEAR, .value = "2025", .vcol = 4},
	{.line = "\u3000\u3000预算数 ：  20.982 ", .kind = LINE_FIELD, .code = KW_TOTAL,
	 .value = "20.982", .col = 3, .vcol = 10},
	{.line = "\t资金支出计划：25%，50%，75%，100%", .kind = LINE_FIELD, .code = KW_SCHEDULE,
	 .col = 2, .vcol = 9},
	{.line = "其他资金：", .kind = LINE_FIELD, .code = KW_OTHER, .value = "", .vcol = 6},
	{.line = "资金用途：用途：说明", .kind = LINE_FIELD, .code = KW_USE, .value = "用途：说明"},
	/* aliases of field names */
	{.line = "部门名称：x", .kind = LINE_FIELD, .code = KW_DEPT, .value = "x"},
	{.line = "预算年度：2025", .kind = LINE_FIELD, .code = KW_YEAR},
	{.line = "单位名称：x", .kind = LINE_FIELD, .code = KW_UNIT},
	{.line = "项目编号：x", .kind = LINE_FIELD, .code = KW_CODE},
	{.line = "其中财政资金：90", .kind = LINE_FIELD, .code = KW_FISCAL, .value = "90"},
	{.line = "支出计划：25%", .kind = LINE_FIELD, .code = KW_SCHEDULE},
	{.line = "预算规模及资金用途：x", .kind = LINE_FIELD, .code = KW_USE},
	/* text: a short word before a colon that is no field name is kept as `word` */
	{.line = "目标1：完成招聘活动4次", .kind = LINE_TEXT, .word = "目标1"},
	{.line = "一是：强化组织领导", .kind = LINE_TEXT, .word = "一是"},
	{.line = "预算 ：1", .kind = LINE_TEXT, .word = "预算"},
	{.line = "一二三四五六七八九十一二：x", .kind = LINE_TEXT, .word = "一二三四五六七八九十一二"},
	{.line = "一二三四五六七八九十一二三：x", .kind = LINE_TEXT}, /* 13 characters: too long */
	{.line = "注意，以下各项：", .kind = LINE_TEXT},             /* punctuation before the colon */
	{.line = "：开头", .kind = LINE_TEXT},
	{.line = "  汉沽管理区人力资源和社会保障局始终把学习……作为首要政治任务来抓。 ", .kind = LINE_TEXT,
	 .col = 3, .text = "汉沽管理区人力资源和社会保障局始终把学习……作为首要政治任务来抓。"},
	/* indicator rows: | or ｜ anywhere; U+2502 and U+01C0 are not bars */
	{.line = "产出指标｜数量指标｜场次｜描述｜4次｜年初计划", .kind = LINE_TEXT, .bar = true},
	{.line = "产出指标|数量指标|场次|描述|4次|年初计划", .kind = LINE_TEXT, .bar = true},
	{.line = "｜｜拍摄宣传｜开展优秀人才展播拍摄｜4次｜年初计划", .kind = LINE_TEXT, .bar = true,
	 .col = 1},
	{.line = "没有竖线的正文", .kind = LINE_TEXT, .text = "没有竖线的正文"},
	{.line = "a\u2502b\u01c0c", .kind = LINE_TEXT},
	/* continuation lines: ＋ or + first; the value is what follows, the row after it */
	{.line = "＋主要用于技能培训补贴。", .kind = LINE_CONT, .value = "主要用于技能培训补贴。",
	 .col = 1, .vcol = 2},
	{.line = "+　第二段 ", .kind = LINE_CONT, .value = "第二段", .vcol = 3},
	{.line = "＋｜｜｜含线上招聘｜｜", .kind = LINE_CONT, .value = "｜｜｜含线上招聘｜｜", .bar = true},
	{.line = "＋", .kind = LINE_CONT, .value = "", .vcol = 2},
	{.line = "加＋号在中间", .kind = LINE_TEXT},
};

static void check_case(const lex_case *c)
{
	lexed x;
	unit_context = c->line;
	lex_line l = lex_one(&x, c->line);
	if (CHECK_INT_EQ(l.kind, c->kind) && l.text) {
		switch (c->kind) {
		case LINE_FIELD:
			CHECK_INT_EQ(l.key, c->code);
			if (c->value)
				CHECK_STR_EQ(l.value, c->value);
			break;
		case LINE_SECTION:
			CHECK_INT_EQ(l.sec, c->code);
			if (c->value)
				CHECK_STR_EQ(l.value, c->value);
			if (c->rest)
				CHECK_STR_EQ(l.rest, c->rest);
			break;
		case LINE_TEXT:
			CHECK_STR_EQ(l.word, c->word);
			CHECK(l.has_bar == c->bar);
			break;
		case LINE_CONT:
			if (c->value)
				CHECK_STR_EQ(l.value, c->value);
			CHECK(l.has_bar == c->bar);
			break;
		case LINE_BLANK:
		case LINE_COMMENT:
			break;
		}
		if (c->col)
			CHECK_INT_EQ(l.loc.col, c->col);
		if (c->vcol)
			CHECK_INT_EQ(l.vloc.col, c->vcol);
		if (c->text) {
			CHECK_STR_EQ(l.text, c->text);
			CHECK_INT_EQ(l.len, strlen(c->text));
		}
		if (c->col || c->vcol)
			CHECK_INT_EQ(l.loc.line, 1);
	}
	lexed_free(&x);
	unit_context = NULL;
}

static void test_classification(void)
{
	for (size_t i = 0; i < sizeof line_cases / sizeof line_cases[0]; i++)
		check_case(&line_cases[i]);
	/* every canonical field name and every section name, generated */
	for (int k = 1; k < KW_COUNT; k++) {
		char line[64];
		snprintf(line, sizeof line, "%s：值", kw_name((kw)k));
		check_case(&(lex_case){.line = line, .kind = LINE_FIELD, .code = k, .value = "值"});
	}
	for (int s = 1; s < SEC_COUNT; s++) {
		char line[64];
		snprintf(line, sizeof line, "【%s】", section_name((section_kind)s));
		check_case(&(lex_case){.line = line, .kind = LINE_SECTION, .code = s,
		                       .value = section_name((section_kind)s), .rest = ""});
	}
}

static void test_lookup(void)
{
	CHECK_INT_EQ(kw_lookup("部门", strlen("部门")), KW_DEPT);
	CHECK_INT_EQ(kw_lookup("其中财政资金", strlen("其中财政资金")), KW_FISCAL);
	CHECK_INT_EQ(kw_lookup("部门 ", strlen("部门 ")), KW_NONE); /* exact, the caller trims */
	CHECK_INT_EQ(kw_lookup("部", strlen("部")), KW_NONE);
	CHECK_STR_EQ(kw_name(KW_SCHEDULE), "资金支出计划");
	CHECK_STR_EQ(section_name(SEC_OVERALL), "整体绩效目标");
	CHECK_STR_EQ(section_name(SEC_PROJECT), "项目");
}

/* ---- columns and rows ------------------------------------------------------------- */

enum { MAX_CELLS = 8 };

static void test_loc_at(void)
{
	lexed x;
	lex_line l = lex_one(&x, "\u3000产出指标｜数量指标");
	CHECK_INT_EQ(l.loc.col, 2);
	const char *p = strstr(l.text, "数量");
	srcloc at = lex_loc_at(&l, p);
	CHECK_INT_EQ(at.line, 1);
	CHECK_INT_EQ(at.col, 7);
	CHECK(at.file == l.loc.file);
	CHECK_INT_EQ(lex_loc_at(&l, l.text).col, 2);
	lexed_free(&x);
}

static void test_split_row(void)
{
	lexed x;
	lex_line l = lex_one(&x, "产出指标｜数量指标｜ 三级 ｜描述｜4次｜年初计划");
	const char *cells[MAX_CELLS];
	srcloc locs[MAX_CELLS];
	int n = lex_split_row(x.a, &l, cells, locs, MAX_CELLS);
	CHECK_INT_EQ(n, 6);
	CHECK_STR_EQ(cells[0], "产出指标");
	CHECK_STR_EQ(cells[1], "数量指标");
	CHECK_STR_EQ(cells[2], "三级");
	CHECK_STR_EQ(cells[3], "描述");
	CHECK_STR_EQ(cells[4], "4次");
	CHECK_STR_EQ(cells[5], "年初计划");
	CHECK_INT_EQ(locs[0].col, 1);
	CHECK_INT_EQ(locs[1].col, 6);
	CHECK_INT_EQ(locs[2].col, 12);
	CHECK_INT_EQ(locs[3].col, 16);
	CHECK_INT_EQ(locs[4].col, 19);
	CHECK_INT_EQ(locs[5].col, 22);
	lexed_free(&x);

	/* empty cells ("same as above"), half-width bars, leading blanks on the line */
	l = lex_one(&x, "  ||拍摄宣传|描述|4次|");
	n = lex_split_row(x.a, &l, cells, locs, MAX_CELLS);
	CHECK_INT_EQ(n, 6);
	CHECK_STR_EQ(cells[0], "");
	CHECK_STR_EQ(cells[1], "");
	CHECK_STR_EQ(cells[2], "拍摄宣传");
	CHECK_STR_EQ(cells[5], "");
	CHECK_INT_EQ(locs[0].col, 3); /* an empty cell points where it would start */
	CHECK_INT_EQ(locs[1].col, 4);
	CHECK_INT_EQ(locs[2].col, 5);
	CHECK_INT_EQ(locs[5].col, 16); /* after the last bar */
	lexed_free(&x);

	/* more cells than asked for: the count is still right, only max are stored */
	l = lex_one(&x, "1｜2｜3｜4｜5｜6｜7｜8");
	cells[2] = NULL;
	n = lex_split_row(x.a, &l, cells, locs, 2);
	CHECK_INT_EQ(n, 8);
	CHECK_STR_EQ(cells[1], "2");
	CHECK(cells[2] == NULL);
	lexed_free(&x);

	/* a cell with full-width blanks inside keeps them; around it they go */
	l = lex_one(&x, "\u3000a\u3000b\u3000｜c");
	n = lex_split_row(x.a, &l, cells, locs, MAX_CELLS);
	CHECK_INT_EQ(n, 2);
	CHECK_STR_EQ(cells[0], "a\u3000b");
	CHECK_INT_EQ(locs[0].col, 2);
	CHECK_INT_EQ(locs[1].col, 7);
	lexed_free(&x);
}

/* ---- bytes that are not text -------------------------------------------------------- */

static void test_invalid_utf8(void)
{
	static const char src[] = "部门：\xff测试\n年度：2025\n";
	lexed x = lex_bytes(src, sizeof src - 1);
	CHECK_INT_EQ(x.r.n, 2);
	CHECK_INT_EQ(diag_count_code(x.d, D_UTF8_INVALID), 1);
	srcloc at;
	const char *msg;
	CHECK(diag_first(x.d, D_UTF8_INVALID, &at, &msg));
	CHECK_INT_EQ(at.line, 1);
	CHECK_INT_EQ(at.col, 4);
	CHECK(msg && strstr(msg, "0xFF"));
	/* the byte became U+FFFD and the line is still a field */
	CHECK_INT_EQ(x.r.lines[0].kind, LINE_FIELD);
	CHECK_STR_EQ(x.r.lines[0].value, "\ufffd测试");
	CHECK_INT_EQ(x.r.lines[1].key, KW_YEAR);
	lexed_free(&x);

	/* every bad byte is one character: overlong, surrogate, lone continuation, bad lead */
	static const char bad[] = "a\xc0\x80" "b\xed\xa0\x80" "c\x80" "d\xf8" "e\xf4\x90\x80\x80" "f";
	x = lex_bytes(bad, sizeof bad - 1);
	CHECK_INT_EQ(diag_count_code(x.d, D_UTF8_INVALID), 2 + 3 + 1 + 1 + 4);
	CHECK_INT_EQ(utf8_count(x.r.lines[0].text, x.r.lines[0].len), 6 + 11);
	CHECK_INT_EQ(x.r.lines[0].kind, LINE_TEXT);
	lexed_free(&x);

	/* a multi-byte character cut short at the end of the file */
	static const char cut[] = "部门：测\xe8\xaf";
	x = lex_bytes(cut, sizeof cut - 1);
	CHECK_INT_EQ(diag_count_code(x.d, D_UTF8_INVALID), 2);
	CHECK(diag_first(x.d, D_UTF8_INVALID, &at, NULL));
	CHECK_INT_EQ(at.col, 5);
	CHECK_STR_EQ(x.r.lines[0].value, "测\ufffd\ufffd");
	lexed_free(&x);

	/* at most 20 reports per file, however bad it is */
	char junk[100];
	memset(junk, 0xFE, sizeof junk);
	x = lex_bytes(junk, sizeof junk);
	CHECK_INT_EQ(diag_count_code(x.d, D_UTF8_INVALID), 20);
	CHECK_INT_EQ(utf8_count(x.r.lines[0].text, x.r.lines[0].len), 100);
	lexed_free(&x);
}

static void test_nul_bytes(void)
{
	static const char src[] = "部门：a\0b\n\0\n";
	lexed x = lex_bytes(src, sizeof src - 1);
	CHECK_INT_EQ(x.r.n, 2);
	CHECK_INT_EQ(diag_count_code(x.d, D_NUL_BYTE), 2);
	srcloc at;
	CHECK(diag_first(x.d, D_NUL_BYTE, &at, NULL));
	CHECK_INT_EQ(at.line, 1);
	CHECK_INT_EQ(at.col, 5);
	CHECK_STR_EQ(x.r.lines[0].value, "a\ufffdb");
	CHECK_INT_EQ(strlen(x.r.lines[0].text), x.r.lines[0].len); /* no NUL left inside */
	CHECK_STR_EQ(x.r.lines[1].text, "\ufffd");
	CHECK_INT_EQ(x.r.lines[1].kind, LINE_TEXT);
	lexed_free(&x);
}

static void test_long_lines(void)
{
	/* exactly the limit, in three-byte characters: fine (the limit counts characters) */
	size_t n = LEX_MAX_LINE_CHARS * 3;
	char *s = xmalloc(n + 1);
	for (size_t i = 0; i < n; i += 3)
		memcpy(s + i, "测", 3);
	s[n] = '\0';
	lexed x = lex_bytes(s, n);
	CHECK_INT_EQ(diag_count_code(x.d, D_LINE_TOO_LONG), 0);
	CHECK_INT_EQ(x.r.lines[0].len, n);
	lexed_free(&x);
	free(s);

	/* one character more: reported at the first character past the limit, and cut there */
	n = LEX_MAX_LINE_CHARS + 1;
	s = xmalloc(n + 16);
	memset(s, 'a', n);
	memcpy(s + n, "\n部门：x\n", strlen("\n部门：x\n") + 1);
	x = lex_bytes(s, strlen(s));
	CHECK_INT_EQ(diag_count_code(x.d, D_LINE_TOO_LONG), 1);
	srcloc at;
	CHECK(diag_first(x.d, D_LINE_TOO_LONG, &at, NULL));
	CHECK_INT_EQ(at.line, 1);
	CHECK_INT_EQ(at.col, LEX_MAX_LINE_CHARS + 1);
	CHECK_INT_EQ(x.r.lines[0].len, LEX_MAX_LINE_CHARS);
	CHECK_INT_EQ(x.r.n, 2);
	CHECK_INT_EQ(x.r.lines[1].key, KW_DEPT); /* the next line is unharmed */
	lexed_free(&x);
	free(s);
}

static void test_bom_crlf_empty(void)
{
	lexed x = lex_text("\xEF\xBB\xBF部门：甲\r\n年度：2025\r\n\r\n");
	CHECK_INT_EQ(x.r.n, 3);
	CHECK_INT_EQ(x.r.lines[0].kind, LINE_FIELD);
	CHECK_INT_EQ(x.r.lines[0].key, KW_DEPT);
	CHECK_INT_EQ(x.r.lines[0].loc.col, 1); /* the BOM takes no column */
	CHECK_STR_EQ(x.r.lines[0].value, "甲");
	CHECK_STR_EQ(x.r.lines[1].value, "2025");
	CHECK_INT_EQ(x.r.lines[1].loc.line, 2);
	CHECK_INT_EQ(x.r.lines[2].kind, LINE_BLANK);
	CHECK_INT_EQ(diag_count(x.d, DIAG_ERROR), 0);
	lexed_free(&x);

	/* an empty file is one blank line, and so is a file holding only a byte order mark */
	x = lex_bytes("", 0);
	CHECK_INT_EQ(x.r.n, 1);
	CHECK_INT_EQ(x.r.lines[0].kind, LINE_BLANK);
	CHECK_INT_EQ(x.r.lines[0].loc.line, 1);
	lexed_free(&x);
	x = lex_text("\xEF\xBB\xBF");
	CHECK_INT_EQ(x.r.n, 1);
	CHECK_INT_EQ(x.r.lines[0].kind, LINE_BLANK);
	lexed_free(&x);

	/* line counting with and without a final newline */
	static const struct {
		const char *text;
		size_t lines;
	} counts[] = {{"\n", 1}, {"a", 1}, {"a\n", 1}, {"a\nb", 2}, {"a\nb\n", 2},
	              {"a\n\n", 2}, {"\n\n\n", 3}, {"\r\n", 1}};
	for (size_t i = 0; i < sizeof counts / sizeof counts[0]; i++) {
		unit_context = counts[i].text;
		x = lex_text(counts[i].text);
		CHECK_INT_EQ(x.r.n, counts[i].lines);
		CHECK_INT_EQ(x.r.lines[x.r.n - 1].loc.line, (int)counts[i].lines);
		lexed_free(&x);
	}
	unit_context = NULL;
}

static void test_kw_suggest(void)
{
	static const struct {
		const char *written;
		const char *want; /* NULL: nothing close enough */
	} cases[] = {
		{"年份", "年度"},           {"预算", "预算数"},
		{"项目名", "项目名称"},   {"财政资", "财政资金"},     {"资金支出计化", "资金支出计划"},
		{"总体目标", "总体绩效目标"}, {"绩效指票", "绩效指标"},
		{"完全不同的东西", NULL}, {"xyz", NULL},              {"目标1", NULL},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		unit_context = cases[i].written;
		CHECK_STR_EQ(kw_suggest(cases[i].written), cases[i].want);
	}
	unit_context = NULL;
}

/* ---- printing diagnostics ------------------------------------------------------------------- */

/* What diag_flush prints for the messages collected in d. */
static char *flushed(diag_ctx *d)
{
	char *text = NULL;
	size_t len = 0;
	FILE *out = open_memstream(&text, &len);
	if (!CHECK(out != NULL))
		return NULL;
	diag_flush(d, out);
	fclose(out);
	return text;
}

static void test_diag_printing(void)
{
	/* nothing collected: nothing printed */
	diag_ctx *d = diag_new();
	char *text = flushed(d);
	CHECK_STR_EQ(text, "");
	free(text);

	/* sorted by line and column, the note kept after its message, the caret under the character
	 * (wide characters two columns; the byte order mark none; tab one) */
	static const char src[] = "\xEF\xBB\xBF年度：20x5\n\t预算数：9O\n部门：甲\n";
	src_file *f = diag_add_file(d, "t.txt", src, sizeof src - 1);
	diag_report(d, (srcloc){f, 2, 7}, D_AMOUNT_SYNTAX, "预算数");
	diag_report(d, (srcloc){f, 3, 1}, D_FIELD_DUPLICATE, "部门");
	diag_report(d, (srcloc){f, 1, 4}, D_NOTE_FIRST_HERE);
	diag_report(d, (srcloc){f, 1, 4}, D_YEAR_SYNTAX, "20x5");
	diag_report(d, (srcloc){0}, D_NOT_A_SOURCE, "t.txt");
	CHECK_INT_EQ(diag_count_code(d, D_AMOUNT_SYNTAX), 1);
	CHECK_INT_EQ(diag_count(d, DIAG_ERROR), 4);
	text = flushed(d);
	CHECK_STR_EQ(text, "budgetgen: error: “t.txt”中没有“部门：”，不是部门预算源文件\n"
	                   "t.txt:1:4: error: 年度“20x5”应为四位数字，如 2025\n"
	                   "年度：20x5\n"
	                   "      ^\n"
	                   "t.txt:2:7: error: “预算数”应为金额（万元），如 90 或 20.982\n"
	                   " 预算数：9O\n"
	                   "          ^\n"
	                   "t.txt:3:1: error: 字段“部门”重复\n"
	                   "部门：甲\n"
	                   "^\n"
	                   "t.txt:1:4: note: 第一次出现在这里\n"
	                   "年度：20x5\n"
	                   "      ^\n");
	free(text);
	/* flushing forgets the messages but not the counts */
	CHECK_INT_EQ(diag_count_code(d, D_AMOUNT_SYNTAX), 0);
	CHECK_INT_EQ(diag_count(d, DIAG_ERROR), 4);

	/* control characters never reach the terminal, in the message or in the quote */
	static const char ctl[] = "备\a注\x1b[2J\t：x\n";
	f = diag_add_file(d, "c.txt", ctl, sizeof ctl - 1);
	diag_report(d, (srcloc){f, 1, 9}, D_UNKNOWN_FIELD_BARE, "备\a注\x1b[2J\t");
	text = flushed(d);
	CHECK_STR_EQ(text, "c.txt:1:9: error: 未知的字段“备?注?[2J ”\n"
	                   "备?注?[2J ：x\n"
	                   "          ^\n");
	free(text);
	diag_free(d);
}

int main(void)
{
	test_classification();
	test_lookup();
	test_loc_at();
	test_split_row();
	test_invalid_utf8();
	test_nul_bytes();
	test_long_lines();
	test_bom_crlf_empty();
	test_kw_suggest();
	test_diag_printing();
	return unit_report();
}
