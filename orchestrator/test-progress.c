/* SPDX-License-Identifier: MIT */
#include <string.h>

#include "progress.h"
#include "test-helpers.h"

#define RUNNING(d, t, ...) { .stage = PROGRESS_RUNNING, .done = d, .total = t, .verdicts = { __VA_ARGS__ } }

static const struct {
        const char *name;
        Progress progress;
        uint64_t elapsed_usec;
        unsigned width;
        const char *line;
} cases[] = {
        { "compiling", { .stage = PROGRESS_COMPILING, .total = 20 }, 400000, 80, "compiling… · 0.4 s" },
        { "nothing judged yet", RUNNING(0, 20), 0, 80, "[0/20] · 0.0 s" },
        { "some judged", RUNNING(7, 20, [VERDICT_ACCEPTED] = 6, [VERDICT_WRONG_ANSWER] = 1), 3250000, 80,
          "[7/20] 6 accepted, 1 wrong_answer · 3.2 s" },
        /* Tenths cut, not rounded: 3.99 s is not yet 4.0 s. */
        { "elapsed cut to tenths", RUNNING(1, 1, [VERDICT_ACCEPTED] = 1), 3999999, 80, "[1/1] 1 accepted · 3.9 s" },
        { "verdicts in the verdicts' order", RUNNING(3, 20, [VERDICT_TIME_LIMIT_EXCEEDED] = 2, [VERDICT_ACCEPTED] = 1), 0, 80,
          "[3/20] 1 accepted, 2 time_limit_exceeded · 0.0 s" },
        { "past a minute", RUNNING(20, 20, [VERDICT_ACCEPTED] = 20), 125500000, 80, "[20/20] 20 accepted · 2 min 05 s" },
        { "an hour", RUNNING(1, 2, [VERDICT_INTERNAL_ERROR] = 1), 3600000000ULL, 80, "[1/2] 1 internal_error · 60 min 00 s" },
        /* 41 columns ("·" is one). */
        { "just fits", RUNNING(7, 20, [VERDICT_ACCEPTED] = 6, [VERDICT_WRONG_ANSWER] = 1), 3250000, 41,
          "[7/20] 6 accepted, 1 wrong_answer · 3.2 s" },
        { "one column short: the verdicts cut", RUNNING(7, 20, [VERDICT_ACCEPTED] = 6, [VERDICT_WRONG_ANSWER] = 1), 3250000, 40,
          "[7/20] 6 accepted, 1 wrong_answ… · 3.2 s" },
        { "narrow: the verdicts cut more", RUNNING(7, 20, [VERDICT_ACCEPTED] = 6, [VERDICT_WRONG_ANSWER] = 1), 3250000, 30,
          "[7/20] 6 accepted, 1 … · 3.2 s" },
        { "room for the head, the cut and the tail only", RUNNING(7, 20, [VERDICT_ACCEPTED] = 7), 3250000, 15,
          "[7/20]… · 3.2 s" },
        { "narrower still: the line's first columns", RUNNING(7, 20, [VERDICT_ACCEPTED] = 6, [VERDICT_WRONG_ANSWER] = 1),
          3250000, 10, "[7/20] 6 a" },
        { "compiling, the elapsed time cut", { .stage = PROGRESS_COMPILING }, 0, 10, "compiling…" },
        { "compiling, narrow", { .stage = PROGRESS_COMPILING }, 0, 5, "compi" },
        { "no width", RUNNING(1, 1, [VERDICT_ACCEPTED] = 1), 0, 0, "" },
};

static void test_format(size_t i) {
        char buf[PROGRESS_LINE_MAX];

        test_case_begin("progress_format: %s", cases[i].name);
        size_t n = progress_format(&cases[i].progress, cases[i].elapsed_usec, cases[i].width, buf);
        ASSERT_STR_EQ(buf, cases[i].line);
        ASSERT_INT_EQ(n, strlen(cases[i].line));
}

/* Every verdict at its largest count: within a line's bytes, and the elapsed time still told. */
static void test_largest(void) {
        Progress p = { .stage = PROGRESS_RUNNING, .done = UINT32_MAX, .total = UINT32_MAX };
        char buf[PROGRESS_LINE_MAX];

        for (Verdict v = 0; v < _VERDICT_MAX; v++)
                p.verdicts[v] = UINT32_MAX;
        size_t n = progress_format(&p, UINT64_MAX, UINT32_MAX, buf);
        ASSERT_TRUE(n < PROGRESS_LINE_MAX && n == strlen(buf));
        ASSERT_TRUE(strstr(buf, "4294967295 internal_error · ") != NULL);
        ASSERT_TRUE(strncmp(buf, "[4294967295/4294967295] 4294967295 accepted, ", 45) == 0);
}

static void test_stage_names(void) {
        ASSERT_STR_EQ(progress_stage_to_string(PROGRESS_COMPILING), "compiling");
        ASSERT_STR_EQ(progress_stage_to_string(PROGRESS_RUNNING), "running");
        ASSERT_TRUE(progress_stage_to_string(_PROGRESS_STAGE_MAX) == NULL);
}

int main(void) {
        TEST_TABLE(test_format, cases);
        TEST_RUN(test_largest);
        TEST_RUN(test_stage_names);
        return test_summary();
}
