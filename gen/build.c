/* build.c — the build driver (build.h): loads layouts and fonts once, then per department
 * compose → paginate → emit for the booklet and every project, all in memory, and only when
 * every document rendered writes them, each atomically. Owns the output file names. */
#include "build.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "compose.h"
#include "diag.h"
#include "emit_docx.h"
#include "emit_pdf.h"
#include "emit_xlsx.h"
#include "layout.h"
#include "paginate.h"
#include "sources.h"

enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_IO = 3 };

char *build_safe_name(const char *title, size_t max_bytes)
{
	buf b = {0};
	size_t n = strlen(title), k;
	for (size_t i = 0; i < n; i += k) {
		uint32_t cp;
		k = utf8_decode(title + i, n - i, &cp);
		if (!k) {
			k = 1;
			continue;
		}
		bool bad = cp < 0x20 || cp == 0x7F || (cp < 0x80 && strchr("/\\:*?\"<>|", (int)cp));
		if (b.len + (bad ? 1 : k) > max_bytes)
			break;
		if (bad)
			buf_putc(&b, '_');
		else if (!(b.len == 0 && (cp == '.' || cp_is_space(cp))))
			buf_put(&b, title + i, k);
	}
	while (b.len && (b.data[b.len - 1] == '.' || b.data[b.len - 1] == ' '))
		b.data[--b.len] = '\0';
	if (!b.len)
		buf_puts(&b, "未命名");
	return b.data;
}

/* One output file, rendered but not yet in place: either its bytes (written atomically at
 * commit) or, when tmp is set, a complete file already written at tmp in the destination
 * directory (renamed at commit, unlinked if the department fails). */
typedef struct pending_file {
	char *path;
	buf data;
	char *tmp;
} pending_file;

typedef struct dept_outputs {
	pending_file *files;
	size_t n;
} dept_outputs;

static void add_output(dept_outputs *o, char *path, buf *data)
{
	o->files = xrealloc(o->files, (o->n + 1) * sizeof *o->files);
	o->files[o->n].path = path;
	o->files[o->n].data = *data;
	o->files[o->n].tmp = NULL;
	*data = (buf){0};
	o->n++;
}

static void add_written_output(dept_outputs *o, char *path, char *tmp)
{
	buf none = {0};
	add_output(o, path, &none);
	o->files[o->n - 1].tmp = tmp;
}

/* A temporary name beside path, for a back end that writes a file itself. */
static char *temp_name(const char *path)
{
	size_t n = strlen(path) + 32;
	char *tmp = xmalloc(n);
	snprintf(tmp, n, "%s.tmp%ld", path, (long)getpid());
	return tmp;
}

