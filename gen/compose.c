/* compose.c — builds the document IR (compose.h). Owns the contents and order of the booklet
 * and of the per-project sheet, the binding of model values to the layout's {槽} slots, row
 * placement with spans (like HTML tables: cells flow into the first free grid position), and the
 * downward merging of equal 合并 cells (一级/二级指标, the 绩效目标 label). */
#include "compose.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- slots: named values a template may print ------------------------------------------ */

enum { MAX_SLOTS = 32 };

typedef struct slot {
	const char *name;
	const char *text;  /* printed text ("" when blank) */
	doc_numfmt fmt;    /* NUM_NONE for text */
	decimal value;
} slot;

typedef struct slots {
	slot item[MAX_SLOTS];
	int n;
} slots;

static void slot_text(slots *s, const char *name, const char *text)
{
	if (s->n < MAX_SLOTS)
		s->item[s->n++] = (slot){name, text ? text : "", NUM_NONE, {0}};
}

static void slot_amount(arena *a, slots *s, const char *name, model_amount v)
{
	if (s->n >= MAX_SLOTS)
		return;
	char text[32] = "";
	if (v.present)
		dec_format(v.value, 2, text);
	s->item[s->n++] = (slot){name, arena_strdup(a, text), v.present ? NUM_AMOUNT : NUM_NONE, v.value};
}

/* "25%" → a percent slot with value 25 (the model has validated it). */
static void slot_percent(slots *s, const char *name, const char *text)
{
	if (s->n >= MAX_SLOTS)
		return;
	decimal v = {0};
	size_t n = text ? strlen(text) : 0;
	bool ok = n > 1 && text[n - 1] == '%' && dec_parse(text, n - 1, &v, NULL) == DEC_OK;
	s->item[s->n++] = (slot){name, text ? text : "", ok ? NUM_PERCENT : NUM_NONE, v};
}

static const slot *slot_find(const slots *s, const char *name, size_t len)
{
	for (int i = s->n - 1; i >= 0; i--)
		if (strlen(s->item[i].name) == len && memcmp(s->item[i].name, name, len) == 0)
			return &s->item[i];
	return NULL;
}

typedef struct composer {
	arena *a;
	const model_department *m;
	const layout_set *l;
	char *err;
	size_t errlen;
	bool failed;
} composer;

__attribute__((format(printf, 2, 3))) static void compose_fail(composer *c, const char *fmt, ...)
{
	if (c->failed)
		return;
	c->failed = true;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(c->err, c->errlen, fmt, ap);
	va_end(ap);
}

/* Replaces every {槽} of tpl. *blank is set when a slot used is empty (a caption such as
 * "单位名称：{编报单位}" is then left out). Unknown slots are a layout error. */
static const char *expand(composer *c, const char *where, const char *tpl, const slots *s,
                          bool *blank)
{
	buf b = {0};
	if (blank)
		*blank = false;
	for (const char *p = tpl; *p;) {
		const char *open = strchr(p, '{');
		if (!open) {
			buf_puts(&b, p);
			break;
		}
		buf_put(&b, p, (size_t)(open - p));
		const char *close = strchr(open, '}');
		if (!close) {
			compose_fail(c, "%s：模板“%s”中的“{”没有闭合", where, tpl);
			break;
		}
		const slot *sl = slot_find(s, open + 1, (size_t)(close - open - 1));
		if (!sl) {
			compose_fail(c, "%s：模板“%s”中的“%.*s”不是可用的数据项", where, tpl,
			             (int)(close - open + 1), open);
			break;
		}
		if (!*sl->text && blank)
			*blank = true;
		buf_puts(&b, sl->text);
		p = close + 1;
	}
	const char *out = arena_strdup(c->a, b.data ? b.data : "");
	buf_free(&b);
	return out;
}

/* ---- table building --------------------------------------------------------------------------- */

typedef struct builder {
	composer *c;
	const layout_table *lt;
	doc_cell *cells;     /* in placement order */
	bool *merge;         /* per cell: the template's 合并 flag */
	size_t n, cap, nmerge, merge_cap;
	int nrows;
	unsigned char *occ; /* nrows_cap × ncols occupancy */
	int rows_cap;
	int repeat_first;   /* first row made from the repeat template, or -1 */
} builder;

