/* pdf.c — writes laid-out pages as PDF with libharu 2.3 (pdf.h). Owns the libharu
 * quirks recorded in shared/DEPENDENCIES.md: fonts loaded from a memfd path after subsetting, one
 * subset per face made from all the document's text before drawing, sticky errors turned into
 * one message, UTF-8 encoder set before any Chinese string, zoom never 0, characters above U+FFFF drawn
 * through a stand-in code that the ToUnicode CMap maps back. */
#include "emit/pdf.h"

#include <hpdf.h>
#include <hpdf_objects.h>
#include <hpdf_streams.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "emit/libharu/subset.h"

/* A face's characters above U+FFFF and the Private Use Area codes its subset draws them with (haru_subset). */
typedef struct astral_map {
	uint32_t *cps;    /* ascending */
	uint32_t *codes;  /* the stand-in of cps[i] */
	size_t n, cap;
} astral_map;

typedef struct pdf_ctx {
	HPDF_Doc pdf;
	char *err;
	size_t errlen;
	bool failed;
	font_set *fonts;
	size_t nfaces;
	HPDF_Font *hfonts;   /* per face of the font set, NULL when unused */
	int *fds;            /* memfds to close after saving */
	astral_map *astral;  /* per face */
} pdf_ctx;

static void error_handler(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	pdf_ctx *c = user_data;
	if (!c->failed)
		snprintf(c->err, c->errlen, "PDF 生成失败（libharu 错误 0x%04X，详细 %u）",
		         (unsigned)error_no, (unsigned)detail_no);
	c->failed = true;
}

static double pt(mpt v)
{
	return (double)v / MPT_PER_PT;
}

static size_t face_index(pdf_ctx *c, const font_face *f)
{
	for (size_t i = 0; i < c->nfaces; i++)
		if (font_set_face(c->fonts, i) == f)
			return i;
	return c->nfaces;
}

/* libharu 2.3 writes the ToUnicode CMap of a font with the UTF-8 encoder as a CID CMap
 * ("begincidrange"), which a ToUnicode CMap cannot hold: poppler says "Invalid 'begincidrange'
 * operator in ToUnicode CMap" and falls back on the font's own cmap, and a reader that does not
 * fall back cannot copy or search the text. A code is the character's Unicode value (Identity-H,
 * CID = code point), so the CMap written instead maps every code to itself: one bfrange for each
 * block of 256 code points the face draws from (used: the face's bitmap of the BMP), split around
 * the stand-ins of the characters above U+FFFF, which a bfchar maps to their UTF-16 surrogate
 * pair each. */
