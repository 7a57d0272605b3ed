/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>

/**
 * cleanup_predecessor() - what a kwd that crashed (or was killed) left: stop every kw unit in
 * @slice, kwd's (its cells end by themselves once kwd's end of their socket is gone; this makes
 * sure), or every kw unit if kwd has no slice, and wait until they have stopped. kwctl --direct's
 * cells, in no slice of kw's, are left to their job.
 * @bus must be subscribed to systemd's signals (bus_open_systemd()).
 * Return: 0 or -errno (logged).
 */
int cleanup_predecessor(sd_bus *bus, const char *slice);
