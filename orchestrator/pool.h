/* SPDX-License-Identifier: MIT */
#pragma once

#include "policy.h"
#include "sandbox.h"

/* kwd's warm units: per language of the current policy, warm_units sandboxes started ahead of jobs
 * with the policy's [run] limits, each waiting for its go. A run takes one and the pool starts the
 * next. What PID 1 spends on a unit is then off the run's path; what it costs in all is not less.
 * Also where sandboxes go when their program is done, until their units have ended. */
typedef struct Pool Pool;

/* Called once the units stopped by pool_stop() have all ended. */
typedef void (*PoolStoppedFn)(void *userdata);

/* @config is copied; its strings are borrowed until the pool is freed. Return: 0 or -errno. */
int pool_new(const SandboxConfig *config, Pool **ret);

/**
 * pool_set_policy() - keep @policy->daemon.warm_units units of every language of @policy (a
 * reference is taken). Units made for an earlier policy are stopped: a reload never hands a job a
 * unit built with the old limits or filter. Starting is asynchronous; failures are logged and
 * retried with a backoff.
 */
void pool_set_policy(Pool *p, Policy *policy);

/**
 * pool_take() - a warm unit for @language (of the pool's current policy) built with exactly
 * @limits, or NULL. The caller owns it (sandbox_set_callback()) until it gives it back with
 * pool_retire().
 */
Sandbox *pool_take(Pool *p, const Language *language, const Limits *limits);

/* Keep @sb, finished or not, until its unit has ended (SANDBOX_GONE), then free it; pool_stop()
 * waits for these too. kwctl's pool, with no policy, only does this. */
void pool_retire(Pool *p, Sandbox *sb);

/* Units kept: warm ones, and retired ones whose units have not ended yet. */
bool pool_busy(const Pool *p);

/* Stop every unit and start no more; @stopped is called (from the event loop, never from inside
 * this call) whenever every unit kept has ended: again after sandboxes retired later have. */
void pool_stop(Pool *p, PoolStoppedFn stopped, void *userdata);

Pool *pool_free(Pool *p);
DEFINE_TRIVIAL_CLEANUP_FUNC(Pool *, pool_free);
