/* SPDX-License-Identifier: MIT */
#include <cjson/cJSON.h>
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <sys/wait.h>

#include "report.h"
#include "test-helpers.h"

DEFINE_TRIVIAL_CLEANUP_FUNC(cJSON *, cJSON_Delete);

/* Sized texts: they hold NUL bytes. */
#define T(s) s, sizeof(s) - 1

static const struct {
        const char *name;
        const char *in;
        size_t in_size;
        const char *out;        /* with the quotes */
} string_cases[] = {
        { "empty", T(""), "\"\"" },
        { "plain", T("Hello, world!"), "\"Hello, world!\"" },
        { "quote", T("say \"hi\""), "\"say \\\"hi\\\"\"" },
        { "backslash", T("a\\b\\"), "\"a\\\\b\\\\\"" },
        { "slash is left alone", T("</script>"), "\"</script>\"" },
        { "named controls", T("\n\t\r\b\f"), "\"\\n\\t\\r\\b\\f\"" },
        { "other controls", T("\x01\x07\x0b\x1b\x1f"), "\"\\u0001\\u0007\\u000b\\u001b\\u001f\"" },
        { "NUL", T("a\0b\0"), "\"a\\u0000b\\u0000\"" },
        { "DEL is allowed raw", T("\x7f"), "\"\x7f\"" },
        { "two bytes", T("\xc2\x80 \xc3\xa9 \xdf\xbf"), "\"\xc2\x80 \xc3\xa9 \xdf\xbf\"" },
        { "three bytes", T("\xe0\xa0\x80 \xe2\x82\xac \xed\x9f\xbf \xee\x80\x80 \xef\xbf\xbf"),
          "\"\xe0\xa0\x80 \xe2\x82\xac \xed\x9f\xbf \xee\x80\x80 \xef\xbf\xbf\"" },
        { "four bytes", T("\xf0\x90\x80\x80 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"),
          "\"\xf0\x90\x80\x80 \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf\"" },
        { "lone continuation byte", T("a\x80z"), "\"a\\ufffdz\"" },
        { "0xfe and 0xff", T("\xfe\xff"), "\"\\ufffd\\ufffd\"" },
        { "overlong NUL", T("\xc0\x80"), "\"\\ufffd\\ufffd\"" },
        { "overlong '/'", T("\xc1\xaf"), "\"\\ufffd\\ufffd\"" },
        { "overlong three bytes", T("\xe0\x80\xaf"), "\"\\ufffd\\ufffd\\ufffd\"" },
        { "overlong four bytes", T("\xf0\x8f\xbf\xbf"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
        { "high surrogate", T("\xed\xa0\x80"), "\"\\ufffd\\ufffd\\ufffd\"" },
        { "low surrogate", T("\xed\xbf\xbf"), "\"\\ufffd\\ufffd\\ufffd\"" },
        { "above U+10FFFF", T("\xf4\x90\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
        { "lead byte 0xf5", T("\xf5\x80\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\"" },
        { "five-byte form", T("\xf8\x88\x80\x80\x80"), "\"\\ufffd\\ufffd\\ufffd\\ufffd\\ufffd\"" },
        { "cut at the end", T("ok\xe2\x82"), "\"ok\\ufffd\\ufffd\"" },
        { "cut lead at the end", T("\xc3"), "\"\\ufffd\"" },
        { "cut by ASCII", T("\xe2\x82" "A\xc3" "B"), "\"\\ufffd\\ufffdA\\ufffdB\"" },
        { "cut by a quote", T("\xc3\""), "\"\\ufffd\\\"\"" },
        { "cut by NUL", T("\xf0\x9f\x98\0"), "\"\\ufffd\\ufffd\\ufffd\\u0000\"" },
};

/* A JSON text cJSON accepts as one string. */
static bool is_json_string(const char *p, size_t n) {
        _cleanup_(cJSON_Deletep) cJSON *j = cJSON_ParseWithLength(p, n);
        return j && cJSON_IsString(j);
}

static void test_json_append_string(size_t i) {
        _cleanup_(buffer_done) Buffer b = {};

        test_case_begin("json_append_string: %s", string_cases[i].name);
        ASSERT_OK(json_append_string(&b, string_cases[i].in, string_cases[i].in_size));
        ASSERT_MEM_EQ(b.data, b.size, string_cases[i].out, strlen(string_cases[i].out));
        ASSERT_TRUE(is_json_string(b.data, b.size));
}

static void test_json_append_string_or_null(void) {
        _cleanup_(buffer_done) Buffer b = {};

        ASSERT_OK(json_append_string_or_null(&b, NULL));
        ASSERT_OK(buffer_printf(&b, ","));
        ASSERT_OK(json_append_string_or_null(&b, "a\"b"));
        ASSERT_MEM_EQ(b.data, b.size, "null,\"a\\\"b\"", 11);
}

/* Well-formed UTF-8 from the table of the Unicode standard (3.9, table 3-7): the length of the
 * sequence at @p, or 0. Written as byte ranges, unlike report.c, to check it independently. */
static size_t oracle_utf8_length(const unsigned char *p, size_t n) {
        static const struct {
                unsigned char lead_lo, lead_hi, second_lo, second_hi;
                size_t len;
        } rows[] = {
                { 0xc2, 0xdf, 0x80, 0xbf, 2 }, { 0xe0, 0xe0, 0xa0, 0xbf, 3 }, { 0xe1, 0xec, 0x80, 0xbf, 3 },
                { 0xed, 0xed, 0x80, 0x9f, 3 }, { 0xee, 0xef, 0x80, 0xbf, 3 }, { 0xf0, 0xf0, 0x90, 0xbf, 4 },
                { 0xf1, 0xf3, 0x80, 0xbf, 4 }, { 0xf4, 0xf4, 0x80, 0x8f, 4 },
        };

        if (p[0] < 0x80)
                return 1;
        for (size_t r = 0; r < ELEMENTSOF(rows); r++) {
                if (p[0] < rows[r].lead_lo || p[0] > rows[r].lead_hi)
                        continue;
                if (n < rows[r].len || p[1] < rows[r].second_lo || p[1] > rows[r].second_hi)
                        return 0;
                for (size_t k = 2; k < rows[r].len; k++)
                        if (p[k] < 0x80 || p[k] > 0xbf)
                                return 0;
                return rows[r].len;
        }
        return 0;
}

/* What json_append_string() must make of @s: the oracle's sequences kept, other bytes U+FFFD. */
static int oracle_json_string(Buffer *b, const unsigned char *s, size_t n) {
        int r = buffer_append(b, "\"", 1);

        for (size_t i = 0; r >= 0 && i < n;) {
                size_t len = oracle_utf8_length(s + i, n - i);
                char esc[8];

                if (len == 0) {
                        r = buffer_append(b, "\\ufffd", 6);
                        i++;
                        continue;
                }
                if (len == 1 && (s[i] < 0x20 || s[i] == '"' || s[i] == '\\')) {
                        static const char named[] = { ['\n'] = 'n', ['\t'] = 't', ['\r'] = 'r', ['\b'] = 'b',
                                                      ['\f'] = 'f', ['"'] = '"', ['\\'] = '\\' };
                        if (named[s[i]])
                                snprintf(esc, sizeof(esc), "\\%c", named[s[i]]);
                        else
                                snprintf(esc, sizeof(esc), "\\u%04x", s[i]);
                        r = buffer_append(b, esc, strlen(esc));
                } else
                        r = buffer_append(b, s + i, len);
                i += len;
        }
        return r < 0 ? r : buffer_append(b, "\"", 1);
}

/* Every 1- and 2-byte text, and the 3- and 4-byte texts around each lead byte's edges, against the
 * oracle; and all of them at once through cJSON. */
static void test_json_string_exhaustive(void) {
        static const unsigned char edges[] = { 0x00, 0x41, 0x7f, 0x80, 0x8f, 0x90, 0xbf, 0xc0 };
        _cleanup_(buffer_done) Buffer all = {}, got = {}, want = {};
        unsigned long checked = 0;

        ASSERT_OK(buffer_append(&all, "[", 1));
        for (unsigned lead = 0; lead < 256; lead++)
                for (unsigned second = 0; second < 257; second++)
                        for (size_t t = 0; t < (lead >= 0xe0 ? ELEMENTSOF(edges) : 1); t++)
                                for (size_t f = 0; f < (lead >= 0xf0 ? ELEMENTSOF(edges) : 1); f++) {
                                        unsigned char s[4] = { lead, second, edges[t], edges[f] };
                                        /* second == 256: the lead byte alone */
                                        size_t n = second == 256 ? 1 : lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;

                                        got.size = want.size = 0;
                                        ASSERT_OK(json_append_string(&got, (const char *) s, n));
                                        ASSERT_OK(oracle_json_string(&want, s, n));
                                        if (got.size != want.size || memcmp(got.data, want.data, got.size) != 0)
                                                test_case_begin("json_append_string(%02x %02x %02x %02x), "
                                                                "%zu bytes", s[0], s[1], s[2], s[3], n);
                                        ASSERT_MEM_EQ(got.data, got.size, want.data, want.size);
                                        ASSERT_OK(buffer_append(&all, ",", checked ? 1 : 0));
                                        ASSERT_OK(buffer_append(&all, got.data, got.size));
                                        checked++;
                                }
        ASSERT_OK(buffer_append(&all, "]", 1));

        _cleanup_(cJSON_Deletep) cJSON *j = cJSON_ParseWithLength(all.data, all.size);
        ASSERT_NOT_NULL(j);
        ASSERT_U64_EQ((uint64_t) cJSON_GetArraySize(j), checked);
}

/* A report, parsed back. */

typedef struct RunSpec {
        const char *input;      /* the test case */
        const char *expected;
        Verdict verdict;
        RunOutcome outcome;
        const char *out;
        const char *err;
} RunSpec;

#define OK { .result = "success", .exit_code = CLD_EXITED, .exit_status = 0, .exec = EXEC_STARTED
#define EXIT(n) { .result = "exit-code", .exit_code = CLD_EXITED, .exit_status = (n), .exec = EXEC_STARTED
#define KILLED(res, sig) { .result = res, .exit_code = CLD_KILLED, .exit_status = (sig), .exec = EXEC_STARTED

#define TRACEBACK                                                                                  \
        "Traceback (most recent call last):\n  File \"main.py\", line 1\nZeroDivisionError: division by zero"

static const struct {
        const char *name;
        bool has_cases;
        size_t n_runs;
        RunSpec runs[3];
        const char *status;
        const char *error;
        const char *verdict;
        int exit_status;        /* report_exit_status(): 0 all normal, 1 a run failed, 3 kw failed */
} report_cases[] = {
        { "all accepted", true, 2,
          { { "1\n", "2\n", VERDICT_ACCEPTED, OK, .cpu_end_usec = 12000, .memory_peak = 7340032, .wall_usec = 30000 },
              "2\n", "" },
            { "2\n", "3", VERDICT_ACCEPTED, OK, .cpu_end_usec = 999, .memory_peak = UINT64_MAX }, "3\n",
              "warning\n" } },
          "success", NULL, "accepted", 0 },
        { "a wrong answer is a normal end", true, 3,
          { { "1", "1", VERDICT_ACCEPTED, OK }, "1", "" },
            { "2", "2", VERDICT_WRONG_ANSWER, OK }, "3", "" },
            { "3", "3", VERDICT_ACCEPTED, OK }, "3", "" } },
          "success", NULL, "wrong_answer", 0 },
        { "a runtime error, then a crash", true, 3,
          { { "", "ok", VERDICT_ACCEPTED, OK }, "ok\n", "" },
            { "0\n", "x", VERDICT_RUNTIME_ERROR, EXIT(1), .cpu_end_usec = 40000 }, "partial",
              TRACEBACK "\n\n\n" },
            { "", "x", VERDICT_KILLED_BY_SIGNAL, KILLED("signal", SIGSEGV) }, "", "" } },
          "error",
          "Test 2: runtime error: exited with code 1 (and 1 more test did not end normally)\n" TRACEBACK,
          "runtime_error", 1 },
        { "a wrong answer, then two limits", true, 3,
          { { "", "1", VERDICT_WRONG_ANSWER, OK }, "2", "" },
            { "", "1", VERDICT_TIME_LIMIT_EXCEEDED, KILLED("timeout", SIGTERM) }, "", "" },
            { "", "1", VERDICT_MEMORY_LIMIT_EXCEEDED, KILLED("oom-kill", SIGKILL), .oom_kills = 1 }, "", "" } },
          "error",
          "Test 2: time limit exceeded: still running after the wall-clock limit of 2000 ms (waiting for input, or "
          "sleeping?) (and 1 more test did not end normally)",
          "time_limit_exceeded", 1 },
        { "every test failed", true, 3,
          { { "", "1", VERDICT_OUTPUT_LIMIT_EXCEEDED, OK, .output_exceeded = true }, "1111", "" },
            { "", "1", VERDICT_INTERNAL_ERROR, OK, .internal_error = "x" }, "", "" },
            { "", "1", VERDICT_KILLED_BY_SIGNAL, KILLED("signal", SIGSYS) }, "", "" } },
          "error",
          "Test 1: output limit exceeded: wrote more than 65536 bytes (and 2 more tests did not end normally)",
          "output_limit_exceeded", 1 },
        { "no tests, exited 0", false, 1,
          { { NULL, NULL, VERDICT_ACCEPTED, OK, .cpu_end_usec = 5000, .memory_peak = 1048576 },
              "Hello, \xff!\n", "" } },
          "success", NULL, "accepted", 0 },
        { "no tests, out of CPU time", false, 1,
          { { NULL, NULL, VERDICT_TIME_LIMIT_EXCEEDED, KILLED("signal", SIGXCPU), .cpu_end_usec = 2000000 },
              "", "   \n" } },
          "error", "time limit exceeded: used more than the CPU time limit of 1000 ms", "time_limit_exceeded", 1 },
        { "no tests, killed", false, 1,
          { { NULL, NULL, VERDICT_KILLED_BY_SIGNAL, KILLED("signal", SIGSYS) }, "x", "Bad system call\n" } },
          "error", "killed by signal SIGSYS (a forbidden system call)\nBad system call", "killed_by_signal", 1 },
        { "kw failed to run it", false, 1,
          { { NULL, NULL, VERDICT_INTERNAL_ERROR, OK, .internal_error = "the journal went away" }, "", "" } },
          "error", "internal error: the journal went away", "internal_error", 3 },
};

