/* SPDX-License-Identifier: MIT */
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Per-run limits. The policy gives the defaults; a job may lower any of them, never raise. */
typedef struct Limits {
        uint64_t time_ms;           /* CPU time (LimitCPU) */
        uint64_t wall_time_ms;      /* RuntimeMaxSec */
        uint64_t memory_bytes;      /* MemoryMax, swap 0 */
        uint64_t processes;         /* TasksMax */
        uint64_t open_files;        /* LimitNOFILE */
        uint64_t file_size_bytes;   /* LimitFSIZE */
        uint64_t tmp_bytes;         /* size of the private /tmp tmpfs */
        uint64_t output_bytes;      /* stdout and stderr, each */
        uint64_t cpu_percent;       /* CPUQuota */
} Limits;

/* Bounds on what a job may ask for, and how it is run. */
typedef struct JobCaps {
        uint64_t max_code_bytes;
        uint64_t max_input_bytes;   /* each test's input and expected output */
        uint64_t max_test_cases;
        uint64_t parallel_runs;     /* test cases of one job run at once */
        uint64_t result_case_bytes; /* JSON bytes reported of each run's stdout and of its stderr */
        uint64_t result_bytes;      /* JSON bytes reported of all runs' output together */
} JobCaps;

/* kwd's bounds: jobs judged at once, and the queue behind them. */
typedef struct DaemonCaps {
        uint64_t max_jobs;
        uint64_t max_queued_jobs;
        uint64_t max_queued_bytes;  /* job text held in the queue */
        uint64_t max_connections;   /* clients connected at once */
        uint64_t request_timeout_ms; /* for a client to send its whole request */
        uint64_t max_reading_bytes; /* requests not yet complete, all clients together */
        uint64_t cells;             /* cells kept warm, ready for any run; optional, 0 = none */
        uint64_t cell_runs;         /* runs a cell serves before it is replaced */
        uint64_t cell_max_age_ms;   /* how long a cell serves before it is replaced */
} DaemonCaps;

/* A compiled language's [compile]: one sandboxed run per job (and per custom checker), whose
 * product, copied out as a descriptor, is the file every run of the job gets instead of the source. */
typedef struct LanguageCompile {
        char *command;              /* absolute path, inside root */
        char **arguments;           /* "{file}" becomes the source's name (the run starts in its directory) */
        char **root;                /* as Language.root, for the compiler */
        char *product;              /* the file name it writes in its /tmp; the program's name in each run */
        Limits limits;              /* of the compile run: what [compile] sets, the rest as [run] */
        uint64_t product_bytes;     /* the largest product taken */
        uint64_t message_bytes;     /* of the compiler's messages, kept for the result */
} LanguageCompile;

typedef struct Language {
        char *name;
        char *interpreter;          /* absolute path; NULL (compiled languages only): the product is the program */
        char **arguments;           /* argv[1..]; "{file}" becomes the source's (or product's) path, "{memory_mb}" the memory limit */
        char *source_file;          /* file name the code is written to */
        char **syscalls;            /* added to SystemCallFilter=, e.g. "@pkey" */
        char **root;                /* host paths the run's root holds, read-only (links copied); "-" first: optional */
        LanguageCompile *compile;   /* NULL: interpreted */
        uint64_t memory_overhead;   /* added to a run's MemoryMax: what a runtime takes beside the program's own heap */
        int heap_exit_code;         /* the exit status its runtime gives when the heap (the memory limit) is full; -1: none */
        void *seccomp_bpf;          /* seccomp.conf compiled for this language (policy_load) */
        size_t seccomp_bpf_size;
} Language;

typedef struct Policy {
        unsigned n_ref;
        Limits limits;
        JobCaps caps;
        DaemonCaps daemon;
        char **syscalls;            /* SystemCallFilter= allow-list for every run */
        Language *languages;
        size_t n_languages;
} Policy;

typedef struct LimitField {
        const char *name;
        size_t offset;
} LimitField;

