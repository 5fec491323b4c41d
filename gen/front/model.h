/* model.h — the resolved, checked model of one department: exact amounts, canonical indicator
 * names, merged cells resolved. The contract between the front end and everything after it:
 * compose and the emitters receive it const and never see the AST. Built by resolve.c. */
#ifndef BUDGETGEN_MODEL_H
#define BUDGETGEN_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/decimal.h"
#include "base/diag.h"
#include "base/util.h"

typedef enum project_part {
	PART_PROJECT, /* 项目: printed under 预算项目绩效目标 */
	PART_PUBLIC   /* 公用: printed under 预算公用绩效目标 */
} project_part;

typedef enum table_variant {
	VARIANT_FULL,   /* 项目编码, 预算数, 资金用途, 资金支出计划, goals, indicators */
	VARIANT_COMPACT /* goals and indicators only (seed 001) */
} table_variant;

/* ORDER model_l1_names in resolve.c */
typedef enum l1_kind { L1_OUTPUT, L1_BENEFIT, L1_SATISFACTION, L1_COUNT } l1_kind;

/* ORDER model_l2_names in resolve.c */
typedef enum l2_kind {
	L2_QUANTITY,     /* 数量指标 (产出) */
	L2_QUALITY,      /* 质量指标 (产出) */
	L2_TIMELINESS,   /* 时效指标 (产出) */
	L2_COST,         /* 成本指标 (产出) */
	L2_ECONOMIC,     /* 经济效益指标 (效益) */
	L2_SOCIAL,       /* 社会效益指标 (效益) */
	L2_ECOLOGICAL,   /* 生态效益指标 (效益) */
	L2_SUSTAINABLE,  /* 可持续影响指标 (效益) */
	L2_SATISFACTION, /* 服务对象满意度指标 (满意度) */
	L2_COUNT
} l2_kind;

const char *model_l1_name(l1_kind k);
const char *model_l2_name(l2_kind k);
l1_kind model_l2_parent(l2_kind k);
const char *model_part_name(project_part p);

/* An amount that may be left blank in the source (printed as an empty cell). */
typedef struct model_amount {
	bool present;
	decimal value;
} model_amount;

/* A percentage of the 资金支出计划, parsed once by the resolver. */
typedef struct model_percent {
	decimal value;    /* 25% is 25 */
	const char *text; /* as printed: the number as written, then an ASCII "%" ("12.5%", "75.00%") */
} model_percent;

/* The 指标性质 of a 指标值, for a layout that prints sign, number and unit in columns of their
 * own (parsed by front/indicator.c). */
typedef enum indicator_sign {
	IND_SIGN_UNPARSED, /* a value of no known shape: print value as written */
	IND_SIGN_NONE,     /* a number without a sign ("4次") */
	IND_SIGN_GE,       /* ≥ */
	IND_SIGN_LE,       /* ≤ */
	IND_SIGN_EQ,       /* = */
	IND_SIGN_LT,       /* < */
	IND_SIGN_GT,       /* > */
	IND_SIGN_QUALITATIVE /* 定性: words only ("提升", "有效保障") */
} indicator_sign;

typedef struct model_indicator {
	l1_kind l1;
	l2_kind l2;
	const char *l3;    /* 三级指标 */
	const char *desc;  /* 绩效指标描述 */
	const char *value; /* 指标值, as written (what the one-cell layouts print) */
	const char *basis; /* 指标值确定依据 */
	indicator_sign sign; /* value parsed: its sign, */
	const char *number;  /* the number as written ("" when none), */
	const char *unit;    /* and the unit after it ("%", "人次", "万元"; "" when none) */
	srcloc loc;
} model_indicator;

typedef struct model_project {
	size_t number;              /* 1-based position in the department */
	project_part part;
	const char *name;
	const char *code;           /* "" when blank */
	const char *unit;           /* 编报单位: the project's own, else the department's */
	model_amount total;         /* 预算数 */
	model_amount fiscal;        /* 其中：财政资金 */
	model_amount other;         /* 其他资金 */
	const char *use;            /* 资金用途, "" when blank */
	bool has_schedule;
	model_percent schedule[4];  /* at 3月底, 6月底, 10月底, 12月底 */
	const char *const *goals;
	size_t ngoals;
	bool goals_one_cell;        /* 绩效目标栏：一格: every goal in one cell, numbered 1. 2. … */
	const model_indicator *indicators;
	size_t nindicators;
	srcloc loc;
} model_project;

/* How the 分项绩效目标 items are numbered (分项序号). */
typedef enum item_numbering {
	ITEM_NUM_PAREN, /* （一）（二）… (default) */
	ITEM_NUM_COMMA  /* 一、二、… */
} item_numbering;

/* Text fields hold their paragraphs separated by '\n' (written on ＋ lines in the source). */
typedef struct model_item {
	const char *title;
	const char *goal;       /* NULL when not written */
	const char *indicators; /* NULL when not written */
	const char *const *text;
	size_t ntext;
} model_item;

typedef struct model_overall {
	bool present;
	const char *const *summary;
	size_t nsummary;
	const char *const *intro;   /* 分项引言: paragraphs before the first item */
	size_t nintro;
	item_numbering numbering;
	const model_item *items;
	size_t nitems;
	const char *const *measures;
	size_t nmeasures;
} model_overall;

/* ---- budget data (docs/language.md §6) ------------------------------------------------ */

