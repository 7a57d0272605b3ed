/* SPDX-License-Identifier: MIT */
#include <dirent.h>
#include <unistd.h>

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
#define LIMITS_DAEMON_BASE                                                                         \
        "[daemon]\n"                                                                               \
        "max_jobs = 2\n"                                                                           \
        "max_queued_jobs = 10\n"                                                                   \
        "max_queued_bytes = 1M\n"                                                                  \
        "max_connections = 8\n"                                                                    \
        "request_timeout_ms = 500\n"                                                               \
        "max_reading_bytes = 2M\n"
#define LIMITS_DAEMON LIMITS_DAEMON_BASE "cell_runs = 100\n" "cell_max_age_ms = 60000\n"
#define LIMITS_GOOD LIMITS_RUN LIMITS_JOB LIMITS_DAEMON


static const struct {
        const char *name;
        const char *text;
        const char *error;      /* NULL: parses, giving test_limits unless time_ms says otherwise */
        uint64_t time_ms;
        uint64_t cells;         /* optional: 0 unless set */
} limits_cases[] = {
        { "complete", LIMITS_GOOD, NULL, 1000, 0 },
        { "daemon and job first", LIMITS_DAEMON LIMITS_JOB LIMITS_RUN, NULL, 1000, 0 },
        { "comments, blanks, CRLF",
          "# heading\n\n   [run]   # the runs\r\n" LIMITS_RUN "  time_ms=1000#no space\r\n\n" LIMITS_JOB
          "\n" LIMITS_DAEMON "# end",
          NULL, 1000, 0 },
        { "lower-case suffixes and spacing", LIMITS_GOOD "[run]\n\ttime_ms\t=\t1k\n", NULL, 1024, 0 },
        { "the last of a repeated key wins", LIMITS_GOOD "[run]\ntime_ms = 7\n", NULL, 7, 0 },
        { "cells", LIMITS_GOOD "[daemon]\ncells = 8\n", NULL, 1000, 8 },
        { "cells 0, said", LIMITS_GOOD "[daemon]\ncells = 0\n", NULL, 1000, 0 },
        { "cells at most", LIMITS_GOOD "[daemon]\ncells = 256\n", NULL, 1000, 256 },
        { "cells, the last wins", "[daemon]\ncells = 3\n" LIMITS_GOOD "[daemon]\ncells = 2\n", NULL, 1000, 2 },
        { "unknown key in [run]", "[run]\n\nx = 1\n", "limits.conf:3: unknown key 'x' in [run]", 0, 0 },
        { "unknown key in [job]", LIMITS_RUN "[job]\nmax_code = 1\n",
          "limits.conf:13: unknown key 'max_code' in [job]", 0, 0 },
        { "a [job] key in [run]", "[run]\nmax_test_cases = 3\n",
          "limits.conf:2: unknown key 'max_test_cases' in [run]", 0, 0 },
        { "a [run] key in [job]", "[job]\ntime_ms = 3\n", "limits.conf:2: unknown key 'time_ms' in [job]", 0, 0 },
        { "unknown key in [daemon]", LIMITS_DAEMON "max_workers = 2\n",
          "limits.conf:10: unknown key 'max_workers' in [daemon]", 0, 0 },
        { "a [job] key in [daemon]", "[daemon]\nparallel_runs = 2\n",
          "limits.conf:2: unknown key 'parallel_runs' in [daemon]", 0, 0 },
        { "a [daemon] key in [job]", "[job]\nmax_jobs = 2\n", "limits.conf:2: unknown key 'max_jobs' in [job]", 0, 0 },
        { "unknown section", LIMITS_GOOD "[limits]\ntime_ms = 1\n", "limits.conf:28: unknown section [limits]", 0, 0 },
        { "key before any section", "time_ms = 1\n" LIMITS_GOOD, "limits.conf:1: unknown section []", 0, 0 },
        { "empty section name", "[]\ntime_ms = 1\n", "limits.conf:1: unknown section []", 0, 0 },
        { "unknown section with no key", LIMITS_GOOD "[limits]\n", "limits.conf:28: unknown section [limits]", 0, 0 },
        { "section lacks ']'", "[run\ntime_ms = 1\n", "limits.conf:1: section header lacks ']'", 0, 0 },
        { "a lone '['", "\n[\n", "limits.conf:2: section header lacks ']'", 0, 0 },
        { "no '='", "[run]\ntime_ms 1000\n", "limits.conf:2: expected 'key = value', got 'time_ms 1000'", 0, 0 },
        { "zero", "[run]\ntime_ms = 0\n", "limits.conf:2: time_ms: '0' is not a positive number", 0, 0 },
        { "negative", "[run]\ncpu_percent = -5\n", "limits.conf:2: cpu_percent: '-5' is not a positive number", 0, 0 },
        { "empty value", "[run]\ntmp_bytes =\n", "limits.conf:2: tmp_bytes: '' is not a positive number", 0, 0 },
        { "words", "[run]\nprocesses = many\n", "limits.conf:2: processes: 'many' is not a positive number", 0, 0 },
        { "fraction", "[run]\nmemory_bytes = 1.5G\n",
          "limits.conf:2: memory_bytes: '1.5G' is not a positive number", 0, 0 },
        { "overflow", "[run]\nmemory_bytes = 99999999999999999999\n",
          "limits.conf:2: memory_bytes: '99999999999999999999' is not a positive number", 0, 0 },
        { "overflow by suffix", "[run]\nmemory_bytes = 17179869184G\n",
          "limits.conf:2: memory_bytes: '17179869184G' is not a positive number", 0, 0 },
        { "zero cap", "[job]\nmax_code_bytes = 0\n",
          "limits.conf:2: max_code_bytes: '0' is not a positive number", 0, 0 },
        { "cells too many", "[daemon]\ncells = 257\n",
          "limits.conf:2: cells: '257' is not a number from 0 to 256", 0, 0 },
        { "cells too many by suffix", "[daemon]\ncells = 1K\n",
          "limits.conf:2: cells: '1K' is not a number from 0 to 256", 0, 0 },
        { "cells not a number", "[daemon]\ncells = some\n",
          "limits.conf:2: cells: 'some' is not a number from 0 to 256", 0, 0 },
        { "cells negative", "[daemon]\ncells = -1\n",
          "limits.conf:2: cells: '-1' is not a number from 0 to 256", 0, 0 },
        { "cells empty", "[daemon]\ncells =\n", "limits.conf:2: cells: '' is not a number from 0 to 256", 0, 0 },
        { "cells in [job]", "[job]\ncells = 1\n", "limits.conf:2: unknown key 'cells' in [job]", 0, 0 },
        { "cells in [run]", "[run]\ncells = 1\n", "limits.conf:2: unknown key 'cells' in [run]", 0, 0 },
        { "warm_units is gone", "[daemon]\nwarm_units = 4\n",
          "limits.conf:2: unknown key 'warm_units' in [daemon]", 0, 0 },
        { "cell_runs zero", "[daemon]\ncell_runs = 0\n",
          "limits.conf:2: cell_runs: '0' is not a positive number", 0, 0 },
        { "cell_max_age_ms not a number", "[daemon]\ncell_max_age_ms = 1h\n",
          "limits.conf:2: cell_max_age_ms: '1h' is not a positive number", 0, 0 },
        { "cell_runs in [job]", "[job]\ncell_runs = 1\n", "limits.conf:2: unknown key 'cell_runs' in [job]", 0, 0 },
        { "zero in [daemon]", "[daemon]\nmax_jobs = 0\n",
          "limits.conf:2: max_jobs: '0' is not a positive number", 0, 0 },
        { "empty text", "", "limits.conf: [run] time_ms is missing", 0, 0 },
        { "[run] key missing", "[run]\ntime_ms = 1\n", "limits.conf: [run] wall_time_ms is missing", 0, 0 },
        { "[job] missing", LIMITS_RUN, "limits.conf: [job] max_code_bytes is missing", 0, 0 },
        { "[job] key missing", LIMITS_RUN "[job]\nmax_code_bytes = 1\nmax_input_bytes = 1\nparallel_runs = 1\n",
          "limits.conf: [job] max_test_cases is missing", 0, 0 },
        { "[daemon] missing", LIMITS_RUN LIMITS_JOB, "limits.conf: [daemon] max_jobs is missing", 0, 0 },
        { "[daemon] key missing", LIMITS_RUN LIMITS_JOB "[daemon]\nmax_jobs = 1\nmax_queued_jobs = 1\n",
          "limits.conf: [daemon] max_queued_bytes is missing", 0, 0 },
        { "cell_runs missing", LIMITS_RUN LIMITS_JOB LIMITS_DAEMON_BASE "cell_max_age_ms = 1\ncells = 2\n",
          "limits.conf: [daemon] cell_runs is missing", 0, 0 },
        { "cell_max_age_ms missing", LIMITS_RUN LIMITS_JOB LIMITS_DAEMON_BASE "cell_runs = 1\n",
          "limits.conf: [daemon] cell_max_age_ms is missing", 0, 0 },
        { "cell_max_age_ms below a cell's start", LIMITS_RUN LIMITS_JOB LIMITS_DAEMON_BASE "cell_runs = 1\ncell_max_age_ms = 9999\n",
          "limits.conf: [daemon] cell_max_age_ms must be at least 10000 (a cell takes a while to start), got 9999", 0, 0 },
        { "syscalls missing", LIMITS_GOOD "[run]\nsyscalls =\n", "limits.conf: [run] syscalls is missing", 0, 0 },
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
        test_case_begin("policy_parse_limits: %s", limits_cases[i].name);
        ASSERT_U64_EQ(p->caps.max_code_bytes, 1024);
        ASSERT_U64_EQ(p->caps.max_input_bytes, 2048);
        ASSERT_U64_EQ(p->caps.max_test_cases, 3);
        ASSERT_U64_EQ(p->caps.parallel_runs, 2);
        ASSERT_U64_EQ(p->caps.result_case_bytes, 1024);
        ASSERT_U64_EQ(p->caps.result_bytes, 4096);
        ASSERT_U64_EQ(p->daemon.max_jobs, 2);
        ASSERT_U64_EQ(p->daemon.max_queued_jobs, 10);
        ASSERT_U64_EQ(p->daemon.max_queued_bytes, 1 << 20);
        ASSERT_U64_EQ(p->daemon.max_connections, 8);
        ASSERT_U64_EQ(p->daemon.request_timeout_ms, 500);
        ASSERT_U64_EQ(p->daemon.max_reading_bytes, 2 << 20);
        ASSERT_U64_EQ(p->daemon.cells, limits_cases[i].cells);
        ASSERT_U64_EQ(p->daemon.cell_runs, 100);
        ASSERT_U64_EQ(p->daemon.cell_max_age_ms, 60000);
        ASSERT_U64_EQ(strv_length(p->syscalls), 2);
        ASSERT_STR_EQ(p->syscalls[0], "@system-service");
        ASSERT_STR_EQ(p->syscalls[1], "@pkey");
}