#define JOB_ID "0123456789abcdef0123456789abcdef"

static void buffers_done(RunResult *results, size_t n) {
        for (size_t i = 0; i < n; i++) {
                buffer_done(&results[i].out);
                buffer_done(&results[i].err);
        }
}

static const char *json_string(const cJSON *o, const char *key) {
        return cJSON_GetStringValue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static bool json_is_null(const cJSON *o, const char *key) {
        return cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(o, key));
}

static double json_number(const cJSON *o, const char *key) {
        const cJSON *n = cJSON_GetObjectItemCaseSensitive(o, key);
        return cJSON_IsNumber(n) ? n->valuedouble : -1;
}

/* The fields a run has in test_results[], or at the top level of a job without tests. */
static void check_run_details(const cJSON *o, const RunSpec *s) {
        char sig[16];
        bool killed = s->outcome.exit_code == CLD_KILLED || s->outcome.exit_code == CLD_DUMPED;

        ASSERT_STR_EQ(json_string(o, "verdict"), verdict_to_string(s->verdict));
        ASSERT_U64_EQ((uint64_t) json_number(o, "time_ms"), s->outcome.cpu_end_usec / 1000);
        ASSERT_U64_EQ((uint64_t) json_number(o, "wall_time_ms"), s->outcome.wall_usec / 1000);
        if (s->outcome.memory_peak == UINT64_MAX)
                ASSERT_TRUE(json_is_null(o, "memory_bytes"));
        else
                ASSERT_U64_EQ((uint64_t) json_number(o, "memory_bytes"), s->outcome.memory_peak);
        if (s->outcome.exit_code == CLD_EXITED)
                ASSERT_INT_EQ((int) json_number(o, "exit_code"), s->outcome.exit_status);
        else
                ASSERT_TRUE(json_is_null(o, "exit_code"));
        if (killed)
                ASSERT_STR_EQ(json_string(o, "signal"), signal_name(s->outcome.exit_status, sig));
        else
                ASSERT_TRUE(json_is_null(o, "signal"));
        ASSERT_STR_EQ(json_string(o, "stderr"), s->err);
}

