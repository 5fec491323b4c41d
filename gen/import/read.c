/* read.c — .docx and .xlsx into blocks (read.h): libzip for the package, Mini-XML's SAX mode for
 * the parts, with bounds on sizes and nesting checked before any parsing. Word: paragraphs and
 * tables (gridSpan, vMerge, hMerge, nested tables after their table), accepted text of tracked
 * changes, content controls, the displayed result of fields. Excel: every sheet's cells (shared
 * and inline strings, numbers as their format shows them, cached results of formulas), merges. */
#include "import/read.h"

#include <mxml.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

/* ---- small helpers ------------------------------------------------------------------------- */

__attribute__((format(printf, 2, 3))) static int fail(buf *err, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	err->len = 0;
	if (err->data)
		err->data[0] = 0;
	buf_vprintf(err, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *local_name(const char *name)
{
	const char *c = strrchr(name, ':');
	return c ? c + 1 : name;
}

/* An attribute by its local name (any prefix). */
static const char *attr(mxml_node_t *node, const char *local)
{
	int n = mxmlElementGetAttrCount(node);
	for (int i = 0; i < n; i++) {
		const char *name = NULL;
		const char *v = mxmlElementGetAttrByIndex(node, i, &name);
		if (name && strcmp(local_name(name), local) == 0)
			return v;
	}
	return NULL;
}

static void push_block(arena *a, imp_doc *doc, imp_block b)
{
	imp_block *p = vec_push(a, &doc->blocks, &doc->n, &doc->cap, sizeof *p);
	*p = b;
}

/* ---- the package ----------------------------------------------------------------------------- */

typedef struct pkg {
	zip_t *z;
	size_t total;
	const char *path;
} pkg;

static int pkg_open(pkg *p, const char *path, buf *err)
{
	int zerr = 0;
	p->path = path;
	p->total = 0;
	p->z = zip_open(path, ZIP_RDONLY, &zerr);
	if (!p->z) {
		if (zerr == ZIP_ER_OPEN || zerr == ZIP_ER_READ)
			return fail(err, "无法读取“%s”", path);
		return fail(err, "“%s”不是 Word（.docx）或 Excel（.xlsx）文件：它不是 zip 压缩包", path);
	}
	zip_int64_t n = zip_get_num_entries(p->z, 0);
	for (zip_int64_t i = 0; i < n; i++) {
		const char *name = zip_get_name(p->z, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
		if (!name)
			continue;
		if (name[0] == '/' || name[0] == '\\' || strstr(name, "../") || strstr(name, "..\\") ||
		    strcmp(name, "..") == 0 || (name[0] && name[1] == ':')) {
			fail(err, "“%s”中有可疑的条目名“%s”（指向压缩包以外的路径），不是正常的 "
			          "Word 或 Excel 文件，不予读取", path, strlen(name) > 120 ? "（过长）" : name);
			zip_discard(p->z); /* name lives in p->z */
			p->z = NULL;
			return -1;
		}
	}
	return 0;
}

static void pkg_close(pkg *p)
{
	if (p->z)
		zip_discard(p->z);
	p->z = NULL;
}

/* Reads entry `name` into a NUL-terminated heap string. Returns 0, 1 when there is no such entry,
 * -1 with err set when it is too large, unreadable or the document as a whole too large. */
static int pkg_read(pkg *p, const char *name, char **out, size_t *len, buf *err)
{
	zip_stat_t st;
	*out = NULL;
	if (zip_stat(p->z, name, 0, &st) != 0)
		return 1;
	if ((st.valid & ZIP_STAT_SIZE) && st.size > IMP_MAX_ENTRY)
		return fail(err, "“%s”中的“%s”解压后有 %llu 字节，超过上限 %d MB（可能是压缩炸弹）", p->path,
		            name, (unsigned long long)st.size, IMP_MAX_ENTRY >> 20);
	zip_file_t *f = zip_fopen(p->z, name, 0);
	if (!f)
		return fail(err, "“%s”中的“%s”无法解压（文件已损坏或使用了不支持的压缩方式）", p->path, name);
	size_t cap = (st.valid & ZIP_STAT_SIZE) ? (size_t)st.size + 1 : 65536, n = 0;
	char *data = xmalloc(cap);
	for (;;) {
		if (n + 1 >= cap) {
			if (cap > IMP_MAX_ENTRY) {
				free(data);
				zip_fclose(f);
				return fail(err, "“%s”中的“%s”解压后超过上限 %d MB（可能是压缩炸弹）", p->path, name,
				            IMP_MAX_ENTRY >> 20);
			}
			cap *= 2;
			data = xrealloc(data, cap);
		}
		zip_int64_t k = zip_fread(f, data + n, cap - n - 1);
		if (k < 0) {
			free(data);
			zip_fclose(f);
			return fail(err, "“%s”中的“%s”无法解压（文件已损坏）", p->path, name);
		}
		if (k == 0)
			break;
		n += (size_t)k;
		if (n > IMP_MAX_ENTRY) {
			free(data);
			zip_fclose(f);
			return fail(err, "“%s”中的“%s”解压后超过上限 %d MB（可能是压缩炸弹）", p->path, name,
			            IMP_MAX_ENTRY >> 20);
		}
	}
	zip_fclose(f);
	p->total += n;
	if (p->total > IMP_MAX_TOTAL) {
		free(data);
		return fail(err, "“%s”解压后的内容超过上限 %d MB（可能是压缩炸弹）", p->path, IMP_MAX_TOTAL >> 20);
	}
	data[n] = 0;
	*out = data;
	*len = n;
	return 0;
}

/* ---- XML -------------------------------------------------------------------------------------- */

/* The element nesting of xml, counted on the bytes before Mini-XML sees them (so a deeply nested
 * part is refused before a tree of it is built). Comments, CDATA, declarations and attribute
 * values with '>' in them are skipped. Returns the maximum depth, or -1 when it exceeds limit. */
static int xml_depth(const char *s, size_t n, int limit)
{
	int depth = 0, max = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] != '<')
			continue;
		if (i + 1 >= n)
			break;
		char c = s[i + 1];
		if (c == '!' || c == '?') {
			const char *end = c == '?' ? "?>" : (i + 3 < n && s[i + 2] == '-') ? "-->"
			                 : (i + 8 < n && s[i + 2] == '[') ? "]]>" : ">";
			const char *e = strstr(s + i + 2, end);
			if (!e)
				break;
			i = (size_t)(e - s);
			continue;
		}
		if (c == '/') {
			depth--;
			continue;
		}
		/* an opening tag: find its end outside quoted attribute values */
		size_t j = i + 1;
		char q = 0;
		for (; j < n; j++) {
			if (q) {
				if (s[j] == q)
					q = 0;
			} else if (s[j] == '"' || s[j] == '\'') {
				q = s[j];
			} else if (s[j] == '>') {
				break;
			}
		}
		if (j >= n)
			break;
		if (s[j - 1] != '/') {
			depth++;
			if (depth > max)
				max = depth;
			if (depth > limit)
				return -1;
		}
		i = j;
	}
	return max;
}

