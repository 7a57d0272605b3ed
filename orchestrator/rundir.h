/* SPDX-License-Identifier: MIT */
#pragma once

#include "policy.h"
#include "util.h"

/* One sandbox's directory below the runtime directory, BASE/NAME:
 *   code/     root's, mode 0755, bound read-only at /run/kw in the sandbox; the source goes in when
 *             the run is handed its job (the bind shows files created after the unit started)
 *   scratch   a size-bounded tmpfs whose three directories are bound over /tmp, /var/tmp, /dev/shm
 * Root only creates entries relative to file descriptors it opened itself and never looks inside a
 * tmpfs a run wrote to: it detaches it whole. The sandbox cannot write code/. So nothing a run does
 * can redirect root's hand (Judge0's CVE-2024-28185/28189). */
typedef struct RunDir {
        int base_fd;        /* the runtime directory, e.g. /run/kw */
        int fd;             /* BASE/NAME */
        int code_fd;        /* BASE/NAME/code */
        char *name;
        char *path;         /* BASE/NAME */
        char *code_path;    /* BASE/NAME/code */
        char *scratch_path; /* BASE/NAME/scratch, once mounted */
} RunDir;

#define RUN_DIR_NULL ((RunDir) { .base_fd = -EBADF, .fd = -EBADF, .code_fd = -EBADF })

/**
 * run_dir_create() - make BASE/NAME and BASE/NAME/code, both fresh (O_EXCL).
 * BASE is created if missing and must be a root-owned directory nobody else can write, not a symlink.
 * Return: 0 or -errno; on error *ret is untouched.
 */
int run_dir_create(const char *base, const char *name, RunDir *ret);

/**
 * run_dir_write() - create code/@file (fresh, mode 0644 whatever the umask) holding @data.
 * Return: 0 or -errno (-EEXIST if it is there already).
 */
int run_dir_write(RunDir *d, const char *file, const void *data, size_t size);

/* The directories of a scratch tmpfs, mode 1777: the run's /tmp, /var/tmp and /dev/shm. */
extern const char *const run_dir_scratch_dirs[3];

/**
 * run_dir_mount_scratch() - mount a fresh tmpfs of @size bytes at BASE/NAME/scratch (nosuid, nodev,
 * bounded inodes) holding run_dir_scratch_dirs. Return: 0 or -errno; d->scratch_path its path.
 */
int run_dir_mount_scratch(RunDir *d, uint64_t size);

/* Detach the scratch tmpfs, remove the files in code/, code/ and the directory; the base stays.
 * Safe to call twice. */
void run_dir_remove(RunDir *d);

/**
 * run_dir_write_filter() - BASE/.seccomp/ID.bpf holding @language's compiled seccomp program, written
 * once (content-addressed, so a reload never changes a file a run uses). Return: 0 or -errno.
 */
int run_dir_write_filter(const char *base, const Language *language, char **ret_path);

/**
 * run_dir_cleanup_all() - remove every run directory below @base that a crashed kw left: detach its
 * scratch mount (never looking inside), remove the files of code/, then the directories.
 */
void run_dir_cleanup_all(const char *base);
