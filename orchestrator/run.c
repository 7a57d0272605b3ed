/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <systemd/sd-event.h>

#include "journal.h"
#include "pool.h"
#include "run.h"
#include "unit.h"


#define PIPE_CHUNK (64 * 1024)
/* Output goes to the journal in entries of at least FORWARD_MIN bytes, or of what one slice gathered:
 * after a short read the pipe is left to fill for FORWARD_SLICE_USEC. A program writing a byte at a
 * time then costs journald and kw an entry and a wakeup per slice, not per write; one writing fast
 * fills the pipe between reads and is never paused. */
#define FORWARD_MIN (16 * 1024)
#define FORWARD_SLICE_USEC (50 * 1000ULL)
/* How long the journal may take to hand back what was logged, after every run has ended. */
#define JOURNAL_TIMEOUT_USEC (30 * 1000000ULL)
/* What a run is for. The job's runs are, in this order: its test cases (indexed like them), its
 * compile, its checker's compile, and one checker run per case. */
typedef enum RunRole {
        ROLE_TEST,
        ROLE_COMPILE,
        ROLE_CHECKER_COMPILE,
        ROLE_CHECK,
        _ROLE_MAX,
} RunRole;

static const char *const role_names[_ROLE_MAX] = {
        [ROLE_TEST] = "test",
        [ROLE_COMPILE] = "compile",
        [ROLE_CHECKER_COMPILE] = "checker-compile",
        [ROLE_CHECK] = "checker",
};

/* A compile run (the job's code, or its checker's): judged by whether it made a program. */
static bool role_compiles(RunRole role) {
        return role == ROLE_COMPILE || role == ROLE_CHECKER_COMPILE;
}

/* A job's lifecycle: each stage runs its runs, fences the journal and reads their output back
 * before the next begins; runner_stage_end() is the one transition. */
typedef enum JobStage {
        STAGE_COMPILE,               /* the job's code and its checker's, if compiled */
        STAGE_TEST,                  /* a run per case (or one without cases) */
        STAGE_CHECK,                 /* the custom checker, for each case that ended normally */
        STAGE_DONE,
} JobStage;

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
        RunRole role;
        unsigned case_index;         /* tests and checks: the case */
        const Language *language;    /* what it runs */
        const Limits *limits;
        RunState state;
        char name[96];               /* its cell's unit */
        unsigned cell_run;           /* its number in the cell */
        Cell *cell;                  /* while running */
        PoolWaiter waiter;           /* while waiting */
        RunStream streams[2];        /* by OutputStream */
        uint64_t seq;
        uint64_t next_seq;           /* the KW_SEQ of the next chunk to read back */
        RunResult *result;
        bool judged;                 /* tests: its case is counted in the runner's progress */
} Run;

struct Runner {
        RunnerContext ctx;
        const Job *job;
        const Policy *policy;
        char job_id[33];
        RunnerDoneFn done_fn;
        void *userdata;
        RunnerProgressFn progress_fn;
        void *progress_userdata;
        Progress progress;
        /* Sealed memfds: the code, the language's seccomp program, and what compiling the code made
         * (while compiling, a writable memfd the cell's init fills); the same of the custom checker;
         * an empty input. */
        int source_fd, filter_fd, product_fd;
        int checker_source_fd, checker_filter_fd, checker_product_fd;
        int empty_fd;
        Run *runs;
        RunResult *results;
        size_t n_runs, n_tests;
        ssize_t compile, checker_compile, first_check;   /* indices in runs, or -1 */
        JobStage stage;
        unsigned *stage_runs;        /* the current stage's runs */
        size_t n_stage_runs, next, active, done;
        char *cancel_reason;
        bool watching;               /* registered with the journal reader */
        bool fenced;                 /* the fence is out; waiting to read it back */
        char nonce[33];
        sd_event_source *fence_timer;
        bool cancelled;
        bool finished;
};

static void runner_run_done(Runner *runner);
static void runner_fence(Runner *runner);
static void runner_stage_end(Runner *runner);
static void runner_finish(Runner *runner);
static void runner_case_judged(Runner *runner, size_t i);

static void runner_tell_progress(Runner *runner) {
        if (runner->progress_fn)
                runner->progress_fn(runner, &runner->progress, runner->progress_userdata);
}

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
        JournalTag tag = { run->runner->job_id, run->index, run->name, run->cell_run, role_names[run->role] };

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
                if (!role_compiles(run->role))
                        runner_case_judged(run->runner, run->case_index);
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
        const Limits *limits = run->limits;
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
        /* The language's word for a full heap: its own limit, the memory limit, not an error of the program's. */
        o->heap_exhausted = run->language->heap_exit_code > 0 && o->exit_code == CLD_EXITED &&
                            o->exit_status == run->language->heap_exit_code && !role_compiles(run->role);
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

