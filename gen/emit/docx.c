/* docx.c — the Word back end (docx.h). Owns the WordprocessingML written for the IR:
 * one Word paragraph style per layout style, paragraphs with their outline levels, tables (grid,
 * spans, merges split and labels stated again where paginate.c breaks the page, borders, repeated
 * header rows), sections and footers, the table of contents as a TOC field whose cached result
 * has the page numbers that paginate.c computed, and the filling and packaging of the templates
 * in layouts/docx.
 *
 * Map of the file: template parts (load, check, save) · XML text helpers · styles · paragraphs ·
 * tables · table of contents · sections and the body · the other parts · the zip package. */
#include "emit/docx.h"

#include <errno.h>
#include <mxml.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <zip.h>

#include "base/util.h"

/* ---- template parts ------------------------------------------------------------------------- */

/* ORDER part_id: part_names[], part_roots[]. The zip entries are written in this order, the
 * content types first as the Open Packaging Conventions expect. */
typedef enum part_id {
	P_CONTENT_TYPES,
	P_RELS,
	P_CORE,
	P_APP,
	P_DOCUMENT,
	P_DOCUMENT_RELS,
	P_STYLES,
	P_SETTINGS,
	P_FONTS,
	P_FOOTER_NUMBERED,
	P_FOOTER_EMPTY,
	P_COUNT
} part_id;

static const char *const part_names[P_COUNT] = {
	"[Content_Types].xml", "_rels/.rels",       "docProps/core.xml",  "docProps/app.xml",
	"word/document.xml",   "word/_rels/document.xml.rels", "word/styles.xml", "word/settings.xml",
	"word/fontTable.xml",  "word/footer1.xml",  "word/footer2.xml",
};

/* The root element each part must have. */
static const char *const part_roots[P_COUNT] = {
	"Types",    "Relationships", "cp:coreProperties", "Properties", "w:document", "Relationships",
	"w:styles", "w:settings",    "w:fonts",           "w:ftr",      "w:ftr",
};

enum { TEMPLATE_MAX = 16 << 20 };

/* Deepest element nesting a template part may have (Word's own documents stay under 30 levels);
 * deeper is refused before strip_template, which recurses, could exhaust the stack. */
enum { TEMPLATE_MAX_DEPTH = 256 };

/* The heading levels a document may have (doc.h: 1 = part, 2 = chapter, 3 = project). */
enum { MAX_LEVEL = 9 };

/* How a layout style is used; decides the Word style it is based on. */
typedef enum style_use {
	USE_BODY,    /* prose, captions, notes, cover */
	USE_HEADING, /* a heading of `level` (also a table title carrying a hidden heading) */
	USE_TOC,     /* a table of contents entry of `level` */
	USE_CELL,    /* a table cell */
	USE_FOOTER   /* the page number */
} style_use;

/* One Word paragraph style made from a doc_style (the first use decides its base). */
typedef struct wstyle {
	const doc_style *st;
	char id[32];       /* "bg1" …, or the template's default paragraph style for 正文 */
	char *name;        /* w:name: the layout name, cell styles prefixed 表格 */
	style_use use;
	int level;         /* USE_HEADING, USE_TOC */
	bool is_default;   /* fills a template style (the default paragraph style, "toc N") instead
	                      of a new one: Word's "Update table" gives its entries "toc N" */
} wstyle;

typedef struct docx {
	const doc_document *doc;
	const pg_result *pages;
	font_set *fonts;
	const char *dir;          /* templates */
	const char *const *mem_text; /* emit_docx_fill_parts: the parts' bytes, else NULL (read dir) */
	const size_t *mem_len;
	char *err;
	size_t errlen;
	bool failed;
	mxml_node_t *tree[P_COUNT];
	char *xml[P_COUNT];        /* the parts as saved */
	char default_style[32];    /* styleId of the template's default paragraph style, or "" */
	char rid_numbered[64];     /* relationship ids of footer1.xml and footer2.xml */
	char rid_empty[64];
	wstyle *styles;
	size_t nstyles;
	buf body;                  /* w:body content, as XML text */
	size_t last_p_end;         /* body.len right after the last top-level paragraph */
	size_t last_ppr_close;     /* offset of that paragraph's "</w:pPr>" */
	int *pending;              /* anchors of hidden headings waiting for the next paragraph */
	int *pending_levels;
	const doc_block **pending_blocks;
	size_t npending, pending_cap;
	int level;                 /* of the last heading, printed or not (0 before the first) */
	bool page_break;           /* the next paragraph starts a new page */
	bool first_numbered_done;  /* page numbering has been restarted at 1 */
	mpt text_width;            /* of the current section */
} docx;

__attribute__((format(printf, 2, 3))) static int fail(docx *dx, const char *fmt, ...)
{
	if (!dx->failed) {
		va_list ap;
		va_start(ap, fmt);
		vsnprintf(dx->err, dx->errlen, fmt, ap);
		va_end(ap);
		dx->failed = true;
	}
	return -1;
}

/* Mini-XML reports parse errors through a per-thread callback. */
static __thread char mxml_message[256];

static void on_mxml_error(const char *message)
{
	snprintf(mxml_message, sizeof mxml_message, "%s", message);
	size_t n = strlen(mxml_message);
	while (n && (mxml_message[n - 1] == '\n' || mxml_message[n - 1] == '.'))
		mxml_message[--n] = '\0';
}

static bool is_blank(const char *s)
{
	for (; *s; s++)
		if (*s != ' ' && *s != '\t' && *s != '\n' && *s != '\r')
			return false;
	return true;
}

/* Drops comments, and the indentation between elements of the readable templates (text that is
 * only white space, except inside w:t). */
static void strip_template(mxml_node_t *top)
{
	mxml_node_t *n = mxmlGetFirstChild(top);
	while (n) {
		mxml_node_t *next = mxmlGetNextSibling(n);
		const char *name = mxmlGetElement(n);
		if (mxmlGetType(n) == MXML_ELEMENT && name && strncmp(name, "!--", 3) == 0) {
			mxmlDelete(n);
		} else if (mxmlGetType(n) == MXML_OPAQUE) {
			const char *parent = mxmlGetElement(top);
			const char *text = mxmlGetOpaque(n);
			if (!(parent && strcmp(parent, "w:t") == 0) && (!text || is_blank(text)))
				mxmlDelete(n);
		} else if (mxmlGetType(n) == MXML_ELEMENT) {
			strip_template(n);
		}
		n = next;
	}
}

/* The document element: the first element that is neither a declaration nor a comment (Mini-XML
 * makes the nodes after <?xml …?> its children). */
static mxml_node_t *root_of(mxml_node_t *tree)
{
	for (mxml_node_t *n = tree; n; n = mxmlWalkNext(n, tree, MXML_DESCEND)) {
		const char *name = mxmlGetType(n) == MXML_ELEMENT ? mxmlGetElement(n) : NULL;
		if (name && name[0] != '?' && name[0] != '!')
			return n;
	}
	return NULL;
}

/* Whether the tree under top nests deeper than limit (iteratively: a deep tree is the danger). */
static bool nests_deeper(mxml_node_t *top, int limit)
{
	int depth = 0;
	mxml_node_t *n = top;
	for (;;) {
		mxml_node_t *child = mxmlGetFirstChild(n);
		if (child) {
			if (++depth > limit)
				return true;
			n = child;
			continue;
		}
		while (n != top && !mxmlGetNextSibling(n)) {
			n = mxmlGetParent(n);
			depth--;
		}
		if (n == top)
			return false;
		n = mxmlGetNextSibling(n);
	}
}

static int load_part(docx *dx, part_id id)
{
	size_t n = strlen(dx->dir) + strlen(part_names[id]) + 2;
	char *path = xmalloc(n);
	snprintf(path, n, "%s/%s", dx->dir, part_names[id]);
	char *data = NULL;
	size_t len = 0;
	int e = 0;
	if (!dx->mem_text) {
		e = file_read(path, TEMPLATE_MAX, &data, &len);
	} else if ((len = dx->mem_len[id]) > TEMPLATE_MAX) {
		e = EFBIG;
	} else {
		data = xmalloc(len + 1);
		memcpy(data, dx->mem_text[id], len);
		data[len] = '\0';
	}
	if (e) {
		fail(dx, "Word 模板 %s 无法读取（部件 %s）：%s", path, part_names[id], errno_text(e));
		free(path);
		return -1;
	}
	mxml_message[0] = '\0';
	mxmlSetErrorCallback(on_mxml_error);
	if (memchr(data, '\0', len))
		snprintf(mxml_message, sizeof mxml_message, "含有 NUL 字节");
	mxml_node_t *tree = mxml_message[0] ? NULL : mxmlLoadString(NULL, data, MXML_OPAQUE_CALLBACK);
	free(data);
	mxml_node_t *root = tree ? root_of(tree) : NULL;
	if (!tree) {
		fail(dx, "Word 模板 %s 不是格式正确的 XML（部件 %s）：%s", path, part_names[id],
		     mxml_message[0] ? mxml_message : "文件不完整（注释、标记或元素没有结束）");
	} else if (!root || strcmp(mxmlGetElement(root), part_roots[id]) != 0) {
		fail(dx, "Word 模板 %s 的根元素是 <%s>，部件 %s 应为 <%s>", path,
		     root ? mxmlGetElement(root) : "（无）", part_names[id], part_roots[id]);
	} else if (nests_deeper(tree, TEMPLATE_MAX_DEPTH)) {
		fail(dx, "Word 模板 %s 的元素嵌套超过 %d 层（部件 %s）", path, TEMPLATE_MAX_DEPTH,
		     part_names[id]);
	}
	free(path);
	if (dx->failed) {
		if (tree)
			mxmlDelete(tree);
		return -1;
	}
	strip_template(tree);
	dx->tree[id] = tree;
	return 0;
}

