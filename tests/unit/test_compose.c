/* test_compose.c — model + layouts → document IR (compose.h) on small hand-written sources, parsed
 * by the real front end and composed with the real layouts/: the project table's cells, spans,
 * merged labels, slots and its 预算数 = 财政资金 + 其他资金 sum; every total of the budget tables
 * against the cells it adds up; the number and order of tables; the sections and headings of the
 * booklet and of the per-project sheet. Run from the repository root; prints "N passed, M failed". */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "doc/compose.h"
#include "front/load.h"
#include "front/parse.h"
#include "front/resolve.h"
#include "unit.h"
#include "base/util.h"

static const char projects_src[] =
	"【项目】\n"
	"项目名称：甲项目\n"
	"项目编码：13022525P0008F010032K\n"
	"预算数：30\n财政资金：20\n其他资金：10\n"
	"资金支出计划：25%，50%，75%，100%\n"
	"绩效目标：完成目标一\n绩效目标：完成目标二\n"
	"绩效指标：\n"
	"产出指标｜数量指标｜场次｜举办活动场次｜4次｜年初计划\n"
	"〃｜〃｜人数｜参加人数｜100人｜年初计划\n"
	"〃｜质量指标｜合格率｜合格率｜100%｜年初计划\n"
	"效益指标｜社会效益指标｜影响力｜宣传影响力｜提高｜年初计划\n"
	"满意度指标｜服务对象满意度指标｜满意度｜企业满意度｜98%满意｜年初计划\n"
	"\n"
	"【项目】\n"
	"项目名称：乙公用\n部分：公用\n"
	"预算数：5\n财政资金：5\n其他资金：\n"
	"资金支出计划：25%，50%，75%，100%\n"
	"绩效目标：保障运转\n"
	"绩效指标：\n"
	"产出指标｜数量指标｜次数｜保障次数｜12次｜年初计划\n"
	"效益指标｜社会效益指标｜影响力｜宣传影响力｜提高｜年初计划\n"
	"满意度指标｜服务对象满意度指标｜满意度｜职工满意度｜95%｜年初计划\n";

static const char header_src[] = "部门：测试局\n年度：2025\n编报单位：001测试局本级\n项目表：完整\n\n";

static const char budget_src[] =
	"【收入】\n一般公共预算：100.50\n上年结转：10.00\n\n"
	"【支出】\n"
	"2013201｜行政运行｜基本｜｜80.50\n"
	"2080199｜其他人力资源和社会保障管理事务支出｜项目｜｜20.00\n"
	"2080199｜其他人力资源和社会保障管理事务支出｜项目｜上年结转｜10.00\n\n"
	"【基本支出】\n30101｜基本工资｜人员经费｜60.50\n30201｜办公费｜公用经费｜20.00\n\n";

/* ---- looking things up in a document ---------------------------------------------------------- */

static const doc_cell *cell_at(const doc_table *t, int row, int col)
{
	for (size_t i = 0; i < t->ncells; i++)
		if (t->cells[i].row == row && t->cells[i].col == col)
			return &t->cells[i];
	return NULL;
}

/* The cell whose text is `text` (the first; in column col unless col < 0), or NULL. */
static const doc_cell *cell_in(const doc_table *t, int col, const char *text)
{
	for (size_t i = 0; i < t->ncells; i++)
		if ((col < 0 || t->cells[i].col == col) && strcmp(t->cells[i].text, text) == 0)
			return &t->cells[i];
	return NULL;
}

static const doc_cell *cell_text(const doc_table *t, const char *text)
{
	return cell_in(t, -1, text);
}

static const char *text_at(const doc_table *t, int row, int col)
{
	const doc_cell *c = cell_at(t, row, col);
	return c ? c->text : "(covered)";
}

static size_t tables_of(const doc_document *d, const doc_table **out, size_t cap)
{
	size_t n = 0;
	for (size_t s = 0; s < d->nsections; s++)
		for (size_t b = 0; b < d->sections[s].nblocks; b++)
			if (d->sections[s].blocks[b].kind == BLOCK_TABLE) {
				if (n < cap)
					out[n] = d->sections[s].blocks[b].table;
				n++;
			}
	return n;
}

