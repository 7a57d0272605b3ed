/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <math.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "outcome.h"
#include "test-helpers.h"

/* How a run ended; the rest of a RunOutcome is zero unless a case says otherwise. */
#define OK { .result = "success", .exit_code = CLD_EXITED, .exit_status = 0, .exec = EXEC_STARTED
#define EXIT(n) { .result = "exit-code", .exit_code = CLD_EXITED, .exit_status = (n), .exec = EXEC_STARTED
#define KILLED(res, sig) { .result = res, .exit_code = CLD_KILLED, .exit_status = (sig), .exec = EXEC_STARTED
/* Before the program: kw-exec never took its go (unless the case says exec = EXEC_FAILED). */
#define UNSTARTED_EXIT(n) { .result = "exit-code", .exit_code = CLD_EXITED, .exit_status = (n)
#define UNSTARTED_KILLED(sig) { .result = "signal", .exit_code = CLD_KILLED, .exit_status = (sig)
#define DUMPED(sig) { .result = "core-dump", .exit_code = CLD_DUMPED, .exit_status = (sig), .exec = EXEC_STARTED

/* Sets of events. */
#define NONE 0u
#define EV_SECCOMP RUN_EVENT_BIT(RUN_EVENT_SECCOMP)
#define EV_OOM_KILL RUN_EVENT_BIT(RUN_EVENT_OOM_KILL)
#define EV_CPU_TIMEOUT RUN_EVENT_BIT(RUN_EVENT_CPU_TIMEOUT)
#define EV_WALL_TIMEOUT RUN_EVENT_BIT(RUN_EVENT_WALL_TIMEOUT)

