/* load.c — expands PATH arguments into department source files and loads one department
 * (parse + resolve) into its own arena (load.h). */
#define _GNU_SOURCE /* memmem */
#include "front/load.h"

#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "front/lex.h"
#include "front/parse.h"
#include "front/resolve.h"

/* Where includes may reach (see sources_find): the directories of --include-dir, and for each
 * source found the tree of the argument it was found under. Process-wide, like the catalogue:
 * set up before loading, freed by sources_release. */
typedef struct source_root {
	char *path;  /* the source as sources_find listed it */
	char *shown; /* its argument's directory as written */
	char *real;  /* and resolved */
} source_root;
static source_root *roots;
static size_t nroots;
static char **include_dirs; /* resolved */
static size_t ninclude_dirs;

static void remember_root(const char *path, const char *shown, const char *real)
{
	roots = xrealloc(roots, (nroots + 1) * sizeof *roots);
	roots[nroots++] = (source_root){xstrdup(path), xstrdup(shown), xstrdup(real)};
}

int sources_allow_include_dir(const char *dir)
{
	struct stat st;
	if (stat(dir, &st) != 0)
		return errno;
	if (!S_ISDIR(st.st_mode))
		return ENOTDIR;
	char *real = realpath(dir, NULL);
	if (!real)
		return errno;
	include_dirs = xrealloc(include_dirs, (ninclude_dirs + 1) * sizeof *include_dirs);
	include_dirs[ninclude_dirs++] = real;
	return 0;
}

size_t sources_include_dir_count(void)
{
	return ninclude_dirs;
}

const char *sources_include_dir(size_t i)
{
	return include_dirs[i];
}

