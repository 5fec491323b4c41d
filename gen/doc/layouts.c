/* layouts.c — reads layouts/NAME.layout (layouts.h): an INI-like text with Chinese keys. Owns the
 * grammar of style specifications ("宋体 五号 居中 内边距 1.5mm 1.2mm"), lengths (mm, pt, em),
 * Chinese font-size names, and row templates ("标签 \"项目编码\" | 文字 \"{项目编码}\" 跨列 2"). */
#include "doc/layouts.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { LAYOUT_MAX_FILE = 1 << 20, LAYOUT_MAX_COLS = LAYOUT_MAX_SPAN, LAYOUT_MAX_CELLS = 64 };

typedef struct lparser {
	arena *a;
	const char *path;
	int line;
	char *err;
	size_t errlen;
	bool failed;
	int widths_line;    /* line of the current table's 列宽, for check_table's messages */
	int bounds_line;    /* and of its 列宽范围 */
	layout_set *set;
	/* growable arrays of the set being built */
	doc_style *styles;
	size_t nstyles, styles_cap;
	layout_table *tables;
	size_t ntables, tables_cap;
	const char **words;
	size_t nwords, words_cap;
} lparser;

static int cmp_names(const void *a, const void *b);

__attribute__((format(printf, 2, 3))) static void fail(lparser *p, const char *fmt, ...)
{
	if (p->failed)
		return;
	p->failed = true;
	int n = p->line > 0 ? snprintf(p->err, p->errlen, "%s:%d: ", p->path, p->line)
	                    : snprintf(p->err, p->errlen, "%s: ", p->path); /* the whole file */
	va_list ap;
	va_start(ap, fmt);
	if (n >= 0 && (size_t)n < p->errlen)
		vsnprintf(p->err + n, p->errlen - (size_t)n, fmt, ap);
	va_end(ap);
}

/* ---- tokens ------------------------------------------------------------------ */

/* Next blank-separated token of *s (quoted strings "…" or “…” are one token, returned with the
 * quotes removed and *quoted set). Returns NULL at the end. */
static char *next_token(lparser *p, const char **s, bool *quoted)
{
	const char *t = *s;
	uint32_t cp = 0;
	size_t k = 0;
	while (*t && (k = utf8_decode(t, strlen(t), &cp)) && cp_is_space(cp))
		t += k;
	if (!*t)
		return NULL;
	*quoted = false;
	if (*t == '"' || strncmp(t, "“", 3) == 0) {
		const char *close_mark = *t == '"' ? "\"" : "”";
		t += *t == '"' ? 1 : 3;
		const char *end = strstr(t, close_mark);
		if (!end) {
			fail(p, "引号没有闭合");
			*s = t + strlen(t);
			return NULL;
		}
		*quoted = true;
		*s = end + strlen(close_mark);
		return arena_strndup(p->a, t, (size_t)(end - t));
	}
	const char *start = t;
	while (*t && (k = utf8_decode(t, strlen(t), &cp)) && !cp_is_space(cp))
		t += k;
	if (*t && !k)
		t++;
	*s = t;
	return arena_strndup(p->a, start, (size_t)(t - start));
}

/* A length: "1.5mm", "28pt", "2em" (em of `em`), or a bare number in mm. */
static bool parse_length(lparser *p, const char *tok, mpt em, mpt *out)
{
	char *end;
	errno = 0;
	double v = strtod(tok, &end);
	if (end == tok || errno || v < 0 || v > 2000) {
		fail(p, "“%s”不是长度（如 1.5mm、28pt、2em）", tok);
		return false;
	}
	if (strcmp(end, "pt") == 0)
		*out = (mpt)(v * MPT_PER_PT + 0.5);
	else if (strcmp(end, "em") == 0)
		*out = (mpt)(v * em + 0.5);
	else if (strcmp(end, "mm") == 0 || *end == '\0')
		*out = MPT_FROM_MM(v);
	else {
		fail(p, "“%s”的单位应为 mm、pt 或 em", tok);
		return false;
	}
	return true;
}

