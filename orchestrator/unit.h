/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>

#include "policy.h"

/* Inside the sandbox: the run's code directory (read-only), the same for every job, so tracebacks
 * and stacks name no host path or job id; kw-exec and the seccomp program sit beside it. */
#define UNIT_SOURCE_DIR "/run/kw"
#define UNIT_EXEC_PATH "/run/kw-exec"
#define UNIT_FILTER_PATH "/run/kw-seccomp.bpf"
/* In the code directory: "JOB_ID RUN", kw's note to kw-runstat of whose run this was. */
#define UNIT_RUN_NOTE ".kw-run"

/* Everything one transient service is made of. */
typedef struct UnitSpec {
        const char *name;            /* kw-....service */
        const char *description;
        const Language *language;
        char *const *syscalls;       /* the policy's coarse SystemCallFilter= */
        const Limits *limits;
        uint64_t runtime_max_usec;   /* RuntimeMaxSec=: the backstop; kw's own timer ends a run sooner */
        const char *code_dir;        /* on the host; the program sees it read-only as UNIT_SOURCE_DIR */
        const char *runstat_path;    /* kw-runstat, the privileged ExecStopPost= */
        const char *exec_path;       /* kw-exec, which loads the filter, waits for its go, execs the interpreter */
        const char *filter_path;     /* the compiled seccomp program for this language */
        const char *journal_socket;  /* journald's native socket, for kw-runstat */
        const char *slice;           /* Slice=, or NULL */
        const char *scratch_dir;     /* a tmpfs bound to /tmp, /var/tmp and /dev/shm */
        int stdin_fd;
        int stdout_fd;
        int stderr_fd;
} UnitSpec;

/**
 * unit_new_start_message() - build StartTransientUnit for @spec: every sandbox setting, the limits,
 * the stdio fds, AddRef so the unit stays until kw has read it.
 * Return: 0 or -errno.
 */
int unit_new_start_message(sd_bus *bus, const UnitSpec *spec, sd_bus_message **ret);