static mxml_node_t *find(mxml_node_t *top, const char *element)
{
	return mxmlFindElement(top, top, element, NULL, NULL, MXML_DESCEND);
}

static mxml_node_t *find_next(mxml_node_t *from, mxml_node_t *top, const char *element)
{
	return mxmlFindElement(from, top, element, NULL, NULL, MXML_DESCEND);
}

/* The text of a paragraph: its w:t contents joined (Word splits a placeholder across runs). */
static void paragraph_text(mxml_node_t *p, buf *out)
{
	for (mxml_node_t *t = find(p, "w:t"); t; t = find_next(t, p, "w:t"))
		for (mxml_node_t *c = mxmlGetFirstChild(t); c; c = mxmlGetNextSibling(c))
			if (mxmlGetType(c) == MXML_OPAQUE && mxmlGetOpaque(c))
				buf_puts(out, mxmlGetOpaque(c));
}

/* The paragraph whose whole text is `placeholder` (spaces around it allowed), or NULL. */
static mxml_node_t *find_placeholder(mxml_node_t *top, const char *placeholder)
{
	for (mxml_node_t *p = find(top, "w:p"); p; p = find_next(p, top, "w:p")) {
		buf b = {0};
		paragraph_text(p, &b);
		const char *s = b.data ? b.data : "";
		while (*s == ' ')
			s++;
		size_t n = strlen(placeholder);
		bool hit = strncmp(s, placeholder, n) == 0 && is_blank(s + n);
		buf_free(&b);
		if (hit)
			return p;
	}
	return NULL;
}

/* Parses an XML fragment (several elements, no declaration) and moves its nodes next to `at`:
 * before it, or as the last children of it when `inside`. */
static int insert_fragment(docx *dx, part_id id, const char *xml, mxml_node_t *at, bool inside)
{
	buf b = {0};
	buf_puts(&b, "<budgetgen>");
	buf_puts(&b, xml);
	buf_puts(&b, "</budgetgen>");
	mxml_message[0] = '\0';
	mxmlSetErrorCallback(on_mxml_error);
	mxml_node_t *frag = mxmlLoadString(NULL, b.data, MXML_OPAQUE_CALLBACK);
	buf_free(&b);
	if (!frag) /* a bug in this file, not in the template */
		return fail(dx, "生成部件 %s 时出错：%s", part_names[id], mxml_message);
	mxml_node_t *n;
	while ((n = mxmlGetFirstChild(frag)) != NULL) {
		if (inside)
			mxmlAdd(at, MXML_ADD_AFTER, MXML_ADD_TO_PARENT, n);
		else
			mxmlAdd(mxmlGetParent(at), MXML_ADD_BEFORE, at, n);
	}
	mxmlDelete(frag);
	return 0;
}

/* Replaces the children of element e by the text s. */
static void set_text(mxml_node_t *e, const char *s)
{
	mxml_node_t *c;
	while ((c = mxmlGetFirstChild(e)) != NULL)
		mxmlDelete(c);
	if (*s)
		mxmlNewOpaque(e, s);
}

static int save_part(docx *dx, part_id id)
{
	mxmlSetWrapMargin(0);
	dx->xml[id] = mxmlSaveAllocString(dx->tree[id], MXML_NO_CALLBACK);
	if (!dx->xml[id])
		return fail(dx, "部件 %s 无法写出（内存不足）", part_names[id]);
	return 0;
}

/* ---- XML text ------------------------------------------------------------------------------- */

/* Escapes s for element content and attribute values; characters XML 1.0 cannot hold (control
 * characters other than tab and line breaks) are dropped. */
static void xml_escape(buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		switch (c) {
		case '&': buf_puts(b, "&amp;"); break;
		case '<': buf_puts(b, "&lt;"); break;
		case '>': buf_puts(b, "&gt;"); break;
		case '"': buf_puts(b, "&quot;"); break;
		default:
			if (c >= 0x20 || c == '\t' || c == '\n' || c == '\r')
				buf_putc(b, (char)c);
		}
	}
}

static void xml_escape_str(buf *b, const char *s)
{
	xml_escape(b, s, strlen(s));
}

/* Millipoints → twentieths of a point (twips), rounded. */
static int twips(mpt v)
{
	return v >= 0 ? (v + 25) / 50 : -((-v + 25) / 50);
}

/* Millipoints → half-points (w:sz). */
static int half_points(mpt v)
{
	int h = (v + 250) / 500;
	return h < 2 ? 2 : h;
}

/* One w:t piece, with xml:space="preserve" when Word would otherwise drop its blanks. */
static void write_t(buf *b, const char *s, size_t n)
{
	if (!n)
		return;
	bool keep = s[0] == ' ' || s[n - 1] == ' ';
	for (size_t i = 0; i + 1 < n && !keep; i++)
		keep = s[i] == ' ' && s[i + 1] == ' ';
	buf_puts(b, keep ? "<w:t xml:space=\"preserve\">" : "<w:t>");
	xml_escape(b, s, n);
	buf_puts(b, "</w:t>");
}

/* A run holding the len bytes of text: line feeds become w:br, tabs w:tab. Nothing for "". */
static void write_run_n(buf *b, const char *text, size_t len)
{
	if (!len)
		return;
	buf_puts(b, "<w:r>");
	const char *p = text, *end = text + len;
	for (;;) {
		size_t n = 0;
		while (p + n < end && p[n] != '\n' && p[n] != '\t')
			n++;
		write_t(b, p, n);
		if (p + n >= end)
			break;
		buf_puts(b, p[n] == '\n' ? "<w:br/>" : "<w:tab/>");
		p += n + 1;
	}
	buf_puts(b, "</w:r>");
}

static void write_run(buf *b, const char *text)
{
	write_run_n(b, text, strlen(text));
}

/* ---- styles --------------------------------------------------------------------------------- */

static const char *role_family(docx *dx, font_role role)
{
	const char *f = font_role_family(dx->fonts, role);
	return f && *f ? f : font_role_name(role);
}

/* w:rFonts: the role's family for Chinese, the Latin face (西文) for digits and Latin letters. */
static void write_rfonts(docx *dx, buf *b, font_role role)
{
	const char *east = role_family(dx, role);
	const char *latin =
		font_role_uses_latin(dx->fonts, role) ? role_family(dx, FONT_ROLE_LATIN) : east;
	buf_puts(b, "<w:rFonts w:ascii=\"");
	xml_escape_str(b, latin);
	buf_puts(b, "\" w:hAnsi=\"");
	xml_escape_str(b, latin);
	buf_puts(b, "\" w:eastAsia=\"");
	xml_escape_str(b, east);
	buf_puts(b, "\" w:cs=\"");
	xml_escape_str(b, latin);
	buf_puts(b, "\" w:hint=\"eastAsia\"/>");
}

static const char *jc_value(doc_align a)
{
	switch (a) {
	case ALIGN_LEFT: return "left";
	case ALIGN_CENTER: return "center";
	case ALIGN_RIGHT: return "right";
	case ALIGN_JUSTIFY: return "both";
	}
	return "left";
}

/* The w:pPr and w:rPr of a style: every property set, so nothing leaks in from a base style. No
 * extra space between Chinese and Latin text (the PDF adds none); page numbers are centred, as
 * the PDF back end always does. */