/* What @run's program is and where its file goes: the source, or what compiling it made. */
static int run_program_file(const Language *l, bool compiled, char *path, size_t size) {
        const char *name = compiled ? l->compile->product : l->source_file;
        return snprintf(path, size, UNIT_SOURCE_DIR "/%s", name) >= (int) size ? -ENAMETOOLONG : 0;
}

/* The cell's description of @run; descriptors it makes for it go to @owned (closed by the caller
 * once the cell has its duplicates), argv to *ret_argv, the program file's path to @file: all of
 * them the caller's, to outlive the cell_run() that reads them. */
static int run_describe(Run *run, CellRun *spec, int owned[static 4], char ***ret_argv, char file[static 256]) {
        Runner *runner = run->runner;
        const Job *job = runner->job;
        const Language *l = run->language;
        const TestCase *tc = job->has_cases && !role_compiles(run->role) ? &job->cases[run->case_index] : NULL;
        bool checker = run->role == ROLE_CHECK || run->role == ROLE_CHECKER_COMPILE;
        static const char *const check_files[] = { UNIT_SOURCE_DIR "/input", UNIT_SOURCE_DIR "/output",
                                                   UNIT_SOURCE_DIR "/answer", NULL };
        int r;

        *spec = (CellRun) { .limits = run->limits, .filter_fd = checker ? runner->checker_filter_fd : runner->filter_fd,
                            .stdin_fd = runner->empty_fd, .workdir = "/tmp", .product_fd = -EBADF };
        if (role_compiles(run->role)) {
                /* In the source's directory, so that the compiler names it "main.c", not a path. */
                r = run_program_file(l, false, file, 256);
                if (r < 0)
                        return r;
                spec->files[spec->n_files++] = (CellFile) { .path = file, .fd = checker ? runner->checker_source_fd : runner->source_fd };
                spec->workdir = UNIT_SOURCE_DIR;
                spec->root = l->compile->root;
                spec->product = l->compile->product;
                spec->product_bytes = l->compile->product_bytes;
                spec->product_fd = checker ? runner->checker_product_fd : runner->product_fd;
                r = policy_build_argv(l->compile->command, l->compile->arguments, l->source_file, run->limits->memory_bytes,
                                      NULL, ret_argv);
                spec->argv = (const char *const *) *ret_argv;
                return r;
        }
        bool compiled = l->compile != NULL;
        r = run_program_file(l, compiled, file, 256);
        if (r < 0)
                return r;
        int program = compiled ? (checker ? runner->checker_product_fd : runner->product_fd)
                               : (checker ? runner->checker_source_fd : runner->source_fd);
        spec->files[spec->n_files++] = (CellFile) { .path = file, .fd = program, .executable = compiled && !l->interpreter };
        spec->root = l->root;
        spec->memory_overhead = l->memory_overhead;
        if (tc) {
                owned[0] = memfd_sealed("kw-input", tc->input, tc->input_size);
                if (owned[0] < 0)
                        return owned[0];
                spec->stdin_fd = owned[0];
        }
        if (run->role == ROLE_CHECK) {
                /* testlib's checker INPUT OUTPUT ANSWER: three read-only files of its root. */
                const Buffer *out = &runner->results[run->case_index].out;
                owned[1] = memfd_sealed("kw-output", out->data ?: "", out->size);
                if (owned[1] < 0)
                        return owned[1];
                owned[2] = memfd_sealed("kw-answer", tc->expected, tc->expected_size);
                if (owned[2] < 0)
                        return owned[2];
                for (size_t i = 0; i < 3; i++)
                        spec->files[spec->n_files++] = (CellFile) { .path = check_files[i], .fd = i == 0 ? owned[0] : owned[i] };
        }
        r = policy_build_argv(l->interpreter, l->arguments, file, run->limits->memory_bytes,
                              run->role == ROLE_CHECK ? check_files : NULL, ret_argv);
        spec->argv = (const char *const *) *ret_argv;
        return r;
}

