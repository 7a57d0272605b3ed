/* SPDX-License-Identifier: MIT */
#include <ctype.h>
#include <string.h>

#include "protocol.h"

int protocol_parse_request(const char *data, size_t size, Command *ret_command, const char **ret_body,
                           size_t *ret_body_size, char **ret_error) {
        static const struct {
                const char *name;
                Command command;
                bool has_body;
        } commands[] = {
                { "submit", COMMAND_SUBMIT, true },
                { "stats", COMMAND_STATS, false },
                { "metrics", COMMAND_METRICS, false },
        };
        const char *nl = memchr(data, '\n', size);

        if (!nl)
                return asprintf_safe(ret_error, "request: no command line") < 0 ? -ENOMEM : -EBADMSG;
        size_t n = (size_t) (nl - data);
        for (size_t i = 0; i < ELEMENTSOF(commands); i++) {
                if (strlen(commands[i].name) != n || memcmp(data, commands[i].name, n) != 0)
                        continue;
                size_t body = size - n - 1;
                if (!commands[i].has_body && body > 0)
                        return asprintf_safe(ret_error, "request: %s takes no body", commands[i].name) < 0 ? -ENOMEM
                                                                                                         : -EBADMSG;
                *ret_command = commands[i].command;
                *ret_body = nl + 1;
                *ret_body_size = body;
                return 0;
        }
        return asprintf_safe(ret_error, "request: unknown command") < 0 ? -ENOMEM : -EBADMSG;
}

int protocol_format_response(Buffer *b, int status, const char *message, const char *body, size_t body_size) {
        int r = buffer_printf(b, "%d ", status);
        for (const char *p = message ? message : ""; r >= 0 && *p; p++)
                r = buffer_append(b, *p == '\n' ? " " : p, 1);
        if (r >= 0)
                r = buffer_append(b, "\n", 1);
        if (r >= 0)
                r = buffer_append(b, body, body_size);
        return r;
}

int protocol_parse_response(const char *data, size_t size, int *ret_status, char **ret_message, const char **ret_body,
                            size_t *ret_body_size) {
        const char *nl = memchr(data, '\n', size);
        const char *p = data;
        int status = 0;

        if (!nl || !isdigit((unsigned char) *p))
                return -EBADMSG;
        for (; p < nl && isdigit((unsigned char) *p); p++) {
                status = status * 10 + (*p - '0');
                if (status > 255)
                        return -EBADMSG;
        }
        if (p == nl || *p != ' ')
                return -EBADMSG;
        p++;
        char *message = strndup(p, (size_t) (nl - p));
        if (!message)
                return -ENOMEM;
        *ret_status = status;
        *ret_message = message;
        *ret_body = nl + 1;
        *ret_body_size = size - (size_t) (nl + 1 - data);
        return 0;
}
