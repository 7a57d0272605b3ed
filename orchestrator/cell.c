/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include "bus-util.h"
#include "cell.h"
#include "cgstat.h"
#include "exec-protocol.h"
#include "unit.h"

struct Cell {
        CellConfig config;
        CellState state;
        char name[96];
        char *path;                  /* D-Bus object path of the unit */
        char invocation_id[33];
        int fd;                      /* kw's end of the cell's socket */
        sd_event_source *io;         /* what kw-exec says */
        sd_bus_slot *match;          /* PropertiesChanged on path */
        sd_bus_slot *query;          /* the unit's state, asked */
        sd_bus_slot *call;           /* StartTransientUnit, the GetAll of locating, SetUnitProperties */
        bool requery;                /* the unit changed while its state was being asked */
        bool referenced;             /* StartTransientUnit succeeded: kw holds a reference (AddRef) */
        bool ready_early;            /* kw-exec said READY before systemd answered StartTransientUnit */
        sd_event_source *retry;      /* asking systemd again after a failed call */
        sd_event_source *broken;     /* a failure found inside a caller's call, told from the loop */
        CgroupCounters counters;
        Limits limits;               /* the cgroup limits it has now */
        uint64_t started_usec;
        unsigned generation;
        unsigned runs;

        /* The run in flight, or the last one. */
        Limits run_limits;
        char *const *run_paths;      /* its language's root, to name one that could not be bound */
        size_t n_run_paths;
        void *message;               /* until sent */
        size_t message_size;
        int run_fds[EXEC_FDS_MAX];   /* until sent */
        size_t n_run_fds;
        sd_event_source *wall_timer;
        uint64_t go_usec;
        bool killed;                 /* KILL sent */
        bool wall_exceeded;          /* kw's timer fired */
        CgroupStats start_stats;
        RunOutcome outcome;
        char error[160];             /* why the run has no clean outcome */

        CellFn fn;
        void *userdata;
};

/* After a failed call to systemd (out of memory, a full queue), how soon kw asks again. */
#define RETRY_USEC (100 * 1000ULL)

static bool in_run(CellState s) {
        return s == CELL_LIMITING || s == CELL_RUNNING;
}

static void run_release(Cell *c) {
        c->wall_timer = sd_event_source_disable_unref(c->wall_timer);
        c->message = (free(c->message), NULL);
        for (size_t i = 0; i < c->n_run_fds; i++)
                if (c->run_fds[i] >= 0)
                        c->run_fds[i] = (close(c->run_fds[i]), -EBADF);
        c->n_run_fds = 0;
}

static void cell_unref_unit(Cell *c) {
        if (!c->referenced)
                return;
        /* Our reference (AddRef) kept the unit for reading; dropping it lets systemd collect it. */
        char what[128];
        snprintf(what, sizeof(what), "drop kw's reference to %s", c->name);
        (void) bus_call_logged(c->config.bus, c->path, "org.freedesktop.systemd1.Unit", "Unref", what, NULL);
        c->referenced = false;
}

static void cell_send_stop(Cell *c) {
        char what[128];
        snprintf(what, sizeof(what), "stop %s", c->name);
        (void) bus_call_logged(c->config.bus, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                               "StopUnit", what, "ss", c->name, "replace");
}

/* The one transition: what each state begins with, then the owner is told (last: it may free the
 * cell once it is gone). */
static void cell_enter(Cell *c, CellState s) {
        CellState from = c->state;

        if (from == s || from == CELL_GONE)
                return;
        c->state = s;
        if (!in_run(s))
                run_release(c);
        if (s == CELL_STOPPING)
                cell_send_stop(c);
        if (s == CELL_GONE) {
                c->io = sd_event_source_disable_unref(c->io);
                c->broken = sd_event_source_disable_unref(c->broken);
                c->match = sd_bus_slot_unref(c->match);
                c->query = sd_bus_slot_unref(c->query);
                c->call = sd_bus_slot_unref(c->call);
                cell_unref_unit(c);
        }
        if (c->fn)
                c->fn(c, from, c->userdata);
}

