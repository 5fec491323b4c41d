/* txn.c — a department's files replaced together (txn.h): the journal, the temporaries linked
 * under their names, the commit mark, the renames; and what the next build does with a journal an
 * interrupted one left (roll forward or back) and with stray temporaries. Every path of a
 * transaction is relative to OUT and opened through a descriptor of OUT (the *at calls), never
 * through a symlinked directory. */
#define _GNU_SOURCE /* linkat with AT_SYMLINK_FOLLOW on /proc/self/fd */
#include "batch/txn.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/diag.h"
#include "batch/manifest.h" /* MANIFEST_DIR */
#include "batch/records.h"

enum { FD_PROC_MAX = 32 }; /* "/proc/self/fd/N" */

/* ---- transactions ------------------------------------------------------------------------------ */

typedef enum op_kind { OP_FILE, OP_DELETE, OP_RMDIR } op_kind;

typedef struct txn_op {
	op_kind kind;
	int fd;            /* OP_FILE: unnamed file to link, or -1 */
	char *tmp;         /* OP_FILE: its temporary name */
	char *abs_tmp;     /* OP_FILE: the same as the process names it (util_temp_register) */
	char *path;        /* final name, file to delete, directory to remove */
	int64_t size;      /* OP_DELETE: expected, or -1 */
	int64_t mtime_ns;
	bool linked;       /* OP_FILE: tmp exists (ours to remove on rollback) */
} txn_op;

struct txn {
	char *journal;     /* as the process opens it */
	char *rootpath;
	int root;          /* OUT, which every op's path is relative to; -1 with root_err */
	int root_err;
	txn_op *ops;
	size_t n;
};

/* version 2: paths relative to OUT (version 1 had them relative to where the build ran) */
static const char journal_magic[] = "budgetgen journal 2";

txn *txn_new(const char *root, const char *journal)
{
	txn *t = xcalloc(1, sizeof *t);
	t->journal = xstrdup(journal);
	t->rootpath = xstrdup(root);
	t->root = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	t->root_err = t->root < 0 ? errno : 0;
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
		op->tmp = file_temp_name(final);
	}
	op->abs_tmp = path_join(t->rootpath, op->tmp);
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
		free(t->ops[i].abs_tmp);
		free(t->ops[i].path);
	}
	free(t->ops);
	free(t->journal);
	free(t->rootpath);
	if (t->root >= 0)
		close(t->root);
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

static int fsync_dir(int at, const char *dir)
{
	int fd = openat(at, dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno;
	int e = fsync(fd) != 0 && errno != EINVAL ? errno : 0;
	close(fd);
	return e;
}

/* fsyncs the directory of each path (relative to root; each directory once). */
static int fsync_dirs(int root, char **paths, size_t n)
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
		int e = fsync_dir(root, d);
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
			rec_put_escaped(b, op->tmp);
			buf_putc(b, '\t');
			rec_put_escaped(b, op->path);
			break;
		case OP_DELETE:
			buf_printf(b, "delete %lld %lld ", (long long)op->size, (long long)op->mtime_ns);
			rec_put_escaped(b, op->path);
			break;
		case OP_RMDIR:
			buf_puts(b, "rmdir ");
			rec_put_escaped(b, op->path);
			break;
		}
		buf_putc(b, '\n');
	}
}

/* Whether every directory on the way to rel (relative to root) is a real directory, not a
 * symlink (one that does not exist yet is fine: nothing can be reached through it). */
static bool confined(int root, const char *rel)
{
	char *p = xstrdup(rel);
	bool ok = true;
	for (char *s = strchr(p, '/'); s && ok; s = strchr(s + 1, '/')) {
		*s = '\0';
		struct stat st;
		ok = fstatat(root, p, &st, AT_SYMLINK_NOFOLLOW) == 0 ? S_ISDIR(st.st_mode) : errno == ENOENT;
		*s = '/';
	}
	free(p);
	return ok;
}

/* Whether path is still the file that was recorded. */
static bool still_same(int root, const char *path, int64_t size, int64_t mtime_ns)
{
	struct stat st;
	if (fstatat(root, path, &st, AT_SYMLINK_NOFOLLOW) != 0 || !S_ISREG(st.st_mode))
		return false;
	return size < 0 || (st.st_size == size && timespec_ns(st.st_mtim) == mtime_ns);
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
			if (renameat(t->root, op->tmp, t->root, op->path) == 0) {
				op->linked = false;
			} else if (errno != ENOENT && !first) {
				first = errno;
				snprintf(err, errlen, "%s/%s", t->rootpath, op->path);
			}
			touched[nt++] = op->path;
		} else if (op->kind == OP_DELETE) {
			if (still_same(t->root, op->path, op->size, op->mtime_ns) &&
			    unlinkat(t->root, op->path, 0) != 0 &&
			    errno != ENOENT && !first) {
				first = errno;
				snprintf(err, errlen, "%s/%s", t->rootpath, op->path);
			}
			touched[nt++] = op->path;
		}
	}
	for (size_t i = 0; i < t->n; i++)
		if (t->ops[i].kind == OP_RMDIR && unlinkat(t->root, t->ops[i].path, AT_REMOVEDIR) == 0)
			touched[nt++] = t->ops[i].path;
	int e = fsync_dirs(t->root, touched, nt);
	free(touched);
	if (!first && e && e != ENOENT) {
		first = e;
		snprintf(err, errlen, "%s", t->journal);
	}
	if (!first) { /* done: the journal goes, durably, so it is never replayed */
		unlink(t->journal);
		fsync_dir(AT_FDCWD, state_dir);
	}
	return first;
}

