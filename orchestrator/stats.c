/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdio.h>

#include <string.h>

#include "stats.h"

/* Run times from 10 ms (a trivial program) to 30 s (well past the default limits). */
const StatsBound stats_run_time_bounds_usec[STATS_RUN_TIME_BOUNDS] = {
        { 10000, "0.01" },     { 50000, "0.05" },     { 100000, "0.1" },      { 250000, "0.25" },
        { 500000, "0.5" },     { 1000000, "1.0" },    { 2500000, "2.5" },     { 5000000, "5.0" },
        { 10000000, "10.0" },  { 30000000, "30.0" },
};

/* Memory peaks from 1 MiB to 1 GiB, by fours. */
const StatsBound stats_memory_bounds_bytes[STATS_MEMORY_BOUNDS] = {
        { 1ULL << 20, "1.048576e+06" },   { 1ULL << 22, "4.194304e+06" },   { 1ULL << 24, "1.6777216e+07" },
        { 1ULL << 26, "6.7108864e+07" },  { 1ULL << 28, "2.68435456e+08" }, { 1ULL << 30, "1.073741824e+09" },
};

static size_t bucket_of(uint64_t ms) {
        if (ms < 1000)
                return (size_t) ms;
        if (ms < 10000)
                return 1000 + (size_t) ((ms - 1000) / 10);
        if (ms < 100000)
                return 1900 + (size_t) ((ms - 10000) / 100);
        return HISTOGRAM_BUCKETS - 1;
}

/* The upper end of bucket @b. */
static uint64_t bucket_value(size_t b) {
        if (b < 1000)
                return b;
        if (b < 1900)
                return 1000 + (b - 1000) * 10 + 9;
        if (b < 2800)
                return 10000 + (b - 1900) * 100 + 99;
        return 100000;
}

void histogram_add(Histogram *h, uint64_t ms) {
        h->buckets[bucket_of(ms)]++;
        h->count++;
}

uint64_t histogram_percentile(const Histogram *h, unsigned percent) {
        if (h->count == 0)
                return 0;
        /* The smallest value with at least percent% of the samples at or below it. */
        uint64_t rank = (h->count * percent + 99) / 100, seen = 0;
        if (rank == 0)
                rank = 1;
        for (size_t b = 0; b < HISTOGRAM_BUCKETS; b++) {
                seen += h->buckets[b];
                if (seen >= rank)
                        return bucket_value(b);
        }
        return bucket_value(HISTOGRAM_BUCKETS - 1);
}

static void bucket_add(uint64_t *counts, const StatsBound *bounds, size_t n, uint64_t value) {
        size_t i = 0;
        while (i < n && value > bounds[i].value)
                i++;
        counts[i]++;
}

/* The language's counters, by name. A slot is kept for "other", where the rest go once the others
 * are taken. */
static LanguageStats *language_stats(Stats *s, const char *name) {
        LanguageStats *other = NULL;

        if (strlen(name) >= STATS_LANGUAGE_NAME)
                name = "other";
        for (size_t i = 0; i < s->n_languages; i++) {
                if (strcmp(s->languages[i].name, name) == 0)
                        return &s->languages[i];
                if (strcmp(s->languages[i].name, "other") == 0)
                        other = &s->languages[i];
        }
        if (other && s->n_languages == STATS_LANGUAGES)
                return other;
        if (!other && s->n_languages == STATS_LANGUAGES - 1)
                name = "other";
        LanguageStats *l = &s->languages[s->n_languages++];
        snprintf(l->name, sizeof(l->name), "%s", name);
        return l;
}

