/* indicator.c — parses a 指标值 into sign, number and unit (indicator.h), and names the kind of
 * a unit. A value has the shape when it is an optional sign, a number and a short unit without
 * digits ("≥ 95 %", "≤810万元", "30人次", "100%"); a value without any digit is 定性. */
#include "front/indicator.h"

#include <string.h>

static const struct {
	uint32_t cp;
	indicator_sign sign;
} signs[] = {
	{0x2265, IND_SIGN_GE}, {0x2267, IND_SIGN_GE}, /* ≥ ≧ */
	{0x2264, IND_SIGN_LE}, {0x2266, IND_SIGN_LE}, /* ≤ ≦ */
	{'=', IND_SIGN_EQ},    {0xFF1D, IND_SIGN_EQ}, /* = ＝ */
	{'<', IND_SIGN_LT},    {0xFF1C, IND_SIGN_LT}, /* < ＜ */
	{'>', IND_SIGN_GT},    {0xFF1E, IND_SIGN_GT}, /* > ＞ */
};

enum { UNIT_MAX_CHARS = 6 };

static bool is_space(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == 0x3000;
}

static bool has_digit(const char *s)
{
	for (; *s; s++)
		if (*s >= '0' && *s <= '9')
			return true;
	return false;
}

void indicator_parse(arena *a, const char *v, model_indicator *out)
{
	out->sign = IND_SIGN_UNPARSED;
	out->number = "";
	out->unit = "";
	size_t n = strlen(v), i = 0, k;
	uint32_t cp;
	if (!has_digit(v)) {
		if (n)
			out->sign = IND_SIGN_QUALITATIVE;
		return;
	}
	while (i < n && (k = utf8_decode(v + i, n - i, &cp)) && is_space(cp))
		i += k;
	indicator_sign sign = IND_SIGN_NONE;
	if (i < n && (k = utf8_decode(v + i, n - i, &cp))) {
		for (size_t s = 0; s < sizeof signs / sizeof signs[0]; s++) {
			if (signs[s].cp == cp) {
				sign = signs[s].sign;
				i += k;
				break;
			}
		}
	}
	while (i < n && (k = utf8_decode(v + i, n - i, &cp)) && is_space(cp))
		i += k;
	size_t num = i;
	while (i < n && ((v[i] >= '0' && v[i] <= '9') || (v[i] == '.' && i > num && i + 1 < n &&
	                                                  v[i + 1] >= '0' && v[i + 1] <= '9')))
		i++;
	if (i == num)
		return;
	size_t num_end = i;
	while (i < n && (k = utf8_decode(v + i, n - i, &cp)) && is_space(cp))
		i += k;
	const char *unit = v + i;
	if (has_digit(unit) || utf8_count(unit, n - i) > UNIT_MAX_CHARS)
		return;
	for (size_t s = 0; s < sizeof signs / sizeof signs[0]; s++) { /* "≤1≤万元": no shape */
		char sc[5];
		sc[utf8_encode(signs[s].cp, sc)] = 0;
		if (strstr(unit, sc))
			return;
	}
	out->sign = sign;
	out->number = arena_strndup(a, v + num, num_end - num);
	out->unit = arena_strdup(a, unit);
}

/* Whether unit starts with one of the words in list. */
static bool starts_with_any(const char *unit, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (strncmp(unit, list[i], strlen(list[i])) == 0)
			return true;
	return false;
}

unit_kind indicator_unit_kind(const char *unit)
{
	static const char *const percent[] = {"%", "％", "‰", "个百分点"};
	static const char *const word[] = {"百分比", "百分率"};
	static const char *const money[] = {"元", "万元", "亿元", "千元"};
	static const char *const count[] = {"人", "次", "个", "户", "家", "件", "项", "场", "期", "名",
	                                    "所", "台", "套", "本", "份", "篇", "条", "册", "张", "辆",
	                                    "处", "批", "座", "村", "班", "节", "课时", "学时", "岗"};
	if (starts_with_any(unit, percent, sizeof percent / sizeof *percent))
		return UNIT_PERCENT;
	if (starts_with_any(unit, word, sizeof word / sizeof *word))
		return UNIT_WORD;
	if (starts_with_any(unit, money, sizeof money / sizeof *money) || strcmp(unit, "万") == 0 ||
	    strncmp(unit, "万/", 4) == 0 || strncmp(unit, "万／", 6) == 0 || strncmp(unit, "万每", 6) == 0)
		return UNIT_MONEY;
	if (starts_with_any(unit, count, sizeof count / sizeof *count))
		return UNIT_COUNT;
	return UNIT_NONE;
}
