/* SPDX-License-Identifier: MIT */
#pragma once

#include "util.h"

/**
 * json_append_string() - append @s as a JSON string literal.
 * Bytes that are not valid UTF-8 become U+FFFD, so any output gives valid JSON; NUL becomes \u0000.
 * Return: 0 or -ENOMEM.
 */
int json_append_string(Buffer *b, const char *s, size_t n);

/* The same, with NULL written as null. */
int json_append_string_or_null(Buffer *b, const char *s);

#include "policy.h"
#include "job.h"
#include "outcome.h"

/**
 * report_job() - the job's result as one JSON object: status, output, error, test_results (the
 * contract), and beside them job_id, verdict, score, stderr, per-test details (checker_message,
 * score) and, of a compiled language, @compile's story. Of the runs' output it
 * carries what @caps allows (result_case_bytes per field, result_bytes in all, in JSON bytes), with
 * "FIELD_truncated": true beside a cut field.
 * Return: 0 or -ENOMEM.
 */
int report_job(Buffer *b, const Job *job, const JobCaps *caps, const char *job_id, const RunResult *results,
               const RunResult *compile);

/* The first run that did not end normally, or -1. */
ssize_t report_first_failure(const Job *job, const RunResult *results);

/* The job's verdict: the first abnormal run's, else wrong_answer if any test failed, else accepted. */
Verdict report_overall(const Job *job, const RunResult *results);

/* kwctl's exit status for a judged job: 0 all normal, 1 a run failed, 3 kw's own failure. */
int report_exit_status(const Job *job, const RunResult *results);
