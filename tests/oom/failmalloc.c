/* failmalloc.c — an LD_PRELOAD shim for the allocation-failure test (tests/oom/run.sh): counts
 * every malloc, calloc, realloc, reallocarray, posix_memalign, aligned_alloc, memalign, valloc
 * and pvalloc call made after main() starts — by budgetgen and by every library it uses (glibc's
 * own strdup, fopen, qsort … included: glibc routes its internal allocations through the
 * interposed malloc) — and makes the Nth return NULL (errno ENOMEM); every later call succeeds
 * again, as when memory is short for a moment.
 *
 *   FAILMALLOC_N=N          fail the Nth allocation after main() starts (1-based); 0 or unset:
 *                           fail none, only count
 *   FAILMALLOC_COUNT=FILE   at exit (or _exit), append the number of allocations counted to
 *                           FILE, one line per process
 *   FAILMALLOC_WHERE=FILE   when the Nth allocation fails, append the caller's return address,
 *                           resolved to "library+offset" with dladdr, to FILE (run.sh groups the
 *                           failures by library with it)
 *
 * Allocations before main() are not counted: they are the constructors of the shared libraries
 * (GLib, pulled in by HarfBuzz, aborts by design when they fail), made before budgetgen runs
 * any code; a process that fails there never starts, has no output and nothing to clean up.
 * main() is found by wrapping __libc_start_main. The real allocator is the next definition
 * (dlsym RTLD_NEXT): glibc's, or AddressSanitizer's when the shim is preloaded ahead of libasan.
 * dlsym itself may allocate: calls made while the real functions are being looked up are served
 * from a small static pool. budgetgen's own allocator front (gen/base/util.c) calls glibc as
 * __libc_malloc …: the shim defines those names as well. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <execinfo.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static void *(*real_malloc)(size_t);
static void *(*real_calloc)(size_t, size_t);
static void *(*real_realloc)(void *, size_t);
static void (*real_free)(void *);
static int (*real_posix_memalign)(void **, size_t, size_t);
static void *(*real_aligned_alloc)(size_t, size_t);
static void *(*real_memalign)(size_t, size_t);

static int armed;            /* main() has started */
static unsigned long count;  /* allocations counted since then */
static unsigned long fail_n; /* the one to fail, 0 = none */
static int resolving;

/* ---- bootstrap pool, for dlsym's own calls ---------------------------------------------------- */

static _Alignas(16) unsigned char pool[65536];
static size_t pool_used;

static int in_pool(const void *p)
{
	return (const unsigned char *)p >= pool && (const unsigned char *)p < pool + sizeof pool;
}

static void *pool_alloc(size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (pool_used + n > sizeof pool)
		return NULL;
	void *p = pool + pool_used;
	pool_used += n;
	return p;
}

static void resolve(void)
{
	if (real_malloc || resolving)
		return;
	resolving = 1;
	real_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "calloc");
	real_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "realloc");
	real_free = (void (*)(void *))dlsym(RTLD_NEXT, "free");
	real_posix_memalign = (int (*)(void **, size_t, size_t))dlsym(RTLD_NEXT, "posix_memalign");
	real_aligned_alloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "aligned_alloc");
	real_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "memalign");
	real_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "malloc");
	resolving = 0;
}

/* Where the failing call came from, for FAILMALLOC_WHERE: one line of up to 12 frames, each
 * "module+0xoffset" (the caller's return address first). */
static void note_caller(void *ret)
{
	const char *file = getenv("FAILMALLOC_WHERE");
	if (!file)
		return;
	void *frames[14];
	int n = backtrace(frames, 14); /* its allocations are not counted: count is past fail_n */
	FILE *f = fopen(file, "a");
	if (!f)
		return;
	int first = 1;
	for (int i = 0; i < n; i++) {
		Dl_info info;
		if (frames[i] != ret && first)
			continue; /* the shim's own frames */
		first = 0;
		if (dladdr(frames[i], &info) && info.dli_fname)
			fprintf(f, "%s+0x%lx ", info.dli_fname,
			        (unsigned long)((uintptr_t)frames[i] - (uintptr_t)info.dli_fbase));
		else
			fprintf(f, "?+%p ", frames[i]);
	}
	fputc('\n', f);
	fclose(f);
}

/* True when this allocation must fail. */
static int should_fail(void *ret)
{
	if (!armed)
		return 0;
	count++;
	if (fail_n && count == fail_n) {
		note_caller(ret);
		errno = ENOMEM;
		return 1;
	}
	return 0;
}

#define CALLER __builtin_extract_return_addr(__builtin_return_address(0))

void *malloc(size_t n)
{
	resolve();
	if (!real_malloc)
		return pool_alloc(n);
	if (should_fail(CALLER))
		return NULL;
	return real_malloc(n);
}

void *calloc(size_t n, size_t size)
{
	resolve();
	if (!real_calloc) {
		void *p = size && n > SIZE_MAX / size ? NULL : pool_alloc(n * size);
		if (p)
			memset(p, 0, n * size);
		return p;
	}
	if (should_fail(CALLER))
		return NULL;
	return real_calloc(n, size);
}