static const struct {
	const char *name;
	double pt;
} size_names[] = {
	{"初号", 42}, {"小初", 36}, {"一号", 26}, {"小一", 24}, {"二号", 22}, {"小二", 18},
	{"三号", 16}, {"小三", 15}, {"四号", 14}, {"小四", 12}, {"五号", 10.5}, {"小五", 9},
	{"六号", 7.5}, {"小六", 6.5}, {"七号", 5.5}, {"八号", 5},
};

static bool parse_size(const char *tok, mpt *out)
{
	for (size_t i = 0; i < sizeof size_names / sizeof size_names[0]; i++) {
		if (strcmp(tok, size_names[i].name) == 0) {
			*out = (mpt)(size_names[i].pt * MPT_PER_PT + 0.5);
			return true;
		}
	}
	char *end;
	double v = strtod(tok, &end);
	if (end != tok && strcmp(end, "pt") == 0 && v >= 4 && v <= 200) {
		*out = (mpt)(v * MPT_PER_PT + 0.5);
		return true;
	}
	return false;
}

/* "宋体 五号 [加粗] [左|居中|右|两端] [上|居中|下] [首行缩进 L] [行距 L] [段前 L] [段后 L]
 *  [内边距 L L]": the first alignment word is horizontal, a second one vertical. */
static bool parse_style(lparser *p, const char *name, const char *spec, doc_style *st)
{
	memset(st, 0, sizeof *st);
	st->name = name;
	st->valign = VALIGN_MIDDLE;
	const char *s = spec;
	bool quoted, have_role = false, have_size = false, have_align = false;
	char *tok;
	while ((tok = next_token(p, &s, &quoted)) != NULL) {
		font_role role;
		doc_align al = ALIGN_LEFT;
		bool is_align = true;
		if (strcmp(tok, "左") == 0)
			al = ALIGN_LEFT;
		else if (strcmp(tok, "居中") == 0)
			al = ALIGN_CENTER;
		else if (strcmp(tok, "右") == 0)
			al = ALIGN_RIGHT;
		else if (strcmp(tok, "两端") == 0)
			al = ALIGN_JUSTIFY;
		else
			is_align = false;
		if (!have_role && font_role_from_name(tok, &role)) {
			st->role = role;
			have_role = true;
		} else if (!have_size && parse_size(tok, &st->size)) {
			have_size = true;
		} else if (strcmp(tok, "加粗") == 0) {
			st->bold = true;
		} else if (strcmp(tok, "最小") == 0) {
			char *val = next_token(p, &s, &quoted);
			if (!have_size || !val || !parse_size(val, &st->min_size) || st->min_size > st->size) {
				fail(p, "样式“%s”：“最小”后应为不大于字号的字号（如 小五），写在字号之后", name);
				return false;
			}
		} else if (is_align && !have_align) {
			st->align = al;
			have_align = true;
		} else if (strcmp(tok, "上") == 0 || strcmp(tok, "下") == 0 ||
		           (is_align && al == ALIGN_CENTER)) {
			st->valign = strcmp(tok, "上") == 0   ? VALIGN_TOP
			             : strcmp(tok, "下") == 0 ? VALIGN_BOTTOM
			                                       : VALIGN_MIDDLE;
		} else {
			mpt *slot = strcmp(tok, "首行缩进") == 0 ? &st->first_indent
			            : strcmp(tok, "行距") == 0   ? &st->line_height
			            : strcmp(tok, "段前") == 0   ? &st->space_before
			            : strcmp(tok, "段后") == 0   ? &st->space_after
			            : strcmp(tok, "内边距") == 0 ? &st->pad_x
			                                          : NULL;
			if (!slot) {
				fail(p, "样式“%s”中不认识“%s”", name, tok);
				return false;
			}
			if (!have_size) {
				fail(p, "样式“%s”：字号应写在“%s”之前", name, tok);
				return false;
			}
			/* a page is 297mm: more than this is a slip of the pen, and would put text off
			 * the page or leave a cell no room for one character */
			int max_mm = slot == &st->pad_x ? 20 : 100;
			char *val = next_token(p, &s, &quoted);
			if (!val || !parse_length(p, val, st->size, slot))
				return p->failed ? false : (fail(p, "“%s”后缺少长度", tok), false);
			if (slot == &st->pad_x) {
				val = next_token(p, &s, &quoted);
				if (!val || !parse_length(p, val, st->size, &st->pad_y))
					return p->failed ? false : (fail(p, "内边距需要两个长度（左右 上下）"), false);
			}
			if (*slot > MPT_FROM_MM(max_mm) || st->pad_y > MPT_FROM_MM(max_mm)) {
				fail(p, "样式“%s”的%s过大（至多 %dmm）", name, tok, max_mm);
				return false;
			}
		}
	}
	if (!have_role || !have_size) {
		fail(p, "样式“%s”需要字体（宋体、黑体、仿宋、楷体、小标宋、西文）和字号（如 五号、10.5pt）", name);
		return false;
	}
	if (!st->line_height)
		st->line_height = st->size * 13 / 10;
	return true;
}

