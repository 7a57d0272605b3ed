/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "daemon-internal.h"
#include "protocol.h"

/* The answer goes to the result key the submitter waits on; an invalid job also to the dead-letter
 * stream, with the reason. Either way the message is acknowledged. */
void redis_client_answer(Client *c, int status, const char *message, const char *body, size_t body_size) {
        Daemon *d = c->daemon;
        int r;

        r = protocol_format_response(&c->out, status, message, body, body_size);
        if (r >= 0 && status == EXIT_BAD_INPUT) {
                r = queue_dead_letter(d->queue, c->msg_id, c->job_id, message ? message : "invalid", c->in.data,
                                      c->in.size, c->out.data, c->out.size);
                d->stats.redis_dead_letters += r >= 0;
        } else if (r >= 0)
                r = queue_finish(d->queue, c->msg_id, c->job_id, c->out.data, c->out.size);
        if (r < 0)
                log_error("Failed to answer message %s; it stays pending for another worker.", c->msg_id);
        client_free(c);
}

static bool is_job_id(const char *s) {
        size_t n = 0;
        for (; s[n]; n++)
                if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
                        return false;
        return n == 32;
}

void redis_client_release(Client *c) {
        if (c->daemon->queue)
                queue_untrack(c->daemon->queue, c->msg_id);
        free(c->msg_id);
        c->msg_id = NULL;
}

/* A message from the Redis stream: a client without a socket. */
void redis_client_take(void *userdata, const char *msg_id, const char *job_id, const char *text, size_t size) {
        Daemon *d = userdata;

        /* Stopping: leave it pending for another worker. Already ours (a reclaim of our own message),
         * or the same job id running here (sent twice): this delivery gets no answer, so it cannot
         * take the write-once result from the run that is going on. */
        if (d->stopping)
                return;
        for (Client *i = d->clients; i; i = i->next)
                if (i->msg_id && (strcmp(i->msg_id, msg_id) == 0 || (job_id && strcmp(i->job_id, job_id) == 0)))
                        return;

        Client *c = client_new(d, -EBADF, CLIENT_HANDLING);
        if (!c || !(c->msg_id = strdup(msg_id))) {
                if (c)
                        client_free(c);
                log_error("Out of memory taking message %s; it stays pending.", msg_id);
                return;
        }
        d->stats.redis_taken++;
        c->peer = (struct ucred) { .pid = 0, .uid = (uid_t) -1 };
        (void) queue_track(d->queue, msg_id);
        if (text && buffer_append(&c->in, text, size) < 0) {
                client_free(c);
                return;
        }
        /* The submitter waits on its id: without a usable one nobody could hear the answer. */
        bool good_id = job_id && is_job_id(job_id);
        snprintf(c->job_id, sizeof(c->job_id), "%s", good_id ? job_id : "00000000000000000000000000000000");
        if (!text) {
                client_respond(c, EXIT_BAD_INPUT, "message: no field 'job'", NULL, 0);
                return;
        }
        if (!good_id) {
                client_respond(c, EXIT_BAD_INPUT, "message: field 'id' must be 32 lowercase hex digits", NULL, 0);
                return;
        }
        client_submit(c, c->in.data ? c->in.data : "", c->in.size);
        daemon_start_queued(d);
}
