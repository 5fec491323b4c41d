/* diag.c — the message table and the printer behind diag_report() (diag.h). Messages are kept
 * until diag_flush(), which sorts them by location so that includes and late checks still read in
 * file order, and quotes the source line with a caret under the column. */
#include "base/diag.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "base/util.h"

typedef struct diag_message_def {
	diag_level level;
	const char *name;   /* stable identifier used by tests and --summary's sort, never in a message */
	const char *zh;     /* the kind's Chinese name, as messages and summaries name it */
	const char *format; /* printf format, Chinese */
} diag_message_def;

/* ORDER diag_code */
static const diag_message_def diag_messages[D_CODE_COUNT] = {
	[D_FILE_READ] = {DIAG_ERROR, "file-read", "文件无法读取", "无法读取文件“%s”：%s"},
	[D_FILE_TOO_BIG] = {DIAG_ERROR, "file-too-big", "文件过大", "文件“%s”过大（超过 %d MB），不是预算源文件"},
	[D_UTF8_INVALID] = {DIAG_ERROR, "utf8-invalid", "无效的 UTF-8", "无效的 UTF-8 字节 0x%02X；请以 UTF-8 编码保存文件"},
	[D_NUL_BYTE] = {DIAG_ERROR, "nul-byte", "NUL 字符", "文件中有 NUL 字符；这不是文本文件"},
	[D_CHAR_FORBIDDEN] = {DIAG_ERROR, "char-forbidden", "不允许的字符", "不允许的字符 U+%04X（不可见的控制字符或非字符）；Word 和 Excel 文件中不能有它，请删除（常见于从别处复制的文字）"},
	[D_LINE_TOO_LONG] = {DIAG_ERROR, "line-too-long", "行过长", "此行超过 %d 个字符，后面的部分被忽略"},
	[D_TOO_MANY_LINES] = {DIAG_ERROR, "too-many-lines", "行数超限", "文件超过 %d 行的上限，从此行起不再读取"},
	[D_INCLUDE_NOT_FOUND] = {DIAG_ERROR, "include-not-found", "找不到包含的文件", "找不到要包含的文件“%s”：%s"},
	[D_INCLUDE_CYCLE] = {DIAG_ERROR, "include-cycle", "循环包含", "循环包含：“%s”已在包含链中"},
	[D_INCLUDE_DEPTH] = {DIAG_ERROR, "include-depth", "包含嵌套过深", "包含嵌套超过 %d 层"},
	[D_INCLUDE_OUTSIDE] = {DIAG_ERROR, "include-outside", "包含目录之外的文件", "不能包含“%s”：它不在目录“%s”之内（只能包含命令行给出的目录或文件所在目录之下的文件；要包含别处的文件，请在命令行加 --include-dir 目录）"},
	[D_INCLUDE_TOTAL] = {DIAG_ERROR, "include-total", "包含总量超限", "部门源文件连同包含的文件超过 %d MB 的上限（同一文件包含几次算几次）；此处及其后的包含不再读取"},
	[D_INCLUDE_LINES] = {DIAG_ERROR, "include-lines", "包含行数超限", "部门源文件连同包含的文件超过 %d 行的上限（同一文件包含几次算几次）；此处及其后的包含不再读取"},
	[D_NOT_A_SOURCE] = {DIAG_ERROR, "not-a-source", "不是源文件", "“%s”中没有“部门：”，不是部门预算源文件"},
	[D_UNKNOWN_SECTION] = {DIAG_ERROR, "unknown-section", "未知的段", "未知的段“【%s】”；可用的段：【整体绩效目标】【项目】【收入】【支出】【基本支出】【三公经费】【政府采购】【固定资产】【机构设置】【上年】【情况说明】"},
	[D_UNKNOWN_FIELD] = {DIAG_ERROR, "unknown-field", "未知的字段", "未知的字段“%s”；是否应为“%s”？"},
	[D_UNKNOWN_FIELD_BARE] = {DIAG_ERROR, "unknown-field-bare", "未知的字段（无建议）", "未知的字段“%s”"},
	[D_FIELD_MISPLACED] = {DIAG_ERROR, "field-misplaced", "字段位置不对", "字段“%s”不能写在这里；它属于%s"},
	[D_FIELD_DUPLICATE] = {DIAG_ERROR, "field-duplicate", "字段重复", "字段“%s”重复"},
	[D_FIELD_MISSING] = {DIAG_ERROR, "field-missing", "缺少字段", "缺少字段“%s”（%s）"},
	[D_TEXT_MISPLACED] = {DIAG_ERROR, "text-misplaced", "正文位置不对", "这里应为“字段：值”，不能写正文；段落只能写在“总体绩效目标：”“分项绩效目标：”“工作保障措施：”之后"},
	[D_ROW_MISPLACED] = {DIAG_ERROR, "row-misplaced", "指标行位置不对", "指标行只能写在项目的“绩效指标：”之下，每行一条（“绩效指标：”本行冒号后留空）"},
	[D_ROW_CELLS] = {DIAG_ERROR, "row-cells", "指标行格数不对", "指标行应有 6 格（一级指标｜二级指标｜三级指标｜绩效指标描述｜指标值｜指标值确定依据），这里有 %d 格"},
	[D_ROW_EMPTY_CELL] = {DIAG_WARNING, "row-empty-cell", "指标行空格", "指标行的“%s”是空的，表中该格将空白"},
	[D_ROW_L2_INHERIT] = {DIAG_ERROR, "row-l2-inherit", "二级指标不能沿用", "一级指标换成了“%s”，二级指标不能留空沿用上一组的"},
	[D_ROW_NO_PARENT] = {DIAG_ERROR, "row-no-parent", "首行不能留空", "第一条指标行的“%s”不能留空（留空表示同上，而上面没有指标行）"},
	[D_OVERALL_DUPLICATE] = {DIAG_ERROR, "overall-duplicate", "整体绩效目标重复", "【整体绩效目标】只能有一个"},
	[D_ITEM_EMPTY] = {DIAG_WARNING, "item-empty", "分项绩效目标无内容", "分项绩效目标没有内容（绩效目标、绩效指标或说明）"},
	[D_REFERENCE_RESERVED] = {DIAG_WARNING, "reference-reserved", "保留的花括号", "“{”保留作数字引用，当前版本按普通文字印刷"},
	[D_CONT_MISPLACED] = {DIAG_ERROR, "cont-misplaced", "续行位置不对", "续行（以“＋”开头）为上一行的文字字段或指标行再添一段，只能跟在资金用途、绩效目标、分项的绩效指标、指标行之后，或总体绩效目标、分项引言、分项绩效目标、工作保障措施的段落之中"},
	[D_CONT_ROW] = {DIAG_ERROR, "cont-row", "续行格式不对", "指标行的续行也写成 6 格，只在要续写的格里写字，如“＋｜｜｜第二段｜｜”"},
	[D_CONT_NAME] = {DIAG_ERROR, "cont-name", "续行中的指标名称", "续行中的“%s”应留空：一级、二级指标是规范名称，不能分段"},
	[D_NUMBERING_UNKNOWN] = {DIAG_ERROR, "numbering-unknown", "未知的分项序号", "分项序号“%s”应为“（一）”或“一、”"},
	[D_GOAL_CELL_UNKNOWN] = {DIAG_ERROR, "goal-cell-unknown", "未知的绩效目标栏", "绩效目标栏“%s”应为“分行”（目标1、目标2 各占一行）或“一格”（全部目标写在一格里，编号 1. 2. …）"},
	[D_ACK_KIND] = {DIAG_WARNING, "ack-kind", "不能核对的种类", "“%s”不能核对：%s"},
	[D_ACK_UNUSED] = {DIAG_WARNING, "ack-unused", "核对未用上", "核对的“%s”在下一行没有出现；请删除这条核对，或改正警告的种类"},
	[D_AMOUNT_SYNTAX] = {DIAG_ERROR, "amount-syntax", "金额格式不对", "“%s”应为金额（万元），如 90 或 20.982"},
	[D_AMOUNT_PRECISION] = {DIAG_ERROR, "amount-precision", "金额小数过多", "“%s”的小数超过 6 位"},
	[D_AMOUNT_RANGE] = {DIAG_ERROR, "amount-range", "金额过大", "“%s”的金额过大"},
	[D_AMOUNT_NEGATIVE] = {DIAG_ERROR, "amount-negative", "金额为负", "“%s”不能为负数"},
	[D_AMOUNT_SUM_LIMIT] = {DIAG_ERROR, "amount-sum-limit", "金额合计超限", "加上这里的“%s”，本部门的金额合计超过上限 %s 万元，无法准确计算；请检查金额的单位是否是万元"},
	[D_YEAR_SYNTAX] = {DIAG_ERROR, "year-syntax", "年度格式不对", "年度“%s”应为四位数字，如 2025"},
	[D_PART_UNKNOWN] = {DIAG_ERROR, "part-unknown", "未知的部分", "部分“%s”应为“项目”或“公用”"},
	[D_VARIANT_UNKNOWN] = {DIAG_ERROR, "variant-unknown", "未知的项目表样式", "项目表“%s”应为“完整”或“简明”"},
	[D_CODE_SHAPE] = {DIAG_WARNING, "code-shape", "项目编码格式不对", "项目编码“%s”格式不对：应为 21 位，6 位行政区划 + 2 位年度 + P + 12 位字母数字，如 13022524P0008F010032K；原表如此时照印，可在上一行写“# 已核对：项目编码格式不对”"},
	[D_CODE_YEAR] = {DIAG_WARNING, "code-year", "项目编码年度不符", "项目编码中的年度“%s”与部门年度 %d 不符"},
	[D_SCHEDULE_COUNT] = {DIAG_ERROR, "schedule-count", "支出计划项数不对", "资金支出计划应有 4 项（3月底、6月底、10月底、12月底），这里有 %d 项"},
	[D_SCHEDULE_SYNTAX] = {DIAG_ERROR, "schedule-syntax", "支出计划格式不对", "“%s”应为 0%% 到 100%% 之间的百分比"},
	[D_SCHEDULE_DECREASE] = {DIAG_ERROR, "schedule-decrease", "支出计划递减", "资金支出计划是累计进度，不能递减：%s %s 小于 %s %s"},
	[D_SCHEDULE_END] = {DIAG_ERROR, "schedule-end", "支出计划未到 100%", "资金支出计划到 12月底应为 100%%，这里是 %s"},
	[D_BUDGET_SUM] = {DIAG_ERROR, "budget-sum", "预算数不等于资金之和", "预算数 %s 万元 ≠ 财政资金 %s 万元 + 其他资金 %s 万元（= %s 万元）"},
	[D_L1_UNKNOWN] = {DIAG_ERROR, "l1-unknown", "未知的一级指标", "一级指标“%s”不在指标体系中"},
	[D_L2_UNKNOWN] = {DIAG_ERROR, "l2-unknown", "未知的二级指标", "二级指标“%s”不在指标体系中"},
	[D_L2_WRONG_PARENT] = {DIAG_ERROR, "l2-wrong-parent", "二级指标归属不对", "二级指标“%s”不属于一级指标“%s”，而属于“%s”"},
	[D_NAME_VARIANT] = {DIAG_WARNING, "name-variant", "非规范名称", "“%s”不是规范名称，按“%s”处理"},
	[D_GROUP_MISSING] = {DIAG_WARNING, "group-missing", "缺少指标组", "项目缺少“%s”"},
	[D_COST_EXCEEDS] = {DIAG_WARNING, "cost-exceeds", "成本指标超过预算数", "成本指标的金额 %s 万元超过项目预算数 %s 万元"},
	[D_VALUE_REPEATED] = {DIAG_WARNING, "value-repeated", "指标值重复录入", "指标值中“%s”重复出现，疑为录入错误"},
	[D_VALUE_RUNON] = {DIAG_WARNING, "value-runon", "指标值数字后缺单位", "指标值的数字“%s”后直接接文字，缺少单位或标点，疑为录入错误"},
	[D_VALUE_UNSELECTED] = {DIAG_WARNING, "value-unselected", "指标值未作选择", "指标值“%s”未作选择，应填“是”或“否”"},
	[D_VALUE_BARE_UNIT] = {DIAG_WARNING, "value-bare-unit", "指标值只有单位", "指标值“%s”只有单位，没有数字"},
	[D_VALUE_RATE_COUNT] = {DIAG_WARNING, "value-rate-count", "比率指标的值是计数", "“%s”是比率，指标值“%s”却是人数、次数等计数；比率应写成百分比"},
	[D_VALUE_MONEY] = {DIAG_WARNING, "value-money", "金额写在成本指标之外", "%s下的指标值“%s”是金额；金额应写在成本指标下"},
	[D_COST_NOT_MONEY] = {DIAG_WARNING, "cost-not-money", "成本指标的值不是金额", "成本指标的指标值“%s”不是金额（元、万元）"},
	[D_VALUE_UNIT_WORD] = {DIAG_WARNING, "value-unit-word", "单位写成了文字", "指标值“%s”中的“%s”应写作符号“%%”"},
	[D_GOAL_DUPLICATE] = {DIAG_WARNING, "goal-duplicate", "绩效目标重复", "%s的绩效目标与前面的相同：“%s”"},
	[D_PROSE_INDICATOR] = {DIAG_NOTE, "prose-indicator", "正文数字与指标值不符", "正文中的“%s”与项目“%s”的指标值“%s”说的是同一件事，数字却不同"},
	[D_PROSE_TEMPLATE] = {DIAG_WARNING, "prose-template", "模板文字未替换", "正文中的“%s”是模板留下的文字，未替换成实际内容"},
	[D_PROSE_REASON_EMPTY] = {DIAG_WARNING, "prose-reason-empty", "原因未写", "“主要原因是”之后没有写原因"},
	[D_PROSE_PERCENT] = {DIAG_WARNING, "prose-percent", "百分比缺少百分号", "“%s”是比率，缺少“%%”"},
	[D_PROSE_ZERO_BASE] = {DIAG_WARNING, "prose-zero-base", "上年为零却写增长率", "“%s”：%s上年为 0，无从计算增长率"},
	[D_PROSE_DIRECTION] = {DIAG_WARNING, "prose-direction", "增减方向与数字相反", "正文写“%s”，而按表中数字是%s"},
	[D_PROSE_LITERAL_REF] = {DIAG_WARNING, "prose-literal-ref", "正文数字可改为引用", "正文中的“%s”就是 {%s} 算出的数字；写成引用，预算调整后才会随之改变"},
	[D_PROJECT_DUP_NAME] = {DIAG_ERROR, "project-dup-name", "项目名称重复", "项目名称“%s”重复"},
	[D_PROJECT_DUP_CODE] = {DIAG_ERROR, "project-dup-code", "项目编码重复", "项目编码“%s”重复"},
	[D_NO_PROJECTS] = {DIAG_WARNING, "no-projects", "没有项目", "部门没有任何【项目】"},
	[D_TOO_MANY] = {DIAG_ERROR, "too-many", "数量超限", "%s超过上限 %d %s；其后的不再读取"},
	[D_BUDGET_NAME_UNKNOWN] = {DIAG_ERROR, "budget-name-unknown", "未知的名称", "“%s”不是【%s】中可用的名称；可用的名称：%s"},
	[D_BUDGET_ROW_CELLS] = {DIAG_ERROR, "budget-row-cells", "预算表格数不对", "【%s】的每行应有 %d 格（%s），这里有 %d 格"},
	[D_BUDGET_TEXT] = {DIAG_ERROR, "budget-text", "预算段写法不对", "【%s】中的每行应为%s"},
	[D_BUDGET_DUPLICATE] = {DIAG_ERROR, "budget-duplicate", "预算数据重复", "%s重复"},
	[D_CODE_DIGITS] = {DIAG_ERROR, "code-digits", "科目编码位数不对", "%s编码“%s”应为 %s 位数字"},
	[D_CODE_UNKNOWN] = {DIAG_ERROR, "code-unknown", "未知的科目编码", "%s科目表中没有编码“%s”；如是本年新增科目，请加入 layouts/catalog/ 中的科目表"},
	[D_CODE_NAME_MISMATCH] = {DIAG_WARNING, "code-name-mismatch", "科目名称不符", "科目 %s 在科目表中的名称是“%s”，这里写作“%s”；表中印科目表的名称"},
	[D_EXPENSE_KIND] = {DIAG_ERROR, "expense-kind", "未知的支出类型", "支出类型“%s”应为“基本”或“项目”"},
	[D_BASIC_KIND] = {DIAG_ERROR, "basic-kind", "未知的基本支出类别", "“%s”应为“人员经费”或“公用经费”"},
	[D_IDENTITY_FUND] = {DIAG_ERROR, "identity-fund", "收支不符", "%s收入 %s 万元 ≠ 【支出】中以%s安排的支出 %s 万元"},
	[D_IDENTITY_BASIC] = {DIAG_ERROR, "identity-basic", "基本支出合计不符", "【基本支出】合计 %s 万元 ≠ 【支出】中一般公共预算财政拨款的基本支出 %s 万元"},
	[D_REF_UNKNOWN] = {DIAG_ERROR, "ref-unknown", "未知的引用", "未知的引用“{%s}”；可用的名称见 docs/language.md 第 6 节"},
	[D_REF_NO_LAST_YEAR] = {DIAG_ERROR, "ref-no-last-year", "引用缺少上年数字", "引用“{%s}”需要【上年】中的“%s”"},
	[D_REF_UNCLOSED] = {DIAG_ERROR, "ref-unclosed", "引用未闭合", "“{”没有对应的“}”"},
	[D_PROSE_FIGURE] = {DIAG_WARNING, "prose-figure", "正文数字未引用", "正文中的“%s万元”不是引用，也与表中任何数字都不符；预算调整后它不会随之改变，请改为引用"},
	[D_CATALOG_ERROR] = {DIAG_ERROR, "catalog-error", "科目表有误", "科目表有误：%s"},
	[D_GLYPH_MISSING] = {DIAG_WARNING, "glyph-missing", "缺少字形", "字符“%s”（U+%04X）%s没有可用的字体，PDF 中该处为空白%s"},
	[D_LAYOUT_ERROR] = {DIAG_ERROR, "layout-error", "布局文件有误", "布局文件有误：%s"},
	[D_FONT_ERROR] = {DIAG_ERROR, "font-error", "字体配置有误", "字体配置有误：%s"},
	[D_RENDER_FAILED] = {DIAG_ERROR, "render-failed", "无法生成", "无法生成“%s”：%s"},
	[D_WRITE_FAILED] = {DIAG_ERROR, "write-failed", "无法写入", "无法写入“%s”：%s"},
	[D_STATE_DAMAGED] = {DIAG_WARNING, "state-damaged", "状态文件损坏", "%s“%s”已损坏，已忽略：%s"},
	[D_NOTE_FIRST_HERE] = {DIAG_NOTE, "first-here", "第一次出现处", "第一次出现在这里"},
	[D_NOTE_ALLOWED] = {DIAG_NOTE, "allowed", "可用的名称", "可用的名称：%s"},
	[D_NOTE_TOTALS] = {DIAG_NOTE, "totals", "收支总表不平", "因此收入总计 %s 万元 ≠ 支出总计 %s 万元，收支总表不平"},
	[D_NOTE_INDICATOR_HERE] = {DIAG_NOTE, "indicator-here", "指标行位置", "项目的指标行在这里"},
};

