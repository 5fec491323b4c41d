/* font.h — the font module: which TrueType font draws each character of each role (宋体, 黑体, 仿宋, 楷体,
 * 小标宋, 西文), how wide it is, and the subset of it that a PDF embeds. Included by the layout stage and by
 * every emitter; it knows nothing about budgets, documents or libharu. Not thread-safe: one font_set per thread. */
#ifndef BUDGETGEN_FONT_H
#define BUDGETGEN_FONT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* The typographic roles of an official document. ORDER font_role: role_names[] in font.c. */
typedef enum {
    FONT_ROLE_SONG,     /* 宋体: tables */
    FONT_ROLE_HEI,      /* 黑体: headings */
    FONT_ROLE_FANGSONG, /* 仿宋: body prose */
    FONT_ROLE_KAI,      /* 楷体: sub-headings */
    FONT_ROLE_TITLE,    /* 小标宋: document title */
    FONT_ROLE_LATIN,    /* 西文: digits and Latin text */
    FONT_ROLE_COUNT
} font_role;

/* Result codes of the functions that can fail; the message is in the caller's errbuf. */
typedef enum {
    FONT_OK,           /* success */
    FONT_ERR_NOMEM,    /* an allocation failed */
    FONT_ERR_CONF,     /* roles.conf cannot be read or has a syntax error */
    FONT_ERR_NO_FONT,  /* a role has no usable TrueType font */
    FONT_ERR_SUBSET,   /* HarfBuzz could not subset a font */
    FONT_ERR_IO        /* memfd_create or write failed */
} font_error;

/* Why a character has (or has not) a face. */
typedef enum {
    FONT_GLYPH_OK,       /* a face draws it */
    FONT_GLYPH_MISSING,  /* no loaded font has a glyph for it */
    FONT_GLYPH_NESTED,   /* only nested composite glyphs exist, which libharu 2.3 draws wrong */
    FONT_GLYPH_ASTRAL,   /* above U+FFFF: libharu 2.3 turns it into a space */
    FONT_GLYPH_BAD_UTF8  /* the bytes are not UTF-8 (runs only) */
} font_glyph_status;

typedef struct font_set font_set;   /* every loaded face and the role table; owns them all */
typedef struct font_face font_face; /* one face of one font file, with its measuring caches */

/* Vertical metrics of a face, in font units (FreeType's values from hhea / OS/2). */
typedef struct {
    int units_per_em; /* design units per em, usually 1000 or 2048 */
    int ascender;     /* above the baseline, positive */
    int descender;    /* below the baseline, negative */
    int line_height;  /* ascender - descender + line gap */
} font_vmetrics;

/* One stretch of a UTF-8 string drawn with one face (see font_next_run). */
typedef struct {
    font_face *face;          /* face to draw the run with; NULL unless status is FONT_GLYPH_OK */
    font_glyph_status status; /* FONT_GLYPH_OK, or why the run's characters cannot be drawn */
    size_t start;             /* byte offset of the run in the string */
    size_t len;               /* byte length of the run */
} font_run;

/* Path length enough for "/proc/self/fd/N". */
#define FONT_FD_PATH_MAX 32

/* Reads conf_path (fonts/roles.conf), scans its directory for dropped-in official fonts, opens and checks every
 * candidate. Fails with FONT_ERR_NO_FONT naming the role and the files tried when a role has no usable font. */
font_error font_set_open(font_set **out, const char *conf_path, char *errbuf, size_t errlen);
void font_set_free(font_set *fs);

/* Non-fatal notes gathered by font_set_open (unusable or unmatched font files); NULL past the last. */
const char *font_set_warning(const font_set *fs, size_t i);

/* Every distinct face the set loaded, for emitters that embed or list them. */
size_t font_set_face_count(const font_set *fs);
font_face *font_set_face(font_set *fs, size_t i);

const char *font_role_name(font_role role);                        /* "宋体", …, "西文" */
bool font_role_from_name(const char *name, font_role *out);        /* inverse of font_role_name */
const char *font_role_family(const font_set *fs, font_role role);  /* family name for docx/xlsx */
bool font_role_uses_latin(const font_set *fs, font_role role);     /* digits and Latin go to 西文 */
font_face *font_role_face(font_set *fs, font_role role);           /* the role's first usable face */

/* True for the characters that a role with "latin = yes" sends to the 西文 face: printable ASCII and Latin
 * letters with diacritics (U+00C0–U+024F except × and ÷), the range Word draws with w:ascii/w:hAnsi. */
bool font_is_latin(uint32_t cp);

/* The face that draws cp in role: for Latin characters the 西文 faces first when the role says so, then the
 * role's faces in order, then the other roles' CJK faces, then the 西文 faces. *face is NULL unless the result
 * is FONT_GLYPH_OK. Cached per role: constant time after the first call for a code point. */
font_glyph_status font_pick(font_set *fs, font_role role, uint32_t cp, font_face **face);

/* Next run of s[*pos..len) in role: a maximal stretch of characters with the same face, or of characters that
 * cannot be drawn for the same reason. Advances *pos; returns false at the end of the string. */
bool font_next_run(font_set *fs, font_role role, const char *s, size_t len, size_t *pos, font_run *run);

/* Advance width of cp in face, in font units and in points at size_pt (the .notdef width if not covered). */
int font_advance_units(font_face *face, uint32_t cp);
double font_advance(font_face *face, uint32_t cp, double size_pt);
/* Width in points of s[0..len) drawn entirely with face (invalid bytes count as U+FFFD). */
double font_text_width(font_face *face, const char *s, size_t len, double size_pt);
/* Width in points of s[0..len) in role with the fallback of font_pick; a character no face can draw counts as
 * one em. This is the measuring callback for table layout and line breaking. */
double font_measure(font_set *fs, font_role role, const char *s, size_t len, double size_pt);

/* The glyph id of cp in face (0 when not covered) and whether face can draw it (covered, not nested). */
unsigned font_glyph_id(font_face *face, uint32_t cp);
font_glyph_status font_face_covers(font_face *face, uint32_t cp);

void font_face_vmetrics(const font_face *face, font_vmetrics *out);
const char *font_face_path(const font_face *face);   /* file the face came from */
int font_face_index(const font_face *face);          /* face index in a TTC, 0 otherwise */
const char *font_face_family(const font_face *face); /* family name from the font file */
const char *font_face_psname(const font_face *face); /* PostScript name: libharu's key for the font */
long font_face_file_size(const font_face *face);     /* bytes of the font file */

/* Subsets face to exactly codepoints[0..n) (plus .notdef) with hb-subset: glyph ids renumbered, GSUB/GPOS/GDEF,
 * vertical metrics and hinting dropped, output deterministic and a single TrueType font even from a TTC. The cmap is
 * HarfBuzz's: segments sorted by their end, as haru_fast.c's lookup for libharu relies on. The caller frees *out
 * with free(). */
font_error font_subset(font_face *face, const uint32_t *codepoints, size_t n, uint8_t **out, size_t *outlen,
                       char *errbuf, size_t errlen);

/* Writes data to an anonymous memfd and gives the path "/proc/self/fd/N" that libharu can open
 * (HPDF_LoadTTFontFromFile). The caller closes *fd after HPDF_SaveToFile. */
font_error font_memfd(const uint8_t *data, size_t len, char path[FONT_FD_PATH_MAX], int *fd, char *errbuf,
                      size_t errlen);

/* Testing only: after n more allocations by this module (FreeType's included) the next one fails; -1 turns this
 * off. Returns how many allocations were left before the call (-1 if it was off). */
long font_debug_fail_alloc_after(long n);

#endif
