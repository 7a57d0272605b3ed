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

/* A file name of its own: not empty, no slash, not "." or "..". */
static int is_name(const char *s) {
        return s[0] && !strchr(s, '/') && strcmp(s, ".") != 0 && strcmp(s, "..") != 0;
}

static int put_strings(char *buf, size_t size, size_t *at, const char *const *l, size_t n, int absolute) {
        for (size_t i = 0; i < n; i++) {
                if (absolute && l[i][0] != '/')
                        return -EINVAL;
                int r = put_string(buf, size, at, l[i]);
                if (r < 0)
                        return r;
        }
        return 0;
}

int exec_run_format(void *buf, size_t size, const ExecRun *run, const ExecRunStrings *s) {
        size_t n_argv = strv_count(s->argv), n_paths = strv_count(s->paths), n_files = strv_count(s->files);
        size_t at = sizeof(ExecRun);
        ExecRun header = *run;
        int r;

        if (n_argv == 0 || n_argv > EXEC_STRINGS_MAX || n_paths > EXEC_STRINGS_MAX || n_files > EXEC_FILES_MAX ||
            s->workdir[0] != '/' || (run->product_bytes > 0) != (s->product != NULL) || (s->product && !is_name(s->product)) ||
            (run->exec_files >> n_files) != 0)
                return -EINVAL;
        if (size < at || size > EXEC_MSG_MAX)
                return -E2BIG;
        header.type = EXEC_MSG_RUN;
        header.n_argv = (uint32_t) n_argv;
        header.n_paths = (uint32_t) n_paths;
        header.n_files = (uint32_t) n_files;
        header.padding = 0;
        memcpy(buf, &header, sizeof(header));
        r = put_string(buf, size, &at, s->workdir);
        if (r >= 0)
                r = put_strings(buf, size, &at, s->argv, n_argv, 0);
        if (r >= 0)
                r = put_strings(buf, size, &at, s->paths, n_paths, 1);
        if (r >= 0)
                r = put_strings(buf, size, &at, s->files, n_files, 1);
        if (r >= 0 && s->product)
                r = put_string(buf, size, &at, s->product);
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

/* @n strings into @l (NULL-terminated), each absolute if @absolute. */
static int take_strings(const char *buf, size_t size, size_t *at, const char **l, size_t n, int absolute) {
        for (size_t i = 0; i < n; i++)
                if (!(l[i] = take_string(buf, size, at)) || (absolute && l[i][0] != '/'))
                        return -EBADMSG;
        l[n] = NULL;
        return 0;
}

int exec_run_parse(const void *buf, size_t size, ExecRunSpec *ret) {
        const ExecRun *run = buf;
        size_t at = sizeof(ExecRun);

        if (size < sizeof(ExecRun) || size > EXEC_MSG_MAX || run->type != EXEC_MSG_RUN || run->n_argv == 0 ||
            run->n_argv > EXEC_STRINGS_MAX || run->n_paths > EXEC_STRINGS_MAX || run->n_files > EXEC_FILES_MAX ||
            (run->exec_files >> run->n_files) != 0)
                return -EBADMSG;
        *ret = (ExecRunSpec) { .run = run, .n_argv = run->n_argv, .n_paths = run->n_paths, .n_files = run->n_files };
        ret->workdir = take_string(buf, size, &at);
        if (!ret->workdir || ret->workdir[0] != '/')
                return -EBADMSG;
        if (take_strings(buf, size, &at, ret->argv, ret->n_argv, 0) < 0 ||
            take_strings(buf, size, &at, ret->paths, ret->n_paths, 1) < 0 ||
            take_strings(buf, size, &at, ret->files, ret->n_files, 1) < 0)
                return -EBADMSG;
        if (run->product_bytes > 0) {
                ret->product = take_string(buf, size, &at);
                if (!ret->product || !is_name(ret->product))
                        return -EBADMSG;
        }
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
                [EXEC_STEP_FILE] = "writing a file of the run",
                [EXEC_STEP_PIVOT] = "entering the run's root",
                [EXEC_STEP_LIMITS] = "setting the run's limits",
                [EXEC_STEP_FORK] = "starting the program's process",
                [EXEC_STEP_CAPABILITIES] = "dropping capabilities",
                [EXEC_STEP_FILTER] = "loading the seccomp filter",
                [EXEC_STEP_WORKDIR] = "entering the working directory",
        };
        return (unsigned) step < _EXEC_STEP_MAX ? names[step] : "an unknown step";
}
