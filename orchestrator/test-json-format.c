/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "json-format.h"
#include "test-helpers.h"

#define T(s) s, sizeof(s) - 1

static const struct {
        const char *name;
        const char *in;
        size_t in_size;
        const char *out;
} cases[] = {
        { "an object", T("{\"a\":1,\"b\":\"x\"}\n"), "{\n  \"a\": 1,\n  \"b\": \"x\"\n}\n" },
        { "nested, arrays", T("{\"t\":[{\"p\":true},{\"p\":false}],\"n\":null}"),
          "{\n  \"t\": [\n    {\n      \"p\": true\n    },\n    {\n      \"p\": false\n    }\n  ],\n  \"n\": null\n}\n" },
        { "empty containers stay on one line", T("{\"a\":{},\"b\":[]}"), "{\n  \"a\": {},\n  \"b\": []\n}\n" },
        /* Values byte for byte: a number is never reparsed (17 digits, a huge integer). */
        { "numbers as written", T("[0.66666666666666663,18446744073709551615,-1e-07]"),
          "[\n  0.66666666666666663,\n  18446744073709551615,\n  -1e-07\n]\n" },
        { "brackets, commas and colons inside strings", T("{\"a\":\"{[,:]}\\\"\\\\\"}"), "{\n  \"a\": \"{[,:]}\\\"\\\\\"\n}\n" },
        { "escapes and UTF-8 kept", T("[\"\\u0000\\n\xc3\xa9\"]"), "[\n  \"\\u0000\\n\xc3\xa9\"\n]\n" },
        { "white space around values dropped", T(" { \"a\" : 1 , \"b\" : [ ] } \n"), "{\n  \"a\": 1,\n  \"b\": []\n}\n" },
        /* Not JSON: as it is, never a crash or a loop. */
        { "unbalanced", T("{\"a\":[1}"), "{\"a\":[1}" },
        { "an unended string", T("{\"a\":\"x"), "{\"a\":\"x" },
        { "a NUL byte outside strings", T("[1\0002]"), "[\n  1\0002\n]\n" },
        { "empty", T(""), "\n" },
};

static void test_reindent(size_t i) {
        _cleanup_(buffer_done) Buffer b = {};
        size_t want = strlen(cases[i].out);

        test_case_begin("json_reindent: %s", cases[i].name);
        /* The NUL case's expected text holds a NUL: its length is the input's plus the layout. */
        if (memchr(cases[i].in, 0, cases[i].in_size))
                want = cases[i].in_size + 5;
        ASSERT_OK(json_reindent(cases[i].in, cases[i].in_size, &b));
        ASSERT_INT_EQ(b.size, want);
        ASSERT_TRUE(memcmp(b.data, cases[i].out, want) == 0);
}

/* Deeper than the check's stack: copied as it is. */
static void test_deep(void) {
        char text[600];
        _cleanup_(buffer_done) Buffer b = {};

        memset(text, '[', 300);
        memset(text + 300, ']', 300);
        ASSERT_OK(json_reindent(text, sizeof(text), &b));
        ASSERT_INT_EQ(b.size, sizeof(text));
        ASSERT_TRUE(memcmp(b.data, text, sizeof(text)) == 0);
}

static void test_format_names(void) {
        ASSERT_INT_EQ(json_format_from_string("short"), JSON_SHORT);
        ASSERT_INT_EQ(json_format_from_string("pretty"), JSON_PRETTY);
        ASSERT_ERRNO_EQ(json_format_from_string("Pretty"), -EINVAL);
        ASSERT_ERRNO_EQ(json_format_from_string(""), -EINVAL);
}

int main(void) {
        TEST_TABLE(test_reindent, cases);
        TEST_RUN(test_deep);
        TEST_RUN(test_format_names);
        return test_summary();
}
