/* SPDX-License-Identifier: MIT */
#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "queue.h"

#define BACKOFF_MIN_USEC (250 * 1000ULL)
#define BACKOFF_MAX_USEC (30 * 1000000ULL)
/* A blocking read returns this often, so a lost connection is noticed. */
#define READ_BLOCK_MS "5000"

static const char finish_script[] =
        "local first = redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[2])\n"
        "if first then\n"
        "  redis.call('RPUSH', KEYS[2], ARGV[1])\n"
        "  redis.call('EXPIRE', KEYS[2], ARGV[2])\n"
        "end\n"
        "redis.call('XACK', KEYS[3], ARGV[3], ARGV[4])\n"
        "return first and 1 or 0\n";

/* One of the two connections, and its place in the event loop. */
typedef struct Connection {
        Queue *queue;
        const char *name;              /* "reader" or "writer", for logs */
        redisAsyncContext *ac;
        sd_event_source *io;
        uint32_t events;
        bool ready;                    /* AUTH and SELECT answered */
        sd_event_source *retry;
        uint64_t backoff_usec;
        void (*on_ready)(struct Connection *c);
} Connection;

typedef struct Pending {
        struct Pending *next;
        Queue *queue;
        char *msg_id, *job_id;
        Buffer response;
        char *dead_reason;             /* also to the dead-letter stream */
        Buffer dead_text;
        bool sent;                     /* in flight on the current writer connection */
} Pending;

struct Queue {
        sd_event *event;
        RedisUrl url;
        char *stream, *group, *consumer, *dead_stream;
        uint64_t reclaim_usec, result_ttl_sec;
        QueueJobFn fn;
        void *userdata;
        Connection reader, writer;
        bool reading;                  /* an XREADGROUP is out on the reader */
        bool claiming;                 /* an XAUTOCLAIM is out on the writer */
        unsigned free_slots;
        Pending *pending;
        char **tracked;
        size_t n_tracked;
        sd_event_source *claim_timer;
        sd_event_source *heartbeat_timer;
        bool group_ready;              /* the consumer group exists */
        bool freeing;                  /* no reconnects from queue_free() on */
};

static void connection_start(Connection *c);
static void writer_ready(Connection *c);

/* ---- hiredis in sd-event ---- */

static int on_redis_io(sd_event_source *s _unused_, int fd _unused_, uint32_t revents, void *userdata) {
        Connection *c = userdata;

        if (c->ac && (revents & (EPOLLIN | EPOLLHUP | EPOLLERR)))
                redisAsyncHandleRead(c->ac);
        /* The read may have ended the connection (cleanup cleared c->ac). */
        if (c->ac && (revents & EPOLLOUT))
                redisAsyncHandleWrite(c->ac);
        return 0;
}

static void update_events(Connection *c) {
        if (c->io)
                (void) sd_event_source_set_io_events(c->io, c->events);
}

static void add_read(void *p) { Connection *c = p; c->events |= EPOLLIN; update_events(c); }
static void del_read(void *p) { Connection *c = p; c->events &= ~(uint32_t) EPOLLIN; update_events(c); }
static void add_write(void *p) { Connection *c = p; c->events |= EPOLLOUT; update_events(c); }
static void del_write(void *p) { Connection *c = p; c->events &= ~(uint32_t) EPOLLOUT; update_events(c); }

static void cleanup(void *p) {
        Connection *c = p;
        c->io = sd_event_source_disable_unref(c->io);
        c->events = 0;
}

static int attach(Connection *c) {
        redisAsyncContext *ac = c->ac;
        int r = sd_event_add_io(c->queue->event, &c->io, ac->c.fd, 0, on_redis_io, c);
        if (r < 0)
                return r;
        ac->ev.data = c;
        ac->ev.addRead = add_read;
        ac->ev.delRead = del_read;
        ac->ev.addWrite = add_write;
        ac->ev.delWrite = del_write;
        ac->ev.cleanup = cleanup;
        return 0;
}

/* ---- connecting, with backoff ---- */

static int on_retry(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        Connection *c = userdata;
        c->retry = sd_event_source_disable_unref(c->retry);
        connection_start(c);
        return 0;
}

