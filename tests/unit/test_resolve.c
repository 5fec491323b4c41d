/* test_resolve.c — the resolver's rules (resolve.h) on small in-memory sources: exact budget
 * sums, the schedule, "same as above" cells, indicator names and their recognised variants, code
 * shape, duplicates, the cost check and the suspicious-指标值 heuristics, counted by code. */
#include <stdarg.h>
#include <stdlib.h>

#include "front/indicator.h"
#include "front/parse.h"
#include "front/resolve.h"
#include "unit.h"

/* One parsed and resolved source; freed by resolved_free(). */
typedef struct resolved {
	arena *a;
	diag_ctx *d;
	const model_department *m;
} resolved;

static resolved resolve_text(const char *src)
{
	resolved r = {arena_new(), diag_new(), NULL};
	ast_department *ast = parse_department_text(r.a, r.d, "t.txt", src, strlen(src));
	r.m = resolve_department(r.a, r.d, ast);
	return r;
}

static void resolved_free(resolved *r)
{
	arena_free(r->a);
	diag_free(r->d);
}

static size_t count(const resolved *r, diag_code code)
{
	return diag_count_code(r->d, code);
}

static size_t errors(const resolved *r)
{
	return diag_count(r->d, DIAG_ERROR);
}

static size_t warnings(const resolved *r)
{
	return diag_count(r->d, DIAG_WARNING);
}

/* The text of the first message with a code, or "" (for substring checks). */
static const char *message(const resolved *r, diag_code code)
{
	const char *text = "";
	diag_first(r->d, code, NULL, &text);
	return text;
}

/* ---- building sources --------------------------------------------------------------- */

static const char header[] = "部门：测试局\n年度：2025\n";

/* Three rows, one per 一级指标, none of them suspicious. */
static const char good_rows[] =
	"产出指标｜数量指标｜场次｜举办活动场次｜4次｜年初计划\n"
	"效益指标｜社会效益指标｜影响力｜宣传影响力｜提高｜年初计划\n"
	"满意度指标｜服务对象满意度指标｜满意度｜企业满意度｜98%满意｜年初计划\n";

/* A department with one project: `money` replaces the three amount lines, `schedule` the
 * 资金支出计划 value, `rows` the indicator rows (NULL for good_rows). */
static char *project_src(const char *money, const char *schedule, const char *rows)
{
	buf b = {0};
	buf_puts(&b, header);
	buf_puts(&b, "【项目】\n项目名称：测试项目\n项目编码：13022525P0008F010032K\n");
	buf_puts(&b, money ? money : "预算数：90\n财政资金：90\n其他资金：\n");
	buf_printf(&b, "资金支出计划：%s\n", schedule ? schedule : "25%，50%，75%，100%");
	buf_puts(&b, "绩效目标：完成目标\n绩效指标：\n");
	buf_puts(&b, rows ? rows : good_rows);
	return b.data;
}

static resolved resolve_project(const char *money, const char *schedule, const char *rows)
{
	char *src = project_src(money, schedule, rows);
	resolved r = resolve_text(src);
	free(src);
	return r;
}

/* Resolves a project whose only extra row is `l1｜l2｜…｜value｜…` after the good rows. */
static resolved resolve_row(const char *l1, const char *l2, const char *value, const char *total)
{
	buf rows = {0}, money = {0};
	buf_puts(&rows, good_rows);
	buf_printf(&rows, "%s｜%s｜三级｜描述｜%s｜年初计划\n", l1, l2, value);
	buf_printf(&money, "预算数：%s\n财政资金：%s\n", total, total);
	resolved r = resolve_project(money.data, NULL, rows.data);
	buf_free(&rows);
	buf_free(&money);
	return r;
}

/* ---- the baseline ------------------------------------------------------------------- */

static void test_good_project(void)
{
	resolved r = resolve_project(NULL, NULL, NULL);
	CHECK_INT_EQ(errors(&r), 0);
	CHECK_INT_EQ(warnings(&r), 0);
	const model_department *m = r.m;
	CHECK_STR_EQ(m->name, "测试局");
	CHECK_INT_EQ(m->year, 2025);
	CHECK_INT_EQ(m->variant, VARIANT_FULL);
	CHECK_INT_EQ(m->nprojects, 1);
	const model_project *p = &m->projects[0];
	CHECK_INT_EQ(p->number, 1);
	CHECK_INT_EQ(p->part, PART_PROJECT);
	CHECK_STR_EQ(p->name, "测试项目");
	CHECK_STR_EQ(p->code, "13022525P0008F010032K");
	CHECK(p->total.present && p->fiscal.present && !p->other.present);
	CHECK_INT_EQ(p->total.value.micros, 90000000);
	CHECK(p->has_schedule);
	CHECK_STR_EQ(p->schedule[0].text, "25%");
	CHECK_INT_EQ(p->schedule[0].value.micros, 25000000);
	CHECK_STR_EQ(p->schedule[3].text, "100%");
	CHECK_INT_EQ(p->schedule[3].value.micros, 100000000);
	CHECK_INT_EQ(p->ngoals, 1);
	CHECK_INT_EQ(p->nindicators, 3);
	CHECK_INT_EQ(p->indicators[2].l1, L1_SATISFACTION);
	CHECK_INT_EQ(p->indicators[2].l2, L2_SATISFACTION);
	CHECK_STR_EQ(p->indicators[2].value, "98%满意");
	CHECK_STR_EQ(p->indicators[2].basis, "年初计划");
	resolved_free(&r);
}

/* ---- amounts ---------------------------------------------------------------------------- */

