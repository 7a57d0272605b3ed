/* SPDX-License-Identifier: MIT */
/* libFuzzer: any text as limits.conf, as a language file and as an interpreter argument. */
#include <stdio.h>
#include <string.h>

#include "policy.h"
#include "test-helpers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A failure says where, in the words of the file. */
static void check_error(int r, const char *error) {
        ASSERT_OR_ABORT(r == -EINVAL || r == -ENOMEM);
        ASSERT_OR_ABORT(r != -EINVAL || (error && strncmp(error, "fuzz.conf:", 10) == 0));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_free_ char *text = malloc(size + 1), *error = NULL, *expanded = NULL;
        _cleanup_(policy_freep) Policy *p = calloc(1, sizeof(Policy));
        Language l = {};
        int r;

        ASSERT_OR_ABORT(text && p);
        memcpy(text, data, size);
        text[size] = 0;

        r = policy_parse_limits(p, text, "fuzz.conf", &error);
        if (r < 0)
                check_error(r, error);
        else {
                ASSERT_OR_ABORT(!error);
                for (size_t i = 0; i < n_limit_fields; i++)
                        ASSERT_OR_ABORT(*limits_field(&p->limits, &limit_fields[i]) > 0);
                ASSERT_OR_ABORT(p->caps.max_code_bytes > 0 && p->caps.max_input_bytes > 0 &&
                                p->caps.max_test_cases > 0 && p->caps.parallel_runs > 0);
                ASSERT_OR_ABORT(p->daemon.max_jobs > 0 && p->daemon.max_queued_jobs > 0 &&
                                p->daemon.max_queued_bytes > 0);
                ASSERT_OR_ABORT(p->syscalls && p->syscalls[0]);
        }
        free(error);
        error = NULL;

        r = policy_parse_language(&l, text, "fuzz.conf", &error);
        if (r < 0) {
                check_error(r, error);
                ASSERT_OR_ABORT(!l.name && !l.interpreter && !l.source_file && !l.arguments && !l.syscalls);
        } else {
                ASSERT_OR_ABORT(!error);
                ASSERT_OR_ABORT(l.name && l.interpreter && l.interpreter[0] == '/');
                ASSERT_OR_ABORT(l.source_file && l.source_file[0] && l.source_file[0] != '.');
                ASSERT_OR_ABORT(!strchr(l.source_file, '/'));
                ASSERT_OR_ABORT(l.arguments && l.syscalls);
                /* What the parser accepted, the runner can expand. */
                for (char **a = l.arguments; *a; a++) {
                        _cleanup_free_ char *x = NULL;
                        ASSERT_OR_ABORT(policy_expand_argument(*a, "/f", "1", &x) == 0 && x);
                }
                language_done(&l);
        }

        r = policy_expand_argument(text, "/run/kw/j/main.py", "512", &expanded);
        ASSERT_OR_ABORT(r == 0 || r == -EINVAL);
        ASSERT_OR_ABORT((r == 0) == (expanded != NULL));
        return 0;
}
