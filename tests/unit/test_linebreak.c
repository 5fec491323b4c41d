/* test_linebreak.c — Chinese line breaking (linebreak.h) with a fake font: CJK characters and
 * full-width punctuation one em, ASCII half an em. Tables of texts with the lines they must break
 * into, 避头 and 避尾 for every listed mark, numbers and Latin words, the last-resort breaks,
 * squeezing and push-in, justification, indents, blanks; then invariants and speed on a long text. */
#include <stdint.h>
#include <stdlib.h>
#include <time.h>

#include "text/linebreak.h"
#include "unit.h"
#include "base/util.h"

enum { EM = 10000 }; /* a 10 pt font */

/* The fake font. ctx, when not NULL, counts the calls. */
static int32_t measure(void *ctx, uint32_t cp)
{
	if (ctx)
		++*(size_t *)ctx;
	return cp < 0x80 ? EM / 2 : EM;
}

enum {
	SQ = 1 << 0,  /* squeeze */
	JU = 1 << 1,  /* justify */
	RULE = 1 << 2 /* a line may start with 避头 or end with 避尾 (a unit wider than the line) */
};

static lb_params params(double width_em, double indent_em, unsigned flags)
{
	lb_params p = {(int32_t)(width_em * EM), (int32_t)(indent_em * EM), EM, (flags & JU) != 0,
	               (flags & SQ) != 0, NULL, false};
	return p;
}

/* The lines as text joined by '|', in b. */
static const char *joined(buf *b, const char *text, const lb_line *lines, size_t n)
{
	b->len = 0;
	buf_puts(b, "");
	for (size_t i = 0; i < n; i++) {
		if (i)
			buf_putc(b, '|');
		buf_put(b, text + lines[i].start, lines[i].end - lines[i].start);
	}
	return b->data;
}

static bool has_cp(const char *set, uint32_t cp)
{
	for (size_t i = 0, n = strlen(set); i < n;) {
		uint32_t c;
		size_t k = utf8_decode(set + i, n - i, &c);
		if (k && c == cp)
			return true;
		i += k ? k : 1;
	}
	return false;
}

/* Kept independent of linebreak.c on purpose: the marks the brief names. */
static const char no_start[] = "，。、；：？！）》」』”’〕】〉…—·%‰,.;:?!)]}";
static const char no_end[] = "（《「『“‘〔【〈([{";

static uint32_t first_cp(const char *s, size_t n)
{
	uint32_t cp = 0;
	return utf8_decode(s, n, &cp) ? cp : 0;
}

static uint32_t last_cp(const char *s, size_t n)
{
	size_t i = n;
	while (i > 0 && ((unsigned char)s[i - 1] & 0xC0) == 0x80)
		i--;
	return i > 0 ? first_cp(s + i - 1, n - i + 1) : 0;
}

/* What every result must satisfy; returns the number of lines that break one of them. */
static size_t invariants(const char *text, const lb_line *lines, size_t n, const lb_params *p,
                         unsigned flags)
{
	size_t bad = 0, prev_end = 0;
	for (size_t i = 0; i < n; i++) {
		const lb_line *l = &lines[i];
		bool first = i == 0, ok = l->start <= l->end && l->start >= prev_end;
		int64_t indent = first ? p->first_indent : 0, avail = p->width - indent;
		size_t count = lb_place(text, l, first, p, measure, NULL, NULL, 0);
		int32_t *x = xmalloc((count + 1) * sizeof *x);
		ok = ok && lb_place(text, l, first, p, measure, NULL, x, count + 1) == count;
		/* the set line ends at its natural width, or at the full width when justified */
		if (p->justify && !l->last && l->natural < avail)
			ok = ok && (x[count] == p->width || x[count] - indent == l->natural);
		else
			ok = ok && x[count] - indent == l->natural;
		/* nothing overflows but a single character (or an empty line after a wide indent) */
		ok = ok && (l->natural <= avail || count <= 1);
		if (!(flags & RULE)) {
			if (i > 0 && !lines[i - 1].last)
				ok = ok && !has_cp(no_start, first_cp(text + l->start, l->end - l->start));
			if (!l->last)
				ok = ok && !has_cp(no_end, last_cp(text + l->start, l->end - l->start));
		}
		if (!ok) {
			bad++;
			fprintf(stderr, "    line %zu \"%.*s\" breaks an invariant (natural %d, end %d)\n", i,
			        (int)(l->end - l->start), text + l->start, l->natural, x[count]);
		}
		free(x);
		prev_end = l->end;
	}
	return bad;
}