static void test_budget_sum(void)
{
	/* six decimals, blank 其他资金 counts as zero but stays blank */
	resolved r = resolve_project("预算数：20.982\n财政资金：20.982\n其他资金：\n", NULL, NULL);
	CHECK_INT_EQ(count(&r, D_BUDGET_SUM), 0);
	CHECK_INT_EQ(r.m->projects[0].total.value.micros, 20982000);
	CHECK(!r.m->projects[0].other.present);
	resolved_free(&r);

	/* 0.1 + 0.2 is exactly 0.3 here */
	r = resolve_project("预算数：0.3\n财政资金：0.1\n其他资金：0.2\n", NULL, NULL);
	CHECK_INT_EQ(count(&r, D_BUDGET_SUM), 0);
	CHECK_INT_EQ(errors(&r), 0);
	resolved_free(&r);

	/* 0 written is not blank */
	r = resolve_project("预算数：90\n财政资金：90\n其他资金：0\n", NULL, NULL);
	CHECK(r.m->projects[0].other.present);
	CHECK_INT_EQ(errors(&r), 0);
	resolved_free(&r);

	/* full-width digits, 万元 suffix */
	r = resolve_project("预算数：１００万元\n财政资金：60\n其他资金：40.000000\n", NULL, NULL);
	CHECK_INT_EQ(errors(&r), 0);
	resolved_free(&r);

	/* seed 000, project 1: 90 ≠ 92 + blank */
	r = resolve_project("预算数：90\n财政资金：92\n其他资金：\n", NULL, NULL);
	CHECK_INT_EQ(count(&r, D_BUDGET_SUM), 1);
	CHECK_STR_EQ(message(&r, D_BUDGET_SUM),
	             "预算数 90.00 万元 ≠ 财政资金 92.00 万元 + 其他资金 0.00 万元（= 92.00 万元）");
	srcloc at;
	CHECK(diag_first(r.d, D_BUDGET_SUM, &at, NULL));
	CHECK_INT_EQ(at.line, 6); /* the 预算数 line, at its number */
	CHECK_INT_EQ(at.col, 5);
	resolved_free(&r);

	/* off by one millionth is still off, and the message shows the exact values */
	r = resolve_project("预算数：20.982\n财政资金：20.982001\n", NULL, NULL);
	CHECK_INT_EQ(count(&r, D_BUDGET_SUM), 1);
	CHECK(strstr(message(&r, D_BUDGET_SUM), "20.982001") != NULL);
	resolved_free(&r);

	/* amounts whose sum would leave the range are reported, not summed into garbage */
	r = resolve_project("预算数：1\n财政资金：9000000000000\n其他资金：9000000000000\n", NULL,
	                    NULL);
	CHECK_INT_EQ(count(&r, D_BUDGET_SUM), 0);
	CHECK_INT_EQ(count(&r, D_AMOUNT_SUM_LIMIT), 2);
	resolved_free(&r);

	/* the department's amounts add up to at most 10^12 万元: the one that passes it is reported */
	r = resolve_project("预算数：600000000000\n财政资金：600000000000\n", NULL, NULL);
	CHECK_INT_EQ(count(&r, D_AMOUNT_SUM_LIMIT), 1);
	CHECK(diag_first(r.d, D_AMOUNT_SUM_LIMIT, &at, NULL));
	CHECK(strstr(message(&r, D_AMOUNT_SUM_LIMIT), "财政资金") != NULL);
	resolved_free(&r);
}

static void test_amount_errors(void)
{
	static const struct {
		const char *value;
		diag_code code;
		int col; /* where the caret goes: 预算数： is 4 characters */
	} cases[] = {
		{"abc", D_AMOUNT_SYNTAX, 5},          {"12a", D_AMOUNT_SYNTAX, 7},
		{"90万", D_AMOUNT_SYNTAX, 7},         {"1.1234567", D_AMOUNT_PRECISION, 13},
		{"-5", D_AMOUNT_NEGATIVE, 5},         {"99999999999999", D_AMOUNT_RANGE, 5},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char money[128];
		snprintf(money, sizeof money, "预算数：%s\n财政资金：1\n", cases[i].value);
		unit_context = cases[i].value;
		resolved r = resolve_project(money, NULL, NULL);
		CHECK_INT_EQ(count(&r, cases[i].code), 1);
		CHECK_INT_EQ(count(&r, D_BUDGET_SUM), 0); /* no second error for the same mistake */
		CHECK_INT_EQ(errors(&r), 1);
		srcloc at = {0};
		diag_first(r.d, cases[i].code, &at, NULL);
		CHECK_INT_EQ(at.col, cases[i].col);
		CHECK(strstr(message(&r, cases[i].code), "预算数") != NULL);
		resolved_free(&r);
	}
	unit_context = NULL;
}

