/* diag.h — the one diagnostics function and the one message table. Every stage reports through
 * diag_report() with a code from the table below; the table gives severity and Chinese text.
 * Messages are collected, sorted by location and printed as
 *   path:line:col: error: <message>
 *   <source line>
 *   <caret>
 * Columns count characters (code points) from 1. */
#ifndef BUDGETGEN_DIAG_H
#define BUDGETGEN_DIAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef enum diag_level { DIAG_NOTE, DIAG_WARNING, DIAG_ERROR } diag_level;

/* A source file known to the diagnostics: its path as the user named it and its text, so that the
 * offending line can be quoted. */
typedef struct src_file {
	const char *path; /* as given on the command line or in 包含： */
	const char *text; /* whole contents (may contain invalid UTF-8 or NUL) */
	size_t len;       /* bytes in text */
	int id;           /* order of first appearance, for sorting */
} src_file;

/* A position: 1-based line and character column in a file. file == NULL means "no location". */
typedef struct srcloc {
	const src_file *file;
	int line;
	int col;
} srcloc;

/* ORDER diag_messages: one entry per code in diag.c. Each comment names the printf arguments. */
typedef enum diag_code {
	/* input bytes and files */
	D_FILE_READ,          /* path, strerror */
	D_FILE_TOO_BIG,       /* path, limit in MB */
	D_UTF8_INVALID,       /* byte value */
	D_NUL_BYTE,           /* - */
	D_CHAR_FORBIDDEN,     /* code point */
	D_LINE_TOO_LONG,      /* limit in characters */
	D_TOO_MANY_LINES,     /* limit in lines */
	D_INCLUDE_NOT_FOUND,  /* path, strerror */
	D_INCLUDE_CYCLE,      /* path */
	D_INCLUDE_DEPTH,      /* depth limit */
	D_INCLUDE_OUTSIDE,    /* path, the directory includes are confined to */
	D_INCLUDE_TOTAL,      /* limit in MB */
	D_INCLUDE_LINES,      /* limit in lines */
	D_NOT_A_SOURCE,       /* path */
	/* structure */
	D_UNKNOWN_SECTION,    /* name */
	D_UNKNOWN_FIELD,      /* name, suggestion */
	D_UNKNOWN_FIELD_BARE, /* name */
	D_FIELD_MISPLACED,    /* field, where it belongs */
	D_FIELD_DUPLICATE,    /* field */
	D_FIELD_MISSING,      /* field, what lacks it */
	D_TEXT_MISPLACED,     /* - */
	D_ROW_MISPLACED,      /* - */
	D_ROW_CELLS,          /* number of cells */
	D_ROW_EMPTY_CELL,     /* column name */
	D_ROW_L2_INHERIT,     /* the new 一级 name */
	D_ROW_NO_PARENT,      /* column name */
	D_OVERALL_DUPLICATE,  /* - */
	D_ITEM_EMPTY,         /* - */
	D_REFERENCE_RESERVED, /* - */
	D_CONT_MISPLACED,     /* - */
	D_CONT_ROW,           /* - */
	D_CONT_NAME,          /* column name */
	D_NUMBERING_UNKNOWN,  /* text */
	D_GOAL_CELL_UNKNOWN,  /* text */
	D_ACK_KIND,           /* kind as written, why it cannot be acknowledged */
	D_ACK_UNUSED,         /* kind */
	/* values */
	D_AMOUNT_SYNTAX,      /* field */
	D_AMOUNT_PRECISION,   /* field */
	D_AMOUNT_RANGE,       /* field */
	D_AMOUNT_NEGATIVE,    /* field */
	D_AMOUNT_SUM_LIMIT,   /* field, limit in 万元 */
	D_YEAR_SYNTAX,        /* text */
	D_PART_UNKNOWN,       /* text */
	D_VARIANT_UNKNOWN,    /* text */
	D_CODE_SHAPE,         /* code */
	D_CODE_YEAR,          /* year digits in code, department year */
	D_SCHEDULE_COUNT,     /* count */
	D_SCHEDULE_SYNTAX,    /* text */
	D_SCHEDULE_DECREASE,  /* month, value, previous month, previous value */
	D_SCHEDULE_END,       /* last value */
	D_BUDGET_SUM,         /* total, fiscal, other, fiscal+other */
	/* indicator framework */
	D_L1_UNKNOWN,         /* name */
	D_L2_UNKNOWN,         /* name */
	D_L2_WRONG_PARENT,    /* l2, l1, l1 that owns l2 */
	D_NAME_VARIANT,       /* written, canonical */
	D_GROUP_MISSING,      /* l1 name */
	D_COST_EXCEEDS,       /* amount, budget */
	D_VALUE_REPEATED,     /* repeated part */
	D_VALUE_RUNON,        /* number */
	D_VALUE_UNSELECTED,   /* text */
	D_VALUE_BARE_UNIT,    /* value */
	D_VALUE_RATE_COUNT,   /* 三级指标, value */
	D_VALUE_MONEY,        /* 二级指标, value */
	D_COST_NOT_MONEY,     /* value */
	D_VALUE_UNIT_WORD,    /* value, the word */
	D_GOAL_DUPLICATE,     /* what (分项绩效目标, 项目), goal text */
	D_PROSE_INDICATOR,    /* a note of its own: figure in the prose, project, its value */
	D_PROSE_TEMPLATE,     /* the leftover text */
	D_PROSE_REASON_EMPTY, /* - */
	D_PROSE_PERCENT,      /* the words and number */
	D_PROSE_ZERO_BASE,    /* the rate, the figure's name */
	D_PROSE_DIRECTION,    /* the word, what the figures say */
	D_PROSE_LITERAL_REF,  /* the figure, the reference that computes it */
	/* whole department */
	D_PROJECT_DUP_NAME,   /* name */
	D_PROJECT_DUP_CODE,   /* code */
	D_NO_PROJECTS,        /* - */
	D_TOO_MANY,           /* what, limit, unit */
	/* budget data */
	D_BUDGET_NAME_UNKNOWN,  /* name, section, allowed names */
	D_BUDGET_ROW_CELLS,     /* section, expected count, column names, count */
	D_BUDGET_TEXT,          /* section, what a line there looks like */
	D_BUDGET_DUPLICATE,     /* what */
	D_CODE_DIGITS,          /* classification, code, digits expected */
	D_CODE_UNKNOWN,         /* classification, code */
	D_CODE_NAME_MISMATCH,   /* code, catalogue name, written name */
	D_EXPENSE_KIND,         /* text */
	D_BASIC_KIND,           /* text */
	D_IDENTITY_FUND,        /* source, income, expense */
	D_IDENTITY_BASIC,       /* basic table total, basic expense from 一般公共预算 */
	D_REF_UNKNOWN,          /* name */
	D_REF_NO_LAST_YEAR,     /* reference, name needed in 【上年】 */
	D_REF_UNCLOSED,         /* - */
	D_PROSE_FIGURE,         /* figure */
	D_CATALOG_ERROR,        /* message */
	/* building documents */
	D_GLYPH_MISSING,      /* character, code point, reason, "" or "；出现在“<text>”" when it has no location */
	D_LAYOUT_ERROR,       /* message naming the layout file and line */
	D_FONT_ERROR,         /* message naming the role and files tried */
	D_RENDER_FAILED,      /* document, message */
	D_WRITE_FAILED,       /* path, strerror */
	D_STATE_DAMAGED,      /* kind of file, path, why */
	D_NOTE_FIRST_HERE,    /* - */
	D_NOTE_ALLOWED,       /* list */
	D_NOTE_TOTALS,        /* 收入总计, 支出总计 */
	D_NOTE_INDICATOR_HERE, /* - */
	D_CODE_COUNT
} diag_code;