/* The lines every good language below starts with; "root" is its line 5. */
#define PY_HEAD "[language]\nname = py\ninterpreter = /usr/bin/python3\nsource_file = main.py\n"

static const struct {
        const char *name;
        const char *text;
        const char *error;
        const char *arguments;  /* joined by '|' */
        const char *syscalls;
        const char *root;
} language_cases[] = {
        { "minimal", PY_HEAD "root = /usr\n", NULL, "{file}", "", "/usr" },
        { "complete, with comments",
          "# Python\n[language]\nname = py   # short\ninterpreter = /usr/bin/python3\n"
          "arguments = -I  -B\t{file}\nsource_file = main.py\nsyscalls = @pkey @foo\n"
          "root = /usr\t/etc/ld.so.cache  # the host's\n",
          NULL, "-I|-B|{file}", "@pkey|@foo", "/usr|/etc/ld.so.cache" },
        { "empty arguments stay empty", PY_HEAD "arguments =\nroot = /usr\n", NULL, "", "", "/usr" },
        { "the last of a repeated key wins",
          "[language]\nname = a\nname = py\ninterpreter = /x\ninterpreter = /usr/bin/python3\n"
          "arguments = a\narguments = {file}\nsource_file = x.py\nsource_file = main.py\n"
          "root = /x /y\nroot = /usr /lib\n",
          NULL, "{file}", "", "/usr|/lib" },
        { "root before the interpreter", "[language]\nroot = /usr\nname = py\ninterpreter = /usr/bin/python3\n"
          "source_file = main.py\n", NULL, "{file}", "", "/usr" },
        { "known placeholders", PY_HEAD "arguments = --mem={memory_mb}M {file}{file}\nroot = /usr\n", NULL,
          "--mem={memory_mb}M|{file}{file}", "", "/usr" },
        { "quoted arguments", PY_HEAD "arguments = -c \"import sys; print(1)\" {file}\nroot = /usr\n", NULL,
          "-c|import sys; print(1)|{file}", "", "/usr" },
        { "an unclosed quote", PY_HEAD "arguments = -c \"x {file}\nroot = /usr\n",
          "py.conf:5: arguments: a double quote is not closed", NULL, NULL, NULL },
        { "memory_overhead_bytes", PY_HEAD "memory_overhead_bytes = 64M\nroot = /usr\n", NULL, "{file}", "", "/usr" },
        { "unknown placeholder", "[language]\narguments = -I {source}\n",
          "py.conf:2: unknown placeholder in argument '{source}' (known: {file}, {memory_mb})", NULL, NULL, NULL },
        { "unclosed placeholder", "[language]\narguments = {file\n",
          "py.conf:2: unknown placeholder in argument '{file' (known: {file}, {memory_mb})", NULL, NULL, NULL },
        { "relative interpreter", "[language]\nname = py\ninterpreter = python3\n",
          "py.conf:3: interpreter must be an absolute, plain path, got 'python3'", NULL, NULL, NULL },
        { "empty interpreter", "[language]\ninterpreter =\n",
          "py.conf:2: interpreter must be an absolute, plain path, got ''", NULL, NULL, NULL },
        { "source_file with '/'", "[language]\nsource_file = src/main.py\n",
          "py.conf:2: source_file must be a plain file name, got 'src/main.py'", NULL, NULL, NULL },
        { "source_file '..'", "[language]\nsource_file = ..\n",
          "py.conf:2: source_file must be a plain file name, got '..'", NULL, NULL, NULL },
        { "hidden source_file", "[language]\nsource_file = .main.py\n",
          "py.conf:2: source_file must be a plain file name, got '.main.py'", NULL, NULL, NULL },
        { "source_file named as a checker's file", "[language]\nsource_file = answer\n",
          "py.conf:2: source_file must not be 'answer', a checker's file", NULL, NULL, NULL },
        { "product named as a checker's file", "[compile]\nproduct = input\n",
          "py.conf:2: product must not be 'input', a checker's file", NULL, NULL, NULL },
        { "empty source_file", "[language]\n\nsource_file =\n",
          "py.conf:3: source_file must be a plain file name, got ''", NULL, NULL, NULL },
        { "unknown key", "[language]\nname = py\nversion = 3\n", "py.conf:3: unknown key 'version'", NULL, NULL, NULL },
        { "unknown section", "[run]\nname = py\n", "py.conf:1: unknown section [run]", NULL, NULL, NULL },
        { "key before any section", "name = py\n", "py.conf:1: unknown section []", NULL, NULL, NULL },
        { "no '='", "[language]\nname\n", "py.conf:2: expected 'key = value', got 'name'", NULL, NULL, NULL },
        { "section lacks ']'", "[language\n", "py.conf:1: section header lacks ']'", NULL, NULL, NULL },
        { "empty text", "", "py.conf: [language] name is missing", NULL, NULL, NULL },
        { "name missing", "[language]\ninterpreter = /x\nsource_file = m\nroot = /x\n",
          "py.conf: [language] name is missing", NULL, NULL, NULL },
        { "interpreter missing", "[language]\nname = py\nsource_file = m\nroot = /x\n",
          "py.conf: [language] interpreter is missing", NULL, NULL, NULL },
        { "source_file missing", "[language]\nname = py\ninterpreter = /x\nsyscalls = @a\nroot = /x\n",
          "py.conf: [language] source_file is missing", NULL, NULL, NULL },
        { "root missing", PY_HEAD, "py.conf: [language] root is missing", NULL, NULL, NULL },
        { "root empty", PY_HEAD "root =\n", "py.conf: [language] root is missing", NULL, NULL, NULL },
        { "root blank", PY_HEAD "root =  \t \n", "py.conf: [language] root is missing", NULL, NULL, NULL },
        { "root emptied by a repeat", PY_HEAD "root = /usr\nroot =\n", "py.conf: [language] root is missing", NULL,
          NULL, NULL },
        { "a bad root, then a good one", PY_HEAD "root = usr\nroot = /usr\n",
          "py.conf:5: root: 'usr' is not an absolute path below /", NULL, NULL, NULL },
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
        _cleanup_free_ char *error = NULL, *arguments = NULL, *syscalls = NULL, *root = NULL;

        test_case_begin("policy_parse_language: %s", language_cases[i].name);
        int r = policy_parse_language(&l, language_cases[i].text, "py.conf", &error);
        if (language_cases[i].error) {
                ASSERT_ERRNO_EQ(r, -EINVAL);
                ASSERT_STR_EQ(error, language_cases[i].error);
                /* *ret is untouched on failure */
                ASSERT_TRUE(!l.name && !l.interpreter && !l.source_file && !l.arguments && !l.syscalls && !l.root);
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
        root = strv_join(l.root);
        ASSERT_STR_EQ(arguments, language_cases[i].arguments);
        ASSERT_STR_EQ(syscalls, language_cases[i].syscalls);
        ASSERT_STR_EQ(root, language_cases[i].root);
}

/* 31 paths, none the interpreter's. */
#define P31                                                                                        \
        "/p01 /p02 /p03 /p04 /p05 /p06 /p07 /p08 /p09 /p10 /p11 /p12 /p13 /p14 /p15 /p16 /p17 /p18 "   \
        "/p19 /p20 /p21 /p22 /p23 /p24 /p25 /p26 /p27 /p28 /p29 /p30 /p31"
#define NOT_PLAIN "not a plain path"
#define RESERVED "in what the run's root makes of its own, or never has (/proc, /dev, /tmp, /var, /run, /sys)"
#define NOT_BELOW "not an absolute path below /"
#define NOT_INSIDE "py.conf: [language] interpreter /usr/bin/python3 is not inside any path of root"

/* The value of "root" in PY_HEAD's language (interpreter /usr/bin/python3). */
static const struct {
        const char *value;
        const char *error;      /* NULL: accepted; a whole message if it starts with "py.conf", else
                                 * what follows "py.conf:5: root: " */
} root_cases[] = {
        /* Accepted, each path as written. */
        { "/usr", NULL },
        { "/usr/bin", NULL },
        { "/usr/bin/python3", NULL },     /* the interpreter itself */
        { "/lib /usr /etc/ld.so.cache", NULL },
        { "/usr /usrlocal /usr.old", NULL },      /* beside /usr, not inside it */
        { "/usr /opt/a.b /opt/... /opt/..x /opt/.x /opt/x. /opt/x..", NULL },
        { "/usr /procx /device /tmpfs /various /runner /proc.d", NULL },  /* beside reserved ones */
        { "/usr " P31, NULL },                    /* 32 */
        /* Not absolute, or /. */
        { "usr", "'usr' is " NOT_BELOW },
        { "/usr ./lib", "'./lib' is " NOT_BELOW },
        { "/", "'/' is " NOT_BELOW },
        { "/usr ~/lib", "'~/lib' is " NOT_BELOW },
        /* Not plain. */
        { "//usr", "'//usr' is " NOT_PLAIN },
        { "/usr//bin", "'/usr//bin' is " NOT_PLAIN },
        { "/usr/./bin", "'/usr/./bin' is " NOT_PLAIN },
        { "/usr/../usr", "'/usr/../usr' is " NOT_PLAIN },
        { "/./usr", "'/./usr' is " NOT_PLAIN },
        { "/../usr", "'/../usr' is " NOT_PLAIN },
        { "/usr/", "'/usr/' is " NOT_PLAIN },
        { "/usr/.", "'/usr/.' is " NOT_PLAIN },
        { "/usr/..", "'/usr/..' is " NOT_PLAIN },
        { "/usr /.", "'/.' is " NOT_PLAIN },
        { "/usr /..", "'/..' is " NOT_PLAIN },
        { "/usr /etc/", "'/etc/' is " NOT_PLAIN },
        /* What the run's root makes of its own. */
        { "/usr /proc", "'/proc' is " RESERVED },
        { "/usr /proc/sys", "'/proc/sys' is " RESERVED },
        { "/usr /dev", "'/dev' is " RESERVED },
        { "/usr /dev/shm", "'/dev/shm' is " RESERVED },
        { "/usr /tmp", "'/tmp' is " RESERVED },
        { "/usr /tmp/x", "'/tmp/x' is " RESERVED },
        { "/usr /var", "'/var' is " RESERVED },
        { "/usr /var/lib/x", "'/var/lib/x' is " RESERVED },
        { "/usr /run", "'/run' is " RESERVED },
        { "/usr /run/kw", "'/run/kw' is " RESERVED },
        { "/usr /sys", "'/sys' is " RESERVED },
        { "/usr /sys/fs/cgroup", "'/sys/fs/cgroup' is " RESERVED },
        /* One inside another, in either order. */
        { "/usr /usr/lib", "'/usr/lib' is inside '/usr'" },
        { "/usr/lib /usr", "'/usr/lib' is inside '/usr'" },
        { "/etc/ssl/certs /usr /etc", "'/etc/ssl/certs' is inside '/etc'" },
        { "/usr /usr", "'/usr' is inside '/usr'" },
        /* Too many. */
        { "/usr /p32 " P31, "more than 32 paths" },
        /* The interpreter outside. */
        { "/bin /lib", NOT_INSIDE },
        { "/usr/bin/python", NOT_INSIDE },        /* a prefix, not a directory above it */
        { "/usr/bin/python3/x", NOT_INSIDE },     /* below it */
        { "/usr/lib /usr/sbin", NOT_INSIDE },
};

static void test_parse_root(size_t i) {
        _cleanup_(language_done) Language l = {};
        _cleanup_free_ char *text = NULL, *error = NULL, *want = NULL, *root = NULL;

        test_case_begin("policy_parse_language: root = %.60s", root_cases[i].value);
        ASSERT_TRUE(asprintf_safe(&text, PY_HEAD "root = %s\n", root_cases[i].value) >= 0);
        int r = policy_parse_language(&l, text, "py.conf", &error);
        if (root_cases[i].error) {
                if (strncmp(root_cases[i].error, "py.conf", 7) == 0)
                        want = strdup(root_cases[i].error);
                else
                        ASSERT_TRUE(asprintf_safe(&want, "py.conf:5: root: %s", root_cases[i].error) >= 0);
                ASSERT_NOT_NULL(want);
                ASSERT_ERRNO_EQ(r, -EINVAL);
                ASSERT_STR_EQ(error, want);
                ASSERT_TRUE(!l.name && !l.root);
                return;
        }
        ASSERT_OK(r);
        ASSERT_STR_EQ(error, NULL);
        /* Every path kept, in order: the value with '|' for ' '. */
        root = strv_join(l.root);
        want = strdup(root_cases[i].value);
        ASSERT_TRUE(root && want);
        for (char *c = want; *c; c++)
                if (*c == ' ')
                        *c = '|';
        ASSERT_STR_EQ(root, want);
}

/* A compiled language: [language] without an interpreter (lines 1-4), [compile] (lines 5-8); what
 * a case adds starts on line 9. */
#define C_LANG "[language]\nname = c\nsource_file = main.c\nroot = /usr/lib /lib\n"
#define C_COMPILE "[compile]\ncommand = /usr/bin/gcc\nproduct = main\nroot = /usr/bin /usr/lib\n"
#define C_GOOD C_LANG C_COMPILE
#define NOT_CLOSED "arguments: a double quote is not closed"
#define UNKNOWN_PLACEHOLDER(a) "unknown placeholder in argument '" a "' (known: {file}, {memory_mb})"

typedef struct CompileCase {
        const char *name;
        const char *text;
        const char *error;              /* NULL: parses to what follows */
        const char *interpreter;        /* [language]'s: NULL, the product is the program */
        const char *arguments;          /* [language]'s, joined by '|' */
        const char *command;            /* NULL: "/usr/bin/gcc" */
        const char *compile_arguments;  /* joined by '|' */
        const char *compile_root;       /* NULL: "/usr/bin|/usr/lib" */
        const char *product;            /* NULL: "main" */
        uint64_t product_bytes, message_bytes, memory_overhead;
        Limits limits;                  /* what [compile] set; 0 for the rest, until policy_load() */
} CompileCase;

static const CompileCase compile_cases[] = {
        /* Parsed. */
        { .name = "minimal", .text = C_GOOD, .arguments = "", .compile_arguments = "{file}" },
        { .name = "[compile] first", .text = C_COMPILE C_LANG, .arguments = "", .compile_arguments = "{file}" },
        { .name = "every key",
          .text = C_LANG "[compile]\ncommand = /usr/bin/gcc\narguments = -O2 -o /tmp/main {file} -lm\n"
                  "root = /usr/bin /usr/lib\nproduct = main\nproduct_bytes = 32M\nmessage_bytes = 4K\n"
                  "time_ms = 5000\nwall_time_ms = 9000\nmemory_bytes = 2G\nprocesses = 16\nopen_files = 99\n"
                  "file_size_bytes = 8M\ntmp_bytes = 128M\noutput_bytes = 1M\ncpu_percent = 200  # two cores\n",
          .arguments = "", .compile_arguments = "-O2|-o|/tmp/main|{file}|-lm", .product_bytes = 32 << 20,
          .message_bytes = 4 << 10,
          .limits = { .time_ms = 5000, .wall_time_ms = 9000, .memory_bytes = 2ULL << 30, .processes = 16,
                      .open_files = 99, .file_size_bytes = 8 << 20, .tmp_bytes = 128 << 20, .output_bytes = 1 << 20,
                      .cpu_percent = 200 } },
        { .name = "some limits", .text = C_GOOD "time_ms = 3000\nprocesses = 32\n", .arguments = "",
          .compile_arguments = "{file}", .limits = { .time_ms = 3000, .processes = 32 } },
        { .name = "an interpreter runs the product",
          .text = "[language]\nname = c\ninterpreter = /usr/lib/jvm/bin/java\narguments = -Xmx{memory_mb}m -cp {file} Main\n"
                  "source_file = main.c\nroot = /usr/lib /lib\nmemory_overhead_bytes = 192M\n" C_COMPILE,
          .interpreter = "/usr/lib/jvm/bin/java", .arguments = "-Xmx{memory_mb}m|-cp|{file}|Main",
          .compile_arguments = "{file}", .memory_overhead = 192 << 20 },
        { .name = "the product's own arguments", .text = C_LANG "arguments = --fast {memory_mb}\n" C_COMPILE,
          .arguments = "--fast|{memory_mb}", .compile_arguments = "{file}" },
        { .name = "quoted arguments", .text = C_GOOD "arguments = -c \"a b\" c\n", .arguments = "",
          .compile_arguments = "-c|a b|c" },
        { .name = "quotes keep tabs and runs of blanks", .text = C_GOOD "arguments =  \"a \t  b\"   \"c\"\t\n",
          .arguments = "", .compile_arguments = "a \t  b|c" },
        { .name = "an empty quoted word", .text = C_GOOD "arguments = x \"\" y\n", .arguments = "",
          .compile_arguments = "x||y" },
        { .name = "a quoted word last", .text = C_GOOD "arguments = -c \"cc {file} && mv a.out /tmp/main\"\n",
          .arguments = "", .compile_arguments = "-c|cc {file} && mv a.out /tmp/main" },
        { .name = "quoted [language] arguments",
          .text = "[language]\nname = c\nsource_file = main.c\nroot = /usr/lib /lib\narguments = \"--a b\" {file}\n"
                  C_COMPILE,
          .arguments = "--a b|{file}", .compile_arguments = "{file}" },
        { .name = "empty [compile] arguments", .text = C_GOOD "arguments =\n", .arguments = "", .compile_arguments = "" },
        { .name = "the last of a repeated [compile] key wins",
          .text = C_GOOD "arguments = a\narguments = b {file}\nproduct = prog\nroot = /usr\ncommand = /usr/bin/cc\n"
                  "time_ms = 1\ntime_ms = 2\n",
          .arguments = "", .command = "/usr/bin/cc", .compile_arguments = "b|{file}", .compile_root = "/usr",
          .product = "prog", .limits = { .time_ms = 2 } },
        { .name = "a second [compile] adds to the first",
          .text = C_LANG "[compile]\ncommand = /usr/bin/gcc\n[language]\nname = c\n[compile]\nproduct = main\n"
                  "root = /usr/bin /usr/lib\n",
          .arguments = "", .compile_arguments = "{file}" },
        { .name = "a command deep inside its root",
          .text = C_LANG "[compile]\ncommand = /usr/lib/gcc/x86_64-linux-gnu/12/cc1\nproduct = main\nroot = /usr/lib\n",
          .arguments = "", .command = "/usr/lib/gcc/x86_64-linux-gnu/12/cc1", .compile_arguments = "{file}",
          .compile_root = "/usr/lib" },
        { .name = "optional compile root paths", .text = C_LANG "[compile]\ncommand = /usr/bin/gcc\nproduct = main\n"
                                                         "root = /usr -/lib64 -/etc/ld.so.cache\n",
          .arguments = "", .compile_arguments = "{file}", .compile_root = "/usr|-/lib64|-/etc/ld.so.cache" },
        /* Quotes. */
        { .name = "an unclosed quote", .text = C_GOOD "arguments = -c \"a b\n", .error = "c.conf:9: " NOT_CLOSED },
        { .name = "a lone quote", .text = C_GOOD "arguments = \"\n", .error = "c.conf:9: " NOT_CLOSED },
        { .name = "an unclosed quote after a closed one", .text = C_GOOD "arguments = \"a\" \"b\n",
          .error = "c.conf:9: " NOT_CLOSED },
        { .name = "an unclosed quote in [language]", .text = C_LANG "arguments = x \"{file}\n" C_COMPILE,
          .error = "c.conf:5: " NOT_CLOSED },
        { .name = "an unknown placeholder", .text = C_GOOD "arguments = -o {out} {file}\n",
          .error = "c.conf:9: " UNKNOWN_PLACEHOLDER("{out}") },
        { .name = "an unknown placeholder in quotes", .text = C_GOOD "arguments = \"-o {out}\"\n",
          .error = "c.conf:9: " UNKNOWN_PLACEHOLDER("-o {out}") },
        /* What [compile] must say. */
        { .name = "command missing", .text = C_LANG "[compile]\nproduct = main\nroot = /usr/bin\n",
          .error = "c.conf: [compile] command is missing" },
        { .name = "product missing", .text = C_LANG "[compile]\ncommand = /usr/bin/gcc\nroot = /usr/bin\n",
          .error = "c.conf: [compile] product is missing" },
        { .name = "root missing", .text = C_LANG "[compile]\ncommand = /usr/bin/gcc\nproduct = main\n",
          .error = "c.conf: [compile] root is missing" },
        { .name = "root emptied", .text = C_GOOD "root =\n", .error = "c.conf: [compile] root is missing" },
        { .name = "only limits", .text = C_LANG "[compile]\ntime_ms = 5\n", .error = "c.conf: [compile] command is missing" },
        { .name = "[language] checked first", .text = "[language]\nname = c\nsource_file = main.c\n" C_COMPILE,
          .error = "c.conf: [language] root is missing" },
        /* The interpreter: optional only with [compile]. */
        { .name = "no interpreter, no [compile]", .text = C_LANG, .error = "c.conf: [language] interpreter is missing" },
        { .name = "an interpreter outside its root, with [compile]",
          .text = C_LANG "interpreter = /opt/java\n" C_COMPILE,
          .error = "c.conf: [language] interpreter /opt/java is not inside any path of root" },
        /* The command. */
        { .name = "a relative command", .text = C_LANG "[compile]\ncommand = gcc\n",
          .error = "c.conf:6: command must be an absolute, plain path, got 'gcc'" },
        { .name = "a command not plain", .text = C_LANG "[compile]\ncommand = /usr/bin/../bin/gcc\n",
          .error = "c.conf:6: command must be an absolute, plain path, got '/usr/bin/../bin/gcc'" },
        { .name = "an empty command", .text = C_LANG "[compile]\ncommand =\n",
          .error = "c.conf:6: command must be an absolute, plain path, got ''" },
        { .name = "the command outside its root",
          .text = C_LANG "[compile]\ncommand = /usr/bin/gcc\nproduct = main\nroot = /usr/lib /lib\n",
          .error = "c.conf: [compile] command /usr/bin/gcc is not inside any path of its root" },
        { .name = "the command in the language's root only",
          .text = "[language]\nname = c\nsource_file = main.c\nroot = /usr/bin\n"
                  "[compile]\ncommand = /usr/bin/gcc\nproduct = main\nroot = /usr/lib\n",
          .error = "c.conf: [compile] command /usr/bin/gcc is not inside any path of its root" },
        { .name = "the command beside its root",
          .text = C_LANG "[compile]\ncommand = /usr/bin/gcc\nproduct = main\nroot = /usr/b /usr/bin/gc\n",
          .error = "c.conf: [compile] command /usr/bin/gcc is not inside any path of its root" },
        /* The product. */
        { .name = "a product with a slash", .text = C_GOOD "product = bin/main\n",
          .error = "c.conf:9: product must be a plain file name, got 'bin/main'" },
        { .name = "a product path", .text = C_GOOD "product = /tmp/main\n",
          .error = "c.conf:9: product must be a plain file name, got '/tmp/main'" },
        { .name = "product ..", .text = C_GOOD "product = ..\n",
          .error = "c.conf:9: product must be a plain file name, got '..'" },
        { .name = "a hidden product", .text = C_GOOD "product = .main\n",
          .error = "c.conf:9: product must be a plain file name, got '.main'" },
        { .name = "an empty product", .text = C_GOOD "product =\n",
          .error = "c.conf:9: product must be a plain file name, got ''" },
        /* Keys. */
        { .name = "an unknown [compile] key", .text = C_GOOD "flags = -O2\n",
          .error = "c.conf:9: unknown key 'flags' in [compile]" },
        { .name = "a [language] key in [compile]", .text = C_GOOD "source_file = main.c\n",
          .error = "c.conf:9: unknown key 'source_file' in [compile]" },
        { .name = "interpreter in [compile]", .text = C_GOOD "interpreter = /usr/bin/gcc\n",
          .error = "c.conf:9: unknown key 'interpreter' in [compile]" },
        { .name = "a [compile] key in [language]", .text = "[language]\nproduct = main\n",
          .error = "c.conf:2: unknown key 'product'" },
        { .name = "a limit in [language]", .text = "[language]\ntime_ms = 5\n", .error = "c.conf:2: unknown key 'time_ms'" },
        { .name = "a misspelt section", .text = C_LANG "[compiler]\ncommand = /usr/bin/gcc\n",
          .error = "c.conf:5: unknown section [compiler]" },
        /* Values. */
        { .name = "product_bytes 0", .text = C_GOOD "product_bytes = 0\n",
          .error = "c.conf:9: product_bytes: '0' is not a positive number" },
        { .name = "message_bytes in words", .text = C_GOOD "message_bytes = lots\n",
          .error = "c.conf:9: message_bytes: 'lots' is not a positive number" },
        { .name = "a compile limit 0", .text = C_GOOD "time_ms = 0\n",
          .error = "c.conf:9: time_ms: '0' is not a positive number" },
        { .name = "a compile limit negative", .text = C_GOOD "memory_bytes = -1G\n",
          .error = "c.conf:9: memory_bytes: '-1G' is not a positive number" },
        { .name = "memory_overhead_bytes not a size", .text = "[language]\nmemory_overhead_bytes = big\n",
          .error = "c.conf:2: memory_overhead_bytes: 'big' is not a size" },
        { .name = "a compile root path inside another", .text = C_LANG "[compile]\nroot = /usr /usr/lib\n",
          .error = "c.conf:6: root: '/usr/lib' is inside '/usr'" },
        { .name = "a reserved compile root path", .text = C_LANG "[compile]\nroot = /usr /tmp\n",
          .error = "c.conf:6: root: '/tmp' is " RESERVED },
};

static void test_parse_compile(size_t i) {
        _cleanup_(language_done) Language l = {};
        _cleanup_free_ char *error = NULL, *arguments = NULL, *compile_arguments = NULL, *compile_root = NULL;
        const CompileCase *c = &compile_cases[i];

        test_case_begin("policy_parse_language: [compile]: %s", c->name);
        int r = policy_parse_language(&l, c->text, "c.conf", &error);
        if (c->error) {
                ASSERT_ERRNO_EQ(r, -EINVAL);
                ASSERT_STR_EQ(error, c->error);
                ASSERT_TRUE(!l.name && !l.interpreter && !l.arguments && !l.root && !l.compile);
                return;
        }
        ASSERT_OK(r);
        ASSERT_STR_EQ(error, NULL);
        ASSERT_STR_EQ(l.name, "c");
        ASSERT_STR_EQ(l.source_file, "main.c");
        ASSERT_STR_EQ(l.interpreter, c->interpreter);
        ASSERT_NOT_NULL(l.arguments);
        ASSERT_NOT_NULL(l.syscalls);
        arguments = strv_join(l.arguments);
        ASSERT_STR_EQ(arguments, c->arguments);
        ASSERT_U64_EQ(l.memory_overhead, c->memory_overhead);
        ASSERT_NOT_NULL(l.compile);
        ASSERT_STR_EQ(l.compile->command, c->command ?: "/usr/bin/gcc");
        ASSERT_NOT_NULL(l.compile->arguments);
        compile_arguments = strv_join(l.compile->arguments);
        ASSERT_STR_EQ(compile_arguments, c->compile_arguments);
        compile_root = strv_join(l.compile->root);
        ASSERT_STR_EQ(compile_root, c->compile_root ?: "/usr/bin|/usr/lib");
        ASSERT_STR_EQ(l.compile->product, c->product ?: "main");
        ASSERT_U64_EQ(l.compile->product_bytes, c->product_bytes);
        ASSERT_U64_EQ(l.compile->message_bytes, c->message_bytes);
        for (size_t f = 0; f < n_limit_fields; f++) {
                test_case_begin("policy_parse_language: [compile]: %s: %s", c->name, limit_fields[f].name);
                ASSERT_U64_EQ(*limits_field(&l.compile->limits, &limit_fields[f]),
                              *limits_field((Limits *) &c->limits, &limit_fields[f]));
        }
}

/* Interpreted languages have no [compile]. */
static void test_parse_no_compile(void) {
        _cleanup_(language_done) Language l = {};
        _cleanup_free_ char *error = NULL;

        ASSERT_OK(policy_parse_language(&l, PY_HEAD "root = /usr\n", "py.conf", &error));
        ASSERT_TRUE(l.compile == NULL);
        ASSERT_U64_EQ(l.memory_overhead, 0);
}

/* A host tree for policy_resolve_root(), in DIR (no link above it):
 *   dir/bin/tool (executable)  file  link -> dir  dangling -> nowhere  fifo */
static int make_root_tree(const char *dir) {
        _cleanup_free_ char *p = NULL;
        int r;

        r = test_write_string(dir, "dir/bin/tool", "#!/bin/true\n");
        if (r >= 0 && (asprintf_safe(&p, "%s/dir/bin/tool", dir) < 0 || chmod(p, 0755) < 0))
                r = negative_errno();
        free(p);
        p = NULL;
        if (r >= 0)
                r = test_write_string(dir, "file", "x");
        if (r >= 0 && (asprintf_safe(&p, "%s/link", dir) < 0 || symlink("dir", p) < 0))
                r = negative_errno();
        free(p);
        p = NULL;
        if (r >= 0 && (asprintf_safe(&p, "%s/dangling", dir) < 0 || symlink("nowhere", p) < 0))
                r = negative_errno();
        free(p);
        p = NULL;
        if (r >= 0 && (asprintf_safe(&p, "%s/fifo", dir) < 0 || mkfifo(p, 0600) < 0))
                r = negative_errno();
        return r;
}

static const struct {
        const char *name;
        const char *paths[5];   /* below DIR ("-" first: optional) */
        int result;
        const char *error;      /* after "lang.conf: root: DIR/", or "lang.conf: interpreter DIR/" */
        const char *kept;       /* on success, the paths kept, below DIR, joined by '|' */
} check_root_cases[] = {
        { "a directory, a file, links", { "dir", "file", "link", "dangling" }, 0, NULL, "dir|file|link|dangling" },
        { "deeper paths", { "dir/bin", "dir/bin/tool" }, 0, NULL, "dir/bin|dir/bin/tool" },
        { "an optional path that is there is kept, unmarked", { "dir", "-file" }, 0, NULL, "dir|file" },
        { "an optional path that is missing is dropped", { "-missing", "dir", "-gone/x" }, 0, NULL, "dir" },
        { "an optional path that is wrong otherwise still fails", { "dir", "-fifo" }, -EINVAL,
          "fifo is not a directory, file or link", NULL },
        { "the interpreter outside every path", { "file" }, -EINVAL,
          "dir/bin/tool is @/dir/bin/tool, outside every path of its root", NULL },
        /* A link is copied as a link: what it points to is not in the root. */
        { "the interpreter only behind a link of the root", { "link" }, -EINVAL,
          "dir/bin/tool is @/dir/bin/tool, outside every path of its root", NULL },
        { "missing", { "dir", "missing" }, -ENOENT, "missing: No such file or directory", NULL },
        { "below a file", { "file/x" }, -ENOTDIR, "file/x: Not a directory", NULL },
        { "below a dangling link", { "dangling/x" }, -ENOENT, "dangling/x: No such file or directory", NULL },
        { "a fifo", { "dir", "fifo" }, -EINVAL, "fifo is not a directory, file or link", NULL },
        { "below a link", { "link/bin" }, -ELOOP, "link/bin lies below a symbolic link", NULL },
        { "deeper below a link", { "dir", "link/bin/tool" }, -ELOOP, "link/bin/tool lies below a symbolic link", NULL },
        { "the first bad path is told", { "dir", "fifo", "missing" }, -EINVAL,
          "fifo is not a directory, file or link", NULL },
};

static void test_check_root(size_t i) {
        _cleanup_rm_rf_ char *tmp = test_tmpdir();
        _cleanup_free_ char *dir = realpath(tmp, NULL), *error = NULL, *want = NULL, *interpreter = NULL;
        char *paths[ELEMENTSOF(check_root_cases[i].paths) + 1] = {};
        Language l = { .root = paths };
        Buffer kept = {};

        test_case_begin("policy_resolve_root: %s", check_root_cases[i].name);
        ASSERT_NOT_NULL(dir);
        ASSERT_OK(make_root_tree(dir));
        ASSERT_TRUE(asprintf_safe(&interpreter, "%s/dir/bin/tool", dir) >= 0);
        l.interpreter = interpreter;
        for (size_t p = 0; p < ELEMENTSOF(check_root_cases[i].paths) && check_root_cases[i].paths[p]; p++) {
                const char *path = check_root_cases[i].paths[p];
                bool optional = path[0] == '-';
                if (asprintf_safe(&paths[p], "%s%s/%s", optional ? "-" : "", dir, path + optional) < 0)
                        paths[p] = NULL;
        }
        int r = policy_resolve_root(&l, "lang.conf", &error);
        for (size_t p = 0; paths[p]; p++) {
                if (r >= 0)
                        (void) buffer_printf(&kept, "%s%s", p ? "|" : "", strncmp(paths[p], dir, strlen(dir)) == 0
                                                                              ? paths[p] + strlen(dir) + 1
                                                                              : paths[p]);
                free(paths[p]);
        }
        ASSERT_ERRNO_EQ(r, check_root_cases[i].result);
        if (r >= 0) {
                ASSERT_STR_EQ(error, NULL);
                ASSERT_TRUE(buffer_terminate(&kept) >= 0);
                ASSERT_STR_EQ(kept.data, check_root_cases[i].kept);
                buffer_done(&kept);
                return;
        }
        buffer_done(&kept);
        if (strncmp(check_root_cases[i].error, "dir/bin/tool is @", 17) == 0)
                ASSERT_TRUE(asprintf_safe(&want, "lang.conf: interpreter %s/dir/bin/tool is %s%s", dir, dir,
                                          check_root_cases[i].error + 17) >= 0);
        else
                ASSERT_TRUE(asprintf_safe(&want, "lang.conf: root: %s/%s", dir, check_root_cases[i].error) >= 0);
        ASSERT_STR_EQ(error, want);
}

/* policy_resolve_root() of a compiled language: the product is the program (no interpreter), the
 * language's root is DIR/dir, the compile command DIR/COMMAND in a compile root of PATHS. In the
 * texts, '@' is DIR. */
static const struct {
        const char *name;
        const char *command;
        const char *paths[4];
        int result;
        const char *text;       /* the error after "lang.conf: ", or the compile root kept, joined by '|' */
} compile_root_cases[] = {
        { "the command inside its root", "dir/bin/tool", { "dir" }, 0, "@/dir" },
        { "the command itself as its root", "dir/bin/tool", { "-missing", "dir/bin/tool", "file" }, 0,
          "@/dir/bin/tool|@/file" },
        { "the command outside its root", "dir/bin/tool", { "file" }, -EINVAL,
          "compile command @/dir/bin/tool is @/dir/bin/tool, outside every path of its root" },
        { "the command only behind a link", "dir/bin/tool", { "link" }, -EINVAL,
          "compile command @/dir/bin/tool is @/dir/bin/tool, outside every path of its root" },
        /* Links followed: the real command must be inside. */
        { "the command through a link", "link/bin/tool", { "dir" }, 0, "@/dir" },
        { "the command missing", "dir/bin/cc", { "dir" }, -ENOENT, "compile command @/dir/bin/cc: No such file or directory" },
        { "the command not executable", "file", { "file" }, -ENOENT, "compile command @/file: Permission denied" },
        { "a compile root path missing", "dir/bin/tool", { "dir", "missing" }, -ENOENT,
          "root: @/missing: No such file or directory" },
        { "a compile root fifo", "dir/bin/tool", { "fifo", "dir" }, -EINVAL, "root: @/fifo is not a directory, file or link" },
};

/* @s with every '@' replaced by @dir. */
static char *at_dir(const char *s, const char *dir) {
        _cleanup_(buffer_done) Buffer b = {};

        for (; *s; s++)
                if ((*s == '@' ? buffer_printf(&b, "%s", dir) : buffer_printf(&b, "%c", *s)) < 0)
                        return NULL;
        if (buffer_terminate(&b) < 0)
                return NULL;
        return TAKE_PTR(b.data);
}

static void test_check_compile_root(size_t i) {
        _cleanup_rm_rf_ char *tmp = test_tmpdir();
        _cleanup_free_ char *dir = realpath(tmp, NULL), *error = NULL, *want = NULL, *kept = NULL;
        _cleanup_(language_done) Language l = {};

        test_case_begin("policy_resolve_root: [compile]: %s", compile_root_cases[i].name);
        ASSERT_NOT_NULL(dir);
        ASSERT_OK(make_root_tree(dir));
        /* Owned by l, freed by language_done(). */
        l.root = calloc(2, sizeof(char *));
        l.compile = calloc(1, sizeof(LanguageCompile));
        ASSERT_TRUE(l.root && l.compile);
        l.compile->root = calloc(ELEMENTSOF(compile_root_cases[i].paths) + 1, sizeof(char *));
        ASSERT_NOT_NULL(l.compile->root);
        ASSERT_TRUE(asprintf_safe(&l.root[0], "%s/dir", dir) >= 0);
        ASSERT_TRUE(asprintf_safe(&l.compile->command, "%s/%s", dir, compile_root_cases[i].command) >= 0);
        for (size_t p = 0; p < ELEMENTSOF(compile_root_cases[i].paths) && compile_root_cases[i].paths[p]; p++) {
                const char *path = compile_root_cases[i].paths[p];
                bool optional = path[0] == '-';
                ASSERT_TRUE(asprintf_safe(&l.compile->root[p], "%s%s/%s", optional ? "-" : "", dir, path + optional) >= 0);
        }
        int r = policy_resolve_root(&l, "lang.conf", &error);
        ASSERT_ERRNO_EQ(r, compile_root_cases[i].result);
        if (r >= 0) {
                ASSERT_STR_EQ(error, NULL);
                kept = strv_join(l.compile->root);
                want = at_dir(compile_root_cases[i].text, dir);
                ASSERT_STR_EQ(kept, want);
                /* The language's own root, resolved too. */
                ASSERT_U64_EQ(strv_length(l.root), 1);
                return;
        }
        ASSERT_TRUE(asprintf_safe(&kept, "lang.conf: %s", compile_root_cases[i].text) >= 0);
        want = at_dir(kept, dir);
        ASSERT_STR_EQ(error, want);
}

/* The whole [run] syscalls line of policy/limits.conf, counted apart from the parser. */
static size_t real_syscalls_count(void) {
        _cleanup_free_ char *text = NULL;
        size_t size, n = 0;

        if (read_file_all(KW_TEST_POLICY_DIR "/limits.conf", 1 << 20, &text, &size) < 0)
                return 0;
        for (char *line = text; line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
                if (strncmp(line, "syscalls", 8) != 0)
                        continue;
                char *end = strchr(line, '\n');
                if (end)
                        *end = 0;
                char *hash = strchr(line, '#');
                if (hash)
                        *hash = 0;
                char *save = NULL;
                /* "syscalls", "=", then the names */
                for (char *w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save))
                        n++;
                return n >= 2 ? n - 2 : 0;
        }
        return 0;
}

