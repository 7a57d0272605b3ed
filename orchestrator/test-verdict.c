/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <signal.h>

#include "test-helpers.h"
#include "verdict.h"

static const struct {
        Verdict verdict;
        const char *name;
        bool normal;
} verdict_names[] = {
        { VERDICT_ACCEPTED, "accepted", true },
        { VERDICT_WRONG_ANSWER, "wrong_answer", true },
        { VERDICT_PRESENTATION_ERROR, "presentation_error", true },
        { VERDICT_TIME_LIMIT_EXCEEDED, "time_limit_exceeded", false },
        { VERDICT_MEMORY_LIMIT_EXCEEDED, "memory_limit_exceeded", false },
        { VERDICT_OUTPUT_LIMIT_EXCEEDED, "output_limit_exceeded", false },
        { VERDICT_RUNTIME_ERROR, "runtime_error", false },
        { VERDICT_KILLED_BY_SIGNAL, "killed_by_signal", false },
        { VERDICT_COMPILATION_ERROR, "compilation_error", false },
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
        TEST_TABLE(test_verdict_to_string, verdict_names);
        TEST_TABLE(test_signal_name, signal_cases);
        return test_summary();
}
