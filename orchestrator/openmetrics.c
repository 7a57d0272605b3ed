/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "openmetrics.h"

typedef struct Writer {
        Buffer *b;
        MetricsFormat format;
} Writer;

/* A family's metadata, in the order the format asks: TYPE, UNIT (if any), HELP. Prometheus' older
 * format has no UNIT, and names a counter's family as its samples, with _total. */
static int family(Writer *w, const char *name, const char *type, const char *unit, const char *help) {
        const char *suffix = w->format == METRICS_PROMETHEUS && strcmp(type, "counter") == 0 ? "_total" : "";
        int r = buffer_printf(w->b, "# TYPE %s%s %s\n", name, suffix, type);
        if (r >= 0 && unit && w->format == METRICS_OPENMETRICS)
                r = buffer_printf(w->b, "# UNIT %s %s\n", name, unit);
        if (r >= 0)
                r = buffer_printf(w->b, "# HELP %s%s %s\n", name, suffix, help);
        return r;
}

/* A label value: backslash, double quote and line feed escaped; the rest as it is. */
static int append_escaped(Writer *w, const char *s) {
        int r = 0;
        for (; r >= 0 && *s; s++)
                r = *s == '\\' ? buffer_append(w->b, "\\\\", 2)
                  : *s == '"'  ? buffer_append(w->b, "\\\"", 2)
                  : *s == '\n' ? buffer_append(w->b, "\\n", 2)
                               : buffer_append(w->b, s, 1);
        return r;
}

/* One sample, NAME{KEY="VALUE",...} TEXT; @labels are key/value pairs ending with NULL. */
static int sample_text(Writer *w, const char *name, const char *const *labels, const char *text) {
        int r = buffer_printf(w->b, "%s", name);
        for (size_t i = 0; r >= 0 && labels && labels[i]; i += 2) {
                r = buffer_printf(w->b, "%s%s=\"", i ? "," : "{", labels[i]);
                if (r >= 0)
                        r = append_escaped(w, labels[i + 1]);
                if (r >= 0)
                        r = buffer_printf(w->b, "\"%s", labels[i + 2] ? "" : "}");
        }
        if (r >= 0)
                r = buffer_printf(w->b, " %s\n", text);
        return r;
}

static int sample(Writer *w, const char *name, const char *const *labels, uint64_t value) {
        char text[24];
        snprintf(text, sizeof(text), "%" PRIu64, value);
        return sample_text(w, name, labels, text);
}

#define LABELS(...) ((const char *const[]) { __VA_ARGS__, NULL })

/* Microseconds as seconds, exactly: 1500000 is "1.500000". */
static void usec_to_seconds(uint64_t usec, char text[static 32]) {
        snprintf(text, 32, "%" PRIu64 ".%06" PRIu64, usec / 1000000, usec % 1000000);
}

/* Jobs or runs, by language and verdict: every verdict of each language kwd has seen. */
static int by_language(Writer *w, const Stats *s, const char *name, const char *help, bool runs) {
        char total[64];
        int r = family(w, name, "counter", NULL, help);

        snprintf(total, sizeof(total), "%s_total", name);
        for (size_t i = 0; r >= 0 && i < s->n_languages; i++) {
                const LanguageStats *l = &s->languages[i];
                for (int v = 0; r >= 0 && v < _VERDICT_MAX; v++)
                        r = sample(w, total, LABELS("language", l->name, "verdict", verdict_to_string((Verdict) v)),
                                   runs ? l->runs_by_verdict[v] : l->jobs_by_verdict[v]);
        }
        return r;
}

/* @counts per bucket (not cumulative), the last above every bound; written cumulative, up to +Inf. */
static int histogram(Writer *w, const char *name, const char *unit, const char *help, const uint64_t *counts,
                     const StatsBound *bounds, size_t n, uint64_t count, const char *sum) {
        char bucket[64], field[64];
        uint64_t cumulative = 0;
        int r = family(w, name, "histogram", unit, help);

        snprintf(bucket, sizeof(bucket), "%s_bucket", name);
        for (size_t i = 0; r >= 0 && i <= n; i++) {
                cumulative += counts[i];
                r = sample(w, bucket, LABELS("le", i < n ? bounds[i].le : "+Inf"), cumulative);
        }
        snprintf(field, sizeof(field), "%s_count", name);
        if (r >= 0)
                r = sample(w, field, NULL, count);
        snprintf(field, sizeof(field), "%s_sum", name);
        if (r >= 0)
                r = sample_text(w, field, NULL, sum);
        return r;
}

static int gauge(Writer *w, const char *name, const char *help, uint64_t value) {
        int r = family(w, name, "gauge", NULL, help);
        return r >= 0 ? sample(w, name, NULL, value) : r;
}

