/* SPDX-License-Identifier: MIT */
#include "policy.h"
#include "test-helpers.h"

/* A limits.conf that sets everything (test_limits); line 1 is "[run]". */
#define LIMITS_RUN                                                                                 \
        "[run]\n"                                                                                  \
        "time_ms = 1000\n"                                                                         \
        "wall_time_ms = 2000\n"                                                                    \
        "memory_bytes = 256M\n"                                                                    \
        "processes = 8\n"                                                                          \
        "open_files = 64\n"                                                                        \
        "file_size_bytes = 1M\n"                                                                   \
        "tmp_bytes = 2M\n"                                                                         \
        "output_bytes = 64K\n"                                                                     \
        "cpu_percent = 50\n"                                                                       \
        "syscalls = @system-service @pkey\n"
#define LIMITS_JOB                                                                                 \
        "[job]\n"                                                                                  \
        "max_code_bytes = 1K\n"                                                                    \
        "max_input_bytes = 2K\n"                                                                   \
        "max_test_cases = 3\n"                                                                     \
        "parallel_runs = 2\n"                                                                      \
        "result_case_bytes = 1K\n"                                                                 \
        "result_bytes = 4K\n"
#define LIMITS_DAEMON                                                                              \
        "[daemon]\n"                                                                               \
        "max_jobs = 2\n"                                                                           \
        "max_queued_jobs = 10\n"                                                                   \
        "max_queued_bytes = 1M\n"                                                                  \
        "max_connections = 8\n"                                                                    \
        "request_timeout_ms = 500\n"                                                               \
        "max_reading_bytes = 2M\n"
#define LIMITS_GOOD LIMITS_RUN LIMITS_JOB LIMITS_DAEMON


