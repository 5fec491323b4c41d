/* resolve.c — checks the syntax tree and builds the immutable model (resolve.h). Owns the
 * indicator framework and its recognised misspellings, amount and schedule parsing, and the
 * project-level checks (budget sum, schedule, code shape, duplicates, suspicious 指标值). */
#include "front/resolve.h"

#include "front/budget.h"
#include "front/indicator.h"
#include "front/prose.h"

#include <string.h>

/* ---- the indicator framework ------------------------------------------------ */

/* ORDER l1_kind */
static const char *const model_l1_names[L1_COUNT] = {"产出指标", "效益指标", "满意度指标"};

/* ORDER l2_kind */
static const struct {
	const char *name;
	l1_kind parent;
} model_l2_names[L2_COUNT] = {
	{"数量指标", L1_OUTPUT},         {"质量指标", L1_OUTPUT},       {"时效指标", L1_OUTPUT},
	{"成本指标", L1_OUTPUT},         {"经济效益指标", L1_BENEFIT},  {"社会效益指标", L1_BENEFIT},
	{"生态效益指标", L1_BENEFIT},    {"可持续影响指标", L1_BENEFIT}, {"服务对象满意度指标", L1_SATISFACTION},
};

/* Spellings seen in published forms, accepted with a warning naming the canonical one. */
static const struct {
	const char *written;
	int kind;
} l1_variants[] = {
	{"产出", L1_OUTPUT},   {"效果指标", L1_BENEFIT}, {"效益", L1_BENEFIT},
	{"效果", L1_BENEFIT},  {"满意度", L1_SATISFACTION}, {"满意指标", L1_SATISFACTION},
};

static const struct {
	const char *written;
	int kind;
} l2_variants[] = {
	{"数量", L2_QUANTITY},
	{"质量", L2_QUALITY},
	{"时效", L2_TIMELINESS},
	{"实效指标", L2_TIMELINESS},
	{"实效", L2_TIMELINESS},
	{"时效性指标", L2_TIMELINESS},
	{"成本", L2_COST},
	{"经济效益", L2_ECONOMIC},
	{"社会效益", L2_SOCIAL},
	{"生态效益", L2_ECOLOGICAL},
	{"可持续影响", L2_SUSTAINABLE},
	{"可持续性影响", L2_SUSTAINABLE},
	{"可持续性影响指标", L2_SUSTAINABLE},
	{"可持续发展指标", L2_SUSTAINABLE},
	{"服务对象满意度", L2_SATISFACTION},
	{"满意度指标", L2_SATISFACTION},
	{"服务对象满意指标", L2_SATISFACTION},
};

const char *model_l1_name(l1_kind k)
{
	return model_l1_names[k];
}

const char *model_l2_name(l2_kind k)
{
	return model_l2_names[k].name;
}

l1_kind model_l2_parent(l2_kind k)
{
	return model_l2_names[k].parent;
}

const char *model_part_name(project_part p)
{
	return p == PART_PUBLIC ? "公用" : "项目";
}

/* ---- resolver state ---------------------------------------------------------- */

typedef struct resolver {
	arena *a;
	diag_ctx *d;
	model_department *dept;
	decimal amounts; /* every project amount so far, within DEC_SUM_LIMIT_UNITS */
	bool goals_one_cell; /* the department's 绩效目标栏 */
} resolver;

/* 绩效目标栏: 分行 (false) or 一格 (true); dflt when the value is wrong (after an error). */
static bool goal_cell(resolver *r, const ast_str *s, bool dflt)
{
	if (strcmp(s->s, "一格") == 0)
		return true;
	if (strcmp(s->s, "分行") == 0)
		return false;
	diag_report(r->d, s->loc, D_GOAL_CELL_UNKNOWN, s->s);
	return dflt;
}

static bool blank(const ast_str *s)
{
	return !s->s || !*s->s;
}

static const char *or_empty(const ast_str *s)
{
	return s->s ? s->s : "";
}

/* Removes every blank (ASCII, U+3000) from s: names in cells are compared without them. */
static char *squeeze(arena *a, const char *s)
{
	size_t n = strlen(s), k;
	char *out = arena_alloc(a, n + 1), *o = out;
	for (size_t i = 0; i < n; i += k) {
		uint32_t cp;
		k = utf8_decode(s + i, n - i, &cp);
		if (!k)
			k = 1;
		else if (cp_is_space(cp))
			continue;
		memcpy(o, s + i, k);
		o += k;
	}
	*o = '\0';
	return out;
}

/* ---- amounts and percentages ----------------------------------------------------- */

static const char sum_limit_text[] = "1000000000000";
_Static_assert(DEC_SUM_LIMIT_UNITS == INT64_C(1000000000000), "sum_limit_text");