typedef struct diag_message {
	srcloc loc;
	diag_code code;
	char *text;   /* formatted message */
	size_t seq;   /* report order, to keep the sort stable */
	size_t owner; /* seq of the message a note belongs to; own seq otherwise */
} diag_message;

struct diag_ctx {
	diag_message *msgs; /* heap array */
	size_t n, cap;
	size_t counts[3];   /* per level, since creation */
	size_t kinds[D_CODE_COUNT]; /* per code, since creation */
	src_file **files;   /* registered files */
	size_t nfiles;
	size_t last_owner;  /* seq of the last non-note message */
	size_t max_per_kind; /* warnings of one kind printed per file, 0 = all */
	struct diag_ack *acks; /* diag_acknowledge(), until diag_acknowledge_finish() */
	size_t nacks, acks_cap;
	bool dropping;       /* the last warning was acknowledged: drop the notes that follow it */
};

typedef struct diag_ack {
	srcloc at;
	const src_file *file;
	int line;
	diag_code code;
	bool used;
} diag_ack;

diag_ctx *diag_new(void)
{
	return xcalloc(1, sizeof(diag_ctx));
}

static void diag_clear(diag_ctx *d)
{
	for (size_t i = 0; i < d->n; i++)
		free(d->msgs[i].text);
	d->n = 0;
}