static void push(source_list *l, const char *path)
{
	l->paths = xrealloc(l->paths, (l->n + 1) * sizeof *l->paths);
	l->paths[l->n++] = xstrdup(path);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* A department source names its department: some line is the field 部门： (or an alias), as the
 * lexer sees it — after a byte order mark, blanks, with either colon. */
static bool is_department_source(const char *path)
{
	char *data;
	size_t len;
	if (file_read(path, (size_t)LEX_MAX_FILE_MB << 20, &data, &len) != 0)
		return true; /* let the loader report it */
	/* The lexer classifies each line on its own, so the header — the lines up to the first one
	 * with a 【 — is lexed first, where 部门： is written; the whole file only when it is not
	 * there (a build of a county lexes a hundred sources here before anything else). */
	const char *mark = memmem(data, len, "【", strlen("【"));
	const char *nl = mark ? memchr(mark, '\n', len - (size_t)(mark - data)) : NULL;
	size_t head = nl ? (size_t)(nl - data) + 1 : len;
	bool found = false;
	for (int pass = 0; pass < 2 && !found; pass++) {
		size_t n = pass == 0 ? head : len;
		if (pass == 1 && head == len)
			break;
		diag_ctx *quiet = diag_new();
		arena *a = arena_new();
		lex_result lr = lex_file(a, quiet, diag_add_file(quiet, path, data, n));
		for (size_t i = 0; i < lr.n && !found; i++)
			found = lr.lines[i].kind == LINE_FIELD && lr.lines[i].key == KW_DEPT;
		arena_free(a);
		diag_free(quiet);
	}
	free(data);
	return found;
}

/* A directory being walked, and the one it is in: a symbolic link back to one of them (a loop,
 * which would otherwise be followed until paths grow too long, finding every file again at each
 * level) is not entered again. */
typedef struct walk_dir {
	dev_t dev;
	ino_t ino;
	const struct walk_dir *up;
} walk_dir;

static void walk(source_list *l, diag_ctx *d, const char *dir, const walk_dir *up,
                 const char *top, const char *top_real)
{
	struct stat dst;
	if (stat(dir, &dst) != 0) {
		diag_report(d, (srcloc){0}, D_FILE_READ, dir, errno_text(errno));
		return;
	}
	for (const walk_dir *w = up; w; w = w->up)
		if (w->dev == dst.st_dev && w->ino == dst.st_ino)
			return;
	walk_dir self = {dst.st_dev, dst.st_ino, up};
	DIR *dp = opendir(dir);
	if (!dp) {
		diag_report(d, (srcloc){0}, D_FILE_READ, dir, errno_text(errno));
		return;
	}
	source_list here = {0};
	struct dirent *e;
	while ((e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		size_t n = strlen(dir) + strlen(e->d_name) + 2;
		char *path = xmalloc(n);
		snprintf(path, n, "%s%s%s", dir, ends_with(dir, "/") ? "" : "/", e->d_name);
		push(&here, path);
		free(path);
	}
	closedir(dp);
	qsort(here.paths, here.n, sizeof *here.paths, cmp_str);
	for (size_t i = 0; i < here.n; i++) {
		struct stat st;
		if (stat(here.paths[i], &st) != 0)
			continue;
		if (S_ISDIR(st.st_mode)) {
			walk(l, d, here.paths[i], &self, top, top_real);
		} else if (ends_with(here.paths[i], ".txt") && is_department_source(here.paths[i])) {
			push(l, here.paths[i]);
			if (top_real)
				remember_root(here.paths[i], top, top_real);
		}
	}
	sources_free(&here);
}

void sources_find(source_list *out, diag_ctx *d, char *const *args, size_t nargs)
{
	for (size_t i = 0; i < nargs; i++) {
		struct stat st;
		if (stat(args[i], &st) != 0) {
			diag_report(d, (srcloc){0}, D_FILE_READ, args[i], errno_text(errno));
			continue;
		}
		if (S_ISDIR(st.st_mode)) {
			char *real = realpath(args[i], NULL);
			walk(out, d, args[i], NULL, args[i], real);
			free(real);
		} else {
			push(out, args[i]);
		}
	}
}

void sources_free(source_list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->paths[i]);
	free(l->paths);
	l->paths = NULL;
	l->n = 0;
}

/* The installed data directory: the Makefile compiles PREFIX/share/budgetgen into this file
 * alone (and rebuilds it when PREFIX changes). */
#ifndef BUDGETGEN_DATADIR
#define BUDGETGEN_DATADIR "/usr/local/share/budgetgen"
#endif

/* The paths found beside the executable or under BUDGETGEN_DATADIR, one slot per name asked for
 * (the program asks for three); static, so that the lookup allocates nothing. */
enum { DATA_PATH_MAX = 4096, DATA_SLOTS = 8 };
static struct {
	const char *name;
	char path[DATA_PATH_MAX];
} data_slots[DATA_SLOTS];

/* "DIR/name" with DIR the directory of the running executable; false when /proc/self/exe cannot
 * be read or the path does not fit. */
static bool beside_exe(char *out, size_t size, const char *name)
{
	char exe[DATA_PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0)
		return false;
	exe[n] = '\0';
	char *slash = strrchr(exe, '/');
	if (!slash)
		return false;
	*slash = '\0';
	int w = snprintf(out, size, "%s/%s", exe, name);
	return w > 0 && (size_t)w < size;
}

const char *sources_data_path(const char *given, const char *name)
{
	struct stat st;
	if (given)
		return given;
	if (stat(name, &st) == 0)
		return name;
	size_t i = 0;
	while (i < DATA_SLOTS && data_slots[i].name && strcmp(data_slots[i].name, name) != 0)
		i++;
	if (i == DATA_SLOTS)
		return name; /* more names than slots: not found, and reported under its own name */
	if (!data_slots[i].name) {
		char *p = data_slots[i].path;
		if (!beside_exe(p, DATA_PATH_MAX, name) || stat(p, &st) != 0)
			snprintf(p, DATA_PATH_MAX, "%s/%s", BUDGETGEN_DATADIR, name);
		data_slots[i].name = name;
	}
	return data_slots[i].path;
}

/* The catalogues are read once per process, the first time a source needs them. */
static const char *catalog_dir;
static arena *catalog_arena;
static const catalog *catalog_loaded;
static char catalog_error[1024];

void sources_set_catalog_dir(const char *dir)
{
	catalog_dir = dir;
}

void sources_release(void)
{
	for (size_t i = 0; i < nroots; i++) {
		free(roots[i].path);
		free(roots[i].shown);
		free(roots[i].real);
	}
	free(roots);
	roots = NULL;
	nroots = 0;
	for (size_t i = 0; i < ninclude_dirs; i++)
		free(include_dirs[i]);
	free(include_dirs);
	include_dirs = NULL;
	ninclude_dirs = 0;
	arena_free(catalog_arena);
	catalog_arena = NULL;
	catalog_loaded = NULL;
	catalog_error[0] = '\0';
}

const char *sources_catalog_dir(void)
{
	return sources_data_path(catalog_dir, "layouts/catalog");
}

static const catalog *sources_catalog(diag_ctx *d)
{
	if (!catalog_loaded && !catalog_error[0]) {
		const char *dir = sources_catalog_dir();
		catalog_arena = arena_new();
		catalog_loaded = catalog_load(catalog_arena, dir, catalog_error, sizeof catalog_error);
		if (!catalog_loaded && !catalog_error[0])
			snprintf(catalog_error, sizeof catalog_error, "%s: 无法读取", dir);
	}
	if (!catalog_loaded)
		diag_report(d, (srcloc){0}, D_CATALOG_ERROR, catalog_error);
	return catalog_loaded;
}

/* The directories path's includes may reach: its argument's tree (the first, named in messages),
 * its own directory, and every --include-dir. */
static const parse_roots *include_roots(arena *a, const char *path)
{
	const char **real = arena_alloc(a, (nroots + ninclude_dirs + 2) * sizeof *real);
	size_t n = 0;
	const char *shown = NULL;
	for (size_t i = 0; i < nroots; i++) {
		if (strcmp(roots[i].path, path) == 0) {
			real[n++] = roots[i].real;
			if (!shown)
				shown = roots[i].shown;
		}
	}
	const char *slash = strrchr(path, '/');
	char *dir = slash ? arena_strndup(a, path, slash == path ? 1 : (size_t)(slash - path))
	                  : arena_strdup(a, ".");
	char *r = realpath(dir, NULL);
	if (r) {
		real[n++] = arena_strdup(a, r);
		free(r);
	}
	if (!shown)
		shown = dir;
	for (size_t i = 0; i < ninclude_dirs; i++)
		real[n++] = include_dirs[i];
	parse_roots *pr = arena_alloc(a, sizeof *pr);
	*pr = (parse_roots){real, n, shown};
	return pr;
}

department_load department_load_file(diag_ctx *d, const char *path)
{
	department_load l = {0};
	size_t before = diag_count(d, DIAG_ERROR);
	l.arena = arena_new();
	ast_department *ast = parse_department_in(l.arena, d, path, include_roots(l.arena, path));
	if (ast)
		l.model = resolve_department_with(l.arena, d, ast, ast->nsections ? sources_catalog(d) : NULL);
	l.errors = diag_count(d, DIAG_ERROR) - before;
	return l;
}

void department_load_free(department_load *l)
{
	arena_free(l->arena);
	l->arena = NULL;
	l->model = NULL;
}