/* ---- breaking: text, width in em, the lines ----------------------------------------------- */

typedef struct break_case {
	const char *text;
	double width, indent; /* em */
	unsigned flags;
	const char *lines; /* joined by '|'; NULL for no lines at all */
} break_case;

static const break_case break_cases[] = {
	/* plain wrapping */
	{"一二三四五六七八九十", 4, 0, 0, "一二三四|五六七八|九十"},
	{"一二三四", 4, 0, 0, "一二三四"},
	{"一二三四五六七八九十", 4.5, 0, 0, "一二三四|五六七八|九十"},
	{"一二三四五", 1, 0, 0, "一|二|三|四|五"},
	{"あいうえおカキ", 5, 0, 0, "あいうえお|カキ"},
	/* the second mark of —— and …… never starts a line, nor does the first */
	{"一二三——四五", 4, 0, 0, "一二|三——四|五"},
	{"一二三……四五", 4, 0, 0, "一二|三……四|五"},
	{"一二三四——五", 4, 0, 0, "一二三|四——五"},
	/* 避头 after a blank */
	{"abc def ,ghi", 4, 0, 0, "abc|def ,ghi"},
	/* numbers and Latin words stay whole; a break may fall between them and CJK */
	{"预算10544.51万元", 5, 0, 0, "预算|10544.51万|元"},
	{"增长100%，", 3.5, 0, 0, "增长|100%，"},
	{"数量≥144986个", 4, 0, 0, "数量|≥144986|个"},
	{"第1-2季度", 2, 0, 0, "第|1-2|季度"},
	{"项目编码13022524P0008F010032K", 12, 0, 0, "项目编码|13022524P0008F010032K"},
	{"编制于2025年12月", 4, 0, 0, "编制于|2025年12|月"},
	{"共２０２５年", 4, 0, 0, "共|２０２５|年"},
	{"使用Excel表格", 3.5, 0, 0, "使用|Excel表|格"},
	{"支出(含人)", 3, 0, 0, "支出|(含人)"},
	{"金额￥100元", 3, 0, 0, "金额|￥100|元"},
	{"budget plan 2025", 6, 0, 0, "budget plan|2025"},
	{"abc   def", 2, 0, 0, "abc|def"},
	/* a unit wider than the line: broken inside, not before '.' if it can be helped */
	{"金额1234567.89", 3.5, 0, 0, "金额|123456|7.89"},
	{"13022524P0008F010032K", 4, 0, 0, "13022524|P0008F01|0032K"},
	{"Supercalifragilistic", 3, 0, 0, "Superc|alifra|gilist|ic"},
	{"中，", 1, 0, RULE, "中|，"},
	{"（中）", 1.5, 0, RULE | SQ, "（中|）"},
	/* a character wider than the line stands alone */
	{"中文", 0.5, 0, 0, "中|文"},
	{"ab中", 0.25, 0, 0, "a|b|中"},
	/* squeezing lets 。” in; push-in compresses the line's other punctuation for a 避头 */
	{"一二三。”四五", 4, 0, 0, "一二|三。”四|五"},
	{"一二三。”四五", 4, 0, SQ, "一二三。”|四五"},
	{"一，二三四五，六", 6, 0, 0, "一，二三四|五，六"},
	{"一，二三四五，六", 6, 0, SQ, "一，二三四五，|六"},
	{"一二三四五，六", 5, 0, SQ, "一二三四|五，六"},
	{"甲乙（丙丁）", 3, 0, SQ, "甲乙|（丙丁）"},
	/* blanks and newlines */
	{"", 4, 0, 0, NULL},
	{"   ", 4, 0, 0, NULL},
	{" \n\t\n\u3000", 4, 0, 0, NULL},
	{"  一二三四五", 4, 0, 0, "一二三四|五"},
	{"a\n\nb\n", 4, 0, 0, "a||b"},
	{"一二\n三四五六七", 4, 0, 0, "一二|三四五六|七"},
	{"\u3000\u3000正文", 10, 0, 0, "\u3000\u3000正文"},
	{"正文\u3000\u3000", 10, 0, 0, "正文"},
	{"一二\u3000三四", 2, 0, 0, "一二|三四"},
	{"\xff\xfe一二", 2, 0, 0, "\xff\xfe|一二"},
	/* first-line indent */
	{"一二三四五六七八", 4, 2, 0, "一二|三四五六|七八"},
	{"一二三四五六七八", 4, 5, 0, "一|二三四五|六七八"},
};

