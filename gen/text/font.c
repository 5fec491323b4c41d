/* font.c — the faces of a font set and what every format needs of them: opening and checking a
 * TrueType face, which face draws each character of each role (coverage and fallback, under the
 * policy of the strictest writer), advance widths through per-face caches, vertical metrics.
 * roles.conf and the drop-in fonts are font_conf.c's; subsetting for the PDF is emit/libharu's. */
#include "text/font_int.h"

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include FT_ADVANCES_H
#include FT_TRUETYPE_TABLES_H
#include FT_TRUETYPE_TAGS_H

#include "base/util.h"

enum {
	PICK_UNKNOWN = 0,    /* pick cache: not decided yet */
	PICK_ASTRAL = 0xFD,  /* pick cache: the policy cannot encode the code point */
	PICK_NESTED = 0xFE,  /* pick cache: every face that has it is refused by the policy */
	PICK_MISSING = 0xFF  /* pick cache: no face has the character */
};

/* What a glyph id can do; the per-face state cache holds one of these per glyph. */
typedef enum {
	GLYPH_UNKNOWN, /* not examined yet */
	GLYPH_GOOD,    /* a simple glyph, or a composite of simple glyphs */
	GLYPH_NESTED,  /* a composite with a composite component (libharu 2.3 draws it wrong) */
	GLYPH_BROKEN   /* FreeType cannot load it */
} glyph_state;

/* ORDER font_role */
static const char *const role_names[FONT_ROLE_COUNT] = {"宋体", "黑体", "仿宋", "楷体", "小标宋", "西文"};

/* Order in which the other roles' faces are tried for a character the role's own faces lack: the Song-like
 * styles before 黑体, whose strokes stand out most in serif text. */
static const font_role cjk_fallback_order[] = {FONT_ROLE_SONG, FONT_ROLE_FANGSONG, FONT_ROLE_KAI, FONT_ROLE_TITLE,
                                               FONT_ROLE_HEI};

