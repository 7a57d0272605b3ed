/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>

#include "cgstat.h"

int cgroup_paths_parse(const char *text, char **ret_unified, char **ret_memory_v1) {
        _cleanup_free_ char *copy = strdup(text), *unified = NULL, *memory = NULL;
        char *save = NULL;

        if (!copy)
                return -ENOMEM;
        for (char *line = strtok_r(copy, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
                /* "ID:CONTROLLERS:PATH"; the path may itself hold colons. */
                char *c1 = strchr(line, ':');
                char *c2 = c1 ? strchr(c1 + 1, ':') : NULL;
                if (!c2 || c2[1] != '/')
                        return -EBADMSG;
                *c1 = *c2 = 0;
                const char *controllers = c1 + 1, *path = c2 + 1;
                char **target = NULL;
                if (strcmp(line, "0") == 0 && !*controllers)
                        target = &unified;
                else {
                        _cleanup_free_ char *list = strdup(controllers);
                        char *s2 = NULL;
                        if (!list)
                                return -ENOMEM;
                        for (char *c = strtok_r(list, ",", &s2); c; c = strtok_r(NULL, ",", &s2))
                                if (strcmp(c, "memory") == 0)
                                        target = &memory;
                }
                if (target && !*target && !(*target = strdup(path)))
                        return -ENOMEM;
        }
        *ret_unified = TAKE_PTR(unified);
        *ret_memory_v1 = TAKE_PTR(memory);
        return 0;
}

int cgroup_keyed_value(const char *text, const char *key, uint64_t *ret) {
        size_t n = strlen(key);

        for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL) {
                if (strncmp(p, key, n) != 0 || p[n] != ' ')
                        continue;
                char num[32];
                size_t len = strcspn(p + n + 1, "\n");
                if (len == 0 || len >= sizeof(num))
                        return -EBADMSG;
                memcpy(num, p + n + 1, len);
                num[len] = 0;
                return safe_atou64(num, ret);
        }
        return -ENOENT;
}

int cgroup_counters_open(const char *root, const char *layout, const char *cgroup, CgroupCounters *ret) {
        _cleanup_free_ char *unified = NULL, *memory = NULL, *path = NULL;
        CgroupCounters c = CGROUP_COUNTERS_NULL;
        int r;

        if (cgroup[0] != '/')
                return -EINVAL;
        r = cgroup_paths_parse(layout, &unified, &memory);
        if (r < 0)
                return r;
        if (!unified)
                return -ENOMEDIUM;
        /* Hybrid hosts mount the v2 tree at ROOT/unified, unified ones at ROOT; systemd gives its
         * units the same path in every hierarchy. */
        if (asprintf_safe(&path, "%s%s%s", root, memory ? "/unified" : "", cgroup) < 0)
                return -ENOMEM;
        c.unified_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (c.unified_fd < 0)
                return negative_errno();
        if (memory) {
                free(path);
                if (asprintf_safe(&path, "%s/memory%s", root, cgroup) < 0) {
                        cgroup_counters_close(&c);
                        return -ENOMEM;
                }
                c.memory_fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
                if (c.memory_fd < 0) {
                        r = negative_errno();
                        cgroup_counters_close(&c);
                        return r;
                }
        } else {
                /* Read-write since Linux 6.12 only; before, a run's peak is the init's word (rusage). */
                c.peak_fd = openat(c.unified_fd, "memory.peak", O_RDWR | O_CLOEXEC);
                if (c.peak_fd < 0)
                        c.peak_fd = -EBADF;
        }
        *ret = c;
        return 0;
}

static int read_at(int dir, const char *file, char *buf, size_t size) {
        _cleanup_close_ int fd = openat(dir, file, O_RDONLY | O_CLOEXEC);
        if (fd < 0)
                return negative_errno();
        ssize_t n = read(fd, buf, size - 1);
        if (n < 0)
                return negative_errno();
        buf[n] = 0;
        return 0;
}

static uint64_t keyed_at(int dir, const char *file, const char *key) {
        char buf[4096];
        uint64_t v;
        return dir >= 0 && read_at(dir, file, buf, sizeof(buf)) >= 0 && cgroup_keyed_value(buf, key, &v) >= 0 ? v
                                                                                                                : UINT64_MAX;
}

static uint64_t number_at(int dir, const char *file) {
        char buf[64];
        uint64_t v;
        return dir >= 0 && read_at(dir, file, buf, sizeof(buf)) >= 0 && safe_atou64(strstrip(buf), &v) >= 0 ? v
                                                                                                              : UINT64_MAX;
}

static void counters_read(CgroupCounters *c, CgroupStats *ret) {
        ret->cpu_usec = keyed_at(c->unified_fd, "cpu.stat", "usage_usec");
        ret->oom_kills = c->memory_fd >= 0 ? keyed_at(c->memory_fd, "memory.oom_control", "oom_kill")
                                           : keyed_at(c->unified_fd, "memory.events", "oom_kill");
        ret->memory_peak = UINT64_MAX;
}

void cgroup_counters_begin(CgroupCounters *c, CgroupStats *ret) {
        counters_read(c, ret);
        /* From the usage of now: the cell's own few pages, not the peak of the run before. */
        if (c->memory_fd >= 0) {
                _cleanup_close_ int fd = openat(c->memory_fd, "memory.max_usage_in_bytes", O_WRONLY | O_CLOEXEC);
                c->peak_resettable = fd >= 0 && write(fd, "0", 1) == 1;
        } else
                c->peak_resettable = c->peak_fd >= 0 && pwrite(c->peak_fd, "reset\n", 6, 0) == 6;
}

void cgroup_counters_end(CgroupCounters *c, const CgroupStats *start, CgroupStats *ret) {
        CgroupStats now;
        char buf[64];
        uint64_t v;

        counters_read(c, &now);
        ret->cpu_usec = now.cpu_usec != UINT64_MAX && start->cpu_usec != UINT64_MAX && now.cpu_usec >= start->cpu_usec
                                ? now.cpu_usec - start->cpu_usec
                                : UINT64_MAX;
        ret->oom_kills = now.oom_kills != UINT64_MAX && start->oom_kills != UINT64_MAX && now.oom_kills >= start->oom_kills
                                 ? now.oom_kills - start->oom_kills
                                 : UINT64_MAX;
        ret->memory_peak = UINT64_MAX;
        if (!c->peak_resettable)
                return;
        if (c->memory_fd >= 0)
                ret->memory_peak = number_at(c->memory_fd, "memory.max_usage_in_bytes");
        else {
                ssize_t n = pread(c->peak_fd, buf, sizeof(buf) - 1, 0);
                if (n > 0) {
                        buf[n] = 0;
                        if (safe_atou64(strstrip(buf), &v) >= 0)
                                ret->memory_peak = v;
                }
        }
}

int cgroup_counters_processes(CgroupCounters *c) {
        char buf[4096];
        int n = 0, r;

        r = read_at(c->unified_fd, "cgroup.procs", buf, sizeof(buf));
        if (r < 0)
                return r;
        for (char *p = buf; *p; p++)
                n += *p == '\n';
        return n;
}

void cgroup_counters_close(CgroupCounters *c) {
        if (c->unified_fd >= 0)
                close(c->unified_fd);
        if (c->memory_fd >= 0)
                close(c->memory_fd);
        if (c->peak_fd >= 0)
                close(c->peak_fd);
        *c = CGROUP_COUNTERS_NULL;
}
