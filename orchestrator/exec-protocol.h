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

/* The descriptors of a run, in this order: these four, then the product's if the run has one, then
 * one per file of the run's root. */
typedef enum ExecRunFd {
        EXEC_FD_STDIN,               /* a sealed memfd: the input */
        EXEC_FD_STDOUT,              /* pipes' write ends */
        EXEC_FD_STDERR,
        EXEC_FD_FILTER,              /* a sealed memfd: the compiled seccomp program (struct sock_filter[]) */
        EXEC_FIXED_FDS,
} ExecRunFd;

/* Files a run's root holds beside the language's paths: the source (or what compiling it produced),
 * and for a checker the case's input, the program's output and the expected answer. */
#define EXEC_FILES_MAX 4
#define EXEC_FDS_MAX (EXEC_FIXED_FDS + 1 + EXEC_FILES_MAX)

typedef struct ExecReady {
        uint32_t type;
        uint32_t pid;
} ExecReady;

/* A run, followed by NUL-terminated strings: the program's working directory, argv (n_argv, argv[0]
 * the program to exec), the host paths the root holds (n_paths), the root paths of its files
 * (n_files), and if product_bytes is not 0 the name of what the run produces in its /tmp. */
typedef struct ExecRun {
        uint32_t type;
        uint32_t n_argv;
        uint32_t n_paths;
        uint32_t n_files;
        uint32_t exec_files;         /* bit i: file i is executable */
        uint32_t padding;
        uint64_t cpu_soft_sec;       /* RLIMIT_CPU */
        uint64_t cpu_hard_sec;
        uint64_t open_files;         /* RLIMIT_NOFILE */
        uint64_t file_size_bytes;    /* RLIMIT_FSIZE */
        uint64_t tmp_bytes;          /* the run's tmpfs: /tmp, /var/tmp and /dev/shm together */
        uint64_t product_bytes;      /* 0: nothing to take back; else the largest product copied out */
} ExecRun;

/* The strings of a run. */
typedef struct ExecRunStrings {
        const char *workdir;
        const char *const *argv;     /* NULL-terminated, each list */
        const char *const *paths;
        const char *const *files;
        const char *product;         /* NULL, or a file name in the run's /tmp */
} ExecRunStrings;

/* A run as kw-exec reads it: the strings point into the message. */
typedef struct ExecRunSpec {
        const ExecRun *run;
        const char *workdir;
        const char *argv[EXEC_STRINGS_MAX + 1];   /* NULL-terminated */
        const char *paths[EXEC_STRINGS_MAX + 1];
        const char *files[EXEC_FILES_MAX + 1];
        const char *product;
        size_t n_argv, n_paths, n_files;
} ExecRunSpec;

/* How many descriptors come with @run. */
static inline size_t exec_run_fds(const ExecRun *run) {
        return EXEC_FIXED_FDS + (run->product_bytes > 0) + run->n_files;
}

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
        EXEC_STEP_FILE,              /* index: which of the files */
        EXEC_STEP_PIVOT,
        EXEC_STEP_LIMITS,
        EXEC_STEP_FORK,
        EXEC_STEP_CAPABILITIES,
        EXEC_STEP_FILTER,
        EXEC_STEP_WORKDIR,
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
        int32_t product_error;       /* 0: the product was copied out (product_size bytes); else errno */
        uint32_t padding;
        uint64_t product_size;
} ExecEnd;

/**
 * exec_run_format() - a run message into @buf (@size bytes). Return: its length, or -E2BIG / -EINVAL.
 */
int exec_run_format(void *buf, size_t size, const ExecRun *run, const ExecRunStrings *strings);

/**
 * exec_run_parse() - check a run message of @size bytes and point @ret at its parts: the counts
 * must match the strings, every string be NUL-terminated inside the message, the workdir, paths and
 * files absolute, the product a plain file name.
 * Return: 0 or -EBADMSG.
 */
int exec_run_parse(const void *buf, size_t size, ExecRunSpec *ret);

/* "mounting /proc" and so on, for messages. */
const char *exec_step_to_string(ExecStep step);