static char mxml_message[256];

static void on_mxml_error(const char *message)
{
	snprintf(mxml_message, sizeof mxml_message, "%s", message);
}

typedef struct sax {
	void (*open)(void *ctx, const char *name, mxml_node_t *node);
	void (*close)(void *ctx, const char *name);
	void (*text)(void *ctx, const char *text);
	void *ctx;
} sax;

static void sax_cb(mxml_node_t *node, mxml_sax_event_t event, void *data)
{
	const sax *s = data;
	switch (event) {
	case MXML_SAX_ELEMENT_OPEN:
		s->open(s->ctx, local_name(mxmlGetElement(node)), node);
		break;
	case MXML_SAX_ELEMENT_CLOSE:
		s->close(s->ctx, local_name(mxmlGetElement(node)));
		break;
	case MXML_SAX_DATA:
		if (mxmlGetType(node) == MXML_OPAQUE && mxmlGetOpaque(node))
			s->text(s->ctx, mxmlGetOpaque(node));
		break;
	case MXML_SAX_CDATA:
	case MXML_SAX_COMMENT:
	case MXML_SAX_DIRECTIVE:
		break;
	}
}

static int xml_parse(const pkg *p, const char *name, char *xml, size_t len, const sax *s, buf *err)
{
	if (xml_depth(xml, len, IMP_MAX_DEPTH) < 0)
		return fail(err, "“%s”中的“%s”元素嵌套超过 %d 层，不是正常的 Word 或 Excel 文件", p->path, name,
		            IMP_MAX_DEPTH);
	mxml_message[0] = 0;
	mxmlSetErrorCallback(on_mxml_error);
	mxml_node_t *top = mxmlSAXLoadString(NULL, xml, MXML_OPAQUE_CALLBACK, sax_cb, (void *)s);
	if (top)
		mxmlDelete(top);
	if (mxml_message[0])
		return fail(err, "“%s”中的“%s”不是有效的 XML（%s）", p->path, name, mxml_message);
	return 0;
}

/* The target of the first relationship in rels whose Type ends with type_suffix (or whose Id is id),
 * resolved against dir ("word/", "xl/"); NULL when none. */
typedef struct rels_ctx {
	arena *a;
	const char *dir, *type_suffix, *id;
	const char *found;
} rels_ctx;

static const char *resolve_target(arena *a, const char *dir, const char *target)
{
	if (target[0] == '/')
		return arena_strdup(a, target + 1);
	return arena_printf(a, "%s%s", dir, target);
}

static void rels_open(void *ctx, const char *name, mxml_node_t *node)
{
	rels_ctx *r = ctx;
	if (r->found || strcmp(name, "Relationship") != 0)
		return;
	const char *type = attr(node, "Type"), *id = attr(node, "Id"), *target = attr(node, "Target");
	if (!target)
		return;
	bool match = false;
	if (r->id)
		match = id && strcmp(id, r->id) == 0;
	else if (type) {
		size_t lt = strlen(type), ls = strlen(r->type_suffix);
		match = lt >= ls && strcmp(type + lt - ls, r->type_suffix) == 0;
	}
	if (match)
		r->found = resolve_target(r->a, r->dir, target);
}

static void ignore_close(void *ctx, const char *name)
{
	(void)ctx;
	(void)name;
}

static void ignore_text(void *ctx, const char *text)
{
	(void)ctx;
	(void)text;
}

/* dc:title of docProps/core.xml */
typedef struct title_ctx {
	bool in;
	buf t;
} title_ctx;

static void title_open(void *ctx, const char *name, mxml_node_t *node)
{
	(void)node;
	((title_ctx *)ctx)->in = strcmp(name, "title") == 0;
}

static void title_close(void *ctx, const char *name)
{
	(void)name;
	((title_ctx *)ctx)->in = false;
}

static void title_text(void *ctx, const char *text)
{
	title_ctx *t = ctx;
	if (t->in)
		buf_puts(&t->t, text);
}

static int read_title(arena *a, pkg *p, imp_doc *doc, buf *err)
{
	char *xml;
	size_t len;
	int r = pkg_read(p, "docProps/core.xml", &xml, &len, err);
	if (r)
		return r < 0 ? -1 : 0;
	title_ctx t = {0};
	sax s = {title_open, title_close, title_text, &t};
	r = xml_parse(p, "docProps/core.xml", xml, len, &s, err);
	free(xml);
	if (r == 0 && t.t.len)
		doc->title = arena_strdup(a, t.t.data);
	buf_free(&t.t);
	return r;
}

/* ---- Word --------------------------------------------------------------------------------------- */

