/* manifest.c — the build's memory in OUT/.budgetgen/ (manifest.h): manifests, the hash cache of
 * big files, department transactions with their journals and recovery, stray temporaries, the
 * lock. Map: text escapes · manifests · hashes · transactions · recovery and strays · files. */
#define _GNU_SOURCE /* O_TMPFILE, linkat */
#include "batch/manifest.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

enum { FD_PROC_MAX = 32 }; /* "/proc/self/fd/N" */

/* ---- text escapes: one record per line, paths and texts last on it ---------------------------- */

static void put_escaped(buf *b, const char *s)
{
	for (; *s; s++) {
		switch (*s) {
		case '\\': buf_puts(b, "\\\\"); break;
		case '\n': buf_puts(b, "\\n"); break;
		case '\r': buf_puts(b, "\\r"); break;
		case '\t': buf_puts(b, "\\t"); break;
		default: buf_putc(b, *s); break;
		}
	}
}

/* Undoes put_escaped on s[0..n); a heap string. */
static char *unescape(const char *s, size_t n)
{
	buf b = {0};
	buf_put(&b, "", 0);
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];
		if (ch == '\\' && i + 1 < n) {
			char e = s[++i];
			ch = e == 'n' ? '\n' : e == 'r' ? '\r' : e == 't' ? '\t' : e;
		}
		buf_putc(&b, ch);
	}
	return b.data;
}

/* Splits the next line off *p (up to end); returns it without the newline, or NULL at the end. */
static const char *next_line(const char **p, const char *end, size_t *len)
{
	if (*p >= end)
		return NULL;
	const char *s = *p;
	const char *nl = memchr(s, '\n', (size_t)(end - s));
	*len = (size_t)((nl ? nl : end) - s);
	*p = nl ? nl + 1 : end;
	return s;
}

/* "word rest": true when line starts with word and a space; *rest is what follows. */
static bool field(const char *line, size_t len, const char *word, const char **rest, size_t *rlen)
{
	size_t w = strlen(word);
	if (len <= w || memcmp(line, word, w) != 0 || line[w] != ' ')
		return false;
	*rest = line + w + 1;
	*rlen = len - w - 1;
	return true;
}

/* Parses "N " (a signed decimal and a space) at *s; advances. */
static bool take_int(const char **s, const char *end, int64_t *out)
{
	const char *p = *s;
	bool neg = p < end && *p == '-';
	if (neg)
		p++;
	int64_t v = 0;
	const char *digits = p;
	while (p < end && *p >= '0' && *p <= '9') {
		if (v > (INT64_MAX - 9) / 10)
			return false;
		v = v * 10 + (*p++ - '0');
	}
	if (p == digits || p >= end || *p != ' ')
		return false;
	*out = neg ? -v : v;
	*s = p + 1;
	return true;
}

static bool take_hash(const char **s, const char *end, hash_digest *out)
{
	if (end - *s < 2 * HASH_BYTES + 1 || (*s)[2 * HASH_BYTES] != ' ' ||
	    !hash_parse_hex(*s, 2 * HASH_BYTES, out))
		return false;
	*s += 2 * HASH_BYTES + 1;
	return true;
}

/* ---- manifests ------------------------------------------------------------------------------- */

static const char manifest_magic[] = "budgetgen manifest 1";

