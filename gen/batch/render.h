/* render.h — a build's jobs, run by the worker processes of pool.h: a job names a department and
 * the outputs of it to render; its result says per output whether it was written (then the new,
 * unnamed file comes with it), its size and mtime and the characters no font could draw. Used by
 * build.c only. */
#ifndef BUDGETGEN_RENDER_H
#define BUDGETGEN_RENDER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "batch/build_int.h"
#include "batch/pool.h"

/* A job: this header, then n output indices (32 bits each). */
typedef struct job_header {
	uint32_t dept;
	uint32_t n;
} job_header;

/* pool_work_fn (ctx: the builder): renders the outputs a job names; answers with one record and
 * one fd per written output. */
void render_job(void *ctx, const void *job, size_t len, pool_msg *res);
/* Takes a job's result into department di's outputs (crashed: its worker died; said: and said why
 * on stderr). idx, n: the outputs the job named. */
void render_take_result(builder *b, pool_msg *res, bool crashed, bool said, size_t di,
                        const uint32_t *idx, size_t n);
/* A file grown past the size limit (ulimit -f) must fail its write with EFBIG and be reported,
 * not kill the process by SIGXFSZ: this catches the signal (in the driver, and so in the workers
 * it starts later) and remembers it; render_job then says "文件超过大小限制" for the output whose
 * rendering or writing hit the limit, also when that was in a library's memory file. */
void render_catch_fsize(void);
/* The error text for a failed write: the size limit for EFBIG, 打开的文件太多 for EMFILE and
 * ENFILE, errno_text otherwise. */
const char *render_write_error(int e);

/* Descriptors a process needs free to render one output, and those it has free now (SIZE_MAX:
 * no limit). */
size_t render_fds_needed(const builder *b);
size_t render_fds_free(void);

/* Frees the department a worker (or the driver with -j 1) keeps loaded between jobs. */
void render_forget(builder *b);

#endif