static void connection_retry(Connection *c) {
        c->backoff_usec = c->backoff_usec ? c->backoff_usec * 2 : BACKOFF_MIN_USEC;
        if (c->backoff_usec > BACKOFF_MAX_USEC)
                c->backoff_usec = BACKOFF_MAX_USEC;
        if (!c->retry && sd_event_add_time_relative(c->queue->event, &c->retry, CLOCK_MONOTONIC, c->backoff_usec, 0,
                                                    on_retry, c) < 0)
                log_error("Redis %s: cannot schedule a reconnect.", c->name);
}

static void on_disconnect(const redisAsyncContext *ac, int status) {
        Connection *c = ac->data;
        Queue *q = c->queue;

        c->ac = NULL; /* hiredis frees it after this returns */
        c->ready = false;
        if (q->freeing)
                return;
        if (status != REDIS_OK)
                log_error("Redis %s connection to %s lost: %s; reconnecting.", c->name, q->url.display, ac->errstr);
        c->ready = false;
        if (c == &q->reader)
                q->reading = false;
        else
                q->claiming = false;
        for (Pending *p = q->pending; p; p = p->next)
                if (c == &q->writer)
                        p->sent = false;
        connection_retry(c);
}

static void on_connect(const redisAsyncContext *ac, int status) {
        Connection *c = ac->data;
        if (status != REDIS_OK) {
                log_error("Redis %s: cannot connect to %s: %s; retrying.", c->name, c->queue->url.display, ac->errstr);
                c->ac = NULL;
                connection_retry(c);
        }
}

static void on_ready_reply(redisAsyncContext *ac, void *reply, void *userdata) {
        Connection *c = userdata;
        redisReply *r = reply;

        if (!r || !c->ac)
                return;
        if (r->type == REDIS_REPLY_ERROR) {
                /* The error text is Redis's; it never holds the password. */
                log_error("Redis %s: %s refused AUTH or SELECT: %s", c->name, c->queue->url.display, r->str);
                redisAsyncDisconnect(ac);
                return;
        }
        c->ready = true;
        c->backoff_usec = 0;
        log_info("Redis %s connected to %s.", c->name, c->queue->url.display);
        c->on_ready(c);
}

static void connection_start(Connection *c) {
        Queue *q = c->queue;

        c->ac = q->url.path ? redisAsyncConnectUnix(q->url.path) : redisAsyncConnect(q->url.host, (int) q->url.port);
        if (!c->ac || c->ac->err) {
                log_error("Redis %s: cannot connect to %s: %s", c->name, q->url.display, c->ac ? c->ac->errstr : "out of memory");
                if (c->ac)
                        redisAsyncFree(c->ac);
                c->ac = NULL;
                connection_retry(c);
                return;
        }
        c->ac->data = c;
        if (attach(c) < 0) {
                redisAsyncFree(c->ac);
                c->ac = NULL;
                connection_retry(c);
                return;
        }
        redisAsyncSetConnectCallback(c->ac, on_connect);
        redisAsyncSetDisconnectCallback(c->ac, on_disconnect);
        /* Pipelined: AUTH (if any), SELECT; the reply to SELECT says the connection is usable. */
        if (q->url.password && q->url.user)
                redisAsyncCommand(c->ac, NULL, NULL, "AUTH %s %s", q->url.user, q->url.password);
        else if (q->url.password)
                redisAsyncCommand(c->ac, NULL, NULL, "AUTH %s", q->url.password);
        redisAsyncCommand(c->ac, on_ready_reply, c, "SELECT %u", q->url.db);
}

/* ---- reading jobs ---- */

static void read_more(Queue *q);

static const char *field(const redisReply *fields, const char *name, size_t *ret_len) {
        for (size_t i = 0; fields && fields->type == REDIS_REPLY_ARRAY && i + 1 < fields->elements; i += 2)
                if (fields->element[i]->type == REDIS_REPLY_STRING && strcmp(fields->element[i]->str, name) == 0 &&
                    fields->element[i + 1]->type == REDIS_REPLY_STRING) {
                        *ret_len = fields->element[i + 1]->len;
                        return fields->element[i + 1]->str;
                }
        return NULL;
}