bool manifest_read(const char *path, manifest *m)
{
	memset(m, 0, sizeof *m);
	char *data;
	size_t len;
	if (file_read(path, (size_t)256 << 20, &data, &len) != 0)
		return false;
	const char *p = data, *end = data + len, *line, *rest;
	size_t n, rlen;
	bool ok = (line = next_line(&p, end, &n)) && n == strlen(manifest_magic) &&
	          memcmp(line, manifest_magic, n) == 0;
	bool have_key = false;
	manifest_output *cur = NULL;
	while (ok && (line = next_line(&p, end, &n)) != NULL) {
		const char *le = line + n;
		if (field(line, n, "source", &rest, &rlen)) {
			free(m->source);
			m->source = unescape(rest, rlen);
		} else if (field(line, n, "given", &rest, &rlen)) {
			free(m->given);
			m->given = unescape(rest, rlen);
		} else if (field(line, n, "name", &rest, &rlen)) {
			free(m->name);
			m->name = unescape(rest, rlen);
		} else if (field(line, n, "dir", &rest, &rlen)) {
			free(m->dir);
			m->dir = unescape(rest, rlen);
		} else if (field(line, n, "key", &rest, &rlen)) {
			ok = have_key = hash_parse_hex(rest, rlen, &m->key);
		} else if (field(line, n, "input", &rest, &rlen)) {
			m->inputs = xrealloc(m->inputs, (m->ninputs + 1) * sizeof *m->inputs);
			m->inputs[m->ninputs++] = unescape(rest, rlen);
		} else if (field(line, n, "output", &rest, &rlen)) {
			m->outputs = xrealloc(m->outputs, (m->noutputs + 1) * sizeof *m->outputs);
			cur = &m->outputs[m->noutputs++];
			memset(cur, 0, sizeof *cur);
			ok = take_hash(&rest, le, &cur->key) && take_int(&rest, le, &cur->size) &&
			     take_int(&rest, le, &cur->mtime_ns) && rest < le;
			cur->path = unescape(rest, (size_t)(le - rest));
		} else if (field(line, n, "glyph", &rest, &rlen)) {
			int64_t cp = 0, status = 0;
			ok = cur && take_int(&rest, le, &cp) && take_int(&rest, le, &status) && cp >= 0 &&
			     cp <= 0x10FFFF;
			if (ok) {
				cur->glyphs = xrealloc(cur->glyphs, (cur->nglyphs + 1) * sizeof *cur->glyphs);
				cur->glyphs[cur->nglyphs++] = (manifest_glyph){
					(uint32_t)cp, (int)status, unescape(rest, (size_t)(le - rest))};
			}
		} else if (field(line, n, "messages", &rest, &rlen)) {
			/* the last record: its length, then the text itself up to the end */
			int64_t k = 0;
			for (size_t i = 0; ok && i < rlen; i++) {
				ok = rest[i] >= '0' && rest[i] <= '9' && k < (INT64_MAX - 9) / 10;
				k = k * 10 + (rest[i] - '0');
			}
			ok = ok && rlen > 0 && k <= end - p;
			if (ok) {
				m->messages = xmalloc((size_t)k + 1);
				memcpy(m->messages, p, (size_t)k);
				m->messages[k] = '\0';
				m->nmessages = (size_t)k;
				p += k;
			}
			break;
		} else {
			ok = false;
		}
	}
	free(data);
	ok = ok && have_key && m->source && m->given && m->dir && m->messages;
	if (!ok) {
		manifest_free(m);
		return false;
	}
	m->name = m->name ? m->name : xstrdup(m->dir);
	m->file = xstrdup(path);
	return true;
}

void manifest_format(const manifest *m, buf *out)
{
	char hex[HASH_HEX];
	buf_printf(out, "%s\nsource ", manifest_magic);
	put_escaped(out, m->source);
	buf_puts(out, "\ngiven ");
	put_escaped(out, m->given);
	buf_puts(out, "\nname ");
	put_escaped(out, m->name);
	buf_puts(out, "\ndir ");
	put_escaped(out, m->dir);
	hash_hex(&m->key, hex);
	buf_printf(out, "\nkey %s\n", hex);
	for (size_t i = 0; i < m->ninputs; i++) {
		buf_puts(out, "input ");
		put_escaped(out, m->inputs[i]);
		buf_putc(out, '\n');
	}
	for (size_t i = 0; i < m->noutputs; i++) {
		const manifest_output *o = &m->outputs[i];
		hash_hex(&o->key, hex);
		buf_printf(out, "output %s %lld %lld ", hex, (long long)o->size, (long long)o->mtime_ns);
		put_escaped(out, o->path);
		buf_putc(out, '\n');
		for (size_t g = 0; g < o->nglyphs; g++) {
			buf_printf(out, "glyph %u %d ", (unsigned)o->glyphs[g].cp, o->glyphs[g].status);
			put_escaped(out, o->glyphs[g].context);
			buf_putc(out, '\n');
		}
	}
	buf_printf(out, "messages %zu\n", m->nmessages);
	if (m->nmessages)
		buf_put(out, m->messages, m->nmessages);
}

