/* SPDX-License-Identifier: MIT */
#include <sys/stat.h>

#include "cgstat.h"
#include "test-helpers.h"

#define UNIT "/system.slice/kw-0123-0.service"

static const struct {
        const char *name;
        const char *text;
        int result;
        const char *unified;
        const char *memory;
} paths_cases[] = {
        { "hybrid",
          "12:memory:" UNIT "\n11:cpu,cpuacct:" UNIT "\n1:name=systemd:" UNIT "\n0::" UNIT "\n", 0, UNIT, UNIT },
        { "unified only", "0::/user.slice/session-1.scope\n", 0, "/user.slice/session-1.scope", NULL },
        { "the root", "0::/", 0, "/", NULL },
        { "memory among other controllers", "7:blkio,memory,pids:/a\n", 0, NULL, "/a" },
        { "memory last in the list", "7:pids,memory:/a\n0::/b", 0, "/b", "/a" },
        { "not quite memory", "7:memoryx,xmemory:/a\n", 0, NULL, NULL },
        { "paths with colons", "0::/a:b::c\n12:memory:/x:y:", 0, "/a:b::c", "/x:y:" },
        { "v1 without memory", "1:name=systemd:/x\n2:cpu:/y\n", 0, NULL, NULL },
        { "empty controllers on a v1 id", "1::/x\n", 0, NULL, NULL },
        { "id 0 with controllers", "0:cpu:/x\n", 0, NULL, NULL },
        { "blank lines", "\n\n0::/x\n\n\n", 0, "/x", NULL },
        { "the first of two wins", "0::/a\n0::/b\n3:memory:/c\n4:memory:/d\n", 0, "/a", "/c" },
        { "nothing", "", 0, NULL, NULL },
        { "no colon", "garbage\n", -EBADMSG, NULL, NULL },
        { "one colon", "0:/x\n", -EBADMSG, NULL, NULL },
        { "relative path", "0::x\n", -EBADMSG, NULL, NULL },
        { "empty path", "0::\n", -EBADMSG, NULL, NULL },
        { "good lines, then a bad one", "12:memory:/a\n0::/a\nbad\n", -EBADMSG, NULL, NULL },
};

static void test_paths_parse(size_t i) {
        char *unified = (char *) "untouched", *memory = (char *) "untouched";

        test_case_begin("cgroup_paths_parse: %s", paths_cases[i].name);
        int r = cgroup_paths_parse(paths_cases[i].text, &unified, &memory);
        if (paths_cases[i].result < 0) {
                ASSERT_ERRNO_EQ(r, paths_cases[i].result);
                ASSERT_STR_EQ(unified, "untouched");
                ASSERT_STR_EQ(memory, "untouched");
                return;
        }
        _cleanup_free_ char *u = unified, *m = memory;
        ASSERT_OK(r);
        ASSERT_STR_EQ(u, paths_cases[i].unified);
        ASSERT_STR_EQ(m, paths_cases[i].memory);
}

#define CPU_STAT "usage_usec 123456\nuser_usec 100000\nsystem_usec 23456\nnr_periods 0\n"
#define OOM_CONTROL "oom_kill_disable 0\nunder_oom 0\noom_kill 3\n"

