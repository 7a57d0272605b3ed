/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit.h"
#include "journal.h"
#include "openmetrics.h"
#include "cleanup.h"
#include "userns-check.h"
#include "daemon-internal.h"
#include "protocol.h"
#include "report.h"
#include "sha256.h"

/* ---- clients ---- */

Client *client_new(Daemon *d, int fd, ClientState state) {
        Client *c = calloc(1, sizeof(Client));

        if (!c)
                return NULL;
        *c = (Client) { .daemon = d, .fd = fd, .state = state, .next = d->clients };
        if (fd >= 0)
                d->n_connections++;
        if (d->clients)
                d->clients->prev = c;
        d->clients = c;
        return c;
}

void client_free(Client *c) {
        Daemon *d = c->daemon;

        if (c->msg_id)
                redis_client_release(c);
        else
                socket_client_release(c);
        backlog_remove(&d->backlog, &c->backlog);
        if (c->prev)
                c->prev->next = c->next;
        else
                d->clients = c->next;
        if (c->next)
                c->next->prev = c->prev;
        runner_free(c->runner);
        job_free(c->job);
        policy_unref(c->policy);
        buffer_done(&c->in);
        buffer_done(&c->out);
        free(c);
        daemon_maybe_exit(d);
}

void client_respond(Client *c, int status, const char *message, const char *body, size_t body_size) {
        if (c->gone || c->abandon)
                client_free(c);
        else if (c->msg_id)
                redis_client_answer(c, status, message, body, body_size);
        else
                socket_client_answer(c, status, message, body, body_size);
}

/* ---- audit ---- */

