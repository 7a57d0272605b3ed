/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "job.h"
#include "journal.h"
#include "verdict.h"

/* One run: what systemd said, and the output as read back from the journal. */
typedef struct RunResult {
        RunOutcome outcome;
        char invocation_id[33];
        Buffer out;
        Buffer err;
        Verdict verdict;
} RunResult;

/* What runners share: one event loop, one connection to systemd, one journal socket and reader. */
typedef struct RunnerContext {
        sd_event *event;
        sd_bus *bus;
        JournalSink *sink;
        JournalReader *reader;
} RunnerContext;

typedef struct RunnerConfig {
        const char *runtime_dir;    /* where job sources live, e.g. /run/kw */
        const char *job_id;         /* 32 hex digits */
        const char *runstat_path;   /* kw-runstat, run as each unit's ExecStopPost= */
        const char *exec_path;      /* kw-exec, each unit's first process */
        const char *slice;          /* Slice= of the units, or NULL */
} RunnerConfig;

/* Runs one job: every case in its own transient unit, at most policy->caps.parallel_runs at once,
 * each followed to its end, the output read back from the journal and judged. */
typedef struct Runner Runner;

/* Called once, when the job is judged (or has failed as a whole); it may free the runner. */
typedef void (*RunnerDoneFn)(Runner *runner, void *userdata);

/* The runner borrows @job, @policy and the strings of @config until it is freed. */
int runner_new(const RunnerContext *ctx, const Job *job, const Policy *policy, const RunnerConfig *config,
               RunnerDoneFn done, void *userdata, Runner **ret);

/**
 * runner_start() - write the job's source and start its first runs.
 * Return: 0, or -errno if the job cannot run at all (logged; @done will not be called).
 */
int runner_start(Runner *runner);

/* Stop every active run (SIGKILL to its unit); pending runs will not start. @reason ends up in
 * each unfinished run's internal_error. @done is still called, once they have ended. */
void runner_cancel(Runner *runner, const char *reason);

/* One result per run, indexed like the job's cases; valid in and after @done. */
const RunResult *runner_results(const Runner *runner);

Runner *runner_free(Runner *runner);
DEFINE_TRIVIAL_CLEANUP_FUNC(Runner *, runner_free);

void run_results_free(RunResult *r, size_t n);

/**
 * runner_find_helper() - kw-runstat or kw-exec: beside the running program (a build tree), else
 * where meson installed them. PID 1 runs them, so they must be root's and writable by nobody else.
 * Return: 0 or -errno.
 */
int runner_find_helper(const char *name, char **ret);

/**
 * bus_open_systemd() - a connection to systemd through the system bus, attached to @event,
 * subscribed to unit signals, with @on_disconnected called if it is lost. Not systemd's private
 * socket, though that saves a hop: AddRef tracks the caller by bus name, which a direct connection
 * lacks. Return: 0 or -errno.
 */
int bus_open_systemd(sd_event *event, sd_bus_message_handler_t on_disconnected, void *userdata, sd_bus **ret);
