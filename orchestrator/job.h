/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stddef.h>

#include "policy.h"

typedef struct TestCase {
        char *input;
        size_t input_size;
        char *expected;
        size_t expected_size;
} TestCase;

typedef struct Job {
        char *code;
        size_t code_size;
        const Language *language;   /* borrowed from the Policy */
        TestCase *cases;
        size_t n_cases;
        bool has_cases;             /* false: one run with empty stdin, nothing judged */
        Limits limits;              /* the policy's, lowered where the job asked */
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