void diag_free(diag_ctx *d)
{
	if (!d)
		return;
	diag_clear(d);
	free(d->msgs);
	free(d->acks);
	for (size_t i = 0; i < d->nfiles; i++) {
		free((char *)d->files[i]->path);
		free(d->files[i]);
	}
	free(d->files);
	free(d);
}

src_file *diag_add_file(diag_ctx *d, const char *path, const char *text, size_t len)
{
	src_file *f = xcalloc(1, sizeof *f);
	f->path = xstrdup(path);
	f->text = text;
	f->len = len;
	f->id = (int)d->nfiles;
	d->files = xrealloc(d->files, (d->nfiles + 1) * sizeof *d->files);
	d->files[d->nfiles++] = f;
	return f;
}

size_t diag_file_count(const diag_ctx *d)
{
	return d->nfiles;
}

const src_file *diag_file(const diag_ctx *d, size_t i)
{
	return i < d->nfiles ? d->files[i] : NULL;
}

diag_level diag_level_of(diag_code code)
{
	return diag_messages[code].level;
}

const char *diag_format(diag_code code)
{
	return diag_messages[code].format;
}

const char *diag_name(diag_code code)
{
	return diag_messages[code].name;
}

const char *diag_name_zh(diag_code code)
{
	return diag_messages[code].zh;
}

