/* SPDX-License-Identifier: MIT */
#pragma once

/* What every test-*.c (and fuzz-*.c) shares: the ASSERT_* macros, case counting, temporary
 * directories and the policy of the source tree. Header-only: each test is one executable.
 *
 * An ASSERT_* that fails prints file:line, the case and both values, and returns from the
 * function it is in: a case is a void function, and cleanup attributes free what it made. */

#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "policy.h"
#include "util.h"

typedef struct TestState {
        char case_name[256];
        unsigned cases;             /* run, not skipped */
        unsigned failed_cases;
        unsigned skipped;
        unsigned failures;          /* failed assertions in the current case */
        bool skipping;              /* the current case called test_skip() */
} TestState;

static TestState test_state _unused_ = {};

_printf_(1, 2) static inline void test_case_begin(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(test_state.case_name, sizeof(test_state.case_name), fmt, ap);
        va_end(ap);
}

static inline void test_case_end(void) {
        if (test_state.skipping && test_state.failures == 0)
                test_state.skipped++;
        else
                test_state.cases++;
        if (test_state.failures > 0)
                test_state.failed_cases++;
        test_state.failures = 0;
        test_state.skipping = false;
        test_state.case_name[0] = 0;
}

/* Mark the current case skipped; the caller returns. */
static inline void test_skip(const char *why) {
        printf("%s: skipped: %s\n", test_state.case_name, why);
        test_state.skipping = true;
}

/* Run one case: a void function and its arguments. The case is named after the function unless
 * it calls test_case_begin() itself with a better name. */
