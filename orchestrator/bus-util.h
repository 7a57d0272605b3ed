/* SPDX-License-Identifier: MIT */
#pragma once

#include <systemd/sd-bus.h>
#include <systemd/sd-event.h>

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

/**
 * bus_open_systemd() - a connection to systemd through the system bus, attached to @event,
 * subscribed to unit signals, with @on_disconnected called if it is lost. Not systemd's private
 * socket, though that saves a hop: AddRef tracks the caller by bus name, which a direct connection
 * lacks. Return: 0 or -errno (logged).
 */
int bus_open_systemd(sd_event *event, sd_bus_message_handler_t on_disconnected, void *userdata, sd_bus **ret);