static void occ_grow(builder *b, int rows)
{
	if (rows <= b->rows_cap)
		return;
	int ncap = b->rows_cap ? b->rows_cap : 16;
	while (ncap < rows)
		ncap *= 2;
	unsigned char *fresh = arena_alloc(b->c->a, (size_t)ncap * (size_t)b->lt->ncols);
	if (b->rows_cap)
		memcpy(fresh, b->occ, (size_t)b->rows_cap * (size_t)b->lt->ncols);
	b->occ = fresh;
	b->rows_cap = ncap;
}

static void add_row(builder *b, const char *row_name, const slots *s)
{
	composer *c = b->c;
	const layout_row *r = layout_row_find(b->lt, row_name);
	if (!r) {
		compose_fail(c, "%s：缺少行模板“%s”", b->lt->path, row_name);
		return;
	}
	int row = b->nrows;
	int ncols = b->lt->ncols;
	if (b->lt->repeat_row && b->repeat_first < 0 && strcmp(b->lt->repeat_row, row_name) == 0)
		b->repeat_first = row;
	occ_grow(b, row + LAYOUT_MAX_SPAN + 1);
	int col = 0;
	for (int i = 0; i < r->ncells && !c->failed; i++) {
		const layout_cell *lc = &r->cells[i];
		while (col < ncols && b->occ[row * ncols + col])
			col++;
		if (col + lc->colspan > ncols) {
			compose_fail(c, "%s:%d: 行“%s”的单元格超出了 %d 列（算上上方跨行的单元格）",
			             b->lt->path, r->line, row_name, ncols);
			return;
		}
		for (int dr = 0; dr < lc->rowspan; dr++)
			for (int dc = 0; dc < lc->colspan; dc++)
				b->occ[(row + dr) * ncols + col + dc] = 1;
		doc_cell *cell = vec_push(c->a, &b->cells, &b->n, &b->cap, sizeof *cell);
		bool *mf = vec_push(c->a, &b->merge, &b->nmerge, &b->merge_cap, sizeof *mf);
		*mf = lc->merge;
		cell->row = row;
		cell->col = col;
		cell->rowspan = lc->rowspan;
		cell->colspan = lc->colspan;
		cell->style = lc->style;
		cell->repeat_label = lc->merge;
		char where[300];
		snprintf(where, sizeof where, "%s:%d", b->lt->path, r->line);
		cell->text = expand(c, where, lc->text, s, NULL);
		/* a cell that is exactly one numeric slot stores the number */
		size_t tl = strlen(lc->text);
		if (tl > 2 && lc->text[0] == '{' && lc->text[tl - 1] == '}' &&
		    !memchr(lc->text + 1, '{', tl - 2)) {
			const slot *sl = slot_find(s, lc->text + 1, tl - 2);
			if (sl && sl->fmt != NUM_NONE) {
				cell->numfmt = sl->fmt;
				cell->value = sl->value;
			}
		}
		col += lc->colspan;
	}
	b->nrows = row + 1;
}

/* Merges each 合并 cell downwards with the cell right below it when both are 合并 cells of the
 * same columns and text. */
static void apply_merges(builder *b)
{
	int ncols = b->lt->ncols;
	int *at = arena_alloc(b->c->a, (size_t)(b->nrows + 1) * (size_t)ncols * sizeof *at);
	for (int i = 0; i < (b->nrows + 1) * ncols; i++)
		at[i] = -1;
	for (size_t i = 0; i < b->n; i++)
		if (b->cells[i].row < b->nrows)
			at[b->cells[i].row * ncols + b->cells[i].col] = (int)i;
	bool *gone = arena_alloc(b->c->a, b->n ? b->n : 1);
	for (int row = 0; row < b->nrows; row++) {
		for (int col = 0; col < ncols; col++) {
			int i = at[row * ncols + col];
			if (i < 0 || gone[i] || !b->merge[i])
				continue;
			doc_cell *top = &b->cells[i];
			for (;;) {
				int below_row = top->row + top->rowspan;
				if (below_row >= b->nrows)
					break;
				int j = at[below_row * ncols + col];
				if (j < 0 || !b->merge[j] || b->cells[j].colspan != top->colspan ||
				    strcmp(b->cells[j].text, top->text) != 0)
					break;
				top->rowspan += b->cells[j].rowspan;
				gone[j] = true;
			}
		}
	}
	size_t k = 0;
	for (size_t i = 0; i < b->n; i++)
		if (!gone[i])
			b->cells[k++] = b->cells[i];
	b->n = k;
}

