/* revdiff.c — the revision report (revdiff.h). Owns how figures are matched between two versions
 * of a department: totals by name, table cells by (table title, row label, column header) in the
 * composed booklet, projects by name, indicators by their 一级/二级/三级 names, prose figures by
 * paragraph and position when the words around them are unchanged.
 * Map: numbers · collecting changes · departments · tables · projects · prose · text · workbook. */
#define _GNU_SOURCE /* memfd_create */
#include "batch/revdiff.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xlsxwriter.h>

#include "doc/compose.h"
#include "base/diag.h"
#include "doc/layouts.h"
#include "front/load.h"

/* ---- numbers ------------------------------------------------------------------------------------ */

/* Decimal places written in a number's text ("10.50" → 2). */
static int places_of(const char *s, size_t n)
{
	const char *dot = memchr(s, '.', n);
	return dot ? (int)(n - (size_t)(dot - s) - 1) : 0;
}

/* The number in s[0..n) when it is one (digits, at most one point, ≤ 6 decimals). */
static bool number_of(const char *s, size_t n, decimal *v)
{
	return n && dec_parse(s, n, v, NULL) == DEC_OK;
}

/* ---- collecting changes --------------------------------------------------------------------------- */

typedef struct ctx {
	rev_report *r;
	const char *dept;
	bool figures_only;
} ctx;

static void add(ctx *c, const char *where, const char *item, const char *old_text,
                const char *new_text)
{
	rev_report *r = c->r;
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 64;
		r->changes = xrealloc(r->changes, r->cap * sizeof *r->changes);
	}
	rev_change *ch = &r->changes[r->n++];
	memset(ch, 0, sizeof *ch);
	ch->dept = c->dept;
	ch->where = arena_strdup(r->a, where);
	ch->item = arena_strdup(r->a, item);
	ch->old_text = arena_strdup(r->a, old_text ? old_text : "");
	ch->new_text = arena_strdup(r->a, new_text ? new_text : "");
	decimal a = {0}, b = {0};
	bool na = !*ch->old_text || number_of(ch->old_text, strlen(ch->old_text), &a);
	bool nb = !*ch->new_text || number_of(ch->new_text, strlen(ch->new_text), &b);
	if (na && nb && (*ch->old_text || *ch->new_text) && dec_sub(b, a, &ch->diff)) {
		ch->numeric = true;
		int pa = places_of(ch->old_text, strlen(ch->old_text));
		int pb = places_of(ch->new_text, strlen(ch->new_text));
		ch->places = pa > pb ? pa : pb;
	}
}

/* Adds a change when the texts differ. */
static void compare(ctx *c, const char *where, const char *item, const char *old_text,
                    const char *new_text)
{
	if (strcmp(old_text ? old_text : "", new_text ? new_text : "") != 0)
		add(c, where, item, old_text, new_text);
}

/* A change of words: listed unless only figures are asked for. */
static void compare_text(ctx *c, const char *where, const char *item, const char *old_text,
                         const char *new_text)
{
	if (c->figures_only || strcmp(old_text ? old_text : "", new_text ? new_text : "") == 0)
		return;
	add(c, where, item, old_text, new_text);
	c->r->changes[c->r->n - 1].text = true;
	c->r->changes[c->r->n - 1].numeric = false;
}

/* A row that says 新增, 删除 or 改名 in words. */
static void add_kind(ctx *c, rev_kind kind, const char *where, const char *item, const char *old_text,
                     const char *new_text)
{
	add(c, where, item, old_text, new_text);
	c->r->changes[c->r->n - 1].kind = kind;
	c->r->changes[c->r->n - 1].numeric = false;
}

static const char *amount_text(arena *a, model_amount v)
{
	if (!v.present)
		return "";
	char s[32];
	dec_format(v.value, 2, s);
	return arena_strdup(a, s);
}

static const char *decimal_text(arena *a, decimal v)
{
	char s[32];
	dec_format(v, 2, s);
	return arena_strdup(a, s);
}

/* ---- tables --------------------------------------------------------------------------------------- */

/* A figure of a table, keyed by row label and column header. */
typedef struct cell_fig {
	const char *key;   /* "行 · 列" */
	const char *text;
} cell_fig;

typedef struct table_figs {
	const char *title;
	cell_fig *f;
	size_t n, cap;
} table_figs;

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

/* The cell covering (row, col), or NULL. */
static const doc_cell *cell_at(const doc_table *t, int row, int col)
{
	for (size_t i = 0; i < t->ncells; i++) {
		const doc_cell *c = &t->cells[i];
		if (row >= c->row && row < c->row + c->rowspan && col >= c->col && col < c->col + c->colspan)
			return c;
	}
	return NULL;
}

static bool row_has_number(const doc_table *t, int row)
{
	for (size_t i = 0; i < t->ncells; i++)
		if (t->cells[i].row == row && t->cells[i].numfmt != NUM_NONE)
			return true;
	return false;
}

