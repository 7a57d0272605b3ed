/* SPDX-License-Identifier: MIT */
/* libFuzzer: any bytes through exec_run_parse(), as kw-exec gets them from its socket. What it
 * accepts must be what exec-protocol.h promises, and exec_run_format() of the parts must give the
 * same message back byte for byte, but for the padding field, which format zeroes and parse ignores. */
#include <stddef.h>

#include "exec-protocol.h"
#include "test-helpers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* @s is the string at *at in @buf, and what follows it is the next. */
static void check_next(const char *buf, size_t size, size_t *at, const char *s) {
        ASSERT_OR_ABORT(s == buf + *at);
        size_t n = strnlen(s, size - *at);
        ASSERT_OR_ABORT(n < size - *at);
        *at += n + 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        static union {
                ExecRun run;
                char bytes[EXEC_MSG_MAX];
        } out;
        ExecRunSpec spec, again;
        /* A copy of exactly @size bytes (malloc aligns it for ExecRun): a read past it is ASan's. */
        _cleanup_free_ char *buf = malloc(size > 0 ? size : 1);

        ASSERT_OR_ABORT(buf);
        if (size > 0)
                memcpy(buf, data, size);

        int r = exec_run_parse(buf, size, &spec);
        if (r < 0) {
                ASSERT_OR_ABORT(r == -EBADMSG);
                return 0;
        }
        ASSERT_OR_ABORT(r == 0);
        ASSERT_OR_ABORT(size >= sizeof(ExecRun) && size <= EXEC_MSG_MAX);
        ASSERT_OR_ABORT(spec.run == (const ExecRun *) buf && spec.run->type == EXEC_MSG_RUN);
        ASSERT_OR_ABORT(spec.n_argv == spec.run->n_argv && spec.n_paths == spec.run->n_paths &&
                        spec.n_files == spec.run->n_files);
        ASSERT_OR_ABORT(spec.n_argv >= 1 && spec.n_argv <= EXEC_STRINGS_MAX && spec.n_paths <= EXEC_STRINGS_MAX &&
                        spec.n_files <= EXEC_FILES_MAX);
        ASSERT_OR_ABORT(spec.argv[spec.n_argv] == NULL && spec.paths[spec.n_paths] == NULL &&
                        spec.files[spec.n_files] == NULL);
        /* No executable bit for a file that is not there. */
        ASSERT_OR_ABORT((spec.run->exec_files & ~((1u << spec.n_files) - 1)) == 0);
        ASSERT_OR_ABORT((spec.product != NULL) == (spec.run->product_bytes > 0));
        ASSERT_OR_ABORT(exec_run_fds(spec.run) == EXEC_FIXED_FDS + (spec.product != NULL) + spec.n_files);
        ASSERT_OR_ABORT(exec_run_fds(spec.run) <= EXEC_FDS_MAX);

        /* The strings back to back from the header to the last byte, each inside the message. */
        size_t at = sizeof(ExecRun);
        check_next(buf, size, &at, spec.workdir);
        ASSERT_OR_ABORT(spec.workdir[0] == '/');
        for (size_t i = 0; i < spec.n_argv; i++)
                check_next(buf, size, &at, spec.argv[i]);
        for (size_t i = 0; i < spec.n_paths; i++) {
                check_next(buf, size, &at, spec.paths[i]);
                ASSERT_OR_ABORT(spec.paths[i][0] == '/');
        }
        for (size_t i = 0; i < spec.n_files; i++) {
                check_next(buf, size, &at, spec.files[i]);
                ASSERT_OR_ABORT(spec.files[i][0] == '/');
        }
        if (spec.product) {
                /* A plain file name, made in the run's /tmp: never a way out of it. */
                check_next(buf, size, &at, spec.product);
                ASSERT_OR_ABORT(spec.product[0] != 0 && !strchr(spec.product, '/'));
                ASSERT_OR_ABORT(strcmp(spec.product, ".") != 0 && strcmp(spec.product, "..") != 0);
        }
        ASSERT_OR_ABORT(at == size);

        /* Formatted again: the same bytes, the padding zeroed. */
        memset(&out, 0xa5, sizeof(out));
        ExecRunStrings strings = {
                .workdir = spec.workdir,
                .argv = spec.argv,
                .paths = spec.paths,
                .files = spec.files,
                .product = spec.product,
        };
        r = exec_run_format(out.bytes, sizeof(out.bytes), spec.run, &strings);
        ASSERT_OR_ABORT(r >= 0 && (size_t) r == size);
        ASSERT_OR_ABORT(out.run.padding == 0);
        size_t pad = offsetof(ExecRun, padding), pad_end = pad + sizeof(out.run.padding);
        ASSERT_OR_ABORT(memcmp(out.bytes, buf, pad) == 0);
        ASSERT_OR_ABORT(memcmp(out.bytes + pad_end, buf + pad_end, size - pad_end) == 0);

        /* And that parses too, to the same parts. */
        ASSERT_OR_ABORT(exec_run_parse(out.bytes, (size_t) r, &again) == 0);
        ASSERT_OR_ABORT(again.n_argv == spec.n_argv && again.n_paths == spec.n_paths && again.n_files == spec.n_files);
        ASSERT_OR_ABORT(strcmp(again.workdir, spec.workdir) == 0);
        for (size_t i = 0; i < spec.n_files; i++)
                ASSERT_OR_ABORT(strcmp(again.files[i], spec.files[i]) == 0);
        ASSERT_OR_ABORT((again.product != NULL) == (spec.product != NULL));
        ASSERT_OR_ABORT(!spec.product || strcmp(again.product, spec.product) == 0);
        ASSERT_OR_ABORT(again.run->exec_files == spec.run->exec_files &&
                        again.run->product_bytes == spec.run->product_bytes);

        /* Any step value has a name. */
        ASSERT_OR_ABORT(exec_step_to_string((ExecStep) spec.run->padding) != NULL);
        return 0;
}