static const struct {
        const char *name;
        RunOutcome outcome;
        const char *actual;
        const char *expected;   /* NULL: nothing to compare with */
        Verdict verdict;
        RunLimit limit;
        unsigned events;
        const char *explanation;
} judge_cases[] = {
        { "accepted", OK }, "42\n", "42", VERDICT_ACCEPTED, RUN_LIMIT_NONE, NONE, "accepted" },
        { "accepted without a test", OK }, "anything", NULL, VERDICT_ACCEPTED, RUN_LIMIT_NONE, NONE, "accepted" },
        { "unknown memory and OOM counts", OK, .memory_peak = UINT64_MAX, .oom_kills = UINT64_MAX }, "1", "1",
          VERDICT_ACCEPTED, RUN_LIMIT_NONE, NONE, "accepted" },
        { "just under the CPU limit", OK, .cpu_end_usec = 999999 }, "1", "1", VERDICT_ACCEPTED, RUN_LIMIT_NONE, NONE, "accepted" },
        { "wrong answer", OK }, "41\n", "42\n", VERDICT_WRONG_ANSWER, RUN_LIMIT_NONE, NONE,
          "wrong answer: line 1 differs: expected '42', found '41'" },
        { "wrong answer, a line short", OK }, "1\n", "1\n2\n", VERDICT_WRONG_ANSWER, RUN_LIMIT_NONE, NONE,
          "wrong answer: expected 2 lines, found 1" },
        { "accepted, trailing blanks", OK }, "1 \n2\t\n\n", "1\n2", VERDICT_ACCEPTED, RUN_LIMIT_NONE, NONE, "accepted" },
        { "wall clock timeout", KILLED("timeout", SIGTERM) }, "", "1", VERDICT_TIME_LIMIT_EXCEEDED, RUN_LIMIT_WALL_TIME, EV_WALL_TIMEOUT,
          "time limit exceeded: still running after the wall-clock limit of 2000 ms (waiting for input, or sleeping?)" },
        { "timeout of a run that ignored SIGTERM", KILLED("timeout", SIGKILL) }, "", NULL,
          VERDICT_TIME_LIMIT_EXCEEDED, RUN_LIMIT_WALL_TIME, EV_WALL_TIMEOUT,
          "time limit exceeded: still running after the wall-clock limit of 2000 ms (waiting for input, or sleeping?)" },
        { "CPU at the limit", OK, .cpu_end_usec = 1000000 }, "1", "1", VERDICT_TIME_LIMIT_EXCEEDED, RUN_LIMIT_CPU_TIME, EV_CPU_TIMEOUT,
          "time limit exceeded: used more than the CPU time limit of 1000 ms" },
        { "CPU over the limit, exited 0", OK, .cpu_end_usec = 1500000 }, "1", "1", VERDICT_TIME_LIMIT_EXCEEDED, RUN_LIMIT_CPU_TIME, EV_CPU_TIMEOUT,
          "time limit exceeded: used more than the CPU time limit of 1000 ms" },
        { "SIGXCPU", KILLED("signal", SIGXCPU), .cpu_end_usec = 900000 }, "", "1", VERDICT_TIME_LIMIT_EXCEEDED, RUN_LIMIT_CPU_TIME, EV_CPU_TIMEOUT,
          "time limit exceeded: used more than the CPU time limit of 1000 ms" },
        { "SIGXCPU, dumped", DUMPED(SIGXCPU) }, "", "1", VERDICT_TIME_LIMIT_EXCEEDED, RUN_LIMIT_CPU_TIME, EV_CPU_TIMEOUT,
          "time limit exceeded: used more than the CPU time limit of 1000 ms" },
        { "SIGKILL after SIGXCPU", KILLED("signal", SIGKILL), .cpu_end_usec = 2000000 }, "", "1",
          VERDICT_TIME_LIMIT_EXCEEDED, RUN_LIMIT_CPU_TIME, EV_CPU_TIMEOUT, "time limit exceeded: used more than the CPU time limit of 1000 ms" },
        { "exit status 24 is not SIGXCPU", EXIT(SIGXCPU) }, "", "1", VERDICT_RUNTIME_ERROR, RUN_LIMIT_NONE, NONE,
          "runtime error: exited with code 24" },
        { "OOM kill counted", KILLED("signal", SIGKILL), .oom_kills = 1 }, "", "1", VERDICT_MEMORY_LIMIT_EXCEEDED, RUN_LIMIT_MEMORY, EV_OOM_KILL,
          "memory limit exceeded: killed for using more than 256 MB" },
        { "OOM kill of a child, run exited 1", EXIT(1), .oom_kills = 3 }, "", "1",
          VERDICT_MEMORY_LIMIT_EXCEEDED, RUN_LIMIT_MEMORY, EV_OOM_KILL, "memory limit exceeded: killed for using more than 256 MB" },
        { "result oom-kill", KILLED("oom-kill", SIGKILL), .oom_kills = UINT64_MAX }, "", "1",
          VERDICT_MEMORY_LIMIT_EXCEEDED, RUN_LIMIT_MEMORY, EV_OOM_KILL, "memory limit exceeded: killed for using more than 256 MB" },
        /* A runtime's own heap limit (memory_overhead_bytes beside it): its language's heap_exit_code
         * is the memory limit reached, though no OOM kill came; the peak alone decides nothing. */
        { "heap exhausted", EXIT(3), .heap_exhausted = true, .memory_peak = 200 << 20 }, "", "1",
          VERDICT_MEMORY_LIMIT_EXCEEDED, RUN_LIMIT_MEMORY, NONE, "memory limit exceeded: its heap reached the limit of 256 MB" },
        { "heap exhausted, peak unknown", EXIT(3), .heap_exhausted = true, .memory_peak = UINT64_MAX }, "", NULL,
          VERDICT_MEMORY_LIMIT_EXCEEDED, RUN_LIMIT_MEMORY, NONE, "memory limit exceeded: its heap reached the limit of 256 MB" },
        { "failed over the memory limit, no heap word", EXIT(1), .memory_peak = 300 << 20 }, "", "1", VERDICT_RUNTIME_ERROR,
          RUN_LIMIT_NONE, NONE, "runtime error: exited with code 1" },
        { "exited 0 over the memory limit", OK, .memory_peak = 300 << 20 }, "1", "1", VERDICT_ACCEPTED, RUN_LIMIT_NONE,
          NONE, "accepted" },
        { "output exceeded", OK, .output_exceeded = true }, "x", "x", VERDICT_OUTPUT_LIMIT_EXCEEDED, RUN_LIMIT_OUTPUT, NONE,
          "output limit exceeded: wrote more than 65536 bytes" },
        { "output exceeded, then killed", KILLED("signal", SIGKILL), .output_exceeded = true }, "x", "x",
          VERDICT_OUTPUT_LIMIT_EXCEEDED, RUN_LIMIT_OUTPUT, NONE, "output limit exceeded: wrote more than 65536 bytes" },
        { "killed by kw's wall-clock timer", KILLED("signal", SIGKILL), .wall_exceeded = true }, "", "1",
          VERDICT_TIME_LIMIT_EXCEEDED, RUN_LIMIT_WALL_TIME, EV_WALL_TIMEOUT, "time limit exceeded: still running after the wall-clock limit of 2000 ms "
          "(waiting for input, or sleeping?)" },
        { "output exceeded wins over a timeout", KILLED("timeout", SIGTERM), .output_exceeded = true }, "", "1",
          VERDICT_OUTPUT_LIMIT_EXCEEDED, RUN_LIMIT_OUTPUT, EV_WALL_TIMEOUT, "output limit exceeded: wrote more than 65536 bytes" },
        { "exit 1", EXIT(1) }, "1", "1", VERDICT_RUNTIME_ERROR, RUN_LIMIT_NONE, NONE,
          "runtime error: exited with code 1" },
        { "exit 1 with the wrong output", EXIT(1) }, "2", "1", VERDICT_RUNTIME_ERROR, RUN_LIMIT_NONE, NONE,
          "runtime error: exited with code 1" },
        { "exit 199", EXIT(199) }, "", NULL, VERDICT_RUNTIME_ERROR, RUN_LIMIT_NONE, NONE,
          "runtime error: exited with code 199" },
        { "exit 244", EXIT(244) }, "", NULL, VERDICT_RUNTIME_ERROR, RUN_LIMIT_NONE, NONE,
          "runtime error: exited with code 244" },
        { "exit 255", EXIT(255) }, "", NULL, VERDICT_RUNTIME_ERROR, RUN_LIMIT_NONE, NONE,
          "runtime error: exited with code 255" },
        { "SIGSEGV", KILLED("signal", SIGSEGV) }, "", "1", VERDICT_KILLED_BY_SIGNAL, RUN_LIMIT_NONE, NONE, "killed by signal SIGSEGV" },
        { "SIGABRT, dumped", DUMPED(SIGABRT) }, "", "1", VERDICT_KILLED_BY_SIGNAL, RUN_LIMIT_NONE, NONE, "killed by signal SIGABRT" },
        { "SIGKILL, no OOM", KILLED("signal", SIGKILL) }, "", "1", VERDICT_KILLED_BY_SIGNAL, RUN_LIMIT_NONE, NONE, "killed by signal SIGKILL" },
        { "SIGSYS", KILLED("signal", SIGSYS) }, "", "1", VERDICT_KILLED_BY_SIGNAL, RUN_LIMIT_NONE, EV_SECCOMP,
          "killed by signal SIGSYS (a forbidden system call)" },
        { "real-time signal", KILLED("signal", 36) }, "", NULL, VERDICT_KILLED_BY_SIGNAL, RUN_LIMIT_NONE, NONE,
          "killed by signal SIGRTMIN+2" },
        /* A program never exec'd: whatever status there is, it is not the program's. */
        { "never exec'd, exit status 203", UNSTARTED_EXIT(203) }, "1", "1", VERDICT_INTERNAL_ERROR, RUN_LIMIT_NONE, NONE,
          "internal error: the run never started" },
        /* Statuses like kw-exec's from a program that started are its own: kw's faults travel apart. */
        { "a program's own exit 241", EXIT(241) }, "", NULL, VERDICT_RUNTIME_ERROR, RUN_LIMIT_NONE, NONE,
          "runtime error: exited with code 241" },
        { "a program's own exit 203", EXIT(203) }, "", NULL, VERDICT_RUNTIME_ERROR, RUN_LIMIT_NONE, NONE,
          "runtime error: exited with code 203" },
        { "kw-exec could not exec the interpreter", UNSTARTED_EXIT(241), .exec = EXEC_FAILED, .exec_errno = ENOENT }, "", NULL,
          VERDICT_INTERNAL_ERROR, RUN_LIMIT_NONE, NONE, "internal error: the program could not be started (ENOENT)" },
        { "kw-exec's own exit status, never exec'd", UNSTARTED_EXIT(241) }, "", NULL, VERDICT_INTERNAL_ERROR, RUN_LIMIT_NONE, NONE,
          "internal error: the run never started" },
        { "killed before its go", UNSTARTED_KILLED(SIGKILL) }, "", NULL,
          VERDICT_INTERNAL_ERROR, RUN_LIMIT_NONE, NONE, "internal error: the run never started" },
        { "internal error", OK, .internal_error = "cannot read the journal" }, "1", "1", VERDICT_INTERNAL_ERROR, RUN_LIMIT_NONE, NONE,
          "internal error: cannot read the journal" },
        { "internal error wins over a timeout", KILLED("timeout", SIGTERM), .internal_error = "lost the unit" }, "", "1",
          VERDICT_INTERNAL_ERROR, RUN_LIMIT_NONE, NONE, "internal error: lost the unit" },
        { "never ran", { .result = "resources", .exit_code = 0 }, "", "1", VERDICT_INTERNAL_ERROR, RUN_LIMIT_NONE, NONE,
          "internal error: the run never started" },
        { "never ran, nothing known", { .exit_code = 0 }, "", NULL, VERDICT_INTERNAL_ERROR, RUN_LIMIT_NONE, NONE,
          "internal error: the run never started" },
        /* kw's own wall-clock timer: the same limit and audit event as systemd's RuntimeMaxSec=. Each
         * event is told whatever the verdict: none can hide another. */
        { "wall clock timer, over the CPU limit too: told as CPU", KILLED("signal", SIGKILL), .wall_exceeded = true,
          .cpu_end_usec = 1500000 }, "", "1", VERDICT_TIME_LIMIT_EXCEEDED, RUN_LIMIT_CPU_TIME,
          EV_WALL_TIMEOUT | EV_CPU_TIMEOUT, "time limit exceeded: used more than the CPU time limit of 1000 ms" },
        { "wall clock timer, just under the CPU limit", KILLED("signal", SIGKILL), .wall_exceeded = true,
          .cpu_end_usec = 999999 }, "", "1", VERDICT_TIME_LIMIT_EXCEEDED, RUN_LIMIT_WALL_TIME, EV_WALL_TIMEOUT,
          "time limit exceeded: still running after the wall-clock limit of 2000 ms (waiting for input, or sleeping?)" },
        { "SIGSYS of a run that also hit the CPU limit", KILLED("signal", SIGSYS), .cpu_end_usec = 1000000 }, "", "1",
          VERDICT_TIME_LIMIT_EXCEEDED, RUN_LIMIT_CPU_TIME, EV_CPU_TIMEOUT | EV_SECCOMP,
          "time limit exceeded: used more than the CPU time limit of 1000 ms" },
        { "SIGSYS of a run a child of which was OOM-killed", KILLED("signal", SIGSYS), .oom_kills = 1 }, "", "1",
          VERDICT_MEMORY_LIMIT_EXCEEDED, RUN_LIMIT_MEMORY, EV_OOM_KILL | EV_SECCOMP,
          "memory limit exceeded: killed for using more than 256 MB" },
        { "SIGSYS after a flood of output", KILLED("signal", SIGSYS), .output_exceeded = true }, "", "1",
          VERDICT_OUTPUT_LIMIT_EXCEEDED, RUN_LIMIT_OUTPUT, EV_SECCOMP, "output limit exceeded: wrote more than 65536 bytes" },
        { "every event at once", KILLED("timeout", SIGSYS), .oom_kills = 2, .cpu_end_usec = 3000000 }, "", "1",
          VERDICT_TIME_LIMIT_EXCEEDED, RUN_LIMIT_CPU_TIME, EV_SECCOMP | EV_OOM_KILL | EV_CPU_TIMEOUT | EV_WALL_TIMEOUT,
          "time limit exceeded: used more than the CPU time limit of 1000 ms" },
        { "an internal error tells no event", KILLED("timeout", SIGSYS), .oom_kills = 2, .internal_error = "lost" }, "",
          "1", VERDICT_INTERNAL_ERROR, RUN_LIMIT_NONE, NONE, "internal error: lost" },
        { "SIGSYS, dumped", DUMPED(SIGSYS) }, "", NULL, VERDICT_KILLED_BY_SIGNAL, RUN_LIMIT_NONE, EV_SECCOMP,
          "killed by signal SIGSYS (a forbidden system call)" },
        { "exit status 31 is not SIGSYS", EXIT(SIGSYS) }, "", NULL, VERDICT_RUNTIME_ERROR, RUN_LIMIT_NONE,
          NONE, "runtime error: exited with code 31" },
        { "set-up CPU is not the program's", OK, .cpu_start_usec = 400000, .cpu_end_usec = 1300000 }, "1", "1",
          VERDICT_ACCEPTED, RUN_LIMIT_NONE, NONE, "accepted" },
        { "over the CPU limit once set-up is taken off", OK, .cpu_start_usec = 400000, .cpu_end_usec = 1400000 }, "1",
          "1", VERDICT_TIME_LIMIT_EXCEEDED, RUN_LIMIT_CPU_TIME, EV_CPU_TIMEOUT,
          "time limit exceeded: used more than the CPU time limit of 1000 ms" },
};

