/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <string.h>

#include "openmetrics.h"
#include "test-helpers.h"

/* A kwd that has seen python, javascript and a language whose name needs escaping. */
static Stats *make_stats(void) {
        Stats *s = calloc(1, sizeof(Stats));
        if (!s)
                return NULL;
        s->started_usec = 1700000000250000;
        s->languages[0] = (LanguageStats) { .name = "python" };
        s->languages[0].jobs_by_verdict[VERDICT_ACCEPTED] = 3;
        s->languages[0].jobs_by_verdict[VERDICT_WRONG_ANSWER] = 1;
        s->languages[0].runs_by_verdict[VERDICT_ACCEPTED] = 9;
        s->languages[1] = (LanguageStats) { .name = "javascript" };
        s->languages[1].runs_by_verdict[VERDICT_TIME_LIMIT_EXCEEDED] = 2;
        s->languages[2] = (LanguageStats) { .name = "we\"ird\\la\nng" };
        s->languages[2].jobs_by_verdict[VERDICT_ACCEPTED] = 7;
        s->n_languages = 3;
        /* 1 run up to 10 ms, 2 to 50 ms, 3 to 1 s, 4 above 30 s: 10 in all. */
        s->run_time_buckets[0] = 1;
        s->run_time_buckets[1] = 2;
        s->run_time_buckets[5] = 3;
        s->run_time_buckets[STATS_RUN_TIME_BOUNDS] = 4;
        s->run_time_ms.count = 10;
        s->run_time_usec_sum = 12345678;
        /* 5 runs up to 1 MiB, 1 above 1 GiB. */
        s->memory_buckets[0] = 5;
        s->memory_buckets[STATS_MEMORY_BOUNDS] = 1;
        s->memory_peak_count = 6;
        s->memory_peak_sum = 2000000000;
        s->runs_by_event[RUN_EVENT_SECCOMP] = 4;
        s->runs_by_event[RUN_EVENT_OOM_KILL] = 1;
        s->runs_by_event[RUN_EVENT_CPU_TIMEOUT] = 8;
        s->runs_by_event[RUN_EVENT_WALL_TIMEOUT] = 10;
        s->busy = 5;
        s->rejected = 6;
        s->redis_taken = 11;
        s->redis_dead_letters = 2;
        return s;
}

static const MetricsLive live = {
        .in_flight = 2, .queued = 3, .cells_warm = 4, .cells_idle = 1, .cells_busy = 2, .cells_starting = 3,
        .cells_stopping = 5, .cells_started = 17, .cell_start_failures = 1, .redis = true,
        .redis_connected = true, .redis_results_pending = 6,
};

/* How many lines of @text are exactly @line. */
static unsigned count_line(const char *text, const char *line) {
        unsigned n = 0;
        size_t len = strlen(line);
        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
                n += strncmp(p, line, len) == 0 && p[len] == '\n';
        return n;
}

