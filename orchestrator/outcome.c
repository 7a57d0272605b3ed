/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>

#include "checker.h"
#include "outcome.h"

static const char *const limit_names[_RUN_LIMIT_MAX] = {
        [RUN_LIMIT_CPU_TIME] = "cpu-time",
        [RUN_LIMIT_WALL_TIME] = "wall-time",
        [RUN_LIMIT_MEMORY] = "memory",
        [RUN_LIMIT_OUTPUT] = "output",
};

static const char *const event_names[_RUN_EVENT_MAX] = {
        [RUN_EVENT_SECCOMP] = "seccomp-violation",
        [RUN_EVENT_OOM_KILL] = "oom-kill",
        [RUN_EVENT_CPU_TIMEOUT] = "cpu-timeout",
        [RUN_EVENT_WALL_TIMEOUT] = "wall-timeout",
};

const char *run_limit_to_string(RunLimit l) {
        return l >= 0 && l < _RUN_LIMIT_MAX ? limit_names[l] : NULL;
}

const char *run_event_to_string(RunEvent e) {
        return e >= 0 && e < _RUN_EVENT_MAX ? event_names[e] : NULL;
}

static bool is_killed(const RunOutcome *o) {
        return o->exit_code == CLD_KILLED || o->exit_code == CLD_DUMPED;
}

static uint64_t cpu_usec(const RunOutcome *o) {
        if (o->cpu_end_usec == UINT64_MAX)
                return 0;
        uint64_t start = o->cpu_start_usec == UINT64_MAX ? 0 : o->cpu_start_usec;
        return o->cpu_end_usec > start ? o->cpu_end_usec - start : 0;
}

static bool is_oom_killed(const RunOutcome *o) {
        /* The kernel's count of the run's cgroup, on either hierarchy; systemd's Result= where there is one. */
        return strcmp(o->result, "oom-kill") == 0 || (o->oom_kills != UINT64_MAX && o->oom_kills > 0);
}

/* Every event the outcome shows, whichever of them the verdict tells. */
static unsigned events_of(const RunOutcome *o, const Limits *limits, uint64_t cpu) {
        unsigned e = 0;

        if (is_killed(o) && o->exit_status == SIGSYS)
                e |= RUN_EVENT_BIT(RUN_EVENT_SECCOMP);
        if (is_oom_killed(o))
                e |= RUN_EVENT_BIT(RUN_EVENT_OOM_KILL);
        if (cpu >= limits->time_ms * 1000 || (is_killed(o) && o->exit_status == SIGXCPU))
                e |= RUN_EVENT_BIT(RUN_EVENT_CPU_TIMEOUT);
        if (o->wall_exceeded || strcmp(o->result, "timeout") == 0)
                e |= RUN_EVENT_BIT(RUN_EVENT_WALL_TIMEOUT);
        return e;
}

/* The limit that ended the run, in the order they are told: output first (a flood is killed at
 * once, whatever else it did), then CPU time (what the program computed, however loaded the
 * machine), then the wall clock, then memory. */
static RunLimit limit_of(const RunOutcome *o, unsigned events) {
        if (o->output_exceeded)
                return RUN_LIMIT_OUTPUT;
        if (events & RUN_EVENT_BIT(RUN_EVENT_CPU_TIMEOUT))
                return RUN_LIMIT_CPU_TIME;
        if (events & RUN_EVENT_BIT(RUN_EVENT_WALL_TIMEOUT))
                return RUN_LIMIT_WALL_TIME;
        if ((events & RUN_EVENT_BIT(RUN_EVENT_OOM_KILL)) || o->heap_exhausted)
                return RUN_LIMIT_MEMORY;
        return RUN_LIMIT_NONE;
}

static const Verdict limit_verdicts[_RUN_LIMIT_MAX] = {
        [RUN_LIMIT_CPU_TIME] = VERDICT_TIME_LIMIT_EXCEEDED,
        [RUN_LIMIT_WALL_TIME] = VERDICT_TIME_LIMIT_EXCEEDED,
        [RUN_LIMIT_MEMORY] = VERDICT_MEMORY_LIMIT_EXCEEDED,
        [RUN_LIMIT_OUTPUT] = VERDICT_OUTPUT_LIMIT_EXCEEDED,
};