static void test_required_fields(void)
{
	/* not written at all: reported at 【项目】 */
	resolved r = resolve_project("其他资金：\n", NULL, NULL);
	CHECK_INT_EQ(count(&r, D_FIELD_MISSING), 2);
	srcloc at;
	CHECK(diag_first(r.d, D_FIELD_MISSING, &at, NULL));
	CHECK_INT_EQ(at.line, 3);
	resolved_free(&r);

	/* written blank: reported where the value should be */
	r = resolve_project("预算数：90\n财政资金：\n", NULL, NULL);
	CHECK_INT_EQ(count(&r, D_FIELD_MISSING), 1);
	CHECK(strstr(message(&r, D_FIELD_MISSING), "财政资金") != NULL);
	CHECK(diag_first(r.d, D_FIELD_MISSING, &at, NULL));
	CHECK_INT_EQ(at.line, 7);
	CHECK_INT_EQ(at.col, 6);
	resolved_free(&r);

	/* the compact variant needs none of them */
	r = resolve_text("部门：测试局\n年度：2023\n项目表：简明\n【项目】\n项目名称：甲\n"
	                 "绩效目标：目标\n绩效指标：\n"
	                 "产出指标｜数量指标｜a｜b｜1次｜c\n"
	                 "效益指标｜社会效益指标｜a｜b｜提高｜c\n"
	                 "满意度指标｜服务对象满意度指标｜a｜b｜90%｜c\n");
	CHECK_INT_EQ(errors(&r), 0);
	CHECK_INT_EQ(warnings(&r), 0);
	CHECK_INT_EQ(r.m->variant, VARIANT_COMPACT);
	CHECK(!r.m->projects[0].total.present);
	resolved_free(&r);

	/* goals and 绩效指标 are needed by every project */
	r = resolve_text("部门：测试局\n年度：2023\n项目表：简明\n【项目】\n项目名称：甲\n绩效目标：\n");
	CHECK_INT_EQ(count(&r, D_FIELD_MISSING), 2);
	resolved_free(&r);
}

/* ---- schedule --------------------------------------------------------------------------- */

static void test_schedule(void)
{
	static const struct {
		const char *schedule;
		diag_code code; /* D_CODE_COUNT: no message */
		size_t count;
	} cases[] = {
		{"25%，50%，75%，100%", D_CODE_COUNT, 0},
		{"25% 50% 75% 100%", D_CODE_COUNT, 0},
		{"25%、50%、75%、100%", D_CODE_COUNT, 0},
		{"25%｜50%｜75%｜100%", D_CODE_COUNT, 0},
		{"25％,50％,75％,100％", D_CODE_COUNT, 0},
		{"２５％，５０％，７５％，１００％", D_CODE_COUNT, 0},
		{"0%，0%，0%，100%", D_CODE_COUNT, 0},
		{"100%，100%，100%，100%", D_CODE_COUNT, 0},
		{"12.5%，50%，75%，100%", D_CODE_COUNT, 0},
		{"25%，50%，100%", D_SCHEDULE_COUNT, 1},
		{"25%，50%，75%，90%，100%", D_SCHEDULE_COUNT, 1},
		{"25%，50%，40%，100%", D_SCHEDULE_DECREASE, 1},
		{"50%，25%，10%，100%", D_SCHEDULE_DECREASE, 2},
		{"25%，50%，75%，90%", D_SCHEDULE_END, 1},
		{"25%，abc，75%，100%", D_SCHEDULE_SYNTAX, 1},
		{"25%，50%，75%，120%", D_SCHEDULE_SYNTAX, 1},
		{"25，50，75，100", D_SCHEDULE_SYNTAX, 4}, /* numbers, but not percentages */
		{"-25%，50%，75%，100%", D_SCHEDULE_SYNTAX, 1},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		unit_context = cases[i].schedule;
		resolved r = resolve_project(NULL, cases[i].schedule, NULL);
		if (cases[i].code == D_CODE_COUNT) {
			CHECK_INT_EQ(errors(&r), 0);
			CHECK(r.m->projects[0].has_schedule);
		} else {
			CHECK_INT_EQ(count(&r, cases[i].code), cases[i].count);
			CHECK_INT_EQ(errors(&r), cases[i].count);
			CHECK(!r.m->projects[0].has_schedule);
		}
		resolved_free(&r);
	}
	unit_context = NULL;

	/* the model keeps the exact values, and for printing the numbers as written with an ASCII
	 * percent sign */
	resolved r = resolve_project(NULL, "12.5％ 50% 75.00% 100％", NULL);
	CHECK_STR_EQ(r.m->projects[0].schedule[0].text, "12.5%");
	CHECK_INT_EQ(r.m->projects[0].schedule[0].value.micros, 12500000);
	CHECK_STR_EQ(r.m->projects[0].schedule[2].text, "75.00%");
	CHECK_INT_EQ(r.m->projects[0].schedule[2].value.micros, 75000000);
	CHECK_STR_EQ(r.m->projects[0].schedule[3].text, "100%");
	resolved_free(&r);
	r = resolve_project(NULL, "２５％，５０％，７５．５％，１００％", NULL);
	CHECK_STR_EQ(r.m->projects[0].schedule[2].text, "７５．５%");
	CHECK_INT_EQ(r.m->projects[0].schedule[2].value.micros, 75500000);
	resolved_free(&r);

	/* the decrease points at the later month */
	r = resolve_project(NULL, "25%，50%，40%，100%", NULL);
	CHECK_STR_EQ(message(&r, D_SCHEDULE_DECREASE),
	             "资金支出计划是累计进度，不能递减：10月底 40% 小于 6月底 50%");
	srcloc at;
	CHECK(diag_first(r.d, D_SCHEDULE_DECREASE, &at, NULL));
	CHECK_INT_EQ(at.col, 16);
	resolved_free(&r);
}

/* ---- indicator rows -------------------------------------------------------------------- */