static void write_to_unicode(pdf_ctx *c, HPDF_Font font, const uint8_t *used, const astral_map *am)
{
	HPDF_Dict tu = font ? HPDF_Dict_GetItem(font, "ToUnicode", HPDF_OCLASS_DICT) : NULL;
	if (!tu || !tu->stream) {
		if (!c->failed)
			snprintf(c->err, c->errlen, "PDF 生成失败：libharu 没有为字体生成 ToUnicode 表");
		c->failed = true;
		return;
	}
	unsigned blocks[256], n = 0;
	for (unsigned hi = 0; hi < 256; hi++)
		for (unsigned k = 0; k < 32; k++)
			if (used[hi * 32 + k]) {
				blocks[n++] = hi;
				break;
			}
	buf b = {0};
	buf_puts(&b, "/CIDInit /ProcSet findresource begin\n12 dict begin\nbegincmap\n"
	             "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
	             "/CMapName /Adobe-Identity-UCS def\n/CMapType 2 def\n"
	             "1 begincodespacerange\n<0000> <FFFF>\nendcodespacerange\n");
	/* the identity ranges: a block whole, or its stretches between stand-ins */
	typedef struct { unsigned lo, hi; } range;
	range *ranges = xmalloc((n + am->n + 1) * sizeof *ranges);
	size_t nr = 0, si = 0;
	for (unsigned i = 0; i < n; i++) {
		unsigned lo = blocks[i] << 8, hi = lo + 0xFF;
		for (; si < am->n && am->codes[si] <= hi; si++) {
			if (am->codes[si] < lo)
				continue;
			if (am->codes[si] > lo)
				ranges[nr++] = (range){lo, am->codes[si] - 1};
			lo = am->codes[si] + 1;
		}
		if (lo <= hi)
			ranges[nr++] = (range){lo, hi};
	}
	for (size_t i = 0; i < nr; i += 100) { /* at most 100 entries per block */
		size_t m = nr - i < 100 ? nr - i : 100;
		buf_printf(&b, "%zu beginbfrange\n", m);
		for (size_t k = i; k < i + m; k++)
			buf_printf(&b, "<%04X> <%04X> <%04X>\n", ranges[k].lo, ranges[k].hi, ranges[k].lo);
		buf_puts(&b, "endbfrange\n");
	}
	free(ranges);
	for (size_t i = 0; i < am->n; i += 100) {
		size_t m = am->n - i < 100 ? am->n - i : 100;
		buf_printf(&b, "%zu beginbfchar\n", m);
		for (size_t k = i; k < i + m; k++) {
			uint32_t v = am->cps[k] - 0x10000;
			buf_printf(&b, "<%04X> <%04X%04X>\n", (unsigned)am->codes[k], 0xD800 + (unsigned)(v >> 10),
			           0xDC00 + (unsigned)(v & 0x3FF));
		}
		buf_puts(&b, "endbfchar\n");
	}
	buf_puts(&b, "endcmap\nCMapName currentdict /CMap defineresource pop\nend\nend\n");
	HPDF_MemStream_FreeData(tu->stream);
	HPDF_Stream_Write(tu->stream, (const HPDF_BYTE *)b.data, (HPDF_UINT)b.len);
	buf_free(&b);
}

static int cp_cmp(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;
	return x < y ? -1 : x > y;
}

/* The stand-in of cp (above U+FFFF) in am; 0 if it has none. */
static uint32_t stand_in(const astral_map *am, uint32_t cp)
{
	const uint32_t *p = am->codes ? bsearch(&cp, am->cps, am->n, sizeof cp, cp_cmp) : NULL;
	return p ? am->codes[p - am->cps] : 0;
}

