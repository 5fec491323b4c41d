/* paginate.c — lays the document IR out on pages (paginate.h). Owns prose flow (headings kept with
 * what follows, lines never split), table geometry (row heights from wrapped cell text, spans),
 * table page breaks with repeated header rows and re-shown merged labels, grid borders merged into
 * full-length segments, page-number footers and the table of contents with its page numbers. */
#include "emit/paginate.h"

#include <stdlib.h>
#include <string.h>

#include "emit/libharu/subset.h"
#include "text/linebreak.h"

/* ---- measuring ---------------------------------------------------------------------------- */

/* The pages are the same for every format (the Word TOC's page numbers and the Excel row heights
 * are the PDF's), so the layout keeps to the glyphs the strictest writer can draw: libharu 2.3's
 * (emit/libharu/subset.h). A character it cannot draw falls back to another face, or is missing,
 * in the .docx and .xlsx as well. Installing the policy the set already has costs two compares. */
static void layout_policy(font_set *fonts)
{
	font_set_policy(fonts, &haru_glyph_policy);
}

mpt pg_advance(font_set *fonts, const doc_style *st, uint32_t cp)
{
	font_face *face;
	if (font_pick(fonts, st->role, cp, &face) != FONT_GLYPH_OK)
		return st->size; /* drawn as nothing, but keeps its place */
	font_vmetrics vm;
	font_face_vmetrics(face, &vm);
	int64_t units = font_advance_units(face, cp);
	return (mpt)((units * st->size + vm.units_per_em / 2) / vm.units_per_em);
}

typedef struct measure_ctx {
	font_set *fonts;
	const doc_style *st;
} measure_ctx;

static int32_t measure_cb(void *ctx, uint32_t cp)
{
	measure_ctx *m = ctx;
	return pg_advance(m->fonts, m->st, cp);
}

/* pg_break with a word list for the holds (NULL: numbers and document numbers only). */
static size_t break_words(font_set *fonts, const doc_style *st, const char *text, mpt width,
                          bool prose, bool squeeze, const lb_words *words, lb_params *lp,
                          lb_line **lines)
{
	size_t len = strlen(text);
	uint8_t small[256];
	uint8_t *hold = len <= sizeof small ? small : xmalloc(len);
	lb_hold(text, len, words, hold);
	*lp = (lb_params){.width = width > 1000 ? width : 1000,
	                  .first_indent = prose ? st->first_indent : 0,
	                  .em = st->size,
	                  .justify = prose && st->align == ALIGN_JUSTIFY,
	                  .squeeze = squeeze,
	                  .hold = hold,
	                  .no_widow = true};
	measure_ctx mc = {fonts, st};
	layout_policy(fonts);
	*lines = NULL;
	size_t n = lb_break(text, len, lp, measure_cb, &mc, lines);
	lp->hold = NULL;
	if (hold != small)
		free(hold);
	return n;
}

size_t pg_break(font_set *fonts, const doc_style *st, const char *text, mpt width, bool prose,
                bool squeeze, lb_params *lp, lb_line **lines)
{
	return break_words(fonts, st, text, width, prose, squeeze, NULL, lp, lines);
}

/* ---- the pager ------------------------------------------------------------------------------ */

typedef struct toc_slot {
	int anchor;
	size_t page;
	mpt baseline;
	mpt x_text_end;  /* where the title's last line ends */
	mpt x_right;     /* right edge of the text area */
	mpt top, bottom; /* of the entry, for the link */
	mpt x_left;
	const doc_style *st;
	size_t run_slot;  /* two empty runs reserved after the title: leader dots, page number */
} toc_slot;

/* An edge of a cell on a page, merged into long segments before drawing. */
typedef struct edge {
	mpt at;     /* y of a horizontal edge, x of a vertical one */
	mpt from, to;
} edge;

typedef struct pager {
	arena *a;
	font_set *fonts;
	const doc_document *doc;
	pg_result *r;
	const doc_section *sec;
	pg_page *page;      /* current page, NULL before the first */
	mpt y;              /* next free position from the top */
	mpt top, bottom;    /* text area */
	mpt left, width;
	int number;         /* last page number given */
	bool at_top;        /* nothing placed on this page yet */
	toc_slot *toc;
	size_t ntoc, toc_cap;
	int *pending;       /* hidden headings waiting for the next block's position */
	size_t npending, pending_cap;
	edge *hedges, *vedges;
	size_t nh, hcap, nv, vcap;
	uint32_t *seen_missing; /* code points already reported */
	size_t nseen, seen_cap;
	lb_words words;     /* the document's word list (holds inside words) */
} pager;

static int edge_cmp(const void *pa, const void *pb)
{
	const edge *a = pa, *b = pb;
	if (a->at != b->at)
		return a->at < b->at ? -1 : 1;
	return (a->from > b->from) - (a->from < b->from);
}

/* Merges collinear, touching or overlapping edges and emits them as rules. */
static void flush_edges(pager *p, edge *e, size_t n, bool horizontal)
{
	if (!n)
		return;
	qsort(e, n, sizeof *e, edge_cmp);
	size_t i = 0;
	while (i < n) {
		edge cur = e[i++];
		while (i < n && e[i].at == cur.at && e[i].from <= cur.to + 10) {
			if (e[i].to > cur.to)
				cur.to = e[i].to;
			i++;
		}
		pg_rule *rule = vec_push(p->a, &p->page->rules, &p->page->nrules, &p->page->rules_cap,
		                         sizeof *rule);
		rule->width = 500;
		if (horizontal)
			*rule = (pg_rule){cur.from, cur.at, cur.to, cur.at, 500};
		else
			*rule = (pg_rule){cur.at, cur.from, cur.at, cur.to, 500};
	}
}

static void add_rect_edges(pager *p, mpt x1, mpt y1, mpt x2, mpt y2)
{
	edge *e = vec_push(p->a, &p->hedges, &p->nh, &p->hcap, sizeof *e);
	*e = (edge){y1, x1, x2};
	e = vec_push(p->a, &p->hedges, &p->nh, &p->hcap, sizeof *e);
	*e = (edge){y2, x1, x2};
	e = vec_push(p->a, &p->vedges, &p->nv, &p->vcap, sizeof *e);
	*e = (edge){x1, y1, y2};
	e = vec_push(p->a, &p->vedges, &p->nv, &p->vcap, sizeof *e);
	*e = (edge){x2, y1, y2};
}

static void draw_text_line(pager *p, const doc_style *st, const char *text, const lb_line *ln,
                           bool first, const lb_params *lp, mpt x0, mpt baseline);
static size_t break_text(pager *p, const doc_style *st, const char *text, mpt width, bool prose,
                         lb_params *lp, lb_line **lines);

