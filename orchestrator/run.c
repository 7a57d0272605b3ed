/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-event.h>

#include "jobdir.h"
#include "journal.h"
#include "run.h"
#include "unit.h"


#define PIPE_CHUNK (64 * 1024)
/* How long the journal may take to hand back what was logged, after every run has ended. */
#define JOURNAL_TIMEOUT_USEC (30 * 1000000ULL)

typedef enum RunState {
        RUN_PENDING,
        RUN_ACTIVE,
        RUN_DONE,
} RunState;

typedef struct Run {
        Runner *runner;
        unsigned index;
        RunState state;
        char name[96];
        char *path;                  /* D-Bus object path of the unit */
        char *scratch;               /* the run's tmpfs, its /tmp, /var/tmp and /dev/shm */
        sd_bus_slot *match;          /* PropertiesChanged on path */
        sd_bus_slot *call;           /* the one method call in flight */
        bool requery;                /* something changed while a call was in flight */
        bool unit_ended;
        bool started;                /* StartTransientUnit succeeded: the unit must be unref'd */
        int out_fd, err_fd;          /* read ends of the program's stdout and stderr */
        sd_event_source *out_source, *err_source;
        uint64_t out_bytes, err_bytes, seq;
        RunResult *result;
} Run;

struct Runner {
        RunnerContext ctx;
        const Job *job;
        const Policy *policy;
        RunnerConfig config;
        RunnerDoneFn done_fn;
        void *userdata;
        JobDir dir;
        char *filter_path;           /* the language's compiled seccomp program */
        Run *runs;
        RunResult *results;
        size_t n_runs, next, active, done;
        bool watching;               /* registered with the journal reader */
        bool fenced;                 /* the fence is out; waiting to read it back */
        char nonce[33];
        sd_event_source *fence_timer;
        bool cancelled;
        bool finished;
};

static void run_query(Run *run);
static void run_maybe_done(Run *run);
static void runner_fence(Runner *runner);

static void run_fail(Run *run, const char *reason) {
        if (!run->result->outcome.internal_error)
                run->result->outcome.internal_error = reason;
}

/* ---- output: pipe -> journal ---- */

static int on_output(sd_event_source *s, int fd, uint32_t revents _unused_, void *userdata) {
        Run *run = userdata;
        bool is_err = s == run->err_source;
        uint64_t *count = is_err ? &run->err_bytes : &run->out_bytes;
        const Limits *limits = &run->runner->job->limits;
        char buf[PIPE_CHUNK];
        bool eof = false;

        ssize_t n = read(fd, buf, sizeof(buf));
        if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return 0;
                run_fail(run, "reading the program's output failed");
                eof = true;
        } else if (n == 0)
                eof = true;
        else {
                /* Forward what fits; past the cap, stop the run: a flood must not reach the journal. */
                uint64_t room = limits->output_bytes - *count;
                size_t keep = (uint64_t) n > room ? (size_t) room : (size_t) n;
                JournalTag tag = { run->runner->config.job_id, run->index, run->name };
                *count += keep;
                if (keep > 0 && journal_forward(run->runner->ctx.sink, &tag, is_err ? STREAM_STDERR : STREAM_STDOUT,
                                                run->seq++, buf, keep) < 0)
                        run_fail(run, "the journal did not take the program's output");
                if (keep < (size_t) n) {
                        run->result->outcome.output_exceeded = true;
                        (void) sd_bus_call_method_async(run->runner->ctx.bus, NULL, "org.freedesktop.systemd1",
                                                        "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                                        "KillUnit", NULL, NULL, "ssi", run->name, "all", SIGKILL);
                        eof = true;
                }
        }

        if (eof) {
                if (is_err) {
                        run->err_source = sd_event_source_disable_unref(run->err_source);
                        run->err_fd = (close(run->err_fd), -EBADF);
                } else {
                        run->out_source = sd_event_source_disable_unref(run->out_source);
                        run->out_fd = (close(run->out_fd), -EBADF);
                }
                run_maybe_done(run);
        }
        return 0;
}

