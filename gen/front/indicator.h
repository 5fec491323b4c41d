/* indicator.h — what a 指标值 says: sign (≥ ≤ = < >, or 定性 for text), number and unit, parsed
 * from the text as written ("≥95%", "≤810万元", "4次", "提升"), and the kinds of unit the
 * checks of resolve.c ask about (a count, money, a rate). */
#ifndef BUDGETGEN_INDICATOR_H
#define BUDGETGEN_INDICATOR_H

#include "base/util.h"
#include "front/model.h"

/* Parses v into out->sign, number and unit (strings in arena a); a value of another shape
 * ("3月、9月份按时完成率=100.00%") gets IND_SIGN_UNPARSED and empty parts. */
void indicator_parse(arena *a, const char *v, model_indicator *out);

typedef enum unit_kind {
	UNIT_NONE,    /* no unit, or one of no known kind */
	UNIT_COUNT,   /* 人, 次, 个, 户, 人次 … */
	UNIT_MONEY,   /* 元, 万元, 亿元 */
	UNIT_PERCENT, /* %, ％, ‰ */
	UNIT_WORD,    /* 百分比, 百分率: a word where the form expects the sign "%" */
} unit_kind;

/* The kind of a unit as written after the number ("人次" count, "万元/人" money). */
unit_kind indicator_unit_kind(const char *unit);

#endif
