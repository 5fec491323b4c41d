/* budget_in.c — the nine budget tables, 机构设置, 政府采购 and 固定资产 back into the budget-data
 * sections of docs/language.md §6: only the finest figures (项 by 基本/项目 and source, 经济分类款),
 * which the front end adds up again; the table columns are found by their header labels. */
#include "import/import_int.h"

#include <string.h>

#include "base/decimal.h"

btable imp_budget_kind(const char *t)
{
	if (strstr(t, "绩效目标"))
		return BT_NONE;
	if (strstr(t, "财政拨款收支总表"))
		return BT_FIN_SUMMARY;
	if (strstr(t, "收支总表"))
		return BT_SUMMARY;
	if (strstr(t, "收入总表"))
		return BT_INCOME;
	if (strstr(t, "支出总表"))
		return BT_EXPENSE;
	if (strstr(t, "一般公共预算财政拨款基本支出表") || strstr(t, "基本支出表"))
		return BT_BASIC;
	if (strstr(t, "一般公共预算财政拨款支出表"))
		return BT_GENERAL;
	if (strstr(t, "政府性基金预算财政拨款支出表"))
		return BT_GOVFUND;
	if (strstr(t, "国有资本经营预算财政拨款支出表"))
		return BT_STATECAP;
	if (strstr(t, "三公") && strstr(t, "支出表"))
		return BT_THREE;
	if (strstr(t, "机构设置"))
		return BT_ORGS;
	if (strstr(t, "政府采购预算表"))
		return BT_PROCUREMENT;
	if (strstr(t, "固定资产占用"))
		return BT_ASSETS;
	return BT_NONE;
}

/* ---- reading a table by its labels --------------------------------------------------------------- */

/* "一、一般公共服务支出" → "一般公共服务支出"; "其中：公务用车购置费" → "公务用车购置费"; no spaces */
static const char *bare(arena *a, const char *s)
{
	static const char *const cn = "一二三四五六七八九十";
	const char *k = imp_key(a, s);
	const char *p = k;
	while (p[0] && (unsigned char)p[0] >= 0xE0 && strstr(cn, (char[4]){p[0], p[1], p[2], 0}))
		p += 3;
	while (*p >= '0' && *p <= '9')
		p++;
	if (p > k && (strncmp(p, "、", 3) == 0 || strncmp(p, "．", 3) == 0))
		k = p + 3;
	else if (p > k && *p == '.')
		k = p + 1;
	if (strncmp(k, "其中：", 9) == 0)
		k += 9;
	return k;
}

/* The column of the first header cell whose label is `label` (rows before the first data row);
 * ncols when none. */
static size_t col_of(arena *a, const imp_block *b, size_t rows, const char *label)
{
	for (size_t r = 0; r < rows && r < b->nrows; r++)
		for (size_t c = 0; c < b->ncols; c++) {
			const imp_cell *x = imp_at(b, r, c);
			if (x->cover == COVER_NONE && *x->text && strcmp(bare(a, x->text), label) == 0)
				return c;
		}
	return b->ncols;
}

static bool all_digits(const char *s, size_t n)
{
	size_t k = 0;
	for (; s[k]; k++)
		if (s[k] < '0' || s[k] > '9')
			return false;
	return k == n || n == 0 ? k > 0 : false;
}

static decimal amount_at(const imp_block *b, size_t r, size_t c)
{
	decimal v = dec_from_int(0);
	if (c >= b->ncols)
		return v;
	const char *t = imp_at(b, r, c)->text;
	buf clean = {0};
	for (; *t; t++)
		if (*t != ',')
			buf_putc(&clean, *t);
	if (clean.len && dec_parse(clean.data, clean.len, &v, NULL) != DEC_OK)
		v = dec_from_int(0);
	buf_free(&clean);
	return v;
}

static const char *text(arena *a, decimal v)
{
	char s[32];
	dec_format(v, 2, s);
	return arena_strdup(a, s);
}

