/* compose_budget.c — the nine 部门预算公开表, the 政府采购/固定资产/机构设置 tables and the
 * 部门预算信息公开情况说明, as document IR (compose_int.h). Every figure is computed here from the
 * model's 项 and 款 rows; totals carry the list of cells they add up (doc_cell.sum_of), so the Excel
 * back end writes them as formulas. Zero amounts print as empty cells, as the published forms do. */
#include "doc/compose_int.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- values ----------------------------------------------------------------------------------- */

static decimal dsum(decimal a, decimal b)
{
	decimal r;
	if (!dec_add(a, b, &r))
		r.micros = INT64_MAX;
	return r;
}

/* An amount slot that prints nothing when zero. */
static void slot_money(arena *a, slots *s, const char *name, decimal v)
{
	model_amount m = {.present = !dec_is_zero(v), .value = v};
	slot_amount(a, s, name, m);
}

/* A row's spending from the funds for which want(fund) holds. */
typedef bool (*fund_filter)(fund_source f);

static bool all_funds(fund_source f)
{
	(void)f;
	return true;
}

static bool current_year(fund_source f)
{
	return !model_fund_is_carry(f);
}

static bool carried(fund_source f)
{
	return model_fund_is_carry(f);
}

static bool general_funds(fund_source f)
{
	return model_fund_appropriation(f) == FUND_GENERAL;
}

static bool govfund_funds(fund_source f)
{
	return model_fund_appropriation(f) == FUND_GOVFUND;
}

static bool statecap_funds(fund_source f)
{
	return model_fund_appropriation(f) == FUND_STATECAP;
}

static decimal spent(const model_func_row *r, fund_filter want, int kind /* 0 all, 1 基本, 2 项目 */)
{
	decimal t = {0};
	for (int f = 0; f < FUND_COUNT; f++) {
		if (!want((fund_source)f))
			continue;
		if (kind != 2)
			t = dsum(t, r->basic[f]);
		if (kind != 1)
			t = dsum(t, r->project[f]);
	}
	return t;
}

static const model_func_row *func_row(const model_budget *b, const char *code)
{
	for (size_t i = 0; i < b->nfunc; i++)
		if (strcmp(b->func[i].code, code) == 0)
			return &b->func[i];
	return NULL;
}

/* ---- tables ------------------------------------------------------------------------------------ */

static void common_slots(composer *c, slots *s)
{
	const model_department *m = c->m;
	slot_text(s, "部门", m->name);
	slot_text(s, "部门编码", m->code);
	slot_text(s, "年度", arena_printf(c->a, "%d", m->year));
}

static const layout_table *table_layout(composer *c, const char *name)
{
	const layout_table *lt = layout_table_find(c->l, name);
	if (!lt)
		compose_fail(c, "layouts/ 中缺少 %s.layout", name);
	return lt;
}

/* Makes cell (row, col) of a finished table the total of the cells (rows[i], col) or, when cols
 * is given, of (row, cols[i]). Only numeric cells take part. */
static void link_sum(tb_builder *b, int row, int col, const int *rows, const int *cols, size_t n)
{
	long target = tb_cell_at(b->cells, b->n, row, col);
	if (target < 0 || n == 0)
		return;
	int *idx = arena_alloc(b->c->a, n * sizeof *idx);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		long ci = tb_cell_at(b->cells, b->n, rows ? rows[i] : row, cols ? cols[i] : col);
		if (ci >= 0)
			idx[k++] = (int)ci;
	}
	b->cells[target].sum_of = idx;
	b->cells[target].nsum = k;
}

/* For a tree of rows (first = the 合计 row at level 0, then 类/款/项 at levels 1–3): every row
 * with children totals them in each of the columns; leaves total `parts` into `total_col`. */
static void link_tree(tb_builder *b, const int *row_of, const int *level, size_t n, const int *cols,
                      size_t ncols, int total_col, const int *parts, size_t nparts)
{
	int *kids = arena_alloc(b->c->a, (n + 1) * sizeof *kids);
	for (size_t i = 0; i < n; i++) {
		size_t nk = 0;
		for (size_t j = i + 1; j < n && level[j] > level[i]; j++)
			if (level[j] == level[i] + 1)
				kids[nk++] = row_of[j];
		if (nk) {
			for (size_t k = 0; k < ncols; k++)
				link_sum(b, row_of[i], cols[k], kids, NULL, nk);
		} else if (total_col >= 0) {
			link_sum(b, row_of[i], total_col, NULL, parts, nparts);
		}
	}
}

