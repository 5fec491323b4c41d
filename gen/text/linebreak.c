/* linebreak.c — Chinese line breaking and line positioning (linebreak.h): character classes, the
 * width of a line with 标点挤压, first-fit breaking with 避头/避尾 by pull-down or push-in and the
 * last-resort breaks, then placement with squeezing and justification. */
#include "text/linebreak.h"

#include <stdlib.h>
#include <string.h>

#include "base/util.h"

/* ---- character classes ------------------------------------------------------------------- */

typedef enum lb_class {
	LB_ID, /* CJK ideograph, kana, other full-width character: a break may fall on either side */
	LB_AL, /* letter, digit, other character: see item.glue */
	LB_OP, /* opening punctuation, 避尾: no break after */
	LB_CL, /* closing punctuation and stops, 避头: no break before */
	LB_SP, /* blank: a break falls after it; it vanishes at line ends */
	LB_NL  /* '\n': a forced break */
} lb_class;

/* Where the blank half of a full-width punctuation mark is, in GB fonts. */
typedef enum lb_squeeze {
	SQ_NONE,  /* no blank half, not full-width, or squeezing is off */
	SQ_OPEN,  /* blank half on the left: opening brackets and quotes */
	SQ_CLOSE  /* blank half on the right: closing brackets and quotes, stops (，。、：；？！) */
} lb_squeeze;

/* One unit of text: a code point with the combining marks that follow it. */
typedef struct item {
	size_t pos, end;  /* bytes in the text */
	int64_t adv;      /* advance of the code point and its marks */
	lb_class cls;
	lb_squeeze sq;
	bool glue;        /* narrow (Latin, digits, ASCII punctuation) or full-width alphanumeric: no break
	                   * and no justification between two glue items */
	bool ideo_space;  /* U+3000: an indent while only U+3000 precede it on the line */
	bool marks;       /* combining marks follow the code point */
	bool shrunk;      /* its blank half is squeezed away (set when it joins a line) */
} item;

/* Sets the class, squeeze side and glue of cp. */
static void classify(uint32_t cp, item *it)
{
	it->cls = LB_AL;
	it->sq = SQ_NONE;
	it->glue = true;
	it->ideo_space = false;
	if (cp < 0x80) {
		switch (cp) {
		case ' ': case '\t': case '\v': case '\f': case '\r':
			it->cls = LB_SP, it->glue = false;
			break;
		case '\n':
			it->cls = LB_NL, it->glue = false;
			break;
		case '(': case '[': case '{':
			it->cls = LB_OP;
			break;
		case ')': case ']': case '}': case ',': case '.': case ';': case ':': case '?': case '!':
		case '%':
			it->cls = LB_CL;
			break;
		default:
			break;
		}
		return;
	}
	if (cp >= 0x4E00 && cp <= 0x9FFF) {
		it->cls = LB_ID, it->glue = false;
		return;
	}
	it->glue = false;
	switch (cp) {
	/* “ ‘ 〈 《 「 『 【 〔 〖 〘 〚 〝 （ ［ ｛ ｟ */
	case 0x201C: case 0x2018: case 0x3008: case 0x300A: case 0x300C: case 0x300E: case 0x3010:
	case 0x3014: case 0x3016: case 0x3018: case 0x301A: case 0x301D: case 0xFF08: case 0xFF3B:
	case 0xFF5B: case 0xFF5F:
		it->cls = LB_OP, it->sq = SQ_OPEN;
		return;
	/* ” ’ 〉 》 」 』 】 〕 〗 〙 〛 〞 〟 ） ］ ｝ ｠ and 、 。 ！ ， ． ： ； ？ */
	case 0x201D: case 0x2019: case 0x3009: case 0x300B: case 0x300D: case 0x300F: case 0x3011:
	case 0x3015: case 0x3017: case 0x3019: case 0x301B: case 0x301E: case 0x301F: case 0xFF09:
	case 0xFF3D: case 0xFF5D: case 0xFF60: case 0x3001: case 0x3002: case 0xFF01: case 0xFF0C:
	case 0xFF0E: case 0xFF1A: case 0xFF1B: case 0xFF1F:
		it->cls = LB_CL, it->sq = SQ_CLOSE;
		return;
	/* never at line start, not squeezed: · — ‥ … ‧ ‰ ⸺ ⸻ 々 〜 ・ ％ － ～ ｡ ｣ ､ ･ */
	case 0x00B7: case 0x2014: case 0x2025: case 0x2026: case 0x2027: case 0x2030: case 0x2E3A:
	case 0x2E3B: case 0x3005: case 0x301C: case 0x30FB: case 0xFF05: case 0xFF0D: case 0xFF5E:
	case 0xFF61: case 0xFF63: case 0xFF64: case 0xFF65:
		it->cls = LB_CL;
		return;
	/* never at line end: ｢ and the currency signs before an amount ＄ ￠ ￡ ￥ */
	case 0xFF62: case 0xFF04: case 0xFFE0: case 0xFFE1: case 0xFFE5:
		it->cls = LB_OP;
		return;
	case 0x3000: /* ideographic space */
		it->cls = LB_SP, it->ideo_space = true;
		return;
	case 0x200B: /* zero width space */
		it->cls = LB_SP;
		return;
	default:
		break;
	}
	if ((cp >= 0xFF10 && cp <= 0xFF19) || (cp >= 0xFF21 && cp <= 0xFF3A) ||
	    (cp >= 0xFF41 && cp <= 0xFF5A))
		it->glue = true; /* full-width digits and letters stay together like ASCII ones */
	else if (cp_is_wide(cp))
		it->cls = LB_ID;
	else
		it->glue = true;
}

