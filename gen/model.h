/* model.h — the resolved, checked model of one department: exact amounts, canonical indicator
 * names, merged cells resolved. The contract between the front end and everything after it:
 * compose and the emitters receive it const and never see the AST. Built by resolve.c. */
#ifndef BUDGETGEN_MODEL_H
#define BUDGETGEN_MODEL_H

#include <stdbool.h>
#include <stddef.h>

#include "decimal.h"
#include "diag.h"
#include "util.h"

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

typedef struct model_indicator {
	l1_kind l1;
	l2_kind l2;
	const char *l3;    /* 三级指标 */
	const char *desc;  /* 绩效指标描述 */
	const char *value; /* 指标值, as written */
	const char *basis; /* 指标值确定依据 */
	srcloc loc;
} model_indicator;

typedef struct model_project {
	size_t number;              /* 1-based position in the department */
	project_part part;
	const char *name;
	const char *code;           /* "" when blank */
	model_amount total;         /* 预算数 */
	model_amount fiscal;        /* 其中：财政资金 */
	model_amount other;         /* 其他资金 */
	const char *use;            /* 资金用途, "" when blank */
	bool has_schedule;
	const char *schedule[4];    /* "25%" … at 3月底, 6月底, 10月底, 12月底 */
	const char *const *goals;
	size_t ngoals;
	const model_indicator *indicators;
	size_t nindicators;
	srcloc loc;
} model_project;

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
	const model_item *items;
	size_t nitems;
	const char *const *measures;
	size_t nmeasures;
} model_overall;

typedef struct model_department {
	const char *source;   /* path of the main source file */
	const char *name;
	const char *code;     /* "" when blank */
	int year;
	const char *unit;     /* 编报单位, "" when blank */
	table_variant variant;
	model_overall overall;
	const model_project *projects;
	size_t nprojects;
} model_department;

#endif
