/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <signal.h>
#include <sys/inotify.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <time.h>
#include <systemd/sd-journal.h>

#include "bus-util.h"
#include "journal.h"

/* Large entries are a whole pipe's worth of output; let the kernel queue plenty of them. */
#define SINK_SNDBUF (8 * 1024 * 1024)
/* A send waits while journald's queue is full: a restarting or socket-activated journald drains it
 * in well under this. Past it journald is gone for good, and the run fails instead of kw hanging. */
#define SINK_SEND_TIMEOUT_SEC 10

static const char *const stream_names[] = {
        [STREAM_STDOUT] = "stdout",
        [STREAM_STDERR] = "stderr",
};

#define IOVEC_STRING(s) ((struct iovec) { .iov_base = (char *) (s), .iov_len = strlen(s) })

int journal_sink_open(const char *socket_path, JournalSink **ret) {
        _cleanup_(journal_sink_freep) JournalSink *s = calloc(1, sizeof(JournalSink));
        int size = SINK_SNDBUF;
        struct timeval timeout = { .tv_sec = SINK_SEND_TIMEOUT_SEC };

        if (!s)
                return -ENOMEM;
        s->fd = -EBADF;
        if (strlen(socket_path) >= sizeof(((struct sockaddr_un) {}).sun_path))
                return -EINVAL;
        s->socket_path = strdup(socket_path);
        if (!s->socket_path)
                return -ENOMEM;
        s->fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (s->fd < 0)
                return negative_errno();
        /* Root may go past wmem_max; others get what they get. */
        if (setsockopt(s->fd, SOL_SOCKET, SO_SNDBUFFORCE, &size, sizeof(size)) < 0)
                (void) setsockopt(s->fd, SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
        if (setsockopt(s->fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout)) < 0)
                return negative_errno();
        *ret = TAKE_PTR(s);
        return 0;
}

JournalSink *journal_sink_free(JournalSink *s) {
        if (!s)
                return NULL;
        if (s->fd >= 0)
                close(s->fd);
        free(s->socket_path);
        free(s);
        return NULL;
}

/* The native protocol: "NAME=value\n", or for values with a newline "NAME\n<le64 size>value\n". */
static int serialize(Buffer *b, const struct iovec *fields, size_t n_fields) {
        int r = 0;

        for (size_t i = 0; r >= 0 && i < n_fields; i++) {
                const char *p = fields[i].iov_base;
                size_t n = fields[i].iov_len;
                const char *eq = memchr(p, '=', n);
                if (!eq || eq == p)
                        return -EINVAL;
                size_t name = (size_t) (eq - p), value = n - name - 1;
                if (!memchr(eq + 1, '\n', value)) {
                        r = buffer_append(b, p, n);
                        if (r >= 0)
                                r = buffer_append(b, "\n", 1);
                        continue;
                }
                uint8_t le[8];
                for (int k = 0; k < 8; k++)
                        le[k] = (uint8_t) ((uint64_t) value >> (8 * k));
                r = buffer_append(b, p, name);
                if (r >= 0)
                        r = buffer_append(b, "\n", 1);
                if (r >= 0)
                        r = buffer_append(b, le, sizeof(le));
                if (r >= 0)
                        r = buffer_append(b, eq + 1, value);
                if (r >= 0)
                        r = buffer_append(b, "\n", 1);
        }
        return r;
}

int journal_sink_send(JournalSink *s, const struct iovec *fields, size_t n_fields) {
        _cleanup_(buffer_done) Buffer b = {};
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int r;

        r = serialize(&b, fields, n_fields);
        if (r < 0)
                return r;
        strcpy(sa.sun_path, s->socket_path);
        for (;;) {
                if (sendto(s->fd, b.data, b.size, MSG_NOSIGNAL, (struct sockaddr *) &sa, sizeof(sa)) >= 0)
                        return 0;
                if (errno != EINTR)
                        return negative_errno();
        }
}

