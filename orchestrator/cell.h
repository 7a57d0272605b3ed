/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "exec-protocol.h"
#include "outcome.h"
#include "policy.h"

/* A cell: one hardened transient unit whose main process, kw-exec, serves runs one after another,
 * each in fresh namespaces with a root of its language's paths (kw-exec.c). kw talks to kw-exec
 * over the unit's stdin, a SOCK_SEQPACKET socket (exec-protocol.h), and follows the unit by bus
 * signals. Between runs the cell holds kw-exec alone; a cell that breaks that, or the protocol, is
 * stopped and never serves again. */
typedef struct Cell Cell;

/* What every cell of one kwctl or kwd shares. */
typedef struct CellConfig {
        sd_event *event;
        sd_bus *bus;
        const char *exec_path;       /* kw-exec on the host */
        const char *slice;           /* Slice= of the units, or NULL */
} CellConfig;

/* The lifecycle; every change of state is told to the owner (cell_enter() in cell.c). */
typedef enum CellState {
        CELL_STARTING,               /* StartTransientUnit sent; waiting for kw-exec to say it is ready */
        CELL_LOCATING,               /* asking systemd for its cgroup and invocation */
        CELL_IDLE,                   /* ready for a run; after one, its outcome is readable */
        CELL_LIMITING,               /* changing its cgroup limits to a run's (SetUnitProperties) */
        CELL_RUNNING,                /* a run in flight */
        CELL_STOPPING,               /* stopped by kw, or broken: waiting for the unit's end */
        CELL_GONE,                   /* the unit has ended and kw's reference is dropped */
        _CELL_STATE_MAX,
} CellState;

/* Told after every change of state, @from the one before; last in a handler, so it may free the
 * cell once it is gone. */
typedef void (*CellFn)(Cell *c, CellState from, void *userdata);

/* What a cell is started with. */
typedef struct CellSpec {
        const char *name;            /* the unit's name, kw-....service */
        const Policy *policy;        /* its SystemCallFilter= and the bounds of every run */
        const Limits *limits;        /* its cgroup limits to begin with */
        uint64_t max_age_usec;       /* RuntimeMaxSec= backstop: kw replaces it sooner */
        unsigned generation;         /* the owner's mark (the pool's policy it was made for) */
} CellSpec;

/* A file of a run's root, from a sealed memfd (borrowed). */
typedef struct CellFile {
        const char *path;            /* in the run's root */
        int fd;
        bool executable;
} CellFile;

/* One run in a cell. Descriptors and strings are borrowed: the cell sends duplicates. */
typedef struct CellRun {
        const Limits *limits;
        uint64_t memory_overhead;    /* added to MemoryMax: a runtime's own, beside the program's heap */
        const char *const *argv;
        char *const *root;           /* host paths the run's root holds */
        const char *workdir;
        int stdin_fd;                /* sealed memfd: the input, at offset 0 */
        int filter_fd;               /* sealed memfd: the language's compiled seccomp program */
        CellFile files[EXEC_FILES_MAX];
        size_t n_files;
        const char *product;         /* NULL, or the file the run makes in its /tmp, copied into product_fd */
        uint64_t product_bytes;
        int product_fd;              /* a writable memfd */
} CellRun;

/**
 * cell_start() - a new cell (StartTransientUnit, with the PropertiesChanged match installed first);
 * CELL_IDLE is told once it can take a run. The strings of @config are borrowed until it is freed.
 * Return: 0, or -errno (logged; @ret_step, if not NULL, says which step in words without host paths).
 */
int cell_start(const CellConfig *config, const CellSpec *spec, CellFn fn, void *userdata, Cell **ret,
               const char **ret_step);

/* Who is told (the pool gives idle cells to runs, runs give them back). */
void cell_set_callback(Cell *c, CellFn fn, void *userdata);

/**
 * cell_run() - start @run in an idle cell: its cgroup limits changed first if they differ, then the
 * run sent; from then on at most @run->limits->wall_time_ms until it is killed. The run is over
 * when the cell leaves CELL_LIMITING and CELL_RUNNING (cell_outcome()). @ret_stdout and
 * @ret_stderr are the read ends of the program's output (non-blocking), the caller's to close.
 * Return: 0 or -errno (nothing started; the cell stays idle).
 */
int cell_run(Cell *c, const CellRun *run, int *ret_stdout, int *ret_stderr);

/* End the current run now (over a limit): kw-exec kills its pid namespace whole. */
void cell_kill(Cell *c);

/* StopUnit: the cell ends (CELL_STOPPING, then CELL_GONE). A run in it is lost. */
void cell_stop(Cell *c);

CellState cell_state(const Cell *c);
const char *cell_name(const Cell *c);
/* Runs the cell has begun; during and after a run, that run's number in the cell (from 1). */
unsigned cell_runs(const Cell *c);
/* CLOCK_MONOTONIC when it was started. */
uint64_t cell_started_usec(const Cell *c);
unsigned cell_generation(const Cell *c);

/**
 * cell_outcome() - the last run's outcome, once it is over: how it ended as kw-exec saw it, its
 * wall time, whether kw killed it at the wall-clock limit, the cgroup's CPU time (the program's is
 * cpu_end - cpu_start), memory peak and OOM kills. Returns NULL if all was read cleanly, else what
 * went wrong (in words without host paths; for a cell that never became idle, why). Fills @o and @invocation_id (33 bytes).
 */
const char *cell_outcome(const Cell *c, RunOutcome *o, char *invocation_id);

/* Drops kw's reference to the unit, the match and the socket. The unit itself is not stopped:
 * cell_stop() first if it may still run, and rather wait for CELL_GONE (pool_retire()). */
Cell *cell_free(Cell *c);
DEFINE_TRIVIAL_CLEANUP_FUNC(Cell *, cell_free);