void *realloc(void *p, size_t n)
{
	resolve();
	if (in_pool(p)) { /* rare: grow a bootstrap block into the real heap */
		void *q = malloc(n);
		if (q)
			memcpy(q, p, n < (size_t)(pool + sizeof pool - (unsigned char *)p) ? n : (size_t)(pool + sizeof pool - (unsigned char *)p));
		return q;
	}
	if (!real_realloc)
		return NULL;
	if (should_fail(CALLER))
		return NULL;
	return real_realloc(p, n);
}

void *reallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n * size);
}

void free(void *p)
{
	if (!p || in_pool(p))
		return;
	resolve();
	if (real_free)
		real_free(p);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	resolve();
	if (!real_posix_memalign || should_fail(CALLER))
		return ENOMEM;
	return real_posix_memalign(out, align, n);
}

void *aligned_alloc(size_t align, size_t n)
{
	resolve();
	if (!real_aligned_alloc || should_fail(CALLER))
		return NULL;
	return real_aligned_alloc(align, n);
}

void *memalign(size_t align, size_t n)
{
	resolve();
	if (!real_memalign || should_fail(CALLER))
		return NULL;
	return real_memalign(align, n);
}

void *valloc(size_t n)
{
	return memalign((size_t)sysconf(_SC_PAGESIZE), n);
}

void *pvalloc(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	return memalign(page, (n + page - 1) / page * page);
}

/* budgetgen puts its own malloc … in front of glibc's (gen/base/util.c) and calls glibc's through
 * these names: the shim answers them too, so that it sees those calls (each counted once: the
 * shim's malloc above forwards to the next malloc, never to these). */
static void *(*next_libc_malloc)(size_t);
static void *(*next_libc_calloc)(size_t, size_t);
static void *(*next_libc_realloc)(void *, size_t);
static void *(*next_libc_memalign)(size_t, size_t);

static void resolve_libc(void)
{
	if (next_libc_malloc)
		return;
	resolve();
	next_libc_calloc = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "__libc_calloc");
	next_libc_realloc = (void *(*)(void *, size_t))dlsym(RTLD_NEXT, "__libc_realloc");
	next_libc_memalign = (void *(*)(size_t, size_t))dlsym(RTLD_NEXT, "__libc_memalign");
	next_libc_malloc = (void *(*)(size_t))dlsym(RTLD_NEXT, "__libc_malloc");
}

void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void *__libc_memalign(size_t align, size_t n);

void *__libc_malloc(size_t n)
{
	resolve_libc();
	if (!next_libc_malloc)
		return pool_alloc(n);
	if (should_fail(CALLER))
		return NULL;
	return next_libc_malloc(n);
}

void *__libc_calloc(size_t n, size_t size)
{
	resolve_libc();
	if (!next_libc_calloc)
		return calloc(n, size);
	if (should_fail(CALLER))
		return NULL;
	return next_libc_calloc(n, size);
}

void *__libc_realloc(void *p, size_t n)
{
	resolve_libc();
	if (!next_libc_realloc || in_pool(p))
		return realloc(p, n);
	if (should_fail(CALLER))
		return NULL;
	return next_libc_realloc(p, n);
}

void *__libc_memalign(size_t align, size_t n)
{
	resolve_libc();
	if (!next_libc_memalign || should_fail(CALLER))
		return NULL;
	return next_libc_memalign(align, n);
}

/* ---- main ----------------------------------------------------------------------------------- */

static int (*real_main)(int, char **, char **);

/* Appends this process's count to FAILMALLOC_COUNT: one line per process (a build that forks
 * workers gives several; run.sh takes the largest). */
static void write_count(void)
{
	const char *file = getenv("FAILMALLOC_COUNT");
	if (!file || !armed)
		return;
	armed = 0;
	FILE *f = fopen(file, "a");
	if (f) {
		fprintf(f, "%lu\n", count);
		fclose(f);
	}
}

/* _exit too (util_oom and forked workers end with it), not only exit. */
void _exit(int status)
{
	static void (*next_exit)(int);
	write_count();
	if (!next_exit)
		next_exit = (void (*)(int))dlsym(RTLD_NEXT, "_exit");
	next_exit(status);
	__builtin_unreachable();
}

static int wrapped_main(int argc, char **argv, char **envp)
{
	const char *n = getenv("FAILMALLOC_N");
	fail_n = n ? strtoul(n, NULL, 10) : 0;
	atexit(write_count); /* before arming: this registration is not counted */
	armed = 1;
	return real_main(argc, argv, envp);
}

typedef int (*start_main_fn)(int (*)(int, char **, char **), int, char **, void (*)(void),
                             void (*)(void), void (*)(void), void *);

int __libc_start_main(int (*main)(int, char **, char **), int argc, char **argv,
                      void (*init)(void), void (*fini)(void), void (*rtld_fini)(void),
                      void *stack_end)
{
	start_main_fn next = (start_main_fn)dlsym(RTLD_NEXT, "__libc_start_main");
	real_main = main;
	return next(wrapped_main, argc, argv, init, fini, rtld_fini, stack_end);
}
