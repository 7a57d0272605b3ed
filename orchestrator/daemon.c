/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <systemd/sd-daemon.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "audit.h"
#include "cleanup.h"
#include "daemon.h"
#include "rundir.h"
#include "journal.h"
#include "protocol.h"
#include "queue.h"
#include "report.h"
#include "run.h"
#include "sha256.h"
#include "stats.h"

#define ACCEPT_PAUSE_USEC (100 * 1000ULL)

typedef enum ClientState {
        CLIENT_READING,                  /* a socket client's request, until its end */
        CLIENT_HANDLING,                 /* a whole request (or a Redis message), being looked at */
        CLIENT_QUEUED,
        CLIENT_RUNNING,
        CLIENT_WRITING,
} ClientState;

typedef struct Client Client;

struct Client {
        Daemon *daemon;
        Client *prev, *next;             /* all clients */
        Client *queue_next;              /* the queue, oldest first */
        int fd;
        sd_event_source *source;
        sd_event_source *io_timer;       /* CLIENT_READING and _WRITING: request_timeout_ms for each */
        struct ucred peer;
        ClientState state;
        bool gone;                       /* hung up before its answer */
        Buffer in;
        Buffer out;
        size_t out_sent;
        char *msg_id;                    /* from the Redis stream, not a socket (fd < 0) */
        bool abandon;                    /* kwd stops: leave the message for another worker */
        Policy *policy;                  /* the one the job was parsed with */
        Job *job;
        char job_id[33];
        char code_sha256[65];
        Runner *runner;
};

struct Daemon {
        sd_event *event;
        RunnerContext ctx;           /* systemd, the journal, the warm pool: what every job runs with */
        Policy *policy;
        DaemonConfig config;
        int listen_fd;
        sd_event_source *listen_source;
        sd_event_source *accept_pause;  /* out of fds: accepting again shortly */
        Client *clients;
        Client *queue_head, *queue_tail;
        unsigned n_queued, n_running;
        uint64_t queued_bytes;
        uint64_t n_connections;         /* socket clients */
        uint64_t reading_bytes;         /* held for requests not yet complete */
        bool stopping;
        Queue *queue;
        Stats stats;
};

static void client_free(Client *c);
static void client_refuse(Client *c, int status, const char *message);
static void daemon_start_queued(Daemon *d);
static void client_submit(Client *c, const char *text, size_t size);
static void daemon_maybe_exit(Daemon *d);

/* ---- answering ---- */

static int on_client_io(sd_event_source *s, int fd, uint32_t revents, void *userdata);
static int on_io_timeout(sd_event_source *s, uint64_t usec, void *userdata);

/* A socket client has request_timeout_ms to send its request, and as long again to take its answer. */
static int client_arm_timer(Client *c) {
        c->io_timer = sd_event_source_disable_unref(c->io_timer);
        return sd_event_add_time_relative(c->daemon->event, &c->io_timer, CLOCK_MONOTONIC,
                                          c->daemon->policy->daemon.request_timeout_ms * 1000, 0, on_io_timeout, c);
}

static void client_respond(Client *c, int status, const char *message, const char *body, size_t body_size) {
        if (c->gone || c->abandon) {
                client_free(c);
                return;
        }
        if (c->msg_id) {
                Daemon *d = c->daemon;
                int r = protocol_format_response(&c->out, status, message, body, body_size);
                /* Invalid jobs go to the dead-letter stream, with the reason, beside the answer. */
                if (r >= 0 && status == EXIT_BAD_INPUT)
                        r = queue_dead_letter(d->queue, c->msg_id, c->job_id, message ? message : "invalid", c->in.data,
                                              c->in.size, c->out.data, c->out.size);
                else if (r >= 0)
                        r = queue_finish(d->queue, c->msg_id, c->job_id, c->out.data, c->out.size);
                if (r < 0)
                        log_error("Failed to answer message %s; it stays pending for another worker.", c->msg_id);
                client_free(c);
                return;
        }
        c->state = CLIENT_WRITING;
        if (protocol_format_response(&c->out, status, message, body, body_size) < 0 ||
            sd_event_source_set_io_events(c->source, EPOLLOUT) < 0 || client_arm_timer(c) < 0) {
                log_error("Failed to answer client %d, dropping it.", (int) c->peer.pid);
                client_free(c);
        }
}

