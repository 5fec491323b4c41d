/* font.h — the font module: which TrueType font draws each character of each role (宋体, 黑体, 仿宋, 楷体,
 * 小标宋, 西文) and how wide it is. Included by the layout stage and by every emitter; it knows nothing about
 * budgets, documents or any output format: a format's limits come in through font_set_policy. Not
 * thread-safe: one font_set per thread. */
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
	FONT_OK,          /* success */
	FONT_ERR_NOMEM,   /* a font could not be mapped or FreeType ran out of memory */
	FONT_ERR_CONF,    /* roles.conf cannot be read or has a syntax error */
	FONT_ERR_NO_FONT  /* a role has no usable TrueType font */
} font_error;

/* Why a character has (or has not) a face. */
typedef enum {
	FONT_GLYPH_OK,       /* a face draws it */
	FONT_GLYPH_MISSING,  /* no loaded font has a glyph for it */
	FONT_GLYPH_NESTED,   /* the faces that have it are refused by the policy's drawable (libharu 2.3: nested
	                        composite glyphs, which it draws wrong) */
	FONT_GLYPH_ASTRAL,   /* refused by the policy's encodable (a format that cannot encode the code point) */
	FONT_GLYPH_BAD_UTF8  /* the bytes are not UTF-8 (runs only) */
} font_glyph_status;

typedef struct font_set font_set;   /* every loaded face and the role table; owns them all */
typedef struct font_face font_face; /* one face of one font file, with its measuring caches */

/* What the output formats can draw, supplied by the writer whose limits the layout must respect (the PDF
 * writer: emit/libharu/subset.h). A NULL member accepts everything. */
typedef struct font_glyph_policy {
	bool (*encodable)(uint32_t cp);                 /* false: FONT_GLYPH_ASTRAL, whatever the faces hold */
	bool (*drawable)(font_face *face, unsigned gid); /* false: this face cannot draw it; the fallback goes on */
} font_glyph_policy;

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

/* Reads conf_path (fonts/roles.conf), scans its directory for dropped-in official fonts, opens and checks every
 * candidate (font_conf.c). Fails with FONT_ERR_NO_FONT naming the role and the files tried when a role has no
 * usable font. The set starts with no policy: every glyph FreeType can load is accepted. */
font_error font_set_open(font_set **out, const char *conf_path, char *errbuf, size_t errlen);
void font_set_free(font_set *fs);

/* Sets the policy every pick from now on respects (copied; NULL: none). Setting the one in force again costs
 * nothing; another one forgets the picks made so far. */
void font_set_policy(font_set *fs, const font_glyph_policy *policy);

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
 * role's faces in order, then the other roles' CJK faces, then the 西文 faces; a face whose glyph the policy
 * refuses is passed over. *face is NULL unless the result is FONT_GLYPH_OK. Cached per role: constant time
 * after the first call for a BMP code point. */
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

/* The glyph id of cp in face (0 when not covered); whether face can draw cp under its set's policy; whether
 * glyph gid is a composite with a composite among its components (cached per glyph). */
unsigned font_glyph_id(font_face *face, uint32_t cp);
font_glyph_status font_face_covers(font_face *face, uint32_t cp);
bool font_glyph_nested(font_face *face, unsigned gid);

void font_face_vmetrics(const font_face *face, font_vmetrics *out);
const char *font_face_path(const font_face *face);   /* file the face came from */
int font_face_index(const font_face *face);          /* face index in a TTC, 0 otherwise */
const char *font_face_family(const font_face *face); /* family name from the font file */
const char *font_face_psname(const font_face *face); /* PostScript name */
long font_face_file_size(const font_face *face);     /* bytes of the font file */
/* The whole font file, mapped read-only for the life of the set (a TTC: every face of it). */
const uint8_t *font_face_data(const font_face *face, size_t *len);

/* One pointer an emitter may hang on a face (the PDF writer's HarfBuzz face): destroy(data) runs when the face
 * is freed or the pointer replaced. */
void *font_face_user(const font_face *face);
void font_face_set_user(font_face *face, void *data, void (*destroy)(void *));

#endif
