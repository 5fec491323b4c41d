/* font.c — reads fonts/roles.conf, finds and checks the TrueType faces of each role (dropped-in official fonts
 * first), picks the face that draws each character, measures advances through per-face caches, and subsets a
 * face with HarfBuzz into a memfd that libharu can load. Everything it allocates belongs to the font_set. */
#define _GNU_SOURCE
#include "text/font.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_ADVANCES_H
#include FT_MODULE_H
#include FT_SFNT_NAMES_H
#include FT_SYSTEM_H
#include FT_TRUETYPE_IDS_H
#include FT_TRUETYPE_TABLES_H
#include FT_TRUETYPE_TAGS_H

#include <hb-subset.h>
#include <hb.h>

enum {
    MAX_FACES = 64,       /* distinct faces in a set: a pick cache entry stores slot + 1 in one byte */
    BMP_SIZE = 0x10000,   /* code points U+0000–U+FFFF, the only ones libharu 2.3 can encode */
    PICK_UNKNOWN = 0,     /* pick cache: not decided yet */
    PICK_NESTED = 0xFE,   /* pick cache: only nested composite glyphs exist */
    PICK_MISSING = 0xFF,  /* pick cache: no face has the character */
    NAME_MAX_BYTES = 256  /* longest font name compared with a match entry */
};

/* What a glyph id can do; the per-face state cache holds one of these per glyph. */
typedef enum {
    GLYPH_UNKNOWN, /* not examined yet */
    GLYPH_GOOD,    /* a simple glyph, or a composite of simple glyphs */
    GLYPH_NESTED,  /* a composite with a composite component: libharu 2.3 draws it wrong */
    GLYPH_BROKEN   /* FreeType cannot load it */
} glyph_state;

#define INVALID_CP 0xFFFFFFFFu /* utf8_next: the bytes are not UTF-8 */

struct font_face {
    FT_Face ft;          /* FreeType face, Unicode charmap selected */
    hb_face_t *hb;       /* HarfBuzz face for subsetting; created by the first font_subset */
    const uint8_t *data; /* the font file, mapped once for both: each page counts once in memory */
    size_t size;         /* its length in bytes */
    char *path;          /* font file as opened */
    int index;           /* face index within a TTC, 0 for a TTF */
    int upem;            /* design units per em */
    double inv_upem;     /* 1.0 / upem, for measuring */
    unsigned num_glyphs; /* glyphs in the face (maxp) */
    uint16_t *cmap;      /* BMP code point → glyph id + 1, 0 = not looked up yet; BMP_SIZE entries */
    int32_t *advance;    /* glyph id → advance width in font units, -1 = not measured yet; num_glyphs entries */
    uint8_t *state;      /* glyph id → glyph_state; num_glyphs entries */
};

/* A growable list of owned strings. */
typedef struct {
    char **items; /* the strings, each malloc'd */
    size_t n;     /* strings in use */
    size_t cap;   /* slots allocated */
} strlist;

/* A growable string for messages; oom records a failed allocation (the text is then incomplete). */
typedef struct {
    char *s;    /* NUL-terminated text, NULL before the first append */
    size_t len; /* bytes before the NUL */
    size_t cap; /* bytes allocated */
    bool oom;   /* an append failed for lack of memory */
} strbuf;

/* One [role] section of roles.conf, plus the dropped-in faces that matched it. */
typedef struct {
    bool seen;       /* the section was present */
    int line;        /* line of the section header, for messages */
    char *family;    /* "family =": name written into docx/xlsx */
    bool latin;      /* "latin =": Latin characters go to the 西文 faces (default yes) */
    strlist fonts;   /* "font =" specs in order: path or path#index, relative to the conf directory */
    strlist match;   /* "match =" names that make a dropped-in font belong to this role */
    strlist dropins; /* "file#index" specs of dropped-in faces that matched, in file-name order */
} role_conf;

/* A role as resolved: its faces and fallback orders, as slots into font_set.faces. */
typedef struct {
    char *family;                   /* family name for docx/xlsx */
    bool latin;                     /* Latin characters try the 西文 faces first */
    uint8_t faces[MAX_FACES];       /* the role's own usable faces in priority order */
    size_t nfaces;                  /* entries in faces */
    uint8_t chain[MAX_FACES];       /* fallback for other characters: own faces, other CJK roles, 西文 */
    size_t nchain;                  /* entries in chain */
    uint8_t latin_chain[MAX_FACES]; /* fallback for Latin characters when latin: 西文 faces, then chain */
    size_t nlatin_chain;            /* entries in latin_chain */
    uint8_t *pick;                  /* BMP code point → slot + 1 or PICK_*; BMP_SIZE entries */
} role_info;

struct font_set {
    FT_Library ft;                /* FreeType library, allocating through mem */
    struct FT_MemoryRec_ mem;     /* FreeType's allocator: goes through xmalloc so tests can make it fail */
    font_face *faces[MAX_FACES];  /* distinct faces, shared by the roles */
    size_t nfaces;                /* entries in faces */
    role_info roles[FONT_ROLE_COUNT]; /* indexed by font_role */
    strlist warnings;             /* notes for font_set_warning */
};

/* ORDER font_role */
static const char *const role_names[FONT_ROLE_COUNT] = {"宋体", "黑体", "仿宋", "楷体", "小标宋", "西文"};

/* Order in which the other roles' faces are tried for a character the role's own faces lack: the Song-like
 * styles before 黑体, whose strokes stand out most in serif text. */
static const font_role cjk_fallback_order[] = {FONT_ROLE_SONG, FONT_ROLE_FANGSONG, FONT_ROLE_KAI, FONT_ROLE_TITLE,
                                               FONT_ROLE_HEI};

