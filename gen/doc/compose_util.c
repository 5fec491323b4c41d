/* compose_util.c — the shared machinery of the compose stage (compose_int.h): slots and
 * template expansion, row placement with spans (like HTML tables: cells flow into the first free
 * grid position), downward merging of equal 合并 cells, and the section/block builder. */
#include "doc/compose_int.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- slots: named values a template may print ------------------------------------------ */






void slot_text(slots *s, const char *name, const char *text)
{
	if (s->n < MAX_SLOTS)
		s->item[s->n++] = (slot){.name = name, .text = text ? text : "", .fmt = NUM_NONE};
}

static void put_amount(arena *a, slots *s, const char *name, model_amount v, bool entered)
{
	if (s->n >= MAX_SLOTS)
		return;
	char text[32] = "";
	if (v.present && entered)
		dec_format_exact(v.value, text);
	else if (v.present)
		dec_format(v.value, 2, text);
	s->item[s->n++] = (slot){.name = name, .text = arena_strdup(a, text),
	                           .fmt = v.present ? NUM_AMOUNT : NUM_NONE, .value = v.value};
}

void slot_amount(arena *a, slots *s, const char *name, model_amount v)
{
	put_amount(a, s, name, v, false);
}

void slot_amount_entered(arena *a, slots *s, const char *name, model_amount v)
{
	put_amount(a, s, name, v, true);
}

void slot_sum(arena *a, slots *s, const char *name, model_amount v, const char *const *parts,
              int nparts)
{
	slot_amount_entered(a, s, name, v);
	if (s->n > 0 && s->item[s->n - 1].name == name) {
		s->item[s->n - 1].sum_of = parts;
		s->item[s->n - 1].nsum = nparts;
	}
}

void slot_percent(slots *s, const char *name, const model_percent *v)
{
	if (s->n >= MAX_SLOTS)
		return;
	if (!v)
		s->item[s->n++] = (slot){.name = name, .text = "", .fmt = NUM_NONE};
	else
		s->item[s->n++] = (slot){.name = name, .text = v->text, .fmt = NUM_PERCENT, .value = v->value};
}

const slot *slot_find(const slots *s, const char *name, size_t len)
{
	for (int i = s->n - 1; i >= 0; i--)
		if (strlen(s->item[i].name) == len && memcmp(s->item[i].name, name, len) == 0)
			return &s->item[i];
	return NULL;
}



__attribute__((format(printf, 2, 3))) void compose_fail(composer *c, const char *fmt, ...)
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
const char *slot_expand(composer *c, const char *where, const char *tpl, const slots *s,
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



static void occ_grow(tb_builder *b, int rows)
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

void tb_add_row(tb_builder *b, const char *row_name, const slots *s)
{
	composer *c = b->c;
	const layout_row *r = layout_row_find(b->lt, row_name);
	if (!r) {
		compose_fail(c, "%s：缺少行模板“%s”", b->lt->path, row_name);
		return;
	}
	int row = b->nrows;
	int ncols = b->lt->ncols;
	if (layout_row_repeats(b->lt, row_name)) {
		if (b->repeat_first < 0)
			b->repeat_first = row;
		b->repeat_last = row;
	}
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
		cell->text = slot_expand(c, where, lc->text, s, NULL);
		/* a cell that is exactly one numeric slot stores the number */
		size_t tl = strlen(lc->text);
		if (tl > 2 && lc->text[0] == '{' && lc->text[tl - 1] == '}' &&
		    !memchr(lc->text + 1, '{', tl - 2)) {
			const slot *sl = slot_find(s, lc->text + 1, tl - 2);
			if (sl)
				cell->slot = sl->name;
			if (sl && sl->fmt != NUM_NONE) {
				cell->numfmt = sl->fmt;
				cell->value = sl->value;
			}
			if (sl && sl->fmt == NUM_AMOUNT && sl->nsum) {
				struct tb_sum *ts = vec_push(c->a, &b->sums, &b->nsums, &b->sums_cap, sizeof *ts);
				*ts = (struct tb_sum){row, col, sl->sum_of, sl->nsum};
			}
		}
		col += lc->colspan;
	}
	b->nrows = row + 1;
}

