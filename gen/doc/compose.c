/* compose.c — builds the document IR (compose.h): the contents and order of the booklet (cover,
 * table of contents, then the parts that compose_budget.c and compose_perf.c fill) and of the
 * per-project sheet. The stage's files call downwards only: compose → compose_budget →
 * compose_perf → compose_util. */
#include "doc/compose_int.h"

const doc_document *compose_booklet(arena *a, const model_department *m, const layout_set *l,
                                    char *err, size_t errlen)
{
	composer c = {.a = a, .m = m, .l = l, .err = err, .errlen = errlen};
	doc_builder d = {.c = &c};
	bool full = m->budget.present; /* the whole 部门预算信息公开 booklet, as seed 001 */
	const char *subject = full ? "年部门预算信息公开" : "年部门预算绩效目标";
	/* cover */
	db_begin_section(&d, &l->portrait, false);
	db_add_block(&d, BLOCK_SPACE)->space = MPT_FROM_MM(60);
	db_paragraph(&d, "封面标题", m->name);
	db_paragraph(&d, "封面标题", arena_printf(a, "%d%s", m->year, subject));
	db_add_block(&d, BLOCK_SPACE)->space = MPT_FROM_MM(90);
	db_paragraph(&d, "封面落款", m->name);
	/* table of contents */
	db_begin_section(&d, &l->portrait, false);
	db_paragraph(&d, "目录标题", full ? arena_printf(a, "%d年部门预算信息公开目录", m->year)
	                                  : "目　　录");
	db_add_block(&d, BLOCK_TOC)->toc_levels = full ? 2 : 3;
	if (full) {
		compose_budget_tables(&d);
		compose_notes(&d);
	} else {
		db_begin_section(&d, &l->portrait, true);
		compose_performance(&d, 1, "部分标题");
	}
	if (c.failed)
		return NULL;
	return db_document(&c, &d, arena_printf(a, "%s%d%s", m->name, m->year, subject));
}

const doc_document *compose_project(arena *a, const model_department *m, size_t project,
                                    const layout_set *l, char *err, size_t errlen)
{
	composer c = {.a = a, .m = m, .l = l, .err = err, .errlen = errlen};
	doc_builder d = {.c = &c};
	const doc_table *t = compose_project_table(a, m, project, l, err, errlen);
	if (!t)
		return NULL;
	const layout_table *lt = layout_table_find(l, t->kind);
	db_begin_section(&d, lt ? lt->page : &l->portrait, true);
	db_heading(&d, "表题", 1, t->title, true);
	db_add_block(&d, BLOCK_TABLE)->table = t;
	if (c.failed)
		return NULL;
	return db_document(&c, &d, t->title);
}
