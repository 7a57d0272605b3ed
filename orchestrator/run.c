/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-event.h>

#include "journal.h"
#include "pool.h"
#include "run.h"


#define PIPE_CHUNK (64 * 1024)
/* Output goes to the journal in entries of at least FORWARD_MIN bytes, or of what one slice gathered:
 * after a short read the pipe is left to fill for FORWARD_SLICE_USEC. A program writing a byte at a
 * time then costs journald and kw an entry and a wakeup per slice, not per write; one writing fast
 * fills the pipe between reads and is never paused. */
#define FORWARD_MIN (16 * 1024)
#define FORWARD_SLICE_USEC (50 * 1000ULL)
/* How long the journal may take to hand back what was logged, after every run has ended. */
#define JOURNAL_TIMEOUT_USEC (30 * 1000000ULL)
/* A unit started for a run at once gets its job at once: its RuntimeMaxSec= backstop (kw's own timer
 * ends it at the wall-clock limit) allows this much for PID 1 to set it up. */
#define COLD_SETUP_USEC (30 * 1000000ULL)

typedef enum RunState {
        RUN_PENDING,
        RUN_ACTIVE,
        RUN_DONE,
} RunState;

/* One of the program's output streams, as kw reads it. */
typedef struct RunStream {
        int fd;                      /* the pipe's read end */
        sd_event_source *io;
        sd_event_source *slice;      /* while set, the pipe is left to fill */
        Buffer pending;              /* read, not yet forwarded */
        uint64_t bytes;              /* read and kept, under the cap */
} RunStream;

typedef struct Run {
        Runner *runner;
        unsigned index;
        RunState state;
        char name[96];
        Sandbox *sandbox;
        bool finished;               /* the program is done, its output drained */
        bool have_stats;             /* its cgroup's counters came from the sandbox, not kw-runstat */
        bool have_runstat;           /* kw-runstat's entry, used if the sandbox had no counters */
        uint64_t runstat_cpu_usec, runstat_memory_peak, runstat_oom_kills;
        RunStream streams[2];        /* by OutputStream */
        uint64_t seq;
        uint64_t next_seq;           /* the KW_SEQ of the next chunk to read back */
        RunResult *result;
} Run;

