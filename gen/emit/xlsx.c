/* xlsx.c — writes the document IR as an .xlsx workbook with libxlsxwriter (xlsx.h).
 * Owns the mapping of doc.h onto worksheets: the prose sheets, one sheet per table (title block,
 * grid with merges split where the PDF breaks the page, numbers and SUM formulas, note), formats,
 * unique sheet names and the print setup; and libxlsxwriter's quirks recorded in
 * shared/DEPENDENCIES.md (fixed creation date, merge-then-write for numbers, pixel widths). */
#define _GNU_SOURCE /* memfd_create */
#include "emit/xlsx.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <unistd.h>
#include <xlsxwriter.h>
#include <zip.h>

#include "text/linebreak.h"
#include "base/util.h"

enum {
	SHEET_NAME_MAX = 31, /* Excel's limit, in characters */
	MAX_BREAKS = 1023,   /* Excel's limit of manual page breaks per sheet */
	PAPER_A4 = 9
};

#define ROW_MAX_PT 409.5     /* Excel's tallest row */
#define PX_PER_PT (96.0 / 72.0)
#define FIXED_CREATED 946684800 /* 2000-01-01T00:00:00Z, when SOURCE_DATE_EPOCH is unset */

/* ---- context ------------------------------------------------------------------------------- */

/* Everything a cell format depends on; formats are shared by the whole workbook. */
typedef struct fmt_key {
	const char *font;  /* family name (font_role_family) */
	mpt size;
	bool bold;
	bool wrap;
	bool border;       /* thin lines on all four sides */
	uint8_t align;     /* LXW_ALIGN_LEFT … */
	uint8_t valign;    /* LXW_ALIGN_VERTICAL_… */
	const char *num;   /* number format, or NULL for General */
} fmt_key;

typedef struct fmt_entry {
	fmt_key key;
	lxw_format *format;
} fmt_entry;

typedef struct xlsx_ctx {
	lxw_workbook *wb;
	font_set *fonts;
	arena *a;
	fmt_entry *fmts;
	size_t nfmts, fmts_cap;
	const char **names;  /* sheet names given so far */
	size_t nnames, names_cap;
	char *err;
	size_t errlen;
	bool failed;
} xlsx_ctx;

/* libxlsxwriter's error in Chinese (lxw_strerror is English); errno says more where it is set. */
static const char *lxw_error_text(lxw_error e)
{
	if (e == LXW_ERROR_MEMORY_MALLOC_FAILED)
		return "内存不足";
	if (e == LXW_ERROR_CREATING_XLSX_FILE || e == LXW_ERROR_CREATING_TMPFILE ||
	    e == LXW_ERROR_READING_TMPFILE || e == LXW_ERROR_ZIP_FILE_OPERATION ||
	    e == LXW_ERROR_ZIP_FILE_ADD || e == LXW_ERROR_ZIP_CLOSE)
		return errno ? errno_text(errno) : "无法写入文件";
	if (e == LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED)
		return "单元格文字超过 Excel 的长度上限（32767 个字符）";
	if (e == LXW_ERROR_SHEETNAME_LENGTH_EXCEEDED || e == LXW_ERROR_INVALID_SHEETNAME_CHARACTER ||
	    e == LXW_ERROR_SHEETNAME_START_END_APOSTROPHE || e == LXW_ERROR_SHEETNAME_ALREADY_USED)
		return "工作表名称不合 Excel 的规定";
	return "Excel 库内部错误";
}

/* Records the first libxlsxwriter error; returns true when e is no error. */
static bool check(xlsx_ctx *x, lxw_error e, const char *what)
{
	if (e == LXW_NO_ERROR)
		return true;
	if (!x->failed)
		snprintf(x->err, x->errlen, "Excel 文件生成失败（%s：%s）", what, lxw_error_text(e));
	x->failed = true;
	return false;
}

/* ---- units ----------------------------------------------------------------------------------- */

static double points(mpt v)
{
	return (double)v / MPT_PER_PT;
}

static double inches(mpt v)
{
	return (double)v / MPT_PER_PT / 72.0;
}

/* A row height in points as Excel stores it (twips, 1/20 pt), rounded down: the rows of a printed
 * page never add up to more than the PDF's page held, so the page breaks fall where the PDF's do
 * (also where a program computes them itself: Excel ignores manual breaks under fit-to-width). */
static double row_points(mpt h)
{
	double p = floor((double)h / 50.0) * 0.05;
	if (p < 1)
		p = 1;
	return p > ROW_MAX_PT ? ROW_MAX_PT : p;
}

/* Column width in whole pixels, rounded down so the columns never exceed the text width. */
static uint16_t column_pixels(mpt w)
{
	double px = floor(points(w) * PX_PER_PT);
	return (uint16_t)(px < 1 ? 1 : px > 4000 ? 4000 : px);
}

/* ---- measuring (shared with paginate.c) ------------------------------------------------------ */

/* Breaks text as the pages are set; the caller frees *lines. */
static size_t break_lines(xlsx_ctx *x, const doc_style *st, const char *text, mpt width,
                          bool squeeze, lb_line **lines)
{
	lb_params lp;
	return pg_break(x->fonts, st, text, width, false, squeeze, &lp, lines);
}

static mpt table_width(const doc_table *t)
{
	mpt width = 0;
	for (int c = 0; c < t->ncols; c++)
		width += t->col_widths[c];
	return width;
}

static size_t count_lines(xlsx_ctx *x, const doc_style *st, const char *text, mpt width,
                          bool squeeze)
{
	lb_line *lines = NULL;
	size_t n = break_lines(x, st, text, width, squeeze, &lines);
	free(lines);
	return n;
}