static decimal dmin(decimal x, decimal y)
{
	return dec_cmp(x, y) < 0 ? x : y;
}

static decimal sub(decimal x, decimal y)
{
	decimal r;
	if (!dec_sub(x, y, &r))
		r = dec_from_int(0);
	return r;
}

static decimal add(decimal x, decimal y)
{
	decimal r;
	if (!dec_add(x, y, &r))
		r = x;
	return r;
}

static bool positive(decimal x)
{
	return dec_cmp(x, dec_from_int(0)) > 0;
}

/* A functional-classification table: its code column and, for each 项 code, the row. */
typedef struct ftable {
	const imp_block *b;
	size_t code, name, first;
} ftable;

static ftable ftable_of(arena *a, const imp_block *b)
{
	ftable f = {.b = b};
	if (!b)
		return f;
	f.code = col_of(a, b, b->nrows, "科目编码");
	f.name = col_of(a, b, b->nrows, "科目名称");
	f.first = b->nrows;
	for (size_t r = 0; r < b->nrows && f.code < b->ncols; r++)
		if (all_digits(imp_at(b, r, f.code)->text, 0)) {
			f.first = r;
			break;
		}
	return f;
}

static size_t row_of(const ftable *f, const char *code)
{
	if (!f->b || f->code >= f->b->ncols)
		return (size_t)-1;
	for (size_t r = f->first; r < f->b->nrows; r++)
		if (strcmp(imp_at(f->b, r, f->code)->text, code) == 0)
			return r;
	return (size_t)-1;
}

static decimal value(arena *a, const ftable *f, const char *code, const char *label)
{
	size_t r = row_of(f, code);
	if (r == (size_t)-1)
		return dec_from_int(0);
	return amount_at(f->b, r, col_of(a, f->b, f->first, label));
}

/* The income sources of the 收支总表 and the fund name the source language gives them. */
static const struct { const char *label, *fund; } income_labels[] = {
	{"一般公共预算拨款收入", "一般公共预算"}, {"政府性基金预算拨款收入", "政府性基金"},
	{"国有资本经营预算拨款收入", "国有资本经营"}, {"财政专户管理资金收入", "财政专户"}, {"事业收入", "事业"},
	{"事业单位经营收入", "事业单位经营"}, {"上级补助收入", "上级补助"}, {"附属单位上缴收入", "附属单位上缴"},
	{"其他收入", "其他"},
};

/* The value right of the first cell labelled `label` at or after row `from`. */
static bool labelled(arena *a, const imp_block *b, size_t from, const char *label, decimal *v, size_t *row)
{
	if (!b)
		return false;
	for (size_t r = from; r < b->nrows; r++)
		for (size_t c = 0; c + 1 < b->ncols; c++) {
			const imp_cell *x = imp_at(b, r, c);
			if (x->cover == COVER_NONE && *x->text && strcmp(bare(a, x->text), label) == 0) {
				size_t k = c + 1;
				while (k < b->ncols && imp_at(b, r, k)->cover != COVER_NONE)
					k++;
				*v = amount_at(b, r, k);
				if (row)
					*row = r;
				return true;
			}
		}
	return false;
}

/* ---- the sections ------------------------------------------------------------------------------ */

enum { CARRY_GENERAL, CARRY_GOVFUND, CARRY_STATECAP, CARRY_OTHER, NCARRY };
static const char *const carry_names[NCARRY] = {"上年结转", "上年结转（政府性基金）", "上年结转（国有资本经营）",
                                                "上年结转（其他）"};

