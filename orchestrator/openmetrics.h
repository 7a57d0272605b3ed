/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdbool.h>
#include <stdint.h>

#include "stats.h"
#include "util.h"

#define OPENMETRICS_CONTENT_TYPE "application/openmetrics-text; version=1.0.0; charset=utf-8"
#define PROMETHEUS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

/* OpenMetrics 1.0, or Prometheus' older text format, which node_exporter's textfile collector and
 * clients that do not ask for OpenMetrics read. */
typedef enum MetricsFormat {
        METRICS_OPENMETRICS,
        METRICS_PROMETHEUS,
} MetricsFormat;

/* What kwd reads at the moment it is asked, beside its counters: the gauges, and the pool's and the
 * Redis queue's own counts. */
typedef struct MetricsLive {
        unsigned in_flight;
        unsigned queued;
        uint64_t cells_warm;            /* the policy's warm count: cells kept ahead of jobs */
        uint64_t cells_idle;
        uint64_t cells_busy;            /* lent to runs */
        uint64_t cells_starting;
        uint64_t cells_stopping;
        uint64_t cells_started;         /* since kwd started */
        uint64_t cell_start_failures;
        bool redis;                     /* kwd works for a Redis stream: the kw_redis_* metrics */
        bool redis_connected;           /* both connections up */
        uint64_t redis_results_pending; /* results not yet stored in Redis */
} MetricsLive;

/**
 * metrics_format() - kwd's metrics in the OpenMetrics 1.0 text format, "# EOF" last, or in
 * Prometheus' text format 0.0.4 (the same samples; a counter's family named with _total, no UNIT,
 * no EOF): what GET /metrics and `kwctl stats --format=openmetrics|prometheus` print.
 * Return: 0 or -ENOMEM.
 */
int metrics_format(const Stats *s, const MetricsLive *live, MetricsFormat format, Buffer *b);
