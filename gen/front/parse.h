/* parse.h — the parser: a department source file (and the files it includes) → ast_department.
 * Structural errors are reported and parsing carries on, so that one run reports everything. */
#ifndef BUDGETGEN_PARSE_H
#define BUDGETGEN_PARSE_H

#include "front/ast.h"
#include "base/diag.h"
#include "base/util.h"

/* Reads and parses path. Returns NULL only when the file itself cannot be read (reported). The
 * tree and every string in it live in arena a; file contents are registered with d. A 包含：
 * may only name a file inside the directory of path (its subdirectories included). */
ast_department *parse_department(arena *a, diag_ctx *d, const char *path);

/* The directories a 包含： may reach: `real` are absolute paths without symbolic links
 * (realpath), the first one is named in the message when an include is refused. */
typedef struct parse_roots {
	const char *const *real;
	size_t n;
	const char *shown; /* the first directory as the user wrote it */
} parse_roots;

/* parse_department with the directories includes are confined to (n may be 0: none). */
ast_department *parse_department_in(arena *a, diag_ctx *d, const char *path, const parse_roots *roots);

/* Parses a source already in memory (for tests and fuzzing); `name` is used in messages. */
ast_department *parse_department_text(arena *a, diag_ctx *d, const char *name, const char *text,
                                      size_t len);

#endif
