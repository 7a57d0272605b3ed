/* SPDX-License-Identifier: MIT */
/* kwd: the kw daemon. Socket-activated (kwd.socket, and kwd-metrics.socket for GET /metrics if that
 * is enabled) or listening on --socket itself; Type=notify with the watchdog; SIGHUP reloads the
 * policy, SIGTERM stops cleanly. */
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <systemd/sd-daemon.h>

#include "daemon.h"
#include "protocol.h"
#include "run.h"

static const char *const *arg_policy_dirs = policy_default_dirs;
static const char *arg_policy_one[2]; /* --policy: that directory alone */
static const char *arg_socket = KWD_SOCKET;
static const char *arg_log_namespace = "kw";
static const char *arg_slice = "kw.slice";
static char *arg_redis_url = NULL;
static const char *arg_redis_stream = "kw:jobs";
static const char *arg_redis_group = "kw";
static uint64_t arg_redis_reclaim_sec = 120;
static uint64_t arg_redis_result_ttl_sec = 3600;

/* The URL holds a secret: from a file (or systemd credential "redis-url"), never from argv. */
static int read_redis_url(const char *path) {
        _cleanup_free_ char *text = NULL;
        size_t n;
        int r = read_file_all(path, 4096, &text, &n);
        if (r < 0)
                return log_error_errno(r, "Failed to read the Redis URL from %s: %m", path);
        free(arg_redis_url);
        arg_redis_url = strdup(strstrip(text));
        return arg_redis_url ? 0 : -ENOMEM;
}

static int on_reload(sd_event_source *s _unused_, const struct signalfd_siginfo *si _unused_, void *userdata) {
        (void) sd_notify(false, "RELOADING=1");
        (void) daemon_reload(userdata);
        (void) sd_notify(false, "READY=1");
        return 0;
}

static int on_stop(sd_event_source *s _unused_, const struct signalfd_siginfo *si _unused_, void *userdata) {
        (void) sd_notify(false, "STOPPING=1");
        daemon_stop(userdata);
        return 0;
}

/* Without socket activation: listen ourselves, for running kwd by hand. */
static int listen_socket(const char *path) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };

        if (strlen(path) >= sizeof(sa.sun_path))
                return -EINVAL;
        strcpy(sa.sun_path, path);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();
        (void) unlink(path);
        mode_t old = umask(0077);
        int r = bind(fd, (struct sockaddr *) &sa, sizeof(sa));
        umask(old);
        if (r < 0 || listen(fd, SOMAXCONN) < 0)
                return negative_errno();
        return TAKE_FD(fd);
}

static void strv_freep(char ***l) {
        strv_free(*l);
}

/* The sockets systemd passed: kwd.socket's for jobs (any name but "metrics"; -EBADF if none: kwd
 * listens itself) and kwd-metrics.socket's (FileDescriptorName=metrics; -EBADF if not enabled). */
static int take_sockets(int *ret_jobs, int *ret_metrics) {
        _cleanup_(strv_freep) char **names = NULL;
        int jobs = -EBADF, metrics = -EBADF;

        int n = sd_listen_fds_with_names(true, &names);
        if (n < 0)
                return log_error_errno(n, "Failed to get the sockets systemd passed: %m");
        for (int i = 0; i < n; i++) {
                int *slot = strcmp(names[i], "metrics") == 0 ? &metrics : &jobs;
                if (*slot >= 0)
                        return log_error_errno(-EINVAL, "Expected one socket for %s, got more.",
                                               slot == &metrics ? "metrics" : "jobs");
                *slot = SD_LISTEN_FDS_START + i;
        }
        *ret_jobs = jobs;
        *ret_metrics = metrics;
        return 0;
}

