/* SPDX-License-Identifier: MIT */
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "audit-query.h"
#include "audit.h"
#include "test-helpers.h"
#include "timestamp.h"

#define IOV(s) { .iov_base = (char *) (s), .iov_len = sizeof(s) - 1 }
/* 2026-12-02 06:19:50.25 UTC. */
#define NOW (1796192390ULL * USEC_PER_SEC + 250000)
#define ID "0123456789abcdef0123456789abcdef"

static const struct {
        const char *name;
        AuditArgs args;
        int r;
        const char *error;        /* its start */
        AuditFilter want;
} args_cases[] = {
        { .name = "nothing given", .want = { 0, UINT64_MAX, NULL, NULL, UINT64_MAX, false } },
        { .name = "every option",
          .args = { "2026-12-02 06:00:00", "-1min", "wrong_answer", "1000", "python", true },
          .want = { 1796191200ULL * USEC_PER_SEC, NOW - 60 * USEC_PER_SEC, "wrong_answer", "python", 1000, true } },
        { .name = "since equal to until", .args = { .since = "@100", .until = "@100" },
          .want = { 100 * USEC_PER_SEC, 100 * USEC_PER_SEC, NULL, NULL, UINT64_MAX, false } },
        { .name = "a bad --since", .args = { .since = "yesterdy" }, .r = -EINVAL,
          .error = "--since: cannot read 'yesterdy' as a time;" },
        { .name = "a bad --until", .args = { .until = "2026-02-30" }, .r = -EINVAL,
          .error = "--until: cannot read '2026-02-30' as a time;" },
        { .name = "--since out of range", .args = { .since = "1960-01-01" }, .r = -EINVAL,
          .error = "--since: '1960-01-01' is out of range" },
        { .name = "--since after --until", .args = { .since = "today", .until = "yesterday" }, .r = -EINVAL,
          .error = "--since 'today' is after --until 'yesterday'" },
        { .name = "an unknown verdict", .args = { .verdict = "WA" }, .r = -EINVAL,
          .error = "--verdict: unknown verdict 'WA' (one of accepted, wrong_answer, presentation_error, time_limit_exceeded, "
                   "memory_limit_exceeded, output_limit_exceeded, runtime_error, killed_by_signal, compilation_error, "
                   "internal_error)" },
        { .name = "a verdict is spelt as kw writes it", .args = { .verdict = "Accepted" }, .r = -EINVAL,
          .error = "--verdict: unknown verdict 'Accepted'" },
        { .name = "a user name", .args = { .submitter = "root" }, .r = -EINVAL, .error = "--submitter: 'root' is not a user id" },
        { .name = "a negative uid", .args = { .submitter = "-1" }, .r = -EINVAL, .error = "--submitter: '-1' is not a user id" },
        { .name = "uid 4294967295 is nobody's", .args = { .submitter = "4294967295" }, .r = -EINVAL,
          .error = "--submitter: '4294967295' is not a user id" },
        { .name = "an empty submitter", .args = { .submitter = "" }, .r = -EINVAL, .error = "--submitter: '' is not a user id" },
        { .name = "an empty language", .args = { .language = "" }, .r = -EINVAL, .error = "--language: '' is not a language name" },
        { .name = "a language with '='", .args = { .language = "c=1" }, .r = -EINVAL,
          .error = "--language: 'c=1' is not a language name" },
        { .name = "a language with a blank", .args = { .language = "c " }, .r = -EINVAL,
          .error = "--language: 'c ' is not a language name" },
};