/* Hands on each [id, [field, value, ...]] of @messages. Return: how many. */
static size_t deliver(Queue *q, const redisReply *messages) {
        size_t delivered = 0;

        for (size_t i = 0; messages && messages->type == REDIS_REPLY_ARRAY && i < messages->elements; i++) {
                const redisReply *m = messages->element[i];
                if (m->type != REDIS_REPLY_ARRAY || m->elements != 2 || m->element[0]->type != REDIS_REPLY_STRING)
                        continue; /* XAUTOCLAIM lists deleted messages as nil */
                size_t n = 0, idn = 0;
                const char *text = field(m->element[1], "job", &n);
                const char *id = field(m->element[1], "id", &idn);
                _cleanup_free_ char *job_id = id ? strndup(id, idn) : NULL;
                if (q->free_slots > 0)
                        q->free_slots--;
                q->fn(q->userdata, m->element[0]->str, job_id, text, n);
                delivered++;
        }
        return delivered;
}

static void on_read(redisAsyncContext *ac _unused_, void *reply, void *userdata) {
        Queue *q = userdata;
        redisReply *r = reply;

        q->reading = false;
        if (!r)
                return; /* the connection went; it will come back */
        if (r->type == REDIS_REPLY_ERROR) {
                /* NOGROUP after a Redis restart without persistence: make the group again. */
                log_error("Redis: XREADGROUP on %s: %s", q->stream, r->str);
                if (strncmp(r->str, "NOGROUP", 7) == 0) {
                        /* Made again by the writer, now or when it reconnects; no reads till then. */
                        q->group_ready = false;
                        if (q->writer.ready)
                                writer_ready(&q->writer);
                }
        } else if (r->type == REDIS_REPLY_ARRAY)
                for (size_t i = 0; i < r->elements; i++)
                        if (r->element[i]->type == REDIS_REPLY_ARRAY && r->element[i]->elements == 2)
                                deliver(q, r->element[i]->element[1]);
        read_more(q);
}

static void claim(Queue *q);

static void on_claim(redisAsyncContext *ac _unused_, void *reply, void *userdata) {
        Queue *q = userdata;
        redisReply *r = reply;

        q->claiming = false;
        /* One claimed: there may be more where it came from (a whole dead worker's share). */
        if (r && r->type == REDIS_REPLY_ARRAY && r->elements >= 2 && deliver(q, r->element[1]) > 0)
                claim(q);
        read_more(q);
}

static void read_more(Queue *q) {
        if (q->freeing || q->reading || q->free_slots == 0 || !q->reader.ready || !q->group_ready)
                return;
        q->reading = true;
        if (redisAsyncCommand(q->reader.ac, on_read, q, "XREADGROUP GROUP %s %s COUNT 1 BLOCK " READ_BLOCK_MS
                              " STREAMS %s >", q->group, q->consumer, q->stream) != REDIS_OK)
                q->reading = false;
}

/* Messages idle longer than reclaim_usec belonged to a worker that died: take one. */
static void claim(Queue *q) {
        char idle[32];

        if (q->freeing || q->free_slots == 0 || !q->writer.ready || !q->group_ready || q->claiming)
                return;
        snprintf(idle, sizeof(idle), "%" PRIu64, q->reclaim_usec / 1000);
        /* On the writer: the reader sits in a blocking read most of the time. */
        q->claiming = true;
        if (redisAsyncCommand(q->writer.ac, on_claim, q, "XAUTOCLAIM %s %s %s %s 0-0 COUNT 1", q->stream, q->group,
                              q->consumer, idle) != REDIS_OK)
                q->claiming = false;
}

static int on_claim_timer(sd_event_source *s, uint64_t usec, void *userdata) {
        Queue *q = userdata;

        (void) sd_event_source_set_time(s, usec + q->reclaim_usec / 2);
        (void) sd_event_source_set_enabled(s, SD_EVENT_ON);
        claim(q);
        return 0;
}

/* The messages being worked on here stay ours: reset their idle time. */
static void renew(Queue *q) {
        for (size_t i = 0; q->writer.ready && i < q->n_tracked; i++)
                redisAsyncCommand(q->writer.ac, NULL, NULL, "XCLAIM %s %s %s 0 %s JUSTID", q->stream, q->group,
                                  q->consumer, q->tracked[i]);
}

static int on_heartbeat(sd_event_source *s, uint64_t usec, void *userdata) {
        Queue *q = userdata;

        (void) sd_event_source_set_time(s, usec + q->reclaim_usec / 3);
        (void) sd_event_source_set_enabled(s, SD_EVENT_ON);
        renew(q);
        return 0;
}

