/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <sys/mount.h>
#include <string.h>

#include "rundir.h"
#include "unit.h"

/* Inside the sandbox: a directory of root's, mode 0700, that the program cannot enter. */
#define UNIT_PRIVATE_DIR "/run/kw-private"


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
        /* 0 = no namespace type may be created. */
        if (r >= 0)
                r = append_u64(m, "RestrictNamespaces", 0);
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

/* The coarse outer layer: an allow-list (the policy's list plus the language's additions) or, when
 * the list starts with "~", a deny-list. PID 1 compiles it at every spawn: @system-service as an
 * allow-list costs ~17 ms a run here, a deny-list of a dozen groups next to nothing, while kw-exec's
 * precompiled filter stays the fine-grained allow-list. */
static int append_syscall_filter(sd_bus_message *m, char *const *common, char *const *extra) {
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
        for (char *const *s = extra; r >= 0 && !deny && s && *s; s++)
                r = sd_bus_message_append(m, "s", *s);
        for (int i = 0; r >= 0 && i < 4; i++)
                r = sd_bus_message_close_container(m);
        return r;
}

static int append_limits(sd_bus_message *m, const Limits *l, uint64_t runtime_max_usec) {
        uint64_t cpu_sec = (l->time_ms + 999) / 1000;
        int r;

        /* RLIMIT_CPU counts the process's whole life, systemd's set-up of the unit in it too (~0.1-0.2 s,
         * which kw takes off the program's time): a second more, so that no program is stopped before
         * it had its whole limit (kw judges the time it measured); SIGKILL a second after SIGXCPU for
         * a program that ignores it. */
        r = append_rlimit(m, "LimitCPU", cpu_sec + 1, cpu_sec + 2);
        if (r >= 0)
                r = append_rlimit(m, "LimitNOFILE", l->open_files, l->open_files);
        if (r >= 0)
                r = append_rlimit(m, "LimitFSIZE", l->file_size_bytes, l->file_size_bytes);
        if (r >= 0)
                r = append_rlimit(m, "LimitCORE", 0, 0);
        /* No locked memory: mlock() is refused by seccomp, but mmap(MAP_LOCKED) and shmctl(SHM_LOCK)
         * lock up to RLIMIT_MEMLOCK (8 MiB by default) that the kernel can never reclaim. */
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
                r = append_u64(m, "MemoryMax", l->memory_bytes);
        if (r >= 0)
                r = append_u64(m, "MemorySwapMax", 0);
        if (r >= 0)
                r = append_u64(m, "TasksMax", l->processes);
        if (r >= 0)
                r = append_u64(m, "CPUQuotaPerSecUSec", l->cpu_percent * 10000);
        if (r >= 0)
                r = append_u64(m, "RuntimeMaxUSec", runtime_max_usec);

        return r;
}

/* kw-exec FILTER INTERPRETER ARGS...: the compiled seccomp program first, then (once kw says go) the
 * interpreter. */
static int append_exec(sd_bus_message *m, const Language *lang, const Limits *limits) {
        char source[PATH_MAX], memory_mb[32];
        int r;

        snprintf(source, sizeof(source), UNIT_SOURCE_DIR "/%s", lang->source_file);
        snprintf(memory_mb, sizeof(memory_mb), "%" PRIu64, limits->memory_bytes >> 20);

        r = sd_bus_message_open_container(m, 'r', "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", "ExecStart");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', "a(sasb)");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(sasb)");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'r', "sasb");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", UNIT_EXEC_PATH);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "s");
        if (r >= 0)
                r = sd_bus_message_append(m, "sss", UNIT_EXEC_PATH, UNIT_FILTER_PATH, lang->interpreter);
        for (char **a = lang->arguments; r >= 0 && *a; a++) {
                _cleanup_free_ char *arg = NULL;
                r = policy_expand_argument(*a, source, memory_mb, &arg);
                if (r >= 0)
                        r = sd_bus_message_append(m, "s", arg);
        }
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_append(m, "b", 0);
        for (int i = 0; r >= 0 && i < 4; i++)
                r = sd_bus_message_close_container(m);
        return r;
}

/* kw-runstat as a privileged ExecStopPost=: it runs once every process of the program is gone, and
 * finds which job and run it was in the note kw left in the code directory at the hand over. */