/* ---- page setups ------------------------------------------------------------------- */

/* "A4 纵向 37 26 35 28": paper, orientation, margins top right bottom left in mm. */
static bool parse_page(lparser *p, const char *spec, doc_page *pg)
{
	const char *s = spec;
	bool quoted;
	char *paper = next_token(p, &s, &quoted);
	char *orient = next_token(p, &s, &quoted);
	if (!paper || strcmp(paper, "A4") != 0) {
		fail(p, "纸张应为 A4");
		return false;
	}
	if (!orient || (strcmp(orient, "纵向") != 0 && strcmp(orient, "横向") != 0)) {
		fail(p, "方向应为“纵向”或“横向”");
		return false;
	}
	pg->orientation = strcmp(orient, "横向") == 0 ? ORIENT_LANDSCAPE : ORIENT_PORTRAIT;
	mpt w = MPT_FROM_MM(210), h = MPT_FROM_MM(297);
	pg->width = pg->orientation == ORIENT_LANDSCAPE ? h : w;
	pg->height = pg->orientation == ORIENT_LANDSCAPE ? w : h;
	mpt *m[4] = {&pg->margin_top, &pg->margin_right, &pg->margin_bottom, &pg->margin_left};
	for (int i = 0; i < 4; i++) {
		char *tok = next_token(p, &s, &quoted);
		if (!tok || !parse_length(p, tok, 0, m[i]))
			return p->failed ? false : (fail(p, "需要四个页边距（上 右 下 左，mm）"), false);
	}
	if (pg->margin_left + pg->margin_right > pg->width - MPT_FROM_MM(40) ||
	    pg->margin_top + pg->margin_bottom > pg->height - MPT_FROM_MM(40)) {
		fail(p, "页边距过大，版心不足 40mm");
		return false;
	}
	return true;
}

/* ---- row templates ---------------------------------------------------------------------- */