static void write_style_props(docx *dx, buf *b, const wstyle *ws)
{
	const doc_style *st = ws->st;
	mpt line = st->line_height ? st->line_height : st->size * 13 / 10;
	buf_puts(b, "<w:pPr>");
	if (ws->use == USE_HEADING)
		buf_puts(b, "<w:keepNext/>");
	buf_puts(b, "<w:autoSpaceDE w:val=\"0\"/><w:autoSpaceDN w:val=\"0\"/>");
	buf_printf(b, "<w:spacing w:before=\"%d\" w:after=\"%d\" w:line=\"%d\" w:lineRule=\"exact\"/>",
	           twips(st->space_before), twips(st->space_after), twips(line));
	buf_printf(b, "<w:ind w:left=\"0\" w:right=\"0\" w:firstLine=\"%d\"/>",
	           ws->use == USE_CELL ? 0 : twips(st->first_indent));
	doc_align align = ws->use == USE_FOOTER ? ALIGN_CENTER : st->align;
	buf_printf(b, "<w:jc w:val=\"%s\"/>", jc_value(align));
	if (ws->use == USE_HEADING && ws->level >= 1 && ws->level <= MAX_LEVEL)
		buf_printf(b, "<w:outlineLvl w:val=\"%d\"/>", ws->level - 1);
	buf_puts(b, "</w:pPr><w:rPr>");
	write_rfonts(dx, b, st->role);
	buf_puts(b, st->bold ? "<w:b/><w:bCs/>" : "<w:b w:val=\"0\"/><w:bCs w:val=\"0\"/>");
	buf_printf(b, "<w:sz w:val=\"%d\"/><w:szCs w:val=\"%d\"/>", half_points(st->size),
	           half_points(st->size));
	buf_puts(b, "</w:rPr>");
}

/* The styleId of a template style, if the template defines it. */
static bool template_has_style(docx *dx, const char *id)
{
	mxml_node_t *top = dx->tree[P_STYLES];
	return mxmlFindElement(top, top, "w:style", "w:styleId", id, MXML_DESCEND) != NULL;
}

/* Whether two layout styles write the same Word style (a fitted table's cells have copies of
 * the layout's styles, most of them at the layout's size). */
static bool same_style(const doc_style *a, const doc_style *b)
{
	return (a->name == b->name || (a->name && b->name && strcmp(a->name, b->name) == 0)) &&
	       a->role == b->role && a->size == b->size && a->bold == b->bold &&
	       a->align == b->align && a->valign == b->valign && a->first_indent == b->first_indent &&
	       a->line_height == b->line_height && a->space_before == b->space_before &&
	       a->space_after == b->space_after && a->pad_x == b->pad_x && a->pad_y == b->pad_y;
}

/* The Word style for a layout style, made on first use (a cell style: on first use of one like
 * it, so that the fitted copies of a style share one Word style per size). */
static const char *style_for(docx *dx, const doc_style *st, style_use use, int level)
{
	for (size_t i = 0; i < dx->nstyles; i++)
		if (dx->styles[i].st == st)
			return dx->styles[i].id;
	for (size_t i = 0; use == USE_CELL && i < dx->nstyles; i++)
		if (dx->styles[i].use == USE_CELL && same_style(dx->styles[i].st, st))
			return dx->styles[i].id;
	dx->styles = xrealloc(dx->styles, (dx->nstyles + 1) * sizeof *dx->styles);
	wstyle *ws = &dx->styles[dx->nstyles++];
	*ws = (wstyle){.st = st, .use = use, .level = level};
	/* "正文" is the Chinese name of Word's default style: the body style fills that one */
	if (use == USE_BODY && st->name && strcmp(st->name, "正文") == 0 && dx->default_style[0]) {
		bool taken = false;
		for (size_t i = 0; i + 1 < dx->nstyles; i++)
			taken |= dx->styles[i].is_default;
		if (!taken) {
			ws->is_default = true;
			snprintf(ws->id, sizeof ws->id, "%s", dx->default_style);
			ws->name = xstrdup(st->name);
			return ws->id;
		}
	}
	/* a contents style fills the template's "toc N", which Word gives the entries it makes */
	char toc[32];
	snprintf(toc, sizeof toc, "TOC%d", level);
	if (use == USE_TOC && level >= 1 && level <= MAX_LEVEL && template_has_style(dx, toc)) {
		bool taken = false;
		for (size_t i = 0; i + 1 < dx->nstyles; i++)
			taken |= strcmp(dx->styles[i].id, toc) == 0;
		if (!taken) {
			ws->is_default = true;
			snprintf(ws->id, sizeof ws->id, "%s", toc);
			ws->name = xstrdup(st->name ? st->name : toc);
			return ws->id;
		}
	}
	snprintf(ws->id, sizeof ws->id, "bg%zu", dx->nstyles);
	const char *base = st->name && *st->name ? st->name : "样式";
	buf name = {0};
	for (int k = 1;; k++) {
		name.len = 0;
		buf_printf(&name, "%s%s", use == USE_CELL ? "表格" : "", base);
		if (k > 1)
			buf_printf(&name, " %d", k);
		bool dup = false;
		for (size_t i = 0; i + 1 < dx->nstyles && !dup; i++)
			dup = strcmp(dx->styles[i].name, name.data) == 0;
		if (!dup)
			break;
	}
	ws->name = name.data;
	return ws->id;
}

/* The template style a generated style is based on ("heading 2", "toc 1", "footer", else the
 * default paragraph style), written into base; "" for none. */
static void style_base(docx *dx, const wstyle *ws, char base[32])
{
	base[0] = '\0';
	switch (ws->use) {
	case USE_HEADING: snprintf(base, 32, "Heading%d", ws->level); break;
	case USE_TOC: snprintf(base, 32, "TOC%d", ws->level); break;
	case USE_FOOTER: snprintf(base, 32, "Footer"); break;
	case USE_BODY:
	case USE_CELL: break;
	}
	if (!base[0] || !template_has_style(dx, base))
		snprintf(base, 32, "%s", dx->default_style);
}

/* Replaces the w:pPr and w:rPr of a template style (the default paragraph style, "toc N") by
 * those of the layout style that fills it. */
static int fill_default_style(docx *dx, const wstyle *ws)
{
	mxml_node_t *top = dx->tree[P_STYLES];
	mxml_node_t *s = mxmlFindElement(top, top, "w:style", "w:styleId", ws->id, MXML_DESCEND);
	if (!s)
		return 0;
	mxml_node_t *c = mxmlGetFirstChild(s), *before = NULL;
	while (c) {
		mxml_node_t *next = mxmlGetNextSibling(c);
		const char *name = mxmlGetType(c) == MXML_ELEMENT ? mxmlGetElement(c) : "";
		if (strcmp(name, "w:pPr") == 0 || strcmp(name, "w:rPr") == 0)
			mxmlDelete(c);
		else if (!before && (strcmp(name, "w:tblPr") == 0 || strcmp(name, "w:trPr") == 0 ||
		                     strcmp(name, "w:tcPr") == 0 || strcmp(name, "w:tblStylePr") == 0))
			before = c;
		c = next;
	}
	buf b = {0};
	write_style_props(dx, &b, ws);
	int r = before ? insert_fragment(dx, P_STYLES, b.data, before, false)
	               : insert_fragment(dx, P_STYLES, b.data, s, true);
	buf_free(&b);
	return r;
}

/* word/styles.xml: document default fonts from the roles, then the generated styles. */
static int fill_styles(docx *dx)
{
	mxml_node_t *top = dx->tree[P_STYLES];
	mxml_node_t *defaults = find(top, "w:rPrDefault");
	mxml_node_t *rf = defaults ? find(defaults, "w:rFonts") : NULL;
	if (rf) {
		const char *latin = role_family(dx, FONT_ROLE_LATIN);
		mxmlElementSetAttr(rf, "w:ascii", latin);
		mxmlElementSetAttr(rf, "w:hAnsi", latin);
		mxmlElementSetAttr(rf, "w:cs", latin);
		mxmlElementSetAttr(rf, "w:eastAsia", role_family(dx, FONT_ROLE_FANGSONG));
	}
	buf b = {0};
	for (size_t i = 0; i < dx->nstyles; i++) {
		const wstyle *ws = &dx->styles[i];
		if (ws->is_default) {
			if (fill_default_style(dx, ws))
				break;
			continue;
		}
		buf_printf(&b, "<w:style w:type=\"paragraph\" w:customStyle=\"1\" w:styleId=\"%s\">",
		           ws->id);
		buf_puts(&b, "<w:name w:val=\"");
		xml_escape_str(&b, ws->name);
		buf_puts(&b, "\"/>");
		char base[32];
		style_base(dx, ws, base);
		if (base[0])
			buf_printf(&b, "<w:basedOn w:val=\"%s\"/>", base);
		if (ws->use == USE_HEADING && dx->default_style[0])
			buf_printf(&b, "<w:next w:val=\"%s\"/>", dx->default_style);
		buf_puts(&b, ws->use == USE_CELL || ws->use == USE_FOOTER ? "" : "<w:qFormat/>");
		write_style_props(dx, &b, ws);
		buf_puts(&b, "</w:style>");
	}
	mxml_node_t *root = root_of(top);
	int r = dx->failed ? -1 : b.len ? insert_fragment(dx, P_STYLES, b.data, root, true) : 0;
	buf_free(&b);
	return r;
}

