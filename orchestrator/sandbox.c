/* SPDX-License-Identifier: MIT */
#include <fcntl.h>
#include <inttypes.h>
#include <sys/socket.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>

#include "bus-util.h"
#include "cgstat.h"
#include "sandbox.h"
#include "unit.h"

struct Sandbox {
        SandboxConfig config;
        const Language *language;
        char name[96];
        char description[128];
        char *path;                  /* D-Bus object path of the unit */
        char *cgroup;                /* its ControlGroup=, once active */
        RunDir dir;
        sd_bus_slot *match;          /* PropertiesChanged on path */
        sd_bus_slot *call;           /* the one method call in flight */
        bool requery;                /* something changed while a call was in flight */
        bool query_ended;            /* the Service properties asked for are the final ones */
        bool started;                /* StartTransientUnit succeeded: kw holds a reference (AddRef) */
        bool ready;                  /* active, kw-exec waiting, its CPU so far read */
        bool handed_over;            /* its run is in (or queued until it is ready) */
        bool finished;               /* the program is done: SANDBOX_FINISHED sent */
        bool gone;                   /* the unit has ended and kw's reference is dropped */
        bool program_done;           /* seen in stop-post or ended: nothing of the program is left */
        bool wall_exceeded;          /* kw's timer killed it */
        bool have_stats;             /* stats read by kw itself at stop-post */
        char error[160];             /* why kw could not follow it, if it could not */
        int stdin_fd, out_fd, err_fd;   /* stdin: kw's end of a socket (the go carries the report pipe) */
        int report_fd, report_w;     /* kw-exec's report pipe: kw's read end; the end for kw-exec, until the go */
        sd_event_source *stdin_source;
        sd_event_source *wall_timer;
        char *input;                 /* the go byte and the input, still to be written */
        size_t input_size, input_done;
        uint64_t wall_usec;
        uint64_t handed_usec;        /* CLOCK_MONOTONIC at the go */
        uint64_t start_usec, exit_usec;
        uint64_t baseline_cpu_usec;  /* the cgroup's CPU time before the go: systemd's set-up */
        uint32_t control_pid;        /* in stop-post: the ExecStopPost= process, in the same cgroup */
        sd_event_source *retry;      /* asking systemd again after a failed call */
        CgroupStats stats;
        uint64_t systemd_cpu_nsec;   /* CPUUsageNSec: the cgroup's count as systemd read it, if kw could not */
        RunOutcome outcome;
        char invocation_id[33];
        SandboxFn fn;
        void *userdata;
};

/* After a failed call to systemd (out of memory, a full queue), how soon kw asks again. */
#define RETRY_USEC (100 * 1000ULL)

static void sandbox_query(Sandbox *sb);
static void sandbox_go(Sandbox *sb);

static void sandbox_unref_unit(Sandbox *sb) {
        if (!sb->started)
                return;
        /* Our reference (AddRef) kept the unit for reading; dropping it lets systemd collect it. */
        char what[128];
        snprintf(what, sizeof(what), "drop kw's reference to %s", sb->name);
        (void) bus_call_logged(sb->config.bus, sb->path, "org.freedesktop.systemd1.Unit", "Unref", what, NULL);
        sb->started = false;
}

/* Last in any handler: the callback may free the sandbox. */
static void sandbox_notify(Sandbox *sb, SandboxEvent event) {
        if (sb->fn)
                sb->fn(sb, event, sb->userdata);
}

/* The first reason kw could not follow the unit is the one told. */
static void sandbox_fail(Sandbox *sb, const char *error) {
        if (error && !sb->error[0])
                snprintf(sb->error, sizeof(sb->error), "%s", error);
}

/* @what went wrong talking to systemd: logged with systemd's error, told with the error's name (its
 * message may hold host paths). */