static bool parse_row(lparser *p, layout_table *t, const char *name, const char *spec,
                      layout_row *row)
{
	layout_cell *cells = arena_alloc(p->a, LAYOUT_MAX_CELLS * sizeof *cells);
	int n = 0, width = 0;
	const char *s = spec;
	for (;;) {
		/* one cell: up to the next | outside quotes */
		bool quoted;
		char *tok = next_token(p, &s, &quoted);
		if (!tok)
			break;
		if (n == LAYOUT_MAX_CELLS) {
			fail(p, "一行的单元格过多");
			return false;
		}
		layout_cell *c = &cells[n++];
		c->colspan = c->rowspan = 1;
		c->text = "";
		c->style = NULL;
		for (size_t i = 0; i < t->nstyles; i++)
			if (strcmp(t->styles[i].name, tok) == 0)
				c->style = &t->styles[i];
		if (!c->style || quoted) {
			fail(p, "行“%s”：“%s”不是[单元格]中定义的样式", name, tok);
			return false;
		}
		while ((tok = next_token(p, &s, &quoted)) != NULL && !(strcmp(tok, "|") == 0 && !quoted)) {
			if (quoted) {
				c->text = tok;
			} else if (strcmp(tok, "合并") == 0) {
				c->merge = true;
			} else if (strcmp(tok, "跨列") == 0 || strcmp(tok, "跨行") == 0) {
				bool cols = strcmp(tok, "跨列") == 0;
				char *num = next_token(p, &s, &quoted);
				char *end = NULL;
				long v = num ? strtol(num, &end, 10) : 0;
				if (!num || *end || v < 1 || v > LAYOUT_MAX_COLS) {
					fail(p, "“%s”后应为 1 到 %d 的整数", tok, LAYOUT_MAX_COLS);
					return false;
				}
				*(cols ? &c->colspan : &c->rowspan) = (int)v;
			} else {
				fail(p, "行“%s”中不认识“%s”", name, tok);
				return false;
			}
		}
		width += c->colspan;
		if (!tok)
			break;
	}
	if (n == 0) {
		fail(p, "行“%s”没有单元格", name);
		return false;
	}
	if (width > t->ncols) {
		fail(p, "行“%s”的单元格共跨 %d 列，超过列宽的 %d 列", name, width, t->ncols);
		return false;
	}
	row->name = name;
	row->cells = cells;
	row->ncells = n;
	row->line = p->line;
	return true;
}

/* ---- files ------------------------------------------------------------------------------- */

typedef enum lsection { LS_NONE, LS_PAGE, LS_STYLES, LS_WORDS, LS_TABLE, LS_CELLS, LS_ROWS } lsection;

/* Splits "key = value" (the first = or ＝); both trimmed. */
static bool split_kv(lparser *p, char *line, char **key, char **val)
{
	char *eq = strchr(line, '=');
	char *feq = strstr(line, "＝");
	if (!eq || (feq && feq < eq))
		eq = feq;
	if (!eq) {
		fail(p, "应为“名称 = 值”");
		return false;
	}
	size_t eqlen = *eq == '=' ? 1 : 3;
	*eq = '\0';
	char *k = line, *v = eq + eqlen;
	while (*k == ' ' || *k == '\t')
		k++;
	char *ke = k + strlen(k);
	while (ke > k && (ke[-1] == ' ' || ke[-1] == '\t'))
		*--ke = '\0';
	while (*v == ' ' || *v == '\t')
		v++;
	*key = k;
	*val = v;
	return *k != '\0';
}

/* Removes a # comment that is not inside quotes, and trailing blanks. */
static void strip_comment(char *s)
{
	bool in_quote = false;
	for (char *c = s; *c; c++) {
		if (*c == '"')
			in_quote = !in_quote;
		if (*c == '#' && !in_quote) {
			*c = '\0';
			break;
		}
	}
	size_t n = strlen(s);
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r'))
		s[--n] = '\0';
}

