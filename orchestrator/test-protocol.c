/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "protocol.h"
#include "test-helpers.h"

/* Requests: "COMMAND\n" and a body for submit only. */
static const struct {
        const char *name;
        const char *data;
        size_t size;                /* 0: strlen(data) */
        const char *error;          /* NULL: parses */
        Command command;
        const char *body;
} request_cases[] = {
        { "submit with a job", "submit\n{\"code\":1}", 0, NULL, COMMAND_SUBMIT, "{\"code\":1}" },
        { "submit, empty body", "submit\n", 0, NULL, COMMAND_SUBMIT, "" },
        { "submit, binary body", "submit\n\0\n\xff", 10, NULL, COMMAND_SUBMIT, NULL },
        { "stats", "stats\n", 0, NULL, COMMAND_STATS, "" },
        { "submit-progress with a job", "submit-progress\n{}", 0, NULL, COMMAND_SUBMIT_PROGRESS, "{}" },
        { "submit-progress, a longer name", "submit-progressx\n{}", 0, "request: unknown command", 0, NULL },
        { "stats with a body", "stats\nx", 0, "request: stats takes no body", 0, NULL },
        { "metrics", "metrics\n", 0, NULL, COMMAND_METRICS, "" },
        { "metrics with a body", "metrics\n{}", 0, "request: metrics takes no body", 0, NULL },
        { "metrics-prometheus", "metrics-prometheus\n", 0, NULL, COMMAND_METRICS_PROMETHEUS, "" },
        { "no newline", "submit", 0, "request: no command line", 0, NULL },
        { "empty", "", 0, "request: no command line", 0, NULL },
        { "unknown command", "submitx\n{}", 0, "request: unknown command", 0, NULL },
        { "a prefix of a command", "sub\n{}", 0, "request: unknown command", 0, NULL },
        { "command with a CR", "stats\r\n", 0, "request: unknown command", 0, NULL },
};

static void test_parse_request(size_t i) {
        const __typeof__(request_cases[0]) *c = &request_cases[i];
        size_t size = c->size ? c->size : strlen(c->data);
        _cleanup_free_ char *error = NULL;
        const char *body = NULL;
        size_t body_size = 0;
        Command command = (Command) -1;

        test_case_begin("request: %s", c->name);
        int r = protocol_parse_request(c->data, size, &command, &body, &body_size, &error);
        if (c->error) {
                ASSERT_ERRNO_EQ(r, -EBADMSG);
                ASSERT_STR_EQ(error, c->error);
                return;
        }
        ASSERT_OK(r);
        ASSERT_INT_EQ(command, c->command);
        /* The body is the rest, bytes and all, pointing into the request. */
        const char *nl = memchr(c->data, '\n', size);
        ASSERT_TRUE(body == nl + 1);
        ASSERT_U64_EQ(body_size, size - (size_t) (nl + 1 - c->data));
        if (c->body)
                ASSERT_TRUE(body_size == strlen(c->body) && memcmp(body, c->body, body_size) == 0);
}

/* Responses round-trip; newlines in the message become spaces, so the first line stays one line. */
static const struct {
        const char *name;
        int status;
        const char *message;
        const char *body;
        const char *wire;
        const char *message_back;
} response_cases[] = {
        { "judged", 0, NULL, "{\"status\":\"success\"}\n", "0 \n{\"status\":\"success\"}\n", "" },
        { "busy", 4, "kwd is busy: try again later", "", "4 kwd is busy: try again later\n", "kwd is busy: try again later" },
        { "a message with newlines", 2, "job: bad\nreally\n", "", "2 job: bad really \n", "job: bad really " },
        { "255", 255, "x", "body\nwith lines", "255 x\nbody\nwith lines", "x" },
};

