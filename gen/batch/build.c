/* build.c — the build driver (build.h): which outputs a batch build must make (examine), the jobs
 * that make them in worker processes (schedule; render.c runs them), and replacing each
 * department's files at once (commit, txn.h). Owns the keys that say what each output is made
 * from, the progress line and the summary; outputs.c owns the output files' names.
 *
 * A build runs in three steps:
 *   1. examine, in the parent, each department in path order: unchanged when the key of its input
 *      files (plus layouts, catalogues, fonts, program, SOURCE_DATE_EPOCH) equals its manifest's
 *      and its files are as written; otherwise parse, check and compose it, hash every output's
 *      document IR (dochash.h) and mark dirty each output whose key changed or whose file is
 *      missing or touched. Departments that no longer exist are removed.
 *   2. render the dirty outputs in jobs (the booklet's three files; chunks of project sheets),
 *      in -j worker processes (pool.h); each output goes to an unnamed file in its directory.
 *   3. when a department's jobs are in, commit: one transaction (txn.h) links its new files,
 *      deletes its stale ones and replaces its manifest. Messages are printed in path order.
 * Map: keys · examining · committing · progress · build_run (with the schedule: plan_jobs). */
#define _GNU_SOURCE /* sched_getaffinity */
#include "batch/build.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/version.h"
#include "batch/build_int.h"
#include "batch/outputs.h"
#include "batch/pool.h"
#include "batch/render.h"
#include "batch/txn.h"
#include "doc/compose.h"
#include "doc/dochash.h"
#include "emit/paginate.h"
#include "front/lex.h"

static double now_seconds(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void raise_status(int *status, int s)
{
	if (s == EXIT_IO || (s == EXIT_INPUT && *status == EXIT_OK))
		*status = s;
}

/* ---- keys --------------------------------------------------------------------------------------- */

/* What every output depends on besides its document: the program, the fonts, the date. Word
 * files also on the templates. */
static hash_digest output_key(const builder *b, out_kind k, const hash_digest *ir)
{
	hash_ctx c;
	hash_init(&c);
	hash_str(&c, "budgetgen output 1");
	hash_str(&c, out_kind_name(k));
	hash_digest_add(&c, ir);
	hash_digest_add(&c, &b->program);
	hash_digest_add(&c, &b->fonts_key);
	hash_u64(&c, (uint64_t)b->opt->epoch);
	if (k == OUT_BOOKLET_DOCX)
		hash_digest_add(&c, &b->templates_key);
	return hash_final(&c);
}

/* A department's key: the resources, the path messages quote, and each file it was read from. */
static hash_digest dept_key(const builder *b, const char *given, const hash_digest *files, size_t n)
{
	hash_ctx c;
	hash_init(&c);
	hash_str(&c, "budgetgen department 1");
	hash_digest_add(&c, &b->resources);
	hash_str(&c, given);
	hash_u64(&c, n);
	for (size_t i = 0; i < n; i++)
		hash_digest_add(&c, &files[i]);
	return hash_final(&c);
}

hash_digest build_loaded_key(const builder *b, const char *given, const diag_ctx *d)
{
	size_t n = diag_file_count(d);
	hash_digest *h = xcalloc(n ? n : 1, sizeof *h);
	for (size_t i = 0; i < n; i++)
		h[i] = hash_bytes(diag_file(d, i)->text, diag_file(d, i)->len);
	hash_digest k = dept_key(b, given, h, n);
	free(h);
	return k;
}

/* The program, the fonts, the layouts and catalogues: every department depends on them. */
static bool resource_keys(builder *b)
{
	char exe[4096];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	hash_digest h = {0};
	if (n > 0) {
		exe[n] = '\0';
		hash_cache_file(b->hashes, exe, &h);
	}
	hash_ctx c;
	hash_init(&c);
	hash_str(&c, BUDGETGEN_VERSION);
	hash_digest_add(&c, &h);
	b->program = hash_final(&c);

	int e = 0;
	hash_init(&c);
	hash_digest conf;
	if ((e = hash_file(b->fonts_conf, SIZE_MAX, &conf)) != 0)
		goto fail;
	hash_digest_add(&c, &conf);
	for (size_t i = 0; i < font_set_face_count(b->fonts); i++) {
		font_face *f = font_set_face(b->fonts, i);
		hash_str(&c, font_face_path(f));
		hash_u64(&c, (uint64_t)font_face_index(f));
		if ((e = hash_cache_file(b->hashes, font_face_path(f), &h)) != 0)
			goto fail;
		hash_digest_add(&c, &h);
	}
	b->fonts_key = hash_final(&c);

	hash_init(&c);
	if ((e = hash_tree(&c, b->templates)) != 0)
		goto fail;
	b->templates_key = hash_final(&c);

	hash_init(&c);
	hash_str(&c, "budgetgen resources 1");
	hash_digest_add(&c, &b->program);
	hash_digest_add(&c, &b->fonts_key);
	hash_u64(&c, (uint64_t)b->opt->epoch);
	for (size_t i = 0; i < sources_include_dir_count(); i++) /* --include-dir: what 包含： may read */
		hash_str(&c, sources_include_dir(i));
	if ((e = hash_tree(&c, b->layouts_dir)) != 0)
		goto fail;
	struct stat st;
	if (stat(sources_catalog_dir(), &st) == 0 && (e = hash_tree(&c, sources_catalog_dir())) != 0)
		goto fail;
	b->resources = hash_final(&c);
	return true;
fail:
	diag_report(b->d, (srcloc){0}, D_FILE_READ, b->layouts_dir, errno_text(e));
	return false;
}

/* ---- examining ------------------------------------------------------------------------------------ */

static manifest *manifest_by_source(builder *b, const char *real)
{
	for (size_t i = 0; real && i < b->nmanifests; i++)
		if (strcmp(b->manifests[i].source, real) == 0)
			return &b->manifests[i];
	return NULL;
}

static bool source_in_build(const builder *b, const char *real)
{
	for (size_t i = 0; i < b->ndepts; i++)
		if (b->depts[i].real && strcmp(b->depts[i].real, real) == 0)
			return true;
	return false;
}

/* Claims a department directory for this build; false when another department has it. */
static const char *claim(builder *b, const char *dir, const char *path)
{
	for (size_t i = 0; i < b->nclaimed; i++)
		if (strcmp(b->claimed[2 * i], dir) == 0)
			return b->claimed[2 * i + 1];
	b->claimed = xrealloc(b->claimed, 2 * (b->nclaimed + 1) * sizeof *b->claimed);
	b->claimed[2 * b->nclaimed] = xstrdup(dir);
	b->claimed[2 * b->nclaimed + 1] = xstrdup(path);
	b->nclaimed++;
	return NULL;
}

/* Whether the file at OUT/rel is the one the manifest recorded. */
static bool intact(const builder *b, const manifest_output *o)
{
	char *path = path_join(b->opt->out_dir, o->path);
	struct stat st;
	bool ok = stat(path, &st) == 0 && S_ISREG(st.st_mode) && st.st_size == o->size &&
	          timespec_ns(st.st_mtim) == o->mtime_ns;
	free(path);
	return ok;
}

/* An input as the next build must read it again: the path the parser opened (an include through a
 * symlink is the symlink, so re-pointing it is noticed), made absolute so that a build run from
 * another directory reads the same file. */
static char *input_path(const char *path)
{
	char *cwd = path[0] != '/' ? getcwd(NULL, 0) : NULL;
	if (!cwd)
		return xstrdup(path);
	char *abs = path_join(cwd, path);
	free(cwd);
	return abs;
}

/* Unchanged: same key from the files it was read from, every output as written. */
static bool unchanged(builder *b, dept *d)
{
	manifest *m = d->own;
	if (!m || b->opt->force || strcmp(m->given, d->path) != 0 || !m->ninputs)
		return false;
	hash_digest *h = xcalloc(m->ninputs, sizeof *h);
	bool ok = true;
	for (size_t i = 0; i < m->ninputs && ok; i++)
		ok = hash_file(m->inputs[i], (size_t)LEX_MAX_FILE_MB << 20, &h[i]) == 0;
	if (ok) {
		hash_digest k = dept_key(b, d->path, h, m->ninputs);
		ok = hash_equal(&k, &m->key);
	}
	free(h);
	for (size_t i = 0; i < m->noutputs && ok; i++)
		ok = intact(b, &m->outputs[i]);
	return ok;
}

static void fail_dept(dept *d, int status, diag_ctx *dc, const char *why)
{
	if (why)
		diag_report(dc, (srcloc){0}, D_RENDER_FAILED, d->path, why);
	d->state = DEPT_FAILED;
	raise_status(&d->status, status);
}

/* Flushes a diag context into a buffer. */
static void flush_to(diag_ctx *dc, buf *out)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	if (!f)
		util_oom();
	diag_flush(dc, f);
	fclose(f);
	buf_put(out, text, len);
	free(text);
}