/* ---- paragraphs ----------------------------------------------------------------------------- */

/* Paragraph properties beyond the style, written in the schema's order. */
typedef struct ppr {
	const char *style;      /* styleId; NULL or the default style: no w:pStyle */
	bool keep_next;
	int outline;            /* heading level 1–9, 0 = none, -1 = body text (in a heading style) */
	bool vanish;            /* the whole paragraph is hidden text (a heading the PDF does not print) */
	mpt tab_right;          /* a right tab stop here, 0 = none */
	bool tab_dots;          /* … with a middle-dot leader (table of contents) */
	bool set_ind;           /* w:ind left = ind_left, right = ind_right, first line 0 */
	mpt ind_left, ind_right;
	mpt exact_line;         /* > 0: a spacer: no spacing, this exact line height */
	bool hidden_mark;       /* spacer between two parts of a table: mark hidden and tiny */
} ppr;

/* Writes <w:p><w:pPr>…</w:pPr>; the caller writes the content and </w:p>. Takes the pending
 * page break, and remembers where the pPr closes (a section break may be put there). */
static void p_open(docx *dx, const ppr *pp)
{
	buf *b = &dx->body;
	buf_puts(b, "<w:p><w:pPr>");
	if (pp->style && strcmp(pp->style, dx->default_style) != 0)
		buf_printf(b, "<w:pStyle w:val=\"%s\"/>", pp->style);
	if (pp->keep_next)
		buf_puts(b, "<w:keepNext/>");
	if (dx->page_break) {
		buf_puts(b, "<w:pageBreakBefore/>");
		dx->page_break = false;
	}
	if (pp->tab_right > 0)
		buf_printf(b, "<w:tabs><w:tab w:val=\"right\"%s w:pos=\"%d\"/></w:tabs>",
		           pp->tab_dots ? " w:leader=\"middleDot\"" : "", twips(pp->tab_right));
	if (pp->exact_line > 0)
		buf_printf(b,
		           "<w:spacing w:before=\"0\" w:after=\"0\" w:line=\"%d\" w:lineRule=\"exact\"/>",
		           twips(pp->exact_line) > 0 ? twips(pp->exact_line) : 1);
	if (pp->set_ind)
		buf_printf(b, "<w:ind w:left=\"%d\" w:right=\"%d\" w:firstLine=\"0\"/>",
		           twips(pp->ind_left), twips(pp->ind_right));
	if (pp->outline >= 1 && pp->outline <= MAX_LEVEL)
		buf_printf(b, "<w:outlineLvl w:val=\"%d\"/>", pp->outline - 1);
	else if (pp->outline < 0)
		buf_puts(b, "<w:outlineLvl w:val=\"9\"/>");
	if (pp->hidden_mark)
		buf_puts(b, "<w:rPr><w:vanish/><w:sz w:val=\"2\"/><w:szCs w:val=\"2\"/></w:rPr>");
	else if (pp->vanish)
		buf_puts(b, "<w:rPr><w:vanish/></w:rPr>");
	dx->last_ppr_close = b->len;
	buf_puts(b, "</w:pPr>");
}

static void p_close(docx *dx)
{
	buf_puts(&dx->body, "</w:p>");
	dx->last_p_end = dx->body.len;
}

/* Bookmarks of the headings that point at this paragraph: its own and the hidden ones waiting. */
static void bookmarks_open(docx *dx, int own)
{
	if (own >= 0)
		buf_printf(&dx->body, "<w:bookmarkStart w:id=\"%d\" w:name=\"_Toc_bg%d\"/>", own, own);
	for (size_t i = 0; i < dx->npending; i++)
		buf_printf(&dx->body, "<w:bookmarkStart w:id=\"%d\" w:name=\"_Toc_bg%d\"/>",
		           dx->pending[i], dx->pending[i]);
}

static void bookmarks_close(docx *dx, int own)
{
	if (own >= 0)
		buf_printf(&dx->body, "<w:bookmarkEnd w:id=\"%d\"/>", own);
	for (size_t i = 0; i < dx->npending; i++)
		buf_printf(&dx->body, "<w:bookmarkEnd w:id=\"%d\"/>", dx->pending[i]);
	dx->npending = 0;
}

/* The outline level of a paragraph that is not a heading of its own: that of the hidden heading
 * waiting for it whose text it prints (a table title standing for its heading). For every other
 * heading waiting (部门预算公开表 above the nine tables) a hidden paragraph with that heading's
 * text and level goes first, so that the navigation pane and Word's "Update table" see it; the
 * bookmarks stay with the printed paragraph, where the PDF's link points. A table title under no
 * heading of its own sits one level below the heading it follows (部门机构设置情况 under
 * 一、部门职责及机构设置情况), as the other children of that heading do. */
static int paragraph_level(docx *dx, const char *text, bool table_title)
{
	int level = 0;
	for (size_t i = 0; i < dx->npending; i++)
		if (strcmp(dx->pending_blocks[i]->text, text) == 0 &&
		    (!level || dx->pending_levels[i] > level))
			level = dx->pending_levels[i];
	for (size_t i = 0; i < dx->npending; i++) {
		const doc_block *h = dx->pending_blocks[i];
		if (strcmp(h->text, text) == 0 || !h->style)
			continue;
		ppr pp = {.style = style_for(dx, h->style, USE_HEADING, h->level),
		          .keep_next = true,
		          .outline = h->level,
		          .vanish = true};
		bool page_break = dx->page_break; /* taken by the printed paragraph */
		dx->page_break = false;
		p_open(dx, &pp);
		buf_puts(&dx->body, "<w:r><w:rPr><w:vanish/></w:rPr>");
		write_t(&dx->body, h->text, strlen(h->text));
		buf_puts(&dx->body, "</w:r>");
		p_close(dx);
		dx->page_break = page_break;
	}
	if (!level && table_title && dx->level > 0)
		level = dx->level < MAX_LEVEL ? dx->level + 1 : MAX_LEVEL;
	return level;
}

/* A paragraph of prose, a heading (own_anchor ≥ 0) or a table title. */
static void write_paragraph(docx *dx, const doc_style *st, const char *text, int level,
                            bool keep_next, int own_anchor, bool table_title)
{
	if (!st)
		return;
	if (!level)
		level = paragraph_level(dx, text, table_title);
	const char *id = style_for(dx, st, level ? USE_HEADING : USE_BODY, level);
	bool heading_style = false;
	for (size_t i = 0; i < dx->nstyles; i++)
		if (dx->styles[i].st == st)
			heading_style = dx->styles[i].use == USE_HEADING;
	ppr pp = {.style = id,
	          .keep_next = keep_next,
	          .outline = level ? level : heading_style ? -1 : 0};
	p_open(dx, &pp);
	bookmarks_open(dx, own_anchor);
	write_run(&dx->body, text);
	bookmarks_close(dx, own_anchor);
	p_close(dx);
}

/* Vertical space: an empty paragraph exactly that high. */
static void write_space(docx *dx, mpt space)
{
	if (space <= 0)
		return;
	ppr pp = {.exact_line = space};
	p_open(dx, &pp);
	p_close(dx);
}

/* ---- tables --------------------------------------------------------------------------------- */

typedef struct table_geom {
	const doc_table *t; /* the table as set (paginate.h: widths and cell styles fitted) */
	int *colx;          /* ncols + 1 column edges in twips */
	int *owner;         /* nrows × ncols: index of the cell covering each position, or -1 */
	const mpt *heights; /* laid-out row heights, or NULL */
	int *breaks;        /* rows that start a new page in the booklet's layout, ascending */
	size_t nbreaks;
	int border;         /* w:sz in eighths of a point */
	const doc_style *pad; /* the table's default cell margins come from this style */
} table_geom;

/* t is the document's table, the key of its layout; the geometry and cells are those of the
 * table as paginate set it (its copy whose column widths and cell sizes fit the page), so that
 * the form has the PDF's columns and text size. */
