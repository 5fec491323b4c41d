/* docx.h — the Word back end: document IR (doc.h) + the page numbers of the shared layout
 * (paginate.h) → a .docx package, filled from the OOXML templates of layouts/docx with Mini-XML
 * and written with libzip. Receives the IR and the pages read-only; included by build.c. */
#ifndef BUDGETGEN_EMIT_DOCX_H
#define BUDGETGEN_EMIT_DOCX_H

#include <stddef.h>
#include <stdint.h>

#include "doc/doc.h"
#include "text/font.h"
#include "emit/paginate.h"
#include "base/util.h"

/* Writes the document as .docx to `path` (the build driver passes a temporary name in the final
   directory and renames it afterwards). Templates are read from templates_dir (layouts/docx).
   Returns 0, or -1 with a Chinese message in err naming the file and part on a template problem.
   Nothing is created at `path` unless the whole package was written. `epoch` (SOURCE_DATE_EPOCH)
   sets the document dates; < 0 writes 2000-01-01T00:00:00Z. Zip entry times are fixed, so the
   same input always gives the same bytes. `pages` may be NULL (no TOC page numbers, no row
   heights). */
int emit_docx(const doc_document *doc, const pg_result *pages, font_set *fonts, int64_t epoch,
              const char *templates_dir, const char *path, char *err, size_t errlen);
/* The same package in memory: appended to out (the build driver writes it atomically). */
int emit_docx_buf(const doc_document *doc, const pg_result *pages, font_set *fonts, int64_t epoch,
                  const char *templates_dir, buf *out, char *err, size_t errlen);

/* The template half of emit_docx, for fuzzing and tests: the parts come from memory — texts[i]
   of lens[i] bytes is the part emit_docx_part_name(i) — instead of templates_dir, which only names
   them in messages. They are loaded, checked and filled exactly as emit_docx does, and serialised,
   but no package is written. Returns 0, or -1 with the message emit_docx would give. */
size_t emit_docx_part_count(void);
const char *emit_docx_part_name(size_t i); /* "[Content_Types].xml", "word/document.xml" … */
int emit_docx_fill_parts(const doc_document *doc, const pg_result *pages, font_set *fonts,
                         const char *templates_dir, const char *const *texts, const size_t *lens,
                         char *err, size_t errlen);

#endif