static void sandbox_fail_reply(Sandbox *sb, sd_bus_message *reply, int r, const char *what) {
        const sd_bus_error *e = reply ? sd_bus_message_get_error(reply) : NULL;
        char buf[BUS_ERROR_TEXT_MAX], error[sizeof(sb->error)];

        log_error("%s: %s: %s", sb->name, what, bus_error_text(e, r, buf));
        snprintf(error, sizeof(error), "%s (%s)", what, e ? e->name : strerrorname_np(-r) ?: "?");
        sandbox_fail(sb, error);
}

/* What kw-exec said on its report pipe: 'R' once it took its go, then an errno if it could not exec
 * the interpreter; closed by the exec (or its end). Read when the program is done, so all is there:
 * without the 'R' kw-exec never took its go (its end may still be in flight, unread, in stdin). */
static void sandbox_read_report(Sandbox *sb) {
        unsigned char buf[1 + sizeof(int)];
        size_t size = 0;
        ssize_t n;

        if (sb->report_fd < 0)
                return;
        while (size < sizeof(buf) && (n = read(sb->report_fd, buf + size, sizeof(buf) - size)) != 0) {
                if (n < 0 && errno == EINTR)
                        continue;
                if (n < 0)
                        break;
                size += (size_t) n;
        }
        if (size == 0 || buf[0] != 'R')
                sb->outcome.exec = EXEC_NOT_REACHED;
        else if (size == sizeof(buf)) {
                sb->outcome.exec = EXEC_FAILED;
                memcpy(&sb->outcome.exec_errno, buf + 1, sizeof(int));
        } else
                sb->outcome.exec = n == 0 ? EXEC_STARTED : EXEC_NOT_REACHED;
        sb->report_fd = (close(sb->report_fd), -EBADF);
}

/* The program is done, or kw can no longer follow the unit: tell the owner, once. */
static void sandbox_finish(Sandbox *sb) {
        sb->wall_timer = sd_event_source_disable_unref(sb->wall_timer);
        if (sb->finished)
                return;
        sandbox_read_report(sb);
        sb->finished = true;
        sandbox_notify(sb, SANDBOX_FINISHED);
}

/* The unit has ended, or is lost to kw (sb->error says why): nothing more will be heard of it. */
static void sandbox_end(Sandbox *sb) {
        bool told = sb->finished;

        /* Lost track of a unit that may still run: it must not run on unwatched. */
        if (sb->error[0] && !sb->program_done)
                sandbox_stop(sb);
        sb->gone = sb->program_done = true;
        sb->match = sd_bus_slot_unref(sb->match);
        sandbox_unref_unit(sb);
        if (!told)
                sandbox_finish(sb);
        else
                sandbox_notify(sb, SANDBOX_GONE);
}

/* Lost track of the unit for @what: it ends for kw (and is stopped, should it still run). */
static void sandbox_lose(Sandbox *sb, sd_bus_message *reply, int r, const char *what) {
        sandbox_fail_reply(sb, reply, r, what);
        sandbox_end(sb);
}

/* A process's CPU time so far, from /proc/PID/schedstat (nanoseconds on the CPU); 0 if unknown. */
static uint64_t task_cpu_usec(uint32_t pid) {
        _cleanup_free_ char *text = NULL;
        char path[64];
        uint64_t ns;
        size_t n;

        snprintf(path, sizeof(path), "/proc/%" PRIu32 "/schedstat", pid);
        if (read_file_all(path, 256, &text, &n) < 0)
                return 0;
        text[strcspn(text, " ")] = 0;
        return safe_atou64(text, &ns) < 0 ? 0 : ns / 1000;
}

