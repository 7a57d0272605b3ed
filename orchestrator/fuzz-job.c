/* SPDX-License-Identifier: MIT */
/* libFuzzer: any bytes through job_parse(), and what it accepts through report_job(). Checks what
 * job.h promises, and that every report is JSON whatever the strings hold. */
#include <cjson/cJSON.h>

#include "job.h"
#include "report.h"
#include "test-helpers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

DEFINE_TRIVIAL_CLEANUP_FUNC(cJSON *, cJSON_Delete);

static bool is_json(const Buffer *b) {
        _cleanup_(cJSON_Deletep) cJSON *j = cJSON_ParseWithLength(b->data, b->size);
        return j != NULL;
}

/* The job as if each run had printed its input and failed by turns. */
static void check_report(const Job *j, const JobCaps *caps) {
        size_t n = job_n_runs(j);
        RunResult *results = calloc(n, sizeof(RunResult));
        _cleanup_(buffer_done) Buffer b = {};

        ASSERT_OR_ABORT(results);
        for (size_t i = 0; i < n; i++) {
                const char *out = j->has_cases ? j->cases[i].input : j->code;
                size_t out_size = j->has_cases ? j->cases[i].input_size : j->code_size;
                results[i].verdict = (Verdict) (i % _VERDICT_MAX);
                results[i].outcome = (RunOutcome) { .exit_code = 1 + i % 3, .exit_status = (int) i,
                                                    .memory_peak = UINT64_MAX };
                ASSERT_OR_ABORT(buffer_append(&results[i].out, out, out_size) >= 0);
                ASSERT_OR_ABORT(buffer_append(&results[i].err, j->code, j->code_size) >= 0);
        }
        ASSERT_OR_ABORT(report_job(&b, j, caps, "0123456789abcdef0123456789abcdef", results, NULL) >= 0);
        ASSERT_OR_ABORT(is_json(&b));
        /* And cut short everywhere: still JSON, whatever the cuts split. */
        JobCaps tiny = { .result_case_bytes = 7, .result_bytes = 40 };
        buffer_done(&b);
        ASSERT_OR_ABORT(report_job(&b, j, &tiny, "0123456789abcdef0123456789abcdef", results, NULL) >= 0);
        ASSERT_OR_ABORT(is_json(&b));
        for (size_t i = 0; i < n; i++) {
                buffer_done(&results[i].out);
                buffer_done(&results[i].err);
        }
        free(results);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static Policy *policy = NULL;
        _cleanup_(job_freep) Job *j = NULL;
        _cleanup_free_ char *error = NULL;
        _cleanup_(buffer_done) Buffer s = {};

        if (!policy)
                policy = test_policy_load();

        /* Any bytes make a JSON string. */
        ASSERT_OR_ABORT(json_append_string(&s, (const char *) data, size) >= 0);
        ASSERT_OR_ABORT(is_json(&s));

        int r = job_parse((const char *) data, size, policy, &j, &error);
        if (r < 0) {
                ASSERT_OR_ABORT(r == -EINVAL || r == -ENOMEM);
                ASSERT_OR_ABORT(!j);
                ASSERT_OR_ABORT(r != -EINVAL || (error && *error));
                return 0;
        }
        ASSERT_OR_ABORT(r == 0 && j && !error);
        ASSERT_OR_ABORT(j->language && policy_find_language(policy, j->language->name) == j->language);
        ASSERT_OR_ABORT(j->code && strlen(j->code) == j->code_size);
        ASSERT_OR_ABORT(j->code_size <= policy->caps.max_code_bytes);
        ASSERT_OR_ABORT(j->has_cases == (j->n_cases > 0));
        ASSERT_OR_ABORT(j->n_cases <= policy->caps.max_test_cases);
        ASSERT_OR_ABORT(job_n_runs(j) >= 1);
        for (size_t i = 0; i < j->n_cases; i++) {
                const TestCase *c = &j->cases[i];
                ASSERT_OR_ABORT(c->input && strlen(c->input) == c->input_size);
                ASSERT_OR_ABORT(c->input_size <= policy->caps.max_input_bytes);
                ASSERT_OR_ABORT(c->expected && strlen(c->expected) == c->expected_size &&
                      c->expected_size <= policy->caps.max_input_bytes);
        }
        /* A job only ever lowers a limit. */
        for (size_t i = 0; i < n_limit_fields; i++) {
                uint64_t v = *limits_field(&j->limits, &limit_fields[i]);
                ASSERT_OR_ABORT(v >= 1 && v <= *limits_field(&policy->limits, &limit_fields[i]));
        }
        check_report(j, &policy->caps);
        return 0;
}
