/* write.c — `budgetgen import`: reads each document (converting old formats with LibreOffice),
 * recognises them into one department and writes its source in the canonical format of
 * `budgetgen fmt` (passed through front/fmt.c, so the text is exactly what fmt would print), with
 * the report on stderr. */
#include "import/import.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/diag.h"
#include "front/fmt.h"
#include "import/import_int.h"
#include "import/prose.h"

/* ---- old formats through LibreOffice ----------------------------------------------------------- */

static bool has_ext(const char *path, const char *ext)
{
	size_t n = strlen(path), k = strlen(ext);
	return n > k && strcasecmp(path + n - k, ext) == 0;
}

static const char *soffice_path(void)
{
	static const char *const names[] = {"soffice", "libreoffice"};
	const char *path = getenv("PATH");
	if (!path)
		return NULL;
	static char found[4096];
	for (size_t i = 0; i < 2; i++) {
		const char *p = path;
		while (*p) {
			const char *e = strchr(p, ':');
			size_t len = e ? (size_t)(e - p) : strlen(p);
			snprintf(found, sizeof found, "%.*s/%s", (int)len, p, names[i]);
			if (len && access(found, X_OK) == 0)
				return found;
			p += len + (e ? 1 : 0);
		}
	}
	return NULL;
}

/* Converts an old-format document into dir with LibreOffice; the converted path (heap) or NULL. */
static char *convert(const char *path, const char *dir, buf *err)
{
	const char *so = soffice_path();
	bool sheet = has_ext(path, ".xls") || has_ext(path, ".et");
	if (!so) {
		buf_printf(err, "“%s”是旧格式（.doc/.xls/.wps/.et），需要先用 LibreOffice 转换，但没有找到 soffice："
		                "请安装 LibreOffice（Debian：apt-get install libreoffice-writer-nogui "
		                "libreoffice-calc-nogui），或者用 Word/WPS 另存为 .docx/.xlsx 后再导入",
		           path);
		return NULL;
	}
	pid_t pid = fork();
	if (pid < 0) {
		buf_printf(err, "无法启动 LibreOffice：%s", errno_text(errno));
		return NULL;
	}
	if (pid == 0) {
		char profile[4200];
		snprintf(profile, sizeof profile, "-env:UserInstallation=file://%s/profile", dir);
		int devnull = open("/dev/null", O_WRONLY);
		if (devnull >= 0) {
			dup2(devnull, 1);
			dup2(devnull, 2);
		}
		execl(so, so, profile, "--headless", "--convert-to", sheet ? "xlsx" : "docx", "--outdir", dir, path,
		      (char *)NULL);
		_exit(127);
	}
	int status = 0;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	size_t stem = dot ? (size_t)(dot - base) : strlen(base);
	buf out = {0};
	buf_printf(&out, "%s/%.*s.%s", dir, (int)stem, base, sheet ? "xlsx" : "docx");
	struct stat st;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0 || stat(out.data, &st) != 0) {
		buf_printf(err, "LibreOffice 没能转换“%s”（退出码 %d）", path, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
		buf_free(&out);
		return NULL;
	}
	return out.data;
}

/* ---- writing the source -------------------------------------------------------------------------- */

static void notes(buf *out, const strv *s)
{
	for (size_t i = 0; i < s->n; i++)
		buf_printf(out, "# %s\n", s->v[i]);
}

static void field(buf *out, const char *key, const char *value)
{
	buf_printf(out, "%s：%s\n", key, value ? value : "");
}

/* A line of prose must not read as something else: a comment, a section, an include. */
static void prose(idept *d, buf *out, const char *text)
{
	if (text[0] == '#' || strncmp(text, "＃", 3) == 0 || strncmp(text, "【", 3) == 0 ||
	    strncmp(text, "包含：", 9) == 0 || strncmp(text, "包含:", 7) == 0) {
		imp_note(d, NULL, "导入：段落“%s”的开头会被当作注释、段标题或包含，前面加了“　”", imp_clip(d->a, text, 20));
		buf_puts(out, "　");
	}
	buf_printf(out, "%s\n", text);
}