/* The cgroup as kw reads it from the host: CPU, memory peak and OOM kills. */
static int sandbox_read_cgroup(Sandbox *sb, CgroupStats *ret) {
        _cleanup_free_ char *layout = NULL, *text = NULL;
        size_t n;
        int r;

        if (!sb->cgroup)
                return -ENOENT;
        r = read_file_all("/proc/self/cgroup", 1 << 16, &layout, &n);
        if (r >= 0)
                r = cgroup_layout_for(layout, sb->cgroup, &text);
        if (r >= 0)
                r = cgroup_stats_read("/sys/fs/cgroup", text, ret);
        return r;
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

static int service_property(sd_bus_message *m, const char *name, void *userdata) {
        Sandbox *sb = userdata;
        RunOutcome *o = &sb->outcome;
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
                r = sd_bus_message_read(m, "v", "t", &sb->systemd_cpu_nsec);
        else if (strcmp(name, "ExecMainStartTimestampMonotonic") == 0)
                r = sd_bus_message_read(m, "v", "t", &sb->start_usec);
        else if (strcmp(name, "ExecMainExitTimestampMonotonic") == 0)
                r = sd_bus_message_read(m, "v", "t", &sb->exit_usec);
        else if (strcmp(name, "ControlPID") == 0)
                r = sd_bus_message_read(m, "v", "u", &sb->control_pid);
        else
                return 0;
        return r < 0 ? r : 1;
}

static int on_service_properties(sd_bus_message *reply, void *userdata, sd_bus_error *error _unused_) {
        Sandbox *sb = userdata;
        bool ended = sb->query_ended;

        sb->call = sd_bus_slot_unref(sb->call);
        sb->query_ended = false;
        int r = sd_bus_message_is_method_error(reply, NULL) ? -EIO : read_properties(reply, service_property, sb);
        if (r < 0)
                sandbox_fail_reply(sb, reply, r, "systemd did not say how the run ended");
        if (ended) {
                sandbox_end(sb);
                return 0;
        }
        /* stop-post: every process of the program is gone, the cgroup is still there while the
         * ExecStopPost= runs. Read it now, without waiting for the unit to end. */
        CgroupStats st;
        if (sb->handed_over && sandbox_read_cgroup(sb, &st) >= 0 && st.cpu_usec != UINT64_MAX) {
                /* The ExecStopPost= process is in the cgroup too, since before its set-up: its CPU
                 * time so far is not the program's. */
                uint64_t own = sb->control_pid > 0 ? task_cpu_usec(sb->control_pid) : 0;
                st.cpu_usec = st.cpu_usec > own ? st.cpu_usec - own : 0;
                sb->stats = st;
                sb->have_stats = true;
        }
        if (sb->requery)
                sandbox_query(sb);
        /* Unreadable: wait for the end, by when kw-runstat's entry is in the journal. */
        if (sb->handed_over && !sb->have_stats)
                return 0;
        sandbox_finish(sb);
        return 0;
}

static int sandbox_get_service(Sandbox *sb, bool ended) {
        sb->query_ended = ended;
        return sd_bus_call_method_async(sb->config.bus, &sb->call, "org.freedesktop.systemd1", sb->path,
                                        "org.freedesktop.DBus.Properties", "GetAll", on_service_properties, sb, "s",
                                        "org.freedesktop.systemd1.Service");
}

static int on_control_group(sd_bus_message *reply, void *userdata, sd_bus_error *error _unused_) {
        Sandbox *sb = userdata;
        const char *cgroup;
        CgroupStats st;

        char buf[BUS_ERROR_TEXT_MAX];
        sb->call = sd_bus_slot_unref(sb->call);
        /* Not fatal: kw-runstat counts from inside the unit instead. */
        if (bus_reply_error(reply, buf))
                log_warning("Failed to get the cgroup of %s: %s", sb->name, buf);
        else if (sd_bus_message_read(reply, "v", "s", &cgroup) >= 0 && cgroup[0] == '/')
                sb->cgroup = strdup(cgroup);
        /* What systemd spent setting the unit up is in the cgroup's CPU time: not the program's. */
        if (sandbox_read_cgroup(sb, &st) >= 0 && st.cpu_usec != UINT64_MAX)
                sb->baseline_cpu_usec = st.cpu_usec;
        sb->ready = true;
        if (sb->handed_over)
                sandbox_go(sb);
        if (sb->requery)
                sandbox_query(sb);
        return 0;
}

typedef struct UnitState {
        Sandbox *sb;
        const char *active_state;
        const char *sub_state;
        uint32_t job;
} UnitState;

static int unit_property(sd_bus_message *m, const char *name, void *userdata) {
        UnitState *st = userdata;
        int r;

        if (strcmp(name, "ActiveState") == 0)
                r = sd_bus_message_read(m, "v", "s", &st->active_state);
        else if (strcmp(name, "SubState") == 0)
                r = sd_bus_message_read(m, "v", "s", &st->sub_state);
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
                                sprintf(st->sb->invocation_id + 2 * i, "%02x", ((const uint8_t *) id)[i]);
                if (r >= 0)
                        r = sd_bus_message_exit_container(m);
        } else
                return 0;
        return r < 0 ? r : 1;
}