/* ---------------------------------------------------------------- allocation */

static long fail_countdown = -1; /* testing: allocations left before one fails; -1 = never fail */

long font_debug_fail_alloc_after(long n)
{
    long left = fail_countdown;
    fail_countdown = n;
    return left;
}

static bool alloc_should_fail(void)
{
    if (fail_countdown < 0)
        return false;
    if (fail_countdown == 0)
        return true;
    fail_countdown--;
    return false;
}

static void *xmalloc(size_t n) { return alloc_should_fail() ? NULL : malloc(n ? n : 1); }

static void *xcalloc(size_t n, size_t size) { return alloc_should_fail() ? NULL : calloc(n ? n : 1, size); }

static void *xrealloc(void *p, size_t n) { return alloc_should_fail() ? NULL : realloc(p, n ? n : 1); }

static char *xstrdup(const char *s)
{
    size_t n = strlen(s) + 1;
    char *d = xmalloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

static void *ft_alloc(FT_Memory mem, long size)
{
    (void)mem;
    return xmalloc((size_t)size);
}

static void *ft_realloc(FT_Memory mem, long cur_size, long new_size, void *block)
{
    (void)mem;
    (void)cur_size;
    return xrealloc(block, (size_t)new_size);
}

static void ft_free(FT_Memory mem, void *block)
{
    (void)mem;
    free(block);
}

/* ---------------------------------------------------------------- messages and lists */

static void set_err(char *errbuf, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void set_err(char *errbuf, size_t errlen, const char *fmt, ...)
{
    va_list ap;
    if (!errbuf || errlen == 0)
        return;
    va_start(ap, fmt);
    vsnprintf(errbuf, errlen, fmt, ap);
    va_end(ap);
}

static void sb_add(strbuf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void sb_add(strbuf *b, const char *fmt, ...)
{
    va_list ap;
    int n;
    if (b->oom)
        return;
    va_start(ap, fmt);
    n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if (b->len + (size_t)n + 1 > b->cap) {
        size_t cap = (b->len + (size_t)n + 1) * 2;
        char *s = xrealloc(b->s, cap);
        if (!s) {
            b->oom = true;
            return;
        }
        b->s = s;
        b->cap = cap;
    }
    va_start(ap, fmt);
    vsnprintf(b->s + b->len, b->cap - b->len, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

static const char *sb_str(const strbuf *b) { return b->s ? b->s : ""; }

/* Appends a copy of s; false when out of memory. */
static bool sl_add(strlist *l, const char *s)
{
    char *copy;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        char **items = xrealloc(l->items, cap * sizeof *items);
        if (!items)
            return false;
        l->items = items;
        l->cap = cap;
    }
    copy = xstrdup(s);
    if (!copy)
        return false;
    l->items[l->n++] = copy;
    return true;
}

static void sl_free(strlist *l)
{
    for (size_t i = 0; i < l->n; i++)
        free(l->items[i]);
    free(l->items);
    l->items = NULL;
    l->n = l->cap = 0;
}

/* Records a warning; false when out of memory. */
static bool warn(font_set *fs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static bool warn(font_set *fs, const char *fmt, ...)
{
    char msg[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return sl_add(&fs->warnings, msg);
}

/* ---------------------------------------------------------------- UTF-8 */

/* Decodes the code point at s[0..len), len ≥ 1. Returns the bytes used; *cp is INVALID_CP (and 1 byte is used)
 * for anything that is not well-formed UTF-8. */
static size_t utf8_next(const unsigned char *s, size_t len, uint32_t *cp)
{
    unsigned c = s[0];
    size_t n;
    uint32_t v, min;

    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    if (c >= 0xC2 && c <= 0xDF) {
        n = 2, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        n = 3, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        n = 4, v = c & 0x07, min = 0x10000;
    } else {
        *cp = INVALID_CP;
        return 1;
    }
    if (len < n) {
        *cp = INVALID_CP;
        return 1;
    }
    for (size_t i = 1; i < n; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = INVALID_CP;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3Fu);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = INVALID_CP;
        return 1;
    }
    *cp = v;
    return n;
}

/* Appends cp as UTF-8 to buf (room for 4 bytes needed); returns the bytes written. */
static size_t utf8_put(char *buf, uint32_t cp)
{
    if (cp < 0x80) {
        buf[0] = (char)cp;
        return 1;
    }
    if (cp < 0x800) {
        buf[0] = (char)(0xC0 | (cp >> 6));
        buf[1] = (char)(0x80 | (cp & 0x3F));
        return 2;
    }
    if (cp < 0x10000) {
        buf[0] = (char)(0xE0 | (cp >> 12));
        buf[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        buf[2] = (char)(0x80 | (cp & 0x3F));
        return 3;
    }
    buf[0] = (char)(0xF0 | (cp >> 18));
    buf[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
    buf[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
    buf[3] = (char)(0x80 | (cp & 0x3F));
    return 4;
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

static bool is_cjk_role(font_role role)
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

/* ---------------------------------------------------------------- roles.conf */

static char *trim(char *s)
{
    char *e;
    while (*s == ' ' || *s == '\t' || *s == '\r')
        s++;
    e = s + strlen(s);
    while (e > s && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
        *--e = '\0';
    return s;
}

/* Adds the comma-separated names of value (ASCII "," or full-width "，") to l. */
static bool add_names(strlist *l, char *value)
{
    char *p = value;
    while (*p) {
        char *comma = strstr(p, ",");
        char *wide = strstr(p, "，");
        char *end = comma;
        size_t skip = 1;
        char *name;
        if (wide && (!end || wide < end)) {
            end = wide;
            skip = strlen("，");
        }
        if (end)
            *end = '\0';
        name = trim(p);
        if (*name && !sl_add(l, name))
            return false;
        if (!end)
            break;
        p = end + skip;
    }
    return true;
}

static font_error read_file(const char *path, char **out, char *errbuf, size_t errlen)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    size_t len = 0, cap = 0;

    *out = NULL;
    if (!f) {
        set_err(errbuf, errlen, "无法读取字体配置 %s：%s", path, strerror(errno));
        return FONT_ERR_CONF;
    }
    for (;;) {
        size_t got;
        if (len + 4096 + 1 > cap) {
            size_t ncap = cap ? cap * 2 : 8192;
            char *nbuf = xrealloc(buf, ncap);
            if (!nbuf) {
                free(buf);
                fclose(f);
                set_err(errbuf, errlen, "内存不足（读取 %s）", path);
                return FONT_ERR_NOMEM;
            }
            buf = nbuf;
            cap = ncap;
        }
        got = fread(buf + len, 1, cap - len - 1, f);
        len += got;
        if (got == 0)
            break;
    }
    if (ferror(f)) {
        free(buf);
        fclose(f);
        set_err(errbuf, errlen, "读取字体配置 %s 出错", path);
        return FONT_ERR_CONF;
    }
    fclose(f);
    buf[len] = '\0';
    *out = buf;
    return FONT_OK;
}

static void role_conf_free(role_conf conf[FONT_ROLE_COUNT])
{
    for (int r = 0; r < FONT_ROLE_COUNT; r++) {
        free(conf[r].family);
        sl_free(&conf[r].fonts);
        sl_free(&conf[r].match);
        sl_free(&conf[r].dropins);
    }
}

/* Parses one "key = value" line of the section of role into rc; FONT_ERR_CONF with a message for a bad line. */
static font_error parse_key(const char *path, int lineno, font_role role, char *line, role_conf *rc, char *errbuf,
                            size_t errlen)
{
    char *eq = strchr(line, '=');
    char *key, *value;

    if (!eq) {
        set_err(errbuf, errlen, "%s:%d: 应写成“键 = 值”", path, lineno);
        return FONT_ERR_CONF;
    }
    *eq = '\0';
    key = trim(line);
    value = trim(eq + 1);
    if (*value == '\0') {
        set_err(errbuf, errlen, "%s:%d: “%s”没有值", path, lineno, key);
        return FONT_ERR_CONF;
    }
    if (strcmp(key, "family") == 0) {
        if (rc->family) {
            set_err(errbuf, errlen, "%s:%d: 角色“%s”的 family 重复", path, lineno, role_names[role]);
            return FONT_ERR_CONF;
        }
        rc->family = xstrdup(value);
        if (!rc->family)
            goto nomem;
    } else if (strcmp(key, "font") == 0) {
        if (!sl_add(&rc->fonts, value))
            goto nomem;
    } else if (strcmp(key, "match") == 0) {
        if (!add_names(&rc->match, value))
            goto nomem;
    } else if (strcmp(key, "latin") == 0) {
        if (strcmp(value, "yes") == 0 || strcmp(value, "是") == 0) {
            rc->latin = true;
        } else if (strcmp(value, "no") == 0 || strcmp(value, "否") == 0) {
            rc->latin = false;
        } else {
            set_err(errbuf, errlen, "%s:%d: latin 的值应为 yes 或 no，而不是“%s”", path, lineno, value);
            return FONT_ERR_CONF;
        }
    } else {
        set_err(errbuf, errlen, "%s:%d: 未知的键“%s”（可用：family、font、match、latin）", path, lineno, key);
        return FONT_ERR_CONF;
    }
    return FONT_OK;

nomem:
    set_err(errbuf, errlen, "内存不足（读取 %s）", path);
    return FONT_ERR_NOMEM;
}

/* Parses roles.conf into conf[]: "[角色]" sections of "key = value" lines, "#" comment lines. */
static font_error parse_conf(const char *path, role_conf conf[FONT_ROLE_COUNT], char *errbuf, size_t errlen)
{
    char *text, *line, *next;
    int lineno = 0;
    int cur = -1;
    font_error err = read_file(path, &text, errbuf, errlen);

    if (err != FONT_OK)
        return err;
    for (int r = 0; r < FONT_ROLE_COUNT; r++)
        conf[r].latin = true;

    for (line = text; line && err == FONT_OK; line = next) {
        next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        lineno++;
        line = trim(line);
        if (*line == '\0' || *line == '#')
            continue;
        if (*line == '[') {
            char *close = strchr(line, ']');
            font_role role;
            err = FONT_ERR_CONF;
            if (!close || *trim(close + 1) != '\0') {
                set_err(errbuf, errlen, "%s:%d: 段标题应写成“[角色]”", path, lineno);
                continue;
            }
            *close = '\0';
            if (!font_role_from_name(trim(line + 1), &role)) {
                set_err(errbuf, errlen, "%s:%d: 未知的字体角色“%s”（可用：宋体、黑体、仿宋、楷体、小标宋、西文）",
                        path, lineno, trim(line + 1));
                continue;
            }
            if (conf[role].seen) {
                set_err(errbuf, errlen, "%s:%d: 角色“%s”重复（第 %d 行已有）", path, lineno, role_names[role],
                        conf[role].line);
                continue;
            }
            conf[role].seen = true;
            conf[role].line = lineno;
            cur = (int)role;
            err = FONT_OK;
        } else if (cur < 0) {
            char *eq = strchr(line, '=');
            if (eq)
                *eq = '\0';
            set_err(errbuf, errlen, "%s:%d: “%s”不在任何 [角色] 段内", path, lineno, trim(line));
            err = FONT_ERR_CONF;
        } else {
            err = parse_key(path, lineno, (font_role)cur, line, &conf[cur], errbuf, errlen);
        }
    }
    free(text);
    if (err != FONT_OK)
        return err;

    for (int r = 0; r < FONT_ROLE_COUNT; r++) {
        if (!conf[r].seen) {
            set_err(errbuf, errlen, "%s: 缺少角色“%s”的段落 [%s]", path, role_names[r], role_names[r]);
            return FONT_ERR_CONF;
        }
        if (!conf[r].family) {
            set_err(errbuf, errlen, "%s:%d: 角色“%s”缺少 family（写入 docx/xlsx 的字体名）", path, conf[r].line,
                    role_names[r]);
            return FONT_ERR_CONF;
        }
    }
    return FONT_OK;
}

/* Splits a spec "path" or "path#N" and resolves a relative path against dir. Returns a malloc'd path. */
static char *resolve_spec(const char *dir, const char *spec, int *index)
{
    const char *hash = strrchr(spec, '#');
    size_t plen = strlen(spec);
    char *out;

    *index = 0;
    if (hash && hash[1] != '\0' && strspn(hash + 1, "0123456789") == strlen(hash + 1) && strlen(hash + 1) < 6) {
        *index = atoi(hash + 1);
        plen = (size_t)(hash - spec);
    }
    if (spec[0] == '/') {
        out = xmalloc(plen + 1);
        if (out) {
            memcpy(out, spec, plen);
            out[plen] = '\0';
        }
    } else {
        size_t dlen = strlen(dir);
        out = xmalloc(dlen + 1 + plen + 1);
        if (out) {
            memcpy(out, dir, dlen);
            out[dlen] = '/';
            memcpy(out + dlen + 1, spec, plen);
            out[dlen + 1 + plen] = '\0';
        }
    }
    return out;
}

/* ---------------------------------------------------------------- checking and opening faces */

/* Why FreeType could not open a font, for messages. */
static const char *ft_reason(FT_Error e)
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
        set_err(reason, rlen, "不是 TrueType/OpenType 字体");
        return false;
    }
    if (has_table(f, TTAG_CFF) || has_table(f, TTAG_CFF2) || !has_table(f, TTAG_glyf)) {
        set_err(reason, rlen, "是 CFF 轮廓（OpenType PS），libharu 2.3 只能嵌入 TrueType（glyf）轮廓");
        return false;
    }
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++) {
        if (!has_table(f, required[i].tag)) {
            set_err(reason, rlen, "缺少 %s 表", required[i].name);
            return false;
        }
    }
    if (f->units_per_EM == 0 || f->num_glyphs <= 0 || f->num_glyphs > 65535) {
        set_err(reason, rlen, "字体头信息无效");
        return false;
    }
    if (FT_Select_Charmap(f, FT_ENCODING_UNICODE) != 0) {
        set_err(reason, rlen, "没有 Unicode 字符映射表");
        return false;
    }
    fstype = FT_Get_FSType_Flags(f);
    if (fstype & (FT_FSTYPE_RESTRICTED_LICENSE_EMBEDDING | FT_FSTYPE_NO_SUBSETTING | FT_FSTYPE_BITMAP_EMBEDDING_ONLY)) {
        set_err(reason, rlen, "字体许可不允许嵌入或子集化（fsType=0x%04x）", (unsigned)fstype);
        return false;
    }
    return true;
}

static void face_free(font_face *face)
{
    if (!face)
        return;
    if (face->hb)
        hb_face_destroy(face->hb);
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

/* Outcome of add_face. */
typedef enum {
    ADD_OK,       /* *slot holds the face */
    ADD_ABSENT,   /* the file does not exist (normal for optional Debian packages) */
    ADD_UNUSABLE, /* the file exists but cannot be used; reason says why */
    ADD_NOMEM     /* out of memory */
} add_result;

enum { SFNT_HEADER = 12 }; /* bytes of an sfnt header: version, numTables, searchRange, entrySelector, rangeShift */

/* Maps the font file read-only for FreeType and HarfBuzz both (each opening it by name maps it
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
        set_err(reason, rlen, "%s", strerror(saved));
        return saved == ENOMEM ? ADD_NOMEM : ADD_UNUSABLE;
    }
    if (!S_ISREG(st.st_mode) || (uint64_t)st.st_size > UINT32_MAX) { /* replaced since the stat */
        close(fd);
        set_err(reason, rlen, "%s", S_ISREG(st.st_mode) ? "文件过大" : "不是普通文件");
        return ADD_UNUSABLE;
    }
    if (st.st_size > 0) {
        void *p = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE, fd, 0);
        if (p == MAP_FAILED) {
            int saved = errno;
            close(fd);
            set_err(reason, rlen, "%s", strerror(saved));
            return saved == ENOMEM ? ADD_NOMEM : ADD_UNUSABLE;
        }
        face->data = p;
        face->size = (size_t)st.st_size;
    }
    close(fd);
    return ADD_OK;
}

/* Opens face index of path (or finds it already open) and checks it; *slot is its place in fs->faces. */
static add_result add_face(font_set *fs, const char *path, int index, uint8_t *slot, char *reason, size_t rlen)
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
        set_err(reason, rlen, "%s", saved == ENOENT ? "文件不存在" : strerror(saved));
        return saved == ENOENT ? ADD_ABSENT : ADD_UNUSABLE;
    }
    if (!S_ISREG(st.st_mode)) {
        set_err(reason, rlen, "不是普通文件");
        return ADD_UNUSABLE;
    }
    if (fs->nfaces == MAX_FACES) {
        set_err(reason, rlen, "字体过多（最多 %d 个）", MAX_FACES);
        return ADD_UNUSABLE;
    }
    face = xcalloc(1, sizeof *face);
    if (!face)
        return ADD_NOMEM;
    face->path = xstrdup(path);
    if (!face->path) {
        face_free(face);
        return ADD_NOMEM;
    }
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
        set_err(reason, rlen, "%s", ft_reason(e));
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
    face->cmap = xcalloc(BMP_SIZE, sizeof *face->cmap);
    face->advance = xmalloc(face->num_glyphs * sizeof *face->advance);
    face->state = xcalloc(face->num_glyphs, sizeof *face->state);
    if (!face->cmap || !face->advance || !face->state) {
        face_free(face);
        return ADD_NOMEM;
    }
    for (unsigned g = 0; g < face->num_glyphs; g++)
        face->advance[g] = -1;
    *slot = (uint8_t)fs->nfaces;
    fs->faces[fs->nfaces++] = face;
    return ADD_OK;
}

/* ---------------------------------------------------------------- dropped-in fonts */

/* Decodes a name-table entry to UTF-8 in buf; false for encodings it does not read (legacy CJK code pages). */
static bool decode_name(const FT_SfntName *nm, char *buf, size_t buflen)
{
    size_t o = 0;
    if (nm->platform_id == TT_PLATFORM_APPLE_UNICODE ||
        (nm->platform_id == TT_PLATFORM_MICROSOFT &&
         (nm->encoding_id == TT_MS_ID_UNICODE_CS || nm->encoding_id == TT_MS_ID_UCS_4 ||
          nm->encoding_id == TT_MS_ID_SYMBOL_CS))) {
        for (FT_UInt i = 0; i + 1 < nm->string_len; i += 2) {
            uint32_t u = (uint32_t)nm->string[i] << 8 | nm->string[i + 1];
            if (u >= 0xD800 && u <= 0xDBFF && i + 3 < nm->string_len) {
                uint32_t lo = (uint32_t)nm->string[i + 2] << 8 | nm->string[i + 3];
                if (lo >= 0xDC00 && lo <= 0xDFFF) {
                    u = 0x10000 + ((u - 0xD800) << 10) + (lo - 0xDC00);
                    i += 2;
                }
            }
            if (u == 0 || (u >= 0xD800 && u <= 0xDFFF) || o + 5 > buflen)
                return false;
            o += utf8_put(buf + o, u);
        }
    } else if (nm->platform_id == TT_PLATFORM_MACINTOSH && nm->encoding_id == TT_MAC_ID_ROMAN) {
        for (FT_UInt i = 0; i < nm->string_len; i++) {
            if (nm->string[i] == 0 || nm->string[i] >= 0x80 || o + 2 > buflen)
                return false;
            buf[o++] = (char)nm->string[i];
        }
    } else {
        return false;
    }
    buf[o] = '\0';
    return o > 0;
}

static bool in_list(const strlist *l, const char *name)
{
    for (size_t i = 0; i < l->n; i++)
        if (strcasecmp(l->items[i], name) == 0)
            return true;
    return false;
}

/* Sets hit[r] for every role whose match list holds a family, full, PostScript or typographic family name of
 * f, or (face 0 only) the file name or its stem. */
static void match_face(FT_Face f, int index, const char *file, const role_conf conf[FONT_ROLE_COUNT],
                       bool hit[FONT_ROLE_COUNT])
{
    FT_UInt count = FT_Get_Sfnt_Name_Count(f);
    char stem[NAME_MAX_BYTES];
    const char *dot = strrchr(file, '.');

    for (FT_UInt i = 0; i < count; i++) {
        FT_SfntName nm;
        char name[NAME_MAX_BYTES];
        if (FT_Get_Sfnt_Name(f, i, &nm) != 0)
            continue;
        if (nm.name_id != TT_NAME_ID_FONT_FAMILY && nm.name_id != TT_NAME_ID_FULL_NAME &&
            nm.name_id != TT_NAME_ID_PS_NAME && nm.name_id != TT_NAME_ID_TYPOGRAPHIC_FAMILY)
            continue;
        if (!decode_name(&nm, name, sizeof name))
            continue;
        for (int r = 0; r < FONT_ROLE_COUNT; r++)
            if (in_list(&conf[r].match, name))
                hit[r] = true;
    }
    if (index != 0)
        return;
    snprintf(stem, sizeof stem, "%.*s", dot ? (int)(dot - file) : (int)strlen(file), file);
    for (int r = 0; r < FONT_ROLE_COUNT; r++)
        if (in_list(&conf[r].match, file) || in_list(&conf[r].match, stem))
            hit[r] = true;
}

static int font_file_filter(const struct dirent *d)
{
    const char *dot = strrchr(d->d_name, '.');
    return d->d_name[0] != '.' && dot &&
           (strcasecmp(dot, ".ttf") == 0 || strcasecmp(dot, ".ttc") == 0 || strcasecmp(dot, ".otf") == 0);
}

/* Whether some "font =" line of conf names the file dir/file. */
static bool listed_in_conf(const char *dir, const char *file, const role_conf conf[FONT_ROLE_COUNT], bool *oom)
{
    size_t dlen = strlen(dir);
    for (int r = 0; r < FONT_ROLE_COUNT; r++) {
        for (size_t i = 0; i < conf[r].fonts.n; i++) {
            int index;
            char *p = resolve_spec(dir, conf[r].fonts.items[i], &index);
            bool same;
            if (!p) {
                *oom = true;
                return false;
            }
            same = strncmp(p, dir, dlen) == 0 && p[dlen] == '/' && strcmp(p + dlen + 1, file) == 0;
            free(p);
            if (same)
                return true;
        }
    }
    return false;
}

/* Finds the .ttf/.ttc/.otf files of dir whose names match a role and records them in conf[r].dropins, in
 * file-name order. A file that matches nothing (and is not named by a "font =" line) is reported. */
static font_error scan_dropins(font_set *fs, const char *dir, role_conf conf[FONT_ROLE_COUNT], char *errbuf,
                               size_t errlen)
{
    struct dirent **list = NULL;
    int n = scandir(dir, &list, font_file_filter, alphasort);
    font_error err = FONT_OK;

    if (n < 0)
        return FONT_OK; /* no directory listing: nothing dropped in */
    for (int k = 0; k < n && err == FONT_OK; k++) {
        const char *file = list[k]->d_name;
        char *path = resolve_spec(dir, file, &(int){0});
        FT_Face probe;
        FT_Long num_faces;
        bool any = false, oom = false;
        FT_Error e;

        if (!path) {
            err = FONT_ERR_NOMEM;
            break;
        }
        struct stat st;
        if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
            /* a pipe or device named *.ttf would block FreeType's open: not a font file */
            if (!warn(fs, "%s：不是普通文件，已忽略", path))
                err = FONT_ERR_NOMEM;
            free(path);
            continue;
        }
        e = FT_New_Face(fs->ft, path, -1, &probe);
        if (e == FT_Err_Out_Of_Memory) {
            free(path);
            err = FONT_ERR_NOMEM;
            break;
        }
        if (e != 0) {
            if (!warn(fs, "%s：%s，已忽略", path, ft_reason(e)))
                err = FONT_ERR_NOMEM;
            free(path);
            continue;
        }
        num_faces = probe->num_faces;
        FT_Done_Face(probe);
        for (FT_Long i = 0; i < num_faces && err == FONT_OK; i++) {
            FT_Face f;
            bool hit[FONT_ROLE_COUNT] = {false};
            e = FT_New_Face(fs->ft, path, i, &f);
            if (e == FT_Err_Out_Of_Memory) {
                err = FONT_ERR_NOMEM;
                break;
            }
            if (e != 0)
                continue;
            if (!(f->style_flags & (FT_STYLE_FLAG_BOLD | FT_STYLE_FLAG_ITALIC)))
                match_face(f, (int)i, file, conf, hit);
            FT_Done_Face(f);
            for (int r = 0; r < FONT_ROLE_COUNT; r++) {
                char spec[sizeof list[k]->d_name + 24];
                if (!hit[r])
                    continue;
                any = true;
                snprintf(spec, sizeof spec, "%s#%ld", file, (long)i);
                if (!sl_add(&conf[r].dropins, spec))
                    err = FONT_ERR_NOMEM;
            }
        }
        if (err == FONT_OK && !any && !listed_in_conf(dir, file, conf, &oom)) {
            if (oom || !warn(fs, "%s：名称与任何角色的 match 都不符，未使用（见 fonts/README.md）", path))
                err = FONT_ERR_NOMEM;
        }
        if (oom)
            err = FONT_ERR_NOMEM;
        free(path);
    }
    for (int k = 0; k < n; k++)
        free(list[k]);
    free(list);
    if (err == FONT_ERR_NOMEM)
        set_err(errbuf, errlen, "内存不足（扫描 %s 中的字体）", dir);
    return err;
}

/* ---------------------------------------------------------------- resolving roles */

static void chain_add(uint8_t *chain, size_t *n, uint8_t slot)
{
    for (size_t i = 0; i < *n; i++)
        if (chain[i] == slot)
            return;
    chain[(*n)++] = slot;
}

/* "#n" for face n > 0 of a collection, "" for face 0: how a font is named in messages. */
static const char *index_suffix(int index, char buf[16])
{
    buf[0] = '\0';
    if (index > 0)
        snprintf(buf, 16, "#%d", index);
    return buf;
}

/* Opens the candidates of one role in order (drop-ins, then "font =" lines). A role left without a face adds
 * its part of the error to missing. */
static font_error resolve_role(font_set *fs, font_role role, const char *dir, const role_conf *rc, strbuf *missing)
{
    role_info *ri = &fs->roles[role];
    strbuf tried = {0};
    const strlist *lists[2] = {&rc->dropins, &rc->fonts};

    for (int l = 0; l < 2; l++) {
        for (size_t i = 0; i < lists[l]->n; i++) {
            char reason[256], suffix[16];
            int index;
            uint8_t slot;
            char *path = resolve_spec(dir, lists[l]->items[i], &index);
            add_result res;

            if (!path) {
                free(tried.s);
                return FONT_ERR_NOMEM;
            }
            res = add_face(fs, path, index, &slot, reason, sizeof reason);
            switch (res) {
            case ADD_OK:
                chain_add(ri->faces, &ri->nfaces, slot);
                break;
            case ADD_ABSENT:
            case ADD_UNUSABLE:
                sb_add(&tried, "%s%s%s：%s", tried.len ? "；" : "", path, index_suffix(index, suffix), reason);
                if (res == ADD_UNUSABLE && !warn(fs, "字体角色“%s”：%s%s：%s，已跳过", role_names[role], path,
                                                 index_suffix(index, suffix), reason)) {
                    free(path);
                    free(tried.s);
                    return FONT_ERR_NOMEM;
                }
                break;
            case ADD_NOMEM:
                free(path);
                free(tried.s);
                return FONT_ERR_NOMEM;
            }
            free(path);
        }
    }
    if (ri->nfaces == 0) {
        if (tried.len)
            sb_add(missing, "%s字体角色“%s”没有可用的 TrueType 字体（已尝试：%s）", missing->len ? "\n" : "",
                   role_names[role], sb_str(&tried));
        else
            sb_add(missing, "%s字体角色“%s”没有可用的 TrueType 字体（roles.conf 中没有 font 行）",
                   missing->len ? "\n" : "", role_names[role]);
    }
    if (tried.oom || missing->oom) {
        free(tried.s);
        return FONT_ERR_NOMEM;
    }
    free(tried.s);
    return FONT_OK;
}

/* Builds each role's fallback orders once all faces are known. */
static void build_chains(font_set *fs)
{
    const role_info *latin = &fs->roles[FONT_ROLE_LATIN];
    for (int r = 0; r < FONT_ROLE_COUNT; r++) {
        role_info *ri = &fs->roles[r];
        ri->nchain = ri->nlatin_chain = 0;
        for (size_t i = 0; i < ri->nfaces; i++)
            chain_add(ri->chain, &ri->nchain, ri->faces[i]);
        for (size_t k = 0; k < sizeof cjk_fallback_order / sizeof cjk_fallback_order[0]; k++) {
            const role_info *other = &fs->roles[cjk_fallback_order[k]];
            for (size_t i = 0; i < other->nfaces; i++)
                chain_add(ri->chain, &ri->nchain, other->faces[i]);
        }
        for (size_t i = 0; i < latin->nfaces; i++)
            chain_add(ri->chain, &ri->nchain, latin->faces[i]);
        for (size_t i = 0; i < latin->nfaces; i++)
            chain_add(ri->latin_chain, &ri->nlatin_chain, latin->faces[i]);
        for (size_t i = 0; i < ri->nchain; i++)
            chain_add(ri->latin_chain, &ri->nlatin_chain, ri->chain[i]);
    }
}

static font_error ft_library_new(font_set *fs)
{
    fs->mem.user = NULL;
    fs->mem.alloc = ft_alloc;
    fs->mem.free = ft_free;
    fs->mem.realloc = ft_realloc;
    if (FT_New_Library(&fs->mem, &fs->ft) != 0) {
        fs->ft = NULL;
        return FONT_ERR_NOMEM;
    }
    FT_Add_Default_Modules(fs->ft);
    FT_Set_Default_Properties(fs->ft);
    return FONT_OK;
}

font_error font_set_open(font_set **out, const char *conf_path, char *errbuf, size_t errlen)
{
    role_conf conf[FONT_ROLE_COUNT];
    font_set *fs;
    char *dir;
    const char *slash = strrchr(conf_path, '/');
    strbuf missing = {0};
    font_error err;

    *out = NULL;
    memset(conf, 0, sizeof conf);
    fs = xcalloc(1, sizeof *fs);
    dir = slash ? xmalloc((size_t)(slash - conf_path) + 2) : xstrdup(".");
    if (!fs || !dir) {
        free(fs);
        free(dir);
        set_err(errbuf, errlen, "内存不足（打开字体）");
        return FONT_ERR_NOMEM;
    }
    if (slash) {
        size_t n = slash == conf_path ? 1 : (size_t)(slash - conf_path);
        memcpy(dir, conf_path, n);
        dir[n] = '\0';
    }
    err = ft_library_new(fs);
    if (err != FONT_OK) {
        set_err(errbuf, errlen, "内存不足（初始化 FreeType）");
        goto fail;
    }
    err = parse_conf(conf_path, conf, errbuf, errlen);
    if (err != FONT_OK)
        goto fail;
    err = scan_dropins(fs, dir, conf, errbuf, errlen);
    if (err != FONT_OK)
        goto fail;
    for (int r = 0; r < FONT_ROLE_COUNT; r++) {
        role_info *ri = &fs->roles[r];
        err = resolve_role(fs, (font_role)r, dir, &conf[r], &missing);
        if (err != FONT_OK) {
            set_err(errbuf, errlen, "内存不足（打开字体）");
            goto fail;
        }
        ri->latin = conf[r].latin && is_cjk_role((font_role)r);
        ri->family = xstrdup(conf[r].family);
        ri->pick = xcalloc(BMP_SIZE, 1);
        if (!ri->family || !ri->pick) {
            err = FONT_ERR_NOMEM;
            set_err(errbuf, errlen, "内存不足（打开字体）");
            goto fail;
        }
    }
    if (missing.len) {
        err = FONT_ERR_NO_FONT;
        set_err(errbuf, errlen, "%s", sb_str(&missing));
        goto fail;
    }
    build_chains(fs);
    free(missing.s);
    role_conf_free(conf);
    free(dir);
    *out = fs;
    return FONT_OK;

fail:
    free(missing.s);
    role_conf_free(conf);
    free(dir);
    font_set_free(fs);
    return err;
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
    sl_free(&fs->warnings);
    if (fs->ft)
        FT_Done_Library(fs->ft);
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

/* ---------------------------------------------------------------- glyphs */

unsigned font_glyph_id(font_face *face, uint32_t cp)
{
    if (cp < BMP_SIZE) {
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

font_glyph_status font_face_covers(font_face *face, uint32_t cp)
{
    unsigned gid;
    if (cp >= BMP_SIZE)
        return FONT_GLYPH_ASTRAL;
    gid = font_glyph_id(face, cp);
    if (gid == 0)
        return FONT_GLYPH_MISSING;
    switch (glyph_examine(face, gid)) {
    case GLYPH_GOOD:
        return FONT_GLYPH_OK;
    case GLYPH_NESTED:
        return FONT_GLYPH_NESTED;
    case GLYPH_UNKNOWN:
    case GLYPH_BROKEN:
        return FONT_GLYPH_MISSING;
    }
    return FONT_GLYPH_MISSING;
}

/* Decides the pick cache entry of cp (a BMP code point) for ri. */
static uint8_t pick_decide(font_set *fs, const role_info *ri, uint32_t cp)
{
    bool latin = ri->latin && font_is_latin(cp);
    const uint8_t *chain = latin ? ri->latin_chain : ri->chain;
    size_t n = latin ? ri->nlatin_chain : ri->nchain;
    bool nested = false;

    for (size_t i = 0; i < n; i++) {
        switch (font_face_covers(fs->faces[chain[i]], cp)) {
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
    if (cp >= BMP_SIZE)
        return FONT_GLYPH_ASTRAL;
    ri = &fs->roles[role];
    p = ri->pick[cp];
    if (p == PICK_UNKNOWN) {
        p = pick_decide(fs, ri, cp);
        ri->pick[cp] = p;
    }
    if (p == PICK_MISSING)
        return FONT_GLYPH_MISSING;
    if (p == PICK_NESTED)
        return FONT_GLYPH_NESTED;
    *face = fs->faces[p - 1];
    return FONT_GLYPH_OK;
}

/* Classifies the character at s[*pos] and advances *pos past it. */
static font_glyph_status classify(font_set *fs, font_role role, const char *s, size_t len, size_t *pos,
                                  font_face **face)
{
    uint32_t cp;
    *pos += utf8_next((const unsigned char *)s + *pos, len - *pos, &cp);
    if (cp == INVALID_CP) {
        *face = NULL;
        return FONT_GLYPH_BAD_UTF8;
    }
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
        p += utf8_next((const unsigned char *)s + p, len - p, &cp);
        units += advance_of_gid(face, font_glyph_id(face, cp == INVALID_CP ? 0xFFFD : cp));
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
        p += utf8_next((const unsigned char *)s + p, len - p, &cp);
        if (cp != INVALID_CP && font_pick(fs, role, cp, &face) == FONT_GLYPH_OK)
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

/* ---------------------------------------------------------------- subsetting */

font_error font_subset(font_face *face, const uint32_t *codepoints, size_t n, uint8_t **out, size_t *outlen,
                       char *errbuf, size_t errlen)
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
    if (!face->hb) {
        hb_blob_t *file = hb_blob_create_or_fail((const char *)face->data, (unsigned)face->size,
                                                 HB_MEMORY_MODE_READONLY, NULL, NULL);
        if (!file) {
            set_err(errbuf, errlen, "HarfBuzz 无法读取字体 %s", face->path);
            return FONT_ERR_SUBSET;
        }
        face->hb = hb_face_create(file, (unsigned)face->index);
        hb_blob_destroy(file);
        if (hb_face_get_glyph_count(face->hb) == 0) {
            hb_face_destroy(face->hb);
            face->hb = NULL;
            set_err(errbuf, errlen, "HarfBuzz 无法读取字体 %s#%d", face->path, face->index);
            return FONT_ERR_SUBSET;
        }
    }
    in = hb_subset_input_create_or_fail();
    if (!in) {
        set_err(errbuf, errlen, "内存不足（字体子集 %s）", face->path);
        return FONT_ERR_NOMEM;
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
        set_err(errbuf, errlen, "内存不足（字体子集 %s）", face->path);
        return FONT_ERR_NOMEM;
    }
    sub = hb_subset_or_fail(face->hb, in);
    hb_subset_input_destroy(in);
    if (!sub) {
        set_err(errbuf, errlen, "HarfBuzz 无法为字体 %s#%d 生成子集", face->path, face->index);
        return FONT_ERR_SUBSET;
    }
    blob = hb_face_reference_blob(sub);
    hb_face_destroy(sub);
    data = hb_blob_get_data(blob, &len);
    if (!data || len == 0) {
        hb_blob_destroy(blob);
        set_err(errbuf, errlen, "HarfBuzz 为字体 %s#%d 生成的子集为空", face->path, face->index);
        return FONT_ERR_SUBSET;
    }
    *out = xmalloc(len);
    if (*out) {
        memcpy(*out, data, len);
        *outlen = len;
    }
    hb_blob_destroy(blob);
    if (!*out) {
        set_err(errbuf, errlen, "内存不足（字体子集 %s）", face->path);
        return FONT_ERR_NOMEM;
    }
    return FONT_OK;
}

font_error font_memfd(const uint8_t *data, size_t len, char path[FONT_FD_PATH_MAX], int *fd, char *errbuf,
                      size_t errlen)
{
    size_t done = 0;
    int f = memfd_create("budgetgen-font", MFD_CLOEXEC);

    *fd = -1;
    path[0] = '\0';
    if (f < 0) {
        set_err(errbuf, errlen, "memfd_create 失败：%s", strerror(errno));
        return FONT_ERR_IO;
    }
    while (done < len) {
        ssize_t w = write(f, data + done, len - done);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0) {
            set_err(errbuf, errlen, "写入字体子集失败：%s", w < 0 ? strerror(errno) : "没有写入");
            close(f);
            return FONT_ERR_IO;
        }
        done += (size_t)w;
    }
    snprintf(path, FONT_FD_PATH_MAX, "/proc/self/fd/%d", f);
    *fd = f;
    return FONT_OK;
}
