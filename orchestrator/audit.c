/* SPDX-License-Identifier: MIT */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audit.h"

_printf_(2, 3) static int add(AuditEntry *e, const char *fmt, ...) {
        char *s;
        va_list ap;
        int n;

        if (e->n >= AUDIT_FIELDS_MAX)
                return -ENOBUFS;
        va_start(ap, fmt);
        n = vasprintf(&s, fmt, ap);
        va_end(ap);
        if (n < 0)
                return -ENOMEM;
        e->fields[e->n++] = (struct iovec) { .iov_base = s, .iov_len = (size_t) n };
        return 0;
}

/* Who sent it, in words: the socket peer's credentials, or the Redis message. */
static const char *describe(const AuditSubject *s, char buf[static 96]) {
        if (s->msg_id)
                snprintf(buf, 96, "Redis message %s", s->msg_id);
        else
                snprintf(buf, 96, "uid %u (pid %d)", (unsigned) s->uid, (int) s->pid);
        return buf;
}

/* The fields both entries have. */
static int add_subject(AuditEntry *e, const AuditSubject *s) {
        int r = add(e, "SYSLOG_IDENTIFIER=%s", s->identifier ?: "kwd");
        if (r >= 0)
                r = add(e, "KW_JOB_ID=%s", s->job_id);
        if (r >= 0)
                r = add(e, "KW_SUBMITTER_UID=%u", (unsigned) s->uid);
        if (r >= 0)
                r = add(e, "KW_SUBMITTER_PID=%d", (int) s->pid);
        if (r >= 0)
                r = add(e, "KW_CODE_SHA256=%s", s->code_sha256);
        return r;
}

int audit_accepted(AuditEntry *e, const AuditSubject *s) {
        size_t n = job_n_runs(s->job);
        char from[96];
        int r;

        r = add(e, "MESSAGE=kw job %s accepted from %s, %s, %zu run%s", s->job_id, describe(s, from),
                s->job->language->name, n, n == 1 ? "" : "s");
        if (r >= 0)
                r = add(e, "PRIORITY=6");
        if (r >= 0)
                r = add_subject(e, s);
        return r;
}

/* @r's security events, each as "WHERE:EVENT", appended to @events. */
static int add_events(Buffer *events, const char *where, const RunResult *r) {
        int k = 0;
        for (RunEvent ev = 0; k >= 0 && ev < _RUN_EVENT_MAX; ev++)
                if (r->events & RUN_EVENT_BIT(ev))
                        k = buffer_printf(events, "%s%s:%s", events->size ? "," : "", where, run_event_to_string(ev));
        return k;
}

int audit_judged(AuditEntry *e, const AuditSubject *s, const RunResult *results, const RunResult *compile,
                 Verdict overall) {
        _cleanup_(buffer_done) Buffer verdicts = {}, limits = {}, events = {};
        uint64_t cpu = 0, memory = 0;
        size_t n = job_n_runs(s->job);
        char from[96];
        int r = 0;

        for (size_t i = 0; r >= 0 && i < n; i++) {
                const RunResult *rr = &results[i];
                const char *limit = run_limit_to_string(rr->limit);
                r = buffer_printf(&verdicts, "%s%s", i ? "," : "", verdict_to_string(rr->verdict));
                if (r >= 0 && limit)
                        r = buffer_printf(&limits, "%s%zu:%s", limits.size ? "," : "", i, limit);
                char where[24];
                snprintf(where, sizeof(where), "%zu", i);
                if (r >= 0)
                        r = add_events(&events, where, rr);
                cpu += rr->cpu_usec;
                if (rr->outcome.memory_peak != UINT64_MAX && rr->outcome.memory_peak > memory)
                        memory = rr->outcome.memory_peak;
        }
        /* The compiler ran the contestant's code as much as the program did: its events are theirs too. */
        if (r >= 0 && compile)
                r = add_events(&events, "compile", compile);
        if (r < 0)
                return r;
        r = add(e, "MESSAGE=kw job %s from %s: %s, %zu run%s", s->job_id, describe(s, from), verdict_to_string(overall), n,
                n == 1 ? "" : "s");
        if (r >= 0)
                r = add(e, "PRIORITY=%d", events.size ? 4 : 6);
        if (r >= 0)
                r = add(e, "KW_AUDIT=1");
        if (r >= 0)
                r = add_subject(e, s);
        if (r >= 0)
                r = add(e, "KW_QUEUE_MESSAGE=%s", s->msg_id ?: "");
        if (r >= 0)
                r = add(e, "KW_LANGUAGE=%s", s->job->language->name);
        if (r >= 0)
                r = add(e, "KW_RUNS=%zu", n);
        if (r >= 0)
                r = add(e, "KW_VERDICT=%s", verdict_to_string(overall));
        if (r >= 0)
                r = add(e, "KW_VERDICTS=%.*s", (int) verdicts.size, verdicts.data ?: "");
        if (r >= 0)
                r = add(e, "KW_CPU_USEC=%" PRIu64, cpu);
        if (r >= 0)
                r = add(e, "KW_MEMORY_PEAK_BYTES=%" PRIu64, memory);
        if (r >= 0)
                r = add(e, "KW_LIMITS_HIT=%.*s", (int) limits.size, limits.data ?: "");
        if (r >= 0)
                r = add(e, "KW_SECURITY_EVENTS=%.*s", (int) events.size, events.data ?: "");
        if (r >= 0 && compile)
                r = add(e, "KW_COMPILE_VERDICT=%s", verdict_to_string(compile->verdict));
        if (r >= 0 && compile)
                r = add(e, "KW_COMPILE_CPU_USEC=%" PRIu64, compile->cpu_usec);
        return r;
}

void audit_entry_done(AuditEntry *e) {
        for (size_t i = 0; i < e->n; i++)
                free(e->fields[i].iov_base);
        e->n = 0;
}