struct Runner {
        RunnerContext ctx;
        const Job *job;
        const Policy *policy;
        char job_id[33];
        RunnerDoneFn done_fn;
        void *userdata;
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

static void run_maybe_done(Run *run);
static void runner_fence(Runner *runner);

/* The first reason kw could not run it is the one told. */
_printf_(2, 3) static void run_fail(Run *run, const char *fmt, ...) {
        RunOutcome *o = &run->result->outcome;
        va_list ap;

        if (o->internal_error[0])
                return;
        va_start(ap, fmt);
        (void) vsnprintf(o->internal_error, sizeof(o->internal_error), fmt, ap);
        va_end(ap);
}

/* ---- output: pipe -> journal ---- */

/* What was read of @stream so far, as one entry. */
static void run_forward(Run *run, OutputStream stream) {
        RunStream *st = &run->streams[stream];
        JournalTag tag = { run->runner->job_id, run->index, run->name };

        if (st->pending.size == 0)
                return;
        if (journal_forward(run->runner->ctx.sink, &tag, stream, run->seq++, st->pending.data, st->pending.size) < 0)
                run_fail(run, "the journal did not take the program's output");
        st->pending.size = 0;
}

/* Stop following the program's stdout or stderr, forward what is left (unless the run is dropped)
 * and close kw's end. */
static void run_close_stream(Run *run, OutputStream stream, bool forward) {
        RunStream *st = &run->streams[stream];

        st->io = sd_event_source_disable_unref(st->io);
        st->slice = sd_event_source_disable_unref(st->slice);
        if (st->fd >= 0 && forward)
                run_forward(run, stream);
        if (st->fd >= 0)
                st->fd = (close(st->fd), -EBADF);
        buffer_done(&st->pending);
}

/* A run dropped before its unit finished: the unit must not run on, and ends in the pool's keeping. */
static void run_abandon_sandbox(Run *run) {
        if (!run->sandbox)
                return;
        sandbox_stop(run->sandbox);
        pool_retire(run->runner->ctx.pool, TAKE_PTR(run->sandbox));
}

static int on_slice(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata);

/* Reads one chunk from the program's stdout or stderr and keeps what fits under the cap, forwarding
 * it in entries of FORWARD_MIN; after a short read (unless @draining) the pipe is left to fill for a
 * slice. Returns 1 if it read some, 0 if the pipe is empty for now, -1 once the pipe is closed (at its
 * end, at the cap, or on an error). */
static int run_read(Run *run, OutputStream stream, bool draining) {
        RunStream *st = &run->streams[stream];
        const Limits *limits = &run->runner->job->limits;
        char buf[PIPE_CHUNK];
        bool end = false;

        ssize_t n = read(st->fd, buf, sizeof(buf));
        if (n < 0) {
                if (errno == EAGAIN || errno == EINTR)
                        return 0;
                run_fail(run, "reading the program's output failed");
                end = true;
        } else if (n == 0)
                end = true;
        else {
                /* Keep what fits; past the cap, stop the run: a flood must not reach the journal. */
                uint64_t room = limits->output_bytes - st->bytes;
                size_t keep = (uint64_t) n > room ? (size_t) room : (size_t) n;
                st->bytes += keep;
                if (buffer_append(&st->pending, buf, keep) < 0)
                        run_fail(run, "out of memory reading the program's output");
                if (st->pending.size >= FORWARD_MIN)
                        run_forward(run, stream);
                if (keep < (size_t) n) {
                        run->result->outcome.output_exceeded = true;
                        if (run->sandbox)
                                sandbox_kill(run->sandbox);
                        end = true;
                } else if (!draining && n < FORWARD_MIN && !st->slice) {
                        /* Accuracy 1 µs: 0 would be sd-event's default of 250 ms. */
                        if (sd_event_add_time_relative(run->runner->ctx.sandbox.event, &st->slice, CLOCK_MONOTONIC,
                                                       FORWARD_SLICE_USEC, 1, on_slice, run) >= 0)
                                (void) sd_event_source_set_enabled(st->io, SD_EVENT_OFF);
                }
        }
        if (!end)
                return 1;
        run_close_stream(run, stream, true);
        return -1;
}

static int on_output(sd_event_source *s, int fd _unused_, uint32_t revents _unused_, void *userdata) {
        Run *run = userdata;

        if (run_read(run, s == run->streams[STREAM_STDERR].io ? STREAM_STDERR : STREAM_STDOUT, false) < 0)
                run_maybe_done(run);
        return 0;
}

/* A slice is over: forward what it gathered and read again. */
static int on_slice(sd_event_source *s, uint64_t usec _unused_, void *userdata) {
        Run *run = userdata;
        OutputStream stream = s == run->streams[STREAM_STDERR].slice ? STREAM_STDERR : STREAM_STDOUT;
        RunStream *st = &run->streams[stream];

        st->slice = sd_event_source_disable_unref(st->slice);
        run_forward(run, stream);
        (void) sd_event_source_set_enabled(st->io, SD_EVENT_ON);
        return 0;
}

/* The program is done: what is in the pipes is all it wrote (systemd's ExecStopPost= still holds
 * the write ends, so no end of file comes yet). */
static void run_drain(Run *run) {
        for (OutputStream stream = STREAM_STDOUT; stream <= STREAM_STDERR; stream++) {
                while (run->streams[stream].fd >= 0 && run_read(run, stream, true) > 0)
                        ;
                run_close_stream(run, stream, true);
        }
}

/* ---- a run: a sandbox, warm or started now, handed this case ---- */

static void on_sandbox_event(Sandbox *sb, SandboxEvent event _unused_, void *userdata) {
        Run *run = userdata;
        const char *error = sandbox_outcome(sb, &run->result->outcome, run->result->invocation_id);

        if (error)
                run_fail(run, "%s", error);
        run->have_stats = sandbox_has_stats(sb);
        run_drain(run);
        /* Its unit ends on its own, off the job's path; the pool keeps it until then. */
        run->sandbox = NULL;
        pool_retire(run->runner->ctx.pool, sb);
        run->finished = true;
        run_maybe_done(run);
}

static int run_watch_output(Run *run) {
        int r;

        r = sandbox_take_output(run->sandbox, &run->streams[STREAM_STDOUT].fd, &run->streams[STREAM_STDERR].fd);
        for (OutputStream stream = STREAM_STDOUT; r >= 0 && stream <= STREAM_STDERR; stream++)
                r = sd_event_add_io(run->runner->ctx.sandbox.event, &run->streams[stream].io, run->streams[stream].fd,
                                    EPOLLIN, on_output, run);
        return r;
}

/* The reason the run's result tells when a step of setting it up failed. */
static int run_fail_setup(Run *run, const char *step, int r) {
        run_fail(run, "could not set up the run: %s failed (%s)", step, strerrorname_np(-r) ?: "?");
        return r;
}

/* A step of run_start() failed: logged, and told. */
static int run_start_failed(Run *run, const char *step, int r) {
        log_error_errno(r, "Failed to start run %u of job %s: %s: %m", run->index, run->runner->job_id, step);
        return run_fail_setup(run, step, r);
}

static int run_start(Run *run) {
        Runner *runner = run->runner;
        const Job *job = runner->job;
        const TestCase *c = job->has_cases ? &job->cases[run->index] : NULL;
        int r;

        run->sandbox = pool_take(runner->ctx.pool, job->language, &job->limits);
        if (run->sandbox)
                sandbox_set_callback(run->sandbox, on_sandbox_event, run);
        else {
                char name[96], description[128];
                snprintf(name, sizeof(name), "kw-%s-%u.service", runner->job_id, run->index);
                sandbox_describe_run(description, sizeof(description), runner->job_id, run->index);
                SandboxSpec spec = {
                        .name = name,
                        .description = description,
                        .language = job->language,
                        .filter_path = runner->filter_path,
                        .syscalls = runner->policy->syscalls,
                        .limits = &job->limits,
                        .idle_usec = COLD_SETUP_USEC,
                };
                const char *step = NULL;
                r = sandbox_start(&runner->ctx.sandbox, &spec, on_sandbox_event, run, &run->sandbox, &step);
                if (r < 0) /* logged by sandbox_start() already */
                        return run_fail_setup(run, step ?: "starting the sandbox", r);
        }
        snprintf(run->name, sizeof(run->name), "%s", sandbox_name(run->sandbox));
        r = run_watch_output(run);
        if (r < 0)
                return run_start_failed(run, "following its output", r);
        r = sandbox_hand_over(run->sandbox, runner->job_id, run->index, job->code, job->code_size,
                              c ? c->input : "", c ? c->input_size : 0, job->limits.wall_time_ms * 1000);
        if (r < 0)
                return run_start_failed(run, "handing it its code and input", r);
        return 0;
}

static void runner_start_next(Runner *runner) {
        while (runner->next < runner->n_runs && runner->active < runner->policy->caps.parallel_runs) {
                Run *run = &runner->runs[runner->next++];
                run->state = RUN_ACTIVE;
                runner->active++;
                if (runner->cancelled) {
                        run_fail(run, "the job was cancelled before this run started");
                        run->finished = true;
                        run_maybe_done(run);
                        continue;
                }
                /* Each step logs its own failure and gives the run its reason. */
                if (run_start(run) < 0) {
                        run_abandon_sandbox(run);
                        run->finished = true;
                        run_close_stream(run, STREAM_STDOUT, true);
                        run_close_stream(run, STREAM_STDERR, true);
                        run_maybe_done(run);
                }
        }
}

static void run_maybe_done(Run *run) {
        Runner *runner = run->runner;

        if (run->state != RUN_ACTIVE || !run->finished || run->streams[STREAM_STDOUT].fd >= 0 ||
            run->streams[STREAM_STDERR].fd >= 0)
                return;
        run->state = RUN_DONE;
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

                /* kw-runstat's count, where kw could not read the cgroup itself: the kernel's, from the
                 * unified hierarchy (systemd 252's CPUUsageNSec is missing or wrong on a hybrid one). */
                if (!run->have_stats && run->have_runstat) {
                        if (run->runstat_cpu_usec != UINT64_MAX)
                                r->outcome.cpu_end_usec = run->runstat_cpu_usec;
                        r->outcome.memory_peak = run->runstat_memory_peak;
                        r->outcome.oom_kills = run->runstat_oom_kills;
                }
                /* The fence proves order, not delivery: journald may have dropped entries (rate limits
                 * are per priority) or rotated them away. Every byte forwarded must have come back. */
                if (r->out.size != run->streams[STREAM_STDOUT].bytes || r->err.size != run->streams[STREAM_STDERR].bytes)
                        run_fail(run, "the journal lost part of the output");

                outcome_judge(r, &job->limits, c ? c->expected : NULL, c ? c->expected_size : 0);
                JournalTag tag = { runner->job_id, run->index, run->name };
                if (outcome_explain(&explanation, r, &job->limits) >= 0 && buffer_terminate(&explanation) >= 0)
                        (void) journal_log_run(&tag, r->invocation_id, verdict_to_string(r->verdict), explanation.data,
                                               r->cpu_usec, r->outcome.memory_peak);
        }
}

