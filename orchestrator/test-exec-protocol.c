/* SPDX-License-Identifier: MIT */
#include "exec-protocol.h"
#include "test-helpers.h"

/* A message buffer as kw-exec has one: aligned for ExecRun, and a little beyond the largest message
 * so that writes past a given size show. */
typedef union MessageBuffer {
        ExecRun run;
        char bytes[EXEC_MSG_MAX + 64];
} MessageBuffer;

#define CANARY 0x5a

static const ExecRun header_typical = {
        .cpu_soft_sec = 2, .cpu_hard_sec = 3, .open_files = 64, .file_size_bytes = 1 << 20, .tmp_bytes = 64 << 20,
};

/* Header fields a caller leaves in, that format sets itself. */
static const ExecRun header_garbage = {
        .type = 0xdeadbeef, .n_argv = 77, .n_paths = 99, .padding = 0xffffffff,
        .cpu_soft_sec = UINT64_MAX, .cpu_hard_sec = UINT64_MAX, .open_files = UINT64_MAX,
        .file_size_bytes = UINT64_MAX, .tmp_bytes = UINT64_MAX,
};

static const char *const PATHS_REAL[] = { "/usr", "/bin", "/lib", "/lib64", "/etc/ld.so.cache", NULL };

static const struct {
        const char *name;
        const ExecRun *header;
        const char *source;
        const char *argv[8];
        const char *const *paths;       /* NULL: none */
} round_trip_cases[] = {
        { "python", &header_typical, "/run/kw/main.py", { "/usr/bin/python3", "-I", "-B", "/run/kw/main.py" },
          PATHS_REAL },
        { "argv[0] alone, no paths", &header_typical, "/run/kw/main.js", { "/usr/bin/node" }, NULL },
        { "empty paths list", &header_typical, "/s", { "/x" }, (const char *const[]) { NULL } },
        { "empty arguments", &header_typical, "/s", { "/x", "", "", "y" }, (const char *const[]) { "/", NULL } },
        { "header fields set by format", &header_garbage, "/", { "/x" }, (const char *const[]) { "/a", "/b", NULL } },
        { "bytes beyond ASCII", &header_typical, "/run/kw/\xc3\xa9\xff", { "/x", "\x01\x7f\x80" },
          (const char *const[]) { "/\xe2\x82\xac", NULL } },
};

/* What a message of these strings takes. */
static size_t message_size(const char *source, const char *const *argv, const char *const *paths) {
        size_t n = sizeof(ExecRun) + strlen(source) + 1;
        for (size_t i = 0; argv && argv[i]; i++)
                n += strlen(argv[i]) + 1;
        for (size_t i = 0; paths && paths[i]; i++)
                n += strlen(paths[i]) + 1;
        return n;
}

