/* SPDX-License-Identifier: MIT */
#pragma once

#include "cell.h"
#include "policy.h"

/* The cells of one kwctl or kwd. kwd keeps `cells` of them (idle or lent to runs), started ahead of
 * jobs, serving runs of any language and limits one after another; a run that finds none idle
 * waits for the first that is, and one more is started for it (stopped again once idle, if the
 * pool then holds more than the warm count and its waiters need). A cell that has served cell_runs runs or lived cell_max_age_ms is replaced; so is one
 * made for an earlier policy. Also where cells go when they are stopped, until their units end. */
typedef struct Pool Pool;

/* Told once, with an idle cell (the waiter's now), or with NULL and why none could be started. */
typedef void (*PoolCellFn)(Cell *c, const char *error, void *userdata);

typedef struct PoolWaiter {
        PoolCellFn fn;
        void *userdata;
        struct PoolWaiter *next;
} PoolWaiter;

/* Called once the cells stopped by pool_stop() have all ended. */
typedef void (*PoolStoppedFn)(void *userdata);

/* @config is copied; its strings are borrowed until the pool is freed. Return: 0 or -errno. */
int pool_new(const CellConfig *config, Pool **ret);

/**
 * pool_set_policy() - make cells with @policy (a reference is taken) and keep @warm of them.
 * Idle cells of an earlier policy are stopped, busy ones when they are given back: a reload never
 * hands a run a cell built with the old SystemCallFilter=. Starting is asynchronous; failures are
 * logged and retried with a backoff.
 */
void pool_set_policy(Pool *p, Policy *policy, uint64_t warm);

/* An idle cell of the current policy, the caller's until it gives it back (pool_give_back(), in
 * whatever state); NULL if none. */
Cell *pool_take(Pool *p);

/* @w->fn is told of the first cell idle for it (a cell is started unless enough are starting). */
void pool_wait(Pool *p, PoolWaiter *w);
/* @w is told nothing more. */
void pool_unwait(Pool *p, PoolWaiter *w);

/* A cell a run is done with, from pool_take() or a waiter: kept idle, handed to a waiter, or (worn
 * out, of an older policy, one too many, broken or stopping) stopped and kept until it has ended. */
void pool_give_back(Pool *p, Cell *c);

/* For the metrics: the cells held now, and the starts since the pool was made. */
typedef struct PoolStatus {
        uint64_t warm;               /* the count kept ahead of runs */
        uint64_t idle, lent, starting, stopping;
        uint64_t started;
        uint64_t start_failures;     /* ended before they were ready, or could not be started */
} PoolStatus;

void pool_status(const Pool *p, PoolStatus *ret);

/* Cells kept: idle, starting, or ending. */
bool pool_busy(const Pool *p);

/* Stop every cell and start no more; waiters are told none is coming. @stopped is called (from the
 * event loop, never from inside this call) whenever every cell kept has ended: again after cells
 * given back later have. */
void pool_stop(Pool *p, PoolStoppedFn stopped, void *userdata);

Pool *pool_free(Pool *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(Pool *, pool_free);