static void test_outcome_judge(size_t i) {
        const __typeof__(judge_cases[0]) *c = &judge_cases[i];
        RunResult r = { .outcome = c->outcome };
        _cleanup_(buffer_done) Buffer b = {};
        CheckResult check = {};

        test_case_begin("outcome_judge: %s", c->name);
        ASSERT_OK(buffer_append(&r.out, c->actual, strlen(c->actual)));
        /* The caller's comparison, by the default checker. */
        if (c->expected)
                checker_compare(CHECKER_LINES, 1e-6, 1e-6, c->actual, strlen(c->actual), c->expected,
                                strlen(c->expected), &check);
        outcome_judge(&r, &test_limits, c->expected ? &check : NULL);
        ASSERT_STR_EQ(verdict_to_string(r.verdict), verdict_to_string(c->verdict));
        ASSERT_INT_EQ(r.limit, c->limit);
        ASSERT_INT_EQ(r.events, c->events);
        /* The check counts, message and all, only for a run that ended normally. */
        ASSERT_TRUE(isnan(r.score));
        if (c->expected && verdict_is_normal(r.verdict))
                ASSERT_STR_EQ(r.checker_message, check.message);
        else
                ASSERT_STR_EQ(r.checker_message, "");

        /* The sentence is appended to what is there. */
        ASSERT_OK(buffer_printf(&b, ">"));
        ASSERT_OK(outcome_explain(&b, &r, &test_limits));
        ASSERT_OK(buffer_terminate(&b));
        ASSERT_TRUE(b.data[0] == '>');
        ASSERT_STR_EQ(b.data + 1, c->explanation);
        buffer_done(&r.out);
}

