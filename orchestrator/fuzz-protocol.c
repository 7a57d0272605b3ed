/* SPDX-License-Identifier: MIT */
/* libFuzzer: any bytes as kwd's request, and as kwd's answer the way kwctl reads one (progress
 * records until the status line, then the response). Checks what protocol.h promises, and that a
 * record read back is the record formatted. */
#include <string.h>

#include "protocol.h"
#include "test-helpers.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_request(const char *text, size_t size) {
        _cleanup_free_ char *error = NULL;
        const char *body;
        size_t body_size;
        Command command;

        int r = protocol_parse_request(text, size, &command, &body, &body_size, &error);
        if (r < 0) {
                ASSERT_OR_ABORT(r == -EBADMSG && error && *error);
                return;
        }
        ASSERT_OR_ABORT(body >= text && body + body_size == text + size);
        ASSERT_OR_ABORT(command >= 0 && command < _COMMAND_MAX);
}

static void check_record(const Progress *p, const char *text, size_t used) {
        _cleanup_(buffer_done) Buffer b = {};
        uint64_t sum = 0;
        Progress back;
        size_t back_size;

        ASSERT_OR_ABORT(used > 0 && used <= PROTOCOL_MAX_PROGRESS && text[used - 1] == '\n');
        ASSERT_OR_ABORT(!memchr(text, '\n', used - 1));
        ASSERT_OR_ABORT(p->stage == PROGRESS_COMPILING || p->stage == PROGRESS_RUNNING);
        ASSERT_OR_ABORT(p->done <= p->total);
        for (Verdict v = 0; v < _VERDICT_MAX; v++)
                sum += p->verdicts[v];
        ASSERT_OR_ABORT(sum == p->done);
        /* What kwd would send of it reads back the same. */
        ASSERT_OR_ABORT(protocol_format_progress(&b, p) >= 0);
        ASSERT_OR_ABORT(protocol_parse_progress(b.data, b.size, &back, &back_size) == 1);
        ASSERT_OR_ABORT(back_size == b.size && memcmp(&back, p, sizeof(back)) == 0);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
        const char *text = (const char *) data;
        size_t at = 0;
        int r;

        check_request(text, size);
        for (;;) {
                Progress p;
                size_t used;
                r = protocol_parse_progress(text + at, size - at, &p, &used);
                if (r != 1)
                        break;
                check_record(&p, text + at, used);
                at += used;
        }
        ASSERT_OR_ABORT(r == 0 || r == -EAGAIN || r == -EBADMSG);
        if (r == 0) {
                _cleanup_free_ char *message = NULL;
                const char *body;
                size_t body_size;
                int status;
                r = protocol_parse_response(text + at, size - at, &status, &message, &body, &body_size);
                ASSERT_OR_ABORT(r == 0 || r == -EBADMSG);
                ASSERT_OR_ABORT(r < 0 || (status >= 0 && status <= 255 && message && body + body_size == text + size));
        }
        return 0;
}