static void client_flush(Client *c) {
        while (c->out_sent < c->out.size) {
                ssize_t n = send(c->fd, c->out.data + c->out_sent, c->out.size - c->out_sent, MSG_NOSIGNAL);
                if (n < 0) {
                        if (errno == EAGAIN || errno == EINTR)
                                return;
                        break; /* the client went away; nothing more to tell it */
                }
                c->out_sent += (size_t) n;
        }
        client_free(c);
}

/* ---- audit ---- */

static AuditSubject audit_subject(const Client *c) {
        return (AuditSubject) { .job_id = c->job_id, .code_sha256 = c->code_sha256, .job = c->job,
                                .uid = c->peer.uid, .pid = c->peer.pid, .msg_id = c->msg_id };
}

/* To the system journal, by kwd itself: never from fields a program could forge. */
static void audit_send(const Client *c, int r, const AuditEntry *e) {
        if (r >= 0)
                r = sd_journal_sendv(e->fields, (int) e->n);
        if (r < 0)
                log_error_errno(r, "Failed to write the audit entry of job %s to the journal: %m", c->job_id);
}

/* ---- jobs ---- */

static void on_job_done(Runner *runner, void *userdata) {
        Client *c = userdata;
        Daemon *d = c->daemon;
        _cleanup_(buffer_done) Buffer body = {};
        const RunResult *results = runner_results(runner);
        Verdict overall = report_overall(c->job, results);
        int status;

        d->n_running--;
        stats_add_job(&d->stats, c->job, results, overall);
        AuditSubject subject = audit_subject(c);
        _cleanup_(audit_entry_done) AuditEntry e = {};
        audit_send(c, audit_judged(&e, &subject, results, overall), &e);
        if (report_job(&body, c->job, &c->policy->caps, c->job_id, results) < 0) {
                status = EXIT_INTERNAL;
                buffer_done(&body);
        } else
                status = report_exit_status(c->job, results);
        c->runner = runner_free(c->runner);
        client_respond(c, status, status == EXIT_INTERNAL && !body.size ? "out of memory" : NULL, body.data,
                       body.size);
        daemon_start_queued(d);
        daemon_maybe_exit(d);
}

static void client_run(Client *c) {
        Daemon *d = c->daemon;
        int r;

        r = runner_new(&d->ctx, c->job, c->policy, c->job_id, on_job_done, c, &c->runner);
        if (r >= 0)
                r = runner_start(c->runner);
        if (r < 0) {
                c->runner = runner_free(c->runner);
                client_respond(c, EXIT_INTERNAL, "kwd could not start the job; see its journal", NULL, 0);
                return;
        }
        c->state = CLIENT_RUNNING;
        d->n_running++;
}

static void queue_remove(Daemon *d, Client *c) {
        Client **p = &d->queue_head;
        while (*p && *p != c)
                p = &(*p)->queue_next;
        if (!*p)
                return;
        *p = c->queue_next;
        if (d->queue_tail == c) {
                d->queue_tail = NULL;
                for (Client *i = d->queue_head; i; i = i->queue_next)
                        d->queue_tail = i;
        }
        c->queue_next = NULL;
        d->n_queued--;
        d->queued_bytes -= c->in.size;
}

static void daemon_start_queued(Daemon *d) {
        while (!d->stopping && d->queue_head && d->n_running < d->policy->daemon.max_jobs) {
                Client *c = d->queue_head;
                queue_remove(d, c);
                client_run(c);
        }
        /* Free slots beyond the local queue: take work from Redis. */
        if (d->queue && !d->stopping)
                queue_kick(d->queue, d->queue_head || d->n_running >= d->policy->daemon.max_jobs
                                             ? 0
                                             : (unsigned) (d->policy->daemon.max_jobs - d->n_running));
}

