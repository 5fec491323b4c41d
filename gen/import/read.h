/* read.h — the documents `budgetgen import` reads, reduced to what recognition needs: a flat list
 * of blocks (paragraphs, tables as grids with their merges resolved, sheet starts), the same for a
 * Word document and an Excel workbook. Internal to gen/import/ (read.c fills it, recognise.c and
 * budget_in.c read it). */
#ifndef BUDGETGEN_IMPORT_READ_H
#define BUDGETGEN_IMPORT_READ_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

/* Bounds on what a document may make the reader do (hostile files end in an error, not in a
 * long run or a large allocation). */
enum {
	IMP_MAX_ENTRY = 64 << 20,     /* bytes of one XML part, uncompressed */
	IMP_MAX_TOTAL = 256 << 20,    /* bytes of all parts read from one document */
	IMP_MAX_DEPTH = 256,          /* element nesting */
	IMP_MAX_CELLS = 4 << 20,      /* cells of one table or sheet grid */
	IMP_MAX_SHEETS = 4096,
};

typedef enum imp_cover {
	COVER_NONE = 0, /* a cell of its own (or the first cell of a merge) */
	COVER_H,        /* covered by the merge of a cell to its left */
	COVER_V         /* covered by the merge of a cell above */
} imp_cover;

typedef struct imp_cell {
	const char *text; /* "" when empty; paragraphs of a cell joined by '\n' */
	imp_cover cover;
	int span;         /* columns the cell spans (1 when not merged) */
} imp_cell;

typedef enum imp_kind { BLK_PARA, BLK_TABLE, BLK_SHEET } imp_kind;

typedef struct imp_block {
	imp_kind kind;
	const char *text;  /* BLK_PARA: its text; BLK_SHEET: the sheet's name */
	size_t nrows, ncols;
	imp_cell *cells;   /* BLK_TABLE: nrows × ncols, row by row */
	size_t where;      /* paragraph or table number (docx), row (xlsx), for messages */
} imp_block;

typedef struct imp_doc {
	const char *path;
	const char *title;     /* docProps/core.xml dc:title, or NULL */
	bool sheet;            /* an .xlsx workbook */
	imp_block *blocks;
	size_t n, cap;
	size_t ins, del;       /* tracked insertions kept, deletions dropped (docx) */
	size_t moved;          /* text boxes, drawings and objects skipped */
} imp_doc;

/* Reads a .docx or .xlsx (by its contents, not its name) into doc, everything in arena a.
 * Returns 0, or -1 with a Chinese reason in err. */
int imp_read(arena *a, const char *path, imp_doc *doc, buf *err);

static inline const imp_cell *imp_at(const imp_block *b, size_t r, size_t c)
{
	return &b->cells[r * b->ncols + c];
}

#endif