static void write_income(idept *d, buf *out, decimal carry[NCARRY])
{
	arena *a = d->a;
	const imp_block *s = d->btables[BT_SUMMARY];
	for (int i = 0; i < NCARRY; i++)
		carry[i] = dec_from_int(0);
	if (!s)
		return;
	buf_puts(out, "\n【收入】\n");
	for (size_t i = 0; i < sizeof income_labels / sizeof *income_labels; i++) {
		decimal v;
		if (labelled(a, s, 0, income_labels[i].label, &v, NULL) && positive(v))
			buf_printf(out, "%s：%s\n", income_labels[i].fund, text(a, v));
	}
	decimal total = dec_from_int(0);
	labelled(a, s, 0, "上年结转结余", &total, NULL);
	const imp_block *fs = d->btables[BT_FIN_SUMMARY];
	size_t from = 0;
	decimal dummy;
	if (fs && labelled(a, fs, 0, "年初财政拨款结转和结余", &dummy, &from)) {
		static const char *const labels[3] = {"一般公共预算拨款", "政府性基金预算拨款", "国有资本经营预算拨款"};
		for (int i = 0; i < 3; i++)
			labelled(a, fs, from + 1, labels[i], &carry[i], NULL);
	} else {
		carry[CARRY_GENERAL] = total;
	}
	carry[CARRY_OTHER] = sub(total, add(add(carry[0], carry[1]), carry[2]));
	for (int i = 0; i < NCARRY; i++)
		if (positive(carry[i]))
			buf_printf(out, "%s：%s\n", carry_names[i], text(a, carry[i]));
}

static void line(buf *out, const char *code, const char *name, const char *kind, const char *fund, decimal v,
                 arena *a)
{
	if (positive(v))
		buf_printf(out, "%s｜%s｜%s｜%s｜%s\n", code, name, kind, fund, text(a, v));
}

/* 【支出】: each 项 of the 支出总表 split by 基本/项目 and source: the three 财政拨款 tables give the
 * appropriations, the 收入总表 the 上年结转 and the other sources of the 项. Where the tables do not
 * tell (which part of a 项's 上年结转 is 基本 and which 项目), 项目 comes first: any split gives the
 * same tables. */
static void write_expense(idept *d, buf *out, decimal carry_left[NCARRY])
{
	arena *a = d->a;
	ftable ex = ftable_of(a, d->btables[BT_EXPENSE]), in = ftable_of(a, d->btables[BT_INCOME]),
	       ge = ftable_of(a, d->btables[BT_GENERAL]), gf = ftable_of(a, d->btables[BT_GOVFUND]),
	       sc = ftable_of(a, d->btables[BT_STATECAP]);
	if (!ex.b || ex.code >= ex.b->ncols)
		return;
	buf_puts(out, "\n【支出】\n");
	static const char *const other_labels[] = {"财政专户收入", "事业收入", "经营收入", "上级补助收入",
	                                           "附属单位上缴收入", "其他收入"};
	static const char *const other_funds[] = {"财政专户", "事业", "事业单位经营", "上级补助", "附属单位上缴", "其他"};
	for (size_t r = ex.first; r < ex.b->nrows; r++) {
		const char *code = imp_at(ex.b, r, ex.code)->text;
		if (!all_digits(code, 7))
			continue;
		const char *name = ex.name < ex.b->ncols ? imp_clean(a, imp_at(ex.b, r, ex.name)->text) : "";
		decimal B = amount_at(ex.b, r, col_of(a, ex.b, ex.first, "基本支出"));
		decimal P = amount_at(ex.b, r, col_of(a, ex.b, ex.first, "项目支出"));
		decimal app[3][2] = {
			{value(a, &ge, code, "基本支出"), value(a, &ge, code, "项目支出")},
			{value(a, &gf, code, "基本支出"), value(a, &gf, code, "项目支出")},
			{value(a, &sc, code, "基本支出"), value(a, &sc, code, "项目支出")},
		};
		decimal C = value(a, &in, code, "上年结转");
		/* the 上年结转 of the 项 by fund (as far as each appropriation and the fund's total allow),
		 * 项目 first */
		decimal cur[3][2], car[3][2];
		for (int f = 0; f < 3; f++) {
			decimal c = dmin(dmin(C, add(app[f][0], app[f][1])), carry_left[f]);
			C = sub(C, c);
			carry_left[f] = sub(carry_left[f], c);
			car[f][1] = dmin(c, app[f][1]);
			car[f][0] = sub(c, car[f][1]);
			cur[f][0] = sub(app[f][0], car[f][0]);
			cur[f][1] = sub(app[f][1], car[f][1]);
		}
		/* what the 财政拨款 tables do not hold: the other sources and the other 上年结转 */
		decimal rest[2] = {sub(sub(sub(B, app[0][0]), app[1][0]), app[2][0]),
		                   sub(sub(sub(P, app[0][1]), app[1][1]), app[2][1])};
		decimal src[7];
		const char *src_fund[7];
		src[0] = C;
		src_fund[0] = carry_names[CARRY_OTHER];
		for (int i = 0; i < 6; i++) {
			src[i + 1] = value(a, &in, code, other_labels[i]);
			src_fund[i + 1] = other_funds[i];
		}
		decimal part[7][2];
		for (int i = 0; i < 7; i++) {
			part[i][0] = dmin(src[i], rest[0]);
			rest[0] = sub(rest[0], part[i][0]);
			part[i][1] = dmin(sub(src[i], part[i][0]), rest[1]);
			rest[1] = sub(rest[1], part[i][1]);
		}
		static const char *const kinds[2] = {"基本", "项目"};
		static const char *const app_funds[3] = {"", "政府性基金", "国有资本经营"};
		for (int k = 0; k < 2; k++) {
			for (int f = 0; f < 3; f++) {
				line(out, code, name, kinds[k], app_funds[f], cur[f][k], a);
				line(out, code, name, kinds[k], carry_names[f], car[f][k], a);
			}
			for (int i = 0; i < 7; i++)
				line(out, code, name, kinds[k], src_fund[i], part[i][k], a);
		}
	}
}