static void test_ditto_rows(void)
{
	resolved r = resolve_project(NULL, NULL,
	                             "产出指标｜数量指标｜a｜b｜4次｜c\n"
	                             "｜｜a2｜b｜4次｜c\n"
	                             "〃｜质量指标｜a3｜b｜100%｜c\n"
	                             "同上｜〃｜a4｜b｜100%｜c\n"
	                             "效益指标｜社会效益指标｜a5｜b｜提高｜c\n"
	                             "\"｜可持续影响指标｜a6｜b｜持续发展｜\n"
	                             "满意度指标｜服务对象满意度指标｜a7｜b｜98%满意｜c\n");
	CHECK_INT_EQ(errors(&r), 0);
	CHECK_INT_EQ(warnings(&r), 0);
	const model_project *p = &r.m->projects[0];
	CHECK_INT_EQ(p->nindicators, 7);
	static const l1_kind l1[] = {L1_OUTPUT, L1_OUTPUT, L1_OUTPUT, L1_OUTPUT,
	                             L1_BENEFIT, L1_BENEFIT, L1_SATISFACTION};
	static const l2_kind l2[] = {L2_QUANTITY, L2_QUANTITY, L2_QUALITY, L2_QUALITY,
	                             L2_SOCIAL, L2_SUSTAINABLE, L2_SATISFACTION};
	for (size_t i = 0; i < p->nindicators && i < 7; i++) {
		CHECK_INT_EQ(p->indicators[i].l1, l1[i]);
		CHECK_INT_EQ(p->indicators[i].l2, l2[i]);
	}
	CHECK_STR_EQ(p->indicators[5].basis, ""); /* 依据 may be blank */
	resolved_free(&r);

	/* the first row has nothing above it */
	r = resolve_project(NULL, NULL, "｜｜a｜b｜4次｜c\n");
	CHECK_INT_EQ(count(&r, D_ROW_NO_PARENT), 2);
	resolved_free(&r);

	/* a new 一级 cannot inherit the 二级 of the previous group */
	r = resolve_project(NULL, NULL,
	                    "产出指标｜数量指标｜a｜b｜4次｜c\n"
	                    "效益指标｜｜a｜b｜提高｜c\n");
	CHECK_INT_EQ(count(&r, D_ROW_L2_INHERIT), 1);
	CHECK(strstr(message(&r, D_ROW_L2_INHERIT), "效益指标") != NULL);
	CHECK_INT_EQ(count(&r, D_ROW_EMPTY_CELL), 0);
	resolved_free(&r);

	/* …but may when the 二级 belongs to it */
	r = resolve_project(NULL, NULL,
	                    "产出指标｜数量指标｜a｜b｜4次｜c\n"
	                    "产出指标｜｜a｜b｜4次｜c\n" "效益指标｜社会效益指标｜a｜b｜提高｜c\n"
	                    "满意度指标｜服务对象满意度指标｜a｜b｜98%｜c\n");
	CHECK_INT_EQ(errors(&r), 0);
	resolved_free(&r);

	/* empty 三级, 描述 or 指标值 */
	r = resolve_project(NULL, NULL, "产出指标｜数量指标｜｜｜｜\n");
	CHECK_INT_EQ(count(&r, D_ROW_EMPTY_CELL), 3);
	resolved_free(&r);
}

static void test_names_and_variants(void)
{
	static const struct {
		const char *l1, *l2; /* one of them is the variant under test */
		l1_kind want_l1;
		l2_kind want_l2;
	} cases[] = {
		{"产出", "数量指标", L1_OUTPUT, L2_QUANTITY},
		{"效果指标", "社会效益指标", L1_BENEFIT, L2_SOCIAL},
		{"效益", "社会效益指标", L1_BENEFIT, L2_SOCIAL},
		{"效果", "社会效益指标", L1_BENEFIT, L2_SOCIAL},
		{"满意度", "服务对象满意度指标", L1_SATISFACTION, L2_SATISFACTION},
		{"满意指标", "服务对象满意度指标", L1_SATISFACTION, L2_SATISFACTION},
		{"产出指标", "数量", L1_OUTPUT, L2_QUANTITY},
		{"产出指标", "质量", L1_OUTPUT, L2_QUALITY},
		{"产出指标", "时效", L1_OUTPUT, L2_TIMELINESS},
		{"产出指标", "实效指标", L1_OUTPUT, L2_TIMELINESS},
		{"产出指标", "实效", L1_OUTPUT, L2_TIMELINESS},
		{"产出指标", "时效性指标", L1_OUTPUT, L2_TIMELINESS},
		{"产出指标", "成本", L1_OUTPUT, L2_COST},
		{"效益指标", "经济效益", L1_BENEFIT, L2_ECONOMIC},
		{"效益指标", "社会效益", L1_BENEFIT, L2_SOCIAL},
		{"效益指标", "生态效益", L1_BENEFIT, L2_ECOLOGICAL},
		{"效益指标", "可持续影响", L1_BENEFIT, L2_SUSTAINABLE},
		{"效益指标", "可持续性影响", L1_BENEFIT, L2_SUSTAINABLE},
		{"效益指标", "可持续性影响指标", L1_BENEFIT, L2_SUSTAINABLE},
		{"效益指标", "可持续发展指标", L1_BENEFIT, L2_SUSTAINABLE},
		{"满意度指标", "服务对象满意度", L1_SATISFACTION, L2_SATISFACTION},
		{"满意度指标", "满意度指标", L1_SATISFACTION, L2_SATISFACTION},
		{"满意度指标", "服务对象满意指标", L1_SATISFACTION, L2_SATISFACTION},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		unit_context = cases[i].l1;
		/* a 成本指标 holds money, any other a count (each is warned about in the other) */
		resolved r = resolve_row(cases[i].l1, cases[i].l2, cases[i].want_l2 == L2_COST ? "1万元" : "1次", "90");
		CHECK_INT_EQ(count(&r, D_NAME_VARIANT), 1);
		CHECK_INT_EQ(warnings(&r), 1);
		CHECK_INT_EQ(errors(&r), 0);
		const model_project *p = &r.m->projects[0];
		if (CHECK_INT_EQ(p->nindicators, 4)) {
			CHECK_INT_EQ(p->indicators[3].l1, cases[i].want_l1);
			CHECK_INT_EQ(p->indicators[3].l2, cases[i].want_l2);
		}
		resolved_free(&r);
	}
	unit_context = NULL;

	/* the warning names the canonical spelling, and the model prints only that */
	resolved r = resolve_row("产出指标", "实效指标", "1次", "90");
	CHECK_STR_EQ(message(&r, D_NAME_VARIANT), "“实效指标”不是规范名称，按“时效指标”处理");
	CHECK_STR_EQ(model_l2_name(r.m->projects[0].indicators[3].l2), "时效指标");
	resolved_free(&r);

	/* every canonical name, also with blanks inside, is accepted silently */
	for (int k = 0; k < L2_COUNT; k++) {
		unit_context = model_l2_name((l2_kind)k);
		r = resolve_row(model_l1_name(model_l2_parent((l2_kind)k)), model_l2_name((l2_kind)k),
		                k == L2_COST ? "1万元" : "1次", "90");
		CHECK_INT_EQ(errors(&r) + warnings(&r), 0);
		resolved_free(&r);
	}
	unit_context = NULL;
	r = resolve_row("产 出\u3000指 标", "数量 指标", "1次", "90");
	CHECK_INT_EQ(errors(&r) + warnings(&r), 0);
	resolved_free(&r);

	/* unknown names, with the list of allowed ones */
	r = resolve_row("产出类", "数量指标", "1次", "90");
	CHECK_INT_EQ(count(&r, D_L1_UNKNOWN), 1);
	CHECK_INT_EQ(count(&r, D_NOTE_ALLOWED), 1);
	CHECK_INT_EQ(count(&r, D_L2_UNKNOWN), 0);
	resolved_free(&r);
	r = resolve_row("产出指标", "数目指标", "1次", "90");
	CHECK_INT_EQ(count(&r, D_L2_UNKNOWN), 1);
	CHECK_INT_EQ(count(&r, D_NOTE_ALLOWED), 1);
	resolved_free(&r);
}