/* ---- following the unit ---- */

/* Walks an a{sv} of GetAll: @handle reads the value of the properties it knows and returns 1, or
 * returns 0 to have it skipped. */
typedef int (*PropertyFn)(sd_bus_message *m, const char *name, void *userdata);

static int read_properties(sd_bus_message *m, PropertyFn handle, void *userdata) {
        int r;

        r = sd_bus_message_enter_container(m, 'a', "{sv}");
        if (r < 0)
                return r;
        while ((r = sd_bus_message_enter_container(m, 'e', "sv")) > 0) {
                const char *name;
                r = sd_bus_message_read(m, "s", &name);
                if (r >= 0)
                        r = handle(m, name, userdata);
                if (r == 0)
                        r = sd_bus_message_skip(m, "v");
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
                if (r < 0)
                        return r;
        }
        if (r < 0)
                return r;
        return sd_bus_message_exit_container(m);
}

typedef struct ServiceState {
        RunResult *result;
        uint64_t start, exit;
} ServiceState;

static int service_property(sd_bus_message *m, const char *name, void *userdata) {
        ServiceState *st = userdata;
        RunOutcome *o = &st->result->outcome;
        const char *s;
        int r;

        if (strcmp(name, "Result") == 0) {
                r = sd_bus_message_read(m, "v", "s", &s);
                if (r >= 0)
                        snprintf(o->result, sizeof(o->result), "%s", s);
        } else if (strcmp(name, "ExecMainCode") == 0)
                r = sd_bus_message_read(m, "v", "i", &o->exit_code);
        else if (strcmp(name, "ExecMainStatus") == 0)
                r = sd_bus_message_read(m, "v", "i", &o->exit_status);
        else if (strcmp(name, "CPUUsageNSec") == 0)
                r = sd_bus_message_read(m, "v", "t", &o->cpu_nsec);
        else if (strcmp(name, "ExecMainStartTimestampMonotonic") == 0)
                r = sd_bus_message_read(m, "v", "t", &st->start);
        else if (strcmp(name, "ExecMainExitTimestampMonotonic") == 0)
                r = sd_bus_message_read(m, "v", "t", &st->exit);
        else
                return 0;
        return r < 0 ? r : 1;
}

static int read_service_properties(sd_bus_message *m, RunResult *res) {
        ServiceState st = { .result = res };
        int r = read_properties(m, service_property, &st);
        if (r < 0)
                return r;
        if (res->outcome.cpu_nsec == UINT64_MAX)
                res->outcome.cpu_nsec = 0;
        res->outcome.wall_usec = st.exit > st.start ? st.exit - st.start : 0;
        return 0;
}

static int on_service_properties(sd_bus_message *reply, void *userdata, sd_bus_error *error _unused_) {
        Run *run = userdata;

        run->call = sd_bus_slot_unref(run->call);
        if (sd_bus_message_is_method_error(reply, NULL) || read_service_properties(reply, run->result) < 0)
                run_fail(run, "systemd did not say how the run ended");
        run->unit_ended = true;
        /* Our reference (AddRef) kept the unit for this read; dropping it lets systemd collect it. */
        (void) sd_bus_call_method_async(run->runner->ctx.bus, NULL, "org.freedesktop.systemd1", run->path,
                                        "org.freedesktop.systemd1.Unit", "Unref", NULL, NULL, NULL);
        run->started = false;
        run_maybe_done(run);
        return 0;
}

typedef struct UnitState {
        RunResult *result;
        const char *active_state;
        uint32_t job;
} UnitState;

