/* test_flate.c — libharu's Flate streams served by libdeflate (gen/emit/libharu/flate.c): this program, like
 * budgetgen, has flate.o linked in, so its deflateInit_/deflate/deflateEnd calls reach the shim
 * exactly as libharu's do. Every stream is read back with zlib's own inflate and compared with
 * its input, for inputs like libharu's (a content stream, a font subset, a CIDToGIDMap, nothing)
 * fed and drained in pieces of many sizes; the bytes must be libdeflate's at level 6 (the shim
 * is really in use) and the counters and Adler-32 as zlib keeps them. Streams the shim does not
 * take — level 0, deflateInit2_ — must still be zlib's, and the calls zlib answers with an error
 * must get the same error. */
#include <libdeflate.h>
#include <stdint.h>
#include <stdlib.h>
#include <zlib.h>

#include "unit.h"

/* Inflates a zlib (window_bits 15) or raw (-15) stream; the length, or -1. */
static long inflate_all(const uint8_t *in, size_t n, uint8_t *out, size_t cap, int window_bits)
{
	z_stream z = {0};
	if (inflateInit2(&z, window_bits) != Z_OK)
		return -1;
	z.next_in = (Bytef *)in;
	z.avail_in = (uInt)n;
	z.next_out = out;
	z.avail_out = (uInt)cap;
	int r = inflate(&z, Z_FINISH);
	long len = r == Z_STREAM_END && z.avail_in == 0 ? (long)z.total_out : -1;
	inflateEnd(&z);
	return len;
}

/* Deflates data as libharu does — deflateInit_, Z_NO_FLUSH for each `chunk` bytes of input,
 * Z_FINISH until Z_STREAM_END — with `room` bytes of output space per call. Returns the
 * compressed length, or -1 when a call did not answer as zlib would. */
static long deflate_like_libharu(const uint8_t *data, size_t n, size_t chunk, size_t room,
                                 uint8_t *out, size_t cap, z_stream *zs)
{
	z_stream z = {0};
	if (deflateInit(&z, Z_DEFAULT_COMPRESSION) != Z_OK)
		return -1;
	size_t got = 0;
	for (size_t at = 0; at < n; at += chunk) {
		z.next_in = (Bytef *)data + at;
		z.avail_in = (uInt)(n - at < chunk ? n - at : chunk);
		while (z.avail_in) {
			z.next_out = out + got;
			z.avail_out = (uInt)room;
			if (deflate(&z, Z_NO_FLUSH) != Z_OK)
				return -1;
			got += room - z.avail_out;
		}
	}
	for (int r = Z_OK; r != Z_STREAM_END;) {
		if (got + room > cap)
			return -1;
		z.next_out = out + got;
		z.avail_out = (uInt)room;
		r = deflate(&z, Z_FINISH);
		if (r != Z_OK && r != Z_STREAM_END)
			return -1;
		got += room - z.avail_out;
	}
	*zs = z;
	return deflateEnd(&z) == Z_OK ? (long)got : -1;
}

static void test_round_trips(void)
{
	enum { N = 140000 };
	static uint8_t content[N], font[N], map[131070], out[2 * N], back[2 * N];
	/* a page's content stream: operators and numbers */
	size_t clen = 0;
	for (int i = 0; clen + 64 < N; i++)
		clen += (size_t)snprintf((char *)content + clen, 64, "BT /F1 10.5 Tf %d.%02d 712.4 Td <%04X> Tj ET\n",
		                         72 + i % 400, i % 100, 0x4E00 + i * 37 % 20000);
	/* a font subset: bytes with little repetition */
	uint32_t x = 12345;
	for (size_t i = 0; i < N; i++) {
		x = x * 1103515245u + 12345u;
		font[i] = (uint8_t)(i % 7 == 0 ? (x >> 16) : (x >> 24) & 0x3F);
	}
	/* a CIDToGIDMap: 65,535 big-endian glyph ids, almost all 0 */
	for (int i = 0; i < 300; i++) {
		size_t cp = 0x4E00 + (size_t)i * 67;
		map[2 * cp] = (uint8_t)(i >> 8);
		map[2 * cp + 1] = (uint8_t)(i + 1);
	}
	struct {
		const char *name;
		const uint8_t *data;
		size_t len;
	} inputs[] = {
		{"nothing", content, 0},     {"one byte", content, 1},       {"content", content, clen},
		{"font subset", font, N},    {"CIDToGIDMap", map, sizeof map},
	};
	struct libdeflate_compressor *c = libdeflate_alloc_compressor(6);
	static uint8_t want[2 * N];
	const size_t chunks[] = {1, 4096, N};
	const size_t rooms[] = {1, 7, 4096, 2 * N};
	for (size_t i = 0; i < sizeof inputs / sizeof *inputs; i++) {
		unit_context = inputs[i].name;
		size_t wlen = libdeflate_zlib_compress(c, inputs[i].data, inputs[i].len, want, sizeof want);
		for (size_t ci = 0; ci < 3; ci++)
			for (size_t ri = 0; ri < 4; ri++) {
				if (inputs[i].len > 20000 && (chunks[ci] == 1 || rooms[ri] == 1))
					continue; /* byte by byte: the small inputs show it */
				z_stream z;
				long got = deflate_like_libharu(inputs[i].data, inputs[i].len, chunks[ci], rooms[ri],
				                                out, sizeof out, &z);
				if (!CHECK(got > 0))
					continue;
				CHECK_INT_EQ(got, wlen);
				CHECK(memcmp(out, want, wlen) == 0);
				CHECK_INT_EQ(z.total_in, inputs[i].len);
				CHECK_INT_EQ(z.total_out, got);
				CHECK_INT_EQ(z.adler, adler32(1, inputs[i].data, (uInt)inputs[i].len));
				long back_len = inflate_all(out, (size_t)got, back, sizeof back, MAX_WBITS);
				CHECK_INT_EQ(back_len, inputs[i].len);
				CHECK(back_len >= 0 && memcmp(back, inputs[i].data, inputs[i].len) == 0);
			}
	}
	unit_context = NULL;
	/* compress() goes through deflateInit_ too */
	uLongf n = sizeof out;
	CHECK_INT_EQ(compress(out, &n, font, N), Z_OK);
	CHECK_INT_EQ(inflate_all(out, n, back, sizeof back, MAX_WBITS), N);
	CHECK(memcmp(back, font, N) == 0);
	libdeflate_free_compressor(c);
}