static int counter(Writer *w, const char *name, const char *help, uint64_t value) {
        char total[64];
        int r = family(w, name, "counter", NULL, help);
        snprintf(total, sizeof(total), "%s_total", name);
        return r >= 0 ? sample(w, total, NULL, value) : r;
}

static int cells(Writer *w, const MetricsLive *live) {
        const struct {
                const char *state;
                uint64_t n;
        } states[] = {
                { "idle", live->cells_idle },
                { "busy", live->cells_busy },
                { "starting", live->cells_starting },
                { "stopping", live->cells_stopping },
        };
        int r = family(w, "kw_cells", "gauge", NULL, "Cells kwd holds, by state.");

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(states); i++)
                r = sample(w, "kw_cells", LABELS("state", states[i].state), states[i].n);
        if (r >= 0)
                r = gauge(w, "kw_cells_warm", "Cells the policy keeps started ahead of jobs.", live->cells_warm);
        if (r >= 0)
                r = counter(w, "kw_cells_started", "Cells started.", live->cells_started);
        if (r >= 0)
                r = counter(w, "kw_cell_start_failures", "Cells that ended before they were ready.",
                            live->cell_start_failures);
        return r;
}

static int redis(Writer *w, const Stats *s, const MetricsLive *live) {
        int r = gauge(w, "kw_redis_connected", "1 if both connections to Redis are up, else 0.", live->redis_connected);
        if (r >= 0)
                r = counter(w, "kw_redis_jobs_taken", "Messages taken from the Redis stream.", s->redis_taken);
        if (r >= 0)
                r = counter(w, "kw_redis_dead_letters", "Messages put on the dead-letter stream: not a valid job.",
                            s->redis_dead_letters);
        if (r >= 0)
                r = gauge(w, "kw_redis_results_pending", "Results waiting to be stored in Redis.",
                          live->redis_results_pending);
        return r;
}

int metrics_format(const Stats *s, const MetricsLive *live, MetricsFormat format, Buffer *b) {
        Writer writer = { .b = b, .format = format }, *w = &writer;
        char text[32];
        int r;

        usec_to_seconds(s->started_usec, text);
        r = family(w, "kw_start_time_seconds", "gauge", "seconds", "When kwd started, in seconds since the epoch.");
        if (r >= 0)
                r = sample_text(w, "kw_start_time_seconds", NULL, text);
        if (r >= 0)
                r = by_language(w, s, "kw_jobs", "Jobs judged, by language and overall verdict.", false);
        if (r >= 0)
                r = by_language(w, s, "kw_runs", "Runs (test cases) judged, by language and verdict.", true);
        usec_to_seconds(s->run_time_usec_sum, text);
        if (r >= 0)
                r = histogram(w, "kw_run_duration_seconds", "seconds", "Wall-clock time of each run.",
                              s->run_time_buckets, stats_run_time_bounds_usec, STATS_RUN_TIME_BOUNDS,
                              s->run_time_ms.count, text);
        snprintf(text, sizeof(text), "%" PRIu64, s->memory_peak_sum);
        if (r >= 0)
                r = histogram(w, "kw_run_memory_peak_bytes", "bytes", "Peak memory of each run.", s->memory_buckets,
                              stats_memory_bounds_bytes, STATS_MEMORY_BOUNDS, s->memory_peak_count, text);
        if (r >= 0)
                r = family(w, "kw_security_events", "counter", NULL,
                           "Runs the sandbox stopped: seccomp and OOM kills, CPU and wall-clock timeouts.");
        for (RunEvent e = 0; r >= 0 && e < _RUN_EVENT_MAX; e++)
                r = sample(w, "kw_security_events_total", LABELS("kind", stats_event_kind(e)), s->runs_by_event[e]);
        if (r >= 0)
                r = family(w, "kw_rejections", "counter", NULL, "Jobs turned away: kwd busy, or bad input.");
        if (r >= 0)
                r = sample(w, "kw_rejections_total", LABELS("reason", "busy"), s->busy);
        if (r >= 0)
                r = sample(w, "kw_rejections_total", LABELS("reason", "bad_input"), s->rejected);
        if (r >= 0)
                r = gauge(w, "kw_jobs_in_flight", "Jobs running.", live->in_flight);
        if (r >= 0)
                r = gauge(w, "kw_jobs_queued", "Jobs waiting for a free slot.", live->queued);
        if (r >= 0)
                r = cells(w, live);
        if (r >= 0 && live->redis)
                r = redis(w, s, live);
        if (r >= 0 && format == METRICS_OPENMETRICS)
                r = buffer_printf(w->b, "# EOF\n");
        return r;
}