/* 列宽范围 = 16-22 18-26 …: per column the narrowest and widest it may become (after 列宽). */
static void parse_bounds(lparser *p, layout_table *t, const char *val)
{
	if (!t->ncols) {
		fail(p, "“列宽范围”应写在“列宽”之后");
		return;
	}
	mpt *lo = arena_alloc(p->a, (size_t)t->ncols * sizeof *lo);
	mpt *hi = arena_alloc(p->a, (size_t)t->ncols * sizeof *hi);
	const char *v = val;
	bool quoted;
	char *tok;
	int nc = 0;
	while ((tok = next_token(p, &v, &quoted)) != NULL && !p->failed) {
		char *dash = strchr(tok, '-');
		if (nc == t->ncols) {
			fail(p, "列宽范围多于 %d 列", t->ncols);
			return;
		}
		if (!dash) {
			fail(p, "列宽范围“%s”应写成“最窄-最宽”，如 16-22", tok);
			return;
		}
		*dash = '\0';
		if (!parse_length(p, tok, 0, &lo[nc]) || !parse_length(p, dash + 1, 0, &hi[nc]))
			return;
		if (lo[nc] < MPT_FROM_MM(3) || hi[nc] < lo[nc]) {
			fail(p, "列宽范围 %s-%s 应不窄于 3mm，且前小后大", tok, dash + 1);
			return;
		}
		nc++;
	}
	if (nc != t->ncols) {
		fail(p, "列宽范围有 %d 列，列宽有 %d 列", nc, t->ncols);
		return;
	}
	t->col_min = lo;
	t->col_max = hi;
	p->bounds_line = p->line;
}

