/* budget.h — the resolver of the budget-data sections (【收入】【支出】【基本支出】【三公经费】
 * 【政府采购】【固定资产】【机构设置】【上年】【情况说明】): checks codes against the catalogues,
 * adds 项 into 款 and 类, checks the identities between income, expenditure and the 基本支出 table,
 * and replaces {references} in the 情况说明 by the computed figures. Part of the front end:
 * called by resolve.c; the results go into model_department.budget. */
#ifndef BUDGETGEN_BUDGET_H
#define BUDGETGEN_BUDGET_H

#include "front/ast.h"
#include "front/catalog.h"
#include "base/diag.h"
#include "front/model.h"
#include "base/util.h"

/* Fills m->budget from ast's sections. cat may be NULL when ast has no budget sections. */
void budget_resolve(arena *a, diag_ctx *d, const ast_department *ast, const catalog *cat,
                    model_department *m);

/* A figure by reference name ("收入总计", "支出:208", "增减:支出总计" …) formatted as the booklet
 * prints it ("10544.51万元"); NULL when the name is unknown. Used for the prose and by tests. */
const char *budget_figure_text(arena *a, const model_department *m, const char *name);

#endif
