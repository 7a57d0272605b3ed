/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "audit-query.h"
#include "report.h"
#include "timestamp.h"
#include "verdict.h"

/* A language name as policy/languages/NAME.conf spells one fits this many bytes. */
#define LANGUAGE_MAX 64

static int verdict_lookup(const char *s) {
        for (Verdict v = 0; v < _VERDICT_MAX; v++)
                if (strcmp(verdict_to_string(v), s) == 0)
                        return (int) v;
        return -EINVAL;
}

/* "accepted, wrong_answer, ...": for the error that names them. */
static int verdict_list(Buffer *b) {
        int r = 0;
        for (Verdict v = 0; r >= 0 && v < _VERDICT_MAX; v++)
                r = buffer_printf(b, "%s%s", v ? ", " : "", verdict_to_string(v));
        return r >= 0 ? buffer_terminate(b) : r;
}

static int parse_time_option(const char *option, const char *s, uint64_t now, uint64_t *ret, char **ret_error) {
        int r = timestamp_parse(s, now, ret);
        if (r == -ENOMEM)
                return r;
        if (r == -ERANGE)
                return asprintf_safe(ret_error, "%s: '%s' is out of range (before 1970, or too far ahead)", option, s) < 0
                               ? -ENOMEM : -EINVAL;
        if (r < 0)
                return asprintf_safe(ret_error, "%s: cannot read '%s' as a time; journalctl's forms are taken: "
                                     "\"2026-12-02 06:00:00\", \"2026-12-02\", \"06:00\", \"-1h\", \"-30min\", "
                                     "\"2h ago\", \"today\", \"yesterday\", \"now\", \"@1796169600\"", option, s) < 0
                               ? -ENOMEM : -EINVAL;
        return 0;
}

int audit_filter_from_args(const AuditArgs *a, uint64_t now, AuditFilter *ret, char **ret_error) {
        AuditFilter f = { .until_usec = UINT64_MAX, .submitter_uid = UINT64_MAX, .security = a->security };
        int r;

        if (a->since && (r = parse_time_option("--since", a->since, now, &f.since_usec, ret_error)) < 0)
                return r;
        if (a->until && (r = parse_time_option("--until", a->until, now, &f.until_usec, ret_error)) < 0)
                return r;
        if (f.since_usec > f.until_usec)
                return asprintf_safe(ret_error, "--since '%s' is after --until '%s'", a->since, a->until) < 0 ? -ENOMEM : -EINVAL;
        if (a->verdict) {
                if (verdict_lookup(a->verdict) < 0) {
                        _cleanup_(buffer_done) Buffer names = {};
                        if (verdict_list(&names) < 0)
                                return -ENOMEM;
                        return asprintf_safe(ret_error, "--verdict: unknown verdict '%s' (one of %s)", a->verdict,
                                             names.data) < 0 ? -ENOMEM : -EINVAL;
                }
                f.verdict = a->verdict;
        }
        if (a->submitter) {
                uint64_t uid;
                /* (uid_t) -1 is no user: it marks a job from Redis. */
                if (safe_atou64(a->submitter, &uid) < 0 || uid >= UINT32_MAX)
                        return asprintf_safe(ret_error, "--submitter: '%s' is not a user id (a number below 4294967295)",
                                             a->submitter) < 0 ? -ENOMEM : -EINVAL;
                f.submitter_uid = uid;
        }
        if (a->language) {
                bool bad = !*a->language || strlen(a->language) > LANGUAGE_MAX;
                for (const char *p = a->language; !bad && *p; p++)
                        bad = (unsigned char) *p <= ' ' || *p == '=' || *p == 0x7f;
                if (bad)
                        return asprintf_safe(ret_error, "--language: '%s' is not a language name (1 to %d characters, "
                                             "no blanks, controls or '=')", a->language, LANGUAGE_MAX) < 0 ? -ENOMEM : -EINVAL;
                f.language = a->language;
        }
        *ret = f;
        return 0;
}

int audit_filter_matches(const AuditFilter *f, AuditMatches *ret) {
        AuditMatches m = {};
        int r = asprintf_safe(&m.match[m.n++], "KW_AUDIT=1");

        if (r >= 0)
                r = asprintf_safe(&m.match[m.n++], "_UID=0");
        if (r >= 0 && f->verdict)
                r = asprintf_safe(&m.match[m.n++], "KW_VERDICT=%s", f->verdict);
        if (r >= 0 && f->language)
                r = asprintf_safe(&m.match[m.n++], "KW_LANGUAGE=%s", f->language);
        if (r >= 0 && f->submitter_uid != UINT64_MAX)
                r = asprintf_safe(&m.match[m.n++], "KW_SUBMITTER_UID=%" PRIu64, f->submitter_uid);
        if (r < 0) {
                audit_matches_done(&m);
                return -ENOMEM;
        }
        *ret = m;
        return 0;
}