/* What a checker found, as outcome_judge() takes it: kept for a run that ended normally only. */
static const struct {
        const char *name;
        RunOutcome outcome;
        CheckResult check;
        Verdict verdict;
        double score;           /* NAN: none */
        const char *message;    /* r->checker_message */
        const char *explanation;
} judge_check_cases[] = {
        { "a built-in checker's ok", OK }, { VERDICT_ACCEPTED, NAN, "ok: 3 tokens" }, VERDICT_ACCEPTED, NAN,
          "ok: 3 tokens", "accepted" },
        { "a custom checker's accepted", OK }, { VERDICT_ACCEPTED, 1, "accepted" }, VERDICT_ACCEPTED, 1, "accepted",
          "accepted" },
        { "a custom checker's wrong answer", OK }, { VERDICT_WRONG_ANSWER, 0, "wrong answer 2nd token" },
          VERDICT_WRONG_ANSWER, 0, "wrong answer 2nd token", "wrong answer 2nd token" },
        { "a partial score", OK }, { VERDICT_WRONG_ANSWER, 0.5, "partial score 0.5" }, VERDICT_WRONG_ANSWER, 0.5,
          "partial score 0.5", "partial score 0.5" },
        { "a presentation error", OK }, { VERDICT_PRESENTATION_ERROR, 0, "extra blank line" },
          VERDICT_PRESENTATION_ERROR, 0, "extra blank line", "presentation error: extra blank line" },
        { "the checker failed", OK }, { VERDICT_INTERNAL_ERROR, NAN, "checker failed (exit 3): bad answer file" },
          VERDICT_INTERNAL_ERROR, NAN, "checker failed (exit 3): bad answer file",
          "internal error: checker failed (exit 3): bad answer file" },
        { "the checker failed on a limit", OK },
          { VERDICT_INTERNAL_ERROR, NAN, "checker failed: time limit exceeded: used more than the CPU time limit of 1000 ms" },
          VERDICT_INTERNAL_ERROR, NAN, "checker failed: time limit exceeded: used more than the CPU time limit of 1000 ms",
          "internal error: checker failed: time limit exceeded: used more than the CPU time limit of 1000 ms" },
        /* A run that did not end normally: its own verdict, nothing of the check. */
        { "exit 1, the check ignored", EXIT(1) }, { VERDICT_ACCEPTED, 1, "accepted" }, VERDICT_RUNTIME_ERROR, NAN, "",
          "runtime error: exited with code 1" },
        { "over the CPU limit, the check ignored", OK, .cpu_end_usec = 2000000 }, { VERDICT_ACCEPTED, 1, "accepted" },
          VERDICT_TIME_LIMIT_EXCEEDED, NAN, "", "time limit exceeded: used more than the CPU time limit of 1000 ms" },
        { "SIGSEGV, the check ignored", KILLED("signal", SIGSEGV) }, { VERDICT_WRONG_ANSWER, 0, "wrong" },
          VERDICT_KILLED_BY_SIGNAL, NAN, "", "killed by signal SIGSEGV" },
        { "kw failed, the check ignored", OK, .internal_error = "lost the journal" },
          { VERDICT_INTERNAL_ERROR, NAN, "checker failed (exit 3)" }, VERDICT_INTERNAL_ERROR, NAN, "",
          "internal error: lost the journal" },
        /* The job's code did not compile: no run of it happened, whatever the rest says. */
        { "not compiled", { .not_compiled = true }, { VERDICT_ACCEPTED, 1, "accepted" }, VERDICT_COMPILATION_ERROR,
          NAN, "", "compilation error" },
        { "not compiled, with an internal error", { .not_compiled = true, .internal_error = "boom" },
          { VERDICT_ACCEPTED, 1, "accepted" }, VERDICT_COMPILATION_ERROR, NAN, "", "compilation error" },
};

