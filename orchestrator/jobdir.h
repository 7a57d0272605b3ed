/* SPDX-License-Identifier: MIT */
#pragma once

#include "policy.h"
#include "util.h"

/* A job's directory below the runtime directory: its source file, written by root where no sandbox
 * can write, seen by the sandbox through a read-only bind mount; and one size-bounded tmpfs per run,
 * whose three directories are bound over the run's /tmp, /var/tmp and /dev/shm. Root only creates entries relative to file
 * descriptors it opened itself and never looks inside a tmpfs a run wrote to: it detaches it whole.
 * So nothing a run does can redirect root's hand (Judge0's CVE-2024-28185/28189). */
typedef struct JobDir {
        int base_fd;        /* the runtime directory, e.g. /run/kw */
        char *name;         /* the job's directory below it */
        char *path;         /* base/name */
        char *source_name;
        char *source_path;  /* base/name/source_name */
        int fd;             /* base/name */
        unsigned n_scratch; /* scratch-0 .. scratch-(n-1) may be mounted */
} JobDir;

/**
 * job_dir_create() - make BASE/NAME/SOURCE holding @code.
 * BASE is created if missing and must be a root-owned directory nobody else can write, not a symlink.
 * Return: 0 or -errno.
 */
int job_dir_create(const char *base, const char *name, const char *source, const char *code, size_t size,
                    JobDir *ret);

/* The directories of a scratch tmpfs, mode 1777: the run's /tmp, /var/tmp and /dev/shm. */
extern const char *const job_dir_scratch_dirs[3];

/**
 * job_dir_mount_scratch() - mount a fresh tmpfs of @size bytes at DIR/scratch-@run (nosuid, nodev,
 * bounded inodes) holding job_dir_scratch_dirs. Return: 0 or -errno, *ret_path its path.
 */
int job_dir_mount_scratch(JobDir *d, unsigned run, uint64_t size, char **ret_path);

/* Detach a run's tmpfs and remove its mount point. */
void job_dir_umount_scratch(JobDir *d, unsigned run);

/**
 * job_dir_write_filter() - BASE/.seccomp/ID.bpf holding @language's compiled seccomp program, written
 * once (content-addressed, so a reload never changes a file a run uses). Return: 0 or -errno.
 */
int job_dir_write_filter(const char *base, const Language *language, char **ret_path);

/**
 * job_dir_cleanup_all() - remove every job directory below @base that a crashed kw left: detach its
 * scratch mounts (never looking inside them), then remove the source file and the directory.
 */
void job_dir_cleanup_all(const char *base);

/* Detach every scratch tmpfs, remove the file and the directory; the base stays. Safe to call twice. */
void job_dir_remove(JobDir *d);
