/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <string.h>

#include "exec-protocol.h"

static int put_string(char *buf, size_t size, size_t *at, const char *s) {
        size_t n = strlen(s) + 1;

        if (n > size - *at)
                return -E2BIG;
        memcpy(buf + *at, s, n);
        *at += n;
        return 0;
}

static size_t strv_count(const char *const *l) {
        size_t n = 0;
        while (l && l[n])
                n++;
        return n;
}

int exec_run_format(void *buf, size_t size, const ExecRun *run, const char *source_path, const char *const *argv,
                    const char *const *paths) {
        size_t n_argv = strv_count(argv), n_paths = strv_count(paths), at = sizeof(ExecRun);
        ExecRun header = *run;
        int r;

        if (n_argv == 0 || n_argv > EXEC_STRINGS_MAX || n_paths > EXEC_STRINGS_MAX || source_path[0] != '/')
                return -EINVAL;
        if (size < at || size > EXEC_MSG_MAX)
                return -E2BIG;
        header.type = EXEC_MSG_RUN;
        header.n_argv = (uint32_t) n_argv;
        header.n_paths = (uint32_t) n_paths;
        header.padding = 0;
        memcpy(buf, &header, sizeof(header));
        r = put_string(buf, size, &at, source_path);
        for (size_t i = 0; r >= 0 && i < n_argv; i++)
                r = put_string(buf, size, &at, argv[i]);
        for (size_t i = 0; r >= 0 && i < n_paths; i++)
                r = paths[i][0] == '/' ? put_string(buf, size, &at, paths[i]) : -EINVAL;
        return r < 0 ? r : (int) at;
}

/* The next NUL-terminated string at *at, or NULL if the message ends first. */
static const char *take_string(const char *buf, size_t size, size_t *at) {
        const char *s = buf + *at, *end;

        if (*at >= size)
                return NULL;
        end = memchr(s, 0, size - *at);
        if (!end)
                return NULL;
        *at += (size_t) (end - s) + 1;
        return s;
}

int exec_run_parse(const void *buf, size_t size, ExecRunSpec *ret) {
        const ExecRun *run = buf;
        size_t at = sizeof(ExecRun);

        if (size < sizeof(ExecRun) || size > EXEC_MSG_MAX || run->type != EXEC_MSG_RUN || run->n_argv == 0 ||
            run->n_argv > EXEC_STRINGS_MAX || run->n_paths > EXEC_STRINGS_MAX)
                return -EBADMSG;
        *ret = (ExecRunSpec) { .run = run, .n_argv = run->n_argv, .n_paths = run->n_paths };
        ret->source_path = take_string(buf, size, &at);
        if (!ret->source_path || ret->source_path[0] != '/')
                return -EBADMSG;
        for (size_t i = 0; i < ret->n_argv; i++)
                if (!(ret->argv[i] = take_string(buf, size, &at)))
                        return -EBADMSG;
        for (size_t i = 0; i < ret->n_paths; i++)
                if (!(ret->paths[i] = take_string(buf, size, &at)) || ret->paths[i][0] != '/')
                        return -EBADMSG;
        /* Nothing after the last string: a message is exactly what its header says. */
        return at == size ? 0 : -EBADMSG;
}

const char *exec_step_to_string(ExecStep step) {
        static const char *const names[_EXEC_STEP_MAX] = {
                [EXEC_STEP_CLONE] = "creating the run's namespaces",
                [EXEC_STEP_USER_MAP] = "mapping the run's user",
                [EXEC_STEP_MOUNT_PRIVATE] = "making the mounts private",
                [EXEC_STEP_ROOT] = "mounting the run's root",
                [EXEC_STEP_PATH] = "binding a path of the language's root",
                [EXEC_STEP_PROC] = "mounting /proc",
                [EXEC_STEP_DEV] = "making /dev",
                [EXEC_STEP_TMP] = "mounting the run's tmpfs",
                [EXEC_STEP_SOURCE] = "writing the source",
                [EXEC_STEP_PIVOT] = "entering the run's root",
                [EXEC_STEP_LIMITS] = "setting the run's limits",
                [EXEC_STEP_FORK] = "starting the program's process",
                [EXEC_STEP_CAPABILITIES] = "dropping capabilities",
                [EXEC_STEP_FILTER] = "loading the seccomp filter",
        };
        return (unsigned) step < _EXEC_STEP_MAX ? names[step] : "an unknown step";
}