/* Column headers: the header rows' texts over each column ("本年收入/财政拨款收入"), without the
 * 栏次 numbers; and which columns are row numbers (序号). */
static char **column_headers(arena *a, const doc_table *t, int header_rows, bool *serial)
{
	char **h = arena_alloc(a, sizeof *h * (size_t)(t->ncols ? t->ncols : 1));
	for (int col = 0; col < t->ncols; col++) {
		buf b = {0};
		const doc_cell *last = NULL;
		for (int row = 0; row < header_rows; row++) {
			const doc_cell *c = cell_at(t, row, col);
			if (!c || c == last || !*c->text || all_digits(c->text) || strcmp(c->text, "栏次") == 0)
				continue;
			last = c;
			if (strcmp(c->text, "序号") == 0)
				serial[col] = true;
			if (b.len)
				buf_putc(&b, '/');
			buf_puts(&b, c->text);
		}
		h[col] = arena_strdup(a, b.data ? b.data : "");
		buf_free(&b);
	}
	return h;
}

static void figs_add(table_figs *tf, arena *a, const char *key, const char *text)
{
	/* a key met before in this table (an unlabelled row) gets a number */
	const char *k = key;
	for (int dup = 2;; dup++) {
		bool seen = false;
		for (size_t i = 0; i < tf->n && !seen; i++)
			seen = strcmp(tf->f[i].key, k) == 0;
		if (!seen)
			break;
		k = arena_printf(a, "%s（%d）", key, dup);
	}
	if (tf->n == tf->cap) {
		tf->cap = tf->cap ? 2 * tf->cap : 64;
		tf->f = xrealloc(tf->f, tf->cap * sizeof *tf->f);
	}
	tf->f[tf->n++] = (cell_fig){k, text};
}

/* Whether a cell shows a figure: an amount or a percentage, or a number under 数量/单价 (written as
 * text). */
static bool is_figure(const doc_cell *c, const char *header)
{
	decimal v;
	return c->numfmt != NUM_NONE || ((strstr(header, "数量") || strstr(header, "单价")) &&
	                                 number_of(c->text, strlen(c->text), &v));
}

/* Every figure of a table. A column is a figure column when any body cell in it is a figure; a
 * figure's row label is the text of the label cells to its left since the previous figure column
 * (the 收支总表 has a 收入 and a 支出 side), or else the previous figure's label. */
static void table_figures(arena *a, const doc_table *t, table_figs *tf)
{
	tf->title = t->title ? t->title : t->kind;
	int header_rows = 0;
	while (header_rows < t->nrows && !row_has_number(t, header_rows))
		header_rows++;
	if (header_rows == t->nrows) /* a table without figures */
		return;
	size_t ncols = (size_t)(t->ncols ? t->ncols : 1);
	bool *serial = arena_alloc(a, sizeof *serial * ncols);
	bool *figure_col = arena_alloc(a, sizeof *figure_col * ncols);
	char **head = column_headers(a, t, header_rows, serial);
	for (size_t i = 0; i < t->ncells; i++)
		if (t->cells[i].row >= header_rows && is_figure(&t->cells[i], head[t->cells[i].col]))
			figure_col[t->cells[i].col] = true;
	for (int row = header_rows; row < t->nrows; row++) {
		buf label = {0}, pending = {0};
		for (int col = 0; col < t->ncols; col++) {
			const doc_cell *c = cell_at(t, row, col);
			if (!c || c->col != col || serial[col])
				continue;
			if (!figure_col[col]) {
				if (*c->text) {
					if (pending.len)
						buf_putc(&pending, ' ');
					buf_puts(&pending, c->text);
				}
				continue;
			}
			if (pending.len) {
				label.len = 0;
				buf_put(&label, pending.data, pending.len);
				pending.len = 0;
			}
			if (!*c->text)
				continue; /* blank: absent from the figures, so blank ↔ value shows as a change */
			const char *key = arena_printf(a, "%s · %s", label.data ? label.data : "", head[col]);
			figs_add(tf, a, key, c->text);
		}
		buf_free(&label);
		buf_free(&pending);
	}
}

/* The budget tables of a booklet (kind "budget-…"), by title. */
static table_figs *booklet_tables(arena *a, const doc_document *doc, size_t *n)
{
	table_figs *ts = NULL;
	*n = 0;
	for (size_t s = 0; s < doc->nsections; s++)
		for (size_t i = 0; i < doc->sections[s].nblocks; i++) {
			const doc_block *b = &doc->sections[s].blocks[i];
			if (b->kind != BLOCK_TABLE || strncmp(b->table->kind, "budget-", 7) != 0)
				continue;
			ts = xrealloc(ts, (*n + 1) * sizeof *ts);
			memset(&ts[*n], 0, sizeof *ts);
			table_figures(a, b->table, &ts[(*n)++]);
		}
	return ts;
}

static void free_tables(table_figs *ts, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(ts[i].f);
	free(ts);
}

static const char *find_fig(const table_figs *t, const char *key)
{
	for (size_t i = 0; t && i < t->n; i++)
		if (strcmp(t->f[i].key, key) == 0)
			return t->f[i].text;
	return NULL;
}

