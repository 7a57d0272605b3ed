/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "pool.h"

/* A warm unit may wait this long for a job; then systemd ends it and the pool starts another.
 * Its RuntimeMaxSec= is this plus the wall-clock limit: one older than this is never handed out. */
#define IDLE_USEC (10 * 60 * 1000000ULL)
/* A unit that ends sooner than this without a job has failed: the next start backs off. */
#define HEALTHY_USEC (10 * 1000000ULL)
#define BACKOFF_MIN_USEC (100 * 1000ULL)
#define BACKOFF_MAX_USEC (60 * 1000000ULL)

typedef struct Slot {
        Pool *pool;
        size_t language;             /* index into policy->languages */
        Sandbox *sandbox;            /* NULL: to be started */
        uint64_t started_usec;
} Slot;

/* A unit done with (stopped by a reload or pool_stop(), or given back by a run), until it has
 * ended. */
typedef struct Leaving {
        Pool *pool;
        Sandbox *sandbox;
        struct Leaving *next;
} Leaving;

struct Pool {
        SandboxConfig config;
        Policy *policy;
        char **filter_paths;         /* per language */
        Slot *slots;
        size_t n_slots;
        Leaving *leaving;
        sd_event_source *refill;     /* a deferred (or backed-off) fill */
        unsigned failures;           /* units that failed in a row */
        bool stopped;
        PoolStoppedFn stopped_fn;
        void *userdata;
};

static void pool_schedule_fill(Pool *p);

static void leaving_remove(Pool *p, Leaving *l) {
        for (Leaving **i = &p->leaving; *i; i = &(*i)->next)
                if (*i == l) {
                        *i = l->next;
                        break;
                }
        sandbox_free(l->sandbox);
        free(l);
        if (p->stopped && !p->leaving)
                pool_schedule_fill(p); /* reports from the loop, see on_refill() */
}

static void on_leaving_event(Sandbox *sb, SandboxEvent event _unused_, void *userdata) {
        Leaving *l = userdata;
        if (sandbox_gone(sb))
                leaving_remove(l->pool, l);
}

void pool_retire(Pool *p, Sandbox *sb) {
        Leaving *l = calloc(1, sizeof(Leaving));

        if (!l) {
                /* Out of memory: let go of it now (its directory goes; the unit is collected). */
                sandbox_free(sb);
                return;
        }
        *l = (Leaving) { .pool = p, .sandbox = sb, .next = p->leaving };
        p->leaving = l;
        sandbox_set_callback(sb, on_leaving_event, l);
        if (sandbox_gone(sb))
                leaving_remove(p, l);
}

static void stop_sandbox(Pool *p, Sandbox *sb) {
        sandbox_stop(sb);
        pool_retire(p, sb);
}

static void on_idle_event(Sandbox *sb, SandboxEvent event _unused_, void *userdata) {
        Slot *slot = userdata;
        Pool *p = slot->pool;
        RunOutcome o = {};
        char id[33];

        /* Waited its IDLE_USEC out, or failed: either way a new one takes its place. */
        if (now_usec() - slot->started_usec < HEALTHY_USEC) {
                const char *error = sandbox_outcome(sb, &o, id);
                log_error("Warm unit %s ended without a job (%s%s%s).", sandbox_name(sb), o.result,
                          error ? ": " : "", error ? error : "");
                p->failures++;
        }
        slot->sandbox = NULL;
        pool_retire(p, sb);
        pool_schedule_fill(p);
}

static int slot_start(Pool *p, Slot *slot) {
        const Language *language = &p->policy->languages[slot->language];
        char hex[17], name[64], description[96];
        int r;

        r = random_hex(hex, 8);
        if (r < 0)
                return log_error_errno(r, "Failed to name a warm unit: %m");
        snprintf(name, sizeof(name), "kw-warm-%s.service", hex);
        snprintf(description, sizeof(description), "kw warm unit for %s", language->name);
        SandboxSpec spec = {
                .name = name,
                .description = description,
                .language = language,
                .filter_path = p->filter_paths[slot->language],
                .syscalls = p->policy->syscalls,
                .limits = &p->policy->limits,
                .idle_usec = IDLE_USEC,
        };
        r = sandbox_start(&p->config, &spec, on_idle_event, slot, &slot->sandbox, NULL);
        if (r < 0)
                return r;
        slot->started_usec = now_usec();
        return 0;
}

static void pool_fill(Pool *p) {
        for (size_t i = 0; !p->stopped && i < p->n_slots; i++) {
                if (p->slots[i].sandbox)
                        continue;
                int r = slot_start(p, &p->slots[i]);
                if (r < 0) {
                        p->failures++;
                        pool_schedule_fill(p);
                        return;
                }
        }
}

static int on_refill(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        Pool *p = userdata;

        p->refill = sd_event_source_disable_unref(p->refill);
        if (p->stopped) {
                /* Every time none is left: runs may still give some back after pool_stop(). */
                if (!p->leaving && p->stopped_fn)
                        p->stopped_fn(p->userdata);
                return 0;
        }
        pool_fill(p);
        return 0;
}