/* The outputs of a loaded department with their keys; false (reported) on a layout problem. */
static bool plan_outputs(builder *b, dept *d, const model_department *m, diag_ctx *dc)
{
	char err[1024];
	d->nouts = output_count(m);
	d->outs = xcalloc(d->nouts, sizeof *d->outs);
	for (size_t i = 0; i < d->nouts; i++) {
		d->outs[i].rel = output_name(d->dir, m, i);
		d->outs[i].fd = -1;
	}
	/* the documents are kept (keep_documents decides for how long) */
	d->booklet_arena = arena_new();
	d->booklet = compose_booklet(d->booklet_arena, m, b->layouts, err, sizeof err);
	bool ok = d->booklet != NULL;
	if (ok) {
		hash_digest ir = doc_hash(d->booklet);
		for (size_t i = 0; i < BOOKLET_OUTPUTS; i++)
			d->outs[i].key = output_key(b, output_kind(i), &ir);
	} else {
		char *path = path_join(b->opt->out_dir, d->outs[0].rel);
		diag_report(dc, (srcloc){0}, D_RENDER_FAILED, path, err);
		free(path);
	}
	for (size_t p = 0; p < m->nprojects && ok; p++) {
		output *o = &d->outs[BOOKLET_OUTPUTS + p];
		o->doc_arena = arena_new();
		o->doc = compose_project(o->doc_arena, m, p, b->layouts, err, sizeof err);
		if (o->doc) {
			hash_digest ir = doc_hash(o->doc);
			o->key = output_key(b, OUT_PROJECT, &ir);
		} else {
			char *path = path_join(b->opt->out_dir, o->rel);
			diag_report(dc, (srcloc){0}, D_RENDER_FAILED, path, err);
			free(path);
			ok = false;
		}
	}
	return ok;
}

/* Drops every document examine composed for d (the three booklet files share one IR). */
static void drop_documents(dept *d)
{
	arena_free(d->booklet_arena);
	d->booklet_arena = NULL;
	d->booklet = NULL;
	for (size_t i = 0; i < d->nouts; i++) {
		arena_free(d->outs[i].doc_arena);
		d->outs[i].doc_arena = NULL;
		d->outs[i].doc = NULL;
	}
}

/* The model and documents a build keeps from examine for rendering, at most: a department with
 * its documents is 2.9 MB (20 × 50 county, measured), so this keeps about five whole departments
 * and every document of a revision, while a county built from nothing stays near the peak it had
 * (workers compose what is not kept). */
enum { KEEP_BYTES_MAX = 16 << 20 };

/* After mark_dirty: keeps the model and the IR of the outputs to render, so that they are not
 * composed again (by a worker, which inherits them, or by the driver with -j 1), when they fit in
 * what is left of KEEP_BYTES_MAX; else drops them all and a worker loads and composes again. */
static void keep_documents(builder *b, dept *d, department_load *l)
{
	bool booklet_dirty = false, any = false;
	for (size_t i = 0; i < d->nouts; i++) {
		output *o = &d->outs[i];
		any |= o->dirty;
		if (i < BOOKLET_OUTPUTS) {
			booklet_dirty |= o->dirty;
		} else if (!o->dirty) {
			arena_free(o->doc_arena);
			o->doc_arena = NULL;
			o->doc = NULL;
		}
	}
	if (!booklet_dirty) {
		arena_free(d->booklet_arena);
		d->booklet_arena = NULL;
		d->booklet = NULL;
	}
	size_t bytes = arena_size(l->arena) + arena_size(d->booklet_arena);
	for (size_t i = BOOKLET_OUTPUTS; i < d->nouts; i++)
		bytes += arena_size(d->outs[i].doc_arena);
	if (!any || b->kept_bytes + bytes > KEEP_BYTES_MAX) {
		drop_documents(d);
		return;
	}
	b->kept_bytes += bytes;
	d->kept = *l; /* the documents point into the model */
	l->arena = NULL;
	l->model = NULL;
}

