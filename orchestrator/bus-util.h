/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>

/* D-Bus errors told as systemd gives them: its message and the error's name. */

#define BUS_ERROR_TEXT_MAX 256

/* "Unit kw-x.service not loaded. (org.freedesktop.systemd1.NoSuchUnit)"; strerror(-@r) if @e holds
 * no error (the call failed before systemd answered). Written into @buf. */
const char *bus_error_text(const sd_bus_error *e, int r, char buf[static BUS_ERROR_TEXT_MAX]);

/* The error a method reply carries, as bus_error_text(); NULL if the call succeeded. */
const char *bus_reply_error(sd_bus_message *reply, char buf[static BUS_ERROR_TEXT_MAX]);

/**
 * bus_call_logged() - a call whose answer kw does not wait for, but whose failure it logs, with
 * @what (e.g. "stop kw-x.service") and systemd's error. A unit or process already gone is no
 * failure. Return: 0, or -errno if the call could not be sent (logged).
 */
int bus_call_logged(sd_bus *bus, const char *path, const char *interface, const char *member, const char *what,
                    const char *types, ...);