static const doc_table *table_titled(const doc_document *d, const char *title)
{
	const doc_table *t[64];
	size_t n = tables_of(d, t, 64);
	for (size_t i = 0; i < n && i < 64; i++)
		if (strcmp(t[i]->title, title) == 0)
			return t[i];
	return NULL;
}

/* Every total in every table equals the sum of the cells it names, which are amounts of the
 * same table; and the grid is sound: cells sorted, inside the grid, not overlapping. */
static void check_tables_sound(const doc_document *d)
{
	const doc_table *ts[64];
	size_t n = tables_of(d, ts, 64);
	for (size_t k = 0; k < n && k < 64; k++) {
		const doc_table *t = ts[k];
		unit_context = t->title;
		char *grid = xcalloc((size_t)(t->nrows * t->ncols), 1);
		int sums = 0;
		for (size_t i = 0; i < t->ncells; i++) {
			const doc_cell *c = &t->cells[i];
			if (i > 0) {
				const doc_cell *p = &t->cells[i - 1];
				CHECK(p->row < c->row || (p->row == c->row && p->col < c->col));
			}
			CHECK(c->rowspan >= 1 && c->colspan >= 1 && c->row + c->rowspan <= t->nrows &&
			      c->col + c->colspan <= t->ncols);
			for (int r = c->row; r < c->row + c->rowspan && r < t->nrows; r++)
				for (int col = c->col; col < c->col + c->colspan && col < t->ncols; col++)
					CHECK(!grid[r * t->ncols + col]++);
			if (!c->nsum)
				continue;
			sums++;
			int64_t total = 0;
			for (size_t j = 0; j < c->nsum; j++) {
				if (!CHECK(c->sum_of[j] >= 0 && (size_t)c->sum_of[j] < t->ncells))
					continue;
				const doc_cell *part = &t->cells[c->sum_of[j]];
				/* an amount, or a blank cell of an amount column */
				CHECK(part != c && (part->numfmt == NUM_AMOUNT || !*part->text));
				total += part->numfmt == NUM_AMOUNT ? part->value.micros : 0;
			}
			CHECK(c->numfmt == NUM_AMOUNT || !*c->text);
			CHECK_INT_EQ(total, c->numfmt == NUM_AMOUNT ? c->value.micros : 0);
		}
		int64_t width = 0;
		for (int col = 0; col < t->ncols; col++)
			width += t->col_widths[col];
		CHECK(width > 0);
		free(grid);
	}
	unit_context = NULL;
}

/* ---- the project table -------------------------------------------------------------------------- */

