/* import.h — `budgetgen import`: Word and Excel documents of one department (.docx, .xlsx; .doc,
 * .xls, .wps, .et through LibreOffice when it is installed) into one source in the canonical format
 * of `budgetgen fmt`, with a `# 导入：` comment wherever the importer normalised, mapped or could
 * not place something, and a short report of the same on stderr. */
#ifndef BUDGETGEN_IMPORT_H
#define BUDGETGEN_IMPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

typedef struct import_options {
	const char *out;   /* the source to write; NULL: standard output */
	bool blocks;       /* write the blocks read (a debugging view) instead of a source */
} import_options;

/* Imports paths[0..n) into one source. Returns the exit status: 0, 1 (a document could not be
 * read or held no department), 3 (the source could not be written). The report goes to report. */
int import_run(const import_options *opt, char *const *paths, size_t n, FILE *report);

#endif