/* ORDER budget_fund_names in budget.c */
typedef enum fund_source {
	FUND_GENERAL,        /* 一般公共预算 */
	FUND_GOVFUND,        /* 政府性基金 */
	FUND_STATECAP,       /* 国有资本经营 */
	FUND_SPECIAL,        /* 财政专户 */
	FUND_BUSINESS,       /* 事业 */
	FUND_OPERATING,      /* 事业单位经营 */
	FUND_SUPERIOR,       /* 上级补助 */
	FUND_SUBSIDIARY,     /* 附属单位上缴 */
	FUND_OTHER,          /* 其他 */
	FUND_CARRY_GENERAL,  /* 上年结转 (一般公共预算财政拨款) */
	FUND_CARRY_GOVFUND,  /* 上年结转（政府性基金） */
	FUND_CARRY_STATECAP, /* 上年结转（国有资本经营） */
	FUND_CARRY_OTHER,    /* 上年结转（其他） */
	FUND_COUNT
} fund_source;

const char *model_fund_name(fund_source f);
bool model_fund_is_carry(fund_source f);
/* The 财政拨款 fund a source belongs to (一般公共预算, 政府性基金, 国有资本经营), or -1. */
int model_fund_appropriation(fund_source f);

/* One row of the functional classification (类, 款 or 项) with its totals. */
typedef struct model_func_row {
	const char *code;            /* 3, 5 or 7 digits */
	const char *name;            /* from the catalogue */
	int level;                   /* 1 类, 2 款, 3 项 */
	decimal basic[FUND_COUNT];   /* 基本支出 by source */
	decimal project[FUND_COUNT]; /* 项目支出 by source */
	srcloc loc;                  /* first 【支出】 line of it (项) */
} model_func_row;

/* One row of the economic classification of 基本支出 (类 or 款). */
typedef struct model_econ_row {
	const char *code;
	const char *name;
	int level;                   /* 1 类, 2 款 */
	decimal personnel;           /* 人员经费 */
	decimal office;              /* 公用经费 */
	srcloc loc;
} model_econ_row;

/* ORDER budget_three_names in budget.c */
typedef enum three_item {
	THREE_ABROAD_RESEARCH, /* 其中：教学科研人员因公出国（境）费 */
	THREE_ABROAD_OTHER,    /* 其他因公出国（境）费 */
	THREE_CAR_BUY,         /* 公务用车购置费 */
	THREE_CAR_RUN,         /* 公务用车运行维护费 */
	THREE_RECEPTION,       /* 公务接待费 */
	THREE_COUNT
} three_item;

typedef struct model_procure_row {
	const char *project, *item, *catalog_no, *unit, *quantity;
	model_amount price, amount;
	fund_source fund;
	model_amount sme; /* 预留中小微企业份额 */
	srcloc loc;
} model_procure_row;

/* ORDER budget_asset_names in budget.c */
typedef enum asset_item { ASSET_BUILDINGS, ASSET_OFFICES, ASSET_VEHICLES, ASSET_EQUIPMENT, ASSET_OTHER, ASSET_COUNT } asset_item;

typedef struct model_org_row {
	const char *name, *nature, *rank, *funding;
} model_org_row;

/* ORDER budget_note_names in budget.c: the parts of the 情况说明. */
typedef enum note_part {
	NOTE_PREFACE,   /* 前言 */
	NOTE_DUTIES,    /* 部门职责 */
	NOTE_OVERVIEW,  /* 总体情况 */
	NOTE_RUNNING,   /* 机关运行经费 */
	NOTE_THREE,     /* 三公经费 */
	NOTE_PROCURE,   /* 政府采购 */
	NOTE_ASSETS,    /* 国有资产 */
	NOTE_TERMS,     /* 名词解释 */
	NOTE_OTHER,     /* 其他事项 */
	NOTE_COUNT
} note_part;

/* One row of the 收支总表's 支出 column, from the catalogue: "一、一般公共服务支出". */
typedef struct model_summary_row {
	const char *ordinal; /* 一 … 三十一 */
	const char *code;    /* 类 code, "" when none */
	const char *name;
} model_summary_row;

typedef struct model_budget {
	bool present;                     /* any budget-data section was written */
	model_amount income[FUND_COUNT];  /* 【收入】 */
	const model_func_row *func;       /* 类, its 款, their 项, … in code order */
	size_t nfunc;
	const model_econ_row *econ;       /* 类 then its 款, in code order */
	size_t necon;
	bool has_three;
	decimal three[THREE_COUNT][3];    /* by 一般公共预算, 政府性基金, 国有资本经营 */
	const model_procure_row *procure;
	size_t nprocure;
	const char *assets_as_of;         /* 截止时间, "" when blank */
	bool has_assets;
	const char *asset_qty[ASSET_COUNT];
	model_amount asset_value[ASSET_COUNT];
	const model_org_row *orgs;
	size_t norgs;
	const char *const *notes[NOTE_COUNT]; /* paragraphs with references replaced by figures */
	size_t nnotes[NOTE_COUNT];
	const model_summary_row *summary; /* the 收支总表's 类 rows, in the catalogue's order */
	size_t nsummary;
	const char *const *last_names;    /* 【上年】 figures by reference name */
	const decimal *last_values;
	size_t nlast;
	/* totals used by several tables and the prose */
	decimal income_total;             /* 收入总计 */
	decimal expense_total;            /* 支出总计 */
	decimal basic_total, project_total;
	decimal personnel, office;        /* 基本支出表 */
} model_budget;

typedef struct model_department {
	const char *source;   /* path of the main source file */
	const char *name;
	const char *code;     /* "" when blank */
	int year;
	const char *unit;     /* 编报单位, "" when blank */
	table_variant variant;
	const char *form_title; /* 项目表题: what follows a project's name in its form's title, ""
	                           when blank (the layout's wording, 绩效目标表) */
	model_overall overall;
	const model_project *projects;
	size_t nprojects;
	model_budget budget;
} model_department;

#endif
