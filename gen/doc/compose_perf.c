/* compose_perf.c — 预算绩效信息 as document IR (compose_int.h): the project tables (shared by the
 * booklet and the per-project sheet), with the binding of a project's values to the layout's
 * {槽} slots, and the 整体绩效目标 prose. Used by compose.c and compose_budget.c; uses neither. */
#include "doc/compose_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- the project table ------------------------------------------------------------------------ */

static void project_slots(composer *c, const model_project *p, slots *s)
{
	const model_department *m = c->m;
	slot_text(s, "序号", arena_printf(c->a, "%zu", p->number));
	slot_text(s, "项目名称", p->name);
	slot_text(s, "项目编码", p->code);
	slot_text(s, "编报单位", p->unit);
	slot_text(s, "项目表题", *m->form_title ? m->form_title : "绩效目标表");
	slot_text(s, "部门", m->name);
	slot_text(s, "年度", arena_printf(c->a, "%d", m->year));
	static const char *const parts[2] = {"财政资金", "其他资金"};
	slot_sum(c->a, s, "预算数", p->total, parts, 2); /* a formula in Excel */
	slot_amount_entered(c->a, s, "财政资金", p->fiscal);
	slot_amount_entered(c->a, s, "其他资金", p->other);
	slot_text(s, "资金用途", p->use);
	static const char *const months[4] = {"3月底", "6月底", "10月底", "12月底"};
	for (int i = 0; i < 4; i++)
		slot_percent(s, months[i], p->has_schedule ? &p->schedule[i] : NULL);
}

const doc_table *compose_project_table(arena *a, const model_department *m, size_t project,
                                       const layout_set *l, char *err, size_t errlen)
{
	composer c = {.a = a, .m = m, .l = l, .err = err, .errlen = errlen};
	const model_project *p = &m->projects[project];
	bool full = m->variant == VARIANT_FULL;
	const layout_table *lt = layout_table_find(l, full ? "project-full" : "project-compact");
	if (!lt) {
		compose_fail(&c, "layouts/ 中缺少 %s.layout", full ? "project-full" : "project-compact");
		return NULL;
	}
	tb_builder b = {.c = &c, .lt = lt, .repeat_first = -1};
	slots s = {0};
	project_slots(&c, p, &s);
	if (full) {
		tb_add_row(&b, "编码", &s);
		tb_add_row(&b, "预算", &s);
		tb_add_row(&b, "用途", &s);
		tb_add_row(&b, "计划表头", &s);
		tb_add_row(&b, "计划", &s);
	}
	bool single = (p->ngoals == 1 || p->goals_one_cell) && layout_row_find(lt, "单目标");
	if (p->goals_one_cell && p->ngoals > 1) {
		/* 绩效目标栏：一格: one cell, each goal a paragraph numbered 1. 2. … */
		buf all = {0};
		for (size_t g = 0; g < p->ngoals; g++)
			buf_printf(&all, "%s%zu.%s", g ? "\n" : "", g + 1, p->goals[g]);
		slots gs = s;
		slot_text(&gs, "目标序号", "1");
		slot_text(&gs, "绩效目标", arena_strndup(a, all.data, all.len));
		buf_free(&all);
		tb_add_row(&b, single ? "单目标" : "目标", &gs);
	}
	for (size_t g = 0; g < p->ngoals && !c.failed && !(p->goals_one_cell && p->ngoals > 1); g++) {
		slots gs = s;
		slot_text(&gs, "目标序号", arena_printf(a, "%zu", g + 1));
		slot_text(&gs, "绩效目标", p->goals[g]);
		tb_add_row(&b, single ? "单目标" : "目标", &gs);
	}
	tb_add_row(&b, "指标表头", &s);
	for (size_t i = 0; i < p->nindicators && !c.failed; i++) {
		const model_indicator *mi = &p->indicators[i];
		slots is = s;
		slot_text(&is, "一级指标", model_l1_name(mi->l1));
		slot_text(&is, "二级指标", model_l2_name(mi->l2));
		slot_text(&is, "三级指标", mi->l3);
		slot_text(&is, "绩效指标描述", mi->desc);
		slot_text(&is, "指标值", mi->value);
		/* the same value in the three columns of newer forms: 指标性质 | 指标值 | 度量单位
		 * (a layout names them {指标性质} {指标数值} {度量单位}); a value of no known shape
		 * goes whole into the middle one */
		static const char *const sign_text[] = {
			[IND_SIGN_UNPARSED] = "", [IND_SIGN_NONE] = "＝", [IND_SIGN_GE] = "≥",
			[IND_SIGN_LE] = "≤", [IND_SIGN_EQ] = "＝", [IND_SIGN_LT] = "＜", [IND_SIGN_GT] = "＞",
			[IND_SIGN_QUALITATIVE] = "定性"};
		bool parsed = mi->sign != IND_SIGN_UNPARSED && mi->sign != IND_SIGN_QUALITATIVE;
		slot_text(&is, "指标性质", sign_text[mi->sign]);
		slot_text(&is, "指标数值", parsed ? mi->number : mi->value);
		slot_text(&is, "度量单位", parsed ? mi->unit : "");
		slot_text(&is, "指标值确定依据", mi->basis);
		tb_add_row(&b, "指标", &is);
	}
	if (c.failed)
		return NULL;
	doc_table *t = tb_finish(&b, &s);
	if (c.failed)
		return NULL;
	t->sheet_name = compose_sheet_name(a, arena_printf(a, "%zu.%s", p->number, p->name));
	return t;
}