void font_set_err(char *errbuf, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	if (!errbuf || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(errbuf, errlen, fmt, ap);
	va_end(ap);
}

/* ---------------------------------------------------------------- roles */

const char *font_role_name(font_role role)
{
	return (unsigned)role < FONT_ROLE_COUNT ? role_names[role] : "?";
}

bool font_role_from_name(const char *name, font_role *out)
{
	for (int r = 0; r < FONT_ROLE_COUNT; r++) {
		if (strcmp(name, role_names[r]) == 0) {
			*out = (font_role)r;
			return true;
		}
	}
	return false;
}

bool font_role_is_cjk(font_role role)
{
	switch (role) {
	case FONT_ROLE_SONG:
	case FONT_ROLE_HEI:
	case FONT_ROLE_FANGSONG:
	case FONT_ROLE_KAI:
	case FONT_ROLE_TITLE:
		return true;
	case FONT_ROLE_LATIN:
	case FONT_ROLE_COUNT:
		return false;
	}
	return false;
}

bool font_is_latin(uint32_t cp)
{
	if (cp >= 0x20 && cp <= 0x7E)
		return true;
	return cp >= 0xC0 && cp <= 0x24F && cp != 0xD7 && cp != 0xF7;
}

/* ---------------------------------------------------------------- checking and opening faces */

/* Why FreeType could not open a font, for messages. */
const char *font_ft_reason(FT_Error e)
{
	switch (e) {
	case FT_Err_Unknown_File_Format:
		return "不是字体文件（FreeType 无法识别）";
	case FT_Err_Invalid_File_Format:
	case FT_Err_Invalid_Table:
		return "字体文件已损坏（FreeType 无法读取）";
	case FT_Err_Invalid_Argument:
		return "文件中没有该序号的字体";
	case FT_Err_Cannot_Open_Resource:
		return "无法打开文件";
	default:
		return "FreeType 无法打开";
	}
}

static bool has_table(FT_Face f, FT_ULong tag)
{
	FT_ULong len = 0;
	return FT_Load_Sfnt_Table(f, tag, 0, NULL, &len) == 0 && len > 0;
}

/* Whether libharu 2.3 can embed f; otherwise a reason in reason[]. */
static bool check_face(FT_Face f, char *reason, size_t rlen)
{
	static const struct {
		FT_ULong tag;     /* table tag */
		const char *name; /* its name in messages */
	} required[] = {
		{TTAG_head, "head"}, {TTAG_hhea, "hhea"}, {TTAG_hmtx, "hmtx"}, {TTAG_maxp, "maxp"}, {TTAG_cmap, "cmap"},
		{TTAG_loca, "loca"}, {TTAG_name, "name"}, {TTAG_OS2, "OS/2"},
	};
	FT_UShort fstype;

	if (!FT_IS_SFNT(f) || !FT_IS_SCALABLE(f)) {
		font_set_err(reason, rlen, "不是 TrueType/OpenType 字体");
		return false;
	}
	if (has_table(f, TTAG_CFF) || has_table(f, TTAG_CFF2) || !has_table(f, TTAG_glyf)) {
		font_set_err(reason, rlen, "是 CFF 轮廓（OpenType PS），libharu 2.3 只能嵌入 TrueType（glyf）轮廓");
		return false;
	}
	for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
		if (!has_table(f, required[i].tag)) {
			font_set_err(reason, rlen, "缺少 %s 表", required[i].name);
			return false;
		}
	}
	if (f->units_per_EM == 0 || f->num_glyphs <= 0 || f->num_glyphs > 65535) {
		font_set_err(reason, rlen, "字体头信息无效");
		return false;
	}
	if (FT_Select_Charmap(f, FT_ENCODING_UNICODE) != 0) {
		font_set_err(reason, rlen, "没有 Unicode 字符映射表");
		return false;
	}
	fstype = FT_Get_FSType_Flags(f);
	if (fstype & (FT_FSTYPE_RESTRICTED_LICENSE_EMBEDDING | FT_FSTYPE_NO_SUBSETTING | FT_FSTYPE_BITMAP_EMBEDDING_ONLY)) {
		font_set_err(reason, rlen, "字体许可不允许嵌入或子集化（fsType=0x%04x）", (unsigned)fstype);
		return false;
	}
	return true;
}

static void face_free(font_face *face)
{
	if (!face)
		return;
	if (face->user_destroy)
		face->user_destroy(face->user);
	if (face->ft)
		FT_Done_Face(face->ft);
	if (face->data)
		munmap((void *)face->data, face->size);
	free(face->path);
	free(face->cmap);
	free(face->advance);
	free(face->state);
	free(face);
}

enum { SFNT_HEADER = 12 }; /* bytes of an sfnt header: version, numTables, searchRange, entrySelector, rangeShift */

/* Maps the font file read-only for FreeType and the PDF writer's HarfBuzz both (font_face_data;
 * each opening it by name maps it
 * again, and the pages both touch then count twice in the resident set: 21 MB of the 69 MB peak
 * of a department's build). An empty file is not mapped (size 0). */
static add_result map_font(font_face *face, const char *path, char *reason, size_t rlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	if (fd < 0 || fstat(fd, &st) != 0) {
		int saved = errno;
		if (fd >= 0)
			close(fd);
		font_set_err(reason, rlen, "%s", errno_text(saved));
		return saved == ENOMEM ? ADD_NOMEM : ADD_UNUSABLE;
	}
	if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > UINT32_MAX) { /* replaced since the stat */
		close(fd);
		font_set_err(reason, rlen, "%s", S_ISREG(st.st_mode) ? "文件过大" : "不是普通文件");
		return ADD_UNUSABLE;
	}
	if (st.st_size > 0) {
		void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
		if (p == MAP_FAILED) {
			int saved = errno;
			close(fd);
			font_set_err(reason, rlen, "%s", errno_text(saved));
			return saved == ENOMEM ? ADD_NOMEM : ADD_UNUSABLE;
		}
		face->data = p;
		face->size = (size_t)st.st_size;
	}
	close(fd);
	return ADD_OK;
}