static model_amount resolve_amount(resolver *r, const ast_str *s, const char *field)
{
	model_amount m = {0};
	if (blank(s))
		return m;
	size_t off = 0;
	dec_parse_status st = dec_parse(s->s, strlen(s->s), &m.value, &off);
	srcloc at = s->loc;
	at.col += (int)utf8_count(s->s, off);
	switch (st) {
	case DEC_OK:
		m.present = true;
		if (!dec_add_limited(&r->amounts, m.value)) {
			/* the sums of these amounts (other stages add them up) must not overflow */
			diag_report(r->d, s->loc, D_AMOUNT_SUM_LIMIT, field, sum_limit_text);
			m.present = false;
		}
		break;
	case DEC_EMPTY: break;
	case DEC_SYNTAX: diag_report(r->d, at, D_AMOUNT_SYNTAX, field); break;
	case DEC_PRECISION: diag_report(r->d, at, D_AMOUNT_PRECISION, field); break;
	case DEC_RANGE: diag_report(r->d, at, D_AMOUNT_RANGE, field); break;
	case DEC_NEGATIVE: diag_report(r->d, at, D_AMOUNT_NEGATIVE, field); break;
	}
	return m;
}

static bool is_list_separator(uint32_t cp)
{
	return cp_is_space(cp) || cp == ',' || cp == 0xFF0C || cp == 0x3001 || cp == '|' ||
	       cp == 0xFF5C || cp == ';' || cp == 0xFF1B || cp == '/';
}

/* 资金支出计划: four cumulative percentages, non-decreasing, ending at 100%. */
static void resolve_schedule(resolver *r, model_project *mp, const ast_str *s)
{
	static const char *const months[4] = {"3月底", "6月底", "10月底", "12月底"};
	const char *t = s->s;
	size_t n = strlen(t), i = 0, k;
	const char *parts[8];
	srcloc locs[8];
	decimal vals[8];
	int count = 0;
	bool ok = true;
	while (i < n) {
		uint32_t cp;
		while (i < n && (k = utf8_decode(t + i, n - i, &cp)) && is_list_separator(cp))
			i += k;
		if (i >= n)
			break;
		size_t start = i;
		while (i < n && (k = utf8_decode(t + i, n - i, &cp)) && !is_list_separator(cp))
			i += k ? k : 1;
		size_t end = i, num_end = end;
		if (num_end > start && t[num_end - 1] == '%')
			num_end--;
		else if (num_end >= start + 3 && memcmp(t + num_end - 3, "％", 3) == 0)
			num_end -= 3;
		bool percent = num_end != end; /* "25" alone is not a percentage */
		srcloc loc = s->loc;
		loc.col += (int)utf8_count(t, start);
		if (count < 8) {
			decimal v = {0};
			char *text = arena_strndup(r->a, t + start, end - start);
			if (!percent || dec_parse(t + start, num_end - start, &v, NULL) != DEC_OK ||
			    dec_cmp(v, dec_from_int(100)) > 0) {
				diag_report(r->d, loc, D_SCHEDULE_SYNTAX, text);
				ok = false;
			}
			/* canonical text: the number as written, then an ASCII percent sign */
			parts[count] = arena_printf(r->a, "%.*s%%", (int)(num_end - start), t + start);
			locs[count] = loc;
			vals[count] = v;
		}
		count++;
	}
	if (count != 4) {
		diag_report(r->d, s->loc, D_SCHEDULE_COUNT, count);
		return;
	}
	if (!ok)
		return;
	for (int m = 1; m < 4; m++) {
		if (dec_cmp(vals[m], vals[m - 1]) < 0) {
			diag_report(r->d, locs[m], D_SCHEDULE_DECREASE, months[m], parts[m], months[m - 1],
			            parts[m - 1]);
			ok = false;
		}
	}
	if (dec_cmp(vals[3], dec_from_int(100)) != 0) {
		diag_report(r->d, locs[3], D_SCHEDULE_END, parts[3]);
		ok = false;
	}
	if (!ok)
		return;
	mp->has_schedule = true;
	for (int m = 0; m < 4; m++)
		mp->schedule[m] = (model_percent){.value = vals[m], .text = parts[m]};
}

/* ---- indicator names ------------------------------------------------------------------ */

static bool is_ditto(const char *s)
{
	return !*s || strcmp(s, "〃") == 0 || strcmp(s, "\"") == 0 || strcmp(s, "同上") == 0;
}

/* Looks a 一级 (level 1) or 二级 (level 2) name up; returns its kind or -1. Warns on variants. */
static int lookup_name(resolver *r, const ast_str *cell, int level)
{
	char *name = squeeze(r->a, cell->s);
	int count = level == 1 ? L1_COUNT : L2_COUNT;
	for (int k = 0; k < count; k++) {
		const char *canon = level == 1 ? model_l1_names[k] : model_l2_names[k].name;
		if (strcmp(name, canon) == 0)
			return k;
	}
	size_t nv = level == 1 ? sizeof l1_variants / sizeof l1_variants[0]
	                       : sizeof l2_variants / sizeof l2_variants[0];
	for (size_t v = 0; v < nv; v++) {
		const char *w = level == 1 ? l1_variants[v].written : l2_variants[v].written;
		int kind = level == 1 ? l1_variants[v].kind : l2_variants[v].kind;
		if (strcmp(name, w) == 0) {
			const char *canon = level == 1 ? model_l1_names[kind] : model_l2_names[kind].name;
			diag_report(r->d, cell->loc, D_NAME_VARIANT, cell->s, canon);
			return kind;
		}
	}
	if (level == 1) {
		diag_report(r->d, cell->loc, D_L1_UNKNOWN, cell->s);
		diag_report(r->d, cell->loc, D_NOTE_ALLOWED, "产出指标、效益指标、满意度指标");
	} else {
		diag_report(r->d, cell->loc, D_L2_UNKNOWN, cell->s);
		diag_report(r->d, cell->loc, D_NOTE_ALLOWED,
		            "数量指标、质量指标、时效指标、成本指标、经济效益指标、社会效益指标、"
		            "生态效益指标、可持续影响指标、服务对象满意度指标");
	}
	return -1;
}

