/* util.c — arenas, buffers, UTF-8 helpers and file I/O shared by every stage.
 * The arena is a list of large blocks; nothing allocated from it is freed individually. */
#define _GNU_SOURCE /* O_TMPFILE */
#include "base/util.h"

#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

/* ---- checked allocation ------------------------------------------------ */

/* The registered temporary files (util_temp_register): heap copies of their paths. */
static char **temps;
static size_t ntemps, temps_cap;

void util_oom(void)
{
	static const char msg[] = "budgetgen: error: 内存不足\n";
	if (write(2, msg, sizeof msg - 1) < 0) { /* nothing more to do */
	}
	for (size_t i = 0; i < ntemps; i++)
		unlink(temps[i]);
	_exit(3);
}

/* Every allocation of the process, libraries' included, goes through these definitions in front
 * of glibc's (which they call as __libc_malloc …; glibc supports replacing its allocator this
 * way, and free stays glibc's). A failed allocation ends the process through util_oom(): one
 * message, exit status 3, no temporary file left. Many libraries do not check: with the Nth
 * allocation failing (tests/oom/run.sh, before this existed) libharu and libxlsxwriter crashed
 * on the NULL, FreeType and HarfBuzz carried on and gave other glyphs or another font, libzip's
 * OpenSSL retried; now every such point ends the same clean way. A request of UTIL_HUGE_ALLOC
 * bytes or more still returns NULL: a size that large comes from a corrupt file (a font table's
 * length), and the library reports the file. Not under AddressSanitizer, whose allocator must
 * see every call (the fuzzers and build/asan). glibc only, and only in a dynamically linked
 * program: the __libc_* entry points are glibc's, and the libraries' calls reach these
 * definitions through the dynamic linker's symbol lookup (README "Speed"). */
#if defined(__SANITIZE_ADDRESS__)
#define UTIL_ALLOC_HOOK 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(memory_sanitizer)
#define UTIL_ALLOC_HOOK 0
#endif
#endif
#ifndef UTIL_ALLOC_HOOK
#define UTIL_ALLOC_HOOK 1
#endif

#if UTIL_ALLOC_HOOK
void *__libc_malloc(size_t n);
void *__libc_calloc(size_t n, size_t size);
void *__libc_realloc(void *p, size_t n);
void *__libc_memalign(size_t align, size_t n);

static void *checked(void *p, size_t n)
{
	if (!p && n < UTIL_HUGE_ALLOC)
		util_oom();
	return p;
}

void *malloc(size_t n)
{
	return checked(__libc_malloc(n), n);
}

void *calloc(size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return checked(__libc_calloc(n, size), n * size);
}

void *realloc(void *p, size_t n)
{
	void *q = __libc_realloc(p, n);
	return n ? checked(q, n) : q; /* realloc(p, 0) frees p and may return NULL */
}

void *reallocarray(void *p, size_t n, size_t size)
{
	if (size && n > SIZE_MAX / size) {
		errno = ENOMEM;
		return NULL;
	}
	return realloc(p, n * size);
}

void *memalign(size_t align, size_t n)
{
	return checked(__libc_memalign(align, n), n);
}

void *aligned_alloc(size_t align, size_t n)
{
	return memalign(align, n);
}

int posix_memalign(void **out, size_t align, size_t n)
{
	if (align < sizeof(void *) || (align & (align - 1)))
		return EINVAL;
	void *p = memalign(align, n);
	if (!p)
		return ENOMEM;
	*out = p;
	return 0;
}
#endif

void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		util_oom();
	return p;
}

void *xcalloc(size_t count, size_t size)
{
	void *p = calloc(count ? count : 1, size ? size : 1);
	if (!p)
		util_oom();
	return p;
}

void *xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);
	if (!q)
		util_oom();
	return q;
}

char *xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;
	char *p = xmalloc(n);
	memcpy(p, s, n);
	return p;
}

/* ---- arena --------------------------------------------------------------- */

enum { ARENA_BLOCK = 64 * 1024 };

typedef struct arena_block {
	struct arena_block *next; /* older block */
	size_t used;              /* bytes handed out from data */
	size_t size;              /* bytes in data */
	_Alignas(16) unsigned char data[];
} arena_block;