/* Merges each 合并 cell downwards with the cell right below it when both are 合并 cells of the
 * same columns and text. */
static void apply_merges(tb_builder *b)
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

long tb_cell_at(const doc_cell *cells, size_t n, int row, int col)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		const doc_cell *x = &cells[mid];
		if (x->row < row || (x->row == row && x->col < col))
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < n && cells[lo].row == row && cells[lo].col == col)
		return (long)lo;
	return -1;
}

/* Makes each cell recorded in b->sums the total of the cells that show its parts (the last such
 * cell of each part); none when a part is not shown. Cells are final: merged and sorted. */
static void link_slot_sums(tb_builder *b)
{
	for (size_t i = 0; i < b->nsums; i++) {
		const struct tb_sum *ts = &b->sums[i];
		long target = tb_cell_at(b->cells, b->n, ts->row, ts->col);
		if (target < 0)
			continue;
		int *idx = arena_alloc(b->c->a, (size_t)ts->nparts * sizeof *idx);
		int found = 0;
		for (int k = 0; k < ts->nparts; k++) {
			long at = -1;
			for (size_t j = 0; j < b->n; j++)
				if (b->cells[j].slot && strcmp(b->cells[j].slot, ts->parts[k]) == 0)
					at = (long)j;
			if (at >= 0)
				idx[found++] = (int)at;
		}
		if (found == ts->nparts) {
			b->cells[target].sum_of = idx;
			b->cells[target].nsum = (size_t)found;
		}
	}
}

doc_table *tb_finish(tb_builder *b, const slots *s)
{
	composer *c = b->c;
	for (size_t i = 0; i < b->n; i++) /* a span reaching past the last row extends the table */
		if (b->cells[i].row + b->cells[i].rowspan > b->nrows)
			b->nrows = b->cells[i].row + b->cells[i].rowspan;
	apply_merges(b);
	qsort(b->cells, b->n, sizeof *b->cells, cell_order);
	link_slot_sums(b);
	doc_table *t = arena_alloc(c->a, sizeof *t);
	t->kind = b->lt->name;
	t->ncols = b->lt->ncols;
	t->col_widths = b->lt->col_widths;
	t->nrows = b->nrows;
	t->cells = b->cells;
	t->ncells = b->n;
	t->repeat_first = b->repeat_first >= 0 ? b->repeat_first : 0;
	t->repeat_count = b->repeat_first >= 0 ? b->repeat_last - b->repeat_first + 1 : 0;
	t->border = 500;
	t->col_min = b->lt->col_min;
	t->col_max = b->lt->col_max;
	t->one_page = b->lt->one_page;
	bool blank;
	t->title = slot_expand(c, b->lt->path, b->lt->title, s, NULL);
	t->caption_left = slot_expand(c, b->lt->path, b->lt->caption_left, s, &blank);
	if (blank)
		t->caption_left = "";
	t->caption_right = slot_expand(c, b->lt->path, b->lt->caption_right, s, &blank);
	if (blank)
		t->caption_right = "";
	t->note = slot_expand(c, b->lt->path, b->lt->note, s, NULL);
	t->title_style = layout_style_find(c->l, "表题");
	t->caption_style = layout_style_find(c->l, "表头说明");
	t->note_style = layout_style_find(c->l, "表注");
	if (!t->title_style || !t->caption_style || !t->note_style)
		compose_fail(c, "document.layout：[样式]中缺少“表题”“表头说明”或“表注”");
	return t;
}

/* Excel sheet names: none of : \ / ? * [ ]; the Excel back end shortens a name longer than 31
 * characters at a word boundary. */
const char *compose_sheet_name(arena *a, const char *title)
{
	buf b = {0};
	size_t n = strlen(title), k;
	for (size_t i = 0; i < n; i += k) {
		uint32_t cp;
		k = utf8_decode(title + i, n - i, &cp);
		if (!k)
			break;
		if (strchr(":\\/?*[]'", (int)cp) && cp < 0x80)
			buf_putc(&b, '_');
		else
			buf_put(&b, title + i, k);
	}
	const char *out = arena_strdup(a, b.data ? b.data : "表");
	buf_free(&b);
	return out;
}