static void test_response(size_t i) {
        const __typeof__(response_cases[0]) *c = &response_cases[i];
        _cleanup_(buffer_done) Buffer b = {};
        _cleanup_free_ char *message = NULL;
        const char *body;
        size_t body_size;
        int status;

        test_case_begin("response: %s", c->name);
        ASSERT_OK(protocol_format_response(&b, c->status, c->message, c->body, strlen(c->body)));
        ASSERT_TRUE(b.size == strlen(c->wire) && memcmp(b.data, c->wire, b.size) == 0);
        ASSERT_OK(protocol_parse_response(b.data, b.size, &status, &message, &body, &body_size));
        ASSERT_INT_EQ(status, c->status);
        ASSERT_STR_EQ(message, c->message_back);
        ASSERT_TRUE(body_size == strlen(c->body) && memcmp(body, c->body, body_size) == 0);
}

/* What kwctl refuses to take for an answer. */
static const char *const bad_responses[] = {
        "", "0", "x 0\n", "-1 m\n", "256 too big\n", "12345678901 m\n", "0m\n", " 0 m\n",
};

static void test_bad_response(size_t i) {
        _cleanup_free_ char *message = NULL;
        const char *body;
        size_t body_size;
        int status;

        test_case_begin("bad response %zu: '%s'", i, bad_responses[i]);
        ASSERT_ERRNO_EQ(protocol_parse_response(bad_responses[i], strlen(bad_responses[i]), &status, &message, &body,
                                                &body_size),
                        -EBADMSG);
        ASSERT_TRUE(message == NULL);
}

#define P(s) s, sizeof(s) - 1

/* Progress records: what kwd writes, read back. */
static const struct {
        const char *name;
        Progress progress;
        const char *wire;
} progress_cases[] = {
        { "compiling", { .stage = PROGRESS_COMPILING, .total = 20 }, "progress compiling 0 20\n" },
        { "running, none judged", { .stage = PROGRESS_RUNNING, .total = 20 }, "progress running 0 20\n" },
        { "running, two verdicts", { .stage = PROGRESS_RUNNING, .done = 7, .total = 20,
                                     .verdicts = { [VERDICT_ACCEPTED] = 6, [VERDICT_WRONG_ANSWER] = 1 } },
          "progress running 7 20 accepted=6 wrong_answer=1\n" },
        { "the largest counts", { .stage = PROGRESS_RUNNING, .done = UINT32_MAX, .total = UINT32_MAX,
                                             .verdicts = { [VERDICT_INTERNAL_ERROR] = UINT32_MAX } },
          "progress running 4294967295 4294967295 internal_error=4294967295\n" },
};

static void test_progress(size_t i) {
        const __typeof__(progress_cases[0]) *c = &progress_cases[i];
        _cleanup_(buffer_done) Buffer b = {};
        Progress back;
        size_t used;

        test_case_begin("progress: %s", c->name);
        ASSERT_OK(protocol_format_progress(&b, &c->progress));
        ASSERT_MEM_EQ(b.data, b.size, c->wire, strlen(c->wire));
        /* Followed by the response, or by the next record: the record's bytes only. */
        ASSERT_OK(buffer_append(&b, "0 \n{}", 5));
        ASSERT_INT_EQ(protocol_parse_progress(b.data, b.size, &back, &used), 1);
        ASSERT_U64_EQ(used, strlen(c->wire));
        ASSERT_TRUE(memcmp(&back, &c->progress, sizeof(back)) == 0);
        /* Cut anywhere before its newline, it is not told yet. */
        for (size_t n = 0; n < strlen(c->wire); n++)
                ASSERT_ERRNO_EQ(protocol_parse_progress(b.data, n, &back, &used), -EAGAIN);
}

