/* resolve.h — the resolver: syntax tree → checked, immutable model (model.h). Parses amounts and
 * percentages exactly, canonicalises indicator names, resolves "same as above" cells, and runs
 * every check of docs/language.md section 6, reporting all problems through diag. */
#ifndef BUDGETGEN_RESOLVE_H
#define BUDGETGEN_RESOLVE_H

#include "front/ast.h"
#include "front/catalog.h"
#include "base/diag.h"
#include "front/model.h"
#include "base/util.h"

/* Always returns a model (fields that failed to resolve are blank); the caller decides from the
 * diag error count whether output may be produced. The model lives in arena a. */
const model_department *resolve_department(arena *a, diag_ctx *d, const ast_department *ast);

/* The same, with the classification catalogues that the budget-data sections are checked
 * against (budget.h); cat may be NULL when the source has no such sections. */
const model_department *resolve_department_with(arena *a, diag_ctx *d, const ast_department *ast,
                                                const catalog *cat);

#endif