/* Opens face index of path (or finds it already open) and checks it; *slot is its place in fs->faces. */
add_result font_add_face(font_set *fs, const char *path, int index, uint8_t *slot, char *reason, size_t rlen)
{
	struct stat st;
	font_face *face;
	FT_Error e;

	for (size_t i = 0; i < fs->nfaces; i++) {
		if (fs->faces[i]->index == index && strcmp(fs->faces[i]->path, path) == 0) {
			*slot = (uint8_t)i;
			return ADD_OK;
		}
	}
	if (stat(path, &st) != 0) {
		int saved = errno;
		font_set_err(reason, rlen, "%s", saved == ENOENT ? "文件不存在" : errno_text(saved));
		return saved == ENOENT ? ADD_ABSENT : ADD_UNUSABLE;
	}
	if (!S_ISREG(st.st_mode)) {
		font_set_err(reason, rlen, "不是普通文件");
		return ADD_UNUSABLE;
	}
	if (fs->nfaces == FONT_MAX_FACES) {
		font_set_err(reason, rlen, "字体过多（最多 %d 个）", FONT_MAX_FACES);
		return ADD_UNUSABLE;
	}
	face = xcalloc(1, sizeof *face);
	face->fs = fs;
	face->path = xstrdup(path);
	switch (map_font(face, path, reason, rlen)) {
	case ADD_OK:
		break;
	case ADD_NOMEM:
		face_free(face);
		return ADD_NOMEM;
	case ADD_ABSENT:
	case ADD_UNUSABLE:
		face_free(face);
		return ADD_UNUSABLE;
	}
	/* shorter than a font's header: no font (FreeType, reading past the end of memory, would
	 * say so less plainly than it does of a file) */
	e = face->size >= SFNT_HEADER
	        ? FT_New_Memory_Face(fs->ft, face->data, (FT_Long)face->size, index, &face->ft)
	        : FT_Err_Unknown_File_Format;
	if (e == FT_Err_Out_Of_Memory) {
		face->ft = NULL;
		face_free(face);
		return ADD_NOMEM;
	}
	if (e != 0) {
		face->ft = NULL;
		face_free(face);
		font_set_err(reason, rlen, "%s", font_ft_reason(e));
		return ADD_UNUSABLE;
	}
	if (!check_face(face->ft, reason, rlen)) {
		face_free(face);
		return ADD_UNUSABLE;
	}
	face->index = index;
	face->upem = face->ft->units_per_EM;
	face->inv_upem = 1.0 / face->upem;
	face->num_glyphs = (unsigned)face->ft->num_glyphs;
	face->cmap = xcalloc(FONT_CACHED_CPS, sizeof *face->cmap);
	face->advance = xmalloc(face->num_glyphs * sizeof *face->advance);
	face->state = xcalloc(face->num_glyphs, sizeof *face->state);
	for (unsigned g = 0; g < face->num_glyphs; g++)
		face->advance[g] = -1;
	*slot = (uint8_t)fs->nfaces;
	fs->faces[fs->nfaces++] = face;
	return ADD_OK;
}

/* ---------------------------------------------------------------- fallback orders */

void font_chain_add(uint8_t *chain, size_t *n, uint8_t slot)
{
	for (size_t i = 0; i < *n; i++)
		if (chain[i] == slot)
			return;
	chain[(*n)++] = slot;
}

