/* pool.c — worker processes and their messages (pool.h). A worker has one stream socket to the
 * parent: jobs go down as "length, bytes"; a result comes up as "length, bytes, fd count", then the
 * descriptors in SCM_RIGHTS batches. The parent hands a job to a worker only when it is idle, so
 * neither side ever waits for the other while holding a half-written message. */
#include "batch/pool.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <poll.h>
#include <unistd.h>

enum { FDS_PER_MSG = 64 };

typedef struct queued {
	void *job;
	size_t len;
	size_t tag;
} queued;

typedef struct worker {
	pid_t pid;
	int sock;         /* -1 once it is gone */
	bool busy;
	size_t tag;       /* of the job it runs */
} worker;

struct pool {
	pool_work_fn work;
	void *ctx;
	worker *w;
	int nw;
	queued *q;        /* jobs not yet handed out, in order */
	size_t qhead, qlen, qcap;
	size_t running;
};

void pool_msg_free(pool_msg *m)
{
	buf_free(&m->data);
	for (size_t i = 0; i < m->nfds; i++)
		close(m->fds[i]);
	free(m->fds);
	memset(m, 0, sizeof *m);
}

/* ---- framing ---------------------------------------------------------------------------------- */

static bool send_frame(int fd, const void *data, size_t n)
{
	uint64_t len = n;
	return fd_write_all(fd, &len, sizeof len) == 0 && fd_write_all(fd, data, n) == 0;
}

/* Reads "length, bytes" into b (replacing it). */
static bool recv_frame(int fd, buf *b)
{
	uint64_t len;
	if (fd_read_all(fd, &len, sizeof len) != 0 || len > ((uint64_t)1 << 34))
		return false;
	b->len = 0;
	buf_put(b, "", 0);
	if (b->cap < len + 1) {
		b->data = xrealloc(b->data, len + 1);
		b->cap = len + 1;
	}
	if (fd_read_all(fd, b->data, len) != 0)
		return false;
	b->len = len;
	b->data[len] = '\0';
	return true;
}

static bool send_fds(int sock, const int *fds, size_t n)
{
	uint64_t count = n;
	if (fd_write_all(sock, &count, sizeof count) != 0)
		return false;
	for (size_t at = 0; at < n; at += FDS_PER_MSG) {
		size_t k = n - at < FDS_PER_MSG ? n - at : FDS_PER_MSG;
		char byte = 'F';
		struct iovec iov = {.iov_base = &byte, .iov_len = 1};
		union {
			char space[CMSG_SPACE(sizeof(int) * FDS_PER_MSG)];
			struct cmsghdr align;
		} u;
		memset(&u, 0, sizeof u);
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.space,
		                    .msg_controllen = CMSG_SPACE(sizeof(int) * k)};
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int) * k);
		memcpy(CMSG_DATA(c), fds + at, sizeof(int) * k);
		ssize_t r;
		do
			r = sendmsg(sock, &mh, MSG_NOSIGNAL);
		while (r < 0 && errno == EINTR);
		if (r != 1)
			return false;
	}
	return true;
}

/* Receives the descriptors of a result. Every batch is read even when the kernel could not give
 * this process some of them (MSG_CTRUNC: no descriptor left, ulimit -n), so that the stream stays
 * in step; then none is kept and m->error is EMFILE. False when the stream itself failed. */
static bool recv_fds(int sock, pool_msg *m)
{
	uint64_t count;
	if (fd_read_all(sock, &count, sizeof count) != 0 || count > 1000000)
		return false;
	m->fds = xcalloc(count ? count : 1, sizeof *m->fds);
	bool truncated = false;
	for (uint64_t at = 0; at < count; at += FDS_PER_MSG) {
		char byte;
		struct iovec iov = {.iov_base = &byte, .iov_len = 1};
		union {
			char space[CMSG_SPACE(sizeof(int) * FDS_PER_MSG)];
			struct cmsghdr align;
		} u;
		struct msghdr mh = {.msg_iov = &iov, .msg_iovlen = 1, .msg_control = u.space,
		                    .msg_controllen = sizeof u.space};
		ssize_t r;
		do
			r = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
		while (r < 0 && errno == EINTR);
		if (r != 1)
			return false;
		if (mh.msg_flags & MSG_CTRUNC)
			truncated = true;
		for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
			if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
				continue;
			size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
			for (size_t i = 0; i < k; i++) {
				int fd;
				memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
				if (m->nfds < count)
					m->fds[m->nfds++] = fd;
				else
					close(fd);
			}
		}
	}
	if (truncated || m->nfds != count) { /* which ones are missing is not known: keep none */
		for (size_t i = 0; i < m->nfds; i++)
			close(m->fds[i]);
		m->nfds = 0;
		m->error = EMFILE;
	}
	return true;
}

/* ---- workers ------------------------------------------------------------------------------------ */

static void worker_main(pool *p, int sock)
{
	buf job = {0};
	while (recv_frame(sock, &job)) {
		pool_msg r = {0};
		p->work(p->ctx, job.data, job.len, &r);
		bool ok = send_frame(sock, r.data.data ? r.data.data : "", r.data.len) &&
		          send_fds(sock, r.fds, r.nfds);
		pool_msg_free(&r);
		if (!ok)
			break;
	}
	buf_free(&job);
	_exit(0);
}