static const struct {
        const char *text;
        const char *key;
        int result;
        uint64_t value;
} keyed_cases[] = {
        { CPU_STAT, "usage_usec", 0, 123456 },
        { CPU_STAT, "user_usec", 0, 100000 },
        { CPU_STAT, "system_usec", 0, 23456 },
        { CPU_STAT, "nr_periods", 0, 0 },
        { CPU_STAT, "usec", -ENOENT, 0 },
        { CPU_STAT, "usage", -ENOENT, 0 },
        { OOM_CONTROL, "oom_kill", 0, 3 },
        { OOM_CONTROL, "oom_kill_disable", 0, 0 },
        { OOM_CONTROL, "oom", -ENOENT, 0 },
        { "a 1\nb 2", "b", 0, 2 },
        { "a 18446744073709551615\n", "a", 0, UINT64_MAX },
        { "xa 1\n", "a", -ENOENT, 0 },
        { "a\t1\n", "a", -ENOENT, 0 },
        { "", "a", -ENOENT, 0 },
        { "\n\n", "a", -ENOENT, 0 },
        { "a \n", "a", -EBADMSG, 0 },
        { "a 123456789012345678901234567890123\n", "a", -EBADMSG, 0 },
        { "a 18446744073709551616\n", "a", -ERANGE, 0 },
        { "a x\n", "a", -EINVAL, 0 },
        { "a -1\n", "a", -EINVAL, 0 },
        { "a 1 2\n", "a", -EINVAL, 0 },
};

static void test_keyed_value(size_t i) {
        uint64_t v = 4242;

        test_case_begin("cgroup_keyed_value(\"%s\") in \"%.20s\"", keyed_cases[i].key, keyed_cases[i].text);
        ASSERT_ERRNO_EQ(cgroup_keyed_value(keyed_cases[i].text, keyed_cases[i].key, &v), keyed_cases[i].result);
        ASSERT_U64_EQ(v, keyed_cases[i].result == 0 ? keyed_cases[i].value : 4242);
}

#define U UINT64_MAX
/* This host's /proc/self/cgroup, as kwd would read it. */
#define LAYOUT_UNIFIED "0::/init.scope\n"
#define LAYOUT_HYBRID "12:memory:/init.scope\n11:cpu,cpuacct:/init.scope\n1:name=systemd:/init.scope\n0::/init.scope\n"
/* Where the cell's files sit below the fake root. */
#define V2 UNIT "/"
#define HV2 "unified" UNIT "/"
#define HV1 "memory" UNIT "/"

typedef struct FakeFile {
        const char *path;       /* below the fake root */
        const char *text;       /* NULL: removed */
} FakeFile;

static int fake_files(const char *root, const FakeFile *files, size_t n) {
        for (size_t f = 0; f < n && files[f].path; f++) {
                _cleanup_free_ char *path = NULL;
                int r;

                if (files[f].text)
                        r = test_write_string(root, files[f].path, files[f].text);
                else if (asprintf_safe(&path, "%s/%s", root, files[f].path) < 0)
                        r = -ENOMEM;
                else
                        r = unlink(path) < 0 ? negative_errno() : 0;
                if (r < 0)
                        return r;
        }
        return 0;
}

/* DIR/RELPATH's text, or NULL. */
static char *fake_read(const char *dir, const char *relpath) {
        _cleanup_free_ char *path = NULL;
        char *text = NULL;
        size_t size;

        if (asprintf_safe(&path, "%s/%s", dir, relpath) < 0 || read_file_all(path, 4096, &text, &size) < 0)
                return NULL;
        return text;
}

/* The lowest free descriptor: the same before and after a call that leaks none. */
static int next_fd(void) {
        int fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (fd >= 0)
                close(fd);
        return fd;
}