/* Builds a table from a layout with header rows; body rows are added by the caller. */
typedef struct table_job {
	composer *c;
	tb_builder b;
	slots common;
	int *tree_row;   /* grid row of each tree row */
	int *tree_level;
	size_t ntree;
} table_job;

static bool job_begin(table_job *j, composer *c, const char *layout, const char *const *headers)
{
	memset(j, 0, sizeof *j);
	j->c = c;
	const layout_table *lt = table_layout(c, layout);
	if (!lt)
		return false;
	j->b = (tb_builder){.c = c, .lt = lt, .repeat_first = -1};
	common_slots(c, &j->common);
	for (size_t i = 0; headers[i]; i++)
		tb_add_row(&j->b, headers[i], &j->common);
	return !c->failed;
}

static void job_tree_row(table_job *j, int level)
{
	j->tree_row = j->tree_row ? j->tree_row : arena_alloc(j->c->a, 4096 * sizeof *j->tree_row);
	j->tree_level = j->tree_level ? j->tree_level : arena_alloc(j->c->a, 4096 * sizeof *j->tree_level);
	if (j->ntree < 4096) {
		j->tree_row[j->ntree] = j->b.nrows - 1;
		j->tree_level[j->ntree++] = level;
	}
}

static const char *const fund_table_headers[] = {"表头1", "表头2", "栏次", NULL};

/* 收入总表 / 支出总表 / the three 财政拨款支出表: a 合计 row and the 类/款/项 rows. */
typedef enum func_table { FT_INCOME, FT_EXPENSE, FT_GENERAL, FT_GOVFUND, FT_STATECAP } func_table;

static void func_row_slots(composer *c, slots *s, const model_func_row *r, func_table kind,
                           fund_filter want)
{
	arena *a = c->a;
	if (kind == FT_INCOME) {
		decimal cur = spent(r, current_year, 0);
		slot_money(a, s, "合计", spent(r, all_funds, 0));
		slot_money(a, s, "小计", cur);
		decimal approp = {0};
		for (int f = FUND_GENERAL; f <= FUND_STATECAP; f++)
			approp = dsum(approp, dsum(r->basic[f], r->project[f]));
		slot_money(a, s, "财政拨款", approp);
		slot_money(a, s, "财政专户", dsum(r->basic[FUND_SPECIAL], r->project[FUND_SPECIAL]));
		slot_money(a, s, "事业", dsum(r->basic[FUND_BUSINESS], r->project[FUND_BUSINESS]));
		slot_money(a, s, "经营", dsum(r->basic[FUND_OPERATING], r->project[FUND_OPERATING]));
		slot_money(a, s, "上级补助", dsum(r->basic[FUND_SUPERIOR], r->project[FUND_SUPERIOR]));
		slot_money(a, s, "附属单位上缴", dsum(r->basic[FUND_SUBSIDIARY], r->project[FUND_SUBSIDIARY]));
		slot_money(a, s, "其他", dsum(r->basic[FUND_OTHER], r->project[FUND_OTHER]));
		slot_money(a, s, "上年结转", spent(r, carried, 0));
	} else {
		slot_money(a, s, "合计", spent(r, want, 0));
		slot_money(a, s, "基本支出", spent(r, want, 1));
		slot_money(a, s, "项目支出", spent(r, want, 2));
	}
}

