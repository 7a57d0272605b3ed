/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "checker.h"
#include "policy.h"

typedef struct TestCase {
        char *input;
        size_t input_size;
        char *expected;
        size_t expected_size;
} TestCase;

/* How a case's output is compared with what it expects (the job's "checker"). */
typedef struct JobChecker {
        CheckerType type;           /* CHECKER_LINES when the job names none */
        double abs_tol, rel_tol;    /* float */
        const Language *language;   /* custom: borrowed from the Policy */
        char *code;                 /* custom */
        size_t code_size;
} JobChecker;

typedef struct Job {
        char *code;
        size_t code_size;
        const Language *language;   /* borrowed from the Policy */
        TestCase *cases;
        size_t n_cases;
        bool has_cases;             /* false: one run with empty stdin, nothing judged */
        Limits limits;              /* the policy's, lowered where the job asked */
        JobChecker checker;
} Job;

/**
 * job_parse() - parse and validate a job's JSON text against @policy.
 * Return: 0, or -EINVAL (-ENOMEM) with *ret_error naming the field and the reason.
 */
int job_parse(const char *text, size_t size, const Policy *policy, Job **ret, char **ret_error);

/* How many runs the job needs: one per case, or one when it has none. */
size_t job_n_runs(const Job *j);

Job *job_free(Job *j);
DEFINE_TRIVIAL_CLEANUP_FUNC(Job *, job_free);