#define JDK "/usr/lib/jvm/java-17-openjdk-amd64"

/* The compiled languages of policy/, and what each needs of the host (scripts/setup.sh installs it). */
static const struct {
        const char *name;
        const char *tools[5];
} compiled_tools[] = {
        { "c", { "/usr/bin/gcc" } },
        { "cpp", { "/usr/bin/g++" } },
        { "java", { "/usr/bin/dash", JDK "/bin/javac", JDK "/bin/jar", JDK "/bin/java" } },
        { "rust", { "/usr/bin/rustc", "/usr/bin/gcc" } },
};

/* The first tool of language @name the host lacks, or NULL. */
static const char *host_lacks(const char *name) {
        for (size_t i = 0; i < ELEMENTSOF(compiled_tools); i++)
                if (strcmp(compiled_tools[i].name, name) == 0)
                        for (size_t t = 0; t < ELEMENTSOF(compiled_tools[i].tools) && compiled_tools[i].tools[t]; t++)
                                if (access(compiled_tools[i].tools[t], X_OK) < 0)
                                        return compiled_tools[i].tools[t];
        return NULL;
}

static int copy_policy_file(const char *dir, const char *relpath) {
        _cleanup_free_ char *from = NULL, *text = NULL;
        size_t size;

        if (asprintf_safe(&from, "%s/%s", KW_TEST_POLICY_DIR, relpath) < 0)
                return -ENOMEM;
        int r = read_file_all(from, 1 << 20, &text, &size);
        return r < 0 ? r : test_write_file(dir, relpath, text, size);
}