/* Large enough that nothing in these tests is cut. */
static const JobCaps test_caps = { .result_case_bytes = 1 << 20, .result_bytes = 16 << 20 };

static void test_report_job(size_t i) {
        const __typeof__(report_cases[0]) *c = &report_cases[i];
        TestCase cases[ELEMENTSOF(c->runs)] = {};
        RunResult results[ELEMENTSOF(c->runs)] = {};
        Job job = {
                .code = (char *) "print(1)", .code_size = 8, .cases = cases,
                .n_cases = c->has_cases ? c->n_runs : 0, .has_cases = c->has_cases, .limits = test_limits,
        };
        _cleanup_(buffer_done) Buffer b = {};
        const cJSON *tr;
        int r;

        test_case_begin("report_job: %s", c->name);
        for (size_t k = 0; k < c->n_runs; k++) {
                const RunSpec *s = &c->runs[k];
                if (c->has_cases)
                        cases[k] = (TestCase) { (char *) s->input, strlen(s->input), (char *) s->expected,
                                                strlen(s->expected) };
                results[k].outcome = s->outcome;
        }
        r = 0;
        for (size_t k = 0; r >= 0 && k < c->n_runs; k++) {
                r = buffer_append(&results[k].out, c->runs[k].out, strlen(c->runs[k].out));
                if (r >= 0)
                        r = buffer_append(&results[k].err, c->runs[k].err, strlen(c->runs[k].err));
                /* Judged as kw judges them: the report tells what outcome_judge() decided. */
                const char *expected = c->has_cases ? c->runs[k].expected : NULL;
                CheckResult check;
                if (expected)
                        checker_compare(CHECKER_LINES, 1e-6, 1e-6, c->runs[k].out, strlen(c->runs[k].out), expected,
                                        strlen(expected), &check);
                outcome_judge(&results[k], &job.limits, expected ? &check : NULL);
                ASSERT_STR_EQ(verdict_to_string(results[k].verdict), verdict_to_string(c->runs[k].verdict));
        }
        if (r >= 0)
                r = report_job(&b, &job, &test_caps, JOB_ID, results, NULL);
        buffers_done(results, ELEMENTSOF(results));
        ASSERT_OK(r);

        ASSERT_TRUE(b.size >= 2 && memcmp(b.data + b.size - 2, "}\n", 2) == 0);
        _cleanup_(cJSON_Deletep) cJSON *j = cJSON_ParseWithLength(b.data, b.size);
        ASSERT_NOT_NULL(j);
        ASSERT_TRUE(cJSON_IsObject(j));
        ASSERT_STR_EQ(json_string(j, "status"), c->status);
        ASSERT_STR_EQ(json_string(j, "job_id"), JOB_ID);
        ASSERT_STR_EQ(json_string(j, "verdict"), c->verdict);
        ASSERT_INT_EQ(report_exit_status(&job, results), c->exit_status);
        if (c->error)
                ASSERT_STR_EQ(json_string(j, "error"), c->error);
        else
                ASSERT_TRUE(json_is_null(j, "error"));
        /* The first run's stdout, invalid UTF-8 replaced. */
        const char *out = c->runs[0].out, *ff = strchr(out, '\xff');
        if (ff)
                ASSERT_TRUE(strncmp(json_string(j, "output"), out, (size_t) (ff - out)) == 0 &&
                            strcmp(json_string(j, "output") + (ff - out), "\xef\xbf\xbd!\n") == 0);
        else
                ASSERT_STR_EQ(json_string(j, "output"), out);

        tr = cJSON_GetObjectItemCaseSensitive(j, "test_results");
        ASSERT_TRUE(cJSON_IsArray(tr));
        ASSERT_INT_EQ(cJSON_GetArraySize(tr), c->has_cases ? (int) c->n_runs : 0);
        /* No compile story for an interpreted language. */
        ASSERT_TRUE(!cJSON_GetObjectItemCaseSensitive(j, "compile"));
        if (!c->has_cases) {
                check_run_details(j, &c->runs[0]);
                ASSERT_TRUE(!cJSON_GetObjectItemCaseSensitive(j, "score"));
                return;
        }
        /* The job's score: the share of cases accepted, with no checker giving scores. */
        size_t accepted = 0;
        bool internal = false;
        for (size_t k = 0; k < c->n_runs; k++) {
                accepted += c->runs[k].verdict == VERDICT_ACCEPTED;
                internal = internal || c->runs[k].verdict == VERDICT_INTERNAL_ERROR;
        }
        /* None where kw failed a case: a 0 would be the contestant's. */
        if (internal)
                ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "score")));
        else
                ASSERT_TRUE(json_number(j, "score") == (double) accepted / (double) c->n_runs);
        for (size_t k = 0; k < c->n_runs; k++) {
                const cJSON *t = cJSON_GetArrayItem(tr, (int) k);
                const RunSpec *s = &c->runs[k];
                const char *message = json_string(t, "checker_message");

                /* The lines checker's word where the run ended normally, else null; no score. */
                if (verdict_is_normal(s->verdict))
                        ASSERT_TRUE(message && strncmp(message, s->verdict == VERDICT_ACCEPTED ? "ok: " : "wrong answer: ",
                                                       s->verdict == VERDICT_ACCEPTED ? 4 : 14) == 0);
                else
                        ASSERT_TRUE(json_is_null(t, "checker_message"));
                ASSERT_TRUE(!cJSON_GetObjectItemCaseSensitive(t, "score"));

                test_case_begin("report_job: %s: test %zu", c->name, k + 1);
                ASSERT_TRUE(cJSON_IsObject(t));
                ASSERT_STR_EQ(json_string(t, "input"), s->input);
                ASSERT_STR_EQ(json_string(t, "expected"), s->expected);
                ASSERT_STR_EQ(json_string(t, "actual"), s->out);
                ASSERT_TRUE(cJSON_IsBool(cJSON_GetObjectItemCaseSensitive(t, "passed")));
                ASSERT_INT_EQ(cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(t, "passed")),
                              s->verdict == VERDICT_ACCEPTED);
                check_run_details(t, s);
                if (test_state.failures > 0)
                        return;
        }
}