/* Lines each present once. */
static const char *const lines[] = {
        "# TYPE kw_start_time_seconds gauge",
        "# UNIT kw_start_time_seconds seconds",
        "kw_start_time_seconds 1700000000.250000",
        "# TYPE kw_jobs counter",
        "kw_jobs_total{language=\"python\",verdict=\"accepted\"} 3",
        "kw_jobs_total{language=\"python\",verdict=\"wrong_answer\"} 1",
        "kw_jobs_total{language=\"python\",verdict=\"internal_error\"} 0",
        "kw_jobs_total{language=\"javascript\",verdict=\"accepted\"} 0",
        "kw_jobs_total{language=\"we\\\"ird\\\\la\\nng\",verdict=\"accepted\"} 7",
        "# TYPE kw_runs counter",
        "kw_runs_total{language=\"python\",verdict=\"accepted\"} 9",
        "kw_runs_total{language=\"javascript\",verdict=\"time_limit_exceeded\"} 2",
        "# TYPE kw_run_duration_seconds histogram",
        "# UNIT kw_run_duration_seconds seconds",
        "kw_run_duration_seconds_bucket{le=\"0.01\"} 1",
        "kw_run_duration_seconds_bucket{le=\"0.05\"} 3",
        "kw_run_duration_seconds_bucket{le=\"0.5\"} 3",
        "kw_run_duration_seconds_bucket{le=\"1.0\"} 6",
        "kw_run_duration_seconds_bucket{le=\"30.0\"} 6",
        "kw_run_duration_seconds_bucket{le=\"+Inf\"} 10",
        "kw_run_duration_seconds_count 10",
        "kw_run_duration_seconds_sum 12.345678",
        "# TYPE kw_run_memory_peak_bytes histogram",
        "# UNIT kw_run_memory_peak_bytes bytes",
        "kw_run_memory_peak_bytes_bucket{le=\"1.048576e+06\"} 5",
        "kw_run_memory_peak_bytes_bucket{le=\"1.073741824e+09\"} 5",
        "kw_run_memory_peak_bytes_bucket{le=\"+Inf\"} 6",
        "kw_run_memory_peak_bytes_count 6",
        "kw_run_memory_peak_bytes_sum 2000000000",
        "# TYPE kw_security_events counter",
        "kw_security_events_total{kind=\"seccomp\"} 4",
        "kw_security_events_total{kind=\"oom_kill\"} 1",
        "kw_security_events_total{kind=\"cpu_timeout\"} 8",
        "kw_security_events_total{kind=\"wall_timeout\"} 10",
        "kw_rejections_total{reason=\"busy\"} 5",
        "kw_rejections_total{reason=\"bad_input\"} 6",
        "# TYPE kw_jobs_in_flight gauge",
        "kw_jobs_in_flight 2",
        "kw_jobs_queued 3",
        "kw_cells{state=\"idle\"} 1",
        "kw_cells{state=\"busy\"} 2",
        "kw_cells{state=\"starting\"} 3",
        "kw_cells{state=\"stopping\"} 5",
        "kw_cells_warm 4",
        "# TYPE kw_cells_started counter",
        "kw_cells_started_total 17",
        "kw_cell_start_failures_total 1",
        "kw_redis_connected 1",
        "kw_redis_jobs_taken_total 11",
        "kw_redis_dead_letters_total 2",
        "kw_redis_results_pending 6",
        "# EOF",
};

static void test_line(size_t i) {
        Stats *s = make_stats();
        _cleanup_(buffer_done) Buffer b = {};

        test_case_begin("line: %s", lines[i]);
        ASSERT_OR_ABORT(s);
        ASSERT_OK(metrics_format(s, &live, METRICS_OPENMETRICS, &b));
        ASSERT_OK(buffer_append(&b, "", 1));
        ASSERT_INT_EQ(count_line(b.data, lines[i]), 1);
        free(s);
}

/* The value at the end of a sample line. */
static uint64_t value_of(const char *line) {
        const char *sp = strrchr(line, ' ');
        return sp ? strtoull(sp + 1, NULL, 10) : UINT64_MAX;
}

/* Each histogram: le in the order of the bounds, counts cumulative (never falling), +Inf last and
 * equal to _count. */
static const struct {
        const char *name;
        const StatsBound *bounds;
        size_t n;
} histograms[] = {
        { "kw_run_duration_seconds", stats_run_time_bounds_usec, STATS_RUN_TIME_BOUNDS },
        { "kw_run_memory_peak_bytes", stats_memory_bounds_bytes, STATS_MEMORY_BOUNDS },
};