static int append_runstat(sd_bus_message *m, const UnitSpec *s) {
        int r;

        r = sd_bus_message_open_container(m, 'r', "sv");
        if (r >= 0)
                r = sd_bus_message_append(m, "s", "ExecStopPostEx");
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'v', "a(sasas)");
        if (r >= 0)
                r = sd_bus_message_append(m, "a(sasas)", 1, UNIT_PRIVATE_DIR "/kw-runstat", 5, "kw-runstat", s->name,
                                          UNIT_PRIVATE_DIR "/journal-socket", UNIT_PRIVATE_DIR "/cgroup",
                                          UNIT_SOURCE_DIR "/" UNIT_RUN_NOTE, 1, "privileged");
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        return r;
}

static int append_io(sd_bus_message *m, const UnitSpec *s) {
        int r;

        r = sd_bus_message_append(m, "(sv)", "StandardInputFileDescriptor", "h", s->stdin_fd);
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "StandardOutputFileDescriptor", "h", s->stdout_fd);
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "StandardErrorFileDescriptor", "h", s->stderr_fd);
        /* /run hidden: host sockets (the bus, journald) and other jobs' sources are out of reach.
         * kw-runstat and journald's socket are bound into a directory only root can enter: the
         * privileged ExecStopPost= still runs in the run's mount namespace, where the host path of
         * kw-runstat may be hidden (ProtectHome=). */
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "TemporaryFileSystem", "a(ss)", 2, "/run", "mode=0755,size=1M,ro",
                                          UNIT_PRIVATE_DIR, "mode=0700,size=1M,ro");
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "BindReadOnlyPaths", "a(ssbt)", 3, s->journal_socket,
                                          UNIT_PRIVATE_DIR "/journal-socket", 0, (uint64_t) 0, s->runstat_path,
                                          UNIT_PRIVATE_DIR "/kw-runstat", 0, (uint64_t) 0, "/sys/fs/cgroup",
                                          UNIT_PRIVATE_DIR "/cgroup", 0, (uint64_t) MS_REC);
        /* The cgroup tree would show every other run (units, pids, memory and CPU counters) and the
         * host's services: the program gets none of it, kw-runstat reads it in the private dir. */
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "InaccessiblePaths", "as", 1, "/sys/fs/cgroup");
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "BindReadOnlyPaths", "a(ssbt)", 3, s->code_dir, UNIT_SOURCE_DIR, 0,
                                          (uint64_t) 0, s->exec_path, UNIT_EXEC_PATH, 0, (uint64_t) 0,
                                          s->filter_path, UNIT_FILTER_PATH, 0, (uint64_t) 0);
        /* The only writable places, all on one size-bounded tmpfs of the run's own. These bind mounts
         * win over the PrivateTmp= that DynamicUser= implies, and over PrivateDevices='s /dev/shm,
         * which would be the host's. */
        if (r >= 0) {
                char tmp[PATH_MAX], var_tmp[PATH_MAX], shm[PATH_MAX];
                snprintf(tmp, sizeof(tmp), "%s/%s", s->scratch_dir, run_dir_scratch_dirs[0]);
                snprintf(var_tmp, sizeof(var_tmp), "%s/%s", s->scratch_dir, run_dir_scratch_dirs[1]);
                snprintf(shm, sizeof(shm), "%s/%s", s->scratch_dir, run_dir_scratch_dirs[2]);
                r = sd_bus_message_append(m, "(sv)", "BindPaths", "a(ssbt)", 3, tmp, "/tmp", 0, (uint64_t) 0, var_tmp,
                                          "/var/tmp", 0, (uint64_t) 0, shm, "/dev/shm", 0, (uint64_t) 0);
        }
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
        /* Every process of the run dies at once when it ends or runs out of time. */
        if (r >= 0)
                r = sd_bus_message_append(m, "(sv)", "KillSignal", "i", SIGKILL);
        if (r >= 0)
                r = append_string(m, "WorkingDirectory", "/tmp");
        if (r >= 0 && s->slice)
                r = append_string(m, "Slice", s->slice);
        if (r >= 0)
                r = append_hardening(m);
        if (r >= 0)
                r = append_syscall_filter(m, s->syscalls, s->language->syscalls);
        if (r >= 0)
                r = append_limits(m, s->limits, s->runtime_max_usec);
        if (r >= 0)
                r = append_exec(m, s->language, s->limits);
        if (r >= 0)
                r = append_runstat(m, s);
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