/* Marks what must be rendered: outputs whose recorded file is not this key or not intact. */
static void mark_dirty(builder *b, dept *d)
{
	manifest *reuse = d->own && strcmp(d->own->dir, d->dir) == 0 ? d->own : d->taken;
	for (size_t i = 0; i < d->nouts; i++) {
		output *o = &d->outs[i];
		o->dirty = true;
		for (size_t k = 0; reuse && !b->opt->force && k < reuse->noutputs; k++) {
			const manifest_output *r = &reuse->outputs[k];
			if (strcmp(r->path, o->rel) == 0 && hash_equal(&r->key, &o->key) && intact(b, r)) {
				o->old = r;
				o->dirty = false;
			}
		}
	}
}

/* OUT/dir or OUT/dir/项目 when it is a symlink (heap), else NULL: a department's files are
 * written only into real directories of OUT. */
static char *symlinked_dir(const builder *b, const char *dir)
{
	char *path = path_join(b->opt->out_dir, dir);
	struct stat st;
	for (int k = 0; k < 2; k++) {
		if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode))
			return path;
		char *sub = path_join(path, "项目");
		free(path);
		path = sub;
	}
	free(path);
	return NULL;
}

/* Step 1 for one department. */
static void examine(builder *b, dept *d)
{
	d->own = manifest_by_source(b, d->real);
	if (d->own)
		b->manifest_used[d->own - b->manifests] = true;
	if (unchanged(b, d)) {
		const char *holder = claim(b, d->own->dir, d->path);
		if (!holder) {
			d->state = DEPT_UNCHANGED;
			buf_put(&d->text, d->own->messages, d->own->nmessages);
			return;
		}
	}
	diag_ctx *dc = diag_new();
	if (!b->opt->all_warnings) /* a build is about documents: fold long runs of one warning */
		diag_set_limit(dc, 10);
	department_load l = department_load_file(dc, d->path);
	char *link = NULL;
	if (!l.model) {
		fail_dept(d, EXIT_IO, dc, NULL);
	} else if (l.errors) {
		fail_dept(d, EXIT_INPUT, dc, "源文件有错误，未生成任何文件，已有的输出保持不变");
	} else {
		d->key = build_loaded_key(b, d->path, dc);
		d->name = xstrdup(l.model->name);
		d->dir = output_department_dir(l.model);
		d->ninputs = diag_file_count(dc);
		d->inputs = xcalloc(d->ninputs ? d->ninputs : 1, sizeof *d->inputs);
		for (size_t i = 0; i < d->ninputs; i++)
			d->inputs[i] = input_path(diag_file(dc, i)->path);
		const char *holder = claim(b, d->dir, d->path);
		link = holder ? NULL : symlinked_dir(b, d->dir);
		if (holder) {
			char why[1024];
			snprintf(why, sizeof why, "它的输出目录“%s”与“%s”相同，未生成任何文件", d->dir, holder);
			fail_dept(d, EXIT_INPUT, dc, why);
		} else if (link) {
			char why[2048];
			snprintf(why, sizeof why, "输出目录“%s”是一个符号链接，budgetgen 不写入它指向的目录，未生成任何文件",
			         link);
			fail_dept(d, EXIT_IO, dc, why);
		} else if (!plan_outputs(b, d, l.model, dc)) {
			drop_documents(d);
			fail_dept(d, EXIT_IO, dc, NULL);
		} else {
			for (size_t i = 0; i < b->nmanifests && !d->taken; i++) {
				manifest *m = &b->manifests[i];
				if (m != d->own && strcmp(m->dir, d->dir) == 0 && !source_in_build(b, m->source)) {
					d->taken = m;
					b->manifest_used[i] = true;
				}
			}
			d->state = DEPT_BUILD;
			mark_dirty(b, d);
			keep_documents(b, d, &l);
		}
	}
	free(link);
	flush_to(dc, &d->text);
	department_load_free(&l);
	diag_free(dc);
}

/* Why a department's commit failed: a symlink on the way (txn), or a write's reason. */
static const char *commit_error_text(int e)
{
	return e == ELOOP ? txn_error_text(e) : render_write_error(e);
}

/* ---- committing --------------------------------------------------------------------------------- */

static void note_waiting(void)
{
	fputs("等待同一输出目录上的另一个 budgetgen 结束……\n", stderr);
}

/* OUT/.budgetgen, created and locked (once). Returns 0 or an errno value. */
static int ensure_state(builder *b)
{
	if (b->lock >= 0)
		return 0;
	b->lock = manifest_lock(b->state, b->tty ? note_waiting : NULL);
	return b->lock >= 0 ? 0 : errno;
}

/* The source files of a department with characters no font draws, loaded again to point at them (only
 * then: a department's outputs record the characters, not where they came from). */
typedef struct glyph_sources {
	bool loaded;
	diag_ctx *quiet;          /* the load's own messages, not shown again */
	department_load load;     /* owns the texts */
	const src_file **files;   /* the same files registered in the messages' context */
	size_t nfiles;
} glyph_sources;

static void glyph_sources_free(glyph_sources *gs)
{
	if (!gs->loaded)
		return;
	department_load_free(&gs->load);
	diag_free(gs->quiet);
	free(gs->files);
}

/* A comment line (# or ＃ first, after blanks) at text[0..len). */
static bool comment_line(const char *text, size_t len)
{
	size_t i = 0;
	while (i < len && (text[i] == ' ' || text[i] == '\t'))
		i++;
	if (i + 3 <= len && memcmp(text + i, "\xE3\x80\x80", 3) == 0) /* U+3000 */
		return comment_line(text + i + 3, len - i - 3);
	return (i < len && text[i] == '#') || (i + 3 <= len && memcmp(text + i, "＃", 3) == 0);
}