int journal_forward(JournalSink *s, const JournalTag *tag, OutputStream stream, uint64_t seq, const void *data,
                    size_t n) {
        char job[64], run[32], unit[128], cell_run[48], kind[32], seqf[48], role[48];
        _cleanup_free_ char *message = malloc(n + 8);

        if (!message)
                return -ENOMEM;
        memcpy(message, "MESSAGE=", 8);
        memcpy(message + 8, data, n);
        snprintf(job, sizeof(job), "KW_JOB_ID=%s", tag->job_id);
        snprintf(run, sizeof(run), "KW_RUN=%u", tag->run);
        snprintf(unit, sizeof(unit), "KW_UNIT=%s", tag->unit);
        snprintf(cell_run, sizeof(cell_run), "KW_CELL_RUN=%u", tag->cell_run);
        snprintf(kind, sizeof(kind), "KW_STREAM=%s", stream_names[stream]);
        snprintf(seqf, sizeof(seqf), "KW_SEQ=%" PRIu64, seq);
        snprintf(role, sizeof(role), "KW_ROLE=%s", tag->role);

        struct iovec iov[] = {
                { .iov_base = message, .iov_len = n + 8 },
                IOVEC_STRING(stream == STREAM_STDERR ? "PRIORITY=3" : "PRIORITY=6"),
                IOVEC_STRING("SYSLOG_IDENTIFIER=kw-run"),
                IOVEC_STRING(job),  IOVEC_STRING(run),  IOVEC_STRING(unit), IOVEC_STRING(cell_run),
                IOVEC_STRING(kind), IOVEC_STRING(seqf), IOVEC_STRING(role),
        };
        return journal_sink_send(s, iov, ELEMENTSOF(iov));
}

int journal_fence(JournalSink *s, const char *job_id, const char *nonce) {
        char message[128], job[64], fence[64];

        snprintf(message, sizeof(message), "MESSAGE=kw: output of job %s complete", job_id);
        snprintf(job, sizeof(job), "KW_JOB_ID=%s", job_id);
        snprintf(fence, sizeof(fence), "KW_FENCE=%s", nonce);
        struct iovec iov[] = {
                IOVEC_STRING(message), IOVEC_STRING("PRIORITY=7"), IOVEC_STRING("SYSLOG_IDENTIFIER=kw-run"),
                IOVEC_STRING(job), IOVEC_STRING(fence),
        };
        return journal_sink_send(s, iov, ELEMENTSOF(iov));
}

int journal_log_run(const JournalTag *tag, const char *invocation_id, const char *verdict, const char *explanation,
                    uint64_t cpu_usec, uint64_t memory_peak) {
        return sd_journal_send("MESSAGE=kw job %s run %u, %s (%s, run %u of the cell): %s", tag->job_id, tag->run,
                               tag->role, tag->unit, tag->cell_run, explanation, "PRIORITY=6", "SYSLOG_IDENTIFIER=kw",
                               "KW_JOB_ID=%s", tag->job_id, "KW_RUN=%u", tag->run, "KW_UNIT=%s", tag->unit,
                               "KW_CELL_RUN=%u", tag->cell_run, "KW_ROLE=%s", tag->role, "KW_INVOCATION_ID=%s", invocation_id,
                               "KW_SUMMARY=1", "KW_VERDICT=%s", verdict, "KW_CPU_USEC=%" PRIu64, cpu_usec,
                               "KW_MEMORY_PEAK_BYTES=%" PRIu64, memory_peak, NULL);
}

/* ---- reading back ---- */

typedef struct Watch {
        char job_id[JOURNAL_JOB_ID_MAX];
        JournalEntryFn fn;
        void *userdata;
} Watch;

/* Asking journald to write out what it has queued (journal_reader_sync()), one request at a time.
 * journald@NS comes and goes (it exits when idle, restarts, may be killed): a request it cannot take
 * now waits for it, and one sent to a journald that has gone since is sent again to its successor. */
typedef enum SyncState {
        SYNC_IDLE,
        SYNC_WANTED,                   /* asked for; journald is not running (or not yet ready) */
        SYNC_SENT,                     /* signalled sync_pid; waiting for its "synced" */
        SYNC_SENT_WANTED,              /* that, and asked for again since (not covered by it) */
} SyncState;

/* A "synced" that has not come in this long is lost (journald could not write it): move on. */
#define SYNC_TIMEOUT_USEC (1000 * 1000ULL)