/* Only the end of a long stderr goes into "error", from a line start on. */
static void test_report_stderr_tail(void) {
        RunResult result = { .outcome = EXIT(2) }, .verdict = VERDICT_RUNTIME_ERROR };
        Job job = { .code = (char *) "x", .code_size = 1, .limits = test_limits };
        _cleanup_(buffer_done) Buffer b = {};
        _cleanup_(cJSON_Deletep) cJSON *j = NULL;
        int r = 0;

        for (int line = 0; r >= 0 && line < 1000; line++)
                r = buffer_printf(&result.err, "line %04d of the error\n", line);
        if (r >= 0)
                r = buffer_append(&result.err, "\n\n  \n", 5);
        if (r >= 0)
                r = report_job(&b, &job, &test_caps, JOB_ID, &result, NULL);
        buffer_done(&result.out);
        buffer_done(&result.err);
        ASSERT_OK(r);

        j = cJSON_ParseWithLength(b.data, b.size);
        ASSERT_NOT_NULL(j);
        const char *error = json_string(j, "error");
        ASSERT_NOT_NULL(error);
        const char *tail = strchr(error, '\n');
        ASSERT_NOT_NULL(tail);
        ASSERT_TRUE(strncmp(error, "runtime error: exited with code 2\n", tail - error + 1) == 0);
        tail++;
        /* 23 bytes a line: the 88 whole lines in the last 2048 bytes, the blank end cut. */
        ASSERT_TRUE(strncmp(tail, "line 0912 of the error\n", 23) == 0);
        ASSERT_U64_EQ(strlen(tail), 88 * 23 - 1);
        ASSERT_TRUE(strcmp(tail + strlen(tail) - 22, "line 0999 of the error") == 0);
        /* "stderr" has all of it. */
        ASSERT_U64_EQ(strlen(json_string(j, "stderr")), 1000 * 23 + 5);
}