static void test_break_cases(void)
{
	buf b = {0};
	for (size_t i = 0; i < sizeof break_cases / sizeof *break_cases; i++) {
		const break_case *c = &break_cases[i];
		unit_context = c->text;
		lb_params p = params(c->width, c->indent, c->flags);
		lb_line *lines;
		size_t n = lb_break(c->text, strlen(c->text), &p, measure, NULL, &lines);
		if (!c->lines) {
			CHECK_INT_EQ(n, 0);
			CHECK(lines == NULL);
		} else {
			CHECK_STR_EQ(joined(&b, c->text, lines, n), c->lines);
		}
		CHECK_INT_EQ(invariants(c->text, lines, n, &p, c->flags), 0);
		free(lines);
	}
	unit_context = NULL;
	buf_free(&b);
}

/* Every listed 避头 mark at a would-be line start pulls the character before it down, with and
 * without squeezing; every 避尾 mark at a would-be line end goes down. */
static void test_kinsoku_marks(void)
{
	static const char *no_start_marks[] = {"，", "。", "、", "；", "：", "？", "！", "）", "》",
	                                       "」", "』", "”",  "’",  "〕", "】", "〉", "…",  "—",
	                                       "·",  "%",  "‰",  "％", ",",  ".",  ";",  ":",  "?",
	                                       "!",  ")",  "]",  "}"};
	static const char *no_end_marks[] = {"（", "《", "「", "『", "“", "‘", "〔", "【", "〈",
	                                     "(",  "[",  "{"};
	buf text = {0}, want = {0}, got = {0};
	for (unsigned flags = 0; flags <= SQ; flags += SQ) {
		lb_params p = params(4, 0, flags);
		for (size_t i = 0; i < sizeof no_start_marks / sizeof *no_start_marks; i++) {
			text.len = want.len = 0;
			buf_printf(&text, "一二三四%s五六", no_start_marks[i]);
			buf_printf(&want, "一二三|四%s五六", no_start_marks[i]);
			unit_context = text.data;
			lb_line *lines;
			size_t n = lb_break(text.data, text.len, &p, measure, NULL, &lines);
			CHECK_STR_EQ(joined(&got, text.data, lines, n), want.data);
			free(lines);
		}
		for (size_t i = 0; i < sizeof no_end_marks / sizeof *no_end_marks; i++) {
			text.len = want.len = 0;
			buf_printf(&text, "一二三%s四五六", no_end_marks[i]);
			buf_printf(&want, "一二三|%s四五六", no_end_marks[i]);
			unit_context = text.data;
			lb_line *lines;
			size_t n = lb_break(text.data, text.len, &p, measure, NULL, &lines);
			CHECK_STR_EQ(joined(&got, text.data, lines, n), want.data);
			free(lines);
		}
	}
	unit_context = NULL;
	buf_free(&text);
	buf_free(&want);
	buf_free(&got);
}

/* ---- placing: the origins of one line in millipoints, then where it ends ------------------ */

typedef struct place_case {
	const char *text;
	double width, indent; /* em */
	unsigned flags;
	size_t line;     /* which line of the text */
	int32_t natural; /* millipoints */
	const char *x;   /* origins and the end, millipoints (1 em = 10000) */
} place_case;

