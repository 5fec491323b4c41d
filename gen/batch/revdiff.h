/* revdiff.h — `budgetgen diff OLD NEW`: the revision report. Pairs the departments of two source
 * trees (or two files), and lists per department every figure that changed — the totals, every
 * cell of the budget tables (composed as the booklet prints them, matched by table title, row
 * label or code, and column), each project's 预算数/财政资金/其他资金 and 指标值, the figures in
 * the 情况说明 after its references are filled in — with the old value, the new one and the
 * difference; as text, and as an .xlsx to circulate. Reads models and the document IR; included
 * by main.c only. */
#ifndef BUDGETGEN_REVDIFF_H
#define BUDGETGEN_REVDIFF_H

#include <stddef.h>

#include "base/decimal.h"
#include "base/util.h"

typedef struct revdiff_options {
	const char *layouts_dir; /* NULL: layouts/ as for build */
	const char *xlsx;        /* -o: also write the report here, or NULL */
	int64_t epoch;           /* SOURCE_DATE_EPOCH for the workbook's date, or -1 */
	bool figures_only;       /* --figures: no text changes (资金用途, goals, indicator texts) */
} revdiff_options;

/* What a row of the report says. */
typedef enum rev_kind {
	REV_CHANGED, /* old → new */
	REV_ADDED,   /* 新增: a project or department only in the new version */
	REV_DELETED, /* 删除: only in the old version */
	REV_RENAMED, /* 改名: a project paired by its 项目编码 under another name */
} rev_kind;

/* One changed figure: a row of the report. */
typedef struct rev_change {
	const char *dept;     /* 部门 */
	const char *where;    /* 项目 (or 位置): "项目：名称", a table's title, "情况说明：总体情况 第2段" … */
	const char *item;     /* 内容: the row and column, the field, the words before the figure */
	const char *old_text; /* 原值 as printed ("" when blank or absent) */
	const char *new_text; /* 新值 */
	rev_kind kind;
	bool text;            /* a change of words (资金用途, goals, indicator texts), not of a figure */
	bool numeric;         /* both are numbers (or one is blank): diff holds new − old */
	decimal diff;
	int places;           /* decimals to print diff with */
} rev_change;

typedef struct rev_report {
	arena *a;
	rev_change *changes;
	size_t n, cap;
	size_t departments;   /* compared */
} rev_report;

/* Compares two departments' sources (files or directories, paired by year and name). Errors in
 * a source are printed to stderr; returns 0, or REVDIFF_INPUT (a source has errors),
 * REVDIFF_IO (cannot read, internal) or 2 (the -o workbook would overwrite one of the files
 * compared). Whether anything differs is out->n. */
enum { REVDIFF_IO = 3, REVDIFF_INPUT = 4 };
int revdiff_compare(const revdiff_options *opt, const char *old_path, const char *new_path,
                    rev_report *out);
/* The report as text (one line per change, grouped by department). */
void revdiff_format_text(const rev_report *r, buf *out);
/* The report as a workbook: 部门, 项目, 内容, 原值, 新值, 变化, laid out for A4. Returns 0, or -1
 * with err. */
int revdiff_write_xlsx(const rev_report *r, int64_t epoch, const char *path, char *err, size_t errlen);
void revdiff_free(rev_report *r);

#endif
