/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include <cjson/cJSON.h>

#include "stats.h"
#include "test-helpers.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(cJSON *, cJSON_Delete);

/* Histogram buckets: the value each sample is told as, at the resolution of its range. */
static const struct {
        uint64_t ms, told;
} bucket_cases[] = {
        { 0, 0 },       { 1, 1 },         { 999, 999 },       { 1000, 1009 },      { 1009, 1009 },
        { 1010, 1019 }, { 9999, 9999 },   { 10000, 10099 },   { 99999, 99999 },    { 100000, 100000 },
        { 5000000, 100000 }, { UINT64_MAX, 100000 },
};

static void test_histogram_bucket(size_t i) {
        Histogram *h = calloc(1, sizeof(Histogram));

        test_case_begin("histogram: %" PRIu64 " ms", bucket_cases[i].ms);
        ASSERT_OR_ABORT(h);
        histogram_add(h, bucket_cases[i].ms);
        ASSERT_U64_EQ(h->count, 1);
        for (unsigned p = 1; p <= 100; p++)
                ASSERT_U64_EQ(histogram_percentile(h, p), bucket_cases[i].told);
        free(h);
}

static void test_histogram_percentiles(void) {
        Histogram *h = calloc(1, sizeof(Histogram));

        ASSERT_OR_ABORT(h);
        ASSERT_U64_EQ(histogram_percentile(h, 50), 0);
        /* 1..100 ms once each: the p-th percentile is p ms. */
        for (uint64_t ms = 100; ms >= 1; ms--)
                histogram_add(h, ms);
        ASSERT_U64_EQ(histogram_percentile(h, 50), 50);
        ASSERT_U64_EQ(histogram_percentile(h, 95), 95);
        ASSERT_U64_EQ(histogram_percentile(h, 100), 100);
        ASSERT_U64_EQ(histogram_percentile(h, 0), 1);
        free(h);
}

static const cJSON *field(const cJSON *o, const char *path) {
        char buf[64];
        snprintf(buf, sizeof(buf), "%s", path);
        for (char *save = NULL, *k = strtok_r(buf, ".", &save); o && k; k = strtok_r(NULL, ".", &save))
                o = cJSON_GetObjectItemCaseSensitive(o, k);
        return o;
}

static double number(const cJSON *o, const char *path) {
        const cJSON *n = field(o, path);
        return cJSON_IsNumber(n) ? n->valuedouble : -1;
}

#define OK_RUN { .result = "success", .exit_code = CLD_EXITED, .exec = EXEC_STARTED
#define KILLED(res, sig) { .result = res, .exit_code = CLD_KILLED, .exit_status = (sig), .exec = EXEC_STARTED

/* Runs as kw judges them. Per job, each kind of event a different number of times (seccomp 2, OOM 1,
 * CPU 4, wall 5), some runs with several, so that every counter is told apart. */
static const struct {
        RunOutcome outcome;
        const char *actual, *expected;
} runs[] = {
        { OK_RUN, .memory_peak = 1000, .wall_usec = 30000 }, "1", "1" },                       /* accepted */
        { OK_RUN, .memory_peak = 3000, .wall_usec = 40000 }, "2", "1" },                       /* wrong */
        { OK_RUN, .cpu_end_usec = 1500000, .memory_peak = UINT64_MAX }, "", "1" },            /* CPU */
        { KILLED("signal", SIGXCPU), .memory_peak = UINT64_MAX }, "", "1" },                   /* CPU */
        { KILLED("signal", SIGKILL), .wall_exceeded = true, .memory_peak = UINT64_MAX }, "", "1" },  /* wall */
        { KILLED("timeout", SIGTERM), .memory_peak = UINT64_MAX }, "", "1" },                  /* wall */
        { KILLED("signal", SIGKILL), .oom_kills = 1, .memory_peak = 8000 }, "", "1" },        /* OOM */
        { KILLED("signal", SIGSYS), .memory_peak = UINT64_MAX }, "", "1" },                    /* seccomp */
        { { .result = "resources", .internal_error = "boom", .memory_peak = UINT64_MAX }, "", "1" },  /* kw's */
        { KILLED("timeout", SIGSYS), .cpu_end_usec = 2000000, .memory_peak = UINT64_MAX }, "", "1" },  /* seccomp, CPU, wall */
        { KILLED("signal", SIGKILL), .wall_exceeded = true, .cpu_end_usec = 1000000, .memory_peak = UINT64_MAX }, "",
          "1" },                                                                                /* CPU, wall */
        { KILLED("signal", SIGKILL), .wall_exceeded = true, .memory_peak = UINT64_MAX }, "", "1" },  /* wall */
};

