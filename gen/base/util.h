/* util.h — memory arenas, growable buffers and arrays, UTF-8 decoding, whole-file reads and
 * atomic writes. Every stage may include this header; it depends on nothing but libc.
 * Allocation failure is fatal through util_oom(): it prints one message and exits with 3. */
#ifndef BUDGETGEN_UTIL_H
#define BUDGETGEN_UTIL_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* ---- checked allocation ------------------------------------------------ */

/* Prints "budgetgen: error: 内存不足", removes the registered temporary files and exits with 3.
 * Every failed allocation of the process ends here, the libraries' included: util.c puts malloc,
 * calloc, realloc and the aligned variants in front of glibc's (not under the sanitizers; see
 * util.c). Requests of UTIL_HUGE_ALLOC bytes or more still return NULL to their caller. */
void util_oom(void) __attribute__((noreturn));
enum { UTIL_HUGE_ALLOC = 256 << 20 };
void *xmalloc(size_t n);
void *xcalloc(size_t count, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

/* ---- arena: everything of one department build lives here --------------- */

typedef struct arena arena;

arena *arena_new(void);
void arena_free(arena *a);
void *arena_alloc(arena *a, size_t n);           /* zeroed, 16-byte aligned */
size_t arena_size(const arena *a);               /* bytes it holds from the allocator */
char *arena_strndup(arena *a, const char *s, size_t n);
char *arena_strdup(arena *a, const char *s);
char *arena_printf(arena *a, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* Growable array stored in an arena: `vec_push(a, &items, &n, &cap, sizeof *items)` returns a
 * pointer to the new zeroed element at index n-1. */
void *vec_push(arena *a, void *itemsp, size_t *n, size_t *cap, size_t elem);

/* ---- buf: a growable byte buffer on the heap ---------------------------- */

typedef struct buf {
	char *data; /* bytes, always NUL-terminated when data != NULL */
	size_t len; /* bytes used, excluding the terminating NUL */
	size_t cap; /* bytes allocated */
} buf;

void buf_put(buf *b, const void *p, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_vprintf(buf *b, const char *fmt, va_list ap);
void buf_free(buf *b);
/* s as a JSON string, quoted ("\"", "\\", \n, \r, \t escaped, other control characters as
 * \u00XX; UTF-8 as it is), or null for NULL. The one JSON escaper of the program. */
void buf_put_json_string(buf *b, const char *s);

/* ---- UTF-8 -------------------------------------------------------------- */

/* Decodes one code point at s (n bytes available). Returns its length in bytes (1–4) and stores the
 * code point, or returns 0 for an invalid or truncated sequence (then *cp is undefined). */
size_t utf8_decode(const char *s, size_t n, uint32_t *cp);
/* Encodes cp into out (at least 4 bytes); returns the byte count. */
size_t utf8_encode(uint32_t cp, char *out);
/* Number of code points in a valid UTF-8 string of n bytes. */
size_t utf8_count(const char *s, size_t n);
/* Display width of a valid UTF-8 string: 2 for East Asian wide characters, 1 otherwise. */
size_t utf8_width(const char *s, size_t n);
bool cp_is_wide(uint32_t cp);
bool cp_is_space(uint32_t cp); /* ASCII blanks, U+3000 ideographic space, NBSP */

/* ---- files --------------------------------------------------------------- */

/* file_read's error for a path that is neither a regular file nor a directory (a FIFO, a
 * terminal, a device: reading one could wait forever or never end). Not a real errno value. */
enum { UTIL_ENOTREG = 0x10000 };
/* A Chinese explanation of an errno value (the common I/O ones and UTIL_ENOTREG; any other
 * value as "系统错误（错误码 N）"): the one place that turns errno into words a user reads, so
 * that the C library's English (strerror) never reaches a message. */
const char *errno_text(int e);
/* Reads a whole regular file (at most max bytes). Returns 0, or an errno value (EFBIG when too
 * large, EISDIR for a directory, UTIL_ENOTREG for anything else that is not a regular file). */
int file_read(const char *path, size_t max, char **data, size_t *len);
/* Opens path for reading if it is a regular file (never blocking on a FIFO, never reading a
 * device): *fd, or -1 with the reason returned (EISDIR, UTIL_ENOTREG or an errno value). */
int file_open_regular(const char *path, int *fd);

/* The one way bytes go through a descriptor: every write and read loop of the program. */
/* Writes all of data to fd, retrying after signals; on a socket whose reader is gone the error is
 * EPIPE, not SIGPIPE. Returns 0 or an errno value. */
int fd_write_all(int fd, const void *data, size_t len);
/* fd_write_all, then fsync: the bytes are on the disk. Returns 0 or an errno value. */
int fd_write_synced(int fd, const void *data, size_t len);
/* Reads exactly len bytes. Returns 0, or an errno value (EIO when fd ends first). */
int fd_read_all(int fd, void *data, size_t len);
/* Appends the rest of fd (to its end) to out, at most max bytes in all (EFBIG beyond). Returns 0
 * or an errno value. */
int fd_read_rest(int fd, size_t max, buf *out);

/* The one way files are replaced: a complete, fsynced temporary file beside the file, renamed over
 * it (file_write_atomic; batch/txn.h renames a department's files together the same way). Every
 * temporary of the program is named "FILE.budgetgen-tmpN", N 12 random decimal digits, a name no
 * other program uses (file_is_temp_name recognises one a killed process left, and nothing else),
 * and is created with O_CREAT|O_EXCL: never an existing file, never where a planted symlink points. */
char *file_temp_name(const char *path);          /* heap */
bool file_is_temp_name(const char *name);        /* a name (no directory) of that form */
/* Creates a new temporary for path (registered with util_temp_register when reg, before it
 * exists). Returns the fd open for writing with its name in *tmp (heap), or -1 with errno set. */
int file_temp_create(const char *path, bool reg, char **tmp);
/* An unnamed file (O_TMPFILE) in path's directory, to be linked in later; where the file system
 * has none, file_temp_create(path, false, tmp). *tmp is NULL for an unnamed file. Returns the fd,
 * or -1 with errno set. */
int file_temp_open(const char *path, char **tmp);
/* Writes data to path atomically: a temporary file in the same directory, fsync, rename.
 * Returns 0 or an errno value; on failure nothing at path has changed. */
int file_write_atomic(const char *path, const void *data, size_t len);
/* file_write_atomic for a file the user edits (fmt -w): through a symlink (the link stays a link)
 * and keeping the file's permission bits. Returns 0 or an errno value. */
int file_rewrite(const char *path, const void *data, size_t len);
/* file_write_atomic in two halves, for writing several files all or nothing: file_write_temp
 * writes data to a registered temporary file beside path (fsynced) and returns its name in *tmp
 * (heap); file_commit_temp renames it to path, unregisters and frees it, and allocates nothing
 * (returns 0 or an errno value; on failure tmp stays); file_discard_temp removes, unregisters and
 * frees it (NULL: nothing). */
int file_write_temp(const char *path, const void *data, size_t len, char **tmp);
int file_commit_temp(char *tmp, const char *path);
void file_discard_temp(char *tmp);
/* Temporary files that must not survive the process: util_oom() unlinks every path registered
 * before it exits. Register a path before the file is created (the registration may itself run
 * out of memory, and then nothing exists yet), unregister it once the file has been renamed into
 * place or removed. file_write_atomic does this for its own temporary file. */
void util_temp_register(const char *path);
void util_temp_unregister(const char *path);
/* In a forked child: forgets the inherited registrations (they are the parent's files) without
 * removing anything, so that the child's util_oom() leaves them alone. */
void util_temp_forget(void);
/* "a/b" (heap). */
char *path_join(const char *a, const char *b);
/* Creates a directory and its parents (mode 0777 & umask). Returns 0 or an errno value. */
int dir_make(const char *path);
/* A time as nanoseconds since the epoch (st_mtim, st_ctim). */
int64_t timespec_ns(struct timespec t);
/* qsort comparator for an array of strings (char *), by strcmp. */
int cmp_strings(const void *a, const void *b);

#endif