static bool is_job_id(const char *s) {
        size_t n = 0;
        for (; s[n]; n++)
                if (!((s[n] >= '0' && s[n] <= '9') || (s[n] >= 'a' && s[n] <= 'f')))
                        return false;
        return n == 32;
}

/* A message from the Redis stream: a client without a socket. */
static void on_queue_job(void *userdata, const char *msg_id, const char *job_id, const char *text, size_t size) {
        Daemon *d = userdata;

        /* Stopping: leave it pending for another worker. Already ours (a reclaim of our own message),
         * or the same job id running here (sent twice): this delivery gets no answer, so it cannot
         * take the write-once result from the run that is going on. */
        if (d->stopping)
                return;
        for (Client *i = d->clients; i; i = i->next)
                if (i->msg_id && (strcmp(i->msg_id, msg_id) == 0 || (job_id && strcmp(i->job_id, job_id) == 0)))
                        return;

        Client *c = calloc(1, sizeof(Client));

        if (!c || !(c->msg_id = strdup(msg_id))) {
                free(c);
                log_error("Out of memory taking message %s; it stays pending.", msg_id);
                return;
        }
        *c = (Client) { .daemon = d, .fd = -EBADF, .state = CLIENT_HANDLING, .msg_id = c->msg_id,
                        .peer = { .pid = 0, .uid = (uid_t) -1 } };
        c->next = d->clients;
        if (d->clients)
                d->clients->prev = c;
        d->clients = c;
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

static void client_submit(Client *c, const char *text, size_t size) {
        Daemon *d = c->daemon;
        _cleanup_free_ char *error = NULL;
        int r;

        c->policy = policy_ref(d->policy);
        r = job_parse(text, size, c->policy, &c->job, &error);
        if (r < 0) {
                d->stats.rejected++;
                client_respond(c, r == -ENOMEM ? EXIT_INTERNAL : EXIT_BAD_INPUT, error ? error : "out of memory",
                               NULL, 0);
                return;
        }
        if (!c->job_id[0] && random_hex(c->job_id, 16) < 0) {
                client_respond(c, EXIT_INTERNAL, "no randomness for a job id", NULL, 0);
                return;
        }
        sha256_hex(c->job->code, c->job->code_size, c->code_sha256);
        AuditSubject subject = audit_subject(c);
        _cleanup_(audit_entry_done) AuditEntry e = {};
        audit_send(c, audit_accepted(&e, &subject), &e);

        if (d->n_running < d->policy->daemon.max_jobs && !d->queue_head) {
                client_run(c);
                return;
        }
        /* Redis jobs were fetched for a free slot; they wait whatever the bounds. */
        if (!c->msg_id && (d->n_queued >= d->policy->daemon.max_queued_jobs ||
                           d->queued_bytes + c->in.size > d->policy->daemon.max_queued_bytes)) {
                _cleanup_free_ char *message = NULL;
                d->stats.busy++;
                (void) asprintf_safe(&message, "kwd is busy: %u jobs running, %u queued; try again later",
                                     d->n_running, d->n_queued);
                client_respond(c, EXIT_BUSY, message ? message : "kwd is busy", NULL, 0);
                return;
        }
        /* Keep the job text (its size is what the queue bound counts) only as long as it is queued. */
        c->state = CLIENT_QUEUED;
        if (d->queue_tail)
                d->queue_tail->queue_next = c;
        else
                d->queue_head = c;
        d->queue_tail = c;
        d->n_queued++;
        d->queued_bytes += c->in.size;
}

/* The request is complete, or is refused: its bytes no longer count as being read. */
static void client_stop_reading(Client *c) {
        if (c->state != CLIENT_READING)
                return;
        c->daemon->reading_bytes -= c->in.size;
        c->io_timer = sd_event_source_disable_unref(c->io_timer);
        c->state = CLIENT_HANDLING;
}

static void client_handle(Client *c) {
        Daemon *d = c->daemon;
        _cleanup_free_ char *error = NULL;
        const char *body;
        size_t size;
        Command command;

        client_stop_reading(c);
        /* From here on only a hang-up matters (EPOLLHUP is reported with no events asked for). */
        if (sd_event_source_set_io_events(c->source, 0) < 0) {
                client_free(c);
                return;
        }
        if (protocol_parse_request(c->in.data ? c->in.data : "", c->in.size, &command, &body, &size, &error) < 0) {
                client_respond(c, EXIT_BAD_INPUT, error ? error : "bad request", NULL, 0);
                return;
        }
        if (command == COMMAND_STATS) {
                _cleanup_(buffer_done) Buffer b = {};
                if (stats_format(&d->stats, d->n_running, d->n_queued, &b) < 0)
                        client_respond(c, EXIT_INTERNAL, "out of memory", NULL, 0);
                else
                        client_respond(c, 0, NULL, b.data, b.size);
                return;
        }
        if (d->stopping) {
                client_respond(c, EXIT_INTERNAL, "kwd is stopping; the job was not run", NULL, 0);
                return;
        }
        client_submit(c, body, size);
}

/* Answer a request that is not read to its end: stop reading it, and drop what was read. */
static void client_refuse(Client *c, int status, const char *message) {
        client_stop_reading(c);
        buffer_done(&c->in);
        (void) sd_event_source_set_io_events(c->source, 0);
        client_respond(c, status, message, NULL, 0);
}

static int on_io_timeout(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        Client *c = userdata;
        _cleanup_free_ char *message = NULL;
        uint64_t ms = c->daemon->policy->daemon.request_timeout_ms;

        if (c->state == CLIENT_WRITING) {
                /* It does not take its answer: the answer, and the connection, are dropped. */
                log_warning("Client %d did not take its answer within %" PRIu64 " ms; dropping it.", (int) c->peer.pid, ms);
                client_free(c);
                return 0;
        }
        (void) asprintf_safe(&message, "request: not complete within %" PRIu64 " ms", ms);
        client_refuse(c, EXIT_BAD_INPUT, message ? message : "request: not complete in time");
        return 0;
}

static int on_client_io(sd_event_source *s _unused_, int fd, uint32_t revents, void *userdata) {
        Client *c = userdata;
        char buf[65536];

        switch (c->state) {
        case CLIENT_READING:
                for (;;) {
                        ssize_t n = read(fd, buf, sizeof(buf));
                        if (n < 0) {
                                if (errno == EAGAIN || errno == EINTR)
                                        return 0;
                                client_free(c);
                                return 0;
                        }
                        if (n == 0) {
                                client_handle(c);
                                return 0;
                        }
                        if (c->in.size + (size_t) n > PROTOCOL_MAX_REQUEST) {
                                client_refuse(c, EXIT_BAD_INPUT, "job: larger than 67108864 bytes");
                                return 0;
                        }
                        if (c->daemon->reading_bytes + (size_t) n > c->daemon->policy->daemon.max_reading_bytes) {
                                c->daemon->stats.busy++;
                                client_refuse(c, EXIT_BUSY, "kwd is busy receiving other requests; try again later");
                                return 0;
                        }
                        if (buffer_append(&c->in, buf, (size_t) n) < 0) {
                                client_free(c);
                                return 0;
                        }
                        c->daemon->reading_bytes += (size_t) n;
                }
        case CLIENT_HANDLING:
                return 0; /* never seen by the loop: handling is done at once */
        case CLIENT_QUEUED:
                if (revents & (EPOLLHUP | EPOLLERR)) {
                        queue_remove(c->daemon, c);
                        client_free(c);
                }
                return 0;
        case CLIENT_RUNNING:
                /* Nobody waits for the answer any more: stop the runs; the job ends as usual. */
                if ((revents & (EPOLLHUP | EPOLLERR)) && !c->gone) {
                        c->gone = true;
                        (void) sd_event_source_set_enabled(c->source, SD_EVENT_OFF);
                        runner_cancel(c->runner, "the client went away");
                }
                return 0;
        case CLIENT_WRITING:
                client_flush(c);
                return 0;
        }
        return 0;
}

static void client_free(Client *c) {
        Daemon *d = c->daemon;

        client_stop_reading(c);
        if (c->fd >= 0)
                d->n_connections--;
        if (c->prev)
                c->prev->next = c->next;
        else
                d->clients = c->next;
        if (c->next)
                c->next->prev = c->prev;
        sd_event_source_disable_unref(c->source);
        sd_event_source_disable_unref(c->io_timer);
        if (c->fd >= 0)
                close(c->fd);
        if (c->msg_id && d->queue)
                queue_untrack(d->queue, c->msg_id);
        free(c->msg_id);
        runner_free(c->runner);
        job_free(c->job);
        policy_unref(c->policy);
        buffer_done(&c->in);
        buffer_done(&c->out);
        free(c);
        daemon_maybe_exit(d);
}

static int on_accept_resume(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        Daemon *d = userdata;
        d->accept_pause = sd_event_source_disable_unref(d->accept_pause);
        if (d->listen_source)
                (void) sd_event_source_set_enabled(d->listen_source, SD_EVENT_ON);
        return 0;
}

static int on_accept(sd_event_source *s, int fd, uint32_t revents _unused_, void *userdata) {
        Daemon *d = userdata;
        socklen_t len = sizeof(struct ucred);
        Client *c;
        int r;

        int cfd = accept4(fd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
        if (cfd < 0 && (errno == EMFILE || errno == ENFILE) && !d->accept_pause) {
                /* The connection stays in the backlog; without a pause the loop would spin on it. */
                log_warning("Out of file descriptors; accepting again in 100 ms.");
                if (sd_event_add_time_relative(d->event, &d->accept_pause, CLOCK_MONOTONIC, ACCEPT_PAUSE_USEC, 0,
                                               on_accept_resume, d) >= 0)
                        (void) sd_event_source_set_enabled(s, SD_EVENT_OFF);
        }
        if (cfd < 0)
                return 0; /* EAGAIN, or a client gone before we got to it */
        if (d->n_connections >= d->policy->daemon.max_connections) {
                /* Told at once, in what fits the socket's buffer, and not kept. */
                _cleanup_(buffer_done) Buffer busy = {};
                d->stats.busy++;
                if (protocol_format_response(&busy, EXIT_BUSY, "kwd is busy: too many clients connected; try again later",
                                             NULL, 0) >= 0)
                        (void) send(cfd, busy.data, busy.size, MSG_NOSIGNAL | MSG_DONTWAIT);
                close(cfd);
                return 0;
        }
        c = calloc(1, sizeof(Client));
        if (!c) {
                close(cfd);
                return 0;
        }
        *c = (Client) { .daemon = d, .fd = cfd, .state = CLIENT_READING };
        d->n_connections++;
        c->next = d->clients;
        if (d->clients)
                d->clients->prev = c;
        d->clients = c;
        if (getsockopt(cfd, SOL_SOCKET, SO_PEERCRED, &c->peer, &len) < 0) {
                client_free(c);
                return 0;
        }
        r = sd_event_add_io(d->event, &c->source, cfd, EPOLLIN, on_client_io, c);
        if (r >= 0)
                r = client_arm_timer(c);
        if (r < 0)
                client_free(c);
        return 0;
}

/* ---- start, reload, stop ---- */

static int on_disconnected(sd_bus_message *m _unused_, void *userdata, sd_bus_error *error _unused_) {
        Daemon *d = userdata;
        log_error("Lost the connection to systemd; exiting so that systemd restarts kwd.");
        return sd_event_exit(d->event, -ECONNRESET);
}

int daemon_new(sd_event *event, int listen_fd, const DaemonConfig *config, Daemon **ret) {
        _cleanup_(daemon_freep) Daemon *d = calloc(1, sizeof(Daemon));
        _cleanup_free_ char *error = NULL;
        struct timespec ts;
        int r;

        if (!d)
                return log_error_errno(-ENOMEM, "Out of memory.");
        d->event = sd_event_ref(event);
        d->config = *config;
        d->listen_fd = -EBADF;
        clock_gettime(CLOCK_REALTIME, &ts);
        d->stats.started_usec = (uint64_t) ts.tv_sec * 1000000ULL + (uint64_t) ts.tv_nsec / 1000;

        r = policy_load(config->policy_dir, &d->policy, &error);
        if (r < 0)
                return log_error_errno(r, "Failed to load the policy: %s", error ? error : strerror(-r));

        RunnerSetup setup = { .runtime_dir = config->runtime_dir, .log_namespace = config->log_namespace,
                              .slice = config->slice };
        r = runner_context_open(event, &setup, on_disconnected, d, &d->ctx);
        if (r < 0)
                return r; /* logged */
        r = cleanup_predecessor(d->ctx.sandbox.bus, config->runtime_dir);
        if (r < 0)
                return r;
        pool_set_policy(d->ctx.pool, d->policy);

        r = sd_event_add_io(event, &d->listen_source, listen_fd, EPOLLIN, on_accept, d);
        if (r < 0)
                return log_error_errno(r, "Failed to listen: %m");
        if (config->redis_url) {
                QueueConfig qc = { .url = config->redis_url, .stream = config->redis_stream, .group = config->redis_group,
                                   .reclaim_usec = config->redis_reclaim_usec,
                                   .result_ttl_sec = config->redis_result_ttl_sec };
                r = queue_new(event, &qc, on_queue_job, d, &d->queue);
                if (r < 0)
                        return log_error_errno(r, "Failed to set up the Redis queue: %m");
                daemon_start_queued(d);
        }
        d->listen_fd = listen_fd;
        *ret = TAKE_PTR(d);
        return 0;
}

int daemon_reload(Daemon *d) {
        _cleanup_free_ char *error = NULL;
        Policy *p = NULL;

        int r = policy_load(d->config.policy_dir, &p, &error);
        if (r < 0)
                return log_error_errno(r, "Failed to reload the policy, keeping the old one: %s",
                                       error ? error : strerror(-r));
        policy_unref(d->policy);
        d->policy = p;
        pool_set_policy(d->ctx.pool, p);
        log_info("Policy reloaded from %s.", d->config.policy_dir);
        daemon_start_queued(d);
        return 0;
}

static void daemon_maybe_exit(Daemon *d) {
        /* Runs give their sandboxes to the pool before their clients go: none is left behind. */
        if (d->stopping && !d->clients && !pool_busy(d->ctx.pool))
                (void) sd_event_exit(d->event, 0);
}

static void on_pool_stopped(void *userdata) {
        daemon_maybe_exit(userdata);
}

void daemon_stop(Daemon *d) {
        if (d->stopping)
                return;
        d->stopping = true;
        d->listen_source = sd_event_source_disable_unref(d->listen_source);
        /* Warm units are stopped too, and waited for: nothing of kw's is left once kwd has gone. */
        pool_stop(d->ctx.pool, on_pool_stopped, d);
        if (d->queue)
                queue_kick(d->queue, 0);
        /* A Redis job is left unacknowledged, for another worker (or us, restarted) to rerun. */
        for (Client *c = d->clients; c; c = c->next)
                c->abandon = c->msg_id != NULL;
        while (d->queue_head) {
                Client *c = d->queue_head;
                queue_remove(d, c);
                client_respond(c, EXIT_INTERNAL, "kwd is stopping; the job was not run", NULL, 0);
        }
        for (Client *c = d->clients; c; c = c->next)
                if (c->state == CLIENT_RUNNING)
                        runner_cancel(c->runner, "kwd was stopped before the run ended");
        daemon_maybe_exit(d);
}

Daemon *daemon_free(Daemon *d) {
        if (!d)
                return NULL;
        while (d->clients) {
                d->stopping = false; /* no exit requests from inside the teardown */
                client_free(d->clients);
        }
        sd_event_source_disable_unref(d->listen_source);
        sd_event_source_disable_unref(d->accept_pause);
        queue_free(d->queue);
        runner_context_done(&d->ctx);
        policy_unref(d->policy);
        sd_event_unref(d->event);
        free(d);
        return NULL;
}