/* Where cp is first written in the department's source files, comment lines aside; no location when
 * it is not there (text of a layout) or the sources cannot be read. */
static srcloc glyph_source(diag_ctx *dc, glyph_sources *gs, const char *path, uint32_t cp)
{
	if (!gs->loaded) {
		gs->loaded = true;
		gs->quiet = diag_new();
		gs->load = department_load_file(gs->quiet, path);
		gs->nfiles = diag_file_count(gs->quiet);
		gs->files = xcalloc(gs->nfiles ? gs->nfiles : 1, sizeof *gs->files);
		for (size_t i = 0; i < gs->nfiles; i++) {
			const src_file *f = diag_file(gs->quiet, i);
			gs->files[i] = diag_add_file(dc, f->path, f->text, f->len);
		}
	}
	char want[5] = {0};
	size_t wlen = utf8_encode(cp, want);
	for (size_t i = 0; i < gs->nfiles; i++) {
		const src_file *f = gs->files[i];
		int line = 1;
		for (size_t at = 0; at < f->len; line++) {
			const char *nl = memchr(f->text + at, '\n', f->len - at);
			size_t end = nl ? (size_t)(nl - f->text) : f->len;
			const char *hit = comment_line(f->text + at, end - at) ? NULL
			                  : memmem(f->text + at, end - at, want, wlen);
			if (hit)
				return (srcloc){f, line, (int)utf8_count(f->text + at, (size_t)(hit - f->text) - at) + 1};
			at = end + 1;
		}
	}
	return (srcloc){0};
}

/* The warnings for characters no font draws, each character once, in output order, at the place in the
 * department's sources (path) where it is first written. */
static void report_glyphs(diag_ctx *dc, const char *path, glyph_sources *gs, const manifest_glyph *g,
                          size_t n, uint32_t **seen, size_t *nseen)
{
	for (size_t i = 0; i < n; i++) {
		bool dup = false;
		for (size_t k = 0; k < *nseen && !dup; k++)
			dup = (*seen)[k] == g[i].cp;
		if (dup)
			continue;
		*seen = xrealloc(*seen, (*nseen + 1) * sizeof **seen);
		(*seen)[(*nseen)++] = g[i].cp;
		char ch[5] = {0};
		utf8_encode(g[i].cp, ch);
		srcloc at = glyph_source(dc, gs, path, g[i].cp);
		buf where = {0};
		if (!at.file) /* no line to show: the text it is in */
			buf_printf(&where, "；出现在“%s”", g[i].context);
		buf_putc(&where, '\0');
		diag_report(dc, at, D_GLYPH_MISSING, ch, (unsigned)g[i].cp,
		            g[i].status == FONT_GLYPH_ASTRAL ? "（超出当前输出格式的编码范围）" : "", where.data);
		buf_free(&where);
	}
}

static void unchanged_glyphs(dept *d)
{
	diag_ctx *dc = diag_new();
	uint32_t *seen = NULL;
	size_t nseen = 0;
	glyph_sources gs = {0};
	for (size_t i = 0; i < d->own->noutputs; i++)
		report_glyphs(dc, d->path, &gs, d->own->outputs[i].glyphs, d->own->outputs[i].nglyphs, &seen,
		              &nseen);
	free(seen);
	flush_to(dc, &d->render_text);
	diag_free(dc);
	glyph_sources_free(&gs);
}

static char *manifest_path(const builder *b, const char *dir)
{
	size_t n = strlen(b->state) + strlen(dir) + 16;
	char *p = xmalloc(n);
	snprintf(p, n, "%s/%s.manifest", b->state, dir);
	return p;
}

/* A path under OUT as a transaction names it: relative to OUT (heap). */
static char *out_rel(const builder *b, const char *path)
{
	size_t n = strlen(b->opt->out_dir);
	if (strncmp(path, b->opt->out_dir, n) == 0 && path[n] == '/')
		return xstrdup(path + n + 1);
	return xstrdup(path); /* not under OUT: txn_run refuses it */
}

/* The new manifest of a built department (borrowing its strings). */
static void new_manifest(const dept *d, manifest *m, manifest_output *outs)
{
	*m = (manifest){.source = d->real, .given = (char *)d->path, .name = d->name, .dir = d->dir,
	                .key = d->key, .inputs = d->inputs, .ninputs = d->ninputs, .outputs = outs,
	                .noutputs = d->nouts, .messages = d->text.data, .nmessages = d->text.len};
	for (size_t i = 0; i < d->nouts; i++) {
		const output *o = &d->outs[i];
		outs[i] = (manifest_output){.path = o->rel, .key = o->key};
		if (o->dirty) {
			outs[i].size = o->size;
			outs[i].mtime_ns = o->mtime_ns;
			outs[i].glyphs = o->glyphs;
			outs[i].nglyphs = o->nglyphs;
		} else {
			outs[i].size = o->old->size;
			outs[i].mtime_ns = o->old->mtime_ns;
			outs[i].glyphs = o->old->glyphs;
			outs[i].nglyphs = o->old->nglyphs;
		}
	}
}

static bool has_output(const dept *d, const char *rel)
{
	for (size_t i = 0; i < d->nouts; i++)
		if (strcmp(d->outs[i].rel, rel) == 0)
			return true;
	return false;
}

/* Deletes a manifest's files that this department does not make, then its directories if empty. */
static void add_stale(builder *b, txn *t, const dept *d, const manifest *old, size_t *deleted)
{
	for (size_t i = 0; i < old->noutputs; i++) {
		const manifest_output *o = &old->outputs[i];
		if (d && has_output(d, o->path))
			continue;
		txn_add_delete(t, o->path, o->size, o->mtime_ns);
		(*deleted)++;
	}
	/* not a directory another department of this build writes to (two that swapped their 部门
	 * names): its new files may be waiting, unnamed, to be linked into it */
	for (size_t i = 0; i < b->nclaimed; i++)
		if (strcmp(b->claimed[2 * i], old->dir) == 0 && (!d || strcmp(d->dir, old->dir) != 0))
			return;
	char *pdir = path_join(old->dir, "项目");
	txn_add_rmdir(t, pdir);
	txn_add_rmdir(t, old->dir);
	free(pdir);
}

