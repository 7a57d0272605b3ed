/* SPDX-License-Identifier: MIT */
#include <sys/mman.h>

#include "test-helpers.h"
#include "util.h"

static void test_buffer_append(void) {
        _cleanup_(buffer_done) Buffer b = {};

        ASSERT_OK(buffer_append(&b, "", 0));
        ASSERT_TRUE(b.data == NULL);    /* nothing to append allocates nothing */
        ASSERT_OK(buffer_append(&b, "abc", 3));
        ASSERT_OK(buffer_append(&b, "d\0f", 3));
        ASSERT_MEM_EQ(b.data, b.size, "abcd\0f", 6);
        ASSERT_TRUE(b.allocated > b.size); /* room for the terminator is always kept */
}

static void test_buffer_grow(void) {
        _cleanup_(buffer_done) Buffer b = {};
        char chunk[1000];

        for (size_t i = 0; i < sizeof(chunk); i++)
                chunk[i] = (char) ('a' + i % 26);
        for (int i = 0; i < 300; i++)
                ASSERT_OK(buffer_append(&b, chunk, sizeof(chunk)));
        ASSERT_U64_EQ(b.size, 300 * sizeof(chunk));
        for (int i = 0; i < 300; i++)
                ASSERT_MEM_EQ(b.data + i * sizeof(chunk), sizeof(chunk), chunk, sizeof(chunk));
}

static void test_buffer_overflow(void) {
        /* Sizes that wrap around are refused before anything is touched. */
        Buffer b = { .size = SIZE_MAX - 1 };

        ASSERT_ERRNO_EQ(buffer_append(&b, "x", 1), -ENOMEM);
        ASSERT_ERRNO_EQ(buffer_append(&b, "xy", 2), -ENOMEM);
        ASSERT_TRUE(b.data == NULL);
        ASSERT_U64_EQ(b.size, SIZE_MAX - 1);
}

static void test_buffer_printf(void) {
        _cleanup_(buffer_done) Buffer b = {};

        ASSERT_OK(buffer_printf(&b, "%d-%s", 42, "x"));
        ASSERT_OK(buffer_printf(&b, "%s", ""));
        ASSERT_OK(buffer_printf(&b, "|%05.1f", 2.25));
        ASSERT_MEM_EQ(b.data, b.size, "42-x|002.2", 10);
}

static void test_buffer_terminate(void) {
        _cleanup_(buffer_done) Buffer b = {};

        /* An empty buffer still gives a string. */
        ASSERT_OK(buffer_terminate(&b));
        ASSERT_NOT_NULL(b.data);
        ASSERT_U64_EQ(b.size, 0);
        ASSERT_STR_EQ(b.data, "");

        ASSERT_OK(buffer_append(&b, "ab", 2));
        ASSERT_OK(buffer_terminate(&b));
        ASSERT_U64_EQ(b.size, 2);
        ASSERT_STR_EQ(b.data, "ab");
        /* The terminator is not part of the content: the next append overwrites it. */
        ASSERT_OK(buffer_append(&b, "c", 1));
        ASSERT_OK(buffer_terminate(&b));
        ASSERT_STR_EQ(b.data, "abc");

        buffer_done(&b);
        ASSERT_TRUE(b.data == NULL && b.size == 0 && b.allocated == 0);
}

static void test_asprintf_safe(void) {
        _cleanup_free_ char *s = NULL;

        ASSERT_INT_EQ(asprintf_safe(&s, "%s:%u", "a", 12u), 4);
        ASSERT_STR_EQ(s, "a:12");
}

/* Both number parsers: what they make of a text, and that ret_* is untouched on failure. */
#define SIZE(...) { "parse_size", parse_size, __VA_ARGS__ }
#define ATOU(...) { "safe_atou64", safe_atou64, __VA_ARGS__ }

