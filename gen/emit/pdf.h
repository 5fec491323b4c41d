/* pdf.h — the PDF back end: laid-out pages (paginate.h) → a PDF file via libharu 2.3, with
 * one HarfBuzz subset per face, bookmarks, a clickable table of contents, page labels and fixed
 * document dates. Receives the IR and the pages read-only. */
#ifndef BUDGETGEN_EMIT_PDF_H
#define BUDGETGEN_EMIT_PDF_H

#include <stddef.h>
#include <stdint.h>

#include "doc/doc.h"
#include "text/font.h"
#include "emit/paginate.h"
#include "base/util.h"

/* Renders the document into out (the whole PDF file). Returns 0, or -1 with a Chinese message in
 * err. `epoch` (SOURCE_DATE_EPOCH) sets the document dates; < 0 writes none. */
int emit_pdf(const doc_document *doc, const pg_result *pages, font_set *fonts, int64_t epoch,
             buf *out, char *err, size_t errlen);

#endif
