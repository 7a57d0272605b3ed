/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "util.h"

/* What a run's cgroup says once its processes are gone: read by kw-runstat from ExecStopPost=,
 * because systemd 252 cannot account CPU on a hybrid hierarchy and has no memory peak. */
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
 * cgroup_stats_read() - read the stats of the cgroup we run in, below @root (normally /sys/fs/cgroup).
 * Return: 0 or -errno; fields that cannot be read stay UINT64_MAX.
 */
int cgroup_stats_read(const char *root, const char *proc_self_cgroup, CgroupStats *ret);
