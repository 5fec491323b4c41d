/* hash.c — SHA-256 (hash.h) through nettle, the framing helpers and hex conversion. */
#include "base/hash.h"

#include <string.h>

void hash_init(hash_ctx *c)
{
	sha256_init(&c->sha);
}

void hash_update(hash_ctx *c, const void *data, size_t n)
{
	sha256_update(&c->sha, n, data);
}

hash_digest hash_final(hash_ctx *c)
{
	hash_digest d;
	sha256_digest(&c->sha, sizeof d.b, d.b); /* also starts c over, as hash_init would */
	return d;
}

void hash_u64(hash_ctx *c, uint64_t v)
{
	uint8_t b[8];
	for (int i = 0; i < 8; i++)
		b[i] = (uint8_t)(v >> (8 * i));
	hash_update(c, b, sizeof b);
}

void hash_str(hash_ctx *c, const char *s)
{
	if (!s) {
		hash_u64(c, UINT64_MAX);
		return;
	}
	size_t n = strlen(s);
	hash_u64(c, n);
	hash_update(c, s, n);
}

void hash_digest_add(hash_ctx *c, const hash_digest *d)
{
	hash_update(c, d->b, sizeof d->b);
}

hash_digest hash_bytes(const void *data, size_t n)
{
	hash_ctx c;
	hash_init(&c);
	hash_update(&c, data, n);
	return hash_final(&c);
}

bool hash_equal(const hash_digest *a, const hash_digest *b)
{
	return memcmp(a->b, b->b, sizeof a->b) == 0;
}

void hash_hex(const hash_digest *d, char out[HASH_HEX])
{
	static const char digits[] = "0123456789abcdef";
	for (int i = 0; i < HASH_BYTES; i++) {
		out[2 * i] = digits[d->b[i] >> 4];
		out[2 * i + 1] = digits[d->b[i] & 15];
	}
	out[2 * HASH_BYTES] = '\0';
}

static int hex_value(char ch)
{
	if (ch >= '0' && ch <= '9')
		return ch - '0';
	if (ch >= 'a' && ch <= 'f')
		return ch - 'a' + 10;
	if (ch >= 'A' && ch <= 'F')
		return ch - 'A' + 10;
	return -1;
}

bool hash_parse_hex(const char *s, size_t n, hash_digest *out)
{
	if (n != 2 * HASH_BYTES)
		return false;
	for (int i = 0; i < HASH_BYTES; i++) {
		int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return false;
		out->b[i] = (uint8_t)(hi << 4 | lo);
	}
	return true;
}