/* The policy/ of the source tree, loaded. Where the host lacks a compiled language's tools, that
 * language cannot load, nor then the policy: the rest is loaded from a copy without it, made in
 * *ret_dir (NULL if not needed), so that it is still checked. */
static int load_real_policy(Policy **ret, char **ret_dir, char **ret_error) {
        _cleanup_free_ char *dir = NULL;
        bool lacking = false;
        int r = 0;

        for (size_t i = 0; i < ELEMENTSOF(compiled_tools); i++)
                lacking = lacking || host_lacks(compiled_tools[i].name);
        if (!lacking)
                return policy_load(KW_TEST_POLICY_DIR, ret, ret_error);

        struct dirent **entries = NULL;
        int n = scandir(KW_TEST_POLICY_DIR "/languages", &entries, NULL, alphasort);
        if (n < 0)
                return negative_errno();
        dir = test_tmpdir();
        r = copy_policy_file(dir, "limits.conf");
        if (r >= 0)
                r = copy_policy_file(dir, "seccomp.conf");
        for (int i = 0; i < n; i++) {
                const char *f = entries[i]->d_name;
                size_t len = strlen(f);
                if (r >= 0 && len > 5 && strcmp(f + len - 5, ".conf") == 0) {
                        _cleanup_free_ char *name = strndup(f, len - 5), *rel = NULL;
                        if (!name || asprintf_safe(&rel, "languages/%s", f) < 0)
                                r = -ENOMEM;
                        else if (host_lacks(name))
                                printf("policy: %s left out: the host lacks %s\n", name, host_lacks(name));
                        else
                                r = copy_policy_file(dir, rel);
                }
                free(entries[i]);
        }
        free(entries);
        if (r >= 0)
                r = policy_load(dir, ret, ret_error);
        *ret_dir = TAKE_PTR(dir);
        return r;
}