static const table_figs *find_table(const table_figs *ts, size_t n, const char *title)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(ts[i].title, title) == 0)
			return &ts[i];
	return NULL;
}

static void compare_tables(ctx *c, const table_figs *o, size_t no, const table_figs *n, size_t nn)
{
	for (size_t i = 0; i < nn; i++) { /* the new booklet's order; rows gone at the end of each */
		const table_figs *old = find_table(o, no, n[i].title);
		for (size_t k = 0; k < n[i].n; k++) {
			const char *was = find_fig(old, n[i].f[k].key);
			compare(c, n[i].title, n[i].f[k].key, was, n[i].f[k].text);
		}
		for (size_t k = 0; old && k < old->n; k++)
			if (!find_fig(&n[i], old->f[k].key))
				compare(c, n[i].title, old->f[k].key, old->f[k].text, NULL);
	}
	for (size_t i = 0; i < no; i++)
		if (!find_table(n, nn, o[i].title))
			for (size_t k = 0; k < o[i].n; k++)
				compare(c, o[i].title, o[i].f[k].key, o[i].f[k].text, NULL);
}

/* ---- projects --------------------------------------------------------------------------------------- */

/* Pairs each project of the new version with one of the old: by 项目编码 first (so that a
 * renamed project stays the same project), then by name among those left. pair[i] is the old
 * project of new project i, or NULL; taken[k] says old project k is paired. */
static void pair_projects(const model_department *o, const model_department *n, const model_project **pair,
                          bool *taken)
{
	for (size_t i = 0; i < n->nprojects; i++) {
		const char *code = n->projects[i].code;
		for (size_t k = 0; *code && k < o->nprojects && !pair[i]; k++)
			if (!taken[k] && strcmp(o->projects[k].code, code) == 0)
				pair[i] = &o->projects[k], taken[k] = true;
	}
	for (size_t i = 0; i < n->nprojects; i++)
		for (size_t k = 0; k < o->nprojects && !pair[i]; k++)
			if (!taken[k] && strcmp(o->projects[k].name, n->projects[i].name) == 0 &&
			    (!*o->projects[k].code || !*n->projects[i].code))
				pair[i] = &o->projects[k], taken[k] = true;
	for (size_t i = 0; i < n->nprojects; i++) /* same name, both coded differently: a new code */
		for (size_t k = 0; k < o->nprojects && !pair[i]; k++)
			if (!taken[k] && strcmp(o->projects[k].name, n->projects[i].name) == 0)
				pair[i] = &o->projects[k], taken[k] = true;
}

/* "产出指标/数量指标/举办活动场次", numbered when the same names occur again in the project. */
static const char *indicator_key(arena *a, const model_project *p, size_t i)
{
	const model_indicator *x = &p->indicators[i];
	int nth = 1;
	for (size_t k = 0; k < i; k++)
		nth += p->indicators[k].l1 == x->l1 && p->indicators[k].l2 == x->l2 &&
		       strcmp(p->indicators[k].l3, x->l3) == 0;
	const char *key = arena_printf(a, "%s/%s/%s", model_l1_name(x->l1), model_l2_name(x->l2), x->l3);
	return nth > 1 ? arena_printf(a, "%s（%d）", key, nth) : key;
}

static const char *indicator_value(arena *a, const model_project *p, const char *key)
{
	for (size_t i = 0; p && i < p->nindicators; i++)
		if (strcmp(indicator_key(a, p, i), key) == 0)
			return p->indicators[i].value;
	return NULL;
}

/* The single number in an indicator value, with the text around it ("≥98%" → 98), for a
 * difference when only that number moved. */
static bool lone_number(const char *s, size_t *at, size_t *len)
{
	size_t n = strlen(s), found = 0;
	for (size_t i = 0; i < n;) {
		if (s[i] >= '0' && s[i] <= '9') {
			size_t j = i;
			while (j < n && ((s[j] >= '0' && s[j] <= '9') || s[j] == '.'))
				j++;
			*at = i;
			*len = j - i;
			found++;
			i = j;
		} else {
			i++;
		}
	}
	return found == 1;
}

static void compare_indicator(ctx *c, const char *where, const char *key, const char *old_value,
                              const char *new_value)
{
	size_t oa, ol, na, nl;
	if (old_value && new_value && strcmp(old_value, new_value) != 0 && lone_number(old_value, &oa, &ol) &&
	    lone_number(new_value, &na, &nl) && oa == na && strcmp(old_value + oa + ol, new_value + na + nl) == 0 &&
	    strncmp(old_value, new_value, oa) == 0) {
		/* only the number moved: show the values, and the difference of the numbers */
		add(c, where, arena_printf(c->r->a, "指标值：%s", key), old_value, new_value);
		rev_change *ch = &c->r->changes[c->r->n - 1];
		decimal a, b;
		if (number_of(old_value + oa, ol, &a) && number_of(new_value + na, nl, &b) && dec_sub(b, a, &ch->diff)) {
			ch->numeric = true;
			int pa = places_of(old_value + oa, ol), pb = places_of(new_value + na, nl);
			ch->places = pa > pb ? pa : pb;
		}
		return;
	}
	compare(c, where, arena_printf(c->r->a, "指标值：%s", key), old_value, new_value);
}

