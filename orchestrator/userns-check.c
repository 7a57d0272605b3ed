/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "userns-check.h"
#include "util.h"

/* The sysctl @name (dotted) below @proc_sys: its value, or -ENOENT where this kernel has none. */
static int read_sysctl(const char *proc_sys, const char *name, uint64_t *ret) {
        _cleanup_free_ char *path = NULL, *text = NULL;
        size_t n;
        int r;

        if (asprintf_safe(&path, "%s/%s", proc_sys, name) < 0)
                return -ENOMEM;
        for (char *p = path + strlen(proc_sys) + 1; *p; p++)
                if (*p == '.')
                        *p = '/';
        r = read_file_all(path, 64, &text, &n);
        if (r < 0)
                return r;
        return safe_atou64(strstrip(text), ret);
}

int userns_check(const char *proc_sys, char **ret_error) {
        static const struct {
                const char *name;
                uint64_t want;
                bool optional;       /* patches of some distributions only */
                bool exact;          /* must be want, else at least want */
        } settings[] = {
                { "user.max_user_namespaces", 1, false, false },
                { "user.max_mnt_namespaces", 1, false, false },
                { "user.max_pid_namespaces", 1, false, false },
                { "user.max_ipc_namespaces", 1, false, false },
                { "user.max_uts_namespaces", 1, false, false },
                { "user.max_net_namespaces", 1, false, false },
                { "user.max_cgroup_namespaces", 1, false, false },
                { "kernel.unprivileged_userns_clone", 1, true, true },
                { "kernel.apparmor_restrict_unprivileged_userns", 0, true, true },
        };

        for (size_t i = 0; i < ELEMENTSOF(settings); i++) {
                uint64_t v;
                int r = read_sysctl(proc_sys, settings[i].name, &v);
                if (r == -ENOENT && settings[i].optional)
                        continue;
                if (r < 0)
                        return asprintf_safe(ret_error, "cannot read the sysctl %s: %s", settings[i].name,
                                             strerror(-r)) < 0 ? -ENOMEM : r;
                if (settings[i].exact ? v != settings[i].want : v < settings[i].want)
                        return asprintf_safe(ret_error,
                                             "cells need unprivileged user namespaces, and the sysctl %s is %" PRIu64
                                             " (set it to %" PRIu64 ")",
                                             settings[i].name, v, settings[i].want) < 0 ? -ENOMEM : -EPERM;
        }
        return 0;
}
