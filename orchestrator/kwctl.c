/* SPDX-License-Identifier: MIT */
#include <getopt.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include "job.h"
#include "journal.h"
#include "json-format.h"
#include "kwctl-audit.h"
#include "policy.h"
#include "progress.h"
#include "protocol.h"
#include "queue.h"
#include "redis-url.h"
#include "report.h"
#include "run.h"
#include "sha256.h"
#include "userns-check.h"


#define MAX_JOB_BYTES (64U << 20)

static const char *arg_policy_dir = NULL; /* NULL: policy_default_dirs, the overlay */
static const char *arg_socket = KWD_SOCKET;
static bool arg_direct = false;
static const char *arg_redis = NULL;
static const char *arg_redis_stream = "kw:jobs";
static uint64_t arg_redis_timeout_sec = 900;
static int arg_json = -1; /* JsonFormat; -1: pretty if stdout is a terminal */
static AuditArgs arg_audit = {};
static bool arg_output = false;
static bool arg_quiet = false;
static const char *arg_stats_command = "stats"; /* kwd's command for stats --format= */

#define PROGRESS_TICK_USEC 1000000ULL

/* submit's progress on stderr, for a person at a terminal: one line, redrawn in place. */
static struct {
        bool on;                         /* stderr is a terminal, and no --quiet */
        uint64_t start_usec;
        Progress last;
        bool have, shown;
} progress_line;

static void progress_draw(void) {
        struct winsize ws = {};
        char line[PROGRESS_LINE_MAX + 8];

        if (!progress_line.on || !progress_line.have)
                return;
        /* A column short of the terminal's width: a line that fills it wraps, and \r would not
         * take the cursor back to its start. */
        unsigned width = ioctl(STDERR_FILENO, TIOCGWINSZ, &ws) >= 0 && ws.ws_col > 1 ? ws.ws_col - 1u : 79;
        size_t n = progress_format(&progress_line.last, now_usec() - progress_line.start_usec, width, line + 1);
        /* Back to the line's start, the line, and the rest of the old one erased. */
        line[0] = '\r';
        memcpy(line + 1 + n, "\033[K", 3);
        if (write_all(STDERR_FILENO, line, n + 4) >= 0)
                progress_line.shown = true;
}

static void progress_show(const Progress *p) {
        progress_line.last = *p;
        progress_line.have = true;
        progress_draw();
}

/* Before anything else goes to stderr or stdout: the line erased, and no more of it. */
static void progress_end(void) {
        if (progress_line.shown)
                (void) write_all(STDERR_FILENO, "\r\033[K", 4);
        progress_line.on = progress_line.shown = false;
}

/* Short, a screenful: the whole story is kwctl(1). */
static void help(void) {
        printf("kwctl [OPTIONS] submit FILE|-\n"
               "kwctl [OPTIONS] stats [--format=json|openmetrics|prometheus]\n"
               "kwctl [OPTIONS] audit [--since=TIME] [--until=TIME] [--verdict=VERDICT]\n"
               "                      [--submitter=UID] [--language=LANGUAGE] [--security]\n"
               "kwctl [OPTIONS] show JOB_ID [--output]\n"
               "\n"
               "Judge a job's code in hardened cells (through kwd when its socket exists); show kwd's\n"
               "counters; list the judged jobs from the journal; tell one job's whole story.\n"
               "\n"
               "  -h --help                Show this help\n"
               "     --policy=DIR          This policy directory alone (default: %s\n"
               "                           with /etc/kw over it)\n"
               "     --socket=PATH         kwd's socket (default %s)\n"
               "     --direct              Judge the job in kwctl itself, even if kwd is there\n"
               "     --redis=URL           Submit through a Redis stream (or $KW_REDIS_URL)\n"
               "     --redis-stream=KEY    The job stream (default kw:jobs)\n"
               "     --redis-timeout-sec=N Give up waiting after N s (default 900)\n"
               "     --json[=pretty|short] Indented or one line (default: pretty on a terminal)\n"
               "  -q --quiet               No progress on stderr\n"
               "\n"
               "Exit status: 0 judged, every run ended normally; 1 judged, a run did not; 2 bad\n"
               "input or usage; 3 kw could not run the job; 4 kwd is busy, try again later; 5 show:\n"
               "no such job in the journal.\n"
               "\n"
               "See kwctl(1) for the job, the result and every option.\n",
               KW_POLICY_DIR, KWD_SOCKET);
}

