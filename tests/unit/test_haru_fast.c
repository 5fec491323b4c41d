/* test_haru_fast.c — libharu's helpers done faster in the executable (gen/emit/libharu/haru_fast.c): the
 * definitions libharu finds first are budgetgen's, and they answer as libharu's own (looked up
 * past ours with dlsym RTLD_NEXT) — HPDF_MemCpy and HPDF_MemSet write the same bytes and return
 * the same pointer for every length and alignment, including the overlapping copy libharu's
 * forward loop allows (out below in); HPDF_TTFontDef_GetGlyphid finds the same glyph for every
 * BMP code point of the Debian fonts budgetgen uses (loaded whole by libharu: thousands of cmap
 * segments) and of a subset of one made by haru_subset, as libharu loads it. And libharu itself calls them
 * (and flate.c's deflateInit_) while a real booklet PDF is written: a libharu linked with -Bsymbolic or LTO, whose
 * calls no longer reach the executable, fails here instead of silently losing the speed. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <hpdf.h>
#include <hpdf_utils.h>
#include <stdint.h>
#include <stdlib.h>
#include <unistd.h>

#include "doc/compose.h"
#include "doc/layouts.h"
#include "emit/libharu/haru_fast.h"
#include "emit/libharu/subset.h"
#include "emit/paginate.h"
#include "emit/pdf.h"
#include "front/load.h"
#include "text/font.h"
#include "unit.h"
#include "base/util.h"

typedef HPDF_BYTE *(*memcpy_fn)(HPDF_BYTE *, const HPDF_BYTE *, HPDF_UINT);
typedef void *(*memset_fn)(void *, HPDF_BYTE, HPDF_UINT);
typedef HPDF_UINT16 (*glyphid_fn)(HPDF_FontDef, HPDF_UINT16);

static void error_handler(HPDF_STATUS error_no, HPDF_STATUS detail_no, void *user_data)
{
	(void)detail_no;
	*(HPDF_STATUS *)user_data = error_no;
}

/* Every BMP code point of the TrueType file at path, looked up by both. */
static void compare_lookups(const char *label, const char *path, glyphid_fn theirs)
{
	HPDF_STATUS status = 0;
	HPDF_Doc pdf = HPDF_New(error_handler, &status);
	HPDF_FontDef def = pdf ? HPDF_GetTTFontDefFromFile(pdf, path, HPDF_TRUE) : NULL;
	unit_context = label;
	if (CHECK(def != NULL && status == 0)) {
		HPDF_TTFontDefAttr attr = def->attr;
		unsigned long differ = 0, found = 0;
		for (unsigned cp = 0; cp < 0x10000; cp++) {
			HPDF_UINT16 a = HPDF_TTFontDef_GetGlyphid(def, (HPDF_UINT16)cp);
			HPDF_UINT16 b = theirs(def, (HPDF_UINT16)cp);
			differ += a != b;
			found += a != 0;
		}
		CHECK_INT_EQ(differ, 0);
		CHECK(found > 90); /* the lookups found glyphs: the font was really read */
		printf("  %-28s %5u cmap segments, %6lu code points with a glyph: the same glyph from both\n", label,
		       attr->cmap.seg_count_x2 / 2u, found);
	}
	unit_context = NULL;
	if (def)
		HPDF_FontDef_Free(def); /* loaded, not added to the document */
	if (pdf)
		HPDF_Free(pdf);
}

/* A subset as emit_pdf.c makes one (subset.c: HarfBuzz's cmap), written to a temporary file. */
static void compare_subset(glyphid_fn theirs)
{
	font_set *fs = NULL;
	char err[512];
	if (!CHECK(font_set_open(&fs, "fonts/roles.conf", err, sizeof err) == FONT_OK))
		return;
	font_face *face = font_set_face(fs, 0);
	uint32_t cps[400];
	size_t n = 0;
	const char *text = "部门预算项目绩效目标表产出指标数量质量时效成本效益社会满意度，。、（）《》：；0123456789";
	for (size_t k = 0; text[k] && n < 100;) {
		uint32_t cp;
		size_t len = utf8_decode(text + k, strlen(text + k), &cp);
		k += len ? len : 1;
		cps[n++] = cp;
	}
	for (uint32_t cp = 0x4E00; n < 400; cp += 53) /* spread over the ideographs */
		cps[n++] = cp;
	uint8_t *data = NULL;
	size_t len = 0;
	uint32_t codes[400];
	if (CHECK(haru_subset(face, cps, n, codes, &data, &len, err, sizeof err) == 0)) {
		char path[] = "/tmp/test_haru_fast.XXXXXX";
		int fd = mkstemp(path);
		if (CHECK(fd >= 0) && CHECK(write(fd, data, len) == (ssize_t)len))
			compare_lookups("subset by haru_subset", path, theirs);
		if (fd >= 0) {
			close(fd);
			unlink(path);
		}
	}
	free(data);
	font_set_free(fs);
}

/* A booklet of input/ written as a PDF by emit_pdf: every replacement is called by libharu (emit_pdf
 * calls none of them itself) while it does so. */