static mpt text_width(xlsx_ctx *x, const doc_style *st, const char *text)
{
	mpt w = 0;
	size_t n = strlen(text), k;
	for (size_t i = 0; i < n; i += k) {
		uint32_t cp;
		k = utf8_decode(text + i, n - i, &cp);
		if (!k)
			k = 1, cp = 0xFFFD;
		w += pg_advance(x->fonts, st, cp);
	}
	return w;
}

/* ---- formats ------------------------------------------------------------------------------- */

static bool same_str(const char *a, const char *b)
{
	return a == b || (a && b && strcmp(a, b) == 0);
}

static bool same_key(const fmt_key *a, const fmt_key *b)
{
	return same_str(a->font, b->font) && a->size == b->size && a->bold == b->bold &&
	       a->wrap == b->wrap && a->border == b->border && a->align == b->align &&
	       a->valign == b->valign && same_str(a->num, b->num);
}

static lxw_format *format_for(xlsx_ctx *x, const fmt_key *k)
{
	for (size_t i = 0; i < x->nfmts; i++)
		if (same_key(&x->fmts[i].key, k))
			return x->fmts[i].format;
	lxw_format *f = workbook_add_format(x->wb);
	if (!f) {
		check(x, LXW_ERROR_MEMORY_MALLOC_FAILED, "格式");
		return NULL;
	}
	if (k->font)
		format_set_font_name(f, k->font);
	format_set_font_size(f, points(k->size));
	if (k->bold)
		format_set_bold(f);
	if (k->wrap)
		format_set_text_wrap(f);
	if (k->border)
		format_set_border(f, LXW_BORDER_THIN);
	format_set_align(f, k->align);
	format_set_align(f, k->valign);
	if (k->num)
		format_set_num_format(f, k->num);
	fmt_entry *e = vec_push(x->a, &x->fmts, &x->nfmts, &x->fmts_cap, sizeof *e);
	e->key = *k;
	e->format = f;
	return f;
}

static uint8_t align_of(doc_align a)
{
	switch (a) {
	case ALIGN_LEFT: return LXW_ALIGN_LEFT;
	case ALIGN_CENTER: return LXW_ALIGN_CENTER;
	case ALIGN_RIGHT: return LXW_ALIGN_RIGHT;
	case ALIGN_JUSTIFY: return LXW_ALIGN_JUSTIFY;
	}
	return LXW_ALIGN_LEFT;
}

static uint8_t valign_of(doc_valign v)
{
	switch (v) {
	case VALIGN_TOP: return LXW_ALIGN_VERTICAL_TOP;
	case VALIGN_MIDDLE: return LXW_ALIGN_VERTICAL_CENTER;
	case VALIGN_BOTTOM: return LXW_ALIGN_VERTICAL_BOTTOM;
	}
	return LXW_ALIGN_VERTICAL_CENTER;
}

/* True when every character of text is one the 西文 face draws (digits, Latin, ASCII signs). */
static bool all_latin(const char *text)
{
	size_t n = strlen(text), k;
	for (size_t i = 0; i < n; i += k) {
		uint32_t cp;
		k = utf8_decode(text + i, n - i, &cp);
		if (!k || !font_is_latin(cp))
			return false;
	}
	return n > 0;
}

/* The family a cell is written in: the style's role, or the 西文 face for a number or a text of
 * Latin characters only when the role sends those to it (as the PDF draws them). */
static const char *family_for(xlsx_ctx *x, const doc_style *st, bool latin)
{
	if (latin && font_role_uses_latin(x->fonts, st->role))
		return font_role_family(x->fonts, FONT_ROLE_LATIN);
	return font_role_family(x->fonts, st->role);
}

/* Number format of a percentage: as many decimals as the value has (25% → "0%"). */
static const char *percent_format(decimal v)
{
	static const char *const fmts[] = {"0%", "0.0%", "0.00%", "0.000%", "0.0000%", "0.00000%",
	                                   "0.000000%"};
	int64_t m = v.micros < 0 ? -v.micros : v.micros;
	int places = DEC_SCALE_DIGITS;
	while (places > 0 && m % 10 == 0) {
		m /= 10;
		places--;
	}
	return fmts[places];
}

/* Number format of an amount: the decimals its printed text shows (20.982 → "0.000"), two at least. */
static const char *amount_format(const char *text)
{
	static const char *const fmts[] = {"0.00", "0.000", "0.0000", "0.00000", "0.000000"};
	const char *point = strchr(text, '.');
	size_t places = point ? strlen(point + 1) : 2;
	return fmts[places <= 2 ? 0 : places >= 6 ? 4 : places - 2];
}

/* A 序号 or 栏次 cell holding a whole number ("12"): written as a number, so that Excel does
 * not flag a number stored as text. */
static bool is_counter(const doc_cell *c)
{
	const char *name = c->style ? c->style->name : NULL;
	if (c->numfmt != NUM_NONE || !name || (strcmp(name, "序号") != 0 && strcmp(name, "栏次") != 0))
		return false;
	size_t n = strlen(c->text);
	if (n < 1 || n > 9 || (c->text[0] == '0' && n > 1))
		return false;
	for (size_t i = 0; i < n; i++)
		if (c->text[i] < '0' || c->text[i] > '9')
			return false;
	return true;
}

static lxw_format *cell_format(xlsx_ctx *x, const doc_cell *c)
{
	const doc_style *st = c->style;
	bool number = c->numfmt != NUM_NONE && *c->text;
	fmt_key k = {.font = family_for(x, st, number || all_latin(c->text)),
	             .size = st->size,
	             .bold = st->bold,
	             .wrap = true,
	             .border = true,
	             .align = align_of(st->align),
	             .valign = valign_of(st->valign)};
	if (number)
		k.num = c->numfmt == NUM_AMOUNT ? amount_format(c->text) : percent_format(c->value);
	return format_for(x, &k);
}