static void test_stats_counts(void) {
        Stats *s = calloc(1, sizeof(Stats));
        RunResult results[ELEMENTSOF(runs)] = {};
        TestCase cases[ELEMENTSOF(runs)] = {};
        _cleanup_(buffer_done) Buffer b = {};

        ASSERT_OR_ABORT(s);
        for (size_t i = 0; i < ELEMENTSOF(runs); i++) {
                cases[i] = (TestCase) { (char *) "", 0, (char *) runs[i].expected, strlen(runs[i].expected) };
                results[i].outcome = runs[i].outcome;
                ASSERT_OK(buffer_append(&results[i].out, runs[i].actual, strlen(runs[i].actual)));
                CheckResult check;
                checker_compare(CHECKER_LINES, 0, 0, runs[i].actual, strlen(runs[i].actual), runs[i].expected,
                                strlen(runs[i].expected), &check);
                outcome_judge(&results[i], &test_limits, &check);
        }
        Language python = { .name = (char *) "python" };
        Job job = { .code = (char *) "x", .code_size = 1, .cases = cases, .n_cases = ELEMENTSOF(runs),
                    .has_cases = true, .limits = test_limits, .language = &python };
        /* The same job twice, once accepted as a whole (overall verdicts are the caller's). */
        stats_add_job(s, &job, results, VERDICT_TIME_LIMIT_EXCEEDED);
        stats_add_job(s, &job, results, VERDICT_ACCEPTED);
        s->rejected = 3;
        s->busy = 4;
        ASSERT_OK(stats_format(s, 2, 5, &b));
        ASSERT_TRUE(b.size > 0 && b.data[b.size - 1] == '\n');

        _cleanup_(cJSON_Deletep) cJSON *j = cJSON_ParseWithLength(b.data, b.size);
        ASSERT_NOT_NULL(j);
        ASSERT_INT_EQ((int) number(j, "jobs"), 2);
        ASSERT_INT_EQ((int) number(j, "runs"), 2 * ELEMENTSOF(runs));
        ASSERT_INT_EQ((int) number(j, "jobs_by_verdict.accepted"), 1);
        ASSERT_INT_EQ((int) number(j, "jobs_by_verdict.time_limit_exceeded"), 1);
        ASSERT_INT_EQ((int) number(j, "runs_by_verdict.accepted"), 2);
        ASSERT_INT_EQ((int) number(j, "runs_by_verdict.wrong_answer"), 2);
        ASSERT_INT_EQ((int) number(j, "runs_by_verdict.time_limit_exceeded"), 14);
        ASSERT_INT_EQ((int) number(j, "runs_by_verdict.memory_limit_exceeded"), 2);
        ASSERT_INT_EQ((int) number(j, "runs_by_verdict.killed_by_signal"), 2);
        ASSERT_INT_EQ((int) number(j, "runs_by_verdict.internal_error"), 2);
        /* Each kind apart: CPU-time kills are not wall-clock timeouts. */
        ASSERT_INT_EQ((int) number(j, "security.seccomp_violations"), 4);
        ASSERT_INT_EQ((int) number(j, "security.oom_kills"), 2);
        ASSERT_INT_EQ((int) number(j, "security.cpu_timeouts"), 8);
        ASSERT_INT_EQ((int) number(j, "security.wall_timeouts"), 10);
        ASSERT_TRUE(number(j, "error_rate") == 0.5);
        ASSERT_INT_EQ((int) number(j, "rejected"), 3);
        ASSERT_INT_EQ((int) number(j, "busy"), 4);
        ASSERT_INT_EQ((int) number(j, "in_flight"), 2);
        ASSERT_INT_EQ((int) number(j, "queued"), 5);
        /* Memory: of the runs that had a peak (1000, 3000, 8000), twice. */
        ASSERT_INT_EQ((int) number(j, "memory_peak_bytes.max"), 8000);
        ASSERT_INT_EQ((int) number(j, "memory_peak_bytes.mean"), 4000);
        /* Run times of every run kw ran (not its own failures): 11 per job, 9 of them 0 ms. */
        ASSERT_U64_EQ(s->run_time_ms.count, 22);
        ASSERT_INT_EQ((int) number(j, "run_time_ms.p95"), 40);
        ASSERT_INT_EQ((int) number(j, "run_time_ms.p50"), 0);
        /* The metrics' buckets: the 9 runs of 0 ms up to 10 ms, the 30 and 40 ms ones up to 50 ms;
         * every peak (1000, 3000, 8000 bytes) up to 1 MiB. Nothing above the bounds. */
        ASSERT_U64_EQ(s->run_time_buckets[0], 18);
        ASSERT_U64_EQ(s->run_time_buckets[1], 4);
        ASSERT_U64_EQ(s->run_time_buckets[STATS_RUN_TIME_BOUNDS], 0);
        ASSERT_U64_EQ(s->run_time_usec_sum, 140000);
        ASSERT_U64_EQ(s->memory_buckets[0], 6);
        ASSERT_U64_EQ(s->memory_buckets[STATS_MEMORY_BOUNDS], 0);
        /* By language: all of it python's, the same as the totals. */
        ASSERT_U64_EQ(s->n_languages, 1);
        ASSERT_STR_EQ(s->languages[0].name, "python");
        for (int v = 0; v < _VERDICT_MAX; v++) {
                ASSERT_U64_EQ(s->languages[0].jobs_by_verdict[v], s->jobs_by_verdict[v]);
                ASSERT_U64_EQ(s->languages[0].runs_by_verdict[v], s->runs_by_verdict[v]);
        }
        for (size_t i = 0; i < ELEMENTSOF(runs); i++)
                buffer_done(&results[i].out);
        free(s);
}

