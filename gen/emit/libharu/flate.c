/* flate.c — the Flate streams of the PDFs, compressed with libdeflate instead of zlib.
 *
 * libharu 2.3 compresses every stream it writes (page contents, the embedded font subsets and
 * their 131,070-byte CIDToGIDMaps) through zlib: deflateInit_ at the default level, deflate with
 * Z_NO_FLUSH for each 4 KB of input, deflate with Z_FINISH until Z_STREAM_END, deflateEnd. That
 * was 37% of the time of a department's build. libdeflate compresses a whole buffer in one call,
 * about 1.5 times as fast as zlib at the same level and a little smaller (a 70 KB font subset:
 * 1.50 ms and 28,968 bytes at level 6, zlib 2.31 ms and 29,066 bytes; see README "Speed").
 *
 * This file defines deflateInit_, deflate and deflateEnd in the executable. The dynamic linker
 * binds every library's calls of these names to the executable's definitions, the way
 * budgetgen's malloc (util.c) serves every library. A stream begun with deflateInit_ at a level
 * of 1 to 9 or the default is collected whole — zlib's interface lets deflate keep input until
 * Z_FINISH — then compressed in one libdeflate_zlib_compress call at that level, and the output
 * (a zlib stream, header and Adler-32 included, as zlib's own) handed out as the caller's buffer
 * allows. Every other stream is zlib's: deflateInit_ at level 0, and every stream begun with
 * deflateInit2_, which this file does not define — the raw streams of the .xlsx and .docx
 * packages (minizip under libxlsxwriter, and libzip): on their repetitive XML libdeflate at the
 * same level is 5% larger than zlib (word/document.xml of a booklet: 52,451 bytes against
 * 49,945), for 2% of the build's time. deflate and deflateEnd pass zlib's streams on to zlib's
 * functions (dlsym RTLD_NEXT). A stream is ours when its state pointer is in the list of live
 * streams below, so zlib's private state is never looked into; and ours does not start with the
 * z_stream's address, so that a zlib function handed one of ours by mistake rejects it
 * (Z_STREAM_ERROR) instead of reading it. Flush modes other than Z_NO_FLUSH and Z_FINISH are
 * refused (Z_STREAM_ERROR); libharu uses no other. Each stream of ours is counted
 * (haru_fast.h). Written for libharu 2.3.0's use of zlib: any other version is refused at compile
 * time; make HARU_FAST=0 builds without this file. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <hpdf_version.h>
#include <libdeflate.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <zlib.h>

#include "base/util.h"
#include "emit/libharu/haru_fast.h"

#if HPDF_MAJOR_VERSION != 2 || HPDF_MINOR_VERSION != 3 || HPDF_BUGFIX_VERSION != 0
#error "flate.c relies on libharu 2.3.0's use of zlib only: build with make HARU_FAST=0"
#endif

/* One stream of ours: z_stream.state points at it. */
typedef struct flate_stream {
	uint64_t magic;            /* FLATE_MAGIC: never a z_stream's address */
	struct flate_stream *next; /* the list of live streams */
	int level;                 /* 1 … 9 */
	buf in;                    /* everything given so far */
	uint8_t *out;              /* the compressed stream, once finished */
	size_t out_len, out_pos;   /* its length, and how much has been handed out */
	bool finished;
} flate_stream;

#define FLATE_MAGIC UINT64_C(0x6275646765746666) /* "budgetff" */

static flate_stream *live;

/* One compressor per level, kept for the process: allocating one costs more than compressing
 * a small content stream. Freed at exit, for the leak checkers. */
static struct libdeflate_compressor *compressors[10];

static void free_compressors(void)
{
	for (int i = 0; i < 10; i++) {
		libdeflate_free_compressor(compressors[i]);
		compressors[i] = NULL;
	}
}

static struct libdeflate_compressor *compressor(int level)
{
	if (!compressors[level]) {
		static bool registered;
		if (!registered && atexit(free_compressors) == 0)
			registered = true;
		compressors[level] = libdeflate_alloc_compressor(level);
		if (!compressors[level])
			util_oom(); /* only fails when memory does */
	}
	return compressors[level];
}

static flate_stream *ours(z_streamp strm)
{
	if (!strm)
		return NULL;
	for (flate_stream *s = live; s; s = s->next)
		if ((void *)s == (void *)strm->state)
			return s;
	return NULL;
}