void manifest_free(manifest *m)
{
	free(m->file);
	free(m->source);
	free(m->given);
	free(m->name);
	free(m->dir);
	for (size_t i = 0; i < m->ninputs; i++)
		free(m->inputs[i]);
	free(m->inputs);
	for (size_t i = 0; i < m->noutputs; i++) {
		manifest_output *o = &m->outputs[i];
		free(o->path);
		for (size_t g = 0; g < o->nglyphs; g++)
			free(o->glyphs[g].context);
		free(o->glyphs);
	}
	free(m->outputs);
	free(m->messages);
	memset(m, 0, sizeof *m);
}

/* ---- content hashes ---------------------------------------------------------------------------- */

int hash_file(const char *path, hash_digest *out)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	hash_ctx c;
	hash_init(&c);
	static char chunk[1 << 16];
	ssize_t k;
	while ((k = read(fd, chunk, sizeof chunk)) != 0) {
		if (k < 0 && errno == EINTR)
			continue;
		if (k < 0) {
			int e = errno;
			close(fd);
			return e;
		}
		hash_update(&c, chunk, (size_t)k);
	}
	close(fd);
	*out = hash_final(&c);
	return 0;
}

static int cmp_names(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
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
		qsort(names, n, sizeof *names, cmp_names);
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
				err = hash_file(path, &d);
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
	if ((line = next_line(&p, end, &n)) && n == strlen(cache_magic) &&
	    memcmp(line, cache_magic, n) == 0) {
		while ((line = next_line(&p, end, &n)) != NULL) {
			const char *s = line, *le = line + n;
			cache_entry ce = {0};
			int64_t dev, ino;
			if (!take_hash(&s, le, &ce.hash) || !take_int(&s, le, &dev) || !take_int(&s, le, &ino) ||
			    !take_int(&s, le, &ce.size) || !take_int(&s, le, &ce.mtime_ns) ||
			    !take_int(&s, le, &ce.ctime_ns) || s >= le)
				continue;
			ce.dev = (uint64_t)dev;
			ce.ino = (uint64_t)ino;
			ce.path = unescape(s, (size_t)(le - s));
			c->e = xrealloc(c->e, (c->n + 1) * sizeof *c->e);
			c->e[c->n++] = ce;
		}
	}
	free(data);
	return c;
}

static int64_t ns_of(struct timespec t)
{
	return (int64_t)t.tv_sec * 1000000000 + t.tv_nsec;
}