typedef struct wcell {
	buf text;
	int span, vmerge, hmerge; /* merges: 0 none, 1 restart, 2 continue */
	bool any_para;
} wcell;

typedef struct wrow {
	wcell *cells;
	size_t n, cap;
	int before;
} wrow;

typedef struct wtable {
	wrow *rows;
	size_t n, cap;
	imp_block *inner; /* nested tables, emitted after this one */
	size_t ninner, capinner;
} wtable;

enum { MAX_FIELDS = 64 };

typedef struct wctx {
	arena *a;
	imp_doc *doc;
	arena *tmp;
	wtable *tables; /* stack */
	int ntables, captables;
	buf para;
	int in_t, in_r, hide;
	int fld[MAX_FIELDS], nfld, fld_instr;
	size_t npara;
	bool cells_overflow;
} wctx;

static wcell *cur_cell(wctx *w)
{
	if (w->ntables == 0)
		return NULL;
	wtable *t = &w->tables[w->ntables - 1];
	if (t->n == 0 || t->rows[t->n - 1].n == 0)
		return NULL;
	wrow *r = &t->rows[t->n - 1];
	return &r->cells[r->n - 1];
}

/* The grid of a finished table: merges resolved into covered cells. */
static imp_block table_grid(wctx *w, wtable *t)
{
	imp_block b = {.kind = BLK_TABLE, .where = w->npara};
	size_t ncols = 0;
	for (size_t i = 0; i < t->n; i++) {
		size_t c = (size_t)(t->rows[i].before > 0 ? t->rows[i].before : 0);
		for (size_t j = 0; j < t->rows[i].n; j++)
			c += (size_t)t->rows[i].cells[j].span;
		if (c > ncols)
			ncols = c;
	}
	if (ncols == 0 || t->n == 0)
		return b;
	if (ncols > 16384 || t->n * ncols > IMP_MAX_CELLS) {
		w->cells_overflow = true;
		return b;
	}
	b.nrows = t->n;
	b.ncols = ncols;
	b.cells = arena_alloc(w->a, t->n * ncols * sizeof *b.cells);
	for (size_t i = 0; i < t->n * ncols; i++) {
		b.cells[i].text = "";
		b.cells[i].span = 1;
	}
	for (size_t i = 0; i < t->n; i++) {
		size_t c = (size_t)(t->rows[i].before > 0 ? t->rows[i].before : 0);
		for (size_t j = 0; j < t->rows[i].n; j++) {
			wcell *wc = &t->rows[i].cells[j];
			imp_cell *cell = &b.cells[i * ncols + c];
			if (wc->vmerge == 2 && i > 0) {
				for (int k = 0; k < wc->span; k++)
					b.cells[i * ncols + c + (size_t)k].cover = COVER_V;
			} else if (wc->hmerge == 2 && c > 0) {
				for (int k = 0; k < wc->span; k++)
					b.cells[i * ncols + c + (size_t)k].cover = COVER_H;
			} else {
				cell->text = wc->text.len ? arena_strdup(w->a, wc->text.data) : "";
				cell->span = wc->span;
				for (int k = 1; k < wc->span; k++)
					b.cells[i * ncols + c + (size_t)k].cover = COVER_H;
			}
			c += (size_t)wc->span;
		}
	}
	/* hMerge restart: the following continue cells widen it */
	for (size_t i = 0; i < b.nrows; i++)
		for (size_t c = 0; c < ncols; c++)
			if (b.cells[i * ncols + c].cover == COVER_NONE) {
				size_t k = c + 1;
				while (k < ncols && b.cells[i * ncols + k].cover == COVER_H)
					k++;
				b.cells[i * ncols + c].span = (int)(k - c);
			}
	return b;
}

static void free_table(wtable *t)
{
	for (size_t i = 0; i < t->n; i++) {
		for (size_t j = 0; j < t->rows[i].n; j++)
			buf_free(&t->rows[i].cells[j].text);
		free(t->rows[i].cells);
	}
	free(t->rows);
	free(t->inner);
	memset(t, 0, sizeof *t);
}

static void add_inner(wtable *t, imp_block b)
{
	if (t->ninner == t->capinner) {
		t->capinner = t->capinner ? 2 * t->capinner : 4;
		t->inner = xrealloc(t->inner, t->capinner * sizeof *t->inner);
	}
	t->inner[t->ninner++] = b;
}