static void finish_page(pager *p)
{
	if (!p->page)
		return;
	flush_edges(p, p->hedges, p->nh, true);
	flush_edges(p, p->vedges, p->nv, false);
	p->nh = p->nv = 0;
	if (p->sec->numbered) {
		p->page->number = ++p->number;
		const doc_style *st = p->doc->page_number_style;
		const char *fmt = p->doc->page_number_format ? p->doc->page_number_format : "{页}";
		buf b = {0};
		const char *at = strstr(fmt, "{页}");
		if (at) {
			buf_put(&b, fmt, (size_t)(at - fmt));
			buf_printf(&b, "%d", p->page->number);
			buf_puts(&b, at + strlen("{页}"));
		} else {
			buf_puts(&b, fmt);
		}
		const char *text = arena_strdup(p->a, b.data);
		buf_free(&b);
		lb_params lp;
		lb_line *lines;
		size_t n = break_text(p, st, text, p->page->setup->width, false, &lp, &lines);
		if (n) {
			mpt x = (p->page->setup->width - lines[0].natural) / 2;
			draw_text_line(p, st, text, &lines[0], true, &lp, x,
			               p->page->setup->height - p->page->setup->footer_distance);
		}
	}
	p->r->numbered_pages = p->number;
}

static void new_page(pager *p)
{
	finish_page(p);
	p->page = vec_push(p->a, &p->r->pages, &p->r->npages, &p->r->pages_cap, sizeof *p->page);
	p->page->setup = &p->sec->page;
	const doc_page *pg = &p->sec->page;
	p->top = pg->margin_top;
	p->bottom = pg->height - pg->margin_bottom;
	p->left = pg->margin_left;
	p->width = pg->width - pg->margin_left - pg->margin_right;
	p->y = p->top;
	p->at_top = true;
}

/* Records where pending hidden headings landed: the current position. */
static void place_pending(pager *p)
{
	for (size_t i = 0; i < p->npending; i++) {
		pg_anchor *an = &p->r->anchors[p->pending[i]];
		an->page = p->r->npages - 1;
		an->y = p->y;
	}
	p->npending = 0;
}

static void note_missing(pager *p, uint32_t cp, font_glyph_status st, const char *context)
{
	for (size_t i = 0; i < p->nseen; i++)
		if (p->seen_missing[i] == cp)
			return;
	uint32_t *s = vec_push(p->a, &p->seen_missing, &p->nseen, &p->seen_cap, sizeof *s);
	*s = cp;
	pg_missing *m = vec_push(p->a, &p->r->missing, &p->r->nmissing, &p->r->missing_cap, sizeof *m);
	m->cp = cp;
	m->status = st;
	m->context = context;
}

/* Draws one broken line: characters placed by lb_place, grouped into runs of one face. */
static void draw_text_line(pager *p, const doc_style *st, const char *text, const lb_line *ln,
                           bool first, const lb_params *lp, mpt x0, mpt baseline)
{
	size_t cap = ln->end - ln->start + 1;
	mpt *xs = arena_alloc(p->a, cap * sizeof *xs);
	measure_ctx mc = {p->fonts, st};
	size_t n = lb_place(text, ln, first, lp, measure_cb, &mc, xs, cap);
	for (size_t i = 0; i < n; i++)
		xs[i] += x0;
	size_t i = ln->start, ci = 0;
	pg_run *run = NULL;
	font_face *run_face = NULL;
	while (i < ln->end && ci < n) {
		uint32_t cp;
		size_t k = utf8_decode(text + i, ln->end - i, &cp);
		if (!k)
			k = 1, cp = 0xFFFD;
		font_face *face = NULL;
		font_glyph_status gs = font_pick(p->fonts, st->role, cp, &face);
		if (cp_is_space(cp)) {
			run = NULL; /* blanks are gaps, never drawn */
		} else if (gs != FONT_GLYPH_OK) {
			note_missing(p, cp, gs, text);
			run = NULL;
		} else {
			if (!run || face != run_face) {
				run = vec_push(p->a, &p->page->runs, &p->page->nruns, &p->page->runs_cap,
				               sizeof *run);
				run->face = face;
				run->size = st->size;
				run->x = xs[ci];
				run->y = baseline;
				run->text = text + i;
				run->xs = xs + ci;
				run->bold = st->bold;
				run_face = face;
			}
			run->len = (size_t)(text + i + k - run->text);
		}
		i += k;
		ci++;
	}
}

/* Baseline of a line box of height lh whose top is at y, for a font of size sz: centres the em
 * box (0.88 em above the baseline, 0.12 below) in the box. */
static mpt baseline_in(mpt y, mpt lh, mpt sz)
{
	return y + lh / 2 + sz * 38 / 100;
}

static size_t break_text(pager *p, const doc_style *st, const char *text, mpt width, bool prose,
                         lb_params *lp, lb_line **lines)
{
	lb_line *heap = NULL;
	size_t n = break_words(p->fonts, st, text, width, prose, true, &p->words, lp, &heap);
	*lines = arena_alloc(p->a, (n ? n : 1) * sizeof **lines);
	if (n)
		memcpy(*lines, heap, n * sizeof **lines);
	free(heap);
	return n;
}

static mpt align_offset(doc_align al, mpt width, mpt natural)
{
	if (natural > width)
		return 0;
	switch (al) {
	case ALIGN_CENTER: return (width - natural) / 2;
	case ALIGN_RIGHT: return width - natural;
	case ALIGN_LEFT:
	case ALIGN_JUSTIFY: break;
	}
	return 0;
}

/* ---- prose ---------------------------------------------------------------------------------- */

static void ensure_room(pager *p, mpt h)
{
	if (!p->page || (p->y + h > p->bottom && !p->at_top))
		new_page(p);
}

static void flow_paragraph(pager *p, const doc_style *st, const char *text)
{
	lb_params lp;
	lb_line *lines;
	size_t n = break_text(p, st, text, p->width, true, &lp, &lines);
	mpt lh = st->line_height;
	if (!p->at_top)
		p->y += st->space_before;
	ensure_room(p, lh);
	place_pending(p);
	for (size_t i = 0; i < n; i++) {
		ensure_room(p, lh);
		mpt x = p->left + align_offset(st->align, p->width, lines[i].natural +
		                                                     (i == 0 ? lp.first_indent : 0));
		draw_text_line(p, st, text, &lines[i], i == 0, &lp, x, baseline_in(p->y, lh, st->size));
		p->y += lh;
		p->at_top = false;
	}
	if (n == 0) {
		p->y += lh;
		p->at_top = false;
	}
	p->y += st->space_after;
}

/* ---- tables ------------------------------------------------------------------------------------- */

typedef struct cell_lines {
	lb_line *lines;
	size_t n;
	lb_params lp;
	mpt need; /* height the cell's text needs, padding included */
} cell_lines;

typedef struct table_geom {
	const doc_table *t;
	mpt *colx;      /* ncols + 1 positions from the table's left edge */
	mpt *h;         /* row heights */
	cell_lines *cl; /* per cell */
} table_geom;