int hash_cache_file(hash_cache *c, const char *path, hash_digest *out)
{
	struct stat st;
	if (stat(path, &st) != 0)
		return errno;
	cache_entry now = {.dev = (uint64_t)st.st_dev, .ino = (uint64_t)st.st_ino, .size = st.st_size,
	                   .mtime_ns = ns_of(st.st_mtim), .ctime_ns = ns_of(st.st_ctim)};
	cache_entry *hit = NULL;
	for (size_t i = 0; i < c->n && !hit; i++)
		if (strcmp(c->e[i].path, path) == 0)
			hit = &c->e[i];
	if (hit && hit->dev == now.dev && hit->ino == now.ino && hit->size == now.size &&
	    hit->mtime_ns == now.mtime_ns && hit->ctime_ns == now.ctime_ns) {
		*out = hit->hash;
		return 0;
	}
	int e = hash_file(path, &now.hash);
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
			put_escaped(&b, c->e[i].path);
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

/* ---- transactions ------------------------------------------------------------------------------ */

typedef enum op_kind { OP_FILE, OP_DELETE, OP_RMDIR } op_kind;

typedef struct txn_op {
	op_kind kind;
	int fd;            /* OP_FILE: unnamed file to link, or -1 */
	char *tmp;         /* OP_FILE: its temporary name */
	char *path;        /* final name, file to delete, directory to remove */
	int64_t size;      /* OP_DELETE: expected, or -1 */
	int64_t mtime_ns;
	bool linked;       /* OP_FILE: tmp exists (ours to remove on rollback) */
} txn_op;

struct txn {
	char *journal;
	txn_op *ops;
	size_t n;
};

static const char journal_magic[] = "budgetgen journal 1";

txn *txn_new(const char *journal)
{
	txn *t = xcalloc(1, sizeof *t);
	t->journal = xstrdup(journal);
	return t;
}

static txn_op *add_op(txn *t, op_kind kind, const char *path)
{
	t->ops = xrealloc(t->ops, (t->n + 1) * sizeof *t->ops);
	txn_op *op = &t->ops[t->n++];
	memset(op, 0, sizeof *op);
	op->kind = kind;
	op->fd = -1;
	op->size = -1;
	op->path = xstrdup(path);
	return op;
}

void txn_add_file(txn *t, int fd, const char *tmp, const char *final)
{
	txn_op *op = add_op(t, OP_FILE, final);
	op->fd = fd;
	if (tmp) {
		op->tmp = xstrdup(tmp);
		op->linked = true;
	} else {
		size_t n = strlen(final) + 32;
		op->tmp = xmalloc(n);
		snprintf(op->tmp, n, "%s.tmp%ld", final, (long)getpid());
	}
}

void txn_add_delete(txn *t, const char *path, int64_t size, int64_t mtime_ns)
{
	txn_op *op = add_op(t, OP_DELETE, path);
	op->size = size;
	op->mtime_ns = mtime_ns;
}

void txn_add_rmdir(txn *t, const char *dir)
{
	add_op(t, OP_RMDIR, dir);
}

void txn_free(txn *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->n; i++) {
		free(t->ops[i].tmp);
		free(t->ops[i].path);
	}
	free(t->ops);
	free(t->journal);
	free(t);
}

static char *dir_of(const char *path)
{
	char *d = xstrdup(path);
	char *slash = strrchr(d, '/');
	if (slash && slash != d)
		*slash = '\0';
	else
		strcpy(d, slash ? "/" : ".");
	return d;
}

static int fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int e = fsync(fd) != 0 && errno != EINVAL ? errno : 0;
	close(fd);
	return e;
}

/* fsyncs the directory of each path (each directory once). */
static int fsync_dirs(char **paths, size_t n)
{
	int err = 0;
	char **seen = xcalloc(n ? n : 1, sizeof *seen);
	size_t ns = 0;
	for (size_t i = 0; i < n; i++) {
		char *d = dir_of(paths[i]);
		bool dup = false;
		for (size_t k = 0; k < ns && !dup; k++)
			dup = strcmp(seen[k], d) == 0;
		if (dup) {
			free(d);
			continue;
		}
		seen[ns++] = d;
		int e = fsync_dir(d);
		if (!err)
			err = e;
	}
	for (size_t k = 0; k < ns; k++)
		free(seen[k]);
	free(seen);
	return err;
}

static void format_journal(const txn *t, buf *b)
{
	buf_printf(b, "%s\n", journal_magic);
	for (size_t i = 0; i < t->n; i++) {
		const txn_op *op = &t->ops[i];
		switch (op->kind) {
		case OP_FILE:
			buf_puts(b, "file ");
			put_escaped(b, op->tmp);
			buf_putc(b, '\t');
			put_escaped(b, op->path);
			break;
		case OP_DELETE:
			buf_printf(b, "delete %lld %lld ", (long long)op->size, (long long)op->mtime_ns);
			put_escaped(b, op->path);
			break;
		case OP_RMDIR:
			buf_puts(b, "rmdir ");
			put_escaped(b, op->path);
			break;
		}
		buf_putc(b, '\n');
	}
}

/* Whether path is still the file that was recorded. */
static bool still_same(const char *path, int64_t size, int64_t mtime_ns)
{
	struct stat st;
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
		return false;
	return size < 0 || (st.st_size == size && ns_of(st.st_mtim) == mtime_ns);
}

