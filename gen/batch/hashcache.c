/* hashcache.c — content hashes of files (hashcache.h): a file read now, a directory tree, and the
 * cache in OUT/.budgetgen/hashes that spares hashing the fonts and the program again while their
 * stat identity stays the same. */
#include "batch/hashcache.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/util.h"
#include "batch/records.h"

int hash_file(const char *path, size_t max, hash_digest *out)
{
	/* as file_read: a FIFO must not block the open, a device must not be read for ever */
	int fd;
	int e = file_open_regular(path, &fd);
	hash_ctx c;
	hash_init(&c);
	static char chunk[1 << 16];
	size_t total = 0;
	ssize_t k;
	while (!e && (k = read(fd, chunk, sizeof chunk)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0)
			e = errno;
		else if ((total += (size_t)k) > max)
			e = EFBIG;
		else
			hash_update(&c, chunk, (size_t)k);
	}
	if (fd >= 0)
		close(fd);
	if (e)
		return e;
	*out = hash_final(&c);
	return 0;
}

static int hash_tree_at(hash_ctx *c, const char *dir, const char *rel)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return errno;
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(dp)) != NULL) {
		if (e->d_name[0] == '.')
			continue;
		names = xrealloc(names, (n + 1) * sizeof *names);
		names[n++] = xstrdup(e->d_name);
	}
	closedir(dp);
	if (n)
		qsort(names, n, sizeof *names, cmp_strings);
	int err = 0;
	for (size_t i = 0; i < n; i++) {
		size_t plen = strlen(dir) + strlen(names[i]) + 2;
		size_t rlen = strlen(rel) + strlen(names[i]) + 2;
		char *path = xmalloc(plen), *r = xmalloc(rlen);
		snprintf(path, plen, "%s/%s", dir, names[i]);
		snprintf(r, rlen, "%s%s%s", rel, *rel ? "/" : "", names[i]);
		struct stat st;
		if (!err && stat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode)) {
				err = hash_tree_at(c, path, r);
			} else if (S_ISREG(st.st_mode)) {
				hash_digest d;
				err = hash_file(path, SIZE_MAX, &d);
				hash_str(c, r);
				hash_digest_add(c, &d);
			}
		}
		free(path);
		free(r);
		free(names[i]);
	}
	free(names);
	return err;
}

int hash_tree(hash_ctx *c, const char *dir)
{
	return hash_tree_at(c, dir, "");
}

typedef struct cache_entry {
	char *path;
	uint64_t dev, ino;
	int64_t size, mtime_ns, ctime_ns;
	hash_digest hash;
} cache_entry;

struct hash_cache {
	char *file;
	cache_entry *e;
	size_t n;
	bool dirty;
};

static const char cache_magic[] = "budgetgen hashes 1";

hash_cache *hash_cache_load(const char *path)
{
	hash_cache *c = xcalloc(1, sizeof *c);
	c->file = path ? xstrdup(path) : NULL;
	char *data;
	size_t len;
	if (!path || file_read(path, (size_t)16 << 20, &data, &len) != 0)
		return c;
	const char *p = data, *end = data + len, *line;
	size_t n;
	if ((line = rec_next_line(&p, end, &n)) && n == strlen(cache_magic) &&
	    memcmp(line, cache_magic, n) == 0) {
		while ((line = rec_next_line(&p, end, &n)) != NULL) {
			const char *s = line, *le = line + n;
			cache_entry ce = {0};
			int64_t dev, ino;
			if (!rec_take_hash(&s, le, &ce.hash) || !rec_take_int(&s, le, &dev) || !rec_take_int(&s, le, &ino) ||
			    !rec_take_int(&s, le, &ce.size) || !rec_take_int(&s, le, &ce.mtime_ns) ||
			    !rec_take_int(&s, le, &ce.ctime_ns) || s >= le || ce.size < 0)
				continue; /* a damaged line: that file is hashed again */
			ce.dev = (uint64_t)dev;
			ce.ino = (uint64_t)ino;
			ce.path = rec_unescape(s, (size_t)(le - s));
			c->e = xrealloc(c->e, (c->n + 1) * sizeof *c->e);
			c->e[c->n++] = ce;
		}
	}
	free(data);
	return c;
}

int hash_cache_file(hash_cache *c, const char *path, hash_digest *out)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return errno;
	cache_entry now = {.dev = (uint64_t)st.st_dev, .ino = (uint64_t)st.st_ino, .size = st.st_size,
	                   .mtime_ns = timespec_ns(st.st_mtim), .ctime_ns = timespec_ns(st.st_ctim)};
	cache_entry *hit = NULL;
	for (size_t i = 0; i < c->n && !hit; i++)
		if (strcmp(c->e[i].path, path) == 0)
			hit = &c->e[i];
	if (hit && hit->dev == now.dev && hit->ino == now.ino && hit->size == now.size &&
	    hit->mtime_ns == now.mtime_ns && hit->ctime_ns == now.ctime_ns) {
		*out = hit->hash;
		return 0;
	}
	int e = hash_file(path, SIZE_MAX, &now.hash);
	if (e)
		return e;
	if (!hit) {
		c->e = xrealloc(c->e, (c->n + 1) * sizeof *c->e);
		hit = &c->e[c->n++];
		now.path = xstrdup(path);
	} else {
		now.path = hit->path;
	}
	*hit = now;
	c->dirty = true;
	*out = now.hash;
	return 0;
}

void hash_cache_close(hash_cache *c, bool save)
{
	if (!c)
		return;
	if (save && c->dirty && c->file) {
		buf b = {0};
		buf_printf(&b, "%s\n", cache_magic);
		for (size_t i = 0; i < c->n; i++) {
			char hex[HASH_HEX];
			hash_hex(&c->e[i].hash, hex);
			buf_printf(&b, "%s %lld %lld %lld %lld %lld ", hex, (long long)c->e[i].dev,
			           (long long)c->e[i].ino, (long long)c->e[i].size, (long long)c->e[i].mtime_ns,
			           (long long)c->e[i].ctime_ns);
			rec_put_escaped(&b, c->e[i].path);
			buf_putc(&b, '\n');
		}
		file_write_atomic(c->file, b.data, b.len); /* only a cache: a failure costs time later */
		buf_free(&b);
	}
	for (size_t i = 0; i < c->n; i++)
		free(c->e[i].path);
	free(c->e);
	free(c->file);
	free(c);
}