static void measure_table(pager *p, const doc_table *t, table_geom *g)
{
	g->t = t;
	g->colx = arena_alloc(p->a, (size_t)(t->ncols + 1) * sizeof *g->colx);
	for (int c = 0; c < t->ncols; c++)
		g->colx[c + 1] = g->colx[c] + t->col_widths[c];
	g->h = arena_alloc(p->a, (size_t)(t->nrows ? t->nrows : 1) * sizeof *g->h);
	g->cl = arena_alloc(p->a, (t->ncells ? t->ncells : 1) * sizeof *g->cl);
	for (size_t i = 0; i < t->ncells; i++) {
		const doc_cell *c = &t->cells[i];
		const doc_style *st = c->style;
		mpt w = g->colx[c->col + c->colspan] - g->colx[c->col] - 2 * st->pad_x;
		cell_lines *cl = &g->cl[i];
		cl->n = break_text(p, st, c->text, w, false, &cl->lp, &cl->lines);
		size_t nl = cl->n ? cl->n : 1;
		cl->need = (mpt)nl * st->line_height + 2 * st->pad_y;
	}
	for (size_t i = 0; i < t->ncells; i++) {
		const doc_cell *c = &t->cells[i];
		if (c->rowspan == 1 && g->cl[i].need > g->h[c->row])
			g->h[c->row] = g->cl[i].need;
	}
	for (int r = 0; r < t->nrows; r++)
		if (!g->h[r])
			g->h[r] = 12000;
	/* spanning cells: give any missing height to the rows they cover, evenly */
	for (size_t i = 0; i < t->ncells; i++) {
		const doc_cell *c = &t->cells[i];
		if (c->rowspan < 2)
			continue;
		mpt have = 0;
		for (int r = c->row; r < c->row + c->rowspan && r < t->nrows; r++)
			have += g->h[r];
		if (have >= g->cl[i].need)
			continue;
		mpt extra = g->cl[i].need - have;
		for (int r = c->row; r < c->row + c->rowspan && r < t->nrows; r++) {
			mpt share = extra / (c->row + c->rowspan - r);
			g->h[r] += share;
			extra -= share;
		}
	}
}

/* Draws the cells of rows [first, last) whose tops are at rowy[r]; cells that started above
 * `first` are continuation pieces (their label re-shown when repeat_label). */
static int draw_rows(pager *p, const table_geom *g, int first, int last, const mpt *rowy,
                     mpt x0)
{
	const doc_table *t = g->t;
	int relabelled = 0;
	for (size_t i = 0; i < t->ncells; i++) {
		const doc_cell *c = &t->cells[i];
		int r1 = c->row, r2 = c->row + c->rowspan;
		if (r2 <= first || r1 >= last)
			continue;
		bool continued = r1 < first;
		int a = r1 < first ? first : r1, b = r2 > last ? last : r2;
		mpt top = rowy[a], bottom = rowy[b];
		mpt left = x0 + g->colx[c->col], right = x0 + g->colx[c->col + c->colspan];
		add_rect_edges(p, left, top, right, bottom);
		if (continued && !c->repeat_label)
			continue;
		relabelled += continued;
		const cell_lines *cl = &g->cl[i];
		const doc_style *st = c->style;
		mpt text_h = (mpt)cl->n * st->line_height;
		mpt inner = bottom - top - 2 * st->pad_y;
		mpt ty = top + st->pad_y;
		if (st->valign == VALIGN_MIDDLE && inner > text_h)
			ty += (inner - text_h) / 2;
		else if (st->valign == VALIGN_BOTTOM && inner > text_h)
			ty += inner - text_h;
		mpt w = right - left - 2 * st->pad_x;
		for (size_t k = 0; k < cl->n; k++) {
			mpt x = left + st->pad_x + align_offset(st->align, w, cl->lines[k].natural);
			draw_text_line(p, st, c->text, &cl->lines[k], false, &cl->lp, x,
			               baseline_in(ty, st->line_height, st->size));
			ty += st->line_height;
		}
	}
	return relabelled;
}

static void note_piece(pager *p, const doc_table *t, int first, int last, bool repeated,
                       int relabelled)
{
	pg_table_piece *pc = vec_push(p->a, &p->r->pieces, &p->r->npieces, &p->r->pieces_cap,
	                              sizeof *pc);
	*pc = (pg_table_piece){t, p->r->npages - 1, first, last, repeated, relabelled};
}

/* Heights of the block above a table's grid: the title's lines with the space after them, and
 * the caption line; 0 for either that is absent. */
static void title_block_heights(pager *p, const doc_table *t, mpt *title_h, mpt *caption_h)
{
	*title_h = *caption_h = 0;
	if (*t->title && t->title_style) {
		const doc_style *st = t->title_style;
		lb_params lp;
		lb_line *lines;
		size_t n = break_text(p, st, t->title, p->width, false, &lp, &lines);
		*title_h = (mpt)n * st->line_height + st->space_after;
	}
	if ((*t->caption_left || *t->caption_right) && t->caption_style)
		*caption_h = t->caption_style->line_height;
}

/* Draws the title block measured by title_block_heights at p->y; without the title when
 * !with_title (a continuation page). */
static void draw_title_block(pager *p, const doc_table *t, bool with_title)
{
	mpt h = 0;
	if (with_title && *t->title && t->title_style) {
		const doc_style *st = t->title_style;
		lb_params lp;
		lb_line *lines;
		size_t n = break_text(p, st, t->title, p->width, false, &lp, &lines);
		for (size_t i = 0; i < n; i++) {
			mpt x = p->left + align_offset(st->align, p->width, lines[i].natural);
			draw_text_line(p, st, t->title, &lines[i], false, &lp, x,
			               baseline_in(p->y + h, st->line_height, st->size));
			h += st->line_height;
		}
		h += st->space_after;
	}
	if ((*t->caption_left || *t->caption_right) && t->caption_style) {
		const doc_style *st = t->caption_style;
		const char *texts[2] = {t->caption_left, t->caption_right};
		for (int side = 0; side < 2; side++) {
			if (!*texts[side])
				continue;
			lb_params lp;
			lb_line *lines;
			size_t n = break_text(p, st, texts[side], p->width, false, &lp, &lines);
			if (n) {
				mpt x = p->left + (side ? p->width - lines[0].natural : 0);
				draw_text_line(p, st, texts[side], &lines[0], false, &lp, x,
				               baseline_in(p->y + h, st->line_height, st->size));
			}
		}
	}
}

enum { MIN_ROWS = 3 }; /* body rows a form (one_page) never leaves alone on a page */

/* The rows of t (heights h) that start a new page when its row 0 is set at y0 on a page whose
 * text area runs from top to bottom: a body row that does not fit below what is on the page goes
 * to a new page, which starts with the caption line (cont_h high) and the repeated rows. Never a row of the header block; the last
 * page of a form gets at least MIN_ROWS body rows when the page before can spare them. */