static void close_outputs(dept *d)
{
	for (size_t i = 0; i < d->nouts; i++) {
		output *o = &d->outs[i];
		if (o->fd >= 0)
			close(o->fd);
		o->fd = -1;
		if (o->tmp)
			unlink(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
	}
}

/* Step 3: the department's files change together, or not at all. */
static void commit(builder *b, dept *d)
{
	diag_ctx *dc = diag_new();
	uint32_t *seen = NULL;
	size_t nseen = 0;
	glyph_sources gs = {0};
	bool failed = false;
	for (size_t i = 0; i < d->nouts; i++) {
		output *o = &d->outs[i];
		if (o->dirty) {
			report_glyphs(dc, d->path, &gs, o->glyphs, o->nglyphs, &seen, &nseen);
			if (o->failed && o->error && !failed) { /* the first failure, as a serial build stops there */
				char *path = path_join(b->opt->out_dir, o->rel);
				diag_report(dc, (srcloc){0}, o->write_error ? D_WRITE_FAILED : D_RENDER_FAILED,
				            path, o->error);
				free(path);
			}
			failed |= o->failed;
		} else {
			report_glyphs(dc, d->path, &gs, o->old->glyphs, o->old->nglyphs, &seen, &nseen);
		}
	}
	free(seen);
	if (failed) {
		close_outputs(d);
		char *dir = path_join(b->opt->out_dir, d->dir); /* the directories its jobs made, if empty */
		char *pdir = path_join(dir, "项目");
		rmdir(pdir);
		rmdir(dir);
		free(pdir);
		free(dir);
		d->state = DEPT_FAILED;
		raise_status(&d->status, EXIT_IO);
		flush_to(dc, &d->render_text);
		diag_free(dc);
		glyph_sources_free(&gs);
		return;
	}
	manifest m;
	manifest_output *mouts = xcalloc(d->nouts ? d->nouts : 1, sizeof *mouts);
	new_manifest(d, &m, mouts);
	buf text = {0};
	manifest_format(&m, &text);
	char *mpath = manifest_path(b, d->dir);
	bool same = false;
	if (d->own && strcmp(d->own->file, mpath) == 0 && !d->taken) {
		char *old = NULL;
		size_t olen = 0;
		same = file_read(mpath, text.len + 1, &old, &olen) == 0 && olen == text.len &&
		       memcmp(old, text.data, olen) == 0;
		free(old);
	}
	size_t written = 0, deleted = 0;
	txn *t = NULL;
	if (!same) {
		char *jpath = xstrdup(mpath);
		strcpy(jpath + strlen(jpath) - strlen(".manifest"), ".journal");
		t = txn_new(b->opt->out_dir, jpath);
		free(jpath);
		for (size_t i = 0; i < d->nouts; i++) {
			output *o = &d->outs[i];
			if (!o->dirty)
				continue;
			char *tmp = o->tmp ? out_rel(b, o->tmp) : NULL;
			txn_add_file(t, o->fd, tmp, o->rel);
			free(tmp);
			written++;
		}
		if (d->own)
			add_stale(b, t, d, d->own, &deleted);
		if (d->taken)
			add_stale(b, t, d, d->taken, &deleted);
		char *tmp = NULL;
		int e = ensure_state(b), fd = -1;
		if (!e && (fd = file_temp_open(mpath, &tmp)) < 0)
			e = errno;
		if (!e)
			e = fd_write_synced(fd, text.data, text.len);
		if (!e) {
			char *rtmp = tmp ? out_rel(b, tmp) : NULL, *rpath = out_rel(b, mpath);
			txn_add_file(t, fd, rtmp, rpath);
			free(rtmp);
			free(rpath);
		}
		if (d->own && strcmp(d->own->file, mpath) != 0) { /* only if it is still the one read */
			char *rold = out_rel(b, d->own->file);
			txn_add_delete(t, rold, d->own->file_size, d->own->file_mtime_ns);
			free(rold);
		}
		char err[1024] = "";
		if (e)
			snprintf(err, sizeof err, "%s", b->lock < 0 ? b->state : mpath);
		else
			e = txn_run(t, err, sizeof err);
		if (fd >= 0)
			close(fd);
		if (e && tmp)
			unlink(tmp);
		free(tmp);
		if (e) {
			diag_report(dc, (srcloc){0}, D_WRITE_FAILED, err, commit_error_text(e));
			d->state = DEPT_FAILED;
			raise_status(&d->status, EXIT_IO);
			written = deleted = 0;
		}
	}
	txn_free(t);
	for (size_t i = 0; i < d->nouts; i++) { /* linked now, or to be dropped */
		if (d->outs[i].fd >= 0)
			close(d->outs[i].fd);
		d->outs[i].fd = -1;
		free(d->outs[i].tmp);
		d->outs[i].tmp = NULL;
	}
	d->written = written;
	d->deleted = deleted;
	d->changed = written || deleted;
	buf_free(&text);
	free(mpath);
	free(mouts);
	flush_to(dc, &d->render_text);
	diag_free(dc);
	glyph_sources_free(&gs);
}

static void clear_line(builder *b);

/* Departments whose source is gone (or no longer a department source in a directory that was
 * built): their files, directories and manifest go. */
static void remove_gone(builder *b, char *const *args, size_t nargs)
{
	char **dirs = xcalloc(nargs + 1, sizeof *dirs);
	size_t ndirs = 0;
	for (size_t i = 0; i < nargs; i++) {
		struct stat st;
		char *r = stat(args[i], &st) == 0 && S_ISDIR(st.st_mode) ? realpath(args[i], NULL) : NULL;
		if (r)
			dirs[ndirs++] = r;
	}
	for (size_t i = 0; i < b->nmanifests; i++) {
		manifest *m = &b->manifests[i];
		if (b->manifest_used[i] || source_in_build(b, m->source))
			continue;
		struct stat st;
		bool gone = stat(m->source, &st) != 0;
		for (size_t k = 0; k < ndirs && !gone; k++) {
			size_t n = strlen(dirs[k]);
			gone = strncmp(m->source, dirs[k], n) == 0 && m->source[n] == '/';
		}
		if (!gone)
			continue;
		char *jpath = xstrdup(m->file);
		strcpy(jpath + strlen(jpath) - strlen(".manifest"), ".journal");
		txn *t = txn_new(b->opt->out_dir, jpath);
		size_t deleted = 0;
		add_stale(b, t, NULL, m, &deleted);
		char *rfile = out_rel(b, m->file);
		txn_add_delete(t, rfile, m->file_size, m->file_mtime_ns);
		free(rfile);
		char err[1024];
		int e = txn_run(t, err, sizeof err);
		txn_free(t);
		free(jpath);
		if (e) {
			diag_report(b->d, (srcloc){0}, D_WRITE_FAILED, err, commit_error_text(e));
			raise_status(&b->status, EXIT_IO);
			continue;
		}
		b->removed++;
		b->deleted += deleted;
		if (!b->opt->quiet) {
			clear_line(b);
			fprintf(stderr, "已移除 %s：删除 %zu 个文件（源文件 %s 已不存在）\n", m->name, deleted,
			        m->given);
		}
	}
	for (size_t k = 0; k < ndirs; k++)
		free(dirs[k]);
	free(dirs);
}

/* ---- progress and printing ------------------------------------------------------------------------- */

static void clear_line(builder *b)
{
	if (b->line_shown)
		fputs("\r\033[K", stderr);
	b->line_shown = false;
}

static void draw_progress(builder *b, bool force)
{
	if (!b->tty || b->opt->quiet)
		return;
	double t = now_seconds();
	if (!force && t - b->last_draw < 0.1)
		return;
	b->last_draw = t;
	size_t done = b->built + b->unchanged + b->failed;
	fprintf(stderr, "\r\033[K部门 %zu/%zu · 写入 %zu 个文件 · 错误 %zu · %.1f 秒", done, b->ndepts,
	        b->written, b->failed, t - b->start);
	b->line_shown = true;
	fflush(stderr);
}

/* Prints finished departments, in path order. */
static void print_ready(builder *b)
{
	while (b->next_print < b->ndepts && b->depts[b->next_print].finished) {
		dept *d = &b->depts[b->next_print++];
		if (d->render_text.len || d->text.len || (d->changed && !b->opt->quiet))
			clear_line(b);
		if (d->render_text.len)
			fwrite(d->render_text.data, 1, d->render_text.len, stderr);
		if (d->text.len)
			fwrite(d->text.data, 1, d->text.len, stderr);
		if (d->changed && !b->opt->quiet) {
			fprintf(stderr, "已更新 %s：写入 %zu 个文件", d->name, d->written);
			if (d->deleted)
				fprintf(stderr, "，删除 %zu 个文件", d->deleted);
			fputc('\n', stderr);
		}
		d->printed = true;
	}
	draw_progress(b, false);
}

static void finish_dept(builder *b, dept *d)
{
	if (d->state == DEPT_BUILD)
		commit(b, d);
	d->finished = true;
	raise_status(&b->status, d->status);
	switch (d->state) {
	case DEPT_UNCHANGED: b->unchanged++; break;
	case DEPT_BUILD:
		if (d->changed)
			b->built++;
		else
			b->unchanged++;
		break;
	case DEPT_FAILED: b->failed++; break;
	}
	b->written += d->written;
	b->deleted += d->deleted;
	print_ready(b);
}

/* ---- the build ------------------------------------------------------------------------------------ */

/* Loads the layouts and fonts every build needs; reports and returns false on failure. */
static bool load_resources(builder *b)
{
	char err[2048];
	const build_options *opt = b->opt;
	b->layouts_dir = sources_data_path(opt->layouts_dir, "layouts");
	b->fonts_conf = sources_data_path(opt->fonts_conf, "fonts/roles.conf");
	b->layouts = layout_load(b->la, b->layouts_dir, err, sizeof err);
	b->templates = arena_printf(b->la, "%s/docx", b->layouts_dir);
	if (!b->layouts) {
		diag_report(b->d, (srcloc){0}, D_LAYOUT_ERROR, err);
		return false;
	}
	if (font_set_open(&b->fonts, b->fonts_conf, err, sizeof err) != FONT_OK) {
		diag_report(b->d, (srcloc){0}, D_FONT_ERROR, err);
		b->fonts = NULL;
		return false;
	}
	return true;
}

int build_dump(const build_options *opt, const char *path, long project, bool tables, buf *out)
{
	builder b = {.opt = opt};
	b.d = diag_new();
	b.la = arena_new();
	int status = load_resources(&b) ? EXIT_OK : EXIT_IO;
	department_load l = {0};
	if (status == EXIT_OK) {
		l = department_load_file(b.d, path);
		status = !l.model ? EXIT_IO : l.errors ? EXIT_INPUT : EXIT_OK;
	}
	if (status == EXIT_OK && project > (long)l.model->nprojects) {
		/* a wrong --project is a usage error (2), like any bad option value */
		fprintf(stderr, "budgetgen: --project %ld 超出范围：部门只有 %zu 个项目\n", project,
		        l.model->nprojects);
		status = EXIT_USAGE;
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
	arena_free(b.la);
	diag_free(b.d);
	return status;
}

int build_default_jobs(void)
{
	cpu_set_t set;
	if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
		return CPU_COUNT(&set);
	long n = sysconf(_SC_NPROCESSORS_ONLN);
	return n > 0 ? (int)n : 1;
}

/* Reads every manifest of OUT/.budgetgen. */
static void read_manifests(builder *b)
{
	DIR *dp = opendir(b->state);
	b->manifest_used = xcalloc(1, sizeof *b->manifest_used);
	if (!dp)
		return;
	free(b->manifest_used);
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(dp)) != NULL) {
		size_t k = strlen(e->d_name);
		if (k > 9 && strcmp(e->d_name + k - 9, ".manifest") == 0) {
			names = xrealloc(names, (n + 1) * sizeof *names);
			names[n++] = xstrdup(e->d_name);
		}
	}
	closedir(dp);
	b->manifests = xcalloc(n ? n : 1, sizeof *b->manifests);
	for (size_t i = 0; i < n; i++) {
		char *path = path_join(b->state, names[i]);
		const char *why = NULL;
		if (manifest_read(path, &b->manifests[b->nmanifests], &why))
			b->nmanifests++;
		else if (why)
			diag_report(b->d, (srcloc){0}, D_STATE_DAMAGED, "清单文件", path, why);
		free(path);
		free(names[i]);
	}
	free(names);
	b->manifest_used = xcalloc(b->nmanifests ? b->nmanifests : 1, sizeof *b->manifest_used);
}

