/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "audit.h"
#include "test-helpers.h"

/* The value of field @key, NUL-terminated into @buf; NULL if the entry has none. */
static const char *field(const AuditEntry *e, const char *key, char buf[static 512]) {
        size_t k = strlen(key);
        for (size_t i = 0; i < e->n; i++) {
                const char *s = e->fields[i].iov_base;
                size_t n = e->fields[i].iov_len;
                if (n > k && memcmp(s, key, k) == 0 && s[k] == '=') {
                        snprintf(buf, 512, "%.*s", (int) (n - k - 1), s + k + 1);
                        return buf;
                }
        }
        return NULL;
}

#define KILLED(sig) { .result = "signal", .exit_code = CLD_KILLED, .exit_status = (sig), .exec = EXEC_STARTED

static const Language python = { .name = (char *) "python" };

/* One run of each kind of kill, judged as kw judges them: the entry tells each apart. */
static void test_judged(void) {
        const RunOutcome outcomes[] = {
                { .result = "success", .exit_code = CLD_EXITED, .exec = EXEC_STARTED, .cpu_start_usec = 100,
                  .cpu_end_usec = 20100, .memory_peak = 5000 },
                KILLED(SIGXCPU), .cpu_end_usec = 1000000, .memory_peak = UINT64_MAX },
                KILLED(SIGKILL), .wall_exceeded = true, .memory_peak = 9000 },
                KILLED(SIGKILL), .oom_kills = 1, .memory_peak = 7000 },
                KILLED(SIGSYS), .memory_peak = UINT64_MAX },
                /* A forbidden call after a flood: the verdict tells the flood, the audit both. */
                KILLED(SIGSYS), .output_exceeded = true, .memory_peak = UINT64_MAX },
        };
        RunResult results[ELEMENTSOF(outcomes)] = {};
        TestCase cases[ELEMENTSOF(outcomes)] = {};
        for (size_t i = 0; i < ELEMENTSOF(outcomes); i++) {
                cases[i] = (TestCase) { (char *) "", 0, (char *) "", 0 };
                results[i].outcome = outcomes[i];
                CheckResult check;
                checker_compare(CHECKER_LINES, 0, 0, results[i].out.data, results[i].out.size, "", 0, &check);
                outcome_judge(&results[i], &test_limits, &check);
        }
        Job job = { .code = (char *) "x", .code_size = 1, .cases = cases, .n_cases = ELEMENTSOF(cases),
                    .has_cases = true, .limits = test_limits, .language = &python };
        AuditSubject s = { .job_id = "0123456789abcdef0123456789abcdef", .code_sha256 = "ab", .job = &job,
                           .uid = 1000, .pid = 42 };
        _cleanup_(audit_entry_done) AuditEntry e = {};
        char buf[512];

        ASSERT_OK(audit_judged(&e, &s, results, NULL, VERDICT_TIME_LIMIT_EXCEEDED));
        ASSERT_STR_EQ(field(&e, "KW_AUDIT", buf), "1");
        ASSERT_STR_EQ(field(&e, "PRIORITY", buf), "4");
        ASSERT_STR_EQ(field(&e, "MESSAGE", buf),
                      "kw job 0123456789abcdef0123456789abcdef from uid 1000 (pid 42): time_limit_exceeded, 6 runs");
        ASSERT_STR_EQ(field(&e, "KW_VERDICTS", buf), "accepted,time_limit_exceeded,time_limit_exceeded,"
                                                     "memory_limit_exceeded,killed_by_signal,output_limit_exceeded");
        ASSERT_STR_EQ(field(&e, "KW_LIMITS_HIT", buf), "1:cpu-time,2:wall-time,3:memory,5:output");
        ASSERT_STR_EQ(field(&e, "KW_SECURITY_EVENTS", buf), "1:cpu-timeout,2:wall-timeout,3:oom-kill,4:seccomp-violation,"
                                                            "5:seccomp-violation");
        /* CPU: the first run's own 20000 us (set-up taken off) and the second's 1000000. */
        ASSERT_STR_EQ(field(&e, "KW_CPU_USEC", buf), "1020000");
        ASSERT_STR_EQ(field(&e, "KW_MEMORY_PEAK_BYTES", buf), "9000");
        ASSERT_STR_EQ(field(&e, "KW_RUNS", buf), "6");
        ASSERT_STR_EQ(field(&e, "KW_LANGUAGE", buf), "python");
        ASSERT_STR_EQ(field(&e, "KW_SUBMITTER_UID", buf), "1000");
        ASSERT_STR_EQ(field(&e, "KW_SUBMITTER_PID", buf), "42");
        ASSERT_STR_EQ(field(&e, "KW_JOB_ID", buf), s.job_id);
        ASSERT_STR_EQ(field(&e, "KW_CODE_SHA256", buf), "ab");
        ASSERT_STR_EQ(field(&e, "KW_QUEUE_MESSAGE", buf), "");
        ASSERT_STR_EQ(field(&e, "SYSLOG_IDENTIFIER", buf), "kwd");
}

