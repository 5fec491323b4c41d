/* dump.h — the resolved model as JSON (`budgetgen dump --json`), for tests and other tools.
 * Amounts are exact decimal strings ("90.00", "20.982") or null. A text of several paragraphs
 * (＋ lines) is one string with "\n" between them; keys for options left at their default
 * (intro, numbering, goal_cell) are omitted, so older sources dump as before. */
#ifndef BUDGETGEN_DUMP_H
#define BUDGETGEN_DUMP_H

#include "front/model.h"
#include "base/util.h"

void dump_json(buf *out, const model_department *m);

#endif
