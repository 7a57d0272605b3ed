/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "util.h"

/* What a run's cgroup says once its processes are gone, because systemd 252 cannot account CPU on a
 * hybrid hierarchy and has no memory peak: read by kwctl or kwd from the host while the unit's
 * ExecStopPost= runs, or, if they were too late, by kw-runstat, that ExecStopPost=. */
typedef struct CgroupStats {
        uint64_t cpu_usec;          /* UINT64_MAX if unknown */
        uint64_t memory_peak;       /* bytes, UINT64_MAX if unknown */
        uint64_t oom_kills;         /* UINT64_MAX if unknown */
} CgroupStats;

/**
 * cgroup_paths_parse() - from /proc/self/cgroup text, the unified ("0::") path and the v1 memory path.
 * Either may come back NULL when that hierarchy is absent. Return: 0 or -errno.
 */
int cgroup_paths_parse(const char *text, char **ret_unified, char **ret_memory_v1);

/* The value of @key in a "key value" per line file such as cpu.stat or memory.events. */
int cgroup_keyed_value(const char *text, const char *key, uint64_t *ret);

/**
 * cgroup_layout_for() - text like /proc/PID/cgroup that places @cgroup (a path such as systemd's
 * ControlGroup=) in the hierarchies @layout (this host's /proc/self/cgroup) has that kw reads: the
 * unified one and v1 memory. systemd uses the same path in every hierarchy. Return: 0 or -errno.
 */
int cgroup_layout_for(const char *layout, const char *cgroup, char **ret);

/**
 * cgroup_stats_read() - read the stats of the cgroup we run in, below @root (normally /sys/fs/cgroup).
 * Return: 0 or -errno; fields that cannot be read stay UINT64_MAX.
 */
int cgroup_stats_read(const char *root, const char *proc_self_cgroup, CgroupStats *ret);