static void test_args(size_t i) {
        _cleanup_free_ char *error = NULL;
        AuditFilter f = { .since_usec = 7 };

        test_case_begin("audit_filter_from_args: %s", args_cases[i].name);
        setenv("TZ", "UTC", 1);
        tzset();
        ASSERT_ERRNO_EQ(audit_filter_from_args(&args_cases[i].args, NOW, &f, &error), args_cases[i].r);
        if (args_cases[i].r < 0) {
                ASSERT_NOT_NULL(error);
                ASSERT_FAIL_IF(strncmp(error, args_cases[i].error, strlen(args_cases[i].error)) != 0, "error: %s", error);
                ASSERT_U64_EQ(f.since_usec, 7);
                return;
        }
        const AuditFilter *w = &args_cases[i].want;
        ASSERT_U64_EQ(f.since_usec, w->since_usec);
        ASSERT_U64_EQ(f.until_usec, w->until_usec);
        ASSERT_STR_EQ(f.verdict, w->verdict);
        ASSERT_STR_EQ(f.language, w->language);
        ASSERT_U64_EQ(f.submitter_uid, w->submitter_uid);
        ASSERT_INT_EQ(f.security, w->security);
}

static void test_matches(void) {
        _cleanup_(audit_matches_done) AuditMatches m = {};
        AuditFilter all = { .until_usec = UINT64_MAX, .submitter_uid = UINT64_MAX, .security = true };
        AuditFilter f = { .until_usec = UINT64_MAX, .verdict = "accepted", .language = "c", .submitter_uid = 0 };

        ASSERT_OK(audit_filter_matches(&all, &m));
        ASSERT_INT_EQ(m.n, 2);
        ASSERT_STR_EQ(m.match[0], "KW_AUDIT=1");
        ASSERT_STR_EQ(m.match[1], "_UID=0");
        audit_matches_done(&m);
        ASSERT_OK(audit_filter_matches(&f, &m));
        ASSERT_INT_EQ(m.n, 5);
        ASSERT_STR_EQ(m.match[2], "KW_VERDICT=accepted");
        ASSERT_STR_EQ(m.match[3], "KW_LANGUAGE=c");
        ASSERT_STR_EQ(m.match[4], "KW_SUBMITTER_UID=0");
}

/* A judged job's entry, as kwd writes it: a compiled language's, with a limit and an event. */
static const struct iovec judged[] = {
        IOV("MESSAGE=kw job " ID " from uid 1000 (pid 42): time_limit_exceeded, 2 runs"),
        IOV("PRIORITY=4"),
        IOV("KW_AUDIT=1"),
        IOV("SYSLOG_IDENTIFIER=kwd"),
        IOV("KW_JOB_ID=" ID),
        IOV("KW_SUBMITTER_UID=1000"),
        IOV("KW_SUBMITTER_PID=42"),
        IOV("KW_CODE_SHA256=ab"),
        IOV("KW_QUEUE_MESSAGE="),
        IOV("KW_LANGUAGE=c"),
        IOV("KW_RUNS=2"),
        IOV("KW_VERDICT=time_limit_exceeded"),
        IOV("KW_VERDICTS=accepted,time_limit_exceeded"),
        IOV("KW_CPU_USEC=1020000"),
        IOV("KW_MEMORY_PEAK_BYTES=3670016"),
        IOV("KW_LIMITS_HIT=1:cpu-time"),
        IOV("KW_SECURITY_EVENTS=1:cpu-timeout,compile:seccomp-violation"),
        IOV("KW_COMPILE_VERDICT=accepted"),
        IOV("KW_COMPILE_CPU_USEC=250000"),
        IOV("_UID=0"),
};

/* Copies of @n fields, each in a block of its exact size, as the journal's are: no NUL after a
 * value, so a read past one is an error valgrind and ASan see. */
static struct iovec *fields_dup(const struct iovec *fields, size_t n) {
        struct iovec *v = calloc(n, sizeof(*v));
        for (size_t i = 0; v && i < n; i++) {
                v[i].iov_base = malloc(fields[i].iov_len);
                if (!v[i].iov_base)
                        abort();
                memcpy(v[i].iov_base, fields[i].iov_base, fields[i].iov_len);
                v[i].iov_len = fields[i].iov_len;
        }
        return v;
}

static void fields_free(struct iovec *v, size_t n) {
        for (size_t i = 0; v && i < n; i++)
                free(v[i].iov_base);
        free(v);
}