/* The temporaries a killed build left in the state directory and the departments' directories. */
static void remove_strays(builder *b)
{
	char **dirs = xcalloc(b->nmanifests ? b->nmanifests : 1, sizeof *dirs);
	for (size_t i = 0; i < b->nmanifests; i++)
		dirs[i] = b->manifests[i].dir;
	txn_remove_strays(b->opt->out_dir, dirs, b->nmanifests);
	free(dirs);
}

/* Step 2: the jobs. One per department in-process; with workers, the booklet's files as one job
 * (they share the layout) and the project sheets in chunks small enough to keep every worker busy. */
typedef struct job {
	buf msg;          /* job_header and output indices, as sent */
	size_t dept;
} job;

static job *plan_jobs(builder *b, int workers, size_t *njobs)
{
	size_t dirty_projects = 0;
	for (size_t di = 0; di < b->ndepts; di++)
		for (size_t i = BOOKLET_OUTPUTS; b->depts[di].state == DEPT_BUILD && i < b->depts[di].nouts; i++)
			dirty_projects += b->depts[di].outs[i].dirty;
	/* few booklets to make (a revision): the PDF and the two Office files go to different workers,
	 * each laying the booklet out again, which costs less than waiting for one worker */
	size_t booklets = 0;
	for (size_t di = 0; di < b->ndepts; di++)
		booklets += b->depts[di].state == DEPT_BUILD && b->depts[di].nouts &&
		            (b->depts[di].outs[0].dirty || b->depts[di].outs[1].dirty || b->depts[di].outs[2].dirty);
	bool split = workers > 1 && booklets < 2 * (size_t)workers;
	size_t chunk = SIZE_MAX;
	if (workers > 1) {
		chunk = (dirty_projects + 4 * (size_t)workers - 1) / (4 * (size_t)workers);
		chunk = chunk < 1 ? 1 : chunk > 16 ? 16 : chunk;
	}
	job *jobs = NULL;
	*njobs = 0;
	for (size_t di = 0; di < b->ndepts; di++) {
		dept *d = &b->depts[di];
		if (d->state != DEPT_BUILD || d->finished)
			continue;
		for (size_t i = 0; i < d->nouts;) {
			size_t limit = workers <= 1 ? d->nouts : i == 0 && split ? 1
			              : i < BOOKLET_OUTPUTS ? BOOKLET_OUTPUTS : i + chunk;
			job j = {.dept = di};
			job_header h = {(uint32_t)di, 0};
			buf_put(&j.msg, &h, sizeof h);
			for (; i < d->nouts && i < limit; i++) {
				if (!d->outs[i].dirty)
					continue;
				uint32_t v = (uint32_t)i;
				buf_put(&j.msg, &v, sizeof v);
				h.n++;
			}
			if (!h.n) {
				buf_free(&j.msg);
				continue;
			}
			memcpy(j.msg.data, &h, sizeof h);
			jobs = xrealloc(jobs, (*njobs + 1) * sizeof *jobs);
			jobs[(*njobs)++] = j;
			d->jobs_left++;
		}
	}
	return jobs;
}

