/* SPDX-License-Identifier: MIT */
#include <errno.h>
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
          "wrong answer: the output differs from the expected output" },
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
          VERDICT_INTERNAL_ERROR, RUN_LIMIT_NONE, NONE, "internal error: the interpreter could not be started (ENOENT)" },
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

        test_case_begin("outcome_judge: %s", c->name);
        ASSERT_OK(buffer_append(&r.out, c->actual, strlen(c->actual)));
        outcome_judge(&r, &test_limits, c->expected, c->expected ? strlen(c->expected) : 0);
        ASSERT_STR_EQ(verdict_to_string(r.verdict), verdict_to_string(c->verdict));
        ASSERT_INT_EQ(r.limit, c->limit);
        ASSERT_INT_EQ(r.events, c->events);

        /* The sentence is appended to what is there. */
        ASSERT_OK(buffer_printf(&b, ">"));
        ASSERT_OK(outcome_explain(&b, &r, &test_limits));
        ASSERT_OK(buffer_terminate(&b));
        ASSERT_TRUE(b.data[0] == '>');
        ASSERT_STR_EQ(b.data + 1, c->explanation);
        buffer_done(&r.out);
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
        outcome_judge(&r, &test_limits, NULL, 0);
        ASSERT_U64_EQ(r.cpu_usec, cpu_cases[i].cpu);
        /* An internal error keeps the count too: the audit entry and the stats report it. */
        snprintf(r.outcome.internal_error, sizeof(r.outcome.internal_error), "boom");
        outcome_judge(&r, &test_limits, NULL, 0);
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
        TEST_TABLE(test_outcome_cpu, cpu_cases);
        TEST_RUN(test_explain_out_of_range);
        TEST_TABLE(test_names, name_cases);
        return test_summary();
}