static void runner_finish(Runner *runner) {
        if (runner->finished)
                return;
        runner->finished = true;
        runner->fence_timer = sd_event_source_disable_unref(runner->fence_timer);
        if (runner->watching)
                journal_reader_unwatch(runner->ctx.reader, runner->job_id);
        runner->watching = false;
        judge(runner);
        /* Last: the callback may free the runner. */
        runner->done_fn(runner, runner->userdata);
}

static void runner_fail_all(Runner *runner, const char *reason) {
        for (size_t i = 0; i < runner->n_runs; i++)
                run_fail(&runner->runs[i], "%s", reason);
}

static int on_fence_timeout(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        Runner *runner = userdata;

        log_error("The journal did not give back the output of job %s in time.", runner->job_id);
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
        Run *run = &runner->runs[e->run];
        if (e->kind == ENTRY_CHUNK) {
                /* Chunks come back in the order sent. One seen before is a journal file a restarted
                 * journald renamed and the reader saw again; one skipped, a journald killed between
                 * reading a chunk and storing it. */
                if (e->seq < run->next_seq)
                        return;
                if (e->seq != run->next_seq)
                        run_fail(run, "the journal lost part of the output");
                run->next_seq = e->seq == UINT64_MAX ? UINT64_MAX : e->seq + 1;
                if (buffer_append(e->stream == STREAM_STDERR ? &run->result->err : &run->result->out, e->data, e->size) < 0)
                        run_fail(run, "out of memory reading the output back");
                return;
        }
        /* Of this run's unit: a reused job id may have units of its earlier run still ending. */
        if (e->unit_size != strlen(run->name) || memcmp(e->unit, run->name, e->unit_size) != 0)
                return;
        run->have_runstat = true;
        run->runstat_cpu_usec = e->cpu_usec;
        run->runstat_memory_peak = e->memory_peak;
        run->runstat_oom_kills = e->oom_kills;
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
                r = journal_fence(runner->ctx.sink, runner->job_id, runner->nonce);
        if (r >= 0)
                r = sd_event_add_time_relative(runner->ctx.sandbox.event, &runner->fence_timer, CLOCK_MONOTONIC,
                                               JOURNAL_TIMEOUT_USEC, 0, on_fence_timeout, runner);
        if (r >= 0)
                journal_reader_sync(runner->ctx.reader);
        if (r < 0) {
                log_error_errno(r, "Failed to fence the output of job %s: %m", runner->job_id);
                runner_fail_all(runner, "the journal did not take the output");
                /* Never finish from inside runner_start_next() or runner_cancel(): their callers go on
                 * using the runner. Finish from an event of its own. */
                runner->fence_timer = sd_event_source_disable_unref(runner->fence_timer);
                if (sd_event_add_time_relative(runner->ctx.sandbox.event, &runner->fence_timer, CLOCK_MONOTONIC, 0, 1,
                                               on_finish_now, runner) < 0)
                        log_error("Job %s cannot finish: out of memory.", runner->job_id);
                return;
        }
        runner->fenced = true;
}

