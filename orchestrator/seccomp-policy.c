/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "seccomp-policy.h"

static const struct {
        const char *name;
        int value;
} errnos[] = {
        { "EPERM", EPERM },     { "EACCES", EACCES }, { "ENOSYS", ENOSYS },         { "EINVAL", EINVAL },
        { "ENOTSUP", ENOTSUP }, { "EAFNOSUPPORT", EAFNOSUPPORT }, { "EOPNOTSUPP", EOPNOTSUPP },
};

static const struct {
        const char *name;
        enum scmp_compare op;
} operators[] = {
        { "==", SCMP_CMP_EQ }, { "!=", SCMP_CMP_NE }, { "<", SCMP_CMP_LT },
        { "<=", SCMP_CMP_LE }, { ">", SCMP_CMP_GT },  { ">=", SCMP_CMP_GE },
};

_printf_(4, 5) static int fail(char **ret_error, const char *filename, unsigned line, const char *fmt, ...) {
        _cleanup_free_ char *reason = NULL;
        va_list ap;

        va_start(ap, fmt);
        int n = vasprintf(&reason, fmt, ap);
        va_end(ap);
        if (n < 0 || asprintf_safe(ret_error, "%s:%u: %s", filename, line, reason) < 0)
                return -ENOMEM;
        return -EINVAL;
}

static int parse_number(const char *s, uint64_t *ret) {
        char *end;
        if (!*s || *s == '-')
                return -EINVAL;
        errno = 0;
        unsigned long long v = strtoull(s, &end, 0);
        if (errno || *end)
                return -EINVAL;
        *ret = v;
        return 0;
}

/* "argN OP VALUE", "argN & MASK == VALUE" or "argN & MASK != VALUE", from words[0..]. *ret_masked_ne
 * is set for the last, whose *ret is the MASKED_EQ it negates. */
static int parse_condition(char **words, size_t n, const char *filename, unsigned line, struct scmp_arg_cmp *ret,
                           bool *ret_masked_ne, char **ret_error) {
        unsigned arg;
        uint64_t a, b;

        if (n < 3 || sscanf(words[0], "arg%u", &arg) != 1 || arg > 5 || strlen(words[0]) != 4)
                return fail(ret_error, filename, line, "expected 'argN OP VALUE' after 'if'");
        if (n == 5 && strcmp(words[1], "&") == 0 && (strcmp(words[3], "==") == 0 || strcmp(words[3], "!=") == 0)) {
                if (parse_number(words[2], &a) < 0 || parse_number(words[4], &b) < 0)
                        return fail(ret_error, filename, line, "bad number in '& %s %s %s'", words[2], words[3], words[4]);
                if (a == 0 || (b & ~a) != 0)
                        return fail(ret_error, filename, line, "'& %s %s %s': the value has bits outside the mask", words[2],
                                    words[3], words[4]);
                *ret = (struct scmp_arg_cmp) { .arg = arg, .op = SCMP_CMP_MASKED_EQ, .datum_a = a, .datum_b = b };
                *ret_masked_ne = words[3][0] == '!';
                return 0;
        }
        if (n != 3)
                return fail(ret_error, filename, line, "expected 'argN OP VALUE' or 'argN & MASK ==|!= VALUE'");
        for (size_t i = 0; i < ELEMENTSOF(operators); i++)
                if (strcmp(words[1], operators[i].name) == 0) {
                        if (parse_number(words[2], &a) < 0)
                                return fail(ret_error, filename, line, "bad number '%s'", words[2]);
                        *ret = (struct scmp_arg_cmp) { .arg = arg, .op = operators[i].op, .datum_a = a };
                        *ret_masked_ne = false;
                        return 0;
                }
        return fail(ret_error, filename, line, "unknown operator '%s'", words[1]);
}

static int add_rule(SeccompPolicy *p, const SeccompRule *r) {
        SeccompRule *rules = realloc(p->rules, (p->n_rules + 1) * sizeof(SeccompRule));
        if (!rules)
                return -ENOMEM;
        p->rules = rules;
        p->rules[p->n_rules] = *r;
        p->rules[p->n_rules].section = strdup(r->section);
        if (!p->rules[p->n_rules].section)
                return -ENOMEM;
        p->n_rules++;
        return 0;
}