/* The run goes into @c, idle and now the run's. */
static void run_begin(Run *run, Cell *c) {
        Runner *runner = run->runner;
        int owned[4] = { -EBADF, -EBADF, -EBADF, -EBADF };
        char **argv = NULL, file[256];
        CellRun spec;
        int r;

        run->cell = c;
        cell_set_callback(c, on_cell_event, run);
        r = run_describe(run, &spec, owned, &argv, file);
        if (r < 0)
                run_start_failed(run, "describing it", r);
        if (r >= 0) {
                r = cell_run(c, &spec, &run->streams[STREAM_STDOUT].fd, &run->streams[STREAM_STDERR].fd);
                if (r < 0)
                        run_start_failed(run, "handing it to its cell", r);
        }
        strv_free(argv);
        for (size_t i = 0; i < ELEMENTSOF(owned); i++)
                if (owned[i] >= 0)
                        close(owned[i]);
        if (r < 0)
                goto fail;
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
        while (runner->next < runner->n_stage_runs && runner->active < runner->policy->caps.parallel_runs) {
                Run *run = &runner->runs[runner->stage_runs[runner->next++]];
                runner->active++;
                if (runner->cancelled) {
                        run_fail(run, "%s", runner->cancel_reason ?: "the job was cancelled before this run started");
                        run_enter(run, RUN_DONE);
                        continue;
                }
                run_start(run);
        }
}

static void runner_run_done(Runner *runner) {
        runner->active--;
        runner->done++;
        if (runner->done == runner->n_stage_runs)
                runner_fence(runner);
        else
                runner_start_next(runner);
}

/* ---- stages ---- */

static void stage_add(Runner *runner, ssize_t index) {
        if (index >= 0)
                runner->stage_runs[runner->n_stage_runs++] = (unsigned) index;
}

/* The runs of @stage, started; false if it has none. */
static bool runner_stage_begin(Runner *runner, JobStage stage) {
        runner->stage = stage;
        runner->n_stage_runs = runner->next = runner->active = runner->done = 0;
        runner->fenced = false;
        runner->fence_timer = sd_event_source_disable_unref(runner->fence_timer);
        switch (stage) {
        case STAGE_COMPILE:
                stage_add(runner, runner->compile);
                stage_add(runner, runner->checker_compile);
                break;
        case STAGE_TEST:
                for (size_t i = 0; i < runner->n_tests; i++)
                        stage_add(runner, (ssize_t) i);
                break;
        case STAGE_CHECK:
                /* Only what ended normally has an answer to check. */
                for (size_t i = 0; runner->first_check >= 0 && i < runner->n_tests; i++) {
                        RunResult *r = &runner->results[i];
                        outcome_judge(r, &runner->job->limits, NULL);
                        if (r->verdict == VERDICT_ACCEPTED)
                                stage_add(runner, runner->first_check + (ssize_t) i);
                }
                break;
        case STAGE_DONE:
                break;
        }
        if (runner->n_stage_runs == 0)
                return false;
        if (stage == STAGE_COMPILE || stage == STAGE_TEST) {
                runner->progress.stage = stage == STAGE_COMPILE ? PROGRESS_COMPILING : PROGRESS_RUNNING;
                runner_tell_progress(runner);
        }
        runner_start_next(runner);
        return true;
}

/* A compile run is over: its product, copied and sealed for the runs, in *product_fd, or the reason
 * there is none. The copy is kw's: the pages the cell's init wrote stay charged to the cell (no swap,
 * never reclaimed) while a memfd holds them, and would crowd the cell's later runs, of any job. */
static bool compile_succeeded(Runner *runner, ssize_t index, int *product_fd) {
        if (index < 0)
                return true;
        Run *run = &runner->runs[index];
        RunResult *r = run->result;
        outcome_judge_compile(r, run->limits);
        if (r->verdict != VERDICT_ACCEPTED)
                return false;
        int copy = memfd_copy_sealed("kw-product", *product_fd, run->language->compile->product_bytes);
        if (copy < 0) {
                log_error_errno(copy, "Failed to keep what compiling job %s made: %m", runner->job_id);
                run_fail(run, "kw could not keep what the compiler made");
                outcome_judge_compile(r, run->limits);
                return false;
        }
        close(*product_fd);
        *product_fd = copy;
        return true;
}

