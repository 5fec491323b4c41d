/* subset.h — what the PDF writer needs of a font for libharu 2.3: the glyphs libharu can draw (a
 * policy for the font set, font.h), a HarfBuzz subset of a face with exactly the characters a
 * document uses, and a memfd path to load it from (libharu reads fonts only from files). */
#ifndef BUDGETGEN_EMIT_LIBHARU_SUBSET_H
#define BUDGETGEN_EMIT_LIBHARU_SUBSET_H

#include <stddef.h>
#include <stdint.h>

#include "text/font.h"

/* Code points U+0000–U+FFFF: the only ones libharu 2.3 encodes (it writes a space for the others). A
 * character above U+FFFF is drawn through a stand-in: a code of the Private Use Area U+E000–U+F8FF that the
 * face's subset maps to its glyph (haru_subset) and the PDF's ToUnicode CMap maps back to it. */
enum { HARU_BMP_SIZE = 0x10000, HARU_PUA_FIRST = 0xE000, HARU_PUA_LAST = 0xF8FF };

/* libharu 2.3's limits as a font policy: every code point is encodable (above U+FFFF through a stand-in),
 * and composite glyphs whose components include a composite are not drawable (FONT_GLYPH_NESTED: libharu
 * draws them wrong), so the fallback looks for another face. */
extern const font_glyph_policy haru_glyph_policy;

/* Path length enough for "/proc/self/fd/N". */
#define HARU_FD_PATH_MAX 32

/* Subsets face to exactly codepoints[0..n) (distinct, plus .notdef) with hb-subset: glyph ids renumbered,
 * GSUB/GPOS/GDEF, vertical metrics and hinting dropped, output deterministic and a single TrueType font even from a
 * TTC. codes[i] is the code libharu draws codepoints[i] with: the code point itself below U+10000; above it, a
 * stand-in, the lowest code of the Private Use Area not among codepoints and not given to another. Without code
 * points above U+FFFF the cmap is HarfBuzz's; with them it is rebuilt: the BMP code points and the stand-ins in a
 * format 4 subtable (the one libharu reads), these and the real code points in a format 12 one. Either way
 * segments are sorted by their end, as haru_fast.c's lookup for libharu relies on. Returns 0 and the font in *out
 * (the caller frees it with free()), or -1 with a message in errbuf (also when the Private Use Area has no code
 * left). */
int haru_subset(font_face *face, const uint32_t *codepoints, size_t n, uint32_t *codes, uint8_t **out,
                size_t *outlen, char *errbuf, size_t errlen);

/* Writes data to an anonymous memfd and gives the path "/proc/self/fd/N" that libharu can open
 * (HPDF_LoadTTFontFromFile). Returns 0, or -1 with a message in errbuf. The caller closes *fd after
 * HPDF_SaveToFile. */
int haru_memfd(const uint8_t *data, size_t len, char path[HARU_FD_PATH_MAX], int *fd, char *errbuf, size_t errlen);

#endif