/* ---- suspicious 指标值 ------------------------------------------------------------------ */

static bool is_comparator(uint32_t cp)
{
	return cp == '<' || cp == '>' || cp == '=' || cp == 0x2264 || cp == 0x2265 ||
	       cp == 0x2266 || cp == 0x2267 || cp == 0xFF1C || cp == 0xFF1E || cp == 0xFF1D;
}

static bool is_digit_or_point(char c)
{
	return (c >= '0' && c <= '9') || c == '.';
}

/* Characters that may start a unit right after a number ("4次", "2025年12月底", "100%完成"). */
static bool is_unit_start(uint32_t cp)
{
	static const char units[] = "人次个件户家日天月年期场项名所台套本份万元小时平米公里座批篇条册"
	                            "张辆处类种周号分岁亿千百倍余多以左内及级课例只头株亩吨位笔轮季"
	                            "期页卷部栋间门盏棵只双对组队村镇乡片段株吋秒里斤克升度钟遍届";
	char ch[5];
	size_t k = utf8_encode(cp, ch);
	ch[k] = '\0';
	return strstr(units, ch) != NULL;
}

static void check_value(resolver *r, const ast_str *cell)
{
	const char *v = cell->s;
	size_t n = strlen(v), k;
	uint32_t cp;
	if (strstr(v, "是/否") || strstr(v, "是／否") || strcmp(v, "是否") == 0) {
		diag_report(r->d, cell->loc, D_VALUE_UNSELECTED, v);
		return;
	}
	/* a leading token: optional comparators, then a number */
	size_t i = 0;
	while (i < n && (k = utf8_decode(v + i, n - i, &cp)) && (is_comparator(cp) || cp == ' '))
		i += k;
	size_t num_start = i;
	while (i < n && is_digit_or_point(v[i]))
		i++;
	if (i == num_start)
		return;
	size_t tok_len = i; /* comparators + number */
	/* "≥144986≥144986 人": the token appears again right after itself (not "≥9≥95%") */
	if (n - i >= tok_len && memcmp(v + i, v, tok_len) == 0 && tok_len > num_start &&
	    !(i + tok_len < n && v[i + tok_len] >= '0' && v[i + tok_len] <= '9')) {
		diag_report(r->d, cell->loc, D_VALUE_REPEATED, arena_strndup(r->a, v, tok_len));
		return;
	}
	/* "55285528人": a long digit string made of two equal halves */
	size_t digits = i - num_start;
	if (digits >= 6 && digits % 2 == 0 &&
	    memcmp(v + num_start, v + num_start + digits / 2, digits / 2) == 0 &&
	    !memchr(v + num_start, '.', digits)) {
		diag_report(r->d, cell->loc, D_VALUE_REPEATED,
		            arena_strndup(r->a, v + num_start, digits / 2));
		return;
	}
	/* "100全额用于…": a number running straight into words */
	if (i < n && (k = utf8_decode(v + i, n - i, &cp)) && cp >= 0x4E00 && cp <= 0x9FFF &&
	    !is_unit_start(cp)) {
		size_t cjk = 0, j = i;
		while (j < n && (k = utf8_decode(v + j, n - j, &cp)) && cp >= 0x4E00 && cp <= 0x9FFF)
			j += k, cjk++;
		if (cjk >= 3)
			diag_report(r->d, cell->loc, D_VALUE_RUNON,
			            arena_strndup(r->a, v + num_start, i - num_start));
	}
}

static bool starts_with(const char *s, const char *prefix)
{
	return strncmp(s, prefix, strlen(prefix)) == 0;
}

/* The largest amount in 万元 that a 成本指标 value names ("≤810万元", "≤8 万"), skipping per-unit
 * amounts ("≤2.4 万元/家"). */