/* The 绩效目标 of a project as one text, a line per goal. */
static const char *goals_text(arena *a, const model_project *p)
{
	buf b = {0};
	for (size_t i = 0; i < p->ngoals; i++)
		buf_printf(&b, "%s%s", i ? "\n" : "", p->goals[i]);
	const char *t = arena_strdup(a, b.data ? b.data : "");
	buf_free(&b);
	return t;
}

static const char *indicator_desc(arena *a, const model_project *p, const char *key)
{
	for (size_t i = 0; p && i < p->nindicators; i++)
		if (strcmp(indicator_key(a, p, i), key) == 0)
			return p->indicators[i].desc;
	return NULL;
}

static void compare_project(ctx *c, const model_project *o, const model_project *n)
{
	arena *a = c->r->a;
	const model_project *p = n ? n : o;
	const char *where = arena_printf(a, "项目：%s", p->name);
	if (!o || !n) { /* added or deleted: said in words, with its 预算数 */
		const char *total = amount_text(a, p->total);
		if (n)
			add_kind(c, REV_ADDED, where, "新增项目", "", *total ? arena_printf(a, "预算数 %s", total) : "");
		else
			add_kind(c, REV_DELETED, where, "删除项目", *total ? arena_printf(a, "预算数 %s", total) : "", "");
		return;
	}
	if (strcmp(o->name, n->name) != 0)
		add_kind(c, REV_RENAMED, where, "改名", o->name, n->name);
	compare_text(c, where, "项目编码", o->code, n->code);
	static const char *const fields[] = {"预算数", "财政资金", "其他资金"};
	for (int f = 0; f < 3; f++) {
		model_amount ov = o ? (f == 0 ? o->total : f == 1 ? o->fiscal : o->other) : (model_amount){0};
		model_amount nv = n ? (f == 0 ? n->total : f == 1 ? n->fiscal : n->other) : (model_amount){0};
		compare(c, where, fields[f], o ? amount_text(a, ov) : NULL, n ? amount_text(a, nv) : NULL);
	}
	for (size_t i = 0; n && i < n->nindicators; i++) {
		const char *key = indicator_key(a, n, i);
		compare_indicator(c, where, key, o ? indicator_value(a, o, key) : NULL, n->indicators[i].value);
	}
	for (size_t i = 0; o && i < o->nindicators; i++) {
		const char *key = indicator_key(a, o, i);
		if (!n || !indicator_value(a, n, key))
			compare_indicator(c, where, key, o->indicators[i].value, NULL);
	}
	compare_text(c, where, "资金用途", o->use, n->use);
	compare_text(c, where, "绩效目标", goals_text(a, o), goals_text(a, n));
	for (size_t i = 0; i < n->nindicators; i++) {
		const char *key = indicator_key(a, n, i);
		const char *was = indicator_desc(a, o, key);
		if (was)
			compare_text(c, where, arena_printf(a, "绩效指标描述：%s", key), was, n->indicators[i].desc);
	}
}

/* The 整体绩效目标's words: 总体绩效目标 and each 分项 (by position), 工作保障措施. */
static void compare_paragraphs(ctx *c, const char *where, const char *const *o, size_t no,
                               const char *const *n, size_t nn)
{
	size_t most = no > nn ? no : nn;
	for (size_t i = 0; i < most; i++)
		compare_text(c, where, arena_printf(c->r->a, "第%zu段", i + 1), i < no ? o[i] : "",
		             i < nn ? n[i] : "");
}

static void compare_overall(ctx *c, const model_overall *o, const model_overall *n)
{
	arena *a = c->r->a;
	compare_paragraphs(c, "整体绩效目标：总体绩效目标", o->summary, o->nsummary, n->summary, n->nsummary);
	size_t most = o->nitems > n->nitems ? o->nitems : n->nitems;
	for (size_t i = 0; i < most; i++) {
		const model_item *oi = i < o->nitems ? &o->items[i] : NULL, *ni = i < n->nitems ? &n->items[i] : NULL;
		const char *where = arena_printf(a, "整体绩效目标：分项%zu", i + 1);
		compare_text(c, where, "分项绩效目标", oi ? oi->title : "", ni ? ni->title : "");
		compare_text(c, where, "绩效目标", oi && oi->goal ? oi->goal : "", ni && ni->goal ? ni->goal : "");
		compare_text(c, where, "绩效指标", oi && oi->indicators ? oi->indicators : "",
		             ni && ni->indicators ? ni->indicators : "");
	}
	compare_paragraphs(c, "整体绩效目标：工作保障措施", o->measures, o->nmeasures, n->measures, n->nmeasures);
}

/* ---- prose ------------------------------------------------------------------------------------------ */