static const struct {
        const char *name;
        const char *text;
        const char *error;      /* NULL: parses, giving test_limits unless time_ms says otherwise */
        uint64_t time_ms;
} limits_cases[] = {
        { "complete", LIMITS_GOOD, NULL, 1000 },
        { "daemon and job first", LIMITS_DAEMON LIMITS_JOB LIMITS_RUN, NULL, 1000 },
        { "comments, blanks, CRLF",
          "# heading\n\n   [run]   # the runs\r\n" LIMITS_RUN "  time_ms=1000#no space\r\n\n" LIMITS_JOB
          "\n" LIMITS_DAEMON "# end",
          NULL, 1000 },
        { "lower-case suffixes and spacing", LIMITS_GOOD "[run]\n\ttime_ms\t=\t1k\n", NULL, 1024 },
        { "the last of a repeated key wins", LIMITS_GOOD "[run]\ntime_ms = 7\n", NULL, 7 },
        { "unknown key in [run]", "[run]\n\nx = 1\n", "limits.conf:3: unknown key 'x' in [run]", 0 },
        { "unknown key in [job]", LIMITS_RUN "[job]\nmax_code = 1\n",
          "limits.conf:13: unknown key 'max_code' in [job]", 0 },
        { "a [job] key in [run]", "[run]\nmax_test_cases = 3\n",
          "limits.conf:2: unknown key 'max_test_cases' in [run]", 0 },
        { "a [run] key in [job]", "[job]\ntime_ms = 3\n", "limits.conf:2: unknown key 'time_ms' in [job]", 0 },
        { "unknown key in [daemon]", LIMITS_DAEMON "max_workers = 2\n",
          "limits.conf:8: unknown key 'max_workers' in [daemon]", 0 },
        { "a [job] key in [daemon]", "[daemon]\nparallel_runs = 2\n",
          "limits.conf:2: unknown key 'parallel_runs' in [daemon]", 0 },
        { "a [daemon] key in [job]", "[job]\nmax_jobs = 2\n", "limits.conf:2: unknown key 'max_jobs' in [job]", 0 },
        { "unknown section", LIMITS_GOOD "[limits]\ntime_ms = 1\n", "limits.conf:26: unknown section [limits]", 0 },
        { "key before any section", "time_ms = 1\n" LIMITS_GOOD, "limits.conf:1: unknown section []", 0 },
        { "empty section name", "[]\ntime_ms = 1\n", "limits.conf:1: unknown section []", 0 },
        { "unknown section with no key", LIMITS_GOOD "[limits]\n", "limits.conf:26: unknown section [limits]", 0 },
        { "section lacks ']'", "[run\ntime_ms = 1\n", "limits.conf:1: section header lacks ']'", 0 },
        { "a lone '['", "\n[\n", "limits.conf:2: section header lacks ']'", 0 },
        { "no '='", "[run]\ntime_ms 1000\n", "limits.conf:2: expected 'key = value', got 'time_ms 1000'", 0 },
        { "zero", "[run]\ntime_ms = 0\n", "limits.conf:2: time_ms: '0' is not a positive number", 0 },
        { "negative", "[run]\ncpu_percent = -5\n", "limits.conf:2: cpu_percent: '-5' is not a positive number", 0 },
        { "empty value", "[run]\ntmp_bytes =\n", "limits.conf:2: tmp_bytes: '' is not a positive number", 0 },
        { "words", "[run]\nprocesses = many\n", "limits.conf:2: processes: 'many' is not a positive number", 0 },
        { "fraction", "[run]\nmemory_bytes = 1.5G\n",
          "limits.conf:2: memory_bytes: '1.5G' is not a positive number", 0 },
        { "overflow", "[run]\nmemory_bytes = 99999999999999999999\n",
          "limits.conf:2: memory_bytes: '99999999999999999999' is not a positive number", 0 },
        { "overflow by suffix", "[run]\nmemory_bytes = 17179869184G\n",
          "limits.conf:2: memory_bytes: '17179869184G' is not a positive number", 0 },
        { "zero cap", "[job]\nmax_code_bytes = 0\n", "limits.conf:2: max_code_bytes: '0' is not a positive number", 0 },
        { "warm_units too many", "[daemon]\nwarm_units = 65\n",
          "limits.conf:2: warm_units: '65' is not a number from 0 to 64", 0 },
        { "warm_units not a number", "[daemon]\nwarm_units = some\n",
          "limits.conf:2: warm_units: 'some' is not a number from 0 to 64", 0 },
        { "warm_units in [job]", "[job]\nwarm_units = 1\n", "limits.conf:2: unknown key 'warm_units' in [job]", 0 },
        { "zero in [daemon]", "[daemon]\nmax_jobs = 0\n", "limits.conf:2: max_jobs: '0' is not a positive number", 0 },
        { "empty text", "", "limits.conf: [run] time_ms is missing", 0 },
        { "[run] key missing", "[run]\ntime_ms = 1\n", "limits.conf: [run] wall_time_ms is missing", 0 },
        { "[job] missing", LIMITS_RUN, "limits.conf: [job] max_code_bytes is missing", 0 },
        { "[job] key missing", LIMITS_RUN "[job]\nmax_code_bytes = 1\nmax_input_bytes = 1\nparallel_runs = 1\n",
          "limits.conf: [job] max_test_cases is missing", 0 },
        { "[daemon] missing", LIMITS_RUN LIMITS_JOB, "limits.conf: [daemon] max_jobs is missing", 0 },
        { "[daemon] key missing", LIMITS_RUN LIMITS_JOB "[daemon]\nmax_jobs = 1\nmax_queued_jobs = 1\n",
          "limits.conf: [daemon] max_queued_bytes is missing", 0 },
        { "syscalls missing", LIMITS_GOOD "[run]\nsyscalls =\n", "limits.conf: [run] syscalls is missing", 0 },
};

