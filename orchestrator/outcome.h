/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "checker.h"
#include "policy.h"
#include "util.h"
#include "verdict.h"

/* A run's outcome: the facts it ended with, and what they mean — the verdict, the limit that ended
 * it and the security event — decided here once, for the result, the audit entry and the stats
 * alike. Pure: no libsystemd, so its users' unit tests link without it. */

/* How far the run got, as its init told kw-exec on a pipe the program never holds (O_CLOEXEC, closed
 * by the exec), so no exit status or signal of the program can pass for a failure of kw's. */
typedef enum ExecReport {
        EXEC_NOT_REACHED,           /* the program was never exec'd: the sandbox did not get that far */
        EXEC_STARTED,               /* the interpreter was exec'd: every exit status after is the program's */
        EXEC_FAILED,                /* the exec failed (exec_errno) */
} ExecReport;

/* What a run ended with, as its init (through kw-exec), the cell's cgroup and kw's own output path
 * and timer saw it. */
typedef struct RunOutcome {
        char result[32];            /* in systemd's words: success, exit-code, signal (timeout, oom-kill) */
        int exit_code;              /* CLD_EXITED, CLD_KILLED, CLD_DUMPED, or 0 if it never ran */
        int exit_status;            /* exit status or signal number */
        /* The cell's cgroup CPU time over the run (end) and what of it was kw-exec's and init's
         * (start); the program's own is the difference. UINT64_MAX: unknown. */
        uint64_t cpu_start_usec;
        uint64_t cpu_end_usec;
        uint64_t memory_peak;       /* bytes, UINT64_MAX if unknown */
        uint64_t oom_kills;         /* kernel OOM kills in the cell's cgroup during the run, UINT64_MAX if unknown */
        uint64_t wall_usec;         /* from the go to the end */
        bool output_exceeded;       /* kw stopped it for writing too much */
        bool wall_exceeded;         /* kw killed it at the wall-clock limit */
        char internal_error[192];   /* if kw itself failed to run it, the reason, in a contestant's words */
        ExecReport exec;
        int exec_errno;
        int product_error;          /* a run that makes a product: 0 if it was taken (product_size bytes), else errno */
        uint64_t product_size;
        bool not_compiled;          /* never run: the job's code did not compile */
        bool heap_exhausted;        /* exited with its language's heap_exit_code: its runtime's heap limit, the memory limit, reached */
} RunOutcome;

/* The limit that ended a run. */
typedef enum RunLimit {
        RUN_LIMIT_NONE,
        RUN_LIMIT_CPU_TIME,
        RUN_LIMIT_WALL_TIME,
        RUN_LIMIT_MEMORY,
        RUN_LIMIT_OUTPUT,
        _RUN_LIMIT_MAX,
} RunLimit;

/* What the sandbox enforced, for the audit trail: the kernel's seccomp and OOM kills, and the
 * CPU-time and wall-clock limits. A run may have several (a forbidden call after a flood of output,
 * a child OOM-killed before a timeout): each is told, whatever the verdict. */
typedef enum RunEvent {
        RUN_EVENT_SECCOMP,
        RUN_EVENT_OOM_KILL,
        RUN_EVENT_CPU_TIMEOUT,
        RUN_EVENT_WALL_TIMEOUT,
        _RUN_EVENT_MAX,
} RunEvent;

#define RUN_EVENT_BIT(e) (1u << (e))

/* One run: what it ended with, its output as read back from the journal, and what that means. */
typedef struct RunResult {
        RunOutcome outcome;
        char invocation_id[33];
        Buffer out;
        Buffer err;
        /* Set by outcome_judge() alone. */
        Verdict verdict;
        RunLimit limit;
        unsigned events;            /* RUN_EVENT_BIT() of each */
        uint64_t cpu_usec;          /* the program's own CPU time */
        double score;               /* in [0, 1] where a checker gave one, else NAN */
        char checker_message[CHECK_MESSAGE_MAX]; /* empty if nothing compared the output */
} RunResult;

/* "cpu-time", "wall-time", "memory", "output"; NULL for RUN_LIMIT_NONE. */
const char *run_limit_to_string(RunLimit l);
/* "seccomp-violation", "oom-kill", "cpu-timeout", "wall-timeout"; NULL if out of range. */
const char *run_event_to_string(RunEvent e);

/**
 * outcome_judge() - decide @r's verdict, limit, events and CPU time from its outcome and, for a run
 * that ended normally, what its checker found (@check; NULL when there is nothing to compare).
 */
void outcome_judge(RunResult *r, const Limits *limits, const CheckResult *check);

/**
 * outcome_judge_compile() - the same for a compile run: ACCEPTED if it ended normally and its
 * product was taken, COMPILATION_ERROR (with the limit that stopped it, if one did) otherwise, or
 * INTERNAL_ERROR when kw failed.
 */
void outcome_judge_compile(RunResult *r, const Limits *limits);

/**
 * outcome_check() - what a custom checker's judged run says of the case it checked: its testlib
 * exit code, or, if it did not end by itself within its limits, a checker failure (INTERNAL_ERROR).
 */
void outcome_check(const RunResult *checker, const Limits *limits, CheckResult *ret);

/**
 * outcome_explain() - what happened to a judged run, in a contestant's words ("time limit exceeded:
 * ..."); of a compile run, "compilation error: ..." with the limit that stopped it, if one did.
 * Return: 0 or -ENOMEM, the sentence appended to @b.
 */
int outcome_explain(Buffer *b, const RunResult *r, const Limits *limits);
