/* font_int.h — what font.c (faces, coverage, fallback) and font_conf.c (roles.conf and drop-in
 * fonts) share: the set and face structures and the helpers each offers the other. Not for other
 * files: they use font.h. */
#ifndef BUDGETGEN_FONT_INT_H
#define BUDGETGEN_FONT_INT_H

#include "text/font.h"

#include <ft2build.h>
#include FT_FREETYPE_H

enum {
	FONT_MAX_FACES = 64,    /* distinct faces in a set: a pick cache entry stores slot + 1 in one byte */
	FONT_CACHED_CPS = 0x10000 /* code points U+0000–U+FFFF have cmap and pick cache entries */
};

struct font_face {
	FT_Face ft;                  /* FreeType face, Unicode charmap selected */
	font_set *fs;                /* the set that owns it (for its policy) */
	const uint8_t *data;         /* the font file, mapped once: each page counts once in memory */
	size_t size;                 /* its length in bytes */
	char *path;                  /* font file as opened */
	int index;                   /* face index within a TTC, 0 for a TTF */
	int upem;                    /* design units per em */
	double inv_upem;             /* 1.0 / upem, for measuring */
	unsigned num_glyphs;         /* glyphs in the face (maxp) */
	uint16_t *cmap;              /* code point → glyph id + 1, 0 = not looked up yet; FONT_CACHED_CPS entries */
	int32_t *advance;            /* glyph id → advance width in font units, -1 = not measured yet */
	uint8_t *state;              /* glyph id → glyph_state (font.c); num_glyphs entries */
	void *user;                  /* font_face_set_user */
	void (*user_destroy)(void *); /* and how to free it */
};

/* A growable list of owned strings. */
typedef struct {
	char **items; /* the strings, each malloc'd */
	size_t n;     /* strings in use */
	size_t cap;   /* slots allocated */
} font_strlist;

void font_strlist_add(font_strlist *l, const char *s); /* appends a copy */
void font_strlist_free(font_strlist *l);

/* A role as resolved: its faces and fallback orders, as slots into font_set.faces. */
typedef struct {
	char *family;                        /* family name for docx/xlsx */
	bool latin;                          /* Latin characters try the 西文 faces first */
	uint8_t faces[FONT_MAX_FACES];       /* the role's own usable faces in priority order */
	size_t nfaces;                       /* entries in faces */
	uint8_t chain[FONT_MAX_FACES];       /* fallback for other characters: own faces, other CJK roles, 西文 */
	size_t nchain;                       /* entries in chain */
	uint8_t latin_chain[FONT_MAX_FACES]; /* fallback for Latin characters when latin: 西文 faces, then chain */
	size_t nlatin_chain;                 /* entries in latin_chain */
	uint8_t *pick;                       /* code point → slot + 1 or PICK_* (font.c); FONT_CACHED_CPS entries */
} role_info;

struct font_set {
	FT_Library ft;                    /* FreeType library */
	font_face *faces[FONT_MAX_FACES]; /* distinct faces, shared by the roles */
	size_t nfaces;                    /* entries in faces */
	role_info roles[FONT_ROLE_COUNT]; /* indexed by font_role */
	font_glyph_policy policy;         /* font_set_policy; members NULL when none */
	font_strlist warnings;            /* notes for font_set_warning */
};

/* Outcome of font_add_face. */
typedef enum {
	ADD_OK,       /* *slot holds the face */
	ADD_ABSENT,   /* the file does not exist (normal for optional Debian packages) */
	ADD_UNUSABLE, /* the file exists but cannot be used; reason says why */
	ADD_NOMEM     /* out of memory (the file could not be mapped, or FreeType said so) */
} add_result;

/* Opens face index of path (or finds it already open) and checks it; *slot is its place in fs->faces. */
add_result font_add_face(font_set *fs, const char *path, int index, uint8_t *slot, char *reason, size_t rlen);
/* Why FreeType could not open a font, for messages. */
const char *font_ft_reason(FT_Error e);
/* Appends slot to chain[0..*n) unless it is there already. */
void font_chain_add(uint8_t *chain, size_t *n, uint8_t slot);
/* Builds each role's fallback orders once all faces are known. */
void font_build_chains(font_set *fs);
bool font_role_is_cjk(font_role role);
/* snprintf into errbuf (nothing when errbuf is NULL or errlen 0). */
void font_set_err(char *errbuf, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

#endif
