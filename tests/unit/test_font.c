/* test_font.c — unit tests of gen/text/font.c and font_conf.c against the Debian fonts named in fonts/roles.conf:
 * role resolution, coverage and fallback with and without libharu's glyph policy, runs, advance widths and their
 * cache, roles.conf errors, drop-ins; and of the PDF writer's subsets and memfd (gen/emit/libharu/subset.c). Run
 * from the repository root (or pass the roles.conf path); prints "N passed, M failed". */
#define _GNU_SOURCE
#include "text/font.h"
#include "emit/libharu/subset.h"
#include "base/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <ft2build.h>
#include FT_FREETYPE_H
#include FT_ADVANCES_H
#include FT_TRUETYPE_TABLES_H
#include FT_TRUETYPE_TAGS_H

#define LIBERATION "/usr/share/fonts/truetype/liberation/"

static int passed, failed;

#define CHECK(cond, ...)                                                                                          \
    do {                                                                                                          \
        if (cond) {                                                                                               \
            passed++;                                                                                             \
        } else {                                                                                                  \
            failed++;                                                                                             \
            printf("FAIL %s:%d: %s — ", __FILE__, __LINE__, #cond);                                               \
            printf(__VA_ARGS__);                                                                                  \
            printf("\n");                                                                                         \
        }                                                                                                         \
    } while (0)

static double now_sec(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Decodes UTF-8 (valid input only) into cps with util.h's decoder; returns the count. */
static size_t decode(const char *s, uint32_t *cps, size_t max)
{
    size_t n = 0, len = strlen(s), k;
    for (size_t i = 0; i < len && n < max; i += k ? k : 1) {
        k = utf8_decode(s + i, len - i, &cps[n]);
        if (k)
            n++;
    }
    return n;
}

static void test_roles(font_set *fs)
{
    for (int r = 0; r < FONT_ROLE_COUNT; r++) {
        font_role back;
        font_face *face = font_role_face(fs, (font_role)r);
        CHECK(face != NULL, "role %s has no face", font_role_name((font_role)r));
        CHECK(font_role_family(fs, (font_role)r)[0] != '\0', "role %s has no family", font_role_name((font_role)r));
        CHECK(font_role_from_name(font_role_name((font_role)r), &back) && back == (font_role)r, "role name %d", r);
        if (face)
            printf("  %-6s → %s#%d (%s), docx/xlsx name “%s”\n", font_role_name((font_role)r), font_face_path(face),
                   font_face_index(face), font_face_psname(face), font_role_family(fs, (font_role)r));
    }
    CHECK(strcmp(font_role_family(fs, FONT_ROLE_SONG), "宋体") == 0, "宋体 family is %s",
          font_role_family(fs, FONT_ROLE_SONG));
    CHECK(strcmp(font_role_family(fs, FONT_ROLE_LATIN), "Times New Roman") == 0, "西文 family");
    for (size_t i = 0; font_set_warning(fs, i); i++)
        printf("  warning: %s\n", font_set_warning(fs, i));
}

static void test_coverage(font_set *fs)
{
    static const char common[] = "中文预算公开，。“”、：；（）《》—…0123456789%.";
    uint32_t cps[64];
    size_t n = decode(common, cps, 64);
    font_face *latin = font_role_face(fs, FONT_ROLE_LATIN);

    for (int r = 0; r < FONT_ROLE_COUNT; r++) {
        for (size_t i = 0; i < n; i++) {
            font_face *face;
            font_glyph_status st = font_pick(fs, (font_role)r, cps[i], &face);
            CHECK(st == FONT_GLYPH_OK && face, "%s: U+%04X status %d", font_role_name((font_role)r), cps[i], st);
            if (st == FONT_GLYPH_OK && font_role_uses_latin(fs, (font_role)r))
                CHECK((face == latin) == font_is_latin(cps[i]), "%s: U+%04X latin face mismatch",
                      font_role_name((font_role)r), cps[i]);
        }
    }
    /* Chinese text in a CJK role is drawn with that role's own first face. */
    {
        font_face *face;
        CHECK(font_pick(fs, FONT_ROLE_KAI, 0x4E2D, &face) == FONT_GLYPH_OK &&
                  face == font_role_face(fs, FONT_ROLE_KAI),
              "中 in 楷体 not from the 楷体 face");
    }
}

/* A character the 宋体 role's first face lacks is drawn by another face that has it. */
static void test_fallback(font_set *fs)
{
    font_face *song = font_role_face(fs, FONT_ROLE_SONG);
    uint32_t found = 0;
    for (uint32_t cp = 0x4E00; cp <= 0x9FA5 && !found; cp++)
        if (font_face_covers(song, cp) == FONT_GLYPH_MISSING) {
            font_face *face;
            if (font_pick(fs, FONT_ROLE_SONG, cp, &face) == FONT_GLYPH_OK)
                found = cp;
        }
    CHECK(found != 0, "no ideograph missing from %s found", font_face_psname(song));
    if (found) {
        font_face *face;
        font_pick(fs, FONT_ROLE_SONG, found, &face);
        CHECK(face != song && font_face_covers(face, found) == FONT_GLYPH_OK, "fallback face");
        printf("  U+%04X is missing from %s; 宋体 falls back to %s\n", found, font_face_psname(song),
               font_face_psname(face));
    }
    /* 堃 (U+5803), common in names, is outside GB2312. */
    {
        font_face *face;
        CHECK(font_pick(fs, FONT_ROLE_SONG, 0x5803, &face) == FONT_GLYPH_OK, "堃 has no face");
    }
}

static void test_unusable(font_set *fs)
{
    font_face *face = (font_face *)1;
    /* Extension B: libharu draws it through a stand-in, with HanaMinB, the last face of every CJK role */
    CHECK(font_pick(fs, FONT_ROLE_SONG, 0x20000, &face) == FONT_GLYPH_OK && face &&
              strcmp(font_face_psname(face), "HanaMinB") == 0, "U+20000");
    CHECK(font_pick(fs, FONT_ROLE_FANGSONG, 0x2A6A5, &face) == FONT_GLYPH_OK && face &&
              strcmp(font_face_psname(face), "HanaMinB") == 0, "U+2A6A5");
    CHECK(font_pick(fs, FONT_ROLE_LATIN, 0x1F600, &face) == FONT_GLYPH_MISSING && face == NULL, "U+1F600");
    CHECK(font_pick(fs, FONT_ROLE_SONG, 0x3134A, &face) == FONT_GLYPH_MISSING && face == NULL, "U+3134A (Ext G)");
    CHECK(font_pick(fs, FONT_ROLE_SONG, 0xE000, &face) == FONT_GLYPH_MISSING && face == NULL, "private use U+E000");

    /* Nested composites: uming has ǖ (U+01D6) as a composite of composites. */
    for (size_t i = 0; i < font_set_face_count(fs); i++) {
        font_face *f = font_set_face(fs, i);
        if (strstr(font_face_path(f), "uming.ttc"))
            CHECK(font_face_covers(f, 0x01D6) == FONT_GLYPH_NESTED, "uming ǖ should be nested");
    }
    /* Whatever face a role picks never has a nested glyph for that character. */
    for (int r = 0; r < FONT_ROLE_COUNT; r++) {
        font_face *first = font_role_face(fs, (font_role)r);
        size_t nested = 0, bad = 0;
        for (uint32_t cp = 0x20; cp < 0x10000; cp++) {
            font_face *f;
            if (font_face_covers(first, cp) != FONT_GLYPH_NESTED)
                continue;
            nested++;
            if (font_pick(fs, (font_role)r, cp, &f) == FONT_GLYPH_OK && font_face_covers(f, cp) != FONT_GLYPH_OK)
                bad++;
            if (font_pick(fs, (font_role)r, cp, &f) == FONT_GLYPH_OK && f == first)
                bad++;
        }
        CHECK(bad == 0, "%s: %zu nested glyphs picked", font_role_name((font_role)r), bad);
        if (nested)
            printf("  %s: %zu nested composite glyphs in %s avoided\n", font_role_name((font_role)r), nested,
                   font_face_psname(first));
    }
}

static bool bmp_only(uint32_t cp)
{
    return cp < 0x10000;
}

/* Without a policy (what a set that only names fonts for Word and Excel would use) the font layer takes every
 * glyph FreeType can load: nested composites and code points above U+FFFF are libharu's limits, not its own. */
static void test_no_policy(font_set *fs)
{
    font_face *face = (font_face *)1;
    size_t nested_ok = 0;
    font_set_policy(fs, NULL);
    CHECK(font_pick(fs, FONT_ROLE_SONG, 0x20000, &face) != FONT_GLYPH_ASTRAL, "U+20000 without a policy");
    CHECK(font_pick(fs, FONT_ROLE_LATIN, 0x1F600, &face) != FONT_GLYPH_ASTRAL, "U+1F600 without a policy");
    for (size_t i = 0; i < font_set_face_count(fs); i++) {
        font_face *f = font_set_face(fs, i);
        if (strstr(font_face_path(f), "uming.ttc")) {
            CHECK(font_face_covers(f, 0x01D6) == FONT_GLYPH_OK, "uming ǖ without a policy");
            CHECK(font_glyph_nested(f, font_glyph_id(f, 0x01D6)), "uming ǖ is still a nested composite");
            nested_ok++;
        }
    }
    for (int r = 0; r < FONT_ROLE_COUNT; r++) {
        font_face *first = font_role_face(fs, (font_role)r), *f;
        for (uint32_t cp = 0x20; cp < 0x10000; cp++)
            if (font_face_covers(first, cp) == FONT_GLYPH_OK && font_glyph_nested(first, font_glyph_id(first, cp)))
                CHECK(font_pick(fs, (font_role)r, cp, &f) == FONT_GLYPH_OK &&
                          (f == first || (font_is_latin(cp) && font_role_uses_latin(fs, (font_role)r))),
                      "U+%04X", cp);
    }
    printf("  no policy: astral code points looked up, nested composites accepted (%zu uming faces)\n", nested_ok);
    /* a policy that cannot encode above U+FFFF (libharu's without stand-ins) */
    font_glyph_policy bmp = {bmp_only, NULL};
    font_set_policy(fs, &bmp);
    CHECK(font_pick(fs, FONT_ROLE_SONG, 0x20000, &face) == FONT_GLYPH_ASTRAL && face == NULL, "U+20000, BMP only");
    CHECK(font_pick(fs, FONT_ROLE_SONG, 0x4E00, &face) == FONT_GLYPH_OK, "U+4E00, BMP only");
    font_set_policy(fs, &haru_glyph_policy);
    CHECK(font_pick(fs, FONT_ROLE_SONG, 0x20000, &face) == FONT_GLYPH_OK, "U+20000 with the policy again");
}

static void test_runs(font_set *fs)
{
    font_face *hana;
    static const char text[] = "2025年预算ABC 𠀀\xff\xfe好";
    font_face *latin = font_role_face(fs, FONT_ROLE_LATIN);
    font_run runs[16];
    size_t n = 0, pos = 0, len = strlen(text);

    while (n < 16 && font_next_run(fs, FONT_ROLE_FANGSONG, text, len, &pos, &runs[n]))
        n++;
    CHECK(n == 6, "expected 6 runs, got %zu", n);
    if (n != 6)
        return;
    CHECK(runs[0].face == latin && runs[0].start == 0 && runs[0].len == 4, "run 0 “2025”");
    CHECK(runs[1].face && runs[1].face != latin && runs[1].len == strlen("年预算"), "run 1 “年预算”");
    CHECK(runs[2].face == latin && runs[2].len == 4, "run 2 “ABC ” (space is Latin)");
    font_pick(fs, FONT_ROLE_FANGSONG, 0x20000, &hana);
    CHECK(runs[3].status == FONT_GLYPH_OK && runs[3].face == hana && hana && runs[3].len == 4, "run 3 𠀀");
    CHECK(runs[4].status == FONT_GLYPH_BAD_UTF8 && runs[4].face == NULL && runs[4].len == 2, "run 4 bad bytes");
    CHECK(runs[5].face == runs[1].face && runs[5].len == 3 && runs[5].start + 3 == len, "run 5 好 ends the string");
    CHECK(runs[0].start + runs[0].len == runs[1].start, "runs are contiguous");
    {
        size_t p = len;
        font_run r;
        CHECK(!font_next_run(fs, FONT_ROLE_FANGSONG, text, len, &p, &r), "end of string");
        p = 0;
        CHECK(!font_next_run(fs, FONT_ROLE_FANGSONG, "", 0, &p, &r), "empty string");
    }
}

static void test_metrics(font_set *fs)
{
    FT_Library lib;
    CHECK(FT_Init_FreeType(&lib) == 0, "FreeType");

    for (int r = 0; r < FONT_ROLE_COUNT; r++) {
        font_face *face;
        font_vmetrics vm;
        double w;
        CHECK(font_pick(fs, (font_role)r, 0x56FD, &face) == FONT_GLYPH_OK, "国");
        w = font_advance(face, 0x56FD, 16);
        CHECK(w > 16 * 0.9 && w < 16 * 1.1, "%s: 国 is %.2f pt at 16 pt", font_role_name((font_role)r), w);
        font_face_vmetrics(face, &vm);
        CHECK(vm.units_per_em > 0 && vm.ascender > 0 && vm.descender < 0 &&
                  vm.line_height >= vm.ascender - vm.descender,
              "%s: vmetrics %d %d %d %d", font_role_name((font_role)r), vm.units_per_em, vm.ascender, vm.descender,
              vm.line_height);
    }
    {
        font_face *latin = font_role_face(fs, FONT_ROLE_LATIN);
        double one = font_advance(latin, '1', 12);
        double m = font_measure(fs, FONT_ROLE_SONG, "中文12", strlen("中文12"), 12);
        CHECK(one > 5.5 && one < 6.5, "digit 1 is %.3f pt at 12 pt", one);
        CHECK(m > 24 + 2 * one - 0.5 && m < 24 + 2 * one + 0.5, "measure 中文12 = %.3f", m);
        CHECK(font_measure(fs, FONT_ROLE_SONG, "𠀀", strlen("𠀀"), 10) == 10.0, "missing counts one em");
        CHECK(font_text_width(latin, "12", 2, 12) == 2 * one, "text width");
    }
    /* The cached advances equal FreeType's, looked up cold and warm. */
    for (size_t i = 0; i < font_set_face_count(fs); i++) {
        font_face *f = font_set_face(fs, i);
        FT_Face ft;
        size_t diff = 0, checked = 0;
        if (FT_New_Face(lib, font_face_path(f), font_face_index(f), &ft) != 0) {
            CHECK(0, "FreeType cannot open %s", font_face_path(f));
            continue;
        }
        FT_Select_Charmap(ft, FT_ENCODING_UNICODE);
        for (int pass = 0; pass < 2; pass++) {
            for (uint32_t cp = 0x20; cp < 0xA000; cp += 7) {
                FT_UInt gid = FT_Get_Char_Index(ft, cp);
                FT_Fixed adv = 0;
                FT_Get_Advances(ft, gid, 1, FT_LOAD_NO_SCALE, &adv);
                if (font_glyph_id(f, cp) != gid || font_advance_units(f, cp) != (int)adv)
                    diff++;
                checked++;
            }
        }
        CHECK(diff == 0, "%s: %zu of %zu cached advances differ", font_face_psname(f), diff, checked);
        FT_Done_Face(ft);
    }
    FT_Done_FreeType(lib);
}

/* 300 frequent characters, as in budget prose and tables. */
static const char frequent[] =
    "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后"
    "多定行学法所民得经十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还"
    "因由其些然前外天政四日那社义事平形相全表间样与关各重新线内数正心反你明看原又么利比或但质气第向道命此变条只没结"
    "解问意建月公无系军很情者最立代想已通并提直题党程展五果料象员革位入常文总次品式活设及管特件长求老头基资边流路级"
    "少图山统接知较将组见计别她手角期根论运农指几九区强放决西被干做必战先回则任取据处队南给色光门即保治北造百规热领"
    "七海口东导器压志世金增争济阶油思术极交受联什认六共权收证改清己美再采转更单风切打白教速花带安场身车例真务具万每";

/* The characters of a sample that face can draw: "frequent" above, or "spread", every 23rd URO ideograph (rarer and
 * more complex glyphs). A face with almost no ideographs (Latin) gets ASCII and Latin-1 instead. */
static size_t sample_chars(font_face *face, bool spread, uint32_t *cps, size_t want, bool *latin)
{
    uint32_t all[400];
    size_t n = 0, total = decode(frequent, all, 400);
    if (spread) {
        for (uint32_t cp = 0x4E00; cp <= 0x9FA5 && n < want; cp += 23)
            if (font_face_covers(face, cp) == FONT_GLYPH_OK)
                cps[n++] = cp;
    } else {
        for (size_t i = 0; i < total && n < want; i++)
            if (font_face_covers(face, all[i]) == FONT_GLYPH_OK)
                cps[n++] = all[i];
    }
    *latin = n < 50;
    if (*latin) {
        n = 0;
        for (uint32_t cp = 0x20; cp < 0x100 && n < want; cp++)
            if (font_face_covers(face, cp) == FONT_GLYPH_OK)
                cps[n++] = cp;
    }
    return n;
}

static void test_subset(font_set *fs)
{
    FT_Library lib;
    char err[512];
    CHECK(FT_Init_FreeType(&lib) == 0, "FreeType");

    printf("  %-20s %-8s %6s %9s %9s %8s %8s\n", "face", "sample", "chars", "font KB", "subset B", "ms", "1st ms");
    for (size_t i = 0; i < font_set_face_count(fs); i++) {
        font_face *f = font_set_face(fs, i);
        for (int spread = 0; spread < 2; spread++) {
            uint32_t cps[400], codes[400];
            bool latin;
            size_t n = sample_chars(f, spread, cps, 300, &latin);
            uint8_t *a = NULL, *b = NULL;
            size_t alen = 0, blen = 0;
            double t0, t1, first;
            int e1, e2;

            if (latin && spread)
                continue;
            t0 = now_sec();
            e1 = haru_subset(f, cps, n, codes, &a, &alen, err, sizeof err); /* the first call opens the face */
            first = now_sec() - t0;
            free(a);
            t0 = now_sec();
            e1 = haru_subset(f, cps, n, codes, &a, &alen, err, sizeof err);
            t1 = now_sec();
            e2 = haru_subset(f, cps, n, codes, &b, &blen, err, sizeof err);
            CHECK(e1 == 0 && e2 == 0, "subset %s: %s", font_face_psname(f), err);
            if (e1 == 0 && e2 == 0) {
                FT_Face sub = NULL;
                CHECK(alen == blen && memcmp(a, b, alen) == 0, "subset of %s is not deterministic",
                      font_face_psname(f));
                if (!latin) /* a Latin font is small already */
                    CHECK((long)alen * 10 < font_face_file_size(f), "subset %zu B of %ld B font", alen,
                          font_face_file_size(f));
                printf("  %-20s %-8s %6zu %9ld %9zu %8.2f %8.2f\n", font_face_psname(f),
                       latin ? "Latin-1" : spread ? "spread" : "frequent", n, font_face_file_size(f) / 1024, alen,
                       (t1 - t0) * 1e3, first * 1e3);
                /* A valid single TrueType font with every requested character and no layout tables. */
                CHECK(FT_New_Memory_Face(lib, a, (FT_Long)alen, 0, &sub) == 0, "FreeType cannot read the subset");
                if (sub) {
                    FT_ULong len = 0;
                    size_t missing = 0;
                    FT_Select_Charmap(sub, FT_ENCODING_UNICODE);
                    for (size_t k = 0; k < n; k++)
                        if (FT_Get_Char_Index(sub, cps[k]) == 0)
                            missing++;
                    CHECK(missing == 0, "%zu characters missing from the subset", missing);
                    CHECK(sub->num_faces == 1 && (unsigned long)sub->num_glyphs <= n + 1 + 16,
                          "subset glyph count %ld", (long)sub->num_glyphs);
                    CHECK(FT_Load_Sfnt_Table(sub, TTAG_glyf, 0, NULL, &len) == 0 && len > 0, "subset has glyf");
                    len = 0;
                    CHECK(FT_Load_Sfnt_Table(sub, TTAG_GSUB, 0, NULL, &len) != 0, "subset keeps GSUB");
                    CHECK(strcmp(FT_Get_Postscript_Name(sub), font_face_psname(f)) == 0, "PostScript name kept");
                    FT_Done_Face(sub);
                }
            }
            free(a);
            free(b);
        }
    }
    FT_Done_FreeType(lib);
}

/* ---------------------------------------------------------------- the subset's sfnt and cmap */

static uint32_t rd16(const uint8_t *p) { return (uint32_t)p[0] << 8 | p[1]; }

static uint32_t rd32(const uint8_t *p)
{
    return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Sum of the big-endian words of f[off .. off + len), zero-padded; with head's checkSumAdjustment read as 0. */
static uint32_t table_sum(const uint8_t *f, size_t off, size_t len, bool head)
{
    uint32_t sum = 0;
    for (size_t i = 0; i < len; i += 4) {
        uint8_t w[4] = {0, 0, 0, 0};
        for (size_t k = 0; k < 4 && i + k < len; k++)
            w[k] = f[off + i + k];
        if (head && i == 8)
            memset(w, 0, sizeof w);
        sum += rd32(w);
    }
    return sum;
}

/* Checks that f[0..len) is a well-formed TrueType file: directory sorted by tag with the right binary-search
 * fields, each table 4-byte aligned, inside the file, zero-padded and with its checksum, and the whole file summing
 * to 0xB1B0AFBA (head.checkSumAdjustment). Returns the offset of table tag (0 if absent) and its length. */
static size_t check_sfnt(const uint8_t *f, size_t len, uint32_t tag, size_t *tag_len)
{
    size_t n = len >= 12 ? rd16(f + 4) : 0, range = 1, selector = 0, found = 0;
    uint32_t prev = 0;
    *tag_len = 0;
    CHECK(len >= 12 + 16 * n && n > 0 && rd32(f) == 0x00010000u, "not a TrueType file (%zu B)", len);
    if (len < 12 + 16 * n || n == 0)
        return 0;
    while (range * 2 <= n)
        range *= 2, selector++;
    CHECK(rd16(f + 6) == range * 16 && rd16(f + 8) == selector && rd16(f + 10) == n * 16 - range * 16,
          "searchRange %u entrySelector %u rangeShift %u for %zu tables", rd16(f + 6), rd16(f + 8), rd16(f + 10), n);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *r = f + 12 + 16 * i;
        uint32_t t = rd32(r), off = rd32(r + 8), tlen = rd32(r + 12);
        bool inside = off <= len && tlen <= len - off;
        CHECK(i == 0 || t > prev, "table directory not sorted at %.4s", (const char *)r);
        CHECK(off % 4 == 0 && inside, "table %.4s at %u, %u B, in %zu B", (const char *)r, off, tlen, len);
        if (!inside)
            continue;
        CHECK(table_sum(f, off, tlen, t == 0x68656164u) == rd32(r + 4), "checksum of %.4s", (const char *)r);
        for (size_t k = off + tlen; k < ((off + tlen + 3u) & ~3u) && k < len; k++)
            CHECK(f[k] == 0, "padding after %.4s", (const char *)r);
        if (t == tag) {
            found = off;
            *tag_len = tlen;
        }
        prev = t;
    }
    CHECK(len % 4 == 0 && table_sum(f, 0, len, false) == 0xB1B0AFBAu, "head.checkSumAdjustment");
    return found;
}

/* The (3,1) format-4 subtable, the one libharu 2.3 reads; NULL if absent. */
static const uint8_t *find_cmap4(const uint8_t *cmap, size_t len)
{
    size_t n = len >= 4 ? rd16(cmap + 2) : 0;
    for (size_t i = 0; i < n && 4 + 8 * i + 8 <= len; i++) {
        const uint8_t *r = cmap + 4 + 8 * i;
        uint32_t off = rd32(r + 4);
        if (rd16(r) == 3 && rd16(r + 2) == 1 && off + 16 <= len && rd16(cmap + off) == 4 &&
            off + rd16(cmap + off + 2) <= len)
            return cmap + off;
    }
    return NULL;
}

/* libharu 2.3's HPDF_TTFontDef_GetGlyphid on a format-4 subtable: a linear scan for the first segment ending at or
 * after cp. *visits counts the segments looked at; *bad counts reads outside the subtable. */
static unsigned haru_glyph(const uint8_t *t, uint32_t cp, unsigned long *visits, unsigned long *bad)
{
    size_t segc = rd16(t + 6) / 2, i;
    const uint8_t *ends = t + 14, *starts = ends + 2 * segc + 2, *deltas = starts + 2 * segc;
    const uint8_t *offsets = deltas + 2 * segc, *array = offsets + 2 * segc;
    size_t count = (rd16(t + 2) - (16 + 8 * segc)) / 2;
    uint32_t start, delta, ro;

    for (i = 0; i < segc; i++) {
        ++*visits;
        if (cp <= rd16(ends + 2 * i))
            break;
    }
    if (i == segc) { /* libharu would read past the arrays */
        ++*bad;
        return 0;
    }
    start = rd16(starts + 2 * i);
    delta = rd16(deltas + 2 * i);
    ro = rd16(offsets + 2 * i);
    if (start > cp)
        return 0;
    if (ro == 0)
        return (cp + delta) & 0xFFFFu;
    {
        size_t idx = ro / 2 + (cp - start) - (segc - i);
        if (idx >= count) { /* libharu checks idx > count: idx == count reads one past the array */
            ++*bad;
            return 0;
        }
        return (rd16(array + 2 * idx) + delta) & 0xFFFFu;
    }
}

/* Whether glyph ga of a and glyph gb of b have the same unscaled, unhinted outline (composites resolved) and
 * advance. */
static bool same_glyph(FT_Face a, unsigned ga, FT_Face b, unsigned gb)
{
    const FT_Int32 flags = FT_LOAD_NO_SCALE | FT_LOAD_NO_HINTING;
    FT_Outline *o;
    FT_Vector *pts = NULL;
    char *tags = NULL;
    short *contours = NULL;
    short np, nc;
    FT_Pos adv;
    bool same;

    if (FT_Load_Glyph(a, ga, flags) != 0)
        return false;
    o = &a->glyph->outline;
    np = o->n_points;
    nc = o->n_contours;
    adv = a->glyph->metrics.horiAdvance;
    pts = malloc(sizeof *pts * (size_t)(np + 1));
    tags = malloc((size_t)np + 1);
    contours = malloc(sizeof *contours * (size_t)(nc + 1));
    if (!pts || !tags || !contours) {
        free(pts);
        free(tags);
        free(contours);
        return false;
    }
    if (np) { /* an empty glyph (a space) has no outline arrays at all */
        memcpy(pts, o->points, sizeof *pts * (size_t)np);
        memcpy(tags, o->tags, (size_t)np);
    }
    if (nc)
        memcpy(contours, o->contours, sizeof *contours * (size_t)nc);
    same = FT_Load_Glyph(b, gb, flags) == 0;
    o = &b->glyph->outline;
    same = same && o->n_points == np && o->n_contours == nc && b->glyph->metrics.horiAdvance == adv &&
           (np == 0 || memcmp(o->points, pts, sizeof *pts * (size_t)np) == 0) &&
           (nc == 0 || memcmp(o->contours, contours, sizeof *contours * (size_t)nc) == 0);
    for (short k = 0; same && k < np; k++)
        same = (o->tags[k] & 3) == (tags[k] & 3);
    free(pts);
    free(tags);
    free(contours);
    return same;
}

/* Subsets face to cps[0..n) and checks what libharu 2.3 and FreeType rely on: a well-formed TrueType file without
 * hinting programs; a (3,1) format-4 cmap whose segments ascend (haru_fast.c's lookup relies on it), where libharu's
 * linear lookup (emulated) and FreeType find the same glyph for every BMP code point, a glyph
 * for exactly the requested code points the face covers, and each glyph with the outline and advance of the
 * original font's glyph; astral code points through a (3,10) format-12 subtable, and in both subtables through their
 * stand-in, a Private Use Area code not requested, with the astral character's glyph. */
static void check_subset_glyphs(FT_Library lib, font_face *face, const uint32_t *cps, size_t n, const char *label)
{
    char err[512];
    uint8_t *data = NULL, *want = calloc(0x10000, 1);
    uint32_t *codes = calloc(n ? n : 1, sizeof *codes), *orig_cp = calloc(0x10000, sizeof *orig_cp);
    size_t len = 0, cmaplen = 0, cmapoff, nwant = 0, astral = 0, segc = 0;
    FT_Face orig = NULL, sub = NULL;
    unsigned long visits = 0, bad = 0, wrong_haru = 0, wrong_set = 0, wrong_outline = 0;
    const uint8_t *t = NULL;
    double t0;

    if (!want || !codes || !orig_cp || FT_New_Face(lib, font_face_path(face), font_face_index(face), &orig) != 0) {
        CHECK(0, "cannot open %s", font_face_path(face));
        free(want);
        free(codes);
        free(orig_cp);
        return;
    }
    for (uint32_t cp = 0; cp < 0x10000; cp++)
        orig_cp[cp] = cp;
    FT_Select_Charmap(orig, FT_ENCODING_UNICODE);
    for (size_t k = 0; k < n; k++) {
        if (FT_Get_Char_Index(orig, cps[k]) == 0)
            continue;
        if (cps[k] < 0x10000)
            nwant += !want[cps[k]], want[cps[k]] = 1;
        else
            astral++;
    }
    t0 = now_sec();
    CHECK(haru_subset(face, cps, n, codes, &data, &len, err, sizeof err) == 0, "%s: %s", label, err);
    t0 = now_sec() - t0;
    for (size_t k = 0; k < n && data; k++) {
        if (cps[k] < 0x10000) {
            CHECK(codes[k] == cps[k], "%s: U+%04X drawn as U+%04X", label, (unsigned)cps[k], (unsigned)codes[k]);
            continue;
        }
        bool pua = codes[k] >= 0xE000 && codes[k] <= 0xF8FF && orig_cp[codes[k]] == codes[k];
        for (size_t j = 0; j < n && pua; j++)
            pua = cps[j] != codes[k];
        CHECK(pua, "%s: U+%04X has stand-in U+%04X, not a free Private Use Area code", label, (unsigned)cps[k],
              (unsigned)codes[k]);
        if (pua && FT_Get_Char_Index(orig, cps[k]))
            want[codes[k]] = 1, orig_cp[codes[k]] = cps[k];
    }
    if (data) {
        size_t dummy;
        cmapoff = check_sfnt(data, len, 0x636D6170u, &cmaplen);
        if (n) /* a subset of nothing maps nothing (emit_pdf.c does not embed it) */
            CHECK(cmapoff && (t = find_cmap4(data + cmapoff, cmaplen)) != NULL, "%s: no (3,1) format-4 cmap", label);
        CHECK(check_sfnt(data, len, 0x6670676Du, &dummy) == 0 && check_sfnt(data, len, 0x70726570u, &dummy) == 0,
              "%s: fpgm/prep kept", label);
        CHECK(FT_New_Memory_Face(lib, data, (FT_Long)len, 0, &sub) == 0, "%s: FreeType cannot read the subset", label);
    }
    if (t && sub) {
        segc = rd16(t + 6) / 2;
        FT_Select_Charmap(sub, FT_ENCODING_UNICODE);
        bool ascending = true;
        for (size_t k = 1; k < segc; k++)
            ascending &= rd16(t + 14 + 2 * (k - 1)) < rd16(t + 14 + 2 * k);
        CHECK(ascending, "%s: cmap segments out of order", label);
        for (uint32_t cp = 0; cp < 0x10000; cp++) {
            FT_UInt g = FT_Get_Char_Index(sub, cp);
            wrong_haru += haru_glyph(t, cp, &visits, &bad) != g;
            wrong_set += (g != 0) != (cp < 0xFFFF && want[cp]);
            if (g && want[cp] && !same_glyph(orig, FT_Get_Char_Index(orig, orig_cp[cp]), sub, g) && wrong_outline++ < 3)
                printf("  %s: U+%04X has another outline in the subset\n", label, (unsigned)cp);
        }
        for (size_t k = 0; k < n; k++) /* astral code points: format 12 */
            if (cps[k] >= 0x10000 && FT_Get_Char_Index(orig, cps[k])) {
                FT_UInt g = FT_Get_Char_Index(sub, cps[k]);
                wrong_set += g == 0;
                wrong_outline += g && !same_glyph(orig, FT_Get_Char_Index(orig, cps[k]), sub, g);
            }
        CHECK(wrong_haru == 0 && bad == 0, "%s: libharu's lookup differs from FreeType's for %lu code points, %lu bad reads",
              label, wrong_haru, bad);
        CHECK(wrong_set == 0, "%s: %lu code points mapped differently from the request", label, wrong_set);
        CHECK(wrong_outline == 0, "%s: %lu glyphs differ from the original font's", label, wrong_outline);
        printf("  %-24s %-10s %6zu chars %5zu astral %4zu segments %6zu B cmap %7zu B font %7.2f ms, "
               "libharu lookup of U+0000–U+FFFF visits %lu segments\n",
               font_face_psname(face), label, nwant, astral, segc, cmaplen, len, t0 * 1e3, visits);
    }
    if (sub)
        FT_Done_Face(sub);
    FT_Done_Face(orig);
    free(data);
    free(want);
    free(codes);
    free(orig_cp);
}

/* Every face: a page of prose with punctuation and digits, no character at all, a spread over the URO, and (for the
 * smaller faces) every BMP character the face has, which needs the fallback for format 4's 64 KB limit. */
static void test_subset_cmap(font_set *fs)
{
    static const char page[] = "一、部门预算绩效目标（2025年）：资金总额1,234.56万元；完成率≥95%。“满意度”—指标值"
                               "ABCxyz×÷①②Ⅲ℃…，、：；《》【】〔〕！？";
    FT_Library lib;
    uint32_t *cps = malloc(0x10000 * sizeof *cps);
    CHECK(FT_Init_FreeType(&lib) == 0 && cps, "FreeType");
    if (!cps)
        return;
    for (size_t i = 0; i < font_set_face_count(fs); i++) {
        font_face *f = font_set_face(fs, i);
        FT_Face orig;
        size_t n = decode(page, cps, 0x10000);
        bool latin;
        n += decode(frequent, cps + n, 0x10000 - n);
        check_subset_glyphs(lib, f, cps, n, "page");
        check_subset_glyphs(lib, f, cps, 0, "nothing"); /* .notdef only: a font FreeType reads */
        if (strcmp(font_face_psname(f), "HanaMinB") == 0) { /* stand-ins, passing over U+E000 as requested */
            static const uint32_t ext[] = {0x4E00, 0xE000, 0x20000, 0x20BB7, 0x2A6A5, 0x2B740, 0x2B820, 0x2CEB0};
            check_subset_glyphs(lib, f, ext, sizeof ext / sizeof ext[0], "Ext B–F");
        }
        n = sample_chars(f, true, cps, 2000, &latin);
        check_subset_glyphs(lib, f, cps, n, latin ? "Latin-1" : "spread");
        n = 0;
        if (FT_New_Face(lib, font_face_path(f), font_face_index(f), &orig) == 0) {
            FT_UInt g;
            FT_Select_Charmap(orig, FT_ENCODING_UNICODE);
            for (FT_ULong cp = FT_Get_First_Char(orig, &g); g != 0 && cp < 0x10000; cp = FT_Get_Next_Char(orig, cp, &g))
                cps[n++] = (uint32_t)cp;
            if (orig->num_glyphs < 40000) /* wqy-zenhei: too slow for a unit test */
                check_subset_glyphs(lib, f, cps, n, "all BMP");
            FT_Done_Face(orig);
        }
    }
    free(cps);
    FT_Done_FreeType(lib);
}

static void test_memfd(font_set *fs)
{
    char err[256], path[HARU_FD_PATH_MAX];
    uint32_t cps[] = {0x4E2D, 0x6587};
    uint8_t *data;
    size_t len;
    int fd;
    font_face *f = font_role_face(fs, FONT_ROLE_HEI);

    uint32_t codes[2];
    CHECK(haru_subset(f, cps, 2, codes, &data, &len, err, sizeof err) == 0, "%s", err);
    CHECK(haru_memfd(data, len, path, &fd, err, sizeof err) == 0, "%s", err);
    CHECK(strncmp(path, "/proc/self/fd/", 14) == 0 && fd >= 0, "path %s", path);
    {
        FILE *in = fopen(path, "rb");
        uint8_t *back = malloc(len + 1);
        size_t got = 0;
        CHECK(in != NULL && back != NULL, "reopen %s", path);
        if (in && back) {
            got = fread(back, 1, len + 1, in);
            CHECK(got == len && memcmp(back, data, len) == 0, "memfd content");
        }
        if (in)
            fclose(in);
        free(back);
    }
    close(fd);
    free(data);
}

static void test_timing(font_set *fs)
{
    enum { N = 1000000 };
    uint32_t cps[4096];
    size_t n = 0;
    font_face *face = font_role_face(fs, FONT_ROLE_FANGSONG);
    volatile double sink = 0;
    double t0, t1, t2;

    for (uint32_t cp = 0x4E00; cp < 0x9FA5 && n < 3000; cp += 3)
        if (font_face_covers(face, cp) == FONT_GLYPH_OK)
            cps[n++] = cp;
    for (size_t i = 0; i < n; i++) /* warm the caches, as after the first page */
        sink += font_advance(face, cps[i], 12);
    t0 = now_sec();
    for (size_t i = 0; i < N; i++)
        sink += font_advance(face, cps[i % n], 12);
    t1 = now_sec();
    for (size_t i = 0; i < N; i++) {
        font_face *f;
        if (font_pick(fs, FONT_ROLE_FANGSONG, cps[i % n], &f) == FONT_GLYPH_OK)
            sink += font_advance(f, cps[i % n], 12);
    }
    t2 = now_sec();
    printf("  1e6 advance lookups: %.1f ms (%.1f ns each); with font_pick: %.1f ns each (%zu distinct chars)\n",
           (t1 - t0) * 1e3, (t1 - t0) * 1e9 / N, (t2 - t1) * 1e9 / N, n);
    (void)sink;
}

/* ---------------------------------------------------------------- roles.conf variants in a scratch directory */

static char scratch[64];

static void write_file(const char *name, const char *text)
{
    char path[256];
    FILE *f;
    snprintf(path, sizeof path, "%s/%s", scratch, name);
    f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
}

static void link_file(const char *target, const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", scratch, name);
    if (symlink(target, path) != 0)
        printf("  cannot link %s\n", path);
}

static void remove_file(const char *name)
{
    char path[256];
    snprintf(path, sizeof path, "%s/%s", scratch, name);
    unlink(path);
}

/* A minimal valid conf whose roles all use Liberation Serif, with extra text for one role. */
static void write_conf(const char *song_extra, const char *fangsong_fonts)
{
    char text[4096];
    snprintf(text, sizeof text,
             "[宋体]\nfamily = 宋体\nfont = " LIBERATION "LiberationSerif-Regular.ttf\n%s\n"
             "[黑体]\nfamily = 黑体\nfont = " LIBERATION "LiberationSerif-Regular.ttf\n"
             "[仿宋]\nfamily = 仿宋\nmatch = simfang.ttf, FangSong\n%s\n"
             "[楷体]\nfamily = 楷体\nfont = " LIBERATION "LiberationSerif-Regular.ttf\n"
             "[小标宋]\nfamily = 方正小标宋简体\nfont = " LIBERATION "LiberationSerif-Regular.ttf\n"
             "[西文]\nfamily = Times New Roman\nmatch = Times New Roman, times.ttf\n"
             "font = " LIBERATION "LiberationSans-Regular.ttf\n",
             song_extra, fangsong_fonts);
    write_file("roles.conf", text);
}

static font_error open_scratch(font_set **fs, char *err, size_t errlen)
{
    char path[128];
    snprintf(path, sizeof path, "%s/roles.conf", scratch);
    return font_set_open(fs, path, err, errlen);
}

static void expect_conf_error(const char *text, font_error want, const char *needle)
{
    font_set *fs = NULL;
    char err[1024] = "";
    font_error e;
    write_file("roles.conf", text);
    e = open_scratch(&fs, err, sizeof err);
    CHECK(e == want && fs == NULL && strstr(err, needle), "want error %d with “%s”, got %d: %s", want, needle, e, err);
    font_set_free(fs);
}

static void test_conf_errors(void)
{
    char err[2048];
    font_set *fs = NULL;
    font_error e;

    expect_conf_error("[宋体]\nfamily = 宋体\nfnt = x.ttf\n", FONT_ERR_CONF, ":3: 未知的键“fnt”");
    expect_conf_error("family = 宋体\n", FONT_ERR_CONF, ":1: “family”不在任何 [角色] 段内");
    expect_conf_error("[隶书]\n", FONT_ERR_CONF, "未知的字体角色“隶书”");
    expect_conf_error("[宋体]\n[宋体]\n", FONT_ERR_CONF, "角色“宋体”重复");
    expect_conf_error("[宋体]\nlatin = maybe\n", FONT_ERR_CONF, "latin 的值应为 yes 或 no");
    expect_conf_error("[宋体]\nfamily = 宋体\n", FONT_ERR_CONF, "缺少角色“黑体”");
    remove_file("roles.conf");
    font_set_free(fs);
    fs = NULL;
    {
        char path[128];
        snprintf(path, sizeof path, "%s/roles.conf", scratch);
        e = font_set_open(&fs, path, err, sizeof err);
        CHECK(e == FONT_ERR_CONF && strstr(err, "无法读取字体配置"), "missing conf: %s", err);
    }

    /* A role whose fonts are all absent or unusable names itself and every file tried. */
    write_file("broken.ttf", "not a font");
    write_conf("", "font = /nonexistent/simfang.ttf\nfont = broken.ttf#0\n");
    e = open_scratch(&fs, err, sizeof err);
    CHECK(e == FONT_ERR_NO_FONT && fs == NULL, "no-font error %d", e);
    CHECK(strstr(err, "字体角色“仿宋”没有可用的 TrueType 字体（已尝试：") && strstr(err, "/nonexistent/simfang.ttf：文件不存在") &&
              strstr(err, "broken.ttf：不是字体文件"),
          "message: %s", err);
    printf("  example: %s\n", err);
    remove_file("broken.ttf");
}

static void test_dropins(void)
{
    char err[2048];
    font_set *fs = NULL;
    font_error e;

    /* latin = no keeps digits in the role's own font; a dropped-in "times.ttf" takes over 西文; a file that
     * matches no role is reported; a TTC index past the end is reported. */
    link_file(LIBERATION "LiberationSerif-Regular.ttf", "times.ttf");
    link_file(LIBERATION "LiberationMono-Regular.ttf", "unrelated.ttf");
    write_conf("latin = no\nfont = " LIBERATION "LiberationSerif-Regular.ttf#3\n",
               "font = " LIBERATION "LiberationSans-Regular.ttf\n");
    e = open_scratch(&fs, err, sizeof err);
    CHECK(e == FONT_OK, "open: %s", err);
    if (fs) {
        font_face *face;
        bool unmatched = false, badindex = false;
        CHECK(strstr(font_face_path(font_role_face(fs, FONT_ROLE_LATIN)), "times.ttf") != NULL,
              "drop-in times.ttf should draw 西文, got %s", font_face_path(font_role_face(fs, FONT_ROLE_LATIN)));
        CHECK(!font_role_uses_latin(fs, FONT_ROLE_SONG) && font_role_uses_latin(fs, FONT_ROLE_HEI), "latin flags");
        CHECK(font_pick(fs, FONT_ROLE_SONG, '7', &face) == FONT_GLYPH_OK && face == font_role_face(fs, FONT_ROLE_SONG),
              "latin = no");
        CHECK(font_pick(fs, FONT_ROLE_HEI, '7', &face) == FONT_GLYPH_OK && face == font_role_face(fs, FONT_ROLE_LATIN),
              "latin = yes");
        for (size_t i = 0; font_set_warning(fs, i); i++) {
            const char *w = font_set_warning(fs, i);
            unmatched |= strstr(w, "unrelated.ttf") && strstr(w, "未使用");
            badindex |= strstr(w, "Regular.ttf#3") != NULL;
        }
        CHECK(unmatched, "no warning for unrelated.ttf");
        CHECK(badindex, "no warning for face #3 of a TTF");
        font_set_free(fs);
        fs = NULL;
    }
    remove_file("times.ttf");
    remove_file("unrelated.ttf");

    /* A bold face with a matching file name is not taken for the regular role. */
    link_file(LIBERATION "LiberationSerif-Bold.ttf", "simfang.ttf");
    write_conf("", "font = " LIBERATION "LiberationSans-Regular.ttf\n");
    e = open_scratch(&fs, err, sizeof err);
    CHECK(e == FONT_OK, "open: %s", err);
    if (fs) {
        CHECK(strstr(font_face_path(font_role_face(fs, FONT_ROLE_FANGSONG)), "LiberationSans") != NULL,
              "bold drop-in used for 仿宋");
        font_set_free(fs);
    }
    remove_file("simfang.ttf");
    remove_file("roles.conf");
}

/* Code points above U+FFFF go to a (3,10) format-12 subtable (DejaVu Sans has some; skipped if it is not installed). */
static void test_subset_astral(void)
{
    static const char dejavu[] = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf";
    char text[1024], err[1024];
    font_set *fs = NULL;
    FT_Library lib;
    uint32_t cps[] = {'A', 'z', 0x3A9, 0x2192, 0x10300, 0x10301, 0x10310, 0x1D300, 0x1D356};

    if (access(dejavu, R_OK) != 0) {
        printf("  skipped: %s not installed\n", dejavu);
        return;
    }
    snprintf(text, sizeof text, "[宋体]\nfamily = 宋体\nfont = %s\n[黑体]\nfamily = 黑体\nfont = %s\n"
             "[仿宋]\nfamily = 仿宋\nfont = %s\n[楷体]\nfamily = 楷体\nfont = %s\n[小标宋]\nfamily = 小标宋\nfont = %s\n"
             "[西文]\nfamily = DejaVu Sans\nfont = %s\n", dejavu, dejavu, dejavu, dejavu, dejavu, dejavu);
    write_file("roles.conf", text);
    CHECK(open_scratch(&fs, err, sizeof err) == FONT_OK, "open: %s", err);
    if (fs && FT_Init_FreeType(&lib) == 0) {
        check_subset_glyphs(lib, font_role_face(fs, FONT_ROLE_LATIN), cps, sizeof cps / sizeof cps[0], "astral");
        FT_Done_FreeType(lib);
    }
    font_set_free(fs);
    remove_file("roles.conf");
}

int main(int argc, char **argv)
{
    const char *conf = argc > 1 ? argv[1] : "fonts/roles.conf";
    char err[2048];
    font_set *fs;
    double t0 = now_sec();

    if (font_set_open(&fs, conf, err, sizeof err) != FONT_OK) {
        printf("FAIL cannot open %s: %s\n0 passed, 1 failed\n", conf, err);
        return 1;
    }
    printf("font_set_open(%s): %.1f ms\n", conf, (now_sec() - t0) * 1e3);
    font_set_policy(fs, &haru_glyph_policy); /* the layout's: libharu's limits */
    printf("roles:\n");
    test_roles(fs);
    printf("coverage:\n");
    test_coverage(fs);
    printf("fallback:\n");
    test_fallback(fs);
    printf("unusable characters:\n");
    test_unusable(fs);
    printf("no glyph policy:\n");
    test_no_policy(fs);
    printf("runs:\n");
    test_runs(fs);
    printf("metrics:\n");
    test_metrics(fs);
    printf("subsets (~300 CJK characters):\n");
    test_subset(fs);
    printf("subset cmaps and glyphs:\n");
    test_subset_cmap(fs);
    printf("memfd:\n");
    test_memfd(fs);
    printf("timing:\n");
    test_timing(fs);
    font_set_free(fs);

    snprintf(scratch, sizeof scratch, "/tmp/test_font.XXXXXX");
    if (!mkdtemp(scratch)) {
        printf("FAIL cannot create a scratch directory\n");
        failed++;
    } else {
        printf("roles.conf errors:\n");
        test_conf_errors();
        printf("drop-ins:\n");
        test_dropins();
        printf("astral code points:\n");
        test_subset_astral();
        rmdir(scratch);
    }

    printf("%d passed, %d failed\n", passed, failed);
    return failed ? 1 : 0;
}