static int read_job_text(const char *path, char **ret, size_t *ret_size) {
        int r = strcmp(path, "-") == 0 ? read_fd_all(STDIN_FILENO, MAX_JOB_BYTES, ret, ret_size)
                                      : read_file_all(path, MAX_JOB_BYTES, ret, ret_size);
        if (r == -EFBIG)
                log_error("job: larger than %u bytes", MAX_JOB_BYTES);
        else if (r < 0)
                log_error_errno(r, "job: cannot read %s: %m", path);
        return r;
}

typedef struct Submission {
        sd_event *event;
        Pool *pool;
        bool done;
} Submission;

static void on_units_gone(void *userdata) {
        Submission *sub = userdata;
        (void) sd_event_exit(sub->event, 0);
}

/* Judged: the job's cells are stopped, and waited for, so that nothing is left. */
static void on_job_done(Runner *runner _unused_, void *userdata) {
        Submission *sub = userdata;
        sub->done = true;
        pool_stop(sub->pool, on_units_gone, sub);
}

static void on_progress(Runner *runner _unused_, const Progress *progress, void *userdata _unused_) {
        progress_show(progress);
}

/* The elapsed time, going on between the runner's news. */
static int on_progress_tick(sd_event_source *s, uint64_t usec _unused_, void *userdata _unused_) {
        progress_draw();
        if (sd_event_source_set_time_relative(s, PROGRESS_TICK_USEC) >= 0)
                (void) sd_event_source_set_enabled(s, SD_EVENT_ONESHOT);
        return 0;
}

static int on_signal(sd_event_source *s _unused_, const struct signalfd_siginfo *si _unused_, void *userdata) {
        runner_cancel(userdata, "kw was stopped before the run ended");
        return 0;
}

static int on_disconnected(sd_bus_message *m _unused_, void *userdata, sd_bus_error *error _unused_) {
        Submission *sub = userdata;
        log_error("Lost the connection to systemd.");
        return sd_event_exit(sub->event, -ECONNRESET);
}

/* Runs @job to its verdict in a loop of its own; *ret_runner holds the results. */
static int run_job(const Job *job, Policy *policy, const char *job_id, Runner **ret_runner) {
        _cleanup_(sd_event_unrefp) sd_event *event = NULL;
        _cleanup_(sd_event_source_disable_unrefp) sd_event_source *tick = NULL;
        _cleanup_(runner_context_done) RunnerContext ctx = {};
        _cleanup_(runner_freep) Runner *runner = NULL; /* before the context: it gives its cells back */
        Submission sub = {};
        sigset_t mask;
        int r;

        r = sd_event_default(&event);
        if (r < 0)
                return log_error_errno(r, "Failed to get an event loop: %m");
        sub.event = event;
        RunnerSetup setup = {};
        r = runner_context_open(event, &setup, on_disconnected, &sub, &ctx);
        if (r < 0)
                return r; /* logged */

        /* No warm cells here: the pool starts those the job's runs wait for, parallel_runs at most. */
        pool_set_policy(ctx.pool, policy, 0);
        sub.pool = ctx.pool;
        r = runner_new(&ctx, job, policy, job_id, on_job_done, &sub, &runner);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the job: %m");
        if (progress_line.on) {
                runner_set_progress(runner, on_progress, NULL);
                r = sd_event_add_time_relative(event, &tick, CLOCK_MONOTONIC, PROGRESS_TICK_USEC, 0, on_progress_tick, NULL);
                if (r < 0)
                        return log_error_errno(r, "Failed to set up the progress line: %m");
        }

        sigemptyset(&mask);
        sigaddset(&mask, SIGINT);
        sigaddset(&mask, SIGTERM);
        r = sigprocmask(SIG_BLOCK, &mask, NULL) < 0 ? negative_errno() : 0;
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGINT, on_signal, runner);
        if (r >= 0)
                r = sd_event_add_signal(event, NULL, SIGTERM, on_signal, runner);
        if (r < 0)
                return log_error_errno(r, "Failed to handle signals: %m");

        r = runner_start(runner);
        if (r < 0)
                return progress_end(), r;
        r = sd_event_loop(event);
        progress_end();
        if (r < 0)
                return log_error_errno(r, "The event loop failed: %m");
        if (!sub.done)
                return -ECONNRESET;
        *ret_runner = TAKE_PTR(runner);
        return 0;
}