void font_build_chains(font_set *fs)
{
	const role_info *latin = &fs->roles[FONT_ROLE_LATIN];
	for (int r = 0; r < FONT_ROLE_COUNT; r++) {
		role_info *ri = &fs->roles[r];
		ri->nchain = ri->nlatin_chain = 0;
		for (size_t i = 0; i < ri->nfaces; i++)
			font_chain_add(ri->chain, &ri->nchain, ri->faces[i]);
		for (size_t k = 0; k < sizeof cjk_fallback_order / sizeof cjk_fallback_order[0]; k++) {
			const role_info *other = &fs->roles[cjk_fallback_order[k]];
			for (size_t i = 0; i < other->nfaces; i++)
				font_chain_add(ri->chain, &ri->nchain, other->faces[i]);
		}
		for (size_t i = 0; i < latin->nfaces; i++)
			font_chain_add(ri->chain, &ri->nchain, latin->faces[i]);
		for (size_t i = 0; i < latin->nfaces; i++)
			font_chain_add(ri->latin_chain, &ri->nlatin_chain, latin->faces[i]);
		for (size_t i = 0; i < ri->nchain; i++)
			font_chain_add(ri->latin_chain, &ri->nlatin_chain, ri->chain[i]);
	}
}

void font_set_free(font_set *fs)
{
	if (!fs)
		return;
	for (size_t i = 0; i < fs->nfaces; i++)
		face_free(fs->faces[i]);
	for (int r = 0; r < FONT_ROLE_COUNT; r++) {
		free(fs->roles[r].family);
		free(fs->roles[r].pick);
	}
	font_strlist_free(&fs->warnings);
	if (fs->ft)
		FT_Done_FreeType(fs->ft);
	free(fs);
}

const char *font_set_warning(const font_set *fs, size_t i) { return i < fs->warnings.n ? fs->warnings.items[i] : NULL; }

size_t font_set_face_count(const font_set *fs) { return fs->nfaces; }

font_face *font_set_face(font_set *fs, size_t i) { return i < fs->nfaces ? fs->faces[i] : NULL; }

const char *font_role_family(const font_set *fs, font_role role)
{
	return (unsigned)role < FONT_ROLE_COUNT ? fs->roles[role].family : NULL;
}

bool font_role_uses_latin(const font_set *fs, font_role role)
{
	return (unsigned)role < FONT_ROLE_COUNT && fs->roles[role].latin;
}

font_face *font_role_face(font_set *fs, font_role role)
{
	return (unsigned)role < FONT_ROLE_COUNT ? fs->faces[fs->roles[role].faces[0]] : NULL;
}

/* ---------------------------------------------------------------- glyphs, coverage and fallback */

unsigned font_glyph_id(font_face *face, uint32_t cp)
{
	if (cp < FONT_CACHED_CPS) {
		uint16_t c = face->cmap[cp];
		if (c == 0) {
			FT_UInt gid = FT_Get_Char_Index(face->ft, cp);
			if (gid >= face->num_glyphs)
				gid = 0;
			c = (uint16_t)(gid + 1);
			face->cmap[cp] = c;
		}
		return (unsigned)c - 1u;
	}
	{
		FT_UInt gid = FT_Get_Char_Index(face->ft, cp);
		return gid < face->num_glyphs ? gid : 0;
	}
}

/* Loads gid unscaled without resolving composites; false if FreeType cannot. */
static bool load_unresolved(FT_Face f, unsigned gid)
{
	return FT_Load_Glyph(f, gid, FT_LOAD_NO_RECURSE | FT_LOAD_NO_SCALE | FT_LOAD_NO_HINTING) == 0;
}

/* Examines gid: a composite whose components include a composite is GLYPH_NESTED. Cached per glyph id. */
static glyph_state glyph_examine(font_face *face, unsigned gid)
{
	FT_GlyphSlot slot = face->ft->glyph;
	glyph_state st = GLYPH_GOOD;
	FT_UInt n;

	if (face->state[gid] != GLYPH_UNKNOWN)
		return (glyph_state)face->state[gid];
	if (!load_unresolved(face->ft, gid)) {
		st = GLYPH_BROKEN;
	} else if (slot->format == FT_GLYPH_FORMAT_COMPOSITE) {
		n = slot->num_subglyphs;
		/* Loading a component replaces the slot's subglyph list, so reload the parent for each index. */
		for (FT_UInt i = 0; i < n && st == GLYPH_GOOD; i++) {
			FT_Int sub;
			FT_UInt flags;
			FT_Int a1, a2;
			FT_Matrix m;
			if (i > 0 && !load_unresolved(face->ft, gid)) {
				st = GLYPH_BROKEN;
				break;
			}
			if (FT_Get_SubGlyph_Info(slot, i, &sub, &flags, &a1, &a2, &m) != 0 || sub < 0 ||
				(unsigned)sub >= face->num_glyphs || !load_unresolved(face->ft, (unsigned)sub))
				st = GLYPH_BROKEN;
			else if (slot->format == FT_GLYPH_FORMAT_COMPOSITE)
				st = GLYPH_NESTED;
		}
	}
	face->state[gid] = (uint8_t)st;
	return st;
}