static void w_open(void *ctx, const char *name, mxml_node_t *node)
{
	wctx *w = ctx;
	if (w->hide) {
		w->hide++;
		return;
	}
	switch (name[0]) {
	case 'F':
		if (strcmp(name, "Fallback") == 0) /* mc:Fallback repeats mc:Choice */
			w->hide = 1;
		return;
	case 'd':
		if (strcmp(name, "del") == 0 || strcmp(name, "drawing") == 0) {
			if (name[1] == 'e')
				w->doc->del++;
			else
				w->doc->moved++;
			w->hide = 1;
		}
		return;
	case 'm':
		if (strcmp(name, "moveFrom") == 0)
			w->hide = 1;
		return;
	case 'o':
		if (strcmp(name, "object") == 0) {
			w->doc->moved++;
			w->hide = 1;
		}
		return;
	case 'p':
		if (strcmp(name, "p") == 0) {
			w->para.len = 0;
			if (w->para.data)
				w->para.data[0] = 0;
		} else if (strcmp(name, "pict") == 0) {
			w->doc->moved++;
			w->hide = 1;
		}
		return;
	case 'i':
		if (strcmp(name, "ins") == 0)
			w->doc->ins++;
		else if (strcmp(name, "instrText") == 0)
			w->hide = 1;
		return;
	case 'r':
		if (strcmp(name, "r") == 0)
			w->in_r++;
		return;
	case 's':
		if (strcmp(name, "sdtPr") == 0 || strcmp(name, "sdtEndPr") == 0)
			w->hide = 1;
		return;
	case 't':
		if (strcmp(name, "t") == 0) {
			w->in_t = 1;
		} else if (strcmp(name, "tab") == 0 && w->in_r) {
			if (!w->fld_instr)
				buf_putc(&w->para, '\t');
		} else if (strcmp(name, "tbl") == 0) {
			if (w->ntables == w->captables) {
				w->captables = w->captables ? 2 * w->captables : 4;
				w->tables = xrealloc(w->tables, (size_t)w->captables * sizeof *w->tables);
			}
			memset(&w->tables[w->ntables++], 0, sizeof *w->tables);
		} else if (strcmp(name, "tr") == 0 && w->ntables) {
			wtable *t = &w->tables[w->ntables - 1];
			if (t->n == t->cap) {
				t->cap = t->cap ? 2 * t->cap : 16;
				t->rows = xrealloc(t->rows, t->cap * sizeof *t->rows);
			}
			memset(&t->rows[t->n++], 0, sizeof *t->rows);
		} else if (strcmp(name, "tc") == 0 && w->ntables) {
			wtable *t = &w->tables[w->ntables - 1];
			if (t->n == 0)
				return;
			wrow *r = &t->rows[t->n - 1];
			if (r->n == r->cap) {
				r->cap = r->cap ? 2 * r->cap : 8;
				r->cells = xrealloc(r->cells, r->cap * sizeof *r->cells);
			}
			memset(&r->cells[r->n++], 0, sizeof *r->cells);
			r->cells[r->n - 1].span = 1;
		}
		return;
	case 'b':
		if (strcmp(name, "br") == 0 && w->in_r) {
			const char *type = attr(node, "type");
			if (!w->fld_instr && (!type || strcmp(type, "textWrapping") == 0))
				buf_putc(&w->para, '\n');
		}
		return;
	case 'c':
		if (strcmp(name, "cr") == 0 && w->in_r && !w->fld_instr)
			buf_putc(&w->para, '\n');
		return;
	case 'n':
		if (strcmp(name, "noBreakHyphen") == 0 && !w->fld_instr)
			buf_putc(&w->para, '-');
		return;
	case 'f':
		if (strcmp(name, "fldChar") == 0) {
			const char *type = attr(node, "fldCharType");
			if (!type)
				return;
			if (strcmp(type, "begin") == 0) {
				if (w->nfld < MAX_FIELDS)
					w->fld[w->nfld] = 1;
				w->nfld++;
				w->fld_instr++;
			} else if (strcmp(type, "separate") == 0 && w->nfld > 0) {
				if (w->nfld <= MAX_FIELDS && w->fld[w->nfld - 1] == 1) {
					w->fld[w->nfld - 1] = 2;
					w->fld_instr--;
				}
			} else if (strcmp(type, "end") == 0 && w->nfld > 0) {
				if (w->nfld <= MAX_FIELDS && w->fld[w->nfld - 1] == 1)
					w->fld_instr--;
				w->nfld--;
			}
		}
		return;
	case 'g':
		if (strcmp(name, "gridSpan") == 0) {
			wcell *c = cur_cell(w);
			const char *v = attr(node, "val");
			if (c && v) {
				long k = strtol(v, NULL, 10);
				c->span = k >= 1 && k <= 1000 ? (int)k : 1;
			}
		} else if (strcmp(name, "gridBefore") == 0 && w->ntables) {
			wtable *t = &w->tables[w->ntables - 1];
			const char *v = attr(node, "val");
			if (t->n && v) {
				long k = strtol(v, NULL, 10);
				t->rows[t->n - 1].before = k >= 0 && k <= 1000 ? (int)k : 0;
			}
		}
		return;
	case 'v':
		if (strcmp(name, "vMerge") == 0) {
			wcell *c = cur_cell(w);
			const char *v = attr(node, "val");
			if (c)
				c->vmerge = v && strcmp(v, "restart") == 0 ? 1 : 2;
		}
		return;
	case 'h':
		if (strcmp(name, "hMerge") == 0) {
			wcell *c = cur_cell(w);
			const char *v = attr(node, "val");
			if (c)
				c->hmerge = v && strcmp(v, "restart") == 0 ? 1 : 2;
		}
		return;
	default:
		return;
	}
}

static void end_paragraph(wctx *w)
{
	wcell *c = NULL;
	if (w->ntables) {
		wtable *t = &w->tables[w->ntables - 1];
		if (t->n && t->rows[t->n - 1].n)
			c = cur_cell(w);
	}
	const char *text = w->para.data ? w->para.data : "";
	if (c) {
		if (c->any_para)
			buf_putc(&c->text, '\n');
		c->any_para = true;
		buf_puts(&c->text, text);
	} else if (w->ntables == 0) {
		w->npara++;
		push_block(w->a, w->doc, (imp_block){.kind = BLK_PARA, .text = arena_strdup(w->a, text),
		                                     .where = w->npara});
	}
	w->para.len = 0;
	if (w->para.data)
		w->para.data[0] = 0;
}

static void w_close(void *ctx, const char *name)
{
	wctx *w = ctx;
	if (w->hide) {
		w->hide--;
		return;
	}
	if (strcmp(name, "t") == 0)
		w->in_t = 0;
	else if (strcmp(name, "r") == 0 && w->in_r)
		w->in_r--;
	else if (strcmp(name, "p") == 0)
		end_paragraph(w);
	else if (strcmp(name, "tbl") == 0 && w->ntables) {
		wtable *t = &w->tables[w->ntables - 1];
		imp_block b = table_grid(w, t);
		if (w->ntables > 1) {
			wtable *outer = &w->tables[w->ntables - 2];
			if (b.nrows)
				add_inner(outer, b);
			for (size_t i = 0; i < t->ninner; i++)
				add_inner(outer, t->inner[i]);
		} else {
			if (b.nrows)
				push_block(w->a, w->doc, b);
			for (size_t i = 0; i < t->ninner; i++)
				push_block(w->a, w->doc, t->inner[i]);
		}
		free_table(t);
		w->ntables--;
	}
}

