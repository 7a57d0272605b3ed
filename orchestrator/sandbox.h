/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

#include "policy.h"
#include "rundir.h"
#include "outcome.h"

/* One transient unit, hardened and limited, whose first process (kw-exec) has loaded its seccomp
 * filter and waits on stdin for the word to go. Started either for a run at once, or ahead of time
 * for the warm pool; either way the run begins with sandbox_hand_over(): the source goes into the
 * unit's read-only /run/kw, the input and the go byte into its stdin. Followed to its end by bus
 * signals, like every unit of kw. */
typedef struct Sandbox Sandbox;

/* What every sandbox of one kwctl or kwd shares. */
typedef struct SandboxConfig {
        sd_event *event;
        sd_bus *bus;
        const char *runtime_dir;     /* where run directories live, e.g. /run/kw */
        const char *runstat_path;    /* kw-runstat, run as each unit's ExecStopPost= */
        const char *exec_path;       /* kw-exec, each unit's first process */
        const char *journal_socket;  /* journald's native socket, for kw-runstat */
        const char *slice;           /* Slice= of the units, or NULL */
} SandboxConfig;

/* What a unit is built with. */
typedef struct SandboxSpec {
        const char *name;            /* the unit's name, kw-....service */
        const char *description;
        const Language *language;
        const char *filter_path;     /* the language's compiled seccomp program */
        char *const *syscalls;       /* the policy's coarse SystemCallFilter= */
        const Limits *limits;
        uint64_t idle_usec;          /* how long it may wait for its job before systemd ends it */
} SandboxSpec;

typedef enum SandboxEvent {
        /* The program is done (every process gone: the unit is in ExecStopPost= or has ended), or kw
         * lost the unit. Once. Its stdout and stderr hold all it wrote. */
        SANDBOX_FINISHED,
        /* The unit has ended since and kw's reference is dropped: it may be freed. */
        SANDBOX_GONE,
} SandboxEvent;

/* Called last in a handler: it may free the sandbox once sandbox_gone(). */
typedef void (*SandboxFn)(Sandbox *sb, SandboxEvent event, void *userdata);

/**
 * sandbox_start() - make the run directory, the pipes and the unit (StartTransientUnit, with the
 * PropertiesChanged match installed first). The unit may still be starting when it returns; a hand
 * over before it runs is fine. The config and spec strings are borrowed until the sandbox is freed.
 * Return: 0, or -errno (logged, with the step that failed; @ret_step, if not NULL, says which, in
 * words without host paths, such as "mounting the scratch tmpfs").
 */
int sandbox_start(const SandboxConfig *config, const SandboxSpec *spec, SandboxFn fn, void *userdata,
                  Sandbox **ret, const char **ret_step);

/* Who is told (the pool gives its sandboxes away, runs give them back). */
void sandbox_set_callback(Sandbox *sb, SandboxFn fn, void *userdata);

/**
 * sandbox_take_output() - the read ends of the program's stdout and stderr (non-blocking), once.
 * Return: 0, or -EBADF if already taken.
 */
int sandbox_take_output(Sandbox *sb, int *ret_stdout, int *ret_stderr);

/**
 * sandbox_hand_over() - give the sandbox its run: @code as the language's source file, a note of
 * @job_id and @run for kw-runstat, then, as soon as kw-exec waits (at once for a warm unit), the go
 * byte and @input on stdin (written as the pipe takes it; the program's stdin ends there), and from
 * then at most @wall_usec until it is killed.
 * Return: 0 or -errno (nothing started; the sandbox should be freed).
 */
int sandbox_hand_over(Sandbox *sb, const char *job_id, unsigned run, const char *code, size_t code_size,
                      const char *input, size_t input_size, uint64_t wall_usec);

/* "kw run RUN of job JOB_ID": the Description= of a unit once it has its run. */
void sandbox_describe_run(char *buf, size_t size, const char *job_id, unsigned run);

/* SIGKILL to the unit's main process (over a limit): systemd then kills the rest as the unit stops.
 * Never "all": the ExecStopPost= may be running by then. */
void sandbox_kill(Sandbox *sb);

/* StopUnit: ends the unit, or the start job PID 1 has not run yet. */
void sandbox_stop(Sandbox *sb);

bool sandbox_finished(const Sandbox *sb);
bool sandbox_gone(const Sandbox *sb);
const char *sandbox_name(const Sandbox *sb);

/**
 * sandbox_outcome() - once finished: Result, exit code and status, wall time since the go, whether
 * kw's wall-clock timer killed it, the cgroup's CPU time at the go and, if kw read the cgroup itself
 * (sandbox_has_stats()), at the end, with the memory peak and OOM kills (else the end's CPU time as
 * systemd says it). Returns NULL if all was read cleanly, else what went wrong. Fills @o and
 * @invocation_id (33 bytes).
 */
const char *sandbox_outcome(const Sandbox *sb, RunOutcome *o, char *invocation_id);
bool sandbox_has_stats(const Sandbox *sb);

/* Drops kw's reference to the unit (so systemd collects it), the match, the pipes, and removes the
 * run directory. The unit itself is not stopped: sandbox_stop() first if it may still run, and
 * rather wait for SANDBOX_GONE (pool_retire()). */
Sandbox *sandbox_free(Sandbox *sb);
DEFINE_TRIVIAL_CLEANUP_FUNC(Sandbox *, sandbox_free);

/**
 * bus_open_systemd() - a connection to systemd through the system bus, attached to @event,
 * subscribed to unit signals, with @on_disconnected called if it is lost. Not systemd's private
 * socket, though that saves a hop: AddRef tracks the caller by bus name, which a direct connection
 * lacks. Return: 0 or -errno (logged).
 */
int bus_open_systemd(sd_event *event, sd_bus_message_handler_t on_disconnected, void *userdata, sd_bus **ret);