#define TEST_RUN(func, ...)                                                                        \
        do {                                                                                       \
                test_case_begin("%s", #func);                                                      \
                func(__VA_ARGS__);                                                                 \
                test_case_end();                                                                   \
        } while (0)

/* Run @func(i) for every row i of @table. */
#define TEST_TABLE(func, table)                                                                    \
        for (size_t _i = 0; _i < ELEMENTSOF(table); _i++)                                          \
                TEST_RUN(func, _i)

/* The closing line, "NAME: N passed, N failed", and the exit status for meson. */
static inline int test_summary(void) {
        printf("%s: %u passed, %u failed", program_invocation_short_name,
               test_state.cases - test_state.failed_cases, test_state.failed_cases);
        if (test_state.skipped > 0)
                printf(", %u skipped", test_state.skipped);
        printf("\n");
        return test_state.failed_cases > 0 ? EXIT_FAILURE : EXIT_SUCCESS;
}

_printf_(3, 4) static inline void test_fail(const char *file, int line, const char *fmt, ...) {
        va_list ap;

        fprintf(stderr, "%s:%d: ", file, line);
        if (test_state.case_name[0])
                fprintf(stderr, "[%s] ", test_state.case_name);
        va_start(ap, fmt);
        vfprintf(stderr, fmt, ap);
        va_end(ap);
        fputc('\n', stderr);
        test_state.failures++;
}

static inline const char *test_errno_name(intmax_t r, char buf[static 32]) {
        const char *n = r < 0 && r > -4096 ? strerrorname_np((int) -r) : NULL;
        if (n)
                snprintf(buf, 32, "-%s", n);
        else
                snprintf(buf, 32, "%jd", r);
        return buf;
}

/* Record a failure at the caller's file:line and return from the case's function. */
#define ASSERT_FAIL_IF(failed, ...)                                                                \
        do {                                                                                       \
                if (failed) {                                                                      \
                        test_fail(__FILE__, __LINE__, __VA_ARGS__);                                \
                        return;                                                                    \
                }                                                                                  \
        } while (0)

#define ASSERT_TRUE(expr) ASSERT_FAIL_IF(!(expr), "expected true: %s", #expr)
#define ASSERT_NOT_NULL(p) ASSERT_TRUE((p) != NULL)

#define ASSERT_INT_EQ(a, b)                                                                        \
        do {                                                                                       \
                intmax_t _a = (a), _b = (b);                                                       \
                ASSERT_FAIL_IF(_a != _b, "%s == %s: %jd != %jd", #a, #b, _a, _b);                  \
        } while (0)

#define ASSERT_U64_EQ(a, b)                                                                        \
        do {                                                                                       \
                uint64_t _a = (a), _b = (b);                                                       \
                ASSERT_FAIL_IF(_a != _b, "%s == %s: %" PRIu64 " != %" PRIu64, #a, #b, _a, _b);     \
        } while (0)

/* A 0/-errno result, printed by name. */
#define ASSERT_ERRNO_EQ(a, b)                                                                      \
        do {                                                                                       \
                intmax_t _a = (a), _b = (b);                                                       \
                char _ba[32], _bb[32];                                                             \
                ASSERT_FAIL_IF(_a != _b, "%s == %s: %s != %s", #a, #b, test_errno_name(_a, _ba),   \
                               test_errno_name(_b, _bb));                                          \
        } while (0)

#define ASSERT_OK(expr) ASSERT_ERRNO_EQ(expr, 0)

/* Either may be NULL; equal if both are. */
#define ASSERT_STR_EQ(a, b)                                                                        \
        do {                                                                                       \
                const char *_a = (a), *_b = (b);                                                   \
                ASSERT_FAIL_IF((_a || _b) && (!_a || !_b || strcmp(_a, _b) != 0),                  \
                               "%s == %s: \"%s\" != \"%s\"", #a, #b, _a ? _a : "(null)",           \
                               _b ? _b : "(null)");                                                \
        } while (0)

#define ASSERT_MEM_EQ(a, na, b, nb)                                                                \
        do {                                                                                       \
                const char *_a = (const char *) (a), *_b = (const char *) (b);                     \
                size_t _na = (na), _nb = (nb);                                                     \
                ASSERT_FAIL_IF(_na != _nb || (_na > 0 && memcmp(_a, _b, _na) != 0),                \
                               "%s == %s: %zu bytes \"%.*s\" != %zu bytes \"%.*s\"", #a, #b, _na,  \
                               (int) _na, _a, _nb, (int) _nb, _b);                                 \
        } while (0)

/* For fuzzers: a broken promise is a crash libFuzzer keeps the input of. */
#define ASSERT_OR_ABORT(expr)                                                                      \
        do {                                                                                       \
                if (!(expr)) {                                                                     \
                        fprintf(stderr, "%s:%d: expected true: %s\n", __FILE__, __LINE__, #expr);  \
                        abort();                                                                   \
                }                                                                                  \
        } while (0)

/* Limits for the tests that need some; test-policy.c parses them from text. */
static const Limits test_limits _unused_ = {
        .time_ms = 1000,
        .wall_time_ms = 2000,
        .memory_bytes = 256ULL << 20,
        .processes = 8,
        .open_files = 64,
        .file_size_bytes = 1 << 20,
        .tmp_bytes = 2 << 20,
        .output_bytes = 64 << 10,
        .cpu_percent = 50,
};

static inline int test_rm_one(const char *path, const struct stat *st _unused_, int type _unused_,
                              struct FTW *ftw _unused_) {
        return remove(path) < 0 ? -1 : 0;
}

/* rm -rf, without following links or crossing into mounts. */
static inline void test_rm_rf(const char *path) {
        if (path)
                (void) nftw(path, test_rm_one, 16, FTW_DEPTH | FTW_PHYS | FTW_MOUNT);
}

static inline void test_rm_rf_freep(char **p) {
        test_rm_rf(*p);
        free(*p);
}
#define _cleanup_rm_rf_ _cleanup_(test_rm_rf_freep)

/* A fresh directory under /tmp, mode 0700; removed with everything in it by _cleanup_rm_rf_. */
static inline char *test_tmpdir(void) {
        char *t = strdup("/tmp/kw-test-XXXXXX");

        if (!t || !mkdtemp(t)) {
                perror("mkdtemp");
                abort();
        }
        return t;
}

/* DIR/RELPATH holding @n bytes of @text, DIR and the directories between made as needed.
 * Return: 0 or -errno. */
static inline int test_write_file(const char *dir, const char *relpath, const char *text, size_t n) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;

        if (asprintf_safe(&path, "%s/%s", dir, relpath) < 0)
                return -ENOMEM;
        if (mkdir(dir, 0755) < 0 && errno != EEXIST)
                return negative_errno();
        for (char *s = strchr(path + strlen(dir) + 1, '/'); s; s = strchr(s + 1, '/')) {
                *s = 0;
                if (mkdir(path, 0755) < 0 && errno != EEXIST)
                        return negative_errno();
                *s = '/';
        }
        fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
        if (fd < 0)
                return negative_errno();
        if (write(fd, text, n) != (ssize_t) n)
                return -EIO;
        return 0;
}

static inline int test_write_string(const char *dir, const char *relpath, const char *text) {
        return test_write_file(dir, relpath, text, strlen(text));
}

/* The policy of the source tree; aborts if it does not load, as no test could go on. */
static inline Policy *test_policy_load(void) {
        _cleanup_free_ char *error = NULL;
        Policy *p = NULL;

        int r = policy_load(KW_TEST_POLICY_DIR, &p, &error);
        if (r < 0) {
                fprintf(stderr, "Cannot load %s: %s\n", KW_TEST_POLICY_DIR, error ? error : strerror(-r));
                abort();
        }
        return p;
}