/* The first reason a run has no clean outcome is the one told. */
_printf_(2, 3) static void run_fail(Cell *c, const char *fmt, ...) {
        va_list ap;

        if (c->error[0])
                return;
        va_start(ap, fmt);
        (void) vsnprintf(c->error, sizeof(c->error), fmt, ap);
        va_end(ap);
}

/* The cell cannot be trusted on, for @why (already logged, with its cause): a run in it ends with
 * @why, and it is stopped. */
static void cell_break_logged(Cell *c, const char *why) {
        run_fail(c, "%s", why);
        cell_enter(c, c->state == CELL_GONE ? CELL_GONE : CELL_STOPPING);
}

/* The same, for a reason that is its own cause: logged here. */
static void cell_break(Cell *c, const char *why) {
        log_error("Cell %s: %s; stopping it.", c->name, why);
        cell_break_logged(c, why);
}

static int on_broken(sd_event_source *s _unused_, void *userdata) {
        Cell *c = userdata;

        c->broken = sd_event_source_disable_unref(c->broken);
        cell_break_logged(c, c->error[0] ? c->error : "kw could not give it its run");
        return 0;
}

/* A failure (logged) found inside a call of the owner's, who goes on using the cell: told from the
 * loop. */
static void cell_break_later(Cell *c, const char *why) {
        run_fail(c, "%s", why);
        if (!c->broken && sd_event_add_defer(c->config.event, &c->broken, on_broken, c) < 0)
                log_error("Cell %s: %s, and cannot say so: out of memory.", c->name, why);
}

/* @what went wrong talking to systemd: logged with systemd's error, told with the error's name (its
 * message may hold host paths). */
static void cell_break_reply(Cell *c, sd_bus_message *reply, int r, const char *what) {
        const sd_bus_error *e = reply ? sd_bus_message_get_error(reply) : NULL;
        char buf[BUS_ERROR_TEXT_MAX], why[sizeof(c->error)];

        log_error("Cell %s: %s: %s; stopping it.", c->name, what, bus_error_text(e, r, buf));
        snprintf(why, sizeof(why), "%s (%s)", what, e ? e->name : strerrorname_np(-r) ?: "?");
        cell_break_logged(c, why);
}

/* ---- a run's end ---- */

/* kw-exec's word on how the run ended, into the outcome. */
static void outcome_from_end(Cell *c, const ExecEnd *end) {
        RunOutcome *o = &c->outcome;
        const char *name = strerrorname_np(end->error) ?: "?";

        switch ((ExecEndKind) end->kind) {
        case EXEC_END_EXITED:
                o->exec = EXEC_STARTED;
                o->exit_code = CLD_EXITED;
                o->exit_status = end->status;
                o->product_error = end->product_error;
                o->product_size = end->product_size;
                snprintf(o->result, sizeof(o->result), "%s", end->status == 0 ? "success" : "exit-code");
                return;
        case EXEC_END_SIGNALED:
                o->exec = EXEC_STARTED;
                o->exit_code = CLD_KILLED;
                o->exit_status = end->status;
                snprintf(o->result, sizeof(o->result), "signal");
                return;
        case EXEC_END_EXEC_FAILED:
                o->exec = EXEC_FAILED;
                o->exec_errno = end->error;
                return;
        case EXEC_END_SETUP_FAILED:
                if (end->step == EXEC_STEP_PATH && end->index < c->n_run_paths)
                        run_fail(c, "could not set up the run: %s %s failed (%s)", exec_step_to_string(end->step),
                                 c->run_paths[end->index], name);
                else
                        run_fail(c, "could not set up the run: %s failed (%s)", exec_step_to_string(end->step), name);
                return;
        case EXEC_END_LOST:
                break;
        }
        /* Its init died without a word: killed with the namespace by kw, or else the cell broke. */
        if (c->killed) {
                o->exec = EXEC_STARTED;
                o->exit_code = CLD_KILLED;
                o->exit_status = SIGKILL;
                snprintf(o->result, sizeof(o->result), "signal");
        } else
                run_fail(c, "the run's init ended without telling how the run did");
}