static void test_parse_limits(size_t i) {
        _cleanup_(policy_freep) Policy *p = calloc(1, sizeof(Policy));
        _cleanup_free_ char *error = NULL;

        test_case_begin("policy_parse_limits: %s", limits_cases[i].name);
        ASSERT_NOT_NULL(p);
        int r = policy_parse_limits(p, limits_cases[i].text, "limits.conf", &error);
        if (limits_cases[i].error) {
                ASSERT_ERRNO_EQ(r, -EINVAL);
                ASSERT_STR_EQ(error, limits_cases[i].error);
                return;
        }
        ASSERT_OK(r);
        ASSERT_STR_EQ(error, NULL);
        Limits want = test_limits;
        want.time_ms = limits_cases[i].time_ms;
        for (size_t f = 0; f < n_limit_fields; f++) {
                test_case_begin("policy_parse_limits: %s: %s", limits_cases[i].name, limit_fields[f].name);
                ASSERT_U64_EQ(*limits_field(&p->limits, &limit_fields[f]),
                              *limits_field(&want, &limit_fields[f]));
        }
        ASSERT_U64_EQ(p->caps.max_code_bytes, 1024);
        ASSERT_U64_EQ(p->caps.max_input_bytes, 2048);
        ASSERT_U64_EQ(p->caps.max_test_cases, 3);
        ASSERT_U64_EQ(p->caps.parallel_runs, 2);
        ASSERT_U64_EQ(p->daemon.max_jobs, 2);
        ASSERT_U64_EQ(p->daemon.max_queued_jobs, 10);
        ASSERT_U64_EQ(p->daemon.warm_units, 0);   /* optional */
        ASSERT_U64_EQ(p->daemon.max_queued_bytes, 1 << 20);
        ASSERT_U64_EQ(strv_length(p->syscalls), 2);
        ASSERT_STR_EQ(p->syscalls[0], "@system-service");
        ASSERT_STR_EQ(p->syscalls[1], "@pkey");
}

static const struct {
        const char *name;
        const char *text;
        const char *error;
        const char *arguments;  /* joined by '|' */
        const char *syscalls;
} language_cases[] = {
        { "minimal", "[language]\nname = py\ninterpreter = /usr/bin/python3\nsource_file = main.py\n", NULL,
          "{file}", "" },
        { "complete, with comments",
          "# Python\n[language]\nname = py   # short\ninterpreter = /usr/bin/python3\n"
          "arguments = -I  -B\t{file}\nsource_file = main.py\nsyscalls = @pkey @foo\n",
          NULL, "-I|-B|{file}", "@pkey|@foo" },
        { "empty arguments stay empty",
          "[language]\nname = py\ninterpreter = /usr/bin/python3\nsource_file = main.py\narguments =\n", NULL, "", "" },
        { "the last of a repeated key wins",
          "[language]\nname = a\nname = py\ninterpreter = /x\ninterpreter = /usr/bin/python3\n"
          "arguments = a\narguments = {file}\nsource_file = x.py\nsource_file = main.py\n",
          NULL, "{file}", "" },
        { "known placeholders", "[language]\nname = py\ninterpreter = /usr/bin/python3\nsource_file = main.py\n"
          "arguments = --mem={memory_mb}M {file}{file}\n", NULL, "--mem={memory_mb}M|{file}{file}", "" },
        { "unknown placeholder", "[language]\narguments = -I {source}\n",
          "py.conf:2: unknown placeholder in argument '{source}' (known: {file}, {memory_mb})", NULL, NULL },
        { "unclosed placeholder", "[language]\narguments = {file\n",
          "py.conf:2: unknown placeholder in argument '{file' (known: {file}, {memory_mb})", NULL, NULL },
        { "relative interpreter", "[language]\nname = py\ninterpreter = python3\n",
          "py.conf:3: interpreter must be an absolute path, got 'python3'", NULL, NULL },
        { "empty interpreter", "[language]\ninterpreter =\n",
          "py.conf:2: interpreter must be an absolute path, got ''", NULL, NULL },
        { "source_file with '/'", "[language]\nsource_file = src/main.py\n",
          "py.conf:2: source_file must be a plain file name, got 'src/main.py'", NULL, NULL },
        { "source_file '..'", "[language]\nsource_file = ..\n",
          "py.conf:2: source_file must be a plain file name, got '..'", NULL, NULL },
        { "hidden source_file", "[language]\nsource_file = .main.py\n",
          "py.conf:2: source_file must be a plain file name, got '.main.py'", NULL, NULL },
        { "empty source_file", "[language]\n\nsource_file =\n",
          "py.conf:3: source_file must be a plain file name, got ''", NULL, NULL },
        { "unknown key", "[language]\nname = py\nversion = 3\n", "py.conf:3: unknown key 'version'", NULL, NULL },
        { "unknown section", "[run]\nname = py\n", "py.conf:1: unknown section [run]", NULL, NULL },
        { "key before any section", "name = py\n", "py.conf:1: unknown section []", NULL, NULL },
        { "no '='", "[language]\nname\n", "py.conf:2: expected 'key = value', got 'name'", NULL, NULL },
        { "section lacks ']'", "[language\n", "py.conf:1: section header lacks ']'", NULL, NULL },
        { "empty text", "", "py.conf: [language] name is missing", NULL, NULL },
        { "name missing", "[language]\ninterpreter = /x\nsource_file = m\n", "py.conf: [language] name is missing",
          NULL, NULL },
        { "interpreter missing", "[language]\nname = py\nsource_file = m\n",
          "py.conf: [language] interpreter is missing", NULL, NULL },
        { "source_file missing", "[language]\nname = py\ninterpreter = /x\nsyscalls = @a\n",
          "py.conf: [language] source_file is missing", NULL, NULL },
};