/* A control character (C0 other than tab, DEL, C1) would move the terminal's cursor or worse. */
static bool cp_is_control(uint32_t cp)
{
	return (cp < 0x20 && cp != '\t') || (cp >= 0x7F && cp < 0xA0) || cp == 0xFFFE || cp == 0xFFFF;
}

/* Message text quotes source text: tabs in it become spaces, other control characters '?'. */
static void sanitize(buf *b)
{
	size_t o = 0, k;
	for (size_t i = 0; i < b->len; i += k) {
		uint32_t cp;
		k = utf8_decode(b->data + i, b->len - i, &cp);
		if (!k)
			k = 1, cp = '?';
		if (cp == '\t') {
			b->data[o++] = ' ';
		} else if (cp_is_control(cp)) {
			b->data[o++] = '?';
		} else {
			memmove(b->data + o, b->data + i, k);
			o += k;
		}
	}
	if (b->data)
		b->data[o] = '\0';
	b->len = o;
}

/* Whether a message is acknowledged (and so dropped): a warning an acknowledgement names at its
 * line, or a note of such a warning. */
static bool acknowledged(diag_ctx *d, srcloc loc, diag_code code)
{
	diag_level lv = diag_messages[code].level;
	if (lv == DIAG_NOTE)
		return d->dropping;
	d->dropping = false;
	if (lv != DIAG_WARNING || !loc.file)
		return false;
	for (size_t i = 0; i < d->nacks; i++) {
		diag_ack *a = &d->acks[i];
		if (a->code == code && a->file == loc.file && a->line == loc.line) {
			a->used = true;
			d->dropping = true;
			return true;
		}
	}
	return false;
}

