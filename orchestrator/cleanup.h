/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>

/**
 * cleanup_predecessor() - what a kwd that crashed (or was killed) left: stop every kw unit and wait
 * until they have stopped, then remove every run directory and scratch mount below @runtime_dir.
 * @bus must be subscribed to systemd's signals (bus_open_systemd()).
 * Return: 0 or -errno (logged).
 */
int cleanup_predecessor(sd_bus *bus, const char *runtime_dir);
