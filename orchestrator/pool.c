/* SPDX-License-Identifier: MIT */
#include <stdio.h>
#include <string.h>

#include "pool.h"

/* A cell that ends sooner than this after its start, never having served, has failed: the next
 * start backs off. */
#define BACKOFF_MIN_USEC (100 * 1000ULL)
#define BACKOFF_MAX_USEC (60 * 1000000ULL)
/* RuntimeMaxSec= of a cell: its age limit, plus the longest run that may begin just before it. */
#define MAX_AGE_SLACK_USEC (60 * 1000000ULL)

/* A cell the pool holds: starting, idle, or stopped and ending. */
typedef struct PoolCell {
        Pool *pool;
        Cell *cell;
        bool ready;                  /* has been idle: it started well */
        bool stopped;                /* the pool stopped it: its end is no failure */
        sd_event_source *expiry;     /* at cell_max_age_ms: stopped if it is idle then */
        struct PoolCell *next;
} PoolCell;

struct Pool {
        CellConfig config;
        Policy *policy;
        unsigned generation;         /* of the policy: cells made for an earlier one are replaced */
        uint64_t warm;               /* cells kept, idle or lent */
        size_t lent;                 /* cells runs hold */
        PoolCell *cells;
        PoolWaiter *waiters;         /* first come, first served */
        sd_event_source *refill;     /* a deferred (or backed-off) fill */
        unsigned failures;           /* cells that failed to start in a row */
        uint64_t started, start_failures; /* in all, for the metrics */
        bool stopped;
        PoolStoppedFn stopped_fn;
        void *userdata;
};

static void pool_schedule_fill(Pool *p);
static void on_pool_cell(Cell *c, CellState from, void *userdata);

static PoolCell **find(Pool *p, const PoolCell *pc) {
        PoolCell **i = &p->cells;
        while (*i && *i != pc)
                i = &(*i)->next;
        return i;
}

static void stop_held(PoolCell *pc) {
        pc->stopped = true;
        pc->expiry = sd_event_source_disable_unref(pc->expiry);
        cell_stop(pc->cell);
}

/* An idle cell at its age limit: replaced now, not at systemd's RuntimeMaxSec= backstop. */
static int on_expiry(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        PoolCell *pc = userdata;

        pc->expiry = sd_event_source_disable_unref(pc->expiry);
        if (cell_state(pc->cell) == CELL_STOPPING)
                return 0;
        stop_held(pc);
        pool_schedule_fill(pc->pool);
        return 0;
}

static int hold(Pool *p, Cell *c, bool ready) {
        PoolCell *pc = calloc(1, sizeof(PoolCell));

        if (!pc)
                return -ENOMEM;
        *pc = (PoolCell) { .pool = p, .cell = c, .ready = ready, .next = p->cells };
        if (p->policy && cell_state(c) != CELL_STOPPING && cell_state(c) != CELL_GONE &&
            sd_event_add_time(p->config.event, &pc->expiry, CLOCK_MONOTONIC,
                              cell_started_usec(c) + p->policy->daemon.cell_max_age_ms * 1000, 1000000, on_expiry, pc) < 0)
                log_warning("Cell %s: cannot time its age limit; systemd's RuntimeMaxSec= ends it.", cell_name(c));
        p->cells = pc;
        cell_set_callback(c, on_pool_cell, pc);
        return 0;
}

/* The pool lets go of @pc; its cell is returned, its callback cleared. */
static Cell *release(Pool *p, PoolCell *pc) {
        Cell *c = pc->cell;

        *find(p, pc) = pc->next;
        sd_event_source_disable_unref(pc->expiry);
        free(pc);
        cell_set_callback(c, NULL, NULL);
        return c;
}

static bool current(const Pool *p, const Cell *c) {
        return p->policy && !p->stopped && cell_generation(c) == p->generation;
}

/* Worn out: served its runs, or too old to begin another. */
static bool worn_out(const Pool *p, const Cell *c) {
        return cell_runs(c) >= p->policy->daemon.cell_runs ||
               now_usec() - cell_started_usec(c) >= p->policy->daemon.cell_max_age_ms * 1000;
}

/* Stop @c (unless it has ended) and keep it until its unit has ended, then free it. */
static void pool_retire(Pool *p, Cell *c) {
        if (cell_state(c) == CELL_GONE) {
                cell_free(c);
                return;
        }
        cell_stop(c);
        /* Out of memory: let go of it now; stopped, the unit is collected. */
        if (hold(p, c, true) < 0)
                cell_free(c);
}

