/* budget.c — resolves the budget-data sections (budget.h). Owns the names of funding sources,
 * 三公 items, fixed assets and 情况说明 parts; the roll-up of 项 into 款 and 类; the identity
 * checks; and the reference names of docs/language.md §6 with their formatting. */
#include "front/budget.h"
#include "front/prose.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front/lex.h"

/* ---- names --------------------------------------------------------------------------------- */

/* ORDER fund_source. The first name is canonical; the rest are accepted spellings. */
static const char *const budget_fund_names[FUND_COUNT][3] = {
	{"一般公共预算", "一般公共预算拨款", "一般公共预算拨款收入"},
	{"政府性基金", "政府性基金预算拨款", "政府性基金预算拨款收入"},
	{"国有资本经营", "国有资本经营预算拨款", "国有资本经营预算拨款收入"},
	{"财政专户", "财政专户管理资金", "财政专户管理资金收入"},
	{"事业", "事业收入", NULL},
	{"事业单位经营", "事业单位经营收入", NULL},
	{"上级补助", "上级补助收入", NULL},
	{"附属单位上缴", "附属单位上缴收入", NULL},
	{"其他", "其他收入", NULL},
	{"上年结转", "上年结转（一般公共预算）", "上年结转结余"},
	{"上年结转（政府性基金）", NULL, NULL},
	{"上年结转（国有资本经营）", NULL, NULL},
	{"上年结转（其他）", NULL, NULL},
};

/* Reference names of the current-year income of each non-carry source. ORDER fund_source. */
static const char *const income_ref_names[FUND_CARRY_GENERAL] = {
	"一般公共预算收入", "政府性基金收入", "国有资本经营收入", "财政专户收入", "事业收入",
	"事业单位经营收入", "上级补助收入", "附属单位上缴收入", "其他收入",
};

/* ORDER three_item */
static const char *const budget_three_names[THREE_COUNT] = {
	"教学科研人员因公出国费", "其他因公出国费", "公务用车购置费", "公务用车运行维护费", "公务接待费",
};

/* ORDER asset_item */
static const char *const budget_asset_names[ASSET_COUNT] = {
	"房屋", "办公用房", "车辆", "单价20万元以上设备", "其他固定资产",
};

/* ORDER note_part */
static const char *const budget_note_names[NOTE_COUNT] = {
	"前言", "部门职责", "总体情况", "机关运行经费", "三公经费", "政府采购", "国有资产", "名词解释", "其他事项",
};

const char *model_fund_name(fund_source f)
{
	return budget_fund_names[f][0];
}

bool model_fund_is_carry(fund_source f)
{
	return f >= FUND_CARRY_GENERAL;
}

int model_fund_appropriation(fund_source f)
{
	switch (f) {
	case FUND_GENERAL:
	case FUND_CARRY_GENERAL: return FUND_GENERAL;
	case FUND_GOVFUND:
	case FUND_CARRY_GOVFUND: return FUND_GOVFUND;
	case FUND_STATECAP:
	case FUND_CARRY_STATECAP: return FUND_STATECAP;
	case FUND_SPECIAL:
	case FUND_BUSINESS:
	case FUND_OPERATING:
	case FUND_SUPERIOR:
	case FUND_SUBSIDIARY:
	case FUND_OTHER:
	case FUND_CARRY_OTHER:
	case FUND_COUNT: break;
	}
	return -1;
}

/* Half-width brackets and blanks do not matter in names: "上年结转(其他)" = "上年结转（其他）". */
static char *normalize_name(arena *a, const char *s)
{
	buf b = {0};
	size_t n = strlen(s), k;
	for (size_t i = 0; i < n; i += k) {
		uint32_t cp;
		k = utf8_decode(s + i, n - i, &cp);
		if (!k) {
			k = 1;
			continue;
		}
		if (cp_is_space(cp))
			continue;
		if (cp == '(')
			buf_puts(&b, "（");
		else if (cp == ')')
			buf_puts(&b, "）");
		else
			buf_put(&b, s + i, k);
	}
	char *out = arena_strdup(a, b.data ? b.data : "");
	buf_free(&b);
	return out;
}

static int fund_lookup(arena *a, const char *name)
{
	const char *n = normalize_name(a, name);
	for (int f = 0; f < FUND_COUNT; f++)
		for (int k = 0; k < 3 && budget_fund_names[f][k]; k++)
			if (strcmp(n, budget_fund_names[f][k]) == 0)
				return f;
	return -1;
}

static int name_lookup(arena *a, const char *const *names, int count, const char *name)
{
	const char *n = normalize_name(a, name);
	for (int i = 0; i < count; i++)
		if (strcmp(n, names[i]) == 0)
			return i;
	return -1;
}

static const char *name_list(arena *a, const char *const *names, int count)
{
	buf b = {0};
	for (int i = 0; i < count; i++) {
		if (i)
			buf_puts(&b, "、");
		buf_puts(&b, names[i]);
	}
	const char *out = arena_strdup(a, b.data ? b.data : "");
	buf_free(&b);
	return out;
}

static const char *fund_list(arena *a)
{
	const char *names[FUND_COUNT];
	for (int f = 0; f < FUND_COUNT; f++)
		names[f] = budget_fund_names[f][0];
	return name_list(a, names, FUND_COUNT);
}

/* ---- the resolver ---------------------------------------------------------------------------- */

typedef struct item_project {
	const char *code;
	const char *written_name;
	srcloc loc;
	decimal basic[FUND_COUNT];
	decimal project[FUND_COUNT];
} item_project;