static void write_basic(idept *d, buf *out)
{
	arena *a = d->a;
	ftable f = ftable_of(a, d->btables[BT_BASIC]);
	if (!f.b || f.code >= f.b->ncols)
		return;
	size_t cp = col_of(a, f.b, f.first, "人员经费"), co = col_of(a, f.b, f.first, "公用经费");
	buf_puts(out, "\n【基本支出】\n");
	for (size_t r = f.first; r < f.b->nrows; r++) {
		const char *code = imp_at(f.b, r, f.code)->text;
		if (!all_digits(code, 5))
			continue;
		const char *name = f.name < f.b->ncols ? imp_clean(a, imp_at(f.b, r, f.name)->text) : "";
		decimal p = amount_at(f.b, r, cp), o = amount_at(f.b, r, co);
		if (positive(p))
			buf_printf(out, "%s｜%s｜人员经费｜%s\n", code, name, text(a, p));
		if (positive(o))
			buf_printf(out, "%s｜%s｜公用经费｜%s\n", code, name, text(a, o));
	}
}

static void write_three(idept *d, buf *out)
{
	arena *a = d->a;
	const imp_block *b = d->btables[BT_THREE];
	if (!b)
		return;
	static const struct { const char *label, *name; } items[] = {
		{"教学科研人员因公出国（境）费", "教学科研人员因公出国费"}, {"其他因公出国（境）费", "其他因公出国费"},
		{"公务用车购置费", "公务用车购置费"}, {"公务用车运行维护费", "公务用车运行维护费"}, {"公务接待费", "公务接待费"},
	};
	size_t cols[3] = {col_of(a, b, b->nrows, "一般公共预算财政拨款"), col_of(a, b, b->nrows, "政府性基金预算拨款"),
	                  col_of(a, b, b->nrows, "国有资本经营预算财政拨款")};
	if (cols[1] >= b->ncols)
		cols[1] = col_of(a, b, b->nrows, "政府性基金预算财政拨款");
	buf_puts(out, "\n【三公经费】\n");
	for (size_t i = 0; i < sizeof items / sizeof *items; i++) {
		const char *v[3] = {"", "", ""};
		for (size_t r = 0; r < b->nrows; r++)
			for (size_t c = 0; c < b->ncols; c++)
				if (imp_at(b, r, c)->cover == COVER_NONE && strcmp(bare(a, imp_at(b, r, c)->text), items[i].label) == 0)
					for (int k = 0; k < 3; k++)
						if (cols[k] < b->ncols && *imp_at(b, r, cols[k])->text)
							v[k] = text(a, amount_at(b, r, cols[k]));
		if (*v[1] || *v[2])
			buf_printf(out, "%s：%s｜%s｜%s\n", items[i].name, v[0], v[1], v[2]);
		else
			buf_printf(out, "%s：%s\n", items[i].name, v[0]);
	}
}