static void run_end(Cell *c, const ExecEnd *end) {
        RunOutcome *o = &c->outcome;
        CgroupStats st;

        c->wall_timer = sd_event_source_disable_unref(c->wall_timer);
        o->wall_usec = now_usec() - c->go_usec;
        o->wall_exceeded = c->wall_exceeded;
        /* Every process of the run is gone: the cgroup's counts since the go are the run's, less
         * what kw-exec and the run's init spent making its sandbox; and never less than what the
         * processes init reaped used, as the kernel counted each (RLIMIT_CPU counts so). */
        cgroup_counters_end(&c->counters, &c->start_stats, &st);
        if (st.cpu_usec == UINT64_MAX || st.cpu_usec < end->children_cpu_usec) {
                o->cpu_start_usec = 0;
                o->cpu_end_usec = end->children_cpu_usec;
        } else {
                o->cpu_end_usec = st.cpu_usec;
                uint64_t most = st.cpu_usec - end->children_cpu_usec;
                o->cpu_start_usec = end->overhead_usec < most ? end->overhead_usec : most;
        }
        /* Without a per-run cgroup peak (Linux before 6.12 on a unified host), the largest process. */
        o->memory_peak = st.memory_peak != UINT64_MAX ? st.memory_peak : end->max_rss_bytes ? end->max_rss_bytes : UINT64_MAX;
        o->oom_kills = st.oom_kills;
        outcome_from_end(c, end);

        /* Clean before the next run: kw-exec alone in the cgroup. */
        int n = cgroup_counters_processes(&c->counters);
        if (n != 1) {
                if (n < 0)
                        log_error_errno(n, "Cell %s: cannot read which processes it holds after a run, stopping it: %m",
                                        c->name);
                else
                        log_error("Cell %s: %d processes in it after a run, not kw-exec alone; stopping it.", c->name, n);
                cell_enter(c, CELL_STOPPING);
                return;
        }
        cell_enter(c, CELL_IDLE);
}

/* ---- kw-exec's messages ---- */

static void on_ready(Cell *c, const ExecReady *ready);

static int on_message(sd_event_source *s _unused_, int fd, uint32_t revents _unused_, void *userdata) {
        Cell *c = userdata;
        union {
                uint32_t type;
                ExecReady ready;
                ExecEnd end;
                char bytes[256];
        } m;
        union {
                struct cmsghdr header;
                char buf[CMSG_SPACE(EXEC_FDS_MAX * sizeof(int))];
        } control;
        struct iovec iov = { .iov_base = &m, .iov_len = sizeof(m) };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control) };

        ssize_t n = recvmsg(fd, &mh, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);
        if (n < 0 && (errno == EAGAIN || errno == EINTR))
                return 0;
        /* kw-exec never sends descriptors: any it did are dropped with the cell. */
        for (struct cmsghdr *h = CMSG_FIRSTHDR(&mh); h; h = CMSG_NXTHDR(&mh, h))
                if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS)
                        for (size_t i = 0; i < (h->cmsg_len - CMSG_LEN(0)) / sizeof(int); i++)
                                close(((int *) CMSG_DATA(h))[i]);
        if (n <= 0) {
                c->io = sd_event_source_disable_unref(c->io);
                /* Stopped: PID 1 lets go of the other end as the unit ends. */
                if (c->state != CELL_STOPPING)
                        cell_break(c, n == 0 ? "its supervisor went away" : "its socket failed");
                return 0;
        }
        if (c->state == CELL_STARTING && !c->ready_early && n == sizeof(ExecReady) && m.type == EXEC_MSG_READY &&
            mh.msg_controllen == 0)
                on_ready(c, &m.ready);
        else if (c->state == CELL_RUNNING && n == sizeof(ExecEnd) && m.type == EXEC_MSG_END && mh.msg_controllen == 0)
                run_end(c, &m.end);
        else {
                /* Which message, and when: a protocol break is a bug of kw's or an attack, worth knowing. */
                log_error("Cell %s: unexpected message of %zd bytes, type 0x%x, in state %d.", c->name, n,
                          n >= (ssize_t) sizeof(uint32_t) ? m.type : 0, (int) c->state);
                cell_break(c, "its supervisor broke the protocol");
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

typedef struct UnitState {
        Cell *cell;
        const char *active_state;
        const char *result;
        const char *cgroup;
        uint32_t main_pid;
        uint32_t job;
} UnitState;

static int unit_property(sd_bus_message *m, const char *name, void *userdata) {
        UnitState *st = userdata;
        int r;

        if (strcmp(name, "ActiveState") == 0)
                r = sd_bus_message_read(m, "v", "s", &st->active_state);
        else if (strcmp(name, "Result") == 0)
                r = sd_bus_message_read(m, "v", "s", &st->result);
        else if (strcmp(name, "ControlGroup") == 0)
                r = sd_bus_message_read(m, "v", "s", &st->cgroup);
        else if (strcmp(name, "MainPID") == 0)
                r = sd_bus_message_read(m, "v", "u", &st->main_pid);
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
                                sprintf(st->cell->invocation_id + 2 * i, "%02x", ((const uint8_t *) id)[i]);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
        } else
                return 0;
        return r < 0 ? r : 1;
}