static void geom_init(docx *dx, const doc_table *t0, table_geom *g)
{
	const pg_table_rows *tr = dx->pages ? pg_table_layout(dx->pages, t0) : NULL;
	const doc_table *t = tr && tr->set ? tr->set : t0;
	g->t = t;
	g->colx = xmalloc((size_t)(t->ncols + 1) * sizeof *g->colx);
	mpt x = 0;
	g->colx[0] = 0;
	for (int c = 0; c < t->ncols; c++) {
		x += t->col_widths[c];
		g->colx[c + 1] = twips(x);
	}
	size_t n = (size_t)t->nrows * (size_t)t->ncols;
	g->owner = xmalloc((n ? n : 1) * sizeof *g->owner);
	for (size_t i = 0; i < n; i++)
		g->owner[i] = -1;
	for (size_t i = 0; i < t->ncells; i++) {
		const doc_cell *c = &t->cells[i];
		for (int r = c->row; r < c->row + c->rowspan && r < t->nrows; r++)
			for (int k = c->col; k < c->col + c->colspan && k < t->ncols; k++)
				if (r >= 0 && k >= 0)
					g->owner[r * t->ncols + k] = (int)i;
	}
	g->heights = tr ? tr->heights : NULL;
	g->breaks = NULL;
	g->nbreaks = 0;
	const pg_result *r = dx->pages;
	bool seen = false;
	for (size_t i = 0; r && i < r->npieces; i++) {
		const pg_table_piece *pc = &r->pieces[i];
		if (pc->table != t0)
			continue;
		if (seen && pc->first_row > 0 && pc->first_row < t->nrows &&
		    (!g->nbreaks || pc->first_row > g->breaks[g->nbreaks - 1])) {
			g->breaks = xrealloc(g->breaks, (g->nbreaks + 1) * sizeof *g->breaks);
			g->breaks[g->nbreaks++] = pc->first_row;
		}
		seen = true;
	}
	int eighths = (t->border * 8 + 500) / 1000;
	g->border = eighths < 2 ? 2 : eighths > 96 ? 96 : eighths;
	g->pad = t->ncells ? t->cells[0].style : NULL;
}

static void geom_free(table_geom *g)
{
	free(g->colx);
	free(g->owner);
	free(g->breaks);
}

/* Whether row r starts a page of the booklet's layout (not its first). */
static bool starts_page(const table_geom *g, int r)
{
	for (size_t i = 0; i < g->nbreaks; i++)
		if (g->breaks[i] == r)
			return true;
	return false;
}

static void write_border(buf *b, const char *side, int sz)
{
	buf_printf(b, "<w:%s w:val=\"single\" w:sz=\"%d\" w:space=\"0\" w:color=\"000000\"/>", side,
	           sz);
}

static void write_margins(buf *b, const char *element, const doc_style *st)
{
	int x = twips(st->pad_x), y = twips(st->pad_y);
	buf_printf(b,
	           "<%s><w:top w:w=\"%d\" w:type=\"dxa\"/><w:left w:w=\"%d\" w:type=\"dxa\"/>"
	           "<w:bottom w:w=\"%d\" w:type=\"dxa\"/><w:right w:w=\"%d\" w:type=\"dxa\"/></%s>",
	           element, y, x, y, x, element);
}

static void write_tbl_open(docx *dx, const table_geom *g)
{
	buf *b = &dx->body;
	const doc_table *t = g->t;
	buf_printf(b, "<w:tbl><w:tblPr><w:tblW w:w=\"%d\" w:type=\"dxa\"/>", g->colx[t->ncols]);
	buf_puts(b, "<w:tblInd w:w=\"0\" w:type=\"dxa\"/><w:tblBorders>");
	static const char *const sides[6] = {"top", "left", "bottom", "right", "insideH", "insideV"};
	for (int i = 0; i < 6; i++)
		write_border(b, sides[i], g->border);
	buf_puts(b, "</w:tblBorders><w:tblLayout w:type=\"fixed\"/>");
	if (g->pad)
		write_margins(b, "w:tblCellMar", g->pad);
	buf_puts(b, "</w:tblPr><w:tblGrid>");
	for (int c = 0; c < t->ncols; c++)
		buf_printf(b, "<w:gridCol w:w=\"%d\"/>", g->colx[c + 1] - g->colx[c]);
	buf_puts(b, "</w:tblGrid>");
}

static const char *valign_value(doc_valign v)
{
	switch (v) {
	case VALIGN_TOP: return "top";
	case VALIGN_MIDDLE: return "center";
	case VALIGN_BOTTOM: return "bottom";
	}
	return "center";
}

/* One w:tc: a cell that starts in this row, the continuation of a vertical merge from above
 * (cell != NULL, continued), or a grid position no cell covers (cell == NULL). A merged label
 * that the booklet shows again at the top of a page (repeat_label) starts a new merge there with
 * its text, in row `row` (restated): Word keeps the PDF's pages when its fonts are the PDF's, so
 * the label is on every page its group spans; where Word breaks elsewhere the label shows twice
 * on one page at the PDF's break, and a page Word starts inside a merge shows the box blank. */
static void write_cell(docx *dx, const table_geom *g, const doc_cell *cell, int col, int row,
                       bool continued, bool keep_next)
{
	if (cell && continued && cell->repeat_label && starts_page(g, row))
		continued = false;
	int rows_left = cell ? cell->row + cell->rowspan - row : 1;
	buf *b = &dx->body;
	int span = cell ? cell->colspan : 1;
	if (col + span > g->t->ncols)
		span = g->t->ncols - col;
	buf_printf(b, "<w:tc><w:tcPr><w:tcW w:w=\"%d\" w:type=\"dxa\"/>",
	           g->colx[col + span] - g->colx[col]);
	if (span > 1)
		buf_printf(b, "<w:gridSpan w:val=\"%d\"/>", span);
	if (cell && continued)
		buf_puts(b, "<w:vMerge/>");
	else if (cell && rows_left > 1)
		buf_puts(b, "<w:vMerge w:val=\"restart\"/>");
	buf_puts(b, "<w:tcBorders>");
	static const char *const sides[4] = {"top", "left", "bottom", "right"};
	for (int i = 0; i < 4; i++)
		write_border(b, sides[i], g->border);
	buf_puts(b, "</w:tcBorders>");
	const doc_style *st = cell ? cell->style : g->pad;
	if (st && g->pad && (st->pad_x != g->pad->pad_x || st->pad_y != g->pad->pad_y))
		write_margins(b, "w:tcMar", st);
	buf_printf(b, "<w:vAlign w:val=\"%s\"/></w:tcPr>",
	           valign_value(st ? st->valign : VALIGN_MIDDLE));
	ppr pp = {.style = st ? style_for(dx, st, USE_CELL, 0) : NULL, .keep_next = keep_next};
	size_t end = dx->last_p_end;
	/* a text of several paragraphs ('\n' between them): one w:p each */
	const char *t = cell && !continued ? cell->text : "";
	for (;;) {
		size_t n = strcspn(t, "\n");
		p_open(dx, &pp);
		write_run_n(b, t, n);
		p_close(dx);
		if (!t[n])
			break;
		t += n + 1;
	}
	dx->last_p_end = end; /* a paragraph inside a table cannot carry a section break */
	buf_puts(b, "</w:tc>");
}

/* Rows [r0, r1) as one w:tbl: rows below `header_end` are marked w:tblHeader (Word repeats them
 * on every page the table reaches), rows below `keep_end` are kept with the row after them. */
static void write_table_rows(docx *dx, const table_geom *g, int r0, int r1, int header_end,
                             int keep_end)
{
	const doc_table *t = g->t;
	buf *b = &dx->body;
	write_tbl_open(dx, g);
	for (int r = r0; r < r1; r++) {
		buf_puts(b, "<w:tr><w:trPr><w:cantSplit/>");
		if (g->heights && g->heights[r] > 0)
			buf_printf(b, "<w:trHeight w:val=\"%d\" w:hRule=\"atLeast\"/>", twips(g->heights[r]));
		if (r < header_end)
			buf_puts(b, "<w:tblHeader/>");
		buf_puts(b, "</w:trPr>");
		for (int c = 0; c < t->ncols;) {
			int i = g->owner[r * t->ncols + c];
			const doc_cell *cell = i >= 0 ? &t->cells[i] : NULL;
			if (cell && cell->col != c) { /* a hole left of a span that started earlier */
				cell = NULL;
			}
			write_cell(dx, g, cell, c, r, cell && cell->row < r, r < keep_end);
			c += cell ? cell->colspan : 1;
		}
		buf_puts(b, "</w:tr>");
	}
	buf_puts(b, "</w:tbl>");
}

/* True when no cell spans across the boundary above row r. */
static bool can_split_at(const doc_table *t, int r)
{
	for (size_t i = 0; i < t->ncells; i++)
		if (t->cells[i].row < r && t->cells[i].row + t->cells[i].rowspan > r)
			return false;
	return true;
}

/* A table with its title, caption line and note. Word repeats only rows at the top of a table,
 * while the row that must repeat (一级指标 | 二级指标 | …) sits below the form's header block: the
 * form is written as two tables, the header block and then the indicator grid whose first row is
 * the repeated header, joined by an empty paragraph with a hidden mark 1/20 pt high, so that the
 * join does not show and Word does not merge the two tables. */
