/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "unit.h"

static int append_bool(sd_bus_message *m, const char *name, int v) {
        return sd_bus_message_append(m, "(sv)", name, "b", v);
}

static int append_u64(sd_bus_message *m, const char *name, uint64_t v) {
        return sd_bus_message_append(m, "(sv)", name, "t", v);
}

static int append_string(sd_bus_message *m, const char *name, const char *v) {
        return sd_bus_message_append(m, "(sv)", name, "s", v);
}

/* An rlimit as systemd takes it: the hard value in LimitX, the soft one in LimitXSoft. */
static int append_rlimit(sd_bus_message *m, const char *name, uint64_t soft, uint64_t hard) {
        char soft_name[32];
        int r;

        snprintf(soft_name, sizeof(soft_name), "%sSoft", name);
        r = append_u64(m, name, hard);
        if (r >= 0)
                r = append_u64(m, soft_name, soft);
        return r;
}

static int append_hardening(sd_bus_message *m) {
        static const char *const booleans[] = {
                "DynamicUser",        "PrivateTmp",            "PrivateDevices",        "PrivateNetwork",
                "PrivateIPC",         "NoNewPrivileges",       "RestrictSUIDSGID",      "RemoveIPC",
                "LockPersonality",    "RestrictRealtime",      "ProtectKernelTunables", "ProtectKernelModules",
                "ProtectKernelLogs",  "ProtectControlGroups",  "ProtectClock",          "ProtectHostname",
        };
        int r = 0;

        for (size_t i = 0; r >= 0 && i < ELEMENTSOF(booleans); i++)
                r = append_bool(m, booleans[i], 1);
        if (r >= 0)
                r = append_string(m, "ProtectSystem", "strict");
        if (r >= 0)
                r = append_string(m, "ProtectHome", "yes");
        if (r >= 0)
                r = append_string(m, "ProtectProc", "invisible");
        if (r >= 0)
                r = append_string(m, "ProcSubset", "pid");
        if (r >= 0)
                r = append_string(m, "KeyringMode", "private");
        if (r >= 0)
                r = append_u64(m, "CapabilityBoundingSet", 0);
        if (r >= 0)
                r = append_u64(m, "AmbientCapabilities", 0);
        /* The namespaces kw-exec makes for each run, and no other kind. */
        if (r >= 0)
                r = append_u64(m, "RestrictNamespaces", CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC |
                                                                CLONE_NEWUTS | CLONE_NEWCGROUP);
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "UMask", "u", 0077);
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "SystemCallArchitectures", "as", 1, "native");
        /* AF_UNIX only, for socketpair(); PrivateNetwork= and the hidden /run leave nothing to reach. */
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "RestrictAddressFamilies", "(bas)", 1, 1, "AF_UNIX");
        /* Nothing from the manager's environment reaches the program. */
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "UnsetEnvironment", "as", 8, "PATH", "LANG", "LC_ALL",
                                          "TERM", "USER", "LOGNAME", "INVOCATION_ID", "SYSTEMD_EXEC_PID");
        return r;
}

/* The coarse outer layer: an allow-list (the policy's list plus every language's additions, for a
 * cell serves them all) or, when the list starts with "~", a deny-list. PID 1 compiles it when it
 * starts the cell; the precompiled filter each program gets stays the fine-grained allow-list. */
static int append_syscall_filter(sd_bus_message *m, const Policy *policy) {
        char *const *common = policy->syscalls;
        bool deny = common[0] && common[0][0] == '~';
        int r;

        r = sd_bus_message_open_container(m, 'r', "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", "SystemCallFilter");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', "(bas)");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'r', "bas");
        if (r >= 0)
                r = sd_bus_message_append(m, "b", !deny);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "s");
        for (char *const *s = common; r >= 0 && *s; s++)
                r = sd_bus_message_append(m, "s", s == common && deny ? *s + 1 : *s);
        /* A language's additions widen an allow-list; a deny-list has nothing to widen. */
        for (size_t i = 0; !deny && i < policy->n_languages; i++)
                for (char *const *s = policy->languages[i].syscalls; r >= 0 && s && *s; s++)
                        r = sd_bus_message_append(m, "s", *s);
        for (int i = 0; r >= 0 && i < 4; i++)
                r = sd_bus_message_close_container(m);
        return r;
}