void outcome_judge(RunResult *r, const Limits *limits, const CheckResult *check) {
        const RunOutcome *o = &r->outcome;

        r->cpu_usec = cpu_usec(o);
        /* SIGXCPU comes at RLIMIT_CPU, set at the time limit or above (whole seconds): by the
         * kernel's own count the program used at least the limit, which rusage and the cgroup's
         * counter may miss by a tick. */
        if (is_killed(o) && o->exit_status == SIGXCPU && r->cpu_usec < limits->time_ms * 1000)
                r->cpu_usec = limits->time_ms * 1000;
        r->limit = RUN_LIMIT_NONE;
        r->events = 0;
        r->score = NAN;
        r->checker_message[0] = 0;
        if (o->not_compiled) {
                r->verdict = VERDICT_COMPILATION_ERROR;
                return;
        }
        /* OOM-killed before its program started: its files (what compiling its code made, copied into
         * its root) did not fit in its memory limit; the code's doing, not kw's. */
        if (o->exec == EXEC_NOT_REACHED && o->oom_kills != UINT64_MAX && o->oom_kills > 0) {
                r->events = RUN_EVENT_BIT(RUN_EVENT_OOM_KILL);
                r->limit = RUN_LIMIT_MEMORY;
                r->verdict = VERDICT_MEMORY_LIMIT_EXCEEDED;
                return;
        }
        if (o->internal_error[0] || o->exec != EXEC_STARTED || o->exit_code == 0) {
                r->verdict = VERDICT_INTERNAL_ERROR;
                return;
        }
        r->events = events_of(o, limits, r->cpu_usec);
        r->limit = limit_of(o, r->events);
        if (r->limit != RUN_LIMIT_NONE)
                r->verdict = limit_verdicts[r->limit];
        else if (is_killed(o))
                r->verdict = VERDICT_KILLED_BY_SIGNAL;
        else if (o->exit_status != 0)
                r->verdict = VERDICT_RUNTIME_ERROR;
        else if (!check)
                r->verdict = VERDICT_ACCEPTED;
        else {
                r->verdict = check->verdict;
                r->score = check->score;
                snprintf(r->checker_message, sizeof(r->checker_message), "%s", check->message);
        }
}

void outcome_judge_compile(RunResult *r, const Limits *limits) {
        outcome_judge(r, limits, NULL);
        /* kw's own failure stays kw's; anything else that kept it from a product is the code's. */
        if (r->verdict == VERDICT_INTERNAL_ERROR)
                return;
        if (r->verdict != VERDICT_ACCEPTED || r->outcome.product_error != 0)
                r->verdict = VERDICT_COMPILATION_ERROR;
        /* A compiler's own process (cc1plus, as) stopped by RLIMIT_CPU fails its driver, which exits
         * by itself; the kernel's clock for the limit runs ahead of rusage's and the cgroup's on
         * some machines (~5 % measured on a VM), so a failure within a tenth of the limit is it. */
        if (r->verdict == VERDICT_COMPILATION_ERROR && r->limit == RUN_LIMIT_NONE && r->outcome.exit_code == CLD_EXITED &&
            r->outcome.exit_status != 0 && r->cpu_usec >= limits->time_ms * 900) {
                r->limit = RUN_LIMIT_CPU_TIME;
                r->events |= RUN_EVENT_BIT(RUN_EVENT_CPU_TIMEOUT);
        }
}

void outcome_check(const RunResult *checker, const Limits *limits, CheckResult *ret) {
        const RunOutcome *o = &checker->outcome;
        _cleanup_(buffer_done) Buffer why = {};

        /* Ended by itself: its exit code (or signal) is its word, testlib's way. */
        if (checker->verdict == VERDICT_ACCEPTED || checker->verdict == VERDICT_RUNTIME_ERROR ||
            checker->verdict == VERDICT_KILLED_BY_SIGNAL) {
                checker_judge_exit(o->exit_code == CLD_EXITED, o->exit_status, checker->out.data, checker->out.size,
                                   checker->err.data, checker->err.size, ret);
                return;
        }
        *ret = (CheckResult) { .verdict = VERDICT_INTERNAL_ERROR, .score = NAN };
        if (outcome_explain(&why, checker, limits) < 0 || buffer_terminate(&why) < 0)
                snprintf(ret->message, sizeof(ret->message), "checker failed");
        else
                snprintf(ret->message, sizeof(ret->message), "checker failed: %s", why.data);
}

static uint64_t mb(uint64_t bytes) {
        return bytes / (1024 * 1024);
}

