/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include <stddef.h>

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

const char *verdict_to_string(Verdict v);

/* Normal end: exited 0 within every limit (the answer may still be wrong). */
bool verdict_is_normal(Verdict v);

/**
 * output_matches() - compare a program's output with the expected one.
 * Equal after removing trailing whitespace at each line end and trailing empty lines; exact bytes
 * otherwise. Return: true if equal.
 */
bool output_matches(const char *actual, size_t actual_size, const char *expected, size_t expected_size);

/* "SIGSEGV", or "signal 42". */
const char *signal_name(int sig, char buf[static 16]);