static void test_record(void) {
        _cleanup_(audit_record_done) AuditRecord r = {};
        _cleanup_(buffer_done) Buffer row = {}, json = {};
        const char *field = NULL;

        struct iovec *fields = fields_dup(judged, ELEMENTSOF(judged));
        int k;

        setenv("TZ", "UTC", 1);
        tzset();
        ASSERT_NOT_NULL(fields);
        k = audit_record_parse(fields, ELEMENTSOF(judged), NOW, &r, &field);
        fields_free(fields, ELEMENTSOF(judged));
        ASSERT_OK(k);
        ASSERT_STR_EQ(r.job_id, ID);
        ASSERT_STR_EQ(r.judged_by, "kwd");
        ASSERT_U64_EQ(r.submitter_uid, 1000);
        ASSERT_U64_EQ(r.runs, 2);
        ASSERT_U64_EQ(r.compile_cpu_usec, 250000);
        ASSERT_OK(audit_format_row(&row, &r));
        ASSERT_OK(buffer_terminate(&row));
        ASSERT_STR_EQ(row.data, "2026-12-02 06:19:50  " ID "  1000        c           time_limit_exceeded      "
                                "1.020s     3.5M  1:cpu-time    1:cpu-timeout,compile:seccomp-violation\n");
        ASSERT_OK(audit_format_json(&json, &r));
        ASSERT_OK(buffer_terminate(&json));
        ASSERT_STR_EQ(json.data,
                      "{\"time\":\"2026-12-02T06:19:50.250000Z\",\"realtime_usec\":1796192390250000,\"job_id\":\"" ID "\","
                      "\"judged_by\":\"kwd\",\"submitter_uid\":1000,\"submitter_pid\":42,\"queue_message\":null,"
                      "\"code_sha256\":\"ab\",\"language\":\"c\",\"runs\":2,\"verdict\":\"time_limit_exceeded\","
                      "\"verdicts\":[\"accepted\",\"time_limit_exceeded\"],\"cpu_usec\":1020000,\"memory_peak_bytes\":3670016,"
                      "\"limits_hit\":[\"1:cpu-time\"],\"security_events\":[\"1:cpu-timeout\",\"compile:seccomp-violation\"],"
                      "\"compile\":{\"verdict\":\"accepted\",\"cpu_usec\":250000}}\n");
}

/* What audit.c writes, read back: the two modules agree on the fields. A job from Redis. */
static void test_round_trip(void) {
        static const Language python = { .name = (char *) "python" };
        RunResult res = { .outcome = { .result = "success", .exit_code = CLD_EXITED, .exec = EXEC_STARTED,
                                       .cpu_start_usec = 0, .cpu_end_usec = 31000, .memory_peak = 900 } };
        outcome_judge(&res, &test_limits, NULL);
        Job job = { .code = (char *) "x", .code_size = 1, .limits = test_limits, .language = &python };
        AuditSubject s = { .job_id = ID, .code_sha256 = "cd", .job = &job, .uid = (uid_t) -1, .msg_id = "17-0" };
        _cleanup_(audit_entry_done) AuditEntry e = {};
        _cleanup_(audit_record_done) AuditRecord r = {};
        _cleanup_(buffer_done) Buffer row = {}, json = {};
        const char *field = NULL;

        setenv("TZ", "UTC", 1);
        tzset();
        ASSERT_OK(audit_judged(&e, &s, &res, NULL, VERDICT_ACCEPTED));
        ASSERT_OK(audit_record_parse(e.fields, e.n, NOW, &r, &field));
        ASSERT_STR_EQ(r.verdicts, "accepted");
        ASSERT_U64_EQ(r.cpu_usec, 31000);
        ASSERT_U64_EQ(r.memory_peak_bytes, 900);
        ASSERT_TRUE(r.compile_verdict == NULL);
        ASSERT_U64_EQ(r.compile_cpu_usec, UINT64_MAX);
        ASSERT_OK(audit_format_row(&row, &r));
        ASSERT_OK(buffer_terminate(&row));
        ASSERT_STR_EQ(row.data, "2026-12-02 06:19:50  " ID "  redis:17-0  python      accepted                 "
                                "0.031s     900B  -             -\n");
        ASSERT_OK(audit_format_json(&json, &r));
        ASSERT_OK(buffer_terminate(&json));
        ASSERT_TRUE(strstr(json.data, "\"submitter_uid\":4294967295,\"submitter_pid\":0,\"queue_message\":\"17-0\","));
        ASSERT_TRUE(strstr(json.data, "\"limits_hit\":[],\"security_events\":[],\"compile\":null}\n"));
}