/* @l joined by '|', to compare a list with one string. */
static char *strv_join(char **l) {
        _cleanup_(buffer_done) Buffer b = {};

        for (size_t i = 0; l && l[i]; i++)
                if (buffer_printf(&b, "%s%s", i ? "|" : "", l[i]) < 0)
                        return NULL;
        if (buffer_terminate(&b) < 0)
                return NULL;
        return TAKE_PTR(b.data);
}

static void test_parse_language(size_t i) {
        _cleanup_(language_done) Language l = {};
        _cleanup_free_ char *error = NULL, *arguments = NULL, *syscalls = NULL;

        test_case_begin("policy_parse_language: %s", language_cases[i].name);
        int r = policy_parse_language(&l, language_cases[i].text, "py.conf", &error);
        if (language_cases[i].error) {
                ASSERT_ERRNO_EQ(r, -EINVAL);
                ASSERT_STR_EQ(error, language_cases[i].error);
                /* *ret is untouched on failure */
                ASSERT_TRUE(!l.name && !l.interpreter && !l.source_file && !l.arguments && !l.syscalls);
                return;
        }
        ASSERT_OK(r);
        ASSERT_STR_EQ(error, NULL);
        ASSERT_STR_EQ(l.name, "py");
        ASSERT_STR_EQ(l.interpreter, "/usr/bin/python3");
        ASSERT_STR_EQ(l.source_file, "main.py");
        /* Never NULL: unit.c walks both lists. */
        ASSERT_NOT_NULL(l.arguments);
        ASSERT_NOT_NULL(l.syscalls);
        arguments = strv_join(l.arguments);
        syscalls = strv_join(l.syscalls);
        ASSERT_STR_EQ(arguments, language_cases[i].arguments);
        ASSERT_STR_EQ(syscalls, language_cases[i].syscalls);
}