typedef enum SyncEvent {
        SYNC_REQUEST,
        SYNC_DONE,                     /* journald touched "synced", or it did not in SYNC_TIMEOUT_USEC */
        SYNC_JOURNALD_CHANGED,         /* its unit's properties changed: started, ready, gone */
} SyncEvent;

struct JournalReader {
        sd_event *event;
        sd_journal *journal;
        sd_event_source *source;
        Watch *watches;
        size_t n_watches;
        sd_bus *bus;
        char *journald_unit;           /* systemd-journald.service or systemd-journald@NS.service */
        char *journald_path;           /* its object path */
        sd_bus_slot *journald_slot;    /* its PropertiesChanged */
        int synced_fd;                 /* inotify on journald's runtime directory */
        sd_event_source *synced_source;
        SyncState sync;
        pid_t sync_pid;
        int journald_pidfd;            /* the ready journald last signalled (its pid: sync_pid) */
        sd_event_source *sync_timer;   /* while SENT: SYNC_TIMEOUT_USEC */
};

/* The value of @field in the current entry, without the "FIELD=" prefix. */
static int get_field(sd_journal *j, const char *field, const void **ret, size_t *ret_size) {
        const void *d;
        size_t n, len = strlen(field);
        int r = sd_journal_get_data(j, field, &d, &n);
        if (r < 0)
                return r;
        if (n < len + 1)
                return -EBADMSG;
        *ret = (const char *) d + len + 1;
        *ret_size = n - len - 1;
        return 0;
}

static bool field_equals(sd_journal *j, const char *field, const char *value) {
        const void *d;
        size_t n;
        return get_field(j, field, &d, &n) >= 0 && n == strlen(value) && memcmp(d, value, n) == 0;
}

static uint64_t number_field(sd_journal *j, const char *field) {
        const void *d;
        size_t n;
        char num[32];
        uint64_t v;

        if (get_field(j, field, &d, &n) < 0 || n == 0 || n >= sizeof(num))
                return UINT64_MAX;
        memcpy(num, d, n);
        num[n] = 0;
        return safe_atou64(num, &v) < 0 ? UINT64_MAX : v;
}

static const Watch *find_watch(JournalReader *r, const void *id, size_t n) {
        for (size_t i = 0; i < r->n_watches; i++)
                if (strlen(r->watches[i].job_id) == n && memcmp(r->watches[i].job_id, id, n) == 0)
                        return &r->watches[i];
        return NULL;
}

int journal_entry_read(sd_journal *j, char ret_job_id[static JOURNAL_JOB_ID_MAX], JournalEntry *ret) {
        JournalEntry e = {};
        char job_id[JOURNAL_JOB_ID_MAX];
        const void *id;
        size_t n;

        /* Only root's entries count: kwctl's and kwd's. journald sets _UID itself, so a run that
         * reached a journal socket (LogNamespace= binds one into its /run) still could not pass. */
        if (!field_equals(j, "_UID", "0") || get_field(j, "KW_JOB_ID", &id, &n) < 0 || n >= sizeof(job_id))
                return 0;
        /* Copied: the data a field points at is valid only until the next field is read. */
        memcpy(job_id, id, n);
        job_id[n] = 0;
        if (get_field(j, "KW_FENCE", &e.data, &e.size) >= 0)
                e.kind = ENTRY_FENCE;
        else {
                uint64_t run = number_field(j, "KW_RUN");
                bool err = field_equals(j, "KW_STREAM", "stderr");
                /* A summary, or anything else of the job's. */
                if (run > UINT32_MAX || (!err && !field_equals(j, "KW_STREAM", "stdout")))
                        return 0;
                e.kind = ENTRY_CHUNK;
                e.run = (unsigned) run;
                e.stream = err ? STREAM_STDERR : STREAM_STDOUT;
                e.seq = number_field(j, "KW_SEQ");
                /* Last, for the same reason. */
                if (get_field(j, "MESSAGE", &e.data, &e.size) < 0)
                        return 0;
        }
        strcpy(ret_job_id, job_id);
        *ret = e;
        return 1;
}

/* The current entry, to the job watching it, if any. */
static void dispatch_entry(JournalReader *r) {
        char id[JOURNAL_JOB_ID_MAX];
        JournalEntry e;

        if (journal_entry_read(r->journal, id, &e) <= 0)
                return;
        const Watch *w = find_watch(r, id, strlen(id));
        if (w)
                w->fn(w->userdata, &e);
}