/* Combining marks, variation selectors and joiners: never separated from the character before. */
static bool is_mark(uint32_t cp)
{
	return (cp >= 0x0300 && cp <= 0x036F) || cp == 0x200D || cp == 0x2060 ||
	       (cp >= 0x20D0 && cp <= 0x20FF) || cp == 0x3099 || cp == 0x309A ||
	       (cp >= 0xFE00 && cp <= 0xFE0F) || (cp >= 0xFE20 && cp <= 0xFE2F) || cp == 0xFEFF ||
	       (cp >= 0xE0100 && cp <= 0xE01EF);
}

/* Lead bytes of the marks above, so that most characters are not decoded twice. */
static bool may_be_mark(unsigned char b)
{
	return b == 0xCC || b == 0xCD || b == 0xE2 || b == 0xE3 || b == 0xEF || b == 0xF3;
}

/* The text being broken or placed, and how to measure it. */
typedef struct lb_src {
	const char *s;
	size_t len; /* bytes to look at */
	const lb_params *p;
	lb_measure_fn m;
	void *ctx;
} lb_src;

/* Reads the item at *pos and advances *pos past it. An invalid byte is one U+FFFD. */
static void next_item(const lb_src *t, size_t *pos, item *it)
{
	size_t i = *pos;
	uint32_t cp;
	size_t k = utf8_decode(t->s + i, t->len - i, &cp);
	if (!k)
		cp = 0xFFFD, k = 1;
	it->pos = i;
	classify(cp, it);
	it->adv = t->m(t->ctx, cp);
	it->marks = false;
	i += k;
	if (it->cls != LB_SP && it->cls != LB_NL) {
		while (i < t->len && may_be_mark((unsigned char)t->s[i])) {
			k = utf8_decode(t->s + i, t->len - i, &cp);
			if (!k || !is_mark(cp))
				break;
			it->adv += t->m(t->ctx, cp);
			it->marks = true;
			i += k;
		}
	}
	it->end = *pos = i;
	it->shrunk = false;
	if (it->sq != SQ_NONE && !(t->p->squeeze && it->adv >= t->p->em - t->p->em / 8))
		it->sq = SQ_NONE;
}

