/* linebreak.h — line breaking and line positioning for Chinese text after GB/T 15834 and CLREQ:
 * break opportunities, 避头/避尾, 标点挤压 and justification. Widths come from the caller's measuring
 * callback; no fonts inside, no globals. Included by the stages that set prose and table cells.
 *
 * Units are millipoints (1/1000 pt). The rules, in short:
 *   - a break may fall between two CJK characters, at an ASCII blank (blanks vanish at line ends)
 *     and between CJK and Latin; a run of Latin letters, digits and narrow symbols (10544.51, 100%,
 *     ≥144986, 1-2, 13022524P0008F010032K) is one unbreakable unit; '\n' forces a break;
 *   - 避头 ，。、；：？！）》」』”’〕】〉…—·%‰ and , . ; : ? ! ) ] } % never start a line, 避尾
 *     （《「『“‘〔【〈 and ( [ { never end one: the character before is pulled down to the next line,
 *     or with squeeze the punctuation is pushed in by compressing the line's other punctuation;
 *   - only a unit wider than the line is broken inside (a cell never overflows), at a place that
 *     keeps 避头/避尾 if there is one; a single character wider than the line stands alone;
 *   - squeeze: of two adjacent full-width punctuation marks the one whose blank half faces the other
 *     takes half width (。” ），： “ “（), as do an opening bracket at line start (not after the
 *     first-line indent) and a closing mark at line end (its blank half is not counted);
 *   - the caller may hold breaks (lb_hold: inside words, numbers with their units, document
 *     numbers): a held break is taken only when no free one fits, the tighter hold last;
 *   - no_widow: a last line of one character is avoided by squeezing or by taking one more down;
 *   - justify: the slack of a line goes into the gaps next to CJK characters and blanks, never
 *     inside a Latin word or number, never on a last line. */
#ifndef BUDGETGEN_LINEBREAK_H
#define BUDGETGEN_LINEBREAK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Advance width of one code point in millipoints. Called for every code point, by lb_break and
 * again by lb_place, so it should be cheap (a cached lookup). */
typedef int32_t (*lb_measure_fn)(void *ctx, uint32_t cp);

typedef struct lb_params {
	int32_t width;        /* available line width */
	int32_t first_indent; /* extra indent of the first line (prose: 2 em), 0 in cells */
	int32_t em;           /* font size: the advance of a full-width character */
	bool justify;         /* stretch every line but a last one to the full width (prose) */
	bool squeeze;         /* 标点挤压 and push-in; punctuation counts as full-width when its
	                       * advance is at least 7/8 em */
	const uint8_t *hold;  /* NULL, or one LB_HOLD_… per byte of the text: how strongly a break
	                       * before that byte is avoided (lb_hold fills it) */
	bool no_widow;        /* never one character (with closing punctuation after it) alone on
	                       * the last line of a paragraph when the line before can give it a
	                       * companion: by 标点挤压 of the two lines into one, or one more
	                       * character taken down, at a break no worse than the one it replaces */
} lb_params;

/* How strongly a break is avoided (lb_params.hold), weakest first. A held break is taken only
 * when no better one fits on the line. */
enum {
	LB_HOLD_NONE,
	LB_HOLD_WORD,  /* inside a word of the caller's list (服务对象|满意度|指标) */
	LB_HOLD_TIGHT  /* between a number and its unit (2017年, 20万元, 38人) and inside a document
	                * number's bracket, year and 号 (冀财资[2017]674号, 邢人社发〔2019〕11号) */
};

/* The width of the widest piece of text[0..len) that lb_break keeps on one line when it can: a
 * run joined by held breaks (p->hold), Latin units and 避头/避尾 marks. Blanks end a piece. */
int32_t lb_min_width(const char *text, size_t len, const lb_params *p, lb_measure_fn m, void *ctx);

/* A word list for lb_hold: UTF-8 words, sorted by strcmp. */
typedef struct lb_words {
	const char *const *words;
	size_t n;
} lb_words;

/* Fills hold[0..len) for text: LB_HOLD_TIGHT inside numbers with their units and document
 * numbers, LB_HOLD_WORD inside the longest words of `words` (may be NULL) that match from left to
 * right, LB_HOLD_NONE elsewhere. Linear in len (a binary search per character for words). */
void lb_hold(const char *text, size_t len, const lb_words *words, uint8_t *hold);

typedef struct lb_line {
	size_t start, end; /* bytes of the line in the text, end exclusive; blanks at the ends excluded
	                    * (U+3000 at the start of the text or after '\n' is kept as an indent) */
	int32_t natural;   /* width after squeezing and push-in, before justification; larger than the
	                    * available width only when one character is wider than the line */
	bool last;         /* last line of the text or ended by '\n': not justified */
} lb_line;

/* Breaks text[0..len) into lines, first fit. Returns the count and stores a heap array in *lines
 * that the caller frees with free(); no lines (and *lines NULL) when the text has nothing but
 * blanks and newlines. Invalid UTF-8 bytes count as one narrow character each. Linear time. */
size_t lb_break(const char *text, size_t len, const lb_params *p, lb_measure_fn m, void *ctx,
                lb_line **lines);

/* Positions the code points of one line from lb_break. x[i] is where the glyph of the i-th code
 * point of [start, end) is drawn, its origin: relative to the line start, after the first-line
 * indent when `first`, shifted left by the squeezed blank half of an opening bracket, and with the
 * slack distributed when the line is justified and not last. When cap > count, x[count] is the pen
 * position after the last glyph: where the set line ends. Writes at most cap entries; returns the
 * count of code points (call with cap 0 to size x). */
size_t lb_place(const char *text, const lb_line *line, bool first, const lb_params *p,
                lb_measure_fn m, void *ctx, int32_t *x, size_t cap);

#endif