/* Whether @fd is the directory DIR/RELPATH. */
static bool fd_is(int fd, const char *dir, const char *relpath) {
        _cleanup_free_ char *path = NULL;
        struct stat a, b;

        return fd >= 0 && asprintf_safe(&path, "%s/%s", dir, relpath) >= 0 && fstat(fd, &a) >= 0 &&
               stat(path, &b) >= 0 &&
               a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

static const struct {
        const char *name;
        const char *layout;
        const char *cgroup;
        FakeFile files[4];
        int result;
        const char *unified;    /* the directory unified_fd is, below the root; NULL: -EBADF */
        const char *memory;
        const char *peak;       /* the file peak_fd is */
} open_cases[] = {
        { "unified", LAYOUT_UNIFIED, UNIT, { { V2 "cpu.stat", "" }, { V2 "memory.peak", "0\n" } }, 0, UNIT, NULL,
          V2 "memory.peak" },
        { "unified, without memory.peak", LAYOUT_UNIFIED, UNIT, { { V2 "cpu.stat", "" } }, 0, UNIT, NULL, NULL },
        { "unified, the root cgroup", "0::/\n", "/", { { "memory.peak", "0\n" } }, 0, "", NULL, "memory.peak" },
        { "hybrid", LAYOUT_HYBRID, UNIT,
          { { HV2 "cpu.stat", "" }, { HV2 "memory.peak", "0\n" }, { HV1 "memory.oom_control", "" } }, 0,
          "unified" UNIT, "memory" UNIT, NULL },
        { "hybrid, with a v2 tree at the root too", LAYOUT_HYBRID, UNIT,
          { { V2 "cpu.stat", "" }, { HV2 "cpu.stat", "" }, { HV1 "memory.oom_control", "" } }, 0, "unified" UNIT,
          "memory" UNIT, NULL },
        { "hybrid, no v1 memory directory", LAYOUT_HYBRID, UNIT, { { HV2 "cpu.stat", "" } }, -ENOENT, NULL, NULL,
          NULL },
        { "hybrid, no unified directory", LAYOUT_HYBRID, UNIT,
          { { V2 "cpu.stat", "" }, { HV1 "memory.oom_control", "" } },
          -ENOENT, NULL, NULL, NULL },
        { "unified, the tree where a hybrid host has it", LAYOUT_UNIFIED, UNIT, { { HV2 "cpu.stat", "" } }, -ENOENT,
          NULL, NULL, NULL },
        { "no such cgroup", LAYOUT_UNIFIED, "/system.slice/other.service", { { V2 "cpu.stat", "" } }, -ENOENT, NULL,
          NULL, NULL },
        { "the cgroup is a file", LAYOUT_UNIFIED, UNIT "/cpu.stat", { { V2 "cpu.stat", "" } }, -ENOTDIR, NULL, NULL,
          NULL },
        { "legacy: no unified hierarchy", "4:memory:/\n1:name=systemd:/\n", UNIT, { { HV1 "memory.oom_control", "" } },
          -ENOMEDIUM, NULL, NULL, NULL },
        { "no hierarchy at all", "", UNIT, { { V2 "cpu.stat", "" } }, -ENOMEDIUM, NULL, NULL, NULL },
        { "a relative cgroup", LAYOUT_UNIFIED, "system.slice", { { V2 "cpu.stat", "" } }, -EINVAL, NULL, NULL, NULL },
        { "a bad layout", "0:/\n", UNIT, { { V2 "cpu.stat", "" } }, -EBADMSG, NULL, NULL, NULL },
};

static void test_open(size_t i) {
        _cleanup_rm_rf_ char *root = test_tmpdir();
        CgroupCounters c = { .unified_fd = 1000, .memory_fd = 1001, .peak_fd = 1002, .peak_resettable = true };
        int fd0;

        test_case_begin("cgroup_counters_open: %s", open_cases[i].name);
        ASSERT_OK(fake_files(root, open_cases[i].files, ELEMENTSOF(open_cases[i].files)));
        fd0 = next_fd();
        int r = cgroup_counters_open(root, open_cases[i].layout, open_cases[i].cgroup, &c);
        ASSERT_ERRNO_EQ(r, open_cases[i].result);
        if (r < 0) {
                /* Untouched, and nothing left open. */
                ASSERT_INT_EQ(c.unified_fd, 1000);
                ASSERT_INT_EQ(c.memory_fd, 1001);
                ASSERT_INT_EQ(c.peak_fd, 1002);
                ASSERT_TRUE(c.peak_resettable);
                ASSERT_INT_EQ(next_fd(), fd0);
                return;
        }
        ASSERT_TRUE(fd_is(c.unified_fd, root, open_cases[i].unified));
        if (open_cases[i].memory)
                ASSERT_TRUE(fd_is(c.memory_fd, root, open_cases[i].memory));
        else
                ASSERT_INT_EQ(c.memory_fd, -EBADF);
        if (open_cases[i].peak) {
                ASSERT_TRUE(fd_is(c.peak_fd, root, open_cases[i].peak));
                ASSERT_INT_EQ(fcntl(c.peak_fd, F_GETFL) & O_ACCMODE, O_RDWR);
        } else
                ASSERT_TRUE(c.peak_fd < 0);     /* -1 from openat(), not CGROUP_COUNTERS_NULL's -EBADF */
        ASSERT_TRUE(!c.peak_resettable);
        /* Every descriptor close-on-exec: kw-exec and the runs must not get the host's cgroup. */
        ASSERT_TRUE(fcntl(c.unified_fd, F_GETFD) & FD_CLOEXEC);
        ASSERT_TRUE(c.memory_fd < 0 || (fcntl(c.memory_fd, F_GETFD) & FD_CLOEXEC));
        ASSERT_TRUE(c.peak_fd < 0 || (fcntl(c.peak_fd, F_GETFD) & FD_CLOEXEC));

        int fds[] = { c.unified_fd, c.memory_fd, c.peak_fd };
        cgroup_counters_close(&c);
        ASSERT_INT_EQ(c.unified_fd, -EBADF);
        ASSERT_INT_EQ(c.memory_fd, -EBADF);
        ASSERT_INT_EQ(c.peak_fd, -EBADF);
        for (size_t f = 0; f < ELEMENTSOF(fds); f++)
                ASSERT_TRUE(fds[f] < 0 || (fcntl(fds[f], F_GETFD) < 0 && errno == EBADF));
        ASSERT_INT_EQ(next_fd(), fd0);
        cgroup_counters_close(&c);      /* again: nothing */
}

#define CPU(n) "usage_usec " #n "\nuser_usec 1\nsystem_usec 2\nnr_periods 0\n"
#define EVENTS(n) "low 0\nhigh 0\nmax 4\noom 9\noom_kill " #n "\noom_group_kill 7\n"
#define OOM(n) "oom_kill_disable 0\nunder_oom 0\noom_kill " #n "\n"

/* A run between begin and end: the files before it, what it changed, what begin and end give. */
static const struct {
        const char *name;
        bool hybrid;
        FakeFile before[6];
        FakeFile after[6];      /* written between begin and end */
        CgroupStats start;      /* memory_peak is always U */
        CgroupStats run;
        const char *reset;      /* the file begin resets, and its text after */
        const char *reset_text;
} run_cases[] = {
        { "unified", false,
          { { V2 "cpu.stat", CPU(1000) }, { V2 "memory.events", EVENTS(2) }, { V2 "memory.peak", "4096\n" } },
          { { V2 "cpu.stat", CPU(251000) }, { V2 "memory.events", EVENTS(3) }, { V2 "memory.peak", "7340032\n" } },
          { 1000, U, 2 }, { 250000, 7340032, 1 }, V2 "memory.peak", "reset\n" },
        { "unified, nothing happened", false,
          { { V2 "cpu.stat", CPU(5) }, { V2 "memory.events", EVENTS(0) }, { V2 "memory.peak", "4096\n" } },
          { { V2 "memory.peak", "8192\n" } },
          { 5, U, 0 }, { 0, 8192, 0 }, V2 "memory.peak", "reset\n" },
        { "unified, the v1 files ignored", false,
          { { V2 "cpu.stat", CPU(1) }, { V2 "memory.events", EVENTS(1) }, { V2 "memory.peak", "1\n" },
            { V2 "memory.oom_control", OOM(50) }, { V2 "memory.max_usage_in_bytes", "77\n" } },
          { { V2 "memory.peak", "2\n" }, { V2 "memory.oom_control", OOM(60) },
            { V2 "memory.max_usage_in_bytes", "88\n" } },
          { 1, U, 1 }, { 0, 2, 0 }, V2 "memory.max_usage_in_bytes", "77\n" },
        { "unified, no memory.peak (before 6.12, or no memory controller)", false,
          { { V2 "cpu.stat", CPU(10) }, { V2 "memory.events", EVENTS(0) } },
          { { V2 "cpu.stat", CPU(20) }, { V2 "memory.peak", "4096\n" } },
          { 10, U, 0 }, { 10, U, 0 }, NULL, NULL },
        { "unified, no memory.events", false,
          { { V2 "cpu.stat", CPU(10) }, { V2 "memory.peak", "1\n" } }, { { V2 "memory.peak", "5\n" } },
          { 10, U, U }, { 0, 5, U }, NULL, NULL },
        { "unified, cpu.stat only at the end", false,
          { { V2 "memory.events", EVENTS(0) }, { V2 "memory.peak", "1\n" } },
          { { V2 "cpu.stat", CPU(10) }, { V2 "memory.peak", "5\n" } },
          { U, U, 0 }, { U, 5, 0 }, NULL, NULL },
        { "unified, cpu.stat gone at the end", false,
          { { V2 "cpu.stat", CPU(10) }, { V2 "memory.events", EVENTS(1) } },
          { { V2 "cpu.stat", NULL }, { V2 "memory.events", EVENTS(4) } },
          { 10, U, 1 }, { U, U, 3 }, NULL, NULL },
        { "unified, counters going back", false,
          { { V2 "cpu.stat", CPU(1000) }, { V2 "memory.events", EVENTS(5) } },
          { { V2 "cpu.stat", CPU(500) }, { V2 "memory.events", EVENTS(1) } },   /* not just -1 */
          { 1000, U, 5 }, { U, U, U }, NULL, NULL },
        { "unified, garbage at the end", false,
          { { V2 "cpu.stat", CPU(1) }, { V2 "memory.events", EVENTS(1) }, { V2 "memory.peak", "1\n" } },
          { { V2 "cpu.stat", "usage_usec lots\n" }, { V2 "memory.events", "oom_kill\n" },
            { V2 "memory.peak", "max\n" } },
          { 1, U, 1 }, { U, U, U }, V2 "memory.peak", "reset\n" },
        { "unified, memory.peak empty at the end", false,
          { { V2 "cpu.stat", CPU(1) }, { V2 "memory.peak", "1\n" } }, { { V2 "memory.peak", "" } },
          { 1, U, U }, { 0, U, U }, NULL, NULL },
        { "hybrid", true,
          { { HV2 "cpu.stat", CPU(1000) }, { HV1 "memory.oom_control", OOM(3) },
            { HV1 "memory.max_usage_in_bytes", "8\n" },
            /* what a unified host would read, here not */
            { HV2 "memory.events", EVENTS(40) }, { HV2 "memory.peak", "999\n" }, { HV1 "cpu.stat", CPU(5) } },
          { { HV2 "cpu.stat", CPU(3000) }, { HV1 "memory.oom_control", OOM(4) },
            { HV1 "memory.max_usage_in_bytes", "2097152\n" },
            { HV2 "memory.events", EVENTS(50) }, { HV1 "cpu.stat", CPU(100000) } },
          { 1000, U, 3 }, { 2000, 2097152, 1 }, HV1 "memory.max_usage_in_bytes", "0\n" },
        { "hybrid, the v2 peak left alone", true,
          { { HV2 "cpu.stat", CPU(1) }, { HV1 "memory.max_usage_in_bytes", "8\n" }, { HV2 "memory.peak", "999\n" } },
          { { HV1 "memory.max_usage_in_bytes", "16\n" } },
          { 1, U, U }, { 0, 16, U }, HV2 "memory.peak", "999\n" },
        { "hybrid, no memory.max_usage_in_bytes", true,
          { { HV2 "cpu.stat", CPU(1) }, { HV1 "memory.oom_control", OOM(0) } },
          { { HV1 "memory.max_usage_in_bytes", "16\n" } },
          { 1, U, 0 }, { 0, U, 0 }, NULL, NULL },
        { "hybrid, an old oom_control without oom_kill", true,
          { { HV2 "cpu.stat", CPU(1) }, { HV1 "memory.oom_control", "oom_kill_disable 0\nunder_oom 0\n" },
            { HV1 "memory.max_usage_in_bytes", "8\n" } },
          { { HV1 "memory.max_usage_in_bytes", "9\n" } },
          { 1, U, U }, { 0, 9, U }, HV1 "memory.max_usage_in_bytes", "0\n" },
        { "hybrid, garbage in the peak", true,
          { { HV2 "cpu.stat", CPU(1) }, { HV1 "memory.max_usage_in_bytes", "8\n" } },
          { { HV1 "memory.max_usage_in_bytes", "-1\n" } },
          { 1, U, U }, { 0, U, U }, NULL, NULL },
};

static void test_run(size_t i) {
        _cleanup_rm_rf_ char *root = test_tmpdir();
        _cleanup_free_ char *reset_text = NULL;
        CgroupCounters c = CGROUP_COUNTERS_NULL;
        CgroupStats start = { 1, 2, 3 }, run = { 4, 5, 6 };

        test_case_begin("cgroup_counters: %s", run_cases[i].name);
        ASSERT_OK(test_write_string(root, run_cases[i].hybrid ? HV1 "keep" : V2 "keep", ""));
        ASSERT_OK(test_write_string(root, HV2 "keep", ""));
        ASSERT_OK(fake_files(root, run_cases[i].before, ELEMENTSOF(run_cases[i].before)));
        ASSERT_OK(cgroup_counters_open(root, run_cases[i].hybrid ? LAYOUT_HYBRID : LAYOUT_UNIFIED, UNIT, &c));

        cgroup_counters_begin(&c, &start);
        ASSERT_U64_EQ(start.cpu_usec, run_cases[i].start.cpu_usec);
        ASSERT_U64_EQ(start.memory_peak, U);
        ASSERT_U64_EQ(start.oom_kills, run_cases[i].start.oom_kills);
        if (run_cases[i].reset) {
                reset_text = fake_read(root, run_cases[i].reset);
                ASSERT_STR_EQ(reset_text, run_cases[i].reset_text);
        }

        ASSERT_OK(fake_files(root, run_cases[i].after, ELEMENTSOF(run_cases[i].after)));
        cgroup_counters_end(&c, &start, &run);
        cgroup_counters_close(&c);
        ASSERT_U64_EQ(run.cpu_usec, run_cases[i].run.cpu_usec);
        ASSERT_U64_EQ(run.memory_peak, run_cases[i].run.memory_peak);
        ASSERT_U64_EQ(run.oom_kills, run_cases[i].run.oom_kills);
}

/* The v2 peak is reset through a descriptor kept open and read back through the same one: the
 * kernel keeps a peak per open file (6.12 and later). Here the file is replaced behind it. */
static void test_peak_through_fd(void) {
        _cleanup_rm_rf_ char *root = test_tmpdir();
        _cleanup_free_ char *old = NULL, *path = NULL, *text = NULL;
        CgroupCounters c = CGROUP_COUNTERS_NULL;
        CgroupStats start, run;

        ASSERT_OK(test_write_string(root, V2 "memory.peak", "4096\n"));
        ASSERT_OK(cgroup_counters_open(root, LAYOUT_UNIFIED, UNIT, &c));
        cgroup_counters_begin(&c, &start);
        text = fake_read(root, V2 "memory.peak");
        ASSERT_STR_EQ(text, "reset\n");
        ASSERT_TRUE(asprintf_safe(&old, "%s/" V2 "memory.peak", root) >= 0);
        ASSERT_TRUE(asprintf_safe(&path, "%s/" V2 "old.peak", root) >= 0);
        ASSERT_TRUE(rename(old, path) == 0);
        ASSERT_OK(test_write_string(root, V2 "old.peak", "12288\n"));     /* the same file, truncated */
        ASSERT_OK(test_write_string(root, V2 "memory.peak", "1\n"));      /* a new one */
        cgroup_counters_end(&c, &start, &run);
        ASSERT_U64_EQ(run.memory_peak, 12288);
        /* And again for the next run, with the same descriptor. */
        cgroup_counters_begin(&c, &start);
        free(text);
        text = fake_read(root, V2 "old.peak");
        ASSERT_STR_EQ(text, "reset\n");
        ASSERT_OK(test_write_string(root, V2 "old.peak", "8192\n"));
        cgroup_counters_end(&c, &start, &run);
        ASSERT_U64_EQ(run.memory_peak, 8192);
        cgroup_counters_close(&c);
}

/* Counters never opened, or closed: every value unknown, no crash. */
static void test_closed(void) {
        CgroupCounters c = CGROUP_COUNTERS_NULL;
        CgroupStats start = { 1, 2, 3 }, run = { 4, 5, 6 };

        cgroup_counters_begin(&c, &start);
        ASSERT_U64_EQ(start.cpu_usec, U);
        ASSERT_U64_EQ(start.memory_peak, U);
        ASSERT_U64_EQ(start.oom_kills, U);
        ASSERT_TRUE(!c.peak_resettable);
        cgroup_counters_end(&c, &start, &run);
        ASSERT_U64_EQ(run.cpu_usec, U);
        ASSERT_U64_EQ(run.memory_peak, U);
        ASSERT_U64_EQ(run.oom_kills, U);
        ASSERT_ERRNO_EQ(cgroup_counters_processes(&c), -EBADF);
        cgroup_counters_close(&c);
}

static const struct {
        const char *name;
        bool hybrid;
        FakeFile files[2];
        int result;
} procs_cases[] = {
        { "three", false, { { V2 "cgroup.procs", "1\n22\n333\n" } }, 3 },
        { "one", false, { { V2 "cgroup.procs", "4711\n" } }, 1 },
        { "none", false, { { V2 "cgroup.procs", "" } }, 0 },
        { "missing", false, { { V2 "cpu.stat", "" } }, -ENOENT },
        { "hybrid: the unified one", true,
          { { HV2 "cgroup.procs", "1\n2\n" }, { HV1 "cgroup.procs", "1\n2\n3\n4\n5\n" } }, 2 },
        { "hybrid: not the v1 one", true, { { HV1 "cgroup.procs", "1\n" } }, -ENOENT },
};

static void test_processes(size_t i) {
        _cleanup_rm_rf_ char *root = test_tmpdir();
        CgroupCounters c = CGROUP_COUNTERS_NULL;

        test_case_begin("cgroup_counters_processes: %s", procs_cases[i].name);
        ASSERT_OK(test_write_string(root, V2 "keep", ""));
        ASSERT_OK(test_write_string(root, HV2 "keep", ""));
        ASSERT_OK(test_write_string(root, HV1 "keep", ""));
        ASSERT_OK(fake_files(root, procs_cases[i].files, ELEMENTSOF(procs_cases[i].files)));
        ASSERT_OK(cgroup_counters_open(root, procs_cases[i].hybrid ? LAYOUT_HYBRID : LAYOUT_UNIFIED, UNIT, &c));
        int r = cgroup_counters_processes(&c);
        cgroup_counters_close(&c);
        ASSERT_ERRNO_EQ(r, procs_cases[i].result);
}

int main(void) {
        TEST_TABLE(test_paths_parse, paths_cases);
        TEST_TABLE(test_keyed_value, keyed_cases);
        TEST_TABLE(test_open, open_cases);
        TEST_TABLE(test_run, run_cases);
        TEST_RUN(test_peak_through_fd);
        TEST_RUN(test_closed);
        TEST_TABLE(test_processes, procs_cases);
        return test_summary();
}