/* The policy/ of the source tree: what kwctl runs with. Update with policy/limits.conf. */
static void test_load_real(void) {
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_free_ char *error = NULL, *args = NULL;
        _cleanup_rm_rf_ char *copy = NULL;
        static const char *const names[] = { "c", "cpp", "java", "javascript", "python", "rust" };
        size_t n = 0;
        const Language *l;

        ASSERT_OK(load_real_policy(&p, &copy, &error));
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
        ASSERT_U64_EQ(p->daemon.max_queued_bytes, 256ULL << 20);
        ASSERT_U64_EQ(p->daemon.cells, 8);
        ASSERT_U64_EQ(p->daemon.cell_runs, 1000);
        ASSERT_U64_EQ(p->daemon.cell_max_age_ms, 3600000);
        ASSERT_U64_EQ(p->n_ref, 1);
        /* The coarse layer is a deny-list: every name of the line, in order. */
        ASSERT_TRUE(real_syscalls_count() > 0);
        ASSERT_U64_EQ(strv_length(p->syscalls), real_syscalls_count());
        ASSERT_STR_EQ(p->syscalls[0], "~@clock");
        /* kw-exec makes each run's namespaces and root: @mount and @privileged are denied name by
         * name, not as groups, and what it needs stays allowed. */
        for (char **s = p->syscalls; *s; s++) {
                test_case_begin("test_load_real: syscalls: %s", *s);
                ASSERT_TRUE(strcmp(*s, "@mount") != 0 && strcmp(*s, "@privileged") != 0);
                ASSERT_TRUE(strcmp(*s, "mount") != 0 && strcmp(*s, "umount2") != 0 && strcmp(*s, "pivot_root") != 0 &&
                            strcmp(*s, "sethostname") != 0 && strcmp(*s, "capset") != 0 &&
                            strcmp(*s, "clone") != 0 && strcmp(*s, "unshare") != 0);
        }
        test_case_begin("test_load_real");
        static const char *const denied[] = { "@keyring", "@chown", "chroot", "bpf", "setuid", "setgroups",
                                              "open_tree", "move_mount", "fsopen", "fsmount", "umount" };
        for (size_t d = 0; d < ELEMENTSOF(denied); d++) {
                bool found = false;
                for (char **s = p->syscalls; *s; s++)
                        found = found || strcmp(*s, denied[d]) == 0;
                test_case_begin("test_load_real: denies %s", denied[d]);
                ASSERT_TRUE(found);
        }
        test_case_begin("test_load_real");

        /* Sorted by file name; the compiled ones the host has the tools of. */
        for (size_t i = 0; i < ELEMENTSOF(names); i++) {
                if (host_lacks(names[i]))
                        continue;
                test_case_begin("test_load_real: language %zu", n);
                ASSERT_TRUE(n < p->n_languages);
                ASSERT_STR_EQ(p->languages[n].name, names[i]);
                n++;
        }
        test_case_begin("test_load_real");
        ASSERT_U64_EQ(p->n_languages, n);

        l = policy_find_language(p, "python");
        ASSERT_TRUE(l == &p->languages[host_lacks("rust") ? n - 1 : n - 2]);
        ASSERT_TRUE(l->compile == NULL);
        ASSERT_U64_EQ(l->memory_overhead, 0);
        ASSERT_STR_EQ(l->interpreter, "/usr/bin/python3");
        ASSERT_STR_EQ(l->source_file, "main.py");
        args = strv_join(l->arguments);
        ASSERT_STR_EQ(args, "-I|-B|{file}");
        ASSERT_U64_EQ(strv_length(l->syscalls), 0);
        free(args);
        args = strv_join(l->root);
        ASSERT_STR_EQ(args, "/usr/bin|/usr/lib|/usr/lib64|/usr/share|/bin|/lib|/lib64|/etc/ld.so.cache|/etc/localtime");

        l = policy_find_language(p, "javascript");
        ASSERT_NOT_NULL(l);
        ASSERT_STR_EQ(l->interpreter, "/usr/bin/node");
        free(args);
        args = strv_join(l->arguments);
        ASSERT_STR_EQ(args, "--max-old-space-size={memory_mb}|{file}");
        ASSERT_STR_EQ(l->source_file, "main.js");
        ASSERT_U64_EQ(strv_length(l->syscalls), 1);
        ASSERT_STR_EQ(l->syscalls[0], "@pkey");
        free(args);
        args = strv_join(l->root);
        ASSERT_STR_EQ(args, "/usr/bin|/usr/lib|/usr/lib64|/usr/share|/bin|/lib|/lib64|/etc/ld.so.cache");

        ASSERT_TRUE(l->compile == NULL);

        ASSERT_TRUE(policy_find_language(p, "ruby") == NULL);
        ASSERT_TRUE(policy_find_language(p, "Python") == NULL);
        ASSERT_TRUE(policy_find_language(p, "") == NULL);
}

