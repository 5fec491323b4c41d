/* xlsx.h — the Excel back end: the document IR (doc.h) → an .xlsx workbook via
 * libxlsxwriter. In the booklet's order, a worksheet per part of running text (整体绩效目标,
 * 情况说明; one paragraph per cell) and one per table with the layout's column widths, merges,
 * fonts and number formats, live SUM totals, the row heights of the shared layout engine
 * (paginate.h), its page breaks where the sheet does not fit on one page, frozen header rows and
 * a print setup from the section's page. Receives the IR and the pages read-only; included by build.c. */
#ifndef BUDGETGEN_EMIT_XLSX_H
#define BUDGETGEN_EMIT_XLSX_H

#include <stddef.h>
#include <stdint.h>

#include "doc/doc.h"
#include "text/font.h"
#include "emit/paginate.h"
#include "base/util.h"

/* Writes the document as a workbook to `path` (the build driver passes a temporary name in the
   final directory and renames it afterwards). Returns 0, or -1 with a Chinese message in err.
   `epoch` (SOURCE_DATE_EPOCH) is the workbook's creation date; < 0 writes a fixed date
   (2000-01-01), so the same input always gives the same bytes. */
int emit_xlsx(const doc_document *doc, const pg_result *pages, font_set *fonts, int64_t epoch,
              const char *path, char *err, size_t errlen);
/* The same workbook in memory: appended to out (the build driver writes it atomically). */
int emit_xlsx_buf(const doc_document *doc, const pg_result *pages, font_set *fonts, int64_t epoch,
                  buf *out, char *err, size_t errlen);

#endif
