/* SPDX-License-Identifier: MIT */
#include <stddef.h>

#include "backlog.h"

Admission backlog_admit(const Backlog *b, unsigned running, const DaemonCaps *caps, uint64_t bytes, bool bounded) {
        if (running < caps->max_jobs && !b->head)
                return ADMIT_RUN;
        if (bounded && (b->n >= caps->max_queued_jobs || b->bytes + bytes > caps->max_queued_bytes))
                return ADMIT_BUSY;
        return ADMIT_QUEUE;
}

unsigned backlog_room(const Backlog *b, unsigned running, const DaemonCaps *caps) {
        return b->head || running >= caps->max_jobs ? 0 : (unsigned) (caps->max_jobs - running);
}

void backlog_push(Backlog *b, BacklogEntry *e, uint64_t bytes) {
        if (e->queued)
                return;
        *e = (BacklogEntry) { .prev = b->tail, .bytes = bytes, .queued = true };
        if (b->tail)
                b->tail->next = e;
        else
                b->head = e;
        b->tail = e;
        b->n++;
        b->bytes += bytes;
}

void backlog_remove(Backlog *b, BacklogEntry *e) {
        if (!e->queued)
                return;
        if (e->prev)
                e->prev->next = e->next;
        else
                b->head = e->next;
        if (e->next)
                e->next->prev = e->prev;
        else
                b->tail = e->prev;
        b->n--;
        b->bytes -= e->bytes;
        *e = (BacklogEntry) {};
}

BacklogEntry *backlog_pop(Backlog *b) {
        BacklogEntry *e = b->head;
        if (e)
                backlog_remove(b, e);
        return e;
}
