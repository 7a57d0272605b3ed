/* SPDX-License-Identifier: MIT */
#pragma once

/* kwd's parts, one concern each: daemon.c the jobs (admission, the backlog, running, answering,
 * audit, stats) and the daemon's life; daemon-socket.c the clients of the socket; daemon-redis.c the
 * messages of the Redis stream. A Client is one job's submitter, from either. */

#include <sys/socket.h>
#include <systemd/sd-event.h>

#include "backlog.h"
#include "daemon.h"
#include "openmetrics.h"
#include "queue.h"
#include "run.h"
#include "stats.h"

typedef enum ClientState {
        CLIENT_READING,                  /* a socket client's request, until its end */
        CLIENT_HANDLING,                 /* a whole request (or a Redis message), being looked at */
        CLIENT_QUEUED,
        CLIENT_RUNNING,
        CLIENT_WRITING,
} ClientState;

typedef struct Client Client;
typedef struct MetricsServer MetricsServer;

struct Client {
        Daemon *daemon;
        Client *prev, *next;             /* all clients */
        BacklogEntry backlog;            /* CLIENT_QUEUED */
        int fd;                          /* the socket; -EBADF for a Redis message */
        sd_event_source *source;
        sd_event_source *io_timer;       /* CLIENT_READING and _WRITING: request_timeout_ms for each */
        struct ucred peer;
        ClientState state;
        bool gone;                       /* hung up before its answer */
        bool progress;                   /* a socket client that asked for progress records */
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
        RunnerContext ctx;               /* systemd, the journal, the warm pool: what every job runs with */
        Policy *policy;
        DaemonConfig config;
        int listen_fd;
        sd_event_source *listen_source;
        sd_event_source *accept_pause;   /* out of fds: accepting again shortly */
        Client *clients;
        Backlog backlog;
        unsigned n_running;
        uint64_t n_connections;          /* socket clients */
        uint64_t reading_bytes;          /* held for requests not yet complete */
        bool stopping;
        Queue *queue;
        MetricsServer *metrics;          /* kwd-metrics.socket's, or NULL */
        Stats stats;
};

/* daemon.c */
Client *client_new(Daemon *d, int fd, ClientState state);
void client_free(Client *c);
/* Parse @text as a job and run, queue or refuse it. */
void client_submit(Client *c, const char *text, size_t size);
/* Answer @c (exit status, message, body) the way it came, and be done with it. */
void client_respond(Client *c, int status, const char *message, const char *body, size_t body_size);
/* `kwctl stats`, and the same as OpenMetrics (GET /metrics, `kwctl stats --format=openmetrics`) */
int daemon_format_stats(Daemon *d, Buffer *b);
int daemon_format_metrics(Daemon *d, MetricsFormat format, Buffer *b);
void daemon_start_queued(Daemon *d);
void daemon_maybe_exit(Daemon *d);

/* daemon-socket.c: the listening socket's handler (userdata: the Daemon), and a socket client's
 * answer and end. */
int socket_client_accept(sd_event_source *s, int fd, uint32_t revents, void *userdata);
void socket_client_answer(Client *c, int status, const char *message, const char *body, size_t body_size);
/* The RunnerProgressFn of a client that asked for progress (userdata: the Client). */
void socket_client_progress(Runner *runner, const Progress *progress, void *userdata);
void socket_client_release(Client *c);

/* daemon-metrics.c: GET /metrics over HTTP on @fd (a listening TCP socket, taken over), by
 * libmicrohttpd without threads, in kwd's loop. Return: 0 or -errno (logged). */
int metrics_server_new(Daemon *d, int fd, MetricsServer **ret);
MetricsServer *metrics_server_free(MetricsServer *m);
DEFINE_TRIVIAL_CLEANUP_FUNC(MetricsServer *, metrics_server_free);

/* daemon-redis.c: the Queue's QueueJobFn (userdata: the Daemon), and a message's answer and end. */
void redis_client_take(void *userdata, const char *msg_id, const char *job_id, const char *text, size_t size);
void redis_client_answer(Client *c, int status, const char *message, const char *body, size_t body_size);
void redis_client_release(Client *c);