static int on_unit_properties(sd_bus_message *reply, void *userdata, sd_bus_error *error _unused_) {
        Sandbox *sb = userdata;
        UnitState st = { .sb = sb };
        int r;

        sb->call = sd_bus_slot_unref(sb->call);
        r = sd_bus_message_is_method_error(reply, NULL) ? -EIO : read_properties(reply, unit_property, &st);
        if (r < 0 || !st.active_state || !st.sub_state) {
                sandbox_lose(sb, reply, r < 0 ? r : -EBADMSG, "systemd did not say how the run is going");
                return 0;
        }
        bool ended = st.job == 0 && (strcmp(st.active_state, "inactive") == 0 || strcmp(st.active_state, "failed") == 0);
        if (ended || strcmp(st.sub_state, "stop-post") == 0) {
                /* Every process of the program is gone: no timer or output cap may kill (kw-runstat) now. */
                sb->program_done = true;
                sb->wall_timer = sd_event_source_disable_unref(sb->wall_timer);
        }
        if (ended || (!sb->finished && strcmp(st.sub_state, "stop-post") == 0)) {
                r = sandbox_get_service(sb, ended);
                if (r < 0) {
                        sandbox_lose(sb, NULL, r, "could not ask systemd how the run ended");
                }
                return 0;
        }
        if (!sb->ready && !sb->finished && strcmp(st.active_state, "active") == 0) {
                r = sd_bus_call_method_async(sb->config.bus, &sb->call, "org.freedesktop.systemd1", sb->path,
                                             "org.freedesktop.DBus.Properties", "Get", on_control_group, sb, "ss",
                                             "org.freedesktop.systemd1.Service", "ControlGroup");
                if (r < 0) {
                        sandbox_lose(sb, NULL, r, "could not ask systemd for the run's cgroup");
                }
                return 0;
        }
        if (sb->requery)
                sandbox_query(sb);
        return 0;
}

static int on_retry(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        Sandbox *sb = userdata;

        sb->retry = sd_event_source_disable_unref(sb->retry);
        if (sb->call)
                sb->requery = true;
        else
                sandbox_query(sb);
        return 0;
}

static void sandbox_query(Sandbox *sb) {
        sb->requery = false;
        int r = sd_bus_call_method_async(sb->config.bus, &sb->call, "org.freedesktop.systemd1", sb->path,
                                         "org.freedesktop.DBus.Properties", "GetAll", on_unit_properties, sb,
                                         "s", "org.freedesktop.systemd1.Unit");
        /* Its callers go on using the sandbox, so not fatal here; and the unit may not change again
         * to make kw ask: ask again shortly. */
        if (r < 0 && !sb->retry &&
            sd_event_add_time_relative(sb->config.event, &sb->retry, CLOCK_MONOTONIC, RETRY_USEC, 1, on_retry, sb) < 0)
                sandbox_fail_reply(sb, NULL, r, "could not ask systemd how the run is going");
}

static int on_properties_changed(sd_bus_message *m _unused_, void *userdata, sd_bus_error *error _unused_) {
        Sandbox *sb = userdata;

        if (sb->gone)
                return 0;
        if (sb->call)
                sb->requery = true; /* re-read once the call in flight is answered */
        else
                sandbox_query(sb);
        return 0;
}