/* ORDER note_part (model.h): the 情况说明's parts as the source names them. */
static const char *const note_names[NOTE_COUNT] = {
	"前言", "部门职责", "总体情况", "机关运行经费", "三公经费", "政府采购", "国有资产", "名词解释", "其他事项",
};

/* A paragraph cut into words and numbers: figs[i] is the i-th number, at offset at[i]. */
typedef struct cut {
	buf skeleton;      /* the text with each number replaced by "#" */
	size_t n;
	size_t at[256], len[256];
} cut;

static void cut_text(const char *s, cut *c)
{
	memset(c, 0, sizeof *c);
	size_t n = strlen(s);
	for (size_t i = 0; i < n;) {
		if (s[i] >= '0' && s[i] <= '9') {
			size_t j = i;
			while (j < n && ((s[j] >= '0' && s[j] <= '9') || (s[j] == '.' && j + 1 < n && s[j + 1] >= '0' && s[j + 1] <= '9')))
				j++;
			if (c->n < 256) {
				c->at[c->n] = i;
				c->len[c->n++] = j - i;
			}
			buf_putc(&c->skeleton, '#');
			i = j;
		} else {
			buf_putc(&c->skeleton, s[i++]);
		}
	}
	buf_put(&c->skeleton, "", 0);
}

/* The words before a figure, for the report: back to the last comma or full stop, at most 12
 * characters: "…2023年预算收入“…”". */
static const char *context_before(arena *a, const char *s, size_t at)
{
	size_t start = at;
	for (int chars = 0; start > 0 && chars < 12; chars++) {
		size_t prev = start - 1;
		while (prev > 0 && ((unsigned char)s[prev] & 0xC0) == 0x80)
			prev--;
		if (strncmp(s + prev, "，", 3) == 0 || strncmp(s + prev, "。", 3) == 0 ||
		    strncmp(s + prev, "；", 3) == 0 || strncmp(s + prev, "：", 3) == 0)
			break;
		start = prev;
	}
	return arena_printf(a, "“%.*s…”", (int)(at - start), s + start);
}

static void compare_paragraph(ctx *c, const char *where, const char *o, const char *n)
{
	if (strcmp(o, n) == 0)
		return;
	arena *a = c->r->a;
	cut co, cn;
	cut_text(o, &co);
	cut_text(n, &cn);
	if (strcmp(co.skeleton.data, cn.skeleton.data) == 0 && co.n == cn.n) {
		for (size_t i = 0; i < co.n; i++) {
			const char *ov = arena_strndup(a, o + co.at[i], co.len[i]);
			const char *nv = arena_strndup(a, n + cn.at[i], cn.len[i]);
			compare(c, where, context_before(a, n, cn.at[i]), ov, nv);
		}
	} else {
		compare_text(c, where, "文字有改动", o, n);
	}
	buf_free(&co.skeleton);
	buf_free(&cn.skeleton);
}

static void compare_prose(ctx *c, const model_budget *o, const model_budget *n)
{
	for (int part = 0; part < NOTE_COUNT; part++) {
		size_t no = o->nnotes[part], nn = n->nnotes[part];
		size_t most = no > nn ? no : nn;
		for (size_t i = 0; i < most; i++) {
			const char *where = arena_printf(c->r->a, "情况说明：%s 第%zu段", note_names[part], i + 1);
			const char *ot = i < no ? o->notes[part][i] : "";
			const char *nt = i < nn ? n->notes[part][i] : "";
			compare_paragraph(c, where, ot, nt);
		}
	}
}

/* ---- departments ------------------------------------------------------------------------------------- */

typedef struct side {
	department_load l;
	const char *path;
	char *key;        /* "2023-开发区组织人事局" */
} side;

static void compare_totals(ctx *c, const model_department *o, const model_department *n)
{
	arena *a = c->r->a;
	const model_budget *ob = &o->budget, *nb = &n->budget;
	struct {
		const char *name;
		decimal ov, nv;
	} t[] = {
		{"收入总计", ob->income_total, nb->income_total}, {"支出总计", ob->expense_total, nb->expense_total},
		{"基本支出", ob->basic_total, nb->basic_total},    {"项目支出", ob->project_total, nb->project_total},
		{"人员经费", ob->personnel, nb->personnel},        {"公用经费", ob->office, nb->office},
	};
	for (size_t i = 0; i < sizeof t / sizeof t[0]; i++)
		compare(c, "合计", t[i].name, ob->present ? decimal_text(a, t[i].ov) : NULL,
		        nb->present ? decimal_text(a, t[i].nv) : NULL);
	decimal os = {0}, ns = {0};
	for (size_t i = 0; i < o->nprojects; i++)
		dec_add(os, o->projects[i].total.value, &os);
	for (size_t i = 0; i < n->nprojects; i++)
		dec_add(ns, n->projects[i].total.value, &ns);
	compare(c, "合计", "各项目预算数之和", decimal_text(a, os), decimal_text(a, ns));
	compare(c, "合计", "项目个数", arena_printf(a, "%zu", o->nprojects), arena_printf(a, "%zu", n->nprojects));
}

