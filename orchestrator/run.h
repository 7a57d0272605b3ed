/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "job.h"
#include "journal.h"
#include "pool.h"
#include "cell.h"
#include "outcome.h"
#include "progress.h"

/* What runners share: the cells' loop, bus and kw-exec, one journal socket and reader, and the
 * pool of cells (warm ones in kwd; in kwctl those started for its job). */
typedef struct RunnerContext {
        CellConfig cells;
        JournalSink *sink;
        JournalReader *reader;
        Pool *pool;
        char *exec_path;
} RunnerContext;

/* Where kwctl and kwd differ in what they run jobs with. */
typedef struct RunnerSetup {
        const char *log_namespace;   /* the journal namespace of job output, or NULL for the system's */
        const char *slice;           /* Slice= of the units, or NULL */
} RunnerSetup;

/**
 * runner_context_open() - what kwctl and kwd both run jobs with: kw's helpers found, a connection to
 * systemd on @event (@on_disconnected called if it is lost), the journal socket and reader of
 * @setup's namespace, and a pool. Return: 0 or -errno (logged). *ret needs runner_context_done()
 * either way.
 */
int runner_context_open(sd_event *event, const RunnerSetup *setup, sd_bus_message_handler_t on_disconnected,
                        void *userdata, RunnerContext *ret);
void runner_context_done(RunnerContext *ctx);

/* Runs one job: every case in a cell of the pool (an idle one, or the first that is), at most
 * policy->caps.parallel_runs at once, each followed to its end, the output read back from the
 * journal and judged. */
typedef struct Runner Runner;

/* Called once, when the job is judged (or has failed as a whole); it may free the runner. */
typedef void (*RunnerDoneFn)(Runner *runner, void *userdata);

/* Called as the job goes: when its compile begins, when its cases begin, each time a case is judged
 * (its run, and its checker's, over and their output all read back), and once more when the job is
 * judged as a whole (just before RunnerDoneFn), with the final verdicts. It must not free the runner. */
typedef void (*RunnerProgressFn)(Runner *runner, const Progress *progress, void *userdata);

/* The runner borrows @job, @policy and the strings of @ctx until it is freed. @job_id: 32 hex digits. */
int runner_new(const RunnerContext *ctx, const Job *job, const Policy *policy, const char *job_id,
               RunnerDoneFn done, void *userdata, Runner **ret);

/* Tell @fn how the job goes (see RunnerProgressFn); before runner_start(). */
void runner_set_progress(Runner *runner, RunnerProgressFn fn, void *userdata);

/**
 * runner_start() - start the job's first runs.
 * Return: 0, or -errno if the job cannot run at all (logged; @done will not be called).
 */
int runner_start(Runner *runner);

/* Stop every active run (its cell kills it); pending runs will not start. @reason ends up in each
 * unfinished run's internal_error. @done is still called, once they have ended. */
void runner_cancel(Runner *runner, const char *reason);

/* One result per case (or the one run of a job without cases), indexed like the job's cases; valid
 * in and after @done. */
const RunResult *runner_results(const Runner *runner);
/* The job's compile run, or NULL if its language is not compiled; valid in and after @done. */
const RunResult *runner_compile_result(const Runner *runner);

Runner *runner_free(Runner *runner);
DEFINE_TRIVIAL_CLEANUP_FUNC(Runner *, runner_free);

void run_results_free(RunResult *r, size_t n);

/**
 * runner_find_helper() - kw-exec: beside the running program (a build tree), else
 * where meson installed them. PID 1 runs them as root, so they must be root's and writable by nobody
 * else; an installed one also in directories nobody else can change.
 * Return: 0 or -errno.
 */
int runner_find_helper(const char *name, char **ret);