static void roll_back(txn *t)
{
	for (size_t i = 0; i < t->n; i++)
		if (t->ops[i].kind == OP_FILE && t->ops[i].linked && t->ops[i].tmp)
			unlinkat(t->root, t->ops[i].tmp, 0);
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
			f(t->ops[i].abs_tmp);
}

/* Why a transaction's paths may not be acted on, or NULL: a path that is not relative to OUT or
 * leads through a symlink, a temporary that is not its file's, a delete of "whatever is there". */
static const char *unsafe(const txn *t, const char **path)
{
	for (size_t i = 0; i < t->n; i++) {
		const txn_op *op = &t->ops[i];
		*path = op->path;
		if (!rec_path_ok(op->path) || (op->kind == OP_FILE && !rec_path_ok(op->tmp)))
			return "路径不在输出目录内";
		if (!confined(t->root, op->path))
			return "路径经过符号链接";
		if (op->kind == OP_DELETE && (op->size < 0 || !strchr(op->path, '/')))
			return "要删除的文件没有记录大小，或不在部门目录内";
		size_t n = strlen(op->path);
		if (op->kind == OP_FILE && (strncmp(op->tmp, op->path, n) != 0 ||
		                            strchr(op->tmp + n, '/') || !file_is_temp_name(op->tmp + n)))
			return "临时文件名不是 budgetgen 的";
	}
	*path = NULL;
	return NULL;
}