static void test_judge_check(size_t i) {
        const __typeof__(judge_check_cases[0]) *c = &judge_check_cases[i];
        RunResult r = { .outcome = c->outcome, .score = 0.25, .checker_message = "from before" };
        _cleanup_(buffer_done) Buffer b = {};

        test_case_begin("outcome_judge with a check: %s", c->name);
        outcome_judge(&r, &test_limits, &c->check);
        ASSERT_STR_EQ(verdict_to_string(r.verdict), verdict_to_string(c->verdict));
        ASSERT_TRUE(isnan(c->score) ? isnan(r.score) : r.score == c->score);
        ASSERT_STR_EQ(r.checker_message, c->message);
        ASSERT_OK(outcome_explain(&b, &r, &test_limits));
        ASSERT_OK(buffer_terminate(&b));
        ASSERT_STR_EQ(b.data, c->explanation);
}

/* A checker's message of the most it may hold is copied whole, and stays terminated. */
static void test_judge_check_long_message(void) {
        CheckResult check = { .verdict = VERDICT_WRONG_ANSWER, .score = 0 };
        RunResult r = { .outcome = OK } };

        memset(check.message, 'm', sizeof(check.message) - 1);
        check.message[sizeof(check.message) - 1] = 0;
        outcome_judge(&r, &test_limits, &check);
        ASSERT_U64_EQ(strlen(r.checker_message), CHECK_MESSAGE_MAX - 1);
        ASSERT_STR_EQ(r.checker_message, check.message);
}

/* The compile run's own limits, as policy_load() gives c.conf's. */
static const Limits compile_limits = {
        .time_ms = 10000, .wall_time_ms = 20000, .memory_bytes = 1ULL << 30, .processes = 16, .open_files = 1024,
        .file_size_bytes = 64 << 20, .tmp_bytes = 256 << 20, .output_bytes = 1 << 20, .cpu_percent = 100,
};

#define CE "compilation error: the compiler "