typedef struct bresolver {
	arena *a;
	diag_ctx *d;
	const catalog *cat;
	model_department *m;
	model_budget *b;
	srcloc income_loc[FUND_COUNT];  /* where each income source was written */
	bool income_seen[FUND_COUNT];
	srcloc income_section;
	srcloc basic_section;
	bool has_basic;
	decimal basic_table_total;
	decimal amounts; /* every amount so far, within DEC_SUM_LIMIT_UNITS: no sum can overflow */
} bresolver;

static bool amount_of(bresolver *r, const ast_str *s, const char *what, decimal *out, bool *blank)
{
	*blank = false;
	out->micros = 0;
	if (!s->s || !*s->s) {
		*blank = true;
		return true;
	}
	size_t off = 0;
	switch (dec_parse(s->s, strlen(s->s), out, &off)) {
	case DEC_OK:
		if (dec_add_limited(&r->amounts, *out))
			return true;
		diag_report(r->d, s->loc, D_AMOUNT_SUM_LIMIT, what, "1000000000000");
		out->micros = 0;
		break;
	case DEC_EMPTY: *blank = true; return true;
	case DEC_SYNTAX: diag_report(r->d, s->loc, D_AMOUNT_SYNTAX, what); break;
	case DEC_PRECISION: diag_report(r->d, s->loc, D_AMOUNT_PRECISION, what); break;
	case DEC_RANGE: diag_report(r->d, s->loc, D_AMOUNT_RANGE, what); break;
	case DEC_NEGATIVE: diag_report(r->d, s->loc, D_AMOUNT_NEGATIVE, what); break;
	}
	return false;
}

static void add_to(decimal *acc, decimal v)
{
	if (!dec_add(*acc, v, acc))
		acc->micros = INT64_MAX; /* cannot happen: amount_of keeps every total in range */
}

static bool digits(const char *s, size_t n)
{
	if (strlen(s) != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

static bool want_cells(bresolver *r, const ast_line *l, const char *section, int count,
                       const char *columns)
{
	if (l->ncells == count)
		return true;
	if (l->ncells == 0)
		diag_report(r->d, l->loc, D_BUDGET_TEXT, section, arena_printf(r->a, "“%s”", columns));
	else
		diag_report(r->d, l->loc, D_BUDGET_ROW_CELLS, section, count, columns, l->ncells);
	return false;
}

/* 【收入】: 来源：金额 */
static void income_section(bresolver *r, const ast_section *s)
{
	r->income_section = s->loc;
	for (size_t i = 0; i < s->nlines; i++) {
		const ast_line *l = &s->lines[i];
		if (!l->key.s) {
			diag_report(r->d, l->loc, D_BUDGET_TEXT, "收入", "“资金来源：金额”");
			continue;
		}
		int f = fund_lookup(r->a, l->key.s);
		if (f < 0) {
			diag_report(r->d, l->key.loc, D_BUDGET_NAME_UNKNOWN, l->key.s, "收入", fund_list(r->a));
			continue;
		}
		if (r->income_seen[f]) {
			diag_report(r->d, l->key.loc, D_BUDGET_DUPLICATE, arena_printf(r->a, "收入“%s”", l->key.s));
			diag_report(r->d, r->income_loc[f], D_NOTE_FIRST_HERE);
			continue;
		}
		decimal v;
		bool blank;
		if (amount_of(r, &l->value, l->key.s, &v, &blank) && !blank) {
			r->b->income[f].present = true;
			r->b->income[f].value = v;
		}
		r->income_seen[f] = true;
		r->income_loc[f] = l->key.loc;
	}
}

static item_project *find_item(arena *a, item_project **items, size_t *n, size_t *cap,
                               const char *code)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*items)[i].code, code) == 0)
			return &(*items)[i];
	item_project *it = vec_push(a, items, n, cap, sizeof **items);
	it->code = code;
	return it;
}

static void check_catalog_name(bresolver *r, const char *code, const char *catalog_name,
                               const ast_str *written)
{
	if (!written->s || !*written->s || !catalog_name)
		return;
	if (strcmp(normalize_name(r->a, written->s), normalize_name(r->a, catalog_name)) != 0)
		diag_report(r->d, written->loc, D_CODE_NAME_MISMATCH, code, catalog_name, written->s);
}

static int code_cmp(const void *pa, const void *pb)
{
	const model_func_row *a = pa, *b = pb;
	return strcmp(a->code, b->code);
}

/* 【支出】: 编码｜名称｜基本/项目｜资金来源｜金额, rolled up into 款 and 类. */
static void expense_section(bresolver *r, const ast_section *s, item_project **items,
                            size_t *nitems, size_t *cap)
{
	static const char cols[] = "科目编码｜科目名称｜基本/项目｜资金来源｜金额";
	for (size_t i = 0; i < s->nlines; i++) {
		const ast_line *l = &s->lines[i];
		if (!want_cells(r, l, "支出", 5, cols))
			continue;
		const ast_str *code = &l->cell[0], *name = &l->cell[1], *kind = &l->cell[2];
		const ast_str *fund = &l->cell[3], *amount = &l->cell[4];
		if (!digits(code->s, 7)) {
			diag_report(r->d, code->loc, D_CODE_DIGITS, "支出功能分类（项）", code->s, "7");
			continue;
		}
		const char *cname = r->cat ? catalog_func_name(r->cat, code->s) : NULL;
		if (r->cat && !cname) {
			diag_report(r->d, code->loc, D_CODE_UNKNOWN, "支出功能分类", code->s);
			continue;
		}
		check_catalog_name(r, code->s, cname, name);
		bool basic = strcmp(kind->s, "基本") == 0 || strcmp(kind->s, "基本支出") == 0;
		if (!basic && strcmp(kind->s, "项目") != 0 && strcmp(kind->s, "项目支出") != 0) {
			diag_report(r->d, kind->loc, D_EXPENSE_KIND, kind->s);
			continue;
		}
		int f = *fund->s ? fund_lookup(r->a, fund->s) : FUND_GENERAL;
		if (f < 0) {
			diag_report(r->d, fund->loc, D_BUDGET_NAME_UNKNOWN, fund->s, "支出", fund_list(r->a));
			continue;
		}
		decimal v;
		bool blank;
		if (!amount_of(r, amount, "金额", &v, &blank))
			continue;
		item_project *it = find_item(r->a, items, nitems, cap, code->s);
		if (!it->loc.file) {
			it->loc = code->loc;
			it->written_name = name->s;
		}
		add_to(basic ? &it->basic[f] : &it->project[f], v);
	}
}