static void cell_query(Cell *c);

/* The unit has ended: a run in it is lost, the cell gone. */
static void cell_unit_ended(Cell *c, const char *result) {
        if (in_run(c->state))
                run_fail(c, "the cell ended during the run (%s)", result ?: "?");
        else if (c->state != CELL_STOPPING)
                log_error("Cell %s ended by itself (%s).", c->name, result ?: "?");
        cell_enter(c, CELL_GONE);
}

static int on_unit_properties(sd_bus_message *reply, void *userdata, sd_bus_error *error _unused_) {
        Cell *c = userdata;
        UnitState st = { .cell = c };
        int r;

        c->query = sd_bus_slot_unref(c->query);
        r = sd_bus_message_is_method_error(reply, NULL) ? -EIO : read_properties(reply, unit_property, &st);
        if (r < 0 || !st.active_state) {
                cell_break_reply(c, reply, r < 0 ? r : -EBADMSG, "systemd did not say how the cell is");
                /* Lost track of it: it ends for kw (stopped, should it still run). */
                cell_enter(c, CELL_GONE);
                return 0;
        }
        if (st.job == 0 && (strcmp(st.active_state, "inactive") == 0 || strcmp(st.active_state, "failed") == 0)) {
                cell_unit_ended(c, st.active_state);
                return 0;
        }
        if (c->requery)
                cell_query(c);
        return 0;
}

static int on_retry(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        Cell *c = userdata;

        c->retry = sd_event_source_disable_unref(c->retry);
        if (c->query)
                c->requery = true;
        else
                cell_query(c);
        return 0;
}

static void cell_query(Cell *c) {
        c->requery = false;
        int r = sd_bus_call_method_async(c->config.bus, &c->query, "org.freedesktop.systemd1", c->path,
                                         "org.freedesktop.DBus.Properties", "GetAll", on_unit_properties, c, "s",
                                         "org.freedesktop.systemd1.Unit");
        /* The unit may not change again to make kw ask: ask again shortly. */
        if (r < 0 && !c->retry &&
            sd_event_add_time_relative(c->config.event, &c->retry, CLOCK_MONOTONIC, RETRY_USEC, 1, on_retry, c) < 0)
                cell_break_reply(c, NULL, r, "could not ask systemd how the cell is");
}

static int on_properties_changed(sd_bus_message *m _unused_, void *userdata, sd_bus_error *error _unused_) {
        Cell *c = userdata;

        if (c->query)
                c->requery = true; /* asked again once the call in flight is answered */
        else
                cell_query(c);
        return 0;
}