/* A result (kw's JSON, as judged or as kwd sent it) on stdout, in --json's format. Return: 0 or -EIO. */
static int print_result(const char *data, size_t size) {
        _cleanup_(buffer_done) Buffer pretty = {};

        if (arg_json == JSON_PRETTY) {
                if (json_reindent(data, size, &pretty) < 0)
                        return -ENOMEM;
                data = pretty.data, size = pretty.size;
        }
        if (fwrite(data, 1, size, stdout) != size || fflush(stdout) != 0)
                return -EIO;
        return 0;
}

/* kwd's progress records, shown as they come, until its answer begins; what of the answer came with
 * them is left in @b. Return: 0, -EBADMSG for a malformed record, or -errno. */
static int read_progress(int fd, Buffer *b) {
        for (;;) {
                Progress p;
                size_t used;
                int r = protocol_parse_progress(b->data ?: "", b->size, &p, &used);
                if (r == 0)
                        return 0;
                if (r == 1) {
                        progress_show(&p);
                        memmove(b->data, b->data + used, b->size - used);
                        b->size -= used;
                        continue;
                }
                if (r != -EAGAIN)
                        return r;
                /* More to come; the clock goes on meanwhile. */
                struct pollfd pfd = { .fd = fd, .events = POLLIN };
                r = poll(&pfd, 1, PROGRESS_TICK_USEC / 1000);
                if (r == 0)
                        progress_draw();
                if (r <= 0) {
                        if (r < 0 && errno != EINTR)
                                return -errno;
                        continue;
                }
                char chunk[4096];
                ssize_t n = read(fd, chunk, sizeof(chunk));
                /* The end, or a reset after what kwd sent (see read_fd_all()): the answer's parse tells. */
                if (n == 0 || (n < 0 && errno == ECONNRESET))
                        return 0;
                if (n < 0 && errno != EINTR)
                        return -errno;
                if (n > 0 && (r = buffer_append(b, chunk, (size_t) n)) < 0)
                        return r;
        }
}

/* Send one request to kwd and relay its answer: message to stderr, body to stdout, status out. With
 * @progress (submit only), kwd's progress records on the way. */
