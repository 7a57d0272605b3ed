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
          "dir/bin/tool is @/dir/bin/tool, outside every path of root", NULL },
        /* A link is copied as a link: what it points to is not in the root. */
        { "the interpreter only behind a link of the root", { "link" }, -EINVAL,
          "dir/bin/tool is @/dir/bin/tool, outside every path of root", NULL },
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

        ASSERT_TRUE(policy_find_language(p, "ruby") == NULL);
        ASSERT_TRUE(policy_find_language(p, "Python") == NULL);
        ASSERT_TRUE(policy_find_language(p, "") == NULL);
}

#define LANG_PY "[language]\nname = python\ninterpreter = /usr/bin/python3\nsource_file = main.py\nroot = /usr\n"
#define LANG_JS "[language]\nname = javascript\ninterpreter = /usr/bin/node\nsource_file = main.js\nroot = /usr\n"

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
        TEST_TABLE(test_parse_root, root_cases);
        TEST_TABLE(test_check_root, check_root_cases);
        TEST_TABLE(test_expand_argument, expand_cases);
        TEST_RUN(test_load_real);
        TEST_RUN(test_ref);
        TEST_TABLE(test_load, load_cases);
        return test_summary();
}