void audit_matches_done(AuditMatches *m) {
        for (size_t i = 0; i < m->n; i++)
                free(m->match[i]);
        m->n = 0;
}

const char *journal_fields_get(const struct iovec *fields, size_t n, const char *name, size_t *ret_size) {
        size_t k = strlen(name);

        for (size_t i = 0; i < n; i++) {
                const char *s = fields[i].iov_base;
                if (fields[i].iov_len > k && memcmp(s, name, k) == 0 && s[k] == '=') {
                        *ret_size = fields[i].iov_len - k - 1;
                        return s + k + 1;
                }
        }
        return NULL;
}

/* A copy of @name's value, NUL-terminated: -ENOENT if absent, -EBADMSG if it holds a NUL. */
static int field_string(const struct iovec *fields, size_t n, const char *name, char **ret) {
        size_t size;
        const char *v = journal_fields_get(fields, n, name, &size);

        if (!v)
                return -ENOENT;
        if (memchr(v, 0, size))
                return -EBADMSG;
        *ret = strndup(v, size);
        return *ret ? 0 : -ENOMEM;
}

static int field_number(const struct iovec *fields, size_t n, const char *name, uint64_t *ret) {
        _cleanup_free_ char *s = NULL;
        int r = field_string(fields, n, name, &s);
        if (r < 0)
                return r;
        return safe_atou64(s, ret) < 0 ? -EBADMSG : 0;
}

int audit_record_parse(const struct iovec *fields, size_t n, uint64_t realtime_usec, AuditRecord *ret,
                       const char **ret_field) {
        const struct {
                const char *name;
                char **s;
                uint64_t *u;
                bool optional;
        } want[] = {
                { .name = "SYSLOG_IDENTIFIER", .s = &ret->judged_by },
                { .name = "KW_JOB_ID", .s = &ret->job_id },
                { .name = "KW_SUBMITTER_UID", .u = &ret->submitter_uid },
                { .name = "KW_SUBMITTER_PID", .u = &ret->submitter_pid },
                { .name = "KW_QUEUE_MESSAGE", .s = &ret->queue_message },
                { .name = "KW_CODE_SHA256", .s = &ret->code_sha256 },
                { .name = "KW_LANGUAGE", .s = &ret->language },
                { .name = "KW_RUNS", .u = &ret->runs },
                { .name = "KW_VERDICT", .s = &ret->verdict },
                { .name = "KW_VERDICTS", .s = &ret->verdicts },
                { .name = "KW_CPU_USEC", .u = &ret->cpu_usec },
                { .name = "KW_MEMORY_PEAK_BYTES", .u = &ret->memory_peak_bytes },
                { .name = "KW_LIMITS_HIT", .s = &ret->limits_hit },
                { .name = "KW_SECURITY_EVENTS", .s = &ret->security_events },
                { .name = "KW_COMPILE_VERDICT", .s = &ret->compile_verdict, .optional = true },
                { .name = "KW_COMPILE_CPU_USEC", .u = &ret->compile_cpu_usec, .optional = true },
        };
        int r;

        *ret = (AuditRecord) { .realtime_usec = realtime_usec, .compile_cpu_usec = UINT64_MAX };
        for (size_t i = 0; i < ELEMENTSOF(want); i++) {
                r = want[i].s ? field_string(fields, n, want[i].name, want[i].s)
                              : field_number(fields, n, want[i].name, want[i].u);
                if (r == -ENOENT && want[i].optional)
                        continue;
                if (r == -ENOMEM)
                        return r;
                if (r < 0) {
                        *ret_field = want[i].name;
                        return -EBADMSG;
                }
        }
        return 0;
}

void audit_record_done(AuditRecord *r) {
        char **strings[] = { &r->judged_by, &r->job_id, &r->queue_message, &r->code_sha256, &r->language, &r->verdict,
                             &r->verdicts, &r->limits_hit, &r->security_events, &r->compile_verdict };
        for (size_t i = 0; i < ELEMENTSOF(strings); i++) {
                free(*strings[i]);
                *strings[i] = NULL;
        }
}