void diag_acknowledge(diag_ctx *d, srcloc at, const src_file *f, int line, diag_code code)
{
	if (d->nacks == d->acks_cap) {
		d->acks_cap = d->acks_cap ? d->acks_cap * 2 : 8;
		d->acks = xrealloc(d->acks, d->acks_cap * sizeof *d->acks);
	}
	d->acks[d->nacks++] = (diag_ack){at, f, line, code, false};
}

void diag_acknowledge_finish(diag_ctx *d)
{
	size_t n = d->nacks;
	d->nacks = 0; /* before reporting: D_ACK_UNUSED itself cannot be acknowledged */
	for (size_t i = 0; i < n; i++)
		if (!d->acks[i].used)
			diag_report(d, d->acks[i].at, D_ACK_UNUSED, diag_messages[d->acks[i].code].zh);
	d->dropping = false;
}

bool diag_code_lookup(const char *name, diag_code *out)
{
	for (int c = 0; c < D_CODE_COUNT; c++) {
		if (strcmp(diag_messages[c].zh, name) == 0 || strcmp(diag_messages[c].name, name) == 0) {
			*out = (diag_code)c;
			return true;
		}
	}
	return false;
}

/* A note that is a finding of its own (not about the message before it), with notes of its own. */
static bool note_stands_alone(diag_code code)
{
	return code == D_PROSE_INDICATOR;
}

