/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>
#include <systemd/sd-event.h>

#include "redis-url.h"

/* kwd as a worker on a Redis stream: jobs arrive by XREADGROUP (each to one worker of the group),
 * results go back once (a Lua script: SET NX guard, RPUSH, EXPIRE, XACK) to the list the submitter
 * BLPOPs, invalid jobs go to a dead-letter stream. Messages a dead worker left pending are claimed
 * by the others after reclaim_usec (XAUTOCLAIM); a live worker keeps its own fresh (XCLAIM JUSTID).
 * Two connections, so a blocking read never delays a result; both reconnect with backoff. */
typedef struct Queue Queue;

typedef struct QueueConfig {
        const char *url;
        const char *stream;            /* kw:jobs */
        const char *group;             /* kw */
        uint64_t reclaim_usec;         /* idle time after which another worker takes a message */
        uint64_t result_ttl_sec;       /* expiry of results and of the write-once guard */
} QueueConfig;

/* A message's job: @text is the job JSON (NULL if the message has none). */
typedef void (*QueueJobFn)(void *userdata, const char *msg_id, const char *job_id, const char *text, size_t size);

/* The names of the keys a job's result uses, shared with kwctl --redis. */
#define QUEUE_RESULT_KEY "kw:result:"
#define QUEUE_DONE_KEY "kw:done:"
#define QUEUE_DEAD_STREAM_SUFFIX ":dead"

int queue_new(sd_event *event, const QueueConfig *config, QueueJobFn fn, void *userdata, Queue **ret);

/* Room for @free_slots more jobs: read (or claim) while there is. */
void queue_kick(Queue *q, unsigned free_slots);

/**
 * queue_finish() - store a job's response (protocol format) once, with its expiry, and acknowledge
 * the message. Kept and retried across reconnects until Redis has it. Return: 0 or -ENOMEM.
 */
int queue_finish(Queue *q, const char *msg_id, const char *job_id, const char *response, size_t size);

/* A message that is not a valid job: to the dead-letter stream with @reason, then finished. */
int queue_dead_letter(Queue *q, const char *msg_id, const char *job_id, const char *reason, const char *text,
                      size_t size, const char *response, size_t response_size);

/* Messages being worked on, refreshed so no other worker claims them. */
int queue_track(Queue *q, const char *msg_id);
void queue_untrack(Queue *q, const char *msg_id);

/* For the metrics: both connections up (AUTH and SELECT answered), and results not yet stored. */
typedef struct QueueStatus {
        bool connected;
        uint64_t results_pending;
} QueueStatus;

void queue_status(const Queue *q, QueueStatus *ret);

Queue *queue_free(Queue *q);
DEFINE_TRIVIAL_CLEANUP_FUNC(Queue *, queue_free);
