/* render.c — the jobs of a build (render.h): the message a job is, rendering the outputs it names
 * in a worker (or in the driver with -j 1), each into a new unnamed file, and the result that
 * comes back: one record per output and the open files (pool.h). */
#include "batch/render.h"

#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doc/compose.h"
#include "emit/docx.h"
#include "emit/paginate.h"
#include "emit/pdf.h"
#include "emit/xlsx.h"
#include "batch/outputs.h"
#include "text/font.h"

static void put_u32(buf *b, uint32_t v)
{
	buf_put(b, &v, sizeof v);
}

static void put_i64(buf *b, int64_t v)
{
	buf_put(b, &v, sizeof v);
}

static void put_str(buf *b, const char *s)
{
	size_t n = s ? strlen(s) : 0;
	put_u32(b, (uint32_t)n);
	if (n)
		buf_put(b, s, n);
}

/* Reading a result back; every read is checked against the end. */
typedef struct reader {
	const char *p, *end;
	bool bad;
} reader;

static void get(reader *r, void *out, size_t n)
{
	if ((size_t)(r->end - r->p) < n) {
		r->bad = true;
		memset(out, 0, n);
		return;
	}
	memcpy(out, r->p, n);
	r->p += n;
}

static uint32_t get_u32(reader *r)
{
	uint32_t v;
	get(r, &v, sizeof v);
	return v;
}

static int64_t get_i64(reader *r)
{
	int64_t v;
	get(r, &v, sizeof v);
	return v;
}

static char *get_str(reader *r)
{
	uint32_t n = get_u32(r);
	if (r->bad || (size_t)(r->end - r->p) < n) {
		r->bad = true;
		return xstrdup("");
	}
	char *s = xmalloc((size_t)n + 1);
	memcpy(s, r->p, n);
	s[n] = '\0';
	r->p += n;
	return s;
}

/* Result of one output: state 0 written (an fd follows the message), 1 render failed, 2 write
 * failed, 3 written to the closed temporary tmp (no fd). */
static void put_result(buf *r, uint32_t idx, uint32_t state, int64_t size, int64_t mtime,
                       const char *tmp, const char *error, const pg_result *pages)
{
	put_u32(r, idx);
	put_u32(r, state);
	put_i64(r, size);
	put_i64(r, mtime);
	put_str(r, tmp);
	put_str(r, error);
	size_t n = pages ? pages->nmissing : 0;
	put_u32(r, (uint32_t)n);
	for (size_t i = 0; i < n; i++) {
		put_u32(r, pages->missing[i].cp);
		put_u32(r, (uint32_t)pages->missing[i].status);
		put_str(r, pages->missing[i].context);
	}
}

/* The department of a job, loaded (and kept for the next job of the same department). */
static const model_department *job_department(builder *b, size_t di)
{
	if (b->cached != di + 1) {
		if (b->cached) {
			department_load_free(&b->cache_load);
			diag_free(b->cache_diag);
		}
		b->cache_diag = diag_new();
		b->cache_load = department_load_file(b->cache_diag, b->depts[di].path);
		b->cached = di + 1;
		hash_digest k = build_loaded_key(b, b->depts[di].path, b->cache_diag);
		if (!b->cache_load.model || b->cache_load.errors || !hash_equal(&k, &b->depts[di].key)) {
			department_load_free(&b->cache_load);
			b->cache_load.model = NULL;
		}
	}
	return b->cache_load.model;
}

/* Renders output idx of department m (pages: the booklet's layout, shared by its three files). */
static int render_output(builder *b, const model_department *m, size_t idx, arena *a,
                         const doc_document **doc, const pg_result **pages, buf *out, char *err,
                         size_t errlen)
{
	if (!*doc)
		*doc = idx < BOOKLET_OUTPUTS ? compose_booklet(a, m, b->layouts, err, errlen)
		                             : compose_project(a, m, idx - BOOKLET_OUTPUTS, b->layouts, err, errlen);
	if (!*doc)
		return -1;
	if (!*pages)
		*pages = paginate(a, b->fonts, *doc);
	switch (output_kind(idx)) {
	case OUT_BOOKLET_PDF:
	case OUT_PROJECT:
		return emit_pdf(*doc, *pages, b->fonts, b->opt->epoch, out, err, errlen);
	case OUT_BOOKLET_XLSX:
		return emit_xlsx_buf(*doc, *pages, b->fonts, b->opt->epoch, out, err, errlen);
	case OUT_BOOKLET_DOCX:
		return emit_docx_buf(*doc, *pages, b->fonts, b->opt->epoch, b->templates, out, err, errlen);
	}
	return -1;
}