/* A block of text without borders: titles, captions, notes, prose. */
static lxw_format *text_format(xlsx_ctx *x, const doc_style *st, doc_align align, uint8_t valign)
{
	fmt_key k = {.font = family_for(x, st, false),
	             .size = st->size,
	             .bold = st->bold,
	             .wrap = true,
	             .align = align_of(align),
	             .valign = valign};
	return format_for(x, &k);
}

/* ---- sheet names ----------------------------------------------------------------------------- */

/* Excel compares sheet names without regard to case. */
static bool name_taken(const xlsx_ctx *x, const char *name)
{
	for (size_t i = 0; i < x->nnames; i++)
		if (strcasecmp(x->names[i], name) == 0)
			return true;
	return false;
}

/* Words of these forms a shortened sheet name may end with (the end of a compound such as
 * 补助资金 is a boundary too). */
static const char *const name_words[] = {
	"资金", "经费", "补助", "补贴", "费用", "保险", "工作", "项目", "服务", "管理", "建设", "系统",
	"培训", "活动", "专项", "配套", "基金", "改革", "制度", "单位", "机构", "事务", "支出", "奖励",
	"中心", "人员", "干部", "党员", "居民", "财政", "预算", "信息", "发展", "就业", "养老", "医疗",
	"教育", "保障", "维护", "运行", "救助", "帮扶", "租赁", "设施", "宣传", "党建", "人才", "费",
	"金",
};

static bool is_open_bracket(uint32_t cp)
{
	return cp == 0xFF08 /* （ */ || cp == '(' || cp == 0x3010 /* 【 */ || cp == '[' ||
	       cp == 0x300A /* 《 */ || cp == 0x201C /* “ */;
}

static bool is_close_bracket(uint32_t cp)
{
	return cp == 0xFF09 || cp == ')' || cp == 0x3011 || cp == ']' || cp == 0x300B || cp == 0x201D;
}

static bool is_separator(uint32_t cp)
{
	return cp == 0x3001 /* 、 */ || cp == 0xFF0C /* ， */ || cp == ',' || cp == 0xFF1B ||
	       cp == ';' || cp == 0xFF1A || cp == ' ' || cp == 0x3000;
}

/* The first max_chars characters of s, cut at a word boundary when s is longer: before an opening
 * bracket, after a closing one or a 、, after a year (2023年) or one of name_words, with the
 * brackets of what is kept balanced and no separator at its end; the plain cut only when no
 * boundary leaves at least a third of the characters. */
static char *shorten_name(arena *a, const char *s, size_t max_chars)
{
	size_t n = strlen(s), k;
	uint32_t cps[SHEET_NAME_MAX + 2];
	size_t offs[SHEET_NAME_MAX + 3];
	size_t count = 0, i = 0;
	while (i < n && count < max_chars + 1 && count < SHEET_NAME_MAX + 1) {
		k = utf8_decode(s + i, n - i, &cps[count]);
		if (!k)
			break;
		offs[count++] = i;
		i += k;
	}
	offs[count] = i;
	if (count <= max_chars) /* the whole name (or all of it that decodes) */
		return arena_strndup(a, s, i);
	for (size_t p = max_chars; p >= 1 && p * 3 >= max_chars; p--) {
		/* keep [0, p): the brackets balanced */
		int depth = 0;
		for (size_t q = 0; q < p; q++)
			depth += is_open_bracket(cps[q]) ? 1 : is_close_bracket(cps[q]) ? -1 : 0;
		if (depth != 0)
			continue;
		uint32_t last = cps[p - 1], next = cps[p];
		bool boundary = is_open_bracket(next) || is_close_bracket(last) || is_separator(last) ||
		                (last == 0x5E74 /* 年 */ && p >= 2 && cps[p - 2] >= '0' && cps[p - 2] <= '9');
		for (size_t w = 0; !boundary && w < sizeof name_words / sizeof *name_words; w++) {
			size_t len = strlen(name_words[w]);
			boundary = offs[p] >= len && memcmp(s + offs[p] - len, name_words[w], len) == 0 &&
			           next != 0x7528 /* 用: 费用 */ && next != 0x989D /* 额 */;
		}
		if (!boundary)
			continue;
		size_t end = p;
		while (end > 1 && (is_separator(cps[end - 1]) || is_open_bracket(cps[end - 1])))
			end--;
		return arena_strndup(a, s, offs[end]);
	}
	size_t end = max_chars;
	while (end > 1 && (is_separator(cps[end - 1]) || is_open_bracket(cps[end - 1])))
		end--;
	return arena_strndup(a, s, offs[end]);
}

/* want, shortened at a word boundary, or with a suffix "(2)", "(3)" … so that it is new and
 * ≤ 31 characters. */
static const char *unique_sheet_name(xlsx_ctx *x, const char *want)
{
	const char *name = shorten_name(x->a, *want ? want : "表", SHEET_NAME_MAX);
	for (int n = 2; name_taken(x, name) || workbook_validate_sheet_name(x->wb, name); n++) {
		char suffix[16];
		int len = snprintf(suffix, sizeof suffix, "(%d)", n);
		const char *base = shorten_name(x->a, *want ? want : "表", SHEET_NAME_MAX - (size_t)len);
		name = arena_printf(x->a, "%s%s", base, suffix);
		if (n > 9999) {
			check(x, LXW_ERROR_SHEETNAME_ALREADY_USED, name);
			return NULL;
		}
	}
	const char **slot = vec_push(x->a, &x->names, &x->nnames, &x->names_cap, sizeof *slot);
	*slot = name;
	return name;
}

static lxw_worksheet *add_sheet(xlsx_ctx *x, const char *want)
{
	const char *name = unique_sheet_name(x, want);
	if (!name)
		return NULL;
	lxw_worksheet *ws = workbook_add_worksheet(x->wb, name);
	if (!ws)
		check(x, LXW_ERROR_MEMORY_MALLOC_FAILED, name);
	return ws;
}