int runner_new(const RunnerContext *ctx, const Job *job, const Policy *policy, const char *job_id,
               RunnerDoneFn done, void *userdata, Runner **ret) {
        _cleanup_(runner_freep) Runner *runner = calloc(1, sizeof(Runner));

        if (!runner)
                return -ENOMEM;
        if (strlen(job_id) >= sizeof(runner->job_id))
                return -EINVAL;
        *runner = (Runner) { .ctx = *ctx, .job = job, .policy = policy, .done_fn = done, .userdata = userdata };
        strcpy(runner->job_id, job_id);
        runner->n_runs = job_n_runs(job);
        runner->results = calloc(runner->n_runs, sizeof(RunResult));
        runner->runs = calloc(runner->n_runs, sizeof(Run));
        /* Not yet with closed descriptors (-EBADF): runner_free() must not see them. */
        if (!runner->results || !runner->runs) {
                runner->runs = (free(runner->runs), NULL);
                return -ENOMEM;
        }
        for (size_t i = 0; i < runner->n_runs; i++) {
                Run *run = &runner->runs[i];
                *run = (Run) { .runner = runner, .index = (unsigned) i, .streams = { { .fd = -EBADF }, { .fd = -EBADF } },
                               .result = &runner->results[i] };
                run->result->outcome.memory_peak = run->result->outcome.oom_kills = UINT64_MAX;
        }
        *ret = TAKE_PTR(runner);
        return 0;
}