static int on_located(sd_bus_message *reply, void *userdata, sd_bus_error *error _unused_) {
        Cell *c = userdata;
        UnitState st = { .cell = c };
        _cleanup_free_ char *layout = NULL;
        size_t n;
        int r;

        c->call = sd_bus_slot_unref(c->call);
        r = sd_bus_message_is_method_error(reply, NULL) ? -EIO : read_properties(reply, unit_property, &st);
        if (r < 0 || !st.cgroup || st.cgroup[0] != '/') {
                cell_break_reply(c, reply, r < 0 ? r : -EBADMSG, "systemd did not say where the cell is");
                return 0;
        }
        r = read_file_all("/proc/self/cgroup", 1 << 16, &layout, &n);
        if (r >= 0)
                r = cgroup_counters_open("/sys/fs/cgroup", layout, st.cgroup, &c->counters);
        if (r < 0) {
                log_error_errno(r, "Cell %s: cannot open its cgroup %s, stopping it: %m", c->name, st.cgroup);
                cell_break_logged(c, "kw cannot read the cell's cgroup");
                return 0;
        }
        cell_enter(c, CELL_IDLE);
        return 0;
}

static void cell_locate(Cell *c) {
        /* Every property at once (the empty interface): the cgroup and the invocation. */
        int r = sd_bus_call_method_async(c->config.bus, &c->call, "org.freedesktop.systemd1", c->path,
                                         "org.freedesktop.DBus.Properties", "GetAll", on_located, c, "s", "");
        if (r < 0) {
                cell_break_reply(c, NULL, r, "could not ask systemd where the cell is");
                return;
        }
        cell_enter(c, CELL_LOCATING);
}

static void on_ready(Cell *c, const ExecReady *ready _unused_) {
        /* The call slot is StartTransientUnit's until systemd answers: locate the cell then. */
        if (!c->referenced) {
                c->ready_early = true;
                return;
        }
        cell_locate(c);
}

static int on_started(sd_bus_message *reply, void *userdata, sd_bus_error *error _unused_) {
        Cell *c = userdata;

        c->call = sd_bus_slot_unref(c->call);
        if (sd_bus_message_is_method_error(reply, NULL)) {
                cell_break_reply(c, reply, 0, "systemd refused StartTransientUnit");
                cell_enter(c, CELL_GONE);
                return 0;
        }
        c->referenced = true;
        /* Read once now, so a unit that ended before the first signal is not missed. */
        cell_query(c);
        if (c->ready_early && c->state == CELL_STARTING)
                cell_locate(c);
        return 0;
}

/* ---- start ---- */

/* A step of cell_start() failed: logged with the unit, told by its words alone (no host path). */
static int start_failed(const char *unit, const char *step, int r, const char **ret_step) {
        if (ret_step)
                *ret_step = step;
        return log_error_errno(r, "Failed to start %s: %s: %m", unit, step);
}