/* Without a security event, the entry is of priority info; a Redis message names itself. */
static void test_judged_quiet(void) {
        RunResult r = { .outcome = { .result = "success", .exit_code = CLD_EXITED, .exec = EXEC_STARTED,
                                     .memory_peak = UINT64_MAX } };
        outcome_judge(&r, &test_limits, NULL);
        Job job = { .code = (char *) "x", .code_size = 1, .limits = test_limits, .language = &python };
        AuditSubject s = { .job_id = "ff", .code_sha256 = "cd", .job = &job, .uid = (uid_t) -1, .msg_id = "1-0" };
        _cleanup_(audit_entry_done) AuditEntry e = {};
        char buf[512];

        ASSERT_OK(audit_judged(&e, &s, &r, NULL, VERDICT_ACCEPTED));
        ASSERT_STR_EQ(field(&e, "PRIORITY", buf), "6");
        ASSERT_STR_EQ(field(&e, "MESSAGE", buf), "kw job ff from Redis message 1-0: accepted, 1 run");
        ASSERT_STR_EQ(field(&e, "KW_LIMITS_HIT", buf), "");
        ASSERT_STR_EQ(field(&e, "KW_SECURITY_EVENTS", buf), "");
        ASSERT_STR_EQ(field(&e, "KW_MEMORY_PEAK_BYTES", buf), "0");
        ASSERT_STR_EQ(field(&e, "KW_QUEUE_MESSAGE", buf), "1-0");
        ASSERT_STR_EQ(field(&e, "KW_SUBMITTER_UID", buf), "4294967295");
}

/* A compile killed by seccomp: the contestant's code did it, so it is in the job's events. */
static void test_judged_compile(void) {
        RunResult r = { .outcome = { .not_compiled = true, .memory_peak = UINT64_MAX } };
        RunResult c = { .outcome = { .result = "signal", .exit_code = CLD_KILLED, .exit_status = SIGSYS, .exec = EXEC_STARTED,
                                     .cpu_start_usec = 0, .cpu_end_usec = 30000, .memory_peak = UINT64_MAX,
                                     .product_error = ENOENT } };
        outcome_judge(&r, &test_limits, NULL);
        outcome_judge_compile(&c, &test_limits);
        Job job = { .code = (char *) "x", .code_size = 1, .limits = test_limits, .language = &python };
        AuditSubject s = { .job_id = "ff", .code_sha256 = "cd", .job = &job, .uid = 0 };
        _cleanup_(audit_entry_done) AuditEntry e = {};
        char buf[512];

        ASSERT_OK(audit_judged(&e, &s, &r, &c, VERDICT_COMPILATION_ERROR));
        ASSERT_STR_EQ(field(&e, "PRIORITY", buf), "4");
        ASSERT_STR_EQ(field(&e, "KW_VERDICTS", buf), "compilation_error");
        ASSERT_STR_EQ(field(&e, "KW_SECURITY_EVENTS", buf), "compile:seccomp-violation");
        ASSERT_STR_EQ(field(&e, "KW_COMPILE_VERDICT", buf), "compilation_error");
        ASSERT_STR_EQ(field(&e, "KW_COMPILE_CPU_USEC", buf), "30000");
}

static void test_accepted(void) {
        Job job = { .code = (char *) "x", .code_size = 1, .n_cases = 3, .has_cases = true, .limits = test_limits,
                    .language = &python };
        AuditSubject s = { .job_id = "ff", .code_sha256 = "cd", .job = &job, .uid = 0, .pid = 7 };
        _cleanup_(audit_entry_done) AuditEntry e = {};
        char buf[512];

        ASSERT_OK(audit_accepted(&e, &s));
        ASSERT_STR_EQ(field(&e, "MESSAGE", buf), "kw job ff accepted from uid 0 (pid 7), python, 3 runs");
        ASSERT_STR_EQ(field(&e, "PRIORITY", buf), "6");
        ASSERT_TRUE(field(&e, "KW_AUDIT", buf) == NULL);
        ASSERT_STR_EQ(field(&e, "KW_CODE_SHA256", buf), "cd");
        ASSERT_STR_EQ(field(&e, "SYSLOG_IDENTIFIER", buf), "kwd");
        /* kwctl --direct judges its own jobs, and says so. */
        audit_entry_done(&e);
        s.identifier = "kwctl";
        ASSERT_OK(audit_accepted(&e, &s));
        ASSERT_STR_EQ(field(&e, "SYSLOG_IDENTIFIER", buf), "kwctl");
}

int main(void) {
        TEST_RUN(test_judged);
        TEST_RUN(test_judged_quiet);
        TEST_RUN(test_judged_compile);
        TEST_RUN(test_accepted);
        return test_summary();
}
