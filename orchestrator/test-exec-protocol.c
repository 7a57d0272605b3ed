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

/* Header fields a caller leaves in, that format sets itself (the counts, the type, the padding). */
static const ExecRun header_garbage = {
        .type = 0xdeadbeef, .n_argv = 77, .n_paths = 99, .n_files = 3, .padding = 0xffffffff,
        .cpu_soft_sec = UINT64_MAX, .cpu_hard_sec = UINT64_MAX, .open_files = UINT64_MAX,
        .file_size_bytes = UINT64_MAX, .tmp_bytes = UINT64_MAX,
};

static const char *const PATHS_REAL[] = { "/usr", "/bin", "/lib", "/lib64", "/etc/ld.so.cache", NULL };

/* A run as a caller gives it: a header, and the strings. exec_files and product_bytes go into a copy
 * of the header. */
typedef struct RunCase {
        const char *name;
        const ExecRun *header;
        uint32_t exec_files;
        uint64_t product_bytes;
        const char *workdir;
        const char *argv[8];
        const char *const *paths;               /* NULL: none */
        const char *files[EXEC_FILES_MAX + 2];  /* NULL-terminated */
        const char *product;
} RunCase;

#define T &header_typical

static const RunCase round_trip_cases[] = {
        { .name = "python", .header = T, .workdir = "/run/kw",
          .argv = { "/usr/bin/python3", "-I", "-B", "/run/kw/main.py" }, .paths = PATHS_REAL,
          .files = { "/run/kw/main.py" } },
        { .name = "argv[0] alone, no paths, no files", .header = T, .workdir = "/", .argv = { "/usr/bin/node" } },
        { .name = "empty paths list", .header = T, .workdir = "/w", .argv = { "/x" },
          .paths = (const char *const[]) { NULL }, .files = { "/s" } },
        { .name = "empty arguments", .header = T, .workdir = "/w", .argv = { "/x", "", "", "y" },
          .paths = (const char *const[]) { "/", NULL }, .files = { "/s" } },
        { .name = "header fields set by format", .header = &header_garbage, .exec_files = 1, .workdir = "/",
          .argv = { "/x" }, .paths = (const char *const[]) { "/a", "/b", NULL }, .files = { "/f" } },
        { .name = "bytes beyond ASCII", .header = T, .workdir = "/run/\xc3\xa9", .argv = { "/x", "\x01\x7f\x80" },
          .paths = (const char *const[]) { "/\xe2\x82\xac", NULL }, .files = { "/run/kw/\xc3\xa9\xff" } },
        /* Compiling: the source in, the product out. */
        { .name = "compile, with a product", .header = T, .product_bytes = 64 << 20, .workdir = "/tmp",
          .argv = { "/usr/bin/gcc", "-O2", "-o", "a.out", "main.c" }, .paths = PATHS_REAL, .files = { "/tmp/main.c" },
          .product = "a.out" },
        { .name = "product named ...", .header = T, .product_bytes = 1, .workdir = "/tmp", .argv = { "/x" },
          .product = "..." },
        { .name = "product of the largest size", .header = T, .product_bytes = UINT64_MAX, .workdir = "/tmp",
          .argv = { "/x" }, .product = ".hidden" },
        { .name = "product and garbage header", .header = &header_garbage, .product_bytes = 1, .workdir = "/",
          .argv = { "/x" }, .product = "p" },
        /* Running a product: the program is a file of the run, executable. */
        { .name = "executable product as the program", .header = T, .exec_files = 1, .workdir = "/tmp",
          .argv = { "/tmp/a.out" }, .paths = PATHS_REAL, .files = { "/tmp/a.out" } },
        /* A custom checker: the program and the three texts it reads. */
        { .name = "four files, the first executable", .header = T, .exec_files = 0x1, .workdir = "/tmp",
          .argv = { "/tmp/check", "input", "output", "answer" }, .paths = PATHS_REAL,
          .files = { "/tmp/check", "/tmp/input", "/tmp/output", "/tmp/answer" } },
        { .name = "four files, all executable", .header = T, .exec_files = 0xf, .workdir = "/", .argv = { "/a" },
          .files = { "/a", "/b", "/c", "/d" } },
        { .name = "four files, the last executable", .header = T, .exec_files = 0x8, .workdir = "/", .argv = { "/d" },
          .files = { "/a", "/b", "/c", "/d" } },
        { .name = "two files, neither executable", .header = T, .workdir = "/", .argv = { "/x" }, .files = { "/a", "/b" } },
        { .name = "files, exec bits and a product", .header = T, .exec_files = 0x5, .product_bytes = 4096,
          .workdir = "/w", .argv = { "/x", "{file}" }, .paths = PATHS_REAL, .files = { "/a", "/b", "/c" },
          .product = "prog" },
        { .name = "file path /", .header = T, .workdir = "/", .argv = { "/x" }, .files = { "/" } },
};

