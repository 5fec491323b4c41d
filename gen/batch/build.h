/* build.h — `budgetgen build`: for each department without errors, every output document
 * (booklet PDF, .xlsx, .docx, one PDF per project) whose inputs changed since the last build into
 * the same directory, rendered in parallel worker processes; a department's files are replaced
 * together (build.c, txn.h), so a department with errors or a failed render, or a build that
 * is interrupted, leaves its earlier outputs untouched. */
#ifndef BUDGETGEN_BUILD_H
#define BUDGETGEN_BUILD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/util.h"

typedef struct build_options {
	const char *out_dir;     /* default "out" */
	const char *layouts_dir; /* default: layouts/ beside the program, or the installed one */
	const char *fonts_conf;  /* default: fonts/roles.conf likewise */
	int64_t epoch;           /* SOURCE_DATE_EPOCH, or -1 */
	bool quiet;
	bool all_warnings;       /* print every warning (default: at most 10 of a kind per file) */
	int jobs;                /* -j: worker processes; 0 = build_default_jobs() */
	bool force;              /* -B: render every output even when it is up to date */
} build_options;

/* The CPUs this process may run on (taskset, cgroups), else the online CPUs. */
int build_default_jobs(void);

/* Runs the build over the given paths; returns the process exit status (0, 1, 3). */
int build_run(const build_options *opt, char *const *paths, size_t npaths);

/* Composes one department's booklet (project 0) or project sheet (1-based) and writes into out
 * either its tables as JSON (compose_dump_tables) or its laid-out pages as text (pg_dump_text).
 * Returns the exit status. */
int build_dump(const build_options *opt, const char *path, long project, bool tables, buf *out);

#endif
