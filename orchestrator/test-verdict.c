/* SPDX-License-Identifier: MIT */
#include <limits.h>
#include <signal.h>
#include <sys/wait.h>

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


/* How a run ended; the rest of a RunOutcome is zero unless a case says otherwise. */
#define OK { .result = "success", .exit_code = CLD_EXITED, .exit_status = 0, .exec = EXEC_STARTED
#define EXIT(n) { .result = "exit-code", .exit_code = CLD_EXITED, .exit_status = (n), .exec = EXEC_STARTED
#define KILLED(res, sig) { .result = res, .exit_code = CLD_KILLED, .exit_status = (sig), .exec = EXEC_STARTED
/* Before the program: kw-exec never took its go (unless the case says exec = EXEC_FAILED). */
#define UNSTARTED_EXIT(n) { .result = "exit-code", .exit_code = CLD_EXITED, .exit_status = (n)
#define UNSTARTED_KILLED(sig) { .result = "signal", .exit_code = CLD_KILLED, .exit_status = (sig)
#define DUMPED(sig) { .result = "core-dump", .exit_code = CLD_DUMPED, .exit_status = (sig), .exec = EXEC_STARTED

static const struct {
        const char *name;
        RunOutcome outcome;
        const char *actual;
        const char *expected;   /* NULL: nothing to compare with */
        Verdict verdict;
        const char *explanation;
} decide_cases[] = {
        { "accepted", OK }, "42\n", "42", VERDICT_ACCEPTED, "accepted" },
        { "accepted without a test", OK }, "anything", NULL, VERDICT_ACCEPTED, "accepted" },
        { "unknown memory and OOM counts", OK, .memory_peak = UINT64_MAX, .oom_kills = UINT64_MAX }, "1", "1",
          VERDICT_ACCEPTED, "accepted" },
        { "just under the CPU limit", OK, .cpu_nsec = 999999999 }, "1", "1", VERDICT_ACCEPTED, "accepted" },
        { "wrong answer", OK }, "41\n", "42\n", VERDICT_WRONG_ANSWER,
          "wrong answer: the output differs from the expected output" },
        { "wall clock timeout", KILLED("timeout", SIGTERM) }, "", "1", VERDICT_TIME_LIMIT_EXCEEDED,
          "time limit exceeded: still running after the wall-clock limit of 2000 ms (waiting for input, or sleeping?)" },
        { "timeout of a run that ignored SIGTERM", KILLED("timeout", SIGKILL) }, "", NULL,
          VERDICT_TIME_LIMIT_EXCEEDED,
          "time limit exceeded: still running after the wall-clock limit of 2000 ms (waiting for input, or sleeping?)" },
        { "CPU at the limit", OK, .cpu_nsec = 1000000000 }, "1", "1", VERDICT_TIME_LIMIT_EXCEEDED,
          "time limit exceeded: used more than the CPU time limit of 1000 ms" },
        { "CPU over the limit, exited 0", OK, .cpu_nsec = 1500000000 }, "1", "1", VERDICT_TIME_LIMIT_EXCEEDED,
          "time limit exceeded: used more than the CPU time limit of 1000 ms" },
        { "SIGXCPU", KILLED("signal", SIGXCPU), .cpu_nsec = 900000000 }, "", "1", VERDICT_TIME_LIMIT_EXCEEDED,
          "time limit exceeded: used more than the CPU time limit of 1000 ms" },
        { "SIGXCPU, dumped", DUMPED(SIGXCPU) }, "", "1", VERDICT_TIME_LIMIT_EXCEEDED,
          "time limit exceeded: used more than the CPU time limit of 1000 ms" },
        { "SIGKILL after SIGXCPU", KILLED("signal", SIGKILL), .cpu_nsec = 2000000000 }, "", "1",
          VERDICT_TIME_LIMIT_EXCEEDED, "time limit exceeded: used more than the CPU time limit of 1000 ms" },
        { "exit status 24 is not SIGXCPU", EXIT(SIGXCPU) }, "", "1", VERDICT_RUNTIME_ERROR,
          "runtime error: exited with code 24" },
        { "OOM kill counted", KILLED("signal", SIGKILL), .oom_kills = 1 }, "", "1", VERDICT_MEMORY_LIMIT_EXCEEDED,
          "memory limit exceeded: killed for using more than 256 MB" },
        { "OOM kill of a child, run exited 1", EXIT(1), .oom_kills = 3 }, "", "1",
          VERDICT_MEMORY_LIMIT_EXCEEDED, "memory limit exceeded: killed for using more than 256 MB" },
        { "result oom-kill", KILLED("oom-kill", SIGKILL), .oom_kills = UINT64_MAX }, "", "1",
          VERDICT_MEMORY_LIMIT_EXCEEDED, "memory limit exceeded: killed for using more than 256 MB" },
        { "output exceeded", OK, .output_exceeded = true }, "x", "x", VERDICT_OUTPUT_LIMIT_EXCEEDED,
          "output limit exceeded: wrote more than 65536 bytes" },
        { "output exceeded, then killed", KILLED("signal", SIGKILL), .output_exceeded = true }, "x", "x",
          VERDICT_OUTPUT_LIMIT_EXCEEDED, "output limit exceeded: wrote more than 65536 bytes" },
        { "killed by kw's wall-clock timer", KILLED("signal", SIGKILL), .wall_exceeded = true }, "", "1",
          VERDICT_TIME_LIMIT_EXCEEDED, "time limit exceeded: still running after the wall-clock limit of 2000 ms "
          "(waiting for input, or sleeping?)" },
        { "output exceeded wins over a timeout", KILLED("timeout", SIGTERM), .output_exceeded = true }, "", "1",
          VERDICT_OUTPUT_LIMIT_EXCEEDED, "output limit exceeded: wrote more than 65536 bytes" },
        { "exit 1", EXIT(1) }, "1", "1", VERDICT_RUNTIME_ERROR,
          "runtime error: exited with code 1" },
        { "exit 1 with the wrong output", EXIT(1) }, "2", "1", VERDICT_RUNTIME_ERROR,
          "runtime error: exited with code 1" },
        { "exit 199", EXIT(199) }, "", NULL, VERDICT_RUNTIME_ERROR,
          "runtime error: exited with code 199" },
        { "exit 244", EXIT(244) }, "", NULL, VERDICT_RUNTIME_ERROR,
          "runtime error: exited with code 244" },
        { "exit 255", EXIT(255) }, "", NULL, VERDICT_RUNTIME_ERROR,
          "runtime error: exited with code 255" },
        { "SIGSEGV", KILLED("signal", SIGSEGV) }, "", "1", VERDICT_KILLED_BY_SIGNAL, "killed by signal SIGSEGV" },
        { "SIGABRT, dumped", DUMPED(SIGABRT) }, "", "1", VERDICT_KILLED_BY_SIGNAL, "killed by signal SIGABRT" },
        { "SIGKILL, no OOM", KILLED("signal", SIGKILL) }, "", "1", VERDICT_KILLED_BY_SIGNAL, "killed by signal SIGKILL" },
        { "SIGSYS", KILLED("signal", SIGSYS) }, "", "1", VERDICT_KILLED_BY_SIGNAL,
          "killed by signal SIGSYS (a forbidden system call)" },
        { "real-time signal", KILLED("signal", 36) }, "", NULL, VERDICT_KILLED_BY_SIGNAL,
          "killed by signal SIGRTMIN+2" },
        { "systemd exit status 203", UNSTARTED_EXIT(203) }, "1", "1", VERDICT_INTERNAL_ERROR,
          "internal error: the sandbox could not be set up (systemd exit status 203)" },
        { "systemd exit status 200", UNSTARTED_EXIT(200) }, "", NULL, VERDICT_INTERNAL_ERROR,
          "internal error: the sandbox could not be set up (systemd exit status 200)" },
        { "systemd exit status 243", UNSTARTED_EXIT(243) }, "", NULL, VERDICT_INTERNAL_ERROR,
          "internal error: the sandbox could not be set up (systemd exit status 243)" },
        /* The same statuses from a program that started are its own: kw's faults travel apart. */
        { "a program's own exit 241", EXIT(241) }, "", NULL, VERDICT_RUNTIME_ERROR,
          "runtime error: exited with code 241" },
        { "a program's own exit 203", EXIT(203) }, "", NULL, VERDICT_RUNTIME_ERROR,
          "runtime error: exited with code 203" },
        { "kw-exec could not exec the interpreter", UNSTARTED_EXIT(241), .exec = EXEC_FAILED, .exec_errno = ENOENT }, "", NULL,
          VERDICT_INTERNAL_ERROR, "internal error: the interpreter could not be started (ENOENT)" },
        { "kw-exec never took its go", UNSTARTED_EXIT(241) }, "", NULL, VERDICT_INTERNAL_ERROR,
          "internal error: the sandbox could not be set up (systemd exit status 241)" },
        { "killed before its go", UNSTARTED_KILLED(SIGKILL) }, "", NULL,
          VERDICT_INTERNAL_ERROR, "internal error: the run never started" },
        { "internal error", OK, .internal_error = "cannot read the journal" }, "1", "1", VERDICT_INTERNAL_ERROR,
          "internal error: cannot read the journal" },
        { "internal error wins over a timeout", KILLED("timeout", SIGTERM), .internal_error = "lost the unit" }, "", "1",
          VERDICT_INTERNAL_ERROR, "internal error: lost the unit" },
        { "never ran", { .result = "resources", .exit_code = 0 }, "", "1", VERDICT_INTERNAL_ERROR,
          "internal error: the run never started" },
        { "never ran, nothing known", { .exit_code = 0 }, "", NULL, VERDICT_INTERNAL_ERROR,
          "internal error: the run never started" },
};