/* ---- print setup ----------------------------------------------------------------------------- */

/* A4 in the page's orientation and margins, one page wide (and one page tall when one_page),
 * page numbers in the footer. */
static void write_print_setup(xlsx_ctx *x, lxw_worksheet *ws, const doc_page *pg, bool one_page)
{
	worksheet_set_paper(ws, PAPER_A4);
	if (pg->orientation == ORIENT_LANDSCAPE)
		worksheet_set_landscape(ws);
	else
		worksheet_set_portrait(ws);
	worksheet_set_margins(ws, inches(pg->margin_left), inches(pg->margin_right),
	                      inches(pg->margin_top), inches(pg->margin_bottom));
	worksheet_fit_to_pages(ws, 1, one_page ? 1 : 0);
	/* the footer's baseline where the PDF prints its page number */
	mpt fd = pg->footer_distance > 4000 ? pg->footer_distance - 2000 : 0;
	lxw_header_footer_options fo = {.margin = fd > 0 ? inches(fd) : 0.3};
	check(x, worksheet_set_footer_opt(ws, "&C第 &P 页，共 &N 页", &fo), "页脚");
}

/* ---- prose sheets ---------------------------------------------------------------------------- */

typedef struct prose_block {
	const doc_block *b;
	const doc_page *page;
} prose_block;

typedef struct prose {
	prose_block *blocks;
	size_t n, cap;
} prose;

/* The blocks of the numbered sections (the body, not the cover or the contents), in order. */
static prose body_blocks(xlsx_ctx *x, const doc_document *doc)
{
	prose all = {0};
	for (size_t s = 0; s < doc->nsections; s++) {
		const doc_section *sec = &doc->sections[s];
		for (size_t i = 0; i < sec->nblocks && sec->numbered; i++) {
			prose_block *pb = vec_push(x->a, &all.blocks, &all.n, &all.cap, sizeof *pb);
			*pb = (prose_block){&sec->blocks[i], &sec->page};
		}
	}
	return all;
}

/* Whether b is one of the blocks of a prose sheet. */
static bool in_prose(const prose *p, const doc_block *b)
{
	for (size_t i = 0; i < p->n; i++)
		if (p->blocks[i].b == b)
			return true;
	return false;
}

/* Index of the block that ends the part opened by the heading at i: the next heading of the
 * same or a higher level. */
static size_t part_end(const prose *all, size_t i)
{
	size_t j = i + 1;
	while (j < all->n && !(all->blocks[j].b->kind == BLOCK_HEADING &&
	                       all->blocks[j].b->level <= all->blocks[i].b->level))
		j++;
	return j;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);
	return n >= k && strcmp(s + n - k, suffix) == 0;
}

/* Splits the running text of the document into the 整体绩效目标 part (its heading's text ends so)
 * and the rest (a booklet's 情况说明). Headings under which no paragraph follows — parts that
 * hold only tables, which have sheets of their own — are left out; so are tables. */
static void collect_prose(xlsx_ctx *x, const doc_document *doc, prose *overall, prose *rest)
{
	prose all = body_blocks(x, doc);
	size_t o_from = all.n, o_to = all.n;
	for (size_t i = 0; i < all.n && o_from == all.n; i++) {
		const doc_block *b = all.blocks[i].b;
		if (b->kind == BLOCK_HEADING && !b->hidden && ends_with(b->text, "整体绩效目标")) {
			o_from = i;
			o_to = part_end(&all, i);
		}
	}
	for (size_t i = 0; i < all.n; i++) {
		const doc_block *b = all.blocks[i].b;
		bool in_overall = i >= o_from && i < o_to;
		if (b->kind == BLOCK_HEADING && !b->hidden) {
			bool text_follows = false;
			for (size_t k = i + 1, end = part_end(&all, i); k < end && !text_follows; k++)
				text_follows = all.blocks[k].b->kind == BLOCK_PARAGRAPH &&
				               (in_overall || k < o_from || k >= o_to);
			if (!text_follows)
				continue;
		} else if (b->kind != BLOCK_PARAGRAPH) {
			continue;
		}
		prose *to = in_overall ? overall : rest;
		*(prose_block *)vec_push(x->a, &to->blocks, &to->n, &to->cap, sizeof *to->blocks) =
			all.blocks[i];
	}
}

/* The paragraph's text with its first-line indent as ideographic spaces (Excel has no
 * first-line indent; this is how Chinese documents are typed). */
static const char *indented(xlsx_ctx *x, const doc_style *st, const char *text)
{
	int n = st->size > 0 ? (st->first_indent + st->size / 2) / st->size : 0;
	if (n <= 0)
		return text;
	buf b = {0};
	for (int i = 0; i < n && i < 8; i++)
		buf_puts(&b, "　"); /* U+3000 */
	buf_puts(&b, text);
	const char *out = arena_strdup(x->a, b.data);
	buf_free(&b);
	return out;
}

/* Excel's inner cell margins, which the text cannot use. */
#define CELL_PAD_MPT 4500

/* The prose sheet's text width is split into this many columns, each paragraph merged across
 * them: a spreadsheet program cannot scale a page to fit a single column that is too wide for it
 * (LibreOffice prints it cut off when its default font is wider than Excel's). */
enum { PROSE_COLS = 4 };

/* The line pitch a spreadsheet program sets a font at: the face's ascender, descender and line
 * gap at the style's size (it ignores the layout's pitch), never less than 1.2 em. */
static mpt natural_pitch(xlsx_ctx *x, const doc_style *st)
{
	font_face *face = font_role_face(x->fonts, st->role);
	mpt pitch = st->size * 6 / 5;
	if (face) {
		font_vmetrics vm;
		font_face_vmetrics(face, &vm);
		if (vm.units_per_em > 0 && vm.line_height > 0) {
			mpt p = (mpt)((int64_t)vm.line_height * st->size / vm.units_per_em);
			if (p > pitch)
				pitch = p;
		}
	}
	return pitch;
}