/* The first waiter, no longer waiting; NULL if there is none. */
static PoolWaiter *take_waiter(Pool *p) {
        PoolWaiter *w = p->waiters;

        if (w) {
                p->waiters = w->next;
                w->next = NULL;
        }
        return w;
}

/* Hands @c to the first waiter; false if there is none. */
static bool hand_to_waiter(Pool *p, Cell *c) {
        PoolWaiter *w = take_waiter(p);

        if (!w)
                return false;
        p->lent++;
        w->fn(c, NULL, w->userdata);
        return true;
}

/* Cells of the current policy idle or on their way there. */
static size_t count_available(const Pool *p) {
        size_t n = 0;
        for (const PoolCell *pc = p->cells; pc; pc = pc->next) {
                CellState s = cell_state(pc->cell);
                n += current(p, pc->cell) && (s == CELL_STARTING || s == CELL_LOCATING || s == CELL_IDLE);
        }
        return n;
}

static size_t count_waiters(const Pool *p) {
        size_t n = 0;
        for (const PoolWaiter *w = p->waiters; w; w = w->next)
                n++;
        return n;
}

/* A burst is over: idle cells beyond the warm count (and what waiters need) are stopped. */
static void pool_trim(Pool *p) {
        size_t n = count_available(p) + p->lent, want = p->warm + count_waiters(p);

        for (PoolCell *pc = p->cells; pc && n > want; pc = pc->next)
                if (cell_state(pc->cell) == CELL_IDLE && current(p, pc->cell)) {
                        stop_held(pc);
                        n--;
                }
}

static void on_pool_cell(Cell *c, CellState from, void *userdata) {
        PoolCell *pc = userdata;
        Pool *p = pc->pool;
        RunOutcome o;
        char id[33];

        switch (cell_state(c)) {
        case CELL_IDLE:
                pc->ready = true;
                p->failures = 0;
                if (!current(p, c) || worn_out(p, c)) {
                        stop_held(pc);
                        return;
                }
                if (p->waiters) {
                        (void) release(p, pc);
                        (void) hand_to_waiter(p, c);
                } else
                        pool_trim(p);
                return;
        case CELL_GONE: {
                bool failed = !pc->ready && !pc->stopped;
                /* Its waiter must not wait forever for cells that cannot start: told why (the text
                 * is the cell's, so before it is freed). */
                PoolWaiter *w = failed ? take_waiter(p) : NULL;
                if (w) {
                        const char *error = cell_outcome(c, &o, id);
                        w->fn(NULL, error ?: "the cell ended before it was ready", w->userdata);
                }
                p->failures += failed;
                p->start_failures += failed;
                cell_free(release(p, pc));
                pool_schedule_fill(p);
                return;
        }
        case CELL_STARTING:
        case CELL_LOCATING:
        case CELL_LIMITING:
        case CELL_RUNNING:
        case CELL_STOPPING:
        case _CELL_STATE_MAX:
                break;
        }
        (void) from;
}

static int start_cell(Pool *p) {
        char hex[17], name[64];
        const char *step = NULL;
        Cell *c = NULL;
        int r;

        r = random_hex(hex, 8);
        if (r < 0)
                return log_error_errno(r, "Failed to name a cell: %m");
        snprintf(name, sizeof(name), "kw-cell-%s.service", hex);
        CellSpec spec = {
                .name = name,
                .policy = p->policy,
                .limits = &p->policy->limits,
                .max_age_usec = p->policy->daemon.cell_max_age_ms * 1000 + p->policy->limits.wall_time_ms * 1000 +
                                MAX_AGE_SLACK_USEC,
                .generation = p->generation,
        };
        r = cell_start(&p->config, &spec, NULL, NULL, &c, &step);
        if (r < 0)
                return r; /* logged */
        r = hold(p, c, false);
        if (r < 0) {
                cell_stop(c);
                cell_free(c);
                return log_error_errno(r, "Failed to keep cell %s: %m", name);
        }
        p->started++;
        return 0;
}

/* Enough cells idle or starting for the warm count and every waiter. */
static void pool_fill(Pool *p) {
        if (p->stopped || !p->policy)
                return;
        for (size_t have = count_available(p) + p->lent, want = p->warm + count_waiters(p); have < want; have++)
                if (start_cell(p) < 0) {
                        p->failures++;
                        p->start_failures++;
                        pool_schedule_fill(p);
                        return;
                }
}

