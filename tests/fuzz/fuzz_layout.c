/* fuzz_layout.c — libFuzzer harness for layout files: the input is parsed as document.layout and
 * as a table layout (layout_parse_text). What parses is then used: a document layout replaces the
 * page setups and styles of the real layouts/, a table layout replaces the real table that shares
 * most row names with it, and the booklet and first project sheet of tests/fuzz/dept.txt (every
 * budget table, one project) are composed and paginated with the real fonts — so impossible
 * widths, spans, sizes and templates are exercised all the way to page layout. Run from the
 * repository root. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "doc/compose.h"
#include "base/diag.h"
#include "text/font.h"
#include "doc/layouts.h"
#include "emit/paginate.h"
#include "front/load.h"
#include "base/util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static arena *init_arena; /* what the harness loads once (kept reachable: no leak report) */

static const layout_set *real;
static font_set *fonts;
static const model_department *dept;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	char err[2048];
	init_arena = arena_new();
	real = layout_load(init_arena, "layouts", err, sizeof err);
	if (!real || font_set_open(&fonts, "fonts/roles.conf", err, sizeof err) != FONT_OK) {
		fprintf(stderr, "fuzz_layout: %s\n", err);
		exit(2);
	}
	diag_ctx *d = diag_new();
	static department_load l;
	l = department_load_file(d, "tests/fuzz/dept.txt");
	if (!l.model || l.errors) {
		diag_flush(d, stderr);
		exit(2);
	}
	dept = l.model;
	diag_free(d);
	return 0;
}

/* How many row names two tables share. */
static size_t shared_rows(const layout_table *a, const layout_table *b)
{
	size_t n = 0;
	for (size_t i = 0; i < a->nrows; i++)
		n += layout_row_find(b, a->rows[i].name) != NULL;
	return n;
}

static void compose_all(arena *a, const layout_set *l)
{
	char err[1024];
	const doc_document *doc = compose_booklet(a, dept, l, err, sizeof err);
	if (doc)
		paginate(a, fonts, doc);
	doc = dept->nprojects ? compose_project(a, dept, 0, l, err, sizeof err) : NULL;
	if (doc)
		paginate(a, fonts, doc);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *text = (const char *)data;
	char err[1024];
	arena *a = arena_new();
	const layout_set *doc = layout_parse_text(a, "document.layout", text, size, err, sizeof err);
	const layout_set *tab = layout_parse_text(a, "fuzz.layout", text, size, err, sizeof err);
	if (doc || tab) {
		layout_set *l = arena_alloc(a, sizeof *l);
		*l = *real;
		if (doc) {
			l->portrait = doc->portrait;
			l->landscape = doc->landscape;
			l->page_number_format = doc->page_number_format;
			l->page_number_style = doc->page_number_style;
			l->styles = doc->styles;
			l->nstyles = doc->nstyles;
		}
		if (tab && tab->ntables == 1) {
			size_t best = 0, best_n = 0;
			for (size_t i = 0; i < real->ntables; i++) {
				size_t n = shared_rows(&tab->tables[0], &real->tables[i]);
				if (n > best_n)
					best = i, best_n = n;
			}
			if (best_n) {
				layout_table *t = arena_alloc(a, real->ntables * sizeof *t);
				memcpy(t, real->tables, real->ntables * sizeof *t);
				t[best] = tab->tables[0];
				t[best].name = real->tables[best].name;
				l->tables = t;
			}
		}
		compose_all(a, l);
	}
	arena_free(a);
	return 0;
}