static void compare_departments(ctx *c, const layout_set *l, const model_department *o,
                                const model_department *n)
{
	char err[1024];
	arena *a = arena_new();
	compare_totals(c, o, n);
	const doc_document *od = compose_booklet(a, o, l, err, sizeof err);
	const doc_document *nd = compose_booklet(a, n, l, err, sizeof err);
	if (od && nd) {
		size_t no, nn;
		table_figs *ot = booklet_tables(a, od, &no);
		table_figs *nt = booklet_tables(a, nd, &nn);
		compare_tables(c, ot, no, nt, nn);
		free_tables(ot, no);
		free_tables(nt, nn);
	}
	const model_project **pair = xcalloc(n->nprojects + 1, sizeof *pair);
	bool *taken = xcalloc(o->nprojects + 1, sizeof *taken);
	pair_projects(o, n, pair, taken);
	for (size_t i = 0; i < n->nprojects; i++)
		compare_project(c, pair[i], &n->projects[i]);
	for (size_t i = 0; i < o->nprojects; i++)
		if (!taken[i])
			compare_project(c, &o->projects[i], NULL);
	free(pair);
	free(taken);
	compare_overall(c, &o->overall, &n->overall);
	compare_prose(c, &o->budget, &n->budget);
	arena_free(a);
}

/* Whether the file at out (the -o workbook, when it exists: *out_st) is one that d read. */
static bool reads_output(const diag_ctx *d, const struct stat *out_st)
{
	struct stat st;
	for (size_t i = 0; out_st && i < diag_file_count(d); i++)
		if (stat(diag_file(d, i)->path, &st) == 0 && st.st_dev == out_st->st_dev &&
		    st.st_ino == out_st->st_ino)
			return true;
	return false;
}

/* Loads every department under path; false when one has errors or cannot be read, or (status 2)
 * when a file it reads is the -o workbook's (out_st, or NULL). */
static bool load_side(const char *path, const char *out, const struct stat *out_st, side **out_sides,
                      size_t *n, int *status)
{
	diag_ctx *d = diag_new();
	source_list srcs = {0};
	char *arg = (char *)path;
	sources_find(&srcs, d, &arg, 1);
	bool ok = diag_count(d, DIAG_ERROR) == 0;
	if (!ok)
		*status = REVDIFF_IO;
	diag_flush(d, stderr);
	*out_sides = xcalloc(srcs.n ? srcs.n : 1, sizeof **out_sides);
	*n = 0;
	for (size_t i = 0; i < srcs.n; i++) {
		diag_ctx *dd = diag_new();
		department_load l = department_load_file(dd, srcs.paths[i]);
		if (reads_output(dd, out_st)) {
			fprintf(stderr, "budgetgen: error: 不能把对照表写到“%s”：它是被比较的源文件之一\n", out);
			*status = 2;
			department_load_free(&l);
			ok = false;
		} else if (!l.model || l.errors) {
			if (l.model) /* an unreadable file: the reason is reported already */
				diag_report(dd, (srcloc){0}, D_RENDER_FAILED, srcs.paths[i], "源文件有错误，无法比较");
			diag_flush(dd, stderr);
			if (*status != 2) /* a -o that would overwrite an input: a usage error */
				*status = !l.model || *status == REVDIFF_IO ? REVDIFF_IO : REVDIFF_INPUT;
			department_load_free(&l);
			ok = false;
		} else {
			side *s = &(*out_sides)[(*n)++];
			s->l = l;
			s->path = xstrdup(srcs.paths[i]);
			s->key = xstrdup(arena_printf(l.arena, "%d-%s", l.model->year, l.model->name));
		}
		diag_free(dd);
	}
	/* two sources of one 年度 and 部门 would be paired with either: refused, as build does */
	for (size_t i = 0; i < *n; i++) {
		for (size_t k = 0; k < i; k++) {
			if (strcmp((*out_sides)[i].key, (*out_sides)[k].key) == 0) {
				char why[1024];
				snprintf(why, sizeof why, "它与“%s”是同一年度的同一部门（%s），不知道该与哪个比较；请只留一个",
				         (*out_sides)[k].path, (*out_sides)[i].key);
				diag_report(d, (srcloc){0}, D_RENDER_FAILED, (*out_sides)[i].path, why);
				*status = *status == REVDIFF_IO ? REVDIFF_IO : REVDIFF_INPUT;
				ok = false;
				break;
			}
		}
	}
	diag_flush(d, stderr);
	sources_free(&srcs);
	diag_free(d);
	return ok;
}

static void free_side(side *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		department_load_free(&s[i].l);
		free((char *)s[i].path);
		free(s[i].key);
	}
	free(s);
}

static int cmp_side(const void *a, const void *b)
{
	return strcmp(((const side *)a)->key, ((const side *)b)->key);
}