struct arena {
	arena_block *head; /* newest block, the one being filled */
};

arena *arena_new(void)
{
	return xcalloc(1, sizeof(arena));
}

void arena_free(arena *a)
{
	if (!a)
		return;
	arena_block *b = a->head;
	while (b) {
		arena_block *next = b->next;
		free(b);
		b = next;
	}
	free(a);
}

size_t arena_size(const arena *a)
{
	size_t n = 0;
	for (const arena_block *b = a ? a->head : NULL; b; b = b->next)
		n += sizeof *b + b->size;
	return n;
}

void *arena_alloc(arena *a, size_t n)
{
	n = (n + 15) & ~(size_t)15;
	if (!a->head || a->head->size - a->head->used < n) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		arena_block *b = xmalloc(sizeof *b + size);
		b->next = a->head;
		b->used = 0;
		b->size = size;
		a->head = b;
	}
	void *p = a->head->data + a->head->used;
	a->head->used += n;
	memset(p, 0, n);
	return p;
}

char *arena_strndup(arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}

char *arena_strdup(arena *a, const char *s)
{
	return arena_strndup(a, s, strlen(s));
}

char *arena_printf(arena *a, const char *fmt, ...)
{
	buf b = {0};
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(&b, fmt, ap);
	va_end(ap);
	char *p = arena_strndup(a, b.data ? b.data : "", b.len);
	buf_free(&b);
	return p;
}

void *vec_push(arena *a, void *itemsp, size_t *n, size_t *cap, size_t elem)
{
	void **items = itemsp;
	if (*n == *cap) {
		size_t ncap = *cap ? *cap * 2 : 8;
		void *fresh = arena_alloc(a, ncap * elem);
		if (*n)
			memcpy(fresh, *items, *n * elem);
		*items = fresh;
		*cap = ncap;
	}
	void *slot = (char *)*items + *n * elem;
	(*n)++;
	memset(slot, 0, elem);
	return slot;
}

/* ---- buf ----------------------------------------------------------------- */

static void buf_grow(buf *b, size_t extra)
{
	if (b->len + extra + 1 <= b->cap)
		return;
	size_t ncap = b->cap ? b->cap * 2 : 256;
	while (ncap < b->len + extra + 1)
		ncap *= 2;
	b->data = xrealloc(b->data, ncap);
	b->cap = ncap;
}

void buf_put(buf *b, const void *p, size_t n)
{
	buf_grow(b, n);
	if (n)
		memcpy(b->data + b->len, p, n);
	b->len += n;
	b->data[b->len] = '\0';
}

void buf_puts(buf *b, const char *s)
{
	buf_put(b, s, strlen(s));
}

void buf_putc(buf *b, char c)
{
	buf_put(b, &c, 1);
}

void buf_vprintf(buf *b, const char *fmt, va_list ap)
{
	va_list aq;
	va_copy(aq, ap);
	int n = vsnprintf(NULL, 0, fmt, aq);
	va_end(aq);
	if (n < 0)
		return;
	buf_grow(b, (size_t)n);
	vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
	b->len += (size_t)n;
}

void buf_printf(buf *b, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	buf_vprintf(b, fmt, ap);
	va_end(ap);
}

void buf_free(buf *b)
{
	free(b->data);
	b->data = NULL;
	b->len = b->cap = 0;
}

void buf_put_json_string(buf *b, const char *s)
{
	if (!s) {
		buf_puts(b, "null");
		return;
	}
	buf_putc(b, '"');
	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		switch (*p) {
		case '"': buf_puts(b, "\\\""); break;
		case '\\': buf_puts(b, "\\\\"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		default:
			if (*p < 0x20)
				buf_printf(b, "\\u%04x", *p);
			else
				buf_putc(b, (char)*p);
		}
	}
	buf_putc(b, '"');
}

/* ---- UTF-8 ----------------------------------------------------------------- */