/* Cell padding Excel and LibreOffice keep above and below wrapped text. */
#define CELL_PAD_Y_MPT 2000

/* One paragraph in one cell across PROSE_COLS columns, the whole text wrapped at the top: as
 * many lines as the layout breaks it into, at the pitch a spreadsheet sets them, and below them
 * the same gap after every paragraph (the leading the layout's pitch adds to a line, and the
 * style's space before and after), so that the paragraphs read evenly spaced. A paragraph taller
 * than Excel's tallest row is merged over as many rows as it needs: it is never cut. Headings
 * are bold. */
static void write_paragraph(xlsx_ctx *x, lxw_worksheet *ws, lxw_row_t *row, const doc_block *b,
                            mpt width)
{
	const doc_style *st = b->style;
	const char *t = indented(x, st, b->text);
	size_t n = count_lines(x, st, t, width - CELL_PAD_MPT, false);
	mpt pitch = natural_pitch(x, st);
	mpt lh = st->line_height > pitch ? st->line_height : pitch;
	mpt h = (mpt)(n ? n : 1) * pitch + (lh - pitch) + st->space_before + st->space_after +
	        CELL_PAD_Y_MPT;
	fmt_key k = {.font = family_for(x, st, false),
	             .size = st->size,
	             .bold = st->bold || b->kind == BLOCK_HEADING ||
	                     (st->name && strstr(st->name, "标题")),
	             .wrap = true,
	             .align = align_of(st->align),
	             .valign = LXW_ALIGN_VERTICAL_TOP};
	lxw_format *f = format_for(x, &k);
	mpt row_max = (mpt)(ROW_MAX_PT * MPT_PER_PT);
	lxw_row_t rows = (lxw_row_t)((h + row_max - 1) / row_max);
	for (lxw_row_t i = 0; i < rows; i++)
		check(x, worksheet_set_row(ws, *row + i, row_points(h / (mpt)rows + 49), NULL), "行高");
	check(x, worksheet_merge_range(ws, *row, 0, *row + rows - 1, PROSE_COLS - 1, t, f), "段落");
	*row += rows;
}

/* One sheet of running text, one paragraph per row across PROSE_COLS merged columns. */
static void write_prose_sheet(xlsx_ctx *x, const char *name, const prose *p)
{
	if (!p->n)
		return;
	lxw_worksheet *ws = add_sheet(x, name);
	if (!ws)
		return;
	const doc_page *pg = p->blocks[0].page;
	mpt width = pg->width - pg->margin_left - pg->margin_right;
	check(x, worksheet_set_column_pixels(ws, 0, PROSE_COLS - 1, column_pixels(width / PROSE_COLS),
	                                     NULL),
	      "列宽");
	lxw_row_t row = 0;
	for (size_t i = 0; i < p->n && !x->failed; i++)
		write_paragraph(x, ws, &row, p->blocks[i].b, width);
	write_print_setup(x, ws, pg, false);
}

/* The name of the sheet of the running text other than 整体绩效目标: the title of its first
 * heading (a booklet's 情况说明). */
static const char *rest_name(const prose *rest)
{
	for (size_t i = 0; i < rest->n; i++)
		if (rest->blocks[i].b->kind == BLOCK_HEADING)
			return rest->blocks[i].b->text;
	return "说明";
}

/* ---- table sheets -------------------------------------------------------------------------- */

typedef struct sheet_table {
	const doc_table *t;
	const doc_page *page;
	const mpt *h;        /* row heights from paginate */
	lxw_row_t r0;        /* sheet row of the table's row 0 */
	lxw_row_t *breaks;   /* sheet rows that start a new page, ascending */
	size_t nbreaks;
	bool one_page;       /* printed on one page, scaled down if need be */
	const doc_block *lead; /* the part's heading printed above the first table of a part (第二部分
	                        * 预算项目绩效目标), or NULL; lead_h its row's height */
	mpt lead_h, title_h, caption_h;
} sheet_table;

/* The height of the note row (0 without a note) and its line count. */
static mpt note_height(xlsx_ctx *x, const doc_table *t, size_t *lines)
{
	*lines = 0;
	if (!*t->note || !t->note_style)
		return 0;
	const doc_style *st = t->note_style;
	size_t n = count_lines(x, st, t->note, table_width(t) - CELL_PAD_MPT, false);
	*lines = n;
	return (mpt)(n ? n : 1) * st->line_height + st->space_before + 49;
}

/* The height a page can print between its margins. */
static mpt printable_height(const doc_page *pg)
{
	return pg->height - pg->margin_top - pg->margin_bottom;
}

/* The sheet's manual page breaks: none when the whole sheet (title block, grid, note) fits on
 * one printed page, at most scaled down from 五号 to 小五 (6/7: the smallest size a published
 * form uses; s->one_page); else those of the PDF's sheet of this table (paginate.h: the table
 * alone, from the top of a page under its title block), as sheet rows, at most Excel's
 * MAX_BREAKS. */
static void sheet_breaks(xlsx_ctx *x, sheet_table *s, const pg_table_rows *tr)
{
	size_t note_lines;
	int64_t total = s->lead_h + s->title_h + s->caption_h + note_height(x, s->t, &note_lines);
	for (int r = 0; r < s->t->nrows; r++)
		total += s->h[r];
	s->nbreaks = tr->nbreaks < MAX_BREAKS ? tr->nbreaks : MAX_BREAKS;
	s->one_page = total * 6 <= (int64_t)printable_height(s->page) * 7;
	if (s->one_page)
		s->nbreaks = 0;
	s->breaks = arena_alloc(x->a, (s->nbreaks + 1) * sizeof *s->breaks);
	for (size_t i = 0; i < s->nbreaks; i++)
		s->breaks[i] = s->r0 + (lxw_row_t)tr->breaks[i];
}

