/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"

typedef enum Verdict {
        VERDICT_ACCEPTED,
        VERDICT_WRONG_ANSWER,
        VERDICT_TIME_LIMIT_EXCEEDED,
        VERDICT_MEMORY_LIMIT_EXCEEDED,
        VERDICT_OUTPUT_LIMIT_EXCEEDED,
        VERDICT_RUNTIME_ERROR,
        VERDICT_KILLED_BY_SIGNAL,
        VERDICT_INTERNAL_ERROR,
        _VERDICT_MAX,
} Verdict;

/* What systemd and the output path say about one finished run. */
/* How far kw-exec got, as it said on its report pipe, which it alone holds: closed on exec
 * (O_CLOEXEC), so the program can neither write to it nor fake what it says. */
typedef enum ExecReport {
        EXEC_NOT_REACHED,           /* kw-exec never took its go: the sandbox did not get that far */
        EXEC_STARTED,               /* the interpreter was exec'd: every exit status after is the program's */
        EXEC_FAILED,                /* kw-exec could not exec it (exec_errno) */
} ExecReport;

typedef struct RunOutcome {
        char result[32];            /* the service's Result=: success, exit-code, signal, timeout, oom-kill... */
        int exit_code;              /* ExecMainCode: CLD_EXITED, CLD_KILLED, CLD_DUMPED, or 0 if it never ran */
        int exit_status;            /* ExecMainStatus: exit status or signal number */
        uint64_t cpu_nsec;
        uint64_t memory_peak;       /* bytes, UINT64_MAX if unknown */
        uint64_t oom_kills;         /* kernel OOM kills in the run's cgroup, UINT64_MAX if unknown */
        uint64_t wall_usec;
        bool output_exceeded;       /* kw stopped it for writing too much */
        bool wall_exceeded;         /* kw killed it at the wall-clock limit */
        const char *internal_error; /* set if kw itself failed to run it */
        ExecReport exec;
        int exec_errno;
} RunOutcome;

const char *verdict_to_string(Verdict v);

/* Normal end: exited 0 within every limit (the answer may still be wrong). */
bool verdict_is_normal(Verdict v);

/**
 * output_matches() - compare a program's output with the expected one.
 * Equal after removing trailing whitespace at each line end and trailing empty lines; exact bytes
 * otherwise. Return: true if equal.
 */
bool output_matches(const char *actual, size_t actual_size, const char *expected, size_t expected_size);

/**
 * verdict_decide() - the verdict for one run.
 * @expected: NULL when there is nothing to compare with.
 */
Verdict verdict_decide(const RunOutcome *o, const Limits *limits, const char *actual, size_t actual_size,
                       const char *expected, size_t expected_size);

/**
 * verdict_explain() - what happened, in a contestant's words ("time limit exceeded: ...").
 * Return: 0 or -ENOMEM, the sentence appended to @b.
 */
int verdict_explain(Buffer *b, Verdict v, const RunOutcome *o, const Limits *limits);

/* "SIGSEGV", or "signal 42". */
const char *signal_name(int sig, char buf[static 16]);
