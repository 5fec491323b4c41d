/* compose_int.h — internal to the compose stage (compose.c, compose_budget.c, compose_perf.c,
 * compose_util.c): named slots that layout templates print, the table builder that places template
 * rows into a grid with spans and merges, and the document builder of sections and blocks. */
#ifndef BUDGETGEN_COMPOSE_INT_H
#define BUDGETGEN_COMPOSE_INT_H

#include "doc/compose.h"

enum { MAX_SLOTS = 48 };

typedef struct slot {
	const char *name;
	const char *text;  /* printed text ("" when blank) */
	doc_numfmt fmt;    /* NUM_NONE for text */
	decimal value;
	const char *const *sum_of; /* an amount that totals the slots named here (Excel: SUM), */
	int nsum;                  /* set when the slot is filled (slot_sum) */
} slot;

typedef struct slots {
	slot item[MAX_SLOTS];
	int n;
} slots;

typedef struct composer {
	arena *a;
	const model_department *m;
	const layout_set *l;
	char *err;
	size_t errlen;
	bool failed;
} composer;

typedef struct tb_builder {
	composer *c;
	const layout_table *lt;
	doc_cell *cells;     /* in placement order */
	bool *merge;         /* per cell: the template's 合并 flag */
	size_t n, cap, nmerge, merge_cap;
	int nrows;
	unsigned char *occ; /* nrows_cap × ncols occupancy */
	int rows_cap;
	int repeat_first;   /* first row made from a repeat template (重复行), or -1 */
	int repeat_last;    /* last such row */
	struct tb_sum {     /* cells that show a slot with sum_of: made totals by tb_finish */
		int row, col;
		const char *const *parts;
		int nparts;
	} *sums;
	size_t nsums, sums_cap;
} tb_builder;

typedef struct doc_builder {
	composer *c;
	doc_section *sections;
	size_t nsections, sections_cap;
	doc_block *blocks;   /* of the current section */
	size_t nblocks, blocks_cap;
	int next_anchor;
} doc_builder;

void slot_text(slots *s, const char *name, const char *text);
void slot_amount(arena *a, slots *s, const char *name, model_amount v);
/* An amount as entered: two decimals, or as many as the source wrote (20.982 stays 20.982, as the
 * published project forms print it); for the figures a project form repeats from its source. */
void slot_amount_entered(arena *a, slots *s, const char *name, model_amount v);
/* An amount that is the total of the amounts in the slots `parts` (which must outlive the
 * table), printed as entered: a cell showing it alone totals the cells showing those slots
 * alone. */
void slot_sum(arena *a, slots *s, const char *name, model_amount v, const char *const *parts,
              int nparts);
/* A percentage of the model, or blank when v is NULL. */
void slot_percent(slots *s, const char *name, const model_percent *v);
const slot *slot_find(const slots *s, const char *name, size_t len);
__attribute__((format(printf, 2, 3))) void compose_fail(composer *c, const char *fmt, ...);
const char *slot_expand(composer *c, const char *where, const char *tpl, const slots *s,
                          bool *blank);
void tb_add_row(tb_builder *b, const char *row_name, const slots *s);
/* The table. Its cells stay writable through b->cells (the totals of compose_budget.c). */
doc_table *tb_finish(tb_builder *b, const slots *s);
const char *compose_sheet_name(arena *a, const char *title);
void db_begin_section(doc_builder *d, const doc_page *page, bool numbered);
doc_block *db_add_block(doc_builder *d, doc_block_kind kind);
const doc_style *db_style(doc_builder *d, const char *name);
void db_paragraph(doc_builder *d, const char *style_name, const char *text);
void db_heading(doc_builder *d, const char *style_name, int level, const char *text,
                        bool hidden);
const char *compose_cn_number(arena *a, size_t n);
doc_document *db_document(composer *c, doc_builder *d, const char *title);

/* compose_perf.c: 预算绩效信息 (整体绩效目标 and the project tables) with headings from `level` on. */
void compose_performance(doc_builder *d, int level, const char *part_style);
/* compose_budget.c: the nine 部门预算公开表, then the 情况说明 with its tables. */
void compose_budget_tables(doc_builder *d);
void compose_notes(doc_builder *d);
/* The index of the cell whose top-left is (row, col) among cells sorted by (row, col), or -1. */
long tb_cell_at(const doc_cell *cells, size_t n, int row, int col);

#endif
