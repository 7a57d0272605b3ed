/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "policy.h"

/* kwd's local backlog: the jobs waiting for a free slot, oldest first, and what they hold; and the
 * one rule for what happens to a job that arrives. Pure: entries are embedded in their owners. */

typedef struct BacklogEntry {
        struct BacklogEntry *prev, *next;
        uint64_t bytes;              /* the job text it holds while it waits */
        bool queued;
} BacklogEntry;

typedef struct Backlog {
        BacklogEntry *head, *tail;
        unsigned n;
        uint64_t bytes;
} Backlog;

typedef enum Admission {
        ADMIT_RUN,                   /* a slot is free and nobody waits before it */
        ADMIT_QUEUE,
        ADMIT_BUSY,                  /* the queue is full: turned away */
} Admission;

/**
 * backlog_admit() - what happens to a job of @bytes arriving while @running jobs run. @bounded:
 * whether the queue's bounds apply (a Redis job was fetched for a free slot, and waits whatever they
 * say).
 */
Admission backlog_admit(const Backlog *b, unsigned running, const DaemonCaps *caps, uint64_t bytes, bool bounded);

/* How many more jobs could start now: free slots, if nobody waits. */
unsigned backlog_room(const Backlog *b, unsigned running, const DaemonCaps *caps);

void backlog_push(Backlog *b, BacklogEntry *e, uint64_t bytes);
/* Takes @e out, if it waits. */
void backlog_remove(Backlog *b, BacklogEntry *e);
/* The oldest, taken out; NULL if none waits. */
BacklogEntry *backlog_pop(Backlog *b);