/* True when it is a blank here. U+3000 while *leading (nothing else on the line yet) is an indent:
 * it becomes an ideograph. Any other item ends the leading run. */
static bool is_blank(item *it, bool *leading)
{
	if (it->cls != LB_SP) {
		*leading = false;
		return false;
	}
	if (*leading && it->ideo_space) {
		it->cls = LB_ID;
		return false;
	}
	return true;
}

/* ---- the width of a line, item by item --------------------------------------------------- */

static int64_t half(int64_t adv)
{
	return adv / 2;
}

/* Advance of an item on its line so far (a closing mark's right half is settled later). */
static int64_t item_width(const item *it)
{
	return it->adv - (it->shrunk ? half(it->adv) : 0);
}

/* The blank half an item still has: what push-in may take from it. */
static int64_t item_room(const item *it)
{
	return it->sq != SQ_NONE && !it->shrunk ? half(it->adv) : 0;
}

/* A line being built. Placement (lb_place) repeats these rules item by item; keep them in step. */
typedef struct lb_acc {
	int64_t w;      /* the items with their squeezes, and the blanks between them */
	int64_t room;   /* blank halves left in the items before the last */
	int64_t blanks; /* blanks after the last item: counted once another item follows */
	bool spaced;    /* there are blanks (perhaps of no width) after the last item */
	size_t n;       /* items so far */
	item last;      /* the last item, when n > 0 */
} lb_acc;

/* Appends an item. Squeezes: an opening mark at line start (when start_squeeze), and of two adjacent
 * marks the one whose blank half faces the other: a closing mark before any mark, else an opening
 * mark after an opening mark. */
static void acc_add(lb_acc *a, item *it, bool start_squeeze)
{
	if (a->n == 0) {
		it->shrunk = start_squeeze && it->sq == SQ_OPEN;
	} else {
		item *l = &a->last;
		if (!a->spaced && l->sq == SQ_CLOSE && it->sq != SQ_NONE) {
			l->shrunk = true;
			a->w -= half(l->adv);
		} else if (!a->spaced && l->sq == SQ_OPEN && it->sq == SQ_OPEN) {
			it->shrunk = true;
		}
		a->room += item_room(l);
	}
	a->w += a->blanks + item_width(it);
	a->blanks = 0;
	a->spaced = false;
	a->last = *it;
	a->n++;
}

static void acc_blank(lb_acc *a, int64_t adv)
{
	a->blanks += adv;
	a->spaced = true;
}

/* Width of the line if it ends after the last item: a closing mark's blank half is not counted. */
static int64_t acc_end(const lb_acc *a)
{
	return a->w - (a->last.sq == SQ_CLOSE ? item_room(&a->last) : 0);
}

/* Push-in room of that line: every blank half still there but the line-end one. */
static int64_t acc_room(const lb_acc *a)
{
	return a->room + (a->last.sq == SQ_OPEN ? item_room(&a->last) : 0);
}

/* How much a line of width w with that room is compressed to fit avail. */
static int64_t compression(int64_t w, int64_t room, int64_t avail)
{
	if (w <= avail)
		return 0;
	return w - avail < room ? w - avail : room;
}