static void parse_text(lparser *p, const char *text, size_t len, layout_table *t)
{
	lsection sec = LS_NONE;
	doc_style *tstyles = NULL;
	size_t ntstyles = 0, tstyles_cap = 0;
	layout_row *rows = NULL;
	size_t nrows = 0, rows_cap = 0;
	const char *s = text, *end = text + len;
	p->line = 0;
	if (memchr(text, '\0', len)) {
		p->line = 1;
		fail(p, "文件中有 NUL 字符，不是布局文件");
		return;
	}
	while (s < end && !p->failed) {
		p->line++;
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		size_t n = nl ? (size_t)(nl - s) : (size_t)(end - s);
		char *line = arena_strndup(p->a, s, n);
		s = nl ? nl + 1 : end;
		for (size_t i = 0; i < n;) {
			uint32_t cp;
			size_t k = utf8_decode(line + i, n - i, &cp);
			if (!k) {
				fail(p, "无效的 UTF-8");
				return;
			}
			i += k;
		}
		strip_comment(line);
		char *l = line;
		while (*l == ' ' || *l == '\t')
			l++;
		if (!*l)
			continue;
		if (*l == '[') {
			char *close = strchr(l, ']');
			if (!close) {
				fail(p, "段名缺少“]”");
				return;
			}
			*close = '\0';
			const char *name = l + 1;
			sec = strcmp(name, "页面") == 0   ? LS_PAGE
			      : strcmp(name, "样式") == 0 ? LS_STYLES
			      : strcmp(name, "词语") == 0 ? LS_WORDS
			      : strcmp(name, "表") == 0   ? LS_TABLE
			      : strcmp(name, "单元格") == 0 ? LS_CELLS
			      : strcmp(name, "行") == 0   ? LS_ROWS
			                                   : LS_NONE;
			bool ok = t ? (sec == LS_TABLE || sec == LS_CELLS || sec == LS_ROWS)
			            : (sec == LS_PAGE || sec == LS_STYLES || sec == LS_WORDS);
			if (!ok) {
				fail(p, "这里不能有段“[%s]”", name);
				return;
			}
			continue;
		}
		char *key, *val;
		if (!split_kv(p, l, &key, &val))
			return;
		key = arena_strdup(p->a, key);
		switch (sec) {
		case LS_NONE:
			fail(p, "“%s”应写在某个段（[…]）之内", key);
			return;
		case LS_PAGE:
			if (strcmp(key, "纵向") == 0)
				parse_page(p, val, &p->set->portrait);
			else if (strcmp(key, "横向") == 0)
				parse_page(p, val, &p->set->landscape);
			else if (strcmp(key, "页脚距离") == 0)
				parse_length(p, val, 0, &p->set->portrait.footer_distance),
				        p->set->landscape.footer_distance = p->set->portrait.footer_distance;
			else if (strcmp(key, "页码") == 0)
				p->set->page_number_format = arena_strdup(p->a, val);
			else if (strcmp(key, "页码字体") == 0)
				parse_style(p, "页码", val, &p->set->page_number_style);
			else
				fail(p, "[页面]中不认识“%s”", key);
			break;
		case LS_STYLES: {
			doc_style *st = vec_push(p->a, &p->styles, &p->nstyles, &p->styles_cap, sizeof *st);
			parse_style(p, key, val, st);
			break;
		}
		case LS_WORDS: { /* 组名 = 词 词 …: words that lines break between, not inside */
			const char *v = val;
			bool quoted;
			char *tok;
			while ((tok = next_token(p, &v, &quoted)) != NULL && !p->failed)
				*(const char **)vec_push(p->a, &p->words, &p->nwords, &p->words_cap,
				                         sizeof *p->words) = arena_strdup(p->a, tok);
			break;
		}
		case LS_CELLS: {
			doc_style *st = vec_push(p->a, &tstyles, &ntstyles, &tstyles_cap, sizeof *st);
			parse_style(p, key, val, st);
			t->styles = tstyles;
			t->nstyles = ntstyles;
			break;
		}
		case LS_TABLE:
			if (strcmp(key, "页面") == 0) {
				if (strcmp(val, "纵向") == 0)
					t->page = &p->set->portrait;
				else if (strcmp(val, "横向") == 0)
					t->page = &p->set->landscape;
				else
					fail(p, "页面应为“纵向”或“横向”");
			} else if (strcmp(key, "列宽") == 0) {
				mpt *w = arena_alloc(p->a, LAYOUT_MAX_COLS * sizeof *w);
				const char *v = val;
				bool quoted;
				char *tok;
				int nc = 0;
				while ((tok = next_token(p, &v, &quoted)) != NULL && !p->failed) {
					if (nc == LAYOUT_MAX_COLS) {
						fail(p, "列数超过 %d", LAYOUT_MAX_COLS);
						break;
					}
					if (parse_length(p, tok, 0, &w[nc]) && w[nc] < MPT_FROM_MM(3))
						fail(p, "列宽 %s 太窄（至少 3mm）", tok);
					nc++;
				}
				t->col_widths = w;
				p->widths_line = p->line;
				t->ncols = nc;
			} else if (strcmp(key, "表题") == 0) {
				t->title = arena_strdup(p->a, val);
			} else if (strcmp(key, "表头左") == 0) {
				t->caption_left = arena_strdup(p->a, val);
			} else if (strcmp(key, "表头右") == 0) {
				t->caption_right = arena_strdup(p->a, val);
			} else if (strcmp(key, "表注") == 0) {
				t->note = arena_strdup(p->a, val);
			} else if (strcmp(key, "列宽范围") == 0) {
				parse_bounds(p, t, val);
			} else if (strcmp(key, "一页") == 0) {
				if (strcmp(val, "是") != 0 && strcmp(val, "否") != 0)
					fail(p, "一页应为“是”或“否”");
				t->one_page = strcmp(val, "是") == 0;
			} else if (strcmp(key, "另起一页") == 0) {
				if (strcmp(val, "是") != 0 && strcmp(val, "否") != 0)
					fail(p, "另起一页应为“是”或“否”");
				t->new_page = strcmp(val, "是") == 0;
			} else if (strcmp(key, "重复行") == 0) {
				t->repeat_row = arena_strdup(p->a, val);
			} else {
				fail(p, "[表]中不认识“%s”", key);
			}
			break;
		case LS_ROWS: {
			if (!t->ncols) {
				fail(p, "[行]之前应在[表]中写“列宽”");
				return;
			}
			layout_row *r = vec_push(p->a, &rows, &nrows, &rows_cap, sizeof *r);
			parse_row(p, t, key, val, r);
			t->rows = rows;
			t->nrows = nrows;
			break;
		}
		}
	}
}