static const struct {
        const char *name;
        RunOutcome outcome;
        Verdict verdict;
        RunLimit limit;
        unsigned events;
        const char *explanation;
} compile_cases[] = {
        { "compiled", OK, .product_size = 8000 }, VERDICT_ACCEPTED, RUN_LIMIT_NONE, NONE, "accepted" },
        { "compiled, with warnings on stderr", OK }, VERDICT_ACCEPTED, RUN_LIMIT_NONE, NONE, "accepted" },
        { "exit 1", EXIT(1) }, VERDICT_COMPILATION_ERROR, RUN_LIMIT_NONE, NONE, CE "exited with code 1" },
        { "exit 1, a product there all the same", EXIT(1), .product_size = 10 }, VERDICT_COMPILATION_ERROR,
          RUN_LIMIT_NONE, NONE, CE "exited with code 1" },
        { "exit 0, no product", OK, .product_error = ENOENT }, VERDICT_COMPILATION_ERROR, RUN_LIMIT_NONE, NONE,
          CE "produced no program (ENOENT)" },
        { "exit 0, the product not a file", OK, .product_error = EISDIR }, VERDICT_COMPILATION_ERROR, RUN_LIMIT_NONE,
          NONE, CE "produced no program (EISDIR)" },
        { "exit 0, the product too large", OK, .product_error = EFBIG }, VERDICT_COMPILATION_ERROR, RUN_LIMIT_NONE, NONE,
          "compilation error: what the compiler produced is over the size limit" },
        { "over the CPU limit", OK, .cpu_end_usec = 10000000 }, VERDICT_COMPILATION_ERROR, RUN_LIMIT_CPU_TIME,
          EV_CPU_TIMEOUT, CE "reached its CPU time limit of 10000 ms" },
        { "SIGXCPU", KILLED("signal", SIGXCPU), .cpu_end_usec = 9990000 }, VERDICT_COMPILATION_ERROR, RUN_LIMIT_CPU_TIME,
          EV_CPU_TIMEOUT, CE "reached its CPU time limit of 10000 ms" },
        { "just under the CPU limit", OK, .cpu_end_usec = 9999999 }, VERDICT_ACCEPTED, RUN_LIMIT_NONE, NONE, "accepted" },
        /* A compiler's process stopped by RLIMIT_CPU fails its driver, which exits by itself: a failure
         * with no program within a tenth of the limit is the limit. */
        { "failed near the CPU limit, no program", EXIT(1), .cpu_end_usec = 9000000, .product_error = ENOENT },
          VERDICT_COMPILATION_ERROR, RUN_LIMIT_CPU_TIME, EV_CPU_TIMEOUT, CE "reached its CPU time limit of 10000 ms" },
        /* Only a driver that exited by itself, failing: a kill is told as such. */
        { "killed near the CPU limit, no program", KILLED("signal", SIGKILL), .cpu_start_usec = 100000,
          .cpu_end_usec = 9700000, .product_error = ENOENT },
          VERDICT_COMPILATION_ERROR, RUN_LIMIT_NONE, NONE, CE "was killed by signal SIGKILL" },
        { "failed short of a tenth of the limit", EXIT(1), .cpu_end_usec = 8999999, .product_error = ENOENT },
          VERDICT_COMPILATION_ERROR, RUN_LIMIT_NONE, NONE, CE "exited with code 1" },
        { "failed near the CPU limit, set-up taken off", EXIT(1), .cpu_start_usec = 200000, .cpu_end_usec = 9100000,
          .product_error = ENOENT }, VERDICT_COMPILATION_ERROR, RUN_LIMIT_NONE, NONE, CE "exited with code 1" },
        { "failed near the CPU limit, its product error unset", EXIT(1), .cpu_end_usec = 9500000 }, VERDICT_COMPILATION_ERROR,
          RUN_LIMIT_CPU_TIME, EV_CPU_TIMEOUT, CE "reached its CPU time limit of 10000 ms" },
        { "no program near the CPU limit, exited 0", OK, .cpu_end_usec = 9500000, .product_error = ENOENT },
          VERDICT_COMPILATION_ERROR, RUN_LIMIT_NONE, NONE, CE "produced no program (ENOENT)" },
        { "compiled near the CPU limit", OK, .cpu_end_usec = 9900000 }, VERDICT_ACCEPTED, RUN_LIMIT_NONE, NONE,
          "accepted" },
        { "kw failed near the CPU limit", EXIT(1), .cpu_end_usec = 9900000, .product_error = ENOENT,
          .internal_error = "lost the cell" }, VERDICT_INTERNAL_ERROR, RUN_LIMIT_NONE, NONE,
          "internal error: lost the cell" },
        { "the wall clock", KILLED("signal", SIGKILL), .wall_exceeded = true }, VERDICT_COMPILATION_ERROR,
          RUN_LIMIT_WALL_TIME, EV_WALL_TIMEOUT, CE "ran longer than its wall-clock limit of 20000 ms" },
        { "OOM-killed", KILLED("signal", SIGKILL), .oom_kills = 1 }, VERDICT_COMPILATION_ERROR, RUN_LIMIT_MEMORY,
          EV_OOM_KILL, CE "used more than its memory limit of 1024 MB" },
        { "a child OOM-killed, exit 1", EXIT(1), .oom_kills = 1 }, VERDICT_COMPILATION_ERROR, RUN_LIMIT_MEMORY,
          EV_OOM_KILL, CE "used more than its memory limit of 1024 MB" },
        { "too many messages", KILLED("signal", SIGKILL), .output_exceeded = true }, VERDICT_COMPILATION_ERROR,
          RUN_LIMIT_OUTPUT, NONE, CE "wrote more than 1048576 bytes of messages" },
        { "SIGSEGV", KILLED("signal", SIGSEGV) }, VERDICT_COMPILATION_ERROR, RUN_LIMIT_NONE, NONE,
          CE "was killed by signal SIGSEGV" },
        { "SIGSYS", KILLED("signal", SIGSYS) }, VERDICT_COMPILATION_ERROR, RUN_LIMIT_NONE, EV_SECCOMP,
          CE "was killed by signal SIGSYS (a forbidden system call)" },
        { "SIGXFSZ", KILLED("signal", SIGXFSZ) }, VERDICT_COMPILATION_ERROR, RUN_LIMIT_NONE, NONE,
          CE "was killed by signal SIGXFSZ (a file over the file size limit)" },
        /* kw's failures stay kw's. */
        { "kw failed", OK, .internal_error = "cannot read the journal" }, VERDICT_INTERNAL_ERROR, RUN_LIMIT_NONE, NONE,
          "internal error: cannot read the journal" },
        { "kw failed, no product", EXIT(1), .internal_error = "lost the cell", .product_error = ENOENT },
          VERDICT_INTERNAL_ERROR, RUN_LIMIT_NONE, NONE, "internal error: lost the cell" },
        { "never started", UNSTARTED_EXIT(241) }, VERDICT_INTERNAL_ERROR, RUN_LIMIT_NONE, NONE,
          "internal error: the run never started" },
        { "the compiler could not be executed", UNSTARTED_EXIT(241), .exec = EXEC_FAILED, .exec_errno = ENOENT },
          VERDICT_INTERNAL_ERROR, RUN_LIMIT_NONE, NONE, "internal error: the program could not be started (ENOENT)" },
        { "never ran at all", { .exit_code = 0 }, VERDICT_INTERNAL_ERROR, RUN_LIMIT_NONE, NONE,
          "internal error: the run never started" },
};

static void test_judge_compile(size_t i) {
        const __typeof__(compile_cases[0]) *c = &compile_cases[i];
        RunResult r = { .outcome = c->outcome };
        _cleanup_(buffer_done) Buffer b = {};

        test_case_begin("outcome_judge_compile: %s", c->name);
        outcome_judge_compile(&r, &compile_limits);
        ASSERT_STR_EQ(verdict_to_string(r.verdict), verdict_to_string(c->verdict));
        ASSERT_INT_EQ(r.limit, c->limit);
        ASSERT_INT_EQ(r.events, c->events);
        ASSERT_TRUE(isnan(r.score));
        ASSERT_STR_EQ(r.checker_message, "");
        ASSERT_OK(buffer_printf(&b, ">"));
        ASSERT_OK(outcome_explain(&b, &r, &compile_limits));
        ASSERT_OK(buffer_terminate(&b));
        ASSERT_TRUE(b.data[0] == '>');
        ASSERT_STR_EQ(b.data + 1, c->explanation);
}

