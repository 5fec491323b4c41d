/* bench_emit_xlsx.c — `make bench`: the Excel back end alone. Loads one department, composes its
 * booklet and lays it out once, then times emit_xlsx (writing the workbook to a temporary file)
 * over several runs and prints the median, minimum and maximum. Not a unit test: built by the
 * build/unit/% rule on demand (tests/bench.sh), not listed in UNIT_TESTS.
 * Usage: bench_emit_xlsx SOURCE [RUNS]   (from the repository root) */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "doc/compose.h"
#include "base/diag.h"
#include "emit/xlsx.h"
#include "doc/layouts.h"
#include "emit/paginate.h"
#include "front/load.h"

static double now_ms(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int by_value(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		fprintf(stderr, "usage: bench_emit_xlsx SOURCE [RUNS]\n");
		return 2;
	}
	int runs = argc > 2 ? atoi(argv[2]) : 10;
	if (runs < 1 || runs > 1000)
		runs = 10;
	char err[2048] = "";
	arena *la = arena_new();
	const layout_set *layouts = layout_load(la, "layouts", err, sizeof err);
	font_set *fonts = NULL;
	if (!layouts || font_set_open(&fonts, "fonts/roles.conf", err, sizeof err) != FONT_OK) {
		fprintf(stderr, "bench_emit_xlsx: %s\n", err);
		return 3;
	}
	diag_ctx *d = diag_new();
	department_load l = department_load_file(d, argv[1]);
	diag_free(d);
	if (!l.model || l.errors) {
		fprintf(stderr, "bench_emit_xlsx: %s does not load without errors\n", argv[1]);
		return 1;
	}
	arena *a = arena_new();
	const doc_document *doc = compose_booklet(a, l.model, layouts, err, sizeof err);
	if (!doc) {
		fprintf(stderr, "bench_emit_xlsx: %s\n", err);
		return 3;
	}
	const pg_result *pages = paginate(a, fonts, doc);
	size_t sheets = 0;
	for (size_t s = 0; s < doc->nsections; s++)
		for (size_t i = 0; i < doc->sections[s].nblocks; i++)
			sheets += doc->sections[s].blocks[i].kind == BLOCK_TABLE;
	char path[] = "/tmp/bench_emit_xlsx.XXXXXX";
	int fd = mkstemp(path);
	if (fd < 0) {
		perror("mkstemp");
		return 3;
	}
	close(fd);
	double *ms = calloc((size_t)runs, sizeof *ms);
	int status = 0;
	for (int i = 0; i < runs && !status; i++) {
		double t0 = now_ms();
		if (emit_xlsx(doc, pages, fonts, -1, path, err, sizeof err) != 0) {
			fprintf(stderr, "bench_emit_xlsx: %s\n", err);
			status = 3;
		}
		ms[i] = now_ms() - t0;
	}
	struct stat st;
	long bytes = stat(path, &st) == 0 ? (long)st.st_size : -1;
	unlink(path);
	if (!status) {
		qsort(ms, (size_t)runs, sizeof *ms, by_value);
		printf("%-52s %8.1fms %8.1fms %8.1fms\n", "time per workbook (emit_xlsx alone, median/min/max)",
		       ms[runs / 2], ms[0], ms[runs - 1]);
		printf("%-52s %9zu\n", "  its table sheets", sheets);
		printf("%-52s %9ld\n", "  workbook bytes", bytes);
	}
	free(ms);
	arena_free(a);
	department_load_free(&l);
	font_set_free(fonts);
	arena_free(la);
	return status;
}