static void test_histogram(size_t i) {
        Stats *s = make_stats();
        _cleanup_(buffer_done) Buffer b = {};
        char prefix[96], count[96];
        uint64_t last = 0;
        size_t seen = 0;

        test_case_begin("histogram: %s", histograms[i].name);
        ASSERT_OR_ABORT(s);
        ASSERT_OK(metrics_format(s, &live, METRICS_OPENMETRICS, &b));
        ASSERT_OK(buffer_append(&b, "", 1));
        snprintf(prefix, sizeof(prefix), "%s_bucket{le=\"", histograms[i].name);
        snprintf(count, sizeof(count), "%s_count ", histograms[i].name);
        for (const char *p = b.data; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
                if (strncmp(p, prefix, strlen(prefix)) == 0) {
                        const char *le = p + strlen(prefix);
                        const char *want = seen < histograms[i].n ? histograms[i].bounds[seen].le : "+Inf";
                        ASSERT_TRUE(strncmp(le, want, strlen(want)) == 0 && le[strlen(want)] == '"');
                        ASSERT_TRUE(value_of(strndupa(p, strcspn(p, "\n"))) >= last);
                        last = value_of(strndupa(p, strcspn(p, "\n")));
                        seen++;
                } else if (strncmp(p, count, strlen(count)) == 0) {
                        ASSERT_U64_EQ(seen, histograms[i].n + 1);
                        ASSERT_U64_EQ(value_of(strndupa(p, strcspn(p, "\n"))), last);
                        seen = SIZE_MAX;
                }
        }
        ASSERT_TRUE(seen == SIZE_MAX);
        free(s);
}

/* The whole text: ends with "# EOF\n", and besides it holds only TYPE, UNIT and HELP lines and
 * samples "NAME[{LABELS}] VALUE", each family's TYPE once. */
static void test_structure(bool with_data) {
        Stats *s = with_data ? make_stats() : calloc(1, sizeof(Stats));
        MetricsLive none = {};
        _cleanup_(buffer_done) Buffer b = {};
        unsigned eof = 0;

        test_case_begin("structure: %s", with_data ? "counts" : "empty");
        ASSERT_OR_ABORT(s);
        ASSERT_OK(metrics_format(s, with_data ? &live : &none, METRICS_OPENMETRICS, &b));
        ASSERT_TRUE(b.size > 6 && memcmp(b.data + b.size - 6, "# EOF\n", 6) == 0);
        ASSERT_OK(buffer_append(&b, "", 1));
        for (const char *p = b.data; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
                _cleanup_free_ char *line = strndup(p, strcspn(p, "\n"));
                ASSERT_OR_ABORT(line);
                if (line[0] == '#') {
                        eof += strcmp(line, "# EOF") == 0;
                        ASSERT_TRUE(strncmp(line, "# TYPE ", 7) == 0 || strncmp(line, "# UNIT ", 7) == 0 ||
                                    strncmp(line, "# HELP ", 7) == 0 || strcmp(line, "# EOF") == 0);
                        if (strncmp(line, "# TYPE ", 7) == 0)
                                ASSERT_INT_EQ(count_line(b.data, line), 1);
                        continue;
                }
                size_t name = strspn(line, "abcdefghijklmnopqrstuvwxyz_");
                ASSERT_TRUE(name > 3 && strncmp(line, "kw_", 3) == 0);
                ASSERT_TRUE(line[name] == ' ' || (line[name] == '{' && strstr(line, "} ")));
                ASSERT_TRUE(value_of(line) != UINT64_MAX);
        }
        ASSERT_INT_EQ(eof, 1);
        /* Without Redis, no kw_redis_* metrics; without jobs, no language. */
        if (!with_data) {
                ASSERT_TRUE(!strstr(b.data, "kw_redis_"));
                ASSERT_TRUE(!strstr(b.data, "language="));
                ASSERT_INT_EQ(count_line(b.data, "kw_run_duration_seconds_bucket{le=\"+Inf\"} 0"), 1);
                ASSERT_INT_EQ(count_line(b.data, "kw_run_duration_seconds_sum 0.000000"), 1);
        }
        free(s);
}

/* Prometheus' text format 0.0.4: the same samples; a counter's family is named as its samples, with
 * _total, and there is no UNIT and no EOF. */