static void w_text(void *ctx, const char *text)
{
	wctx *w = ctx;
	if (w->in_t && !w->hide && !w->fld_instr)
		buf_puts(&w->para, text);
}

static int read_docx(arena *a, pkg *p, const char *main_part, imp_doc *doc, buf *err)
{
	char *xml;
	size_t len;
	int r = pkg_read(p, main_part, &xml, &len, err);
	if (r)
		return r < 0 ? -1 : fail(err, "“%s”中缺少“%s”", p->path, main_part);
	wctx w = {.a = a, .doc = doc};
	sax s = {w_open, w_close, w_text, &w};
	r = xml_parse(p, main_part, xml, len, &s, err);
	free(xml);
	for (int i = 0; i < w.ntables; i++)
		free_table(&w.tables[i]);
	free(w.tables);
	buf_free(&w.para);
	if (r == 0 && w.cells_overflow)
		r = fail(err, "“%s”中有一张表格超过 %d 个单元格，不予读取", p->path, IMP_MAX_CELLS);
	return r;
}

/* ---- Excel ------------------------------------------------------------------------------------- */

/* A number as Excel shows it: v is the stored value ("0.25", "1.0000000000000001E-2"); places < 0
 * is the General format (up to 15 significant digits, no trailing zeros), else that many decimals;
 * percent multiplies by 100 and adds "%". Rounds half away from zero, as Excel does. */
static char *format_number(arena *a, const char *v, int places, bool percent)
{
	char digits[64];
	int nd = 0, point = 0; /* value = 0.d1d2d3… × 10^point */
	bool neg = false, seen_point = false, leading = true;
	const char *s = v;
	while (*s == ' ')
		s++;
	if (*s == '-' || *s == '+')
		neg = *s++ == '-';
	for (; *s && *s != 'e' && *s != 'E'; s++) {
		if (*s == '.') {
			seen_point = true;
			continue;
		}
		if (*s < '0' || *s > '9')
			return arena_strdup(a, v);
		if (leading && *s == '0') {
			if (seen_point)
				point--;
			continue;
		}
		leading = false;
		if (nd < (int)sizeof digits - 1)
			digits[nd++] = *s;
		if (!seen_point)
			point++;
	}
	if (*s == 'e' || *s == 'E') {
		long e = strtol(s + 1, NULL, 10);
		if (e > 300 || e < -300)
			return arena_strdup(a, v);
		point += (int)e;
	}
	if (nd == 0)
		point = 0;
	if (percent)
		point += 2;
	/* an amount keeps the precision it is stored with (20.982 shown as 20.98 is still 20.982), with
	 * at least the decimals its format shows */
	int min_places = 0;
	if (places >= 0 && !percent) {
		min_places = places;
		places = -1;
	}
	/* round: keep `keep` digits */
	int keep = places < 0 ? (nd < 15 ? nd : 15) : point + places;
	if (keep < 0) {
		nd = 0;
		point = 0;
	} else if (keep < nd) {
		bool up = digits[keep] >= '5';
		nd = keep;
		while (up && nd > 0) {
			if (digits[nd - 1] == '9') {
				nd--;
			} else {
				digits[nd - 1]++;
				up = false;
			}
		}
		if (up) {
			digits[0] = '1';
			nd = 1;
			point++;
		}
	}
	if (places < 0)
		while (nd > 0 && digits[nd - 1] == '0')
			nd--;
	if (nd == 0)
		neg = false;
	buf out = {0};
	if (neg)
		buf_putc(&out, '-');
	if (point <= 0)
		buf_putc(&out, '0');
	for (int i = 0; i < point; i++)
		buf_putc(&out, i < nd ? digits[i] : '0');
	int frac = places < 0 ? nd - point : places;
	if (frac < min_places)
		frac = min_places;
	if (frac > 0) {
		buf_putc(&out, '.');
		for (int i = 0; i < frac; i++) {
			int k = point + i;
			buf_putc(&out, k >= 0 && k < nd ? digits[k] : '0');
		}
	}
	if (percent)
		buf_putc(&out, '%');
	char *r = arena_strdup(a, out.data);
	buf_free(&out);
	return r;
}

typedef struct numfmt {
	int places; /* -1 General */
	bool percent;
	bool justify; /* vertical alignment "justify": a piece of a paragraph split over rows */
} numfmt;

static numfmt builtin_format(int id)
{
	switch (id) {
	case 1: case 3: case 37: case 38: return (numfmt){0, false, false};
	case 2: case 4: case 39: case 40: return (numfmt){2, false, false};
	case 9: return (numfmt){0, true, false};
	case 10: return (numfmt){2, true, false};
	default: return (numfmt){-1, false, false};
	}
}

static numfmt custom_format(const char *code)
{
	numfmt f = {-1, false, false};
	bool digit = false, date = false;
	int places = 0;
	bool after_point = false;
	for (const char *s = code; *s && *s != ';'; s++) {
		if (*s == '"') {
			const char *e = strchr(s + 1, '"');
			if (!e)
				break;
			s = e;
		} else if (*s == '[') {
			const char *e = strchr(s + 1, ']');
			if (!e)
				break;
			s = e;
		} else if (*s == '\\' && s[1]) {
			s++;
		} else if (*s == '0' || *s == '#' || *s == '?') {
			digit = true;
			if (after_point)
				places++;
		} else if (*s == '.') {
			after_point = true;
		} else if (*s == '%') {
			f.percent = true;
		} else if (strchr("ymdhsYMDHS", *s)) {
			date = true;
		}
	}
	if (digit && !date)
		f.places = places;
	else
		f.percent = false;
	return f;
}

typedef struct xcell {
	size_t row, col;
	const char *text;
	bool justify;
} xcell;

typedef struct xmerge {
	size_t r1, c1, r2, c2;
} xmerge;