/* A custom checker's run, judged as any run (with nothing to compare), then read for its word. */
static const struct {
        const char *name;
        RunOutcome outcome;
        const char *out, *err;
        Verdict verdict;
        double score;
        const char *message;
} check_cases[] = {
        { "exit 0", OK }, "", "", VERDICT_ACCEPTED, 1, "accepted" },
        { "exit 0, saying why", OK }, "", "ok 3 numbers\nmore\n", VERDICT_ACCEPTED, 1, "ok 3 numbers" },
        { "exit 1", EXIT(1) }, "", "wrong answer 2nd numbers differ - expected: '5', found: '6'\n", VERDICT_WRONG_ANSWER,
          0, "wrong answer 2nd numbers differ - expected: '5', found: '6'" },
        { "exit 1, silent", EXIT(1) }, "", "", VERDICT_WRONG_ANSWER, 0, "wrong answer" },
        { "exit 2", EXIT(2) }, "", "", VERDICT_PRESENTATION_ERROR, 0, "presentation error" },
        { "exit 3", EXIT(3) }, "", "bad answer file\n", VERDICT_INTERNAL_ERROR, NAN,
          "checker failed (exit 3): bad answer file" },
        { "exit 7, a partial score", EXIT(7) }, "0.25\n", "", VERDICT_WRONG_ANSWER, 0.25, "partial score 0.25" },
        { "exit 7, full marks", EXIT(7) }, "1", "", VERDICT_ACCEPTED, 1, "partial score 1" },
        { "exit 7, no score", EXIT(7) }, "", "", VERDICT_INTERNAL_ERROR, NAN, "checker failed (exit 7): no score on stdout" },
        { "exit 4", EXIT(4) }, "", "", VERDICT_INTERNAL_ERROR, NAN, "checker failed (exit 4)" },
        { "SIGSEGV", KILLED("signal", SIGSEGV) }, "", "", VERDICT_INTERNAL_ERROR, NAN,
          "checker failed (killed by signal 11)" },
        { "SIGABRT, dumped", DUMPED(SIGABRT) }, "", "assertion failed\n", VERDICT_INTERNAL_ERROR, NAN,
          "checker failed (killed by signal 6): assertion failed" },
        /* Stopped by a limit or by kw: a checker failure, never the contestant's verdict. */
        { "over its CPU limit", OK, .cpu_end_usec = 1500000 }, "", "", VERDICT_INTERNAL_ERROR, NAN,
          "checker failed: time limit exceeded: used more than the CPU time limit of 1000 ms" },
        { "over its CPU limit, exit 1", EXIT(1), .cpu_end_usec = 1500000 }, "", "wrong\n", VERDICT_INTERNAL_ERROR, NAN,
          "checker failed: time limit exceeded: used more than the CPU time limit of 1000 ms" },
        { "its wall clock", KILLED("timeout", SIGTERM) }, "", "", VERDICT_INTERNAL_ERROR, NAN,
          "checker failed: time limit exceeded: still running after the wall-clock limit of 2000 ms "
          "(waiting for input, or sleeping?)" },
        { "OOM-killed", KILLED("signal", SIGKILL), .oom_kills = 1 }, "", "", VERDICT_INTERNAL_ERROR, NAN,
          "checker failed: memory limit exceeded: killed for using more than 256 MB" },
        { "its heap full", EXIT(3), .heap_exhausted = true }, "", "", VERDICT_INTERNAL_ERROR, NAN,
          "checker failed: memory limit exceeded: its heap reached the limit of 256 MB" },
        { "too much output", OK, .output_exceeded = true }, "", "", VERDICT_INTERNAL_ERROR, NAN,
          "checker failed: output limit exceeded: wrote more than 65536 bytes" },
        { "kw failed", OK, .internal_error = "lost the journal" }, "", "", VERDICT_INTERNAL_ERROR, NAN,
          "checker failed: internal error: lost the journal" },
        { "never started", UNSTARTED_EXIT(241) }, "", "", VERDICT_INTERNAL_ERROR, NAN,
          "checker failed: internal error: the run never started" },
        { "a compiled checker that did not compile", { .not_compiled = true }, "", "", VERDICT_INTERNAL_ERROR, NAN,
          "checker failed: compilation error" },
};

static void test_outcome_check(size_t i) {
        const __typeof__(check_cases[0]) *c = &check_cases[i];
        RunResult r = { .outcome = c->outcome };
        CheckResult check;

        test_case_begin("outcome_check: %s", c->name);
        ASSERT_OK(buffer_append(&r.out, c->out, strlen(c->out)));
        ASSERT_OK(buffer_append(&r.err, c->err, strlen(c->err)));
        outcome_judge(&r, &test_limits, NULL);
        memset(&check, 0x55, sizeof(check));
        outcome_check(&r, &test_limits, &check);
        buffer_done(&r.out);
        buffer_done(&r.err);
        ASSERT_STR_EQ(verdict_to_string(check.verdict), verdict_to_string(c->verdict));
        ASSERT_TRUE(isnan(c->score) ? isnan(check.score) : check.score == c->score);
        ASSERT_STR_EQ(check.message, c->message);
}

/* A checker that wrote nothing at all: no buffers. */
static void test_outcome_check_no_output(void) {
        RunResult r = { .outcome = EXIT(7) } };
        CheckResult check;

        outcome_judge(&r, &test_limits, NULL);
        outcome_check(&r, &test_limits, &check);
        ASSERT_INT_EQ(check.verdict, VERDICT_INTERNAL_ERROR);
        ASSERT_STR_EQ(check.message, "checker failed (exit 7): no score on stdout");
}