static void write_table(docx *dx, const doc_table *t)
{
	if (*t->title)
		write_paragraph(dx, t->title_style, t->title, 0, true, -1, true);
	if ((*t->caption_left || *t->caption_right) && t->caption_style) {
		ppr pp = {.style = style_for(dx, t->caption_style, USE_BODY, 0),
		          .keep_next = true,
		          .tab_right = *t->caption_right ? dx->text_width : 0};
		p_open(dx, &pp);
		bookmarks_open(dx, -1);
		write_run(&dx->body, t->caption_left);
		if (*t->caption_right) {
			buf_puts(&dx->body, "<w:r><w:tab/></w:r>");
			write_run(&dx->body, t->caption_right);
		}
		bookmarks_close(dx, -1);
		p_close(dx);
	}
	if (dx->npending || dx->page_break) { /* a table with neither title nor caption */
		ppr pp = {.keep_next = true, .exact_line = 1000};
		p_open(dx, &pp);
		bookmarks_open(dx, -1);
		bookmarks_close(dx, -1);
		p_close(dx);
	}
	if (t->nrows > 0 && t->ncols > 0) {
		table_geom g;
		geom_init(dx, t, &g);
		int head = t->repeat_first, rep = t->repeat_count;
		int head_end = head + rep < t->nrows ? head + rep : t->nrows;
		if (rep > 0 && head > 0 && head < t->nrows && can_split_at(t, head)) {
			write_table_rows(dx, &g, 0, head, 0, head);
			ppr pp = {.keep_next = true, .exact_line = 1, .hidden_mark = true};
			p_open(dx, &pp);
			p_close(dx);
			write_table_rows(dx, &g, head, t->nrows, head_end, head_end);
		} else {
			write_table_rows(dx, &g, 0, t->nrows, head == 0 ? head_end : 0, head_end);
		}
		geom_free(&g);
	}
	if (*t->note)
		write_paragraph(dx, t->note_style, t->note, 0, false, -1, false);
}

/* ---- table of contents ---------------------------------------------------------------------- */

/* The printed page number of the page where a heading landed, 0 if unknown or unnumbered. */
static int anchor_page_number(const docx *dx, int anchor)
{
	const pg_result *r = dx->pages;
	for (size_t i = 0; r && i < r->nanchors; i++)
		if (r->anchors[i].anchor == anchor && r->anchors[i].page < r->npages)
			return r->pages[r->anchors[i].page].number;
	return 0;
}

/* The TOC field's begin, instruction and separator: what follows up to its end is the field's
 * result as last computed, which Word shows until "Update table" computes it again from the
 * outline levels (\u) of levels 1 to toc_levels (\o), as links (\h) without page numbers in
 * web view (\z). */
static void write_toc_begin(docx *dx, int levels)
{
	buf_printf(&dx->body,
	           "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
	           "<w:r><w:instrText xml:space=\"preserve\"> TOC \\o \"1-%d\" \\h \\z \\u </w:instrText></w:r>"
	           "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>",
	           levels < 1 ? 1 : levels > MAX_LEVEL ? MAX_LEVEL : levels);
}

/* A table of contents field whose cached result is one entry per heading: its title, a dot
 * leader to a right tab at the margin and the page number the PDF layout gave it, as a link to
 * the heading's bookmark. A long title wraps at the margin (the PDF keeps 3 em free for the
 * number: LibreOffice ignores a tab stop beyond a right indent, so the number would vanish). */
static void write_toc(docx *dx, const doc_block *blk)
{
	const doc_document *doc = dx->doc;
	const doc_block **entries = NULL;
	size_t n = 0;
	for (size_t s = 0; s < doc->nsections; s++) {
		for (size_t i = 0; i < doc->sections[s].nblocks; i++) {
			const doc_block *h = &doc->sections[s].blocks[i];
			if (h->kind != BLOCK_HEADING || !h->in_toc || h->level < 1 ||
			    h->level > blk->toc_levels || !doc->toc_styles[(h->level > 3 ? 3 : h->level) - 1])
				continue;
			entries = xrealloc(entries, (n + 1) * sizeof *entries);
			entries[n++] = h;
		}
	}
	if (!n) { /* an empty field, so that "Update table" still finds it */
		ppr pp = {0};
		p_open(dx, &pp);
		write_toc_begin(dx, blk->toc_levels);
		buf_puts(&dx->body, "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>");
		p_close(dx);
	}
	for (size_t e = 0; e < n; e++) {
		const doc_block *h = entries[e];
		int level = h->level > 3 ? 3 : h->level;
		const doc_style *st = doc->toc_styles[level - 1];
		ppr pp = {.style = style_for(dx, st, USE_TOC, level),
		          .tab_right = dx->text_width,
		          .tab_dots = true,
		          .set_ind = true,
		          .ind_left = (mpt)(h->level - 1) * st->size * 2};
		p_open(dx, &pp);
		buf *b = &dx->body;
		if (e == 0)
			write_toc_begin(dx, blk->toc_levels);
		buf_printf(b, "<w:hyperlink w:anchor=\"_Toc_bg%d\" w:history=\"1\">", h->anchor);
		write_run(b, h->text);
		buf_puts(b, "<w:r><w:tab/></w:r>");
		/* the number as a PAGEREF field whose cached result is the PDF layout's number:
		 * Word shows it (and recomputes on update or print); LibreOffice computes the
		 * field in its own layout, so the entry stays true there too */
		int number = anchor_page_number(dx, h->anchor);
		if (number > 0)
			buf_printf(b,
			           "<w:r><w:fldChar w:fldCharType=\"begin\"/></w:r>"
			           "<w:r><w:instrText xml:space=\"preserve\"> PAGEREF _Toc_bg%d \\h </w:instrText></w:r>"
			           "<w:r><w:fldChar w:fldCharType=\"separate\"/></w:r>"
			           "<w:r><w:t>%d</w:t></w:r>"
			           "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>",
			           h->anchor, number);
		buf_puts(b, "</w:hyperlink>");
		if (e + 1 == n)
			buf_puts(b, "<w:r><w:fldChar w:fldCharType=\"end\"/></w:r>");
		p_close(dx);
	}
	free(entries);
}

/* ---- sections and the body ------------------------------------------------------------------ */

static void buf_insert(buf *b, size_t at, const char *s)
{
	size_t n = strlen(s), old = b->len;
	buf_put(b, s, n); /* grows; the bytes are moved into place below */
	memmove(b->data + at + n, b->data + at, old - at);
	memcpy(b->data + at, s, n);
}

/* The w:sectPr of a section: page size and orientation, margins, footer (the page number or the
 * empty one), numbering restarted at 1 by the first numbered section. */
static void write_sectpr(docx *dx, buf *b, const doc_section *sec)
{
	const doc_page *pg = &sec->page;
	buf_printf(b, "<w:sectPr><w:footerReference w:type=\"default\" r:id=\"%s\"/>",
	           sec->numbered ? dx->rid_numbered : dx->rid_empty);
	buf_printf(b, "<w:pgSz w:w=\"%d\" w:h=\"%d\"%s/>", twips(pg->width), twips(pg->height),
	           pg->orientation == ORIENT_LANDSCAPE ? " w:orient=\"landscape\"" : "");
	/* w:footer is the distance to the bottom of the footer line; the layout gives the baseline */
	const doc_style *ns = dx->doc->page_number_style;
	mpt footer = pg->footer_distance;
	if (ns) {
		mpt lh = ns->line_height ? ns->line_height : ns->size * 13 / 10;
		footer -= lh / 2 - ns->size * 38 / 100;
	}
	if (footer < 0)
		footer = 0;
	int header = twips(pg->margin_top) / 2;
	buf_printf(b,
	           "<w:pgMar w:top=\"%d\" w:right=\"%d\" w:bottom=\"%d\" w:left=\"%d\" w:header=\"%d\" "
	           "w:footer=\"%d\" w:gutter=\"0\"/>",
	           twips(pg->margin_top), twips(pg->margin_right), twips(pg->margin_bottom),
	           twips(pg->margin_left), header, twips(footer));
	if (sec->numbered && !dx->first_numbered_done) {
		buf_puts(b, "<w:pgNumType w:start=\"1\"/>");
		dx->first_numbered_done = true;
	}
	buf_puts(b, "<w:cols w:space=\"425\"/></w:sectPr>");
}

/* Ends a section that is not the last: its w:sectPr goes into the last paragraph, or into an
 * empty paragraph after a table. */