int runner_start(Runner *runner) {
        int r;

        r = run_dir_write_filter(runner->ctx.sandbox.runtime_dir, runner->job->language, &runner->filter_path);
        if (r < 0)
                return log_error_errno(r, "Failed to write the seccomp filter below %s: %m",
                                       runner->ctx.sandbox.runtime_dir);
        r = journal_reader_watch(runner->ctx.reader, runner->job_id, on_journal_entry, runner);
        if (r < 0)
                return log_error_errno(r, "Failed to follow the journal for job %s: %m", runner->job_id);
        runner->watching = true;
        runner_start_next(runner);
        return 0;
}

void runner_cancel(Runner *runner, const char *reason) {
        runner->cancelled = true;
        for (size_t i = 0; i < runner->n_runs; i++) {
                Run *run = &runner->runs[i];
                if (run->state != RUN_ACTIVE || run->finished)
                        continue;
                run_fail(run, "%s", reason);
                /* StopUnit, not KillUnit: it also replaces a start job PID 1 has not run yet. */
                sandbox_stop(run->sandbox);
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
                /* Only when the job is dropped half-way. */
                run_abandon_sandbox(run);
                run_close_stream(run, STREAM_STDOUT, false);
                run_close_stream(run, STREAM_STDERR, false);
        }
        sd_event_source_disable_unref(runner->fence_timer);
        if (runner->watching)
                journal_reader_unwatch(runner->ctx.reader, runner->job_id);
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
        _cleanup_free_ char *self = NULL, *path = NULL, *real = NULL;
        int r;

        /* Beside the running program (a build tree): as trusted as the program itself, whoever can
         * replace one can replace the other; the file must still be root's and not writable by others. */
        self = realpath("/proc/self/exe", NULL);
        if (self) {
                char *slash = strrchr(self, '/');
                *slash = 0;
                if (asprintf_safe(&path, "%s/%s", self, name) < 0)
                        return -ENOMEM;
                if (access(path, X_OK) == 0) {
                        r = file_check_root_only(path);
                        if (r < 0)
                                return r;
                        *ret = TAKE_PTR(path);
                        return 0;
                }
        }
        /* Installed: nobody but root may be able to swap it, anywhere on its path. */
        path = (free(path), NULL);
        if (asprintf_safe(&path, "%s/%s", KW_LIBEXEC_DIR, name) < 0)
                return -ENOMEM;
        real = realpath(path, NULL);
        if (!real)
                return negative_errno();
        r = path_check_root_only(real);
        if (r < 0)
                return r;
        *ret = TAKE_PTR(real);
        return 0;
}
