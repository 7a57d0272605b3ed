/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <signal.h>

#include "test-helpers.h"
#include "verdict.h"

/* Sized texts, so NUL bytes can be compared too. */
#define T(s) s, sizeof(s) - 1

static const struct {
        const char *name;
        const char *actual;
        size_t actual_size;
        const char *expected;
        size_t expected_size;
        bool match;
} match_cases[] = {
        { "both empty", T(""), T(""), true },
        { "same", T("1 2\n3\n"), T("1 2\n3\n"), true },
        { "missing final newline", T("a\nb"), T("a\nb\n"), true },
        { "trailing empty lines", T("a\n"), T("a\n\n\n"), true },
        { "trailing lines of blanks", T("a\n \n\t\r\n"), T("a"), true },
        { "trailing spaces", T("a   \nb  "), T("a\nb"), true },
        { "trailing tabs", T("a\t\t\nb\t"), T("a\nb"), true },
        { "CRLF", T("a\r\nb\r\n"), T("a\nb\n"), true },
        { "trailing mixed blanks", T("a \t\r \n"), T("a\n"), true },
        { "trailing vertical tab and form feed", T("a\v\f\n"), T("a\n"), true },
        { "an inner line of blanks is an empty line", T("a\n  \t\nb\n"), T("a\n\nb\n"), true },
        { "nothing against only empty lines", T(""), T("\n\n\n"), true },
        { "nothing against only blanks", T(""), T(" \n\t\n \r\n"), true },
        { "NUL bytes, equal", T("a\0b\n"), T("a\0b\n"), true },
        { "leading spaces", T(" a\n"), T("a\n"), false },
        { "leading tab", T("\ta"), T("a"), false },
        { "leading empty line", T("\na\n"), T("a\n"), false },
        { "inner empty line", T("a\n\nb\n"), T("a\nb\n"), false },
        { "inner spaces", T("a  b"), T("a b"), false },
        { "case", T("A"), T("a"), false },
        { "one line more", T("1\n2\n3\n"), T("1\n2\n"), false },
        { "a prefix of the line", T("ab"), T("a"), false },
        { "something against nothing", T("x"), T(""), false },
        { "a blank line then text", T("\n \nx"), T(""), false },
        { "NUL bytes differ", T("a\0b"), T("a\0c"), false },
        { "a trailing NUL is not blank", T("a\0"), T("a"), false },
        { "CR inside a line", T("a\rb"), T("ab"), false },
        { "line breaks are not blanks", T("a b"), T("a\nb"), false },
};

static void test_output_matches(size_t i) {
        const __typeof__(match_cases[0]) *c = &match_cases[i];

        test_case_begin("output_matches: %s", c->name);
        ASSERT_INT_EQ(output_matches(c->actual, c->actual_size, c->expected, c->expected_size), c->match);
        /* Either way round. */
        ASSERT_INT_EQ(output_matches(c->expected, c->expected_size, c->actual, c->actual_size), c->match);
}


static const struct {
        Verdict verdict;
        const char *name;
        bool normal;
} verdict_names[] = {
        { VERDICT_ACCEPTED, "accepted", true },
        { VERDICT_WRONG_ANSWER, "wrong_answer", true },
        { VERDICT_TIME_LIMIT_EXCEEDED, "time_limit_exceeded", false },
        { VERDICT_MEMORY_LIMIT_EXCEEDED, "memory_limit_exceeded", false },
        { VERDICT_OUTPUT_LIMIT_EXCEEDED, "output_limit_exceeded", false },
        { VERDICT_RUNTIME_ERROR, "runtime_error", false },
        { VERDICT_KILLED_BY_SIGNAL, "killed_by_signal", false },
        { VERDICT_INTERNAL_ERROR, "internal_error", false },
        { _VERDICT_MAX, "internal_error", false },
        { (Verdict) -1, "internal_error", false },
        { (Verdict) 100, "internal_error", false },
};

static void test_verdict_to_string(size_t i) {
        test_case_begin("verdict_to_string(%d)", (int) verdict_names[i].verdict);
        ASSERT_STR_EQ(verdict_to_string(verdict_names[i].verdict), verdict_names[i].name);
        ASSERT_INT_EQ(verdict_is_normal(verdict_names[i].verdict), verdict_names[i].normal);
}

static const struct {
        int sig;
        const char *name;
} signal_cases[] = {
        { SIGHUP, "SIGHUP" },
        { SIGKILL, "SIGKILL" },
        { SIGSEGV, "SIGSEGV" },
        { SIGXCPU, "SIGXCPU" },
        { SIGSYS, "SIGSYS" },
        { 0, "signal 0" },
        { 65, "signal 65" },
        { -1, "signal -1" },
        { INT_MIN, "signal -2147483" },  /* cut to fit the buffer, not past it */
};

static void test_signal_name(size_t i) {
        char buf[16];

        test_case_begin("signal_name(%d)", signal_cases[i].sig);
        ASSERT_TRUE(signal_name(signal_cases[i].sig, buf) == buf);
        ASSERT_STR_EQ(buf, signal_cases[i].name);
}

int main(void) {
        TEST_TABLE(test_output_matches, match_cases);
        TEST_TABLE(test_verdict_to_string, verdict_names);
        TEST_TABLE(test_signal_name, signal_cases);
        return test_summary();
}