static int cell_order(const void *pa, const void *pb)
{
	const doc_cell *a = pa, *b = pb;
	if (a->row != b->row)
		return a->row < b->row ? -1 : 1;
	return (a->col > b->col) - (a->col < b->col);
}

static doc_table *finish_table(builder *b, const slots *s)
{
	composer *c = b->c;
	for (size_t i = 0; i < b->n; i++) /* a span reaching past the last row extends the table */
		if (b->cells[i].row + b->cells[i].rowspan > b->nrows)
			b->nrows = b->cells[i].row + b->cells[i].rowspan;
	apply_merges(b);
	qsort(b->cells, b->n, sizeof *b->cells, cell_order);
	doc_table *t = arena_alloc(c->a, sizeof *t);
	t->kind = b->lt->name;
	t->ncols = b->lt->ncols;
	t->col_widths = b->lt->col_widths;
	t->nrows = b->nrows;
	t->cells = b->cells;
	t->ncells = b->n;
	t->repeat_first = b->repeat_first >= 0 ? b->repeat_first : 0;
	t->repeat_count = b->repeat_first >= 0 ? 1 : 0;
	t->border = 500;
	bool blank;
	t->title = expand(c, b->lt->path, b->lt->title, s, NULL);
	t->caption_left = expand(c, b->lt->path, b->lt->caption_left, s, &blank);
	if (blank)
		t->caption_left = "";
	t->caption_right = expand(c, b->lt->path, b->lt->caption_right, s, &blank);
	if (blank)
		t->caption_right = "";
	t->note = expand(c, b->lt->path, b->lt->note, s, NULL);
	t->title_style = layout_style_find(c->l, "表题");
	t->caption_style = layout_style_find(c->l, "表头说明");
	t->note_style = layout_style_find(c->l, "表注");
	if (!t->title_style || !t->caption_style || !t->note_style)
		compose_fail(c, "document.layout：[样式]中缺少“表题”“表头说明”或“表注”");
	return t;
}

/* ---- the project table ------------------------------------------------------------------------ */

/* Excel sheet names: at most 31 characters, none of : \ / ? * [ ]. */
static const char *sheet_name_of(arena *a, const char *title)
{
	buf b = {0};
	size_t chars = 0, n = strlen(title), k;
	for (size_t i = 0; i < n && chars < 31; i += k) {
		uint32_t cp;
		k = utf8_decode(title + i, n - i, &cp);
		if (!k)
			break;
		if (strchr(":\\/?*[]'", (int)cp) && cp < 0x80)
			buf_putc(&b, '_');
		else
			buf_put(&b, title + i, k);
		chars++;
	}
	const char *out = arena_strdup(a, b.data ? b.data : "表");
	buf_free(&b);
	return out;
}

static void project_slots(composer *c, const model_project *p, slots *s)
{
	const model_department *m = c->m;
	slot_text(s, "序号", arena_printf(c->a, "%zu", p->number));
	slot_text(s, "项目名称", p->name);
	slot_text(s, "项目编码", p->code);
	slot_text(s, "编报单位", m->unit);
	slot_text(s, "部门", m->name);
	slot_text(s, "年度", arena_printf(c->a, "%d", m->year));
	slot_amount(c->a, s, "预算数", p->total);
	slot_amount(c->a, s, "财政资金", p->fiscal);
	slot_amount(c->a, s, "其他资金", p->other);
	slot_text(s, "资金用途", p->use);
	static const char *const months[4] = {"3月底", "6月底", "10月底", "12月底"};
	for (int i = 0; i < 4; i++)
		slot_percent(s, months[i], p->has_schedule ? p->schedule[i] : "");
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
	builder b = {.c = &c, .lt = lt, .repeat_first = -1};
	slots s = {0};
	project_slots(&c, p, &s);
	if (full) {
		add_row(&b, "编码", &s);
		add_row(&b, "预算", &s);
		add_row(&b, "用途", &s);
		add_row(&b, "计划表头", &s);
		add_row(&b, "计划", &s);
	}
	bool single = p->ngoals == 1 && layout_row_find(lt, "单目标");
	for (size_t g = 0; g < p->ngoals && !c.failed; g++) {
		slots gs = s;
		slot_text(&gs, "目标序号", arena_printf(a, "%zu", g + 1));
		slot_text(&gs, "绩效目标", p->goals[g]);
		add_row(&b, single ? "单目标" : "目标", &gs);
	}
	add_row(&b, "指标表头", &s);
	for (size_t i = 0; i < p->nindicators && !c.failed; i++) {
		const model_indicator *mi = &p->indicators[i];
		slots is = s;
		slot_text(&is, "一级指标", model_l1_name(mi->l1));
		slot_text(&is, "二级指标", model_l2_name(mi->l2));
		slot_text(&is, "三级指标", mi->l3);
		slot_text(&is, "绩效指标描述", mi->desc);
		slot_text(&is, "指标值", mi->value);
		slot_text(&is, "指标值确定依据", mi->basis);
		add_row(&b, "指标", &is);
	}
	if (c.failed)
		return NULL;
	doc_table *t = finish_table(&b, &s);
	if (c.failed)
		return NULL;
	t->sheet_name = sheet_name_of(a, arena_printf(a, "%zu.%s", p->number, p->name));
	return t;
}