/* Each value in the metrics' bucket it belongs to: bounds are inclusive. */
static const struct {
        uint64_t wall_usec, memory_peak;
        size_t time_bucket, memory_bucket;
} metric_bucket_cases[] = {
        { 0, 0, 0, 0 },
        { 10000, 1 << 20, 0, 0 },
        { 10001, (1 << 20) + 1, 1, 1 },
        { 1000000, 1ULL << 30, 5, 5 },
        { 30000000, (1ULL << 30) + 1, 9, STATS_MEMORY_BOUNDS },
        { 30000001, UINT64_MAX - 1, STATS_RUN_TIME_BOUNDS, STATS_MEMORY_BOUNDS },
};

static void test_metric_bucket(size_t i) {
        Stats *s = calloc(1, sizeof(Stats));
        TestCase tc = { (char *) "", 0, (char *) "", 0 };
        RunResult result = { .verdict = VERDICT_ACCEPTED };
        Language lang = { .name = (char *) "c" };
        Job job = { .cases = &tc, .n_cases = 1, .has_cases = true, .language = &lang };

        test_case_begin("metric bucket: %" PRIu64 " us, %" PRIu64 " bytes", metric_bucket_cases[i].wall_usec,
                        metric_bucket_cases[i].memory_peak);
        ASSERT_OR_ABORT(s);
        result.outcome.wall_usec = metric_bucket_cases[i].wall_usec;
        result.outcome.memory_peak = metric_bucket_cases[i].memory_peak;
        stats_add_job(s, &job, &result, VERDICT_ACCEPTED);
        ASSERT_U64_EQ(s->run_time_buckets[metric_bucket_cases[i].time_bucket], 1);
        ASSERT_U64_EQ(s->memory_buckets[metric_bucket_cases[i].memory_bucket], 1);
        free(s);
}

static const LanguageStats *find_language(const Stats *s, const char *name) {
        for (size_t i = 0; i < s->n_languages; i++)
                if (strcmp(s->languages[i].name, name) == 0)
                        return &s->languages[i];
        return NULL;
}