static int cmp_size_desc(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return x < y ? 1 : x > y ? -1 : 0;
}

/* Fits the jobs to the descriptors a process may open (ulimit -n). The driver holds one per
 * rendered output until its department commits: at most the outputs of workers + 1 departments
 * (jobs are handed out in department order), or of one with no workers, where it also renders
 * (render_fds_needed); a socket per worker; a few for a commit. A worker holds its job's files
 * until it answers, and renders. When those do not fit: fewer workers, and the outputs go to
 * closed named temporaries (b->named_temps), which hold none. A build that still runs out says
 * 打开的文件太多 (render.c; pool.c when the driver could not take a result's files). Returns the
 * number of workers. */
static int fit_descriptors(builder *b, const job *jobs, size_t njobs, int workers)
{
	enum { COMMIT_FDS = 16 };
	size_t room = render_fds_free();
	if (room == SIZE_MAX)
		return workers;
	if (workers > 1 && (size_t)workers + COMMIT_FDS + 2 > room)
		workers = room > COMMIT_FDS + 4 ? (int)(room - COMMIT_FDS - 2) : 0;
	size_t *dirty = xcalloc(b->ndepts ? b->ndepts : 1, sizeof *dirty);
	for (size_t di = 0; di < b->ndepts; di++)
		for (size_t i = 0; b->depts[di].state == DEPT_BUILD && i < b->depts[di].nouts; i++)
			dirty[di] += b->depts[di].outs[i].dirty;
	qsort(dirty, b->ndepts, sizeof *dirty, cmp_size_desc);
	size_t held = 0, holders = workers > 1 ? (size_t)workers + 1 : 1;
	for (size_t di = 0; di < b->ndepts && di < holders; di++)
		held += dirty[di];
	free(dirty);
	size_t reserve = COMMIT_FDS + (workers > 1 ? (size_t)workers : render_fds_needed(b));
	/* a worker holds the files of its job until it answers, and renders the next of them */
	size_t in_job = 0;
	for (size_t j = 0; j < njobs; j++) {
		job_header h;
		memcpy(&h, jobs[j].msg.data, sizeof h);
		in_job = h.n > in_job ? h.n : in_job;
	}
	b->named_temps = held + reserve > room ||
	                 (workers > 1 && in_job + render_fds_needed(b) + 2 > room);
	return workers;
}

