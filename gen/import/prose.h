/* prose.h — the figures of an imported 情况说明 back into {references}: the source is loaded by the
 * front end, and a prose figure that equals exactly one computed figure becomes that reference;
 * any other stays a number with a `# 导入：` comment. Internal to gen/import/. */
#ifndef BUDGETGEN_IMPORT_PROSE_H
#define BUDGETGEN_IMPORT_PROSE_H

#include "base/util.h"
#include "import/import_int.h"

/* Rewrites the 【情况说明】 of the source text in src (written by write.c) in place. */
void imp_prose_references(idept *d, buf *src);

#endif