/* ---- documents ---------------------------------------------------------------------------------- */

typedef struct doc_builder {
	composer *c;
	doc_section *sections;
	size_t nsections, sections_cap;
	doc_block *blocks;   /* of the current section */
	size_t nblocks, blocks_cap;
	int next_anchor;
} doc_builder;

static void begin_section(doc_builder *d, const doc_page *page, bool numbered)
{
	doc_section *s = vec_push(d->c->a, &d->sections, &d->nsections, &d->sections_cap, sizeof *s);
	s->page = *page;
	s->numbered = numbered;
	d->blocks = NULL;
	d->nblocks = d->blocks_cap = 0;
}

static doc_block *add_block(doc_builder *d, doc_block_kind kind)
{
	doc_block *b = vec_push(d->c->a, &d->blocks, &d->nblocks, &d->blocks_cap, sizeof *b);
	b->kind = kind;
	doc_section *s = &d->sections[d->nsections - 1];
	s->blocks = d->blocks;
	s->nblocks = d->nblocks;
	return b;
}

static const doc_style *style(doc_builder *d, const char *name)
{
	const doc_style *st = layout_style_find(d->c->l, name);
	if (!st)
		compose_fail(d->c, "document.layout：[样式]中缺少“%s”", name);
	return st;
}

static void add_paragraph(doc_builder *d, const char *style_name, const char *text)
{
	doc_block *b = add_block(d, BLOCK_PARAGRAPH);
	b->style = style(d, style_name);
	b->text = text;
}

static void add_heading(doc_builder *d, const char *style_name, int level, const char *text,
                        bool hidden)
{
	doc_block *b = add_block(d, BLOCK_HEADING);
	b->style = style(d, style_name);
	b->text = text;
	b->level = level;
	b->in_toc = true;
	b->hidden = hidden;
	b->anchor = d->next_anchor++;
	b->keep_with_next = true;
}

static const char *cn_number(arena *a, size_t n)
{
	static const char *const digits[] = {"〇", "一", "二", "三", "四", "五", "六", "七", "八", "九"};
	if (n < 10)
		return digits[n];
	if (n < 20)
		return n == 10 ? "十" : arena_printf(a, "十%s", digits[n % 10]);
	if (n < 100)
		return arena_printf(a, "%s十%s", digits[n / 10], n % 10 ? digits[n % 10] : "");
	return arena_printf(a, "%zu", n);
}

static doc_document *new_document(composer *c, doc_builder *d, const char *title)
{
	doc_document *doc = arena_alloc(c->a, sizeof *doc);
	doc->title = title;
	doc->author = c->m->name;
	doc->subject = arena_printf(c->a, "%d年部门预算绩效目标", c->m->year);
	doc->year = c->m->year;
	doc->page_number_format = c->l->page_number_format;
	doc->page_number_style = &c->l->page_number_style;
	doc->toc_title_style = layout_style_find(c->l, "目录标题");
	doc->toc_styles[0] = layout_style_find(c->l, "目录一级");
	doc->toc_styles[1] = layout_style_find(c->l, "目录二级");
	doc->toc_styles[2] = layout_style_find(c->l, "目录二级");
	doc->sections = d->sections;
	doc->nsections = d->nsections;
	return doc;
}

