/* hash.h — SHA-256 (FIPS 180-4), the content hash of incremental builds: source files, layouts,
 * fonts, the document IR of every output (dochash.h) and the keys in build manifests. A thin layer
 * over nettle's sha256 (which allocates nothing, and uses SHA-NI where the CPU has it), plus
 * framing and hex; any stage may include it. */
#ifndef BUDGETGEN_HASH_H
#define BUDGETGEN_HASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <nettle/sha2.h>

enum { HASH_BYTES = 32, HASH_HEX = 2 * HASH_BYTES + 1 };

typedef struct hash_digest {
	uint8_t b[HASH_BYTES];
} hash_digest;

/* A running hash: hash_init, any number of hash_update/hash_str/hash_u64, then hash_final. */
typedef struct hash_ctx {
	struct sha256_ctx sha;
} hash_ctx;

void hash_init(hash_ctx *c);
void hash_update(hash_ctx *c, const void *data, size_t n);
hash_digest hash_final(hash_ctx *c);

/* Unambiguous framing for structured input: a string is hashed with its length first (NULL as a
 * distinct marker), integers as 8 little-endian bytes, a digest as its 32 bytes. */
void hash_str(hash_ctx *c, const char *s);
void hash_u64(hash_ctx *c, uint64_t v);
void hash_digest_add(hash_ctx *c, const hash_digest *d);

hash_digest hash_bytes(const void *data, size_t n);
bool hash_equal(const hash_digest *a, const hash_digest *b);
/* 64 lowercase hex digits and a NUL. */
void hash_hex(const hash_digest *d, char out[HASH_HEX]);
/* Parses 64 hex digits (no more, no less); false when s is not such a string. */
bool hash_parse_hex(const char *s, size_t n, hash_digest *out);

#endif