static size_t table_breaks(arena *a, const doc_table *t, const mpt *h, mpt y0, mpt top, mpt bottom,
                           mpt cont_h, int **breaks)
{
	int head_end = t->repeat_first + t->repeat_count;
	if (head_end > t->nrows)
		head_end = t->nrows;
	mpt rep_h = 0;
	for (int r = t->repeat_first; r < head_end; r++)
		rep_h += h[r];
	*breaks = NULL;
	size_t n = 0, cap = 0;
	mpt y = y0;
	int seg = 0;
	for (int r = 0; r < t->nrows; r++) {
		if (r >= head_end && r > seg && y + h[r] > bottom) {
			*(int *)vec_push(a, breaks, &n, &cap, sizeof **breaks) = r;
			y = top + cont_h + rep_h;
			seg = r;
		}
		y += h[r];
	}
	if (n && t->one_page) {
		int last = (*breaks)[n - 1], prev = n > 1 ? (*breaks)[n - 2] : head_end;
		int want = t->nrows - MIN_ROWS;
		if (last > want && want - prev >= MIN_ROWS) {
			mpt tail = top + cont_h + rep_h;
			for (int r = want; r < t->nrows; r++)
				tail += h[r];
			if (tail <= bottom)
				(*breaks)[n - 1] = want;
		}
	}
	return n;
}

/* Records in r->overflow the first row of t that cannot fit on a page: taller than the text
 * area, with the repeated header rows above it on a continuation page. */
static void check_rows_fit(pager *p, const doc_table *t, const table_geom *g, int head_end)
{
	if (p->r->overflow)
		return;
	const doc_page *pg = &p->sec->page;
	mpt room = pg->height - pg->margin_top - pg->margin_bottom;
	mpt head_h = 0, rep_h = 0;
	for (int r = 0; r < head_end; r++)
		head_h += g->h[r];
	for (int r = t->repeat_first; r < head_end; r++)
		rep_h += g->h[r];
	for (int r = 0; r < t->nrows; r++) {
		mpt need = r < head_end ? head_h : rep_h + g->h[r];
		if (need <= room)
			continue;
		if (r < head_end) /* the header block, kept together: blame its tallest row */
			for (int k = 0; k < head_end; k++)
				if (g->h[k] > g->h[r])
					r = k;
		const char *text = ""; /* the row's longest text, to find it by */
		for (size_t i = 0; i < t->ncells; i++)
			if (t->cells[i].row == r && strlen(t->cells[i].text) > strlen(text))
				text = t->cells[i].text;
		size_t cut = 0, k = 0;
		for (int chars = 0; text[cut] && chars < 20; chars++, cut += k) {
			uint32_t cp;
			k = utf8_decode(text + cut, strlen(text + cut), &cp);
			if (!k)
				break;
		}
		p->r->overflow = arena_printf(
			p->a, "表格“%s”的第 %d 行高 %.0f 毫米，超过一页版心的 %.0f 毫米（表格的行不跨页），"
			      "排不下；请缩短这一行的文字：“%.*s%s”",
			*t->title ? t->title : t->kind, r + 1, need / 2834.645669, room / 2834.645669, (int)cut,
			text, text[cut] ? "…" : "");
		return;
	}
}

/* ---- fitting a table to its columns and its page ----------------------------------------------- */

/* The cells' styles `step` half points smaller, never below their min_size: a copy of t. */
static doc_table *scaled_table(pager *p, const doc_table *t, int step)
{
	doc_table *s = arena_alloc(p->a, sizeof *s);
	*s = *t;
	if (!step)
		return s;
	doc_cell *cells = arena_alloc(p->a, (t->ncells ? t->ncells : 1) * sizeof *cells);
	const doc_style **from = arena_alloc(p->a, (t->ncells ? t->ncells : 1) * sizeof *from);
	doc_style **to = arena_alloc(p->a, (t->ncells ? t->ncells : 1) * sizeof *to);
	size_t nst = 0;
	for (size_t i = 0; i < t->ncells; i++) {
		cells[i] = t->cells[i];
		const doc_style *st = t->cells[i].style;
		size_t k = 0;
		while (k < nst && from[k] != st)
			k++;
		if (k == nst) {
			doc_style *c = arena_alloc(p->a, sizeof *c);
			*c = *st;
			mpt size = st->size - (mpt)step * 500;
			if (st->min_size > 0 && size < st->min_size)
				size = st->min_size;
			if (st->min_size <= 0 || size > st->size)
				size = st->size;
			c->size = size;
			c->line_height = (mpt)((int64_t)st->line_height * size / st->size);
			from[nst] = st, to[nst] = c, nst++;
		}
		cells[i].style = to[k];
	}
	s->cells = cells;
	return s;
}

/* How many half-point steps the cells of t may shrink. */
static int shrink_steps(const doc_table *t)
{
	int steps = 0;
	for (size_t i = 0; i < t->ncells; i++) {
		const doc_style *st = t->cells[i].style;
		if (st->min_size > 0 && st->min_size < st->size) {
			int k = (st->size - st->min_size + 499) / 500;
			if (k > steps)
				steps = k;
		}
	}
	return steps;
}

/* The widths a cell's text asks for: *line all of it on one line when that fits within `room`,
 * else its widest piece that must not break (a word, a code, a number with its unit), which
 * *unit always is. Padding included. */
static void cell_need(pager *p, const doc_cell *c, mpt room, mpt *line, mpt *unit)
{
	const doc_style *st = c->style;
	size_t len = strlen(c->text);
	*line = *unit = 0;
	if (!len)
		return;
	mpt whole = 0;
	bool one_line = !memchr(c->text, '\n', len);
	for (size_t i = 0, k; one_line && i < len; i += k) {
		uint32_t cp;
		k = utf8_decode(c->text + i, len - i, &cp);
		if (!k)
			k = 1, cp = 0xFFFD;
		whole += pg_advance(p->fonts, st, cp);
		if (whole > room)
			one_line = false;
	}
	uint8_t small[256];
	uint8_t *hold = len <= sizeof small ? small : xmalloc(len);
	lb_hold(c->text, len, &p->words, hold);
	lb_params lp = {.width = room, .em = st->size, .squeeze = true, .hold = hold};
	measure_ctx mc = {p->fonts, st};
	mpt w = lb_min_width(c->text, len, &lp, measure_cb, &mc);
	if (hold != small)
		free(hold);
	*unit = w + 2 * st->pad_x;
	*line = one_line ? whole + 2 * st->pad_x : *unit;
}

/* Whether cell c set `width` wide (padding included) ends with one character alone on its last
 * line (closing punctuation after it aside): the line breaker gives a widow a companion where it
 * can, so one left means the text cannot get one at this width. */