/* One subset per face with exactly the code points its runs use, a stand-in for each above U+FFFF. */
static void load_fonts(pdf_ctx *c, const pg_result *r)
{
	c->nfaces = font_set_face_count(c->fonts);
	c->hfonts = xcalloc(c->nfaces ? c->nfaces : 1, sizeof *c->hfonts);
	c->fds = xcalloc(c->nfaces ? c->nfaces : 1, sizeof *c->fds);
	c->astral = xcalloc(c->nfaces ? c->nfaces : 1, sizeof *c->astral);
	for (size_t i = 0; i < c->nfaces; i++)
		c->fds[i] = -1;
	uint8_t **used = xcalloc(c->nfaces ? c->nfaces : 1, sizeof *used); /* bitmaps of the BMP */
	for (size_t pg = 0; pg < r->npages; pg++) {
		const pg_page *page = &r->pages[pg];
		for (size_t i = 0; i < page->nruns; i++) {
			const pg_run *run = &page->runs[i];
			if (!run->face)
				continue;
			size_t fi = face_index(c, run->face);
			if (fi >= c->nfaces)
				continue;
			if (!used[fi])
				used[fi] = xcalloc(65536 / 8, 1);
			for (size_t k = 0, n; k < run->len; k += n) {
				uint32_t cp;
				n = utf8_decode(run->text + k, run->len - k, &cp);
				if (!n) {
					n = 1;
					continue;
				}
				if (cp < 65536) {
					used[fi][cp >> 3] |= (uint8_t)(1u << (cp & 7));
				} else {
					astral_map *am = &c->astral[fi];
					if (am->n == am->cap) {
						am->cap = am->cap ? 2 * am->cap : 16;
						am->cps = xrealloc(am->cps, am->cap * sizeof *am->cps);
					}
					am->cps[am->n++] = cp;
				}
			}
		}
	}
	size_t most = 0;
	for (size_t fi = 0; fi < c->nfaces; fi++) { /* each face's characters above U+FFFF, ascending, once */
		astral_map *am = &c->astral[fi];
		size_t na = 0;
		if (am->n)
			qsort(am->cps, am->n, sizeof *am->cps, cp_cmp);
		for (size_t i = 0; i < am->n; i++)
			if (na == 0 || am->cps[na - 1] != am->cps[i])
				am->cps[na++] = am->cps[i];
		am->n = na;
		most = na > most ? na : most;
	}
	uint32_t *cps = xmalloc((65536 + most) * sizeof *cps), *codes = xmalloc((65536 + most) * sizeof *codes);
	for (size_t fi = 0; fi < c->nfaces && !c->failed; fi++) {
		if (!used[fi])
			continue;
		astral_map *am = &c->astral[fi];
		size_t na = am->n, n = 0;
		for (uint32_t cp = 0; cp < 65536; cp++)
			if (used[fi][cp >> 3] & (1u << (cp & 7)))
				cps[n++] = cp;
		if (na)
			memcpy(cps + n, am->cps, na * sizeof *cps);
		n += na;
		uint8_t *data = NULL;
		size_t len;
		font_face *face = font_set_face(c->fonts, fi);
		int se = n ? haru_subset(face, cps, n, codes, &data, &len, c->err, c->errlen) : 0;
		if (se == 0 && na) {
			am->codes = xmalloc(na * sizeof *am->codes);
			memcpy(am->codes, codes + n - na, na * sizeof *am->codes);
		}
		if (!n) /* nothing libharu can draw with it (empty runs): not embedded */
			continue;
		if (se != 0) {
			c->failed = true;
			break;
		}
		char path[HARU_FD_PATH_MAX];
		int fe = haru_memfd(data, len, path, &c->fds[fi], c->err, c->errlen);
		free(data);
		if (fe != 0) {
			c->failed = true;
			break;
		}
		const char *name = HPDF_LoadTTFontFromFile(c->pdf, path, HPDF_TRUE);
		if (!name || c->failed) {
			if (!c->failed)
				snprintf(c->err, c->errlen, "PDF 无法嵌入字体 %s", font_face_path(face));
			c->failed = true;
			break;
		}
		c->hfonts[fi] = HPDF_GetFont(c->pdf, name, "UTF-8");
		write_to_unicode(c, c->hfonts[fi], used[fi], am);
	}
	free(cps);
	free(codes);
	for (size_t i = 0; i < c->nfaces; i++)
		free(used[i]);
	free(used);
}

/* Draws a run; consecutive characters at their natural positions go out as one string. */
static void draw_run(pdf_ctx *c, HPDF_Page page, mpt height, const pg_run *run)
{
	if (!run->face || !run->len)
		return;
	size_t fi = face_index(c, run->face);
	if (fi >= c->nfaces || !c->hfonts[fi])
		return;
	HPDF_Page_SetFontAndSize(page, c->hfonts[fi], (HPDF_REAL)pt(run->size));
	if (run->bold) {
		HPDF_Page_SetTextRenderingMode(page, HPDF_FILL_THEN_STROKE);
		HPDF_Page_SetLineWidth(page, (HPDF_REAL)(pt(run->size) * 0.03));
	}
	char segbuf[1024];
	size_t k = 0, ci = 0;
	while (k < run->len) {
		size_t seg_start = k;
		mpt x = run->xs ? run->xs[ci] : run->x;
		mpt expect = x;
		size_t seglen = 0;
		while (k < run->len) {
			uint32_t cp;
			size_t n = utf8_decode(run->text + k, run->len - k, &cp);
			if (!n)
				break;
			mpt here = run->xs ? run->xs[ci] : expect;
			if (k > seg_start && (here - expect > 20 || expect - here > 20))
				break;
			char code[4];
			uint32_t si = cp >= 0x10000 ? stand_in(&c->astral[fi], cp) : 0;
			size_t cn = si ? utf8_encode(si, code) : n;
			if (seglen + cn >= sizeof segbuf)
				break;
			memcpy(segbuf + seglen, si ? code : run->text + k, cn);
			seglen += cn;
			int units = font_advance_units(run->face, cp);
			font_vmetrics vm;
			font_face_vmetrics(run->face, &vm);
			expect = here + (mpt)(((int64_t)units * run->size + vm.units_per_em / 2) / vm.units_per_em);
			k += n;
			ci++;
		}
		if (seglen == 0) { /* undecodable byte: skip it */
			k++;
			ci++;
			continue;
		}
		segbuf[seglen] = '\0';
		HPDF_Page_TextOut(page, (HPDF_REAL)pt(x), (HPDF_REAL)pt(height - run->y), segbuf);
	}
	if (run->bold)
		HPDF_Page_SetTextRenderingMode(page, HPDF_FILL);
}