void stats_add_job(Stats *s, const Job *job, const RunResult *results, Verdict overall) {
        LanguageStats *l = language_stats(s, job->language ? job->language->name : "other");

        s->jobs++;
        s->jobs_by_verdict[overall]++;
        l->jobs_by_verdict[overall]++;
        for (size_t i = 0; i < job_n_runs(job); i++) {
                const RunResult *r = &results[i];
                s->runs++;
                s->runs_by_verdict[r->verdict]++;
                l->runs_by_verdict[r->verdict]++;
                for (RunEvent e = 0; e < _RUN_EVENT_MAX; e++)
                        s->runs_by_event[e] += !!(r->events & RUN_EVENT_BIT(e));
                if (r->outcome.memory_peak != UINT64_MAX) {
                        if (r->outcome.memory_peak > s->memory_peak_max)
                                s->memory_peak_max = r->outcome.memory_peak;
                        s->memory_peak_sum += r->outcome.memory_peak;
                        s->memory_peak_count++;
                        bucket_add(s->memory_buckets, stats_memory_bounds_bytes, STATS_MEMORY_BOUNDS,
                                   r->outcome.memory_peak);
                }
                if (r->verdict != VERDICT_INTERNAL_ERROR) {
                        histogram_add(&s->run_time_ms, r->outcome.wall_usec / 1000);
                        bucket_add(s->run_time_buckets, stats_run_time_bounds_usec, STATS_RUN_TIME_BOUNDS,
                                   r->outcome.wall_usec);
                        s->run_time_usec_sum += r->outcome.wall_usec;
                }
        }
}

static int format_verdicts(Buffer *b, const char *name, const uint64_t counts[_VERDICT_MAX]) {
        int r = buffer_printf(b, "\"%s\":{", name);
        for (int v = 0; r >= 0 && v < _VERDICT_MAX; v++)
                r = buffer_printf(b, "%s\"%s\":%" PRIu64, v ? "," : "", verdict_to_string((Verdict) v), counts[v]);
        if (r >= 0)
                r = buffer_printf(b, "}");
        return r;
}

/* The names of the runs_by_event counters in `kwctl stats`, and in the metrics. */
static const struct {
        const char *key, *kind;
} event_names[_RUN_EVENT_MAX] = {
        [RUN_EVENT_SECCOMP] = { "seccomp_violations", "seccomp" },
        [RUN_EVENT_OOM_KILL] = { "oom_kills", "oom_kill" },
        [RUN_EVENT_CPU_TIMEOUT] = { "cpu_timeouts", "cpu_timeout" },
        [RUN_EVENT_WALL_TIMEOUT] = { "wall_timeouts", "wall_timeout" },
};

const char *stats_event_kind(RunEvent e) {
        return event_names[e].kind;
}

static int format_events(Buffer *b, const uint64_t counts[_RUN_EVENT_MAX]) {
        int r = buffer_printf(b, ",\"security\":{");
        for (RunEvent e = 0; r >= 0 && e < _RUN_EVENT_MAX; e++)
                r = buffer_printf(b, "%s\"%s\":%" PRIu64, e ? "," : "", event_names[e].key, counts[e]);
        if (r >= 0)
                r = buffer_printf(b, "}");
        return r;
}

int stats_format(const Stats *s, unsigned in_flight, unsigned queued, Buffer *b) {
        uint64_t failed = 0;
        for (Verdict v = 0; v < _VERDICT_MAX; v++)
                failed += verdict_is_normal(v) ? 0 : s->jobs_by_verdict[v];
        int r;

        r = buffer_printf(b, "{\"since_usec\":%" PRIu64 ",\"jobs\":%" PRIu64 ",\"runs\":%" PRIu64 ",", s->started_usec,
                          s->jobs, s->runs);
        if (r >= 0)
                r = format_verdicts(b, "jobs_by_verdict", s->jobs_by_verdict);
        if (r >= 0)
                r = buffer_printf(b, ",");
        if (r >= 0)
                r = format_verdicts(b, "runs_by_verdict", s->runs_by_verdict);
        /* An error is a job that did not end normally: a limit, a crash, or kw's own failure. */
        if (r >= 0)
                r = buffer_printf(b,
                                  ",\"error_rate\":%.4f,\"rejected\":%" PRIu64 ",\"busy\":%" PRIu64
                                  ",\"run_time_ms\":{\"p50\":%" PRIu64 ",\"p95\":%" PRIu64 "}"
                                  ",\"memory_peak_bytes\":{\"max\":%" PRIu64 ",\"mean\":%" PRIu64 "}",
                                  s->jobs ? (double) failed / (double) s->jobs : 0.0, s->rejected, s->busy,
                                  histogram_percentile(&s->run_time_ms, 50), histogram_percentile(&s->run_time_ms, 95),
                                  s->memory_peak_max, s->memory_peak_count ? s->memory_peak_sum / s->memory_peak_count : 0);
        if (r >= 0)
                r = format_events(b, s->runs_by_event);
        if (r >= 0)
                r = buffer_printf(b, ",\"in_flight\":%u,\"queued\":%u}\n", in_flight, queued);
        return r;
}
