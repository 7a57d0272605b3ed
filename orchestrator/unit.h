/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>

#include "policy.h"

/* Inside a run's root: the source's directory, the same for every job, so tracebacks and stacks
 * name no host path or job id. */
#define UNIT_SOURCE_DIR "/run/kw"
/* Inside the cell: kw-exec, bound read-only from wherever it is installed. */
#define UNIT_EXEC_PATH "/run/kw-exec"
/* The run's init and kw-exec, beside the program in the cell's cgroup (TasksMax=). */
#define UNIT_CELL_TASKS 2

/* Everything one cell's transient service is made of. */
typedef struct UnitSpec {
        const char *name;            /* kw-....service */
        const char *description;
        const Policy *policy;        /* SystemCallFilter= of its own and of every language */
        const Limits *limits;        /* MemoryMax=, TasksMax=, CPUQuota= to begin with */
        uint64_t runtime_max_usec;   /* RuntimeMaxSec=: the backstop; kw replaces a cell sooner */
        const char *exec_path;       /* kw-exec on the host */
        const char *slice;           /* Slice=, or NULL */
        int stdin_fd;                /* kw-exec's end of the cell's SOCK_SEQPACKET socket */
} UnitSpec;

/**
 * unit_new_start_message() - build StartTransientUnit for @spec: every sandbox setting, the limits,
 * the socket as stdin, AddRef so the unit stays until kw has read it.
 * Return: 0 or -errno.
 */
int unit_new_start_message(sd_bus *bus, const UnitSpec *spec, sd_bus_message **ret);

/**
 * unit_append_cgroup_limits() - MemoryMax=, MemorySwapMax=, TasksMax= and CPUQuota= of @limits, as
 * (sv) entries: at the start, and by SetUnitProperties for a run whose limits differ.
 * Return: 0 or -errno.
 */
int unit_append_cgroup_limits(sd_bus_message *m, const Limits *limits);