int cell_start(const CellConfig *config, const CellSpec *spec, CellFn fn, void *userdata, Cell **ret,
               const char **ret_step) {
        _cleanup_(cell_freep) Cell *c = calloc(1, sizeof(Cell));
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_close_ int theirs = -EBADF;
        int fds[2], r;

        if (!c)
                return start_failed(spec->name, "allocating the cell", -ENOMEM, ret_step);
        *c = (Cell) { .config = *config, .fd = -EBADF, .counters = CGROUP_COUNTERS_NULL, .limits = *spec->limits,
                      .started_usec = now_usec(), .generation = spec->generation, .fn = fn, .userdata = userdata };
        snprintf(c->name, sizeof(c->name), "%s", spec->name);

        if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) < 0)
                return start_failed(c->name, "making the cell's socket", negative_errno(), ret_step);
        c->fd = fds[0];
        theirs = fds[1];
        r = sd_event_add_io(config->event, &c->io, c->fd, EPOLLIN, on_message, c);
        if (r < 0)
                return start_failed(c->name, "following the cell's socket", r, ret_step);
        r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", c->name, &c->path);
        if (r < 0)
                return start_failed(c->name, "naming the unit's object", r, ret_step);
        /* Installed before the start request goes out on the same connection: no change is missed. */
        r = sd_bus_match_signal_async(config->bus, &c->match, "org.freedesktop.systemd1", c->path,
                                      "org.freedesktop.DBus.Properties", "PropertiesChanged", on_properties_changed,
                                      NULL, c);
        if (r < 0)
                return start_failed(c->name, "watching the unit (PropertiesChanged)", r, ret_step);

        UnitSpec unit = {
                .name = c->name,
                .description = "kw cell",
                .policy = spec->policy,
                .limits = spec->limits,
                .runtime_max_usec = spec->max_age_usec,
                .exec_path = config->exec_path,
                .slice = config->slice,
                .stdin_fd = theirs,
        };
        r = unit_new_start_message(config->bus, &unit, &m);
        if (r < 0)
                return start_failed(c->name, "building the unit's properties", r, ret_step);
        r = sd_bus_call_async(config->bus, &c->call, m, on_started, c, 0);
        if (r < 0)
                return start_failed(c->name, "sending StartTransientUnit", r, ret_step);
        *ret = TAKE_PTR(c);
        return 0;
}

void cell_set_callback(Cell *c, CellFn fn, void *userdata) {
        c->fn = fn;
        c->userdata = userdata;
}

/* ---- a run ---- */

static int on_wall_timeout(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        Cell *c = userdata;

        c->wall_timer = sd_event_source_disable_unref(c->wall_timer);
        c->wall_exceeded = true;
        cell_kill(c);
        return 0;
}

