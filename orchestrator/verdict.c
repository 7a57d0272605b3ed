/* SPDX-License-Identifier: MIT */
#include <signal.h>
#include <stdio.h>
#include <string.h>

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