/* Whatever the program wrote, the report is JSON. */
static void test_report_binary_output(void) {
        static const char junk[] = "\xc0\x80\0\x01\"\\\xed\xa0\x80\xf4\x90\x80\x80\xff\n\r\t\x1b[31m";
        TestCase tc = { (char *) junk, sizeof(junk) - 1, (char *) junk, sizeof(junk) - 1 };
        RunResult result = { .outcome = KILLED("signal", 77) }, .verdict = VERDICT_KILLED_BY_SIGNAL };
        Job job = { .code = (char *) "x", .code_size = 1, .cases = &tc, .n_cases = 1, .has_cases = true,
                    .limits = test_limits };
        _cleanup_(buffer_done) Buffer b = {};
        int r;

        r = buffer_append(&result.out, junk, sizeof(junk) - 1);
        if (r >= 0)
                r = buffer_append(&result.err, junk, sizeof(junk) - 1);
        if (r >= 0)
                r = report_job(&b, &job, &test_caps, JOB_ID, &result, NULL);
        buffer_done(&result.out);
        buffer_done(&result.err);
        ASSERT_OK(r);

        _cleanup_(cJSON_Deletep) cJSON *j = cJSON_ParseWithLength(b.data, b.size);
        ASSERT_NOT_NULL(j);
        const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "test_results"), 0);
        ASSERT_STR_EQ(json_string(t, "signal"), "signal 77");
        ASSERT_TRUE(json_is_null(t, "exit_code"));
        /* No raw control byte, no invalid UTF-8 made it through. */
        for (size_t i = 0; i < b.size - 1; i++)
                ASSERT_TRUE((unsigned char) b.data[i] >= 0x20);
        for (size_t i = 0; i < b.size;) {
                size_t len = oracle_utf8_length((const unsigned char *) b.data + i, b.size - i);
                ASSERT_TRUE(len > 0);
                i += len;
        }
}

/* What a result carries of the runs' output: per field, then in all, in JSON bytes, cut between
 * characters, marked where cut. */
static const struct {
        const char *name;
        uint64_t case_bytes, job_bytes;
        const char *out[3], *err[3];            /* three runs */
        const char *actual[3], *stderr[3];      /* as reported */
        bool actual_cut[3], stderr_cut[3];
        const char *output;                     /* the top-level copy of the first run's stdout */
} cap_cases[] = {
        { "under every cap", 100, 1000, { "a\n", "b\n", "c\n" }, { "", "", "e" },
          { "a\n", "b\n", "c\n" }, { "", "", "e" }, {}, {}, "a\n" },
        { "per field", 4, 1000, { "abcdef", "ab", "abcd" }, { "123456", "", "" },
          { "abcd", "ab", "abcd" }, { "1234", "", "" }, { true }, { true }, "abcd" },
        /* "output" (4) + actual 0 (4) + its stderr (4) + actual 1 (3 of 4, the budget's end). */
        { "in all, in order", 4, 15, { "abcdef", "abcdef", "abcdef" }, { "123456", "", "x" },
          { "abcd", "abc", "" }, { "1234", "", "" }, { true, true, true }, { true, false, true }, "abcd" },
        /* A control byte is six bytes of JSON, and never split. */
        { "escapes count as written", 8, 1000, { "\x01\x02", "ab\x01", "\"\"\"\"\"" }, { "", "", "" },
          { "\x01", "ab\x01", "\"\"\"\"" }, { "", "", "" }, { true, false, true }, {}, "\x01" },
        /* Nor a UTF-8 character (3 bytes each). */
        { "characters kept whole", 7, 1000, { "\xe4\xb8\xad\xe4\xb8\xad\xe4\xb8\xad", "", "" }, { "", "", "" },
          { "\xe4\xb8\xad\xe4\xb8\xad", "", "" }, { "", "", "" }, { true }, {}, "\xe4\xb8\xad\xe4\xb8\xad" },
};

static bool json_true(const cJSON *o, const char *key) {
        return cJSON_IsTrue(cJSON_GetObjectItemCaseSensitive(o, key));
}

static void test_report_caps(size_t i) {
        const __typeof__(cap_cases[0]) *c = &cap_cases[i];
        TestCase cases[3] = {};
        RunResult results[3] = {};
        JobCaps caps = { .result_case_bytes = c->case_bytes, .result_bytes = c->job_bytes };
        Job job = { .code = (char *) "x", .code_size = 1, .cases = cases, .n_cases = 3, .has_cases = true,
                    .limits = test_limits };
        _cleanup_(buffer_done) Buffer b = {};
        int r = 0;

        test_case_begin("report caps: %s", c->name);
        for (size_t k = 0; k < 3; k++) {
                cases[k] = (TestCase) { (char *) "", 0, (char *) "", 0 };
                results[k] = (RunResult) { .outcome = EXIT(0) }, .verdict = VERDICT_WRONG_ANSWER };
                if (r >= 0)
                        r = buffer_append(&results[k].out, c->out[k], strlen(c->out[k]));
                if (r >= 0)
                        r = buffer_append(&results[k].err, c->err[k], strlen(c->err[k]));
        }
        if (r >= 0)
                r = report_job(&b, &job, &caps, JOB_ID, results, NULL);
        buffers_done(results, ELEMENTSOF(results));
        ASSERT_OK(r);
        _cleanup_(cJSON_Deletep) cJSON *j = cJSON_ParseWithLength(b.data, b.size);
        ASSERT_NOT_NULL(j);
        ASSERT_STR_EQ(json_string(j, "output"), c->output);
        ASSERT_TRUE(json_true(j, "output_truncated") == (strcmp(c->output, c->out[0]) != 0));
        for (size_t n = 0; n < 3; n++) {
                const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "test_results"), (int) n);
                ASSERT_STR_EQ(json_string(t, "actual"), c->actual[n]);
                ASSERT_STR_EQ(json_string(t, "stderr"), c->stderr[n]);
                ASSERT_TRUE(json_true(t, "actual_truncated") == c->actual_cut[n]);
                ASSERT_TRUE(json_true(t, "stderr_truncated") == c->stderr_cut[n]);
                /* Absent unless cut. */
                ASSERT_TRUE(c->actual_cut[n] || !cJSON_GetObjectItemCaseSensitive(t, "actual_truncated"));
        }
}

