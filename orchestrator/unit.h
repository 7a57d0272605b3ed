/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>

#include "policy.h"

/* Where the program finds its source inside the sandbox: the same for every job, so tracebacks
 * and stacks name no host path or job id. */
#define UNIT_SOURCE_DIR "/run/kw"

/* Everything one run's transient service is made of. */
typedef struct UnitSpec {
        const char *name;            /* kw-<job>-<n>.service */
        const char *description;
        const Language *language;
        char *const *syscalls;       /* the policy's allow-list for every run */
        const Limits *limits;
        const char *source_path;     /* on the host; the program sees it read-only as UNIT_SOURCE_DIR/name */
        const char *runstat_path;    /* kw-runstat, the privileged ExecStopPost= */
        const char *exec_path;       /* kw-exec, which loads the filter and execs the interpreter */
        const char *filter_path;     /* the compiled seccomp program for this language */
        const char *job_id;
        unsigned run;
        const char *journal_socket;  /* journald's native socket, for kw-runstat */
        const char *slice;           /* Slice=, or NULL */
        const char *scratch_dir;     /* a tmpfs bound to /tmp, /var/tmp and /dev/shm */
        const char *input;
        size_t input_size;
        int stdout_fd;
        int stderr_fd;
} UnitSpec;

/**
 * unit_new_start_message() - build StartTransientUnit for @spec: every sandbox setting, the limits,
 * stdin data and output fds, AddRef so the unit stays until kw has read it.
 * Return: 0 or -errno.
 */
int unit_new_start_message(sd_bus *bus, const UnitSpec *spec, sd_bus_message **ret);