bool audit_filter_match(const AuditFilter *f, const AuditRecord *r) {
        return r->realtime_usec >= f->since_usec && r->realtime_usec <= f->until_usec &&
               (!f->verdict || strcmp(f->verdict, r->verdict) == 0) &&
               (!f->language || strcmp(f->language, r->language) == 0) &&
               (f->submitter_uid == UINT64_MAX || f->submitter_uid == r->submitter_uid) &&
               (!f->security || *r->security_events);
}

/* "2026-12-02 06:19:50" in local time, with @decimals places of the second (0 or 3). */
static const char *format_time(uint64_t usec, int decimals, char buf[static 32]) {
        time_t t = (time_t) (usec / USEC_PER_SEC);
        struct tm tm;

        if (!localtime_r(&t, &tm) || strftime(buf, 32, "%Y-%m-%d %H:%M:%S", &tm) == 0)
                snprintf(buf, 32, "@%" PRIu64, usec / USEC_PER_SEC);
        else if (decimals)
                snprintf(buf + strlen(buf), 32 - strlen(buf), ".%03u", (unsigned) (usec % USEC_PER_SEC / 1000));
        return buf;
}

/* "0.031s": CPU time to the millisecond. */
static const char *format_cpu(uint64_t usec, char buf[static 32]) {
        if (usec == UINT64_MAX)
                snprintf(buf, 32, "-");
        else
                snprintf(buf, 32, "%" PRIu64 ".%03" PRIu64 "s", usec / USEC_PER_SEC, usec % USEC_PER_SEC / 1000);
        return buf;
}

/* "3.5M", as systemd writes sizes (powers of 1024). */
static const char *format_bytes(uint64_t n, char buf[static 32]) {
        static const char suffixes[] = "KMGTPE";

        if (n == UINT64_MAX)
                snprintf(buf, 32, "-");
        else if (n < 1024)
                snprintf(buf, 32, "%" PRIu64 "B", n);
        else {
                size_t i = 0;
                double v = (double) n / 1024;
                while (v >= 1024 && i + 1 < sizeof(suffixes) - 1)
                        v /= 1024, i++;
                snprintf(buf, 32, "%.1f%c", v, suffixes[i]);
        }
        return buf;
}

#define ROW_FORMAT "%-19s  %-32s  %-10s  %-10s  %-21s  %8s  %7s  %-12s  %s\n"

int audit_format_header(Buffer *b) {
        return buffer_printf(b, ROW_FORMAT, "TIME", "JOB", "SUBMITTER", "LANGUAGE", "VERDICT", "CPU", "MEMORY", "LIMITS",
                             "SECURITY");
}

int audit_format_row(Buffer *b, const AuditRecord *r) {
        char when[32], cpu[32], memory[32], submitter[160];

        /* A job from Redis has no user: its message says where it came from. */
        if (*r->queue_message)
                snprintf(submitter, sizeof(submitter), "redis:%s", r->queue_message);
        else
                snprintf(submitter, sizeof(submitter), "%" PRIu64, r->submitter_uid);
        return buffer_printf(b, ROW_FORMAT, format_time(r->realtime_usec, 0, when), r->job_id, submitter, r->language,
                             r->verdict, format_cpu(r->cpu_usec, cpu), format_bytes(r->memory_peak_bytes, memory),
                             *r->limits_hit ? r->limits_hit : "-", *r->security_events ? r->security_events : "-");
}

/* @key's value "a,b" as ["a","b"]; "" as []. */
static int json_member_list(Buffer *b, const char *key, const char *list) {
        int r = buffer_printf(b, ",\"%s\":[", key);

        for (const char *p = list; r >= 0 && *p;) {
                size_t n = strcspn(p, ",");
                if (p != list)
                        r = buffer_append(b, ",", 1);
                if (r >= 0)
                        r = json_append_string(b, p, n);
                p += n + (p[n] == ',');
        }
        return r >= 0 ? buffer_append(b, "]", 1) : r;
}

/* @key's value: a string, or null for NULL. */
static int json_member_string(Buffer *b, const char *key, const char *value) {
        int r = buffer_printf(b, ",\"%s\":", key);
        return r >= 0 ? json_append_string_or_null(b, value) : r;
}

static int json_member_number(Buffer *b, const char *key, uint64_t value) {
        return value == UINT64_MAX ? buffer_printf(b, ",\"%s\":null", key) : buffer_printf(b, ",\"%s\":%" PRIu64, key, value);
}

