/* fixtures.c — the unit tests' shared fixtures (fixtures.h): styles, pages and widths of the
 * hand-made documents, and the package, text and file helpers of the emitter tests. */
#include "fixtures.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zip.h>

#include "base/util.h"

const doc_style fx_cell_st = {.name = "文字", .role = FONT_ROLE_SONG, .size = 10500,
                              .align = ALIGN_LEFT, .valign = VALIGN_MIDDLE, .line_height = 13650,
                              .pad_x = 4252, .pad_y = 3402};
const doc_style fx_title_st = {.name = "表题", .role = FONT_ROLE_TITLE, .size = 16000,
                               .align = ALIGN_CENTER, .line_height = 28000, .space_after = 6000};
const doc_style fx_caption_st = {.name = "表头说明", .role = FONT_ROLE_SONG, .size = 10500,
                                 .line_height = 18000};
const doc_style fx_heading_st = {.name = "部分标题", .role = FONT_ROLE_HEI, .size = 22000,
                                 .bold = true, .align = ALIGN_CENTER, .line_height = 40000};
const doc_style fx_body_st = {.name = "正文", .role = FONT_ROLE_FANGSONG, .size = 16000,
                              .align = ALIGN_JUSTIFY, .first_indent = 32000, .line_height = 29000};

const doc_page fx_portrait = {ORIENT_PORTRAIT, MM(210), MM(297), MM(37), MM(26), MM(35), MM(28),
                              MM(18)};
const doc_page fx_landscape = {ORIENT_LANDSCAPE, MM(297), MM(210), MM(28), MM(25), MM(25), MM(25),
                               MM(18)};
const mpt fx_widths3[3] = {MM(52), MM(52), MM(52)};

font_set *fx_fonts(const char *conf)
{
	char err[1024] = "";
	font_set *fonts = NULL;
	if (font_set_open(&fonts, conf ? conf : "fonts/roles.conf", err, sizeof err) != FONT_OK) {
		fprintf(stderr, "%s\n", err);
		return NULL;
	}
	return fonts;
}

char *fx_zip_part(const char *path, const char *name)
{
	int e = 0;
	zip_t *z = zip_open(path, ZIP_RDONLY, &e);
	if (!z)
		return NULL;
	char *out = NULL;
	zip_stat_t st;
	zip_file_t *f = zip_stat(z, name, 0, &st) == 0 ? zip_fopen(z, name, 0) : NULL;
	if (f) {
		out = xmalloc(st.size + 1);
		if (zip_fread(f, out, st.size) == (zip_int64_t)st.size) {
			out[st.size] = '\0';
		} else {
			free(out);
			out = NULL;
		}
		zip_fclose(f);
	}
	zip_close(z);
	return out;
}

size_t fx_count(const char *hay, const char *needle)
{
	size_t n = 0;
	for (const char *p = hay; p && *needle && (p = strstr(p, needle)); p += strlen(needle))
		n++;
	return n;
}

bool fx_contains(const char *hay, const char *needle)
{
	return hay && strstr(hay, needle);
}

bool fx_same_file(const char *a, const char *b)
{
	char *da = NULL, *db = NULL;
	size_t la = 0, lb = 0;
	bool same = file_read(a, 1 << 24, &da, &la) == 0 && file_read(b, 1 << 24, &db, &lb) == 0 &&
	            la == lb && memcmp(da, db, la) == 0;
	free(da);
	free(db);
	return same;
}