/* Steps 2 and 3: runs the jobs; commits each department when its last job is in. */
static void run_jobs(builder *b)
{
	int n = b->opt->jobs > 0 ? b->opt->jobs : build_default_jobs();
	size_t njobs;
	job *jobs = plan_jobs(b, n, &njobs);
	if (!njobs)
		return;
	int workers = fit_descriptors(b, jobs, njobs, (size_t)n > njobs ? (int)njobs : n);
	pool *p = pool_start(workers > 1 ? workers : 0, render_job, b);
	for (size_t i = 0; i < njobs; i++)
		pool_submit(p, jobs[i].msg.data, jobs[i].msg.len, i);
	draw_progress(b, true);
	size_t tag;
	pool_msg res;
	bool crashed;
	int wstatus;
	while (pool_wait(p, &tag, &res, &crashed, &wstatus)) {
		job *j = &jobs[tag];
		dept *d = &b->depts[j->dept];
		job_header h;
		memcpy(&h, j->msg.data, sizeof h);
		/* a worker that exits with 3 has said why (内存不足) */
		bool said = crashed && WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == EXIT_IO;
		render_take_result(b, &res, crashed, said, j->dept, (const uint32_t *)(j->msg.data + sizeof h), h.n);
		pool_msg_free(&res);
		if (--d->jobs_left == 0)
			finish_dept(b, d);
		draw_progress(b, false);
	}
	pool_stop(p);
	for (size_t i = 0; i < njobs; i++)
		buf_free(&jobs[i].msg);
	free(jobs);
}

static void free_dept(dept *d)
{
	free(d->real);
	free(d->name);
	free(d->dir);
	for (size_t i = 0; i < d->ninputs; i++)
		free(d->inputs[i]);
	free(d->inputs);
	for (size_t i = 0; i < d->nouts; i++) {
		output *o = &d->outs[i];
		if (o->fd >= 0)
			close(o->fd);
		free(o->tmp);
		free(o->rel);
		free(o->error);
		for (size_t g = 0; g < o->nglyphs; g++)
			free(o->glyphs[g].context);
		free(o->glyphs);
	}
	drop_documents(d);
	department_load_free(&d->kept);
	free(d->outs);
	buf_free(&d->text);
	buf_free(&d->render_text);
}

/* More descriptors than a big department's outputs, held until its commit. */
static void raise_fd_limit(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
	}
}

int build_run(const build_options *opt, char *const *paths, size_t npaths)
{
	builder b = {.opt = opt, .start = now_seconds(), .lock = -1};
	render_catch_fsize(); /* before the workers start: they inherit it */
	b.tty = isatty(2) && !opt->quiet;
	b.d = diag_new();
	b.la = arena_new();
	source_list srcs = {0};
	if (!load_resources(&b)) {
		b.status = EXIT_IO;
	} else {
		sources_find(&srcs, b.d, paths, npaths);
		if (diag_count(b.d, DIAG_ERROR))
			b.status = EXIT_IO;
		if (srcs.n == 0 && b.status == EXIT_OK) {
			fprintf(stderr, "budgetgen: 在给出的路径中没有找到部门预算源文件（*.txt）\n");
			b.status = EXIT_IO;
		}
	}
	diag_flush(b.d, stderr);
	if (srcs.n && b.status == EXIT_OK) {
		b.state = path_join(opt->out_dir, MANIFEST_DIR);
		int e = ensure_state(&b);
		if (e) {
			diag_report(b.d, (srcloc){0}, D_WRITE_FAILED, b.state, errno_text(e));
			b.status = EXIT_IO;
		}
	}
	if (b.state && b.status == EXIT_OK) {
		if (b.lock >= 0)
			txn_recover(opt->out_dir, b.state, b.d);
		char *cache = path_join(b.state, "hashes");
		b.hashes = hash_cache_load(cache);
		free(cache);
		if (!resource_keys(&b))
			b.status = EXIT_IO;
	}
	if (b.state && b.status == EXIT_OK) {
		read_manifests(&b);
		remove_strays(&b);
		raise_fd_limit();
		b.depts = xcalloc(srcs.n ? srcs.n : 1, sizeof *b.depts);
		for (size_t i = 0; i < srcs.n; i++) {
			char *real = realpath(srcs.paths[i], NULL);
			if (real && source_in_build(&b, real)) { /* named twice: built once */
				free(real);
				continue;
			}
			b.depts[b.ndepts++] = (dept){.path = srcs.paths[i], .real = real};
		}
		/* 1. examine, in path order */
		for (size_t i = 0; i < b.ndepts; i++) {
			dept *d = &b.depts[i];
			examine(&b, d);
			if (d->state == DEPT_UNCHANGED)
				unchanged_glyphs(d);
			else if (d->state == DEPT_BUILD) {
				bool work = false;
				for (size_t k = 0; k < d->nouts; k++)
					work |= d->outs[k].dirty;
				if (!work)
					finish_dept(&b, d); /* only its manifest, if anything */
				continue;
			}
			if (d->state != DEPT_BUILD)
				finish_dept(&b, d);
		}
		remove_gone(&b, paths, npaths);
		/* 2. render, 3. commit as departments complete */
		run_jobs(&b);
		clear_line(&b);
		print_ready(&b);
		clear_line(&b);
	}
	if (!opt->quiet && b.ndepts) {
		fprintf(stderr, "共 %zu 个部门：%zu 个已更新，%zu 个未变，%zu 个失败", b.ndepts, b.built,
		        b.unchanged, b.failed);
		if (b.removed)
			fprintf(stderr, "，%zu 个已移除", b.removed);
		fprintf(stderr, "；写入 %zu 个文件，删除 %zu 个文件\n", b.written, b.deleted);
	}
	diag_flush(b.d, stderr);
	hash_cache_close(b.hashes, b.status == EXIT_OK); /* a failed build leaves no new file */
	render_forget(&b);
	for (size_t i = 0; i < b.ndepts; i++)
		free_dept(&b.depts[i]);
	free(b.depts);
	for (size_t i = 0; i < b.nmanifests; i++)
		manifest_free(&b.manifests[i]);
	free(b.manifests);
	free(b.manifest_used);
	for (size_t i = 0; i < 2 * b.nclaimed; i++)
		free(b.claimed[i]);
	free(b.claimed);
	if (b.lock >= 0)
		close(b.lock);
	free(b.state);
	sources_free(&srcs);
	if (b.fonts)
		font_set_free(b.fonts);
	arena_free(b.la);
	diag_free(b.d);
	return b.status;
}
