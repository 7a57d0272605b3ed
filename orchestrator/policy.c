/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <inttypes.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <stdio.h>
#include <string.h>

#include "policy.h"
#include "seccomp-policy.h"

#define LIMIT(n) { #n, offsetof(Limits, n) }
const LimitField limit_fields[] = {
        LIMIT(time_ms),         LIMIT(wall_time_ms),    LIMIT(memory_bytes),
        LIMIT(processes),       LIMIT(open_files),      LIMIT(file_size_bytes),
        LIMIT(tmp_bytes),       LIMIT(output_bytes),    LIMIT(cpu_percent),
};
const size_t n_limit_fields = ELEMENTSOF(limit_fields);

typedef struct CapField {
        const char *section;
        const char *name;
        size_t offset;              /* within Policy */
} CapField;

static const CapField cap_fields[] = {
        { "job", "max_code_bytes", offsetof(Policy, caps.max_code_bytes) },
        { "job", "max_input_bytes", offsetof(Policy, caps.max_input_bytes) },
        { "job", "max_test_cases", offsetof(Policy, caps.max_test_cases) },
        { "job", "parallel_runs", offsetof(Policy, caps.parallel_runs) },
        { "job", "result_case_bytes", offsetof(Policy, caps.result_case_bytes) },
        { "job", "result_bytes", offsetof(Policy, caps.result_bytes) },
        { "daemon", "max_jobs", offsetof(Policy, daemon.max_jobs) },
        { "daemon", "max_queued_jobs", offsetof(Policy, daemon.max_queued_jobs) },
        { "daemon", "max_queued_bytes", offsetof(Policy, daemon.max_queued_bytes) },
        { "daemon", "max_connections", offsetof(Policy, daemon.max_connections) },
        { "daemon", "request_timeout_ms", offsetof(Policy, daemon.request_timeout_ms) },
        { "daemon", "max_reading_bytes", offsetof(Policy, daemon.max_reading_bytes) },
        { "daemon", "cell_runs", offsetof(Policy, daemon.cell_runs) },
        { "daemon", "cell_max_age_ms", offsetof(Policy, daemon.cell_max_age_ms) },
};

/* Warm cells: each a started unit and a process, waiting. */
#define MAX_CELLS 256
#define MIN_CELL_AGE_MS 10000U
/* Paths of a language's root: each a bind mount per run. */
#define MAX_ROOT_PATHS 32
/* What a run's root makes of its own, never the host's. */
static const char *const reserved_paths[] = { "/proc", "/dev", "/tmp", "/var", "/run", "/sys" };

static uint64_t *cap_field(Policy *p, const CapField *f) {
        return (uint64_t *) ((char *) p + f->offset);
}

void strv_free(char **l) {
        if (!l)
                return;
        for (char **i = l; *i; i++)
                free(*i);
        free(l);
}

