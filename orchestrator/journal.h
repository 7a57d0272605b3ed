/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>
#include <sys/uio.h>
#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>
#include <systemd/sd-journal.h>

#include "audit.h"
#include "util.h"

/* journald's native socket; a namespace NAME has /run/systemd/journal.NAME/socket. */
#define JOURNAL_SOCKET "/run/systemd/journal/socket"

typedef enum OutputStream {
        STREAM_STDOUT,
        STREAM_STDERR,
} OutputStream;

/* Identifies a run's entries: all carry KW_JOB_ID, KW_RUN, KW_UNIT (the cell), KW_CELL_RUN (the
 * run's number in the cell) and KW_ROLE (test, compile, checker-compile, checker). */
typedef struct JournalTag {
        const char *job_id;
        unsigned run;
        const char *unit;
        unsigned cell_run;
        const char *role;
} JournalTag;

/* One socket to journald's native protocol. Everything sent through it is stored in the order sent,
 * after anything any other process sent before (one datagram queue, read in order): the basis of the
 * fence. Binary-safe, unlike the stdout stream transport, which trims trailing blanks and drops empty
 * lines. */
typedef struct JournalSink {
        int fd;
        char *socket_path;
} JournalSink;

int journal_sink_open(const char *socket_path, JournalSink **ret);
JournalSink *journal_sink_free(JournalSink *s);
DEFINE_TRIVIAL_CLEANUP_FUNC(JournalSink *, journal_sink_free);

/**
 * journal_sink_send() - one entry of "NAME=value" fields; values may hold any bytes.
 * Return: 0 or -errno.
 */
int journal_sink_send(JournalSink *s, const struct iovec *fields, size_t n_fields);

/* One chunk of a run's output (KW_STREAM=stdout|stderr, KW_SEQ). */
int journal_forward(JournalSink *s, const JournalTag *tag, OutputStream stream, uint64_t seq, const void *data,
                    size_t n);

/* The fence of @job_id: once read back, every entry sent before it is readable too. */
int journal_fence(JournalSink *s, const char *job_id, const char *nonce);

/**
 * journal_log_run() - a run's summary in the system journal: its unit, invocation id and verdict, so
 * `journalctl KW_JOB_ID=...` links the job to systemd's own entries of each unit. Return: 0 or -errno.
 */
int journal_log_run(const JournalTag *tag, const char *invocation_id, const char *verdict, const char *explanation,
                    uint64_t cpu_usec, uint64_t memory_peak);

typedef enum JournalEntryKind {
        ENTRY_CHUNK,
        ENTRY_FENCE,
} JournalEntryKind;

/* One entry of a job read back. */
typedef struct JournalEntry {
        JournalEntryKind kind;
        unsigned run;
        OutputStream stream;                        /* chunks */
        uint64_t seq;                               /* chunks: KW_SEQ, UINT64_MAX if unknown */
        const void *data;                           /* chunks: the bytes; fences: the nonce */
        size_t size;
} JournalEntry;

/* A job id's room, its NUL included: kw's are 32 hex digits. */
#define JOURNAL_JOB_ID_MAX 33

/**
 * journal_entry_read() - the current entry of @j, if it is a chunk of a job's output or its fence,
 * and one of root's (kwctl's or kwd's, by the trusted _UID): its KW_JOB_ID into @ret_job_id and the
 * rest into *@ret, whose data stays valid until @j reads another field or moves.
 * Return: 1, or 0 if the entry is none of these.
 */
int journal_entry_read(sd_journal *j, char ret_job_id[static JOURNAL_JOB_ID_MAX], JournalEntry *ret);

/* Whether the journal namespace @log_namespace has a journal directory (its journald has run since
 * boot, or it keeps its journal on disk). Return: 0, -ENOENT, or -errno. */
int journal_namespace_exists(const char *log_namespace);

typedef void (*JournalEntryFn)(void *userdata, const JournalEntry *e);

/* Follows the journal (the system one, or a namespace's) from the moment it is opened, on the
 * journal's inotify in an sd-event loop, and hands each watched job its entries. One reader serves
 * every job in flight. */
typedef struct JournalReader JournalReader;

/* @bus finds journald's pid for journal_reader_sync(). Return: 0, -ENOENT if @log_namespace has no
 * journal directory yet (its journald never ran), or -errno. */
int journal_reader_new(sd_event *event, sd_bus *bus, const char *log_namespace, JournalReader **ret);
JournalReader *journal_reader_free(JournalReader *r);
DEFINE_TRIVIAL_CLEANUP_FUNC(JournalReader *, journal_reader_free);

/**
 * journal_reader_sync() - have what was sent so far read back now, not when journald next tells
 * its readers (it coalesces that for 250 ms). SIGRTMIN+1 asks journald to write out every datagram
 * it has queued — at lower priority than its sockets, so all that came before — and then touch its
 * "synced" file, on whose inotify event the reader reads. One request in flight at a time; one asked
 * for while journald is not running waits for it to be ready (its unit's PropertiesChanged), and one
 * sent to a journald that went away before answering goes to its successor. Best effort: without it
 * the reader still gets there on journald's own notification.
 */
void journal_reader_sync(JournalReader *r);

/* Entries of @job_id go to @fn until journal_reader_unwatch(). Return: 0 or -errno. */
int journal_reader_watch(JournalReader *r, const char *job_id, JournalEntryFn fn, void *userdata);
void journal_reader_unwatch(JournalReader *r, const char *job_id);

/* A job's audit entries, to the system journal by kwd (or kwctl --direct) itself, never from fields
 * a program could forge. A failure is logged, and the job goes on. */
void journal_audit_accepted(const AuditSubject *s);
void journal_audit_judged(const AuditSubject *s, const RunResult *results, const RunResult *compile, Verdict overall);
