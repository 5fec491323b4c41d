/* dochash.h — a stable SHA-256 of a document IR (doc.h): every field that an emitter can see,
 * strings by content, styles by value, never a pointer. Two documents with the same hash give the
 * same bytes from every back end (with the same fonts, templates and program), so the build driver
 * uses it as the key of each output (build.c, manifest.h). Included by build.c and tests. */
#ifndef BUDGETGEN_DOCHASH_H
#define BUDGETGEN_DOCHASH_H

#include "doc/doc.h"
#include "base/hash.h"

/* Keep in step with doc.h: a field added there must be hashed in dochash.c. */
hash_digest doc_hash(const doc_document *doc);

#endif