typedef struct diag_ctx diag_ctx;

diag_ctx *diag_new(void);
void diag_free(diag_ctx *d);

/* Registers a file so its lines can be quoted; the diag context keeps its own copy of path. */
src_file *diag_add_file(diag_ctx *d, const char *path, const char *text, size_t len);
/* The files registered so far, in order of registration (a department's source, then what it
 * includes, as read: the build hashes them). */
size_t diag_file_count(const diag_ctx *d);
const src_file *diag_file(const diag_ctx *d, size_t i);

/* Reports one message. A note attaches to the message reported just before it. */
void diag_report(diag_ctx *d, srcloc loc, diag_code code, ...);

diag_level diag_level_of(diag_code code);
/* Messages of a level reported since diag_new() (flushing does not reset the counts). */
size_t diag_count(const diag_ctx *d, diag_level level);
/* For tests: the collected (not yet flushed) messages with a code — how many there are, and the
 * location and text of the first one (false when there is none). */
size_t diag_count_code(const diag_ctx *d, diag_code code);
bool diag_first(const diag_ctx *d, diag_code code, srcloc *loc, const char **text);
/* Prints every collected message, sorted by file, line, column (notes stay with their message),
 * then forgets them. */
void diag_flush(diag_ctx *d, FILE *out);

/* Messages of one code reported since the context was created (flushed ones included). */
size_t diag_total_code(const diag_ctx *d, diag_code code);
/* Whether a code is a finding of its own: an error, a warning, or a note that is not attached
 * to the message before it (a prose figure that differs from an indicator). */
bool diag_stands_alone(diag_code code);
/* Forgets the collected messages without printing them (their counts stay). */
void diag_discard(diag_ctx *d);

/* Prints at most max_per_kind warnings of each kind per file (0: all, the default); the rest
 * are summed up in one note. Errors are always printed. */
void diag_set_limit(diag_ctx *d, size_t max_per_kind);

/* Acknowledgements (docs/language.md §7, “# 已核对：种类”): a warning of `code` reported on line
 * `line` of file f is neither printed nor counted, nor are its notes; `at` is where the
 * acknowledgement is written. diag_acknowledge_finish() reports those that matched nothing
 * (D_ACK_UNUSED, at `at`) and forgets them all: call it when a department's checks are done. */
void diag_acknowledge(diag_ctx *d, srcloc at, const src_file *f, int line, diag_code code);
void diag_acknowledge_finish(diag_ctx *d);
/* The code whose name (as in the table, e.g. "code-shape") is `name`; false when none. */
bool diag_code_lookup(const char *name, diag_code *out);

/* The message format string of a code (for tests and documentation). */
const char *diag_format(diag_code code);
const char *diag_name(diag_code code);
/* The kind's Chinese name ("指标值未作选择"): what users see where a message kind is named. */
const char *diag_name_zh(diag_code code);

#endif