static void draw_page(pdf_ctx *c, HPDF_Page page, const pg_page *pg)
{
	mpt h = pg->setup->height;
	HPDF_Page_SetWidth(page, (HPDF_REAL)pt(pg->setup->width));
	HPDF_Page_SetHeight(page, (HPDF_REAL)pt(h));
	if (pg->nrules) {
		HPDF_Page_SetLineWidth(page, (HPDF_REAL)pt(pg->rules[0].width));
		HPDF_Page_SetLineCap(page, HPDF_PROJECTING_SCUARE_END);
		for (size_t i = 0; i < pg->nrules; i++) {
			const pg_rule *r = &pg->rules[i];
			HPDF_Page_MoveTo(page, (HPDF_REAL)pt(r->x1), (HPDF_REAL)pt(h - r->y1));
			HPDF_Page_LineTo(page, (HPDF_REAL)pt(r->x2), (HPDF_REAL)pt(h - r->y2));
		}
		HPDF_Page_Stroke(page);
	}
	if (pg->nruns) {
		HPDF_Page_BeginText(page);
		for (size_t i = 0; i < pg->nruns && !c->failed; i++)
			draw_run(c, page, h, &pg->runs[i]);
		HPDF_Page_EndText(page);
	}
}

static HPDF_Destination destination(HPDF_Page page, mpt height, mpt y)
{
	HPDF_Destination d = HPDF_Page_CreateDestination(page);
	mpt top = y > 20000 ? y - 20000 : 0;
	HPDF_Destination_SetXYZ(d, 0, (HPDF_REAL)pt(height - top), 1);
	return d;
}

static void set_dates(pdf_ctx *c, int64_t epoch)
{
	if (epoch < 0)
		return;
	time_t t = (time_t)epoch;
	struct tm tm;
	gmtime_r(&t, &tm);
	HPDF_Date d = {tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
	               'Z', 0, 0};
	HPDF_SetInfoDateAttr(c->pdf, HPDF_INFO_CREATION_DATE, d);
	HPDF_SetInfoDateAttr(c->pdf, HPDF_INFO_MOD_DATE, d);
}