/* The policy/ of the source tree: what kwctl runs with. Update with policy/limits.conf. */
static void test_load_real(void) {
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_free_ char *error = NULL, *args = NULL;
        const Language *l;

        ASSERT_OK(policy_load(KW_TEST_POLICY_DIR, &p, &error));
        ASSERT_STR_EQ(error, NULL);
        ASSERT_U64_EQ(p->limits.time_ms, 30000);
        ASSERT_U64_EQ(p->limits.wall_time_ms, 60000);
        ASSERT_U64_EQ(p->limits.memory_bytes, 512ULL << 20);
        ASSERT_U64_EQ(p->limits.processes, 64);
        ASSERT_U64_EQ(p->limits.open_files, 1024);
        ASSERT_U64_EQ(p->limits.file_size_bytes, 16ULL << 20);
        ASSERT_U64_EQ(p->limits.tmp_bytes, 64ULL << 20);
        ASSERT_U64_EQ(p->limits.output_bytes, 1ULL << 20);
        ASSERT_U64_EQ(p->limits.cpu_percent, 100);
        ASSERT_U64_EQ(p->caps.max_code_bytes, 64 << 10);
        ASSERT_U64_EQ(p->caps.max_input_bytes, 1 << 20);
        ASSERT_U64_EQ(p->caps.max_test_cases, 64);
        ASSERT_U64_EQ(p->caps.parallel_runs, 4);
        ASSERT_U64_EQ(p->caps.result_case_bytes, 2 << 20);
        ASSERT_U64_EQ(p->caps.result_bytes, 16 << 20);
        ASSERT_U64_EQ(p->daemon.max_connections, 2048);
        ASSERT_U64_EQ(p->daemon.request_timeout_ms, 10000);
        ASSERT_U64_EQ(p->daemon.max_reading_bytes, 128ULL << 20);
        ASSERT_U64_EQ(p->daemon.max_jobs, 4);
        ASSERT_U64_EQ(p->daemon.max_queued_jobs, 1000);
        ASSERT_U64_EQ(p->daemon.warm_units, 4);
        ASSERT_U64_EQ(p->daemon.max_queued_bytes, 256ULL << 20);
        ASSERT_U64_EQ(p->n_ref, 1);
        /* The coarse layer is a deny-list of groups; "@privileged" among them. */
        ASSERT_U64_EQ(strv_length(p->syscalls), 11);
        ASSERT_STR_EQ(p->syscalls[0], "~@clock");
        ASSERT_STR_EQ(p->syscalls[6], "@privileged");

        /* Sorted by file name. */
        ASSERT_U64_EQ(p->n_languages, 2);
        ASSERT_STR_EQ(p->languages[0].name, "javascript");
        ASSERT_STR_EQ(p->languages[1].name, "python");

        l = policy_find_language(p, "python");
        ASSERT_TRUE(l == &p->languages[1]);
        ASSERT_STR_EQ(l->interpreter, "/usr/bin/python3");
        ASSERT_STR_EQ(l->source_file, "main.py");
        args = strv_join(l->arguments);
        ASSERT_STR_EQ(args, "-I|-B|{file}");
        ASSERT_U64_EQ(strv_length(l->syscalls), 0);

        l = policy_find_language(p, "javascript");
        ASSERT_NOT_NULL(l);
        ASSERT_STR_EQ(l->interpreter, "/usr/bin/node");
        free(args);
        args = strv_join(l->arguments);
        ASSERT_STR_EQ(args, "--max-old-space-size={memory_mb}|{file}");
        ASSERT_STR_EQ(l->source_file, "main.js");
        ASSERT_U64_EQ(strv_length(l->syscalls), 1);
        ASSERT_STR_EQ(l->syscalls[0], "@pkey");

        ASSERT_TRUE(policy_find_language(p, "ruby") == NULL);
        ASSERT_TRUE(policy_find_language(p, "Python") == NULL);
        ASSERT_TRUE(policy_find_language(p, "") == NULL);
}

#define LANG_PY "[language]\nname = python\ninterpreter = /usr/bin/python3\nsource_file = main.py\n"
#define LANG_JS "[language]\nname = javascript\ninterpreter = /usr/bin/node\nsource_file = main.js\n"

