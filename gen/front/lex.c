/* lex.c — splits a source file into classified lines (lex.h): validates UTF-8, finds section
 * headers, field names (full- or half-width colon), comments and indicator-row candidates.
 * Text is never rewritten except that invalid bytes and NUL become U+FFFD after a diagnostic;
 * characters XML cannot hold are reported and kept (the error stops every document). */
#include "front/lex.h"

#include <string.h>

/* ORDER kw. Canonical spelling first; the lookup also accepts the aliases below. */
static const char *const lex_keywords[KW_COUNT] = {
	[KW_NONE] = "",
	[KW_DEPT] = "部门",
	[KW_DEPT_CODE] = "部门编码",
	[KW_YEAR] = "年度",
	[KW_UNIT] = "编报单位",
	[KW_VARIANT] = "项目表",
	[KW_FORM_TITLE] = "项目表题",
	[KW_INCLUDE] = "包含",
	[KW_SUMMARY] = "总体绩效目标",
	[KW_ITEM] = "分项绩效目标",
	[KW_MEASURES] = "工作保障措施",
	[KW_GOAL] = "绩效目标",
	[KW_INDICATORS] = "绩效指标",
	[KW_NAME] = "项目名称",
	[KW_PART] = "部分",
	[KW_CODE] = "项目编码",
	[KW_TOTAL] = "预算数",
	[KW_FISCAL] = "财政资金",
	[KW_OTHER] = "其他资金",
	[KW_USE] = "资金用途",
	[KW_SCHEDULE] = "资金支出计划",
	[KW_INTRO] = "分项引言",
	[KW_NUMBERING] = "分项序号",
	[KW_GOAL_CELL] = "绩效目标栏",
};

static const struct {
	const char *name;
	kw key;
} lex_aliases[] = {
	{"部门名称", KW_DEPT},   {"预算年度", KW_YEAR},     {"单位名称", KW_UNIT},
	{"项目编号", KW_CODE},   {"其中财政资金", KW_FISCAL}, {"支出计划", KW_SCHEDULE},
	{"预算规模及资金用途", KW_USE},
};

/* ORDER section_kind */
static const char *const lex_sections[SEC_COUNT] = {
	[SEC_UNKNOWN] = "",
	[SEC_OVERALL] = "整体绩效目标",
	[SEC_PROJECT] = "项目",
	[SEC_INCOME] = "收入",
	[SEC_EXPENSE] = "支出",
	[SEC_BASIC] = "基本支出",
	[SEC_THREE] = "三公经费",
	[SEC_PROCURE] = "政府采购",
	[SEC_ASSETS] = "固定资产",
	[SEC_ORGS] = "机构设置",
	[SEC_LASTYEAR] = "上年",
	[SEC_NOTES] = "情况说明",
};

const char *kw_name(kw k)
{
	return lex_keywords[k];
}

const char *section_name(section_kind s)
{
	return lex_sections[s];
}

kw kw_lookup(const char *s, size_t n)
{
	for (int k = 1; k < KW_COUNT; k++)
		if (strlen(lex_keywords[k]) == n && memcmp(lex_keywords[k], s, n) == 0)
			return (kw)k;
	for (size_t i = 0; i < sizeof lex_aliases / sizeof lex_aliases[0]; i++)
		if (strlen(lex_aliases[i].name) == n && memcmp(lex_aliases[i].name, s, n) == 0)
			return lex_aliases[i].key;
	return KW_NONE;
}