bool diag_stands_alone(diag_code code)
{
	return diag_messages[code].level != DIAG_NOTE || note_stands_alone(code);
}

void diag_report(diag_ctx *d, srcloc loc, diag_code code, ...)
{
	if (acknowledged(d, loc, code))
		return;
	buf b = {0};
	va_list ap;
	va_start(ap, code);
	buf_vprintf(&b, diag_messages[code].format, ap);
	va_end(ap);
	sanitize(&b);
	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 32;
		d->msgs = xrealloc(d->msgs, d->cap * sizeof *d->msgs);
	}
	size_t seq = d->n ? d->msgs[d->n - 1].seq + 1 : 0;
	diag_message *m = &d->msgs[d->n++];
	m->loc = loc;
	m->code = code;
	m->text = b.data ? b.data : xstrdup("");
	m->seq = seq;
	if (diag_messages[code].level == DIAG_NOTE && d->n > 1 && !note_stands_alone(code)) {
		m->owner = d->last_owner;
	} else {
		m->owner = seq;
		d->last_owner = seq;
	}
	d->counts[diag_messages[code].level]++;
	d->kinds[code]++;
}

size_t diag_total_code(const diag_ctx *d, diag_code code)
{
	return d->kinds[code];
}

void diag_discard(diag_ctx *d)
{
	diag_clear(d);
}