static bool cell_ends_alone(pager *p, const doc_cell *c, mpt width)
{
	lb_params lp;
	lb_line *lines;
	size_t n = break_text(p, c->style, c->text, width - 2 * c->style->pad_x, false, &lp, &lines);
	if (n < 2 || !lines[n - 1].last || lines[n - 2].last)
		return false;
	size_t chars = 0;
	const char *s = c->text;
	for (size_t i = lines[n - 1].start, k; i < lines[n - 1].end; i += k) {
		uint32_t cp;
		k = utf8_decode(s + i, lines[n - 1].end - i, &cp);
		if (!k)
			k = 1;
		bool closer = chars > 0 &&
		              (cp == 0x3002 || cp == 0xFF0C || cp == 0x3001 || cp == 0xFF1B || cp == 0xFF1A ||
		               cp == 0xFF09 || cp == 0x201D || cp == '%' || cp == 0xFF05 || cp == ')' || cp == '.');
		if (!closer)
			chars++;
	}
	return chars == 1;
}

/* After the columns are fitted: a column where a cell would still end with one character alone
 * widens by as little as lets it have a companion (steps of half its size, within col_max),
 * taking the width from columns that have it to spare above their codes and numbers whole. */
static void fit_widows(pager *p, const doc_table *t, mpt *w, const mpt *hard)
{
	int nc = t->ncols;
	for (size_t i = 0; i < t->ncells; i++) {
		const doc_cell *c = &t->cells[i];
		if (c->colspan != 1 || !*c->text || !cell_ends_alone(p, c, w[c->col]))
			continue;
		int col = c->col;
		for (mpt add = c->style->size / 2; add <= 2 * c->style->size; add += c->style->size / 2) {
			if (w[col] + add > t->col_max[col])
				break;
			mpt spare = 0;
			for (int k = 0; k < nc; k++) {
				mpt floor = hard[k] > t->col_min[k] ? hard[k] : t->col_min[k];
				if (k != col && w[k] > floor)
					spare += w[k] - floor;
			}
			if (spare < add)
				break;
			if (cell_ends_alone(p, c, w[col] + add))
				continue;
			/* the others give `add` back in proportion to their spare width */
			mpt taken = 0;
			int64_t seen = 0;
			for (int k = 0; k < nc; k++) {
				mpt floor = hard[k] > t->col_min[k] ? hard[k] : t->col_min[k];
				if (k == col || w[k] <= floor)
					continue;
				seen += w[k] - floor;
				mpt take = (mpt)((int64_t)add * seen / spare) - taken;
				w[k] -= take;
				taken += take;
			}
			w[col] += taken;
			break;
		}
	}
}

/* Column widths of t that follow its content within col_min/col_max: a column widens to set its
 * labels on one line and its codes and numbers whole, and the columns with room to spare give
 * the width back, so the sum stays the text width. */
static const mpt *fit_columns(pager *p, const doc_table *t)
{
	int nc = t->ncols;
	mpt *need = arena_alloc(p->a, (size_t)nc * sizeof *need);  /* labels on one line */
	mpt *hard = arena_alloc(p->a, (size_t)nc * sizeof *hard);  /* codes and numbers whole */
	mpt *w = arena_alloc(p->a, (size_t)nc * sizeof *w);
	for (size_t i = 0; i < t->ncells; i++) {
		const doc_cell *c = &t->cells[i];
		if (c->colspan != 1)
			continue;
		mpt line, unit;
		cell_need(p, c, t->col_max[c->col] - 2 * c->style->pad_x, &line, &unit);
		if (line > need[c->col])
			need[c->col] = line;
		if (unit > hard[c->col])
			hard[c->col] = unit;
	}
	for (int c = 0; c < nc; c++) {
		mpt v = need[c] > t->col_widths[c] ? need[c] : t->col_widths[c];
		w[c] = v > t->col_max[c] ? t->col_max[c] : v;
	}
	/* a spanning cell whose unbreakable piece is wider than its columns widens its last column */
	for (size_t i = 0; i < t->ncells; i++) {
		const doc_cell *c = &t->cells[i];
		if (c->colspan == 1)
			continue;
		mpt have = 0;
		for (int k = c->col; k < c->col + c->colspan; k++)
			have += w[k];
		mpt line, n;
		cell_need(p, c, 0, &line, &n);
		for (int k = c->col + c->colspan - 1; k >= c->col && n > have; k--) {
			mpt add = n - have < t->col_max[k] - w[k] ? n - have : t->col_max[k] - w[k];
			if (add > 0)
				w[k] += add, have += add;
			if (w[k] > need[k])
				need[k] = w[k];
			if (w[k] > hard[k])
				hard[k] = w[k];
		}
	}
	mpt total = 0, excess;
	for (int c = 0; c < nc; c++)
		total += t->col_widths[c];
	for (int pass = 0; pass < 2; pass++) {
		/* pass 0: from the room columns have beyond their labels on one line; pass 1: beyond
		 * their codes and numbers whole (labels wrap at word boundaries instead) */
		const mpt *needs = pass ? hard : need;
		excess = -total;
		mpt slack = 0;
		for (int c = 0; c < nc; c++) {
			excess += w[c];
			mpt floor = needs[c] > t->col_min[c] ? needs[c] : t->col_min[c];
			if (w[c] > floor)
				slack += w[c] - floor;
		}
		if (excess <= 0 || slack <= 0)
			continue;
		mpt take_all = excess < slack ? excess : slack, taken = 0;
		int64_t seen = 0;
		for (int c = 0; c < nc; c++) {
			mpt floor = needs[c] > t->col_min[c] ? needs[c] : t->col_min[c];
			if (w[c] <= floor)
				continue;
			seen += w[c] - floor;
			mpt take = (mpt)((int64_t)take_all * seen / slack) - taken;
			w[c] -= take;
			taken += take;
		}
	}
	excess = -total;
	for (int c = 0; c < nc; c++)
		excess += w[c];
	w[nc - 1] -= excess; /* rounding: nothing left but a few millipoints */
	fit_widows(p, t, w, hard);
	return w;
}

static mpt grid_height(const doc_table *t, const table_geom *g)
{
	mpt h = 0;
	for (int r = 0; r < t->nrows; r++)
		h += g->h[r];
	return h;
}

/* A form that does not fit its page at the smallest size: tries widening each column in turn by
 * 4 mm (within col_max), the others giving the width back in proportion to their room above
 * col_min, and keeps each change that makes the grid shorter. Returns the grid's height; s and g
 * hold the best widths found and their geometry. */