static doc_table *func_table_build(composer *c, func_table kind, const char *layout,
                                   const char *title, const char *empty_note)
{
	static const fund_filter filters[] = {all_funds, all_funds, general_funds, govfund_funds,
	                                      statecap_funds};
	fund_filter want = filters[kind];
	const model_budget *b = &c->m->budget;
	table_job j;
	if (!job_begin(&j, c, layout, fund_table_headers))
		return NULL;
	/* the 合计 row: totals over the 类 rows */
	model_func_row total = {0};
	bool any = false;
	for (size_t i = 0; i < b->nfunc; i++) {
		if (b->func[i].level != 1)
			continue;
		for (int f = 0; f < FUND_COUNT; f++) {
			total.basic[f] = dsum(total.basic[f], b->func[i].basic[f]);
			total.project[f] = dsum(total.project[f], b->func[i].project[f]);
		}
		any |= !dec_is_zero(spent(&b->func[i], want, 0));
	}
	int number = 0;
	if (any) {
		slots s = j.common;
		slot_text(&s, "序号", arena_printf(c->a, "%d", ++number));
		func_row_slots(c, &s, &total, kind, want);
		tb_add_row(&j.b, "合计行", &s);
		job_tree_row(&j, 0);
	}
	for (size_t i = 0; i < b->nfunc && any; i++) {
		const model_func_row *r = &b->func[i];
		if (dec_is_zero(spent(r, want, 0)))
			continue; /* a fund's table lists only what that fund pays for */
		slots s = j.common;
		slot_text(&s, "序号", arena_printf(c->a, "%d", ++number));
		slot_text(&s, "科目编码", r->code);
		slot_text(&s, "科目名称", r->name);
		func_row_slots(c, &s, r, kind, want);
		tb_add_row(&j.b, "行", &s);
		job_tree_row(&j, r->level);
	}
	slot_text(&j.common, "表名", title);
	slot_text(&j.common, "表注", any ? "" : empty_note);
	doc_table *t = tb_finish(&j.b, &j.common);
	if (!t)
		return NULL;
	/* formulas: parents total their children; leaves total their parts */
	if (kind == FT_INCOME) {
		static const int cols[] = {3, 4, 5, 6, 7, 8, 9, 10, 11, 12};
		static const int cur[] = {5, 6, 7, 8, 9, 10, 11};
		link_tree(&j.b, j.tree_row, j.tree_level, j.ntree, cols, 10, 4, cur, 7);
		for (size_t i = 0; i < j.ntree; i++) { /* 合计 = 小计 + 上年结转 on every row */
			static const int parts[] = {4, 12};
			bool leaf = i + 1 >= j.ntree || j.tree_level[i + 1] <= j.tree_level[i];
			if (leaf)
				link_sum(&j.b, j.tree_row[i], 3, NULL, parts, 2);
		}
	} else {
		static const int cols[] = {3, 4, 5};
		static const int parts[] = {4, 5};
		link_tree(&j.b, j.tree_row, j.tree_level, j.ntree, cols, 3, 3, parts, 2);
	}
	t->sheet_name = compose_sheet_name(c->a, title);
	return t;
}

