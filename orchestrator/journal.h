/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#include "util.h"

typedef enum OutputStream {
        STREAM_STDOUT,
        STREAM_STDERR,
} OutputStream;

/* Identifies a run's entries: all carry KW_JOB_ID, KW_RUN, KW_UNIT and KW_STREAM. */
typedef struct JournalTag {
        const char *job_id;
        unsigned run;
        const char *unit;
} JournalTag;

/**
 * journal_forward() - log one chunk of a run's output, byte-exact, through journald's native
 * protocol (binary-safe, unlike its stdout stream transport, which trims trailing blanks and drops
 * empty lines). Return: 0 or -errno.
 */
int journal_forward(const JournalTag *tag, OutputStream stream, uint64_t seq, const void *data, size_t n);

/**
 * journal_log_run() - a run's summary entry: its unit, invocation id and verdict, so that
 * `journalctl KW_JOB_ID=...` links the job to systemd's own entries of each unit.
 * Return: 0 or -errno.
 */
int journal_log_run(const JournalTag *tag, const char *invocation_id, const char *verdict, const char *explanation,
                    uint64_t cpu_usec, uint64_t memory_peak);

/**
 * journal_fence() - log a fence entry for @job_id carrying @nonce. Sent through the same socket as
 * every chunk before it, it is stored after all of them: once it can be read back, so can they.
 * Return: 0 or -errno.
 */
int journal_fence(const char *job_id, const char *nonce);

/* One entry of a job read back: a chunk of output, or a run's stats from kw-runstat. */
typedef struct JournalEntry {
        unsigned run;
        bool is_stats;
        OutputStream stream;
        const void *data;
        size_t size;
        uint64_t cpu_usec, memory_peak, oom_kills;  /* stats only, UINT64_MAX if unknown */
} JournalEntry;

/**
 * journal_send_to() - send one entry of text fields ("FIELD=value", no newlines) to the journald
 * native socket at @socket_path: for kw-runstat, which runs where the default path is hidden.
 * Return: 0 or -errno.
 */
int journal_send_to(const char *socket_path, const char *const *fields, size_t n_fields);

typedef int (*JournalEntryFn)(void *userdata, const JournalEntry *e);

/**
 * journal_collect() - read back every entry of @job_id up to its fence @nonce, in order, waiting on
 * the journal's inotify (no polling) for at most @timeout_usec.
 * Return: 0, -ETIMEDOUT if the fence did not show up, or -errno.
 */
int journal_collect(const char *job_id, const char *nonce, uint64_t timeout_usec, JournalEntryFn fn,
                    void *userdata);