/* Testing only: BUDGETGEN_TEST_TXN_PAUSE_MS makes every step of a transaction take that long, so
 * that tests/batch/run.py can kill a build in the middle of its commits. */
static void test_pause(void)
{
	static long ms = -1;
	if (ms < 0) {
		const char *v = getenv("BUDGETGEN_TEST_TXN_PAUSE_MS");
		ms = v ? strtol(v, NULL, 10) : 0;
		ms = ms < 0 ? 0 : ms > 10000 ? 10000 : ms;
	}
	if (ms)
		usleep((useconds_t)ms * 1000);
}

/* The second half, after the commit mark: also what recovery does for a committed journal.
 * touched: room for t->n + 1 paths, allocated by the caller before the mark (NULL: here), so
 * that no allocation — which could end the process through util_oom — falls between the mark
 * and the renames. */
static int roll_forward(txn *t, const char *state_dir, char *err, size_t errlen, char **touched)
{
	int first = 0;
	if (!touched)
		touched = xcalloc(t->n + 1, sizeof *touched);
	size_t nt = 0;
	for (size_t i = 0; i < t->n; i++) {
		txn_op *op = &t->ops[i];
		if (op->kind == OP_FILE) {
			test_pause();
			if (rename(op->tmp, op->path) == 0) {
				op->linked = false;
			} else if (errno != ENOENT && !first) {
				first = errno;
				snprintf(err, errlen, "%s", op->path);
			}
			touched[nt++] = op->path;
		} else if (op->kind == OP_DELETE) {
			if (still_same(op->path, op->size, op->mtime_ns) && unlink(op->path) != 0 &&
			    errno != ENOENT && !first) {
				first = errno;
				snprintf(err, errlen, "%s", op->path);
			}
			touched[nt++] = op->path;
		}
	}
	for (size_t i = 0; i < t->n; i++)
		if (t->ops[i].kind == OP_RMDIR && rmdir(t->ops[i].path) == 0)
			touched[nt++] = t->ops[i].path;
	int e = fsync_dirs(touched, nt);
	free(touched);
	if (!first && e && e != ENOENT) {
		first = e;
		snprintf(err, errlen, "%s", t->journal);
	}
	if (!first) { /* done: the journal goes, durably, so it is never replayed */
		unlink(t->journal);
		fsync_dir(state_dir);
	}
	return first;
}

static void roll_back(txn *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->ops[i].kind == OP_FILE && t->ops[i].linked && t->ops[i].tmp)
			unlink(t->ops[i].tmp);
	unlink(t->journal);
}

/* Until the commit mark, running out of memory (util_oom) must leave nothing behind: the journal
 * and the temporaries are registered with util_temp_register while they may exist; from the mark
 * on they are the next build's to roll forward, and unregistered. */
static void register_temps(txn *t, bool on)
{
	void (*f)(const char *) = on ? util_temp_register : util_temp_unregister;
	f(t->journal);
	for (size_t i = 0; i < t->n; i++)
		if (t->ops[i].kind == OP_FILE && t->ops[i].tmp)
			f(t->ops[i].tmp);
}