/* Builds the 类/款/项 rows, each with the totals of the 项 below it. */
static void roll_up_func(bresolver *r, item_project *items, size_t n)
{
	model_func_row *rows = arena_alloc(r->a, (3 * n + 1) * sizeof *rows);
	size_t nrows = 0;
	for (size_t i = 0; i < n; i++) {
		const item_project *it = &items[i];
		for (int level = 1; level <= 3; level++) {
			size_t len = level == 1 ? 3 : level == 2 ? 5 : 7;
			const char *code = arena_strndup(r->a, it->code, len);
			model_func_row *row = NULL;
			for (size_t k = 0; k < nrows; k++)
				if (strcmp(rows[k].code, code) == 0)
					row = &rows[k];
			if (!row) {
				row = &rows[nrows++];
				row->code = code;
				row->level = level;
				row->loc = it->loc;
				const char *cname = r->cat ? catalog_func_name(r->cat, code) : NULL;
				if (r->cat && !cname && level < 3)
					diag_report(r->d, it->loc, D_CODE_UNKNOWN, "支出功能分类",
					            arena_printf(r->a, "%s（%s）", code, level == 1 ? "类" : "款"));
				row->name = cname ? cname : (level == 3 && it->written_name ? it->written_name : "");
			}
			for (int f = 0; f < FUND_COUNT; f++) {
				add_to(&row->basic[f], it->basic[f]);
				add_to(&row->project[f], it->project[f]);
			}
		}
	}
	qsort(rows, nrows, sizeof *rows, code_cmp);
	r->b->func = rows;
	r->b->nfunc = nrows;
}

static int econ_cmp(const void *pa, const void *pb)
{
	const model_econ_row *a = pa, *b = pb;
	return strcmp(a->code, b->code);
}

/* 【基本支出】: 编码｜名称｜人员经费/公用经费｜金额 by 经济分类款, rolled up into 类. */
static void basic_section(bresolver *r, const ast_section *s)
{
	static const char cols[] = "科目编码｜科目名称｜人员经费/公用经费｜金额";
	r->has_basic = true;
	r->basic_section = s->loc;
	model_econ_row *rows = arena_alloc(r->a, (2 * s->nlines + 1) * sizeof *rows);
	size_t n = 0;
	for (size_t i = 0; i < s->nlines; i++) {
		const ast_line *l = &s->lines[i];
		if (!want_cells(r, l, "基本支出", 4, cols))
			continue;
		const ast_str *code = &l->cell[0], *name = &l->cell[1], *kind = &l->cell[2];
		if (!digits(code->s, 5)) {
			diag_report(r->d, code->loc, D_CODE_DIGITS, "支出经济分类（款）", code->s, "5");
			continue;
		}
		const char *cname = r->cat ? catalog_econ_name(r->cat, code->s) : NULL;
		if (r->cat && !cname) {
			diag_report(r->d, code->loc, D_CODE_UNKNOWN, "支出经济分类", code->s);
			continue;
		}
		check_catalog_name(r, code->s, cname, name);
		bool personnel = strcmp(kind->s, "人员经费") == 0;
		if (!personnel && strcmp(kind->s, "公用经费") != 0) {
			diag_report(r->d, kind->loc, D_BASIC_KIND, kind->s);
			continue;
		}
		decimal v;
		bool blank;
		if (!amount_of(r, &l->cell[3], "金额", &v, &blank))
			continue;
		for (int level = 1; level <= 2; level++) {
			const char *c = arena_strndup(r->a, code->s, level == 1 ? 3 : 5);
			model_econ_row *row = NULL;
			for (size_t k = 0; k < n; k++)
				if (strcmp(rows[k].code, c) == 0)
					row = &rows[k];
			if (!row) {
				row = &rows[n++];
				row->code = c;
				row->level = level;
				row->loc = code->loc;
				const char *nm = r->cat ? catalog_econ_name(r->cat, c) : NULL;
				if (r->cat && !nm && level == 1)
					diag_report(r->d, code->loc, D_CODE_UNKNOWN, "支出经济分类",
					            arena_printf(r->a, "%s（类）", c));
				row->name = nm ? nm : name->s;
			}
			add_to(personnel ? &row->personnel : &row->office, v);
		}
		add_to(personnel ? &r->b->personnel : &r->b->office, v);
	}
	qsort(rows, n, sizeof *rows, econ_cmp);
	r->b->econ = rows;
	r->b->necon = n;
	r->basic_table_total = r->b->personnel;
	add_to(&r->basic_table_total, r->b->office);
}