static int unit_property(sd_bus_message *m, const char *name, void *userdata) {
        UnitState *st = userdata;
        int r;

        if (strcmp(name, "ActiveState") == 0)
                r = sd_bus_message_read(m, "v", "s", &st->active_state);
        else if (strcmp(name, "Job") == 0)
                r = sd_bus_message_read(m, "v", "(uo)", &st->job, NULL);
        else if (strcmp(name, "InvocationID") == 0) {
                const void *id;
                size_t n;
                r = sd_bus_message_enter_container(m, 'v', "ay");
                if (r >= 0)
                        r = sd_bus_message_read_array(m, 'y', &id, &n);
                if (r >= 0 && n == 16)
                        for (size_t i = 0; i < 16; i++)
                                sprintf(st->result->invocation_id + 2 * i, "%02x", ((const uint8_t *) id)[i]);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
        } else
                return 0;
        return r < 0 ? r : 1;
}

/* Returns 1 if the unit has ended: inactive or failed with no job pending. */
static int read_unit_properties(sd_bus_message *m, RunResult *res) {
        UnitState st = { .result = res };
        int r = read_properties(m, unit_property, &st);
        if (r < 0)
                return r;
        return st.active_state && st.job == 0 &&
               (strcmp(st.active_state, "inactive") == 0 || strcmp(st.active_state, "failed") == 0);
}

static int on_unit_properties(sd_bus_message *reply, void *userdata, sd_bus_error *error _unused_) {
        Run *run = userdata;
        int r;

        run->call = sd_bus_slot_unref(run->call);
        if (sd_bus_message_is_method_error(reply, NULL))
                r = -EIO;
        else
                r = read_unit_properties(reply, run->result);
        if (r < 0) {
                run_fail(run, "systemd did not say how the run is going");
                run->unit_ended = true;
                run_maybe_done(run);
                return 0;
        }
        if (r > 0) {
                r = sd_bus_call_method_async(run->runner->ctx.bus, &run->call, "org.freedesktop.systemd1", run->path,
                                             "org.freedesktop.DBus.Properties", "GetAll", on_service_properties,
                                             run, "s", "org.freedesktop.systemd1.Service");
                if (r < 0) {
                        run_fail(run, "could not ask systemd how the run ended");
                        run->unit_ended = true;
                        run_maybe_done(run);
                }
                return 0;
        }
        if (run->requery)
                run_query(run);
        return 0;
}

static void run_query(Run *run) {
        run->requery = false;
        int r = sd_bus_call_method_async(run->runner->ctx.bus, &run->call, "org.freedesktop.systemd1", run->path,
                                         "org.freedesktop.DBus.Properties", "GetAll", on_unit_properties, run,
                                         "s", "org.freedesktop.systemd1.Unit");
        if (r < 0) {
                run_fail(run, "could not ask systemd how the run is going");
                run->unit_ended = true;
                run_maybe_done(run);
        }
}

static int on_properties_changed(sd_bus_message *m _unused_, void *userdata, sd_bus_error *error _unused_) {
        Run *run = userdata;

        if (run->unit_ended)
                return 0;
        if (run->call)
                run->requery = true; /* re-read once the call in flight is answered */
        else
                run_query(run);
        return 0;
}

static int on_started(sd_bus_message *reply, void *userdata, sd_bus_error *error _unused_) {
        Run *run = userdata;
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        run->call = sd_bus_slot_unref(run->call);
        if (e) {
                log_error("Failed to start %s: %s", run->name, e->message);
                run_fail(run, "systemd refused to start the sandbox");
                run->unit_ended = true;
                run_maybe_done(run);
                return 0;
        }
        run->started = true;
        /* Read once now, so a unit that ended before the first signal is not missed. */
        run_query(run);
        return 0;
}