int unit_append_cgroup_limits(sd_bus_message *m, const Limits *l) {
        int r;

        r = append_u64(m, "MemoryMax", l->memory_bytes);
        if (r >= 0)
                r = append_u64(m, "MemorySwapMax", 0);
        if (r >= 0)
                r = append_u64(m, "TasksMax", l->processes + UNIT_CELL_TASKS);
        if (r >= 0)
                r = append_u64(m, "CPUQuotaPerSecUSec", l->cpu_percent * 10000);
        return r;
}

/* The cell's own limits: what no run may pass (each run's rlimits, set by kw-exec, are lower or the
 * same), and the cgroup's, which SetUnitProperties changes for a run whose limits differ. */
static int append_limits(sd_bus_message *m, const UnitSpec *s) {
        Limits l;
        int r;

        /* A cell serves any run, a compile's among them: its hard rlimits are the highest any run has. */
        policy_rlimits_max(s->policy, &l);
        r = append_rlimit(m, "LimitNOFILE", l.open_files, l.open_files);
        if (r >= 0)
                r = append_rlimit(m, "LimitFSIZE", l.file_size_bytes, l.file_size_bytes);
        if (r >= 0)
                r = append_rlimit(m, "LimitCORE", 0, 0);
        /* No locked memory: mmap(MAP_LOCKED) and shmctl(SHM_LOCK) would lock what nobody reclaims. */
        if (r >= 0)
                r = append_rlimit(m, "LimitMEMLOCK", 0, 0);
        /* Accounting gives the CPU time the verdict is judged on. */
        if (r >= 0)
                r = append_bool(m, "CPUAccounting", 1);
        if (r >= 0)
                r = append_bool(m, "MemoryAccounting", 1);
        if (r >= 0)
                r = append_bool(m, "TasksAccounting", 1);
        if (r >= 0)
                r = unit_append_cgroup_limits(m, s->limits);
        /* An OOM kill is a run's memory verdict, never the end of the cell. */
        if (r >= 0)
                r = append_string(m, "OOMPolicy", "continue");
        if (r >= 0)
                r = append_u64(m, "RuntimeMaxUSec", s->runtime_max_usec);
        return r;
}

/* kw-exec, with no arguments: it takes each run from its stdin. */
static int append_exec(sd_bus_message *m) {
        return sd_bus_message_append(m, "(sv)", "ExecStart", "a(sasb)", 1, UNIT_EXEC_PATH, 1, "kw-exec", 0);
}

static int append_io(sd_bus_message *m, const UnitSpec *s) {
        int r;

        r = sd_bus_message_append(m, "(sv)", "StandardInputFileDescriptor", "h", s->stdin_fd);
        /* kw-exec's own complaints go to the journal, with the cell's unit. */
        if (r >= 0)
                r = append_string(m, "StandardOutput", "journal");
        if (r >= 0)
                r = append_string(m, "StandardError", "journal");
        /* /run hidden: host sockets (the bus, journald) are out of the cell's reach, and so is the
         * cgroup tree, which would show every other cell and the host's services. */
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "TemporaryFileSystem", "a(ss)", 1, "/run", "mode=0755,size=1M,ro");
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "InaccessiblePaths", "as", 1, "/sys/fs/cgroup");
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "BindReadOnlyPaths", "a(ssbt)", 1, s->exec_path, UNIT_EXEC_PATH, 0,
                                          (uint64_t) 0);
        return r;
}

int unit_new_start_message(sd_bus *bus, const UnitSpec *s, sd_bus_message **ret) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager", "StartTransientUnit");
        if (r < 0)
                return r;
        r = sd_bus_message_append(m, "ss", s->name, "fail");
        if (r < 0)
                return r;
        r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r < 0)
                return r;

        r = append_string(m, "Description", s->description);
        if (r >= 0)
                r = append_string(m, "Type", "exec");
        if (r >= 0)
                r = append_bool(m, "AddRef", 1);
        if (r >= 0)
                r = append_string(m, "CollectMode", "inactive-or-failed");
        /* Every process of the cell dies at once when it is stopped. */
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "KillSignal", "i", SIGKILL);
        if (r >= 0 && s->slice)
                r = append_string(m, "Slice", s->slice);
        if (r >= 0)
                r = append_hardening(m);
        if (r >= 0)
                r = append_syscall_filter(m, s->policy);
        if (r >= 0)
                r = append_limits(m, s);
        if (r >= 0)
                r = append_exec(m);
        if (r >= 0)
                r = append_io(m, s);
        if (r < 0)
                return r;

        r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "a(sa(sv))", 0);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(m);
        return 0;
}