static mpt balance_columns(pager *p, doc_table *s, table_geom *g, mpt h)
{
	int nc = s->ncols;
	const mpt step = MPT_FROM_MM(4);
	for (int round = 0; round < 2; round++) {
		bool better = false;
		for (int c = 0; c < nc; c++) {
			const mpt *cur = s->col_widths;
			mpt add = s->col_max[c] - cur[c] < step ? s->col_max[c] - cur[c] : step;
			mpt room = 0;
			for (int k = 0; k < nc; k++)
				if (k != c && cur[k] > s->col_min[k])
					room += cur[k] - s->col_min[k];
			if (add > room)
				add = room;
			if (add <= 0)
				continue;
			mpt *w = arena_alloc(p->a, (size_t)nc * sizeof *w);
			mpt taken = 0;
			int64_t seen = 0;
			for (int k = 0; k < nc; k++) {
				w[k] = cur[k];
				if (k == c || cur[k] <= s->col_min[k])
					continue;
				seen += cur[k] - s->col_min[k];
				mpt take = (mpt)((int64_t)add * seen / room) - taken;
				w[k] -= take;
				taken += take;
			}
			w[c] += taken;
			table_geom trial;
			s->col_widths = w;
			measure_table(p, s, &trial);
			mpt th = grid_height(s, &trial);
			if (th < h) {
				h = th, *g = trial, better = true;
			} else {
				s->col_widths = cur;
			}
		}
		if (!better)
			break;
	}
	return h;
}

/* The table as it is set: t itself, or a copy whose columns follow the content (col_min/col_max)
 * and, for a form (one_page), whose cells are set at the largest size, down to their min_size,
 * at which title, caption and grid fit one page; at the smallest when none does. g receives its
 * geometry. */
static const doc_table *fit_table(pager *p, const doc_table *t, table_geom *g)
{
	if (!t->one_page && !t->col_min) {
		measure_table(p, t, g);
		return t;
	}
	const doc_page *pg = &p->sec->page;
	mpt room = pg->height - pg->margin_top - pg->margin_bottom, title_h, caption_h;
	title_block_heights(p, t, &title_h, &caption_h);
	int steps = t->one_page ? shrink_steps(t) : 0;
	doc_table *s = NULL;
	mpt h = 0;
	for (int k = 0; k <= steps; k++) {
		s = scaled_table(p, t, k);
		if (t->col_min && t->col_max)
			s->col_widths = fit_columns(p, s);
		measure_table(p, s, g);
		h = title_h + caption_h + grid_height(s, g);
		if (h <= room)
			return s;
	}
	if (t->one_page && t->col_min && t->col_max)
		h = title_h + caption_h + balance_columns(p, s, g, h - title_h - caption_h);
	return s;
}

static void flow_table(pager *p, const doc_table *t0)
{
	table_geom g;
	const doc_table *t = fit_table(p, t0, &g);
	pg_table_rows *tr = vec_push(p->a, &p->r->tables, &p->r->ntables, &p->r->tables_cap, sizeof *tr);
	tr->table = t0;
	tr->set = t;
	tr->heights = g.h;
	title_block_heights(p, t, &tr->title_h, &tr->caption_h);
	mpt cap_h = tr->title_h + tr->caption_h;
	int *sheet_breaks;
	tr->nbreaks = table_breaks(p->a, t, g.h, p->sec->page.margin_top + cap_h, p->sec->page.margin_top,
	                           p->sec->page.height - p->sec->page.margin_bottom, tr->caption_h,
	                           &sheet_breaks);
	tr->breaks = sheet_breaks;

	int head_end = t->repeat_first + t->repeat_count; /* header block and repeated rows */
	if (head_end > t->nrows)
		head_end = t->nrows;
	mpt head_h = 0;
	for (int r = 0; r < head_end; r++)
		head_h += g.h[r];
	mpt first_body = 0; /* the first body rows that must come with the header */
	for (int r = head_end; r < t->nrows && r < head_end + (t->one_page ? MIN_ROWS : 1); r++)
		first_body += g.h[r];
	check_rows_fit(p, t, &g, head_end);
	ensure_room(p, cap_h + head_h + first_body);
	place_pending(p);
	draw_title_block(p, t, true);
	p->y += cap_h;
	p->at_top = false;

	int *breaks;
	size_t nbreaks = table_breaks(p->a, t, g.h, p->y, p->top, p->bottom, tr->caption_h, &breaks),
	       next = 0;
	mpt *rowy = arena_alloc(p->a, (size_t)(t->nrows + 1) * sizeof *rowy);
	mpt x0 = p->left;
	int seg = 0;
	rowy[0] = p->y;
	for (int r = 0; r < t->nrows; r++) {
		if (next < nbreaks && breaks[next] == r) {
			next++;
			note_piece(p, t0, seg, r, seg > 0, draw_rows(p, &g, seg, r, rowy, x0));
			new_page(p);
			/* the caption line (部门, 预算年度, 单位：万元) and the repeated header rows at the top
			 * of the continuation page, as the published booklets have them */
			draw_title_block(p, t, false);
			mpt *rep = arena_alloc(p->a, (size_t)(t->nrows + 1) * sizeof *rep);
			mpt y = p->y + tr->caption_h;
			for (int k = t->repeat_first; k < head_end; k++) {
				rep[k] = y;
				y += g.h[k];
			}
			rep[head_end] = y;
			if (t->repeat_count)
				draw_rows(p, &g, t->repeat_first, head_end, rep, x0);
			seg = r;
			rowy[r] = y;
		}
		rowy[r + 1] = rowy[r] + g.h[r];
	}
	note_piece(p, t0, seg, t->nrows, seg > 0, draw_rows(p, &g, seg, t->nrows, rowy, x0));
	p->y = rowy[t->nrows];
	p->at_top = false;
	if (*t->note && t->note_style)
		flow_paragraph(p, t->note_style, t->note);
}

/* ---- table of contents ------------------------------------------------------------------------ */

enum { TOC_MIN_LAST = 3 }; /* entries the last page of the table of contents holds at least */

/* The entry of the table of contents before which a page must break so that its last page is not
 * an orphan of one or two entries: counts the entries the pages would hold (each of lines[i]
 * lines of lh[i]). (size_t)-1 when no break is needed. */
/* Pages the entries (heights h scaled by scale/1000) take from the current position. */
static int toc_pages(const pager *p, const mpt *h, size_t n, int scale)
{
	mpt y = p->y;
	int pages = 1;
	for (size_t i = 0; i < n; i++) {
		mpt hi = (mpt)((int64_t)h[i] * scale / 1000);
		if (y + hi > p->bottom && i) {
			y = p->top;
			pages++;
		}
		y += hi;
	}
	return pages;
}

static size_t toc_early_break(const pager *p, const mpt *h, size_t n)
{
	mpt y = p->y;
	size_t on_page = 0, page_start = 0;
	for (size_t i = 0; i < n; i++) {
		if (y + h[i] > p->bottom && on_page) {
			y = p->top;
			on_page = 0;
			page_start = i;
		}
		y += h[i];
		on_page++;
	}
	if (page_start == 0 || on_page >= TOC_MIN_LAST || n - TOC_MIN_LAST <= 0)
		return (size_t)-1;
	return n - TOC_MIN_LAST;
}

/* One entry of the table of contents, broken into lines once (heights first, then drawing). */
typedef struct toc_entry {
	const doc_block *h;
	const doc_style *st;
	mpt indent;
	lb_params lp;
	lb_line *lines;
	size_t n;
} toc_entry;