size_t diag_count(const diag_ctx *d, diag_level level)
{
	return d->counts[level];
}

size_t diag_count_code(const diag_ctx *d, diag_code code)
{
	size_t count = 0;
	for (size_t i = 0; i < d->n; i++)
		count += d->msgs[i].code == code;
	return count;
}

bool diag_first(const diag_ctx *d, diag_code code, srcloc *loc, const char **text)
{
	for (size_t i = 0; i < d->n; i++) {
		if (d->msgs[i].code == code) {
			if (loc)
				*loc = d->msgs[i].loc;
			if (text)
				*text = d->msgs[i].text;
			return true;
		}
	}
	return false;
}

/* Sort key of a message: the location of the message it belongs to, then report order. */
static const diag_message *sort_base;
static size_t sort_n;

/* seq equals the index in msgs (it restarts at 0 after each flush), so owners are direct. */
static const diag_message *owner_of(const diag_message *m)
{
	return m->owner < sort_n ? &sort_base[m->owner] : m;
}

static int loc_cmp(srcloc a, srcloc b)
{
	int fa = a.file ? a.file->id : -1, fb = b.file ? b.file->id : -1;
	if (fa != fb)
		return fa < fb ? -1 : 1;
	if (a.line != b.line)
		return a.line < b.line ? -1 : 1;
	if (a.col != b.col)
		return a.col < b.col ? -1 : 1;
	return 0;
}

/* A department's one-line failure summary comes after the messages that explain it; other
 * messages without a location (a catalogue that cannot be read, "not a source") come first, as
 * the cause of what follows. */
static bool is_verdict(const diag_message *m)
{
	return !m->loc.file && m->code == D_RENDER_FAILED;
}

static int message_cmp(const void *pa, const void *pb)
{
	const diag_message *a = pa, *b = pb;
	const diag_message *oa = owner_of(a), *ob = owner_of(b);
	if (is_verdict(oa) != is_verdict(ob))
		return is_verdict(oa) ? 1 : -1;
	int c = loc_cmp(oa->loc, ob->loc);
	if (c)
		return c;
	if (oa->seq != ob->seq)
		return oa->seq < ob->seq ? -1 : 1;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Finds line `line` (1-based) in a file's text; returns its start and length (without newline). */
static bool find_line(const src_file *f, int line, const char **start, size_t *len)
{
	const char *p = f->text, *end = f->text + f->len;
	if (f->len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
		p += 3; /* the byte order mark is not part of line 1 (lex.c skips it too) */
	for (int l = 1; l < line; l++) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		if (!nl)
			return false;
		p = nl + 1;
	}
	const char *nl = memchr(p, '\n', (size_t)(end - p));
	size_t n = nl ? (size_t)(nl - p) : (size_t)(end - p);
	if (n && p[n - 1] == '\r')
		n--;
	*start = p;
	*len = n;
	return true;
}

/* Prints the quoted source line and a caret under character column `col`. Invalid bytes and
 * control characters print as '?', NUL and tab as a space, and very long lines are cut around
 * the column. */
static void print_quote(FILE *out, const src_file *f, int line, int col)
{
	const char *s;
	size_t n;
	if (!f || !f->text || line < 1 || !find_line(f, line, &s, &n))
		return;
	enum { QUOTE_MAX = 160 };
	size_t i = 0;
	int c = 1;
	/* skip characters so that the caret stays within QUOTE_MAX columns */
	size_t first = 0;
	int first_col = 1;
	if (col > QUOTE_MAX / 2) {
		while (i < n && c < col - QUOTE_MAX / 4) {
			uint32_t cp;
			size_t k = utf8_decode(s + i, n - i, &cp);
			i += k ? k : 1;
			c++;
		}
		first = i;
		first_col = c;
	}
	buf q = {0}, caret = {0};
	if (first > 0) {
		buf_puts(&q, "...");
		buf_puts(&caret, "   ");
	}
	size_t width = 0;
	for (i = first, c = first_col; i < n && width < QUOTE_MAX; c++) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);
		if (!k || cp == 0 || cp_is_control(cp)) {
			buf_putc(&q, k && cp == 0 ? ' ' : '?');
			i += k ? k : 1;
			if (c < col)
				buf_putc(&caret, ' ');
			width++;
			continue;
		}
		size_t w = cp == '\t' ? 1 : (cp_is_wide(cp) ? 2 : 1);
		if (cp == '\t')
			buf_putc(&q, ' ');
		else
			buf_put(&q, s + i, k);
		if (c < col)
			buf_puts(&caret, w == 2 ? "  " : " ");
		width += w;
		i += k;
	}
	if (i < n)
		buf_puts(&q, "...");
	buf_putc(&caret, '^');
	fprintf(out, "%s\n%s\n", q.data ? q.data : "", caret.data);
	buf_free(&q);
	buf_free(&caret);
}