int revdiff_compare(const revdiff_options *opt, const char *old_path, const char *new_path,
                    rev_report *r)
{
	memset(r, 0, sizeof *r);
	r->a = arena_new();
	int status = 0;
	char err[2048];
	const char *dir = sources_data_path(opt->layouts_dir, "layouts");
	arena *la = arena_new();
	const layout_set *l = layout_load(la, dir, err, sizeof err);
	if (!l) {
		fprintf(stderr, "budgetgen: error: 布局文件有误：%s\n", err);
		arena_free(la);
		return REVDIFF_IO;
	}
	side *o, *n;
	size_t no, nn;
	struct stat out_st; /* -o must not name one of the files compared */
	bool out_exists = opt->xlsx && stat(opt->xlsx, &out_st) == 0;
	load_side(old_path, opt->xlsx, out_exists ? &out_st : NULL, &o, &no, &status);
	load_side(new_path, opt->xlsx, out_exists ? &out_st : NULL, &n, &nn, &status);
	if (status) {
		free_side(o, no);
		free_side(n, nn);
		arena_free(la);
		return status;
	}
	qsort(o, no, sizeof *o, cmp_side);
	qsort(n, nn, sizeof *n, cmp_side);
	bool single = no == 1 && nn == 1; /* two files: compared whatever they are called */
	size_t i = 0, k = 0;
	while (i < no || k < nn) {
		int d = single ? 0 : i == no ? 1 : k == nn ? -1 : strcmp(o[i].key, n[k].key);
		ctx c = {r, NULL, opt->figures_only};
		if (d == 0) {
			c.dept = arena_strdup(r->a, n[k].l.model->name);
			compare_departments(&c, l, o[i].l.model, n[k].l.model);
			i++, k++;
		} else if (d < 0) {
			c.dept = arena_strdup(r->a, o[i].l.model->name);
			add_kind(&c, REV_DELETED, "部门", "删除（只在原版本中）", o[i].path, NULL);
			i++;
		} else {
			c.dept = arena_strdup(r->a, n[k].l.model->name);
			add_kind(&c, REV_ADDED, "部门", "新增（只在新版本中）", NULL, n[k].path);
			k++;
		}
		r->departments++;
	}
	free_side(o, no);
	free_side(n, nn);
	arena_free(la);
	return status;
}

void revdiff_free(rev_report *r)
{
	free(r->changes);
	arena_free(r->a);
	memset(r, 0, sizeof *r);
}

/* ---- text ------------------------------------------------------------------------------------------ */

static void format_diff(const rev_change *ch, char out[40])
{
	if (!ch->numeric) {
		out[0] = '\0';
		return;
	}
	char s[32];
	dec_format(ch->diff, ch->places, s);
	snprintf(out, 40, "%s%s", ch->diff.micros > 0 ? "+" : "", s);
}

void revdiff_format_text(const rev_report *r, buf *out)
{
	const char *dept = NULL;
	size_t depts = 0;
	for (size_t i = 0; i < r->n; i++) {
		const rev_change *ch = &r->changes[i];
		if (!dept || strcmp(dept, ch->dept) != 0) {
			size_t n = 0;
			for (size_t k = i; k < r->n && strcmp(r->changes[k].dept, ch->dept) == 0; k++)
				n++;
			buf_printf(out, "%s== %s：%zu 处变化\n", dept ? "\n" : "", ch->dept, n);
			dept = ch->dept;
			depts++;
		}
		char d[40];
		format_diff(ch, d);
		switch (ch->kind) {
		case REV_ADDED:
			buf_printf(out, "  %s｜%s：%s\n", ch->where, ch->item, ch->new_text);
			continue;
		case REV_DELETED:
			buf_printf(out, "  %s｜%s：%s\n", ch->where, ch->item, ch->old_text);
			continue;
		case REV_RENAMED:
			buf_printf(out, "  %s｜改名 %s → %s\n", ch->where, ch->old_text, ch->new_text);
			continue;
		case REV_CHANGED: break;
		}
		buf_printf(out, "  %s｜%s：%s → %s", ch->where, ch->item, *ch->old_text ? ch->old_text : "（空）",
		           *ch->new_text ? ch->new_text : "（空）");
		if (*d)
			buf_printf(out, "（差额 %s）", d);
		buf_putc(out, '\n');
	}
	buf_printf(out, "%s比较了 %zu 个部门：%zu 个部门有变化，共 %zu 处\n", r->n ? "\n" : "", r->departments,
	           depts, r->n);
}

/* ---- workbook ----------------------------------------------------------------------------------------- */

/* libxlsxwriter writes only to a named file: it writes to an anonymous memory file, whose bytes
 * then replace path atomically (file_write_atomic) like every file the program writes. */
