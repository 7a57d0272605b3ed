/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "verdict.h"

/* How a program's output is compared with a test case's expected output (issue 13). Pure: libc and
 * libm only. Texts are sized and may hold NUL bytes.
 *
 * Whitespace, for tokens, is ' ' '\t' '\n' '\r' '\v' '\f' (a NUL is not: it is part of a token).
 *
 * The float rule: a token is a number only if it is, in full, [+-]?(D+(\.D*)?|\.D+)([eE][+-]?D+)?
 * or [+-]?(inf|infinity|nan) in any case (no hex: "0x10" is text), read by strtod() in the C locale
 * at any length; one too big for a double is that infinity. Two numbers are equal if both are NaN,
 * if either is infinite only when both are the same infinity, else when |a - e| <= abs_tol or
 * |a - e| <= rel_tol * |e|. Any other two tokens must be the same bytes.
 *
 * Messages are one line: a quoted snippet of a text is at most 32 bytes (ending in "..." when cut,
 * between UTF-8 characters), control bytes shown as \xNN (4 bytes of the 32). */

typedef enum CheckerType {
        CHECKER_LINES,      /* the default (no "checker" in the job): trailing blanks of each line and trailing empty lines ignored */
        CHECKER_EXACT,      /* byte for byte */
        CHECKER_TOKENS,     /* equal sequences of whitespace-separated tokens */
        CHECKER_FLOAT,      /* tokens; two that are both numbers are equal within abs_tol or rel_tol */
        CHECKER_CUSTOM,     /* a program (testlib's interface); judged by checker_judge_exit() */
        _CHECKER_TYPE_MAX,
} CheckerType;

/* "lines", "exact", "tokens", "float", "custom"; NULL out of range. */
const char *checker_type_to_string(CheckerType t);
/* The type named @s, or -EINVAL (also for NULL). */
int checker_type_from_string(const char *s);

#define CHECK_MESSAGE_MAX 256

typedef struct CheckResult {
        Verdict verdict;                /* ACCEPTED, WRONG_ANSWER, PRESENTATION_ERROR; INTERNAL_ERROR: the checker itself failed */
        double score;                   /* in [0, 1] where a checker gave one (custom exit 7, or 1/0 for its 0/1/2); NAN otherwise */
        char message[CHECK_MESSAGE_MAX]; /* one line, NUL-terminated, never empty */
} CheckResult;

/**
 * output_matches() - compare a program's output with the expected one.
 * Equal after removing trailing whitespace at each line end and trailing empty lines; exact bytes
 * otherwise. Return: true if equal.
 */
bool output_matches(const char *actual, size_t actual_size, const char *expected, size_t expected_size);

/**
 * checker_compare() - judge @actual against @expected with a built-in checker (LINES, EXACT,
 * TOKENS, FLOAT; the tolerances count for FLOAT only and are >= 0).
 * The verdict is ACCEPTED or WRONG_ANSWER, the score NAN, the message one of:
 *   lines:  "ok: 3 lines", "wrong answer: line 2 differs: expected '5', found '6'",
 *           "wrong answer: expected 3 lines, found 2"
 *   exact:  "ok: 12 bytes", "wrong answer: byte 7 differs (line 2)",
 *           "wrong answer: expected 12 bytes, found 10" (one is a prefix of the other)
 *   tokens, float: "ok: 4 tokens", "wrong answer: token 3 differs: expected '1.5', found '1.6'",
 *           "wrong answer: expected 4 tokens, found 3"
 * ("1 line", "1 byte", "1 token" in the singular). INTERNAL_ERROR only for CHECKER_CUSTOM or an
 * unknown type, or if a copy of a long numeral at the very end of a text cannot be allocated.
 */
void checker_compare(CheckerType type, double abs_tol, double rel_tol, const char *actual, size_t actual_size,
                     const char *expected, size_t expected_size, CheckResult *ret);

/**
 * checker_judge_exit() - the verdict of a custom checker's run that ended by itself (not by a
 * limit; the caller decides that).
 * @exited: false means killed by signal @status, else exit status @status.
 * @out, @err: its stdout and stderr.
 *
 * testlib's codes: 0 accepted (score 1), 1 wrong answer (score 0), 2 presentation error (score 0),
 * 3 checker failure (INTERNAL_ERROR, never the contestant's fault), 7 partial: the first
 * whitespace-separated token of stdout is a decimal number (the float syntax without inf and nan)
 * in [0, 1], else INTERNAL_ERROR; ACCEPTED only when it is exactly 1, else WRONG_ANSWER, with that
 * score. Any other exit status or a signal: INTERNAL_ERROR, score NAN.
 *
 * The message: the first line of stderr, trailing blanks removed, control bytes as \xNN, cut to
 * fit with "..." (between UTF-8 characters); if that is empty, "accepted", "wrong answer",
 * "presentation error" or "partial score 0.5". An INTERNAL_ERROR's is "checker failed (exit 3)",
 * "checker failed (killed by signal 9)", "checker failed (exit 7): no score on stdout" or
 * "checker failed (exit 7): score '1.5' is not a decimal number in [0, 1]", followed by ": " and
 * the line of stderr if there is one.
 */
void checker_judge_exit(bool exited, int status, const char *out, size_t out_size, const char *err, size_t err_size,
                        CheckResult *ret);