static const char *schedule(idept *d, iproj *p)
{
	/* 0.25 as a fraction (a sheet's number without a percent format) */
	bool fractions = true;
	for (int i = 0; i < 4; i++) {
		const char *s = p->sched[i];
		if (!*s || strchr(s, '%') || strstr(s, "％") || strtod(s, NULL) > 1.0)
			fractions = false;
	}
	buf b = {0};
	for (int i = 0; i < 4; i++) {
		const char *s = p->sched[i];
		if (i)
			buf_puts(&b, "，");
		if (fractions) {
			char tmp[64];
			snprintf(tmp, sizeof tmp, "%.10g%%", strtod(s, NULL) * 100);
			buf_puts(&b, tmp);
		} else if (*s && !strchr(s, '%') && !strstr(s, "％")) {
			buf_printf(&b, "%s%%", s);
		} else {
			buf_puts(&b, s);
		}
	}
	if (fractions)
		imp_note(d, &p->notes, "导入：资金支出计划写作小数，换算为百分比");
	const char *r = arena_strdup(d->a, b.data);
	buf_free(&b);
	return r;
}

static bool full_variant(const idept *d)
{
	for (size_t i = 0; i < d->nproj; i++)
		if (d->projects[i].has_code || d->projects[i].has_sched || d->projects[i].has_use)
			return true;
	return false;
}

static void write_source(idept *d, char *const *paths, size_t n, buf *out)
{
	buf_puts(out, "# 导入：由 budgetgen import 从");
	for (size_t i = 0; i < n; i++)
		buf_printf(out, "%s%s", i ? "、" : " ", paths[i]);
	buf_puts(out, " 生成；请核对以“导入：”开头的注释。\n");
	notes(out, &d->notes);
	bool full = full_variant(d);
	/* the department's 编报单位: the first project's */
	if (!d->unit)
		for (size_t i = 0; i < d->nproj && !d->unit; i++)
			d->unit = d->projects[i].unit;
	field(out, "部门", d->name);
	if (d->code)
		field(out, "部门编码", d->code);
	field(out, "年度", d->year);
	if (d->unit)
		field(out, "编报单位", d->unit);
	field(out, "项目表", full ? "完整" : "简明");
	if (d->form_title)
		field(out, "项目表题", d->form_title);
	imp_budget_write(d, out);
	if (d->has_explain) {
		buf_puts(out, "\n【情况说明】\n");
		for (int f = 0; f < EXPLAIN_FIELDS; f++) {
			if (!d->explain[f].n)
				continue;
			buf_printf(out, "%s：\n", imp_explain_keys[f]);
			for (size_t i = 0; i < d->explain[f].n; i++)
				prose(d, out, d->explain[f].v[i]);
			buf_puts(out, "\n");
		}
	}
	if (d->overall) {
		buf_puts(out, "\n【整体绩效目标】\n");
		buf_puts(out, "总体绩效目标：\n");
		for (size_t i = 0; i < d->summary.n; i++)
			prose(d, out, d->summary.v[i]);
		for (size_t i = 0; i < d->nitems; i++) {
			const iitem *it = &d->items[i];
			field(out, "分项绩效目标", it->title);
			if (it->goal)
				field(out, "绩效目标", it->goal);
			if (it->indicators)
				field(out, "绩效指标", it->indicators);
			for (size_t k = 0; k < it->text.n; k++)
				prose(d, out, it->text.v[k]);
		}
		if (d->measures.n) {
			buf_puts(out, "工作保障措施：\n");
			for (size_t i = 0; i < d->measures.n; i++)
				prose(d, out, d->measures.v[i]);
		}
	}
	for (size_t i = 0; i < d->nproj; i++) {
		iproj *p = &d->projects[i];
		buf_puts(out, "\n【项目】\n");
		const char *sched = full || p->has_sched ? schedule(d, p) : NULL;
		notes(out, &p->notes);
		field(out, "项目名称", p->name);
		if (p->unit && (!d->unit || strcmp(p->unit, d->unit) != 0))
			field(out, "编报单位", p->unit);
		if (p->public_part)
			field(out, "部分", "公用");
		if (full || p->has_code)
			field(out, "项目编码", p->code);
		if (full || p->has_total)
			field(out, "预算数", p->total);
		if (full || p->has_fiscal)
			field(out, "财政资金", p->fiscal);
		if (full || p->has_other)
			field(out, "其他资金", p->other);
		if (full || p->has_use)
			field(out, "资金用途", p->use);
		if (sched)
			field(out, "资金支出计划", sched);
		for (size_t k = 0; k < p->goals.n; k++)
			field(out, "绩效目标", p->goals.v[k]);
		buf_puts(out, "绩效指标：\n");
		for (size_t k = 0; k < p->rows.n; k++)
			buf_printf(out, "%s\n", p->rows.v[k]);
	}
}

/* ---- the command ----------------------------------------------------------------------------------- */

