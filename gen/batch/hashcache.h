/* hashcache.h — content hashes of files for the build's keys: a file or a directory tree hashed
 * now, and a cache (OUT/.budgetgen/hashes) for the big files. Used by build.c only. */
#ifndef BUDGETGEN_HASHCACHE_H
#define BUDGETGEN_HASHCACHE_H

#include <stdbool.h>
#include <stddef.h>

#include "base/hash.h"

/* Font files and the program are tens of megabytes: their hashes are remembered with the file's
 * device, inode, size, mtime and ctime, and computed again only when one of those changed. */
typedef struct hash_cache hash_cache;

hash_cache *hash_cache_load(const char *path);
/* The hash of a file's content (through the cache). Returns 0 or an errno value. */
int hash_cache_file(hash_cache *c, const char *path, hash_digest *out);
/* Writes the cache back (atomically) when save and something was added; frees it. */
void hash_cache_close(hash_cache *c, bool save);

/* Hash of a whole regular file of at most max bytes, read now. Returns 0 or an errno value
 * (EFBIG when larger, EISDIR, UTIL_ENOTREG for a FIFO or a device: it never blocks or reads for
 * ever). */
int hash_file(const char *path, size_t max, hash_digest *out);
/* Adds every regular file under dir (relative name and content, sorted by name) to c.
 * Returns 0 or an errno value. */
int hash_tree(hash_ctx *c, const char *dir);

#endif