/* Every field the record needs, each left out once: named. */
static void test_record_missing(void) {
        for (size_t skip = 0; skip < ELEMENTSOF(judged); skip++) {
                struct iovec fields[ELEMENTSOF(judged)];
                size_t n = 0;
                for (size_t i = 0; i < ELEMENTSOF(judged); i++)
                        if (i != skip)
                                fields[n++] = judged[i];
                _cleanup_(audit_record_done) AuditRecord r = {};
                const char *field = NULL;
                const char *name = judged[skip].iov_base;
                size_t len = strcspn(name, "=");
                bool needed = len > 3 && memcmp(name, "KW_", 3) == 0 && strncmp(name, "KW_AUDIT", len) != 0 &&
                              strncmp(name, "KW_COMPILE_", 11) != 0;
                needed = needed || strncmp(name, "SYSLOG_IDENTIFIER", len) == 0;
                int k = audit_record_parse(fields, n, NOW, &r, &field);
                test_case_begin("audit_record_parse without %.*s", (int) len, name);
                ASSERT_ERRNO_EQ(k, needed ? -EBADMSG : 0);
                if (needed)
                        ASSERT_FAIL_IF(strlen(field) != len || strncmp(field, name, len) != 0, "named %s", field);
                test_case_end();
        }
        test_case_begin("audit_record_parse: a number that is not one");
        struct iovec fields[ELEMENTSOF(judged)];
        memcpy(fields, judged, sizeof(judged));
        fields[13] = (struct iovec) IOV("KW_CPU_USEC=12x");
        _cleanup_(audit_record_done) AuditRecord r = {};
        const char *field = NULL;
        ASSERT_ERRNO_EQ(audit_record_parse(fields, ELEMENTSOF(fields), NOW, &r, &field), -EBADMSG);
        ASSERT_STR_EQ(field, "KW_CPU_USEC");
}

static const struct {
        const char *name;
        AuditFilter f;
        bool match;
} filter_cases[] = {
        { "everything", { 0, UINT64_MAX, NULL, NULL, UINT64_MAX, false }, true },
        { "since its time", { NOW, UINT64_MAX, NULL, NULL, UINT64_MAX, false }, true },
        { "since after it", { NOW + 1, UINT64_MAX, NULL, NULL, UINT64_MAX, false }, false },
        { "until its time", { 0, NOW, NULL, NULL, UINT64_MAX, false }, true },
        { "until before it", { 0, NOW - 1, NULL, NULL, UINT64_MAX, false }, false },
        { "its verdict", { 0, UINT64_MAX, "time_limit_exceeded", NULL, UINT64_MAX, false }, true },
        { "another verdict", { 0, UINT64_MAX, "accepted", NULL, UINT64_MAX, false }, false },
        { "its language", { 0, UINT64_MAX, NULL, "c", UINT64_MAX, false }, true },
        { "another language", { 0, UINT64_MAX, NULL, "cpp", UINT64_MAX, false }, false },
        { "its submitter", { 0, UINT64_MAX, NULL, NULL, 1000, false }, true },
        { "another submitter", { 0, UINT64_MAX, NULL, NULL, 0, false }, false },
        { "security events", { 0, UINT64_MAX, NULL, NULL, UINT64_MAX, true }, true },
};

