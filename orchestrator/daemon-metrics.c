/* SPDX-License-Identifier: MIT */
#include <dlfcn.h>
#include <fcntl.h>
#include <microhttpd.h>
#include <stdio.h>
#include <string.h>

#include "daemon-internal.h"
#include "openmetrics.h"

/* A connection idle this long is closed (libmicrohttpd's timeout is one of inactivity: a client that
 * trickles keeps its connection), and only so many connect at once, so that slow or idle clients hold
 * a bounded set of kwd's fds and memory, never its loop. */
#define METRICS_TIMEOUT_SEC 10
#define METRICS_MAX_CONNECTIONS 16

/* libmicrohttpd, with the gnutls it links, cost kwd 2.7 MB of RSS and 5 ms of CPU at every start:
 * loaded only when kwd is given a metrics socket, as systemd loads its optional libraries. */
#define MHD_SONAME "libmicrohttpd.so.12"
#define MHD_SYMBOLS(X)                                                                                  \
        X(MHD_start_daemon) X(MHD_stop_daemon) X(MHD_run) X(MHD_get_timeout) X(MHD_get_daemon_info)     \
        X(MHD_create_response_from_buffer) X(MHD_add_response_header) X(MHD_queue_response)              \
        X(MHD_destroy_response) X(MHD_lookup_connection_value)
#define MHD_FIELD(name) typeof(name) *name;
static struct {
        MHD_SYMBOLS(MHD_FIELD)
} mhd;

