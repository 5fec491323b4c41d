/* load.h — finds department sources: PATH arguments that are files or directories (searched
 * recursively for *.txt; a .txt without a 部门： line is a fragment for 包含： and is skipped).
 * Also the one entry point that loads a department: parse + resolve with its own arena. */
#ifndef BUDGETGEN_SOURCES_H
#define BUDGETGEN_SOURCES_H

#include <stddef.h>

#include "base/diag.h"
#include "front/model.h"
#include "base/util.h"

typedef struct source_list {
	char **paths; /* heap strings, sorted within each directory argument */
	size_t n;
} source_list;

/* Expands the arguments. Unreadable paths are reported through d (no location). Each source
 * found remembers the tree of its argument (a directory argument, or the directory of a file
 * argument): department_load_file lets its 包含： reach only into that tree, the directory of the
 * source itself and the directories allowed by sources_allow_include_dir. */
void sources_find(source_list *out, diag_ctx *d, char *const *args, size_t nargs);
/* Allows 包含： to reach into dir and below (the --include-dir option). Returns 0, or an errno
 * value when dir cannot be resolved or is not a directory. */
int sources_allow_include_dir(const char *dir);
/* The directories allowed so far (real paths, in the order given): a build's key depends on them,
 * since a source that may include more may read more. */
size_t sources_include_dir_count(void);
const char *sources_include_dir(size_t i);
void sources_free(source_list *l);

/* One loaded department: everything lives in `arena`. model is NULL when the file is unreadable. */
typedef struct department_load {
	arena *arena;
	const model_department *model;
	size_t errors; /* errors reported for this department */
} department_load;

department_load department_load_file(diag_ctx *d, const char *path);

/* The one lookup of the program's data (layouts/, layouts/catalog, fonts/roles.conf): where
 * the data file or directory `name` (a relative path such as "layouts") is found. In order:
 * `given` (a command-line option) if not NULL; `name` in the working directory, as in a checkout;
 * `name` beside the executable (an uninstalled ./budgetgen run from elsewhere); else the installed
 * copy PREFIX/share/budgetgen/`name`, whether it exists or not. The result stays valid until exit. */
const char *sources_data_path(const char *given, const char *name);

/* The catalogue directory for budget data (default layouts/catalog); set before loading. */
void sources_set_catalog_dir(const char *dir);
/* The catalogue directory that loading will use (the build hashes it). */
const char *sources_catalog_dir(void);
/* Frees the catalogues read by department_load_file (at exit). */
void sources_release(void);
void department_load_free(department_load *l);

#endif