static int ask_kwd(const char *command, const char *body, size_t body_size, bool progress) {
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        _cleanup_free_ char *rest = NULL, *message = NULL;
        _cleanup_(buffer_done) Buffer response = {};
        const char *result;
        size_t size, result_size;
        int status, r;

        if (strlen(arg_socket) >= sizeof(sa.sun_path))
                return log_error_errno(-EINVAL, "Socket path too long: %s", arg_socket), EXIT_BAD_INPUT;
        strcpy(sa.sun_path, arg_socket);
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return log_error_errno(-errno, "Failed to create a socket: %m"), EXIT_INTERNAL;
        if (connect(fd, (struct sockaddr *) &sa, sizeof(sa)) < 0) {
                r = -errno;
                if (r == -EACCES || r == -EPERM)
                        log_error("Permission denied on kwd's socket %s: submitting takes membership of the "
                                  "socket's group (see README, \"Access\").", arg_socket);
                else
                        log_error_errno(r, "kwd is not answering on %s: %m", arg_socket);
                return EXIT_INTERNAL;
        }
        const char *request = progress ? "submit-progress" : command;
        r = 0;
        for (const char *parts[] = { request, "\n", body }, **p = parts; r >= 0 && p < parts + 3; p++) {
                size_t n = *p == body ? body_size : strlen(*p);
                for (const char *q = *p; r >= 0 && n > 0;) {
                        ssize_t k = send(fd, q, n, MSG_NOSIGNAL);
                        if (k < 0 && errno != EINTR)
                                r = -errno;
                        else if (k > 0)
                                q += k, n -= (size_t) k;
                }
        }
        if (r >= 0 && shutdown(fd, SHUT_WR) < 0)
                r = -errno;
        /* Whether or not all of it went out: kwd may answer before it has read it all (busy, too
         * large) and close, and its answer is there to read. */
        r = progress ? read_progress(fd, &response) : 0;
        if (r == -EBADMSG) {
                progress_end();
                return log_error("kwd sent a malformed progress record."), EXIT_INTERNAL;
        }
        progress_end();
        if (r >= 0)
                r = read_fd_all(fd, SIZE_MAX / 2, &rest, &size);
        if (r >= 0)
                r = buffer_append(&response, rest, size);
        if (r >= 0)
                r = protocol_parse_response(response.data, response.size, &status, &message, &result, &result_size);
        if (r < 0)
                return log_error("kwd closed the connection without an answer (did it stop or crash?)"), EXIT_INTERNAL;
        /* A kwd from before progress records: asked again, the old way. */
        if (progress && status == EXIT_BAD_INPUT && strcmp(message, "request: unknown command") == 0)
                return ask_kwd(command, body, body_size, false);
        if (*message)
                log_error("%s", message);
        if (result_size > 0 && (r = print_result(result, result_size)) < 0)
                return log_error_errno(r, "Failed to write the result: %m"), EXIT_INTERNAL;
        return status;
}

/* NULL with *ret_fatal set when retrying cannot help (Redis refused our credentials). */
static redisContext *redis_connect(const RedisUrl *u, bool *ret_fatal) {
        struct timeval tv = { .tv_sec = 5 };
        redisContext *c = u->path ? redisConnectUnixWithTimeout(u->path, tv) : redisConnectWithTimeout(u->host, (int) u->port, tv);
        if (!c || c->err) {
                log_error("Cannot connect to Redis at %s: %s", u->display, c ? c->errstr : "out of memory");
                if (c)
                        redisFree(c);
                return NULL;
        }
        redisReply *r = u->password ? (u->user ? redisCommand(c, "AUTH %s %s", u->user, u->password)
                                               : redisCommand(c, "AUTH %s", u->password))
                                    : redisCommand(c, "PING");
        bool ok = r && r->type != REDIS_REPLY_ERROR;
        if (!ok)
                log_error("Redis at %s refused us: %s", u->display, r ? r->str : c->errstr);
        *ret_fatal = r && r->type == REDIS_REPLY_ERROR;
        freeReplyObject(r);
        if (ok) {
                r = redisCommand(c, "SELECT %u", u->db);
                ok = r && r->type != REDIS_REPLY_ERROR;
                freeReplyObject(r);
        }
        if (!ok) {
                redisFree(c);
                return NULL;
        }
        return c;
}

/* Enqueue on the stream, then wait for the one result on kw:result:ID, reconnecting while Redis is
 * away: what Redis kept is not lost. */