static void test_wrong_parent_and_groups(void)
{
	/* seed 000: 社会效益指标 written under 产出指标 */
	resolved r = resolve_row("产出指标", "社会效益指标", "100%完成", "90");
	CHECK_INT_EQ(count(&r, D_L2_WRONG_PARENT), 1);
	CHECK_STR_EQ(message(&r, D_L2_WRONG_PARENT),
	             "二级指标“社会效益指标”不属于一级指标“产出指标”，而属于“效益指标”");
	CHECK_INT_EQ(r.m->projects[0].nindicators, 3); /* the row is left out… */
	CHECK_INT_EQ(count(&r, D_GROUP_MISSING), 0);    /* …and no guess about groups follows */
	resolved_free(&r);

	/* inherited 一级 counts too */
	r = resolve_project(NULL, NULL,
	                    "产出指标｜数量指标｜a｜b｜4次｜c\n"
	                    "｜服务对象满意度指标｜a｜b｜98%｜c\n");
	CHECK_INT_EQ(count(&r, D_L2_WRONG_PARENT), 1);
	CHECK_INT_EQ(count(&r, D_GROUP_MISSING), 0);
	resolved_free(&r);

	/* missing groups: one warning per missing 一级指标, at 绩效指标： */
	r = resolve_project(NULL, NULL, "产出指标｜数量指标｜a｜b｜4次｜c\n");
	CHECK_INT_EQ(count(&r, D_GROUP_MISSING), 2);
	CHECK_INT_EQ(errors(&r), 0);
	srcloc at;
	CHECK(diag_first(r.d, D_GROUP_MISSING, &at, NULL));
	CHECK_INT_EQ(at.line, 11);
	CHECK_INT_EQ(at.col, 1);
	CHECK_STR_EQ(message(&r, D_GROUP_MISSING), "项目缺少“效益指标”");
	resolved_free(&r);

	/* no rows at all after 绩效指标： */
	r = resolve_project(NULL, NULL, "");
	CHECK_INT_EQ(count(&r, D_GROUP_MISSING), 3);
	resolved_free(&r);
}

/* ---- codes and duplicates ------------------------------------------------------------------ */