/* 部门预算收支总表 */
static doc_table *summary_table(composer *c)
{
	static const char *const headers[] = {"表头1", "表头2", "栏次", NULL};
	static const char *const income_labels[9] = {
		"一、一般公共预算拨款收入", "二、政府性基金预算拨款收入", "三、国有资本经营预算拨款收入",
		"四、财政专户管理资金收入", "五、事业收入", "六、事业单位经营收入", "七、上级补助收入",
		"八、附属单位上缴收入", "九、其他收入",
	};
	const model_budget *b = &c->m->budget;
	table_job j;
	if (!job_begin(&j, c, "budget-summary", headers))
		return NULL;
	size_t n = b->nsummary > 9 ? b->nsummary : 9;
	int first_body = j.b.nrows;
	decimal income_current = {0}, carry = {0};
	for (int f = 0; f < FUND_COUNT; f++)
		if (b->income[f].present)
			*(model_fund_is_carry((fund_source)f) ? &carry : &income_current) =
				dsum(*(model_fund_is_carry((fund_source)f) ? &carry : &income_current),
				     b->income[f].value);
	for (size_t i = 0; i < n; i++) {
		slots s = j.common;
		slot_text(&s, "序号", arena_printf(c->a, "%zu", i + 1));
		slot_text(&s, "收入项目", i < 9 ? income_labels[i] : "");
		decimal in = {0};
		if (i < 9 && b->income[i].present)
			in = b->income[i].value;
		slot_money(c->a, &s, "收入金额", in);
		const char *label = "";
		decimal out = {0};
		if (i < b->nsummary) {
			const model_summary_row *sr = &b->summary[i];
			label = arena_printf(c->a, "%s、%s", sr->ordinal, sr->name);
			const model_func_row *r = *sr->code ? func_row(b, sr->code) : NULL;
			if (r)
				out = spent(r, all_funds, 0);
		}
		slot_text(&s, "支出项目", label);
		slot_money(c->a, &s, "支出金额", out);
		tb_add_row(&j.b, "行", &s);
	}
	static const char *const tail[3][2] = {
		{"本年收入合计", "本年支出合计"}, {"上年结转结余", "年终结转结余"}, {"收入总计", "支出总计"}};
	decimal tail_in[3] = {income_current, carry, b->income_total};
	decimal tail_out[3] = {b->expense_total, {0}, b->expense_total};
	for (int k = 0; k < 3; k++) {
		slots s = j.common;
		slot_text(&s, "序号", arena_printf(c->a, "%zu", n + (size_t)k + 1));
		slot_text(&s, "收入项目", tail[k][0]);
		slot_money(c->a, &s, "收入金额", tail_in[k]);
		slot_text(&s, "支出项目", tail[k][1]);
		slot_money(c->a, &s, "支出金额", tail_out[k]);
		tb_add_row(&j.b, "行", &s);
	}
	doc_table *t = tb_finish(&j.b, &j.common);
	if (!t)
		return NULL;
	int last = j.b.nrows;
	int *rows = arena_alloc(c->a, (n + 1) * sizeof *rows);
	for (size_t i = 0; i < n; i++)
		rows[i] = first_body + (int)i;
	link_sum(&j.b, last - 3, 2, rows, NULL, 9 < n ? 9 : n);
	link_sum(&j.b, last - 3, 4, rows, NULL, n);
	int in_rows[2] = {last - 3, last - 2};
	link_sum(&j.b, last - 1, 2, in_rows, NULL, 2);
	link_sum(&j.b, last - 1, 4, in_rows, NULL, 2);
	t->sheet_name = compose_sheet_name(c->a, "部门预算收支总表");
	return t;
}