/* 【三公经费】: 名称：金额, or 一般公共预算｜政府性基金｜国有资本经营 */
static void three_section(bresolver *r, const ast_section *s)
{
	r->b->has_three = true;
	bool seen[THREE_COUNT] = {false};
	for (size_t i = 0; i < s->nlines; i++) {
		const ast_line *l = &s->lines[i];
		if (!l->key.s) {
			diag_report(r->d, l->loc, D_BUDGET_TEXT, "三公经费", "“项目：金额”");
			continue;
		}
		int k = name_lookup(r->a, budget_three_names, THREE_COUNT, l->key.s);
		if (k < 0) {
			diag_report(r->d, l->key.loc, D_BUDGET_NAME_UNKNOWN, l->key.s, "三公经费",
			            name_list(r->a, budget_three_names, THREE_COUNT));
			continue;
		}
		if (seen[k]) {
			diag_report(r->d, l->key.loc, D_BUDGET_DUPLICATE, arena_printf(r->a, "“%s”", l->key.s));
			continue;
		}
		seen[k] = true;
		/* the value: one amount, or three cells split at ｜ */
		ast_str parts[3] = {l->value, {NULL, l->value.loc}, {NULL, l->value.loc}};
		int np = 1;
		if (l->ncells >= 2) {
			np = l->ncells > 3 ? 3 : l->ncells;
			/* cell 0 holds "名称：金额": take what follows the colon */
			parts[0] = l->value;
			const char *bar = strstr(l->value.s, "｜");
			if (!bar)
				bar = strchr(l->value.s, '|');
			if (bar)
				parts[0].s = arena_strndup(r->a, l->value.s, (size_t)(bar - l->value.s));
			for (int p = 1; p < np; p++)
				parts[p] = l->cell[p];
		}
		for (int p = 0; p < np; p++) {
			decimal v;
			bool blank;
			if (amount_of(r, &parts[p], l->key.s, &v, &blank) && !blank)
				r->b->three[k][p] = v;
		}
	}
}

static void procure_section(bresolver *r, const ast_section *s)
{
	static const char cols[] = "项目名称｜采购物品名称｜政府采购目录序号｜计量单位｜数量｜单价｜金额｜资金来源｜预留中小微企业份额";
	model_procure_row *rows = arena_alloc(r->a, (s->nlines + 1) * sizeof *rows);
	size_t n = 0;
	for (size_t i = 0; i < s->nlines; i++) {
		const ast_line *l = &s->lines[i];
		if (!want_cells(r, l, "政府采购", 9, cols))
			continue;
		model_procure_row *row = &rows[n];
		row->project = l->cell[0].s;
		row->item = l->cell[1].s;
		row->catalog_no = l->cell[2].s;
		row->unit = l->cell[3].s;
		row->quantity = l->cell[4].s;
		row->loc = l->loc;
		bool blank, ok = true;
		ok &= amount_of(r, &l->cell[5], "单价", &row->price.value, &blank);
		row->price.present = !blank;
		ok &= amount_of(r, &l->cell[6], "金额", &row->amount.value, &blank);
		row->amount.present = !blank;
		int f = *l->cell[7].s ? fund_lookup(r->a, l->cell[7].s) : FUND_GENERAL;
		if (f < 0) {
			diag_report(r->d, l->cell[7].loc, D_BUDGET_NAME_UNKNOWN, l->cell[7].s, "政府采购",
			            fund_list(r->a));
			ok = false;
		}
		row->fund = f < 0 ? FUND_GENERAL : (fund_source)f;
		ok &= amount_of(r, &l->cell[8], "预留中小微企业份额", &row->sme.value, &blank);
		row->sme.present = !blank;
		if (ok)
			n++;
	}
	r->b->procure = rows;
	r->b->nprocure = n;
}

static void assets_section(bresolver *r, const ast_section *s)
{
	r->b->has_assets = true;
	r->b->assets_as_of = "";
	for (int k = 0; k < ASSET_COUNT; k++)
		r->b->asset_qty[k] = "";
	for (size_t i = 0; i < s->nlines; i++) {
		const ast_line *l = &s->lines[i];
		if (!l->key.s) {
			diag_report(r->d, l->loc, D_BUDGET_TEXT, "固定资产", "“项目：数量｜价值”或“截止时间：日期”");
			continue;
		}
		if (strcmp(l->key.s, "截止时间") == 0) {
			r->b->assets_as_of = l->value.s;
			continue;
		}
		int k = name_lookup(r->a, budget_asset_names, ASSET_COUNT, l->key.s);
		if (k < 0) {
			diag_report(r->d, l->key.loc, D_BUDGET_NAME_UNKNOWN, l->key.s, "固定资产",
			            name_list(r->a, budget_asset_names, ASSET_COUNT));
			continue;
		}
		if (l->ncells != 2) {
			diag_report(r->d, l->loc, D_BUDGET_ROW_CELLS, "固定资产", 2, "数量｜价值",
			            l->ncells ? l->ncells : 1);
			continue;
		}
		const char *v = l->value.s;
		const char *bar = strstr(v, "｜");
		size_t qlen = bar ? (size_t)(bar - v) : strcspn(v, "|");
		while (qlen && v[qlen - 1] == ' ')
			qlen--;
		r->b->asset_qty[k] = arena_strndup(r->a, v, qlen);
		bool blank;
		decimal val;
		if (amount_of(r, &l->cell[1], l->key.s, &val, &blank) && !blank) {
			r->b->asset_value[k].present = true;
			r->b->asset_value[k].value = val;
		}
	}
}

static void orgs_section(bresolver *r, const ast_section *s)
{
	model_org_row *rows = arena_alloc(r->a, (s->nlines + 1) * sizeof *rows);
	size_t n = 0;
	for (size_t i = 0; i < s->nlines; i++) {
		const ast_line *l = &s->lines[i];
		if (!want_cells(r, l, "机构设置", 4, "单位名称｜单位性质｜单位规格｜经费保障形式"))
			continue;
		rows[n++] = (model_org_row){l->cell[0].s, l->cell[1].s, l->cell[2].s, l->cell[3].s};
	}
	r->b->orgs = rows;
	r->b->norgs = n;
}

