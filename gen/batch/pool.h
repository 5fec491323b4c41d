/* pool.h — the build's worker processes: fork()ed copies of the driver, each with its own fonts
 * (font_set is not thread-safe, and a process cannot corrupt another's heap), that run jobs and
 * send back a result and the open files it made (SCM_RIGHTS). With no workers the jobs run in the
 * calling process, one at a time, through the same interface. Used by build.c only. */
#ifndef BUDGETGEN_POOL_H
#define BUDGETGEN_POOL_H

#include <stdbool.h>
#include <stddef.h>

#include "base/util.h"

/* A job's result: bytes, and file descriptors that move to the receiver. */
typedef struct pool_msg {
	buf data;
	int *fds;
	size_t nfds;
	int error;   /* received: EMFILE when its descriptors could not be taken (then none is here) */
} pool_msg;

/* Runs one job (in a worker, or in the caller when there are none). */
typedef void (*pool_work_fn)(void *ctx, const void *job, size_t len, pool_msg *result);

typedef struct pool pool;

/* Starts nworkers processes (0: none). The children inherit everything the caller holds now. */
pool *pool_start(int nworkers, pool_work_fn work, void *ctx);
/* Queues a job; tag comes back with its result. */
void pool_submit(pool *p, const void *job, size_t len, size_t tag);
/* Waits for some job to finish: false when none is queued or running. *crashed is set when its
 * worker died instead of answering (result empty; *wstatus its wait status); the other workers
 * carry on. */
bool pool_wait(pool *p, size_t *tag, pool_msg *result, bool *crashed, int *wstatus);
/* Number of jobs queued or running. */
size_t pool_pending(const pool *p);
/* Ends the workers and waits for them. */
void pool_stop(pool *p);

void pool_msg_free(pool_msg *m);

#endif