static void test_codes(void)
{
	static const struct {
		const char *code;
		diag_code want; /* D_CODE_COUNT: fine */
		int col;        /* D_CODE_SHAPE: the first character off the shape ("项目编码：" is 1-5) */
	} cases[] = {
		{"13022525P0008F010032K", D_CODE_COUNT, 0},
		{"13022525P000000000000", D_CODE_COUNT, 0},
		{"", D_CODE_COUNT, 0},                        /* 可空 */
		{"1302252P0008F010032K", D_CODE_SHAPE, 13},   /* 20 characters: P comes one early */
		{"13022525P0008F010032", D_CODE_SHAPE, 26},   /* 20: just after the end */
		{"13022525P0008F010032KX", D_CODE_SHAPE, 27}, /* 22 */
		{"13022524X0008F010032K", D_CODE_SHAPE, 14},  /* no P */
		{"13022524P0008f010032K", D_CODE_SHAPE, 19},  /* lower case */
		{"1302A524P0008F010032K", D_CODE_SHAPE, 10},  /* letter in the region */
		{"130225２4P0008F010032K", D_CODE_SHAPE, 12}, /* full-width digit */
		{"13030321FVX8CQSYXPUNY", D_CODE_SHAPE, 14},  /* published so (issue 14) */
		{"13022523P0008F010032K", D_CODE_YEAR, 0},    /* 23 in a 2025 department */
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char src[1024];
		snprintf(src, sizeof src,
		         "%s【项目】\n项目名称：甲\n项目编码：%s\n预算数：1\n财政资金：1\n"
		         "资金支出计划：25%%，50%%，75%%，100%%\n绩效目标：x\n绩效指标：\n%s",
		         header, cases[i].code, good_rows);
		unit_context = cases[i].code;
		resolved r = resolve_text(src);
		if (cases[i].want == D_CODE_COUNT) {
			CHECK_INT_EQ(errors(&r) + warnings(&r), 0);
		} else {
			CHECK_INT_EQ(count(&r, cases[i].want), 1);
			CHECK_INT_EQ(errors(&r) + warnings(&r), 1);
			srcloc at;
			if (cases[i].want == D_CODE_SHAPE && diag_first(r.d, D_CODE_SHAPE, &at, NULL)) {
				CHECK_INT_EQ(errors(&r), 0); /* a warning: the published code is printed */
				CHECK_INT_EQ(at.col, cases[i].col);
			}
		}
		resolved_free(&r);
	}
	unit_context = NULL;

	/* the year warning points at the two year digits */
	resolved r = resolve_text("部门：测试局\n年度：2024\n【项目】\n项目名称：甲\n"
	                 "项目编码：13022523P0008F010032K\n预算数：1\n财政资金：1\n"
	                 "资金支出计划：25%，50%，75%，100%\n绩效目标：x\n绩效指标：\n"
	                 "产出指标｜数量指标｜a｜b｜4次｜c\n效益指标｜社会效益指标｜a｜b｜提高｜c\n"
	                 "满意度指标｜服务对象满意度指标｜a｜b｜98%｜c\n");
	CHECK_STR_EQ(message(&r, D_CODE_YEAR), "项目编码中的年度“23”与部门年度 2024 不符");
	srcloc at;
	CHECK(diag_first(r.d, D_CODE_YEAR, &at, NULL));
	CHECK_INT_EQ(at.line, 5);
	CHECK_INT_EQ(at.col, 12);
	resolved_free(&r);
}

static void test_duplicates(void)
{
	buf b = {0};
	buf_puts(&b, header);
	for (int i = 0; i < 3; i++)
		buf_printf(&b,
		           "【项目】\n项目名称：%s\n项目编码：%s\n预算数：1\n财政资金：1\n"
		           "资金支出计划：25%%，50%%，75%%，100%%\n绩效目标：x%d\n绩效指标：\n%s",
		           i == 2 ? "甲" : i == 1 ? "乙" : "甲",
		           i == 0 ? "13022525P000000000001" : "13022525P000000000002", i, good_rows);
	resolved r = resolve_text(b.data);
	CHECK_INT_EQ(count(&r, D_PROJECT_DUP_NAME), 1);
	CHECK_INT_EQ(count(&r, D_PROJECT_DUP_CODE), 1);
	CHECK_INT_EQ(count(&r, D_NOTE_FIRST_HERE), 2);
	CHECK_INT_EQ(r.m->nprojects, 3);
	CHECK_INT_EQ(r.m->projects[2].number, 3);
	srcloc at;
	CHECK(diag_first(r.d, D_PROJECT_DUP_NAME, &at, NULL));
	CHECK_INT_EQ(at.line, 4 + 2 * 11);
	resolved_free(&r);
	buf_free(&b);

	/* a field twice in one project */
	r = resolve_project("预算数：90\n财政资金：90\n预算数：90\n", NULL, NULL);
	CHECK_INT_EQ(count(&r, D_FIELD_DUPLICATE), 1);
	CHECK_INT_EQ(count(&r, D_NOTE_FIRST_HERE), 1);
	resolved_free(&r);

	/* two blank codes are not duplicates */
	r = resolve_text("部门：测试局\n年度：2025\n项目表：简明\n"
	                 "【项目】\n项目名称：甲\n项目编码：\n绩效目标：x\n绩效指标：\n"
	                 "产出指标｜数量指标｜a｜b｜4次｜c\n"
	                 "【项目】\n项目名称：乙\n项目编码：\n绩效目标：x\n绩效指标：\n"
	                 "产出指标｜数量指标｜a｜b｜4次｜c\n");
	CHECK_INT_EQ(count(&r, D_PROJECT_DUP_CODE), 0);
	resolved_free(&r);
}

/* ---- the cost check ----------------------------------------------------------------------- */

static void test_cost_exceeds(void)
{
	static const struct {
		const char *value;
		const char *budget;
		size_t want;
	} cases[] = {
		{"≤810万元", "90", 1},
		{"≤8 万", "5", 1},
		{"≤8万", "5", 1},
		{"8万元", "8", 0},               /* equal is fine */
		{"≤8.000001万元", "8", 1},
		{"≤9万元", "90", 0},
		{"≤2.4 万元/家", "1", 0},         /* per unit */
		{"≤2.4万元／人", "1", 0},
		{"2万元每人", "1", 0},
		{"每人每月1900元", "1", 0},       /* 元, not 万元 */
		{"≤3万元，≤500万元合计", "100", 1}, /* the largest amount counts */
		{"降低成本", "1", 0},
		{"100%", "1", 0},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		unit_context = cases[i].value;
		resolved r = resolve_row("产出指标", "成本指标", cases[i].value, cases[i].budget);
		CHECK_INT_EQ(count(&r, D_COST_EXCEEDS), cases[i].want);
		resolved_free(&r);
	}
	unit_context = NULL;

	resolved r = resolve_row("产出指标", "成本指标", "≤810万元", "90");
	CHECK_STR_EQ(message(&r, D_COST_EXCEEDS), "成本指标的金额 810.00 万元超过项目预算数 90.00 万元");
	resolved_free(&r);

	/* only 成本指标 rows are looked at */
	r = resolve_row("产出指标", "数量指标", "≤810万元", "90");
	CHECK_INT_EQ(count(&r, D_COST_EXCEEDS), 0);
	resolved_free(&r);
}

