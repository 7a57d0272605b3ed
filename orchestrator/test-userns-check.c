/* SPDX-License-Identifier: MIT */
#include "test-helpers.h"
#include "userns-check.h"

#define NEED "cells need unprivileged user namespaces, and the sysctl "

/* A fake /proc/sys: each sysctl a file. */
typedef struct Sysctl {
        const char *path;       /* below the fake dir */
        const char *text;       /* NULL: no such file */
} Sysctl;

/* A host where cells work, Debian's and Ubuntu's optional settings included. */
static const Sysctl good[] = {
        { "user/max_user_namespaces", "63413\n" },
        { "user/max_mnt_namespaces", "63413\n" },
        { "user/max_pid_namespaces", "63413\n" },
        { "user/max_ipc_namespaces", "63413\n" },
        { "user/max_uts_namespaces", "63413\n" },
        { "user/max_net_namespaces", "63413\n" },
        { "user/max_cgroup_namespaces", "63413\n" },
        { "kernel/unprivileged_userns_clone", "1\n" },
        { "kernel/apparmor_restrict_unprivileged_userns", "0\n" },
};

static const struct {
        const char *name;
        Sysctl change;          /* to the good host */
        int result;
        const char *error;
} cases[] = {
        { "all fine", {}, 0, NULL },
        { "a count of 1 is enough", { "user/max_net_namespaces", "1\n" }, 0, NULL },
        { "no newline", { "user/max_user_namespaces", "5" }, 0, NULL },
        { "no unprivileged_userns_clone (not Debian)", { "kernel/unprivileged_userns_clone", NULL }, 0, NULL },
        { "no apparmor_restrict_unprivileged_userns (not Ubuntu)",
          { "kernel/apparmor_restrict_unprivileged_userns", NULL }, 0, NULL },
        { "user.max_user_namespaces 0", { "user/max_user_namespaces", "0\n" }, -EPERM,
          NEED "user.max_user_namespaces is 0 (set it to 1)" },
        { "user.max_mnt_namespaces 0", { "user/max_mnt_namespaces", "0\n" }, -EPERM,
          NEED "user.max_mnt_namespaces is 0 (set it to 1)" },
        { "user.max_pid_namespaces 0", { "user/max_pid_namespaces", "0\n" }, -EPERM,
          NEED "user.max_pid_namespaces is 0 (set it to 1)" },
        { "user.max_ipc_namespaces 0", { "user/max_ipc_namespaces", "0\n" }, -EPERM,
          NEED "user.max_ipc_namespaces is 0 (set it to 1)" },
        { "user.max_uts_namespaces 0", { "user/max_uts_namespaces", "0\n" }, -EPERM,
          NEED "user.max_uts_namespaces is 0 (set it to 1)" },
        { "user.max_net_namespaces 0", { "user/max_net_namespaces", "0\n" }, -EPERM,
          NEED "user.max_net_namespaces is 0 (set it to 1)" },
        { "user.max_cgroup_namespaces 0", { "user/max_cgroup_namespaces", "0\n" }, -EPERM,
          NEED "user.max_cgroup_namespaces is 0 (set it to 1)" },
        { "kernel.unprivileged_userns_clone 0", { "kernel/unprivileged_userns_clone", "0\n" }, -EPERM,
          NEED "kernel.unprivileged_userns_clone is 0 (set it to 1)" },
        { "kernel.unprivileged_userns_clone 2", { "kernel/unprivileged_userns_clone", "2\n" }, -EPERM,
          NEED "kernel.unprivileged_userns_clone is 2 (set it to 1)" },
        { "kernel.apparmor_restrict_unprivileged_userns 1", { "kernel/apparmor_restrict_unprivileged_userns", "1\n" },
          -EPERM, NEED "kernel.apparmor_restrict_unprivileged_userns is 1 (set it to 0)" },
        { "user.max_user_namespaces missing", { "user/max_user_namespaces", NULL }, -ENOENT,
          "cannot read the sysctl user.max_user_namespaces: No such file or directory" },
        { "user.max_cgroup_namespaces missing", { "user/max_cgroup_namespaces", NULL }, -ENOENT,
          "cannot read the sysctl user.max_cgroup_namespaces: No such file or directory" },
        { "user.max_pid_namespaces not a number", { "user/max_pid_namespaces", "many\n" }, -EINVAL,
          "cannot read the sysctl user.max_pid_namespaces: Invalid argument" },
        { "user.max_ipc_namespaces empty", { "user/max_ipc_namespaces", "" }, -EINVAL,
          "cannot read the sysctl user.max_ipc_namespaces: Invalid argument" },
        { "kernel.unprivileged_userns_clone not a number", { "kernel/unprivileged_userns_clone", "yes\n" }, -EINVAL,
          "cannot read the sysctl kernel.unprivileged_userns_clone: Invalid argument" },
        { "kernel.apparmor_restrict_unprivileged_userns negative",
          { "kernel/apparmor_restrict_unprivileged_userns", "-1\n" }, -EINVAL,
          "cannot read the sysctl kernel.apparmor_restrict_unprivileged_userns: Invalid argument" },
};