typedef struct xctx {
	arena *a;
	/* shared strings */
	const char **sst;
	size_t nsst, capsst;
	int in_si, in_t, in_rph;
	buf si;
	/* styles */
	numfmt *xfs;
	size_t nxfs, capxfs;
	struct { int id; numfmt f; } *fmts;
	size_t nfmts, capfmts;
	int in_cellxfs;
	/* workbook */
	struct { const char *name, *rid; } *sheets;
	size_t nsheets, capsheets;
	/* one sheet */
	xcell *cells;
	size_t ncells, capcells;
	xmerge *merges;
	size_t nmerges, capmerges;
	size_t row, col;
	const char *type;
	int style;
	int in_v, in_is, in_c, in_f;
	buf v;
	bool too_many;
} xctx;

static void sst_open(void *ctx, const char *name, mxml_node_t *node)
{
	xctx *x = ctx;
	(void)node;
	if (strcmp(name, "si") == 0) {
		x->in_si = 1;
		x->si.len = 0;
		if (x->si.data)
			x->si.data[0] = 0;
	} else if (strcmp(name, "t") == 0) {
		x->in_t = 1;
	} else if (strcmp(name, "rPh") == 0) {
		x->in_rph = 1;
	}
}

static void sst_close(void *ctx, const char *name)
{
	xctx *x = ctx;
	if (strcmp(name, "si") == 0) {
		const char **p = vec_push(x->a, &x->sst, &x->nsst, &x->capsst, sizeof *p);
		*p = arena_strdup(x->a, x->si.data ? x->si.data : "");
		x->in_si = 0;
	} else if (strcmp(name, "t") == 0) {
		x->in_t = 0;
	} else if (strcmp(name, "rPh") == 0) {
		x->in_rph = 0;
	}
}

static void sst_text(void *ctx, const char *text)
{
	xctx *x = ctx;
	if (x->in_si && x->in_t && !x->in_rph)
		buf_puts(&x->si, text);
}

static void styles_open(void *ctx, const char *name, mxml_node_t *node)
{
	xctx *x = ctx;
	if (strcmp(name, "numFmt") == 0) {
		const char *id = attr(node, "numFmtId"), *code = attr(node, "formatCode");
		if (id && code) {
			typeof(x->fmts) f = vec_push(x->a, &x->fmts, &x->nfmts, &x->capfmts, sizeof *f);
			f->id = atoi(id);
			f->f = custom_format(code);
		}
	} else if (strcmp(name, "cellXfs") == 0) {
		x->in_cellxfs = 1;
	} else if (strcmp(name, "xf") == 0 && x->in_cellxfs) {
		const char *id = attr(node, "numFmtId");
		int k = id ? atoi(id) : 0;
		numfmt f = builtin_format(k);
		for (size_t i = 0; i < x->nfmts; i++)
			if (x->fmts[i].id == k)
				f = x->fmts[i].f;
		numfmt *p = vec_push(x->a, &x->xfs, &x->nxfs, &x->capxfs, sizeof *p);
		*p = f;
	} else if (strcmp(name, "alignment") == 0 && x->in_cellxfs && x->nxfs) {
		const char *v = attr(node, "vertical");
		if (v && strcmp(v, "justify") == 0)
			x->xfs[x->nxfs - 1].justify = true;
	}
}

static void styles_close(void *ctx, const char *name)
{
	xctx *x = ctx;
	if (strcmp(name, "cellXfs") == 0)
		x->in_cellxfs = 0;
}

static void wb_open(void *ctx, const char *name, mxml_node_t *node)
{
	xctx *x = ctx;
	if (strcmp(name, "sheet") == 0 && x->nsheets < IMP_MAX_SHEETS) {
		const char *n = attr(node, "name"), *rid = attr(node, "id");
		if (n && rid) {
			typeof(x->sheets) s = vec_push(x->a, &x->sheets, &x->nsheets, &x->capsheets, sizeof *s);
			s->name = arena_strdup(x->a, n);
			s->rid = arena_strdup(x->a, rid);
		}
	}
}

/* "B12" → row 11, column 1; false when malformed */
static bool parse_ref(const char *r, size_t *row, size_t *col)
{
	size_t c = 0, n = 0;
	while (*r >= 'A' && *r <= 'Z' && c < 100000)
		c = c * 26 + (size_t)(*r++ - 'A' + 1);
	while (*r >= '0' && *r <= '9' && n < 100000000)
		n = n * 10 + (size_t)(*r++ - '0');
	if (*r || c == 0 || n == 0)
		return false;
	*row = n - 1;
	*col = c - 1;
	return true;
}

static void sheet_open(void *ctx, const char *name, mxml_node_t *node)
{
	xctx *x = ctx;
	if (strcmp(name, "row") == 0) {
		const char *r = attr(node, "r");
		if (r)
			x->row = (size_t)strtoul(r, NULL, 10) - 1;
		x->col = 0;
	} else if (strcmp(name, "c") == 0) {
		const char *r = attr(node, "r");
		size_t row, col;
		if (r && parse_ref(r, &row, &col)) {
			x->row = row;
			x->col = col;
		}
		const char *s = attr(node, "s");
		x->type = attr(node, "t");
		x->type = x->type ? arena_strdup(x->a, x->type) : "n";
		x->style = s ? atoi(s) : 0;
		x->in_c = 1;
		x->v.len = 0;
		if (x->v.data)
			x->v.data[0] = 0;
	} else if (strcmp(name, "v") == 0) {
		x->in_v = 1;
	} else if (strcmp(name, "is") == 0) {
		x->in_is = 1;
	} else if (strcmp(name, "t") == 0 && x->in_is) {
		x->in_t = 1;
	} else if (strcmp(name, "rPh") == 0) {
		x->in_rph = 1;
	} else if (strcmp(name, "f") == 0) {
		x->in_f = 1;
	} else if (strcmp(name, "mergeCell") == 0) {
		const char *ref = attr(node, "ref");
		const char *colon = ref ? strchr(ref, ':') : NULL;
		if (colon && colon - ref < 16) {
			char first[16];
			memcpy(first, ref, (size_t)(colon - ref));
			first[colon - ref] = 0;
			xmerge m;
			if (parse_ref(first, &m.r1, &m.c1) && parse_ref(colon + 1, &m.r2, &m.c2) && m.r2 >= m.r1 &&
			    m.c2 >= m.c1) {
				xmerge *p = vec_push(x->a, &x->merges, &x->nmerges, &x->capmerges, sizeof *p);
				*p = m;
			}
		}
	}
}