int txn_run(txn *t, char *err, size_t errlen)
{
	err[0] = '\0';
	const char *bad;
	if (t->root < 0) {
		snprintf(err, errlen, "%s", t->rootpath);
		return t->root_err;
	}
	if (unsafe(t, &bad)) { /* never for what build.c makes: it refuses symlinked directories first */
		snprintf(err, errlen, "%s/%s", t->rootpath, bad);
		return ELOOP;
	}
	/* every name a file goes to is a regular file or free: a directory or anything else there
	 * fails the transaction now, before the mark, with nothing replaced */
	for (size_t i = 0; i < t->n; i++) {
		struct stat st;
		if (t->ops[i].kind != OP_FILE || fstatat(t->root, t->ops[i].path, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
		    S_ISREG(st.st_mode))
			continue;
		snprintf(err, errlen, "%s/%s", t->rootpath, t->ops[i].path);
		roll_back(t); /* the named temporaries it was given */
		return S_ISDIR(st.st_mode) ? EISDIR : S_ISLNK(st.st_mode) ? ELOOP : UTIL_ENOTREG;
	}
	char *state_dir = dir_of(t->journal);
	char **touched = xcalloc(t->n + 1, sizeof *touched); /* for roll_forward */
	buf j = {0};
	format_journal(t, &j);
	register_temps(t, true);
	int fd = open(t->journal, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666);
	int e = fd < 0 ? errno : fd_write_synced(fd, j.data, j.len);
	buf_free(&j);
	/* the journal names every temporary before it exists */
	for (size_t i = 0; i < t->n && !e; i++) {
		txn_op *op = &t->ops[i];
		if (op->kind != OP_FILE || op->linked)
			continue;
		test_pause();
		char proc[FD_PROC_MAX];
		snprintf(proc, sizeof proc, "/proc/self/fd/%d", op->fd);
		if (linkat(AT_FDCWD, proc, t->root, op->tmp, AT_SYMLINK_FOLLOW) != 0) {
			e = errno;
			snprintf(err, errlen, "%s", op->abs_tmp);
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
		e = fsync_dirs(t->root, finals, nf);
		free(finals);
		if (e)
			snprintf(err, errlen, "%s", t->journal);
	}
	/* the commit mark: from here on the change happens, now or at the next build */
	static const char mark[] = "commit\n";
	if (!e && (e = fd_write_synced(fd, mark, sizeof mark - 1)) != 0)
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

/* Reads a journal back into a transaction; *committed tells whether it has its mark. NULL when
 * it is not a journal of this version (*torn: only the start of its first line was written). */
static txn *read_journal(const char *root, const char *path, bool *committed, bool *torn)
{
	char *data;
	size_t len;
	*committed = false;
	*torn = false;
	if (file_read(path, (size_t)64 << 20, &data, &len) != 0)
		return NULL;
	*torn = len < sizeof journal_magic && memcmp(data, journal_magic, len) == 0;
	txn *t = txn_new(root, path);
	const char *p = data, *end = data + len, *line, *rest;
	size_t n, rlen;
	bool ok = (line = rec_next_line(&p, end, &n)) && n == strlen(journal_magic) &&
	          memcmp(line, journal_magic, n) == 0;
	while (ok && (line = rec_next_line(&p, end, &n)) != NULL) {
		const char *le = line + n;
		if (p == end && (end[-1] != '\n')) /* a torn last line */
			break;
		if (n == 6 && memcmp(line, "commit", 6) == 0) {
			*committed = p == end;
			break;
		}
		if (rec_field(line, n, "file", &rest, &rlen)) {
			const char *tab = memchr(rest, '\t', rlen);
			if (!tab)
				break;
			char *tmp = rec_unescape(rest, (size_t)(tab - rest));
			char *fin = rec_unescape(tab + 1, (size_t)(le - tab - 1));
			txn_add_file(t, -1, tmp, fin);
			free(tmp);
			free(fin);
		} else if (rec_field(line, n, "delete", &rest, &rlen)) {
			int64_t size, mt;
			if (!rec_take_int(&rest, le, &size) || !rec_take_int(&rest, le, &mt))
				break;
			char *path2 = rec_unescape(rest, (size_t)(le - rest));
			txn_add_delete(t, path2, size, mt);
			free(path2);
		} else if (rec_field(line, n, "rmdir", &rest, &rlen)) {
			char *path2 = rec_unescape(rest, rlen);
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

size_t txn_recover(const char *out_dir, const char *state_dir, diag_ctx *d)
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
		qsort(names, n, sizeof *names, cmp_strings);
	for (size_t i = 0; i < n; i++) {
		size_t plen = strlen(state_dir) + strlen(names[i]) + 2;
		char *path = xmalloc(plen);
		snprintf(path, plen, "%s/%s", state_dir, names[i]);
		bool committed, torn;
		txn *t = read_journal(out_dir, path, &committed, &torn);
		const char *bad = NULL, *why = NULL;
		if (!t && !torn)
			why = "不是本版本的日志";
		else if (t && t->root >= 0)
			why = unsafe(t, &bad);
		if (why) {
			char reason[1024];
			snprintf(reason, sizeof reason, "%s%s%s%s", why, bad ? "：“" : "", bad ? bad : "",
			         bad ? "”" : "");
			diag_report(d, (srcloc){0}, D_STATE_DAMAGED, "日志文件", path, reason);
			unlink(path); /* and nothing it names is touched */
		} else if (t && t->root < 0) {
			/* OUT cannot be opened: the build fails on it and the journal waits */
		} else if (t && committed) {
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

/* Removes the temporaries a killed build left in dir (a real directory, not a symlink), and in
 * its subdirectory sub when not NULL. */
static size_t remove_strays_in(const char *dir, const char *sub)
{
	struct stat st;
	if (lstat(dir, &st) != 0 || !S_ISDIR(st.st_mode))
		return 0;
	DIR *dp = opendir(dir);
	if (!dp)
		return 0;
	size_t removed = 0;
	struct dirent *e;
	while ((e = readdir(dp)) != NULL) {
		if (!file_is_temp_name(e->d_name))
			continue;
		char *path = path_join(dir, e->d_name);
		if (lstat(path, &st) == 0 && S_ISREG(st.st_mode) && unlink(path) == 0)
			removed++;
		free(path);
	}
	closedir(dp);
	if (sub) {
		char *path = path_join(dir, sub);
		removed += remove_strays_in(path, NULL);
		free(path);
	}
	return removed;
}

size_t txn_remove_strays(const char *out_dir, char *const *dirs, size_t ndirs)
{
	/* OUT/.budgetgen/, and OUT/<部门>/ with OUT/<部门>/项目/ for each department directory a
	 * manifest names; never OUT itself nor any other directory */
	char *state = path_join(out_dir, MANIFEST_DIR);
	size_t removed = remove_strays_in(state, NULL);
	free(state);
	for (size_t i = 0; i < ndirs; i++) {
		char *path = path_join(out_dir, dirs[i]);
		removed += remove_strays_in(path, "项目");
		free(path);
	}
	return removed;
}

const char *txn_error_text(int e)
{
	return e == ELOOP ? "路径中有符号链接（budgetgen 不经符号链接写入或删除文件）" : errno_text(e);
}
