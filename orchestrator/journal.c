/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <systemd/sd-journal.h>

#include "journal.h"


static const char *const stream_names[] = {
        [STREAM_STDOUT] = "stdout",
        [STREAM_STDERR] = "stderr",
};

#define IOVEC_STRING(s) ((struct iovec) { .iov_base = (char *) (s), .iov_len = strlen(s) })

int journal_forward(const JournalTag *tag, OutputStream stream, uint64_t seq, const void *data, size_t n) {
        char job[64], run[32], unit[128], kind[32], seqf[48];
        _cleanup_free_ char *message = malloc(n + 8);

        if (!message)
                return -ENOMEM;
        memcpy(message, "MESSAGE=", 8);
        memcpy(message + 8, data, n);
        snprintf(job, sizeof(job), "KW_JOB_ID=%s", tag->job_id);
        snprintf(run, sizeof(run), "KW_RUN=%u", tag->run);
        snprintf(unit, sizeof(unit), "KW_UNIT=%s", tag->unit);
        snprintf(kind, sizeof(kind), "KW_STREAM=%s", stream_names[stream]);
        snprintf(seqf, sizeof(seqf), "KW_SEQ=%" PRIu64, seq);

        struct iovec iov[] = {
                { .iov_base = message, .iov_len = n + 8 },
                IOVEC_STRING(stream == STREAM_STDERR ? "PRIORITY=3" : "PRIORITY=6"),
                IOVEC_STRING("SYSLOG_IDENTIFIER=kw-run"),
                IOVEC_STRING(job), IOVEC_STRING(run), IOVEC_STRING(unit), IOVEC_STRING(kind), IOVEC_STRING(seqf),
        };
        return sd_journal_sendv(iov, ELEMENTSOF(iov));
}

int journal_log_run(const JournalTag *tag, const char *invocation_id, const char *verdict, const char *explanation,
                    uint64_t cpu_usec, uint64_t memory_peak) {
        return sd_journal_send("MESSAGE=kw job %s run %u (%s): %s", tag->job_id, tag->run, tag->unit, explanation,
                               "PRIORITY=6", "SYSLOG_IDENTIFIER=kw", "KW_JOB_ID=%s", tag->job_id, "KW_RUN=%u",
                               tag->run, "KW_UNIT=%s", tag->unit, "KW_INVOCATION_ID=%s", invocation_id,
                               "KW_SUMMARY=1", "KW_VERDICT=%s", verdict, "KW_CPU_USEC=%" PRIu64, cpu_usec,
                               "KW_MEMORY_PEAK_BYTES=%" PRIu64, memory_peak, NULL);
}

int journal_fence(const char *job_id, const char *nonce) {
        return sd_journal_send("MESSAGE=kw: output of job %s complete", job_id, "PRIORITY=7",
                               "SYSLOG_IDENTIFIER=kw", "KW_JOB_ID=%s", job_id, "KW_FENCE=%s", nonce, NULL);
}

int journal_send_to(const char *socket_path, const char *const *fields, size_t n_fields) {
        _cleanup_(buffer_done) Buffer b = {};
        struct sockaddr_un sa = { .sun_family = AF_UNIX };
        int r = 0;

        if (strlen(socket_path) >= sizeof(sa.sun_path))
                return -EINVAL;
        strcpy(sa.sun_path, socket_path);
        for (size_t i = 0; r >= 0 && i < n_fields; i++) {
                if (strchr(fields[i], '\n') || !strchr(fields[i], '='))
                        return -EINVAL;
                r = buffer_printf(&b, "%s\n", fields[i]);
        }
        if (r < 0)
                return r;
        _cleanup_close_ int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
        if (fd < 0)
                return negative_errno();
        if (sendto(fd, b.data, b.size, MSG_NOSIGNAL, (struct sockaddr *) &sa, sizeof(sa)) < 0)
                return negative_errno();
        return 0;
}

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

/* Hands one entry to @fn. Return: 1 at the fence, 0 otherwise, or -errno. */
static int collect_entry(sd_journal *j, const char *nonce, JournalEntryFn fn, void *userdata) {
        JournalEntry e = {};
        const void *d;
        size_t n;

        if (get_field(j, "KW_FENCE", &d, &n) >= 0)
                return n == strlen(nonce) && memcmp(d, nonce, n) == 0;
        uint64_t run = number_field(j, "KW_RUN");
        if (run > UINT32_MAX)
                return 0;
        e.run = (unsigned) run;
        if (field_equals(j, "KW_STATS", "1")) {
                e.is_stats = true;
                e.cpu_usec = number_field(j, "KW_CPU_USEC");
                e.memory_peak = number_field(j, "KW_MEMORY_PEAK_BYTES");
                e.oom_kills = number_field(j, "KW_OOM_KILLS");
                return fn(userdata, &e);
        }
        if (field_equals(j, "KW_STREAM", "stderr"))
                e.stream = STREAM_STDERR;
        else if (field_equals(j, "KW_STREAM", "stdout"))
                e.stream = STREAM_STDOUT;
        else
                return 0; /* a summary or anything else of the job's */
        if (get_field(j, "MESSAGE", &e.data, &e.size) < 0)
                return 0;
        return fn(userdata, &e);
}

int journal_collect(const char *job_id, const char *nonce, uint64_t timeout_usec, JournalEntryFn fn,
                    void *userdata) {
        _cleanup_(sd_journal_closep) sd_journal *j = NULL;
        _cleanup_free_ char *match = NULL;
        uint64_t deadline = now_usec() + timeout_usec;
        int r;

        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (r < 0)
                return r;
        /* Entries can be large: a whole pipe's worth of output each. */
        r = sd_journal_set_data_threshold(j, 0);
        if (r < 0)
                return r;
        if (asprintf_safe(&match, "KW_JOB_ID=%s", job_id) < 0)
                return -ENOMEM;
        r = sd_journal_add_match(j, match, 0);
        if (r < 0)
                return r;
        r = sd_journal_seek_head(j);
        if (r < 0)
                return r;

        for (;;) {
                r = sd_journal_next(j);
                if (r < 0)
                        return r;
                if (r > 0) {
                        r = collect_entry(j, nonce, fn, userdata);
                        if (r != 0)
                                return r < 0 ? r : 0;
                        continue;
                }
                uint64_t now = now_usec();
                if (now >= deadline)
                        return -ETIMEDOUT;
                r = sd_journal_wait(j, deadline - now);
                if (r < 0)
                        return r;
        }
}
