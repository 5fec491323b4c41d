/* subset.c — the fonts of a PDF as libharu 2.3 takes them: the policy that keeps the layout to
 * the glyphs it can draw, one HarfBuzz subset per face (the HarfBuzz face kept on the font face for
 * the set's life) with stand-ins for the characters above U+FFFF, and the memfd libharu loads it from. */
#define _GNU_SOURCE
#include "emit/libharu/subset.h"

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <hb-subset.h>
#include <hb.h>

#include "base/util.h"

static bool haru_encodable(uint32_t cp)
{
	return cp <= 0x10FFFF; /* above U+FFFF through a stand-in (haru_subset) */
}

static bool haru_drawable(font_face *face, unsigned gid)
{
	return !font_glyph_nested(face, gid);
}

const font_glyph_policy haru_glyph_policy = {haru_encodable, haru_drawable};

static void set_err(char *errbuf, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_err(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

static void hb_face_release(void *p)
{
	hb_face_destroy(p);
}

/* The HarfBuzz face of face, made on the first call from the mapped file; NULL with a message if
 * HarfBuzz cannot read it. */
static hb_face_t *hb_face_of(font_face *face, char *errbuf, size_t errlen)
{
	hb_face_t *hb = font_face_user(face);
	size_t size;
	const uint8_t *data;
	if (hb)
		return hb;
	data = font_face_data(face, &size);
	hb_blob_t *file = hb_blob_create_or_fail((const char *)data, (unsigned)size, HB_MEMORY_MODE_READONLY, NULL,
	                                         NULL);
	if (!file) {
		set_err(errbuf, errlen, "HarfBuzz 无法读取字体 %s", font_face_path(face));
		return NULL;
	}
	hb = hb_face_create(file, (unsigned)font_face_index(face));
	hb_blob_destroy(file);
	if (hb_face_get_glyph_count(hb) == 0) {
		hb_face_destroy(hb);
		set_err(errbuf, errlen, "HarfBuzz 无法读取字体 %s#%d", font_face_path(face), font_face_index(face));
		return NULL;
	}
	font_face_set_user(face, hb, hb_face_release);
	return hb;
}

/* codes[i] for codepoints[i]: itself in the BMP, else the next code of the Private Use Area that is not among
 * codepoints. Returns how many are above U+FFFF, or -1 when the Private Use Area runs out. */
static long assign_codes(const uint32_t *codepoints, size_t n, uint32_t *codes)
{
	enum { NPUA = HARU_PUA_LAST - HARU_PUA_FIRST + 1 };
	uint8_t taken[(NPUA + 7) / 8] = {0};
	long astral = 0;
	uint32_t next = 0; /* offset in the Private Use Area */
	for (size_t i = 0; i < n; i++)
		if (codepoints[i] >= HARU_PUA_FIRST && codepoints[i] <= HARU_PUA_LAST)
			taken[(codepoints[i] - HARU_PUA_FIRST) >> 3] |= (uint8_t)(1u << ((codepoints[i] - HARU_PUA_FIRST) & 7));
	for (size_t i = 0; i < n; i++) {
		if (codepoints[i] < HARU_BMP_SIZE) {
			codes[i] = codepoints[i];
			continue;
		}
		while (next < NPUA && (taken[next >> 3] & (1u << (next & 7))))
			next++;
		if (next == NPUA)
			return -1;
		codes[i] = HARU_PUA_FIRST + next++;
		astral++;
	}
	return astral;
}

static void put16(buf *b, unsigned v)
{
	unsigned char x[2] = {(unsigned char)(v >> 8), (unsigned char)v};
	buf_put(b, x, 2);
}

static void put32(buf *b, uint32_t v)
{
	unsigned char x[4] = {(unsigned char)(v >> 24), (unsigned char)(v >> 16), (unsigned char)(v >> 8),
	                      (unsigned char)v};
	buf_put(b, x, 4);
}

typedef struct cmap_pair {
	uint32_t code;
	unsigned gid;
} cmap_pair;

static int pair_cmp(const void *a, const void *b)
{
	uint32_t x = ((const cmap_pair *)a)->code, y = ((const cmap_pair *)b)->code;
	return x < y ? -1 : x > y;
}

/* Appends a format 4 subtable for pairs (sorted, codes below U+FFFF): one segment per run of consecutive codes
 * with consecutive glyphs (idDelta only), then the final segment at U+FFFF. false if it exceeds 65,535 bytes. */
static bool cmap_format4(buf *b, const cmap_pair *p, size_t n)
{
	size_t nseg = 1;
	for (size_t i = 1; i <= n; i++)
		if (i == n || p[i].code != p[i - 1].code + 1 || p[i].gid != p[i - 1].gid + 1)
			nseg++;
	if (n == 0)
		nseg = 1;
	if (16 + 8 * nseg > 0xFFFF)
		return false;
	unsigned range = 1, sel = 0;
	while (range * 2 <= nseg) {
		range *= 2;
		sel++;
	}
	put16(b, 4);
	put16(b, (unsigned)(16 + 8 * nseg));
	put16(b, 0);
	put16(b, (unsigned)(2 * nseg));
	put16(b, 2 * range);
	put16(b, sel);
	put16(b, (unsigned)(2 * nseg - 2 * range));
	for (int pass = 0; pass < 3; pass++) { /* endCode, startCode, idDelta of each segment */
		size_t start = 0;
		for (size_t i = 1; i <= n; i++) {
			if (i < n && p[i].code == p[i - 1].code + 1 && p[i].gid == p[i - 1].gid + 1)
				continue;
			unsigned delta = (p[start].gid - p[start].code) & 0xFFFF;
			put16(b, pass == 0 ? p[i - 1].code : pass == 1 ? p[start].code : delta);
			start = i;
		}
		put16(b, pass == 2 ? 1 : 0xFFFF);
		if (pass == 0)
			put16(b, 0); /* reservedPad */
	}
	for (size_t i = 0; i < nseg; i++)
		put16(b, 0); /* idRangeOffset */
	return true;
}

/* Appends a format 12 subtable for pairs (sorted). */
static void cmap_format12(buf *b, const cmap_pair *p, size_t n)
{
	size_t ngroups = 0;
	for (size_t i = 1; i <= n; i++)
		if (i == n || p[i].code != p[i - 1].code + 1 || p[i].gid != p[i - 1].gid + 1)
			ngroups++;
	put16(b, 12);
	put16(b, 0);
	put32(b, (uint32_t)(16 + 12 * ngroups));
	put32(b, 0);
	put32(b, (uint32_t)ngroups);
	size_t start = 0;
	for (size_t i = 1; i <= n; i++) {
		if (i < n && p[i].code == p[i - 1].code + 1 && p[i].gid == p[i - 1].gid + 1)
			continue;
		put32(b, p[start].code);
		put32(b, p[i - 1].code);
		put32(b, p[start].gid);
		start = i;
	}
}

/* The cmap of a subset with stand-ins: (3,1) format 4 with the BMP code points and the stand-ins, which is what
 * libharu reads, and (3,10) format 12 with the same and the real code points above U+FFFF, so that every reader of
 * the font (FreeType prefers format 12) finds the same glyph for a code. */
static bool stand_in_cmap(hb_face_t *sub, const uint32_t *codepoints, const uint32_t *codes, size_t n, buf *out)
{
	hb_font_t *font = hb_font_create(sub);
	cmap_pair *bmp = xmalloc((n ? n : 1) * sizeof *bmp), *all = xmalloc((2 * n + 1) * sizeof *all);
	size_t nbmp = 0, nall = 0;
	for (size_t i = 0; i < n; i++) {
		hb_codepoint_t gid = 0;
		if (!hb_font_get_nominal_glyph(font, codepoints[i], &gid))
			gid = 0;
		all[nall++] = (cmap_pair){codepoints[i], (unsigned)gid};
		if (codes[i] != codepoints[i])
			all[nall++] = (cmap_pair){codes[i], (unsigned)gid};
		if (codes[i] < 0xFFFF)
			bmp[nbmp++] = (cmap_pair){codes[i], (unsigned)gid};
	}
	hb_font_destroy(font);
	qsort(bmp, nbmp, sizeof *bmp, pair_cmp);
	qsort(all, nall, sizeof *all, pair_cmp);
	buf t4 = {0}, t12 = {0};
	bool ok = cmap_format4(&t4, bmp, nbmp);
	cmap_format12(&t12, all, nall);
	if (ok) {
		put16(out, 0); /* version */
		put16(out, 2);
		put16(out, 3);
		put16(out, 1);
		put32(out, 4 + 2 * 8);
		put16(out, 3);
		put16(out, 10);
		put32(out, (uint32_t)(4 + 2 * 8 + t4.len));
		buf_put(out, t4.data, t4.len);
		buf_put(out, t12.data, t12.len);
	}
	buf_free(&t4);
	buf_free(&t12);
	free(bmp);
	free(all);
	return ok;
}

/* sub with its cmap replaced by the one in cmap (every other table as it is); NULL when out of memory. sub, the
 * builder face hb-subset made, lists no tables in HarfBuzz 6.0: they are read from the font it serializes to. */
static hb_face_t *with_cmap(hb_face_t *subset, const buf *cmap)
{
	hb_blob_t *font = hb_face_reference_blob(subset);
	hb_face_t *sub = hb_face_create(font, 0);
	hb_blob_destroy(font);
	hb_face_t *built = hb_face_builder_create();
	hb_tag_t tags[64];
	unsigned start = 0, count;
	bool ok = true; /* out of memory, the builder is the empty face and refuses every table */
	do {
		count = sizeof tags / sizeof tags[0];
		hb_face_get_table_tags(sub, start, &count, tags);
		for (unsigned i = 0; i < count; i++) {
			if (tags[i] == HB_TAG('c', 'm', 'a', 'p'))
				continue;
			hb_blob_t *t = hb_face_reference_table(sub, tags[i]);
			ok = ok && hb_face_builder_add_table(built, tags[i], t);
			hb_blob_destroy(t);
		}
		start += count;
	} while (count == sizeof tags / sizeof tags[0]);
	hb_blob_t *c = hb_blob_create(cmap->data, (unsigned)cmap->len, HB_MEMORY_MODE_DUPLICATE, NULL, NULL);
	ok = ok && hb_blob_get_length(c) == cmap->len && hb_face_builder_add_table(built, HB_TAG('c', 'm', 'a', 'p'), c);
	hb_blob_destroy(c);
	hb_face_destroy(sub);
	if (!ok) {
		hb_face_destroy(built);
		return NULL;
	}
	return built;
}

int haru_subset(font_face *face, const uint32_t *codepoints, size_t n, uint32_t *codes, uint8_t **out,
                size_t *outlen, char *errbuf, size_t errlen)
{
	/* Tables libharu 2.3 never reads: OpenType layout and vertical metrics. Hinting goes too (the
	 * HB_SUBSET_FLAGS_NO_HINTING below: fpgm, prep, cvt, hdmx, glyph instructions): libharu embeds fpgm, prep and
	 * cvt as empty tables when they are missing, PDF viewers draw glyphs unhinted (poppler and cairo render the
	 * same pixels), and it is ~18% of a PDF: 55,154 → 45,160 B for the first project of input/2025-…. */
	static const hb_tag_t drop[] = {
		HB_TAG('G', 'S', 'U', 'B'), HB_TAG('G', 'P', 'O', 'S'), HB_TAG('G', 'D', 'E', 'F'),
		HB_TAG('v', 'h', 'e', 'a'), HB_TAG('v', 'm', 't', 'x'), HB_TAG('V', 'O', 'R', 'G'),
	};
	hb_subset_input_t *in;
	hb_set_t *unicodes, *tables;
	hb_face_t *sub;
	hb_blob_t *blob;
	const char *data;
	unsigned len = 0;

	*out = NULL;
	*outlen = 0;
	long astral = assign_codes(codepoints, n, codes);
	if (astral < 0) {
		set_err(errbuf, errlen, "字体 %s#%d 中超出基本多文种平面的字符过多（最多 %d 个），PDF 无法绘制",
		        font_face_path(face), font_face_index(face), HARU_PUA_LAST - HARU_PUA_FIRST + 1);
		return -1;
	}
	hb_face_t *hb = hb_face_of(face, errbuf, errlen);
	if (!hb)
		return -1;
	in = hb_subset_input_create_or_fail();
	if (!in) {
		set_err(errbuf, errlen, "内存不足（字体子集 %s）", font_face_path(face));
		return -1;
	}
	unicodes = hb_subset_input_unicode_set(in);
	tables = hb_subset_input_set(in, HB_SUBSET_SETS_DROP_TABLE_TAG);
	for (size_t i = 0; i < n; i++)
		hb_set_add(unicodes, codepoints[i]);
	for (size_t i = 0; i < sizeof drop / sizeof drop[0]; i++)
		hb_set_add(tables, drop[i]);
	hb_subset_input_set_flags(in, HB_SUBSET_FLAGS_NO_HINTING);
	if (!hb_set_allocation_successful(unicodes) || !hb_set_allocation_successful(tables)) {
		hb_subset_input_destroy(in);
		set_err(errbuf, errlen, "内存不足（字体子集 %s）", font_face_path(face));
		return -1;
	}
	sub = hb_subset_or_fail(hb, in);
	hb_subset_input_destroy(in);
	if (!sub) {
		set_err(errbuf, errlen, "HarfBuzz 无法为字体 %s#%d 生成子集", font_face_path(face), font_face_index(face));
		return -1;
	}
	if (astral > 0) {
		buf cmap = {0};
		hb_face_t *built = NULL;
		if (!stand_in_cmap(sub, codepoints, codes, n, &cmap)) {
			set_err(errbuf, errlen, "字体 %s#%d 的子集字符太多，无法写出字符映射表（cmap）", font_face_path(face),
			        font_face_index(face));
		} else if (!(built = with_cmap(sub, &cmap))) {
			set_err(errbuf, errlen, "内存不足（字体子集 %s）", font_face_path(face));
		}
		buf_free(&cmap);
		hb_face_destroy(sub);
		if (!built)
			return -1;
		sub = built;
	}
	blob = hb_face_reference_blob(sub);
	hb_face_destroy(sub);
	data = hb_blob_get_data(blob, &len);
	if (!data || len == 0) {
		hb_blob_destroy(blob);
		set_err(errbuf, errlen, "HarfBuzz 为字体 %s#%d 生成的子集为空", font_face_path(face), font_face_index(face));
		return -1;
	}
	*out = xmalloc(len);
	memcpy(*out, data, len);
	*outlen = len;
	hb_blob_destroy(blob);
	return 0;
}

int haru_memfd(const uint8_t *data, size_t len, char path[HARU_FD_PATH_MAX], int *fd, char *errbuf, size_t errlen)
{
	size_t done = 0;
	int f = memfd_create("budgetgen-font", MFD_CLOEXEC);

	*fd = -1;
	path[0] = '\0';
	if (f < 0) {
		set_err(errbuf, errlen, "无法创建内存文件：%s", errno_text(errno));
		return -1;
	}
	while (done < len) {
		ssize_t w = write(f, data + done, len - done);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0) {
			set_err(errbuf, errlen, "写入字体子集失败：%s", w < 0 ? errno_text(errno) : "没有写入");
			close(f);
			return -1;
		}
		done += (size_t)w;
	}
	snprintf(path, HARU_FD_PATH_MAX, "/proc/self/fd/%d", f);
	*fd = f;
	return 0;
}