static const place_case place_cases[] = {
	/* 。” ），：“ take 1.5 em; an opening mark at line start and a closing one at line end lose
	 * their blank half (the glyph of “ is drawn half an em left of the line start) */
	{"“好。”好", 10, 0, SQ, 0, 40000, "-5000 5000 15000 20000 30000 40000"},
	{"“好。”好", 10, 0, 0, 0, 50000, "0 10000 20000 30000 40000 50000"},
	{"（甲），乙", 10, 0, SQ, 0, 40000, "-5000 5000 15000 20000 30000 40000"},
	{"说：“好”", 10, 0, SQ, 0, 40000, "0 10000 15000 25000 35000 40000"},
	{"（（甲））", 10, 0, SQ, 0, 30000, "-5000 0 10000 20000 25000 30000"},
	{"甲乙（丙丁）", 3, 0, SQ, 1, 30000, "-5000 5000 15000 25000 30000"},
	/* no squeeze at line start after the first-line indent */
	{"（一）总体情况", 20, 2, SQ, 0, 70000,
	 "20000 30000 40000 50000 60000 70000 80000 90000"},
	/* push-in: the first ， gives up its blank half to let the second in */
	{"一，二三四五，六", 6, 0, SQ, 0, 60000, "0 10000 15000 25000 35000 45000 55000 60000"},
	/* justification: exact sums, no stretch inside Latin, none on the last line */
	{"一二三四五六七八九十", 4.5, 0, JU, 0, 40000, "0 11666 23333 35000 45000"},
	{"一二三四五六七八九十", 4.5, 0, JU, 2, 20000, "0 10000 20000"},
	{"甲abc乙丙丁戊", 5, 0, JU, 0, 45000, "0 11666 16666 21666 28333 40000 50000"},
	{"2025 budget plan", 7, 0, JU, 0, 55000,
	 "0 5000 10000 15000 27500 40000 45000 50000 55000 60000 65000 70000"},
	{"一二三四，五六", 4, 0, SQ | JU, 0, 30000, "0 15000 30000 40000"},
	{"一二\n三四五六七", 4, 0, JU, 0, 20000, "0 10000 20000"},
	/* first-line indent, with and without justification */
	{"一二三四五六七八", 4, 2, 0, 0, 20000, "20000 30000 40000"},
	{"一二三四五六七八", 4, 2, 0, 1, 40000, "0 10000 20000 30000 40000"},
	{"一二三四五六七八", 4.5, 2, JU, 0, 20000, "20000 35000 45000"},
};

static void test_place_cases(void)
{
	buf b = {0};
	for (size_t i = 0; i < sizeof place_cases / sizeof *place_cases; i++) {
		const place_case *c = &place_cases[i];
		unit_context = c->text;
		lb_params p = params(c->width, c->indent, c->flags);
		lb_line *lines;
		size_t n = lb_break(c->text, strlen(c->text), &p, measure, NULL, &lines);
		if (!CHECK(c->line < n)) {
			free(lines);
			continue;
		}
		const lb_line *l = &lines[c->line];
		CHECK_INT_EQ(l->natural, c->natural);
		int32_t x[64];
		size_t count = lb_place(c->text, l, c->line == 0, &p, measure, NULL, x, 64);
		b.len = 0;
		buf_puts(&b, "");
		for (size_t k = 0; k <= count && k < 64; k++)
			buf_printf(&b, "%s%d", k ? " " : "", x[k]);
		CHECK_STR_EQ(b.data, c->x);
		free(lines);
	}
	unit_context = NULL;
	buf_free(&b);
}

/* lb_place writes no more than cap entries and still counts them all. */
static void test_place_cap(void)
{
	const char *text = "一二三e\xcc\x81";
	lb_params p = params(10, 0, 0);
	lb_line *lines;
	size_t n = lb_break(text, strlen(text), &p, measure, NULL, &lines);
	CHECK_INT_EQ(n, 1);
	int32_t x[6] = {-1, -1, -1, -1, -1, -1};
	CHECK_INT_EQ(lb_place(text, &lines[0], true, &p, measure, NULL, x, 2), 5);
	CHECK(x[0] == 0 && x[1] == EM && x[2] == -1);
	CHECK_INT_EQ(lb_place(text, &lines[0], true, &p, measure, NULL, x, 6), 5);
	/* the combining acute is drawn after the e's advance; the end follows both */
	CHECK(x[3] == 3 * EM && x[4] == 3 * EM + EM / 2 && x[5] == 3 * EM + EM / 2 + EM);
	free(lines);
}

/* ---- a long text: invariants, calls to measure, speed ------------------------------------- */