/* Why a compile run gave no program. */
static int explain_compile(Buffer *b, const RunResult *r, const Limits *limits) {
        const RunOutcome *o = &r->outcome;
        char sig[16];

        if (o->not_compiled)
                return buffer_printf(b, "compilation error");
        switch (r->limit) {
        case RUN_LIMIT_CPU_TIME:
                return buffer_printf(b, "compilation error: the compiler reached its CPU time limit of %" PRIu64 " ms",
                                     limits->time_ms);
        case RUN_LIMIT_WALL_TIME:
                return buffer_printf(b, "compilation error: the compiler ran longer than its wall-clock limit of %" PRIu64
                                     " ms", limits->wall_time_ms);
        case RUN_LIMIT_MEMORY:
                return buffer_printf(b, "compilation error: the compiler used more than its memory limit of %" PRIu64 " MB",
                                     mb(limits->memory_bytes));
        case RUN_LIMIT_OUTPUT:
                return buffer_printf(b, "compilation error: the compiler wrote more than %" PRIu64 " bytes of messages",
                                     limits->output_bytes);
        case RUN_LIMIT_NONE:
        case _RUN_LIMIT_MAX:
                break;
        }
        if (is_killed(o))
                return buffer_printf(b, "compilation error: the compiler was killed by signal %s%s",
                                     signal_name(o->exit_status, sig),
                                     o->exit_status == SIGSYS ? " (a forbidden system call)"
                                     : o->exit_status == SIGXFSZ ? " (a file over the file size limit)" : "");
        if (o->exit_status != 0)
                return buffer_printf(b, "compilation error: the compiler exited with code %d", o->exit_status);
        if (o->product_error == EFBIG)
                return buffer_printf(b, "compilation error: what the compiler produced is over the size limit");
        return buffer_printf(b, "compilation error: the compiler produced no program (%s)",
                             strerrorname_np(o->product_error) ?: "?");
}

int outcome_explain(Buffer *b, const RunResult *r, const Limits *limits) {
        const RunOutcome *o = &r->outcome;
        char sig[16];

        switch (r->verdict) {
        case VERDICT_ACCEPTED:
                return buffer_printf(b, "accepted");
        case VERDICT_WRONG_ANSWER:
                if (r->checker_message[0])
                        return buffer_printf(b, "%s", r->checker_message);
                return buffer_printf(b, "wrong answer: the output differs from the expected output");
        case VERDICT_PRESENTATION_ERROR:
                return buffer_printf(b, "presentation error: %s", r->checker_message);
        case VERDICT_COMPILATION_ERROR:
                return explain_compile(b, r, limits);
        case VERDICT_TIME_LIMIT_EXCEEDED:
                if (r->limit == RUN_LIMIT_WALL_TIME)
                        return buffer_printf(b, "time limit exceeded: still running after the wall-clock "
                                             "limit of %" PRIu64 " ms (waiting for input, or sleeping?)",
                                             limits->wall_time_ms);
                return buffer_printf(b, "time limit exceeded: used more than the CPU time limit of %" PRIu64 " ms",
                                     limits->time_ms);
        case VERDICT_MEMORY_LIMIT_EXCEEDED:
                if (!(r->events & RUN_EVENT_BIT(RUN_EVENT_OOM_KILL)))
                        return buffer_printf(b, "memory limit exceeded: its heap reached the limit of %" PRIu64 " MB",
                                             mb(limits->memory_bytes));
                return buffer_printf(b, "memory limit exceeded: killed for using more than %" PRIu64 " MB",
                                     mb(limits->memory_bytes));
        case VERDICT_OUTPUT_LIMIT_EXCEEDED:
                return buffer_printf(b, "output limit exceeded: wrote more than %" PRIu64 " bytes",
                                     limits->output_bytes);
        case VERDICT_RUNTIME_ERROR:
                return buffer_printf(b, "runtime error: exited with code %d", o->exit_status);
        case VERDICT_KILLED_BY_SIGNAL:
                return buffer_printf(b, "killed by signal %s%s", signal_name(o->exit_status, sig),
                                     r->events & RUN_EVENT_BIT(RUN_EVENT_SECCOMP) ? " (a forbidden system call)" : "");
        case VERDICT_INTERNAL_ERROR:
        case _VERDICT_MAX:
                break;
        }
        if (o->exec == EXEC_STARTED && !o->internal_error[0] && r->checker_message[0])
                return buffer_printf(b, "internal error: %s", r->checker_message);
        if (o->internal_error[0])
                return buffer_printf(b, "internal error: %s", o->internal_error);
        if (o->exec == EXEC_FAILED) {
                const char *name = strerrorname_np(o->exec_errno);
                return buffer_printf(b, "internal error: the program could not be started (%s)", name ? name : "?");
        }
        return buffer_printf(b, "internal error: the run never started");
}