/* Streams the shim leaves to zlib, and calls answered as zlib answers them. */
static void test_zlib_streams_and_errors(void)
{
	static uint8_t data[50000], out[60000], back[60000];
	for (size_t i = 0; i < sizeof data; i++)
		data[i] = (uint8_t)("机关运行经费保障"[i % 24] ^ (i / 24 % 3));

	/* level 0 (stored): zlib's, recognisable by its stored blocks, larger than the input */
	uLongf n = sizeof out;
	CHECK_INT_EQ(compress2(out, &n, data, sizeof data, 0), Z_OK);
	CHECK(n > sizeof data);
	CHECK_INT_EQ(inflate_all(out, n, back, sizeof back, MAX_WBITS), sizeof data);

	/* deflateInit2_ (a raw stream, as libzip and minizip make): zlib's, fed in pieces */
	z_stream z = {0};
	CHECK_INT_EQ(deflateInit2(&z, 6, Z_DEFLATED, -MAX_WBITS, 8, Z_DEFAULT_STRATEGY), Z_OK);
	size_t got = 0;
	for (size_t at = 0; at < sizeof data; at += 1000) {
		z.next_in = data + at;
		z.avail_in = 1000;
		z.next_out = out + got;
		z.avail_out = (uInt)(sizeof out - got);
		CHECK_INT_EQ(deflate(&z, Z_NO_FLUSH), Z_OK);
		got = z.total_out;
	}
	z.next_out = out + got;
	z.avail_out = (uInt)(sizeof out - got);
	CHECK_INT_EQ(deflate(&z, Z_FINISH), Z_STREAM_END);
	CHECK_INT_EQ(deflateEnd(&z), Z_OK);
	CHECK_INT_EQ(inflate_all(out, z.total_out, back, sizeof back, -MAX_WBITS), sizeof data);
	CHECK(memcmp(back, data, sizeof data) == 0);

	/* errors on a stream of the shim's */
	z_stream s = {0};
	CHECK_INT_EQ(deflateInit_(&s, 6, "0.9", (int)sizeof s), Z_VERSION_ERROR);
	CHECK_INT_EQ(deflateInit_(&s, 6, ZLIB_VERSION, (int)sizeof s - 1), Z_VERSION_ERROR);
	CHECK_INT_EQ(deflateInit(&s, 6), Z_OK);
	uint8_t small[64];
	s.next_out = small;
	s.avail_out = sizeof small;
	CHECK_INT_EQ(deflate(&s, Z_NO_FLUSH), Z_BUF_ERROR); /* no input: no progress possible */
	s.next_in = data;
	s.avail_in = 10;
	CHECK_INT_EQ(deflate(&s, Z_SYNC_FLUSH), Z_STREAM_ERROR); /* a flush libharu never asks for */
	CHECK_INT_EQ(deflateReset(&s), Z_STREAM_ERROR);           /* zlib's, refusing the shim's state */
	CHECK_INT_EQ(deflate(&s, Z_NO_FLUSH), Z_OK);
	CHECK_INT_EQ(s.avail_in, 0);
	CHECK_INT_EQ(deflateEnd(&s), Z_DATA_ERROR); /* ended before Z_FINISH, as zlib says it */
	CHECK(s.state == NULL);

	/* Z_FINISH with no room left: no progress, then the rest */
	CHECK_INT_EQ(deflateInit(&s, 6), Z_OK);
	s.next_in = data;
	s.avail_in = 5000;
	s.next_out = small;
	s.avail_out = 0;
	CHECK_INT_EQ(deflate(&s, Z_FINISH), Z_BUF_ERROR);
	s.avail_out = sizeof small;
	CHECK_INT_EQ(deflate(&s, Z_FINISH), Z_OK);
	CHECK_INT_EQ(s.total_out, sizeof small);
	s.next_in = data;
	s.avail_in = 1;
	CHECK_INT_EQ(deflate(&s, Z_FINISH), Z_STREAM_ERROR); /* input after Z_FINISH */
	CHECK_INT_EQ(deflateEnd(&s), Z_DATA_ERROR);          /* output not all taken */
}

int main(void)
{
	test_round_trips();
	test_zlib_streams_and_errors();
	return unit_report();
}