/* From the event loop, never from inside a caller's call: at once, or after a backoff once units
 * have failed (a missing interpreter must not have PID 1 start units in a loop). */
static void pool_schedule_fill(Pool *p) {
        uint64_t delay = 0;

        if (p->refill)
                return;
        if (p->failures > 0 && !p->stopped) {
                delay = BACKOFF_MIN_USEC << (p->failures < 10 ? p->failures - 1 : 9);
                if (delay > BACKOFF_MAX_USEC)
                        delay = BACKOFF_MAX_USEC;
        }
        /* Accuracy 1 µs: 0 would let sd-event fire up to 250 ms late. */
        if (sd_event_add_time_relative(p->config.event, &p->refill, CLOCK_MONOTONIC, delay, 1, on_refill, p) < 0)
                log_error("Cannot schedule warm units: out of memory.");
}

int pool_new(const SandboxConfig *config, Pool **ret) {
        Pool *p = calloc(1, sizeof(Pool));

        if (!p)
                return -ENOMEM;
        p->config = *config;
        *ret = p;
        return 0;
}

static void pool_clear(Pool *p) {
        for (size_t i = 0; i < p->n_slots; i++)
                if (p->slots[i].sandbox)
                        stop_sandbox(p, p->slots[i].sandbox);
        free(p->slots);
        p->slots = NULL;
        p->n_slots = 0;
        for (size_t i = 0; p->filter_paths && p->policy && i < p->policy->n_languages; i++)
                free(p->filter_paths[i]);
        free(p->filter_paths);
        p->filter_paths = NULL;
        p->policy = policy_unref(p->policy);
}

void pool_set_policy(Pool *p, Policy *policy) {
        size_t n = policy->n_languages;
        int r = 0;

        pool_clear(p);
        /* A new policy may have fixed what made units fail: no backoff left over. */
        p->failures = 0;
        if (!p->stopped)
                p->refill = sd_event_source_disable_unref(p->refill);
        if (p->stopped || policy->daemon.warm_units == 0)
                return;
        p->policy = policy_ref(policy);
        p->filter_paths = calloc(n, sizeof(char *));
        p->slots = calloc(n * policy->daemon.warm_units, sizeof(Slot));
        if (!p->filter_paths || !p->slots) {
                log_error("No warm units: out of memory.");
                pool_clear(p);
                return;
        }
        for (size_t i = 0; r >= 0 && i < n; i++)
                r = run_dir_write_filter(p->config.runtime_dir, &policy->languages[i], &p->filter_paths[i]);
        if (r < 0) {
                log_error_errno(r, "No warm units: cannot write the seccomp filters below %s: %m", p->config.runtime_dir);
                pool_clear(p);
                return;
        }
        for (size_t i = 0; i < n * policy->daemon.warm_units; i++)
                p->slots[i] = (Slot) { .pool = p, .language = i / policy->daemon.warm_units };
        p->n_slots = n * policy->daemon.warm_units;
        pool_schedule_fill(p);
}

Sandbox *pool_take(Pool *p, const Language *language, const Limits *limits) {
        if (!p->policy || language < p->policy->languages ||
            language >= p->policy->languages + p->policy->n_languages ||
            memcmp(limits, &p->policy->limits, sizeof(Limits)) != 0)
                return NULL;
        size_t index = (size_t) (language - p->policy->languages);
        for (size_t i = 0; i < p->n_slots; i++) {
                Slot *slot = &p->slots[i];
                if (slot->language != index || !slot->sandbox || sandbox_finished(slot->sandbox))
                        continue;
                /* Too old to give a run its whole wall-clock limit: replace it. */
                if (now_usec() - slot->started_usec > IDLE_USEC) {
                        stop_sandbox(p, TAKE_PTR(slot->sandbox));
                        pool_schedule_fill(p);
                        continue;
                }
                Sandbox *sb = TAKE_PTR(slot->sandbox);
                sandbox_set_callback(sb, NULL, NULL);
                p->failures = 0;
                pool_schedule_fill(p);
                return sb;
        }
        return NULL;
}

bool pool_busy(const Pool *p) {
        if (p->leaving)
                return true;
        for (size_t i = 0; i < p->n_slots; i++)
                if (p->slots[i].sandbox)
                        return true;
        return false;
}

void pool_stop(Pool *p, PoolStoppedFn stopped, void *userdata) {
        p->stopped = true;
        p->stopped_fn = stopped;
        p->userdata = userdata;
        pool_clear(p);
        p->refill = sd_event_source_disable_unref(p->refill);
        pool_schedule_fill(p);
}

Pool *pool_free(Pool *p) {
        if (!p)
                return NULL;
        p->stopped = true;
        p->stopped_fn = NULL;
        pool_clear(p);
        while (p->leaving) {
                Leaving *l = p->leaving;
                p->leaving = l->next;
                sandbox_free(l->sandbox);
                free(l);
        }
        sd_event_source_disable_unref(p->refill);
        free(p);
        return NULL;
}