size_t utf8_decode(const char *s, size_t n, uint32_t *cp)
{
	const unsigned char *u = (const unsigned char *)s;
	if (n == 0)
		return 0;
	if (u[0] < 0x80) {
		*cp = u[0];
		return 1;
	}
	size_t len;
	uint32_t c, min;
	if ((u[0] & 0xE0) == 0xC0) {
		len = 2, c = u[0] & 0x1Fu, min = 0x80;
	} else if ((u[0] & 0xF0) == 0xE0) {
		len = 3, c = u[0] & 0x0Fu, min = 0x800;
	} else if ((u[0] & 0xF8) == 0xF0) {
		len = 4, c = u[0] & 0x07u, min = 0x10000;
	} else {
		return 0;
	}
	if (n < len)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((u[i] & 0xC0) != 0x80)
			return 0;
		c = (c << 6) | (u[i] & 0x3Fu);
	}
	if (c < min || c > 0x10FFFF || (c >= 0xD800 && c <= 0xDFFF))
		return 0;
	*cp = c;
	return len;
}

size_t utf8_encode(uint32_t cp, char *out)
{
	unsigned char *o = (unsigned char *)out;
	if (cp < 0x80) {
		o[0] = (unsigned char)cp;
		return 1;
	}
	if (cp < 0x800) {
		o[0] = (unsigned char)(0xC0 | (cp >> 6));
		o[1] = (unsigned char)(0x80 | (cp & 0x3F));
		return 2;
	}
	if (cp < 0x10000) {
		o[0] = (unsigned char)(0xE0 | (cp >> 12));
		o[1] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
		o[2] = (unsigned char)(0x80 | (cp & 0x3F));
		return 3;
	}
	o[0] = (unsigned char)(0xF0 | (cp >> 18));
	o[1] = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
	o[2] = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
	o[3] = (unsigned char)(0x80 | (cp & 0x3F));
	return 4;
}

size_t utf8_count(const char *s, size_t n)
{
	size_t count = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)s[i] & 0xC0) != 0x80)
			count++;
	return count;
}

