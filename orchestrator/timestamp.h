/* SPDX-License-Identifier: MIT */
#pragma once

#include <stdint.h>

#define USEC_PER_SEC UINT64_C(1000000)

/**
 * timespan_parse() - a span of time as systemd.time(7) writes one, in µs: one or more numbers (a
 * fraction allowed) each with a unit — usec/us, msec/ms, s/sec/second(s), m/min/minute(s),
 * h/hr/hour(s), d/day(s), w/week(s), M/month(s) (30.44 days), y/year(s) (365.25 days) — or none
 * (seconds), blanks allowed between them: "1h 30min", "90s", "1.5h".
 * Return: 0, -EINVAL if @s is not one, -ERANGE if it does not fit.
 */
int timespan_parse(const char *s, uint64_t *ret);

/**
 * timestamp_parse() - a point in time as journalctl's --since and --until take it, in µs since the
 * epoch: "YYYY-MM-DD HH:MM[:SS[.FRAC]]" (or a T between them), "YYYY-MM-DD" (its midnight),
 * "HH:MM[:SS]" (today), "now", "today", "yesterday", "tomorrow" (midnights), each in local time or,
 * followed by " UTC", in UTC; "@SECONDS[.FRAC]"; relative to @now (µs), "+SPAN", "-SPAN",
 * "SPAN ago" and "SPAN left" (see timespan_parse()). Dates are checked: no 2026-02-30.
 * Return: 0, -EINVAL if @s is none of these, -ERANGE if the time is before the epoch or too far.
 */
int timestamp_parse(const char *s, uint64_t now, uint64_t *ret);
