/* SPDX-License-Identifier: MIT */
#include "backlog.h"
#include "test-helpers.h"

static const DaemonCaps caps = { .max_jobs = 2, .max_queued_jobs = 3, .max_queued_bytes = 100 };

/* A backlog of @n entries of @each bytes. */
static void fill(Backlog *b, BacklogEntry *e, unsigned n, uint64_t each) {
        for (unsigned i = 0; i < n; i++)
                backlog_push(b, &e[i], each);
}

static const struct {
        const char *name;
        unsigned running, waiting;
        uint64_t waiting_each, bytes;
        bool bounded;
        Admission admission;
        unsigned room;
} admit_cases[] = {
        { "idle", 0, 0, 0, 10, true, ADMIT_RUN, 2 },
        { "one slot left", 1, 0, 0, 10, true, ADMIT_RUN, 1 },
        { "every slot taken", 2, 0, 0, 10, true, ADMIT_QUEUE, 0 },
        { "a slot free but others wait first", 1, 1, 10, 10, true, ADMIT_QUEUE, 0 },
        { "the queue's last place", 2, 2, 10, 10, true, ADMIT_QUEUE, 0 },
        { "the queue full by count", 2, 3, 10, 10, true, ADMIT_BUSY, 0 },
        { "the queue full by bytes, just", 2, 1, 50, 51, true, ADMIT_BUSY, 0 },
        { "the queue's bytes filled exactly", 2, 1, 50, 50, true, ADMIT_QUEUE, 0 },
        { "a job larger than the queue, a slot free", 0, 0, 0, 1000, true, ADMIT_RUN, 2 },
        { "a Redis job waits whatever the bounds", 2, 3, 40, 1000, false, ADMIT_QUEUE, 0 },
        { "a Redis job runs in a free slot", 0, 0, 0, 1, false, ADMIT_RUN, 2 },
        { "more running than slots (a reload lowered max_jobs)", 5, 0, 0, 1, true, ADMIT_QUEUE, 0 },
};

static void test_admit(size_t i) {
        const __typeof__(admit_cases[0]) *c = &admit_cases[i];
        BacklogEntry e[8] = {};
        Backlog b = {};

        test_case_begin("backlog_admit: %s", c->name);
        fill(&b, e, c->waiting, c->waiting_each);
        ASSERT_INT_EQ(backlog_admit(&b, c->running, &caps, c->bytes, c->bounded), c->admission);
        ASSERT_INT_EQ(backlog_room(&b, c->running, &caps), c->room);
}

static void test_fifo(void) {
        BacklogEntry e[4] = {};
        Backlog b = {};

        ASSERT_TRUE(backlog_pop(&b) == NULL);
        fill(&b, e, 4, 10);
        ASSERT_INT_EQ(b.n, 4);
        ASSERT_U64_EQ(b.bytes, 40);
        /* Pushing one that waits already changes nothing. */
        backlog_push(&b, &e[1], 99);
        ASSERT_INT_EQ(b.n, 4);
        /* Out of the middle, the end, and the front; then the order is kept. */
        backlog_remove(&b, &e[1]);
        backlog_remove(&b, &e[3]);
        ASSERT_INT_EQ(b.n, 2);
        ASSERT_U64_EQ(b.bytes, 20);
        ASSERT_TRUE(b.tail == &e[2]);
        backlog_remove(&b, &e[1]); /* not waiting any more: nothing */
        ASSERT_INT_EQ(b.n, 2);
        backlog_push(&b, &e[3], 5);
        ASSERT_TRUE(backlog_pop(&b) == &e[0]);
        ASSERT_TRUE(backlog_pop(&b) == &e[2]);
        ASSERT_TRUE(backlog_pop(&b) == &e[3]);
        ASSERT_TRUE(backlog_pop(&b) == NULL);
        ASSERT_INT_EQ(b.n, 0);
        ASSERT_U64_EQ(b.bytes, 0);
        ASSERT_TRUE(b.head == NULL && b.tail == NULL);
        ASSERT_TRUE(!e[0].queued && !e[3].queued);
}

int main(void) {
        TEST_TABLE(test_admit, admit_cases);
        TEST_RUN(test_fifo);
        return test_summary();
}