static int submit_redis(const char *text, size_t size) {
        _cleanup_free_ char *error = NULL, *message = NULL, *key = NULL;
        RedisUrl u = {};
        char job_id[33];
        int status = EXIT_INTERNAL;
        bool queued = false;

        if (redis_url_parse(arg_redis, &u, &error) < 0) {
                log_error("%s", error ? error : "out of memory");
                return EXIT_BAD_INPUT;
        }
        if (random_hex(job_id, 16) < 0 || asprintf_safe(&key, QUEUE_RESULT_KEY "%s", job_id) < 0) {
                redis_url_done(&u);
                return EXIT_INTERNAL;
        }
        uint64_t deadline = now_usec() + arg_redis_timeout_sec * 1000000ULL, backoff = 250000;
        redisContext *c = NULL;
        while (now_usec() < deadline) {
                bool fatal = false;
                if (!c && !(c = redis_connect(&u, &fatal))) {
                        if (fatal)
                                break;
                        usleep((useconds_t) backoff);
                        backoff = backoff * 2 > 5000000 ? 5000000 : backoff * 2;
                        continue;
                }
                redisReply *r = queued ? redisCommand(c, "BLPOP %s 5", key)
                                       : redisCommand(c, "XADD %s * id %s job %b", arg_redis_stream, job_id, text, size);
                if (!r || r->type == REDIS_REPLY_ERROR) {
                        log_error("Redis at %s: %s; retrying.", u.display, r ? r->str : c->errstr);
                        freeReplyObject(r);
                        redisFree(c);
                        c = NULL;
                        usleep((useconds_t) backoff);
                        backoff = backoff * 2 > 5000000 ? 5000000 : backoff * 2;
                        continue;
                }
                if (!queued) {
                        queued = true;
                        freeReplyObject(r);
                        continue;
                }
                if (r->type == REDIS_REPLY_ARRAY && r->elements == 2 && r->element[1]->type == REDIS_REPLY_STRING) {
                        const char *body;
                        size_t body_size;
                        if (protocol_parse_response(r->element[1]->str, r->element[1]->len, &status, &message, &body,
                                                    &body_size) < 0) {
                                log_error("A malformed result came back for job %s.", job_id);
                                status = EXIT_INTERNAL;
                        } else {
                                if (*message)
                                        log_error("%s", message);
                                if (body_size > 0 && print_result(body, body_size) < 0)
                                        status = EXIT_INTERNAL;
                        }
                        freeReplyObject(r);
                        break;
                }
                freeReplyObject(r); /* BLPOP timed out: ask again */
        }
        if (c)
                redisFree(c);
        if (now_usec() >= deadline && status == EXIT_INTERNAL && !message && queued)
                log_error("No result for job %s within %" PRIu64 " s.", job_id, arg_redis_timeout_sec);
        redis_url_done(&u);
        fflush(stdout);
        return status;
}

/* kwd is there if its socket is. */
static bool have_kwd(void) {
        struct stat st;
        return !arg_direct && stat(arg_socket, &st) == 0 && S_ISSOCK(st.st_mode);
}

static int submit(const char *path) {
        _cleanup_(policy_freep) Policy *policy = NULL;
        _cleanup_(job_freep) Job *job = NULL;
        _cleanup_(runner_freep) Runner *runner = NULL;
        _cleanup_free_ char *text = NULL, *error = NULL;
        _cleanup_(buffer_done) Buffer out = {};
        char job_id[33];
        size_t size;
        int r;

        if (read_job_text(path, &text, &size) < 0)
                return EXIT_BAD_INPUT;
        /* Not through Redis: a worker's progress does not come back that way. */
        progress_line.on = !arg_quiet && !arg_redis && isatty(STDERR_FILENO);
        progress_line.start_usec = now_usec();
        if (arg_redis)
                return submit_redis(text, size);
        if (have_kwd())
                return ask_kwd("submit", text, size, progress_line.on);
        r = arg_policy_dir ? policy_load(arg_policy_dir, &policy, &error)
                           : policy_load_dirs(policy_default_dirs, &policy, &error);
        if (r < 0) {
                log_error("policy: %s", error ? error : strerror(-r));
                return EXIT_INTERNAL;
        }
        r = job_parse(text, size, policy, &job, &error);
        if (r == -ENOMEM) {
                log_error_errno(r, "job: %m");
                return EXIT_INTERNAL;
        }
        if (r < 0) {
                log_error("%s", error);
                return EXIT_BAD_INPUT;
        }

        r = userns_check("/proc/sys", &error);
        if (r < 0) {
                log_error("This host cannot run cells: %s", error ? error : strerror(-r));
                return EXIT_INTERNAL;
        }
        r = random_hex(job_id, 16);
        if (r < 0)
                return log_error_errno(r, "Failed to make a job id: %m"), EXIT_INTERNAL;
        /* The audit trail kwd would have written: kwctl audit and show find a --direct job too. */
        char code_sha256[65];
        sha256_hex(job->code, job->code_size, code_sha256);
        AuditSubject subject = { .job_id = job_id, .code_sha256 = code_sha256, .job = job, .uid = getuid(),
                                 .pid = getpid(), .identifier = "kwctl" };
        journal_audit_accepted(&subject);
        r = run_job(job, policy, job_id, &runner);
        if (r < 0)
                return EXIT_INTERNAL; /* logged */

        const RunResult *results = runner_results(runner);
        journal_audit_judged(&subject, results, runner_compile_result(runner), report_overall(job, results));
        r = report_job(&out, job, &policy->caps, job_id, results, runner_compile_result(runner));
        if (r < 0)
                return log_error_errno(r, "Failed to write the result: %m"), EXIT_INTERNAL;
        r = print_result(out.data, out.size);
        if (r < 0)
                return log_error_errno(r, "Failed to write the result: %m"), EXIT_INTERNAL;
        return report_exit_status(job, results);
}