/* Writes one rectangle of the grid: a single cell or a merged range, its content or (a
 * continuation piece of a merged cell that does not repeat its label) nothing but borders. */
static void write_piece(xlsx_ctx *x, lxw_worksheet *ws, const sheet_table *s, const doc_cell *c,
                        lxw_row_t r1, lxw_row_t r2, bool content)
{
	lxw_col_t c1 = (lxw_col_t)c->col, c2 = (lxw_col_t)(c->col + c->colspan - 1);
	lxw_format *f = cell_format(x, c);
	bool number = content && c->numfmt != NUM_NONE && *c->text;
	bool counter = content && is_counter(c);
	const char *text = content && !number && !counter ? c->text : "";
	if (r1 != r2 || c1 != c2)
		check(x, worksheet_merge_range(ws, r1, c1, r2, c2, text, f), "合并单元格");
	else if (!number && !counter)
		check(x, worksheet_write_string(ws, r1, c1, text, f), "单元格");
	if (counter)
		check(x, worksheet_write_number(ws, r1, c1, strtod(c->text, NULL), f), "数值");
	if (!number)
		return;
	double v = (double)c->value.micros / (double)DEC_SCALE;
	if (c->numfmt == NUM_PERCENT)
		v = (double)c->value.micros / (double)(DEC_SCALE * 100);
	if (c->sum_of && c->nsum) {
		buf b = {0};
		buf_puts(&b, "=SUM(");
		for (size_t i = 0; i < c->nsum;) {
			/* a run of cells one below the other becomes a range: SUM(E6:E36) */
			const doc_cell *first = &s->t->cells[c->sum_of[i]];
			size_t k = i + 1;
			while (k < c->nsum && s->t->cells[c->sum_of[k]].col == first->col &&
			       s->t->cells[c->sum_of[k]].row == first->row + (int)(k - i))
				k++;
			char ref[LXW_MAX_CELL_NAME_LENGTH], to[LXW_MAX_CELL_NAME_LENGTH];
			lxw_rowcol_to_cell(ref, s->r0 + (lxw_row_t)first->row, (lxw_col_t)first->col);
			buf_printf(&b, "%s%s", i ? "," : "", ref);
			if (k - i > 1) {
				lxw_rowcol_to_cell(to, s->r0 + (lxw_row_t)first->row + (lxw_row_t)(k - i - 1),
				                   (lxw_col_t)first->col);
				buf_printf(&b, ":%s", to);
			}
			i = k;
		}
		buf_puts(&b, ")");
		check(x, worksheet_write_formula_num(ws, r1, c1, b.data, f, v), "公式");
		buf_free(&b);
	} else {
		check(x, worksheet_write_number(ws, r1, c1, v, f), "数值");
	}
}

/* A cell, split into one piece per printed page it spans so that each page shows a closed box
 * (and, for 一级/二级指标, the label again). */
static void write_cell(xlsx_ctx *x, lxw_worksheet *ws, const sheet_table *s, const doc_cell *c)
{
	lxw_row_t first = s->r0 + (lxw_row_t)c->row, end = first + (lxw_row_t)c->rowspan;
	lxw_row_t from = first;
	for (size_t i = 0; i <= s->nbreaks; i++) {
		lxw_row_t to = i < s->nbreaks ? s->breaks[i] : end;
		if (to <= from)
			continue;
		if (to > end)
			to = end;
		write_piece(x, ws, s, c, from, to - 1, from == first || c->repeat_label);
		from = to;
		if (from >= end)
			break;
	}
}

static void write_title_block(xlsx_ctx *x, lxw_worksheet *ws, const sheet_table *s)
{
	const doc_table *t = s->t;
	lxw_col_t last = (lxw_col_t)(t->ncols - 1);
	lxw_row_t row = 0;
	if (s->lead) {
		const doc_style *st = s->lead->style;
		lxw_format *f = text_format(x, st, st->align, LXW_ALIGN_VERTICAL_CENTER);
		if (last > 0)
			check(x, worksheet_merge_range(ws, row, 0, row, last, s->lead->text, f), "部分标题");
		else
			check(x, worksheet_write_string(ws, row, 0, s->lead->text, f), "部分标题");
		check(x, worksheet_set_row(ws, row, row_points(s->lead_h), NULL), "行高");
		row++;
	}
	if (s->title_h) {
		const doc_style *st = t->title_style;
		lxw_format *f = text_format(x, st, st->align, LXW_ALIGN_VERTICAL_CENTER);
		if (last > 0)
			check(x, worksheet_merge_range(ws, row, 0, row, last, t->title, f), "表题");
		else
			check(x, worksheet_write_string(ws, row, 0, t->title, f), "表题");
		check(x, worksheet_set_row(ws, row, row_points(s->title_h), NULL), "行高");
		row++;
	}
	if (s->caption_h) {
		const doc_style *st = t->caption_style;
		/* the right caption takes as many columns from the right as its text needs */
		mpt need = text_width(x, st, t->caption_right) + CELL_PAD_MPT, have = 0;
		int k = 0;
		while (*t->caption_right && k < t->ncols - (*t->caption_left ? 1 : 0) && have < need)
			have += t->col_widths[t->ncols - 1 - k++];
		lxw_format *left = text_format(x, st, ALIGN_LEFT, LXW_ALIGN_VERTICAL_CENTER);
		lxw_format *right = text_format(x, st, ALIGN_RIGHT, LXW_ALIGN_VERTICAL_CENTER);
		lxw_col_t split = (lxw_col_t)(t->ncols - k); /* first column of the right caption */
		if (split > 0 && *t->caption_left) {
			if (split > 1)
				check(x, worksheet_merge_range(ws, row, 0, row, split - 1, t->caption_left, left),
				      "表头说明");
			else
				check(x, worksheet_write_string(ws, row, 0, t->caption_left, left), "表头说明");
		}
		if (k > 1)
			check(x, worksheet_merge_range(ws, row, split, row, last, t->caption_right, right),
			      "表头说明");
		else if (k == 1)
			check(x, worksheet_write_string(ws, row, split, t->caption_right, right), "表头说明");
		check(x, worksheet_set_row(ws, row, row_points(s->caption_h), NULL), "行高");
	}
}