/* Checkers' words in the result: each case's checker_message (null where nothing compared) and
 * score (only where a checker gave one), and the job's score, the mean of each case's: its own, else
 * 1 if accepted, else 0. */
typedef struct CheckedRun {
        RunOutcome outcome;
        CheckResult check;      /* what its checker found; .message "" for no check at all */
} CheckedRun;

#define NO_CHECK { VERDICT_ACCEPTED, NAN, "" }

static const struct {
        const char *name;
        size_t n;
        CheckedRun runs[3];
        const char *verdicts[3];
        const char *messages[3];        /* NULL: null */
        double scores[3];               /* NAN: no "score" */
        double score;                   /* the job's */
        const char *verdict, *status;
} checked_cases[] = {
        { "built-in checkers", 3,
          { { OK }, { VERDICT_ACCEPTED, NAN, "ok: 1 line" } },
            { OK }, { VERDICT_WRONG_ANSWER, NAN, "wrong answer: line 1 differs: expected '2', found '3'" } },
            { EXIT(1) }, NO_CHECK } },
          { "accepted", "wrong_answer", "runtime_error" },
          { "ok: 1 line", "wrong answer: line 1 differs: expected '2', found '3'", NULL }, { NAN, NAN, NAN },
          1.0 / 3, "runtime_error", "error" },
        { "custom checker scores", 3,
          { { OK }, { VERDICT_ACCEPTED, 1, "accepted" } },
            { OK }, { VERDICT_WRONG_ANSWER, 0.5, "partial score 0.5" } },
            { OK }, { VERDICT_PRESENTATION_ERROR, 0, "trailing spaces" } } },
          { "accepted", "wrong_answer", "presentation_error" }, { "accepted", "partial score 0.5", "trailing spaces" },
          { 1, 0.5, 0 }, 0.5, "wrong_answer", "success" },
        { "scores and none", 3,
          { { OK }, { VERDICT_WRONG_ANSWER, 0.25, "partial score 0.25" } },
            { OK }, { VERDICT_ACCEPTED, NAN, "ok: 2 tokens" } },
            { KILLED("timeout", SIGTERM) }, NO_CHECK } },
          { "wrong_answer", "accepted", "time_limit_exceeded" }, { "partial score 0.25", "ok: 2 tokens", NULL },
          { 0.25, NAN, NAN }, 1.25 / 3, "time_limit_exceeded", "error" },
        { "a presentation error is a normal end", 1,
          { { OK }, { VERDICT_PRESENTATION_ERROR, 0, "presentation error" } } },
          { "presentation_error" }, { "presentation error" }, { 0 }, 0, "presentation_error", "success" },
        { "full marks", 2,
          { { OK }, { VERDICT_ACCEPTED, 1, "accepted" } }, { OK }, { VERDICT_ACCEPTED, 1, "ok \"quoted\"\t" } } },
          { "accepted", "accepted" }, { "accepted", "ok \"quoted\"\t" }, { 1, 1 }, 1, "accepted", "success" },
        { "the checker failed", 2,
          { { OK }, { VERDICT_ACCEPTED, 1, "accepted" } },
            { OK }, { VERDICT_INTERNAL_ERROR, NAN, "checker failed (exit 3): no answer file" } } },
          { "accepted", "internal_error" }, { "accepted", "checker failed (exit 3): no answer file" }, { 1, NAN },
          NAN, "internal_error", "error" },
};

static void test_report_checked(size_t i) {
        const __typeof__(checked_cases[0]) *c = &checked_cases[i];
        TestCase cases[3] = {};
        RunResult results[3] = {};
        Job job = { .code = (char *) "x", .code_size = 1, .cases = cases, .n_cases = c->n, .has_cases = true,
                    .limits = test_limits };
        _cleanup_(buffer_done) Buffer b = {};

        test_case_begin("report_job: checked: %s", c->name);
        for (size_t k = 0; k < c->n; k++) {
                cases[k] = (TestCase) { (char *) "1", 1, (char *) "2", 1 };
                results[k].outcome = c->runs[k].outcome;
                outcome_judge(&results[k], &job.limits, c->runs[k].check.message[0] ? &c->runs[k].check : NULL);
        }
        ASSERT_OK(report_job(&b, &job, &test_caps, JOB_ID, results, NULL));
        buffers_done(results, ELEMENTSOF(results));

        _cleanup_(cJSON_Deletep) cJSON *j = cJSON_ParseWithLength(b.data, b.size);
        ASSERT_NOT_NULL(j);
        ASSERT_STR_EQ(json_string(j, "status"), c->status);
        ASSERT_STR_EQ(json_string(j, "verdict"), c->verdict);
        const cJSON *score = cJSON_GetObjectItemCaseSensitive(j, "score");
        if (isnan(c->score))
                ASSERT_TRUE(cJSON_IsNull(score));
        else {
                ASSERT_TRUE(cJSON_IsNumber(score));
                ASSERT_FAIL_IF(fabs(score->valuedouble - c->score) > 1e-15, "job score %.17g, not %.17g", score->valuedouble,
                               c->score);
        }
        const cJSON *tr = cJSON_GetObjectItemCaseSensitive(j, "test_results");
        ASSERT_INT_EQ(cJSON_GetArraySize(tr), (int) c->n);
        for (size_t k = 0; k < c->n; k++) {
                const cJSON *t = cJSON_GetArrayItem(tr, (int) k);

                test_case_begin("report_job: checked: %s: test %zu", c->name, k + 1);
                ASSERT_STR_EQ(json_string(t, "verdict"), c->verdicts[k]);
                ASSERT_INT_EQ(json_true(t, "passed"), strcmp(c->verdicts[k], "accepted") == 0);
                if (c->messages[k])
                        ASSERT_STR_EQ(json_string(t, "checker_message"), c->messages[k]);
                else
                        ASSERT_TRUE(json_is_null(t, "checker_message"));
                const cJSON *s = cJSON_GetObjectItemCaseSensitive(t, "score");
                if (isnan(c->scores[k]))
                        ASSERT_TRUE(s == NULL);
                else
                        ASSERT_TRUE(cJSON_IsNumber(s) && s->valuedouble == c->scores[k]);
        }
}