static void lastyear_section(bresolver *r, const ast_section *s)
{
	const char **names = arena_alloc(r->a, (s->nlines + 1) * sizeof *names);
	decimal *values = arena_alloc(r->a, (s->nlines + 1) * sizeof *values);
	size_t n = 0;
	for (size_t i = 0; i < s->nlines; i++) {
		const ast_line *l = &s->lines[i];
		if (!l->key.s) {
			diag_report(r->d, l->loc, D_BUDGET_TEXT, "上年", "“名称：金额”，名称同引用名");
			continue;
		}
		bool blank;
		decimal v;
		if (!amount_of(r, &l->value, l->key.s, &v, &blank) || blank)
			continue;
		names[n] = normalize_name(r->a, l->key.s);
		values[n++] = v;
	}
	r->b->last_names = names;
	r->b->last_values = values;
	r->b->nlast = n;
}

/* ---- figures and references -------------------------------------------------------------------- */

static const model_func_row *func_row(const model_budget *b, const char *code)
{
	for (size_t i = 0; i < b->nfunc; i++)
		if (strcmp(b->func[i].code, code) == 0)
			return &b->func[i];
	return NULL;
}

static decimal sum_funds(const decimal *v)
{
	decimal t = {0};
	for (int f = 0; f < FUND_COUNT; f++)
		add_to(&t, v[f]);
	return t;
}

/* The value of a money figure by name (no 增减/上年 prefixes); false when unknown. */
static bool figure_value(const model_department *m, const char *name, decimal *out)
{
	const model_budget *b = &m->budget;
	decimal v = {0};
	if (strcmp(name, "收入总计") == 0) {
		v = b->income_total;
	} else if (strcmp(name, "本年收入合计") == 0 || strcmp(name, "上年结转") == 0) {
		bool carry = strcmp(name, "上年结转") == 0;
		for (int f = 0; f < FUND_COUNT; f++)
			if (b->income[f].present && model_fund_is_carry((fund_source)f) == carry)
				add_to(&v, b->income[f].value);
	} else if (strcmp(name, "支出总计") == 0 || strcmp(name, "本年支出合计") == 0) {
		v = b->expense_total;
	} else if (strcmp(name, "基本支出") == 0) {
		v = b->basic_total;
	} else if (strcmp(name, "项目支出") == 0) {
		v = b->project_total;
	} else if (strcmp(name, "人员经费") == 0) {
		v = b->personnel;
	} else if (strcmp(name, "公用经费") == 0 || strcmp(name, "机关运行经费") == 0) {
		v = b->office;
	} else if (strcmp(name, "三公经费") == 0) {
		for (int k = 0; k < THREE_COUNT; k++)
			for (int f = 0; f < 3; f++)
				add_to(&v, b->three[k][f]);
	} else if (strcmp(name, "因公出国费") == 0 || strcmp(name, "公务用车费") == 0) {
		int first = strcmp(name, "因公出国费") == 0 ? THREE_ABROAD_RESEARCH : THREE_CAR_BUY;
		for (int k = first; k < first + 2; k++)
			for (int f = 0; f < 3; f++)
				add_to(&v, b->three[k][f]);
	} else if (strcmp(name, "政府采购") == 0) {
		for (size_t i = 0; i < b->nprocure; i++)
			if (b->procure[i].amount.present)
				add_to(&v, b->procure[i].amount.value);
	} else if (strcmp(name, "固定资产总额") == 0) {
		for (int k = 0; k < ASSET_COUNT; k++)
			if (k != ASSET_OFFICES && b->asset_value[k].present)
				add_to(&v, b->asset_value[k].value);
	} else {
		bool found = false;
		for (int k = 0; k < THREE_COUNT && !found; k++) {
			if (strcmp(name, budget_three_names[k]) == 0 ||
			    (k == THREE_CAR_RUN && strcmp(name, "公务用车运维费") == 0)) {
				for (int f = 0; f < 3; f++)
					add_to(&v, b->three[k][f]);
				found = true;
			}
		}
		for (int f = 0; f < FUND_CARRY_GENERAL && !found; f++) {
			if (strcmp(name, income_ref_names[f]) == 0) {
				v = b->income[f].present ? b->income[f].value : v;
				found = true;
			}
		}
		const char *colon = strchr(name, ':');
		if (!found && colon) {
			size_t pl = (size_t)(colon - name);
			const model_func_row *row = func_row(b, colon + 1);
			if (!row)
				return false;
			if (pl == strlen("支出") && strncmp(name, "支出", pl) == 0) {
				decimal x = sum_funds(row->basic);
				add_to(&x, sum_funds(row->project));
				v = x;
			} else if (pl == strlen("基本支出") && strncmp(name, "基本支出", pl) == 0) {
				v = sum_funds(row->basic);
			} else if (pl == strlen("项目支出") && strncmp(name, "项目支出", pl) == 0) {
				v = sum_funds(row->project);
			} else {
				return false;
			}
			found = true;
		}
		if (!found)
			return false;
	}
	*out = v;
	return true;
}

static const char *money_text(arena *a, decimal v)
{
	char s[32];
	dec_format(v, 2, s);
	return arena_printf(a, "%s万元", s);
}

static bool last_value(const model_budget *b, const char *name, decimal *out)
{
	for (size_t i = 0; i < b->nlast; i++) {
		if (strcmp(b->last_names[i], name) == 0) {
			*out = b->last_values[i];
			return true;
		}
	}
	return false;
}

