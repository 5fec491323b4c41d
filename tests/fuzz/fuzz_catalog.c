/* fuzz_catalog.c — libFuzzer harness for the classification catalogues (layouts/catalog): the
 * input is 功能分类.txt, 经济分类.txt and 收支总表.txt separated by the byte 0x1E, parsed with
 * catalog_parse_text. A catalogue that loads must find every code it holds; then the budget data
 * of tests/fuzz/dept.txt (parsed once) is resolved against it. Run from the repository root. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front/catalog.h"
#include "base/diag.h"
#include "front/parse.h"
#include "front/resolve.h"
#include "base/util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static arena *dept_arena;
static diag_ctx *dept_diag;
static const ast_department *dept;
static FILE *sink;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	dept_arena = arena_new();
	dept_diag = diag_new();
	dept = parse_department(dept_arena, dept_diag, "tests/fuzz/dept.txt");
	sink = fopen("/dev/null", "w");
	if (!dept || !sink || diag_count(dept_diag, DIAG_ERROR)) {
		diag_flush(dept_diag, stderr);
		exit(2);
	}
	return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const char *p[3] = {"", "", ""};
	size_t n[3] = {0, 0, 0};
	const char *s = (const char *)data, *end = s + size;
	for (int i = 0; i < 3; i++) {
		const char *sep = i < 2 ? memchr(s, 0x1E, (size_t)(end - s)) : NULL;
		p[i] = s;
		n[i] = (size_t)((sep ? sep : end) - s);
		if (!sep)
			break;
		s = sep + 1;
	}
	arena *a = arena_new();
	char err[1024];
	const catalog *c = catalog_parse_text(a, p[0], n[0], p[1], n[1], p[2], n[2], err, sizeof err);
	if (c) {
		for (size_t i = 0; i < c->nfunc; i++)
			if (!catalog_func_name(c, c->func[i].code))
				abort();
		for (size_t i = 0; i < c->necon; i++)
			if (!catalog_econ_name(c, c->econ[i].code))
				abort();
		diag_ctx *d = diag_new();
		resolve_department_with(a, d, dept, c);
		diag_flush(d, sink);
		diag_free(d);
	}
	arena_free(a);
	return 0;
}