static void sheet_close(void *ctx, const char *name)
{
	xctx *x = ctx;
	if (strcmp(name, "c") == 0) {
		const char *v = x->v.data ? x->v.data : "";
		const char *text = NULL;
		if (strcmp(x->type, "s") == 0) {
			char *end;
			unsigned long k = strtoul(v, &end, 10);
			text = *v && !*end && k < x->nsst ? x->sst[k] : "";
		} else if (strcmp(x->type, "inlineStr") == 0 || strcmp(x->type, "str") == 0 ||
		           strcmp(x->type, "e") == 0) {
			text = arena_strdup(x->a, v);
		} else if (strcmp(x->type, "b") == 0) {
			text = strcmp(v, "1") == 0 ? "TRUE" : "FALSE";
		} else if (*v) {
			numfmt f = x->style >= 0 && (size_t)x->style < x->nxfs ? x->xfs[x->style] : (numfmt){-1, false, false};
			text = format_number(x->a, v, f.places, f.percent);
		}
		numfmt st = x->style >= 0 && (size_t)x->style < x->nxfs ? x->xfs[x->style] : (numfmt){-1, false, false};
		if (text && *text) {
			if (x->ncells >= IMP_MAX_CELLS)
				x->too_many = true;
			else {
				xcell *c = vec_push(x->a, &x->cells, &x->ncells, &x->capcells, sizeof *c);
				c->row = x->row;
				c->col = x->col;
				c->text = text;
				c->justify = st.justify;
			}
		}
		x->col++;
		x->in_c = 0;
	} else if (strcmp(name, "v") == 0) {
		x->in_v = 0;
	} else if (strcmp(name, "is") == 0) {
		x->in_is = 0;
	} else if (strcmp(name, "t") == 0) {
		x->in_t = 0;
	} else if (strcmp(name, "rPh") == 0) {
		x->in_rph = 0;
	} else if (strcmp(name, "f") == 0) {
		x->in_f = 0;
	} else if (strcmp(name, "row") == 0) {
		x->row++;
	}
}

static void sheet_text(void *ctx, const char *text)
{
	xctx *x = ctx;
	if (x->in_c && ((x->in_v && !x->in_f) || (x->in_is && x->in_t && !x->in_rph)))
		buf_puts(&x->v, text);
}

/* One sheet's cells into blocks: a row whose one cell starts in the first column and spans
 * several columns (or the sheet has one column) is a paragraph; runs of other rows are tables. */
static int sheet_blocks(xctx *x, imp_doc *doc, const char *sheet, const pkg *p, buf *err)
{
	size_t nr = 0, nc = 0;
	for (size_t i = 0; i < x->ncells; i++) {
		if (x->cells[i].row + 1 > nr)
			nr = x->cells[i].row + 1;
		if (x->cells[i].col + 1 > nc)
			nc = x->cells[i].col + 1;
	}
	for (size_t i = 0; i < x->nmerges; i++) {
		if (x->merges[i].r1 >= nr || x->merges[i].c1 >= nc)
			continue;
		if (x->merges[i].r2 >= nr)
			x->merges[i].r2 = nr - 1;
		if (x->merges[i].c2 >= nc)
			x->merges[i].c2 = nc - 1;
	}
	push_block(x->a, doc, (imp_block){.kind = BLK_SHEET, .text = sheet});
	if (nr == 0)
		return 0;
	if (nc > 16384 || nr > 1048576 || nr * nc > IMP_MAX_CELLS)
		return fail(err, "“%s”的工作表“%s”有 %zu 行 %zu 列，超过上限 %d 个单元格，不予读取", p->path, sheet,
		            nr, nc, IMP_MAX_CELLS);
	imp_cell *g = arena_alloc(x->a, nr * nc * sizeof *g);
	for (size_t i = 0; i < nr * nc; i++) {
		g[i].text = "";
		g[i].span = 1;
	}
	bool *justify = arena_alloc(x->a, nr * sizeof *justify);
	for (size_t i = 0; i < x->ncells; i++) {
		g[x->cells[i].row * nc + x->cells[i].col].text = x->cells[i].text;
		if (x->cells[i].col == 0)
			justify[x->cells[i].row] = x->cells[i].justify;
	}
	for (size_t i = 0; i < x->nmerges; i++) {
		xmerge m = x->merges[i];
		if (m.r1 >= nr || m.c1 >= nc)
			continue;
		g[m.r1 * nc + m.c1].span = (int)(m.c2 - m.c1 + 1);
		for (size_t r = m.r1; r <= m.r2; r++)
			for (size_t c = m.c1; c <= m.c2; c++)
				if (r != m.r1 || c != m.c1) {
					g[r * nc + c].cover = r == m.r1 ? COVER_H : COVER_V;
					g[r * nc + c].text = "";
				}
	}
	size_t start = 0;
	bool in_table = false;
	for (size_t r = 0; r <= nr; r++) {
		size_t k = 0, first = 0;
		if (r < nr)
			for (size_t c = 0; c < nc; c++) {
				const imp_cell *cell = &g[r * nc + c];
				if (cell->cover == COVER_NONE && cell->text[0]) {
					if (k++ == 0)
						first = c;
				}
			}
		bool para = r < nr && k == 1 && first == 0 && (g[r * nc].span > 1 || nc == 1);
		if (in_table && (r == nr || k == 0 || para)) {
			push_block(x->a, doc, (imp_block){.kind = BLK_TABLE, .nrows = r - start, .ncols = nc,
			                                  .cells = g + start * nc, .where = start + 1});
			in_table = false;
		}
		if (r == nr)
			break;
		if (para && justify[r] && r > 0 && justify[r - 1] && doc->n && doc->blocks[doc->n - 1].kind == BLK_PARA &&
		    doc->blocks[doc->n - 1].where == r && strncmp(g[r * nc].text, "\xE3\x80\x80", 3) != 0) {
			/* the next piece of a paragraph too tall for one row */
			imp_block *prev = &doc->blocks[doc->n - 1];
			prev->text = arena_printf(x->a, "%s%s", prev->text, g[r * nc].text);
			prev->where = r + 1;
		} else if (para)
			push_block(x->a, doc, (imp_block){.kind = BLK_PARA, .text = g[r * nc].text, .where = r + 1});
		else if (k > 0 && !in_table) {
			in_table = true;
			start = r;
		}
	}
	return 0;
}