int revdiff_write_xlsx(const rev_report *r, int64_t epoch, const char *path, char *err, size_t errlen)
{
	int mfd = memfd_create("budgetgen-diff.xlsx", MFD_CLOEXEC);
	if (mfd < 0) {
		snprintf(err, errlen, "无法创建 %s：%s", path, errno_text(errno));
		return -1;
	}
	char tmp[32];
	snprintf(tmp, sizeof tmp, "/proc/self/fd/%d", mfd);
	lxw_workbook *wb = workbook_new(tmp);
	if (!wb) {
		snprintf(err, errlen, "无法创建 %s", path);
		close(mfd);
		return -1;
	}
	lxw_doc_properties props = {.title = "预算调整对照表", .created = epoch > 0 ? (time_t)epoch : 946684800};
	workbook_set_properties(wb, &props);
	lxw_worksheet *ws = workbook_add_worksheet(wb, "修订对照");
	lxw_format *head = workbook_add_format(wb);
	format_set_bold(head);
	format_set_font_name(head, "宋体");
	format_set_bg_color(head, 0xD9E1F2);
	format_set_border(head, LXW_BORDER_THIN);
	format_set_align(head, LXW_ALIGN_CENTER);
	lxw_format *text = workbook_add_format(wb);
	format_set_font_name(text, "宋体");
	format_set_text_wrap(text);
	format_set_border(text, LXW_BORDER_THIN);
	format_set_align(text, LXW_ALIGN_VERTICAL_TOP);
	lxw_format *num = workbook_add_format(wb);
	format_set_font_name(num, "Times New Roman");
	format_set_num_format(num, "0.00");
	format_set_border(num, LXW_BORDER_THIN);
	format_set_align(num, LXW_ALIGN_VERTICAL_TOP);
	lxw_format *diff = workbook_add_format(wb);
	format_set_font_name(diff, "Times New Roman");
	format_set_num_format(diff, "+0.00;[Red]-0.00;0.00");
	format_set_border(diff, LXW_BORDER_THIN);
	format_set_align(diff, LXW_ALIGN_VERTICAL_TOP);
	static const char *const cols[] = {"部门", "项目", "内容", "原值", "新值", "变化"};
	static const double widths[] = {16, 26, 30, 34, 34, 12}; /* fits A4 landscape at about 90% */
	for (int c = 0; c < 6; c++) {
		worksheet_write_string(ws, 0, (lxw_col_t)c, cols[c], head);
		worksheet_set_column(ws, (lxw_col_t)c, (lxw_col_t)c, widths[c], NULL);
	}
	for (size_t i = 0; i < r->n; i++) {
		const rev_change *ch = &r->changes[i];
		lxw_row_t row = (lxw_row_t)(i + 1);
		worksheet_write_string(ws, row, 0, ch->dept, text);
		worksheet_write_string(ws, row, 1, ch->where, text);
		worksheet_write_string(ws, row, 2, ch->item, text);
		const char *vals[2] = {ch->old_text, ch->new_text};
		for (int k = 0; k < 2; k++) {
			decimal v;
			if (ch->numeric && *vals[k] && number_of(vals[k], strlen(vals[k]), &v))
				worksheet_write_number(ws, row, (lxw_col_t)(3 + k), (double)v.micros / 1e6, num);
			else
				worksheet_write_string(ws, row, (lxw_col_t)(3 + k), vals[k], text);
		}
		static const char *const said[] = {[REV_ADDED] = "新增", [REV_DELETED] = "删除", [REV_RENAMED] = "改名"};
		if (ch->numeric)
			worksheet_write_number(ws, row, 5, (double)ch->diff.micros / 1e6, diff);
		else if (ch->kind != REV_CHANGED)
			worksheet_write_string(ws, row, 5, said[ch->kind], text);
		else if (ch->text)
			worksheet_write_string(ws, row, 5, "文字改动", text);
		else
			worksheet_write_blank(ws, row, 5, text);
	}
	worksheet_freeze_panes(ws, 1, 0);
	worksheet_autofilter(ws, 0, 0, (lxw_row_t)r->n, 5);
	/* A4 landscape, every column on the page, the headings on each page, pages numbered */
	worksheet_set_landscape(ws);
	worksheet_set_paper(ws, 9);
	worksheet_set_margins(ws, 0.4, 0.4, 0.6, 0.6);
	worksheet_repeat_rows(ws, 0, 0);
	worksheet_fit_to_pages(ws, 1, 0);
	worksheet_set_header(ws, "&C预算调整对照表");
	worksheet_set_footer(ws, "&C第 &P 页，共 &N 页");
	lxw_error e = workbook_close(wb);
	if (e != LXW_NO_ERROR) {
		snprintf(err, errlen, "无法写入 %s：%s", path, lxw_strerror(e));
		close(mfd);
		return -1;
	}
	buf data = {0};
	/* the workbook was written through a descriptor of its own: this one is still at the start */
	int fe = lseek(mfd, 0, SEEK_SET) != 0 ? errno : fd_read_rest(mfd, SIZE_MAX, &data);
	close(mfd);
	if (!fe)
		fe = file_write_atomic(path, data.data ? data.data : "", data.len);
	buf_free(&data);
	if (fe) {
		snprintf(err, errlen, "无法写入 %s：%s", path, errno_text(fe));
		return -1;
	}
	return 0;
}