/* More languages than there are slots, with or without a name too long for one first: lang0..lang30
 * take slots, the rest (and the long name) count as "other", in the slot kept for it. */
static void test_stats_languages(bool long_name_first) {
        Stats *s = calloc(1, sizeof(Stats));
        char names[STATS_LANGUAGES + 8][16];
        Language langs[STATS_LANGUAGES + 8];
        RunResult result = { .verdict = VERDICT_WRONG_ANSWER, .outcome.memory_peak = UINT64_MAX };
        TestCase tc = { (char *) "", 0, (char *) "", 0 };
        Language longer = { .name = (char *) "a-name-of-thirty-two-characters!" };
        Job job = { .cases = &tc, .n_cases = 1, .has_cases = true, .language = &longer };
        const LanguageStats *l;

        test_case_begin("stats: %zu languages%s", ELEMENTSOF(langs), long_name_first ? ", a long name first" : "");
        ASSERT_OR_ABORT(s);
        if (long_name_first)
                stats_add_job(s, &job, &result, VERDICT_WRONG_ANSWER);
        for (size_t i = 0; i < ELEMENTSOF(langs); i++) {
                snprintf(names[i], sizeof(names[i]), "lang%zu", i);
                langs[i] = (Language) { .name = names[i] };
                job.language = &langs[i];
                stats_add_job(s, &job, &result, VERDICT_WRONG_ANSWER);
                stats_add_job(s, &job, &result, VERDICT_WRONG_ANSWER); /* again: the same slot */
        }

        ASSERT_U64_EQ(s->n_languages, STATS_LANGUAGES);
        l = find_language(s, "lang30");
        ASSERT_TRUE(l && l->jobs_by_verdict[VERDICT_WRONG_ANSWER] == 2 && l->runs_by_verdict[VERDICT_WRONG_ANSWER] == 2);
        ASSERT_TRUE(!find_language(s, "lang31"));
        /* lang31..lang39 twice each, and the long name once. */
        l = find_language(s, "other");
        uint64_t others = 2 * (ELEMENTSOF(langs) - 31) + long_name_first;
        ASSERT_TRUE(l && l->jobs_by_verdict[VERDICT_WRONG_ANSWER] == others && l->runs_by_verdict[VERDICT_WRONG_ANSWER] == others);
        free(s);
}

static void test_stats_empty(void) {
        Stats s = {};
        _cleanup_(buffer_done) Buffer b = {};

        ASSERT_OK(stats_format(&s, 0, 0, &b));
        _cleanup_(cJSON_Deletep) cJSON *j = cJSON_ParseWithLength(b.data, b.size);
        ASSERT_NOT_NULL(j);
        ASSERT_TRUE(number(j, "error_rate") == 0);
        ASSERT_INT_EQ((int) number(j, "security.cpu_timeouts"), 0);
        buffer_done(&b);
        /* A presentation error ended normally, as a wrong answer did: no error. A compile error is one. */
        s.jobs = 4;
        s.jobs_by_verdict[VERDICT_ACCEPTED] = 1;
        s.jobs_by_verdict[VERDICT_WRONG_ANSWER] = 1;
        s.jobs_by_verdict[VERDICT_PRESENTATION_ERROR] = 1;
        s.jobs_by_verdict[VERDICT_COMPILATION_ERROR] = 1;
        ASSERT_OK(stats_format(&s, 0, 0, &b));
        _cleanup_(cJSON_Deletep) cJSON *k = cJSON_ParseWithLength(b.data, b.size);
        ASSERT_NOT_NULL(k);
        ASSERT_TRUE(number(k, "error_rate") == 0.25);
        ASSERT_INT_EQ((int) number(j, "run_time_ms.p50"), 0);
}

int main(void) {
        TEST_TABLE(test_histogram_bucket, bucket_cases);
        TEST_RUN(test_histogram_percentiles);
        TEST_RUN(test_stats_counts);
        TEST_TABLE(test_metric_bucket, metric_bucket_cases);
        TEST_RUN(test_stats_languages, false);
        TEST_RUN(test_stats_languages, true);
        TEST_RUN(test_stats_empty);
        return test_summary();
}