static bool check_table(lparser *p, layout_table *t)
{
	p->line = 0;
	if (!t->page)
		t->page = &p->set->portrait;
	if (!t->ncols) {
		fail(p, "缺少“列宽”");
		return false;
	}
	mpt sum = 0;
	for (int i = 0; i < t->ncols; i++)
		sum += t->col_widths[i];
	mpt text = t->page->width - t->page->margin_left - t->page->margin_right;
	if (sum > text + MPT_FROM_MM(0.5) || sum < text - MPT_FROM_MM(0.5)) {
		p->line = p->widths_line;
		fail(p, "列宽之和 %.1fmm 与版心宽度 %.1fmm 不符", sum / 2834.645669, text / 2834.645669);
		return false;
	}
	for (int i = 0; t->col_min && i < t->ncols; i++) {
		if (t->col_min[i] > t->col_widths[i] || t->col_max[i] < t->col_widths[i]) {
			p->line = p->bounds_line;
			fail(p, "第 %d 列的列宽范围 %.1f-%.1fmm 不含列宽 %.1fmm", i + 1,
			     t->col_min[i] / 2834.645669, t->col_max[i] / 2834.645669,
			     t->col_widths[i] / 2834.645669);
			return false;
		}
	}
	if (t->repeat_row) {
		const char *s = t->repeat_row;
		bool quoted;
		char *name;
		while ((name = next_token(p, &s, &quoted)) != NULL) {
			if (!layout_row_find(t, name)) {
				fail(p, "重复行“%s”不在[行]中", name);
				return false;
			}
		}
	}
	if (!t->title)
		t->title = "";
	if (!t->caption_left)
		t->caption_left = "";
	if (!t->caption_right)
		t->caption_right = "";
	if (!t->note)
		t->note = "";
	return true;
}

static void set_defaults(layout_set *s)
{
	doc_page *pg[2] = {&s->portrait, &s->landscape};
	for (int i = 0; i < 2; i++) {
		pg[i]->orientation = i ? ORIENT_LANDSCAPE : ORIENT_PORTRAIT;
		pg[i]->width = MPT_FROM_MM(i ? 297 : 210);
		pg[i]->height = MPT_FROM_MM(i ? 210 : 297);
		pg[i]->margin_top = pg[i]->margin_bottom = MPT_FROM_MM(25);
		pg[i]->margin_left = pg[i]->margin_right = MPT_FROM_MM(25);
		pg[i]->footer_distance = MPT_FROM_MM(15);
	}
	s->page_number_format = "— {页} —";
	s->page_number_style = (doc_style){.name = "页码", .role = FONT_ROLE_SONG, .size = 14000,
	                                   .align = ALIGN_CENTER, .line_height = 18000};
}