static bool cost_amount(const char *v, decimal *out)
{
	size_t n = strlen(v);
	bool found = false;
	for (size_t i = 0; i < n;) {
		if (!is_digit_or_point(v[i]) || (i > 0 && is_digit_or_point(v[i - 1]))) {
			i++;
			continue;
		}
		size_t start = i;
		while (i < n && is_digit_or_point(v[i]))
			i++;
		size_t end = i, j = i;
		while (j < n && v[j] == ' ')
			j++;
		if (n - j >= 3 && memcmp(v + j, "万", 3) == 0) {
			size_t after = j + 3;
			if (n - after >= 3 && memcmp(v + after, "元", 3) == 0)
				after += 3;
			bool per_unit = after < n && (v[after] == '/' || starts_with(v + after, "／") ||
			                              starts_with(v + after, "每"));
			decimal d;
			if (!per_unit && dec_parse(v + start, end - start, &d, NULL) == DEC_OK) {
				if (!found || dec_cmp(d, *out) > 0)
					*out = d;
				found = true;
			}
		}
	}
	return found;
}

/* Whether a 三级指标 names a rate: it ends in 率, perhaps followed by "（%）". */
static bool names_rate(const char *l3)
{
	size_t n = strlen(l3);
	static const char *const tails[] = {"率", "率（%）", "率(%)", "率％", "率%"};
	for (size_t i = 0; i < sizeof tails / sizeof *tails; i++) {
		size_t t = strlen(tails[i]);
		if (n >= t && strcmp(l3 + n - t, tails[i]) == 0)
			return true;
	}
	return false;
}

/* Checks that need the 指标值 understood (indicator.c): a unit without a number, a rate given as
 * a count, money outside 成本指标 and a 成本指标 that is not money, a unit written as a word. */
static void check_parsed_value(resolver *r, const ast_str *cell, const model_indicator *mi)
{
	const char *v = mi->value;
	if (mi->sign == IND_SIGN_QUALITATIVE) {
		unit_kind k = indicator_unit_kind(v);
		if (k != UNIT_NONE && utf8_count(v, strlen(v)) <= 2)
			diag_report(r->d, cell->loc, D_VALUE_BARE_UNIT, v);
		return;
	}
	if (mi->sign == IND_SIGN_UNPARSED)
		return;
	unit_kind k = indicator_unit_kind(mi->unit);
	if (k == UNIT_WORD)
		diag_report(r->d, cell->loc, D_VALUE_UNIT_WORD, v, mi->unit);
	if (k == UNIT_COUNT && names_rate(mi->l3))
		diag_report(r->d, cell->loc, D_VALUE_RATE_COUNT, mi->l3, v);
	if (k == UNIT_MONEY && mi->l2 != L2_COST && mi->l2 != L2_ECONOMIC)
		diag_report(r->d, cell->loc, D_VALUE_MONEY, model_l2_names[mi->l2].name, v);
	if (mi->l2 == L2_COST && k != UNIT_MONEY)
		diag_report(r->d, cell->loc, D_COST_NOT_MONEY, v);
}

/* Whether a 成本指标 names an amount that is not spent by the project but lent, guaranteed or
 * subsidised (its 三级指标 or 描述 speaks of 贷款, 担保, 贴息 or 本金): such an amount may
 * exceed the project's budget. */
static bool names_principal(const ast_str *l3, const ast_str *desc)
{
	static const char *const words[] = {"贷款", "担保", "贴息", "本金"};
	for (size_t i = 0; i < sizeof words / sizeof *words; i++)
		if (strstr(l3->s, words[i]) || strstr(desc->s, words[i]))
			return true;
	return false;
}

/* ---- projects ------------------------------------------------------------------------------- */