/* Makes a file written at tmp durable and moves it to path. Returns 0 or an errno value. */
static int commit_written(const char *tmp, const char *path)
{
	int fd = open(tmp, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int e = fsync(fd) != 0 ? errno : 0;
	close(fd);
	if (!e && rename(tmp, path) != 0)
		e = errno;
	return e;
}

static void free_outputs(dept_outputs *o)
{
	for (size_t i = 0; i < o->n; i++) {
		if (o->files[i].tmp) /* not committed */
			unlink(o->files[i].tmp);
		free(o->files[i].tmp);
		free(o->files[i].path);
		buf_free(&o->files[i].data);
	}
	free(o->files);
	o->files = NULL;
	o->n = 0;
}

typedef struct builder_ctx {
	const build_options *opt;
	diag_ctx *d;
	const layout_set *layouts;
	font_set *fonts;
	const char *docx_templates; /* <layouts>/docx: the Word templates */
	size_t files_written;
	uint32_t *reported;         /* characters already reported for this department */
	size_t nreported, reported_cap;
} builder_ctx;

/* Renders one document into PDF bytes; reports characters no font can draw. The layout is
 * stored in *laid_out when that is not NULL (the workbook uses it too). */
static bool render_pdf(builder_ctx *b, arena *a, const doc_document *doc,
                       const pg_result **laid_out, buf *out, char *err, size_t errlen)
{
	const pg_result *pages = paginate(a, b->fonts, doc);
	if (laid_out)
		*laid_out = pages;
	for (size_t i = 0; i < pages->nmissing; i++) {
		const pg_missing *m = &pages->missing[i];
		bool seen = false;
		for (size_t k = 0; k < b->nreported && !seen; k++)
			seen = b->reported[k] == m->cp;
		if (seen) /* the booklet and the project sheet show the same text: report once */
			continue;
		if (b->nreported == b->reported_cap) {
			b->reported_cap = b->reported_cap ? 2 * b->reported_cap : 16;
			b->reported = xrealloc(b->reported, b->reported_cap * sizeof *b->reported);
		}
		b->reported[b->nreported++] = m->cp;
		char ch[5] = {0};
		utf8_encode(m->cp, ch);
		diag_report(b->d, (srcloc){0}, D_GLYPH_MISSING, ch, (unsigned)m->cp,
		            m->status == FONT_GLYPH_ASTRAL ? "（超出基本多文种平面，PDF 无法绘制）" : "",
		            m->context);
	}
	return emit_pdf(doc, pages, b->fonts, b->opt->epoch, out, err, errlen) == 0;
}

/* "0007-人才工作专项资金.pdf": the number keeps the files in the booklet's order. */
static char *project_file(const char *dir, const model_project *p)
{
	char *name = build_safe_name(p->name, 150);
	size_t n = strlen(dir) + strlen(name) + 32;
	char *path = xmalloc(n);
	snprintf(path, n, "%s/%02zu-%s.pdf", dir, p->number, name);
	free(name);
	return path;
}

/* The department's output directory: out/2025-汉沽管理区人力资源和社会保障局 */
static char *department_dir(const char *out_dir, const model_department *m)
{
	char *name = build_safe_name(m->name, 150);
	size_t n = strlen(out_dir) + strlen(name) + 32;
	char *path = xmalloc(n);
	snprintf(path, n, "%s/%d-%s", out_dir, m->year, name);
	free(name);
	return path;
}

static bool render_department(builder_ctx *b, const model_department *m, dept_outputs *outs)
{
	char err[1024] = "";
	char *dir = department_dir(b->opt->out_dir, m);
	bool ok = true;
	arena *a = arena_new();
	/* the booklet */
	const doc_document *doc = compose_booklet(a, m, b->layouts, err, sizeof err);
	char *booklet = xmalloc(strlen(dir) + strlen(m->name) + 64);
	sprintf(booklet, "%s/%d年部门预算绩效目标.pdf", dir, m->year);
	buf data = {0};
	const pg_result *pages = NULL;
	if (!doc || !render_pdf(b, a, doc, &pages, &data, err, sizeof err)) {
		diag_report(b->d, (srcloc){0}, D_RENDER_FAILED, booklet, err);
		ok = false;
		free(booklet);
	} else {
		add_output(outs, booklet, &data);
	}
	/* the workbook, from the same document and layout: libxlsxwriter writes a file itself, so
	 * it goes to a temporary name in the destination directory, renamed at commit */
	if (ok) {
		char *xlsx = xmalloc(strlen(dir) + 64);
		sprintf(xlsx, "%s/%d年部门预算绩效目标.xlsx", dir, m->year);
		char *tmp = temp_name(xlsx);
		int e = dir_make(dir);
		if (e) {
			diag_report(b->d, (srcloc){0}, D_WRITE_FAILED, xlsx, errno_text(e));
		} else if (emit_xlsx(doc, pages, b->fonts, b->opt->epoch, tmp, err, sizeof err) != 0) {
			diag_report(b->d, (srcloc){0}, D_RENDER_FAILED, xlsx, err);
			unlink(tmp);
		} else {
			add_written_output(outs, xlsx, tmp);
			xlsx = tmp = NULL;
		}
		ok = xlsx == NULL;
		free(xlsx);
		free(tmp);
	}
	/* the Word version, likewise written by its back end to a temporary name */
	if (ok) {
		char *docx = xmalloc(strlen(dir) + 64);
		sprintf(docx, "%s/%d年部门预算绩效目标.docx", dir, m->year);
		char *tmp = temp_name(docx);
		int e = dir_make(dir);
		if (e) {
			diag_report(b->d, (srcloc){0}, D_WRITE_FAILED, docx, errno_text(e));
		} else if (emit_docx(doc, pages, b->fonts, b->opt->epoch, b->docx_templates, tmp, err,
		                     sizeof err) != 0) {
			diag_report(b->d, (srcloc){0}, D_RENDER_FAILED, docx, err);
			unlink(tmp);
		} else {
			add_written_output(outs, docx, tmp);
			docx = tmp = NULL;
		}
		ok = docx == NULL;
		free(docx);
		free(tmp);
	}
	arena_free(a);
	/* one sheet per project */
	char *pdir = xmalloc(strlen(dir) + 16);
	sprintf(pdir, "%s/项目", dir);
	for (size_t i = 0; i < m->nprojects && ok; i++) {
		a = arena_new();
		char *path = project_file(pdir, &m->projects[i]);
		doc = compose_project(a, m, i, b->layouts, err, sizeof err);
		if (!doc || !render_pdf(b, a, doc, NULL, &data, err, sizeof err)) {
			diag_report(b->d, (srcloc){0}, D_RENDER_FAILED, path, err);
			ok = false;
			free(path);
		} else {
			add_output(outs, path, &data);
		}
		arena_free(a);
	}
	buf_free(&data);
	free(pdir);
	free(dir);
	return ok;
}

static bool write_outputs(builder_ctx *b, dept_outputs *outs)
{
	for (size_t i = 0; i < outs->n; i++) {
		pending_file *f = &outs->files[i];
		char *dir = xstrdup(f->path);
		char *slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		int e = slash ? dir_make(dir) : 0;
		free(dir);
		if (!e && f->tmp) {
			e = commit_written(f->tmp, f->path);
			if (!e) {
				free(f->tmp);
				f->tmp = NULL;
			}
		} else if (!e) {
			e = file_write_atomic(f->path, f->data.data, f->data.len);
		}
		if (e) {
			diag_report(b->d, (srcloc){0}, D_WRITE_FAILED, f->path, errno_text(e));
			return false;
		}
		b->files_written++;
	}
	return true;
}

#ifndef BUDGETGEN_DATADIR
#define BUDGETGEN_DATADIR "/usr/local/share/budgetgen"
#endif

/* Loads the layouts and fonts every build needs; reports and returns false on failure. */
static bool load_resources(builder_ctx *b, arena *a)
{
	char err[2048];
	const build_options *opt = b->opt;
	const char *layouts_dir = sources_data_path(opt->layouts_dir, "layouts", BUDGETGEN_DATADIR "/layouts");
	const char *fonts_conf =
		sources_data_path(opt->fonts_conf, "fonts/roles.conf", BUDGETGEN_DATADIR "/fonts/roles.conf");
	b->layouts = layout_load(a, layouts_dir, err, sizeof err);
	b->docx_templates = arena_printf(a, "%s/docx", layouts_dir);
	if (!b->layouts) {
		diag_report(b->d, (srcloc){0}, D_LAYOUT_ERROR, err);
		return false;
	}
	if (font_set_open(&b->fonts, fonts_conf, err, sizeof err) != FONT_OK) {
		diag_report(b->d, (srcloc){0}, D_FONT_ERROR, err);
		b->fonts = NULL;
		return false;
	}
	return true;
}

int build_dump(const build_options *opt, const char *path, long project, bool tables, buf *out)
{
	builder_ctx b = {.opt = opt};
	b.d = diag_new();
	arena *la = arena_new();
	int status = load_resources(&b, la) ? EXIT_OK : EXIT_IO;
	department_load l = {0};
	if (status == EXIT_OK) {
		l = department_load_file(b.d, path);
		status = !l.model ? EXIT_IO : l.errors ? EXIT_INPUT : EXIT_OK;
	}
	if (status == EXIT_OK && project > (long)l.model->nprojects) {
		fprintf(stderr, "budgetgen: 部门只有 %zu 个项目\n", l.model->nprojects);
		status = EXIT_IO;
	}
	if (status == EXIT_OK) {
		char err[1024];
		arena *a = arena_new();
		const doc_document *doc =
			project > 0 ? compose_project(a, l.model, (size_t)project - 1, b.layouts, err, sizeof err)
			            : compose_booklet(a, l.model, b.layouts, err, sizeof err);
		if (doc && tables) {
			compose_dump_tables(out, doc);
		} else if (doc) {
			pg_dump_text(out, paginate(a, b.fonts, doc));
		} else {
			diag_report(b.d, (srcloc){0}, D_RENDER_FAILED, path, err);
			status = EXIT_IO;
		}
		arena_free(a);
	}
	diag_flush(b.d, stderr);
	if (l.arena)
		department_load_free(&l);
	if (b.fonts)
		font_set_free(b.fonts);
	arena_free(la);
	diag_free(b.d);
	return status;
}

int build_run(const build_options *opt, char *const *paths, size_t npaths)
{
	builder_ctx b = {.opt = opt};
	b.d = diag_new();
	int status = EXIT_OK;
	arena *la = arena_new();
	if (!load_resources(&b, la))
		status = EXIT_IO;
	source_list srcs = {0};
	size_t built = 0, failed = 0;
	if (status == EXIT_OK) {
		sources_find(&srcs, b.d, paths, npaths);
		if (diag_count(b.d, DIAG_ERROR))
			status = EXIT_IO;
	}
	diag_flush(b.d, stderr);
	for (size_t i = 0; i < srcs.n && b.fonts; i++) {
		department_load l = department_load_file(b.d, srcs.paths[i]);
		if (!l.model) {
			status = EXIT_IO;
		} else if (l.errors) {
			if (status == EXIT_OK)
				status = EXIT_INPUT;
			failed++;
			diag_report(b.d, (srcloc){0}, D_RENDER_FAILED, srcs.paths[i],
			            "源文件有错误，未生成任何文件，已有的输出保持不变");
		} else {
			dept_outputs outs = {0};
			size_t before = diag_count(b.d, DIAG_ERROR);
			b.nreported = 0;
			bool ok = render_department(&b, l.model, &outs);
			if (ok && diag_count(b.d, DIAG_ERROR) == before)
				ok = write_outputs(&b, &outs);
			if (ok) {
				built++;
				if (!opt->quiet)
					fprintf(stderr, "已生成 %s：%zu 个文件\n", l.model->name, outs.n);
			} else {
				status = EXIT_IO;
				failed++;
			}
			free_outputs(&outs);
		}
		diag_flush(b.d, stderr);
		department_load_free(&l);
	}
	if (!opt->quiet && srcs.n)
		fprintf(stderr, "生成了 %zu 个部门，%zu 个部门失败；共写入 %zu 个文件\n", built, failed,
		        b.files_written);
	if (srcs.n == 0 && status == EXIT_OK) {
		fprintf(stderr, "budgetgen: 在给出的路径中没有找到部门预算源文件（*.txt）\n");
		status = EXIT_IO;
	}
	sources_free(&srcs);
	free(b.reported);
	if (b.fonts)
		font_set_free(b.fonts);
	arena_free(la);
	diag_flush(b.d, stderr);
	diag_free(b.d);
	return status;
}