void queue_kick(Queue *q, unsigned free_slots) {
        q->free_slots = free_slots;
        read_more(q);
}

/* ---- results ---- */

static void pending_free(Pending *p) {
        free(p->msg_id);
        free(p->job_id);
        buffer_done(&p->response);
        free(p->dead_reason);
        buffer_done(&p->dead_text);
        free(p);
}

static void on_finished(redisAsyncContext *ac _unused_, void *reply, void *userdata) {
        Pending *done = userdata;
        redisReply *r = reply;

        done->sent = false;
        if (!r || r->type == REDIS_REPLY_ERROR) {
                /* Sent again once the writer is (back) up. */
                if (r)
                        log_error("Redis: storing the result of message %s failed: %s", done->msg_id, r->str);
                return;
        }
        for (Pending **pp = &done->queue->pending; *pp; pp = &(*pp)->next)
                if (*pp == done) {
                        *pp = done->next;
                        pending_free(done);
                        return;
                }
}

static void send_pending(Queue *q, Pending *p) {
        char ttl[32];
        _cleanup_free_ char *done_key = NULL, *result_key = NULL;

        if (asprintf_safe(&done_key, QUEUE_DONE_KEY "%s", p->job_id) < 0 ||
            asprintf_safe(&result_key, QUEUE_RESULT_KEY "%s", p->job_id) < 0)
                return;
        snprintf(ttl, sizeof(ttl), "%" PRIu64, q->result_ttl_sec);
        if (p->dead_reason)
                redisAsyncCommand(q->writer.ac, NULL, NULL, "XADD %s * msg %s id %s reason %s job %b", q->dead_stream,
                                  p->msg_id, p->job_id, p->dead_reason, p->dead_text.data ? p->dead_text.data : "",
                                  p->dead_text.size);
        if (redisAsyncCommand(q->writer.ac, on_finished, p, "EVAL %s 3 %s %s %s %b %s %s %s", finish_script, done_key,
                              result_key, q->stream, p->response.data ? p->response.data : "", p->response.size, ttl,
                              q->group, p->msg_id) == REDIS_OK)
                p->sent = true;
}

static void flush_pending(Queue *q) {
        for (Pending *p = q->pending; p && q->writer.ready; p = p->next)
                if (!p->sent)
                        send_pending(q, p);
}

static int add_pending(Queue *q, const char *msg_id, const char *job_id, const char *response, size_t size,
                       const char *reason, const char *text, size_t text_size) {
        Pending *p = calloc(1, sizeof(Pending));
        if (!p)
                return -ENOMEM;
        p->queue = q;
        p->msg_id = strdup(msg_id);
        p->job_id = strdup(job_id);
        if (!p->msg_id || !p->job_id || buffer_append(&p->response, response, size) < 0 ||
            (reason && !(p->dead_reason = strdup(reason))) || buffer_append(&p->dead_text, text, text_size) < 0) {
                pending_free(p);
                return -ENOMEM;
        }
        p->next = q->pending;
        q->pending = p;
        flush_pending(q);
        return 0;
}

int queue_finish(Queue *q, const char *msg_id, const char *job_id, const char *response, size_t size) {
        return add_pending(q, msg_id, job_id, response, size, NULL, NULL, 0);
}

int queue_dead_letter(Queue *q, const char *msg_id, const char *job_id, const char *reason, const char *text,
                      size_t size, const char *response, size_t response_size) {
        return add_pending(q, msg_id, job_id, response, response_size, reason, text, size);
}

int queue_track(Queue *q, const char *msg_id) {
        char **t = realloc(q->tracked, (q->n_tracked + 1) * sizeof(char *));
        if (!t)
                return -ENOMEM;
        q->tracked = t;
        if (!(t[q->n_tracked] = strdup(msg_id)))
                return -ENOMEM;
        q->n_tracked++;
        return 0;
}

void queue_untrack(Queue *q, const char *msg_id) {
        for (size_t i = 0; i < q->n_tracked; i++)
                if (strcmp(q->tracked[i], msg_id) == 0) {
                        free(q->tracked[i]);
                        q->tracked[i] = q->tracked[--q->n_tracked];
                        return;
                }
}

void queue_status(const Queue *q, QueueStatus *ret) {
        QueueStatus s = { .connected = q->reader.ready && q->writer.ready };
        for (const Pending *p = q->pending; p; p = p->next)
                s.results_pending++;
        *ret = s;
}