static void flow_toc(pager *p, const doc_block *blk)
{
	const doc_document *doc = p->doc;
	toc_entry *ents = NULL;
	size_t nent = 0, cap = 0;
	for (size_t s = 0; s < doc->nsections; s++) {
		for (size_t b = 0; b < doc->sections[s].nblocks; b++) {
			const doc_block *h = &doc->sections[s].blocks[b];
			if (h->kind != BLOCK_HEADING || !h->in_toc || h->level > blk->toc_levels)
				continue;
			const doc_style *st = doc->toc_styles[h->level > 3 ? 2 : h->level - 1];
			if (!st)
				continue;
			toc_entry *e = vec_push(p->a, &ents, &nent, &cap, sizeof *ents);
			e->h = h;
			e->st = st;
			e->indent = (mpt)(h->level - 1) * st->size * 2;
			e->n = break_text(p, st, h->text, p->width - e->indent - st->size * 3, false, &e->lp,
			                  &e->lines);
		}
	}
	/* the entries' heights, to keep the last page from holding one or two entries */
	mpt *heights = arena_alloc(p->a, (nent ? nent : 1) * sizeof *heights);
	for (size_t i = 0; i < nent; i++)
		heights[i] = ents[i].st->line_height * (mpt)(ents[i].n ? ents[i].n : 1);
	/* a table of contents that spills a little onto one more page is set with its lines up to
	 * 15% closer instead */
	int scale = 1000, pages = toc_pages(p, heights, nent, 1000);
	for (int k = 950; k >= 850; k -= 50)
		if (toc_pages(p, heights, nent, k) < pages) {
			scale = k;
			break;
		}
	for (size_t i = 0; i < nent; i++)
		heights[i] = (mpt)((int64_t)heights[i] * scale / 1000);
	size_t early = toc_early_break(p, heights, nent);
	for (size_t entry = 0; entry < nent; entry++) {
		const doc_block *h = ents[entry].h;
		const doc_style *st = ents[entry].st;
		mpt indent = ents[entry].indent;
		lb_params lp = ents[entry].lp;
		const lb_line *lines = ents[entry].lines;
		size_t n = ents[entry].n;
		mpt lh = (mpt)((int64_t)st->line_height * scale / 1000);
		if (entry == early && !p->at_top)
			new_page(p);
		ensure_room(p, lh * (mpt)(n ? n : 1));
		mpt top = p->y;
		mpt end_x = p->left + indent;
		for (size_t i = 0; i < n; i++) {
			draw_text_line(p, st, h->text, &lines[i], false, &lp, p->left + indent,
			               baseline_in(p->y, lh, st->size));
			end_x = p->left + indent + lines[i].natural;
			p->y += lh;
		}
		toc_slot *ts = vec_push(p->a, &p->toc, &p->ntoc, &p->toc_cap, sizeof *ts);
		ts->anchor = h->anchor;
		ts->page = p->r->npages - 1;
		ts->baseline = baseline_in(p->y - lh, lh, st->size);
		ts->x_text_end = end_x;
		ts->x_right = p->left + p->width;
		ts->x_left = p->left + indent;
		ts->top = top;
		ts->bottom = p->y;
		ts->st = st;
		/* reserve the runs that fill_toc fills, so the entry reads in order */
		ts->run_slot = p->page->nruns;
		for (int k = 0; k < 2; k++) {
			pg_run *run = vec_push(p->a, &p->page->runs, &p->page->nruns, &p->page->runs_cap,
			                       sizeof *run);
			run->face = NULL;
		}
		p->at_top = false;
	}
}

/* Fills the page numbers and leaders of the table of contents once every heading is placed. */
static void fill_toc(pager *p)
{
	for (size_t i = 0; i < p->ntoc; i++) {
		const toc_slot *ts = &p->toc[i];
		const pg_anchor *an = NULL;
		for (size_t k = 0; k < p->r->nanchors; k++)
			if (p->r->anchors[k].anchor == ts->anchor)
				an = &p->r->anchors[k];
		if (!an)
			continue;
		int number = p->r->pages[an->page].number;
		p->page = &p->r->pages[ts->page];
		const char *num = number ? arena_printf(p->a, "%d", number) : "";
		measure_ctx mc = {p->fonts, ts->st};
		mpt num_w = 0;
		for (const char *c = num; *c; c++)
			num_w += measure_cb(&mc, (uint32_t)*c);
		mpt dot_w = measure_cb(&mc, 0x00B7);
		mpt gap_from = ts->x_text_end + ts->st->size / 2, gap_to = ts->x_right - num_w - ts->st->size / 2;
		buf b = {0};
		for (mpt x = gap_from; dot_w > 0 && x + dot_w <= gap_to; x += dot_w)
			buf_puts(&b, "·");
		const char *dots = arena_strdup(p->a, b.data ? b.data : "");
		buf_free(&b);
		const char *texts[2] = {dots, num};
		mpt xs[2] = {gap_from, ts->x_right - num_w};
		for (int k = 0; k < 2; k++) {
			pg_run *run = &p->page->runs[ts->run_slot + (size_t)k];
			uint32_t cp;
			font_face *face = NULL;
			if (!*texts[k] || !utf8_decode(texts[k], strlen(texts[k]), &cp) ||
			    font_pick(p->fonts, ts->st->role, cp, &face) != FONT_GLYPH_OK)
				continue; /* stays an empty run, which no emitter draws */
			*run = (pg_run){.face = face, .size = ts->st->size, .x = xs[k], .y = ts->baseline,
			                .text = texts[k], .len = strlen(texts[k])};
		}
		pg_link *lk = vec_push(p->a, &p->page->links, &p->page->nlinks, &p->page->links_cap,
		                       sizeof *lk);
		*lk = (pg_link){ts->x_left, ts->top, ts->x_right, ts->bottom, ts->anchor};
	}
}

/* ---- driver --------------------------------------------------------------------------------------- */

static mpt paragraph_height(pager *p, const doc_style *st, const char *text);

/* Height of the first lines of the n blocks at b that a heading before them keeps with it: two
 * lines of a paragraph (all when it has fewer), a table's title block and its first rows; all
 * of a heading that keeps with what follows it, and that too. */
static mpt block_lead(pager *p, const doc_block *b, size_t n)
{
	if (!n)
		return 0;
	if (b->kind == BLOCK_HEADING && b->hidden)
		return block_lead(p, b + 1, n - 1);
	if ((b->kind == BLOCK_PARAGRAPH || b->kind == BLOCK_HEADING) && b->style) {
		if (b->kind == BLOCK_HEADING || b->keep_with_next)
			return paragraph_height(p, b->style, b->text) + block_lead(p, b + 1, n - 1);
		lb_params lp;
		lb_line *lines;
		size_t k = break_text(p, b->style, b->text, p->width, true, &lp, &lines);
		return b->style->space_before + b->style->line_height * (mpt)(k < 2 ? (k ? k : 1) : 2);
	}
	if (b->kind == BLOCK_TABLE) {
		mpt title_h, caption_h;
		title_block_heights(p, b->table, &title_h, &caption_h);
		return title_h + caption_h + MPT_FROM_MM(30);
	}
	return 0;
}


