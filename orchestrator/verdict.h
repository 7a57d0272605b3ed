/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <stddef.h>

typedef enum Verdict {
        VERDICT_ACCEPTED,
        VERDICT_WRONG_ANSWER,
        VERDICT_PRESENTATION_ERROR,  /* a custom checker's exit 2 */
        VERDICT_TIME_LIMIT_EXCEEDED,
        VERDICT_MEMORY_LIMIT_EXCEEDED,
        VERDICT_OUTPUT_LIMIT_EXCEEDED,
        VERDICT_RUNTIME_ERROR,
        VERDICT_KILLED_BY_SIGNAL,
        VERDICT_COMPILATION_ERROR,   /* the job's code did not compile: no test ran */
        VERDICT_INTERNAL_ERROR,
        _VERDICT_MAX,
} Verdict;

const char *verdict_to_string(Verdict v);

/* Normal end: exited 0 within every limit (the answer may still be wrong, or badly presented). */
bool verdict_is_normal(Verdict v);

/* "SIGSEGV", or "signal 42". */
const char *signal_name(int sig, char buf[static 16]);