#define LANG_PY "[language]\nname = python\ninterpreter = /usr/bin/python3\nsource_file = main.py\nroot = /usr\n"
#define LANG_JS "[language]\nname = javascript\ninterpreter = /usr/bin/node\nsource_file = main.js\nroot = /usr\n"

/* The compiled languages of policy/languages, as loaded: the files' values, and [run]'s for what
 * [compile] does not set. */
static const struct {
        const char *name;
        const char *interpreter;
        const char *arguments;          /* joined by '|' */
        const char *source_file;
        uint64_t memory_overhead;
        const char *command;
        const char *compile_arguments;  /* joined by '|' */
        const char *product;
        Limits limits;
} real_compiled_cases[] = {
        { .name = "c", .arguments = "", .source_file = "main.c", .command = "/usr/bin/gcc",
          .compile_arguments = "-std=gnu17|-O2|-pipe|-Wall|-B/usr/bin/|-o|/tmp/main|{file}|-lm", .product = "main",
          .limits = { .time_ms = 10000, .wall_time_ms = 20000, .memory_bytes = 1ULL << 30, .processes = 16,
                      .open_files = 1024, .file_size_bytes = 64 << 20, .tmp_bytes = 256 << 20, .output_bytes = 1 << 20,
                      .cpu_percent = 100 } },
        { .name = "cpp", .arguments = "", .source_file = "main.cpp", .command = "/usr/bin/g++",
          .compile_arguments = "-std=gnu++20|-O2|-pipe|-Wall|-B/usr/bin/|-o|/tmp/main|{file}", .product = "main",
          .limits = { .time_ms = 10000, .wall_time_ms = 20000, .memory_bytes = 1ULL << 30, .processes = 16,
                      .open_files = 1024, .file_size_bytes = 64 << 20, .tmp_bytes = 256 << 20, .output_bytes = 1 << 20,
                      .cpu_percent = 100 } },
        { .name = "java", .interpreter = JDK "/bin/java",
          .arguments = "-Xmx{memory_mb}m|-Xss64m|-XX:+UseSerialGC|-XX:-UsePerfData|-XX:-UseContainerSupport|"
                       "-XX:+ExitOnOutOfMemoryError|-cp|{file}|Main",
          .source_file = "Main.java", .memory_overhead = 192 << 20, .command = "/usr/bin/dash",
          .compile_arguments = "-c|" JDK "/bin/javac -J-Xmx512m -J-XX:+UseSerialGC -J-XX:TieredStopAtLevel=1 "
                               "-J-XX:-UsePerfData -J-XX:-UseContainerSupport -encoding UTF-8 -d /tmp/classes {file} && "
                               JDK "/bin/jar -J-XX:+UseSerialGC -J-XX:TieredStopAtLevel=1 -J-XX:-UsePerfData "
                               "-J-XX:-UseContainerSupport --create --file /tmp/main.jar -C /tmp/classes .",
          .product = "main.jar",
          .limits = { .time_ms = 10000, .wall_time_ms = 20000, .memory_bytes = 1ULL << 30, .processes = 64,
                      .open_files = 1024, .file_size_bytes = 64 << 20, .tmp_bytes = 256 << 20, .output_bytes = 1 << 20,
                      .cpu_percent = 100 } },
        /* What rust.conf must be, its details left to it. */
        { .name = "rust", .source_file = "main.rs", .command = "/usr/bin/rustc", .product = "main" },
};

/* @l holds @path. */
static bool strv_has(char *const *l, const char *path) {
        for (; l && *l; l++)
                if (strcmp(*l, path) == 0)
                        return true;
        return false;
}

static void test_load_real_compiled(size_t i) {
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_free_ char *error = NULL, *args = NULL, *compile_args = NULL;
        _cleanup_rm_rf_ char *copy = NULL;
        const typeof(real_compiled_cases[0]) *c = &real_compiled_cases[i];
        const char *lacks = host_lacks(c->name);

        test_case_begin("policy_load: the real %s", c->name);
        if (lacks) {
                _cleanup_free_ char *why = NULL;
                ASSERT_TRUE(asprintf_safe(&why, "the host lacks %s (scripts/setup.sh installs it)", lacks) >= 0);
                test_skip(why);
                return;
        }
        ASSERT_OK(load_real_policy(&p, &copy, &error));
        const Language *l = policy_find_language(p, c->name);
        ASSERT_NOT_NULL(l);
        ASSERT_STR_EQ(l->interpreter, c->interpreter);
        args = strv_join(l->arguments);
        if (c->arguments)
                ASSERT_STR_EQ(args, c->arguments);
        ASSERT_STR_EQ(l->source_file, c->source_file);
        ASSERT_U64_EQ(l->memory_overhead, c->memory_overhead);
        ASSERT_TRUE(l->seccomp_bpf && l->seccomp_bpf_size > 0);
        /* The program's root: the libraries, not the compiler's tools. */
        ASSERT_TRUE(strv_has(l->root, "/usr/lib/x86_64-linux-gnu") && strv_has(l->root, "/lib"));
        ASSERT_TRUE(!strv_has(l->root, "/usr/bin") && !strv_has(l->root, "/usr/include"));
        ASSERT_NOT_NULL(l->compile);
        ASSERT_STR_EQ(l->compile->command, c->command);
        compile_args = strv_join(l->compile->arguments);
        if (c->compile_arguments)
                ASSERT_STR_EQ(compile_args, c->compile_arguments);
        ASSERT_STR_EQ(l->compile->product, c->product);
        ASSERT_TRUE(strv_has(l->compile->root, "/usr/bin") && strv_has(l->compile->root, "/bin"));
        /* The optional paths resolved: kept unmarked or dropped. */
        for (char **a = l->compile->root; *a; a++)
                ASSERT_TRUE((*a)[0] == '/');
        ASSERT_U64_EQ(l->compile->product_bytes, 64 << 20);
        ASSERT_U64_EQ(l->compile->message_bytes, 64 << 10);
        /* Every limit set, by the file or from [run]. */
        for (size_t f = 0; f < n_limit_fields; f++) {
                test_case_begin("policy_load: the real %s: [compile] %s", c->name, limit_fields[f].name);
                ASSERT_TRUE(*limits_field(&l->compile->limits, &limit_fields[f]) > 0);
                if (c->limits.time_ms == 0)
                        continue;
                ASSERT_U64_EQ(*limits_field(&l->compile->limits, &limit_fields[f]),
                              *limits_field((Limits *) &c->limits, &limit_fields[f]));
        }
}