static int parse_argv(int argc, char *argv[]) {
        enum { ARG_POLICY = 0x100, ARG_SOCKET, ARG_LOG_NAMESPACE, ARG_SLICE, ARG_REDIS_URL_FILE,
               ARG_REDIS_STREAM, ARG_REDIS_GROUP, ARG_REDIS_RECLAIM, ARG_REDIS_TTL };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "policy", required_argument, NULL, ARG_POLICY },
                { "socket", required_argument, NULL, ARG_SOCKET },
                { "log-namespace", required_argument, NULL, ARG_LOG_NAMESPACE },
                { "slice", required_argument, NULL, ARG_SLICE },
                { "redis-url-file", required_argument, NULL, ARG_REDIS_URL_FILE },
                { "redis-stream", required_argument, NULL, ARG_REDIS_STREAM },
                { "redis-group", required_argument, NULL, ARG_REDIS_GROUP },
                { "redis-reclaim-sec", required_argument, NULL, ARG_REDIS_RECLAIM },
                { "redis-result-ttl-sec", required_argument, NULL, ARG_REDIS_TTL },
                {},
        };
        int c;

        while ((c = getopt_long(argc, argv, "h", options, NULL)) >= 0)
                switch (c) {
                case 'h':
                        printf("kwd [OPTIONS]\n\nThe kw daemon: judges jobs sent by kwctl over its socket.\n\n"
                               "  --policy=DIR          The policy's one directory (default %s over %s)\n"
                               "  --socket=PATH         Listen here when not socket-activated (default %s)\n"
                               "  --log-namespace=NAME  Journal namespace for job output, \"\" for none (default kw)\n"
                               "  --slice=NAME          Slice of the cells, \"\" for none (default kw.slice)\n"
                               "  --redis-url-file=PATH Also work for a Redis stream; the URL is read from PATH\n"
                               "                        (or the credential \"redis-url\"): redis://[USER:PASS@]HOST[:PORT][/DB]\n"
                               "  --redis-stream=KEY    The job stream (default kw:jobs); dead letters go to KEY:dead\n"
                               "  --redis-group=NAME    The consumer group (default kw)\n"
                               "  --redis-reclaim-sec=N Take over jobs a dead worker left after N s (default 120)\n"
                               "  --redis-result-ttl-sec=N  Keep results N s (default 3600)\n",
                               KW_POLICY_ETC_DIR, KW_POLICY_DIR, KWD_SOCKET);
                        return 0;
                case ARG_POLICY:
                        arg_policy_one[0] = optarg;
                        arg_policy_dirs = arg_policy_one;
                        break;
                case ARG_SOCKET:
                        arg_socket = optarg;
                        break;
                case ARG_LOG_NAMESPACE:
                        arg_log_namespace = optarg;
                        break;
                case ARG_SLICE:
                        arg_slice = optarg;
                        break;
                case ARG_REDIS_URL_FILE:
                        if (read_redis_url(optarg) < 0)
                                return -EINVAL;
                        break;
                case ARG_REDIS_STREAM:
                        arg_redis_stream = optarg;
                        break;
                case ARG_REDIS_GROUP:
                        arg_redis_group = optarg;
                        break;
                case ARG_REDIS_RECLAIM:
                case ARG_REDIS_TTL:
                        if (safe_atou64(optarg, c == ARG_REDIS_RECLAIM ? &arg_redis_reclaim_sec : &arg_redis_result_ttl_sec) < 0 ||
                            (c == ARG_REDIS_RECLAIM ? arg_redis_reclaim_sec : arg_redis_result_ttl_sec) == 0) {
                                log_error("--%s takes a positive number of seconds", c == ARG_REDIS_RECLAIM ? "redis-reclaim-sec"
                                                                                                              : "redis-result-ttl-sec");
                                return -EINVAL;
                        }
                        break;
                default:
                        return -EINVAL;
                }
        if (optind < argc) {
                log_error("kwd takes no arguments.");
                return -EINVAL;
        }
        const char *creds = getenv("CREDENTIALS_DIRECTORY");
        if (!arg_redis_url && creds) {
                _cleanup_free_ char *path = NULL;
                if (asprintf_safe(&path, "%s/redis-url", creds) < 0)
                        return -ENOMEM;
                if (access(path, F_OK) == 0 && read_redis_url(path) < 0)
                        return -EINVAL;
        }
        return 1;
}

int main(int argc, char *argv[]) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(daemon_freep) Daemon *d = NULL;
        _cleanup_close_ int own_fd = -EBADF;
        sigset_t mask;
        int r, fd = -EBADF, metrics_fd = -EBADF;

        log_set_program("kwd");
        /* A program that ends before reading all its input closes the pipe kwd writes it to. */
        signal(SIGPIPE, SIG_IGN);
        /* A descriptor per waiting client (max_queued_jobs of them) and several per run: the soft
         * limit of 1024 is too few. kwd uses no select(), so the hard limit is safe. */
        struct rlimit nofile;
        if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 && nofile.rlim_cur < nofile.rlim_max) {
                nofile.rlim_cur = nofile.rlim_max;
                (void) setrlimit(RLIMIT_NOFILE, &nofile);
        }
        r = parse_argv(argc, argv);
        if (r <= 0)
                return r < 0 ? 2 : 0;

        r = take_sockets(&fd, &metrics_fd);
        if (r < 0)
                return 1; /* logged */
        if (fd < 0) {
                fd = own_fd = listen_socket(arg_socket);
                if (fd < 0)
                        return log_error_errno(fd, "Failed to listen on %s: %m", arg_socket), 1;
        }

        r = sd_event_default(&event);
        if (r < 0)
                return log_error_errno(r, "Failed to get an event loop: %m"), 1;
        /* Pings the watchdog from the loop: a stuck loop gets kwd restarted. */
        (void) sd_event_set_watchdog(event, true);

        DaemonConfig config = {
                .policy_dirs = arg_policy_dirs,
                .log_namespace = *arg_log_namespace ? arg_log_namespace : NULL,
                .slice = *arg_slice ? arg_slice : NULL,
                .redis_url = arg_redis_url,
                .redis_stream = arg_redis_stream,
                .redis_group = arg_redis_group,
                .redis_reclaim_usec = arg_redis_reclaim_sec * 1000000ULL,
                .redis_result_ttl_sec = arg_redis_result_ttl_sec,
                .metrics_fd = metrics_fd,
        };
        r = daemon_new(event, fd, &config, &d);
        if (r < 0)
                return 1;

        sigemptyset(&mask);
        sigaddset(&mask, SIGHUP);
        sigaddset(&mask, SIGTERM);
        sigaddset(&mask, SIGINT);
        if (sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ||
            sd_event_add_signal(event, NULL, SIGHUP, on_reload, d) < 0 ||
            sd_event_add_signal(event, NULL, SIGTERM, on_stop, d) < 0 ||
            sd_event_add_signal(event, NULL, SIGINT, on_stop, d) < 0)
                return log_error_errno(-errno, "Failed to handle signals: %m"), 1;

        (void) sd_notify(false, "READY=1\nSTATUS=Accepting jobs.");
        r = sd_event_loop(event);
        free(arg_redis_url);
        if (r < 0)
                return log_error_errno(r, "The event loop failed: %m"), 1;
        return 0;
}