static void resolve_rows(resolver *r, const ast_project *p, model_project *mp)
{
	model_indicator *out = arena_alloc(r->a, (p->nrows ? p->nrows : 1) * sizeof *out);
	size_t n = 0;
	int l1 = -1, l2 = -1;
	bool seen[L1_COUNT] = {false};
	bool dropped = false; /* a row was left out for an error: the groups are not known */
	static const char *const col_names[AST_ROW_CELLS] = {
		"一级指标", "二级指标", "三级指标", "绩效指标描述", "指标值", "指标值确定依据"};
	for (size_t i = 0; i < p->nrows; i++) {
		const ast_row *row = &p->rows[i];
		if (row->ncells != AST_ROW_CELLS) {
			dropped = true;
			continue;
		}
		bool l1_inherited = is_ditto(row->cell[0].s);
		if (l1_inherited) {
			if (l1 < 0 && n == 0 && i == 0)
				diag_report(r->d, row->cell[0].loc, D_ROW_NO_PARENT, col_names[0]);
		} else {
			l1 = lookup_name(r, &row->cell[0], 1);
		}
		if (is_ditto(row->cell[1].s)) {
			if (l2 < 0 && i == 0) {
				diag_report(r->d, row->cell[1].loc, D_ROW_NO_PARENT, col_names[1]);
			} else if (!l1_inherited && l2 >= 0 && l1 >= 0 &&
			           model_l2_names[l2].parent != (l1_kind)l1) {
				/* a new 一级 group cannot inherit the 二级 name of the previous group */
				diag_report(r->d, row->cell[1].loc, D_ROW_L2_INHERIT, model_l1_names[l1]);
				l2 = -1;
			}
		} else {
			l2 = lookup_name(r, &row->cell[1], 2);
		}
		/* an empty cell prints as an empty cell: worth a warning, not a stop */
		for (int c = 2; c < AST_ROW_CELLS; c++)
			if (c != 5 && !*row->cell[c].s)
				diag_report(r->d, row->cell[c].loc, D_ROW_EMPTY_CELL, col_names[c]);
		if (l1 < 0 || l2 < 0) {
			dropped = true;
			continue;
		}
		if (model_l2_names[l2].parent != (l1_kind)l1) {
			diag_report(r->d, row->cell[1].loc, D_L2_WRONG_PARENT, model_l2_names[l2].name,
			            model_l1_names[l1], model_l1_names[model_l2_names[l2].parent]);
			dropped = true;
			continue;
		}
		seen[l1] = true;
		check_value(r, &row->cell[4]);
		if (l2 == L2_COST && mp->total.present && !names_principal(&row->cell[2], &row->cell[3])) {
			decimal cost;
			if (cost_amount(row->cell[4].s, &cost) && dec_cmp(cost, mp->total.value) > 0) {
				char a[32], b[32];
				dec_format_exact(cost, a);
				dec_format_exact(mp->total.value, b);
				diag_report(r->d, row->cell[4].loc, D_COST_EXCEEDS, a, b);
			}
		}
		model_indicator *mi = &out[n++];
		mi->l1 = (l1_kind)l1;
		mi->l2 = (l2_kind)l2;
		mi->l3 = row->cell[2].s;
		mi->desc = row->cell[3].s;
		mi->value = row->cell[4].s;
		mi->basis = row->cell[5].s;
		mi->loc = row->loc;
		indicator_parse(r->a, mi->value, mi);
		check_parsed_value(r, &row->cell[4], mi);
	}
	if (p->indicators.s && !dropped) { /* also when no row follows 绩效指标： */
		for (int g = 0; g < L1_COUNT; g++)
			if (!seen[g])
				diag_report(r->d, (srcloc){p->indicators.loc.file, p->indicators.loc.line, 1},
				            D_GROUP_MISSING, model_l1_names[g]);
	}
	mp->indicators = out;
	mp->nindicators = n;
}

/* Code shape: 6-digit region, 2-digit year, 'P', 12 letters or digits. A published code of
 * another shape is kept as written: a warning, pointing at the first character that breaks the
 * shape (or just after the end of a short code). */
static void check_code(resolver *r, const ast_str *s)
{
	const char *c = s->s;
	size_t n = strlen(c), bad = 0;
	for (; bad < n && bad < 21; bad++) {
		char ch = c[bad];
		bool fits = bad < 8 ? ch >= '0' && ch <= '9'
		            : bad == 8 ? ch == 'P'
		                       : (ch >= '0' && ch <= '9') || (ch >= 'A' && ch <= 'Z');
		if (!fits)
			break;
	}
	if (bad < 21 || n != 21) {
		srcloc at = s->loc;
		at.col += (int)utf8_count(c, bad);
		diag_report(r->d, at, D_CODE_SHAPE, c);
		return;
	}
	int yy = (c[6] - '0') * 10 + (c[7] - '0');
	if (r->dept->year > 0 && yy != r->dept->year % 100) {
		srcloc at = s->loc;
		at.col += 6;
		diag_report(r->d, at, D_CODE_YEAR, arena_strndup(r->a, c + 6, 2), r->dept->year);
	}
}

/* A field that the full table needs filled in: not written points at 【项目】, written blank at
 * the place after its colon. */
static void require(resolver *r, const ast_project *p, const ast_str *s, const char *field)
{
	if (blank(s))
		diag_report(r->d, s->s ? s->loc : p->loc, D_FIELD_MISSING, field, "完整项目表必填");
}

