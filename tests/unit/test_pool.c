/* test_pool.c — the worker processes of the build (pool.h): jobs run and their results (bytes and
 * file descriptors, more than one SCM_RIGHTS batch of them) come back under their tags, in order
 * with no worker or one, the same with 0, 1, 2 and 3 workers; a worker that dies is reported with
 * its wait status and the others carry on; when the last worker dies what is left fails; and
 * nothing is left behind: no descriptor, no child process. Prints "N passed, M failed". */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#include "batch/pool.h"
#include "unit.h"
#include "base/util.h"

/* Jobs are text: "echo TEXT" answers "TEXT!" plus the context's prefix; "fds N TEXT" answers
 * "N files" with N descriptors, each reading "TEXT k"; "big N" answers N bytes (i * 7 mod 251);
 * "die" kills the worker; "empty" answers nothing. */
typedef struct ctx {
	const char *prefix; /* set before pool_start: the workers inherit it */
	int calls;          /* jobs run in this process */
} ctx;

static void work(void *vctx, const void *job, size_t len, pool_msg *res)
{
	ctx *c = vctx;
	c->calls++;
	char text[256];
	snprintf(text, sizeof text, "%.*s", (int)(len < 200 ? len : 200), (const char *)job);
	int n;
	char arg[128];
	if (strncmp(text, "echo ", 5) == 0) {
		buf_puts(&res->data, c->prefix);
		buf_put(&res->data, (const char *)job + 5, len - 5); /* raw: NUL bytes too */
		buf_putc(&res->data, '!');
	} else if (sscanf(text, "fds %d %127s", &n, arg) == 2) {
		res->fds = xcalloc((size_t)n, sizeof *res->fds);
		for (int k = 0; k < n; k++) {
			int fd = memfd_create("test_pool", MFD_CLOEXEC);
			if (fd < 0)
				break;
			char line[160];
			int m = snprintf(line, sizeof line, "%s %d", arg, k);
			if (write(fd, line, (size_t)m) != m) {
				close(fd);
				break;
			}
			res->fds[res->nfds++] = fd;
		}
		buf_printf(&res->data, "%zu files", res->nfds);
	} else if (sscanf(text, "big %d", &n) == 1) {
		for (int i = 0; i < n; i++)
			buf_putc(&res->data, (char)(i * 7 % 251));
	} else if (strcmp(text, "die") == 0) {
		kill(getpid(), SIGKILL);
	} else if (strcmp(text, "empty") != 0) {
		buf_puts(&res->data, "?");
	}
}

static int open_fds(void)
{
	int n = 0;
	DIR *d = opendir("/proc/self/fd");
	if (!d)
		return -1;
	for (struct dirent *e; (e = readdir(d));)
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the directory's own */
}

static bool no_children(void)
{
	return waitpid(-1, NULL, WNOHANG) == -1 && errno == ECHILD;
}

