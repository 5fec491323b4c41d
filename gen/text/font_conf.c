/* font_conf.c — the font set as configured: fonts/roles.conf (a [角色] section per role: family,
 * font, match and latin lines) and the official fonts dropped into its directory, matched to roles
 * by their names; font_set_open puts them together with font.c's faces and fallback orders. */
#define _GNU_SOURCE
#include "text/font_int.h"

#include <dirent.h>
#include <errno.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include FT_SFNT_NAMES_H
#include FT_TRUETYPE_IDS_H

#include "base/util.h"

enum {
	NAME_MAX_BYTES = 256,   /* longest font name compared with a match entry */
	CONF_MAX_BYTES = 1 << 20 /* a roles.conf larger than this is refused */
};

/* One [role] section of roles.conf, plus the dropped-in faces that matched it. */
typedef struct {
	bool seen;            /* the section was present */
	int line;             /* line of the section header, for messages */
	char *family;         /* "family =": name written into docx/xlsx */
	bool latin;           /* "latin =": Latin characters go to the 西文 faces (default yes) */
	font_strlist fonts;   /* "font =" specs in order: path or path#index, relative to the conf directory */
	font_strlist match;   /* "match =" names that make a dropped-in font belong to this role */
	font_strlist dropins; /* "file#index" specs of dropped-in faces that matched, in file-name order */
} role_conf;

/* ---------------------------------------------------------------- lists and messages */

void font_strlist_add(font_strlist *l, const char *s)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 8;
		l->items = xrealloc(l->items, l->cap * sizeof *l->items);
	}
	l->items[l->n++] = xstrdup(s);
}

void font_strlist_free(font_strlist *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->items[i]);
	free(l->items);
	l->items = NULL;
	l->n = l->cap = 0;
}

/* Records a warning for font_set_warning. */
static void warn(font_set *fs, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void warn(font_set *fs, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	font_strlist_add(&fs->warnings, msg);
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
static void add_names(font_strlist *l, char *value)
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
		if (*name)
			font_strlist_add(l, name);
		if (!end)
			break;
		p = end + skip;
	}
}

/* Reads the whole of roles.conf into *out (NUL-terminated, heap). */
static font_error read_conf(const char *path, char **out, char *errbuf, size_t errlen)
{
	size_t len;
	int e = file_read(path, CONF_MAX_BYTES, out, &len);
	if (e != 0) {
		*out = NULL;
		font_set_err(errbuf, errlen, "无法读取字体配置 %s：%s", path,
		             errno_text(e));
		return FONT_ERR_CONF;
	}
	return FONT_OK;
}

static void role_conf_free(role_conf conf[FONT_ROLE_COUNT])
{
	for (int r = 0; r < FONT_ROLE_COUNT; r++) {
		free(conf[r].family);
		font_strlist_free(&conf[r].fonts);
		font_strlist_free(&conf[r].match);
		font_strlist_free(&conf[r].dropins);
	}
}

/* Parses one "key = value" line of the section of role into rc; FONT_ERR_CONF with a message for a bad line. */
static font_error parse_key(const char *path, int lineno, font_role role, char *line, role_conf *rc, char *errbuf,
                            size_t errlen)
{
	char *eq = strchr(line, '=');
	char *key, *value;

	if (!eq) {
		font_set_err(errbuf, errlen, "%s:%d: 应写成“键 = 值”", path, lineno);
		return FONT_ERR_CONF;
	}
	*eq = '\0';
	key = trim(line);
	value = trim(eq + 1);
	if (*value == '\0') {
		font_set_err(errbuf, errlen, "%s:%d: “%s”没有值", path, lineno, key);
		return FONT_ERR_CONF;
	}
	if (strcmp(key, "family") == 0) {
		if (rc->family) {
			font_set_err(errbuf, errlen, "%s:%d: 角色“%s”的 family 重复", path, lineno, font_role_name(role));
			return FONT_ERR_CONF;
		}
		rc->family = xstrdup(value);
	} else if (strcmp(key, "font") == 0) {
		font_strlist_add(&rc->fonts, value);
	} else if (strcmp(key, "match") == 0) {
		add_names(&rc->match, value);
	} else if (strcmp(key, "latin") == 0) {
		if (strcmp(value, "yes") == 0 || strcmp(value, "是") == 0) {
			rc->latin = true;
		} else if (strcmp(value, "no") == 0 || strcmp(value, "否") == 0) {
			rc->latin = false;
		} else {
			font_set_err(errbuf, errlen, "%s:%d: latin 的值应为 yes 或 no，而不是“%s”", path, lineno, value);
			return FONT_ERR_CONF;
		}
	} else {
		font_set_err(errbuf, errlen, "%s:%d: 未知的键“%s”（可用：family、font、match、latin）", path, lineno, key);
		return FONT_ERR_CONF;
	}
	return FONT_OK;
}