bool cp_is_wide(uint32_t cp)
{
	return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
	       (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
	       (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
	       (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
	       (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
	       (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x20000 && cp <= 0x3FFFD);
}

bool cp_is_space(uint32_t cp)
{
	return cp == ' ' || cp == '\t' || cp == '\r' || cp == '\v' || cp == '\f' || cp == 0x3000 ||
	       cp == 0xA0 || cp == 0xFEFF;
}

size_t utf8_width(const char *s, size_t n)
{
	size_t w = 0, i = 0;
	while (i < n) {
		uint32_t cp;
		size_t k = utf8_decode(s + i, n - i, &cp);
		if (!k) {
			i++, w++;
			continue;
		}
		w += cp_is_wide(cp) ? 2 : 1;
		i += k;
	}
	return w;
}

/* ---- files ------------------------------------------------------------------ */

const char *errno_text(int e)
{
	switch (e) {
	case 0: return "未知错误";
	case ENOENT: return "文件或目录不存在";
	case EACCES:
	case EPERM: return "没有权限";
	case ENOSPC: return "磁盘空间已满";
	case EDQUOT: return "超出磁盘配额";
	case EROFS: return "文件系统只读";
	case EISDIR: return "这是一个目录";
	case ENOTDIR: return "路径中有一部分不是目录";
	case EFBIG: return "文件过大";
	case EIO: return "读写错误";
	case ENAMETOOLONG: return "文件名过长";
	case EMFILE:
	case ENFILE: return "打开的文件太多";
	case ENOMEM: return "内存不足";
	case ELOOP: return "符号链接层数过多（可能是循环链接）";
	case EEXIST: return "文件已存在";
	case ENOTEMPTY: return "目录不是空的";
	case EBUSY:
	case ETXTBSY: return "文件正被占用";
	case EXDEV: return "不能跨文件系统移动";
	case ENXIO:
	case ENODEV: return "设备不存在";
	case EAGAIN: return "资源暂时不可用，请重试";
	case EINTR: return "操作被中断";
	case EINVAL: return "参数无效";
	case EPIPE: return "管道已关闭";
	case ESTALE: return "网络文件已失效";
	case ETIMEDOUT: return "操作超时";
	case EOVERFLOW: return "文件过大，超出可处理的范围";
	case UTIL_ENOTREG: return "不是普通文件（是设备、管道或套接字）";
	default: {
		/* never the C library's English text: the number, for a report */
		static _Thread_local char other[48];
		snprintf(other, sizeof other, "系统错误（错误码 %d）", e);
		return other;
	}
	}
}

int file_open_regular(const char *path, int *fd)
{
	/* O_NONBLOCK: opening a FIFO must not wait for a writer before it can be refused */
	*fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (*fd < 0)
		return errno;
	struct stat st;
	int e = fstat(*fd, &st) != 0 ? errno : S_ISDIR(st.st_mode) ? EISDIR
	                                     : !S_ISREG(st.st_mode) ? UTIL_ENOTREG
	                                                            : 0;
	if (e) {
		close(*fd);
		*fd = -1;
	}
	return e;
}

int file_read(const char *path, size_t max, char **data, size_t *len)
{
	int fd;
	int e = file_open_regular(path, &fd);
	buf b = {0};
	if (!e) {
		e = fd_read_rest(fd, max, &b);
		close(fd);
	}
	if (e) {
		buf_free(&b);
		return e;
	}
	if (!b.data)
		buf_put(&b, "", 0);
	*data = b.data;
	*len = b.len;
	return 0;
}

int fd_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	bool sock = true; /* until send says otherwise: MSG_NOSIGNAL exists only for sockets */
	while (len > 0) {
		ssize_t w = sock ? send(fd, p, len, MSG_NOSIGNAL) : write(fd, p, len);
		if (w < 0 && sock && errno == ENOTSOCK) {
			sock = false;
			continue;
		}
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno;
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int fd_write_synced(int fd, const void *data, size_t len)
{
	int e = fd_write_all(fd, data, len);
	return e ? e : fsync(fd) != 0 ? errno : 0;
}

int fd_read_all(int fd, void *data, size_t len)
{
	char *p = data;
	while (len > 0) {
		ssize_t k = read(fd, p, len);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return errno;
		if (k == 0)
			return EIO;
		p += k;
		len -= (size_t)k;
	}
	return 0;
}

int fd_read_rest(int fd, size_t max, buf *out)
{
	size_t start = out->len;
	char chunk[65536];
	for (;;) {
		ssize_t k = read(fd, chunk, sizeof chunk);
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			return errno;
		if (k == 0)
			return 0;
		if (out->len - start + (size_t)k > max)
			return EFBIG;
		buf_put(out, chunk, (size_t)k);
	}
}

void util_temp_register(const char *path)
{
	char *copy = xstrdup(path);
	if (ntemps == temps_cap) {
		size_t ncap = temps_cap ? 2 * temps_cap : 8;
		temps = xrealloc(temps, ncap * sizeof *temps); /* on failure the old list stands */
		temps_cap = ncap;
	}
	temps[ntemps++] = copy;
}

void util_temp_unregister(const char *path)
{
	for (size_t i = ntemps; i-- > 0;) {
		if (strcmp(temps[i], path) == 0) {
			char *p = temps[i];
			temps[i] = temps[--ntemps];
			free(p);
			break;
		}
	}
	if (!ntemps) { /* nothing left behind at exit for the leak checkers */
		free(temps);
		temps = NULL;
		temps_cap = 0;
	}
}

void util_temp_forget(void)
{
	for (size_t i = 0; i < ntemps; i++)
		free(temps[i]);
	free(temps);
	temps = NULL;
	ntemps = temps_cap = 0;
}

/* Random digits for a temporary's name; the pid and the clock where getrandom has nothing. */
static uint64_t temp_random(void)
{
	uint64_t r;
	if (getrandom(&r, sizeof r, GRND_NONBLOCK) == (ssize_t)sizeof r)
		return r;
	static uint64_t n;
	struct timespec t;
	clock_gettime(CLOCK_REALTIME, &t);
	return ((uint64_t)getpid() << 32) ^ (uint64_t)t.tv_nsec ^ (uint64_t)t.tv_sec ^
	       ++n * 0x9E3779B97F4A7C15u;
}

/* A mark no other program puts in its names: what a build may remove as its own leftover. */
#define TEMP_MARK ".budgetgen-tmp"
enum { TEMP_DIGITS = 12 };

char *file_temp_name(const char *path)
{
	size_t n = strlen(path) + sizeof TEMP_MARK + TEMP_DIGITS + 1;
	char *tmp = xmalloc(n);
	snprintf(tmp, n, "%s" TEMP_MARK "%012llu", path,
	         (unsigned long long)(temp_random() % 1000000000000u));
	return tmp;
}

bool file_is_temp_name(const char *name)
{
	size_t n = strlen(name), m = strlen(TEMP_MARK);
	if (n < m + TEMP_DIGITS || memcmp(name + n - TEMP_DIGITS - m, TEMP_MARK, m) != 0)
		return false;
	for (size_t i = n - TEMP_DIGITS; i < n; i++)
		if (name[i] < '0' || name[i] > '9')
			return false;
	return true;
}

int file_temp_create(const char *path, bool reg, char **tmp)
{
	*tmp = NULL;
	for (int tries = 0; tries < 100; tries++) {
		char *name = file_temp_name(path);
		if (reg)
			util_temp_register(name);
		int fd = open(name, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
		if (fd >= 0) {
			*tmp = name;
			return fd;
		}
		int e = errno;
		if (reg)
			util_temp_unregister(name);
		free(name);
		if (e != EEXIST) {
			errno = e;
			return -1;
		}
	}
	errno = EEXIST;
	return -1;
}

int file_temp_open(const char *path, char **tmp)
{
	*tmp = NULL;
	char *dir = xstrdup(path);
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir)
		*slash = '\0';
	else
		strcpy(dir, slash ? "/" : ".");
	int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
	int e = errno;
	free(dir);
	if (fd >= 0 || (e != EOPNOTSUPP && e != EISDIR && e != EINVAL)) {
		errno = e;
		return fd;
	}
	return file_temp_create(path, false, tmp);
}

int file_write_temp(const char *path, const void *data, size_t len, char **tmp_out)
{
	char *tmp;
	int fd = file_temp_create(path, true, &tmp);
	if (fd < 0)
		return errno;
	int err = fd_write_synced(fd, data, len);
	if (close(fd) != 0 && !err)
		err = errno;
	if (err) {
		file_discard_temp(tmp);
		return err;
	}
	*tmp_out = tmp;
	return 0;
}

int file_commit_temp(char *tmp, const char *path)
{
	if (rename(tmp, path) != 0)
		return errno;
	util_temp_unregister(tmp);
	free(tmp);
	return 0;
}

void file_discard_temp(char *tmp)
{
	if (!tmp)
		return;
	unlink(tmp);
	util_temp_unregister(tmp);
	free(tmp);
}

int file_write_atomic(const char *path, const void *data, size_t len)
{
	char *tmp;
	int err = file_write_temp(path, data, len, &tmp);
	if (!err && (err = file_commit_temp(tmp, path)) != 0)
		file_discard_temp(tmp);
	return err;
}

int file_rewrite(const char *path, const void *data, size_t len)
{
	char *real = realpath(path, NULL);
	if (!real && errno != ENOENT)
		return errno;
	const char *target = real ? real : path;
	struct stat st;
	bool had = stat(target, &st) == 0;
	char *tmp = NULL;
	int err = file_write_temp(target, data, len, &tmp);
	if (!err && had && chmod(tmp, st.st_mode & 07777) != 0)
		err = errno;
	if (!err)
		err = file_commit_temp(tmp, target);
	if (err && tmp)
		file_discard_temp(tmp);
	free(real);
	return err;
}

char *path_join(const char *a, const char *b)
{
	size_t n = strlen(a) + strlen(b) + 2;
	char *s = xmalloc(n);
	snprintf(s, n, "%s/%s", a, b);
	return s;
}

int dir_make(const char *path)
{
	char *p = xstrdup(path);
	int err = 0;
	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;
			*s = '\0';
			if (mkdir(p, 0777) != 0 && errno != EEXIST) {
				err = errno;
				break;
			}
			*s = c;
			if (c == '\0')
				break;
		}
	}
	free(p);
	return err;
}

int64_t timespec_ns(struct timespec t)
{
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int cmp_strings(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}
