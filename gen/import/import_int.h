/* import_int.h — what the recogniser (recognise.c) finds in the documents, before it is written as
 * a source (write.c); budget_in.c adds the budget tables. Internal to gen/import/. */
#ifndef BUDGETGEN_IMPORT_INT_H
#define BUDGETGEN_IMPORT_INT_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"
#include "import/read.h"

typedef struct strv {
	const char **v;
	size_t n, cap;
} strv;

void strv_push(arena *a, strv *s, const char *text);

typedef struct iproj {
	const char *name, *code, *unit, *total, *fiscal, *other, *use, *sched[4];
	bool has_name, has_code, has_total, has_fiscal, has_other, has_use, has_sched;
	bool titled;       /* started by a "…绩效目标表" title */
	bool public_part;  /* 部分：公用 */
	strv goals;
	strv rows;         /* indicator rows, cells joined by ｜ */
	strv notes;        /* "导入：…" comments written before the project's fields */
	const char *doc;   /* the document it was found in */
} iproj;

typedef struct iitem {
	const char *title, *goal, *indicators;
	strv text;
} iitem;

enum { EXPLAIN_FIELDS = 9 };
extern const char *const imp_explain_keys[EXPLAIN_FIELDS];

/* The budget tables (budget_in.c) by kind. */
typedef enum btable {
	BT_NONE, BT_SUMMARY, BT_INCOME, BT_EXPENSE, BT_FIN_SUMMARY, BT_GENERAL, BT_BASIC, BT_GOVFUND,
	BT_STATECAP, BT_THREE, BT_ORGS, BT_PROCUREMENT, BT_ASSETS, BT_COUNT
} btable;

typedef struct idept {
	arena *a;
	const char *name, *code, *year, *unit;
	const char *name_doc;
	bool overall;
	const char *overall_doc;
	strv summary, measures;
	iitem *items;
	size_t nitems, capitems;
	iproj *projects;
	size_t nproj, capproj;
	strv notes;                    /* comments before the header */
	strv report;                   /* lines of the report on stderr */
	const imp_block *btables[BT_COUNT];
	const char *assets_date;
	strv explain[EXPLAIN_FIELDS];  /* 情况说明 paragraphs by field */
	bool has_explain;
	const char *budget_doc;
	const char *form_title;        /* 项目表题: what followed the names in the form titles, when
	                                * not 绩效目标表 (项目绩效目标申报表); NULL for the default */
} idept;

/* Recognises one document's blocks into d (merging with what earlier documents gave). */
void imp_recognise(idept *d, const imp_doc *doc);
/* The kind of a budget table from its title (or header labels); BT_NONE when it is none. */
btable imp_budget_kind(const char *title);
/* Appends the budget-data sections built from d->btables to out. */
void imp_budget_write(idept *d, buf *out);
/* Normalisation shared by the recogniser and the budget tables. */
const char *imp_clean(arena *a, const char *s);       /* trimmed; inner line breaks joined */
const char *imp_key(arena *a, const char *s);         /* a label without spaces and colons */
const char *imp_clip(arena *a, const char *s, size_t n); /* the first n characters, "…" if cut */
const char *imp_amount(idept *d, const char *s, const char *what, strv *notes);
void imp_note(idept *d, strv *notes, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
