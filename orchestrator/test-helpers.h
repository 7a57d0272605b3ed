/* SPDX-License-Identifier: MIT */
#pragma once

/* What every test-*.c shares: the ASSERT_* macros, case counting, and temporary directories.
 * Header-only on purpose: each test is one executable and needs no library of its own.
 *
 * An ASSERT_* that fails prints file:line, the case and both values, and returns from the
 * function it is in, so a case is a void function and cleanup attributes free what it made. */

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
        unsigned cases;
        unsigned failed_cases;
        unsigned failures;          /* failed assertions in the current case */
        unsigned skipped;
} TestState;

static TestState test_state _unused_ = {};

_printf_(1, 2) static inline void test_case_begin(const char *fmt, ...) {
        va_list ap;

        va_start(ap, fmt);
        vsnprintf(test_state.case_name, sizeof(test_state.case_name), fmt, ap);
        va_end(ap);
        test_state.failures = 0;
}

static inline void test_case_end(void) {
        test_state.cases++;
        if (test_state.failures > 0)
                test_state.failed_cases++;
        test_state.failures = 0;
        test_state.case_name[0] = 0;
}

/* Run one case: a void function and its arguments. The case is named after the function unless
 * it calls test_case_begin() itself with a better name. */
#define TEST_RUN(func, ...)                                                                        \
        do {                                                                                       \
                test_case_begin("%s", #func);                                                      \
                func(__VA_ARGS__);                                                                 \
                test_case_end();                                                                   \
        } while (0)

/* The closing line, "NAME: N passed, N failed", and the exit status for meson. */
static inline int test_summary(void) {
        printf("%s: %u passed, %u failed", program_invocation_short_name, test_state.cases - test_state.failed_cases,
               test_state.failed_cases);
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

#define ASSERT_TRUE(expr)                                                                          \
        do {                                                                                       \
                if (!(expr)) {                                                                     \
                        test_fail(__FILE__, __LINE__, "expected true: %s", #expr);                 \
                        return;                                                                    \
                }                                                                                  \
        } while (0)

#define ASSERT_FALSE(expr) ASSERT_TRUE(!(expr))

#define ASSERT_INT_EQ(a, b)                                                                        \
        do {                                                                                       \
                intmax_t _a = (a), _b = (b);                                                       \
                if (_a != _b) {                                                                    \
                        test_fail(__FILE__, __LINE__, "%s == %s: %jd != %jd", #a, #b, _a, _b);     \
                        return;                                                                    \
                }                                                                                  \
        } while (0)

#define ASSERT_U64_EQ(a, b)                                                                        \
        do {                                                                                       \
                uint64_t _a = (a), _b = (b);                                                       \
                if (_a != _b) {                                                                    \
                        test_fail(__FILE__, __LINE__, "%s == %s: %" PRIu64 " != %" PRIu64, #a, #b, \
                                  _a, _b);                                                         \
                        return;                                                                    \
                }                                                                                  \
        } while (0)

/* A 0/-errno result, printed by name. */
#define ASSERT_ERRNO_EQ(a, b)                                                                      \
        do {                                                                                       \
                intmax_t _a = (a), _b = (b);                                                       \
                char _ba[32], _bb[32];                                                             \
                if (_a != _b) {                                                                    \
                        test_fail(__FILE__, __LINE__, "%s == %s: %s != %s", #a, #b,                \
                                  test_errno_name(_a, _ba), test_errno_name(_b, _bb));             \
                        return;                                                                    \
                }                                                                                  \
        } while (0)

#define ASSERT_OK(expr) ASSERT_ERRNO_EQ(expr, 0)

/* Either may be NULL; equal if both are. */
#define ASSERT_STR_EQ(a, b)                                                                        \
        do {                                                                                       \
                const char *_a = (a), *_b = (b);                                                   \
                if ((_a || _b) && (!_a || !_b || strcmp(_a, _b) != 0)) {                           \
                        test_fail(__FILE__, __LINE__, "%s == %s: \"%s\" != \"%s\"", #a, #b,        \
                                  _a ? _a : "(null)", _b ? _b : "(null)");                         \
                        return;                                                                    \
                }                                                                                  \
        } while (0)

#define ASSERT_MEM_EQ(a, na, b, nb)                                                                \
        do {                                                                                       \
                const void *_a = (a), *_b = (b);                                                   \
                size_t _na = (na), _nb = (nb);                                                     \
                if (_na != _nb || (_na > 0 && memcmp(_a, _b, _na) != 0)) {                         \
                        test_fail(__FILE__, __LINE__, "%s == %s: %zu bytes \"%.*s\" != %zu bytes \"%.*s\"", \
                                  #a, #b, _na, (int) _na, (const char *) _a, _nb, (int) _nb,       \
                                  (const char *) _b);                                              \
                        return;                                                                    \
                }                                                                                  \
        } while (0)

#define ASSERT_NOT_NULL(p) ASSERT_TRUE((p) != NULL)

/* A case table's size, for the loops that walk it. */
#define FOREACH_CASE(c, table) for (const __typeof__((table)[0]) *c = (table); c < (table) + ELEMENTSOF(table); c++)

static inline void test_skip(const char *why) {
        printf("%s: skipped: %s\n", test_state.case_name, why);
        test_state.skipped++;
}

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
        if (t && !mkdtemp(t)) {
                perror("mkdtemp");
                free(t);
                t = NULL;
        }
        if (!t)
                abort();
        return t;
}

/* DIR/RELPATH holding @text (NUL-free), parent directories created as needed. Returns 0 or -errno. */
static inline int test_write_file(const char *dir, const char *relpath, const char *text, size_t n) {
        _cleanup_free_ char *path = NULL;
        _cleanup_close_ int fd = -EBADF;

        if (asprintf_safe(&path, "%s/%s", dir, relpath) < 0)
                return -ENOMEM;
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

/* The real policy of the source tree; aborts if it does not load, as no test could go on. */
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