int txn_run(txn *t, char *err, size_t errlen)
{
	err[0] = '\0';
	char *state_dir = dir_of(t->journal);
	char **touched = xcalloc(t->n + 1, sizeof *touched); /* for roll_forward */
	buf j = {0};
	format_journal(t, &j);
	register_temps(t, true);
	int fd = open(t->journal, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	int e = fd < 0 ? errno : fd_write_all(fd, j.data, j.len);
	buf_free(&j);
	/* the journal names every temporary before it exists */
	for (size_t i = 0; i < t->n && !e; i++) {
		txn_op *op = &t->ops[i];
		if (op->kind != OP_FILE || op->linked)
			continue;
		test_pause();
		char proc[FD_PROC_MAX];
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", op->fd);
		unlink(op->tmp); /* left by a process that had our pid */
		if (linkat(AT_FDCWD, proc, AT_FDCWD, op->tmp, AT_SYMLINK_FOLLOW) != 0) {
			e = errno;
			snprintf(err, errlen, "%s", op->tmp);
		} else {
			op->linked = true;
		}
	}
	if (!e) {
		char **finals = xcalloc(t->n + 1, sizeof *finals);
		size_t nf = 0;
		for (size_t i = 0; i < t->n; i++)
			if (t->ops[i].kind == OP_FILE)
				finals[nf++] = t->ops[i].tmp;
		e = fsync_dirs(finals, nf);
		free(finals);
		if (e)
			snprintf(err, errlen, "%s", t->journal);
	}
	/* the commit mark: from here on the change happens, now or at the next build */
	static const char mark[] = "commit\n";
	if (!e && (e = fd_write_all(fd, mark, sizeof mark - 1)) != 0)
		snprintf(err, errlen, "%s", t->journal);
	if (fd >= 0)
		close(fd);
	test_pause();
	if (e && !err[0])
		snprintf(err, errlen, "%s", t->journal);
	if (e) {
		roll_back(t);
		register_temps(t, false);
		free(touched);
		free(state_dir);
		return e;
	}
	register_temps(t, false);
	e = roll_forward(t, state_dir, err, errlen, touched);
	free(state_dir);
	return e;
}

/* ---- recovery and strays ----------------------------------------------------------------------- */

static bool ends_with(const char *s, const char *suffix)
{
	size_t n = strlen(s), m = strlen(suffix);
	return n >= m && strcmp(s + n - m, suffix) == 0;
}

/* Reads a journal back into a transaction; *committed tells whether it has its mark. */
static txn *read_journal(const char *path, bool *committed)
{
	char *data;
	size_t len;
	*committed = false;
	if (file_read(path, (size_t)64 << 20, &data, &len) != 0)
		return NULL;
	txn *t = txn_new(path);
	const char *p = data, *end = data + len, *line, *rest;
	size_t n, rlen;
	bool ok = (line = next_line(&p, end, &n)) && n == strlen(journal_magic) &&
	          memcmp(line, journal_magic, n) == 0;
	while (ok && (line = next_line(&p, end, &n)) != NULL) {
		const char *le = line + n;
		if (p == end && (end[-1] != '\n')) /* a torn last line */
			break;
		if (n == 6 && memcmp(line, "commit", 6) == 0) {
			*committed = p == end;
			break;
		}
		if (field(line, n, "file", &rest, &rlen)) {
			const char *tab = memchr(rest, '\t', rlen);
			if (!tab)
				break;
			char *tmp = unescape(rest, (size_t)(tab - rest));
			char *fin = unescape(tab + 1, (size_t)(le - tab - 1));
			txn_add_file(t, -1, tmp, fin);
			free(tmp);
			free(fin);
		} else if (field(line, n, "delete", &rest, &rlen)) {
			int64_t size, mt;
			if (!take_int(&rest, le, &size) || !take_int(&rest, le, &mt))
				break;
			char *path2 = unescape(rest, (size_t)(le - rest));
			txn_add_delete(t, path2, size, mt);
			free(path2);
		} else if (field(line, n, "rmdir", &rest, &rlen)) {
			char *path2 = unescape(rest, rlen);
			txn_add_rmdir(t, path2);
			free(path2);
		} else {
			break;
		}
	}
	free(data);
	if (!ok) {
		txn_free(t);
		return NULL;
	}
	return t;
}

size_t txn_recover(const char *state_dir)
{
	DIR *dp = opendir(state_dir);
	if (!dp)
		return 0;
	size_t handled = 0;
	char **names = NULL;
	size_t n = 0;
	struct dirent *e;
	while ((e = readdir(dp)) != NULL) {
		if (ends_with(e->d_name, ".journal")) {
			names = xrealloc(names, (n + 1) * sizeof *names);
			names[n++] = xstrdup(e->d_name);
		}
	}
	closedir(dp);
	if (n)
		qsort(names, n, sizeof *names, cmp_names);
	for (size_t i = 0; i < n; i++) {
		size_t plen = strlen(state_dir) + strlen(names[i]) + 2;
		char *path = xmalloc(plen);
		snprintf(path, plen, "%s/%s", state_dir, names[i]);
		bool committed;
		txn *t = read_journal(path, &committed);
		if (t && committed) {
			char err[512];
			roll_forward(t, state_dir, err, sizeof err, NULL);
		} else if (t) {
			roll_back(t);
		} else {
			unlink(path); /* not even its first line: nothing was linked yet */
		}
		txn_free(t);
		handled++;
		free(path);
		free(names[i]);
	}
	free(names);
	return handled;
}

/* "….tmp" followed by digits to the end of the name. */
static bool is_stray(const char *name)
{
	const char *t = strstr(name, ".tmp");
	while (t) {
		const char *d = t + 4;
		if (*d >= '0' && *d <= '9') {
			while (*d >= '0' && *d <= '9')
				d++;
			if (!*d)
				return true;
		}
		t = strstr(t + 1, ".tmp");
	}
	return false;
}

static size_t remove_strays_in(const char *dir, int depth)
{
	DIR *dp = opendir(dir);
	if (!dp)
		return 0;
	size_t removed = 0;
	struct dirent *e;
	while ((e = readdir(dp)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		size_t plen = strlen(dir) + strlen(e->d_name) + 2;
		char *path = xmalloc(plen);
		snprintf(path, plen, "%s/%s", dir, e->d_name);
		struct stat st;
		if (lstat(path, &st) == 0) {
			if (S_ISDIR(st.st_mode) && depth > 0 &&
			    (e->d_name[0] != '.' || strcmp(e->d_name, MANIFEST_DIR) == 0))
				removed += remove_strays_in(path, depth - 1);
			else if (S_ISREG(st.st_mode) && is_stray(e->d_name) && unlink(path) == 0)
				removed++;
		}
		free(path);
	}
	closedir(dp);
	return removed;
}

size_t manifest_remove_strays(const char *out_dir)
{
	/* OUT/<部门>/, OUT/<部门>/项目/ and OUT/.budgetgen/; never OUT itself */
	DIR *dp = opendir(out_dir);
	if (!dp)
		return 0;
	size_t removed = 0;
	struct dirent *e;
	while ((e = readdir(dp)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0 ||
		    (e->d_name[0] == '.' && strcmp(e->d_name, MANIFEST_DIR) != 0))
			continue;
		size_t plen = strlen(out_dir) + strlen(e->d_name) + 2;
		char *path = xmalloc(plen);
		snprintf(path, plen, "%s/%s", out_dir, e->d_name);
		struct stat st;
		if (lstat(path, &st) == 0 && S_ISDIR(st.st_mode))
			removed += remove_strays_in(path, 1);
		free(path);
	}
	closedir(dp);
	return removed;
}

/* ---- files -------------------------------------------------------------------------------------- */

int tmpfile_open(const char *dir, const char *final, char **tmp)
{
	*tmp = NULL;
	int fd = open(dir, O_TMPFILE | O_WRONLY | O_CLOEXEC, 0666);
	if (fd >= 0 || (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL))
		return fd;
	size_t n = strlen(final) + 32;
	*tmp = xmalloc(n);
	snprintf(*tmp, n, "%s.tmp%ld", final, (long)getpid());
	fd = open(*tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	if (fd < 0) {
		int e = errno;
		free(*tmp);
		*tmp = NULL;
		errno = e;
	}
	return fd;
}

int fd_write_all(int fd, const void *data, size_t len)
{
	const char *p = data;
	while (len > 0) {
		ssize_t w = write(fd, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return errno;
		p += w;
		len -= (size_t)w;
	}
	return fsync(fd) != 0 ? errno : 0;
}

int manifest_lock(const char *state_dir, void (*wait_note)(void))
{
	int e = dir_make(state_dir);
	if (e) {
		errno = e;
		return -1;
	}
	int fd = open(state_dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC); /* the lock is on the directory */
	if (fd < 0)
		return -1;
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		if (errno == EWOULDBLOCK && wait_note)
			wait_note();
		while ((e = flock(fd, LOCK_EX) != 0 ? errno : 0) == EINTR) {
		}
		if (e) {
			close(fd);
			errno = e;
			return -1;
		}
	}
	return fd;
}