/* ---- documents ---------------------------------------------------------------------------------- */



void db_begin_section(doc_builder *d, const doc_page *page, bool numbered)
{
	doc_section *s = vec_push(d->c->a, &d->sections, &d->nsections, &d->sections_cap, sizeof *s);
	s->page = *page;
	s->numbered = numbered;
	d->blocks = NULL;
	d->nblocks = d->blocks_cap = 0;
}

doc_block *db_add_block(doc_builder *d, doc_block_kind kind)
{
	doc_block *b = vec_push(d->c->a, &d->blocks, &d->nblocks, &d->blocks_cap, sizeof *b);
	b->kind = kind;
	doc_section *s = &d->sections[d->nsections - 1];
	s->blocks = d->blocks;
	s->nblocks = d->nblocks;
	return b;
}

const doc_style *db_style(doc_builder *d, const char *name)
{
	const doc_style *st = layout_style_find(d->c->l, name);
	if (!st)
		compose_fail(d->c, "document.layout：[样式]中缺少“%s”", name);
	return st;
}

void db_paragraph(doc_builder *d, const char *style_name, const char *text)
{
	doc_block *b = db_add_block(d, BLOCK_PARAGRAPH);
	b->style = db_style(d, style_name);
	b->text = text;
	/* a heading set as a paragraph ((一)…, 部门职责：) stays with the first lines of its text */
	b->keep_with_next = strstr(style_name, "标题") != NULL;
}

void db_heading(doc_builder *d, const char *style_name, int level, const char *text,
                        bool hidden)
{
	doc_block *b = db_add_block(d, BLOCK_HEADING);
	b->style = db_style(d, style_name);
	b->text = text;
	b->level = level;
	b->in_toc = true;
	b->hidden = hidden;
	b->anchor = d->next_anchor++;
	b->keep_with_next = true;
}

const char *compose_cn_number(arena *a, size_t n)
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

doc_document *db_document(composer *c, doc_builder *d, const char *title)
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
	doc->words = c->l->words;
	doc->nwords = c->l->nwords;
	return doc;
}


/* ---- JSON view of the tables (tests, `budgetgen dump --tables`) ------------------------------- */

void compose_dump_tables(buf *out, const doc_document *doc)
{
	buf_puts(out, "{\"tables\": [");
	bool first = true;
	for (size_t s = 0; s < doc->nsections; s++) {
		for (size_t k = 0; k < doc->sections[s].nblocks; k++) {
			const doc_block *blk = &doc->sections[s].blocks[k];
			if (blk->kind != BLOCK_TABLE)
				continue;
			const doc_table *t = blk->table;
			buf_puts(out, first ? "\n  {\"title\": " : ",\n  {\"title\": ");
			first = false;
			buf_put_json_string(out, t->title);
			buf_puts(out, ", \"kind\": ");
			buf_put_json_string(out, t->kind);
			buf_puts(out, ", \"note\": ");
			buf_put_json_string(out, t->note);
			buf_puts(out, ", \"rows\": [");
			size_t ci = 0;
			for (int r = 0; r < t->nrows; r++) {
				buf_puts(out, r ? ",\n    [" : "\n    [");
				for (int col = 0; col < t->ncols; col++) {
					const char *text = "";
					while (ci < t->ncells && (t->cells[ci].row < r ||
					                          (t->cells[ci].row == r && t->cells[ci].col < col)))
						ci++;
					if (ci < t->ncells && t->cells[ci].row == r && t->cells[ci].col == col)
						text = t->cells[ci].text;
					if (col)
						buf_puts(out, ", ");
					buf_put_json_string(out, text);
				}
				buf_putc(out, ']');
			}
			buf_puts(out, "]}");
		}
	}
	buf_puts(out, "\n]}\n");
}
