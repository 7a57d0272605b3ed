/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>

#include "job.h"
#include "verdict.h"

/* One run: what systemd said, and the output as read back from the journal. */
typedef struct RunResult {
        RunOutcome outcome;
        char invocation_id[33];
        Buffer out;
        Buffer err;
        Verdict verdict;
} RunResult;

typedef struct RunnerConfig {
        const char *runtime_dir;    /* where job sources live, e.g. /run/kw */
        const char *job_id;         /* 32 hex digits */
        const char *runstat_path;   /* kw-runstat, run as each unit's ExecStopPost= */
} RunnerConfig;

/**
 * runner_run_job() - run every case of @job in its own transient unit, at most
 * policy->caps.parallel_runs at once, follow each to its end, read the output back from the journal
 * and judge it. Results are indexed like the job's cases.
 * Return: 0 (each run's own failure is in its result), or -errno if the job could not run at all.
 */
int runner_run_job(sd_bus *bus, const Job *job, const Policy *policy, const RunnerConfig *config,
                   RunResult **ret_results);

void run_results_free(RunResult *r, size_t n);

/**
 * bus_open_systemd() - a connection to systemd through the system bus. Not its private socket,
 * though that saves a hop: AddRef tracks the caller by bus name, which a direct connection lacks.
 * Return: 0 or -errno.
 */
int bus_open_systemd(sd_bus **ret);
