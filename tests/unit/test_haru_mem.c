/* test_haru_mem.c — libharu's HPDF_MemCpy and HPDF_MemSet served by the C library (gen/haru_mem.c):
 * the definitions libharu finds first are budgetgen's, and for every length and alignment they
 * write the same bytes and return the same pointer as libharu's own (looked up past ours with
 * dlsym RTLD_NEXT), including the overlapping copy libharu's forward loop allows (out below in). */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <hpdf.h>
#include <hpdf_utils.h>
#include <stdint.h>

#include "unit.h"

typedef HPDF_BYTE *(*memcpy_fn)(HPDF_BYTE *, const HPDF_BYTE *, HPDF_UINT);
typedef void *(*memset_fn)(void *, HPDF_BYTE, HPDF_UINT);

int main(void)
{
	memcpy_fn ours_cpy = HPDF_MemCpy, theirs_cpy = (memcpy_fn)dlsym(RTLD_NEXT, "HPDF_MemCpy");
	memset_fn ours_set = HPDF_MemSet, theirs_set = (memset_fn)dlsym(RTLD_NEXT, "HPDF_MemSet");
	CHECK(theirs_cpy && theirs_cpy != ours_cpy);
	CHECK(theirs_set && theirs_set != ours_set);
	/* what every library (libharu included) binds the names to */
	CHECK((memcpy_fn)dlsym(RTLD_DEFAULT, "HPDF_MemCpy") == ours_cpy);
	CHECK((memset_fn)dlsym(RTLD_DEFAULT, "HPDF_MemSet") == ours_set);
	if (!theirs_cpy || !theirs_set)
		return unit_report();

	static HPDF_BYTE src[5010], a[5100], b[5100];
	for (size_t i = 0; i < sizeof src; i++)
		src[i] = (HPDF_BYTE)(i * 131 + 7);
	const HPDF_UINT lens[] = {0, 1, 2, 3, 15, 16, 17, 255, 4096, 4999};
	for (size_t k = 0; k < sizeof lens / sizeof *lens; k++)
		for (size_t off = 0; off < 4; off++) {
			HPDF_UINT n = lens[k];
			memset(a, 0xEE, sizeof a);
			memset(b, 0xEE, sizeof b);
			HPDF_BYTE *ra = ours_cpy(a + off, src + (3 - off), n);
			HPDF_BYTE *rb = theirs_cpy(b + off, src + (3 - off), n);
			CHECK_INT_EQ(ra - a, rb - b);
			CHECK(memcmp(a, b, sizeof a) == 0);
			/* overlapping, out below in: a shift to the front, as a forward loop does it */
			memcpy(a, src, sizeof src);
			memcpy(b, src, sizeof src);
			if (n + off + 5 <= sizeof src) {
				ours_cpy(a + off, a + off + 5, n);
				theirs_cpy(b + off, b + off + 5, n);
				CHECK(memcmp(a, b, sizeof a) == 0);
			}
			void *sa = ours_set(a + off, (HPDF_BYTE)(0x30 + k), n);
			void *sb = theirs_set(b + off, (HPDF_BYTE)(0x30 + k), n);
			CHECK_INT_EQ((HPDF_BYTE *)sa - a, (HPDF_BYTE *)sb - b);
			CHECK(memcmp(a, b, sizeof a) == 0);
		}
	return unit_report();
}