int main(int argc, char *argv[]) {
        enum { ARG_POLICY = 0x100, ARG_SOCKET, ARG_DIRECT, ARG_REDIS, ARG_REDIS_STREAM, ARG_REDIS_TIMEOUT, ARG_JSON,
               ARG_SINCE, ARG_UNTIL, ARG_VERDICT, ARG_SUBMITTER, ARG_LANGUAGE, ARG_SECURITY, ARG_OUTPUT,
               ARG_FORMAT };
        static const struct option options[] = {
                { "help", no_argument, NULL, 'h' },
                { "policy", required_argument, NULL, ARG_POLICY },
                { "socket", required_argument, NULL, ARG_SOCKET },
                { "direct", no_argument, NULL, ARG_DIRECT },
                { "redis", required_argument, NULL, ARG_REDIS },
                { "redis-stream", required_argument, NULL, ARG_REDIS_STREAM },
                { "redis-timeout-sec", required_argument, NULL, ARG_REDIS_TIMEOUT },
                { "json", optional_argument, NULL, ARG_JSON },
                { "since", required_argument, NULL, ARG_SINCE },
                { "until", required_argument, NULL, ARG_UNTIL },
                { "verdict", required_argument, NULL, ARG_VERDICT },
                { "submitter", required_argument, NULL, ARG_SUBMITTER },
                { "language", required_argument, NULL, ARG_LANGUAGE },
                { "security", no_argument, NULL, ARG_SECURITY },
                { "output", no_argument, NULL, ARG_OUTPUT },
                { "quiet", no_argument, NULL, 'q' },
                { "format", required_argument, NULL, ARG_FORMAT },
                {},
        };
        /* The options of one command only: given to another, they would be ignored without a word. */
        static const struct {
                int option;
                const char *name, *command;
        } command_options[] = {
                { ARG_SINCE, "--since", "audit" },       { ARG_UNTIL, "--until", "audit" },
                { ARG_VERDICT, "--verdict", "audit" },   { ARG_SUBMITTER, "--submitter", "audit" },
                { ARG_LANGUAGE, "--language", "audit" }, { ARG_SECURITY, "--security", "audit" },
                { ARG_OUTPUT, "--output", "show" },      { ARG_FORMAT, "--format", "stats" },
        };
        bool given[ELEMENTSOF(command_options)] = {};
        int c;

        log_set_program("kwctl");
        const char *env = getenv("KW_POLICY_DIR");
        if (env && *env)
                arg_policy_dir = env;
        env = getenv("KW_REDIS_URL");
        if (env && *env)
                arg_redis = env;
        while ((c = getopt_long(argc, argv, "hq", options, NULL)) >= 0) {
                for (size_t i = 0; i < ELEMENTSOF(command_options); i++)
                        given[i] = given[i] || command_options[i].option == c;
                switch (c) {
                case 'h':
                        help();
                        return 0;
                case 'q':
                        arg_quiet = true;
                        break;
                case ARG_POLICY:
                        arg_policy_dir = optarg;
                        break;
                case ARG_SOCKET:
                        arg_socket = optarg;
                        break;
                case ARG_DIRECT:
                        arg_direct = true;
                        break;
                case ARG_REDIS:
                        arg_redis = optarg;
                        break;
                case ARG_REDIS_STREAM:
                        arg_redis_stream = optarg;
                        break;
                case ARG_REDIS_TIMEOUT:
                        if (safe_atou64(optarg, &arg_redis_timeout_sec) < 0 || arg_redis_timeout_sec == 0) {
                                log_error("--redis-timeout-sec takes a positive number of seconds");
                                return EXIT_BAD_INPUT;
                        }
                        break;
                case ARG_JSON:
                        arg_json = optarg ? json_format_from_string(optarg) : JSON_SHORT;
                        if (arg_json < 0) {
                                log_error("--json takes pretty or short, not '%s'", optarg);
                                return EXIT_BAD_INPUT;
                        }
                        break;
                case ARG_SINCE:
                        arg_audit.since = optarg;
                        break;
                case ARG_UNTIL:
                        arg_audit.until = optarg;
                        break;
                case ARG_VERDICT:
                        arg_audit.verdict = optarg;
                        break;
                case ARG_SUBMITTER:
                        arg_audit.submitter = optarg;
                        break;
                case ARG_LANGUAGE:
                        arg_audit.language = optarg;
                        break;
                case ARG_SECURITY:
                        arg_audit.security = true;
                        break;
                case ARG_OUTPUT:
                        arg_output = true;
                        break;
                case ARG_FORMAT:
                        arg_stats_command = strcmp(optarg, "json") == 0        ? "stats"
                                          : strcmp(optarg, "openmetrics") == 0 ? "metrics"
                                          : strcmp(optarg, "prometheus") == 0  ? "metrics-prometheus"
                                                                               : NULL;
                        if (!arg_stats_command) {
                                log_error("--format takes json, openmetrics or prometheus, not '%s'", optarg);
                                return EXIT_BAD_INPUT;
                        }
                        break;
                default:
                        return EXIT_BAD_INPUT;
                }
        }
        /* audit prints a table unless --json was given. */
        int audit_json = arg_json;
        /* As systemd's tools: indented for a person at a terminal, one line for a program. */
        if (arg_json < 0)
                arg_json = isatty(STDOUT_FILENO) ? JSON_PRETTY : JSON_SHORT;

        if (optind >= argc) {
                log_error("missing command; see kwctl --help");
                return EXIT_BAD_INPUT;
        }
        bool known = false;
        for (const char *const *k = (const char *const[]) { "submit", "stats", "audit", "show", NULL }; *k; k++)
                known = known || strcmp(argv[optind], *k) == 0;
        if (!known) {
                log_error("unknown command '%s'; see kwctl --help", argv[optind]);
                return EXIT_BAD_INPUT;
        }
        for (size_t i = 0; i < ELEMENTSOF(command_options); i++)
                if (given[i] && strcmp(argv[optind], command_options[i].command) != 0) {
                        log_error("%s is an option of kwctl %s, not of %s", command_options[i].name,
                                  command_options[i].command, argv[optind]);
                        return EXIT_BAD_INPUT;
                }
        if (strcmp(argv[optind], "stats") == 0) {
                if (argc - optind != 1) {
                        log_error("stats takes no arguments");
                        return EXIT_BAD_INPUT;
                }
                /* The metrics are text, not JSON: printed as kwd wrote them. */
                if (strcmp(arg_stats_command, "stats") != 0)
                        arg_json = JSON_SHORT;
                return ask_kwd(arg_stats_command, "", 0, false);
        }
        if (strcmp(argv[optind], "audit") == 0) {
                if (argc - optind != 1) {
                        log_error("audit takes no arguments, only options");
                        return EXIT_BAD_INPUT;
                }
                return kwctl_audit(&arg_audit, audit_json);
        }
        if (strcmp(argv[optind], "show") == 0) {
                if (argc - optind != 2) {
                        log_error("show takes one argument: a job id");
                        return EXIT_BAD_INPUT;
                }
                return kwctl_show(argv[optind + 1], arg_output);
        }
        if (argc - optind != 2) {
                log_error("submit takes one argument: a job file, or - for stdin");
                return EXIT_BAD_INPUT;
        }
        return submit(argv[optind + 1]);
}