static int on_started(sd_bus_message *reply, void *userdata, sd_bus_error *error _unused_) {
        Sandbox *sb = userdata;

        sb->call = sd_bus_slot_unref(sb->call);
        if (sd_bus_message_is_method_error(reply, NULL)) {
                sandbox_lose(sb, reply, 0, "systemd refused StartTransientUnit");
                return 0;
        }
        sb->started = true;
        /* Read once now, so a unit that ended before the first signal is not missed. */
        sandbox_query(sb);
        return 0;
}

/* ---- start ---- */

/* Hands out a fresh pair: fds[@ours] is kw's, made non-blocking; the other end blocks, for the
 * program. */
static int split_pair(int fds[2], int ours, int *ret_ours, int *ret_theirs) {
        if (fcntl(fds[ours], F_SETFL, O_NONBLOCK) < 0) {
                close(fds[0]);
                close(fds[1]);
                return negative_errno();
        }
        *ret_ours = fds[ours];
        *ret_theirs = fds[!ours];
        return 0;
}

/* stdin: a stream socket, so that the go can carry kw-exec's report pipe (SCM_RIGHTS). The program
 * reads the input to its end like a pipe's. */
static int make_stdin(int *ret_ours, int *ret_theirs) {
        int fds[2];

        if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, fds) < 0)
                return negative_errno();
        return split_pair(fds, 0, ret_ours, ret_theirs);
}

/* A pipe whose read end (@ours_read) or write end is kw's. */
static int make_pipe(bool ours_read, int *ret_ours, int *ret_theirs) {
        int fds[2];

        if (pipe2(fds, O_CLOEXEC) < 0)
                return negative_errno();
        return split_pair(fds, ours_read ? 0 : 1, ret_ours, ret_theirs);
}

/* A step of sandbox_start() failed: logged with the unit, told by its words alone (no host path). */
static int start_failed(const char *unit, const char *step, int r, const char **ret_step) {
        if (ret_step)
                *ret_step = step;
        return log_error_errno(r, "Failed to start %s: %s: %m", unit, step);
}

