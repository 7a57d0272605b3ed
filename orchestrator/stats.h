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

/* The buckets of the metrics' histograms (openmetrics.c): upper bounds, inclusive, each with its
 * "le" label as OpenMetrics' canonical numbers spell it. A sample counts in the first bucket it fits,
 * or above them all. */
typedef struct StatsBound {
        uint64_t value;
        const char *le;
} StatsBound;

#define STATS_RUN_TIME_BOUNDS 10
#define STATS_MEMORY_BOUNDS 6
extern const StatsBound stats_run_time_bounds_usec[STATS_RUN_TIME_BOUNDS];
extern const StatsBound stats_memory_bounds_bytes[STATS_MEMORY_BOUNDS];

/* Jobs and runs of one language. A policy names its languages; past STATS_LANGUAGES of them (or a
 * name as long as STATS_LANGUAGE_NAME) they are counted together as "other". */
#define STATS_LANGUAGES 32
#define STATS_LANGUAGE_NAME 32
typedef struct LanguageStats {
        char name[STATS_LANGUAGE_NAME];
        uint64_t jobs_by_verdict[_VERDICT_MAX];
        uint64_t runs_by_verdict[_VERDICT_MAX];
} LanguageStats;

/* kwd's counters since it started, for `kwctl stats` and the metrics. */
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
        /* For the metrics: the same runs in coarse buckets (the last: above every bound), and
         * the sums; their counts are run_time_ms.count and memory_peak_count. */
        uint64_t run_time_buckets[STATS_RUN_TIME_BOUNDS + 1];
        uint64_t run_time_usec_sum;
        uint64_t memory_buckets[STATS_MEMORY_BOUNDS + 1];
        LanguageStats languages[STATS_LANGUAGES];
        size_t n_languages;
        uint64_t redis_taken;           /* messages taken from the Redis stream */
        uint64_t redis_dead_letters;    /* of them, not a valid job: to the dead-letter stream */
} Stats;

/* The name of @e as the metrics' kind label: "seccomp", "oom_kill", "cpu_timeout", "wall_timeout". */
const char *stats_event_kind(RunEvent e);

void stats_add_job(Stats *s, const Job *job, const RunResult *results, Verdict overall);

/* The stats as one JSON object. Return: 0 or -ENOMEM. */
int stats_format(const Stats *s, unsigned in_flight, unsigned queued, Buffer *b);