static void test_project_table(const model_department *m, const layout_set *l)
{
	arena *a = arena_new();
	char err[256] = "";
	const doc_table *t = compose_project_table(a, m, 0, l, err, sizeof err);
	if (!CHECK(t != NULL)) {
		fprintf(stderr, "%s\n", err);
		arena_free(a);
		return;
	}
	CHECK_STR_EQ(t->kind, "project-full");
	CHECK_STR_EQ(t->title, "1.甲项目绩效目标表");
	CHECK_STR_EQ(t->sheet_name, "1.甲项目");
	CHECK_STR_EQ(t->caption_left, "单位名称：001测试局本级");
	CHECK_STR_EQ(t->caption_right, "单位：万元");
	CHECK_INT_EQ(t->ncols, 7);
	/* 编码, 预算, 用途, 计划表头, 计划, two 目标, 指标表头, five 指标 */
	CHECK_INT_EQ(t->nrows, 13);
	CHECK_INT_EQ(t->repeat_first, 7);
	CHECK_INT_EQ(t->repeat_count, 1);
	mpt w = 0;
	for (int c = 0; c < t->ncols; c++)
		w += t->col_widths[c];
	CHECK(w > MPT_FROM_MM(155.9) && w < MPT_FROM_MM(156.1)); /* 156 mm text width */

	/* row 0: 项目编码 | code (2 columns) | 项目名称 | name (3 columns) */
	CHECK_STR_EQ(text_at(t, 0, 0), "项目编码");
	CHECK_STR_EQ(text_at(t, 0, 1), "13022525P0008F010032K");
	CHECK_INT_EQ(cell_at(t, 0, 1)->colspan, 2);
	CHECK_STR_EQ(text_at(t, 0, 3), "项目名称");
	CHECK_STR_EQ(text_at(t, 0, 4), "甲项目");
	CHECK_INT_EQ(cell_at(t, 0, 4)->colspan, 3);
	/* the amounts, and 预算数 as the sum of 财政资金 and 其他资金 */
	const doc_cell *label = cell_at(t, 1, 0);
	CHECK(label && label->rowspan == 2 && strcmp(label->text, "预算规模及资金用途") == 0);
	const doc_cell *total = cell_at(t, 1, 2), *fiscal = cell_at(t, 1, 4), *other = cell_at(t, 1, 6);
	if (CHECK(total && fiscal && other)) {
		CHECK_STR_EQ(total->text, "30.00");
		CHECK_STR_EQ(total->slot, "预算数");
		CHECK_INT_EQ(total->numfmt, NUM_AMOUNT);
		CHECK_INT_EQ(total->value.micros, 30000000);
		CHECK_STR_EQ(fiscal->text, "20.00");
		CHECK_INT_EQ(fiscal->value.micros, 20000000);
		CHECK_STR_EQ(other->text, "10.00");
		if (CHECK_INT_EQ(total->nsum, 2)) {
			CHECK(&t->cells[total->sum_of[0]] == fiscal);
			CHECK(&t->cells[total->sum_of[1]] == other);
		}
		CHECK_INT_EQ(fiscal->nsum, 0);
	}
	/* 资金支出计划: the label over two rows, then percentages stored as numbers */
	CHECK_INT_EQ(cell_at(t, 3, 0)->rowspan, 2);
	const doc_cell *q1 = cell_at(t, 4, 1), *q4 = cell_at(t, 4, 5);
	if (CHECK(q1 && q4)) {
		CHECK_STR_EQ(q1->text, "25%");
		CHECK_INT_EQ(q1->numfmt, NUM_PERCENT);
		CHECK_INT_EQ(q1->value.micros, 25000000);
		CHECK_STR_EQ(q4->text, "100%");
		CHECK_INT_EQ(q4->colspan, 2);
	}
	/* two goals: one 绩效目标 label merged over both, restated on a new page */
	const doc_cell *goals = cell_at(t, 5, 0);
	if (CHECK(goals)) {
		CHECK_STR_EQ(goals->text, "绩效目标");
		CHECK_INT_EQ(goals->rowspan, 2);
		CHECK(goals->repeat_label);
	}
	CHECK_STR_EQ(text_at(t, 5, 1), "目标1");
	CHECK_STR_EQ(text_at(t, 5, 2), "完成目标一");
	CHECK_STR_EQ(text_at(t, 6, 1), "目标2");
	CHECK_STR_EQ(text_at(t, 6, 2), "完成目标二");
	CHECK_STR_EQ(text_at(t, 6, 0), "(covered)");
	/* the indicator rows: 产出指标 over three, 数量指标 over two (the 〃 rows) */
	CHECK_STR_EQ(text_at(t, 7, 0), "一级指标");
	const doc_cell *l1 = cell_at(t, 8, 0), *l2 = cell_at(t, 8, 1);
	if (CHECK(l1 && l2)) {
		CHECK_STR_EQ(l1->text, "产出指标");
		CHECK_INT_EQ(l1->rowspan, 3);
		CHECK(l1->repeat_label);
		CHECK_STR_EQ(l2->text, "数量指标");
		CHECK_INT_EQ(l2->rowspan, 2);
	}
	CHECK_STR_EQ(text_at(t, 9, 2), "人数");
	CHECK_STR_EQ(text_at(t, 9, 3), "参加人数");
	CHECK_INT_EQ(cell_at(t, 9, 3)->colspan, 2);
	CHECK_STR_EQ(text_at(t, 9, 5), "100人");
	CHECK_STR_EQ(text_at(t, 10, 1), "质量指标");
	CHECK_INT_EQ(cell_at(t, 10, 1)->rowspan, 1);
	CHECK_STR_EQ(text_at(t, 11, 0), "效益指标");
	CHECK_STR_EQ(text_at(t, 12, 0), "满意度指标");
	CHECK_INT_EQ(cell_at(t, 12, 0)->rowspan, 1);
	CHECK_STR_EQ(text_at(t, 12, 6), "年初计划");
	CHECK_STR_EQ(text_at(t, 12, 5), "98%满意");
	CHECK_INT_EQ(cell_at(t, 12, 5)->numfmt, NUM_NONE); /* indicator values are text */

	/* the second project: blank 其他资金 stays blank and counts as nothing in the sum */
	const doc_table *t2 = compose_project_table(a, m, 1, l, err, sizeof err);
	if (CHECK(t2 != NULL)) {
		CHECK_STR_EQ(t2->title, "2.乙公用绩效目标表");
		const doc_cell *o = cell_at(t2, 1, 6);
		CHECK(o && strcmp(o->text, "") == 0);
		const doc_cell *s = cell_text(t2, "5.00");
		CHECK(s && s->nsum == 2);
		CHECK_STR_EQ(text_at(t2, 5, 0), "绩效目标"); /* one goal: the 单目标 row */
		CHECK_INT_EQ(cell_at(t2, 5, 0)->rowspan, 1);
	}

	/* the per-project sheet: one numbered section, a hidden heading for the bookmark, the table */
	const doc_document *d = compose_project(a, m, 0, l, err, sizeof err);
	if (CHECK(d != NULL) && CHECK_INT_EQ(d->nsections, 1)) {
		const doc_section *s = &d->sections[0];
		CHECK(s->numbered);
		CHECK_INT_EQ(s->page.orientation, ORIENT_PORTRAIT);
		if (CHECK_INT_EQ(s->nblocks, 2)) {
			CHECK_INT_EQ(s->blocks[0].kind, BLOCK_HEADING);
			CHECK(s->blocks[0].hidden);
			CHECK_STR_EQ(s->blocks[0].text, "1.甲项目绩效目标表");
			CHECK_INT_EQ(s->blocks[1].kind, BLOCK_TABLE);
			CHECK_STR_EQ(s->blocks[1].table->title, "1.甲项目绩效目标表");
		}
		CHECK_STR_EQ(d->title, "1.甲项目绩效目标表");
		check_tables_sound(d);
	}
	arena_free(a);
}

