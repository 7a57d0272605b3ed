/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

/* What kwd (or kwctl) and kw-exec, a cell's supervisor, say to each other: one message per
 * SOCK_SEQPACKET datagram on the cell's stdin, descriptors beside a run with SCM_RIGHTS. libc only:
 * kw-exec links nothing else. Both ends run the same build, so the structures are sent as they are. */

#define EXEC_MSG_MAX (64 * 1024)
#define EXEC_STRINGS_MAX 256

typedef enum ExecMsgType {
        EXEC_MSG_READY = 0x6b770001, /* kw-exec: up, waiting for a run */
        EXEC_MSG_RUN,                /* kwd: a run, with EXEC_RUN_FDS descriptors */
        EXEC_MSG_KILL,               /* kwd: end the current run now */
        EXEC_MSG_END,                /* kw-exec: the current run has ended, every process of it gone */
} ExecMsgType;

/* The descriptors of a run, in this order. */
typedef enum ExecRunFd {
        EXEC_FD_SOURCE,              /* a sealed memfd: the program's source */
        EXEC_FD_STDIN,               /* a sealed memfd: the input */
        EXEC_FD_STDOUT,              /* pipes' write ends */
        EXEC_FD_STDERR,
        EXEC_FD_FILTER,              /* a sealed memfd: the compiled seccomp program (struct sock_filter[]) */
        EXEC_RUN_FDS,
} ExecRunFd;

typedef struct ExecReady {
        uint32_t type;
        uint32_t pid;
} ExecReady;

/* A run, followed by n_strings NUL-terminated strings: the source's path in the run's root, argv
 * (n_argv, argv[0] the program to exec), then the host paths the root holds (n_paths). */
typedef struct ExecRun {
        uint32_t type;
        uint32_t n_argv;
        uint32_t n_paths;
        uint32_t padding;
        uint64_t cpu_soft_sec;       /* RLIMIT_CPU */
        uint64_t cpu_hard_sec;
        uint64_t open_files;         /* RLIMIT_NOFILE */
        uint64_t file_size_bytes;    /* RLIMIT_FSIZE */
        uint64_t tmp_bytes;          /* the run's tmpfs: /tmp, /var/tmp and /dev/shm together */
} ExecRun;

/* A run as kw-exec reads it: the strings point into the message. */
typedef struct ExecRunSpec {
        const ExecRun *run;
        const char *source_path;
        const char *argv[EXEC_STRINGS_MAX + 1];   /* NULL-terminated */
        const char *paths[EXEC_STRINGS_MAX + 1];
        size_t n_argv, n_paths;
} ExecRunSpec;

typedef enum ExecEndKind {
        EXEC_END_EXITED,             /* status: the exit code */
        EXEC_END_SIGNALED,           /* status: the signal */
        EXEC_END_SETUP_FAILED,       /* the run's sandbox could not be made: step, error */
        EXEC_END_EXEC_FAILED,        /* the program could not be executed: error */
        EXEC_END_LOST,               /* the run's init died without a word (killed by kw, or otherwise) */
} ExecEndKind;

/* Steps of making a run's sandbox, for the message of EXEC_END_SETUP_FAILED. */
typedef enum ExecStep {
        EXEC_STEP_CLONE,
        EXEC_STEP_USER_MAP,
        EXEC_STEP_MOUNT_PRIVATE,
        EXEC_STEP_ROOT,
        EXEC_STEP_PATH,              /* index: which of the paths */
        EXEC_STEP_PROC,
        EXEC_STEP_DEV,
        EXEC_STEP_TMP,
        EXEC_STEP_SOURCE,
        EXEC_STEP_PIVOT,
        EXEC_STEP_LIMITS,
        EXEC_STEP_FORK,
        EXEC_STEP_CAPABILITIES,
        EXEC_STEP_FILTER,
        _EXEC_STEP_MAX,
} ExecStep;

typedef struct ExecEnd {
        uint32_t type;
        uint32_t kind;               /* ExecEndKind */
        int32_t status;
        int32_t error;               /* errno */
        uint32_t step;               /* ExecStep */
        uint32_t index;
        uint64_t overhead_usec;      /* CPU time of kw-exec and the run's init during the run: not the program's */
        uint64_t max_rss_bytes;      /* the largest resident set of a process of the run (rusage) */
        uint64_t children_cpu_usec;  /* CPU time of the processes of the run init reaped (rusage) */
} ExecEnd;

/**
 * exec_run_format() - a run message into @buf (@size bytes). Return: its length, or -E2BIG / -EINVAL.
 */
int exec_run_format(void *buf, size_t size, const ExecRun *run, const char *source_path, const char *const *argv,
                    const char *const *paths);

/**
 * exec_run_parse() - check a run message of @size bytes and point @ret at its parts: the counts
 * must match the strings, every string be NUL-terminated inside the message, the paths absolute.
 * Return: 0 or -EBADMSG.
 */
int exec_run_parse(const void *buf, size_t size, ExecRunSpec *ret);

/* "mounting /proc" and so on, for messages. */
const char *exec_step_to_string(ExecStep step);