/* The limit names shared by limits.conf and a job's "limits" object. */
extern const LimitField limit_fields[];
extern const size_t n_limit_fields;

static inline uint64_t *limits_field(Limits *l, const LimitField *f) {
        return (uint64_t *) ((char *) l + f->offset);
}

/**
 * policy_parse_limits() - parse limits.conf text into @p.
 * On failure *ret_error says which line and why. Return: 0 or -errno.
 */
int policy_parse_limits(Policy *p, const char *text, const char *filename, char **ret_error);

/**
 * policy_parse_language() - parse one languages/NAME.conf text. The limits of a [compile] it does not
 * set are 0 here; policy_load() gives them [run]'s.
 * Return: 0 or -errno, with *ret_error naming the line.
 */
int policy_parse_language(Language *ret, const char *text, const char *filename, char **ret_error);

/**
 * policy_resolve_root() - the host side of a language's roots (its runs' and its compiler's): every
 * path there, a directory, a file or a symbolic link, with no link above it (the run's root repeats
 * each path as it is); one marked optional ("-" first) dropped if missing, the mark taken off the
 * rest. The interpreter (and the compiler), links followed, is there, executable, and inside a path
 * of its root. Return: 0 or -errno, with
 * *ret_error naming the path.
 */
int policy_resolve_root(Language *l, const char *filename, char **ret_error);

/**
 * policy_load_dirs() - load limits.conf, languages/\*.conf and seccomp.conf from @dirs (NULL-terminated,
 * the first first), and compile the system-call policy of each language. Each file is taken from the
 * first directory that has it, so that /etc/kw overrides the packaged policy file by file, as systemd's
 * /etc does /usr; a languages/NAME.conf there that is empty or a link to /dev/null removes NAME.conf
 * (seccomp.conf may keep a [NAME] section for it). Only the last directory must have every file.
 * Return: 0 or -errno, with *ret_error saying what is wrong where.
 */
int policy_load_dirs(const char *const *dirs, Policy **ret, char **ret_error);

/* policy_load_dirs() of one directory: --policy DIR, no overlay. */
int policy_load(const char *dir, Policy **ret, char **ret_error);

/* What kwd and kwctl load without --policy or $KW_POLICY_DIR: the operator's directory
 * ($sysconfdir/kw, /etc/kw in the package) over the packaged policy ($datadir/kw/policy). */
extern const char *const policy_default_dirs[];

/* "DIR", or "DIR1 over DIR2 …", for messages. Return: 0 or -ENOMEM. */
int policy_dirs_describe(const char *const *dirs, char **ret);

/**
 * policy_expand_argument() - an interpreter argument with "{file}" and "{memory_mb}" replaced.
 * Return: 0, -EINVAL for an unknown {placeholder}, or -ENOMEM.
 */
int policy_expand_argument(const char *arg, const char *file, const char *memory_mb, char **ret);

/**
 * policy_build_argv() - the argv of one run: @program (NULL: @file is the program) and @arguments
 * with "{file}" and "{memory_mb}" (of @memory_bytes) replaced, then @extra (NULL-terminated, or NULL).
 * Return: 0 or -errno; *ret is freed with strv_free().
 */
int policy_build_argv(const char *program, char *const *arguments, const char *file, uint64_t memory_bytes,
                      const char *const *extra, char ***ret);

/* The policy's [run] limits, with open_files and file_size_bytes raised to the highest of any
 * language's [compile]: what a cell must allow for any run it serves. */
void policy_rlimits_max(const Policy *p, Limits *ret);

const Language *policy_find_language(const Policy *p, const char *name);
void language_done(Language *l);
Policy *policy_free(Policy *p);
/* kwd shares one policy among the jobs that started under it; a reload makes a new one. */
Policy *policy_ref(Policy *p);
Policy *policy_unref(Policy *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(Policy *, policy_unref);
DEFINE_TRIVIAL_CLEANUP_FUNC(Policy *, policy_free);

void strv_free(char **l);
size_t strv_length(char *const *l);
