/* SPDX-License-Identifier: MIT */
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

int cgroup_layout_for(const char *layout, const char *cgroup, char **ret) {
        _cleanup_free_ char *unified = NULL, *memory = NULL;
        int r;

        if (cgroup[0] != '/' || strchr(cgroup, '\n'))
                return -EINVAL;
        r = cgroup_paths_parse(layout, &unified, &memory);
        if (r < 0)
                return r;
        r = asprintf_safe(ret, "%s%s%s%s%s", unified ? "0::" : "", unified ? cgroup : "", unified ? "\n" : "",
                          memory ? "1:memory:" : "", memory ? cgroup : "");
        return r < 0 ? r : 0;
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

static int read_text(const char *root, const char *dir, const char *file, char **ret) {
        _cleanup_free_ char *path = NULL;
        size_t n;

        if (asprintf_safe(&path, "%s%s/%s", root, dir, file) < 0)
                return -ENOMEM;
        return read_file_all(path, 1 << 16, ret, &n);
}

static void read_number(const char *root, const char *dir, const char *file, uint64_t *ret) {
        _cleanup_free_ char *s = NULL;
        if (read_text(root, dir, file, &s) >= 0)
                (void) safe_atou64(strstrip(s), ret);
}

static void read_keyed(const char *root, const char *dir, const char *file, const char *key, uint64_t *ret) {
        _cleanup_free_ char *s = NULL;
        if (read_text(root, dir, file, &s) >= 0)
                (void) cgroup_keyed_value(s, key, ret);
}

int cgroup_stats_read(const char *root, const char *proc_self_cgroup, CgroupStats *ret) {
        _cleanup_free_ char *unified = NULL, *memory = NULL, *unified_dir = NULL, *memory_dir = NULL;
        CgroupStats s = { UINT64_MAX, UINT64_MAX, UINT64_MAX };
        int r;

        r = cgroup_paths_parse(proc_self_cgroup, &unified, &memory);
        if (r < 0)
                return r;

        /* Hybrid hosts mount the v2 tree at ROOT/unified, unified ones at ROOT. */
        if (unified) {
                if (memory) {
                        if (asprintf_safe(&unified_dir, "/unified%s", unified) < 0)
                                return -ENOMEM;
                } else if (!(unified_dir = strdup(unified)))
                        return -ENOMEM;
                read_keyed(root, unified_dir, "cpu.stat", "usage_usec", &s.cpu_usec);
                if (!memory) {
                        read_number(root, unified_dir, "memory.peak", &s.memory_peak);
                        read_keyed(root, unified_dir, "memory.events", "oom_kill", &s.oom_kills);
                }
        }
        if (memory) {
                if (asprintf_safe(&memory_dir, "/memory%s", memory) < 0)
                        return -ENOMEM;
                read_number(root, memory_dir, "memory.max_usage_in_bytes", &s.memory_peak);
                read_keyed(root, memory_dir, "memory.oom_control", "oom_kill", &s.oom_kills);
        }
        *ret = s;
        return 0;
}
