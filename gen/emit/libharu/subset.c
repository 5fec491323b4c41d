/* subset.c — the fonts of a PDF as libharu 2.3 takes them: the policy that keeps the layout to
 * the glyphs it can draw, one HarfBuzz subset per face (the HarfBuzz face kept on the font face for
 * the set's life), and the memfd libharu loads it from. */
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
	return cp < HARU_BMP_SIZE;
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

int haru_subset(font_face *face, const uint32_t *codepoints, size_t n, uint8_t **out, size_t *outlen, char *errbuf,
                size_t errlen)
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