static void write_note(xlsx_ctx *x, lxw_worksheet *ws, const sheet_table *s)
{
	const doc_table *t = s->t;
	if (!*t->note || !t->note_style)
		return;
	const doc_style *st = t->note_style;
	lxw_row_t row = s->r0 + (lxw_row_t)t->nrows;
	size_t n;
	mpt h = note_height(x, t, &n);
	lxw_format *f = text_format(x, st, st->align, LXW_ALIGN_VERTICAL_BOTTOM);
	if (t->ncols > 1)
		check(x, worksheet_merge_range(ws, row, 0, row, (lxw_col_t)(t->ncols - 1), t->note, f),
		      "表注");
	else
		check(x, worksheet_write_string(ws, row, 0, t->note, f), "表注");
	check(x, worksheet_set_row(ws, row, row_points(h), NULL), "行高");
}

static void write_table_sheet(xlsx_ctx *x, const doc_table *t0, const doc_page *page,
                              const pg_result *pages, const doc_block *lead)
{
	const pg_table_rows *tr = pg_table_layout(pages, t0);
	if (!tr || t0->ncols < 1) {
		snprintf(x->err, x->errlen, "Excel 文件生成失败：表“%s”没有排版结果", t0->title);
		x->failed = true;
		return;
	}
	/* the table as paginate set it: a form's columns and cell sizes fitted to its page, as the
	 * PDF prints it */
	const doc_table *t = tr->set ? tr->set : t0;
	lxw_worksheet *ws = add_sheet(x, t->sheet_name);
	if (!ws)
		return;
	for (int c = 0; c < t->ncols; c++)
		check(x, worksheet_set_column_pixels(ws, (lxw_col_t)c, (lxw_col_t)c,
		                                     column_pixels(t->col_widths[c]), NULL),
		      "列宽");
	sheet_table s = {.t = t, .page = page, .h = tr->heights, .title_h = tr->title_h,
	                 .caption_h = tr->caption_h, .lead = lead};
	if (lead) {
		const doc_style *st = lead->style;
		mpt pitch = st->line_height ? st->line_height : st->size * 13 / 10;
		size_t n = count_lines(x, st, lead->text, table_width(t) - CELL_PAD_MPT, false);
		s.lead_h = (mpt)(n ? n : 1) * pitch + st->space_after;
	}
	s.r0 = (lead ? 1 : 0) + (s.title_h ? 1 : 0) + (s.caption_h ? 1 : 0);
	write_title_block(x, ws, &s);
	sheet_breaks(x, &s, tr);
	for (int r = 0; r < t->nrows; r++)
		check(x, worksheet_set_row(ws, s.r0 + (lxw_row_t)r, row_points(s.h[r]), NULL), "行高");
	for (size_t i = 0; i < t->ncells && !x->failed; i++)
		write_cell(x, ws, &s, &t->cells[i]);
	write_note(x, ws, &s);
	write_print_setup(x, ws, page, s.one_page);
	int head_end = t->repeat_first + t->repeat_count;
	if (t->repeat_count > 0 && head_end <= t->nrows)
		check(x, worksheet_repeat_rows(ws, s.r0 + (lxw_row_t)t->repeat_first,
		                               s.r0 + (lxw_row_t)(head_end - 1)),
		      "重复标题行");
	if (s.nbreaks) /* the list ends with a 0 */
		check(x, worksheet_set_h_pagebreaks(ws, s.breaks), "分页符");
	/* a table longer than a page keeps its title block and header rows in view while it
	 * scrolls, unless they would take more than a third of a page's height */
	if (s.nbreaks && t->repeat_count > 0 && head_end <= t->nrows) {
		mpt frozen = s.lead_h + s.title_h + s.caption_h;
		for (int r = 0; r < head_end; r++)
			frozen += s.h[r];
		if (frozen <= printable_height(page) / 3)
			worksheet_freeze_panes(ws, s.r0 + (lxw_row_t)head_end, 0);
	}
}

/* ---- the workbook ---------------------------------------------------------------------------- */