/* What the compile stage decides for the cases: none runs if the code (or its checker) has no program. */
static bool runner_compiled(Runner *runner) {
        bool code = compile_succeeded(runner, runner->compile, &runner->product_fd);
        bool checker = compile_succeeded(runner, runner->checker_compile, &runner->checker_product_fd);
        _cleanup_(buffer_done) Buffer why = {};

        if (code && checker)
                return true;
        /* The contestant's compile error is theirs; kw's failure, or the checker's, is kw's. */
        const Run *failed = &runner->runs[code ? runner->checker_compile : runner->compile];
        bool theirs = !code && failed->result->verdict == VERDICT_COMPILATION_ERROR;
        bool told = outcome_explain(&why, failed->result, failed->limits) >= 0 && buffer_terminate(&why) >= 0;
        for (size_t i = 0; i < runner->n_tests; i++) {
                Run *run = &runner->runs[i];
                if (theirs)
                        run->result->outcome.not_compiled = true;
                else
                        run_fail(run, "%s did not compile: %s", code ? "the checker" : "the code", told ? why.data : "?");
        }
        return false;
}

/* The one transition of a job: the stage whose output is all read back is over; the next begins,
 * or the job is judged. */
static void runner_stage_end(Runner *runner) {
        JobStage next = STAGE_DONE;

        /* The fence proves order, not delivery: journald may have dropped entries (rate limits are
         * per priority) or rotated them away. Every byte forwarded must have come back. */
        for (size_t i = 0; i < runner->n_stage_runs; i++) {
                Run *run = &runner->runs[runner->stage_runs[i]];
                RunResult *r = run->result;
                if (r->out.size != run->streams[STREAM_STDOUT].bytes || r->err.size != run->streams[STREAM_STDERR].bytes)
                        run_fail(run, "the journal lost part of the output");
        }
        if (runner->cancelled) {
                /* The later stages' runs never start: they end as cancelled. */
                for (size_t i = 0; i < runner->n_runs; i++)
                        if (runner->runs[i].state == RUN_PENDING)
                                run_fail(&runner->runs[i], "%s", runner->cancel_reason ?: "the job was cancelled");
        } else if (runner->stage == STAGE_COMPILE)
                next = runner_compiled(runner) ? STAGE_TEST : STAGE_DONE;
        else if (runner->stage == STAGE_TEST)
                next = STAGE_CHECK;
        while (next != STAGE_DONE && !runner_stage_begin(runner, next))
                next = next == STAGE_TEST ? STAGE_CHECK : STAGE_DONE;
        if (next == STAGE_DONE)
                runner_finish(runner);
}

/* ---- the end: fence, read back, judge ---- */

/* A case's check: the built-in comparison, or what its checker run said. NULL: nothing to compare. */
static const CheckResult *case_check(Runner *runner, size_t i, CheckResult *buf) {
        const Job *job = runner->job;
        const RunResult *r = &runner->results[i];

        if (!job->has_cases)
                return NULL;
        if (runner->first_check >= 0) {
                outcome_check(&runner->results[runner->first_check + (ssize_t) i], &runner->policy->limits, buf);
                return buf;
        }
        const TestCase *c = &job->cases[i];
        checker_compare(job->checker.type, job->checker.abs_tol, job->checker.rel_tol, r->out.data ?: "", r->out.size,
                        c->expected, c->expected_size, buf);
        return buf;
}

static void log_run(Runner *runner, Run *run) {
        RunResult *r = run->result;
        _cleanup_(buffer_done) Buffer explanation = {};
        JournalTag tag = { runner->job_id, run->index, run->name, run->cell_run, role_names[run->role] };

        /* A checker's run is told by what it said of its case (its exit 1 is a wrong answer, not its error). */
        if (run->role == ROLE_CHECK) {
                CheckResult check;
                outcome_check(r, run->limits, &check);
                (void) journal_log_run(&tag, r->invocation_id, verdict_to_string(check.verdict), check.message,
                                       r->cpu_usec, r->outcome.memory_peak);
                return;
        }
        if (outcome_explain(&explanation, r, run->limits) >= 0 && buffer_terminate(&explanation) >= 0)
                (void) journal_log_run(&tag, r->invocation_id, verdict_to_string(r->verdict), explanation.data,
                                       r->cpu_usec, r->outcome.memory_peak);
}

/* Case @i's verdict: its checker's run first, as a case's verdict is what its checker said. The one
 * place a case is judged, for the result and for the progress told on the way. */
static void case_judge(Runner *runner, size_t i) {
        RunResult *r = &runner->results[i];
        CheckResult check;

        if (runner->first_check >= 0) {
                Run *checker = &runner->runs[runner->first_check + (ssize_t) i];
                outcome_judge(checker->result, checker->limits, NULL);
        }
        outcome_judge(r, &runner->job->limits, NULL);
        if (r->verdict == VERDICT_ACCEPTED)
                outcome_judge(r, &runner->job->limits, case_check(runner, i, &check));
}