static bool stem_of(const char *file, char *out, size_t outlen)
{
	size_t n = strlen(file);
	if (n <= 7 || strcmp(file + n - 7, ".layout") != 0 || n - 7 >= outlen)
		return false;
	memcpy(out, file, n - 7);
	out[n - 7] = '\0';
	return true;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Hands what was read to the set: the styles and the word list, sorted for lookup. */
static void publish(lparser *p)
{
	p->set->styles = p->styles;
	p->set->nstyles = p->nstyles;
	if (p->nwords)
		qsort(p->words, p->nwords, sizeof *p->words, cmp_names);
	p->set->words = p->words;
	p->set->nwords = p->nwords;
}

const layout_set *layout_load(arena *a, const char *dir, char *err, size_t errlen)
{
	lparser p = {.a = a, .err = err, .errlen = errlen};
	p.set = arena_alloc(a, sizeof *p.set);
	set_defaults(p.set);
	char *path = arena_printf(a, "%s/document.layout", dir);
	char *data;
	size_t len;
	int e = file_read(path, LAYOUT_MAX_FILE, &data, &len);
	if (e) {
		snprintf(err, errlen, "%s: 无法读取布局文件：%s", path, e == EFBIG ? "文件过大" : errno_text(e));
		return NULL;
	}
	p.path = path;
	parse_text(&p, data, len, NULL);
	free(data);
	if (p.failed)
		return NULL;
	publish(&p);

	DIR *dp = opendir(dir);
	if (!dp) {
		snprintf(err, errlen, "%s: 无法读取布局目录：%s", dir, errno_text(errno));
		return NULL;
	}
	char **names = NULL;
	size_t nnames = 0;
	struct dirent *ent;
	while ((ent = readdir(dp)) != NULL) {
		char stem[256];
		if (stem_of(ent->d_name, stem, sizeof stem) && strcmp(stem, "document") != 0) {
			names = xrealloc(names, (nnames + 1) * sizeof *names);
			names[nnames++] = arena_strdup(a, ent->d_name);
		}
	}
	closedir(dp);
	qsort(names, nnames, sizeof *names, cmp_names);
	for (size_t i = 0; i < nnames && !p.failed; i++) {
		char stem[256];
		stem_of(names[i], stem, sizeof stem);
		p.path = arena_printf(a, "%s/%s", dir, names[i]);
		e = file_read(p.path, LAYOUT_MAX_FILE, &data, &len);
		if (e) {
			snprintf(err, errlen, "%s: 无法读取布局文件：%s", p.path,
			         e == EFBIG ? "文件过大" : errno_text(e));
			p.failed = true;
			break;
		}
		layout_table *t = vec_push(a, &p.tables, &p.ntables, &p.tables_cap, sizeof *t);
		t->name = arena_strdup(a, stem);
		t->path = p.path;
		parse_text(&p, data, len, t);
		free(data);
		if (!p.failed)
			check_table(&p, t);
	}
	free(names);
	if (p.failed)
		return NULL;
	p.set->tables = p.tables;
	p.set->ntables = p.ntables;
	return p.set;
}

const layout_set *layout_parse_text(arena *a, const char *name, const char *text, size_t len,
                                    char *err, size_t errlen)
{
	lparser p = {.a = a, .err = err, .errlen = errlen, .path = name};
	p.set = arena_alloc(a, sizeof *p.set);
	set_defaults(p.set);
	size_t n = strlen(name);
	bool is_document = n >= 15 && strcmp(name + n - 15, "document.layout") == 0;
	layout_table *t = NULL;
	if (!is_document) {
		t = vec_push(a, &p.tables, &p.ntables, &p.tables_cap, sizeof *t);
		t->name = name;
		t->path = name;
	}
	parse_text(&p, text, len, t);
	if (!p.failed && t)
		check_table(&p, t);
	if (p.failed)
		return NULL;
	publish(&p);
	p.set->tables = p.tables;
	p.set->ntables = p.ntables;
	return p.set;
}

const layout_table *layout_table_find(const layout_set *l, const char *name)
{
	for (size_t i = 0; i < l->ntables; i++)
		if (strcmp(l->tables[i].name, name) == 0)
			return &l->tables[i];
	return NULL;
}

const layout_row *layout_row_find(const layout_table *t, const char *name)
{
	for (size_t i = 0; i < t->nrows; i++)
		if (strcmp(t->rows[i].name, name) == 0)
			return &t->rows[i];
	return NULL;
}

const doc_style *layout_style_find(const layout_set *l, const char *name)
{
	for (size_t i = 0; i < l->nstyles; i++)
		if (strcmp(l->styles[i].name, name) == 0)
			return &l->styles[i];
	return NULL;
}

bool layout_row_repeats(const layout_table *t, const char *name)
{
	if (!t->repeat_row)
		return false;
	size_t n = strlen(name);
	for (const char *s = t->repeat_row; (s = strstr(s, name)) != NULL; s += n) {
		bool start = s == t->repeat_row || s[-1] == ' ' || s[-1] == '\t';
		bool end = s[n] == '\0' || s[n] == ' ' || s[n] == '\t';
		if (start && end)
			return true;
	}
	return false;
}