static void resolve_project(resolver *r, const ast_project *p, model_project *mp)
{
	mp->loc = p->loc;
	mp->name = p->name.s ? p->name.s : "";
	if (blank(&p->name))
		diag_report(r->d, p->loc, D_FIELD_MISSING, "项目名称", "每个项目必填");
	mp->part = PART_PROJECT;
	if (p->part.s) {
		if (strcmp(p->part.s, "公用") == 0)
			mp->part = PART_PUBLIC;
		else if (strcmp(p->part.s, "项目") != 0)
			diag_report(r->d, p->part.loc, D_PART_UNKNOWN, p->part.s);
	}
	mp->code = or_empty(&p->code);
	mp->unit = blank(&p->unit) ? r->dept->unit : p->unit.s;
	if (!blank(&p->code))
		check_code(r, &p->code);
	mp->use = or_empty(&p->use);
	prose_check_words(r->a, r->d, &p->use);
	mp->total = resolve_amount(r, &p->total, "预算数");
	mp->fiscal = resolve_amount(r, &p->fiscal, "财政资金");
	mp->other = resolve_amount(r, &p->other, "其他资金");
	if (r->dept->variant == VARIANT_FULL) {
		require(r, p, &p->total, "预算数");
		require(r, p, &p->fiscal, "财政资金");
		require(r, p, &p->schedule, "资金支出计划");
	}
	if (mp->total.present && (mp->fiscal.present || mp->other.present)) {
		decimal zero = {0}, sum;
		decimal f = mp->fiscal.present ? mp->fiscal.value : zero;
		decimal o = mp->other.present ? mp->other.value : zero;
		if (!dec_add(f, o, &sum)) {
			diag_report(r->d, p->fiscal.s ? p->fiscal.loc : p->other.loc, D_AMOUNT_RANGE,
			            "财政资金 + 其他资金");
		} else if (dec_cmp(sum, mp->total.value) != 0) {
			char t[32], fs[32], os[32], ss[32];
			dec_format_exact(mp->total.value, t);
			dec_format_exact(f, fs);
			dec_format_exact(o, os);
			dec_format_exact(sum, ss);
			diag_report(r->d, p->total.loc, D_BUDGET_SUM, t, fs, os, ss);
		}
	}
	if (!blank(&p->schedule))
		resolve_schedule(r, mp, &p->schedule);
	mp->goals_one_cell = r->goals_one_cell;
	if (p->goal_cell.s)
		mp->goals_one_cell = goal_cell(r, &p->goal_cell, r->goals_one_cell);
	const char **goals = arena_alloc(r->a, (p->ngoals ? p->ngoals : 1) * sizeof *goals);
	size_t ng = 0;
	for (size_t i = 0; i < p->ngoals; i++)
		if (*p->goals[i].s)
			goals[ng++] = p->goals[i].s;
	mp->goals = goals;
	mp->ngoals = ng;
	if (ng == 0)
		diag_report(r->d, p->loc, D_FIELD_MISSING, "绩效目标", "每个项目至少一条");
	if (!p->indicators.s)
		diag_report(r->d, p->loc, D_FIELD_MISSING, "绩效指标", "每个项目必填，其后写指标行");
	resolve_rows(r, p, mp);
}

static void check_duplicates(resolver *r, const ast_department *ast, const model_project *mps)
{
	for (size_t i = 0; i < ast->nprojects; i++) {
		for (size_t j = 0; j < i; j++) {
			if (*mps[i].name && strcmp(mps[i].name, mps[j].name) == 0) {
				diag_report(r->d, ast->projects[i].name.loc, D_PROJECT_DUP_NAME, mps[i].name);
				diag_report(r->d, ast->projects[j].name.loc, D_NOTE_FIRST_HERE);
				break;
			}
		}
		for (size_t j = 0; j < i; j++) {
			if (*mps[i].code && strcmp(mps[i].code, mps[j].code) == 0) {
				diag_report(r->d, ast->projects[i].code.loc, D_PROJECT_DUP_CODE, mps[i].code);
				diag_report(r->d, ast->projects[j].code.loc, D_NOTE_FIRST_HERE);
				break;
			}
		}
	}
}

/* The start of a long text for a message: at most 24 characters, then "…". */
static const char *shortened(resolver *r, const char *s)
{
	size_t n = strlen(s), i = 0, k;
	uint32_t cp;
	for (int chars = 0; i < n && chars < 24; chars++) {
		k = utf8_decode(s + i, n - i, &cp);
		i += k ? k : 1;
	}
	return i < n ? arena_printf(r->a, "%.*s…", (int)i, s) : s;
}

/* Two projects whose 绩效目标 are the same, line for line: one was copied and not rewritten. */
static void check_goal_duplicates(resolver *r, const ast_department *ast)
{
	for (size_t i = 0; i < ast->nprojects; i++) {
		const ast_project *p = &ast->projects[i];
		if (!p->ngoals || blank(&p->goals[0]))
			continue;
		for (size_t j = 0; j < i; j++) {
			const ast_project *q = &ast->projects[j];
			bool same = q->ngoals == p->ngoals;
			for (size_t g = 0; same && g < p->ngoals; g++)
				same = p->goals[g].s && q->goals[g].s && strcmp(p->goals[g].s, q->goals[g].s) == 0;
			if (same) {
				diag_report(r->d, p->goals[0].loc, D_GOAL_DUPLICATE,
				            arena_printf(r->a, "项目“%s”", p->name.s ? p->name.s : ""),
				            shortened(r, p->goals[0].s));
				diag_report(r->d, q->goals[0].loc, D_NOTE_FIRST_HERE);
				break;
			}
		}
	}
}

/* ---- overall goals ---------------------------------------------------------------------------- */

static const char *const *strings_of(resolver *r, const ast_str *items, size_t n)
{
	const char **out = arena_alloc(r->a, (n ? n : 1) * sizeof *out);
	for (size_t i = 0; i < n; i++)
		out[i] = items[i].s;
	return out;
}

