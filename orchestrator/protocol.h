/* SPDX-License-Identifier: MIT */
#pragma once

#include "util.h"

/* kwctl <-> kwd over kwd's Unix socket, one request per connection:
 *   request:  "submit\n" JOB-JSON, "stats\n" or "metrics\n" (the stats as OpenMetrics text); the
 *             client then shuts down its write side.
 *   response: "STATUS MESSAGE\n" BODY, then the connection closes.
 * STATUS is kwctl's exit status (see kwctl --help), MESSAGE one line for stderr (may be empty),
 * BODY the result or stats JSON (may be empty). */

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
        COMMAND_METRICS,
} Command;

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
