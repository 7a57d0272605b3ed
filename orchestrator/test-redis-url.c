/* SPDX-License-Identifier: MIT */
#include "redis-url.h"
#include "test-helpers.h"

static const struct {
        const char *url;
        const char *error;
        const char *host, *path, *user, *password, *display;
        unsigned port, db;
} cases[] = {
        { "redis://127.0.0.1", NULL, "127.0.0.1", NULL, NULL, NULL, "redis://127.0.0.1:6379/0", 6379, 0 },
        { "redis://localhost:6380/2", NULL, "localhost", NULL, NULL, NULL, "redis://localhost:6380/2", 6380, 2 },
        { "redis://:s3cret@h:1", NULL, "h", NULL, NULL, "s3cret", "redis://:***@h:1/0", 1, 0 },
        { "redis://s3cret@h", NULL, "h", NULL, NULL, "s3cret", "redis://:***@h:6379/0", 6379, 0 },
        { "redis://kw:p@ss:w@rd@h/", NULL, "h", NULL, "kw", "p@ss:w@rd", "redis://kw:***@h:6379/0", 6379, 0 },
        { "unix:///run/redis.sock", NULL, NULL, "/run/redis.sock", NULL, NULL, "unix:///run/redis.sock", 6379, 0 },
        { "unix:///run/redis.sock?db=3", NULL, NULL, "/run/redis.sock", NULL, NULL, "unix:///run/redis.sock?db=3", 6379, 3 },
        { .url = "http://h", .error = "redis URL: must start with redis:// or unix://" },
        { .url = "redis://", .error = "redis URL: missing host" },
        { .url = "redis://:pw@", .error = "redis URL: missing host" },
        { .url = "redis://h:0", .error = "redis URL: bad port" },
        { .url = "redis://h:65536", .error = "redis URL: bad port" },
        { .url = "redis://h:x", .error = "redis URL: bad port" },
        { .url = "redis://h/x", .error = "redis URL: bad database number" },
        { .url = "unix://relative", .error = "redis URL: unix:// needs an absolute path" },
        { .url = "unix:///s?database=1", .error = "redis URL: expected ?db=N after the path" },
};

static void test_parse(size_t i) {
        _cleanup_free_ char *error = NULL;
        RedisUrl u = {};

        test_case_begin("%s", cases[i].url);
        int r = redis_url_parse(cases[i].url, &u, &error);
        if (cases[i].error) {
                ASSERT_ERRNO_EQ(r, -EINVAL);
                ASSERT_STR_EQ(error, cases[i].error);
                return;
        }
        ASSERT_OK(r);
        ASSERT_STR_EQ(u.host, cases[i].host);
        ASSERT_STR_EQ(u.path, cases[i].path);
        ASSERT_STR_EQ(u.user, cases[i].user);
        ASSERT_STR_EQ(u.password, cases[i].password);
        ASSERT_STR_EQ(u.display, cases[i].display);
        ASSERT_INT_EQ(u.port, cases[i].port);
        ASSERT_INT_EQ(u.db, cases[i].db);
        /* The password never shows in what is logged. */
        ASSERT_TRUE(!u.password || !strstr(u.display, u.password));
        redis_url_done(&u);
}

int main(void) {
        TEST_TABLE(test_parse, cases);
        return test_summary();
}