static void compose_overall(doc_builder *d, const model_overall *o, const char *part_no)
{
	composer *c = d->c;
	add_heading(d, "部分标题", 1,
	            arena_printf(c->a, "第%s部分　%d年部门整体绩效目标", part_no, c->m->year), false);
	add_heading(d, "一级标题", 2, "一、总体绩效目标", false);
	for (size_t i = 0; i < o->nsummary; i++)
		add_paragraph(d, "正文", o->summary[i]);
	add_heading(d, "一级标题", 2, "二、分项绩效目标", false);
	for (size_t i = 0; i < o->nitems; i++) {
		const model_item *it = &o->items[i];
		add_paragraph(d, "二级标题", arena_printf(c->a, "（%s）%s", cn_number(c->a, i + 1), it->title));
		if (it->goal)
			add_paragraph(d, "正文", arena_printf(c->a, "绩效目标：%s", it->goal));
		if (it->indicators)
			add_paragraph(d, "正文", arena_printf(c->a, "绩效指标：%s", it->indicators));
		for (size_t k = 0; k < it->ntext; k++)
			add_paragraph(d, "正文", it->text[k]);
	}
	add_heading(d, "一级标题", 2, "三、工作保障措施", false);
	for (size_t i = 0; i < o->nmeasures; i++)
		add_paragraph(d, "正文", o->measures[i]);
}

const doc_document *compose_booklet(arena *a, const model_department *m, const layout_set *l,
                                    char *err, size_t errlen)
{
	composer c = {.a = a, .m = m, .l = l, .err = err, .errlen = errlen};
	doc_builder d = {.c = &c};
	/* cover */
	begin_section(&d, &l->portrait, false);
	add_block(&d, BLOCK_SPACE)->space = MPT_FROM_MM(60);
	add_paragraph(&d, "封面标题", m->name);
	add_paragraph(&d, "封面标题", arena_printf(a, "%d年部门预算绩效目标", m->year));
	add_block(&d, BLOCK_SPACE)->space = MPT_FROM_MM(90);
	add_paragraph(&d, "封面落款", m->name);
	/* table of contents */
	begin_section(&d, &l->portrait, false);
	add_paragraph(&d, "目录标题", "目　　录");
	add_block(&d, BLOCK_TOC)->toc_levels = 3;
	/* contents */
	begin_section(&d, &l->portrait, true);
	size_t part = 0;
	if (m->overall.present)
		compose_overall(&d, &m->overall, cn_number(a, ++part));
	static const char *const part_titles[2] = {"预算项目绩效目标", "预算公用绩效目标"};
	for (int pt = PART_PROJECT; pt <= PART_PUBLIC && !c.failed; pt++) {
		bool first = true;
		for (size_t i = 0; i < m->nprojects && !c.failed; i++) {
			const model_project *p = &m->projects[i];
			if ((int)p->part != pt)
				continue;
			const doc_table *t = compose_project_table(a, m, i, l, err, errlen);
			if (!t) {
				c.failed = true;
				break;
			}
			const layout_table *lt = layout_table_find(l, t->kind);
			if (first) {
				if (d.nblocks)
					add_block(&d, BLOCK_PAGE_BREAK);
				add_heading(&d, "部分标题", 1,
				            arena_printf(a, "第%s部分　%s", cn_number(a, ++part), part_titles[pt]),
				            false);
				first = false;
			} else if (lt && lt->new_page) {
				add_block(&d, BLOCK_PAGE_BREAK);
			} else {
				add_block(&d, BLOCK_SPACE)->space = 12 * MPT_PER_PT;
			}
			add_heading(&d, "表题", 3, t->title, true);
			add_block(&d, BLOCK_TABLE)->table = t;
		}
	}
	if (c.failed)
		return NULL;
	return new_document(&c, &d, arena_printf(a, "%s%d年部门预算绩效目标", m->name, m->year));
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
	begin_section(&d, lt ? lt->page : &l->portrait, true);
	add_heading(&d, "表题", 1, t->title, true);
	add_block(&d, BLOCK_TABLE)->table = t;
	if (c.failed)
		return NULL;
	return new_document(&c, &d, t->title);
}
