/* fuzz_source.c — libFuzzer harness for the front end: source bytes → lexer → parser → resolver
 * (with the real catalogues of layouts/catalog, loaded once) → `dump --json`, the diagnostics
 * printed (sorted, with quoted lines and carets) and the formatter (`budgetgen fmt`), whose output
 * must format to itself. Built by `make fuzz` (build/fuzz/fuzz_source); run from the repository
 * root, or set BUDGETGEN_CATALOG to the catalogue directory.
 *
 * 包含： lines read files relative to the working directory (tests/fuzz/run.sh runs the fuzzers
 * in an empty scratch directory). Inputs naming /dev/, /proc/ or /sys/ are skipped: including a
 * terminal or a FIFO would wait for input, which is not a bug of the parser. */
#define _GNU_SOURCE /* memmem */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "front/catalog.h"
#include "base/diag.h"
#include "dump.h"
#include "front/fmt.h"
#include "front/parse.h"
#include "front/resolve.h"
#include "base/util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static arena *init_arena; /* what the harness loads once (kept reachable: no leak report) */

static const catalog *cat;
static FILE *sink;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	const char *dir = getenv("BUDGETGEN_CATALOG");
	char err[1024];
	init_arena = arena_new();
	cat = catalog_load(init_arena, dir ? dir : "layouts/catalog", err, sizeof err);
	if (!cat) {
		fprintf(stderr, "fuzz_source: %s\n", err);
		exit(2);
	}
	sink = fopen("/dev/null", "w");
	if (!sink)
		exit(2);
	return 0;
}

static bool mentions(const uint8_t *data, size_t size, const char *s)
{
	return memmem(data, size, s, strlen(s)) != NULL;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (mentions(data, size, "/dev/") || mentions(data, size, "/proc/") ||
	    mentions(data, size, "/sys/"))
		return 0;
	const char *text = (const char *)data;
	/* check and dump */
	diag_ctx *d = diag_new();
	arena *a = arena_new();
	ast_department *ast = parse_department_text(a, d, "fuzz.txt", text, size);
	const model_department *m = resolve_department_with(a, d, ast, ast->nsections ? cat : NULL);
	buf json = {0};
	dump_json(&json, m);
	buf_free(&json);
	diag_flush(d, sink);
	arena_free(a);
	diag_free(d);
	/* fmt, twice: the second pass must not change anything */
	d = diag_new();
	a = arena_new();
	buf once = {0}, twice = {0};
	format_source(a, d, diag_add_file(d, "fuzz.txt", text, size), &once);
	bool clean = diag_count(d, DIAG_ERROR) == 0;
	diag_flush(d, sink);
	if (clean) {
		format_source(a, d, diag_add_file(d, "fmt.txt", once.data ? once.data : "", once.len),
		              &twice);
		if (diag_count(d, DIAG_ERROR) == 0 &&
		    (once.len != twice.len || (once.len && memcmp(once.data, twice.data, once.len) != 0))) {
			fprintf(stderr, "fuzz_source: fmt is not idempotent\n");
			abort();
		}
		diag_flush(d, sink);
	}
	buf_free(&once);
	buf_free(&twice);
	arena_free(a);
	diag_free(d);
	return 0;
}