/* zlib's own functions, looked up once. */
static int (*zlib_init)(z_streamp, int, const char *, int);
static int (*zlib_deflate)(z_streamp, int);
static int (*zlib_end)(z_streamp);

static void *real(const char *name)
{
	void *f = dlsym(RTLD_NEXT, name);
	if (!f)
		util_oom(); /* dlsym fails only when it cannot allocate: zlib is linked in */
	return f;
}

int deflateInit_(z_streamp strm, int level, const char *version, int stream_size)
{
	if (level != Z_DEFAULT_COMPRESSION && (level < 1 || level > 9)) {
		if (!zlib_init)
			zlib_init = real("deflateInit_");
		return zlib_init(strm, level, version, stream_size);
	}
	if (!version || version[0] != ZLIB_VERSION[0] || stream_size != (int)sizeof(z_stream))
		return Z_VERSION_ERROR;
	if (!strm)
		return Z_STREAM_ERROR;
	flate_stream *s = xcalloc(1, sizeof *s);
	haru_fast_calls[HARU_FAST_DEFLATE]++;
	s->magic = FLATE_MAGIC;
	s->level = level == Z_DEFAULT_COMPRESSION ? 6 : level;
	s->next = live;
	live = s;
	strm->state = (struct internal_state *)s;
	strm->msg = NULL;
	strm->total_in = strm->total_out = 0;
	strm->adler = 1; /* the Adler-32 of nothing */
	strm->data_type = Z_UNKNOWN;
	return Z_OK;
}

/* Compresses everything collected, once. */
static void finish(z_streamp strm, flate_stream *s)
{
	struct libdeflate_compressor *c = compressor(s->level);
	const void *data = s->in.data ? s->in.data : "";
	size_t bound = libdeflate_zlib_compress_bound(c, s->in.len);
	s->out = xmalloc(bound);
	s->out_len = libdeflate_zlib_compress(c, data, s->in.len, s->out, bound);
	if (!s->out_len) /* cannot happen: the bound is an upper bound */
		util_oom();
	strm->adler = libdeflate_adler32(1, data, s->in.len);
	buf_free(&s->in);
	s->finished = true;
}

int deflate(z_streamp strm, int flush)
{
	flate_stream *s = ours(strm);
	if (!s) {
		if (!zlib_deflate)
			zlib_deflate = real("deflate");
		return zlib_deflate(strm, flush);
	}
	if ((flush != Z_NO_FLUSH && flush != Z_FINISH) || (strm->avail_in && !strm->next_in) ||
	    !strm->next_out)
		return Z_STREAM_ERROR;
	if (s->finished && strm->avail_in) /* input after Z_FINISH */
		return Z_STREAM_ERROR;
	if (flush == Z_NO_FLUSH && !strm->avail_in)
		return Z_BUF_ERROR; /* as zlib: no progress possible */
	if (strm->avail_in) {
		buf_put(&s->in, strm->next_in, strm->avail_in);
		strm->total_in += strm->avail_in;
		strm->next_in += strm->avail_in;
		strm->avail_in = 0;
	}
	if (flush == Z_NO_FLUSH)
		return Z_OK;
	if (!s->finished)
		finish(strm, s);
	size_t n = s->out_len - s->out_pos;
	if (n > strm->avail_out)
		n = strm->avail_out;
	if (!n && s->out_pos < s->out_len)
		return Z_BUF_ERROR; /* no room: no progress possible */
	memcpy(strm->next_out, s->out + s->out_pos, n);
	s->out_pos += n;
	strm->next_out += n;
	strm->avail_out -= (uInt)n;
	strm->total_out += n;
	return s->out_pos == s->out_len ? Z_STREAM_END : Z_OK;
}

int deflateEnd(z_streamp strm)
{
	flate_stream *s = ours(strm);
	if (!s) {
		if (!zlib_end)
			zlib_end = real("deflateEnd");
		return zlib_end(strm);
	}
	for (flate_stream **p = &live; *p; p = &(*p)->next)
		if (*p == s) {
			*p = s->next;
			break;
		}
	/* zlib says Z_DATA_ERROR when the stream was ended before all its output was taken */
	int status = s->finished && s->out_pos == s->out_len ? Z_OK : Z_DATA_ERROR;
	buf_free(&s->in);
	free(s->out);
	free(s);
	strm->state = NULL;
	return status;
}
