/* outputs.h — what a department's build makes: its booklet in three formats, then one PDF sheet
 * per project, each with its kind and its file name under OUT. Used by batch/ only. */
#ifndef BUDGETGEN_OUTPUTS_H
#define BUDGETGEN_OUTPUTS_H

#include <stddef.h>

#include "front/model.h"

/* Outputs 0 .. BOOKLET_OUTPUTS-1 are the booklet's files (one document, one layout): PDF, .xlsx,
 * .docx; project p's sheet is output BOOKLET_OUTPUTS + p. */
enum { BOOKLET_OUTPUTS = 3 };

/* The kinds of output, in a department's order. */
typedef enum out_kind { OUT_BOOKLET_PDF, OUT_BOOKLET_XLSX, OUT_BOOKLET_DOCX, OUT_PROJECT } out_kind;

/* "booklet.pdf" … "project.pdf": hashed into each output's key. */
const char *out_kind_name(out_kind k);
out_kind output_kind(size_t i);
size_t output_count(const model_department *m);

/* The department's directory, relative to OUT: "2025-汉沽管理区人力资源和社会保障局". Heap. */
char *output_department_dir(const model_department *m);
/* Output i of a department, relative to OUT: the three booklet files, then one sheet per project,
 * "项目/07-人才工作专项资金.pdf" (the number keeps the files in the booklet's order). Heap. */
char *output_name(const char *dir, const model_department *m, size_t i);

/* A file-name component from a title: characters no file system accepts become "_", at most
 * max_bytes bytes of whole UTF-8 characters. Heap string. */
char *build_safe_name(const char *title, size_t max_bytes);

#endif