/* ---- suspicious 指标值 ------------------------------------------------------------------------ */

static void test_suspicious_values(void)
{
	static const struct {
		const char *value;
		diag_code want;
		const char *part; /* the part named in the message */
	} cases[] = {
		{"≥144986≥144986人", D_VALUE_REPEATED, "≥144986"},
		{"≥436788≥436788人次", D_VALUE_REPEATED, "≥436788"},
		{"≥99≥99%", D_VALUE_REPEATED, "≥99"},
		{"≥70≥70.00名", D_VALUE_REPEATED, "≥70"},
		{"55285528人", D_VALUE_REPEATED, "5528"},
		{"100全额用于发放村民小组长误工补贴", D_VALUE_RUNON, "100"},
		{"1离任补贴于年终考核后一次性发放", D_VALUE_RUNON, "1"},
		{"是/否", D_VALUE_UNSELECTED, "是/否"},
		{"是／否", D_VALUE_UNSELECTED, "是／否"},
		{"是否", D_VALUE_UNSELECTED, "是否"},
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		unit_context = cases[i].value;
		resolved r = resolve_row("产出指标", "数量指标", cases[i].value, "90");
		CHECK_INT_EQ(count(&r, cases[i].want), 1);
		CHECK_INT_EQ(warnings(&r), 1);
		char quoted[128];
		snprintf(quoted, sizeof quoted, "“%s”", cases[i].part);
		CHECK(strstr(message(&r, cases[i].want), quoted) != NULL);
		resolved_free(&r);
	}

	/* ordinary values seen in the seeds: no warning */
	static const char *const fine[] = {
		"2025年12月底完成", "100%完成", "每人每月1900元",
		"3 月、9 月份按时完成率=100.00%", "98%满意", "≥4次", "持续发展", "12月底前完成",
		"≥95%", "100.00%", "=100%", "4次", "2次/年", "是", "否", "≥9≥95%", "≥1000人",
		"30日内", "95分以上", "10余人", "90合格", "2025.12.31", "100%影响", "≥144986人",
		"5528人", "按时完成", "全年", "第1季度",
	};
	for (size_t i = 0; i < sizeof fine / sizeof fine[0]; i++) {
		unit_context = fine[i];
		resolved r = resolve_row("产出指标", "数量指标", fine[i], "900");
		CHECK_INT_EQ(warnings(&r) + errors(&r), 0);
		resolved_free(&r);
	}
	/* money is fine under 成本指标 (and only there, or under 经济效益指标) */
	static const char *const money[] = {"≤9万元", "1.5万元", "≤810万元", "≤0.2万/次", "≤4000元/户"};
	for (size_t i = 0; i < sizeof money / sizeof money[0]; i++) {
		unit_context = money[i];
		resolved r = resolve_row("产出指标", "成本指标", money[i], "900");
		CHECK_INT_EQ(warnings(&r) + errors(&r), 0);
		resolved_free(&r);
		r = resolve_row("产出指标", "数量指标", money[i], "900");
		CHECK_INT_EQ(count(&r, D_VALUE_MONEY), 1);
		resolved_free(&r);
	}
	unit_context = NULL;
}

/* ---- the department ------------------------------------------------------------------------- */

static void test_department_header(void)
{
	resolved r = resolve_text("部门：测试局\n年度：２０２５\n【项目】\n");
	CHECK_INT_EQ(r.m->year, 2025);
	CHECK_INT_EQ(count(&r, D_YEAR_SYNTAX), 0);
	resolved_free(&r);

	static const char *const bad_years[] = {"25", "二〇二五", "2025年", "1800", "20255"};
	for (size_t i = 0; i < sizeof bad_years / sizeof bad_years[0]; i++) {
		char src[128];
		snprintf(src, sizeof src, "部门：测试局\n年度：%s\n", bad_years[i]);
		unit_context = bad_years[i];
		r = resolve_text(src);
		CHECK_INT_EQ(count(&r, D_YEAR_SYNTAX), 1);
		CHECK_INT_EQ(r.m->year, 0);
		resolved_free(&r);
	}
	unit_context = NULL;

	r = resolve_text("年度：2025\n");
	CHECK_INT_EQ(count(&r, D_FIELD_MISSING), 1);
	CHECK(strstr(message(&r, D_FIELD_MISSING), "部门") != NULL);
	CHECK_INT_EQ(count(&r, D_NO_PROJECTS), 1);
	resolved_free(&r);

	r = resolve_text("部门：测试局\n项目表：详细\n");
	CHECK_INT_EQ(count(&r, D_FIELD_MISSING), 1);
	CHECK_INT_EQ(count(&r, D_VARIANT_UNKNOWN), 1);
	resolved_free(&r);

	/* 部分 */
	char *src = project_src(NULL, NULL, NULL);
	buf b = {0};
	buf_puts(&b, src);
	buf_puts(&b, "【项目】\n项目名称：公用经费\n部分：公用\n预算数：1\n财政资金：1\n"
	             "资金支出计划：25%，50%，75%，100%\n绩效目标：x\n绩效指标：\n");
	buf_puts(&b, good_rows);
	buf_puts(&b, "【项目】\n项目名称：丙\n部分：其他\n预算数：1\n财政资金：1\n"
	             "资金支出计划：25%，50%，75%，100%\n绩效目标：x\n绩效指标：\n");
	buf_puts(&b, good_rows);
	r = resolve_text(b.data);
	CHECK_INT_EQ(r.m->nprojects, 3);
	CHECK_INT_EQ(r.m->projects[0].part, PART_PROJECT);
	CHECK_INT_EQ(r.m->projects[1].part, PART_PUBLIC);
	CHECK_INT_EQ(count(&r, D_PART_UNKNOWN), 1);
	CHECK_INT_EQ(errors(&r), 1);
	resolved_free(&r);
	buf_free(&b);
	free(src);
}