pool *pool_start(int nworkers, pool_work_fn work, void *ctx)
{
	pool *p = xcalloc(1, sizeof *p);
	p->work = work;
	p->ctx = ctx;
	if (nworkers <= 0)
		return p;
	p->w = xcalloc((size_t)nworkers, sizeof *p->w);
	fflush(stdout);
	fflush(stderr);
	for (int i = 0; i < nworkers; i++) {
		int sv[2];
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) != 0)
			break;
		pid_t pid = fork();
		if (pid < 0) {
			close(sv[0]);
			close(sv[1]);
			break;
		}
		if (pid == 0) {
			util_temp_forget(); /* the driver's temporaries: not this worker's to remove */
			close(sv[0]);
			for (int k = 0; k < p->nw; k++) /* the other workers' sockets are not ours */
				if (p->w[k].sock >= 0)
					close(p->w[k].sock);
			worker_main(p, sv[1]);
		}
		close(sv[1]);
		p->w[p->nw++] = (worker){.pid = pid, .sock = sv[0]};
	}
	return p;
}

void pool_submit(pool *p, const void *job, size_t len, size_t tag)
{
	if (p->qlen == p->qcap) {
		p->qcap = p->qcap ? 2 * p->qcap : 64;
		p->q = xrealloc(p->q, p->qcap * sizeof *p->q);
	}
	void *copy = xmalloc(len ? len : 1);
	memcpy(copy, job, len);
	p->q[p->qlen++] = (queued){copy, len, tag};
}

size_t pool_pending(const pool *p)
{
	return p->qlen - p->qhead + p->running;
}

static int alive_workers(const pool *p)
{
	int n = 0;
	for (int i = 0; i < p->nw; i++)
		n += p->w[i].sock >= 0;
	return n;
}

/* A worker that stopped answering: reaped, its socket closed. Returns its wait status. */
static int lose_worker(worker *w)
{
	close(w->sock);
	w->sock = -1;
	int st = 0;
	while (waitpid(w->pid, &st, 0) < 0 && errno == EINTR) {
	}
	return st;
}

/* Hands queued jobs to idle workers. */
static void dispatch(pool *p)
{
	for (int i = 0; i < p->nw && p->qhead < p->qlen; i++) {
		worker *w = &p->w[i];
		if (w->sock < 0 || w->busy)
			continue;
		queued *q = &p->q[p->qhead];
		if (!send_frame(w->sock, q->job, q->len)) {
			lose_worker(w);
			continue;
		}
		free(q->job);
		w->busy = true;
		w->tag = q->tag;
		p->qhead++;
		p->running++;
	}
}

bool pool_wait(pool *p, size_t *tag, pool_msg *result, bool *crashed, int *wstatus)
{
	memset(result, 0, sizeof *result);
	*crashed = false;
	*wstatus = 0;
	if (!alive_workers(p)) {
		if (p->qhead == p->qlen)
			return false;
		queued *q = &p->q[p->qhead++];
		*tag = q->tag;
		if (p->nw) { /* every worker died: what is left fails */
			*crashed = true;
		} else {
			p->work(p->ctx, q->job, q->len, result);
		}
		free(q->job);
		return true;
	}
	dispatch(p);
	if (!p->running) /* every worker that was given a job has died since */
		return p->qhead < p->qlen ? pool_wait(p, tag, result, crashed, wstatus) : false;
	struct pollfd *pf = xcalloc((size_t)p->nw, sizeof *pf);
	for (;;) {
		int n = 0;
		for (int i = 0; i < p->nw; i++)
			if (p->w[i].sock >= 0 && p->w[i].busy)
				pf[n++] = (struct pollfd){.fd = p->w[i].sock, .events = POLLIN};
		int r = poll(pf, (nfds_t)n, -1);
		if (r < 0 && errno != EINTR) { /* cannot wait: give up on the workers */
			for (int i = 0; i < p->nw; i++)
				if (p->w[i].sock >= 0 && p->w[i].busy) {
					*tag = p->w[i].tag;
					p->w[i].busy = false;
					p->running--;
					*crashed = true;
					*wstatus = lose_worker(&p->w[i]);
					free(pf);
					return true;
				}
		}
		if (r <= 0)
			continue;
		for (int k = 0; k < n; k++) {
			if (!pf[k].revents)
				continue;
			worker *w = NULL;
			for (int i = 0; i < p->nw && !w; i++)
				if (p->w[i].sock == pf[k].fd)
					w = &p->w[i];
			free(pf);
			*tag = w->tag;
			w->busy = false;
			p->running--;
			if (!recv_frame(w->sock, &result->data) || !recv_fds(w->sock, result)) {
				pool_msg_free(result);
				*crashed = true;
				*wstatus = lose_worker(w);
			}
			return true;
		}
	}
}

void pool_stop(pool *p)
{
	if (!p)
		return;
	for (int i = 0; i < p->nw; i++)
		if (p->w[i].sock >= 0)
			lose_worker(&p->w[i]); /* EOF on its socket ends its loop */
	for (size_t i = p->qhead; i < p->qlen; i++)
		free(p->q[i].job);
	free(p->q);
	free(p->w);
	free(p);
}