static size_t strv_n(const char *const *l) {
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

/* Format into @buf, parse back, and compare with what went in. */
static void check_round_trip(MessageBuffer *buf, const ExecRun *header, const char *source,
                             const char *const *argv, const char *const *paths) {
        size_t want = message_size(source, argv, paths), n_argv = strv_n(argv), n_paths = strv_n(paths);
        ExecRunSpec spec;

        memset(buf, CANARY, sizeof(*buf));
        int r = exec_run_format(buf->bytes, EXEC_MSG_MAX, header, source, argv, paths);
        ASSERT_INT_EQ(r, (intmax_t) want);
        ASSERT_TRUE(buf->bytes[want] == CANARY);
        ASSERT_U64_EQ(buf->run.type, EXEC_MSG_RUN);
        ASSERT_U64_EQ(buf->run.n_argv, n_argv);
        ASSERT_U64_EQ(buf->run.n_paths, n_paths);
        ASSERT_U64_EQ(buf->run.padding, 0);

        ASSERT_OK(exec_run_parse(buf->bytes, (size_t) r, &spec));
        ASSERT_TRUE(spec.run == &buf->run);
        ASSERT_U64_EQ(spec.run->cpu_soft_sec, header->cpu_soft_sec);
        ASSERT_U64_EQ(spec.run->cpu_hard_sec, header->cpu_hard_sec);
        ASSERT_U64_EQ(spec.run->open_files, header->open_files);
        ASSERT_U64_EQ(spec.run->file_size_bytes, header->file_size_bytes);
        ASSERT_U64_EQ(spec.run->tmp_bytes, header->tmp_bytes);
        ASSERT_STR_EQ(spec.source_path, source);
        /* The strings point into the message. */
        ASSERT_TRUE(spec.source_path == buf->bytes + sizeof(ExecRun));
        ASSERT_U64_EQ(spec.n_argv, n_argv);
        ASSERT_U64_EQ(spec.n_paths, n_paths);
        for (size_t i = 0; i < n_argv; i++) {
                ASSERT_STR_EQ(spec.argv[i], argv[i]);
                ASSERT_TRUE(spec.argv[i] >= buf->bytes && spec.argv[i] < buf->bytes + r);
        }
        ASSERT_TRUE(spec.argv[n_argv] == NULL);
        for (size_t i = 0; i < n_paths; i++) {
                ASSERT_STR_EQ(spec.paths[i], paths[i]);
                ASSERT_TRUE(spec.paths[i] >= buf->bytes && spec.paths[i] < buf->bytes + r);
        }
        ASSERT_TRUE(spec.paths[n_paths] == NULL);
}

static void test_round_trip(size_t i) {
        _cleanup_free_ MessageBuffer *buf = malloc(sizeof(MessageBuffer));

        test_case_begin("exec_run round trip: %s", round_trip_cases[i].name);
        ASSERT_NOT_NULL(buf);
        check_round_trip(buf, round_trip_cases[i].header, round_trip_cases[i].source, round_trip_cases[i].argv,
                         round_trip_cases[i].paths);
}

/* EXEC_STRINGS_MAX of each, and a message of exactly EXEC_MSG_MAX bytes. */
static void test_round_trip_largest(void) {
        _cleanup_free_ MessageBuffer *buf = malloc(sizeof(MessageBuffer));
        _cleanup_free_ char *big = NULL;
        const char *argv[EXEC_STRINGS_MAX + 1] = {}, *paths[EXEC_STRINGS_MAX + 1] = {};
        char names[EXEC_STRINGS_MAX][8];

        ASSERT_NOT_NULL(buf);
        for (size_t i = 0; i < EXEC_STRINGS_MAX; i++) {
                snprintf(names[i], sizeof(names[i]), "/p%zu", i);
                argv[i] = names[i] + 1;
                paths[i] = names[i];
        }
        argv[0] = "/bin/x";
        check_round_trip(buf, &header_typical, "/s", argv, paths);

        /* One argument filling the rest of the largest message. */
        size_t fill = EXEC_MSG_MAX - message_size("/s", (const char *const[]) { "/x", "", NULL }, NULL);
        big = malloc(fill + 1);
        ASSERT_NOT_NULL(big);
        memset(big, 'a', fill);
        big[fill] = 0;
        check_round_trip(buf, &header_typical, "/s", (const char *const[]) { "/x", big, NULL }, NULL);
        ASSERT_U64_EQ(message_size("/s", (const char *const[]) { "/x", big, NULL }, NULL), EXEC_MSG_MAX);
}

/* A message built by hand: a header and the bytes after it. */
typedef struct RawMessage {
        const char *name;
        uint32_t type;          /* 0: EXEC_MSG_RUN */
        uint32_t n_argv, n_paths;
        const char *tail;
        size_t tail_size;
        int cut;                /* bytes of the header left off the end (a short message) */
} RawMessage;

#define TAIL(s) .tail = s, .tail_size = sizeof(s) - 1

static const RawMessage parse_cases[] = {
        /* Good: the base of the bad ones below. */
        { "good", 0, 1, 0, TAIL("/src\0/bin/x\0") },
        { "good, with paths", 0, 2, 2, TAIL("/src\0/bin/x\0-c\0/usr\0/etc/x\0") },
        { "good, empty argument", 0, 2, 0, TAIL("/src\0/bin/x\0\0") },
        /* Too short. */
        { "empty", 0, 1, 0, .cut = (int) sizeof(ExecRun) },
        { "a byte short of a header", 0, 1, 0, .cut = 1 },
        { "header only", 0, 1, 0, TAIL("") },
        /* Wrong type. */
        { "type READY", EXEC_MSG_READY, 1, 0, TAIL("/src\0/bin/x\0") },
        { "type KILL", EXEC_MSG_KILL, 1, 0, TAIL("/src\0/bin/x\0") },
        { "type END", EXEC_MSG_END, 1, 0, TAIL("/src\0/bin/x\0") },
        { "type RUN, byte-swapped", 0x0200776b, 1, 0, TAIL("/src\0/bin/x\0") },
        /* Counts. */
        { "n_argv 0", 0, 0, 0, TAIL("/src\0/bin/x\0") },
        { "n_argv 0, nothing after the source", 0, 0, 0, TAIL("/src\0") },
        { "n_argv above the maximum", 0, EXEC_STRINGS_MAX + 1, 0, TAIL("/src\0/bin/x\0") },
        { "n_argv UINT32_MAX", 0, UINT32_MAX, 0, TAIL("/src\0/bin/x\0") },
        { "n_paths above the maximum", 0, 1, EXEC_STRINGS_MAX + 1, TAIL("/src\0/bin/x\0") },
        { "n_paths UINT32_MAX", 0, 1, UINT32_MAX, TAIL("/src\0/bin/x\0") },
        { "more argv than strings", 0, 2, 0, TAIL("/src\0/bin/x\0") },
        { "more paths than strings", 0, 1, 2, TAIL("/src\0/bin/x\0/usr\0") },
        { "paths counted, none there", 0, 1, 1, TAIL("/src\0/bin/x\0") },
        { "no source at all", 0, 1, 0, TAIL("") },
        /* Strings. */
        { "source not NUL-terminated", 0, 1, 0, TAIL("/src") },
        { "last argument not NUL-terminated", 0, 2, 0, TAIL("/src\0/bin/x\0-c") },
        { "last path not NUL-terminated", 0, 1, 1, TAIL("/src\0/bin/x\0/usr") },
        { "relative source", 0, 1, 0, TAIL("src\0/bin/x\0") },
        { "empty source", 0, 1, 0, TAIL("\0/bin/x\0") },
        { "relative root path", 0, 1, 2, TAIL("/src\0/bin/x\0/usr\0lib\0") },
        { "empty root path", 0, 1, 1, TAIL("/src\0/bin/x\0\0") },
        /* Trailing bytes. */
        { "a byte after the last string", 0, 1, 0, TAIL("/src\0/bin/x\0x") },
        { "a NUL after the last string", 0, 1, 0, TAIL("/src\0/bin/x\0\0") },
        { "a string more than counted", 0, 1, 1, TAIL("/src\0/bin/x\0/usr\0/lib\0") },
};

static void test_parse(size_t i) {
        _cleanup_free_ MessageBuffer *buf = malloc(sizeof(MessageBuffer));
        const RawMessage *m = &parse_cases[i];
        ExecRunSpec spec = {};

        test_case_begin("exec_run_parse: %s", m->name);
        ASSERT_NOT_NULL(buf);
        memset(buf, CANARY, sizeof(*buf));
        buf->run = header_typical;
        buf->run.type = m->type ? m->type : EXEC_MSG_RUN;
        buf->run.n_argv = m->n_argv;
        buf->run.n_paths = m->n_paths;
        if (m->tail)
                memcpy(buf->bytes + sizeof(ExecRun), m->tail, m->tail_size);
        size_t size = sizeof(ExecRun) + m->tail_size - (size_t) m->cut;
        /* Parsed from a copy of exactly its size: a read past it is valgrind's (or ASan's). */
        _cleanup_free_ char *exact = malloc(size > 0 ? size : 1);
        ASSERT_NOT_NULL(exact);
        memcpy(exact, buf->bytes, size);

        int r = exec_run_parse(exact, size, &spec);
        if (strncmp(m->name, "good", 4) != 0) {
                ASSERT_ERRNO_EQ(r, -EBADMSG);
                return;
        }
        ASSERT_OK(r);
        ASSERT_U64_EQ(spec.n_argv, m->n_argv);
        ASSERT_U64_EQ(spec.n_paths, m->n_paths);
        ASSERT_STR_EQ(spec.source_path, "/src");
        ASSERT_STR_EQ(spec.argv[0], "/bin/x");
        ASSERT_TRUE(spec.argv[m->n_argv] == NULL && spec.paths[m->n_paths] == NULL);
}

/* Counts above the maximum, with as many strings as they say. */
static void test_parse_too_many(void) {
        _cleanup_free_ MessageBuffer *buf = malloc(sizeof(MessageBuffer));
        ExecRunSpec spec;

        ASSERT_NOT_NULL(buf);
        for (unsigned which = 0; which < 2; which++) {
                for (uint32_t n = EXEC_STRINGS_MAX; n <= EXEC_STRINGS_MAX + 1; n++) {
                        size_t at = sizeof(ExecRun);

                        test_case_begin("exec_run_parse: %u %s", n, which ? "paths" : "argv");
                        buf->run = header_typical;
                        buf->run.type = EXEC_MSG_RUN;
                        buf->run.n_argv = which ? 1 : n;
                        buf->run.n_paths = which ? n : 0;
                        memcpy(buf->bytes + at, "/src", 5);
                        at += 5;
                        for (uint32_t s = 0; s < n + (which ? 1 : 0); s++) {
                                memcpy(buf->bytes + at, "/a", 3);
                                at += 3;
                        }
                        ASSERT_ERRNO_EQ(exec_run_parse(buf->bytes, at, &spec), n > EXEC_STRINGS_MAX ? -EBADMSG : 0);
                }
        }
        test_case_begin("test_parse_too_many");
}

/* A well-formed message one byte over EXEC_MSG_MAX. */
static void test_parse_too_large(void) {
        _cleanup_free_ MessageBuffer *buf = malloc(sizeof(MessageBuffer));
        ExecRunSpec spec;
        size_t size = EXEC_MSG_MAX + 1;

        ASSERT_NOT_NULL(buf);
        buf->run = header_typical;
        buf->run.type = EXEC_MSG_RUN;
        buf->run.n_argv = 2;
        buf->run.n_paths = 0;
        memcpy(buf->bytes + sizeof(ExecRun), "/s\0/x\0", 6);
        memset(buf->bytes + sizeof(ExecRun) + 6, 'a', size - sizeof(ExecRun) - 6 - 1);
        buf->bytes[size - 1] = 0;
        ASSERT_ERRNO_EQ(exec_run_parse(buf->bytes, size, &spec), -EBADMSG);
        /* The same, one byte shorter, is fine. */
        buf->bytes[size - 2] = 0;
        ASSERT_OK(exec_run_parse(buf->bytes, size - 1, &spec));
}

static const char *const argv_one[] = { "/bin/x", NULL };

static const struct {
        const char *name;
        const char *source;
        const char *const *argv;
        const char *const *paths;
        size_t size;            /* 0: EXEC_MSG_MAX; (size_t) -1: a byte short of the message */
        int result;
} format_cases[] = {
        { "relative source", "src", argv_one, NULL, 0, -EINVAL },
        { "empty source", "", argv_one, NULL, 0, -EINVAL },
        { "no argv", "/s", NULL, NULL, 0, -EINVAL },
        { "empty argv", "/s", (const char *const[]) { NULL }, NULL, 0, -EINVAL },
        { "no room for the header", "/s", argv_one, NULL, sizeof(ExecRun) - 1, -E2BIG },
        { "none at all", "/s", argv_one, NULL, 1, -E2BIG },
        { "room for the header only", "/s", argv_one, NULL, sizeof(ExecRun), -E2BIG },
        { "room for the source only", "/s", argv_one, NULL, sizeof(ExecRun) + 3, -E2BIG },
        { "a byte short", "/s", argv_one, PATHS_REAL, (size_t) -1, -E2BIG },
        { "a byte short, in argv", "/s", (const char *const[]) { "/bin/x", "-c", "print(1)", NULL }, NULL, (size_t) -1,
          -E2BIG },
};

static void test_format(size_t i) {
        _cleanup_free_ MessageBuffer *buf = malloc(sizeof(MessageBuffer));
        size_t size = format_cases[i].size;

        test_case_begin("exec_run_format: %s", format_cases[i].name);
        ASSERT_NOT_NULL(buf);
        if (size == 0)
                size = EXEC_MSG_MAX;
        else if (size == (size_t) -1)
                size = message_size(format_cases[i].source, format_cases[i].argv, format_cases[i].paths) - 1;
        memset(buf, CANARY, sizeof(*buf));
        ASSERT_ERRNO_EQ(exec_run_format(buf->bytes, size, &header_typical, format_cases[i].source, format_cases[i].argv,
                                        format_cases[i].paths),
                        format_cases[i].result);
        /* Nothing written past @size. */
        for (size_t b = size; b < sizeof(buf->bytes); b++)
                ASSERT_FAIL_IF(buf->bytes[b] != CANARY, "byte %zu past a size of %zu written", b, size);
        /* And with one byte more, it fits. */
        if (format_cases[i].size == (size_t) -1)
                ASSERT_INT_EQ(exec_run_format(buf->bytes, size + 1, &header_typical, format_cases[i].source,
                                              format_cases[i].argv, format_cases[i].paths),
                              (intmax_t) size + 1);
}

/* Counts over EXEC_STRINGS_MAX, and strings over EXEC_MSG_MAX. */
static void test_format_too_many(void) {
        _cleanup_free_ MessageBuffer *buf = malloc(sizeof(MessageBuffer));
        const char *many[EXEC_STRINGS_MAX + 2] = {}, *long_argv[EXEC_STRINGS_MAX + 1] = {};
        char path[300];

        ASSERT_NOT_NULL(buf);
        for (size_t i = 0; i < EXEC_STRINGS_MAX + 1; i++)
                many[i] = "/a";
        ASSERT_ERRNO_EQ(exec_run_format(buf->bytes, EXEC_MSG_MAX, &header_typical, "/s", many, NULL), -EINVAL);
        ASSERT_ERRNO_EQ(exec_run_format(buf->bytes, EXEC_MSG_MAX, &header_typical, "/s", argv_one, many), -EINVAL);
        many[EXEC_STRINGS_MAX] = NULL;
        ASSERT_TRUE(exec_run_format(buf->bytes, EXEC_MSG_MAX, &header_typical, "/s", many, many) > 0);

        /* 256 strings of 299 bytes: more than a message holds. */
        memset(path, 'a', sizeof(path) - 1);
        path[0] = '/';
        path[sizeof(path) - 1] = 0;
        for (size_t i = 0; i < EXEC_STRINGS_MAX; i++)
                long_argv[i] = path;
        memset(buf, CANARY, sizeof(*buf));
        ASSERT_ERRNO_EQ(exec_run_format(buf->bytes, EXEC_MSG_MAX, &header_typical, "/s", long_argv, NULL), -E2BIG);
        for (size_t b = EXEC_MSG_MAX; b < sizeof(buf->bytes); b++)
                ASSERT_FAIL_IF(buf->bytes[b] != CANARY, "byte %zu past EXEC_MSG_MAX written", b);
}

static void test_step_to_string(void) {
        for (ExecStep s = 0; s < _EXEC_STEP_MAX; s++) {
                const char *name = exec_step_to_string(s);

                test_case_begin("exec_step_to_string(%d)", (int) s);
                ASSERT_NOT_NULL(name);
                ASSERT_TRUE(name[0] != 0);
                ASSERT_TRUE(strcmp(name, "an unknown step") != 0);
                /* Each step told apart. */
                for (ExecStep t = 0; t < s; t++)
                        ASSERT_TRUE(strcmp(name, exec_step_to_string(t)) != 0);
        }
        test_case_begin("exec_step_to_string: out of range");
        ASSERT_STR_EQ(exec_step_to_string(_EXEC_STEP_MAX), "an unknown step");
        ASSERT_STR_EQ(exec_step_to_string((ExecStep) 1000), "an unknown step");
        ASSERT_STR_EQ(exec_step_to_string((ExecStep) -1), "an unknown step");
        ASSERT_STR_EQ(exec_step_to_string(EXEC_STEP_PROC), "mounting /proc");
}

int main(void) {
        TEST_TABLE(test_round_trip, round_trip_cases);
        TEST_RUN(test_round_trip_largest);
        TEST_TABLE(test_parse, parse_cases);
        TEST_RUN(test_parse_too_many);
        TEST_RUN(test_parse_too_large);
        TEST_TABLE(test_format, format_cases);
        TEST_RUN(test_format_too_many);
        TEST_RUN(test_step_to_string);
        return test_summary();
}