int emit_xlsx(const doc_document *doc, const pg_result *pages, font_set *fonts, int64_t epoch,
              const char *path, char *err, size_t errlen)
{
	xlsx_ctx x = {.fonts = fonts, .a = arena_new(), .err = err, .errlen = errlen};
	lxw_workbook_options opt = {0};
	x.wb = workbook_new_opt(path, &opt);
	if (!x.wb) {
		snprintf(err, errlen, "Excel 文件生成失败：无法创建工作簿 %s", path);
		arena_free(x.a);
		return -1;
	}
	lxw_doc_properties props = {
		.title = (char *)doc->title,
		.subject = (char *)doc->subject,
		.author = (char *)doc->author,
		.company = (char *)doc->author,
		/* 0 would mean "now" */
		.created = epoch > 0 ? (time_t)epoch : epoch == 0 ? 1 : (time_t)FIXED_CREATED,
	};
	check(&x, workbook_set_properties(x.wb, &props), "文档属性");
	/* the sheets in the booklet's order: each where its first block is (the prose sheets where
	 * their first heading is: a booklet's nine tables, 情况说明, 整体绩效目标, the projects …) */
	prose overall = {0}, rest = {0};
	collect_prose(&x, doc, &overall, &rest);
	const doc_block *first_overall = overall.n ? overall.blocks[0].b : NULL;
	const doc_block *first_rest = rest.n ? rest.blocks[0].b : NULL;
	/* a printed heading with no text of its own before a table (a part: 第二部分 预算项目绩效目标)
	 * goes on that table's sheet, above its title, as the booklet prints it */
	const doc_block *lead = NULL;
	for (size_t s = 0; s < doc->nsections && !x.failed; s++) {
		const doc_section *sec = &doc->sections[s];
		for (size_t i = 0; i < sec->nblocks && !x.failed; i++) {
			const doc_block *b = &sec->blocks[i];
			if (b == first_overall)
				write_prose_sheet(&x, "整体绩效目标", &overall);
			if (b == first_rest)
				write_prose_sheet(&x, rest_name(&rest), &rest);
			if (b->kind == BLOCK_TABLE) {
				write_table_sheet(&x, b->table, &sec->page, pages, lead);
				lead = NULL;
			} else if (b->kind == BLOCK_HEADING && !b->hidden) {
				lead = in_prose(&overall, b) || in_prose(&rest, b) ? NULL : b;
			} else if (b->kind == BLOCK_PARAGRAPH || b->kind == BLOCK_TOC) {
				lead = NULL;
			}
		}
	}
	if (!x.nnames && !x.failed) /* a workbook needs a sheet */
		add_sheet(&x, doc->title ? doc->title : "表");
	/* workbook_close frees the workbook even when it fails */
	lxw_error e = workbook_close(x.wb);
	if (!x.failed)
		check(&x, e, path);
	arena_free(x.a);
	return x.failed ? -1 : 0;
}

/* SOURCE_DATE_EPOCH=0 is 1970-01-01T00:00:00Z, which libxlsxwriter 1.1.4 cannot write (a
 * creation time of 0 means "now" to it): the workbook is written one second later and its
 * docProps/core.xml is put right here, so that all three formats carry the same date. The entry
 * keeps libxlsxwriter's DOS time (1980-01-01 00:00); the others are copied as they are. */
static int core_at_epoch_zero(buf *xlsx, char *err, size_t errlen)
{
	static const char core[] = "docProps/core.xml", late[] = "1970-01-01T00:00:01Z";
	zip_error_t ze;
	zip_error_init(&ze);
	/* libzip owns (and frees when it rewrites the archive) a copy of the bytes */
	void *copy = xmalloc(xlsx->len);
	memcpy(copy, xlsx->data, xlsx->len);
	zip_source_t *src = zip_source_buffer_create(copy, xlsx->len, 1, &ze);
	if (!src)
		free(copy);
	zip_t *za = src ? zip_open_from_source(src, 0, &ze) : NULL;
	zip_int64_t idx = za ? zip_name_locate(za, core, 0) : -1;
	zip_stat_t st;
	zip_file_t *zf = idx >= 0 && zip_stat_index(za, (zip_uint64_t)idx, 0, &st) == 0
	                         ? zip_fopen_index(za, (zip_uint64_t)idx, 0) : NULL;
	char *xml = zf ? xcalloc(st.size + 1, 1) : NULL;
	bool ok = zf && zip_fread(zf, xml, st.size) == (zip_int64_t)st.size;
	if (zf)
		zip_fclose(zf);
	for (char *at = ok ? strstr(xml, late) : NULL; at; at = strstr(at, late))
		at[strlen(late) - 2] = '0';
	zip_source_t *fixed = ok ? zip_source_buffer(za, xml, st.size, 0) : NULL;
	ok = fixed && zip_file_replace(za, (zip_uint64_t)idx, fixed, 0) == 0;
	if (!ok && fixed)
		zip_source_free(fixed);
	ok = ok && zip_file_set_dostime(za, (zip_uint64_t)idx, 0, (1 << 5) | 1, 0) == 0;
	if (src)
		zip_source_keep(src); /* zip_close writes the new archive into it */
	ok = za && (ok ? zip_close(za) == 0 : (zip_discard(za), false));
	buf out = {0};
	if (ok && zip_source_open(src) == 0) {
		char chunk[65536];
		zip_int64_t k;
		while ((k = zip_source_read(src, chunk, sizeof chunk)) > 0)
			buf_put(&out, chunk, (size_t)k);
		ok = k == 0;
		zip_source_close(src);
	} else {
		ok = false;
	}
	if (src)
		zip_source_free(src);
	zip_error_fini(&ze);
	free(xml);
	if (!ok) {
		buf_free(&out);
		snprintf(err, errlen, "Excel 文件生成失败：无法写入文档日期");
		return -1;
	}
	buf_free(xlsx);
	*xlsx = out;
	return 0;
}

/* libxlsxwriter 1.1.4 writes only to a named file: an anonymous memory file stands in for it,
 * and its bytes are then read into out. */
int emit_xlsx_buf(const doc_document *doc, const pg_result *pages, font_set *fonts, int64_t epoch,
                  buf *out, char *err, size_t errlen)
{
	int fd = memfd_create("budgetgen.xlsx", MFD_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "Excel 文件生成失败：无法创建内存文件：%s", errno_text(errno));
		return -1;
	}
	char path[32];
	snprintf(path, sizeof path, "/proc/self/fd/%d", fd);
	int r = emit_xlsx(doc, pages, fonts, epoch, path, err, errlen);
	int e = r != 0 ? 0 : lseek(fd, 0, SEEK_SET) < 0 ? errno : fd_read_rest(fd, SIZE_MAX, out);
	if (e) {
		snprintf(err, errlen, "Excel 文件生成失败：无法读出内存文件：%s", errno_text(e));
		r = -1;
	}
	close(fd);
	if (r == 0 && epoch == 0)
		r = core_at_epoch_zero(out, err, errlen);
	return r;
}
