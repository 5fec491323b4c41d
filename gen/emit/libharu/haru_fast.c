/* haru_fast.c — three of libharu's hot functions, done faster in the executable.
 *
 * libharu 2.3 exports its helpers and calls them through its PLT, so a definition of the same
 * name in the executable is the one it uses — the way budgetgen's malloc (util.c) and deflate
 * (flate.c) serve every library. Each definition below does exactly what libharu's does (the
 * same result for every input it is given; tests/unit/test_haru_fast.c compares them with
 * libharu's own, looked up past these with dlsym RTLD_NEXT), only faster. Measured with
 * callgrind on the department of input/2023-开发区组织人事局.txt (57 PDFs, 117 fonts):
 *
 *   HPDF_MemCpy, HPDF_MemSet (hpdf_utils.h) — loops of one byte at a time, through which every
 *   byte of every embedded font, every 131,070-byte CIDToGIDMap and every finished document
 *   passes several times: 944 M of 4,479 M instructions. Here the C library's memmove and memset.
 *   memmove, not memcpy: libharu's loop copies forwards, which is also right for overlapping
 *   regions with out below in; no caller relies on anything else.
 *
 *   HPDF_TTFontDef_GetGlyphid (hpdf_fontdef.h) — a code point's glyph by a linear scan of the
 *   font's cmap segments, called for all 65,536 BMP code points each time a font is set up in a
 *   document, and for every character drawn: 613 M instructions. Here the same segment — the
 *   first whose end is at or above the code point, which is the one the scan finds because
 *   segments are sorted by their end (the TrueType rule, kept by every subset subset.c makes, and
 *   libharu only ever loads those) — is found in a few steps: a segment is that one exactly when
 *   it ends at or above the code point and the one before it ends below, so the last call's
 *   segment or the next one is tried first (the 65,536 lookups come in order), and a binary
 *   search finds it otherwise. A lookup past the glyph id array returns 0 where libharu would
 *   read one entry past its end.
 *
 * Every call is counted (haru_fast.h), for tests/unit/test_haru_fast.c to see that libharu made
 * them. This relies on glibc's dynamic linker and a libharu linked dynamically with calls through
 * its PLT (README "Speed"), and on libharu 2.3.0's internals (the TrueType cmap structure, the
 * helpers' exact behaviour): any other version is refused at compile time. */
#include "emit/libharu/haru_fast.h"

#include <hpdf.h>
#include <hpdf_fontdef.h>
#include <hpdf_utils.h>
#include <hpdf_version.h>
#include <string.h>

#if HPDF_MAJOR_VERSION != 2 || HPDF_MINOR_VERSION != 3 || HPDF_BUGFIX_VERSION != 0
#error "haru_fast.c replaces internals of libharu 2.3.0 only: build with make HARU_FAST=0"
#endif

unsigned long haru_fast_calls[HARU_FAST_COUNTERS];

/* Most calls move a few bytes (a glyph id, a table field): those go without a library call. */
enum { SMALL = 8 };

HPDF_BYTE *HPDF_MemCpy(HPDF_BYTE *out, const HPDF_BYTE *in, HPDF_UINT n)
{
	haru_fast_calls[HARU_FAST_MEMCPY]++;
	if (n <= SMALL) {
		for (HPDF_UINT i = 0; i < n; i++) /* forwards, as libharu's */
			out[i] = in[i];
	} else {
		memmove(out, in, n);
	}
	return out + n;
}

void *HPDF_MemSet(void *s, HPDF_BYTE c, HPDF_UINT n)
{
	HPDF_BYTE *b = s;
	haru_fast_calls[HARU_FAST_MEMSET]++;
	if (n <= SMALL) {
		for (HPDF_UINT i = 0; i < n; i++)
			b[i] = c;
	} else {
		memset(b, c, n);
	}
	return b + n;
}

HPDF_UINT16 HPDF_TTFontDef_GetGlyphid(HPDF_FontDef fontdef, HPDF_UINT16 unicode)
{
	const HPDF_TTF_CmapRange *cmap = &((HPDF_TTFontDefAttr)fontdef->attr)->cmap;
	haru_fast_calls[HARU_FAST_GLYPHID]++;
	if (cmap->format == 0)
		return cmap->glyph_id_array[unicode & 0xFF];
	if (cmap->seg_count_x2 == 0) {
		HPDF_SetError(fontdef->error, HPDF_TTF_INVALID_CMAP, 0);
		return 0;
	}
	/* the first segment ending at or above unicode: the one the last call found, or the next
	 * (libharu asks for code points in order), when it passes the test; else a binary search */
	static HPDF_UINT last;
	HPDF_UINT nseg = cmap->seg_count_x2 / 2, lo = 0, hi = nseg;
	const HPDF_UINT16 *end = cmap->end_count;
	if (last < nseg && unicode <= end[last] && (last == 0 || end[last - 1] < unicode)) {
		lo = last;
	} else if (last + 1 < nseg && unicode <= end[last + 1] && end[last] < unicode) {
		lo = last + 1;
	} else {
		while (lo < hi) {
			HPDF_UINT mid = lo + (hi - lo) / 2;
			if (unicode <= end[mid])
				hi = mid;
			else
				lo = mid + 1;
		}
	}
	last = lo;
	if (lo == nseg || cmap->start_count[lo] > unicode)
		return 0; /* no segment holds it (a cmap ends with 0xFFFF: libharu never gets past it) */
	if (cmap->id_range_offset[lo] == 0)
		return (HPDF_UINT16)(unicode + cmap->id_delta[lo]);
	HPDF_UINT idx = cmap->id_range_offset[lo] / 2 + (unicode - cmap->start_count[lo]) - (nseg - lo);
	if (idx >= cmap->glyph_id_array_count)
		return 0;
	return (HPDF_UINT16)(cmap->glyph_id_array[idx] + cmap->id_delta[lo]);
}