const char *budget_figure_text(arena *a, const model_department *m, const char *ref)
{
	const char *name = normalize_name(a, ref);
	decimal v;
	if (strcmp(name, "年度") == 0)
		return arena_printf(a, "%d", m->year);
	if (strcmp(name, "上年度") == 0)
		return arena_printf(a, "%d", m->year - 1);
	if (strncmp(name, "上年:", strlen("上年:")) == 0)
		return last_value(&m->budget, name + strlen("上年:"), &v) ? money_text(a, v) : NULL;
	if (strncmp(name, "增减:", strlen("增减:")) == 0) {
		decimal now, before, diff;
		const char *what = name + strlen("增减:");
		if (!figure_value(m, what, &now) || !last_value(&m->budget, what, &before) ||
		    !dec_sub(now, before, &diff))
			return NULL;
		if (diff.micros == 0)
			return "持平";
		if (diff.micros < 0)
			diff.micros = -diff.micros;
		return arena_printf(a, "%s%s", dec_cmp(now, before) > 0 ? "增加" : "减少",
		                    money_text(a, diff));
	}
	return figure_value(m, name, &v) ? money_text(a, v) : NULL;
}

/* Replaces each {名称} of a paragraph; reports unknown names at the brace. */
static const char *substitute(bresolver *r, const ast_str *para)
{
	buf out = {0};
	const char *s = para->s;
	while (*s) {
		const char *open = strchr(s, '{');
		const char *fopen = strstr(s, "｛");
		size_t olen = 1;
		if (fopen && (!open || fopen < open))
			open = fopen, olen = 3;
		if (!open) {
			buf_puts(&out, s);
			break;
		}
		buf_put(&out, s, (size_t)(open - s));
		const char *close = strchr(open + olen, '}');
		const char *fclose = strstr(open + olen, "｝");
		size_t clen = 1;
		if (fclose && (!close || fclose < close))
			close = fclose, clen = 3;
		srcloc at = para->loc;
		at.col += (int)utf8_count(para->s, (size_t)(open - para->s));
		if (!close) {
			diag_report(r->d, at, D_REF_UNCLOSED);
			buf_puts(&out, open);
			break;
		}
		char *name = arena_strndup(r->a, open + olen, (size_t)(close - open - olen));
		/* a full-width colon inside a reference is the same as ':' */
		for (char *c; (c = strstr(name, "：")) != NULL;)
			memmove(c + 1, c + 3, strlen(c + 3) + 1), *c = ':';
		const char *text = budget_figure_text(r->a, r->m, name);
		if (!text) {
			const char *n = normalize_name(r->a, name);
			if (strncmp(n, "上年:", strlen("上年:")) == 0 || strncmp(n, "增减:", strlen("增减:")) == 0)
				diag_report(r->d, at, D_REF_NO_LAST_YEAR, name, strchr(n, ':') + 1);
			else
				diag_report(r->d, at, D_REF_UNKNOWN, name);
			buf_put(&out, open, (size_t)(close + clen - open));
		} else {
			buf_puts(&out, text);
		}
		s = close + clen;
	}
	const char *res = arena_strdup(r->a, out.data ? out.data : "");
	buf_free(&out);
	return res;
}

/* Figures typed into the prose ("859.23万元") that match nothing the tables compute. */
static void check_literal_figures(bresolver *r, const ast_str *para)
{
	static const char *const names[] = {
		"收入总计", "本年收入合计", "上年结转", "支出总计", "基本支出", "项目支出", "人员经费",
		"公用经费", "三公经费", "因公出国费", "公务用车费", "政府采购", "固定资产总额",
	};
	const char *s = para->s;
	for (const char *p = s; *p; p++) {
		if (*p == '{') { /* skip references */
			const char *c = strchr(p, '}');
			if (!c)
				return;
			p = c;
			continue;
		}
		if (!(*p >= '0' && *p <= '9') || (p > s && ((p[-1] >= '0' && p[-1] <= '9') || p[-1] == '.')))
			continue;
		const char *e = p;
		while ((*e >= '0' && *e <= '9') || *e == '.')
			e++;
		if (strncmp(e, "万元", strlen("万元")) != 0)
			continue;
		decimal v;
		if (dec_parse(p, (size_t)(e - p), &v, NULL) != DEC_OK)
			continue;
		bool known = false;
		decimal x;
		const char *ref = NULL; /* the reference that computes this figure */
		for (size_t i = 0; i < sizeof names / sizeof names[0] && !known; i++)
			if ((known = figure_value(r->m, names[i], &x) && dec_cmp(x, v) == 0))
				ref = names[i];
		for (int f = 0; f < FUND_COUNT && !known; f++)
			if ((known = r->b->income[f].present && dec_cmp(r->b->income[f].value, v) == 0))
				ref = f < FUND_CARRY_GENERAL ? income_ref_names[f] : "上年结转";
		if (ref && !dec_is_zero(v)) {
			srcloc at = para->loc;
			at.col += (int)utf8_count(s, (size_t)(p - s));
			diag_report(r->d, at, D_PROSE_LITERAL_REF,
			            arena_printf(r->a, "%.*s万元", (int)(e - p), p), ref);
		}
		for (size_t i = 0; i < r->b->nfunc && !known; i++) {
			decimal t = sum_funds(r->b->func[i].basic);
			add_to(&t, sum_funds(r->b->func[i].project));
			known = dec_cmp(t, v) == 0;
		}
		for (size_t i = 0; i < r->b->nlast && !known; i++) {
			decimal now, diff;
			known = dec_cmp(r->b->last_values[i], v) == 0 ||
			        (figure_value(r->m, r->b->last_names[i], &now) &&
			         dec_sub(now, r->b->last_values[i], &diff) &&
			         (dec_cmp(diff, v) == 0 || diff.micros == -v.micros));
		}
		for (int k = 0; k < THREE_COUNT && !known; k++)
			for (int f = 0; f < 3 && !known; f++)
				known = dec_cmp(r->b->three[k][f], v) == 0;
		if (!known && !dec_is_zero(v)) {
			srcloc at = para->loc;
			at.col += (int)utf8_count(s, (size_t)(p - s));
			diag_report(r->d, at, D_PROSE_FIGURE, arena_strndup(r->a, p, (size_t)(e - p)));
		}
		p = e - 1;
	}
}