static bool is_big(const buf *b, size_t n)
{
	if (b->len != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (b->data[i] != (char)(i * 7 % 251))
			return false;
	return true;
}

enum { NJOBS = 12, MANY_FDS = 70, BIG = 3 << 20 };

/* The jobs of the round trip: tag i is job i. */
static const char *jobs[NJOBS] = {"echo 甲", "fds 2 文件", "echo b\0c", "empty", "big 3145728",
                                  "echo 乙", "fds 70 多", "echo 丙", "echo 丁", "big 10",
                                  "fds 0 无", "echo 戊"};

/* Results by tag, as text ("N files|line|line…" for descriptors), to compare pool sizes. */
static char *describe(pool_msg *m)
{
	buf b = {0};
	if (m->data.len > 1000)
		buf_printf(&b, "%zu bytes%s", m->data.len, is_big(&m->data, m->data.len) ? "" : " bad");
	else
		for (size_t i = 0; i < m->data.len; i++)
			buf_puts(&b, m->data.data[i] ? (char[2]){m->data.data[i], 0} : "\\0");
	for (size_t i = 0; i < m->nfds; i++) {
		char line[200];
		ssize_t k = pread(m->fds[i], line, sizeof line - 1, 0);
		buf_printf(&b, "|%.*s", (int)(k > 0 ? k : 0), line);
	}
	buf_putc(&b, '\0');
	return b.data;
}

static void round_trip(int nworkers, char **out)
{
	ctx c = {.prefix = "前缀"};
	pool *p = pool_start(nworkers, work, &c);
	for (size_t i = 0; i < NJOBS; i++)
		pool_submit(p, jobs[i], i == 2 ? 8 : strlen(jobs[i]), i);
	CHECK_INT_EQ(pool_pending(p), NJOBS);
	size_t order[NJOBS], n = 0, tag;
	pool_msg res;
	bool crashed;
	int st;
	while (pool_wait(p, &tag, &res, &crashed, &st)) {
		CHECK(!crashed);
		if (CHECK(tag < NJOBS && n < NJOBS) && CHECK(out[tag] == NULL)) {
			order[n++] = tag;
			out[tag] = describe(&res);
		}
		pool_msg_free(&res);
		CHECK_INT_EQ(pool_pending(p), NJOBS - n);
	}
	CHECK_INT_EQ(n, NJOBS);
	if (nworkers <= 1) /* one at a time: in the order submitted */
		for (size_t i = 0; i < n; i++)
			CHECK_INT_EQ(order[i], i);
	/* the jobs ran in this process only when there are no workers */
	CHECK_INT_EQ(c.calls, nworkers == 0 ? NJOBS : 0);
	pool_stop(p);
}

static void test_round_trip(void)
{
	int fds0 = open_fds();
	char *want[NJOBS] = {0};
	round_trip(0, want);
	CHECK_STR_EQ(want[0], "前缀甲!");
	CHECK_STR_EQ(want[1], "2 files|文件 0|文件 1");
	CHECK_STR_EQ(want[2], "前缀b\\0c!"); /* bytes, NUL included */
	CHECK_STR_EQ(want[3], "");
	CHECK_STR_EQ(want[4], "3145728 bytes");
	CHECK_STR_EQ(want[5], "前缀乙!");
	if (CHECK(want[6] != NULL)) { /* 70 descriptors: two SCM_RIGHTS batches */
		CHECK(strncmp(want[6], "70 files|多 0|多 1|", strlen("70 files|多 0|多 1|")) == 0);
		CHECK(strstr(want[6], "|多 69") != NULL);
		CHECK(strstr(want[6], "|多 70") == NULL);
	}
	CHECK_STR_EQ(want[10], "0 files");
	for (int nw = 1; nw <= 3; nw++) {
		char *got[NJOBS] = {0};
		round_trip(nw, got);
		for (int i = 0; i < NJOBS; i++) {
			unit_context = jobs[i];
			CHECK_STR_EQ(got[i], want[i]);
			free(got[i]);
		}
		unit_context = NULL;
		CHECK(no_children());
		CHECK_INT_EQ(open_fds(), fds0);
	}
	for (int i = 0; i < NJOBS; i++)
		free(want[i]);
	CHECK_INT_EQ(open_fds(), fds0);
}

/* Two workers, one dies: its job is reported crashed (SIGKILL), every other job is answered. */
static void test_crash(void)
{
	int fds0 = open_fds();
	ctx c = {.prefix = ""};
	pool *p = pool_start(2, work, &c);
	const char *list[] = {"echo 1", "die", "echo 2", "echo 3", "fds 3 x", "echo 4"};
	enum { N = sizeof list / sizeof *list };
	for (size_t i = 0; i < N; i++)
		pool_submit(p, list[i], strlen(list[i]), 100 + i);
	bool seen[N] = {0};
	size_t tag;
	pool_msg res;
	bool crashed;
	int st, ncrashed = 0;
	while (pool_wait(p, &tag, &res, &crashed, &st)) {
		if (!CHECK(tag >= 100 && tag < 100 + N) || !CHECK(!seen[tag - 100]))
			continue;
		seen[tag - 100] = true;
		if (crashed) {
			ncrashed++;
			CHECK_INT_EQ(tag, 101);
			CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
			CHECK_INT_EQ(res.data.len, 0);
			CHECK_INT_EQ(res.nfds, 0);
		} else {
			CHECK(tag != 101);
			CHECK(res.data.len > 0);
		}
		pool_msg_free(&res);
	}
	CHECK_INT_EQ(ncrashed, 1);
	for (size_t i = 0; i < N; i++)
		CHECK(seen[i]);
	pool_stop(p);
	CHECK(no_children());
	CHECK_INT_EQ(open_fds(), fds0);
}

/* The only worker dies: the jobs after it fail (crashed, status 0) instead of hanging. */
static void test_last_worker_dies(void)
{
	int fds0 = open_fds();
	ctx c = {.prefix = ""};
	pool *p = pool_start(1, work, &c);
	const char *list[] = {"echo 1", "die", "echo 2", "echo 3"};
	for (size_t i = 0; i < 4; i++)
		pool_submit(p, list[i], strlen(list[i]), i);
	size_t tag, n = 0;
	pool_msg res;
	bool crashed[4] = {0}, cr;
	int st;
	while (pool_wait(p, &tag, &res, &cr, &st)) {
		if (CHECK(tag == n))
			crashed[tag] = cr;
		if (tag == 1)
			CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL);
		pool_msg_free(&res);
		n++;
	}
	CHECK_INT_EQ(n, 4);
	CHECK(!crashed[0] && crashed[1] && crashed[2] && crashed[3]);
	CHECK_INT_EQ(pool_pending(p), 0);
	pool_stop(p);
	CHECK(no_children());
	CHECK_INT_EQ(open_fds(), fds0);
}

/* Stopping with jobs still queued ends the workers without running them. */
static void test_stop_early(void)
{
	int fds0 = open_fds();
	ctx c = {.prefix = ""};
	pool *p = pool_start(2, work, &c);
	for (size_t i = 0; i < 5; i++)
		pool_submit(p, "echo x", 6, i);
	size_t tag;
	pool_msg res;
	bool crashed;
	int st;
	CHECK(pool_wait(p, &tag, &res, &crashed, &st));
	pool_msg_free(&res);
	pool_stop(p);
	CHECK(no_children());
	CHECK_INT_EQ(open_fds(), fds0);
	pool_stop(NULL);
}

int main(void)
{
	test_round_trip();
	test_crash();
	test_last_worker_dies();
	test_stop_early();
	return unit_report();
}