/* The run goes: the counters read, the message and its descriptors sent, the wall clock from now. */
static void cell_go(Cell *c) {
        union {
                struct cmsghdr header;
                char buf[CMSG_SPACE(EXEC_FDS_MAX * sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = c->message, .iov_len = c->message_size };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control,
                             .msg_controllen = CMSG_SPACE(c->n_run_fds * sizeof(int)) };
        struct cmsghdr *h = CMSG_FIRSTHDR(&mh);
        int r;

        h->cmsg_level = SOL_SOCKET;
        h->cmsg_type = SCM_RIGHTS;
        h->cmsg_len = CMSG_LEN(c->n_run_fds * sizeof(int));
        memcpy(CMSG_DATA(h), c->run_fds, c->n_run_fds * sizeof(int));

        cgroup_counters_begin(&c->counters, &c->start_stats);
        c->go_usec = now_usec();
        /* An idle cell's socket is empty: the one message always fits. Failing that, the run is
         * over before it began, told from the loop (the owner is inside a call of its own). */
        bool sent = sendmsg(c->fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT) == (ssize_t) c->message_size;
        if (!sent) {
                log_error_errno(negative_errno(), "Cell %s: cannot send its run: %m", c->name);
                cell_break_later(c, "kw could not give the cell its run");
        }
        run_release(c);
        cell_enter(c, CELL_RUNNING);
        if (!sent)
                return;
        /* To the microsecond: accuracy 0 would be sd-event's default of 250 ms. */
        r = sd_event_add_time(c->config.event, &c->wall_timer, CLOCK_MONOTONIC,
                              c->go_usec + c->run_limits.wall_time_ms * 1000, 1, on_wall_timeout, c);
        if (r < 0) {
                /* Without its time limit, the program must not run on. */
                log_error_errno(r, "Cell %s: cannot time its run: %m", c->name);
                run_fail(c, "kw could not time the run");
                cell_kill(c);
        }
}

static int on_limits_set(sd_bus_message *reply, void *userdata, sd_bus_error *error _unused_) {
        Cell *c = userdata;
        char buf[BUS_ERROR_TEXT_MAX];

        c->call = sd_bus_slot_unref(c->call);
        /* Broken or stopped meanwhile: its run is over already. */
        if (c->state != CELL_LIMITING)
                return 0;
        if (bus_reply_error(reply, buf)) {
                /* Its limits are now unknown: no run may trust them. */
                log_error("Cell %s: cannot set a run's limits, stopping it: %s", c->name, buf);
                cell_break_logged(c, "systemd did not set the run's limits");
                return 0;
        }
        c->limits = c->run_limits;
        /* Stopped while its limits were being set: it never starts. */
        if (c->killed) {
                run_fail(c, "the run was stopped before it started");
                cell_enter(c, CELL_IDLE);
                return 0;
        }
        cell_go(c);
        return 0;
}

static bool cgroup_limits_equal(const Limits *a, const Limits *b) {
        return a->memory_bytes == b->memory_bytes && a->processes == b->processes && a->cpu_percent == b->cpu_percent;
}

/* MemoryMax=, TasksMax= and CPUQuota= of the run, at runtime (lost when the cell ends). */
static int cell_set_limits(Cell *c) {
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        int r;

        r = sd_bus_message_new_method_call(c->config.bus, &m, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager", "SetUnitProperties");
        if (r >= 0)
                r = sd_bus_message_append(m, "sb", c->name, 1);
        if (r >= 0)
                r = sd_bus_message_open_container(m, 'a', "(sv)");
        if (r >= 0)
                r = unit_append_cgroup_limits(m, &c->run_limits);
        if (r >= 0)
                r = sd_bus_message_close_container(m);
        if (r >= 0)
                r = sd_bus_call_async(c->config.bus, &c->call, m, on_limits_set, c, 0);
        return r;
}

/* kw-exec's message for @run. */
static int format_run(Cell *c, const CellRun *run) {
        const Limits *l = run->limits;
        const char *files[EXEC_FILES_MAX + 1] = {};
        uint32_t exec_files = 0;

        for (size_t i = 0; i < run->n_files; i++) {
                files[i] = run->files[i].path;
                exec_files |= run->files[i].executable ? 1u << i : 0;
        }
        /* RLIMIT_CPU in whole seconds, at least the limit: a program is never stopped before it had
         * its whole time (kw judges the time it measured); SIGKILL a second after SIGXCPU. */
        uint64_t cpu_sec = (l->time_ms + 999) / 1000;
        ExecRun header = { .cpu_soft_sec = cpu_sec, .cpu_hard_sec = cpu_sec + 1, .open_files = l->open_files,
                           .file_size_bytes = l->file_size_bytes, .tmp_bytes = l->tmp_bytes,
                           .exec_files = exec_files, .product_bytes = run->product ? run->product_bytes : 0 };
        ExecRunStrings strings = { .workdir = run->workdir, .argv = run->argv, .paths = (const char *const *) run->root,
                                   .files = files, .product = run->product };
        if (!(c->message = malloc(EXEC_MSG_MAX)))
                return -ENOMEM;
        int r = exec_run_format(c->message, EXEC_MSG_MAX, &header, &strings);
        if (r < 0)
                return r;
        c->message_size = (size_t) r;
        return 0;
}

/* A duplicate of @fd among the run's descriptors, sent with its message. */
static int add_run_fd(Cell *c, int fd) {
        int d = fcntl(fd, F_DUPFD_CLOEXEC, 3);
        if (d < 0)
                return -errno;
        c->run_fds[c->n_run_fds++] = d;
        return 0;
}

int cell_run(Cell *c, const CellRun *run, int *ret_stdout, int *ret_stderr) {
        int out[2] = { -EBADF, -EBADF }, err[2] = { -EBADF, -EBADF };
        int r;

        if (c->state != CELL_IDLE)
                return -ESTALE;
        if (run->n_files > EXEC_FILES_MAX)
                return -E2BIG;
        c->run_limits = *run->limits;
        c->run_limits.memory_bytes += run->memory_overhead;
        c->killed = c->wall_exceeded = false;
        c->error[0] = 0;
        c->outcome = (RunOutcome) { .cpu_start_usec = UINT64_MAX, .cpu_end_usec = UINT64_MAX,
                                    .memory_peak = UINT64_MAX, .oom_kills = UINT64_MAX,
                                    .product_error = run->product ? ENOENT : 0 };
        c->run_paths = run->root;
        c->n_run_paths = strv_length(run->root);
        r = format_run(c, run);
        if (r >= 0 && (pipe2(out, O_CLOEXEC) < 0 || pipe2(err, O_CLOEXEC) < 0))
                r = negative_errno();
        if (r >= 0 && (fcntl(out[0], F_SETFL, O_NONBLOCK) < 0 || fcntl(err[0], F_SETFL, O_NONBLOCK) < 0))
                r = negative_errno();
        /* In exec-protocol.h's order. */
        if (r >= 0)
                r = add_run_fd(c, run->stdin_fd);
        if (r >= 0) {
                c->run_fds[c->n_run_fds++] = TAKE_FD(out[1]);
                c->run_fds[c->n_run_fds++] = TAKE_FD(err[1]);
                r = add_run_fd(c, run->filter_fd);
        }
        if (r >= 0 && run->product)
                r = add_run_fd(c, run->product_fd);
        for (size_t i = 0; r >= 0 && i < run->n_files; i++)
                r = add_run_fd(c, run->files[i].fd);
        if (r >= 0 && !cgroup_limits_equal(&c->limits, &c->run_limits))
                r = cell_set_limits(c);
        if (r < 0) {
                run_release(c);
                for (int i = 0; i < 2; i++) {
                        if (out[i] >= 0)
                                close(out[i]);
                        if (err[i] >= 0)
                                close(err[i]);
                }
                return r;
        }
        c->runs++;
        *ret_stdout = out[0];
        *ret_stderr = err[0];
        if (c->call)
                cell_enter(c, CELL_LIMITING);
        else
                cell_go(c);
        return 0;
}

void cell_kill(Cell *c) {
        uint32_t kill_msg = EXEC_MSG_KILL;

        if (!in_run(c->state) || c->killed)
                return;
        c->killed = true;
        if (c->state == CELL_LIMITING)
                return; /* on_limits_set() ends it */
        if (send(c->fd, &kill_msg, sizeof(kill_msg), MSG_NOSIGNAL | MSG_DONTWAIT) != sizeof(kill_msg)) {
                log_error_errno(negative_errno(), "Cell %s: cannot send a kill: %m", c->name);
                cell_break_later(c, "kw could not kill the run");
        }
}

void cell_stop(Cell *c) {
        if (in_run(c->state))
                run_fail(c, "the run was stopped with its cell");
        cell_enter(c, c->state == CELL_GONE ? CELL_GONE : CELL_STOPPING);
}

CellState cell_state(const Cell *c) {
        return c->state;
}

const char *cell_name(const Cell *c) {
        return c->name;
}

unsigned cell_runs(const Cell *c) {
        return c->runs;
}

uint64_t cell_started_usec(const Cell *c) {
        return c->started_usec;
}

unsigned cell_generation(const Cell *c) {
        return c->generation;
}

const char *cell_outcome(const Cell *c, RunOutcome *o, char *invocation_id) {
        *o = c->outcome;
        memcpy(invocation_id, c->invocation_id, sizeof(c->invocation_id));
        return c->error[0] ? c->error : NULL;
}

Cell *cell_free(Cell *c) {
        if (!c)
                return NULL;
        run_release(c);
        sd_event_source_disable_unref(c->io);
        sd_event_source_disable_unref(c->retry);
        sd_event_source_disable_unref(c->broken);
        sd_bus_slot_unref(c->match);
        sd_bus_slot_unref(c->query);
        sd_bus_slot_unref(c->call);
        cell_unref_unit(c);
        cgroup_counters_close(&c->counters);
        if (c->fd >= 0)
                close(c->fd);
        free(c->path);
        free(c);
        return NULL;
}