/* 部门预算财政拨款收支总表 */
static doc_table *appropriation_table(composer *c)
{
	static const char *const headers[] = {"表头1", "表头2", "栏次", NULL};
	static const char *const income_labels[3] = {"一、一般公共预算拨款", "二、政府性基金预算拨款",
	                                             "三、国有资本经营预算拨款"};
	static const fund_filter split[3] = {general_funds, govfund_funds, statecap_funds};
	static const char *const split_slots[3] = {"一般公共预算", "政府性基金", "国有资本经营"};
	const model_budget *b = &c->m->budget;
	table_job j;
	if (!job_begin(&j, c, "budget-appropriation", headers))
		return NULL;
	int first_body = j.b.nrows;
	size_t n = b->nsummary > 3 ? b->nsummary : 3;
	decimal col_total[3] = {{0}};
	for (size_t i = 0; i < n; i++) {
		slots s = j.common;
		slot_text(&s, "序号", arena_printf(c->a, "%zu", i + 1));
		slot_text(&s, "收入项目", i < 3 ? income_labels[i] : "");
		decimal in = {0};
		if (i < 3 && b->income[i].present)
			in = b->income[i].value;
		slot_money(c->a, &s, "收入金额", in);
		const char *label = "";
		const model_func_row *r = NULL;
		if (i < b->nsummary) {
			const model_summary_row *sr = &b->summary[i];
			label = arena_printf(c->a, "%s、%s", sr->ordinal, sr->name);
			r = *sr->code ? func_row(b, sr->code) : NULL;
		}
		slot_text(&s, "支出项目", label);
		decimal all = {0};
		for (int k = 0; k < 3; k++) {
			decimal v = r ? spent(r, split[k], 0) : (decimal){0};
			slot_money(c->a, &s, split_slots[k], v);
			all = dsum(all, v);
			col_total[k] = dsum(col_total[k], v);
		}
		slot_money(c->a, &s, "合计", all);
		tb_add_row(&j.b, "行", &s);
	}
	decimal current = {0}, carry[3] = {{0}}, carry_all = {0}, grand = {0};
	for (int k = 0; k < 3; k++) {
		if (b->income[k].present)
			current = dsum(current, b->income[k].value);
		fund_source cf = k == 0 ? FUND_CARRY_GENERAL : k == 1 ? FUND_CARRY_GOVFUND : FUND_CARRY_STATECAP;
		if (b->income[cf].present)
			carry[k] = b->income[cf].value;
		carry_all = dsum(carry_all, carry[k]);
		grand = dsum(grand, col_total[k]);
	}
	/* totals and 结转 */
	const char *labels[6][2] = {{"本年收入合计", "本年支出合计"},
	                            {"年初财政拨款结转和结余", "年末财政拨款结转和结余"},
	                            {"一、一般公共预算拨款", ""},
	                            {"二、政府性基金预算拨款", ""},
	                            {"三、国有资本经营预算拨款", ""},
	                            {"收入总计", "支出总计"}};
	decimal in_vals[6] = {current, carry_all, carry[0], carry[1], carry[2], dsum(current, carry_all)};
	for (int k = 0; k < 6; k++) {
		slots s = j.common;
		slot_text(&s, "序号", arena_printf(c->a, "%zu", n + (size_t)k + 1));
		slot_text(&s, "收入项目", labels[k][0]);
		slot_money(c->a, &s, "收入金额", in_vals[k]);
		slot_text(&s, "支出项目", labels[k][1]);
		bool totals = k == 0 || k == 5;
		slot_money(c->a, &s, "合计", totals ? grand : (decimal){0});
		for (int f = 0; f < 3; f++)
			slot_money(c->a, &s, split_slots[f], totals ? col_total[f] : (decimal){0});
		tb_add_row(&j.b, "行", &s);
	}
	doc_table *t = tb_finish(&j.b, &j.common);
	if (!t)
		return NULL;
	int last = j.b.nrows; /* rows: body n, then 本年 (last-6) … 总计 (last-1) */
	int *rows = arena_alloc(c->a, (n + 1) * sizeof *rows);
	for (size_t i = 0; i < n; i++)
		rows[i] = first_body + (int)i;
	for (int col = 4; col <= 7; col++)
		link_sum(&j.b, last - 6, col, rows, NULL, n);
	link_sum(&j.b, last - 6, 2, rows, NULL, 3);
	int carry_rows[3] = {last - 4, last - 3, last - 2};
	link_sum(&j.b, last - 5, 2, carry_rows, NULL, 3);
	int total_rows[2] = {last - 6, last - 5};
	link_sum(&j.b, last - 1, 2, total_rows, NULL, 2);
	for (int col = 4; col <= 7; col++)
		link_sum(&j.b, last - 1, col, total_rows, NULL, 2);
	static const int parts[3] = {5, 6, 7};
	for (size_t i = 0; i < n; i++)
		link_sum(&j.b, rows[i], 4, NULL, parts, 3);
	t->sheet_name = compose_sheet_name(c->a, "部门预算财政拨款收支总表");
	return t;
}

/* 部门预算一般公共预算财政拨款基本支出表 */
static doc_table *basic_table(composer *c)
{
	const model_budget *b = &c->m->budget;
	table_job j;
	if (!job_begin(&j, c, "budget-basic", fund_table_headers))
		return NULL;
	int number = 0;
	slots s = j.common;
	slot_text(&s, "序号", arena_printf(c->a, "%d", ++number));
	slot_money(c->a, &s, "合计", dsum(b->personnel, b->office));
	slot_money(c->a, &s, "人员经费", b->personnel);
	slot_money(c->a, &s, "公用经费", b->office);
	tb_add_row(&j.b, "合计行", &s);
	job_tree_row(&j, 0);
	for (size_t i = 0; i < b->necon; i++) {
		const model_econ_row *r = &b->econ[i];
		s = j.common;
		slot_text(&s, "序号", arena_printf(c->a, "%d", ++number));
		slot_text(&s, "科目编码", r->code);
		slot_text(&s, "科目名称", r->name);
		slot_money(c->a, &s, "合计", dsum(r->personnel, r->office));
		slot_money(c->a, &s, "人员经费", r->personnel);
		slot_money(c->a, &s, "公用经费", r->office);
		tb_add_row(&j.b, "行", &s);
		job_tree_row(&j, r->level);
	}
	doc_table *t = tb_finish(&j.b, &j.common);
	if (!t)
		return NULL;
	static const int cols[] = {3, 4, 5};
	static const int parts[] = {4, 5};
	link_tree(&j.b, j.tree_row, j.tree_level, j.ntree, cols, 3, 3, parts, 2);
	t->sheet_name = compose_sheet_name(c->a, "部门预算一般公共预算财政拨款基本支出表");
	return t;
}