static void reader_read(JournalReader *r) {
        int k;

        k = sd_journal_process(r->journal);
        if (k < 0)
                log_error_errno(k, "Failed to process journal changes: %m");
        /* Handlers may unwatch their job; find_watch() is looked up per entry, so that is safe. */
        while ((k = sd_journal_next(r->journal)) > 0)
                dispatch_entry(r);
        if (k < 0)
                log_error_errno(k, "Failed to read the journal: %m");
}

static int on_journal(sd_event_source *s _unused_, int fd _unused_, uint32_t revents _unused_, void *userdata) {
        reader_read(userdata);
        return 0;
}

/* journald's main pid once it is ready for signals, else 0. Before READY=1 it may not have blocked
 * SIGRTMIN+1 yet, whose default action would kill it. */
static pid_t journald_ready_pid(JournalReader *r) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *state = NULL;
        char buf[BUS_ERROR_TEXT_MAX];
        uint32_t pid = 0;
        int k;

        k = sd_bus_get_property_string(r->bus, "org.freedesktop.systemd1", r->journald_path,
                                       "org.freedesktop.systemd1.Unit", "ActiveState", &error, &state);
        if (k >= 0 && strcmp(state, "active") != 0)
                return 0;
        if (k >= 0)
                k = sd_bus_get_property_trivial(r->bus, "org.freedesktop.systemd1", r->journald_path,
                                                "org.freedesktop.systemd1.Service", "MainPID", &error, 'u', &pid);
        if (k < 0) {
                log_warning("Failed to read the state of %s: %s", r->journald_unit, bus_error_text(&error, k, buf));
                return 0;
        }
        return (pid_t) pid;
}

static int on_sync_timeout(sd_event_source *s, uint64_t usec, void *userdata);

/* Signal the journald running now, through a pidfd taken before its pid is checked again: a pid
 * read a moment ago could be somebody else's by now (SIGRTMIN+1 would kill it). */
static SyncState sync_signal(JournalReader *r) {
        /* The journald signalled before, while it lives (a pidfd cannot reach another process):
         * no call to systemd on a job's path. */
        if (r->journald_pidfd >= 0 && syscall(SYS_pidfd_send_signal, r->journald_pidfd, SIGRTMIN + 1, NULL, 0) < 0)
                r->journald_pidfd = (close(r->journald_pidfd), -EBADF);
        if (r->journald_pidfd < 0) {
                pid_t pid = journald_ready_pid(r);
                if (pid <= 0)
                        return SYNC_WANTED;
                _cleanup_close_ int pidfd = (int) syscall(SYS_pidfd_open, pid, 0);
                if (pidfd < 0 || journald_ready_pid(r) != pid ||
                    syscall(SYS_pidfd_send_signal, pidfd, SIGRTMIN + 1, NULL, 0) < 0)
                        return SYNC_WANTED;
                r->journald_pidfd = TAKE_FD(pidfd);
                r->sync_pid = pid;
        }
        r->sync_timer = sd_event_source_disable_unref(r->sync_timer);
        (void) sd_event_add_time_relative(r->event, &r->sync_timer, CLOCK_MONOTONIC, SYNC_TIMEOUT_USEC, 1000,
                                          on_sync_timeout, r);
        return SYNC_SENT;
}

/* The one transition function of the sync request. */
static void sync_transition(JournalReader *r, SyncEvent ev) {
        switch (r->sync) {
        case SYNC_IDLE:
                if (ev == SYNC_REQUEST)
                        r->sync = sync_signal(r);
                break;
        case SYNC_WANTED:
                /* A "synced" now is somebody else's request, which need not cover ours. */
                if (ev != SYNC_DONE)
                        r->sync = sync_signal(r);
                break;
        case SYNC_SENT:
        case SYNC_SENT_WANTED:
                if (ev == SYNC_REQUEST)
                        r->sync = SYNC_SENT_WANTED;
                else if (ev == SYNC_DONE)
                        r->sync = r->sync == SYNC_SENT_WANTED ? sync_signal(r) : SYNC_IDLE;
                /* The journald asked has gone before it answered: ask its successor. */
                else if (journald_ready_pid(r) != r->sync_pid)
                        r->sync = sync_signal(r);
                break;
        }
        if (r->sync != SYNC_SENT && r->sync != SYNC_SENT_WANTED)
                r->sync_timer = sd_event_source_disable_unref(r->sync_timer);
}