/* outcome_explain() of the new verdicts, set by hand. */
static const struct {
        const char *name;
        Verdict verdict;
        RunLimit limit;
        unsigned events;
        const char *checker_message;
        const char *explanation;
} explain_cases[] = {
        { "wrong answer, nothing said", VERDICT_WRONG_ANSWER, RUN_LIMIT_NONE, NONE, "",
          "wrong answer: the output differs from the expected output" },
        { "wrong answer, the checker's word", VERDICT_WRONG_ANSWER, RUN_LIMIT_NONE, NONE, "wrong answer: token 2 differs",
          "wrong answer: token 2 differs" },
        { "presentation error", VERDICT_PRESENTATION_ERROR, RUN_LIMIT_NONE, NONE, "spaces at the end",
          "presentation error: spaces at the end" },
        { "memory, OOM-killed", VERDICT_MEMORY_LIMIT_EXCEEDED, RUN_LIMIT_MEMORY, EV_OOM_KILL, "",
          "memory limit exceeded: killed for using more than 256 MB" },
        { "memory, the runtime's own limit", VERDICT_MEMORY_LIMIT_EXCEEDED, RUN_LIMIT_MEMORY, NONE, "",
          "memory limit exceeded: its heap reached the limit of 256 MB" },
        { "compilation error, no limit", VERDICT_COMPILATION_ERROR, RUN_LIMIT_CPU_TIME, NONE, "",
          "compilation error: the compiler reached its CPU time limit of 1000 ms" },
        { "internal error, the checker's word", VERDICT_INTERNAL_ERROR, RUN_LIMIT_NONE, NONE, "checker failed (exit 3)",
          "internal error: checker failed (exit 3)" },
};

static void test_explain(size_t i) {
        RunResult r = { .outcome = OK }, .verdict = explain_cases[i].verdict, .limit = explain_cases[i].limit,
                        .events = explain_cases[i].events };
        _cleanup_(buffer_done) Buffer b = {};

        test_case_begin("outcome_explain: %s", explain_cases[i].name);
        snprintf(r.checker_message, sizeof(r.checker_message), "%s", explain_cases[i].checker_message);
        ASSERT_OK(outcome_explain(&b, &r, &test_limits));
        ASSERT_OK(buffer_terminate(&b));
        ASSERT_STR_EQ(b.data, explain_cases[i].explanation);
}

/* The program's CPU time: the cgroup's at the end less its count at the go; killed by SIGXCPU
 * (RLIMIT_CPU, at the limit or above), at least the limit (test_limits: 1000 ms). */
static const struct {
        const char *name;
        uint64_t start, end, cpu;
        int signal;             /* 0: exited */
} cpu_cases[] = {
        { "nothing known", UINT64_MAX, UINT64_MAX, 0, 0 },
        { "no count at the go", UINT64_MAX, 5000, 5000, 0 },
        { "no count at the end", 5000, UINT64_MAX, 0, 0 },
        { "set-up taken off", 1200, 5000, 3800, 0 },
        { "a count at the end below the go's", 5000, 1200, 0, 0 },
        { "none spent", 5000, 5000, 0, 0 },
        { "SIGXCPU a tick before the count reached the limit", 1000, 1000000, 1000000, SIGXCPU },
        { "SIGXCPU, nothing counted", UINT64_MAX, UINT64_MAX, 1000000, SIGXCPU },
        { "SIGXCPU past the limit keeps its count", 0, 1500000, 1500000, SIGXCPU },
        { "SIGKILL under the limit is not the limit", 1000, 1000000, 999000, SIGKILL },
};

static void test_outcome_cpu(size_t i) {
        int sig = cpu_cases[i].signal;
        RunResult r = { .outcome = { .result = "success", .exit_code = sig ? CLD_KILLED : CLD_EXITED,
                                     .exit_status = sig, .exec = EXEC_STARTED,
                                     .cpu_start_usec = cpu_cases[i].start, .cpu_end_usec = cpu_cases[i].end } };

        test_case_begin("outcome_judge CPU: %s", cpu_cases[i].name);
        outcome_judge(&r, &test_limits, NULL);
        ASSERT_U64_EQ(r.cpu_usec, cpu_cases[i].cpu);
        /* An internal error keeps the count too: the audit entry and the stats report it. */
        snprintf(r.outcome.internal_error, sizeof(r.outcome.internal_error), "boom");
        outcome_judge(&r, &test_limits, NULL);
        ASSERT_U64_EQ(r.cpu_usec, cpu_cases[i].cpu);
        ASSERT_INT_EQ(r.verdict, VERDICT_INTERNAL_ERROR);
}

static void test_explain_out_of_range(void) {
        RunResult r = { .outcome = { .exit_code = CLD_EXITED, .internal_error = "boom" }, .verdict = _VERDICT_MAX };
        _cleanup_(buffer_done) Buffer b = {};

        ASSERT_OK(outcome_explain(&b, &r, &test_limits));
        ASSERT_OK(buffer_terminate(&b));
        ASSERT_STR_EQ(b.data, "internal error: boom");
}

static const struct {
        int value;
        const char *limit, *event;
} name_cases[] = {
        { 0, NULL, "seccomp-violation" },
        { 1, "cpu-time", "oom-kill" },
        { 2, "wall-time", "cpu-timeout" },
        { 3, "memory", "wall-timeout" },
        { 4, "output", NULL },
        { 5, NULL, NULL },
        { -1, NULL, NULL },
};

static void test_names(size_t i) {
        test_case_begin("run_limit_to_string/run_event_to_string(%d)", name_cases[i].value);
        ASSERT_STR_EQ(run_limit_to_string((RunLimit) name_cases[i].value), name_cases[i].limit);
        ASSERT_STR_EQ(run_event_to_string((RunEvent) name_cases[i].value), name_cases[i].event);
}

int main(void) {
        TEST_TABLE(test_outcome_judge, judge_cases);
        TEST_TABLE(test_judge_check, judge_check_cases);
        TEST_RUN(test_judge_check_long_message);
        TEST_TABLE(test_judge_compile, compile_cases);
        TEST_TABLE(test_outcome_check, check_cases);
        TEST_RUN(test_outcome_check_no_output);
        TEST_TABLE(test_explain, explain_cases);
        TEST_TABLE(test_outcome_cpu, cpu_cases);
        TEST_RUN(test_explain_out_of_range);
        TEST_TABLE(test_names, name_cases);
        return test_summary();
}