static int read_part(arena *a, pkg *p, const char *name, sax *s, bool required, buf *err)
{
	(void)a;
	char *xml;
	size_t len;
	int r = pkg_read(p, name, &xml, &len, err);
	if (r)
		return r < 0 ? -1 : required ? fail(err, "“%s”中缺少“%s”", p->path, name) : 0;
	r = xml_parse(p, name, xml, len, s, err);
	free(xml);
	return r;
}

static int read_xlsx(arena *a, pkg *p, const char *wb_part, imp_doc *doc, buf *err)
{
	xctx x = {.a = a};
	int r;
	const char *dir = "xl/";
	const char *slash = strrchr(wb_part, '/');
	if (slash)
		dir = arena_strndup(a, wb_part, (size_t)(slash - wb_part + 1));
	const char *rels_name = arena_printf(a, "%s_rels/%s", dir, slash ? slash + 1 : wb_part);
	sax s = {sst_open, sst_close, sst_text, &x};
	rels_ctx rc = {.a = a, .dir = dir, .type_suffix = "/sharedStrings"};
	sax rs = {rels_open, ignore_close, ignore_text, &rc};
	if ((r = read_part(a, p, rels_name, &rs, false, err)) != 0)
		goto out;
	if ((r = read_part(a, p, rc.found ? rc.found : arena_printf(a, "%ssharedStrings.xml", dir), &s,
	                   false, err)) != 0)
		goto out;
	rc.found = NULL;
	rc.type_suffix = "/styles";
	if ((r = read_part(a, p, rels_name, &rs, false, err)) != 0)
		goto out;
	s = (sax){styles_open, styles_close, ignore_text, &x};
	if ((r = read_part(a, p, rc.found ? rc.found : arena_printf(a, "%sstyles.xml", dir), &s, false,
	                   err)) != 0)
		goto out;
	s = (sax){wb_open, ignore_close, ignore_text, &x};
	if ((r = read_part(a, p, wb_part, &s, true, err)) != 0)
		goto out;
	for (size_t i = 0; i < x.nsheets; i++) {
		rc.found = NULL;
		rc.id = x.sheets[i].rid;
		if ((r = read_part(a, p, rels_name, &rs, false, err)) != 0)
			goto out;
		const char *part = rc.found ? rc.found : arena_printf(a, "%sworksheets/sheet%zu.xml", dir, i + 1);
		x.ncells = x.nmerges = 0;
		x.row = x.col = 0;
		x.in_c = x.in_v = x.in_is = x.in_t = x.in_f = x.in_rph = 0;
		s = (sax){sheet_open, sheet_close, sheet_text, &x};
		if ((r = read_part(a, p, part, &s, false, err)) != 0)
			goto out;
		if (x.too_many) {
			r = fail(err, "“%s”的工作表“%s”超过 %d 个单元格，不予读取", p->path, x.sheets[i].name,
			         IMP_MAX_CELLS);
			goto out;
		}
		if ((r = sheet_blocks(&x, doc, x.sheets[i].name, p, err)) != 0)
			goto out;
	}
out:
	buf_free(&x.si);
	buf_free(&x.v);
	return r;
}

/* ---- entry point ------------------------------------------------------------------------------ */

int imp_read(arena *a, const char *path, imp_doc *doc, buf *err)
{
	memset(doc, 0, sizeof *doc);
	doc->path = arena_strdup(a, path);
	pkg p;
	if (pkg_open(&p, path, err) != 0)
		return -1;
	rels_ctx rc = {.a = a, .dir = "", .type_suffix = "/officeDocument"};
	sax rs = {rels_open, ignore_close, ignore_text, &rc};
	int r = read_part(a, &p, "_rels/.rels", &rs, false, err);
	const char *main_part = rc.found;
	if (r == 0 && !main_part) {
		zip_stat_t st;
		if (zip_stat(p.z, "word/document.xml", 0, &st) == 0)
			main_part = "word/document.xml";
		else if (zip_stat(p.z, "xl/workbook.xml", 0, &st) == 0)
			main_part = "xl/workbook.xml";
	}
	if (r == 0 && !main_part)
		r = fail(err, "“%s”是 zip 压缩包，但不是 Word（.docx）或 Excel（.xlsx）文件", path);
	if (r == 0)
		r = read_title(a, &p, doc, err);
	if (r == 0) {
		const char *base = strrchr(main_part, '/');
		base = base ? base + 1 : main_part;
		if (strcmp(base, "workbook.xml") == 0) {
			doc->sheet = true;
			r = read_xlsx(a, &p, main_part, doc, err);
		} else {
			r = read_docx(a, &p, main_part, doc, err);
		}
	}
	pkg_close(&p);
	return r;
}
