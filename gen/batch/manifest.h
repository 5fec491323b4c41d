/* manifest.h — what `budgetgen build` keeps in OUT/.budgetgen/ between runs, and how it changes
 * files safely. Used by build.c only.
 *   <部门目录>.manifest  per department: its source, the key of everything it was read from, and
 *                        per output file the key of what it was made from, its size and mtime, the
 *                        characters no font could draw; then the department's messages as printed
 *   <部门目录>.journal   exists only while a department's files are being replaced (txn_run)
 *   hashes               content hashes of big files (fonts, the program) by stat identity
 * and the directory itself is locked (flock) by the one build writing into OUT.
 * Every file of OUT is replaced by renaming a complete, fsynced file over it; a department's set of
 * renames is a transaction whose journal is rolled forward or back by the next build. */
#ifndef BUDGETGEN_MANIFEST_H
#define BUDGETGEN_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hash.h"
#include "base/util.h"

#define MANIFEST_DIR ".budgetgen"

/* ---- manifests -------------------------------------------------------------------------------- */

/* A character of an output that no font could draw (the warning is repeated when it is reused). */
typedef struct manifest_glyph {
	uint32_t cp;
	int status;         /* font_glyph_status */
	char *context;      /* the text it occurs in */
} manifest_glyph;

typedef struct manifest_output {
	char *path;         /* relative to OUT: "2023-开发区组织人事局/项目/01-….pdf" */
	hash_digest key;    /* of everything the file was made from (build.c: output_key) */
	int64_t size;       /* as written */
	int64_t mtime_ns;
	manifest_glyph *glyphs;
	size_t nglyphs;
} manifest_output;

typedef struct manifest {
	char *file;         /* where it was read from (not stored in it) */
	char *source;       /* real path of the department's source */
	char *given;        /* the source path as given on the command line (messages quote it) */
	char *name;         /* the department's name */
	char *dir;          /* its directory, relative to OUT */
	hash_digest key;    /* of its input files, resources and the program (build.c: dept_key) */
	char **inputs;      /* real paths of the files it was read from: the source, then includes */
	size_t ninputs;
	manifest_output *outputs;
	size_t noutputs;
	char *messages;     /* its diagnostics from the last check, as printed */
	size_t nmessages;
} manifest;

/* Reads a manifest; false when it is missing or not a manifest of this version (then it is as
 * good as none: everything is rebuilt). */
bool manifest_read(const char *path, manifest *m);
void manifest_format(const manifest *m, buf *out);
void manifest_free(manifest *m);

/* ---- content hashes of big files ---------------------------------------------------------------- */

/* Font files and the program are tens of megabytes: their hashes are remembered with the file's
 * device, inode, size, mtime and ctime, and computed again only when one of those changed. */
typedef struct hash_cache hash_cache;

hash_cache *hash_cache_load(const char *path);
/* The hash of a file's content (through the cache). Returns 0 or an errno value. */
int hash_cache_file(hash_cache *c, const char *path, hash_digest *out);
/* Writes the cache back (atomically) when save and something was added; frees it. */
void hash_cache_close(hash_cache *c, bool save);

/* Hash of a whole file, read now. Returns 0 or an errno value. */
int hash_file(const char *path, hash_digest *out);
/* Adds every regular file under dir (relative name and content, sorted by name) to c.
 * Returns 0 or an errno value. */
int hash_tree(hash_ctx *c, const char *dir);

/* ---- transactions ------------------------------------------------------------------------------- */

/* A department's changes: new files (each an open, complete, fsynced file to be linked in or a
 * named temporary to be renamed), files to delete and directories to remove when empty. txn_run
 * writes the journal, links the new files to temporary names "FINAL.tmpPID", marks the journal
 * committed, renames them over their final names, deletes, and removes the journal. Killed before
 * the mark, the next build rolls back (removes the temporaries); after it, rolls forward. */
typedef struct txn txn;

txn *txn_new(const char *journal);
/* A new file: fd is an unnamed (O_TMPFILE) file in final's directory, or -1 when tmp names a
 * temporary file there already. */
void txn_add_file(txn *t, int fd, const char *tmp, const char *final);
/* Deletes path if it is still the file that was recorded (same size and mtime; size < 0: any). */
void txn_add_delete(txn *t, const char *path, int64_t size, int64_t mtime_ns);
void txn_add_rmdir(txn *t, const char *dir);
/* Runs it. Returns 0, or an errno value with the failing path in err (then nothing changed when
 * the failure came before the commit mark, which is where disk-full errors come). */
int txn_run(txn *t, char *err, size_t errlen);
void txn_free(txn *t);

/* Finishes or undoes what an interrupted build left: every *.journal in state_dir. Returns the
 * number of journals handled. */
size_t txn_recover(const char *state_dir);

/* Removes stray temporaries "*.tmpNNN" (from a build killed while writing, when the file system
 * has no O_TMPFILE) in out_dir's department directories and their 项目, and in the state dir.
 * Returns how many were removed. */
size_t manifest_remove_strays(const char *out_dir);

/* ---- files ----------------------------------------------------------------------------------- */

/* An unnamed file in dir for writing (O_TMPFILE), or, where the file system has none, a new file
 * named "final.tmpPID" (then *tmp is that heap string). Returns the fd, or -1 with errno set. */
int tmpfile_open(const char *dir, const char *final, char **tmp);
/* Writes all of data to fd and fsyncs it. Returns 0 or an errno value. */
int fd_write_all(int fd, const void *data, size_t len);
/* Takes the lock of OUT/.budgetgen (creating the directory), waiting while another build holds it
 * (after calling wait_note, when not NULL). Returns the held fd, or -1 with errno set. */
int manifest_lock(const char *state_dir, void (*wait_note)(void));

#endif
