/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "util.h"

/* What a cell's cgroup says of one run, read by kwctl or kwd from the host before and after it
 * (systemd 252 cannot account CPU on a hybrid hierarchy and has no memory peak). */
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

/* One cell's cgroup, opened once when the cell is ready, then read before and after each run: the
 * counters of a run are the differences, and the memory peak is reset at its start. */
typedef struct CgroupCounters {
        int unified_fd;             /* the v2 directory: cpu.stat, cgroup.procs, memory.* on a unified host */
        int memory_fd;              /* the v1 memory directory of a hybrid host, or -EBADF */
        int peak_fd;                /* v2 memory.peak: reset through it, read back through it */
        bool peak_resettable;       /* the kernel resets memory.peak per descriptor (6.12 and later) */
} CgroupCounters;

#define CGROUP_COUNTERS_NULL ((CgroupCounters) { .unified_fd = -EBADF, .memory_fd = -EBADF, .peak_fd = -EBADF })

/**
 * cgroup_counters_open() - the directories of @cgroup (systemd's ControlGroup=) below @root
 * (normally /sys/fs/cgroup), in the hierarchies @layout (this host's /proc/self/cgroup) has.
 * Return: 0 or -errno.
 */
int cgroup_counters_open(const char *root, const char *layout, const char *cgroup, CgroupCounters *ret);

/* Before a run: CPU time and OOM kills so far (UINT64_MAX if unreadable), the memory peak reset. */
void cgroup_counters_begin(CgroupCounters *c, CgroupStats *ret);

/* After it, every process of it gone: CPU time and OOM kills since @start, the memory peak since
 * the reset (UINT64_MAX where unknown). */
void cgroup_counters_end(CgroupCounters *c, const CgroupStats *start, CgroupStats *ret);

/* How many processes the cgroup holds (cgroup.procs), or -errno. */
int cgroup_counters_processes(CgroupCounters *c);

void cgroup_counters_close(CgroupCounters *c);