/* Over, and all of its output read back (what the stage's fence would prove, seen sooner). */
static bool run_complete(const Run *run) {
        const RunResult *r = run->result;
        return run->state == RUN_DONE && r->out.size == run->streams[STREAM_STDOUT].bytes &&
               r->err.size == run->streams[STREAM_STDERR].bytes;
}

/* Case @i, once it can be judged, counted in the progress told (the job's result judges it again
 * at the end, and the final progress is counted from that). */
static void runner_case_judged(Runner *runner, size_t i) {
        Run *test = &runner->runs[i];

        if (!runner->progress_fn || test->judged || !run_complete(test))
                return;
        outcome_judge(test->result, &runner->job->limits, NULL);
        /* A case that ended normally waits for its checker, if it has one. */
        if (test->result->verdict == VERDICT_ACCEPTED && runner->first_check >= 0 &&
            !run_complete(&runner->runs[runner->first_check + (ssize_t) i]))
                return;
        case_judge(runner, i);
        test->judged = true;
        runner->progress.done++;
        runner->progress.verdicts[test->result->verdict]++;
        runner_tell_progress(runner);
}

static void judge(Runner *runner) {
        for (size_t i = 0; i < runner->n_runs; i++) {
                Run *run = &runner->runs[i];
                if (role_compiles(run->role))
                        outcome_judge_compile(run->result, run->limits);
        }
        for (size_t i = 0; i < runner->n_tests; i++)
                case_judge(runner, i);
        for (size_t i = 0; i < runner->n_runs; i++) {
                Run *run = &runner->runs[i];
                /* A run that never was (its case's code did not compile, or it had nothing to check) has no story. */
                if (!run->result->outcome.not_compiled && (run->role != ROLE_CHECK || run->state != RUN_PENDING))
                        log_run(runner, run);
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
        /* The final count, of the verdicts the result tells. */
        runner->progress = (Progress) { .stage = PROGRESS_RUNNING, .done = (unsigned) runner->n_tests,
                                        .total = (unsigned) runner->n_tests };
        for (size_t i = 0; i < runner->n_tests; i++)
                runner->progress.verdicts[runner->results[i].verdict]++;
        runner_tell_progress(runner);
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
                        runner_stage_end(runner);
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
                if (!role_compiles(run->role))
                        runner_case_judged(runner, run->case_index);
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

/* Run @i of the job, for @role. */
static void run_init(Runner *runner, size_t i, RunRole role, unsigned case_index, const Language *l, const Limits *limits) {
        Run *run = &runner->runs[i];

        *run = (Run) { .runner = runner, .index = (unsigned) i, .role = role, .case_index = case_index, .language = l,
                       .limits = limits, .streams = { { .fd = -EBADF }, { .fd = -EBADF } }, .result = &runner->results[i] };
        run->result->outcome.memory_peak = run->result->outcome.oom_kills = UINT64_MAX;
        run->result->score = NAN;
}

int runner_new(const RunnerContext *ctx, const Job *job, const Policy *policy, const char *job_id,
               RunnerDoneFn done, void *userdata, Runner **ret) {
        _cleanup_(runner_freep) Runner *runner = calloc(1, sizeof(Runner));
        const Language *checker = job->checker.type == CHECKER_CUSTOM ? job->checker.language : NULL;

        if (!runner)
                return -ENOMEM;
        if (strlen(job_id) >= sizeof(runner->job_id))
                return -EINVAL;
        *runner = (Runner) { .ctx = *ctx, .job = job, .policy = policy, .done_fn = done, .userdata = userdata,
                             .source_fd = -EBADF, .filter_fd = -EBADF, .product_fd = -EBADF, .checker_source_fd = -EBADF,
                             .checker_filter_fd = -EBADF, .checker_product_fd = -EBADF, .empty_fd = -EBADF,
                             .compile = -1, .checker_compile = -1, .first_check = -1 };
        strcpy(runner->job_id, job_id);
        runner->n_tests = runner->n_runs = job_n_runs(job);
        runner->progress.total = (unsigned) runner->n_tests;
        if (job->language->compile)
                runner->compile = (ssize_t) runner->n_runs++;
        if (checker && checker->compile)
                runner->checker_compile = (ssize_t) runner->n_runs++;
        if (checker) {
                runner->first_check = (ssize_t) runner->n_runs;
                runner->n_runs += runner->n_tests;
        }
        runner->results = calloc(runner->n_runs, sizeof(RunResult));
        runner->runs = calloc(runner->n_runs, sizeof(Run));
        runner->stage_runs = calloc(runner->n_runs, sizeof(unsigned));
        /* Not yet with closed descriptors (-EBADF): runner_free() must not see them. */
        if (!runner->results || !runner->runs || !runner->stage_runs) {
                runner->runs = (free(runner->runs), NULL);
                return -ENOMEM;
        }
        for (size_t i = 0; i < runner->n_tests; i++)
                run_init(runner, i, ROLE_TEST, (unsigned) i, job->language, &job->limits);
        if (runner->compile >= 0)
                run_init(runner, (size_t) runner->compile, ROLE_COMPILE, 0, job->language, &job->language->compile->limits);
        if (runner->checker_compile >= 0)
                run_init(runner, (size_t) runner->checker_compile, ROLE_CHECKER_COMPILE, 0, checker, &checker->compile->limits);
        for (size_t i = 0; runner->first_check >= 0 && i < runner->n_tests; i++)
                run_init(runner, (size_t) runner->first_check + i, ROLE_CHECK, (unsigned) i, checker, &policy->limits);
        *ret = TAKE_PTR(runner);
        return 0;
}

/* What compiling fills: a memfd that can be sealed once it has. */
static int product_memfd(const Language *l) {
        if (!l->compile)
                return -EBADF;
        int fd = memfd_create("kw-product", MFD_CLOEXEC | MFD_ALLOW_SEALING);
        return fd < 0 ? negative_errno() : fd;
}

int runner_start(Runner *runner) {
        const Job *job = runner->job;
        const Language *checker = job->checker.type == CHECKER_CUSTOM ? job->checker.language : NULL;
        int r;

        /* Handed to every run as descriptors: nothing is written where a sandbox could reach. */
        runner->source_fd = memfd_sealed("kw-source", job->code, job->code_size);
        runner->filter_fd = memfd_sealed("kw-seccomp", job->language->seccomp_bpf, job->language->seccomp_bpf_size);
        runner->empty_fd = memfd_sealed("kw-input", "", 0);
        runner->product_fd = product_memfd(job->language);
        if (checker) {
                runner->checker_source_fd = memfd_sealed("kw-checker", job->checker.code, job->checker.code_size);
                runner->checker_filter_fd = memfd_sealed("kw-seccomp", checker->seccomp_bpf, checker->seccomp_bpf_size);
                runner->checker_product_fd = product_memfd(checker);
        }
        int fds[] = { runner->source_fd, runner->filter_fd, runner->empty_fd, runner->product_fd, runner->checker_source_fd,
                      runner->checker_filter_fd, runner->checker_product_fd };
        for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                if (fds[i] < 0 && fds[i] != -EBADF)
                        return log_error_errno(fds[i], "Failed to hold the files of job %s: %m", runner->job_id);
        r = journal_reader_watch(runner->ctx.reader, runner->job_id, on_journal_entry, runner);
        if (r < 0)
                return log_error_errno(r, "Failed to follow the journal for job %s: %m", runner->job_id);
        runner->watching = true;
        if (!runner_stage_begin(runner, runner->compile >= 0 || runner->checker_compile >= 0 ? STAGE_COMPILE : STAGE_TEST))
                return log_error_errno(-EINVAL, "Job %s has no run.", runner->job_id);
        return 0;
}

void runner_cancel(Runner *runner, const char *reason) {
        runner->cancelled = true;
        if (!runner->cancel_reason)
                runner->cancel_reason = strdup(reason);
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

void runner_set_progress(Runner *runner, RunnerProgressFn fn, void *userdata) {
        runner->progress_fn = fn;
        runner->progress_userdata = userdata;
}

const RunResult *runner_results(const Runner *runner) {
        return runner->results;
}

const RunResult *runner_compile_result(const Runner *runner) {
        return runner->compile >= 0 ? &runner->results[runner->compile] : NULL;
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
        int fds[] = { runner->source_fd, runner->filter_fd, runner->empty_fd, runner->product_fd, runner->checker_source_fd,
                      runner->checker_filter_fd, runner->checker_product_fd };
        for (size_t i = 0; i < ELEMENTSOF(fds); i++)
                if (fds[i] >= 0)
                        close(fds[i]);
        run_results_free(runner->results, runner->n_runs);
        free(runner->runs);
        free(runner->stage_runs);
        free(runner->cancel_reason);
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
