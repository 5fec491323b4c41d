/* build_int.h — the build driver's state, shared by build.c (examine, schedule, commit) and
 * render.c (the jobs a worker runs). Not an interface for anything outside batch/build*.c and
 * batch/render.c. */
#ifndef BUDGETGEN_BUILD_INT_H
#define BUDGETGEN_BUILD_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/diag.h"
#include "base/hash.h"
#include "base/util.h"
#include "batch/build.h"
#include "batch/hashcache.h"
#include "batch/manifest.h"
#include "doc/doc.h"
#include "doc/layouts.h"
#include "front/load.h"
#include "text/font.h"

enum { EXIT_OK = 0, EXIT_INPUT = 1, EXIT_USAGE = 2, EXIT_IO = 3 };

/* One output file of a department being built. */
typedef struct output {
	char *rel;                  /* relative to OUT */
	hash_digest key;
	const manifest_output *old; /* the file as recorded, when it can be kept as it is */
	bool dirty;                 /* to be rendered */
	/* the rendering's result */
	bool done, failed;
	int fd;                     /* the new file, unnamed (or named tmp) until committed */
	char *tmp;
	int64_t size, mtime_ns;
	manifest_glyph *glyphs;
	size_t nglyphs;
	char *error;                /* why it failed */
	bool write_error;           /* D_WRITE_FAILED rather than D_RENDER_FAILED */
	/* a project's IR as composed (and hashed) by examine, kept for rendering: NULL when it must
	 * be composed again (see dept.kept) */
	arena *doc_arena;
	const doc_document *doc;
} output;

typedef enum dept_state {
	DEPT_UNCHANGED, /* nothing to do; messages from its manifest */
	DEPT_BUILD,     /* outputs to render or a manifest to update */
	DEPT_FAILED     /* errors: nothing is touched */
} dept_state;

typedef struct dept {
	const char *path;           /* as found */
	char *real;                 /* real path (NULL when unreadable) */
	dept_state state;
	int status;                 /* its exit status */
	manifest *own;              /* its manifest (by source path), or NULL */
	manifest *taken;            /* the manifest of its directory left by a source not in this build */
	hash_digest key;
	char *name, *dir;
	char **inputs;
	size_t ninputs;
	output *outs;
	size_t nouts;
	size_t jobs_left;
	buf text;                   /* its check messages, as printed (kept in the manifest) */
	buf render_text;            /* messages of rendering and writing */
	bool finished, printed, changed;
	size_t written, deleted;
	/* What examine composed, kept so that a department is composed once per build: the model
	 * (kept.model NULL: nothing kept, a worker loads and composes again) and the booklet's IR;
	 * the projects' in outs[].doc. Workers inherit it when they are forked, after examine; the
	 * documents rendered are then exactly those the manifest's keys were made from. */
	department_load kept;
	arena *booklet_arena;
	const doc_document *booklet;
} dept;

typedef struct builder {
	const build_options *opt;
	diag_ctx *d;                /* messages of the build as a whole */
	arena *la;
	const layout_set *layouts;
	font_set *fonts;
	const char *layouts_dir, *fonts_conf, *templates;
	char *state;                /* OUT/.budgetgen */
	int lock;                   /* fd holding its lock, or -1 */
	hash_cache *hashes;
	hash_digest program, fonts_key, templates_key, resources;
	manifest *manifests;
	size_t nmanifests;
	bool *manifest_used;
	dept *depts;
	size_t ndepts;
	char **claimed;             /* directories claimed in this build, by department */
	size_t nclaimed;
	int status;
	bool named_temps;           /* outputs go to closed named temporaries, not descriptors held
	                             * until the commit: too few descriptors (run_jobs) */
	size_t built, unchanged, failed, removed, written, deleted;
	size_t kept_bytes;          /* of every dept.kept, bounded by KEEP_BYTES_MAX (build.c) */
	/* the worker's cache: the department it loaded last */
	size_t cached;              /* index + 1, 0 for none */
	department_load cache_load;
	diag_ctx *cache_diag;
	/* printing */
	size_t next_print;
	bool tty;
	double start, last_draw;
	bool line_shown;
} builder;

/* The key of a loaded department, from the texts its parse read (diag's files). */
hash_digest build_loaded_key(const builder *b, const char *given, const diag_ctx *d);

#endif