static void end_section(docx *dx, const doc_section *sec)
{
	buf s = {0};
	write_sectpr(dx, &s, sec);
	if (dx->npending || dx->last_p_end != dx->body.len || !dx->last_p_end) {
		ppr pp = {.exact_line = 1000};
		p_open(dx, &pp);
		bookmarks_open(dx, -1);
		bookmarks_close(dx, -1);
		p_close(dx);
	}
	buf_insert(&dx->body, dx->last_ppr_close, s.data);
	dx->last_p_end = 0;
	dx->page_break = false; /* the section break starts a new page already */
	buf_free(&s);
}

static void write_block(docx *dx, const doc_block *b)
{
	switch (b->kind) {
	case BLOCK_HEADING:
		if (b->hidden) {
			size_t n = dx->npending;
			dx->pending = xrealloc(dx->pending, (n + 1) * sizeof *dx->pending);
			dx->pending_levels = xrealloc(dx->pending_levels, (n + 1) * sizeof *dx->pending_levels);
			dx->pending_blocks = xrealloc(dx->pending_blocks, (n + 1) * sizeof *dx->pending_blocks);
			dx->pending[n] = b->anchor;
			dx->pending_levels[n] = b->level;
			dx->pending_blocks[n] = b;
			dx->npending++;
		} else {
			write_paragraph(dx, b->style, b->text, b->level, true, b->anchor, false);
		}
		dx->level = b->level;
		break;
	case BLOCK_PARAGRAPH:
		write_paragraph(dx, b->style, b->text, 0, b->keep_with_next, -1, false);
		break;
	case BLOCK_TABLE: write_table(dx, b->table); break;
	case BLOCK_PAGE_BREAK: dx->page_break = true; break;
	case BLOCK_TOC: write_toc(dx, b); break;
	case BLOCK_SPACE: write_space(dx, b->space); break;
	}
}

/* The element that holds the body's place in word/document.xml until the part is saved: parsing
 * a booklet's body (megabytes of XML written by this file) with Mini-XML and saving it again took
 * most of the back end's time, for nothing — the text is ours and already escaped. */
#define BODY_MARKER "budgetgen-body"

/* word/document.xml as saved, with the marker replaced by the body's text. */
static int splice_body(docx *dx)
{
	char *xml = dx->xml[P_DOCUMENT];
	char *at = strstr(xml, "<" BODY_MARKER);
	char *end = at ? strchr(at, '>') : NULL;
	if (!end) /* a bug in this file, not in the template */
		return fail(dx, "生成部件 %s 时出错：找不到正文的位置", part_names[P_DOCUMENT]);
	end++;
	buf b = {0};
	buf_put(&b, xml, (size_t)(at - xml));
	if (dx->body.len)
		buf_put(&b, dx->body.data, dx->body.len);
	buf_puts(&b, end);
	free(xml);
	dx->xml[P_DOCUMENT] = b.data;
	return 0;
}

/* word/document.xml: the placeholder paragraph {{正文}} becomes the document. */
static int fill_document(docx *dx)
{
	mxml_node_t *top = dx->tree[P_DOCUMENT];
	mxml_node_t *body = find(top, "w:body");
	mxml_node_t *ph = body ? find_placeholder(body, "{{正文}}") : NULL;
	if (!body || !ph)
		return fail(dx, "Word 模板 %s/%s（部件 %s）缺少%s", dx->dir, part_names[P_DOCUMENT],
		            part_names[P_DOCUMENT], body ? "内容为 {{正文}} 的占位段落" : " <w:body> 元素");
	mxml_node_t *old;
	while ((old = mxmlFindElement(body, body, "w:sectPr", NULL, NULL, MXML_DESCEND_FIRST)) != NULL)
		mxmlDelete(old); /* every section is written below */
	const doc_document *doc = dx->doc;
	for (size_t s = 0; s < doc->nsections; s++) {
		const doc_section *sec = &doc->sections[s];
		const doc_page *pg = &sec->page;
		dx->text_width = pg->width - pg->margin_left - pg->margin_right;
		for (size_t i = 0; i < sec->nblocks; i++)
			write_block(dx, &sec->blocks[i]);
		if (s + 1 < doc->nsections)
			end_section(dx, sec);
	}
	if (dx->npending || dx->page_break) { /* headings at the very end */
		ppr pp = {.exact_line = 1000};
		p_open(dx, &pp);
		bookmarks_open(dx, -1);
		bookmarks_close(dx, -1);
		p_close(dx);
	}
	/* the body itself is not parsed back into the tree: a marker element stands for it, and
	 * splice_body puts the text in its place once the part is saved */
	mxmlAdd(mxmlGetParent(ph), MXML_ADD_BEFORE, ph, mxmlNewElement(MXML_NO_PARENT, BODY_MARKER));
	mxmlDelete(ph);
	if (doc->nsections) {
		buf s = {0};
		write_sectpr(dx, &s, &doc->sections[doc->nsections - 1]);
		int r = insert_fragment(dx, P_DOCUMENT, s.data, body, true);
		buf_free(&s);
		return r;
	}
	return 0;
}

/* ---- the other parts ------------------------------------------------------------------------ */

/* Footer relationship ids and the default paragraph style, read from the templates. */
static int read_template_ids(docx *dx)
{
	mxml_node_t *rels = dx->tree[P_DOCUMENT_RELS];
	static const char *const targets[2] = {"footer1.xml", "footer2.xml"};
	char *out[2] = {dx->rid_numbered, dx->rid_empty};
	for (int i = 0; i < 2; i++) {
		mxml_node_t *r =
			mxmlFindElement(rels, rels, "Relationship", "Target", targets[i], MXML_DESCEND);
		const char *id = r ? mxmlElementGetAttr(r, "Id") : NULL;
		if (!id || !*id || strlen(id) >= sizeof dx->rid_numbered || strchr(id, '"'))
			return fail(dx, "Word 模板 %s/%s（部件 %s）缺少指向 %s 的 Relationship", dx->dir,
			            part_names[P_DOCUMENT_RELS], part_names[P_DOCUMENT_RELS], targets[i]);
		snprintf(out[i], sizeof dx->rid_numbered, "%s", id);
	}
	mxml_node_t *styles = dx->tree[P_STYLES];
	for (mxml_node_t *s = find(styles, "w:style"); s; s = find_next(s, styles, "w:style")) {
		const char *type = mxmlElementGetAttr(s, "w:type");
		const char *def = mxmlElementGetAttr(s, "w:default");
		const char *id = mxmlElementGetAttr(s, "w:styleId");
		if (type && def && id && strcmp(type, "paragraph") == 0 &&
		    (strcmp(def, "1") == 0 || strcmp(def, "true") == 0) &&
		    strlen(id) < sizeof dx->default_style && !strchr(id, '"')) {
			snprintf(dx->default_style, sizeof dx->default_style, "%s", id);
			break;
		}
	}
	return 0;
}

/* word/footer1.xml: the page number format ("— {页} —") around a PAGE field. */
static int fill_footer(docx *dx)
{
	mxml_node_t *top = dx->tree[P_FOOTER_NUMBERED];
	mxml_node_t *ph = find_placeholder(top, "{{页码}}");
	if (!ph)
		return fail(dx, "Word 模板 %s/%s（部件 %s）缺少内容为 {{页码}} 的占位段落", dx->dir,
		            part_names[P_FOOTER_NUMBERED], part_names[P_FOOTER_NUMBERED]);
	const char *fmt = dx->doc->page_number_format ? dx->doc->page_number_format : "{页}";
	const doc_style *st = dx->doc->page_number_style;
	buf b = {0};
	buf_puts(&b, "<w:p><w:pPr>");
	if (st)
		buf_printf(&b, "<w:pStyle w:val=\"%s\"/>", style_for(dx, st, USE_FOOTER, 0));
	buf_puts(&b, "</w:pPr>");
	const char *at = strstr(fmt, "{页}");
	char *before = xstrdup(fmt);
	if (at)
		before[at - fmt] = '\0';
	write_run(&b, before);
	free(before);
	if (at) {
		buf_puts(&b, "<w:fldSimple w:instr=\" PAGE \"><w:r><w:t>1</w:t></w:r></w:fldSimple>");
		write_run(&b, at + strlen("{页}"));
	}
	buf_puts(&b, "</w:p>");
	int r = insert_fragment(dx, P_FOOTER_NUMBERED, b.data, ph, false);
	buf_free(&b);
	if (!r)
		mxmlDelete(ph);
	return r;
}