static const struct {
        const char *func;
        int (*parse)(const char *s, uint64_t *ret);
        const char *text;
        int result;
        uint64_t value;
} number_cases[] = {
        SIZE("0", 0, 0),
        SIZE("4096", 0, 4096),
        SIZE("1K", 0, 1024),
        SIZE("1k", 0, 1024),
        SIZE("64K", 0, 64 << 10),
        SIZE("512M", 0, 512ULL << 20),
        SIZE("512m", 0, 512ULL << 20),
        SIZE("1G", 0, 1ULL << 30),
        SIZE("3T", 0, 3ULL << 40),
        SIZE("007", 0, 7),
        SIZE("18446744073709551615", 0, UINT64_MAX),
        SIZE("17179869183G", 0, 17179869183ULL << 30),    /* the largest whole number of GiB */
        SIZE("16777215T", 0, 16777215ULL << 40),
        SIZE("18446744073709551616", -ERANGE, 0),
        SIZE("99999999999999999999K", -ERANGE, 0),
        SIZE("17179869184G", -ERANGE, 0),                 /* 2^64 */
        SIZE("16777216T", -ERANGE, 0),
        SIZE("18014398509481984K", -ERANGE, 0),
        SIZE("", -EINVAL, 0),
        SIZE("K", -EINVAL, 0),
        SIZE("M", -EINVAL, 0),
        SIZE("12KB", -EINVAL, 0),
        SIZE("12B", -EINVAL, 0),
        SIZE("12KK", -EINVAL, 0),
        SIZE("1.5M", -EINVAL, 0),
        SIZE("-1", -EINVAL, 0),
        SIZE("+1", -EINVAL, 0),
        SIZE(" 1", -EINVAL, 0),
        SIZE("1 ", -EINVAL, 0),
        SIZE("1 K", -EINVAL, 0),
        SIZE("0x10", -EINVAL, 0),
        SIZE("ten", -EINVAL, 0),
        ATOU("0", 0, 0),
        ATOU("1", 0, 1),
        ATOU("0042", 0, 42),
        ATOU("18446744073709551615", 0, UINT64_MAX),
        ATOU("18446744073709551616", -ERANGE, 0),
        ATOU("184467440737095516150", -ERANGE, 0),
        ATOU(NULL, -EINVAL, 0),
        ATOU("", -EINVAL, 0),
        ATOU("-0", -EINVAL, 0),
        ATOU("-1", -EINVAL, 0),
        ATOU("+1", -EINVAL, 0),
        ATOU(" 1", -EINVAL, 0),
        ATOU("1 ", -EINVAL, 0),
        ATOU("1\n", -EINVAL, 0),
        ATOU("12a", -EINVAL, 0),
        ATOU("1K", -EINVAL, 0),
};

static void test_number(size_t i) {
        uint64_t v = 4242;

        test_case_begin("%s(\"%s\")", number_cases[i].func,
                        number_cases[i].text ? number_cases[i].text : "(null)");
        ASSERT_ERRNO_EQ(number_cases[i].parse(number_cases[i].text, &v), number_cases[i].result);
        ASSERT_U64_EQ(v, number_cases[i].result == 0 ? number_cases[i].value : 4242);
}

static const struct {
        const char *text;
        const char *stripped;
} strip_cases[] = {
        { "", "" },
        { "abc", "abc" },
        { "  a b  ", "a b" },
        { "   ", "" },
        { "\t\n a\r\n\v\f", "a" },
        { "a\n", "a" },
        { "\na", "a" },
        { " a  b ", "a  b" },
};

static void test_strstrip(size_t i) {
        _cleanup_free_ char *s = strdup(strip_cases[i].text);

        test_case_begin("strstrip(\"%s\")", strip_cases[i].text);
        ASSERT_NOT_NULL(s);
        ASSERT_STR_EQ(strstrip(s), strip_cases[i].stripped);
}

static void test_random_hex(size_t bytes) {
        char a[129], b[129];

        test_case_begin("random_hex(%zu)", bytes);
        memset(a, 'x', sizeof(a));
        memset(b, 'x', sizeof(b));
        ASSERT_OK(random_hex(a, bytes));
        ASSERT_OK(random_hex(b, bytes));
        ASSERT_U64_EQ(strnlen(a, sizeof(a)), 2 * bytes);
        ASSERT_U64_EQ(strspn(a, "0123456789abcdef"), 2 * bytes);
        /* 16 random bytes twice the same: no. */
        if (bytes >= 16)
                ASSERT_TRUE(strcmp(a, b) != 0);
}

static void test_random_hex_too_many(void) {
        char buf[2 * 65 + 1];

        ASSERT_ERRNO_EQ(random_hex(buf, 65), -EINVAL);
}

/* A file descriptor reading @n bytes of @text. */
static int memfd_with(const char *text, size_t n) {
        _cleanup_close_ int fd = memfd_create("test-util", MFD_CLOEXEC);
        size_t done = 0;

        if (fd < 0)
                return negative_errno();
        while (done < n) {
                ssize_t k = write(fd, text + done, n - done);
                if (k < 0)
                        return negative_errno();
                done += (size_t) k;
        }
        if (lseek(fd, 0, SEEK_SET) < 0)
                return negative_errno();
        return TAKE_FD(fd);
}

static const struct {
        const char *name;
        size_t size;    /* of a text of 'a'..'z' repeated, with a NUL every 1000 bytes */
        size_t max;
        int result;
} read_cases[] = {
        { "empty", 0, 0, 0 },
        { "empty, max 10", 0, 10, 0 },
        { "small", 5, 10, 0 },
        { "exactly max", 10, 10, 0 },
        { "one over max", 11, 10, -EFBIG },
        { "over max of 0", 1, 0, -EFBIG },
        { "several chunks", 200000, 200000, 0 },
        { "several chunks, over", 200000, 199999, -EFBIG },
        { "second chunk over", 70000, 65537, -EFBIG },
};

