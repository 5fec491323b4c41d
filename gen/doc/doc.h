/* doc.h — the document IR: what compose.c makes from the model and layouts/, and what every
 * emitter (PDF, Word, Excel) receives read-only. Format-independent: sections with page setup,
 * headings (for the table of contents and bookmarks), paragraphs, page breaks and tables as grids
 * of cells with spans, header rows and styles. Lengths are int32 millipoints (1/1000 pt).
 * dochash.c hashes every field (the incremental build's key): extend it with this file. */
#ifndef BUDGETGEN_DOC_H
#define BUDGETGEN_DOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/decimal.h"
#include "text/font.h"

typedef int32_t mpt; /* millipoints */
#define MPT_PER_PT 1000
#define MPT_FROM_MM(mm) ((mpt)((mm) * 2834.645669 + 0.5))

typedef enum doc_align { ALIGN_LEFT, ALIGN_CENTER, ALIGN_RIGHT, ALIGN_JUSTIFY } doc_align;
typedef enum doc_valign { VALIGN_TOP, VALIGN_MIDDLE, VALIGN_BOTTOM } doc_valign;

/* A paragraph or cell style, from layouts/ (document.layout [样式], a table's [单元格]). */
typedef struct doc_style {
	const char *name;   /* as in the layout file, e.g. "正文", "标签" */
	font_role role;     /* 宋体, 黑体 … */
	mpt size;           /* font size */
	bool bold;
	doc_align align;
	doc_valign valign;  /* cells only */
	mpt first_indent;   /* first-line indent (prose: 2 em) */
	mpt line_height;    /* baseline-to-baseline distance; 0 = 1.3 × size */
	mpt space_before;
	mpt space_after;
	mpt pad_x, pad_y;   /* cells: inner padding left/right and top/bottom */
	mpt min_size;       /* cells: the smallest size a table that must fit its page may be set at
	                       (小五 for 五号 cells); 0 or ≥ size: never smaller */
} doc_style;

typedef enum doc_orientation { ORIENT_PORTRAIT, ORIENT_LANDSCAPE } doc_orientation;

/* Page geometry of a section. */
typedef struct doc_page {
	doc_orientation orientation;
	mpt width, height;          /* of the sheet, after orientation */
	mpt margin_top, margin_right, margin_bottom, margin_left;
	mpt footer_distance;        /* from the bottom edge to the page number's baseline */
} doc_page;

/* How a number in a cell is stored and shown (Excel writes numbers, not text). */
typedef enum doc_numfmt {
	NUM_NONE,    /* text cell */
	NUM_AMOUNT,  /* 万元, as many decimals as text shows (two, or more as entered): 0.00 */
	NUM_PERCENT  /* 25% (value 25, shown with %) */
} doc_numfmt;

typedef struct doc_cell {
	int row, col;           /* top-left grid position */
	int rowspan, colspan;   /* ≥ 1 */
	const char *text;       /* what is printed; "" for an empty cell */
	const doc_style *style;
	doc_numfmt numfmt;      /* NUM_NONE for text */
	decimal value;          /* exact value when numfmt != NUM_NONE and text is not empty */
	const int *sum_of;      /* indices of cells whose values this cell totals (Excel: SUM), or NULL */
	size_t nsum;
	bool repeat_label;      /* a vertically merged label that is printed again on a new page */
	const char *slot;       /* the datum it shows when its template is one slot ("预算数"), or NULL */
} doc_cell;

typedef struct doc_table {
	const char *kind;         /* layout name, e.g. "project-full" */
	const char *title;        /* printed above the table, e.g. "1.人才工作专项资金绩效目标表" */
	const char *sheet_name;   /* a worksheet's name (the Excel back end shortens it to 31
	                             characters at a word boundary and makes it unique) */
	const char *caption_left; /* line between title and table, e.g. "单位名称：…" ("" for none) */
	const char *caption_right;/* e.g. "单位：万元" */
	const char *note;         /* printed below, e.g. "注：无…，空表列示。" ("" for none) */
	const doc_style *title_style, *caption_style, *note_style;
	int ncols;
	const mpt *col_widths;    /* ncols widths, adding up to the text width */
	int nrows;
	const doc_cell *cells;    /* sorted by (row, col); covered positions have no cell */
	size_t ncells;
	int repeat_first;         /* rows [repeat_first, repeat_first+repeat_count) repeat on every */
	int repeat_count;         /* continuation page; rows before repeat_first are the header block */
	mpt border;               /* grid line width */
	const mpt *col_min;       /* NULL, or ncols bounds within which the columns follow their */
	const mpt *col_max;       /* content (paginate: labels on one line, codes and numbers whole) */
	bool one_page;            /* a form: set on one page, at a smaller size (down to its cells'
	                             min_size) when that makes it fit; broken only when it cannot fit,
	                             never leaving fewer than three body rows on either page */
} doc_table;

typedef enum doc_block_kind {
	BLOCK_HEADING,    /* a heading: also a TOC entry and a bookmark */
	BLOCK_PARAGRAPH,  /* text in a style */
	BLOCK_TABLE,
	BLOCK_PAGE_BREAK,
	BLOCK_TOC,        /* the table of contents: entries are the headings with level ≤ toc_levels */
	BLOCK_SPACE       /* vertical space of `space` */
} doc_block_kind;

typedef struct doc_block {
	doc_block_kind kind;
	const doc_style *style; /* HEADING, PARAGRAPH */
	const char *text;       /* HEADING, PARAGRAPH */
	int level;              /* HEADING: 1 = part, 2 = chapter, 3 = project */
	bool in_toc;            /* HEADING: listed in the table of contents */
	bool hidden;            /* HEADING: not printed, only a TOC entry and bookmark at this place
	                           (a project heading whose text is the next table's title) */
	int anchor;             /* HEADING: unique id (TOC links, bookmarks), ≥ 0 */
	const doc_table *table; /* TABLE */
	mpt space;              /* SPACE */
	int toc_levels;         /* TOC: deepest heading level listed */
	bool keep_with_next;    /* keep on the same page as the next block (a heading before a table) */
} doc_block;

typedef struct doc_section {
	doc_page page;
	bool numbered;          /* pages of this section carry page numbers */
	const doc_block *blocks;
	size_t nblocks;
} doc_section;

typedef struct doc_document {
	const char *title;      /* PDF/Office document title */
	const char *author;     /* the department */
	const char *subject;    /* e.g. "2025年部门预算绩效目标" */
	int year;
	const char *page_number_format; /* "— {页} —" */
	const doc_style *page_number_style;
	const doc_style *toc_title_style, *toc_styles[3]; /* TOC: title and entries by level 1–3 */
	const doc_section *sections;
	size_t nsections;
	const char *const *words; /* document.layout [词语], sorted by strcmp: words that titles and */
	size_t nwords;            /* cells break between, not inside (服务对象|满意度|指标) */
} doc_document;

#endif
