/* haru_fast.h — how often libharu called the replacements of haru_fast.c and flate.c: a plain
 * count per function, kept for the process's life, so that a test can prove after a real PDF that
 * libharu's calls still bind to the executable's definitions (a libharu linked with -Bsymbolic or
 * LTO would call its own, silently slower). Not in a HARU_FAST=0 build. */
#ifndef BUDGETGEN_EMIT_LIBHARU_HARU_FAST_H
#define BUDGETGEN_EMIT_LIBHARU_HARU_FAST_H

/* ORDER haru_fast_counter */
typedef enum {
	HARU_FAST_MEMCPY,   /* HPDF_MemCpy */
	HARU_FAST_MEMSET,   /* HPDF_MemSet */
	HARU_FAST_GLYPHID,  /* HPDF_TTFontDef_GetGlyphid */
	HARU_FAST_DEFLATE,  /* deflateInit_ of a stream compressed by libdeflate (flate.c) */
	HARU_FAST_COUNTERS
} haru_fast_counter;

/* Calls so far, indexed by haru_fast_counter; only the replacements write them (one increment each). */
extern unsigned long haru_fast_calls[HARU_FAST_COUNTERS];

#endif