static void test_filter(size_t i) {
        _cleanup_(audit_record_done) AuditRecord r = {};
        const char *field;

        test_case_begin("audit_filter_match: %s", filter_cases[i].name);
        ASSERT_OK(audit_record_parse(judged, ELEMENTSOF(judged), NOW, &r, &field));
        ASSERT_INT_EQ(audit_filter_match(&filter_cases[i].f, &r), filter_cases[i].match);
        /* Without events, --security leaves it out. */
        free(r.security_events);
        r.security_events = strdup("");
        ASSERT_INT_EQ(audit_filter_match(&filter_cases[i].f, &r), filter_cases[i].match && !filter_cases[i].f.security);
}

static const struct iovec accepted[] = {
        IOV("MESSAGE=kw job " ID " accepted from uid 0 (pid 7), c, 2 runs"),
        IOV("SYSLOG_IDENTIFIER=kwctl"),
        IOV("KW_JOB_ID=" ID),
        IOV("KW_SUBMITTER_UID=0"),
};
static const struct iovec test_run[] = {
        IOV("MESSAGE=kw job " ID " run 1, test (kw-cell-ab.service, run 3 of the cell): killed: CPU time limit"),
        IOV("SYSLOG_IDENTIFIER=kw"),
        IOV("KW_SUMMARY=1"),
        IOV("KW_RUN=1"),
        IOV("KW_ROLE=test"),
        IOV("KW_UNIT=kw-cell-ab.service"),
        IOV("KW_CELL_RUN=3"),
        IOV("KW_VERDICT=time_limit_exceeded"),
        IOV("KW_CPU_USEC=1000000"),
        IOV("KW_MEMORY_PEAK_BYTES=18446744073709551615"),
};
static const struct iovec compile_run[] = {
        IOV("MESSAGE=kw job " ID " run 2, compile (kw-cell-cd.service, run 1 of the cell): exit 0"),
        IOV("KW_SUMMARY=1"),
        IOV("KW_RUN=2"),
        IOV("KW_ROLE=compile"),
        IOV("KW_UNIT=kw-cell-cd.service"),
        IOV("KW_CELL_RUN=1"),
        IOV("KW_VERDICT=accepted"),
        IOV("KW_CPU_USEC=250000"),
        IOV("KW_MEMORY_PEAK_BYTES=2048"),
};
static const struct iovec other[] = {
        IOV("MESSAGE=something\nelse"),
        IOV("SYSLOG_IDENTIFIER=kwd"),
};

static const struct {
        const char *name;
        const struct iovec *fields;
        size_t n;
        StoryKind kind;
        const char *line;
} story_cases[] = {
        { "accepted", accepted, ELEMENTSOF(accepted), STORY_ACCEPTED,
          "2026-12-02 06:19:50.250  accepted from uid 0 (pid 7), c, 2 runs\n" },
        { "a test run, with its events", test_run, ELEMENTSOF(test_run), STORY_RUN,
          "2026-12-02 06:19:50.250  run 1, test: time_limit_exceeded, cpu 1.000s, memory -, in kw-cell-ab.service "
          "(its run 3): killed: CPU time limit, security: cpu-timeout\n" },
        { "the compile, with its events", compile_run, ELEMENTSOF(compile_run), STORY_RUN,
          "2026-12-02 06:19:50.250  run 2, compile: accepted, cpu 0.250s, memory 2.0K, in kw-cell-cd.service "
          "(its run 1): exit 0, security: seccomp-violation\n" },
        { "judged", judged, ELEMENTSOF(judged), STORY_JUDGED,
          "2026-12-02 06:19:50.250  judged by kwd: time_limit_exceeded (runs: accepted,time_limit_exceeded), cpu 1.020s, "
          "memory peak 3.5M, limits hit: 1:cpu-time, security events: 1:cpu-timeout,compile:seccomp-violation\n" },
        { "anything else, its first line", other, ELEMENTSOF(other), STORY_OTHER, "2026-12-02 06:19:50.250  kwd: something\n" },
};