static int mhd_load(void) {
        static void *dl;

        if (dl)
                return 0;
        /* Never closed: kwd serves metrics until it stops. */
        void *h = dlopen(MHD_SONAME, RTLD_NOW);
        if (!h)
                return log_error_errno(-EOPNOTSUPP, "Failed to load %s: %s", MHD_SONAME, dlerror());
        const char *missing = NULL;
#define MHD_SYM(name)                                                                                   \
        if (!missing && !(mhd.name = (typeof(name) *) dlsym(h, #name)))                                 \
                missing = #name;
        MHD_SYMBOLS(MHD_SYM)
#undef MHD_SYM
        if (missing) {
                dlclose(h);
                return log_error_errno(-EOPNOTSUPP, "Failed to find %s in %s.", missing, MHD_SONAME);
        }
        dl = h;
        return 0;
}

struct MetricsServer {
        Daemon *daemon;
        struct MHD_Daemon *mhd;
        sd_event_source *io;         /* MHD's epoll fd */
        sd_event_source *timer;      /* MHD's next timeout */
};

_printf_(2, 0) static void on_mhd_log(void *userdata _unused_, const char *fmt, va_list ap) {
        char text[512];
        vsnprintf(text, sizeof(text), fmt, ap);
        log_warning("Metrics: %s", strstrip(text));
}

static enum MHD_Result respond(struct MHD_Connection *conn, unsigned status, const char *content_type,
                               const char *text, size_t size, const char *allow) {
        struct MHD_Response *response = mhd.MHD_create_response_from_buffer(size, (void *) text, MHD_RESPMEM_MUST_COPY);
        enum MHD_Result r = MHD_NO;

        if (!response)
                return MHD_NO; /* MHD drops the connection */
        if (mhd.MHD_add_response_header(response, MHD_HTTP_HEADER_CONTENT_TYPE, content_type) == MHD_YES &&
            (!allow || mhd.MHD_add_response_header(response, MHD_HTTP_HEADER_ALLOW, allow) == MHD_YES))
                r = mhd.MHD_queue_response(conn, status, response);
        mhd.MHD_destroy_response(response);
        return r;
}

/* GET (or HEAD: MHD sends the headers only) /metrics; nothing else. */
static enum MHD_Result on_request(void *userdata, struct MHD_Connection *conn, const char *url, const char *method,
                                  const char *version _unused_, const char *upload_data _unused_,
                                  size_t *upload_data_size _unused_, void **request _unused_) {
        MetricsServer *m = userdata;
        _cleanup_(buffer_done) Buffer b = {};

        if (strcmp(method, MHD_HTTP_METHOD_GET) != 0 && strcmp(method, MHD_HTTP_METHOD_HEAD) != 0) {
                static const char text[] = "Only GET and HEAD.\n";
                return respond(conn, MHD_HTTP_METHOD_NOT_ALLOWED, "text/plain; charset=utf-8", text, sizeof(text) - 1,
                               "GET, HEAD");
        }
        if (strcmp(url, "/metrics") != 0) {
                static const char text[] = "Not found: kwd serves /metrics only.\n";
                return respond(conn, MHD_HTTP_NOT_FOUND, "text/plain; charset=utf-8", text, sizeof(text) - 1, NULL);
        }
        /* OpenMetrics, unless the client asks for Prometheus' text format and not for OpenMetrics. */
        const char *accept = mhd.MHD_lookup_connection_value(conn, MHD_HEADER_KIND, MHD_HTTP_HEADER_ACCEPT);
        MetricsFormat format = accept && !strstr(accept, "application/openmetrics-text") && strstr(accept, "text/plain")
                                       ? METRICS_PROMETHEUS
                                       : METRICS_OPENMETRICS;
        if (daemon_format_metrics(m->daemon, format, &b) < 0) {
                static const char text[] = "Out of memory.\n";
                return respond(conn, MHD_HTTP_INTERNAL_SERVER_ERROR, "text/plain; charset=utf-8", text,
                               sizeof(text) - 1, NULL);
        }
        return respond(conn, MHD_HTTP_OK, format == METRICS_OPENMETRICS ? OPENMETRICS_CONTENT_TYPE : PROMETHEUS_CONTENT_TYPE,
                       b.data, b.size, NULL);
}

static unsigned connections(MetricsServer *m) {
        const union MHD_DaemonInfo *info = mhd.MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_CURRENT_CONNECTIONS);
        return info ? info->num_connections : 0;
}

/* After every run: MHD's next timeout (a connection's, or 0 when it has more to do at once). */
static int metrics_run(MetricsServer *m) {
        MHD_UNSIGNED_LONG_LONG ms;
        bool full = connections(m) >= METRICS_MAX_CONNECTIONS;
        int r;

        if (mhd.MHD_run(m->mhd) != MHD_YES)
                log_warning("Metrics: libmicrohttpd failed to process its connections.");
        /* At its connection limit MHD takes the listening socket out of its epoll set, and puts it
         * back only at the start of a run: once connections have closed, one more run, or a client
         * waiting to be accepted would wait for an event that never comes. */
        if (full && connections(m) < METRICS_MAX_CONNECTIONS && mhd.MHD_run(m->mhd) != MHD_YES)
                log_warning("Metrics: libmicrohttpd failed to process its connections.");
        if (mhd.MHD_get_timeout(m->mhd, &ms) != MHD_YES)
                r = sd_event_source_set_enabled(m->timer, SD_EVENT_OFF);
        else {
                r = sd_event_source_set_time_relative(m->timer, ms * 1000);
                if (r >= 0)
                        r = sd_event_source_set_enabled(m->timer, SD_EVENT_ONESHOT);
        }
        /* Logged, not returned: sd-event would turn the calling source off for good. */
        if (r < 0)
                log_error_errno(r, "Metrics: cannot set libmicrohttpd's timer: %m");
        return 0;
}

static int on_metrics_io(sd_event_source *s _unused_, int fd _unused_, uint32_t revents _unused_, void *userdata) {
        return metrics_run(userdata);
}

static int on_metrics_timer(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        return metrics_run(userdata);
}

int metrics_server_new(Daemon *d, int fd, MetricsServer **ret) {
        _cleanup_(metrics_server_freep) MetricsServer *m = calloc(1, sizeof(MetricsServer));
        const union MHD_DaemonInfo *info;
        int r, flags;

        if (!m)
                return log_error_errno(-ENOMEM, "Out of memory.");
        r = mhd_load();
        if (r < 0)
                return r;
        m->daemon = d;
        /* MHD accepts until EAGAIN: on a blocking socket that would stall kwd's loop. */
        flags = fcntl(fd, F_GETFL);
        if (flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0)
                return log_error_errno(-errno, "Failed to make the metrics socket non-blocking: %m");
        /* No thread of MHD's own: its epoll fd joins kwd's loop, and MHD_run() does the work there. */
        m->mhd = mhd.MHD_start_daemon(MHD_USE_EPOLL | MHD_USE_ERROR_LOG, 0, NULL, NULL, on_request, m,
                                      MHD_OPTION_EXTERNAL_LOGGER, on_mhd_log, NULL, /* first, or MHD complains */
                                      MHD_OPTION_LISTEN_SOCKET, fd,
                                      MHD_OPTION_CONNECTION_LIMIT, (unsigned) METRICS_MAX_CONNECTIONS,
                                      MHD_OPTION_CONNECTION_TIMEOUT, (unsigned) METRICS_TIMEOUT_SEC,
                                      MHD_OPTION_END);
        if (!m->mhd)
                return log_error_errno(-EINVAL, "Failed to serve metrics on the metrics socket (libmicrohttpd refused it).");
        info = mhd.MHD_get_daemon_info(m->mhd, MHD_DAEMON_INFO_EPOLL_FD);
        if (!info)
                return log_error_errno(-EINVAL, "Failed to get libmicrohttpd's epoll fd.");
        r = sd_event_add_io(d->event, &m->io, info->epoll_fd, EPOLLIN, on_metrics_io, m);
        if (r >= 0)
                r = sd_event_add_time_relative(d->event, &m->timer, CLOCK_MONOTONIC, 0, 0, on_metrics_timer, m);
        if (r >= 0)
                r = sd_event_source_set_enabled(m->timer, SD_EVENT_OFF);
        if (r < 0)
                return log_error_errno(r, "Failed to add the metrics socket to the event loop: %m");
        *ret = TAKE_PTR(m);
        return 0;
}

MetricsServer *metrics_server_free(MetricsServer *m) {
        if (!m)
                return NULL;
        sd_event_source_disable_unref(m->io);
        sd_event_source_disable_unref(m->timer);
        if (m->mhd)
                mhd.MHD_stop_daemon(m->mhd); /* closes the listening socket too */
        free(m);
        return NULL;
}