int audit_format_json(Buffer *b, const AuditRecord *r) {
        time_t t = (time_t) (r->realtime_usec / USEC_PER_SEC);
        char iso[48] = "";
        struct tm tm;
        int k;

        if (gmtime_r(&t, &tm))
                strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%S", &tm);
        k = buffer_printf(b, "{\"time\":\"%s.%06" PRIu64 "Z\",\"realtime_usec\":%" PRIu64, iso,
                          r->realtime_usec % USEC_PER_SEC, r->realtime_usec);
        if (k >= 0)
                k = json_member_string(b, "job_id", r->job_id);
        if (k >= 0)
                k = json_member_string(b, "judged_by", r->judged_by);
        if (k >= 0)
                k = json_member_number(b, "submitter_uid", r->submitter_uid);
        if (k >= 0)
                k = json_member_number(b, "submitter_pid", r->submitter_pid);
        if (k >= 0)
                k = json_member_string(b, "queue_message", *r->queue_message ? r->queue_message : NULL);
        if (k >= 0)
                k = json_member_string(b, "code_sha256", r->code_sha256);
        if (k >= 0)
                k = json_member_string(b, "language", r->language);
        if (k >= 0)
                k = json_member_number(b, "runs", r->runs);
        if (k >= 0)
                k = json_member_string(b, "verdict", r->verdict);
        if (k >= 0)
                k = json_member_list(b, "verdicts", r->verdicts);
        if (k >= 0)
                k = json_member_number(b, "cpu_usec", r->cpu_usec);
        if (k >= 0)
                k = json_member_number(b, "memory_peak_bytes", r->memory_peak_bytes);
        if (k >= 0)
                k = json_member_list(b, "limits_hit", r->limits_hit);
        if (k >= 0)
                k = json_member_list(b, "security_events", r->security_events);
        if (k >= 0 && r->compile_verdict) {
                k = buffer_printf(b, ",\"compile\":{\"verdict\":");
                if (k >= 0)
                        k = json_append_string(b, r->compile_verdict, strlen(r->compile_verdict));
                if (k >= 0)
                        k = json_member_number(b, "cpu_usec", r->compile_cpu_usec);
                if (k >= 0)
                        k = buffer_append(b, "}", 1);
        } else if (k >= 0)
                k = buffer_printf(b, ",\"compile\":null");
        return k >= 0 ? buffer_append(b, "}\n", 2) : k;
}

static bool field_is(const struct iovec *fields, size_t n, const char *name, const char *value) {
        size_t size;
        const char *v = journal_fields_get(fields, n, name, &size);
        return v && size == strlen(value) && memcmp(v, value, size) == 0;
}

StoryKind audit_story_kind(const struct iovec *fields, size_t n) {
        size_t size;

        if (field_is(fields, n, "KW_AUDIT", "1"))
                return STORY_JUDGED;
        if (field_is(fields, n, "KW_SUMMARY", "1"))
                return STORY_RUN;
        /* Both entries of a job's audit trail name its submitter; only the judged one is KW_AUDIT=1. */
        if (journal_fields_get(fields, n, "KW_SUBMITTER_UID", &size))
                return STORY_ACCEPTED;
        return STORY_OTHER;
}

/* @name's value for printing: "?" if absent, cut at a newline. */
static int field_print(const struct iovec *fields, size_t n, const char *name, const char **ret, int *ret_len) {
        size_t size;
        const char *v = journal_fields_get(fields, n, name, &size);

        if (!v)
                v = "?", size = 1;
        /* Not NUL-terminated: the journal's values are counted. */
        const char *nl = memchr(v, '\n', size);
        *ret = v;
        *ret_len = (int) (nl ? (size_t) (nl - v) : size);
        return 0;
}

#define FIELD(name, var, len) field_print(fields, n, name, &var, &len)

/* @message without its "kw job ID " or "kw job ID run N, ROLE (UNIT, run M of the cell): " start,
 * which the line says already. */
static const char *message_tail(const char *message, int *len, const char *after) {
        const char *p = memmem(message, (size_t) *len, after, strlen(after));
        if (!p)
                return message;
        p += strlen(after);
        *len -= (int) (p - message);
        return p;
}

/* The events @security_events lists for the run named @where ("0", "compile"), ", security: A,B". */
static int run_events(Buffer *b, const char *security_events, const char *where) {
        size_t w = strlen(where);
        bool first = true;
        int r = 0;

        for (const char *p = security_events; r >= 0 && p && *p;) {
                size_t len = strcspn(p, ",");
                if (len > w && memcmp(p, where, w) == 0 && p[w] == ':') {
                        r = buffer_printf(b, "%s%.*s", first ? ", security: " : ",", (int) (len - w - 1), p + w + 1);
                        first = false;
                }
                p += len + (p[len] == ',');
        }
        return r;
}

