/* txn.h — how `budgetgen build` changes files safely: every file of OUT is replaced by renaming a
 * complete, fsynced file over it, and a department's set of renames is a transaction whose journal
 * (OUT/.budgetgen/<部门目录>.journal) the next build rolls forward or back. Used by build.c only. */
#ifndef BUDGETGEN_TXN_H
#define BUDGETGEN_TXN_H

#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"

/* A department's changes: new files (each an open, complete, fsynced file to be linked in or a
 * named temporary to be renamed), files to delete and directories to remove when empty. txn_run
 * writes the journal, links the new files to temporary names "FINAL.budgetgen-tmpN"
 * (file_temp_name), marks the journal committed, renames them over their final names, deletes,
 * and removes the journal. Killed before the mark, the next build rolls back (removes the
 * temporaries); after it, rolls forward. */
typedef struct txn txn;

/* root: OUT, which every path given to the txn_add_* functions and written to the journal is
 * relative to (whatever directory the build runs in); journal: the journal as this process names
 * it. */
txn *txn_new(const char *root, const char *journal);
/* A new file: fd is an unnamed (O_TMPFILE) file in final's directory, or -1 when tmp names a
 * temporary file there already (file_temp_name(final), relative to root like final). */
void txn_add_file(txn *t, int fd, const char *tmp, const char *final);
/* Deletes path if it is still the file that was recorded (same size and mtime; size < 0: any). */
void txn_add_delete(txn *t, const char *path, int64_t size, int64_t mtime_ns);
void txn_add_rmdir(txn *t, const char *dir);
/* Runs it. Returns 0, or an errno value with the failing path in err (then nothing changed when
 * the failure came before the commit mark, which is where disk-full errors come). A path that
 * leads outside root or through a symlinked directory fails it at once with ELOOP; so does a new
 * file's name taken by anything but a regular file (EISDIR for a directory), before anything
 * changes and with no journal left. */
int txn_run(txn *t, char *err, size_t errlen);
void txn_free(txn *t);

/* Finishes or undoes what an interrupted build left: every *.journal in state_dir, its paths
 * relative to out_dir. A journal naming a path outside out_dir, through a symlink, a temporary
 * that is not its file's or a delete of an unrecorded file is not acted on: reported to d
 * (D_STATE_DAMAGED) and removed. Returns the number of journals handled. */
size_t txn_recover(const char *out_dir, const char *state_dir, diag_ctx *d);

/* Removes stray temporaries "*.budgetgen-tmpN" (file_is_temp_name: from a build killed while
 * writing, when the file system has no O_TMPFILE) in out_dir's state dir (MANIFEST_DIR) and in
 * the department directories dirs (relative to out_dir, as manifests name them) and their 项目;
 * no other file, no other directory. Returns how many were removed. */
size_t txn_remove_strays(const char *out_dir, char *const *dirs, size_t ndirs);

/* The reason txn_run or txn_recover failed with e, in Chinese: ELOOP is a symlink on the way (the
 * transaction never follows one), not a loop. */
const char *txn_error_text(int e);

#endif