static void libharu_calls_them(void)
{
	static const char *const names[HARU_FAST_COUNTERS] = {"HPDF_MemCpy", "HPDF_MemSet",
	                                                      "HPDF_TTFontDef_GetGlyphid", "deflateInit_"};
	char err[1024] = "";
	font_set *fs = NULL;
	diag_ctx *d = diag_new();
	department_load l = department_load_file(d, "input/2022-中共曹妃甸区委组织部.txt");
	arena *a = arena_new();
	const layout_set *layouts = layout_load(a, "layouts", err, sizeof err);
	const doc_document *doc = NULL;
	if (CHECK(l.model != NULL && l.errors == 0) && CHECK(layouts != NULL) &&
	    CHECK(font_set_open(&fs, "fonts/roles.conf", err, sizeof err) == FONT_OK))
		doc = compose_booklet(a, l.model, layouts, err, sizeof err);
	if (CHECK(doc != NULL)) {
		const pg_result *pages = paginate(a, fs, doc);
		unsigned long before[HARU_FAST_COUNTERS];
		buf out = {0};
		memcpy(before, haru_fast_calls, sizeof before);
		CHECK_INT_EQ(emit_pdf(doc, pages, fs, 0, &out, err, sizeof err), 0);
		CHECK(out.len > 10000 && memcmp(out.data, "%PDF-", 5) == 0);
		for (int k = 0; k < HARU_FAST_COUNTERS; k++) {
			unsigned long n = haru_fast_calls[k] - before[k];
			unit_context = names[k];
			CHECK(n > 0);
			printf("  %-26s %9lu calls by libharu for one booklet (%zu pages, %zu bytes)\n", names[k], n,
			       pages->npages, out.len);
		}
		unit_context = NULL;
		buf_free(&out);
	}
	if (err[0])
		fprintf(stderr, "%s\n", err);
	font_set_free(fs);
	arena_free(a);
	department_load_free(&l);
	diag_free(d);
}

int main(void)
{
	memcpy_fn ours_cpy = HPDF_MemCpy, theirs_cpy = (memcpy_fn)dlsym(RTLD_NEXT, "HPDF_MemCpy");
	memset_fn ours_set = HPDF_MemSet, theirs_set = (memset_fn)dlsym(RTLD_NEXT, "HPDF_MemSet");
	CHECK(theirs_cpy && theirs_cpy != ours_cpy);
	CHECK(theirs_set && theirs_set != ours_set);
	/* what every library (libharu included) binds the names to */
	CHECK((memcpy_fn)dlsym(RTLD_DEFAULT, "HPDF_MemCpy") == ours_cpy);
	CHECK((memset_fn)dlsym(RTLD_DEFAULT, "HPDF_MemSet") == ours_set);
	if (!theirs_cpy || !theirs_set)
		return unit_report();

	static HPDF_BYTE src[5010], a[5100], b[5100];
	for (size_t i = 0; i < sizeof src; i++)
		src[i] = (HPDF_BYTE)(i * 131 + 7);
	const HPDF_UINT lens[] = {0, 1, 2, 3, 15, 16, 17, 255, 4096, 4999};
	for (size_t k = 0; k < sizeof lens / sizeof *lens; k++)
		for (size_t off = 0; off < 4; off++) {
			HPDF_UINT n = lens[k];
			memset(a, 0xEE, sizeof a);
			memset(b, 0xEE, sizeof b);
			HPDF_BYTE *ra = ours_cpy(a + off, src + (3 - off), n);
			HPDF_BYTE *rb = theirs_cpy(b + off, src + (3 - off), n);
			CHECK_INT_EQ(ra - a, rb - b);
			CHECK(memcmp(a, b, sizeof a) == 0);
			/* overlapping, out below in: a shift to the front, as a forward loop does it */
			memcpy(a, src, sizeof src);
			memcpy(b, src, sizeof src);
			if (n + off + 5 <= sizeof src) {
				ours_cpy(a + off, a + off + 5, n);
				theirs_cpy(b + off, b + off + 5, n);
				CHECK(memcmp(a, b, sizeof a) == 0);
			}
			void *sa = ours_set(a + off, (HPDF_BYTE)(0x30 + k), n);
			void *sb = theirs_set(b + off, (HPDF_BYTE)(0x30 + k), n);
			CHECK_INT_EQ((HPDF_BYTE *)sa - a, (HPDF_BYTE *)sb - b);
			CHECK(memcmp(a, b, sizeof a) == 0);
		}

	glyphid_fn theirs_glyph = (glyphid_fn)dlsym(RTLD_NEXT, "HPDF_TTFontDef_GetGlyphid");
	CHECK(theirs_glyph && theirs_glyph != HPDF_TTFontDef_GetGlyphid);
	CHECK((glyphid_fn)dlsym(RTLD_DEFAULT, "HPDF_TTFontDef_GetGlyphid") == HPDF_TTFontDef_GetGlyphid);
	if (!theirs_glyph)
		return unit_report();
	compare_lookups("gbsn00lp.ttf", "/usr/share/fonts/truetype/arphic-gbsn00lp/gbsn00lp.ttf", theirs_glyph);
	compare_lookups("LXGWWenKai-Regular.ttf", "/usr/share/fonts/truetype/lxgw-wenkai/LXGWWenKai-Regular.ttf",
	                theirs_glyph);
	compare_lookups("LiberationSerif-Regular.ttf", "/usr/share/fonts/truetype/liberation/LiberationSerif-Regular.ttf",
	                theirs_glyph);
	compare_subset(theirs_glyph);
	libharu_calls_them();
	return unit_report();
}
