/* paginate.h — the shared layout engine: document IR + fonts → pages of positioned text and
 * rules. Text is measured with FreeType (font.h) and broken by Chinese rules (linebreak.h); table
 * rows are as tall as their content, never split, and a table that breaks repeats its header
 * rows and shows merged 一级/二级 labels again. The PDF emitter draws the result; the Word and
 * Excel emitters use its page numbers (table of contents) and row heights.
 * Coordinates: millipoints from the top-left corner of the page, y downwards. */
#ifndef BUDGETGEN_PAGINATE_H
#define BUDGETGEN_PAGINATE_H

#include "doc/doc.h"
#include "text/font.h"
#include "text/linebreak.h"
#include "base/util.h"

/* A run of characters drawn with one face at one size on one baseline. */
typedef struct pg_run {
	font_face *face;
	mpt size;
	mpt x, y;          /* start of the first character; y is the baseline */
	const char *text;  /* UTF-8, not NUL-terminated */
	size_t len;
	const mpt *xs;     /* x of each code point (absolute), or NULL: natural advances from x */
	bool bold;         /* draw with a thin stroke as well (fake bold) */
} pg_run;

/* A straight line: table borders. */
typedef struct pg_rule {
	mpt x1, y1, x2, y2;
	mpt width;
} pg_rule;

/* A clickable area that jumps to a heading (table of contents). */
typedef struct pg_link {
	mpt x1, y1, x2, y2;
	int anchor;
} pg_link;

typedef struct pg_page {
	const doc_page *setup;
	int number;        /* printed page number, 0 when the page is unnumbered */
	pg_run *runs;
	size_t nruns, runs_cap;
	pg_rule *rules;
	size_t nrules, rules_cap;
	pg_link *links;
	size_t nlinks, links_cap;
} pg_page;

/* Where each heading landed: table of contents, bookmarks, Word's TOC page numbers. */
typedef struct pg_anchor {
	int anchor;
	int level;
	const char *title;
	size_t page;       /* index into pages */
	mpt y;             /* top of the heading on that page */
} pg_anchor;

/* A character no configured font can draw (reported as a warning by the caller). */
typedef struct pg_missing {
	uint32_t cp;
	font_glyph_status status;
	const char *context; /* the paragraph or cell text it occurs in */
} pg_missing;

/* One table as laid out, for the back ends that write it as a grid of their own: Word takes the
 * row heights, Excel also the title block and the page breaks of a sheet of the table alone. */
typedef struct pg_table_rows {
	const doc_table *table;
	const doc_table *set; /* the table as set: `table` itself, or a copy whose column widths and
	                         cell styles were fitted (doc.h col_min/col_max, one_page); heights,
	                         breaks and the PDF's pages are of this one */
	const mpt *heights; /* nrows heights, including padding */
	mpt title_h;        /* the title's lines and the space after them; 0 without a title */
	mpt caption_h;      /* the caption line (单位名称…, 单位：万元); 0 without one */
	const int *breaks;  /* the rows that start a new page when the table is set from the top of a */
	size_t nbreaks;     /* page of its section under its title block, as in a project's own PDF;
	                       ascending (where flow_table breaks it in that position) */
} pg_table_rows;

/* One piece of a table on one page (for tests and `budgetgen dump --pages`). */
typedef struct pg_table_piece {
	const doc_table *table;
	size_t page;
	int first_row, last_row; /* body rows [first_row, last_row) drawn on this page */
	bool repeated_header;    /* the repeat rows were drawn again at the top */
	int relabelled;          /* merged labels shown again because they continue from a page before */
} pg_table_piece;

typedef struct pg_result {
	pg_page *pages;
	size_t npages, pages_cap;
	pg_anchor *anchors;
	size_t nanchors, anchors_cap;
	pg_missing *missing;
	size_t nmissing, missing_cap;
	pg_table_rows *tables;
	size_t ntables, tables_cap;
	pg_table_piece *pieces;
	size_t npieces, pieces_cap;
	int numbered_pages;  /* highest page number */
	const char *overflow; /* a table row taller than a page's text area (rows never split, so
	                         it runs off the page): which one, in Chinese; NULL when all fit.
	                         The PDF back end refuses such a document with this message. */
} pg_result;

/* Lays the document out. Everything lives in arena a. Never fails: a cell whose content cannot
 * fit is broken anywhere rather than overflow. Installs the PDF writer's glyph policy on fonts
 * (emit/libharu/subset.h), as pg_break does: every format's measures are the PDF's. */
const pg_result *paginate(arena *a, font_set *fonts, const doc_document *doc);

/* Advance of one code point in a style's role and size (the measuring callback; after paginate or
 * pg_break has installed the glyph policy). */
mpt pg_advance(font_set *fonts, const doc_style *st, uint32_t cp);

/* Breaks text in a style into lines of `width` (prose: the style's first-line indent and
 * justification), as the pages are set; *lp receives the parameters used and *lines a heap
 * array the caller frees. Shared with the back ends that need the same line count. */
size_t pg_break(font_set *fonts, const doc_style *st, const char *text, mpt width, bool prose,
                bool squeeze, lb_params *lp, lb_line **lines);

/* A readable account of the pages for tests: per page its number, the table pieces on it, and
 * every text line (baseline in mm from the top, then the runs in x order, " | " between runs
 * that do not touch). */
void pg_dump_text(buf *out, const pg_result *r);

/* The layout of t, or NULL if t was not in the document. */
const pg_table_rows *pg_table_layout(const pg_result *r, const doc_table *t);
/* The row heights computed for t, or NULL if t was not in the document. */
const mpt *pg_row_heights(const pg_result *r, const doc_table *t);

#endif