/* Parses roles.conf into conf[]: "[角色]" sections of "key = value" lines, "#" comment lines. */
static font_error parse_conf(const char *path, role_conf conf[FONT_ROLE_COUNT], char *errbuf, size_t errlen)
{
	char *text, *line, *next;
	int lineno = 0;
	int cur = -1;
	font_error err = read_conf(path, &text, errbuf, errlen);

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
				font_set_err(errbuf, errlen, "%s:%d: 段标题应写成“[角色]”", path, lineno);
				continue;
			}
			*close = '\0';
			if (!font_role_from_name(trim(line + 1), &role)) {
				font_set_err(errbuf, errlen, "%s:%d: 未知的字体角色“%s”（可用：宋体、黑体、仿宋、楷体、小标宋、西文）",
				        path, lineno, trim(line + 1));
				continue;
			}
			if (conf[role].seen) {
				font_set_err(errbuf, errlen, "%s:%d: 角色“%s”重复（第 %d 行已有）", path, lineno, font_role_name(role),
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
			font_set_err(errbuf, errlen, "%s:%d: “%s”不在任何 [角色] 段内", path, lineno, trim(line));
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
			font_set_err(errbuf, errlen, "%s: 缺少角色“%s”的段落 [%s]", path, font_role_name((font_role)r), font_role_name((font_role)r));
			return FONT_ERR_CONF;
		}
		if (!conf[r].family) {
			font_set_err(errbuf, errlen, "%s:%d: 角色“%s”缺少 family（写入 docx/xlsx 的字体名）", path, conf[r].line,
			        font_role_name((font_role)r));
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
		memcpy(out, spec, plen);
		out[plen] = '\0';
	} else {
		size_t dlen = strlen(dir);
		out = xmalloc(dlen + 1 + plen + 1);
		memcpy(out, dir, dlen);
		out[dlen] = '/';
		memcpy(out + dlen + 1, spec, plen);
		out[dlen + 1 + plen] = '\0';
	}
	return out;
}

/* ---------------------------------------------------------------- dropped-in fonts */

/* Decodes a name-table entry to UTF-8 in out; false for encodings it does not read (legacy CJK code pages). */
static bool decode_name(const FT_SfntName *nm, char *out, size_t buflen)
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
			o += utf8_encode(u, out + o);
		}
	} else if (nm->platform_id == TT_PLATFORM_MACINTOSH && nm->encoding_id == TT_MAC_ID_ROMAN) {
		for (FT_UInt i = 0; i < nm->string_len; i++) {
			if (nm->string[i] == 0 || nm->string[i] >= 0x80 || o + 2 > buflen)
				return false;
			out[o++] = (char)nm->string[i];
		}
	} else {
		return false;
	}
	out[o] = '\0';
	return o > 0;
}

static bool in_list(const font_strlist *l, const char *name)
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
static bool listed_in_conf(const char *dir, const char *file, const role_conf conf[FONT_ROLE_COUNT])
{
	size_t dlen = strlen(dir);
	for (int r = 0; r < FONT_ROLE_COUNT; r++) {
		for (size_t i = 0; i < conf[r].fonts.n; i++) {
			int index;
			char *p = resolve_spec(dir, conf[r].fonts.items[i], &index);
			bool same = strncmp(p, dir, dlen) == 0 && p[dlen] == '/' && strcmp(p + dlen + 1, file) == 0;
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
		bool any = false;
		FT_Error e;
		struct stat st;

		if (stat(path, &st) != 0 || !S_ISREG(st.st_mode)) {
			/* a pipe or device named *.ttf would block FreeType's open: not a font file */
			warn(fs, "%s：不是普通文件，已忽略", path);
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
			warn(fs, "%s：%s，已忽略", path, font_ft_reason(e));
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
				font_strlist_add(&conf[r].dropins, spec);
			}
		}
		if (err == FONT_OK && !any && !listed_in_conf(dir, file, conf))
			warn(fs, "%s：名称与任何角色的 match 都不符，未使用（见 fonts/README.md）", path);
		free(path);
	}
	for (int k = 0; k < n; k++)
		free(list[k]);
	free(list);
	if (err == FONT_ERR_NOMEM)
		font_set_err(errbuf, errlen, "内存不足（扫描 %s 中的字体）", dir);
	return err;
}