static int run_open_pipe(Run *run, int *ret_read_fd, sd_event_source **ret_source, int *ret_write_fd) {
        int fds[2];

        if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) < 0)
                return negative_errno();
        /* The program's end blocks like an ordinary pipe. */
        if (fcntl(fds[1], F_SETFL, 0) < 0) {
                close(fds[0]);
                close(fds[1]);
                return negative_errno();
        }
        int r = sd_event_add_io(run->runner->ctx.event, ret_source, fds[0], EPOLLIN, on_output, run);
        if (r < 0) {
                close(fds[0]);
                close(fds[1]);
                return r;
        }
        *ret_read_fd = fds[0];
        *ret_write_fd = fds[1];
        return 0;
}

static int run_start(Run *run) {
        Runner *runner = run->runner;
        const Job *job = runner->job;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_close_ int out_w = -EBADF, err_w = -EBADF;
        char description[128];
        int r;

        r = run_open_pipe(run, &run->out_fd, &run->out_source, &out_w);
        if (r >= 0)
                r = run_open_pipe(run, &run->err_fd, &run->err_source, &err_w);
        if (r < 0)
                return r;

        r = job_dir_mount_scratch(&runner->dir, run->index, job->limits.tmp_bytes, &run->scratch);
        if (r < 0)
                return r;
        r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", run->name, &run->path);
        if (r < 0)
                return r;
        /* Installed before the start request goes out on the same connection: no change is missed. */
        r = sd_bus_match_signal_async(runner->ctx.bus, &run->match, "org.freedesktop.systemd1", run->path,
                                      "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                      on_properties_changed, NULL, run);
        if (r < 0)
                return r;

        snprintf(description, sizeof(description), "kw run %u of job %s", run->index, runner->config.job_id);
        const TestCase *c = job->has_cases ? &job->cases[run->index] : NULL;
        UnitSpec spec = {
                .name = run->name,
                .description = description,
                .language = job->language,
                .syscalls = runner->policy->syscalls,
                .limits = &job->limits,
                .source_path = runner->dir.source_path,
                .scratch_dir = run->scratch,
                .runstat_path = runner->config.runstat_path,
                .exec_path = runner->config.exec_path,
                .filter_path = runner->filter_path,
                .job_id = runner->config.job_id,
                .run = run->index,
                .journal_socket = runner->ctx.sink->socket_path,
                .slice = runner->config.slice,
                .input = c ? c->input : "",
                .input_size = c ? c->input_size : 0,
                .stdout_fd = out_w,
                .stderr_fd = err_w,
        };
        r = unit_new_start_message(runner->ctx.bus, &spec, &m);
        if (r < 0)
                return r;
        r = sd_bus_call_async(runner->ctx.bus, &run->call, m, on_started, run, 0);
        if (r < 0)
                return r;
        /* The write ends travel in the message; systemd holds them from here on. */
        return 0;
}

static void runner_start_next(Runner *runner) {
        while (runner->next < runner->n_runs && runner->active < runner->policy->caps.parallel_runs) {
                Run *run = &runner->runs[runner->next++];
                run->state = RUN_ACTIVE;
                runner->active++;
                if (runner->cancelled) {
                        run_fail(run, "the job was cancelled before this run started");
                        run->unit_ended = true;
                        run->out_fd = run->err_fd = -EBADF;
                        run_maybe_done(run);
                        continue;
                }
                int r = run_start(run);
                if (r < 0) {
                        log_error_errno(r, "Failed to start %s: %m", run->name);
                        run_fail(run, "could not set up the run");
                        run->unit_ended = true;
                        run->call = sd_bus_slot_unref(run->call);
                        run->out_source = sd_event_source_disable_unref(run->out_source);
                        run->err_source = sd_event_source_disable_unref(run->err_source);
                        if (run->out_fd >= 0)
                                run->out_fd = (close(run->out_fd), -EBADF);
                        if (run->err_fd >= 0)
                                run->err_fd = (close(run->err_fd), -EBADF);
                        run_maybe_done(run);
                }
        }
}

static void run_maybe_done(Run *run) {
        Runner *runner = run->runner;

        if (run->state != RUN_ACTIVE || !run->unit_ended || run->out_fd >= 0 || run->err_fd >= 0 || run->call)
                return;
        run->state = RUN_DONE;
        run->match = sd_bus_slot_unref(run->match);
        /* Ended on an error path before our reference was dropped: drop it now, while the bus is ours. */
        if (run->started) {
                (void) sd_bus_call_method_async(runner->ctx.bus, NULL, "org.freedesktop.systemd1", run->path,
                                                "org.freedesktop.systemd1.Unit", "Unref", NULL, NULL, NULL);
                run->started = false;
        }
        job_dir_umount_scratch(&runner->dir, run->index);
        runner->active--;
        runner->done++;
        if (runner->done == runner->n_runs)
                runner_fence(runner);
        else
                runner_start_next(runner);
}

/* ---- the end: fence, read back, judge ---- */

static void judge(Runner *runner) {
        const Job *job = runner->job;

        for (size_t i = 0; i < runner->n_runs; i++) {
                Run *run = &runner->runs[i];
                RunResult *r = run->result;
                const TestCase *c = job->has_cases ? &job->cases[i] : NULL;
                _cleanup_(buffer_done) Buffer explanation = {};

                /* The fence proves order, not delivery: journald may have dropped entries (rate limits
                 * are per priority) or rotated them away. Every byte forwarded must have come back. */
                if (r->out.size != run->out_bytes || r->err.size != run->err_bytes)
                        run_fail(run, "the journal lost part of the output");

                r->verdict = verdict_decide(&r->outcome, &job->limits, r->out.data ? r->out.data : "", r->out.size,
                                            c ? c->expected : NULL, c ? c->expected_size : 0);
                JournalTag tag = { runner->config.job_id, run->index, run->name };
                if (verdict_explain(&explanation, r->verdict, &r->outcome, &job->limits) >= 0 &&
                    buffer_terminate(&explanation) >= 0)
                        (void) journal_log_run(&tag, r->invocation_id, verdict_to_string(r->verdict), explanation.data,
                                               r->outcome.cpu_nsec / 1000, r->outcome.memory_peak);
        }
}

static void runner_finish(Runner *runner) {
        if (runner->finished)
                return;
        runner->finished = true;
        runner->fence_timer = sd_event_source_disable_unref(runner->fence_timer);
        if (runner->watching)
                journal_reader_unwatch(runner->ctx.reader, runner->config.job_id);
        runner->watching = false;
        job_dir_remove(&runner->dir);
        judge(runner);
        /* Last: the callback may free the runner. */
        runner->done_fn(runner, runner->userdata);
}

static void runner_fail_all(Runner *runner, const char *reason) {
        for (size_t i = 0; i < runner->n_runs; i++)
                run_fail(&runner->runs[i], reason);
}

static int on_fence_timeout(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        Runner *runner = userdata;

        log_error("The journal did not give back the output of job %s in time.", runner->config.job_id);
        runner_fail_all(runner, "the journal did not give the output back");
        runner_finish(runner);
        return 0;
}

static void on_journal_entry(void *userdata, const JournalEntry *e) {
        Runner *runner = userdata;

        if (e->kind == ENTRY_FENCE) {
                if (runner->fenced && e->size == strlen(runner->nonce) && memcmp(e->data, runner->nonce, e->size) == 0)
                        runner_finish(runner);
                return;
        }
        if (e->run >= runner->n_runs)
                return;
        RunResult *res = runner->runs[e->run].result;
        if (e->kind == ENTRY_CHUNK) {
                if (buffer_append(e->stream == STREAM_STDERR ? &res->err : &res->out, e->data, e->size) < 0)
                        run_fail(&runner->runs[e->run], "out of memory reading the output back");
                return;
        }
        /* The kernel's own count from the unified hierarchy: exact on every host, while systemd 252's
         * CPUUsageNSec is missing or wrong on a hybrid one. */
        if (e->cpu_usec != UINT64_MAX)
                res->outcome.cpu_nsec = e->cpu_usec * 1000;
        res->outcome.memory_peak = e->memory_peak;
        res->outcome.oom_kills = e->oom_kills;
}

static int on_finish_now(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        runner_finish(userdata);
        return 0;
}

/* Every run has ended and every byte was forwarded: the fence proves they are all stored. */
static void runner_fence(Runner *runner) {
        int r;

        r = random_hex(runner->nonce, 16);
        if (r >= 0)
                r = journal_fence(runner->ctx.sink, runner->config.job_id, runner->nonce);
        if (r >= 0)
                r = sd_event_add_time_relative(runner->ctx.event, &runner->fence_timer, CLOCK_MONOTONIC,
                                               JOURNAL_TIMEOUT_USEC, 0, on_fence_timeout, runner);
        if (r >= 0)
                journal_reader_sync(runner->ctx.reader);
        if (r < 0) {
                log_error_errno(r, "Failed to fence the output of job %s: %m", runner->config.job_id);
                runner_fail_all(runner, "the journal did not take the output");
                /* Never finish from inside runner_start_next() or runner_cancel(): their callers go on
                 * using the runner. Finish from an event of its own. */
                runner->fence_timer = sd_event_source_disable_unref(runner->fence_timer);
                if (sd_event_add_time_relative(runner->ctx.event, &runner->fence_timer, CLOCK_MONOTONIC, 0, 0,
                                               on_finish_now, runner) < 0)
                        log_error("Job %s cannot finish: out of memory.", runner->config.job_id);
                return;
        }
        runner->fenced = true;
}

int runner_new(const RunnerContext *ctx, const Job *job, const Policy *policy, const RunnerConfig *config,
               RunnerDoneFn done, void *userdata, Runner **ret) {
        _cleanup_(runner_freep) Runner *runner = calloc(1, sizeof(Runner));

        if (!runner)
                return -ENOMEM;
        *runner = (Runner) { .ctx = *ctx, .job = job, .policy = policy, .config = *config, .done_fn = done,
                             .userdata = userdata, .dir = { .base_fd = -EBADF, .fd = -EBADF } };
        runner->n_runs = job_n_runs(job);
        runner->results = calloc(runner->n_runs, sizeof(RunResult));
        runner->runs = calloc(runner->n_runs, sizeof(Run));
        if (!runner->results || !runner->runs)
                return -ENOMEM;
        for (size_t i = 0; i < runner->n_runs; i++) {
                Run *run = &runner->runs[i];
                *run = (Run) { .runner = runner, .index = (unsigned) i, .out_fd = -EBADF, .err_fd = -EBADF,
                               .result = &runner->results[i] };
                run->result->outcome.memory_peak = run->result->outcome.oom_kills = UINT64_MAX;
                snprintf(run->name, sizeof(run->name), "kw-%s-%zu.service", config->job_id, i);
        }
        *ret = TAKE_PTR(runner);
        return 0;
}

int runner_start(Runner *runner) {
        int r;

        r = job_dir_create(runner->config.runtime_dir, runner->config.job_id, runner->job->language->source_file,
                           runner->job->code, runner->job->code_size, &runner->dir);
        if (r < 0)
                return log_error_errno(r, "Failed to write the source of job %s below %s: %m", runner->config.job_id,
                                       runner->config.runtime_dir);
        r = job_dir_write_filter(runner->config.runtime_dir, runner->job->language, &runner->filter_path);
        if (r < 0)
                return log_error_errno(r, "Failed to write the seccomp filter below %s: %m", runner->config.runtime_dir);
        r = journal_reader_watch(runner->ctx.reader, runner->config.job_id, on_journal_entry, runner);
        if (r < 0)
                return log_error_errno(r, "Failed to follow the journal for job %s: %m", runner->config.job_id);
        runner->watching = true;
        runner_start_next(runner);
        return 0;
}

void runner_cancel(Runner *runner, const char *reason) {
        runner->cancelled = true;
        for (size_t i = 0; i < runner->n_runs; i++) {
                Run *run = &runner->runs[i];
                if (run->state != RUN_ACTIVE || run->unit_ended)
                        continue;
                run_fail(run, reason);
                /* StopUnit, not KillUnit: it also replaces a start job PID 1 has not run yet. */
                (void) sd_bus_call_method_async(runner->ctx.bus, NULL, "org.freedesktop.systemd1",
                                                "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                                "StopUnit", NULL, NULL, "ss", run->name, "replace");
        }
        /* Runs not started yet end now, as "cancelled". */
        if (runner->watching)
                runner_start_next(runner);
}

const RunResult *runner_results(const Runner *runner) {
        return runner->results;
}

Runner *runner_free(Runner *runner) {
        if (!runner)
                return NULL;
        for (size_t i = 0; runner->runs && i < runner->n_runs; i++) {
                Run *run = &runner->runs[i];
                sd_bus_slot_unref(run->match);
                sd_bus_slot_unref(run->call);
                sd_event_source_disable_unref(run->out_source);
                sd_event_source_disable_unref(run->err_source);
                if (run->out_fd >= 0)
                        close(run->out_fd);
                if (run->err_fd >= 0)
                        close(run->err_fd);
                /* Only after a failure half-way: drop our reference so systemd collects the unit. */
                if (run->started)
                        (void) sd_bus_call_method_async(runner->ctx.bus, NULL, "org.freedesktop.systemd1", run->path,
                                                        "org.freedesktop.systemd1.Unit", "Unref", NULL, NULL, NULL);
                free(run->path);
                free(run->scratch);
        }
        sd_event_source_disable_unref(runner->fence_timer);
        if (runner->watching)
                journal_reader_unwatch(runner->ctx.reader, runner->config.job_id);
        job_dir_remove(&runner->dir);
        free(runner->filter_path);
        run_results_free(runner->results, runner->n_runs);
        free(runner->runs);
        free(runner);
        return NULL;
}

void run_results_free(RunResult *r, size_t n) {
        if (!r)
                return;
        for (size_t i = 0; i < n; i++) {
                buffer_done(&r[i].out);
                buffer_done(&r[i].err);
        }
        free(r);
}

int runner_find_helper(const char *name, char **ret) {
        _cleanup_free_ char *self = NULL, *path = NULL;
        struct stat st;

        self = realpath("/proc/self/exe", NULL);
        if (self) {
                char *slash = strrchr(self, '/');
                *slash = 0;
                if (asprintf_safe(&path, "%s/%s", self, name) < 0)
                        return -ENOMEM;
                if (access(path, X_OK) < 0)
                        path = (free(path), NULL);
        }
        if (!path && asprintf_safe(&path, "%s/%s", KW_LIBEXEC_DIR, name) < 0)
                return -ENOMEM;
        if (stat(path, &st) < 0)
                return negative_errno();
        if (st.st_uid != 0 || (st.st_mode & 0022))
                return -EPERM;
        *ret = TAKE_PTR(path);
        return 0;
}

int bus_open_systemd(sd_event *event, sd_bus_message_handler_t on_disconnected, void *userdata, sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        int r;

        r = sd_bus_open_system(&bus);
        if (r >= 0)
                r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r >= 0)
                r = sd_bus_match_signal_async(bus, NULL, "org.freedesktop.DBus.Local", "/org/freedesktop/DBus/Local",
                                              "org.freedesktop.DBus.Local", "Disconnected", on_disconnected, NULL,
                                              userdata);
        /* On the system bus, systemd sends unit signals to subscribers only. */
        if (r >= 0)
                r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                       "org.freedesktop.systemd1.Manager", "Subscribe", NULL, NULL, NULL);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(bus);
        return 0;
}