/* Levenshtein distance over code points of two short valid UTF-8 strings. */
static size_t edit_distance(const char *a, const char *b)
{
	uint32_t ca[32], cb[32];
	size_t na = 0, nb = 0, k;
	for (size_t i = 0; a[i] && na < 32; i += k)
		k = utf8_decode(a + i, strlen(a + i), &ca[na++]);
	for (size_t i = 0; b[i] && nb < 32; i += k)
		k = utf8_decode(b + i, strlen(b + i), &cb[nb++]);
	size_t row[33];
	for (size_t j = 0; j <= nb; j++)
		row[j] = j;
	for (size_t i = 1; i <= na; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= nb; j++) {
			size_t up = row[j];
			size_t best = diag + (ca[i - 1] != cb[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	return row[nb];
}

const char *kw_suggest(const char *s)
{
	const char *best = NULL;
	size_t best_d = (size_t)-1;
	size_t n = strlen(s);
	for (int k = 1; k < KW_COUNT; k++) {
		const char *name = lex_keywords[k];
		size_t d = edit_distance(s, name);
		/* on a tie, a name that s begins ("项目名" → 项目名称, not 项目表) */
		bool prefix = strncmp(name, s, n) == 0;
		if (d < best_d || (d == best_d && prefix && strncmp(best, s, n) != 0))
			best_d = d, best = name;
	}
	size_t len = utf8_count(s, n);
	size_t limit = len <= 2 ? 1 : len / 2;
	return best_d <= limit ? best : NULL;
}

srcloc lex_loc_at(const lex_line *line, const char *p)
{
	srcloc loc = line->loc;
	loc.col += (int)utf8_count(line->text, (size_t)(p - line->text));
	return loc;
}

static bool is_colon(uint32_t cp)
{
	return cp == ':' || cp == 0xFF1A;
}

static bool is_bar(uint32_t cp)
{
	return cp == '|' || cp == 0xFF5C;
}

/* A character that may appear in a field name: CJK ideographs and ASCII letters/digits. */
static bool is_word_char(uint32_t cp)
{
	return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= '0' && cp <= '9') ||
	       (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
}

/* Returns s[0..n) without leading and trailing blanks (ASCII, U+3000, NBSP). */
static const char *trim(const char *s, size_t n, size_t *out_n, size_t *lead_chars)
{
	size_t i = 0, chars = 0, k;
	uint32_t cp;
	while (i < n && (k = utf8_decode(s + i, n - i, &cp)) && cp_is_space(cp))
		i += k, chars++;
	size_t end = n;
	while (end > i) {
		size_t j = end - 1;
		while (j > i && ((unsigned char)s[j] & 0xC0) == 0x80)
			j--;
		if (utf8_decode(s + j, end - j, &cp) && cp_is_space(cp))
			end = j;
		else
			break;
	}
	if (lead_chars)
		*lead_chars = chars;
	*out_n = end - i;
	return s + i;
}

/* Classifies the cleaned, trimmed text of one line. */
static void classify(arena *a, lex_line *l)
{
	const char *t = l->text;
	size_t n = l->len, k;
	uint32_t cp;
	if (n == 0) {
		l->kind = LINE_BLANK;
		return;
	}
	utf8_decode(t, n, &cp);
	if (cp == '#' || cp == 0xFF03) {
		l->kind = LINE_COMMENT;
		return;
	}
	if (cp == '+' || cp == 0xFF0B) { /* ＋: a continuation line */
		size_t first = cp == '+' ? 1 : 3, vn;
		const char *val = trim(t + first, n - first, &vn, NULL);
		l->kind = LINE_CONT;
		l->value = arena_strndup(a, val, vn);
		l->vloc = lex_loc_at(l, vn ? val : t + first);
		for (size_t i = 0; i < vn; i += k) {
			k = utf8_decode(val + i, vn - i, &cp);
			if (is_bar(cp)) {
				l->has_bar = true;
				break;
			}
		}
		return;
	}
	if (cp == 0x3010) { /* 【 */
		const char *close = strstr(t, "】");
		if (close) {
			size_t nn;
			const char *name = trim(t + 3, (size_t)(close - t - 3), &nn, NULL);
			l->kind = LINE_SECTION;
			l->value = arena_strndup(a, name, nn);
			l->sec = SEC_UNKNOWN;
			for (int s = 1; s < SEC_COUNT; s++)
				if (strcmp(lex_sections[s], l->value) == 0)
					l->sec = (section_kind)s;
			size_t rn, lead;
			const char *after = close + 3;
			const char *rest = trim(after, n - (size_t)(after - t), &rn, &lead);
			l->rest = arena_strndup(a, rest, rn);
			l->vloc = lex_loc_at(l, rest);
			return;
		}
	}
	l->kind = LINE_TEXT;
	for (size_t i = 0; i < n; i += k) {
		k = utf8_decode(t + i, n - i, &cp);
		if (is_bar(cp)) {
			l->has_bar = true;
			break;
		}
	}
	/* a field name: up to 12 word characters (blanks allowed around) before the first colon */
	size_t i = 0, words = 0;
	for (; i < n; i += k) {
		k = utf8_decode(t + i, n - i, &cp);
		if (is_colon(cp) || (!is_word_char(cp) && !cp_is_space(cp)))
			break;
		if (is_word_char(cp))
			words++;
	}
	if (i >= n || !is_colon(cp) || words == 0 || words > 12)
		return;
	size_t kn;
	const char *key = trim(t, i, &kn, NULL);
	const char *v = t + i + k;
	size_t vn, lead;
	const char *val = trim(v, n - (size_t)(v - t), &vn, &lead);
	kw id = kw_lookup(key, kn);
	if (id == KW_NONE) {
		l->word = arena_strndup(a, key, kn);
		return;
	}
	l->kind = LINE_FIELD;
	l->key = id;
	l->value = arena_strndup(a, val, vn);
	l->vloc = lex_loc_at(l, vn ? val : v);
}

/* A character XML 1.0 forbids (Char excludes C0 controls but tab, LF and CR, the surrogates and
 * U+FFFE/U+FFFF): written into word/document.xml or xl/sharedStrings.xml it makes the file not
 * well-formed, so Word and Excel refuse it. Surrogates never get here (utf8_decode rejects them
 * as invalid UTF-8); NUL is reported on its own. CR is allowed (a CRLF line end is stripped). */
static bool lex_char_forbidden(uint32_t cp)
{
	return (cp < 0x20 && cp != '\t' && cp != '\r') || cp == 0xFFFE || cp == 0xFFFF;
}

lex_result lex_file(arena *a, diag_ctx *d, const src_file *f)
{
	lex_result r = {0};
	size_t cap = 0;
	const char *s = f->text, *end = f->text + f->len;
	if (f->len >= 3 && memcmp(s, "\xEF\xBB\xBF", 3) == 0)
		s += 3; /* byte order mark */
	int lineno = 0;
	int utf8_reports = 0;
	buf clean = {0};
	while (s < end || lineno == 0) { /* an empty file is one blank line */
		lineno++;
		if (lineno > LEX_MAX_LINES) {
			diag_report(d, (srcloc){f, lineno, 1}, D_TOO_MANY_LINES, LEX_MAX_LINES);
			break;
		}
		const char *nl = memchr(s, '\n', (size_t)(end - s));
		const char *le = nl ? nl : end;
		/* clean copy: invalid bytes and NUL → U+FFFD, at most LEX_MAX_LINE_CHARS characters */
		clean.len = 0;
		size_t chars = 0;
		bool too_long = false;
		for (const char *p = s; p < le;) {
			uint32_t cp;
			size_t k = utf8_decode(p, (size_t)(le - p), &cp);
			int col = (int)chars + 1;
			if (chars >= LEX_MAX_LINE_CHARS) {
				too_long = true;
				break;
			}
			if (k && cp != 0 && lex_char_forbidden(cp)) {
				/* kept as written: the error stops every document */
				if (utf8_reports < 20) {
					diag_report(d, (srcloc){f, lineno, col}, D_CHAR_FORBIDDEN, (unsigned)cp);
					utf8_reports++;
				}
			}
			if (!k || cp == 0) {
				srcloc loc = {f, lineno, col};
				if (!k && utf8_reports < 20) {
					diag_report(d, loc, D_UTF8_INVALID, (unsigned)(unsigned char)*p);
					utf8_reports++;
				} else if (k && utf8_reports < 20) {
					diag_report(d, loc, D_NUL_BYTE);
					utf8_reports++;
				}
				buf_puts(&clean, "\xEF\xBF\xBD");
				p += k ? k : 1;
			} else {
				buf_put(&clean, p, k);
				p += k;
			}
			chars++;
		}
		if (too_long) {
			srcloc loc = {f, lineno, LEX_MAX_LINE_CHARS + 1};
			diag_report(d, loc, D_LINE_TOO_LONG, LEX_MAX_LINE_CHARS);
		}
		size_t cn = clean.len;
		if (cn && clean.data[cn - 1] == '\r')
			cn--;
		size_t tn, lead;
		const char *t = trim(clean.data ? clean.data : "", cn, &tn, &lead);
		lex_line *l = vec_push(a, &r.lines, &r.n, &cap, sizeof *r.lines);
		l->loc = (srcloc){f, lineno, (int)lead + 1};
		l->text = arena_strndup(a, t, tn);
		l->len = tn;
		classify(a, l);
		if (!nl)
			break;
		s = nl + 1;
		if (s == end)
			break;
	}
	buf_free(&clean);
	return r;
}

int lex_split_row(arena *a, const lex_line *whole, const char **cells, srcloc *locs, int max)
{
	lex_line body;
	const lex_line *line = whole;
	if (whole->kind == LINE_CONT) { /* the row after the ＋ */
		body = *whole;
		body.text = whole->value;
		body.len = strlen(whole->value);
		body.loc = whole->vloc;
		line = &body;
	}
	const char *t = line->text;
	size_t n = line->len, start = 0, k;
	int count = 0;
	for (size_t i = 0;; i += k) {
		uint32_t cp = 0;
		k = i < n ? utf8_decode(t + i, n - i, &cp) : 0;
		if (i >= n || is_bar(cp)) {
			if (count < max) {
				size_t cn, lead;
				const char *c = trim(t + start, i - start, &cn, &lead);
				cells[count] = arena_strndup(a, c, cn);
				locs[count] = lex_loc_at(line, cn ? c : t + start);
			}
			count++;
			if (i >= n)
				break;
			start = i + k;
		}
	}
	return count;
}
