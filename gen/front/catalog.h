/* catalog.h — the classification catalogues of layouts/catalog/: 支出功能分类 (类 3 digits, 款 5,
 * 项 7) and 部门预算支出经济分类 (类 3, 款 5) code → name, and the fixed rows of the 收支总表's
 * 支出 column. Plain text files read at run time, so users extend them for their year without
 * recompiling. Used by the resolver (unknown codes, names that disagree) and by compose. */
#ifndef BUDGETGEN_CATALOG_H
#define BUDGETGEN_CATALOG_H

#include <stddef.h>

#include "base/util.h"

typedef struct catalog_entry {
	const char *code;
	const char *name;
} catalog_entry;

/* One row of the 收支总表's 支出 column: "一、一般公共服务支出" is {"一", "201", "一般公共服务支出"}. */
typedef struct catalog_summary_row {
	const char *ordinal; /* 一 … 三十一 */
	const char *code;    /* 类 code, or "" (人行科目) */
	const char *name;
} catalog_summary_row;

typedef struct catalog {
	const catalog_entry *func;  /* sorted by code */
	size_t nfunc;
	const catalog_entry *econ;  /* sorted by code */
	size_t necon;
	const catalog_summary_row *summary;
	size_t nsummary;
} catalog;

/* Reads dir/功能分类.txt, dir/经济分类.txt, dir/收支总表.txt and any dir/功能分类-*.txt,
 * dir/经济分类-*.txt (merged in name order; a later line for a code replaces the name). Returns
 * NULL with "file:line: message" in err on a problem. Everything lives in arena a. */
const catalog *catalog_load(arena *a, const char *dir, char *err, size_t errlen);

/* The same from three texts in memory (for tests and fuzzing): the contents of 功能分类.txt,
 * 经济分类.txt and 收支总表.txt, named so in messages. */
const catalog *catalog_parse_text(arena *a, const char *func_text, size_t func_len,
                                  const char *econ_text, size_t econ_len, const char *summary_text,
                                  size_t summary_len, char *err, size_t errlen);

/* Name of a code, or NULL when the catalogue does not know it. */
const char *catalog_func_name(const catalog *c, const char *code);
const char *catalog_econ_name(const catalog *c, const char *code);

#endif
