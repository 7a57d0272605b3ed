/* SPDX-License-Identifier: MIT */
#pragma once

#include <seccomp.h>

#include "util.h"

/* The system-call policy of policy/seccomp.conf: rules per section ([all], [LANGUAGE]), compiled
 * with libseccomp into a BPF program per language that kw-exec loads before the interpreter. */
typedef enum SeccompAction {
        SECCOMP_ALLOW,
        SECCOMP_ERRNO,               /* fail with errno_value */
        SECCOMP_NOOP,                /* succeed (return 0) without doing anything */
} SeccompAction;

typedef struct SeccompRule {
        unsigned line;
        char *section;
        int nr;                      /* native system-call number */
        SeccompAction action;
        int errno_value;
        unsigned n_cmp;
        struct scmp_arg_cmp cmp[6];  /* all must hold, one per argument */
} SeccompRule;

typedef struct SeccompPolicy {
        SeccompRule *rules;
        size_t n_rules;
        char *filename;
} SeccompPolicy;

/**
 * seccomp_policy_parse() - parse seccomp.conf. Unknown system calls, errnos, arguments or operators
 * are errors naming the line. A rule's conditions ("if C and C ...") must all hold, one per argument.
 * "argN & MASK != VALUE" becomes one rule per bit of MASK, "bit k of argN differs from VALUE's", since
 * libseccomp has no masked "!="; a rule may have one such condition. Return: 0 or -errno, with
 * *ret_error.
 */
int seccomp_policy_parse(const char *text, const char *filename, SeccompPolicy **ret, char **ret_error);

/**
 * seccomp_policy_compile() - the BPF program for @language: [all] and [language] rules, anything
 * else killing the process, native ABI only. Return: 0 or -errno, with *ret_error naming the line of
 * a rule libseccomp refused.
 */
int seccomp_policy_compile(const SeccompPolicy *p, const char *language, void **ret_bpf, size_t *ret_size,
                           char **ret_error);

/* The sections the policy names, for checking them against the languages. */
bool seccomp_policy_has_section(const SeccompPolicy *p, const char *section);
const char *seccomp_policy_first_unknown_section(const SeccompPolicy *p, char *const *known);

SeccompPolicy *seccomp_policy_free(SeccompPolicy *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(SeccompPolicy *, seccomp_policy_free);