static void dump_blocks(const imp_doc *doc, buf *out)
{
	buf_printf(out, "== %s%s%s\n", doc->path, doc->title ? " 标题：" : "", doc->title ? doc->title : "");
	for (size_t i = 0; i < doc->n; i++) {
		const imp_block *b = &doc->blocks[i];
		if (b->kind == BLK_SHEET) {
			buf_printf(out, "SHEET %s\n", b->text);
		} else if (b->kind == BLK_PARA) {
			buf_printf(out, "P %s\n", b->text);
		} else {
			buf_printf(out, "TABLE %zu×%zu\n", b->nrows, b->ncols);
			for (size_t r = 0; r < b->nrows; r++) {
				buf_puts(out, " ");
				for (size_t c = 0; c < b->ncols; c++) {
					const imp_cell *x = imp_at(b, r, c);
					buf_printf(out, " |%s%s", x->cover == COVER_V ? "^" : x->cover == COVER_H ? "<" : "", x->text);
				}
				buf_puts(out, "\n");
			}
		}
	}
}

int import_run(const import_options *opt, char *const *paths, size_t n, FILE *report)
{
	arena *a = arena_new();
	idept d = {.a = a};
	buf err = {0};
	int status = 0;
	char tmpdir[] = "/tmp/budgetgen-import.XXXXXX";
	bool have_tmp = false;
	buf blocks = {0};
	size_t read_ok = 0;
	for (size_t i = 0; i < n; i++) {
		const char *path = paths[i];
		char *converted = NULL;
		if (has_ext(path, ".doc") || has_ext(path, ".xls") || has_ext(path, ".wps") || has_ext(path, ".et")) {
			if (!have_tmp && !mkdtemp(tmpdir)) {
				fprintf(report, "budgetgen: error: 无法建立临时目录：%s\n", errno_text(errno));
				status = 3;
				continue;
			}
			have_tmp = true;
			err.len = 0;
			converted = convert(path, tmpdir, &err);
			if (!converted) {
				fprintf(report, "budgetgen: error: %s\n", err.data);
				status = status ? status : 1;
				continue;
			}
		}
		imp_doc doc;
		err.len = 0;
		if (imp_read(a, converted ? converted : path, &doc, &err) != 0) {
			fprintf(report, "budgetgen: error: %s\n", err.data);
			status = status ? status : 1;
			free(converted);
			continue;
		}
		doc.path = arena_strdup(a, path);
		free(converted);
		read_ok++;
		if (opt->blocks)
			dump_blocks(&doc, &blocks);
		else
			imp_recognise(&d, &doc);
	}
	if (have_tmp) {
		char cmd[128];
		snprintf(cmd, sizeof cmd, "rm -rf '%s'", tmpdir);
		if (system(cmd) != 0)
			fprintf(report, "budgetgen: warning: 无法删除临时目录 %s\n", tmpdir);
	}
	buf out = {0};
	if (opt->blocks) {
		out = blocks;
	} else if (read_ok) {
		if (!d.name || !d.year) {
			fprintf(report, "budgetgen: error: 在给出的文档中没有找到部门名称和年度（如“XX局2024年部门预算…”），"
			                "无法写出源文件\n");
			status = 1;
		} else {
			buf raw = {0};
			write_source(&d, paths, n, &raw);
			imp_prose_references(&d, &raw);
			/* through the canonical formatter: exactly what `budgetgen fmt` prints */
			diag_ctx *dg = diag_new();
			arena *fa = arena_new();
			const src_file *f = diag_add_file(dg, opt->out ? opt->out : "导入结果", raw.data, raw.len);
			format_source(fa, dg, f, &out);
			diag_free(dg);
			arena_free(fa);
			buf_free(&raw);
			fprintf(report, "导入：%zu 个文档，部门“%s”%s年，%zu 个项目%s%s\n", read_ok, d.name, d.year, d.nproj,
			        d.overall ? "，整体绩效目标" : "", d.budget_doc ? "，预算表和情况说明" : "");
			for (size_t i = 0; i < d.report.n; i++)
				fprintf(report, "  %s\n", d.report.v[i]);
		}
	}
	if (out.len && status != 1) {
		if (opt->out) {
			int e = file_write_atomic(opt->out, out.data, out.len);
			if (e) {
				fprintf(report, "budgetgen: error: 无法写入“%s”：%s\n", opt->out, errno_text(e));
				status = 3;
			}
		} else {
			fwrite(out.data, 1, out.len, stdout);
			if (fflush(stdout) != 0)
				status = 3;
		}
	}
	buf_free(&out);
	buf_free(&err);
	arena_free(a);
	return status;
}