/* 部门预算财政拨款“三公”经费支出表 */
static doc_table *three_table(composer *c)
{
	const model_budget *b = &c->m->budget;
	table_job j;
	if (!job_begin(&j, c, "budget-three", fund_table_headers))
		return NULL;
	/* rows: label, the items it adds up (bit mask over three_item) */
	static const struct {
		const char *label;
		unsigned items;
	} rows[] = {
		{"合计", 0x1F},
		{"“三公”经费小计", 0x1F},
		{"一、因公出国（境）费", 0x03},
		{"其中：教学科研人员因公出国（境）费", 0x01},
		{"其他因公出国（境）费", 0x02},
		{"二、公务用车购置及运维费", 0x0C},
		{"其中：公务用车购置费", 0x04},
		{"公务用车运行维护费", 0x08},
		{"三、公务接待费", 0x10},
	};
	static const char *const funds[3] = {"一般公共预算", "政府性基金", "国有资本经营"};
	int first = j.b.nrows;
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		slots s = j.common;
		slot_text(&s, "序号", arena_printf(c->a, "%zu", i + 1));
		slot_text(&s, "项目", rows[i].label);
		decimal all = {0};
		for (int f = 0; f < 3; f++) {
			decimal v = {0};
			for (int k = 0; k < THREE_COUNT; k++)
				if (rows[i].items & (1u << k))
					v = dsum(v, b->three[k][f]);
			slot_money(c->a, &s, funds[f], v);
			all = dsum(all, v);
		}
		slot_money(c->a, &s, "合计", all);
		tb_add_row(&j.b, "行", &s);
	}
	doc_table *t = tb_finish(&j.b, &j.common);
	if (!t)
		return NULL;
	static const int parts[3] = {3, 4, 5};
	for (int col = 2; col <= 5; col++) {
		int sub[3] = {first + 2, first + 5, first + 8};
		link_sum(&j.b, first + 1, col, sub, NULL, 3);
		int abroad[2] = {first + 3, first + 4}, cars[2] = {first + 6, first + 7};
		link_sum(&j.b, first + 2, col, abroad, NULL, 2);
		link_sum(&j.b, first + 5, col, cars, NULL, 2);
		int one[1] = {first + 1};
		link_sum(&j.b, first, col, one, NULL, 1);
	}
	for (int r = first + 3; r <= first + 8; r++)
		if (r != first + 5)
			link_sum(&j.b, r, 2, NULL, parts, 3);
	t->sheet_name = compose_sheet_name(c->a, "部门预算财政拨款“三公”经费支出表");
	return t;
}

static doc_table *procurement_table(composer *c)
{
	static const char *const headers[] = {"表头1", "表头2", NULL};
	const model_budget *b = &c->m->budget;
	table_job j;
	if (!job_begin(&j, c, "budget-procurement", headers))
		return NULL;
	static const char *const fund_slots[] = {"一般公共预算", "政府性基金", "国有资本经营", "财政专户",
	                                         "单位资金", "财政拨款结转"};
	for (size_t i = 0; i < b->nprocure; i++) {
		const model_procure_row *r = &b->procure[i];
		slots s = j.common;
		slot_text(&s, "项目名称", r->project);
		slot_text(&s, "预算资金", "");
		slot_text(&s, "采购物品名称", r->item);
		slot_text(&s, "目录序号", r->catalog_no);
		slot_text(&s, "计量单位", r->unit);
		slot_text(&s, "数量", r->quantity);
		slot_amount(c->a, &s, "单价", r->price);
		slot_amount(c->a, &s, "合计", r->amount);
		int col = r->fund == FUND_GENERAL    ? 0
		          : r->fund == FUND_GOVFUND  ? 1
		          : r->fund == FUND_STATECAP ? 2
		          : r->fund == FUND_SPECIAL  ? 3
		          : model_fund_is_carry(r->fund) && model_fund_appropriation(r->fund) >= 0 ? 5
		                                                                                : 4;
		for (int k = 0; k < 6; k++)
			slot_amount(c->a, &s, fund_slots[k], k == col ? r->amount : (model_amount){0});
		slot_amount(c->a, &s, "中小微企业份额", r->sme);
		tb_add_row(&j.b, "行", &s);
	}
	slot_text(&j.common, "空表注", b->nprocure ? "" : "\n注：无政府采购预算，空表列示。");
	doc_table *t = tb_finish(&j.b, &j.common);
	if (t)
		t->sheet_name = compose_sheet_name(c->a, "部门政府采购预算表");
	return t;
}

