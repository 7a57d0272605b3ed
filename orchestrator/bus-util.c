/* SPDX-License-Identifier: MIT */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bus-util.h"
#include "util.h"

const char *bus_error_text(const sd_bus_error *e, int r, char buf[static BUS_ERROR_TEXT_MAX]) {
        if (e && sd_bus_error_is_set(e))
                snprintf(buf, BUS_ERROR_TEXT_MAX, "%s (%s)", e->message ? e->message : "no message", e->name);
        else
                snprintf(buf, BUS_ERROR_TEXT_MAX, "%s", strerror(r < 0 ? -r : r));
        return buf;
}

const char *bus_reply_error(sd_bus_message *reply, char buf[static BUS_ERROR_TEXT_MAX]) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);

        return e ? bus_error_text(e, -sd_bus_message_get_errno(reply), buf) : NULL;
}

static int on_logged_reply(sd_bus_message *reply, void *userdata, sd_bus_error *error _unused_) {
        const sd_bus_error *e = sd_bus_message_get_error(reply);
        char buf[BUS_ERROR_TEXT_MAX];

        if (!e)
                return 0;
        /* What it was to act on has ended meanwhile: nothing was missed. */
        if (sd_bus_error_has_names(e, "org.freedesktop.systemd1.NoSuchUnit", "org.freedesktop.systemd1.NoSuchProcess"))
                log_debug("Could not %s: %s", (const char *) userdata, bus_error_text(e, 0, buf));
        else
                log_warning("Failed to %s: %s", (const char *) userdata, bus_error_text(e, 0, buf));
        return 0;
}

int bus_call_logged(sd_bus *bus, const char *path, const char *interface, const char *member, const char *what,
                    const char *types, ...) {
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        char *text = strdup(what);
        va_list ap;
        int r;

        if (!text)
                return log_error_errno(-ENOMEM, "Failed to %s: %m", what);
        /* The bus is lost (kw is going down, or systemd restarts it): that was logged once already. */
        if (!sd_bus_is_open(bus)) {
                free(text);
                log_debug("Could not %s: the bus is closed.", what);
                return -ENOTCONN;
        }
        va_start(ap, types);
        r = sd_bus_call_method_asyncv(bus, &slot, "org.freedesktop.systemd1", path, interface, member, on_logged_reply,
                                      text, types, ap);
        va_end(ap);
        if (r < 0) {
                free(text);
                return log_error_errno(r, "Failed to %s: %m", what);
        }
        /* The slot lives until the answer and frees @text with it. */
        (void) sd_bus_slot_set_destroy_callback(slot, free);
        (void) sd_bus_slot_set_floating(slot, 1);
        return 0;
}

int bus_open_systemd(sd_event *event, sd_bus_message_handler_t on_disconnected, void *userdata, sd_bus **ret) {
        _cleanup_(sd_bus_flush_close_unrefp) sd_bus *bus = NULL;
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        char buf[BUS_ERROR_TEXT_MAX];
        int r;

        r = sd_bus_open_system(&bus);
        if (r < 0)
                return log_error_errno(r, "Failed to connect to the system bus: %m");
        r = sd_bus_attach_event(bus, event, SD_EVENT_PRIORITY_NORMAL);
        if (r < 0)
                return log_error_errno(r, "Failed to attach the system bus to the event loop: %m");
        r = sd_bus_match_signal_async(bus, NULL, "org.freedesktop.DBus.Local", "/org/freedesktop/DBus/Local",
                                      "org.freedesktop.DBus.Local", "Disconnected", on_disconnected, NULL, userdata);
        if (r < 0)
                return log_error_errno(r, "Failed to watch for the loss of the system bus: %m");
        /* On the system bus, systemd sends unit signals to subscribers only. */
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "Subscribe", &error, NULL, NULL);
        if (r < 0)
                return log_error_errno(r, "Failed to subscribe to systemd's signals: %s", bus_error_text(&error, r, buf));
        *ret = TAKE_PTR(bus);
        return 0;
}