static void write_assets(idept *d, buf *out)
{
	arena *a = d->a;
	const imp_block *b = d->btables[BT_ASSETS];
	if (!b)
		return;
	size_t cq = col_of(a, b, b->nrows, "数量"), cv = b->ncols;
	for (size_t r = 0; r < b->nrows && cv == b->ncols; r++)
		for (size_t c = 0; c < b->ncols; c++)
			if (strncmp(bare(a, imp_at(b, r, c)->text), "价值", 6) == 0)
				cv = c;
	static const struct { const char *prefix, *name; } items[] = {
		{"房屋", "房屋"}, {"办公用房", "办公用房"}, {"车辆", "车辆"}, {"单价在20万元以上的设备", "单价20万元以上设备"},
		{"单价20万元以上设备", "单价20万元以上设备"}, {"其他固定资产", "其他固定资产"},
	};
	buf_puts(out, "\n【固定资产】\n");
	if (d->assets_date)
		buf_printf(out, "截止时间：%s\n", d->assets_date);
	for (size_t r = 1; r < b->nrows; r++) {
		const char *k = bare(a, imp_at(b, r, 0)->text);
		for (size_t i = 0; i < sizeof items / sizeof *items; i++)
			if (strncmp(k, items[i].prefix, strlen(items[i].prefix)) == 0) {
				const char *q = cq < b->ncols ? imp_clean(a, imp_at(b, r, cq)->text) : "";
				const char *v = cv < b->ncols ? imp_clean(a, imp_at(b, r, cv)->text) : "";
				if (*q || *v)
					buf_printf(out, "%s：%s｜%s\n", items[i].name, q, v);
				break;
			}
	}
}

static void write_orgs(idept *d, buf *out)
{
	arena *a = d->a;
	const imp_block *b = d->btables[BT_ORGS];
	if (!b)
		return;
	size_t c0 = col_of(a, b, b->nrows, "单位名称");
	if (c0 >= b->ncols)
		return;
	buf_puts(out, "\n【机构设置】\n");
	bool header = true;
	for (size_t r = 0; r < b->nrows; r++) {
		if (header) {
			header = strcmp(bare(a, imp_at(b, r, c0)->text), "单位名称") != 0 ? header : false;
			continue;
		}
		size_t c = c0, k = 0;
		buf row = {0};
		for (; c < b->ncols && k < 4; c++) {
			if (imp_at(b, r, c)->cover == COVER_H)
				continue;
			if (k++)
				buf_puts(&row, "｜");
			buf_puts(&row, imp_clean(a, imp_at(b, r, c)->text));
		}
		if (row.len > 9)
			buf_printf(out, "%s\n", row.data);
		buf_free(&row);
	}
}

void imp_budget_write(idept *d, buf *out)
{
	decimal carry[NCARRY];
	write_income(d, out, carry);
	write_expense(d, out, carry);
	write_basic(d, out);
	write_three(d, out);
	const imp_block *pr = d->btables[BT_PROCUREMENT];
	if (pr && pr->nrows > 2) {
		bool data = false;
		for (size_t r = 2; r < pr->nrows; r++)
			for (size_t c = 0; c < pr->ncols; c++)
				if (imp_at(pr, r, c)->cover == COVER_NONE && *imp_at(pr, r, c)->text)
					data = true;
		if (data)
			imp_note(d, &d->notes, "导入：政府采购预算表有数据，但导入还不会读它：请在【政府采购】中照表录入");
	}
	write_assets(d, out);
	write_orgs(d, out);
}