static void resolve_overall(resolver *r, const ast_overall *o, model_overall *mo)
{
	mo->present = true;
	mo->summary = strings_of(r, o->summary, o->nsummary);
	mo->nsummary = o->nsummary;
	mo->intro = strings_of(r, o->intro, o->nintro);
	mo->nintro = o->nintro;
	mo->numbering = ITEM_NUM_PAREN;
	if (o->numbering.s) {
		const char *v = o->numbering.s;
		if (strcmp(v, "一、") == 0)
			mo->numbering = ITEM_NUM_COMMA;
		else if (strcmp(v, "（一）") != 0 && strcmp(v, "(一)") != 0)
			diag_report(r->d, o->numbering.loc, D_NUMBERING_UNKNOWN, v);
	}
	mo->measures = strings_of(r, o->measures, o->nmeasures);
	mo->nmeasures = o->nmeasures;
	model_item *items = arena_alloc(r->a, (o->nitems ? o->nitems : 1) * sizeof *items);
	for (size_t i = 0; i < o->nitems; i++) {
		const ast_item *it = &o->items[i];
		items[i].title = or_empty(&it->title);
		items[i].goal = it->goal.s;
		items[i].indicators = it->indicators.s;
		items[i].text = strings_of(r, it->text, it->ntext);
		items[i].ntext = it->ntext;
		if (!it->goal.s && !it->indicators.s && it->ntext == 0)
			diag_report(r->d, it->loc, D_ITEM_EMPTY);
		for (size_t j = 0; j < i && !blank(&it->goal); j++) {
			if (o->items[j].goal.s && strcmp(o->items[j].goal.s, it->goal.s) == 0) {
				diag_report(r->d, it->goal.loc, D_GOAL_DUPLICATE,
				            arena_printf(r->a, "分项绩效目标“%s”", or_empty(&it->title)),
				            shortened(r, it->goal.s));
				diag_report(r->d, o->items[j].goal.loc, D_NOTE_FIRST_HERE);
				break;
			}
		}
	}
	mo->items = items;
	mo->nitems = o->nitems;
}

/* Four ASCII or full-width digits → the year; anything else → 0. */
static int parse_year(const char *y)
{
	size_t n = strlen(y), i = 0, k;
	int year = 0, digits = 0;
	uint32_t cp;
	for (; i < n; i += k) {
		k = utf8_decode(y + i, n - i, &cp);
		if (k && cp >= 0xFF10 && cp <= 0xFF19)
			cp = '0' + (cp - 0xFF10);
		if (!k || cp < '0' || cp > '9' || ++digits > 4)
			return 0;
		year = year * 10 + (int)(cp - '0');
	}
	return digits == 4 ? year : 0;
}

/* ---- prose figures against the indicator tables ----------------------------------------------- */

/* A count in prose ("33人") is compared with the project indicators whose 三级指标 or 描述 the
 * words before it contain; only a single such indicator, with the same unit, is a match. */
static bool phrase_names(const char *phrase, size_t n, const char *name)
{
	size_t k = strlen(name);
	if (utf8_count(name, k) < 4 || k > n)
		return false;
	for (size_t i = 0; i + k <= n; i++)
		if (memcmp(phrase + i, name, k) == 0)
			return true;
	return false;
}

/* The start of the clause before byte `at`: after the last "，。；、：" or the start. */
static size_t clause_start(const char *s, size_t at)
{
	static const char *const stops[] = {"，", "。", "；", "、", "：", ",", ";"};
	size_t start = 0;
	for (size_t i = 0; i < at; i++)
		for (size_t k = 0; k < sizeof stops / sizeof *stops; k++)
			if (strncmp(s + i, stops[k], strlen(stops[k])) == 0 && i + strlen(stops[k]) <= at)
				start = i + strlen(stops[k]);
	return start;
}

static void check_prose_counts(resolver *r, const ast_str *para, const model_project *only,
                               const model_project *mps, size_t nprojects)
{
	const char *s = para->s;
	if (!s)
		return;
	size_t n = strlen(s);
	for (size_t i = 0; i < n; i++) {
		if (!(s[i] >= '0' && s[i] <= '9') || (i > 0 && ((s[i - 1] >= '0' && s[i - 1] <= '9') || s[i - 1] == '.')))
			continue;
		size_t e = i;
		while (e < n && ((s[e] >= '0' && s[e] <= '9') || s[e] == '.'))
			e++;
		const model_project *hit_p = NULL;
		const model_indicator *hit = NULL;
		int matches = 0;
		size_t from = clause_start(s, i);
		for (size_t p = 0; p < nprojects; p++) {
			const model_project *mp = &mps[p];
			if (only && mp != only)
				continue;
			for (size_t k = 0; k < mp->nindicators; k++) {
				const model_indicator *mi = &mp->indicators[k];
				size_t ul = strlen(mi->unit);
				if (!*mi->number || indicator_unit_kind(mi->unit) != UNIT_COUNT || strncmp(s + e, mi->unit, ul) != 0)
					continue;
				if (!phrase_names(s + from, i - from, mi->l3) && !phrase_names(s + from, i - from, mi->desc))
					continue;
				if (!hit || strcmp(hit->number, mi->number) != 0 || strcmp(hit->unit, mi->unit) != 0)
					matches++;
				hit = mi, hit_p = mp;
			}
		}
		if (matches == 1) {
			decimal a, b;
			if (dec_parse(s + i, e - i, &a, NULL) == DEC_OK &&
			    dec_parse(hit->number, strlen(hit->number), &b, NULL) == DEC_OK && dec_cmp(a, b) != 0) {
				srcloc at = para->loc;
				at.col += (int)utf8_count(s, i);
				diag_report(r->d, at, D_PROSE_INDICATOR,
				            arena_printf(r->a, "%.*s%s", (int)(e - i), s + i, hit->unit), hit_p->name, hit->value);
				diag_report(r->d, hit->loc, D_NOTE_INDICATOR_HERE);
			}
		}
		i = e;
	}
}