static const char sample[] =
	"2025年部门预算收入合计10544.51万元，比上年增长3.2%，主要是“基本支出”增加（含人员经费"
	"和公用经费）。其中：一般公共预算财政拨款收入≥144986元，项目编码13022524P0008F010032K"
	"的支出用于《政府采购法》规定的采购活动；政府性基金预算……无。使用Excel表格编制的1-2季度"
	"数据——详见附表。";

static double now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static void test_long_text(void)
{
	buf text = {0};
	while (utf8_count(text.data ? text.data : "", text.len) < 500000)
		buf_puts(&text, sample);
	size_t cps = utf8_count(text.data, text.len);
	int32_t *x = xmalloc(256 * sizeof *x);

	for (unsigned flags = 0; flags <= (SQ | JU); flags++) {
		lb_params p = params(28, 2, flags);
		lb_line *lines;
		size_t calls = 0;
		size_t n = lb_break(text.data, text.len, &p, measure, &calls, &lines);
		size_t placed = 0;
		for (size_t i = 0; i < n; i++)
			placed += lb_place(text.data, &lines[i], i == 0, &p, measure, NULL, x, 256);
		CHECK_INT_EQ(placed, cps);
		CHECK(calls < cps + cps / 4); /* linear: few characters are measured twice */
		CHECK_INT_EQ(invariants(text.data, lines, n, &p, flags), 0);
		free(lines);
	}

	/* speed of prose setting (squeeze, justify), the best of five runs */
	double best_break = 1e9, best_place = 1e9;
	size_t n = 0;
	for (int run = 0; run < 5; run++) {
		lb_params p = params(28, 2, SQ | JU);
		lb_line *lines;
		double t0 = now();
		n = lb_break(text.data, text.len, &p, measure, NULL, &lines);
		double t1 = now();
		for (size_t i = 0; i < n; i++)
			lb_place(text.data, &lines[i], i == 0, &p, measure, NULL, x, 256);
		double t2 = now();
		best_break = t1 - t0 < best_break ? t1 - t0 : best_break;
		best_place = t2 - t1 < best_place ? t2 - t1 : best_place;
		free(lines);
	}
	printf("  %zu characters, %zu lines of 28 em: lb_break %.1f ns/char, lb_place %.1f ns/char\n",
	       cps, n, best_break * 1e9 / (double)cps, best_place * 1e9 / (double)cps);

	/* one 200,000-digit unit: broken every 56 digits, still linear */
	text.len = 0;
	for (int i = 0; i < 200000; i++)
		buf_putc(&text, (char)('0' + i % 10));
	lb_params p = params(28, 0, SQ | JU);
	lb_line *lines;
	size_t calls = 0;
	n = lb_break(text.data, text.len, &p, measure, &calls, &lines);
	CHECK_INT_EQ(n, (200000 + 55) / 56);
	CHECK(calls < 200000 + 200000 / 4);
	CHECK_INT_EQ(invariants(text.data, lines, n, &p, 0), 0);
	free(lines);
	free(x);
	buf_free(&text);
}

/* Random texts of CJK, punctuation, Latin, digits, blanks and newlines at random widths: no
 * visible byte is lost or repeated, placement agrees with lb_break, nothing overflows but a lone
 * character. (Kinsoku may give way here: runs of punctuation wider than the line are common.) */
static void test_random_texts(void)
{
	static const char *pieces[] = {"一", "二", "三", "，", "。", "、", "“",  "”",  "（", "）", "《",
	                               "》", "：", "—", "…",  "a",  "b",  "1",  ".",  "%",  " ",  "\n",
	                               "(",  ")",  "\u3000", "\xff"};
	uint32_t seed = 12345;
	size_t bad = 0;
	buf text = {0};
	for (int iter = 0; iter < 20000; iter++) {
		text.len = 0;
		buf_puts(&text, "");
		seed = seed * 1103515245u + 12345u;
		for (uint32_t i = 0, n = (seed >> 8) % 40; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			buf_puts(&text, pieces[(seed >> 8) % (sizeof pieces / sizeof *pieces)]);
		}
		seed = seed * 1103515245u + 12345u;
		lb_params p = params((double)((seed >> 8) % 120) / 10, (double)((seed >> 16) % 3),
		                     (seed >> 20) % 4);
		lb_line *lines;
		size_t n = lb_break(text.data, text.len, &p, measure, NULL, &lines);
		bad += invariants(text.data, lines, n, &p, RULE);
		/* between and after the lines only blanks and newlines */
		for (size_t i = 0, at = 0; i <= n; i++) {
			size_t to = i < n ? lines[i].start : text.len;
			for (; at < to; at++)
				if (!strchr(" \n\xe3\x80", text.data[at]))
					bad++;
			at = i < n ? lines[i].end : at;
		}
		free(lines);
	}
	CHECK_INT_EQ(bad, 0);
	buf_free(&text);
}