/* ---------------------------------------------------------------- resolving roles */

/* "#n" for face n > 0 of a collection, "" for face 0: how a font is named in messages. */
static const char *index_suffix(int index, char out[16])
{
	out[0] = '\0';
	if (index > 0)
		snprintf(out, 16, "#%d", index);
	return out;
}

/* Opens the candidates of one role in order (drop-ins, then "font =" lines). A role left without a face adds
 * its part of the error to missing. */
static font_error resolve_role(font_set *fs, font_role role, const char *dir, const role_conf *rc, buf *missing)
{
	role_info *ri = &fs->roles[role];
	buf tried = {0};
	const font_strlist *lists[2] = {&rc->dropins, &rc->fonts};

	for (int l = 0; l < 2; l++) {
		for (size_t i = 0; i < lists[l]->n; i++) {
			char reason[256], suffix[16];
			int index;
			uint8_t slot;
			char *path = resolve_spec(dir, lists[l]->items[i], &index);
			add_result res = font_add_face(fs, path, index, &slot, reason, sizeof reason);

			switch (res) {
			case ADD_OK:
				font_chain_add(ri->faces, &ri->nfaces, slot);
				break;
			case ADD_ABSENT:
			case ADD_UNUSABLE:
				buf_printf(&tried, "%s%s%s：%s", tried.len ? "；" : "", path, index_suffix(index, suffix),
				           reason);
				if (res == ADD_UNUSABLE)
					warn(fs, "字体角色“%s”：%s%s：%s，已跳过", font_role_name(role), path,
					     index_suffix(index, suffix), reason);
				break;
			case ADD_NOMEM:
				free(path);
				buf_free(&tried);
				return FONT_ERR_NOMEM;
			}
			free(path);
		}
	}
	if (ri->nfaces == 0) {
		if (tried.len)
			buf_printf(missing, "%s字体角色“%s”没有可用的 TrueType 字体（已尝试：%s）",
			           missing->len ? "\n" : "", font_role_name(role), tried.data);
		else
			buf_printf(missing, "%s字体角色“%s”没有可用的 TrueType 字体（roles.conf 中没有 font 行）",
			           missing->len ? "\n" : "", font_role_name(role));
	}
	buf_free(&tried);
	return FONT_OK;
}

font_error font_set_open(font_set **out, const char *conf_path, char *errbuf, size_t errlen)
{
	role_conf conf[FONT_ROLE_COUNT];
	font_set *fs;
	char *dir;
	const char *slash = strrchr(conf_path, '/');
	buf missing = {0};
	font_error err;

	*out = NULL;
	memset(conf, 0, sizeof conf);
	fs = xcalloc(1, sizeof *fs);
	if (slash) {
		size_t n = slash == conf_path ? 1 : (size_t)(slash - conf_path);
		dir = xmalloc(n + 1);
		memcpy(dir, conf_path, n);
		dir[n] = '\0';
	} else {
		dir = xstrdup(".");
	}
	if (FT_Init_FreeType(&fs->ft) != 0) {
		fs->ft = NULL;
		err = FONT_ERR_NOMEM;
		font_set_err(errbuf, errlen, "内存不足（初始化 FreeType）");
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
			font_set_err(errbuf, errlen, "内存不足（打开字体）");
			goto fail;
		}
		ri->latin = conf[r].latin && font_role_is_cjk((font_role)r);
		ri->family = xstrdup(conf[r].family);
		ri->pick = xcalloc(FONT_CACHED_CPS, 1);
	}
	if (missing.len) {
		err = FONT_ERR_NO_FONT;
		font_set_err(errbuf, errlen, "%s", missing.data);
		goto fail;
	}
	font_build_chains(fs);
	buf_free(&missing);
	role_conf_free(conf);
	free(dir);
	*out = fs;
	return FONT_OK;

fail:
	buf_free(&missing);
	role_conf_free(conf);
	free(dir);
	font_set_free(fs);
	return err;
}
