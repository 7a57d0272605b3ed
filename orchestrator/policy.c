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

/* Split on blanks; policy values hold no quoting. */
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

static int parse_root(Language *l, const char *value, char **ret_reason) {
        int r;

        strv_free(l->root);
        l->root = NULL;
        r = strv_split(value, &l->root);
        if (r < 0)
                return r;
        if (strv_length(l->root) > MAX_ROOT_PATHS)
                return asprintf_safe(ret_reason, "root: more than %u paths", MAX_ROOT_PATHS) < 0 ? -ENOMEM : -EINVAL;
        for (char **a = l->root; *a; a++) {
                const char *problem = root_path_problem(root_path(*a));
                if (problem)
                        return asprintf_safe(ret_reason, "root: '%s' is %s", root_path(*a), problem) < 0 ? -ENOMEM : -EINVAL;
                for (char **b = l->root; *b; b++)
                        if (a != b && path_under(root_path(*a), root_path(*b)))
                                return asprintf_safe(ret_reason, "root: '%s' is inside '%s'", root_path(*a), root_path(*b)) < 0
                                               ? -ENOMEM : -EINVAL;
        }
        return 0;
}

static int language_handler(void *userdata, const char *section, const char *key, const char *value,
                            char **ret_reason) {
        Language *l = userdata;
        char **target = NULL;

        if (strcmp(section, "language") != 0)
                return asprintf_safe(ret_reason, "unknown section [%s]", section) < 0 ? -ENOMEM : -EINVAL;
        if (strcmp(key, "arguments") == 0) {
                strv_free(l->arguments);
                l->arguments = NULL;
                int r = strv_split(value, &l->arguments);
                for (char **a = l->arguments; r >= 0 && *a; a++) {
                        _cleanup_free_ char *x = NULL;
                        r = policy_expand_argument(*a, "", "", &x);
                        if (r == -EINVAL)
                                return asprintf_safe(ret_reason, "unknown placeholder in argument '%s' (known: {file}, {memory_mb})",
                                                     *a) < 0 ? -ENOMEM : -EINVAL;
                }
                return r;
        }
        if (strcmp(key, "syscalls") == 0) {
                strv_free(l->syscalls);
                l->syscalls = NULL;
                return strv_split(value, &l->syscalls);
        }
        if (strcmp(key, "root") == 0)
                return parse_root(l, value, ret_reason);
        if (strcmp(key, "name") == 0) {
                if (!*value)
                        return asprintf_safe(ret_reason, "name must not be empty") < 0 ? -ENOMEM : -EINVAL;
                target = &l->name;
        }
        else if (strcmp(key, "interpreter") == 0) {
                if (!path_is_plain(value))
                        return asprintf_safe(ret_reason, "interpreter must be an absolute, plain path, got '%s'",
                                             value) < 0 ? -ENOMEM : -EINVAL;
                target = &l->interpreter;
        } else if (strcmp(key, "source_file") == 0) {
                if (!*value || strchr(value, '/') || value[0] == '.')
                        return asprintf_safe(ret_reason, "source_file must be a plain file name, got '%s'",
                                             value) < 0 ? -ENOMEM : -EINVAL;
                target = &l->source_file;
        } else
                return asprintf_safe(ret_reason, "unknown key '%s'", key) < 0 ? -ENOMEM : -EINVAL;

        free(*target);
        *target = strdup(value);
        return *target ? 0 : -ENOMEM;
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

void language_done(Language *l) {
        free(l->seccomp_bpf);
        free(l->name);
        free(l->interpreter);
        free(l->source_file);
        strv_free(l->arguments);
        strv_free(l->syscalls);
        strv_free(l->root);
        *l = (Language) {};
}

int policy_parse_language(Language *ret, const char *text, const char *filename, char **ret_error) {
        Language l = {};
        const char *missing = NULL;

        static const char *const sections[] = { "language", NULL };
        int r = parse_ini(text, filename, sections, language_handler, &l, ret_error);
        if (r < 0) {
                language_done(&l);
                return r;
        }
        if (!l.name)
                missing = "name";
        else if (!l.interpreter)
                missing = "interpreter";
        else if (!l.source_file)
                missing = "source_file";
        else if (!l.root || !l.root[0])
                missing = "root";
        if (missing) {
                language_done(&l);
                return asprintf_safe(ret_error, "%s: [language] %s is missing", filename, missing) < 0 ? -ENOMEM : -EINVAL;
        }
        bool inside = false;
        for (char **a = l.root; *a; a++)
                inside = inside || path_under(l.interpreter, root_path(*a));
        if (!inside) {
                r = asprintf_safe(ret_error, "%s: [language] interpreter %s is not inside any path of root", filename,
                                  l.interpreter);
                language_done(&l);
                return r < 0 ? -ENOMEM : -EINVAL;
        }
        if (!l.arguments && strv_split("{file}", &l.arguments) < 0) {
                language_done(&l);
                return -ENOMEM;
        }
        if (!l.syscalls && strv_split("", &l.syscalls) < 0) {
                language_done(&l);
                return -ENOMEM;
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

/* seccomp.conf: parsed, its sections checked against the languages, compiled for each. */
static int load_seccomp(Policy *p, const char *dir, char **ret_error) {
        _cleanup_(seccomp_policy_freep) SeccompPolicy *sp = NULL;
        _cleanup_free_ char *path = NULL, *text = NULL;
        _cleanup_free_ char **names = calloc(p->n_languages + 1, sizeof(char *));
        int r;

        if (!names || asprintf_safe(&path, "%s/seccomp.conf", dir) < 0)
                return -ENOMEM;
        r = load_text(path, &text, ret_error);
        if (r < 0)
                return r;
        r = seccomp_policy_parse(text, path, &sp, ret_error);
        if (r < 0)
                return r;
        for (size_t i = 0; i < p->n_languages; i++)
                names[i] = p->languages[i].name;
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

int policy_resolve_root(Language *l, const char *filename, char **ret_error) {
        _cleanup_free_ char *interpreter = NULL;
        bool inside = false;
        size_t kept = 0;
        int r;

        for (size_t i = 0; l->root[i]; i++) {
                r = check_root_path(l->root[i], filename, ret_error);
                if (r < 0)
                        return r;
                if (r == 0) {
                        free(l->root[i]);
                        continue;
                }
                if (l->root[i][0] == '-')
                        memmove(l->root[i], l->root[i] + 1, strlen(l->root[i]));
                l->root[kept++] = l->root[i];
        }
        l->root[kept] = NULL;
        /* The interpreter, links followed, must be there, and inside the root too. */
        interpreter = realpath(l->interpreter, NULL);
        if (!interpreter || access(interpreter, X_OK) < 0)
                return asprintf_safe(ret_error, "%s: interpreter %s: %m", filename, l->interpreter) < 0 ? -ENOMEM : -ENOENT;
        /* A link of the root is copied as a link, without what it points to. */
        for (char **a = l->root; !inside && *a; a++) {
                struct stat st;
                inside = lstat(*a, &st) >= 0 && !S_ISLNK(st.st_mode) && path_under(interpreter, *a);
        }
        if (!inside)
                return asprintf_safe(ret_error, "%s: interpreter %s is %s, outside every path of root", filename,
                                     l->interpreter, interpreter) < 0 ? -ENOMEM : -EINVAL;
        return 0;
}

static int filter_conf(const struct dirent *de) {
        size_t n = strlen(de->d_name);
        return de->d_name[0] != '.' && n > 5 && strcmp(de->d_name + n - 5, ".conf") == 0;
}

int policy_load(const char *dir, Policy **ret, char **ret_error) {
        _cleanup_(policy_freep) Policy *p = calloc(1, sizeof(Policy));
        _cleanup_free_ char *path = NULL, *text = NULL, *langdir = NULL;
        struct dirent **entries = NULL;
        int r, n;

        if (!p)
                return -ENOMEM;
        p->n_ref = 1;
        if (asprintf_safe(&path, "%s/limits.conf", dir) < 0 || asprintf_safe(&langdir, "%s/languages", dir) < 0)
                return -ENOMEM;
        r = load_text(path, &text, ret_error);
        if (r < 0)
                return r;
        r = policy_parse_limits(p, text, path, ret_error);
        if (r < 0)
                return r;

        n = scandir(langdir, &entries, filter_conf, alphasort);
        if (n < 0)
                return asprintf_safe(ret_error, "%s: cannot list: %m", langdir) < 0 ? -ENOMEM : negative_errno();
        p->languages = calloc(n > 0 ? (size_t) n : 1, sizeof(Language));
        r = p->languages ? 0 : -ENOMEM;
        for (int i = 0; i < n; i++) {
                _cleanup_free_ char *lpath = NULL, *ltext = NULL;
                if (r >= 0 && asprintf_safe(&lpath, "%s/%s", langdir, entries[i]->d_name) < 0)
                        r = -ENOMEM;
                if (r >= 0)
                        r = load_text(lpath, &ltext, ret_error);
                if (r >= 0)
                        r = policy_parse_language(&p->languages[p->n_languages], ltext, lpath, ret_error);
                if (r >= 0) {
                        r = policy_resolve_root(&p->languages[p->n_languages], lpath, ret_error);
                        if (r < 0)
                                language_done(&p->languages[p->n_languages]);
                }
                if (r >= 0 && policy_find_language(p, p->languages[p->n_languages].name)) {
                        r = asprintf_safe(ret_error, "%s: language '%s' is defined twice", lpath,
                                          p->languages[p->n_languages].name) < 0 ? -ENOMEM : -EEXIST;
                        language_done(&p->languages[p->n_languages]);
                } else if (r >= 0)
                        p->n_languages++;
                free(entries[i]);
        }
        free(entries);
        if (r < 0)
                return r;
        if (p->n_languages == 0)
                return asprintf_safe(ret_error, "%s: no languages defined", langdir) < 0 ? -ENOMEM : -ENOENT;
        r = load_seccomp(p, dir, ret_error);
        if (r < 0)
                return r;

        *ret = TAKE_PTR(p);
        return 0;
}