/* policy_load() fills what [compile] leaves unset: 10 s of CPU, 20 s of wall clock, 1 GiB, the
 * rest [run]'s (LIMITS_GOOD: test_limits); a product of 64 MiB, 64 KiB of messages. */
#define LANG_COMPILED                                                                              \
        "[language]\nname = compiled\nsource_file = main.x\nroot = /usr\n"                         \
        "[compile]\ncommand = /usr/bin/python3\nproduct = prog\nroot = /usr\n"

static const struct {
        const char *name;
        const char *set;                /* what [compile] adds */
        Limits limits;
        uint64_t product_bytes, message_bytes;
} compile_defaults_cases[] = {
        /* file_size_bytes: as large as the product taken, unless set. */
        { "nothing set", "",
          { .time_ms = 10000, .wall_time_ms = 20000, .memory_bytes = 1ULL << 30, .processes = 8, .open_files = 64,
            .file_size_bytes = 64 << 20, .tmp_bytes = 2 << 20, .output_bytes = 64 << 10, .cpu_percent = 50 },
          64 << 20, 64 << 10 },
        { "time_ms set, the others not", "time_ms = 500\n",
          { .time_ms = 500, .wall_time_ms = 20000, .memory_bytes = 1ULL << 30, .processes = 8, .open_files = 64,
            .file_size_bytes = 64 << 20, .tmp_bytes = 2 << 20, .output_bytes = 64 << 10, .cpu_percent = 50 },
          64 << 20, 64 << 10 },
        { "[run]'s limits set", "processes = 16\ntmp_bytes = 256M\nfile_size_bytes = 64M\n",
          { .time_ms = 10000, .wall_time_ms = 20000, .memory_bytes = 1ULL << 30, .processes = 16, .open_files = 64,
            .file_size_bytes = 64 << 20, .tmp_bytes = 256 << 20, .output_bytes = 64 << 10, .cpu_percent = 50 },
          64 << 20, 64 << 10 },
        { "everything set",
          "time_ms = 1\nwall_time_ms = 2\nmemory_bytes = 3\nprocesses = 4\nopen_files = 5\nfile_size_bytes = 6\n"
          "tmp_bytes = 7\noutput_bytes = 8\ncpu_percent = 9\nproduct_bytes = 10\nmessage_bytes = 11\n",
          { 1, 2, 3, 4, 5, 6, 7, 8, 9 }, 10, 11 },
        { "sizes set", "product_bytes = 1M\nmessage_bytes = 1K\nmemory_bytes = 2G\n",
          { .time_ms = 10000, .wall_time_ms = 20000, .memory_bytes = 2ULL << 30, .processes = 8, .open_files = 64,
            .file_size_bytes = 1 << 20, .tmp_bytes = 2 << 20, .output_bytes = 64 << 10, .cpu_percent = 50 },
          1 << 20, 1 << 10 },
};

static void test_load_compile_defaults(size_t i) {
        _cleanup_rm_rf_ char *dir = test_tmpdir();
        _cleanup_free_ char *error = NULL, *text = NULL;
        _cleanup_(policy_freep) Policy *p = NULL;

        test_case_begin("policy_load: [compile] defaults: %s", compile_defaults_cases[i].name);
        ASSERT_TRUE(asprintf_safe(&text, LANG_COMPILED "%s", compile_defaults_cases[i].set) >= 0);
        ASSERT_OK(test_write_string(dir, "limits.conf", LIMITS_GOOD));
        ASSERT_OK(test_write_string(dir, "languages/python.conf", LANG_PY));
        ASSERT_OK(test_write_string(dir, "languages/compiled.conf", text));
        ASSERT_OK(test_write_string(dir, "seccomp.conf", "[all]\nallow read write exit_group\n[python]\n"));
        ASSERT_OK(policy_load(dir, &p, &error));
        ASSERT_STR_EQ(error, NULL);
        /* An interpreted language has no [compile], and [run] is as it was. */
        ASSERT_TRUE(policy_find_language(p, "python")->compile == NULL);
        ASSERT_U64_EQ(p->limits.time_ms, 1000);
        const Language *l = policy_find_language(p, "compiled");
        ASSERT_NOT_NULL(l);
        ASSERT_TRUE(l->interpreter == NULL);
        ASSERT_NOT_NULL(l->compile);
        ASSERT_U64_EQ(l->compile->product_bytes, compile_defaults_cases[i].product_bytes);
        ASSERT_U64_EQ(l->compile->message_bytes, compile_defaults_cases[i].message_bytes);
        for (size_t f = 0; f < n_limit_fields; f++) {
                test_case_begin("policy_load: [compile] defaults: %s: %s", compile_defaults_cases[i].name,
                                limit_fields[f].name);
                ASSERT_U64_EQ(*limits_field(&l->compile->limits, &limit_fields[f]),
                              *limits_field((Limits *) &compile_defaults_cases[i].limits, &limit_fields[f]));
        }
}

static const struct {
        const char *name;
        const char *program;
        const char *const *arguments;   /* NULL-terminated, or NULL */
        const char *file;
        uint64_t memory_bytes;
        const char *const *extra;
        const char *argv;               /* joined by '|'; NULL: -EINVAL */
} build_argv_cases[] = {
        { "an interpreter", "/usr/bin/python3", (const char *const[]) { "-I", "-B", "{file}", NULL }, "/run/kw/main.py",
          256 << 20, NULL, "/usr/bin/python3|-I|-B|/run/kw/main.py" },
        { "{memory_mb}", "/usr/bin/node", (const char *const[]) { "--max-old-space-size={memory_mb}", "{file}", NULL },
          "/run/kw/main.js", 512 << 20, NULL, "/usr/bin/node|--max-old-space-size=512|/run/kw/main.js" },
        { "{memory_mb} and {file} in one", "/j", (const char *const[]) { "-Xmx{memory_mb}m:{file}:{memory_mb}", NULL },
          "/f", 1ULL << 30, NULL, "/j|-Xmx1024m:/f:1024" },
        { "{memory_mb} rounds down", "/j", (const char *const[]) { "{memory_mb}", NULL }, "/f", 3 << 19, NULL, "/j|1" },
        { "{memory_mb} below a MiB", "/j", (const char *const[]) { "{memory_mb}", NULL }, "/f", (1 << 20) - 1, NULL,
          "/j|0" },
        { "{memory_mb} of the largest", "/j", (const char *const[]) { "{memory_mb}", NULL }, "/f", UINT64_MAX, NULL,
          "/j|17592186044415" },
        { "the product is the program", NULL, (const char *const[]) { NULL }, "/tmp/main", 1 << 20, NULL, "/tmp/main" },
        { "the product with arguments", NULL, (const char *const[]) { "--fast", "{file}", NULL }, "/tmp/main", 1 << 20,
          NULL, "/tmp/main|--fast|/tmp/main" },
        { "no arguments at all", "/x", NULL, "/f", 1 << 20, NULL, "/x" },
        { "extra appended", NULL, (const char *const[]) { NULL }, "/tmp/check", 1 << 20,
          (const char *const[]) { "input", "output", "answer", NULL }, "/tmp/check|input|output|answer" },
        { "extra after the arguments, not expanded", "/usr/bin/python3", (const char *const[]) { "-I", "{file}", NULL },
          "/tmp/check.py", 1 << 20, (const char *const[]) { "{file}", "{memory_mb}", "", NULL },
          "/usr/bin/python3|-I|/tmp/check.py|{file}|{memory_mb}|" },
        { "extra empty", "/x", (const char *const[]) { "{file}", NULL }, "/f", 1 << 20, (const char *const[]) { NULL },
          "/x|/f" },
        { "a compiler", "/usr/bin/gcc", (const char *const[]) { "-O2", "-o", "/tmp/main", "{file}", "-lm", NULL },
          "main.c", 1ULL << 30, NULL, "/usr/bin/gcc|-O2|-o|/tmp/main|main.c|-lm" },
        { "an unknown placeholder", "/x", (const char *const[]) { "-a", "{source}", NULL }, "/f", 1 << 20, NULL, NULL },
        { "an unclosed placeholder", NULL, (const char *const[]) { "{file", NULL }, "/f", 1 << 20,
          (const char *const[]) { "x", NULL }, NULL },
};

static void test_build_argv(size_t i) {
        char *untouched[] = { NULL };
        char **argv = untouched;
        _cleanup_free_ char *joined = NULL;

        test_case_begin("policy_build_argv: %s", build_argv_cases[i].name);
        int r = policy_build_argv(build_argv_cases[i].program, (char *const *) build_argv_cases[i].arguments,
                                  build_argv_cases[i].file, build_argv_cases[i].memory_bytes, build_argv_cases[i].extra,
                                  &argv);
        if (!build_argv_cases[i].argv) {
                ASSERT_ERRNO_EQ(r, -EINVAL);
                ASSERT_TRUE(argv == untouched);
                return;
        }
        ASSERT_OK(r);
        joined = strv_join(argv);
        strv_free(argv);
        ASSERT_STR_EQ(joined, build_argv_cases[i].argv);
}

/* A file of a policy directory; size 0 means strlen(text). */
#define PF(path, text) { path, text, 0 }
#define SECCOMP_GOOD "[all]\nallow read write exit_group\n[python]\n[javascript]\nallow pkey_alloc\n"
#define PF_NUL(path, text) { path, text "\0", sizeof(text) }   /* ends in a NUL byte */
#define PF_DEV_NULL(path) { path, NULL, 0 }                      /* a link to /dev/null */
typedef struct PolicyFile {
        const char *path;
        const char *text;
        size_t size;
} PolicyFile;