/* ---- the booklets ------------------------------------------------------------------------------ */

/* Without budget data: the 绩效目标 booklet: cover, contents, then the two parts. */
static void test_performance_booklet(const model_department *m, const layout_set *l)
{
	arena *a = arena_new();
	char err[256] = "";
	const doc_document *d = compose_booklet(a, m, l, err, sizeof err);
	if (!CHECK(d != NULL)) {
		fprintf(stderr, "%s\n", err);
		arena_free(a);
		return;
	}
	CHECK_STR_EQ(d->title, "测试局2025年部门预算绩效目标");
	CHECK_INT_EQ(d->year, 2025);
	if (CHECK_INT_EQ(d->nsections, 3)) {
		CHECK(!d->sections[0].numbered && !d->sections[1].numbered && d->sections[2].numbered);
		const doc_section *cover = &d->sections[0];
		CHECK(cover->nblocks >= 3 && cover->blocks[1].kind == BLOCK_PARAGRAPH &&
		      strcmp(cover->blocks[1].text, "测试局") == 0);
		const doc_section *toc = &d->sections[1];
		CHECK(toc->nblocks == 2 && toc->blocks[1].kind == BLOCK_TOC &&
		      toc->blocks[1].toc_levels == 3);
		/* headings of the body, in order */
		const char *want[] = {"第一部分　预算项目绩效目标", "1.甲项目绩效目标表",
		                      "第二部分　预算公用绩效目标", "2.乙公用绩效目标表"};
		const int levels[] = {1, 2, 1, 2};
		size_t k = 0;
		const doc_section *body = &d->sections[2];
		for (size_t i = 0; i < body->nblocks; i++) {
			const doc_block *b = &body->blocks[i];
			if (b->kind != BLOCK_HEADING)
				continue;
			if (CHECK(k < 4)) {
				CHECK_STR_EQ(b->text, want[k]);
				CHECK_INT_EQ(b->level, levels[k]);
				CHECK(b->hidden == (levels[k] == 2));
				CHECK(b->in_toc);
			}
			k++;
		}
		CHECK_INT_EQ(k, 4);
		/* each table right after its hidden heading; a page break before the second part */
		CHECK(body->nblocks >= 2 && body->blocks[body->nblocks - 1].kind == BLOCK_TABLE);
		size_t breaks = 0;
		for (size_t i = 0; i < body->nblocks; i++)
			breaks += body->blocks[i].kind == BLOCK_PAGE_BREAK;
		CHECK_INT_EQ(breaks, 1);
	}
	const doc_table *ts[8];
	CHECK_INT_EQ(tables_of(d, ts, 8), 2);
	check_tables_sound(d);
	arena_free(a);
}