/* What a response may begin with that is not a whole record. */
static const struct {
        const char *name;
        const char *data;
        size_t size;
        int r;
} progress_bad_cases[] = {
        { "the status line", P("0 \n{}"), 0 },
        { "a status line of a busy kwd", P("4 kwd is busy\n"), 0 },
        { "a word like it", P("progressive 1 2\n"), 0 },
        { "a prefix of the word, then not", P("prog 1\n"), 0 },
        { "the word, no more yet", P("progress"), -EAGAIN },
        { "a record without its newline yet", P("progress running 1 2"), -EAGAIN },
        { "an unknown stage", P("progress linking 0 2\n"), -EBADMSG },
        { "a stage's prefix", P("progress run 0 2\n"), -EBADMSG },
        { "no total", P("progress running 0\n"), -EBADMSG },
        { "nothing after the word", P("progress \n"), -EBADMSG },
        { "done over total", P("progress running 3 2 accepted=3\n"), -EBADMSG },
        { "counts short of done", P("progress running 2 2 accepted=1\n"), -EBADMSG },
        { "counts over done", P("progress running 1 2 accepted=1 wrong_answer=1\n"), -EBADMSG },
        { "counts over UINT32_MAX in sum", P("progress running 4294967295 4294967295 accepted=4294967295 wrong_answer=1\n"), -EBADMSG },
        { "a count over UINT32_MAX", P("progress running 0 4294967296\n"), -EBADMSG },
        { "a negative count", P("progress running -1 2\n"), -EBADMSG },
        { "a leading zero", P("progress running 01 2 accepted=01\n"), -EBADMSG },
        { "an unknown verdict", P("progress running 1 2 passed=1\n"), -EBADMSG },
        { "a verdict twice", P("progress running 2 2 accepted=1 accepted=1\n"), -EBADMSG },
        { "a verdict without a count", P("progress running 1 2 accepted\n"), -EBADMSG },
        { "a verdict with an empty count", P("progress running 1 2 accepted=\n"), -EBADMSG },
        { "two spaces", P("progress running  1 2\n"), -EBADMSG },
        { "a trailing space", P("progress running 0 2 \n"), -EBADMSG },
        { "a CR", P("progress running 0 2\r\n"), -EBADMSG },
        { "a NUL", P("progress running 0\0 2\n"), -EBADMSG },
        { "judged while compiling", P("progress compiling 1 2 accepted=1\n"), -EBADMSG },
        { "a verdict's prefix", P("progress running 1 2 accept=1\n"), -EBADMSG },
};

static void test_progress_bad(size_t i) {
        const __typeof__(progress_bad_cases[0]) *c = &progress_bad_cases[i];
        Progress p = { .done = 77 };
        size_t used = 77;

        test_case_begin("progress, not a record: %s", c->name);
        ASSERT_INT_EQ(protocol_parse_progress(c->data, c->size, &p, &used), c->r);
        /* Nothing given back but for a record. */
        ASSERT_TRUE(p.done == 77 && used == 77);
}

/* No newline within PROTOCOL_MAX_PROGRESS bytes: not a record, however many more come. */
static void test_progress_too_long(void) {
        char line[PROTOCOL_MAX_PROGRESS + 1];
        Progress p;
        size_t used;

        memset(line, '1', sizeof(line));
        memcpy(line, "progress running 0 ", strlen("progress running 0 "));
        ASSERT_ERRNO_EQ(protocol_parse_progress(line, PROTOCOL_MAX_PROGRESS - 1, &p, &used), -EAGAIN);
        ASSERT_ERRNO_EQ(protocol_parse_progress(line, PROTOCOL_MAX_PROGRESS, &p, &used), -EBADMSG);
        ASSERT_ERRNO_EQ(protocol_parse_progress(line, sizeof(line), &p, &used), -EBADMSG);
}

int main(void) {
        TEST_TABLE(test_parse_request, request_cases);
        TEST_TABLE(test_response, response_cases);
        TEST_TABLE(test_bad_response, bad_responses);
        TEST_TABLE(test_progress, progress_cases);
        TEST_TABLE(test_progress_bad, progress_bad_cases);
        TEST_RUN(test_progress_too_long);
        return test_summary();
}