static int make_proc_sys(const char *dir, const Sysctl *change) {
        for (size_t i = 0; i < ELEMENTSOF(good); i++) {
                const char *text = good[i].text;
                if (change->path && strcmp(change->path, good[i].path) == 0)
                        text = change->text;
                if (!text)
                        continue;
                int r = test_write_string(dir, good[i].path, text);
                if (r < 0)
                        return r;
        }
        return 0;
}

static void test_userns_check(size_t i) {
        _cleanup_rm_rf_ char *dir = test_tmpdir();
        _cleanup_free_ char *error = NULL;

        test_case_begin("userns_check: %s", cases[i].name);
        ASSERT_OK(make_proc_sys(dir, &cases[i].change));
        ASSERT_ERRNO_EQ(userns_check(dir, &error), cases[i].result);
        ASSERT_STR_EQ(error, cases[i].error);
}

/* Only the required sysctls, on a kernel without either patch. */
static void test_only_required(void) {
        _cleanup_rm_rf_ char *dir = test_tmpdir();
        _cleanup_free_ char *error = NULL;

        for (size_t i = 0; i < ELEMENTSOF(good); i++)
                if (strncmp(good[i].path, "user/", 5) == 0)
                        ASSERT_OK(test_write_string(dir, good[i].path, good[i].text));
        ASSERT_OK(userns_check(dir, &error));
        ASSERT_STR_EQ(error, NULL);
}

/* A directory that is not there at all: the first sysctl cannot be read. */
static void test_no_dir(void) {
        _cleanup_free_ char *error = NULL;

        ASSERT_ERRNO_EQ(userns_check("/kw-test-no-such-dir", &error), -ENOENT);
        ASSERT_STR_EQ(error, "cannot read the sysctl user.max_user_namespaces: No such file or directory");
}

/* A dotted directory name: only the sysctl's name has its dots made slashes. */
static void test_dotted_dir(void) {
        _cleanup_rm_rf_ char *tmp = test_tmpdir();
        _cleanup_free_ char *dir = NULL, *error = NULL;
        Sysctl none = {};

        ASSERT_TRUE(asprintf_safe(&dir, "%s/proc.sys", tmp) >= 0);
        ASSERT_OK(make_proc_sys(dir, &none));
        ASSERT_OK(userns_check(dir, &error));
        ASSERT_STR_EQ(error, NULL);
}

/* This host, for what it is worth: any answer, but a sound one (an error always told). */
static void test_host(void) {
        _cleanup_free_ char *error = NULL;

        int r = userns_check("/proc/sys", &error);
        ASSERT_TRUE(r <= 0);
        ASSERT_TRUE((r == 0) == (error == NULL));
}

int main(void) {
        TEST_TABLE(test_userns_check, cases);
        TEST_RUN(test_only_required);
        TEST_RUN(test_no_dir);
        TEST_RUN(test_dotted_dir);
        TEST_RUN(test_host);
        return test_summary();
}