/* With budget data: the 部门预算信息公开 booklet with its nine-odd budget tables, whose totals
 * are checked against the source's figures and against the cells they add up. */
static void test_budget_booklet(const layout_set *l)
{
	char dir[] = "/tmp/test_compose.XXXXXX";
	if (!CHECK(mkdtemp(dir) != NULL))
		return;
	char path[64];
	snprintf(path, sizeof path, "%s/t.txt", dir);
	buf src = {0};
	buf_puts(&src, header_src);
	buf_puts(&src, budget_src);
	buf_puts(&src, projects_src);
	CHECK(file_write_atomic(path, src.data, src.len) == 0);
	buf_free(&src);
	diag_ctx *dg = diag_new();
	department_load dl = department_load_file(dg, path);
	CHECK_INT_EQ(diag_count(dg, DIAG_ERROR), 0);
	if (!CHECK(dl.model != NULL) || !CHECK(dl.model->budget.present))
		goto out;
	arena *a = arena_new();
	char err[256] = "";
	const doc_document *d = compose_booklet(a, dl.model, l, err, sizeof err);
	if (!CHECK(d != NULL)) {
		fprintf(stderr, "%s\n", err);
		arena_free(a);
		goto out;
	}
	CHECK_STR_EQ(d->title, "测试局2025年部门预算信息公开");
	const doc_table *ts[64];
	size_t n = tables_of(d, ts, 64);
	/* the nine budget tables in the published order, the project tables (五、预算绩效信息),
	 * then the procurement table of the notes (六、政府采购) */
	const char *want[] = {"部门预算收支总表", "部门预算收入总表", "部门预算支出总表",
	                      "部门预算财政拨款收支总表", "部门预算一般公共预算财政拨款支出表",
	                      "部门预算一般公共预算财政拨款基本支出表",
	                      "部门预算政府性基金预算财政拨款支出表",
	                      "部门预算国有资本经营预算财政拨款支出表",
	                      "部门预算财政拨款“三公”经费支出表", "1.甲项目绩效目标表",
	                      "2.乙公用绩效目标表", "部门政府采购预算表"};
	if (CHECK_INT_EQ(n, 12))
		for (size_t i = 0; i < n; i++)
			CHECK_STR_EQ(ts[i]->title, want[i]);
	check_tables_sound(d);

	const doc_table *sum = table_titled(d, "部门预算收支总表");
	if (CHECK(sum != NULL)) {
		const doc_cell *c = cell_text(sum, "收入总计");
		const doc_cell *v = c ? cell_at(sum, c->row, c->col + 1) : NULL;
		CHECK(v && v->value.micros == 110500000 && strcmp(v->text, "110.50") == 0);
		c = cell_text(sum, "一、一般公共预算拨款收入");
		v = c ? cell_at(sum, c->row, c->col + 1) : NULL;
		CHECK(v && strcmp(v->text, "100.50") == 0);
		c = cell_text(sum, "八、社会保障和就业支出");
		v = c ? cell_at(sum, c->row, c->col + 1) : NULL;
		CHECK(v && strcmp(v->text, "30.00") == 0);
	}
	const doc_table *inc = table_titled(d, "部门预算收入总表");
	if (CHECK(inc != NULL)) {
		/* 合计 first, then 类 → 款 → 项 with subtotals added up from the 项 rows */
		const doc_cell *c = cell_in(inc, 2, "合计");
		if (CHECK(c != NULL)) {
			const doc_cell *all = cell_at(inc, c->row, c->col + 1);
			CHECK(all && all->value.micros == 110500000 && all->nsum > 0);
			CHECK_STR_EQ(text_at(inc, c->row, c->col + 3), "100.50");
			CHECK_STR_EQ(text_at(inc, c->row, 12), "10.00"); /* 上年结转 */
			CHECK_STR_EQ(text_at(inc, c->row + 1, 1), "201");
			CHECK_STR_EQ(text_at(inc, c->row + 2, 1), "20132");
			CHECK_STR_EQ(text_at(inc, c->row + 3, 1), "2013201");
			CHECK_STR_EQ(text_at(inc, c->row + 3, 2), "行政运行");
			CHECK_STR_EQ(text_at(inc, c->row + 4, 1), "208");
			CHECK_STR_EQ(text_at(inc, c->row + 4, 3), "30.00");
			CHECK_INT_EQ(inc->nrows, c->row + 7);
		}
	}
	const doc_table *basic = table_titled(d, "部门预算一般公共预算财政拨款基本支出表");
	if (CHECK(basic != NULL)) {
		const doc_cell *c = cell_text(basic, "基本工资");
		CHECK(c && strcmp(text_at(basic, c->row, c->col + 2), "60.50") == 0);
		c = cell_in(basic, 2, "合计");
		CHECK(c && strcmp(text_at(basic, c->row, c->col + 1), "80.50") == 0);
	}
	/* empty tables say so in their note */
	const doc_table *gov = table_titled(d, "部门预算政府性基金预算财政拨款支出表");
	CHECK(gov && strstr(gov->note, "空表列示") != NULL);
	/* sections: cover and contents unnumbered, the rest numbered; contents to level 2 */
	if (CHECK(d->nsections >= 3)) {
		CHECK(!d->sections[0].numbered && !d->sections[1].numbered);
		for (size_t s = 2; s < d->nsections; s++)
			CHECK(d->sections[s].numbered);
		CHECK(d->sections[1].nblocks == 2 && d->sections[1].blocks[1].toc_levels == 2);
	}
	arena_free(a);
out:
	department_load_free(&dl);
	diag_free(dg);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	arena *la = arena_new();
	char err[512] = "";
	const layout_set *l = layout_load(la, "layouts", err, sizeof err);
	if (!CHECK(l != NULL)) {
		fprintf(stderr, "%s\n", err);
		arena_free(la);
		return unit_report();
	}
	/* the performance-only department, through parse + resolve (no catalogue needed) */
	arena *a = arena_new();
	diag_ctx *dg = diag_new();
	buf src = {0};
	buf_puts(&src, header_src);
	buf_puts(&src, projects_src);
	ast_department *ast = parse_department_text(a, dg, "t.txt", src.data, src.len);
	const model_department *m = resolve_department(a, dg, ast);
	buf_free(&src);
	CHECK_INT_EQ(diag_count(dg, DIAG_ERROR), 0);
	CHECK_INT_EQ(diag_count(dg, DIAG_WARNING), 0);
	diag_flush(dg, stderr);
	if (CHECK(m != NULL && m->nprojects == 2)) {
		test_project_table(m, l);
		test_performance_booklet(m, l);
	}
	diag_free(dg);
	arena_free(a);
	test_budget_booklet(l);
	sources_release();
	arena_free(la);
	return unit_report();
}