static void test_not_a_source(void)
{
	/* an empty file or a fragment meant for 包含： is not a department */
	static const char *const texts[] = {"", "\n\n", "# 只有注释\n", "名词解释：一般公共预算……\n"};
	for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++) {
		unit_context = texts[i];
		resolved r = resolve_text(texts[i]);
		CHECK_INT_EQ(count(&r, D_NOT_A_SOURCE), 1);
		CHECK_INT_EQ(count(&r, D_FIELD_MISSING), 0);
		CHECK_INT_EQ(count(&r, D_NO_PROJECTS), 0);
		CHECK_INT_EQ(r.m->nprojects, 0);
		resolved_free(&r);
	}
	unit_context = NULL;

	/* a header alone is a department without projects */
	resolved r = resolve_text(header);
	CHECK_INT_EQ(count(&r, D_NOT_A_SOURCE), 0);
	CHECK_INT_EQ(count(&r, D_NO_PROJECTS), 1);
	CHECK_INT_EQ(errors(&r), 0);
	resolved_free(&r);
}

static void test_overall(void)
{
	resolved r = resolve_text("部门：测试局\n年度：2025\n【整体绩效目标】\n"
	                          "总体绩效目标：第一段\n第二段\n"
	                          "分项绩效目标：人才工作专项资金\n绩效目标：目标\n绩效指标：指标\n说明\n"
	                          "分项绩效目标：空的分项\n"
	                          "工作保障措施：\n（一）措施一\n（二）措施二\n");
	const model_overall *o = &r.m->overall;
	CHECK(o->present);
	CHECK_INT_EQ(o->nsummary, 2);
	CHECK_STR_EQ(o->summary[0], "第一段");
	CHECK_INT_EQ(o->nitems, 2);
	CHECK_STR_EQ(o->items[0].title, "人才工作专项资金");
	CHECK_STR_EQ(o->items[0].goal, "目标");
	CHECK_STR_EQ(o->items[0].indicators, "指标");
	CHECK_INT_EQ(o->items[0].ntext, 1);
	CHECK(o->items[1].goal == NULL);
	CHECK_INT_EQ(o->nmeasures, 2);
	CHECK_STR_EQ(o->measures[1], "（二）措施二");
	CHECK_INT_EQ(count(&r, D_ITEM_EMPTY), 1);
	CHECK_INT_EQ(errors(&r), 0);
	resolved_free(&r);
}

/* A 指标值 parsed into sign, number and unit (indicator.c), kept as written for printing. */
static void test_indicator_parse(void)
{
	static const struct {
		const char *value;
		indicator_sign sign;
		const char *number, *unit;
		unit_kind kind;
	} cases[] = {
		{"≥95%", IND_SIGN_GE, "95", "%", UNIT_PERCENT},
		{"≤ 810 万元", IND_SIGN_LE, "810", "万元", UNIT_MONEY},
		{"4次", IND_SIGN_NONE, "4", "次", UNIT_COUNT},
		{"=100.00%", IND_SIGN_EQ, "100.00", "%", UNIT_PERCENT},
		{"＜3天", IND_SIGN_LT, "3", "天", UNIT_NONE},
		{"≤0.2万/次", IND_SIGN_LE, "0.2", "万/次", UNIT_MONEY},
		{"≥95百分比", IND_SIGN_GE, "95", "百分比", UNIT_WORD},
		{"≥200人次", IND_SIGN_GE, "200", "人次", UNIT_COUNT},
		{"提升", IND_SIGN_QUALITATIVE, "", "", UNIT_NONE},
		{"≤1≤万元", IND_SIGN_UNPARSED, "", "", UNIT_NONE},
		{"3月、9月份按时完成率=100.00%", IND_SIGN_UNPARSED, "", "", UNIT_NONE},
		{"", IND_SIGN_UNPARSED, "", "", UNIT_NONE},
	};
	arena *a = arena_new();
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		model_indicator mi = {.value = cases[i].value};
		indicator_parse(a, mi.value, &mi);
		CHECK_INT_EQ(mi.sign, cases[i].sign);
		CHECK_STR_EQ(mi.number, cases[i].number);
		CHECK_STR_EQ(mi.unit, cases[i].unit);
		CHECK_INT_EQ(indicator_unit_kind(mi.unit), cases[i].kind);
		CHECK_STR_EQ(mi.value, cases[i].value);
	}
	arena_free(a);
}

int main(void)
{
	test_indicator_parse();
	test_good_project();
	test_budget_sum();
	test_amount_errors();
	test_required_fields();
	test_schedule();
	test_ditto_rows();
	test_names_and_variants();
	test_wrong_parent_and_groups();
	test_codes();
	test_duplicates();
	test_cost_exceeds();
	test_suspicious_values();
	test_department_header();
	test_not_a_source();
	test_overall();
	return unit_report();
}
