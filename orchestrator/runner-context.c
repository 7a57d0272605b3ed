/* SPDX-License-Identifier: MIT */
#include "bus-util.h"
#include "run.h"

int runner_context_open(sd_event *event, const RunnerSetup *setup, sd_bus_message_handler_t on_disconnected,
                        void *userdata, RunnerContext *ret) {
        _cleanup_free_ char *sink_path = NULL;
        sd_bus *bus = NULL;
        int r;

        *ret = (RunnerContext) {};
        r = runner_find_helper("kw-exec", &ret->exec_path);
        if (r < 0)
                return log_error_errno(r, "Failed to find kw's helper kw-exec: %m");
        r = bus_open_systemd(event, on_disconnected, userdata, &bus);
        if (r < 0)
                return r; /* logged */
        ret->cells = (CellConfig) { .event = event, .bus = bus, .exec_path = ret->exec_path, .slice = setup->slice };

        const char *ns = setup->log_namespace;
        if (ns && asprintf_safe(&sink_path, "/run/systemd/journal.%s/socket", ns) < 0)
                return log_error_errno(-ENOMEM, "Out of memory.");
        r = journal_sink_open(sink_path ?: JOURNAL_SOCKET, &ret->sink);
        if (r < 0)
                return log_error_errno(r, "Failed to open the journal's socket %s: %m", sink_path ?: JOURNAL_SOCKET);
        r = journal_reader_new(event, bus, ns, &ret->reader);
        if (r == -ENOENT && ns)
                return log_error_errno(r, "The journal namespace %s has no journal directory: systemd-journald@%s.service "
                                       "has never run (kwd.service starts it first).", ns, ns);
        if (r < 0)
                return log_error_errno(r, "Failed to open the journal%s%s: %m", ns ? " namespace " : "", ns ?: "");
        r = pool_new(&ret->cells, &ret->pool);
        if (r < 0)
                return log_error_errno(r, "Out of memory.");
        return 0;
}

void runner_context_done(RunnerContext *ctx) {
        /* The pool first: its cells still use the bus. */
        ctx->pool = pool_free(ctx->pool);
        ctx->reader = journal_reader_free(ctx->reader);
        ctx->sink = journal_sink_free(ctx->sink);
        if (ctx->cells.bus)
                sd_bus_flush_close_unref(ctx->cells.bus);
        ctx->cells.bus = NULL;
        free(ctx->exec_path);
        ctx->exec_path = NULL;
}