int sandbox_start(const SandboxConfig *config, const SandboxSpec *spec, SandboxFn fn, void *userdata,
                  Sandbox **ret, const char **ret_step) {
        _cleanup_(sandbox_freep) Sandbox *sb = calloc(1, sizeof(Sandbox));
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *m = NULL;
        _cleanup_close_ int in_r = -EBADF, out_w = -EBADF, err_w = -EBADF;
        char stem[96];
        int r;

        if (!sb)
                return start_failed(spec->name, "allocating the sandbox", -ENOMEM, ret_step);
        *sb = (Sandbox) { .config = *config, .language = spec->language, .dir = RUN_DIR_NULL, .stdin_fd = -EBADF,
                          .out_fd = -EBADF, .err_fd = -EBADF, .report_fd = -EBADF, .report_w = -EBADF, .fn = fn,
                          .userdata = userdata };
        sb->systemd_cpu_nsec = UINT64_MAX;
        snprintf(sb->name, sizeof(sb->name), "%s", spec->name);
        snprintf(sb->description, sizeof(sb->description), "%s", spec->description);
        snprintf(stem, sizeof(stem), "%.*s", (int) strcspn(spec->name, "."), spec->name);

        r = run_dir_create(config->runtime_dir, stem, &sb->dir);
        if (r < 0)
                return start_failed(sb->name, "creating the run directory", r, ret_step);
        r = run_dir_mount_scratch(&sb->dir, spec->limits->tmp_bytes);
        if (r < 0)
                return start_failed(sb->name, "mounting the scratch tmpfs", r, ret_step);
        r = make_stdin(&sb->stdin_fd, &in_r);
        if (r < 0)
                return start_failed(sb->name, "making the stdin socket", r, ret_step);
        r = make_pipe(true, &sb->report_fd, &sb->report_w);
        if (r >= 0)
                r = make_pipe(true, &sb->out_fd, &out_w);
        if (r >= 0)
                r = make_pipe(true, &sb->err_fd, &err_w);
        if (r < 0)
                return start_failed(sb->name, "making the pipes", r, ret_step);
        r = sd_bus_path_encode("/org/freedesktop/systemd1/unit", sb->name, &sb->path);
        if (r < 0)
                return start_failed(sb->name, "naming the unit's object", r, ret_step);
        /* Installed before the start request goes out on the same connection: no change is missed. */
        r = sd_bus_match_signal_async(config->bus, &sb->match, "org.freedesktop.systemd1", sb->path,
                                      "org.freedesktop.DBus.Properties", "PropertiesChanged", on_properties_changed,
                                      NULL, sb);
        if (r < 0)
                return start_failed(sb->name, "watching the unit (PropertiesChanged)", r, ret_step);

        UnitSpec unit = {
                .name = sb->name,
                .description = spec->description,
                .language = spec->language,
                .syscalls = spec->syscalls,
                .limits = spec->limits,
                .runtime_max_usec = spec->idle_usec + spec->limits->wall_time_ms * 1000,
                .code_dir = sb->dir.code_path,
                .scratch_dir = sb->dir.scratch_path,
                .runstat_path = config->runstat_path,
                .exec_path = config->exec_path,
                .filter_path = spec->filter_path,
                .journal_socket = config->journal_socket,
                .slice = config->slice,
                .stdin_fd = in_r,
                .stdout_fd = out_w,
                .stderr_fd = err_w,
        };
        r = unit_new_start_message(config->bus, &unit, &m);
        if (r < 0)
                return start_failed(sb->name, "building the unit's properties", r, ret_step);
        r = sd_bus_call_async(config->bus, &sb->call, m, on_started, sb, 0);
        if (r < 0)
                return start_failed(sb->name, "sending StartTransientUnit", r, ret_step);
        /* The unit's ends travel in the message; systemd holds them from here on. */
        *ret = TAKE_PTR(sb);
        return 0;
}

void sandbox_set_callback(Sandbox *sb, SandboxFn fn, void *userdata) {
        sb->fn = fn;
        sb->userdata = userdata;
}

int sandbox_take_output(Sandbox *sb, int *ret_stdout, int *ret_stderr) {
        if (sb->out_fd < 0 || sb->err_fd < 0)
                return -EBADF;
        *ret_stdout = TAKE_FD(sb->out_fd);
        *ret_stderr = TAKE_FD(sb->err_fd);
        return 0;
}

/* ---- hand over ---- */

static void stdin_close(Sandbox *sb) {
        sb->stdin_source = sd_event_source_disable_unref(sb->stdin_source);
        if (sb->stdin_fd >= 0)
                sb->stdin_fd = (close(sb->stdin_fd), -EBADF);
        sb->input = (free(sb->input), NULL);
}

/* The go: its one byte carries the end of the report pipe for kw-exec, which kw then lets go of. */
static ssize_t send_go(Sandbox *sb) {
        union {
                struct cmsghdr header;
                char buf[CMSG_SPACE(sizeof(int))];
        } control = {};
        struct iovec iov = { .iov_base = sb->input, .iov_len = 1 };
        struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = &control, .msg_controllen = sizeof(control) };
        struct cmsghdr *c = CMSG_FIRSTHDR(&mh);

        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &sb->report_w, sizeof(int));
        ssize_t n = sendmsg(sb->stdin_fd, &mh, MSG_NOSIGNAL);
        if (n > 0)
                sb->report_w = (close(sb->report_w), -EBADF);
        return n;
}

/* Writes what the socket takes; 1 if more is left. A program that never reads its input, or has
 * ended, closes its end (EPIPE): that ends its input, and is no error of kw's. */
