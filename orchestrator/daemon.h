/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "policy.h"

typedef struct DaemonConfig {
        const char *const *policy_dirs; /* policy_load_dirs()'s */
        /* Journal namespace of job output, or NULL for the system journal. kwd writes the output
         * there itself; the cells get no LogNamespace=, which would bind the namespace's
         * sockets into the sandbox for the program to write to. */
        const char *log_namespace;
        const char *slice;           /* Slice= of the cells, or NULL */
        const char *redis_url;       /* work for a Redis stream too, or NULL */
        const char *redis_stream;
        const char *redis_group;
        uint64_t redis_reclaim_usec;
        uint64_t redis_result_ttl_sec;
        int metrics_fd;              /* kwd-metrics.socket's listening socket (taken over), or -EBADF */
} DaemonConfig;

/* kwd: accepts jobs on a listening socket, runs at most policy->daemon.max_jobs at once, queues up to
 * max_queued_jobs behind them and turns the rest away as busy; audits every job to the journal. */
typedef struct Daemon Daemon;

/**
 * daemon_new() - load the policy, connect to systemd and the journal, and collect what a crashed
 * predecessor left (its cells), then accept on @listen_fd. Refuses a host that forbids what cells
 * need (userns_check()).
 * Return: 0 or -errno (logged).
 */
int daemon_new(sd_event *event, int listen_fd, const DaemonConfig *config, Daemon **ret);

/* Re-read the policy; jobs already accepted keep the one they started with. Return: 0 or -errno. */
int daemon_reload(Daemon *d);

/* Stop accepting, tell queued clients, stop running jobs; exits the event loop once all is done. */
void daemon_stop(Daemon *d);

Daemon *daemon_free(Daemon *d);
DEFINE_TRIVIAL_CLEANUP_FUNC(Daemon *, daemon_free);
