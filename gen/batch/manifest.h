/* manifest.h — what `budgetgen build` keeps in OUT/.budgetgen/ per department, and the lock on
 * that directory. Used by build.c only.
 *   <部门目录>.manifest  per department: its source, the key of everything it was read from, and
 *                        per output file the key of what it was made from, its size and mtime, the
 *                        characters no font could draw; then the department's messages as printed
 *   <部门目录>.journal   exists only while a department's files are being replaced (txn.h)
 *   hashes               content hashes of big files (hashcache.h)
 * The directory itself is locked (flock) by the one build writing into OUT. */
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
	int64_t file_size;  /* that file's size and mtime when it was read (to delete it only if it */
	int64_t file_mtime_ns; /* is still that file) */
	char *source;       /* real path of the department's source */
	char *given;        /* the source path as given on the command line (messages quote it) */
	char *name;         /* the department's name */
	char *dir;          /* its directory, relative to OUT */
	hash_digest key;    /* of its input files, resources and the program (build.c: dept_key) */
	char **inputs;      /* the files it was read from (source, then includes), as the parser
	                     * opened them: made absolute, not resolved (an include through a
	                     * symlink is the symlink) */
	size_t ninputs;
	manifest_output *outputs;
	size_t noutputs;
	char *messages;     /* its diagnostics from the last check, as printed */
	size_t nmessages;
} manifest;

/* Reads a manifest; false when it is missing or not a manifest of this version (then it is as
 * good as none: everything is rebuilt). Also false, with *why saying it in Chinese, when it is
 * damaged or names what a build must not touch: a directory that is not one name in OUT, an
 * output outside it ("..", absolute) or with a negative size; it is then never acted on. */
bool manifest_read(const char *path, manifest *m, const char **why);
void manifest_format(const manifest *m, buf *out);
void manifest_free(manifest *m);

/* ---- the lock ------------------------------------------------------------------------------------ */

/* Takes the lock of OUT/.budgetgen (creating the directory), waiting while another build holds it
 * (after calling wait_note, when not NULL). Returns the held fd, or -1 with errno set. */
int manifest_lock(const char *state_dir, void (*wait_note)(void));

#endif