/* Writes data to a new file in the output's directory: unnamed (its fd in *fd; or named *tmp where
 * the file system has no unnamed files), or, when named, a temporary "FILE.tmpN" that is closed
 * (*fd -1), so that the driver need not hold a descriptor for it. Returns 0 or an errno value. */
static int write_new_file(const builder *b, const char *rel, const buf *data, bool named, int *fd,
                          char **tmp, int64_t *size, int64_t *mtime)
{
	char *final = path_join(b->opt->out_dir, rel);
	char *dir = xstrdup(final);
	*strrchr(dir, '/') = '\0';
	int e = dir_make(dir);
	*fd = -1;
	if (!e && (*fd = named ? file_temp_create(final, false, tmp) : file_temp_open(final, tmp)) < 0)
		e = errno;
	if (!e && (e = fd_write_synced(*fd, data->data ? data->data : "", data->len)) == 0) {
		struct stat st;
		if (fstat(*fd, &st) != 0)
			e = errno;
		*size = st.st_size;
		*mtime = timespec_ns(st.st_mtim);
	}
	if (!e && named && close(*fd) != 0)
		e = errno;
	else if (e && *fd >= 0)
		close(*fd);
	if (e || named)
		*fd = -1;
	if (e && *tmp) {
		unlink(*tmp);
		free(*tmp);
		*tmp = NULL;
	}
	free(dir);
	free(final);
	return e;
}

/* Descriptors a worker needs free to render one output: the PDF writer holds two per font face
 * (the subset's memory file and libharu's own), the workbook a memory file and the output itself,
 * and the libraries a few more. */
size_t render_fds_needed(const builder *b)
{
	return 2 * font_set_face_count(b->fonts) + 8;
}

/* Descriptors this process may still open: its limit less those open now. */
size_t render_fds_free(void)
{
	struct rlimit rl;
	if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY)
		return SIZE_MAX;
	DIR *dp = opendir("/proc/self/fd");
	if (!dp)
		return errno == EMFILE || errno == ENFILE ? 0 : SIZE_MAX;
	size_t open = 0;
	struct dirent *e;
	while ((e = readdir(dp)) != NULL)
		open += e->d_name[0] != '.';
	closedir(dp);
	open = open ? open - 1 : 0; /* the directory's own */
	return rl.rlim_cur > open ? (size_t)(rl.rlim_cur - open) : 0;
}

/* Set by SIGXFSZ: some write of this process went past RLIMIT_FSIZE (and failed with EFBIG). */
static volatile sig_atomic_t fsize_hit;

static void on_xfsz(int sig)
{
	(void)sig;
	fsize_hit = 1;
}

void render_catch_fsize(void)
{
	struct sigaction sa = {.sa_handler = on_xfsz};
	sigemptyset(&sa.sa_mask);
	sigaction(SIGXFSZ, &sa, NULL);
}

const char *render_write_error(int e)
{
	static char too_many[128];
	struct rlimit rl;
	if (e == EFBIG)
		return "文件超过大小限制";
	if (e != EMFILE && e != ENFILE)
		return errno_text(e);
	if (e == EMFILE && getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY)
		snprintf(too_many, sizeof too_many, "打开的文件太多（每个进程最多 %llu 个，见 ulimit -n）",
		         (unsigned long long)rl.rlim_cur);
	else
		snprintf(too_many, sizeof too_many, "打开的文件太多");
	return too_many;
}

