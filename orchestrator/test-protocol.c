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
        { "stats with a body", "stats\nx", 0, "request: stats takes no body", 0, NULL },
        { "metrics", "metrics\n", 0, NULL, COMMAND_METRICS, "" },
        { "metrics with a body", "metrics\n{}", 0, "request: metrics takes no body", 0, NULL },
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

int main(void) {
        TEST_TABLE(test_parse_request, request_cases);
        TEST_TABLE(test_response, response_cases);
        TEST_TABLE(test_bad_response, bad_responses);
        return test_summary();
}
