/* fmt.c — the canonical format (fmt.h), line by line from the lexer's classification. */
#include "front/fmt.h"

#include <string.h>

#include "front/lex.h"

static bool is_ditto_cell(const char *s)
{
	return strcmp(s, "〃") == 0 || strcmp(s, "同上") == 0 || strcmp(s, "\"") == 0;
}

static void put_row(arena *a, buf *out, const lex_line *l)
{
	enum { MAX = 64 };
	const char *cells[MAX];
	srcloc locs[MAX];
	int n = lex_split_row(a, l, cells, locs, MAX);
	if (n > MAX) { /* leave a pathological row alone */
		buf_put(out, l->text, l->len);
		return;
	}
	for (int i = 0; i < n; i++) {
		if (i)
			buf_puts(out, "｜");
		if (!(i < 2 && is_ditto_cell(cells[i])))
			buf_puts(out, cells[i]);
	}
}

void format_source(arena *a, diag_ctx *d, const src_file *f, buf *out)
{
	lex_result lr = lex_file(a, d, f);
	bool in_rows = false, pending_blank = false, started = false, in_overall = false;
	for (size_t i = 0; i < lr.n; i++) {
		const lex_line *l = &lr.lines[i];
		if (l->kind == LINE_BLANK) {
			pending_blank = started;
			continue;
		}
		if (l->kind == LINE_SECTION && started)
			pending_blank = true;
		if (pending_blank)
			buf_putc(out, '\n');
		pending_blank = false;
		started = true;
		switch (l->kind) {
		case LINE_BLANK:
			break;
		case LINE_COMMENT:
			buf_put(out, l->text, l->len);
			break;
		case LINE_SECTION:
			in_rows = false;
			in_overall = l->sec == SEC_OVERALL;
			if (l->sec == SEC_UNKNOWN) {
				buf_put(out, l->text, l->len);
			} else {
				buf_printf(out, "【%s】", section_name(l->sec));
				if (*l->rest && l->sec == SEC_PROJECT)
					buf_printf(out, "\n%s：%s", kw_name(KW_NAME), l->rest);
				else if (*l->rest)
					buf_puts(out, l->rest);
			}
			break;
		case LINE_FIELD:
			/* in 【整体绩效目标】 another section's field name starts an ordinary paragraph */
			if (in_overall && l->key != KW_SUMMARY && l->key != KW_ITEM && l->key != KW_MEASURES &&
			    l->key != KW_GOAL && l->key != KW_INDICATORS && l->key != KW_INCLUDE &&
			    l->key != KW_INTRO && l->key != KW_NUMBERING) {
				buf_put(out, l->text, l->len);
				break;
			}
			in_rows = l->key == KW_INDICATORS && !in_overall;
			buf_printf(out, "%s：%s", kw_name(l->key), l->value);
			break;
		case LINE_CONT: /* a full-width ＋ right before the text or the row it continues */
			buf_puts(out, "＋");
			if (in_rows && l->has_bar)
				put_row(a, out, l);
			else
				buf_puts(out, l->value);
			break;
		case LINE_TEXT:
			if (in_rows && l->has_bar)
				put_row(a, out, l);
			else
				buf_put(out, l->text, l->len);
			break;
		}
		buf_putc(out, '\n');
	}
}