/* A file of a policy directory; size 0 means strlen(text). */
#define PF(path, text) { path, text, 0 }
#define SECCOMP_GOOD "[all]\nallow read write exit_group\n[python]\n[javascript]\nallow pkey_alloc\n"
#define PF_NUL(path, text) { path, text "\0", sizeof(text) }   /* ends in a NUL byte */
typedef struct PolicyFile {
        const char *path;
        const char *text;
        size_t size;
} PolicyFile;

static const struct {
        const char *name;
        PolicyFile files[5];
        int result;
        const char *error;      /* after "DIR/" */
        size_t n_languages;
} load_cases[] = {
        { "good", { PF("limits.conf", LIMITS_GOOD), PF("languages/python.conf", LANG_PY),
                    PF("languages/javascript.conf", LANG_JS), PF("seccomp.conf", SECCOMP_GOOD) }, 0, NULL, 2 },
        { "only *.conf files, no hidden ones",
          { PF("limits.conf", LIMITS_GOOD), PF("languages/python.conf", LANG_PY),
            PF("languages/README", "not a language"), PF("languages/.js.conf", "broken"),
            PF("seccomp.conf", "[all]\nallow read\n") }, 0, NULL, 1 },
        { "missing seccomp.conf", { PF("limits.conf", LIMITS_GOOD), PF("languages/python.conf", LANG_PY) }, -ENOENT,
          "seccomp.conf: cannot read: No such file or directory", 0 },
        { "seccomp.conf names no language", { PF("limits.conf", LIMITS_GOOD), PF("languages/python.conf", LANG_PY),
                                               PF("seccomp.conf", SECCOMP_GOOD) }, -EINVAL,
          "seccomp.conf: [javascript] is not a language", 0 },
        { "seccomp.conf with an unknown system call",
          { PF("limits.conf", LIMITS_GOOD), PF("languages/python.conf", LANG_PY),
            PF("seccomp.conf", "[all]\nallow read\nallow frobnicate\n") }, -EINVAL,
          "seccomp.conf:3: unknown system call 'frobnicate'", 0 },
        { "missing limits.conf", { PF("languages/python.conf", LANG_PY) }, -ENOENT,
          "limits.conf: cannot read: No such file or directory", 0 },
        { "limits.conf is a directory", { PF("limits.conf/x", ""), PF("languages/python.conf", LANG_PY) }, -EISDIR,
          "limits.conf: cannot read: Is a directory", 0 },
        { "broken limits.conf", { PF("limits.conf", LIMITS_GOOD "[run]\nbogus = 1\n") }, -EINVAL,
          "limits.conf:27: unknown key 'bogus' in [run]", 0 },
        { "NUL byte in limits.conf", { PF_NUL("limits.conf", LIMITS_GOOD) }, -EINVAL,
          "limits.conf: contains a NUL byte", 0 },
        { "no languages directory", { PF("limits.conf", LIMITS_GOOD) }, -ENOENT,
          "languages: cannot list: No such file or directory", 0 },
        { "no languages", { PF("limits.conf", LIMITS_GOOD), PF("languages/README", "") }, -ENOENT,
          "languages: no languages defined", 0 },
        { "duplicate language", { PF("limits.conf", LIMITS_GOOD), PF("languages/python.conf", LANG_PY),
                                  PF("languages/python3.conf", LANG_PY) }, -EEXIST,
          "languages/python3.conf: language 'python' is defined twice", 0 },
        { "broken language", { PF("limits.conf", LIMITS_GOOD), PF("languages/python.conf", LANG_PY),
                               PF("languages/ruby.conf", "[language]\nname = ruby\ninterpreter = ruby\n") },
          -EINVAL, "languages/ruby.conf:3: interpreter must be an absolute path, got 'ruby'", 0 },
        { "broken language after a duplicate",
          { PF("limits.conf", LIMITS_GOOD), PF("languages/a.conf", LANG_PY), PF("languages/b.conf", LANG_PY),
            PF("languages/c.conf", "[language]\n") }, -EEXIST,
          "languages/b.conf: language 'python' is defined twice", 0 },
        { "NUL byte in a language", { PF("limits.conf", LIMITS_GOOD),
                                       PF_NUL("languages/python.conf", LANG_PY) },
          -EINVAL, "languages/python.conf: contains a NUL byte", 0 },
};

