/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>
#include <sys/uio.h>

#include "util.h"

/* kwctl audit and kwctl show, the pure part: their options checked, a journal entry's fields (each
 * "NAME=value", as sd_journal_enumerate_data() gives them) read into a record, filtered, and written
 * as a table row, a JSON object or a line of a job's story. The reading is kwctl-audit.c's. */

/* audit's options as given on the command line; NULL or false: not given. */
typedef struct AuditArgs {
        const char *since;
        const char *until;
        const char *verdict;
        const char *submitter;
        const char *language;
        bool security;
} AuditArgs;

typedef struct AuditFilter {
        uint64_t since_usec;         /* 0: from the journal's start */
        uint64_t until_usec;         /* UINT64_MAX: to its end */
        const char *verdict;         /* NULL: any */
        const char *language;        /* NULL: any */
        uint64_t submitter_uid;      /* UINT64_MAX: any */
        bool security;               /* only jobs with security events */
} AuditFilter;

/**
 * audit_filter_from_args() - @args checked and read; times relative to @now (µs since the epoch).
 * Return: 0, or -EINVAL with *ret_error naming the option and saying what is wrong (or -ENOMEM).
 */
int audit_filter_from_args(const AuditArgs *args, uint64_t now, AuditFilter *ret, char **ret_error);

/* The journal matches that select @f's jobs: KW_AUDIT=1, _UID=0 (kwd's and kwctl's own entries,
 * by journald's trusted field) and each filter that is a field of the entry. */
#define AUDIT_MATCHES_MAX 5
typedef struct AuditMatches {
        char *match[AUDIT_MATCHES_MAX];
        size_t n;
} AuditMatches;

int audit_filter_matches(const AuditFilter *f, AuditMatches *ret);
void audit_matches_done(AuditMatches *m);

/* One job's KW_AUDIT=1 entry. Numbers absent from it are UINT64_MAX. */
typedef struct AuditRecord {
        uint64_t realtime_usec;      /* the entry's __REALTIME_TIMESTAMP */
        char *judged_by;             /* SYSLOG_IDENTIFIER: kwd, or kwctl for --direct */
        char *job_id;
        uint64_t submitter_uid;      /* 4294967295 for a job from Redis */
        uint64_t submitter_pid;
        char *queue_message;         /* the Redis message, "" if none */
        char *code_sha256;
        char *language;
        uint64_t runs;
        char *verdict;
        char *verdicts;              /* "accepted,wrong_answer" */
        uint64_t cpu_usec;
        uint64_t memory_peak_bytes;
        char *limits_hit;            /* "0:cpu-time,2:memory", "" if none */
        char *security_events;       /* "0:seccomp-violation,compile:cpu-timeout", "" if none */
        char *compile_verdict;       /* NULL: not a compiled language */
        uint64_t compile_cpu_usec;
} AuditRecord;

/* The value of field @name in @fields, not NUL-terminated; NULL if there is none. */
const char *journal_fields_get(const struct iovec *fields, size_t n, const char *name, size_t *ret_size);

/**
 * audit_record_parse() - the KW_AUDIT=1 entry of @fields, stamped @realtime_usec.
 * Return: 0, -EBADMSG with *ret_field naming the field missing or malformed, or -ENOMEM.
 * *ret needs audit_record_done() either way.
 */
int audit_record_parse(const struct iovec *fields, size_t n, uint64_t realtime_usec, AuditRecord *ret,
                       const char **ret_field);
void audit_record_done(AuditRecord *r);

/* Whether @r passes @f (the matches already chose most; time and --security are checked here). */
bool audit_filter_match(const AuditFilter *f, const AuditRecord *r);

/* The table: a header, then one row a job (time in local time). Return: 0 or -ENOMEM. */
int audit_format_header(Buffer *b);
int audit_format_row(Buffer *b, const AuditRecord *r);
/* One JSON object on one line: the entry's values, numbers as numbers, lists as arrays. */
int audit_format_json(Buffer *b, const AuditRecord *r);

/* A job's entries in the system journal, as kwctl show tells them. */
typedef enum StoryKind {
        STORY_ACCEPTED,              /* kwd's or kwctl's entry when it took the job */
        STORY_RUN,                   /* a run's summary (KW_SUMMARY=1) */
        STORY_JUDGED,                /* the audit entry (KW_AUDIT=1) */
        STORY_OTHER,
} StoryKind;

StoryKind audit_story_kind(const struct iovec *fields, size_t n);

/**
 * audit_format_story() - one line of a job's story for the entry of @fields stamped @realtime_usec.
 * A run's line names the security events @security_events (the audit entry's list; NULL if not
 * known) gives it. Return: 0 or -ENOMEM.
 */
int audit_format_story(Buffer *b, const struct iovec *fields, size_t n, uint64_t realtime_usec,
                       const char *security_events);

/**
 * audit_format_output() - a run's stdout or stderr (@stream) under the run's line: a heading with its
 * size, then its lines indented, control characters but tab shown as \xNN so that a program's
 * output cannot drive the terminal. @lost: the journal lost part of it. Return: 0 or -ENOMEM.
 */
int audit_format_output(Buffer *b, const char *stream, const char *data, size_t size, bool lost);

/* A job id as kw makes them: 32 lower-case hex digits. */
bool audit_job_id_valid(const char *s);