static void test_verdict_decide(size_t i) {
        const RunOutcome *o = &decide_cases[i].outcome;
        const char *expected = decide_cases[i].expected;
        _cleanup_(buffer_done) Buffer b = {};

        test_case_begin("verdict_decide: %s", decide_cases[i].name);
        Verdict v = verdict_decide(o, &test_limits, decide_cases[i].actual, strlen(decide_cases[i].actual),
                                   expected, expected ? strlen(expected) : 0);
        ASSERT_STR_EQ(verdict_to_string(v), verdict_to_string(decide_cases[i].verdict));
        ASSERT_INT_EQ(verdict_is_normal(v), v == VERDICT_ACCEPTED || v == VERDICT_WRONG_ANSWER);

        /* The sentence is appended to what is there. */
        ASSERT_OK(buffer_printf(&b, ">"));
        ASSERT_OK(verdict_explain(&b, v, o, &test_limits));
        ASSERT_OK(buffer_terminate(&b));
        ASSERT_TRUE(b.data[0] == '>');
        ASSERT_STR_EQ(b.data + 1, decide_cases[i].explanation);
}

static void test_explain_out_of_range(void) {
        RunOutcome o = { .exit_code = CLD_EXITED, .internal_error = "boom" };
        _cleanup_(buffer_done) Buffer b = {};

        ASSERT_OK(verdict_explain(&b, _VERDICT_MAX, &o, &test_limits));
        ASSERT_OK(buffer_terminate(&b));
        ASSERT_STR_EQ(b.data, "internal error: boom");
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
        TEST_TABLE(test_verdict_decide, decide_cases);
        TEST_RUN(test_explain_out_of_range);
        TEST_TABLE(test_verdict_to_string, verdict_names);
        TEST_TABLE(test_signal_name, signal_cases);
        return test_summary();
}