static void test_load(size_t i) {
        _cleanup_rm_rf_ char *dir = test_tmpdir();
        _cleanup_free_ char *error = NULL, *want = NULL;
        _cleanup_(policy_freep) Policy *p = NULL;

        test_case_begin("policy_load: %s", load_cases[i].name);
        for (size_t f = 0; f < ELEMENTSOF(load_cases[i].files) && load_cases[i].files[f].path; f++) {
                const PolicyFile *pf = &load_cases[i].files[f];
                ASSERT_OK(test_write_file(dir, pf->path, pf->text, pf->size ? pf->size : strlen(pf->text)));
        }
        int r = policy_load(dir, &p, &error);
        ASSERT_ERRNO_EQ(r, load_cases[i].result);
        if (r < 0) {
                ASSERT_TRUE(p == NULL);
                ASSERT_TRUE(asprintf_safe(&want, "%s/%s", dir, load_cases[i].error) >= 0);
                ASSERT_STR_EQ(error, want);
                return;
        }
        ASSERT_STR_EQ(error, NULL);
        ASSERT_U64_EQ(p->n_languages, load_cases[i].n_languages);
        ASSERT_U64_EQ(p->limits.time_ms, 1000);
        ASSERT_NOT_NULL(policy_find_language(p, "python"));
}

static const struct {
        const char *arg;
        const char *expanded;   /* NULL: -EINVAL */
} expand_cases[] = {
        { "", "" },
        { "-I", "-I" },
        { "{file}", "/run/kw/job/main.py" },
        { "--max-old-space-size={memory_mb}", "--max-old-space-size=256" },
        { "{file}:{memory_mb}:{file}", "/run/kw/job/main.py:256:/run/kw/job/main.py" },
        { "}{", NULL },
        { "}", "}" },
        { "{", NULL },
        { "{file", NULL },
        { "{File}", NULL },
        { "{memory}", NULL },
        { "{{file}}", NULL },
        { "a{file}b{x}", NULL },
};

static void test_expand_argument(size_t i) {
        _cleanup_free_ char *s = NULL;

        test_case_begin("policy_expand_argument(\"%s\")", expand_cases[i].arg);
        int r = policy_expand_argument(expand_cases[i].arg, "/run/kw/job/main.py", "256", &s);
        if (!expand_cases[i].expanded) {
                ASSERT_ERRNO_EQ(r, -EINVAL);
                ASSERT_TRUE(s == NULL);
                return;
        }
        ASSERT_OK(r);
        ASSERT_STR_EQ(s, expand_cases[i].expanded);
}

/* kwd's sharing: the last unref frees (valgrind and ASan see a leak or a double free). */
static void test_ref(void) {
        _cleanup_(policy_unrefp) Policy *p = NULL;     /* the last reference */
        _cleanup_free_ char *error = NULL;

        ASSERT_TRUE(policy_ref(NULL) == NULL);
        ASSERT_TRUE(policy_unref(NULL) == NULL);
        ASSERT_OK(policy_load(KW_TEST_POLICY_DIR, &p, &error));
        ASSERT_U64_EQ(p->n_ref, 1);
        ASSERT_TRUE(policy_ref(p) == p);
        ASSERT_U64_EQ(p->n_ref, 2);
        ASSERT_TRUE(policy_unref(p) == NULL);
        ASSERT_U64_EQ(p->n_ref, 1);
}

int main(void) {
        TEST_TABLE(test_parse_limits, limits_cases);
        TEST_TABLE(test_parse_language, language_cases);
        TEST_TABLE(test_expand_argument, expand_cases);
        TEST_RUN(test_load_real);
        TEST_RUN(test_ref);
        TEST_TABLE(test_load, load_cases);
        return test_summary();
}