/* The name inside a reference that starts at s ("{增减:支出总计}" → "增减:支出总计"), normalised,
 * and the end of the reference; NULL when s does not start one. */
static const char *ref_at(bresolver *r, const char *s, const char **end)
{
	size_t olen = *s == '{' ? 1 : strncmp(s, "｛", 3) == 0 ? 3 : 0;
	if (!olen)
		return NULL;
	const char *c1 = strchr(s + olen, '}'), *c2 = strstr(s + olen, "｝");
	const char *close = c1 && (!c2 || c1 < c2) ? c1 : c2;
	if (!close)
		return NULL;
	*end = close + (close == c1 ? 1 : 3);
	char *name = arena_strndup(r->a, s + olen, (size_t)(close - s - olen));
	for (char *c; (c = strstr(name, "：")) != NULL;)
		memmove(c + 1, c + 3, strlen(c + 3) + 1), *c = ':';
	return normalize_name(r->a, name);
}

/* Growth stated from a zero base, and direction words against the computed change: a rate
 * ("增长100%") after a reference whose 【上年】 figure is 0; "增加"/"减少"/"持平" in the clause
 * of a {增减:…} whose figures say otherwise. */
static void check_changes(bresolver *r, const ast_str *para)
{
	static const char *const up[] = {"增加", "增长", "上升", "提高"};
	static const char *const down[] = {"减少", "下降", "降低"};
	static const char *const flat[] = {"持平", "无增减变化", "没有变化", "无变化"};
	const char *s = para->s;
	const char *last_ref = NULL; /* name of the last reference before here */
	for (const char *p = s; *p;) {
		const char *end;
		const char *name = ref_at(r, p, &end);
		if (name) {
			last_ref = name;
			if (strncmp(name, "增减:", strlen("增减:")) == 0) {
				const char *what = name + strlen("增减:");
				decimal now, before, diff;
				if (figure_value(r->m, what, &now) && last_value(r->b, what, &before) &&
				    dec_sub(now, before, &diff)) {
					int sign = diff.micros > 0 ? 1 : diff.micros < 0 ? -1 : 0;
					/* the words up to the end of the clause */
					const char *stop = end;
					while (*stop && strncmp(stop, "。", 3) != 0 && strncmp(stop, "；", 3) != 0 &&
					       strncmp(stop, "，其中", 9) != 0)
						stop++;
					for (const char *q = end; q < stop; q++) {
						const char *word = NULL;
						int wsign = 0;
						for (size_t k = 0; k < 4 && !word; k++)
							if (strncmp(q, up[k], strlen(up[k])) == 0)
								word = up[k], wsign = 1;
						for (size_t k = 0; k < 3 && !word; k++)
							if (strncmp(q, down[k], strlen(down[k])) == 0)
								word = down[k], wsign = -1;
						for (size_t k = 0; k < 4 && !word; k++)
							if (strncmp(q, flat[k], strlen(flat[k])) == 0)
								word = flat[k], wsign = 0;
						if (word && wsign != sign) {
							const char *said = budget_figure_text(r->a, r->m, name);
							diag_report(r->d, prose_loc(para, (size_t)(q - s)), D_PROSE_DIRECTION, word,
							            said ? said : "");
							break;
						}
						if (word)
							break;
					}
				}
			}
			p = end;
			continue;
		}
		if (last_ref && (strncmp(p, "增长", 6) == 0 || strncmp(p, "增加", 6) == 0 || strncmp(p, "提高", 6) == 0)) {
			const char *q = p + 6, *num = q;
			while ((*q >= '0' && *q <= '9') || *q == '.')
				q++;
			if (q > num && (*q == '%' || strncmp(q, "％", 3) == 0)) {
				const char *what = strchr(last_ref, ':') ? strchr(last_ref, ':') + 1 : last_ref;
				decimal before;
				if (last_value(r->b, what, &before) && dec_is_zero(before))
					diag_report(r->d, prose_loc(para, (size_t)(p - s)), D_PROSE_ZERO_BASE,
					            arena_strndup(r->a, p, (size_t)(q - p) + (*q == '%' ? 1 : 3)), what);
			}
		}
		p++;
	}
}

/* 【情况说明】: a part name starts a block of paragraphs. Resolved after the figures exist. */
static void notes_section(bresolver *r, const ast_section *s, const ast_str **paras[NOTE_COUNT],
                          size_t npara[NOTE_COUNT], size_t caps[NOTE_COUNT])
{
	int part = -1;
	for (size_t i = 0; i < s->nlines; i++) {
		const ast_line *l = &s->lines[i];
		int k = l->key.s ? name_lookup(r->a, budget_note_names, NOTE_COUNT, l->key.s) : -1;
		if (k >= 0) {
			part = k;
			if (l->value.s && *l->value.s) {
				const ast_str **slot = vec_push(r->a, &paras[k], &npara[k], &caps[k], sizeof *slot);
				*slot = &l->value;
			}
			continue;
		}
		if (part < 0) {
			diag_report(r->d, l->loc, D_BUDGET_TEXT, "情况说明",
			            arena_printf(r->a, "某一部分的段落，前面先写部分名称（%s）加冒号",
			                         name_list(r->a, budget_note_names, NOTE_COUNT)));
			continue;
		}
		const ast_str **slot = vec_push(r->a, &paras[part], &npara[part], &caps[part], sizeof *slot);
		*slot = &l->text;
	}
}

