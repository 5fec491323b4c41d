/* fixtures.h — what the unit tests of the back ends share: the styles, pages and column widths of
 * their hand-made documents, reading a part of a written .docx/.xlsx package, and small file and
 * text helpers. Linked into every unit test (Makefile); it uses no CHECK (unit.h's counters are
 * per test file): its functions return what the test then checks. */
#ifndef BUDGETGEN_TEST_FIXTURES_H
#define BUDGETGEN_TEST_FIXTURES_H

#include <stdbool.h>
#include <stddef.h>

#include "doc/doc.h"
#include "text/font.h"

#define MM(x) MPT_FROM_MM(x)

/* The styles of layouts/document.layout and the project tables, as the emitter tests use them. */
extern const doc_style fx_cell_st;    /* 文字: 宋体 五号, left, middle, 1.5/1.2 mm padding */
extern const doc_style fx_title_st;   /* 表题: 小标宋 16 pt, centred, 6 pt after */
extern const doc_style fx_caption_st; /* 表头说明: 宋体 五号 on 18 pt */
extern const doc_style fx_heading_st; /* 部分标题: 黑体 22 pt bold, centred */
extern const doc_style fx_body_st;    /* 正文: 仿宋 三号, justified, 2 em indent, 29 pt lines */

/* A4 portrait and landscape with the booklet's margins; three columns of 52 mm (156 mm). */
extern const doc_page fx_portrait, fx_landscape;
extern const mpt fx_widths3[3];

/* A plain text cell: no number, no sum, no repeated label, no slot. */
#define FX_CELL(row, col, rowspan, colspan, text, style)                                           \
	{(row), (col), (rowspan), (colspan), (text), (style), NUM_NONE, {0}, NULL, 0, false, NULL}

/* Opens fonts/roles.conf (or conf); NULL with the message printed to stderr. */
font_set *fx_fonts(const char *conf);

/* The part `name` of the zip package at path as a NUL-terminated heap string; NULL when the
 * package or the part cannot be read. */
char *fx_zip_part(const char *path, const char *name);

/* Non-overlapping occurrences of needle in hay (0 when hay is NULL). */
size_t fx_count(const char *hay, const char *needle);
bool fx_contains(const char *hay, const char *needle);

/* Whether two files have the same bytes (false when either cannot be read). */
bool fx_same_file(const char *a, const char *b);

#endif
