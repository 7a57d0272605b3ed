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
/* A run's lifecycle; run_enter() is the one transition, and tells the runner when it is done. */
typedef enum RunState {
        RUN_PENDING,                 /* waiting for one of the job's parallel_runs */
        RUN_WAITING,                 /* waiting for an idle cell */
        RUN_RUNNING,                 /* in its cell */
        RUN_DONE,                    /* over, every byte of its output forwarded (or it never ran) */
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
        char name[96];               /* its cell's unit */
        unsigned cell_run;           /* its number in the cell */
        Cell *cell;                  /* while running */
        PoolWaiter waiter;           /* while waiting */
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
        int source_fd;               /* sealed memfds: the code, and the language's seccomp program */
        int filter_fd;
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

static void runner_run_done(Runner *runner);
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
        JournalTag tag = { run->runner->job_id, run->index, run->name, run->cell_run };

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

/* The one transition of a run. */
static void run_enter(Run *run, RunState state) {
        RunState from = run->state;

        run->state = state;
        /* Every run that gets here was started, and counted, by runner_start_next(). */
        if (state == RUN_DONE && from != RUN_DONE) {
                run_close_stream(run, STREAM_STDOUT, true);
                run_close_stream(run, STREAM_STDERR, true);
                runner_run_done(run->runner);
        }
}

/* A run dropped before it was over: its cell must not run it on, and ends in the pool's keeping. */
static void run_abandon(Run *run) {
        Pool *pool = run->runner->ctx.pool;

        if (run->state == RUN_WAITING)
                pool_unwait(pool, &run->waiter);
        if (run->cell) {
                cell_set_callback(run->cell, NULL, NULL);
                cell_stop(run->cell);
                pool_give_back(pool, TAKE_PTR(run->cell));
        }
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
                        if (run->cell)
                                cell_kill(run->cell);
                        end = true;
                } else if (!draining && n < FORWARD_MIN && !st->slice) {
                        /* Accuracy 1 µs: 0 would be sd-event's default of 250 ms. */
                        if (sd_event_add_time_relative(run->runner->ctx.cells.event, &st->slice, CLOCK_MONOTONIC,
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

        (void) run_read(run, s == run->streams[STREAM_STDERR].io ? STREAM_STDERR : STREAM_STDOUT, false);
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

/* The run is over, every process of it gone: what is in the pipes is all it wrote, up to their
 * end. */
static void run_drain(Run *run) {
        for (OutputStream stream = STREAM_STDOUT; stream <= STREAM_STDERR; stream++)
                while (run->streams[stream].fd >= 0 && run_read(run, stream, true) > 0)
                        ;
}

/* ---- a run: an idle cell handed this case ---- */

static void on_cell_event(Cell *c, CellState from, void *userdata) {
        Run *run = userdata;
        CellState now = cell_state(c);

        if ((from != CELL_LIMITING && from != CELL_RUNNING) || now == CELL_LIMITING || now == CELL_RUNNING)
                return;
        /* What the cell saw, beside what kw saw on the run's output path (and a reason it gave). */
        RunOutcome *o = &run->result->outcome, seen;
        const char *error = cell_outcome(c, &seen, run->result->invocation_id);
        seen.output_exceeded = o->output_exceeded;
        memcpy(seen.internal_error, o->internal_error, sizeof(seen.internal_error));
        *o = seen;
        if (error)
                run_fail(run, "%s", error);
        run_drain(run);
        /* Back to the pool once the job's next run waits for a cell (run_enter() starts it; the run
         * and its runner may be gone after): served again, or stopped off the job's path. */
        Pool *pool = run->runner->ctx.pool;
        cell_set_callback(c, NULL, NULL);
        run->cell = NULL;
        run_enter(run, RUN_DONE);
        pool_give_back(pool, c);
}

static int run_watch_output(Run *run) {
        int r = 0;

        for (OutputStream stream = STREAM_STDOUT; r >= 0 && stream <= STREAM_STDERR; stream++)
                r = sd_event_add_io(run->runner->ctx.cells.event, &run->streams[stream].io, run->streams[stream].fd,
                                    EPOLLIN, on_output, run);
        return r;
}

/* A step of starting the run failed: logged, and told (without host paths). */
static void run_start_failed(Run *run, const char *step, int r) {
        log_error_errno(r, "Failed to start run %u of job %s: %s: %m", run->index, run->runner->job_id, step);
        run_fail(run, "could not set up the run: %s failed (%s)", step, strerrorname_np(-r) ?: "?");
}

/* The run goes into @c, idle and now the run's. */
static void run_begin(Run *run, Cell *c) {
        Runner *runner = run->runner;
        const Job *job = runner->job;
        const TestCase *tc = job->has_cases ? &job->cases[run->index] : NULL;
        _cleanup_close_ int input = -EBADF;
        int r;

        run->cell = c;
        cell_set_callback(c, on_cell_event, run);
        input = memfd_sealed("kw-input", tc ? tc->input : "", tc ? tc->input_size : 0);
        if (input < 0) {
                run_start_failed(run, "giving it its input", input);
                goto fail;
        }
        CellRun spec = { .language = job->language, .limits = &job->limits, .source_fd = runner->source_fd,
                         .stdin_fd = input, .filter_fd = runner->filter_fd };
        r = cell_run(c, &spec, &run->streams[STREAM_STDOUT].fd, &run->streams[STREAM_STDERR].fd);
        if (r < 0) {
                run_start_failed(run, "handing it to its cell", r);
                goto fail;
        }
        snprintf(run->name, sizeof(run->name), "%s", cell_name(c));
        run->cell_run = cell_runs(c);
        r = run_watch_output(run);
        if (r < 0) {
                /* Its output unread, the program must not run on. */
                run_start_failed(run, "following its output", r);
                cell_kill(c);
        }
        run_enter(run, RUN_RUNNING);
        return;
fail:
        run->cell = NULL;
        cell_set_callback(c, NULL, NULL);
        pool_give_back(runner->ctx.pool, c);
        run_enter(run, RUN_DONE);
}

static void on_cell_for_run(Cell *c, const char *error, void *userdata) {
        Run *run = userdata;

        if (c) {
                run_begin(run, c);
                return;
        }
        run_fail(run, "could not start a cell: %s", error);
        run_enter(run, RUN_DONE);
}

static void run_start(Run *run) {
        Cell *c = pool_take(run->runner->ctx.pool);

        if (c) {
                run_begin(run, c);
                return;
        }
        run->waiter = (PoolWaiter) { .fn = on_cell_for_run, .userdata = run };
        run_enter(run, RUN_WAITING);
        pool_wait(run->runner->ctx.pool, &run->waiter);
}

static void runner_start_next(Runner *runner) {
        while (runner->next < runner->n_runs && runner->active < runner->policy->caps.parallel_runs) {
                Run *run = &runner->runs[runner->next++];
                runner->active++;
                if (runner->cancelled) {
                        run_fail(run, "the job was cancelled before this run started");
                        run_enter(run, RUN_DONE);
                        continue;
                }
                run_start(run);
        }
}

static void runner_run_done(Runner *runner) {
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
                if (r->out.size != run->streams[STREAM_STDOUT].bytes || r->err.size != run->streams[STREAM_STDERR].bytes)
                        run_fail(run, "the journal lost part of the output");

                outcome_judge(r, &job->limits, c ? c->expected : NULL, c ? c->expected_size : 0);
                JournalTag tag = { runner->job_id, run->index, run->name, run->cell_run };
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
        }
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
                r = sd_event_add_time_relative(runner->ctx.cells.event, &runner->fence_timer, CLOCK_MONOTONIC,
                                               JOURNAL_TIMEOUT_USEC, 0, on_fence_timeout, runner);
        if (r >= 0)
                journal_reader_sync(runner->ctx.reader);
        if (r < 0) {
                log_error_errno(r, "Failed to fence the output of job %s: %m", runner->job_id);
                runner_fail_all(runner, "the journal did not take the output");
                /* Never finish from inside runner_start_next() or runner_cancel(): their callers go on
                 * using the runner. Finish from an event of its own. */
                runner->fence_timer = sd_event_source_disable_unref(runner->fence_timer);
                if (sd_event_add_time_relative(runner->ctx.cells.event, &runner->fence_timer, CLOCK_MONOTONIC, 0, 1,
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
        *runner = (Runner) { .ctx = *ctx, .job = job, .policy = policy, .done_fn = done, .userdata = userdata,
                             .source_fd = -EBADF, .filter_fd = -EBADF };
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

        /* Handed to every run as descriptors: nothing is written where a sandbox could reach. */
        runner->source_fd = memfd_sealed("kw-source", runner->job->code, runner->job->code_size);
        if (runner->source_fd < 0)
                return log_error_errno(runner->source_fd, "Failed to hold the source of job %s: %m", runner->job_id);
        runner->filter_fd = memfd_sealed("kw-seccomp", runner->job->language->seccomp_bpf,
                                         runner->job->language->seccomp_bpf_size);
        if (runner->filter_fd < 0)
                return log_error_errno(runner->filter_fd, "Failed to hold the seccomp filter of job %s: %m", runner->job_id);
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
                if (run->state == RUN_WAITING) {
                        pool_unwait(runner->ctx.pool, &run->waiter);
                        run_fail(run, "%s", reason);
                        run_enter(run, RUN_DONE);
                } else if (run->state == RUN_RUNNING) {
                        run_fail(run, "%s", reason);
                        cell_kill(run->cell);
                }
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
                run_abandon(run);
                run_close_stream(run, STREAM_STDOUT, false);
                run_close_stream(run, STREAM_STDERR, false);
        }
        sd_event_source_disable_unref(runner->fence_timer);
        if (runner->watching)
                journal_reader_unwatch(runner->ctx.reader, runner->job_id);
        if (runner->source_fd >= 0)
                close(runner->source_fd);
        if (runner->filter_fd >= 0)
                close(runner->filter_fd);
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