/* The counts in the 整体绩效目标 against the projects' indicators: a 分项 whose title is a
 * project's name against that project's, the rest against every project's. */
static void check_overall_counts(resolver *r, const ast_overall *o, const model_project *mps, size_t n)
{
	for (size_t i = 0; i < o->nsummary; i++)
		check_prose_counts(r, &o->summary[i], NULL, mps, n);
	for (size_t i = 0; i < o->nitems; i++) {
		const ast_item *it = &o->items[i];
		const model_project *only = NULL;
		for (size_t p = 0; p < n && it->title.s && !only; p++)
			if (strcmp(mps[p].name, it->title.s) == 0)
				only = &mps[p];
		check_prose_counts(r, &it->goal, only, mps, n);
		check_prose_counts(r, &it->indicators, only, mps, n);
		for (size_t k = 0; k < it->ntext; k++)
			check_prose_counts(r, &it->text[k], only, mps, n);
	}
}

/* ---- department ------------------------------------------------------------------------------- */

const model_department *resolve_department(arena *a, diag_ctx *d, const ast_department *ast)
{
	return resolve_department_with(a, d, ast, NULL);
}

const model_department *resolve_department_with(arena *a, diag_ctx *d, const ast_department *ast,
                                                const catalog *cat)
{
	resolver r = {.a = a, .d = d};
	model_department *m = arena_alloc(a, sizeof *m);
	r.dept = m;
	srcloc top = {ast->file, 1, 1};
	m->source = ast->file ? ast->file->path : "";
	m->name = or_empty(&ast->name);
	m->code = or_empty(&ast->code);
	m->unit = or_empty(&ast->unit);
	m->form_title = or_empty(&ast->form_title);
	if (!ast->name.s && !ast->code.s && !ast->year.s && !ast->unit.s && !ast->variant.s &&
	    !ast->overall && ast->nprojects == 0 && ast->file) {
		/* nothing of a department at all: say so once instead of listing what is missing */
		diag_report(d, (srcloc){0}, D_NOT_A_SOURCE, ast->file->path);
		m->projects = arena_alloc(a, sizeof *m->projects);
		diag_acknowledge_finish(d);
		return m;
	}
	if (blank(&ast->name))
		diag_report(d, top, D_FIELD_MISSING, "部门", "部门头必填");
	if (blank(&ast->year)) {
		diag_report(d, top, D_FIELD_MISSING, "年度", "部门头必填");
	} else {
		m->year = parse_year(ast->year.s);
		if (m->year < 1990 || m->year > 2199) {
			diag_report(d, ast->year.loc, D_YEAR_SYNTAX, ast->year.s);
			m->year = 0;
		}
	}
	m->variant = VARIANT_FULL;
	if (ast->variant.s) {
		if (strcmp(ast->variant.s, "简明") == 0)
			m->variant = VARIANT_COMPACT;
		else if (strcmp(ast->variant.s, "完整") != 0)
			diag_report(d, ast->variant.loc, D_VARIANT_UNKNOWN, ast->variant.s);
	}
	if (ast->goal_cell.s)
		r.goals_one_cell = goal_cell(&r, &ast->goal_cell, false);
	if (ast->overall)
		resolve_overall(&r, ast->overall, &m->overall);
	model_project *mps = arena_alloc(a, (ast->nprojects ? ast->nprojects : 1) * sizeof *mps);
	for (size_t i = 0; i < ast->nprojects; i++) {
		mps[i].number = i + 1;
		resolve_project(&r, &ast->projects[i], &mps[i]);
	}
	check_duplicates(&r, ast, mps);
	check_goal_duplicates(&r, ast);
	if (ast->overall) {
		const ast_overall *o = ast->overall;
		check_overall_counts(&r, o, mps, ast->nprojects);
		for (size_t i = 0; i < o->nsummary; i++)
			prose_check_words(a, d, &o->summary[i]);
		for (size_t i = 0; i < o->nitems; i++) {
			prose_check_words(a, d, &o->items[i].goal);
			prose_check_words(a, d, &o->items[i].indicators);
			for (size_t k = 0; k < o->items[i].ntext; k++)
				prose_check_words(a, d, &o->items[i].text[k]);
		}
		for (size_t i = 0; i < o->nmeasures; i++)
			prose_check_words(a, d, &o->measures[i]);
	}
	if (ast->nprojects == 0 && ast->file)
		diag_report(d, top, D_NO_PROJECTS);
	m->projects = mps;
	m->nprojects = ast->nprojects;
	budget_resolve(a, d, ast, cat, m);
	diag_acknowledge_finish(d); /* the department's checks are done */
	return m;
}