int emit_pdf(const doc_document *doc, const pg_result *r, font_set *fonts, int64_t epoch,
             buf *out, char *err, size_t errlen)
{
	if (r->overflow) { /* text would run off a page: printing it would silently lose it */
		snprintf(err, errlen, "%s", r->overflow);
		return -1;
	}
	pdf_ctx c = {.err = err, .errlen = errlen, .fonts = fonts};
	c.pdf = HPDF_New(error_handler, &c);
	if (!c.pdf) {
		snprintf(err, errlen, "PDF 生成失败：内存不足");
		return -1;
	}
	HPDF_SetCompressionMode(c.pdf, HPDF_COMP_ALL);
	HPDF_UseUTFEncodings(c.pdf);
	HPDF_SetCurrentEncoder(c.pdf, "UTF-8");
	HPDF_SetInfoAttr(c.pdf, HPDF_INFO_TITLE, doc->title);
	HPDF_SetInfoAttr(c.pdf, HPDF_INFO_AUTHOR, doc->author);
	HPDF_SetInfoAttr(c.pdf, HPDF_INFO_SUBJECT, doc->subject);
	HPDF_SetInfoAttr(c.pdf, HPDF_INFO_CREATOR, "budgetgen");
	set_dates(&c, epoch);
	load_fonts(&c, r);

	HPDF_Page *pages = xcalloc(r->npages ? r->npages : 1, sizeof *pages);
	for (size_t i = 0; i < r->npages && !c.failed; i++) {
		pages[i] = HPDF_AddPage(c.pdf);
		draw_page(&c, pages[i], &r->pages[i]);
	}
	/* page labels: roman for unnumbered front matter, then the printed numbers */
	int prev = -1;
	for (size_t i = 0; i < r->npages && !c.failed; i++) {
		int kind = r->pages[i].number ? 1 : 0;
		if (kind != prev)
			HPDF_AddPageLabel(c.pdf, (HPDF_UINT)i,
			                  kind ? HPDF_PAGE_NUM_STYLE_DECIMAL : HPDF_PAGE_NUM_STYLE_LOWER_ROMAN,
			                  kind ? (HPDF_UINT)r->pages[i].number : (HPDF_UINT)i + 1, NULL);
		prev = kind;
	}
	/* table-of-contents links */
	HPDF_Encoder enc = HPDF_GetEncoder(c.pdf, "UTF-8");
	for (size_t i = 0; i < r->npages && !c.failed; i++) {
		const pg_page *pg = &r->pages[i];
		for (size_t k = 0; k < pg->nlinks; k++) {
			const pg_link *lk = &pg->links[k];
			for (size_t a = 0; a < r->nanchors; a++) {
				const pg_anchor *an = &r->anchors[a];
				if (an->anchor != lk->anchor)
					continue;
				mpt h = pg->setup->height;
				HPDF_Rect rect = {(HPDF_REAL)pt(lk->x1), (HPDF_REAL)pt(h - lk->y2),
				                  (HPDF_REAL)pt(lk->x2), (HPDF_REAL)pt(h - lk->y1)};
				HPDF_Destination d = destination(pages[an->page], r->pages[an->page].setup->height,
				                                 an->y);
				HPDF_Annotation annot = HPDF_Page_CreateLinkAnnot(pages[i], rect, d);
				HPDF_LinkAnnot_SetBorderStyle(annot, 0, 0, 0);
				break;
			}
		}
	}
	/* bookmarks: parts, chapters, projects */
	HPDF_Outline parents[5] = {NULL, NULL, NULL, NULL, NULL};
	for (size_t a = 0; a < r->nanchors && !c.failed; a++) {
		const pg_anchor *an = &r->anchors[a];
		int level = an->level < 1 ? 1 : an->level > 4 ? 4 : an->level;
		HPDF_Outline parent = NULL;
		for (int l = level - 1; l >= 1 && !parent; l--)
			parent = parents[l];
		HPDF_Outline o = HPDF_CreateOutline(c.pdf, parent, an->title, enc);
		HPDF_Outline_SetDestination(o, destination(pages[an->page], r->pages[an->page].setup->height,
		                                           an->y));
		HPDF_Outline_SetOpened(o, level < 2 ? HPDF_TRUE : HPDF_FALSE);
		parents[level] = o;
		for (int l = level + 1; l < 5; l++)
			parents[l] = NULL;
	}
	if (r->nanchors)
		HPDF_SetPageMode(c.pdf, HPDF_PAGE_MODE_USE_OUTLINE);
	if (!c.failed)
		HPDF_SaveToStream(c.pdf);
	if (!c.failed) {
		HPDF_UINT32 size = HPDF_GetStreamSize(c.pdf);
		char *data = xmalloc(size ? size : 1);
		HPDF_UINT32 got = size;
		HPDF_ResetStream(c.pdf);
		HPDF_ReadFromStream(c.pdf, (HPDF_BYTE *)data, &got);
		out->len = 0;
		buf_put(out, data, got);
		free(data);
		if (got != size && !c.failed) {
			snprintf(err, errlen, "PDF 生成失败：输出不完整");
			c.failed = true;
		}
	}
	free(pages);
	HPDF_Free(c.pdf);
	for (size_t i = 0; i < c.nfaces; i++)
		if (c.fds[i] >= 0)
			close(c.fds[i]);
	free(c.fds);
	free(c.hfonts);
	for (size_t i = 0; i < c.nfaces; i++) {
		free(c.astral[i].cps);
		free(c.astral[i].codes);
	}
	free(c.astral);
	return c.failed ? -1 : 0;
}
