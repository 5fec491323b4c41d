/* layouts.h — the table and page layouts of layouts/NAME.layout, read at run time: page setups,
 * paragraph styles, and per table kind the column widths in mm, cell styles, title/caption
 * templates, row templates with spans and merges, and the rows that repeat on a new page.
 * Used by compose.c (which fills the templates) and, through doc.h, by every emitter. */
#ifndef BUDGETGEN_LAYOUT_H
#define BUDGETGEN_LAYOUT_H

#include <stddef.h>

#include "doc/doc.h"
#include "base/util.h"

enum { LAYOUT_MAX_SPAN = 64 };

/* One cell of a row template: `样式 "文字{槽}" 跨列 N 跨行 N 合并`. */
typedef struct layout_cell {
	const doc_style *style;
	const char *text;   /* template text, {槽} replaced by compose */
	int colspan, rowspan;
	bool merge;         /* merge downwards with equal text in the next row of the same template */
} layout_cell;

typedef struct layout_row {
	const char *name;
	const layout_cell *cells;
	int ncells;
	int line;           /* in the layout file, for messages */
} layout_row;

typedef struct layout_table {
	const char *name;         /* file stem: "project-full" */
	const char *path;         /* the file it came from */
	const doc_page *page;     /* one of the document's page setups */
	int ncols;
	const mpt *col_widths;
	const char *title;        /* templates */
	const char *caption_left;
	const char *caption_right;
	const char *note;
	const char *repeat_row;   /* names of the row templates that repeat on new pages (blank-
	                             separated; their rows must be contiguous), or NULL */
	bool new_page;            /* in a booklet, each table of this kind starts a new page */
	const mpt *col_min;       /* 列宽范围 = 16-22 …: bounds of the columns that follow their */
	const mpt *col_max;       /* content; NULL without 列宽范围 (the widths are fixed) */
	bool one_page;            /* 一页 = 是: a form set on one page where it can be (doc.h) */
	const doc_style *styles;  /* cell styles */
	size_t nstyles;
	const layout_row *rows;
	size_t nrows;
} layout_table;

typedef struct layout_set {
	doc_page portrait, landscape;
	const char *page_number_format; /* "— {页} —" */
	doc_style page_number_style;
	const doc_style *styles;        /* paragraph styles of document.layout */
	size_t nstyles;
	const layout_table *tables;
	size_t ntables;
	const char *const *words;       /* document.layout [词语], sorted by strcmp (doc.h) */
	size_t nwords;
} layout_set;

/* Reads dir/document.layout and every other dir/NAME.layout. On failure returns NULL and writes
 * "file:line: message" (Chinese) into err. Everything lives in arena a. */
const layout_set *layout_load(arena *a, const char *dir, char *err, size_t errlen);

/* Parses one layout text (for tests and fuzzing); `doc` is NULL when text is document.layout. */
const layout_set *layout_parse_text(arena *a, const char *name, const char *text, size_t len,
                                    char *err, size_t errlen);

const layout_table *layout_table_find(const layout_set *l, const char *name);
const layout_row *layout_row_find(const layout_table *t, const char *name);
const doc_style *layout_style_find(const layout_set *l, const char *name);
/* Whether rows of template `name` belong to the table's 重复行. */
bool layout_row_repeats(const layout_table *t, const char *name);

#endif