static doc_table *assets_table(composer *c)
{
	static const char *const headers[] = {"表头", NULL};
	const model_budget *b = &c->m->budget;
	table_job j;
	if (!job_begin(&j, c, "budget-assets", headers))
		return NULL;
	slot_text(&j.common, "截止时间", b->assets_as_of ? b->assets_as_of : "");
	static const char *const labels[ASSET_COUNT] = {
		"1、房屋（平方米）", "其中：办公用房（平方米）", "2、车辆（台、辆）", "3、单价在 20 万元以上的设备",
		"4、其他固定资产"};
	decimal total = {0};
	for (int k = 0; k < ASSET_COUNT; k++)
		if (k != ASSET_OFFICES && b->asset_value[k].present)
			total = dsum(total, b->asset_value[k].value);
	slots s = j.common;
	slot_text(&s, "项目", "资产总额");
	slot_text(&s, "数量", "");
	slot_money(c->a, &s, "价值", total);
	tb_add_row(&j.b, "行", &s);
	int first = j.b.nrows;
	for (int k = 0; k < ASSET_COUNT; k++) {
		s = j.common;
		slot_text(&s, "项目", labels[k]);
		slot_text(&s, "数量", b->asset_qty[k] ? b->asset_qty[k] : "");
		slot_amount(c->a, &s, "价值", b->asset_value[k]);
		tb_add_row(&j.b, "行", &s);
	}
	doc_table *t = tb_finish(&j.b, &j.common);
	if (!t)
		return NULL;
	int parts[4] = {first, first + 2, first + 3, first + 4};
	link_sum(&j.b, first - 1, 2, parts, NULL, 4);
	t->sheet_name = compose_sheet_name(c->a, "部门固定资产占用情况表");
	return t;
}

static doc_table *orgs_table(composer *c)
{
	static const char *const headers[] = {"表头", NULL};
	const model_budget *b = &c->m->budget;
	table_job j;
	if (!job_begin(&j, c, "budget-orgs", headers))
		return NULL;
	for (size_t i = 0; i < b->norgs; i++) {
		slots s = j.common;
		slot_text(&s, "单位名称", b->orgs[i].name);
		slot_text(&s, "单位性质", b->orgs[i].nature);
		slot_text(&s, "单位规格", b->orgs[i].rank);
		slot_text(&s, "经费保障形式", b->orgs[i].funding);
		tb_add_row(&j.b, "行", &s);
	}
	doc_table *t = tb_finish(&j.b, &j.common);
	if (t)
		t->sheet_name = compose_sheet_name(c->a, "部门机构设置情况");
	return t;
}

/* ---- the booklet parts ------------------------------------------------------------------------- */

/* Places a table on a page of its layout's orientation (a new section when it changes). */
static void place_table(doc_builder *d, const doc_table *t, int level, bool heading)
{
	composer *c = d->c;
	if (!t)
		return;
	const layout_table *lt = layout_table_find(c->l, t->kind);
	const doc_page *page = lt && lt->page ? lt->page : &c->l->portrait;
	const doc_section *cur = &d->sections[d->nsections - 1];
	if (cur->page.orientation != page->orientation || !cur->numbered)
		db_begin_section(d, page, true);
	else if (d->nblocks && lt && lt->new_page)
		db_add_block(d, BLOCK_PAGE_BREAK);
	if (heading)
		db_heading(d, "表题", level, t->title, true);
	db_add_block(d, BLOCK_TABLE)->table = t;
}

