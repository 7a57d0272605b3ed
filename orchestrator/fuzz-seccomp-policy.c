/* SPDX-License-Identifier: MIT */
/* libFuzzer: any text as seccomp.conf; what parses must also compile for its sections. */
#include <string.h>

#include "seccomp-policy.h"
#include "test-helpers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        _cleanup_(seccomp_policy_freep) SeccompPolicy *p = NULL;
        _cleanup_free_ char *text = malloc(size + 1), *error = NULL;

        ASSERT_OR_ABORT(text);
        memcpy(text, data, size);
        text[size] = 0;

        int r = seccomp_policy_parse(text, "fuzz.conf", &p, &error);
        if (r < 0) {
                ASSERT_OR_ABORT(r == -ENOMEM || (r == -EINVAL && error && strncmp(error, "fuzz.conf:", 10) == 0));
                return 0;
        }
        ASSERT_OR_ABORT(!error);
        for (size_t i = 0; i < p->n_rules; i++) {
                _cleanup_free_ void *bpf = NULL;
                _cleanup_free_ char *e = NULL;
                size_t n;
                /* libseccomp may refuse a combination of rules; it must say which line. */
                r = seccomp_policy_compile(p, p->rules[i].section, &bpf, &n, &e);
                ASSERT_OR_ABORT(r >= 0 || r == -ENOMEM || (e && strncmp(e, "fuzz.conf:", 10) == 0));
                ASSERT_OR_ABORT(r < 0 || (n > 0 && n % 8 == 0));
        }
        return 0;
}