static size_t strv_n(const char *const *l) {
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

/* Append @l's strings, each with its NUL, at *at. */
static void append_strings(char *out, size_t *at, const char *const *l) {
        for (size_t i = 0; l && l[i]; i++) {
                size_t n = strlen(l[i]) + 1;
                memcpy(out + *at, l[i], n);
                *at += n;
        }
}

/* The bytes after the header of a message of these strings, into @out (NULL: only the size).
 * Return: their count. */
static size_t message_tail(const ExecRunStrings *s, char *out) {
        size_t n = strlen(s->workdir) + 1;
        for (size_t i = 0; s->argv && s->argv[i]; i++)
                n += strlen(s->argv[i]) + 1;
        for (size_t i = 0; s->paths && s->paths[i]; i++)
                n += strlen(s->paths[i]) + 1;
        for (size_t i = 0; s->files && s->files[i]; i++)
                n += strlen(s->files[i]) + 1;
        if (s->product)
                n += strlen(s->product) + 1;
        if (out) {
                size_t at = 0;
                append_strings(out, &at, (const char *const[]) { s->workdir, NULL });
                append_strings(out, &at, s->argv);
                append_strings(out, &at, s->paths);
                append_strings(out, &at, s->files);
                append_strings(out, &at, (const char *const[]) { s->product, NULL });
        }
        return n;
}

/* What a message of these strings takes. */
static size_t message_size(const ExecRunStrings *s) {
        return sizeof(ExecRun) + message_tail(s, NULL);
}

static ExecRunStrings case_strings(const RunCase *c) {
        return (ExecRunStrings) {
                .workdir = c->workdir, .argv = c->argv, .paths = c->paths, .files = c->files, .product = c->product,
        };
}

static ExecRun case_header(const RunCase *c) {
        ExecRun h = *c->header;
        h.exec_files = c->exec_files;
        h.product_bytes = c->product_bytes;
        return h;
}

/* Each string of @l points into @buf (of @size bytes) and equals @want's. */
static bool strings_match(const char *const *l, const char *const *want, size_t n, const char *buf, size_t size) {
        for (size_t i = 0; i < n; i++)
                if (!l[i] || l[i] < buf || l[i] >= buf + size || strcmp(l[i], want[i]) != 0)
                        return false;
        return l[n] == NULL;
}

/* Format into @buf, parse back, and compare with what went in. */
static void check_round_trip(MessageBuffer *buf, const ExecRun *header, const ExecRunStrings *s) {
        size_t want = message_size(s), n_argv = strv_n(s->argv), n_paths = strv_n(s->paths),
               n_files = strv_n(s->files);
        _cleanup_free_ char *tail = malloc(want - sizeof(ExecRun));
        ExecRunSpec spec;

        ASSERT_NOT_NULL(tail);
        message_tail(s, tail);
        memset(buf, CANARY, sizeof(*buf));
        int r = exec_run_format(buf->bytes, EXEC_MSG_MAX, header, s);
        ASSERT_INT_EQ(r, (intmax_t) want);
        ASSERT_TRUE(buf->bytes[want] == CANARY);
        ASSERT_U64_EQ(buf->run.type, EXEC_MSG_RUN);
        ASSERT_U64_EQ(buf->run.n_argv, n_argv);
        ASSERT_U64_EQ(buf->run.n_paths, n_paths);
        ASSERT_U64_EQ(buf->run.n_files, n_files);
        ASSERT_U64_EQ(buf->run.exec_files, header->exec_files);
        ASSERT_U64_EQ(buf->run.product_bytes, header->product_bytes);
        ASSERT_U64_EQ(buf->run.padding, 0);
        /* The strings in their order, back to back: workdir, argv, paths, files, product. */
        ASSERT_MEM_EQ(buf->bytes + sizeof(ExecRun), want - sizeof(ExecRun), tail, want - sizeof(ExecRun));

        ASSERT_OK(exec_run_parse(buf->bytes, (size_t) r, &spec));
        ASSERT_TRUE(spec.run == &buf->run);
        ASSERT_U64_EQ(spec.run->cpu_soft_sec, header->cpu_soft_sec);
        ASSERT_U64_EQ(spec.run->cpu_hard_sec, header->cpu_hard_sec);
        ASSERT_U64_EQ(spec.run->open_files, header->open_files);
        ASSERT_U64_EQ(spec.run->file_size_bytes, header->file_size_bytes);
        ASSERT_U64_EQ(spec.run->tmp_bytes, header->tmp_bytes);
        ASSERT_U64_EQ(spec.run->exec_files, header->exec_files);
        ASSERT_U64_EQ(spec.run->product_bytes, header->product_bytes);
        ASSERT_STR_EQ(spec.workdir, s->workdir);
        /* The strings point into the message. */
        ASSERT_TRUE(spec.workdir == buf->bytes + sizeof(ExecRun));
        ASSERT_U64_EQ(spec.n_argv, n_argv);
        ASSERT_U64_EQ(spec.n_paths, n_paths);
        ASSERT_U64_EQ(spec.n_files, n_files);
        ASSERT_TRUE(strings_match(spec.argv, s->argv, n_argv, buf->bytes, (size_t) r));
        ASSERT_TRUE(strings_match(spec.paths, s->paths, n_paths, buf->bytes, (size_t) r));
        ASSERT_TRUE(strings_match(spec.files, s->files, n_files, buf->bytes, (size_t) r));
        if (s->product) {
                ASSERT_STR_EQ(spec.product, s->product);
                /* The last string of the message. */
                ASSERT_TRUE(spec.product == buf->bytes + r - strlen(s->product) - 1);
        } else
                ASSERT_TRUE(spec.product == NULL);
        ASSERT_U64_EQ(exec_run_fds(spec.run), EXEC_FIXED_FDS + (s->product ? 1 : 0) + n_files);
        ASSERT_TRUE(exec_run_fds(spec.run) <= EXEC_FDS_MAX);
}

static void test_round_trip(size_t i) {
        _cleanup_free_ MessageBuffer *buf = malloc(sizeof(MessageBuffer));
        const RunCase *c = &round_trip_cases[i];
        ExecRunStrings s = case_strings(c);
        ExecRun h = case_header(c);

        test_case_begin("exec_run round trip: %s", c->name);
        ASSERT_NOT_NULL(buf);
        check_round_trip(buf, &h, &s);
}

/* EXEC_STRINGS_MAX of each, EXEC_FILES_MAX files and a product, and a message of exactly EXEC_MSG_MAX
 * bytes. */
static void test_round_trip_largest(void) {
        _cleanup_free_ MessageBuffer *buf = malloc(sizeof(MessageBuffer));
        _cleanup_free_ char *big = NULL;
        const char *argv[EXEC_STRINGS_MAX + 1] = {}, *paths[EXEC_STRINGS_MAX + 1] = {};
        const char *const files[] = { "/f0", "/f1", "/f2", "/f3", NULL };
        char names[EXEC_STRINGS_MAX][8];
        ExecRun h = header_typical;

        ASSERT_NOT_NULL(buf);
        for (size_t i = 0; i < EXEC_STRINGS_MAX; i++) {
                snprintf(names[i], sizeof(names[i]), "/p%zu", i);
                argv[i] = names[i] + 1;
                paths[i] = names[i];
        }
        argv[0] = "/bin/x";
        h.exec_files = 0xf;
        h.product_bytes = 1;
        check_round_trip(buf, &h,
                         &(ExecRunStrings) { .workdir = "/w", .argv = argv, .paths = paths, .files = files, .product = "a.out" });

        /* One argument filling the rest of the largest message. */
        ExecRunStrings s = { .workdir = "/w", .argv = (const char *const[]) { "/x", "", NULL }, .files = files,
                             .product = "a.out" };
        size_t fill = EXEC_MSG_MAX - message_size(&s);
        big = malloc(fill + 1);
        ASSERT_NOT_NULL(big);
        memset(big, 'a', fill);
        big[fill] = 0;
        s.argv = (const char *const[]) { "/x", big, NULL };
        ASSERT_U64_EQ(message_size(&s), EXEC_MSG_MAX);
        check_round_trip(buf, &h, &s);
}

/* A message built by hand: a header and the bytes after it. */
typedef struct RawMessage {
        const char *name;
        bool good;
        uint32_t type;          /* 0: EXEC_MSG_RUN */
        uint32_t n_argv, n_paths, n_files, exec_files;
        uint64_t product_bytes;
        const char *tail;
        size_t tail_size;
        int cut;                /* bytes of the header left off the end (a short message) */
} RawMessage;

#define TAIL(s) .tail = s, .tail_size = sizeof(s) - 1
#define GOOD(name) name, true
#define BAD(name) name, false

static const RawMessage parse_cases[] = {
        /* Good: the base of the bad ones below. */
        { GOOD("good"), 0, 1, 0, 0, 0, 0, TAIL("/w\0/bin/x\0") },
        { GOOD("good, with paths"), 0, 2, 2, 0, 0, 0, TAIL("/w\0/bin/x\0-c\0/usr\0/etc/x\0") },
        { GOOD("good, empty argument"), 0, 2, 0, 0, 0, 0, TAIL("/w\0/bin/x\0\0") },
        { GOOD("good, a file"), 0, 1, 1, 1, 0, 0, TAIL("/w\0/bin/x\0/usr\0/w/main.c\0") },
        { GOOD("good, a file, executable"), 0, 1, 0, 1, 1, 0, TAIL("/w\0/w/a.out\0/w/a.out\0") },
        { GOOD("good, four files, all executable"), 0, 1, 0, 4, 0xf, 0, TAIL("/w\0/bin/x\0/a\0/b\0/c\0/d\0") },
        { GOOD("good, a product"), 0, 1, 0, 1, 0, 1 << 20, TAIL("/w\0/bin/x\0/w/main.c\0a.out\0") },
        { GOOD("good, a product, no files"), 0, 1, 0, 0, 0, 1, TAIL("/w\0/bin/x\0a.out\0") },
        { GOOD("good, a product named ..."), 0, 1, 0, 0, 0, 1, TAIL("/w\0/bin/x\0...\0") },
        { GOOD("good, workdir /"), 0, 1, 0, 0, 0, 0, TAIL("/\0/bin/x\0") },
        /* Too short. */
        { BAD("empty"), 0, 1, 0, 0, 0, 0, .cut = (int) sizeof(ExecRun) },
        { BAD("a byte short of a header"), 0, 1, 0, 0, 0, 0, .cut = 1 },
        { BAD("header only"), 0, 1, 0, 0, 0, 0, TAIL("") },
        /* Wrong type. */
        { BAD("type READY"), EXEC_MSG_READY, 1, 0, 0, 0, 0, TAIL("/w\0/bin/x\0") },
        { BAD("type KILL"), EXEC_MSG_KILL, 1, 0, 0, 0, 0, TAIL("/w\0/bin/x\0") },
        { BAD("type END"), EXEC_MSG_END, 1, 0, 0, 0, 0, TAIL("/w\0/bin/x\0") },
        { BAD("type RUN, byte-swapped"), 0x0200776b, 1, 0, 0, 0, 0, TAIL("/w\0/bin/x\0") },
        /* Counts. */
        { BAD("n_argv 0"), 0, 0, 0, 0, 0, 0, TAIL("/w\0/bin/x\0") },
        { BAD("n_argv 0, nothing after the workdir"), 0, 0, 0, 0, 0, 0, TAIL("/w\0") },
        { BAD("n_argv above the maximum"), 0, EXEC_STRINGS_MAX + 1, 0, 0, 0, 0, TAIL("/w\0/bin/x\0") },
        { BAD("n_argv UINT32_MAX"), 0, UINT32_MAX, 0, 0, 0, 0, TAIL("/w\0/bin/x\0") },
        { BAD("n_paths above the maximum"), 0, 1, EXEC_STRINGS_MAX + 1, 0, 0, 0, TAIL("/w\0/bin/x\0") },
        { BAD("n_paths UINT32_MAX"), 0, 1, UINT32_MAX, 0, 0, 0, TAIL("/w\0/bin/x\0") },
        { BAD("n_files above the maximum, with as many files"), 0, 1, 0, EXEC_FILES_MAX + 1, 0, 0,
          TAIL("/w\0/bin/x\0/a\0/b\0/c\0/d\0/e\0") },
        { BAD("n_files 32"), 0, 1, 0, 32, 0, 0, TAIL("/w\0/bin/x\0/a\0") },
        { BAD("n_files UINT32_MAX"), 0, 1, 0, UINT32_MAX, 0, 0, TAIL("/w\0/bin/x\0/a\0") },
        { BAD("more argv than strings"), 0, 2, 0, 0, 0, 0, TAIL("/w\0/bin/x\0") },
        { BAD("more paths than strings"), 0, 1, 2, 0, 0, 0, TAIL("/w\0/bin/x\0/usr\0") },
        { BAD("paths counted, none there"), 0, 1, 1, 0, 0, 0, TAIL("/w\0/bin/x\0") },
        { BAD("more files than strings"), 0, 1, 0, 3, 0, 0, TAIL("/w\0/bin/x\0/a\0/b\0") },
        { BAD("a file counted, none there"), 0, 1, 0, 1, 0, 0, TAIL("/w\0/bin/x\0") },
        { BAD("no workdir at all"), 0, 1, 0, 0, 0, 0, TAIL("") },
        /* exec_files: no bit at or above n_files. */
        { BAD("exec bit 0, no files"), 0, 1, 0, 0, 1, 0, TAIL("/w\0/bin/x\0") },
        { BAD("exec bit 1, one file"), 0, 1, 0, 1, 0x2, 0, TAIL("/w\0/bin/x\0/a\0") },
        { BAD("exec bit 4, four files"), 0, 1, 0, 4, 0x1f, 0, TAIL("/w\0/bin/x\0/a\0/b\0/c\0/d\0") },
        { BAD("exec bit 31, four files"), 0, 1, 0, 4, 0x80000000, 0, TAIL("/w\0/bin/x\0/a\0/b\0/c\0/d\0") },
        { BAD("exec bits all set, three files"), 0, 1, 0, 3, UINT32_MAX, 0, TAIL("/w\0/bin/x\0/a\0/b\0/c\0") },
        /* Strings. */
        { BAD("workdir not NUL-terminated"), 0, 1, 0, 0, 0, 0, TAIL("/w") },
        { BAD("last argument not NUL-terminated"), 0, 2, 0, 0, 0, 0, TAIL("/w\0/bin/x\0-c") },
        { BAD("last path not NUL-terminated"), 0, 1, 1, 0, 0, 0, TAIL("/w\0/bin/x\0/usr") },
        { BAD("last file not NUL-terminated"), 0, 1, 0, 1, 0, 0, TAIL("/w\0/bin/x\0/a") },
        { BAD("product not NUL-terminated"), 0, 1, 0, 0, 0, 1, TAIL("/w\0/bin/x\0a.out") },
        { BAD("relative workdir"), 0, 1, 0, 0, 0, 0, TAIL("w\0/bin/x\0") },
        { BAD("empty workdir"), 0, 1, 0, 0, 0, 0, TAIL("\0/bin/x\0") },
        { BAD("relative root path"), 0, 1, 2, 0, 0, 0, TAIL("/w\0/bin/x\0/usr\0lib\0") },
        { BAD("empty root path"), 0, 1, 1, 0, 0, 0, TAIL("/w\0/bin/x\0\0") },
        { BAD("relative file path"), 0, 1, 0, 2, 0, 0, TAIL("/w\0/bin/x\0/a\0main.c\0") },
        { BAD("empty file path"), 0, 1, 0, 1, 0, 0, TAIL("/w\0/bin/x\0\0") },
        /* The product: a plain file name, there exactly when product_bytes says so. */
        { BAD("product_bytes, no product"), 0, 1, 0, 0, 0, 1, TAIL("/w\0/bin/x\0") },
        { BAD("product_bytes, a file where the product should follow"), 0, 1, 0, 1, 0, 1, TAIL("/w\0/bin/x\0/a\0") },
        { BAD("a product, product_bytes 0"), 0, 1, 0, 0, 0, 0, TAIL("/w\0/bin/x\0a.out\0") },
        { BAD("product with a slash"), 0, 1, 0, 0, 0, 1, TAIL("/w\0/bin/x\0a/b\0") },
        { BAD("product an absolute path"), 0, 1, 0, 0, 0, 1, TAIL("/w\0/bin/x\0/a.out\0") },
        { BAD("product ending in a slash"), 0, 1, 0, 0, 0, 1, TAIL("/w\0/bin/x\0a.out/\0") },
        { BAD("product .."), 0, 1, 0, 0, 0, 1, TAIL("/w\0/bin/x\0..\0") },
        { BAD("product ."), 0, 1, 0, 0, 0, 1, TAIL("/w\0/bin/x\0.\0") },
        { BAD("product empty"), 0, 1, 0, 0, 0, 1, TAIL("/w\0/bin/x\0\0") },
        /* Trailing bytes. */
        { BAD("a byte after the last string"), 0, 1, 0, 0, 0, 0, TAIL("/w\0/bin/x\0x") },
        { BAD("a NUL after the last string"), 0, 1, 0, 0, 0, 0, TAIL("/w\0/bin/x\0\0") },
        { BAD("a string more than counted"), 0, 1, 1, 0, 0, 0, TAIL("/w\0/bin/x\0/usr\0/lib\0") },
        { BAD("a file more than counted"), 0, 1, 0, 1, 0, 0, TAIL("/w\0/bin/x\0/a\0/b\0") },
        { BAD("a string after the product"), 0, 1, 0, 0, 0, 1, TAIL("/w\0/bin/x\0a.out\0b\0") },
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
        buf->run.n_files = m->n_files;
        buf->run.exec_files = m->exec_files;
        buf->run.product_bytes = m->product_bytes;
        if (m->tail)
                memcpy(buf->bytes + sizeof(ExecRun), m->tail, m->tail_size);
        size_t size = sizeof(ExecRun) + m->tail_size - (size_t) m->cut;
        /* Parsed from a copy of exactly its size: a read past it is valgrind's (or ASan's). */
        _cleanup_free_ char *exact = malloc(size > 0 ? size : 1);
        ASSERT_NOT_NULL(exact);
        memcpy(exact, buf->bytes, size);

        int r = exec_run_parse(exact, size, &spec);
        if (!m->good) {
                ASSERT_ERRNO_EQ(r, -EBADMSG);
                return;
        }
        ASSERT_OK(r);
        ASSERT_U64_EQ(spec.n_argv, m->n_argv);
        ASSERT_U64_EQ(spec.n_paths, m->n_paths);
        ASSERT_U64_EQ(spec.n_files, m->n_files);
        ASSERT_TRUE(spec.workdir == exact + sizeof(ExecRun));
        ASSERT_TRUE(spec.workdir[0] == '/');
        ASSERT_TRUE(spec.argv[m->n_argv] == NULL && spec.paths[m->n_paths] == NULL &&
                    spec.files[m->n_files] == NULL);
        for (size_t f = 0; f < m->n_files; f++)
                ASSERT_TRUE(spec.files[f][0] == '/');
        ASSERT_TRUE((spec.product != NULL) == (m->product_bytes > 0));
        if (spec.product) {
                ASSERT_TRUE(spec.product[0] != 0 && !strchr(spec.product, '/'));
                ASSERT_TRUE(spec.product + strlen(spec.product) + 1 == exact + size);
        }
        ASSERT_U64_EQ(exec_run_fds(spec.run), EXEC_FIXED_FDS + (m->product_bytes > 0) + m->n_files);
}

/* Counts above the maximum, with as many strings as they say. */
static void test_parse_too_many(void) {
        _cleanup_free_ MessageBuffer *buf = malloc(sizeof(MessageBuffer));
        ExecRunSpec spec;
        static const struct {
                const char *what;
                uint32_t max;
        } counts[] = { { "argv", EXEC_STRINGS_MAX }, { "paths", EXEC_STRINGS_MAX }, { "files", EXEC_FILES_MAX } };

        ASSERT_NOT_NULL(buf);
        for (unsigned which = 0; which < ELEMENTSOF(counts); which++) {
                for (uint32_t n = counts[which].max; n <= counts[which].max + 1; n++) {
                        size_t at = sizeof(ExecRun);

                        test_case_begin("exec_run_parse: %u %s", n, counts[which].what);
                        buf->run = header_typical;
                        buf->run.type = EXEC_MSG_RUN;
                        buf->run.n_argv = which == 0 ? n : 1;
                        buf->run.n_paths = which == 1 ? n : 0;
                        buf->run.n_files = which == 2 ? n : 0;
                        memcpy(buf->bytes + at, "/w", 3);
                        at += 3;
                        /* n strings, and argv[0] if argv is not the one counted. */
                        for (uint32_t s = 0; s < n + (which ? 1 : 0); s++) {
                                memcpy(buf->bytes + at, "/a", 3);
                                at += 3;
                        }
                        ASSERT_ERRNO_EQ(exec_run_parse(buf->bytes, at, &spec), n > counts[which].max ? -EBADMSG : 0);
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
        buf->run.n_files = 0;
        buf->run.exec_files = 0;
        buf->run.product_bytes = 0;
        memcpy(buf->bytes + sizeof(ExecRun), "/s\0/x\0", 6);
        memset(buf->bytes + sizeof(ExecRun) + 6, 'a', size - sizeof(ExecRun) - 6 - 1);
        buf->bytes[size - 1] = 0;
        ASSERT_ERRNO_EQ(exec_run_parse(buf->bytes, size, &spec), -EBADMSG);
        /* The same, one byte shorter, is fine. */
        buf->bytes[size - 2] = 0;
        ASSERT_OK(exec_run_parse(buf->bytes, size - 1, &spec));
}

/* Refused by format. size 0: EXEC_MSG_MAX; (size_t) -1: a byte short of the message. */
typedef struct FormatCase {
        RunCase run;
        size_t size;
        int result;
} FormatCase;

#define ONE "/bin/x"

static const FormatCase format_cases[] = {
        { { .name = "relative workdir", .header = T, .workdir = "w", .argv = { ONE } }, 0, -EINVAL },
        { { .name = "empty workdir", .header = T, .workdir = "", .argv = { ONE } }, 0, -EINVAL },
        { { .name = "no argv", .header = T, .workdir = "/w" }, 0, -EINVAL },
        { { .name = "relative root path", .header = T, .workdir = "/w", .argv = { ONE },
            .paths = (const char *const[]) { "/usr", "lib", NULL } }, 0, -EINVAL },
        /* Files. */
        { { .name = "five files", .header = T, .workdir = "/w", .argv = { ONE }, .files = { "/a", "/b", "/c", "/d", "/e" } },
          0, -EINVAL },
        { { .name = "relative file path", .header = T, .workdir = "/w", .argv = { ONE }, .files = { "/a", "main.c" } }, 0,
          -EINVAL },
        { { .name = "empty file path", .header = T, .workdir = "/w", .argv = { ONE }, .files = { "" } }, 0, -EINVAL },
        { { .name = "exec bit 0, no files", .header = T, .exec_files = 0x1, .workdir = "/w", .argv = { ONE } }, 0, -EINVAL },
        { { .name = "exec bit 2, two files", .header = T, .exec_files = 0x4, .workdir = "/w", .argv = { ONE },
            .files = { "/a", "/b" } }, 0, -EINVAL },
        { { .name = "exec bit 4, four files", .header = T, .exec_files = 0x10, .workdir = "/w", .argv = { ONE },
            .files = { "/a", "/b", "/c", "/d" } }, 0, -EINVAL },
        { { .name = "exec bit 31, four files", .header = T, .exec_files = 0x80000000, .workdir = "/w", .argv = { ONE },
            .files = { "/a", "/b", "/c", "/d" } }, 0, -EINVAL },
        /* The product. */
        { { .name = "product given, product_bytes 0", .header = T, .workdir = "/w", .argv = { ONE }, .product = "a.out" },
          0, -EINVAL },
        { { .name = "product_bytes, no product", .header = T, .product_bytes = 1, .workdir = "/w", .argv = { ONE } }, 0,
          -EINVAL },
        { { .name = "product with a slash", .header = T, .product_bytes = 1, .workdir = "/w", .argv = { ONE },
            .product = "a/b" }, 0, -EINVAL },
        { { .name = "product an absolute path", .header = T, .product_bytes = 1, .workdir = "/w", .argv = { ONE },
            .product = "/tmp/a.out" }, 0, -EINVAL },
        { { .name = "product ..", .header = T, .product_bytes = 1, .workdir = "/w", .argv = { ONE }, .product = ".." }, 0,
          -EINVAL },
        { { .name = "product .", .header = T, .product_bytes = 1, .workdir = "/w", .argv = { ONE }, .product = "." }, 0,
          -EINVAL },
        { { .name = "product empty", .header = T, .product_bytes = 1, .workdir = "/w", .argv = { ONE }, .product = "" }, 0,
          -EINVAL },
        /* Room. */
        { { .name = "no room for the header", .header = T, .workdir = "/w", .argv = { ONE } }, sizeof(ExecRun) - 1, -E2BIG },
        { { .name = "none at all", .header = T, .workdir = "/w", .argv = { ONE } }, 1, -E2BIG },
        { { .name = "room for the header only", .header = T, .workdir = "/w", .argv = { ONE } }, sizeof(ExecRun), -E2BIG },
        { { .name = "room for the workdir only", .header = T, .workdir = "/w", .argv = { ONE } }, sizeof(ExecRun) + 3,
          -E2BIG },
        { { .name = "a byte short", .header = T, .workdir = "/w", .argv = { ONE }, .paths = PATHS_REAL }, (size_t) -1,
          -E2BIG },
        { { .name = "a byte short, in argv", .header = T, .workdir = "/w", .argv = { ONE, "-c", "print(1)" } }, (size_t) -1,
          -E2BIG },
        { { .name = "a byte short, in files", .header = T, .exec_files = 0x1, .workdir = "/w", .argv = { ONE },
            .paths = PATHS_REAL, .files = { "/a", "/bb" } }, (size_t) -1, -E2BIG },
        { { .name = "a byte short, in the product", .header = T, .product_bytes = 1, .workdir = "/w", .argv = { ONE },
            .paths = PATHS_REAL, .files = { "/a" }, .product = "a.out" }, (size_t) -1, -E2BIG },
        { { .name = "a buffer over EXEC_MSG_MAX", .header = T, .workdir = "/w", .argv = { ONE }, .files = { "/a" } },
          EXEC_MSG_MAX + 1, -E2BIG },
};

static void test_format(size_t i) {
        _cleanup_free_ MessageBuffer *buf = malloc(sizeof(MessageBuffer));
        const FormatCase *c = &format_cases[i];
        ExecRunStrings s = case_strings(&c->run);
        ExecRun h = case_header(&c->run);
        size_t size = c->size;

        test_case_begin("exec_run_format: %s", c->run.name);
        ASSERT_NOT_NULL(buf);
        if (size == 0)
                size = EXEC_MSG_MAX;
        else if (size == (size_t) -1)
                size = message_size(&s) - 1;
        memset(buf, CANARY, sizeof(*buf));
        ASSERT_ERRNO_EQ(exec_run_format(buf->bytes, size, &h, &s), c->result);
        /* Nothing written past @size. */
        for (size_t b = size; b < sizeof(buf->bytes); b++)
                ASSERT_FAIL_IF(buf->bytes[b] != CANARY, "byte %zu past a size of %zu written", b, size);
        /* And with one byte more, it fits. */
        if (c->size == (size_t) -1)
                ASSERT_INT_EQ(exec_run_format(buf->bytes, size + 1, &h, &s), (intmax_t) size + 1);
}

/* Counts over EXEC_STRINGS_MAX, and strings over EXEC_MSG_MAX. */
static void test_format_too_many(void) {
        _cleanup_free_ MessageBuffer *buf = malloc(sizeof(MessageBuffer));
        const char *many[EXEC_STRINGS_MAX + 2] = {}, *long_argv[EXEC_STRINGS_MAX + 1] = {};
        const char *const argv_one[] = { ONE, NULL };
        char path[300];

        ASSERT_NOT_NULL(buf);
        for (size_t i = 0; i < EXEC_STRINGS_MAX + 1; i++)
                many[i] = "/a";
        ASSERT_ERRNO_EQ(exec_run_format(buf->bytes, EXEC_MSG_MAX, &header_typical,
                                        &(ExecRunStrings) { .workdir = "/w", .argv = many }),
                        -EINVAL);
        ASSERT_ERRNO_EQ(exec_run_format(buf->bytes, EXEC_MSG_MAX, &header_typical,
                                        &(ExecRunStrings) { .workdir = "/w", .argv = argv_one, .paths = many }),
                        -EINVAL);
        ASSERT_ERRNO_EQ(exec_run_format(buf->bytes, EXEC_MSG_MAX, &header_typical,
                                        &(ExecRunStrings) { .workdir = "/w", .argv = argv_one, .files = many }),
                        -EINVAL);
        many[EXEC_STRINGS_MAX] = NULL;
        ASSERT_TRUE(exec_run_format(buf->bytes, EXEC_MSG_MAX, &header_typical,
                                    &(ExecRunStrings) { .workdir = "/w", .argv = many, .paths = many }) > 0);
        many[EXEC_FILES_MAX] = NULL;
        ASSERT_TRUE(exec_run_format(buf->bytes, EXEC_MSG_MAX, &header_typical,
                                    &(ExecRunStrings) { .workdir = "/w", .argv = argv_one, .files = many }) > 0);

        /* 256 strings of 299 bytes: more than a message holds. */
        memset(path, 'a', sizeof(path) - 1);
        path[0] = '/';
        path[sizeof(path) - 1] = 0;
        for (size_t i = 0; i < EXEC_STRINGS_MAX; i++)
                long_argv[i] = path;
        memset(buf, CANARY, sizeof(*buf));
        ASSERT_ERRNO_EQ(exec_run_format(buf->bytes, EXEC_MSG_MAX, &header_typical,
                                        &(ExecRunStrings) { .workdir = "/w", .argv = long_argv }),
                        -E2BIG);
        for (size_t b = EXEC_MSG_MAX; b < sizeof(buf->bytes); b++)
                ASSERT_FAIL_IF(buf->bytes[b] != CANARY, "byte %zu past EXEC_MSG_MAX written", b);
}

static void test_run_fds(void) {
        static const struct {
                uint32_t n_files;
                uint64_t product_bytes;
                size_t fds;
        } cases[] = {
                { 0, 0, 4 }, { 1, 0, 5 }, { 0, 1, 5 }, { 1, 64 << 20, 6 }, { 4, 0, 8 }, { 4, UINT64_MAX, 9 },
        };

        ASSERT_U64_EQ(EXEC_FIXED_FDS, 4);
        ASSERT_U64_EQ(EXEC_FDS_MAX, 9);
        for (size_t i = 0; i < ELEMENTSOF(cases); i++) {
                ExecRun run = { .n_files = cases[i].n_files, .product_bytes = cases[i].product_bytes };

                test_case_begin("exec_run_fds: %u files, product_bytes %" PRIu64, cases[i].n_files,
                                cases[i].product_bytes);
                ASSERT_U64_EQ(exec_run_fds(&run), cases[i].fds);
        }
        test_case_begin("test_run_fds");
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
        ASSERT_STR_EQ(exec_step_to_string(EXEC_STEP_FILE), "writing a file of the run");
        ASSERT_STR_EQ(exec_step_to_string(EXEC_STEP_WORKDIR), "entering the working directory");
}

int main(void) {
        TEST_TABLE(test_round_trip, round_trip_cases);
        TEST_RUN(test_round_trip_largest);
        TEST_TABLE(test_parse, parse_cases);
        TEST_RUN(test_parse_too_many);
        TEST_RUN(test_parse_too_large);
        TEST_TABLE(test_format, format_cases);
        TEST_RUN(test_format_too_many);
        TEST_RUN(test_run_fds);
        TEST_RUN(test_step_to_string);
        return test_summary();
}