size_t strv_length(char *const *l) {
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

/* Split on blanks; policy values hold no quoting (but "arguments", below). */
static int strv_split(const char *s, char ***ret) {
        _cleanup_free_ char *copy = strdup(s);
        char **l = calloc(1, sizeof(char *));
        size_t n = 0;
        char *save = NULL;

        if (!copy || !l) {
                free(l);
                return -ENOMEM;
        }
        for (char *w = strtok_r(copy, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
                char **nl = realloc(l, (n + 2) * sizeof(char *));
                if (!nl) {
                        strv_free(l);
                        return -ENOMEM;
                }
                l = nl;
                l[n] = strdup(w);
                l[++n] = NULL;
                if (!l[n - 1]) {
                        strv_free(l);
                        return -ENOMEM;
                }
        }
        *ret = l;
        return 0;
}

/* Calls @handle for every "key = value" line of an INI-style text, tracking [section]; a section
 * not in @sections is an error at its header, even with no key below it. */
typedef int (*KeyHandler)(void *userdata, const char *section, const char *key, const char *value,
                          char **ret_reason);

static int parse_ini(const char *text, const char *filename, const char *const *sections, KeyHandler handle,
                     void *userdata, char **ret_error) {
        _cleanup_free_ char *copy = strdup(text);
        _cleanup_free_ char *section = NULL;
        unsigned line = 0;
        char *reason = NULL;
        int r;

        if (!copy)
                return -ENOMEM;
        for (char *cursor = copy, *l; (l = conf_next_line(&cursor, &line));) {
                if (!*l)
                        continue;
                if (*l == '[') {
                        size_t n = strlen(l);
                        if (l[n - 1] != ']') {
                                reason = strdup("section header lacks ']'");
                                r = -EINVAL;
                                goto fail;
                        }
                        free(section);
                        section = strndup(l + 1, n - 2);
                        if (!section)
                                return -ENOMEM;
                        bool known = false;
                        for (const char *const *k = sections; *k; k++)
                                known = known || strcmp(*k, section) == 0;
                        if (!known) {
                                r = asprintf_safe(&reason, "unknown section [%s]", section);
                                if (r >= 0)
                                        r = -EINVAL;
                                goto fail;
                        }
                        continue;
                }
                char *eq = strchr(l, '=');
                if (!eq) {
                        r = asprintf_safe(&reason, "expected 'key = value', got '%s'", l);
                        if (r >= 0)
                                r = -EINVAL;
                        goto fail;
                }
                *eq = 0;
                r = handle(userdata, section ? section : "", strstrip(l), strstrip(eq + 1), &reason);
                if (r < 0)
                        goto fail;
        }
        return 0;

fail:
        if (asprintf_safe(ret_error, "%s:%u: %s", filename, line, reason ? reason : strerror(-r)) < 0)
                *ret_error = NULL;
        free(reason);
        return r;
}

/* A size or count that must be above zero: limits and caps. */
static int parse_positive(const char *key, const char *value, uint64_t *ret, char **ret_reason) {
        uint64_t v;
        if (parse_size(value, &v) < 0 || v == 0)
                return asprintf_safe(ret_reason, "%s: '%s' is not a positive number", key, value) < 0 ? -ENOMEM : -EINVAL;
        *ret = v;
        return 0;
}

static int limits_handler(void *userdata, const char *section, const char *key, const char *value,
                          char **ret_reason) {
        Policy *p = userdata;

        if (strcmp(section, "run") == 0) {
                for (size_t i = 0; i < n_limit_fields; i++) {
                        if (strcmp(key, limit_fields[i].name) == 0)
                                return parse_positive(key, value, limits_field(&p->limits, &limit_fields[i]),
                                                      ret_reason);
                }
                if (strcmp(key, "syscalls") == 0) {
                        strv_free(p->syscalls);
                        p->syscalls = NULL;
                        return strv_split(value, &p->syscalls);
                }
        } else if (strcmp(section, "job") == 0 || strcmp(section, "daemon") == 0) {
                /* Optional, and 0 (no warm cells) is a fine value. */
                if (strcmp(section, "daemon") == 0 && strcmp(key, "cells") == 0) {
                        uint64_t v;
                        if (parse_size(value, &v) < 0 || v > MAX_CELLS)
                                return asprintf_safe(ret_reason, "%s: '%s' is not a number from 0 to %u", key, value,
                                                     MAX_CELLS) < 0 ? -ENOMEM : -EINVAL;
                        p->daemon.cells = v;
                        return 0;
                }
                for (size_t i = 0; i < ELEMENTSOF(cap_fields); i++) {
                        if (strcmp(section, cap_fields[i].section) == 0 && strcmp(key, cap_fields[i].name) == 0)
                                return parse_positive(key, value, cap_field(p, &cap_fields[i]), ret_reason);
                }
        } else
                return asprintf_safe(ret_reason, "unknown section [%s]", section) < 0 ? -ENOMEM : -EINVAL;

        return asprintf_safe(ret_reason, "unknown key '%s' in [%s]", key, section) < 0 ? -ENOMEM : -EINVAL;
}

int policy_parse_limits(Policy *p, const char *text, const char *filename, char **ret_error) {
        static const char *const sections[] = { "run", "job", "daemon", NULL };
        int r = parse_ini(text, filename, sections, limits_handler, p, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < n_limit_fields; i++)
                if (*limits_field(&p->limits, &limit_fields[i]) == 0)
                        return asprintf_safe(ret_error, "%s: [run] %s is missing", filename,
                                             limit_fields[i].name) < 0 ? -ENOMEM : -EINVAL;
        for (size_t i = 0; i < ELEMENTSOF(cap_fields); i++)
                if (*cap_field(p, &cap_fields[i]) == 0)
                        return asprintf_safe(ret_error, "%s: [%s] %s is missing", filename, cap_fields[i].section,
                                             cap_fields[i].name) < 0 ? -ENOMEM : -EINVAL;
        if (!p->syscalls || !p->syscalls[0])
                return asprintf_safe(ret_error, "%s: [run] syscalls is missing", filename) < 0 ? -ENOMEM : -EINVAL;
        /* A cell younger than this at its first idle moment would be replaced before it served. */
        if (p->daemon.cell_max_age_ms < MIN_CELL_AGE_MS)
                return asprintf_safe(ret_error, "%s: [daemon] cell_max_age_ms must be at least %u (a cell takes a while to "
                                     "start), got %" PRIu64, filename, MIN_CELL_AGE_MS, p->daemon.cell_max_age_ms) < 0
                               ? -ENOMEM : -EINVAL;
        return 0;
}

static bool path_under(const char *path, const char *dir) {
        size_t n = strlen(dir);
        return strncmp(path, dir, n) == 0 && (path[n] == '/' || path[n] == 0);
}

/* Absolute and plain: no empty, "." or ".." part, no trailing slash. */
static bool path_is_plain(const char *path) {
        size_t n = strlen(path);
        return path[0] == '/' && !strstr(path, "//") && !strstr(path, "/./") && !strstr(path, "/../") &&
               path[n - 1] != '/' && !(n >= 2 && strcmp(path + n - 2, "/.") == 0) &&
               !(n >= 3 && strcmp(path + n - 3, "/..") == 0);
}

/* A root path as the policy writes it: "-" first if the host may lack it. */
static const char *root_path(const char *entry) {
        return entry[0] == '-' ? entry + 1 : entry;
}

/* Why @path cannot be in a run's root, or NULL: it must be absolute and plain, not / or what the
 * root makes of its own. */
static const char *root_path_problem(const char *path) {
        if (path[0] != '/' || path[1] == 0)
                return "not an absolute path below /";
        if (!path_is_plain(path))
                return "not a plain path";
        for (size_t i = 0; i < ELEMENTSOF(reserved_paths); i++)
                if (path_under(path, reserved_paths[i]))
                        return "in what the run's root makes of its own, or never has (/proc, /dev, /tmp, /var, /run, /sys)";
        return NULL;
}

static int parse_root(char ***root, const char *value, char **ret_reason) {
        int r;

        strv_free(*root);
        *root = NULL;
        r = strv_split(value, &*root);
        if (r < 0)
                return r;
        if (strv_length(*root) > MAX_ROOT_PATHS)
                return asprintf_safe(ret_reason, "root: more than %u paths", MAX_ROOT_PATHS) < 0 ? -ENOMEM : -EINVAL;
        for (char **a = *root; *a; a++) {
                const char *problem = root_path_problem(root_path(*a));
                if (problem)
                        return asprintf_safe(ret_reason, "root: '%s' is %s", root_path(*a), problem) < 0 ? -ENOMEM : -EINVAL;
                for (char **b = *root; *b; b++)
                        if (a != b && path_under(root_path(*a), root_path(*b)))
                                return asprintf_safe(ret_reason, "root: '%s' is inside '%s'", root_path(*a), root_path(*b)) < 0
                                               ? -ENOMEM : -EINVAL;
        }
        return 0;
}

/* Split on blanks, where a word in double quotes may hold blanks (a shell's command line); no
 * escapes. Return: 0, -EINVAL for an unterminated quote, or -ENOMEM. */
static int strv_split_quoted(const char *s, char ***ret) {
        char **l = NULL;
        int r = strv_split("", &l);

        for (const char *p = s; r >= 0 && *p;) {
                if (*p == ' ' || *p == '\t') {
                        p++;
                        continue;
                }
                const char *end;
                if (*p == '"') {
                        end = strchr(++p, '"');
                        if (!end)
                                r = -EINVAL;
                } else
                        end = p + strcspn(p, " \t");
                if (r < 0)
                        break;
                size_t n = strv_length(l);
                char **nl = realloc(l, (n + 2) * sizeof(char *));
                if (!nl) {
                        r = -ENOMEM;
                        break;
                }
                l = nl;
                l[n + 1] = NULL;
                if (!(l[n] = strndup(p, (size_t) (end - p))))
                        r = -ENOMEM;
                p = *end == '"' ? end + 1 : end;
        }
        if (r < 0) {
                strv_free(l);
                return r;
        }
        *ret = l;
        return 0;
}

/* "arguments": split, each placeholder known. */
static int parse_arguments(char ***arguments, const char *value, char **ret_reason) {
        strv_free(*arguments);
        *arguments = NULL;
        int r = strv_split_quoted(value, arguments);
        if (r == -EINVAL)
                return asprintf_safe(ret_reason, "arguments: a double quote is not closed") < 0 ? -ENOMEM : -EINVAL;
        for (char **a = *arguments; r >= 0 && *a; a++) {
                _cleanup_free_ char *x = NULL;
                r = policy_expand_argument(*a, "", "", &x);
                if (r == -EINVAL)
                        return asprintf_safe(ret_reason, "unknown placeholder in argument '%s' (known: {file}, {memory_mb})",
                                             *a) < 0 ? -ENOMEM : -EINVAL;
        }
        return r;
}

static int parse_program_path(char **target, const char *key, const char *value, char **ret_reason) {
        if (!path_is_plain(value))
                return asprintf_safe(ret_reason, "%s must be an absolute, plain path, got '%s'", key, value) < 0
                               ? -ENOMEM : -EINVAL;
        free(*target);
        *target = strdup(value);
        return *target ? 0 : -ENOMEM;
}

static int parse_file_name(char **target, const char *key, const char *value, char **ret_reason) {
        if (!*value || strchr(value, '/') || value[0] == '.')
                return asprintf_safe(ret_reason, "%s must be a plain file name, got '%s'", key, value) < 0 ? -ENOMEM : -EINVAL;
        /* A checker's run has these beside its program, in the same directory. */
        if (strcmp(value, "input") == 0 || strcmp(value, "output") == 0 || strcmp(value, "answer") == 0)
                return asprintf_safe(ret_reason, "%s must not be '%s', a checker's file", key, value) < 0 ? -ENOMEM : -EINVAL;
        free(*target);
        *target = strdup(value);
        return *target ? 0 : -ENOMEM;
}

static int compile_handler(LanguageCompile *c, const char *key, const char *value, char **ret_reason) {
        if (strcmp(key, "command") == 0)
                return parse_program_path(&c->command, key, value, ret_reason);
        if (strcmp(key, "arguments") == 0)
                return parse_arguments(&c->arguments, value, ret_reason);
        if (strcmp(key, "root") == 0)
                return parse_root(&c->root, value, ret_reason);
        if (strcmp(key, "product") == 0)
                return parse_file_name(&c->product, key, value, ret_reason);
        if (strcmp(key, "product_bytes") == 0)
                return parse_positive(key, value, &c->product_bytes, ret_reason);
        if (strcmp(key, "message_bytes") == 0)
                return parse_positive(key, value, &c->message_bytes, ret_reason);
        for (size_t i = 0; i < n_limit_fields; i++)
                if (strcmp(key, limit_fields[i].name) == 0)
                        return parse_positive(key, value, limits_field(&c->limits, &limit_fields[i]), ret_reason);
        return asprintf_safe(ret_reason, "unknown key '%s' in [compile]", key) < 0 ? -ENOMEM : -EINVAL;
}

static int language_handler(void *userdata, const char *section, const char *key, const char *value,
                            char **ret_reason) {
        Language *l = userdata;

        if (strcmp(section, "compile") == 0) {
                if (!l->compile && !(l->compile = calloc(1, sizeof(LanguageCompile))))
                        return -ENOMEM;
                return compile_handler(l->compile, key, value, ret_reason);
        }
        if (strcmp(section, "language") != 0)
                return asprintf_safe(ret_reason, "unknown section [%s]", section) < 0 ? -ENOMEM : -EINVAL;
        if (strcmp(key, "arguments") == 0)
                return parse_arguments(&l->arguments, value, ret_reason);
        if (strcmp(key, "syscalls") == 0) {
                strv_free(l->syscalls);
                l->syscalls = NULL;
                return strv_split(value, &l->syscalls);
        }
        if (strcmp(key, "root") == 0)
                return parse_root(&l->root, value, ret_reason);
        if (strcmp(key, "heap_exit_code") == 0) {
                uint64_t v;
                if (safe_atou64(value, &v) < 0 || v < 1 || v > 255)
                        return asprintf_safe(ret_reason, "%s: '%s' is not an exit status from 1 to 255", key, value) < 0
                                       ? -ENOMEM : -EINVAL;
                l->heap_exit_code = (int) v;
                return 0;
        }
        if (strcmp(key, "memory_overhead_bytes") == 0) {
                if (parse_size(value, &l->memory_overhead) < 0)
                        return asprintf_safe(ret_reason, "%s: '%s' is not a size", key, value) < 0 ? -ENOMEM : -EINVAL;
                return 0;
        }
        if (strcmp(key, "name") == 0) {
                if (!*value)
                        return asprintf_safe(ret_reason, "name must not be empty") < 0 ? -ENOMEM : -EINVAL;
                free(l->name);
                l->name = strdup(value);
                return l->name ? 0 : -ENOMEM;
        }
        if (strcmp(key, "interpreter") == 0)
                return parse_program_path(&l->interpreter, key, value, ret_reason);
        if (strcmp(key, "source_file") == 0)
                return parse_file_name(&l->source_file, key, value, ret_reason);
        return asprintf_safe(ret_reason, "unknown key '%s'", key) < 0 ? -ENOMEM : -EINVAL;
}

int policy_expand_argument(const char *arg, const char *file, const char *memory_mb, char **ret) {
        static const char *const names[] = { "{file}", "{memory_mb}" };
        const char *values[] = { file, memory_mb };
        _cleanup_(buffer_done) Buffer b = {};
        int r = 0;

        for (const char *p = arg; r >= 0 && *p;) {
                size_t i;
                if (*p != '{') {
                        r = buffer_append(&b, p++, 1);
                        continue;
                }
                for (i = 0; i < ELEMENTSOF(names); i++)
                        if (strncmp(p, names[i], strlen(names[i])) == 0)
                                break;
                if (i == ELEMENTSOF(names))
                        return -EINVAL;
                r = buffer_append(&b, values[i], strlen(values[i]));
                p += strlen(names[i]);
        }
        if (r >= 0)
                r = buffer_terminate(&b);
        if (r < 0)
                return r;
        *ret = b.data ? TAKE_PTR(b.data) : strdup("");
        return *ret ? 0 : -ENOMEM;
}

int policy_build_argv(const char *program, char *const *arguments, const char *file, uint64_t memory_bytes,
                      const char *const *extra, char ***ret) {
        size_t n_args = strv_length(arguments), n_extra = 0, n = 0;
        char memory_mb[32];
        int r = 0;

        while (extra && extra[n_extra])
                n_extra++;
        char **argv = calloc(n_args + n_extra + 2, sizeof(char *));
        if (!argv)
                return -ENOMEM;
        snprintf(memory_mb, sizeof(memory_mb), "%" PRIu64, memory_bytes >> 20);
        argv[n++] = strdup(program ?: file);
        r = argv[0] ? 0 : -ENOMEM;
        for (size_t i = 0; r >= 0 && i < n_args; i++)
                r = policy_expand_argument(arguments[i], file, memory_mb, &argv[n++]);
        for (size_t i = 0; r >= 0 && i < n_extra; i++)
                r = (argv[n++] = strdup(extra[i])) ? 0 : -ENOMEM;
        if (r < 0) {
                strv_free(argv);
                return r;
        }
        *ret = argv;
        return 0;
}

void language_done(Language *l) {
        free(l->seccomp_bpf);
        free(l->name);
        free(l->interpreter);
        free(l->source_file);
        strv_free(l->arguments);
        strv_free(l->syscalls);
        strv_free(l->root);
        if (l->compile) {
                free(l->compile->command);
                strv_free(l->compile->arguments);
                strv_free(l->compile->root);
                free(l->compile->product);
                free(l->compile);
        }
        *l = (Language) {};
}

/* Whether @path lies inside a path of @root, as the policy writes it. */
static bool root_contains(char *const *root, const char *path) {
        for (char *const *a = root; *a; a++)
                if (path_under(path, root_path(*a)))
                        return true;
        return false;
}

/* What a language file must say, or why it cannot be: NULL if it is whole. */
static int language_check(const Language *l, const char *filename, char **ret_error) {
        const LanguageCompile *c = l->compile;
        const char *missing = NULL;

        if (!l->name)
                missing = "[language] name";
        else if (!l->interpreter && !c)
                missing = "[language] interpreter";
        else if (!l->source_file)
                missing = "[language] source_file";
        else if (!l->root || !l->root[0])
                missing = "[language] root";
        else if (c && !c->command)
                missing = "[compile] command";
        else if (c && !c->product)
                missing = "[compile] product";
        else if (c && (!c->root || !c->root[0]))
                missing = "[compile] root";
        if (missing)
                return asprintf_safe(ret_error, "%s: %s is missing", filename, missing) < 0 ? -ENOMEM : -EINVAL;
        if (l->interpreter && !root_contains(l->root, l->interpreter))
                return asprintf_safe(ret_error, "%s: [language] interpreter %s is not inside any path of root", filename,
                                     l->interpreter) < 0 ? -ENOMEM : -EINVAL;
        if (c && !root_contains(c->root, c->command))
                return asprintf_safe(ret_error, "%s: [compile] command %s is not inside any path of its root", filename,
                                     c->command) < 0 ? -ENOMEM : -EINVAL;
        return 0;
}

int policy_parse_language(Language *ret, const char *text, const char *filename, char **ret_error) {
        Language l = {};

        static const char *const sections[] = { "language", "compile", NULL };
        l.heap_exit_code = -1;
        int r = parse_ini(text, filename, sections, language_handler, &l, ret_error);
        if (r >= 0)
                r = language_check(&l, filename, ret_error);
        /* An interpreter gets the file to run; a product is the program, with no argument by default. */
        if (r >= 0 && !l.arguments && strv_split(l.interpreter ? "{file}" : "", &l.arguments) < 0)
                r = -ENOMEM;
        if (r >= 0 && l.compile && !l.compile->arguments && strv_split("{file}", &l.compile->arguments) < 0)
                r = -ENOMEM;
        if (r >= 0 && !l.syscalls && strv_split("", &l.syscalls) < 0)
                r = -ENOMEM;
        if (r < 0) {
                language_done(&l);
                return r;
        }
        *ret = l;
        return 0;
}

Policy *policy_free(Policy *p) {
        if (!p)
                return NULL;
        for (size_t i = 0; i < p->n_languages; i++)
                language_done(&p->languages[i]);
        free(p->languages);
        strv_free(p->syscalls);
        free(p);
        return NULL;
}

Policy *policy_ref(Policy *p) {
        if (p)
                p->n_ref++;
        return p;
}

Policy *policy_unref(Policy *p) {
        if (p && --p->n_ref == 0)
                policy_free(p);
        return NULL;
}

void policy_rlimits_max(const Policy *p, Limits *ret) {
        *ret = p->limits;
        for (size_t i = 0; i < p->n_languages; i++) {
                const LanguageCompile *c = p->languages[i].compile;
                if (!c)
                        continue;
                if (c->limits.open_files > ret->open_files)
                        ret->open_files = c->limits.open_files;
                if (c->limits.file_size_bytes > ret->file_size_bytes)
                        ret->file_size_bytes = c->limits.file_size_bytes;
        }
}

const Language *policy_find_language(const Policy *p, const char *name) {
        for (size_t i = 0; i < p->n_languages; i++)
                if (strcmp(p->languages[i].name, name) == 0)
                        return &p->languages[i];
        return NULL;
}

static int load_text(const char *path, char **ret, char **ret_error) {
        size_t size;
        int r = read_file_all(path, 1 << 20, ret, &size);
        if (r < 0)
                return asprintf_safe(ret_error, "%s: cannot read: %s", path, strerror(-r)) < 0 ? -ENOMEM : r;
        if (memchr(*ret, 0, size)) {
                free(*ret);
                *ret = NULL; /* the caller's cleanup frees it too */
                return asprintf_safe(ret_error, "%s: contains a NUL byte", path) < 0 ? -ENOMEM : -EINVAL;
        }
        return 0;
}

/* seccomp.conf (at @path): parsed, its sections checked against the languages (and the names of
 * those the overlay removed: a vendor seccomp.conf keeps its section for one), compiled for each. */
static int load_seccomp(Policy *p, const char *path, char *const *removed, char **ret_error) {
        _cleanup_(seccomp_policy_freep) SeccompPolicy *sp = NULL;
        _cleanup_free_ char *text = NULL;
        size_t n_removed = strv_length(removed);
        _cleanup_free_ char **names = calloc(p->n_languages + n_removed + 1, sizeof(char *));
        int r;

        if (!names)
                return -ENOMEM;
        r = load_text(path, &text, ret_error);
        if (r < 0)
                return r;
        r = seccomp_policy_parse(text, path, &sp, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < p->n_languages; i++)
                names[i] = p->languages[i].name;
        for (size_t i = 0; i < n_removed; i++)
                names[p->n_languages + i] = removed[i];
        const char *unknown = seccomp_policy_first_unknown_section(sp, names);
        if (unknown)
                return asprintf_safe(ret_error, "%s: [%s] is not a language", path, unknown) < 0 ? -ENOMEM : -EINVAL;
        for (size_t i = 0; i < p->n_languages; i++) {
                Language *l = &p->languages[i];
                r = seccomp_policy_compile(sp, l->name, &l->seccomp_bpf, &l->seccomp_bpf_size, ret_error);
                if (r < 0)
                        return r;
        }
        return 0;
}

/* The host's answer for one root path: 1 if there (and kept), 0 if optional and missing. */
static int check_root_path(const char *entry, const char *filename, char **ret_error) {
        const char *path = root_path(entry);
        _cleanup_free_ char *parent = strndup(path, (size_t) (strrchr(path, '/') - path)), *real = NULL;
        struct stat st;

        if (!parent)
                return -ENOMEM;
        if (lstat(path, &st) < 0) {
                int r = negative_errno();
                if (r == -ENOENT && entry[0] == '-')
                        return 0;
                return asprintf_safe(ret_error, "%s: root: %s: %s", filename, path, strerror(-r)) < 0 ? -ENOMEM : r;
        }
        if (!S_ISDIR(st.st_mode) && !S_ISREG(st.st_mode) && !S_ISLNK(st.st_mode))
                return asprintf_safe(ret_error, "%s: root: %s is not a directory, file or link", filename, path) < 0
                               ? -ENOMEM : -EINVAL;
        /* The run's root repeats the path as it is: no link above it. */
        real = realpath(parent[0] ? parent : "/", NULL);
        if (!real)
                return asprintf_safe(ret_error, "%s: root: %s: %m", filename, parent) < 0 ? -ENOMEM : -errno;
        if (strcmp(real, parent[0] ? parent : "/") != 0)
                return asprintf_safe(ret_error, "%s: root: %s lies below a symbolic link", filename, path) < 0
                               ? -ENOMEM : -ELOOP;
        return 1;
}

/* @root's paths checked on the host, the optional ones it lacks dropped; @program, links followed,
 * there and inside a path of it. */
static int resolve_root(char **root, const char *program, const char *what, const char *filename, char **ret_error) {
        _cleanup_free_ char *real = NULL;
        bool inside = false;
        size_t kept = 0;
        int r;

        for (size_t i = 0; root[i]; i++) {
                r = check_root_path(root[i], filename, ret_error);
                if (r < 0) {
                        /* The rest are freed by language_done(): close the gap first. */
                        memmove(root + kept, root + i, (strv_length(root + i) + 1) * sizeof(char *));
                        return r;
                }
                if (r == 0) {
                        free(root[i]);
                        continue;
                }
                if (root[i][0] == '-')
                        memmove(root[i], root[i] + 1, strlen(root[i]));
                root[kept++] = root[i];
        }
        root[kept] = NULL;
        if (!program)
                return 0;
        real = realpath(program, NULL);
        if (!real || access(real, X_OK) < 0)
                return asprintf_safe(ret_error, "%s: %s %s: %m", filename, what, program) < 0 ? -ENOMEM : -ENOENT;
        /* A link of the root is copied as a link, without what it points to. */
        for (char **a = root; !inside && *a; a++) {
                struct stat st;
                inside = lstat(*a, &st) >= 0 && !S_ISLNK(st.st_mode) && path_under(real, *a);
        }
        if (!inside)
                return asprintf_safe(ret_error, "%s: %s %s is %s, outside every path of its root", filename, what,
                                     program, real) < 0 ? -ENOMEM : -EINVAL;
        return 0;
}

int policy_resolve_root(Language *l, const char *filename, char **ret_error) {
        int r = resolve_root(l->root, l->interpreter, "interpreter", filename, ret_error);
        if (r >= 0 && l->compile)
                r = resolve_root(l->compile->root, l->compile->command, "compile command", filename, ret_error);
        return r;
}

/* What a contest gives a compiler, where [compile] does not say (the files it writes as large as the
 * largest product taken): the rest are [run]'s. */
static void compile_defaults(LanguageCompile *c, const Limits *run) {
        if (c->product_bytes == 0)
                c->product_bytes = 64ULL << 20;
        if (c->message_bytes == 0)
                c->message_bytes = 64ULL << 10;
        const Limits defaults = { .time_ms = 10000, .wall_time_ms = 20000, .memory_bytes = 1ULL << 30,
                                  .file_size_bytes = c->product_bytes };

        for (size_t i = 0; i < n_limit_fields; i++) {
                uint64_t *v = limits_field(&c->limits, &limit_fields[i]);
                if (*v == 0)
                        *v = *limits_field((Limits *) &defaults, &limit_fields[i]) ?: *limits_field((Limits *) run, &limit_fields[i]);
        }
}

static int filter_conf(const struct dirent *de) {
        size_t n = strlen(de->d_name);
        return de->d_name[0] != '.' && n > 5 && strcmp(de->d_name + n - 5, ".conf") == 0;
}

const char *const policy_default_dirs[] = { KW_POLICY_ETC_DIR, KW_POLICY_DIR, NULL };

/* DIR/@relpath of the first of @dirs that has it (a dangling link or one it cannot look at counts:
 * reading it says why); else the last one's, whose reading says it is missing. */
static int overlay_path(const char *const *dirs, const char *relpath, char **ret) {
        for (size_t i = 0; dirs[i]; i++) {
                _cleanup_free_ char *path = NULL;
                struct stat st;

                if (asprintf_safe(&path, "%s/%s", dirs[i], relpath) < 0)
                        return -ENOMEM;
                if (!dirs[i + 1] || lstat(path, &st) >= 0 || errno != ENOENT) {
                        *ret = TAKE_PTR(path);
                        return 0;
                }
        }
        return -EINVAL; /* no directory at all */
}

int policy_dirs_describe(const char *const *dirs, char **ret) {
        _cleanup_(buffer_done) Buffer b = {};

        for (size_t i = 0; dirs[i]; i++)
                if (buffer_printf(&b, "%s%s", i > 0 ? " over " : "", dirs[i]) < 0)
                        return -ENOMEM;
        if (buffer_terminate(&b) < 0)
                return -ENOMEM;
        *ret = TAKE_PTR(b.data);
        return 0;
}

static const char *base_name(const char *path) {
        return strrchr(path, '/') + 1;
}

static int compare_base_names(const void *a, const void *b) {
        return strcmp(base_name(*(char *const *) a), base_name(*(char *const *) b));
}

/* The languages' files, in name order: each NAME.conf from the first of @dirs that has it. Only the
 * last directory (the packaged policy) must have a languages/; an overlay may have none. */
static int list_languages(const char *const *dirs, char ***ret, char **ret_error) {
        char **paths = NULL;
        size_t n_paths = 0;
        int r = 0;

        for (size_t d = 0; r >= 0 && dirs[d]; d++) {
                _cleanup_free_ char *langdir = NULL;
                struct dirent **entries = NULL;

                if (asprintf_safe(&langdir, "%s/languages", dirs[d]) < 0) {
                        r = -ENOMEM;
                        break;
                }
                int n = scandir(langdir, &entries, filter_conf, alphasort);
                if (n < 0) {
                        r = negative_errno();
                        if (r == -ENOENT && dirs[d + 1]) {
                                r = 0;
                                continue;
                        }
                        if (asprintf_safe(ret_error, "%s: cannot list: %s", langdir, strerror(-r)) < 0)
                                r = -ENOMEM;
                        break;
                }
                char **more = reallocarray(paths, n_paths + (size_t) n + 1, sizeof(char *));
                if (more)
                        paths = more;
                else
                        r = -ENOMEM;
                for (int i = 0; i < n; i++) {
                        bool seen = false;
                        for (size_t j = 0; !seen && j < n_paths; j++)
                                seen = strcmp(base_name(paths[j]), entries[i]->d_name) == 0;
                        if (r >= 0 && !seen) {
                                r = asprintf_safe(&paths[n_paths], "%s/%s", langdir, entries[i]->d_name) < 0 ? -ENOMEM : 0;
                                if (r >= 0)
                                        n_paths++;
                        }
                        free(entries[i]);
                }
                free(entries);
                if (paths)
                        paths[n_paths] = NULL;
        }
        if (r < 0) {
                strv_free(paths);
                return r;
        }
        if (paths)
                qsort(paths, n_paths, sizeof(char *), compare_base_names);
        *ret = paths;
        return 0;
}

/* A language file that is empty or a character device (a link to /dev/null) removes its language,
 * as a unit file does in systemd. Return: 1 if so, 0 if not, -errno if @path cannot be looked at. */
static int language_removed(const char *path) {
        struct stat st;

        if (stat(path, &st) < 0)
                return errno == ENOENT ? 0 : negative_errno(); /* a dangling link: reading it says so */
        return S_ISCHR(st.st_mode) || (S_ISREG(st.st_mode) && st.st_size == 0);
}

/* A run's init writes its files (the source or product; a checker's input, output and answer) under
 * the cell's RLIMIT_FSIZE: each must fit, or init dies of SIGXFSZ and the run passes for kw's failure. */
static int check_file_sizes(const Policy *p, const char *filename, char **ret_error) {
        Limits max;

        policy_rlimits_max(p, &max);
        struct { const char *name; uint64_t size; } sizes[] = {
                { "[job] max_code_bytes", p->caps.max_code_bytes },
                { "[job] max_input_bytes", p->caps.max_input_bytes },
                { "[run] output_bytes", p->limits.output_bytes },
        };
        for (size_t i = 0; i < ELEMENTSOF(sizes); i++)
                if (sizes[i].size > max.file_size_bytes)
                        return asprintf_safe(ret_error, "%s: %s (%" PRIu64 ") is above the largest file_size_bytes (%" PRIu64 ")",
                                             filename, sizes[i].name, sizes[i].size, max.file_size_bytes) < 0 ? -ENOMEM : -EINVAL;
        for (size_t i = 0; i < p->n_languages; i++) {
                const Language *l = &p->languages[i];
                if (l->compile && l->compile->product_bytes > max.file_size_bytes)
                        return asprintf_safe(ret_error, "%s: language %s: [compile] product_bytes (%" PRIu64 ") is above the "
                                             "largest file_size_bytes (%" PRIu64 ")", filename, l->name, l->compile->product_bytes,
                                             max.file_size_bytes) < 0 ? -ENOMEM : -EINVAL;
        }
        return 0;
}

/* One language file into p->languages: parsed, its root resolved, its [compile] completed, its
 * name not taken already. */
static int load_language(Policy *p, const char *path, char **ret_error) {
        _cleanup_free_ char *text = NULL;
        Language *l = &p->languages[p->n_languages];
        int r;

        r = load_text(path, &text, ret_error);
        if (r < 0)
                return r;
        r = policy_parse_language(l, text, path, ret_error);
        if (r < 0)
                return r;
        r = policy_resolve_root(l, path, ret_error);
        if (r >= 0 && policy_find_language(p, l->name))
                r = asprintf_safe(ret_error, "%s: language '%s' is defined twice", path, l->name) < 0 ? -ENOMEM : -EEXIST;
        if (r < 0) {
                language_done(l);
                return r;
        }
        if (l->compile)
                compile_defaults(l->compile, &p->limits);
        p->n_languages++;
        return 0;
}

int policy_load_dirs(const char *const *dirs, Policy **ret, char **ret_error) {
        _cleanup_(policy_freep) Policy *p = calloc(1, sizeof(Policy));
        _cleanup_free_ char *path = NULL, *text = NULL, *seccomp_path = NULL;
        char **languages = NULL, **removed = NULL;
        size_t n_removed = 0;
        int r;

        if (!p)
                return -ENOMEM;
        if (!dirs || !dirs[0])
                return -EINVAL;
        p->n_ref = 1;
        r = overlay_path(dirs, "limits.conf", &path);
        if (r < 0)
                return r;
        r = load_text(path, &text, ret_error);
        if (r < 0)
                return r;
        r = policy_parse_limits(p, text, path, ret_error);
        if (r < 0)
                return r;

        r = list_languages(dirs, &languages, ret_error);
        if (r < 0)
                return r;
        size_t n = strv_length(languages);
        p->languages = calloc(n ?: 1, sizeof(Language));
        removed = calloc(n + 1, sizeof(char *));
        r = p->languages && removed ? 0 : -ENOMEM;
        for (size_t i = 0; r >= 0 && i < n; i++) {
                r = language_removed(languages[i]);
                if (r < 0)
                        r = asprintf_safe(ret_error, "%s: cannot read: %s", languages[i], strerror(-r)) < 0 ? -ENOMEM : r;
                else if (r > 0) {
                        /* Its name as its file says: the file itself is gone. */
                        const char *file = base_name(languages[i]);
                        removed[n_removed] = strndup(file, strlen(file) - 5);
                        r = removed[n_removed++] ? 0 : -ENOMEM;
                } else
                        r = load_language(p, languages[i], ret_error);
        }
        if (r >= 0 && p->n_languages == 0)
                r = asprintf_safe(ret_error, "%s/languages: no languages defined",
                                  dirs[strv_length((char *const *) dirs) - 1]) < 0 ? -ENOMEM : -ENOENT;
        if (r >= 0)
                r = check_file_sizes(p, path, ret_error);
        if (r >= 0)
                r = overlay_path(dirs, "seccomp.conf", &seccomp_path);
        if (r >= 0)
                r = load_seccomp(p, seccomp_path, removed, ret_error);
        strv_free(languages);
        strv_free(removed);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(p);
        return 0;
}

int policy_load(const char *dir, Policy **ret, char **ret_error) {
        return policy_load_dirs((const char *const[]) { dir, NULL }, ret, ret_error);
}