/* A score is written in full: read back, the same double. */
static void test_report_score_digits(void) {
        TestCase tc = { (char *) "", 0, (char *) "", 0 };
        RunResult result = { .outcome = OK } };
        CheckResult check = { VERDICT_WRONG_ANSWER, 1.0 / 3, "partial score 0.333333" };
        Job job = { .code = (char *) "x", .code_size = 1, .cases = &tc, .n_cases = 1, .has_cases = true,
                    .limits = test_limits };
        _cleanup_(buffer_done) Buffer b = {};

        outcome_judge(&result, &job.limits, &check);
        ASSERT_OK(report_job(&b, &job, &test_caps, JOB_ID, &result, NULL));
        _cleanup_(cJSON_Deletep) cJSON *j = cJSON_ParseWithLength(b.data, b.size);
        ASSERT_NOT_NULL(j);
        const cJSON *t = cJSON_GetArrayItem(cJSON_GetObjectItemCaseSensitive(j, "test_results"), 0);
        ASSERT_TRUE(json_number(t, "score") == 1.0 / 3);
        ASSERT_TRUE(json_number(j, "score") == 1.0 / 3);
}

/* A compiled language: its compile run's story, and on a compilation error, why with the compiler's
 * messages (stderr, then stdout) as the job's error. */
static const Limits compile_limits = {
        .time_ms = 10000, .wall_time_ms = 20000, .memory_bytes = 1ULL << 30, .processes = 16, .open_files = 1024,
        .file_size_bytes = 64 << 20, .tmp_bytes = 256 << 20, .output_bytes = 1 << 20, .cpu_percent = 100,
};

static const struct {
        const char *name;
        bool has_cases;
        uint64_t message_bytes;
        RunOutcome compile;
        const char *out, *err;          /* the compiler's */
        const char *compile_verdict;
        const char *output;             /* compile.output */
        bool output_cut;
        const char *status, *verdict;
        const char *error;              /* NULL: null */
        int exit_status;
} compile_cases[] = {
        { "compiled", true, 64 << 10, OK, .cpu_end_usec = 250000, .wall_usec = 400000, .memory_peak = 50 << 20 },
          "", "", "accepted", "", false, "success", "accepted", NULL, 0 },
        { "compiled with warnings", true, 64 << 10, OK, .memory_peak = UINT64_MAX }, "",
          "main.c:3:5: warning: unused variable 'x'\n", "accepted", "main.c:3:5: warning: unused variable 'x'\n", false,
          "success", "accepted", NULL, 0 },
        { "a compilation error", true, 64 << 10, EXIT(1), .cpu_end_usec = 90000, .wall_usec = 120000,
                                                       .memory_peak = 30 << 20 },
          "note: from stdout\n", "main.c:1:10: error: expected ';'\n", "compilation_error",
          "main.c:1:10: error: expected ';'\nnote: from stdout\n", false, "error", "compilation_error",
          "compilation error: the compiler exited with code 1\nmain.c:1:10: error: expected ';'\nnote: from stdout\n", 1 },
        { "a compilation error, silent", true, 64 << 10, EXIT(4) }, "", "", "compilation_error", "", false, "error",
          "compilation_error", "compilation error: the compiler exited with code 4", 1 },
        { "the compiler out of time", true, 64 << 10, KILLED("signal", SIGXCPU), .cpu_end_usec = 10000000 }, "",
          "cc1: partial\n", "compilation_error", "cc1: partial\n", false, "error", "compilation_error",
          "compilation error: the compiler reached its CPU time limit of 10000 ms\ncc1: partial\n", 1 },
        { "the compiler OOM-killed", true, 64 << 10, KILLED("signal", SIGKILL), .oom_kills = 1 }, "", "",
          "compilation_error", "", false, "error", "compilation_error",
          "compilation error: the compiler used more than its memory limit of 1024 MB", 1 },
        { "no program made", true, 64 << 10, OK, .product_error = ENOENT }, "", "", "compilation_error", "", false,
          "error", "compilation_error", "compilation error: the compiler produced no program (ENOENT)", 1 },
        { "a program too large", true, 64 << 10, OK, .product_error = EFBIG }, "", "", "compilation_error", "", false,
          "error", "compilation_error", "compilation error: what the compiler produced is over the size limit", 1 },
        /* The messages kept to message_bytes, stderr first. */
        { "messages cut", true, 10, EXIT(1) }, "xyz", "0123456789abc", "compilation_error", "0123456789", true, "error",
          "compilation_error", "compilation error: the compiler exited with code 1\n0123456789", 1 },
        { "messages exactly at the cut", true, 10, EXIT(1) }, "89", "01234567", "compilation_error", "0123456789",
          false, "error", "compilation_error", "compilation error: the compiler exited with code 1\n0123456789", 1 },
        { "stdout cut after stderr", true, 8, EXIT(1) }, "oooooo", "eeeeee", "compilation_error", "eeeeeeoo", true,
          "error", "compilation_error", "compilation error: the compiler exited with code 1\neeeeeeoo", 1 },
        { "warnings cut, compiled", true, 4, OK }, "", "warning\n", "accepted", "warn", true, "success", "accepted",
          NULL, 0 },
        /* No test cases: the one run is not made either. */
        { "a compilation error, no test cases", false, 64 << 10, EXIT(1) }, "", "error: x\n", "compilation_error",
          "error: x\n", false, "error", "compilation_error", "compilation error: the compiler exited with code 1\nerror: x\n",
          1 },
        { "compiled, no test cases", false, 64 << 10, OK }, "", "", "accepted", "", false, "success", "accepted", NULL,
          0 },
        /* kw's own failure: told as the runs' (which could not run), not as the code's. */
        { "kw failed to compile", true, 64 << 10, OK, .internal_error = "lost the cell" }, "", "", "internal_error", "",
          false, "error", "internal_error", "Test 1: internal error: the job's code was not run (and 1 more test did not end normally)", 3 },
};