static int parse_line(SeccompPolicy *p, char *line, unsigned number, const char *section, char **ret_error) {
        char *words[64];
        size_t n = 0, first = 1, end;
        char *save = NULL;
        SeccompRule rule = { .line = number, .section = (char *) section };
        int r;

        for (char *w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                if (n == ELEMENTSOF(words))
                        return fail(ret_error, p->filename, number, "too many words");
                words[n++] = w;
        }
        /* The caller gives no blank line; this says so to the compiler as well. */
        if (n == 0)
                return fail(ret_error, p->filename, number, "no rule");
        if (strcmp(words[0], "errno") == 0) {
                if (n < 3)
                        return fail(ret_error, p->filename, number, "expected 'errno ERRNO NAME...'");
                for (size_t i = 0; i < ELEMENTSOF(errnos) && !rule.errno_value; i++)
                        if (strcmp(words[1], errnos[i].name) == 0)
                                rule.errno_value = errnos[i].value;
                if (!rule.errno_value)
                        return fail(ret_error, p->filename, number, "unknown errno '%s'", words[1]);
                rule.action = SECCOMP_ERRNO;
                first = 2;
        } else if (strcmp(words[0], "noop") == 0)
                rule.action = SECCOMP_NOOP;
        else if (strcmp(words[0], "allow") != 0)
                return fail(ret_error, p->filename, number, "expected 'allow', 'errno' or 'noop', got '%s'", words[0]);

        for (end = first; end < n && strcmp(words[end], "if") != 0; end++)
                ;
        if (end == first)
                return fail(ret_error, p->filename, number, "no system call named");
        /* Conditions: the words after "if", cut at each "and". */
        int negated = -1; /* the condition that is a masked "!=", if any */
        for (size_t c = end + 1; c < n;) {
                size_t stop = c;
                bool ne = false;
                while (stop < n && strcmp(words[stop], "and") != 0)
                        stop++;
                if (rule.n_cmp == ELEMENTSOF(rule.cmp))
                        return fail(ret_error, p->filename, number, "too many conditions");
                r = parse_condition(words + c, stop - c, p->filename, number, &rule.cmp[rule.n_cmp], &ne, ret_error);
                if (r < 0)
                        return r;
                for (unsigned k = 0; k < rule.n_cmp; k++)
                        if (rule.cmp[k].arg == rule.cmp[rule.n_cmp].arg)
                                return fail(ret_error, p->filename, number, "arg%u is compared twice",
                                            rule.cmp[k].arg);
                if (ne && negated >= 0)
                        return fail(ret_error, p->filename, number, "more than one '& MASK !=' condition");
                if (ne)
                        negated = (int) rule.n_cmp;
                rule.n_cmp++;
                c = stop + 1;
                if (stop == n - 1)
                        return fail(ret_error, p->filename, number, "expected a condition after 'and'");
        }
        if (end < n && rule.n_cmp == 0)
                return fail(ret_error, p->filename, number, "expected 'argN OP VALUE' after 'if'");
        for (size_t i = first; i < end; i++) {
                rule.nr = seccomp_syscall_resolve_name_arch(SCMP_ARCH_NATIVE, words[i]);
                if (rule.nr == __NR_SCMP_ERROR || rule.nr < 0)
                        return fail(ret_error, p->filename, number, "unknown system call '%s'", words[i]);
                if (negated < 0) {
                        r = add_rule(p, &rule);
                        if (r < 0)
                                return r;
                        continue;
                }
                /* (arg & MASK) != VALUE: some bit of MASK differs. The rules share an action, so
                 * their order does not matter, unlike an "allow if !=" beside an "errno if ==" that
                 * overlaps it. */
                SeccompRule bit = rule;
                const struct scmp_arg_cmp *ne = &rule.cmp[negated];
                for (uint64_t k = 1; k; k <<= 1) {
                        if (!(ne->datum_a & k))
                                continue;
                        bit.cmp[negated].datum_a = k;
                        bit.cmp[negated].datum_b = ~ne->datum_b & k;
                        r = add_rule(p, &bit);
                        if (r < 0)
                                return r;
                }
        }
        return 0;
}

