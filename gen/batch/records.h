/* records.h — the line format shared by manifests (manifest.h), the hash cache (hashcache.h) and
 * journals (txn.h): one record per line, numbers and hashes first, then a path or text that
 * escapes backslash, newline, carriage return and tab. Used by batch/ only. */
#ifndef BUDGETGEN_RECORDS_H
#define BUDGETGEN_RECORDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/hash.h"
#include "base/util.h"

/* Appends s with \\ \n \r \t escaped. */
void rec_put_escaped(buf *b, const char *s);
/* Undoes rec_put_escaped on s[0..n); a heap string. */
char *rec_unescape(const char *s, size_t n);
/* Splits the next line off *p (up to end); returns it without the newline, or NULL at the end. */
const char *rec_next_line(const char **p, const char *end, size_t *len);
/* "word rest": true when line starts with word and a space; *rest is what follows. */
bool rec_field(const char *line, size_t len, const char *word, const char **rest, size_t *rlen);
/* Parses "N " (a signed decimal and a space) at *s; advances. */
bool rec_take_int(const char **s, const char *end, int64_t *out);
/* Parses 64 hex digits and a space at *s; advances. */
bool rec_take_hash(const char **s, const char *end, hash_digest *out);

/* Whether a path read from a state file may be acted on: relative (to OUT), with no empty, "." or
 * ".." component and no control character. Whether its directories are real directories rather
 * than symlinks is for the code that opens it to check (txn.c). */
bool rec_path_ok(const char *rel);

#endif
