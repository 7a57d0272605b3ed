/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "job.h"
#include "outcome.h"

/* Run times in milliseconds: 1 ms steps to 1 s, 10 ms to 10 s, 100 ms to 100 s, then one bucket. */
#define HISTOGRAM_BUCKETS (1000 + 900 + 900 + 1)

typedef struct Histogram {
        uint64_t count;
        uint64_t buckets[HISTOGRAM_BUCKETS];
} Histogram;

void histogram_add(Histogram *h, uint64_t ms);
/* The value below which @percent of the samples lie, to the bucket's resolution; 0 if empty. */
uint64_t histogram_percentile(const Histogram *h, unsigned percent);

/* kwd's counters since it started, for `kwctl stats`. */
typedef struct Stats {
        uint64_t started_usec;          /* CLOCK_REALTIME */
        uint64_t jobs;                  /* judged (or failed whole) */
        uint64_t jobs_by_verdict[_VERDICT_MAX];
        uint64_t runs;
        uint64_t runs_by_verdict[_VERDICT_MAX];
        uint64_t rejected;              /* bad input */
        uint64_t busy;                  /* turned away: queue full */
        uint64_t runs_by_event[_RUN_EVENT_MAX];  /* runs with seccomp or OOM kills, CPU or wall timeouts */
        uint64_t memory_peak_max;
        uint64_t memory_peak_sum;
        uint64_t memory_peak_count;
        Histogram run_time_ms;          /* wall time of each run */
} Stats;

void stats_add_job(Stats *s, const Job *job, const RunResult *results, Verdict overall);

/* The stats as one JSON object. Return: 0 or -ENOMEM. */
int stats_format(const Stats *s, unsigned in_flight, unsigned queued, Buffer *b);