/* word/fontTable.xml: every family the roles name, unless the template lists it already. */
static int fill_fonts(docx *dx)
{
	mxml_node_t *top = dx->tree[P_FONTS];
	mxml_node_t *root = root_of(top);
	buf b = {0};
	for (int role = 0; role < FONT_ROLE_COUNT; role++) {
		const char *family = role_family(dx, (font_role)role);
		bool seen = mxmlFindElement(top, top, "w:font", "w:name", family, MXML_DESCEND) != NULL;
		for (int k = 0; k < role && !seen; k++)
			seen = strcmp(role_family(dx, (font_role)k), family) == 0;
		if (seen)
			continue;
		bool latin = role == FONT_ROLE_LATIN;
		buf_puts(&b, "<w:font w:name=\"");
		xml_escape_str(&b, family);
		buf_printf(&b,
		           "\"><w:charset w:val=\"%s\"/><w:family w:val=\"%s\"/>"
		           "<w:pitch w:val=\"variable\"/></w:font>",
		           latin ? "00" : "86", latin ? "roman" : "auto");
	}
	int r = b.len ? insert_fragment(dx, P_FONTS, b.data, root, true) : 0;
	buf_free(&b);
	return r;
}

static void set_element_text(mxml_node_t *top, const char *element, const char *text)
{
	mxml_node_t *e = find(top, element);
	if (e)
		set_text(e, text ? text : "");
}

/* docProps/core.xml and app.xml: title, subject, author, fixed dates, page count. */
static void fill_properties(docx *dx, int64_t epoch)
{
	char date[32] = "2000-01-01T00:00:00Z";
	if (epoch >= 0) {
		time_t tt = (time_t)epoch;
		struct tm tm;
		if (gmtime_r(&tt, &tm))
			strftime(date, sizeof date, "%Y-%m-%dT%H:%M:%SZ", &tm);
	}
	mxml_node_t *core = dx->tree[P_CORE];
	set_element_text(core, "dc:title", dx->doc->title);
	set_element_text(core, "dc:subject", dx->doc->subject);
	set_element_text(core, "dc:creator", dx->doc->author);
	set_element_text(core, "cp:lastModifiedBy", dx->doc->author);
	set_element_text(core, "dcterms:created", date);
	set_element_text(core, "dcterms:modified", date);
	char pages[32];
	snprintf(pages, sizeof pages, "%zu", dx->pages ? dx->pages->npages : (size_t)0);
	set_element_text(dx->tree[P_APP], "Pages", pages);
}
/* libzip's error in Chinese (zip_error_strerror is English): the system's reason where there is
 * one, else what kind of failure it was. */
static const char *zip_error_text(zip_error_t *ze)
{
	static char other[64];
	if (zip_error_code_zip(ze) == ZIP_ER_MEMORY)
		return "内存不足";
	if (zip_error_system_type(ze) == ZIP_ET_SYS && zip_error_code_system(ze))
		return errno_text(zip_error_code_system(ze));
	snprintf(other, sizeof other, "压缩包处理错误（代码 %d）", zip_error_code_zip(ze));
	return other;
}


/* ---- the package ---------------------------------------------------------------------------- */

/* Every entry is dated 1980-01-01 00:00 (MS-DOS date 0x0021): the bytes never depend on the
 * clock or the TZ variable. */
enum { DOS_TIME = 0, DOS_DATE = (0 << 9) | (1 << 5) | 1 };

/* Reads a finished zip source (the package in memory) into out. */
static int read_source(docx *dx, zip_source_t *src, buf *out)
{
	if (zip_source_open(src) < 0)
		return fail(dx, "无法读出生成的 Word 文件：%s", zip_error_text(zip_source_error(src)));
	zip_int64_t k = 0;
	char chunk[65536];
	while ((k = zip_source_read(src, chunk, sizeof chunk)) > 0)
		buf_put(out, chunk, (size_t)k);
	zip_source_close(src);
	if (k < 0)
		return fail(dx, "无法读出生成的 Word 文件：%s", zip_error_text(zip_source_error(src)));
	return 0;
}

/* Packages the parts: into the file at path, or into out when path is NULL. */
static int write_package(docx *dx, const char *path, buf *out)
{
	int zerr = 0;
	zip_error_t ze;
	zip_error_init(&ze);
	zip_source_t *mem = path ? NULL : zip_source_buffer_create(NULL, 0, 0, &ze);
	zip_t *za = path ? zip_open(path, ZIP_CREATE | ZIP_TRUNCATE, &zerr)
	                 : mem ? zip_open_from_source(mem, ZIP_TRUNCATE, &ze) : NULL;
	if (!za) {
		if (path)
			zip_error_init_with_code(&ze, zerr);
		fail(dx, "无法创建 %s：%s", path ? path : "Word 文件", zip_error_text(&ze));
		zip_error_fini(&ze);
		if (mem)
			zip_source_free(mem);
		return -1;
	}
	zip_error_fini(&ze);
	if (mem)
		zip_source_keep(mem); /* read back after zip_close */
	const char *name = path ? path : "Word 文件";
	for (int i = 0; i < P_COUNT; i++) {
		zip_source_t *src = zip_source_buffer(za, dx->xml[i], strlen(dx->xml[i]), 0);
		zip_int64_t idx = src ? zip_file_add(za, part_names[i], src, ZIP_FL_ENC_UTF_8) : -1;
		if (idx < 0) {
			if (src)
				zip_source_free(src);
		} else if (zip_file_set_dostime(za, (zip_uint64_t)idx, DOS_TIME, DOS_DATE, 0) == 0 &&
		           zip_set_file_compression(za, (zip_uint64_t)idx, ZIP_CM_DEFLATE, 6) == 0) {
			continue;
		}
		fail(dx, "无法把部件 %s 写入 %s：%s", part_names[i], name, zip_error_text(zip_get_error(za)));
		zip_discard(za);
		if (mem)
			zip_source_free(mem);
		return -1;
	}
	if (zip_close(za) < 0) {
		fail(dx, "无法写入 %s：%s", name, zip_error_text(zip_get_error(za)));
		zip_discard(za);
		if (mem)
			zip_source_free(mem);
		return -1;
	}
	int r = mem ? read_source(dx, mem, out) : 0;
	if (mem)
		zip_source_free(mem);
	return r;
}

static void fill_parts(docx *dx, int64_t epoch)
{
	for (int i = 0; i < P_COUNT && !dx->failed; i++)
		load_part(dx, (part_id)i);
	if (!dx->failed)
		read_template_ids(dx);
	/* the body first: it decides which styles exist */
	if (!dx->failed)
		fill_document(dx);
	if (!dx->failed)
		fill_footer(dx);
	if (!dx->failed)
		fill_styles(dx);
	if (!dx->failed)
		fill_fonts(dx);
	if (!dx->failed)
		fill_properties(dx, epoch);
	for (int i = 0; i < P_COUNT && !dx->failed; i++)
		save_part(dx, (part_id)i);
	if (!dx->failed)
		splice_body(dx);
}

static int finish(docx *dx)
{
	for (int i = 0; i < P_COUNT; i++) {
		if (dx->tree[i])
			mxmlDelete(dx->tree[i]);
		free(dx->xml[i]);
	}
	for (size_t i = 0; i < dx->nstyles; i++)
		free(dx->styles[i].name);
	free(dx->styles);
	free(dx->pending);
	free(dx->pending_levels);
	free(dx->pending_blocks);
	buf_free(&dx->body);
	return dx->failed ? -1 : 0;
}

/* The package written to path, or into out when path is NULL. */
static int emit(const doc_document *doc, const pg_result *pages, font_set *fonts, int64_t epoch,
                const char *templates_dir, const char *path, buf *out, char *err, size_t errlen)
{
	docx dx = {.doc = doc, .pages = pages, .fonts = fonts, .dir = templates_dir, .err = err,
	           .errlen = errlen};
	if (errlen)
		err[0] = '\0';
	fill_parts(&dx, epoch);
	if (!dx.failed)
		write_package(&dx, path, out);
	return finish(&dx);
}

int emit_docx(const doc_document *doc, const pg_result *pages, font_set *fonts, int64_t epoch,
              const char *templates_dir, const char *path, char *err, size_t errlen)
{
	return emit(doc, pages, fonts, epoch, templates_dir, path, NULL, err, errlen);
}

int emit_docx_buf(const doc_document *doc, const pg_result *pages, font_set *fonts, int64_t epoch,
                  const char *templates_dir, buf *out, char *err, size_t errlen)
{
	return emit(doc, pages, fonts, epoch, templates_dir, NULL, out, err, errlen);
}

size_t emit_docx_part_count(void)
{
	return P_COUNT;
}

const char *emit_docx_part_name(size_t i)
{
	return i < P_COUNT ? part_names[i] : NULL;
}

int emit_docx_fill_parts(const doc_document *doc, const pg_result *pages, font_set *fonts,
                         const char *templates_dir, const char *const *texts, const size_t *lens,
                         char *err, size_t errlen)
{
	docx dx = {.doc = doc, .pages = pages, .fonts = fonts, .dir = templates_dir, .err = err,
	           .errlen = errlen, .mem_text = texts, .mem_len = lens};
	if (errlen)
		err[0] = '\0';
	fill_parts(&dx, -1);
	return finish(&dx);
}
