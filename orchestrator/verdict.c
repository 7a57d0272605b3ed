/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>

#include "verdict.h"

static const char *const verdict_names[_VERDICT_MAX] = {
        [VERDICT_ACCEPTED] = "accepted",
        [VERDICT_WRONG_ANSWER] = "wrong_answer",
        [VERDICT_TIME_LIMIT_EXCEEDED] = "time_limit_exceeded",
        [VERDICT_MEMORY_LIMIT_EXCEEDED] = "memory_limit_exceeded",
        [VERDICT_OUTPUT_LIMIT_EXCEEDED] = "output_limit_exceeded",
        [VERDICT_RUNTIME_ERROR] = "runtime_error",
        [VERDICT_KILLED_BY_SIGNAL] = "killed_by_signal",
        [VERDICT_INTERNAL_ERROR] = "internal_error",
};

const char *verdict_to_string(Verdict v) {
        return v >= 0 && v < _VERDICT_MAX ? verdict_names[v] : "internal_error";
}

bool verdict_is_normal(Verdict v) {
        return v == VERDICT_ACCEPTED || v == VERDICT_WRONG_ANSWER;
}

static bool is_line_blank(int c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/* Length of @s once trailing blanks of each line and trailing empty lines are ignored, and the
 * next line-normalised byte. Walks both texts line by line without copying them. */
typedef struct Cursor {
        const char *p, *end;
} Cursor;

/* The next line with its trailing blanks cut; false at the end. Trailing empty lines count as end. */
static bool next_line(Cursor *c, const char **ret, size_t *ret_size) {
        if (c->p >= c->end)
                return false;

        /* Only blank lines left? Then the text is over. */
        const char *q = c->p;
        while (q < c->end && (is_line_blank(*q) || *q == '\n'))
                q++;
        if (q == c->end)
                return false;

        const char *nl = memchr(c->p, '\n', (size_t) (c->end - c->p));
        const char *line_end = nl ? nl : c->end;
        size_t n = (size_t) (line_end - c->p);
        while (n > 0 && is_line_blank(c->p[n - 1]))
                n--;
        *ret = c->p;
        *ret_size = n;
        c->p = nl ? nl + 1 : c->end;
        return true;
}

bool output_matches(const char *actual, size_t actual_size, const char *expected, size_t expected_size) {
        Cursor a = { actual, actual + actual_size }, e = { expected, expected + expected_size };

        for (;;) {
                const char *la, *le;
                size_t na, ne;
                bool ha = next_line(&a, &la, &na), he = next_line(&e, &le, &ne);
                if (!ha || !he)
                        return ha == he;
                if (na != ne || memcmp(la, le, na) != 0)
                        return false;
        }
}

const char *signal_name(int sig, char buf[static 16]) {
        const char *abbrev = sigabbrev_np(sig);
        if (abbrev)
                snprintf(buf, 16, "SIG%s", abbrev);
        else if (sig >= SIGRTMIN && sig <= SIGRTMAX)
                snprintf(buf, 16, "SIGRTMIN+%d", sig - SIGRTMIN);
        else
                snprintf(buf, 16, "signal %d", sig);
        return buf;
}

/* systemd's own exit statuses (EXIT_CHDIR=200 ... EXIT_CREDENTIALS=243) from a run whose program never
 * started mean the sandbox was not set up; from a program, they are its own. */
static bool is_setup_failure(const RunOutcome *o) {
        return o->exec == EXEC_NOT_REACHED && strcmp(o->result, "exit-code") == 0 && o->exit_code == CLD_EXITED &&
               o->exit_status >= 200 && o->exit_status <= 243;
}

Verdict verdict_decide(const RunOutcome *o, const Limits *limits, const char *actual, size_t actual_size,
                       const char *expected, size_t expected_size) {
        bool killed = o->exit_code == CLD_KILLED || o->exit_code == CLD_DUMPED;

        if (o->internal_error || o->exec != EXEC_STARTED || o->exit_code == 0)
                return VERDICT_INTERNAL_ERROR;
        if (o->output_exceeded)
                return VERDICT_OUTPUT_LIMIT_EXCEEDED;
        if (o->wall_exceeded || strcmp(o->result, "timeout") == 0)
                return VERDICT_TIME_LIMIT_EXCEEDED;
        if (o->cpu_nsec >= limits->time_ms * 1000000ULL || (killed && o->exit_status == SIGXCPU))
                return VERDICT_TIME_LIMIT_EXCEEDED;
        /* systemd 252 sees OOM kills on cgroup v2 only; kw-runstat reads the kernel's count on both. */
        if (strcmp(o->result, "oom-kill") == 0 || (o->oom_kills != UINT64_MAX && o->oom_kills > 0))
                return VERDICT_MEMORY_LIMIT_EXCEEDED;
        if (killed)
                return VERDICT_KILLED_BY_SIGNAL;
        if (o->exit_status != 0)
                return VERDICT_RUNTIME_ERROR;
        if (!expected)
                return VERDICT_ACCEPTED;
        return output_matches(actual, actual_size, expected, expected_size) ? VERDICT_ACCEPTED
                                                                              : VERDICT_WRONG_ANSWER;
}

static uint64_t mb(uint64_t bytes) {
        return bytes / (1024 * 1024);
}

int verdict_explain(Buffer *b, Verdict v, const RunOutcome *o, const Limits *limits) {
        char sig[16];

        switch (v) {
        case VERDICT_ACCEPTED:
                return buffer_printf(b, "accepted");
        case VERDICT_WRONG_ANSWER:
                return buffer_printf(b, "wrong answer: the output differs from the expected output");
        case VERDICT_TIME_LIMIT_EXCEEDED:
                if (o->wall_exceeded || strcmp(o->result, "timeout") == 0)
                        return buffer_printf(b, "time limit exceeded: still running after the wall-clock "
                                             "limit of %" PRIu64 " ms (waiting for input, or sleeping?)",
                                             limits->wall_time_ms);
                return buffer_printf(b, "time limit exceeded: used more than the CPU time limit of %" PRIu64 " ms",
                                     limits->time_ms);
        case VERDICT_MEMORY_LIMIT_EXCEEDED:
                return buffer_printf(b, "memory limit exceeded: killed for using more than %" PRIu64 " MB",
                                     mb(limits->memory_bytes));
        case VERDICT_OUTPUT_LIMIT_EXCEEDED:
                return buffer_printf(b, "output limit exceeded: wrote more than %" PRIu64 " bytes",
                                     limits->output_bytes);
        case VERDICT_RUNTIME_ERROR:
                return buffer_printf(b, "runtime error: exited with code %d", o->exit_status);
        case VERDICT_KILLED_BY_SIGNAL:
                return buffer_printf(b, "killed by signal %s%s", signal_name(o->exit_status, sig),
                                     o->exit_status == SIGSYS ? " (a forbidden system call)" : "");
        case VERDICT_INTERNAL_ERROR:
        case _VERDICT_MAX:
                break;
        }
        if (o->internal_error)
                return buffer_printf(b, "internal error: %s", o->internal_error);
        if (is_setup_failure(o))
                return buffer_printf(b, "internal error: the sandbox could not be set up (systemd exit status %d)",
                                     o->exit_status);
        if (o->exec == EXEC_FAILED) {
                const char *name = strerrorname_np(o->exec_errno);
                return buffer_printf(b, "internal error: the interpreter could not be started (%s)", name ? name : "?");
        }
        return buffer_printf(b, "internal error: the run never started");
}
