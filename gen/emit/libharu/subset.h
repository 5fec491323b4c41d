/* subset.h — what the PDF writer needs of a font for libharu 2.3: the glyphs libharu can draw (a
 * policy for the font set, font.h), a HarfBuzz subset of a face with exactly the characters a
 * document uses, and a memfd path to load it from (libharu reads fonts only from files). */
#ifndef BUDGETGEN_EMIT_LIBHARU_SUBSET_H
#define BUDGETGEN_EMIT_LIBHARU_SUBSET_H

#include <stddef.h>
#include <stdint.h>

#include "text/font.h"

/* Code points U+0000–U+FFFF: the only ones libharu 2.3 encodes (it writes a space for the others). */
enum { HARU_BMP_SIZE = 0x10000 };

/* libharu 2.3's limits as a font policy: code points above U+FFFF are not encodable
 * (FONT_GLYPH_ASTRAL), and composite glyphs whose components include a composite are not drawable
 * (FONT_GLYPH_NESTED: libharu draws them wrong), so the fallback looks for another face. */
extern const font_glyph_policy haru_glyph_policy;

/* Path length enough for "/proc/self/fd/N". */
#define HARU_FD_PATH_MAX 32

/* Subsets face to exactly codepoints[0..n) (plus .notdef) with hb-subset: glyph ids renumbered, GSUB/GPOS/GDEF,
 * vertical metrics and hinting dropped, output deterministic and a single TrueType font even from a TTC. The cmap is
 * HarfBuzz's: segments sorted by their end, as haru_fast.c's lookup for libharu relies on. Returns 0 and the font
 * in *out (the caller frees it with free()), or -1 with a message in errbuf. */
int haru_subset(font_face *face, const uint32_t *codepoints, size_t n, uint8_t **out, size_t *outlen, char *errbuf,
                size_t errlen);

/* Writes data to an anonymous memfd and gives the path "/proc/self/fd/N" that libharu can open
 * (HPDF_LoadTTFontFromFile). Returns 0, or -1 with a message in errbuf. The caller closes *fd after
 * HPDF_SaveToFile. */
int haru_memfd(const uint8_t *data, size_t len, char path[HARU_FD_PATH_MAX], int *fd, char *errbuf, size_t errlen);

#endif