void render_job(void *ctx, const void *job, size_t len, pool_msg *res)
{
	builder *b = ctx;
	job_header h;
	if (len < sizeof h)
		return;
	memcpy(&h, job, sizeof h);
	const uint32_t *idx = (const uint32_t *)((const char *)job + sizeof h);
	const dept *d = &b->depts[h.dept];
	/* what examine composed, inherited: else the department is loaded and composed again */
	const model_department *m = d->kept.model ? d->kept.model : job_department(b, h.dept);
	put_u32(&res->data, h.dept);
	put_u32(&res->data, m ? 0 : 1);
	put_u32(&res->data, h.n);
	res->fds = xcalloc(h.n ? h.n : 1, sizeof *res->fds);
	arena *booklet = arena_new();
	const doc_document *bdoc = d->booklet;
	const pg_result *bpages = NULL;
	for (uint32_t k = 0; k < h.n; k++) {
		size_t i = idx[k];
		output *o = &b->depts[h.dept].outs[i];
		char err[1024] = "";
		if (!m) {
			put_result(&res->data, (uint32_t)i, 1, 0, 0, NULL, "源文件在生成过程中被修改，请重新生成", NULL);
			continue;
		}
		arena *a = i < BOOKLET_OUTPUTS ? booklet : arena_new();
		const doc_document *pdoc = o->doc;
		const pg_result *ppages = NULL;
		buf data = {0};
		fsize_hit = 0;
		int r = i < BOOKLET_OUTPUTS ? render_output(b, m, i, a, &bdoc, &bpages, &data, err, sizeof err)
		              : render_output(b, m, i, a, &pdoc, &ppages, &data, err, sizeof err);
		const pg_result *pages = i < BOOKLET_OUTPUTS ? bpages : ppages;
		if (r != 0 && fsize_hit) { /* an emitter's memory file (fonts, workbook) hit the limit */
			put_result(&res->data, (uint32_t)i, 2, 0, 0, NULL, render_write_error(EFBIG), NULL);
		} else if (r != 0 && render_fds_free() < render_fds_needed(b)) {
			/* the emitters' own messages would name a library's error code */
			put_result(&res->data, (uint32_t)i, 1, 0, 0, NULL, render_write_error(EMFILE), NULL);
		} else if (r != 0) {
			put_result(&res->data, (uint32_t)i, 1, 0, 0, NULL, err[0] ? err : "生成失败", NULL);
		} else {
			char *tmp = NULL;
			int64_t size = 0, mtime = 0;
			int fd;
			int e = write_new_file(b, o->rel, &data, b->named_temps, &fd, &tmp, &size, &mtime);
			if (e) {
				put_result(&res->data, (uint32_t)i, 2, 0, 0, NULL,
				           render_write_error(fsize_hit ? EFBIG : e), pages);
			} else if (fd < 0) {
				put_result(&res->data, (uint32_t)i, 3, size, mtime, tmp, NULL, pages);
			} else {
				put_result(&res->data, (uint32_t)i, 0, size, mtime, tmp, NULL, pages);
				res->fds[res->nfds++] = fd;
			}
			free(tmp);
		}
		buf_free(&data);
		if (i >= BOOKLET_OUTPUTS)
			arena_free(a);
	}
	arena_free(booklet);
}

void render_take_result(builder *b, pool_msg *res, bool crashed, bool said, size_t di,
                        const uint32_t *idx, size_t n)
{
	dept *d = &b->depts[di];
	reader r = {res->data.data, res->data.data + res->data.len, false};
	size_t fdi = 0;
	if (!crashed) {
		get_u32(&r); /* department, status */
		get_u32(&r);
		uint32_t count = get_u32(&r);
		for (uint32_t k = 0; k < count && !r.bad; k++) {
			uint32_t i = get_u32(&r), state = get_u32(&r);
			int64_t size = get_i64(&r), mtime = get_i64(&r);
			char *tmp = get_str(&r), *error = get_str(&r);
			uint32_t ng = get_u32(&r);
			if (r.bad || i >= d->nouts || ng > 1000000) {
				r.bad = true;
				free(tmp);
				free(error);
				break;
			}
			output *o = &d->outs[i];
			o->glyphs = xcalloc(ng ? ng : 1, sizeof *o->glyphs);
			for (uint32_t g = 0; g < ng; g++) {
				o->glyphs[g].cp = get_u32(&r);
				o->glyphs[g].status = (int)get_u32(&r);
				o->glyphs[g].context = get_str(&r);
				o->nglyphs++;
			}
			o->done = true;
			if ((state == 0 && fdi < res->nfds) || (state == 3 && *tmp && !res->error)) {
				o->fd = state == 0 ? res->fds[fdi] : -1;
				if (state == 0)
					res->fds[fdi++] = -1;
				o->tmp = *tmp ? tmp : NULL;
				o->size = size;
				o->mtime_ns = mtime;
				if (!o->tmp)
					free(tmp);
			} else {
				o->failed = true;
				o->write_error = state != 1;
				if ((state == 0 || state == 3) && res->error) /* its file could not be taken */
					o->error = xstrdup(render_write_error(res->error));
				else
					o->error = *error ? xstrdup(error) : xstrdup("生成失败");
				if (*tmp)
					unlink(tmp);
				free(tmp);
			}
			free(error);
		}
	}
	for (size_t k = 0; k < n; k++) {
		output *o = &d->outs[idx[k]];
		if (!o->done) {
			o->done = o->failed = true;
			o->error = said ? NULL
			                : xstrdup(crashed ? "生成它的工作进程意外终止" : "工作进程的结果无法读取");
		}
	}
	for (size_t k = fdi; k < res->nfds; k++)
		if (res->fds[k] >= 0)
			close(res->fds[k]);
	res->nfds = 0;
}

void render_forget(builder *b)
{
	if (b->cached) {
		department_load_free(&b->cache_load);
		diag_free(b->cache_diag);
		b->cached = 0;
	}
}