static void test_report_compile(size_t i) {
        const __typeof__(compile_cases[0]) *c = &compile_cases[i];
        LanguageCompile lc = { .limits = compile_limits, .message_bytes = c->message_bytes, .product_bytes = 64 << 20 };
        Language lang = { .name = (char *) "c", .compile = &lc };
        TestCase cases[2] = { { (char *) "1", 1, (char *) "2", 1 }, { (char *) "", 0, (char *) "2\n", 2 } };
        RunResult results[2] = {}, compile = { .outcome = c->compile };
        Job job = { .code = (char *) "int main", .code_size = 8, .language = &lang, .cases = cases,
                    .n_cases = c->has_cases ? 2 : 0, .has_cases = c->has_cases, .limits = test_limits };
        _cleanup_(buffer_done) Buffer b = {};
        int r;

        test_case_begin("report_job: compile: %s", c->name);
        r = buffer_append(&compile.out, c->out, strlen(c->out));
        if (r >= 0)
                r = buffer_append(&compile.err, c->err, strlen(c->err));
        outcome_judge_compile(&compile, &lc.limits);
        /* The runs, as kw makes them: not run unless it compiled; after kw failed, kw's failure. */
        for (size_t k = 0; k < job_n_runs(&job); k++) {
                if (compile.verdict == VERDICT_COMPILATION_ERROR)
                        results[k].outcome = (RunOutcome) { .not_compiled = true };
                else if (compile.verdict == VERDICT_INTERNAL_ERROR)
                        results[k].outcome = (RunOutcome) { .internal_error = "the job's code was not run" };
                else {
                        results[k].outcome = (RunOutcome) OK };
                        if (r >= 0)
                                r = buffer_append(&results[k].out, "2\n", 2);
                }
                CheckResult check;
                checker_compare(CHECKER_LINES, 1e-6, 1e-6, results[k].out.data, results[k].out.size,
                                c->has_cases ? cases[k].expected : "", c->has_cases ? cases[k].expected_size : 0, &check);
                outcome_judge(&results[k], &job.limits, c->has_cases ? &check : NULL);
        }
        if (r >= 0)
                r = report_job(&b, &job, &test_caps, JOB_ID, results, &compile);
        buffers_done(results, ELEMENTSOF(results));
        buffers_done(&compile, 1);
        ASSERT_OK(r);
        ASSERT_STR_EQ(verdict_to_string(compile.verdict), c->compile_verdict);

        _cleanup_(cJSON_Deletep) cJSON *j = cJSON_ParseWithLength(b.data, b.size);
        ASSERT_NOT_NULL(j);
        ASSERT_STR_EQ(json_string(j, "status"), c->status);
        ASSERT_STR_EQ(json_string(j, "verdict"), c->verdict);
        if (c->error)
                ASSERT_STR_EQ(json_string(j, "error"), c->error);
        else
                ASSERT_TRUE(json_is_null(j, "error"));
        ASSERT_INT_EQ(report_exit_status(&job, results), c->exit_status);

        const cJSON *co = cJSON_GetObjectItemCaseSensitive(j, "compile");
        ASSERT_TRUE(cJSON_IsObject(co));
        ASSERT_STR_EQ(json_string(co, "verdict"), c->compile_verdict);
        ASSERT_U64_EQ((uint64_t) json_number(co, "time_ms"), compile.cpu_usec / 1000);
        ASSERT_U64_EQ((uint64_t) json_number(co, "wall_time_ms"), c->compile.wall_usec / 1000);
        if (c->compile.memory_peak == UINT64_MAX)
                ASSERT_TRUE(json_is_null(co, "memory_bytes"));
        else
                ASSERT_U64_EQ((uint64_t) json_number(co, "memory_bytes"), c->compile.memory_peak);
        if (c->compile.exit_code == CLD_EXITED)
                ASSERT_INT_EQ((int) json_number(co, "exit_code"), c->compile.exit_status);
        else
                ASSERT_TRUE(json_is_null(co, "exit_code"));
        ASSERT_STR_EQ(json_string(co, "output"), c->output);
        ASSERT_INT_EQ(json_true(co, "output_truncated"), c->output_cut);
        ASSERT_TRUE(c->output_cut || !cJSON_GetObjectItemCaseSensitive(co, "output_truncated"));

        const cJSON *tr = cJSON_GetObjectItemCaseSensitive(j, "test_results");
        ASSERT_INT_EQ(cJSON_GetArraySize(tr), c->has_cases ? 2 : 0);
        if (!c->has_cases) {
                /* The one run's details at the top level, no score. */
                ASSERT_STR_EQ(json_string(j, "verdict"), c->verdict);
                ASSERT_TRUE(!cJSON_GetObjectItemCaseSensitive(j, "score"));
                return;
        }
        if (strcmp(c->verdict, "internal_error") == 0)
                ASSERT_TRUE(cJSON_IsNull(cJSON_GetObjectItemCaseSensitive(j, "score")));
        else
                ASSERT_TRUE(json_number(j, "score") == (strcmp(c->verdict, "accepted") == 0 ? 1 : 0));
        for (size_t k = 0; k < 2; k++) {
                const cJSON *t = cJSON_GetArrayItem(tr, (int) k);
                ASSERT_STR_EQ(json_string(t, "verdict"), c->verdict);
                ASSERT_INT_EQ(json_true(t, "passed"), strcmp(c->verdict, "accepted") == 0);
                if (strcmp(c->verdict, "accepted") == 0)
                        ASSERT_STR_EQ(json_string(t, "checker_message"), "ok: 1 line");
                else
                        ASSERT_TRUE(json_is_null(t, "checker_message"));
        }
}

int main(void) {
        TEST_TABLE(test_json_append_string, string_cases);
        TEST_RUN(test_json_append_string_or_null);
        TEST_RUN(test_json_string_exhaustive);
        TEST_TABLE(test_report_job, report_cases);
        TEST_RUN(test_report_stderr_tail);
        TEST_RUN(test_report_binary_output);
        TEST_TABLE(test_report_caps, cap_cases);
        TEST_TABLE(test_report_checked, checked_cases);
        TEST_RUN(test_report_score_digits);
        TEST_TABLE(test_report_compile, compile_cases);
        return test_summary();
}
