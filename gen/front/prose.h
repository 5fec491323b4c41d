/* prose.h — checks of the words in paragraphs that need no figures: template text left in
 * ("XX", "××", "**", "增加（减少）"), a "主要原因是" with no reason after it, and a rate written
 * without "%". Called for the 情况说明 (budget.c), the 整体绩效目标 and 资金用途 (resolve.c). */
#ifndef BUDGETGEN_PROSE_H
#define BUDGETGEN_PROSE_H

#include "base/diag.h"
#include "base/util.h"
#include "front/ast.h"

void prose_check_words(arena *a, diag_ctx *d, const ast_str *para);

/* The column of byte offset `at` of para's text, for a message there. */
srcloc prose_loc(const ast_str *para, size_t at);

#endif