int seccomp_policy_parse(const char *text, const char *filename, SeccompPolicy **ret, char **ret_error) {
        _cleanup_(seccomp_policy_freep) SeccompPolicy *p = calloc(1, sizeof(SeccompPolicy));
        _cleanup_free_ char *copy = strdup(text), *section = NULL;
        unsigned number = 0;
        int r = 0;

        if (!p || !copy || !(p->filename = strdup(filename)))
                return -ENOMEM;
        char *line;
        for (char *cursor = copy; r >= 0 && (line = conf_next_line(&cursor, &number));) {
                if (!*line)
                        continue;
                if (*line == '[') {
                        size_t n = strlen(line);
                        if (line[n - 1] != ']' || n < 3) {
                                r = fail(ret_error, p->filename, number, "bad section header '%s'", line);
                                break;
                        }
                        free(section);
                        section = strndup(line + 1, n - 2);
                        r = section ? 0 : -ENOMEM;
                        continue;
                }
                if (!section)
                        r = fail(ret_error, p->filename, number, "rule before any [section]");
                else
                        r = parse_line(p, line, number, section, ret_error);
        }
        if (r < 0)
                return r;
        *ret = TAKE_PTR(p);
        return 0;
}

bool seccomp_policy_has_section(const SeccompPolicy *p, const char *section) {
        for (size_t i = 0; i < p->n_rules; i++)
                if (strcmp(p->rules[i].section, section) == 0)
                        return true;
        return false;
}

const char *seccomp_policy_first_unknown_section(const SeccompPolicy *p, char *const *known) {
        for (size_t i = 0; i < p->n_rules; i++) {
                bool found = strcmp(p->rules[i].section, "all") == 0;
                for (char *const *k = known; !found && k && *k; k++)
                        found = strcmp(p->rules[i].section, *k) == 0;
                if (!found)
                        return p->rules[i].section;
        }
        return NULL;
}

DEFINE_TRIVIAL_CLEANUP_FUNC(scmp_filter_ctx, seccomp_release);

int seccomp_policy_compile(const SeccompPolicy *p, const char *language, void **ret_bpf, size_t *ret_size,
                           char **ret_error) {
        /* The program is loaded elsewhere (kw-exec), not here. KILL_PROCESS needs API level 3 (Linux
         * 4.14); where libseccomp's probe of seccomp(2) fails, as under valgrind, assume it. */
        if (seccomp_api_get() < 3)
                (void) seccomp_api_set(3);
        _cleanup_(seccomp_releasep) scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_KILL_PROCESS);
        int r;

        if (!ctx)
                return -ENOMEM;
        /* kw-exec sets no_new_privs itself, before loading; other ABIs than the native one are killed. */
        r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_NNP, 0);
        if (r >= 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_ACT_BADARCH, SCMP_ACT_KILL_PROCESS);
        /* A binary tree of system calls: each call costs a few comparisons, not a walk down the list
         * (the argument rules made it a thousand instructions long). */
        if (r >= 0)
                r = seccomp_attr_set(ctx, SCMP_FLTATR_CTL_OPTIMIZE, 2);
        if (r < 0)
                return r;
        for (size_t i = 0; i < p->n_rules; i++) {
                const SeccompRule *rule = &p->rules[i];
                if (strcmp(rule->section, "all") != 0 && strcmp(rule->section, language) != 0)
                        continue;
                uint32_t action = rule->action == SECCOMP_ERRNO ? SCMP_ACT_ERRNO((uint32_t) rule->errno_value)
                                : rule->action == SECCOMP_NOOP  ? SCMP_ACT_ERRNO(0)
                                                                : SCMP_ACT_ALLOW;
                r = seccomp_rule_add_exact_array(ctx, action, rule->nr, rule->n_cmp, rule->n_cmp ? rule->cmp : NULL);
                if (r < 0)
                        return fail(ret_error, p->filename, rule->line, "libseccomp refused the rule: %s", strerror(-r));
        }

        /* libseccomp 2.5 exports to a file descriptor only. */
        _cleanup_close_ int fd = memfd_create("kw-seccomp", MFD_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        r = seccomp_export_bpf(ctx, fd);
        if (r < 0)
                return r;
        if (lseek(fd, 0, SEEK_SET) < 0)
                return negative_errno();
        char *bpf;
        size_t size;
        r = read_fd_all(fd, 1 << 20, &bpf, &size);
        if (r < 0)
                return r;
        *ret_bpf = bpf;
        *ret_size = size;
        return 0;
}

SeccompPolicy *seccomp_policy_free(SeccompPolicy *p) {
        if (!p)
                return NULL;
        for (size_t i = 0; i < p->n_rules; i++)
                free(p->rules[i].section);
        free(p->rules);
        free(p->filename);
        free(p);
        return NULL;
}