/* A text of several paragraphs ('\n' between them) as paragraphs in a style, the first after
 * `label` ("绩效目标：", or ""). */
static void paragraphs(doc_builder *d, const char *style, const char *label, const char *text)
{
	composer *c = d->c;
	for (const char *t = text;;) {
		size_t n = strcspn(t, "\n");
		db_paragraph(d, style, arena_printf(c->a, "%s%.*s", t == text ? label : "", (int)n, t));
		if (!t[n])
			break;
		t += n + 1;
	}
}

/* 整体绩效目标 at heading level `level` (its parts one level below). */
static void compose_overall(doc_builder *d, const model_overall *o, const char *title, int level,
                            const char *title_style)
{
	composer *c = d->c;
	db_heading(d, title_style, level, title, false);
	db_heading(d, "一级标题", level + 1, "一、总体绩效目标", false);
	for (size_t i = 0; i < o->nsummary; i++)
		db_paragraph(d, "正文", o->summary[i]);
	db_heading(d, "一级标题", level + 1, "二、分项绩效目标", false);
	for (size_t i = 0; i < o->nintro; i++)
		db_paragraph(d, "正文", o->intro[i]);
	for (size_t i = 0; i < o->nitems; i++) {
		const model_item *it = &o->items[i];
		const char *num = compose_cn_number(c->a, i + 1);
		db_paragraph(d, "二级标题",
		             o->numbering == ITEM_NUM_COMMA
		                     ? arena_printf(c->a, "%s、%s", num, it->title)
		                     : arena_printf(c->a, "（%s）%s", num, it->title));
		if (it->goal)
			paragraphs(d, "正文", "绩效目标：", it->goal);
		if (it->indicators)
			paragraphs(d, "正文", "绩效指标：", it->indicators);
		for (size_t k = 0; k < it->ntext; k++)
			db_paragraph(d, "正文", it->text[k]);
	}
	db_heading(d, "一级标题", level + 1, "三、工作保障措施", false);
	for (size_t i = 0; i < o->nmeasures; i++)
		db_paragraph(d, "正文", o->measures[i]);
}

/* The project tables of one part (项目 or 公用) under a heading at `level`; each table gets a
 * hidden heading one level below (bookmark, TOC entry). Returns false on a layout problem. */
static bool compose_project_part(doc_builder *d, project_part pt, const char *title, int level,
                                 const char *title_style)
{
	composer *c = d->c;
	const model_department *m = c->m;
	bool first = true;
	for (size_t i = 0; i < m->nprojects && !c->failed; i++) {
		const model_project *p = &m->projects[i];
		if (p->part != pt)
			continue;
		const doc_table *t = compose_project_table(c->a, m, i, c->l, c->err, c->errlen);
		if (!t)
			return false;
		const layout_table *lt = layout_table_find(c->l, t->kind);
		if (first) {
			if (d->nblocks)
				db_add_block(d, BLOCK_PAGE_BREAK);
			db_heading(d, title_style, level, title, false);
			first = false;
		} else if (lt && lt->new_page) {
			db_add_block(d, BLOCK_PAGE_BREAK);
		} else {
			db_add_block(d, BLOCK_SPACE)->space = 12 * MPT_PER_PT;
		}
		db_heading(d, "表题", level + 1, t->title, true);
		db_add_block(d, BLOCK_TABLE)->table = t;
	}
	return !c->failed;
}

/* 预算绩效信息: 整体绩效目标 then the project tables by part, numbered 第一部分, 第二部分 … */
void compose_performance(doc_builder *d, int level, const char *part_style)
{
	composer *c = d->c;
	const model_department *m = c->m;
	size_t part = 0;
	if (m->overall.present)
		compose_overall(d, &m->overall,
		                arena_printf(c->a, "第%s部分　%d年部门整体绩效目标",
		                             compose_cn_number(c->a, ++part), m->year),
		                level, part_style);
	static const char *const part_titles[2] = {"预算项目绩效目标", "预算公用绩效目标"};
	for (int pt = PART_PROJECT; pt <= PART_PUBLIC && !c->failed; pt++) {
		bool any = false;
		for (size_t i = 0; i < m->nprojects; i++)
			any |= (int)m->projects[i].part == pt;
		if (!any)
			continue;
		const char *title = arena_printf(c->a, "第%s部分　%s", compose_cn_number(c->a, part + 1),
		                                 part_titles[pt]);
		if (compose_project_part(d, (project_part)pt, title, level, part_style))
			part++;
	}
}