static int stdin_write(Sandbox *sb) {
        while (sb->input_done < sb->input_size) {
                ssize_t n = sb->input_done == 0 ? send_go(sb)
                                                : send(sb->stdin_fd, sb->input + sb->input_done,
                                                       sb->input_size - sb->input_done, MSG_NOSIGNAL);
                if (n < 0) {
                        if (errno == EINTR)
                                continue;
                        if (errno == EAGAIN)
                                return 1;
                        break;
                }
                sb->input_done += (size_t) n;
        }
        stdin_close(sb);
        return 0;
}

static int on_stdin_writable(sd_event_source *s _unused_, int fd _unused_, uint32_t revents _unused_, void *userdata) {
        (void) stdin_write(userdata);
        return 0;
}

static int on_wall_timeout(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        Sandbox *sb = userdata;

        sb->wall_timer = sd_event_source_disable_unref(sb->wall_timer);
        sb->wall_exceeded = true;
        sandbox_kill(sb);
        return 0;
}

void sandbox_describe_run(char *buf, size_t size, const char *job_id, unsigned run) {
        snprintf(buf, size, "kw run %u of job %s", run, job_id);
}

/* The run begins: the go byte and the input into stdin, the wall clock from now. */
static void sandbox_go(Sandbox *sb) {
        int r;

        /* From the real now, not the loop's cached one, and to the microsecond (accuracy 0 would be
         * sd-event's default of 250 ms). */
        sb->handed_usec = now_usec();
        r = sd_event_add_time(sb->config.event, &sb->wall_timer, CLOCK_MONOTONIC, sb->handed_usec + sb->wall_usec, 1,
                              on_wall_timeout, sb);
        if (r >= 0 && stdin_write(sb) > 0)
                r = sd_event_add_io(sb->config.event, &sb->stdin_source, sb->stdin_fd, EPOLLOUT, on_stdin_writable, sb);
        if (r < 0) {
                /* Without its input or its time limit, the program must not run on. */
                log_error_errno(r, "Failed to start the run in %s: %m", sb->name);
                sandbox_fail(sb, "could not give the run its input");
                stdin_close(sb);
                sandbox_kill(sb);
        }
}

int sandbox_hand_over(Sandbox *sb, const char *job_id, unsigned run, const char *code, size_t code_size,
                      const char *input, size_t input_size, uint64_t wall_usec) {
        _cleanup_free_ char *note = NULL;
        char description[128];
        int r;

        if (sb->handed_over || sb->finished || sb->stdin_fd < 0)
                return -ESTALE;
        r = asprintf_safe(&note, "%s %u\n", job_id, run);
        if (r < 0)
                return r;
        r = run_dir_write(&sb->dir, sb->language->source_file, code, code_size);
        if (r >= 0)
                r = run_dir_write(&sb->dir, UNIT_RUN_NOTE, note, strlen(note));
        if (r < 0)
                return r;
        sb->input = malloc(input_size + 1);
        if (!sb->input)
                return -ENOMEM;
        sb->input[0] = 'G';
        memcpy(sb->input + 1, input, input_size);
        sb->input_size = input_size + 1;
        sb->input_done = 0;
        sb->wall_usec = wall_usec;
        sb->handed_over = true;

        /* A warm unit says whose run it has now (systemctl list-units). */
        sandbox_describe_run(description, sizeof(description), job_id, run);
        if (strcmp(description, sb->description) != 0) {
                char what[128];
                snprintf(what, sizeof(what), "describe %s", sb->name);
                (void) bus_call_logged(sb->config.bus, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                                       "SetUnitProperties", what, "sba(sv)", sb->name, 1, 1, "Description", "s",
                                       description);
        }
        /* A unit still starting gets its go once kw-exec waits and its set-up CPU is read. */
        if (sb->ready)
                sandbox_go(sb);
        return 0;
}

void sandbox_kill(Sandbox *sb) {
        if (sb->program_done)
                return;
        char what[128];
        snprintf(what, sizeof(what), "kill %s", sb->name);
        (void) bus_call_logged(sb->config.bus, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                               "KillUnit", what, "ssi", sb->name, "main", SIGKILL);
}