static int32_t clamp32(int64_t v)
{
	return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

/* ---- breaking ---------------------------------------------------------------------------- */

/* Kinds of break, best first. */
enum {
	BRK_LEGAL,   /* a break opportunity */
	BRK_WORD,    /* held: inside a word of the caller's list */
	BRK_TIGHT,   /* held: between a number and its unit, inside a document number */
	BRK_IN_UNIT, /* inside a Latin word or number: for a unit wider than the line */
	BRK_RULE,    /* before 避头 or after 避尾: when nothing else fits */
	BRK_KINDS
};

static int brk_kind(const lb_src *t, const item *a, const item *b, bool spaced)
{
	if (b->cls == LB_CL || a->cls == LB_OP)
		return BRK_RULE;
	if (!spaced && a->glue && b->glue)
		return BRK_IN_UNIT;
	if (t->p->hold && !spaced && t->p->hold[b->pos] != LB_HOLD_NONE)
		return t->p->hold[b->pos] == LB_HOLD_WORD ? BRK_WORD : BRK_TIGHT;
	return BRK_LEGAL;
}

/* A place where the line being built could end. */
typedef struct lb_brk {
	size_t end;   /* end of the line's last item */
	size_t next;  /* where the next line starts */
	int64_t w;    /* width of the line ending here */
	int64_t room; /* its push-in room */
	bool forced;  /* at '\n' or the end of the text */
	bool valid;
	int kind;     /* BRK_… */
} lb_brk;

static size_t finish(lb_line *ln, size_t start, const lb_brk *b, int64_t avail, int *kind)
{
	*kind = b->forced ? BRK_LEGAL : b->kind;
	ln->start = start;
	ln->end = b->end;
	ln->natural = clamp32(b->w - compression(b->w, b->room, avail));
	ln->last = b->forced;
	return b->next;
}

/* No legal break fits and push-in does not help: the best of the rest, or the first item alone. */
static size_t fall_back(lb_line *ln, size_t start, const lb_brk best[BRK_KINDS], const lb_brk *over,
                        int64_t avail, int *kind)
{
	for (int k = 0; k < BRK_KINDS; k++)
		if (best[k].valid)
			return finish(ln, start, &best[k], avail, kind);
	return finish(ln, start, over, avail, kind);
}

/* Sets *ln to the line that starts at or after pos (blanks first are skipped) and returns where the
 * next line starts. First fit: the last legal break that fits. A line that fits up to a run of 避头
 * punctuation may take the run in when compressing its punctuation makes room (push-in); otherwise
 * the character before the run goes down with it. */
static size_t break_line(const lb_src *t, size_t pos, int64_t avail, bool start_squeeze,
                         lb_line *ln, int *kout)
{
	lb_acc a = {0};
	lb_brk best[BRK_KINDS] = {{0}};
	lb_brk over = {0};      /* the first end that did not fit */
	bool pushing = false;   /* reading on to the end of a run of 避头 to push in */
	size_t since = 0;       /* items since the last legal break that fits, or the line start */
	bool head_fits = false; /* the first of them fits */
	bool tail_cl = true;    /* the others are all 避头 */
	bool leading = true;
	size_t start = pos;
	item it = {0};
	for (;;) {
		bool forced = pos >= t->len || t->s[pos] == '\n';
		int kind = BRK_LEGAL;
		if (!forced) {
			next_item(t, &pos, &it);
			if (is_blank(&it, &leading)) {
				if (a.n > 0) /* blanks before the first item are dropped */
					acc_blank(&a, it.adv);
				continue;
			}
			if (a.n == 0) {
				start = it.pos;
				acc_add(&a, &it, start_squeeze);
				since = 1;
				continue;
			}
			kind = brk_kind(t, &a.last, &it, a.spaced);
		} else if (a.n == 0) { /* an empty line before '\n' */
			lb_brk b = {pos, pos < t->len ? pos + 1 : pos, 0, 0, true, true, BRK_LEGAL};
			return finish(ln, pos, &b, avail, kout);
		}
		lb_brk b = {a.last.end, forced ? (pos < t->len ? pos + 1 : pos) : it.pos, acc_end(&a),
		            acc_room(&a), forced, true, kind};
		if (pushing) {
			if (kind == BRK_LEGAL || forced)
				return b.w - b.room <= avail ? finish(ln, start, &b, avail, kout)
				                             : fall_back(ln, start, best, &over, avail, kout);
			if (it.cls != LB_CL)
				return fall_back(ln, start, best, &over, avail, kout);
		} else if (b.w <= avail) {
			if (forced)
				return finish(ln, start, &b, avail, kout);
			best[kind] = b;
			if (kind == BRK_LEGAL)
				since = 0, head_fits = false, tail_cl = true;
			else if (since == 1)
				head_fits = true;
		} else {
			over = b;
			if (!(t->p->squeeze && head_fits && tail_cl && since >= 2))
				return fall_back(ln, start, best, &over, avail, kout);
			if (kind == BRK_LEGAL || forced)
				return b.w - b.room <= avail ? finish(ln, start, &b, avail, kout)
				                             : fall_back(ln, start, best, &over, avail, kout);
			if (it.cls != LB_CL)
				return fall_back(ln, start, best, &over, avail, kout);
			pushing = true;
		}
		acc_add(&a, &it, start_squeeze);
		if (++since >= 2 && it.cls != LB_CL)
			tail_cl = false;
	}
}

/* End of the text without the blanks and newlines at its end. */
static size_t visible_end(const char *s, size_t len)
{
	while (len > 0) {
		unsigned char c = (unsigned char)s[len - 1];
		if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f')
			len--;
		else if (len >= 3 && (unsigned char)s[len - 3] == 0xE3 &&
		         (unsigned char)s[len - 2] == 0x80 && c == 0x80) /* U+3000 */
			len -= 3;
		else if (len >= 3 && (unsigned char)s[len - 3] == 0xE2 &&
		         (unsigned char)s[len - 2] == 0x80 && c == 0x8B) /* U+200B */
			len -= 3;
		else
			break;
	}
	return len;
}

/* Width and push-in room of [start, end) set as one line, as lb_place measures it. */
static void measure_range(const lb_src *t, size_t start, size_t end, bool start_squeeze, int64_t *w,
                          int64_t *room)
{
	lb_acc a = {0};
	bool leading = true;
	item it;
	for (size_t pos = start; pos < end;) {
		next_item(t, &pos, &it);
		if (is_blank(&it, &leading))
			acc_blank(&a, it.adv);
		else
			acc_add(&a, &it, start_squeeze);
	}
	*w = acc_end(&a);
	*room = acc_room(&a);
}

/* One character, perhaps with closing punctuation after it: a widow when it is a last line. */
static bool lone_char(const lb_src *t, const lb_line *ln)
{
	size_t chars = 0;
	bool leading = true;
	item it;
	for (size_t pos = ln->start; pos < ln->end;) {
		next_item(t, &pos, &it);
		if (is_blank(&it, &leading) || (it.cls == LB_CL && chars > 0))
			continue;
		if (++chars > 1)
			return false;
	}
	return chars == 1;
}

static int64_t line_avail(const lb_params *p, size_t i)
{
	return (int64_t)p->width - (i == 0 ? p->first_indent : 0);
}

static bool line_squeeze(const lb_params *p, size_t i)
{
	return p->squeeze && !(i == 0 && p->first_indent > 0);
}

/* Gives every widow on a paragraph's last line (line i) a companion from line i−1: the two set as
 * one line when 标点挤压 makes them fit, else line i−1 broken earlier at a break no worse than a
 * word break or its own, when the rest then fits on one line. Returns the new line count. */
static size_t fix_widows(const lb_src *t, lb_line *out, int *kinds, size_t n)
{
	const lb_params *p = t->p;
	for (size_t i = 1; i < n; i++) {
		if (!out[i].last || out[i - 1].last || !lone_char(t, &out[i]))
			continue;
		size_t j = i - 1;
		int64_t avail = line_avail(p, j), w, room;
		bool sq = line_squeeze(p, j);
		measure_range(t, out[j].start, out[i].end, sq, &w, &room);
		if (p->squeeze && w - room <= avail) {
			out[j].end = out[i].end;
			out[j].natural = clamp32(w - compression(w, room, avail));
			out[j].last = out[i].last;
			memmove(&out[i], &out[i + 1], (n - i - 1) * sizeof *out);
			memmove(&kinds[i], &kinds[i + 1], (n - i - 1) * sizeof *kinds);
			n--;
			continue;
		}
		lb_line a, b;
		int ka, kb;
		size_t next = break_line(t, out[j].start, out[j].natural - 1, sq, &a, &ka);
		if (a.last || a.end >= out[j].end || ka > (kinds[j] > BRK_WORD ? kinds[j] : BRK_WORD))
			continue;
		break_line(t, next, line_avail(p, i), line_squeeze(p, i), &b, &kb);
		if (!b.last || b.end != out[i].end || b.natural > line_avail(p, i))
			continue;
		out[j] = a, kinds[j] = ka;
		out[i] = b, kinds[i] = kb;
	}
	return n;
}

size_t lb_break(const char *text, size_t len, const lb_params *p, lb_measure_fn m, void *ctx,
                lb_line **lines)
{
	lb_src t = {text, visible_end(text, len), p, m, ctx};
	lb_line *out = NULL;
	int *kinds = NULL;
	size_t n = 0, cap = 0, pos = 0;
	while (pos < t.len) {
		if (n == cap) {
			cap = cap ? 2 * cap : 16;
			out = xrealloc(out, cap * sizeof *out);
			kinds = xrealloc(kinds, cap * sizeof *kinds);
		}
		pos = break_line(&t, pos, line_avail(p, n), line_squeeze(p, n), &out[n], &kinds[n]);
		n++;
	}
	if (p->no_widow && n > 1)
		n = fix_widows(&t, out, kinds, n);
	free(kinds);
	*lines = out;
	return n;
}

int32_t lb_min_width(const char *text, size_t len, const lb_params *p, lb_measure_fn m, void *ctx)
{
	lb_src t = {text, visible_end(text, len), p, m, ctx};
	int64_t best = 0, run = 0;
	bool leading = true, spaced = false, have = false;
	item it, prev = {0};
	for (size_t pos = 0; pos < t.len;) {
		next_item(&t, &pos, &it);
		if (it.cls == LB_NL || is_blank(&it, &leading)) {
			spaced = true;
			continue;
		}
		if (have && (spaced || brk_kind(&t, &prev, &it, false) == BRK_LEGAL))
			run = 0;
		run += it.adv;
		if (run > best)
			best = run;
		prev = it;
		have = true;
		spaced = false;
	}
	return clamp32(best);
}

/* ---- holds ------------------------------------------------------------------------------- */

static bool is_digit_cp(uint32_t cp)
{
	return (cp >= '0' && cp <= '9') || (cp >= 0xFF10 && cp <= 0xFF19);
}

/* Units that stay with the number before them, longest first where one begins another. */
static const char *const number_units[] = {
	"平方米", "万元", "亿元", "千元", "小时", "分钟", "学时", "课时", "人次", "个月", "万人",
	"元", "万", "亿", "年", "月", "日", "号", "人", "次", "个", "名", "家", "户", "天", "期", "项",
	"台", "件", "套", "场", "所", "批", "辆", "座", "篇", "份", "条", "吨", "米", "亩", "周", "岁",
	"余", "倍", "类", "种", "间", "处", "册", "本", "张", "门", "班", "届", "季度", "点",
};

static size_t cp_at(const char *s, size_t len, size_t i, uint32_t *cp)
{
	size_t k = i < len ? utf8_decode(s + i, len - i, cp) : 0;
	if (!k && i < len)
		*cp = 0xFFFD, k = 1;
	if (!k)
		*cp = 0;
	return k;
}

/* Holds every break inside [from, to) (before each code point after the first) at level h,
 * never lowering one. */
static void hold_span(const char *s, size_t from, size_t to, uint8_t h, uint8_t *hold)
{
	uint32_t cp;
	for (size_t i = from; i < to;) {
		size_t k = cp_at(s, to, i, &cp);
		if (i > from && hold[i] < h)
			hold[i] = h;
		i += k ? k : 1;
	}
}

static bool is_open_bracket(uint32_t cp)
{
	return cp == '[' || cp == '(' || cp == 0x3014 || cp == 0xFF08 || cp == 0x3010 || cp == 0xFF3B;
}

static bool is_close_bracket(uint32_t cp)
{
	return cp == ']' || cp == ')' || cp == 0x3015 || cp == 0xFF09 || cp == 0x3011 || cp == 0xFF3D;
}

/* The end of a document number's "[2017]674号" starting at the bracket at i, or 0. */
static size_t doc_number_end(const char *s, size_t len, size_t i)
{
	uint32_t cp;
	i += cp_at(s, len, i, &cp);
	int digits = 0;
	size_t k;
	while ((k = cp_at(s, len, i, &cp)) && is_digit_cp(cp))
		i += k, digits++;
	if (digits != 4 || !k || !is_close_bracket(cp))
		return 0;
	i += k;
	digits = 0;
	while ((k = cp_at(s, len, i, &cp)) && is_digit_cp(cp))
		i += k, digits++;
	if (!digits || cp != 0x53F7) /* 号 */
		return 0;
	return i + k;
}

/* Length of the longest word of ws that text[i..len) begins with, or 0. */
static size_t longest_word(const lb_words *ws, const char *s, size_t len, size_t i, size_t k)
{
	/* the words that begin with the code point at i: a binary search for the first */
	size_t lo = 0, hi = ws->n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (strncmp(ws->words[mid], s + i, k) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t best = 0;
	for (; lo < ws->n && strncmp(ws->words[lo], s + i, k) == 0; lo++) {
		size_t wl = strlen(ws->words[lo]);
		if (wl > best && wl <= len - i && memcmp(ws->words[lo], s + i, wl) == 0)
			best = wl;
	}
	return best;
}

void lb_hold(const char *s, size_t len, const lb_words *words, uint8_t *hold)
{
	memset(hold, LB_HOLD_NONE, len);
	uint32_t cp, prev = 0;
	size_t word_end = 0; /* inside a matched word until here */
	for (size_t i = 0, k; i < len; i += k, prev = cp) {
		k = cp_at(s, len, i, &cp);
		if (is_digit_cp(cp) && prev == 0x7B2C && i >= 3) /* 第1期 */
			hold_span(s, i - 3, i + k, LB_HOLD_TIGHT, hold);
		if (is_digit_cp(cp)) {
			size_t e = i + k, kk;
			uint32_t c2;
			while ((kk = cp_at(s, len, e, &c2)) && (is_digit_cp(c2) || c2 == '.'))
				e += kk;
			for (size_t u = 0; u < sizeof number_units / sizeof *number_units; u++) {
				size_t ul = strlen(number_units[u]);
				if (ul <= len - e && memcmp(s + e, number_units[u], ul) == 0) {
					hold_span(s, i, e + ul, LB_HOLD_TIGHT, hold);
					break;
				}
			}
			continue;
		}
		if (is_open_bracket(cp)) {
			size_t e = doc_number_end(s, len, i);
			if (e) {
				hold_span(s, i, e, LB_HOLD_TIGHT, hold);
			}
			continue;
		}
		if (words && words->n && i >= word_end && cp >= 0x80) {
			size_t wl = longest_word(words, s, len, i, k);
			if (wl > k) {
				hold_span(s, i, i + wl, LB_HOLD_WORD, hold);
				word_end = i + wl;
			}
		}
	}
}

/* ---- placing ----------------------------------------------------------------------------- */

/* Shares out a total over parts in order, exactly: part i of n gets
 * floor(total·(i+1)/n) − floor(total·i/n); by weight when the parts are uneven. */
typedef struct share {
	int64_t total; /* to hand out */
	int64_t whole; /* sum of all weights */
	int64_t done;  /* weight handed out so far */
} share;

static int64_t share_next(share *s, int64_t weight)
{
	if (s->whole <= 0 || s->total == 0)
		return 0;
	int64_t before = s->total * s->done / s->whole;
	s->done += weight;
	return s->total * s->done / s->whole - before;
}

/* Writes the origins of the code points of item it from x0 into x[*count...] (up to cap). */
static void put_item(const lb_src *t, const item *it, int64_t x0, int32_t *x, size_t cap,
                     size_t *count)
{
	if (!it->marks) {
		if (*count < cap)
			x[*count] = clamp32(x0);
		(*count)++;
		return;
	}
	size_t i = it->pos;
	while (i < it->end) {
		uint32_t cp;
		size_t k = utf8_decode(t->s + i, it->end - i, &cp);
		if (!k)
			cp = 0xFFFD, k = 1;
		if (*count < cap)
			x[*count] = clamp32(x0);
		(*count)++;
		i += k;
		if (i < it->end) /* a combining mark follows */
			x0 += t->m(t->ctx, cp);
	}
}

size_t lb_place(const char *text, const lb_line *line, bool first, const lb_params *p,
                lb_measure_fn m, void *ctx, int32_t *x, size_t cap)
{
	lb_src t = {text, line->end, p, m, ctx};
	bool start_squeeze = p->squeeze && !(first && p->first_indent > 0);
	int64_t indent = first ? p->first_indent : 0;
	int64_t avail = (int64_t)p->width - indent;
	item it;

	/* The width and push-in room as lb_break saw them, and the gaps justification may widen. */
	lb_acc a = {0};
	size_t gaps = 0, seen = 0;
	bool leading = true, glue_before = false;
	for (size_t pos = line->start; pos < line->end;) {
		next_item(&t, &pos, &it);
		if (is_blank(&it, &leading))
			acc_blank(&a, it.adv);
		else
			acc_add(&a, &it, start_squeeze);
		if (seen++ && !(glue_before && it.glue))
			gaps++;
		glue_before = it.glue;
	}
	int64_t w = acc_end(&a), room = acc_room(&a);
	int64_t natural = w - compression(w, room, avail);
	share squeeze = {compression(w, room, avail), room, 0};
	share stretch = {p->justify && !line->last && natural < avail ? avail - natural : 0,
	                 (int64_t)gaps, 0};

	/* Each item in turn: its left side is known when it comes, the right side of a closing mark
	 * when the next item comes (paired, or compressed for push-in) or at the line end. */
	size_t count = 0, items = 0;
	int64_t pen = indent;
	item prev = {0};
	leading = true;
	for (size_t pos = line->start; pos < line->end;) {
		next_item(&t, &pos, &it);
		bool blank = is_blank(&it, &leading);
		if (count > 0) {
			if (prev.sq == SQ_CLOSE && !blank && it.sq != SQ_NONE)
				pen -= half(prev.adv);
			else if (prev.sq == SQ_CLOSE)
				pen -= share_next(&squeeze, half(prev.adv));
			if (!(prev.glue && it.glue))
				pen += share_next(&stretch, 1);
		}
		int64_t left = 0;
		if (!blank && it.sq == SQ_OPEN) {
			if ((items == 0 && start_squeeze) || (count > 0 && prev.sq == SQ_OPEN))
				left = half(it.adv);
			else
				left = share_next(&squeeze, half(it.adv));
		}
		put_item(&t, &it, pen - left, x, cap, &count);
		pen += it.adv - left;
		items += !blank;
		prev = it; /* a blank has no squeeze side and no glue */
	}
	if (prev.sq == SQ_CLOSE)
		pen -= half(prev.adv);
	if (count < cap)
		x[count] = clamp32(pen);
	return count;
}