void compose_budget_tables(doc_builder *d)
{
	composer *c = d->c;
	db_begin_section(d, &c->l->portrait, true);
	db_heading(d, "部分标题", 1, "部门预算公开表", true);
	place_table(d, summary_table(c), 2, true);
	place_table(d, func_table_build(c, FT_INCOME, "budget-income", "部门预算收入总表", ""), 2, true);
	place_table(d, func_table_build(c, FT_EXPENSE, "budget-expense", "部门预算支出总表", ""), 2, true);
	place_table(d, appropriation_table(c), 2, true);
	place_table(d, func_table_build(c, FT_GENERAL, "budget-fund", "部门预算一般公共预算财政拨款支出表",
	                                "注：无一般公共预算财政拨款预算，空表列示。"),
	            2, true);
	place_table(d, basic_table(c), 2, true);
	place_table(d, func_table_build(c, FT_GOVFUND, "budget-fund", "部门预算政府性基金预算财政拨款支出表",
	                                "注：无政府性基金预算财政拨款预算，空表列示。"),
	            2, true);
	place_table(d, func_table_build(c, FT_STATECAP, "budget-fund",
	                                "部门预算国有资本经营预算财政拨款支出表",
	                                "注：无国有资本经营预算财政拨款预算，空表列示。"),
	            2, true);
	place_table(d, three_table(c), 2, true);
}

static void paragraphs(doc_builder *d, note_part part)
{
	const model_budget *b = &d->c->m->budget;
	for (size_t i = 0; i < b->nnotes[part]; i++)
		db_paragraph(d, "正文", b->notes[part][i]);
}

/* Back to portrait prose after a landscape table. */
static void prose_page(doc_builder *d)
{
	const doc_section *cur = &d->sections[d->nsections - 1];
	if (cur->page.orientation != ORIENT_PORTRAIT)
		db_begin_section(d, &d->c->l->portrait, true);
}

void compose_notes(doc_builder *d)
{
	composer *c = d->c;
	const model_department *m = c->m;
	const model_budget *b = &m->budget;
	db_begin_section(d, &c->l->portrait, true);
	db_heading(d, "部分标题", 1, arena_printf(c->a, "%s%d年部门预算信息公开情况说明", m->name, m->year),
	           false);
	paragraphs(d, NOTE_PREFACE);
	db_heading(d, "一级标题", 2, "一、部门职责及机构设置情况", false);
	if (b->nnotes[NOTE_DUTIES]) {
		db_paragraph(d, "二级标题", "部门职责：");
		paragraphs(d, NOTE_DUTIES);
	}
	if (b->norgs) {
		db_paragraph(d, "二级标题", "机构设置：");
		place_table(d, orgs_table(c), 3, false);
	}
	prose_page(d);
	db_heading(d, "一级标题", 2, "二、部门预算安排的总体情况", false);
	paragraphs(d, NOTE_OVERVIEW);
	db_heading(d, "一级标题", 2, "三、机关运行经费安排情况", false);
	paragraphs(d, NOTE_RUNNING);
	db_heading(d, "一级标题", 2, "四、财政拨款“三公”经费预算情况及增减变化原因", false);
	paragraphs(d, NOTE_THREE);
	db_heading(d, "一级标题", 2, "五、预算绩效信息", false);
	compose_performance(d, 3, "二级标题");
	db_add_block(d, BLOCK_PAGE_BREAK);
	db_heading(d, "一级标题", 2, "六、政府采购预算情况", false);
	paragraphs(d, NOTE_PROCURE);
	place_table(d, procurement_table(c), 3, false);
	prose_page(d);
	db_heading(d, "一级标题", 2, "七、国有资产信息", false);
	paragraphs(d, NOTE_ASSETS);
	if (b->has_assets)
		place_table(d, assets_table(c), 3, false);
	prose_page(d);
	db_heading(d, "一级标题", 2, "八、名词解释", false);
	paragraphs(d, NOTE_TERMS);
	db_heading(d, "一级标题", 2, "九、其他需要说明的事项", false);
	paragraphs(d, NOTE_OTHER);
}
