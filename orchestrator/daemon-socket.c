/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>

#include "daemon-internal.h"
#include "protocol.h"

#define ACCEPT_PAUSE_USEC (100 * 1000ULL)

static int on_client_io(sd_event_source *s, int fd, uint32_t revents, void *userdata);
static int on_io_timeout(sd_event_source *s, uint64_t usec, void *userdata);

/* A socket client has request_timeout_ms to send its request, and as long again to take its answer. */
static int client_arm_timer(Client *c) {
        c->io_timer = sd_event_source_disable_unref(c->io_timer);
        return sd_event_add_time_relative(c->daemon->event, &c->io_timer, CLOCK_MONOTONIC,
                                          c->daemon->policy->daemon.request_timeout_ms * 1000, 0, on_io_timeout, c);
}

void socket_client_answer(Client *c, int status, const char *message, const char *body, size_t body_size) {
        c->state = CLIENT_WRITING;
        if (protocol_format_response(&c->out, status, message, body, body_size) < 0 ||
            sd_event_source_set_io_events(c->source, EPOLLOUT) < 0 || client_arm_timer(c) < 0) {
                log_error("Failed to answer client %d, dropping it.", (int) c->peer.pid);
                client_free(c);
        }
}

/* What can go of c->out without waiting. Return: 1 all of it went, 0 some waits, -errno the client
 * went away (nothing more to tell it). */
static int client_send(Client *c) {
        while (c->out_sent < c->out.size) {
                ssize_t n = send(c->fd, c->out.data + c->out_sent, c->out.size - c->out_sent, MSG_NOSIGNAL | MSG_DONTWAIT);
                if (n < 0)
                        return errno == EAGAIN || errno == EINTR ? 0 : -errno;
                c->out_sent += (size_t) n;
        }
        return 1;
}

static void client_flush(Client *c) {
        if (client_send(c) != 0)
                client_free(c);
}

void socket_client_progress(Runner *runner _unused_, const Progress *progress, void *userdata) {
        Client *c = userdata;
        _cleanup_(buffer_done) Buffer record = {};

        /* A record, whole, before the answer, which follows it in c->out; one that finds no memory is
         * not told (the answer still is). Never freed from here: the runner is the caller. */
        if (c->gone || protocol_format_progress(&record, progress) < 0 || buffer_append(&c->out, record.data, record.size) < 0)
                return;
        if (client_send(c) == 0)
                (void) sd_event_source_set_io_events(c->source, EPOLLOUT);
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
        int r;

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
        c->progress = command == COMMAND_SUBMIT_PROGRESS;
        if (command == COMMAND_STATS || command == COMMAND_METRICS || command == COMMAND_METRICS_PROMETHEUS) {
                _cleanup_(buffer_done) Buffer b = {};
                MetricsFormat format = command == COMMAND_METRICS ? METRICS_OPENMETRICS : METRICS_PROMETHEUS;
                r = command == COMMAND_STATS ? daemon_format_stats(d, &b) : daemon_format_metrics(d, format, &b);
                if (r < 0)
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
        Daemon *d = c->daemon;
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
                        if (d->reading_bytes + (size_t) n > d->policy->daemon.max_reading_bytes) {
                                d->stats.busy++;
                                client_refuse(c, EXIT_BUSY, "kwd is busy receiving other requests; try again later");
                                return 0;
                        }
                        if (buffer_append(&c->in, buf, (size_t) n) < 0) {
                                client_free(c);
                                return 0;
                        }
                        d->reading_bytes += (size_t) n;
                }
        case CLIENT_HANDLING:
                return 0; /* never seen by the loop: handling is done at once */
        case CLIENT_QUEUED:
                if (revents & (EPOLLHUP | EPOLLERR))
                        client_free(c);
                return 0;
        case CLIENT_RUNNING:
                /* Nobody waits for the answer any more: stop the runs; the job ends as usual. */
                if ((revents & (EPOLLHUP | EPOLLERR)) && !c->gone) {
                        c->gone = true;
                        (void) sd_event_source_set_enabled(c->source, SD_EVENT_OFF);
                        runner_cancel(c->runner, "the client went away");
                        return 0;
                }
                /* Progress records the socket had no room for: on with them, then wait for hang-ups only. */
                if ((revents & EPOLLOUT) && client_send(c) != 0)
                        (void) sd_event_source_set_io_events(c->source, 0);
                return 0;
        case CLIENT_WRITING:
                client_flush(c);
                return 0;
        }
        return 0;
}

static int on_accept_resume(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        Daemon *d = userdata;
        d->accept_pause = sd_event_source_disable_unref(d->accept_pause);
        if (d->listen_source)
                (void) sd_event_source_set_enabled(d->listen_source, SD_EVENT_ON);
        return 0;
}

void socket_client_release(Client *c) {
        client_stop_reading(c);
        c->source = sd_event_source_disable_unref(c->source);
        c->io_timer = sd_event_source_disable_unref(c->io_timer);
        if (c->fd >= 0) {
                c->fd = (close(c->fd), -EBADF);
                c->daemon->n_connections--;
        }
}

int socket_client_accept(sd_event_source *s, int fd, uint32_t revents _unused_, void *userdata) {
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
        c = client_new(d, cfd, CLIENT_READING);
        if (!c) {
                close(cfd);
                return 0;
        }
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