bool font_glyph_nested(font_face *face, unsigned gid)
{
	return gid < face->num_glyphs && glyph_examine(face, gid) == GLYPH_NESTED;
}

/* Whether face draws cp under the set's policy, the encodability of cp aside. */
static font_glyph_status face_draws(font_face *face, uint32_t cp)
{
	unsigned gid = font_glyph_id(face, cp);
	if (gid == 0 || glyph_examine(face, gid) == GLYPH_BROKEN)
		return FONT_GLYPH_MISSING;
	if (face->fs->policy.drawable && !face->fs->policy.drawable(face, gid))
		return FONT_GLYPH_NESTED;
	return FONT_GLYPH_OK;
}

static bool encodable(const font_set *fs, uint32_t cp)
{
	return !fs->policy.encodable || fs->policy.encodable(cp);
}

font_glyph_status font_face_covers(font_face *face, uint32_t cp)
{
	if (!encodable(face->fs, cp))
		return FONT_GLYPH_ASTRAL;
	return face_draws(face, cp);
}

void font_set_policy(font_set *fs, const font_glyph_policy *policy)
{
	font_glyph_policy p = policy ? *policy : (font_glyph_policy){0};
	if (p.encodable == fs->policy.encodable && p.drawable == fs->policy.drawable)
		return;
	fs->policy = p;
	for (int r = 0; r < FONT_ROLE_COUNT; r++)
		if (fs->roles[r].pick)
			memset(fs->roles[r].pick, PICK_UNKNOWN, FONT_CACHED_CPS);
}

/* Decides the pick cache entry of cp for ri. */
static uint8_t pick_decide(font_set *fs, const role_info *ri, uint32_t cp)
{
	bool latin = ri->latin && font_is_latin(cp);
	const uint8_t *chain = latin ? ri->latin_chain : ri->chain;
	size_t n = latin ? ri->nlatin_chain : ri->nchain;
	bool nested = false;

	if (!encodable(fs, cp))
		return PICK_ASTRAL;
	for (size_t i = 0; i < n; i++) {
		switch (face_draws(fs->faces[chain[i]], cp)) {
		case FONT_GLYPH_OK:
			return (uint8_t)(chain[i] + 1);
		case FONT_GLYPH_NESTED:
			nested = true;
			break;
		case FONT_GLYPH_MISSING:
		case FONT_GLYPH_ASTRAL:
		case FONT_GLYPH_BAD_UTF8:
			break;
		}
	}
	return nested ? PICK_NESTED : PICK_MISSING;
}

font_glyph_status font_pick(font_set *fs, font_role role, uint32_t cp, font_face **face)
{
	role_info *ri;
	uint8_t p;

	*face = NULL;
	if ((unsigned)role >= FONT_ROLE_COUNT)
		return FONT_GLYPH_MISSING;
	ri = &fs->roles[role];
	if (cp < FONT_CACHED_CPS) {
		p = ri->pick[cp];
		if (p == PICK_UNKNOWN) {
			p = pick_decide(fs, ri, cp);
			ri->pick[cp] = p;
		}
	} else {
		p = pick_decide(fs, ri, cp);
	}
	switch (p) {
	case PICK_MISSING:
		return FONT_GLYPH_MISSING;
	case PICK_NESTED:
		return FONT_GLYPH_NESTED;
	case PICK_ASTRAL:
		return FONT_GLYPH_ASTRAL;
	default:
		*face = fs->faces[p - 1];
		return FONT_GLYPH_OK;
	}
}

