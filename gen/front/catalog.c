/* catalog.c — reads and looks up the classification catalogues (catalog.h). Lines are
 * "编码<blank>名称"; # starts a comment; later lines override earlier ones. */
#include "front/catalog.h"

#include <dirent.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

enum { CATALOG_MAX_FILE = 4 << 20 };

typedef struct entries {
	catalog_entry *items;
	size_t n, cap;
} entries;

static bool all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return n > 0;
}

/* Splits one line into up to max blank-separated fields (the last takes the rest). */
static int split_fields(char *line, char **f, int max)
{
	int n = 0;
	char *s = line;
	while (n < max) {
		while (*s == ' ' || *s == '\t')
			s++;
		if (!*s)
			break;
		f[n++] = s;
		if (n == max)
			break;
		while (*s && *s != ' ' && *s != '\t')
			s++;
		if (*s)
			*s++ = '\0';
	}
	if (n) { /* trim the last field */
		char *e = f[n - 1] + strlen(f[n - 1]);
		while (e > f[n - 1] && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\r'))
			*--e = '\0';
	}
	return n;
}

/* Parses a code list held in data (len bytes, NUL-terminated, modified in place); a summary list
 * when `summary` is not NULL. path names it in messages. */
static bool parse_list(arena *a, const char *path, char *data, size_t len, entries *out,
                       catalog_summary_row **summary, size_t *nsummary, char *err, size_t errlen)
{
	size_t cap = 0;
	int lineno = 0;
	bool ok = true;
	for (char *s = data; s < data + len && ok;) {
		lineno++;
		char *nl = memchr(s, '\n', (size_t)(data + len - s));
		if (nl)
			*nl = '\0';
		char *hash = strchr(s, '#');
		if (hash)
			*hash = '\0';
		char *f[3];
		int n = split_fields(s, f, summary ? 3 : 2);
		if (n > 0) {
			if (summary) {
				if (n != 3 || (strcmp(f[1], "-") != 0 && !all_digits(f[1], strlen(f[1])))) {
					snprintf(err, errlen, "%s:%d: 应为“序号 类编码 名称”（无编码写 -）", path, lineno);
					ok = false;
					break;
				}
				catalog_summary_row *r = vec_push(a, summary, nsummary, &cap, sizeof *r);
				r->ordinal = arena_strdup(a, f[0]);
				r->code = strcmp(f[1], "-") == 0 ? "" : arena_strdup(a, f[1]);
				r->name = arena_strdup(a, f[2]);
			} else {
				size_t cl = strlen(f[0]);
				if (n != 2 || !all_digits(f[0], cl) || (cl != 3 && cl != 5 && cl != 7)) {
					snprintf(err, errlen, "%s:%d: 应为“编码 名称”，编码为 3、5 或 7 位数字", path,
					         lineno);
					ok = false;
					break;
				}
				catalog_entry *ce = vec_push(a, &out->items, &out->n, &out->cap, sizeof *ce);
				ce->code = arena_strdup(a, f[0]);
				ce->name = arena_strdup(a, f[1]);
			}
		}
		if (!nl)
			break;
		s = nl + 1;
	}
	return ok;
}

/* Reads a code list; a summary list when `summary` is not NULL. */
static bool read_list(arena *a, const char *path, entries *out, catalog_summary_row **summary,
                      size_t *nsummary, char *err, size_t errlen)
{
	char *data;
	size_t len;
	int e = file_read(path, CATALOG_MAX_FILE, &data, &len);
	if (e) {
		snprintf(err, errlen, "%s: 无法读取科目表：%s", path, errno_text(e));
		return false;
	}
	bool ok = parse_list(a, path, data, len, out, summary, nsummary, err, errlen);
	free(data);
	return ok;
}

static int entry_cmp(const void *pa, const void *pb)
{
	const catalog_entry *a = pa, *b = pb;
	return strcmp(a->code, b->code);
}

/* Sorts by code keeping, for equal codes, the entry read last. */
static void sort_unique(entries *e)
{
	/* stable order of reading: index as tie-breaker, by a merge of sorted copies */
	for (size_t i = 1; i < e->n; i++) { /* insertion sort is fine for a few thousand codes */
		catalog_entry x = e->items[i];
		size_t j = i;
		while (j > 0 && strcmp(e->items[j - 1].code, x.code) > 0) {
			e->items[j] = e->items[j - 1];
			j--;
		}
		e->items[j] = x;
	}
	size_t k = 0;
	for (size_t i = 0; i < e->n; i++) {
		if (k && strcmp(e->items[k - 1].code, e->items[i].code) == 0)
			e->items[k - 1] = e->items[i]; /* the later line wins */
		else
			e->items[k++] = e->items[i];
	}
	e->n = k;
}

static int name_cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Reads dir/base.txt then dir/base-*.txt in name order into e. */
static bool read_family(arena *a, const char *dir, const char *base, entries *e, char *err,
                        size_t errlen)
{
	char *path = arena_printf(a, "%s/%s.txt", dir, base);
	if (!read_list(a, path, e, NULL, NULL, err, errlen))
		return false;
	DIR *dp = opendir(dir);
	if (!dp)
		return true;
	char **names = NULL;
	size_t n = 0;
	size_t blen = strlen(base);
	struct dirent *ent;
	while ((ent = readdir(dp)) != NULL) {
		size_t len = strlen(ent->d_name);
		if (len > blen + 5 && strncmp(ent->d_name, base, blen) == 0 && ent->d_name[blen] == '-' &&
		    strcmp(ent->d_name + len - 4, ".txt") == 0) {
			names = xrealloc(names, (n + 1) * sizeof *names);
			names[n++] = arena_strdup(a, ent->d_name);
		}
	}
	closedir(dp);
	if (n)
		qsort(names, n, sizeof *names, name_cmp);
	bool ok = true;
	for (size_t i = 0; i < n && ok; i++)
		ok = read_list(a, arena_printf(a, "%s/%s", dir, names[i]), e, NULL, NULL, err, errlen);
	free(names);
	return ok;
}

/* The catalogue of the lists read: sorted, later names winning. */
static const catalog *make_catalog(arena *a, entries *func, entries *econ,
                                   const catalog_summary_row *rows, size_t nrows)
{
	catalog *c = arena_alloc(a, sizeof *c);
	sort_unique(func);
	sort_unique(econ);
	c->func = func->items;
	c->nfunc = func->n;
	c->econ = econ->items;
	c->necon = econ->n;
	c->summary = rows;
	c->nsummary = nrows;
	return c;
}

const catalog *catalog_load(arena *a, const char *dir, char *err, size_t errlen)
{
	entries func = {0}, econ = {0};
	if (!read_family(a, dir, "功能分类", &func, err, errlen) ||
	    !read_family(a, dir, "经济分类", &econ, err, errlen))
		return NULL;
	catalog_summary_row *rows = NULL;
	size_t nrows = 0;
	if (!read_list(a, arena_printf(a, "%s/收支总表.txt", dir), NULL, &rows, &nrows, err, errlen))
		return NULL;
	return make_catalog(a, &func, &econ, rows, nrows);
}

const catalog *catalog_parse_text(arena *a, const char *func_text, size_t func_len,
                                  const char *econ_text, size_t econ_len, const char *summary_text,
                                  size_t summary_len, char *err, size_t errlen)
{
	entries func = {0}, econ = {0};
	catalog_summary_row *rows = NULL;
	size_t nrows = 0;
	if (!parse_list(a, "功能分类.txt", arena_strndup(a, func_text, func_len), func_len, &func, NULL,
	                NULL, err, errlen) ||
	    !parse_list(a, "经济分类.txt", arena_strndup(a, econ_text, econ_len), econ_len, &econ, NULL,
	                NULL, err, errlen) ||
	    !parse_list(a, "收支总表.txt", arena_strndup(a, summary_text, summary_len), summary_len,
	                NULL, &rows, &nrows, err, errlen))
		return NULL;
	return make_catalog(a, &func, &econ, rows, nrows);
}

static const char *lookup(const catalog_entry *items, size_t n, const char *code)
{
	if (!n) /* an empty list has no array: bsearch must not see NULL */
		return NULL;
	catalog_entry key = {code, NULL};
	const catalog_entry *e = bsearch(&key, items, n, sizeof *items, entry_cmp);
	return e ? e->name : NULL;
}

const char *catalog_func_name(const catalog *c, const char *code)
{
	return lookup(c->func, c->nfunc, code);
}

const char *catalog_econ_name(const catalog *c, const char *code)
{
	return lookup(c->econ, c->necon, code);
}
