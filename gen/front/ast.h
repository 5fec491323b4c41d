/* ast.h — the syntax tree of one department source, as written: strings are unchecked and every
 * node keeps its file:line:col. Built by parse.c, read only by resolve.c (and `fmt`). */
#ifndef BUDGETGEN_AST_H
#define BUDGETGEN_AST_H

#include <stddef.h>

#include "base/diag.h"

/* A string from the source with where it starts. s == NULL: the field was not written. A text
 * continued on ＋ lines holds its paragraphs separated by '\n' (loc is where the first starts). */
typedef struct ast_str {
	const char *s;
	srcloc loc;
} ast_str;

enum { AST_ROW_CELLS = 6 };

/* One indicator row: 一级｜二级｜三级｜描述｜指标值｜依据. Empty 一级/二级 mean "same as above". */
typedef struct ast_row {
	srcloc loc;
	ast_str cell[AST_ROW_CELLS];
	int ncells; /* as written; only rows with exactly 6 reach the resolver */
} ast_row;

typedef struct ast_project {
	srcloc loc;          /* the 【项目】 line */
	ast_str name;        /* 项目名称 */
	ast_str unit;        /* 编报单位, when it differs from the department's */
	ast_str part;        /* 部分 */
	ast_str code;        /* 项目编码 */
	ast_str total;       /* 预算数 */
	ast_str fiscal;      /* 财政资金 */
	ast_str other;       /* 其他资金 */
	ast_str use;         /* 资金用途 */
	ast_str schedule;    /* 资金支出计划 */
	ast_str indicators;  /* the 绩效指标： line itself (s is "" when present) */
	ast_str goal_cell;   /* 绩效目标栏: 分行 | 一格 (the department's when not written) */
	ast_str *goals;      /* 绩效目标 lines, in order */
	size_t ngoals, goals_cap;
	ast_row *rows;       /* indicator rows */
	size_t nrows, rows_cap;
	bool too_many_goals, too_many_rows; /* a parser limit was reported (parse.c) */
} ast_project;

/* One 分项绩效目标. */
typedef struct ast_item {
	srcloc loc;
	ast_str title;      /* text after 分项绩效目标： */
	ast_str goal;       /* 绩效目标： */
	ast_str indicators; /* 绩效指标： */
	ast_str *text;      /* unlabelled description paragraphs */
	size_t ntext, text_cap;
} ast_item;

typedef struct ast_overall {
	srcloc loc;         /* the 【整体绩效目标】 line */
	ast_str *summary;   /* 总体绩效目标 paragraphs */
	size_t nsummary, summary_cap;
	ast_str intro_field; /* the 分项引言： line (s is its value; NULL: not written) */
	ast_str *intro;     /* 分项引言 paragraphs */
	size_t nintro, intro_cap;
	ast_str numbering;  /* 分项序号: （一） | 一、 */
	ast_item *items;    /* 分项绩效目标 */
	size_t nitems, items_cap;
	ast_str *measures;  /* 工作保障措施 paragraphs */
	size_t nmeasures, measures_cap;
} ast_overall;

enum { AST_MAX_CELLS = 12 };

/* One line of a budget-data section (【收入】, 【支出】 … 【情况说明】), kept generic: the resolver
 * (budget.c) gives it meaning per section. */
typedef struct ast_line {
	srcloc loc;
	ast_str text;                  /* the whole line */
	ast_str key, value;            /* "名称：值" split at the first colon; key.s NULL if none */
	ast_str cell[AST_MAX_CELLS];   /* split at ｜ when the line has one */
	int ncells;                    /* 0 when the line has no ｜ */
} ast_line;

typedef struct ast_section {
	int kind;                      /* section_kind (lex.h) */
	srcloc loc;                    /* the 【…】 line */
	ast_line *lines;
	size_t nlines, lines_cap;
	bool too_many;                 /* the parser's line limit was reported (parse.c) */
} ast_section;

typedef struct ast_department {
	const src_file *file; /* the main source file */
	ast_str name;         /* 部门 */
	ast_str code;         /* 部门编码 */
	ast_str year;         /* 年度 */
	ast_str unit;         /* 编报单位 */
	ast_str variant;      /* 项目表 */
	ast_str goal_cell;    /* 绩效目标栏 */
	ast_str form_title;   /* 项目表题 */
	ast_overall *overall; /* NULL when absent */
	ast_project *projects;
	size_t nprojects, projects_cap;
	ast_section *sections;   /* budget-data sections in source order */
	size_t nsections, sections_cap;
} ast_department;

#endif