void sandbox_stop(Sandbox *sb) {
        if (sb->gone)
                return;
        char what[128];
        snprintf(what, sizeof(what), "stop %s", sb->name);
        (void) bus_call_logged(sb->config.bus, "/org/freedesktop/systemd1", "org.freedesktop.systemd1.Manager",
                               "StopUnit", what, "ss", sb->name, "replace");
}

bool sandbox_finished(const Sandbox *sb) {
        return sb->finished;
}

bool sandbox_gone(const Sandbox *sb) {
        return sb->gone;
}

const char *sandbox_name(const Sandbox *sb) {
        return sb->name;
}

const char *sandbox_outcome(const Sandbox *sb, RunOutcome *o, char *invocation_id) {
        snprintf(o->result, sizeof(o->result), "%s", sb->outcome.result);
        o->exit_code = sb->outcome.exit_code;
        o->exit_status = sb->outcome.exit_status;
        o->exec = sb->outcome.exec;
        o->exec_errno = sb->outcome.exec_errno;
        o->cpu_start_usec = sb->baseline_cpu_usec;
        o->cpu_end_usec = sb->have_stats                          ? sb->stats.cpu_usec
                          : sb->systemd_cpu_nsec != UINT64_MAX ? sb->systemd_cpu_nsec / 1000
                                                                : UINT64_MAX;
        o->memory_peak = sb->have_stats ? sb->stats.memory_peak : UINT64_MAX;
        o->oom_kills = sb->have_stats ? sb->stats.oom_kills : UINT64_MAX;
        /* From the go: a warm unit's waiting is not the program's time. */
        uint64_t from = sb->handed_usec > sb->start_usec ? sb->handed_usec : sb->start_usec;
        o->wall_usec = sb->exit_usec > from ? sb->exit_usec - from : 0;
        /* The timer may fire just after a program that ended in time, before kw saw it end. */
        o->wall_exceeded = sb->handed_usec > 0 && sb->wall_usec > 0 &&
                           (sb->exit_usec > 0 ? o->wall_usec >= sb->wall_usec : sb->wall_exceeded);
        memcpy(invocation_id, sb->invocation_id, sizeof(sb->invocation_id));
        return sb->error[0] ? sb->error : NULL;
}

bool sandbox_has_stats(const Sandbox *sb) {
        return sb->have_stats;
}

Sandbox *sandbox_free(Sandbox *sb) {
        if (!sb)
                return NULL;
        sd_bus_slot_unref(sb->match);
        sd_bus_slot_unref(sb->call);
        sandbox_unref_unit(sb);
        sd_event_source_disable_unref(sb->wall_timer);
        sd_event_source_disable_unref(sb->retry);
        stdin_close(sb);
        if (sb->report_fd >= 0)
                close(sb->report_fd);
        if (sb->report_w >= 0)
                close(sb->report_w);
        if (sb->out_fd >= 0)
                close(sb->out_fd);
        if (sb->err_fd >= 0)
                close(sb->err_fd);
        run_dir_remove(&sb->dir);
        free(sb->path);
        free(sb->cgroup);
        free(sb);
        return NULL;
}

int bus_open_systemd(sd_event *event, sd_bus_message_handler_t on_disconnected, void *userdata, sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        char buf[BUS_ERROR_TEXT_MAX];
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");
        r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the system bus to the event loop: %m");
        r = sd_bus_match_signal_async(bus, NULL, "org.freedesktop.DBus.Local", "/org/freedesktop/DBus/Local",
                                      "org.freedesktop.DBus.Local", "Disconnected", on_disconnected, NULL, userdata);
        if (r < 0)
                return log_error_errno(r, "Failed to watch for the loss of the system bus: %m");
        /* On the system bus, systemd sends unit signals to subscribers only. */
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "Subscribe", &error, NULL, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to systemd's signals: %s", bus_error_text(&error, r, buf));
        *ret = TAKE_PTR(bus);
        return 0;
}
