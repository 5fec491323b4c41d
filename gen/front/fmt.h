/* fmt.h — `budgetgen fmt`: rewrites a source in the canonical format of docs/language.md
 * (full-width colon after canonical field names, indicator rows joined by ｜ with "same as above"
 * cells left empty, one blank line before each section, comments kept). Works on the lexer's
 * lines, so it never loses text and never needs the file to be free of errors. */
#ifndef BUDGETGEN_FORMAT_H
#define BUDGETGEN_FORMAT_H

#include "base/diag.h"
#include "base/util.h"

/* Formats the registered file f into out. Formatting a formatted file changes nothing. */
void format_source(arena *a, diag_ctx *d, const src_file *f, buf *out);

#endif