int audit_format_story(Buffer *b, const struct iovec *fields, size_t n, uint64_t realtime_usec,
                       const char *security_events) {
        const char *message, *a, *c, *d, *e, *f;
        int lm, la, lc, ld, le, lf, r;
        char when[32], cpu[32], memory[32];
        uint64_t cpu_usec = UINT64_MAX, memory_peak = UINT64_MAX;

        format_time(realtime_usec, 3, when);
        FIELD("MESSAGE", message, lm);
        switch (audit_story_kind(fields, n)) {
        case STORY_ACCEPTED:
                message = message_tail(message, &lm, " accepted ");
                return buffer_printf(b, "%s  accepted %.*s\n", when, lm, message);
        case STORY_RUN: {
                (void) field_number(fields, n, "KW_CPU_USEC", &cpu_usec);
                (void) field_number(fields, n, "KW_MEMORY_PEAK_BYTES", &memory_peak);
                FIELD("KW_RUN", a, la);
                FIELD("KW_ROLE", c, lc);
                FIELD("KW_VERDICT", d, ld);
                FIELD("KW_UNIT", e, le);
                FIELD("KW_CELL_RUN", f, lf);
                message = message_tail(message, &lm, " of the cell): ");
                r = buffer_printf(b, "%s  run %.*s, %.*s: %.*s, cpu %s, memory %s, in %.*s (its run %.*s): %.*s", when, la,
                                  a, lc, c, ld, d, format_cpu(cpu_usec, cpu), format_bytes(memory_peak, memory), le, e,
                                  lf, f, lm, message);
                /* The audit entry names a test's events by its index (its KW_RUN) and the compile's as "compile". */
                char where[32];
                snprintf(where, sizeof(where), "%.*s", field_is(fields, n, "KW_ROLE", "compile") ? 7 : la,
                         field_is(fields, n, "KW_ROLE", "compile") ? "compile" : a);
                if (r >= 0 && (field_is(fields, n, "KW_ROLE", "test") || field_is(fields, n, "KW_ROLE", "compile")))
                        r = run_events(b, security_events, where);
                return r >= 0 ? buffer_append(b, "\n", 1) : r;
        }
        case STORY_JUDGED:
                (void) field_number(fields, n, "KW_CPU_USEC", &cpu_usec);
                (void) field_number(fields, n, "KW_MEMORY_PEAK_BYTES", &memory_peak);
                FIELD("SYSLOG_IDENTIFIER", a, la);
                FIELD("KW_VERDICT", c, lc);
                FIELD("KW_VERDICTS", d, ld);
                FIELD("KW_LIMITS_HIT", e, le);
                FIELD("KW_SECURITY_EVENTS", f, lf);
                return buffer_printf(b, "%s  judged by %.*s: %.*s (runs: %.*s), cpu %s, memory peak %s, limits hit: %.*s, "
                                     "security events: %.*s\n", when, la, a, lc, c, ld, d, format_cpu(cpu_usec, cpu),
                                     format_bytes(memory_peak, memory), le ? le : 4, le ? e : "none", lf ? lf : 4,
                                     lf ? f : "none");
        case STORY_OTHER:
                break;
        }
        FIELD("SYSLOG_IDENTIFIER", a, la);
        return buffer_printf(b, "%s  %.*s: %.*s\n", when, la, a, lm, message);
}

int audit_format_output(Buffer *b, const char *stream, const char *data, size_t size, bool lost) {
        int r = buffer_printf(b, "    %s, %zu byte%s%s%s\n", stream, size, size == 1 ? "" : "s",
                              lost ? " (the journal lost part of it)" : "", size ? ":" : "");

        for (size_t i = 0; r >= 0 && i < size; i++) {
                unsigned char ch = (unsigned char) data[i];
                if (i == 0 || data[i - 1] == '\n')
                        r = buffer_append(b, "      ", 6);
                if (r < 0)
                        break;
                if ((ch < ' ' && ch != '\t' && ch != '\n') || ch == 0x7f)
                        r = buffer_printf(b, "\\x%02x", ch);
                else
                        r = buffer_append(b, &data[i], 1);
        }
        if (r >= 0 && size && data[size - 1] != '\n')
                r = buffer_append(b, "\n", 1);
        return r;
}

bool audit_job_id_valid(const char *s) {
        return strlen(s) == 32 && strspn(s, "0123456789abcdef") == 32;
}