static int on_refill(sd_event_source *s _unused_, uint64_t usec _unused_, void *userdata) {
        Pool *p = userdata;

        p->refill = sd_event_source_disable_unref(p->refill);
        if (p->stopped) {
                /* Every time none is left: runs may still give some back after pool_stop(). */
                if (!p->cells && p->stopped_fn)
                        p->stopped_fn(p->userdata);
                return 0;
        }
        pool_fill(p);
        return 0;
}

/* From the event loop, never from inside a caller's call: at once, or after a backoff once cells
 * have failed (a host that forbids them must not have PID 1 start units in a loop). */
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
                log_error("Cannot schedule the start of cells: out of memory.");
}

int pool_new(const CellConfig *config, Pool **ret) {
        Pool *p = calloc(1, sizeof(Pool));

        if (!p)
                return -ENOMEM;
        p->config = *config;
        *ret = p;
        return 0;
}

/* Stops every idle or starting cell (of any policy). */
static void stop_unused(Pool *p) {
        for (PoolCell *pc = p->cells; pc; pc = pc->next)
                if (cell_state(pc->cell) != CELL_STOPPING)
                        stop_held(pc);
}

void pool_set_policy(Pool *p, Policy *policy, uint64_t warm) {
        if (p->stopped)
                return;
        stop_unused(p);
        policy_unref(p->policy);
        p->policy = policy_ref(policy);
        p->generation++;
        p->warm = warm;
        /* A new policy may have fixed what made cells fail: no backoff left over. */
        p->failures = 0;
        p->refill = sd_event_source_disable_unref(p->refill);
        pool_schedule_fill(p);
}

Cell *pool_take(Pool *p) {
        for (PoolCell *pc = p->cells, *next; pc; pc = next) {
                next = pc->next;
                if (cell_state(pc->cell) != CELL_IDLE || !current(p, pc->cell))
                        continue;
                if (worn_out(p, pc->cell)) {
                        stop_held(pc);
                        continue;
                }
                p->lent++;
                return release(p, pc);
        }
        return NULL;
}

void pool_wait(Pool *p, PoolWaiter *w) {
        PoolWaiter **i = &p->waiters;

        while (*i)
                i = &(*i)->next;
        w->next = NULL;
        *i = w;
        pool_schedule_fill(p);
}

void pool_unwait(Pool *p, PoolWaiter *w) {
        for (PoolWaiter **i = &p->waiters; *i; i = &(*i)->next)
                if (*i == w) {
                        *i = w->next;
                        w->next = NULL;
                        return;
                }
}

void pool_give_back(Pool *p, Cell *c) {
        p->lent--;
        if (cell_state(c) != CELL_IDLE || !current(p, c) || worn_out(p, c)) {
                pool_retire(p, c);
                pool_schedule_fill(p);
                return;
        }
        if (hand_to_waiter(p, c))
                return;
        if (hold(p, c, true) < 0) {
                pool_retire(p, c);
                return;
        }
        pool_trim(p);
}

void pool_status(const Pool *p, PoolStatus *ret) {
        PoolStatus s = { .warm = p->warm, .lent = p->lent, .started = p->started, .start_failures = p->start_failures };

        for (const PoolCell *pc = p->cells; pc; pc = pc->next)
                switch (cell_state(pc->cell)) {
                case CELL_IDLE:
                        s.idle++;
                        break;
                case CELL_STARTING:
                case CELL_LOCATING:
                        s.starting++;
                        break;
                case CELL_STOPPING:
                case CELL_GONE:
                        s.stopping++;
                        break;
                case CELL_LIMITING:
                case CELL_RUNNING:
                case _CELL_STATE_MAX:
                        break; /* held cells are never running: a run's cell is lent */
                }
        *ret = s;
}

bool pool_busy(const Pool *p) {
        return p->cells != NULL;
}

void pool_stop(Pool *p, PoolStoppedFn stopped, void *userdata) {
        p->stopped = true;
        p->stopped_fn = stopped;
        p->userdata = userdata;
        stop_unused(p);
        for (PoolWaiter *w; (w = take_waiter(p));)
                w->fn(NULL, "kw is stopping", w->userdata);
        p->refill = sd_event_source_disable_unref(p->refill);
        pool_schedule_fill(p);
}

Pool *pool_free(Pool *p) {
        if (!p)
                return NULL;
        while (p->cells)
                cell_free(release(p, p->cells));
        sd_event_source_disable_unref(p->refill);
        policy_unref(p->policy);
        free(p);
        return NULL;
}
