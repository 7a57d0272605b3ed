/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "bus-util.h"
#include "cleanup.h"
#include "util.h"

/* How long to wait at start for a crashed predecessor's units to stop. */
#define CLEANUP_TIMEOUT_USEC (30 * 1000000ULL)

typedef struct StopJobs {
        char **paths;
        size_t n;
} StopJobs;

static int on_job_removed(sd_bus_message *m, void *userdata, sd_bus_error *error _unused_) {
        StopJobs *jobs = userdata;
        const char *path;
        uint32_t id;

        if (sd_bus_message_read(m, "uo", &id, &path) < 0)
                return 0;
        for (size_t i = 0; i < jobs->n; i++)
                if (jobs->paths[i] && strcmp(jobs->paths[i], path) == 0)
                        jobs->paths[i] = (free(jobs->paths[i]), NULL);
        return 0;
}

static size_t stop_jobs_pending(const StopJobs *jobs) {
        size_t n = 0;
        for (size_t i = 0; i < jobs->n; i++)
                n += jobs->paths[i] != NULL;
        return n;
}

/* Whether @unit (a kw-*.service at @path) was a kwd's: in @slice, where kwd has one. kwctl --direct's
 * cells have no slice of their own, and one may be judging a job right now. */
static bool is_kwds(sd_bus *bus, const char *path, const char *slice) {
        _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
        _cleanup_free_ char *its = NULL;

        if (!slice)
                return true;
        /* Unreadable: gone meanwhile, or not a service; nothing of kwd's to stop either way. */
        if (sd_bus_get_property_string(bus, "org.freedesktop.systemd1", path, "org.freedesktop.systemd1.Service", "Slice",
                                       &e, &its) < 0)
                return false;
        return strcmp(its, slice) == 0;
}

/* Stop every kw unit of a kwd's, and wait (on JobRemoved signals, not by polling) until systemd has
 * stopped them all. */
static int stop_units(sd_bus *bus, const char *slice) {
        _cleanup_(sd_bus_error_free) sd_bus_error error = SD_BUS_ERROR_NULL;
        _cleanup_(sd_bus_message_unrefp) sd_bus_message *reply = NULL;
        _cleanup_(sd_bus_slot_unrefp) sd_bus_slot *slot = NULL;
        StopJobs jobs = {};
        char buf[BUS_ERROR_TEXT_MAX];
        const char *name, *unit_path;
        int r;

        /* The bus is subscribed already (bus_open_systemd()). */
        r = sd_bus_match_signal(bus, &slot, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                "org.freedesktop.systemd1.Manager", "JobRemoved", on_job_removed, &jobs);
        if (r < 0)
                return log_error_errno(r, "Failed to watch systemd's JobRemoved signal: %m");
        r = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                               "org.freedesktop.systemd1.Manager", "ListUnitsByPatterns", &error, &reply, "asas", 0, 1,
                               "kw-*.service");
        if (r >= 0)
                r = sd_bus_message_enter_container(reply, 'a', "(ssssssouso)");
        if (r < 0)
                return log_error_errno(r, "Failed to list kw units: %s", bus_error_text(&error, r, buf));

        while ((r = sd_bus_message_read(reply, "(ssssssouso)", &name, NULL, NULL, NULL, NULL, NULL, &unit_path, NULL,
                                        NULL, NULL)) > 0) {
                _cleanup_(sd_bus_error_free) sd_bus_error e = SD_BUS_ERROR_NULL;
                _cleanup_(sd_bus_message_unrefp) sd_bus_message *job = NULL;
                const char *path;

                if (!is_kwds(bus, unit_path, slice))
                        continue;

                int k = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                           "org.freedesktop.systemd1.Manager", "ResetFailedUnit", &e, NULL, "s", name);
                if (k < 0 && !sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit"))
                        log_warning("Failed to reset %s: %s", name, bus_error_text(&e, k, buf));
                sd_bus_error_free(&e);
                k = sd_bus_call_method(bus, "org.freedesktop.systemd1", "/org/freedesktop/systemd1",
                                       "org.freedesktop.systemd1.Manager", "StopUnit", &e, &job, "ss", name, "replace");
                if (k < 0) {
                        /* Gone meanwhile: nothing to stop. */
                        if (!sd_bus_error_has_name(&e, "org.freedesktop.systemd1.NoSuchUnit"))
                                log_warning("Failed to stop %s, left by a previous kwd: %s", name, bus_error_text(&e, k, buf));
                        continue;
                }
                if (sd_bus_message_read(job, "o", &path) < 0)
                        continue;
                char **p = realloc(jobs.paths, (jobs.n + 1) * sizeof(char *));
                if (!p || !(p[jobs.n] = strdup(path))) {
                        jobs.paths = p ? p : jobs.paths;
                        r = -ENOMEM;
                        break;
                }
                jobs.paths = p;
                jobs.n++;
        }
        uint64_t deadline = now_usec() + CLEANUP_TIMEOUT_USEC;
        while (r >= 0 && stop_jobs_pending(&jobs) > 0) {
                uint64_t now = now_usec();
                if (now >= deadline) {
                        r = -ETIMEDOUT;
                        break;
                }
                r = sd_bus_process(bus, NULL);
                if (r == 0)
                        r = sd_bus_wait(bus, deadline - now);
        }
        if (jobs.n > 0)
                log_info("Stopped %zu kw units left by a previous kwd.", jobs.n);
        for (size_t i = 0; i < jobs.n; i++)
                free(jobs.paths[i]);
        free(jobs.paths);
        if (r < 0)
                return log_error_errno(r, "Failed to stop the kw units left by a previous kwd: %m");
        return 0;
}

int cleanup_predecessor(sd_bus *bus, const char *slice) {
        return stop_units(bus, slice);
}
