/* prose.c — the checks of prose.h: what public reviews of published booklets list most often
 * among the mistakes in their words, found without the figures. */
#include "front/prose.h"

#include <string.h>

srcloc prose_loc(const ast_str *para, size_t at)
{
	srcloc l = para->loc;
	l.col += (int)utf8_count(para->s, at);
	return l;
}

static bool starts(const char *s, const char *w)
{
	return strncmp(s, w, strlen(w)) == 0;
}

/* Text a template leaves for the author to replace. */
static const char *const leftovers[] = {
	"XX", "××", "**", "＊＊", "增加（减少）", "增加(减少)", "增长（下降）", "增长(下降)",
	"增加/减少", "增长/下降",
};

/* Words after which a number is a rate: "比上年增长12.5" needs "%". */
static const char *const rate_words[] = {"增长", "下降", "提高", "降低", "上升", "增幅", "降幅"};

static bool is_stop(const char *s)
{
	static const char *const stops[] = {"，", "。", "；", "、", "）", ",", ";", ")"};
	if (!*s)
		return true;
	for (size_t i = 0; i < sizeof stops / sizeof *stops; i++)
		if (starts(s, stops[i]))
			return true;
	return false;
}

void prose_check_words(arena *a, diag_ctx *d, const ast_str *para)
{
	const char *s = para->s;
	if (!s)
		return;
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++) {
		if ((s[i] & 0xC0) == 0x80)
			continue; /* inside a character */
		for (size_t k = 0; k < sizeof leftovers / sizeof *leftovers; k++) {
			size_t l = strlen(leftovers[k]);
			if (starts(s + i, leftovers[k])) {
				size_t e = i + l; /* the whole run: "XXXX", "×××" */
				while (e < n && (s[e] == 'X' || s[e] == 'x' || s[e] == '*' || starts(s + e, "×")))
					e += starts(s + e, "×") ? strlen("×") : 1;
				diag_report(d, prose_loc(para, i), D_PROSE_TEMPLATE, arena_strndup(a, s + i, e - i));
				i = e - 1;
				break;
			}
		}
		if (starts(s + i, "主要原因是") || starts(s + i, "主要原因为")) {
			size_t e = i + strlen("主要原因是");
			if (starts(s + e, "：") || starts(s + e, ":"))
				e += starts(s + e, "：") ? strlen("：") : 1;
			while (e < n && s[e] == ' ')
				e++;
			if (is_stop(s + e))
				diag_report(d, prose_loc(para, i), D_PROSE_REASON_EMPTY);
		}
		for (size_t k = 0; k < sizeof rate_words / sizeof *rate_words; k++) {
			if (!starts(s + i, rate_words[k]))
				continue;
			size_t e = i + strlen(rate_words[k]);
			if (starts(s + e, "了"))
				e += strlen("了");
			size_t num = e;
			while (e < n && ((s[e] >= '0' && s[e] <= '9') || s[e] == '.'))
				e++;
			if (e > num && is_stop(s + e))
				diag_report(d, prose_loc(para, num), D_PROSE_PERCENT, arena_strndup(a, s + i, e - i));
		}
	}
}