/* Holds (lb_hold) and no_widow: words break at their boundaries, numbers stay with their units,
 * document numbers stay whole from the bracket to 号, and no character stands alone on a last
 * line when the line before can give it a companion. Width in em (ASCII is half an em). */
typedef struct hold_case {
	const char *text;
	double width;
	bool words, no_widow, squeeze;
	const char *lines;
} hold_case;

static const hold_case hold_cases[] = {
	/* the widow: taken down, or squeezed up */
	{"满意度指标", 4, false, false, false, "满意度指|标"},
	{"满意度指标", 4, false, true, false, "满意度|指标"},
	{"服务对象满意度指标", 4, false, true, false, "服务对象|满意度|指标"},
	{"一二三，四五。", 6, false, true, true, "一二三，四五。"},
	{"一二三四五，六", 6, false, true, true, "一二三四|五，六"},
	/* a widow whose companion would need a break inside a number stays */
	{"12345678一", 4, false, true, false, "12345678|一"},
	/* words: 服务对象|满意度|指标 */
	{"服务对象满意度指标", 6, false, false, false, "服务对象满意|度指标"},
	{"服务对象满意度指标", 6, true, false, false, "服务对象|满意度指标"},
	{"满意度指标", 4, true, false, false, "满意度|指标"},
	{"指标满意度", 2, true, false, false, "指标|满意|度"},
	/* numbers with their units, document numbers */
	{"资金共计20万元", 6, false, false, false, "资金共计|20万元"},
	{"完成时间2025年12月底", 7, false, false, false, "完成时间2025年|12月底"},
	{"完成时间2025年12月底", 5, false, false, false, "完成时间|2025年12月|底"},
	{"完成时间2025年12月底", 5, false, true, false, "完成时间|2025年|12月底"},
	{"依据冀财资[2017]674号文", 8, false, false, false, "依据冀财资|[2017]674号文"},
	{"依据冀财资[2017]674号文", 6, false, false, false, "依据冀财资|[2017]674号|文"},
	{"邢人社发〔2019〕11号", 6, false, false, false, "邢人社发|〔2019〕11号"},
	/* wider than the line: broken between the number and 号 rather than inside the number */
	{"邢人社发〔2019〕11号", 5, false, false, false, "邢人社发|〔2019〕11|号"},
	{"第12期培训", 3, false, false, false, "第12期|培训"},
};

static const char *const test_words[] = {"指标", "服务对象", "满意度"}; /* sorted by strcmp */

static void test_holds(void)
{
	buf b = {0};
	lb_words ws = {test_words, sizeof test_words / sizeof *test_words};
	for (size_t i = 0; i < sizeof hold_cases / sizeof *hold_cases; i++) {
		const hold_case *c = &hold_cases[i];
		unit_context = c->text;
		size_t len = strlen(c->text);
		uint8_t *hold = xmalloc(len + 1);
		lb_hold(c->text, len, c->words ? &ws : NULL, hold);
		lb_params p = params(c->width, 0, c->squeeze ? SQ : 0);
		p.hold = hold;
		p.no_widow = c->no_widow;
		lb_line *lines;
		size_t n = lb_break(c->text, len, &p, measure, NULL, &lines);
		CHECK_STR_EQ(joined(&b, c->text, lines, n), c->lines);
		free(lines);
		free(hold);
	}
	unit_context = NULL;
	buf_free(&b);
}

int main(void)
{
	test_break_cases();
	test_holds();
	test_kinsoku_marks();
	test_place_cases();
	test_place_cap();
	test_random_texts();
	test_long_text();
	return unit_report();
}
