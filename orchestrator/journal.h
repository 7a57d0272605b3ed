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
 * journal_fence() - log a fence entry for @job_id carrying @nonce. Sent through the same socket as
 * every chunk before it, it is stored after all of them: once it can be read back, so can they.
 * Return: 0 or -errno.
 */
int journal_fence(const char *job_id, const char *nonce);

typedef int (*JournalChunkFn)(void *userdata, unsigned run, OutputStream stream, const void *data, size_t n);

/**
 * journal_collect() - read back every chunk of @job_id up to its fence @nonce, in order, waiting on
 * the journal's inotify (no polling) for at most @timeout_usec.
 * Return: 0, -ETIMEDOUT if the fence did not show up, or -errno.
 */
int journal_collect(const char *job_id, const char *nonce, uint64_t timeout_usec, JournalChunkFn fn,
                    void *userdata);