/* ---- identities -------------------------------------------------------------------------------- */

static void check_identities(bresolver *r)
{
	model_budget *b = r->b;
	decimal spent[FUND_COUNT] = {{0}};
	for (size_t i = 0; i < b->nfunc; i++) {
		if (b->func[i].level != 3)
			continue;
		for (int f = 0; f < FUND_COUNT; f++) {
			add_to(&spent[f], b->func[i].basic[f]);
			add_to(&spent[f], b->func[i].project[f]);
		}
	}
	for (int f = 0; f < FUND_COUNT; f++) {
		decimal in = b->income[f].present ? b->income[f].value : (decimal){0};
		if (dec_cmp(in, spent[f]) == 0)
			continue;
		char a1[32], a2[32];
		dec_format(in, 2, a1);
		dec_format(spent[f], 2, a2);
		srcloc at = r->income_seen[f] ? r->income_loc[f] : r->income_section;
		diag_report(r->d, at, D_IDENTITY_FUND, model_fund_name((fund_source)f), a1,
		            model_fund_name((fund_source)f), a2);
		if (dec_cmp(b->income_total, b->expense_total) != 0) {
			char t1[32], t2[32];
			dec_format(b->income_total, 2, t1);
			dec_format(b->expense_total, 2, t2);
			diag_report(r->d, at, D_NOTE_TOTALS, t1, t2);
		}
	}
	if (r->has_basic) {
		decimal general_basic = {0};
		for (size_t i = 0; i < b->nfunc; i++)
			if (b->func[i].level == 3) {
				add_to(&general_basic, b->func[i].basic[FUND_GENERAL]);
				add_to(&general_basic, b->func[i].basic[FUND_CARRY_GENERAL]);
			}
		if (dec_cmp(general_basic, r->basic_table_total) != 0) {
			char a1[32], a2[32];
			dec_format(r->basic_table_total, 2, a1);
			dec_format(general_basic, 2, a2);
			diag_report(r->d, r->basic_section, D_IDENTITY_BASIC, a1, a2);
		}
	}
}

/* ---- driver ------------------------------------------------------------------------------------- */

void budget_resolve(arena *a, diag_ctx *d, const ast_department *ast, const catalog *cat,
                    model_department *m)
{
	if (!ast->nsections)
		return;
	bresolver r = {.a = a, .d = d, .cat = cat, .m = m, .b = &m->budget};
	r.b->present = true;
	item_project *items = NULL;
	size_t nitems = 0, cap = 0;
	const ast_str **paras[NOTE_COUNT] = {NULL};
	size_t npara[NOTE_COUNT] = {0}, caps[NOTE_COUNT] = {0};
	const ast_section *notes[64];
	size_t nnotes = 0;
	for (size_t i = 0; i < ast->nsections; i++) {
		const ast_section *s = &ast->sections[i];
		switch ((section_kind)s->kind) {
		case SEC_INCOME: income_section(&r, s); break;
		case SEC_EXPENSE: expense_section(&r, s, &items, &nitems, &cap); break;
		case SEC_BASIC: basic_section(&r, s); break;
		case SEC_THREE: three_section(&r, s); break;
		case SEC_PROCURE: procure_section(&r, s); break;
		case SEC_ASSETS: assets_section(&r, s); break;
		case SEC_ORGS: orgs_section(&r, s); break;
		case SEC_LASTYEAR: lastyear_section(&r, s); break;
		case SEC_NOTES:
			if (nnotes < sizeof notes / sizeof notes[0])
				notes[nnotes++] = s;
			break;
		case SEC_UNKNOWN:
		case SEC_OVERALL:
		case SEC_PROJECT:
		case SEC_COUNT: break;
		}
	}
	roll_up_func(&r, items, nitems);
	if (cat) {
		model_summary_row *rows = arena_alloc(a, (cat->nsummary + 1) * sizeof *rows);
		for (size_t i = 0; i < cat->nsummary; i++)
			rows[i] = (model_summary_row){cat->summary[i].ordinal, cat->summary[i].code,
			                              cat->summary[i].name};
		r.b->summary = rows;
		r.b->nsummary = cat->nsummary;
	}
	for (int f = 0; f < FUND_COUNT; f++)
		if (r.b->income[f].present)
			add_to(&r.b->income_total, r.b->income[f].value);
	for (size_t i = 0; i < r.b->nfunc; i++) {
		if (r.b->func[i].level != 3)
			continue;
		add_to(&r.b->basic_total, sum_funds(r.b->func[i].basic));
		add_to(&r.b->project_total, sum_funds(r.b->func[i].project));
	}
	r.b->expense_total = r.b->basic_total;
	add_to(&r.b->expense_total, r.b->project_total);
	check_identities(&r);
	/* the prose, once every figure is known */
	for (size_t i = 0; i < nnotes; i++)
		notes_section(&r, notes[i], paras, npara, caps);
	for (int k = 0; k < NOTE_COUNT; k++) {
		const char **texts = arena_alloc(a, (npara[k] + 1) * sizeof *texts);
		for (size_t i = 0; i < npara[k]; i++) {
			check_literal_figures(&r, paras[k][i]);
			check_changes(&r, paras[k][i]);
			prose_check_words(a, d, paras[k][i]);
			texts[i] = substitute(&r, paras[k][i]);
		}
		r.b->notes[k] = texts;
		r.b->nnotes[k] = npara[k];
	}
}
