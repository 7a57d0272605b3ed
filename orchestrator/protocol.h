/* SPDX-License-Identifier: MIT */
#pragma once

#include "progress.h"
#include "util.h"

/* kwctl <-> kwd over kwd's Unix socket, one request per connection:
 *   request:  "submit\n" JOB-JSON, "submit-progress\n" JOB-JSON, "stats\n", "metrics\n" (the
 *             stats as OpenMetrics text) or "metrics-prometheus\n" (in Prometheus' text format); the client then shuts down its write side.
 *   response: for submit-progress only, progress records first, each one line
 *             "progress STAGE DONE TOTAL[ VERDICT=COUNT]...\n" (STAGE "compiling" or "running",
 *             the verdicts' counts adding up to DONE); then, for every request,
 *             "STATUS MESSAGE\n" BODY, and the connection closes.
 * STATUS is kwctl's exit status (see kwctl --help), MESSAGE one line for stderr (may be empty),
 * BODY the result or stats JSON (may be empty). A status line starts with a digit, a record never
 * does; a client that does not ask for progress never gets a record. */

#define KWD_SOCKET "/run/kwd.sock"

/* kwctl's exit statuses, which the daemon's responses carry. */
enum {
        EXIT_JUDGED_OK = 0,     /* judged; every run ended normally (status "success") */
        EXIT_JUDGED_ERROR = 1,  /* judged; a run failed: error, limit, crash (status "error") */
        EXIT_BAD_INPUT = 2,     /* bad job or usage; nothing was started */
        EXIT_INTERNAL = 3,      /* kw could not run the job (systemd, journal, policy, kwd gone) */
        EXIT_BUSY = 4,          /* kwd's queue is full; nothing was started, try again later */
};

/* Largest request kwd reads: a job file's limit, and a line. */
#define PROTOCOL_MAX_REQUEST ((64U << 20) + 64)

typedef enum Command {
        COMMAND_SUBMIT,
        COMMAND_STATS,
        COMMAND_SUBMIT_PROGRESS,         /* submit, with progress records before the response */
        COMMAND_METRICS,
        COMMAND_METRICS_PROMETHEUS,      /* the same in Prometheus' text format 0.0.4 */
        _COMMAND_MAX,
} Command;

/* A progress record's longest line, newline included. */
#define PROTOCOL_MAX_PROGRESS 1024

/**
 * protocol_parse_request() - split a request into its command and body.
 * Return: 0, or -EBADMSG with *ret_error saying why.
 */
int protocol_parse_request(const char *data, size_t size, Command *ret_command, const char **ret_body,
                           size_t *ret_body_size, char **ret_error);

/* Append a response; @message must hold no newline (newlines become spaces). */
int protocol_format_response(Buffer *b, int status, const char *message, const char *body, size_t body_size);

/**
 * protocol_parse_response() - split a response. *ret_message is allocated ("" if none).
 * Return: 0 or -EBADMSG.
 */
int protocol_parse_response(const char *data, size_t size, int *ret_status, char **ret_message, const char **ret_body,
                            size_t *ret_body_size);

/* Append @p as a progress record. */
int protocol_format_progress(Buffer *b, const Progress *p);

/**
 * protocol_parse_progress() - what a response begins with: a progress record, or not.
 * Return: 1 with the record in *ret and its bytes, newline included, in *ret_size; 0 if the response
 * (its status line) begins here; -EAGAIN if more bytes must come to tell; -EBADMSG for a record
 * that is not one (a bad field, counts that do not add up, longer than PROTOCOL_MAX_PROGRESS).
 */
int protocol_parse_progress(const char *data, size_t size, Progress *ret, size_t *ret_size);