/* Height of paragraph text in st set across the text width, with the space around it. */
static mpt paragraph_height(pager *p, const doc_style *st, const char *text)
{
	lb_params lp;
	lb_line *lines;
	size_t n = break_text(p, st, text, p->width, true, &lp, &lines);
	return st->space_before + st->line_height * (mpt)(n ? n : 1) + st->space_after;
}

/* A paragraph that keeps with the next block (a heading set as a paragraph): a new page when it
 * and the first lines of what follows do not fit below. */
static void keep_together(pager *p, const doc_block *b, size_t nnext)
{
	if (!b->keep_with_next || !p->page || p->at_top)
		return;
	if (p->y + paragraph_height(p, b->style, b->text) + block_lead(p, b + 1, nnext) > p->bottom)
		new_page(p);
}

static void flow_heading(pager *p, const doc_block *b, size_t nnext)
{
	pg_anchor *an = vec_push(p->a, &p->r->anchors, &p->r->nanchors, &p->r->anchors_cap, sizeof *an);
	an->anchor = b->anchor;
	an->level = b->level;
	an->title = b->text;
	if (b->hidden) {
		int *slot = vec_push(p->a, &p->pending, &p->npending, &p->pending_cap, sizeof *slot);
		*slot = (int)(p->r->nanchors - 1);
		return;
	}
	/* keep the heading with the first line of what follows */
	mpt need = paragraph_height(p, b->style, b->text) + block_lead(p, b + 1, nnext);
	if (!p->at_top && p->y + need > p->bottom)
		new_page(p);
	if (!p->page)
		new_page(p);
	an->page = p->r->npages - 1;
	an->y = p->y;
	flow_paragraph(p, b->style, b->text);
}

const pg_result *paginate(arena *a, font_set *fonts, const doc_document *doc)
{
	pager p = {.a = a, .fonts = fonts, .doc = doc, .words = {doc->words, doc->nwords}};
	layout_policy(fonts);
	p.r = arena_alloc(a, sizeof *p.r);
	for (size_t s = 0; s < doc->nsections; s++) {
		finish_page(&p); /* the last page of the previous section, numbered by its section */
		p.page = NULL;
		p.sec = &doc->sections[s];
		new_page(&p);
		for (size_t i = 0; i < p.sec->nblocks; i++) {
			const doc_block *b = &p.sec->blocks[i];
			switch (b->kind) {
			case BLOCK_HEADING: flow_heading(&p, b, p.sec->nblocks - i - 1); break;
			case BLOCK_PARAGRAPH:
				keep_together(&p, b, p.sec->nblocks - i - 1);
				flow_paragraph(&p, b->style, b->text);
				break;
			case BLOCK_TABLE: flow_table(&p, b->table); break;
			case BLOCK_PAGE_BREAK:
				if (!p.at_top)
					new_page(&p);
				break;
			case BLOCK_TOC: flow_toc(&p, b); break;
			case BLOCK_SPACE: p.y += b->space; break;
			}
		}
	}
	place_pending(&p);
	finish_page(&p);
	fill_toc(&p);
	return p.r;
}

const pg_table_rows *pg_table_layout(const pg_result *r, const doc_table *t)
{
	for (size_t i = 0; i < r->ntables; i++)
		if (r->tables[i].table == t)
			return &r->tables[i];
	return NULL;
}

const mpt *pg_row_heights(const pg_result *r, const doc_table *t)
{
	const pg_table_rows *tr = pg_table_layout(r, t);
	return tr ? tr->heights : NULL;
}

/* ---- text dump ------------------------------------------------------------------------------- */

static mpt run_end(const pg_run *run)
{
	size_t i = 0, last = 0, n = 0;
	uint32_t cp = 0, lastcp = 0;
	while (i < run->len) {
		size_t k = utf8_decode(run->text + i, run->len - i, &cp);
		if (!k)
			k = 1;
		last = i;
		lastcp = cp;
		i += k;
		n++;
	}
	font_vmetrics vm;
	font_face_vmetrics(run->face, &vm);
	mpt adv = (mpt)((int64_t)font_advance_units(run->face, lastcp) * run->size / vm.units_per_em);
	mpt x = run->xs ? run->xs[n ? n - 1 : 0] : run->x;
	if (!run->xs) { /* natural advances from x */
		x = run->x;
		for (size_t j = 0, k; j < run->len && j < last; j += k) {
			k = utf8_decode(run->text + j, run->len - j, &cp);
			if (!k)
				k = 1;
			x += (mpt)((int64_t)font_advance_units(run->face, cp) * run->size / vm.units_per_em);
		}
	}
	return x + adv;
}

static int run_order(const void *pa, const void *pb)
{
	const pg_run *a = *(const pg_run *const *)pa, *b = *(const pg_run *const *)pb;
	if (a->y != b->y)
		return a->y < b->y ? -1 : 1;
	return (a->x > b->x) - (a->x < b->x);
}

void pg_dump_text(buf *out, const pg_result *r)
{
	for (size_t pg = 0; pg < r->npages; pg++) {
		const pg_page *page = &r->pages[pg];
		buf_printf(out, "page %zu", pg + 1);
		if (page->number)
			buf_printf(out, " (printed %d)", page->number);
		buf_printf(out, " %s\n", page->setup->orientation == ORIENT_LANDSCAPE ? "landscape" : "portrait");
		for (size_t i = 0; i < r->npieces; i++) {
			const pg_table_piece *pc = &r->pieces[i];
			if (pc->page != pg)
				continue;
			buf_printf(out, "  table \"%s\" rows %d-%d%s", pc->table->title, pc->first_row,
			           pc->last_row - 1, pc->repeated_header ? " after repeated header" : "");
			if (pc->relabelled)
				buf_printf(out, ", %d merged label(s) shown again", pc->relabelled);
			buf_puts(out, "\n");
		}
		const pg_run **runs = xmalloc((page->nruns ? page->nruns : 1) * sizeof *runs);
		size_t nr = 0;
		for (size_t i = 0; i < page->nruns; i++)
			if (page->runs[i].face && page->runs[i].len)
				runs[nr++] = &page->runs[i];
		qsort(runs, nr, sizeof *runs, run_order);
		for (size_t i = 0; i < nr;) {
			mpt y = runs[i]->y;
			buf_printf(out, "  %6.1f ", (double)y / 2834.645669);
			mpt prev_end = -1;
			for (; i < nr && runs[i]->y == y; i++) {
				if (prev_end >= 0 && runs[i]->x - prev_end > 1500)
					buf_puts(out, " | ");
				buf_put(out, runs[i]->text, runs[i]->len);
				prev_end = run_end(runs[i]);
			}
			buf_puts(out, "\n");
		}
		free(runs);
	}
}