static void test_read_fd_all(size_t i) {
        _cleanup_free_ char *text = malloc(read_cases[i].size + 1), *got = NULL;
        _cleanup_close_ int fd = -EBADF;
        size_t got_size = 4242;

        test_case_begin("read_fd_all: %s", read_cases[i].name);
        ASSERT_NOT_NULL(text);
        for (size_t k = 0; k < read_cases[i].size; k++)
                text[k] = k % 1000 == 999 ? 0 : (char) ('a' + k % 26);
        fd = memfd_with(text, read_cases[i].size);
        ASSERT_TRUE(fd >= 0);

        ASSERT_ERRNO_EQ(read_fd_all(fd, read_cases[i].max, &got, &got_size), read_cases[i].result);
        if (read_cases[i].result < 0) {
                ASSERT_TRUE(got == NULL);
                ASSERT_U64_EQ(got_size, 4242);
                return;
        }
        ASSERT_NOT_NULL(got);
        ASSERT_MEM_EQ(got, got_size, text, read_cases[i].size);
        ASSERT_INT_EQ(got[got_size], 0);       /* always terminated */
}

static void test_read_errors(void) {
        _cleanup_free_ char *s = NULL;
        size_t n = 4242;

        ASSERT_ERRNO_EQ(read_fd_all(-1, 10, &s, &n), -EBADF);
        ASSERT_ERRNO_EQ(read_file_all("/nonexistent/kw-test", 10, &s, &n), -ENOENT);
        ASSERT_TRUE(s == NULL);
        ASSERT_U64_EQ(n, 4242);
        ASSERT_OK(read_file_all("/dev/null", 10, &s, &n));
        ASSERT_STR_EQ(s, "");
        ASSERT_U64_EQ(n, 0);
}

static void test_log_errno(void) {
        int old = log_level_max(0);     /* nothing printed: level 0 is below every message */

        ASSERT_INT_EQ(log_level_max(old), 0);
        log_level_max(0);
        ASSERT_ERRNO_EQ(log_error_errno(EINVAL, "positive %s", "in"), -EINVAL);
        ASSERT_ERRNO_EQ(log_error_errno(-ENOENT, "negative in"), -ENOENT);
        log_level_max(old);
}

static void test_now_usec(void) {
        uint64_t a = now_usec(), b = now_usec();

        ASSERT_TRUE(a > 0);
        ASSERT_TRUE(b >= a);
}

static void test_path_check_root_only(void) {
        _cleanup_rm_rf_ char *tmp = test_tmpdir();
        _cleanup_free_ char *dir = NULL, *file = NULL;

        if (geteuid() != 0) {
                test_skip("needs root");
                return;
        }
        ASSERT_TRUE(asprintf_safe(&dir, "%s/d", tmp) >= 0);
        ASSERT_TRUE(asprintf_safe(&file, "%s/d/helper", tmp) >= 0);
        ASSERT_OK(test_write_string(tmp, "d/helper", "x"));
        ASSERT_OK(chmod(tmp, 0755) < 0 ? negative_errno() : 0);
        ASSERT_OK(chmod(dir, 0755) < 0 ? negative_errno() : 0);
        ASSERT_OK(chmod(file, 0755) < 0 ? negative_errno() : 0);
        if (path_check_root_only(tmp) < 0) {
                test_skip("the temporary directory's parents are not root's");
                return;
        }
        ASSERT_OK(path_check_root_only(file));
        ASSERT_OK(path_check_root_only("/"));
        ASSERT_OK(chmod(dir, 01777) < 0 ? negative_errno() : 0);  /* sticky: others cannot rename it */
        ASSERT_OK(path_check_root_only(file));
        ASSERT_OK(chmod(dir, 0775) < 0 ? negative_errno() : 0);
        ASSERT_ERRNO_EQ(path_check_root_only(file), -EPERM);
        ASSERT_OK(chmod(dir, 0755) < 0 ? negative_errno() : 0);
        ASSERT_OK(chmod(file, 0775) < 0 ? negative_errno() : 0);
        ASSERT_ERRNO_EQ(path_check_root_only(file), -EPERM);
        ASSERT_OK(chmod(file, 0755) < 0 ? negative_errno() : 0);
        ASSERT_OK(chown(dir, 4242, 0) < 0 ? negative_errno() : 0);
        ASSERT_ERRNO_EQ(path_check_root_only(file), -EPERM);
        ASSERT_OK(chown(dir, 0, 0) < 0 ? negative_errno() : 0);
        ASSERT_OK(chown(file, 4242, 0) < 0 ? negative_errno() : 0);
        ASSERT_ERRNO_EQ(path_check_root_only(file), -EPERM);
        ASSERT_ERRNO_EQ(path_check_root_only("/nonexistent/kw"), -ENOENT);
}

int main(void) {
        TEST_RUN(test_buffer_append);
        TEST_RUN(test_buffer_grow);
        TEST_RUN(test_buffer_overflow);
        TEST_RUN(test_buffer_printf);
        TEST_RUN(test_buffer_terminate);
        TEST_RUN(test_asprintf_safe);
        TEST_TABLE(test_number, number_cases);
        TEST_TABLE(test_strstrip, strip_cases);
        TEST_RUN(test_random_hex, 1);
        TEST_RUN(test_random_hex, 16);
        TEST_RUN(test_random_hex, 64);
        TEST_RUN(test_random_hex_too_many);
        TEST_TABLE(test_read_fd_all, read_cases);
        TEST_RUN(test_read_errors);
        TEST_RUN(test_log_errno);
        TEST_RUN(test_now_usec);
        TEST_RUN(test_path_check_root_only);
        return test_summary();
}