static void test_story(size_t i) {
        _cleanup_(buffer_done) Buffer b = {};
        struct iovec *fields = fields_dup(story_cases[i].fields, story_cases[i].n);
        int r;

        test_case_begin("audit_format_story: %s", story_cases[i].name);
        setenv("TZ", "UTC", 1);
        tzset();
        ASSERT_NOT_NULL(fields);
        StoryKind kind = audit_story_kind(fields, story_cases[i].n);
        r = audit_format_story(&b, fields, story_cases[i].n, NOW, "1:cpu-timeout,compile:seccomp-violation,10:oom-kill");
        fields_free(fields, story_cases[i].n);
        ASSERT_INT_EQ(kind, story_cases[i].kind);
        ASSERT_OK(r);
        ASSERT_OK(buffer_terminate(&b));
        ASSERT_STR_EQ(b.data, story_cases[i].line);
}

/* A run without events says none. */
static void test_story_quiet(void) {
        _cleanup_(buffer_done) Buffer b = {};

        ASSERT_OK(audit_format_story(&b, test_run, ELEMENTSOF(test_run), NOW, NULL));
        ASSERT_OK(buffer_terminate(&b));
        ASSERT_TRUE(strstr(b.data, "security") == NULL);
        buffer_done(&b);
        ASSERT_OK(audit_format_story(&b, test_run, ELEMENTSOF(test_run), NOW, "11:oom-kill,0:oom-kill"));
        ASSERT_OK(buffer_terminate(&b));
        ASSERT_TRUE(strstr(b.data, "security") == NULL);
}

#define T(s) s, sizeof(s) - 1
static const struct {
        const char *name;
        const char *data;
        size_t size;
        bool lost;
        const char *out;
} output_cases[] = {
        { "lines", T("Hello\nworld\n"), false, "    stdout, 12 bytes:\n      Hello\n      world\n" },
        { "no newline at the end", T("42"), false, "    stdout, 2 bytes:\n      42\n" },
        { "empty", T(""), false, "    stdout, 0 bytes\n" },
        { "lost", T("a\n"), true, "    stdout, 2 bytes (the journal lost part of it):\n      a\n" },
        { "controls shown, tab and UTF-8 kept", T("\x1b[2J\t\xc3\xa9\0\x7f\n"), false,
          "    stdout, 10 bytes:\n      \\x1b[2J\t\xc3\xa9\\x00\\x7f\n" },
        { "empty lines kept", T("\n\nx\n"), false, "    stdout, 4 bytes:\n      \n      \n      x\n" },
};

static void test_output(size_t i) {
        _cleanup_(buffer_done) Buffer b = {};

        test_case_begin("audit_format_output: %s", output_cases[i].name);
        ASSERT_OK(audit_format_output(&b, "stdout", output_cases[i].data, output_cases[i].size, output_cases[i].lost));
        ASSERT_MEM_EQ(b.data, b.size, output_cases[i].out, strlen(output_cases[i].out));
}

static const struct {
        const char *id;
        bool valid;
} id_cases[] = {
        { ID, true },
        { "0123456789ABCDEF0123456789abcdef", false },
        { "0123456789abcdef0123456789abcde", false },
        { "0123456789abcdef0123456789abcdef0", false },
        { "0123456789abcdef0123456789abcdeg", false },
        { "", false },
};

static void test_job_id(size_t i) {
        test_case_begin("audit_job_id_valid(\"%s\")", id_cases[i].id);
        ASSERT_INT_EQ(audit_job_id_valid(id_cases[i].id), id_cases[i].valid);
}

int main(void) {
        TEST_TABLE(test_args, args_cases);
        TEST_RUN(test_matches);
        TEST_RUN(test_record);
        TEST_RUN(test_round_trip);
        TEST_RUN(test_record_missing);
        TEST_TABLE(test_filter, filter_cases);
        TEST_TABLE(test_story, story_cases);
        TEST_RUN(test_story_quiet);
        TEST_TABLE(test_output, output_cases);
        TEST_TABLE(test_job_id, id_cases);
        return test_summary();
}