/* @files (up to @n, a NULL path ends them) below @dir. Return: 0 or -errno. */
static int write_policy_files(const char *dir, const PolicyFile *files, size_t n) {
        for (size_t f = 0; f < n && files[f].path; f++) {
                const PolicyFile *pf = &files[f];
                _cleanup_free_ char *path = NULL;
                int r;

                if (pf->text) {
                        r = test_write_file(dir, pf->path, pf->text, pf->size ? pf->size : strlen(pf->text));
                        if (r < 0)
                                return r;
                        continue;
                }
                /* The directories on the way, by writing the file first. */
                r = test_write_file(dir, pf->path, "", 0);
                if (r < 0)
                        return r;
                if (asprintf_safe(&path, "%s/%s", dir, pf->path) < 0)
                        return -ENOMEM;
                if (unlink(path) < 0 || symlink("/dev/null", path) < 0)
                        return negative_errno();
        }
        return 0;
}

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
          "limits.conf:29: unknown key 'bogus' in [run]", 0 },
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
          -EINVAL, "languages/ruby.conf:3: interpreter must be an absolute, plain path, got 'ruby'", 0 },
        { "broken language after a duplicate",
          { PF("limits.conf", LIMITS_GOOD), PF("languages/a.conf", LANG_PY), PF("languages/b.conf", LANG_PY),
            PF("languages/c.conf", "[language]\n") }, -EEXIST,
          "languages/b.conf: language 'python' is defined twice", 0 },
        { "a root path missing on the host",
          { PF("limits.conf", LIMITS_GOOD), PF("languages/javascript.conf", LANG_JS),
            PF("languages/python.conf", LANG_PY "root = /usr /kw-test-not-there\n"), PF("seccomp.conf", SECCOMP_GOOD) },
          -ENOENT, "languages/python.conf: root: /kw-test-not-there: No such file or directory", 0 },
        { "a root without the interpreter",
          { PF("limits.conf", LIMITS_GOOD), PF("languages/python.conf", LANG_PY "root = /etc\n") }, -EINVAL,
          "languages/python.conf: [language] interpreter /usr/bin/python3 is not inside any path of root", 0 },
        /* A run's init writes the case's input (a checker's answer) under the cell's RLIMIT_FSIZE. */
        { "inputs larger than any run may write",
          { PF("limits.conf", LIMITS_RUN LIMITS_JOB "max_input_bytes = 4M\n" LIMITS_DAEMON), PF("languages/python.conf", LANG_PY) },
          -EINVAL, "limits.conf: [job] max_input_bytes (4194304) is above the largest file_size_bytes (1048576)", 0 },
        { "NUL byte in a language", { PF("limits.conf", LIMITS_GOOD),
                                       PF_NUL("languages/python.conf", LANG_PY) },
          -EINVAL, "languages/python.conf: contains a NUL byte", 0 },
        /* A removed language in the one directory of --policy: as in an overlay. */
        { "a language file linked to /dev/null", { PF("limits.conf", LIMITS_GOOD), PF("languages/python.conf", LANG_PY),
                                                   PF_DEV_NULL("languages/javascript.conf"), PF("seccomp.conf", SECCOMP_GOOD) },
          0, NULL, 1 },
};

static void test_load(size_t i) {
        _cleanup_rm_rf_ char *dir = test_tmpdir();
        _cleanup_free_ char *error = NULL, *want = NULL;
        _cleanup_(policy_freep) Policy *p = NULL;

        test_case_begin("policy_load: %s", load_cases[i].name);
        ASSERT_OK(write_policy_files(dir, load_cases[i].files, ELEMENTSOF(load_cases[i].files)));
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

/* The overlay, "etc" over "usr", as /etc/kw over /usr/share/kw/policy: each file from the first that
 * has it; a language's file empty or linked to /dev/null removes it. */
#define USR_POLICY                                                                                 \
        PF("usr/limits.conf", LIMITS_GOOD), PF("usr/languages/python.conf", LANG_PY),              \
        PF("usr/languages/javascript.conf", LANG_JS), PF("usr/seccomp.conf", SECCOMP_GOOD)
#define LANG_PY_REPLACED "[language]\nname = python\ninterpreter = /usr/bin/python3\nsource_file = prog.py\nroot = /usr\n"
#define LANG_PY2 "[language]\nname = py2\ninterpreter = /usr/bin/python3\nsource_file = main2.py\nroot = /usr\n"

static const struct {
        const char *name;
        PolicyFile files[8];
        int result;
        const char *error;      /* after "TMP/" */
        const char *languages;  /* NAME:SOURCE_FILE of each, in order, joined by ' ' */
        uint64_t cells;         /* [daemon] cells: 0 in usr's limits.conf */
} overlay_cases[] = {
        { "nothing in etc", { USR_POLICY }, 0, NULL, "javascript:main.js python:main.py", 0 },
        { "etc without policy files", { USR_POLICY, PF("etc/README", "overrides go here\n") }, 0, NULL,
          "javascript:main.js python:main.py", 0 },
        { "limits.conf overridden", { USR_POLICY, PF("etc/limits.conf", LIMITS_GOOD "cells = 3\n") }, 0, NULL,
          "javascript:main.js python:main.py", 3 },
        { "a language replaced", { USR_POLICY, PF("etc/languages/python.conf", LANG_PY_REPLACED) }, 0, NULL,
          "javascript:main.js python:prog.py", 0 },
        /* usr's seccomp.conf keeps its [javascript]. */
        { "a language removed by a link to /dev/null", { USR_POLICY, PF_DEV_NULL("etc/languages/javascript.conf") },
          0, NULL, "python:main.py", 0 },
        { "a language removed by an empty file", { USR_POLICY, PF("etc/languages/python.conf", "") }, 0, NULL,
          "javascript:main.js", 0 },
        { "a language only in etc", { USR_POLICY, PF("etc/languages/py2.conf", LANG_PY2) }, 0, NULL,
          "javascript:main.js py2:main2.py python:main.py", 0 },
        { "seccomp.conf overridden", { USR_POLICY, PF("etc/seccomp.conf", "[all]\nallow frobnicate\n") }, -EINVAL,
          "etc/seccomp.conf:2: unknown system call 'frobnicate'", NULL, 0 },
        { "a broken override names its file",
          { USR_POLICY, PF("etc/languages/python.conf", "[language]\nname = python\ninterpreter = python3\n") }, -EINVAL,
          "etc/languages/python.conf:3: interpreter must be an absolute, plain path, got 'python3'", NULL, 0 },
        { "every language removed", { USR_POLICY, PF_DEV_NULL("etc/languages/javascript.conf"),
                                      PF("etc/languages/python.conf", "") }, -ENOENT,
          "usr/languages: no languages defined", NULL, 0 },
        { "etc's languages not a directory", { USR_POLICY, PF("etc/languages", "") }, -ENOTDIR,
          "etc/languages: cannot list: Not a directory", NULL, 0 },
        /* The packaged policy must be whole; only the overrides may lack files. */
        { "usr without languages", { PF("usr/limits.conf", LIMITS_GOOD), PF("etc/languages/python.conf", LANG_PY) },
          -ENOENT, "usr/languages: cannot list: No such file or directory", NULL, 0 },
        { "usr without limits.conf", { PF("usr/languages/python.conf", LANG_PY) }, -ENOENT,
          "usr/limits.conf: cannot read: No such file or directory", NULL, 0 },
};

static void test_overlay(size_t i) {
        _cleanup_rm_rf_ char *dir = test_tmpdir();
        _cleanup_free_ char *error = NULL, *want = NULL, *etc = NULL, *usr = NULL;
        _cleanup_(policy_freep) Policy *p = NULL;
        _cleanup_(buffer_done) Buffer found = {};

        test_case_begin("policy_load_dirs: %s", overlay_cases[i].name);
        ASSERT_OK(write_policy_files(dir, overlay_cases[i].files, ELEMENTSOF(overlay_cases[i].files)));
        ASSERT_TRUE(asprintf_safe(&etc, "%s/etc", dir) >= 0 && asprintf_safe(&usr, "%s/usr", dir) >= 0);
        int r = policy_load_dirs((const char *const[]) { etc, usr, NULL }, &p, &error);
        ASSERT_ERRNO_EQ(r, overlay_cases[i].result);
        if (r < 0) {
                ASSERT_TRUE(p == NULL);
                ASSERT_TRUE(asprintf_safe(&want, "%s/%s", dir, overlay_cases[i].error) >= 0);
                ASSERT_STR_EQ(error, want);
                return;
        }
        ASSERT_STR_EQ(error, NULL);
        for (size_t l = 0; l < p->n_languages; l++)
                ASSERT_TRUE(buffer_printf(&found, "%s%s:%s", l > 0 ? " " : "", p->languages[l].name,
                                          p->languages[l].source_file) >= 0);
        ASSERT_TRUE(buffer_terminate(&found) >= 0);
        ASSERT_STR_EQ(found.data, overlay_cases[i].languages);
        ASSERT_U64_EQ(p->daemon.cells, overlay_cases[i].cells);
        /* Each language compiled its system-call policy, the replaced one and the one only in etc too. */
        for (size_t l = 0; l < p->n_languages; l++)
                ASSERT_TRUE(p->languages[l].seccomp_bpf && p->languages[l].seccomp_bpf_size > 0);
}

static const struct {
        const char *dirs[3];
        const char *described;
} describe_cases[] = {
        { { "/usr/share/kw/policy" }, "/usr/share/kw/policy" },
        { { "/etc/kw", "/usr/share/kw/policy" }, "/etc/kw over /usr/share/kw/policy" },
};

static void test_dirs_describe(size_t i) {
        _cleanup_free_ char *s = NULL;

        test_case_begin("policy_dirs_describe: %s", describe_cases[i].described);
        ASSERT_OK(policy_dirs_describe(describe_cases[i].dirs, &s));
        ASSERT_STR_EQ(s, describe_cases[i].described);
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
        _cleanup_rm_rf_ char *copy = NULL;

        ASSERT_TRUE(policy_ref(NULL) == NULL);
        ASSERT_TRUE(policy_unref(NULL) == NULL);
        ASSERT_OK(load_real_policy(&p, &copy, &error));
        ASSERT_U64_EQ(p->n_ref, 1);
        ASSERT_TRUE(policy_ref(p) == p);
        ASSERT_U64_EQ(p->n_ref, 2);
        ASSERT_TRUE(policy_unref(p) == NULL);
        ASSERT_U64_EQ(p->n_ref, 1);
}

int main(void) {
        TEST_TABLE(test_parse_limits, limits_cases);
        TEST_TABLE(test_parse_language, language_cases);
        TEST_TABLE(test_parse_root, root_cases);
        TEST_TABLE(test_parse_compile, compile_cases);
        TEST_RUN(test_parse_no_compile);
        TEST_TABLE(test_check_root, check_root_cases);
        TEST_TABLE(test_check_compile_root, compile_root_cases);
        TEST_TABLE(test_expand_argument, expand_cases);
        TEST_RUN(test_load_real);
        TEST_TABLE(test_load_real_compiled, real_compiled_cases);
        TEST_TABLE(test_load_compile_defaults, compile_defaults_cases);
        TEST_TABLE(test_build_argv, build_argv_cases);
        TEST_RUN(test_ref);
        TEST_TABLE(test_load, load_cases);
        TEST_TABLE(test_overlay, overlay_cases);
        TEST_TABLE(test_dirs_describe, describe_cases);
        return test_summary();
}
