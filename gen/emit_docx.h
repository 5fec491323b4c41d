/* emit_docx.h — the Word back end: document IR (doc.h) + the page numbers of the shared layout
 * (paginate.h) → a .docx package, filled from the OOXML templates of layouts/docx with Mini-XML
 * and written with libzip. Receives the IR and the pages read-only; included by build.c. */
#ifndef BUDGETGEN_EMIT_DOCX_H
#define BUDGETGEN_EMIT_DOCX_H

#include <stddef.h>
#include <stdint.h>

#include "doc.h"
#include "font.h"
#include "paginate.h"

/* Writes the document as .docx to `path` (the build driver passes a temporary name in the final
   directory and renames it afterwards). Templates are read from templates_dir (layouts/docx).
   Returns 0, or -1 with a Chinese message in err naming the file and part on a template problem.
   Nothing is created at `path` unless the whole package was written. `epoch` (SOURCE_DATE_EPOCH)
   sets the document dates; < 0 writes 2000-01-01T00:00:00Z. Zip entry times are fixed, so the
   same input always gives the same bytes. `pages` may be NULL (no TOC page numbers, no row
   heights). */
int emit_docx(const doc_document *doc, const pg_result *pages, font_set *fonts, int64_t epoch,
              const char *templates_dir, const char *path, char *err, size_t errlen);

#endif
