/* hash.c — SHA-256 as specified in FIPS 180-4 (hash.h), written from the standard: the message
 * schedule, 64 rounds with the fractional parts of the cube roots of the first primes, padding
 * with the bit length. Plus framing helpers and hex conversion. */
#include "base/hash.h"

#include <string.h>

static const uint32_t k256[64] = {
	0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
	0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
	0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
	0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
	0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
	0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
	0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
	0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static uint32_t ror(uint32_t x, int n)
{
	return (x >> n) | (x << (32 - n));
}

static void compress(uint32_t h[8], const uint8_t *p)
{
	uint32_t w[64];
	for (int i = 0; i < 16; i++)
		w[i] = (uint32_t)p[4 * i] << 24 | (uint32_t)p[4 * i + 1] << 16 |
		       (uint32_t)p[4 * i + 2] << 8 | (uint32_t)p[4 * i + 3];
	for (int i = 16; i < 64; i++) {
		uint32_t s0 = ror(w[i - 15], 7) ^ ror(w[i - 15], 18) ^ (w[i - 15] >> 3);
		uint32_t s1 = ror(w[i - 2], 17) ^ ror(w[i - 2], 19) ^ (w[i - 2] >> 10);
		w[i] = w[i - 16] + s0 + w[i - 7] + s1;
	}
	uint32_t a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], k = h[7];
	for (int i = 0; i < 64; i++) {
		uint32_t t1 = k + (ror(e, 6) ^ ror(e, 11) ^ ror(e, 25)) + ((e & f) ^ (~e & g)) + k256[i] + w[i];
		uint32_t t2 = (ror(a, 2) ^ ror(a, 13) ^ ror(a, 22)) + ((a & b) ^ (a & c) ^ (b & c));
		k = g;
		g = f;
		f = e;
		e = d + t1;
		d = c;
		c = b;
		b = a;
		a = t1 + t2;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
	h[5] += f;
	h[6] += g;
	h[7] += k;
}

/* ---- the same compression with the x86 SHA extensions (SHA-NI), when the CPU has them ---------
 * About ten times faster: font files of tens of megabytes are hashed when a build meets them
 * first, and every source on every build. The state is kept as the instructions want it, ABEF and
 * CDGH; four rounds per group of four message words, the schedule with sha256msg1/msg2. */
#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>

__attribute__((target("sha,sse4.1,ssse3"))) static void compress_ni(uint32_t h[8], const uint8_t *p,
                                                                      size_t blocks)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bLL, 0x0405060700010203LL);
	__m128i tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[0]), 0xB1);
	__m128i cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)&h[4]), 0x1B);
	__m128i abef = _mm_alignr_epi8(tmp, cdgh, 8);
	cdgh = _mm_blend_epi16(cdgh, tmp, 0xF0);
	for (; blocks; blocks--, p += 64) {
		__m128i abef0 = abef, cdgh0 = cdgh, w[16];
		for (int i = 0; i < 16; i++) {
			if (i < 4)
				w[i] = _mm_shuffle_epi8(_mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
			else
				w[i] = _mm_sha256msg2_epu32(
					_mm_add_epi32(_mm_sha256msg1_epu32(w[i - 4], w[i - 3]),
				                  _mm_alignr_epi8(w[i - 1], w[i - 2], 4)),
					w[i - 1]);
			__m128i m = _mm_add_epi32(w[i], _mm_loadu_si128((const __m128i *)&k256[4 * i]));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, m);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(m, 0x0E));
		}
		abef = _mm_add_epi32(abef, abef0);
		cdgh = _mm_add_epi32(cdgh, cdgh0);
	}
	tmp = _mm_shuffle_epi32(abef, 0x1B);
	cdgh = _mm_shuffle_epi32(cdgh, 0xB1);
	_mm_storeu_si128((__m128i *)&h[0], _mm_blend_epi16(tmp, cdgh, 0xF0));
	_mm_storeu_si128((__m128i *)&h[4], _mm_alignr_epi8(cdgh, tmp, 8));
}

static bool have_sha_ni(void)
{
	static int known = -1;
	if (known < 0) {
		unsigned a, b, c, d;
		bool sse = __get_cpuid(1, &a, &b, &c, &d) && (c & bit_SSE4_1) && (c & bit_SSSE3);
		known = sse && __get_cpuid_count(7, 0, &a, &b, &c, &d) && (b & bit_SHA);
	}
	return known;
}
#define HAVE_COMPRESS_NI 1
#else
#define HAVE_COMPRESS_NI 0
#endif

/* Compresses whole blocks with the fastest implementation there is. */
static void compress_blocks(uint32_t h[8], const uint8_t *p, size_t blocks)
{
#if HAVE_COMPRESS_NI
	if (have_sha_ni() && !hash_portable_only) {
		compress_ni(h, p, blocks);
		return;
	}
#endif
	for (; blocks; blocks--, p += 64)
		compress(h, p);
}

bool hash_portable_only;

void hash_init(hash_ctx *c)
{
	static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
	                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
	memcpy(c->h, iv, sizeof iv);
	c->len = 0;
	c->fill = 0;
}

void hash_update(hash_ctx *c, const void *data, size_t n)
{
	const uint8_t *p = data;
	c->len += n;
	if (c->fill) {
		size_t k = 64 - c->fill < n ? 64 - c->fill : n;
		memcpy(c->block + c->fill, p, k);
		c->fill += k;
		p += k;
		n -= k;
		if (c->fill < 64)
			return;
		compress_blocks(c->h, c->block, 1);
		c->fill = 0;
	}
	compress_blocks(c->h, p, n / 64);
	p += n / 64 * 64;
	n %= 64;
	memcpy(c->block, p, n);
	c->fill = n;
}

hash_digest hash_final(hash_ctx *c)
{
	uint64_t bits = c->len * 8;
	uint8_t pad[72] = {0x80};
	size_t padlen = (c->fill < 56 ? 56 : 120) - c->fill;
	for (int i = 0; i < 8; i++)
		pad[padlen + (size_t)i] = (uint8_t)(bits >> (56 - 8 * i));
	hash_update(c, pad, padlen + 8);
	hash_digest d;
	for (int i = 0; i < 8; i++) {
		d.b[4 * i] = (uint8_t)(c->h[i] >> 24);
		d.b[4 * i + 1] = (uint8_t)(c->h[i] >> 16);
		d.b[4 * i + 2] = (uint8_t)(c->h[i] >> 8);
		d.b[4 * i + 3] = (uint8_t)c->h[i];
	}
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
