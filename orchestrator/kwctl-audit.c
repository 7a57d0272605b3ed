/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>
#include <systemd/sd-journal.h>
#include <time.h>

#include "json-format.h"
#include "journal.h"
#include "kwctl-audit.h"
#include "protocol.h"
#include "timestamp.h"

/* The journal namespace kwd writes the runs' output to (its --log-namespace, default kw). */
#define OUTPUT_NAMESPACE "kw"

/* One entry's fields, copied: sd-journal's own pointers last only until the next field is read. */
typedef struct Fields {
        struct iovec *v;
        size_t n;
        uint64_t realtime_usec;
} Fields;

static void fields_done(Fields *f) {
        for (size_t i = 0; i < f->n; i++)
                free(f->v[i].iov_base);
        free(f->v);
        *f = (Fields) {};
}

static int fields_read(sd_journal *j, Fields *ret) {
        _cleanup_(fields_done) Fields f = {};
        const void *d;
        size_t n;
        int r;

        r = sd_journal_get_realtime_usec(j, &f.realtime_usec);
        if (r < 0)
                return r;
        SD_JOURNAL_FOREACH_DATA(j, d, n) {
                struct iovec *v = realloc(f.v, (f.n + 1) * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                f.v = v;
                f.v[f.n].iov_base = malloc(n ?: 1);
                if (!f.v[f.n].iov_base)
                        return -ENOMEM;
                memcpy(f.v[f.n].iov_base, d, n);
                f.v[f.n++].iov_len = n;
        }
        *ret = f;
        f = (Fields) {};
        return 0;
}

/* The system journal (kwd's and kwctl's own entries are in it), every field whole. */
static int open_system(sd_journal **ret) {
        _cleanup_(sd_journal_closep) sd_journal *j = NULL;
        int r;

        r = sd_journal_open(&j, SD_JOURNAL_LOCAL_ONLY | SD_JOURNAL_SYSTEM);
        if (r < 0)
                return log_error_errno(r, "Failed to open the system journal: %m");
        r = sd_journal_set_data_threshold(j, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the journal: %m");
        *ret = TAKE_PTR(j);
        return 0;
}

static int add_match(sd_journal *j, const char *match) {
        int r = sd_journal_add_match(j, match, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to add the journal match %s: %m", match);
        return 0;
}

/* A reader that sees nothing may just not be allowed to see the system's entries. */
static void hint_permissions(void) {
        if (geteuid() != 0)
                log_info("Hint: only root and the groups systemd-journal and adm see the system journal's entries.");
}

static uint64_t realtime_now(void) {
        struct timespec ts;
        clock_gettime(CLOCK_REALTIME, &ts);
        return (uint64_t) ts.tv_sec * USEC_PER_SEC + (uint64_t) ts.tv_nsec / 1000;
}

static int write_out(const Buffer *b, int json) {
        _cleanup_(buffer_done) Buffer pretty = {};
        const char *data = b->data;
        size_t size = b->size;

        if (json == JSON_PRETTY) {
                if (json_reindent(b->data, b->size, &pretty) < 0)
                        return -ENOMEM;
                data = pretty.data, size = pretty.size;
        }
        return fwrite(data, 1, size, stdout) == size ? 0 : -EIO;
}

int kwctl_audit(const AuditArgs *args, int json) {
        _cleanup_(sd_journal_closep) sd_journal *j = NULL;
        _cleanup_(audit_matches_done) AuditMatches matches = {};
        _cleanup_free_ char *error = NULL;
        AuditFilter f;
        size_t listed = 0;
        int r;

        r = audit_filter_from_args(args, realtime_now(), &f, &error);
        if (r == -ENOMEM)
                return log_error_errno(r, "audit: %m"), EXIT_INTERNAL;
        if (r < 0)
                return log_error("%s", error), EXIT_BAD_INPUT;
        r = audit_filter_matches(&f, &matches);
        if (r < 0)
                return log_error_errno(r, "audit: %m"), EXIT_INTERNAL;
        if (open_system(&j) < 0)
                return EXIT_INTERNAL;
        /* Different fields' matches must all hold (sd-journal ANDs them). */
        for (size_t i = 0; i < matches.n; i++)
                if (add_match(j, matches.match[i]) < 0)
                        return EXIT_INTERNAL;
        r = f.since_usec > 0 ? sd_journal_seek_realtime_usec(j, f.since_usec) : sd_journal_seek_head(j);
        if (r < 0)
                return log_error_errno(r, "Failed to seek in the journal: %m"), EXIT_INTERNAL;

        if (json < 0) {
                _cleanup_(buffer_done) Buffer b = {};
                if (audit_format_header(&b) < 0 || write_out(&b, json) < 0)
                        return log_error("Failed to write the table."), EXIT_INTERNAL;
        }
        while ((r = sd_journal_next(j)) > 0) {
                _cleanup_(fields_done) Fields e = {};
                _cleanup_(audit_record_done) AuditRecord rec = {};
                _cleanup_(buffer_done) Buffer b = {};
                const char *field = NULL;

                r = fields_read(j, &e);
                if (r < 0)
                        break;
                if (e.realtime_usec > f.until_usec)
                        break;
                r = audit_record_parse(e.v, e.n, e.realtime_usec, &rec, &field);
                if (r == -ENOMEM)
                        break;
                if (r < 0) {
                        size_t n;
                        const char *id = journal_fields_get(e.v, e.n, "KW_JOB_ID", &n);
                        log_warning("Skipping the audit entry of job %.*s: its %s is missing or malformed.",
                                    id ? (int) n : 1, id ?: "?", field);
                        continue;
                }
                if (!audit_filter_match(&f, &rec))
                        continue;
                r = json < 0 ? audit_format_row(&b, &rec) : audit_format_json(&b, &rec);
                if (r >= 0)
                        r = write_out(&b, json);
                if (r < 0)
                        break;
                listed++;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to read the journal: %m"), EXIT_INTERNAL;
        if (fflush(stdout) != 0)
                return log_error("Failed to write the table."), EXIT_INTERNAL;
        if (listed == 0)
                hint_permissions();
        return 0;
}

/* A run's output as read back, in KW_SEQ order as run.c reads it. */
typedef struct RunOutput {
        Buffer streams[2];           /* by OutputStream */
        uint64_t next_seq;
        bool lost;
} RunOutput;

typedef struct Story {
        Fields *entries;             /* the job's entries other than its output, in time order */
        size_t n_entries;
        RunOutput *outputs;          /* by KW_RUN */
        size_t n_outputs;
        bool fenced;                 /* a fence of the job's was read: its output is where it was */
} Story;

static void story_done(Story *s) {
        for (size_t i = 0; i < s->n_entries; i++)
                fields_done(&s->entries[i]);
        free(s->entries);
        for (size_t i = 0; i < s->n_outputs; i++)
                for (size_t k = 0; k < 2; k++)
                        buffer_done(&s->outputs[i].streams[k]);
        free(s->outputs);
}

static int story_add_chunk(Story *s, const JournalEntry *e) {
        if (e->run >= s->n_outputs) {
                RunOutput *o = realloc(s->outputs, (e->run + 1) * sizeof(*o));
                if (!o)
                        return -ENOMEM;
                memset(o + s->n_outputs, 0, (e->run + 1 - s->n_outputs) * sizeof(*o));
                s->outputs = o;
                s->n_outputs = e->run + 1;
        }
        RunOutput *o = &s->outputs[e->run];
        /* Seen before: a journal file a restarted journald renamed, read again. Skipped one: lost. */
        if (e->seq < o->next_seq)
                return 0;
        if (e->seq != o->next_seq)
                o->lost = true;
        o->next_seq = e->seq == UINT64_MAX ? UINT64_MAX : e->seq + 1;
        return buffer_append(&o->streams[e->stream], e->data, e->size);
}

/* Every entry of @job_id that @j matches: its output into the runs' (if @output), the rest in order. */
static int story_read(Story *s, sd_journal *j, bool output, bool entries) {
        int r;

        while ((r = sd_journal_next(j)) > 0) {
                char id[JOURNAL_JOB_ID_MAX];
                JournalEntry e;
                if (journal_entry_read(j, id, &e) > 0) {
                        if (e.kind == ENTRY_FENCE)
                                s->fenced = true;
                        else if (output && (r = story_add_chunk(s, &e)) < 0)
                                return r;
                        continue;
                }
                if (!entries)
                        continue;
                Fields *v = realloc(s->entries, (s->n_entries + 1) * sizeof(*v));
                if (!v)
                        return -ENOMEM;
                s->entries = v;
                r = fields_read(j, &s->entries[s->n_entries]);
                if (r < 0)
                        return r;
                s->n_entries++;
        }
        return r;
}

static int open_job(sd_journal *j, const char *job_id) {
        char match[64];

        snprintf(match, sizeof(match), "KW_JOB_ID=%s", job_id);
        if (add_match(j, match) < 0 || add_match(j, "_UID=0") < 0)
                return -EINVAL;
        int r = sd_journal_seek_head(j);
        if (r < 0)
                return log_error_errno(r, "Failed to seek in the journal: %m");
        return 0;
}

/* The output of a job of kwd's, from the output namespace. */
static int story_read_namespace(Story *s, const char *job_id) {
        _cleanup_(sd_journal_closep) sd_journal *j = NULL;
        int r;

        r = journal_namespace_exists(OUTPUT_NAMESPACE);
        if (r == -ENOENT) {
                log_warning("The output namespace " OUTPUT_NAMESPACE " is not there (no journal directory): the runs' "
                            "output is not shown.");
                return 0;
        }
        if (r < 0)
                return log_error_errno(r, "Failed to look for the output namespace " OUTPUT_NAMESPACE ": %m");
        r = sd_journal_open_namespace(&j, OUTPUT_NAMESPACE, SD_JOURNAL_LOCAL_ONLY);
        if (r < 0)
                return log_error_errno(r, "Failed to open the output namespace " OUTPUT_NAMESPACE ": %m");
        r = sd_journal_set_data_threshold(j, 0);
        if (r < 0)
                return log_error_errno(r, "Failed to set up the journal: %m");
        r = open_job(j, job_id);
        if (r < 0)
                return r;
        r = story_read(s, j, true, false);
        if (r < 0)
                return log_error_errno(r, "Failed to read the output namespace " OUTPUT_NAMESPACE ": %m");
        if (!s->fenced)
                log_warning("The output namespace " OUTPUT_NAMESPACE " has no output of job %s (rotated or vacuumed "
                            "away?): the runs' output is not shown.", job_id);
        return 0;
}

/* The line of each entry, each run's followed by its output with @output. */
static int story_print(const Story *s, bool output, Buffer *b) {
        _cleanup_free_ char *events = NULL;
        int r = 0;

        /* The audit entry, last, names each run's security events. */
        for (size_t i = 0; i < s->n_entries; i++) {
                const Fields *e = &s->entries[i];
                size_t n;
                const char *v = journal_fields_get(e->v, e->n, "KW_SECURITY_EVENTS", &n);
                if (v && audit_story_kind(e->v, e->n) == STORY_JUDGED && !events && !(events = strndup(v, n)))
                        return -ENOMEM;
        }
        for (size_t i = 0; r >= 0 && i < s->n_entries; i++) {
                const Fields *e = &s->entries[i];
                r = audit_format_story(b, e->v, e->n, e->realtime_usec, events);
                if (r < 0 || !output || audit_story_kind(e->v, e->n) != STORY_RUN)
                        continue;
                size_t n;
                const char *run = journal_fields_get(e->v, e->n, "KW_RUN", &n);
                char num[24];
                uint64_t k;
                snprintf(num, sizeof(num), "%.*s", run ? (int) n : 0, run ?: "");
                if (safe_atou64(num, &k) < 0)
                        continue;
                const RunOutput *o = k < s->n_outputs ? &s->outputs[k] : &(const RunOutput) {};
                r = audit_format_output(b, "stdout", o->streams[STREAM_STDOUT].data, o->streams[STREAM_STDOUT].size, o->lost);
                if (r >= 0)
                        r = audit_format_output(b, "stderr", o->streams[STREAM_STDERR].data, o->streams[STREAM_STDERR].size,
                                                o->lost);
        }
        return r;
}

int kwctl_show(const char *job_id, bool output) {
        _cleanup_(sd_journal_closep) sd_journal *j = NULL;
        _cleanup_(story_done) Story s = {};
        _cleanup_(buffer_done) Buffer b = {};
        int r;

        if (!audit_job_id_valid(job_id)) {
                log_error("show: '%s' is not a job id (32 hex digits in lower case, as a result's job_id)", job_id);
                return EXIT_BAD_INPUT;
        }
        if (open_system(&j) < 0 || open_job(j, job_id) < 0)
                return EXIT_INTERNAL;
        r = story_read(&s, j, output, true);
        if (r < 0)
                return log_error_errno(r, "Failed to read the journal: %m"), EXIT_INTERNAL;
        if (s.n_entries == 0 && !s.fenced) {
                log_error("show: the journal has no job %s", job_id);
                hint_permissions();
                return EXIT_NO_SUCH_JOB;
        }
        /* A job of kwctl --direct wrote its output (and fences) into the system journal; kwd's went
         * to the output namespace. */
        if (output && !s.fenced && story_read_namespace(&s, job_id) < 0)
                return EXIT_INTERNAL;
        r = buffer_printf(&b, "job %s\n", job_id);
        if (r >= 0)
                r = story_print(&s, output, &b);
        if (r < 0 || fwrite(b.data, 1, b.size, stdout) != b.size || fflush(stdout) != 0)
                return log_error("Failed to write the story of job %s.", job_id), EXIT_INTERNAL;
        return 0;
}
