/* SPDX-License-Identifier: MIT */
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "verdict.h"

static const char *const verdict_names[_VERDICT_MAX] = {
        [VERDICT_ACCEPTED] = "accepted",
        [VERDICT_WRONG_ANSWER] = "wrong_answer",
        [VERDICT_PRESENTATION_ERROR] = "presentation_error",
        [VERDICT_TIME_LIMIT_EXCEEDED] = "time_limit_exceeded",
        [VERDICT_MEMORY_LIMIT_EXCEEDED] = "memory_limit_exceeded",
        [VERDICT_OUTPUT_LIMIT_EXCEEDED] = "output_limit_exceeded",
        [VERDICT_RUNTIME_ERROR] = "runtime_error",
        [VERDICT_KILLED_BY_SIGNAL] = "killed_by_signal",
        [VERDICT_COMPILATION_ERROR] = "compilation_error",
        [VERDICT_INTERNAL_ERROR] = "internal_error",
};

const char *verdict_to_string(Verdict v) {
        return v >= 0 && v < _VERDICT_MAX ? verdict_names[v] : "internal_error";
}

bool verdict_is_normal(Verdict v) {
        return v == VERDICT_ACCEPTED || v == VERDICT_WRONG_ANSWER || v == VERDICT_PRESENTATION_ERROR;
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