static int on_sync_timeout(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        JournalReader *r = userdata;

        r->sync_timer = sd_event_source_disable_unref(r->sync_timer);
        reader_read(r);
        sync_transition(r, SYNC_DONE);
        return 0;
}

/* journald touched "synced": everything sent before the request is in the files. */
static int on_synced(sd_event_source *s _unused_, int fd, uint32_t revents _unused_, void *userdata) {
        JournalReader *r = userdata;
        char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
        bool synced = false;
        ssize_t n;

        while ((n = read(fd, buf, sizeof(buf))) > 0)
                for (char *p = buf; p < buf + n;) {
                        const struct inotify_event *e = (const struct inotify_event *) p;
                        if (e->len > 0 && strcmp(e->name, "synced") == 0)
                                synced = true;
                        p += sizeof(*e) + e->len;
                }
        if (!synced)
                return 0;
        reader_read(r);
        sync_transition(r, SYNC_DONE);
        return 0;
}

static int on_journald_changed(sd_bus_message *m _unused_, void *userdata, sd_bus_error *error _unused_) {
        JournalReader *r = userdata;

        /* Stopping, or another one: the next request asks systemd again which journald is ready. */
        if (r->journald_pidfd >= 0)
                r->journald_pidfd = (close(r->journald_pidfd), -EBADF);
        sync_transition(r, SYNC_JOURNALD_CHANGED);
        return 0;
}

void journal_reader_sync(JournalReader *r) {
        if (r->synced_fd >= 0 && r->bus)
                sync_transition(r, SYNC_REQUEST);
}

int journal_namespace_exists(const char *log_namespace) {
        static const char *const roots[] = { "/run/log/journal", "/var/log/journal" };
        sd_id128_t machine;
        char path[PATH_MAX];
        int k;

        k = sd_id128_get_machine(&machine);
        if (k < 0)
                return k;
        for (size_t i = 0; i < ELEMENTSOF(roots); i++) {
                snprintf(path, sizeof(path), "%s/" SD_ID128_FORMAT_STR ".%s", roots[i], SD_ID128_FORMAT_VAL(machine),
                         log_namespace);
                if (access(path, F_OK) == 0)
                        return 0;
        }
        return -ENOENT;
}