/* ---- setup ---- */

static void reader_ready(Connection *c) {
        read_more(c->queue);
}

static void on_group(redisAsyncContext *ac _unused_, void *reply, void *userdata) {
        Queue *q = userdata;
        redisReply *r = reply;

        if (!r)
                return;
        if (r->type == REDIS_REPLY_ERROR && strncmp(r->str, "BUSYGROUP", 9) != 0) {
                log_error("Redis: cannot create the consumer group %s on %s: %s", q->group, q->stream, r->str);
                return;
        }
        q->group_ready = true;
        read_more(q);
}

static void writer_ready(Connection *c) {
        Queue *q = c->queue;
        /* From the start of the stream: jobs sent before the first worker came are not lost. */
        redisAsyncCommand(c->ac, on_group, q, "XGROUP CREATE %s %s 0 MKSTREAM", q->stream, q->group);
        /* Back after Redis was away: no heartbeat reached it meanwhile, so the jobs running here look
         * idle to the other workers' reclaim. */
        renew(q);
        flush_pending(q);
}

int queue_new(sd_event *event, const QueueConfig *config, QueueJobFn fn, void *userdata, Queue **ret) {
        _cleanup_(queue_freep) Queue *q = calloc(1, sizeof(Queue));
        _cleanup_free_ char *error = NULL;
        char host[64], suffix[9];
        int r;

        if (!q)
                return -ENOMEM;
        q->event = sd_event_ref(event);
        r = redis_url_parse(config->url, &q->url, &error);
        if (r < 0)
                return log_error_errno(r, "%s", error ? error : "redis URL: out of memory");
        if (gethostname(host, sizeof(host)) < 0)
                snprintf(host, sizeof(host), "kwd");
        host[sizeof(host) - 1] = 0;
        r = random_hex(suffix, 4);
        if (r < 0)
                return r;
        if (!(q->stream = strdup(config->stream)) || !(q->group = strdup(config->group)) ||
            asprintf_safe(&q->dead_stream, "%s" QUEUE_DEAD_STREAM_SUFFIX, config->stream) < 0 ||
            asprintf_safe(&q->consumer, "%s-%d-%s", host, (int) getpid(), suffix) < 0)
                return -ENOMEM;
        q->reclaim_usec = config->reclaim_usec;
        q->result_ttl_sec = config->result_ttl_sec;
        q->fn = fn;
        q->userdata = userdata;
        q->reader = (Connection) { .queue = q, .name = "reader", .on_ready = reader_ready };
        q->writer = (Connection) { .queue = q, .name = "writer", .on_ready = writer_ready };

        r = sd_event_add_time_relative(event, &q->claim_timer, CLOCK_MONOTONIC, q->reclaim_usec / 2, 0, on_claim_timer, q);
        if (r >= 0)
                r = sd_event_add_time_relative(event, &q->heartbeat_timer, CLOCK_MONOTONIC, q->reclaim_usec / 3, 0,
                                               on_heartbeat, q);
        if (r < 0)
                return r;
        connection_start(&q->writer);
        connection_start(&q->reader);
        log_info("Working for the Redis stream %s at %s as %s.", q->stream, q->url.display, q->consumer);
        *ret = TAKE_PTR(q);
        return 0;
}

Queue *queue_free(Queue *q) {
        if (!q)
                return NULL;
        Connection *conns[] = { &q->reader, &q->writer };
        q->freeing = true;
        for (size_t i = 0; i < ELEMENTSOF(conns); i++) {
                conns[i]->retry = sd_event_source_disable_unref(conns[i]->retry);
                if (conns[i]->ac)
                        redisAsyncFree(conns[i]->ac);
        }
        while (q->pending) {
                Pending *p = q->pending;
                q->pending = p->next;
                pending_free(p);
        }
        for (size_t i = 0; i < q->n_tracked; i++)
                free(q->tracked[i]);
        free(q->tracked);
        sd_event_source_disable_unref(q->claim_timer);
        sd_event_source_disable_unref(q->heartbeat_timer);
        redis_url_done(&q->url);
        free(q->stream);
        free(q->group);
        free(q->dead_stream);
        free(q->consumer);
        sd_event_unref(q->event);
        free(q);
        return NULL;
}
