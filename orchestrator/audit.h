/* SPDX-License-Identifier: MIT */
#pragma once

#include <sys/types.h>
#include <sys/uio.h>

#include "job.h"
#include "outcome.h"

/* The audit trail's entries, as journal fields ("KEY=value" each, for sd_journal_sendv()): one when
 * a job is accepted, one when it is judged. Pure: the caller sends them. */

/* Who sent which job. */
typedef struct AuditSubject {
        const char *job_id;
        const char *code_sha256;
        const Job *job;
        uid_t uid;                   /* the socket peer's (SO_PEERCRED); (uid_t) -1 for a Redis message */
        pid_t pid;
        const char *msg_id;          /* the Redis message it came in, or NULL */
        const char *identifier;      /* who judges it (SYSLOG_IDENTIFIER): NULL for kwd; kwctl --direct's "kwctl" */
} AuditSubject;

#define AUDIT_FIELDS_MAX 24

typedef struct AuditEntry {
        struct iovec fields[AUDIT_FIELDS_MAX];
        size_t n;
} AuditEntry;

/* Return: 0 or -ENOMEM; @e needs audit_entry_done() either way. */
int audit_accepted(AuditEntry *e, const AuditSubject *s);

/* KW_AUDIT=1: the verdicts, CPU time, memory peak, the limits hit and the security events of every
 * run, as outcome_judge() decided them; at priority warning when there are security events. Of a
 * compiled language's @compile (else NULL): KW_COMPILE_VERDICT, KW_COMPILE_CPU_USEC, and its
 * events among the others, as "compile:EVENT". */
int audit_judged(AuditEntry *e, const AuditSubject *s, const RunResult *results, const RunResult *compile,
                 Verdict overall);

void audit_entry_done(AuditEntry *e);
