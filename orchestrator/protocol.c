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
                { "submit-progress", COMMAND_SUBMIT_PROGRESS, true },
                { "metrics", COMMAND_METRICS, false },
                { "metrics-prometheus", COMMAND_METRICS_PROMETHEUS, false },
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

#define PROGRESS_PREFIX "progress "

int protocol_format_progress(Buffer *b, const Progress *p) {
        int r = buffer_printf(b, PROGRESS_PREFIX "%s %u %u", progress_stage_to_string(p->stage) ?: "running", p->done,
                              p->total);
        for (Verdict v = 0; r >= 0 && v < _VERDICT_MAX; v++)
                if (p->verdicts[v] > 0)
                        r = buffer_printf(b, " %s=%u", verdict_to_string(v), p->verdicts[v]);
        if (r >= 0)
                r = buffer_append(b, "\n", 1);
        return r;
}

/* A decimal count at *p, up to UINT32_MAX, no sign or leading zero; *p moves past it. */
static int parse_count(const char **p, const char *end, unsigned *ret) {
        uint64_t v = 0;
        const char *s = *p;

        if (s == end || !isdigit((unsigned char) *s) || (*s == '0' && s + 1 < end && isdigit((unsigned char) s[1])))
                return -EBADMSG;
        for (; s < end && isdigit((unsigned char) *s); s++) {
                v = v * 10 + (uint64_t) (*s - '0');
                if (v > UINT32_MAX)
                        return -EBADMSG;
        }
        *p = s;
        *ret = (unsigned) v;
        return 0;
}

/* The word at *p up to a space (or @end) is @word; *p moves past it. */
static bool parse_word(const char **p, const char *end, const char *word) {
        size_t n = strlen(word);
        if ((size_t) (end - *p) < n || memcmp(*p, word, n) != 0 || (*p + n < end && (*p)[n] != ' ' && (*p)[n] != '='))
                return false;
        *p += n;
        return true;
}

static int parse_progress_line(const char *p, const char *end, Progress *ret) {
        Progress progress = {};
        uint64_t sum = 0;
        bool seen[_VERDICT_MAX] = {};
        ProgressStage s;

        for (s = 0; s < _PROGRESS_STAGE_MAX; s++)
                if (parse_word(&p, end, progress_stage_to_string(s)))
                        break;
        if (s == _PROGRESS_STAGE_MAX || p == end || *p++ != ' ' || parse_count(&p, end, &progress.done) < 0 ||
            p == end || *p++ != ' ' || parse_count(&p, end, &progress.total) < 0 || progress.done > progress.total)
                return -EBADMSG;
        progress.stage = s;
        while (p < end) {
                Verdict v;
                if (*p++ != ' ')
                        return -EBADMSG;
                for (v = 0; v < _VERDICT_MAX; v++)
                        if (parse_word(&p, end, verdict_to_string(v)))
                                break;
                if (v == _VERDICT_MAX || seen[v] || p == end || *p++ != '=' ||
                    parse_count(&p, end, &progress.verdicts[v]) < 0)
                        return -EBADMSG;
                seen[v] = true;
                sum += progress.verdicts[v];
        }
        /* Nothing is judged while compiling. */
        if (sum != progress.done || (s == PROGRESS_COMPILING && progress.done > 0))
                return -EBADMSG;
        *ret = progress;
        return 0;
}

int protocol_parse_progress(const char *data, size_t size, Progress *ret, size_t *ret_size) {
        size_t prefix = strlen(PROGRESS_PREFIX);

        if (size == 0)
                return -EAGAIN;
        if (memcmp(data, PROGRESS_PREFIX, size < prefix ? size : prefix) != 0)
                return 0;
        if (size < prefix)
                return -EAGAIN;
        const char *nl = memchr(data, '\n', size < PROTOCOL_MAX_PROGRESS ? size : PROTOCOL_MAX_PROGRESS);
        if (!nl)
                return size < PROTOCOL_MAX_PROGRESS ? -EAGAIN : -EBADMSG;
        int r = parse_progress_line(data + prefix, nl, ret);
        if (r < 0)
                return r;
        *ret_size = (size_t) (nl + 1 - data);
        return 1;
}
