/* SPDX-License-Identifier: MIT */
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

static const struct {
        const char *name;
        const char *layout;
        const char *cgroup;
        int result;
        const char *text;
} layout_cases[] = {
        { "hybrid", "12:memory:/init.scope\n11:cpu:/init.scope\n0::/init.scope\n", "/kw.slice/kw-1.service", 0,
          "0::/kw.slice/kw-1.service\n1:memory:/kw.slice/kw-1.service" },
        { "unified", "0::/\n", "/kw.slice/kw-1.service", 0, "0::/kw.slice/kw-1.service\n" },
        { "v1 memory only", "4:memory:/\n", "/a", 0, "1:memory:/a" },
        { "neither", "1:name=systemd:/\n", "/a", 0, "" },
        { "a relative cgroup", "0::/\n", "a", -EINVAL, NULL },
        { "a newline in the cgroup", "0::/\n", "/a\n0::/b", -EINVAL, NULL },
        { "a bad layout", "0:/\n", "/a", -EBADMSG, NULL },
};

static void test_layout_for(size_t i) {
        char *text = NULL;

        test_case_begin("cgroup_layout_for: %s", layout_cases[i].name);
        ASSERT_ERRNO_EQ(cgroup_layout_for(layout_cases[i].layout, layout_cases[i].cgroup, &text), layout_cases[i].result);
        _cleanup_free_ char *t = text;
        ASSERT_STR_EQ(t, layout_cases[i].text);
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

/* A fake /sys/fs/cgroup: files below the root, and what /proc/self/cgroup says. */
static const struct {
        const char *name;
        const char *proc_self_cgroup;
        struct {
                const char *path;
                const char *text;
        } files[4];
        int result;
        CgroupStats stats;
} stats_cases[] = {
        { "hybrid", "12:memory:" UNIT "\n1:name=systemd:" UNIT "\n0::" UNIT "\n",
          { { "unified" UNIT "/cpu.stat", CPU_STAT },
            { "unified" UNIT "/memory.peak", "999\n" },        /* not used on a hybrid host */
            { "memory" UNIT "/memory.max_usage_in_bytes", "1048576\n" },
            { "memory" UNIT "/memory.oom_control", OOM_CONTROL } },
          0, { 123456, 1048576, 3 } },
        { "unified", "0::" UNIT "\n",
          { { UNIT "/cpu.stat", CPU_STAT }, { UNIT "/memory.peak", "2097152\n" },
            { UNIT "/memory.events", "low 0\nhigh 0\nmax 5\noom 1\noom_kill 1\n" } },
          0, { 123456, 2097152, 1 } },
        { "unified at the root cgroup", "0::/\n",
          { { "cpu.stat", "usage_usec 7\n" }, { "memory.peak", "8" }, { "memory.events", "oom_kill 0" } },
          0, { 7, 8, 0 } },
        { "v1 memory only", "4:memory:/a\n",
          { { "memory/a/memory.max_usage_in_bytes", "4096" }, { "memory/a/memory.oom_control", OOM_CONTROL } },
          0, { U, 4096, 3 } },
        { "nothing readable", "0::" UNIT "\n", { { "unrelated", "" } }, 0, { U, U, U } },
        { "hybrid, nothing readable", "12:memory:/a\n0::/a\n", { { "a/cpu.stat", CPU_STAT } }, 0, { U, U, U } },
        { "only cpu.stat", "0::" UNIT "\n", { { UNIT "/cpu.stat", CPU_STAT } }, 0, { 123456, U, U } },
        { "garbage in the files", "0::/a\n",
          { { "a/cpu.stat", "usage_usec lots\n" }, { "a/memory.peak", "max\n" }, { "a/memory.events", "oom_kill\n" } },
          0, { U, U, U } },
        { "no hierarchy at all", "", { { "cpu.stat", CPU_STAT } }, 0, { U, U, U } },
        { "malformed /proc/self/cgroup", "0:/a\n", { { "a/cpu.stat", CPU_STAT } }, -EBADMSG, { 1, 2, 3 } },
};

static void test_stats_read(size_t i) {
        _cleanup_rm_rf_ char *root = test_tmpdir();
        CgroupStats s = { 1, 2, 3 };

        test_case_begin("cgroup_stats_read: %s", stats_cases[i].name);
        for (size_t f = 0; f < ELEMENTSOF(stats_cases[i].files) && stats_cases[i].files[f].path; f++)
                ASSERT_OK(test_write_string(root, stats_cases[i].files[f].path, stats_cases[i].files[f].text));

        ASSERT_ERRNO_EQ(cgroup_stats_read(root, stats_cases[i].proc_self_cgroup, &s), stats_cases[i].result);
        ASSERT_U64_EQ(s.cpu_usec, stats_cases[i].stats.cpu_usec);
        ASSERT_U64_EQ(s.memory_peak, stats_cases[i].stats.memory_peak);
        ASSERT_U64_EQ(s.oom_kills, stats_cases[i].stats.oom_kills);
}

int main(void) {
        TEST_TABLE(test_paths_parse, paths_cases);
        TEST_TABLE(test_layout_for, layout_cases);
        TEST_TABLE(test_keyed_value, keyed_cases);
        TEST_TABLE(test_stats_read, stats_cases);
        return test_summary();
}
