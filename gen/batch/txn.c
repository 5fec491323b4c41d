/* txn.c — a department's files replaced together (txn.h): the journal, the temporaries linked
 * under their names, the commit mark, the renames; and what the next build does with a journal an
 * interrupted one left (roll forward or back) and with stray temporaries. */
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

#include "batch/manifest.h" /* MANIFEST_DIR */
#include "batch/records.h"

enum { FD_PROC_MAX = 32 }; /* "/proc/self/fd/N" */

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
		op->tmp = file_temp_name(final);
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

/* Whether path is still the file that was recorded. */
static bool still_same(const char *path, int64_t size, int64_t mtime_ns)
{
	struct stat st;
	if (lstat(path, &st) != 0 || !S_ISREG(st.st_mode))
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
		qsort(names, n, sizeof *names, cmp_strings);
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