static void print_hidden(FILE *out, const src_file *f, diag_code code, size_t n)
{
	if (f && n)
		fprintf(out, "%s: note: 另有 %zu 条同类警告（%s）未显示；用 --all 显示全部\n", f->path, n,
		        diag_messages[code].zh);
}

void diag_flush(diag_ctx *d, FILE *out)
{
	static const char *const level_names[] = {"note", "warning", "error"};
	if (d->n == 0)
		return; /* msgs may still be NULL, which memcpy and qsort must not see */
	sort_base = d->msgs;
	sort_n = d->n;
	/* owner lookups need the unsorted order: copy the keys first */
	diag_message *sorted = xmalloc(d->n * sizeof *sorted);
	memcpy(sorted, d->msgs, d->n * sizeof *sorted);
	qsort(sorted, d->n, sizeof *sorted, message_cmp);
	/* warnings of one kind beyond the limit, per file: counted, not printed */
	size_t hidden[D_CODE_COUNT] = {0};
	size_t shown[D_CODE_COUNT] = {0};
	const src_file *hidden_file[D_CODE_COUNT] = {NULL};
	bool skip_notes = false;
	for (size_t i = 0; i < d->n; i++) {
		const diag_message *m = &sorted[i];
		diag_level lv = diag_messages[m->code].level;
		if (lv == DIAG_NOTE && skip_notes && !note_stands_alone(m->code))
			continue;
		skip_notes = false;
		if (is_verdict(m)) { /* the counts of hidden warnings belong to the file, before it */
			for (int c = 0; c < D_CODE_COUNT; c++) {
				print_hidden(out, hidden_file[c], (diag_code)c, hidden[c]);
				hidden_file[c] = NULL;
				hidden[c] = shown[c] = 0;
			}
		}
		if (lv == DIAG_WARNING && d->max_per_kind && m->loc.file) {
			if (hidden_file[m->code] != m->loc.file) { /* a new file: count afresh */
				print_hidden(out, hidden_file[m->code], m->code, hidden[m->code]);
				hidden_file[m->code] = m->loc.file;
				hidden[m->code] = shown[m->code] = 0;
			}
			if (shown[m->code] >= d->max_per_kind) {
				hidden[m->code]++;
				skip_notes = true;
				continue;
			}
			shown[m->code]++;
		}
		const char *level = level_names[lv];
		if (m->loc.file)
			fprintf(out, "%s:%d:%d: %s: %s\n", m->loc.file->path, m->loc.line, m->loc.col, level,
			        m->text);
		else
			fprintf(out, "budgetgen: %s: %s\n", level, m->text);
		if (m->loc.file)
			print_quote(out, m->loc.file, m->loc.line, m->loc.col);
	}
	for (int c = 0; c < D_CODE_COUNT; c++)
		print_hidden(out, hidden_file[c], (diag_code)c, hidden[c]);
	free(sorted);
	diag_clear(d);
}

void diag_set_limit(diag_ctx *d, size_t max_per_kind)
{
	d->max_per_kind = max_per_kind;
}
