/* lex.h — the lexer: source bytes → classified lines. The language is line-oriented (docs/
 * language.md): each line is blank, a comment, a section header 【…】, a field 名称：值, or text
 * (a paragraph or an indicator row). Included by the parser and by `budgetgen fmt`. */
#ifndef BUDGETGEN_LEX_H
#define BUDGETGEN_LEX_H

#include <stdbool.h>
#include <stddef.h>

#include "base/diag.h"
#include "base/util.h"

/* ORDER lex_keywords in lex.c. The field names of the language. */
typedef enum kw {
	KW_NONE,
	/* department header */
	KW_DEPT,       /* 部门： department name */
	KW_DEPT_CODE,  /* 部门编码： */
	KW_YEAR,       /* 年度： */
	KW_UNIT,       /* 编报单位： unit line printed above project tables */
	KW_VARIANT,    /* 项目表： 完整 | 简明 */
	KW_FORM_TITLE, /* 项目表题： what follows the project's name in its form's title */
	KW_INCLUDE,    /* 包含： path of a file to insert here */
	/* 【整体绩效目标】 */
	KW_SUMMARY,    /* 总体绩效目标： paragraphs follow */
	KW_ITEM,       /* 分项绩效目标： title of one item */
	KW_MEASURES,   /* 工作保障措施： paragraphs follow */
	/* shared by items and projects */
	KW_GOAL,       /* 绩效目标： */
	KW_INDICATORS, /* 绩效指标： (item: text; project: rows follow) */
	/* 【项目】 */
	KW_NAME,       /* 项目名称： */
	KW_PART,       /* 部分： 项目 | 公用 */
	KW_CODE,       /* 项目编码： */
	KW_TOTAL,      /* 预算数： */
	KW_FISCAL,     /* 财政资金： */
	KW_OTHER,      /* 其他资金： */
	KW_USE,        /* 资金用途： */
	KW_SCHEDULE,   /* 资金支出计划： */
	/* added later: listed last so that the order above stays */
	KW_INTRO,      /* 分项引言： paragraphs under 二、分项绩效目标 before the first item */
	KW_NUMBERING,  /* 分项序号： （一） | 一、 */
	KW_GOAL_CELL,  /* 绩效目标栏： 分行 | 一格 (department header or 【项目】) */
	KW_COUNT
} kw;

/* ORDER lex_sections in lex.c. */
typedef enum section_kind {
	SEC_UNKNOWN,
	SEC_OVERALL, /* 【整体绩效目标】 */
	SEC_PROJECT, /* 【项目】 */
	/* budget data (docs/language.md §6): generic lines, interpreted by budget.c */
	SEC_INCOME,   /* 【收入】 */
	SEC_EXPENSE,  /* 【支出】 */
	SEC_BASIC,    /* 【基本支出】 */
	SEC_THREE,    /* 【三公经费】 */
	SEC_PROCURE,  /* 【政府采购】 */
	SEC_ASSETS,   /* 【固定资产】 */
	SEC_ORGS,     /* 【机构设置】 */
	SEC_LASTYEAR, /* 【上年】 */
	SEC_NOTES,    /* 【情况说明】 */
	SEC_COUNT
} section_kind;

typedef enum line_kind {
	LINE_BLANK,
	LINE_COMMENT, /* # or ＃ first */
	LINE_SECTION, /* 【name】rest */
	LINE_FIELD,   /* keyword followed by ： or : */
	LINE_CONT,    /* ＋ or + first: one more paragraph of the field or indicator row above */
	LINE_TEXT     /* anything else: a paragraph or an indicator row */
} line_kind;

typedef struct lex_line {
	line_kind kind;
	srcloc loc;         /* first non-blank character */
	const char *text;   /* the line without surrounding blanks; valid UTF-8, NUL-terminated */
	size_t len;         /* bytes in text */
	kw key;             /* LINE_FIELD: which field */
	section_kind sec;   /* LINE_SECTION: which section (SEC_UNKNOWN keeps name in value) */
	const char *value;  /* LINE_FIELD: text after the colon, trimmed; LINE_SECTION: the name;
	                       LINE_CONT: text after the ＋, trimmed */
	srcloc vloc;        /* where value starts (after the colon or ＋ when value is empty) */
	const char *rest;   /* LINE_SECTION: text after 】, trimmed (may be "") */
	const char *word;   /* LINE_TEXT shaped like "词：…" with a short CJK word: that word, else NULL */
	bool has_bar;       /* LINE_TEXT (LINE_CONT: its value) contains | or ｜ (an indicator row candidate) */
} lex_line;

typedef struct lex_result {
	lex_line *lines; /* arena array */
	size_t n;
} lex_result;

/* LEX_MAX_LINES: every line costs a record (about 200 bytes with its text), whatever it holds, so
 * a file of 16 MB of empty lines took 3.4 GB before this limit; a million lines now cost at most
 * about 230 MB. The largest sample has 892 lines. */
enum { LEX_MAX_LINE_CHARS = 20000, LEX_MAX_FILE_MB = 16, LEX_MAX_LINES = 1 << 20 };

/* Splits a registered file into lines, reporting invalid UTF-8, NUL bytes and over-long lines
 * (each replaced or cut so that later stages see valid text). */
lex_result lex_file(arena *a, diag_ctx *d, const src_file *f);

/* The location of byte p inside line->text. */
srcloc lex_loc_at(const lex_line *line, const char *p);

/* Splits an indicator row at | and ｜ into trimmed cells (arena strings) with their locations.
 * Returns the number of cells (may exceed max; only max are stored). A LINE_CONT line is split
 * after its ＋. */
int lex_split_row(arena *a, const lex_line *line, const char **cells, srcloc *locs, int max);

const char *kw_name(kw k);
const char *section_name(section_kind s);
/* Looks a field name up (exact match after trimming); KW_NONE if unknown. */
kw kw_lookup(const char *s, size_t n);
/* The known field name closest to s by edit distance over characters, for suggestions. */
const char *kw_suggest(const char *s);

#endif
