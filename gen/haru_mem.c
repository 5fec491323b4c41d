/* haru_mem.c — libharu's memory helpers, done by the C library.
 *
 * libharu 2.3 copies and clears memory with its own HPDF_MemCpy and HPDF_MemSet (hpdf_utils.h),
 * loops of one byte at a time: every byte of every embedded font, of every 131,070-byte
 * CIDToGIDMap and of the finished document passes through them several times (libharu's memory
 * streams write, read and compress by copying). That was a fifth of the instructions of a
 * department's build (callgrind: 944 M of 4,479 M for input/2023-开发区组织人事局.txt).
 *
 * Both are exported functions that libharu calls through its PLT, so the definitions below, in
 * the executable, are the ones it uses — the way budgetgen's malloc (util.c) and deflate
 * (flate.c) serve every library. They do what libharu's do, with the C library's vectorised
 * memmove and memset: the same bytes, and the same return value, the end of what was written.
 * memmove, not memcpy: libharu's loop copies forwards, which is also right for overlapping
 * regions with out below in, and no caller relies on anything else. */
#include <hpdf.h>
#include <hpdf_utils.h>
#include <string.h>

HPDF_BYTE *HPDF_MemCpy(HPDF_BYTE *out, const HPDF_BYTE *in, HPDF_UINT n)
{
	if (n)
		memmove(out, in, n);
	return out + n;
}

void *HPDF_MemSet(void *s, HPDF_BYTE c, HPDF_UINT n)
{
	if (n)
		memset(s, c, n);
	return (HPDF_BYTE *)s + n;
}