/* Classifies the character at s[*pos] and advances *pos past it. */
static font_glyph_status classify(font_set *fs, font_role role, const char *s, size_t len, size_t *pos,
                                  font_face **face)
{
	uint32_t cp;
	size_t k = utf8_decode(s + *pos, len - *pos, &cp);
	if (!k) {
		*pos += 1;
		*face = NULL;
		return FONT_GLYPH_BAD_UTF8;
	}
	*pos += k;
	return font_pick(fs, role, cp, face);
}

bool font_next_run(font_set *fs, font_role role, const char *s, size_t len, size_t *pos, font_run *run)
{
	size_t p = *pos;
	font_face *face;
	font_glyph_status st;

	if (p >= len)
		return false;
	st = classify(fs, role, s, len, &p, &face);
	while (p < len) {
		size_t q = p;
		font_face *f;
		font_glyph_status s2 = classify(fs, role, s, len, &q, &f);
		if (s2 != st || f != face)
			break;
		p = q;
	}
	run->face = face;
	run->status = st;
	run->start = *pos;
	run->len = p - *pos;
	*pos = p;
	return true;
}

/* ---------------------------------------------------------------- metrics */

static int advance_of_gid(font_face *face, unsigned gid)
{
	int32_t a = face->advance[gid];
	if (a < 0) {
		FT_Fixed adv = 0;
		if (FT_Get_Advances(face->ft, gid, 1, FT_LOAD_NO_SCALE, &adv) != 0)
			adv = 0;
		a = (int32_t)adv;
		face->advance[gid] = a;
	}
	return a;
}

int font_advance_units(font_face *face, uint32_t cp) { return advance_of_gid(face, font_glyph_id(face, cp)); }

double font_advance(font_face *face, uint32_t cp, double size_pt)
{
	return advance_of_gid(face, font_glyph_id(face, cp)) * face->inv_upem * size_pt;
}

double font_text_width(font_face *face, const char *s, size_t len, double size_pt)
{
	long units = 0;
	size_t p = 0;
	while (p < len) {
		uint32_t cp;
		size_t k = utf8_decode(s + p, len - p, &cp);
		p += k ? k : 1;
		units += advance_of_gid(face, font_glyph_id(face, k ? cp : 0xFFFD));
	}
	return (double)units * face->inv_upem * size_pt;
}

double font_measure(font_set *fs, font_role role, const char *s, size_t len, double size_pt)
{
	double ems = 0;
	size_t p = 0;
	while (p < len) {
		uint32_t cp;
		font_face *face;
		size_t k = utf8_decode(s + p, len - p, &cp);
		p += k ? k : 1;
		if (k && font_pick(fs, role, cp, &face) == FONT_GLYPH_OK)
			ems += advance_of_gid(face, font_glyph_id(face, cp)) * face->inv_upem;
		else
			ems += 1.0;
	}
	return ems * size_pt;
}

void font_face_vmetrics(const font_face *face, font_vmetrics *out)
{
	out->units_per_em = face->upem;
	out->ascender = face->ft->ascender;
	out->descender = face->ft->descender;
	out->line_height = face->ft->height;
}

const char *font_face_path(const font_face *face) { return face->path; }

int font_face_index(const font_face *face) { return face->index; }

const char *font_face_family(const font_face *face) { return face->ft->family_name ? face->ft->family_name : ""; }

const char *font_face_psname(const font_face *face)
{
	const char *ps = FT_Get_Postscript_Name(face->ft);
	return ps ? ps : "";
}

long font_face_file_size(const font_face *face) { return (long)face->size; }

const uint8_t *font_face_data(const font_face *face, size_t *len)
{
	*len = face->size;
	return face->data;
}

void *font_face_user(const font_face *face) { return face->user; }

void font_face_set_user(font_face *face, void *data, void (*destroy)(void *))
{
	if (face->user_destroy && face->user != data)
		face->user_destroy(face->user);
	face->user = data;
	face->user_destroy = destroy;
}