int journal_reader_new(sd_event *event, sd_bus *bus, const char *log_namespace, JournalReader **ret) {
        _cleanup_(journal_reader_freep) JournalReader *r = calloc(1, sizeof(JournalReader));
        _cleanup_free_ char *dir = NULL;
        int k, fd;

        if (!r)
                return -ENOMEM;
        r->event = sd_event_ref(event);
        r->synced_fd = -EBADF;
        r->journald_pidfd = -EBADF;
        r->bus = bus ? sd_bus_ref(bus) : NULL;
        if (log_namespace ? asprintf_safe(&r->journald_unit, "systemd-journald@%s.service", log_namespace) < 0
                          : !(r->journald_unit = strdup("systemd-journald.service")))
                return -ENOMEM;
        k = sd_bus_path_encode("/org/freedesktop/systemd1/unit", r->journald_unit, &r->journald_path);
        if (k < 0)
                return k;
        /* Whenever journald starts, becomes ready or goes, a sync waiting for it is sent (again). */
        if (bus) {
                k = sd_bus_match_signal_async(bus, &r->journald_slot, "org.freedesktop.systemd1", r->journald_path,
                                              "org.freedesktop.DBus.Properties", "PropertiesChanged",
                                              on_journald_changed, NULL, r);
                if (k < 0)
                        return k;
        }
        if (log_namespace ? asprintf_safe(&dir, "/run/systemd/journal.%s", log_namespace) < 0
                          : !(dir = strdup("/run/systemd/journal")))
                return -ENOMEM;
        /* Without the watch there is no sync, only journald's own notification (slower). journald 252
         * writes "synced" as a temporary file renamed into place, then closed: either event says so. */
        r->synced_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
        if (r->synced_fd >= 0 && (inotify_add_watch(r->synced_fd, dir, IN_CLOSE_WRITE | IN_MOVED_TO) < 0 ||
                                  sd_event_add_io(event, &r->synced_source, r->synced_fd, EPOLLIN, on_synced, r) < 0))
                r->synced_fd = (close(r->synced_fd), -EBADF);
        /* sd-journal follows new files in the directories it found when opened, but not a namespace's
         * directory made later (at journald@NS's first start): it must be there already. */
        if (log_namespace) {
                k = journal_namespace_exists(log_namespace);
                if (k < 0)
                        return k;
        }
        k = log_namespace ? sd_journal_open_namespace(&r->journal, log_namespace, SD_JOURNAL_LOCAL_ONLY)
                          : sd_journal_open(&r->journal, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (k < 0)
                return k;
        /* Entries can be large: a whole pipe's worth of output each. */
        k = sd_journal_set_data_threshold(r->journal, 0);
        if (k >= 0)
                k = sd_journal_add_match(r->journal, "SYSLOG_IDENTIFIER=kw-run", 0);
        /* From now on. (seek_tail() and previous() skip the first new entry when nothing matched yet.) */
        if (k >= 0) {
                struct timespec ts;
                clock_gettime(CLOCK_REALTIME, &ts);
                k = sd_journal_seek_realtime_usec(r->journal, (uint64_t) ts.tv_sec * 1000000ULL +
                                                                       (uint64_t) ts.tv_nsec / 1000);
        }
        if (k < 0)
                return k;
        fd = sd_journal_get_fd(r->journal);
        if (fd < 0)
                return fd;
        k = sd_event_add_io(event, &r->source, fd, (uint32_t) sd_journal_get_events(r->journal), on_journal, r);
        if (k < 0)
                return k;
        *ret = TAKE_PTR(r);
        return 0;
}

JournalReader *journal_reader_free(JournalReader *r) {
        if (!r)
                return NULL;
        sd_event_source_disable_unref(r->synced_source);
        if (r->synced_fd >= 0)
                close(r->synced_fd);
        if (r->journald_pidfd >= 0)
                close(r->journald_pidfd);
        sd_event_source_disable_unref(r->sync_timer);
        sd_bus_slot_unref(r->journald_slot);
        sd_bus_unref(r->bus);
        free(r->journald_unit);
        free(r->journald_path);
        sd_event_source_disable_unref(r->source);
        sd_journal_close(r->journal);
        sd_event_unref(r->event);
        free(r->watches);
        free(r);
        return NULL;
}

int journal_reader_watch(JournalReader *r, const char *job_id, JournalEntryFn fn, void *userdata) {
        if (strlen(job_id) >= sizeof(((Watch) {}).job_id) || find_watch(r, job_id, strlen(job_id)))
                return -EINVAL;
        Watch *w = realloc(r->watches, (r->n_watches + 1) * sizeof(Watch));
        if (!w)
                return -ENOMEM;
        r->watches = w;
        w = &r->watches[r->n_watches++];
        *w = (Watch) { .fn = fn, .userdata = userdata };
        strcpy(w->job_id, job_id);
        return 0;
}

void journal_reader_unwatch(JournalReader *r, const char *job_id) {
        for (size_t i = 0; i < r->n_watches; i++)
                if (strcmp(r->watches[i].job_id, job_id) == 0) {
                        r->watches[i] = r->watches[--r->n_watches];
                        return;
                }
}

static void audit_send(const AuditSubject *s, int r, const AuditEntry *e) {
        if (r >= 0)
                r = sd_journal_sendv(e->fields, (int) e->n);
        if (r < 0)
                log_error_errno(r, "Failed to write the audit entry of job %s to the journal: %m", s->job_id);
}

void journal_audit_accepted(const AuditSubject *s) {
        _cleanup_(audit_entry_done) AuditEntry e = {};
        audit_send(s, audit_accepted(&e, s), &e);
}

void journal_audit_judged(const AuditSubject *s, const RunResult *results, const RunResult *compile, Verdict overall) {
        _cleanup_(audit_entry_done) AuditEntry e = {};
        audit_send(s, audit_judged(&e, s, results, compile, overall), &e);
}
