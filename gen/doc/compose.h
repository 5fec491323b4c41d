/* compose.h — model + layouts → document IR (doc.h). Knows what each document contains and in
 * which order (the booklet, the per-project sheet); knows nothing of PDF, Word or Excel. */
#ifndef BUDGETGEN_COMPOSE_H
#define BUDGETGEN_COMPOSE_H

#include "doc/doc.h"
#include "doc/layouts.h"
#include "front/model.h"
#include "base/util.h"

/* The department's booklet: cover, table of contents, 整体绩效目标, then every project table in
 * the seeds' order of parts (项目, then 公用). NULL on a layout problem (message in err). */
const doc_document *compose_booklet(arena *a, const model_department *m, const layout_set *l,
                                    char *err, size_t errlen);

/* One project's sheet: its table alone. */
const doc_document *compose_project(arena *a, const model_department *m, size_t project,
                                    const layout_set *l, char *err, size_t errlen);

/* The table of one project (shared by both documents above). */
const doc_table *compose_project_table(arena *a, const model_department *m, size_t project,
                                       const layout_set *l, char *err, size_t errlen);

/* Every table of doc as JSON: {"tables": [{"title", "kind", "note", "rows": [[cell text per grid
 * column, "" for empty or covered cells], …]}, …]}. For tests and `budgetgen dump --tables`. */
void compose_dump_tables(buf *out, const doc_document *doc);

#endif