static const struct {
        const char *line;
        unsigned count;
} prometheus_lines[] = {
        { "# TYPE kw_jobs_total counter", 1 },
        { "# HELP kw_jobs_total Jobs judged, by language and overall verdict.", 1 },
        { "kw_jobs_total{language=\"python\",verdict=\"accepted\"} 3", 1 },
        { "# TYPE kw_cells_started_total counter", 1 },
        { "kw_cells_started_total 17", 1 },
        { "# TYPE kw_security_events_total counter", 1 },
        { "# TYPE kw_run_duration_seconds histogram", 1 },
        { "kw_run_duration_seconds_bucket{le=\"+Inf\"} 10", 1 },
        { "# TYPE kw_jobs_in_flight gauge", 1 },
        { "# TYPE kw_jobs counter", 0 },
        { "# UNIT kw_run_duration_seconds seconds", 0 },
        { "# EOF", 0 },
};

static void test_prometheus_line(size_t i) {
        Stats *s = make_stats();
        _cleanup_(buffer_done) Buffer b = {};

        test_case_begin("prometheus: %s %u time(s)", prometheus_lines[i].line, prometheus_lines[i].count);
        ASSERT_OR_ABORT(s);
        ASSERT_OK(metrics_format(s, &live, METRICS_PROMETHEUS, &b));
        ASSERT_OK(buffer_append(&b, "", 1));
        ASSERT_INT_EQ(count_line(b.data, prometheus_lines[i].line), (int) prometheus_lines[i].count);
        free(s);
}

/* Every sample belongs to the family of the TYPE line before it, as each format names it: a
 * counter's samples are FAMILY_total in OpenMetrics and FAMILY itself in Prometheus' format (whose
 * parsers would make another, untyped, family of them otherwise); a histogram's FAMILY_bucket,
 * _count and _sum in both. */
static void test_families(MetricsFormat format) {
        Stats *s = make_stats();
        _cleanup_(buffer_done) Buffer b = {};
        char family[96] = "", type[16] = "";
        unsigned samples = 0;

        test_case_begin("families: %s", format == METRICS_OPENMETRICS ? "openmetrics" : "prometheus");
        ASSERT_OR_ABORT(s);
        ASSERT_OK(metrics_format(s, &live, format, &b));
        ASSERT_OK(buffer_append(&b, "", 1));
        for (const char *p = b.data; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
                size_t n = strcspn(p, "{ \n");
                char name[96];
                if (strncmp(p, "# TYPE ", 7) == 0) {
                        ASSERT_TRUE(sscanf(p, "# TYPE %95s %15s", family, type) == 2);
                        continue;
                }
                if (*p == '#')
                        continue;
                ASSERT_TRUE(n < sizeof(name) && *family);
                snprintf(name, sizeof(name), "%.*s", (int) n, p);
                const char *suffix = strncmp(name, family, strlen(family)) == 0 ? name + strlen(family) : NULL;
                ASSERT_NOT_NULL(suffix);
                if (strcmp(type, "histogram") == 0)
                        ASSERT_TRUE(strcmp(suffix, "_bucket") == 0 || strcmp(suffix, "_count") == 0 ||
                                    strcmp(suffix, "_sum") == 0);
                else if (strcmp(type, "counter") == 0 && format == METRICS_OPENMETRICS)
                        ASSERT_STR_EQ(suffix, "_total");
                else
                        ASSERT_STR_EQ(suffix, "");
                samples++;
        }
        ASSERT_TRUE(samples > 20);
        free(s);
}

int main(void) {
        TEST_TABLE(test_line, lines);
        TEST_TABLE(test_histogram, histograms);
        TEST_RUN(test_structure, true);
        TEST_RUN(test_structure, false);
        TEST_TABLE(test_prometheus_line, prometheus_lines);
        TEST_RUN(test_families, METRICS_OPENMETRICS);
        TEST_RUN(test_families, METRICS_PROMETHEUS);
        return test_summary();
}