static AuditSubject audit_subject(const Client *c) {
        return (AuditSubject) { .job_id = c->job_id, .code_sha256 = c->code_sha256, .job = c->job,
                                .uid = c->peer.uid, .pid = c->peer.pid, .msg_id = c->msg_id };
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
        journal_audit_judged(&subject, results, runner_compile_result(runner), overall);
        if (report_job(&body, c->job, &c->policy->caps, c->job_id, results, runner_compile_result(runner)) < 0) {
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
        if (r < 0)
                log_error_errno(r, "Failed to set up job %s: %m", c->job_id);
        else {
                if (c->progress)
                        runner_set_progress(c->runner, socket_client_progress, c);
                r = runner_start(c->runner); /* logs its own failure */
        }
        if (r < 0) {
                _cleanup_free_ char *message = NULL;
                c->runner = runner_free(c->runner);
                (void) asprintf_safe(&message, "kwd could not start the job (%s); see its journal",
                                     strerrorname_np(-r) ?: "?");
                client_respond(c, EXIT_INTERNAL, message ?: "kwd could not start the job", NULL, 0);
                return;
        }
        c->state = CLIENT_RUNNING;
        d->n_running++;
}

void daemon_start_queued(Daemon *d) {
        while (!d->stopping && d->backlog.head && d->n_running < d->policy->daemon.max_jobs)
                client_run(container_of(backlog_pop(&d->backlog), Client, backlog));
        /* Free slots beyond the local backlog: take work from Redis. */
        if (d->queue && !d->stopping)
                queue_kick(d->queue, backlog_room(&d->backlog, d->n_running, &d->policy->daemon));
}

void client_submit(Client *c, const char *text, size_t size) {
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
        journal_audit_accepted(&subject);

        switch (backlog_admit(&d->backlog, d->n_running, &d->policy->daemon, c->in.size, !c->msg_id)) {
        case ADMIT_RUN:
                client_run(c);
                return;
        case ADMIT_BUSY: {
                _cleanup_free_ char *message = NULL;
                d->stats.busy++;
                (void) asprintf_safe(&message, "kwd is busy: %u jobs running, %u queued; try again later",
                                     d->n_running, d->backlog.n);
                client_respond(c, EXIT_BUSY, message ? message : "kwd is busy", NULL, 0);
                return;
        }
        case ADMIT_QUEUE:
                /* Keep the job text (its size is what the queue bound counts) only as long as it is queued. */
                c->state = CLIENT_QUEUED;
                backlog_push(&d->backlog, &c->backlog, c->in.size);
                return;
        }
}

int daemon_format_stats(Daemon *d, Buffer *b) {
        return stats_format(&d->stats, d->n_running, d->backlog.n, b);
}

int daemon_format_metrics(Daemon *d, MetricsFormat format, Buffer *b) {
        PoolStatus pool;
        QueueStatus queue = {};

        pool_status(d->ctx.pool, &pool);
        if (d->queue)
                queue_status(d->queue, &queue);
        MetricsLive live = {
                .in_flight = d->n_running, .queued = d->backlog.n, .cells_warm = pool.warm, .cells_idle = pool.idle,
                .cells_busy = pool.lent, .cells_starting = pool.starting, .cells_stopping = pool.stopping,
                .cells_started = pool.started, .cell_start_failures = pool.start_failures, .redis = d->queue != NULL,
                .redis_connected = queue.connected, .redis_results_pending = queue.results_pending,
        };
        return metrics_format(&d->stats, &live, format, b);
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

        r = policy_load_dirs(config->policy_dirs, &d->policy, &error);
        if (r < 0)
                return log_error_errno(r, "Failed to load the policy: %s", error ? error : strerror(-r));

        r = userns_check("/proc/sys", &error);
        if (r < 0)
                return log_error_errno(r, "This host cannot run cells: %s", error ? error : strerror(-r));
        RunnerSetup setup = { .log_namespace = config->log_namespace, .slice = config->slice };
        r = runner_context_open(event, &setup, on_disconnected, d, &d->ctx);
        if (r < 0)
                return r; /* logged */
        r = cleanup_predecessor(d->ctx.cells.bus, config->slice);
        if (r < 0)
                return r;
        pool_set_policy(d->ctx.pool, d->policy, d->policy->daemon.cells);

        r = sd_event_add_io(event, &d->listen_source, listen_fd, EPOLLIN, socket_client_accept, d);
        if (r < 0)
                return log_error_errno(r, "Failed to listen: %m");
        if (config->redis_url) {
                QueueConfig qc = { .url = config->redis_url, .stream = config->redis_stream, .group = config->redis_group,
                                   .reclaim_usec = config->redis_reclaim_usec,
                                   .result_ttl_sec = config->redis_result_ttl_sec };
                r = queue_new(event, &qc, redis_client_take, d, &d->queue);
                if (r < 0)
                        return log_error_errno(r, "Failed to set up the Redis queue: %m");
                daemon_start_queued(d);
        }
        if (config->metrics_fd >= 0) {
                /* Jobs matter more than their metrics: without the endpoint (logged), kwd serves on. */
                r = metrics_server_new(d, config->metrics_fd, &d->metrics);
                if (r < 0)
                        log_warning("Serving jobs without metrics.");
        }
        d->listen_fd = listen_fd;
        *ret = TAKE_PTR(d);
        return 0;
}

int daemon_reload(Daemon *d) {
        _cleanup_free_ char *error = NULL;
        Policy *p = NULL;

        _cleanup_free_ char *dirs = NULL;
        int r = policy_load_dirs(d->config.policy_dirs, &p, &error);
        if (r < 0)
                return log_error_errno(r, "Failed to reload the policy, keeping the old one: %s",
                                       error ? error : strerror(-r));
        policy_unref(d->policy);
        d->policy = p;
        pool_set_policy(d->ctx.pool, p, p->daemon.cells);
        log_info("Policy reloaded from %s.", policy_dirs_describe(d->config.policy_dirs, &dirs) >= 0 ? dirs : "its directories");
        daemon_start_queued(d);
        return 0;
}

void daemon_maybe_exit(Daemon *d) {
        /* Runs give their cells to the pool before their clients go: none is left behind. */
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
        /* Warm cells are stopped too, and waited for: nothing of kw's is left once kwd has gone. */
        pool_stop(d->ctx.pool, on_pool_stopped, d);
        if (d->queue)
                queue_kick(d->queue, 0);
        /* A Redis job is left unacknowledged, for another worker (or us, restarted) to rerun. */
        for (Client *c = d->clients; c; c = c->next)
                c->abandon = c->msg_id != NULL;
        for (BacklogEntry *e; (e = backlog_pop(&d->backlog));)
                client_respond(container_of(e, Client, backlog), EXIT_INTERNAL, "kwd is stopping; the job was not run",
                               NULL, 0);
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
        metrics_server_free(d->metrics);
        queue_free(d->queue);
        runner_context_done(&d->ctx);
        policy_unref(d->policy);
        sd_event_unref(d->event);
        free(d);
        return NULL;
}
