/* prose.c — prose figures back into {references} (prose.h): the written source is loaded by the
 * front end (from a temporary file), each "N万元" of the 【情况说明】 is compared with the figures
 * the references print; one match becomes that reference, several are decided by the reference's
 * name written just before the figure, else the number stays with a `# 导入：` comment. */
#include "import/prose.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/diag.h"
#include "front/budget.h"
#include "front/load.h"

static const char *const names[] = {
	"收入总计", "本年收入合计", "上年结转", "一般公共预算收入", "政府性基金收入", "国有资本经营收入", "财政专户收入",
	"事业收入", "事业单位经营收入", "上级补助收入", "附属单位上缴收入", "其他收入", "支出总计", "基本支出",
	"项目支出", "人员经费", "公用经费", "机关运行经费", "三公经费", "因公出国费", "公务用车费", "公务用车购置费",
	"公务用车运行维护费", "公务接待费", "政府采购", "固定资产总额",
};
enum { NNAMES = sizeof names / sizeof *names };

/* Length of "123.45万元" at s, or 0. */
static size_t figure_at(const char *s)
{
	size_t i = 0;
	while (s[i] >= '0' && s[i] <= '9')
		i++;
	if (i == 0)
		return 0;
	if (s[i] == '.') {
		size_t k = i + 1;
		while (s[k] >= '0' && s[k] <= '9')
			k++;
		if (k == i + 1)
			return 0;
		i = k;
	}
	return strncmp(s + i, "万元", 6) == 0 ? i + 6 : 0;
}

static void rewrite_line(idept *d, const char *line, size_t len, const char *texts[NNAMES], buf *out)
{
	buf text = {0}, notes = {0};
	for (size_t i = 0; i < len;) {
		size_t k = (i == 0 || line[i - 1] < '0' || line[i - 1] > '9') && line[i] != '.' ? figure_at(line + i) : 0;
		if (!k) {
			buf_putc(&text, line[i++]);
			continue;
		}
		int match[NNAMES], n = 0;
		for (int j = 0; j < NNAMES; j++)
			if (texts[j] && strlen(texts[j]) == k && strncmp(texts[j], line + i, k) == 0)
				match[n++] = j;
		int pick = n == 1 ? match[0] : -1;
		for (int m = 0; m < n && n > 1; m++) {
			size_t nl = strlen(names[match[m]]);
			if (text.len >= nl && memcmp(text.data + text.len - nl, names[match[m]], nl) == 0)
				pick = pick == -1 ? match[m] : -2;
		}
		if (pick >= 0) {
			buf_printf(&text, "{%s}", names[pick]);
		} else {
			buf_put(&text, line + i, k);
			if (n == 0)
				buf_printf(&notes, "# 导入：“%.*s”与任何计算出的数字都不符，照原样保留\n", (int)k, line + i);
			else
				buf_printf(&notes, "# 导入：“%.*s”与 %d 个计算出的数字相符（如{%s}、{%s}），照原样保留\n", (int)k,
				           line + i, n, names[match[0]], names[match[1]]);
		}
		i += k;
	}
	if (notes.len)
		buf_put(out, notes.data, notes.len);
	if (text.len)
		buf_put(out, text.data, text.len);
	buf_free(&text);
	buf_free(&notes);
	(void)d;
}

void imp_prose_references(idept *d, buf *src)
{
	if (!d->has_explain || !src->len)
		return;
	char path[] = "/tmp/budgetgen-import-XXXXXX.txt";
	int fd = mkstemps(path, 4);
	if (fd < 0)
		return;
	util_temp_register(path);
	int e = fd_write_all(fd, src->data, src->len);
	close(fd);
	diag_ctx *dg = diag_new();
	department_load l = {0};
	if (!e)
		l = department_load_file(dg, path);
	unlink(path);
	util_temp_unregister(path);
	if (l.model) {
		const char *texts[NNAMES];
		for (int j = 0; j < NNAMES; j++)
			texts[j] = budget_figure_text(l.arena, l.model, names[j]);
		buf out = {0};
		bool in = false;
		const char *p = src->data, *end = src->data + src->len;
		while (p < end) {
			const char *nl = memchr(p, '\n', (size_t)(end - p));
			size_t len = nl ? (size_t)(nl - p) : (size_t)(end - p);
			if (len >= 3 && strncmp(p, "【", 3) == 0)
				in = strncmp(p, "【情况说明】", strlen("【情况说明】")) == 0;
			if (in && p[0] != '#')
				rewrite_line(d, p, len, texts, &out);
			else
				buf_put(&out, p, len);
			if (nl)
				buf_putc(&out, '\n');
			p += len + (nl ? 1 : 0);
		}
		buf_free(src);
		*src = out;
	}
	department_load_free(&l);
	diag_free(dg);
}
